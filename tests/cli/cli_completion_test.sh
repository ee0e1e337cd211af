#!/bin/bash
# The bash and zsh completions of plex (contrib/) against the real plex:
# every command of the command table is offered, multi-word commands, the
# commands' options, global options before and after the command, and option
# values that are files or directories. zsh is driven through zpty (skipped
# without zsh).
#
# usage: cli_completion_test.sh PLEX SOURCE_DIR
set -u
plex=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
mkdir "$tmp/dldir" && : >"$tmp/certs.pem"
cd "$tmp" || exit 1
mapfile -t commands < <("$plex" --help | sed -n '/^Commands:$/,/^$/{/^  [a-z]/{s/^  //;s/  .*//;p;}}')
[ "${#commands[@]}" -ge 30 ] && ok || bad "plex --help lists ${#commands[@]} commands"

# ---- bash ----
# shellcheck source=/dev/null
. "$src/contrib/bash-completion/plex"
complete_words() { # WORDS...: the last is completed; prints COMPREPLY sorted
    COMP_WORDS=("$plex" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _plex
    printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
expect() { # "WORDS" EXPECTED exact|has
    local got words
    read -ra words <<<"$1"
    [[ -z $1 || $1 == *' ' ]] && words+=("")
    got=$(complete_words "${words[@]}")
    if [[ $3 == exact && "$got" == "$2" ]] || [[ $3 == has && " $got " == *" $2 "* ]]; then
        ok
    else
        bad "bash: plex $1<TAB>: got '$got', expected ($3) '$2'"
    fi
}
for c in "${commands[@]}"; do
    expect "" "${c%% *}" has
done
expect "pla" "playlist playlists" exact
expect "playlist " "add create delete remove" exact
expect "mark " "unwatched watched" exact
expect "ls Movies --so" "--sort" exact
expect "ls --fil" "--filter" exact
expect "ls --js" "--json" exact
expect "ls Movies --ser" "--server" exact
expect "--server x ls --unw" "--unwatched" exact
expect "download -o dl" "dldir" exact
expect "download 7 --output dl" "dldir" exact
expect "show 7 --cacert cer" "certs.pem" exact
expect "--json servers --a" "--all" exact
expect "pin " "check decode new" exact
expect "butler " "run stop" exact
expect "act" "activities" exact
expect "activities " "cancel" exact
expect "events --fi" "--filters" exact

# ---- zsh ----
if command -v zsh >/dev/null 2>&1; then
    mkdir "$tmp/fpath" && cp "$src/contrib/zsh-completion/_plex" "$tmp/fpath/"
    cat >"$tmp/z.zsh" <<ZEOF
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z 'PS1="> "; fpath=($tmp/fpath \$fpath); autoload -Uz compinit; compinit -u -D; path=(${plex%/*} \$path); setopt nolistbeep; LISTMAX=1000; zstyle ":completion:*" list-separator ""; print -r RE""ADY'
# what the terminal shows until it has been quiet for half a second
drain() {
  local line quiet=0
  REPLY=
  while (( quiet < 5 )); do
    if zpty -r -t z line; then REPLY+=\$line; quiet=0; else sleep 0.1; (( quiet++ )); fi
  done
}
for i in {1..100}; do drain; [[ \$REPLY == *READY* ]] && break; done
comp() { # what was typed: print what the line and the list became
  zpty -w -n z "\$1"\$'\t'
  drain
  print -r -- "== \$1"
  print -r -- "\$REPLY" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
  print -r -- "=="
  zpty -w -n z \$'\C-u'
  drain
}
comp 'plex pla'
comp 'plex playlist '
comp 'plex mark '
comp 'plex butler '
comp 'plex ls Movies --so'
comp 'plex ls --js'
comp 'plex show 7 --ser'
comp 'plex download 7 -o dl'
comp 'plex '
zpty -d z
ZEOF
    timeout 60 zsh -f "$tmp/z.zsh" >"$tmp/z.out" 2>&1
    zsh_case() { # TYPED REGEX: what the completion showed for TYPED matches
        if sed -n "/^== $1\$/,/^==\$/p" "$tmp/z.out" | grep -Eq -- "$2"; then ok; else
            bad "zsh: plex ${1#plex }<TAB> shows no /$2/:"
            sed -n "/^== $1\$/,/^==\$/p" "$tmp/z.out" | head -20
        fi
    }
    zsh_case 'plex pla' 'plex playlist'
    zsh_case 'plex playlist ' 'create +make a playlist of items'
    zsh_case 'plex playlist ' 'remove +take items out'
    zsh_case 'plex mark ' 'unwatched +mark an item'
    zsh_case 'plex butler ' 'stop +stop a running maintenance task'
    zsh_case 'plex ls Movies --so' 'plex ls Movies --sort'
    zsh_case 'plex ls --js' 'plex ls --json'
    zsh_case 'plex show 7 --ser' 'plex show 7 --server'
    zsh_case 'plex download 7 -o dl' 'plex download 7 -o dldir/'
    for c in "${commands[@]}"; do
        zsh_case 'plex ' "(^|[ ])${c%% *}( |$)"
    done
else
    echo "zsh is not installed: its completion is not tested"
fi

echo "cli_completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# The bash completion of plex (contrib/bash-completion/plex) against a real
# plex: commands, two-word commands, global and per-command options, and
# FILE/DIR values completed as paths.
#
# usage: completion_test.sh COMPLETION_FILE PLEX
set -u
completion=${1:?usage: completion_test.sh COMPLETION_FILE PLEX}
plex=${2:?usage: completion_test.sh COMPLETION_FILE PLEX}
fail=0 pass=0

# shellcheck source=/dev/null
. "$completion" || { echo "FAIL cannot source $completion"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/confdir" && : >"$tmp/container.json"

# complete WORDS...: the last word is the one being completed; prints COMPREPLY sorted
complete_words() {
    COMP_WORDS=("$plex" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _plex
    printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# expect "WORDS..." "EXPECTED" [contains]
expect() {
    local got
    read -ra words <<<"$1"
    [[ -z $1 || $1 == *' ' ]] && words+=("")
    got=$(complete_words "${words[@]}")
    if [[ $3 == exact && "$got" == "$2" ]] || [[ $3 == has && " $got " == *" $2 "* ]]; then
        pass=$((pass + 1))
    else
        echo "FAIL plex $1<TAB>: got '$got', expected ($3) '$2'"
        fail=$((fail + 1))
    fi
}

cd "$tmp" || exit 1
expect "wh" "whoami" exact
expect "tok" "token" exact
expect "token " "refresh upgrade" exact
expect "pin " "check decode new" exact
expect "pin d" "decode" exact
expect "" "login" has
expect "" "servers" has
expect "--js" "--json" exact
expect "-" "--version" has
expect "--json lo" "login logout" exact
expect "--config-dir conf" "confdir" exact
expect "--base-url http://127.0.0.1 --json who" "whoami" exact
expect "login --no" "--no-qr" exact
expect "login --timeout " "" exact
expect "servers -" "--all" has
expect "pin decode cont" "container.json" exact
expect "pin decode --st" "--strict" exact
expect "--cacert cont" "container.json" exact
expect "whoami " "" exact

echo "completion_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

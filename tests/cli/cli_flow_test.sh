#!/bin/bash
# CLI integration tests: every `plex` command against plexsim on 127.0.0.1,
# checking stdout (golden files where it is stable), stderr and exit codes;
# the state on disk (client id, token file modes, refusing an open token
# file); and a kill -9 loop over token saving (never a torn or empty file).
#
# usage: cli_flow_test.sh PLEX PLEXSIM SOURCE_DIR
set -u
plex=$1
plexsim=$2
src=$3
golden=$src/tests/cli/golden
tmp=$(mktemp -d)
sim_pids=()
pass=0
fail=0

cleanup() {
    for p in "${sim_pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# Nothing from the caller's environment may leak in (or send a request
# anywhere but 127.0.0.1): the default config dir is a fresh one.
unset PLEX_TOKEN PLEX_BASE_URL PLEX_CONFIG_DIR XDG_CONFIG_HOME PLEX_LOG_SECRETS \
    PLEX_CLI_TEST_SAVE_LOOP NO_COLOR
export HOME=$tmp/home
mkdir -p "$HOME"

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
show() {
    echo "--- stdout:"; head -c 2000 "$tmp/out"; echo "--- stderr:"; head -c 2000 "$tmp/err"
}

# start_sim NAME ARGS...: start plexsim on a free port; its URL in $url_NAME
start_sim() {
    local name=$1 u=
    shift
    "$plexsim" --port 0 --quiet --max-seconds 600 "$@" >"$tmp/sim_$name.out" 2>"$tmp/sim_$name.err" &
    sim_pids+=($!)
    for _ in $(seq 200); do
        u=$(sed -n 's/^LISTENING //p' "$tmp/sim_$name.out" | head -1)
        [ -n "$u" ] && break
        sleep 0.05
    done
    if [ -z "$u" ]; then
        echo "plexsim $name did not start:"; cat "$tmp/sim_$name.err"; exit 1
    fi
    printf -v "url_$name" '%s' "$u"
}

# run NAME EXIT -- ARGS...: run plex (60 s at most), stdout/stderr in $tmp/out, $tmp/err
run() {
    local name=$1 code=$2 got
    shift 3
    timeout 60 "$plex" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    cur=$name
    if [ "$got" != "$code" ]; then
        bad "$name: exit $got, expected $code"; show
    else
        ok
    fi
}
out_has() { if grep -Eq -- "$1" "$tmp/out"; then ok; else bad "$cur: stdout lacks /$1/"; show; fi; }
out_lacks() { if grep -Eq -- "$1" "$tmp/out"; then bad "$cur: stdout has /$1/"; show; else ok; fi; }
err_has() { if grep -Eq -- "$1" "$tmp/err"; then ok; else bad "$cur: stderr lacks /$1/"; show; fi; }
err_lacks() { if grep -Fq -- "$1" "$tmp/err"; then bad "$cur: stderr has '$1'"; show; else ok; fi; }
err_empty() { if [ -s "$tmp/err" ]; then bad "$cur: unexpected stderr"; show; else ok; fi; }
out_empty() { if [ -s "$tmp/out" ]; then bad "$cur: unexpected stdout"; show; else ok; fi; }
# out_is GOLDEN [SED]: stdout equals the golden file (after the sed script)
out_is() {
    sed -e "${2:-}" "$tmp/out" >"$tmp/out.norm"
    if cmp -s "$1" "$tmp/out.norm"; then ok; else bad "$cur: stdout differs from $1"; diff "$1" "$tmp/out.norm" | head -20; fi
}
json_field() { # FILE KEY -> value of KEY in the first JSON line of FILE
    python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"
}
mode_of() { stat -c %a "$1"; }

start_sim auto --approve-after 2   # approves a PIN on its second poll
start_sim manual                   # approves nothing by itself
start_sim short --pin-ttl 1        # PINs expire after a second
start_sim garbage --fault 'POST /api/v2/pins=garbage*5' --fault 'GET /api/v2/user=500*5'
dead=http://127.0.0.1:9            # nothing listens on the discard port
simtok=plexsim-user-token-0001     # the simulated account's fixed token

# ---- global options, help, usage errors ----
run help 0 -- --help
out_is "$golden/help.out"
err_empty
run help-short 0 -- -h
out_is "$golden/help.out"
run login-help 0 -- login --help
out_is "$golden/login_help.out"
for c in whoami token logout link "pin new" "pin check"; do
    # shellcheck disable=SC2086
    run "help-$c" 0 -- $c --help
    out_has "^usage: plex $c"
done
# the man page and --help document every command and exit code
man=$src/docs/man/plex.1
for c in login whoami token logout link "pin new" "pin check" "pin decode"; do
    grep -q "^  $c " "$golden/help.out" && ok || bad "--help lacks $c"
    grep -Eq "^\.(SS|B) \"?$c" "$man" && ok || bad "plex.1 lacks $c"
done
# every command of the command table (as --help lists it) has its section in
# plex.1 and answers --help and 'plex help' with the same text
while IFS= read -r c; do
    grep -Eq "^\.SS \"?(.*, )?$c( |\"|,|\$)" "$man" && ok || bad "plex.1 has no section for '$c'"
    # shellcheck disable=SC2086
    "$plex" $c --help >"$tmp/h1" 2>&1 && "$plex" help $c >"$tmp/h2" 2>&1 && cmp -s "$tmp/h1" "$tmp/h2" &&
        grep -q "^usage: plex $c" "$tmp/h1" && ok || bad "'plex $c --help' and 'plex help $c' differ"
done < <(sed -n '/^Commands:$/,/^$/{/^  [a-z]/{s/^  //;s/  .*//;p;}}' "$golden/help.out")
for code in 0 1 2 65 69 75 77 130; do
    grep -Eq "^  $code +[a-z]" "$golden/help.out" && ok || bad "--help lacks exit code $code"
    grep -A1 '^\.TP' "$man" | grep -q "^\.B $code\$" && ok || bad "plex.1 lacks exit code $code"
done
for o in server base-url config-dir cacert product json verbose help version; do
    grep -q -- "--$o" "$golden/help.out" && ok || bad "--help lacks --$o"
    grep -q -- "\\\\-\\\\-$(echo "$o" | sed 's/-/\\\\-/g')" "$man" && ok || bad "plex.1 lacks --$o"
done
run version 0 -- --version
out_has '^plex [0-9]+\.[0-9]+\.[0-9]+ \(libplex '
run no-command 2 --
err_has '^usage: plex'
run bad-global 2 -- --bogus whoami
err_has "^plex: unknown option: --bogus"
run global-needs-value 2 -- --base-url
err_has "option needs a value"
run global-after-command 2 -- whoami --bogus
err_has "unknown option: --bogus"
run help-command 0 -- help login
out_is "$golden/login_help.out"
run help-unknown 2 -- help frobnicate
err_has "unknown command: frobnicate"
run unknown-pin 2 -- pin frob
err_has "unknown command: pin frob"
run login-bad-timeout 2 -- --base-url "$url_auto" login --timeout soon
err_has "timeout needs seconds"
run login-bad-reissue 2 -- --base-url "$url_auto" login --reissue -1
err_has "reissue needs a number"
run login-extra 2 -- --base-url "$url_auto" login now
err_has "unexpected argument: now"
run link-no-code 2 -- link
err_has "missing argument: CODE"
run link-bad-code 2 -- link AB-1
err_has "a code has 4 letters or digits"
run pin-check-bad-id 2 -- pin check 12x
err_has "ID must be a positive number"
run https-only 2 -- --base-url http://example.com --config-dir "$tmp/c0" pin new
err_has "must be https://"

# ---- not signed in ----
cfg=$tmp/c1
run whoami-none 77 -- --config-dir "$cfg" whoami
err_has "not signed in: run 'plex login'"
out_empty
run token-none 77 -- --config-dir "$cfg" token
run logout-none 77 -- --config-dir "$cfg" logout
run logout-local-none 77 -- --config-dir "$cfg" logout --local
run link-none 77 -- --config-dir "$cfg" link ABCD

# ---- login (not a terminal: plain lines), then the account commands ----
run login 0 -- --base-url "$url_auto" --config-dir "$cfg" login --poll-interval 0.1
out_has '^To sign in, open https://plex\.tv/link/\?pin=[A-Z0-9]{4} and approve the code [A-Z0-9]{4} \(expires in 15:00\)\.$'
out_has "^Signed in as plexsim \(plexsim@example\.invalid\)\. The token is saved in $cfg/token\.$"
out_lacks $'\e'                                   # no cursor movement, no color
out_lacks '▀|▄'                                   # no QR without --qr
err_empty
[ "$(mode_of "$cfg")" = 700 ] && ok || bad "config dir mode $(mode_of "$cfg"), expected 700"
[ "$(mode_of "$cfg/token")" = 600 ] && ok || bad "token file mode $(mode_of "$cfg/token"), expected 600"
[ "$(mode_of "$cfg/client-id")" = 600 ] && ok || bad "client-id mode $(mode_of "$cfg/client-id")"
grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "$cfg/client-id" &&
    ok || bad "client-id is not a UUID v4: $(cat "$cfg/client-id")"
cid=$(cat "$cfg/client-id")
grep -q "^base_url=$url_auto\$" "$cfg/token" && ok || bad "token file lacks base_url"
grep -q '^user=plexsim$' "$cfg/token" && ok || bad "token file lacks user"
grep -Eq '^obtained_at=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$cfg/token" && ok || bad "token file lacks obtained_at"
[ "$(tail -n 1 "$cfg/token")" = "# end" ] && ok || bad "token file does not end with '# end'"

run whoami 0 -- --config-dir "$cfg" whoami     # the base URL comes from the token file
out_is "$golden/whoami.out" "s|$url_auto|BASE_URL|"
err_empty
run whoami-json 0 -- --config-dir "$cfg" --json whoami
out_is "$golden/whoami.json" "s|$url_auto|BASE_URL|"
# global options also come after the command
run whoami-json-after 0 -- whoami --json --config-dir "$cfg"
out_is "$golden/whoami.json" "s|$url_auto|BASE_URL|"
run whoami-same-url 0 -- --base-url "$url_auto/" --config-dir "$cfg" whoami
run whoami-other-url 77 -- --base-url "$url_manual" --config-dir "$cfg" whoami
err_has "the saved token belongs to $url_auto, not $url_manual"
run token 0 -- --config-dir "$cfg" token
tok=$(cat "$tmp/out")
grep -q "^token=$tok\$" "$cfg/token" && ok || bad "plex token printed '$tok', not the saved token"
[ "$(wc -l <"$tmp/out")" = 1 ] && ok || bad "plex token: not one line"
run token-json 0 -- --config-dir "$cfg" --json token
[ "$(json_field "$tmp/out" token)" = "$tok" ] && ok || bad "token-json: wrong token"
[ "$(json_field "$tmp/out" base_url)" = "$url_auto" ] && ok || bad "token-json: wrong base_url"
PLEX_TOKEN=from-env run token-env-override 0 -- --config-dir "$cfg" token
[ "$(cat "$tmp/out")" = from-env ] && ok || bad "PLEX_TOKEN does not override the saved token"
# --json escapes what it prints
PLEX_TOKEN=$'q"b\\s\tt\001é' run token-json-escape 0 -- --config-dir "$cfg" --json token
python3 -c 'import json,sys; assert json.loads(open(sys.argv[1]).read())["token"] == "q\"b\\s\tt\x01\u00e9"' "$tmp/out" &&
    ok || bad "token-json-escape: $(cat "$tmp/out")"
PLEX_TOKEN=$simtok run whoami-env 0 -- --base-url "$url_manual" --config-dir "$cfg" --json whoami
[ "$(json_field "$tmp/out" token_source)" = PLEX_TOKEN ] && ok || bad "whoami-env: token_source"
PLEX_TOKEN=nope run whoami-env-bad 77 -- --base-url "$url_manual" --config-dir "$cfg" whoami
err_has "rejected the token in PLEX_TOKEN"
PLEX_BASE_URL=$url_manual run env-base-url 77 -- --config-dir "$cfg" whoami
err_has "belongs to $url_auto, not $url_manual"

# the client identifier is generated once and reused
run login-again 0 -- --base-url "$url_auto" --config-dir "$cfg" login --poll-interval 0.1 --qr
out_has '▀|▄'                                     # --qr draws it off a terminal too
out_lacks $'\e'
[ "$(cat "$cfg/client-id")" = "$cid" ] && ok || bad "client-id changed between runs"
[ "$(json_field <(PLEX_CONFIG_DIR=$cfg "$plex" --base-url "$url_auto" --json pin new) clientIdentifier)" = "$cid" ] &&
    ok || bad "pin new does not send the saved client identifier"

# ---- login --json: one object per event ----
cfgj=$tmp/cj
run login-json 0 -- --base-url "$url_auto" --config-dir "$cfgj" --json login --poll-interval 0.1
python3 - "$tmp/out" <<'EOF' && ok || bad "login-json: bad event stream"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["event"] for e in ev]
assert kinds[0] == "code" and kinds[-2:] == ["approved", "signed_in"], kinds
assert set(kinds) <= {"code", "tick", "approved", "signed_in"}, kinds
c = ev[0]
assert len(c["code"]) == 4 and c["url"].endswith(c["code"]) and c["strong"] is False
assert c["seconds_left"] == 900 and c["reissues"] == 0
assert ev[-1]["username"] == "plexsim" and ev[-1]["token_file"].endswith("/token")
EOF
err_empty

# ---- -v: an HTTP trace with the secrets left out ----
cfgv=$tmp/cv
run verbose-login 0 -- -v --base-url "$url_auto" --config-dir "$cfgv" --json login --poll-interval 0.1
code=$(json_field "$tmp/out" code)
vtok=$(sed -n 's/^token=//p' "$cfgv/token")
err_has '^plex: \[debug\] POST /api/v2/pins -> 201'
err_has 'GET /api/v2/pins/<redacted> -> 200'
err_lacks "$code"
err_lacks "$vtok"
run pin-new-v 0 -- -v --base-url "$url_manual" --config-dir "$cfgv" --json pin new
pid=$(json_field "$tmp/out" id)
run pin-check-v 0 -- -v --base-url "$url_manual" --config-dir "$cfgv" pin check "$pid"
err_has 'GET /api/v2/pins/<redacted>'
err_lacks "$pid"
PLEX_LOG_SECRETS=1 run pin-check-secrets 0 -- -v --base-url "$url_manual" --config-dir "$cfgv" pin check "$pid"
err_has "GET /api/v2/pins/$pid -> 200"

# ---- pin new / pin check / link ----
cfgp=$tmp/cp
run pin-new 0 -- --base-url "$url_manual" --config-dir "$cfgp" pin new
out_has '^id: +[0-9]+$'
out_has '^code: +[A-Z0-9]{4}$'
out_has '^url: +https://plex\.tv/link/\?pin=[A-Z0-9]{4}$'
out_has '^expires_in: +900$'
err_empty
run pin-new-strong 0 -- --base-url "$url_manual" --config-dir "$cfgp" --product "Test Box" pin new --strong
out_has '^code: +[a-z0-9]{25}$'
out_has "^url: +https://app\.plex\.tv/auth#\?clientID=$(cat "$cfgp/client-id")&code=[a-z0-9]{25}&context%5Bdevice%5D%5Bproduct%5D=Test%20Box$"
out_has '^expires_in: +1800$'
run pin-new-json 0 -- --base-url "$url_manual" --config-dir "$cfgp" --product "Test Box" --json pin new
[ "$(json_field "$tmp/out" product)" = "Test Box" ] && ok || bad "--product is not sent"
pid=$(json_field "$tmp/out" id)
pcode=$(json_field "$tmp/out" code)
run pin-check-pending 0 -- --base-url "$url_manual" --config-dir "$cfgp" pin check "$pid"
out_has '^status: +pending$'
out_lacks '^token:'
run pin-check-other-id 75 -- --base-url "$url_manual" --config-dir "$tmp/cother" pin check "$pid"
err_has "cannot check the PIN: .*another client identifier"
# approve it from a signed-in account: plex link (lower case is accepted)
lower=$(echo "$pcode" | tr 'A-Z' 'a-z')
PLEX_TOKEN=$simtok run link 0 -- --base-url "$url_manual" --config-dir "$cfgp" link "$lower"
out_has "^Approved the code $pcode"
err_empty
run pin-check-approved 0 -- --base-url "$url_manual" --config-dir "$cfgp" pin check "$pid"
out_has '^status: +approved$'
out_has '^token: +[A-Za-z0-9_-]+$'
run pin-check-json 75 -- --base-url "$url_manual" --config-dir "$cfgp" --json pin check "$pid"
out_empty                                   # the token was collected: the PIN is gone
PLEX_TOKEN=$simtok run link-unknown 75 -- --base-url "$url_manual" --config-dir "$cfgp" link ZZZZ
err_has "the code ZZZZ is unknown or expired"
PLEX_TOKEN=$simtok run link-json 0 -- --base-url "$url_manual" --config-dir "$cfgp" --json link \
    "$(PLEX_CONFIG_DIR=$cfgp "$plex" --base-url "$url_manual" --json pin new | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
out_has '^\{"linked":"[A-Z0-9]{4}"\}$'
PLEX_TOKEN=bad run link-bad-token 77 -- --base-url "$url_manual" --config-dir "$cfgp" link ABCD

# ---- expiry, re-issue, timeout, cancel ----
cfge=$tmp/ce
run login-expired 75 -- --base-url "$url_short" --config-dir "$cfge" login --reissue 1 --poll-interval 0.2
[ "$(grep -c '^To sign in' "$tmp/out")" = 2 ] && ok || bad "login-expired: expected 2 codes"
out_has '^The code expired; here is a new one \(1\)\.$'
err_has "^plex: sign-in failed: the code expired before it was approved \(1 new code was issued\)"
[ ! -e "$cfge/token" ] && ok || bad "login-expired saved a token"
run login-expired-json 75 -- --base-url "$url_short" --config-dir "$cfge" --json login --reissue 2 --poll-interval 0.2
[ "$(grep -c '"event":"reissued"' "$tmp/out")" = 2 ] && ok || bad "login-expired-json: expected 2 reissued events"
run login-timeout 75 -- --base-url "$url_manual" --config-dir "$cfge" login --timeout 0.5
err_has "not approved within the time limit"
# Ctrl-C (SIGINT): exit 130 at once, nothing on stderr, nothing saved
timeout 60 "$plex" --base-url "$url_manual" --config-dir "$cfge" login >"$tmp/out" 2>"$tmp/err" </dev/null &
lp=$!
for _ in $(seq 100); do grep -q '^To sign in' "$tmp/out" && break; sleep 0.05; done
t0=$(date +%s%N)
kill -INT "$lp"
wait "$lp"
got=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cur=sigint
[ "$got" = 130 ] && ok || bad "SIGINT: exit $got, expected 130"
[ "$ms" -lt 1500 ] && ok || bad "SIGINT: took $ms ms to stop"
err_empty
[ ! -e "$cfge/token" ] && ok || bad "SIGINT saved a token"

# ---- service problems ----
run connect-refused 69 -- --base-url "$dead" --config-dir "$tmp/cd" pin new
err_has "^plex: cannot get a PIN: could not connect"
PLEX_TOKEN=x run whoami-refused 69 -- --base-url "$dead" --config-dir "$tmp/cd" whoami
run garbage 65 -- --base-url "$url_garbage" --config-dir "$tmp/cg" pin new
PLEX_TOKEN=$simtok run server-error 75 -- --base-url "$url_garbage" --config-dir "$tmp/cg" whoami
# the timeout ends the retries before any code: the unreachable service is the error (69)
run login-refused-timeout 69 -- --base-url "$dead" --config-dir "$tmp/cd" login --timeout 1
err_has "warning: could not connect .*retrying in 2 s"

# ---- TLS with --cacert ----
if command -v openssl >/dev/null 2>&1 && sh "$src/tests/client/make_certs.sh" "$tmp/certs" >/dev/null 2>&1; then
    start_sim tls --tls-cert "$tmp/certs/server.pem" --tls-key "$tmp/certs/server.key"
    run tls-cacert 0 -- --base-url "$url_tls" --cacert "$tmp/certs/ca.pem" --config-dir "$tmp/ct" pin new
    run tls-untrusted 69 -- --base-url "$url_tls" --config-dir "$tmp/ct" pin new
    run tls-wrong-ca 69 -- --base-url "$url_tls" --cacert "$tmp/certs/other-ca.pem" --config-dir "$tmp/ct" pin new
else
    echo "SKIP tls: no openssl"
fi

# ---- the default config dir ----
run default-dir 0 -- --base-url "$url_manual" pin new
[ -s "$HOME/.config/plex/client-id" ] && ok || bad "default config dir is not ~/.config/plex"
XDG_CONFIG_HOME=$tmp/xdg run xdg-dir 0 -- --base-url "$url_manual" pin new
[ -s "$tmp/xdg/plex/client-id" ] && ok || bad "XDG_CONFIG_HOME is not honoured"
PLEX_CONFIG_DIR=$tmp/envdir run env-dir 0 -- --base-url "$url_manual" pin new
[ -s "$tmp/envdir/client-id" ] && ok || bad "PLEX_CONFIG_DIR is not honoured"
PLEX_CONFIG_DIR=$tmp/envdir run option-beats-env 0 -- --config-dir "$tmp/optdir" --base-url "$url_manual" pin new
[ -s "$tmp/optdir/client-id" ] && ok || bad "--config-dir does not override PLEX_CONFIG_DIR"

# ---- a token file others can read is refused ----
chmod 644 "$cfg/token"
run open-token-file 1 -- --config-dir "$cfg" whoami
err_has "can be read or changed by other users \(mode 0644\).*Fix: chmod 600 $cfg/token"
out_empty
run open-token-file-token 1 -- --config-dir "$cfg" token
out_empty
chmod 600 "$cfg/token"
ln -s "$cfg/token" "$tmp/c1link-token"
mkdir -p "$tmp/c1link" && mv "$tmp/c1link-token" "$tmp/c1link/token"
run symlink-token-file 1 -- --config-dir "$tmp/c1link" token
err_has "symbolic link"
printf 'user=x\n' >"$tmp/c1link/token.new" && rm "$tmp/c1link/token" && mv "$tmp/c1link/token.new" "$tmp/c1link/token" && chmod 600 "$tmp/c1link/token"
run damaged-token-file 1 -- --config-dir "$tmp/c1link" token
err_has "damaged"

# ---- logout ----
tok=$(sed -n 's/^token=//p' "$cfg/token")
run logout 0 -- --config-dir "$cfg" logout
out_has '^Signed out; the saved token was removed\.$'
[ ! -e "$cfg/token" ] && ok || bad "logout kept the token file"
PLEX_TOKEN=$tok run logout-token-dead 77 -- --base-url "$url_auto" --config-dir "$cfg" whoami
run logout-again 77 -- --config-dir "$cfg" logout
run login-3 0 -- --base-url "$url_auto" --config-dir "$cfg" login --poll-interval 0.1
tok=$(sed -n 's/^token=//p' "$cfg/token")
run logout-local 0 -- --config-dir "$cfg" --json logout --local
out_has '^\{"signed_out":false,"forgotten":true\}$'
PLEX_TOKEN=$tok run logout-local-token-lives 0 -- --base-url "$url_auto" --config-dir "$cfg" whoami
PLEX_TOKEN=$tok run logout-env 0 -- --base-url "$url_auto" --config-dir "$cfg" --json logout
out_has '^\{"signed_out":true,"forgotten":false\}$'
PLEX_TOKEN=$tok run logout-env-dead 77 -- --base-url "$url_auto" --config-dir "$cfg" whoami
run login-4 0 -- --base-url "$url_auto" --config-dir "$cfg" login --poll-interval 0.1
# a sign-out that cannot reach plex.tv keeps the token and says how to drop it
sed -i "s|^base_url=.*|base_url=$dead|" "$cfg/token"
run logout-refused 69 -- --config-dir "$cfg" logout
err_has "plex logout --local"
[ -e "$cfg/token" ] && ok || bad "logout-refused removed the token"

# ---- kill -9 while saving: the token file is the old or the new one, never torn ----
cfgk=$tmp/ck
kills=0 mid=0 absent=0 saved_once=0
for i in $(seq 60); do
    PLEX_CLI_TEST_SAVE_LOOP=1000000 "$plex" --base-url "$url_auto" --config-dir "$cfgk" --json \
        login --poll-interval 0 >/dev/null 2>&1 </dev/null &
    kp=$!
    sleep "0.$(printf '%03d' $((RANDOM % 300)))"
    kill -9 "$kp" 2>/dev/null && kills=$((kills + 1))
    wait "$kp" 2>/dev/null
    if [ ! -e "$cfgk/token" ]; then
        absent=$((absent + 1))
        [ "$saved_once" = 1 ] && { bad "kill-9 #$i: the token file vanished"; break; }
        continue
    fi
    saved_once=1
    if ! python3 - "$cfgk/token" <<'EOF'; then
import re, sys
data = open(sys.argv[1]).read()
lines = data.split("\n")
assert lines[0].startswith("# plex: the saved sign-in"), "header"
assert data.endswith("# end\n"), "no end marker"
kv = dict(l.split("=", 1) for l in lines if "=" in l and not l.startswith("#"))
assert re.fullmatch(r"[A-Za-z0-9_-]+", kv.get("token", "")), "token"
assert kv.get("user") == "plexsim", "user"
if "test_seq" in kv:
    seq = int(kv["test_seq"])
    assert len(kv["test_pad"]) == (seq * 7919) % 20000, "padding"
EOF
        bad "kill-9 #$i: torn token file:"; head -c 300 "$cfgk/token"; echo
        break
    fi
    grep -q '^test_seq=' "$cfgk/token" && mid=$((mid + 1))
    [ "$(mode_of "$cfgk/token")" = 600 ] || bad "kill-9 #$i: token file mode $(mode_of "$cfgk/token")"
done
# leftover temporary files of killed saves are private too
for f in "$cfgk"/.token.*; do
    [ -e "$f" ] || continue
    [ "$(mode_of "$f")" = 600 ] || bad "kill-9: temporary file $f has mode $(mode_of "$f")"
done
echo "kill -9: $kills kills, $mid in the middle of the save loop, $absent before the first save"
[ "$mid" -ge 10 ] && ok || bad "kill-9: only $mid kills landed in the save loop"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

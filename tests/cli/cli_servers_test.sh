#!/bin/bash
# `plex servers` against plexsim on 127.0.0.1: every connection it lists is
# loopback (its emulated media server answers on 127.0.0.1 and 127.0.0.2,
# [::1] is refused), the chosen one is marked, --json, --no-connect, --all,
# and a rejected token (77).
#
# usage: cli_servers_test.sh PLEX PLEXSIM
set -u
plex=$1
plexsim=$2
tmp=$(mktemp -d)
sim_pid=
pass=0
fail=0
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
unset PLEX_TOKEN PLEX_BASE_URL PLEX_CONFIG_DIR XDG_CONFIG_HOME PLEX_LOG_SECRETS NO_COLOR
export HOME=$tmp/home
mkdir -p "$HOME"

check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}

# start_sim NAME ARGS...: plexsim on a free port; its URL in $url, its media
# server's in $pms, its pid in $sim_pid
start_sim() {
    local name=$1
    shift
    "$plexsim" --port 0 --quiet --max-seconds 120 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    sim_pid=$!
    url=
    pms=
    for _ in $(seq 200); do
        url=$(sed -n 's/^LISTENING //p' "$tmp/$name.out" | head -1)
        pms=$(sed -n 's/^PMS //p' "$tmp/$name.out" | head -1)
        [ -n "$url" ] && [ -n "$pms" ] && break
        sleep 0.05
    done
    [ -n "$pms" ] || { echo "plexsim did not start"; cat "$tmp/$name.err"; exit 1; }
}

start_sim sim --resources-loopback
export PLEX_TOKEN=plexsim-user-token-0001

"$plex" --base-url "$url" servers >"$tmp/out" 2>"$tmp/err"
check "servers exits 0" [ $? -eq 0 ]
check "the good connection is chosen" grep -q "^  \* $pms  *local  ok" "$tmp/out"
check "[::1] is refused" grep -q "^    http://\[::1\]:[0-9]*  *local  connect" "$tmp/out"
check "the friend's server has none" grep -q "^  no connections" "$tmp/out"
check "no player without --all" bash -c "! grep -q 'plexsim Phone' '$tmp/out'"
check "nothing on stderr" [ ! -s "$tmp/err" ]

"$plex" --base-url "$url" --json servers --all >"$tmp/out" 2>"$tmp/err"
check "--json exits 0" [ $? -eq 0 ]
check "--json: one line per device" [ "$(wc -l <"$tmp/out")" -eq 3 ]
check "--json: chosen" grep -q "\"chosen\":\"$pms\"" "$tmp/out"
check "--json: the connection marked" grep -q "\"uri\":\"$pms\",\"protocol\":\"http\",\"local\":true,\"relay\":false,\"result\":\"ok\"" "$tmp/out"
if command -v python3 >/dev/null; then
    check "--json: valid JSON lines" python3 -c "
import json, sys
for line in open('$tmp/out'):
    json.loads(line)
"
fi

"$plex" --base-url "$url" servers --no-connect >"$tmp/out" 2>"$tmp/err"
check "--no-connect exits 0" [ $? -eq 0 ]
check "--no-connect marks nothing" bash -c "! grep -q '^  \*' '$tmp/out'"

"$plex" --base-url "$url" servers --timeout nope >"$tmp/out" 2>"$tmp/err"
check "bad --timeout is a usage error" [ $? -eq 2 ]

PLEX_TOKEN=bad "$plex" --base-url "$url" servers >"$tmp/out" 2>"$tmp/err"
check "a rejected token exits 77" [ $? -eq 77 ]

# every connection fails: exit 69 and a message; the table still shows why
first_pid=$sim_pid
start_sim sim2 --resources-loopback --fault "GET /identity=500*50"
url2=$url
"$plex" --base-url "$url2" servers >"$tmp/out" 2>"$tmp/err"
check "no server answered: exit 69" [ $? -eq 69 ]
check "no server answered: message" grep -q "no server answered" "$tmp/err"
check "no server answered: the attempt is shown" grep -q "^    $pms  *local  " "$tmp/out"
kill "$sim_pid" 2>/dev/null
wait "$sim_pid" 2>/dev/null
sim_pid=$first_pid

echo "cli_servers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

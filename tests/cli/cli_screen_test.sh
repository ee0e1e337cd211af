#!/bin/bash
# The terminal screen of `plex login`, driven through tmux against plexsim on
# 127.0.0.1: the code (large and as text), the URL, the QR code in half
# blocks, the live countdown on one status line, a re-issued code replacing
# the old one, approval, and Ctrl-C (exit 130, nothing saved).
#
# usage: cli_screen_test.sh PLEX PLEXSIM     (exit 77: skipped, no tmux)
set -u
plex=$1
plexsim=$2
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux is not installed"
    exit 77
fi
tmp=$(mktemp -d)
sock=plex-screen-test-$$
sim_pids=()
pass=0
fail=0
unset PLEX_TOKEN PLEX_BASE_URL PLEX_CONFIG_DIR NO_COLOR PLEX_LOG_SECRETS
export HOME=$tmp/home
mkdir -p "$HOME"

tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
    tm kill-server 2>/dev/null
    for p in "${sim_pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}

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
    [ -n "$u" ] || { echo "plexsim $name did not start"; cat "$tmp/sim_$name.err"; exit 1; }
    printf -v "url_$name" '%s' "$u"
}

screen() { tm capture-pane -p -t "$1"; }
# wait_for SESSION REGEX [SECONDS]: until the screen matches
wait_for() {
    local n=$(((${3:-10}) * 10))
    for _ in $(seq "$n"); do
        screen "$1" | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    bad "$1: the screen never showed /$2/:"
    screen "$1"
    return 1
}
count() { screen "$1" | grep -Ec -- "$2"; }
left_seconds() { # the countdown on the status line, in seconds
    screen "$1" | sed -n 's/.*Waiting for approval: \([0-9]*\):\([0-9]*\) left.*/\1 \2/p' |
        { read -r m s && echo $((10#$m * 60 + 10#$s)); }
}

start_sim manual                  # approves nothing by itself
start_sim short --pin-ttl 3       # PINs expire after 3 s
simtok=plexsim-user-token-0001

# run_session SESSION COLS ROWS [VAR=VALUE...] -- ARGS...: run plex in a new
# tmux session of that size; "EXIT=<status>" is printed when it ends.
run_session() {
    local s=$1 cols=$2 rows=$3 envs=()
    shift 3
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    {
        printf '%q ' env TERM=xterm-256color "${envs[@]}" "$plex" "$@"
        printf '; echo EXIT=$?; sleep 600\n'
    } >"$tmp/$s.sh"
    tm new-session -d -s "$s" -x "$cols" -y "$rows" "bash $tmp/$s.sh"
}

# ---- 1. the screen, the countdown, Ctrl-C ----
run_session s1 100 60 -- --base-url "$url_manual" --config-dir "$tmp/c1" login
if wait_for s1 'Waiting for approval: 1[45]:[0-9]{2} left \(Ctrl-C to cancel\)'; then
    scr=$(screen s1)
    code=$(echo "$scr" | sed -n 's/^  Code: \([A-Z0-9]\{4\}\).*/\1/p')
    [ -n "$code" ] && ok || bad "s1: no 'Code: XXXX' line"
    echo "$scr" | grep -q "Sign in to Plex: open this page and approve the code:" && ok || bad "s1: no title"
    echo "$scr" | grep -q "^    https://plex.tv/link/?pin=$code\$" && ok || bad "s1: no link URL for $code"
    [ "$(echo "$scr" | grep -c '██')" -ge 5 ] && ok || bad "s1: the code is not drawn large"
    echo "$scr" | grep -q '▀' && echo "$scr" | grep -q '▄' && ok || bad "s1: no QR code in half blocks"
    [ "$(echo "$scr" | grep -c '[▀▄█]')" -ge 12 ] && ok || bad "s1: the QR code is too small"
    echo "$scr" | grep -q "scan the QR code" && ok || bad "s1: no QR hint"
    # colors: black on white for the QR code
    tm capture-pane -e -p -t s1 | grep -q $'\e\\[[0-9;]*30[;m]' && ok || bad "s1: no colors without NO_COLOR"
    a=$(left_seconds s1)
    sleep 2.3
    b=$(left_seconds s1)
    if [ -n "$a" ] && [ -n "$b" ] && [ $((a - b)) -ge 2 ] && [ $((a - b)) -le 3 ]; then ok; else
        bad "s1: the countdown went from '$a' to '$b' in 2.3 s"; fi
    [ "$(count s1 'Waiting for approval')" = 1 ] && ok || bad "s1: the status line is not replaced in place"
    tm send-keys -t s1 C-c
    if wait_for s1 '^EXIT=' 3; then
        screen s1 | grep -q '^EXIT=130$' && ok || bad "s1: Ctrl-C: $(screen s1 | grep '^EXIT=')"
        [ "$(count s1 'Waiting for approval')" = 0 ] && ok || bad "s1: the status line stays after Ctrl-C"
        [ "$(count s1 '^plex:')" = 0 ] && ok || bad "s1: Ctrl-C printed a message"
    fi
    [ ! -e "$tmp/c1/token" ] && ok || bad "s1: Ctrl-C saved a token"
fi

# ---- 2. approval from another signed-in device (plex link), NO_COLOR ----
run_session s2 100 60 NO_COLOR=1 -- --base-url "$url_manual" --config-dir "$tmp/c2" login
if wait_for s2 'Waiting for approval'; then
    code=$(screen s2 | sed -n 's/^  Code: \([A-Z0-9]\{4\}\).*/\1/p')
    tm capture-pane -e -p -t s2 | grep -q $'\e\\[[0-9;]*(30|107)[;m]' && bad "s2: colors with NO_COLOR" || ok
    screen s2 | grep -q '▀' && ok || bad "s2: no QR code with NO_COLOR"
    PLEX_TOKEN=$simtok "$plex" --base-url "$url_manual" --config-dir "$tmp/c2link" link "$code" >/dev/null ||
        bad "s2: plex link $code failed"
    if wait_for s2 '^EXIT=' 5; then
        screen s2 | grep -q '^EXIT=0$' && ok || bad "s2: $(screen s2 | grep '^EXIT=')"
        screen s2 | grep -q '^  Approved\.$' && ok || bad "s2: no 'Approved.' status"
        screen s2 | grep -q "^Signed in as plexsim (plexsim@example.invalid)\. The token is saved in $tmp/c2/token\.$" &&
            ok || bad "s2: no 'Signed in as' line"
    fi
    [ -s "$tmp/c2/token" ] && ok || bad "s2: no token saved"
fi

# ---- 3. a re-issued code replaces the old one on screen; then it expires ----
run_session s3 100 60 -- --base-url "$url_short" --config-dir "$tmp/c3" login --reissue 1 --poll-interval 0.5
if wait_for s3 'Waiting for approval'; then
    first=$(screen s3 | sed -n 's/^  Code: \([A-Z0-9]\{4\}\).*/\1/p')
    if wait_for s3 'The previous code expired\. Here is a new one \(1\)\.' 8; then
        second=$(screen s3 | sed -n 's/^  Code: \([A-Z0-9]\{4\}\).*/\1/p')
        [ -n "$second" ] && [ "$second" != "$first" ] && ok || bad "s3: new code '$second' after '$first'"
        [ "$(count s3 '^  Code: ')" = 1 ] && ok || bad "s3: the old code is still on screen"
        [ "$(count s3 'Sign in to Plex')" = 1 ] && ok || bad "s3: the block was not replaced"
        screen s3 | grep -q "pin=$first" && bad "s3: the old URL is still on screen" || ok
    fi
    if wait_for s3 '^EXIT=' 8; then
        screen s3 | grep -q '^EXIT=75$' && ok || bad "s3: $(screen s3 | grep '^EXIT=')"
        screen s3 | grep -q '^plex: sign-in failed: the code expired before it was approved' && ok ||
            bad "s3: no expiry message"
    fi
fi

# ---- 4. a small terminal: no QR unless --qr; a strong code with --qr ----
run_session s4 80 24 -- --base-url "$url_manual" --config-dir "$tmp/c4" login
if wait_for s4 'Waiting for approval'; then
    screen s4 | grep -q 'Enlarge the terminal to see a QR code' && ok || bad "s4: no hint about the QR code"
    screen s4 | grep -q '▀' && bad "s4: a QR code that does not fit" || ok
    tm send-keys -t s4 C-c
    wait_for s4 '^EXIT=130$' 3 && ok
fi
run_session s5 200 80 -- --base-url "$url_manual" --config-dir "$tmp/c5" login --strong --qr
if wait_for s5 'Waiting for approval: (29|30):[0-9]{2} left'; then
    screen s5 | grep -q 'open this page in a browser and approve this device' && ok || bad "s5: strong title"
    screen s5 | grep -Eq '^    https://app\.plex\.tv/auth#\?clientID=.*&code=[a-z0-9]{25}&' && ok || bad "s5: no Auth App URL"
    screen s5 | grep -Eq '^  Code: [a-z0-9]{25}' && ok || bad "s5: no strong code"
    screen s5 | grep -q '▀' && ok || bad "s5: no QR code"
    tm send-keys -t s5 C-c
    wait_for s5 '^EXIT=130$' 3 && ok
fi

# ---- 6. -v: trace lines above the status line, a re-issue still replaces the block ----
run_session s6 100 80 -- -v --base-url "$url_short" --config-dir "$tmp/c6" login --reissue 1 --no-qr --poll-interval 0.5
if wait_for s6 'The previous code expired' 8; then
    [ "$(count s6 '^  Code: ')" = 1 ] && ok || bad "s6: more than one code on screen"
    [ "$(count s6 'Sign in to Plex')" = 1 ] && ok || bad "s6: the block was not replaced"
    screen s6 | grep -q '^plex: \[debug\] POST /api/v2/pins -> 201' && ok || bad "s6: no trace"
    code=$(screen s6 | sed -n 's/^  Code: \([A-Z0-9]\{4\}\).*/\1/p')
    screen s6 | grep '^plex: \[debug\]' | grep -q "$code" && bad "s6: the code is in the trace" || ok
    [ "$(count s6 'Waiting for approval')" = 1 ] && ok || bad "s6: the status line is not alone"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

#!/bin/sh
# `make demo`: install what is missing, build, start plexsim (the local
# plex.tv and media server emulator) on a free port of 127.0.0.1, and run the
# real `plex login` screen against it in a temporary config directory;
# plexsim approves the code by itself after a few seconds. Then `plex whoami`,
# and a walk through the emulated media server (the account's only server,
# found through its resources as a real one is): `plex libraries`,
# `plex ls Movies --limit 5`, `plex show` of the first of them, and the
# download of an episode with its progress bar.
#
# Environment: BUILD (build directory, default build), JOBS, PLEX_WERROR,
# CMAKE_FLAGS (as for `make build`), DEMO_APPROVE_AFTER (polls before the
# approval, default 8: about 8 seconds).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
PLEX_WERROR=${PLEX_WERROR:-OFF}
CMAKE_FLAGS=${CMAKE_FLAGS:-}
approve_after=${DEMO_APPROVE_AFTER:-8}

# a clean build log under `make demo` (no "Entering directory" lines)
unset MAKEFLAGS MFLAGS MAKELEVEL

scripts/install-deps.sh build
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    # shellcheck disable=SC2086
    cmake -S . -B "$BUILD" -DPLEX_WERROR="$PLEX_WERROR" $CMAKE_FLAGS
fi
cmake --build "$BUILD" -j "$JOBS" --target plex_cli plexsim

plex=$BUILD/src/cli/plex
plexsim=$BUILD/src/sim/plexsim
tmp=$(mktemp -d)
sim_pid=
cleanup() {
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$plexsim" --port 0 --approve-after "$approve_after" --max-seconds 600 --quiet \
    >"$tmp/plexsim.out" 2>"$tmp/plexsim.err" &
sim_pid=$!
url=
pms=
for _ in $(seq 100); do
    url=$(sed -n 's/^LISTENING //p' "$tmp/plexsim.out" | head -n 1)
    pms=$(sed -n 's/^PMS //p' "$tmp/plexsim.out" | head -n 1)
    [ -n "$url" ] && [ -n "$pms" ] && break # (both: the lines may come between the reads)
    sleep 0.05
done
if [ -z "$url" ]; then
    echo "demo: plexsim did not start:" >&2
    cat "$tmp/plexsim.err" >&2
    exit 1
fi

cat <<MSG

== plex login, against plexsim at $url ==
plexsim stands in for plex.tv: it approves the code by itself after $approve_after checks
(about $approve_after seconds), as if you had typed it at plex.tv/link. Ctrl-C cancels.
The sign-in is kept in a temporary directory: $tmp/config
MSG

"$plex" --base-url "$url" --config-dir "$tmp/config" login

cat <<MSG

== plex whoami (the saved token, checked against the same server) ==
MSG
"$plex" --config-dir "$tmp/config" whoami

if [ -n "$pms" ]; then
    # the item keys of the walk, from plex's own --json output
    key_of() { sed -n '1s/.*"ratingKey":"\([^"]*\)".*/\1/p'; }
    run() {
        printf '\n== plex %s ==\n' "$*"
        "$plex" --config-dir "$tmp/config" "$@"
    }
    run libraries
    run ls Movies --limit 5
    movie=$("$plex" --config-dir "$tmp/config" --json ls Movies --limit 1 | key_of)
    run show "$movie"
    episode=$("$plex" --config-dir "$tmp/config" --json ls "TV Shows" --type episode --limit 1 |
        key_of)
    mkdir "$tmp/downloads"
    run download "$episode" -o "$tmp/downloads"
fi

cat <<MSG

Done: plexsim is stopped, the temporary sign-in and the download removed.
To sign in for real and browse your own server:
  $plex login
  $plex libraries
MSG

# shellcheck shell=sh disable=SC2154 # build, polls, work: set by the caller
# bench/lib.sh: shell functions shared by the bench/*.sh scripts,
# which source it (not a program of its own) once they have set build (the
# BUILD_DIR argument). Sourcing it sets
#   sim      plexsim: PLEXSIM, or BUILD_DIR/src/sim/plexsim
#   measure  BUILD_DIR/bench/bench_measure
# The functions also read the caller's polls (plexsim's --approve-after) and
# work (the temporary directory); sim_start sets simpid and url (the base URL
# of the running plexsim).

sim=${PLEXSIM:-$build/src/sim/plexsim}
measure=$build/bench/bench_measure

# need_built PROGRAM...: exit 2 unless each PROGRAM (a bench program of
# BUILD_DIR) is there.
need_built() {
    for b in "$@"; do
        if [ ! -x "$b" ]; then
            echo "$0: $b not found; configure with -DPLEX_BUILD_BENCHMARKS=ON" >&2
            exit 2
        fi
    done
}

# need_programs PROGRAM...: need_built, and plexsim ($sim) and curl(1) (for
# plexsim's control endpoints) must be there too.
need_programs() {
    need_built "$@"
    if [ ! -x "$sim" ]; then
        echo "$0: plexsim not found at $sim (PLEX_BUILD_SIM=ON, or set PLEXSIM)" >&2
        exit 2
    fi
    if ! command -v curl >/dev/null 2>&1; then
        echo "$0: curl(1) not found (scripts/install-deps.sh bench)" >&2
        exit 2
    fi
}

# The EXIT trap: stops plexsim (if started) and removes $work.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$simpid" ]; then
        kill "$simpid" 2>/dev/null || true
        wait "$simpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}

# sim_start MAX_SECONDS: plexsim on 127.0.0.1, a free port, --approve-after
# $polls; waits (up to 10 s) for its LISTENING line. Exit 1 when it does not
# start.
sim_start() {
    "$sim" --port 0 --approve-after "$polls" --quiet --max-seconds "$1" >"$work/sim.out" &
    simpid=$!
    url=""
    i=0
    while [ $i -lt 100 ]; do
        url=$(sed -n '1s/^LISTENING //p' "$work/sim.out")
        [ -n "$url" ] && break
        kill -0 "$simpid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    case "$url" in
    http://127.0.0.1:*) ;;
    *) echo "$0: plexsim did not start (got '$url')" >&2; exit 1 ;;
    esac
}

ctl() { # METHOD PATH
    curl -sS --fail -X "$1" -H 'X-Plex-Client-Identifier: libplex-bench-control' "$url$2"
}
sim_stat() { # NAME: the integer after "NAME": in the stats JSON of $work/stats
    sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$work/stats"
}

# measure_signin WHAT FILE COMMAND...: one sign-in: reset plexsim, run
# COMMAND URL under bench_measure, then plexsim's counts. Appends
# "wall_us rss_kib requests connections" to FILE; exit 1 ("WHAT failed")
# when the sign-in fails.
measure_signin() {
    what=$1
    file=$2
    shift 2
    ctl POST /__sim/reset >/dev/null
    if ! "$measure" "$@" "$url" >"$work/out" 2>"$work/err"; then
        echo "$0: $what failed:" >&2
        cat "$work/out" "$work/err" >&2
        exit 1
    fi
    ctl GET /__sim/stats >"$work/stats"
    creates=$(sim_stat 'POST \/api\/v2\/pins')
    checks=$(sim_stat 'GET \/api\/v2\/pins\/{id}')
    conns=$(sim_stat connections)
    # the stats request itself came on one more connection
    awk -v c="$creates" -v k="$checks" -v n="$conns" \
        '/^wall_us/ {print $2, $4, c + k, n - 1}' "$work/out" >>"$file"
}

#!/bin/sh
# bench/signin.sh BUILD_DIR          (called by bench/run.sh, so by make bench)
#
# One whole sign-in against plexsim (issue 4): plexsim on 127.0.0.1, port 0,
# --approve-after 3 (the PIN is approved on its 3rd poll), poll interval 0.
#   libplex    BUILD_DIR/bench/bench_signin: the shared libplex, plex_client_new
#              + plex_login_wait, as a user program would do it;
#   bare curl  BUILD_DIR/bench/bare_curl_signin: only libcurl, one reused easy
#              handle, the same requests: the floor.
# Each program runs SIGNIN_RUNS times (default 20), alternating, with a
# /__sim/reset before each run. Columns:
#   wall ms       median, fork to exit (bench_measure, CLOCK_MONOTONIC);
#   peak RSS KiB  median of each run's peak (getrusage, as /usr/bin/time %M);
#   requests      sign-in requests plexsim served (POST /api/v2/pins +
#                 GET /api/v2/pins/{id}), worst run;
#   conns         TCP connections plexsim accepted, worst run;
#   instructions  callgrind total Ir of one run (whole process: loader,
#                 library init, the sign-in, exit), if valgrind is installed.
# Targets (libplex): 1 connection, 1 + 3 requests, peak RSS at most 2 MiB over
# bare curl. Exit status 3 when one is missed, 1 on errors, 2 usage.
#
# Needs curl(1) for plexsim's control endpoints (scripts/install-deps.sh bench).
# PLEXSIM=path selects another plexsim than BUILD_DIR/src/sim/plexsim.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$1
runs=${SIGNIN_RUNS:-20}
polls=3
plex=$build/bench/bench_signin
bare=$build/bench/bare_curl_signin
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"
need_programs "$measure" "$plex" "$bare"

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-signin.XXXXXX")
simpid=""
trap cleanup EXIT
trap 'exit 1' INT TERM

sim_start 900

# One run of PROG: reset, run under bench_measure, then the server's view.
# Appends "wall_us rss_kib requests connections" to $work/NAME.runs.
one_run() { # NAME PROG
    measure_signin "$1" "$work/$1.runs" "$2"
}

: >"$work/plex.runs"
: >"$work/bare.runs"
i=0
while [ $i -lt "$runs" ]; do
    if [ $((i % 2)) -eq 0 ]; then
        one_run plex "$plex"
        one_run bare "$bare"
    else
        one_run bare "$bare"
        one_run plex "$plex"
    fi
    i=$((i + 1))
done

# callgrind: one run of each, total instructions
cg() { # NAME PROG
    if ! command -v valgrind >/dev/null 2>&1; then
        echo -1
        return
    fi
    ctl POST /__sim/reset >/dev/null
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$1" "$2" "$url" \
        >"$work/cg.log" 2>&1 || { cat "$work/cg.log" >&2; exit 1; }
    awk '/^(summary|totals):/ {print $2; exit}' "$work/callgrind.$1"
}
plex_ir=$(cg plex "$plex")
bare_ir=$(cg bare "$bare")

median() { # COLUMN FILE
    awk -v c="$1" '{print $c}' "$2" | sort -n |
        awk '{v[NR] = $1} END {m = int((NR + 1) / 2); print (NR % 2) ? v[m] : int((v[m] + v[m + 1]) / 2)}'
}
worst() { # COLUMN FILE
    awk -v c="$1" 'NR == 1 || $c > m {m = $c} END {print m}' "$2"
}
pw=$(median 1 "$work/plex.runs")
bw=$(median 1 "$work/bare.runs")
pr=$(median 2 "$work/plex.runs")
br=$(median 2 "$work/bare.runs")
preq=$(worst 3 "$work/plex.runs")
breq=$(worst 3 "$work/bare.runs")
pc=$(worst 4 "$work/plex.runs")
bc=$(worst 4 "$work/bare.runs")

echo
echo "Whole sign-in against plexsim (127.0.0.1, --approve-after $polls, poll interval 0):"
echo "$runs runs of each program, alternating; wall and peak RSS are medians, requests and"
echo "connections the worst run (counted by plexsim), instructions one run under callgrind."
awk -v pw="$pw" -v bw="$bw" -v pr="$pr" -v br="$br" -v preq="$preq" -v breq="$breq" \
    -v pc="$pc" -v bc="$bc" -v pi="$plex_ir" -v bi="$bare_ir" 'BEGIN {
    fmt = "%-18s %9s %13s %9s %6s %14s\n"
    printf fmt, "program", "wall ms", "peak RSS KiB", "requests", "conns", "instructions"
    printf fmt, "libplex", sprintf("%.2f", pw / 1000), pr, preq, pc, pi < 0 ? "n/a" : pi
    printf fmt, "bare libcurl", sprintf("%.2f", bw / 1000), br, breq, bc, bi < 0 ? "n/a" : bi
    printf fmt, "libplex / bare", sprintf("x%.2f", bw > 0 ? pw / bw : 0),
        sprintf("%+d", pr - br), sprintf("%+d", preq - breq), sprintf("%+d", pc - bc),
        (pi < 0 || bi <= 0) ? "n/a" : sprintf("x%.2f %+d", pi / bi, pi - bi)
}'

# Where the instructions go: self cost by shared object, both programs side
# by side, read straight from the callgrind files (ob= / cob= names, cost
# lines; the inclusive cost line after each calls= line is skipped).
by_object() { # CALLGRIND-FILE -> "object Ir" lines
    awk '/^c?ob=/ { s = $0; sub(/^c?ob=/, "", s); id = s
                    if (match(s, /^\([0-9]+\)/)) {
                        id = substr(s, 1, RLENGTH)
                        if (length(s) > RLENGTH) name[id] = substr(s, RLENGTH + 2)
                    }
                    if ($0 ~ /^ob=/) cur = id
                    next }
         /^calls=/ { skip = 1; next }
         /^[0-9+*-]/ { if (skip) { skip = 0; next } sum[cur] += $2; next }
         END { for (o in sum) { n = (o in name) ? name[o] : o; sub(/.*\//, "", n)
                                printf "%s %d\n", n, sum[o] } }' "$1"
}
if [ -f "$work/callgrind.plex" ] && [ -f "$work/callgrind.bare" ]; then
    by_object "$work/callgrind.plex" >"$work/obj.plex"
    by_object "$work/callgrind.bare" >"$work/obj.bare"
    echo
    echo "Instructions by object (callgrind self cost, one sign-in each):"
    awk 'FNR == NR {p[$1] = $2; seen[$1] = 1; next} {b[$1] = $2; seen[$1] = 1}
         END {
             for (o in seen) { tp += p[o]; tb += b[o] }
             for (o in seen) {
                 k = o
                 if (o == "bench_signin" || o == "bare_curl_signin") k = "(the program)"
                 q[k] += p[o]; c[k] += b[o]
             }
             for (k in q) printf "%d %s %d %d\n", q[k] + c[k], k, q[k], c[k]
             printf "-1 total %d %d\n", tp, tb
         }' "$work/obj.plex" "$work/obj.bare" | sort -rn |
        awk 'BEGIN {printf "  %-28s %12s %12s %11s\n", "object", "libplex", "bare curl", "difference"}
             $1 >= 1000 || $1 == -1 {printf "  %-28s %12d %12d %+11d\n", $2, $3, $4, $3 - $4}'
fi

echo
fail=0
check() { # OK-EXPR TEXT
    if [ "$1" -eq 1 ]; then
        echo "  ok      $2"
    else
        echo "  MISSED  $2"
        fail=1
    fi
}
echo "Targets (issue 4):"
check "$([ "$pc" -eq 1 ] && echo 1 || echo 0)" "libplex connections = 1 (got $pc)"
check "$([ "$preq" -eq $((1 + polls)) ] && echo 1 || echo 0)" \
    "libplex requests = 1 + $polls polls (got $preq)"
check "$([ $((pr - br)) -le 2048 ] && echo 1 || echo 0)" \
    "libplex peak RSS <= bare libcurl + 2048 KiB (got $((pr - br)) KiB over)"
[ $fail -eq 0 ] || exit 3
exit 0

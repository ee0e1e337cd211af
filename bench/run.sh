#!/bin/sh
# bench/run.sh BUILD_DIR [bench_decode options...]          (make bench)
#
# Prints one table: ns per decode of tests/fixtures/pin/seed.json by libplex
# and by the DOM parsers of cJSON, json-c, jansson and YAJL (median of
# round-robin rounds, see bench/bench_decode.c), plus
#   instr/decode   from callgrind: CALLGRIND_N decodes (default 1000) per
#                  library, counted only inside bench_callgrind_loop
#                  (repeatable, unlike the timings);
#   allocs/decode  malloc+calloc+realloc calls per decode (bench_decode_allocs).
# Then the top functions of libplex's decode by instructions (callgrind_annotate).
# The targets of issue 13 (within 2x of simdjson, >= 3x faster than cJSON,
# one allocation) are printed with PASS/FAIL.
# Then bench/listing.sh BUILD_DIR: issue 15's decode of a 1,000, 10,000 and
# 50,000-movie listing by libplex into typed items next to simdjson and cJSON
# (items/s, MB/s, instructions and heap bytes per item; LISTING_SIZES to
# change the sizes).
# Then bench/ls.sh BUILD_DIR: a whole `plex --json ls` of 1,000 / 10,000 /
# 50,000 movies against plexsim, next to libcurl + simdjson / cJSON programs,
# Node and plexjs 0.43 (issue 15's targets), and a one-item metadata fetch.
# Then bench/signin.sh BUILD_DIR: a whole sign-in against plexsim, libplex
# next to a bare libcurl program (issue 4).
# Then bench/sdk.sh BUILD_DIR: one table of libplex against @lukehagar/plexjs
# 0.39.0 on the same work (decode, start to first request, a whole sign-in;
# issue 7). It installs plexjs from the npm registry into bench/plexjs/ the
# first time, and leaves the plexjs column out when node or npm is missing.
# Then bench/startup.sh BUILD_DIR: process start to first request, layer by
# layer (libc only, OpenSSL, libcurl loaded, curl_global_init, libplex).
# Exit status 3 when libplex misses a target of issue 13, 15, 4 or 7; another
# non-zero status when a benchmark could not run.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [bench_decode options...]" >&2
    exit 2
fi
build=$1
shift
bin=$build/bench/bench_decode
allocs_bin=$build/bench/bench_decode_allocs
n=${CALLGRIND_N:-1000}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_built "$bin" "$allocs_bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# allocations per decode, every library
"$allocs_bin" --allocs >"$work/allocs"

# instructions per decode, every library (needs valgrind)
: >"$work/extra"
if command -v valgrind >/dev/null 2>&1; then
    for id in $("$bin" --list); do
        out=$work/callgrind.$id
        valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect=bench_callgrind_loop "$bin" --callgrind "$id" "$n" \
            >"$work/cg.log" 2>&1 || { cat "$work/cg.log" >&2; exit 1; }
        total=$(awk '/^(summary|totals):/ {print $2; exit}' "$out")
        allocs=$(awk -v id="$id" '$1 == id {print $2}' "$work/allocs")
        echo "$id $(awk -v t="$total" -v n="$n" 'BEGIN {printf "%.0f", t / n}') ${allocs:--1}" \
            >>"$work/extra"
    done
else
    echo "(valgrind not found: no instruction counts)"
    awk '{print $1, -1, $2}' "$work/allocs" >"$work/extra"
fi

# the timing table (it reads the two columns above)
rc=0
"$bin" --extra "$work/extra" "$@" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc

if [ -f "$work/callgrind.libplex" ] && command -v callgrind_annotate >/dev/null 2>&1; then
    echo
    echo "Where libplex's instructions go ($n decodes, self cost per function, callgrind):"
    callgrind_annotate --threshold=99 "$work/callgrind.libplex" 2>/dev/null |
        awk '/^-+$/ {sep++; next} sep >= 3 && NF >= 2 && $1 ~ /[0-9]/ {print "  " $0}' |
        head -12
fi

# the listing (issue 15)
lrc=0
sh "$(dirname "$0")/listing.sh" "$build" || lrc=$?
if [ $lrc -ne 0 ] && [ $lrc -ne 3 ]; then
    exit $lrc
fi
[ $rc -ne 0 ] || rc=$lrc

# a whole listing process against plexsim's media server (issues 15, 19)
lsrc=0
sh "$(dirname "$0")/ls.sh" "$build" || lsrc=$?
if [ $lsrc -ne 0 ] && [ $lsrc -ne 3 ]; then
    exit $lsrc
fi
[ $rc -ne 0 ] || rc=$lsrc

# a whole sign-in against plexsim (issue 4)
src=0
sh "$(dirname "$0")/signin.sh" "$build" || src=$?
if [ $src -ne 0 ] && [ $src -ne 3 ]; then
    exit $src
fi
[ $rc -ne 0 ] || rc=$src

# libplex against plexjs (issue 7)
jrc=0
sh "$(dirname "$0")/sdk.sh" "$build" || jrc=$?
if [ $jrc -ne 0 ] && [ $jrc -ne 3 ]; then
    exit $jrc
fi
[ $rc -ne 0 ] || rc=$jrc

# what process start to first request is made of (issue 7)
sh "$(dirname "$0")/startup.sh" "$build"
exit $rc

#!/bin/sh
# bench/listing.sh BUILD_DIR [bench_listing options...]   (called by bench/run.sh)
#
# Issue 15's decode table: a /library/sections/1/all JSON listing of 1,000,
# 10,000 and 50,000 movies (made by bench/listing_gen.c with the library's own
# model writer, about 5 KB per movie, heavy on tags) decoded in one process
# by libplex into typed items (plex__stream item by item, as plex_listing
# does, and plex_container_parse of the whole document), next to simdjson's
# DOM parse and cJSON's parse + a walk of every value, round-robin
# (bench/bench_listing.c). Columns added here:
#   instr/item    callgrind instructions per item, on the 1,000-item listing
#                 (only there: callgrind is slow); glibc's memcpy moves large
#                 blocks with `rep movsb`, which callgrind counts per byte
#   heap B/item   peak heap bytes of one decode (above what was live before;
#                 simdjson's parser made anew so that its growth counts) per
#                 item, from bench_listing_heap (a malloc that tracks live
#                 bytes)
# Then where libplex's instructions go on the listing (callgrind_annotate).
# LISTING_SIZES=1000,10000 (say) for a shorter run; `--file F` (passed on
# to bench_listing) times another listing instead, e.g. one fetched from
# plexsim's media server (plexsim --library-size N, GET
# /library/sections/1/all with Accept: application/json), without the two
# added columns. Exit status 3 when a target is missed (checked on the
# largest listing), another non-zero status when the benchmark could not run.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [bench_listing options...]" >&2
    exit 2
fi
build=$1
shift
bin=$build/bench/bench_listing
heap_bin=$build/bench/bench_listing_heap
sizes=${LISTING_SIZES:-1000,10000,50000}
cg_items=1000
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_built "$bin" "$heap_bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-listing.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo
echo "Listing decode (issue 15):"

# heap bytes per item, every decoder, every size: "<id> <items> <peak bytes>"
: >"$work/heap"
for n in $(echo "$sizes" | tr ',' ' '); do
    "$heap_bin" --heap "$n" >>"$work/heap" || { echo "$0: bench_listing_heap failed" >&2; exit 1; }
done

# instructions per item on the 1,000-item listing: "<id> <instructions/item>"
: >"$work/ir"
if command -v valgrind >/dev/null 2>&1; then
    for id in $("$bin" --list); do
        out=$work/callgrind.$id
        valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect=bench_callgrind_loop "$bin" --callgrind "$id" "$cg_items" \
            >"$work/cg.log" 2>&1 || { cat "$work/cg.log" >&2; exit 1; }
        awk -v id="$id" -v n="$cg_items" '/^(summary|totals):/ {printf "%s %.0f\n", id, $2 / n; exit}' \
            "$out" >>"$work/ir"
    done
else
    echo "(valgrind not found: no instruction counts)"
fi

# the extra columns: "<id> <items> <instr/item> <heap bytes/item>"
awk 'NR == FNR {ir[$1] = $2; next}
     {printf "%s %s %s %.0f\n", $1, $2, ($2 == n && ($1 in ir)) ? ir[$1] : -1, $3 / $2}' \
    n="$cg_items" "$work/ir" "$work/heap" >"$work/extra"

rc=0
"$bin" --sizes "$sizes" --extra "$work/extra" "$@" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc

for id in stream parse; do
    if [ -f "$work/callgrind.$id" ] && command -v callgrind_annotate >/dev/null 2>&1; then
        echo
        echo "Where libplex's instructions go ($id, the $cg_items-item listing, self cost, callgrind):"
        callgrind_annotate --threshold=99 "$work/callgrind.$id" 2>/dev/null |
            awk '/^-+$/ {sep++; next} sep >= 3 && NF >= 2 && $1 ~ /[0-9]/ {print "  " $0}' |
            head -10
    fi
done
exit $rc

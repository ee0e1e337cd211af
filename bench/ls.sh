#!/bin/sh
# bench/ls.sh BUILD_DIR: a whole listing process against plexsim's media
# server (issue 15 "Speed and memory", issue 19 "Speed, side by side"), for
# 1,000 / 10,000 / 50,000 movies (LS_SIZES), each row the median of LS_RUNS
# (default 3) runs, all in one run of this script:
#   plex --json ls 1         the CLI, pages of 500, every item printed (to /dev/null)
#   ref simdjson / cJSON     bench/ref_listing: one libcurl GET of the whole
#                            listing, the library's DOM parse and a walk
#   node fetch+JSON.parse    a plain Node program, the same single GET
#   plexjs 0.43              @lukehagar/plexjs 0.43's content.listContent
#   curl -o /dev/null        the transfer alone (the floor)
# Columns: wall and CPU seconds, peak RSS, requests plexsim saw. Then a
# metadata fetch of one item with its streams: `plex --json show`, against curl.
# The targets (issue 15, at 50,000): plex no more than 1.5x the simdjson
# reference's wall time, at least 5x faster than plexjs, peak RSS at most
# 24 MiB and not growing with the section. Node rows need node and npm (the
# first run installs plexjs 0.43 into bench/plexjs43/node_modules); they are
# left out without them. Exit 3 when a target is missed.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$1
here=$(cd "$(dirname "$0")" && pwd)
polls=2
simpid=""
work=$(mktemp -d "${TMPDIR:-/tmp}/plex-ls.XXXXXX")
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"
trap cleanup EXIT INT TERM

plex=$build/src/cli/plex
ref=$build/bench/ref_listing
need_programs "$plex" "$ref"
[ -x /usr/bin/time ] || { echo "$0: /usr/bin/time not found (Debian package time)" >&2; exit 2; }
sizes=${LS_SIZES:-1000 10000 50000}
runs=${LS_RUNS:-3}
token=plexsim-user-token-0001

node_ok=0
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ -d "$here/plexjs43/node_modules/@lukehagar/plexjs" ] ||
        (cd "$here/plexjs43" && npm install --no-audit --no-fund --silent >/dev/null 2>&1); then
        node_ok=1
    fi
fi
[ "$node_ok" = 1 ] || echo "(node or npm missing, or plexjs 0.43 could not be installed: no JavaScript rows)"

# requests plexsim counted so far on its routes (its control routes aside)
requests() {
    curl -s "$url/__sim/stats" | tr ',' '\n' | grep -v '/__sim/' |
        sed -n 's/.*"[A-Z]* \/[^"]*":\([0-9][0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

# one NAME CMD...: run CMD LS_RUNS times; append "NAME wall cpu rss_kib requests"
# (medians of wall and CPU, the largest RSS, requests of one run) to $work/rows.
one() {
    name=$1
    shift
    : >"$work/one"
    i=0
    while [ "$i" -lt "$runs" ]; do
        before=$(requests)
        if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
            echo "$0: $name failed:" >&2
            cat "$work/err" >&2
            return 1
        fi
        after=$(requests)
        awk -v r=$((after - before)) '{printf "%s %.2f %s %s\n", $1, $2 + $3, $4, r}' \
            "$work/time" >>"$work/one"
        i=$((i + 1))
    done
    sort -n "$work/one" | awk -v name="$name" '
        {w[NR] = $1; c[NR] = $2; if ($3 > m) m = $3; r = $4}
        END {printf "%s %s %s %s %s\n", name, w[int((NR + 1) / 2)], c[int((NR + 1) / 2)], m, r}' \
        >>"$work/rows"
}

rc=0
for n in $sizes; do
    : >"$work/sim.out" # (there before the background job opens it)
    "$sim" --port 0 --quiet --library-size "$n" --max-seconds 900 >>"$work/sim.out" &
    simpid=$!
    i=0
    while [ $i -lt 100 ] && [ "$(wc -l <"$work/sim.out")" -lt 2 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    url=$(sed -n '1s/^LISTENING //p' "$work/sim.out")
    pms=$(sed -n '2s/^PMS //p' "$work/sim.out")
    [ -n "$pms" ] || { echo "$0: plexsim did not start" >&2; exit 1; }
    all="$pms/library/sections/1/all"
    # the first answer of a sort is computed once and kept: not part of any row
    curl -s -H "Accept: application/json" -H "X-Plex-Token: $token" "$all" -o /dev/null
    : >"$work/rows"
    export PLEX_TOKEN=$token
    one "plex --json ls 1" "$plex" --json --server "$pms" ls 1
    one "ref: curl + simdjson" "$ref" simdjson "$all" "$token" || true
    one "ref: curl + cJSON" "$ref" cjson "$all" "$token"
    if [ "$node_ok" = 1 ]; then
        one "node fetch + JSON.parse" node "$here/plexjs43/listing.mjs" "$pms" "$token" fetch
        one "plexjs 0.43 listContent" node "$here/plexjs43/listing.mjs" "$pms" "$token" sdk
    fi
    one "curl -o /dev/null" curl -s -H "Accept: application/json" -H "X-Plex-Token: $token" \
        "$all" -o /dev/null
    # one item with its Media, Part and Streams
    key=$(curl -s -H "Accept: application/json" -H "X-Plex-Token: $token" \
        -H "X-Plex-Container-Start: 0" -H "X-Plex-Container-Size: 1" "$all" |
        sed -n 's/.*"ratingKey":"\([0-9]*\)".*/\1/p' | head -n 1)
    one "plex --json show (1 item)" "$plex" --json --server "$pms" show "$key"
    one "curl of the same item" curl -s -H "Accept: application/json" \
        -H "X-Plex-Token: $token" "$pms/library/metadata/$key" -o /dev/null
    kill "$simpid" 2>/dev/null || true
    wait "$simpid" 2>/dev/null || true
    simpid=""

    echo
    echo "A whole listing of $n movies from plexsim (median of $runs runs)"
    awk '{
        # the name is everything before the last four fields
        nf = NF; name = $1; for (i = 2; i <= nf - 4; i++) name = name " " $i
        printf "  %-30s %7.2f s wall %6.2f s CPU %8.1f MiB peak RSS %6d requests\n",
            name, $(nf - 3), $(nf - 2), $(nf - 1) / 1024, $nf
    }' "$work/rows"
    awk -v n="$n" '{nf = NF; name = $1; for (i = 2; i <= nf - 4; i++) name = name " " $i
        print n "\t" name "\t" $(nf - 3) "\t" $(nf - 1)}' "$work/rows" >>"$work/all"
done

# the targets, on the largest size
big=$(echo "$sizes" | tr ' ' '\n' | sort -n | tail -n 1)
small=$(echo "$sizes" | tr ' ' '\n' | sort -n | head -n 1)
get() { awk -F'\t' -v n="$1" -v name="$2" -v col="$3" '$1 == n && $2 == name {print $col}' "$work/all"; }
plex_wall=$(get "$big" "plex --json ls 1" 3)
plex_rss=$(get "$big" "plex --json ls 1" 4)
plex_rss_small=$(get "$small" "plex --json ls 1" 4)
ref_wall=$(get "$big" "ref: curl + simdjson" 3)
pjs_wall=$(get "$big" "plexjs 0.43 listContent" 3)
echo
echo "Targets (issue 15, $big movies):"
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; rc=3; fi; }
if [ -n "$ref_wall" ]; then
    ok=$(awk -v p="$plex_wall" -v r="$ref_wall" 'BEGIN {print (p <= 1.5 * r) ? 1 : 0}')
    printf "  plex <= 1.5x the curl + simdjson reference:  %.2fx  %s\n" \
        "$(awk -v p="$plex_wall" -v r="$ref_wall" 'BEGIN {print p / r}')" "$(verdict "$ok")"
else
    echo "  plex <= 1.5x the curl + simdjson reference:  (no simdjson: not measured)"
fi
if [ -n "$pjs_wall" ]; then
    ok=$(awk -v p="$plex_wall" -v j="$pjs_wall" 'BEGIN {print (j >= 5 * p) ? 1 : 0}')
    printf "  plex >= 5x faster than plexjs 0.43:         %.1fx  %s\n" \
        "$(awk -v p="$plex_wall" -v j="$pjs_wall" 'BEGIN {print j / p}')" "$(verdict "$ok")"
fi
ok=$(awk -v m="$plex_rss" 'BEGIN {print (m <= 24 * 1024) ? 1 : 0}')
printf "  plex peak RSS <= 24 MiB:                      %.1f MiB  %s\n" \
    "$(awk -v m="$plex_rss" 'BEGIN {print m / 1024}')" "$(verdict "$ok")"
ok=$(awk -v a="$plex_rss_small" -v b="$plex_rss" 'BEGIN {print (b <= a + 4096) ? 1 : 0}')
printf "  plex peak RSS does not grow (%s -> %s items): %.1f -> %.1f MiB  %s\n" "$small" "$big" \
    "$(awk -v m="$plex_rss_small" 'BEGIN {print m / 1024}')" \
    "$(awk -v m="$plex_rss" 'BEGIN {print m / 1024}')" "$(verdict "$ok")"
exit "$rc"

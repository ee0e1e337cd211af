#!/usr/bin/env bash
# Run every libFuzzer target for a while and fold what it learnt back into
# fuzz/corpus/.
#
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (make fuzz FUZZ_SECONDS=N)
#
# BUILD_DIR is a clang build with -DPLEX_BUILD_FUZZERS=ON (make fuzz makes
# build-fuzz). Without TARGETs, every fuzz_<name> binary in BUILD_DIR/fuzz
# runs (that is, every name in PLEX_FUZZ_TARGETS of fuzz/CMakeLists.txt).
# Each target fuzz_<name> runs for SECONDS with -max_len=65536 on
# a scratch copy of fuzz/corpus/<name>/ (plus fuzz/<name>.dict when present).
# Afterwards a merge (-set_cover_merge=1 -use_counters=0) recomputes the
# fuzzer-made part of fuzz/corpus/<name>/ (files named by their SHA-1) as a
# small set of inputs reaching the edges the hand-written seeds miss, so the
# corpus stays small. A crash, leak or timeout is
# copied into fuzz/corpus/<name>/ under libFuzzer's name (crash-<sha1>, ...),
# which makes the ctest replay fail until it is fixed, and is printed here.
#
# FUZZ_JOBS=N runs N targets at once (default: 1; this machine has 2 cores).
# Exit status: 0 when no target found anything, 1 otherwise, 2 on usage errors.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
    exit 2
fi
build=$1
secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
case $secs in *[!0-9]* | '') echo "$0: SECONDS must be a whole number" >&2; exit 2 ;; esac

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in "$build"/fuzz/fuzz_*; do
        [ -f "$f" ] && [ -x "$f" ] && targets+=("${f##*/fuzz_}")
    done
    if [ ${#targets[@]} -eq 0 ]; then
        echo "$0: no fuzz_* binaries in $build/fuzz; configure with CC=clang -DPLEX_BUILD_FUZZERS=ON" >&2
        exit 2
    fi
fi
jobs=${FUZZ_JOBS:-1}

for t in "${targets[@]}"; do
    if [ ! -x "$build/fuzz/fuzz_$t" ]; then
        echo "$0: $build/fuzz/fuzz_$t not found; configure with CC=clang -DPLEX_BUILD_FUZZERS=ON" >&2
        exit 2
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

run_one() {
    local t=$1 bin corpus dir dict=()
    bin=$(cd "$build/fuzz" && pwd)/fuzz_$t
    corpus=$here/corpus/$t
    dir=$work/$t
    mkdir -p "$dir/scratch" "$dir/artifacts" "$corpus"
    cp -R "$corpus"/. "$dir/scratch/"
    [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
    ls "$corpus" | wc -l > "$dir/before"
    local start end
    start=$(date +%s)
    # -timeout: a single input taking 10 s is a finding, not a slow machine
    "$bin" -max_len=65536 -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" "${dict[@]}" "$dir/scratch" >"$dir/fuzz.log" 2>&1 || true
    end=$(date +%s)
    echo $((end - start)) > "$dir/elapsed"
    # Keep the corpus small: the hand-written seeds (and any crash-*/leak-*/
    # timeout-* regression files) stay; the fuzzer-made files (named by their
    # SHA-1) are recomputed as a small set of inputs, old and new, that
    # reaches every edge the seeds miss (greedy set cover over edge coverage:
    # hit counts are ignored, which keeps the corpus at tens of kilobytes).
    mkdir -p "$dir/keep" "$dir/generated"
    for f in "$corpus"/*; do
        [ -f "$f" ] || continue
        if basename "$f" | grep -Eq '^[0-9a-f]{40}$'; then
            cp "$f" "$dir/generated/"
            continue
        fi
        cp "$f" "$dir/keep/"
    done
    if "$bin" -set_cover_merge=1 -use_counters=0 -max_len=65536 -timeout=10 \
        -artifact_prefix="$dir/artifacts/" \
        "$dir/keep" "$dir/generated" "$dir/scratch" >"$dir/merge.log" 2>&1; then
        find "$corpus" -maxdepth 1 -type f -regextype posix-extended \
            -regex '.*/[0-9a-f]{40}' -delete
        for f in "$dir/keep"/*; do
            [ -e "$corpus/$(basename "$f")" ] || cp "$f" "$corpus/"
        done
    else
        echo "fuzz_$t: merge failed (see below); corpus left as it was" >>"$dir/fuzz.log"
        tail -5 "$dir/merge.log" >>"$dir/fuzz.log"
    fi
    ls "$corpus" | wc -l > "$dir/after"
}

pids=()
for t in "${targets[@]}"; do
    echo "fuzzing fuzz_$t for ${secs}s ..."
    run_one "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
printf '\n%-12s %8s %12s %10s %8s %8s %9s  %s\n' target seconds executions exec/s cov features corpus findings
for t in "${targets[@]}"; do
    dir=$work/$t
    log=$dir/fuzz.log
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    found=()
    for a in "$dir"/artifacts/*; do
        [ -f "$a" ] || continue
        name=$(basename "$a")
        cp "$a" "$here/corpus/$t/$name"
        found+=("$name")
    done
    printf '%-12s %8s %12s %10s %8s %8s %4s→%-4s  %s\n' "$t" "$(cat "$dir/elapsed")" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "${ft:-?}" "$(cat "$dir/before")" "$(cat "$dir/after")" \
        "${#found[@]}"
    if [ ${#found[@]} -gt 0 ]; then
        status=1
        for name in "${found[@]}"; do
            echo "  FINDING fuzz/corpus/$t/$name ($(wc -c <"$here/corpus/$t/$name") bytes):"
            od -An -c "$here/corpus/$t/$name" | head -8 | sed 's/^/    /'
        done
        echo "  report (fuzz.log):"
        grep -E 'ERROR: |invariant broken|SUMMARY:|^ +#[0-9]+ 0x' "$log" | head -20 | sed 's/^/    /'
        echo "  replay: $build/fuzz/fuzz_$t fuzz/corpus/$t/${found[0]}"
    fi
    if [ -z "$execs" ]; then
        echo "  fuzz_$t did not report its statistics; last lines of its log:"
        tail -5 "$log" | sed 's/^/    /'
        status=1
    fi
done
exit $status

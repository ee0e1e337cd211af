#!/bin/sh
# Static analysis of src/ (lib, cli, sim); any finding fails.
#   clang-tidy 14  with the top-level .clang-tidy (checks, and why some are off)
#   cppcheck 2.10  with scripts/cppcheck-suppressions.txt (each with its reason)
# Both read the compile database of a clang configure in BUILD (default
# build-lint: CMAKE_EXPORT_COMPILE_COMMANDS, no tests/examples, so it lists
# exactly the sources of src/). Nothing is compiled.
# Usage: scripts/lint.sh [tidy|cppcheck|all]    env: BUILD, JOBS
set -eu
cd "$(dirname "$0")/.."

what=${1:-all}
BUILD=${BUILD:-build-lint}
JOBS=${JOBS:-2}
TIDY=${CLANG_TIDY:-clang-tidy-14}
command -v "$TIDY" >/dev/null 2>&1 || TIDY=clang-tidy

case "$what" in
tidy | cppcheck | all) ;;
*) echo "usage: $0 [tidy|cppcheck|all]" >&2; exit 2 ;;
esac

# Configure once; a later run reuses it (re-run with a fresh BUILD when the
# CMake options change). version.h is generated here, at configure time.
if [ ! -f "$BUILD/compile_commands.json" ]; then
    CC=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        -DPLEX_BUILD_TESTS=OFF -DPLEX_BUILD_EXAMPLES=OFF -DPLEX_BUILD_FUZZERS=OFF \
        -DPLEX_BUILD_BENCHMARKS=OFF >/dev/null
else
    cmake "$BUILD" >/dev/null # picks up added or removed sources
fi
# The sources under src/ the database knows, in a stable order.
files=$(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$BUILD/compile_commands.json" |
    grep "^$(pwd)/src/" | sort -u)
[ -n "$files" ] || { echo "lint: no src/ files in $BUILD/compile_commands.json" >&2; exit 1; }

status=0

if [ "$what" != cppcheck ]; then
    echo "lint: $("$TIDY" --version | sed -n 's/^.*LLVM version /clang-tidy /p') on $(echo "$files" | wc -l) files"
    # One clang-tidy per file, JOBS at a time, each into its own log (so two
    # files' diagnostics never interleave); .clang-tidy makes every finding an
    # error, so a file with one makes xargs fail.
    rm -rf "$BUILD/clang-tidy" && mkdir -p "$BUILD/clang-tidy"
    # shellcheck disable=SC2016,SC2086
    if ! printf '%s\n' $files | xargs -P "$JOBS" -I {} sh -c \
        '"$0" -p "$1" --quiet "$2" >"$1/clang-tidy/$(echo "$2" | tr / _).log" 2>&1' \
        "$TIDY" "$BUILD" {}; then
        status=1
    fi
    for f in $files; do
        grep -v '^[0-9]* warnings\{0,1\}\( and [0-9]* errors\{0,1\}\)\{0,1\} generated\.$' \
            "$BUILD/clang-tidy/$(echo "$f" | tr / _).log" || true
    done
    [ "$status" -eq 0 ] || echo "lint: clang-tidy: findings above" >&2
fi

if [ "$what" != tidy ]; then
    echo "lint: $(cppcheck --version | tr 'C' 'c')"
    mkdir -p "$BUILD/cppcheck"
    # style includes warning, performance and portability; the --library
    # files teach it the APIs the code calls (leaks, NULL, argument rules).
    if ! cppcheck --project="$BUILD/compile_commands.json" \
        --cppcheck-build-dir="$BUILD/cppcheck" -j "$JOBS" --quiet \
        --std=c11 --enable=warning,performance,portability,style \
        --library=posix --library=libcurl --library=openssl \
        --inline-suppr --suppressions-list=scripts/cppcheck-suppressions.txt \
        --error-exitcode=1 --template='{file}:{line}:{column}: {severity}: {message} [{id}]\n{code}'; then
        echo "lint: cppcheck: findings above" >&2
        status=1
    fi
fi

[ "$status" -eq 0 ] && echo "lint: clean"
exit "$status"

#!/bin/sh
# debian/libplex0.symbols: the symbols the shared library exports (every one
# is plex_*: tests/install/check_exports.sh), each with the first version
# that had it.
#
#   scripts/deb-symbols.sh [LIBRARY]          regenerate the file
#   scripts/deb-symbols.sh --check LIBRARY    compare the file with LIBRARY:
#                                             a new symbol warns, a listed
#                                             symbol that is gone fails
#                                             (debian/rules runs this)
#
# LIBRARY is a built libplex.so.*; without it the script builds the shared
# library of this tree (as it is, committed or not) in build-deb/symbols.
#
# Regenerating: a listed symbol keeps its version, a new one gets
# project(VERSION), one that is gone is dropped and named on stderr (an ABI
# break: docs/packaging.md). When the soname changes, every symbol starts
# again at project(VERSION).
#
# --check exists because dpkg-gensymbols (-c1, also on in debian/rules) lets
# a symbol disappear while its version is the one being built, and every
# symbol is at 0.1.0 while 0.1.0 is being written.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/debian/libplex0.symbols
version=$("$top/scripts/deb-version.sh")

check=no
if [ "${1-}" = --check ]; then
    check=yes
    shift
    [ $# -eq 1 ] || { echo "usage: $0 --check LIBRARY" >&2; exit 2; }
fi
lib=${1-}
if [ -z "$lib" ]; then
    bdir=$top/build-deb/symbols
    mkdir -p "$bdir"
    cmake -S "$top" -B "$bdir" -DPLEX_BUILD_TESTS=OFF -DPLEX_BUILD_CLI=OFF -DPLEX_BUILD_SIM=OFF \
        -DPLEX_BUILD_EXAMPLES=OFF >"$bdir.log" 2>&1 || { cat "$bdir.log"; exit 1; }
    cmake --build "$bdir" --target plex_shared -j "${JOBS:-2}" >>"$bdir.log" 2>&1 ||
        { tail -40 "$bdir.log"; exit 1; }
    lib=$(find "$bdir/src/lib" -maxdepth 1 -type f -name 'libplex.so.*' | head -1)
fi
[ -f "$lib" ] || { echo "deb-symbols: no library '$lib'" >&2; exit 1; }

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
case $soname in
libplex.so.0.*)
    # 0.x: libplex.so.0.<minor>, packaged as libplex0; a dependency also
    # stays below the next minor, whose soname differs.
    minor=${soname#libplex.so.0.}
    header="$soname libplex0 #MINVER#, libplex0 (<< 0.$((minor + 1))~)"
    ;;
libplex.so.[1-9]*)
    major=${soname#libplex.so.}
    header="$soname libplex$major #MINVER#"
    echo "deb-symbols: from 1.0 the package is libplex$major: rename libplex0 in debian/ (docs/packaging.md)" >&2
    ;;
*)
    echo "deb-symbols: $lib: unexpected soname '$soname'" >&2
    exit 1
    ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | LC_ALL=C sort -u >"$tmp/now"
grep -v '^plex_[a-z]' "$tmp/now" >&2 && { echo "deb-symbols: the symbols above are not plex_*" >&2; exit 1; }
[ -s "$tmp/now" ] || { echo "deb-symbols: $lib exports nothing" >&2; exit 1; }

# "name version" of the symbols listed now, if the file is for this soname.
: >"$tmp/old"
listed=$(head -1 "$out" 2>/dev/null | cut -d' ' -f1)
if [ "$listed" = "$soname" ]; then
    sed -n 's/^ \([^@ ]*\)@Base \([^ ]*\)$/\1 \2/p' "$out" | LC_ALL=C sort >"$tmp/old"
elif [ "$check" = yes ]; then
    echo "deb-symbols: $out is for '$listed', the library is $soname: run scripts/deb-symbols.sh" >&2
    exit 1
elif [ -f "$out" ]; then
    echo "deb-symbols: the soname is now $soname: every symbol starts at $version" >&2
fi
cut -d' ' -f1 "$tmp/old" | LC_ALL=C comm -23 - "$tmp/now" >"$tmp/gone"
cut -d' ' -f1 "$tmp/old" | LC_ALL=C comm -13 - "$tmp/now" >"$tmp/new"

if [ "$check" = yes ]; then
    sed 's/^/deb-symbols: warning: new symbol, not in debian\/libplex0.symbols: /' "$tmp/new" >&2
    [ -s "$tmp/new" ] && echo "deb-symbols: warning: run scripts/deb-symbols.sh to add them" >&2
    if [ -s "$tmp/gone" ]; then
        sed 's/^/deb-symbols: error: missing from the library: /' "$tmp/gone" >&2
        echo "deb-symbols: error: $lib lacks $(wc -l <"$tmp/gone") symbol(s) of the symbols file (an ABI break)" >&2
        exit 1
    fi
    echo "deb-symbols: $soname exports the $(wc -l <"$tmp/old") symbols of the symbols file, $(wc -l <"$tmp/new") new"
    exit 0
fi

sed 's/^/deb-symbols: removed: /' "$tmp/gone" >&2
{
    echo "$header"
    echo "* Build-Depends-Package: libplex-dev"
    LC_ALL=C join -a 1 "$tmp/now" "$tmp/old" | awk -v v="$version" '{ printf " %s@Base %s\n", $1, (NF > 1 ? $2 : v) }'
} >"$tmp/symbols"
mv "$tmp/symbols" "$out"
echo "deb-symbols: $out: $(wc -l <"$tmp/now") symbols of $soname ($(wc -l <"$tmp/new") new at $version)"

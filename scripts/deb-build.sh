#!/bin/sh
# Build the Debian packages libplex0, libplex-dev, plex and plexsim (and their
# -dbgsym packages) with dpkg-buildpackage, from the committed tree (HEAD) in
# a temporary copy, then check them with lintian (any error or warning
# fails). `make deb` runs this. docs/packaging.md.
#
#   scripts/deb-build.sh [--reproducible]
#
#   --reproducible   build a second time, in another directory, and compare
#                    the packages byte for byte (any difference fails)
#
# Environment:
#   OUT=DIR             where the packages go (default build-deb/)
#   DEB_BUILD_OPTIONS   passed on; with nocheck the test suite is neither
#                       built nor run (it is by default), and its build
#                       dependencies are not needed
#   JOBS                parallel jobs (default 2)
#
# Missing tools and build dependencies are installed with apt-get
# (scripts/install-deps.sh deb: as root, or through sudo).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/build-deb}
jobs=${JOBS:-2}
reproducible=no
case ${1-} in
'') ;;
--reproducible) reproducible=yes ;;
*) echo "usage: $0 [--reproducible]" >&2; exit 2 ;;
esac

start=$(date +%s)
case " ${DEB_BUILD_OPTIONS-} " in
*" nocheck "*)
    DEB_BUILD_PROFILES=$(echo "${DEB_BUILD_PROFILES-} nocheck" | xargs -n1 | sort -u | xargs)
    export DEB_BUILD_PROFILES
    ;;
esac
"$top/scripts/install-deps.sh" deb

cd "$top"
git rev-parse --verify -q HEAD >/dev/null ||
    { echo "deb-build: $top is not a git checkout with a commit: it packages HEAD" >&2; exit 1; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "deb-build: note: uncommitted changes are not packaged (it builds HEAD)"
fi
version=$(scripts/deb-version.sh)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
echo "deb-build: libplex $version ($arch) from $(git log -1 --format='%h %cd' --date=short)"

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

# build DIR: export HEAD to DIR/libplex-VERSION and build the binary packages
# there; they land in DIR. The log is DIR/build.log.
build() {
    mkdir -p "$1/libplex-$version"
    git archive --format=tar HEAD | tar -x -C "$1/libplex-$version"
    if ! (cd "$1/libplex-$version" && dpkg-buildpackage -us -uc -b -j"$jobs") >"$1/build.log" 2>&1; then
        tail -60 "$1/build.log"
        echo "deb-build: dpkg-buildpackage failed (the whole log: $out/build.log)" >&2
        mkdir -p "$out" && cp "$1/build.log" "$out/build.log"
        exit 1
    fi
    # new symbols that debian/libplex0.symbols lacks (scripts/deb-symbols.sh)
    grep '^deb-symbols: warning' "$1/build.log" || true
}

build "$work/a"
echo "deb-build: built in $(($(date +%s) - start)) s"
mkdir -p "$out"
rm -f "$out"/*.deb "$out"/libplex_*.changes "$out"/libplex_*.buildinfo
mv "$work"/a/*.deb "$work"/a/*.changes "$work"/a/*.buildinfo "$work/a/build.log" "$out/"

echo "deb-build: lintian"
lintian --fail-on error,warning "$out/libplex_${version}_$arch.changes" ||
    { echo "deb-build: lintian found problems" >&2; exit 1; }

if [ "$reproducible" = yes ]; then
    # Another directory (so another build path), another umask and time.
    (umask 077 && build "$work/second-build")
    differ=0
    for deb in "$out"/*.deb; do
        name=${deb##*/}
        if cmp -s "$deb" "$work/second-build/$name"; then
            echo "reproducible: $name ($(sha256sum <"$deb" | cut -c1-16))"
        else
            echo "NOT reproducible: $name"
            differ=1
        fi
    done
    [ "$differ" -eq 0 ] || { echo "deb-build: the two builds differ" >&2; exit 1; }
fi

echo "deb-build: packages in $out ($(($(date +%s) - start)) s):"
for deb in "$out"/*.deb; do echo "  ${deb##*/}"; done

#!/bin/sh
# CI step for the Debian packages: build them (scripts/deb-build.sh, twice,
# comparing the bytes; the test suite is skipped: CI runs it separately),
# install libplex0, libplex-dev, plex and plexsim into this machine with
# apt-get, use them (tests/deb/installed_test.sh, in a network namespace with
# only loopback when one can be made), purge them, and check that the machine
# is as before: the same installed packages and versions, no file of theirs.
#
#   scripts/deb-test.sh [DIR]   DIR: test the packages already built in DIR
#
# Needs root, or sudo, for apt-get, and python3 (tests/deb/plexsim_test.py).
# It refuses to run when one of the four packages is already installed (it
# would remove it afterwards).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
pkgs="libplex0 libplex-dev plex plexsim"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo # apt-get install and purge

# present PACKAGE: dpkg knows it in any state but not-installed (so also
# half-installed, or removed with its configuration files left).
present() {
    s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "$(echo "$s" | cut -c2)" != n ]
}
for p in $pkgs; do
    if present "$p"; then
        echo "deb-test: $p is already installed; remove it first (apt-get purge $pkgs)" >&2
        exit 1
    fi
done

if [ $# -eq 0 ]; then
    DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS-}" "$top/scripts/deb-build.sh" --reproducible
    dir=$top/build-deb
else
    dir=$(cd "$1" && pwd)
fi
version=$("$top/scripts/deb-version.sh")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
debs=
for p in $pkgs; do
    deb=$dir/${p}_${version}_$arch.deb
    [ -f "$deb" ] || { echo "deb-test: no $deb" >&2; exit 1; }
    debs="$debs $deb"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/plex-deb-test.XXXXXX")
snapshot() { dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\n' | LC_ALL=C sort; }
snapshot >"$work/before"
cut -d' ' -f1 "$work/before" >"$work/before.names"
# added: the packages installed since "before" (the four, and what apt-get
# pulled in with them); only those are purged afterwards.
added() { snapshot | cut -d' ' -f1 | LC_ALL=C comm -13 "$work/before.names" - >"$work/added"; }
# the other packages that apt-get installed (names without :arch)
others() { sed 's/:.*//' "$work/added" | grep -vxF -f "$work/ours" | xargs echo | sed 's/^$/none/'; }
installed=no
purge() {
    [ "$installed" = yes ] || return 0
    installed=no
    [ -f "$work/added" ] || added
    # shellcheck disable=SC2046
    $sudo apt-get purge -y -qq $(cat "$work/added") >"$work/purge.log" 2>&1 ||
        { cat "$work/purge.log"; echo "deb-test: apt-get purge failed" >&2; return 1; }
}
trap 'purge || true; rm -rf "$work"' EXIT

echo "deb-test: apt-get install$(for d in $debs; do printf ' %s' "${d##*/}"; done)"
installed=yes
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $debs \
    >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "deb-test: install failed" >&2; exit 1; }
added
for p in $pkgs; do
    dpkg-query -L "$p" | while read -r f; do [ -d "$f" ] || echo "$f"; done
done >"$work/files"
echo "$pkgs" | tr ' ' '\n' >"$work/ours"
echo "deb-test: installed $(wc -l <"$work/files") files; other packages installed with them: $(others)"

# The checks use the committed examples and tests (the packages are HEAD's),
# without a network when a namespace with only loopback can be made.
src=$work/src
mkdir -p "$src"
git -C "$top" archive HEAD examples tests | tar -x -C "$src"
status=0
if command -v ip >/dev/null && unshare -n true 2>/dev/null; then
    echo "deb-test: tests/deb/installed_test.sh (network namespace, loopback only)"
    # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
    unshare -n sh -c 'ip link set lo up && exec sh "$1/tests/deb/installed_test.sh" "$1" "$2"' sh \
        "$src" "$version" || status=$?
else
    echo "deb-test: tests/deb/installed_test.sh (no network namespace here)"
    sh "$src/tests/deb/installed_test.sh" "$src" "$version" || status=$?
fi

echo "deb-test: apt-get purge"
purge
failures=0
for p in $pkgs; do
    if present "$p"; then echo "FAIL $p is still known to dpkg"; failures=$((failures + 1)); fi
done
snapshot >"$work/after"
if ! cmp -s "$work/before" "$work/after"; then
    echo "FAIL the installed packages differ from before:"
    diff "$work/before" "$work/after" | sed 's/^/  /'
    failures=$((failures + 1))
fi
while read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then echo "FAIL $f is left"; failures=$((failures + 1)); fi
done <"$work/files"
for d in /usr/include/plex "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/cmake/plex"; do
    if [ -e "$d" ]; then echo "FAIL $d is left"; failures=$((failures + 1)); fi
done
if ldconfig -p | grep -q 'libplex\.so'; then echo "FAIL ldconfig still lists libplex"; failures=$((failures + 1)); fi
if [ "$failures" -eq 0 ]; then
    echo "deb-test: removed cleanly: $(wc -l <"$work/files") files gone, the same packages as before"
fi

if [ "$status" -ne 0 ] || [ "$failures" -ne 0 ]; then
    echo "deb-test: FAILED" >&2
    exit 1
fi
echo "deb-test: passed in $(($(date +%s) - start)) s"

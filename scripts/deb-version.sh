#!/bin/sh
# The project's version, from the one place it is kept: project(VERSION) in
# CMakeLists.txt.
#
#   scripts/deb-version.sh           print it (0.1.0)
#   scripts/deb-version.sh --check   fail unless debian/changelog's newest
#                                    entry has that version (debian/rules runs
#                                    this before configuring)
#
# Run from anywhere; it reads the tree it belongs to.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

version=$(sed -n 's/^project([A-Za-z_]* VERSION \([0-9][0-9.]*\)[ )].*/\1/p' "$top/CMakeLists.txt")
case $version in
*.*.*) ;;
*)
    echo "deb-version: no project(NAME VERSION X.Y.Z ...) line in $top/CMakeLists.txt" >&2
    exit 1
    ;;
esac

case ${1-} in
'') echo "$version" ;;
--check)
    changelog=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
    upstream=${changelog#*:}   # no epoch
    upstream=${upstream%-*}    # no Debian revision (the package is native today)
    if [ "$upstream" != "$version" ]; then
        cat >&2 <<EOF
deb-version: debian/changelog is at $changelog but CMakeLists.txt's project(VERSION) is $version.
Add a changelog entry for $version, for example (devscripts):
  dch -v $version --distribution unstable "New upstream version $version."
and, if the soname changed, run scripts/deb-symbols.sh (docs/packaging.md).
EOF
        exit 1
    fi
    ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

#!/bin/sh
# Use the installed Debian packages the way their users do (scripts/deb-test.sh
# runs this between installing and removing them):
#   libplex-dev  build examples/pin_decode.c with pkg-config, and
#                tests/install/consumer with find_package(plex) (plex::plex and
#                plex::plex_static), from /usr only, and run them;
#   plex         --version, the manual page, the bash completion;
#   plexsim      start it on 127.0.0.1 with --port 0, read its LISTENING line,
#                sign the installed plex in against it, stop it with SIGTERM
#                (tests/deb/plexsim_test.py, with tests/sim/simlib.py).
#
# usage: tests/deb/installed_test.sh SOURCE_DIR VERSION
set -eu
src=${1:?usage: installed_test.sh SOURCE_DIR VERSION}
version=${2:?usage: installed_test.sh SOURCE_DIR VERSION}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
soversion=$(echo "$version" | cut -d. -f1-2) # 0.<minor> while 0.x (STYLE.md §6)
case $version in 0.*) ;; *) soversion=${version%%.*} ;; esac
seed=$src/tests/fixtures/pin/seed.json

failures=0
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
    desc=$1; shift
    if "$@"; then ok "$desc"; else fail "$desc"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Nothing from the caller may point the tools elsewhere than /usr.
unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH LD_LIBRARY_PATH PLEX_TOKEN PLEX_BASE_URL PLEX_CONFIG_DIR
export HOME="$tmp/home"
mkdir -p "$HOME"

# decodes BINARY: pin_decode reads the seed container (exit 0, its code and
# id, not its token) and refuses malformed JSON (exit 65).
decodes() {
    "$1" "$seed" >"$tmp/out" 2>&1 || { cat "$tmp/out"; return 1; }
    if ! grep -q '^code: *7RQZ$' "$tmp/out" || ! grep -q '^id: *308667304$' "$tmp/out" ||
        grep -q gcgzw5rz2xovp84b4vha3a40 "$tmp/out"; then
        cat "$tmp/out"
        return 1
    fi
    status=0
    printf '{"id": 1, "code": ' | "$1" - >"$tmp/out" 2>&1 || status=$?
    [ "$status" -eq 65 ] || { echo "  malformed JSON: exit $status, not 65"; return 1; }
}
# loads_installed_lib BINARY: the loader picks $libdir/libplex.so.SOVERSION
# (ldd may name it through /lib, a link to usr/lib)
loads_installed_lib() {
    got=$(ldd "$1" | awk -v so="libplex.so.$soversion" '$1 == so { print $3 }')
    if [ -z "$got" ] || [ "$(readlink -f "$got")" != "$(readlink -f "$libdir/libplex.so.$soversion")" ]; then
        echo "  $1 loads '$got'"
        return 1
    fi
}
needs_no_libplex() { ! readelf -d "$1" | grep -q 'NEEDED.*libplex'; }
# names_itself PAGE: the NAME section of PAGE(1) starts with PAGE
names_itself() { gzip -dc "/usr/share/man/man1/$1.1.gz" | sed -n '/^\.SH NAME/{n;p;q;}' | grep -q "^$1 "; }

echo "== libplex-dev: pkg-config"
check "pkg-config --modversion libplex is $version" test "$(pkg-config --modversion libplex)" = "$version"
check "libplex.pc's prefix is /usr" test "$(pkg-config --variable=prefix libplex)" = /usr
# shellcheck disable=SC2046 # the flags are words
if cc -std=c99 -Wall -Wextra -Werror -o "$tmp/pin_decode" "$src/examples/pin_decode.c" \
    $(pkg-config --cflags --libs libplex); then
    ok "pin_decode builds with pkg-config"
    check "pin_decode loads $libdir/libplex.so.$soversion" loads_installed_lib "$tmp/pin_decode"
    check "pin_decode (pkg-config) decodes the seed, refuses bad JSON" decodes "$tmp/pin_decode"
else
    fail "pin_decode does not build with pkg-config"
fi

echo "== libplex-dev: CMake, find_package(plex)"
if cmake -S "$src/tests/install/consumer" -B "$tmp/consumer" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    >"$tmp/cmake.log" 2>&1 && cmake --build "$tmp/consumer" >>"$tmp/cmake.log" 2>&1; then
    ok "the find_package(plex) consumer configures and builds"
    plex_dir=$(sed -n 's/^plex_DIR:[A-Z]*=//p' "$tmp/consumer/CMakeCache.txt")
    check "find_package used $libdir/cmake/plex (got '$plex_dir')" test "$plex_dir" = "$libdir/cmake/plex"
    check "pin_decode (plex::plex) loads the installed libplex" loads_installed_lib "$tmp/consumer/pin_decode"
    check "pin_decode (plex::plex) decodes" decodes "$tmp/consumer/pin_decode"
    check "pin_decode_static (plex::plex_static) needs no libplex.so" needs_no_libplex "$tmp/consumer/pin_decode_static"
    check "pin_decode_static decodes" decodes "$tmp/consumer/pin_decode_static"
else
    cat "$tmp/cmake.log"
    fail "the find_package(plex) consumer does not configure or build"
fi

echo "== plex"
check "plex is /usr/bin/plex" test "$(command -v plex)" = /usr/bin/plex
got=$(plex --version 2>&1) || true
check "plex --version says '$got'" test "$got" = "plex $version (libplex $version)"
check "plex(1) is installed" test -f /usr/share/man/man1/plex.1.gz
check "plexsim(1) is installed" test -f /usr/share/man/man1/plexsim.1.gz
for page in plex plexsim; do
    check "$page(1) is the page of $page" names_itself "$page"
done
check "the bash completion completes /usr/bin/plex" \
    bash "$src/tests/deb/completion_test.sh" /usr/share/bash-completion/completions/plex /usr/bin/plex

echo "== plexsim"
check "plexsim is /usr/bin/plexsim" test "$(command -v plexsim)" = /usr/bin/plexsim
check "plexsim on --port 0 with plex signing in (tests/deb/plexsim_test.py)" \
    env PLEXSIM=/usr/bin/plexsim PYTHONPATH="$src/tests/sim" python3 "$src/tests/deb/plexsim_test.py"

echo
if [ "$failures" -ne 0 ]; then
    echo "installed_test: $failures check(s) failed" >&2
    exit 1
fi
echo "installed_test: all checks passed"

#!/bin/sh
# Install libplex into a scratch prefix and use it the way a user would:
#   1. check the installed tree (headers, libplex.so + soname chain, libplex.a,
#      libplex.pc, the CMake package);
#   2. build examples/pin_decode.c with `pkg-config --cflags --libs libplex`,
#      and again statically with `pkg-config --static`, and run both;
#   3. build tests/install/consumer (find_package(plex) -> plex::plex and
#      plex::plex_static) and run it.
#
# tests/install/CMakeLists.txt passes every setting as --name=value; run by
# hand, for example:
#   tests/install/install_test.sh --build=build --source=. --work=/tmp/plex-it \
#       --libdir=lib --includedir=include --version=0.1.0 --soversion=0.1
set -eu

build='' source='' work='' libdir=lib includedir=include version='' soversion='' config=''
cc=${CC:-cc} cmake=cmake generator='' pkgconfig=pkg-config readelf=readelf cflags=''
for arg in "$@"; do
    case $arg in
    --build=*) build=${arg#*=} ;;
    --source=*) source=${arg#*=} ;;
    --work=*) work=${arg#*=} ;;
    --libdir=*) libdir=${arg#*=} ;;
    --includedir=*) includedir=${arg#*=} ;;
    --version=*) version=${arg#*=} ;;
    --soversion=*) soversion=${arg#*=} ;;
    --config=*) config=${arg#*=} ;;
    --cc=*) cc=${arg#*=} ;;
    --cmake=*) cmake=${arg#*=} ;;
    --generator=*) generator=${arg#*=} ;;
    --pkg-config=*) pkgconfig=${arg#*=} ;;
    --readelf=*) readelf=${arg#*=} ;;
    --bindir=*) bindir=${arg#*=} ;;
    --programs=*) programs=${arg#*=} ;; # the executables the build installs
    --cflags=*) cflags=${arg#*=} ;; # e.g. -fsanitize=address,undefined in a sanitizer build
    *) echo "install_test: unknown argument: $arg" >&2; exit 2 ;;
    esac
done
for v in build source work version soversion; do
    eval "[ -n \"\$$v\" ]" || { echo "install_test: --$v= is required" >&2; exit 2; }
done

failures=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
die() { printf 'FAIL %s\n' "$*"; echo "install_test: stopped; the scratch tree is in $work" >&2; exit 1; }
check() { # check DESCRIPTION COMMAND...
    desc=$1; shift
    if "$@"; then ok "$desc"; else fail "$desc"; fi
}

prefix=$work/prefix
lib=$prefix/$libdir
seed=$source/tests/fixtures/pin/seed.json
example=$source/examples/pin_decode.c
# The token of the seed container: it must never appear in the output.
secret=gcgzw5rz2xovp84b4vha3a40

[ -f "$seed" ] || die "missing fixture $seed"
rm -rf "$work"
mkdir -p "$work"

# --- install -----------------------------------------------------------------
step "cmake --install $build --prefix $prefix"
unset DESTDIR
if [ -n "$config" ]; then
    "$cmake" --install "$build" --prefix "$prefix" --config "$config" >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; die "cmake --install failed"; }
else
    "$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; die "cmake --install failed"; }
fi
ok "installed ($(grep -c 'Installing\|Up-to-date' "$work/install.log") files)"

# --- (c) the installed tree --------------------------------------------------
step "installed tree"
for f in "$includedir/plex/plex.h" "$includedir/plex/version.h" \
    "$libdir/libplex.a" "$libdir/pkgconfig/libplex.pc" \
    "$libdir/cmake/plex/plex-config.cmake" "$libdir/cmake/plex/plex-config-version.cmake" \
    "$libdir/cmake/plex/plex-targets.cmake"; do
    check "$f" test -f "$prefix/$f"
done
for h in "$source"/include/plex/*.h; do
    check "$includedir/plex/${h##*/} (from include/plex)" test -f "$prefix/$includedir/plex/${h##*/}"
done
for p in ${programs-}; do
    check "${bindir:-bin}/$p is an executable" test -x "$prefix/${bindir:-bin}/$p"
done
check "version.h says $version" grep -q "^#define PLEX_VERSION_STRING \"$version\"" \
    "$prefix/$includedir/plex/version.h"

# libplex.so -> libplex.so.SOVERSION -> libplex.so.VERSION (a real file)
link_is() { [ -L "$lib/$1" ] && [ "$(readlink "$lib/$1")" = "$2" ]; }
check "libplex.so -> libplex.so.$soversion" link_is libplex.so "libplex.so.$soversion"
check "libplex.so.$soversion -> libplex.so.$version" link_is "libplex.so.$soversion" "libplex.so.$version"
check "libplex.so.$version is a file" test -f "$lib/libplex.so.$version" -a ! -L "$lib/libplex.so.$version"
soname=$("$readelf" -d "$lib/libplex.so.$version" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
check "SONAME is libplex.so.$soversion (got '${soname}')" test "$soname" = "libplex.so.$soversion"

# --- helpers to run pin_decode ------------------------------------------------
# run_decoder NAME BINARY [LD_LIBRARY_PATH]: the seed decodes (exit 0, the
# expected lines, no token), broken JSON exits 65, a missing file exits 1.
run_decoder() {
    name=$1 bin=$2 ldpath=${3-}
    out=$work/$name.out
    status=0
    with_libpath "$ldpath" "$bin" "$seed" >"$out" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$out"
        fail "$name: seed.json exits $status, not 0"
        return 0
    fi
    bad=
    for re in '^code: *7RQZ$' '^id: *308667304$' '^expires: *2024-07-16T17:18:05Z$' \
        '^token: *present$' '^missing: *none$'; do
        grep -q "$re" "$out" || bad="$bad '$re'"
    done
    if grep -q "$secret" "$out"; then bad="$bad (the token was printed)"; fi
    if [ -n "$bad" ]; then
        cat "$out"
        fail "$name: seed.json output lacks:$bad"
    else
        ok "$name: seed.json decodes"
    fi

    status=0
    printf '{"id": 1, "code": ' | with_libpath "$ldpath" "$bin" - >"$out" 2>&1 || status=$?
    check "$name: malformed JSON on stdin exits 65 (got $status)" test "$status" -eq 65
    status=0
    with_libpath "$ldpath" "$bin" "$work/no-such-file.json" >"$out" 2>&1 || status=$?
    check "$name: missing file exits 1 (got $status)" test "$status" -eq 1
}

# with_libpath DIR COMMAND...: run COMMAND with DIR (if not empty) first in LD_LIBRARY_PATH.
with_libpath() {
    if [ -n "$1" ]; then
        dir=$1; shift
        LD_LIBRARY_PATH=$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$@"
    else
        shift
        "$@"
    fi
}

# uses_installed_lib BINARY: the dynamic loader picks libplex from the scratch prefix.
uses_installed_lib() {
    resolved=$(with_libpath "$lib" ldd "$1" | awk '/libplex\.so/ { print $3 }')
    [ "$resolved" = "$lib/libplex.so.$soversion" ] || {
        echo "  $1 loads libplex from '$resolved', not $lib"
        return 1
    }
}

needs_no_libplex() { ! "$readelf" -d "$1" | grep -q 'NEEDED.*libplex'; }

# --- (a) pkg-config -------------------------------------------------------------
step "pkg-config"
PKG_CONFIG_PATH=$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
check "pkg-config --modversion libplex = $version" test "$("$pkgconfig" --modversion libplex)" = "$version"
check "libplex.pc prefix is the install prefix" test "$("$pkgconfig" --variable=prefix libplex)" = "$prefix"

pc_cflags=$("$pkgconfig" --cflags libplex) || die "pkg-config --cflags libplex failed"
pc_libs=$("$pkgconfig" --libs libplex) || die "pkg-config --libs libplex failed"
echo "cflags: $pc_cflags"
echo "libs:   $pc_libs"
# shellcheck disable=SC2086 # word splitting of flags is intended
if $cc $cflags -o "$work/pin_decode_pc" "$example" $pc_cflags $pc_libs; then
    ok "pin_decode builds with pkg-config"
    check "pin_decode (pkg-config) loads the installed libplex.so" uses_installed_lib "$work/pin_decode_pc"
    run_decoder pin_decode_pc "$work/pin_decode_pc" "$lib"
else
    fail "pin_decode does not build with pkg-config"
fi

step "pkg-config --static"
pc_static=$("$pkgconfig" --static --libs libplex) || die "pkg-config --static --libs libplex failed"
echo "libs:   $pc_static"
# Debian's libcurl4-openssl-dev only suggests the -dev packages of libcurl's
# own private dependencies (nghttp2, rtmp, ssh2, ldap...), so libcurl's
# --static flags may not link on this machine. Then keep libplex.pc's own
# static flags (Libs.private, -lcurl from Requires.private) and drop only the
# libraries that libcurl alone adds for a static link.
printf 'int main(void) { return 0; }\n' >"$work/probe.c"
curl_static=$("$pkgconfig" --static --libs libcurl)
# shellcheck disable=SC2086
if ! $cc -o "$work/probe" "$work/probe.c" $curl_static >"$work/probe.log" 2>&1; then
    curl_shared=" $("$pkgconfig" --libs libcurl) "
    drop=
    for flag in $curl_static; do
        case $curl_shared in *" $flag "*) ;; *) drop="$drop $flag" ;; esac
    done
    kept=
    for flag in $pc_static; do
        case " $drop " in *" $flag "*) ;; *) kept="$kept $flag" ;; esac
    done
    echo "note: libcurl's static dependencies are not installed; dropped:$drop"
    pc_static=$kept
fi
# libplex.so sits next to libplex.a and the linker would prefer it for -lplex:
# name the archive instead, keep every other flag as pkg-config gave it.
static_libs=
for flag in $pc_static; do
    if [ "$flag" = "-lplex" ]; then flag=$lib/libplex.a; fi
    static_libs="$static_libs $flag"
done
# shellcheck disable=SC2086
if $cc $cflags -o "$work/pin_decode_static" "$example" $pc_cflags $static_libs; then
    ok "pin_decode builds against libplex.a"
    check "pin_decode (static) does not need libplex.so" needs_no_libplex "$work/pin_decode_static"
    run_decoder pin_decode_static "$work/pin_decode_static" ""
else
    fail "pin_decode does not build against libplex.a with pkg-config --static"
fi

# --- (b) find_package(plex) -----------------------------------------------------
step "find_package(plex) consumer"
set -- -S "$source/tests/install/consumer" -B "$work/consumer" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags"
if [ -n "$generator" ]; then set -- "$@" -G "$generator"; fi
if [ -n "$config" ]; then set -- "$@" -DCMAKE_BUILD_TYPE="$config"; fi
if "$cmake" "$@" >"$work/consumer-configure.log" 2>&1; then
    ok "consumer configures"
    plex_dir=$(sed -n 's/^plex_DIR:[A-Z]*=//p' "$work/consumer/CMakeCache.txt")
    check "find_package used $prefix/$libdir/cmake/plex (got '$plex_dir')" \
        test "$plex_dir" = "$prefix/$libdir/cmake/plex"
    if "$cmake" --build "$work/consumer" ${config:+--config "$config"} >"$work/consumer-build.log" 2>&1; then
        ok "consumer builds"
        bin=$work/consumer/pin_decode
        [ -x "$bin" ] || bin=$work/consumer/$config/pin_decode
        check "consumer pin_decode loads the installed libplex.so" uses_installed_lib "$bin"
        run_decoder consumer "$bin" "$lib"
        bin=$work/consumer/pin_decode_static
        [ -x "$bin" ] || bin=$work/consumer/$config/pin_decode_static
        check "consumer pin_decode_static (plex::plex_static) does not need libplex.so" \
            needs_no_libplex "$bin"
        run_decoder consumer_static "$bin" ""
    else
        cat "$work/consumer-build.log"
        fail "consumer does not build"
    fi
else
    cat "$work/consumer-configure.log"
    fail "consumer does not configure (find_package(plex 0.1))"
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "install_test: $failures check(s) failed; the scratch tree is in $work" >&2
    exit 1
fi
echo "install_test: all checks passed"
rm -rf "$work"

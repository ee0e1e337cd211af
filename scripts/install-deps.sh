#!/bin/sh
# Install the Debian packages libplex needs to build and test, if any is missing.
# Usage: scripts/install-deps.sh [build|bench|fuzz|clang|lint|deb|all]   (default: build)
# Runs apt-get as root, or through sudo when not root.
set -eu

what=${1:-build}

build_pkgs="build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libmicrohttpd-dev
libqrencode-dev libcjson-dev libjansson-dev openssl ca-certificates tmux valgrind python3
iproute2"
# bench also compares with @lukehagar/plexjs (bench/sdk.sh) when node and npm
# are on PATH; they are not installed here (node comes from NodeSource, whose
# nodejs conflicts with Debian's npm), and the plexjs column is skipped without.
bench_pkgs="libcjson-dev libjson-c-dev libjansson-dev libyajl-dev libsimdjson-dev valgrind curl time"
clang_pkgs="clang libclang-rt-14-dev"
fuzz_pkgs=$clang_pkgs
lint_pkgs="clang clang-tidy clang-format cppcheck" # scripts/lint.sh: clang-tidy 14, cppcheck 2.10
# deb: the packaging tools, then debian/control's Build-Depends (apt-get build-dep,
# honouring DEB_BUILD_PROFILES, e.g. nocheck); scripts/deb-build.sh.
deb_pkgs="build-essential dpkg-dev lintian"

case "$what" in
build) pkgs=$build_pkgs ;;
bench) pkgs="$build_pkgs $bench_pkgs" ;;
fuzz) pkgs="$build_pkgs $fuzz_pkgs" ;;
clang) pkgs="$build_pkgs $clang_pkgs" ;;
lint) pkgs="$build_pkgs $lint_pkgs" ;;
deb) pkgs=$deb_pkgs ;;
all) pkgs="$build_pkgs $bench_pkgs $fuzz_pkgs $clang_pkgs $lint_pkgs" ;;
*) echo "usage: $0 [build|bench|fuzz|clang|lint|deb|all]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
builddeps=""
if [ "$what" = deb ]; then
    top=$(cd "$(dirname "$0")/.." && pwd)
    if ! command -v dpkg-checkbuilddeps >/dev/null 2>&1 ||
        ! (cd "$top" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
        builddeps=$top
    fi
fi
[ -z "$missing$builddeps" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing packages:$missing (no apt-get here: install them by hand)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "install-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing${builddeps:+ and the build dependencies of $builddeps/debian/control}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
[ -z "$missing" ] || $sudo apt-get install -y -qq --no-install-recommends $missing
profiles=$(echo "${DEB_BUILD_PROFILES-}" | tr ' ' ',')
[ -z "$builddeps" ] ||
    $sudo apt-get build-dep -y -qq --no-install-recommends ${profiles:+-P "$profiles"} "$builddeps"

#!/bin/sh
# bench/startup.sh BUILD_DIR      (called by bench/run.sh, so by make bench)
#
# What "process start to first request" (bench/sdk.sh's row) is made of, on
# this machine, layer by layer (issue 7: profile the start-up, remove what is
# not needed). Each program below is started by bench_first_request (fork to
# the first bytes of its first request on a listening socket), STARTUP_RUNS
# times (default 15), round-robin; the table shows medians and the shared
# objects each one loads (ldd):
#   startup_bare          libc only (bench/startup_floor.c): the floor
#   startup_openssl       + libssl/libcrypto, OpenSSL initialised for TLS
#   startup_curl_linked   + Debian's libcurl loaded, not called
#   startup_curl_init     + curl_global_init
#   bench_signin          libplex: plex_client_new, then POST /api/v2/pins
# With CURL_LIBDIR=DIR (a directory holding another libcurl.so.4, e.g. one
# configured with HTTP and HTTPS only: see docs/lean-libcurl.md), one more
# row: bench_signin with that libcurl (LD_LIBRARY_PATH=DIR), libplex
# unchanged.
# Exit status 0, 1 when a program could not run, 2 usage.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$1
runs=${STARTUP_RUNS:-15}
first=$build/bench/bench_first_request
progs="startup_bare startup_openssl startup_curl_linked startup_curl_init bench_signin"
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
for p in $progs; do
    need_built "$first" "$build/bench/$p"
done
lean=${CURL_LIBDIR:-}
if [ -n "$lean" ]; then
    if [ ! -e "$lean/libcurl.so.4" ]; then
        echo "$0: CURL_LIBDIR=$lean holds no libcurl.so.4" >&2
        exit 2
    fi
    progs="$progs lean_signin"
fi
nprogs=$(echo "$progs" | wc -w)

# PROGRAM [COMMAND...]: COMMAND with the environment of PROGRAM's row
# (lean_signin: bench_signin with the libcurl of CURL_LIBDIR).
in_env() {
    p=$1
    shift
    if [ "$p" = lean_signin ]; then
        LD_LIBRARY_PATH=$lean "$@"
    else
        "$@"
    fi
}
binary() { # PROGRAM: its file
    if [ "$1" = lean_signin ]; then echo "$build/bench/bench_signin"; else echo "$build/bench/$1"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/plex-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

i=0
while [ $i -lt "$runs" ]; do
    # rotate the order each run, so drift hits every program alike
    # shellcheck disable=SC2086 # split into words on purpose
    set -- $progs
    k=0
    while [ $k -lt $((i % nprogs)) ]; do
        p=$1
        shift
        set -- "$@" "$p"
        k=$((k + 1))
    done
    for p in "$@"; do
        if ! in_env "$p" "$first" "$(binary "$p")" >"$work/out" 2>"$work/err"; then
            echo "$0: $p: no first request:" >&2
            cat "$work/err" >&2
            exit 1
        fi
        awk '/^first_request_us/ {print $2}' "$work/out" >>"$work/$p"
    done
    i=$((i + 1))
done

median() { # FILE: the median, in ms
    sort -n "$1" | awk '{v[NR] = $1} END {m = int((NR + 1) / 2)
        printf "%.2f", ((NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2) / 1000}'
}
objects() { # PROGRAM: shared objects the loader maps (the vDSO included)
    in_env "$1" ldd "$(binary "$1")" | wc -l | tr -d ' '
}

echo
echo "Process start to first request, layer by layer (issue 7; bench/startup.sh):"
echo "$runs runs of each, round-robin, medians; fork to the first bytes on a listening socket."
{
    echo "startup_bare libc only: socket, connect, write (the floor)"
    echo "startup_openssl + libssl/libcrypto, OpenSSL set up for TLS"
    echo "startup_curl_linked + Debian's libcurl loaded, not called"
    echo "startup_curl_init + curl_global_init"
    echo "bench_signin libplex: client + POST /api/v2/pins"
    [ -z "$lean" ] || echo "lean_signin the same, libcurl of CURL_LIBDIR"
} | while read -r p what; do
    echo "$p $(objects "$p") $(median "$work/$p") $what"
done | awk '{
    prog[NR] = $1; obj[NR] = $2; ms[NR] = $3
    what = $4; for (i = 5; i <= NF; i++) what = what " " $i
    label[NR] = what
} END {
    printf "%-52s %7s %8s %9s\n", "", "objects", "ms", "vs bare"
    for (i = 1; i <= NR; i++)
        printf "%-52s %7d %8.2f %8.1fx\n", label[i], obj[i], ms[i], ms[i] / ms[1]
    printf "Where the time goes: the loader and set-up of libcurl and its %d dependencies %.2f ms\n",
           obj[4] - obj[1], ms[4] - ms[1]
    printf "(loading %.2f, curl_global_init %.2f); libplex.so, its client and libcurl'"'"'s handles and\n",
           ms[3] - ms[1], ms[4] - ms[3]
    printf "connect %.2f ms. An HTTP client on OpenSSL alone could start in about %.2f ms (%.1fx less).\n",
           ms[5] - ms[4], ms[2], ms[5] / ms[2]
    if (NR >= 6)
        printf "With the libcurl of CURL_LIBDIR (%d objects), libplex starts %.1fx faster (%.2f ms).\n",
               obj[6], ms[5] / ms[6], ms[6]
}'


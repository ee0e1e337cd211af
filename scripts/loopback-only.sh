#!/bin/sh
# Run a command in a network namespace of its own in which only the loopback
# interface exists (brought up), so that a test, a demo or a benchmark that
# tried to reach any address outside 127.0.0.0/8 and ::1 fails at once
# instead of sending packets. .ci/run runs every suite this way; by hand:
#   scripts/loopback-only.sh make check
# As root it uses `unshare -n`; otherwise a user namespace (`unshare -rn`),
# where installing packages is not possible: run `make deps` (or
# scripts/install-deps.sh all) before.
set -eu
if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
    flags=-n
else
    flags=-rn
fi
# shellcheck disable=SC2016
exec unshare $flags sh -c 'ip link set lo up && exec "$@"' loopback-only "$@"

#!/bin/sh
# Check that a shared library exports only the public API: every defined
# dynamic symbol must match ^plex_[a-z] (so no plex__ internals, no helpers
# from static dependencies, nothing else). STYLE.md §6, §7.
#
#   check_exports.sh LIBRARY [NM]
set -eu

lib=${1:?usage: check_exports.sh LIBRARY [NM]}
nm=${2:-nm}

if [ ! -f "$lib" ]; then
    echo "check_exports: $lib: no such file" >&2
    exit 1
fi

# "ADDRESS TYPE NAME[@VERSION]" -> NAME
symbols=$("$nm" -D --defined-only "$lib" | awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }' | sort -u)

if ! printf '%s\n' "$symbols" | grep -q '^plex_[a-z]'; then
    echo "check_exports: $lib exports no plex_* symbol at all; is this the right library?" >&2
    exit 1
fi

offenders=$(printf '%s\n' "$symbols" | grep -v '^plex_[a-z]' || true)
if [ -n "$offenders" ]; then
    echo "check_exports: $lib exports symbols outside the public API (^plex_[a-z]):" >&2
    printf '%s\n' "$offenders" | sed 's/^/  /' >&2
    exit 1
fi

count=$(printf '%s\n' "$symbols" | wc -l)
echo "check_exports: $lib: $count symbols, all plex_*"

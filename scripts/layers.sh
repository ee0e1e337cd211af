#!/bin/sh
# The dependency rule of src/ (docs/ARCHITECTURE.md, "The map"), checked:
#   src/lib areas in order  core < net < tv < pms: a file includes its own
#   folder's headers by name and only areas below its own as "area/name.h";
#   <curl/...> only in src/lib/net/http.c; the CLI includes public headers
#   (plex/...) and its own only, like any user; plexsim never includes net/
#   (it links no libcurl). Prints each violation; exit 1 if any.
set -eu
cd "$(dirname "$0")/.."

rank() {
    case "$1" in
    core) echo 0 ;; net) echo 1 ;; tv) echo 2 ;; pms) echo 3 ;; *) echo 99 ;;
    esac
}

bad=0
violation() {
    echo "layers: $1" >&2
    bad=1
}

# "file:line:#include "x/y.h"" lines of the quoted includes naming a folder
includes() {
    grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$@" 2>/dev/null || true
}

for dir in src/lib/*/; do
    area=$(basename "$dir")
    own=$(rank "$area")
    [ "$own" -lt 99 ] || violation "$dir: an area the rule does not know (add it to scripts/layers.sh and ARCHITECTURE.md)"
    for line in $(includes "$dir"*.c "$dir"*.h | tr ' ' '\001'); do
        line=$(echo "$line" | tr '\001' ' ')
        inc=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
        top=${inc%%/*}
        [ "$top" = plex ] && continue # public headers
        r=$(rank "$top")
        if [ "$r" -eq 99 ]; then
            violation "${line%%:#*}: includes \"$inc\", not an area"
        elif [ "$r" -gt "$own" ]; then
            violation "${line%%:#*}: $area includes \"$inc\" ($top is above $area)"
        fi
    done
done

for f in $(grep -rl '#[[:space:]]*include[[:space:]]*<curl/' src || true); do
    [ "$f" = src/lib/net/http.c ] || violation "$f: includes <curl/...> (only src/lib/net/http.c may)"
done

for line in $(includes src/cli/*.c src/cli/*.h | tr ' ' '\001'); do
    line=$(echo "$line" | tr '\001' ' ')
    inc=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
    case "$inc" in plex/*) ;; *) violation "${line%%:#*}: the CLI includes \"$inc\" (public headers only)" ;; esac
done

for line in $(includes $(find src/sim -name '*.[ch]') | tr ' ' '\001'); do
    line=$(echo "$line" | tr '\001' ' ')
    inc=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
    case "$inc" in net/*) violation "${line%%:#*}: plexsim includes \"$inc\" (it links no libcurl)" ;; esac
done

[ "$bad" -eq 0 ] && echo "layers: ok"
exit "$bad"

/*
 * bench/listing_gen.c: a deterministic /library/sections/1/all JSON listing
 * of movies (issue 15), written by the library's own model writer.
 */
#ifndef PLEX_BENCH_LISTING_GEN_H
#define PLEX_BENCH_LISTING_GEN_H

#include <stddef.h>

#include "core/buf.h"

/* Append the listing of n movies ({"MediaContainer":{..., "Metadata":[...]}})
 * to out. Returns 0 or the buffer's error. The same n gives the same bytes. */
int bench_listing_make(plex__buf *out, size_t n);

#endif

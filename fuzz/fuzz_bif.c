/*
 * Fuzz target for the BIF decoder (src/lib/pms/bif.c: a Part's preview
 * thumbnails). Laws checked, against a plain reading of the format here:
 *   - a failure is PLEX_EPARSE or PLEX_ESCHEMA (fuzz_check_failure), and
 *     happens exactly when the reference reading finds the file broken;
 *   - a success gives the reference's pictures: their number, each one's
 *     time (timestamp x multiplier, 1000 for 0) and bytes, in time order;
 *   - plex_previews_find() gives, for positions around every picture's time
 *     and beyond both ends, the last picture at or before the position (the
 *     first one before all of them), as a linear scan does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/pms/playback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The reference: 1 if the file is a sound BIF (its count and multiplier out). */
static int reference_ok(const uint8_t *b, size_t size, uint64_t *n, uint64_t *mult)
{
    static const uint8_t magic[8] = {0x89, 'B', 'I', 'F', 0x0d, 0x0a, 0x1a, 0x0a};
    uint64_t first;

    if (size < 64 || memcmp(b, magic, 8) != 0 || rd32(b + 8) != 0)
        return 0;
    *n = rd32(b + 12);
    *mult = rd32(b + 16) ? rd32(b + 16) : 1000;
    first = 64 + (*n + 1) * 8;
    if (first > size)
        return 0;
    for (uint64_t i = 0; i <= *n; i++) {
        uint32_t ts = rd32(b + 64 + 8 * i), off = rd32(b + 64 + 8 * i + 4);
        if (off < first || off > size)
            return 0;
        if (i > 0 && off < rd32(b + 64 + 8 * (i - 1) + 4))
            return 0;
        if (i == *n && ts != 0xffffffffu)
            return 0;
        if (i < *n && (ts == 0xffffffffu || (i > 0 && ts < rd32(b + 64 + 8 * (i - 1))) ||
                       (uint64_t)ts * *mult > (uint64_t)INT64_MAX))
            return 0;
    }
    return 1;
}

/* The index of the picture a linear scan shows at position. */
static size_t scan(const plex_previews *p, int64_t position)
{
    size_t k = 0;
    plex_preview pv;

    for (size_t i = 0; i < plex_previews_count(p); i++)
        if (plex_previews_at(p, i, &pv) == 0 && pv.time_ms <= position)
            k = i;
    return k;
}

static void check_find(const plex_previews *p, int64_t position)
{
    plex_preview got, want;

    FUZZ_CHECK(plex_previews_find(p, position, &got) == 0, "find failed");
    FUZZ_CHECK(plex_previews_at(p, scan(p, position), &want) == 0, "at failed");
    FUZZ_CHECK(got.time_ms == want.time_ms && got.image == want.image && got.len == want.len,
               "find gave another picture than a scan");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plex_previews *p = NULL;
    plex_error err;
    uint64_t n = 0, mult = 0;
    int ok = reference_ok(data, size, &n, &mult);
    int rc = plex_previews_parse(&p, data, size, &err);

    if (rc != 0) {
        fuzz_check_failure(rc, p, &err, size);
        FUZZ_CHECK(!ok, "a sound BIF refused");
        return 0;
    }
    FUZZ_CHECK(ok, "a broken BIF accepted");
    FUZZ_CHECK(plex_previews_count(p) == n, "another number of pictures");
    for (size_t i = 0; i < n; i++) {
        plex_preview pv;
        uint32_t off = rd32(data + 64 + 8 * i + 4), end = rd32(data + 64 + 8 * (i + 1) + 4);
        FUZZ_CHECK(plex_previews_at(p, i, &pv) == 0, "at failed");
        FUZZ_CHECK(pv.time_ms == (int64_t)((uint64_t)rd32(data + 64 + 8 * i) * mult),
                   "another time");
        FUZZ_CHECK(pv.len == (size_t)(end - off), "another length");
        FUZZ_CHECK(pv.len == 0 || memcmp(pv.image, data + off, pv.len) == 0, "other bytes");
        if (i < 64) { /* around each time (the first ones: the scan is linear) */
            check_find(p, pv.time_ms);
            check_find(p, pv.time_ms - 1);
            check_find(p, pv.time_ms + 1);
        }
    }
    if (n > 0) {
        check_find(p, INT64_MIN);
        check_find(p, INT64_MAX);
    } else {
        plex_preview pv;
        FUZZ_CHECK(plex_previews_find(p, 0, &pv) == PLEX_ENOTFOUND, "a picture in an empty BIF");
    }
    plex_previews_free(p);
    return 0;
}

/*
 * Preview thumbnails without I/O: the BIF files of a media server
 * (plex/pms/playback.h, "preview thumbnails").
 *
 * BIF (Roku's "base index frames"), all integers 32-bit little-endian:
 *   0   magic 89 42 49 46 0d 0a 1a 0a
 *   8   version (0)
 *   12  N, the number of images
 *   16  the timestamp multiplier in ms (0: 1000)
 *   20  reserved up to 64
 *   64  N + 1 entries of (timestamp, offset): image i is the bytes from its
 *       offset to the next entry's, shown from timestamp * multiplier ms;
 *       the last entry's timestamp is 0xffffffff and its offset the end.
 * A decoded BIF is the struct with its frames (one allocation) and the
 * file's bytes: a copy, or the buffer a download filled (plex__bif_adopt).
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "bif.h"

#define BIF_HEADER 64
#define BIF_END 0xffffffffu

static const unsigned char bif_magic[8] = {0x89, 'B', 'I', 'F', 0x0d, 0x0a, 0x1a, 0x0a};

typedef struct frame {
    int64_t time_ms;
    size_t off, len;
} frame;

struct plex_previews {
    size_t count;
    frame *frames;       /* count of them, after the struct */
    unsigned char *data; /* the file's bytes, owned */
};

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Check a BIF and index it into a new struct (without its bytes). */
static int index_bif(plex_previews **out, const unsigned char *b, size_t len, plex_error *err)
{
    uint64_t n, mult, index_end;
    uint32_t prev_ts = 0, prev_off = 0;
    plex_previews *p;

    if (len < sizeof(bif_magic) || memcmp(b, bif_magic, sizeof(bif_magic)) != 0)
        return plex__error_syntax(err, 0, "not a BIF file");
    if (len < BIF_HEADER)
        return plex__error_syntax(err, len, "the BIF's header is cut short");
    if (u32(b + 8) != 0)
        return plex__error_set(err, PLEX_ESCHEMA, "BIF version %u is not known",
                               (unsigned)u32(b + 8));
    n = u32(b + 12);
    mult = u32(b + 16) ? u32(b + 16) : 1000;
    index_end = BIF_HEADER + (n + 1) * 8;
    if (index_end > len)
        return plex__error_syntax(err, len, "the BIF's index is cut short");
    for (uint64_t i = 0; i <= n; i++) {
        const unsigned char *e = b + BIF_HEADER + i * 8;
        uint32_t ts = u32(e), off = u32(e + 4);
        if (off < index_end || off > len || off < prev_off)
            return plex__error_set(err, PLEX_ESCHEMA, "image %llu of the BIF is out of place",
                                   (unsigned long long)i);
        if (i == n ? ts != BIF_END : (ts == BIF_END || ts < prev_ts))
            return plex__error_set(err, PLEX_ESCHEMA, "the BIF's timestamps are out of order");
        if (i < n && (uint64_t)ts * mult > (uint64_t)INT64_MAX)
            return plex__error_set(err, PLEX_ESCHEMA, "a BIF timestamp is too large");
        prev_ts = ts;
        prev_off = off;
    }
    if (!(p = plex__malloc(sizeof(*p) + (size_t)n * sizeof(frame))))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    p->count = (size_t)n;
    p->frames = (frame *)(void *)(p + 1);
    p->data = NULL;
    for (size_t i = 0; i < p->count; i++) {
        const unsigned char *e = b + BIF_HEADER + i * 8;
        p->frames[i].time_ms = (int64_t)((uint64_t)u32(e) * mult);
        p->frames[i].off = u32(e + 4);
        p->frames[i].len = u32(e + 12) - u32(e + 4);
    }
    *out = p;
    return 0;
}

int plex__bif_adopt(plex_previews **out, unsigned char *data, size_t len, plex_error *err)
{
    plex_previews *p = NULL;
    int rc = index_bif(&p, data, len, err);

    *out = NULL;
    if (rc || !p) {
        plex__free(data);
        return rc ? rc : PLEX_ERROR;
    }
    p->data = data;
    *out = p;
    return 0;
}

int plex_previews_parse(plex_previews **out, const void *data, size_t len, plex_error *err)
{
    unsigned char *copy;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "no place for the previews");
    *out = NULL;
    if (!data && len)
        return plex__error_set(err, PLEX_EINVALID, "no data");
    if (!(copy = plex__malloc(len ? len : 1)))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    if (len)
        memcpy(copy, data, len);
    return plex__bif_adopt(out, copy, len, err);
}

size_t plex_previews_count(const plex_previews *p)
{
    return p ? p->count : 0;
}

static void fill(const plex_previews *p, size_t i, plex_preview *out)
{
    out->time_ms = p->frames[i].time_ms;
    out->image = p->data + p->frames[i].off;
    out->len = p->frames[i].len;
}

int plex_previews_at(const plex_previews *p, size_t i, plex_preview *out)
{
    if (!p || !out || i >= p->count)
        return PLEX_EINVALID;
    fill(p, i, out);
    return 0;
}

int plex_previews_find(const plex_previews *p, int64_t position_ms, plex_preview *out)
{
    size_t lo = 0, hi;

    if (!p || !out)
        return PLEX_EINVALID;
    if (p->count == 0)
        return PLEX_ENOTFOUND;
    /* the last frame whose time is at or before the position (the first one
     * before it) */
    hi = p->count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->frames[mid].time_ms <= position_ms)
            lo = mid;
        else
            hi = mid;
    }
    fill(p, lo, out);
    return 0;
}

void plex_previews_free(plex_previews *p)
{
    if (!p)
        return;
    plex__free(p->data);
    plex__free(p);
}

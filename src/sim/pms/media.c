/*
 * Route group "media": what is not a document (PMS.md §4.4): part downloads
 * with byte ranges (their content generated from the seed, streamed, never
 * held), sidecar subtitles, artwork (thumb, art, banner, clearLogo,
 * composite: PNG pictures painted with the item's UltraBlurColors), theme
 * music, the photo transcoder (a PNG of the requested size) and the
 * server's resource images.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_IMAGE_SIDE 4096
#define THEME_SIZE ((int64_t)256 * 1024)

/* ---- streamed bytes ---- */

typedef struct part_stream {
    uint64_t seed;
    int64_t id;
    const char *container; /* static */
    uint64_t start, len;
} part_stream;

static long part_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    part_stream *ps = cls;
    size_t n;

    if (pos >= ps->len)
        return 0;
    n = ps->len - pos < max ? (size_t)(ps->len - pos) : max;
    pms_part_bytes(ps->seed, ps->id, ps->container, ps->start + pos, (unsigned char *)buf, n);
    return (long)n;
}

/* Parse a single byte range "bytes=a-b", "bytes=a-", "bytes=-n" against
 * size: 1 with [*a, *b], 0 for no (usable) range, -1 unsatisfiable. */
static int parse_range(const char *h, int64_t size, int64_t *a, int64_t *b)
{
    char first[24], last[24];
    const char *dash, *spec;
    size_t n1, n2;
    int64_t x = -1, y = -1;

    if (!h || strncasecmp(h, "bytes=", 6) != 0)
        return 0;
    spec = h + 6;
    while (*spec == ' ')
        spec++;
    if (strchr(spec, ',') || !(dash = strchr(spec, '-')))
        return 0; /* several ranges: the whole body (allowed by RFC 9110) */
    n1 = (size_t)(dash - spec);
    n2 = strlen(dash + 1);
    if (n1 >= sizeof(first) || n2 >= sizeof(last))
        return 0;
    memcpy(first, spec, n1);
    first[n1] = '\0';
    memcpy(last, dash + 1, n2 + 1);
    if ((n1 && (pms_parse_int(first, &x) != 0 || x < 0)) ||
        (n2 && (pms_parse_int(last, &y) != 0 || y < 0)) || (!n1 && !n2))
        return 0;
    if (!n1) { /* the last y bytes */
        if (y == 0)
            return -1;
        *a = y >= size ? 0 : size - y;
        *b = size - 1;
        return size > 0 ? 1 : -1;
    }
    if (x >= size)
        return -1;
    if (n2 && y < x)
        return 0;
    *a = x;
    *b = n2 && y < size ? y : size - 1;
    return 1;
}

static const char *mime_of(const char *container)
{
    static const char *const table[][2] = {{"mkv", "video/x-matroska"}, {"mp4", "video/mp4"},
                                           {"avi", "video/x-msvideo"},  {"flac", "audio/flac"},
                                           {"mp3", "audio/mpeg"},       {"jpeg", "image/jpeg"}};
    for (size_t i = 0; container && i < COUNT(table); i++)
        if (strcmp(table[i][0], container) == 0)
            return table[i][1];
    return "application/octet-stream";
}

/* Answer with bytes of a generated file of `size`, honouring Range. */
static void reply_bytes(pms_ctx *c, int64_t id, const char *container, int64_t size,
                        const char *content_type)
{
    const char *range = c->rq->lookup(c->rq->ctx, SIM_HEADER, "Range");
    int64_t a = 0, b = size - 1;
    int r = parse_range(range, size, &a, &b);
    part_stream *ps;

    if (r < 0) {
        pms_error(c, 416);
        sim_response_header(c->rs, "Content-Range", "bytes */%lld", (long long)size);
        return;
    }
    if (!(ps = malloc(sizeof(*ps)))) {
        pms_error(c, 500);
        return;
    }
    ps->seed = c->p->seed;
    ps->id = id;
    ps->container = container;
    ps->start = (uint64_t)a;
    ps->len = size > 0 ? (uint64_t)(b - a + 1) : 0;
    sim_response_dispose(c->rs);
    c->rs->status = r > 0 ? 206 : 200;
    c->rs->content_type = content_type;
    c->rs->stream.read = part_read;
    c->rs->stream.release = free;
    c->rs->stream.cls = ps;
    c->rs->stream.size = (int64_t)ps->len;
    sim_response_header(c->rs, "Accept-Ranges", "bytes");
    if (r > 0)
        sim_response_header(c->rs, "Content-Range", "bytes %lld-%lld/%lld", (long long)a,
                            (long long)b, (long long)size);
}

/* /library/parts/{id}/{changestamp}/file.ext (?download=1) */
static void part(pms_ctx *c)
{
    pms_item it;
    pms_media md;
    int64_t id;

    if (pms_parse_int(c->arg[0], &id) != 0 || pms_part_find(c->p, id, &it, &md) != 0) {
        pms_error(c, 404);
        return;
    }
    reply_bytes(c, md.part_id, md.container, md.size, mime_of(md.container));
    if (c->rs->status < 300 && pms_flag(c, "download")) {
        const char *base = strrchr(md.file, '/');
        char ascii[256], enc[512];
        size_t o = 0, e = 0;
        base = base ? base + 1 : md.file;
        /* an ASCII fallback name and the exact UTF-8 one (RFC 6266) */
        for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
            if (o + 1 < sizeof(ascii))
                ascii[o++] = (char)(*p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\' ? *p : '_');
            if (e + 4 < sizeof(enc)) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
                    enc[e++] = (char)*p;
                else
                    e += (size_t)snprintf(enc + e, sizeof(enc) - e, "%%%02X", *p);
            }
        }
        ascii[o] = '\0';
        enc[e] = '\0';
        sim_response_header(c->rs, "Content-Disposition",
                            "attachment; filename=\"%.200s\"; filename*=UTF-8''%.280s", ascii, enc);
    }
}

/* ---- stream selection ---- */

/* The stream of m with this id and type, or NULL. */
static const pms_stream *stream_of(const pms_media *m, int64_t id, int type)
{
    for (int i = 0; i < m->nstreams; i++)
        if (m->streams[i].id == id && m->streams[i].stream_type == type)
            return &m->streams[i];
    return NULL;
}

/* The stream of m like s (its type and language, its forced flag if one
 * has it too), for allParts; 0 when m has none in that language. */
static int64_t similar(const pms_media *m, const pms_stream *s)
{
    int64_t best = 0;

    for (int i = 0; i < m->nstreams; i++) {
        const pms_stream *t = &m->streams[i];
        if (t->stream_type != s->stream_type || !t->language_code || !s->language_code ||
            strcmp(t->language_code, s->language_code) != 0)
            continue;
        if (t->forced == s->forced)
            return t->id;
        if (!best)
            best = t->id;
    }
    return best;
}

/* PUT /library/parts/{id}?audioStreamID=&subtitleStreamID= (0: none)
 * &allParts=1: the user's streams, kept in the overlay; 400 for a stream
 * that is not one of the part's. */
static void select_streams(pms_ctx *c)
{
    pms_item it;
    pms_media md, other;
    const pms_stream *as = NULL, *ss = NULL;
    int64_t id, audio, subtitle;
    int mi, all = pms_flag(c, "allParts");

    if (pms_parse_int(c->arg[0], &id) != 0 || pms_part_find(c->p, id, &it, &md) != 0) {
        pms_error(c, 404);
        return;
    }
    if (pms_int_arg(c, "audioStreamID", 1, INT64_MAX, 0, &audio) != 0 ||
        pms_int_arg(c, "subtitleStreamID", 0, INT64_MAX, -1, &subtitle) != 0)
        return;
    if ((audio && !(as = stream_of(&md, audio, 2))) ||
        (subtitle > 0 && !(ss = stream_of(&md, subtitle, 3)))) {
        pms_error(c, 400); /* a stream of another part */
        return;
    }
    mi = (int)(md.id - it.rating_key * 4);
    for (int k = 0; k < it.nmedia; k++) {
        int64_t a = audio, s = subtitle == 0 ? -1 : subtitle < 0 ? 0 : subtitle;
        if (k != mi) {
            if (!all || pms_media_get(c->p, &it, k, &other) != 0)
                continue;
            a = as ? similar(&other, as) : 0;
            s = ss ? similar(&other, ss) : s;
        }
        if (pms_choose_streams(c->p, it.rating_key, k, a, s) != 0) {
            pms_error(c, 500);
            return;
        }
    }
    pms_reply_empty(c, 200);
}

/* ---- subtitles ---- */

/* /library/streams/{id} (or {id}.srt): a subtitle stream's text. */
static void stream(pms_ctx *c)
{
    char idtext[24];
    const char *dot = strchr(c->arg[0], '.');
    size_t n = dot ? (size_t)(dot - c->arg[0]) : strlen(c->arg[0]);
    int64_t id;
    pms_item it;
    pms_media md;
    const pms_stream *s;
    plex__buf b = PLEX__BUF_INIT;
    int ass;

    if (n >= sizeof(idtext)) {
        pms_error(c, 404);
        return;
    }
    memcpy(idtext, c->arg[0], n);
    idtext[n] = '\0';
    if (pms_parse_int(idtext, &id) != 0 || pms_stream_find(c->p, id, &it, &md, &s) != 0 ||
        s->stream_type != 3 || strcmp(s->codec, "pgs") == 0) {
        pms_error(c, 404); /* not a text subtitle (PGS is pictures) */
        return;
    }
    ass = strcmp(s->codec, "ass") == 0;
    if (ass)
        plex__buf_printf(&b,
                         "[Script Info]\nTitle: %s\nScriptType: v4.00+\n\n[Events]\n"
                         "Format: Layer, Start, End, Style, Text\n",
                         it.title);
    for (int i = 0; i < 12; i++) {
        int t = 5 + i * 7;
        if (ass)
            plex__buf_printf(&b, "Dialogue: 0,0:%02d:%02d.00,0:%02d:%02d.50,Default,%s (%s) %d\n",
                             t / 60, t % 60, (t + 4) / 60, (t + 4) % 60, it.title, s->language,
                             i + 1);
        else
            plex__buf_printf(&b, "%d\n00:%02d:%02d,000 --> 00:%02d:%02d,500\n%s (%s) %d\n\n", i + 1,
                             t / 60, t % 60, (t + 4) / 60, (t + 4) % 60, it.title, s->language,
                             i + 1);
    }
    pms_reply_body(c, &b,
                   ass ? "text/x-ssa; charset=utf-8" : "application/x-subrip; charset=utf-8");
}

/* ---- pictures ---- */

typedef struct painter {
    unsigned char c[4][3]; /* corners: top left, top right, bottom right, bottom left */
    int w, h;
    int band; /* a darker band across the lower part (posters) */
    int mark; /* x of a light bar 4 pixels wide (preview thumbnails), or -1 */
} painter;

/* A bilinear gradient of the corners in 16-pixel blocks (compresses well). */
static void paint(void *user, int x, int y, unsigned char rgb[3])
{
    const painter *p = user;
    int bx = x / 16 * 16 + 8, by = y / 16 * 16 + 8;
    int u = p->w > 1 ? bx * 256 / p->w : 0, v = p->h > 1 ? by * 256 / p->h : 0;

    if (u > 256)
        u = 256;
    if (v > 256)
        v = 256;
    if (p->mark >= 0 && x >= p->mark && x < p->mark + 4) {
        rgb[0] = rgb[1] = rgb[2] = 240;
        return;
    }
    for (int k = 0; k < 3; k++) {
        int top = p->c[0][k] * (256 - u) + p->c[1][k] * u;
        int bot = p->c[3][k] * (256 - u) + p->c[2][k] * u;
        int val = (top * (256 - v) + bot * v) >> 16;
        if (p->band && y > p->h * 3 / 4 && y < p->h * 7 / 8)
            val /= 2;
        rgb[k] = (unsigned char)(val > 255 ? 255 : val);
    }
}

/* Answer with the PNG of a painter's picture. */
static void reply_painted(pms_ctx *c, painter *p)
{
    unsigned char *png = NULL;
    size_t len = 0;

    if (sim_png(p->w, p->h, 3, 8, paint, p, &png, &len) != 0)
        png = NULL;
    pms_reply_bytes(c, (char *)png, len, "image/png");
}

/* A picture: PNG bytes of w x h painted for `seed_key`. */
static void reply_picture(pms_ctx *c, int64_t key, int w, int h, int band)
{
    painter p;

    pms_item_colors(key, c->p->seed, p.c);
    p.w = w;
    p.h = h;
    p.band = band;
    p.mark = -1;
    reply_painted(c, &p);
}

/* The natural size of an item's picture of a kind. */
static void natural_size(const pms_item *it, const char *what, int *w, int *h)
{
    if (strcmp(what, "art") == 0) {
        *w = 1280;
        *h = 720;
    } else if (strcmp(what, "banner") == 0) {
        *w = 1000;
        *h = 185;
    } else if (strcmp(what, "clearLogo") == 0) {
        *w = 800;
        *h = 310;
    } else if (strcmp(what, "composite") == 0 ||
               (it &&
                (it->kind == PMS_K_ALBUM || it->kind == PMS_K_ARTIST || it->kind == PMS_K_TRACK))) {
        *w = 600;
        *h = 600;
    } else if (it && (it->kind == PMS_K_EPISODE || it->kind == PMS_K_CLIP)) {
        *w = 640;
        *h = 360;
    } else if (it && it->kind == PMS_K_PHOTO) {
        *w = 480;
        *h = 360;
    } else {
        *w = 400;
        *h = 600;
    }
}

/* "PREFIX{id}/{what}" or "PREFIX{id}/{what}/{anything}": 0 with the id and
 * what, or -1. */
static int path_id(const char *path, const char *prefix, int64_t *id, char *what, size_t size)
{
    size_t n = strlen(prefix), idlen, wlen;
    const char *p, *slash, *end;
    char num[24];

    if (strncmp(path, prefix, n) != 0)
        return -1;
    p = path + n;
    if (!(slash = strchr(p, '/')) || (idlen = (size_t)(slash - p)) == 0 || idlen >= sizeof(num))
        return -1;
    memcpy(num, p, idlen);
    num[idlen] = '\0';
    end = strchr(slash + 1, '/');
    wlen = end ? (size_t)(end - slash - 1) : strlen(slash + 1);
    if (pms_parse_int(num, id) != 0 || wlen == 0 || wlen >= size)
        return -1;
    memcpy(what, slash + 1, wlen);
    what[wlen] = '\0';
    return 0;
}

/* What an image path names: an item's picture, a section's or collection's
 * composite, or a resource. 0 with *key and the natural size, or -1. */
static int resolve_image(pms_ctx *c, const char *path, int64_t *key, int *w, int *h, int *band)
{
    static const char *const kinds[] = {"thumb",     "art",       "banner",
                                        "clearLogo", "composite", "poster"};
    char what[32];
    int64_t id;
    pms_item it;

    *band = 0;
    if (path_id(path, "/library/metadata/", &id, what, sizeof(what)) == 0) {
        size_t i;
        for (i = 0; i < COUNT(kinds) && strcmp(kinds[i], what) != 0; i++)
            ;
        if (i == COUNT(kinds) || pms_item_get(c->p, id, &it) != 0)
            return -1;
        natural_size(&it, what, w, h);
        *key = id * 8 + (int64_t)i;
        *band = strcmp(what, "thumb") == 0 && *h > *w;
        return 0;
    }
    if (path_id(path, "/library/sections/", &id, what, sizeof(what)) == 0 &&
        strcmp(what, "composite") == 0 && id >= 1 && id <= PMS_NSECTIONS) {
        *key = -id;
        *w = *h = 600;
        return 0;
    }
    if (path_id(path, "/library/collections/", &id, what, sizeof(what)) == 0 &&
        strcmp(what, "composite") == 0 && pms_collection_find(c->p, id)) {
        *key = id * 8 + 4;
        *w = *h = 600;
        return 0;
    }
    if (strncmp(path, "/:/resources/", 13) == 0 && path[13] && !strchr(path + 13, '/')) {
        uint64_t h64 = 1469598103934665603ull;
        for (const char *q = path + 13; *q; q++)
            h64 = (h64 ^ (unsigned char)*q) * 1099511628211ull;
        *key = -(int64_t)(h64 >> 20) - 100;
        *w = strstr(path, "fanart") || strstr(path, "art.") ? 1280 : 256;
        *h = strstr(path, "fanart") || strstr(path, "art.") ? 720 : 256;
        return 0;
    }
    return -1;
}

/* Direct image paths: /library/metadata/{id}/thumb/{t} and the like. */
static void image(pms_ctx *c)
{
    int64_t key;
    int w, h, band;

    if (resolve_image(c, c->rq->path, &key, &w, &h, &band) != 0) {
        pms_error(c, 404);
        return;
    }
    reply_picture(c, key, w, h, band);
}

/* /library/metadata/{id}/theme/{t}: the show's theme music (generated bytes). */
static void theme(pms_ctx *c)
{
    pms_item it;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    reply_bytes(c, it.rating_key * 16 + 3, "mp3", THEME_SIZE, "audio/mpeg");
}

/* The path an image URL names: "/library/...", or a URL of this server
 * (loopback or a plex.direct name: we never fetch anything else). */
static const char *url_path(const char *url, char *buf, size_t size)
{
    const char *p = url, *q;
    size_t n;

    if (strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0) {
        const char *host = strstr(p, "://") + 3, *end = host + strcspn(host, "/?#");
        const char *colon = memchr(host, ':', (size_t)(end - host));
        size_t hl = (size_t)((colon && host[0] != '[' ? colon : end) - host);
        int local = (hl >= 4 && strncmp(host, "127.", 4) == 0) ||
                    (hl == 9 && strncmp(host, "localhost", 9) == 0) ||
                    (hl >= 5 && strncmp(host, "[::1]", 5) == 0) ||
                    (hl > 12 && strncmp(host + hl - 12, ".plex.direct", 12) == 0);
        if (!local)
            return NULL;
        p = end;
    }
    if (*p != '/')
        return NULL;
    q = p + strcspn(p, "?#");
    n = (size_t)(q - p);
    if (n >= size)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* /photo/:/transcode?url=&width=&height=: the picture at exactly that size
 * (PNG whatever `format` asks). */
static void transcode(pms_ctx *c)
{
    const char *url = pms_arg(c, "url");
    char buf[512];
    const char *path;
    int64_t key, w, h;
    int nw, nh, band;

    if (!url || !*url) {
        pms_error(c, 400);
        return;
    }
    if (!(path = url_path(url, buf, sizeof(buf))) ||
        resolve_image(c, path, &key, &nw, &nh, &band) != 0) {
        pms_error(c, 404);
        return;
    }
    if (pms_int_arg(c, "width", 1, MAX_IMAGE_SIDE, nw, &w) != 0 ||
        pms_int_arg(c, "height", 1, MAX_IMAGE_SIDE, nh, &h) != 0)
        return;
    reply_picture(c, key, (int)w, (int)h, band);
}

/* ---- preview thumbnails ---- */

#define PREVIEW_INTERVAL_MS 10000 /* the interval of a BIF asked for without one */
#define PREVIEW_MIN_INTERVAL_MS 2000
#define PREVIEW_W 160
#define PREVIEW_H 90

/* The preview picture of an item at a time: its colours, a light bar as far
 * across as the time is into the item. */
static void preview_painter(pms_ctx *c, const pms_item *it, int64_t time_ms, painter *p)
{
    pms_item_colors(it->rating_key, c->p->seed, p->c);
    p->w = PREVIEW_W;
    p->h = PREVIEW_H;
    p->band = 0;
    p->mark = (int)(time_ms * (PREVIEW_W - 4) / it->duration);
}

/* The item of a part with previews ({id}/indexes/sd), or -1 after a 404. */
static int preview_item(pms_ctx *c, pms_item *it)
{
    pms_media md;
    int64_t id;

    if (pms_parse_int(c->arg[0], &id) != 0 || pms_part_find(c->p, id, it, &md) != 0 ||
        strcmp(c->arg[1], "sd") != 0 || !md.indexes || it->duration <= 0) {
        pms_error(c, 404);
        return -1;
    }
    return 0;
}

static void put_u32(plex__buf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    plex__buf_put(b, le, 4);
}

/* GET /library/parts/{id}/indexes/sd?interval=MS: a BIF of a picture every
 * interval (404 below 2 s, as PMS for an interval too small). */
static void previews(pms_ctx *c)
{
    static const unsigned char magic[8] = {0x89, 'B', 'I', 'F', 0x0d, 0x0a, 0x1a, 0x0a};
    const char *iv_arg = pms_arg(c, "interval");
    int64_t iv = PREVIEW_INTERVAL_MS;
    unsigned char **pngs;
    size_t *lens, off;
    uint32_t mult;
    plex__buf b = PLEX__BUF_INIT;
    pms_item it;
    long n;
    int failed = 0;

    if (preview_item(c, &it) != 0)
        return;
    if (iv_arg &&
        (pms_parse_int(iv_arg, &iv) != 0 || iv < PREVIEW_MIN_INTERVAL_MS || iv > it.duration)) {
        pms_error(c, 404);
        return;
    }
    n = (long)((it.duration + iv - 1) / iv);
    pngs = calloc((size_t)n, sizeof(*pngs));
    lens = calloc((size_t)n, sizeof(*lens));
    for (long i = 0; i < n && pngs && lens && !failed; i++) {
        painter pt;
        preview_painter(c, &it, i * iv, &pt);
        failed = sim_png(pt.w, pt.h, 3, 8, paint, &pt, &pngs[i], &lens[i]) != 0;
    }
    if (!pngs || !lens || failed) {
        for (long i = 0; pngs && i < n; i++)
            free(pngs[i]);
        free(pngs);
        free(lens);
        pms_error(c, 500);
        return;
    }
    /* timestamps in seconds when the interval allows it, else in ms */
    mult = iv % 1000 == 0 ? 1000 : 1;
    plex__buf_put(&b, magic, sizeof(magic));
    put_u32(&b, 0);
    put_u32(&b, (uint32_t)n);
    put_u32(&b, mult);
    for (int k = 20; k < 64; k++)
        plex__buf_putc(&b, 0);
    off = 64 + ((size_t)n + 1) * 8;
    for (long i = 0; i < n; i++) {
        put_u32(&b, (uint32_t)(i * iv / mult));
        put_u32(&b, (uint32_t)off);
        off += lens[i];
    }
    put_u32(&b, 0xffffffffu);
    put_u32(&b, (uint32_t)off);
    for (long i = 0; i < n; i++) {
        plex__buf_put(&b, pngs[i], lens[i]);
        free(pngs[i]);
    }
    free(pngs);
    free(lens);
    pms_reply_body(c, &b, "application/octet-stream");
}

/* GET /library/parts/{id}/indexes/sd/{offset}: the picture shown at offset
 * ms (the BIF's at its default interval: the same bytes). */
static void preview(pms_ctx *c)
{
    painter p;
    pms_item it;
    int64_t at;

    if (preview_item(c, &it) != 0)
        return;
    if (pms_parse_int(c->arg[2], &at) != 0 || at < 0 || at >= it.duration) {
        pms_error(c, 404);
        return;
    }
    preview_painter(c, &it, at - at % PREVIEW_INTERVAL_MS, &p);
    reply_painted(c, &p);
}

#define PICTURE(what)                                                                              \
    {"GET", "/library/metadata/{id}/" what, image, 0},                                             \
    {                                                                                              \
        "GET", "/library/metadata/{id}/" what "/{t}", image, 0                                     \
    }

static const pms_route routes[] = {
    /* before the part's own route, which the index's path would match too */
    {"GET", "/library/parts/{id}/indexes/{index}", previews, 0},
    {"GET", "/library/parts/{id}/indexes/{index}/{offset}", preview, 0},
    {"GET", "/library/parts/{id}/{changestamp}/{file}", part, 0},
    {"PUT", "/library/parts/{id}", select_streams, 0},
    {"GET", "/library/streams/{id}", stream, 0},
    PICTURE("thumb"),
    PICTURE("art"),
    PICTURE("banner"),
    PICTURE("clearLogo"),
    PICTURE("composite"),
    PICTURE("poster"),
    {"GET", "/library/metadata/{id}/theme", theme, 0},
    {"GET", "/library/metadata/{id}/theme/{t}", theme, 0},
    {"GET", "/library/sections/{id}/composite/{t}", image, 0},
    {"GET", "/library/collections/{id}/composite/{t}", image, 0},
    {"GET", "/photo/:/transcode", transcode, 0},
    {"GET", "/:/resources/{name}", image, 0},
};

const pms_group pms_group_media = PMS_GROUP("media", routes);

/*
 * A /library/sections/1/all JSON listing of movies for bench_listing, made
 * deterministically (no network) by the library's own model writer from
 * plausible data: each movie has the attributes a real server's section
 * listing carries, its Media and Part, images, ultra-blur colours, external
 * Guids, Ratings, and many full tags (Genre, Country, Director, Writer,
 * Producer, Role with character and photo, sometimes Collection and Label):
 * about 4.5 KB per movie, as issue 15's reference listing (225 MB for
 * 50,000). Text is UTF-8 with some accented and CJK titles and names, and
 * summaries with escaped quotes.
 *
 * Items are filled in through the schemas' field tables by wire name, so the
 * generator follows the models as they change; the writer puts the members
 * in table order (the server's order, per the .model files).
 */
#include "listing_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "pms/models.gen.h"

/* ---- a bump allocator for one item at a time ---- */

#define POOL_SIZE ((size_t)1 << 20)

typedef struct gen {
    char *pool;
    size_t used;
    uint64_t rng;
} gen;

static void *take(gen *g, size_t n)
{
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (g->used + n > POOL_SIZE) {
        fprintf(stderr, "listing_gen: item pool exhausted\n");
        abort();
    }
    p = g->pool + g->used;
    g->used += n;
    memset(p, 0, n);
    return p;
}

static char *fmt(gen *g, const char *f, ...) PLEX__PRINTF(2, 3);

static char *fmt(gen *g, const char *f, ...)
{
    va_list ap;
    char tmp[2048];
    char *s;
    int n;

    va_start(ap, f);
    n = vsnprintf(tmp, sizeof(tmp), f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        abort();
    s = take(g, (size_t)n + 1);
    memcpy(s, tmp, (size_t)n + 1);
    return s;
}

/* splitmix64 */
static uint64_t next(gen *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(gen *g, unsigned n)
{
    return (unsigned)(next(g) % n);
}

static int chance(gen *g, unsigned percent)
{
    return pick(g, 100) < percent;
}

#define ONE_OF(g, arr) (arr)[pick(g, (unsigned)(sizeof(arr) / sizeof((arr)[0])))]

/* ---- setting fields by wire name ---- */

static const plex__field *field(const plex__schema *s, const char *name)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return &s->fields[i];
    fprintf(stderr, "listing_gen: %s has no field %s\n", s->name, name);
    abort();
}

static void *slot_of(const plex__schema *s, void *obj, const char *name)
{
    const plex__field *f = field(s, name);
    uint32_t *present = (uint32_t *)(void *)((char *)obj + s->present_offset);

    present[f->bit / 32] |= 1u << (f->bit % 32);
    return (char *)obj + f->offset;
}

static void *new_obj(gen *g, const plex__schema *s)
{
    void *obj = take(g, s->size);
    for (size_t i = 0; i < s->nbools; i++)
        *(plex_opt_bool *)(void *)((char *)obj + s->bools[i]) = PLEX_ABSENT;
    return obj;
}

static void put_str(const plex__schema *s, void *obj, const char *name, const char *v)
{
    *(const char **)slot_of(s, obj, name) = v;
}

static void put_int(const plex__schema *s, void *obj, const char *name, int64_t v)
{
    const plex__field *f = field(s, name);
    void *slot = slot_of(s, obj, name);

    if (f->kind == PLEX__F_INT32)
        *(int32_t *)slot = (int32_t)v;
    else
        *(int64_t *)slot = v;
}

static void put_f64(const plex__schema *s, void *obj, const char *name, double v)
{
    *(double *)slot_of(s, obj, name) = v;
}

static void put_bool(const plex__schema *s, void *obj, const char *name, int v)
{
    *(plex_opt_bool *)slot_of(s, obj, name) = v ? PLEX_TRUE : PLEX_FALSE;
}

static void put_list(const plex__schema *s, void *obj, const char *name, void **items, size_t n)
{
    void **slot = slot_of(s, obj, name);
    slot[0] = items;
    *(size_t *)(void *)(slot + 1) = n;
}

static void put_obj(const plex__schema *s, void *obj, const char *name, void *sub)
{
    *(void **)slot_of(s, obj, name) = sub;
}

/* ---- plausible data ---- */

static const char *const words[] = {
    "Last",    "Night",    "City",   "River",   "Shadow", "Light",   "Storm",    "Garden",
    "Silent",  "Broken",   "Golden", "Winter",  "Summer", "Empire",  "Secret",   "Journey",
    "Return",  "Edge",     "Heart",  "Fire",    "Ocean",  "Road",    "Dream",    "Ghost",
    "Kingdom", "Stranger", "Hunter", "Machine", "Signal", "Horizon", "Paradise", "Crown",
    "Amélie",  "Über",     "Señor",  "Noël",    "東京",   "Mañana",  "Café",     "Zoë"};
static const char *const first_names[] = {
    "James", "Mary",  "Robert", "Patricia", "John",    "Jennifer", "Michael", "Linda",
    "David", "Elena", "Pierre", "Ingrid",   "Hiroshi", "Zoë",      "José",    "Björn",
    "Chloé", "Ana",   "Marco",  "Yuki",     "Omar",    "Priya",    "Lars",    "Noémie"};
static const char *const last_names[] = {
    "Smith",  "Johnson", "Williams", "Brown",  "Jones",    "García",    "Miller",   "Davis",
    "Müller", "Dubois",  "Rossi",    "Tanaka", "Nakamura", "Andersson", "Kowalski", "Silva",
    "Nguyen", "O'Brien", "Schmidt",  "Moreau", "Okafor",   "Fernández", "Larsen",   "Ivanova"};
static const char *const genres[] = {
    "Action",          "Adventure", "Animation", "Comedy",  "Crime",       "Drama",
    "Family",          "Fantasy",   "History",   "Horror",  "Mystery",     "Romance",
    "Science Fiction", "Thriller",  "War",       "Western", "Documentary", "Music"};
static const char *const countries[] = {"United States of America",
                                        "United Kingdom",
                                        "France",
                                        "Germany",
                                        "Japan",
                                        "Canada",
                                        "Italy",
                                        "Spain",
                                        "South Korea",
                                        "Australia",
                                        "Sweden",
                                        "India"};
static const char *const studios[] = {"Warner Bros. Pictures",
                                      "Universal Pictures",
                                      "Paramount Pictures",
                                      "Columbia Pictures",
                                      "Studio Ghibli",
                                      "A24",
                                      "Lionsgate",
                                      "StudioCanal",
                                      "Toho",
                                      "Gaumont"};
static const char *const ratings[] = {"G", "PG", "PG-13", "R", "NC-17", "NR", "TV-MA"};
static const char *const vcodecs[] = {"h264", "hevc", "h264", "hevc", "mpeg4", "vc1"};
static const char *const acodecs[] = {"aac", "ac3", "eac3", "dca", "truehd", "flac"};
static const char *const resolutions[] = {"sd", "480", "720", "1080", "1080", "4k"};
static const char *const containers[] = {"mkv", "mp4", "mkv", "avi", "mkv"};
static const char *const labels[] = {"Favourites", "Kids", "Watch later", "4K HDR"};
static const char *const summary_words[] = {
    "a",       "the",     "young",   "detective", "must",    "find",   "her",     "missing",
    "brother", "before",  "winter",  "falls",     "on",      "city",   "where",   "nothing",
    "is",      "what",    "seems",   "and",       "every",   "secret", "has",     "price",
    "when",    "an",      "old",     "friend",    "returns", "with",   "map",     "to",
    "lost",    "fortune", "crew",    "of",        "misfits", "sets",   "out",     "across",
    "ocean",   "pursued", "by",      "rival",     "who",     "will",   "stop",    "at",
    "—",       "naïve",   "déjà vu", "café",      "storm",   "signal", "machine", "dream"};

static char *title_of(gen *g)
{
    unsigned n = 1 + pick(g, 3);
    char buf[256];
    size_t len = 0;

    if (chance(g, 30))
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "The ");
    for (unsigned i = 0; i < n; i++)
        len +=
            (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", ONE_OF(g, words));
    return fmt(g, "%s", buf);
}

static char *slug_of(gen *g, const char *title)
{
    char buf[256];
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)title; *p && o + 2 < sizeof(buf); p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            buf[o++] = (char)(*p | 0x20);
        else if (*p == ' ' && o && buf[o - 1] != '-')
            buf[o++] = '-';
    }
    buf[o] = '\0';
    return fmt(g, "%s", buf);
}

static char *person(gen *g)
{
    return fmt(g, "%s %s", ONE_OF(g, first_names), ONE_OF(g, last_names));
}

static char *summary_of(gen *g)
{
    unsigned n = 40 + pick(g, 50);
    char buf[1536];
    size_t len = 0;

    for (unsigned i = 0; i < n; i++) {
        const char *w = ONE_OF(g, summary_words);
        if (i == n / 2)
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, " \"%s\"", w);
        else
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", w);
    }
    snprintf(buf + len, sizeof(buf) - len, ".");
    buf[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 32 : buf[0]);
    return fmt(g, "%s", buf);
}

static char *hex24(gen *g)
{
    uint64_t a = next(g), b = next(g);
    return fmt(g, "%016llx%08llx", (unsigned long long)a, (unsigned long long)(b & 0xFFFFFFFFu));
}

/* n full tags of one kind: {tag, id, filter, tagKey[, thumb, role]} */
static void put_tags(gen *g, void *item, const char *name, const char *filter, unsigned n,
                     const char *const *names, unsigned nnames, int people)
{
    const plex__schema *ts = &plex__tag_schema;
    void **items;

    if (n == 0)
        return;
    items = take(g, n * sizeof(void *));
    for (unsigned i = 0; i < n; i++) {
        void *t = new_obj(g, ts);
        int64_t id = 100 + (int64_t)pick(g, 900000);
        put_str(ts, t, "tag", people ? person(g) : names[pick(g, nnames)]);
        put_int(ts, t, "id", id);
        put_str(ts, t, "filter", fmt(g, "%s=%lld", filter, (long long)id));
        if (people) {
            char *key = hex24(g);
            put_str(ts, t, "tagKey", key);
            if (strcmp(name, "Role") == 0)
                put_str(ts, t, "role", chance(g, 20) ? fmt(g, "Self") : person(g));
            if (chance(g, 70))
                put_str(ts, t, "thumb",
                        fmt(g, "https://metadata-static.plex.tv/%c/people/%s.jpg", key[0], key));
        }
        items[i] = t;
    }
    put_list(&plex__metadata_schema, item, name, items, n);
}

static void *media_of(gen *g, int64_t rk, const char *title, int year, int64_t duration)
{
    const plex__schema *ms = &plex__media_schema, *ps = &plex__part_schema;
    void *m = new_obj(g, ms), *p = new_obj(g, ps), **parts = take(g, sizeof(void *));
    const char *res = ONE_OF(g, resolutions), *vc = ONE_OF(g, vcodecs), *ac = ONE_OF(g, acodecs);
    const char *cont = ONE_OF(g, containers);
    int w = strcmp(res, "4k") == 0     ? 3840
            : strcmp(res, "1080") == 0 ? 1920
            : strcmp(res, "720") == 0  ? 1280
                                       : 720;
    int h = w * 9 / 16;
    int64_t bitrate = 1500 + pick(g, 40000), id = rk * 3 + pick(g, 3);

    put_int(ms, m, "id", id);
    put_int(ms, m, "duration", duration);
    put_int(ms, m, "bitrate", bitrate);
    put_int(ms, m, "width", w);
    put_int(ms, m, "height", h);
    put_f64(ms, m, "aspectRatio", chance(g, 70) ? 1.78 : 2.35);
    put_int(ms, m, "audioChannels", chance(g, 60) ? 6 : 2);
    put_str(ms, m, "audioCodec", ac);
    put_str(ms, m, "videoCodec", vc);
    put_str(ms, m, "videoResolution", res);
    put_str(ms, m, "container", cont);
    put_str(ms, m, "videoFrameRate", chance(g, 80) ? "24p" : "PAL");
    if (chance(g, 50))
        put_str(ms, m, "audioProfile", "lc");
    put_str(ms, m, "videoProfile", strcmp(vc, "hevc") == 0 ? "main 10" : "high");
    if (chance(g, 30))
        put_bool(ms, m, "optimizedForStreaming", 1);
    if (chance(g, 20))
        put_bool(ms, m, "has64bitOffsets", 0);

    put_int(ps, p, "id", id * 2);
    put_str(ps, p, "key",
            fmt(g, "/library/parts/%lld/1700%06u/file.%s", (long long)(id * 2), pick(g, 1000000),
                cont));
    put_int(ps, p, "duration", duration);
    put_str(
        ps, p, "file",
        fmt(g, "/data/media/movies/%s (%d)/%s (%d) - %s.%s", title, year, title, year, res, cont));
    put_int(ps, p, "size", (int64_t)bitrate * duration / 8);
    put_str(ps, p, "container", cont);
    put_str(ps, p, "videoProfile", strcmp(vc, "hevc") == 0 ? "main 10" : "high");
    if (chance(g, 50))
        put_str(ps, p, "audioProfile", "lc");
    if (chance(g, 60))
        put_str(ps, p, "indexes", "sd");
    if (chance(g, 30))
        put_bool(ps, p, "hasThumbnail", 1);
    parts[0] = p;
    put_list(ms, m, "Part", parts, 1);
    return m;
}

/* Movie i of the section (ratingKey 1000 + i). */
static void *movie(gen *g, size_t i)
{
    const plex__schema *s = &plex__metadata_schema;
    void *m = new_obj(g, s);
    int64_t rk = 1000 + (int64_t)i;
    int64_t added = 1500000000 + (int64_t)pick(g, 200000000);
    int64_t updated = added + (int64_t)pick(g, 10000000);
    int year = 1950 + (int)pick(g, 75);
    int64_t duration = (int64_t)(80 + pick(g, 100)) * 60000 + pick(g, 60000);
    char *title = title_of(g);
    unsigned nmedia = chance(g, 15) ? 2 : 1;
    void **media = take(g, nmedia * sizeof(void *)), **images, **guids, **rs;
    static const char *const image_types[] = {"coverPoster", "background", "clearLogo"};
    const plex__schema *is = &plex__image_schema, *gs = &plex__guid_schema,
                       *rs_s = &plex__rating_schema, *us = &plex__ultrablur_schema;
    void *ub;

    put_str(s, m, "ratingKey", fmt(g, "%lld", (long long)rk));
    put_str(s, m, "key", fmt(g, "/library/metadata/%lld", (long long)rk));
    put_str(s, m, "guid", fmt(g, "plex://movie/%s", hex24(g)));
    put_str(s, m, "slug", slug_of(g, title));
    put_str(s, m, "studio", ONE_OF(g, studios));
    put_str(s, m, "type", "movie");
    put_str(s, m, "title", title);
    if (strncmp(title, "The ", 4) == 0)
        put_str(s, m, "titleSort", fmt(g, "%s, The", title + 4));
    if (chance(g, 15))
        put_str(s, m, "originalTitle", title_of(g));
    put_str(s, m, "contentRating", ONE_OF(g, ratings));
    put_str(s, m, "summary", summary_of(g));
    put_f64(s, m, "audienceRating", (double)pick(g, 101) / 10);
    put_str(s, m, "audienceRatingImage", "rottentomatoes://image.rating.upright");
    put_f64(s, m, "rating", (double)pick(g, 101) / 10);
    put_str(s, m, "ratingImage", "rottentomatoes://image.rating.ripe");
    if (chance(g, 10))
        put_int(s, m, "viewOffset", pick(g, (unsigned)duration));
    if (chance(g, 30)) {
        put_int(s, m, "viewCount", 1 + pick(g, 4));
        put_int(s, m, "lastViewedAt", updated + pick(g, 1000000));
    }
    put_int(s, m, "year", year);
    if (chance(g, 70))
        put_str(s, m, "tagline", fmt(g, "%s %s.", ONE_OF(g, words), ONE_OF(g, summary_words)));
    put_str(s, m, "thumb",
            fmt(g, "/library/metadata/%lld/thumb/%lld", (long long)rk, (long long)updated));
    put_str(s, m, "art",
            fmt(g, "/library/metadata/%lld/art/%lld", (long long)rk, (long long)updated));
    put_int(s, m, "duration", duration);
    put_str(s, m, "originallyAvailableAt",
            fmt(g, "%04d-%02u-%02u", year, 1 + pick(g, 12), 1 + pick(g, 28)));
    put_int(s, m, "addedAt", added);
    put_int(s, m, "updatedAt", updated);
    if (chance(g, 50))
        put_str(s, m, "chapterSource", "media");
    if (chance(g, 60))
        put_str(s, m, "primaryExtraKey",
                fmt(g, "/library/metadata/%lld", (long long)(rk + 500000)));
    if (chance(g, 40))
        put_bool(s, m, "hasPremiumPrimaryExtra", 1);

    for (unsigned k = 0; k < nmedia; k++)
        media[k] = media_of(g, rk + (int64_t)k * 7, title, year, duration);
    put_list(s, m, "Media", media, nmedia);
    put_tags(g, m, "Genre", "genre", 2 + pick(g, 3), genres, sizeof(genres) / sizeof(genres[0]), 0);
    put_tags(g, m, "Country", "country", 1 + pick(g, 2), countries,
             sizeof(countries) / sizeof(countries[0]), 0);
    put_tags(g, m, "Director", "director", 1 + pick(g, 2), NULL, 0, 1);
    put_tags(g, m, "Writer", "writer", 1 + pick(g, 3), NULL, 0, 1);
    put_tags(g, m, "Producer", "producer", pick(g, 3), NULL, 0, 1);
    put_tags(g, m, "Role", "actor", 5 + pick(g, 10), NULL, 0, 1);
    if (chance(g, 20))
        put_tags(g, m, "Collection", "collection", 1, words, sizeof(words) / sizeof(words[0]), 0);
    if (chance(g, 15))
        put_tags(g, m, "Label", "label", 1, labels, sizeof(labels) / sizeof(labels[0]), 0);

    guids = take(g, 3 * sizeof(void *));
    for (unsigned k = 0; k < 3; k++) {
        void *gd = new_obj(g, gs);
        put_str(gs, gd, "id",
                k == 0   ? fmt(g, "imdb://tt%07u", pick(g, 9999999))
                : k == 1 ? fmt(g, "tmdb://%u", 1 + pick(g, 999999))
                         : fmt(g, "tvdb://%u", 1 + pick(g, 999999)));
        guids[k] = gd;
    }
    put_list(s, m, "Guid", guids, 3);

    images = take(g, 3 * sizeof(void *));
    for (unsigned k = 0; k < 3; k++) {
        void *im = new_obj(g, is);
        put_str(is, im, "type", image_types[k]);
        put_str(is, im, "url",
                fmt(g, "/library/metadata/%lld/%s/%lld", (long long)rk,
                    k == 0   ? "thumb"
                    : k == 1 ? "art"
                             : "clearLogo",
                    (long long)updated));
        put_str(is, im, "alt", title);
        images[k] = im;
    }
    put_list(s, m, "Image", images, 3);

    rs = take(g, 2 * sizeof(void *));
    for (unsigned k = 0; k < 2; k++) {
        void *r = new_obj(g, rs_s);
        put_str(rs_s, r, "image",
                k ? "rottentomatoes://image.rating.upright" : "imdb://image.rating");
        put_str(rs_s, r, "type", k ? "audience" : "critic");
        put_f64(rs_s, r, "value", (double)pick(g, 101) / 10);
        rs[k] = r;
    }
    put_list(s, m, "Rating", rs, 2);

    ub = new_obj(g, us);
    put_str(us, ub, "topLeft", fmt(g, "%06x", pick(g, 0x1000000)));
    put_str(us, ub, "topRight", fmt(g, "%06x", pick(g, 0x1000000)));
    put_str(us, ub, "bottomRight", fmt(g, "%06x", pick(g, 0x1000000)));
    put_str(us, ub, "bottomLeft", fmt(g, "%06x", pick(g, 0x1000000)));
    put_obj(s, m, "UltraBlurColors", ub);
    return m;
}

int bench_listing_make(plex__buf *out, size_t n)
{
    plex__json_writer w;
    gen g = {NULL, 0, 0};

    if (!(g.pool = malloc(POOL_SIZE)))
        return PLEX_ENOMEM;
    plex__jw_init(&w, out);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "MediaContainer");
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "size");
    plex__jw_int(&w, (int64_t)n);
    plex__jw_key(&w, "totalSize");
    plex__jw_int(&w, (int64_t)n);
    plex__jw_key(&w, "offset");
    plex__jw_int(&w, 0);
    plex__jw_key(&w, "allowSync");
    plex__jw_bool(&w, 1);
    plex__jw_key(&w, "art");
    plex__jw_string(&w, "/:/resources/movie-fanart.jpg");
    plex__jw_key(&w, "content");
    plex__jw_string(&w, "secondary");
    plex__jw_key(&w, "identifier");
    plex__jw_string(&w, "com.plexapp.plugins.library");
    plex__jw_key(&w, "librarySectionID");
    plex__jw_int(&w, 1);
    plex__jw_key(&w, "librarySectionTitle");
    plex__jw_string(&w, "Movies");
    plex__jw_key(&w, "librarySectionUUID");
    plex__jw_string(&w, "1c3e8a2f-5d7b-4c1e-9f0a-2b6d8e4c7a91");
    plex__jw_key(&w, "mediaTagPrefix");
    plex__jw_string(&w, "/system/bundle/media/flags/");
    plex__jw_key(&w, "mediaTagVersion");
    plex__jw_int(&w, 1700000000);
    plex__jw_key(&w, "thumb");
    plex__jw_string(&w, "/:/resources/movie.png");
    plex__jw_key(&w, "title1");
    plex__jw_string(&w, "Movies");
    plex__jw_key(&w, "title2");
    plex__jw_string(&w, "All Movies");
    plex__jw_key(&w, "viewGroup");
    plex__jw_string(&w, "movie");
    plex__jw_key(&w, "Metadata");
    plex__jw_array_begin(&w);
    for (size_t i = 0; i < n && !out->err; i++) {
        g.used = 0;
        g.rng = 0x5EEDull * 1000003u + i; /* each movie from its own index */
        plex__model_write(&w, &plex__metadata_schema, movie(&g, i));
    }
    plex__jw_array_end(&w);
    plex__jw_object_end(&w);
    plex__jw_object_end(&w);
    free(g.pool);
    return out->err;
}

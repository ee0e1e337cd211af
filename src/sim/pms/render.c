/*
 * The media server's documents, written by the library's own model engine:
 * each item is filled into the generated structs of plex/pms/models.h in a
 * scratch arena and written with plex__model_write (JSON) or
 * plex__model_write_xml (XML, elements named by kind), so every wire name is
 * written in one place (the .model files of src/lib/pms).
 *
 * Lists are partial (PMS.md §2.5): in a listing an item carries its Media
 * and Part but no Stream, tags by name only (at most 2 genres and countries,
 * 1 director, 3 roles), no Guid unless includeGuids=1. /library/metadata/{id}
 * has everything (PMS_R_FULL).
 *
 * Listings are rendered item by item: a large answer is a stream (chunked),
 * whose reader renders the next items as the client takes the bytes, under
 * st->lock (so it reads the overlay as it is then).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms.h"
#include "pms/models.gen.h"

#define XML_PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define CT_XML "text/xml;charset=utf-8"
#define CT_JSON "application/json"
/* Listings up to this many items are answered as one body (Content-Length);
 * longer ones are streamed. */
#define LIST_INLINE_MAX 64
#define LIST_CHUNK ((size_t)64 * 1024)

/* ---- arena helpers ---- */

typedef struct rctx {
    pms_state *p;
    plex__arena *a;
    unsigned int flags;
    int oom;
} rctx;

static void *anew(rctx *r, size_t size)
{
    void *v = plex__arena_alloc(r->a, size);
    if (!v) {
        r->oom = 1;
        return NULL;
    }
    memset(v, 0, size);
    return v;
}

static const char *astr(rctx *r, const char *s)
{
    size_t n;
    char *d;

    if (!s)
        return NULL;
    n = strlen(s);
    d = plex__arena_alloc_bytes(r->a, n + 1);
    if (!d) {
        r->oom = 1;
        return NULL;
    }
    memcpy(d, s, n + 1);
    return d;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static const char *
afmt(rctx *r, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return astr(r, tmp);
}

/* An array of n pointers (for a model's array field). */
static void *aptrs(rctx *r, size_t n)
{
    return anew(r, (n ? n : 1) * sizeof(void *));
}

/* ---- pieces ---- */

static const char *image_path(rctx *r, int64_t rk, const char *what, int64_t t)
{
    return afmt(r, "/library/metadata/%lld/%s/%lld", (long long)rk, what, (long long)t);
}

void pms_item_colors(int64_t rk, uint64_t seed, unsigned char rgb[4][3])
{
    uint64_t h = seed * 0xD1B54A32D192ED03ull ^ (uint64_t)rk * 0x9E3779B97F4A7C15ull;

    for (int c = 0; c < 4; c++) {
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 32;
        rgb[c][0] = (unsigned char)(40 + (h & 0x7F));
        rgb[c][1] = (unsigned char)(30 + ((h >> 8) & 0x7F));
        rgb[c][2] = (unsigned char)(50 + ((h >> 16) & 0x7F));
    }
}

static plex_ultrablur *ultrablur(rctx *r, int64_t rk)
{
    plex_ultrablur *u = anew(r, sizeof(*u));
    unsigned char c[4][3];
    const char *hex[4];

    if (!u)
        return NULL;
    pms_item_colors(rk, r->p->seed, c);
    for (int i = 0; i < 4; i++)
        hex[i] = afmt(r, "%02x%02x%02x", c[i][0], c[i][1], c[i][2]);
    u->top_left = hex[0];
    u->top_right = hex[1];
    u->bottom_right = hex[2];
    u->bottom_left = hex[3];
    return u;
}

static void put_tags(rctx *r, plex_metadata *m, const pms_item *it, pms_tag_kind k, int max)
{
    const plex_tag **arr;
    int n = it->ntags[k], full = (r->flags & PMS_R_FULL) != 0;
    const pms_tag_info *info = pms_tag_kind_info(k);

    if (!full && max >= 0 && n > max)
        n = max;
    if (n == 0)
        return;
    if (!(arr = aptrs(r, (size_t)n)))
        return;
    for (int i = 0; i < n; i++) {
        plex_tag *t = anew(r, sizeof(*t));
        const pms_tag *src = &it->tags[k][i];
        if (!t)
            return;
        t->tag = astr(r, src->tag);
        if (full) {
            t->id = src->id;
            PMS_SET(t, PLEX_TAG_ID);
            t->filter = afmt(r, "%s=%lld", info->filter, (long long)src->id);
            if (k == PMS_TAG_DIRECTOR || k == PMS_TAG_WRITER || k == PMS_TAG_PRODUCER ||
                k == PMS_TAG_ROLE)
                t->tag_key = afmt(r, "5d7768%018llx", (long long)(src->id % 1000000));
            if (k == PMS_TAG_COLLECTION) {
                t->key =
                    afmt(r, "/library/collections/%lld/children", (long long)(src->id - 6000000));
                t->rating_key = afmt(r, "%lld", (long long)(src->id - 6000000));
            }
        }
        if (src->role)
            t->role = astr(r, src->role);
        arr[i] = t;
    }
    switch (k) {
    case PMS_TAG_GENRE:
        m->genres = arr, m->genres_count = (size_t)n;
        break;
    case PMS_TAG_COUNTRY:
        m->countries = arr, m->countries_count = (size_t)n;
        break;
    case PMS_TAG_DIRECTOR:
        m->directors = arr, m->directors_count = (size_t)n;
        break;
    case PMS_TAG_WRITER:
        m->writers = arr, m->writers_count = (size_t)n;
        break;
    case PMS_TAG_PRODUCER:
        m->producers = arr, m->producers_count = (size_t)n;
        break;
    case PMS_TAG_ROLE:
        m->roles = arr, m->roles_count = (size_t)n;
        break;
    case PMS_TAG_LABEL:
        m->labels = arr, m->labels_count = (size_t)n;
        break;
    case PMS_TAG_MOOD:
        m->moods = arr, m->moods_count = (size_t)n;
        break;
    case PMS_TAG_STYLE:
        m->styles = arr, m->styles_count = (size_t)n;
        break;
    case PMS_TAG_COLLECTION:
        m->collections = arr, m->collections_count = (size_t)n;
        break;
    default:
        break;
    }
}

static plex_stream *render_stream(rctx *r, const pms_stream *s)
{
    plex_stream *o = anew(r, sizeof(*o));

    if (!o)
        return NULL;
    o->id = s->id;
    PMS_SET(o, PLEX_STREAM_ID);
    o->stream_type = s->stream_type;
    PMS_SET(o, PLEX_STREAM_STREAM_TYPE);
    if (s->is_default) {
        o->is_default = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_IS_DEFAULT);
    }
    if (s->selected) {
        o->selected = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_SELECTED);
    }
    if (s->forced) {
        o->forced = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_FORCED);
    }
    if (s->hearing_impaired) {
        o->hearing_impaired = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_HEARING_IMPAIRED);
    }
    o->codec = s->codec;
    if (s->index >= 0) {
        o->index = s->index;
        PMS_SET(o, PLEX_STREAM_INDEX);
    }
    if (s->bitrate) {
        o->bitrate = s->bitrate;
        PMS_SET(o, PLEX_STREAM_BITRATE);
    }
    o->language = s->language;
    o->language_code = s->language_code;
    o->language_tag = s->language_tag;
    o->title = s->title;
    o->display_title = astr(r, s->display);
    o->extended_display_title = astr(r, s->extended);
    if (s->stream_type == 1) {
        o->width = s->width;
        o->height = s->height;
        o->coded_width = s->width;
        o->coded_height = s->height + (s->height % 16 ? 16 - s->height % 16 : 0);
        o->frame_rate = s->frame_rate;
        o->level = s->level;
        o->bit_depth = s->bit_depth;
        o->ref_frames = 4;
        PMS_SET(o, PLEX_STREAM_WIDTH);
        PMS_SET(o, PLEX_STREAM_HEIGHT);
        PMS_SET(o, PLEX_STREAM_CODED_WIDTH);
        PMS_SET(o, PLEX_STREAM_CODED_HEIGHT);
        PMS_SET(o, PLEX_STREAM_FRAME_RATE);
        PMS_SET(o, PLEX_STREAM_LEVEL);
        PMS_SET(o, PLEX_STREAM_BIT_DEPTH);
        PMS_SET(o, PLEX_STREAM_REF_FRAMES);
        o->profile = s->profile;
        o->scan_type = "progressive";
        o->chroma_location = "left";
        o->chroma_subsampling = "4:2:0";
        if (s->color) {
            o->color_primaries = "bt2020";
            o->color_range = "tv";
            o->color_space = "bt2020nc";
            o->color_trc = "smpte2084";
        }
        if (s->dovi) {
            o->dovi_present = PLEX_TRUE;
            o->dovi_profile = 8;
            o->dovi_level = 6;
            o->dovi_version = "1.0";
            o->dovi_bl_present = PLEX_TRUE;
            o->dovi_el_present = PLEX_FALSE;
            o->dovi_rpu_present = PLEX_TRUE;
            o->dovi_bl_compat_id = 1;
            PMS_SET(o, PLEX_STREAM_DOVI_PRESENT);
            PMS_SET(o, PLEX_STREAM_DOVI_PROFILE);
            PMS_SET(o, PLEX_STREAM_DOVI_LEVEL);
            PMS_SET(o, PLEX_STREAM_DOVI_BL_PRESENT);
            PMS_SET(o, PLEX_STREAM_DOVI_EL_PRESENT);
            PMS_SET(o, PLEX_STREAM_DOVI_RPU_PRESENT);
            PMS_SET(o, PLEX_STREAM_DOVI_BL_COMPAT_ID);
        }
    } else if (s->stream_type == 2) {
        o->channels = s->channels;
        o->sampling_rate = s->sampling_rate;
        PMS_SET(o, PLEX_STREAM_CHANNELS);
        PMS_SET(o, PLEX_STREAM_SAMPLING_RATE);
        o->audio_channel_layout = s->layout;
        if (s->bit_depth) {
            o->bit_depth = s->bit_depth;
            PMS_SET(o, PLEX_STREAM_BIT_DEPTH);
        }
        if (strcmp(s->codec, "aac") == 0)
            o->profile = "lc";
    } else {
        if (s->sidecar) {
            o->key = afmt(r, "/library/streams/%lld", (long long)s->id);
            o->can_auto_sync = PLEX_TRUE;
            PMS_SET(o, PLEX_STREAM_CAN_AUTO_SYNC);
        }
        o->format = s->codec;
    }
    return o;
}

static plex_media *render_media(rctx *r, const pms_item *it, const pms_media *md)
{
    plex_media *m = anew(r, sizeof(*m));
    plex_part *pt = anew(r, sizeof(*pt));
    const plex_part **parts = aptrs(r, 1);

    if (!m || !pt || !parts)
        return NULL;
    m->id = md->id;
    PMS_SET(m, PLEX_MEDIA_ID);
    if (md->duration) {
        m->duration = md->duration;
        PMS_SET(m, PLEX_MEDIA_DURATION);
    }
    if (md->bitrate) {
        m->bitrate = md->bitrate;
        PMS_SET(m, PLEX_MEDIA_BITRATE);
    }
    if (md->width) {
        m->width = md->width;
        m->height = md->height;
        m->aspect_ratio = md->aspect_ratio;
        PMS_SET(m, PLEX_MEDIA_WIDTH);
        PMS_SET(m, PLEX_MEDIA_HEIGHT);
        PMS_SET(m, PLEX_MEDIA_ASPECT_RATIO);
    }
    if (md->audio_channels) {
        m->audio_channels = md->audio_channels;
        PMS_SET(m, PLEX_MEDIA_AUDIO_CHANNELS);
    }
    m->audio_codec = md->audio_codec;
    m->video_codec = md->video_codec;
    m->video_resolution = md->resolution;
    m->container = md->container;
    m->video_frame_rate = md->frame_rate;
    m->video_profile = md->video_profile;
    if (md->audio_codec && strcmp(md->audio_codec, "aac") == 0)
        m->audio_profile = "lc";
    if (md->video_codec) {
        m->optimized_for_streaming = md->optimized ? PLEX_TRUE : PLEX_FALSE;
        PMS_SET(m, PLEX_MEDIA_OPTIMIZED_FOR_STREAMING);
        m->has_voice_activity = PLEX_FALSE;
        PMS_SET(m, PLEX_MEDIA_HAS_VOICE_ACTIVITY);
        if (strcmp(md->container, "mp4") == 0) {
            m->has64bit_offsets = md->has64bit ? PLEX_TRUE : PLEX_FALSE;
            PMS_SET(m, PLEX_MEDIA_HAS64BIT_OFFSETS);
        }
    }

    pt->id = md->part_id;
    PMS_SET(pt, PLEX_PART_ID);
    pt->key = astr(r, md->part_key);
    if (md->duration) {
        pt->duration = md->duration;
        PMS_SET(pt, PLEX_PART_DURATION);
    }
    pt->file = astr(r, md->file);
    pt->size = md->size;
    PMS_SET(pt, PLEX_PART_SIZE);
    pt->container = md->container;
    pt->video_profile = md->video_profile;
    pt->audio_profile = m->audio_profile;
    if (md->indexes && md->video_codec)
        pt->indexes = "sd";
    if (it->kind == PMS_K_TRACK || it->kind == PMS_K_PHOTO) {
        pt->has_thumbnail = PLEX_TRUE;
        PMS_SET(pt, PLEX_PART_HAS_THUMBNAIL);
    }
    if (md->video_codec && strcmp(md->container, "mp4") == 0) {
        pt->optimized_for_streaming = md->optimized ? PLEX_TRUE : PLEX_FALSE;
        pt->has64bit_offsets = md->has64bit ? PLEX_TRUE : PLEX_FALSE;
        PMS_SET(pt, PLEX_PART_OPTIMIZED_FOR_STREAMING);
        PMS_SET(pt, PLEX_PART_HAS64BIT_OFFSETS);
    }
    if (r->flags & PMS_R_CHECKFILES) {
        pt->accessible = PLEX_TRUE;
        pt->exists = PLEX_TRUE;
        PMS_SET(pt, PLEX_PART_ACCESSIBLE);
        PMS_SET(pt, PLEX_PART_EXISTS);
    }
    if ((r->flags & PMS_R_FULL) && md->nstreams > 0) {
        const plex_stream **streams = aptrs(r, (size_t)md->nstreams);
        if (!streams)
            return NULL;
        for (int s = 0; s < md->nstreams; s++)
            streams[s] = render_stream(r, &md->streams[s]);
        pt->streams = streams;
        pt->streams_count = (size_t)md->nstreams;
    }
    parts[0] = pt;
    m->parts = parts;
    m->parts_count = 1;
    return m;
}

static void put_media(rctx *r, plex_metadata *m, const pms_item *it)
{
    const plex_media **arr;
    pms_media md;

    if (it->nmedia <= 0 || !(arr = aptrs(r, (size_t)it->nmedia)))
        return;
    for (int i = 0; i < it->nmedia; i++) {
        if (pms_media_get(r->p, it, i, &md) != 0 || !(arr[i] = render_media(r, it, &md))) {
            r->oom = 1;
            return;
        }
    }
    m->media = arr;
    m->media_count = (size_t)it->nmedia;
}

/* Deterministic external-looking ids for Guid[]. */
static void put_guids(rctx *r, plex_metadata *m, const pms_item *it)
{
    const plex_guid **arr;
    plex_guid *g[3];
    uint64_t h = (uint64_t)it->rating_key * 0x9E3779B97F4A7C15ull ^ r->p->seed;
    size_t n = 0;

    if (it->kind == PMS_K_PHOTO || it->kind == PMS_K_PHOTOALBUM || it->kind == PMS_K_CLIP)
        return;
    if (!(arr = aptrs(r, 3)))
        return;
    for (int i = 0; i < 3; i++)
        if (!(g[i] = anew(r, sizeof(plex_guid))))
            return;
    if (it->kind == PMS_K_ARTIST || it->kind == PMS_K_ALBUM || it->kind == PMS_K_TRACK) {
        g[0]->id =
            afmt(r, "mbid://%08llx-%04llx-4%03llx-a%03llx-%012llx",
                 (unsigned long long)(h & 0xFFFFFFFF), (unsigned long long)(h >> 48),
                 (unsigned long long)((h >> 36) & 0xFFF), (unsigned long long)((h >> 24) & 0xFFF),
                 (unsigned long long)((h * 31) & 0xFFFFFFFFFFFFull));
        arr[n++] = g[0];
    } else {
        g[0]->id = afmt(r, "imdb://tt%07llu", (unsigned long long)(h % 9000000 + 100000));
        g[1]->id = afmt(r, "tmdb://%llu", (unsigned long long)((h >> 20) % 900000 + 1000));
        arr[n++] = g[0];
        arr[n++] = g[1];
        if (it->kind != PMS_K_MOVIE) {
            g[2]->id = afmt(r, "tvdb://%llu", (unsigned long long)((h >> 40) % 9000000 + 70000));
            arr[n++] = g[2];
        }
    }
    m->guids = arr;
    m->guids_count = n;
}

static void put_images(rctx *r, plex_metadata *m, const pms_item *it)
{
    const plex_image **arr = aptrs(r, 3);
    size_t n = 0;
    plex_image *im;

    if (!arr)
        return;
    if (m->thumb && (im = anew(r, sizeof(*im)))) {
        im->type = it->kind == PMS_K_EPISODE ? "snapshot" : "coverPoster";
        im->url = m->thumb;
        im->alt = m->title;
        arr[n++] = im;
    }
    if (m->art && it->kind != PMS_K_EPISODE && (im = anew(r, sizeof(*im)))) {
        im->type = "background";
        im->url = m->art;
        im->alt = m->title;
        arr[n++] = im;
    }
    if ((it->kind == PMS_K_MOVIE || it->kind == PMS_K_SHOW) && (im = anew(r, sizeof(*im)))) {
        im->type = "clearLogo";
        im->url = image_path(r, it->rating_key, "clearLogo", it->updated_at);
        im->alt = m->title;
        arr[n++] = im;
    }
    m->images = arr;
    m->images_count = n;
}

static void put_ratings(rctx *r, plex_metadata *m, const pms_item *it)
{
    const plex_rating **arr;
    plex_rating *a, *b, *c;

    if (it->rating < 0 || !(arr = aptrs(r, 3)) || !(a = anew(r, sizeof(*a))) ||
        !(b = anew(r, sizeof(*b))) || !(c = anew(r, sizeof(*c))))
        return;
    a->image = "imdb://image.rating";
    a->type = "audience";
    a->value = it->audience_rating;
    b->image = it->rating_image;
    b->type = "critic";
    b->value = it->rating;
    c->image = it->audience_rating_image;
    c->type = "audience";
    c->value = it->audience_rating;
    PMS_SET(a, PLEX_RATING_VALUE);
    PMS_SET(b, PLEX_RATING_VALUE);
    PMS_SET(c, PLEX_RATING_VALUE);
    arr[0] = a;
    arr[1] = b;
    arr[2] = c;
    m->ratings = arr;
    m->ratings_count = 3;
}

static void put_fields(rctx *r, plex_metadata *m, const pms_item *it)
{
    size_t n = 0, cap = PMS_F_COUNT + PMS_TAG_KINDS;
    const plex_field **arr;

    if (!it->locked && !it->tag_locked)
        return;
    if (!(arr = aptrs(r, cap)))
        return;
    for (int f = 0; f < PMS_F_COUNT; f++) {
        plex_field *fl;
        if (!(it->locked & (1u << f)) || !(fl = anew(r, sizeof(*fl))))
            continue;
        fl->name = pms_field_name((pms_field)f);
        fl->locked = PLEX_TRUE;
        PMS_SET(fl, PLEX_FIELD_LOCKED);
        arr[n++] = fl;
    }
    for (int k = 0; k < PMS_TAG_KINDS; k++) {
        plex_field *fl;
        if (!(it->tag_locked & (1u << k)) || !(fl = anew(r, sizeof(*fl))))
            continue;
        fl->name = pms_tag_kind_info((pms_tag_kind)k)->filter;
        fl->locked = PLEX_TRUE;
        PMS_SET(fl, PLEX_FIELD_LOCKED);
        arr[n++] = fl;
    }
    m->fields = arr;
    m->fields_count = n;
}

static void put_chapters(rctx *r, plex_metadata *m, const pms_item *it)
{
    int n = it->kind == PMS_K_MOVIE ? 8 : 4;
    const plex_chapter **arr = aptrs(r, (size_t)n);

    if (!arr || it->duration <= 0)
        return;
    for (int i = 0; i < n; i++) {
        plex_chapter *ch = anew(r, sizeof(*ch));
        if (!ch)
            return;
        ch->id = it->rating_key * 16 + i;
        ch->index = i + 1;
        ch->start_time_offset = it->duration * i / n;
        ch->end_time_offset = it->duration * (i + 1) / n;
        ch->tag = afmt(r, "Chapter %d", i + 1);
        ch->filter = afmt(r, "thumbIdx=%d", i);
        PMS_SET(ch, PLEX_CHAPTER_ID);
        PMS_SET(ch, PLEX_CHAPTER_INDEX);
        PMS_SET(ch, PLEX_CHAPTER_START_TIME_OFFSET);
        PMS_SET(ch, PLEX_CHAPTER_END_TIME_OFFSET);
        arr[i] = ch;
    }
    m->chapters = arr;
    m->chapters_count = (size_t)n;
}

static plex_marker *marker(rctx *r, int64_t id, const char *type, int64_t a, int64_t b, int final)
{
    plex_marker *mk = anew(r, sizeof(*mk));
    plex_marker_attributes *at = anew(r, sizeof(*at));

    if (!mk || !at)
        return NULL;
    mk->id = id;
    mk->type = type;
    mk->start_time_offset = a;
    mk->end_time_offset = b;
    PMS_SET(mk, PLEX_MARKER_ID);
    PMS_SET(mk, PLEX_MARKER_START_TIME_OFFSET);
    PMS_SET(mk, PLEX_MARKER_END_TIME_OFFSET);
    if (final) {
        mk->final = PLEX_TRUE;
        PMS_SET(mk, PLEX_MARKER_FINAL);
    }
    at->id = id;
    at->version = 5;
    PMS_SET(at, PLEX_MARKER_ATTRIBUTES_ID);
    PMS_SET(at, PLEX_MARKER_ATTRIBUTES_VERSION);
    mk->attributes = at;
    return mk;
}

static void put_markers(rctx *r, plex_metadata *m, const pms_item *it)
{
    const plex_marker **arr = aptrs(r, 2);
    size_t n = 0;
    int64_t d = it->duration;

    if (!arr || d <= 0 || (it->kind != PMS_K_MOVIE && it->kind != PMS_K_EPISODE))
        return;
    if (it->kind == PMS_K_EPISODE) {
        int64_t start = 30000 + (it->rating_key % 60) * 1000;
        arr[n++] = marker(r, it->rating_key * 8, "intro", start, start + 52000, 0);
    }
    arr[n++] = marker(r, it->rating_key * 8 + 1, "credits",
                      d - (it->kind == PMS_K_MOVIE ? 420000 : 90000), d, 1);
    for (size_t i = 0; i < n; i++)
        if (!arr[i])
            return;
    m->markers = arr;
    m->markers_count = n;
}

static void put_reviews(rctx *r, plex_metadata *m, const pms_item *it)
{
    static const char *const critics[] = {"Ada Lindqvist", "Marcus Byrne", "Hélène Moreau"};
    const plex_review **arr = aptrs(r, 3);
    int n = it->rating < 0 ? 0 : 1 + (int)(it->rating_key % 3);

    if (!arr || n == 0 || it->kind != PMS_K_MOVIE)
        return;
    for (int i = 0; i < n; i++) {
        plex_review *rv = anew(r, sizeof(*rv));
        if (!rv)
            return;
        rv->id = it->rating_key * 4 + i;
        PMS_SET(rv, PLEX_REVIEW_ID);
        rv->tag = critics[i];
        rv->text = afmt(r, "%s is %s.", it->title,
                        it->rating >= 6 ? "a quiet triumph" : "a noble failure");
        rv->image = it->rating >= 6 ? "rottentomatoes://image.review.fresh"
                                    : "rottentomatoes://image.review.rotten";
        rv->source = "Plexsim Weekly";
        rv->filter = afmt(r, "art=%lld", (long long)rv->id);
        arr[i] = rv;
    }
    m->reviews = arr;
    m->reviews_count = (size_t)n;
}

static plex_metadata *render(rctx *r, const pms_item *it, int depth);

/* includeExtras: the trailer of a movie. */
static void put_extras(rctx *r, plex_metadata *m, const pms_item *it)
{
    plex_extras *ex;
    const plex_metadata **arr;
    pms_item clip;
    unsigned int saved = r->flags;

    if (it->kind != PMS_K_MOVIE || !(ex = anew(r, sizeof(*ex))) || !(arr = aptrs(r, 1)))
        return;
    if (pms_item_get(r->p, pms_key_of(r->p, PMS_K_CLIP, it->index), &clip) != 0)
        return;
    r->flags = PMS_R_SECTION;
    arr[0] = render(r, &clip, 1);
    r->flags = saved;
    ex->size = 1;
    PMS_SET(ex, PLEX_EXTRAS_SIZE);
    ex->items = arr;
    ex->items_count = 1;
    m->extras = ex;
}

int64_t pms_next_episode(pms_state *p, int64_t show)
{
    pms_kind k;
    long first, n, next = 0;

    if (pms_leaves(p, show, &k, &first, &n) != 0 || k != PMS_K_EPISODE)
        return 0;
    for (long i = 0; i < n; i++) {
        const pms_overlay *o = pms_overlay_find(p, pms_key_of(p, k, first + i));
        if (o && (o->view_count > 0 || o->view_offset > 0))
            next = o->view_offset > 0 ? i : i + 1;
    }
    return next < n ? pms_key_of(p, k, first + next) : 0;
}

static void put_on_deck(rctx *r, plex_metadata *m, const pms_item *it)
{
    plex_on_deck *od;
    pms_item ep;
    int64_t next;
    unsigned int saved = r->flags;

    if (it->kind != PMS_K_SHOW || !(next = pms_next_episode(r->p, it->rating_key)) ||
        pms_item_get(r->p, next, &ep) != 0 || !(od = anew(r, sizeof(*od))))
        return;
    r->flags = 0;
    od->item = render(r, &ep, 1);
    r->flags = saved;
    m->on_deck = od;
}

/* includeRelated: a hub of items sharing the first genre. */
static void put_related(rctx *r, plex_metadata *m, const pms_item *it)
{
    plex_related *rel;
    plex_hub *h;
    const plex_hub **hubs;
    const plex_metadata **items;
    size_t n = 0, max = 6;
    unsigned int saved = r->flags;
    long count;

    if ((it->kind != PMS_K_MOVIE && it->kind != PMS_K_SHOW) || it->ntags[PMS_TAG_GENRE] == 0)
        return;
    if (!(rel = anew(r, sizeof(*rel))) || !(h = anew(r, sizeof(*h))) || !(hubs = aptrs(r, 1)) ||
        !(items = aptrs(r, max)))
        return;
    count = pms_kind_count(r->p, it->kind);
    r->flags = 0;
    for (long i = 1; i < count && n < max && i < 400; i++) {
        pms_item o;
        long j = (it->index + i * 7) % count;
        if (pms_item_get(r->p, pms_key_of(r->p, it->kind, j), &o) != 0 ||
            o.ntags[PMS_TAG_GENRE] == 0 ||
            o.tags[PMS_TAG_GENRE][0].id != it->tags[PMS_TAG_GENRE][0].id)
            continue;
        if ((items[n] = render(r, &o, 1)) != NULL)
            n++;
    }
    r->flags = saved;
    h->hub_identifier = afmt(r, "%s.similar", pms_type_name(it->type));
    h->title = afmt(r, "More %s", it->tags[PMS_TAG_GENRE][0].tag);
    h->type = pms_type_name(it->type);
    h->context = "hub.movie.similar";
    h->key = afmt(r, "/library/metadata/%lld/similar", (long long)it->rating_key);
    h->hub_key = h->key;
    h->size = (int)n;
    h->more = PLEX_FALSE;
    h->style = "shelf";
    PMS_SET(h, PLEX_HUB_SIZE);
    PMS_SET(h, PLEX_HUB_MORE);
    h->items = items;
    h->items_count = n;
    hubs[0] = h;
    rel->hubs = hubs;
    rel->hubs_count = 1;
    m->related = rel;
}

static const char *type_string(const pms_item *it)
{
    if (it->type == PMS_T_PHOTOALBUM)
        return "photo"; /* albums are type="photo" too (their key ends in /children) */
    return pms_type_name(it->type);
}

static const char *section_title(int section)
{
    static const char *const titles[] = {NULL, "Movies", "TV Shows", "Music", "Photos"};
    return section >= 1 && section <= PMS_NSECTIONS ? titles[section] : NULL;
}

/* The parent's facts a child carries (parentTitle, parentThumb...). */
static void put_parents(rctx *r, plex_metadata *m, const pms_item *it)
{
    pms_item par, gp;

    if (it->parent_key && pms_item_get(r->p, it->parent_key, &par) == 0) {
        m->parent_rating_key = afmt(r, "%lld", (long long)par.rating_key);
        m->parent_key = afmt(r, "/library/metadata/%lld", (long long)par.rating_key);
        if (it->kind != PMS_K_CLIP) {
            m->parent_guid = astr(r, par.guid);
            m->parent_title = astr(r, par.title);
            m->parent_thumb = image_path(r, par.rating_key, "thumb", par.updated_at);
        }
        if (it->kind == PMS_K_EPISODE || it->kind == PMS_K_TRACK) {
            m->parent_index = par.child_index;
            PMS_SET(m, PLEX_METADATA_PARENT_INDEX);
        }
        if (it->kind == PMS_K_SEASON || it->kind == PMS_K_ALBUM) {
            m->parent_art = image_path(r, par.rating_key, "art", par.updated_at);
            if (it->kind == PMS_K_SEASON)
                m->parent_theme = image_path(r, par.rating_key, "theme", par.updated_at);
        }
    }
    if (it->grandparent_key && pms_item_get(r->p, it->grandparent_key, &gp) == 0) {
        m->grandparent_rating_key = afmt(r, "%lld", (long long)gp.rating_key);
        m->grandparent_key = afmt(r, "/library/metadata/%lld", (long long)gp.rating_key);
        m->grandparent_guid = astr(r, gp.guid);
        m->grandparent_title = astr(r, gp.title);
        m->grandparent_slug = astr(r, gp.slug);
        m->grandparent_thumb = image_path(r, gp.rating_key, "thumb", gp.updated_at);
        m->grandparent_art = image_path(r, gp.rating_key, "art", gp.updated_at);
        if (it->kind == PMS_K_EPISODE)
            m->grandparent_theme = image_path(r, gp.rating_key, "theme", gp.updated_at);
    }
}

static plex_metadata *render(rctx *r, const pms_item *it, int depth)
{
    plex_metadata *m = anew(r, sizeof(*m));
    int full = (r->flags & PMS_R_FULL) != 0, container = it->leaf_count > 0 || it->child_count > 0;
    int64_t rk = it->rating_key;

    if (!m)
        return NULL;
    m->rating_key = afmt(r, "%lld", (long long)rk);
    m->key = afmt(r, "/library/metadata/%lld%s", (long long)rk,
                  it->kind == PMS_K_SHOW || it->kind == PMS_K_SEASON || it->kind == PMS_K_ARTIST ||
                          it->kind == PMS_K_ALBUM || it->kind == PMS_K_PHOTOALBUM
                      ? "/children"
                      : "");
    m->guid = astr(r, it->guid);
    if (it->kind == PMS_K_MOVIE || it->kind == PMS_K_SHOW)
        m->slug = astr(r, it->slug);
    m->studio = astr(r, it->studio);
    m->type = type_string(it);
    if (it->kind == PMS_K_CLIP) {
        m->subtype = "trailer";
        m->extra_type = 1;
        PMS_SET(m, PLEX_METADATA_EXTRA_TYPE);
    }
    m->title = astr(r, it->title);
    m->title_sort = astr(r, it->title_sort);
    if (full || (r->flags & PMS_R_SECTION)) {
        m->library_section_title = section_title(it->section);
        m->library_section_id = it->section;
        PMS_SET(m, PLEX_METADATA_LIBRARY_SECTION_ID);
        m->library_section_key = afmt(r, "/library/sections/%d", it->section);
    }
    put_parents(r, m, it);
    m->original_title = astr(r, it->original_title);
    m->content_rating = astr(r, it->content_rating);
    m->summary = astr(r, it->summary);
    if (it->child_index > 0 || it->kind == PMS_K_SEASON) {
        m->index = it->child_index;
        PMS_SET(m, PLEX_METADATA_INDEX);
    }
    if (it->audience_rating >= 0) {
        m->audience_rating = it->audience_rating;
        PMS_SET(m, PLEX_METADATA_AUDIENCE_RATING);
        m->audience_rating_image = it->audience_rating_image;
    }
    if (it->rating >= 0) {
        m->rating = it->rating;
        PMS_SET(m, PLEX_METADATA_RATING);
        m->rating_image = it->rating_image;
    }
    if (it->user_rating >= 0) {
        m->user_rating = it->user_rating;
        PMS_SET(m, PLEX_METADATA_USER_RATING);
    }
    if (it->view_offset > 0) {
        m->view_offset = it->view_offset;
        PMS_SET(m, PLEX_METADATA_VIEW_OFFSET);
    }
    if (it->view_count > 0) {
        m->view_count = it->view_count;
        PMS_SET(m, PLEX_METADATA_VIEW_COUNT);
    }
    if (it->skip_count > 0) {
        m->skip_count = it->skip_count;
        PMS_SET(m, PLEX_METADATA_SKIP_COUNT);
    }
    if (it->last_viewed_at > 0) {
        m->last_viewed_at = it->last_viewed_at;
        PMS_SET(m, PLEX_METADATA_LAST_VIEWED_AT);
    }
    if (it->last_rated_at > 0) {
        m->last_rated_at = it->last_rated_at;
        PMS_SET(m, PLEX_METADATA_LAST_RATED_AT);
    }
    if (it->year > 0) {
        m->year = it->year;
        PMS_SET(m, PLEX_METADATA_YEAR);
    }
    m->tagline = astr(r, it->tagline);
    if (it->kind == PMS_K_TRACK) {
        pms_item album;
        if (pms_item_get(r->p, it->parent_key, &album) == 0)
            m->thumb = image_path(r, album.rating_key, "thumb", album.updated_at);
    } else {
        m->thumb = image_path(r, rk, "thumb", it->updated_at);
    }
    if (it->kind == PMS_K_MOVIE || it->kind == PMS_K_SHOW || it->kind == PMS_K_ARTIST ||
        it->kind == PMS_K_SEASON)
        m->art = image_path(r, rk, "art", it->updated_at);
    else if (it->kind == PMS_K_EPISODE)
        m->art = m->grandparent_art;
    if (it->kind == PMS_K_SHOW) {
        m->banner = image_path(r, rk, "banner", it->updated_at);
        m->theme = image_path(r, rk, "theme", it->updated_at);
    }
    if (it->kind == PMS_K_PHOTOALBUM)
        m->composite = image_path(r, rk, "composite", it->updated_at);
    if (it->duration > 0) {
        m->duration = it->duration;
        PMS_SET(m, PLEX_METADATA_DURATION);
    }
    if (it->available[0])
        m->originally_available_at = astr(r, it->available);
    m->added_at = it->added_at;
    m->updated_at = it->updated_at;
    PMS_SET(m, PLEX_METADATA_ADDED_AT);
    PMS_SET(m, PLEX_METADATA_UPDATED_AT);
    if (it->kind == PMS_K_MOVIE) {
        m->chapter_source = (it->rating_key % 3) ? "media" : "agent";
        m->primary_extra_key =
            afmt(r, "/library/metadata/%lld", (long long)pms_key_of(r->p, PMS_K_CLIP, it->index));
        m->has_premium_primary_extra = PLEX_TRUE;
        PMS_SET(m, PLEX_METADATA_HAS_PREMIUM_PRIMARY_EXTRA);
    }
    if (it->kind == PMS_K_PHOTO) {
        m->created_at_accuracy = "epoch,local";
        m->created_at_tz_offset = "3600";
    }
    if (container) {
        m->leaf_count = it->leaf_count;
        m->viewed_leaf_count = it->viewed_leaf_count;
        m->child_count = it->child_count;
        PMS_SET(m, PLEX_METADATA_LEAF_COUNT);
        PMS_SET(m, PLEX_METADATA_VIEWED_LEAF_COUNT);
        PMS_SET(m, PLEX_METADATA_CHILD_COUNT);
        if (it->kind == PMS_K_SHOW) {
            m->season_count = it->child_count;
            PMS_SET(m, PLEX_METADATA_SEASON_COUNT);
        }
        if (it->kind == PMS_K_ARTIST || it->kind == PMS_K_PHOTOALBUM) {
            /* artists and photo albums do not count their leaves */
            m->present[PLEX_METADATA_LEAF_COUNT / 32] &= ~(1u << (PLEX_METADATA_LEAF_COUNT % 32));
            m->present[PLEX_METADATA_VIEWED_LEAF_COUNT / 32] &=
                ~(1u << (PLEX_METADATA_VIEWED_LEAF_COUNT % 32));
        }
    }
    if (it->kind == PMS_K_ALBUM || it->kind == PMS_K_TRACK) {
        m->music_analysis_version = 1;
        PMS_SET(m, PLEX_METADATA_MUSIC_ANALYSIS_VERSION);
    }
    put_media(r, m, it);
    put_tags(r, m, it, PMS_TAG_GENRE, 2);
    put_tags(r, m, it, PMS_TAG_COUNTRY, 2);
    put_tags(r, m, it, PMS_TAG_DIRECTOR, 1);
    if (full) {
        put_tags(r, m, it, PMS_TAG_WRITER, -1);
        put_tags(r, m, it, PMS_TAG_PRODUCER, -1);
    }
    put_tags(r, m, it, PMS_TAG_ROLE, 3);
    put_tags(r, m, it, PMS_TAG_COLLECTION, -1);
    put_tags(r, m, it, PMS_TAG_LABEL, -1);
    put_tags(r, m, it, PMS_TAG_MOOD, full ? -1 : 0);
    put_tags(r, m, it, PMS_TAG_STYLE, full ? -1 : 0);
    if (full || (r->flags & PMS_R_GUIDS))
        put_guids(r, m, it);
    if (it->kind != PMS_K_PHOTO && it->kind != PMS_K_TRACK)
        put_images(r, m, it);
    if (full) {
        put_ratings(r, m, it);
        put_fields(r, m, it);
        if (it->kind == PMS_K_SHOW || it->kind == PMS_K_ARTIST) {
            const plex_location **loc = aptrs(r, 1);
            plex_location *l = anew(r, sizeof(*l));
            if (loc && l) {
                l->path = afmt(r, "/data/%s/%s", section_title(it->section), it->title);
                loc[0] = l;
                m->locations = loc;
                m->locations_count = 1;
            }
        }
    }
    if (it->kind == PMS_K_MOVIE || it->kind == PMS_K_SHOW || it->kind == PMS_K_EPISODE ||
        it->kind == PMS_K_ARTIST || it->kind == PMS_K_ALBUM || it->kind == PMS_K_SEASON)
        m->ultrablur = ultrablur(r, rk);
    if (depth == 0) {
        if (r->flags & PMS_R_CHAPTERS)
            put_chapters(r, m, it);
        if (r->flags & PMS_R_MARKERS)
            put_markers(r, m, it);
        if (r->flags & PMS_R_REVIEWS)
            put_reviews(r, m, it);
        if (r->flags & PMS_R_EXTRAS)
            put_extras(r, m, it);
        if (r->flags & PMS_R_ONDECK)
            put_on_deck(r, m, it);
        if (r->flags & PMS_R_RELATED)
            put_related(r, m, it);
    }
    return m;
}

plex_metadata *pms_render_item(pms_state *p, plex__arena *a, const pms_item *it, unsigned int flags)
{
    rctx r;
    plex_metadata *m;

    r.p = p;
    r.a = a;
    r.flags = flags;
    r.oom = 0;
    m = render(&r, it, 0);
    return r.oom ? NULL : m;
}

plex_metadata *pms_render_collection(pms_state *p, plex__arena *a, const pms_collection *col)
{
    rctx r;
    plex_metadata *m;
    int64_t rk = col->rating_key;

    r.p = p;
    r.a = a;
    r.flags = 0;
    r.oom = 0;
    if (!(m = anew(&r, sizeof(*m))))
        return NULL;
    m->rating_key = afmt(&r, "%lld", (long long)rk);
    m->key = afmt(&r, "/library/collections/%lld/children", (long long)rk);
    m->guid = afmt(&r, "collection://%016llx", (unsigned long long)(rk * 0x9E3779B97F4A7C15ull));
    m->type = "collection";
    m->subtype = pms_type_name(col->subtype);
    m->title = astr(&r, col->title);
    m->library_section_title = section_title(col->section);
    m->library_section_id = col->section;
    PMS_SET(m, PLEX_METADATA_LIBRARY_SECTION_ID);
    m->library_section_key = afmt(&r, "/library/sections/%d", col->section);
    m->smart = col->smart ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(m, PLEX_METADATA_SMART);
    m->child_count = (int)col->nitems;
    PMS_SET(m, PLEX_METADATA_CHILD_COUNT);
    m->collection_mode = -1;
    m->collection_sort = 0;
    PMS_SET(m, PLEX_METADATA_COLLECTION_MODE);
    PMS_SET(m, PLEX_METADATA_COLLECTION_SORT);
    m->thumb = afmt(&r, "/library/collections/%lld/composite/%lld", (long long)rk,
                    (long long)col->updated_at);
    m->composite = m->thumb;
    m->added_at = col->added_at;
    m->updated_at = col->updated_at;
    PMS_SET(m, PLEX_METADATA_ADDED_AT);
    PMS_SET(m, PLEX_METADATA_UPDATED_AT);
    return r.oom ? NULL : m;
}

plex_metadata *pms_render_key(pms_state *p, plex__arena *a, int64_t rk, unsigned int flags)
{
    pms_item it;
    const pms_collection *col = pms_collection_find(p, rk);

    if (col)
        return pms_render_collection(p, a, col);
    if (pms_item_get(p, rk, &it) != 0)
        return NULL;
    return pms_render_item(p, a, &it, flags);
}

const char *pms_element_of(const plex_metadata *m)
{
    const char *t = m->type ? m->type : "";

    if (strcmp(t, "movie") == 0 || strcmp(t, "episode") == 0 || strcmp(t, "clip") == 0 ||
        strcmp(t, "trailer") == 0)
        return "Video";
    if (strcmp(t, "track") == 0)
        return "Track";
    if (strcmp(t, "playlist") == 0)
        return "Playlist";
    if (strcmp(t, "photo") == 0)
        return m->key && strstr(m->key, "/children") ? "Directory" : "Photo";
    return "Directory";
}

unsigned int pms_render_flags(const pms_ctx *c)
{
    static const struct {
        const char *arg;
        unsigned int flag;
    } table[] = {{"includeGuids", PMS_R_GUIDS},     {"includeChapters", PMS_R_CHAPTERS},
                 {"includeMarkers", PMS_R_MARKERS}, {"includeExtras", PMS_R_EXTRAS},
                 {"includeOnDeck", PMS_R_ONDECK},   {"includeRelated", PMS_R_RELATED},
                 {"includeReviews", PMS_R_REVIEWS}, {"checkFiles", PMS_R_CHECKFILES}};
    unsigned int f = 0;

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (pms_flag(c, table[i].arg))
            f |= table[i].flag;
    return f;
}

/* ---- documents ---- */

void pms_doc_open(pms_doc *d, plex__buf *b, int json, const plex_container *c)
{
    memset(d, 0, sizeof(*d));
    d->b = b;
    d->json = json;
    plex__jw_init(&d->w, b);
    if (json) {
        plex__jw_object_begin(&d->w);
        plex__jw_key(&d->w, "MediaContainer");
        plex__jw_object_begin(&d->w);
        plex__model_write_members(&d->w, &plex__media_container_schema, c);
    } else {
        plex__buf_puts(b, XML_PROLOG);
        plex__model_write_xml_open(b, &plex__media_container_schema, c, "MediaContainer");
    }
}

/* JSON: make sure the array `name` is the one open. */
static void json_array(pms_doc *d, const char *name)
{
    if (d->array && strcmp(d->array, name) == 0)
        return;
    if (d->array)
        plex__jw_array_end(&d->w);
    plex__jw_key(&d->w, name);
    plex__jw_array_begin(&d->w);
    d->array = name;
}

void pms_doc_child(pms_doc *d, const char *name, const plex__schema *s, const void *obj)
{
    if (d->json) {
        json_array(d, name);
        plex__model_write(&d->w, s, obj);
    } else {
        plex__model_write_xml(d->b, s, obj, name);
    }
}

void pms_doc_item(pms_doc *d, const plex_metadata *m)
{
    if (d->json) {
        json_array(d, "Metadata");
        plex__model_write(&d->w, &plex__metadata_schema, m);
    } else {
        plex__model_write_xml(d->b, &plex__metadata_schema, m, pms_element_of(m));
    }
}

void pms_doc_directory(pms_doc *d, const plex_directory *dir)
{
    pms_doc_child(d, "Directory", &plex__directory_schema, dir);
}

void pms_doc_hub(pms_doc *d, const plex_hub *h)
{
    plex_hub shell;

    if (d->json) {
        pms_doc_child(d, "Hub", &plex__hub_schema, h);
        return;
    }
    /* XML: items named by kind, so the hub is written around them */
    shell = *h;
    shell.items = NULL;
    shell.items_count = 0;
    shell.directories = NULL;
    shell.directories_count = 0;
    plex__model_write_xml_open(d->b, &plex__hub_schema, &shell, "Hub");
    for (size_t i = 0; i < h->items_count; i++)
        plex__model_write_xml(d->b, &plex__metadata_schema, h->items[i],
                              pms_element_of(h->items[i]));
    for (size_t i = 0; i < h->directories_count; i++)
        plex__model_write_xml(d->b, &plex__directory_schema, h->directories[i], "Directory");
    plex__buf_puts(d->b, "</Hub>");
}

static void doc_search_result(pms_doc *d, const plex_search_result *sr)
{
    plex_search_result shell;

    if (d->json) {
        pms_doc_child(d, "SearchResult", &plex__search_result_schema, sr);
        return;
    }
    shell = *sr;
    shell.item = NULL;
    shell.directory = NULL;
    plex__model_write_xml_open(d->b, &plex__search_result_schema, &shell, "SearchResult");
    if (sr->item)
        plex__model_write_xml(d->b, &plex__metadata_schema, sr->item, pms_element_of(sr->item));
    if (sr->directory)
        plex__model_write_xml(d->b, &plex__directory_schema, sr->directory, "Directory");
    plex__buf_puts(d->b, "</SearchResult>");
}

void pms_doc_close(pms_doc *d)
{
    if (d->json) {
        if (d->array)
            plex__jw_array_end(&d->w);
        d->array = NULL;
        plex__jw_object_end(&d->w);
        plex__jw_object_end(&d->w);
    } else {
        plex__buf_puts(d->b, "</MediaContainer>\n");
    }
}

plex_container *pms_container(pms_ctx *c)
{
    plex_container *mc = plex__arena_alloc(c->arena, sizeof(*mc));

    if (!mc)
        return NULL;
    memset(mc, 0, sizeof(*mc));
    mc->size = 0;
    PMS_SET(mc, PLEX_CONTAINER_SIZE);
    return mc;
}

void pms_reply_bytes(pms_ctx *c, char *body, size_t len, const char *type)
{
    if (!body) {
        pms_error(c, 500);
        return;
    }
    sim_response_dispose(c->rs);
    c->rs->status = 200;
    c->rs->content_type = type ? type : c->json ? CT_JSON : CT_XML;
    c->rs->body = body;
    c->rs->body_len = len;
}

void pms_reply_body(pms_ctx *c, plex__buf *b, const char *type)
{
    char *body = NULL;
    size_t len = b->len;

    if (plex__buf_detach(b, &body) != 0)
        body = NULL;
    pms_reply_bytes(c, body, len, type);
}

void pms_reply_container(pms_ctx *c, plex_container *mc)
{
    plex__buf b = PLEX__BUF_INIT;
    pms_doc d;
    plex_container head = *mc;
    size_t n = mc->items_count + mc->directories_count + mc->hubs_count + mc->search_results_count;

    /* size: the container's children unless the caller set it */
    if (mc->size == 0)
        head.size = (int)(n + mc->settings_count + mc->providers_count + mc->servers_count +
                          mc->devices_count + mc->accounts_count);
    head.items = NULL;
    head.items_count = 0;
    head.directories = NULL;
    head.directories_count = 0;
    head.hubs = NULL;
    head.hubs_count = 0;
    head.search_results = NULL;
    head.search_results_count = 0;
    pms_doc_open(&d, &b, c->json, &head);
    for (size_t i = 0; i < mc->directories_count; i++)
        pms_doc_directory(&d, mc->directories[i]);
    for (size_t i = 0; i < mc->items_count; i++)
        pms_doc_item(&d, mc->items[i]);
    for (size_t i = 0; i < mc->hubs_count; i++)
        pms_doc_hub(&d, mc->hubs[i]);
    for (size_t i = 0; i < mc->search_results_count; i++)
        doc_search_result(&d, mc->search_results[i]);
    pms_doc_close(&d);
    pms_reply_body(c, &b, NULL);
}

/* ---- streamed listings ---- */

typedef struct list_stream {
    sim_state *st;
    pms_state *p;
    plex__buf buf;
    size_t off; /* bytes of buf already sent */
    pms_doc doc;
    int64_t *keys;
    size_t n, next;
    unsigned int flags;
    void *root; /* the scratch arena's root */
    plex__arena *arena;
    int done;
} list_stream;

static void list_free(void *cls)
{
    list_stream *ls = cls;

    plex__buf_dispose(&ls->buf);
    plex__arena_free_root(ls->root);
    free(ls->keys);
    free(ls);
}

/* Render items until want bytes are pending (or the end). Lock held. */
static void list_fill(list_stream *ls, size_t want)
{
    plex__arena_mark mark = plex__arena_save(ls->arena);

    while (!ls->done && ls->buf.len - ls->off < want) {
        if (ls->next < ls->n) {
            plex_metadata *m = pms_render_key(ls->p, ls->arena, ls->keys[ls->next++], ls->flags);
            if (m)
                pms_doc_item(&ls->doc, m);
            plex__arena_rewind(ls->arena, &mark);
        } else {
            pms_doc_close(&ls->doc);
            ls->done = 1;
        }
    }
}

static long list_read(void *cls, uint64_t pos, char *out, size_t max)
{
    list_stream *ls = cls;
    size_t have;

    (void)pos;
    if (ls->buf.len - ls->off < max && !ls->done) {
        /* keep the buffer small: drop what was sent */
        if (ls->off > 0) {
            memmove(ls->buf.ptr, ls->buf.ptr + ls->off, ls->buf.len - ls->off);
            ls->buf.len -= ls->off;
            ls->off = 0;
        }
        pthread_mutex_lock(&ls->st->lock);
        list_fill(ls, max);
        pthread_mutex_unlock(&ls->st->lock);
    }
    if (ls->buf.err)
        return -1;
    have = ls->buf.len - ls->off;
    if (have > max)
        have = max;
    memcpy(out, ls->buf.ptr + ls->off, have);
    ls->off += have;
    return (long)have;
}

void pms_reply_list(pms_ctx *c, plex_container *head, const plex_directory *const *dirs,
                    size_t ndirs, int64_t *keys, size_t n, int64_t limit, unsigned int flags)
{
    list_stream *ls;
    size_t total, start = 0, count, dfirst, dcount;

    /* the directories lead the list (a show's "All episodes"); limit= caps the items */
    if (limit >= 0 && (size_t)limit < n)
        n = (size_t)limit;
    total = ndirs + n;
    if (c->paged && c->start > 0)
        start = (uint64_t)c->start > total ? total : (size_t)c->start;
    count = total - start;
    if (c->paged && c->size >= 0 && (uint64_t)c->size < count)
        count = (size_t)c->size;
    dfirst = start < ndirs ? start : ndirs;
    dcount = start < ndirs ? (ndirs - start < count ? ndirs - start : count) : 0;
    head->size = (int)count;
    head->total_size = (int)total;
    PMS_SET(head, PLEX_CONTAINER_SIZE);
    PMS_SET(head, PLEX_CONTAINER_TOTAL_SIZE);
    if (c->paged) {
        head->offset = (int)start;
        PMS_SET(head, PLEX_CONTAINER_OFFSET);
        sim_response_header(c->rs, "X-Plex-Container-Start", "%zu", start);
        sim_response_header(c->rs, "X-Plex-Container-Total-Size", "%zu", total);
    }
    /* the items of the page: [start - ndirs, ...) */
    start = start > ndirs ? start - ndirs : 0;
    count -= dcount;
    if (dirs)
        dirs += dfirst;
    ndirs = dcount;
    ls = calloc(1, sizeof(*ls));
    if (!ls || !(ls->root = plex__arena_new(16, (size_t)64 * 1024))) {
        free(ls);
        free(keys);
        pms_error(c, 500);
        return;
    }
    ls->arena = plex__arena_of(ls->root);
    ls->st = c->st;
    ls->p = c->p;
    ls->flags = flags;
    ls->keys = keys;
    if (start > 0 && count > 0)
        memmove(keys, keys + start, count * sizeof(*keys));
    ls->n = count;
    pms_doc_open(&ls->doc, &ls->buf, c->json, head);
    for (size_t i = 0; dirs && i < ndirs; i++)
        pms_doc_directory(&ls->doc, dirs[i]);
    if (count <= LIST_INLINE_MAX) {
        /* small: one body, with its length */
        list_fill(ls, SIZE_MAX);
        if (ls->buf.err) {
            list_free(ls);
            pms_error(c, 500);
            return;
        }
        pms_reply_body(c, &ls->buf, NULL);
        list_free(ls);
        return;
    }
    list_fill(ls, LIST_CHUNK); /* the first bytes now, under the handler's lock */
    sim_response_dispose(c->rs);
    c->rs->status = 200;
    c->rs->content_type = c->json ? CT_JSON : CT_XML;
    c->rs->stream.read = list_read;
    c->rs->stream.release = list_free;
    c->rs->stream.cls = ls;
    c->rs->stream.size = -1;
}

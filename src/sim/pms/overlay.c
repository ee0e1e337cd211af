/*
 * What changed on the emulated server since it started, on top of the
 * generated library: per item (a hash table keyed by ratingKey: watch state,
 * ratings, edited and locked fields, added and removed tags, refreshes),
 * collections, the refresh log, preferences, the clients seen. Sparse: an
 * untouched library of any size costs nothing here. Every function expects
 * st->lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "pms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct pms_overlay_table {
    pms_overlay **slots; /* open addressing, linear probing */
    size_t cap, count;
};

/* Tags added by edits that no generated table has: their ids. */
typedef struct dyn_tag {
    int kind;
    char *name;
    int64_t id;
} dyn_tag;

struct pms_dyn_tags {
    dyn_tag *items;
    size_t n, cap;
    int64_t next_id;
};

#define MAX_DEVICES 64
#define DYN_TAG_FIRST_ID 800000

static size_t slot_of(int64_t rk, size_t cap)
{
    uint64_t h = (uint64_t)rk * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

int pms_overlay_init(pms_state *p)
{
    p->ov = calloc(1, sizeof(*p->ov));
    p->dyn_tags = calloc(1, sizeof(*p->dyn_tags));
    if (!p->ov || !p->dyn_tags)
        return -1;
    p->dyn_tags->next_id = DYN_TAG_FIRST_ID;
    return 0;
}

static void overlay_free(pms_overlay *o)
{
    for (size_t i = 0; i < o->nedits; i++)
        free(o->edits[i].value);
    for (size_t i = 0; i < o->ntags; i++)
        free(o->tags[i].name);
    free(o->edits);
    free(o->tags);
    free(o);
}

static void collection_free(pms_collection *c)
{
    free(c->title);
    free(c->uri);
    free(c->items);
    free(c);
}

void pms_overlay_dispose(pms_state *p)
{
    if (p->ov) {
        for (size_t i = 0; i < p->ov->cap; i++)
            if (p->ov->slots[i])
                overlay_free(p->ov->slots[i]);
        free(p->ov->slots);
        free(p->ov);
        p->ov = NULL;
    }
    for (size_t i = 0; i < p->ncollections; i++)
        collection_free(p->collections[i]);
    free(p->collections);
    p->collections = NULL;
    p->ncollections = p->cap_collections = 0;
    if (p->dyn_tags) {
        for (size_t i = 0; i < p->dyn_tags->n; i++)
            free(p->dyn_tags->items[i].name);
        free(p->dyn_tags->items);
        free(p->dyn_tags);
        p->dyn_tags = NULL;
    }
    if (p->pref_values) {
        for (size_t i = 0; i < pms_pref_count(); i++)
            free(p->pref_values[i]);
        free(p->pref_values);
        p->pref_values = NULL;
    }
    free(p->devices);
    p->devices = NULL;
    p->ndevices = 0;
}

void pms_changed(pms_state *p)
{
    p->generation++;
}

int64_t pms_now(const pms_state *p)
{
    return p->fixed_now ? p->fixed_now : sim_now_wall();
}

void pms_set_clock(pms_state *p, int64_t fixed)
{
    p->fixed_now = fixed;
}

/* ---- the table ---- */

const pms_overlay *pms_overlay_find(const pms_state *p, int64_t rk)
{
    const struct pms_overlay_table *t = p->ov;
    size_t i;

    if (!t || t->count == 0)
        return NULL;
    for (i = slot_of(rk, t->cap); t->slots[i]; i = (i + 1) & (t->cap - 1))
        if (t->slots[i]->rating_key == rk)
            return t->slots[i];
    return NULL;
}

size_t pms_overlay_count(const pms_state *p)
{
    return p->ov ? p->ov->count : 0;
}

void pms_overlay_each(const pms_state *p, int (*fn)(void *user, const pms_overlay *o), void *user)
{
    for (size_t i = 0; p->ov && i < p->ov->cap; i++)
        if (p->ov->slots[i] && fn(user, p->ov->slots[i]))
            return;
}

static int grow(struct pms_overlay_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    pms_overlay **slots = calloc(cap, sizeof(void *));

    if (!slots)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        pms_overlay *o = t->slots[i];
        size_t j;
        if (!o)
            continue;
        for (j = slot_of(o->rating_key, cap); slots[j]; j = (j + 1) & (cap - 1))
            ;
        slots[j] = o;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

pms_overlay *pms_overlay_get(pms_state *p, int64_t rk)
{
    struct pms_overlay_table *t = p->ov;
    pms_overlay *o = (pms_overlay *)(uintptr_t)pms_overlay_find(p, rk);
    size_t i;

    if (o)
        return o;
    if (pms_key_kind(p, rk, NULL) < 0)
        return NULL;
    if ((t->count + 1) * 10 > t->cap * 7 && grow(t) != 0)
        return NULL;
    o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->rating_key = rk;
    o->user_rating = -1;
    for (i = slot_of(rk, t->cap); t->slots[i]; i = (i + 1) & (t->cap - 1))
        ;
    t->slots[i] = o;
    t->count++;
    return o;
}

/* ---- stream choice ---- */

int pms_choose_streams(pms_state *p, int64_t rk, int mi, int64_t audio, int64_t subtitle)
{
    pms_overlay *o;

    if (mi < 0 || mi >= PMS_MAX_MEDIA || !(o = pms_overlay_get(p, rk)))
        return -1;
    if (audio)
        o->audio_choice[mi] = audio;
    if (subtitle)
        o->subtitle_choice[mi] = subtitle;
    pms_changed(p);
    return 0;
}

void pms_apply_stream_choice(const pms_state *p, int64_t rk, int mi, pms_media *m)
{
    const pms_overlay *o = pms_overlay_find(p, rk);
    int64_t want[4] = {0};

    if (!o || mi < 0 || mi >= PMS_MAX_MEDIA)
        return;
    want[2] = o->audio_choice[mi];
    want[3] = o->subtitle_choice[mi];
    m->no_subtitles = want[3] < 0;
    for (int i = 0; i < m->nstreams; i++) {
        pms_stream *s = &m->streams[i];
        if ((s->stream_type == 2 || s->stream_type == 3) && want[s->stream_type])
            s->selected = s->id == want[s->stream_type];
    }
}

/* ---- watch state ---- */

/* Apply fn to every leaf under rk (or rk itself). */
static int each_leaf(pms_state *p, int64_t rk, int (*fn)(pms_state *p, int64_t leaf))
{
    pms_kind k;
    long first, n;

    if (pms_leaves(p, rk, &k, &first, &n) != 0)
        return -1;
    for (long i = 0; i < n; i++)
        if (fn(p, pms_key_of(p, k, first + i)) != 0)
            return -1;
    pms_changed(p);
    return 0;
}

static int watch_leaf(pms_state *p, int64_t leaf)
{
    pms_overlay *o = pms_overlay_get(p, leaf);

    if (!o)
        return -1;
    o->view_count++;
    o->view_offset = 0;
    o->last_viewed_at = pms_now(p);
    return 0;
}

static int unwatch_leaf(pms_state *p, int64_t leaf)
{
    pms_overlay *o = (pms_overlay *)(uintptr_t)pms_overlay_find(p, leaf);

    if (o) {
        o->view_count = 0;
        o->view_offset = 0;
        o->last_viewed_at = 0;
    }
    return 0;
}

int pms_mark_watched(pms_state *p, int64_t rk)
{
    return each_leaf(p, rk, watch_leaf);
}

int pms_mark_unwatched(pms_state *p, int64_t rk)
{
    return each_leaf(p, rk, unwatch_leaf);
}

int pms_set_view_offset(pms_state *p, int64_t rk, int64_t offset_ms)
{
    pms_kind k;
    long first, n;
    pms_overlay *o;

    if (pms_leaves(p, rk, &k, &first, &n) != 0 || n != 1 || pms_key_of(p, k, first) != rk ||
        offset_ms < 0)
        return -1; /* a leaf only */
    if (!(o = pms_overlay_get(p, rk)))
        return -1;
    o->view_offset = offset_ms;
    o->last_viewed_at = pms_now(p);
    pms_changed(p);
    return 0;
}

int pms_set_rating(pms_state *p, int64_t rk, double rating)
{
    pms_overlay *o;

    if (rating > 10)
        return -1;
    if (!(o = pms_overlay_get(p, rk)))
        return -1;
    o->user_rating = rating < 0 ? -1 : rating;
    o->last_rated_at = rating < 0 ? 0 : pms_now(p);
    pms_changed(p);
    return 0;
}

/* ---- edits ---- */

static const char *const field_names[PMS_F_COUNT] = {
    "title",   "titleSort", "originalTitle", "summary",
    "tagline", "studio",    "contentRating", "originallyAvailableAt",
    "year",    "index",     "thumb",         "art"};

const char *pms_field_name(pms_field f)
{
    return (int)f >= 0 && f < PMS_F_COUNT ? field_names[f] : NULL;
}

int pms_field_of(const char *name, size_t len)
{
    for (int f = 0; f < PMS_F_COUNT; f++)
        if (strlen(field_names[f]) == len && memcmp(field_names[f], name, len) == 0)
            return f;
    return -1;
}

static void lock_bits(uint32_t *bits, unsigned int bit, int lock)
{
    if (lock > 0)
        *bits |= 1u << bit;
    else if (lock == 0)
        *bits &= ~(1u << bit);
}

int pms_edit_field(pms_state *p, int64_t rk, pms_field f, const char *value, int lock)
{
    pms_overlay *o;
    pms_edit *e = NULL;

    if ((int)f < 0 || f >= PMS_F_COUNT || !(o = pms_overlay_get(p, rk)))
        return -1;
    for (size_t i = 0; i < o->nedits; i++)
        if (o->edits[i].field == (int)f)
            e = &o->edits[i];
    if (value) {
        char *copy = strdup(value);
        if (!copy)
            return -1;
        if (!e) {
            pms_edit *edits = realloc(o->edits, (o->nedits + 1) * sizeof(*edits));
            if (!edits) {
                free(copy);
                return -1;
            }
            o->edits = edits;
            e = &o->edits[o->nedits++];
            e->field = (int)f;
            e->value = NULL;
        }
        free(e->value);
        e->value = copy;
    }
    lock_bits(&o->locked, (unsigned)f, lock);
    o->updated_at = pms_now(p);
    pms_changed(p);
    return 0;
}

int64_t pms_tag_id(pms_state *p, pms_tag_kind k, const char *name)
{
    struct pms_dyn_tags *d = p->dyn_tags;
    int64_t id = pms_tag_table_id(k, name);

    if (id)
        return id;
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].kind == (int)k && strcmp(d->items[i].name, name) == 0)
            return d->items[i].id;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        dyn_tag *items = realloc(d->items, cap * sizeof(*items));
        if (!items)
            return 0;
        d->items = items;
        d->cap = cap;
    }
    if (!(d->items[d->n].name = strdup(name)))
        return 0;
    d->items[d->n].kind = (int)k;
    d->items[d->n].id = d->next_id++;
    return d->items[d->n++].id;
}

int pms_edit_tag(pms_state *p, int64_t rk, pms_tag_kind k, const char *name, int add, int lock)
{
    pms_overlay *o;
    pms_tag_edit *te = NULL;

    if ((int)k < 0 || k >= PMS_TAG_KINDS || !(o = pms_overlay_get(p, rk)))
        return -1;
    if (name) {
        for (size_t i = 0; i < o->ntags; i++)
            if (o->tags[i].kind == (int)k && strcmp(o->tags[i].name, name) == 0)
                te = &o->tags[i];
        if (!te) {
            pms_tag_edit *tags = realloc(o->tags, (o->ntags + 1) * sizeof(*tags));
            int64_t id = pms_tag_id(p, k, name);
            char *copy = strdup(name);
            if (tags)
                o->tags = tags;
            if (!tags || !copy || !id) {
                free(copy);
                return -1;
            }
            te = &o->tags[o->ntags++];
            te->kind = (int)k;
            te->name = copy;
            te->id = id;
        }
        te->added = add != 0;
    }
    lock_bits(&o->tag_locked, (unsigned)k, lock);
    o->updated_at = pms_now(p);
    pms_changed(p);
    return 0;
}

/* ---- refreshes ---- */

int pms_note_refresh(pms_state *p, int section, int64_t rk)
{
    pms_refresh *r;
    int64_t now = pms_now(p);

    if (section < 1 || section > PMS_NSECTIONS)
        return -1;
    if (rk) {
        pms_overlay *o = pms_overlay_get(p, rk);
        if (!o)
            return -1;
        o->refreshed_at = now;
        o->updated_at = now;
    } else {
        p->scanned_at[section] = now;
    }
    r = &p->refresh_log[p->refresh_seq % PMS_MAX_REFRESHES];
    r->seq = ++p->refresh_seq;
    r->section = section;
    r->rating_key = rk;
    r->at = now;
    r->cancel = 0;
    pms_changed(p);
    return 0;
}

size_t pms_refreshes(const pms_state *p, uint64_t after, pms_refresh *out, size_t cap)
{
    uint64_t first = p->refresh_seq > PMS_MAX_REFRESHES ? p->refresh_seq - PMS_MAX_REFRESHES : 0;
    size_t n = 0;

    if (after > first)
        first = after;
    for (uint64_t s = first + 1; s <= p->refresh_seq && n < cap; s++)
        out[n++] = p->refresh_log[(s - 1) % PMS_MAX_REFRESHES];
    return n;
}

int64_t pms_section_scanned_at(const pms_state *p, int section)
{
    if (section >= 1 && section <= PMS_NSECTIONS && p->scanned_at[section])
        return p->scanned_at[section];
    return PMS_EPOCH - 3600 * (int64_t)section;
}

/* ---- collections ---- */

size_t pms_collection_count(const pms_state *p)
{
    return p->ncollections;
}

const pms_collection *pms_collection_at(const pms_state *p, size_t i)
{
    return i < p->ncollections ? p->collections[i] : NULL;
}

pms_collection *pms_collection_find(pms_state *p, int64_t rk)
{
    for (size_t i = 0; i < p->ncollections; i++)
        if (p->collections[i]->rating_key == rk)
            return p->collections[i];
    return NULL;
}

int64_t pms_new_rating_key(pms_state *p)
{
    return p->next_key++;
}

pms_collection *pms_collection_new(pms_state *p, int section, int subtype, const char *title,
                                   int smart)
{
    pms_collection *c;

    if (section < 1 || section > PMS_NSECTIONS || !title)
        return NULL;
    if (p->ncollections == p->cap_collections) {
        size_t cap = p->cap_collections ? p->cap_collections * 2 : 8;
        pms_collection **items = realloc(p->collections, cap * sizeof(void *));
        if (!items)
            return NULL;
        p->collections = items;
        p->cap_collections = cap;
    }
    c = calloc(1, sizeof(*c));
    if (!c || !(c->title = strdup(title))) {
        free(c);
        return NULL;
    }
    c->rating_key = pms_new_rating_key(p);
    c->section = section;
    c->subtype = subtype;
    c->smart = smart;
    c->added_at = c->updated_at = pms_now(p);
    p->collections[p->ncollections++] = c;
    pms_changed(p);
    return c;
}

int pms_collection_has(const pms_collection *c, int64_t rk)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i] == rk)
            return 1;
    return 0;
}

int pms_collection_add(pms_state *p, pms_collection *c, int64_t rk)
{
    if (pms_key_kind(p, rk, NULL) < 0)
        return -1;
    if (pms_collection_has(c, rk))
        return 0;
    if (c->nitems == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        int64_t *items = realloc(c->items, cap * sizeof(*items));
        if (!items)
            return -1;
        c->items = items;
        c->cap = cap;
    }
    c->items[c->nitems++] = rk;
    c->updated_at = pms_now(p);
    pms_changed(p);
    return 0;
}

int pms_collection_remove(pms_state *p, pms_collection *c, int64_t rk)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i] == rk) {
            memmove(&c->items[i], &c->items[i + 1], (c->nitems - i - 1) * sizeof(c->items[0]));
            c->nitems--;
            c->updated_at = pms_now(p);
            pms_changed(p);
            return 0;
        }
    return -1;
}

void pms_collection_delete(pms_state *p, int64_t rk)
{
    for (size_t i = 0; i < p->ncollections; i++)
        if (p->collections[i]->rating_key == rk) {
            collection_free(p->collections[i]);
            memmove(&p->collections[i], &p->collections[i + 1],
                    (p->ncollections - i - 1) * sizeof(void *));
            p->ncollections--;
            pms_changed(p);
            return;
        }
}

/* ---- preferences ---- */

static const pms_pref_info prefs[] = {
    {"FriendlyName", "Friendly name", "This name will be used to identify this media server.",
     "text", "plexsim", "general", NULL, 0, 0},
    {"sendCrashReports", "Send crash reports to Plex", "", "bool", "true", "general", NULL, 0, 0},
    {"logDebug", "Enable Plex Media Server debug logging", "", "bool", "true", "general", NULL, 0,
     1},
    {"LogVerbose", "Enable Plex Media Server verbose logging", "", "bool", "false", "general", NULL,
     0, 1},
    {"ButlerUpdateChannel", "Server update channel", "", "text", "0", "general", "0:Public|8:Beta",
     0, 0},
    {"AcceptedEULA", "", "", "bool", "true", "", NULL, 1, 0},
    {"ManualPortMappingMode", "Manually specify public port", "", "bool", "false", "network", NULL,
     0, 0},
    {"ManualPortMappingPort", "Public port", "", "int", "32400", "network", NULL, 0, 0},
    {"secureConnections", "Secure connections", "", "int", "1", "network",
     "0:Required|1:Preferred|2:Disabled", 0, 0},
    {"customConnections", "Custom server access URLs", "", "text", "", "network", NULL, 0, 1},
    {"allowedNetworks", "List of IP addresses and networks that are allowed without auth", "",
     "text", "", "network", NULL, 0, 1},
    {"TreatWanIpAsLocal", "Treat WAN IP As LAN Bandwidth", "", "bool", "false", "network", NULL, 0,
     1},
    {"LanNetworksBandwidth", "LAN Networks", "", "text", "", "network", NULL, 0, 1},
    {"RelayEnabled", "Enable Relay", "", "bool", "true", "network", NULL, 0, 1},
    {"GdmEnabled", "Enable local network discovery (GDM)", "", "bool", "true", "network", NULL, 0,
     0},
    {"FSEventLibraryUpdatesEnabled", "Scan my library automatically", "", "bool", "true", "library",
     NULL, 0, 0},
    {"ScheduledLibraryUpdatesEnabled", "Scan my library periodically", "", "bool", "false",
     "library", NULL, 0, 0},
    {"ScheduledLibraryUpdateInterval", "Library scan interval", "", "int", "3600", "library",
     "900:every 15 minutes|1800:every 30 minutes|3600:hourly|7200:every 2 hours|21600:every 6 "
     "hours|43200:every 12 hours|86400:daily",
     0, 0},
    {"autoEmptyTrash", "Empty trash automatically after every scan", "", "bool", "true", "library",
     NULL, 0, 0},
    {"TranscoderQuality", "Transcoder quality", "", "int", "0", "transcoder",
     "0:Automatic|1:Prefer higher speed encoding|2:Prefer higher quality encoding|3:Make my CPU "
     "hurt",
     0, 0},
    {"TranscoderTempDirectory", "Transcoder temporary directory", "", "text", "", "transcoder",
     NULL, 0, 1},
    {"TranscodeCountLimit", "Maximum simultaneous video transcode", "", "int", "0", "transcoder",
     NULL, 0, 1},
    {"TranscoderToneMappingAlgorithm", "Tonemapping algorithm", "", "text", "hable", "transcoder",
     "clip:Clip|linear:Linear|gamma:Gamma|reinhard:Reinhard|hable:Hable|mobius:Mobius", 0, 1},
    {"MinutesAllowedPaused", "Minutes allowed paused", "", "int", "0", "transcoder", NULL, 0, 1},
    {"DlnaEnabled", "Enable the DLNA server", "", "bool", "true", "dlna", NULL, 0, 0},
    {"WebHooksEnabled", "Webhooks", "", "bool", "true", "network", NULL, 0, 0},
    {"ButlerStartHour", "Time at which tasks start to run", "", "int", "2", "butler", NULL, 0, 0},
    {"ButlerEndHour", "Time at which tasks stop running", "", "int", "5", "butler", NULL, 0, 0},
    {"LoudnessAnalysisBehavior", "Analyze audio tracks for loudness", "", "text", "asap", "library",
     "never:never|scheduled:as a scheduled task|asap:as a scheduled task and when "
     "media is added",
     0, 1},
    {"ArticleStrings", "Article strings", "", "text", "the,das,der,a,an,el,la", "library", NULL, 0,
     1},
    {"DvrIncrementalEpgLoader", "", "", "bool", "false", "", NULL, 1, 0},
    {"TranscoderH264BackgroundPreset", "Background transcoding x264 preset", "", "text", "veryfast",
     "transcoder", NULL, 0, 1},
    {"BackgroundQueueIdlePaused", "", "", "bool", "false", "", NULL, 1, 0},
    {"LanguageInCloud", "", "", "bool", "true", "", NULL, 1, 0},
    {"ScannerLowPriority", "Run scanner tasks at a lower priority", "", "bool", "false", "library",
     NULL, 0, 1},
    {"TranscoderThrottleBuffer", "Transcoder default throttle buffer", "", "int", "60",
     "transcoder", NULL, 0, 1},
    {"GenerateBIFBehavior", "Generate video preview thumbnails", "", "text", "scheduled", "library",
     "never:never|scheduled:as a scheduled task|asap:as a scheduled task and when "
     "media is added",
     0, 0},
    {"TranscoderDefaultDuration", "", "", "double", "120.0", "transcoder", NULL, 1, 0}};

size_t pms_pref_count(void)
{
    return COUNT(prefs);
}

const pms_pref_info *pms_pref_at(size_t i)
{
    return i < COUNT(prefs) ? &prefs[i] : NULL;
}

int pms_pref_find(const char *id)
{
    for (size_t i = 0; id && i < COUNT(prefs); i++)
        if (strcmp(prefs[i].id, id) == 0)
            return (int)i;
    return -1;
}

const char *pms_pref_value(const pms_state *p, size_t i)
{
    if (i >= COUNT(prefs))
        return NULL;
    if (p->pref_values && p->pref_values[i])
        return p->pref_values[i];
    return prefs[i].def;
}

/* 1 if v is one of the keys of "k1:label|k2:label". */
static int enum_has(const char *values, const char *v)
{
    size_t n = strlen(v);

    for (const char *e = values; e && *e;) {
        const char *colon = strchr(e, ':'), *bar = strchr(e, '|');
        if (colon && (!bar || colon < bar) && (size_t)(colon - e) == n && memcmp(e, v, n) == 0)
            return 1;
        e = bar ? bar + 1 : NULL;
    }
    return 0;
}

int pms_pref_check(size_t i, const char *v, char *out, size_t size)
{
    const pms_pref_info *pi = pms_pref_at(i);
    int64_t n;

    if (!pi || !v)
        return -1;
    if (strcmp(pi->type, "bool") == 0) {
        if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
            v = "true";
        else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
            v = "false";
        else
            return -1;
    } else if (strcmp(pi->type, "int") == 0) {
        if (pms_parse_int(v, &n) != 0 || n < -2147483647 || n > 2147483647)
            return -1;
    } else if (strcmp(pi->type, "double") == 0) {
        char *end;
        double d = strtod(v, &end);
        if (!*v || *end || d != d)
            return -1;
    }
    if (pi->enum_values && !enum_has(pi->enum_values, v))
        return -1;
    if (strlen(v) >= size || strlen(v) > 1024)
        return -1;
    snprintf(out, size, "%s", v);
    return 0;
}

int pms_pref_set(pms_state *p, size_t i, const char *normalised)
{
    char *copy;

    if (i >= COUNT(prefs))
        return -1;
    if (!p->pref_values && !(p->pref_values = calloc(COUNT(prefs), sizeof(char *))))
        return -1;
    if (!(copy = strdup(normalised)))
        return -1;
    free(p->pref_values[i]);
    p->pref_values[i] = copy;
    pms_changed(p);
    pms_notify_pref(p, i);
    return 0;
}

/* ---- clients seen ---- */

void pms_device_seen(pms_state *p, const char *client_id, const char *product, const char *platform,
                     const char *device)
{
    pms_device_seen_t *d = NULL;

    if (!client_id || !*client_id)
        return;
    for (size_t i = 0; i < p->ndevices; i++)
        if (strcmp(p->devices[i].id, client_id) == 0)
            d = &p->devices[i];
    if (!d) {
        if (p->ndevices >= MAX_DEVICES)
            return;
        if (!p->devices && !(p->devices = calloc(MAX_DEVICES, sizeof(*p->devices))))
            return;
        d = &p->devices[p->ndevices++];
        snprintf(d->id, sizeof(d->id), "%s", client_id);
        snprintf(d->product, sizeof(d->product), "%s", product ? product : "");
        snprintf(d->platform, sizeof(d->platform), "%s", platform ? platform : "");
        snprintf(d->name, sizeof(d->name), "%s", device ? device : product ? product : "");
        d->first_seen = pms_now(p);
    }
    d->last_seen = pms_now(p);
}

size_t pms_device_count(const pms_state *p)
{
    return p->ndevices;
}

const pms_device_seen_t *pms_device_at(const pms_state *p, size_t i)
{
    return i < p->ndevices ? &p->devices[i] : NULL;
}

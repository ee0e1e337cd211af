/*
 * Route group "library": browsing (PMS.md §4.2): the library root, the
 * sections and their listings (all with media queries, allLeaves, onDeck,
 * recentlyAdded, firstCharacter, collections, the tag lists), items by
 * ratingKey with their include* flags, children, leaves, related and similar
 * items, the cross-section lists, and the refresh calls (recorded in the
 * overlay's refresh log; they return at once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pms.h"
#include "pms/models.gen.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MEDIA_TAG_VERSION 1764547200
#define RECENT_DEFAULT 50

typedef struct section_info {
    const char *type, *title, *agent, *scanner, *icon, *path, *view_group, *all_title;
    int top_type;
} section_info;

static const section_info sections[PMS_NSECTIONS + 1] = {
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
    {"movie", "Movies", "tv.plex.agents.movie", "Plex Movie", "movie", "/data/Movies", "movie",
     "All Movies", PMS_T_MOVIE},
    {"show", "TV Shows", "tv.plex.agents.series", "Plex TV Series", "show", "/data/TV Shows",
     "show", "All Shows", PMS_T_SHOW},
    {"artist", "Music", "tv.plex.agents.music", "Plex Music", "artist", "/data/Music", "artist",
     "All Artists", PMS_T_ARTIST},
    {"photo", "Photos", "com.plexapp.agents.none", "Plex Photo Scanner", "photo", "/data/Photos",
     "photo", "All Photos", PMS_T_PHOTOALBUM}};

static void *zalloc(pms_ctx *c, size_t size)
{
    void *v = plex__arena_alloc(c->arena, size);
    if (v)
        memset(v, 0, size);
    return v;
}

static const char *fmt(pms_ctx *c, const char *f, long long a)
{
    char tmp[256];
    char *d;
    size_t n;

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    snprintf(tmp, sizeof(tmp), f, a);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    n = strlen(tmp) + 1;
    if (!(d = plex__arena_alloc_bytes(c->arena, n)))
        return NULL;
    memcpy(d, tmp, n);
    return d;
}

static const char *dup(pms_ctx *c, const char *s)
{
    size_t n;
    char *d;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    if (!(d = plex__arena_alloc_bytes(c->arena, n)))
        return NULL;
    memcpy(d, s, n);
    return d;
}

static const char *section_uuid(pms_ctx *c, int section)
{
    uint64_t h = c->p->seed * 0x9E3779B97F4A7C15ull + (uint64_t)section * 0xBF58476D1CE4E5B9ull;
    char tmp[40];

    h ^= h >> 31;
    snprintf(tmp, sizeof(tmp), "%08llx-%04llx-4%03llx-%04llx-%012llx",
             (unsigned long long)(h >> 32), (unsigned long long)((h >> 16) & 0xFFFF),
             (unsigned long long)(h & 0xFFF), (unsigned long long)(0x8000 | ((h >> 3) & 0x3FFF)),
             (unsigned long long)((h * 0x2545F4914F6CDD1Dull) & 0xFFFFFFFFFFFFull));
    return dup(c, tmp);
}

/* The section of c->arg[0]; 0 after answering 404. */
static int section_arg(pms_ctx *c)
{
    int64_t s;

    if (c->nargs < 1 || pms_parse_int(c->arg[0], &s) != 0 || s < 1 || s > PMS_NSECTIONS ||
        pms_section_deleted(c->p, (int)s)) {
        pms_error(c, 404);
        return 0;
    }
    return (int)s;
}

/* A container with the attributes of a section's listings. */
static plex_container *section_container(pms_ctx *c, int section, const char *title2)
{
    plex_container *mc = pms_container(c);
    const section_info *si = &sections[section];

    if (!mc)
        return NULL;
    mc->allow_sync = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_ALLOW_SYNC);
    mc->identifier = "com.plexapp.plugins.library";
    mc->library_section_id = section;
    PMS_SET(mc, PLEX_CONTAINER_LIBRARY_SECTION_ID);
    mc->library_section_title = si->title;
    mc->library_section_uuid = section_uuid(c, section);
    mc->media_tag_prefix = "/system/bundle/media/flags/";
    mc->media_tag_version = MEDIA_TAG_VERSION;
    PMS_SET(mc, PLEX_CONTAINER_MEDIA_TAG_VERSION);
    {
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "/:/resources/%s-fanart.jpg", si->icon);
        mc->art = dup(c, tmp);
        snprintf(tmp, sizeof(tmp), "/:/resources/%s.png", si->icon);
        mc->thumb = dup(c, tmp);
    }
    mc->title1 = si->title;
    mc->title2 = title2;
    mc->view_group = si->view_group;
    mc->view_mode = 65592;
    PMS_SET(mc, PLEX_CONTAINER_VIEW_MODE);
    return mc;
}

/* ---- sections ---- */

int pms_section_directories(pms_ctx *c, const plex_directory *const **out)
{
    const plex_directory **arr = zalloc(c, sizeof(void *) * PMS_NSECTIONS);
    int n = 0;

    if (!arr)
        return -1;
    for (int s = 1; s <= PMS_NSECTIONS; s++) {
        const section_info *si = &sections[s];
        plex_directory *d, *loc_unused = NULL;
        plex_location *loc;
        const plex_location **locs;
        char tmp[64];
        int64_t scanned = pms_section_scanned_at(c->p, s);

        (void)loc_unused;
        if (pms_section_deleted(c->p, s))
            continue;
        d = zalloc(c, sizeof(*d));
        loc = zalloc(c, sizeof(*loc));
        locs = zalloc(c, sizeof(void *));
        if (!d || !loc || !locs)
            return -1;
        d->key = fmt(c, "%lld", s);
        d->type = si->type;
        d->title = si->title;
        d->agent = si->agent;
        d->scanner = si->scanner;
        d->language = s == PMS_SEC_PHOTOS ? "xn" : "en-US";
        d->uuid = section_uuid(c, s);
        snprintf(tmp, sizeof(tmp), "/:/resources/%s.png", si->icon);
        d->thumb = dup(c, tmp);
        snprintf(tmp, sizeof(tmp), "/:/resources/%s-fanart.jpg", si->icon);
        d->art = dup(c, tmp);
        snprintf(tmp, sizeof(tmp), "/library/sections/%d/composite/%lld", s, (long long)scanned);
        d->composite = dup(c, tmp);
        d->refreshing = PLEX_FALSE;
        d->content = PLEX_TRUE;
        d->directory = PLEX_TRUE;
        d->filters = PLEX_TRUE;
        d->allow_sync = PLEX_TRUE;
        d->hidden = 0;
        d->created_at = PMS_EPOCH - (int64_t)4 * 365 * 86400 + (int64_t)s * 600;
        d->updated_at = scanned;
        d->scanned_at = scanned;
        d->content_changed_at = scanned - 1800;
        PMS_SET(d, PLEX_DIRECTORY_REFRESHING);
        PMS_SET(d, PLEX_DIRECTORY_CONTENT);
        PMS_SET(d, PLEX_DIRECTORY_DIRECTORY);
        PMS_SET(d, PLEX_DIRECTORY_FILTERS);
        PMS_SET(d, PLEX_DIRECTORY_ALLOW_SYNC);
        PMS_SET(d, PLEX_DIRECTORY_HIDDEN);
        PMS_SET(d, PLEX_DIRECTORY_CREATED_AT);
        PMS_SET(d, PLEX_DIRECTORY_UPDATED_AT);
        PMS_SET(d, PLEX_DIRECTORY_SCANNED_AT);
        PMS_SET(d, PLEX_DIRECTORY_CONTENT_CHANGED_AT);
        loc->id = s;
        PMS_SET(loc, PLEX_LOCATION_ID);
        loc->path = si->path;
        locs[0] = loc;
        d->locations = locs;
        d->locations_count = 1;
        arr[n++] = d;
    }
    *out = arr;
    return n;
}

static void library_sections(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    int n;

    if (!mc || (n = pms_section_directories(c, &mc->directories)) < 0) {
        pms_error(c, 500);
        return;
    }
    mc->directories_count = (size_t)n;
    mc->allow_sync = PLEX_FALSE;
    PMS_SET(mc, PLEX_CONTAINER_ALLOW_SYNC);
    mc->title1 = "Plex Library";
    pms_reply_container(c, mc);
}

static void library_root(pms_ctx *c)
{
    static const char *const entries[][2] = {{"sections", "Library Sections"},
                                             {"recentlyAdded", "Recently Added Content"},
                                             {"onDeck", "On Deck Content"}};
    plex_container *mc = pms_container(c);
    const plex_directory **arr = zalloc(c, sizeof(void *) * COUNT(entries));

    if (!mc || !arr) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < COUNT(entries); i++) {
        plex_directory *d = zalloc(c, sizeof(*d));
        if (!d) {
            pms_error(c, 500);
            return;
        }
        d->key = entries[i][0];
        d->title = entries[i][1];
        arr[i] = d;
    }
    mc->directories = arr;
    mc->directories_count = COUNT(entries);
    mc->allow_sync = PLEX_FALSE;
    PMS_SET(mc, PLEX_CONTAINER_ALLOW_SYNC);
    mc->art = "/:/resources/library-art.jpg";
    mc->content = "";
    mc->identifier = "com.plexapp.plugins.library";
    mc->media_tag_prefix = "/system/bundle/media/flags/";
    mc->media_tag_version = MEDIA_TAG_VERSION;
    PMS_SET(mc, PLEX_CONTAINER_MEDIA_TAG_VERSION);
    mc->title1 = "Plex Library";
    mc->title2 = "";
    pms_reply_container(c, mc);
}

/* ---- the Meta block ---- */

static const int section_types[PMS_NSECTIONS + 1][3] = {{0, 0, 0},
                                                        {PMS_T_MOVIE, 0, 0},
                                                        {PMS_T_SHOW, PMS_T_SEASON, PMS_T_EPISODE},
                                                        {PMS_T_ARTIST, PMS_T_ALBUM, PMS_T_TRACK},
                                                        {PMS_T_PHOTOALBUM, PMS_T_PHOTO, 0}};

static const char *filter_type(int ft)
{
    return ft == PMS_FT_INTEGER   ? "integer"
           : ft == PMS_FT_BOOLEAN ? "boolean"
           : ft == PMS_FT_DATE    ? "date"
                                  : "string";
}

/* "Movies", "Episodes"...: a type as the Meta block titles it. */
static const char *type_title(int type)
{
    static const struct {
        int type;
        const char *title;
    } titles[] = {
        {PMS_T_MOVIE, "Movies"},     {PMS_T_SHOW, "Shows"},        {PMS_T_SEASON, "Seasons"},
        {PMS_T_EPISODE, "Episodes"}, {PMS_T_ARTIST, "Artists"},    {PMS_T_ALBUM, "Albums"},
        {PMS_T_TRACK, "Tracks"},     {PMS_T_PHOTOALBUM, "Albums"}, {PMS_T_PHOTO, "Photos"}};
    for (size_t i = 0; i < COUNT(titles); i++)
        if (titles[i].type == type)
            return titles[i].title;
    return pms_type_name(type);
}

static plex_meta_type *meta_type(pms_ctx *c, int section, int type, int active)
{
    plex_meta_type *t = zalloc(c, sizeof(*t));
    const pms_field_info *ff, *sf;
    size_t nf = pms_filter_fields(type, &ff), ns = pms_sort_fields(type, &sf);
    const plex_meta_choice **filters = zalloc(c, sizeof(void *) * (nf ? nf : 1));
    const plex_meta_choice **sorts = zalloc(c, sizeof(void *) * (ns ? ns : 1));
    const plex_meta_choice **fields = zalloc(c, sizeof(void *) * (nf ? nf : 1));
    char tmp[160];

    if (!t || !filters || !sorts || !fields)
        return NULL;
    snprintf(tmp, sizeof(tmp), "/library/sections/%d/all?type=%d", section, type);
    t->key = dup(c, tmp);
    t->type = pms_type_name(type);
    t->title = type_title(type);
    if (active) {
        t->active = PLEX_TRUE;
        PMS_SET(t, PLEX_META_TYPE_ACTIVE);
    }
    for (size_t i = 0; i < nf; i++) {
        plex_meta_choice *f = zalloc(c, sizeof(*f)), *g = zalloc(c, sizeof(*g));
        if (!f || !g)
            return NULL;
        f->filter = ff[i].key;
        f->filter_type = filter_type(ff[i].kind);
        snprintf(tmp, sizeof(tmp), "/library/sections/%d/%s", section, ff[i].key);
        f->key = dup(c, tmp);
        f->title = ff[i].title;
        f->type = "filter";
        filters[i] = f;
        g->key = ff[i].key;
        g->title = ff[i].title;
        g->type = pms_field_type_name(ff[i].kind);
        fields[i] = g;
    }
    for (size_t i = 0; i < ns; i++) {
        plex_meta_choice *s = zalloc(c, sizeof(*s));
        if (!s)
            return NULL;
        s->key = sf[i].key;
        s->title = sf[i].title;
        s->default_direction = sf[i].kind == PMS_FT_DATE ? "desc" : "asc";
        snprintf(tmp, sizeof(tmp), "%s:desc", sf[i].key);
        s->desc_key = dup(c, tmp);
        if (strcmp(sf[i].key, "titleSort") == 0) {
            snprintf(tmp, sizeof(tmp), "/library/sections/%d/firstCharacter", section);
            s->first_character_key = dup(c, tmp);
        }
        sorts[i] = s;
    }
    t->filters = filters;
    t->filters_count = nf;
    t->sorts = sorts;
    t->sorts_count = ns;
    t->fields = fields;
    t->fields_count = nf;
    return t;
}

static plex_meta *meta_block(pms_ctx *c, int section)
{
    static const char *const ops[PMS_FT_COUNT][8][2] = {
        {{"=", "is"},
         {"!=", "is not"},
         {">>=", "is greater than"},
         {"<<=", "is less than"},
         {">=", "is at least"},
         {"<=", "is at most"}},
        {{"=", "contains"},
         {"!=", "does not contain"},
         {"==", "is"},
         {"!==", "is not"},
         {"<=", "begins with"},
         {">=", "ends with"}},
        {{"=", "is"}, {"!=", "is not"}},
        {{"=", "is true"}, {"!=", "is false"}},
        {{"=", "is"}, {"!=", "is not"}, {">>=", "is after"}, {"<<=", "is before"}}};
    plex_meta *m = zalloc(c, sizeof(*m));
    const plex_meta_type **types = zalloc(c, sizeof(void *) * 3);
    const plex_meta_field_type **fts = zalloc(c, sizeof(void *) * PMS_FT_COUNT);
    size_t nt = 0;

    if (!m || !types || !fts)
        return NULL;
    for (int i = 0; i < 3 && section_types[section][i]; i++)
        if (!(types[nt++] = meta_type(c, section, section_types[section][i], i == 0)))
            return NULL;
    for (int ft = 0; ft < PMS_FT_COUNT; ft++) {
        plex_meta_field_type *t = zalloc(c, sizeof(*t));
        const plex_meta_operator **o = zalloc(c, sizeof(void *) * 8);
        size_t n = 0;
        if (!t || !o)
            return NULL;
        t->type = pms_field_type_name(ft);
        for (; n < 8 && ops[ft][n][0]; n++) {
            plex_meta_operator *op = zalloc(c, sizeof(*op));
            if (!op)
                return NULL;
            op->key = ops[ft][n][0];
            op->title = ops[ft][n][1];
            o[n] = op;
        }
        t->operators = o;
        t->operators_count = n;
        fts[ft] = t;
    }
    m->types = types;
    m->types_count = nt;
    m->field_types = fts;
    m->field_types_count = PMS_FT_COUNT;
    return m;
}

/* /library/sections/{id}: the legacy menu; includeDetails=1 adds the Meta block. */
static void section(pms_ctx *c)
{
    static const char *const menu[][3] = {{"all", "All %s", NULL},
                                          {"unwatched", "Unplayed", NULL},
                                          {"newest", "Recently Released", NULL},
                                          {"recentlyAdded", "Recently Added", NULL},
                                          {"recentlyViewed", "Recently Viewed", NULL},
                                          {"onDeck", "On Deck", NULL},
                                          {"collections", "Collections", "1"},
                                          {"genre", "By Genre", "1"},
                                          {"year", "By Year", "1"},
                                          {"decade", "By Decade", "1"},
                                          {"director", "By Director", "1"},
                                          {"actor", "By Starring Actor", "1"},
                                          {"country", "By Country", "1"},
                                          {"contentRating", "By Content Rating", "1"},
                                          {"resolution", "By Resolution", "1"},
                                          {"firstCharacter", "By First Letter", "1"},
                                          {"folder", "By Folder", NULL}};
    int s = section_arg(c);
    plex_container *mc;
    const plex_directory **arr;
    size_t n = 0;

    if (!s)
        return;
    if (!(mc = section_container(c, s, NULL)) ||
        !(arr = zalloc(c, sizeof(void *) * (COUNT(menu) + 1)))) {
        pms_error(c, 500);
        return;
    }
    mc->content = "secondary";
    mc->view_group = "secondary";
    for (size_t i = 0; i < COUNT(menu); i++) {
        plex_directory *d = zalloc(c, sizeof(*d));
        if (!d) {
            pms_error(c, 500);
            return;
        }
        d->key = menu[i][0];
        d->title = i == 0 ? dup(c, sections[s].all_title) : menu[i][1];
        if (menu[i][2]) {
            d->secondary = PLEX_TRUE;
            PMS_SET(d, PLEX_DIRECTORY_SECONDARY);
        }
        arr[n++] = d;
    }
    {
        plex_directory *d = zalloc(c, sizeof(*d));
        char tmp[64];
        if (!d) {
            pms_error(c, 500);
            return;
        }
        snprintf(tmp, sizeof(tmp), "search?type=%d", sections[s].top_type);
        d->key = dup(c, tmp);
        d->title = "Search...";
        d->prompt = "Search Movies";
        d->search = PLEX_TRUE;
        PMS_SET(d, PLEX_DIRECTORY_SEARCH);
        arr[n++] = d;
    }
    mc->directories = arr;
    mc->directories_count = n;
    if (pms_flag(c, "includeDetails") && !(mc->meta = meta_block(c, s))) {
        pms_error(c, 500);
        return;
    }
    pms_reply_container(c, mc);
}

/* ---- listings ---- */

static void reply_query(pms_ctx *c, int section, int type, const char *title2)
{
    pms_query *q = pms_query_parse(c, section, type);
    plex_container *mc;
    int64_t *keys = NULL;
    size_t n = 0;
    unsigned int flags = pms_render_flags(c) | (section ? 0 : PMS_R_SECTION);

    if (!q)
        return;
    mc = section ? section_container(c, section, title2) : pms_container(c);
    if (!mc || pms_query_run(c, q, &keys, &n) != 0) {
        pms_query_free(q);
        pms_error(c, 500);
        return;
    }
    if (!section) {
        mc->identifier = "com.plexapp.plugins.library";
        mc->media_tag_prefix = "/system/bundle/media/flags/";
        mc->media_tag_version = MEDIA_TAG_VERSION;
        PMS_SET(mc, PLEX_CONTAINER_MEDIA_TAG_VERSION);
    }
    mc->view_group = pms_type_name(pms_query_type(q));
    if (section && pms_flag(c, "includeMeta") && !(mc->meta = meta_block(c, section))) {
        free(keys);
        pms_query_free(q);
        pms_error(c, 500);
        return;
    }
    pms_reply_list(c, mc, NULL, 0, keys, n, pms_query_limit(q), flags);
    pms_query_free(q);
}

static void section_all(pms_ctx *c)
{
    int s = section_arg(c);
    if (s)
        reply_query(c, s, 0, sections[s].all_title);
}

static const int leaf_types[PMS_NSECTIONS + 1] = {0, PMS_T_MOVIE, PMS_T_EPISODE, PMS_T_TRACK,
                                                  PMS_T_PHOTO};

static void section_all_leaves(pms_ctx *c)
{
    int s = section_arg(c);
    if (s)
        reply_query(c, s, leaf_types[s], "All Leaves");
}

/* Items of type in section (0: all) by addedAt, newest first. */
int pms_recent_keys(pms_ctx *c, int section, int64_t **keys, size_t *n)
{
    static const int types[] = {PMS_T_MOVIE, PMS_T_EPISODE, PMS_T_ALBUM, PMS_T_PHOTO};
    int64_t *all = NULL;
    size_t total = 0;

    for (size_t i = 0; i < COUNT(types); i++) {
        int64_t *k;
        size_t m;
        if ((section && (size_t)section != i + 1) || pms_section_deleted(c->p, (int)i + 1))
            continue;
        if (pms_query_all(c, section ? section : (int)i + 1, types[i], &k, &m) != 0) {
            free(all);
            return -1;
        }
        if (m) {
            int64_t *grown = realloc(all, (total + m) * sizeof(*all));
            if (!grown) {
                free(k);
                free(all);
                return -1;
            }
            all = grown;
            memcpy(all + total, k, m * sizeof(*k));
            total += m;
        }
        free(k);
    }
    if (pms_sort_keys(c, all, total, "addedAt:desc") != 0) {
        free(all);
        return -1;
    }
    *keys = all;
    *n = total;
    return 0;
}

static void reply_recent(pms_ctx *c, int section)
{
    plex_container *mc =
        section ? section_container(c, section, "Recently Added") : pms_container(c);
    int64_t *keys = NULL;
    size_t n = 0;
    int64_t limit;

    if (!mc || pms_recent_keys(c, section, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    if (pms_int_arg(c, "limit", 0, INT32_MAX, c->paged ? -1 : RECENT_DEFAULT, &limit) != 0) {
        free(keys);
        return;
    }
    mc->mixed_parents = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_MIXED_PARENTS);
    pms_reply_list(c, mc, NULL, 0, keys, n, limit,
                   pms_render_flags(c) | (section ? 0 : PMS_R_SECTION));
}

static void section_recently_added(pms_ctx *c)
{
    int s = section_arg(c);
    if (s)
        reply_recent(c, s);
}

static void library_recently_added(pms_ctx *c)
{
    reply_recent(c, 0);
}

/* On deck: leaves in progress, and the next episode of shows being watched,
 * most recently watched first. */
typedef struct deck {
    pms_state *p;
    int section;
    int64_t *keys;
    int64_t *when;
    size_t n, cap;
    int failed;
} deck;

static void deck_add(deck *d, int64_t rk, int64_t when)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->keys[i] == rk) {
            if (when > d->when[i])
                d->when[i] = when;
            return;
        }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        int64_t *k = realloc(d->keys, cap * sizeof(*k)), *w;
        if (k)
            d->keys = k;
        w = k ? realloc(d->when, cap * sizeof(*w)) : NULL;
        if (!k || !w) {
            d->failed = 1;
            return;
        }
        d->when = w;
        d->cap = cap;
    }
    d->keys[d->n] = rk;
    d->when[d->n++] = when;
}

static int deck_each(void *user, const pms_overlay *o)
{
    deck *d = user;
    long idx;
    int k = pms_key_kind(d->p, o->rating_key, &idx);

    if (k < 0 || (d->section && pms_kind_section((pms_kind)k) != d->section))
        return 0;
    if (k == PMS_K_EPISODE && (o->view_count > 0 || o->view_offset > 0)) {
        pms_item it;
        if (pms_item_get(d->p, o->rating_key, &it) == 0) {
            int64_t next = pms_next_episode(d->p, it.grandparent_key);
            if (next)
                deck_add(d, next, o->last_viewed_at);
        }
    } else if (o->view_offset > 0 && (k == PMS_K_MOVIE || k == PMS_K_CLIP)) {
        deck_add(d, o->rating_key, o->last_viewed_at);
    }
    return d->failed;
}

int pms_on_deck(pms_ctx *c, int section, int64_t **keys, size_t *n)
{
    deck d;

    memset(&d, 0, sizeof(d));
    d.p = c->p;
    d.section = section;
    pms_overlay_each(c->p, deck_each, &d);
    if (d.failed) {
        free(d.keys);
        free(d.when);
        return -1;
    }
    /* newest first (insertion sort: decks are short) */
    for (size_t i = 1; i < d.n; i++)
        for (size_t j = i; j > 0 && (d.when[j] > d.when[j - 1] ||
                                     (d.when[j] == d.when[j - 1] && d.keys[j] < d.keys[j - 1]));
             j--) {
            int64_t tk = d.keys[j], tw = d.when[j];
            d.keys[j] = d.keys[j - 1];
            d.when[j] = d.when[j - 1];
            d.keys[j - 1] = tk;
            d.when[j - 1] = tw;
        }
    free(d.when);
    *keys = d.keys;
    *n = d.n;
    return 0;
}

static void reply_deck(pms_ctx *c, int section)
{
    plex_container *mc = section ? section_container(c, section, "On Deck") : pms_container(c);
    int64_t *keys = NULL;
    size_t n = 0;

    if (!mc || pms_on_deck(c, section, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    mc->mixed_parents = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_MIXED_PARENTS);
    pms_reply_list(c, mc, NULL, 0, keys, n, -1,
                   pms_render_flags(c) | (section ? 0 : PMS_R_SECTION));
}

static void section_on_deck(pms_ctx *c)
{
    int s = section_arg(c);
    if (s)
        reply_deck(c, s);
}

static void library_on_deck(pms_ctx *c)
{
    reply_deck(c, 0);
}

/* /library/all?type=N&...: a query across sections (every top type when
 * no type is given). */
static void library_all(pms_ctx *c)
{
    static const int top[] = {PMS_T_MOVIE, PMS_T_SHOW, PMS_T_ARTIST, PMS_T_PHOTOALBUM};
    int64_t *all = NULL, type;
    size_t total = 0;
    plex_container *mc;

    if (pms_int_arg(c, "type", 1, 1000, 0, &type) != 0)
        return;
    if (type) {
        reply_query(c, 0, (int)type, NULL);
        return;
    }
    for (size_t i = 0; i < COUNT(top); i++) {
        pms_query *q = pms_query_parse(c, (int)i + 1, top[i]);
        int64_t *k = NULL, *grown;
        size_t m = 0;
        if (!q) {
            free(all);
            return;
        }
        if (pms_query_run(c, q, &k, &m) != 0 ||
            !(grown = realloc(all, (total + m + 1) * sizeof(*all)))) {
            free(k);
            free(all);
            pms_query_free(q);
            pms_error(c, 500);
            return;
        }
        all = grown;
        if (m)
            memcpy(all + total, k, m * sizeof(*k));
        total += m;
        free(k);
        pms_query_free(q);
    }
    if (!(mc = pms_container(c))) {
        free(all);
        pms_error(c, 500);
        return;
    }
    mc->identifier = "com.plexapp.plugins.library";
    mc->mixed_parents = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_MIXED_PARENTS);
    pms_reply_list(c, mc, NULL, 0, all, total, -1, pms_render_flags(c) | PMS_R_SECTION);
}

/* ---- tag lists ---- */

typedef struct tag_count {
    const char *key, *title;
    int64_t id;
    int count;
} tag_count;

typedef struct tag_counts {
    tag_count *items;
    size_t n, cap;
} tag_counts;

static tag_count *count_tag(pms_ctx *c, tag_counts *tc, const char *key, const char *title,
                            int64_t id)
{
    for (size_t i = 0; i < tc->n; i++)
        if (strcmp(tc->items[i].key, key) == 0) {
            tc->items[i].count++;
            return &tc->items[i];
        }
    if (tc->n == tc->cap) {
        size_t cap = tc->cap ? tc->cap * 2 : 64;
        tag_count *items = realloc(tc->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        tc->items = items;
        tc->cap = cap;
    }
    tc->items[tc->n].key = dup(c, key);
    tc->items[tc->n].title = dup(c, title);
    tc->items[tc->n].id = id;
    tc->items[tc->n].count = 1;
    if (!tc->items[tc->n].key || !tc->items[tc->n].title)
        return NULL;
    return &tc->items[tc->n++];
}

static int by_title(const void *a, const void *b)
{
    const tag_count *x = a, *y = b;
    int r = strcasecmp(x->title, y->title);
    return r ? r : strcmp(x->key, y->key);
}

static int by_key_desc(const void *a, const void *b)
{
    const tag_count *x = a, *y = b;
    return -strcmp(x->key, y->key);
}

/* The tag list of a section: the route's last segment names it. */
static void section_tags(pms_ctx *c)
{
    const char *path = c->rq->path, *what = strrchr(path, '/');
    int s = section_arg(c), kind = -1, ok = 1;
    int64_t *keys = NULL, type;
    size_t n = 0;
    tag_counts tc;
    plex_container *mc;
    const plex_directory **dirs;

    if (!s)
        return;
    what = what ? what + 1 : "";
    if (pms_int_arg(c, "type", 1, 1000, sections[s].top_type, &type) != 0)
        return;
    kind = pms_tag_kind_of(what, strlen(what));
    memset(&tc, 0, sizeof(tc));
    if (pms_query_all(c, s, (int)type, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n && ok; i++) {
        pms_item it;
        char key[64], title[64];
        pms_media md;
        if (pms_item_get(c->p, keys[i], &it) != 0)
            continue;
        if (kind >= 0) {
            for (int j = 0; j < it.ntags[kind] && ok; j++) {
                snprintf(key, sizeof(key), "%lld", (long long)it.tags[kind][j].id);
                ok = count_tag(c, &tc, key, it.tags[kind][j].tag, it.tags[kind][j].id) != NULL;
            }
        } else if (strcmp(what, "year") == 0 && it.year > 0) {
            snprintf(key, sizeof(key), "%d", it.year);
            ok = count_tag(c, &tc, key, key, 0) != NULL;
        } else if (strcmp(what, "decade") == 0 && it.year > 0) {
            snprintf(key, sizeof(key), "%d", it.year / 10 * 10);
            snprintf(title, sizeof(title), "%ds", it.year / 10 * 10);
            ok = count_tag(c, &tc, key, title, 0) != NULL;
        } else if (strcmp(what, "contentRating") == 0 && it.content_rating) {
            ok = count_tag(c, &tc, it.content_rating, it.content_rating, 0) != NULL;
        } else if (strcmp(what, "studio") == 0 && it.studio) {
            ok = count_tag(c, &tc, it.studio, it.studio, 0) != NULL;
        } else if (strcmp(what, "resolution") == 0 && it.nmedia > 0 &&
                   pms_media_get(c->p, &it, 0, &md) == 0 && md.resolution) {
            ok = count_tag(c, &tc, md.resolution,
                           strcmp(md.resolution, "4k") == 0   ? "4K"
                           : strcmp(md.resolution, "sd") == 0 ? "SD"
                                                              : md.resolution,
                           0) != NULL;
        }
    }
    free(keys);
    if (!ok || !(mc = section_container(c, s, NULL)) ||
        !(dirs = zalloc(c, sizeof(void *) * (tc.n ? tc.n : 1)))) {
        free(tc.items);
        pms_error(c, 500);
        return;
    }
    if (tc.n)
        qsort(tc.items, tc.n, sizeof(*tc.items),
              strcmp(what, "year") == 0 || strcmp(what, "decade") == 0 ? by_key_desc : by_title);
    for (size_t i = 0; i < tc.n; i++) {
        plex_directory *d = zalloc(c, sizeof(*d));
        char fast[512], enc[256];
        size_t o = 0;
        if (!d) {
            free(tc.items);
            pms_error(c, 500);
            return;
        }
        /* percent-encode the value for the fastKey */
        for (const unsigned char *q = (const unsigned char *)tc.items[i].key;
             *q && o + 4 < sizeof(enc); q++) {
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                *q == '-' || *q == '_' || *q == '.')
                enc[o++] = (char)*q;
            else
                o += (size_t)snprintf(enc + o, sizeof(enc) - o, "%%%02X", *q);
        }
        enc[o] = '\0';
        if (type != sections[s].top_type)
            snprintf(fast, sizeof(fast), "/library/sections/%d/all?type=%d&%s=%s", s, (int)type,
                     kind >= 0 ? pms_tag_kind_info((pms_tag_kind)kind)->filter : what, enc);
        else
            snprintf(fast, sizeof(fast), "/library/sections/%d/all?%s=%s", s,
                     kind >= 0 ? pms_tag_kind_info((pms_tag_kind)kind)->filter : what, enc);
        d->fast_key = dup(c, fast);
        d->key = tc.items[i].key;
        d->title = tc.items[i].title;
        d->count = tc.items[i].count;
        PMS_SET(d, PLEX_DIRECTORY_COUNT);
        if (tc.items[i].id) {
            d->id = tc.items[i].id;
            PMS_SET(d, PLEX_DIRECTORY_ID);
        }
        dirs[i] = d;
    }
    mc->directories = dirs;
    mc->directories_count = tc.n;
    mc->view_group = "secondary";
    mc->content = "secondary";
    free(tc.items);
    pms_reply_container(c, mc);
}

static void section_first_character(pms_ctx *c)
{
    int s = section_arg(c);
    int64_t *keys = NULL, type;
    size_t n = 0;
    int counts[27] = {0}; /* '#', A-Z */
    plex_container *mc;
    const plex_directory **dirs;
    size_t nd = 0;

    if (!s || pms_int_arg(c, "type", 1, 1000, sections[s].top_type, &type) != 0)
        return;
    if (pms_query_all(c, s, (int)type, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        pms_item it;
        char f[8];
        if (pms_item_get(c->p, keys[i], &it) != 0)
            continue;
        pms_fold(it.title_sort ? it.title_sort : it.title, f, sizeof(f));
        counts[f[0] >= 'a' && f[0] <= 'z' ? f[0] - 'a' + 1 : 0]++;
    }
    free(keys);
    if (!(mc = section_container(c, s, NULL)) || !(dirs = zalloc(c, sizeof(void *) * 27))) {
        pms_error(c, 500);
        return;
    }
    for (int i = 0; i < 27; i++) {
        plex_directory *d;
        char letter[2] = {(char)(i == 0 ? '#' : 'A' + i - 1), 0};
        if (!counts[i])
            continue;
        if (!(d = zalloc(c, sizeof(*d)))) {
            pms_error(c, 500);
            return;
        }
        d->key = dup(c, letter);
        d->title = d->key;
        d->size = counts[i];
        PMS_SET(d, PLEX_DIRECTORY_SIZE);
        dirs[nd++] = d;
    }
    mc->directories = dirs;
    mc->directories_count = nd;
    pms_reply_container(c, mc);
}

static void section_collections(pms_ctx *c)
{
    int s = section_arg(c);
    plex_container *mc;
    const plex_metadata **items;
    size_t n = 0;

    if (!s)
        return;
    if (!(mc = section_container(c, s, "Collections")) ||
        !(items = zalloc(c, sizeof(void *) * (pms_collection_count(c->p) + 1)))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < pms_collection_count(c->p); i++) {
        const pms_collection *col = pms_collection_at(c->p, i);
        if (col->section != s)
            continue;
        if (!(items[n++] = pms_render_collection(c->p, c->arena, col))) {
            pms_error(c, 500);
            return;
        }
    }
    mc->items = items;
    mc->items_count = n;
    pms_reply_container(c, mc);
}

/* ---- items ---- */

/* A container for answers about one item (its section's attributes). */
static plex_container *item_container(pms_ctx *c, const pms_item *it)
{
    plex_container *mc = section_container(c, it->section, NULL);

    if (mc) {
        mc->art = NULL;
        mc->thumb = NULL;
        mc->title1 = sections[it->section].title;
        mc->view_group = NULL;
        mc->view_mode = 0;
        mc->present[PLEX_CONTAINER_VIEW_MODE / 32] &= ~(1u << (PLEX_CONTAINER_VIEW_MODE % 32));
    }
    return mc;
}

static void metadata(pms_ctx *c)
{
    const char *ids = c->nargs ? c->arg[0] : "";
    unsigned int flags = pms_render_flags(c) | PMS_R_FULL;
    const plex_metadata **items;
    plex_container *mc = NULL;
    size_t n = 0, max = 1;

    for (const char *p = ids; *p; p++)
        max += *p == ',';
    if (max > 1000 || !(items = zalloc(c, sizeof(void *) * max))) {
        pms_error(c, max > 1000 ? 400 : 500);
        return;
    }
    for (const char *p = ids; *p && n < max;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char tmp[24];
        int64_t rk;
        pms_item it;
        if (len > 0 && len < sizeof(tmp)) {
            memcpy(tmp, p, len);
            tmp[len] = '\0';
            if (pms_parse_int(tmp, &rk) == 0 && rk > 0) {
                const pms_collection *col = pms_collection_find(c->p, rk);
                if (col) {
                    if (!mc)
                        mc = pms_container(c);
                    items[n] = pms_render_collection(c->p, c->arena, col);
                    if (!items[n++]) {
                        pms_error(c, 500);
                        return;
                    }
                } else if (pms_item_get(c->p, rk, &it) == 0) {
                    if (!mc)
                        mc = item_container(c, &it);
                    items[n] = pms_render_item(c->p, c->arena, &it, flags);
                    if (!items[n++]) {
                        pms_error(c, 500);
                        return;
                    }
                }
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (n == 0) {
        pms_error(c, 404);
        return;
    }
    if (!mc) {
        pms_error(c, 500);
        return;
    }
    mc->items = items;
    mc->items_count = n;
    pms_reply_container(c, mc);
}

/* A list of the keys [first, first + n) of kind. */
static int64_t *range_keys(pms_ctx *c, pms_kind kind, long first, long n)
{
    int64_t *keys = malloc(((size_t)n + 1) * sizeof(*keys));

    if (keys)
        for (long i = 0; i < n; i++)
            keys[i] = pms_key_of(c->p, kind, first + i);
    return keys;
}

/* The context a listing of an item's children carries. */
static plex_container *children_container(pms_ctx *c, const pms_item *it)
{
    plex_container *mc = item_container(c, it);
    char tmp[96];

    if (!mc)
        return NULL;
    snprintf(tmp, sizeof(tmp), "%lld", (long long)it->rating_key);
    mc->key = dup(c, tmp);
    mc->parent_title = dup(c, it->title);
    mc->title2 = dup(c, it->title);
    mc->summary = dup(c, it->summary);
    if (it->year > 0) {
        mc->parent_year = it->year;
        PMS_SET(mc, PLEX_CONTAINER_PARENT_YEAR);
    }
    if (it->child_index > 0) {
        mc->parent_index = it->child_index;
        PMS_SET(mc, PLEX_CONTAINER_PARENT_INDEX);
    }
    snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/thumb/%lld", (long long)it->rating_key,
             (long long)it->updated_at);
    mc->thumb = dup(c, tmp);
    if (it->kind == PMS_K_SHOW || it->kind == PMS_K_ARTIST) {
        snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/art/%lld", (long long)it->rating_key,
                 (long long)it->updated_at);
        mc->art = dup(c, tmp);
    }
    if (it->kind == PMS_K_SHOW) {
        snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/banner/%lld", (long long)it->rating_key,
                 (long long)it->updated_at);
        mc->banner = dup(c, tmp);
        snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/theme/%lld", (long long)it->rating_key,
                 (long long)it->updated_at);
        mc->theme = dup(c, tmp);
    }
    if (it->parent_key) {
        pms_item par;
        if (pms_item_get(c->p, it->parent_key, &par) == 0) {
            mc->grandparent_title = dup(c, par.title);
            snprintf(tmp, sizeof(tmp), "%lld", (long long)par.rating_key);
            mc->grandparent_rating_key = dup(c, tmp);
        }
    }
    mc->nocache = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_NOCACHE);
    mc->view_group = it->kind == PMS_K_SHOW     ? "season"
                     : it->kind == PMS_K_SEASON ? "episode"
                     : it->kind == PMS_K_ARTIST ? "album"
                     : it->kind == PMS_K_ALBUM  ? "track"
                                                : "photo";
    return mc;
}

static void children(pms_ctx *c)
{
    pms_item it;
    pms_kind kind;
    long first, n;
    plex_container *mc;
    int64_t *keys;
    plex_directory *all = NULL;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!(mc = children_container(c, &it))) {
        pms_error(c, 500);
        return;
    }
    if (pms_children(c->p, it.rating_key, &kind, &first, &n) != 0) {
        first = 0; /* a leaf: nothing under it */
        n = 0;
        kind = it.kind;
    }
    if (!(keys = range_keys(c, kind, first, n))) {
        pms_error(c, 500);
        return;
    }
    if (it.kind == PMS_K_SHOW && (all = zalloc(c, sizeof(*all))) != NULL) {
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/allLeaves", (long long)it.rating_key);
        all->key = dup(c, tmp);
        all->title = "All episodes";
        all->leaf_count = it.leaf_count;
        all->viewed_leaf_count = it.viewed_leaf_count;
        PMS_SET(all, PLEX_DIRECTORY_LEAF_COUNT);
        PMS_SET(all, PLEX_DIRECTORY_VIEWED_LEAF_COUNT);
        snprintf(tmp, sizeof(tmp), "/library/metadata/%lld/thumb/%lld", (long long)it.rating_key,
                 (long long)it.updated_at);
        all->thumb = dup(c, tmp);
    }
    pms_reply_list(c, mc, all ? (const plex_directory *const *)&all : NULL, all ? 1 : 0, keys,
                   (size_t)n, -1, pms_render_flags(c));
}

static void leaves(pms_ctx *c, int grandchildren)
{
    pms_item it;
    pms_kind kind;
    long first, n;
    plex_container *mc;
    int64_t *keys;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!(mc = children_container(c, &it))) {
        pms_error(c, 500);
        return;
    }
    if (pms_leaves(c->p, it.rating_key, &kind, &first, &n) != 0 ||
        (grandchildren && it.kind != PMS_K_SHOW && it.kind != PMS_K_ARTIST) || kind == it.kind) {
        first = 0; /* no leaves below it (a leaf, or grandchildren of a season) */
        n = 0;
        kind = it.kind;
    }
    mc->view_group = pms_type_name(pms_kind_type(kind));
    if (!(keys = range_keys(c, kind, first, n))) {
        pms_error(c, 500);
        return;
    }
    pms_reply_list(c, mc, NULL, 0, keys, (size_t)n, -1, pms_render_flags(c));
}

static void all_leaves(pms_ctx *c)
{
    leaves(c, 0);
}

static void grandchildren(pms_ctx *c)
{
    leaves(c, 1);
}

/* Items of the same kind sharing the first genre (up to 20). */
static int similar_keys(pms_ctx *c, const pms_item *it, int64_t **keys, size_t *n)
{
    long count = pms_kind_count(c->p, it->kind);
    int64_t *k = malloc(21 * sizeof(*k));
    size_t m = 0;

    if (!k)
        return -1;
    for (long i = 1; it->ntags[PMS_TAG_GENRE] > 0 && i < count && m < 20 && i < 2000; i++) {
        pms_item o;
        long j = (it->index + i) % count;
        if (pms_item_get(c->p, pms_key_of(c->p, it->kind, j), &o) == 0 &&
            o.ntags[PMS_TAG_GENRE] > 0 &&
            o.tags[PMS_TAG_GENRE][0].id == it->tags[PMS_TAG_GENRE][0].id)
            k[m++] = o.rating_key;
    }
    *keys = k;
    *n = m;
    return 0;
}

static void similar(pms_ctx *c)
{
    pms_item it;
    plex_container *mc;
    int64_t *keys;
    size_t n;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!(mc = item_container(c, &it)) || similar_keys(c, &it, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_reply_list(c, mc, NULL, 0, keys, n, -1, pms_render_flags(c));
}

/* What an include flag adds to an item, as a container of its own:
 * /related (includeRelated's hubs) and /extras (includeExtras' items). */
static void item_include(pms_ctx *c, unsigned int flag)
{
    pms_item it;
    plex_container *mc;
    plex_metadata *m;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!(mc = item_container(c, &it)) || !(m = pms_render_item(c->p, c->arena, &it, flag))) {
        pms_error(c, 500);
        return;
    }
    if (m->related) {
        mc->hubs = m->related->hubs;
        mc->hubs_count = m->related->hubs_count;
    }
    if (m->extras) {
        mc->items = m->extras->items;
        mc->items_count = m->extras->items_count;
    }
    pms_reply_container(c, mc);
}

static void related(pms_ctx *c)
{
    item_include(c, PMS_R_RELATED);
}

static void extras(pms_ctx *c)
{
    item_include(c, PMS_R_EXTRAS);
}

/* ---- /library/tags ---- */

static void library_tags(pms_ctx *c)
{
    int64_t type;
    int kind = -1;
    plex_container *mc;
    const plex_directory **dirs;
    size_t n = 0, cap = 64;
    const char *name;
    int64_t id;

    if (pms_int_arg(c, "type", 0, 100000, -1, &type) != 0)
        return;
    for (int k = 0; k < PMS_TAG_KINDS; k++)
        if (pms_tag_kind_info((pms_tag_kind)k)->tag_type == type)
            kind = k;
    if (type < 0) {
        pms_error(c, 400);
        return;
    }
    if (!(mc = pms_container(c)) || !(dirs = zalloc(c, sizeof(void *) * cap))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; kind >= 0 && (name = pms_tag_table((pms_tag_kind)kind, 0, i, &id)); i++) {
        plex_directory *d = zalloc(c, sizeof(*d));
        if (n == cap) {
            const plex_directory **more = zalloc(c, sizeof(void *) * cap * 2);
            if (!more) {
                pms_error(c, 500);
                return;
            }
            memcpy(more, dirs, sizeof(void *) * n);
            dirs = more;
            cap *= 2;
        }
        if (!d) {
            pms_error(c, 500);
            return;
        }
        d->id = id;
        d->tag = name;
        d->tag_type = (int)type;
        {
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "%s=%lld", pms_tag_kind_info((pms_tag_kind)kind)->filter,
                     (long long)id);
            d->filter = dup(c, tmp);
        }
        PMS_SET(d, PLEX_DIRECTORY_ID);
        PMS_SET(d, PLEX_DIRECTORY_TAG_TYPE);
        dirs[n++] = d;
    }
    mc->directories = dirs;
    mc->directories_count = n;
    pms_reply_container(c, mc);
}

/* ---- refreshes: recorded, answered at once ---- */

static void section_refresh(pms_ctx *c)
{
    int s = section_arg(c);

    if (!s)
        return;
    if (pms_note_refresh(c->p, s, 0) != 0) {
        pms_error(c, 500);
        return;
    }
    if (strcmp(c->rq->method, "DELETE") == 0) /* a cancel */
        c->p->refresh_log[(c->p->refresh_seq - 1) % PMS_MAX_REFRESHES].cancel = 1;
    pms_reply_empty(c, 200);
}

static void metadata_refresh(pms_ctx *c)
{
    pms_item it;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (pms_note_refresh(c->p, it.section, it.rating_key) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_reply_empty(c, 200);
}

/* DELETE /library/sections/{id}: the section and its items are gone from
 * every answer (until /__sim/reset). */
static void section_delete(pms_ctx *c)
{
    int s = section_arg(c);

    if (!s)
        return;
    c->p->deleted_sections |= 1u << s;
    pms_query_cache_free(c->p);
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* /library/sections/{id}/search?type=N&<filters>: a media query of the section. */
static void section_search(pms_ctx *c)
{
    int s = section_arg(c);
    if (s)
        reply_query(c, s, 0, "Search Results");
}

/* /hubs/home/recentlyAdded?type=N&contentDirectoryID=S: one section's newest items. */
static void home_recently_added(pms_ctx *c)
{
    int64_t s;

    if (pms_int_arg(c, "contentDirectoryID", 1, PMS_NSECTIONS, 0, &s) != 0)
        return;
    if (!s || pms_section_deleted(c->p, (int)s)) {
        pms_error(c, 400);
        return;
    }
    reply_recent(c, (int)s);
}

/* /library/all/top?type=N: the items of a type that were watched, most watched first. */
static void top_watched(pms_ctx *c)
{
    int64_t type, *keys = NULL;
    size_t n = 0, kept = 0;
    plex_container *mc;
    int sec = 0;

    if (pms_int_arg(c, "type", 1, 20, 0, &type) != 0)
        return;
    for (int k = 0; k < PMS_K_COUNT && !sec; k++)
        if (pms_kind_type((pms_kind)k) == type &&
            !pms_section_deleted(c->p, pms_kind_section((pms_kind)k)))
            sec = pms_kind_section((pms_kind)k);
    if (!sec) {
        pms_error(c, 400);
        return;
    }
    if (!(mc = pms_container(c)) || pms_query_all(c, sec, (int)type, &keys, &n) != 0 ||
        pms_sort_keys(c, keys, n, "viewCount:desc") != 0) {
        free(keys);
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        pms_item it;
        if (pms_item_get(c->p, keys[i], &it) == 0 && it.view_count > 0)
            keys[kept++] = keys[i];
    }
    mc->identifier = "com.plexapp.plugins.library";
    pms_reply_list(c, mc, NULL, 0, keys, kept, -1, pms_render_flags(c) | PMS_R_SECTION);
}

/* The hash of a file: 40 hex digits from the seed and the path (FNV-1a
 * rounds: the emulated files have no real contents to digest). */
static void reply_hash(pms_ctx *c, const char *path)
{
    char *hex = malloc(41);
    uint64_t h = 14695981039346656037u ^ c->p->seed;

    if (!hex) {
        pms_error(c, 500);
        return;
    }
    for (int round = 0; round < 5; round++) {
        for (const char *s = path; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211u;
        h = (h ^ (uint64_t)round) * 1099511628211u;
        snprintf(hex + (size_t)round * 8, 9, "%08x", (unsigned)(h >> 32));
    }
    sim_response_dispose(c->rs);
    c->rs->status = 200;
    c->rs->content_type = "text/plain";
    c->rs->body = hex;
    c->rs->body_len = 40;
}

/* /library/hashes?url=file:///...: the hash of a file the server has (text), or 404. */
static void hashes(pms_ctx *c)
{
    const char *url = pms_arg(c, "url");
    const char *path;

    if (!url || strncmp(url, "file://", 7) != 0) {
        pms_error(c, 400);
        return;
    }
    path = url + 7;
    for (int k = 0; k < PMS_K_COUNT; k++) {
        long count = pms_kind_count(c->p, (pms_kind)k);
        if (pms_kind_type((pms_kind)k) != PMS_T_MOVIE &&
            pms_kind_type((pms_kind)k) != PMS_T_EPISODE &&
            pms_kind_type((pms_kind)k) != PMS_T_TRACK)
            continue;
        for (long i = 0; i < count; i++) {
            pms_item it;
            pms_media m;
            if (pms_item_get(c->p, pms_key_of(c->p, (pms_kind)k, i), &it) != 0)
                continue;
            for (int mi = 0; mi < it.nmedia; mi++)
                if (pms_media_get(c->p, &it, mi, &m) == 0 && strcmp(m.file, path) == 0) {
                    reply_hash(c, path);
                    return;
                }
        }
    }
    pms_error(c, 404);
}

/* GET /library/metadata/{id}/posters (or /arts): the image the item shows
 * now (a new one after an upload or a URL). */
static void item_images(pms_ctx *c)
{
    int art = strstr(c->rq->path, "/arts") != NULL;
    const plex_metadata *item, **list;
    plex_container *mc;
    plex_metadata *m;
    pms_item it;

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!(mc = pms_container(c)) || !(list = zalloc(c, sizeof(void *))) ||
        !(m = zalloc(c, sizeof(*m))) ||
        !(item = pms_render_key(c->p, c->arena, it.rating_key, 0))) {
        pms_error(c, 500);
        return;
    }
    m->key = art ? item->art : item->thumb;
    if (!m->key) {
        pms_reply_container(c, mc); /* no image of that kind */
        return;
    }
    m->rating_key = m->key;
    m->thumb = m->key;
    m->type = art ? "art" : "poster";
    PMS_SET(m, PLEX_METADATA_KEY);
    PMS_SET(m, PLEX_METADATA_RATING_KEY);
    PMS_SET(m, PLEX_METADATA_THUMB);
    PMS_SET(m, PLEX_METADATA_TYPE);
    list[0] = m;
    mc->items = list;
    mc->items_count = 1;
    pms_reply_container(c, mc);
}

/* POST /library/metadata/{id}/posters (or /arts) with ?url= or an image
 * body: the item's thumb (art) becomes the new image. */
static void item_image_add(pms_ctx *c)
{
    int art = strstr(c->rq->path, "/arts") != NULL;
    const char *url = pms_arg(c, "url");
    pms_item it;
    char path[96];

    if (pms_arg_item(c, 0, &it) < 0)
        return;
    if (!url && c->rq->body_len == 0) {
        pms_error(c, 400);
        return;
    }
    snprintf(path, sizeof(path), "/library/metadata/%lld/%s/%lld", (long long)it.rating_key,
             art ? "art" : "thumb", (long long)pms_now(c->p));
    if (pms_edit_field(c->p, it.rating_key, art ? PMS_F_ART : PMS_F_THUMB, path, 1) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_reply_empty(c, 200);
}

#define TAG_ROUTE(name)                                                                            \
    {                                                                                              \
        "GET", "/library/sections/{id}/" name, section_tags, 0                                     \
    }

static const pms_route routes[] = {
    {"GET", "/library", library_root, 0},
    {"GET", "/library/sections", library_sections, 0},
    {"GET", "/library/sections/all", library_sections, 0},
    {"GET", "/library/sections/{id}", section, 0},
    {"DELETE", "/library/sections/{id}", section_delete, 0},
    {"GET", "/library/sections/{id}/search", section_search, 0},
    {"GET", "/library/sections/{id}/all", section_all, 0},
    {"GET", "/library/sections/{id}/allLeaves", section_all_leaves, 0},
    {"GET", "/library/sections/{id}/onDeck", section_on_deck, 0},
    {"GET", "/library/sections/{id}/recentlyAdded", section_recently_added, 0},
    {"GET", "/library/sections/{id}/firstCharacter", section_first_character, 0},
    {"GET", "/library/sections/{id}/collections", section_collections, 0},
    TAG_ROUTE("genre"),
    TAG_ROUTE("year"),
    TAG_ROUTE("decade"),
    TAG_ROUTE("director"),
    TAG_ROUTE("writer"),
    TAG_ROUTE("producer"),
    TAG_ROUTE("actor"),
    TAG_ROUTE("country"),
    TAG_ROUTE("contentRating"),
    TAG_ROUTE("studio"),
    TAG_ROUTE("resolution"),
    TAG_ROUTE("collection"),
    TAG_ROUTE("label"),
    TAG_ROUTE("mood"),
    TAG_ROUTE("style"),
    {"GET", "/library/sections/{id}/refresh", section_refresh, 0},
    {"PUT", "/library/sections/{id}/refresh", section_refresh, 0},
    {"POST", "/library/sections/{id}/refresh", section_refresh, 0},
    {"DELETE", "/library/sections/{id}/refresh", section_refresh, 0},
    {"GET", "/library/metadata/{ids}", metadata, 0},
    {"GET", "/library/metadata/{id}/children", children, 0},
    {"GET", "/library/metadata/{id}/grandchildren", grandchildren, 0},
    {"GET", "/library/metadata/{id}/allLeaves", all_leaves, 0},
    {"GET", "/library/metadata/{id}/related", related, 0},
    {"GET", "/library/metadata/{id}/similar", similar, 0},
    {"GET", "/library/metadata/{id}/extras", extras, 0},
    {"GET", "/library/metadata/{id}/posters", item_images, 0},
    {"GET", "/library/metadata/{id}/arts", item_images, 0},
    {"POST", "/library/metadata/{id}/posters", item_image_add, 0},
    {"POST", "/library/metadata/{id}/arts", item_image_add, 0},
    {"GET", "/library/metadata/{id}/refresh", metadata_refresh, 0},
    {"PUT", "/library/metadata/{id}/refresh", metadata_refresh, 0},
    {"POST", "/library/metadata/{id}/refresh", metadata_refresh, 0},
    {"GET", "/library/onDeck", library_on_deck, 0},
    {"GET", "/library/recentlyAdded", library_recently_added, 0},
    {"GET", "/library/all", library_all, 0},
    {"GET", "/library/tags", library_tags, 0},
    {"GET", "/library/all/top", top_watched, 0},
    {"GET", "/library/hashes", hashes, 0},
    {"GET", "/hubs/home/recentlyAdded", home_recently_added, 0},
};

const pms_group pms_group_library = PMS_GROUP("library", routes);

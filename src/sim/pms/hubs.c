/*
 * Route group "hubs": hubs and search (PMS.md §4.3): the home hubs, a
 * section's hubs, continue watching, /hubs/search (one hub per type, tag
 * hits as Directory) and /library/search (SearchResult with a score).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms.h"
#include "pms/models.gen.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define HUB_COUNT_DEFAULT 12
#define SEARCH_LIMIT_DEFAULT 10
#define MAX_HUBS 16

static void *zalloc(pms_ctx *c, size_t size)
{
    void *v = plex__arena_alloc(c->arena, size);
    if (v)
        memset(v, 0, size);
    return v;
}

static const char *dup(pms_ctx *c, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = plex__arena_alloc_bytes(c->arena, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A hub of the first `count` of keys (keys freed here); NULL when out of memory. */
static plex_hub *hub(pms_ctx *c, const char *id, const char *title, const char *type,
                     const char *key, const char *context, int64_t *keys, size_t n, size_t count)
{
    plex_hub *h = zalloc(c, sizeof(*h));
    size_t m = n < count ? n : count;
    const plex_metadata **items = zalloc(c, sizeof(void *) * (m ? m : 1));
    size_t got = 0;

    if (!h || !items) {
        free(keys);
        return NULL;
    }
    for (size_t i = 0; i < m; i++) {
        plex_metadata *md = pms_render_key(c->p, c->arena, keys[i], PMS_R_SECTION);
        if (md)
            items[got++] = md;
    }
    free(keys);
    h->hub_identifier = id;
    h->title = title;
    h->type = type;
    h->key = key;
    h->hub_key = key;
    h->context = context;
    h->size = (int)got;
    h->more = n > count ? PLEX_TRUE : PLEX_FALSE;
    h->style = "shelf";
    h->promoted = PLEX_TRUE;
    PMS_SET(h, PLEX_HUB_SIZE);
    PMS_SET(h, PLEX_HUB_MORE);
    PMS_SET(h, PLEX_HUB_PROMOTED);
    h->items = items;
    h->items_count = got;
    return h;
}

/* Leaves in progress, most recent first, in a section (0: all). */
static int continue_keys(pms_ctx *c, int section, int64_t **keys, size_t *n)
{
    size_t kept = 0;

    if (pms_on_deck(c, section, keys, n) != 0)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        const pms_overlay *o = pms_overlay_find(c->p, (*keys)[i]);
        if (o && o->view_offset > 0)
            (*keys)[kept++] = (*keys)[i];
    }
    *n = kept;
    return 0;
}

static int hub_count(pms_ctx *c, int64_t *count)
{
    return pms_int_arg(c, "count", 0, 1000, HUB_COUNT_DEFAULT, count);
}

static void home_hubs(pms_ctx *c)
{
    static const char *const recent[PMS_NSECTIONS + 1][3] = {
        {NULL, NULL, NULL},
        {"movie.recentlyadded", "Recently Added Movies", "movie"},
        {"tv.recentlyadded", "Recently Added TV", "episode"},
        {"music.recentlyadded", "Recently Added Music", "album"},
        {"photo.recentlyadded", "Recently Added Photos", "photo"}};
    plex_container *mc = pms_container(c);
    const plex_hub **hubs = zalloc(c, sizeof(void *) * MAX_HUBS);
    size_t nh = 0;
    int64_t count, *keys;
    size_t n;

    if (hub_count(c, &count) != 0)
        return;
    if (!mc || !hubs) {
        pms_error(c, 500);
        return;
    }
    if (continue_keys(c, 0, &keys, &n) != 0 ||
        !(hubs[nh++] =
              hub(c, "home.continue", "Continue Watching", "mixed", "/hubs/continueWatching/items",
                  "hub.home.continue", keys, n, (size_t)count))) {
        pms_error(c, 500);
        return;
    }
    if (pms_on_deck(c, 0, &keys, &n) != 0 ||
        !(hubs[nh++] = hub(c, "home.ondeck", "On Deck", "mixed", "/library/onDeck",
                           "hub.home.ondeck", keys, n, (size_t)count))) {
        pms_error(c, 500);
        return;
    }
    for (int s = 1; s <= PMS_NSECTIONS; s++) {
        char key[64];
        snprintf(key, sizeof(key), "/library/sections/%d/recentlyAdded", s);
        if (pms_recent_keys(c, s, &keys, &n) != 0 ||
            !(hubs[nh++] = hub(c, recent[s][0], recent[s][1], recent[s][2], dup(c, key),
                               "hub.home.recentlyadded", keys, n, (size_t)count))) {
            pms_error(c, 500);
            return;
        }
    }
    mc->hubs = hubs;
    mc->hubs_count = nh;
    mc->allow_sync = PLEX_TRUE;
    PMS_SET(mc, PLEX_CONTAINER_ALLOW_SYNC);
    mc->identifier = "com.plexapp.plugins.library";
    pms_reply_container(c, mc);
}

static void continue_watching(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    const plex_hub **hubs = zalloc(c, sizeof(void *));
    int64_t count, *keys;
    size_t n;

    if (hub_count(c, &count) != 0)
        return;
    if (!mc || !hubs || continue_keys(c, 0, &keys, &n) != 0 ||
        !(hubs[0] =
              hub(c, "home.continue", "Continue Watching", "mixed", "/hubs/continueWatching/items",
                  "hub.home.continue", keys, n, (size_t)count))) {
        pms_error(c, 500);
        return;
    }
    mc->hubs = hubs;
    mc->hubs_count = 1;
    pms_reply_container(c, mc);
}

static void continue_watching_items(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    int64_t *keys;
    size_t n;

    if (!mc || continue_keys(c, 0, &keys, &n) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_reply_list(c, mc, NULL, 0, keys, n, -1, pms_render_flags(c) | PMS_R_SECTION);
}

/* The keys of a section's top items sorted by spec. */
static int sorted_keys(pms_ctx *c, int section, int type, const char *spec, int64_t **keys,
                       size_t *n)
{
    if (pms_query_all(c, section, type, keys, n) != 0)
        return -1;
    if (pms_sort_keys(c, *keys, *n, spec) != 0) {
        free(*keys);
        return -1;
    }
    return 0;
}

static void section_hubs(pms_ctx *c)
{
    static const int top[PMS_NSECTIONS + 1] = {0, PMS_T_MOVIE, PMS_T_SHOW, PMS_T_ALBUM,
                                               PMS_T_PHOTO};
    static const char *const names[PMS_NSECTIONS + 1] = {NULL, "movie", "tv", "music", "photo"};
    plex_container *mc;
    const plex_hub **hubs;
    size_t nh = 0, n;
    int64_t s, count, *keys;
    char id[64], key[96];

    if (c->nargs < 1 || pms_parse_int(c->arg[0], &s) != 0 || s < 1 || s > PMS_NSECTIONS) {
        pms_error(c, 400); /* PMS: a bad section on /hubs/sections is 400 */
        return;
    }
    if (hub_count(c, &count) != 0)
        return;
    if (!(mc = pms_container(c)) || !(hubs = zalloc(c, sizeof(void *) * 4))) {
        pms_error(c, 500);
        return;
    }
    snprintf(id, sizeof(id), "%s.inprogress.%d", names[s], (int)s);
    if (continue_keys(c, (int)s, &keys, &n) != 0 ||
        !(hubs[nh++] = hub(c, dup(c, id), "Continue Watching", pms_type_name(top[s]),
                           "/hubs/continueWatching/items", "hub.section.inprogress", keys, n,
                           (size_t)count)))
        goto fail;
    snprintf(id, sizeof(id), "%s.recentlyadded.%d", names[s], (int)s);
    snprintf(key, sizeof(key), "/library/sections/%d/recentlyAdded", (int)s);
    if (pms_recent_keys(c, (int)s, &keys, &n) != 0 ||
        !(hubs[nh++] = hub(c, dup(c, id), "Recently Added", pms_type_name(top[s]), dup(c, key),
                           "hub.section.recentlyadded", keys, n, (size_t)count)))
        goto fail;
    snprintf(id, sizeof(id), "%s.recentlyreleased.%d", names[s], (int)s);
    snprintf(key, sizeof(key), "/library/sections/%d/all?sort=originallyAvailableAt:desc", (int)s);
    if (sorted_keys(c, (int)s, top[s], "originallyAvailableAt:desc", &keys, &n) != 0 ||
        !(hubs[nh++] = hub(c, dup(c, id), "Recently Released", pms_type_name(top[s]), dup(c, key),
                           "hub.section.recentlyreleased", keys, n, (size_t)count)))
        goto fail;
    if (s == PMS_SEC_MOVIES || s == PMS_SEC_TV) {
        snprintf(id, sizeof(id), "%s.toprated.%d", names[s], (int)s);
        snprintf(key, sizeof(key), "/library/sections/%d/all?sort=audienceRating:desc", (int)s);
        if (sorted_keys(c, (int)s, top[s], "audienceRating:desc:nullsLast", &keys, &n) != 0 ||
            !(hubs[nh++] = hub(c, dup(c, id), "Top Rated", pms_type_name(top[s]), dup(c, key),
                               "hub.section.toprated", keys, n, (size_t)count)))
            goto fail;
    }
    mc->hubs = hubs;
    mc->hubs_count = nh;
    mc->library_section_id = s;
    PMS_SET(mc, PLEX_CONTAINER_LIBRARY_SECTION_ID);
    pms_reply_container(c, mc);
    return;
fail:
    pms_error(c, 500);
}

/* ---- search ---- */

typedef struct search_kind {
    pms_kind kind;
    const char *hub, *title, *group; /* group: the searchTypes value */
} search_kind;

static const search_kind search_kinds[] = {
    {PMS_K_MOVIE, "movie", "Movies", "movies"},
    {PMS_K_SHOW, "show", "Shows", "tv"},
    {PMS_K_EPISODE, "episode", "Episodes", "tv"},
    {PMS_K_ARTIST, "artist", "Artists", "music"},
    {PMS_K_ALBUM, "album", "Albums", "music"},
    {PMS_K_TRACK, "track", "Tracks", "music"},
    {PMS_K_PHOTOALBUM, "photoalbum", "Photo Albums", "photos"},
    {PMS_K_PHOTO, "photo", "Photos", "photos"}};

typedef struct search_tag {
    pms_tag_kind kind;
    const char *hub, *title;
} search_tag;

static const search_tag search_tags[] = {{PMS_TAG_ROLE, "actor", "Actors"},
                                         {PMS_TAG_DIRECTOR, "director", "Directors"},
                                         {PMS_TAG_GENRE, "genre", "Genres"}};

/* 1 if `group` is in the comma list (NULL: everything). */
static int wanted(const char *list, const char *group)
{
    size_t n = strlen(group);

    if (!list || !*list)
        return 1;
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && memcmp(p, group, n) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Matches of a kind: keys of items whose title contains the folded query. */
static int title_matches(pms_ctx *c, pms_kind kind, const char *folded, int64_t **keys, size_t *n,
                         size_t max)
{
    long count = pms_kind_count(c->p, kind);
    int64_t *k = malloc((max + 1) * sizeof(*k));
    size_t m = 0, total = 0;

    if (!k)
        return -1;
    for (long i = 0; i < count; i++) {
        char title[192];
        int64_t rk = pms_key_of(c->p, kind, i);
        if (!pms_item_title(c->p, rk, title, sizeof(title)) || !pms_contains(title, folded))
            continue;
        if (m < max)
            k[m++] = rk;
        total++;
    }
    *keys = k;
    *n = total; /* all of them; the first `max` kept */
    return 0;
}

static plex_directory *tag_hit(pms_ctx *c, pms_tag_kind k, const char *name, int64_t id,
                               int section)
{
    plex_directory *d = zalloc(c, sizeof(*d));
    char tmp[128];

    if (!d)
        return NULL;
    d->id = id;
    d->tag = name;
    d->title = name;
    d->tag_type = pms_tag_kind_info(k)->tag_type;
    PMS_SET(d, PLEX_DIRECTORY_ID);
    PMS_SET(d, PLEX_DIRECTORY_TAG_TYPE);
    snprintf(tmp, sizeof(tmp), "%s=%lld", pms_tag_kind_info(k)->filter, (long long)id);
    d->filter = dup(c, tmp);
    snprintf(tmp, sizeof(tmp), "/library/sections/%d/all?%s=%lld", section,
             pms_tag_kind_info(k)->filter, (long long)id);
    d->key = dup(c, tmp);
    d->fast_key = d->key;
    d->type = "tag";
    return d;
}

typedef struct search_args {
    char folded[256];
    int64_t section;
    int64_t limit;
    const char *types;
} search_args;

static int search_args_of(pms_ctx *c, search_args *a)
{
    const char *q = pms_arg(c, "query");

    if (!q || !*q || strlen(q) > 200) {
        pms_error(c, 400);
        return -1;
    }
    pms_fold(q, a->folded, sizeof(a->folded));
    if (pms_int_arg(c, "sectionId", 1, PMS_NSECTIONS, 0, &a->section) != 0 ||
        pms_int_arg(c, "limit", 1, 1000, SEARCH_LIMIT_DEFAULT, &a->limit) != 0)
        return -1;
    a->types = pms_arg(c, "searchTypes");
    return 0;
}

static void hubs_search(pms_ctx *c)
{
    search_args a;
    plex_container *mc;
    const plex_hub **hubs;
    size_t nh = 0;

    if (search_args_of(c, &a) != 0)
        return;
    if (!(mc = pms_container(c)) ||
        !(hubs = zalloc(c, sizeof(void *) * (COUNT(search_kinds) + COUNT(search_tags) + 1)))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < COUNT(search_kinds); i++) {
        const search_kind *sk = &search_kinds[i];
        int64_t *keys;
        size_t n;
        char ctx[64];
        plex_hub *h;
        if ((a.section && pms_kind_section(sk->kind) != a.section) || !wanted(a.types, sk->group))
            continue;
        if (title_matches(c, sk->kind, a.folded, &keys, &n, (size_t)a.limit) != 0) {
            pms_error(c, 500);
            return;
        }
        if (n == 0) {
            free(keys);
            continue;
        }
        snprintf(ctx, sizeof(ctx), "hub.%s", sk->hub);
        /* keys holds the first `limit` matches of n */
        if (!(h = hub(c, sk->hub, sk->title, sk->hub, NULL, dup(c, ctx), keys, n,
                      (size_t)a.limit))) {
            pms_error(c, 500);
            return;
        }
        h->style = NULL;
        h->hub_key = NULL;
        hubs[nh++] = h;
    }
    /* tag hits: people and genres, as Directory elements */
    for (size_t i = 0; i < COUNT(search_tags) && wanted(a.types, "people"); i++) {
        const search_tag *st = &search_tags[i];
        plex_hub *h = zalloc(c, sizeof(*h));
        const plex_directory **dirs = zalloc(c, sizeof(void *) * (size_t)a.limit);
        size_t nd = 0, total = 0;
        const char *name;
        int64_t id;
        int section = a.section ? (int)a.section : PMS_SEC_MOVIES;
        if (!h || !dirs) {
            pms_error(c, 500);
            return;
        }
        if (a.section == PMS_SEC_PHOTOS ||
            (a.section == PMS_SEC_MUSIC && st->kind != PMS_TAG_GENRE))
            continue;
        for (size_t t = 0; (name = pms_tag_table(st->kind, (int)a.section, t, &id)) != NULL; t++) {
            if (!pms_contains(name, a.folded))
                continue;
            total++;
            if (nd < (size_t)a.limit && !(dirs[nd++] = tag_hit(c, st->kind, name, id, section))) {
                pms_error(c, 500);
                return;
            }
        }
        if (nd == 0)
            continue;
        h->hub_identifier = st->hub;
        h->title = st->title;
        h->type = st->hub;
        h->context = st->kind == PMS_TAG_GENRE ? "hub.genre" : "hub.person";
        h->size = (int)nd;
        h->more = total > nd ? PLEX_TRUE : PLEX_FALSE;
        PMS_SET(h, PLEX_HUB_SIZE);
        PMS_SET(h, PLEX_HUB_MORE);
        h->directories = dirs;
        h->directories_count = nd;
        hubs[nh++] = h;
    }
    /* collections by title */
    {
        plex_hub *h = zalloc(c, sizeof(*h));
        const plex_metadata **items = zalloc(c, sizeof(void *) * (size_t)a.limit);
        size_t ni = 0;
        if (!h || !items) {
            pms_error(c, 500);
            return;
        }
        for (size_t i = 0; i < pms_collection_count(c->p) && ni < (size_t)a.limit; i++) {
            const pms_collection *col = pms_collection_at(c->p, i);
            if ((a.section && col->section != a.section) || !pms_contains(col->title, a.folded))
                continue;
            if (!(items[ni++] = pms_render_collection(c->p, c->arena, col))) {
                pms_error(c, 500);
                return;
            }
        }
        if (ni) {
            h->hub_identifier = "collection";
            h->title = "Collections";
            h->type = "collection";
            h->context = "hub.collection";
            h->size = (int)ni;
            h->more = PLEX_FALSE;
            PMS_SET(h, PLEX_HUB_SIZE);
            PMS_SET(h, PLEX_HUB_MORE);
            h->items = items;
            h->items_count = ni;
            hubs[nh++] = h;
        }
    }
    mc->hubs = hubs;
    mc->hubs_count = nh;
    pms_reply_container(c, mc);
}

static double score(const char *title, const char *folded)
{
    char f[256];
    size_t n = strlen(folded);

    pms_fold(title, f, sizeof(f));
    if (strcmp(f, folded) == 0)
        return 1.0;
    if (strncmp(f, folded, n) == 0)
        return 0.85;
    return 0.6;
}

static void library_search(pms_ctx *c)
{
    search_args a;
    plex_container *mc;
    const plex_search_result **res;
    size_t nr = 0, cap;

    if (search_args_of(c, &a) != 0)
        return;
    cap = (size_t)a.limit * (COUNT(search_kinds) + 1);
    if (!(mc = pms_container(c)) || !(res = zalloc(c, sizeof(void *) * cap))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < COUNT(search_kinds); i++) {
        const search_kind *sk = &search_kinds[i];
        int64_t *keys;
        size_t n;
        if ((a.section && pms_kind_section(sk->kind) != a.section) || !wanted(a.types, sk->group))
            continue;
        if (title_matches(c, sk->kind, a.folded, &keys, &n, (size_t)a.limit) != 0) {
            pms_error(c, 500);
            return;
        }
        for (size_t j = 0; j < n && j < (size_t)a.limit && nr < cap; j++) {
            plex_search_result *sr = zalloc(c, sizeof(*sr));
            plex_metadata *m = pms_render_key(c->p, c->arena, keys[j], PMS_R_SECTION);
            if (!sr || !m) {
                free(keys);
                pms_error(c, 500);
                return;
            }
            sr->score = score(m->title, a.folded);
            PMS_SET(sr, PLEX_SEARCH_RESULT_SCORE);
            sr->item = m;
            res[nr++] = sr;
        }
        free(keys);
    }
    /* best first, stable by kind order */
    for (size_t i = 1; i < nr; i++)
        for (size_t j = i; j > 0 && res[j]->score > res[j - 1]->score; j--) {
            const plex_search_result *t = res[j];
            res[j] = res[j - 1];
            res[j - 1] = t;
        }
    mc->search_results = res;
    mc->search_results_count = nr;
    mc->identifier = "com.plexapp.plugins.library";
    pms_reply_container(c, mc);
}

/* /search?query=: the older search: matching items of every kind in one list. */
static void plain_search(pms_ctx *c)
{
    search_args a;
    plex_container *mc;
    int64_t *all = NULL;
    size_t total = 0;

    if (search_args_of(c, &a) != 0)
        return;
    if (!(mc = pms_container(c))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < COUNT(search_kinds); i++) {
        const search_kind *sk = &search_kinds[i];
        int64_t *keys, *grown;
        size_t n, k;
        if ((a.section && pms_kind_section(sk->kind) != a.section) || !wanted(a.types, sk->group))
            continue;
        if (title_matches(c, sk->kind, a.folded, &keys, &n, (size_t)a.limit) != 0) {
            free(all);
            pms_error(c, 500);
            return;
        }
        k = n < (size_t)a.limit ? n : (size_t)a.limit;
        if (k && !(grown = realloc(all, (total + k) * sizeof(*all)))) {
            free(keys);
            free(all);
            pms_error(c, 500);
            return;
        }
        if (k) {
            all = grown;
            memcpy(all + total, keys, k * sizeof(*keys));
            total += k;
        }
        free(keys);
    }
    mc->identifier = "com.plexapp.plugins.library";
    pms_reply_list(c, mc, NULL, 0, all, total, -1, pms_render_flags(c) | PMS_R_SECTION);
}

static const pms_route routes[] = {
    {"GET", "/hubs", home_hubs, 0},
    {"GET", "/hubs/promoted", home_hubs, 0},
    {"GET", "/hubs/continueWatching", continue_watching, 0},
    {"GET", "/hubs/continueWatching/items", continue_watching_items, 0},
    {"GET", "/hubs/sections/{id}", section_hubs, 0},
    {"GET", "/hubs/search", hubs_search, 0},
    {"GET", "/hubs/search/voice", hubs_search, 0},
    {"GET", "/search", plain_search, 0},
    {"GET", "/library/search", library_search, 0},
};

const pms_group pms_group_hubs = PMS_GROUP("hubs", routes);

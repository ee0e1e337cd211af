/*
 * Route group "playlists" (PMS.md §4.8), and the library URIs that play
 * queues, playlists and collections are made of (pms_uri_items).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"

#define MAX_URI_ARGS 64

/* ---- library URIs ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decode s in place ('+' is a space in a query). */
void pms_pct_decode(char *s, int plus)
{
    char *o = s;

    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *o = *s;
            if (plus && *o == '+')
                *o = ' ';
            o++;
        }
    }
    *o = '\0';
}

/* The query of a URI as the arguments of a request (for media queries). */
typedef struct uri_args {
    const sim_request *orig;
    const char *k[MAX_URI_ARGS], *v[MAX_URI_ARGS];
    size_t n;
} uri_args;

static const char *uri_lookup(void *ctx, int kind, const char *name)
{
    uri_args *u = ctx;

    if (kind == SIM_HEADER)
        return u->orig->lookup(u->orig->ctx, kind, name);
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->k[i], name) == 0)
            return u->v[i];
    return NULL;
}

static void uri_each(void *ctx, sim_arg_cb cb, void *user)
{
    uri_args *u = ctx;

    for (size_t i = 0; i < u->n; i++)
        if (cb(user, u->k[i], u->v[i]))
            return;
}

static int push(int64_t **keys, size_t *n, size_t *cap, int64_t rk)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int64_t *k;
        if (*n >= PMS_MAX_LIST || !(k = realloc(*keys, c * sizeof(*k))))
            return -1;
        *keys = k;
        *cap = c;
    }
    (*keys)[(*n)++] = rk;
    return 0;
}

/* The items of one ratingKey: itself, or the leaves under a container, a
 * collection's or a playlist's items. 0, -1 out of memory, 1 no such item. */
static int expand(pms_ctx *c, int64_t rk, int keep, int64_t **keys, size_t *n, size_t *cap)
{
    pms_collection *col = pms_collection_find(c->p, rk);
    pms_playlist *pl = pms_playlist_find(pms_play_of(c->p), rk);
    pms_kind kind;
    long first, cnt;
    pms_item it;

    if (col) {
        for (size_t i = 0; i < col->nitems; i++)
            if (expand(c, col->items[i], keep, keys, n, cap) < 0)
                return -1;
        return 0;
    }
    if (pl) {
        int64_t *k = NULL;
        size_t m = 0;
        if (pms_playlist_items(c, pl, &k, &m) != 0)
            return -1;
        for (size_t i = 0; i < m; i++)
            if (push(keys, n, cap, k[i]) != 0) {
                free(k);
                return -1;
            }
        free(k);
        return 0;
    }
    if (pms_item_get(c->p, rk, &it) != 0)
        return 1;
    if (keep || pms_leaves(c->p, rk, &kind, &first, &cnt) != 0)
        return push(keys, n, cap, rk);
    for (long i = 0; i < cnt; i++)
        if (push(keys, n, cap, pms_key_of(c->p, kind, first + i)) != 0)
            return -1;
    return 0;
}

int pms_uri_items(pms_ctx *c, const char *uri, int keep, int64_t **keys, size_t *n)
{
    static const char lib[] = "/com.plexapp.plugins.library";
    char *buf = NULL, *path, *query;
    size_t cap = 0;
    int64_t id;
    int rc = 0;

    *keys = NULL;
    *n = 0;
    if (!uri || !(buf = strdup(uri))) {
        pms_error(c, uri ? 500 : 400);
        return -1;
    }
    if (strncmp(buf, "server://", 9) == 0) {
        char *slash = strchr(buf + 9, '/');
        if (!slash || (size_t)(slash - (buf + 9)) != strlen(SIM_SERVER_ID) ||
            strncmp(buf + 9, SIM_SERVER_ID, strlen(SIM_SERVER_ID)) != 0 ||
            strncmp(slash, lib, sizeof(lib) - 1) != 0)
            goto bad; /* another server, or another provider */
        path = slash + sizeof(lib) - 1;
    } else if (strncmp(buf, "library://", 10) == 0) {
        /* library://[uuid]/directory/<encoded path> or /item/<encoded path> */
        char *slash = strchr(buf + 10, '/');
        if (!slash)
            goto bad;
        if (strncmp(slash, "/directory/", 11) == 0)
            path = slash + 11;
        else if (strncmp(slash, "/item/", 6) == 0)
            path = slash + 6;
        else
            goto bad;
        pms_pct_decode(path, 0);
    } else if (buf[0] == '/') {
        path = buf;
    } else {
        goto bad;
    }
    if ((query = strchr(path, '?')))
        *query++ = '\0';
    if (strncmp(path, "/library/metadata/", 18) == 0) {
        char *ids = path + 18, *save = NULL;
        char *slash = strchr(ids, '/');
        if (slash && strcmp(slash, "/children") != 0 && strcmp(slash, "/allLeaves") != 0 &&
            strcmp(slash, "/grandchildren") != 0)
            goto bad;
        if (slash)
            *slash = '\0';
        for (char *t = strtok_r(ids, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (pms_parse_int(t, &id) != 0 || id <= 0)
                goto bad;
            rc = expand(c, id, keep && !slash, keys, n, &cap);
            if (rc > 0) {
                free(buf);
                free(*keys);
                *keys = NULL;
                pms_error(c, 404);
                return -1;
            }
            if (rc < 0)
                goto oom;
        }
    } else if ((strncmp(path, "/playlists/", 11) == 0 ||
                strncmp(path, "/library/collections/", 21) == 0)) {
        char *idp = path + (path[1] == 'p' ? 11 : 21), *slash = strchr(idp, '/');
        if (slash)
            *slash = '\0';
        if (pms_parse_int(idp, &id) != 0 || id <= 0)
            goto bad;
        if ((rc = expand(c, id, 1, keys, n, &cap)) != 0) {
            free(buf);
            free(*keys);
            *keys = NULL;
            if (rc > 0)
                pms_error(c, 404);
            else
                pms_error(c, 500);
            return -1;
        }
    } else if (strncmp(path, "/library/sections/", 18) == 0) {
        char *sec = path + 18, *slash = strchr(sec, '/');
        int64_t section;
        uri_args ua;
        sim_request rq;
        pms_ctx c2;
        pms_query *q;
        int64_t *found = NULL;
        size_t nfound = 0;
        if (!slash || strcmp(slash, "/all") != 0)
            goto bad;
        *slash = '\0';
        if (pms_parse_int(sec, &section) != 0 || section < 1 || section > PMS_NSECTIONS)
            goto bad;
        memset(&ua, 0, sizeof(ua));
        ua.orig = c->rq;
        for (char *save = NULL, *t = query ? strtok_r(query, "&", &save) : NULL;
             t && ua.n < MAX_URI_ARGS; t = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(t, '=');
            if (eq)
                *eq++ = '\0';
            pms_pct_decode(t, 1);
            if (eq)
                pms_pct_decode(eq, 1);
            ua.k[ua.n] = t;
            ua.v[ua.n++] = eq ? eq : "";
        }
        rq = *c->rq;
        rq.lookup = uri_lookup;
        rq.each = uri_each;
        rq.ctx = &ua;
        c2 = *c;
        c2.rq = &rq;
        if (!(q = pms_query_parse(&c2, (int)section, 0))) {
            free(buf);
            return -1; /* answered */
        }
        rc = pms_query_run(&c2, q, &found, &nfound);
        pms_query_free(q);
        if (rc != 0)
            goto oom;
        for (size_t i = 0; i < nfound && rc == 0; i++)
            rc = push(keys, n, &cap, found[i]);
        free(found);
        if (rc != 0)
            goto oom;
    } else {
        goto bad;
    }
    free(buf);
    return 0;
bad:
    free(buf);
    free(*keys);
    *keys = NULL;
    pms_error(c, 400);
    return -1;
oom:
    free(buf);
    free(*keys);
    *keys = NULL;
    pms_error(c, 500);
    return -1;
}

/* ---- playlists ---- */

pms_playlist *pms_playlist_find(pms_play *pl, int64_t rk)
{
    for (size_t i = 0; pl && i < pl->nplaylists; i++)
        if (pl->playlists[i]->rating_key == rk)
            return pl->playlists[i];
    return NULL;
}

int pms_playlist_items(pms_ctx *c, pms_playlist *l, int64_t **keys, size_t *n)
{
    if (l->smart)
        return pms_uri_items(c, l->uri, 0, keys, n);
    *n = l->n;
    if (!(*keys = malloc((l->n + 1) * sizeof(**keys))))
        return -1;
    memcpy(*keys, l->keys, l->n * sizeof(**keys));
    return 0;
}

void pms_playlist_free(pms_playlist *l)
{
    if (!l)
        return;
    free(l->title);
    free(l->summary);
    free(l->uri);
    free(l->keys);
    free(l->item_ids);
    free(l);
}

/* The playlist type an item belongs in. */
static const char *type_for(int type)
{
    switch (type) {
    case PMS_T_MOVIE:
    case PMS_T_EPISODE:
    case PMS_T_CLIP:
        return "video";
    case PMS_T_TRACK:
        return "audio";
    case PMS_T_PHOTO:
        return "photo";
    default:
        return NULL;
    }
}

/* 1 if every item is of the playlist's type (a playlist holds one kind). */
static int all_of_type(pms_ctx *c, const char *type, const int64_t *keys, size_t n)
{
    pms_item it;

    for (size_t i = 0; i < n; i++)
        if (pms_item_get(c->p, keys[i], &it) != 0 || !type_for(it.type) ||
            strcmp(type_for(it.type), type) != 0)
            return 0;
    return 1;
}

static plex_metadata *render_playlist(pms_ctx *c, pms_playlist *l)
{
    plex_metadata *m = plex__arena_alloc(c->arena, sizeof(*m));
    char *rk = plex__arena_alloc_bytes(c->arena, 24), *key = plex__arena_alloc_bytes(c->arena, 48);
    char *guid = plex__arena_alloc_bytes(c->arena, 64),
         *comp = plex__arena_alloc_bytes(c->arena, 64);
    int64_t *keys = NULL, duration = 0;
    size_t n = 0;
    pms_item it;

    if (!m || !rk || !key || !guid || !comp)
        return NULL;
    memset(m, 0, sizeof(*m));
    if (pms_playlist_items(c, l, &keys, &n) != 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (pms_item_get(c->p, keys[i], &it) == 0)
            duration += it.duration;
    free(keys);
    snprintf(rk, 24, "%lld", (long long)l->rating_key);
    snprintf(key, 48, "/playlists/%lld/items", (long long)l->rating_key);
    snprintf(guid, 64, "com.plexapp.agents.none://plexsim-playlist-%lld", (long long)l->rating_key);
    snprintf(comp, 64, "/playlists/%lld/composite/%lld", (long long)l->rating_key,
             (long long)l->updated_at);
    m->rating_key = rk;
    m->key = key;
    m->guid = guid;
    m->type = "playlist";
    m->title = l->title;
    m->summary = l->summary ? l->summary : "";
    m->smart = l->smart ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(m, PLEX_METADATA_SMART);
    m->playlist_type = l->type;
    m->composite = comp;
    m->leaf_count = (int)n;
    PMS_SET(m, PLEX_METADATA_LEAF_COUNT);
    m->duration = duration;
    PMS_SET(m, PLEX_METADATA_DURATION);
    m->added_at = l->added_at;
    m->updated_at = l->updated_at;
    PMS_SET(m, PLEX_METADATA_ADDED_AT);
    PMS_SET(m, PLEX_METADATA_UPDATED_AT);
    return m;
}

/* A container of one playlist. */
static void reply_playlist(pms_ctx *c, pms_playlist *l)
{
    plex_container *mc = pms_container(c);
    const plex_metadata **items = plex__arena_alloc(c->arena, sizeof(void *));

    if (!mc || !items || !(items[0] = render_playlist(c, l))) {
        pms_error(c, 500);
        return;
    }
    mc->items = items;
    mc->items_count = 1;
    pms_reply_container(c, mc);
}

/* The playlist of c->arg[0], or NULL after answering 404. */
static pms_playlist *playlist_arg(pms_ctx *c)
{
    pms_playlist *l = NULL;
    int64_t rk;

    if (pms_parse_int(c->arg[0], &rk) == 0)
        l = pms_playlist_find(pms_play_of(c->p), rk);
    if (!l)
        pms_error(c, 404);
    return l;
}

/* GET /playlists: playlistType=, smart=, paged */
static void playlists_get(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    plex_container *mc = pms_container(c);
    const char *type = pms_arg(c, "playlistType"), *smart = pms_arg(c, "smart");
    const plex_metadata **items;
    size_t total = 0, n = 0;

    if (!pl || !mc ||
        !(items = plex__arena_alloc(c->arena, (pl->nplaylists + 1) * sizeof(void *)))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < pl->nplaylists; i++) {
        pms_playlist *l = pl->playlists[i];
        if ((type && strcmp(type, l->type) != 0) || (smart && (smart[0] == '1') != l->smart))
            continue;
        if ((int64_t)total++ < c->start || (c->size >= 0 && (int64_t)n >= c->size))
            continue;
        if (!(items[n] = render_playlist(c, l))) {
            pms_error(c, 500);
            return;
        }
        n++;
    }
    pms_reply_page(c, mc, items, n, total);
}

/* GET /playlists/{id} */
static void playlist_get(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);

    if (l)
        reply_playlist(c, l);
}

/* GET /playlists/{id}/items: paged, with playlistItemID */
static void playlist_items(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);
    plex_container *mc;
    const plex_metadata **items;
    int64_t *keys = NULL, duration = 0;
    size_t n = 0, k = 0;
    pms_item it;
    char *rk;

    if (!l)
        return;
    if (pms_playlist_items(c, l, &keys, &n) != 0) {
        if (!c->rs->status)
            pms_error(c, 500);
        return;
    }
    mc = pms_container(c);
    items = plex__arena_alloc(c->arena, (n + 1) * sizeof(void *));
    rk = plex__arena_alloc_bytes(c->arena, 24);
    if (!mc || !items || !rk) {
        free(keys);
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (pms_item_get(c->p, keys[i], &it) == 0)
            duration += it.duration;
        if ((int64_t)i < c->start || (c->size >= 0 && (int64_t)k >= c->size))
            continue;
        if (!(items[k] = pms_render_key(c->p, c->arena, keys[i], PMS_R_SECTION))) {
            free(keys);
            pms_error(c, 500);
            return;
        }
        if (!l->smart) {
            plex_metadata *m = (plex_metadata *)(uintptr_t)items[k];
            m->playlist_item_id = l->item_ids[i];
            PMS_SET(m, PLEX_METADATA_PLAYLIST_ITEM_ID);
        }
        k++;
    }
    free(keys);
    snprintf(rk, 24, "%lld", (long long)l->rating_key);
    mc->rating_key = rk;
    mc->title = l->title;
    mc->smart = l->smart ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(mc, PLEX_CONTAINER_SMART);
    mc->playlist_type = l->type;
    mc->leaf_count = (int)n;
    PMS_SET(mc, PLEX_CONTAINER_LEAF_COUNT);
    mc->duration = duration;
    PMS_SET(mc, PLEX_CONTAINER_DURATION);
    pms_reply_page(c, mc, items, k, n);
}

/* Append keys to a dumb playlist. 0 or -1. */
static int append(pms_playlist *l, const int64_t *keys, size_t n)
{
    if (pms_grow2(&l->keys, &l->item_ids, &l->cap, l->n, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        l->keys[l->n] = keys[i];
        l->item_ids[l->n++] = l->next_item++;
    }
    return 0;
}

/* POST /playlists?uri=&title=&type=&smart= */
static void playlist_create(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    const char *uri = pms_arg(c, "uri"), *title = pms_arg(c, "title"), *type = pms_arg(c, "type");
    int smart = pms_flag(c, "smart");
    int64_t *keys = NULL;
    size_t n = 0;
    pms_playlist *l;

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    if (!uri || !title || !*title || !type ||
        (strcmp(type, "video") != 0 && strcmp(type, "audio") != 0 && strcmp(type, "photo") != 0)) {
        pms_error(c, 400);
        return;
    }
    if (pl->nplaylists == PMS_MAX_PLAYLISTS) {
        pms_error(c, 503);
        return;
    }
    if (pms_uri_items(c, uri, 0, &keys, &n) != 0)
        return;
    if (!smart && (n == 0 || !all_of_type(c, type, keys, n))) {
        free(keys);
        pms_error(c, 400); /* nothing, or items of another kind */
        return;
    }
    if ((l = calloc(1, sizeof(*l))))
        l->next_item = 1;
    if (!l || !(l->title = strdup(title)) || (smart && !(l->uri = strdup(uri))) ||
        (!smart && append(l, keys, n) != 0)) {
        free(keys);
        pms_playlist_free(l);
        pms_error(c, 500);
        return;
    }
    free(keys);
    l->rating_key = pms_new_rating_key(c->p);
    snprintf(l->type, sizeof(l->type), "%s", type);
    l->smart = smart;
    l->added_at = l->updated_at = pms_now(c->p);
    pl->playlists[pl->nplaylists++] = l;
    pms_changed(c->p);
    reply_playlist(c, l);
}

/* PUT /playlists/{id}/items?uri=: append (a smart playlist's rules are replaced) */
static void playlist_add(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);
    const char *uri = pms_arg(c, "uri");
    int64_t *keys = NULL;
    size_t n = 0;

    if (!l)
        return;
    if (!uri) {
        pms_error(c, 400);
        return;
    }
    if (pms_uri_items(c, uri, 0, &keys, &n) != 0)
        return;
    if (l->smart) {
        char *u = strdup(uri);
        free(keys);
        if (!u) {
            pms_error(c, 500);
            return;
        }
        free(l->uri);
        l->uri = u;
    } else {
        if (!all_of_type(c, l->type, keys, n)) {
            free(keys);
            pms_error(c, 400); /* a playlist holds one kind */
            return;
        }
        if (append(l, keys, n) != 0) {
            free(keys);
            pms_error(c, 500);
            return;
        }
        free(keys);
    }
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    reply_playlist(c, l);
}

/* The index of playlistItemID s in l, or -1. */
static long item_index(const pms_playlist *l, const char *s)
{
    int64_t id;

    if (pms_parse_int(s, &id) == 0)
        for (size_t i = 0; i < l->n; i++)
            if (l->item_ids[i] == id)
                return (long)i;
    return -1;
}

/* DELETE /playlists/{id}/items/{playlistItemID} */
static void playlist_remove(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);
    long i;

    if (!l)
        return;
    if (l->smart || (i = item_index(l, c->arg[1])) < 0) {
        pms_error(c, l->smart ? 400 : 404);
        return;
    }
    memmove(l->keys + i, l->keys + i + 1, (l->n - (size_t)i - 1) * sizeof(*l->keys));
    memmove(l->item_ids + i, l->item_ids + i + 1, (l->n - (size_t)i - 1) * sizeof(*l->item_ids));
    l->n--;
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    reply_playlist(c, l);
}

/* PUT /playlists/{id}/items/{playlistItemID}/move?after= */
static void playlist_move(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);
    const char *after = pms_arg(c, "after");
    long i, a = -1;
    int64_t k, id;

    if (!l)
        return;
    if (l->smart || (i = item_index(l, c->arg[1])) < 0 ||
        (after && strcmp(after, "0") != 0 && (a = item_index(l, after)) < 0)) {
        pms_error(c, l->smart ? 400 : 404);
        return;
    }
    k = l->keys[i];
    id = l->item_ids[i];
    memmove(l->keys + i, l->keys + i + 1, (l->n - (size_t)i - 1) * sizeof(*l->keys));
    memmove(l->item_ids + i, l->item_ids + i + 1, (l->n - (size_t)i - 1) * sizeof(*l->item_ids));
    if (a > i)
        a--;
    /* insert at a + 1 (a = -1: the front) */
    memmove(l->keys + a + 2, l->keys + a + 1, (l->n - 1 - (size_t)(a + 1)) * sizeof(*l->keys));
    memmove(l->item_ids + a + 2, l->item_ids + a + 1,
            (l->n - 1 - (size_t)(a + 1)) * sizeof(*l->item_ids));
    l->keys[a + 1] = k;
    l->item_ids[a + 1] = id;
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    reply_playlist(c, l);
}

/* PUT /playlists/{id}?title=&summary= */
static void playlist_edit(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);
    const char *title = pms_arg(c, "title"), *summary = pms_arg(c, "summary");
    char *t = NULL, *s = NULL;

    if (!l)
        return;
    if ((!title && !summary) || (title && !*title)) {
        pms_error(c, 400);
        return;
    }
    if ((title && !(t = strdup(title))) || (summary && !(s = strdup(summary)))) {
        free(t);
        pms_error(c, 500);
        return;
    }
    if (t) {
        free(l->title);
        l->title = t;
    }
    if (s) {
        free(l->summary);
        l->summary = s;
    }
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* DELETE /playlists/{id}/items: clear */
static void playlist_clear(pms_ctx *c)
{
    pms_playlist *l = playlist_arg(c);

    if (!l)
        return;
    if (l->smart) {
        pms_error(c, 400);
        return;
    }
    l->n = 0;
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    reply_playlist(c, l);
}

/* DELETE /playlists/{id}: 204 */
static void playlist_delete(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    pms_playlist *l = playlist_arg(c);

    if (!l)
        return;
    for (size_t i = 0; i < pl->nplaylists; i++)
        if (pl->playlists[i] == l) {
            pl->playlists[i] = pl->playlists[--pl->nplaylists];
            break;
        }
    pms_playlist_free(l);
    pms_changed(c->p);
    pms_reply_empty(c, 204);
}

/* The album whose tracks' files are in directory dir (len bytes), or 0. */
static int64_t album_in(pms_ctx *c, const char *dir, size_t len)
{
    for (long i = 0; i < pms_kind_count(c->p, PMS_K_ALBUM); i++) {
        int64_t rk = pms_key_of(c->p, PMS_K_ALBUM, i);
        pms_kind kind;
        long first, n;
        pms_item it;
        pms_media md;
        const char *slash;
        if (pms_children(c->p, rk, &kind, &first, &n) != 0 || n == 0 ||
            pms_item_get(c->p, pms_key_of(c->p, kind, first), &it) != 0 ||
            pms_media_get(c->p, &it, 0, &md) != 0 || !(slash = strrchr(md.file, '/')))
            continue;
        if ((size_t)(slash - md.file) == len && strncmp(md.file, dir, len) == 0)
            return rk;
    }
    return 0;
}

/* POST /playlists/upload?path=&force=: import an m3u file of the server's
 * disk. plexsim's disk has one beside each album's tracks (any name ending
 * in .m3u in an album's folder: the album's tracks, in order); the playlist
 * is named after the file; one of that name is replaced only with force=1. */
static void playlist_upload(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    const char *path = pms_arg(c, "path"), *slash, *dot;
    char title[160];
    int64_t album, *keys = NULL;
    pms_kind kind;
    long first, n;
    pms_playlist *l = NULL;

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    if (!path || !(slash = strrchr(path, '/')) || !(dot = strrchr(slash, '.')) ||
        (strcmp(dot, ".m3u") != 0 && strcmp(dot, ".m3u8") != 0) || dot == slash + 1 ||
        (size_t)(dot - slash - 1) >= sizeof(title)) {
        pms_error(c, 400);
        return;
    }
    if (!(album = album_in(c, path, (size_t)(slash - path))) ||
        pms_children(c->p, album, &kind, &first, &n) != 0 || n <= 0) {
        pms_error(c, 404); /* no such file */
        return;
    }
    snprintf(title, sizeof(title), "%.*s", (int)(dot - slash - 1), slash + 1);
    for (size_t i = 0; i < pl->nplaylists && !l; i++)
        if (strcmp(pl->playlists[i]->title, title) == 0)
            l = pl->playlists[i];
    if (l && (!pms_flag(c, "force") || l->smart)) {
        pms_error(c, 400); /* there is one of that name */
        return;
    }
    if (!(keys = calloc((size_t)n, sizeof(*keys)))) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < (size_t)n; i++)
        keys[i] = pms_key_of(c->p, kind, first + (long)i);
    if (!l) {
        if (pl->nplaylists == PMS_MAX_PLAYLISTS || !(l = calloc(1, sizeof(*l))) ||
            !(l->title = strdup(title))) {
            free(keys);
            pms_playlist_free(l);
            pms_error(c, pl->nplaylists == PMS_MAX_PLAYLISTS ? 503 : 500);
            return;
        }
        l->next_item = 1;
        l->rating_key = pms_new_rating_key(c->p);
        snprintf(l->type, sizeof(l->type), "audio");
        l->added_at = pms_now(c->p);
        pl->playlists[pl->nplaylists++] = l;
    }
    l->n = 0; /* force: the file's items replace the old ones */
    if (append(l, keys, (size_t)n) != 0) {
        free(keys);
        pms_error(c, 500);
        return;
    }
    free(keys);
    l->updated_at = pms_now(c->p);
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

static const pms_route routes[] = {
    {"GET", "/playlists", playlists_get, 0},
    {"POST", "/playlists", playlist_create, 0},
    {"POST", "/playlists/upload", playlist_upload, 0},
    {"GET", "/playlists/{id}", playlist_get, 0},
    {"PUT", "/playlists/{id}", playlist_edit, 0},
    {"DELETE", "/playlists/{id}", playlist_delete, 0},
    {"GET", "/playlists/{id}/items", playlist_items, 0},
    {"PUT", "/playlists/{id}/items", playlist_add, 0},
    {"DELETE", "/playlists/{id}/items", playlist_clear, 0},
    {"DELETE", "/playlists/{id}/items/{item}", playlist_remove, 0},
    {"PUT", "/playlists/{id}/items/{item}/move", playlist_move, 0},
};

const pms_group pms_group_playlists = PMS_GROUP("playlists", routes);

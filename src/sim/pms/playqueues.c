/*
 * Route group "playqueues" (PMS.md §4.7): play queues made from a library
 * URI (an item, a container's leaves, a filter) or a playlist, shuffled,
 * repeated, read through a window around the current item, added to,
 * reordered and trimmed; every change bumps playQueueVersion. The current
 * item follows the player's timelines (playback.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"

#define DEFAULT_WINDOW 50

void pms_play_queue_free(pms_play_queue *q)
{
    if (!q)
        return;
    free(q->source_uri);
    free(q->keys);
    free(q->item_ids);
    free(q->unshuffled_ids);
    free(q);
}

static long index_of(const pms_play_queue *q, int64_t item)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->item_ids[i] == item)
            return (long)i;
    return -1;
}

/* Shuffle items [from, n) (a deterministic order of the queue's id and version). */
static void shuffle_from(pms_play_queue *q, size_t from)
{
    uint64_t x = (uint64_t)q->id * 0x9e3779b97f4a7c15ULL + (uint64_t)q->version;

    for (size_t i = q->n; i > from + 1; i--) {
        size_t j;
        int64_t t;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        j = from + (size_t)(x % (uint64_t)(i - from));
        t = q->keys[i - 1];
        q->keys[i - 1] = q->keys[j];
        q->keys[j] = t;
        t = q->item_ids[i - 1];
        q->item_ids[i - 1] = q->item_ids[j];
        q->item_ids[j] = t;
    }
}

/* Insert keys at position at. 0 or -1. */
static int insert(pms_play_queue *q, size_t at, const int64_t *keys, size_t n)
{
    if (pms_grow2(&q->keys, &q->item_ids, &q->cap, q->n, n) != 0)
        return -1;
    memmove(q->keys + at + n, q->keys + at, (q->n - at) * sizeof(*q->keys));
    memmove(q->item_ids + at + n, q->item_ids + at, (q->n - at) * sizeof(*q->item_ids));
    for (size_t i = 0; i < n; i++) {
        q->keys[at + i] = keys[i];
        q->item_ids[at + i] = q->next_item++;
    }
    q->n += n;
    return 0;
}

static void remove_at(pms_play_queue *q, size_t i)
{
    memmove(q->keys + i, q->keys + i + 1, (q->n - i - 1) * sizeof(*q->keys));
    memmove(q->item_ids + i, q->item_ids + i + 1, (q->n - i - 1) * sizeof(*q->item_ids));
    q->n--;
}

/* The queue as PMS answers it: its state and a window of items. */
static void reply_queue(pms_ctx *c, pms_play_queue *q, int64_t window, int64_t center)
{
    plex_container *mc = pms_container(c);
    const plex_metadata **items;
    char *sel_rk = plex__arena_alloc_bytes(c->arena, 24),
         *last = plex__arena_alloc_bytes(c->arena, 24);
    long sel = index_of(q, q->selected), mid = center ? index_of(q, center) : sel;
    size_t from, to, k = 0;

    if (!mc || !sel_rk || !last ||
        !(items = plex__arena_alloc(c->arena, (q->n + 1) * sizeof(void *)))) {
        pms_error(c, 500);
        return;
    }
    if (mid < 0)
        mid = sel < 0 ? 0 : sel;
    from = (size_t)mid > (size_t)window ? (size_t)mid - (size_t)window : 0;
    to = (size_t)mid + (size_t)window + 1 < q->n ? (size_t)mid + (size_t)window + 1 : q->n;
    for (size_t i = from; i < to; i++) {
        plex_metadata *m = pms_render_key(c->p, c->arena, q->keys[i], PMS_R_SECTION);
        if (!m) {
            pms_error(c, 500);
            return;
        }
        m->play_queue_item_id = q->item_ids[i];
        PMS_SET(m, PLEX_METADATA_PLAY_QUEUE_ITEM_ID);
        items[k++] = m;
    }
    mc->identifier = "com.plexapp.plugins.library";
    mc->play_queue_id = q->id;
    PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_ID);
    mc->play_queue_version = q->version;
    PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_VERSION);
    if (sel >= 0) {
        mc->play_queue_selected_item_id = q->selected;
        PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_SELECTED_ITEM_ID);
        mc->play_queue_selected_item_offset = (int)sel;
        PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_SELECTED_ITEM_OFFSET);
        snprintf(sel_rk, 24, "%lld", (long long)q->keys[sel]);
        mc->play_queue_selected_metadata_item_id = sel_rk;
    }
    mc->play_queue_shuffled = q->shuffled ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_SHUFFLED);
    mc->play_queue_source_uri = q->source_uri;
    mc->play_queue_total_count = (int)q->n;
    PMS_SET(mc, PLEX_CONTAINER_PLAY_QUEUE_TOTAL_COUNT);
    if (q->last_added) {
        snprintf(last, 24, "%lld", (long long)q->last_added);
        mc->play_queue_last_added_item_id = last;
    }
    mc->items = items;
    mc->items_count = k;
    mc->size = (int)k;
    pms_reply_container(c, mc);
}

/* The queue of c->arg[0], or NULL after answering 404. */
static pms_play_queue *queue_arg(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    int64_t id;

    if (pl && pms_parse_int(c->arg[0], &id) == 0)
        for (size_t i = 0; i < pl->nqueues; i++)
            if (pl->queues[i]->id == id)
                return pl->queues[i];
    pms_error(c, pl ? 404 : 500);
    return NULL;
}

/* The items a request names: uri= or playlistID=. 0, or -1 after answering. */
static int request_items(pms_ctx *c, int64_t **keys, size_t *n, char **source)
{
    const char *uri = pms_arg(c, "uri"), *plid = pms_arg(c, "playlistID");
    char buf[48];
    int64_t id;
    pms_playlist *l;

    *source = NULL;
    if (uri) {
        if (pms_uri_items(c, uri, 0, keys, n) != 0)
            return -1;
        *source = strdup(uri);
    } else if (plid) {
        if (pms_parse_int(plid, &id) != 0 || !(l = pms_playlist_find(pms_play_of(c->p), id))) {
            pms_error(c, 404);
            return -1;
        }
        if (pms_playlist_items(c, l, keys, n) != 0)
            return -1;
        snprintf(buf, sizeof(buf), "/playlists/%lld", (long long)id);
        *source = strdup(buf);
    } else {
        pms_error(c, 400);
        return -1;
    }
    if (!*source) {
        free(*keys);
        *keys = NULL;
        pms_error(c, 500);
        return -1;
    }
    return 0;
}

/* continuous=1 from one episode: the episodes after it in its show. */
static int continuous(pms_ctx *c, int64_t **keys, size_t *n)
{
    pms_item it;
    pms_kind kind;
    long first, cnt, at = -1;
    int64_t *k;

    if (*n != 1 || pms_item_get(c->p, (*keys)[0], &it) != 0 || it.type != PMS_T_EPISODE ||
        pms_leaves(c->p, it.grandparent_key, &kind, &first, &cnt) != 0)
        return 0;
    for (long i = 0; i < cnt; i++)
        if (pms_key_of(c->p, kind, first + i) == it.rating_key)
            at = i;
    if (at < 0 || !(k = malloc((size_t)(cnt - at) * sizeof(*k))))
        return at < 0 ? 0 : -1;
    for (long i = at; i < cnt; i++)
        k[i - at] = pms_key_of(c->p, kind, first + i);
    free(*keys);
    *keys = k;
    *n = (size_t)(cnt - at);
    return 0;
}

/* POST /playQueues?type=&uri=|playlistID=&key=&shuffle=&repeat=&continuous= */
static void create(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    const char *type = pms_arg(c, "type"), *key = pms_arg(c, "key");
    int64_t *keys = NULL, start_rk = 0;
    size_t n = 0;
    char *source;
    pms_play_queue *q;
    long at = -1;

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    if (!type ||
        (strcmp(type, "video") != 0 && strcmp(type, "audio") != 0 && strcmp(type, "photo") != 0)) {
        pms_error(c, 400);
        return;
    }
    if (key && strncmp(key, "/library/metadata/", 18) == 0)
        key += 18;
    if (key && (pms_parse_int(key, &start_rk) != 0 || start_rk <= 0)) {
        pms_error(c, 400);
        return;
    }
    if (request_items(c, &keys, &n, &source) != 0)
        return;
    if (pms_flag(c, "continuous") && continuous(c, &keys, &n) != 0) {
        free(keys);
        free(source);
        pms_error(c, 500);
        return;
    }
    if (n == 0) {
        free(keys);
        free(source);
        pms_error(c, 400); /* nothing to play */
        return;
    }
    if (!(q = calloc(1, sizeof(*q))) ||
        (q->source_uri = source, q->next_item = 1, insert(q, 0, keys, n) != 0)) {
        free(keys);
        if (q)
            pms_play_queue_free(q);
        else
            free(source);
        pms_error(c, 500);
        return;
    }
    free(keys);
    if (pl->nqueues == PMS_MAX_QUEUES) { /* the oldest goes */
        pms_play_queue_free(pl->queues[0]);
        memmove(pl->queues, pl->queues + 1, (PMS_MAX_QUEUES - 1) * sizeof(void *));
        pl->nqueues--;
    }
    q->id = pl->next_queue++;
    q->version = 1;
    snprintf(q->type, sizeof(q->type), "%s", type);
    q->repeat = pms_flag(c, "repeat");
    for (size_t i = 0; start_rk && i < q->n && at < 0; i++)
        if (q->keys[i] == start_rk)
            at = (long)i;
    if (at > 0) { /* the start item first */
        int64_t k = q->keys[at], id = q->item_ids[at];
        memmove(q->keys + 1, q->keys, (size_t)at * sizeof(*q->keys));
        memmove(q->item_ids + 1, q->item_ids, (size_t)at * sizeof(*q->item_ids));
        q->keys[0] = k;
        q->item_ids[0] = id;
    }
    q->selected = q->item_ids[0];
    if (pms_flag(c, "shuffle")) {
        q->shuffled = 1;
        shuffle_from(q, 1);
    }
    pl->queues[pl->nqueues++] = q;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* GET /playQueues/{id}?window=&center= */
static void get(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    int64_t window, center;

    if (!q || pms_int_arg(c, "window", 0, PMS_MAX_LIST, DEFAULT_WINDOW, &window) != 0 ||
        pms_int_arg(c, "center", 0, INT64_MAX, 0, &center) != 0)
        return;
    if (center && index_of(q, center) < 0) {
        pms_error(c, 404);
        return;
    }
    reply_queue(c, q, window, center);
}

/* PUT /playQueues/{id}?uri=|playlistID=&next=1 */
static void add(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    int64_t *keys = NULL;
    size_t n = 0, at;
    char *source;
    long sel, last;

    if (!q || request_items(c, &keys, &n, &source) != 0)
        return;
    free(source);
    sel = index_of(q, q->selected);
    last = q->last_added ? index_of(q, q->last_added) : -1;
    if (pms_flag(c, "next"))
        at = (size_t)(sel + 1); /* right after the current item */
    else if (last > sel)
        at = (size_t)last + 1; /* at the end of the Up Next region */
    else
        at = q->n; /* no Up Next yet: at the end */
    if (n && insert(q, at, keys, n) != 0) {
        free(keys);
        pms_error(c, 500);
        return;
    }
    free(keys);
    if (n)
        q->last_added = q->item_ids[at + n - 1];
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* PUT /playQueues/{id}/items/{item}/move?after= */
static void move(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    int64_t item, after, k, id;
    long i, a = -1;

    if (!q || pms_int_arg(c, "after", 0, INT64_MAX, 0, &after) != 0)
        return;
    if (pms_parse_int(c->arg[1], &item) != 0 || (i = index_of(q, item)) < 0 ||
        (after && (a = index_of(q, after)) < 0)) {
        pms_error(c, 404);
        return;
    }
    k = q->keys[i];
    id = q->item_ids[i];
    remove_at(q, (size_t)i);
    if (a > i)
        a--;
    q->n++; /* room was there: put it back at a + 1 */
    memmove(q->keys + a + 2, q->keys + a + 1, (q->n - 1 - (size_t)(a + 1)) * sizeof(*q->keys));
    memmove(q->item_ids + a + 2, q->item_ids + a + 1,
            (q->n - 1 - (size_t)(a + 1)) * sizeof(*q->item_ids));
    q->keys[a + 1] = k;
    q->item_ids[a + 1] = id;
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* DELETE /playQueues/{id}/items/{item} */
static void remove_item(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    int64_t item;
    long i;

    if (!q)
        return;
    if (pms_parse_int(c->arg[1], &item) != 0 || (i = index_of(q, item)) < 0) {
        pms_error(c, 404);
        return;
    }
    if (q->selected == item)
        q->selected = (size_t)i + 1 < q->n ? q->item_ids[i + 1] : i > 0 ? q->item_ids[i - 1] : 0;
    if (q->last_added == item)
        q->last_added = i > 0 && q->item_ids[i - 1] != q->selected ? q->item_ids[i - 1] : 0;
    remove_at(q, (size_t)i);
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* DELETE /playQueues/{id}/items: all but the current item */
static void clear(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    long sel;

    if (!q)
        return;
    sel = index_of(q, q->selected);
    if (sel >= 0) {
        q->keys[0] = q->keys[sel];
        q->item_ids[0] = q->item_ids[sel];
        q->n = 1;
    } else {
        q->n = 0;
    }
    q->last_added = 0;
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* PUT /playQueues/{id}/shuffle: what follows the current item (400 while an
 * Up Next region exists, as PMS) */
static void shuffle(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    long sel;

    if (!q)
        return;
    if (q->last_added) {
        pms_error(c, 400);
        return;
    }
    free(q->unshuffled_ids);
    if (!(q->unshuffled_ids = malloc((q->n + 1) * sizeof(*q->unshuffled_ids)))) {
        pms_error(c, 500);
        return;
    }
    memcpy(q->unshuffled_ids, q->item_ids, q->n * sizeof(*q->item_ids));
    q->nunshuffled = q->n;
    sel = index_of(q, q->selected);
    q->version++;
    shuffle_from(q, (size_t)(sel + 1));
    q->shuffled = 1;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* PUT /playQueues/{id}/unshuffle: the order before the shuffle (items
 * added since go after, in their order) */
static void unshuffle(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);
    int64_t *keys, *ids;
    size_t k = 0;

    if (!q)
        return;
    if (q->shuffled && q->unshuffled_ids) {
        keys = malloc((q->n + 1) * sizeof(*keys));
        ids = malloc((q->n + 1) * sizeof(*ids));
        if (!keys || !ids) {
            free(keys);
            free(ids);
            pms_error(c, 500);
            return;
        }
        for (size_t i = 0; i < q->nunshuffled; i++) {
            long at = index_of(q, q->unshuffled_ids[i]);
            if (at >= 0) {
                keys[k] = q->keys[at];
                ids[k++] = q->item_ids[at];
            }
        }
        for (size_t i = 0; i < q->n; i++) {
            size_t j = 0;
            while (j < q->nunshuffled && q->unshuffled_ids[j] != q->item_ids[i])
                j++;
            if (j == q->nunshuffled) {
                keys[k] = q->keys[i];
                ids[k++] = q->item_ids[i];
            }
        }
        memcpy(q->keys, keys, k * sizeof(*keys));
        memcpy(q->item_ids, ids, k * sizeof(*ids));
        free(keys);
        free(ids);
    }
    q->shuffled = 0;
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

/* PUT /playQueues/{id}/reset: back to the first item */
static void reset(pms_ctx *c)
{
    pms_play_queue *q = queue_arg(c);

    if (!q)
        return;
    q->selected = q->n ? q->item_ids[0] : 0;
    q->version++;
    reply_queue(c, q, DEFAULT_WINDOW, 0);
}

static const pms_route routes[] = {
    {"POST", "/playQueues", create, 0},
    {"GET", "/playQueues/{id}", get, 0},
    {"PUT", "/playQueues/{id}", add, 0},
    {"DELETE", "/playQueues/{id}/items", clear, 0},
    {"DELETE", "/playQueues/{id}/items/{item}", remove_item, 0},
    {"PUT", "/playQueues/{id}/items/{item}/move", move, 0},
    {"PUT", "/playQueues/{id}/shuffle", shuffle, 0},
    {"PUT", "/playQueues/{id}/unshuffle", unshuffle, 0},
    {"PUT", "/playQueues/{id}/reset", reset, 0},
};

const pms_group pms_group_playqueues = PMS_GROUP("playqueues", routes);

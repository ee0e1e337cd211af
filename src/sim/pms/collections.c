/*
 * Route group "collections" (PMS.md §4.9): creating collections from
 * library URIs (items, or a filter for a smart one), their items, adding,
 * removing and reordering, deleting. The collections themselves live in the
 * core (pms_collection_*), which section listings and metadata read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"

/* The collection of c->arg[i], or NULL after answering 404. */
static pms_collection *collection_arg(pms_ctx *c, size_t i)
{
    pms_collection *col = NULL;
    int64_t rk;

    if (i < c->nargs && pms_parse_int(c->arg[i], &rk) == 0)
        col = pms_collection_find(c->p, rk);
    if (!col)
        pms_error(c, 404);
    return col;
}

static void reply_collection(pms_ctx *c, const pms_collection *col)
{
    plex_container *mc = pms_container(c);
    const plex_metadata **items = plex__arena_alloc(c->arena, sizeof(void *));

    if (!mc || !items || !(items[0] = pms_render_collection(c->p, c->arena, col))) {
        pms_error(c, 500);
        return;
    }
    mc->items = items;
    mc->items_count = 1;
    pms_reply_container(c, mc);
}

/* Add the items of a URI of the collection's type. 0, or -1 after answering. */
static int add_uri(pms_ctx *c, pms_collection *col, const char *uri)
{
    int64_t *keys = NULL;
    size_t n = 0, added = 0;
    pms_item it;

    if (pms_uri_items(c, uri, 1, &keys, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (pms_item_get(c->p, keys[i], &it) != 0 || it.type != col->subtype ||
            it.section != col->section)
            continue; /* not of this collection's kind: left out, as PMS does */
        if (pms_collection_add(c->p, col, keys[i]) != 0) {
            free(keys);
            pms_error(c, 500);
            return -1;
        }
        added++;
    }
    free(keys);
    if (n && !added) {
        pms_error(c, 400);
        return -1;
    }
    return 0;
}

/* POST /library/collections?type=&title=&smart=&sectionId=&uri= */
static void create(pms_ctx *c)
{
    const char *title = pms_arg(c, "title"), *uri = pms_arg(c, "uri");
    int smart = pms_flag(c, "smart");
    int64_t type, section;
    pms_collection *col;

    if (pms_int_arg(c, "type", 0, 1000, 0, &type) != 0 ||
        pms_int_arg(c, "sectionId", 0, 1000000, 0, &section) != 0)
        return;
    if (!title || !*title || !type || !pms_type_name((int)type) || !section || (smart && !uri)) {
        pms_error(c, 400);
        return;
    }
    if (section > PMS_NSECTIONS) {
        pms_error(c, 404);
        return;
    }
    if (!(col = pms_collection_new(c->p, (int)section, (int)type, title, smart))) {
        pms_error(c, 500);
        return;
    }
    if (smart && !(col->uri = strdup(uri))) {
        pms_collection_delete(c->p, col->rating_key);
        pms_error(c, 500);
        return;
    }
    if (uri && add_uri(c, col, uri) != 0) {
        pms_collection_delete(c->p, col->rating_key);
        return;
    }
    pms_changed(c->p);
    reply_collection(c, col);
}

/* GET /library/collections/{id} */
static void get(pms_ctx *c)
{
    pms_collection *col = collection_arg(c, 0);

    if (col)
        reply_collection(c, col);
}

/* GET /library/collections/{id}/children (and /items): paged */
static void children(pms_ctx *c)
{
    pms_collection *col = collection_arg(c, 0);
    plex_container *mc;
    int64_t *keys;

    if (!col)
        return;
    mc = pms_container(c);
    keys = malloc((col->nitems + 1) * sizeof(*keys));
    if (!mc || !keys) {
        free(keys);
        pms_error(c, 500);
        return;
    }
    memcpy(keys, col->items, col->nitems * sizeof(*keys));
    mc->title1 = col->title;
    pms_reply_list(c, mc, NULL, 0, keys, col->nitems, -1, pms_render_flags(c));
}

/* PUT /library/collections/{id}/items?uri= */
static void add(pms_ctx *c)
{
    pms_collection *col = collection_arg(c, 0);
    const char *uri = pms_arg(c, "uri");

    if (!col)
        return;
    if (!uri) {
        pms_error(c, 400);
        return;
    }
    if (add_uri(c, col, uri) != 0)
        return;
    pms_changed(c->p);
    reply_collection(c, col);
}

/* DELETE (or PUT, the spec's) /library/collections/{id}/items/{ratingKey} */
static void remove_item(pms_ctx *c)
{
    pms_collection *col = collection_arg(c, 0);
    int64_t rk;

    if (!col)
        return;
    if (pms_parse_int(c->arg[1], &rk) != 0 || pms_collection_remove(c->p, col, rk) != 0) {
        pms_error(c, 404);
        return;
    }
    pms_changed(c->p);
    reply_collection(c, col);
}

/* PUT /library/collections/{id}/items/{ratingKey}/move?after= */
static void move(pms_ctx *c)
{
    pms_collection *col = collection_arg(c, 0);
    int64_t rk, after, k;
    long i = -1, a = -1;

    if (!col || pms_int_arg(c, "after", 0, INT64_MAX, 0, &after) != 0)
        return;
    if (pms_parse_int(c->arg[1], &rk) == 0)
        for (size_t j = 0; j < col->nitems; j++) {
            if (col->items[j] == rk)
                i = (long)j;
            if (after && col->items[j] == after)
                a = (long)j;
        }
    if (i < 0 || (after && a < 0)) {
        pms_error(c, 404);
        return;
    }
    k = col->items[i];
    memmove(col->items + i, col->items + i + 1, (col->nitems - (size_t)i - 1) * sizeof(k));
    if (a > i)
        a--;
    memmove(col->items + a + 2, col->items + a + 1,
            (col->nitems - 1 - (size_t)(a + 1)) * sizeof(k));
    col->items[a + 1] = k;
    col->updated_at = pms_now(c->p);
    pms_changed(c->p);
    reply_collection(c, col);
}

/* DELETE /library/collections/{id}, /library/metadata/{id} (a collection;
 * the library's own items cannot be deleted: 403), and
 * /library/sections/{section}/collection/{id} */
static void delete_collection(pms_ctx *c)
{
    size_t i = c->nargs > 1 ? 1 : 0;
    pms_collection *col = NULL;
    pms_item it;
    int64_t rk = 0;

    if (pms_parse_int(c->arg[i], &rk) == 0)
        col = pms_collection_find(c->p, rk);
    if (!col) {
        pms_error(c, i == 0 && rk > 0 && pms_item_get(c->p, rk, &it) == 0 ? 403 : 404);
        return;
    }
    pms_collection_delete(c->p, rk);
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

static const pms_route routes[] = {
    {"POST", "/library/collections", create, 0},
    {"GET", "/library/collections/{id}", get, 0},
    {"DELETE", "/library/collections/{id}", delete_collection, 0},
    {"GET", "/library/collections/{id}/children", children, 0},
    {"GET", "/library/collections/{id}/items", children, 0},
    {"PUT", "/library/collections/{id}/items", add, 0},
    {"DELETE", "/library/collections/{id}/items/{item}", remove_item, 0},
    {"PUT", "/library/collections/{id}/items/{item}", remove_item, 0},
    {"PUT", "/library/collections/{id}/items/{item}/move", move, 0},
    {"DELETE", "/library/metadata/{id}", delete_collection, 0},
    {"DELETE", "/library/sections/{section}/collection/{id}", delete_collection, 0},
};

const pms_group pms_group_collections = PMS_GROUP("collections", routes);

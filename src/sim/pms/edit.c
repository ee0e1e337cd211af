/*
 * Route group "edit" (PMS.md §4.10): metadata edits through the section
 * (PUT /library/sections/{id}/all?type=&id=1,2&...: several items at once)
 * or one item (PUT /library/metadata/{ids}). Parameters: `{field}.value`,
 * `{field}.locked`, `{tag}[N].tag.tag` (add), `{tag}[].tag.tag-` (remove a
 * comma list of percent-encoded names), `{tag}.locked`. The edits land in the
 * core's overlay, which every rendering reads (Field entries for locks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"

#define MAX_EDITS 64

typedef struct edit {
    int field; /* pms_field, or -1 for a tag edit */
    int tag;   /* pms_tag_kind, or -1 */
    const char *value;
    int lock; /* 1, 0, -1 keep */
    int add;  /* tags: 1 add, 0 remove */
} edit;

typedef struct edits {
    pms_ctx *c;
    edit e[MAX_EDITS];
    size_t n;
    int bad;       /* an unknown field or a malformed parameter */
    double rating; /* userRating.value, or < -1: none */
} edits;

static int push(edits *E, int field, int tag, const char *value, int lock, int add)
{
    if (E->n == MAX_EDITS) {
        E->bad = 1;
        return 1;
    }
    E->e[E->n++] = (edit){field, tag, value, lock, add};
    return 0;
}

/* One query argument: an edit, or a parameter that is not one. */
static int collect(void *user, const char *key, const char *value)
{
    edits *E = user;
    const char *dot = strchr(key, '.'), *br = strchr(key, '[');
    size_t flen = (size_t)((br && (!dot || br < dot) ? br : dot ? dot : key + strlen(key)) - key);
    int f, t;

    if (!dot || !value)
        return 0; /* id, type, X-Plex-*...: not edits */
    t = pms_tag_kind_of(key, flen);
    f = pms_field_of(key, flen);
    if (br && br < dot) { /* genre[0].tag.tag=Name, genre[].tag.tag-=A,B */
        const char *close = strchr(br, ']');
        if (t < 0 || !close || strncmp(close, "].tag.tag", 9) != 0) {
            E->bad = 1;
            return 1;
        }
        if (strcmp(close + 9, "-") == 0) {
            char *list = plex__arena_alloc_bytes(E->c->arena, strlen(value) + 1), *save = NULL;
            if (!list) {
                E->bad = 1;
                return 1;
            }
            memcpy(list, value, strlen(value) + 1);
            for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                pms_pct_decode(name, 0);
                if (*name && push(E, -1, t, name, -1, 0))
                    return 1;
            }
            return 0;
        }
        if (close[9] != '\0' || !*value) {
            E->bad = 1;
            return 1;
        }
        return push(E, -1, t, value, -1, 1);
    }
    if (strcmp(dot, ".locked") == 0) {
        if ((f < 0 && t < 0) || (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)) {
            E->bad = 1;
            return 1;
        }
        return push(E, f, f < 0 ? t : -1, NULL, value[0] == '1', 0);
    }
    if (strcmp(dot, ".value") == 0) {
        if (flen == 10 && strncmp(key, "userRating", 10) == 0) {
            char *end;
            E->rating = strtod(value, &end);
            if (*end || E->rating < -1 || E->rating > 10)
                E->bad = 1;
            return E->bad;
        }
        if (f < 0) {
            E->bad = 1; /* not a field this server edits */
            return 1;
        }
        return push(E, f, -1, value, -1, 0);
    }
    return 0;
}

/* Apply the edits to one item; 0 or -1. */
static int apply(pms_ctx *c, const edits *E, int64_t rk)
{
    for (size_t i = 0; i < E->n; i++) {
        const edit *e = &E->e[i];
        int rc = e->field >= 0
                     ? pms_edit_field(c->p, rk, (pms_field)e->field, e->value, e->lock)
                     : pms_edit_tag(c->p, rk, (pms_tag_kind)e->tag, e->value, e->add, e->lock);
        if (rc != 0)
            return -1;
    }
    if (E->rating >= -1 && pms_set_rating(c->p, rk, E->rating) != 0)
        return -1;
    return 0;
}

/* Collect the request's edits; 0, or -1 after answering 400. */
static int read_edits(pms_ctx *c, edits *E)
{
    memset(E, 0, sizeof(*E));
    E->c = c;
    E->rating = -2;
    if (c->rq->each)
        c->rq->each(c->rq->ctx, collect, E);
    if (E->bad || (E->n == 0 && E->rating < -1)) {
        pms_error(c, 400);
        return -1;
    }
    return 0;
}

/* The items of a comma list, all checked (in section/type when given);
 * count into *n, keys into out (cap). 0, or -1 after answering. */
static int read_ids(pms_ctx *c, const char *list, int section, int type, int64_t *out, size_t cap,
                    size_t *n)
{
    char buf[1024], *save = NULL;
    pms_item it;

    *n = 0;
    if (!list || !*list || strlen(list) >= sizeof(buf)) {
        pms_error(c, 400);
        return -1;
    }
    memcpy(buf, list, strlen(list) + 1);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int64_t rk;
        if (pms_parse_int(t, &rk) != 0 || rk <= 0 || *n == cap) {
            pms_error(c, 400);
            return -1;
        }
        if (pms_item_get(c->p, rk, &it) != 0 || (section && it.section != section) ||
            (type && it.type != type)) {
            pms_error(c, 404);
            return -1;
        }
        out[(*n)++] = rk;
    }
    return 0;
}

static void edit_items(pms_ctx *c, const int64_t *keys, size_t n)
{
    edits E;

    if (read_edits(c, &E) != 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (apply(c, &E, keys[i]) != 0) {
            pms_error(c, 500);
            return;
        }
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* PUT /library/sections/{id}/all?type=&id=1,2&<edits> */
static void edit_section(pms_ctx *c)
{
    int64_t section, type, keys[256];
    size_t n;

    if (pms_parse_int(c->arg[0], &section) != 0 || section < 1 || section > PMS_NSECTIONS) {
        pms_error(c, 404);
        return;
    }
    if (pms_int_arg(c, "type", 1, 1000, 0, &type) != 0)
        return;
    if (!type) {
        pms_error(c, 400);
        return;
    }
    if (read_ids(c, pms_arg(c, "id"), (int)section, (int)type, keys, 256, &n) != 0)
        return;
    edit_items(c, keys, n);
}

/* PUT /library/metadata/{ids}?<edits> */
static void edit_metadata(pms_ctx *c)
{
    int64_t keys[256];
    size_t n;

    if (read_ids(c, c->arg[0], 0, 0, keys, 256, &n) != 0)
        return;
    edit_items(c, keys, n);
}

static const pms_route routes[] = {
    {"PUT", "/library/sections/{id}/all", edit_section, 0},
    {"PUT", "/library/metadata/{ids}", edit_metadata, 0},
};

const pms_group pms_group_edit = PMS_GROUP("edit", routes);

/*
 * Incremental decoding of a container document (see model.h, plex__stream).
 *
 * The bytes arrive in pieces. A small state machine walks the envelope
 * ({"MediaContainer":{ members, "Metadata":[ items ] }} or <MediaContainer>
 * with child elements) and hands each "unit" (one member value, one item,
 * one child element) to the ordinary decoders, which parse it as a document
 * of its own from where it starts. A unit that does not parse yet is tried
 * again once more bytes are in (a truncated unit and a malformed one look
 * the same until the transfer ends or the unit passes max_unit); to keep
 * such retries rare, a unit is only tried with at least `big` bytes
 * buffered (twice the largest unit so far) or at the end. Consumed bytes are
 * dropped from the front of the buffer; items live in the arena until the
 * next item, so memory is bounded by the largest unit.
 */
#include "model_internal.h"

#define MIN_BIG ((size_t)16 * 1024)
#define FIRST_BLOCK ((size_t)64 * 1024)

enum {
    ST_START,     /* JSON: before the wrapper's '{' */
    ST_WRAP,      /* JSON: members of the wrapper, looking for root_key */
    ST_MEMBERS,   /* JSON: members of the container */
    ST_ITEMS,     /* JSON: inside the items array */
    ST_WRAP_TAIL, /* JSON: after the container: the rest of the wrapper */
    ST_X_START,   /* XML: before the root start tag */
    ST_X_CHILD,   /* XML: children of the root */
    ST_END,       /* the document is complete: the container is finished next */
    ST_DONE       /* finished: only whitespace may follow */
};

#define NEED_MORE 0

struct plex__stream {
    const plex__schema *s;
    const plex__field *items;
    int xml;
    unsigned int flags;
    size_t max_unit;
    void *root; /* the container: the arena's root */
    plex__arena *arena;
    plex__arena_mark fresh; /* right after the root: a new document starts here */
    plex__arena_mark head;  /* after the container's members so far: items rewind to it */
    char *buf;
    size_t len, cap, pos; /* bytes held, room, next unparsed byte */
    size_t dropped;       /* bytes of the document dropped from the front */
    int state;
    int ended;
    int in_items; /* JSON: an items array was entered, no element read yet */
    size_t big;
    masks m;          /* the container's presence */
    ptrs extra;       /* the container's unknown attributes */
    uint32_t coerced; /* of the whole document */
    size_t nitems;
    ptrs lists[PLEX__MAX_WORDS * 32]; /* XML: the container's non-item child lists */
};

int plex__stream_new(plex__stream **out, const plex__schema *s, const char *items, int xml,
                     unsigned int flags, size_t max_unit)
{
    const plex__field *f = lookup(s, items, strlen(items));
    plex__stream *st;

    *out = NULL;
    if (!f || f->kind != PLEX__F_ARRAY)
        return PLEX_EINVALID;
    if (!(st = plex__calloc(1, sizeof(*st))))
        return PLEX_ENOMEM;
    st->s = s;
    st->items = f;
    st->xml = xml;
    st->flags = flags;
    st->max_unit = max_unit;
    if (!(st->root = plex__arena_new(s->size, FIRST_BLOCK))) {
        plex__free(st);
        return PLEX_ENOMEM;
    }
    st->arena = plex__arena_of(st->root);
    st->fresh = plex__arena_save(st->arena);
    plex__stream_reset(st);
    *out = st;
    return 0;
}

void plex__stream_reset(plex__stream *st)
{
    plex__arena_rewind(st->arena, &st->fresh);
    memset(st->root, 0, st->s->size);
    st->head = st->fresh;
    st->len = st->pos = st->dropped = 0;
    st->state = st->xml ? ST_X_START : ST_START;
    st->ended = 0;
    st->in_items = 0;
    st->big = MIN_BIG;
    memset(&st->m, 0, sizeof(st->m));
    memset(&st->extra, 0, sizeof(st->extra));
    memset(st->lists, 0, sizeof(st->lists[0]) * st->s->nfields);
    st->coerced = 0;
    st->nitems = 0;
}

void plex__stream_free(plex__stream *st)
{
    if (!st)
        return;
    plex__arena_free_root(st->root);
    plex__free(st->buf);
    plex__free(st);
}

int plex__stream_feed(plex__stream *st, const char *data, size_t n)
{
    /* the consumed bytes are dropped only when the room is needed: moving
     * the unread rest on every feed cost more than the decoding's copies */
    if (st->pos && st->len + n + 1 > st->cap) {
        memmove(st->buf, st->buf + st->pos, st->len - st->pos);
        st->len -= st->pos;
        st->dropped += st->pos;
        st->pos = 0;
    }
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : (size_t)64 * 1024;
        char *grown;
        while (cap < st->len + n + 1)
            cap *= 2;
        if (!(grown = plex__realloc(st->buf, cap)))
            return PLEX_ENOMEM;
        st->buf = grown;
        st->cap = cap;
    }
    memcpy(st->buf + st->len, data, n);
    st->len += n;
    st->buf[st->len] = '\0';
    return 0;
}

void plex__stream_end(plex__stream *st)
{
    st->ended = 1;
}

int plex__stream_done(const plex__stream *st)
{
    return st->state == ST_DONE;
}

const void *plex__stream_container(const plex__stream *st)
{
    return st->root;
}

size_t plex__stream_items(const plex__stream *st)
{
    return st->nitems;
}

size_t plex__stream_footprint(const plex__stream *st)
{
    size_t n = st->cap + FIRST_BLOCK + st->s->size;
    for (const plex__arena_block *b = st->arena->chain; b; b = b->next)
        n += b->cap;
    return n;
}

/* ---- helpers ---- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The first non-whitespace byte at or after st->pos (st->pos moves to it),
 * or -1 when the buffer ends first. */
static int peek(plex__stream *st)
{
    while (st->pos < st->len && is_ws(st->buf[st->pos]))
        st->pos++;
    return st->pos < st->len ? (unsigned char)st->buf[st->pos] : -1;
}

/* A structural error at byte `at` of the buffer. */
static int syntax(plex__stream *st, size_t at, const char *msg, plex_error *err)
{
    return plex__error_syntax(err, st->dropped + at, msg);
}

/* Bytes ran out where more must follow: wait, or (after the end) fail. */
static int truncated(plex__stream *st, plex_error *err)
{
    return st->ended ? syntax(st, st->len, "unexpected end of input", err) : NEED_MORE;
}

/* A decoder context for a unit that starts at byte `at`. */
static void unit_ctx(plex__stream *st, ctx *c, size_t at, plex_error *err)
{
    c->buf = st->buf + at;
    c->arena = st->arena;
    c->flags = st->flags;
    c->err = err;
    c->coerced = 0;
    c->path[0] = '\0';
    c->path_len = 0;
    if (st->xml)
        plex__xml_reader_init(&c->x, c->buf, st->len - at);
    else
        plex__json_reader_init(&c->r, c->buf, st->len - at);
}

/* May a unit starting at `at` be tried now? */
static int ready(const plex__stream *st, size_t at)
{
    return st->ended || st->len - at >= st->big;
}

/* A unit starting at `at` failed with rc: more bytes may complete it (wait),
 * or it is the error. Syntax errors get the document's byte offset. */
static int unit_failed(plex__stream *st, const ctx *c, size_t at, int rc, plex_error *err)
{
    if (rc == PLEX_ENOMEM)
        return rc;
    if (!st->ended && st->len - at < st->max_unit) {
        st->big = 2 * (st->len - at);
        return NEED_MORE;
    }
    if (!st->ended)
        return plex__error_set(err, PLEX_ETOOBIG, "an element of more than %zu bytes",
                               st->max_unit);
    if (rc == PLEX_EPARSE) {
        size_t pos = st->xml ? c->x.err_pos : c->r.err_pos;
        const char *msg = st->xml ? c->x.err_msg : c->r.err_msg;
        return syntax(st, at + pos, msg ? msg : "malformed input", err);
    }
    return rc;
}

/* A unit of n bytes at `at` succeeded. */
static void unit_done(plex__stream *st, const ctx *c, size_t at, size_t n)
{
    st->pos = at + n;
    st->coerced |= c->coerced;
    if (2 * n > st->big)
        st->big = 2 * n;
}

/* The container is complete: its lists, extras, strict check, finish. */
static int finish(plex__stream *st, plex_error *err)
{
    ctx c;
    int rc;

    unit_ctx(st, &c, st->pos, err);
    c.coerced = st->coerced;
    if (st->xml) {
        rc = plex__model_xml_end(&c, st->s, st->root, &st->m, &st->extra, st->lists);
    } else {
        if (st->extra.n && (rc = store_extra(&c, st->s, st->root, &st->extra)) != 0)
            return rc;
        rc = end_object(&c, st->s, st->root, &st->m);
    }
    if (rc)
        return rc;
    st->state = ST_DONE;
    return 0;
}

/* ---- JSON ---- */

/* A member at st->pos ("key": value). On success *key is its token and
 * *value_at the offset of its value (both relative to `at` = st->pos). */
static int json_key(plex__stream *st, ctx *c, plex__json_token *key, size_t *value_at,
                    plex_error *err)
{
    size_t at = st->pos, i;
    int rc;

    *value_at = 0;
    unit_ctx(st, c, at, err);
    if ((rc = plex__json_next(&c->r, key)) != 0)
        return unit_failed(st, c, at, rc, err);
    if (key->type != PLEX__JSON_STRING)
        return syntax(st, at, "expected a string as object key", err);
    for (i = c->r.pos; at + i < st->len && is_ws(st->buf[at + i]); i++)
        ;
    if (at + i >= st->len)
        return truncated(st, err);
    if (st->buf[at + i] != ':')
        return syntax(st, at + i, "expected ':' after object key", err);
    for (i++; at + i < st->len && is_ws(st->buf[at + i]); i++)
        ;
    if (at + i >= st->len)
        return truncated(st, err);
    *value_at = i;
    return 1;
}

/* Read the value at offset value_at of the unit in c (its first token). */
static int json_value_start(plex__stream *st, ctx *c, size_t value_at, plex__json_token *v)
{
    plex__json_reader_init(&c->r, c->buf, st->len - st->pos);
    c->r.pos = value_at;
    return plex__json_next(&c->r, v);
}

/* One member of the container (not the items): decoded into the container. */
static int json_member(plex__stream *st, ctx *c, const plex__json_token *key, size_t value_at,
                       plex_error *err)
{
    size_t at = st->pos;
    plex__json_token v;
    const plex__field *f;
    int rc;

    plex__arena_rewind(st->arena, &st->head); /* the last item is done with */
    if ((rc = json_value_start(st, c, value_at, &v)) != 0)
        return unit_failed(st, c, at, rc, err);
    f = key->escaped ? NULL : lookup(st->s, c->buf + key->start, key->end - key->start);
    if (f && v.type != PLEX__JSON_NULL) {
        rc = plex__model_json_field(c, st->s, f, &v, st->root);
        if (rc == 0)
            set_bit(st->m.pres, f->bit);
    } else if (!f && v.type != PLEX__JSON_NULL && st->s->extra_offset != PLEX__NO_OFFSET) {
        rc = plex__model_json_keep_extra(c, &st->extra, key, &v);
    } else {
        rc = plex__json_skip(&c->r, &v) ? PLEX_EPARSE : 0;
    }
    if (rc < 0) {
        plex__arena_rewind(st->arena, &st->head);
        return unit_failed(st, c, at, rc, err);
    }
    unit_done(st, c, at, c->r.pos);
    st->head = plex__arena_save(st->arena);
    return 1;
}

/* One item object at st->pos. */
static int json_item(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                     plex_error *err)
{
    size_t at = st->pos;
    plex__json_token t;
    void *obj;
    ctx c;
    int rc;

    if (!ready(st, at))
        return NEED_MORE;
    plex__arena_rewind(st->arena, &st->head);
    unit_ctx(st, &c, at, err);
    path_push(&c, st->items->name, st->items->len, 1);
    path_index(&c, st->nitems);
    if (!(obj = plex__arena_alloc(st->arena, st->items->sub->size)))
        return nomem(&c);
    rc = plex__json_next(&c.r, &t);
    if (rc == 0)
        rc = plex__model_json_object(&c, st->items->sub, obj);
    if (rc) {
        plex__arena_rewind(st->arena, &st->head);
        return unit_failed(st, &c, at, rc, err);
    }
    unit_done(st, &c, at, c.r.pos);
    st->nitems++;
    *item = obj;
    if (raw)
        *raw = st->buf + at;
    if (raw_len)
        *raw_len = c.r.pos;
    return 1;
}

/* Walk the JSON envelope until an item is complete (1), bytes run out (0) or
 * an error. */
static int json_step(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                     plex_error *err)
{
    for (;;) {
        plex__json_token key;
        size_t value_at;
        ctx c;
        int ch = peek(st), rc;

        if (ch < 0)
            return st->state == ST_DONE ? 0 : truncated(st, err);
        switch (st->state) {
        case ST_START:
            if (ch != '{')
                return syntax(st, st->pos, "expected a JSON object", err);
            st->pos++;
            st->state = ST_WRAP;
            continue;
        case ST_WRAP:
        case ST_WRAP_TAIL:
            if (ch == '}') {
                if (st->state == ST_WRAP)
                    return plex__error_set(err, PLEX_ESCHEMA, "expected a %s object",
                                           st->s->root_key);
                st->pos++;
                st->state = ST_END;
                return 0;
            }
            if (ch == ',') {
                st->pos++;
                continue;
            }
            if (!ready(st, st->pos) && st->state == ST_WRAP_TAIL)
                return NEED_MORE;
            if ((rc = json_key(st, &c, &key, &value_at, err)) <= 0)
                return rc;
            if (st->state == ST_WRAP && st->s->root_key &&
                plex__json_key_eq(c.buf, &key, st->s->root_key, strlen(st->s->root_key))) {
                if (c.buf[value_at] != '{')
                    return plex__error_set(err, PLEX_ESCHEMA, "%s: expected object",
                                           st->s->root_key);
                st->pos += value_at + 1;
                st->state = ST_MEMBERS;
                continue;
            }
            {
                plex__json_token v;
                size_t at = st->pos;
                if (!ready(st, at))
                    return NEED_MORE;
                if ((rc = json_value_start(st, &c, value_at, &v)) != 0 ||
                    (rc = plex__json_skip(&c.r, &v) ? PLEX_EPARSE : 0) != 0)
                    return unit_failed(st, &c, at, rc, err);
                st->pos = at + c.r.pos;
            }
            continue;
        case ST_MEMBERS:
            if (ch == '}') {
                st->pos++;
                st->state = ST_WRAP_TAIL;
                continue;
            }
            if (ch == ',') {
                st->pos++;
                continue;
            }
            if (!ready(st, st->pos))
                return NEED_MORE;
            if ((rc = json_key(st, &c, &key, &value_at, err)) <= 0)
                return rc;
            if (!key.escaped && key.end - key.start == st->items->len &&
                memcmp(c.buf + key.start, st->items->name, st->items->len) == 0) {
                set_bit(st->m.pres, st->items->bit);
                st->pos += value_at;
                if (c.buf[value_at] == '[') {
                    st->pos++;
                    st->state = ST_ITEMS;
                    continue;
                }
                if (c.buf[value_at] == '{') { /* one object for a list of one */
                    if (st->flags & PLEX_PARSE_STRICT)
                        return plex__error_set(err, PLEX_ESCHEMA, "%s: expected array, got object",
                                               st->items->name);
                    st->coerced |= PLEX_COERCED_SHAPE;
                    return json_item(st, item, raw, raw_len, err);
                }
                if (strncmp(c.buf + value_at, "null", 4) == 0) {
                    st->pos += 4;
                    continue;
                }
                return plex__error_set(err, PLEX_ESCHEMA, "%s: expected array", st->items->name);
            }
            if ((rc = json_member(st, &c, &key, value_at, err)) <= 0)
                return rc;
            continue;
        case ST_ITEMS:
            if (ch == ']') {
                st->pos++;
                st->state = ST_MEMBERS;
                continue;
            }
            if (ch == ',') {
                st->pos++;
                continue;
            }
            if (ch == 'n') { /* a null element: dropped */
                if (st->len - st->pos < 4)
                    return truncated(st, err);
                if (memcmp(st->buf + st->pos, "null", 4) != 0)
                    return syntax(st, st->pos, "invalid literal", err);
                if (st->flags & PLEX_PARSE_STRICT)
                    return plex__error_set(err, PLEX_ESCHEMA, "%s[%zu]: expected object, got null",
                                           st->items->name, st->nitems);
                st->pos += 4;
                continue;
            }
            if (ch != '{')
                return plex__error_set(err, PLEX_ESCHEMA, "%s[%zu]: expected object",
                                       st->items->name, st->nitems);
            return json_item(st, item, raw, raw_len, err);
        case ST_END:
        case ST_DONE:
            return syntax(st, st->pos, "unexpected data after the JSON value", err);
        default:
            return PLEX_ERROR;
        }
    }
}

/* ---- XML ---- */

/* Skip what may stand between elements: text, comments, processing
 * instructions. 1 at a '<' of an element or end tag, 0 when bytes run out. */
static int xml_skip_misc(plex__stream *st)
{
    for (;;) {
        const char *b = st->buf, *e;
        size_t i = st->pos;

        while (i < st->len && b[i] != '<')
            i++;
        st->pos = i;
        if (i + 4 > st->len)
            return i + 1 < st->len && b[i + 1] != '!' && b[i + 1] != '?';
        if (memcmp(b + i, "<!--", 4) == 0) {
            if (!(e = strstr(b + i + 4, "-->")))
                return 0;
            st->pos = (size_t)(e - b) + 3;
        } else if (b[i + 1] == '?') {
            if (!(e = strstr(b + i + 2, "?>")))
                return 0;
            st->pos = (size_t)(e - b) + 2;
        } else {
            return 1;
        }
    }
}

/* The root's start tag: the container's attributes. */
static int xml_root(plex__stream *st, plex_error *err)
{
    size_t at = st->pos;
    plex__xml_token t;
    ctx c;
    int rc;

    unit_ctx(st, &c, at, err);
    if ((rc = plex__xml_next(&c.x, &t)) != 0)
        return unit_failed(st, &c, at, rc, err);
    if (t.type != PLEX__XML_START)
        return syntax(st, at, "expected an element", err);
    if (st->s->xml && !plex__xml_name_is(&c.x, &t, st->s->xml))
        return plex__error_set(err, PLEX_ESCHEMA, "expected a <%s> element at the top level",
                               st->s->xml);
    if ((rc = plex__model_xml_attrs(&c, st->s, st->root, &t, &st->m, &st->extra)) != 0)
        return rc;
    unit_done(st, &c, at, c.x.pos);
    st->head = plex__arena_save(st->arena);
    st->state = t.self_closing ? ST_END : ST_X_CHILD;
    return 1;
}

/* One child element of the root at st->pos: an item (1, returned), or a
 * member of the container (decoded: 2). */
static int xml_child(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                     plex_error *err)
{
    size_t at = st->pos;
    const plex__field *f;
    plex__xml_token t;
    void *obj = NULL;
    ctx c;
    int rc;

    if (!ready(st, at))
        return NEED_MORE;
    plex__arena_rewind(st->arena, &st->head);
    unit_ctx(st, &c, at, err);
    if ((rc = plex__xml_next(&c.x, &t)) != 0)
        return unit_failed(st, &c, at, rc, err);
    f = plex__model_xml_child_field(&c, st->s, &t);
    if (f == st->items) {
        path_push(&c, f->name, f->len, 1);
        path_index(&c, st->nitems);
        if (!(obj = plex__arena_alloc(st->arena, f->sub->size)))
            return nomem(&c);
        rc = plex__model_xml_element(&c, f->sub, obj, &t);
    } else if (f) {
        rc = plex__model_xml_child(&c, f, st->root, &t, &st->lists[f - st->s->fields], &st->m);
    } else if (st->s->extra_offset != PLEX__NO_OFFSET) {
        rc = plex__model_xml_keep_element(&c, &st->extra, &t);
    } else {
        rc = plex__xml_skip(&c.x, &t) ? PLEX_EPARSE : 0;
    }
    if (rc) {
        plex__arena_rewind(st->arena, &st->head);
        return unit_failed(st, &c, at, rc, err);
    }
    unit_done(st, &c, at, c.x.pos);
    if (!obj) {
        st->head = plex__arena_save(st->arena);
        return 2;
    }
    set_bit(st->m.pres, f->bit);
    st->nitems++;
    *item = obj;
    if (raw)
        *raw = st->buf + at;
    if (raw_len)
        *raw_len = c.x.pos;
    return 1;
}

static int xml_step(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                    plex_error *err)
{
    for (;;) {
        int rc;

        if (st->state == ST_DONE || st->state == ST_END) {
            if (xml_skip_misc(st) && st->pos < st->len)
                return syntax(st, st->pos, "more than one root element", err);
            return 0;
        }
        if (!xml_skip_misc(st))
            return truncated(st, err);
        if (st->state == ST_X_START) {
            if ((rc = xml_root(st, err)) <= 0)
                return rc;
            continue;
        }
        /* ST_X_CHILD: an end tag closes the root */
        if (st->buf[st->pos + 1] == '/') {
            const char *gt = memchr(st->buf + st->pos, '>', st->len - st->pos);
            size_t n = st->s->xml ? strlen(st->s->xml) : 0;
            if (!gt)
                return truncated(st, err);
            if (st->s->xml &&
                (st->len - st->pos < n + 2 || memcmp(st->buf + st->pos + 2, st->s->xml, n) != 0))
                return syntax(st, st->pos, "end tag does not match the start tag", err);
            st->pos = (size_t)(gt - st->buf) + 1;
            st->state = ST_END;
            return 0;
        }
        if ((rc = xml_child(st, item, raw, raw_len, err)) != 2)
            return rc;
    }
}

int plex__stream_next(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                      plex_error *err)
{
    int rc;

    *item = NULL;
    if (st->state == ST_DONE)
        return st->xml ? xml_step(st, item, raw, raw_len, err)
                       : json_step(st, item, raw, raw_len, err);
    rc = st->xml ? xml_step(st, item, raw, raw_len, err) : json_step(st, item, raw, raw_len, err);
    if (rc == 0 && st->state == ST_END) {
        plex__arena_rewind(st->arena, &st->head); /* the last item is done with */
        if ((rc = finish(st, err)) != 0)
            return rc;
        /* whatever follows must be whitespace (checked as it arrives) */
        return st->xml ? xml_step(st, item, raw, raw_len, err)
                       : json_step(st, item, raw, raw_len, err);
    }
    return rc;
}

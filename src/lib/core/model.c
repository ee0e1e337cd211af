/*
 * The model engine (see model.h): JSON decoding and the parse entry points,
 * the accessors and the strict-mode field names. XML is in model_xml.c,
 * the JSON encoder in model_write.c, incremental decoding in model_stream.c.
 */
#include "model_internal.h"

/* An open model took a value of another type than declared (or dropped
 * one): fine unless strict, where it is the error `expected X, got Y`. */
int plex__model_note(ctx *c, const plex__field *f, unsigned int what, const char *expected,
                     const plex__json_token *got)
{
    if (c->flags & PLEX_PARSE_STRICT)
        return got ? type_error(c, f, expected, got) : shape_error(c, f, expected);
    c->coerced |= what;
    return 0;
}

/* ---- JSON ---- */

static int decode_object(ctx *c, const plex__schema *s, void *obj, masks *m);

/* Copy a string or number token's text into a string slot. */
static INLINE int store_text(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    size_t n;
    char *str = copy_text(c, v, v->type == PLEX__JSON_STRING, v->start, v->end, &n);

    if (!str)
        return nomem(c);
    /* an escaped \u0000 would silently cut the C string short: refuse it */
    if (v->type == PLEX__JSON_STRING && v->escaped && memchr(str, '\0', n) != NULL)
        return shape_error(c, f, "string contains a NUL character (\\u0000)");
    *(const char **)slot = str;
    return 0;
}

/* store_text out of line, for the strings the fast path does not copy
 * itself (UTF-8, escapes). */
static NOINLINE int store_text_cold(ctx *c, const plex__field *f, const plex__json_token *v,
                                    void *slot)
{
    return store_text(c, f, v, slot);
}

/* A string field given something else: (loose) a number, (open) a number or
 * boolean kept as its text, noted; anything else is the wrong type. */
static NOINLINE int json_string_other(ctx *c, const plex__field *f, const plex__json_token *v,
                                      void *slot, int open)
{
    const char *want = f->flags & PLEX__F_LOOSE ? "string or number" : "string";
    int rc;

    if (v->type == PLEX__JSON_NUMBER && (f->flags & PLEX__F_LOOSE))
        return store_text(c, f, v, slot);
    if (!open ||
        (v->type != PLEX__JSON_NUMBER && v->type != PLEX__JSON_TRUE && v->type != PLEX__JSON_FALSE))
        return type_error(c, f, want, v);
    if ((rc = note(c, f,
                   v->type == PLEX__JSON_NUMBER ? PLEX_COERCED_NUMBER_AS_TEXT
                                                : PLEX_COERCED_BOOL_AS_TEXT,
                   want, v)) != 0)
        return rc;
    return store_text(c, f, v, slot);
}

static INLINE int json_string(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                              int open)
{
    if (UNLIKELY(v->type != PLEX__JSON_STRING))
        return json_string_other(c, f, v, slot, open);
    return store_text(c, f, v, slot);
}

/* An integer field that is not a plain in-range integer: (open) numeric text,
 * noted, or dropped; (exact) the error. 0 (stored), 1 (dropped) or an error. */
static NOINLINE int json_int_other(ctx *c, const plex__field *f, const plex__json_token *v,
                                   void *slot, int open)
{
    int64_t x;
    int rc;

    if (v->type == PLEX__JSON_NUMBER && v->integer) {
        if (!open)
            return shape_error(c, f, "integer out of range");
    } else if (v->type == PLEX__JSON_NUMBER) {
        if (!open)
            return shape_error(c, f, "expected integer, got a number with a fraction or exponent");
    } else if (v->type == PLEX__JSON_STRING && open && !v->escaped &&
               parse_int(c->buf + v->start, v->end - v->start, &x) == 0 &&
               store_int(f, x, slot) == 0) {
        return note(c, f, PLEX_COERCED_TEXT_AS_NUMBER, "integer", v);
    } else if (!open) {
        return type_error(c, f, "integer", v);
    }
    rc = note(c, f, PLEX_COERCED_DROPPED, "integer", v);
    return rc ? rc : 1;
}

/* An integer field. Returns 0 (stored), 1 (dropped: leave absent) or an error. */
static INLINE int json_int(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                           int open)
{
    int64_t x;

    if (LIKELY(v->type == PLEX__JSON_NUMBER && v->integer) &&
        plex__json_int64(c->buf, v, &x) == 0 && store_int(f, x, slot) == 0)
        return 0;
    return json_int_other(c, f, v, slot, open);
}

static int json_double(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                       int open)
{
    int rc;

    if (v->type == PLEX__JSON_NUMBER &&
        plex__json_strtod(c->buf + v->start, v->end - v->start, (double *)slot) == 0)
        return 0;
    if (!open)
        return type_error(c, f, "number", v);
    if (v->type == PLEX__JSON_STRING && !v->escaped &&
        plex__json_strtod(c->buf + v->start, v->end - v->start, (double *)slot) == 0)
        return note(c, f, PLEX_COERCED_TEXT_AS_NUMBER, "number", v);
    rc = note(c, f, PLEX_COERCED_DROPPED, "number", v);
    return rc ? rc : 1;
}

/* A boolean field given something else: (open) 0/1 or their text, noted. */
static NOINLINE int json_bool_other(ctx *c, const plex__field *f, const plex__json_token *v,
                                    void *slot, int open)
{
    int b = -1, rc;

    if (!open)
        return type_error(c, f, "boolean", v);
    /* (escaped is only set on strings) */
    if (v->type == PLEX__JSON_NUMBER || (v->type == PLEX__JSON_STRING && !v->escaped))
        b = parse_bool(c->buf + v->start, v->end - v->start);
    if (b >= 0) {
        *(plex_opt_bool *)slot = b ? PLEX_TRUE : PLEX_FALSE;
        return note(c, f, PLEX_COERCED_BOOL, "boolean", v);
    }
    rc = note(c, f, PLEX_COERCED_DROPPED, "boolean", v);
    return rc ? rc : 1;
}

static INLINE int json_bool(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                            int open)
{
    if (LIKELY(v->type == PLEX__JSON_TRUE || v->type == PLEX__JSON_FALSE)) {
        *(plex_opt_bool *)slot = v->type == PLEX__JSON_TRUE ? PLEX_TRUE : PLEX_FALSE;
        return 0;
    }
    return json_bool_other(c, f, v, slot, open);
}

static int json_time(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    char tmp[64];
    const char *text = tmp;
    size_t n = v->end - v->start;

    if (v->type != PLEX__JSON_STRING)
        return type_error(c, f, "date-time string", v);
    if (n >= sizeof(tmp))
        return shape_error(c, f, "expected an RFC 3339 date-time");
    if (!v->escaped) /* parse in place */
        text = c->buf + v->start;
    else
        n = plex__json_unescape(c->buf, v, tmp);
    if (plex_timestamp_parse((plex_timestamp *)slot, text, n) != 0)
        return shape_error(c, f, "expected an RFC 3339 date-time");
    return 0;
}

/* A value of any type as {type, text}; for RAW the exact JSON text. */
static int json_any(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    plex_value_type type = v->type == PLEX__JSON_STRING   ? PLEX_VALUE_STRING
                           : v->type == PLEX__JSON_NUMBER ? PLEX_VALUE_NUMBER
                           : v->type == PLEX__JSON_TRUE || v->type == PLEX__JSON_FALSE
                               ? PLEX_VALUE_BOOL
                               : PLEX_VALUE_JSON;
    size_t a, z, n;
    const char *text;
    int rc;

    if (f->kind == PLEX__F_ANY && type == PLEX_VALUE_STRING) {
        text = copy_text(c, v, 1, v->start, v->end, &n);
    } else {
        if ((rc = raw_span(c, v, &a, &z)) != 0)
            return rc;
        text = copy_text(c, v, 0, a, z, &n);
    }
    if (!text)
        return nomem(c);
    if (f->kind == PLEX__F_RAW) {
        *(const char **)slot = text;
    } else {
        ((plex_value *)slot)->type = type;
        ((plex_value *)slot)->text = text;
    }
    return 0;
}

/* The bits sub-models hand their parent (sub_shift, exact models): presence
 * and missing, collected while the parent is decoded. */
typedef struct merged {
    uint64_t pres, missing;
} merged;

/* One sub-model object whose '{' was just read: a new struct in the arena. */
static INLINE int json_sub(ctx *c, const plex__field *f, void **out, merged *up)
{
    masks sm = {{0}, 0}; /* (set by decode_object; zeroed for the analyzer's error paths) */
    void *sub;
    int rc;

    if (!(sub = plex__arena_alloc(c->arena, f->sub->size)))
        return nomem(c);
    if ((rc = decode_object(c, f->sub, sub, &sm)) != 0)
        return rc;
    *out = sub;
    if (f->sub_shift) { /* list items keep their own present: only missing merges */
        up->missing |= sm.missing << f->sub_shift;
        if (f->kind == PLEX__F_OBJECT)
            up->pres |= low_mask(sm.pres) << f->sub_shift;
    }
    return 0;
}

/* json_sub out of line, for a single sub-object (list elements inline it). */
static NOINLINE int json_sub_one(ctx *c, const plex__field *f, void **out, merged *up)
{
    return json_sub(c, f, out, up);
}

/* One element of a list whose first token is t: a sub-model or a string. */
static INLINE int json_element(ctx *c, const plex__field *f, const plex__json_token *t, ptrs *items,
                               merged *up, int open)
{
    void *item = NULL;
    int rc;

    if (f->kind == PLEX__F_STRINGS) {
        size_t len;
        char *str;

        if (t->type != PLEX__JSON_STRING &&
            !(open && t->type == PLEX__JSON_NUMBER &&
              note(c, f, PLEX_COERCED_NUMBER_AS_TEXT, "string", t) == 0))
            return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected string, got %s", c->path,
                                   plex__json_type_name(t->type));
        if (!(str = copy_text(c, t, t->type == PLEX__JSON_STRING, t->start, t->end, &len)))
            return nomem(c);
        if (t->type == PLEX__JSON_STRING && t->escaped && memchr(str, '\0', len) != NULL)
            return plex__error_set(c->err, PLEX_ESCHEMA,
                                   "%s: string contains a NUL character (\\u0000)", c->path);
        item = str;
    } else {
        if (t->type != PLEX__JSON_OBJECT_BEGIN) {
            if (!open || (c->flags & PLEX_PARSE_STRICT))
                return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected object, got %s", c->path,
                                       plex__json_type_name(t->type));
            c->coerced |= PLEX_COERCED_DROPPED;
            return plex__json_skip(&c->r, t) ? plex__json_error(&c->r, c->err) : 0;
        }
        if ((rc = json_sub(c, f, &item, up)) != 0)
            return rc;
    }
    return ptrs_push(c, items, item);
}

/* A list whose '[' is in *v into items + count. A null element is dropped
 * unless strict. Kept out of line: lists are rare next to scalar fields. */
static NOINLINE int json_list(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                              void *count_slot, merged *up, int open)
{
    ptrs items = {NULL, 0, 0};
    size_t saved = path_push(c, f->name, f->len, 1);
    plex__json_token t;
    int rc = 0;

    if (v->type != PLEX__JSON_ARRAY_BEGIN) { /* open: one object for a list of one */
        path_pop(c, saved);
        if ((rc = note(c, f, PLEX_COERCED_SHAPE, "array", v)) != 0)
            return rc;
        saved = path_push(c, f->name, f->len, 1);
        rc = json_element(c, f, v, &items, up, open);
    } else {
        for (size_t i = 0; rc == 0; i++) { /* i: the element's index in the document */
            size_t at = plex__json_element(&c->r);
            if (!at || c->buf[at] != '{' || plex__json_open(&c->r, at, &t) != 0) {
                /* not an object's '{': the general path (other values, the end) */
                if (!at && (at = plex__json_closing(c->buf, c->r.pos, c->r.len, ']')) != 0 &&
                    (c->r.state == PLEX__JSON_ST_AFTER_VALUE ||
                     c->r.state == PLEX__JSON_ST_VALUE_OR_END)) {
                    plex__json_end_container(&c->r, at);
                    break;
                }
                if (plex__json_next(&c->r, &t)) {
                    rc = plex__json_error(&c->r, c->err);
                    break;
                }
                if (t.type == PLEX__JSON_ARRAY_END)
                    break;
            }
            if (t.type == PLEX__JSON_NULL && !(c->flags & PLEX_PARSE_STRICT))
                continue; /* tolerated: a null element is dropped */
            at = path_index(c, i);
            rc = json_element(c, f, &t, &items, up, open);
            path_pop(c, at);
        }
    }
    path_pop(c, saved);
    if (rc)
        return rc;
    *(void ***)slot = items.items;
    *(size_t *)count_slot = items.n;
    return 0;
}

/* One decoded value of field f (its first token v) into its slot of obj.
 * Returns 0 (present), 1 (dropped: absent) or an error. */
static INLINE int json_value(ctx *c, const plex__schema *s, const plex__field *f,
                             const plex__json_token *v, void *obj, merged *up)
{
    void *slot = (char *)obj + f->offset;
    int open = s->open;

    switch ((plex__field_kind)f->kind) {
    case PLEX__F_STRING:
        return json_string(c, f, v, slot, open);
    case PLEX__F_INT64:
    case PLEX__F_INT32:
        return json_int(c, f, v, slot, open);
    case PLEX__F_DOUBLE:
        return json_double(c, f, v, slot, open);
    case PLEX__F_BOOL:
        return json_bool(c, f, v, slot, open);
    case PLEX__F_TIME:
        return json_time(c, f, v, slot);
    case PLEX__F_RAW:
    case PLEX__F_ANY:
        return json_any(c, f, v, slot);
    case PLEX__F_OBJECT: {
        size_t saved;
        int rc;
        if (v->type == PLEX__JSON_ARRAY_BEGIN && open) {
            /* open: a list where one object was declared: the first one */
            plex__json_token t;
            if ((rc = note(c, f, PLEX_COERCED_SHAPE, "object", v)) != 0)
                return rc;
            if (plex__json_next(&c->r, &t))
                return plex__json_error(&c->r, c->err);
            if (t.type == PLEX__JSON_ARRAY_END)
                return 1;
            saved = path_push(c, f->name, f->len, 1);
            rc = t.type == PLEX__JSON_OBJECT_BEGIN ? json_sub_one(c, f, (void **)slot, up)
                                                   : shape_error(c, f, "expected object");
            path_pop(c, saved);
            if (rc == 0 && plex__json_skip(&c->r, v))
                rc = plex__json_error(&c->r, c->err);
            return rc;
        }
        if (v->type != PLEX__JSON_OBJECT_BEGIN)
            return type_error(c, f, "object", v);
        saved = path_push(c, f->name, f->len, 1);
        rc = json_sub_one(c, f, (void **)slot, up);
        path_pop(c, saved);
        return rc;
    }
    case PLEX__F_ARRAY:
    case PLEX__F_STRINGS:
        if (v->type != PLEX__JSON_ARRAY_BEGIN &&
            !(open && (v->type == PLEX__JSON_OBJECT_BEGIN || f->kind == PLEX__F_STRINGS)))
            return type_error(c, f, "array", v);
        return json_list(c, f, v, slot, (char *)obj + PLEX__COUNT_OFFSET(f), up, open);
    }
    return PLEX_ERROR;
}

/* An open model's unknown member: kept in `extra` as {name, typed text}. */
static NOINLINE int keep_extra(ctx *c, ptrs *extra, const plex__json_token *k,
                               const plex__json_token *v)
{
    plex_attr *a;
    size_t n, za, zz;
    int rc;

    if (v->type == PLEX__JSON_NULL)
        return 0;
    if (!(a = plex__arena_alloc(c->arena, sizeof(*a))))
        return nomem(c);
    if (!(a->name = copy_text(c, k, 1, k->start, k->end, &n)))
        return nomem(c);
    if (v->type == PLEX__JSON_STRING) {
        a->value.type = PLEX_VALUE_STRING;
        a->value.text = copy_text(c, v, 1, v->start, v->end, &n);
    } else {
        a->value.type = v->type == PLEX__JSON_NUMBER ? PLEX_VALUE_NUMBER
                        : v->type == PLEX__JSON_TRUE || v->type == PLEX__JSON_FALSE
                            ? PLEX_VALUE_BOOL
                            : PLEX_VALUE_JSON;
        if ((rc = raw_span(c, v, &za, &zz)) != 0)
            return rc;
        a->value.text = copy_text(c, v, 0, za, zz, &n);
    }
    if (!a->value.text)
        return nomem(c);
    return ptrs_push(c, extra, a);
}

/* The value of member f whose first byte is b[i] (a fast path of json.h
 * found the key; the reader is still where the member started). The common
 * forms for f's kind are stored here: a plain string (ASCII, no escape) for
 * a string field, a plain integer in range for an integer field, true or
 * false for a boolean, and null where it means absent; the result is 0
 * (present) or 1 (absent), *end past the value, the reader untouched.
 * Anything else: 2 with the value's first token in *v and the reader after
 * it (an object or array opened, a plain string as its token, others read by
 * plex__json_next), for json_value; or an error. */
static INLINE int fast_value(ctx *c, const plex__schema *s, const plex__field *f, size_t i,
                             void *obj, plex__json_token *v, size_t *end)
{
    const char *b = c->buf;
    size_t n = c->r.len, e;
    void *slot = (char *)obj + f->offset;
    int64_t x;
    int rc;

    switch (b[i]) {
    case '"':
        if ((e = plex__json_plain_run(b, i + 1, n)) >= n || b[e] != '"') {
            /* UTF-8 or an escape at e: the general scanner goes on from there */
            if (plex__json_string_from(&c->r, i, e, v))
                return plex__json_error(&c->r, c->err);
            if (f->kind != PLEX__F_STRING)
                return 2;
            if ((rc = store_text_cold(c, f, v, slot)) != 0)
                return rc;
            *end = c->r.pos;
            return 0;
        }
        if (LIKELY(f->kind == PLEX__F_STRING)) {
            char *str = copy_short(c, b + i + 1, e - i - 1, n - i - 1);
            if (!str)
                return nomem(c);
            *(const char **)slot = str;
            *end = e + 1;
            return 0;
        }
        plex__json_in_object(&c->r, e + 1, 0);
        v->type = PLEX__JSON_STRING;
        v->start = i + 1;
        v->end = e;
        v->escaped = 0;
        return 2;
    case '{':
    case '[':
        if (plex__json_open(&c->r, i, v) != 0)
            break;
        return 2;
    case 't':
        if (f->kind == PLEX__F_BOOL && n - i >= 4 && memcmp(b + i, "true", 4) == 0) {
            *(plex_opt_bool *)slot = PLEX_TRUE;
            *end = i + 4;
            return 0;
        }
        break;
    case 'f':
        if (f->kind == PLEX__F_BOOL && n - i >= 5 && memcmp(b + i, "false", 5) == 0) {
            *(plex_opt_bool *)slot = PLEX_FALSE;
            *end = i + 5;
            return 0;
        }
        break;
    case 'n':
        /* null means absent, except where strict exact models refuse it */
        if (n - i >= 4 && memcmp(b + i, "null", 4) == 0 &&
            (f->kind == PLEX__F_RAW || s->open || (f->flags & PLEX__F_NULLABLE) ||
             !(c->flags & PLEX_PARSE_STRICT))) {
            *end = i + 4;
            return 1;
        }
        break;
    default:
        if ((f->kind == PLEX__F_INT64 || f->kind == PLEX__F_INT32) &&
            (e = plex__json_plain_int(b, i, n, &x)) != 0 && store_int(f, x, slot) == 0) {
            *end = e;
            return 0;
        }
        break;
    }
    plex__json_at_value(&c->r, i);
    if (plex__json_next(&c->r, v))
        return plex__json_error(&c->r, c->err);
    if (v->type == PLEX__JSON_NULL) /* refused: the others were taken above */
        return type_error(c, f, kind_expects(f->kind), v);
    return 2;
}

/* Decode the members of an object whose '{' was just read; its masks into *m.
 * Compiled twice (below): `wide` schemas (more than two presence words: the
 * big media-server models) keep their bits in arrays, all others in two
 * registers. Duplicates are found by presence bit (unique per schema).
 *
 * The loop keeps its place in the input in a local (pos), which the reader
 * (c->r) catches up with only when a value or key needs its general
 * functions. The likely next key is the field after the last one matched
 * (tables are in the order servers send); a common value is read by
 * fast_value. */
static INLINE int decode_members(ctx *c, const plex__schema *s, void *obj, masks *m, const int wide)
{
    const plex__field *const first = s->fields, *const end = s->fields + s->nfields;
    const plex__field *next = first; /* the likely next key: after the last match */
    const char *const b = c->buf;
    const size_t n = c->r.len;
    size_t pos = c->r.pos; /* right after '{', then after each member */
    int none = 1;          /* no member read yet */
    uint64_t seen = 0, pres = 0;
    uint32_t seen_w[PLEX__MAX_WORDS];
    merged up = {0, 0};
    ptrs extra = {NULL, 0, 0};
    int rc;

    if (wide) {
        memset(seen_w, 0, sizeof(seen_w));
        memset(m->pres, 0, sizeof(m->pres));
    }
    if (s->nbools)
        set_bools_absent(s, obj);
    for (;;) {
        plex__json_token k, v;
        const plex__field *f = next < end ? next : first;
        size_t q = plex__json_key_start(b, pos, n, none), at = 0, ks, kl;
        uint64_t one;

        if (LIKELY(q != 0)) {
            /* a key: the expected one, another plain one, or the general path */
            at = plex__json_expected_key(b, q, n, f->name, f->len);
            if (!at && (at = plex__json_plain_key(b, q, n, &ks, &kl)) != 0 &&
                !(f = find_field(s, f + 1, b + ks, kl))) {
                /* a plain key the model does not know */
                k.type = PLEX__JSON_KEY;
                k.start = ks;
                k.end = ks + kl;
                k.escaped = 0;
                plex__json_at_value(&c->r, at);
                if (plex__json_next(&c->r, &v))
                    return plex__json_error(&c->r, c->err);
                if (s->extra_offset != PLEX__NO_OFFSET)
                    rc = keep_extra(c, &extra, &k, &v);
                else
                    rc = plex__json_skip(&c->r, &v) ? plex__json_error(&c->r, c->err) : 0;
                if (rc)
                    return rc;
                pos = c->r.pos;
                none = 0;
                continue;
            }
        } else if ((q = plex__json_closing(b, pos, n, '}')) != 0) {
            plex__json_end_container(&c->r, q);
            break;
        }
        if (LIKELY(at != 0)) {
            /* the key of field f: its value, the common forms first */
            one = wide ? 0 : (uint64_t)1 << f->bit;
            if (wide ? get_bit(seen_w, f->bit) : (seen & one) != 0)
                return shape_error(c, f, "duplicate key");
            if (wide)
                set_bit(seen_w, f->bit);
            else
                seen |= one;
            next = f + 1;
            rc = fast_value(c, s, f, at, obj, &v, &pos);
            if (rc == 2) {
                rc = json_value(c, s, f, &v, obj, &up);
                pos = c->r.pos;
            }
        } else {
            plex__json_in_object(&c->r, pos, none);
            if (plex__json_next_member_expect(&c->r, &k, &v, f->name, f->len))
                return plex__json_error(&c->r, c->err);
            if (k.type == PLEX__JSON_OBJECT_END)
                break;
            none = 0;
            if (!k.expected && UNLIKELY(!(f = find_key(c, s, &k)))) {
                if (s->extra_offset != PLEX__NO_OFFSET)
                    rc = keep_extra(c, &extra, &k, &v);
                else
                    rc = plex__json_skip(&c->r, &v) ? plex__json_error(&c->r, c->err) : 0;
                if (rc)
                    return rc;
                pos = c->r.pos;
                continue;
            }
            next = f + 1;
            one = wide ? 0 : (uint64_t)1 << f->bit;
            if (wide ? get_bit(seen_w, f->bit) : (seen & one) != 0)
                return shape_error(c, f, "duplicate key");
            if (wide)
                set_bit(seen_w, f->bit);
            else
                seen |= one;
            if (v.type == PLEX__JSON_NULL) {
                if (f->kind != PLEX__F_RAW && !s->open && !(f->flags & PLEX__F_NULLABLE) &&
                    (c->flags & PLEX_PARSE_STRICT))
                    return type_error(c, f, kind_expects(f->kind), &v);
                pos = c->r.pos;
                continue; /* null means absent (RAW: NULL) */
            }
            rc = json_value(c, s, f, &v, obj, &up);
            pos = c->r.pos;
        }
        none = 0;
        if (UNLIKELY(rc < 0))
            return rc;
        if (rc == 0) {
            if (wide)
                set_bit(m->pres, f->bit);
            else
                pres |= one;
        }
    }
    if (!wide) {
        pres |= up.pres; /* from sub-models merged at sub_shift (exact models) */
        m->pres[0] = (uint32_t)pres;
        m->pres[1] = (uint32_t)(pres >> 32);
    }
    m->missing = up.missing;
    if (extra.n && (rc = store_extra(c, s, obj, &extra)) != 0)
        return rc;
    return end_object(c, s, obj, m);
}

static NOINLINE int decode_wide(ctx *c, const plex__schema *s, void *obj, masks *m)
{
    return decode_members(c, s, obj, m, 1);
}

static int decode_object(ctx *c, const plex__schema *s, void *obj, masks *m)
{
    if (UNLIKELY(s->words > 2))
        return decode_wide(c, s, obj, m);
    return decode_members(c, s, obj, m, 0);
}

/* ---- the first arena block ---- */

/* The root key's object ({"MediaContainer": {...}}): position the reader on
 * its '{'. Other top-level members are skipped. */
static int enter_root_key(ctx *c, const plex__schema *s)
{
    for (;;) {
        plex__json_token k, v;
        if (plex__json_next_member(&c->r, &k, &v))
            return plex__json_error(&c->r, c->err);
        if (k.type == PLEX__JSON_OBJECT_END)
            return plex__error_set(c->err, PLEX_ESCHEMA, "expected a %s object", s->root_key);
        if (plex__json_key_eq(c->buf, &k, s->root_key, strlen(s->root_key))) {
            if (v.type != PLEX__JSON_OBJECT_BEGIN)
                return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected object, got %s",
                                       s->root_key, plex__json_type_name(v.type));
            return 0;
        }
        if (plex__json_skip(&c->r, &v))
            return plex__json_error(&c->r, c->err);
    }
}

/* After the root object: the rest of the wrapper, then end of input. */
static int leave_root_key(ctx *c)
{
    plex__json_token k, v;
    for (;;) {
        if (plex__json_next_member(&c->r, &k, &v))
            return plex__json_error(&c->r, c->err);
        if (k.type == PLEX__JSON_OBJECT_END)
            return 0;
        if (plex__json_skip(&c->r, &v))
            return plex__json_error(&c->r, c->err);
    }
}

int plex__model_parse(void **out, const plex__schema *s, const char *data, size_t len,
                      unsigned int flags, plex_error *err)
{
    plex__json_type want = s->list ? PLEX__JSON_ARRAY_BEGIN : PLEX__JSON_OBJECT_BEGIN;
    plex__json_token t;
    masks m = {{0}, 0};
    ctx c;
    void *obj;
    int rc;

    if ((rc = start(&c, out, data, len, flags, err)) != 0)
        return rc;
    plex__json_reader_init(&c.r, c.buf, len);
    if (plex__json_next(&c.r, &t))
        return plex__json_error(&c.r, err);
    if (t.type != want) {
        /* the rest must still be well-formed JSON for a shape error */
        plex__json_token end;
        if (plex__json_skip(&c.r, &t) || plex__json_next(&c.r, &end))
            return plex__json_error(&c.r, err);
        return plex__error_set(err, PLEX_ESCHEMA, "expected %s at the top level, got %s",
                               s->list ? "an array" : "an object", plex__json_type_name(t.type));
    }
    if (!(obj = new_root(s, len)))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    c.arena = plex__arena_of(obj);

    if (s->list) {
        const plex__field *f = &s->fields[0];
        merged up = {0, 0};
        rc = json_list(&c, f, &t, (char *)obj + f->offset, (char *)obj + PLEX__COUNT_OFFSET(f), &up,
                       s->open);
        m.missing = up.missing;
        if (rc == 0) {
            set_bit(m.pres, f->bit);
            rc = end_object(&c, s, obj, &m);
        }
    } else if (s->root_key) {
        rc = enter_root_key(&c, s);
        if (rc == 0)
            rc = decode_object(&c, s, obj, &m);
        if (rc == 0)
            rc = leave_root_key(&c);
    } else {
        rc = decode_object(&c, s, obj, &m);
    }
    if (rc == 0 && plex__json_next(&c.r, &t))
        rc = plex__json_error(&c.r, err);
    if (rc == 0 && !s->open && m.missing && (flags & PLEX_PARSE_STRICT)) {
        plex__buf names = PLEX__BUF_INIT;
        plex__model_field_names(&names, s, m.missing, "");
        rc = plex__error_set(err, PLEX_ESCHEMA, "missing required field%s: %s",
                             strchr(names.ptr ? names.ptr : "", ',') ? "s" : "",
                             names.ptr ? names.ptr : "?");
        plex__buf_dispose(&names);
    }
    if (rc) {
        plex__arena_free_root(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

int plex__model_json_object(ctx *c, const plex__schema *s, void *obj)
{
    masks m;
    return decode_object(c, s, obj, &m);
}

int plex__model_json_field(ctx *c, const plex__schema *s, const plex__field *f,
                           const plex__json_token *v, void *obj)
{
    merged up = {0, 0};
    return json_value(c, s, f, v, obj, &up);
}

int plex__model_json_keep_extra(ctx *c, ptrs *extra, const plex__json_token *k,
                                const plex__json_token *v)
{
    return keep_extra(c, extra, k, v);
}

/* ---- accessors ---- */

uint64_t plex__model_required_bits(const plex__schema *s)
{
    uint64_t m = 0;
    for (size_t i = 0; i < s->nfields; i++)
        if ((s->fields[i].flags & PLEX__F_REQUIRED) && s->fields[i].bit < 64)
            m |= (uint64_t)1 << s->fields[i].bit;
    return m;
}

void plex__model_free(void *obj)
{
    plex__arena_free_root(obj);
}

size_t plex__model_count(const plex__schema *s, const void *obj, size_t field)
{
    return obj ? *(const size_t *)(const void *)((const char *)obj +
                                                 PLEX__COUNT_OFFSET(&s->fields[field]))
               : 0;
}

const void *plex__model_at(const plex__schema *s, const void *obj, size_t field, size_t i)
{
    const plex__field *f = &s->fields[field];

    if (!obj || i >= plex__model_count(s, obj, field))
        return NULL;
    return (*(const void *const *const *)(const void *)((const char *)obj + f->offset))[i];
}

void plex__model_field_names(plex__buf *b, const plex__schema *s, uint64_t mask, const char *prefix)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        if (f->bit < 64 && (mask & ((uint64_t)1 << f->bit))) {
            if (b->len)
                plex__buf_put(b, ", ", 2);
            plex__buf_puts(b, prefix);
            plex__buf_put(b, f->name, f->len);
        }
        if (f->sub && f->sub_shift && (mask >> f->sub_shift)) {
            char sub_prefix[64];
            snprintf(sub_prefix, sizeof(sub_prefix), "%s%s.", prefix, f->name);
            plex__model_field_names(b, f->sub, mask >> f->sub_shift, sub_prefix);
        }
    }
}

/*
 * The schema-driven decoder and encoder (see model.h).
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "plex/models.h"

/* Kept out of decode_object, whose loop is the hot path of every decode. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* The first arena block gets the input's length, bounded: strings decoded
 * from the input never need more than the input's own bytes. */
#define FIRST_BLOCK_MAX ((size_t)64 * 1024)

typedef struct ctx {
    plex__json_reader r;
    const char *buf;
    plex__arena *arena;
    unsigned int flags;
    plex_error *err;
    char path[192]; /* dotted path of the enclosing object, "" at the top */
    size_t path_len;
} ctx;

static int shape_error(ctx *c, const plex__field *f, const char *what)
{
    return plex__error_set(c->err, PLEX_ESCHEMA, "%s%s%s: %s", c->path, c->path_len ? "." : "",
                           f->name, what);
}

static int type_error(ctx *c, const plex__field *f, const char *expected,
                      const plex__json_token *got)
{
    return plex__error_set(c->err, PLEX_ESCHEMA, "%s%s%s: expected %s, got %s", c->path,
                           c->path_len ? "." : "", f->name, expected,
                           plex__json_type_name(got->type));
}

static int nomem(ctx *c)
{
    return plex__error_set(c->err, PLEX_ENOMEM, "out of memory");
}

/* Append a path component (".name" or "[i]") for error messages. */
static size_t path_push(ctx *c, const char *text, size_t n, int dot)
{
    size_t saved = c->path_len;
    if (saved + 1 + n < sizeof(c->path)) {
        if (dot && saved)
            c->path[c->path_len++] = '.';
        memcpy(c->path + c->path_len, text, n);
        c->path_len += n;
        c->path[c->path_len] = '\0';
    }
    return saved;
}

static void path_pop(ctx *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

/* Find the field named by `key`. Servers send fields in a stable order, so
 * the search starts at *hint (the field after the last match) and wraps. */
static const plex__field *find_field(const plex__schema *s, const char *buf,
                                     const plex__json_token *key, size_t *hint)
{
    size_t n = key->end - key->start, i = *hint < s->nfields ? *hint : 0;

    for (size_t k = 0; k < s->nfields; k++, i = i + 1 < s->nfields ? i + 1 : 0) {
        const plex__field *f = &s->fields[i];
        if (key->escaped ? plex__json_key_eq(buf, key, f->name, f->len)
                         : f->len == n && plex__same_bytes(buf + key->start, f->name, n)) {
            *hint = i + 1;
            return f;
        }
    }
    return NULL;
}

/* Copy a string token (unescaped) or the raw bytes [a, z) into the arena,
 * NUL-terminated. *len_out gets the length. */
static char *copy_text(ctx *c, const plex__json_token *t, int is_string, size_t a, size_t z,
                       size_t *len_out)
{
    char *dst = plex__arena_alloc_bytes(c->arena, z - a + 1);
    size_t n;

    if (!dst)
        return NULL;
    if (is_string && t->escaped) {
        n = plex__json_unescape(c->buf, t, dst);
    } else { /* raw bytes; for an unescaped string, [a, z) is its content */
        n = z - a;
        memcpy(dst, c->buf + a, n);
    }
    dst[n] = '\0';
    *len_out = n;
    return dst;
}

static int decode_string(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    char *str;
    size_t n;

    if (v->type != PLEX__JSON_STRING &&
        !(f->kind == PLEX__F_STRING_OR_NUMBER && v->type == PLEX__JSON_NUMBER))
        return type_error(c, f, f->kind == PLEX__F_STRING ? "string" : "string or number", v);
    str = copy_text(c, v, v->type == PLEX__JSON_STRING, v->start, v->end, &n);
    if (!str)
        return nomem(c);
    /* an escaped \u0000 would silently cut the C string short: refuse it */
    if (v->escaped && memchr(str, '\0', n) != NULL)
        return shape_error(c, f, "string contains a NUL character (\\u0000)");
    *(const char **)slot = str;
    return 0;
}

static int decode_int(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    int64_t x;

    if (v->type != PLEX__JSON_NUMBER)
        return type_error(c, f, "integer", v);
    if (!v->integer)
        return shape_error(c, f, "expected integer, got a number with a fraction or exponent");
    if (plex__json_int64(c->buf, v, &x) != 0 ||
        (f->kind == PLEX__F_INT32 && (x < INT32_MIN || x > INT32_MAX)))
        return shape_error(c, f, "integer out of range");
    if (f->kind == PLEX__F_INT32)
        *(int32_t *)slot = (int32_t)x;
    else
        *(int64_t *)slot = x;
    return 0;
}

static int decode_time(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
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

static int decode_raw(ctx *c, const plex__field *f, const plex__json_token *v, void *slot)
{
    size_t a = v->start, z = v->end, n;
    const char *str;

    (void)f;
    if (v->type == PLEX__JSON_STRING) {
        a--; /* include the quotes */
        z++;
    } else if (v->type == PLEX__JSON_OBJECT_BEGIN || v->type == PLEX__JSON_ARRAY_BEGIN) {
        if (plex__json_skip(&c->r, v))
            return plex__json_error(&c->r, c->err);
        z = c->r.pos;
    }
    str = copy_text(c, v, 0, a, z, &n);
    if (!str)
        return nomem(c);
    *(const char **)slot = str;
    return 0;
}

static int decode_object(ctx *c, const plex__schema *s, void *obj, uint64_t *present_out,
                         uint64_t *missing_out);

static int decode_sub(ctx *c, const plex__field *f, const plex__json_token *v, void *slot,
                      uint64_t *present, uint64_t *missing)
{
    size_t saved;
    uint64_t sub_present = 0, sub_missing = 0;
    void *sub;
    int rc;

    if (v->type != PLEX__JSON_OBJECT_BEGIN)
        return type_error(c, f, "object", v);
    sub = plex__arena_alloc(c->arena, f->sub->size);
    if (!sub)
        return nomem(c);
    saved = path_push(c, f->name, f->len, 1);
    rc = decode_object(c, f->sub, sub, &sub_present, &sub_missing);
    path_pop(c, saved);
    if (rc)
        return rc;
    if (f->sub_shift) {
        *present |= sub_present << f->sub_shift;
        *missing |= sub_missing << f->sub_shift;
    }
    *(const void **)slot = sub;
    return 0;
}

/* One element of a list: a sub-model (PLEX__F_ARRAY) or a string
 * (PLEX__F_STRINGS) whose first token is t. 0 with *out set, or an error. */
static int decode_element(ctx *c, const plex__field *f, const plex__json_token *t, void **out,
                          uint64_t *missing)
{
    if (f->kind == PLEX__F_STRINGS) {
        size_t len;
        char *str;

        if (t->type != PLEX__JSON_STRING)
            return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected string, got %s", c->path,
                                   plex__json_type_name(t->type));
        if (!(str = copy_text(c, t, 1, t->start, t->end, &len)))
            return nomem(c);
        if (t->escaped && memchr(str, '\0', len) != NULL)
            return plex__error_set(c->err, PLEX_ESCHEMA,
                                   "%s: string contains a NUL character (\\u0000)", c->path);
        *out = str;
    } else {
        uint64_t sub_present = 0, sub_missing = 0;
        void *sub;
        int rc;

        if (t->type != PLEX__JSON_OBJECT_BEGIN)
            return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected object, got %s", c->path,
                                   plex__json_type_name(t->type));
        if (!(sub = plex__arena_alloc(c->arena, f->sub->size)))
            return nomem(c);
        if ((rc = decode_object(c, f->sub, sub, &sub_present, &sub_missing)) != 0)
            return rc;
        if (f->sub_shift) /* only missing bits are merged: each item keeps its own present */
            *missing |= sub_missing << f->sub_shift;
        *out = sub;
    }
    return 0;
}

/* A list whose '[' is in *v: sub-models (PLEX__F_ARRAY) or strings
 * (PLEX__F_STRINGS) into items + count. A null element is dropped unless
 * strict. The pointer array grows by doubling in the arena. Kept out of line:
 * lists are rare next to the scalar fields of the hot loop. */
static NOINLINE int decode_list(ctx *c, const plex__field *f, const plex__json_token *v,
                                void *slot, void *count_slot, uint64_t *missing)
{
    void **items = NULL;
    size_t n = 0, cap = 0, saved;
    plex__json_token t;
    int rc = 0;

    if (v->type != PLEX__JSON_ARRAY_BEGIN)
        return type_error(c, f, "array", v);
    saved = path_push(c, f->name, f->len, 1);
    for (size_t i = 0;; i++) { /* i: the element's index in the document */
        char idx[24];
        size_t at;

        if (plex__json_next(&c->r, &t)) {
            rc = plex__json_error(&c->r, c->err);
            break;
        }
        if (t.type == PLEX__JSON_ARRAY_END)
            break;
        if (t.type == PLEX__JSON_NULL && !(c->flags & PLEX_PARSE_STRICT))
            continue; /* tolerated: a null element is dropped */
        at = path_push(c, idx, (size_t)snprintf(idx, sizeof(idx), "[%zu]", i), 0);
        if (n == cap) {
            void **grown;
            cap = cap ? cap * 2 : 4;
            grown = plex__arena_alloc(c->arena, cap * sizeof(*grown));
            if (!grown) {
                rc = nomem(c);
                break;
            }
            if (n)
                memcpy(grown, items, n * sizeof(*grown));
            items = grown;
        }
        if ((rc = decode_element(c, f, &t, &items[n], missing)) != 0)
            break;
        n++;
        path_pop(c, at);
    }
    path_pop(c, saved);
    if (rc)
        return rc;
    *(void ***)slot = items;
    *(size_t *)count_slot = n;
    return 0;
}

uint64_t plex__model_required_bits(const plex__schema *s)
{
    uint64_t m = 0;
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].flags & PLEX__F_REQUIRED)
            m |= (uint64_t)1 << s->fields[i].bit;
    return m;
}

uint64_t plex__model_bool_bits(const plex__schema *s)
{
    uint64_t m = 0;
    for (size_t i = 0; i < s->nfields && i < 64; i++)
        if (s->fields[i].kind == PLEX__F_BOOL)
            m |= (uint64_t)1 << i;
    return m;
}

/* The index of the lowest set bit of m (m != 0). */
static unsigned int lowest_bit(uint64_t m)
{
#if defined(__GNUC__)
    return (unsigned int)__builtin_ctzll(m);
#else
    unsigned int n = 0;
    while (!(m & 1)) {
        m >>= 1;
        n++;
    }
    return n;
#endif
}

/* Before decoding into a zeroed struct: its bool fields are "absent" (not
 * false). One step per bool field, found by its position in the table. */
static void set_bools_absent(const plex__schema *s, void *obj)
{
    for (uint64_t m = s->bools; m; m &= m - 1) {
        size_t i = lowest_bit(m);
        if (i < s->nfields)
            *(plex_opt_bool *)(void *)((char *)obj + s->fields[i].offset) = PLEX_ABSENT;
    }
}

/* Store the masks of a decoded object (see "Presence bits" in model.h). */
static void store_masks(const plex__schema *s, void *obj, uint64_t present, uint64_t missing)
{
    if (s->present_offset != (size_t)-1) {
        uint32_t *p = (uint32_t *)(void *)((char *)obj + s->present_offset);
        p[0] = (uint32_t)present;
        if (present >> 32)
            p[1] = (uint32_t)(present >> 32);
    }
    if (s->missing_offset != (size_t)-1)
        *(uint32_t *)(void *)((char *)obj + s->missing_offset) = (uint32_t)missing;
}

/* What a field of this kind expects, for "expected X, got null". */
static const char *kind_expects(unsigned char kind)
{
    switch ((plex__field_kind)kind) {
    case PLEX__F_OBJECT:
        return "object";
    case PLEX__F_ARRAY:
    case PLEX__F_STRINGS:
        return "array";
    case PLEX__F_BOOL:
        return "boolean";
    case PLEX__F_TIME:
        return "date-time string";
    case PLEX__F_INT32:
    case PLEX__F_INT64:
        return "integer";
    default:
        return "string";
    }
}

/* Decode the members of an object whose '{' was just read. */
static int decode_object(ctx *c, const plex__schema *s, void *obj, uint64_t *present_out,
                         uint64_t *missing_out)
{
    plex__json_token k, v;
    uint64_t seen = 0, present = 0, missing = 0;
    size_t hint = 0;
    int rc;

    if (s->bools)
        set_bools_absent(s, obj);
    for (;;) {
        const plex__field *f;
        void *slot;
        uint64_t bit;

        f = &s->fields[hint < s->nfields ? hint : 0]; /* the likely next key */
        if (plex__json_next_member_expect(&c->r, &k, &v, f->name, f->len))
            return plex__json_error(&c->r, c->err);
        if (k.type == PLEX__JSON_OBJECT_END)
            break;
        if (k.expected)
            hint = (size_t)(f - s->fields) + 1;
        else
            f = find_field(s, c->buf, &k, &hint);
        if (!f) {
            if (plex__json_skip(&c->r, &v))
                return plex__json_error(&c->r, c->err);
            continue;
        }
        bit = (uint64_t)1 << f->bit;
        if (seen & bit)
            return shape_error(c, f, "duplicate key");
        seen |= bit;
        if (v.type == PLEX__JSON_NULL && f->kind != PLEX__F_RAW) {
            if (!(f->flags & PLEX__F_NULLABLE) && (c->flags & PLEX_PARSE_STRICT))
                return type_error(c, f, kind_expects(f->kind), &v);
            continue; /* null means absent */
        }
        slot = (char *)obj + f->offset;
        switch ((plex__field_kind)f->kind) {
        case PLEX__F_STRING:
        case PLEX__F_STRING_OR_NUMBER:
            rc = decode_string(c, f, &v, slot);
            break;
        case PLEX__F_INT64:
        case PLEX__F_INT32:
            rc = decode_int(c, f, &v, slot);
            break;
        case PLEX__F_BOOL:
            if (v.type != PLEX__JSON_TRUE && v.type != PLEX__JSON_FALSE) {
                rc = type_error(c, f, "boolean", &v);
            } else {
                *(plex_opt_bool *)slot = v.type == PLEX__JSON_TRUE ? PLEX_TRUE : PLEX_FALSE;
                rc = 0;
            }
            break;
        case PLEX__F_TIME:
            rc = decode_time(c, f, &v, slot);
            break;
        case PLEX__F_RAW:
            if (v.type == PLEX__JSON_NULL)
                continue;
            rc = decode_raw(c, f, &v, slot);
            break;
        case PLEX__F_OBJECT:
            rc = decode_sub(c, f, &v, slot, &present, &missing);
            break;
        case PLEX__F_ARRAY:
        case PLEX__F_STRINGS:
            rc = decode_list(c, f, &v, slot, (char *)obj + f->offset2, &missing);
            break;
        default:
            rc = PLEX_ERROR;
        }
        if (rc)
            return rc;
        present |= bit;
    }
    missing |= s->required & ~present;
    store_masks(s, obj, present, missing);
    if (s->finish)
        s->finish(obj);
    *present_out = present;
    *missing_out = missing;
    return 0;
}

void plex__model_field_names(plex__buf *b, const plex__schema *s, uint64_t mask, const char *prefix)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        if (mask & ((uint64_t)1 << f->bit)) {
            if (b->len)
                plex__buf_put(b, ", ", 2);
            plex__buf_puts(b, prefix);
            plex__buf_put(b, f->name, f->len);
        }
        if ((f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY) && f->sub_shift &&
            (mask >> f->sub_shift)) {
            char sub_prefix[64];
            snprintf(sub_prefix, sizeof(sub_prefix), "%s%s.", prefix, f->name);
            plex__model_field_names(b, f->sub, mask >> f->sub_shift, sub_prefix);
        }
    }
}

/* Decode one document whose top level is a `schema` object, or (list) an
 * array decoded into the schema's first field, a PLEX__F_ARRAY. */
static int parse_root(void **out, const plex__schema *s, const char *data, size_t len,
                      unsigned int flags, plex_error *err, int list)
{
    const plex__field *f = &s->fields[0];
    plex__json_type want = list ? PLEX__JSON_ARRAY_BEGIN : PLEX__JSON_OBJECT_BEGIN;
    ctx c;
    plex__json_token t;
    uint64_t present = 0, missing = 0;
    size_t extra;
    void *obj;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!data && len)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: data is NULL");
    if (err)
        plex_error_clear(err);

    plex__json_reader_init(&c.r, data ? data : "", len);
    c.buf = data;
    c.flags = flags;
    c.err = err;
    c.path[0] = '\0';
    c.path_len = 0;
    if (plex__json_next(&c.r, &t))
        return plex__json_error(&c.r, err);
    if (t.type != want) {
        /* the rest must still be well-formed JSON for a shape error */
        plex__json_token end;
        if (plex__json_skip(&c.r, &t) || plex__json_next(&c.r, &end))
            return plex__json_error(&c.r, err);
        return plex__error_set(err, PLEX_ESCHEMA, "expected %s at the top level, got %s",
                               list ? "an array" : "an object", plex__json_type_name(t.type));
    }

    extra = len + 2 * s->size + 64;
    if (extra > FIRST_BLOCK_MAX)
        extra = FIRST_BLOCK_MAX;
    obj = plex__arena_new(s->size, extra);
    if (!obj)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    c.arena = plex__arena_of(obj);

    if (!list) {
        rc = decode_object(&c, s, obj, &present, &missing);
    } else {
        rc = decode_list(&c, f, &t, (char *)obj + f->offset, (char *)obj + f->offset2, &missing);
        if (rc == 0) {
            present |= (uint64_t)1 << f->bit;
            store_masks(s, obj, present, missing);
        }
    }
    if (rc == 0 && plex__json_next(&c.r, &t))
        rc = plex__json_error(&c.r, err);
    if (rc == 0 && missing && (flags & PLEX_PARSE_STRICT)) {
        plex__buf names = PLEX__BUF_INIT;
        plex__model_field_names(&names, s, missing, "");
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

int plex__model_parse(void **out, const plex__schema *s, const char *data, size_t len,
                      unsigned int flags, plex_error *err)
{
    return parse_root(out, s, data, len, flags, err, 0);
}

int plex__model_parse_list(void **out, const plex__schema *s, const char *data, size_t len,
                           unsigned int flags, plex_error *err)
{
    return parse_root(out, s, data, len, flags, err, 1);
}

/* Encode the items of the list field (fields[0]) of `obj` as a JSON array. */
int plex__model_list_to_json(const plex__schema *s, const void *obj, char **out)
{
    const plex__field *f = &s->fields[0];
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    const void *const *items;
    size_t n;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!obj)
        return PLEX_EINVALID;
    items = *(const void *const *const *)(const void *)((const char *)obj + f->offset);
    n = *(const size_t *)(const void *)((const char *)obj + f->offset2);
    plex__jw_init(&w, &b);
    plex__jw_array_begin(&w);
    for (size_t j = 0; j < n; j++)
        plex__model_write(&w, f->sub, items[j]);
    plex__jw_array_end(&w);
    return plex__buf_detach(&b, out);
}

/* Whether field f of obj was present (every field is, without a mask). The
 * second mask word is read only for a field at bit 32 or above. */
static int field_present(const plex__schema *s, const void *obj, const plex__field *f)
{
    const uint32_t *p;
    uint32_t word;

    if (s->present_offset == (size_t)-1)
        return 1;
    p = (const uint32_t *)(const void *)((const char *)obj + s->present_offset);
    word = f->bit < 32 ? p[0] >> f->bit : p[1] >> (f->bit - 32);
    return (int)(word & 1u);
}

void plex__model_write(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    plex__jw_object_begin(w);
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        const void *slot = (const char *)obj + f->offset;
        int has = field_present(s, obj, f);

        switch ((plex__field_kind)f->kind) {
        case PLEX__F_STRING:
        case PLEX__F_STRING_OR_NUMBER:
        case PLEX__F_RAW:
        case PLEX__F_OBJECT: {
            const void *p = *(const void *const *)slot;
            if (!p) {
                if (f->flags & PLEX__F_NULL_OUT) {
                    plex__jw_key(w, f->name);
                    plex__jw_null(w);
                }
                break;
            }
            plex__jw_key(w, f->name);
            if (f->kind == PLEX__F_OBJECT)
                plex__model_write(w, f->sub, p);
            else if (f->kind == PLEX__F_RAW)
                plex__jw_raw(w, p, strlen(p));
            else
                plex__jw_string(w, p);
            break;
        }
        case PLEX__F_INT64:
        case PLEX__F_INT32:
            if (has) {
                plex__jw_key(w, f->name);
                plex__jw_int(w, f->kind == PLEX__F_INT32 ? *(const int32_t *)slot
                                                         : *(const int64_t *)slot);
            }
            break;
        case PLEX__F_ARRAY:
        case PLEX__F_STRINGS: {
            const void *const *items = *(const void *const *const *)slot;
            /* no items: [] when present (a count without items is ignored) */
            size_t n = items ? *(const size_t *)(const void *)((const char *)obj + f->offset2) : 0;
            if (!items && !has)
                break;
            plex__jw_key(w, f->name);
            plex__jw_array_begin(w);
            for (size_t j = 0; j < n; j++) {
                if (f->kind == PLEX__F_STRINGS)
                    plex__jw_string(w, items[j]); /* NULL writes null */
                else
                    plex__model_write(w, f->sub, items[j]);
            }
            plex__jw_array_end(w);
            break;
        }
        case PLEX__F_BOOL:
            if (has) {
                plex__jw_key(w, f->name);
                plex__jw_bool(w, *(const plex_opt_bool *)slot == PLEX_TRUE);
            }
            break;
        case PLEX__F_TIME:
            if (has) {
                char tmp[40];
                plex__jw_key(w, f->name);
                if (plex_timestamp_format(*(const plex_timestamp *)slot, tmp, sizeof(tmp)))
                    plex__buf_fail(w->buf, PLEX_EINVALID);
                else
                    plex__jw_string(w, tmp);
            }
            break;
        }
    }
    plex__jw_object_end(w);
}

int plex__model_to_json(const plex__schema *s, const void *obj, char **out)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!obj)
        return PLEX_EINVALID;
    plex__jw_init(&w, &b);
    plex__model_write(&w, s, obj);
    return plex__buf_detach(&b, out);
}

/*
 * The model engine (see model.h): one JSON decoder, one XML decoder and the
 * two encoders, all driven by the generated schemas.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "xml.h"

/* Kept out of decode_object, whose loop is the hot path of every decode. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define NOINLINE
#define INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* The first arena block gets the input's length, bounded: strings decoded
 * from the input never need more than the input's own bytes. */
#define FIRST_BLOCK_MAX ((size_t)64 * 1024)

#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(plex__field) == 32, "a field row is 32 bytes: index arithmetic is a shift");
#endif

typedef struct ctx {
    plex__json_reader r;
    plex__xml_reader x;
    const char *buf;
    plex__arena *arena;
    unsigned int flags;
    plex_error *err;
    uint32_t coerced;      /* plex_coercion bits noted so far */
    char path[192];        /* dotted path of the enclosing object, "" at the top */
    size_t path_len;
} ctx;

/* ---- errors and paths ---- */

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

static size_t path_index(ctx *c, size_t i)
{
    char idx[24];
    return path_push(c, idx, (size_t)snprintf(idx, sizeof(idx), "[%zu]", i), 0);
}

/* An open model took a value of another type than declared (or dropped
 * one): fine unless strict, where it is the error `expected X, got Y`. */
static NOINLINE int note(ctx *c, const plex__field *f, unsigned int what, const char *expected,
                         const plex__json_token *got)
{
    if (c->flags & PLEX_PARSE_STRICT)
        return got ? type_error(c, f, expected, got) : shape_error(c, f, expected);
    c->coerced |= what;
    return 0;
}

/* ---- presence ---- */

/* The presence and missing bits of one object while it is decoded. Exact
 * models merge a sub-model's bits into their own at sub_shift; bits 0..63
 * take part in that (the public masks are 32 and 64 bits wide). */
typedef struct masks {
    uint32_t pres[PLEX__MAX_WORDS];
    uint64_t missing;
} masks;

static inline void set_bit(uint32_t *w, unsigned int bit)
{
    w[bit >> 5] |= 1u << (bit & 31);
}

static inline int get_bit(const uint32_t *w, unsigned int bit)
{
    return (int)((w[bit >> 5] >> (bit & 31)) & 1u);
}

/* Whether field f of obj was present (every field is, without a mask). */
static int field_present(const plex__schema *s, const void *obj, const plex__field *f)
{
    if (s->present_offset == PLEX__NO_OFFSET)
        return 1;
    return get_bit((const uint32_t *)(const void *)((const char *)obj + s->present_offset),
                   f->bit);
}

/* The low 64 presence bits of obj as one mask (exact models merge these). */
/* Bits 0..63 of a masks struct (both words are always set). */
static inline uint64_t low_mask(const uint32_t *w)
{
    return (uint64_t)w[0] | (uint64_t)w[1] << 32;
}

/* The words of a masks struct in use for schema s (merged bits included):
 * also the length of its `required` array. */
static size_t mask_words(const plex__schema *s)
{
    size_t n = ((size_t)s->nfields + 31) / 32;
    return s->words > n ? s->words : n ? n : 1;
}

/* Required bits 0..63 (the generator pads `required` to at least two words). */
static inline uint64_t required_mask(const plex__schema *s)
{
    return (uint64_t)s->required[0] | (uint64_t)s->required[1] << 32;
}

uint64_t plex__model_required_bits(const plex__schema *s)
{
    uint64_t m = 0;
    for (size_t i = 0; i < s->nfields; i++)
        if ((s->fields[i].flags & PLEX__F_REQUIRED) && s->fields[i].bit < 64)
            m |= (uint64_t)1 << s->fields[i].bit;
    return m;
}

/* Before decoding into a zeroed struct: its bool fields are "absent" (not false). */
static void set_bools_absent(const plex__schema *s, void *obj)
{
    for (size_t i = 0; i < s->nbools; i++)
        *(plex_opt_bool *)(void *)((char *)obj + s->bools[i]) = PLEX_ABSENT;
}

/* The first required field of an open model that is absent, or NULL. */
static const plex__field *first_missing(const plex__schema *s, const uint32_t *p)
{
    for (size_t w = 0; w < mask_words(s); w++) {
        uint32_t m = s->required[w] & ~p[w];
        if (m)
            for (size_t i = 0; i < s->nfields; i++)
                if (s->fields[i].bit >> 5 == w && (m >> (s->fields[i].bit & 31) & 1u))
                    return &s->fields[i];
    }
    return NULL;
}

/* ---- finding a field ---- */

static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int d = memcmp(a, b, an < bn ? an : bn);
    return d ? d : (an > bn) - (an < bn);
}

/* The field named [name, name + n), by binary search; NULL if none. */
static const plex__field *lookup(const plex__schema *s, const char *name, size_t n)
{
    size_t lo = 0, hi = s->nfields;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const plex__field *f = &s->fields[s->by_name[mid]];
        int d = name_cmp(f->name, f->len, name, n);
        if (d == 0)
            return f;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The field of a key token that was not the expected one. */
static const plex__field *find_key(ctx *c, const plex__schema *s, const plex__json_token *k)
{
    char tmp[128];
    size_t n = k->end - k->start;

    if (!k->escaped)
        return lookup(s, c->buf + k->start, n);
    if (n >= sizeof(tmp))
        return NULL;
    return lookup(s, tmp, plex__json_unescape(c->buf, k, tmp));
}

/* ---- copying text into the arena ---- */

/* A string token (unescaped) or the raw bytes [a, z), NUL-terminated. */
static char *copy_text(ctx *c, const plex__json_token *t, int is_string, size_t a, size_t z,
                       size_t *len_out)
{
    char *dst = plex__arena_alloc_bytes(c->arena, z - a + 1);
    size_t n;

    if (!dst)
        return NULL;
    if (is_string && t->escaped) {
        n = plex__json_unescape(c->buf, t, dst);
    } else {
        n = z - a;
        memcpy(dst, c->buf + a, n);
    }
    dst[n] = '\0';
    *len_out = n;
    return dst;
}

static char *copy_bytes(ctx *c, const char *s, size_t n)
{
    char *dst = plex__arena_alloc_bytes(c->arena, n + 1);
    if (dst) {
        memcpy(dst, s, n);
        dst[n] = '\0';
    }
    return dst;
}

/* The raw JSON text of the value starting at v (a container is consumed). */
static int raw_span(ctx *c, const plex__json_token *v, size_t *a, size_t *z)
{
    *a = v->start;
    *z = v->end;
    if (v->type == PLEX__JSON_STRING) {
        (*a)--; /* include the quotes */
        (*z)++;
    } else if (v->type == PLEX__JSON_OBJECT_BEGIN || v->type == PLEX__JSON_ARRAY_BEGIN) {
        if (plex__json_skip(&c->r, v))
            return plex__json_error(&c->r, c->err);
        *z = c->r.pos;
    }
    return 0;
}

/* ---- scalar text -> value (shared by the JSON and XML decoders) ---- */

/* Decimal integer text; 0 or -1. */
static int parse_int(const char *s, size_t n, int64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    int neg = 0;

    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 19)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Store an integer into an INT32/INT64 slot; -1 when out of range. */
static int store_int(const plex__field *f, int64_t x, void *slot)
{
    if (f->kind == PLEX__F_INT32) {
        if (x < INT32_MIN || x > INT32_MAX)
            return -1;
        *(int32_t *)slot = (int32_t)x;
    } else {
        *(int64_t *)slot = x;
    }
    return 0;
}

/* "0" "1" "true" "false" -> 0/1; -1 for anything else. */
static int parse_bool(const char *s, size_t n)
{
    if ((n == 1 && s[0] == '1') || (n == 4 && memcmp(s, "true", 4) == 0))
        return 1;
    if ((n == 1 && s[0] == '0') || (n == 5 && memcmp(s, "false", 5) == 0))
        return 0;
    return -1;
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
    if (v->escaped && memchr(str, '\0', n) != NULL)
        return shape_error(c, f, "string contains a NUL character (\\u0000)");
    *(const char **)slot = str;
    return 0;
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
    if (!open || (v->type != PLEX__JSON_NUMBER && v->type != PLEX__JSON_TRUE &&
                  v->type != PLEX__JSON_FALSE))
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
    if ((v->type == PLEX__JSON_NUMBER || v->type == PLEX__JSON_STRING) && !v->escaped)
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

/* A growing array of pointers in the arena. */
typedef struct ptrs {
    void **items;
    size_t n, cap;
} ptrs;

static int ptrs_push(ctx *c, ptrs *p, void *item)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        void **grown = plex__arena_alloc(c->arena, cap * sizeof(*grown));
        if (!grown)
            return nomem(c);
        if (p->n)
            memcpy(grown, p->items, p->n * sizeof(*grown));
        p->items = grown;
        p->cap = cap;
    }
    p->items[p->n++] = item;
    return 0;
}

/* The bits sub-models hand their parent (sub_shift, exact models): presence
 * and missing, collected while the parent is decoded. */
typedef struct merged {
    uint64_t pres, missing;
} merged;

/* One sub-model object whose '{' was just read: a new struct in the arena. */
static int json_sub(ctx *c, const plex__field *f, void **out, merged *up)
{
    masks sm;
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

/* One element of a list whose first token is t: a sub-model or a string. */
static int json_element(ctx *c, const plex__field *f, const plex__json_token *t, ptrs *items,
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
        if (t->escaped && memchr(str, '\0', len) != NULL)
            return plex__error_set(c->err, PLEX_ESCHEMA,
                                   "%s: string contains a NUL character (\\u0000)", c->path);
        item = str;
    } else {
        if (t->type != PLEX__JSON_OBJECT_BEGIN) {
            if (!open || (c->flags & PLEX_PARSE_STRICT))
                return plex__error_set(c->err, PLEX_ESCHEMA, "%s: expected object, got %s",
                                       c->path, plex__json_type_name(t->type));
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
static NOINLINE int json_list(ctx *c, const plex__field *f, const plex__json_token *v,
                              void *slot, void *count_slot, merged *up, int open)
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
            size_t at;
            if (plex__json_next(&c->r, &t)) {
                rc = plex__json_error(&c->r, c->err);
                break;
            }
            if (t.type == PLEX__JSON_ARRAY_END)
                break;
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
    case PLEX__F_DOUBLE:
        return "number";
    default:
        return "string";
    }
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
            rc = t.type == PLEX__JSON_OBJECT_BEGIN ? json_sub(c, f, (void **)slot, up)
                                                   : shape_error(c, f, "expected object");
            path_pop(c, saved);
            if (rc == 0 && plex__json_skip(&c->r, v))
                rc = plex__json_error(&c->r, c->err);
            return rc;
        }
        if (v->type != PLEX__JSON_OBJECT_BEGIN)
            return type_error(c, f, "object", v);
        saved = path_push(c, f->name, f->len, 1);
        rc = json_sub(c, f, (void **)slot, up);
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
        a->value.type = v->type == PLEX__JSON_NUMBER                               ? PLEX_VALUE_NUMBER
                        : v->type == PLEX__JSON_TRUE || v->type == PLEX__JSON_FALSE ? PLEX_VALUE_BOOL
                                                                                    : PLEX_VALUE_JSON;
        if ((rc = raw_span(c, v, &za, &zz)) != 0)
            return rc;
        a->value.text = copy_text(c, v, 0, za, zz, &n);
    }
    if (!a->value.text)
        return nomem(c);
    return ptrs_push(c, extra, a);
}

/* The pointer list of extras as the plex_attrs of obj (items are contiguous
 * copies, so callers index plex_attr structs). */
static int store_extra(ctx *c, const plex__schema *s, void *obj, const ptrs *extra)
{
    plex_attrs *dst = (plex_attrs *)(void *)((char *)obj + s->extra_offset);
    plex_attr *items;

    if (!extra->n)
        return 0;
    if (!(items = plex__arena_alloc(c->arena, extra->n * sizeof(*items))))
        return nomem(c);
    for (size_t i = 0; i < extra->n; i++)
        items[i] = *(const plex_attr *)extra->items[i];
    dst->items = items;
    dst->count = extra->n;
    return 0;
}

/* After an object: its missing required fields (merged up for exact
 * models; the first one is an error for a strict open model), masks
 * stored, finish hook run. */
static INLINE int end_object(ctx *c, const plex__schema *s, void *obj, masks *m)
{
    if (s->open) {
        const plex__field *f;
        if ((c->flags & PLEX_PARSE_STRICT) && (f = first_missing(s, m->pres)) != NULL)
            return plex__error_set(c->err, PLEX_ESCHEMA, "missing required field: %s%s%s",
                                   c->path, c->path_len ? "." : "", f->name);
        if (s->coerced_offset != PLEX__NO_OFFSET)
            *(uint32_t *)(void *)((char *)obj + s->coerced_offset) = c->coerced;
    } else {
        m->missing |= required_mask(s) & ~low_mask(m->pres);
        if (s->missing_offset != PLEX__NO_OFFSET)
            *(uint32_t *)(void *)((char *)obj + s->missing_offset) = (uint32_t)m->missing;
    }
    if (s->present_offset != PLEX__NO_OFFSET) {
        uint32_t *p = (uint32_t *)(void *)((char *)obj + s->present_offset);
        p[0] = m->pres[0];
        if (s->words > 1)
            memcpy(p + 1, m->pres + 1, sizeof(uint32_t) * (s->words - 1u));
    }
    if (s->finish)
        s->finish(obj);
    return 0;
}

/* Decode the members of an object whose '{' was just read; its masks into *m.
 * Compiled twice (below): `wide` schemas (more than two presence words: the
 * big media-server models) keep their bits in arrays, all others in two
 * registers. Duplicates are found by presence bit (unique per schema). */
static INLINE int decode_members(ctx *c, const plex__schema *s, void *obj, masks *m,
                                 const int wide)
{
    const plex__field *const first = s->fields, *const end = s->fields + s->nfields;
    const plex__field *next = first; /* the likely next key: after the last match */
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
        uint64_t one;

        if (plex__json_next_member_expect(&c->r, &k, &v, f->name, f->len))
            return plex__json_error(&c->r, c->err);
        if (k.type == PLEX__JSON_OBJECT_END)
            break;
        if (!k.expected && UNLIKELY(!(f = find_key(c, s, &k)))) {
            if (s->extra_offset != PLEX__NO_OFFSET)
                rc = keep_extra(c, &extra, &k, &v);
            else
                rc = plex__json_skip(&c->r, &v) ? plex__json_error(&c->r, c->err) : 0;
            if (rc)
                return rc;
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
            continue; /* null means absent (RAW: NULL) */
        }
        rc = json_value(c, s, f, &v, obj, &up);
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

static void *new_root(const plex__schema *s, size_t len)
{
    size_t extra = len + 2 * (size_t)s->size + 64;
    return plex__arena_new(s->size, extra > FIRST_BLOCK_MAX ? FIRST_BLOCK_MAX : extra);
}

static int start(ctx *c, void **out, const char *data, size_t len, unsigned int flags,
                 plex_error *err)
{
    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!data && len)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: data is NULL");
    if (err)
        plex_error_clear(err);
    c->buf = data ? data : "";
    c->flags = flags;
    c->err = err;
    c->coerced = 0;
    c->path[0] = '\0';
    c->path_len = 0;
    return 0;
}

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
    masks m;
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
        memset(&m, 0, sizeof(m));
        merged up = {0, 0};
        rc = json_list(&c, f, &t, (char *)obj + f->offset, (char *)obj + PLEX__COUNT_OFFSET(f),
                       &up, s->open);
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

/* ---- XML ---- */

static int xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t);

static int xml_fail(ctx *c)
{
    return plex__xml_error(&c->x, c->err);
}

/* A field's text value that did not convert: an error for exact models and
 * strict decodes ("expected integer"), else dropped (1). */
static int xml_bad(ctx *c, const plex__field *f, const char *expected, const plex__schema *s)
{
    char what[48];
    int rc;

    snprintf(what, sizeof(what), "expected %s", expected);
    if (!s->open)
        return shape_error(c, f, what);
    rc = note(c, f, PLEX_COERCED_DROPPED, what, NULL);
    return rc ? rc : 1;
}

/* One attribute's raw text [a, z) into field f. 0 (present), 1 (absent) or an error. */
static int xml_scalar(ctx *c, const plex__schema *s, const plex__field *f, size_t a, size_t z,
                      void *obj)
{
    void *slot = (char *)obj + f->offset;
    char tmp[64], *text;
    size_t n;
    int b;

    if (f->kind == PLEX__F_STRING || f->kind == PLEX__F_RAW || f->kind == PLEX__F_ANY) {
        if (!(text = plex__arena_alloc_bytes(c->arena, z - a + 1)))
            return nomem(c);
        n = plex__xml_unescape(c->buf, a, z, text);
        text[n] = '\0';
        if (memchr(text, '\0', n) != NULL)
            return shape_error(c, f, "text contains a NUL character");
        if (f->kind == PLEX__F_ANY) {
            ((plex_value *)slot)->type = PLEX_VALUE_STRING;
            ((plex_value *)slot)->text = text;
        } else {
            *(const char **)slot = text;
        }
        return 0;
    }
    if (a == z)
        return 1; /* an empty attribute: absent */
    if (z - a >= sizeof(tmp))
        return xml_bad(c, f, kind_expects(f->kind), s);
    n = plex__xml_unescape(c->buf, a, z, tmp);
    tmp[n] = '\0';
    switch ((plex__field_kind)f->kind) {
    case PLEX__F_INT32:
    case PLEX__F_INT64: {
        int64_t x;
        if (parse_int(tmp, n, &x) == 0 && store_int(f, x, slot) == 0)
            return 0;
        return xml_bad(c, f, "integer", s);
    }
    case PLEX__F_DOUBLE:
        return plex__json_strtod(tmp, n, (double *)slot) == 0 ? 0 : xml_bad(c, f, "number", s);
    case PLEX__F_BOOL:
        if ((b = parse_bool(tmp, n)) < 0)
            return xml_bad(c, f, "0 or 1", s);
        *(plex_opt_bool *)slot = b ? PLEX_TRUE : PLEX_FALSE;
        return 0;
    case PLEX__F_TIME:
        return plex_timestamp_parse((plex_timestamp *)slot, tmp, n) == 0
                   ? 0
                   : xml_bad(c, f, "an RFC 3339 date-time", s);
    default:
        return xml_bad(c, f, kind_expects(f->kind), s);
    }
}

/* Does element name [ns, ne) (with the token's attributes) map to field f? */
static int xml_name_matches(ctx *c, const plex__field *f, const plex__xml_token *t)
{
    const char *p = f->xml ? f->xml : f->name, *name = c->buf + t->name_start;
    size_t n = t->name_end - t->name_start;

    if (!f->xml)
        return f->len == n && memcmp(p, name, n) == 0;
    while (*p) {
        const char *e = p, *at;
        size_t an;
        while (*e && *e != ',')
            e++;
        at = memchr(p, '@', (size_t)(e - p));
        an = (size_t)((at ? at : e) - p);
        if (an == n && memcmp(p, name, n) == 0) {
            char attr[48];
            size_t a, z, k = at ? (size_t)(e - at - 1) : 0;
            if (!at)
                return 1;
            if (k < sizeof(attr)) {
                memcpy(attr, at + 1, k);
                attr[k] = '\0';
                if (plex__xml_attr(&c->x, t, attr, &a, &z))
                    return 1;
            }
        }
        p = *e ? e + 1 : e;
    }
    return 0;
}

static const plex__field *xml_child_field(ctx *c, const plex__schema *s, const plex__xml_token *t)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        if ((f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY) && xml_name_matches(c, f, t))
            return f;
    }
    return NULL;
}

/* An unknown child element of an open model, kept as its exact XML text. */
static int xml_keep_element(ctx *c, ptrs *extra, const plex__xml_token *t)
{
    size_t a = t->name_start - 1;
    plex_attr *at;

    if (plex__xml_skip(&c->x, t))
        return xml_fail(c);
    if (!(at = plex__arena_alloc(c->arena, sizeof(*at))) ||
        !(at->name = copy_bytes(c, c->buf + t->name_start, t->name_end - t->name_start)) ||
        !(at->value.text = copy_bytes(c, c->buf + a, c->x.pos - a)))
        return nomem(c);
    at->value.type = PLEX_VALUE_XML;
    return ptrs_push(c, extra, at);
}

/* A child element t that maps to sub-model field f of obj. */
static int xml_child(ctx *c, const plex__field *f, void *obj, const plex__xml_token *t,
                     ptrs *list, masks *m)
{
    void **single = (void **)(void *)((char *)obj + f->offset);
    size_t saved = path_push(c, f->name, f->len, 1);
    void *sub = plex__arena_alloc(c->arena, f->sub->size);
    int rc = 0;

    if (!sub)
        rc = nomem(c);
    else if (f->kind == PLEX__F_ARRAY)
        path_index(c, list->n);
    else if (*single) /* a second element where one was declared: the last one wins */
        rc = note(c, f, PLEX_COERCED_SHAPE, "one element", NULL);
    if (rc == 0)
        rc = xml_element(c, f->sub, sub, t);
    path_pop(c, saved);
    if (rc)
        return rc;
    if (f->kind == PLEX__F_ARRAY && (rc = ptrs_push(c, list, sub)) != 0)
        return rc;
    if (f->kind != PLEX__F_ARRAY)
        *single = sub;
    set_bit(m->pres, f->bit);
    return 0;
}

/* The children of an element whose start tag t was read. */
static int xml_children(ctx *c, const plex__schema *s, void *obj, ptrs *extra,
                        ptrs *lists /* one per field */, masks *m)
{
    for (;;) {
        plex__xml_token t;
        const plex__field *f;
        int rc;

        if (plex__xml_next(&c->x, &t))
            return xml_fail(c);
        if (t.type == PLEX__XML_END)
            return 0;
        if (t.type != PLEX__XML_START)
            continue; /* text between elements carries nothing here */
        if (!(f = xml_child_field(c, s, &t))) {
            rc = s->open && s->extra_offset != PLEX__NO_OFFSET ? xml_keep_element(c, extra, &t)
                 : plex__xml_skip(&c->x, &t)                   ? xml_fail(c)
                                                               : 0;
            if (rc)
                return rc;
            continue;
        }
        if ((rc = xml_child(c, f, obj, &t, &lists[f - s->fields], m)) != 0)
            return rc;
    }
}

/* Attribute i of a start tag: name [*ns, *ne), value [*va, *vz); 0 at the end. */
static int xml_attr_next(const ctx *c, const plex__xml_token *t, size_t *i, size_t *ns,
                         size_t *ne, size_t *va, size_t *vz)
{
    const char *b = c->buf;
    size_t k = *i;
    char q;

    while (k < t->attr_end && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r'))
        k++;
    if (k >= t->attr_end || b[k] == '/' || b[k] == '>')
        return 0;
    *ns = k;
    while (b[k] != '=' && b[k] != ' ' && b[k] != '\t' && b[k] != '\n' && b[k] != '\r')
        k++;
    *ne = k;
    while (b[k] != '"' && b[k] != '\'')
        k++;
    q = b[k++];
    *va = k;
    while (b[k] != q)
        k++;
    *vz = k;
    *i = k + 1;
    return 1;
}

/* An unknown attribute of an open model, kept in `extra`. */
static int xml_keep_attr(ctx *c, ptrs *extra, size_t ns, size_t ne, size_t va, size_t vz)
{
    plex_attr *a = plex__arena_alloc(c->arena, sizeof(*a));
    char *v;

    if (!a || !(a->name = copy_bytes(c, c->buf + ns, ne - ns)) ||
        !(v = plex__arena_alloc_bytes(c->arena, vz - va + 1)))
        return nomem(c);
    v[plex__xml_unescape(c->buf, va, vz, v)] = '\0';
    a->value.type = PLEX_VALUE_STRING;
    a->value.text = v;
    return ptrs_push(c, extra, a);
}

/* The element whose start tag t was read into obj (a zeroed s struct). */
static int xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t)
{
    ptrs extra = {NULL, 0, 0};
    ptrs lists[PLEX__MAX_WORDS * 32];
    size_t i = t->attr_start, ns, ne, va, vz;
    masks m;
    int rc = 0;

    memset(m.pres, 0, sizeof(uint32_t) * (mask_words(s) > 2 ? mask_words(s) : 2));
    m.missing = 0;
    if (s->nbools)
        set_bools_absent(s, obj);
    while (xml_attr_next(c, t, &i, &ns, &ne, &va, &vz)) {
        const plex__field *f = lookup(s, c->buf + ns, ne - ns);
        if (!f || f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY ||
            f->kind == PLEX__F_STRINGS) {
            if (s->open && s->extra_offset != PLEX__NO_OFFSET &&
                (rc = xml_keep_attr(c, &extra, ns, ne, va, vz)) != 0)
                return rc;
            continue;
        }
        if ((rc = xml_scalar(c, s, f, va, vz, obj)) < 0)
            return rc;
        if (rc == 0)
            set_bit(m.pres, f->bit);
    }
    if (!t->self_closing) {
        memset(lists, 0, sizeof(lists[0]) * s->nfields);
        if ((rc = xml_children(c, s, obj, &extra, lists, &m)) != 0)
            return rc;
        for (size_t k = 0; k < s->nfields; k++) {
            const plex__field *f = &s->fields[k];
            if (f->kind == PLEX__F_ARRAY && lists[k].n) {
                *(void ***)(void *)((char *)obj + f->offset) = lists[k].items;
                *(size_t *)(void *)((char *)obj + PLEX__COUNT_OFFSET(f)) = lists[k].n;
            }
        }
    } else if (plex__xml_skip(&c->x, t)) {
        return xml_fail(c);
    }
    /* XML cannot tell an absent list from an empty one: a required list is present */
    for (size_t k = 0; k < s->nfields; k++)
        if (s->fields[k].kind == PLEX__F_ARRAY && (s->fields[k].flags & PLEX__F_REQUIRED))
            set_bit(m.pres, s->fields[k].bit);
    if (extra.n && (rc = store_extra(c, s, obj, &extra)) != 0)
        return rc;
    if (c->flags & PLEX_PARSE_STRICT) {
        const plex__field *f = first_missing(s, m.pres);
        if (f)
            return plex__error_set(c->err, PLEX_ESCHEMA, "missing required field: %s%s%s",
                                   c->path, c->path_len ? "." : "", f->name);
    }
    return end_object(c, s, obj, &m);
}

int plex__model_parse_xml(void **out, const plex__schema *s, const char *data, size_t len,
                          unsigned int flags, plex_error *err)
{
    plex__xml_token t;
    ctx c;
    void *obj;
    int rc;

    if ((rc = start(&c, out, data, len, flags, err)) != 0)
        return rc;
    plex__xml_reader_init(&c.x, c.buf, len);
    if (plex__xml_next(&c.x, &t))
        return xml_fail(&c);
    if (s->xml && !plex__xml_name_is(&c.x, &t, s->xml))
        return plex__error_set(err, PLEX_ESCHEMA, "expected %s <%s> element at the top level",
                               strchr("aeiouAEIOU", s->xml[0]) ? "an" : "a", s->xml);
    if (!(obj = new_root(s, len)))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    c.arena = plex__arena_of(obj);
    rc = xml_element(&c, s, obj, &t);
    if (rc == 0 && (plex__xml_next(&c.x, &t) || t.type != PLEX__XML_EOF))
        rc = xml_fail(&c);
    if (rc) {
        plex__arena_free_root(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

/* ---- accessors ---- */

void plex__model_free(void *obj)
{
    plex__arena_free_root(obj);
}

size_t plex__model_count(const plex__schema *s, const void *obj, size_t field)
{
    return obj ? *(const size_t *)(const void *)((const char *)obj + PLEX__COUNT_OFFSET(&s->fields[field]))
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

/* ---- JSON encoder ---- */

static void write_value_text(plex__json_writer *w, const plex_value *v)
{
    if (v->type == PLEX_VALUE_STRING || v->type == PLEX_VALUE_XML)
        plex__jw_string(w, v->text);
    else
        plex__jw_raw(w, v->text, strlen(v->text));
}

static void write_object(plex__json_writer *w, const plex__schema *s, const void *obj);

static void write_field(plex__json_writer *w, const plex__schema *s, const plex__field *f,
                        const void *obj)
{
    const void *slot = (const char *)obj + f->offset;
    int has = field_present(s, obj, f);

    switch ((plex__field_kind)f->kind) {
    case PLEX__F_STRING:
    case PLEX__F_RAW:
    case PLEX__F_OBJECT: {
        const void *p = *(const void *const *)slot;
        if (!p) {
            if (f->flags & PLEX__F_NULL_OUT) {
                plex__jw_key(w, f->name);
                plex__jw_null(w);
            }
            return;
        }
        plex__jw_key(w, f->name);
        if (f->kind == PLEX__F_OBJECT)
            write_object(w, f->sub, p);
        else if (f->kind == PLEX__F_RAW)
            plex__jw_raw(w, p, strlen(p));
        else
            plex__jw_string(w, p);
        return;
    }
    case PLEX__F_ANY: {
        const plex_value *v = slot;
        if (v->text && v->type != PLEX_VALUE_NONE) {
            plex__jw_key(w, f->name);
            write_value_text(w, v);
        }
        return;
    }
    case PLEX__F_INT64:
    case PLEX__F_INT32:
        if (has) {
            plex__jw_key(w, f->name);
            plex__jw_int(w, f->kind == PLEX__F_INT32 ? *(const int32_t *)slot
                                                     : *(const int64_t *)slot);
        }
        return;
    case PLEX__F_DOUBLE:
        if (has) {
            char tmp[40];
            plex__jw_key(w, f->name);
            snprintf(tmp, sizeof(tmp), "%.17g", *(const double *)slot);
            plex__jw_raw(w, tmp, strlen(tmp));
        }
        return;
    case PLEX__F_ARRAY:
    case PLEX__F_STRINGS: {
        const void *const *items = *(const void *const *const *)slot;
        /* no items: [] when present (a count without items is ignored) */
        size_t n = items ? *(const size_t *)(const void *)((const char *)obj + PLEX__COUNT_OFFSET(f)) : 0;
        if (!items && !has)
            return;
        plex__jw_key(w, f->name);
        plex__jw_array_begin(w);
        for (size_t j = 0; j < n; j++) {
            if (f->kind == PLEX__F_STRINGS)
                plex__jw_string(w, items[j]); /* NULL writes null */
            else
                write_object(w, f->sub, items[j]);
        }
        plex__jw_array_end(w);
        return;
    }
    case PLEX__F_BOOL:
        if (has) {
            plex__jw_key(w, f->name);
            plex__jw_bool(w, *(const plex_opt_bool *)slot == PLEX_TRUE);
        }
        return;
    case PLEX__F_TIME:
        if (has) {
            char tmp[40];
            plex__jw_key(w, f->name);
            if (plex_timestamp_format(*(const plex_timestamp *)slot, tmp, sizeof(tmp)))
                plex__buf_fail(w->buf, PLEX_EINVALID);
            else
                plex__jw_string(w, tmp);
        }
        return;
    }
}

static void write_object(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    plex__jw_object_begin(w);
    for (size_t i = 0; i < s->nfields; i++)
        write_field(w, s, &s->fields[i], obj);
    if (s->extra_offset != PLEX__NO_OFFSET) {
        const plex_attrs *x = (const plex_attrs *)(const void *)((const char *)obj +
                                                                 s->extra_offset);
        for (size_t i = 0; i < x->count; i++) {
            plex__jw_key(w, x->items[i].name);
            write_value_text(w, &x->items[i].value);
        }
    }
    plex__jw_object_end(w);
}

void plex__model_write(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    if (s->list) {
        const plex__field *f = &s->fields[0];
        const void *const *items =
            *(const void *const *const *)(const void *)((const char *)obj + f->offset);
        size_t n = plex__model_count(s, obj, 0);
        plex__jw_array_begin(w);
        for (size_t j = 0; j < n; j++)
            write_object(w, f->sub, items[j]);
        plex__jw_array_end(w);
        return;
    }
    if (s->root_key) {
        plex__jw_object_begin(w);
        plex__jw_key(w, s->root_key);
        write_object(w, s, obj);
        plex__jw_object_end(w);
        return;
    }
    write_object(w, s, obj);
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

/* ---- XML encoder ---- */

static void xml_attr_text(plex__buf *b, const char *name, const char *text)
{
    if (plex__utf8_valid_prefix(text, strlen(text)) != strlen(text))
        plex__buf_fail(b, PLEX_EINVALID);
    plex__buf_printf(b, " %s=\"", name);
    plex__xml_put_escaped(b, text);
    plex__buf_putc(b, '"');
}

/* The XML element name of field f's children: the first of its xml names. */
static void child_name(const plex__field *f, char *out, size_t size)
{
    const char *p = f->xml ? f->xml : f->name;
    size_t n = strcspn(p, ",@");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

void plex__model_write_xml(plex__buf *b, const plex__schema *s, const void *obj, const char *name)
{
    int children = 0;

    plex__buf_printf(b, "<%s", name ? name : s->xml ? s->xml : s->name);
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        const void *slot = (const char *)obj + f->offset;
        char tmp[40];

        if (!field_present(s, obj, f) && f->kind != PLEX__F_STRING && f->kind != PLEX__F_RAW)
            continue;
        switch ((plex__field_kind)f->kind) {
        case PLEX__F_STRING:
        case PLEX__F_RAW:
            if (*(const char *const *)slot)
                xml_attr_text(b, f->name, *(const char *const *)slot);
            break;
        case PLEX__F_ANY:
            if (((const plex_value *)slot)->text)
                xml_attr_text(b, f->name, ((const plex_value *)slot)->text);
            break;
        case PLEX__F_INT32:
            plex__buf_printf(b, " %s=\"%d\"", f->name, (int)*(const int32_t *)slot);
            break;
        case PLEX__F_INT64:
            plex__buf_printf(b, " %s=\"%lld\"", f->name, (long long)*(const int64_t *)slot);
            break;
        case PLEX__F_DOUBLE:
            plex__buf_printf(b, " %s=\"%.17g\"", f->name, *(const double *)slot);
            break;
        case PLEX__F_BOOL:
            plex__buf_printf(b, " %s=\"%d\"", f->name,
                             *(const plex_opt_bool *)slot == PLEX_TRUE ? 1 : 0);
            break;
        case PLEX__F_TIME:
            if (plex_timestamp_format(*(const plex_timestamp *)slot, tmp, sizeof(tmp)))
                plex__buf_fail(b, PLEX_EINVALID);
            else
                plex__buf_printf(b, " %s=\"%s\"", f->name, tmp);
            break;
        default:
            children = 1;
        }
    }
    if (s->extra_offset != PLEX__NO_OFFSET) {
        const plex_attrs *x = (const plex_attrs *)(const void *)((const char *)obj +
                                                                 s->extra_offset);
        for (size_t i = 0; i < x->count; i++)
            if (x->items[i].value.type != PLEX_VALUE_XML && x->items[i].value.type !=
                                                                PLEX_VALUE_JSON)
                xml_attr_text(b, x->items[i].name, x->items[i].value.text);
    }
    if (!children) {
        plex__buf_puts(b, "/>");
        return;
    }
    plex__buf_putc(b, '>');
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        const void *slot = (const char *)obj + f->offset;
        char cname[64];

        child_name(f, cname, sizeof(cname));
        if (f->kind == PLEX__F_OBJECT && *(const void *const *)slot) {
            plex__model_write_xml(b, f->sub, *(const void *const *)slot, cname);
        } else if (f->kind == PLEX__F_ARRAY) {
            const void *const *items = *(const void *const *const *)slot;
            size_t n = items ? plex__model_count(s, obj, i) : 0;
            for (size_t j = 0; j < n; j++)
                plex__model_write_xml(b, f->sub, items[j], cname);
        }
    }
    plex__buf_printf(b, "</%s>", name ? name : s->xml ? s->xml : s->name);
}

int plex__model_to_xml(const plex__schema *s, const void *obj, char **out)
{
    plex__buf b = PLEX__BUF_INIT;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!obj)
        return PLEX_EINVALID;
    plex__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    plex__model_write_xml(&b, s, obj, NULL);
    plex__buf_putc(&b, '\n');
    return plex__buf_detach(&b, out);
}

/* ---- unknown attributes ---- */

const char *plex_attrs_get(const plex_attrs *attrs, const char *name)
{
    if (!attrs || !name)
        return NULL;
    for (size_t i = 0; i < attrs->count; i++)
        if (strcmp(attrs->items[i].name, name) == 0)
            return attrs->items[i].value.text;
    return NULL;
}

/*
 * The model engine's internals, shared by its files: model.c (JSON decoding,
 * parse entry points), model_xml.c (XML decoding and encoding),
 * model_write.c (JSON encoding) and model_stream.c (incremental decoding).
 * Small helpers are static inline here, so the hot JSON loop keeps them
 * inlined.
 */
#ifndef PLEX_MODEL_INTERNAL_H
#define PLEX_MODEL_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "model.h"
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
    uint32_t coerced; /* plex_coercion bits noted so far */
    char path[192];   /* dotted path of the enclosing object, "" at the top */
    size_t path_len;
} ctx;

/* ---- errors and paths ---- */

static inline int shape_error(ctx *c, const plex__field *f, const char *what)
{
    return plex__error_set(c->err, PLEX_ESCHEMA, "%s%s%s: %s", c->path, c->path_len ? "." : "",
                           f->name, what);
}

static inline int type_error(ctx *c, const plex__field *f, const char *expected,
                             const plex__json_token *got)
{
    return plex__error_set(c->err, PLEX_ESCHEMA, "%s%s%s: expected %s, got %s", c->path,
                           c->path_len ? "." : "", f->name, expected,
                           plex__json_type_name(got->type));
}

static inline int nomem(ctx *c)
{
    return plex__error_set(c->err, PLEX_ENOMEM, "out of memory");
}

/* Copy n bytes (a name, a few dozen at most) with fixed-size moves: GCC
 * expands a memcpy of unknown size inline as `rep movs`, slow to start. */
static inline void copy_small(char *d, const char *s, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            memcpy(d + i, s + i, 8);
        memcpy(d + n - 8, s + n - 8, 8); /* the last 8, overlapping */
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

/* Append a path component (".name" or "[i]") for error messages. */
static inline size_t path_push(ctx *c, const char *text, size_t n, int dot)
{
    size_t saved = c->path_len;
    if (saved + 1 + n < sizeof(c->path)) {
        if (dot && saved)
            c->path[c->path_len++] = '.';
        copy_small(c->path + c->path_len, text, n);
        c->path_len += n;
        c->path[c->path_len] = '\0';
    }
    return saved;
}

static inline void path_pop(ctx *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

/* Append "[i]" (formatted by hand: every element of every list passes here). */
static inline size_t path_index(ctx *c, size_t i)
{
    char idx[24], *p = idx + sizeof(idx);

    *--p = ']';
    do {
        *--p = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    *--p = '[';
    return path_push(c, p, (size_t)(idx + sizeof(idx) - p), 0);
}

/* An open model took a value of another type than declared (or dropped
 * one): fine unless strict, where it is the error `expected X, got Y`
 * (got NULL: XML, `expected X`). Returns 0 or the error. */
int plex__model_note(ctx *c, const plex__field *f, unsigned int what, const char *expected,
                     const plex__json_token *got);
#define note plex__model_note

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
static inline int field_present(const plex__schema *s, const void *obj, const plex__field *f)
{
    if (s->present_offset == PLEX__NO_OFFSET)
        return 1;
    return get_bit((const uint32_t *)(const void *)((const char *)obj + s->present_offset), f->bit);
}

/* The low 64 presence bits of obj as one mask (exact models merge these). */
/* Bits 0..63 of a masks struct (both words are always set). */
static inline uint64_t low_mask(const uint32_t *w)
{
    return (uint64_t)w[0] | (uint64_t)w[1] << 32;
}

/* The words of a masks struct in use for schema s (merged bits included):
 * also the length of its `required` array. */
static inline size_t mask_words(const plex__schema *s)
{
    size_t n = ((size_t)s->nfields + 31) / 32;
    return s->words > n ? s->words : n ? n : 1;
}

/* Required bits 0..63 (the generator pads `required` to at least two words). */
static inline uint64_t required_mask(const plex__schema *s)
{
    return (uint64_t)s->required[0] | (uint64_t)s->required[1] << 32;
}

/* Before decoding into a zeroed struct: its bool fields are "absent" (not false). */
static inline void set_bools_absent(const plex__schema *s, void *obj)
{
    for (size_t i = 0; i < s->nbools; i++)
        *(plex_opt_bool *)(void *)((char *)obj + s->bools[i]) = PLEX_ABSENT;
}

/* The first required field of an open model that is absent, or NULL. */
static inline const plex__field *first_missing(const plex__schema *s, const uint32_t *p)
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

static inline int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int d = memcmp(a, b, an < bn ? an : bn);
    return d ? d : (an > bn) - (an < bn);
}

/* The field named [name, name + n), by binary search; NULL if none. */
static inline const plex__field *lookup(const plex__schema *s, const char *name, size_t n)
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

/* The field named [name, name + n) that was not the expected one: first the
 * few after it (keys come in table order, some left out), then by binary
 * search; NULL if none. */
static inline const plex__field *find_field(const plex__schema *s, const plex__field *from,
                                            const char *name, size_t n)
{
    const plex__field *end = s->fields + s->nfields;
    const plex__field *stop = end - from > 16 ? from + 16 : end;

    for (const plex__field *f = from; f < stop; f++)
        if (f->len == n && plex__same_bytes(f->name, name, n))
            return f;
    return lookup(s, name, n);
}

/* The field of a key token that was not the expected one. */
static inline const plex__field *find_key(ctx *c, const plex__schema *s, const plex__json_token *k)
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
static inline char *copy_text(ctx *c, const plex__json_token *t, int is_string, size_t a, size_t z,
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

static inline char *copy_bytes(ctx *c, const char *s, size_t n)
{
    char *dst = plex__arena_alloc_bytes(c->arena, n + 1);
    if (dst) {
        memcpy(dst, s, n);
        dst[n] = '\0';
    }
    return dst;
}

/* copy_bytes for the n bytes at s of which `avail` are readable: a short
 * string is moved as one 16-byte block (the arena's free space takes the
 * bytes past its NUL), a call to memcpy costs more than the copy. */
static INLINE char *copy_short(ctx *c, const char *s, size_t n, size_t avail)
{
    plex__arena *a = c->arena;

    if (n < 16 && avail >= 16 && a->cur.cap - a->cur.used >= 16) {
        char *dst = a->cur.data + a->cur.used;
        memcpy(dst, s, 16);
        dst[n] = '\0';
        a->cur.used += n + 1;
        return dst;
    }
    return copy_bytes(c, s, n);
}

/* The raw JSON text of the value starting at v (a container is consumed). */
static inline int raw_span(ctx *c, const plex__json_token *v, size_t *a, size_t *z)
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
static inline int parse_int(const char *s, size_t n, int64_t *out)
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
static inline int store_int(const plex__field *f, int64_t x, void *slot)
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
static inline int parse_bool(const char *s, size_t n)
{
    if ((n == 1 && s[0] == '1') || (n == 4 && memcmp(s, "true", 4) == 0))
        return 1;
    if ((n == 1 && s[0] == '0') || (n == 5 && memcmp(s, "false", 5) == 0))
        return 0;
    return -1;
}

/* ---- shared by the decoders ---- */

/* A growing array of pointers in the arena. */
typedef struct ptrs {
    void **items;
    size_t n, cap;
} ptrs;

static inline int ptrs_push(ctx *c, ptrs *p, void *item)
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

/* The pointer list of extras as the plex_attrs of obj (items are contiguous
 * copies, so callers index plex_attr structs). */
static inline int store_extra(ctx *c, const plex__schema *s, void *obj, const ptrs *extra)
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

/* What a field of this kind expects, for "expected X, got null". */
static inline const char *kind_expects(unsigned char kind)
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

/* After an object: its missing required fields (merged up for exact
 * models; the first one is an error for a strict open model), masks
 * stored, finish hook run. */
static INLINE int end_object(ctx *c, const plex__schema *s, void *obj, masks *m)
{
    if (s->open) {
        const plex__field *f;
        if ((c->flags & PLEX_PARSE_STRICT) && (f = first_missing(s, m->pres)) != NULL)
            return plex__error_set(c->err, PLEX_ESCHEMA, "missing required field: %s%s%s", c->path,
                                   c->path_len ? "." : "", f->name);
        if (s->coerced_offset != PLEX__NO_OFFSET)
            *(uint32_t *)(void *)((char *)obj + s->coerced_offset) = c->coerced;
    } else {
        m->missing |= required_mask(s) & ~low_mask(m->pres);
        if (s->missing_offset != PLEX__NO_OFFSET)
            *(uint32_t *)(void *)((char *)obj + s->missing_offset) = (uint32_t)m->missing;
    }
    if (s->present_offset != PLEX__NO_OFFSET) {
        uint32_t *p = (uint32_t *)(void *)((char *)obj + s->present_offset);
        copy_small((char *)p, (const char *)m->pres, sizeof(uint32_t) * s->words);
    }
    if (s->finish)
        s->finish(obj);
    return 0;
}

static inline void *new_root(const plex__schema *s, size_t len)
{
    size_t extra = len + (size_t)s->size + 64;
    return plex__arena_new(s->size, extra > FIRST_BLOCK_MAX ? FIRST_BLOCK_MAX : extra);
}

static inline int start(ctx *c, void **out, const char *data, size_t len, unsigned int flags,
                        plex_error *err)
{
    /* the codes are returned as constants, so analyzers see every failure */
    if (!out) {
        plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
        return PLEX_EINVALID;
    }
    *out = NULL;
    if (!data && len) {
        plex__error_set(err, PLEX_EINVALID, "invalid argument: data is NULL");
        return PLEX_EINVALID;
    }
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

/* ---- entry points between the engine's files ---- */

/* model.c: decode the members of a JSON object whose '{' was just read (c->r). */
int plex__model_json_object(ctx *c, const plex__schema *s, void *obj);
/* model.c: one member's value (first token v) into field f of obj: 0 present,
 * 1 dropped (absent), or an error. Not for fields that merge (sub_shift). */
int plex__model_json_field(ctx *c, const plex__schema *s, const plex__field *f,
                           const plex__json_token *v, void *obj);

/* model.c: an open model's unknown member (key k, value v) kept in extra. */
int plex__model_json_keep_extra(ctx *c, ptrs *extra, const plex__json_token *k,
                                const plex__json_token *v);

/* model_xml.c: the pieces of an element (c->x): its attributes into obj; a
 * child that maps to field f; the field a child maps to (or NULL); an unknown
 * child kept in extra; the end (lists, extras, strict check, finish). */
int plex__model_xml_attrs(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t,
                          masks *m, ptrs *extra);
int plex__model_xml_child(ctx *c, const plex__field *f, void *obj, const plex__xml_token *t,
                          ptrs *list, masks *m);
const plex__field *plex__model_xml_child_field(ctx *c, const plex__schema *s,
                                               const plex__xml_token *t);
int plex__model_xml_keep_element(ctx *c, ptrs *extra, const plex__xml_token *t);
int plex__model_xml_end(ctx *c, const plex__schema *s, void *obj, masks *m, const ptrs *extra,
                        const ptrs *lists);
/* model_xml.c: a whole element whose start tag t was read into obj. */
int plex__model_xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t);

#endif

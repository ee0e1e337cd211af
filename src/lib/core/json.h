/*
 * The project's own JSON reader and writer (STYLE.md §10).
 *
 * The reader is a pull reader: the caller asks for the next token. It is
 * strict RFC 8259: UTF-8 is validated, escapes and surrogate pairs checked,
 * control characters rejected, numbers follow the grammar, nothing may
 * follow the top-level value, nesting is bounded by PLEX__JSON_MAX_DEPTH. It
 * never reads outside [buf, buf + len). Strings are validated when they are
 * scanned; plex__json_unescape() then copies them out without checks.
 */
#ifndef PLEX_JSON_H
#define PLEX_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

#define PLEX__JSON_MAX_DEPTH 512

typedef enum plex__json_type {
    PLEX__JSON_EOF = 0, /* the top-level value is complete and only whitespace followed */
    PLEX__JSON_OBJECT_BEGIN,
    PLEX__JSON_OBJECT_END,
    PLEX__JSON_ARRAY_BEGIN,
    PLEX__JSON_ARRAY_END,
    PLEX__JSON_KEY, /* an object member name; the ':' is consumed */
    PLEX__JSON_STRING,
    PLEX__JSON_NUMBER,
    PLEX__JSON_TRUE,
    PLEX__JSON_FALSE,
    PLEX__JSON_NULL
} plex__json_type;

/* 1 if the n bytes at a and b are equal: memcmp for the short names of JSON
 * keys, a word at a time and inlined (a call to memcmp costs more). */
static inline int plex__same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        uint64_t x, y;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8); /* the last 8, overlapping what was compared */
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return x == y && u == v;
    }
    for (; n; n--)
        if (*a++ != *b++)
            return 0;
    return 1;
}

typedef struct plex__json_token {
    plex__json_type type;
    size_t start; /* strings and keys: first byte after the opening quote;
                     numbers and literals: the first byte; brackets: the bracket */
    size_t end;   /* one past the last byte (strings: the closing quote) */
    int escaped;  /* strings and keys: contains a backslash escape */
    int integer;  /* numbers: no fraction and no exponent */
    int expected; /* keys from plex__json_next_member_expect: it was the expected one */
} plex__json_token;

/* The reader's state: what may come next. */
enum {
    PLEX__JSON_ST_VALUE,        /* a value (top level, after ':' or after ',' in an array) */
    PLEX__JSON_ST_VALUE_OR_END, /* after '[' */
    PLEX__JSON_ST_KEY,          /* after ',' in an object */
    PLEX__JSON_ST_KEY_OR_END,   /* after '{' */
    PLEX__JSON_ST_AFTER_VALUE,  /* ',' or the closing bracket */
    PLEX__JSON_ST_DONE          /* the top-level value is complete */
};

typedef struct plex__json_reader {
    const char *buf;
    size_t len;
    size_t pos;
    unsigned int depth;
    int state;
    int failed; /* once set, every call fails again */
    size_t err_pos;
    const char *err_msg;                           /* static text */
    unsigned char stack[PLEX__JSON_MAX_DEPTH / 8]; /* bit set: inside an object */
} plex__json_reader;

void plex__json_reader_init(plex__json_reader *r, const char *buf, size_t len);

/*
 * The reader's fast paths, inline so that a schema-driven decoder (the model
 * engine) keeps its position in a register. Each one reads only the common
 * form of a piece of JSON (compact or single-spaced punctuation, a plain key,
 * a plain string or integer) from the bytes b[0..n), never past n, and
 * returns the position after it; 0 means "not that simple", and the caller
 * then puts the reader back where the piece started (plex__json_in_object,
 * plex__json_at_value) and uses the general functions below, which read
 * everything else and report every error.
 */

/* From byte i: past JSON whitespace (' ', '\t', '\n', '\r': bits of a mask). */
static inline size_t plex__json_ws(const char *b, size_t i, size_t n)
{
    while (i < n && (unsigned char)b[i] <= ' ' && ((0x100002600ull >> (unsigned char)b[i]) & 1))
        i++;
    return i;
}

/* The same, quick when there is none or one space (between tokens). */
static inline size_t plex__json_ws_short(const char *b, size_t i, size_t n)
{
    if (i < n && (unsigned char)b[i] <= ' ') {
        if (b[i] == ' ' && i + 1 < n && (unsigned char)b[i + 1] > ' ')
            return i + 1;
        return plex__json_ws(b, i, n);
    }
    return i;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* From byte i inside a string: the first byte that needs attention ('"',
 * '\\', a control character or a byte >= 0x80), or n. SSE2 (baseline on
 * x86-64) 16 bytes at a time, else 8 at a time in a 64-bit word on
 * little-endian GCC/clang, then byte by byte. Never reads past n. */
static inline size_t plex__json_plain_run(const char *b, size_t i, size_t n)
{
    const unsigned char *s = (const unsigned char *)b;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        /* a signed compare with 0x20 flags control characters and bytes >= 0x80 */
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return i + (unsigned)__builtin_ctz(bits);
        i += 16;
    }
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Each test can only mis-flag a byte above a truly flagged one; the
     * lowest flagged byte is always exact, and that is the one used. */
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (i + 8 <= n) {
        uint64_t x, special;
        memcpy(&x, s + i, 8);
        special = ((x - ones * 0x20) & ~x & highs)                                /* < 0x20 */
                  | (((x ^ (ones * 0x22)) - ones) & ~(x ^ (ones * 0x22)) & highs) /* '"' */
                  | (((x ^ (ones * 0x5C)) - ones) & ~(x ^ (ones * 0x5C)) & highs) /* '\\' */
                  | (x & highs);                                                  /* >= 0x80 */
        if (special)
            return i + ((unsigned)__builtin_ctzll(special) >> 3);
        i += 8;
    }
#endif
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* Inside an object, from byte i (right after its '{': first, or after a
 * member's value): past ',' and whitespace to the '"' that opens the next key; 0 when
 * something else comes (the end of the object, an error). */
static inline size_t plex__json_key_start(const char *b, size_t i, size_t n, int first)
{
    if (!first) {
        if (n - i > 3 && b[i] == ',') { /* compact JSON, or one space */
            if (b[i + 1] == '"')
                return i + 1;
            if (b[i + 1] == ' ' && b[i + 2] == '"')
                return i + 2;
        }
        i = plex__json_ws_short(b, i, n);
        if (i >= n || b[i] != ',')
            return 0;
        i++;
    }
    i = plex__json_ws_short(b, i, n);
    return i < n && b[i] == '"' ? i : 0;
}

/* From the '"' that closes a key at b[i]: past ':' and whitespace to the
 * member's value; 0 when the key is not followed by ':' and a value. */
static inline size_t plex__json_key_colon(const char *b, size_t i, size_t n)
{
    if (n - i > 3 && b[i + 1] == ':') { /* compact JSON, or one space */
        if ((unsigned char)b[i + 2] > ' ')
            return i + 2;
        if (b[i + 2] == ' ' && (unsigned char)b[i + 3] > ' ')
            return i + 3;
    }
    i = plex__json_ws_short(b, i + 1, n);
    if (i >= n || b[i] != ':')
        return 0;
    i = plex__json_ws_short(b, i + 1, n);
    return i < n ? i : 0;
}

/*
 * The fast path of plex__json_next_member_expect for the common case, from
 * the '"' at b[q] found by plex__json_key_start: a plain key (printable
 * ASCII, no escape), ':' and the value. These return the position of the
 * member's value (a non-whitespace byte), or 0 for anything else. The caller
 * reads the value itself, or puts the reader at it (plex__json_at_value); or
 * it takes the general path from where it was (plex__json_in_object).
 *
 * plex__json_expected_key: only when the key is `expect` (elen bytes of plain
 * ASCII without '"', '\\' or control characters).
 */
static inline size_t plex__json_expected_key(const char *b, size_t q, size_t n, const char *expect,
                                             size_t elen)
{
    q++;
    if (n - q <= elen || b[q + elen] != '"' || !plex__same_bytes(b + q, expect, elen))
        return 0;
    return plex__json_key_colon(b, q + elen, n);
}

/* plex__json_plain_key: any plain key, whose bytes are [*key, *key + *klen). */
static inline size_t plex__json_plain_key(const char *b, size_t q, size_t n, size_t *key,
                                          size_t *klen)
{
    size_t e = plex__json_plain_run(b, q + 1, n);

    if (e >= n || b[e] != '"')
        return 0;
    *key = q + 1;
    *klen = e - q - 1;
    return plex__json_key_colon(b, e, n);
}

/* Inside an array (the reader after its '[' or after an element, not
 * failed): past ',' and whitespace to the next element's first byte; 0 at
 * the end of the array or for anything else (the general path). */
static inline size_t plex__json_element(const plex__json_reader *r)
{
    const char *b = r->buf;
    size_t n = r->len, i = plex__json_ws_short(b, r->pos, n);

    if (r->state == PLEX__JSON_ST_AFTER_VALUE) {
        if (i >= n || b[i] != ',')
            return 0;
        i = plex__json_ws_short(b, i + 1, n);
    } else if (r->state != PLEX__JSON_ST_VALUE_OR_END) {
        return 0;
    }
    return i < n && b[i] != ']' ? i : 0;
}

/* From byte i: past whitespace to a closing bracket `close`; its position,
 * or 0 when something else comes. */
static inline size_t plex__json_closing(const char *b, size_t i, size_t n, char close)
{
    i = plex__json_ws_short(b, i, n);
    return i < n && b[i] == close ? i : 0;
}

/* Consume the closing bracket at r->buf[pos] of the innermost object or
 * array (found by plex__json_closing after its opening bracket or a value),
 * as plex__json_next does. */
static inline void plex__json_end_container(plex__json_reader *r, size_t pos)
{
    r->pos = pos + 1;
    r->depth--;
    r->state = r->depth ? PLEX__JSON_ST_AFTER_VALUE : PLEX__JSON_ST_DONE;
}

/* Open the object or array whose '{' or '[' is at r->buf[pos] (a value the
 * reader is at, or found by the fast paths above) as plex__json_next does:
 * tok gets its BEGIN token. 0, or -1 when nesting would pass
 * PLEX__JSON_MAX_DEPTH (the reader untouched: the general path reports it). */
static inline int plex__json_open(plex__json_reader *r, size_t pos, plex__json_token *tok)
{
    unsigned int d = r->depth;
    int object = r->buf[pos] == '{';

    if (d >= PLEX__JSON_MAX_DEPTH)
        return -1;
    if ((d & 7) == 0)
        r->stack[d >> 3] = 0; /* a fresh byte of the stack: no stale bits */
    if (object)
        r->stack[d >> 3] |= (unsigned char)(1u << (d & 7));
    else
        r->stack[d >> 3] &= (unsigned char)~(1u << (d & 7));
    r->depth = d + 1;
    tok->type = object ? PLEX__JSON_OBJECT_BEGIN : PLEX__JSON_ARRAY_BEGIN;
    tok->start = pos;
    tok->end = pos + 1;
    r->pos = pos + 1;
    r->state = object ? PLEX__JSON_ST_KEY_OR_END : PLEX__JSON_ST_VALUE_OR_END;
    return 0;
}

/* A plain integer at b[i] (-?[1-9][0-9]* or 0, at most 18 digits, not
 * followed by '.', 'e', 'E' or a digit): its end, and its value in *out; 0
 * for anything else, which the general path reads (or rejects). (Eight
 * digits at a time in a 64-bit word was tried: no gain on Plex's mostly
 * short numbers.) */
static inline size_t plex__json_plain_int(const char *b, size_t i, size_t n, int64_t *out)
{
    size_t j = i, d0;
    uint64_t v = 0;

    if (j < n && b[j] == '-')
        j++;
    d0 = j;
    while (j < n && (unsigned char)(b[j] - '0') < 10 && j - d0 < 18)
        v = v * 10 + (uint64_t)(b[j++] - '0');
    if (j == d0 || (b[d0] == '0' && j - d0 > 1))
        return 0;
    if (j < n && (b[j] == '.' || b[j] == 'e' || b[j] == 'E' || (unsigned char)(b[j] - '0') < 10))
        return 0;
    *out = d0 > i ? -(int64_t)v : (int64_t)v;
    return j;
}

/* Put the reader at the first byte of a member's value (after its key). */
static inline void plex__json_at_value(plex__json_reader *r, size_t pos)
{
    r->pos = pos;
    r->state = PLEX__JSON_ST_VALUE;
}

/* The reader back inside an object at pos, which the caller reached with the
 * fast paths: right after its '{' (first), or after a member's value. */
static inline void plex__json_in_object(plex__json_reader *r, size_t pos, int first)
{
    r->pos = pos;
    r->state = first ? PLEX__JSON_ST_KEY_OR_END : PLEX__JSON_ST_AFTER_VALUE;
}

/* Read the next token. Returns 0, or PLEX_EPARSE with r->err_pos/err_msg set. */
int plex__json_next(plex__json_reader *r, plex__json_token *tok);

/* The string value whose opening quote is at q, of which the bytes before i
 * are plain (a fast path stopped at i): scanned (validated) from i on as
 * plex__json_next does, the reader after it. 0 with *tok set, or
 * PLEX_EPARSE. */
int plex__json_string_from(plex__json_reader *r, size_t q, size_t i, plex__json_token *tok);

/* Inside an object: read the next member's key and the first token of its
 * value in one call. At the end of the object, key->type is
 * PLEX__JSON_OBJECT_END (val untouched). Same errors as plex__json_next. */
int plex__json_next_member(plex__json_reader *r, plex__json_token *key, plex__json_token *val);

/* The same, told which key is likely next (`expect`, elen bytes of plain
 * ASCII without '"', '\\' or control characters): when the key's bytes are
 * exactly that, it is taken without a scan and key->expected is 1. */
int plex__json_next_member_expect(plex__json_reader *r, plex__json_token *key,
                                  plex__json_token *val, const char *expect, size_t elen);

/* After `tok` was read, consume the rest of the value it starts (the whole
 * object or array for a BEGIN token; nothing for a scalar). */
int plex__json_skip(plex__json_reader *r, const plex__json_token *tok);

/* Record the reader's syntax error into err; returns PLEX_EPARSE. */
int plex__json_error(const plex__json_reader *r, plex_error *err);

/* Copy the unescaped bytes of a string token into dst, which must have room
 * for tok->end - tok->start bytes; returns the length written (no NUL added).
 * The token must come from a successful plex__json_next on the same buffer. */
size_t plex__json_unescape(const char *buf, const plex__json_token *tok, char *dst);

/* 1 if the unescaped string token equals s[0..n). */
int plex__json_key_eq(const char *buf, const plex__json_token *tok, const char *s, size_t n);

/* Number token to int64: 0, or -1 if it has a fraction/exponent or overflows. */
int plex__json_int64(const char *buf, const plex__json_token *tok, int64_t *out);

/* Decimal text (JSON number grammar) to double, independent of the C locale.
 * Returns 0, or -1 if the text is not a JSON number or is out of range. */
int plex__json_strtod(const char *s, size_t n, double *out);

/* "string", "number", "object", "array", "boolean", "null" for a value token. */
const char *plex__json_type_name(plex__json_type t);

/* Length of the valid UTF-8 prefix of s[0..n): n when all of it is valid. */
size_t plex__utf8_valid_prefix(const char *s, size_t n);

/*
 * Writer: appends compact JSON to a plex__buf. Commas are managed by the
 * writer; invalid UTF-8 in a string marks the buffer PLEX_EINVALID.
 */
typedef struct plex__json_writer {
    plex__buf *buf;
    unsigned int depth;
    int need_comma; /* a value was written at the current level */
    int after_key;  /* the next value follows a key */
} plex__json_writer;

void plex__jw_init(plex__json_writer *w, plex__buf *buf);
void plex__jw_object_begin(plex__json_writer *w);
void plex__jw_object_end(plex__json_writer *w);
void plex__jw_array_begin(plex__json_writer *w);
void plex__jw_array_end(plex__json_writer *w);
void plex__jw_key(plex__json_writer *w, const char *key);
void plex__jw_string(plex__json_writer *w, const char *s); /* NULL writes null */
void plex__jw_stringn(plex__json_writer *w, const char *s, size_t n);
void plex__jw_int(plex__json_writer *w, int64_t v);
void plex__jw_bool(plex__json_writer *w, int v);
void plex__jw_null(plex__json_writer *w);
/* One complete JSON value, checked with the reader; invalid text marks the buffer PLEX_EINVALID. */
void plex__jw_raw(plex__json_writer *w, const char *json, size_t n);

/* Append s[0..n) as a quoted JSON string (no comma handling). */
void plex__json_put_string(plex__buf *b, const char *s, size_t n);

#endif

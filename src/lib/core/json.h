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
    PLEX__JSON_EOF = 0,    /* the top-level value is complete and only whitespace followed */
    PLEX__JSON_OBJECT_BEGIN,
    PLEX__JSON_OBJECT_END,
    PLEX__JSON_ARRAY_BEGIN,
    PLEX__JSON_ARRAY_END,
    PLEX__JSON_KEY,        /* an object member name; the ':' is consumed */
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
    size_t start;   /* strings and keys: first byte after the opening quote;
                       numbers and literals: the first byte; brackets: the bracket */
    size_t end;     /* one past the last byte (strings: the closing quote) */
    int escaped;    /* strings and keys: contains a backslash escape */
    int integer;    /* numbers: no fraction and no exponent */
    int expected;   /* keys from plex__json_next_member_expect: it was the expected one */
} plex__json_token;

typedef struct plex__json_reader {
    const char *buf;
    size_t len;
    size_t pos;
    unsigned int depth;
    int state;
    int failed;            /* once set, every call fails again */
    size_t err_pos;
    const char *err_msg;   /* static text */
    unsigned char stack[PLEX__JSON_MAX_DEPTH / 8]; /* bit set: inside an object */
} plex__json_reader;

void plex__json_reader_init(plex__json_reader *r, const char *buf, size_t len);

/* Read the next token. Returns 0, or PLEX_EPARSE with r->err_pos/err_msg set. */
int plex__json_next(plex__json_reader *r, plex__json_token *tok);

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
    int need_comma;         /* a value was written at the current level */
    int after_key;          /* the next value follows a key */
} plex__json_writer;

void plex__jw_init(plex__json_writer *w, plex__buf *buf);
void plex__jw_object_begin(plex__json_writer *w);
void plex__jw_object_end(plex__json_writer *w);
void plex__jw_array_begin(plex__json_writer *w);
void plex__jw_array_end(plex__json_writer *w);
void plex__jw_key(plex__json_writer *w, const char *key);
void plex__jw_string(plex__json_writer *w, const char *s);   /* NULL writes null */
void plex__jw_stringn(plex__json_writer *w, const char *s, size_t n);
void plex__jw_int(plex__json_writer *w, int64_t v);
void plex__jw_bool(plex__json_writer *w, int v);
void plex__jw_null(plex__json_writer *w);
/* One complete JSON value, checked with the reader; invalid text marks the buffer PLEX_EINVALID. */
void plex__jw_raw(plex__json_writer *w, const char *json, size_t n);

/* Append s[0..n) as a quoted JSON string (no comma handling). */
void plex__json_put_string(plex__buf *b, const char *s, size_t n);

#endif

/*
 * JSON pull reader and writer. See json.h for the contract.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Reader states (json.h), by their short names. */
enum {
    ST_VALUE = PLEX__JSON_ST_VALUE,
    ST_VALUE_OR_END = PLEX__JSON_ST_VALUE_OR_END,
    ST_KEY = PLEX__JSON_ST_KEY,
    ST_KEY_OR_END = PLEX__JSON_ST_KEY_OR_END,
    ST_AFTER_VALUE = PLEX__JSON_ST_AFTER_VALUE,
    ST_DONE = PLEX__JSON_ST_DONE
};

static int fail(plex__json_reader *r, size_t pos, const char *msg)
{
    r->failed = 1;
    r->err_pos = pos;
    r->err_msg = msg;
    return PLEX_EPARSE;
}

void plex__json_reader_init(plex__json_reader *r, const char *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->depth = 0;
    r->state = ST_VALUE;
    r->failed = 0;
    r->err_pos = 0;
    r->err_msg = NULL;
}

int plex__json_error(const plex__json_reader *r, plex_error *err)
{
    return plex__error_syntax(err, r->err_pos, r->err_msg ? r->err_msg : "invalid JSON");
}

/* Length of one valid UTF-8 sequence at s (n bytes available, s[0] >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];

    if (c >= 0xC2 && c <= 0xDF) {
        if (n >= 2 && (s[1] & 0xC0) == 0x80)
            return 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
        if (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80)
            return 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* not above U+10FFFF */
        if (n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
            return 4;
    }
    return 0;
}

size_t plex__utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        if (p[i] < 0x80) {
            i++;
        } else {
            size_t k = utf8_seq(p + i, n - i);
            if (!k)
                return i;
            i += k;
        }
    }
    return n;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Four hex digits at p (availability checked by the caller). -1 if not hex. */
static long hex4(const unsigned char *p)
{
    int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), d = hexval(p[3]);
    if ((a | b | c | d) < 0)
        return -1;
    return (long)((a << 12) | (b << 8) | (c << 4) | d);
}

/* Skip bytes that need no attention in a string (json.h). */
static size_t skip_plain(const unsigned char *s, size_t i, size_t n)
{
    return plex__json_plain_run((const char *)s, i, n);
}

#if defined(__GNUC__)
#define PLEX__COLD __attribute__((noinline, cold))
#else
#define PLEX__COLD
#endif

/* The general string scanner, from byte i (escapes, UTF-8, errors). */
static PLEX__COLD int scan_string_slow(plex__json_reader *r, plex__json_token *tok, size_t i)
{
    const unsigned char *s = (const unsigned char *)r->buf;
    size_t n = r->len;
    int escaped = 0;

    for (;;) {
        unsigned char c;
        /* fast path over plain ASCII */
        i = skip_plain(s, i, n);
        if (i >= n)
            return fail(r, r->pos, "unterminated string");
        c = s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = 1;
            if (i + 1 >= n)
                return fail(r, r->pos, "unterminated string");
            switch (s[i + 1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                i += 2;
                break;
            case 'u': {
                long u;
                if (i + 6 > n)
                    return fail(r, i, "truncated \\u escape");
                u = hex4(s + i + 2);
                if (u < 0)
                    return fail(r, i, "invalid \\u escape: expected 4 hex digits");
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(r, i, "unpaired low surrogate in \\u escape");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    long lo;
                    if (i + 12 > n || s[i + 6] != '\\' || s[i + 7] != 'u')
                        return fail(r, i, "unpaired high surrogate in \\u escape");
                    lo = hex4(s + i + 8);
                    if (lo < 0)
                        return fail(r, i + 6, "invalid \\u escape: expected 4 hex digits");
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(r, i, "unpaired high surrogate in \\u escape");
                    i += 12;
                } else {
                    i += 6;
                }
                break;
            }
            default:
                return fail(r, i, "invalid escape in string");
            }
        } else if (c < 0x20) {
            return fail(r, i, "control character in string (must be escaped)");
        } else {
            size_t k = utf8_seq(s + i, n - i);
            if (!k)
                return fail(r, i, "invalid UTF-8 in string");
            i += k;
        }
    }
    tok->end = i;
    tok->escaped = escaped;
    r->pos = i + 1;
    return 0;
}

/* Scan a string whose opening quote is at r->pos: the common case (plain
 * ASCII up to the closing quote) here, anything else in scan_string_slow. */
static int scan_string(plex__json_reader *r, plex__json_token *tok)
{
    const unsigned char *s = (const unsigned char *)r->buf;
    size_t n = r->len, i = r->pos + 1;

    tok->start = i;
    i = skip_plain(s, i, n);
    if (i < n && s[i] == '"') {
        tok->end = i;
        tok->escaped = 0;
        r->pos = i + 1;
        return 0;
    }
    return scan_string_slow(r, tok, i);
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int scan_number(plex__json_reader *r, plex__json_token *tok)
{
    const unsigned char *s = (const unsigned char *)r->buf;
    size_t n = r->len, i = r->pos;
    int integer = 1;

    tok->start = i;
    if (s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return fail(r, i, "invalid number: expected a digit");
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i]))
            return fail(r, i, "invalid number: leading zero");
    } else {
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && s[i] == '.') {
        integer = 0;
        i++;
        if (i >= n || !is_digit(s[i]))
            return fail(r, i, "invalid number: expected a digit after '.'");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        integer = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return fail(r, i, "invalid number: expected a digit in the exponent");
        while (i < n && is_digit(s[i]))
            i++;
    }
    tok->end = i;
    tok->integer = integer;
    r->pos = i;
    return 0;
}

static int scan_literal(plex__json_reader *r, plex__json_token *tok, const char *word, size_t wl,
                        plex__json_type type)
{
    const char *p = r->buf + r->pos;
    if (r->len - r->pos < wl || p[1] != word[1] || p[2] != word[2] || p[3] != word[3] ||
        (wl == 5 && p[4] != word[4]))
        return fail(r, r->pos, "invalid literal");
    tok->type = type;
    tok->start = r->pos;
    tok->end = r->pos + wl;
    r->pos += wl;
    return 0;
}

static void after_value(plex__json_reader *r)
{
    r->state = r->depth ? ST_AFTER_VALUE : ST_DONE;
}

static int in_object(const plex__json_reader *r)
{
    unsigned int d = r->depth - 1;
    return (r->stack[d >> 3] >> (d & 7)) & 1;
}

static int open_container(plex__json_reader *r, plex__json_token *tok)
{
    if (plex__json_open(r, r->pos, tok) != 0)
        return fail(r, r->pos, "nesting too deep");
    return 0;
}

static int close_container(plex__json_reader *r, plex__json_token *tok, int object)
{
    tok->type = object ? PLEX__JSON_OBJECT_END : PLEX__JSON_ARRAY_END;
    tok->start = r->pos;
    tok->end = r->pos + 1;
    r->pos++;
    r->depth--;
    after_value(r);
    return 0;
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    return plex__json_ws(s, i, n);
}

static int read_value(plex__json_reader *r, plex__json_token *tok)
{
    unsigned char c = (unsigned char)r->buf[r->pos];
    int rc;

    switch (c) {
    case '{':
    case '[':
        return open_container(r, tok);
    case '"':
        tok->type = PLEX__JSON_STRING;
        rc = scan_string(r, tok);
        break;
    case 't':
        rc = scan_literal(r, tok, "true", 4, PLEX__JSON_TRUE);
        break;
    case 'f':
        rc = scan_literal(r, tok, "false", 5, PLEX__JSON_FALSE);
        break;
    case 'n':
        rc = scan_literal(r, tok, "null", 4, PLEX__JSON_NULL);
        break;
    default:
        if (c == '-' || is_digit(c)) {
            tok->type = PLEX__JSON_NUMBER;
            rc = scan_number(r, tok);
        } else if (c == ']' || c == '}') {
            return fail(r, r->pos, "expected a value");
        } else {
            return fail(r, r->pos, "unexpected character, expected a value");
        }
    }
    if (rc == 0)
        after_value(r);
    return rc;
}

int plex__json_next(plex__json_reader *r, plex__json_token *tok)
{
    size_t i;

    if (r->failed)
        return PLEX_EPARSE;
again:
    i = r->pos;
    if (i >= r->len || (unsigned char)r->buf[i] <= ' ')
        i = skip_ws(r->buf, i, r->len);
    r->pos = i;
    if (i >= r->len) {
        if (r->state == ST_DONE) {
            tok->type = PLEX__JSON_EOF;
            tok->start = tok->end = i;
            return 0;
        }
        return fail(r, i, i == 0 ? "empty input" : "unexpected end of input");
    }

    switch (r->state) {
    case ST_VALUE:
        return read_value(r, tok);
    case ST_VALUE_OR_END:
        if (r->buf[i] == ']')
            return close_container(r, tok, 0);
        return read_value(r, tok);
    case ST_KEY_OR_END:
        if (r->buf[i] == '}')
            return close_container(r, tok, 1);
        /* fall through */
    case ST_KEY:
        if (r->buf[i] != '"')
            return fail(r, i, "expected a string as object key");
        tok->type = PLEX__JSON_KEY;
        if (scan_string(r, tok))
            return PLEX_EPARSE;
        i = r->pos;
        if (i < r->len && r->buf[i] != ':')
            i = skip_ws(r->buf, i, r->len);
        if (i >= r->len)
            return fail(r, i, "unexpected end of input");
        if (r->buf[i] != ':')
            return fail(r, i, "expected ':' after object key");
        r->pos = i + 1;
        r->state = ST_VALUE;
        return 0;
    case ST_AFTER_VALUE: {
        int obj = in_object(r);
        char c = r->buf[i];
        if (c == ',') {
            r->pos = i + 1;
            r->state = obj ? ST_KEY : ST_VALUE;
            goto again;
        }
        if (obj && c == '}')
            return close_container(r, tok, 1);
        if (!obj && c == ']')
            return close_container(r, tok, 0);
        return fail(r, i, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    default: /* ST_DONE */
        return fail(r, i, "unexpected data after the JSON value");
    }
}

int plex__json_string_from(plex__json_reader *r, size_t q, size_t i, plex__json_token *tok)
{
    r->pos = q;
    tok->type = PLEX__JSON_STRING;
    tok->start = q + 1;
    if (scan_string_slow(r, tok, i))
        return PLEX_EPARSE;
    after_value(r);
    return 0;
}

int plex__json_next_member(plex__json_reader *r, plex__json_token *key, plex__json_token *val)
{
    return plex__json_next_member_expect(r, key, val, NULL, 0);
}

int plex__json_next_member_expect(plex__json_reader *r, plex__json_token *key,
                                  plex__json_token *val, const char *expect, size_t elen)
{
    const char *b = r->buf;
    size_t i = r->pos, n = r->len;

    key->expected = 0;
    if (r->failed)
        return PLEX_EPARSE;
    /* the fast path: after '{' or a value, an optional ',' then "key" : value */
    if (r->state == ST_AFTER_VALUE || r->state == ST_KEY_OR_END) {
        if (i < n && (unsigned char)b[i] <= ' ')
            i = skip_ws(b, i, n);
        if (i < n && b[i] == ',' && r->state == ST_AFTER_VALUE && in_object(r)) {
            i++;
            if (i < n && b[i] == ' ')
                i++;
            if (i < n && (unsigned char)b[i] <= ' ')
                i = skip_ws(b, i, n);
            if (i < n && b[i] == '"') {
                r->pos = i;
                r->state = ST_KEY;
            }
        } else if (i < n && b[i] == '"' && r->state == ST_KEY_OR_END) {
            r->pos = i;
            r->state = ST_KEY;
        }
    }
    if (r->state == ST_KEY && r->pos < n && b[r->pos] == '"') {
        size_t p = r->pos + 1;
        key->type = PLEX__JSON_KEY;
        if (expect && n - p > elen && plex__same_bytes(b + p, expect, elen) && b[p + elen] == '"') {
            /* exactly the expected name, which holds no '"', '\\' or control
             * characters: the key ends here, nothing to scan */
            key->start = p;
            key->end = p + elen;
            key->escaped = 0;
            key->expected = 1;
            r->pos = p + elen + 1;
        } else if (scan_string(r, key)) {
            return PLEX_EPARSE;
        }
        i = r->pos;
        if (i < n && b[i] != ':')
            i = skip_ws(b, i, n);
        if (i >= n)
            return fail(r, i, "unexpected end of input");
        if (b[i] != ':')
            return fail(r, i, "expected ':' after object key");
        i++;
        if (i < n && b[i] == ' ')
            i++;
        if (i < n && (unsigned char)b[i] <= ' ')
            i = skip_ws(b, i, n);
        r->pos = i;
        r->state = ST_VALUE;
        if (i >= n)
            return fail(r, i, "unexpected end of input");
        return read_value(r, val);
    }
    /* anything else (the end of the object, or an error): the general path */
    if (plex__json_next(r, key))
        return PLEX_EPARSE;
    if (key->type != PLEX__JSON_KEY)
        return 0;
    return plex__json_next(r, val);
}

int plex__json_skip(plex__json_reader *r, const plex__json_token *tok)
{
    unsigned int target;
    plex__json_token t;

    if (tok->type != PLEX__JSON_OBJECT_BEGIN && tok->type != PLEX__JSON_ARRAY_BEGIN)
        return 0;
    target = r->depth - 1;
    do {
        if (plex__json_next(r, &t))
            return PLEX_EPARSE;
    } while (r->depth > target);
    return 0;
}

/* Append code point cp as UTF-8 at d; returns bytes written. */
static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode the (validated) escape at s[i] into d; *used gets the number of
 * input bytes it spans. Returns the number of bytes written (1 to 4). */
static size_t unescape_one(const unsigned char *s, size_t i, char *d, size_t *used)
{
    unsigned long cp, lo;

    *used = 2;
    switch (s[i + 1]) {
    case 'b':
        d[0] = '\b';
        return 1;
    case 'f':
        d[0] = '\f';
        return 1;
    case 'n':
        d[0] = '\n';
        return 1;
    case 'r':
        d[0] = '\r';
        return 1;
    case 't':
        d[0] = '\t';
        return 1;
    case 'u':
        cp = (unsigned long)hex4(s + i + 2);
        *used = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            lo = (unsigned long)hex4(s + i + 8);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *used = 12;
        }
        return put_utf8(d, cp);
    default: /* '"', '\\', '/' */
        d[0] = (char)s[i + 1];
        return 1;
    }
}

size_t plex__json_unescape(const char *buf, const plex__json_token *tok, char *dst)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = tok->start, end = tok->end, o = 0, used;

    if (!tok->escaped) {
        memcpy(dst, buf + i, end - i);
        return end - i;
    }
    while (i < end) {
        const unsigned char *bs = memchr(s + i, '\\', end - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : end - i;
        memcpy(dst + o, s + i, run);
        o += run;
        i += run;
        if (i >= end)
            break;
        o += unescape_one(s, i, dst + o, &used);
        i += used;
    }
    return o;
}

int plex__json_key_eq(const char *buf, const plex__json_token *tok, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t i = tok->start, end = tok->end, o = 0;

    if (!tok->escaped)
        return end - i == n && memcmp(buf + i, s, n) == 0;
    /* piece by piece: an escaped key can be longer than any fixed buffer */
    while (i < end) {
        char u[4];
        size_t k, used;
        if (p[i] != '\\') {
            if (o == n || s[o] != buf[i])
                return 0;
            o++;
            i++;
            continue;
        }
        k = unescape_one(p, i, u, &used);
        if (n - o < k || memcmp(s + o, u, k) != 0)
            return 0;
        o += k;
        i += used;
    }
    return o == n;
}

int plex__json_int64(const char *buf, const plex__json_token *tok, int64_t *out)
{
    const char *p = buf + tok->start, *e = buf + tok->end;
    int neg = 0;
    uint64_t v = 0, limit;

    if (!tok->integer)
        return -1;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (e - p <= 18) { /* cannot overflow */
        for (; p < e; p++)
            v = v * 10 + (uint64_t)(*p - '0');
        *out = neg ? -(int64_t)v : (int64_t)v;
        return 0;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < e; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

int plex__json_strtod(const char *s, size_t n, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    plex__json_reader r;
    plex__json_token t;
    size_t i = 0;
    uint64_t mant = 0;
    int digits = 0, exp10 = 0, neg = 0, exact = 1;
    long explicit_exp = 0;
    double v;

    /* fast path: -?D+(.D+)? with at most 15 digits: exact in a double, and one
     * correctly rounded division by an exact power of ten */
    {
        size_t j = 0, int_start;
        uint64_t m = 0;
        int nd = 0, fd = 0;
        if (j < n && s[j] == '-')
            j++;
        int_start = j;
        while (j < n && is_digit((unsigned char)s[j]) && nd < 16) {
            m = m * 10 + (uint64_t)(s[j++] - '0');
            nd++;
        }
        if (nd > 0 && !(s[int_start] == '0' && nd > 1)) {
            if (j < n && s[j] == '.') {
                j++;
                while (j < n && is_digit((unsigned char)s[j]) && nd < 16) {
                    m = m * 10 + (uint64_t)(s[j++] - '0');
                    nd++;
                    fd++;
                }
            }
            if (j == n && nd <= 15 && (fd > 0 || s[j - 1] != '.')) {
                v = (double)m / pow10[fd];
                *out = s[0] == '-' ? -v : v;
                return 0;
            }
        }
    }
    /* validate with the reader's own number grammar */
    plex__json_reader_init(&r, s, n);
    if (n == 0 || (s[0] != '-' && !is_digit((unsigned char)s[0])) || scan_number(&r, &t) ||
        t.end != n)
        return -1;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    for (; i < n && is_digit((unsigned char)s[i]); i++) {
        if (digits < 19) {
            if (mant || s[i] != '0')
                digits++;
            mant = mant * 10 + (uint64_t)(s[i] - '0');
        } else {
            exp10++;
            if (s[i] != '0')
                exact = 0;
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit((unsigned char)s[i]); i++) {
            if (digits < 19) {
                if (mant || s[i] != '0')
                    digits++;
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                exp10--;
            } else if (s[i] != '0') {
                exact = 0;
            }
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0, e = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            eneg = s[i++] == '-';
        for (; i < n; i++)
            e = e < 100000 ? e * 10 + (s[i] - '0') : e;
        explicit_exp = eneg ? -e : e;
        exp10 += eneg ? -e : e;
    }
    /* Clinger's fast path: exact when the mantissa fits 53 bits and 10^|e| is exact. */
    if (exact && mant < ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
        v = (double)mant;
        v = exp10 < 0 ? v / pow10[-exp10] : v * pow10[exp10];
    } else {
        /* Rare: over 19 significant digits or a large exponent. strtod reads
         * a locale-neutral copy: the significant digits without the '.' (so
         * the C locale's decimal point plays no part), then the exponent.
         * Digits past the 780th, more than the 767 a double's halfway points
         * can have, only count as a sticky '1': rounding stays exact and any
         * length of input fits. */
        char tmp[781 + 24]; /* digits, sticky digit, "e" and a long */
        size_t o = 0, j = (size_t)neg;
        long scale = explicit_exp; /* value = tmp's digits * 10^scale */
        int frac = 0, sticky = 0;
        char *end;

        for (; j < n && s[j] != 'e' && s[j] != 'E'; j++) {
            if (s[j] == '.') {
                frac = 1;
            } else if (o == 0 && s[j] == '0') {
                scale -= frac; /* a leading zero */
            } else if (o < 780) {
                tmp[o++] = s[j];
                scale -= frac;
            } else {
                scale += !frac;
                sticky |= s[j] != '0';
            }
        }
        if (sticky) {
            tmp[o++] = '1';
            scale--;
        }
        if (o == 0)
            tmp[o++] = '0';
        snprintf(tmp + o, sizeof(tmp) - o, "e%ld", scale);
        v = strtod(tmp, &end);
        if (*end != '\0')
            return -1;
    }
    if (neg)
        v = -v;
    if (isinf(v))
        return -1;
    *out = v;
    return 0;
}

const char *plex__json_type_name(plex__json_type t)
{
    switch (t) {
    case PLEX__JSON_STRING:
        return "string";
    case PLEX__JSON_NUMBER:
        return "number";
    case PLEX__JSON_OBJECT_BEGIN:
        return "object";
    case PLEX__JSON_ARRAY_BEGIN:
        return "array";
    case PLEX__JSON_TRUE:
    case PLEX__JSON_FALSE:
        return "boolean";
    case PLEX__JSON_NULL:
        return "null";
    default:
        return "end of value";
    }
}

/* ---- writer ---- */

void plex__json_put_string(plex__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    if (plex__utf8_valid_prefix(s, n) != n) {
        plex__buf_fail(b, PLEX_EINVALID);
        return;
    }
    if (plex__buf_grow(b, n + 2))
        return;
    plex__buf_putc(b, '"');
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        plex__buf_put(b, s + i - run, run);
        run = 0;
        switch (c) {
        case '"':
            plex__buf_put(b, "\\\"", 2);
            break;
        case '\\':
            plex__buf_put(b, "\\\\", 2);
            break;
        case '\n':
            plex__buf_put(b, "\\n", 2);
            break;
        case '\r':
            plex__buf_put(b, "\\r", 2);
            break;
        case '\t':
            plex__buf_put(b, "\\t", 2);
            break;
        case '\b':
            plex__buf_put(b, "\\b", 2);
            break;
        case '\f':
            plex__buf_put(b, "\\f", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            plex__buf_put(b, u, 6);
        }
        }
        i++;
    }
    plex__buf_put(b, s + i - run, run);
    plex__buf_putc(b, '"');
}

void plex__jw_init(plex__json_writer *w, plex__buf *buf)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
}

/* Before any value: the comma, unless it follows a key. */
static void pre_value(plex__json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
    } else if (w->need_comma) {
        plex__buf_putc(w->buf, ',');
    }
    w->need_comma = 1;
}

static void begin(plex__json_writer *w, char c)
{
    unsigned int d = w->depth;

    pre_value(w);
    if (d >= PLEX__JSON_MAX_DEPTH) {
        plex__buf_fail(w->buf, PLEX_EINVALID);
        return;
    }
    w->depth = d + 1;
    w->need_comma = 0;
    plex__buf_putc(w->buf, c);
}

static void jw_close(plex__json_writer *w, char c)
{
    if (w->depth == 0) {
        plex__buf_fail(w->buf, PLEX_EINVALID);
        return;
    }
    w->depth--;
    w->need_comma = 1; /* the container was a value of the enclosing level */
    plex__buf_putc(w->buf, c);
}

void plex__jw_object_begin(plex__json_writer *w)
{
    begin(w, '{');
}

void plex__jw_object_end(plex__json_writer *w)
{
    jw_close(w, '}');
}

void plex__jw_array_begin(plex__json_writer *w)
{
    begin(w, '[');
}

void plex__jw_array_end(plex__json_writer *w)
{
    jw_close(w, ']');
}

void plex__jw_key(plex__json_writer *w, const char *key)
{
    if (w->need_comma)
        plex__buf_putc(w->buf, ',');
    w->need_comma = 1;
    plex__json_put_string(w->buf, key, strlen(key));
    plex__buf_putc(w->buf, ':');
    w->after_key = 1;
}

void plex__jw_stringn(plex__json_writer *w, const char *s, size_t n)
{
    pre_value(w);
    plex__json_put_string(w->buf, s, n);
}

void plex__jw_string(plex__json_writer *w, const char *s)
{
    if (!s) {
        plex__jw_null(w);
        return;
    }
    plex__jw_stringn(w, s, strlen(s));
}

void plex__jw_int(plex__json_writer *w, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    pre_value(w);
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    plex__buf_put(w->buf, p, (size_t)(tmp + sizeof(tmp) - p));
}

void plex__jw_bool(plex__json_writer *w, int v)
{
    pre_value(w);
    if (v)
        plex__buf_put(w->buf, "true", 4);
    else
        plex__buf_put(w->buf, "false", 5);
}

void plex__jw_null(plex__json_writer *w)
{
    pre_value(w);
    plex__buf_put(w->buf, "null", 4);
}

void plex__jw_raw(plex__json_writer *w, const char *json, size_t n)
{
    plex__json_reader r;
    plex__json_token t;
    size_t a, z;

    plex__json_reader_init(&r, json, n);
    if (plex__json_next(&r, &t) || plex__json_skip(&r, &t)) {
        plex__buf_fail(w->buf, PLEX_EINVALID);
        return;
    }
    /* the value's own span, without surrounding whitespace */
    a = t.type == PLEX__JSON_STRING ? t.start - 1 : t.start;
    z = r.pos;
    if (plex__json_next(&r, &t) || t.type != PLEX__JSON_EOF) {
        plex__buf_fail(w->buf, PLEX_EINVALID);
        return;
    }
    pre_value(w);
    plex__buf_put(w->buf, json + a, z - a);
}

/*
 * RFC 8259 conformance test for the JSON pull reader and writer (json.h).
 *
 * Every document is parsed from a malloc'd copy of exactly its length, with
 * no NUL after it, so AddressSanitizer catches any read past len. When built
 * with PLEX_HAVE_JANSSON, every document checked here (handwritten tables,
 * generated token sequences, random mutations, writer output) is also given
 * to jansson, and the two verdicts must agree; when both accept, the values
 * must be equal. Known divergences are verified and counted, not hidden:
 *
 *  1. Numbers beyond the range of a double ("1e400", a 400-digit integer) and,
 *     for integers, beyond long long: RFC 8259 §6 allows any length and
 *     magnitude, so the reader accepts them (the decoder then refuses the
 *     value as out of range); jansson refuses the document ("real number
 *     overflow", "too big integer"). Checked by finding a number token that
 *     plex__json_strtod (or, for integers, plex__json_int64) refuses.
 *  2. Nesting deeper than PLEX__JSON_MAX_DEPTH (512) but within jansson's
 *     JSON_PARSER_MAX_DEPTH (2048): plex refuses, jansson accepts. Checked by
 *     the reader's "nesting too deep" message.
 *  3. An object key containing \u0000: valid JSON, and the reader accepts it
 *     (plex__json_key_eq compares it correctly; no schema key has a NUL);
 *     jansson refuses it even with JSON_ALLOW_NUL ("NUL byte in object key
 *     not supported"). Checked by unescaping the keys.
 *  4. A NUL byte right after a number or a literal ("1\0", "[true\0]",
 *     "[1\0,2]"): jansson's lexer swallows it, plex refuses it as an unexpected
 *     character (RFC 8259 has no NUL outside strings). Checked by finding the
 *     NUL at the error offset, after a number or literal, and accepting the
 *     document once that byte is removed.
 *
 * jansson is called with JSON_DECODE_ANY (top-level scalars), JSON_ALLOW_NUL
 * (\u0000 in strings is valid JSON) and JSON_DECODE_INT_AS_REAL (so both
 * sides compare doubles); JSON_REJECT_DUPLICATES is off, as duplicate keys are
 * valid JSON and the decoder's concern.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "plex/errors.h"
#include "test.h"

#ifdef PLEX_HAVE_JANSSON
#include <jansson.h>
#endif

/* ---- helpers ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(void)
{
    /* xorshift64*, fixed seed: every run sees the same documents */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
    return rnd() % n;
}

/* A copy of s[0..n) in a buffer of exactly n bytes (no NUL terminator). */
static char *exact(const char *s, size_t n)
{
    char *p = malloc(n);
    REQUIRE(p != NULL || n == 0);
    if (n)
        memcpy(p, s, n);
    return p;
}

/* Bitwise equality: tells -0.0 from 0.0. */
static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

static void dump(const char *s, size_t n)
{
    size_t i;
    fputc('\'', stderr);
    for (i = 0; i < n && i < 240; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02X", c);
    }
    fprintf(stderr, "'%s (%zu bytes)\n", i < n ? "..." : "", n);
}

typedef struct walk_result {
    int rc; /* 0 = the whole document was read to EOF */
    size_t err_pos;
    const char *err_msg;
    size_t ntok;
    char types[64]; /* the first token types, one letter each */
} walk_result;

static char type_letter(plex__json_type t)
{
    switch (t) {
    case PLEX__JSON_OBJECT_BEGIN:
        return '{';
    case PLEX__JSON_OBJECT_END:
        return '}';
    case PLEX__JSON_ARRAY_BEGIN:
        return '[';
    case PLEX__JSON_ARRAY_END:
        return ']';
    case PLEX__JSON_KEY:
        return 'K';
    case PLEX__JSON_STRING:
        return 'S';
    case PLEX__JSON_NUMBER:
        return 'N';
    case PLEX__JSON_TRUE:
        return 'T';
    case PLEX__JSON_FALSE:
        return 'F';
    case PLEX__JSON_NULL:
        return 'Z';
    default:
        return '?';
    }
}

/* Read the whole document with plex__json_next; checks the reader's invariants on the way. */
static void walk_buf(const char *b, size_t n, walk_result *w)
{
    plex__json_reader r;
    plex__json_token t;
    size_t guard = 0;

    memset(w, 0, sizeof(*w));
    plex__json_reader_init(&r, b, n);
    for (;;) {
        size_t prev = r.pos;
        if (plex__json_next(&r, &t) != 0) {
            plex__json_token t2;
            w->rc = PLEX_EPARSE;
            w->err_pos = r.err_pos;
            w->err_msg = r.err_msg;
            CHECK(r.err_pos <= n);
            CHECK(r.err_msg != NULL);
            /* a failed reader stays failed, with the same position */
            CHECK_INT(plex__json_next(&r, &t2), PLEX_EPARSE);
            CHECK_INT(r.err_pos, w->err_pos);
            return;
        }
        if (t.type == PLEX__JSON_EOF) {
            CHECK_INT(t.start, n);
            CHECK_INT(r.depth, 0);
            /* EOF again */
            CHECK_INT(plex__json_next(&r, &t), 0);
            CHECK_INT(t.type, PLEX__JSON_EOF);
            return;
        }
        CHECK(t.start <= t.end && t.end <= n);
        CHECK(r.pos > prev && r.pos <= n);
        if (t.type == PLEX__JSON_STRING || t.type == PLEX__JSON_KEY) {
            size_t cap = t.end - t.start;
            char *dst = malloc(cap); /* exactly the promised room */
            REQUIRE(dst != NULL || cap == 0);
            CHECK(plex__json_unescape(b, &t, dst) <= cap);
            free(dst);
        }
        if (w->ntok < sizeof(w->types) - 1)
            w->types[w->ntok] = type_letter(t.type);
        w->ntok++;
        REQUIRE(++guard <= 2 * n + 2); /* every token consumes input */
    }
}

static void walk(const char *s, size_t n, walk_result *w)
{
    char *b = exact(s, n);
    walk_buf(b, n, w);
    free(b);
}

/* ---- differential oracle ---- */

static size_t oracle_docs, oracle_both_accept, oracle_div_range, oracle_div_depth,
    oracle_div_nulkey, oracle_div_nul;

#ifdef PLEX_HAVE_JANSSON
#define JANSSON_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

/* Compare the value starting at token t with jansson's v. 1 if equal. */
static int cmp_value(plex__json_reader *r, const plex__json_token *t, const json_t *v)
{
    plex__json_token k, c;

    switch (t->type) {
    case PLEX__JSON_NULL:
        return json_is_null(v);
    case PLEX__JSON_TRUE:
        return json_is_true(v);
    case PLEX__JSON_FALSE:
        return json_is_false(v);
    case PLEX__JSON_NUMBER: {
        double d;
        if (!json_is_real(v) || plex__json_strtod(r->buf + t->start, t->end - t->start, &d))
            return 0;
        return same_bits(d, json_real_value(v));
    }
    case PLEX__JSON_STRING: {
        char *dst = malloc(t->end - t->start + 1);
        size_t n;
        int eq;
        REQUIRE(dst != NULL);
        n = plex__json_unescape(r->buf, t, dst);
        eq = json_is_string(v) && json_string_length(v) == n &&
             memcmp(json_string_value(v), dst, n) == 0;
        free(dst);
        return eq;
    }
    case PLEX__JSON_ARRAY_BEGIN: {
        size_t i = 0;
        if (!json_is_array(v))
            return 0;
        for (;;) {
            if (plex__json_next(r, &c))
                return 0;
            if (c.type == PLEX__JSON_ARRAY_END)
                return i == json_array_size(v);
            if (i >= json_array_size(v) || !cmp_value(r, &c, json_array_get(v, i)))
                return 0;
            i++;
        }
    }
    case PLEX__JSON_OBJECT_BEGIN: {
        size_t members = 0;
        if (!json_is_object(v))
            return 0;
        for (;;) {
            char *key;
            size_t kn;
            const json_t *m;
            if (plex__json_next(r, &k))
                return 0;
            if (k.type == PLEX__JSON_OBJECT_END)
                return members == json_object_size(v);
            key = malloc(k.end - k.start + 1);
            REQUIRE(key != NULL);
            kn = plex__json_unescape(r->buf, &k, key);
            m = json_object_getn(v, key, kn);
            free(key);
            if (!m || plex__json_next(r, &c) || !cmp_value(r, &c, m))
                return 0;
            members++;
        }
    }
    default:
        return 0;
    }
}

/* A number token the library refuses to convert (divergence 1). */
static int has_out_of_range_number(const char *b, size_t n)
{
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    while (plex__json_next(&r, &t) == 0 && t.type != PLEX__JSON_EOF) {
        double d;
        int64_t i;
        if (t.type != PLEX__JSON_NUMBER)
            continue;
        if (plex__json_strtod(b + t.start, t.end - t.start, &d) != 0)
            return 1;
        if (t.integer && plex__json_int64(b, &t, &i) != 0)
            return 1;
    }
    return 0;
}

/* An object key whose unescaped text contains a NUL byte (divergence 3). */
static int has_nul_key(const char *b, size_t n)
{
    plex__json_reader r;
    plex__json_token t;
    int found = 0;

    plex__json_reader_init(&r, b, n);
    while (!found && plex__json_next(&r, &t) == 0 && t.type != PLEX__JSON_EOF) {
        char *key;
        if (t.type != PLEX__JSON_KEY || !t.escaped)
            continue;
        key = malloc(t.end - t.start);
        REQUIRE(key != NULL);
        found = memchr(key, '\0', plex__json_unescape(b, &t, key)) != NULL;
        free(key);
    }
    return found;
}

/* plex's error is a NUL byte right after a number or literal, and the
 * document is valid without it (divergence 4). */
static int nul_after_scalar(const char *b, size_t n, const walk_result *w)
{
    char *c;
    walk_result w2;
    size_t at = w->err_pos;

    if (at == 0 || at >= n || b[at] != '\0' || !strchr("0123456789el", b[at - 1]))
        return 0;
    c = malloc(n - 1);
    REQUIRE(c != NULL);
    memcpy(c, b, at);
    memcpy(c + at, b + at + 1, n - at - 1);
    walk_buf(c, n - 1, &w2);
    free(c);
    return w2.rc == 0;
}

static void oracle(int line, const char *s, size_t n)
{
    char *b = exact(s, n);
    walk_result w;
    json_error_t je;
    json_t *v;
    int plex_ok, jansson_ok;

    walk_buf(b, n, &w);
    v = json_loadb(b, n, JANSSON_FLAGS, &je);
    plex_ok = w.rc == 0;
    jansson_ok = v != NULL;
    oracle_docs++;
    test_checks++;
    if (plex_ok && jansson_ok) {
        json_t *strict = json_loadb(b, n, JANSSON_FLAGS | JSON_REJECT_DUPLICATES, &je);
        oracle_both_accept++;
        /* with duplicate keys jansson keeps the last member: compare values only without them */
        if (strict) {
            plex__json_reader r;
            plex__json_token t;
            plex__json_reader_init(&r, b, n);
            if (plex__json_next(&r, &t) || !cmp_value(&r, &t, strict) || plex__json_next(&r, &t) ||
                t.type != PLEX__JSON_EOF) {
                test_failures++;
                fprintf(stderr, "%s:%d: plex and jansson read different values: ", __FILE__, line);
                dump(s, n);
            }
            json_decref(strict);
        }
    } else if (plex_ok && !jansson_ok && has_out_of_range_number(b, n)) {
        oracle_div_range++; /* divergence 1 */
    } else if (plex_ok && !jansson_ok && has_nul_key(b, n)) {
        oracle_div_nulkey++; /* divergence 3 */
    } else if (!plex_ok && jansson_ok && w.err_msg && strcmp(w.err_msg, "nesting too deep") == 0) {
        oracle_div_depth++; /* divergence 2 */
    } else if (!plex_ok && jansson_ok && nul_after_scalar(b, n, &w)) {
        oracle_div_nul++; /* divergence 4 */
    } else if (plex_ok != jansson_ok) {
        test_failures++;
        fprintf(stderr, "%s:%d: plex %s (%s at %zu), jansson %s (%s at %d): ", __FILE__, line,
                plex_ok ? "accepts" : "rejects", w.err_msg ? w.err_msg : "-", w.err_pos,
                jansson_ok ? "accepts" : "rejects", jansson_ok ? "-" : je.text,
                jansson_ok ? 0 : je.position);
        dump(s, n);
    }
    json_decref(v);
    free(b);
}
#else
static void oracle(int line, const char *s, size_t n)
{
    (void)line;
    (void)s;
    (void)n;
}
#endif

/* ---- document checks ---- */

static void check_doc(int line, const char *s, size_t n, int ok, size_t pos)
{
    walk_result w;

    walk(s, n, &w);
    test_checks++;
    if (ok && w.rc != 0) {
        test_failures++;
        fprintf(stderr, "%s:%d: rejected (%s at byte %zu), expected valid: ", __FILE__, line,
                w.err_msg, w.err_pos);
        dump(s, n);
    } else if (!ok && w.rc == 0) {
        test_failures++;
        fprintf(stderr, "%s:%d: accepted, expected an error at byte %zu: ", __FILE__, line, pos);
        dump(s, n);
    } else if (!ok && w.err_pos != pos) {
        test_failures++;
        fprintf(stderr, "%s:%d: error at byte %zu (%s), expected byte %zu: ", __FILE__, line,
                w.err_pos, w.err_msg, pos);
        dump(s, n);
    }
    oracle(line, s, n);
}

#define ACCEPT(lit) check_doc(__LINE__, lit, sizeof(lit) - 1, 1, 0)
#define REJECT(lit, pos) check_doc(__LINE__, lit, sizeof(lit) - 1, 0, pos)

/* The token types, as letters (see type_letter), of a valid document. */
static void check_types(int line, const char *s, size_t n, const char *types)
{
    walk_result w;

    walk(s, n, &w);
    test_checks++;
    if (w.rc != 0 || strcmp(w.types, types) != 0) {
        test_failures++;
        fprintf(stderr, "%s:%d: tokens \"%s\" (rc %d), expected \"%s\": ", __FILE__, line, w.types,
                w.rc, types);
        dump(s, n);
    }
    oracle(line, s, n);
}

#define TYPES(lit, types) check_types(__LINE__, lit, sizeof(lit) - 1, types)

/* The single string token of `json` unescapes to want[0..wn). */
static void check_unescape(int line, const char *json, size_t n, const char *want, size_t wn,
                           int escaped)
{
    char *b = exact(json, n);
    plex__json_reader r;
    plex__json_token t;
    char *dst;
    size_t got;

    plex__json_reader_init(&r, b, n);
    test_checks++;
    if (plex__json_next(&r, &t) != 0 || t.type != PLEX__JSON_STRING) {
        test_failures++;
        fprintf(stderr, "%s:%d: not a string token (%s at %zu): ", __FILE__, line,
                r.err_msg ? r.err_msg : "-", r.err_pos);
        dump(json, n);
        free(b);
        return;
    }
    CHECK_INT(t.start, 1);
    CHECK_INT(t.end, n - 1);
    CHECK_INT(t.escaped, escaped);
    dst = malloc(t.end - t.start);
    REQUIRE(dst != NULL || t.end == t.start);
    got = plex__json_unescape(b, &t, dst);
    test_checks++;
    if (got != wn || (wn && memcmp(dst, want, wn) != 0)) {
        test_failures++;
        fprintf(stderr, "%s:%d: unescaped to ", __FILE__, line);
        dump(dst, got);
    }
    CHECK_INT(plex__json_key_eq(b, &t, want, wn), 1);
    free(dst);
    free(b);
    oracle(line, json, n);
}

#define UNESCAPE(json, want, escaped)                                                              \
    check_unescape(__LINE__, json, sizeof(json) - 1, want, sizeof(want) - 1, escaped)

/* ---- numbers ---- */

static void check_number(int line, const char *s, int integer)
{
    size_t n = strlen(s);
    char *b = exact(s, n);
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    test_checks++;
    if (plex__json_next(&r, &t) != 0 || t.type != PLEX__JSON_NUMBER || t.start != 0 || t.end != n ||
        t.integer != integer) {
        test_failures++;
        fprintf(stderr, "%s:%d: not one %s number token: ", __FILE__, line,
                integer ? "integer" : "non-integer");
        dump(s, n);
    }
    free(b);
    check_doc(line, s, n, 1, 0);
}

static void test_numbers(void)
{
    static const char *const ints[] = {
        "0",
        "-0",
        "1",
        "-1",
        "9",
        "10",
        "123",
        "-987654321",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "12345678901234567890",
        "-12345678901234567890",
        "100000000000000000000000000000",
    };
    static const char *const reals[] = {
        "0.0",
        "-0.0",
        "0e0",
        "0E0",
        "-0e-0",
        "1e5",
        "1E5",
        "1E+5",
        "1e+5",
        "1e-5",
        "1.5e-3",
        "1.5E-3",
        "-1.5e3",
        "0.5",
        "-0.5",
        "18.3381",
        "-64.8941",
        "1e308",
        "1e-308",
        "4.9e-324",
        "1.7976931348623157e308",
        "2.2250738585072014e-308",
        "1e400",
        "-1e400",
        "1e-400",
        "1e0000000000000000000001",
        "123.456e78",
        "0.000001",
        "3.141592653589793238462643383",
        "1.0",
        "10.01e01",
    };
    size_t i;

    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        check_number(__LINE__, ints[i], 1);
    for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        check_number(__LINE__, reals[i], 0);

    /* invalid: the error is where the grammar first fails */
    REJECT("01", 1);
    REJECT("00", 1);
    REJECT("-01", 2);
    REJECT("-00", 2);
    REJECT("-", 1);
    REJECT("--1", 1);
    REJECT("- 1", 1);
    REJECT("-a", 1);
    REJECT("1.", 2);
    REJECT("1.e5", 2);
    REJECT("-1.", 3);
    REJECT(".5", 0);
    REJECT("-.5", 1);
    REJECT("+1", 0);
    REJECT("1e", 2);
    REJECT("1E", 2);
    REJECT("1e+", 3);
    REJECT("1e-", 3);
    REJECT("1e+-1", 3);
    REJECT("1ee1", 2);
    REJECT("0x1", 1);
    REJECT("0X1F", 1);
    REJECT("1.5.", 3);
    REJECT("2e3.4", 3);
    REJECT("1E5e5", 3);
    REJECT("NaN", 0);
    REJECT("nan", 0);
    REJECT("-NaN", 1);
    REJECT("Infinity", 0);
    REJECT("-Infinity", 1);
    REJECT("inf", 0);
    REJECT("1 2", 2);
    REJECT("1,", 1);
    REJECT("1_000", 1);
    REJECT("[01]", 2);
    REJECT("[1.]", 3);
    REJECT("[-]", 2);
    REJECT("{\"a\":01}", 6);
    REJECT("{\"a\":-}", 6);
    REJECT("\xEF\xBC\x91", 0); /* fullwidth digit one */
    ACCEPT("[0,-0,0.0,1e1,-1E-1]");
    ACCEPT(" 5 ");
    ACCEPT("[1e5,2]");
    ACCEPT("{\"a\":1.5e-3}");
}

static void check_int64(int line, const char *s, int want_rc, int64_t want)
{
    size_t n = strlen(s);
    char *b = exact(s, n);
    plex__json_reader r;
    plex__json_token t;
    int64_t v = 12345;
    int rc;

    plex__json_reader_init(&r, b, n);
    REQUIRE(plex__json_next(&r, &t) == 0 && t.type == PLEX__JSON_NUMBER);
    rc = plex__json_int64(b, &t, &v);
    test_checks++;
    if (rc != want_rc || (rc == 0 && v != want)) {
        test_failures++;
        fprintf(stderr, "%s:%d: plex__json_int64(\"%s\") = %d, %" PRId64 "\n", __FILE__, line, s,
                rc, v);
    }
    if (rc != 0)
        CHECK_INT(v, 12345); /* untouched on failure */
    free(b);
}

static void test_int64(void)
{
    check_int64(__LINE__, "0", 0, 0);
    check_int64(__LINE__, "-0", 0, 0);
    check_int64(__LINE__, "1", 0, 1);
    check_int64(__LINE__, "-1", 0, -1);
    check_int64(__LINE__, "2147483648", 0, INT64_C(2147483648));
    check_int64(__LINE__, "1701234567", 0, INT64_C(1701234567));
    check_int64(__LINE__, "9223372036854775807", 0, INT64_MAX);
    check_int64(__LINE__, "9223372036854775806", 0, INT64_MAX - 1);
    check_int64(__LINE__, "-9223372036854775808", 0, INT64_MIN);
    check_int64(__LINE__, "-9223372036854775807", 0, INT64_MIN + 1);
    check_int64(__LINE__, "9223372036854775808", -1, 0);
    check_int64(__LINE__, "-9223372036854775809", -1, 0);
    check_int64(__LINE__, "9223372036854775810", -1, 0);
    check_int64(__LINE__, "18446744073709551615", -1, 0);
    check_int64(__LINE__, "18446744073709551616", -1, 0);
    check_int64(__LINE__, "-18446744073709551616", -1, 0);
    check_int64(__LINE__, "92233720368547758070", -1, 0);
    check_int64(__LINE__, "99999999999999999999", -1, 0);
    check_int64(__LINE__, "100000000000000000000000000000", -1, 0);
    check_int64(__LINE__, "1.0", -1, 0);
    check_int64(__LINE__, "1.5", -1, 0);
    check_int64(__LINE__, "1e2", -1, 0);
    check_int64(__LINE__, "1E0", -1, 0);
    check_int64(__LINE__, "-0.0", -1, 0);
}

/* plex__json_strtod must agree bit for bit with glibc's correctly rounded
 * strtod in the C locale (computed before any locale change). */
static int strtod_matches(const char *s, double want, double *got)
{
    double v = 0;
    int rc = plex__json_strtod(s, strlen(s), &v);
    *got = v;
    if (isinf(want))
        return rc == -1;
    return rc == 0 && same_bits(v, want);
}

static void check_strtod(int line, const char *s, double want)
{
    char *b = exact(s, strlen(s));
    double v = 0;
    int rc = plex__json_strtod(b, strlen(s), &v);
    test_checks++;
    if (rc != 0 || !same_bits(v, want)) {
        test_failures++;
        fprintf(stderr, "%s:%d: plex__json_strtod(\"%s\") = %d, %.17g (expected %.17g)\n", __FILE__,
                line, s, rc, v, want);
    }
    free(b);
}

static void check_strtod_fails(int line, const char *s, size_t n)
{
    char *b = exact(s, n);
    double v = 42;
    int rc = plex__json_strtod(b, n, &v);
    test_checks++;
    if (rc != -1 || v != 42) {
        test_failures++;
        fprintf(stderr, "%s:%d: plex__json_strtod accepted: ", __FILE__, line);
        dump(s, n);
    }
    free(b);
}

#define STRTOD_FAILS(lit) check_strtod_fails(__LINE__, lit, sizeof(lit) - 1)

/* The exact decimal expansion of 2^-1075 (half the smallest subnormal) and of
 * 1 + 2^-53 (half-way between 1 and the next double): ties that need every digit. */
static char tie_tiny[1200], tie_one[80];

static void make_ties(void)
{
    /* 2^-1075 = 5^1075 / 10^1075: 5^1075 by schoolbook multiplication */
    unsigned char d[800];
    size_t nd = 1, i, o = 0;
    int k;

    d[0] = 1; /* little-endian decimal digits */
    for (k = 0; k < 1075; k++) {
        unsigned carry = 0;
        for (i = 0; i < nd; i++) {
            unsigned x = d[i] * 5u + carry;
            d[i] = (unsigned char)(x % 10);
            carry = x / 10;
        }
        while (carry) {
            REQUIRE(nd < sizeof(d));
            d[nd++] = (unsigned char)(carry % 10);
            carry /= 10;
        }
    }
    tie_tiny[o++] = '0';
    tie_tiny[o++] = '.';
    for (i = nd; i < 1075; i++)
        tie_tiny[o++] = '0';
    for (i = nd; i-- > 0;)
        tie_tiny[o++] = (char)('0' + d[i]);
    tie_tiny[o] = '\0';
    REQUIRE(o + 2 < sizeof(tie_tiny));
    snprintf(tie_one, sizeof(tie_one), "%s",
             "1.00000000000000011102230246251565404236316680908203125");
}

static const struct {
    const char *s;
    double want;
} strtod_table[] = {
    {"18.3381", 18.3381},
    {"-64.8941", -64.8941},
    {"0", 0.0},
    {"-0", -0.0},
    {"-0.0", -0.0},
    {"0.0e10", 0.0},
    {"1", 1.0},
    {"1e5", 1e5},
    {"1E+5", 1e5},
    {"1e-5", 1e-5},
    {"1.5e-3", 1.5e-3},
    {"1.5E3", 1.5e3},
    {"0.1", 0.1},
    {"0.2", 0.2},
    {"0.30000000000000004", 0.30000000000000004},
    {"123.456", 123.456},
    {"-122.4194", -122.4194},
    {"37.7749", 37.7749},
    {"1701234567", 1701234567.0},
    {"9007199254740992", 9007199254740992.0},
    {"9007199254740993", 9007199254740992.0}, /* 2^53 + 1: ties to even */
    {"9007199254740993.0000000000000001", 9007199254740994.0},
    {"12345678901234567890", 12345678901234567890.0},
    {"123456789012345678901234567890", 123456789012345678901234567890.0},
    {"1e22", 1e22},
    {"1e23", 1e23},
    {"8.98846567431158e307", 8.98846567431158e307},
    {"1e308", 1e308},
    {"1.7976931348623157e308", 1.7976931348623157e308},
    {"2.2250738585072014e-308", 2.2250738585072014e-308},
    {"2.2250738585072011e-308", 2.2250738585072011e-308},
    {"4.9e-324", 4.9e-324},
    {"5e-324", 5e-324},
    {"1e-400", 0.0},
    {"-1e-400", -0.0},
    {"0.000000000000000000000000000001", 1e-30},
    {"100000000000000000000000000000000000000000000000000", 1e50},
    {"3.141592653589793238462643383279502884197169399375105820974944", 3.141592653589793},
    {"1e0000000000000000000000000000000000000000001", 10.0},
    {"0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
     1e-173},
};

static void test_strtod_table(void)
{
    size_t i;
    char buf[1400];
    double v;

    for (i = 0; i < sizeof(strtod_table) / sizeof(strtod_table[0]); i++)
        check_strtod(__LINE__, strtod_table[i].s, strtod_table[i].want);

    /* 1 followed by 300 zeros; 0.(299 zeros)1 */
    buf[0] = '1';
    memset(buf + 1, '0', 300);
    buf[301] = '\0';
    check_strtod(__LINE__, buf, 1e300);
    memcpy(buf, "0.", 2);
    memset(buf + 2, '0', 299);
    memcpy(buf + 301, "1", 2);
    check_strtod(__LINE__, buf, 1e-300);

    /* exact ties, and one digit past them */
    check_strtod(__LINE__, tie_one, 1.0);
    snprintf(buf, sizeof(buf), "%s1", tie_one);
    check_strtod(__LINE__, buf, 1.0000000000000002);
    check_strtod(__LINE__, tie_tiny, 0.0);
    snprintf(buf, sizeof(buf), "%s1", tie_tiny);
    check_strtod(__LINE__, buf, 4.9406564584124654e-324);
    snprintf(buf, sizeof(buf), "-%s1", tie_tiny);
    check_strtod(__LINE__, buf, -4.9406564584124654e-324);
    /* a nonzero digit far past the 780th still breaks the tie */
    snprintf(buf, sizeof(buf), "%s%0900d", tie_one, 0);
    check_strtod(__LINE__, buf, 1.0);
    snprintf(buf, sizeof(buf), "%s%0900d1", tie_one, 0);
    check_strtod(__LINE__, buf, 1.0000000000000002);
    snprintf(buf, sizeof(buf), "%s%0100d1e0", tie_tiny, 0);
    check_strtod(__LINE__, buf, 4.9406564584124654e-324);
    snprintf(buf, sizeof(buf), "%s%0100d", tie_tiny, 0);
    check_strtod(__LINE__, buf, 0.0);
    /* integer digits past the 780th still count as magnitude */
    buf[0] = '1';
    memset(buf + 1, '0', 999);
    memcpy(buf + 1000, "e-900", 6);
    check_strtod(__LINE__, buf, 1e99);
    memset(buf, '7', 1000);
    memcpy(buf + 1000, ".5e-950", 8);
    check_strtod(__LINE__, buf, 7.7777777777777777e49);

    STRTOD_FAILS("");
    STRTOD_FAILS("-");
    STRTOD_FAILS("01");
    STRTOD_FAILS("-01");
    STRTOD_FAILS("1.");
    STRTOD_FAILS(".5");
    STRTOD_FAILS("+1");
    STRTOD_FAILS(" 1");
    STRTOD_FAILS("1 ");
    STRTOD_FAILS("1e");
    STRTOD_FAILS("1e+");
    STRTOD_FAILS("0x10");
    STRTOD_FAILS("nan");
    STRTOD_FAILS("NaN");
    STRTOD_FAILS("inf");
    STRTOD_FAILS("Infinity");
    STRTOD_FAILS("1,5");
    STRTOD_FAILS("1\0");
    STRTOD_FAILS("1e400");
    STRTOD_FAILS("-1e400");
    STRTOD_FAILS("1e309");
    STRTOD_FAILS("1.8e308");
    STRTOD_FAILS("1e99999999999999999999");
    /* only the first n bytes count */
    CHECK_INT(plex__json_strtod("12.5x", 4, &v), 0);
    CHECK(v == 12.5);
    CHECK_INT(plex__json_strtod("12.5x", 3, &v), -1);
}

/* Random numbers in JSON grammar, with their glibc strtod value (C locale). */
#define NRANDOM_NUMBERS 4000
static char *random_numbers[NRANDOM_NUMBERS];
static double random_wanted[NRANDOM_NUMBERS]; /* glibc strtod in the C locale; HUGE_VAL: overflow */

static char *random_number_text(void)
{
    char tmp[1400];
    size_t o = 0, i, nint, nfrac;
    uint32_t shape = rnd_below(20);

    if (rnd_below(2))
        tmp[o++] = '-';
    nint = shape == 0 ? 1 + rnd_below(400) : rnd_below(4) == 0 ? 1 : 1 + rnd_below(24);
    nfrac = rnd_below(3) == 0 ? 0 : shape == 1 ? 1 + rnd_below(900) : 1 + rnd_below(24);
    if (rnd_below(4) == 0) {
        tmp[o++] = '0';
    } else {
        tmp[o++] = (char)('1' + rnd_below(9));
        for (i = 1; i < nint; i++)
            tmp[o++] = (char)('0' + rnd_below(10));
    }
    if (nfrac) {
        tmp[o++] = '.';
        for (i = 0; i < nfrac; i++)
            tmp[o++] = rnd_below(3) == 0 ? '0' : (char)('0' + rnd_below(10));
    }
    if (rnd_below(2)) {
        tmp[o++] = rnd_below(2) ? 'e' : 'E';
        if (rnd_below(3) == 0)
            tmp[o++] = rnd_below(2) ? '+' : '-';
        o += (size_t)snprintf(tmp + o, 8, "%u", rnd_below(4) == 0 ? rnd_below(700) : rnd_below(40));
    }
    tmp[o] = '\0';
    return exact(tmp, o + 1);
}

static void test_strtod_random(const char *label)
{
    size_t i;
    int bad = 0;
    char buf[40];

    for (i = 0; i < NRANDOM_NUMBERS; i++) {
        double got = 0;
        if (!strtod_matches(random_numbers[i], random_wanted[i], &got) && bad++ < 10) {
            fprintf(stderr, "%s:%d: [%s] plex__json_strtod(\"%.300s\") = %.17g, expected %.17g\n",
                    __FILE__, __LINE__, label, random_numbers[i], got, random_wanted[i]);
        }
    }
    test_checks++;
    if (bad)
        test_failures++;

    /* shortest round-trip text of random doubles reads back exactly */
    bad = 0;
    for (i = 0; i < 20000; i++) {
        uint64_t bits = ((uint64_t)rnd() << 32) | rnd();
        double d, got = 0;
        memcpy(&d, &bits, sizeof(d));
        if (!isfinite(d))
            continue;
        snprintf(buf, sizeof(buf), "%.17g", d);
        if (strchr(buf, ',')) /* the locale's decimal comma: not JSON */
            *strchr(buf, ',') = '.';
        if ((plex__json_strtod(buf, strlen(buf), &got) != 0 || !same_bits(got, d)) && bad++ < 10)
            fprintf(stderr, "%s:%d: [%s] \"%s\" read back as %.17g\n", __FILE__, __LINE__, label,
                    buf, got);
    }
    test_checks++;
    if (bad)
        test_failures++;
}

static void test_strtod(void)
{
    size_t i;
    for (i = 0; i < NRANDOM_NUMBERS; i++) {
        random_numbers[i] = random_number_text();
        random_wanted[i] = strtod(random_numbers[i], NULL);
    }
    test_strtod_table();
    test_strtod_random("C locale");
}

/* The C locale's decimal point must not matter (STYLE.md §10; json.h). */
static void test_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
                                        "fr_FR.utf8"};
    const char *loc = NULL;
    size_t i;
    double v;
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    char *out = NULL;

    for (i = 0; i < sizeof(names) / sizeof(names[0]) && !loc; i++)
        loc = setlocale(LC_NUMERIC, names[i]);
    if (!loc) {
        printf("test_json: no de_DE/fr_FR locale installed; locale test skipped\n");
    } else {
        /* the locale is in effect: strtod itself now wants a comma */
        CHECK(strtod("1,5", NULL) == 1.5);
        test_strtod_table();
        test_strtod_random(loc);
        CHECK_INT(plex__json_strtod("1,5", 3, &v), -1);
        ACCEPT("[18.3381,-64.8941,1.5e300]");
        plex__jw_init(&w, &b);
        plex__jw_array_begin(&w);
        plex__jw_int(&w, -1234567);
        plex__jw_array_end(&w);
        CHECK_INT(plex__buf_detach(&b, &out), 0);
        CHECK_STR(out, "[-1234567]");
        plex__free(out);
    }
    setlocale(LC_NUMERIC, "C");
    for (i = 0; i < NRANDOM_NUMBERS; i++)
        free(random_numbers[i]);
}

/* ---- strings ---- */

static void test_strings(void)
{
    char all[32 * 7 + 3];
    size_t o = 0;
    int c;

    UNESCAPE("\"\"", "", 0);
    UNESCAPE("\"abc\"", "abc", 0);
    UNESCAPE("\"\\\"\"", "\"", 1);
    UNESCAPE("\"\\\\\"", "\\", 1);
    UNESCAPE("\"\\/\"", "/", 1);
    UNESCAPE("\"/\"", "/", 0);
    UNESCAPE("\"\\b\"", "\b", 1);
    UNESCAPE("\"\\f\"", "\f", 1);
    UNESCAPE("\"\\n\"", "\n", 1);
    UNESCAPE("\"\\r\"", "\r", 1);
    UNESCAPE("\"\\t\"", "\t", 1);
    UNESCAPE("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 1);
    UNESCAPE("\"a\\\\nb\"", "a\\nb", 1); /* an escaped backslash, then a plain 'n' */
    UNESCAPE("\"\\\\\\\\\"", "\\\\", 1);
    UNESCAPE("\"x\\\"y\\\"z\"", "x\"y\"z", 1);
    UNESCAPE("\"\\u0041\"", "A", 1);
    UNESCAPE("\"\\u0000\"", "\0", 1);
    UNESCAPE("\"a\\u0000b\"", "a\0b", 1);
    UNESCAPE("\"\\u001f\"", "\x1f", 1);
    UNESCAPE("\"\\u007F\"", "\x7f", 1);
    UNESCAPE("\"\\u0080\"", "\xC2\x80", 1);
    UNESCAPE("\"\\u00e9\"", "\xC3\xA9", 1);
    UNESCAPE("\"\\u00E9\"", "\xC3\xA9", 1);
    UNESCAPE("\"\\u07FF\"", "\xDF\xBF", 1);
    UNESCAPE("\"\\u0800\"", "\xE0\xA0\x80", 1);
    UNESCAPE("\"\\u20AC\"", "\xE2\x82\xAC", 1);
    UNESCAPE("\"\\ud7ff\"", "\xED\x9F\xBF", 1);
    UNESCAPE("\"\\uE000\"", "\xEE\x80\x80", 1);
    UNESCAPE("\"\\uFFFD\"", "\xEF\xBF\xBD", 1);
    UNESCAPE("\"\\uffff\"", "\xEF\xBF\xBF", 1);
    UNESCAPE("\"\\uD800\\uDC00\"", "\xF0\x90\x80\x80", 1);
    UNESCAPE("\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80", 1);
    UNESCAPE("\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80", 1);
    UNESCAPE("\"\\uD834\\uDD1E\"", "\xF0\x9D\x84\x9E", 1);
    UNESCAPE("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF", 1);
    UNESCAPE("\"x\\uD83D\\uDE00y\\u00e9z\"", "x\xF0\x9F\x98\x80y\xC3\xA9z", 1);
    UNESCAPE("\"\\u0041\\u0042\\u0043\"", "ABC", 1);
    UNESCAPE("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 0);
    UNESCAPE("\"\x7F\"", "\x7F", 0); /* DEL is not a control character for JSON */
    UNESCAPE("\"'\"", "'", 0);

    /* every control character, escaped by the \u00XX form, reads back */
    all[o++] = '"';
    for (c = 0; c < 32; c++)
        o += (size_t)snprintf(all + o, 7, "\\u%04x", c);
    all[o++] = '"';
    {
        char want[32];
        plex__json_reader r;
        plex__json_token t;
        char dst[32 * 6];
        for (c = 0; c < 32; c++)
            want[c] = (char)c;
        plex__json_reader_init(&r, all, o);
        REQUIRE(plex__json_next(&r, &t) == 0 && t.type == PLEX__JSON_STRING);
        CHECK_INT(plex__json_unescape(all, &t, dst), 32);
        CHECK(memcmp(dst, want, 32) == 0);
        check_doc(__LINE__, all, o, 1, 0);
    }

    /* bad escapes: the error is at the backslash */
    REJECT("\"\\x\"", 1);
    REJECT("\"\\a\"", 1);
    REJECT("\"\\'\"", 1);
    REJECT("\"\\0\"", 1);
    REJECT("\"\\U0041\"", 1);
    REJECT("\"\\ \"", 1);
    REJECT("\"ab\\e\"", 3);
    REJECT("\"\\\xC3\xA9\"", 1);
    REJECT("\"\\u\"", 1);
    REJECT("\"\\u1\"", 1);
    REJECT("\"\\u12\"", 1);
    REJECT("\"\\u123\"", 1);
    REJECT("\"\\u12G4\"", 1);
    REJECT("\"\\u-123\"", 1);
    REJECT("\"\\u 123\"", 1);
    REJECT("\"\\uXYZW\"", 1);
    REJECT("\"abc\\u00", 4);
    REJECT("\"\\", 0);
    REJECT("\"\\\"", 0);
    /* surrogates */
    REJECT("\"\\uD800\"", 1);
    REJECT("\"\\uDBFF\"", 1);
    REJECT("\"\\uDC00\"", 1);
    REJECT("\"\\uDFFF\"", 1);
    REJECT("\"a\\uDE00\\uD83D\"", 2);
    REJECT("\"\\uD800x\"", 1);
    REJECT("\"\\uD800\\n\"", 1);
    REJECT("\"\\uD800\\u0041\"", 1);
    REJECT("\"\\uD800\\uD800\"", 1);
    REJECT("\"\\uD800\\uE000\"", 1);
    REJECT("\"\\uD800\\uDBFF\"", 1);
    REJECT("\"\\uD800\\u12G4\"", 7);
    REJECT("\"\\uD800\\uDC0\"", 7); /* \uDC0" is not 4 hex digits */
    REJECT("\"\\uD800\\\\uDC00\"", 1);
    REJECT("\"\\uD800", 1);
    REJECT("\"\\uD800\\u", 1);
    REJECT("\"\\uD800\\uDC00", 0); /* the pair is fine, the string is unterminated */
    REJECT("[\"\\uD83D\"]", 2);
    REJECT("{\"\\uDE00\":1}", 2);

    /* raw control characters */
    for (c = 0; c < 32; c++) {
        char doc[5] = {'"', 'a', (char)c, 'b', '"'};
        check_doc(__LINE__, doc, sizeof(doc), 0, 2);
    }
    REJECT("\"\t\"", 1);
    REJECT("\"\n\"", 1);
    REJECT("{\"a\nb\":1}", 3);
    ACCEPT("\"\x7F\"");
    ACCEPT("\"\\u0000\""); /* \u0000 is valid JSON; the decoder refuses it for C strings */
    ACCEPT("{\"\\u0000\":\"\\u0000\"}");

    /* unterminated: reported at the opening quote */
    REJECT("\"", 0);
    REJECT("\"abc", 0);
    REJECT("[\"abc", 1);
    REJECT("{\"a\":\"b", 5);
    REJECT("{\"ab", 1);
}

/* ---- UTF-8 ---- */

/* A second, independent validator: decode the code point, then check the range. */
static size_t ref_utf8_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len, k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len)
            return i;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

#define PREFIX(lit, want)                                                                          \
    do {                                                                                           \
        char *b_ = exact(lit, sizeof(lit) - 1);                                                    \
        CHECK_INT(plex__utf8_valid_prefix(b_, sizeof(lit) - 1), want);                             \
        free(b_);                                                                                  \
    } while (0)

static void test_utf8(void)
{
    unsigned char *seq = malloc(4), *doc = malloc(6);
    uint32_t a, b, c;
    size_t mismatches = 0, docs_bad = 0;
    static const unsigned char tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                          0xA0, 0xBF, 0xC0, 0xC2, 0xF4, 0xFF};

    REQUIRE(seq && doc);
    PREFIX("", 0);
    PREFIX("abc", 3);
    PREFIX("a\0b", 3);
    PREFIX("\xC3\xA9", 2);
    PREFIX("ab\xC3", 2);
    PREFIX("a\x80", 1);
    PREFIX("\xBF", 0);
    PREFIX("\xC0\x80", 0);
    PREFIX("\xC1\xBF", 0);
    PREFIX("\xC2\x80", 2);
    PREFIX("\xDF\xBF", 2);
    PREFIX("\xE0\x80\x80", 0);
    PREFIX("\xE0\x9F\xBF", 0);
    PREFIX("\xE0\xA0\x80", 3);
    PREFIX("\xED\x9F\xBF", 3);
    PREFIX("\xED\xA0\x80", 0);
    PREFIX("\xED\xBF\xBF", 0);
    PREFIX("\xEE\x80\x80", 3);
    PREFIX("\xEF\xBF\xBF", 3);
    PREFIX("\xF0\x80\x80\x80", 0);
    PREFIX("\xF0\x8F\xBF\xBF", 0);
    PREFIX("\xF0\x90\x80\x80", 4);
    PREFIX("\xF0\x9F\x98\x80x", 5);
    PREFIX("\xF4\x8F\xBF\xBF", 4);
    PREFIX("\xF4\x90\x80\x80", 0);
    PREFIX("\xF5\x80\x80\x80", 0);
    PREFIX("\xF8\x88\x80\x80\x80", 0);
    PREFIX("\xFE", 0);
    PREFIX("\xFF", 0);
    PREFIX("x\xE2\x82", 1);
    PREFIX("x\xE2\x82"
           "A",
           1);
    PREFIX("\xF0\x9F\x98", 0);
    PREFIX("\xC3\xA9\xC3", 2);

    /* every 1-, 2- and 3-byte input, and 4-byte inputs over the interesting tails */
    for (a = 0; a < 256; a++) {
        seq[0] = (unsigned char)a;
        if (plex__utf8_valid_prefix((char *)seq, 1) != ref_utf8_prefix(seq, 1))
            mismatches++;
        for (b = 0; b < 256; b++) {
            seq[1] = (unsigned char)b;
            if (plex__utf8_valid_prefix((char *)seq, 2) != ref_utf8_prefix(seq, 2))
                mismatches++;
            for (c = 0; c < 256; c++) {
                size_t i;
                seq[2] = (unsigned char)c;
                if (plex__utf8_valid_prefix((char *)seq, 3) != ref_utf8_prefix(seq, 3))
                    mismatches++;
                if (a < 0xE0 || (c != 0x80 && c != 0xBF && c != 0x41 && c != 0xC0))
                    continue;
                for (i = 0; i < sizeof(tails); i++) {
                    seq[3] = tails[i];
                    if (plex__utf8_valid_prefix((char *)seq, 4) != ref_utf8_prefix(seq, 4))
                        mismatches++;
                }
            }
        }
    }
    CHECK_INT(mismatches, 0);

    /* the reader's string verdict follows the same rules: every 2-byte
     * non-ASCII sequence, and every 3-byte one with a multi-byte lead */
    doc[0] = '"';
    for (a = 0x80; a < 256; a++) {
        for (b = 0x80; b < 256; b++) {
            walk_result w;
            seq[0] = (unsigned char)a;
            seq[1] = (unsigned char)b;
            doc[1] = seq[0];
            doc[2] = seq[1];
            doc[3] = '"';
            walk_buf((char *)doc, 4, &w);
            if ((w.rc == 0) != (ref_utf8_prefix(seq, 2) == 2) || (w.rc && w.err_pos != 1))
                docs_bad++;
            if (a < 0xE0)
                continue;
            for (c = 0x80; c < 256; c++) {
                seq[2] = (unsigned char)c;
                doc[3] = seq[2];
                doc[4] = '"';
                walk_buf((char *)doc, 5, &w);
                if ((w.rc == 0) != (ref_utf8_prefix(seq, 3) == 3) || (w.rc && w.err_pos != 1))
                    docs_bad++;
            }
        }
    }
    CHECK_INT(docs_bad, 0);

    /* the table in the brief, through the reader and jansson */
    REJECT("\"\xC0\x80\"", 1);
    REJECT("\"\xC1\x81\"", 1);
    REJECT("\"a\xE0\x80\x80\"", 2);
    REJECT("\"\xE0\x9F\xBF\"", 1);
    REJECT("\"\xED\xA0\x80\"", 1);
    REJECT("\"\xED\xBF\xBF\"", 1);
    REJECT("\"\xED\xA0\xBD\xED\xB8\x80\"", 1); /* CESU-8 surrogate pair */
    REJECT("\"\xF0\x80\x80\x80\"", 1);
    REJECT("\"\xF0\x8F\xBF\xBF\"", 1);
    REJECT("\"\xF4\x90\x80\x80\"", 1);
    REJECT("\"\xF5\x80\x80\x80\"", 1);
    REJECT("\"\xF7\xBF\xBF\xBF\"", 1);
    REJECT("\"\xF8\x88\x80\x80\x80\"", 1);
    REJECT("\"\xFC\x84\x80\x80\x80\x80\"", 1);
    REJECT("\"\xFE\"", 1);
    REJECT("\"\xFF\"", 1);
    REJECT("\"\x80\"", 1);
    REJECT("\"\xBF\"", 1);
    REJECT("\"a\x80\x80\"", 2);
    REJECT("\"\xC3\"", 1);
    REJECT("\"\xC3", 1);
    REJECT("\"\xC3"
           "A\"",
           1);
    REJECT("\"\xE2\x82\"", 1);
    REJECT("\"\xE2\x82", 1);
    REJECT("\"\xE2\x28\xA1\"", 1);
    REJECT("\"\xF0\x9F\x98\"", 1);
    REJECT("\"\xF0\x9F\x98", 1);
    REJECT("\"\xF0\x9F\"", 1);
    REJECT("\"\xC3\xA9\xC3\"", 3);
    REJECT("{\"k\xFF\":1}", 3);
    REJECT("\xC3\xA9", 0);       /* UTF-8 outside a string */
    REJECT("[1,\xC2\xA0 2]", 3); /* no-break space is not JSON whitespace */
    REJECT("\xEF\xBB\xBF{}", 0); /* RFC 8259 §8.1: no byte order mark */
    ACCEPT("\"\xC2\x80\"");
    ACCEPT("\"\xDF\xBF\"");
    ACCEPT("\"\xE0\xA0\x80\"");
    ACCEPT("\"\xED\x9F\xBF\"");
    ACCEPT("\"\xEE\x80\x80\"");
    ACCEPT("\"\xEF\xBB\xBF\"");
    ACCEPT("\"\xEF\xBF\xBF\"");
    ACCEPT("\"\xF0\x90\x80\x80\"");
    ACCEPT("\"\xF4\x8F\xBF\xBF\"");
    ACCEPT("\"h\xC3\xA9llo w\xC3\xB6rld \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x8E\xAC\"");
    ACCEPT("{\"\xC3\xA9t\xC3\xA9\":\"\xE2\x82\xAC\"}");
    free(seq);
    free(doc);
}

/* ---- literals and structure ---- */

static void test_literals(void)
{
    TYPES("true", "T");
    TYPES("false", "F");
    TYPES("null", "Z");
    TYPES(" \t\r\nnull\n", "Z");
    TYPES("[true,false,null]", "[TFZ]");
    REJECT("t", 0);
    REJECT("tru", 0);
    REJECT("nul", 0);
    REJECT("fals", 0);
    REJECT("True", 0);
    REJECT("NULL", 0);
    REJECT("FALSE", 0);
    REJECT("trUe", 0);
    REJECT("nulL", 0);
    REJECT("nil", 0);
    REJECT("undefined", 0);
    REJECT("nulll", 4);
    REJECT("truefalse", 4);
    REJECT("true1", 4);
    REJECT("[tru]", 1);
    REJECT("[true false]", 6);
    REJECT("{\"a\":nul}", 5);
    REJECT("{\"a\":n", 5);
    REJECT("[truex]", 5);
}

static void test_structure(void)
{
    walk_result w;

    /* empty and whitespace-only input */
    walk("", 0, &w);
    CHECK_INT(w.rc, PLEX_EPARSE);
    CHECK_INT(w.err_pos, 0);
    CHECK_STR(w.err_msg, "empty input");
    REJECT("", 0);
    REJECT(" ", 1);
    REJECT("   ", 3);
    REJECT(" \t\r\n", 4);
    REJECT("\f", 0);  /* form feed is not JSON whitespace */
    REJECT("\v1", 0); /* nor vertical tab */
    REJECT("\r\n\f", 2);

    /* top-level scalars are JSON texts (RFC 8259 §2) */
    TYPES("1", "N");
    TYPES("\"s\"", "S");
    TYPES("  -0  ", "N");
    TYPES("\"\"", "S");

    /* token sequences */
    TYPES("{}", "{}");
    TYPES("[]", "[]");
    TYPES(" { } ", "{}");
    TYPES("[ ]", "[]");
    TYPES("[[]]", "[[]]");
    TYPES("[{}]", "[{}]");
    TYPES("{\"a\":[]}", "{K[]}");
    TYPES("{\"a\":{}}", "{K{}}");
    TYPES("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":false,\"e\":null,\"f\":[1,2],\"g\":{}}",
          "{KNKSKTKFKZK[NN]K{}}");
    TYPES("[1,\"a\",{\"k\":[null]},[[],{}]]", "[NS{K[Z]}[[]{}]]");
    TYPES("\t{\n\t\"a\" :\r\n 1 ,\"b\"\t:\t[ 2 , 3 ]\n}\n", "{KNK[NN]}");
    TYPES("{\"\":\"\"}", "{KS}");
    TYPES("{\"a\":1,\"a\":2}", "{KNKN}"); /* duplicate keys: the decoder's concern */
    TYPES("{\"a\":1,\"a\":{\"a\":[\"a\"]}}", "{KNK{K[S]}}");

    /* trailing data */
    REJECT("{}x", 2);
    REJECT("{} x", 3);
    REJECT("{}}", 2);
    REJECT("[]]", 2);
    REJECT("[][]", 2);
    REJECT("[] []", 3);
    REJECT("{},", 2);
    REJECT("1 1", 2);
    REJECT("\"a\"\"b\"", 3);
    REJECT("null null", 5);
    REJECT("{}\n\n/", 4);
    REJECT("{} // comment", 3);
    REJECT("/* c */ {}", 0);
    REJECT("# c\n{}", 0);

    /* commas */
    REJECT("[1,]", 3);
    REJECT("[1, ]", 4);
    REJECT("[,]", 1);
    REJECT("[,1]", 1);
    REJECT("[1,,2]", 3);
    REJECT("[1 2]", 3);
    REJECT("[1 , , 2]", 5);
    REJECT("{\"a\":1,}", 7);
    REJECT("{\"a\":1 ,\n}", 9);
    REJECT("{,}", 1);
    REJECT("{,\"a\":1}", 1);
    REJECT("{\"a\":1,,\"b\":2}", 7);
    REJECT("{\"a\":1 \"b\":2}", 7);
    REJECT("{\"a\":1\"b\":2}", 6);
    REJECT(",", 0);
    REJECT(",1", 0);

    /* colons and keys */
    REJECT("{\"a\" 1}", 5);
    REJECT("{\"a\"}", 4);
    REJECT("{\"a\",1}", 4);
    REJECT("{\"a\":}", 5);
    REJECT("{\"a\"::1}", 5);
    REJECT("{\"a\"=1}", 4);
    REJECT("{\"a\" : }", 7);
    REJECT("{:1}", 1);
    REJECT(":", 0);
    REJECT("[\"a\":1]", 4);
    REJECT("{1:2}", 1);
    REJECT("{-1:2}", 1);
    REJECT("{true:1}", 1);
    REJECT("{null:1}", 1);
    REJECT("{[]:1}", 1);
    REJECT("{{}:1}", 1);
    REJECT("{'a':1}", 1);
    REJECT("{a:1}", 1);
    REJECT("{\"a\":1,2:3}", 7);
    REJECT("{\"a\":1,\"b\"}", 10);
    REJECT("['a']", 1);

    /* mismatched and missing brackets */
    REJECT("[", 1);
    REJECT("{", 1);
    REJECT("[ ", 2);
    REJECT("[1", 2);
    REJECT("[1,", 3);
    REJECT("[[]", 3);
    REJECT("{\"a\"", 4);
    REJECT("{\"a\":", 5);
    REJECT("{\"a\":1", 6);
    REJECT("{\"a\":[1]", 8);
    REJECT("]", 0);
    REJECT("}", 0);
    REJECT("[}", 1);
    REJECT("{]", 1);
    REJECT("[1}", 2);
    REJECT("{\"a\":1]", 6);
    REJECT("[{]}", 2);
    REJECT("[{}}", 3);
    REJECT("{\"a\":[}", 6);
    REJECT("{\"a\":[1}", 7);
    REJECT("[[[[[]]]]]]", 10);
    REJECT("[[[[[]]]]", 9);

    /* other characters where a value belongs */
    REJECT("'a'", 0);
    REJECT("[a]", 1);
    REJECT("[\x01]", 1);
    REJECT("@", 0);
    REJECT("(1)", 0);
    REJECT("<a/>", 0);
    REJECT("=", 0);
}

/* plex__json_error turns the reader's error into a plex_error */
static void test_error_record(void)
{
    plex__json_reader r;
    plex__json_token t;
    plex_error err;
    char *b = exact("{\"a\":tru}", 9);

    memset(&err, 0, sizeof(err));
    plex__json_reader_init(&r, b, 9);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_KEY);
    CHECK_INT(plex__json_next(&r, &t), PLEX_EPARSE);
    CHECK_INT(r.err_pos, 5);
    CHECK_INT(plex__json_error(&r, &err), PLEX_EPARSE);
    CHECK_INT(err.code, PLEX_EPARSE);
    CHECK_INT(err.json_pos, 5);
    CHECK(strstr(err.message, "5") != NULL);
    CHECK(strstr(err.message, "literal") != NULL);
    CHECK_INT(plex__json_error(&r, NULL), PLEX_EPARSE);
    free(b);
}

/* ---- depth ---- */

static char *nested(size_t depth, int object, int close, size_t *len)
{
    /* [[[...]]] or {"a":{"a":...}} */
    size_t o = 0, i, cap = depth * 6 + 8;
    char *s = malloc(cap);
    REQUIRE(s != NULL);
    for (i = 0; i < depth; i++) {
        if (object && i > 0) {
            memcpy(s + o, "\"a\":", 4);
            o += 4;
        }
        s[o++] = object ? '{' : '[';
    }
    if (object && depth && close) {
        memcpy(s + o, "\"a\":1", 5);
        o += 5;
    }
    if (close)
        for (i = 0; i < depth; i++)
            s[o++] = object ? '}' : ']';
    *len = o;
    return s;
}

static void test_depth(void)
{
    size_t n, i, o;
    char *s;
    walk_result w;
    const size_t max = PLEX__JSON_MAX_DEPTH;

    s = nested(max, 0, 1, &n);
    check_doc(__LINE__, s, n, 1, 0);
    free(s);
    s = nested(max + 1, 0, 1, &n);
    check_doc(__LINE__, s, n, 0, max);
    walk(s, n, &w);
    CHECK_STR(w.err_msg, "nesting too deep");
    free(s);
    s = nested(max, 1, 1, &n);
    check_doc(__LINE__, s, n, 1, 0);
    free(s);
    s = nested(max + 1, 1, 1, &n);
    check_doc(__LINE__, s, n, 0, 5 * max); /* the 513th '{' */
    free(s);
    /* deeper than jansson's own limit (2048) too */
    s = nested(3000, 0, 1, &n);
    check_doc(__LINE__, s, n, 0, max);
    free(s);
    /* 100000 '[', closed or not: refused at the limit, no stack overflow */
    s = nested(100000, 0, 0, &n);
    check_doc(__LINE__, s, n, 0, max);
    free(s);
    s = nested(100000, 0, 1, &n);
    check_doc(__LINE__, s, n, 0, max);
    free(s);
    s = nested(100000, 1, 0, &n);
    walk(s, n, &w);
    CHECK_INT(w.rc, PLEX_EPARSE);
    CHECK_STR(w.err_msg, "nesting too deep");
    free(s);

    /* alternating arrays and objects at full depth: the bit stack must
     * remember each level's kind, so a wrong closer is caught at any level */
    s = malloc(max * 5 + 16);
    REQUIRE(s != NULL);
    o = 0;
    for (i = 0; i < max; i++) {
        if (i % 2 == 0) {
            s[o++] = '[';
        } else {
            memcpy(s + o, "{\"k\":", 5);
            o += 5;
        }
    }
    s[o++] = '0'; /* the innermost object's value */
    n = o;
    for (i = max; i-- > 0;)
        s[o++] = i % 2 == 0 ? ']' : '}';
    check_doc(__LINE__, s, o, 1, 0);
    for (i = 0; i < max; i += 37) {
        /* swap the closer of level i (counted from the outside) */
        size_t at = n + (max - 1 - i);
        char saved = s[at];
        s[at] = saved == ']' ? '}' : ']';
        check_doc(__LINE__, s, o, 0, at);
        s[at] = saved;
    }
    free(s);
}

/* ---- NUL bytes, over-reads, error offsets ---- */

static void test_nul_and_bounds(void)
{
    static const char doc[] =
        "{\"a\":[1,-2.5e+3,0,true,false,null],\"s\":\"x\\u00e9\\ud83d\\ude00\\n\\\"\\\\/\","
        "\"o\":{\"k\":{}},\"e\":[],\"u\":\"h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"n\":-0.0E-0}";
    size_t n = sizeof(doc) - 1, k;

    /* NUL bytes outside strings are not whitespace */
    REJECT("\0", 0);
    REJECT("\0{}", 0);
    REJECT("{}\0", 2);
    REJECT("{} \0", 3);
    REJECT("[1,\0 2]", 3);
    REJECT("[1\0]", 2);
    REJECT("{\"a\"\0:1}", 4);
    REJECT("{\"a\":\0 1}", 5);
    REJECT("1\0", 1);
    REJECT("tr\0e", 0);
    REJECT("\"a\0b\"", 2); /* a raw NUL in a string is a control character */
    ACCEPT("\"a\\u0000b\"");

    /* every proper prefix of a document whose top-level value is an object
     * is invalid; exact-size copies make ASan catch any read past len */
    check_doc(__LINE__, doc, n, 1, 0);
    for (k = 0; k < n; k++) {
        walk_result w;
        walk(doc, k, &w);
        test_checks++;
        if (w.rc == 0 || w.err_pos > k) {
            test_failures++;
            fprintf(stderr, "%s:%d: prefix %zu: rc %d at %zu\n", __FILE__, __LINE__, k, w.rc,
                    w.err_pos);
        }
        oracle(__LINE__, doc, k);
    }
    /* and every prefix of scalar documents */
    {
        static const char *const scalars[] = {
            "-12.5e+10", "\"\\uD83D\\uDE00\\t\"", "false", "\"\xF0\x9F\x98\x80\"", "true", "null"};
        size_t i;
        for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
            size_t len = strlen(scalars[i]);
            for (k = 0; k <= len; k++) {
                walk_result w;
                walk(scalars[i], k, &w);
                CHECK(w.rc != 0 || k == len ||
                      (i == 0 && k > 0 && scalars[i][k - 1] != '.' && scalars[i][k - 1] != 'e' &&
                       scalars[i][k - 1] != '+' && k != 1));
                oracle(__LINE__, scalars[i], k);
            }
        }
    }
}

/* ---- skip, key_eq ---- */

static void test_skip(void)
{
    static const char doc[] =
        "{\"a\":{\"b\":[1,{\"c\":[]}],\"d\":\"x]}\"},\"e\":[[[]],{\"}\":\"[\"}],\"f\":3,\"g\":{}}";
    size_t n = sizeof(doc) - 1;
    char *b = exact(doc, n);
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_OBJECT_BEGIN);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK(plex__json_key_eq(b, &t, "a", 1));
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_OBJECT_BEGIN);
    CHECK_INT(plex__json_skip(&r, &t), 0);
    CHECK_INT(r.depth, 1);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_KEY);
    CHECK(plex__json_key_eq(b, &t, "e", 1));
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_ARRAY_BEGIN);
    CHECK_INT(plex__json_skip(&r, &t), 0);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK(plex__json_key_eq(b, &t, "f", 1));
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_NUMBER);
    {
        size_t pos = r.pos;
        CHECK_INT(plex__json_skip(&r, &t), 0); /* a scalar: nothing to skip */
        CHECK_INT(r.pos, pos);
    }
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK(plex__json_key_eq(b, &t, "g", 1));
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_skip(&r, &t), 0);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_OBJECT_END);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_EOF);
    free(b);

    /* skipping the whole top-level value */
    b = exact(doc, n);
    plex__json_reader_init(&r, b, n);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_skip(&r, &t), 0);
    CHECK_INT(r.pos, n);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_EOF);
    free(b);

    /* skip validates what it skips */
    b = exact("[1,{\"a\":[1,}],2]", 16);
    plex__json_reader_init(&r, b, 16);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(t.type, PLEX__JSON_OBJECT_BEGIN);
    CHECK_INT(plex__json_skip(&r, &t), PLEX_EPARSE);
    CHECK_INT(r.err_pos, 11);
    free(b);
    b = exact("[[1,2]", 6);
    plex__json_reader_init(&r, b, 6);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_skip(&r, &t), PLEX_EPARSE);
    CHECK_INT(r.err_pos, 6);
    free(b);
    b = exact("[\"\\uD800\"]", 10);
    plex__json_reader_init(&r, b, 10);
    CHECK_INT(plex__json_next(&r, &t), 0);
    CHECK_INT(plex__json_skip(&r, &t), PLEX_EPARSE);
    CHECK_INT(r.err_pos, 2);
    free(b);
}

static void check_key_eq(int line, const char *json, size_t n, const char *s, size_t sn, int want)
{
    char *b = exact(json, n);
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    REQUIRE(plex__json_next(&r, &t) == 0 && t.type == PLEX__JSON_OBJECT_BEGIN);
    REQUIRE(plex__json_next(&r, &t) == 0 && t.type == PLEX__JSON_KEY);
    test_checks++;
    if (plex__json_key_eq(b, &t, s, sn) != want) {
        test_failures++;
        fprintf(stderr, "%s:%d: plex__json_key_eq(\"%.*s\") != %d for ", __FILE__, line, (int)sn, s,
                want);
        dump(json, n);
    }
    free(b);
}

#define KEY_EQ(json, s, want) check_key_eq(__LINE__, json, sizeof(json) - 1, s, sizeof(s) - 1, want)

static void test_key_eq(void)
{
    char doc[1024], key[160];
    size_t o, i;

    KEY_EQ("{\"abc\":1}", "abc", 1);
    KEY_EQ("{\"abc\":1}", "ab", 0);
    KEY_EQ("{\"abc\":1}", "abcd", 0);
    KEY_EQ("{\"abc\":1}", "abd", 0);
    KEY_EQ("{\"\":1}", "", 1);
    KEY_EQ("{\"\":1}", "a", 0);
    KEY_EQ("{\"a\\u0062c\":1}", "abc", 1);
    KEY_EQ("{\"a\\u0062c\":1}", "a\\u0062c", 0);
    KEY_EQ("{\"a\\u0062c\":1}", "abcd", 0);
    KEY_EQ("{\"a\\u0062c\":1}", "ab", 0);
    KEY_EQ("{\"\\u0061\":1}", "a", 1);
    KEY_EQ("{\"\\\"\":1}", "\"", 1);
    KEY_EQ("{\"a\\\\b\":1}", "a\\b", 1);
    KEY_EQ("{\"a\\/b\":1}", "a/b", 1);
    KEY_EQ("{\"a\\nb\":1}", "a\nb", 1);
    KEY_EQ("{\"a\\nb\":1}", "anb", 0);
    KEY_EQ("{\"\\u00e9t\\u00E9\":1}", "\xC3\xA9t\xC3\xA9", 1);
    KEY_EQ("{\"\xC3\xA9t\xC3\xA9\":1}", "\xC3\xA9t\xC3\xA9", 1);
    KEY_EQ("{\"\\ud83d\\ude00\":1}", "\xF0\x9F\x98\x80", 1);
    KEY_EQ("{\"a\\u0000b\":1}", "a\0b", 1);
    KEY_EQ("{\"a\\u0000b\":1}", "a", 0);
    KEY_EQ("{\"ratingKey\":1}", "ratingKey", 1);
    KEY_EQ("{\"rating\\u004bey\":1}", "ratingKey", 1);

    /* a long key written entirely in \u escapes is still the same key */
    o = 0;
    doc[o++] = '{';
    doc[o++] = '"';
    for (i = 0; i < 19; i++)
        o += (size_t)snprintf(doc + o, 7, "\\u%04x", (unsigned)"librarySectionTitle"[i]);
    memcpy(doc + o, "\":1}", 4);
    o += 4;
    check_key_eq(__LINE__, doc, o, "librarySectionTitle", 19, 1);
    check_key_eq(__LINE__, doc, o, "librarySectionTitlf", 19, 0);
    check_key_eq(__LINE__, doc, o, "librarySectionTitl", 18, 0);
    /* a long escaped key, and one that only shares a prefix */
    o = 0;
    doc[o++] = '{';
    doc[o++] = '"';
    for (i = 0; i < 150; i++)
        key[i] = (char)('a' + i % 26);
    memcpy(doc + o, key, 150);
    o += 150;
    memcpy(doc + o, "\\n\":1}", 6);
    o += 6;
    key[150] = '\n';
    check_key_eq(__LINE__, doc, o, key, 151, 1);
    check_key_eq(__LINE__, doc, o, key, 150, 0);
    key[149] = '!';
    check_key_eq(__LINE__, doc, o, key, 151, 0);
}

/* ---- writer ---- */

/* Detach the writer's buffer and compare it with want (NULL: expect PLEX_EINVALID). */
static void check_out(int line, plex__buf *b, const char *want, size_t wn)
{
    char *out = NULL;
    int rc = plex__buf_detach(b, &out);

    test_checks++;
    if (!want) {
        if (rc != PLEX_EINVALID || out != NULL) {
            test_failures++;
            fprintf(stderr, "%s:%d: writer returned %d, expected PLEX_EINVALID\n", __FILE__, line,
                    rc);
        }
    } else if (rc != 0 || !out || strlen(out) != wn || memcmp(out, want, wn) != 0) {
        test_failures++;
        fprintf(stderr, "%s:%d: writer returned %d: ", __FILE__, line, rc);
        if (out)
            dump(out, strlen(out));
        else
            fputc('\n', stderr);
        fprintf(stderr, "    expected: ");
        dump(want, wn);
    }
    if (out) {
        /* whatever the writer produced is valid JSON */
        check_doc(line, out, strlen(out), 1, 0);
        plex__free(out);
    }
    plex__buf_dispose(b);
}

#define OUT(b, lit) check_out(__LINE__, b, lit, sizeof(lit) - 1)
#define OUT_INVALID(b) check_out(__LINE__, b, NULL, 0)

static void raw(plex__json_writer *w, const char *s, size_t n)
{
    char *c = exact(s, n);
    plex__jw_raw(w, c, n);
    free(c);
}

#define RAW(w, lit) raw(w, lit, sizeof(lit) - 1)

static void test_writer(void)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    char bytes[40], want[40 * 6 + 8];
    size_t i, o;
    static const char *const bad_utf8[] = {"\xC3",
                                           "a\xFF",
                                           "\x80",
                                           "\xC0\x80",
                                           "\xE0\x80\x80",
                                           "\xED\xA0\x80",
                                           "\xF4\x90\x80\x80",
                                           "\xE2\x82",
                                           "\xF0\x9F\x98"};
    static const char *const bad_raw[] = {"",        " ",    "[1,",         "1 2",      "{}x",
                                          "01",      "[1]]", "\"\\uD800\"", "\"\xC3\"", "nul",
                                          "{\"a\"}", "[1,]", "\"a\nb\""};

    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "a");
    plex__jw_int(&w, 1);
    plex__jw_key(&w, "b");
    plex__jw_array_begin(&w);
    plex__jw_bool(&w, 1);
    plex__jw_bool(&w, 0);
    plex__jw_null(&w);
    plex__jw_array_end(&w);
    plex__jw_key(&w, "c");
    plex__jw_string(&w, "x");
    plex__jw_key(&w, "d");
    plex__jw_object_begin(&w);
    plex__jw_object_end(&w);
    plex__jw_key(&w, "e");
    plex__jw_array_begin(&w);
    plex__jw_array_end(&w);
    plex__jw_key(&w, "f");
    plex__jw_int(&w, INT64_MIN);
    plex__jw_key(&w, "g");
    plex__jw_int(&w, INT64_MAX);
    plex__jw_key(&w, "h");
    plex__jw_string(&w, NULL);
    plex__jw_key(&w, "i");
    plex__jw_array_begin(&w);
    plex__jw_array_begin(&w);
    plex__jw_int(&w, 0);
    plex__jw_int(&w, -1);
    plex__jw_array_end(&w);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "");
    plex__jw_string(&w, "");
    plex__jw_object_end(&w);
    plex__jw_array_end(&w);
    plex__jw_object_end(&w);
    OUT(&b, "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\",\"d\":{},\"e\":[],"
            "\"f\":-9223372036854775808,\"g\":9223372036854775807,\"h\":null,"
            "\"i\":[[0,-1],{\"\":\"\"}]}");

    /* top-level scalars */
    plex__jw_init(&w, &b);
    plex__jw_int(&w, 0);
    OUT(&b, "0");
    plex__jw_init(&w, &b);
    plex__jw_string(&w, NULL);
    OUT(&b, "null");
    plex__jw_init(&w, &b);
    plex__jw_string(&w, "");
    OUT(&b, "\"\"");
    plex__jw_init(&w, &b);
    plex__jw_bool(&w, 42);
    OUT(&b, "true");

    /* escaping: quote, backslash, control characters; '/' and DEL stay */
    plex__jw_init(&w, &b);
    plex__jw_string(&w, "a\"b\\c/d\x7F"
                        "e\xC3\xA9\xF0\x9F\x98\x80");
    OUT(&b, "\"a\\\"b\\\\c/d\x7F"
            "e\xC3\xA9\xF0\x9F\x98\x80\"");
    plex__jw_init(&w, &b);
    plex__jw_string(&w, "\b\f\n\r\t");
    OUT(&b, "\"\\b\\f\\n\\r\\t\"");
    plex__jw_init(&w, &b);
    plex__jw_string(&w, "\x01\x1F\x0B");
    OUT(&b, "\"\\u0001\\u001f\\u000b\"");
    plex__jw_init(&w, &b);
    plex__jw_stringn(&w, "a\0b", 3);
    OUT(&b, "\"a\\u0000b\"");
    for (i = 0; i < 32; i++)
        bytes[i] = (char)i;
    o = 0;
    want[o++] = '"';
    for (i = 0; i < 32; i++) {
        const char *sh = i == 8    ? "\\b"
                         : i == 9  ? "\\t"
                         : i == 10 ? "\\n"
                         : i == 12 ? "\\f"
                         : i == 13 ? "\\r"
                                   : NULL;
        if (sh) {
            memcpy(want + o, sh, 2);
            o += 2;
        } else {
            o += (size_t)snprintf(want + o, 7, "\\u%04x", (unsigned)i);
        }
    }
    want[o++] = '"';
    plex__jw_init(&w, &b);
    plex__jw_stringn(&w, bytes, 32);
    check_out(__LINE__, &b, want, o);
    /* keys are escaped the same way */
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "k\"\n\x01");
    plex__jw_int(&w, 1);
    plex__jw_object_end(&w);
    OUT(&b, "{\"k\\\"\\n\\u0001\":1}");

    /* invalid UTF-8 marks the buffer */
    for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        plex__jw_init(&w, &b);
        plex__jw_array_begin(&w);
        plex__jw_string(&w, "ok");
        plex__jw_string(&w, bad_utf8[i]);
        CHECK_INT(b.err, PLEX_EINVALID);
        plex__jw_string(&w, "later");
        plex__jw_array_end(&w);
        CHECK_INT(b.err, PLEX_EINVALID);
        OUT_INVALID(&b);
        plex__jw_init(&w, &b);
        plex__jw_object_begin(&w);
        plex__jw_key(&w, bad_utf8[i]);
        plex__jw_int(&w, 1);
        plex__jw_object_end(&w);
        OUT_INVALID(&b);
    }

    /* depth: the writer nests as deep as the reader reads, no deeper */
    plex__jw_init(&w, &b);
    for (i = 0; i < PLEX__JSON_MAX_DEPTH; i++)
        plex__jw_array_begin(&w);
    for (i = 0; i < PLEX__JSON_MAX_DEPTH; i++)
        plex__jw_array_end(&w);
    CHECK_INT(b.err, 0);
    {
        char *out = NULL;
        CHECK_INT(plex__buf_detach(&b, &out), 0);
        REQUIRE(out != NULL);
        check_doc(__LINE__, out, strlen(out), 1, 0);
        plex__free(out);
        plex__buf_dispose(&b);
    }
    plex__jw_init(&w, &b);
    for (i = 0; i <= PLEX__JSON_MAX_DEPTH; i++)
        plex__jw_array_begin(&w);
    OUT_INVALID(&b);
    plex__jw_init(&w, &b);
    plex__jw_array_begin(&w);
    plex__jw_array_end(&w);
    plex__jw_array_end(&w); /* one end too many */
    OUT_INVALID(&b);

    /* raw values: checked, trimmed, comma-managed */
    plex__jw_init(&w, &b);
    RAW(&w, "  [1, 2] \n");
    OUT(&b, "[1, 2]");
    plex__jw_init(&w, &b);
    plex__jw_array_begin(&w);
    RAW(&w, "{\"a\":1}");
    RAW(&w, " \"s\\n\" ");
    RAW(&w, "-1.5e3");
    RAW(&w, "true");
    RAW(&w, "\"\"");
    plex__jw_int(&w, 7);
    RAW(&w, "12345678901234567890123");
    plex__jw_array_end(&w);
    OUT(&b, "[{\"a\":1},\"s\\n\",-1.5e3,true,\"\",7,12345678901234567890123]");
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "x");
    RAW(&w, "null");
    plex__jw_key(&w, "y");
    RAW(&w, "{\"z\":[]}");
    plex__jw_object_end(&w);
    OUT(&b, "{\"x\":null,\"y\":{\"z\":[]}}");
    for (i = 0; i < sizeof(bad_raw) / sizeof(bad_raw[0]); i++) {
        plex__jw_init(&w, &b);
        plex__jw_array_begin(&w);
        raw(&w, bad_raw[i], strlen(bad_raw[i]));
        CHECK_INT(b.err, PLEX_EINVALID);
        plex__jw_array_end(&w);
        OUT_INVALID(&b);
    }
    {
        /* nesting deeper than the reader allows is not a valid raw value */
        size_t n;
        char *s = nested(PLEX__JSON_MAX_DEPTH + 1, 0, 1, &n);
        plex__jw_init(&w, &b);
        plex__jw_raw(&w, s, n);
        OUT_INVALID(&b);
        free(s);
    }
}

/* ---- round trip: encode, decode, encode again ---- */

/* Re-encode a document through the reader and the writer. */
static int reencode(const char *in, size_t n, plex__buf *out)
{
    plex__json_reader r;
    plex__json_token t;
    plex__json_writer w;
    char *b = exact(in, n);

    plex__json_reader_init(&r, b, n);
    plex__jw_init(&w, out);
    for (;;) {
        if (plex__json_next(&r, &t)) {
            free(b);
            return -1;
        }
        switch (t.type) {
        case PLEX__JSON_EOF:
            free(b);
            return 0;
        case PLEX__JSON_OBJECT_BEGIN:
            plex__jw_object_begin(&w);
            break;
        case PLEX__JSON_OBJECT_END:
            plex__jw_object_end(&w);
            break;
        case PLEX__JSON_ARRAY_BEGIN:
            plex__jw_array_begin(&w);
            break;
        case PLEX__JSON_ARRAY_END:
            plex__jw_array_end(&w);
            break;
        case PLEX__JSON_TRUE:
            plex__jw_bool(&w, 1);
            break;
        case PLEX__JSON_FALSE:
            plex__jw_bool(&w, 0);
            break;
        case PLEX__JSON_NULL:
            plex__jw_null(&w);
            break;
        case PLEX__JSON_NUMBER: {
            int64_t v;
            if (t.integer && plex__json_int64(b, &t, &v) == 0)
                plex__jw_int(&w, v);
            else
                plex__jw_raw(&w, b + t.start, t.end - t.start);
            break;
        }
        case PLEX__JSON_KEY:
        case PLEX__JSON_STRING: {
            char *s = malloc(t.end - t.start + 1);
            size_t len;
            REQUIRE(s != NULL);
            len = plex__json_unescape(b, &t, s);
            s[len] = '\0';
            if (t.type == PLEX__JSON_KEY)
                plex__jw_key(&w, s); /* generated keys have no NUL */
            else
                plex__jw_stringn(&w, s, len);
            free(s);
            break;
        }
        }
    }
}

static size_t put_cp(char *d, uint32_t cp)
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

/* Random valid UTF-8 with plenty of characters that need escaping. */
static size_t random_text(char *d, size_t max_chars, int allow_nul)
{
    size_t o = 0, i, n = rnd_below((uint32_t)max_chars + 1);
    for (i = 0; i < n; i++) {
        uint32_t cp;
        switch (rnd_below(6)) {
        case 0:
            cp = rnd_below(0x20);
            break;
        case 1:
            cp = (uint32_t) "\"\\/'u"[rnd_below(5)];
            break;
        case 2:
            cp = 0x80 + rnd_below(0x780);
            break;
        case 3:
            cp = 0x800 + rnd_below(0x10000 - 0x800);
            break;
        case 4:
            cp = 0x10000 + rnd_below(0x100000);
            break;
        default:
            cp = 0x20 + rnd_below(0x60);
            break;
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp == 0 && !allow_nul))
            cp = 'x';
        o += put_cp(d + o, cp);
    }
    return o;
}

static void gen_value(plex__json_writer *w, int depth)
{
    static const char *const reals[] = {"1.5",
                                        "-0.0",
                                        "1e5",
                                        "2.5E-3",
                                        "-1.7976931348623157e308",
                                        "4.9e-324",
                                        "123456789012345678901234567890",
                                        "0.1"};
    static const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, 1701234567, -42};
    char text[32 * 4 + 1];
    size_t n, i;

    switch (rnd_below(depth >= 6 ? 5 : 8)) {
    case 0:
        plex__jw_int(w, rnd_below(2) ? ints[rnd_below(7)] : (int64_t)rnd() - (int64_t)rnd());
        break;
    case 1:
        plex__jw_bool(w, (int)rnd_below(2));
        break;
    case 2:
        plex__jw_null(w);
        break;
    case 3:
        n = random_text(text, 32, 1);
        plex__jw_stringn(w, text, n);
        break;
    case 4: {
        const char *s = reals[rnd_below(8)];
        plex__jw_raw(w, s, strlen(s));
        break;
    }
    case 5:
    case 6:
        plex__jw_array_begin(w);
        for (i = rnd_below(5); i > 0; i--)
            gen_value(w, depth + 1);
        plex__jw_array_end(w);
        break;
    default:
        plex__jw_object_begin(w);
        for (i = rnd_below(5); i > 0; i--) {
            n = random_text(text, 8, 0);
            text[n] = '\0';
            plex__jw_key(w, text);
            gen_value(w, depth + 1);
        }
        plex__jw_object_end(w);
    }
}

static void test_roundtrip(void)
{
    int i, bad = 0;

    for (i = 0; i < 1500; i++) {
        plex__buf b1 = PLEX__BUF_INIT, b2 = PLEX__BUF_INIT;
        plex__json_writer w;
        char *out1 = NULL, *out2 = NULL;
        size_t n1;

        plex__jw_init(&w, &b1);
        gen_value(&w, 0);
        REQUIRE(plex__buf_detach(&b1, &out1) == 0 && out1 != NULL);
        n1 = strlen(out1);
        /* compact: the writer never emits raw whitespace other than spaces in strings */
        CHECK(strpbrk(out1, "\t\n\r") == NULL);
        oracle(__LINE__, out1, n1);
        if (reencode(out1, n1, &b2) != 0 || plex__buf_detach(&b2, &out2) != 0 || !out2 ||
            strcmp(out1, out2) != 0) {
            if (bad++ < 5) {
                fprintf(stderr, "%s:%d: round trip changed the document: ", __FILE__, __LINE__);
                dump(out1, n1);
                if (out2)
                    dump(out2, strlen(out2));
            }
        }
        plex__free(out1);
        plex__free(out2);
        plex__buf_dispose(&b1);
        plex__buf_dispose(&b2);
    }
    CHECK_INT(bad, 0);
}

/* ---- differential: generated and mutated documents ---- */

static void test_differential(void)
{
    static const char *const alphabet[] = {"[", "]",     "{",    "}", ",", ":",
                                           "1", "\"a\"", "true", "-", " ", "\"\\u0000\""};
    static const char *const seeds[] = {
        "{\"a\":[1,-2.5e+3,0,true,false,null],\"s\":\"x\\u00e9\\ud83d\\ude00\\n\\\"\\\\/\","
        "\"o\":{\"k\":{}},\"e\":[],\"u\":\"h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"n\":-0.0E-0}",
        "{\"MediaContainer\":{\"size\":2,\"Metadata\":[{\"ratingKey\":\"123\",\"title\":"
        "\"Am\\u00e9lie\",\"year\":2001,\"rating\":8.3,\"addedAt\":1701234567,\"Genre\":"
        "[{\"tag\":\"Com\\u00e9die\"}]},{\"ratingKey\":\"9\",\"title\":\"\\\"Q\\\"\","
        "\"duration\":null,\"viewed\":false}]}}",
        "[[1e5,1E+5,1.5e-3,0],\"\\b\\f\\n\\r\\t\\/\",{\"\":{\"\\u0041\":[]}},\"\\uDBFF\\uDFFF\"]",
        "{\"id\":18446744073709551616,\"lat\":\"18.3381, -64.8941\",\"d\":{\"d\":{\"d\":[[[]]]}}}",
    };
    static const unsigned char special[] = {0x00, 0x01, 0x1F, 0x7F, 0x80, 0xA0, 0xBF, 0xC0,
                                            0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF};
    static const char common[] = "{}[],:\"\\0123456789-+.eEtrufalsnbuDdCc \t\n\r/";
    char doc[1024];
    size_t len, i, k, s;
    uint32_t a, b, c, d;
    const size_t na = sizeof(alphabet) / sizeof(alphabet[0]);

    /* every sequence of up to four tokens from the alphabet */
    for (a = 0; a <= na; a++)
        for (b = 0; b <= (a ? na : 0); b++)
            for (c = 0; c <= (b ? na : 0); c++)
                for (d = 0; d <= (c ? na : 0); d++) {
                    const uint32_t idx[4] = {a, b, c, d};
                    len = 0;
                    for (k = 0; k < 4 && idx[k]; k++) {
                        size_t l = strlen(alphabet[idx[k] - 1]);
                        memcpy(doc + len, alphabet[idx[k] - 1], l);
                        len += l;
                    }
                    oracle(__LINE__, doc, len);
                }

    /* random mutations of the seed documents */
    for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        size_t seed_len = strlen(seeds[s]);
        for (i = 0; i < 2500; i++) {
            uint32_t m, nm = 1 + rnd_below(3);
            memcpy(doc, seeds[s], seed_len);
            len = seed_len;
            for (m = 0; m < nm && len > 0; m++) {
                size_t at = rnd_below((uint32_t)len);
                unsigned char byte = rnd_below(3) == 0
                                         ? special[rnd_below(sizeof(special))]
                                         : (unsigned char)common[rnd_below(sizeof(common) - 1)];
                switch (rnd_below(5)) {
                case 0: /* replace */
                    doc[at] = (char)byte;
                    break;
                case 1: /* insert */
                    memmove(doc + at + 1, doc + at, len - at);
                    doc[at] = (char)byte;
                    len++;
                    break;
                case 2: /* delete */
                    memmove(doc + at, doc + at + 1, len - at - 1);
                    len--;
                    break;
                case 3: /* truncate */
                    len = at;
                    break;
                default: { /* duplicate a short span */
                    size_t span = 1 + rnd_below(8);
                    if (at + span > len)
                        span = len - at;
                    if (len + span < sizeof(doc) / 2) {
                        memmove(doc + at + span, doc + at, len - at);
                        len += span;
                    }
                }
                }
            }
            oracle(__LINE__, doc, len);
        }
    }

    /* random bytes from the JSON alphabet */
    for (i = 0; i < 3000; i++) {
        len = 1 + rnd_below(12);
        for (k = 0; k < len; k++)
            doc[k] = common[rnd_below(sizeof(common) - 1)];
        oracle(__LINE__, doc, len);
    }
}

int main(void)
{
    make_ties();
    test_numbers();
    test_int64();
    test_strtod();
    test_strings();
    test_utf8();
    test_literals();
    test_structure();
    test_error_record();
    test_depth();
    test_nul_and_bounds();
    test_skip();
    test_key_eq();
    test_writer();
    test_roundtrip();
    test_differential();
    test_locale(); /* last: it frees the random numbers */
#ifdef PLEX_HAVE_JANSSON
    printf("test_json: %zu documents compared with jansson (%zu accepted by both); known "
           "divergences: %zu out-of-range numbers, %zu nesting 513..2048, %zu NUL in keys, %zu NUL "
           "after a scalar\n",
           oracle_docs, oracle_both_accept, oracle_div_range, oracle_div_depth, oracle_div_nulkey,
           oracle_div_nul);
#else
    (void)oracle_docs;
    (void)oracle_both_accept;
    (void)oracle_div_range;
    (void)oracle_div_depth;
    (void)oracle_div_nulkey;
    (void)oracle_div_nul;
    printf("test_json: built without jansson; differential checks skipped\n");
#endif
    return test_summary("test_json");
}

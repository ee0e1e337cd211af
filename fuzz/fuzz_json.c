/*
 * Fuzz target for the JSON pull reader (src/lib/json.c).
 *
 * Every input is walked three ways, which must agree on whether it is valid
 * JSON and, when it is not, on where the error is:
 *   1. token by token with plex__json_next until EOF, unescaping every
 *      string and key and converting every number;
 *   2. one plex__json_next, then plex__json_skip over the whole value;
 *   3. like a model decoder: inside objects, each member's value is skipped
 *      with plex__json_skip.
 * Unescaped strings must be valid UTF-8 and fit the documented bound; numbers
 * are checked against the C library's strtoll/strtod.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct walk_result {
    int rc;         /* 0: valid JSON, else PLEX_EPARSE */
    size_t err_pos; /* when rc != 0 */
} walk_result;

static void check_string(const char *buf, const plex__json_token *tok)
{
    size_t room = tok->end - tok->start;
    /* exactly the documented room, so ASan catches a write past it */
    char *dst = malloc(room ? room : 1);
    size_t n;

    FUZZ_CHECK(dst != NULL, "out of memory");
    n = plex__json_unescape(buf, tok, dst);
    FUZZ_CHECK(n <= room, "unescape wrote more than end - start bytes");
    FUZZ_CHECK(plex__utf8_valid_prefix(dst, n) == n, "unescaped string is not valid UTF-8");
    FUZZ_CHECK(tok->escaped || (n == room && memcmp(dst, buf + tok->start, n) == 0),
               "unescaped copy of a string without escapes differs from the input");
    if (room <= 64) /* key_eq gives up on escaped keys longer than its buffer */
        FUZZ_CHECK(plex__json_key_eq(buf, tok, dst, n), "key_eq disagrees with unescape");
    free(dst);
}

static void check_number(const char *buf, const plex__json_token *tok)
{
    const char *s = buf + tok->start;
    size_t n = tok->end - tok->start;
    char tmp[512];
    int64_t iv;
    double dv;
    int irc, drc;

    irc = plex__json_int64(buf, tok, &iv);
    drc = plex__json_strtod(s, n, &dv);
    if (n >= sizeof(tmp))
        return;
    memcpy(tmp, s, n);
    tmp[n] = '\0';

    if (tok->integer) {
        long long ref;
        char *end;
        errno = 0;
        ref = strtoll(tmp, &end, 10);
        FUZZ_CHECK(*end == '\0', "integer token is not all digits");
        if (errno == ERANGE) {
            FUZZ_CHECK(irc != 0, "plex__json_int64 accepted an out-of-range integer");
        } else {
            FUZZ_CHECK(irc == 0, "plex__json_int64 refused an int64");
            FUZZ_CHECK(iv == (int64_t)ref, "plex__json_int64 differs from strtoll");
        }
    } else {
        FUZZ_CHECK(irc != 0, "plex__json_int64 accepted a fraction or exponent");
    }

    {
        char *end;
        double ref = strtod(tmp, &end); /* the fuzzer runs in the "C" locale */
        FUZZ_CHECK(*end == '\0', "number token is not a complete strtod number");
        if (drc == 0) {
            FUZZ_CHECK(isfinite(dv), "plex__json_strtod returned a non-finite value");
            FUZZ_CHECK(dv == ref, "plex__json_strtod differs from strtod");
        } else if (n < 128) {
            /* below the documented fallback limit only overflow may fail */
            FUZZ_CHECK(isinf(ref), "plex__json_strtod refused a finite number");
        }
    }
}

/* 1: every token. */
static walk_result walk_tokens(const char *buf, size_t len)
{
    plex__json_reader r;
    plex__json_token tok;
    walk_result w = {0, 0};
    unsigned long steps = 0;

    plex__json_reader_init(&r, buf, len);
    for (;;) {
        size_t before = r.pos;
        if (plex__json_next(&r, &tok)) {
            FUZZ_CHECK(r.err_msg != NULL, "a failure without a message");
            FUZZ_CHECK(r.err_pos <= len, "error position past the end of the input");
            w.rc = -1;
            w.err_pos = r.err_pos;
            /* the reader stays failed */
            FUZZ_CHECK(plex__json_next(&r, &tok) != 0, "reader recovered after a failure");
            return w;
        }
        FUZZ_CHECK(tok.start <= tok.end && tok.end <= len, "token outside the buffer");
        FUZZ_CHECK(r.pos <= len, "reader position past the end");
        FUZZ_CHECK(r.depth <= PLEX__JSON_MAX_DEPTH, "depth above the bound");
        if (tok.type == PLEX__JSON_EOF) {
            FUZZ_CHECK(r.depth == 0, "EOF inside a container");
            FUZZ_CHECK(plex__json_next(&r, &tok) == 0 && tok.type == PLEX__JSON_EOF,
                       "EOF is not sticky");
            return w;
        }
        FUZZ_CHECK(r.pos > before, "a token consumed no input");
        FUZZ_CHECK(++steps <= len, "more tokens than bytes");
        switch (tok.type) {
        case PLEX__JSON_KEY:
        case PLEX__JSON_STRING:
            check_string(buf, &tok);
            break;
        case PLEX__JSON_NUMBER:
            check_number(buf, &tok);
            break;
        case PLEX__JSON_TRUE:
        case PLEX__JSON_FALSE:
        case PLEX__JSON_NULL:
            FUZZ_CHECK(tok.end - tok.start == (tok.type == PLEX__JSON_FALSE ? 5u : 4u),
                       "literal of the wrong length");
            break;
        default:
            break;
        }
    }
}

/* 2: skip the top-level value in one call. */
static walk_result walk_skip_all(const char *buf, size_t len)
{
    plex__json_reader r;
    plex__json_token tok;
    walk_result w = {0, 0};

    plex__json_reader_init(&r, buf, len);
    if (plex__json_next(&r, &tok) || plex__json_skip(&r, &tok) || plex__json_next(&r, &tok)) {
        w.rc = -1;
        w.err_pos = r.err_pos;
        return w;
    }
    FUZZ_CHECK(tok.type == PLEX__JSON_EOF, "something followed a skipped top-level value");
    FUZZ_CHECK(r.depth == 0, "skip left the reader inside a container");
    return w;
}

/* 3: decoder style: every member value is skipped. */
static walk_result walk_skip_members(const char *buf, size_t len)
{
    plex__json_reader r;
    plex__json_token tok, val;
    walk_result w = {0, 0};

    plex__json_reader_init(&r, buf, len);
    for (;;) {
        if (plex__json_next(&r, &tok))
            break;
        if (tok.type == PLEX__JSON_EOF)
            return w;
        if (tok.type == PLEX__JSON_KEY) {
            unsigned int depth = r.depth;
            if (plex__json_next(&r, &val) || plex__json_skip(&r, &val))
                break;
            FUZZ_CHECK(r.depth == depth, "skip changed the depth");
        }
    }
    w.rc = -1;
    w.err_pos = r.err_pos;
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    walk_result a, b, c;

    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    a = walk_tokens(buf, size);
    b = walk_skip_all(buf, size);
    c = walk_skip_members(buf, size);
    FUZZ_CHECK(a.rc == b.rc && a.rc == c.rc, "next-walk and skip-walks disagree on validity");
    if (a.rc) {
        FUZZ_CHECK(a.err_pos == b.err_pos && a.err_pos == c.err_pos,
                   "next-walk and skip-walks report different error positions");
    }
    free(buf);
    return 0;
}

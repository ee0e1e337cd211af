/*
 * What the fuzz targets of plexsim's request handling share (fuzz_sim.c:
 * plex.tv; fuzz_sim_pms.c: the media server): the input is a short session
 * of HTTP-like requests,
 *
 *     GET /library/sections/1/all?type=1     request line: METHOD TARGET
 *     Accept: application/json               headers, one a line
 *                                            an empty line, then the body
 *     ===                                    a line "===" starts the next request
 *
 * which this file splits into requests (fuzz_requests_each), parses into a
 * sim_request as libmicrohttpd would hand it to plexsim (fuzz_request_parse:
 * the query split at '&' and '=' and decoded, '+' and %XX; the path
 * %XX-decoded), and whose answers it checks for well-formed JSON and XML.
 */
#ifndef PLEX_FUZZ_REQUEST_H
#define PLEX_FUZZ_REQUEST_H

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/xml.h"
#include "fuzz_check.h"
#include "sim.h"

#define FUZZ_MAX_FIELDS 32

typedef struct fuzz_field {
    const char *name;
    const char *value; /* NULL: a query key without '=' */
} fuzz_field;

/* A parsed request; its strings point into the text it was parsed from. */
typedef struct fuzz_request {
    char *method;
    char *path; /* decoded, without the query */
    fuzz_field headers[FUZZ_MAX_FIELDS];
    size_t nheaders;
    fuzz_field query[FUZZ_MAX_FIELDS];
    size_t nquery;
    char *body; /* NULL without one */
    size_t body_len;
} fuzz_request;

static inline int fuzz_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode %XX (and '+' when plus) in place; a %00 ends the string. */
static inline void fuzz_unescape(char *s, int plus)
{
    char *o = s;

    for (; *s; s++) {
        if (plus && *s == '+') {
            *o++ = ' ';
        } else if (*s == '%' && fuzz_hexval((unsigned char)s[1]) >= 0 &&
                   fuzz_hexval((unsigned char)s[2]) >= 0) {
            *o++ = (char)(fuzz_hexval((unsigned char)s[1]) * 16 + fuzz_hexval((unsigned char)s[2]));
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/*
 * Parse the NUL-terminated request text t[0..len) in place: the request line,
 * headers up to an empty line (CRLF or LF), the rest the body; then the
 * target's query arguments and path.
 */
static inline void fuzz_request_parse(fuzz_request *r, char *t, size_t len)
{
    static char slash[2] = "/";
    char *end, *q;

    memset(r, 0, sizeof(*r));
    end = memchr(t, '\n', len);
    if (end)
        *end = '\0';
    r->method = t;
    r->path = strchr(t, ' ');
    if (r->path)
        *r->path++ = '\0';
    else
        r->path = slash;
    if (end) {
        char *p = end + 1, *limit = t + len;
        while (p < limit) {
            char *nl = memchr(p, '\n', (size_t)(limit - p));
            char *eol = nl ? nl : limit, *colon;
            if (eol > p && eol[-1] == '\r')
                eol--;
            if (eol == p) {
                r->body = nl ? nl + 1 : limit;
                r->body_len = (size_t)(limit - r->body);
                break;
            }
            *eol = '\0';
            colon = strchr(p, ':');
            if (colon && r->nheaders < FUZZ_MAX_FIELDS) {
                char *v = colon + 1;
                *colon = '\0';
                while (*v == ' ' || *v == '\t')
                    v++;
                r->headers[r->nheaders].name = p;
                r->headers[r->nheaders++].value = v;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    if (r->body_len == 0)
        r->body = NULL;
    q = strchr(r->path, '?');
    if (q) {
        *q++ = '\0';
        while (*q && r->nquery < FUZZ_MAX_FIELDS) {
            char *amp = strchr(q, '&'), *eq;
            if (amp)
                *amp = '\0';
            eq = strchr(q, '=');
            if (eq)
                *eq++ = '\0';
            fuzz_unescape(q, 1);
            if (eq)
                fuzz_unescape(eq, 1);
            if (*q) {
                r->query[r->nquery].name = q;
                r->query[r->nquery++].value = eq;
            }
            if (!amp)
                break;
            q = amp + 1;
        }
    }
    fuzz_unescape(r->path, 0);
}

/* sim_request.lookup over a fuzz_request. */
static inline const char *fuzz_request_lookup(void *ctx, int kind, const char *name)
{
    const fuzz_request *r = ctx;
    const fuzz_field *f = kind == SIM_HEADER ? r->headers : r->query;
    size_t n = kind == SIM_HEADER ? r->nheaders : r->nquery;

    FUZZ_CHECK(kind == SIM_HEADER || kind == SIM_QUERY, "lookup of an unknown kind");
    FUZZ_CHECK(name != NULL, "lookup of a NULL name");
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(f[i].name, name) == 0)
            return f[i].value;
    }
    return NULL;
}

/* sim_request.each over a fuzz_request's query, in order. */
static inline void fuzz_request_each(void *ctx, sim_arg_cb cb, void *user)
{
    const fuzz_request *r = ctx;

    FUZZ_CHECK(cb != NULL, "each without a callback");
    for (size_t i = 0; i < r->nquery; i++)
        if (cb(user, r->query[i].name, r->query[i].value))
            return;
}

/* The sim_request for r (route given), as server.c makes it: a body over
 * SIM_MAX_BODY is flagged, not passed. */
static inline void fuzz_request_to_sim(fuzz_request *r, int route, sim_request *in)
{
    memset(in, 0, sizeof(*in));
    in->method = r->method;
    in->path = r->path;
    in->route = route;
    in->body = r->body;
    in->body_len = r->body_len;
    in->body_too_big = r->body_len > SIM_MAX_BODY;
    if (in->body_too_big) {
        in->body = NULL;
        in->body_len = 0;
    }
    in->lookup = fuzz_request_lookup;
    in->each = fuzz_request_each;
    in->ctx = r;
}

/*
 * Call fn on each request block of the input (split at lines "==="; the
 * newline before one belongs to it), at most max of them.
 */
static inline void fuzz_requests_each(const uint8_t *data, size_t size, size_t max,
                                      void (*fn)(const char *block, size_t len, void *user),
                                      void *user)
{
    const char *s = (const char *)data;
    size_t start = 0, nreq = 0;

    while (start <= size && nreq < max) {
        size_t end = start, len;
        while (end < size) {
            if ((end == start || s[end - 1] == '\n') && size - end >= 3 &&
                memcmp(s + end, "===", 3) == 0 && (size - end == 3 || s[end + 3] == '\n'))
                break;
            end++;
        }
        len = end - start;
        if (len > 0 && s[start + len - 1] == '\n' && end < size)
            len--;
        if (len > 0)
            fn(s + start, len, user);
        nreq++;
        if (end >= size)
            break;
        start = end + 4; /* skip "===\n" */
    }
}

/* What server.c does first with a request: count it, and take the next
 * fault queued for its route (SIM_F_NONE when there is none). */
static inline sim_fault fuzz_count_and_pop(sim_state *st, int route)
{
    sim_fault f;

    pthread_mutex_lock(&st->lock);
    st->requests[route]++;
    f = sim_fault_pop(st, route);
    pthread_mutex_unlock(&st->lock);
    return f;
}

/* ---- answers ---- */

static inline int fuzz_json_valid(const char *b, size_t n)
{
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    if (plex__json_next(&r, &t) || plex__json_skip(&r, &t) || plex__json_next(&r, &t))
        return 0;
    return t.type == PLEX__JSON_EOF;
}

static inline int fuzz_xml_valid(const char *b, size_t n)
{
    plex__xml_reader r;
    plex__xml_token t;

    plex__xml_reader_init(&r, b, n);
    for (;;) {
        if (plex__xml_next(&r, &t))
            return 0;
        if (t.type == PLEX__XML_EOF)
            return 1;
    }
}

#endif

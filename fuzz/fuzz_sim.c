/*
 * Fuzz target for plexsim's request handling (src/sim/routes.c, account.c,
 * jwt.c, render.c, state.c, fault.c, qr.c; everything but the
 * libmicrohttpd glue in server.c and main.c).
 *
 * The input is a short session of HTTP-like requests against one simulated
 * plex.tv, whose state is reset before every input:
 *
 *     POST /api/v2/pins?strong=true          request line: METHOD TARGET
 *     X-Plex-Client-Identifier: fuzz-device  headers, one a line
 *     Accept: application/json
 *                                            an empty line, then the body
 *     {"jwk":$JWK}
 *     ===                                    a line "===" starts the next request
 *     GET /api/v2/pins/$ID?deviceJWT=$DJWT
 *     ...
 *
 * The query string is split at '&' and '=' and decoded ('+' and %XX), the
 * path is %XX-decoded, as libmicrohttpd does. Before a request is parsed
 * these placeholders are replaced:
 *     $ID $CODE     the last "id" / "code" seen in a 2xx answer
 *     $TOKEN        the last legacy authToken seen in a 2xx answer
 *     $JWT          the last Plex JWT (authToken/auth_token) seen
 *     $NONCE        the last nonce seen
 *     $JWK $KID     the public JWK and key id of the target's fixed device key
 *     $DJWT         a device JWT signed now with that key, iss "fuzz-device",
 *                   with the last nonce (if any)
 * so that a session can create a PIN, approve it, poll it and use the token.
 * Like server.c, each request first counts and pops a queued fault of its
 * route (a status fault answers with sim_error_response).
 *
 * Laws checked on every answer: the status is 200..599; 204 has no body; a
 * body has a content type; JSON bodies are valid JSON and XML bodies are
 * well-formed; error bodies (status >= 400) decode with
 * plex_api_errors_parse(_xml); 2xx JSON answers of the PIN, geoip,
 * resources, companions, friends and home routes and the v1 users XML
 * decode with libplex's own decoders; a PNG starts with the PNG signature;
 * the state stays within its bounds. A status fault (any of 200..599)
 * answers with an errors body, which must decode as one.
 *
 * FUZZ_SIM_TRACE=1 in the environment prints each request's route, status
 * and short bodies (handy when writing seeds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "core/json.h"
#include "plex/account.h"
#include "plex/jwt.h"
#include "plex/models.h"
#include "sim.h"
#include "core/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 12
#define MAX_FIELDS 32
#define MAX_VAR 8192
#define DEVICE_ID "fuzz-device"

static const char device_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                                 "MC4CAQAwBQYDK2VwBCIEIOJE0kriYZy9WnZ3tvTDmXNAh1p3BbBcNW7b9TTzvbAl\n"
                                 "-----END PRIVATE KEY-----\n";

static sim_state st;
static int st_ready;
static plex_jwt_key *device_key;
static char *device_jwk;

enum { V_ID, V_CODE, V_TOKEN, V_JWT, V_NONCE, V_COUNT };
static char vars[V_COUNT][MAX_VAR + 1];

typedef struct field {
    const char *name;
    const char *value; /* NULL: a query key without '=' */
} field;

typedef struct request {
    field headers[MAX_FIELDS];
    size_t nheaders;
    field query[MAX_FIELDS];
    size_t nquery;
} request;

static void teardown(void)
{
    if (st_ready)
        sim_state_dispose(&st);
    st_ready = 0;
    plex_jwt_key_free(device_key);
    plex_free(device_jwk);
}

static void setup(void)
{
    sim_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.approve_after = 3; /* approve on the 3rd poll */
    cfg.pin_ttl = 900;
    cfg.strong_pin_ttl = 1800;

    if (st_ready)
        return;
    FUZZ_CHECK(sim_state_init(&st, &cfg) == 0, "sim_state_init");
    st.port = 32400;
    snprintf(st.base_url, sizeof(st.base_url), "http://127.0.0.1:32400");
    FUZZ_CHECK(plex_jwt_key_from_pem(&device_key, device_pem, sizeof(device_pem) - 1) == 0,
               "fixed device key");
    FUZZ_CHECK(plex_jwt_key_jwk(&device_jwk, device_key, 1) == 0, "device JWK");
    st_ready = 1;
    atexit(teardown);
}

/* ---- placeholders ---- */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *p;
        while (cap < t->len + n + 1)
            cap *= 2;
        p = realloc(t->p, cap);
        FUZZ_CHECK(p != NULL, "out of memory");
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void put_device_jwt(text *t)
{
    char *jwt = NULL;

    if (plex_jwt_sign(&jwt, device_key, DEVICE_ID, vars[V_NONCE][0] ? vars[V_NONCE] : NULL, NULL,
                      sim_now_wall(), 300) == 0) {
        put(t, jwt, strlen(jwt));
        plex_free(jwt);
    }
}

/* The request block src[0..n) with its placeholders replaced. */
static void expand(text *t, const char *src, size_t n)
{
    static const struct {
        const char *name;
        int var;
    } names[] = {{"$ID", V_ID},   {"$CODE", V_CODE},   {"$TOKEN", V_TOKEN}, {"$JWT", V_JWT},
                 {"$NONCE", V_NONCE}, {"$JWK", -1}, {"$KID", -2}, {"$DJWT", -3}};
    size_t i = 0, lit = 0;
    int signed_jwts = 0;

    t->len = 0;
    put(t, "", 0);
    while (i < n) {
        size_t k, nl = 0;
        if (src[i] != '$') {
            i++;
            continue;
        }
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            nl = strlen(names[k].name);
            if (n - i >= nl && memcmp(src + i, names[k].name, nl) == 0)
                break;
        }
        /* bounded work: a few signatures and 256 KiB per request */
        if (k == sizeof(names) / sizeof(names[0]) || t->len > 4 * 65536 ||
            (names[k].var == -3 && signed_jwts >= 4)) {
            i++;
            continue;
        }
        put(t, src + lit, i - lit);
        if (names[k].var >= 0)
            put(t, vars[names[k].var], strlen(vars[names[k].var]));
        else if (names[k].var == -1)
            put(t, device_jwk, strlen(device_jwk));
        else if (names[k].var == -2)
            put(t, plex_jwt_key_id(device_key), strlen(plex_jwt_key_id(device_key)));
        else {
            put_device_jwt(t);
            signed_jwts++;
        }
        i += nl;
        lit = i;
    }
    put(t, src + lit, n - lit);
}

/* ---- parsing a request ---- */

static int hexval(int c)
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
static void unescape(char *s, int plus)
{
    char *o = s;

    for (; *s; s++) {
        if (plus && *s == '+') {
            *o++ = ' ';
        } else if (*s == '%' && hexval((unsigned char)s[1]) >= 0 &&
                   hexval((unsigned char)s[2]) >= 0) {
            *o++ = (char)(hexval((unsigned char)s[1]) * 16 + hexval((unsigned char)s[2]));
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static const char *lookup(void *ctx, int kind, const char *name)
{
    const request *r = ctx;
    const field *f = kind == SIM_HEADER ? r->headers : r->query;
    size_t n = kind == SIM_HEADER ? r->nheaders : r->nquery;

    FUZZ_CHECK(kind == SIM_HEADER || kind == SIM_QUERY, "lookup of an unknown kind");
    FUZZ_CHECK(name != NULL, "lookup of a NULL name");
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(f[i].name, name) == 0)
            return f[i].value;
    }
    return NULL;
}

/* ---- checking an answer ---- */

static int json_valid(const char *b, size_t n)
{
    plex__json_reader r;
    plex__json_token t;

    plex__json_reader_init(&r, b, n);
    if (plex__json_next(&r, &t) || plex__json_skip(&r, &t) || plex__json_next(&r, &t))
        return 0;
    return t.type == PLEX__JSON_EOF;
}

static int xml_valid(const char *b, size_t n)
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

/* The answer decodes with libplex's decoder for the route; error answers
 * (and fault answers, whatever their status) with the errors decoder. */
static void check_decodes(sim_route route, const sim_response *rs, int json, int fault)
{
    plex_error err;
    int rc = 0;

    if (rs->status >= 400 || fault) {
        plex_api_errors *e = NULL;
        rc = json ? plex_api_errors_parse(&e, rs->body, rs->body_len, 0, &err)
                  : plex_api_errors_parse_xml(&e, rs->body, rs->body_len, 0, &err);
        if (rc == 0)
            FUZZ_CHECK(plex_api_errors_count(e) >= 1, "an error body without errors");
        plex_api_errors_free(e);
    } else if (rs->status < 300 && json) {
        switch (route) {
        case SIM_R_PINS_CREATE:
        case SIM_R_PINS_GET: {
            plex_pin *p = NULL;
            rc = plex_pin_parse(&p, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_pin_free(p);
            break;
        }
        case SIM_R_GEOIP: {
            plex_geodata *g = NULL;
            rc = plex_geodata_parse(&g, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_geodata_free(g);
            break;
        }
        case SIM_R_RESOURCES: {
            plex_resources *r = NULL;
            rc = plex_resources_parse(&r, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_resources_free(r);
            break;
        }
        case SIM_R_COMPANIONS: {
            plex_companions *c = NULL;
            rc = plex_companions_parse(&c, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_companions_free(c);
            break;
        }
        case SIM_R_FRIENDS: {
            plex_friends *f = NULL;
            rc = plex_friends_parse(&f, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_friends_free(f);
            break;
        }
        case SIM_R_HOME: {
            plex_home *h = NULL;
            rc = plex_home_parse(&h, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
            plex_home_free(h);
            break;
        }
        default:
            break;
        }
    } else if (rs->status < 300 && route == SIM_R_USERS_V1) {
        plex_users *u = NULL;
        rc = plex_users_parse_xml(&u, rs->body, rs->body_len, PLEX_PARSE_STRICT, &err);
        plex_users_free(u);
    }
    if (rc != 0 && rc != PLEX_ENOMEM) {
        fprintf(stderr, "%s -> %d: %.*s\nlibplex: %s\n", sim_route_name(route), rs->status,
                (int)(rs->body_len > 2000 ? 2000 : rs->body_len), rs->body, err.message);
        FUZZ_CHECK(0, "plexsim's answer does not decode with libplex");
    }
}

static void check_response(sim_route route, const sim_response *rs, int fault)
{
    FUZZ_CHECK(rs->status >= 200 && rs->status <= 599, "status outside 200..599");
    if (fault && (rs->status == 204 || rs->status == 304))
        return; /* server.c sends these without the body */
    if (rs->status == 204)
        FUZZ_CHECK(rs->body == NULL && rs->body_len == 0, "204 with a body");
    if (!rs->body) {
        FUZZ_CHECK(rs->body_len == 0, "body_len without a body");
        FUZZ_CHECK(rs->status == 204 || rs->status >= 500, "no body for a non-204 answer");
        return;
    }
    FUZZ_CHECK(rs->body_len > 0, "an empty body");
    FUZZ_CHECK(rs->content_type != NULL, "a body without a content type");
    if (strncmp(rs->content_type, "application/json", 16) == 0) {
        if (!json_valid(rs->body, rs->body_len))
            fprintf(stderr, "%.*s\n", (int)rs->body_len, rs->body);
        FUZZ_CHECK(json_valid(rs->body, rs->body_len), "a JSON answer is not valid JSON");
        check_decodes(route, rs, 1, fault);
    } else if (strncmp(rs->content_type, "application/xml", 15) == 0) {
        if (!xml_valid(rs->body, rs->body_len))
            fprintf(stderr, "%.*s\n", (int)rs->body_len, rs->body);
        FUZZ_CHECK(xml_valid(rs->body, rs->body_len), "an XML answer is not well-formed");
        check_decodes(route, rs, 0, fault);
    } else if (strcmp(rs->content_type, "image/png") == 0) {
        FUZZ_CHECK(rs->body_len > 8 && memcmp(rs->body, "\x89PNG\r\n\x1a\n", 8) == 0,
                   "image/png without the PNG signature");
    } else {
        FUZZ_CHECK(0, "an unexpected content type");
    }
}

/* Remember id/code/tokens/nonce of a 2xx answer for the placeholders. */
static void capture(const sim_response *rs)
{
    static const struct {
        const char *json, *xml;
        int var;
    } keys[] = {{"\"id\":", " id=\"", V_ID},
                {"\"code\":\"", " code=\"", V_CODE},
                {"\"authToken\":\"", " authToken=\"", V_TOKEN},
                {"\"auth_token\":\"", NULL, V_TOKEN},
                {"\"nonce\":\"", NULL, V_NONCE}};
    const char *b = rs->body;
    size_t n = rs->body_len;

    if (!b || rs->status < 200 || rs->status >= 300 || !rs->content_type ||
        strcmp(rs->content_type, "image/png") == 0)
        return;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *pat[2] = {keys[k].json, keys[k].xml};
        for (int j = 0; j < 2; j++) {
            size_t pl = pat[j] ? strlen(pat[j]) : 0;
            const char *at = NULL;
            size_t len = 0, start;
            if (!pl)
                continue;
            for (size_t i = 0; i + pl <= n; i++) {
                if (memcmp(b + i, pat[j], pl) == 0) {
                    at = b + i;
                    break;
                }
            }
            if (!at)
                continue;
            start = (size_t)(at - b) + pl;
            if (pat[j][pl - 1] == ':') { /* a JSON number */
                while (start + len < n && b[start + len] >= '0' && b[start + len] <= '9')
                    len++;
            } else {
                while (start + len < n && b[start + len] != '"')
                    len++;
            }
            if (len == 0 || len > MAX_VAR)
                continue;
            {
                int var = keys[k].var;
                char tmp[MAX_VAR + 1];
                memcpy(tmp, b + start, len);
                tmp[len] = '\0';
                if (var == V_TOKEN && plex_jwt_is_jwt(tmp))
                    var = V_JWT;
                memcpy(vars[var], tmp, len + 1);
            }
            break;
        }
    }
}

/* ---- one request ---- */

static void run_request(const char *src, size_t n)
{
    text t = {NULL, 0, 0};
    request r;
    char *line, *end, *target, *method, *q, *body = NULL;
    size_t body_len = 0;
    char slash[2] = "/";
    sim_request in;
    sim_response rs;
    sim_route route;
    sim_fault f;

    memset(&r, 0, sizeof(r));
    expand(&t, src, n);
    /* request line */
    line = t.p;
    end = memchr(line, '\n', t.len);
    if (end)
        *end = '\0';
    method = line;
    target = strchr(line, ' ');
    if (target)
        *target++ = '\0';
    else
        target = slash;
    /* headers, up to an empty line; the rest is the body */
    if (end) {
        char *p = end + 1, *limit = t.p + t.len;
        while (p < limit) {
            char *nl = memchr(p, '\n', (size_t)(limit - p));
            char *colon;
            size_t ll = nl ? (size_t)(nl - p) : (size_t)(limit - p);
            if (ll > 0 && p[ll - 1] == '\r')
                ll--;
            if (ll == 0) {
                body = nl ? nl + 1 : limit;
                body_len = (size_t)(limit - body);
                break;
            }
            p[ll] = '\0';
            colon = strchr(p, ':');
            if (colon && r.nheaders < MAX_FIELDS) {
                char *v = colon + 1;
                *colon = '\0';
                while (*v == ' ' || *v == '\t')
                    v++;
                r.headers[r.nheaders].name = p;
                r.headers[r.nheaders++].value = v;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    /* query arguments */
    q = strchr(target, '?');
    if (q) {
        *q++ = '\0';
        while (*q && r.nquery < MAX_FIELDS) {
            char *amp = strchr(q, '&'), *eq;
            if (amp)
                *amp = '\0';
            eq = strchr(q, '=');
            if (eq)
                *eq++ = '\0';
            unescape(q, 1);
            if (eq)
                unescape(eq, 1);
            if (*q) {
                r.query[r.nquery].name = q;
                r.query[r.nquery++].value = eq;
            }
            if (!amp)
                break;
            q = amp + 1;
        }
    }
    unescape(target, 0);

    route = sim_route_match(method, target);
    FUZZ_CHECK((int)route >= 0 && route < SIM_R_COUNT, "sim_route_match out of range");
    /* what server.c does first */
    pthread_mutex_lock(&st.lock);
    st.requests[route]++;
    f = sim_fault_pop(&st, route);
    pthread_mutex_unlock(&st.lock);

    memset(&in, 0, sizeof(in));
    in.method = method;
    in.path = target;
    in.route = route;
    in.body = body_len ? body : NULL;
    in.body_len = body_len;
    in.body_too_big = body_len > SIM_MAX_BODY;
    if (in.body_too_big) {
        in.body = NULL;
        in.body_len = 0;
    }
    in.lookup = lookup;
    in.ctx = &r;

    memset(&rs, 0, sizeof(rs));
    switch (f.kind) {
    case SIM_F_STATUS: {
        int code;
        const char *message;
        sim_status_error(f.arg, &code, &message);
        pthread_mutex_lock(&st.lock);
        sim_error_response(&rs, sim_wants_json(&in), f.arg, code, message);
        pthread_mutex_unlock(&st.lock);
        FUZZ_CHECK(rs.status == f.arg, "a status fault answered with another status");
        check_response(route, &rs, 1);
        break;
    }
    case SIM_F_DROP:
    case SIM_F_GARBAGE:
    case SIM_F_HTML:
    case SIM_F_HUGE:
        break; /* answered on the wire by server.c */
    default:   /* none, delay (not waited for here), truncate */
        sim_handle(&st, &in, &rs);
        check_response(route, &rs, 0);
        capture(&rs);
        break;
    }
    if (getenv("FUZZ_SIM_TRACE")) /* for writing seeds: what each request got */
        fprintf(stderr, "%s %s -> %s %d %.*s\n", method, target, sim_route_name(route), rs.status,
                (int)(rs.body_len > 160 || (rs.content_type && !strcmp(rs.content_type, "image/png"))
                          ? 0 : rs.body_len),
                rs.body ? rs.body : "");
    sim_response_dispose(&rs);

    FUZZ_CHECK(st.npins <= SIM_MAX_PINS, "too many pins");
    FUZZ_CHECK(st.ntokens <= SIM_MAX_TOKENS, "too many tokens");
    FUZZ_CHECK(st.nfaults <= SIM_MAX_FAULTS, "too many queued faults");
    free(t.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t start = 0, nreq = 0;

    setup();
    pthread_mutex_lock(&st.lock);
    sim_state_reset(&st);
    st.next_pin_id = 100000000;
    pthread_mutex_unlock(&st.lock);
    memset(vars, 0, sizeof(vars));

    while (start <= size && nreq < MAX_REQUESTS) {
        size_t end = start;
        /* the next line "===" */
        while (end < size) {
            if ((end == start || s[end - 1] == '\n') && size - end >= 3 &&
                memcmp(s + end, "===", 3) == 0 && (size - end == 3 || s[end + 3] == '\n'))
                break;
            end++;
        }
        {
            size_t len = end - start;
            if (len > 0 && s[start + len - 1] == '\n' && end < size)
                len--; /* the newline before "===" belongs to the separator */
            if (len > 0)
                run_request(s + start, len);
        }
        nreq++;
        if (end >= size)
            break;
        start = end + 4; /* skip "===\n" */
    }
    return 0;
}

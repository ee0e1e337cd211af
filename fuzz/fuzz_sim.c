/*
 * Fuzz target for plexsim's request handling (src/sim/routes.c, account.c,
 * jwt.c, render.c, state.c, fault.c, qr.c; everything but the
 * libmicrohttpd glue in server.c and main.c).
 *
 * The input is a short session of HTTP-like requests (fuzz_request.h) against
 * one simulated plex.tv, whose state is reset before every input:
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

#include "fuzz_check.h"
#include "fuzz_request.h"
#include "plex/account.h"
#include "plex/jwt.h"
#include "plex/models.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 12
#define MAX_VAR 8192
#define DEVICE_ID "fuzz-device"

static const char device_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIOJE0kriYZy9WnZ3tvTDmXNAh1p3BbBcNW7b9TTzvbAl\n"
    "-----END PRIVATE KEY-----\n";

static sim_state st;
static int st_ready;
static plex_jwt_key *device_key;
static char *device_jwk;

enum { V_ID, V_CODE, V_TOKEN, V_JWT, V_NONCE, V_COUNT };
static char vars[V_COUNT][MAX_VAR + 1];

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
    } names[] = {{"$ID", V_ID},       {"$CODE", V_CODE}, {"$TOKEN", V_TOKEN}, {"$JWT", V_JWT},
                 {"$NONCE", V_NONCE}, {"$JWK", -1},      {"$KID", -2},        {"$DJWT", -3}};
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

/* ---- checking an answer ---- */

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
        if (!fuzz_json_valid(rs->body, rs->body_len))
            fprintf(stderr, "%.*s\n", (int)rs->body_len, rs->body);
        FUZZ_CHECK(fuzz_json_valid(rs->body, rs->body_len), "a JSON answer is not valid JSON");
        check_decodes(route, rs, 1, fault);
    } else if (strncmp(rs->content_type, "application/xml", 15) == 0) {
        if (!fuzz_xml_valid(rs->body, rs->body_len))
            fprintf(stderr, "%.*s\n", (int)rs->body_len, rs->body);
        FUZZ_CHECK(fuzz_xml_valid(rs->body, rs->body_len), "an XML answer is not well-formed");
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

static void run_request(const char *src, size_t n, void *user)
{
    text t = {NULL, 0, 0};
    fuzz_request r;
    sim_request in;
    sim_response rs;
    sim_route route;
    sim_fault f;

    (void)user;
    expand(&t, src, n);
    fuzz_request_parse(&r, t.p, t.len);
    route = sim_route_match(r.method, r.path);
    FUZZ_CHECK((int)route >= 0 && route < SIM_R_COUNT, "sim_route_match out of range");
    f = fuzz_count_and_pop(&st, route);

    fuzz_request_to_sim(&r, route, &in);
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
        fprintf(
            stderr, "%s %s -> %s %d %.*s\n", r.method, r.path, sim_route_name(route), rs.status,
            (int)(rs.body_len > 160 || (rs.content_type && !strcmp(rs.content_type, "image/png"))
                      ? 0
                      : rs.body_len),
            rs.body ? rs.body : "");
    sim_response_dispose(&rs);

    FUZZ_CHECK(st.npins <= SIM_MAX_PINS, "too many pins");
    FUZZ_CHECK(st.ntokens <= SIM_MAX_TOKENS, "too many tokens");
    FUZZ_CHECK(st.nfaults <= SIM_MAX_FAULTS, "too many queued faults");
    free(t.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    pthread_mutex_lock(&st.lock);
    sim_state_reset(&st);
    st.next_pin_id = 100000000;
    pthread_mutex_unlock(&st.lock);
    memset(vars, 0, sizeof(vars));
    fuzz_requests_each(data, size, MAX_REQUESTS, run_request, NULL);
    return 0;
}

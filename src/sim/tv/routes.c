/*
 * Request -> response for every plex.tv route plexsim serves, and the
 * /__sim control endpoints. No libmicrohttpd here: a request is a method, a
 * path, a body and a lookup function for headers and query arguments, so
 * this file can be fed by a fuzzer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "tv/jwt.h"
#include "plex/models.h"
#include "tv.h"
#include "tv/discover.h"

static const char *const route_names[SIM_R_COUNT] = {
    "POST /api/v2/pins",
    "GET /api/v2/pins/{id}",
    "PUT /api/v2/pins/link",
    "GET /api/v2/pins/qr/{code}",
    "GET /api/v2/user",
    "GET /api/v2/ping",
    "DELETE /api/v2/users/signout",
    "GET /api/v2/geoip",
    "GET /api/v2/resources",
    "GET /api/v2/companions",
    "GET /api/v2/friends",
    "GET /api/v2/home",
    "POST /api/v2/users/signin",
    "GET /api/users",
    "POST /api/v2/auth/jwk",
    "GET /api/v2/auth/nonce",
    "POST /api/v2/auth/token",
    "GET /api/v2/auth/keys",
    "GET /library/sections/watchlist/all",
    "PUT /actions/addToWatchlist",
    "PUT /actions/removeFromWatchlist",
    "POST /__sim/approve",
    "POST /__sim/expire",
    "POST /__sim/fault",
    "POST /__sim/reset",
    "GET /__sim/stats",
    "POST /__sim/config",
    "other",
};

#define CT_JSON "application/json; charset=utf-8"
#define CT_XML "application/xml; charset=utf-8"

const char *sim_tv_route_name(sim_route r)
{
    if ((int)r < 0 || r >= SIM_R_COUNT)
        return NULL;
    return route_names[r];
}

/* The single path segment after prefix, or NULL. */
static const char *segment_after(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strncmp(path, prefix, n) != 0 || path[n] == '\0' || strchr(path + n, '/'))
        return NULL;
    return path + n;
}

sim_route sim_route_match(const char *method, const char *path)
{
    if (!method || !path)
        return SIM_R_OTHER;
    if (sim_discover_route(method, path) != SIM_R_OTHER)
        return sim_discover_route(method, path);
    if (sim_account_route(method, path) != SIM_R_OTHER)
        return sim_account_route(method, path);
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        if (strcmp(path, "/api/v2/user") == 0)
            return SIM_R_USER;
        if (strcmp(path, "/api/v2/ping") == 0)
            return SIM_R_PING;
        if (strcmp(path, "/api/v2/geoip") == 0)
            return SIM_R_GEOIP;
        if (strcmp(path, "/api/v2/resources") == 0)
            return SIM_R_RESOURCES;
        if (strcmp(path, "/api/v2/auth/nonce") == 0)
            return SIM_R_AUTH_NONCE;
        if (strcmp(path, "/api/v2/auth/keys") == 0)
            return SIM_R_AUTH_KEYS;
        if (strcmp(path, "/__sim/stats") == 0)
            return SIM_R_CTL_STATS;
        if (segment_after(path, "/api/v2/pins/qr/"))
            return SIM_R_PINS_QR;
        if (segment_after(path, "/api/v2/pins/"))
            return SIM_R_PINS_GET;
        return SIM_R_OTHER;
    }
    if (strcmp(method, "POST") == 0) {
        if (strcmp(path, "/api/v2/pins") == 0)
            return SIM_R_PINS_CREATE;
        if (strcmp(path, "/api/v2/auth/jwk") == 0)
            return SIM_R_AUTH_JWK;
        if (strcmp(path, "/api/v2/auth/token") == 0)
            return SIM_R_AUTH_TOKEN;
        if (strcmp(path, "/__sim/approve") == 0)
            return SIM_R_CTL_APPROVE;
        if (strcmp(path, "/__sim/expire") == 0)
            return SIM_R_CTL_EXPIRE;
        if (strcmp(path, "/__sim/fault") == 0)
            return SIM_R_CTL_FAULT;
        if (strcmp(path, "/__sim/reset") == 0)
            return SIM_R_CTL_RESET;
        if (strcmp(path, "/__sim/config") == 0)
            return SIM_R_CTL_CONFIG;
        return SIM_R_OTHER;
    }
    if (strcmp(method, "PUT") == 0 && strcmp(path, "/api/v2/pins/link") == 0)
        return SIM_R_PINS_LINK;
    if (strcmp(method, "DELETE") == 0 && strcmp(path, "/api/v2/users/signout") == 0)
        return SIM_R_SIGNOUT;
    return SIM_R_OTHER;
}

/* ---- responses ---- */

static void set_body(sim_response *rs, int status, const char *ct, char *body, size_t len)
{
    sim_response_dispose(rs);
    rs->status = status;
    rs->content_type = ct;
    rs->body = body;
    rs->body_len = len;
}

static void out_of_memory(sim_response *rs)
{
    sim_response_dispose(rs);
    rs->status = 500;
    rs->content_type = NULL;
}

void sim_status_error(int status, int *code, const char **message)
{
    switch (status) {
    case 400:
        *code = 1000;
        *message = "X-Plex-Client-Identifier is missing";
        break;
    case 401:
        *code = 1001;
        *message = "User could not be authenticated";
        break;
    case 404:
        *code = 1020;
        *message = "Code not found or expired";
        break;
    case 422:
        *code = 422;
        *message = "Invalid token";
        break;
    case 429:
        *code = 1003;
        *message = "API rate limit exceeded";
        break;
    case 498:
        *code = 498;
        *message = "Token expired";
        break;
    case 500:
        *code = 500;
        *message = "Internal Server Error";
        break;
    case 502:
        *code = 502;
        *message = "Bad Gateway";
        break;
    case 503:
        *code = 503;
        *message = "Service Unavailable";
        break;
    case 504:
        *code = 504;
        *message = "Gateway Timeout";
        break;
    default:
        *code = status;
        *message = "Simulated failure";
        break;
    }
}

void sim_error_response(sim_response *rs, int want_json, int status, int code, const char *message)
{
    plex_api_error e;
    char *body = NULL;
    int rc;

    rs->retry_after = -1;
    e.code = code;
    e.message = message;
    e.status = status;
    rc = want_json ? plex_api_errors_to_json(&e, 1, &body) : plex_api_errors_to_xml(&e, 1, &body);
    if (rc != 0 || !body) {
        out_of_memory(rs);
        rs->status = status;
        return;
    }
    set_body(rs, status, want_json ? CT_JSON : CT_XML, body, strlen(body));
    rs->retry_after = status == 429 ? 1 : -1;
}

static void plex_error_reply(sim_response *rs, int want_json, int status)
{
    int code;
    const char *message;

    sim_status_error(status, &code, &message);
    sim_error_response(rs, want_json, status, code, message);
}

static void document(sim_response *rs, int status, int json, int rc, char *body, size_t len)
{
    if (rc != 0 || !body) {
        free(body);
        out_of_memory(rs);
        return;
    }
    set_body(rs, status, json ? CT_JSON : CT_XML, body, len);
}

/* ---- request parameters ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The value of `name` in an application/x-www-form-urlencoded body, decoded
 * into buf (NUL-terminated). Returns buf, or NULL if absent or too long. */
static const char *form_value(const char *body, size_t len, const char *name, char *buf,
                              size_t size)
{
    size_t nlen = strlen(name), i = 0;

    while (i < len) {
        size_t end, o = 0;
        const char *amp = memchr(body + i, '&', len - i);
        end = amp ? (size_t)(amp - body) : len;
        if (end - i > nlen && body[i + nlen] == '=' && strncasecmp(body + i, name, nlen) == 0) {
            size_t j;
            for (j = i + nlen + 1; j < end; j++) {
                int c = (unsigned char)body[j];
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && j + 2 < end && hexval(body[j + 1]) >= 0 &&
                           hexval(body[j + 2]) >= 0) {
                    c = hexval(body[j + 1]) * 16 + hexval(body[j + 2]);
                    j += 2;
                }
                if (c == 0 || o + 1 >= size)
                    return NULL;
                buf[o++] = (char)c;
            }
            buf[o] = '\0';
            return buf;
        }
        i = end + 1;
    }
    return NULL;
}

const char *sim_form_value(const char *s, size_t len, const char *name, char *buf, size_t size)
{
    return form_value(s, len, name, buf, size);
}

static int body_is_form(const sim_request *rq)
{
    const char *ct = rq->lookup(rq->ctx, SIM_HEADER, "Content-Type");
    return rq->body && rq->body_len > 0 &&
           (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0);
}

/* A parameter from a header, the query string, or a form body (in that
 * order); buf holds a form value. */
static const char *param(const sim_request *rq, const char *name, char *buf, size_t size)
{
    const char *v = rq->lookup(rq->ctx, SIM_HEADER, name);

    if (!v)
        v = rq->lookup(rq->ctx, SIM_QUERY, name);
    if (!v && body_is_form(rq))
        v = form_value(rq->body, rq->body_len, name, buf, size);
    return v;
}

const char *sim_param(const sim_request *rq, const char *name, char *buf, size_t size)
{
    return param(rq, name, buf, size);
}

/* An argument that is not an X-Plex-* header: query, then form body. */
static const char *argument(const sim_request *rq, const char *name, char *buf, size_t size)
{
    const char *v = rq->lookup(rq->ctx, SIM_QUERY, name);

    if (!v && body_is_form(rq))
        v = form_value(rq->body, rq->body_len, name, buf, size);
    return v;
}

int sim_wants_json(const sim_request *rq)
{
    const char *a = rq->lookup(rq->ctx, SIM_HEADER, "Accept");
    const char *p;

    if (!a)
        return 0;
    for (p = a; *p; p++) {
        if (strncasecmp(p, "application/json", 16) == 0)
            return 1;
    }
    return 0;
}

static int is_true(const char *v)
{
    return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* A string plexsim will echo back: non-empty, short, valid UTF-8, printable. */
static int sane_text(const char *s, size_t max)
{
    size_t n, i;

    if (!s)
        return 0;
    n = strlen(s);
    if (n == 0 || n > max || plex__utf8_valid_prefix(s, n) != n)
        return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    }
    return 1;
}

/* `"strong": true` at the top level of a JSON body (the JWT flow's form). */
static int json_body_strong(const sim_request *rq)
{
    plex__json_reader r;
    plex__json_token t;

    if (!rq->body || rq->body_len == 0)
        return 0;
    plex__json_reader_init(&r, rq->body, rq->body_len);
    if (plex__json_next(&r, &t) || t.type != PLEX__JSON_OBJECT_BEGIN)
        return 0;
    for (;;) {
        plex__json_token v;
        int is_strong;

        if (plex__json_next(&r, &t) || t.type != PLEX__JSON_KEY)
            return 0;
        is_strong = plex__json_key_eq(rq->body, &t, "strong", 6);
        if (plex__json_next(&r, &v))
            return 0;
        if (is_strong)
            return v.type == PLEX__JSON_TRUE;
        if (plex__json_skip(&r, &v))
            return 0;
    }
}

static int parse_int64(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t i, n = s ? strlen(s) : 0;

    if (n == 0 || n > 18)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* ---- the routes ---- */

typedef struct ctx {
    sim_state *st;
    const sim_request *rq;
    sim_response *rs;
    int json;
    char buf[PLEX__JWT_MAX + 1]; /* a form value (or a JWT token) */
    char buf2[512];
} ctx;

/* The client identifier, or NULL after answering 400/1000. */
static const char *need_client_id(ctx *c)
{
    const char *id = param(c->rq, "X-Plex-Client-Identifier", c->buf2, sizeof(c->buf2));

    if (!id || !*id) {
        sim_error_response(c->rs, c->json, 400, 1000, "X-Plex-Client-Identifier is missing");
        return NULL;
    }
    if (!sane_text(id, SIM_MAX_IDENT)) {
        sim_error_response(c->rs, c->json, 400, 1000, "X-Plex-Client-Identifier is invalid");
        return NULL;
    }
    return id;
}

int sim_token_status(sim_state *st, const char *token)
{
    if (sim_jwt_is_jwt(token))
        return sim_jwt_token_status(st, token);
    return sim_token_valid(st, token) ? 200 : 401;
}

/* 1 with a valid token; otherwise answers 401/1001 and returns 0. */
static int need_token(ctx *c, const char **token_out)
{
    const char *tok = param(c->rq, "X-Plex-Token", c->buf, sizeof(c->buf));
    int status = sim_token_status(c->st, tok);

    if (status != 200) {
        plex_error_reply(c->rs, c->json, status);
        return 0;
    }
    if (token_out)
        *token_out = tok;
    return 1;
}

static void pin_reply(ctx *c, int status, const sim_pin *p)
{
    char *body = NULL;
    size_t len = 0;
    int rc = sim_render_pin(&body, &len, c->json, c->st, p, c->st->base_url, sim_now_mono());
    document(c->rs, status, c->json, rc, body, len);
}

static void pins_create(ctx *c)
{
    char pbuf[SIM_MAX_PRODUCT + 1];
    const char *cid, *product, *strong_arg;
    int strong;
    sim_pin *p;

    if (!(cid = need_client_id(c)))
        return;
    product = param(c->rq, "X-Plex-Product", pbuf, sizeof(pbuf));
    if (!product || !*product)
        product = "0"; /* what plex.tv has been seen to echo */
    if (!sane_text(product, SIM_MAX_PRODUCT)) {
        sim_error_response(c->rs, c->json, 400, 1000, "X-Plex-Product is invalid");
        return;
    }
    strong_arg = argument(c->rq, "strong", c->buf, sizeof(c->buf));
    strong = is_true(strong_arg) || json_body_strong(c->rq);
    p = sim_pin_new(c->st, strong, cid, product);
    if (!p) {
        plex_error_reply(c->rs, c->json, 429); /* the table of live pins is full */
        return;
    }
    if (sim_jwt_pin_bind(c->st, c->rq, p, c->rs, c->json) != 0) {
        sim_pin_remove(c->st, p);
        return;
    }
    pin_reply(c, 201, p);
}

static void pins_get(ctx *c)
{
    const char *cid;
    int64_t id;
    sim_pin *p;
    double now = sim_now_mono();

    if (!(cid = need_client_id(c)))
        return;
    if (parse_int64(c->rq->path + strlen("/api/v2/pins/"), &id) != 0 ||
        !(p = sim_pin_find_id(c->st, id)) || strcmp(p->client_id, cid) != 0) {
        plex_error_reply(c->rs, c->json, 404);
        return;
    }
    if (sim_pin_remaining(p, now) <= 0) {
        sim_pin_remove(c->st, p);
        plex_error_reply(c->rs, c->json, 404);
        return;
    }
    if (sim_jwt_pin_poll(c->st, c->rq, p, c->rs, c->json) != 0)
        return;
    p->polls++;
    if (c->st->cfg.approve_after > 0 && p->polls >= (unsigned int)c->st->cfg.approve_after &&
        sim_pin_approve(c->st, p) != 0) {
        out_of_memory(c->rs);
        return;
    }
    pin_reply(c, 200, p);
    if (p->token[0] && c->rs->status == 200)
        sim_jwt_pin_collected(c->st, p, c->rs, c->json);
    if (p->token[0] && c->rs->status == 200)
        sim_pin_remove(c->st, p); /* the token was collected: the pin is gone */
}

static void pins_link(ctx *c)
{
    const char *code;
    sim_pin *p;

    if (!need_client_id(c) || !need_token(c, NULL))
        return;
    code = argument(c->rq, "code", c->buf, sizeof(c->buf));
    if (!code || !(p = sim_pin_find_code(c->st, code)) ||
        sim_pin_remaining(p, sim_now_mono()) <= 0) {
        plex_error_reply(c->rs, c->json, 404);
        return;
    }
    if (sim_pin_approve(c->st, p) != 0) {
        out_of_memory(c->rs);
        return;
    }
    set_body(c->rs, 204, NULL, NULL, 0);
}

static void pins_qr(ctx *c)
{
    const char *code = c->rq->path + strlen("/api/v2/pins/qr/");
    sim_pin *p = sim_pin_find_code(c->st, code);
    char text[128];
    unsigned char *png = NULL;
    size_t len = 0;

    if (!p || sim_pin_remaining(p, sim_now_mono()) <= 0) {
        plex_error_reply(c->rs, c->json, 404);
        return;
    }
    snprintf(text, sizeof(text), "https://plex.tv/link/?pin=%s", p->code);
    if (sim_qr_png(text, &png, &len) != 0) {
        out_of_memory(c->rs);
        return;
    }
    set_body(c->rs, 200, "image/png", (char *)png, len);
}

static void user(ctx *c)
{
    const char *tok;
    char *body = NULL;
    size_t len = 0;
    int rc;

    if (!need_client_id(c) || !need_token(c, &tok))
        return;
    rc = sim_render_user(&body, &len, c->json, tok);
    document(c->rs, 200, c->json, rc, body, len);
}

static void ping(ctx *c)
{
    const char *text =
        c->json ? "{\"pong\":true}" : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pong/>\n";
    char *body;

    if (!need_client_id(c) || !need_token(c, NULL))
        return;
    body = strdup(text);
    document(c->rs, 200, c->json, body ? 0 : -1, body, body ? strlen(body) : 0);
}

static void signout(ctx *c)
{
    const char *tok;

    if (!need_client_id(c) || !need_token(c, &tok))
        return;
    sim_token_revoke(c->st, tok);
    set_body(c->rs, 204, NULL, NULL, 0);
}

static void geoip(ctx *c)
{
    char *body = NULL;
    size_t len = 0;
    int rc;

    if (!need_client_id(c))
        return;
    rc = sim_render_geoip(&body, &len, c->json);
    document(c->rs, 200, c->json, rc, body, len);
}

static void resources(ctx *c)
{
    char *body = NULL;
    size_t len = 0;
    int rc, https, relay, ipv6;

    if (!need_client_id(c) || !need_token(c, NULL))
        return;
    https = is_true(argument(c->rq, "includeHttps", c->buf2, sizeof(c->buf2)));
    relay = is_true(argument(c->rq, "includeRelay", c->buf2, sizeof(c->buf2)));
    ipv6 = is_true(argument(c->rq, "includeIPv6", c->buf2, sizeof(c->buf2)));
    rc = sim_render_resources(&body, &len, c->json, c->st, https, relay, ipv6);
    document(c->rs, 200, c->json, rc, body, len);
}

/* ---- control endpoints: always JSON ---- */

static void ctl_reply(ctx *c, int status, const char *fmt_json)
{
    char *body = strdup(fmt_json);
    document(c->rs, status, 1, body ? 0 : -1, body, body ? strlen(body) : 0);
}

static void ctl_error(ctx *c, int status, const char *message)
{
    sim_error_response(c->rs, 1, status, 0, message);
}

static void ctl_approve(ctx *c)
{
    const char *code = argument(c->rq, "code", c->buf, sizeof(c->buf));
    sim_pin *p;
    char out[160];

    if (!code || !(p = sim_pin_find_code(c->st, code)) ||
        sim_pin_remaining(p, sim_now_mono()) <= 0) {
        ctl_error(c, 404, "no live pin with that code");
        return;
    }
    if (sim_pin_approve(c->st, p) != 0) {
        out_of_memory(c->rs);
        return;
    }
    snprintf(out, sizeof(out), "{\"ok\":true,\"id\":%lld,\"authToken\":\"%s\"}", (long long)p->id,
             p->token);
    ctl_reply(c, 200, out);
}

static void ctl_expire(ctx *c)
{
    int64_t id;
    sim_pin *p;

    if (parse_int64(argument(c->rq, "id", c->buf, sizeof(c->buf)), &id) != 0 ||
        !(p = sim_pin_find_id(c->st, id))) {
        ctl_error(c, 404, "no pin with that id");
        return;
    }
    p->forced_expired = 1;
    ctl_reply(c, 200, "{\"ok\":true}");
}

static void ctl_fault(ctx *c)
{
    const char *route = argument(c->rq, "route", c->buf, sizeof(c->buf));
    const char *seq = argument(c->rq, "seq", c->buf2, sizeof(c->buf2));
    sim_fault *items;
    size_t n = 0;
    const char *why = "missing route or seq";
    int r = route ? sim_route_lookup(route, strlen(route)) : -1;
    char out[64];

    if (route && r < 0)
        why = "unknown route";
    if (r < 0 || !seq) {
        ctl_error(c, 400, why);
        return;
    }
    items = malloc(SIM_MAX_FAULTS * sizeof(*items));
    if (!items) {
        out_of_memory(c->rs);
        return;
    }
    if (sim_fault_parse_seq(seq, strlen(seq), items, SIM_MAX_FAULTS, &n, &why) != 0) {
        free(items);
        ctl_error(c, 400, why);
        return;
    }
    if (sim_fault_push(c->st, r, items, n) != 0) {
        free(items);
        ctl_error(c, 400, "too many queued faults");
        return;
    }
    free(items);
    snprintf(out, sizeof(out), "{\"ok\":true,\"queued\":%zu}", c->st->faults[r].len);
    ctl_reply(c, 200, out);
}

static void ctl_stats(ctx *c)
{
    char *body = NULL;
    size_t len = 0;
    int rc = sim_render_stats(&body, &len, c->st);
    document(c->rs, 200, 1, rc, body, len);
}

static int config_value(ctx *c, const char *name, int lo, int hi, int *out)
{
    const char *v = argument(c->rq, name, c->buf, sizeof(c->buf));
    int64_t x;

    if (!v)
        return 0;
    if (parse_int64(v, &x) != 0 || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

/* jwt_alg=RS256 or EdDSA: 0 (absent or valid) or -1. */
static int config_jwt_alg(ctx *c, int *rs256)
{
    const char *v = argument(c->rq, "jwt_alg", c->buf, sizeof(c->buf));

    if (!v)
        return 0;
    if (strcmp(v, "RS256") != 0 && strcmp(v, "EdDSA") != 0)
        return -1;
    *rs256 = strcmp(v, "RS256") == 0;
    return 0;
}

static void ctl_config(ctx *c)
{
    sim_config cfg = c->st->cfg;

    if (config_value(c, "approve_after", 0, 1000000, &cfg.approve_after) != 0 ||
        config_value(c, "pin_ttl", 1, 86400, &cfg.pin_ttl) != 0 ||
        config_value(c, "strong_pin_ttl", 1, 86400, &cfg.strong_pin_ttl) != 0 ||
        config_value(c, "jwt_ttl", 0, 100000000, &cfg.jwt_ttl) != 0 ||
        config_value(c, "clock_skew", 0, 100000000, &cfg.clock_skew) != 0 ||
        config_value(c, "event_ping_ms", 0, 600000, &cfg.event_ping_ms) != 0 ||
        config_jwt_alg(c, &cfg.jwt_rs256) != 0) {
        ctl_error(c, 400,
                  "bad value (approve_after 0..1000000, pin_ttl 1..86400, jwt_ttl and "
                  "clock_skew 0..100000000, event_ping_ms 0..600000, jwt_alg RS256 or EdDSA)");
        return;
    }
    if (cfg.jwt_rs256 && sim_jwt_rsa_ready(c->st) != 0) {
        ctl_error(c, 500, "could not make the RSA key for RS256");
        return;
    }
    c->st->cfg = cfg;
    ctl_reply(c, 200, "{\"ok\":true}");
}

void sim_handle(sim_state *st, const sim_request *rq, sim_response *rs)
{
    ctx c;

    memset(rs, 0, sizeof(*rs));
    rs->retry_after = -1;
    c.st = st;
    c.rq = rq;
    c.rs = rs;
    c.json = rq->route >= SIM_R_FIRST_CONTROL && rq->route != SIM_R_OTHER ? 1 : sim_wants_json(rq);

    pthread_mutex_lock(&st->lock);
    if (rq->body_too_big) {
        sim_error_response(rs, c.json, 413, 0, "Request body too large");
    } else {
        switch (rq->route) {
        case SIM_R_PINS_CREATE:
            pins_create(&c);
            break;
        case SIM_R_PINS_GET:
            pins_get(&c);
            break;
        case SIM_R_PINS_LINK:
            pins_link(&c);
            break;
        case SIM_R_PINS_QR:
            pins_qr(&c);
            break;
        case SIM_R_USER:
            user(&c);
            break;
        case SIM_R_PING:
            ping(&c);
            break;
        case SIM_R_SIGNOUT:
            signout(&c);
            break;
        case SIM_R_GEOIP:
            geoip(&c);
            break;
        case SIM_R_RESOURCES:
            resources(&c);
            break;
        case SIM_R_AUTH_JWK:
        case SIM_R_AUTH_NONCE:
        case SIM_R_AUTH_TOKEN:
        case SIM_R_AUTH_KEYS:
            sim_jwt_handle(st, rq, rs, c.json);
            break;
        case SIM_R_CTL_APPROVE:
            ctl_approve(&c);
            break;
        case SIM_R_CTL_EXPIRE:
            ctl_expire(&c);
            break;
        case SIM_R_CTL_FAULT:
            ctl_fault(&c);
            break;
        case SIM_R_CTL_RESET:
            sim_state_reset(st);
            ctl_reply(&c, 200, "{\"ok\":true}");
            break;
        case SIM_R_CTL_STATS:
            ctl_stats(&c);
            break;
        case SIM_R_CTL_CONFIG:
            ctl_config(&c);
            break;
        default:
            if (!sim_account_handle(st, rq, rs, c.json) && !sim_discover_handle(st, rq, rs, c.json))
                sim_error_response(rs, c.json, 404, 0, "Not Found");
            break;
        }
    }
    pthread_mutex_unlock(&st->lock);
}

static int tv_match(const char *method, const char *path)
{
    return (int)sim_route_match(method, path);
}

/* A status fault's answer: a plex errors body. */
static void tv_status(sim_state *st, const sim_request *rq, sim_response *rs, int status)
{
    int code;
    const char *message;

    (void)st;
    if (status == 413) {
        sim_error_response(rs, sim_wants_json(rq), 413, 0, "Request body too large");
        return;
    }
    sim_status_error(status, &code, &message);
    sim_error_response(rs, sim_wants_json(rq), status, code, message);
}

const sim_service sim_tv_service = {"plex.tv", tv_match, sim_handle, tv_status};

/*
 * The JWT operations against plex.tv (../shared/PROTOCOL.md §6): a PIN
 * bound to a key, polling it with a device JWT, registering a key for a
 * legacy token, nonces, refresh, and Plex's public keys.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "client.h"
#include "core/json.h"
#include "jwt.h"

#define DEVICE_JWT_TTL 300 /* seconds a signed device/request JWT lives */

static int64_t wall_now(void)
{
    return (int64_t)time(NULL);
}

/* X-Plex-Client-Identifier of the client (identity[0]). */
static const char *client_id(const plex_client *c)
{
    return c->http.identity[0];
}

/* {"<member>":{JWK},"strong":true} or {"jwk":{JWK}} into *out. */
static int jwk_body(char **out, const plex_jwt_key *key, int use_sig, int strong)
{
    plex__buf b = {0};
    plex__json_writer w;
    char *jwk = NULL;
    int rc;

    if ((rc = plex_jwt_key_jwk(&jwk, key, use_sig)) != 0)
        return rc;
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "jwk");
    plex__jw_raw(&w, jwk, strlen(jwk));
    if (strong) {
        plex__jw_key(&w, "strong");
        plex__jw_bool(&w, 1);
    }
    plex__jw_object_end(&w);
    plex__free(jwk);
    return plex__buf_detach(&b, out);
}

int plex__jwt_pin_body(char **out, const plex_jwt_key *key)
{
    return jwk_body(out, key, 0, 1);
}

int plex__jwt_device_query(plex__buf *q, const plex_client *c, const plex_jwt_key *key)
{
    char *jwt = NULL;
    int rc = plex_jwt_sign(&jwt, key, client_id(c), NULL, NULL, wall_now(), DEVICE_JWT_TTL);

    if (rc)
        return rc;
    plex__buf_puts(q, "deviceJWT=");
    plex__url_encode(q, jwt);
    plex__free(jwt);
    return q->err;
}

int plex_jwt_pin_create(plex_pin **out, plex_client *c, const plex_jwt_key *key)
{
    plex__request r = {
        .method = "POST", .path = "/api/v2/pins", .content_type = "application/json"};
    plex__response resp;
    plex_error perr;
    char *body = NULL;
    int rc;

    if (!out || !c || !key)
        return PLEX_EINVALID;
    r.base = c->clients_url;
    *out = NULL;
    if ((rc = jwk_body(&body, key, 0, 1)) != 0)
        return plex__http_fail(&c->http, rc, "could not build the request");
    r.body = body;
    r.body_len = strlen(body);
    rc = plex__http_request(&c->http, &r, &resp);
    plex__free(body);
    if (rc)
        return rc;
    if ((rc = plex_pin_parse(out, resp.body, resp.len, 0, &perr)) != 0)
        return plex__http_fail(&c->http, rc, "the server's answer could not be read: %s",
                               perr.message);
    return 0;
}

int plex_jwt_pin_check(plex_pin **out, plex_client *c, int64_t id, const plex_jwt_key *key)
{
    char path[64];
    plex__request r = {.method = "GET", .path = path};
    plex__response resp;
    plex_error perr;
    plex__buf q = {0};
    int rc;

    if (!out || !c || !key)
        return PLEX_EINVALID;
    r.base = c->clients_url;
    *out = NULL;
    if ((rc = plex__jwt_device_query(&q, c, key)) != 0) {
        plex__buf_dispose(&q);
        return plex__http_fail(&c->http, rc, "could not sign the device JWT");
    }
    snprintf(path, sizeof(path), "/api/v2/pins/%lld", (long long)id);
    r.query = q.ptr;
    r.log_path = (c->http.flags & PLEX_CLIENT_LOG_SECRETS) ? path : "/api/v2/pins/<redacted>";
    rc = plex__http_request(&c->http, &r, &resp);
    plex__buf_dispose(&q);
    if (rc)
        return rc;
    if ((rc = plex_pin_parse(out, resp.body, resp.len, 0, &perr)) != 0)
        return plex__http_fail(&c->http, rc, "the server's answer could not be read: %s",
                               perr.message);
    return 0;
}

int plex_jwt_register(plex_client *c, const plex_jwt_key *key)
{
    plex__request r = {
        .method = "POST", .path = "/api/v2/auth/jwk", .content_type = "application/json"};
    plex__response resp;
    char *body = NULL;
    int rc;

    if (!c || !key)
        return PLEX_EINVALID;
    r.base = c->clients_url;
    if ((rc = jwk_body(&body, key, 1, 0)) != 0)
        return plex__http_fail(&c->http, rc, "could not build the request");
    r.body = body;
    r.body_len = strlen(body);
    rc = plex__http_request(&c->http, &r, &resp);
    plex__free(body);
    return rc;
}

/* One string member of a JSON object answer, copied into *out. */
static int answer_string(char **out, plex_client *c, const plex__response *resp, const char *name)
{
    char val[PLEX__JWT_MAX];
    int seen = 0;
    plex__jfield f = {name, val, sizeof(val), NULL, &seen};

    if (plex__json_flat(resp->body, resp->len, NULL, &f, 1) != 0)
        return plex__http_fail(&c->http, PLEX_EPARSE,
                               "the server's answer is not the expected JSON");
    if (!seen || !val[0])
        return plex__http_fail(&c->http, PLEX_ESCHEMA, "the server's answer has no %s", name);
    if (!(*out = plex__strdup(val)))
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    return 0;
}

int plex_jwt_nonce(char **out, plex_client *c)
{
    plex__request r = {.method = "GET", .path = "/api/v2/auth/nonce"};
    plex__response resp;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    r.base = c->clients_url;
    *out = NULL;
    if ((rc = plex__http_request(&c->http, &r, &resp)) != 0)
        return rc;
    return answer_string(out, c, &resp, "nonce");
}

static int refresh(char **token_out, plex_client *c, const plex_jwt_key *key, const char *scope);

int plex_jwt_refresh(char **token_out, plex_client *c, const plex_jwt_key *key, const char *scope)
{
    int rc, refreshing;

    if (!token_out || !c || !key)
        return PLEX_EINVALID;
    *token_out = NULL;
    refreshing = c->refreshing;
    c->refreshing = 1; /* its own requests must not start an automatic refresh */
    rc = refresh(token_out, c, key, scope);
    c->refreshing = refreshing;
    return rc;
}

static int refresh(char **token_out, plex_client *c, const plex_jwt_key *key, const char *scope)
{
    plex__request r = {.method = "POST",
                       .base = c->clients_url,
                       .path = "/api/v2/auth/token",
                       .content_type = "application/json"};
    plex__response resp;
    plex__buf b = {0};
    plex__json_writer w;
    char *nonce = NULL, *jwt = NULL;
    int rc;

    if ((rc = plex_jwt_nonce(&nonce, c)) != 0)
        return rc;
    rc = plex_jwt_sign(&jwt, key, client_id(c), nonce,
                       scope ? scope : "username,email,friendly_name", wall_now(), DEVICE_JWT_TTL);
    plex__free(nonce);
    if (rc)
        return plex__http_fail(&c->http, rc, "could not sign the refresh JWT");
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "jwt");
    plex__jw_string(&w, jwt);
    plex__jw_object_end(&w);
    plex__free(jwt);
    if (b.err) {
        plex__buf_dispose(&b);
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    r.body = b.ptr;
    r.body_len = b.len;
    rc = plex__http_request(&c->http, &r, &resp);
    plex__buf_dispose(&b);
    if (rc)
        return rc;
    return answer_string(token_out, c, &resp, "auth_token");
}

int plex_jwt_keys(char **out, size_t *out_len, plex_client *c)
{
    plex__request r = {.method = "GET", .path = "/api/v2/auth/keys"};
    plex__response resp;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    r.base = c->clients_url;
    *out = NULL;
    if ((rc = plex__http_request(&c->http, &r, &resp)) != 0)
        return rc;
    if (!(*out = plex__strndup(resp.body ? resp.body : "", resp.len)))
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    if (out_len)
        *out_len = resp.len;
    return 0;
}

/* ---- automatic refresh ---- */

#define REFRESH_PAUSE_MS (5L * 60 * 1000) /* after a failed early refresh */

int plex_client_set_jwt_refresh(plex_client *c, const plex_jwt_key *key, plex_token_cb on_token,
                                void *payload)
{
    plex_jwt_key *ref = NULL;
    int rc;

    if (!c)
        return PLEX_EINVALID;
    if (key && (rc = plex__jwt_key_ref(&ref, key)) != 0)
        return rc;
    plex_jwt_key_free(c->jwt_key);
    c->jwt_key = ref;
    c->on_token = on_token;
    c->on_token_payload = payload;
    c->refresh_not_before_ms = 0;
    return 0;
}

static int auto_refresh(plex_client *c, int answered_498)
{
    char why[sizeof(c->http.last.message)];
    int64_t exp, now = wall_now();
    long now_ms = plex__now_ms();
    char *jwt = NULL;
    int rc, expired;

    if (!plex_jwt_is_jwt(c->http.token) || plex_jwt_expiry(c->http.token, &exp) != 0)
        return answered_498 ? PLEX_EAUTH : 0; /* a legacy token: nothing to refresh */
    expired = exp <= now;
    if (!answered_498 &&
        (exp - now > PLEX_JWT_REFRESH_WINDOW || (!expired && now_ms < c->refresh_not_before_ms)))
        return 0;
    plex__http_log(&c->http, PLEX_LOG_INFO, "refreshing the JWT: %s",
                   answered_498 ? "the server said it expired"
                   : expired    ? "it expired"
                                : "it expires within a day");
    rc = plex_jwt_refresh(&jwt, c, c->jwt_key, NULL);
    if (rc == 0 && plex_client_set_token(c, jwt) != 0)
        rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    if (rc) {
        plex__free(jwt);
        snprintf(why, sizeof(why), "%s", c->http.last.message);
        if (!answered_498 && !expired) {
            plex__http_log(&c->http, PLEX_LOG_WARN,
                           "could not refresh the JWT (%s); using it until it expires", why);
            c->refresh_not_before_ms = now_ms + REFRESH_PAUSE_MS;
            return 0;
        }
        return plex__http_fail(&c->http, rc, "the token expired and could not be refreshed: %s",
                               why);
    }
    c->refresh_not_before_ms = 0;
    if (c->on_token)
        c->on_token(jwt, c->on_token_payload);
    plex__free(jwt);
    return 0;
}

int plex__jwt_hook_before(plex__http *h, void *client)
{
    plex_client *c = client;

    if (!c->jwt_key || c->refreshing || !h->token)
        return 0;
    return auto_refresh(c, 0);
}

int plex__jwt_hook_retry(plex__http *h, void *client, int rc)
{
    plex_client *c = client;

    if (rc != PLEX_EAUTH || h->last.http_status != 498 || !c->jwt_key || c->refreshing || !h->token)
        return 0;
    rc = auto_refresh(c, 1);
    return rc ? rc : 1;
}

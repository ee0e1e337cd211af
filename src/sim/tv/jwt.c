/*
 * plexsim: JWT device authentication (../shared/PROTOCOL.md §6), for real:
 * device signatures are verified with the key the device registered (with
 * its PIN or through /api/v2/auth/jwk), and the Plex JWTs plexsim hands out
 * are signed with its own keys, published at /api/v2/auth/keys.
 *
 * Plex JWTs are signed EdDSA with an Ed25519 key (the default), or RS256
 * with a 2048-bit RSA key (--jwt-alg RS256, /__sim/config?jwt_alg=RS256;
 * jwt_alg=EdDSA switches back). The RSA key is made when RS256 is first
 * selected (at start, or by the switch) and kept until exit, /__sim/reset
 * included. From then on /api/v2/auth/keys lists both keys, Ed25519 first,
 * and only the selected one signs: like plex.tv while it rotates keys, so
 * a Plex JWT issued before a switch (either way) still verifies, and still
 * works as X-Plex-Token. Device JWTs are always EdDSA (Ed25519 keys).
 *
 *   POST /api/v2/pins {"jwk":{...},"strong":true}  binds the key to the PIN
 *   GET  /api/v2/pins/{id}?deviceJWT=JWT          422 bad signature, 498 expired;
 *                                                 once approved, authToken is a Plex JWT
 *   POST /api/v2/auth/jwk {"jwk":{...}}           X-Plex-Token (legacy); 422 if the
 *                                                 key is another device's; the legacy
 *                                                 token stops working
 *   GET  /api/v2/auth/nonce                       {"nonce":"<uuid>"}, valid 5 minutes
 *   POST /api/v2/auth/token {"jwt":JWT}           {"auth_token":"<Plex JWT>"}
 *   GET  /api/v2/auth/keys                        {"keys":[Ed25519 JWK, RSA JWK once made]}
 *
 * A Plex JWT used as X-Plex-Token answers 498 once expired (lifetime:
 * --jwt-ttl, /__sim/config?jwt_ttl=S; 7 days by default).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "tv/jwt.h"
#include "tv.h"

#define CT_JSON "application/json; charset=utf-8"
#define MAX_DEVICES 1024
#define MAX_NONCES 256
#define NONCE_TTL 300.0
#define DEFAULT_JWT_TTL (7 * 86400)

typedef struct device {
    char kid[64];
    char x[64];
    char client_id[SIM_MAX_IDENT + 1];
} device;

typedef struct pin_key {
    int64_t pin_id;
    char kid[64];
    char x[64];
} pin_key;

typedef struct nonce {
    char value[40];
    double issued;
} nonce;

struct sim_jwt {
    plex_jwt_key *key; /* Ed25519: EdDSA */
    EVP_PKEY *rsa;     /* RSA 2048: RS256, once selected; else NULL */
    char rsa_kid[64];  /* its RFC 7638 thumbprint */
    plex__jwk rsa_jwk; /* its public key: kty, n, e */
    device devices[MAX_DEVICES];
    size_t ndevices;
    pin_key *pins; /* SIM_MAX_PINS, a ring */
    size_t pin_head;
    nonce nonces[MAX_NONCES]; /* a ring */
    size_t nonce_head;
};

int sim_jwt_init(sim_state *st)
{
    sim_jwt *j = calloc(1, sizeof(*j));

    if (!j)
        return -1;
    j->pins = calloc(SIM_MAX_PINS, sizeof(*j->pins));
    if (!j->pins || plex_jwt_key_generate(&j->key) != 0) {
        free(j->pins);
        free(j);
        return -1;
    }
    st->jwt = j;
    if (st->cfg.jwt_rs256 && sim_jwt_rsa_ready(st) != 0) {
        sim_jwt_dispose(st);
        return -1;
    }
    return 0;
}

/* base64url of data[0..n) into dst (cap bytes): 0 or -1. */
static int b64u_into(char *dst, size_t cap, const unsigned char *data, size_t n)
{
    char *s = NULL;
    int ok = plex_base64url_encode(&s, data, n) == 0 && strlen(s) < cap;

    if (ok)
        memcpy(dst, s, strlen(s) + 1);
    plex_free(s);
    return ok ? 0 : -1;
}

/* A 2048-bit RSA key, its public JWK and its RFC 7638 thumbprint: 0 or -1. */
static int rsa_make(sim_jwt *j)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *n = NULL, *e = NULL;
    unsigned char nb[256], eb[8];
    int ok;

    ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 &&
         EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) == 1 && EVP_PKEY_generate(ctx, &pkey) == 1;
    EVP_PKEY_CTX_free(ctx);
    ok = ok && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
         EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
         BN_num_bytes(n) == (int)sizeof(nb) && BN_num_bytes(e) <= (int)sizeof(eb) &&
         b64u_into(j->rsa_jwk.n, sizeof(j->rsa_jwk.n), nb, (size_t)BN_bn2bin(n, nb)) == 0 &&
         b64u_into(j->rsa_jwk.e, sizeof(j->rsa_jwk.e), eb, (size_t)BN_bn2bin(e, eb)) == 0;
    BN_free(n);
    BN_free(e);
    ok = ok && plex__jwk_thumbprint_rsa(j->rsa_kid, j->rsa_jwk.n, j->rsa_jwk.e) == 0;
    if (!ok) {
        EVP_PKEY_free(pkey);
        return -1;
    }
    memcpy(j->rsa_jwk.kty, "RSA", 4);
    j->rsa = pkey;
    return 0;
}

int sim_jwt_rsa_ready(sim_state *st)
{
    return st->jwt->rsa != NULL || rsa_make(st->jwt) == 0 ? 0 : -1;
}

void sim_jwt_dispose(sim_state *st)
{
    if (!st->jwt)
        return;
    plex_jwt_key_free(st->jwt->key);
    EVP_PKEY_free(st->jwt->rsa);
    free(st->jwt->pins);
    free(st->jwt);
    st->jwt = NULL;
}

void sim_jwt_reset(sim_state *st)
{
    sim_jwt *j = st->jwt;

    if (!j)
        return;
    j->ndevices = 0;
    memset(j->pins, 0, SIM_MAX_PINS * sizeof(*j->pins));
    j->pin_head = 0;
    memset(j->nonces, 0, sizeof(j->nonces));
    j->nonce_head = 0;
}

static int jwt_ttl(const sim_state *st)
{
    return st->cfg.jwt_ttl > 0 ? st->cfg.jwt_ttl : DEFAULT_JWT_TTL;
}

/* The clock Plex JWTs are issued and checked with (/__sim/config?clock_skew=S
 * moves it ahead, as if the device's clock were behind). */
static int64_t jwt_now(const sim_state *st)
{
    return sim_now_wall() + st->cfg.clock_skew;
}

static const char *header_or_query(const sim_request *rq, const char *name)
{
    const char *v = rq->lookup(rq->ctx, SIM_HEADER, name);
    return v ? v : rq->lookup(rq->ctx, SIM_QUERY, name);
}

/* Where needle first occurs in hay[0..n), or NULL (memmem is not POSIX). */
static char *find(const char *hay, size_t n, const char *needle, size_t nl)
{
    size_t i;

    for (i = 0; nl <= n && i <= n - nl; i++) {
        if (memcmp(hay + i, needle, nl) == 0)
            return (char *)(uintptr_t)(hay + i);
    }
    return NULL;
}

static device *device_by_kid(sim_jwt *j, const char *kid)
{
    size_t i;

    for (i = 0; i < j->ndevices; i++) {
        if (strcmp(j->devices[i].kid, kid) == 0)
            return &j->devices[i];
    }
    return NULL;
}

/* Register kid/x for client_id: 0, 422 (another device's key), 429 (full). */
static int device_register(sim_jwt *j, const char *kid, const char *x, const char *client_id)
{
    device *d = device_by_kid(j, kid);

    if (d)
        return strcmp(d->client_id, client_id) == 0 ? 0 : 422;
    if (j->ndevices == MAX_DEVICES)
        return 429;
    d = &j->devices[j->ndevices++];
    snprintf(d->kid, sizeof(d->kid), "%s", kid);
    snprintf(d->x, sizeof(d->x), "%s", x);
    snprintf(d->client_id, sizeof(d->client_id), "%s", client_id);
    return 0;
}

/* Read {"jwk":{...}} from the body: 0 with kid/x, 1 when there is no jwk
 * (or one without "x"), 400 for a bad one (not OKP/Ed25519, or kid is not its thumbprint). */
static int body_jwk(const sim_request *rq, char kid[64], char x[64])
{
    char kty[16], crv[16], thumb[64];
    int seen_x = 0;
    plex__jfield f[] = {
        {"kty", kty, sizeof(kty), NULL, NULL},
        {"crv", crv, sizeof(crv), NULL, NULL},
        {"x", x, 64, NULL, &seen_x},
        {"kid", kid, 64, NULL, NULL},
    };

    if (!rq->body || rq->body_len == 0)
        return 1;
    if (plex__json_flat(rq->body, rq->body_len, "jwk", f, 4) != 0)
        return find(rq->body, rq->body_len, "\"jwk\"", 5) ? 400 : 1;
    if (!seen_x)
        return 1; /* no key material: a legacy PIN, as before JWTs */
    if (strcmp(kty, "OKP") != 0 || strcmp(crv, "Ed25519") != 0 || strlen(x) != 43 ||
        plex__jwk_thumbprint(thumb, x) != 0)
        return 400;
    if (kid[0] && strcmp(kid, thumb) != 0)
        return 400;
    snprintf(kid, 64, "%s", thumb);
    return 0;
}

static void reply_json(sim_response *rs, int status, const char *json)
{
    char *body = json ? strdup(json) : NULL;

    sim_response_dispose(rs);
    rs->status = status;
    rs->retry_after = -1;
    if (json && !body) {
        rs->status = 500;
        return;
    }
    rs->content_type = json ? CT_JSON : NULL;
    rs->body = body;
    rs->body_len = json ? strlen(json) : 0;
}

static void fail(sim_response *rs, int json, int status, const char *message)
{
    int code;
    const char *msg;

    sim_status_error(status, &code, &msg);
    sim_error_response(rs, json, status, code, message ? message : msg);
}

/* Check a device JWT against the key x and the client: 0 or an HTTP status
 * (400 malformed, 422 bad signature/claims, 498 expired). */
static int check_device_jwt(const char *jwt, const char *x, const char *client_id, plex__jwt *out)
{
    int64_t now = sim_now_wall();

    if (!jwt || plex__jwt_parse(out, jwt, NULL) != 0)
        return 400;
    if (plex__jwt_check_sig(out, jwt, x) != 0)
        return 422;
    if (strcmp(out->aud, "plex.tv") != 0 || strcmp(out->iss, client_id) != 0 || !out->has_exp)
        return 422;
    if (out->exp <= now)
        return 498;
    return 0;
}

/* ---- PINs ---- */

int sim_jwt_pin_bind(sim_state *st, const sim_request *rq, const sim_pin *p, sim_response *rs,
                     int json)
{
    sim_jwt *j = st->jwt;
    char kid[64], x[64];
    int rc = body_jwk(rq, kid, x);
    pin_key *k;

    if (rc == 1)
        return 0; /* a legacy PIN */
    if (rc != 0) {
        fail(rs, json, 400, "jwk must be an OKP Ed25519 key whose kid is its thumbprint");
        return -1;
    }
    k = &j->pins[j->pin_head];
    j->pin_head = (j->pin_head + 1) % SIM_MAX_PINS;
    k->pin_id = p->id;
    memcpy(k->kid, kid, sizeof(k->kid));
    memcpy(k->x, x, sizeof(k->x));
    return 0;
}

static pin_key *pin_key_of(sim_jwt *j, int64_t id)
{
    size_t i;

    for (i = 0; i < SIM_MAX_PINS; i++) {
        if (j->pins[i].pin_id == id && j->pins[i].kid[0])
            return &j->pins[i];
    }
    return NULL;
}

int sim_jwt_pin_poll(sim_state *st, const sim_request *rq, const sim_pin *p, sim_response *rs,
                     int json)
{
    pin_key *k = pin_key_of(st->jwt, p->id);
    plex__jwt dj;
    int status;

    if (!k)
        return 0;
    status = check_device_jwt(rq->lookup(rq->ctx, SIM_QUERY, "deviceJWT"), k->x, p->client_id, &dj);
    if (status == 0 && strcmp(dj.kid, k->kid) != 0)
        status = 422;
    if (status) {
        fail(rs, json, status,
             status == 400   ? "deviceJWT is missing or malformed"
             : status == 498 ? "deviceJWT expired"
                             : "deviceJWT signature or claims are invalid");
        return -1;
    }
    return 0;
}

/* A Plex JWT for the device key kid, signed with the selected key (NULL on
 * failure; free()). */
static char *issue(sim_state *st, const char *kid, const char *scope)
{
    plex__buf b = {0};
    plex__json_writer w;
    int64_t now = jwt_now(st);
    char *out = NULL, jti[24];
    unsigned char r[8];
    int rc;

    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "aud");
    plex__jw_string(&w, "plex.tv");
    plex__jw_key(&w, "iss");
    plex__jw_string(&w, "plex.tv");
    plex__jw_key(&w, "iat");
    plex__jw_int(&w, now);
    plex__jw_key(&w, "exp");
    plex__jw_int(&w, now + jwt_ttl(st));
    plex__jw_key(&w, "thumbprint");
    plex__jw_string(&w, kid);
    if (sim_random(r, sizeof(r)) == 0) { /* a unique id: no two JWTs are the same */
        snprintf(jti, sizeof(jti), "%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
                 r[5], r[6], r[7]);
        plex__jw_key(&w, "jti");
        plex__jw_string(&w, jti);
    }
    plex__jw_key(&w, "user");
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "id");
    plex__jw_int(&w, SIM_USER_ID);
    plex__jw_key(&w, "uuid");
    plex__jw_string(&w, SIM_USER_UUID);
    if (!scope || strstr(scope, "username")) {
        plex__jw_key(&w, "username");
        plex__jw_string(&w, SIM_USER_NAME);
    }
    if (!scope || strstr(scope, "email")) {
        plex__jw_key(&w, "email");
        plex__jw_string(&w, SIM_USER_EMAIL);
    }
    plex__jw_object_end(&w);
    plex__jw_object_end(&w);
    if (b.err)
        rc = b.err;
    else if (st->cfg.jwt_rs256) /* the RSA key exists: made when RS256 was selected */
        rc = st->jwt->rsa ? plex__jwt_sign_rs256(&out, st->jwt->rsa, st->jwt->rsa_kid, b.ptr, b.len)
                          : -1;
    else
        rc = plex__jwt_sign_claims(&out, st->jwt->key, b.ptr, b.len);
    plex__buf_dispose(&b);
    if (rc || !out)
        return NULL;
    {
        char *copy = strdup(out);
        plex_free(out);
        return copy;
    }
}

/* Replace the first `from` in the body by `to`. 0 or -1. */
static int body_replace(sim_response *rs, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), off;
    char *at, *nb;

    if (!rs->body || !(at = find(rs->body, rs->body_len, from, fl)))
        return -1;
    off = (size_t)(at - rs->body);
    if (!(nb = malloc(rs->body_len - fl + tl + 1)))
        return -1;
    memcpy(nb, rs->body, off);
    memcpy(nb + off, to, tl);
    memcpy(nb + off + tl, rs->body + off + fl, rs->body_len - off - fl);
    nb[rs->body_len - fl + tl] = '\0';
    free(rs->body);
    rs->body = nb;
    rs->body_len = rs->body_len - fl + tl;
    return 0;
}

void sim_jwt_pin_collected(sim_state *st, const sim_pin *p, sim_response *rs, int json)
{
    pin_key *k = pin_key_of(st->jwt, p->id);
    char *jwt;
    int rc;

    if (!k)
        return;
    rc = device_register(st->jwt, k->kid, k->x, p->client_id);
    if (rc) {
        fail(rs, json, rc, rc == 422 ? "this key is registered by another device" : NULL);
        return;
    }
    if (!(jwt = issue(st, k->kid, NULL)) || body_replace(rs, p->token, jwt) != 0) {
        free(jwt);
        sim_response_dispose(rs);
        rs->status = 500;
        rs->content_type = NULL;
        return;
    }
    free(jwt);
    sim_token_revoke(st, p->token); /* the device gets the JWT, not a legacy token */
    k->kid[0] = '\0';
}

/* ---- tokens ---- */

int sim_jwt_is_jwt(const char *token)
{
    return plex_jwt_is_jwt(token);
}

/* 0 if a parsed Plex JWT was signed by one of our keys (either one, whichever
 * is selected now: see the top comment), else -1. */
static int our_signature(const sim_jwt *j, const plex__jwt *pj, const char *token)
{
    char x[64];

    if (strcmp(pj->kid, plex_jwt_key_id(j->key)) == 0) {
        plex__jwt_key_x(j->key, x);
        return plex__jwt_check_sig(pj, token, x) == 0 ? 0 : -1;
    }
    if (j->rsa && strcmp(pj->kid, j->rsa_kid) == 0)
        return plex__jwt_check_sig_jwk(pj, token, &j->rsa_jwk) == 0 ? 0 : -1;
    return -1;
}

int sim_jwt_token_status(sim_state *st, const char *token)
{
    plex__jwt *pj = malloc(sizeof(*pj));
    int status = 401;

    if (!pj)
        return 500;
    if (plex__jwt_parse(pj, token, NULL) == 0 && our_signature(st->jwt, pj, token) == 0 &&
        strcmp(pj->iss, "plex.tv") == 0 && pj->has_exp && device_by_kid(st->jwt, pj->thumbprint))
        status = pj->exp <= jwt_now(st) ? 498 : 200;
    free(pj);
    return status;
}

/* ---- /api/v2/auth/... ---- */

static void auth_jwk(sim_state *st, const sim_request *rq, sim_response *rs, int json,
                     const char *cid)
{
    const char *tok = header_or_query(rq, "X-Plex-Token");
    char kid[64], x[64];
    int rc;

    if (!tok || !sim_token_valid(st, tok)) {
        fail(rs, json, tok && sim_jwt_is_jwt(tok) ? 400 : 401,
             tok && sim_jwt_is_jwt(tok) ? "a legacy token is needed" : NULL);
        return;
    }
    if (body_jwk(rq, kid, x) != 0) {
        fail(rs, json, 400, "jwk must be an OKP Ed25519 key whose kid is its thumbprint");
        return;
    }
    rc = device_register(st->jwt, kid, x, cid);
    if (rc) {
        fail(rs, json, rc, rc == 422 ? "this key is registered by another device" : NULL);
        return;
    }
    sim_token_revoke(st, tok); /* the legacy token expires */
    reply_json(rs, 204, NULL);
}

static void auth_nonce(sim_state *st, sim_response *rs)
{
    sim_jwt *j = st->jwt;
    unsigned char r[16];
    char out[64];
    nonce *n;

    if (sim_random(r, sizeof(r)) != 0) {
        reply_json(rs, 500, NULL);
        return;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    n = &j->nonces[j->nonce_head];
    j->nonce_head = (j->nonce_head + 1) % MAX_NONCES;
    snprintf(n->value, sizeof(n->value),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
             r[15]);
    n->issued = sim_now_mono();
    snprintf(out, sizeof(out), "{\"nonce\":\"%s\"}", n->value);
    reply_json(rs, 200, out);
}

/* Use up a nonce: 0, or -1 if unknown, used or stale. */
static int take_nonce(sim_jwt *j, const char *value)
{
    size_t i;

    for (i = 0; i < MAX_NONCES; i++) {
        nonce *n = &j->nonces[i];
        if (n->value[0] && strcmp(n->value, value) == 0) {
            int ok = sim_now_mono() - n->issued <= NONCE_TTL;
            n->value[0] = '\0';
            return ok ? 0 : -1;
        }
    }
    return -1;
}

static void auth_token(sim_state *st, const sim_request *rq, sim_response *rs, int json,
                       const char *cid)
{
    char jwt[PLEX__JWT_MAX + 1];
    int seen = 0, status;
    plex__jfield f = {"jwt", jwt, sizeof(jwt), NULL, &seen};
    plex__jwt *dj;
    device *d;
    char *issued, *body;
    size_t n;

    if (!rq->body || plex__json_flat(rq->body, rq->body_len, NULL, &f, 1) != 0 || !seen) {
        fail(rs, json, 400, "the body must be {\"jwt\":\"...\"}");
        return;
    }
    if (!(dj = malloc(sizeof(*dj)))) {
        reply_json(rs, 500, NULL);
        return;
    }
    if (plex__jwt_parse(dj, jwt, NULL) != 0) {
        status = 400;
    } else if (!(d = device_by_kid(st->jwt, dj->kid)) || strcmp(d->client_id, cid) != 0) {
        status = 422; /* no such key, or another device's */
    } else {
        status = check_device_jwt(jwt, d->x, cid, dj);
        if (status == 0 && take_nonce(st->jwt, dj->nonce) != 0)
            status = 400;
    }
    if (status) {
        free(dj);
        fail(rs, json, status,
             status == 400   ? "the JWT is malformed or its nonce is unknown, used or stale"
             : status == 498 ? "the JWT expired"
                             : "the JWT signature, key or claims are invalid");
        return;
    }
    issued = issue(st, dj->kid, dj->scope[0] ? dj->scope : NULL);
    free(dj);
    n = issued ? strlen(issued) + 32 : 0;
    body = issued ? malloc(n) : NULL;
    if (!body) {
        free(issued);
        reply_json(rs, 500, NULL);
        return;
    }
    snprintf(body, n, "{\"auth_token\":\"%s\"}", issued);
    free(issued);
    reply_json(rs, 200, body);
    free(body);
}

/* {"keys":[the Ed25519 JWK, the RSA JWK once made]} */
static void auth_keys(sim_state *st, sim_response *rs)
{
    const sim_jwt *j = st->jwt;
    plex__buf b = {0};
    plex__json_writer w;
    char *jwk = NULL;

    if (plex_jwt_key_jwk(&jwk, j->key, 1) != 0) {
        reply_json(rs, 500, NULL);
        return;
    }
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "keys");
    plex__jw_array_begin(&w);
    plex__jw_raw(&w, jwk, strlen(jwk));
    if (j->rsa) {
        plex__jw_object_begin(&w);
        plex__jw_key(&w, "kty");
        plex__jw_string(&w, "RSA");
        plex__jw_key(&w, "n");
        plex__jw_string(&w, j->rsa_jwk.n);
        plex__jw_key(&w, "e");
        plex__jw_string(&w, j->rsa_jwk.e);
        plex__jw_key(&w, "kid");
        plex__jw_string(&w, j->rsa_kid);
        plex__jw_key(&w, "alg");
        plex__jw_string(&w, "RS256");
        plex__jw_key(&w, "use");
        plex__jw_string(&w, "sig");
        plex__jw_object_end(&w);
    }
    plex__jw_array_end(&w);
    plex__jw_object_end(&w);
    plex_free(jwk);
    reply_json(rs, b.err ? 500 : 200, b.err ? NULL : b.ptr);
    plex__buf_dispose(&b);
}

void sim_jwt_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json)
{
    const char *cid = header_or_query(rq, "X-Plex-Client-Identifier");

    if (rq->route != SIM_R_AUTH_KEYS && (!cid || !*cid || strlen(cid) > SIM_MAX_IDENT)) {
        fail(rs, json, 400, "X-Plex-Client-Identifier is missing");
        return;
    }
    switch (rq->route) {
    case SIM_R_AUTH_JWK:
        auth_jwk(st, rq, rs, json, cid);
        break;
    case SIM_R_AUTH_NONCE:
        auth_nonce(st, rs);
        break;
    case SIM_R_AUTH_TOKEN:
        auth_token(st, rq, rs, json, cid);
        break;
    case SIM_R_AUTH_KEYS:
        auth_keys(st, rs);
        break;
    default:
        fail(rs, json, 404, "Not Found");
        break;
    }
}

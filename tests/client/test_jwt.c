/*
 * The JWT device sign-in against plexsim on 127.0.0.1: a PIN bound to a
 * key, polling with device JWTs, Plex JWTs verified against the published
 * keys, refresh (also after expiry), upgrading a legacy token, and the
 * errors: 498 (expired), 422 (bad signature, another device's key), 429
 * (--fault), 400 (bad body, used nonce).
 */
#include <time.h>

#include <plex/plex.h>

#include "flow.h"
#include "sim.h"
#include "test.h"

static int last_status(const plex_client *c)
{
    return plex_client_last_error(c)->http_status;
}

/* POST a JSON body as client `id`; returns the status. */
static long post_json(const sim *s, const char *path, const char *id, const char *body)
{
    char url[512], hdr_id[128];
    long status = 0;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr;

    snprintf(hdr_id, sizeof(hdr_id), "X-Plex-Client-Identifier: %s", id);
    hdr = curl_slist_append(NULL, hdr_id);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    snprintf(url, sizeof(url), "%s%s", s->url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sim_collect);
    {
        static char sink[65536];
        sink[0] = '\0';
        curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    }
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

/* A legacy token through a plain PIN. */
static char *legacy_signin(const sim *s, plex_client *c)
{
    plex_pin *p = NULL, *q = NULL;
    char path[160], *tok;

    REQUIRE(plex_pin_create(&p, c, 0) == 0);
    snprintf(path, sizeof(path), "/__sim/approve?code=%s", p->code);
    CHECK_INT(sim_control(s, "POST", path, NULL, NULL), 200);
    REQUIRE(plex_pin_check(&q, c, p->id) == 0 && q->auth_token);
    CHECK(!plex_jwt_is_jwt(q->auth_token));
    tok = strdup(q->auth_token);
    plex_pin_free(q);
    plex_pin_free(p);
    return tok;
}

static void test_lifecycle(void)
{
    sim s;
    plex_client *c;
    plex_jwt_key *key = NULL, *other = NULL;
    char *jwt, *jwks = NULL, *fresh = NULL, *rq = NULL, *nonce = NULL, body[8192];
    size_t jwks_len = 0;
    int64_t exp = 0, now;
    plex_user *u = NULL;
    plex_error err;
    plex_pin *p = NULL, *q = NULL;

    sim_start(&s, "--jwt-ttl", "2", NULL);
    c = flow_client(s.url, "test-jwt-A");
    REQUIRE(plex_jwt_key_generate(&key) == 0 && plex_jwt_key_generate(&other) == 0);

    /* sign in: the token is a Plex JWT for our key, signed by the published key */
    jwt = flow_jwt_signin(&s, c, key);
    CHECK_INT(plex_jwt_keys(&jwks, &jwks_len, c), 0);
    REQUIRE(jwks != NULL);
    now = (int64_t)time(NULL);
    CHECK_INT(plex_jwt_verify(&exp, jwt, jwks, jwks_len, plex_jwt_key_id(key), now, &err), 0);
    CHECK(exp >= now && exp <= now + 3);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, jwks_len, plex_jwt_key_id(other), now, &err),
              PLEX_EAUTH);
    CHECK_INT(plex_client_set_token(c, jwt), 0);
    CHECK_INT(plex_user_get(&u, c), 0);
    CHECK(u && strcmp(u->username, "plexsim") == 0);
    plex_user_free(u);
    u = NULL;

    /* 498 once it expired; refresh works after expiry */
    sleep(3);
    CHECK_INT(plex_user_get(&u, c), PLEX_EAUTH);
    CHECK_INT(last_status(c), 498);
    CHECK_INT(
        plex_jwt_verify(NULL, jwt, jwks, jwks_len, plex_jwt_key_id(key), (int64_t)time(NULL), &err),
        PLEX_EAUTH);
    CHECK_INT(plex_jwt_refresh(&fresh, c, key, NULL), 0);
    REQUIRE(fresh != NULL);
    CHECK(strcmp(fresh, jwt) != 0);
    CHECK_INT(plex_jwt_verify(NULL, fresh, jwks, jwks_len, plex_jwt_key_id(key),
                              (int64_t)time(NULL), &err),
              0);
    CHECK_INT(plex_client_set_token(c, fresh), 0);
    CHECK_INT(plex_user_get(&u, c), 0);
    plex_user_free(u);
    u = NULL;

    /* 422: refresh signed by a key nobody registered */
    plex_free(fresh);
    fresh = NULL;
    CHECK_INT(plex_jwt_refresh(&fresh, c, other, NULL), PLEX_EHTTP);
    CHECK_INT(last_status(c), 422);
    CHECK(fresh == NULL);

    /* 422: our kid, a tampered signature */
    CHECK_INT(plex_jwt_nonce(&nonce, c), 0);
    REQUIRE(nonce != NULL);
    CHECK_INT(plex_jwt_sign(&rq, key, "test-jwt-A", nonce, "username", (int64_t)time(NULL), 300),
              0);
    {
        size_t n = strlen(rq);
        rq[n - 3] = rq[n - 3] == 'A' ? 'B' : 'A';
    }
    snprintf(body, sizeof(body), "{\"jwt\":\"%s\"}", rq);
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", body), 422);
    plex_free(rq);
    /* 498: a request JWT that already expired */
    CHECK_INT(plex_jwt_sign(&rq, key, "test-jwt-A", nonce, NULL, (int64_t)time(NULL) - 1000, 300),
              0);
    snprintf(body, sizeof(body), "{\"jwt\":\"%s\"}", rq);
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", body), 498);
    plex_free(rq);
    /* a good one works once; the nonce is then used up (400) */
    CHECK_INT(plex_jwt_sign(&rq, key, "test-jwt-A", nonce, NULL, (int64_t)time(NULL), 300), 0);
    snprintf(body, sizeof(body), "{\"jwt\":\"%s\"}", rq);
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", body), 200);
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", body), 400);
    /* ...and another device may not use our key (422) */
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-Z", body), 422);
    plex_free(rq);
    plex_free(nonce);
    /* 400: not {"jwt":...} */
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", "{\"jwt\":7}"), 400);
    CHECK_INT(post_json(&s, "/api/v2/auth/token", "test-jwt-A", "{\"jwt\":\"x.y.z\"}"), 400);

    /* 422: polling a key-bound PIN with a device JWT signed by another key */
    CHECK_INT(plex_jwt_pin_create(&p, c, key), 0);
    REQUIRE(p != NULL);
    CHECK_INT(plex_jwt_pin_check(&q, c, p->id, other), PLEX_EHTTP);
    CHECK_INT(last_status(c), 422);
    CHECK(q == NULL);
    CHECK_INT(plex_jwt_pin_check(&q, c, p->id, key), 0);
    plex_pin_free(q);
    plex_pin_free(p);

    plex_free(fresh);
    plex_free(jwks);
    free(jwt);
    plex_jwt_key_free(key);
    plex_jwt_key_free(other);
    plex_client_free(c);
    sim_stop(&s);
}

static void test_upgrade(void)
{
    sim s;
    plex_client *b, *c2;
    plex_jwt_key *key = NULL;
    char *jwt = NULL, *legacy;
    plex_user *u = NULL;

    sim_start(&s, NULL);
    b = flow_client(s.url, "test-jwt-B");
    c2 = flow_client(s.url, "test-jwt-C");
    REQUIRE(plex_jwt_key_generate(&key) == 0);

    /* C gets a legacy token first (the fixed one is about to expire) */
    legacy = legacy_signin(&s, c2);
    CHECK_INT(plex_client_set_token(c2, legacy), 0);

    /* no token: 401 */
    CHECK_INT(plex_jwt_register(b, key), PLEX_EAUTH);
    CHECK_INT(plex_client_set_token(b, "plexsim-user-token-0001"), 0);
    CHECK_INT(plex_jwt_register(b, key), 0);
    /* the legacy token expired with the upgrade */
    CHECK_INT(plex_user_get(&u, b), PLEX_EAUTH);
    CHECK_INT(last_status(b), 401);
    CHECK_INT(plex_jwt_refresh(&jwt, b, key, "username,email"), 0);
    REQUIRE(jwt != NULL);
    CHECK(plex_jwt_is_jwt(jwt));
    CHECK_INT(plex_client_set_token(b, jwt), 0);
    CHECK_INT(plex_user_get(&u, b), 0);
    plex_user_free(u);

    /* 422: C tries to register B's key */
    CHECK_INT(plex_jwt_register(c2, key), PLEX_EHTTP);
    CHECK_INT(last_status(c2), 422);
    /* a JWT is not a legacy token to upgrade */
    CHECK_INT(plex_jwt_register(b, key), PLEX_EBADREQUEST);

    free(legacy);
    plex_free(jwt);
    plex_jwt_key_free(key);
    plex_client_free(b);
    plex_client_free(c2);
    sim_stop(&s);
}

static void test_rate_limit(void)
{
    sim s;
    plex_client *c;
    plex_jwt_key *key = NULL;
    char *jwt, *fresh = NULL;

    sim_start(&s, "--fault", "GET /api/v2/auth/nonce=429", "--fault", "POST /api/v2/auth/token=429",
              NULL);
    c = flow_client(s.url, "test-jwt-R");
    REQUIRE(plex_jwt_key_generate(&key) == 0);
    jwt = flow_jwt_signin(&s, c, key);
    CHECK_INT(plex_jwt_refresh(&fresh, c, key, NULL), PLEX_ERATELIMIT);
    CHECK_INT(last_status(c), 429);
    CHECK_INT(plex_client_last_error(c)->retry_after, 1);
    CHECK_INT(plex_jwt_refresh(&fresh, c, key, NULL), PLEX_ERATELIMIT); /* now the token POST */
    CHECK_INT(plex_jwt_refresh(&fresh, c, key, NULL), 0);
    CHECK(fresh != NULL);
    /* argument checks and frees of NULL */
    CHECK_INT(plex_jwt_refresh(NULL, c, key, NULL), PLEX_EINVALID);
    CHECK_INT(plex_jwt_pin_create(NULL, c, key), PLEX_EINVALID);
    CHECK_INT(plex_jwt_register(c, NULL), PLEX_EINVALID);
    plex_free(fresh);
    free(jwt);
    plex_jwt_key_free(key);
    plex_client_free(c);
    sim_stop(&s);
}

typedef struct login_ctx {
    const sim *s;
    int codes;
    int want_strong;
    char log[16384];
} login_ctx;

static int approve_on_code(const plex_login_event *ev, void *payload)
{
    login_ctx *x = payload;
    char path[160];

    if (ev->type == PLEX_LOGIN_CODE) {
        x->codes++;
        CHECK_INT(ev->strong, x->want_strong);
        snprintf(path, sizeof(path), "/__sim/approve?code=%s", ev->code);
        CHECK_INT(sim_control(x->s, "POST", path, NULL, NULL), 200);
    }
    return 0;
}

static void on_log(int level, const char *line, void *payload)
{
    login_ctx *x = payload;
    size_t have = strlen(x->log), n = strlen(line);

    (void)level;
    if (have + n + 2 < sizeof(x->log)) {
        memcpy(x->log + have, line, n);
        x->log[have + n] = '\n';
        x->log[have + n + 1] = '\0';
    }
}

/* plex_login_wait with a key: the state machine does the JWT flow. */
static void test_login_wait(void)
{
    sim s;
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    plex_client *c = NULL;
    plex_jwt_key *key = NULL;
    plex_error err;
    login_ctx x;
    char *tok = NULL, *jwks = NULL;
    size_t jwks_len = 0;

    memset(&x, 0, sizeof(x));
    sim_start(&s, NULL);
    x.s = &s;
    x.want_strong = 1;
    o.client_identifier = "test-jwt-L";
    o.base_url = s.url;
    o.log = on_log;
    o.log_payload = &x;
    REQUIRE(plex_client_new(&c, &o, &err) == 0);
    REQUIRE(plex_jwt_key_generate(&key) == 0);
    lo.poll_interval_ms = 50;
    lo.timeout_ms = 20000;
    lo.on_event = approve_on_code;
    lo.payload = &x;
    lo.jwt_key = key;
    CHECK_INT(plex_login_wait(&tok, c, &lo), 0);
    CHECK_INT(x.codes, 1);
    REQUIRE(tok != NULL);
    CHECK(plex_jwt_is_jwt(tok));
    CHECK_INT(plex_jwt_keys(&jwks, &jwks_len, c), 0);
    CHECK_INT(
        plex_jwt_verify(NULL, tok, jwks, jwks_len, plex_jwt_key_id(key), (int64_t)time(NULL), &err),
        0);
    /* the log never shows the device JWT, the token or the PIN id */
    CHECK(strstr(x.log, "deviceJWT") == NULL);
    CHECK(strstr(x.log, "eyJ") == NULL);
    CHECK(strstr(x.log, "/api/v2/pins/<redacted>") != NULL);
    plex_free(tok);
    tok = NULL;

    /* a version 1 structure (no jwt_key) still works: a legacy token */
    lo.version = 1;
    lo.jwt_key = NULL;
    x.codes = 0;
    x.want_strong = 0;
    CHECK_INT(plex_login_wait(&tok, c, &lo), 0);
    CHECK(tok && !plex_jwt_is_jwt(tok));
    plex_free(tok);
    tok = NULL;
    lo.version = 3;
    CHECK_INT(plex_login_wait(&tok, c, &lo), PLEX_EINVALID);

    plex_free(tok);
    plex_free(jwks);
    plex_jwt_key_free(key);
    plex_client_free(c);
    sim_stop(&s);
}

/* ---- automatic refresh (plex_client_set_jwt_refresh) ---- */

typedef struct saved_token {
    int calls;
    char *token;
} saved_token;

static void on_token(const char *token, void *payload)
{
    saved_token *sv = payload;
    sv->calls++;
    free(sv->token);
    sv->token = strdup(token);
}

static unsigned long requests_of(const plex_client *c)
{
    plex_client_stats st;
    plex_client_get_stats(c, &st);
    return st.requests;
}

/* A Plex JWT living `ttl` seconds, through a manual refresh with the sim's
 * JWT lifetime set to ttl for the moment. */
static char *short_jwt(const sim *s, plex_client *c, const plex_jwt_key *key, int ttl)
{
    char path[96], *t = NULL;

    snprintf(path, sizeof(path), "/__sim/config?jwt_ttl=%d", ttl);
    CHECK_INT(sim_control(s, "POST", path, NULL, NULL), 200);
    CHECK_INT(plex_jwt_refresh(&t, c, key, NULL), 0);
    CHECK_INT(sim_control(s, "POST", "/__sim/config?jwt_ttl=0", NULL, NULL), 200);
    REQUIRE(t != NULL);
    return t;
}

/* One user_get: its result, and the requests it took in *n. */
static int user_get_counted(plex_client *c, unsigned long *n)
{
    plex_user *u = NULL;
    unsigned long before = requests_of(c);
    int rc = plex_user_get(&u, c);

    plex_user_free(u);
    *n = requests_of(c) - before;
    return rc;
}

static void test_auto_refresh(void)
{
    sim s;
    plex_client *c;
    plex_jwt_key *key = NULL, *other = NULL;
    saved_token sv = {0, NULL};
    char *jwt, *t;
    int64_t exp = 0;
    unsigned long n = 0;

    sim_start(&s, NULL);
    c = flow_client(s.url, "test-jwt-auto");
    REQUIRE(plex_jwt_key_generate(&key) == 0 && plex_jwt_key_generate(&other) == 0);
    jwt = flow_jwt_signin(&s, c, key);
    CHECK_INT(plex_client_set_token(c, jwt), 0);
    CHECK_INT(plex_client_set_jwt_refresh(NULL, key, on_token, &sv), PLEX_EINVALID);
    CHECK_INT(plex_client_set_jwt_refresh(c, key, on_token, &sv), 0);

    /* 7 days left: no refresh, one request */
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sv.calls, 0);

    /* within a day of expiry: nonce, token, then the request; the new token
     * reaches the callback and is used from then on */
    t = short_jwt(&s, c, key, 3600);
    CHECK_INT(plex_client_set_token(c, t), 0);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(sv.calls, 1);
    REQUIRE(sv.token != NULL);
    CHECK(strcmp(sv.token, t) != 0);
    CHECK_INT(plex_jwt_expiry(sv.token, &exp), 0);
    CHECK(exp > (int64_t)time(NULL) + 6 * 86400);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sv.calls, 1);
    plex_free(t);

    /* already expired: refreshed before the request, no 498 seen */
    t = short_jwt(&s, c, key, 1);
    CHECK_INT(plex_client_set_token(c, t), 0);
    sleep(2);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(sv.calls, 2);
    plex_free(t);

    /* the server says 498 although the claims say 7 days (the device's clock
     * is behind by 8 days): refresh, then the request once more */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?clock_skew=691200", NULL, NULL), 200);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(sv.calls, 3);
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?clock_skew=0", NULL, NULL), 200);

    /* an early refresh that fails: the request still goes with the valid
     * token, and no new attempt for a while */
    t = short_jwt(&s, c, key, 3600);
    CHECK_INT(plex_client_set_token(c, t), 0);
    CHECK_INT(
        sim_control(&s, "POST", "/__sim/fault?route=GET+/api/v2/auth/nonce&seq=500", NULL, NULL),
        200);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(sv.calls, 3);
    CHECK_INT(user_get_counted(c, &n), 0);
    CHECK_INT(n, 1);
    plex_free(t);

    /* an expired token and a key plex.tv does not know: the refresh's 422 */
    t = short_jwt(&s, c, key, 1);
    CHECK_INT(plex_client_set_token(c, t), 0);
    CHECK_INT(plex_client_set_jwt_refresh(c, other, on_token, &sv), 0);
    sleep(2);
    CHECK_INT(user_get_counted(c, &n), PLEX_EHTTP);
    CHECK_INT(last_status(c), 422);
    CHECK(strstr(plex_client_last_error(c)->message, "could not be refreshed") != NULL);
    CHECK_INT(sv.calls, 3);
    plex_free(t);

    /* off: a plain 498 */
    CHECK_INT(plex_client_set_jwt_refresh(c, NULL, NULL, NULL), 0);
    CHECK_INT(user_get_counted(c, &n), PLEX_EAUTH);
    CHECK_INT(n, 1);
    CHECK_INT(last_status(c), 498);

    /* a legacy token is left alone */
    {
        char *legacy = legacy_signin(&s, c);
        CHECK_INT(plex_client_set_token(c, legacy), 0);
        CHECK_INT(plex_client_set_jwt_refresh(c, key, on_token, &sv), 0);
        CHECK_INT(user_get_counted(c, &n), 0);
        CHECK_INT(n, 1);
        free(legacy);
    }

    /* the client holds its own reference to the key */
    plex_jwt_key_free(key);
    plex_jwt_key_free(other);
    plex_client_free(c);
    free(sv.token);
    free(jwt);
    sim_stop(&s);
}

int main(void)
{
    plex_global_init();
    test_lifecycle();
    test_upgrade();
    test_rate_limit();
    test_login_wait();
    test_auto_refresh();
    plex_global_cleanup();
    return test_summary("test_jwt");
}

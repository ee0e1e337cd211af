/*
 * RS256 Plex JWTs against plexsim on 127.0.0.1: with --jwt-alg RS256 the
 * JWT sign-in hands out a Plex JWT signed by plexsim's RSA key, which
 * plex_jwt_verify() accepts with the keys plexsim publishes, and a tampered
 * one it refuses; the RSA JWK is the one that decides (an Ed25519 key with
 * the same kid is no match). With the runtime switch
 * (/__sim/config?jwt_alg=), the keys list both keys, so a JWT issued before
 * the switch, either way, still verifies and still works as a token.
 */
#include <time.h>

#include <plex/plex.h>

#include "flow.h"
#include "sim.h"
#include "test.h"

/* The decoded header of a JWT, into out (NUL-terminated). */
static void jwt_header(const char *jwt, char *out, size_t cap)
{
    unsigned char *h = NULL;
    size_t n = 0;
    const char *dot = strchr(jwt, '.');

    REQUIRE(dot != NULL);
    REQUIRE(plex_base64url_decode(&h, &n, jwt, (size_t)(dot - jwt)) == 0 && n < cap);
    memcpy(out, h, n + 1);
    plex_free(h);
}

/* The string value of "name" in the header of a JWT ("" if absent). */
static void header_field(const char *jwt, const char *name, char *out, size_t cap)
{
    char hdr[1024], pat[64];
    const char *p, *e;

    jwt_header(jwt, hdr, sizeof(hdr));
    snprintf(pat, sizeof(pat), "\"%s\":\"", name);
    out[0] = '\0';
    if (!(p = strstr(hdr, pat)))
        return;
    p += strlen(pat);
    if ((e = strchr(p, '"')) != NULL && (size_t)(e - p) < cap) {
        memcpy(out, p, (size_t)(e - p));
        out[e - p] = '\0';
    }
}

/* jwt with `from` replaced by `to` in its claims, the signature kept
 * (free()). */
static char *with_claim_changed(const char *jwt, const char *from, const char *to)
{
    const char *d1 = strchr(jwt, '.'), *d2 = strrchr(jwt, '.'), *at;
    unsigned char *claims = NULL;
    char edited[4096], *enc = NULL, *out;
    size_t n = 0, off;

    REQUIRE(d1 && d2 && d1 < d2);
    REQUIRE(plex_base64url_decode(&claims, &n, d1 + 1, (size_t)(d2 - d1 - 1)) == 0);
    at = strstr((const char *)claims, from);
    REQUIRE(at != NULL && n - strlen(from) + strlen(to) < sizeof(edited));
    off = (size_t)(at - (const char *)claims);
    snprintf(edited, sizeof(edited), "%.*s%s%s", (int)off, (const char *)claims, to,
             at + strlen(from));
    plex_free(claims);
    REQUIRE(plex_base64url_encode(&enc, edited, strlen(edited)) == 0);
    n = (size_t)(d1 - jwt) + 1 + strlen(enc) + strlen(d2) + 1;
    REQUIRE((out = malloc(n)) != NULL);
    snprintf(out, n, "%.*s.%s%s", (int)(d1 - jwt), jwt, enc, d2);
    plex_free(enc);
    return out;
}

/* The keys plexsim publishes now (through the library). */
static char *keys_of(plex_client *c, size_t *len)
{
    char *jwks = NULL;

    CHECK_INT(plex_jwt_keys(&jwks, len, c), 0);
    REQUIRE(jwks != NULL);
    return jwks;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static int verify(const char *jwt, const char *jwks, size_t len, const plex_jwt_key *key,
                  plex_error *err)
{
    return plex_jwt_verify(NULL, jwt, jwks, len, plex_jwt_key_id(key), (int64_t)time(NULL), err);
}

static int user_get(plex_client *c, const char *token)
{
    plex_user *u = NULL;
    int rc;

    CHECK_INT(plex_client_set_token(c, token), 0);
    rc = plex_user_get(&u, c);
    if (rc == 0)
        CHECK(u && strcmp(u->username, "plexsim") == 0);
    plex_user_free(u);
    return rc;
}

static void test_rs256(void)
{
    sim s;
    plex_client *c;
    plex_jwt_key *key = NULL, *other = NULL;
    char *jwt, *jwks, *bad, *fresh = NULL, alg[32], kid[128], x[64], fake[512];
    const char *p;
    size_t len = 0, n;
    int64_t exp = 0, now;
    plex_error err;

    sim_start(&s, "--jwt-alg", "RS256", NULL);
    c = flow_client(s.url, "test-jwt-rs256");
    REQUIRE(plex_jwt_key_generate(&key) == 0 && plex_jwt_key_generate(&other) == 0);

    /* the keys: the Ed25519 key and the RSA key, as a JWK with n and e */
    jwks = keys_of(c, &len);
    CHECK_INT(count(jwks, "\"kty\":\"OKP\""), 1);
    CHECK_INT(count(jwks, "\"kty\":\"RSA\""), 1);
    CHECK_INT(count(jwks, "\"alg\":\"RS256\""), 1);
    CHECK(strstr(jwks, "\"e\":\"AQAB\"") != NULL);
    p = strstr(jwks, "\"n\":\"");
    REQUIRE(p != NULL);
    CHECK_INT(strcspn(p + 5, "\""), 342); /* 2048 bits, base64url without padding */

    /* the sign-in's Plex JWT is RS256, by the RSA key, for our key */
    jwt = flow_jwt_signin(&s, c, key);
    header_field(jwt, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "RS256");
    header_field(jwt, "kid", kid, sizeof(kid));
    CHECK_INT(strlen(kid), 43); /* an RFC 7638 thumbprint */
    CHECK(strcmp(kid, plex_jwt_key_id(key)) != 0);
    {
        char pat[160];
        snprintf(pat, sizeof(pat), "\"kid\":\"%s\",\"alg\":\"RS256\"", kid);
        CHECK(strstr(jwks, pat) != NULL);
    }
    n = strlen(strrchr(jwt, '.') + 1);
    CHECK_INT(n, 342); /* a 256-byte signature */
    now = (int64_t)time(NULL);
    CHECK_INT(plex_jwt_verify(&exp, jwt, jwks, len, plex_jwt_key_id(key), now, &err), 0);
    CHECK(exp >= now + 7 * 86400 - 5 && exp <= now + 7 * 86400 + 5);
    CHECK_INT(verify(jwt, jwks, len, other, &err), PLEX_EAUTH); /* another device's */
    CHECK(strstr(err.message, "another device key") != NULL);

    /* a tampered signature is refused, by the library and by plexsim */
    bad = strdup(jwt);
    REQUIRE(bad != NULL);
    n = strlen(bad);
    bad[n - 100] = bad[n - 100] == 'A' ? 'B' : 'A';
    CHECK_INT(verify(bad, jwks, len, key, &err), PLEX_EAUTH);
    CHECK(strstr(err.message, "signature does not verify (RS256 with a RSA key)") != NULL);
    CHECK_INT(user_get(c, bad), PLEX_EAUTH);
    CHECK_INT(plex_client_last_error(c)->http_status, 401);
    free(bad);
    /* ...and so are changed claims under the original signature */
    bad = with_claim_changed(jwt, "\"username\":\"plexsim\"", "\"username\":\"admin\"");
    CHECK_INT(verify(bad, jwks, len, key, &err), PLEX_EAUTH);
    CHECK(strstr(err.message, "signature does not verify") != NULL);
    free(bad);

    /* the kind of the key decides: an Ed25519 JWK under the RSA key's kid is
     * no key for an RS256 JWT; a key set without that kid neither */
    p = strstr(jwks, "\"x\":\"");
    REQUIRE(p != NULL && strcspn(p + 5, "\"") == 43);
    memcpy(x, p + 5, 43);
    x[43] = '\0';
    snprintf(fake, sizeof(fake),
             "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\"}]}", x,
             kid);
    CHECK_INT(verify(jwt, fake, strlen(fake), key, &err), PLEX_EAUTH);
    snprintf(fake, sizeof(fake),
             "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"k\"}]}", x);
    CHECK_INT(verify(jwt, fake, strlen(fake), key, &err), PLEX_EAUTH);
    CHECK(strstr(err.message, "not in the key set") != NULL);

    /* it works as a token; a refresh is RS256 too */
    CHECK_INT(user_get(c, jwt), 0);
    CHECK_INT(plex_jwt_refresh(&fresh, c, key, NULL), 0);
    REQUIRE(fresh != NULL);
    CHECK(strcmp(fresh, jwt) != 0);
    header_field(fresh, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "RS256");
    CHECK_INT(verify(fresh, jwks, len, key, &err), 0);
    CHECK_INT(user_get(c, fresh), 0);

    plex_free(fresh);
    plex_free(jwks);
    free(jwt);
    plex_jwt_key_free(key);
    plex_jwt_key_free(other);
    plex_client_free(c);
    sim_stop(&s);
}

static void test_switch(void)
{
    sim s;
    plex_client *c;
    plex_jwt_key *key = NULL;
    char *ed, *rs = NULL, *ed2 = NULL, *jwks0, *jwks1, *jwks2, alg[32];
    size_t len0 = 0, len1 = 0, len2 = 0;
    plex_error err;

    sim_start(&s, NULL); /* EdDSA, the default */
    c = flow_client(s.url, "test-jwt-switch");
    REQUIRE(plex_jwt_key_generate(&key) == 0);
    jwks0 = keys_of(c, &len0);
    CHECK_INT(count(jwks0, "\"kty\":"), 1);
    CHECK_INT(count(jwks0, "\"kty\":\"OKP\""), 1);
    ed = flow_jwt_signin(&s, c, key);
    header_field(ed, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "EdDSA");
    CHECK_INT(verify(ed, jwks0, len0, key, &err), 0);

    /* a bad algorithm changes nothing */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=rs256", NULL, NULL), 400);
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=HS256", NULL, NULL), 400);
    jwks1 = keys_of(c, &len1);
    CHECK_STR(jwks1, jwks0);
    plex_free(jwks1);

    /* EdDSA -> RS256: both keys listed; the earlier JWT still verifies and works */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=RS256", NULL, NULL), 200);
    jwks1 = keys_of(c, &len1);
    CHECK_INT(count(jwks1, "\"kty\":\"OKP\""), 1);
    CHECK_INT(count(jwks1, "\"kty\":\"RSA\""), 1);
    CHECK_INT(verify(ed, jwks1, len1, key, &err), 0);
    CHECK_INT(user_get(c, ed), 0);
    CHECK_INT(plex_jwt_refresh(&rs, c, key, NULL), 0);
    REQUIRE(rs != NULL);
    header_field(rs, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "RS256");
    CHECK_INT(verify(rs, jwks1, len1, key, &err), 0);
    CHECK_INT(verify(rs, jwks0, len0, key, &err), PLEX_EAUTH); /* the old key set lacks it */
    CHECK(strstr(err.message, "not in the key set") != NULL);
    CHECK_INT(user_get(c, rs), 0);
    /* switching again keeps the same RSA key */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=RS256", NULL, NULL), 200);
    jwks2 = keys_of(c, &len2);
    CHECK_STR(jwks2, jwks1);
    plex_free(jwks2);

    /* RS256 -> EdDSA: EdDSA again, and the RS256 JWT still verifies and works */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=EdDSA", NULL, NULL), 200);
    CHECK_INT(plex_jwt_refresh(&ed2, c, key, NULL), 0);
    REQUIRE(ed2 != NULL);
    header_field(ed2, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "EdDSA");
    jwks2 = keys_of(c, &len2);
    CHECK_STR(jwks2, jwks1);
    CHECK_INT(verify(ed2, jwks2, len2, key, &err), 0);
    CHECK_INT(verify(rs, jwks2, len2, key, &err), 0);
    CHECK_INT(user_get(c, rs), 0);
    plex_free(jwks2);

    /* /__sim/reset restores the boot algorithm (EdDSA) and keeps the keys */
    CHECK_INT(sim_control(&s, "POST", "/__sim/config?jwt_alg=RS256", NULL, NULL), 200);
    CHECK_INT(sim_control(&s, "POST", "/__sim/reset", NULL, NULL), 200);
    jwks2 = keys_of(c, &len2);
    CHECK_STR(jwks2, jwks1);
    plex_free(jwks2);
    plex_free(ed2);
    ed2 = flow_jwt_signin(&s, c, key);
    header_field(ed2, "alg", alg, sizeof(alg));
    CHECK_STR(alg, "EdDSA");
    CHECK_INT(verify(ed2, jwks1, len1, key, &err), 0);

    plex_free(ed2);
    plex_free(rs);
    plex_free(jwks0);
    plex_free(jwks1);
    free(ed);
    plex_jwt_key_free(key);
    plex_client_free(c);
    sim_stop(&s);
}

int main(void)
{
    plex_global_init();
    test_rs256();
    test_switch();
    plex_global_cleanup();
    return test_summary("test_jwt_rs256");
}

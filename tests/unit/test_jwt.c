/*
 * JWT pieces: base64url vectors (RFC 4648 §10), the RFC 8037 Ed25519
 * vectors (key, thumbprint, signature), sign/verify round trips, tampered
 * signatures, claim checks, JWKS lookup, PEM round trip, RS256 Plex JWTs.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/alloc.h"
#include "tv/jwt.h"
#include "plex/plex.h"
#include "test.h"

static void test_base64url(void)
{
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    size_t i;
    char *s = NULL;
    unsigned char *d = NULL;
    size_t n = 0;
    const unsigned char bin[] = {0xfb, 0xff, 0xfe};

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        CHECK_INT(plex_base64url_encode(&s, v[i].in, strlen(v[i].in)), 0);
        CHECK_STR(s, v[i].out);
        plex_free(s);
        CHECK_INT(plex_base64url_decode(&d, &n, v[i].out, strlen(v[i].out)), 0);
        CHECK_INT(n, strlen(v[i].in));
        CHECK(d && memcmp(d, v[i].in, n) == 0);
        plex_free(d);
    }
    CHECK_INT(plex_base64url_encode(&s, bin, 3), 0);
    CHECK_STR(s, "-__-"); /* the URL-safe alphabet */
    plex_free(s);
    CHECK_INT(plex_base64url_decode(&d, &n, "Zm8=", 4), 0); /* padding tolerated */
    CHECK_INT(n, 2);
    plex_free(d);
    CHECK_INT(plex_base64url_decode(&d, &n, "Zm+v", 4), PLEX_EPARSE); /* not base64url */
    CHECK_INT(plex_base64url_decode(&d, &n, "Z", 1), PLEX_EPARSE);
    CHECK_INT(plex_base64url_decode(&d, &n, "Zh", 2), PLEX_EPARSE); /* stray bits */
    CHECK(d == NULL);
}

/* RFC 8037 Appendix A. */
#define RFC_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC_KID "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
/* RFC 7638 §3.1: the example RSA key (n; e is AQAB) and its thumbprint */
#define RFC7638_N                                                                                  \
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"             \
    "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"             \
    "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"             \
    "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"             \
    "Cur-kEgU8awapJzKnqDKgw"
#define RFC7638_KID "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
#define RFC_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC_SIG                                                                                    \
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

/* A PKCS#8 PEM for a raw Ed25519 private key. */
static char *pem_of_raw(const unsigned char d[32])
{
    static const unsigned char prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                             0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    unsigned char der[48];
    char b64[80], *pem;
    int n;

    memcpy(der, prefix, 16);
    memcpy(der + 16, d, 32);
    n = EVP_EncodeBlock((unsigned char *)b64, der, 48);
    REQUIRE(n == 64);
    pem = malloc(200);
    REQUIRE(pem != NULL);
    snprintf(pem, 200, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
    return pem;
}

static void test_rfc8037(void)
{
    unsigned char *d = NULL, *sig = NULL;
    size_t n = 0, sn = 0;
    char *pem, *jwk = NULL, x[64];
    plex_jwt_key *k = NULL;
    EVP_PKEY *pk;
    EVP_MD_CTX *md;
    unsigned char out[64];
    size_t outlen = sizeof(out);
    plex__jwt j;
    const char *compact;

    REQUIRE(plex_base64url_decode(&d, &n, RFC_D, strlen(RFC_D)) == 0 && n == 32);
    pem = pem_of_raw(d);
    CHECK_INT(plex_jwt_key_from_pem(&k, pem, strlen(pem)), 0);
    REQUIRE(k != NULL);
    plex__jwt_key_x(k, x);
    CHECK_STR(x, RFC_X);
    CHECK_STR(plex_jwt_key_id(k), RFC_KID); /* A.3: the thumbprint */
    CHECK_INT(plex__jwk_thumbprint(x, RFC_X), 0);
    CHECK_STR(x, RFC_KID);
    CHECK_INT(plex__jwk_thumbprint_rsa(x, RFC7638_N, "AQAB"), 0);
    CHECK_STR(x, RFC7638_KID);
    CHECK_INT(plex_jwt_key_jwk(&jwk, k, 0), 0);
    CHECK_STR(jwk, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC_X "\",\"kid\":\"" RFC_KID
                   "\",\"alg\":\"EdDSA\"}");
    plex_free(jwk);

    /* A.4: Ed25519 is deterministic, so the signature is the RFC's */
    pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, 32);
    REQUIRE(pk != NULL);
    md = EVP_MD_CTX_new();
    REQUIRE(md != NULL);
    CHECK(EVP_DigestSignInit(md, NULL, NULL, NULL, pk) == 1);
    CHECK(EVP_DigestSign(md, out, &outlen, (const unsigned char *)RFC_INPUT, strlen(RFC_INPUT)) ==
          1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    REQUIRE(plex_base64url_decode(&sig, &sn, RFC_SIG, strlen(RFC_SIG)) == 0 && sn == 64);
    CHECK(outlen == 64 && memcmp(out, sig, 64) == 0);

    /* A.5: our verifier accepts it (the header has only alg) */
    memset(&j, 0, sizeof(j));
    strcpy(j.alg, "EdDSA");
    j.signing_len = strlen(RFC_INPUT);
    memcpy(j.sig, sig, 64);
    j.sig_len = 64;
    compact = RFC_INPUT;
    CHECK_INT(plex__jwt_check_sig(&j, compact, RFC_X), 0);
    j.sig[10] ^= 1;
    CHECK_INT(plex__jwt_check_sig(&j, compact, RFC_X), PLEX_EAUTH);

    plex_free(sig);
    plex_free(d);
    free(pem);
    plex_jwt_key_free(k);
}

static void test_pem_roundtrip(void)
{
    plex_jwt_key *a = NULL, *b = NULL;
    char *pem = NULL;

    CHECK_INT(plex_jwt_key_generate(&a), 0);
    REQUIRE(a != NULL);
    CHECK_INT((int)strlen(plex_jwt_key_id(a)), 43);
    CHECK_INT(plex_jwt_key_to_pem(a, &pem), 0);
    REQUIRE(pem != NULL);
    CHECK(strstr(pem, "BEGIN PRIVATE KEY") != NULL);
    CHECK_INT(plex_jwt_key_from_pem(&b, pem, strlen(pem)), 0);
    REQUIRE(b != NULL);
    CHECK_STR(plex_jwt_key_id(a), plex_jwt_key_id(b));
    plex_jwt_key_free(b);
    CHECK_INT(plex_jwt_key_from_pem(&b, "junk", 4), PLEX_EPARSE);
    CHECK(b == NULL);
    plex_free(pem);
    plex_jwt_key_free(a);
    plex_jwt_key_free(NULL);
}

/* A Plex-style JWT issued by `issuer` for device key id `thumb`. */
static char *issue(const plex_jwt_key *issuer, const char *iss, const char *aud, const char *thumb,
                   int64_t iat, int64_t exp)
{
    char claims[512], *out = NULL;
    int n = snprintf(claims, sizeof(claims),
                     "{\"aud\":\"%s\",\"iss\":\"%s\",\"thumbprint\":\"%s\",\"iat\":%lld,"
                     "\"exp\":%lld,\"user\":{\"id\":1}}",
                     aud, iss, thumb, (long long)iat, (long long)exp);
    REQUIRE(plex__jwt_sign_claims(&out, issuer, claims, (size_t)n) == 0);
    return out;
}

static void test_sign_verify(void)
{
    plex_jwt_key *plex = NULL, *dev = NULL, *other = NULL;
    char jwks[512], *jwt, *djwt = NULL, x[64];
    int64_t now = 1800000000, exp = 0;
    plex_error err;
    plex__jwt j;

    REQUIRE(plex_jwt_key_generate(&plex) == 0 && plex_jwt_key_generate(&dev) == 0 &&
            plex_jwt_key_generate(&other) == 0);
    plex__jwt_key_x(plex, x);
    snprintf(
        jwks, sizeof(jwks),
        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"AQAB\"},"
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\",\"alg\":\"EdDSA\"}]}",
        x, plex_jwt_key_id(plex));

    /* the device JWT: header and claims as PROTOCOL §6 says */
    CHECK_INT(plex_jwt_sign(&djwt, dev, "client-1", "nonce-1", "username,email", now, 300), 0);
    REQUIRE(djwt != NULL);
    CHECK(plex_jwt_is_jwt(djwt));
    CHECK_INT(plex__jwt_parse(&j, djwt, NULL), 0);
    CHECK_STR(j.kid, plex_jwt_key_id(dev));
    CHECK_STR(j.alg, "EdDSA");
    CHECK_STR(j.typ, "JWT");
    CHECK_STR(j.aud, "plex.tv");
    CHECK_STR(j.iss, "client-1");
    CHECK_STR(j.nonce, "nonce-1");
    CHECK_STR(j.scope, "username,email");
    CHECK_INT(j.iat, now);
    CHECK_INT(j.exp, now + 300);
    plex__jwt_key_x(dev, x);
    CHECK_INT(plex__jwt_check_sig(&j, djwt, x), 0);
    plex__jwt_key_x(other, x);
    CHECK_INT(plex__jwt_check_sig(&j, djwt, x), PLEX_EAUTH);
    plex_free(djwt);
    CHECK_INT(plex_jwt_sign(&djwt, dev, "", NULL, NULL, now, 300), PLEX_EINVALID);

    /* a good Plex JWT */
    jwt = issue(plex, "plex.tv", "plex.tv", plex_jwt_key_id(dev), now - 10, now + 7 * 86400);
    CHECK_INT(plex_jwt_verify(&exp, jwt, jwks, strlen(jwks), plex_jwt_key_id(dev), now, &err), 0);
    CHECK_INT(exp, now + 7 * 86400);
    CHECK_INT(plex_jwt_expiry(jwt, &exp), 0);
    CHECK_INT(exp, now + 7 * 86400);
    /* ...but not for another device */
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), plex_jwt_key_id(other), now, &err),
              PLEX_EAUTH);
    /* ...nor after it expired (exp still reported) */
    exp = 0;
    CHECK_INT(plex_jwt_verify(&exp, jwt, jwks, strlen(jwks), NULL, now + 8 * 86400, &err),
              PLEX_EAUTH);
    CHECK_INT(exp, now + 7 * 86400);
    CHECK(strstr(err.message, "expired") != NULL);
    /* tampered signature */
    {
        size_t n = strlen(jwt);
        jwt[n - 5] = jwt[n - 5] == 'A' ? 'B' : 'A';
        CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
        CHECK(strstr(err.message, "signature") != NULL);
    }
    plex_free(jwt);
    /* tampered claims: a different payload under the old signature */
    jwt = issue(plex, "plex.tv", "plex.tv", "t", now, now + 100);
    {
        char *a = issue(plex, "plex.tv", "plex.tv", "u", now, now + 100);
        char *d1 = strchr(jwt, '.'), *d2 = strchr(a, '.');
        memcpy(d1 + 1, d2 + 1, (size_t)(strchr(d2 + 1, '.') - d2 - 1));
        CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
        plex_free(a);
    }
    plex_free(jwt);
    /* wrong claims */
    jwt = issue(plex, "evil", "plex.tv", "t", now, now + 100);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
    plex_free(jwt);
    jwt = issue(plex, "plex.tv", "other.tv", "t", now, now + 100);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
    plex_free(jwt);
    jwt = issue(plex, "plex.tv", "plex.tv", "t", now + 3600, now + 7200);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
    plex_free(jwt);
    /* signed by a key the set does not have */
    jwt = issue(other, "plex.tv", "plex.tv", "t", now, now + 100);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
    CHECK_INT(plex_jwt_verify(NULL, jwt, "{\"keys\":7}", 10, NULL, now, &err), PLEX_EPARSE);
    plex_free(jwt);
    /* not JWTs */
    CHECK_INT(plex_jwt_verify(NULL, "a.b", jwks, strlen(jwks), NULL, now, &err), PLEX_EPARSE);
    CHECK_INT(plex_jwt_expiry("abc", &exp), PLEX_EPARSE);
    CHECK_INT(plex_jwt_expiry("e30.e30.AA", &exp), PLEX_EPARSE); /* {} has no exp */
    CHECK(!plex_jwt_is_jwt("plexsim-user-token-0001"));
    CHECK(!plex_jwt_is_jwt(NULL));

    plex_jwt_key_free(plex);
    plex_jwt_key_free(dev);
    plex_jwt_key_free(other);
}

static void test_alloc_failures(void)
{
    unsigned long i;

    for (i = 1; i < 40; i++) {
        plex_jwt_key *k = NULL;
        char *s = NULL;
        plex__alloc_fail_at(i);
        if (plex_jwt_key_generate(&k) == 0) {
            (void)plex_jwt_sign(&s, k, "c", "n", "s", 1, 1);
            plex_free(s);
            s = NULL;
            (void)plex_jwt_key_jwk(&s, k, 1);
            plex_free(s);
        }
        plex_jwt_key_free(k);
        plex__alloc_fail_at(0);
    }
    CHECK(1);
}

/* base64url of a BIGNUM parameter of an RSA key (n or e), after `pad`
 * zero bytes (which RFC 7518 forbids: a padded modulus must not pass for a
 * longer one). */
static char *bn_b64u_pad(const EVP_PKEY *k, const char *name, size_t pad)
{
    BIGNUM *bn = NULL;
    unsigned char buf[600] = {0};
    char *out = NULL;
    int n;

    REQUIRE(pad < 256 && EVP_PKEY_get_bn_param(k, name, &bn) == 1);
    n = BN_bn2bin(bn, buf + pad);
    BN_free(bn);
    REQUIRE(n > 0 && plex_base64url_encode(&out, buf, pad + (size_t)n) == 0);
    return out;
}

static char *bn_b64u(const EVP_PKEY *k, const char *name)
{
    return bn_b64u_pad(k, name, 0);
}

/* header.claims.signature with RS256 (SHA-256, PKCS#1 v1.5) by k. */
static char *rs256_jwt(EVP_PKEY *k, const char *header, const char *claims)
{
    char *h = NULL, *c = NULL, *sig64 = NULL, *out;
    unsigned char sig[600];
    size_t siglen = sizeof(sig), n;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    char signing[2048];

    REQUIRE(plex_base64url_encode(&h, header, strlen(header)) == 0);
    REQUIRE(plex_base64url_encode(&c, claims, strlen(claims)) == 0);
    snprintf(signing, sizeof(signing), "%s.%s", h, c);
    REQUIRE(md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
            EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing, strlen(signing)) == 1);
    EVP_MD_CTX_free(md);
    REQUIRE(plex_base64url_encode(&sig64, sig, siglen) == 0);
    n = strlen(signing) + 1 + strlen(sig64) + 1;
    out = malloc(n);
    REQUIRE(out != NULL);
    snprintf(out, n, "%s.%s", signing, sig64);
    plex_free(h);
    plex_free(c);
    plex_free(sig64);
    return out;
}

/* plex_jwt_verify's answer for a JWT with `header` signed RS256 by k. */
static int verify_rs256(EVP_PKEY *k, const char *header, const char *claims, const char *jwks,
                        int64_t now, plex_error *err)
{
    char *jwt = rs256_jwt(k, header, claims);
    int rc = plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, err);

    free(jwt);
    return rc;
}

/* Plex JWTs signed with RS256 by an RSA key in the published set verify;
 * alg/key mismatches, tampering and small keys do not. */
static void test_rs256(void)
{
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *small = EVP_RSA_gen(1024), *odd = EVP_RSA_gen(2047);
    char *n, *e, *sn, *se, *on, *pn, *jwt, claims[512], jwks[4096];
    plex_error err;
    int64_t now = 1700000000, exp = 0;

    REQUIRE(rsa != NULL && small != NULL && odd != NULL);
    n = bn_b64u(rsa, OSSL_PKEY_PARAM_RSA_N);
    e = bn_b64u(rsa, OSSL_PKEY_PARAM_RSA_E);
    sn = bn_b64u(small, OSSL_PKEY_PARAM_RSA_N);
    se = bn_b64u(small, OSSL_PKEY_PARAM_RSA_E);
    on = bn_b64u(odd, OSSL_PKEY_PARAM_RSA_N);            /* 2047 bits: 256 bytes too */
    pn = bn_b64u_pad(small, OSSL_PKEY_PARAM_RSA_N, 128); /* 1024 bits in 256 bytes */
    snprintf(jwks, sizeof(jwks),
             "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\",\"x\":\"%s\"},"
             "{\"kty\":\"RSA\",\"kid\":\"rsa\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"%s\","
             "\"e\":\"%s\"},{\"kty\":\"RSA\",\"kid\":\"small\",\"n\":\"%s\",\"e\":\"%s\"},"
             "{\"kty\":\"RSA\",\"kid\":\"odd\",\"n\":\"%s\",\"e\":\"%s\"},"
             "{\"kty\":\"RSA\",\"kid\":\"padded\",\"n\":\"%s\",\"e\":\"%s\"}]}",
             RFC_X, n, e, sn, se, on, e, pn, se);
    snprintf(claims, sizeof(claims),
             "{\"aud\":\"plex.tv\",\"iss\":\"plex.tv\",\"iat\":%lld,\"exp\":%lld,"
             "\"thumbprint\":\"our-kid\"}",
             (long long)now, (long long)now + 604800);

    jwt = rs256_jwt(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa\",\"typ\":\"JWT\"}", claims);
    CHECK_INT(plex_jwt_verify(&exp, jwt, jwks, strlen(jwks), "our-kid", now, &err), 0);
    CHECK(exp == now + 604800);
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), "another-kid", now, &err), PLEX_EAUTH);
    jwt[strlen(jwt) - 5] = jwt[strlen(jwt) - 5] == 'A' ? 'B' : 'A'; /* tampered signature */
    CHECK_INT(plex_jwt_verify(NULL, jwt, jwks, strlen(jwks), NULL, now, &err), PLEX_EAUTH);
    free(jwt);

    /* the header may not pick another algorithm for the RSA key ... */
    CHECK_INT(verify_rs256(rsa, "{\"alg\":\"EdDSA\",\"kid\":\"rsa\"}", claims, jwks, now, &err),
              PLEX_EAUTH);
    CHECK(strstr(err.message, "EdDSA with a RSA key") != NULL);
    /* ... nor RS256 for the Ed25519 key */
    CHECK_INT(verify_rs256(rsa, "{\"alg\":\"RS256\",\"kid\":\"ed\"}", claims, jwks, now, &err),
              PLEX_EAUTH);
    /* RSA keys below 2048 bits are refused, counted in bits (found by
     * fuzz_jwt: a 2047-bit modulus, or a zero-padded 1024-bit one, has 256
     * bytes too) */
    CHECK_INT(verify_rs256(small, "{\"alg\":\"RS256\",\"kid\":\"small\"}", claims, jwks, now, &err),
              PLEX_EAUTH);
    CHECK_INT(verify_rs256(odd, "{\"alg\":\"RS256\",\"kid\":\"odd\"}", claims, jwks, now, &err),
              PLEX_EAUTH);
    CHECK_INT(
        verify_rs256(small, "{\"alg\":\"RS256\",\"kid\":\"padded\"}", claims, jwks, now, &err),
        PLEX_EAUTH);

    plex_free(n);
    plex_free(e);
    plex_free(sn);
    plex_free(se);
    plex_free(on);
    plex_free(pn);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(small);
    EVP_PKEY_free(odd);
}

int main(void)
{
    test_base64url();
    test_rfc8037();
    test_pem_roundtrip();
    test_sign_verify();
    test_rs256();
    test_alloc_failures();
    return test_summary("test_jwt");
}

/*
 * Fuzz target for the JWT helpers (src/lib/jwt.c): plex_base64url_decode and
 * plex_base64url_encode, plex_jwt_is_jwt, plex_jwt_expiry, plex_jwt_verify
 * (with plex__jwt_parse and plex__jwks_find under it).
 *
 * Every input, as bytes:
 *   - base64url: decoding succeeds exactly when the text (trailing '='
 *     dropped) is alphabet-only, its length is not 1 mod 4 and the unused
 *     low bits of the last character are 0; then encoding gives the text
 *     back. Encoding the input gives alphabet-only text of the right length
 *     that decodes back to the input.
 *
 * Then one of two modes, by the first byte:
 *   'S' (signed): byte 1 picks the kid passed to plex_jwt_verify ('0' NULL,
 *     '1' our key id, else "other-kid"); the rest is the claims text, which
 *     the target signs with a fixed Ed25519 key. plex_jwt_verify against
 *     {"keys":[our JWK]} at NOW = 1700000000 must then agree with the claim
 *     rules (aud and iss "plex.tv", thumbprint = kid, iat and exp present,
 *     iat <= NOW + 60, exp > NOW), computed here from plex__jwt_parse.
 *   otherwise (raw): the text up to the first NUL is a JWT, the bytes after
 *     it a JWKS (empty: {"keys":[our JWK]}, so that a seed signed with the
 *     fixed key verifies and its mutations test the signature check).
 *     plex_jwt_is_jwt must match its definition; plex_jwt_expiry must agree
 *     with plex__jwt_parse; plex_jwt_verify must return a documented code,
 *     and succeed only for a JWT whose claims pass the rules.
 *
 * NOW is fixed: the claims' iat/exp are what the fuzzer moves around it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "jwt.h"
#include "plex/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1700000000)

/* A fixed key, so signatures (Ed25519 is deterministic) and corpora replay. */
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIOJE0kriYZy9WnZ3tvTDmXNAh1p3BbBcNW7b9TTzvbAl\n"
                              "-----END PRIVATE KEY-----\n";

static plex_jwt_key *key;
static char *jwks; /* {"keys":[our JWK]} */
static size_t jwks_len;

static void free_key(void)
{
    plex_jwt_key_free(key);
    free(jwks);
}

static void setup(void)
{
    char *jwk = NULL;

    if (key)
        return;
    FUZZ_CHECK(plex_jwt_key_from_pem(&key, key_pem, sizeof(key_pem) - 1) == 0, "fixed key");
    FUZZ_CHECK(plex_jwt_key_jwk(&jwk, key, 1) == 0, "JWK of the fixed key");
    jwks_len = strlen(jwk) + 12;
    jwks = malloc(jwks_len + 1);
    FUZZ_CHECK(jwks != NULL, "out of memory");
    memcpy(jwks, "{\"keys\":[", 9);
    memcpy(jwks + 9, jwk, strlen(jwk));
    memcpy(jwks + 9 + strlen(jwk), "]}", 3);
    jwks_len = strlen(jwks);
    plex_free(jwk);
    atexit(free_key);
}

static int b64u_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

static void check_base64url(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    unsigned char *dec = NULL, *dec2 = NULL;
    char *enc = NULL;
    size_t n = size, dlen = 0, dlen2 = 0;
    int rc, valid = 1;

    /* decode */
    while (n > 0 && s[n - 1] == '=')
        n--;
    for (size_t i = 0; i < n && valid; i++)
        valid = b64u_val((unsigned char)s[i]) >= 0;
    if (valid && n % 4 == 1)
        valid = 0;
    if (valid && n % 4 == 2)
        valid = (b64u_val((unsigned char)s[n - 1]) & 0xF) == 0;
    if (valid && n % 4 == 3)
        valid = (b64u_val((unsigned char)s[n - 1]) & 0x3) == 0;
    rc = plex_base64url_decode(&dec, &dlen, s, size);
    if (rc == PLEX_ENOMEM)
        return;
    FUZZ_CHECK(rc == 0 || rc == PLEX_EPARSE, "base64url decode: unexpected code");
    FUZZ_CHECK((rc == 0) == valid, "base64url decode accepts/refuses against the definition");
    if (rc == 0) {
        FUZZ_CHECK(dec != NULL && dlen == n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0),
                   "decoded length");
        FUZZ_CHECK(dec[dlen] == '\0', "decoded bytes not NUL-terminated");
        FUZZ_CHECK(plex_base64url_encode(&enc, dec, dlen) == 0, "re-encoding failed");
        FUZZ_CHECK(strlen(enc) == n && memcmp(enc, s, n) == 0,
                   "encode(decode(s)) is not s without its padding");
        plex_free(enc);
        enc = NULL;
    } else {
        FUZZ_CHECK(dec == NULL && dlen == 0, "outputs set after a failed decode");
    }
    plex_free(dec);

    /* encode */
    rc = plex_base64url_encode(&enc, data, size);
    if (rc == PLEX_ENOMEM)
        return;
    FUZZ_CHECK(rc == 0 && enc, "base64url encode failed");
    FUZZ_CHECK(strlen(enc) == size / 3 * 4 + (size % 3 ? size % 3 + 1 : 0), "encoded length");
    for (size_t i = 0; enc[i]; i++)
        FUZZ_CHECK(b64u_val((unsigned char)enc[i]) >= 0, "encoding outside the alphabet");
    rc = plex_base64url_decode(&dec2, &dlen2, enc, strlen(enc));
    FUZZ_CHECK(rc == 0 || rc == PLEX_ENOMEM, "an encoding does not decode");
    if (rc == 0)
        FUZZ_CHECK(dlen2 == size && (size == 0 || memcmp(dec2, data, size) == 0),
                   "decode(encode(b)) is not b");
    plex_free(dec2);
    plex_free(enc);
}

/* What plex_jwt_is_jwt promises: non-empty, base64url and exactly two dots. */
static int looks_like_jwt(const char *t)
{
    size_t dots = 0;

    if (!*t)
        return 0;
    for (; *t; t++) {
        if (*t == '.')
            dots++;
        else if (b64u_val((unsigned char)*t) < 0)
            return 0;
    }
    return dots == 2;
}

/* The claim rules of plex_jwt_verify (the signature aside). */
static int claims_pass(const plex__jwt *j, const char *kid)
{
    return strcmp(j->aud, "plex.tv") == 0 && strcmp(j->iss, "plex.tv") == 0 &&
           (!kid || strcmp(j->thumbprint, kid) == 0) && j->has_iat && j->has_exp &&
           j->iat <= NOW + 60 && j->exp > NOW;
}

/* Verify jwt against keys. With our JWKS the outcome is known exactly: the
 * header names our key, the signature checks with it, and the claims pass. */
static void check_verify(const char *jwt, const char *keys, size_t keys_len, const char *kid)
{
    plex__jwt *j = malloc(sizeof(*j));
    plex_error err;
    int64_t exp = INT64_MIN;
    int rc, prc;

    FUZZ_CHECK(j != NULL, "out of memory");
    prc = plex__jwt_parse(j, jwt, NULL);
    rc = plex_jwt_verify(&exp, jwt, keys, keys_len, kid, NOW, &err);
    FUZZ_CHECK(rc == 0 || rc == PLEX_EAUTH || rc == PLEX_EPARSE || rc == PLEX_ENOMEM,
               "plex_jwt_verify: undocumented code");
    if (rc != 0)
        FUZZ_CHECK(err.code == rc && err.message[0] != '\0', "error not recorded");
    if (prc != 0) {
        FUZZ_CHECK(rc == PLEX_EPARSE || rc == PLEX_ENOMEM, "verify accepts what parse refuses");
        FUZZ_CHECK(exp == INT64_MIN, "exp set for a JWT that does not parse");
    } else {
        FUZZ_CHECK(exp == (j->has_exp ? j->exp : INT64_MIN), "exp_out differs from the claims");
        if (rc == 0)
            FUZZ_CHECK(claims_pass(j, kid) && strcmp(j->alg, "EdDSA") == 0 && j->sig_len == 64,
                       "verify accepts a JWT whose header or claims break the rules");
        if (keys == jwks && rc != PLEX_ENOMEM) {
            char x[64];
            int good_sig;

            plex__jwt_key_x(key, x);
            good_sig = strcmp(j->kid, plex_jwt_key_id(key)) == 0 &&
                       plex__jwt_check_sig(j, jwt, x) == 0;
            FUZZ_CHECK((rc == 0) == (good_sig && claims_pass(j, kid)),
                       "verify disagrees with signature + claim rules");
            if (!good_sig)
                FUZZ_CHECK(rc == PLEX_EAUTH, "a bad signature or unknown kid is not PLEX_EAUTH");
        }
    }
    /* NULL arguments */
    FUZZ_CHECK(plex_jwt_verify(NULL, jwt, keys, keys_len, kid, NOW, NULL) == rc || rc == PLEX_ENOMEM,
               "the result depends on exp_out/err being NULL");
    FUZZ_CHECK(plex_jwt_verify(NULL, NULL, keys, keys_len, kid, NOW, NULL) == PLEX_EINVALID,
               "NULL jwt accepted");
    FUZZ_CHECK(plex_jwt_verify(NULL, jwt, NULL, 0, kid, NOW, NULL) == PLEX_EINVALID,
               "NULL jwks accepted");
    free(j);
}

static void check_text(const char *jwt)
{
    plex__jwt *j = malloc(sizeof(*j));
    int64_t exp = INT64_MIN;
    int rc, prc;

    FUZZ_CHECK(j != NULL, "out of memory");
    FUZZ_CHECK(plex_jwt_is_jwt(jwt) == looks_like_jwt(jwt), "plex_jwt_is_jwt");
    prc = plex__jwt_parse(j, jwt, NULL);
    rc = plex_jwt_expiry(jwt, &exp);
    FUZZ_CHECK(rc == 0 || rc == PLEX_EPARSE || rc == PLEX_ENOMEM, "plex_jwt_expiry: code");
    if (rc == 0) {
        FUZZ_CHECK(prc == 0 && j->has_exp && exp == j->exp, "expiry disagrees with the parse");
        FUZZ_CHECK(strchr(jwt, '.') && strchr(strchr(jwt, '.') + 1, '.') &&
                       !strchr(strchr(strchr(jwt, '.') + 1, '.') + 1, '.'),
                   "an accepted JWT does not have exactly two dots");
    } else if (rc == PLEX_EPARSE) {
        FUZZ_CHECK(prc != 0 || !j->has_exp, "expiry refuses a JWT with exp");
        FUZZ_CHECK(exp == INT64_MIN, "exp_out written on failure");
    }
    FUZZ_CHECK(plex_jwt_expiry(NULL, &exp) == PLEX_EINVALID, "NULL jwt accepted");
    FUZZ_CHECK(plex_jwt_expiry(jwt, NULL) == PLEX_EINVALID, "NULL exp_out accepted");
    FUZZ_CHECK(plex_jwt_is_jwt(NULL) == 0, "NULL is a JWT");
    free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    check_base64url(data, size);

    if (size >= 2 && data[0] == 'S') {
        const char *kid = data[1] == '0' ? NULL : data[1] == '1' ? plex_jwt_key_id(key) : "other-kid";
        char *jwt = NULL;
        int rc = plex__jwt_sign_claims(&jwt, key, (const char *)data + 2, size - 2);

        if (rc == 0) {
            FUZZ_CHECK(jwt && plex_jwt_is_jwt(jwt), "a signed JWT is not a JWT");
            check_text(jwt);
            check_verify(jwt, jwks, jwks_len, kid);
        } else {
            FUZZ_CHECK(jwt == NULL, "*out set after a failed signature");
        }
        plex_free(jwt);
    } else {
        const uint8_t *nul = memchr(data, 0, size);
        size_t jlen = nul ? (size_t)(nul - data) : size;
        char *jwt = malloc(jlen + 1);
        const char *keys = jwks;
        size_t keys_len = jwks_len;

        FUZZ_CHECK(jwt != NULL, "out of memory");
        memcpy(jwt, data, jlen);
        jwt[jlen] = '\0';
        if (nul && size - jlen - 1 > 0) {
            keys = (const char *)nul + 1;
            keys_len = size - jlen - 1;
        }
        check_text(jwt);
        check_verify(jwt, keys, keys_len, NULL);
        free(jwt);
    }
    return 0;
}

/*
 * Fuzz target for the JWT helpers (src/lib/jwt.c): plex_base64url_decode and
 * plex_base64url_encode, plex_jwt_is_jwt, plex_jwt_expiry, plex_jwt_verify
 * (with plex__jwt_parse, plex__jwks_find and plex__jwt_check_sig_jwk under
 * it), plex__jwt_sign_claims and plex__jwt_sign_rs256.
 *
 * Two fixed keys: Ed25519 (kid: its RFC 7638 thumbprint) and RSA-2048 (kid:
 * its RFC 7638 thumbprint, RSA_KID). KEYS is {"keys":[Ed25519 JWK, RSA JWK]}.
 *
 * The verification rules, as the API states them (checked below with
 * OpenSSL directly, not with jwt.c): plex_jwt_verify succeeds only when
 *   - the JWKS holds a key with the header's kid, and the key's kind alone
 *     decides the algorithm: an OKP/Ed25519 key verifies only alg "EdDSA",
 *     a 64-byte signature; an RSA key (modulus of at least 2048 bits) only
 *     alg "RS256" (RSASSA-PKCS1-v1_5 with SHA-256), a signature as long as
 *     the modulus; the signature checks over "header.claims" with that key;
 *   - the claims pass: aud and iss "plex.tv", thumbprint = kid (when a kid
 *     is given), iat and exp present, iat <= NOW + 60, exp > NOW.
 * A bad signature, an unknown kid or a key of the other kind is PLEX_EAUTH.
 *
 * Every input, as bytes:
 *   - base64url: decoding succeeds exactly when the text (trailing '='
 *     dropped) is alphabet-only, its length is not 1 mod 4 and the unused
 *     low bits of the last character are 0; then encoding gives the text
 *     back. Encoding the input gives alphabet-only text of the right length
 *     that decodes back to the input.
 *
 * Then one of two modes, by the first byte:
 *   'S' / 'R' (signed): byte 1 picks the kid passed to plex_jwt_verify ('0'
 *     NULL, '1' the Ed25519 key id, else "other-kid"); the rest is the
 *     claims text, which the target signs with the Ed25519 key (EdDSA, 'S')
 *     or the RSA key (RS256, 'R'). plex_jwt_verify against KEYS must then
 *     agree exactly with the rules. Cross-algorithm: the same JWT with its
 *     header rewritten to name the other key (kid), or the other algorithm
 *     (alg), fails against KEYS; and the JWT as signed fails against SWAPPED
 *     (the two keys with their kids exchanged, each entry holding both keys'
 *     members, so its kid names a key of the other kind whose entry also has
 *     the members that would verify it): PLEX_EAUTH, or PLEX_EPARSE when the
 *     claims do not parse.
 *   otherwise (raw): the text up to the first NUL is a JWT, the bytes after
 *     it a JWKS (empty: KEYS, so that a seed signed with a fixed key
 *     verifies, its mutations test the signature check and the outcome is
 *     exact). plex_jwt_is_jwt must match its definition; plex_jwt_expiry
 *     must agree with plex__jwt_parse; plex_jwt_verify must return a
 *     documented code: PLEX_EAUTH for a kid not in the JWKS or an alg that
 *     is not the kind of the key plex__jwks_find picks for the kid, and
 *     success only for a JWT that meets the rules against that key.
 *
 * NOW is fixed: the claims' iat/exp are what the fuzzer moves around it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "fuzz_check.h"
#include "tv/jwt.h"
#include "plex/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1700000000)

/* Fixed keys, so signatures (Ed25519 and RSASSA-PKCS1-v1_5 are
 * deterministic) and corpora replay. */
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIOJE0kriYZy9WnZ3tvTDmXNAh1p3BbBcNW7b9TTzvbAl\n"
                              "-----END PRIVATE KEY-----\n";

static const char rsa_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDK6bByavVolEOJ\n"
                              "HxjIG/7Zd2bnpsJs3B4FLHcblv2fo8dgf0DyzfvTHrhM4NXMXC+7Vkw0SQsQx6wp\n"
                              "ONQffrqKVIqpihYERd4hQBgian7+CaLlYMmbeGoXn+c4ly+tvE3KuC34sstWRyMb\n"
                              "nCyB5T5Opw3IqE/uHz49TIEZUUsOpwYbY293N+G89cQohXGRjbSkgutdWnutD3Ha\n"
                              "5F7qDXfytkoBlaYg+RS5yqYNPCJwvV7AWbAybTSUCeEjCA8IhAMG5fVEKwcNqPR2\n"
                              "v7vFIo8W34fMpPc/wnNSamzUJrpf3rp5RwNDSRY2aAudvdz1imcP6pdpr+RAQUOd\n"
                              "aDEBEaABAgMBAAECggEADM+elNq/VzSuUS34SyV96jKyi/oxogFKmH69n4jhfdov\n"
                              "lOeGLRdno/eJs0xOs02A/Nbujner1y46+PhwZ4XKgBucDHA1JxNWw4GEckfRS5wh\n"
                              "SL/bDP+F0z27jTH52TkWUotdMocSvk8wnorIi3HOYB6YiMNAzTmqnOC6g5qxML08\n"
                              "xjLTs2A1BV3ucQac6lfRML5QYgTBmX4Vu+hf3JSFCgAY00+7Z8RZdqdEJlW1wO3D\n"
                              "cwdQOrn2yBZEPNRcA1hdFwo11rs0QdYcgAmafil/VTVtgGx4LRntx/sOgKcY/CNm\n"
                              "g3VKdE+DKJa3PEO1o0KfPdVKDlP+wLqvPW4bPGONsQKBgQD9ZEKPfM8InAQ5rn55\n"
                              "oRycjjABWO2omQKx/ggQMkmgwmWTQLUQ9UZFrAOGonBsAFzzbYeCSsELES4s2JAo\n"
                              "X+8CVcGBQkY4Mqa0yM7PPloLj0Yj0tad1HnRsfiFPSL/FYDdjjELub7CTlm/rOZj\n"
                              "2KyJWEo9ZQEal2r1ckL7XrzziwKBgQDNAGg1VBLXlO9TUWAVHjctaA7kw6gH+HUp\n"
                              "uz/qJY05Y2cPSBurFgGSls0QyZtXtAD5ijoYkPRMLD8HkhguKb478nwl4xIx2otH\n"
                              "Uw6AEv+uEfbFJ/Z5focQu6a2LsMSzdxNalZ55TLAuHWKuOfmtDO6Z9WaGpTgfSgL\n"
                              "1j9Lim98IwKBgQDnL9ySsdrrDf3E6vG140sJg6lE8XAUjVYqM44DyP3oULUAPt90\n"
                              "03QECUdGRVqxDzu/VcV3GOE8SbaJcCVG0RBuXvOoDWGn0H7NHxGhgFADj/r8oFbz\n"
                              "tXJX4jrOxdLyTRpACoWxHw1ulrHH8eZaXsw8m3NQxKDXNCOAQXnfgrZ+tQKBgQCj\n"
                              "3JxvbBl3isvWHGih2LogKFonT6GjZV05kzwejA+bfLInS+sZ0QhGxRV7QrtR2kch\n"
                              "L/UKJ+uua3uiMIv1clZmEohbvGqRwO+tfl1L0GPhHujSZQQlzxZlMKmsXCp/gF+E\n"
                              "3efrnWH5HDiQPwbWqNnkORVLDc5Mtp3pAEMtvaUpYwKBgQCPrCr0zWNHr7WwjDHT\n"
                              "rEGJs6IP3WqsXO1QwX5odr0FT1la7FOuv9rF61TUlDpqqOmoO1xi2aHnGRYd/DSY\n"
                              "CRI0gJ7xD/Bx0kcOHwRxGQkkFQNv7iuph53Xc2cH1eiy72GRfuKSFfZtki3Xpq5W\n"
                              "As4vGO3+VN9Sc1ZWG+TI+Wq1XQ==\n"
                              "-----END PRIVATE KEY-----\n";

/* RFC 7638 thumbprint of the RSA key's public JWK: setup() checks it. */
#define RSA_KID "bi_UuDeU-UI29fBjxXnbLZ8lIE3s95xuVt5B_6fRKlM"

static plex_jwt_key *key;
static EVP_PKEY *ed_pkey, *rsa_pkey; /* the same keys, read by OpenSSL directly */
static char *jwks;                   /* KEYS: {"keys":[Ed25519 JWK, RSA JWK]} */
static size_t jwks_len;
static char *swapped; /* SWAPPED: the same keys, kids exchanged (see setup()) */
static size_t swapped_len;

static void free_keys(void)
{
    plex_jwt_key_free(key);
    EVP_PKEY_free(ed_pkey);
    EVP_PKEY_free(rsa_pkey);
    free(jwks);
    free(swapped);
}

static EVP_PKEY *read_pem(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pk;

    FUZZ_CHECK(bio != NULL, "out of memory");
    pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    FUZZ_CHECK(pk != NULL, "a fixed key does not read");
    return pk;
}

/* base64url of a big-endian RSA parameter of rsa_pkey, into a new string. */
static char *rsa_param(const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char raw[512];
    char *s = NULL;
    int n;

    FUZZ_CHECK(EVP_PKEY_get_bn_param(rsa_pkey, name, &bn) == 1, "RSA parameter");
    n = BN_bn2bin(bn, raw);
    FUZZ_CHECK(n > 0 && plex_base64url_encode(&s, raw, (size_t)n) == 0, "RSA parameter");
    BN_free(bn);
    return s;
}

/* The concatenation of the strings in parts (NULL-terminated), in a new string. */
static char *concat(size_t *len, const char *const *parts)
{
    size_t n = 0, i;
    char *s;

    for (i = 0; parts[i]; i++)
        n += strlen(parts[i]);
    FUZZ_CHECK((s = malloc(n + 1)) != NULL, "out of memory");
    for (n = 0, i = 0; parts[i]; i++) {
        memcpy(s + n, parts[i], strlen(parts[i]));
        n += strlen(parts[i]);
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

static void setup(void)
{
    char *ed_jwk = NULL, *n, *e, *tp, *tp_b64 = NULL, x[64], *jwt = NULL;
    unsigned char md[32];
    unsigned int mdlen = 0;
    size_t len;

    if (key)
        return;
    FUZZ_CHECK(plex_jwt_key_from_pem(&key, key_pem, sizeof(key_pem) - 1) == 0, "fixed key");
    FUZZ_CHECK(plex_jwt_key_jwk(&ed_jwk, key, 1) == 0, "JWK of the fixed key");
    ed_pkey = read_pem(key_pem, sizeof(key_pem) - 1);
    rsa_pkey = read_pem(rsa_pem, sizeof(rsa_pem) - 1);
    FUZZ_CHECK(EVP_PKEY_get_base_id(rsa_pkey) == EVP_PKEY_RSA &&
                   EVP_PKEY_get_bits(rsa_pkey) == 2048,
               "the fixed RSA key is not RSA-2048");
    n = rsa_param(OSSL_PKEY_PARAM_RSA_N);
    e = rsa_param(OSSL_PKEY_PARAM_RSA_E);

    /* RFC 7638 §3.2: required members, lexicographic order, no spaces */
    tp = concat(
        &len, (const char *const[]){"{\"e\":\"", e, "\",\"kty\":\"RSA\",\"n\":\"", n, "\"}", NULL});
    FUZZ_CHECK(EVP_Digest(tp, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32 &&
                   plex_base64url_encode(&tp_b64, md, mdlen) == 0 && strcmp(tp_b64, RSA_KID) == 0,
               "RSA_KID is not the RSA key's thumbprint");
    free(tp);
    plex_free(tp_b64);

    jwks = concat(&jwks_len,
                  (const char *const[]){
                      "{\"keys\":[", ed_jwk, ",{\"kty\":\"RSA\",\"n\":\"", n, "\",\"e\":\"", e,
                      "\",\"kid\":\"" RSA_KID "\",\"alg\":\"RS256\",\"use\":\"sig\"}]}", NULL});
    plex__jwt_key_x(key, x);
    /* Each entry carries both keys' members (x; n, e): only its kty says
     * which key it is, so a verifier that let the header's alg pick the
     * members would accept the JWT as signed. */
    swapped =
        concat(&swapped_len,
               (const char *const[]){"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"", x,
                                     "\",\"n\":\"", n, "\",\"e\":\"", e,
                                     "\",\"kid\":\"" RSA_KID "\"},{\"kty\":\"RSA\",\"crv\":"
                                     "\"Ed25519\",\"x\":\"",
                                     x, "\",\"n\":\"", n, "\",\"e\":\"", e, "\",\"kid\":\"",
                                     plex_jwt_key_id(key), "\"}]}", NULL});
    plex_free(ed_jwk);
    plex_free(n);
    plex_free(e);

    /* the RS256 signer takes only RSA keys, with a kid */
    FUZZ_CHECK(plex__jwt_sign_rs256(&jwt, ed_pkey, RSA_KID, "{}", 2) == PLEX_EINVALID && !jwt,
               "plex__jwt_sign_rs256 signs with an Ed25519 key");
    FUZZ_CHECK(plex__jwt_sign_rs256(&jwt, rsa_pkey, NULL, "{}", 2) == PLEX_EINVALID && !jwt,
               "plex__jwt_sign_rs256 signs without a kid");
    atexit(free_keys);
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
        FUZZ_CHECK(dec != NULL && dlen == n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0), "decoded length");
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

/* Whether sig checks over the len bytes of msg with pk (mdtype NULL: Ed25519). */
static int sig_checks(EVP_PKEY *pk, const EVP_MD *mdtype, const unsigned char *sig, size_t sig_len,
                      const char *msg, size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok;

    FUZZ_CHECK(md != NULL, "out of memory");
    ok = EVP_DigestVerifyInit(md, NULL, mdtype, NULL, pk) == 1 &&
         EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)msg, len) == 1;
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return ok;
}

enum key_kind { KEY_NONE, KEY_OKP, KEY_RSA };

/* Whether jwt (parsed into j) meets the rules for a key of that kind: the
 * algorithm is the key's, the signature as long as the key's, and it checks
 * over "header.claims" (read here from the text, not from j). */
static int meets_rules(const plex__jwt *j, const char *jwt, enum key_kind kind, EVP_PKEY *pk)
{
    const char *d2 = strrchr(jwt, '.');
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    int ok;

    FUZZ_CHECK(d2 != NULL, "a parsed JWT without dots");
    if (plex_base64url_decode(&sig, &sig_len, d2 + 1, strlen(d2 + 1)) != 0)
        return 0; /* out of memory: cannot tell */
    FUZZ_CHECK(sig_len == j->sig_len && memcmp(sig, j->sig, sig_len) == 0,
               "plex__jwt_parse: the signature bytes differ from the third part");
    if (kind == KEY_OKP)
        ok = strcmp(j->alg, "EdDSA") == 0 && sig_len == 64 &&
             sig_checks(pk, NULL, sig, sig_len, jwt, (size_t)(d2 - jwt));
    else if (kind == KEY_RSA)
        ok = strcmp(j->alg, "RS256") == 0 && EVP_PKEY_get_bits(pk) >= 2048 &&
             sig_len == (size_t)EVP_PKEY_get_size(pk) &&
             sig_checks(pk, EVP_sha256(), sig, sig_len, jwt, (size_t)(d2 - jwt));
    else
        ok = 0;
    plex_free(sig);
    return ok;
}

/* The public key of a JWK (as plex__jwks_find read it), or NULL. */
static EVP_PKEY *jwk_pkey(const plex__jwk *k, enum key_kind *kind)
{
    unsigned char *x = NULL, *n = NULL, *e = NULL;
    size_t xl = 0, nl = 0, el = 0;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;

    *kind = KEY_NONE;
    if (strcmp(k->kty, "OKP") == 0) {
        *kind = KEY_OKP;
        if (plex_base64url_decode(&x, &xl, k->x, strlen(k->x)) == 0 && xl == 32)
            pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
        plex_free(x);
    } else if (strcmp(k->kty, "RSA") == 0) {
        *kind = KEY_RSA;
        if (plex_base64url_decode(&n, &nl, k->n, strlen(k->n)) == 0 &&
            plex_base64url_decode(&e, &el, k->e, strlen(k->e)) == 0 &&
            (bn = BN_bin2bn(n, (int)nl, NULL)) != NULL &&
            (be = BN_bin2bn(e, (int)el, NULL)) != NULL && (bld = OSSL_PARAM_BLD_new()) != NULL &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1 &&
            (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
            (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
            EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pk = NULL;
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        BN_free(be);
        BN_free(bn);
        plex_free(n);
        plex_free(e);
    }
    ERR_clear_error();
    return pk;
}

/* Verify jwt against keys and check the outcome; returns the code, and sets
 * *parsed (if not NULL) to whether the JWT parses. With KEYS the outcome is
 * exact: the header's kid names one of the fixed keys, the JWT meets the
 * rules for it, and the claims pass. */
static int check_verify(const char *jwt, const char *keys, size_t keys_len, const char *kid,
                        int *parsed)
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
        if (keys == jwks && rc != PLEX_ENOMEM) {
            enum key_kind kind = KEY_NONE;
            EVP_PKEY *pk = NULL;
            int good_sig;

            if (strcmp(j->kid, plex_jwt_key_id(key)) == 0) {
                kind = KEY_OKP;
                pk = ed_pkey;
            } else if (strcmp(j->kid, RSA_KID) == 0) {
                kind = KEY_RSA;
                pk = rsa_pkey;
            }
            good_sig = meets_rules(j, jwt, kind, pk);
            FUZZ_CHECK((rc == 0) == (good_sig && claims_pass(j, kid)),
                       "verify disagrees with signature + claim rules");
            if (!good_sig)
                FUZZ_CHECK(rc == PLEX_EAUTH, "a bad signature, an unknown kid or an algorithm "
                                             "other than the key's is not PLEX_EAUTH");
        } else if (rc != PLEX_ENOMEM) {
            plex__jwk *k = malloc(sizeof(*k));
            int frc;

            FUZZ_CHECK(k != NULL, "out of memory");
            frc = plex__jwks_find(keys, keys_len, j->kid, k);
            if (frc == PLEX_ENOTFOUND) {
                FUZZ_CHECK(rc == PLEX_EAUTH, "a kid not in the key set is not PLEX_EAUTH");
            } else if (frc != 0) {
                FUZZ_CHECK(frc == PLEX_EPARSE && rc == PLEX_EPARSE,
                           "a key set that does not parse is not PLEX_EPARSE");
            } else {
                FUZZ_CHECK(strcmp(k->kty, "OKP") == 0 || strcmp(k->kty, "RSA") == 0,
                           "plex__jwks_find picks a key that is neither OKP nor RSA");
                if (strcmp(j->alg, strcmp(k->kty, "OKP") == 0 ? "EdDSA" : "RS256") != 0)
                    FUZZ_CHECK(rc == PLEX_EAUTH,
                               "a JWT whose alg is not its key's kind's "
                               "(EdDSA for OKP, RS256 for RSA) is not PLEX_EAUTH");
            }
            if (rc == 0) {
                enum key_kind kind;
                EVP_PKEY *pk = jwk_pkey(k, &kind);

                FUZZ_CHECK(pk != NULL, "verify accepts a JWT for a JWK that is not a key");
                FUZZ_CHECK(meets_rules(j, jwt, kind, pk),
                           "verify accepts a JWT whose algorithm, signature length or signature "
                           "is not its key's (or an RSA key below 2048 bits)");
                FUZZ_CHECK(claims_pass(j, kid),
                           "verify accepts a JWT whose claims break the rules");
                EVP_PKEY_free(pk);
            }
            free(k);
        }
    }
    /* NULL arguments */
    FUZZ_CHECK(plex_jwt_verify(NULL, jwt, keys, keys_len, kid, NOW, NULL) == rc ||
                   rc == PLEX_ENOMEM,
               "the result depends on exp_out/err being NULL");
    FUZZ_CHECK(plex_jwt_verify(NULL, NULL, keys, keys_len, kid, NOW, NULL) == PLEX_EINVALID,
               "NULL jwt accepted");
    FUZZ_CHECK(plex_jwt_verify(NULL, jwt, NULL, 0, kid, NOW, NULL) == PLEX_EINVALID,
               "NULL jwks accepted");
    free(j);
    if (parsed)
        *parsed = prc == 0;
    return rc;
}

/* jwt, which names a key of another kind than its algorithm's, or whose
 * signature was made with a key of another kind than the one its kid names
 * in keys, is refused: PLEX_EAUTH (PLEX_EPARSE if it does not parse). */
static void check_refused(const char *jwt, const char *keys, size_t keys_len, const char *kid,
                          const char *what)
{
    int parsed, rc = check_verify(jwt, keys, keys_len, kid, &parsed);

    if (rc == PLEX_ENOMEM)
        return;
    if (rc != (parsed ? PLEX_EAUTH : PLEX_EPARSE))
        fprintf(stderr, "jwt: %s\nverify: %d\n", jwt, rc);
    FUZZ_CHECK(rc == (parsed ? PLEX_EAUTH : PLEX_EPARSE), what);
}

/* jwt with its header replaced by {kid, alg, typ JWT}, in a new string. */
static char *with_header(const char *jwt, const char *kid, const char *alg)
{
    const char *hdr[] = {"{\"kid\":\"", kid, "\",\"alg\":\"", alg, "\",\"typ\":\"JWT\"}", NULL};
    char *h = concat(NULL, hdr), *h64 = NULL, *out;

    FUZZ_CHECK(plex_base64url_encode(&h64, h, strlen(h)) == 0, "out of memory");
    out = concat(NULL, (const char *const[]){h64, strchr(jwt, '.'), NULL});
    plex_free(h64);
    free(h);
    return out;
}

/* 'S' and 'R': sign the claims with the Ed25519 or the RSA key and verify. */
static void check_signed(const uint8_t *data, size_t size)
{
    int rs256 = data[0] == 'R';
    const char *kid = data[1] == '0' ? NULL : data[1] == '1' ? plex_jwt_key_id(key) : "other-kid";
    const char *own_kid = rs256 ? RSA_KID : plex_jwt_key_id(key);
    const char *other_kid = rs256 ? plex_jwt_key_id(key) : RSA_KID;
    const char *own_alg = rs256 ? "RS256" : "EdDSA", *other_alg = rs256 ? "EdDSA" : "RS256";
    const char *claims = (const char *)data + 2;
    plex__jwt *j;
    char *jwt = NULL, *v;
    int rc;

    if (rs256)
        rc = plex__jwt_sign_rs256(&jwt, rsa_pkey, RSA_KID, claims, size - 2);
    else
        rc = plex__jwt_sign_claims(&jwt, key, claims, size - 2);
    if (rc == PLEX_ENOMEM) {
        FUZZ_CHECK(jwt == NULL, "*out set after a failed signature");
        return;
    }
    FUZZ_CHECK(rc == 0 && jwt && plex_jwt_is_jwt(jwt),
               "signing failed, or a signed JWT is not a JWT");
    FUZZ_CHECK((j = malloc(sizeof(*j))) != NULL, "out of memory");
    if (plex__jwt_parse(j, jwt, NULL) == 0)
        FUZZ_CHECK(strcmp(j->kid, own_kid) == 0 && strcmp(j->alg, own_alg) == 0 &&
                       strcmp(j->typ, "JWT") == 0 && j->sig_len == (rs256 ? 256u : 64u),
                   "the signed header is not {kid, alg, typ JWT}, or the signature's length");
    free(j);
    check_text(jwt);
    check_verify(jwt, jwks, jwks_len, kid, NULL);

    /* cross-algorithm: the key's kind decides, never the header alone */
    v = with_header(jwt, other_kid, own_alg);
    check_refused(v, jwks, jwks_len, kid, "a JWT whose kid names a key of the other kind verifies");
    free(v);
    v = with_header(jwt, own_kid, other_alg);
    check_refused(v, jwks, jwks_len, kid, "a JWT whose alg is not its key's verifies");
    free(v);
    check_refused(jwt, swapped, swapped_len, kid,
                  "a JWT signed with one kind of key verifies with a key of the other kind");
    plex_free(jwt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    check_base64url(data, size);

    if (size >= 2 && (data[0] == 'S' || data[0] == 'R')) {
        check_signed(data, size);
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
        check_verify(jwt, keys, keys_len, NULL, NULL);
        free(jwt);
    }
    return 0;
}

/*
 * Ed25519 keys, base64url, JWK thumbprints, signing and verifying compact
 * JWTs (RFC 7515/7519, EdDSA per RFC 8037; RS256 per RFC 7518 to verify
 * Plex JWTs, and to sign them for plexsim). The crypto is OpenSSL's
 * libcrypto; JSON goes through the project's reader and writer.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "jwt.h"

struct plex_jwt_key {
    EVP_PKEY *pkey;
    char x[64];   /* public key, base64url */
    char kid[64]; /* RFC 7638 thumbprint */
};

/* ---- base64url ---- */

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64u_put(char *dst, const unsigned char *src, size_t len)
{
    size_t i, o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8 | src[i + 2];
        dst[o++] = b64u[v >> 18 & 63];
        dst[o++] = b64u[v >> 12 & 63];
        dst[o++] = b64u[v >> 6 & 63];
        dst[o++] = b64u[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)src[i] << 16;
        dst[o++] = b64u[v >> 18 & 63];
        dst[o++] = b64u[v >> 12 & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8;
        dst[o++] = b64u[v >> 18 & 63];
        dst[o++] = b64u[v >> 12 & 63];
        dst[o++] = b64u[v >> 6 & 63];
    }
    dst[o] = '\0';
}

static size_t b64u_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

int plex_base64url_encode(char **out, const void *data, size_t len)
{
    char *s;

    if (!out || (!data && len))
        return PLEX_EINVALID;
    *out = NULL;
    if (len > ((size_t)-1) / 2)
        return PLEX_ENOMEM;
    if (!(s = plex__malloc(b64u_len(len) + 1)))
        return PLEX_ENOMEM;
    b64u_put(s, data, len);
    *out = s;
    return 0;
}

static int b64u_val(int c)
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

/* Decode into dst (room for n * 3 / 4 + 1 bytes); -1 on bad input. */
static int b64u_get(unsigned char *dst, size_t *dlen, const char *s, size_t n)
{
    size_t i, o = 0;
    unsigned acc = 0;
    int bits = 0;

    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -1;
    for (i = 0; i < n; i++) {
        int v = b64u_val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            dst[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return -1; /* non-canonical trailing bits */
    *dlen = o;
    return 0;
}

int plex_base64url_decode(unsigned char **out, size_t *out_len, const char *s, size_t n)
{
    unsigned char *d;
    size_t len = 0;

    if (!out || !out_len || (!s && n))
        return PLEX_EINVALID;
    *out = NULL;
    *out_len = 0;
    if (!(d = plex__malloc(n / 4 * 3 + 3)))
        return PLEX_ENOMEM;
    if (b64u_get(d, &len, s, n) != 0) {
        plex__free(d);
        return PLEX_EPARSE;
    }
    d[len] = 0;
    *out = d;
    *out_len = len;
    return 0;
}

/* ---- keys ---- */

/* SHA-256 of a JWK's canonical JSON (n bytes from snprintf), base64url. */
static int thumbprint_of(char out[64], const char *json, int n, size_t cap)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (n < 0 || (size_t)n >= cap)
        return PLEX_EINVALID;
    if (EVP_Digest(json, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return PLEX_ERROR;
    b64u_put(out, md, mdlen);
    return 0;
}

/* RFC 7638 §3.2: the required members, lexicographic order, no spaces. */
int plex__jwk_thumbprint(char out[64], const char *x_b64)
{
    char json[128];
    int n =
        snprintf(json, sizeof(json), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x_b64);

    return thumbprint_of(out, json, n, sizeof(json));
}

int plex__jwk_thumbprint_rsa(char out[64], const char *n_b64, const char *e_b64)
{
    char json[768];
    int n =
        snprintf(json, sizeof(json), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e_b64, n_b64);

    return thumbprint_of(out, json, n, sizeof(json));
}

static int key_wrap(plex_jwt_key **out, EVP_PKEY *pkey)
{
    plex_jwt_key *k;
    unsigned char raw[32];
    size_t rawlen = sizeof(raw);

    if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 || rawlen != 32) {
        EVP_PKEY_free(pkey);
        return PLEX_EPARSE;
    }
    if (!(k = plex__calloc(1, sizeof(*k)))) {
        EVP_PKEY_free(pkey);
        return PLEX_ENOMEM;
    }
    k->pkey = pkey;
    b64u_put(k->x, raw, rawlen);
    if (plex__jwk_thumbprint(k->kid, k->x) != 0) {
        plex_jwt_key_free(k);
        return PLEX_ERROR;
    }
    *out = k;
    return 0;
}

int plex_jwt_key_generate(plex_jwt_key **out)
{
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *pkey = NULL;
    int ok;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!(ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)))
        return PLEX_ERROR;
    ok = EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &pkey) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        EVP_PKEY_free(pkey);
        return PLEX_ERROR;
    }
    return key_wrap(out, pkey);
}

int plex_jwt_key_from_pem(plex_jwt_key **out, const char *pem, size_t len)
{
    BIO *bio;
    EVP_PKEY *pkey;

    if (!out || !pem || len > 65536)
        return PLEX_EINVALID;
    *out = NULL;
    if (!(bio = BIO_new_mem_buf(pem, (int)len)))
        return PLEX_ENOMEM;
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pkey)
        return PLEX_EPARSE;
    if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return PLEX_EPARSE;
    }
    return key_wrap(out, pkey);
}

int plex_jwt_key_to_pem(const plex_jwt_key *key, char **out)
{
    BIO *bio;
    char *data = NULL;
    long n;
    int rc = 0;

    if (!key || !out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!(bio = BIO_new(BIO_s_mem())))
        return PLEX_ENOMEM;
    if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
        (n = BIO_get_mem_data(bio, &data)) <= 0)
        rc = PLEX_ERROR;
    else if (!(*out = plex__strndup(data, (size_t)n)))
        rc = PLEX_ENOMEM;
    BIO_free(bio);
    return rc;
}

const char *plex_jwt_key_id(const plex_jwt_key *key)
{
    return key ? key->kid : NULL;
}

void plex__jwt_key_x(const plex_jwt_key *key, char out[64])
{
    memcpy(out, key->x, sizeof(key->x));
}

int plex_jwt_key_jwk(char **out, const plex_jwt_key *key, int use_sig)
{
    plex__buf b = {0};
    plex__json_writer w;

    if (!out || !key)
        return PLEX_EINVALID;
    *out = NULL;
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "kty");
    plex__jw_string(&w, "OKP");
    plex__jw_key(&w, "crv");
    plex__jw_string(&w, "Ed25519");
    plex__jw_key(&w, "x");
    plex__jw_string(&w, key->x);
    plex__jw_key(&w, "kid");
    plex__jw_string(&w, key->kid);
    plex__jw_key(&w, "alg");
    plex__jw_string(&w, "EdDSA");
    if (use_sig) {
        plex__jw_key(&w, "use");
        plex__jw_string(&w, "sig");
    }
    plex__jw_object_end(&w);
    return plex__buf_detach(&b, out);
}

int plex__jwt_key_ref(plex_jwt_key **out, const plex_jwt_key *key)
{
    plex_jwt_key *k = plex__malloc(sizeof(*k));

    if (!k)
        return PLEX_ENOMEM;
    if (EVP_PKEY_up_ref(key->pkey) != 1) {
        plex__free(k);
        return PLEX_ERROR;
    }
    *k = *key;
    *out = k;
    return 0;
}

void plex_jwt_key_free(plex_jwt_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    plex__free(key);
}

/* ---- signing ---- */

/* "header.claims.signature": header {kid, alg, typ JWT}, signed with pkey
 * (md NULL for EdDSA, SHA-256 for RS256). */
static int sign_compact(char **out, EVP_PKEY *pkey, const EVP_MD *mdtype, const char *kid,
                        const char *alg, const char *claims, size_t len)
{
    plex__buf hdr = {0}, b = {0};
    plex__json_writer w;
    EVP_MD_CTX *md;
    unsigned char sig[512];
    size_t siglen = sizeof(sig), at;
    int ok;

    *out = NULL;
    plex__jw_init(&w, &hdr);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "kid");
    plex__jw_string(&w, kid);
    plex__jw_key(&w, "alg");
    plex__jw_string(&w, alg);
    plex__jw_key(&w, "typ");
    plex__jw_string(&w, "JWT");
    plex__jw_object_end(&w);
    if (hdr.err) {
        plex__buf_dispose(&hdr);
        return hdr.err;
    }
    plex__buf_grow(&b, b64u_len(hdr.len) + b64u_len(len) + 2 + b64u_len(sizeof(sig)) + 1);
    if (b.err) {
        plex__buf_dispose(&hdr);
        return b.err;
    }
    b64u_put(b.ptr, (const unsigned char *)hdr.ptr, hdr.len);
    b.len = strlen(b.ptr);
    plex__buf_dispose(&hdr);
    b.ptr[b.len++] = '.';
    b64u_put(b.ptr + b.len, (const unsigned char *)claims, len);
    b.len += strlen(b.ptr + b.len);
    at = b.len;
    if (!(md = EVP_MD_CTX_new())) {
        plex__buf_dispose(&b);
        return PLEX_ENOMEM;
    }
    ok = EVP_DigestSignInit(md, NULL, mdtype, NULL, pkey) == 1 &&
         EVP_DigestSign(md, sig, &siglen, (const unsigned char *)b.ptr, at) == 1 &&
         siglen == (size_t)EVP_PKEY_get_size(pkey);
    EVP_MD_CTX_free(md);
    if (!ok) {
        plex__buf_dispose(&b);
        return PLEX_ERROR;
    }
    b.ptr[b.len++] = '.';
    b64u_put(b.ptr + b.len, sig, siglen);
    b.len += strlen(b.ptr + b.len);
    return plex__buf_detach(&b, out);
}

int plex__jwt_sign_claims(char **out, const plex_jwt_key *key, const char *claims, size_t len)
{
    if (!out || !key || !claims)
        return PLEX_EINVALID;
    return sign_compact(out, key->pkey, NULL, key->kid, "EdDSA", claims, len);
}

int plex__jwt_sign_rs256(char **out, struct evp_pkey_st *rsa, const char *kid, const char *claims,
                         size_t len)
{
    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!rsa || !kid || !claims || EVP_PKEY_get_base_id(rsa) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bits(rsa) < 2048 || EVP_PKEY_get_size(rsa) > 512)
        return PLEX_EINVALID;
    return sign_compact(out, rsa, EVP_sha256(), kid, "RS256", claims, len);
}

int plex_jwt_sign(char **out, const plex_jwt_key *key, const char *client_id, const char *nonce,
                  const char *scope, int64_t now, int64_t ttl)
{
    plex__buf b = {0};
    plex__json_writer w;
    int rc;

    if (!out || !key || !client_id || !*client_id || ttl <= 0 || now > INT64_MAX - ttl)
        return PLEX_EINVALID;
    *out = NULL;
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "aud");
    plex__jw_string(&w, "plex.tv");
    plex__jw_key(&w, "iss");
    plex__jw_string(&w, client_id);
    plex__jw_key(&w, "iat");
    plex__jw_int(&w, now);
    plex__jw_key(&w, "exp");
    plex__jw_int(&w, now + ttl);
    if (nonce) {
        plex__jw_key(&w, "nonce");
        plex__jw_string(&w, nonce);
    }
    if (scope) {
        plex__jw_key(&w, "scope");
        plex__jw_string(&w, scope);
    }
    plex__jw_object_end(&w);
    if (b.err) {
        rc = b.err;
        plex__buf_dispose(&b);
        return rc;
    }
    rc = plex__jwt_sign_claims(out, key, b.ptr, b.len);
    plex__buf_dispose(&b);
    return rc;
}

/* ---- flat JSON objects ---- */

static int read_members(plex__json_reader *r, const char *buf, const plex__jfield *f, size_t n)
{
    for (;;) {
        plex__json_token k, v;
        size_t i;

        if (plex__json_next_member(r, &k, &v))
            return PLEX_EPARSE;
        if (k.type == PLEX__JSON_OBJECT_END)
            return 0;
        for (i = 0; i < n; i++) {
            if (plex__json_key_eq(buf, &k, f[i].name, strlen(f[i].name)))
                break;
        }
        if (i < n && f[i].str && v.type == PLEX__JSON_STRING) {
            size_t len = v.end - v.start;
            if (len >= f[i].cap)
                return PLEX_EPARSE;
            len = plex__json_unescape(buf, &v, f[i].str);
            if (memchr(f[i].str, '\0', len))
                return PLEX_EPARSE;
            f[i].str[len] = '\0';
            if (f[i].seen)
                *f[i].seen = 1;
        } else if (i < n && f[i].num && v.type == PLEX__JSON_NUMBER) {
            if (plex__json_int64(buf, &v, f[i].num) != 0)
                return PLEX_EPARSE;
            if (f[i].seen)
                *f[i].seen = 1;
        } else if (i < n || plex__json_skip(r, &v)) {
            return PLEX_EPARSE; /* a known member of the wrong type, or bad JSON */
        }
    }
}

int plex__json_flat(const char *buf, size_t len, const char *member, const plex__jfield *fields,
                    size_t n)
{
    plex__json_reader r;
    plex__json_token t, k, v;
    size_t i;

    for (i = 0; i < n; i++) {
        if (fields[i].str && fields[i].cap)
            fields[i].str[0] = '\0';
        if (fields[i].seen)
            *fields[i].seen = 0;
    }
    plex__json_reader_init(&r, buf, len);
    if (plex__json_next(&r, &t) || t.type != PLEX__JSON_OBJECT_BEGIN)
        return PLEX_EPARSE;
    if (!member)
        return read_members(&r, buf, fields, n);
    for (;;) {
        if (plex__json_next_member(&r, &k, &v) || k.type == PLEX__JSON_OBJECT_END)
            return PLEX_EPARSE;
        if (plex__json_key_eq(buf, &k, member, strlen(member)))
            return v.type == PLEX__JSON_OBJECT_BEGIN ? read_members(&r, buf, fields, n)
                                                     : PLEX_EPARSE;
        if (plex__json_skip(&r, &v))
            return PLEX_EPARSE;
    }
}

int plex__jwks_find(const char *jwks, size_t len, const char *kid, plex__jwk *out)
{
    plex__json_reader r;
    plex__json_token t, k, v;
    char crv[16], id[128];
    plex__jfield f[] = {
        {"kty", out->kty, sizeof(out->kty), NULL, NULL}, {"crv", crv, sizeof(crv), NULL, NULL},
        {"x", out->x, sizeof(out->x), NULL, NULL},       {"n", out->n, sizeof(out->n), NULL, NULL},
        {"e", out->e, sizeof(out->e), NULL, NULL},       {"kid", id, sizeof(id), NULL, NULL},
    };

    plex__json_reader_init(&r, jwks, len);
    if (plex__json_next(&r, &t) || t.type != PLEX__JSON_OBJECT_BEGIN)
        return PLEX_EPARSE;
    for (;;) {
        if (plex__json_next_member(&r, &k, &v) || k.type == PLEX__JSON_OBJECT_END)
            return PLEX_EPARSE;
        if (plex__json_key_eq(jwks, &k, "keys", 4))
            break;
        if (plex__json_skip(&r, &v))
            return PLEX_EPARSE;
    }
    if (v.type != PLEX__JSON_ARRAY_BEGIN)
        return PLEX_EPARSE;
    for (;;) {
        size_t i;

        if (plex__json_next(&r, &t))
            return PLEX_EPARSE;
        if (t.type == PLEX__JSON_ARRAY_END)
            return PLEX_ENOTFOUND;
        if (t.type != PLEX__JSON_OBJECT_BEGIN)
            return PLEX_EPARSE;
        for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
            f[i].str[0] = '\0';
        if (read_members(&r, jwks, f, sizeof(f) / sizeof(f[0])))
            return PLEX_EPARSE;
        if (strcmp(id, kid) != 0)
            continue;
        if (strcmp(out->kty, "OKP") == 0 && strcmp(crv, "Ed25519") == 0 && strlen(out->x) == 43)
            return 0;
        if (strcmp(out->kty, "RSA") == 0 && out->n[0] && out->e[0])
            return 0;
    }
}

/* ---- parsing and verifying ---- */

static int decode_part(const char *s, size_t n, char *dst, size_t cap, size_t *len)
{
    if (n / 4 * 3 + 3 > cap)
        return -1;
    return b64u_get((unsigned char *)dst, len, s, n);
}

int plex__jwt_parse(plex__jwt *j, const char *jwt, plex_error *err)
{
    const char *d1, *d2;
    size_t n, len;
    char part[PLEX__JWT_MAX];
    plex__jfield hf[] = {
        {"kid", j->kid, sizeof(j->kid), NULL, NULL},
        {"alg", j->alg, sizeof(j->alg), NULL, NULL},
        {"typ", j->typ, sizeof(j->typ), NULL, NULL},
    };
    plex__jfield cf[] = {
        {"iss", j->iss, sizeof(j->iss), NULL, NULL},
        {"aud", j->aud, sizeof(j->aud), NULL, NULL},
        {"thumbprint", j->thumbprint, sizeof(j->thumbprint), NULL, NULL},
        {"nonce", j->nonce, sizeof(j->nonce), NULL, NULL},
        {"scope", j->scope, sizeof(j->scope), NULL, NULL},
        {"sub", j->sub, sizeof(j->sub), NULL, NULL},
        {"iat", NULL, 0, &j->iat, &j->has_iat},
        {"exp", NULL, 0, &j->exp, &j->has_exp},
    };

    memset(j, 0, sizeof(*j));
    if (!jwt || (n = strlen(jwt)) > PLEX__JWT_MAX || !(d1 = memchr(jwt, '.', n)) ||
        !(d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - jwt))) ||
        memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - jwt)))
        return plex__error_set(err, PLEX_EPARSE, "not a JWT (three dot-separated parts)");
    if (decode_part(jwt, (size_t)(d1 - jwt), part, sizeof(part), &len) != 0 ||
        plex__json_flat(part, len, NULL, hf, sizeof(hf) / sizeof(hf[0])) != 0)
        return plex__error_set(err, PLEX_EPARSE, "the JWT header is not base64url JSON");
    if (decode_part(d1 + 1, (size_t)(d2 - d1 - 1), part, sizeof(part), &len) != 0 ||
        plex__json_flat(part, len, NULL, cf, sizeof(cf) / sizeof(cf[0])) != 0)
        return plex__error_set(err, PLEX_EPARSE, "the JWT claims are not base64url JSON");
    if (decode_part(d2 + 1, n - (size_t)(d2 + 1 - jwt), part, sizeof(part), &len) != 0 ||
        len > sizeof(j->sig))
        return plex__error_set(err, PLEX_EPARSE, "the JWT signature is not base64url");
    memcpy(j->sig, part, len);
    j->sig_len = len;
    j->signing_len = (size_t)(d2 - jwt);
    return 0;
}

/* An RSA public key from the base64url modulus and exponent of a JWK. */
static EVP_PKEY *rsa_key(const char *n_b64, const char *e_b64)
{
    unsigned char n[513], e[9];
    size_t nl = 0, el = 0;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    if (strlen(n_b64) > 684 || strlen(e_b64) > 11 || b64u_get(n, &nl, n_b64, strlen(n_b64)) != 0 ||
        b64u_get(e, &el, e_b64, strlen(e_b64)) != 0 || nl == 0 || n[0] == 0 || el == 0 ||
        e[0] == 0) /* RFC 7518 6.3.1: no leading zeros */
        return NULL;
    /* RSA keys below 2048 bits are refused: counted in bits of the modulus
     * (a 2041-bit modulus has 256 bytes too) */
    if ((bn = BN_bin2bn(n, (int)nl, NULL)) != NULL && BN_num_bits(bn) >= 2048 &&
        (be = BN_bin2bn(e, (int)el, NULL)) != NULL && (bld = OSSL_PARAM_BLD_new()) != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(be);
    BN_free(bn);
    return pkey;
}

int plex__jwt_check_sig_jwk(const plex__jwt *j, const char *jwt, const plex__jwk *k)
{
    EVP_PKEY *pkey;
    EVP_MD_CTX *md;
    int ok = 0;

    if (strcmp(k->kty, "OKP") == 0)
        return plex__jwt_check_sig(j, jwt, k->x); /* it insists on alg EdDSA */
    /* RSA: only RS256, never an algorithm the header picks for a key of another kind */
    if (strcmp(k->kty, "RSA") != 0 || strcmp(j->alg, "RS256") != 0 || !(pkey = rsa_key(k->n, k->e)))
        return PLEX_EAUTH;
    if ((md = EVP_MD_CTX_new()) != NULL) {
        ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
             EVP_DigestVerify(md, j->sig, j->sig_len, (const unsigned char *)jwt, j->signing_len) ==
                 1;
        EVP_MD_CTX_free(md);
    }
    EVP_PKEY_free(pkey);
    return ok ? 0 : PLEX_EAUTH;
}

int plex__jwt_check_sig(const plex__jwt *j, const char *jwt, const char *x_b64)
{
    unsigned char raw[48];
    size_t rawlen = 0;
    EVP_PKEY *pkey;
    EVP_MD_CTX *md;
    int ok = 0;

    if (strcmp(j->alg, "EdDSA") != 0 || j->sig_len != 64 || !x_b64 || strlen(x_b64) != 43 ||
        b64u_get(raw, &rawlen, x_b64, 43) != 0 || rawlen != 32)
        return PLEX_EAUTH;
    if (!(pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32)))
        return PLEX_EAUTH;
    if ((md = EVP_MD_CTX_new()) != NULL) {
        ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestVerify(md, j->sig, j->sig_len, (const unsigned char *)jwt, j->signing_len) ==
                 1;
        EVP_MD_CTX_free(md);
    }
    EVP_PKEY_free(pkey);
    return ok ? 0 : PLEX_EAUTH;
}

int plex_jwt_is_jwt(const char *token)
{
    size_t i, dots = 0;

    if (!token || !*token)
        return 0;
    for (i = 0; token[i]; i++) {
        if (token[i] == '.')
            dots++;
        else if (b64u_val((unsigned char)token[i]) < 0)
            return 0;
    }
    return dots == 2;
}

int plex_jwt_expiry(const char *jwt, int64_t *exp_out)
{
    plex__jwt *j;
    int rc;

    if (!jwt || !exp_out)
        return PLEX_EINVALID;
    if (!(j = plex__malloc(sizeof(*j))))
        return PLEX_ENOMEM;
    rc = plex__jwt_parse(j, jwt, NULL);
    if (rc == 0 && !j->has_exp)
        rc = PLEX_EPARSE;
    if (rc == 0)
        *exp_out = j->exp;
    plex__free(j);
    return rc;
}

int plex_jwt_verify(int64_t *exp_out, const char *jwt, const char *jwks, size_t jwks_len,
                    const char *kid, int64_t now, plex_error *err)
{
    plex__jwt *j;
    plex__jwk *key;
    int rc;

    plex_error_clear(err);
    if (!jwt || !jwks)
        return plex__error_set(err, PLEX_EINVALID, "no JWT or no keys");
    if (!(j = plex__malloc(sizeof(*j) + sizeof(*key))))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    key = (plex__jwk *)(void *)(j + 1);
    if ((rc = plex__jwt_parse(j, jwt, err)) != 0)
        goto done;
    if (exp_out && j->has_exp)
        *exp_out = j->exp;
    rc = plex__jwks_find(jwks, jwks_len, j->kid, key);
    if (rc == PLEX_ENOTFOUND) {
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT was signed by a key not in the key set");
        goto done;
    }
    if (rc) {
        rc = plex__error_set(err, PLEX_EPARSE, "the key set is not {\"keys\":[JWK...]}");
        goto done;
    }
    if (plex__jwt_check_sig_jwk(j, jwt, key) != 0)
        rc =
            plex__error_set(err, PLEX_EAUTH, "the JWT signature does not verify (%s with a %s key)",
                            j->alg, key->kty);
    else if (strcmp(j->aud, "plex.tv") != 0)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT audience is not plex.tv");
    else if (strcmp(j->iss, "plex.tv") != 0)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT issuer is not plex.tv");
    else if (kid && strcmp(j->thumbprint, kid) != 0)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT was issued for another device key");
    else if (!j->has_iat || !j->has_exp)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT has no iat or exp");
    else if (now <= INT64_MAX - 60 && j->iat > now + 60)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT was issued in the future");
    else if (j->exp <= now)
        rc = plex__error_set(err, PLEX_EAUTH, "the JWT expired");
done:
    plex__free(j);
    return rc;
}

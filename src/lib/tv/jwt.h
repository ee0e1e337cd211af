/*
 * JWT internals shared by the library's operations (jwt_ops.c) and plexsim:
 * parsing a compact JWT, checking an EdDSA signature against a raw public
 * key, signing arbitrary claims, and reading the flat JSON objects JWTs and
 * JWKs are made of. No I/O. Implemented in jwt.c (OpenSSL libcrypto).
 */
#ifndef PLEX_JWT_INTERNAL_H
#define PLEX_JWT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "plex/jwt.h"

#define PLEX__JWT_MAX 8192 /* bytes of a JWT we accept */

/* A compact JWT, decoded (fields empty / has_* 0 when absent). */
typedef struct plex__jwt {
    char kid[128], alg[16], typ[16];
    char iss[256], aud[64], thumbprint[128], nonce[128], scope[256], sub[64];
    int64_t iat, exp;
    int has_iat, has_exp;
    size_t signing_len;     /* bytes of "header.claims" at the start of the JWT */
    unsigned char sig[512]; /* EdDSA: 64 bytes; RS256: the modulus size (up to 4096 bits) */
    size_t sig_len;
} plex__jwt;

/* Decode header and claims into *j (no signature check). 0 or PLEX_EPARSE. */
int plex__jwt_parse(plex__jwt *j, const char *jwt, plex_error *err);

/* 0 if the signature of jwt (parsed into j) verifies with the Ed25519 public
 * key x (base64url, 32 bytes), else PLEX_EAUTH. */
int plex__jwt_check_sig(const plex__jwt *j, const char *jwt, const char *x_b64);

/* Sign claims (a JSON object's text) with key: header {kid, alg, typ}. */
int plex__jwt_sign_claims(char **out, const plex_jwt_key *key, const char *claims, size_t len);

struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

/* Sign claims with an RSA key (>= 2048 bits) as RS256: header {kid, alg
 * RS256, typ}. For plexsim, which issues Plex JWTs; devices sign EdDSA. */
int plex__jwt_sign_rs256(char **out, struct evp_pkey_st *rsa, const char *kid, const char *claims,
                         size_t len);

/* A new reference to the same key (the EVP_PKEY is shared). */
int plex__jwt_key_ref(plex_jwt_key **out, const plex_jwt_key *key);

/* The public key, base64url (43 characters + NUL). */
void plex__jwt_key_x(const plex_jwt_key *key, char out[64]);

/* RFC 7638 thumbprint of an Ed25519 JWK with public key x (base64url). */
int plex__jwk_thumbprint(char out[64], const char *x_b64);

/* RFC 7638 thumbprint of an RSA JWK (modulus n, exponent e, base64url). */
int plex__jwk_thumbprint_rsa(char out[64], const char *n_b64, const char *e_b64);

/* A string (or integer) member of a flat JSON object, copied out. */
typedef struct plex__jfield {
    const char *name;
    char *str;    /* string members: destination, or NULL */
    size_t cap;   /* bytes at str, NUL included */
    int64_t *num; /* integer members: destination, or NULL */
    int *seen;    /* set to 1 when found, or NULL */
} plex__jfield;

/* Read the object starting at buf (or, when `member` is set, the object
 * that is the value of that top-level member) into fields. Strings longer
 * than cap are errors. Unknown members are skipped. 0 or PLEX_EPARSE. */
int plex__json_flat(const char *buf, size_t len, const char *member, const plex__jfield *fields,
                    size_t n);

/* A public JWK we can verify with: OKP/Ed25519 (x) or RSA (n, e). */
typedef struct plex__jwk {
    char kty[8]; /* "OKP" or "RSA" */
    char x[64];  /* OKP: the public key, base64url */
    char n[700]; /* RSA: modulus, base64url (up to 4096 bits) */
    char e[16];  /* RSA: exponent, base64url */
} plex__jwk;

/* Find the JWK with kid in a JWKS ({"keys":[...]}) that is an Ed25519 or an
 * RSA key. 0, PLEX_ENOTFOUND, or PLEX_EPARSE. */
int plex__jwks_find(const char *jwks, size_t len, const char *kid, plex__jwk *out);

/* 0 if the signature of jwt (parsed into j) verifies with the JWK and the
 * header's alg is that key's (EdDSA for OKP, RS256 for RSA), else PLEX_EAUTH. */
int plex__jwt_check_sig_jwk(const plex__jwt *j, const char *jwt, const plex__jwk *k);

/* ---- jwt_ops.c (needs a client) ---- */

/* The body of POST /api/v2/pins for a key: {"jwk":{...},"strong":true}. */
int plex__jwt_pin_body(char **out, const plex_jwt_key *key);

/* Append "deviceJWT=<a freshly signed device JWT>" to q. 0 or an error. */
int plex__jwt_device_query(plex__buf *q, const plex_client *c, const plex_jwt_key *key);

#endif

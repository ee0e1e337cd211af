/*
 * libplex: JWT device authentication (Ed25519 keys, device JWTs, Plex JWTs).
 *
 * The flow (../shared/PROTOCOL.md §6): a device keeps one Ed25519 key.
 * A new device creates its PIN with the key's JWK (plex_jwt_pin_create())
 * and polls it with a freshly signed device JWT (plex_jwt_pin_check());
 * a device with a legacy token registers the key (plex_jwt_register()).
 * Either way it then holds a Plex JWT, used like any token, which lives
 * 7 days and is renewed with plex_jwt_refresh(), even after it expired.
 */
#ifndef PLEX_JWT_H
#define PLEX_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "plex/common.h"
#include "plex/client.h"
#include "plex/models.h"

PLEX_BEGIN_DECL

/** A device's Ed25519 key pair (opaque). */
typedef struct plex_jwt_key plex_jwt_key;

/**
 * Generate a new Ed25519 key.
 *
 * @param[out] out  the key; free with plex_jwt_key_free().
 * @return 0, PLEX_ENOMEM, PLEX_ERROR (the crypto library failed).
 */
PLEX_API int plex_jwt_key_generate(plex_jwt_key **out);

/**
 * Read a key from PEM text (PKCS#8 "PRIVATE KEY", Ed25519 only).
 *
 * @param[out] out  the key; free with plex_jwt_key_free().
 * @return 0, PLEX_EPARSE (not an Ed25519 private key), PLEX_ENOMEM.
 */
PLEX_API int plex_jwt_key_from_pem(plex_jwt_key **out, const char *pem, size_t len);

/**
 * The private key as PEM text, for storing (keep the file 0600).
 *
 * @param[out] out  NUL-terminated PEM; owned by the caller, free with plex_free().
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM, PLEX_ERROR.
 */
PLEX_API int plex_jwt_key_to_pem(const plex_jwt_key *key, char **out);

/**
 * The key id: the RFC 7638 thumbprint of the public JWK (base64url SHA-256).
 *
 * @return a string borrowed from the key; valid until plex_jwt_key_free().
 */
PLEX_API const char *plex_jwt_key_id(const plex_jwt_key *key);

/**
 * The public JWK as compact JSON:
 * {"kty":"OKP","crv":"Ed25519","x":"...","kid":"...","alg":"EdDSA"}.
 *
 * @param[out] out  the JSON; owned by the caller, free with plex_free().
 * @param use_sig   1 to add "use":"sig" (what /api/v2/auth/jwk wants).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_jwt_key_jwk(char **out, const plex_jwt_key *key, int use_sig);

/** Free a key; NULL does nothing. */
PLEX_API void plex_jwt_key_free(plex_jwt_key *key);

/**
 * Sign a device JWT: header {kid, alg EdDSA, typ JWT}, claims aud "plex.tv",
 * iss client_id, iat now, exp now + ttl, and nonce and scope when given.
 *
 * @param[out] out   the JWT; owned by the caller, free with plex_free().
 * @param key        the device key.
 * @param client_id  the client identifier (X-Plex-Client-Identifier).
 * @param nonce      from plex_jwt_nonce(), or NULL.
 * @param scope      comma list of user fields, or NULL.
 * @param now        seconds since the epoch.
 * @param ttl        lifetime in seconds (> 0).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM, PLEX_ERROR.
 */
PLEX_API int plex_jwt_sign(char **out, const plex_jwt_key *key, const char *client_id,
                           const char *nonce, const char *scope, int64_t now, int64_t ttl);

/**
 * Read the exp claim of a JWT without checking its signature (to decide
 * whether to refresh it, or to show it).
 *
 * @return 0, PLEX_EPARSE (not a JWT, or no exp), PLEX_EINVALID.
 */
PLEX_API int plex_jwt_expiry(const char *jwt, int64_t *exp_out);

/**
 * 1 if the token looks like a JWT (three base64url parts), else 0.
 */
PLEX_API int plex_jwt_is_jwt(const char *token);

/**
 * Verify a Plex JWT: its signature against the key of the JWKS with the
 * header's kid (EdDSA with an Ed25519 key, or RS256 with an RSA key of at
 * least 2048 bits; the key's kind decides the algorithm, never the header
 * alone), and its claims: aud "plex.tv", iss "plex.tv", iat not in
 * the future (60 s leeway), exp after now, thumbprint equal to our key id.
 *
 * @param[out] exp_out  the exp claim (also set when only the expiry failed); may be NULL.
 * @param jwt           the Plex JWT.
 * @param jwks          the text of GET /api/v2/auth/keys: {"keys":[JWK...]}.
 * @param kid           our key id (plex_jwt_key_id()), or NULL not to check it.
 * @param now           seconds since the epoch.
 * @param err           details of a failure, or NULL.
 * @return 0, PLEX_EAUTH (bad signature, unknown key, wrong claims, expired),
 *         PLEX_EPARSE (not a JWT, or a bad JWKS).
 */
PLEX_API int plex_jwt_verify(int64_t *exp_out, const char *jwt, const char *jwks, size_t jwks_len,
                             const char *kid, int64_t now, plex_error *err);

/**
 * Base64url (RFC 4648 §5, no padding).
 *
 * @param[out] out  NUL-terminated text; free with plex_free().
 * @return 0, PLEX_ENOMEM.
 */
PLEX_API int plex_base64url_encode(char **out, const void *data, size_t len);

/**
 * Decode base64url (padding accepted, nothing else).
 *
 * @param[out] out      the bytes (NUL-terminated for convenience); free with plex_free().
 * @param[out] out_len  their count.
 * @return 0, PLEX_EPARSE, PLEX_ENOMEM.
 */
PLEX_API int plex_base64url_decode(unsigned char **out, size_t *out_len, const char *s, size_t n);

/* ---- operations (need a client) ---- */

/**
 * Create a strong PIN bound to the key (POST /api/v2/pins with the JWK).
 *
 * @param[out] out  the PIN; free with plex_pin_free().
 * @return 0, PLEX_EBADREQUEST, PLEX_ERATELIMIT, PLEX_ETRANSPORT, or another error.
 */
PLEX_API int plex_jwt_pin_create(plex_pin **out, plex_client *client, const plex_jwt_key *key);

/**
 * Poll a PIN with a freshly signed device JWT (?deviceJWT=...; the log
 * shows it redacted). Once approved, the PIN's auth_token is a Plex JWT.
 *
 * @param[out] out  the PIN; free with plex_pin_free().
 * @return 0, PLEX_EGONE/PLEX_ENOTFOUND (expired), PLEX_EHTTP (422: bad signature), or another
 * error.
 */
PLEX_API int plex_jwt_pin_check(plex_pin **out, plex_client *client, int64_t id,
                                const plex_jwt_key *key);

/**
 * Register the key for the client's legacy token (POST /api/v2/auth/jwk).
 * The legacy token stops working afterwards: refresh to a JWT next.
 *
 * @return 0, PLEX_EAUTH (bad token), PLEX_EHTTP (422: the key belongs to
 *         another device; http_status says 422), or another error.
 */
PLEX_API int plex_jwt_register(plex_client *client, const plex_jwt_key *key);

/**
 * Ask for a refresh nonce (GET /api/v2/auth/nonce); valid 5 minutes.
 *
 * @param[out] out  the nonce; free with plex_free().
 * @return 0, PLEX_ERATELIMIT, or another error.
 */
PLEX_API int plex_jwt_nonce(char **out, plex_client *client);

/**
 * Get a new Plex JWT: a nonce, a signed request JWT, POST /api/v2/auth/token.
 * Works for an expired JWT too. Does not change the client's token.
 *
 * @param[out] token_out  the new Plex JWT; free with plex_free().
 * @param scope           comma list of user fields (NULL: "username,email,friendly_name").
 * @return 0, PLEX_EAUTH (498: the request JWT expired), PLEX_EHTTP (422:
 *         bad signature or unknown key), PLEX_ERATELIMIT, PLEX_EBADREQUEST.
 */
PLEX_API int plex_jwt_refresh(char **token_out, plex_client *client, const plex_jwt_key *key,
                              const char *scope);

/**
 * Fetch Plex's public keys (GET /api/v2/auth/keys), for plex_jwt_verify().
 *
 * @param[out] out      the JWKS text; free with plex_free().
 * @param[out] out_len  its length; may be NULL.
 * @return 0, PLEX_ETRANSPORT, PLEX_EHTTP, or another error.
 */
PLEX_API int plex_jwt_keys(char **out, size_t *out_len, plex_client *client);

/* ---- automatic refresh ---- */

/** A JWT this close to its expiry (seconds) is refreshed before a request. */
#define PLEX_JWT_REFRESH_WINDOW 86400

/**
 * Receives each Plex JWT the client obtained on its own (see
 * plex_client_set_jwt_refresh()), so the application can store it in place
 * of the old one. The client already uses it. `token` is valid only during
 * the call. It runs inside a request of the client: it must not use the
 * client.
 */
typedef void (*plex_token_cb)(const char *token, void *payload);

/**
 * Let the client keep its Plex JWT fresh by itself. Before each request
 * that sends the token, when the token is a JWT that expires within
 * PLEX_JWT_REFRESH_WINDOW or has expired, the client refreshes it
 * (plex_jwt_refresh()), switches to the new one and hands it to `on_token`;
 * and when a request is answered 498 (expired), it refreshes once and sends
 * the request again.
 *
 * A failed refresh of a JWT that is still valid is logged as a warning, the
 * request goes ahead with the old token, and no new attempt is made for
 * five minutes. A failed refresh of an expired JWT fails the request with
 * the refresh's error (e.g. PLEX_EHTTP for 422: the key is not registered).
 * Legacy tokens are left alone.
 *
 * @param key       the device key; the client keeps its own reference, so
 *                  the caller may free it at once. NULL turns refresh off.
 * @param on_token  called with each new token, or NULL.
 * @param payload   passed to on_token.
 * @return 0, PLEX_EINVALID (no client), PLEX_ENOMEM.
 */
PLEX_API int plex_client_set_jwt_refresh(plex_client *client, const plex_jwt_key *key,
                                         plex_token_cb on_token, void *payload);

PLEX_END_DECL

#endif

/*
 * libplex: signing a device in with a plex.tv PIN, and the account
 * operations around it.
 *
 * The flow: plex_pin_create() asks for a code; the user approves it at
 * plex_pin_link_url() (4-character codes) or plex_auth_app_url() (strong
 * codes); plex_pin_check() polls until the token appears. plex_login_wait()
 * does all of it, with re-issue on expiry, back-off, countdown and cancel;
 * plex_login_step() is the same flow for programs with their own event loop.
 */
#ifndef PLEX_AUTH_H
#define PLEX_AUTH_H

#include <signal.h>

#include "plex/client.h"
#include "plex/common.h"
#include "plex/errors.h"
#include "plex/models.h"
#include "plex/wait.h"

PLEX_BEGIN_DECL

/* ---- single operations ---- */

/** Flags for plex_pin_create(). */
enum {
    /** A 25-character code for the Auth App URL instead of a 4-character code. */
    PLEX_PIN_STRONG = 1u << 0
};

/**
 * Ask plex.tv for a new PIN (`POST /api/v2/pins`).
 *
 * @param[out] out  the PIN; free with plex_pin_free().
 * @param client    the client; on failure see plex_client_last_error().
 * @param flags     0 or PLEX_PIN_STRONG.
 * @return 0, a transport error (PLEX_EDNS, PLEX_ECONNECT, PLEX_ETLS,
 *         PLEX_ETIMEOUT), PLEX_ERATELIMIT, PLEX_ESERVER, PLEX_EPARSE or
 *         another negative plex_error_code.
 */
PLEX_API int plex_pin_create(plex_pin **out, plex_client *client, unsigned int flags);

/**
 * Check a PIN (`GET /api/v2/pins/{id}`) with the client identifier that
 * created it.
 *
 * @param[out] out  the PIN as the server sees it now; free with plex_pin_free().
 *                  Its auth_token is NULL while the user has not approved.
 * @return 0 (approved or not: look at auth_token), PLEX_EGONE (expired,
 *         already collected, or created by another client identifier), or a
 *         transport/HTTP error.
 */
PLEX_API int plex_pin_check(plex_pin **out, plex_client *client, int64_t id);

/**
 * Approve another device's 4-character code from this signed-in account
 * (`PUT /api/v2/pins/link`; the client needs a token).
 *
 * @return 0, PLEX_EGONE (unknown or expired code), PLEX_EAUTH, or another error.
 */
PLEX_API int plex_pin_link(plex_client *client, const char *code);

/**
 * Validate the client's token and fetch its account (`GET /api/v2/user`).
 * 200 means valid; PLEX_EAUTH means the token is invalid or signed out; any
 * other error proves nothing about the token.
 *
 * @param[out] out  the account; free with plex_user_free().
 * @return 0, PLEX_EAUTH, or a transport/HTTP/parse error.
 */
PLEX_API int plex_user_get(plex_user **out, plex_client *client);

/**
 * Keep a legacy token alive (`GET /api/v2/ping`).
 * @return 0, PLEX_EAUTH, or another error.
 */
PLEX_API int plex_ping(plex_client *client);

/**
 * Sign the client's token out at plex.tv (`DELETE /api/v2/users/signout`);
 * the token stops working.
 * @return 0, PLEX_EAUTH, or another error.
 */
PLEX_API int plex_signout(plex_client *client);

/* ---- URLs to show the user ---- */

/**
 * The page where a user approves a 4-character code, prefilled:
 * `https://plex.tv/link/?pin=CODE` (URL-encoded).
 *
 * @param[out] out  the URL; free with plex_free().
 * @param code      the PIN's code.
 * @return 0, PLEX_EINVALID (NULL or empty code), PLEX_ENOMEM.
 */
PLEX_API int plex_pin_link_url(char **out, const char *code);

#define PLEX_AUTH_URL_OPTIONS_VERSION 1

/** What goes into the Auth App URL. NULL fields are left out. */
typedef struct plex_auth_url_options {
    unsigned int version;          /**< PLEX_AUTH_URL_OPTIONS_VERSION */
    const char *client_identifier; /**< required: clientID */
    const char *code;              /**< required: the (strong) code */
    const char *product;           /**< context[device][product] */
    const char *forward_url;       /**< where the browser goes after approval */
    const char *product_version;   /**< context[device][version] */
    const char *platform;          /**< context[device][platform] */
    const char *platform_version;  /**< context[device][platformVersion] */
    const char *device;            /**< context[device][device] */
    const char *device_name;       /**< context[device][deviceName] */
    const char *model;             /**< context[device][model] */
} plex_auth_url_options;

#define PLEX_AUTH_URL_OPTIONS_INIT                                                                 \
    {                                                                                              \
        PLEX_AUTH_URL_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL  \
    }

/**
 * The Auth App URL for a strong code:
 * `https://app.plex.tv/auth#?clientID=..&code=..&context%5Bdevice%5D%5Bproduct%5D=..`
 * with every value URL-encoded.
 *
 * @param[out] out  the URL; free with plex_free().
 * @return 0, PLEX_EINVALID (missing client identifier or code), PLEX_ENOMEM.
 */
PLEX_API int plex_auth_app_url(char **out, const plex_auth_url_options *opts);

/* ---- the whole sign-in ---- */

typedef struct plex_login plex_login;

/** What happened, for plex_login_event_cb. */
typedef enum plex_login_event_type {
    PLEX_LOGIN_CODE = 1,     /**< a code was issued: show it and the URL */
    PLEX_LOGIN_REISSUED = 2, /**< the old code expired; a new one replaces it */
    PLEX_LOGIN_TICK = 3,     /**< a second passed: seconds_left changed */
    PLEX_LOGIN_RETRY = 4,    /**< a request failed and will be retried (error says why) */
    PLEX_LOGIN_APPROVED = 5  /**< the token arrived */
} plex_login_event_type;

typedef struct plex_login_event {
    int type;          /**< plex_login_event_type */
    const char *code;  /**< the current code */
    const char *url;   /**< where the user approves it */
    int strong;        /**< 1 for a strong code (Auth App URL) */
    long seconds_left; /**< of the current code's window */
    int reissues;      /**< how many times a new code was issued */
    int error;         /**< PLEX_LOGIN_RETRY: the plex_error_code */
    long retry_in_ms;  /**< PLEX_LOGIN_RETRY: the wait before the retry */
} plex_login_event;

/**
 * Called for each event. Return non-zero to cancel the sign-in (the wait
 * then ends with PLEX_ECANCELLED).
 */
typedef int (*plex_login_event_cb)(const plex_login_event *event, void *payload);

/** 2 added jwt_key; version 1 structures (without it) are still accepted. */
#define PLEX_LOGIN_OPTIONS_VERSION 2

typedef struct plex_login_options {
    unsigned int version;    /**< PLEX_LOGIN_OPTIONS_VERSION */
    unsigned int pin_flags;  /**< 0 or PLEX_PIN_STRONG */
    long poll_interval_ms;   /**< between polls; default 1000 (-1 selects it); 0 allowed */
    int max_reissues;        /**< new codes after expiry; default 3 (-1 selects it) */
    long timeout_ms;         /**< overall limit; 0 = none */
    const char *forward_url; /**< for the Auth App URL */
    plex_login_event_cb on_event;
    void *payload;
    /** Cancel from anywhere (a signal handler too): the wait ends with
     *  PLEX_ECANCELLED as soon as it sees *cancel != 0 (within 200 ms, at
     *  once when a signal interrupts the wait). May be NULL. */
    volatile sig_atomic_t *cancel;
    /** Version 2: sign in with JWT device authentication (see plex/jwt.h).
     *  The PIN is created strong with this key's JWK, every poll carries a
     *  freshly signed device JWT, and the token is a Plex JWT. NULL: a
     *  legacy token. Borrowed; must outlive the sign-in. */
    const struct plex_jwt_key *jwt_key;
} plex_login_options;

#define PLEX_LOGIN_OPTIONS_INIT                                                                    \
    {                                                                                              \
        PLEX_LOGIN_OPTIONS_VERSION, 0, -1, -1, 0, NULL, NULL, NULL, NULL, NULL                     \
    }

/**
 * Sign in: create a PIN, report it, poll until approved, re-issue on expiry.
 * Blocks; built on plex_login_step().
 *
 * @param[out] token_out  the token; free with plex_free().
 * @param client          the client (its identifier is bound to the PIN).
 * @param opts            NULL for the defaults.
 * @return 0, PLEX_ECANCELLED, PLEX_EEXPIRED (the last code expired),
 *         PLEX_ETIMEOUT (timeout_ms), PLEX_EAUTH, PLEX_EPARSE, or another error
 *         (details in plex_client_last_error()).
 */
PLEX_API int plex_login_wait(char **token_out, plex_client *client, const plex_login_options *opts);

/* plex_login_wait_info, PLEX_WAIT_READ and PLEX_WAIT_WRITE: plex/wait.h */

/**
 * Start a sign-in without blocking. Nothing is sent until the first step.
 *
 * @param[out] out  the sign-in; free with plex_login_free().
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_login_new(plex_login **out, plex_client *client, const plex_login_options *opts);

/**
 * Advance the sign-in without blocking: send or receive what is ready.
 *
 * @param login  the sign-in.
 * @param wait   filled when PLEX_EPENDING is returned: wait until one of the
 *               sockets is ready or timeout_ms passed, then call again.
 * @return PLEX_EPENDING (call again), 0 (approved: see plex_login_token()),
 *         or the error that ended the sign-in.
 */
PLEX_API int plex_login_step(plex_login *login, plex_login_wait_info *wait);

/** The token once plex_login_step() returned 0; borrowed; NULL before. */
PLEX_API const char *plex_login_token(const plex_login *login);

/** The current PIN (NULL before one was issued); borrowed. */
PLEX_API const plex_pin *plex_login_pin(const plex_login *login);

/** Cancel: the next step returns PLEX_ECANCELLED. */
PLEX_API void plex_login_cancel(plex_login *login);

/** Free a sign-in (aborting a request in flight); NULL does nothing. */
PLEX_API void plex_login_free(plex_login *login);

PLEX_END_DECL

#endif

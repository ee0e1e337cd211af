/*
 * libplex: the plex.tv account operations beyond sign-in: servers and
 * devices (resources), where a request comes from (geoip), companions,
 * friends, the Plex Home, password sign-in and the v1 users list.
 *
 * Every decoded result owns all it points to (one arena) and is freed by its
 * own _free function; items are reached through _count/_at functions, never
 * by indexing an array of structs, so item structs can grow at the end.
 */
#ifndef PLEX_ACCOUNT_H
#define PLEX_ACCOUNT_H

#include "plex/auth.h"
#include "plex/client.h"
#include "plex/common.h"
#include "plex/errors.h"
#include "plex/models.h"

PLEX_BEGIN_DECL

/* ---- resources: GET /api/v2/resources ---- */

/** Flags for plex_resources_get(). */
enum {
    PLEX_RESOURCES_NO_HTTPS = 1u << 0, /**< leave out includeHttps=1 */
    PLEX_RESOURCES_NO_RELAY = 1u << 1, /**< leave out includeRelay=1 */
    PLEX_RESOURCES_NO_IPV6 = 1u << 2   /**< leave out includeIPv6=1 */
};

/**
 * List the account's devices and their connections
 * (`GET /api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1`).
 *
 * @param[out] out  the list; owned by the caller, free with plex_resources_free().
 * @param client    a client with a token; on failure see plex_client_last_error().
 * @param flags     0 or PLEX_RESOURCES_NO_* bits.
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_resources_get(plex_resources **out, plex_client *client, unsigned int flags);

/* ---- best connection ---- */

/** One connection tried by plex_resource_connect(). */
typedef struct plex_connect_attempt {
    const plex_connection *connection; /**< borrowed from the resource */
    int started;                       /**< 1 if a request was sent (or tried) */
    /** 0: it answered first; PLEX_ECONNECT (refused), PLEX_ETIMEOUT (no
     *  answer before the deadline), PLEX_ETLS, PLEX_EDNS, PLEX_EAUTH,
     *  PLEX_EHTTP...; PLEX_ECANCELLED when another one won first or it was
     *  never started. */
    int result;
    long http_status; /**< of /identity; 0 without an answer */
    long elapsed_ms;  /**< from the start of the race until it ended */
} plex_connect_attempt;

/** What plex_resource_connect() tried, in the order of preference. */
typedef struct plex_connect_report plex_connect_report;

/**
 * Find a working connection of a server: `GET <uri>/identity` on its
 * connections in parallel (one curl multi handle, no threads), with the
 * server's access token (or the client's). Local connections start first,
 * remote ones 100 ms later, relays last (500 ms, or as soon as everything
 * else failed); the first 2xx within the deadline wins and the others are
 * cancelled.
 *
 * @param[out] out    what was tried; set on 0, PLEX_ECONNECT and PLEX_ETIMEOUT
 *                    (free with plex_connect_report_free()); it borrows the
 *                    resource's connections, so free it first.
 * @param client      the client (identity headers, CA file, connect timeout).
 * @param server      a device from plex_resources_at().
 * @param deadline_ms the overall limit; <= 0 selects 10000.
 * @return 0, PLEX_ECONNECT (every connection failed, or there are none),
 *         PLEX_ETIMEOUT (none answered in time), PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_resource_connect(plex_connect_report **out, plex_client *client,
                                   const plex_resource *server, long deadline_ms);

/** The winning connection; NULL when none answered. Borrowed. */
PLEX_API const plex_connection *plex_connect_report_chosen(const plex_connect_report *report);
/** Number of attempts (the server's connections with a URI); 0 for NULL. */
PLEX_API size_t plex_connect_report_count(const plex_connect_report *report);
/** Attempt i in the order of preference, borrowed; NULL when out of range. */
PLEX_API const plex_connect_attempt *plex_connect_report_at(const plex_connect_report *report,
                                                            size_t i);
/** Free a report; NULL does nothing. */
PLEX_API void plex_connect_report_free(plex_connect_report *report);

/* ---- geoip: GET /api/v2/geoip ---- */

/**
 * Where plex.tv thinks the request comes from (`GET /api/v2/geoip`).
 *
 * @param[out] out  the location; free with plex_geodata_free().
 * @return 0, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_geoip_get(plex_geodata **out, plex_client *client);

/* ---- companions: GET /api/v2/companions ---- */

/**
 * List the account's companions (`GET /api/v2/companions`; needs a token).
 * @param[out] out  free with plex_companions_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_companions_get(plex_companions **out, plex_client *client);
/* ---- friends: GET /api/v2/friends ---- */

/**
 * List the account's friends (`GET /api/v2/friends`; needs a token).
 * @param[out] out  free with plex_friends_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_friends_get(plex_friends **out, plex_client *client);
/* ---- home: GET /api/v2/home ---- */

/**
 * The account's Plex Home (`GET /api/v2/home`; needs a token).
 * @param[out] out  free with plex_home_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_home_get(plex_home **out, plex_client *client);
/* ---- password sign-in: POST /api/v2/users/signin ---- */

/**
 * Sign in with a login and password (`POST /api/v2/users/signin`, form
 * login, password, rememberMe, verificationCode). The PIN flow is the
 * recommended path; plex.tv rate-limits this one.
 *
 * On a refusal the server's error entries are in plex_client_last_api_errors():
 * code 1001 wrong login or password, 1029 a verification code is needed,
 * 1028 the verification code is wrong (all PLEX_EAUTH), 1031 too many failed
 * sign-ins (PLEX_ERATELIMIT or PLEX_EAUTH, depending on the status).
 *
 * @param[out] out          the account with its `auth_token`; free with plex_user_free().
 * @param client            the client (its token is neither needed nor changed).
 * @param login             user name or e-mail.
 * @param password          the password.
 * @param verification_code the 2FA code, or NULL.
 * @param remember_me       non-zero for a long-lived token.
 * @return 0, PLEX_EAUTH, PLEX_ERATELIMIT, PLEX_EINVALID, or a transport/HTTP/parse error.
 */
PLEX_API int plex_signin_password(plex_user **out, plex_client *client, const char *login,
                                  const char *password, const char *verification_code,
                                  int remember_me);

/* ---- the v1 users list: GET https://plex.tv/api/users (XML) ---- */

/**
 * The v1 users list (`GET /api/users`, always XML; needs a token).
 * @param[out] out  free with plex_users_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_users_get(plex_users **out, plex_client *client);

PLEX_END_DECL

#endif

/*
 * libplex: the account's watchlist, kept by plex.tv's discover service
 * (discover.provider.plex.tv), not by a media server. Its items are online
 * metadata: their ratingKeys are 24-hex strings, not library ids.
 *
 * The discover service is reached as a plex_server made by
 * plex_discover_new(), with the account's token, so its lists are walked with
 * plex_listing like a server's. Return codes: 0; PLEX_EINVALID (bad
 * arguments); PLEX_ENOTFOUND (404: not an online item, or not on the
 * watchlist); PLEX_EAUTH (401: the token); PLEX_ENOMEM; a transport error.
 */
#ifndef PLEX_PMS_WATCHLIST_H
#define PLEX_PMS_WATCHLIST_H

#include "plex/client.h"
#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/server.h"
#include "plex/query.h"

PLEX_BEGIN_DECL

/** The discover service's base URL. */
#define PLEX_DISCOVER_URL "https://discover.provider.plex.tv"

/**
 * The discover service as a plex_server, with the client's identity and
 * account token (sign in first).
 *
 * @param[out] out    the service; free with plex_server_free().
 * @param client      the signed-in client (its token is used).
 * @param base_url    NULL for PLEX_DISCOVER_URL (tests give plexsim's plex.tv URL).
 * @return 0, PLEX_EAUTH (the client has no token), PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_discover_new(plex_server **out, plex_client *client, const char *base_url);

/**
 * `GET /library/sections/watchlist/all`: the watchlist, to walk (200;
 * 401 bad token). The query may hold `sort=watchlistedAt:desc`, `type=1|2`,
 * `includeCollections`, `includeExternalMedia`.
 */
PLEX_API int plex_watchlist_get(plex_listing **out, plex_server *discover, const plex_query *query,
                                const plex_listing_options *opts);

/** `PUT /actions/addToWatchlist?ratingKey=` (200; 400/404 unknown item). */
PLEX_API int plex_watchlist_add(plex_server *discover, const char *rating_key);

/** `PUT /actions/removeFromWatchlist?ratingKey=` (200; 400/404 not in it). */
PLEX_API int plex_watchlist_remove(plex_server *discover, const char *rating_key);

PLEX_END_DECL

#endif

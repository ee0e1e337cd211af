/*
 * The account's watchlist on plex.tv's discover service
 * (plex/pms/watchlist.h): a plex_server on the discover base URL with the
 * account's token, so listings and errors work as for a media server.
 */
#include <string.h>

#include "playback.h"
#include "plex/pms/watchlist.h"
#include "tv/client.h"

int plex_discover_new(plex_server **out, plex_client *c, const char *base_url)
{
    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (!c->http.token)
        return plex__http_fail(&c->http, PLEX_EAUTH,
                               "the watchlist needs a signed-in client (no token)");
    return plex_server_new(out, c, base_url ? base_url : PLEX_DISCOVER_URL, NULL);
}

int plex_watchlist_get(plex_listing **out, plex_server *d, const plex_query *q,
                       const plex_listing_options *o)
{
    if (!out || !d)
        return PLEX_EINVALID;
    return plex_listing_new(out, d, "/library/sections/watchlist/all", q, o);
}

static int action(plex_server *d, const char *path, const char *rating_key)
{
    plex_query *q;
    int rc;

    if (!d)
        return PLEX_EINVALID;
    if (!plex__server_check_id(d, rating_key, "rating key"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(d)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "ratingKey", rating_key) != 0)
        return plex__pms_oom(d, q);
    rc = plex_server_send(d, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_watchlist_add(plex_server *d, const char *rating_key)
{
    return action(d, "/actions/addToWatchlist", rating_key);
}

int plex_watchlist_remove(plex_server *d, const char *rating_key)
{
    return action(d, "/actions/removeFromWatchlist", rating_key);
}

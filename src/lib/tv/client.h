/*
 * struct plex_client: the plex.tv client, on the shared HTTP transport
 * (net/http.h), which it configures and extends through its hooks: the
 * automatic JWT refresh (jwt_ops.c) and plex.tv's errors[] bodies.
 */
#ifndef PLEX_CLIENT_INTERNAL_H
#define PLEX_CLIENT_INTERNAL_H

#include "core/buf.h"
#include "core/url.h"
#include "net/http.h"
#include "plex/auth.h"
#include "plex/client.h"
#include "plex/jwt.h"

struct plex_client {
    plex__http http;   /* identity, token, timeouts, the connection, last error */
    char *clients_url; /* the JWT API: https://clients.plex.tv for plex.tv, else base_url */

    /* automatic JWT refresh (plex_client_set_jwt_refresh, jwt_ops.c) */
    plex_jwt_key *jwt_key; /* our own reference, or NULL: off */
    plex_token_cb on_token;
    void *on_token_payload;
    int refreshing;             /* a refresh is in progress: no nested one */
    long refresh_not_before_ms; /* after a failed early refresh, wait until then */

    plex_api_errors *last_api_errors; /* the errors[] of the last failed answer */
};

/* jwt_ops.c: the transport's before/retry hooks. Before a request: refresh
 * the token when due; after a 498 answer: refresh now and send again. */
int plex__jwt_hook_before(plex__http *h, void *client);
int plex__jwt_hook_retry(plex__http *h, void *client, int rc);

#endif

/*
 * struct plex_server and the media server's internal request helpers, used
 * by every file of the pms area (library, playback, events, administration).
 */
#ifndef PLEX_PMS_SERVER_INTERNAL_H
#define PLEX_PMS_SERVER_INTERNAL_H

#include "core/model.h"
#include "net/http.h"
#include "plex/pms/server.h"

struct plex_server {
    plex__http http; /* base_url: the connection in use; token: the server's */
    char **urls;     /* every connection, in order of preference (failover) */
    size_t nurls;
    long deadline_ms;   /* of a failover race */
    unsigned int flags; /* PLEX_SERVER_* */
};

/* The Accept header of the server's requests (JSON, or XML with PLEX_SERVER_XML). */
const char *plex__server_accept(const plex_server *s);

/*
 * Send r on the server's connection. A request that could not reach the
 * server (refused, unresolvable, TLS, or for a GET any network failure)
 * races the other connections and is sent once more on the winner.
 * 0 (2xx) or the error, recorded on s->http.
 */
int plex__server_request(plex_server *s, const plex__request *r, plex__response *resp);

/* A request to path with query (NULL or a plex_query's string) whose answer
 * is a container: decoded (JSON or XML, whichever came) into *out. */
int plex__server_container(plex_container **out, plex_server *s, const char *method,
                           const char *path, const char *query);

/* Decode a container from a body (JSON, or XML when it starts with '<' or
 * the transport saw an XML Content-Type); the failure is recorded on h. */
int plex__server_decode(plex_container **out, plex__http *h, const char *body, size_t len);

/* plex_listing_new() with an encoded query string (NULL or "" for none). */
int plex__listing_new(plex_listing **out, plex_server *s, const char *path, const char *query,
                      const plex_listing_options *opts);

/* 1 if an id given by a caller is safe in a path segment (non-empty, no '/',
 * '?', '#', '%', '&', control characters or spaces); else records
 * PLEX_EINVALID on s and returns 0. */
int plex__server_check_id(plex_server *s, const char *id, const char *what);

#endif

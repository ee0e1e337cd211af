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

/* The same for an answer of any model. */
int plex__server_model(void **out, const plex__schema *schema, plex_server *s, const char *method,
                       const char *path, const char *query);

/* Decode a container from a body (JSON, or XML when it starts with '<' or
 * the transport saw an XML Content-Type); the failure is recorded on h. */
int plex__server_decode(plex_container **out, plex__http *h, const char *body, size_t len);

/* The same for a document of any model: an empty body is PLEX_ESCHEMA, a
 * body whose Content-Type is not JSON or XML PLEX_EPARSE. */
int plex__server_decode_model(void **out, const plex__schema *schema, plex__http *h,
                              const char *body, size_t len);

/* method path?query: decoded into *out when out is not NULL, else the
 * answer is not read (plex_server_send). */
int plex__pms_call(plex_container **out, plex_server *s, const char *method, const char *path,
                   const plex_query *q);

/* snprintf a path whose %s arguments are caller ids (each checked with
 * plex__server_check_id, named `what`) into buf. 0 or PLEX_EINVALID (recorded). */
int plex__pms_path(plex_server *s, char *buf, size_t size, const char *what, const char *fmt, ...)
    PLEX__PRINTF(5, 6);

/* method path (formatted as plex__pms_path does) with no parameters: the
 * writes that name their object in the path (DELETE /playlists/{id}...). */
int plex__pms_send_id(plex_server *s, const char *method, const char *what, const char *fmt, ...)
    PLEX__PRINTF(4, 5);

/* A new query, or NULL after recording PLEX_ENOMEM on s. */
plex_query *plex__pms_query(plex_server *s);

/* Record PLEX_ENOMEM on s, free q, return PLEX_ENOMEM. */
int plex__pms_oom(plex_server *s, plex_query *q);

/* plex_listing_new() with an encoded query string (NULL or "" for none). */
int plex__listing_new(plex_listing **out, plex_server *s, const char *path, const char *query,
                      const plex_listing_options *opts);

/* 1 if an id given by a caller is safe in a path segment (non-empty, no '/',
 * '?', '#', '%', '&', control characters or spaces); else records
 * PLEX_EINVALID on s and returns 0. */
int plex__server_check_id(plex_server *s, const char *id, const char *what);

#endif

/*
 * libplex: a Plex Media Server. A plex_server is one server reached over one
 * reused connection (HTTP keep-alive, TLS verified), with the identity
 * headers of the plex_client it was made from and the server's own token.
 * Every answer is decoded into the models of plex/pms/models.h, from JSON
 * (asked for) or XML (what some endpoints and old servers send anyway).
 *
 * Lists are read page by page with a plex_listing, whose items are decoded
 * as their bytes arrive: walking 50,000 items holds one item at a time.
 *
 * Threads: use a server (and its listings) from one thread at a time.
 */
#ifndef PLEX_PMS_SERVER_H
#define PLEX_PMS_SERVER_H

#include "plex/account.h"
#include "plex/client.h"
#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/query.h"
#include "plex/wait.h"

PLEX_BEGIN_DECL

typedef struct plex_server plex_server;

/** Flags for plex_server_options.flags. */
enum {
    /** Ask for XML instead of JSON (both decode into the same models). */
    PLEX_SERVER_XML = 1u << 0
};

#define PLEX_SERVER_OPTIONS_VERSION 1

/**
 * Options of plex_server_new() and plex_server_connect(). Start from
 * PLEX_SERVER_OPTIONS_INIT; 0 and NULL mean "the default".
 */
typedef struct plex_server_options {
    unsigned int version; /**< PLEX_SERVER_OPTIONS_VERSION */
    /** X-Plex-Token for the server. Default: the resource's accessToken
     *  (plex_server_connect), else the client's token. */
    const char *token;
    long connect_timeout_ms;  /**< default: the client's */
    long request_timeout_ms;  /**< a whole request (not downloads); default: the client's */
    long deadline_ms;         /**< plex_server_connect's race; default 10000 */
    size_t max_response_size; /**< a body held whole (not listings); default: the client's */
    unsigned int flags;       /**< PLEX_SERVER_* flags */
} plex_server_options;

#define PLEX_SERVER_OPTIONS_INIT                                                                   \
    {                                                                                              \
        PLEX_SERVER_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0                                           \
    }

/**
 * Initialise options to the defaults (for bindings that cannot use the macro).
 * @return 0, or PLEX_EINVALID for an unknown version or NULL opts.
 */
PLEX_API int plex_server_options_init(plex_server_options *opts, unsigned int version);

/**
 * A server at a base URL you know (`http://127.0.0.1:32400`,
 * `https://1-2-3-4.<hash>.plex.direct:32400`). Nothing is sent yet.
 * A plex.direct name is connected to the address it spells, without DNS
 * (so DNS-rebinding protection on a router cannot break it); TLS is still
 * verified against the name. Plain http:// is allowed to any host, as Plex
 * servers on a LAN serve it; the token then travels in clear text.
 *
 * @param[out] out  the server; free with plex_server_free().
 * @param client    gives the identity headers, CA file, timeouts and log
 *                  (copied: the client may be freed first). On failure see
 *                  plex_client_last_error(client).
 * @param base_url  scheme://host[:port], with or without a trailing '/'.
 * @param opts      NULL for the defaults.
 * @return 0, PLEX_EINVALID (not an http(s) URL, bad options), PLEX_ENOMEM.
 */
PLEX_API int plex_server_new(plex_server **out, plex_client *client, const char *base_url,
                             const plex_server_options *opts);

/**
 * A server of the account, reached through its best connection: the
 * resource's connections are raced as plex_resource_connect() does (local
 * first, remote, relay last), with the server's own accessToken (a shared
 * server has its own). The server keeps the others: when the chosen one
 * stops answering, a request that could not reach it races them again and is
 * sent once more on the winner.
 *
 * @param[out] out     the server; free with plex_server_free().
 * @param[out] report  NULL, or what the race tried (free with
 *                     plex_connect_report_free() before the resources).
 * @param client       identity, CA file, log; on failure see plex_client_last_error().
 * @param resource     a device of plex_resources_get() that provides "server";
 *                     borrowed during the call only.
 * @param opts         NULL for the defaults.
 * @return 0, PLEX_ECONNECT (no connection answered, or none), PLEX_ETIMEOUT,
 *         PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_server_connect(plex_server **out, plex_connect_report **report,
                                 plex_client *client, const plex_resource *resource,
                                 const plex_server_options *opts);

/** Free a server and close its connection; NULL does nothing. */
PLEX_API void plex_server_free(plex_server *server);

/** The base URL in use (it changes when a connection fails over); borrowed. */
PLEX_API const char *plex_server_url(const plex_server *server);

/**
 * The details of the server's most recent failure (code, HTTP status, the
 * server's own words, libcurl's code). Valid right after a call on this
 * server failed; borrowed.
 */
PLEX_API const plex_error *plex_server_last_error(const plex_server *server);

/** Counters of the server's connection (requests, new connections). */
PLEX_API void plex_server_get_stats(const plex_server *server, plex_client_stats *out);

/**
 * GET any endpoint that answers a MediaContainer and decode it.
 *
 * @param[out] out  the container; free with plex_container_free().
 * @param server    the server; on failure see plex_server_last_error().
 * @param path      "/library/sections", "/hubs" (a `key` of an answer may be
 *                  given as it is: relative keys resolve as PMS.md §2.1 says).
 * @param query     NULL or the parameters.
 * @return 0, PLEX_EAUTH (401/403: no right to it, not necessarily a bad
 *         token), PLEX_ENOTFOUND, PLEX_EBADREQUEST, PLEX_ESERVER, a transport
 *         error, PLEX_EPARSE (not JSON or XML), PLEX_ESCHEMA.
 */
PLEX_API int plex_server_get(plex_container **out, plex_server *server, const char *path,
                             const plex_query *query);

/**
 * Send a request whose answer is not needed (the writes: PUT, POST,
 * DELETE; PMS answers them with nothing, HTML or a container).
 *
 * @param server  the server; on failure see plex_server_last_error().
 * @param method  "PUT", "POST", "DELETE" or "GET".
 * @param path    the endpoint.
 * @param query   NULL or the parameters.
 * @return 0 (any 2xx), or the errors of plex_server_get().
 */
PLEX_API int plex_server_send(plex_server *server, const char *method, const char *path,
                              const plex_query *query);

/* ---- listings ---- */

/** A list of items read page by page (plex_listing_next(), plex_listing_step()). */
typedef struct plex_listing plex_listing;

/** Flags for plex_listing_options.flags. */
enum {
    /** One request without paging headers: for endpoints that do not page. */
    PLEX_LISTING_NO_PAGING = 1u << 0
};

#define PLEX_LISTING_OPTIONS_VERSION 1

/** Options of a listing. Start from PLEX_LISTING_OPTIONS_INIT. */
typedef struct plex_listing_options {
    unsigned int version; /**< PLEX_LISTING_OPTIONS_VERSION */
    size_t page_size;     /**< items per request; default 200, at most 10000 */
    size_t start;         /**< index of the first item wanted; default 0 */
    size_t limit;         /**< stop after this many items; 0: all */
    unsigned int flags;   /**< PLEX_LISTING_* flags */
} plex_listing_options;

#define PLEX_LISTING_OPTIONS_INIT                                                                  \
    {                                                                                              \
        PLEX_LISTING_OPTIONS_VERSION, 0, 0, 0, 0                                                   \
    }

/**
 * Walk the items (`Metadata`; XML `Video`, `Directory`, `Track`, `Photo`,
 * `Playlist`) of any listing endpoint, page by page with
 * X-Plex-Container-Start / -Size. Nothing is sent before the first
 * plex_listing_next() or plex_listing_step(). A listing has its own
 * connection to the server, so other calls on the server may be made while
 * it is walked (fetching an item's full metadata, say).
 *
 * Memory: one page's bytes at most, and one decoded item at a time, whatever
 * the list's length.
 *
 * A list that changes while it is walked: each page after the first is
 * asked from one item before where the last page ended, and that item must
 * be the last one returned. If it is not (items were added or removed before
 * the walk's position), the listing looks for the last item returned in the
 * new page, and in the page before it if needed, and goes on right after it:
 * nothing is returned twice and nothing is skipped that is still there. If
 * the last item cannot be found (it was removed), the walk goes on from the
 * same index and items may have been missed. Either way plex_listing_changed()
 * then returns 1: resynchronise if you need an exact copy. A server that
 * ignores paging (the whole list in one answer) is read to its end once.
 * The walk always ends: it never asks for the same page twice in a row.
 *
 * @param[out] out  the listing; free with plex_listing_free().
 * @param server    the server (must outlive the listing).
 * @param path      "/library/sections/1/all", "/library/metadata/7/children"...
 * @param query     NULL or the parameters (copied).
 * @param opts      NULL for the defaults.
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_listing_new(plex_listing **out, plex_server *server, const char *path,
                              const plex_query *query, const plex_listing_options *opts);

/**
 * The next item, waiting for the network as needed.
 *
 * @param listing   the listing.
 * @param[out] item the item, borrowed: valid until the next call on the
 *                  listing (copy what you keep).
 * @return 1 (an item), 0 (the end), or an error: the transport and HTTP
 *         errors of plex_server_get(), PLEX_EPARSE or PLEX_ESCHEMA (a page
 *         that is not a container), PLEX_ETOOBIG (one item over 16 MiB).
 *         Details in plex_listing_last_error(). After an error or the end,
 *         further calls return the same.
 */
PLEX_API int plex_listing_next(plex_listing *listing, const plex_metadata **item);

/**
 * The next item without waiting: for event loops (like plex_login_step()).
 *
 * @param listing   the listing.
 * @param[out] item as plex_listing_next().
 * @param wait      filled when PLEX_EPENDING is returned: wait for the
 *                  sockets or timeout_ms, then call again.
 * @return 1, 0, PLEX_EPENDING (nothing yet), or an error as plex_listing_next().
 */
PLEX_API int plex_listing_step(plex_listing *listing, const plex_metadata **item,
                               plex_wait_info *wait);

/**
 * The bytes of the current item as the server sent them (its JSON object,
 * or XML element); borrowed, valid until the next call on the listing.
 * NULL when there is no current item.
 */
PLEX_API const char *plex_listing_raw(const plex_listing *listing, size_t *len);

/** The list's totalSize as the last page said it; -1 before the first page or
 *  when the server gives none. */
PLEX_API long long plex_listing_total(const plex_listing *listing);

/** Items returned so far. */
PLEX_API size_t plex_listing_count(const plex_listing *listing);

/** 1 if the list changed while it was walked (see plex_listing_new()). */
PLEX_API int plex_listing_changed(const plex_listing *listing);

/**
 * The container attributes of the current page (librarySectionID,
 * title1, viewGroup...; its items are not in it): borrowed, valid until the
 * next call. NULL before the first page's attributes arrived.
 */
PLEX_API const plex_container *plex_listing_container(const plex_listing *listing);

/** The details of the listing's most recent failure; borrowed. */
PLEX_API const plex_error *plex_listing_last_error(const plex_listing *listing);

/** Requests the listing made (pages, and the resynchronisations). */
PLEX_API size_t plex_listing_requests(const plex_listing *listing);

/** Free a listing (aborting a page in flight); NULL does nothing. */
PLEX_API void plex_listing_free(plex_listing *listing);

PLEX_END_DECL

#endif

/*
 * The HTTP transport on libcurl, shared by every service (plex.tv, the media
 * server). It knows requests, connections and error mapping, and nothing of
 * any service: what a service adds (a token refresh before a request and a
 * retry after one, reading its error bodies) comes in through hooks.
 *
 * A transport owns one easy handle inside one multi handle: reusing the easy
 * handle keeps its connection alive between requests, and the multi handle
 * lets every operation also run without blocking (start, progress, finish).
 * A service embeds one plex__http per connection it keeps (a client, a
 * server, an event stream) and sets its configuration fields directly.
 *
 * http.c is the only file that includes <curl/curl.h>.
 */
#ifndef PLEX_NET_HTTP_H
#define PLEX_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "plex/client.h"
#include "plex/wait.h"

/* X-Plex-Client-Identifier, -Product, -Version, -Platform, -Platform-Version,
 * -Device, -Device-Name, -Model, -Device-Vendor (http.c identity_names). */
#define PLEX__IDENTITY_COUNT 9

/* The header name of identity[i] ("X-Plex-Client-Identifier"...), or NULL. */
const char *plex__http_identity_name(int i);

typedef struct plex__http plex__http;

/* What a service adds to its transport; every member may be NULL. */
typedef struct plex__http_hooks {
    /* Before a blocking request is sent: 0 to send it, or an error
     * (recorded on the transport). */
    int (*before)(plex__http *h, void *ctx);
    /* A blocking request failed with rc: 1 to send it once more (the hook
     * fixed the cause, e.g. refreshed a token), 0 to keep rc, or an error. */
    int (*retry)(plex__http *h, void *ctx, int rc);
    /* A non-2xx answer whose body is in h->body: set h->last.api_code if the
     * body says one, possibly change *code (the mapped plex_error_code), and
     * return a short explanation for the message (valid until the next
     * request), or NULL for the transport's own reading of the body. */
    const char *(*explain)(plex__http *h, void *ctx, long status, int *code);
    void *ctx;
} plex__http_hooks;

/* One request. Unset members (a designated initializer) mean the default. */
typedef struct plex__request {
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    const char *base;   /* scheme://host[:port] without '/'; NULL: h->base_url */
    const char *path;   /* appended to the base: "/api/v2/pins" */
    const char *query;  /* encoded query string without '?', or NULL */
    const char *body;   /* request body (copied when the request starts), or NULL */
    size_t body_len;
    const char *content_type;   /* of the body */
    const char *log_path;       /* the path as logs may show it (secrets redacted); NULL: path */
    const char *accept;         /* Accept header; NULL: application/json */
    const char *const *headers; /* more "Name: value" lines, NULL-terminated; or NULL */
    unsigned int flags;         /* PLEX__REQ_* */
    long timeout_ms;            /* whole request; 0: h->request_timeout_ms; -1: none (then a
                                   transfer that stalls for h->request_timeout_ms fails) */
    /* Where a 2xx body goes instead of h->body (pages decoded as they arrive,
     * downloads): 0 to go on, or an error code, which the sink records with
     * plex__http_fail() first; the request then ends with that code. */
    int (*sink)(void *ctx, const char *data, size_t n);
    void *sink_ctx;
    /* Transfer progress (bytes of the body so far, the expected total or -1):
     * non-zero cancels the request (PLEX_ECANCELLED). */
    int (*progress)(void *ctx, int64_t now, int64_t total);
    void *progress_ctx;
} plex__request;

enum {
    PLEX__REQ_ANY_BODY = 1u << 0, /* a 2xx body need not be JSON or XML (writes, bytes) */
    PLEX__REQ_NO_HOOKS = 1u << 1  /* bypass hooks.before/retry (the hook's own requests) */
};

typedef struct plex__response {
    long status;
    const char *body; /* borrowed from the transport until the next request */
    size_t len;
} plex__response;

struct plex__http {
    /* configuration: set by the owner; strings are owned (plex__free) */
    char *identity[PLEX__IDENTITY_COUNT]; /* X-Plex-* values, or NULL */
    char *base_url;                       /* default base of requests, no trailing '/'; or NULL */
    char *token;                          /* X-Plex-Token, or NULL */
    char *ca_file;                        /* PEM CA bundle, or NULL for the system's */
    long connect_timeout_ms;
    long request_timeout_ms;
    size_t max_response; /* bytes of a body kept in h->body */
    plex_log_cb log;
    void *log_payload;
    unsigned int flags; /* PLEX_CLIENT_LOG_SECRETS */
    plex__http_hooks hooks;

    /* state */
    void *easy;          /* CURL * */
    void *multi;         /* CURLM * */
    void *headers;       /* struct curl_slist * of the request in flight */
    void *resolve;       /* struct curl_slist * of pinned addresses (plex.direct) */
    int busy;            /* a request is in flight */
    int too_big;         /* the body passed max_response */
    int is_xml, is_json; /* the last response's Content-Type */
    /* the same without parameters, "" until its header came (a sink can tell
     * it has this response's headers) */
    char content_type[64];
    int sink_rc;      /* the sink's error, or 0 */
    long retry_after; /* Retry-After of the last response, or -1 */
    plex__buf body;   /* the last response's body (without a sink, or not 2xx) */
    char *log_path;   /* what the log shows of the request in flight */
    const char *method;
    long start_ms;
    unsigned int req_flags;
    int (*sink)(void *ctx, const char *data, size_t n);
    void *sink_ctx;
    int (*progress)(void *ctx, int64_t now, int64_t total);
    void *progress_ctx;

    plex_error last; /* the most recent failure */
    plex_client_stats stats;
    char curl_errbuf[256]; /* CURL_ERROR_SIZE */
};

/* Copy the configuration of `from` (identity, token, CA file, pinned
 * plex.direct addresses, timeouts, limits, log) into a zeroed `to`; base_url
 * and hooks are not copied. 0 or PLEX_ENOMEM (to is then disposed). */
int plex__http_init_from(plex__http *to, const plex__http *from);

/* Free the handles, the strings and the buffers; the struct may be reused
 * after zeroing. */
void plex__http_dispose(plex__http *h);

/* Set an owned string member (NULL clears). 0 or PLEX_ENOMEM. */
int plex__http_set(char **slot, const char *value);

/* Start a request without waiting. 0 or an error (recorded). */
int plex__http_start(plex__http *h, const plex__request *r);

/* Make progress without blocking; *done becomes 1 when the request finished. */
int plex__http_progress(plex__http *h, int *done);

/* After *done: the outcome. 0 for 2xx (resp filled), or the mapped error
 * recorded in h->last (status, server details through hooks.explain). */
int plex__http_finish(plex__http *h, plex__response *resp);

/* What to wait for before calling plex__http_progress again. */
void plex__http_wait_info(plex__http *h, plex_wait_info *w);

/* Wait (poll(2)) for what a step call asked for in w, at most max_ms: the
 * blocking forms of the step calls (a signal ends the wait early). */
void plex__wait_poll(const plex_wait_info *w, long max_ms);

/* Wait up to timeout_ms for the request in flight to have something to do
 * (curl_multi_poll). 0 or PLEX_ERROR (recorded). */
int plex__http_wait(plex__http *h, int timeout_ms);

/* Drop the request in flight, if any. */
void plex__http_abort(plex__http *h);

/* Start, wait, finish: a blocking request, with hooks.before first and
 * hooks.retry after a failure (unless PLEX__REQ_NO_HOOKS). */
int plex__http_request(plex__http *h, const plex__request *r, plex__response *resp);

/* The status of the response being received (0 before its headers), and
 * its Content-Length (-1 when unknown): for sinks. */
long plex__http_status(plex__http *h);
int64_t plex__http_content_length(plex__http *h);

/* The value of a response header of the request in flight or the last one
 * (the last line of that name), or NULL: borrowed until the next request. */
const char *plex__http_header(plex__http *h, const char *name);

/* How a response body (or its first piece) is to be read: *start gets the
 * offset past its leading blanks; 1 for XML (an XML Content-Type, or a
 * leading '<'), 0 for JSON, -1 when there is nothing but blanks. */
int plex__http_body_kind(const plex__http *h, const char *data, size_t n, size_t *start);

/* 0 when the response's Content-Type is JSON or XML, else PLEX_EPARSE
 * (recorded): a 2xx page that is not data (an HTML page from a proxy or a
 * captive portal), told apart the same way whether the body is kept, fed to
 * a sink or allowed to be anything (read only when there is one). */
int plex__http_check_data(plex__http *h);

/* Record an error on the transport (message formatted); returns code. */
int plex__http_fail(plex__http *h, int code, const char *fmt, ...) PLEX__PRINTF(3, 4);

/* Log a line (already redacted) if a log callback is set. */
void plex__http_log(plex__http *h, int level, const char *fmt, ...) PLEX__PRINTF(3, 4);

/*
 * Connect to the address a plex.direct name spells instead of asking DNS:
 * for https://1-2-3-4.<hash>.plex.direct:PORT (IPv4 dashed, or IPv6 with
 * '-' for ':'), pin the name to 1.2.3.4 (CURLOPT_RESOLVE) so that routers
 * that refuse to resolve names of private addresses (DNS-rebinding
 * protection) cannot break local connections; TLS is still verified against
 * the name. Other URLs are left alone. 1 pinned, 0 not a plex.direct URL,
 * PLEX_ENOMEM.
 */
int plex__http_pin_plex_direct(plex__http *h, const char *url);

/* The address a plex.direct host name spells, written to addr (a numeric
 * IPv4 or IPv6 address): 1, or 0 if host is not such a name. */
int plex__plex_direct_address(const char *host, size_t host_len, char *addr, size_t size);

/* 1 if the URL's host is a loopback address (127.0.0.0/8, ::1) or "localhost",
 * 0 if not, -1 when out of memory. */
int plex__url_is_loopback(const char *url);

/* One URL of a race (plex__http_race). */
typedef struct plex__probe {
    const char *url;     /* in: the URL to GET */
    long start_after_ms; /* in: start this late, or as soon as all started ones failed */
    int started;         /* out: it was started */
    int result;          /* out: 0 (2xx), a plex_error_code, PLEX_ECANCELLED (another
                            won first) or PLEX_ETIMEOUT (the deadline passed) */
    long http_status;    /* out: 0 without an answer */
    long elapsed_ms;     /* out: from the start of the race to its end */
} plex__probe;

/* GET the URLs in parallel on their own multi handle (no threads) with the
 * transport's identity and `token`; the first 2xx within deadline_ms wins
 * (*winner = its index). Returns 0, PLEX_ETIMEOUT or PLEX_ECONNECT (all
 * failed), recorded on the transport. */
int plex__http_race(plex__http *h, plex__probe *p, size_t n, const char *token, long deadline_ms,
                    size_t *winner);

/* Milliseconds of a monotonic clock. */
long plex__now_ms(void);

#endif

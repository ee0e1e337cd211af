/*
 * struct plex_client and the internal HTTP interface (implemented in http.c,
 * the only file that includes <curl/curl.h>).
 */
#ifndef PLEX_CLIENT_INTERNAL_H
#define PLEX_CLIENT_INTERNAL_H

#include "core/buf.h"
#include "core/url.h"
#include "plex/auth.h"
#include "plex/client.h"
#include "plex/jwt.h"

struct plex_client {
    char *base_url;             /* no trailing slash */
    char *clients_url;          /* the JWT API: https://clients.plex.tv for plex.tv, else base_url */
    char *identity[9];          /* X-Plex-* values, see http.c identity_names */
    char *token;
    char *ca_file;
    long connect_timeout_ms;
    long request_timeout_ms;
    size_t max_response;
    plex_log_cb log;
    void *log_payload;
    unsigned int flags;

    void *easy;                 /* CURL * */
    void *multi;                /* CURLM * */
    void *headers;              /* struct curl_slist * of the request in flight */
    int busy;                   /* a request is in flight */
    int too_big;                /* the body passed max_response */
    long retry_after;           /* Retry-After of the last response, or -1 */
    int is_xml;                 /* the last response's Content-Type */
    int is_json;
    plex__buf body;             /* the last response's body */
    char *log_path;             /* what the log shows of the request in flight */
    const char *method;
    long start_ms;

    /* automatic JWT refresh (plex_client_set_jwt_refresh, jwt_ops.c) */
    plex_jwt_key *jwt_key;      /* our own reference, or NULL: off */
    plex_token_cb on_token;
    void *on_token_payload;
    int refreshing;             /* a refresh is in progress: no nested one */
    long refresh_not_before_ms; /* after a failed early refresh, wait until then */

    plex_error last;
    plex_api_errors *last_api_errors;
    plex_client_stats stats;
    char curl_errbuf[256];      /* CURL_ERROR_SIZE */
};

typedef struct plex__request {
    const char *method;         /* "GET", "POST", "PUT", "DELETE" */
    const char *path;           /* appended to the base URL: "/api/v2/pins" */
    const char *query;          /* encoded query string without '?', or NULL */
    const char *body;           /* request body, or NULL */
    size_t body_len;
    const char *content_type;   /* of the body */
    const char *log_path;       /* the path as logs may show it (secrets redacted); NULL = path */
    int clients_host;           /* 1: send to the clients API host (clients_url), 0: base_url */
} plex__request;

typedef struct plex__response {
    long status;
    const char *body;           /* borrowed from the client until the next request */
    size_t len;
} plex__response;

/* Start a request without waiting. Returns 0 or an error (recorded). */
int plex__http_start(plex_client *c, const plex__request *r);

/* Make progress without blocking; *done becomes 1 when the request finished. */
int plex__http_progress(plex_client *c, int *done);

/* After *done: the outcome. 0 for 2xx (resp filled), or the mapped error,
 * recorded in c->last (with the server's errors[] in c->last_api_errors). */
int plex__http_finish(plex_client *c, plex__response *resp);

/* What to wait for before calling plex__http_progress again. */
void plex__http_wait_info(plex_client *c, plex_login_wait_info *w);

/* Drop the request in flight, if any. */
void plex__http_abort(plex_client *c);

/* Free the handles of a client. */
void plex__http_cleanup(plex_client *c);

/* 1 if the URL's host is a loopback address (127.0.0.0/8, ::1) or "localhost",
 * 0 if not, -1 when out of memory. */
int plex__url_is_loopback(const char *url);

/* Start, wait, finish: a blocking request. With automatic JWT refresh on,
 * the token is refreshed first when due, and once after a 498 answer. */
int plex__http_request(plex_client *c, const plex__request *r, plex__response *resp);

/* jwt_ops.c: automatic refresh. `answered_498` is 0 before a request (refresh
 * when due) and 1 after the server said the token expired (refresh now).
 * Returns 0 when the request may go (ahead), or the refresh's error. */
int plex__jwt_auto_refresh(plex_client *c, int answered_498);

/* One URL of a race (plex__http_race). */
typedef struct plex__probe {
    const char *url;        /* in: the URL to GET */
    long start_after_ms;    /* in: start this late, or as soon as all started ones failed */
    int started;            /* out: it was started */
    int result;             /* out: 0 (2xx), a plex_error_code, PLEX_ECANCELLED (another
                               won first) or PLEX_ETIMEOUT (the deadline passed) */
    long http_status;       /* out: 0 without an answer */
    long elapsed_ms;        /* out: from the start of the race to its end */
} plex__probe;

/* GET the URLs in parallel on their own multi handle (no threads) with the
 * client's identity and `token`; the first 2xx within deadline_ms wins
 * (*winner = its index). Returns 0, PLEX_ETIMEOUT or PLEX_ECONNECT (all
 * failed), recorded on the client. */
int plex__http_race(plex_client *c, plex__probe *p, size_t n, const char *token,
                    long deadline_ms, size_t *winner);

/* Record an error on the client (message formatted); returns code. */
int plex__client_fail(plex_client *c, int code, const char *fmt, ...) PLEX__PRINTF(3, 4);

/* Log a line (already redacted) if a log callback is set. */
void plex__client_log(plex_client *c, int level, const char *fmt, ...) PLEX__PRINTF(3, 4);

/* Milliseconds of a monotonic clock. */
long plex__now_ms(void);


#endif

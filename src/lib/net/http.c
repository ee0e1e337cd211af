/*
 * HTTP transport on libcurl: the only file that includes <curl/curl.h>.
 *
 * Each client owns one easy handle inside one multi handle. Reusing the easy
 * handle keeps its connection alive between requests, so a whole sign-in is
 * one TCP (and TLS) connection. The multi handle lets the sign-in step API
 * run without blocking.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <time.h>

#include "core/alloc.h"
#include "tv/client.h"
#include "core/error.h"
#include "plex/version.h"

int plex_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : PLEX_ERROR;
}

void plex_global_cleanup(void)
{
    curl_global_cleanup();
}

long plex__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void plex__client_log(plex_client *c, int level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!c->log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    c->log(level, line, c->log_payload);
}

int plex__client_fail(plex_client *c, int code, const char *fmt, ...)
{
    va_list ap;
    int status = c->last.http_status, api = c->last.api_code, ra = c->last.retry_after;
    int cc = c->last.curl_code;

    plex_error_clear(&c->last);
    c->last.code = code;
    c->last.http_status = status;
    c->last.api_code = api;
    c->last.retry_after = ra;
    c->last.curl_code = cc;
    va_start(ap, fmt);
    vsnprintf(c->last.message, sizeof(c->last.message), fmt, ap);
    va_end(ap);
    return code;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    plex_client *c = userp;
    size_t len = size * n;

    if (c->body.len + len > c->max_response) {
        c->too_big = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    plex__buf_put(&c->body, data, len);
    return c->body.err ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    plex_client *c = userp;
    size_t len = size * n;

    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        long v = 0;
        size_t i = 12;
        while (i < len && (data[i] == ' ' || data[i] == '\t'))
            i++;
        if (i < len && data[i] >= '0' && data[i] <= '9') {
            for (; i < len && data[i] >= '0' && data[i] <= '9' && v < 86400; i++)
                v = v * 10 + (data[i] - '0');
            c->retry_after = v;
        }
    } else if (len > 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
        char ct[64];
        size_t i = 13, k = 0;
        while (i < len && data[i] == ' ')
            i++;
        while (i < len && k < sizeof(ct) - 1 && data[i] != ';' && data[i] != '\r')
            ct[k++] = data[i++];
        ct[k] = '\0';
        c->is_json = strcasecmp(ct, "application/json") == 0;
        c->is_xml = strcasecmp(ct, "application/xml") == 0 || strcasecmp(ct, "text/xml") == 0;
    }
    return len;
}

static const char *const identity_names[9] = {
    "X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Version",
    "X-Plex-Platform",          "X-Plex-Platform-Version", "X-Plex-Device",
    "X-Plex-Device-Name",       "X-Plex-Model",   "X-Plex-Device-Vendor"};

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value,
                                     int *failed)
{
    char line[1024];
    struct curl_slist *next;

    if (*failed)
        return list;
    if ((size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >= sizeof(line)) {
        *failed = 1;
        return list;
    }
    next = curl_slist_append(list, line);
    if (!next)
        *failed = 1;
    return next ? next : list;
}

/* The options of a new easy handle: CURLE_OK or the first failure. */
static CURLcode setup_easy(plex_client *c, CURL *h)
{
    CURLcode rc = CURLE_OK;

#define OPT(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(h, opt, val)
    OPT(CURLOPT_ERRORBUFFER, c->curl_errbuf);
    OPT(CURLOPT_NOSIGNAL, 1L);
    OPT(CURLOPT_WRITEFUNCTION, on_body);
    OPT(CURLOPT_WRITEDATA, c);
    OPT(CURLOPT_HEADERFUNCTION, on_header);
    OPT(CURLOPT_HEADERDATA, c);
    OPT(CURLOPT_SSL_VERIFYPEER, 1L);
    OPT(CURLOPT_SSL_VERIFYHOST, 2L);
    OPT(CURLOPT_FOLLOWLOCATION, 0L);
    OPT(CURLOPT_PROTOCOLS_STR, "http,https");
    OPT(CURLOPT_TCP_KEEPALIVE, 1L);
    OPT(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    OPT(CURLOPT_TIMEOUT_MS, c->request_timeout_ms);
    OPT(CURLOPT_USERAGENT, "libplex/" PLEX_VERSION_STRING);
    OPT(CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    if (c->ca_file)
        OPT(CURLOPT_CAINFO, c->ca_file);
#undef OPT
    return rc;
}

/* Create the handles on first use: both fully set up, or neither kept. */
static int ensure_handles(plex_client *c)
{
    CURLM *m;
    CURL *h;
    CURLcode rc;

    if (c->easy)
        return 0;
    m = curl_multi_init();
    h = curl_easy_init();
    if (!m || !h) {
        curl_easy_cleanup(h); /* both accept NULL */
        curl_multi_cleanup(m);
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory creating the HTTP handles");
    }
    if ((rc = setup_easy(c, h)) != CURLE_OK) {
        curl_easy_cleanup(h);
        curl_multi_cleanup(m);
        if (rc == CURLE_OUT_OF_MEMORY)
            return plex__client_fail(c, PLEX_ENOMEM, "out of memory setting up libcurl");
        return plex__client_fail(c, PLEX_ERROR, "libcurl refused an option: %s",
                                 curl_easy_strerror(rc));
    }
    c->multi = m;
    c->easy = h;
    return 0;
}

int plex__http_start(plex_client *c, const plex__request *r)
{
    plex__buf url = PLEX__BUF_INIT;
    struct curl_slist *hdr = NULL;
    CURL *h;
    int failed = 0, rc;

    if (c->busy)
        return plex__client_fail(c, PLEX_EINVALID, "a request is already in flight");
    if ((rc = ensure_handles(c)) != 0)
        return rc;
    h = c->easy;
    plex_error_clear(&c->last);
    plex_api_errors_free(c->last_api_errors);
    c->last_api_errors = NULL;
    c->body.len = 0;
    c->body.err = 0;
    c->too_big = 0;
    c->retry_after = -1;
    c->is_json = c->is_xml = 0;
    c->curl_errbuf[0] = '\0';

    plex__buf_puts(&url, r->clients_host ? c->clients_url : c->base_url);
    plex__buf_puts(&url, r->path);
    if (r->query) {
        plex__buf_putc(&url, '?');
        plex__buf_puts(&url, r->query);
    }
    hdr = add_header(hdr, "Accept", "application/json", &failed);
    for (int i = 0; i < 9; i++)
        if (c->identity[i])
            hdr = add_header(hdr, identity_names[i], c->identity[i], &failed);
    if (c->token)
        hdr = add_header(hdr, "X-Plex-Token", c->token, &failed);
    if (r->content_type)
        hdr = add_header(hdr, "Content-Type", r->content_type, &failed);
    hdr = add_header(hdr, "Expect", "", &failed);
    if (failed || url.err) {
        curl_slist_free_all(hdr);
        plex__buf_dispose(&url);
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory building the request");
    }

    if (curl_easy_setopt(h, CURLOPT_URL, url.ptr) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
                         strcmp(r->method, "GET") == 0 ? NULL : r->method) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK) {
        curl_slist_free_all(hdr);
        plex__buf_dispose(&url);
        return plex__client_fail(c, PLEX_ERROR, "libcurl refused the request");
    }
    if (r->body || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0) {
        if (curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)r->body_len) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, r->body ? r->body : "") != CURLE_OK) {
            curl_slist_free_all(hdr);
            plex__buf_dispose(&url);
            return plex__client_fail(c, PLEX_ERROR, "libcurl refused the request body");
        }
    }
    plex__buf_dispose(&url);

    curl_slist_free_all(c->headers);
    c->headers = hdr;
    plex__free(c->log_path);
    c->log_path = plex__strdup(r->log_path ? r->log_path : r->path);
    c->method = r->method;
    if (curl_multi_add_handle(c->multi, h) != CURLM_OK)
        return plex__client_fail(c, PLEX_ERROR, "libcurl could not start the request");
    c->busy = 1;
    c->start_ms = plex__now_ms();
    c->stats.requests++;
    return 0;
}

int plex__http_progress(plex_client *c, int *done)
{
    int running = 0, left;
    CURLMsg *m;

    *done = 0;
    if (!c->busy) {
        *done = 1;
        return 0;
    }
    if (curl_multi_perform(c->multi, &running) != CURLM_OK)
        return plex__client_fail(c, PLEX_ERROR, "libcurl failed");
    while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == c->easy) {
            c->last.curl_code = (int)m->data.result;
            *done = 1;
        }
    }
    return 0;
}

static int map_curl(plex_client *c, CURLcode cc)
{
    const char *detail = c->curl_errbuf[0] ? c->curl_errbuf : curl_easy_strerror(cc);

    c->last.curl_code = (int)cc;
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return plex__client_fail(c, PLEX_EDNS,
                                 "could not resolve the server's name (%s): check the network "
                                 "and the base URL",
                                 detail);
    case CURLE_COULDNT_CONNECT:
        return plex__client_fail(c, PLEX_ECONNECT,
                                 "could not connect to the server (%s): is the network up?",
                                 detail);
    case CURLE_OPERATION_TIMEDOUT:
        return plex__client_fail(c, PLEX_ETIMEOUT, "the server did not answer in time (%s)",
                                 detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return plex__client_fail(c, PLEX_ETLS,
                                 "TLS failed (%s): the server's certificate is not trusted; "
                                 "check the system clock and the CA file",
                                 detail);
    case CURLE_OUT_OF_MEMORY:
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory in libcurl");
    case CURLE_WRITE_ERROR:
        if (c->too_big)
            return plex__client_fail(c, PLEX_ETOOBIG,
                                     "the response is larger than the limit of %zu bytes",
                                     c->max_response);
        if (c->body.err)
            return plex__client_fail(c, PLEX_ENOMEM, "out of memory reading the response");
        /* fall through */
    default:
        return plex__client_fail(c, PLEX_ETRANSPORT, "network error (%s)", detail);
    }
}

/* Parse the server's errors[] from a failed response into c->last_api_errors. */
static void read_api_errors(plex_client *c)
{
    const char *b = c->body.ptr;
    size_t n = c->body.len, i = 0;
    int rc;

    if (!b || !n)
        return;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        i++;
    if (i < n && b[i] == '<')
        rc = plex_api_errors_parse_xml(&c->last_api_errors, b, n, 0, NULL);
    else
        rc = plex_api_errors_parse(&c->last_api_errors, b, n, 0, NULL);
    if (rc == 0 && plex_api_errors_count(c->last_api_errors) > 0)
        c->last.api_code = plex_api_errors_at(c->last_api_errors, 0)->code;
}

/* The server's first message, for error texts. */
static const char *api_message(const plex_client *c)
{
    const plex_api_error *e = plex_api_errors_at(c->last_api_errors, 0);
    return e && e->message ? e->message : "no details";
}

static int map_status(plex_client *c, long status)
{
    read_api_errors(c);
    c->last.http_status = (int)status;
    if (status == 429) {
        c->last.retry_after = (int)c->retry_after;
        return plex__client_fail(c, PLEX_ERATELIMIT, "rate limited by the server (%s); %s",
                                 api_message(c),
                                 c->retry_after >= 0 ? "it asks to wait before retrying"
                                                     : "wait before retrying");
    }
    if (status == 401 || status == 403 || status == 498)
        return plex__client_fail(c, PLEX_EAUTH,
                                 "not authorised (HTTP %ld: %s): sign in again", status,
                                 api_message(c));
    if (status == 404 && c->last.api_code == 1020)
        return plex__client_fail(c, PLEX_EGONE,
                                 "the PIN is gone: it expired, was already used, or was created "
                                 "by another client identifier");
    if (status == 404)
        return plex__client_fail(c, PLEX_ENOTFOUND, "not found (HTTP 404: %s)", api_message(c));
    if (status == 400)
        return plex__client_fail(c, PLEX_EBADREQUEST, "the server rejected the request (%s)",
                                 api_message(c));
    if (status >= 500)
        return plex__client_fail(c, PLEX_ESERVER,
                                 "the server failed (HTTP %ld: %s); try again later", status,
                                 api_message(c));
    return plex__client_fail(c, PLEX_EHTTP, "unexpected HTTP status %ld (%s)", status,
                             api_message(c));
}

int plex__http_finish(plex_client *c, plex__response *resp)
{
    CURLcode cc = (CURLcode)c->last.curl_code;
    long status = 0, conns = 0;
    int rc;

    if (!c->busy)
        return plex__client_fail(c, PLEX_EINVALID, "no request in flight");
    curl_multi_remove_handle(c->multi, c->easy);
    c->busy = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &conns);
    c->stats.connections += (unsigned long)conns;

    if (cc != CURLE_OK)
        rc = map_curl(c, cc);
    else if (status < 200 || status > 299)
        rc = map_status(c, status);
    else
        rc = 0;
    plex__client_log(c, PLEX_LOG_DEBUG, "%s %s -> %ld%s%s (%ld ms, %zu bytes%s)", c->method,
                     c->log_path ? c->log_path : "?", status, rc ? ": " : "",
                     rc ? plex_strerror(rc) : "", plex__now_ms() - c->start_ms, c->body.len,
                     conns ? ", new connection" : "");
    if (rc)
        return rc;
    if (c->body.err)
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory reading the response");
    resp->status = status;
    resp->body = c->body.ptr ? c->body.ptr : "";
    resp->len = c->body.len;
    if (resp->len && c->is_xml == 0 && c->is_json == 0) {
        /* 2xx with a body that is not JSON (an HTML error page from a proxy, say) */
        return plex__client_fail(c, PLEX_EPARSE,
                                 "the server answered with something other than JSON "
                                 "(is the base URL right?)");
    }
    return 0;
}

void plex__http_wait_info(plex_client *c, plex_login_wait_info *w)
{
    fd_set r, wr, ex;
    int maxfd = -1;
    long t = -1;

    w->nfds = 0;
    for (int i = 0; i < 4; i++) {
        w->fds[i] = -1;
        w->events[i] = 0;
    }
    w->timeout_ms = 1000;
    if (!c->busy)
        return;
    FD_ZERO(&r);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    if (curl_multi_fdset(c->multi, &r, &wr, &ex, &maxfd) == CURLM_OK) {
        for (int fd = 0; fd <= maxfd && w->nfds < 4; fd++) {
            short ev = (short)((FD_ISSET(fd, &r) ? PLEX_WAIT_READ : 0) |
                               (FD_ISSET(fd, &wr) ? PLEX_WAIT_WRITE : 0));
            if (ev) {
                w->fds[w->nfds] = fd;
                w->events[w->nfds++] = ev;
            }
        }
    }
    if (curl_multi_timeout(c->multi, &t) == CURLM_OK && t >= 0)
        w->timeout_ms = t;
    if (w->nfds == 0 && (t < 0 || t > 100))
        w->timeout_ms = 100; /* no socket yet (resolving): look again soon */
}

void plex__http_abort(plex_client *c)
{
    if (c->busy) {
        curl_multi_remove_handle(c->multi, c->easy);
        c->busy = 0;
    }
}

static int request_once(plex_client *c, const plex__request *r, plex__response *resp)
{
    int rc = plex__http_start(c, r), done = 0;

    if (rc)
        return rc;
    for (;;) {
        if ((rc = plex__http_progress(c, &done)) != 0) {
            plex__http_abort(c);
            return rc;
        }
        if (done)
            break;
        if (curl_multi_poll(c->multi, NULL, 0, 1000, NULL) != CURLM_OK) {
            plex__http_abort(c);
            return plex__client_fail(c, PLEX_ERROR, "libcurl failed while waiting");
        }
    }
    return plex__http_finish(c, resp);
}

int plex__http_request(plex_client *c, const plex__request *r, plex__response *resp)
{
    int rc;

    if (!c->jwt_key || c->refreshing || !c->token)
        return request_once(c, r, resp);
    if ((rc = plex__jwt_auto_refresh(c, 0)) != 0)
        return rc;
    rc = request_once(c, r, resp);
    if (rc == PLEX_EAUTH && c->last.http_status == 498) {
        if ((rc = plex__jwt_auto_refresh(c, 1)) != 0)
            return rc;
        rc = request_once(c, r, resp);
    }
    return rc;
}

void plex__http_cleanup(plex_client *c)
{
    plex__http_abort(c);
    if (c->easy)
        curl_easy_cleanup(c->easy);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    curl_slist_free_all(c->headers);
    c->easy = c->multi = c->headers = NULL;
}

int plex__url_is_loopback(const char *url)
{
    CURLU *u = curl_url();
    CURLUcode uc;
    char *host = NULL;
    int loop = 0;

    if (!u)
        return -1;
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc == CURLUE_OUT_OF_MEMORY) {
        loop = -1;
    } else if (uc == CURLUE_OK) {
        struct in_addr a4;
        loop = strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
               (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127);
        curl_free(host);
    }
    curl_url_cleanup(u);
    return loop;
}

/* ---- racing several URLs (best connection) ---- */

/* The signature is libcurl's CURLOPT_WRITEFUNCTION, so data stays non-const. */
/* NOLINTNEXTLINE(readability-non-const-parameter): a libcurl callback */
static size_t discard_body(char *data, size_t size, size_t n, void *userp)
{
    (void)data;
    (void)userp;
    return size * n;
}

static int probe_result(CURLcode cc, long status)
{
    switch (cc) {
    case CURLE_OK:
        return status >= 200 && status < 300 ? 0 : status == 401 || status == 403 ? PLEX_EAUTH
                                                                                  : PLEX_EHTTP;
    case CURLE_COULDNT_RESOLVE_HOST:
        return PLEX_EDNS;
    case CURLE_COULDNT_CONNECT:
        return PLEX_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return PLEX_ETIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return PLEX_ETLS;
    default:
        return PLEX_ETRANSPORT;
    }
}

/* A configured easy handle for one probe, or NULL. */
static CURL *probe_handle(plex_client *c, const plex__probe *p, struct curl_slist *hdr,
                          long remaining_ms)
{
    CURL *h = curl_easy_init();

    if (!h)
        return NULL;
    if (curl_easy_setopt(h, CURLOPT_URL, p->url) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                         remaining_ms < c->connect_timeout_ms ? remaining_ms
                                                              : c->connect_timeout_ms) !=
            CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, remaining_ms) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_USERAGENT, "libplex/" PLEX_VERSION_STRING) != CURLE_OK ||
        (c->ca_file && curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) != CURLE_OK)) {
        curl_easy_cleanup(h);
        return NULL;
    }
    return h;
}

int plex__http_race(plex_client *c, plex__probe *p, size_t n, const char *token,
                    long deadline_ms, size_t *winner)
{
    CURLM *m;
    CURL **h;
    struct curl_slist *hdr = NULL;
    long t0 = plex__now_ms();
    size_t running = 0, finished = 0, i;
    int failed = 0, rc = PLEX_ECONNECT;

    *winner = (size_t)-1;
    for (i = 0; i < n; i++) {
        p[i].result = PLEX_ECANCELLED;
        p[i].started = 0;
        p[i].http_status = 0;
        p[i].elapsed_ms = 0;
    }
    if (n == 0)
        return PLEX_ECONNECT;
    for (i = 0; i < 9; i++)
        if (c->identity[i])
            hdr = add_header(hdr, identity_names[i], c->identity[i], &failed);
    if (token)
        hdr = add_header(hdr, "X-Plex-Token", token, &failed);
    hdr = add_header(hdr, "Accept", "application/json", &failed);
    m = curl_multi_init();
    h = plex__calloc(n, sizeof(*h));
    if (failed || !m || !h) {
        curl_slist_free_all(hdr);
        if (m)
            curl_multi_cleanup(m);
        plex__free(h);
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory");
    }
    for (;;) {
        long now = plex__now_ms() - t0;
        CURLMsg *msg;
        int still, left;

        if (now >= deadline_ms) {
            rc = PLEX_ETIMEOUT;
            break;
        }
        /* start what is due: a probe starts at its start_after_ms, or at once
         * when everything started before it has failed */
        for (i = 0; i < n; i++) {
            if (p[i].started || !(p[i].start_after_ms <= now || running == 0))
                continue;
            h[i] = probe_handle(c, &p[i], hdr, deadline_ms - now);
            if (!h[i] || curl_multi_add_handle(m, h[i]) != CURLM_OK) {
                if (h[i])
                    curl_easy_cleanup(h[i]);
                h[i] = NULL;
                p[i].started = 1;
                p[i].result = PLEX_ENOMEM;
                finished++;
                continue;
            }
            p[i].started = 1;
            running++;
        }
        if (finished == n)
            break;
        if (curl_multi_perform(m, &still) != CURLM_OK) {
            rc = plex__client_fail(c, PLEX_ERROR, "libcurl failed while connecting");
            break;
        }
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            for (i = 0; i < n && h[i] != msg->easy_handle; i++)
                ;
            if (i == n)
                continue;
            curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &p[i].http_status);
            p[i].result = probe_result(msg->data.result, p[i].http_status);
            p[i].elapsed_ms = plex__now_ms() - t0;
            curl_multi_remove_handle(m, h[i]);
            curl_easy_cleanup(h[i]);
            h[i] = NULL;
            running--;
            finished++;
            if (p[i].result == 0 && *winner == (size_t)-1)
                *winner = i;
        }
        if (*winner != (size_t)-1) {
            rc = 0;
            break;
        }
        if (finished == n)
            break;
        {
            long wait = deadline_ms - (plex__now_ms() - t0);
            for (i = 0; i < n; i++)
                if (!p[i].started && p[i].start_after_ms - now < wait)
                    wait = p[i].start_after_ms - now;
            if (wait > 100)
                wait = 100;
            if (wait < 1)
                wait = 1;
            if (curl_multi_poll(m, NULL, 0, (int)wait, NULL) != CURLM_OK) {
                rc = plex__client_fail(c, PLEX_ERROR, "libcurl failed while waiting");
                break;
            }
        }
    }
    for (i = 0; i < n; i++) {
        if (h[i]) {
            curl_multi_remove_handle(m, h[i]);
            curl_easy_cleanup(h[i]);
            p[i].elapsed_ms = plex__now_ms() - t0;
            if (rc == PLEX_ETIMEOUT)
                p[i].result = PLEX_ETIMEOUT;
        }
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hdr);
    plex__free(h);
    /* libcurl's own timeout (set to the deadline) may fire first */
    for (i = 0; rc == PLEX_ECONNECT && i < n; i++)
        if (p[i].result == PLEX_ETIMEOUT)
            rc = PLEX_ETIMEOUT;
    if (rc == PLEX_ETIMEOUT)
        return plex__client_fail(c, PLEX_ETIMEOUT, "no connection answered within %ld ms",
                                 deadline_ms);
    if (rc == PLEX_ECONNECT)
        return plex__client_fail(c, PLEX_ECONNECT, "none of the %zu connections answered", n);
    return rc;
}

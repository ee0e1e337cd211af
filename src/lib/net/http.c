/*
 * The HTTP transport on libcurl (http.h): the only file that includes
 * <curl/curl.h>. One easy handle inside one multi handle per transport, so a
 * whole sign-in or a whole listing is one TCP (and TLS) connection, and every
 * request can also run without blocking.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "http.h"
#include "plex/version.h"

#define USER_AGENT "libplex/" PLEX_VERSION_STRING

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

void plex__http_log(plex__http *h, int level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!h->log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    h->log(level, line, h->log_payload);
}

int plex__http_fail(plex__http *h, int code, const char *fmt, ...)
{
    va_list ap;
    int status = h->last.http_status, api = h->last.api_code, ra = h->last.retry_after;
    int cc = h->last.curl_code;

    plex_error_clear(&h->last);
    h->last.code = code;
    h->last.http_status = status;
    h->last.api_code = api;
    h->last.retry_after = ra;
    h->last.curl_code = cc;
    va_start(ap, fmt);
    vsnprintf(h->last.message, sizeof(h->last.message), fmt, ap);
    va_end(ap);
    return code;
}

int plex__http_set(char **slot, const char *value)
{
    char *copy = NULL;

    if (value && !(copy = plex__strdup(value)))
        return PLEX_ENOMEM;
    plex__free(*slot);
    *slot = copy;
    return 0;
}

int plex__http_init_from(plex__http *to, const plex__http *from)
{
    int rc = 0;

    for (int i = 0; i < PLEX__IDENTITY_COUNT && rc == 0; i++)
        rc = plex__http_set(&to->identity[i], from->identity[i]);
    if (rc == 0)
        rc = plex__http_set(&to->token, from->token);
    if (rc == 0)
        rc = plex__http_set(&to->ca_file, from->ca_file);
    /* the pinned plex.direct names: a connection of its own (a download, a
     * playback) reaches the server by the same address, without DNS */
    for (const struct curl_slist *l = from->resolve; l && rc == 0; l = l->next) {
        struct curl_slist *next = curl_slist_append(to->resolve, l->data);
        if (next)
            to->resolve = next;
        else
            rc = PLEX_ENOMEM;
    }
    to->connect_timeout_ms = from->connect_timeout_ms;
    to->request_timeout_ms = from->request_timeout_ms;
    to->max_response = from->max_response;
    to->log = from->log;
    to->log_payload = from->log_payload;
    to->flags = from->flags;
    to->retry_after = -1;
    if (rc)
        plex__http_dispose(to);
    return rc;
}

/* ---- receiving ---- */

/* The signature is libcurl's CURLOPT_WRITEFUNCTION, so data stays non-const. */
/* NOLINTNEXTLINE(readability-non-const-parameter): a libcurl callback */
static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    plex__http *h = userp;
    size_t len = size * n;

    if (h->sink) {
        long status = plex__http_status(h);
        if (status >= 200 && status <= 299) {
            if ((h->sink_rc = h->sink(h->sink_ctx, data, len)) != 0)
                return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
            return len;
        }
    }
    if (h->body.len + len > h->max_response) {
        h->too_big = 1;
        return 0;
    }
    plex__buf_put(&h->body, data, len);
    return h->body.err ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    plex__http *h = userp;
    size_t len = size * n;

    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        long v = 0;
        size_t i = 12;
        while (i < len && (data[i] == ' ' || data[i] == '\t'))
            i++;
        if (i < len && data[i] >= '0' && data[i] <= '9') {
            for (; i < len && data[i] >= '0' && data[i] <= '9' && v < 86400; i++)
                v = v * 10 + (data[i] - '0');
            h->retry_after = v;
        }
    } else if (len > 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
        char ct[64];
        size_t i = 13, k = 0;
        while (i < len && data[i] == ' ')
            i++;
        while (i < len && k < sizeof(ct) - 1 && data[i] != ';' && data[i] != '\r')
            ct[k++] = data[i++];
        ct[k] = '\0';
        memcpy(h->content_type, ct, k + 1);
        h->is_json = strcasecmp(ct, "application/json") == 0;
        h->is_xml = strcasecmp(ct, "application/xml") == 0 || strcasecmp(ct, "text/xml") == 0;
    }
    return len;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    plex__http *h = userp;

    (void)ultotal;
    (void)ulnow;
    if (!h->progress || plex__http_status(h) / 100 != 2)
        return 0;
    return h->progress(h->progress_ctx, (int64_t)dlnow, dltotal > 0 ? (int64_t)dltotal : -1);
}

long plex__http_status(plex__http *h)
{
    long status = 0;

    if (h->easy)
        curl_easy_getinfo((CURL *)h->easy, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int64_t plex__http_content_length(plex__http *h)
{
    curl_off_t len = -1;

    if (!h->easy ||
        curl_easy_getinfo((CURL *)h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) != CURLE_OK)
        return -1;
    return len < 0 ? -1 : (int64_t)len;
}

const char *plex__http_header(plex__http *h, const char *name)
{
    struct curl_header *hd = NULL;

    if (!h->easy || curl_easy_header((CURL *)h->easy, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
        return NULL;
    return hd->value;
}

/* ---- sending ---- */

static const char *const identity_names[PLEX__IDENTITY_COUNT] = {
    "X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Version",     "X-Plex-Platform",
    "X-Plex-Platform-Version",  "X-Plex-Device",  "X-Plex-Device-Name", "X-Plex-Model",
    "X-Plex-Device-Vendor"};

const char *plex__http_identity_name(int i)
{
    return i >= 0 && i < PLEX__IDENTITY_COUNT ? identity_names[i] : NULL;
}

static struct curl_slist *add_line(struct curl_slist *list, const char *line, int *failed)
{
    struct curl_slist *next;

    if (*failed)
        return list;
    if (!(next = curl_slist_append(list, line)))
        *failed = 1;
    return next ? next : list;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value,
                                     int *failed)
{
    char line[1024];

    if (!*failed && (size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >= sizeof(line))
        *failed = 1;
    return add_line(list, line, failed);
}

/* The identity headers, Accept and the token: the start of every request's list. */
static struct curl_slist *base_headers(const plex__http *h, const char *accept, const char *token,
                                       int *failed)
{
    struct curl_slist *hdr = add_header(NULL, "Accept", accept, failed);

    for (int i = 0; i < PLEX__IDENTITY_COUNT; i++)
        if (h->identity[i])
            hdr = add_header(hdr, identity_names[i], h->identity[i], failed);
    if (token)
        hdr = add_header(hdr, "X-Plex-Token", token, failed);
    return hdr;
}

/* The options every easy handle of a transport has: CURLE_OK or the first failure. */
static CURLcode common_options(const plex__http *h, CURL *e)
{
    CURLcode rc = CURLE_OK;

#define OPT(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    OPT(CURLOPT_NOSIGNAL, 1L);
    OPT(CURLOPT_SSL_VERIFYPEER, 1L);
    OPT(CURLOPT_SSL_VERIFYHOST, 2L);
    OPT(CURLOPT_FOLLOWLOCATION, 0L);
    OPT(CURLOPT_PROTOCOLS_STR, "http,https");
    OPT(CURLOPT_USERAGENT, USER_AGENT);
    if (h->ca_file)
        OPT(CURLOPT_CAINFO, h->ca_file);
    if (h->resolve)
        OPT(CURLOPT_RESOLVE, (struct curl_slist *)h->resolve);
#undef OPT
    return rc;
}

/* The options of a transport's own easy handle. */
static CURLcode setup_easy(plex__http *h, CURL *e)
{
    CURLcode rc = common_options(h, e);

#define OPT(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    OPT(CURLOPT_ERRORBUFFER, h->curl_errbuf);
    OPT(CURLOPT_WRITEFUNCTION, on_body);
    OPT(CURLOPT_WRITEDATA, h);
    OPT(CURLOPT_HEADERFUNCTION, on_header);
    OPT(CURLOPT_HEADERDATA, h);
    OPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    OPT(CURLOPT_XFERINFODATA, h);
    OPT(CURLOPT_TCP_KEEPALIVE, 1L);
    OPT(CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    OPT(CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
#undef OPT
    return rc;
}

/* Create the handles on first use: both fully set up, or neither kept. */
static int ensure_handles(plex__http *h)
{
    CURLM *m;
    CURL *e;
    CURLcode rc;

    if (h->easy)
        return 0;
    m = curl_multi_init();
    e = curl_easy_init();
    if (!m || !e) {
        curl_easy_cleanup(e); /* both accept NULL */
        curl_multi_cleanup(m);
        return plex__http_fail(h, PLEX_ENOMEM, "out of memory creating the HTTP handles");
    }
    if ((rc = setup_easy(h, e)) != CURLE_OK) {
        curl_easy_cleanup(e);
        curl_multi_cleanup(m);
        if (rc == CURLE_OUT_OF_MEMORY)
            return plex__http_fail(h, PLEX_ENOMEM, "out of memory setting up libcurl");
        return plex__http_fail(h, PLEX_ERROR, "libcurl refused an option: %s",
                               curl_easy_strerror(rc));
    }
    h->multi = m;
    h->easy = e;
    return 0;
}

/* The per-request options: CURLE_OK or the first failure. */
static CURLcode request_options(plex__http *h, CURL *e, const plex__request *r, const char *url,
                                struct curl_slist *hdr)
{
    long timeout = r->timeout_ms ? r->timeout_ms : h->request_timeout_ms;
    int send_body = r->body || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0;
    CURLcode rc = CURLE_OK;

#define OPT(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(e, opt, val)
    OPT(CURLOPT_URL, url);
    OPT(CURLOPT_HTTPHEADER, hdr);
    OPT(CURLOPT_HTTPGET, 1L); /* forget the previous request's body */
    OPT(CURLOPT_CUSTOMREQUEST, strcmp(r->method, "GET") == 0 ? NULL : r->method);
    OPT(CURLOPT_NOBODY, strcmp(r->method, "HEAD") == 0 ? 1L : 0L);
    if (send_body) {
        OPT(CURLOPT_POSTFIELDSIZE, (long)r->body_len);
        OPT(CURLOPT_COPYPOSTFIELDS, r->body ? r->body : "");
    }
    /* no deadline: a transfer that stalls (under 1 byte/s) for the request
     * timeout fails instead */
    OPT(CURLOPT_TIMEOUT_MS, timeout > 0 ? timeout : 0L);
    OPT(CURLOPT_LOW_SPEED_LIMIT, timeout > 0 ? 0L : 1L);
    OPT(CURLOPT_LOW_SPEED_TIME, timeout > 0 ? 0L : (h->request_timeout_ms + 999) / 1000);
    OPT(CURLOPT_NOPROGRESS, r->progress ? 0L : 1L);
#undef OPT
    return rc;
}

int plex__http_start(plex__http *h, const plex__request *r)
{
    plex__buf url = PLEX__BUF_INIT;
    const char *base = r->base ? r->base : h->base_url;
    struct curl_slist *hdr;
    int failed = 0, rc;

    if (h->busy)
        return plex__http_fail(h, PLEX_EINVALID, "a request is already in flight");
    if (!base)
        return plex__http_fail(h, PLEX_EINVALID, "no base URL for the request");
    if ((rc = ensure_handles(h)) != 0)
        return rc;
    plex_error_clear(&h->last);
    h->body.len = 0;
    h->body.err = 0;
    h->too_big = 0;
    h->sink_rc = 0;
    h->retry_after = -1;
    h->is_json = h->is_xml = 0;
    h->content_type[0] = '\0';
    h->curl_errbuf[0] = '\0';

    plex__buf_puts(&url, base);
    plex__buf_puts(&url, r->path);
    if (r->query && *r->query) {
        plex__buf_putc(&url, '?');
        plex__buf_puts(&url, r->query);
    }
    hdr = base_headers(h, r->accept ? r->accept : "application/json", h->token, &failed);
    if (r->content_type)
        hdr = add_header(hdr, "Content-Type", r->content_type, &failed);
    for (const char *const *x = r->headers; x && *x; x++)
        hdr = add_line(hdr, *x, &failed);
    hdr = add_header(hdr, "Expect", "", &failed);
    if (failed || url.err) {
        curl_slist_free_all(hdr);
        plex__buf_dispose(&url);
        return plex__http_fail(h, PLEX_ENOMEM, "out of memory building the request");
    }
    if (request_options(h, h->easy, r, url.ptr, hdr) != CURLE_OK) {
        curl_slist_free_all(hdr);
        plex__buf_dispose(&url);
        return plex__http_fail(h, PLEX_ERROR, "libcurl refused the request");
    }
    plex__buf_dispose(&url);

    curl_slist_free_all(h->headers);
    h->headers = hdr;
    plex__free(h->log_path);
    h->log_path = plex__strdup(r->log_path ? r->log_path : r->path);
    h->method = r->method;
    h->req_flags = r->flags;
    h->sink = r->sink;
    h->sink_ctx = r->sink_ctx;
    h->progress = r->progress;
    h->progress_ctx = r->progress_ctx;
    if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK)
        return plex__http_fail(h, PLEX_ERROR, "libcurl could not start the request");
    h->busy = 1;
    h->start_ms = plex__now_ms();
    h->stats.requests++;
    return 0;
}

int plex__http_progress(plex__http *h, int *done)
{
    int running = 0, left;
    CURLMsg *m;

    *done = 0;
    if (!h->busy) {
        *done = 1;
        return 0;
    }
    if (curl_multi_perform(h->multi, &running) != CURLM_OK)
        return plex__http_fail(h, PLEX_ERROR, "libcurl failed");
    while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == h->easy) {
            h->last.curl_code = (int)m->data.result;
            *done = 1;
        }
    }
    return 0;
}

/* ---- outcomes ---- */

static int map_curl(plex__http *h, CURLcode cc)
{
    const char *detail = h->curl_errbuf[0] ? h->curl_errbuf : curl_easy_strerror(cc);

    h->last.curl_code = (int)cc;
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return plex__http_fail(h, PLEX_EDNS,
                               "could not resolve the server's name (%s): check the network "
                               "and the base URL",
                               detail);
    case CURLE_COULDNT_CONNECT:
        return plex__http_fail(h, PLEX_ECONNECT,
                               "could not connect to the server (%s): is the network up?", detail);
    case CURLE_OPERATION_TIMEDOUT:
        return plex__http_fail(h, PLEX_ETIMEOUT, "the server did not answer in time (%s)", detail);
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
        return plex__http_fail(h, PLEX_ETLS,
                               "TLS failed (%s): the server's certificate is not trusted; "
                               "check the system clock and the CA file",
                               detail);
    case CURLE_OUT_OF_MEMORY:
        return plex__http_fail(h, PLEX_ENOMEM, "out of memory in libcurl");
    case CURLE_ABORTED_BY_CALLBACK:
        return plex__http_fail(h, PLEX_ECANCELLED, "the transfer was cancelled");
    case CURLE_WRITE_ERROR:
        if (h->sink_rc)
            return h->sink_rc; /* recorded by the sink */
        if (h->too_big)
            return plex__http_fail(h, PLEX_ETOOBIG,
                                   "the response is larger than the limit of %zu bytes",
                                   h->max_response);
        if (h->body.err)
            return plex__http_fail(h, PLEX_ENOMEM, "out of memory reading the response");
        /* fall through */
    default:
        return plex__http_fail(h, PLEX_ETRANSPORT, "network error (%s)", detail);
    }
}

/* What a body that is not the service's own error document says: the title
 * or first heading of an HTML page (PMS: "401 Unauthorized"), else the
 * first line of text; into out. */
static const char *body_text(const plex__http *h, char *out, size_t size)
{
    const char *b = h->body.ptr, *end = b + h->body.len, *p = NULL, *q;
    size_t k = 0;

    if (!b || !h->body.len)
        return "no details";
    for (const char *tag = "<h1>"; !p && tag; tag = strcmp(tag, "<h1>") == 0 ? "<title>" : NULL) {
        size_t tl = strlen(tag);
        for (q = b; q + tl <= end && !p; q++)
            if (strncasecmp(q, tag, tl) == 0)
                p = q + tl;
    }
    if (!p)
        p = b;
    for (q = p; q < end && k + 1 < size && *q != '<' && *q != '\n' && *q != '\r'; q++)
        out[k++] = (char)((unsigned char)*q < 0x20 ? ' ' : *q);
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
    return k ? out : "no details";
}

static int map_status(plex__http *h, long status)
{
    char text[96];
    const char *why = NULL;
    int code;

    h->last.http_status = (int)status;
    code = status == 429                                     ? PLEX_ERATELIMIT
           : status == 401 || status == 403 || status == 498 ? PLEX_EAUTH
           : status == 404                                   ? PLEX_ENOTFOUND
           : status == 400                                   ? PLEX_EBADREQUEST
           : status >= 500                                   ? PLEX_ESERVER
                                                             : PLEX_EHTTP;
    if (h->hooks.explain)
        why = h->hooks.explain(h, h->hooks.ctx, status, &code);
    if (!why)
        why = body_text(h, text, sizeof(text));
    switch (code) {
    case PLEX_ERATELIMIT:
        h->last.retry_after = (int)h->retry_after;
        return plex__http_fail(h, code, "rate limited by the server (%s); %s", why,
                               h->retry_after >= 0 ? "it asks to wait before retrying"
                                                   : "wait before retrying");
    case PLEX_EAUTH:
        return plex__http_fail(h, code, "not authorised (HTTP %ld: %s): sign in again", status,
                               why);
    case PLEX_ENOTFOUND:
        return plex__http_fail(h, code, "not found (HTTP 404: %s)", why);
    case PLEX_EBADREQUEST:
        return plex__http_fail(h, code, "the server rejected the request (%s)", why);
    case PLEX_ESERVER:
        return plex__http_fail(h, code, "the server failed (HTTP %ld: %s); try again later", status,
                               why);
    case PLEX_EHTTP:
        return plex__http_fail(h, code, "unexpected HTTP status %ld (%s)", status, why);
    default: /* a hook's own code: its explanation is the message */
        return plex__http_fail(h, code, "%s", why);
    }
}

int plex__http_finish(plex__http *h, plex__response *resp)
{
    CURLcode cc = (CURLcode)h->last.curl_code;
    long status = 0, conns = 0;
    int rc;

    if (!h->busy)
        return plex__http_fail(h, PLEX_EINVALID, "no request in flight");
    curl_multi_remove_handle(h->multi, h->easy);
    h->busy = 0;
    curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h->easy, CURLINFO_NUM_CONNECTS, &conns);
    h->stats.connections += (unsigned long)conns;

    if (cc != CURLE_OK)
        rc = map_curl(h, cc);
    else if (status < 200 || status > 299)
        rc = map_status(h, status);
    else
        rc = 0;
    plex__http_log(h, PLEX_LOG_DEBUG, "%s %s -> %ld%s%s (%ld ms, %zu bytes%s)", h->method,
                   h->log_path ? h->log_path : "?", status, rc ? ": " : "",
                   rc ? plex_strerror(rc) : "", plex__now_ms() - h->start_ms, h->body.len,
                   conns ? ", new connection" : "");
    if (rc)
        return rc;
    if (h->body.err)
        return plex__http_fail(h, PLEX_ENOMEM, "out of memory reading the response");
    resp->status = status;
    resp->body = h->body.ptr ? h->body.ptr : "";
    resp->len = h->body.len;
    if (resp->len && !h->sink && !(h->req_flags & PLEX__REQ_ANY_BODY))
        return plex__http_check_data(h);
    return 0;
}

int plex__http_body_kind(const plex__http *h, const char *data, size_t n, size_t *start)
{
    size_t i = 0;

    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    *start = i;
    if (i == n)
        return -1;
    return h->is_xml || data[i] == '<';
}

int plex__http_check_data(plex__http *h)
{
    if (h->is_xml || h->is_json)
        return 0;
    return plex__http_fail(h, PLEX_EPARSE,
                           "the server answered with something other than JSON or XML "
                           "(is the base URL right?)");
}

void plex__http_wait_info(plex__http *h, plex_wait_info *w)
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
    if (!h->busy)
        return;
    FD_ZERO(&r);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    if (curl_multi_fdset(h->multi, &r, &wr, &ex, &maxfd) == CURLM_OK) {
        for (int fd = 0; fd <= maxfd && w->nfds < 4; fd++) {
            short ev = (short)((FD_ISSET(fd, &r) ? PLEX_WAIT_READ : 0) |
                               (FD_ISSET(fd, &wr) ? PLEX_WAIT_WRITE : 0));
            if (ev) {
                w->fds[w->nfds] = fd;
                w->events[w->nfds++] = ev;
            }
        }
    }
    if (curl_multi_timeout(h->multi, &t) == CURLM_OK && t >= 0)
        w->timeout_ms = t;
    if (w->nfds == 0 && (t < 0 || t > 100))
        w->timeout_ms = 100; /* no socket yet (resolving): look again soon */
}

void plex__wait_poll(const plex_wait_info *w, long max_ms)
{
    struct pollfd p[4];
    long t = w->timeout_ms < max_ms ? w->timeout_ms : max_ms;
    int n = w->nfds < 0 ? 0 : w->nfds < 4 ? w->nfds : 4;

    for (int i = 0; i < n; i++) {
        p[i].fd = w->fds[i];
        p[i].events = (short)(((w->events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                              ((w->events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
        p[i].revents = 0;
    }
    (void)poll(p, (nfds_t)n, (int)(t > 0 ? t : 0)); /* EINTR: the caller looks */
}

int plex__http_wait(plex__http *h, int timeout_ms)
{
    if (!h->busy)
        return 0;
    if (curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK)
        return plex__http_fail(h, PLEX_ERROR, "libcurl failed while waiting");
    return 0;
}

void plex__http_abort(plex__http *h)
{
    if (h->busy) {
        curl_multi_remove_handle(h->multi, h->easy);
        h->busy = 0;
    }
}

static int request_once(plex__http *h, const plex__request *r, plex__response *resp)
{
    int rc = plex__http_start(h, r), done = 0;

    if (rc)
        return rc;
    for (;;) {
        if ((rc = plex__http_progress(h, &done)) != 0) {
            plex__http_abort(h);
            return rc;
        }
        if (done)
            break;
        if ((rc = plex__http_wait(h, 1000)) != 0) {
            plex__http_abort(h);
            return rc;
        }
    }
    return plex__http_finish(h, resp);
}

int plex__http_request(plex__http *h, const plex__request *r, plex__response *resp)
{
    int hooks = !(r->flags & PLEX__REQ_NO_HOOKS), rc;

    if (hooks && h->hooks.before && (rc = h->hooks.before(h, h->hooks.ctx)) != 0)
        return rc;
    rc = request_once(h, r, resp);
    if (rc && hooks && h->hooks.retry) {
        int again = h->hooks.retry(h, h->hooks.ctx, rc);
        if (again < 0)
            return again;
        if (again > 0)
            rc = request_once(h, r, resp);
    }
    return rc;
}

void plex__http_dispose(plex__http *h)
{
    plex__http_abort(h);
    if (h->easy)
        curl_easy_cleanup(h->easy);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->headers);
    curl_slist_free_all(h->resolve);
    h->easy = h->multi = h->headers = h->resolve = NULL;
    for (int i = 0; i < PLEX__IDENTITY_COUNT; i++) {
        plex__free(h->identity[i]);
        h->identity[i] = NULL;
    }
    plex__free(h->base_url);
    plex__free(h->token);
    plex__free(h->ca_file);
    plex__free(h->log_path);
    h->base_url = h->token = h->ca_file = h->log_path = NULL;
    plex__buf_dispose(&h->body);
}

/* ---- plex.direct ---- */

int plex__plex_direct_address(const char *host, size_t host_len, char *addr, size_t size)
{
    static const char suffix[] = ".plex.direct";
    const size_t sl = sizeof(suffix) - 1;
    const char *dot;
    size_t label, hash, k;
    int dashes = 0, v6;
    unsigned char tmp[16];

    if (host_len <= sl || strncasecmp(host + host_len - sl, suffix, sl) != 0)
        return 0;
    /* <address label>.<32 hex>.plex.direct */
    dot = memchr(host, '.', host_len - sl);
    if (!dot)
        return 0;
    label = (size_t)(dot - host);
    hash = host_len - sl - label - 1;
    if (label == 0 || label + 1 >= size || hash == 0 || memchr(dot + 1, '.', hash))
        return 0;
    for (k = 0; k < label; k++) {
        char ch = host[k];
        if (ch == '-') {
            dashes++;
        } else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                     (ch >= 'A' && ch <= 'F'))) {
            return 0;
        }
    }
    v6 = dashes != 3;
    for (k = 0; k < label; k++)
        addr[k] = (char)(host[k] == '-' ? (v6 ? ':' : '.') : host[k]);
    addr[label] = '\0';
    return inet_pton(v6 ? AF_INET6 : AF_INET, addr, tmp) == 1;
}

/* The CURLOPT_RESOLVE line "host:port:address" of a plex.direct URL: 1, 0
 * (not one), or PLEX_ENOMEM. */
static int plex_direct_line(const char *url, char *line, size_t size)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, addr[64];
    int rc = 0;

    if (!u)
        return PLEX_ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        plex__plex_direct_address(host, strlen(host), addr, sizeof(addr)))
        rc = (size_t)snprintf(line, size, "%s:%s:%s%s%s", host, port, strchr(addr, ':') ? "[" : "",
                              addr, strchr(addr, ':') ? "]" : "") < size;
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

int plex__http_pin_plex_direct(plex__http *h, const char *url)
{
    struct curl_slist *next;
    char line[320];
    int rc = plex_direct_line(url, line, sizeof(line));

    if (rc <= 0)
        return rc;
    if (!(next = curl_slist_append(h->resolve, line)))
        return PLEX_ENOMEM;
    h->resolve = next;
    /* a handle made before sees the new list too */
    if (h->easy && curl_easy_setopt((CURL *)h->easy, CURLOPT_RESOLVE, next) != CURLE_OK)
        return PLEX_ENOMEM;
    return 1;
}

/* ---- loopback ---- */

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
        return status >= 200 && status < 300    ? 0
               : status == 401 || status == 403 ? PLEX_EAUTH
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

/* A configured easy handle for one probe, or NULL. A plex.direct URL is
 * pinned to its address by a list of its own (*pin, freed after the handle). */
static CURL *probe_handle(const plex__http *h, const plex__probe *p, struct curl_slist *hdr,
                          long remaining_ms, struct curl_slist **pin)
{
    CURL *e = curl_easy_init();
    long connect = remaining_ms < h->connect_timeout_ms ? remaining_ms : h->connect_timeout_ms;
    char line[320];

    if (!e)
        return NULL;
    if (plex_direct_line(p->url, line, sizeof(line)) == 1 &&
        (!(*pin = curl_slist_append(NULL, line)) ||
         curl_easy_setopt(e, CURLOPT_RESOLVE, *pin) != CURLE_OK)) {
        curl_easy_cleanup(e);
        return NULL;
    }
    if (common_options(h, e) != CURLE_OK || curl_easy_setopt(e, CURLOPT_URL, p->url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining_ms) != CURLE_OK) {
        curl_easy_cleanup(e);
        return NULL;
    }
    return e;
}

int plex__http_race(plex__http *h, plex__probe *p, size_t n, const char *token, long deadline_ms,
                    size_t *winner)
{
    CURLM *m;
    CURL **e;
    void **pins; /* struct curl_slist * of each probe (probe_handle) */
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
    hdr = base_headers(h, "application/json", token, &failed);
    m = curl_multi_init();
    e = plex__calloc(n, sizeof(*e));
    pins = plex__calloc(n, sizeof(*pins));
    if (failed || !m || !e || !pins) {
        curl_slist_free_all(hdr);
        if (m)
            curl_multi_cleanup(m);
        plex__free(e);
        plex__free(pins);
        return plex__http_fail(h, PLEX_ENOMEM, "out of memory");
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
            e[i] = probe_handle(h, &p[i], hdr, deadline_ms - now, (struct curl_slist **)&pins[i]);
            if (!e[i] || curl_multi_add_handle(m, e[i]) != CURLM_OK) {
                if (e[i])
                    curl_easy_cleanup(e[i]);
                e[i] = NULL;
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
            rc = plex__http_fail(h, PLEX_ERROR, "libcurl failed while connecting");
            break;
        }
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            for (i = 0; i < n && e[i] != msg->easy_handle; i++)
                ;
            if (i == n)
                continue;
            curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &p[i].http_status);
            p[i].result = probe_result(msg->data.result, p[i].http_status);
            p[i].elapsed_ms = plex__now_ms() - t0;
            curl_multi_remove_handle(m, e[i]);
            curl_easy_cleanup(e[i]);
            e[i] = NULL;
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
                rc = plex__http_fail(h, PLEX_ERROR, "libcurl failed while waiting");
                break;
            }
        }
    }
    for (i = 0; i < n; i++) {
        if (e[i]) {
            curl_multi_remove_handle(m, e[i]);
            curl_easy_cleanup(e[i]);
            p[i].elapsed_ms = plex__now_ms() - t0;
            if (rc == PLEX_ETIMEOUT)
                p[i].result = PLEX_ETIMEOUT;
        }
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hdr);
    plex__free(e);
    for (i = 0; i < n; i++)
        curl_slist_free_all((struct curl_slist *)pins[i]);
    plex__free(pins);
    /* libcurl's own timeout (set to the deadline) may fire first */
    for (i = 0; rc == PLEX_ECONNECT && i < n; i++)
        if (p[i].result == PLEX_ETIMEOUT)
            rc = PLEX_ETIMEOUT;
    if (rc == PLEX_ETIMEOUT)
        return plex__http_fail(h, PLEX_ETIMEOUT, "no connection answered within %ld ms",
                               deadline_ms);
    if (rc == PLEX_ECONNECT)
        return plex__http_fail(h, PLEX_ECONNECT, "none of the %zu connections answered", n);
    return rc;
}

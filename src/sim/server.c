/*
 * libmicrohttpd glue: one thread per connection (so a delayed answer never
 * holds up another client), HTTP/1.1 keep-alive, optional TLS. Faults that
 * live on the wire (drop, truncate, huge) are applied here; the answers
 * themselves come from routes.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "sim.h"

struct sim_server {
    struct MHD_Daemon *daemon;
    sim_state *st;
    int quiet;
};

/* One request in flight. */
typedef struct req {
    sim_route route;
    sim_fault fault;
    char *body;
    size_t len;
    int too_big;
} req;

/* A body sent only halfway (truncate). */
typedef struct half_body {
    char *body;
    size_t len, half;
} half_body;

static const char garbage_body[] =
    "{\"id\":308667304,\"code\":\"7RQZ\",,\"product\"::\x01 not json }}]";
static const char html_body[] =
    "<!DOCTYPE html>\n<html><head><title>Network sign-in</title></head>\n"
    "<body><h1>Sign in to use this network</h1><p>Accept the terms to continue.</p>"
    "</body></html>\n";
static const char huge_head[] = "{\"data\":\"";
static const char huge_tail[] = "\"}";

static void log_line(const sim_server *srv, const char *method, sim_route r, int status,
                     const char *note)
{
    if (srv->quiet)
        return;
    /* routes, never URLs: a URL may carry a pin id, code or token */
    fprintf(stderr, "plexsim: %s%s%s -> %d%s%s\n", r == SIM_R_OTHER ? method : "",
            r == SIM_R_OTHER ? " " : "", r == SIM_R_OTHER ? "(unknown route)" : sim_route_name(r),
            status, note ? " " : "", note ? note : "");
}

static const char *lookup(void *ctx, int kind, const char *name)
{
    struct MHD_Connection *c = ctx;
    return MHD_lookup_connection_value(
        c, kind == SIM_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
}

static void sleep_ms(sim_state *st, int ms)
{
    struct timespec until;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&st->lock);
    while (!st->stopping) {
        if (pthread_cond_timedwait(&st->wake, &st->lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&st->lock);
}

/* An errors body built under st->lock (the library's allocator keeps
 * unsynchronised counters, so plex_core is only ever called under the lock). */
static void locked_error(sim_state *st, sim_response *rs, int json, int status, int code,
                         const char *message)
{
    memset(rs, 0, sizeof(*rs));
    pthread_mutex_lock(&st->lock);
    sim_error_response(rs, json, status, code, message);
    pthread_mutex_unlock(&st->lock);
}

static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    const uint64_t total = SIM_HUGE_SIZE;
    const uint64_t head_len = sizeof(huge_head) - 1, tail_start = total - (sizeof(huge_tail) - 1);
    uint64_t i;
    size_t n;

    (void)cls;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    n = (size_t)(total - pos < max ? total - pos : max);
    memset(buf, 'a', n);
    for (i = pos; i < pos + n && i < head_len; i++)
        buf[i - pos] = huge_head[i];
    /* i < total (as pos + n <= total); the second bound says so to readers. */
    for (i = pos > tail_start ? pos : tail_start; i < pos + n && i < total; i++)
        buf[i - pos] = huge_tail[i - tail_start];
    return (ssize_t)n;
}

static ssize_t half_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    half_body *h = cls;
    size_t n;

    if (pos >= h->half)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* closes the connection */
    n = h->half - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, h->body + pos, n);
    return (ssize_t)n;
}

static void half_free(void *cls)
{
    half_body *h = cls;
    free(h->body);
    free(h);
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct MHD_Response *resp, int status,
                             const char *content_type, int retry_after)
{
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (retry_after >= 0) {
        char tmp[16];
        snprintf(tmp, sizeof(tmp), "%d", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, tmp);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    ret = MHD_queue_response(conn, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queue rs (taking its body). */
static enum MHD_Result send_response(struct MHD_Connection *conn, sim_response *rs)
{
    struct MHD_Response *resp;
    int no_body = rs->status == 204 || rs->status == 304;

    if (no_body || !rs->body) {
        sim_response_dispose(rs);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        return queue(conn, resp, rs->status, no_body ? NULL : rs->content_type, rs->retry_after);
    }
    resp = MHD_create_response_from_buffer(rs->body_len, rs->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        sim_response_dispose(rs);
        return MHD_NO;
    }
    rs->body = NULL;
    return queue(conn, resp, rs->status, rs->content_type, rs->retry_after);
}

static enum MHD_Result send_static(struct MHD_Connection *conn, int status, const char *ct,
                                   const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
    return queue(conn, resp, status, ct, -1);
}

static enum MHD_Result send_truncated(struct MHD_Connection *conn, sim_response *rs)
{
    struct MHD_Response *resp;
    half_body *h;

    if (!rs->body || rs->body_len < 2 || rs->status == 204 || rs->status == 304) {
        sim_response_dispose(rs);
        return MHD_NO; /* nothing to cut in half: close without an answer */
    }
    h = malloc(sizeof(*h));
    if (!h) {
        sim_response_dispose(rs);
        return MHD_NO;
    }
    h->body = rs->body;
    h->len = rs->body_len;
    h->half = rs->body_len / 2;
    rs->body = NULL;
    resp = MHD_create_response_from_callback(h->len, 4096, half_reader, h, half_free);
    if (!resp) {
        half_free(h);
        return MHD_NO;
    }
    return queue(conn, resp, rs->status, rs->content_type, rs->retry_after);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **req_cls)
{
    sim_server *srv = cls;
    sim_state *st = srv->st;
    req *rq = *req_cls;
    sim_request in;
    sim_response rs;
    enum MHD_Result ret;

    (void)version;
    if (!rq) {
        const char *cl;
        sim_route route = sim_route_match(method, url);
        sim_fault f;

        pthread_mutex_lock(&st->lock);
        st->requests[route]++;
        f = sim_fault_pop(st, route);
        pthread_mutex_unlock(&st->lock);
        if (f.kind == SIM_F_DROP) {
            log_line(srv, method, route, 0, "(fault: drop)");
            return MHD_NO;
        }
        rq = calloc(1, sizeof(*rq));
        if (!rq)
            return MHD_NO;
        rq->route = route;
        rq->fault = f;
        *req_cls = rq;
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > SIM_MAX_BODY)) {
            /* answer now, without reading the body; MHD then closes */
            rq->too_big = 1;
            locked_error(st, &rs, sim_wants_json(&(sim_request){.lookup = lookup, .ctx = conn}),
                         413, 0, "Request body too large");
            log_line(srv, method, route, 413, NULL);
            return send_response(conn, &rs);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big && rq->len + *upload_size <= SIM_MAX_BODY) {
            char *p = realloc(rq->body, rq->len + *upload_size);
            if (!p)
                return MHD_NO;
            memcpy(p + rq->len, upload_data, *upload_size);
            rq->body = p;
            rq->len += *upload_size;
        } else {
            rq->too_big = 1;
            free(rq->body);
            rq->body = NULL;
            rq->len = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&in, 0, sizeof(in));
    in.method = method;
    in.path = url;
    in.route = rq->route;
    in.body = rq->body;
    in.body_len = rq->len;
    in.body_too_big = rq->too_big;
    in.lookup = lookup;
    in.ctx = conn;

    switch (rq->fault.kind) {
    case SIM_F_DELAY:
        sleep_ms(st, rq->fault.arg);
        break;
    case SIM_F_STATUS: {
        int code;
        const char *message;
        sim_status_error(rq->fault.arg, &code, &message);
        locked_error(st, &rs, sim_wants_json(&in), rq->fault.arg, code, message);
        log_line(srv, method, rq->route, rq->fault.arg, "(fault)");
        return send_response(conn, &rs);
    }
    case SIM_F_GARBAGE:
        log_line(srv, method, rq->route, 200, "(fault: garbage)");
        return send_static(conn, 200, "application/json; charset=utf-8", garbage_body,
                           sizeof(garbage_body) - 1);
    case SIM_F_HTML:
        log_line(srv, method, rq->route, 200, "(fault: html)");
        return send_static(conn, 200, "text/html; charset=utf-8", html_body, sizeof(html_body) - 1);
    case SIM_F_HUGE:
        log_line(srv, method, rq->route, 200, "(fault: huge)");
        return queue(conn,
                     MHD_create_response_from_callback(SIM_HUGE_SIZE, (size_t)64 * 1024,
                                                       huge_reader, NULL, NULL),
                     200, "application/json; charset=utf-8", -1);
    default:
        break;
    }

    sim_handle(st, &in, &rs);
    if (rq->fault.kind == SIM_F_TRUNCATE) {
        log_line(srv, method, rq->route, rs.status, "(fault: truncate)");
        return send_truncated(conn, &rs);
    }
    log_line(srv, method, rq->route, rs.status, rq->fault.kind == SIM_F_DELAY ? "(delayed)" : NULL);
    ret = send_response(conn, &rs);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req *rq = *req_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (rq) {
        free(rq->body);
        free(rq);
        *req_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    sim_state *st = cls;

    (void)conn;
    (void)socket_context;
    pthread_mutex_lock(&st->lock);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        st->connections++;
        st->active++;
    } else if (st->active > 0) {
        st->active--;
    }
    pthread_mutex_unlock(&st->lock);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    const sim_server *srv = cls;
    char line[512];

    if (srv->quiet)
        return;
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    vsnprintf(line, sizeof(line), fmt, ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    fprintf(stderr, "plexsim: microhttpd: %s", line);
}

/* How many connections we can hold: bounded by the descriptors we may open. */
static unsigned int connection_limit(void)
{
    struct rlimit rl;
    rlim_t want = 4096 + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur <= 96)
        return 16;
    return (unsigned int)((rl.rlim_cur > want ? want : rl.rlim_cur) - 64);
}

int sim_server_start(sim_server **out, sim_state *st, const sim_server_options *o, char *err,
                     size_t errsize)
{
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_POLL | MHD_USE_ERROR_LOG;
    int tls = o->tls_cert_pem && o->tls_key_pem;
    const char *bind = o->bind ? o->bind : "127.0.0.1";
    struct MHD_OptionItem opts[8];
    size_t n = 0;
    const union MHD_DaemonInfo *info;
    sim_server *srv;
    char host[INET6_ADDRSTRLEN + 2];

    *out = NULL;
    memset(&sa4, 0, sizeof(sa4));
    memset(&sa6, 0, sizeof(sa6));
    if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)o->port);
        sa = (struct sockaddr *)&sa4;
        snprintf(host, sizeof(host), "%s", strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : bind);
    } else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)o->port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
        snprintf(host, sizeof(host), "[%s]", strcmp(bind, "::") == 0 ? "::1" : bind);
    } else {
        snprintf(err, errsize, "--bind: '%s' is not a numeric IPv4 or IPv6 address", bind);
        return -1;
    }
    if (tls) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errsize, "this libmicrohttpd was built without TLS");
            return -1;
        }
        flags |= MHD_USE_TLS;
    }
    srv = calloc(1, sizeof(*srv));
    if (!srv) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    srv->st = st;
    srv->quiet = o->quiet;

    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, sa};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)connection_limit(), NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL};
    if (tls) {
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                            (void *)(uintptr_t)o->tls_cert_pem};
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->tls_key_pem};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, st, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errsize, "could not listen on %s port %d (in use, or a bad certificate/key)",
                 bind, o->port);
        free(srv);
        return -1;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    pthread_mutex_lock(&st->lock);
    st->port = info ? (int)info->port : o->port;
    st->server_port = st->port;
    st->tls = tls;
    snprintf(st->base_url, sizeof(st->base_url), "%s://%s:%d", tls ? "https" : "http", host,
             st->port);
    pthread_mutex_unlock(&st->lock);
    *out = srv;
    return 0;
}

void sim_server_stop(sim_server *srv)
{
    if (!srv)
        return;
    pthread_mutex_lock(&srv->st->lock);
    srv->st->stopping = 1;
    pthread_cond_broadcast(&srv->st->wake);
    pthread_mutex_unlock(&srv->st->lock);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}

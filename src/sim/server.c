/*
 * libmicrohttpd glue for either service: one thread per connection (so a
 * delayed answer never holds up another client), HTTP/1.1 keep-alive,
 * optional TLS, one daemon per listening address (all on one port). Faults
 * that live on the wire (drop, truncate, huge) are applied here; the answers
 * themselves come from the service (tv/routes.c, pms/pms.c), as a body or a
 * stream produced while it is sent.
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
    struct MHD_Daemon *daemon[SIM_MAX_BINDS];
    size_t ndaemons;
    const sim_service *service;
    sim_state *st;
    int quiet;
    int port;
    int tls;
    char host[INET6_ADDRSTRLEN + 2]; /* the first address, as written in a URL */
};

/* One request in flight. */
typedef struct req {
    int route;
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

/* A streamed body; with truncate it ends (closing the connection) at limit. */
typedef struct stream_body {
    sim_stream s;
    uint64_t limit;
} stream_body;

/* Where truncate cuts a streamed body whose length is not known in advance. */
#define TRUNCATE_UNKNOWN ((uint64_t)64 * 1024)

static const char garbage_body[] =
    "{\"id\":308667304,\"code\":\"7RQZ\",,\"product\"::\x01 not json }}]";
static const char html_body[] =
    "<!DOCTYPE html>\n<html><head><title>Network sign-in</title></head>\n"
    "<body><h1>Sign in to use this network</h1><p>Accept the terms to continue.</p>"
    "</body></html>\n";
static const char huge_head[] = "{\"data\":\"";
static const char huge_tail[] = "\"}";

static void log_line(const sim_server *srv, const char *method, int r, int status, const char *note)
{
    if (srv->quiet)
        return;
    /* routes, never URLs: a URL may carry a pin id, code or token */
    fprintf(stderr, "plexsim: %s: %s%s%s -> %d%s%s\n", srv->service->name,
            r == SIM_R_OTHER ? method : "", r == SIM_R_OTHER ? " " : "",
            r == SIM_R_OTHER ? "(unknown route)" : sim_route_name(r), status, note ? " " : "",
            note ? note : "");
}

static const char *lookup(void *ctx, int kind, const char *name)
{
    struct MHD_Connection *c = ctx;
    return MHD_lookup_connection_value(
        c, kind == SIM_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
}

typedef struct each_ctx {
    sim_arg_cb cb;
    void *user;
} each_ctx;

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    each_ctx *e = cls;

    (void)kind;
    return e->cb(e->user, key, value) ? MHD_NO : MHD_YES;
}

static void each(void *ctx, sim_arg_cb cb, void *user)
{
    each_ctx e;

    e.cb = cb;
    e.user = user;
    MHD_get_connection_values(ctx, MHD_GET_ARGUMENT_KIND, each_arg, &e);
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

/* The service's answer for a bare status, built under st->lock. */
static void locked_status(const sim_server *srv, const sim_request *in, sim_response *rs,
                          int status)
{
    memset(rs, 0, sizeof(*rs));
    rs->retry_after = -1;
    pthread_mutex_lock(&srv->st->lock);
    srv->service->status(srv->st, in, rs, status);
    pthread_mutex_unlock(&srv->st->lock);
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

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_body *sb = cls;
    long n;

    if (pos >= sb->limit)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* truncate: close the connection */
    if (max > sb->limit - pos)
        max = (size_t)(sb->limit - pos);
    n = sb->s.read(sb->s.cls, pos, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_body *sb = cls;
    if (sb->s.release)
        sb->s.release(sb->s.cls);
    free(sb);
}

/* Queue a response with the headers of rs; takes resp. */
static enum MHD_Result queue(struct MHD_Connection *conn, struct MHD_Response *resp,
                             const sim_response *rs, const char *content_type)
{
    enum MHD_Result ret;
    size_t i;

    if (!resp)
        return MHD_NO;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (rs->retry_after >= 0) {
        char tmp[16];
        snprintf(tmp, sizeof(tmp), "%d", rs->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, tmp);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    for (i = 0; i < rs->nheaders && i < SIM_MAX_HEADERS; i++)
        MHD_add_response_header(resp, rs->headers[i].name, rs->headers[i].value);
    ret = MHD_queue_response(conn, (unsigned int)rs->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queue a streamed body (rs->stream), ending at limit bytes (truncate). */
static enum MHD_Result send_stream(struct MHD_Connection *conn, sim_response *rs, int truncate)
{
    struct MHD_Response *resp;
    stream_body *sb = malloc(sizeof(*sb));
    uint64_t size = rs->stream.size >= 0 ? (uint64_t)rs->stream.size : MHD_SIZE_UNKNOWN;

    if (!sb) {
        sim_response_dispose(rs);
        return MHD_NO;
    }
    sb->s = rs->stream;
    memset(&rs->stream, 0, sizeof(rs->stream)); /* sb owns it now */
    sb->limit = UINT64_MAX;
    if (truncate)
        sb->limit = sb->s.size >= 0 ? (uint64_t)sb->s.size / 2 : TRUNCATE_UNKNOWN;
    resp =
        MHD_create_response_from_callback(size, (size_t)64 * 1024, stream_reader, sb, stream_free);
    if (!resp) {
        stream_free(sb);
        sim_response_dispose(rs);
        return MHD_NO;
    }
    return queue(conn, resp, rs, rs->content_type);
}

/* Queue rs (taking its body). */
static enum MHD_Result send_response(struct MHD_Connection *conn, sim_response *rs)
{
    struct MHD_Response *resp;
    int no_body = rs->status == 204 || rs->status == 304;

    if (rs->stream.read && !no_body)
        return send_stream(conn, rs, 0);
    if (no_body || !rs->body) {
        sim_response_dispose(rs);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        return queue(conn, resp, rs, no_body ? NULL : rs->content_type);
    }
    resp = MHD_create_response_from_buffer(rs->body_len, rs->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        sim_response_dispose(rs);
        return MHD_NO;
    }
    rs->body = NULL;
    return queue(conn, resp, rs, rs->content_type);
}

static enum MHD_Result send_static(struct MHD_Connection *conn, int status, const char *ct,
                                   const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
    sim_response rs;

    memset(&rs, 0, sizeof(rs));
    rs.status = status;
    rs.retry_after = -1;
    return queue(conn, resp, &rs, ct);
}

static enum MHD_Result send_truncated(struct MHD_Connection *conn, sim_response *rs)
{
    struct MHD_Response *resp;
    half_body *h;

    if (rs->stream.read && rs->status != 204 && rs->status != 304)
        return send_stream(conn, rs, 1);
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
    return queue(conn, resp, rs, rs->content_type);
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
        int route = srv->service->match(method, url);
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
            memset(&in, 0, sizeof(in));
            in.method = method;
            in.path = url;
            in.route = route;
            in.lookup = lookup;
            in.each = each;
            in.ctx = conn;
            locked_status(srv, &in, &rs, 413);
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
    in.each = each;
    in.ctx = conn;
    in.fault = rq->fault;

    switch (rq->fault.kind) {
    case SIM_F_DELAY:
        sleep_ms(st, rq->fault.arg);
        break;
    case SIM_F_STATUS:
        locked_status(srv, &in, &rs, rq->fault.arg);
        log_line(srv, method, rq->route, rq->fault.arg, "(fault)");
        return send_response(conn, &rs);
    case SIM_F_GARBAGE:
        log_line(srv, method, rq->route, 200, "(fault: garbage)");
        return send_static(conn, 200, "application/json; charset=utf-8", garbage_body,
                           sizeof(garbage_body) - 1);
    case SIM_F_HTML:
        log_line(srv, method, rq->route, 200, "(fault: html)");
        return send_static(conn, 200, "text/html; charset=utf-8", html_body, sizeof(html_body) - 1);
    case SIM_F_HUGE:
        log_line(srv, method, rq->route, 200, "(fault: huge)");
        memset(&rs, 0, sizeof(rs));
        rs.status = 200;
        rs.retry_after = -1;
        return queue(conn,
                     MHD_create_response_from_callback(SIM_HUGE_SIZE, (size_t)64 * 1024,
                                                       huge_reader, NULL, NULL),
                     &rs, "application/json; charset=utf-8");
    default:
        break;
    }

    srv->service->handle(st, &in, &rs);
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

/* Start one daemon on bind:port; 0 or -1 with a message. */
static int start_daemon(sim_server *srv, const sim_server_options *o, const char *bind, int port,
                        char *err, size_t errsize)
{
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[8];
    size_t n = 0;
    struct MHD_Daemon *d;

    memset(&sa4, 0, sizeof(sa4));
    memset(&sa6, 0, sizeof(sa6));
    if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
        if (srv->ndaemons == 0)
            snprintf(srv->host, sizeof(srv->host), "%s",
                     strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : bind);
    } else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
        if (srv->ndaemons == 0)
            snprintf(srv->host, sizeof(srv->host), "[%s]", strcmp(bind, "::") == 0 ? "::1" : bind);
    } else {
        snprintf(err, errsize, "--bind: '%s' is not a numeric IPv4 or IPv6 address", bind);
        return -1;
    }
    if (srv->tls)
        flags |= MHD_USE_TLS;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, sa};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)connection_limit(), NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL};
    if (srv->tls) {
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                            (void *)(uintptr_t)o->tls_cert_pem};
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->tls_key_pem};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv,
                         MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv->st,
                         MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errsize, "could not listen on %s port %d (in use, or a bad certificate/key)",
                 bind, port);
        return -1;
    }
    srv->daemon[srv->ndaemons++] = d;
    return 0;
}

int sim_server_start(sim_server **out, sim_state *st, const sim_server_options *o, char *err,
                     size_t errsize)
{
    const union MHD_DaemonInfo *info;
    sim_server *srv;
    size_t i, nbind = o->nbind ? o->nbind : 1;

    *out = NULL;
    if (nbind > SIM_MAX_BINDS) {
        snprintf(err, errsize, "too many addresses to listen on");
        return -1;
    }
    srv = calloc(1, sizeof(*srv));
    if (!srv) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    srv->st = st;
    srv->service = o->service ? o->service : &sim_tv_service;
    srv->quiet = o->quiet;
    srv->tls = o->tls_cert_pem && o->tls_key_pem;
    if (srv->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errsize, "this libmicrohttpd was built without TLS");
        free(srv);
        return -1;
    }
    srv->port = o->port;
    for (i = 0; i < nbind; i++) {
        const char *bind = o->nbind && o->bind[i] ? o->bind[i] : "127.0.0.1";
        if (start_daemon(srv, o, bind, srv->port, err, errsize) != 0) {
            sim_server_stop(srv);
            return -1;
        }
        if (i == 0) { /* the first address picks the port the others share */
            info = MHD_get_daemon_info(srv->daemon[0], MHD_DAEMON_INFO_BIND_PORT);
            if (info)
                srv->port = (int)info->port;
        }
    }
    *out = srv;
    return 0;
}

int sim_server_port(const sim_server *srv)
{
    return srv->port;
}

void sim_server_url(const sim_server *srv, char *buf, size_t size)
{
    snprintf(buf, size, "%s://%s:%d", srv->tls ? "https" : "http", srv->host, srv->port);
}

void sim_server_stop(sim_server *srv)
{
    size_t i;

    if (!srv)
        return;
    pthread_mutex_lock(&srv->st->lock);
    srv->st->stopping = 1;
    pthread_cond_broadcast(&srv->st->wake);
    pthread_mutex_unlock(&srv->st->lock);
    for (i = 0; i < srv->ndaemons; i++)
        MHD_stop_daemon(srv->daemon[i]);
    free(srv);
}

/*
 * plex_server: one media server, its connections and its requests
 * (plex/pms/server.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/error.h"
#include "models.gen.h"
#include "server.h"
#include "tv/client.h"

#define DEFAULT_DEADLINE_MS 10000
#define PATH_LEN 512        /* a path built from ids */
#define REMOTE_DELAY_MS 100 /* as plex_resource_connect() */
#define RELAY_DELAY_MS 500

int plex_server_options_init(plex_server_options *opts, unsigned int version)
{
    static const plex_server_options init = PLEX_SERVER_OPTIONS_INIT;

    if (!opts || version != PLEX_SERVER_OPTIONS_VERSION)
        return PLEX_EINVALID;
    *opts = init;
    return 0;
}

const char *plex__server_accept(const plex_server *s)
{
    return (s->flags & PLEX_SERVER_XML) ? "application/xml" : "application/json";
}

/* scheme://host[:port] with the trailing '/' removed, or NULL (not http(s)). */
static char *clean_base(const char *url)
{
    size_t n;
    char *b;

    if (!url || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
        return NULL;
    if (strpbrk(url, " \t\r\n?#"))
        return NULL;
    if (!(b = plex__strdup(url)))
        return NULL;
    n = strlen(b);
    while (n > 0 && b[n - 1] == '/')
        b[--n] = '\0';
    return b;
}

/* A server with the client's configuration and no connection yet. */
static int server_alloc(plex_server **out, plex_client *c, const plex_server_options *o,
                        const char *token)
{
    plex_server *s;
    plex__http *h;

    /* (the codes are returned as constants, so analyzers see every failure) */
    *out = NULL;
    if (o && o->version != PLEX_SERVER_OPTIONS_VERSION) {
        plex__http_fail(&c->http, PLEX_EINVALID,
                        "unknown plex_server_options version (use PLEX_SERVER_OPTIONS_INIT)");
        return PLEX_EINVALID;
    }
    if (!(s = plex__calloc(1, sizeof(*s)))) {
        plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
        return PLEX_ENOMEM;
    }
    h = &s->http;
    if (plex__http_init_from(h, &c->http) != 0 ||
        plex__http_set(&h->token, o && o->token ? o->token
                                  : token       ? token
                                                : c->http.token) != 0) {
        plex__http_dispose(h);
        plex__free(s);
        plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
        return PLEX_ENOMEM;
    }
    if (o && o->connect_timeout_ms > 0)
        h->connect_timeout_ms = o->connect_timeout_ms;
    if (o && o->request_timeout_ms > 0)
        h->request_timeout_ms = o->request_timeout_ms;
    if (o && o->max_response_size)
        h->max_response = o->max_response_size;
    s->deadline_ms = o && o->deadline_ms > 0 ? o->deadline_ms : DEFAULT_DEADLINE_MS;
    s->flags = o ? o->flags : 0;
    *out = s;
    return 0;
}

/* Take url (owned) as connection n of the server, pinning a plex.direct name. */
static int add_url(plex_server *s, char *url)
{
    char **grown = plex__realloc(s->urls, (s->nurls + 1) * sizeof(*grown));

    if (!grown) {
        plex__free(url);
        return PLEX_ENOMEM;
    }
    s->urls = grown;
    s->urls[s->nurls++] = url;
    return plex__http_pin_plex_direct(&s->http, url) < 0 ? PLEX_ENOMEM : 0;
}

int plex_server_new(plex_server **out, plex_client *c, const char *base_url,
                    const plex_server_options *o)
{
    plex_server *s;
    char *url;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (!(url = clean_base(base_url)))
        return plex__http_fail(&c->http, PLEX_EINVALID,
                               "the server URL must be http:// or https:// with a host and no "
                               "path or query");
    if ((rc = server_alloc(&s, c, o, NULL)) != 0) {
        plex__free(url);
        return rc;
    }
    if (add_url(s, url) != 0 || plex__http_set(&s->http.base_url, url) != 0) {
        plex_server_free(s);
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

/* 0 local, 1 remote, 2 relay */
static int rank(const plex_connection *cn)
{
    if (cn->relay == PLEX_TRUE)
        return 2;
    return cn->local == PLEX_TRUE ? 0 : 1;
}

/* Race the server's connections from the start; the winner becomes the base URL. */
static int race(plex_server *s, plex__http *on, const int *ranks)
{
    static const long delay[3] = {0, REMOTE_DELAY_MS, RELAY_DELAY_MS};
    plex__probe *p = plex__calloc(s->nurls, sizeof(*p));
    char **probe_urls = plex__calloc(s->nurls, sizeof(*probe_urls));
    size_t i, winner;
    int rc = 0;

    if (!p || !probe_urls) {
        rc = plex__http_fail(on, PLEX_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < s->nurls; i++) {
        plex__buf b = PLEX__BUF_INIT;
        plex__buf_puts(&b, s->urls[i]);
        plex__buf_puts(&b, "/identity");
        if (plex__buf_detach(&b, &probe_urls[i]) != 0) {
            rc = plex__http_fail(on, PLEX_ENOMEM, "out of memory");
            goto done;
        }
        p[i].url = probe_urls[i];
        p[i].start_after_ms = ranks ? delay[ranks[i]] : (long)i * REMOTE_DELAY_MS;
    }
    rc = plex__http_race(on, p, s->nurls, s->http.token, s->deadline_ms, &winner);
    if (rc == 0 && plex__http_set(&s->http.base_url, s->urls[winner]) != 0)
        rc = plex__http_fail(on, PLEX_ENOMEM, "out of memory");
    if (rc == 0)
        plex__http_log(&s->http, PLEX_LOG_INFO, "connected to %s", s->urls[winner]);
done:
    for (i = 0; probe_urls && i < s->nurls; i++)
        plex__free(probe_urls[i]);
    plex__free(probe_urls);
    plex__free(p);
    return rc;
}

int plex_server_connect(plex_server **out, plex_connect_report **report, plex_client *c,
                        const plex_resource *res, const plex_server_options *o)
{
    plex_connect_report *rep = NULL;
    const plex_connection *chosen;
    plex_server *s = NULL;
    int *ranks = NULL, rc;
    size_t i, k;

    if (!out || !c || !res)
        return PLEX_EINVALID;
    *out = NULL;
    if (report)
        *report = NULL;
    if ((rc = server_alloc(&s, c, o, res->access_token)) != 0)
        return rc;
    /* the race with the report is plex_resource_connect()'s own */
    rc = plex_resource_connect(&rep, c, res, s->deadline_ms);
    if (rc != 0)
        goto done;
    chosen = plex_connect_report_chosen(rep);
    /* keep every connection, in the report's order of preference */
    ranks = plex__calloc(plex_connect_report_count(rep) + 1, sizeof(*ranks));
    if (!ranks) {
        rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < plex_connect_report_count(rep); i++) {
        const plex_connection *cn = plex_connect_report_at(rep, i)->connection;
        char *url = clean_base(cn->uri);
        if (!url)
            continue;
        k = s->nurls;
        if (add_url(s, url) != 0) {
            rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
            goto done;
        }
        ranks[k] = rank(cn);
        if (cn == chosen && plex__http_set(&s->http.base_url, s->urls[k]) != 0) {
            rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (!s->http.base_url)
        rc = plex__http_fail(&c->http, PLEX_ECONNECT, "the chosen connection has no usable URI");
done:
    plex__free(ranks);
    if (report && rep) {
        *report = rep;
        rep = NULL;
    }
    plex_connect_report_free(rep);
    if (rc) {
        plex_server_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void plex_server_free(plex_server *s)
{
    if (!s)
        return;
    plex__http_dispose(&s->http);
    for (size_t i = 0; i < s->nurls; i++)
        plex__free(s->urls[i]);
    plex__free(s->urls);
    plex__free(s);
}

const char *plex_server_url(const plex_server *s)
{
    return s ? s->http.base_url : NULL;
}

const plex_error *plex_server_last_error(const plex_server *s)
{
    return s ? &s->http.last : NULL;
}

void plex_server_get_stats(const plex_server *s, plex_client_stats *out)
{
    if (s && out)
        *out = s->http.stats;
}

/* Failures after which another connection may help. Nothing reached the
 * server for the first three; the others are retried only for GET. */
static int connection_failure(int rc, const char *method)
{
    if (rc == PLEX_ECONNECT || rc == PLEX_EDNS || rc == PLEX_ETLS)
        return 1;
    return (rc == PLEX_ETIMEOUT || rc == PLEX_ETRANSPORT) && strcmp(method, "GET") == 0;
}

int plex__server_request(plex_server *s, const plex__request *r, plex__response *resp)
{
    plex_error first;
    int rc = plex__http_request(&s->http, r, resp);

    if (rc == 0 || s->nurls < 2 || !connection_failure(rc, r->method))
        return rc;
    first = s->http.last;
    plex__http_log(&s->http, PLEX_LOG_WARN, "%s stopped answering (%s): trying the others",
                   s->http.base_url, plex_strerror(rc));
    if (race(s, &s->http, NULL) != 0) {
        s->http.last = first; /* the news is that the server is unreachable */
        return rc;
    }
    return plex__http_request(&s->http, r, resp);
}

int plex__server_decode_model(void **out, const plex__schema *schema, plex__http *h,
                              const char *body, size_t len)
{
    plex_error perr;
    size_t start;
    int kind, rc;

    *out = NULL;
    if ((kind = plex__http_body_kind(h, body, len, &start)) < 0)
        return plex__http_fail(h, PLEX_ESCHEMA, "the server's answer is empty");
    if ((rc = plex__http_check_data(h)) != 0)
        return rc;
    if (kind)
        rc = plex__model_parse_xml(out, schema, body, len, 0, &perr);
    else
        rc = plex__model_parse(out, schema, body, len, 0, &perr);
    if (rc)
        return plex__http_fail(h, rc, "the server's answer could not be read: %s", perr.message);
    return 0;
}

int plex__server_decode(plex_container **out, plex__http *h, const char *body, size_t len)
{
    return plex__server_decode_model((void **)out, &plex__media_container_schema, h, body, len);
}

int plex__server_model(void **out, const plex__schema *schema, plex_server *s, const char *method,
                       const char *path, const char *query)
{
    plex__request r = {.method = method, .path = path, .query = query};
    plex__response resp;
    int rc;

    *out = NULL;
    r.accept = plex__server_accept(s);
    if ((rc = plex__server_request(s, &r, &resp)) != 0)
        return rc;
    return plex__server_decode_model(out, schema, &s->http, resp.body, resp.len);
}

int plex__server_container(plex_container **out, plex_server *s, const char *method,
                           const char *path, const char *query)
{
    return plex__server_model((void **)out, &plex__media_container_schema, s, method, path, query);
}

int plex__server_check_id(plex_server *s, const char *id, const char *what)
{
    if (id && *id && !id[strcspn(id, "/?#%& \t\r\n")]) {
        for (const char *p = id; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                goto bad;
        return 1;
    }
bad:
    plex__http_fail(&s->http, PLEX_EINVALID, "invalid %s: expected an id such as \"42\"", what);
    return 0;
}

/* path must be a path on the server: "/..." without a scheme. */
static int check_path(plex_server *s, const char *path)
{
    if (path && path[0] == '/' && !strpbrk(path, " \t\r\n#"))
        return 1;
    plex__http_fail(&s->http, PLEX_EINVALID, "invalid path: expected one starting with '/'");
    return 0;
}

int plex_server_get(plex_container **out, plex_server *s, const char *path, const plex_query *q)
{
    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!check_path(s, path))
        return PLEX_EINVALID;
    return plex__server_container(out, s, "GET", path, plex_query_string(q));
}

int plex_server_send(plex_server *s, const char *method, const char *path, const plex_query *q)
{
    plex__request r = {.path = path, .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;

    if (!s || !method)
        return PLEX_EINVALID;
    if (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0 && strcmp(method, "POST") != 0 &&
        strcmp(method, "DELETE") != 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "unsupported method %s", method);
    if (!check_path(s, path))
        return PLEX_EINVALID;
    r.method = method;
    r.query = plex_query_string(q);
    r.accept = plex__server_accept(s);
    return plex__server_request(s, &r, &resp);
}

/* ---- the helpers every pms file builds its calls from ---- */

int plex__pms_call(plex_container **out, plex_server *s, const char *method, const char *path,
                   const plex_query *q)
{
    if (!out)
        return plex_server_send(s, method, path, q);
    *out = NULL;
    return plex__server_container(out, s, method, path, plex_query_string(q));
}

/* plex__pms_path() with a va_list. */
static int vpath(plex_server *s, char *buf, size_t size, const char *what, const char *fmt,
                 va_list ap) PLEX__PRINTF(5, 0);

static int vpath(plex_server *s, char *buf, size_t size, const char *what, const char *fmt,
                 va_list ap)
{
    va_list check;
    int n;

    /* every %s is an id: check them before formatting (%lld are numbers) */
    va_copy(check, ap);
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            const char *id = va_arg(check, const char *);
            if (!plex__server_check_id(s, id, what)) {
                va_end(check);
                return PLEX_EINVALID;
            }
            p++;
        } else if (strncmp(p, "%lld", 4) == 0) {
            (void)va_arg(check, long long);
            p += 3;
        }
    }
    va_end(check);
    n = vsnprintf(buf, size, fmt, ap);
    if (n < 0 || (size_t)n >= size)
        return plex__http_fail(&s->http, PLEX_EINVALID, "the %s is too long", what);
    return 0;
}

int plex__pms_path(plex_server *s, char *buf, size_t size, const char *what, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vpath(s, buf, size, what, fmt, ap);
    va_end(ap);
    return rc;
}

int plex__pms_send_id(plex_server *s, const char *method, const char *what, const char *fmt, ...)
{
    char path[PATH_LEN];
    va_list ap;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    va_start(ap, fmt);
    rc = vpath(s, path, sizeof(path), what, fmt, ap);
    va_end(ap);
    return rc ? rc : plex_server_send(s, method, path, NULL);
}

plex_query *plex__pms_query(plex_server *s)
{
    plex_query *q = NULL;

    if (plex_query_new(&q) != 0) {
        plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
        return NULL;
    }
    return q;
}

int plex__pms_oom(plex_server *s, plex_query *q)
{
    plex_query_free(q);
    return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
}

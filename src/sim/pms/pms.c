/*
 * The emulated media server's dispatcher: its state, the table of route
 * groups, and what every request goes through (route, token, paging, the
 * answer's headers, error pages). Like tv/routes.c it never sees
 * libmicrohttpd: sim_pms_handle() takes a sim_request and fills a
 * sim_response, which is what a fuzzer drives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "pms.h"
#include "play.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every route group, in matching order (the first route that matches wins):
 * to add one, write its file and add it here (docs/plexsim.md). */
static const pms_group *const groups[] = {
    &pms_group_server,      &pms_group_library,   &pms_group_hubs,       &pms_group_media,
    &pms_group_playback,    &pms_group_transcode, &pms_group_playqueues, &pms_group_playlists,
    &pms_group_collections, &pms_group_edit,      &pms_group_events,     &pms_group_admin,
};

#define PMS_MAX_ROUTES 256
#define MAX_SEGMENTS 12

static char route_names[PMS_MAX_ROUTES][96];
static const pms_route *route_table[PMS_MAX_ROUTES];
static size_t nroutes;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

static void routes_init(void)
{
    for (size_t g = 0; g < COUNT(groups); g++)
        for (size_t i = 0; i < groups[g]->count && nroutes < PMS_MAX_ROUTES; i++) {
            const pms_route *r = &groups[g]->routes[i];
            route_table[nroutes] = r;
            snprintf(route_names[nroutes], sizeof(route_names[nroutes]), "%s %s", r->method,
                     r->path);
            nroutes++;
        }
}

size_t pms_route_count(void)
{
    pthread_once(&routes_once, routes_init);
    return nroutes;
}

const char *pms_route_name(size_t i)
{
    return i < pms_route_count() ? route_names[i] : NULL;
}

/* Split a path at '/' into segments (in buf); -1 if too long or too deep. */
static int split(const char *path, char *buf, size_t size, const char **seg, size_t *n)
{
    size_t len = strlen(path);

    *n = 0;
    if (len + 1 > size || path[0] != '/')
        return -1;
    memcpy(buf, path, len + 1);
    while (len > 1 && buf[len - 1] == '/') /* "/library/sections/" is "/library/sections" */
        buf[--len] = '\0';
    for (char *p = buf + 1; *p;) {
        char *slash = strchr(p, '/');
        if (*n >= MAX_SEGMENTS)
            return -1;
        seg[(*n)++] = p;
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
        if (!*p) /* an empty segment ("//") matches nothing */
            return -1;
    }
    return 0;
}

/* 1 if pattern matches the segments; its {placeholders} into args. */
static int match(const char *pattern, const char *const *seg, size_t n, const char **args,
                 size_t *nargs)
{
    const char *p = pattern + 1;
    size_t i = 0;

    *nargs = 0;
    if (strcmp(pattern, "/") == 0)
        return n == 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= n)
            return 0;
        if (p[0] == '{') {
            if (*nargs < 4)
                args[(*nargs)++] = seg[i];
        } else if (strlen(seg[i]) != len || memcmp(seg[i], p, len) != 0) {
            return 0;
        }
        i++;
        p += len;
        if (*p == '/')
            p++;
    }
    return i == n;
}

static int method_is(const char *want, const char *method)
{
    return strcmp(want, method) == 0 || (strcmp(want, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

int sim_pms_route_match(const char *method, const char *path)
{
    const char *seg[MAX_SEGMENTS], *args[4];
    char buf[1024];
    size_t n, nargs;

    if (!method || !path || split(path, buf, sizeof(buf), seg, &n) != 0)
        return SIM_R_OTHER;
    for (size_t i = 0; i < pms_route_count(); i++)
        if (method_is(route_table[i]->method, method) &&
            match(route_table[i]->path, seg, n, args, &nargs))
            return SIM_R_COUNT + (int)i;
    return SIM_R_OTHER;
}

/* ---- state ---- */

int sim_pms_init(sim_state *st, long movies, uint64_t seed)
{
    pms_state *p = calloc(1, sizeof(*p));
    int rc = 0;

    if (!p)
        return -1;
    p->seed = seed;
    p->movies = movies;
    if (!(p->lib = pms_library_new(seed, movies)) || pms_overlay_init(p) != 0) {
        pms_library_free(p->lib);
        pms_overlay_dispose(p);
        free(p);
        return -1;
    }
    p->next_key = pms_key_of(p, PMS_K_COUNT - 1, pms_kind_count(p, PMS_K_COUNT - 1));
    st->pms = p;
    pthread_mutex_lock(&st->lock);
    for (size_t g = 0; g < COUNT(groups) && rc == 0; g++)
        if (groups[g]->init)
            rc = groups[g]->init(st, p);
    pthread_mutex_unlock(&st->lock);
    if (rc != 0)
        sim_pms_dispose(st);
    return rc ? -1 : 0;
}

void sim_pms_dispose(sim_state *st)
{
    pms_state *p = st->pms;

    if (!p)
        return;
    for (size_t g = COUNT(groups); g-- > 0;)
        if (groups[g]->dispose)
            groups[g]->dispose(p);
    pms_query_cache_free(p);
    pms_overlay_dispose(p);
    pms_library_free(p->lib);
    free(p);
    st->pms = NULL;
}

void sim_pms_reset(sim_state *st)
{
    pms_state *p = st->pms;
    int64_t fixed;

    if (!p)
        return;
    fixed = p->fixed_now;
    pms_query_cache_free(p);
    pms_overlay_dispose(p);
    memset(p->scanned_at, 0, sizeof(p->scanned_at));
    memset(p->refresh_log, 0, sizeof(p->refresh_log));
    p->refresh_seq = 0;
    p->deleted_sections = 0;
    p->next_key = pms_key_of(p, PMS_K_COUNT - 1, pms_kind_count(p, PMS_K_COUNT - 1));
    p->fixed_now = fixed;
    pms_changed(p);
    if (pms_overlay_init(p) != 0)
        fprintf(stderr, "plexsim: out of memory resetting the media server\n");
    for (size_t g = 0; g < COUNT(groups); g++)
        if (groups[g]->reset)
            groups[g]->reset(p);
}

/* ---- arguments ---- */

const char *pms_arg(const pms_ctx *c, const char *name)
{
    const char *v = c->rq->lookup(c->rq->ctx, SIM_QUERY, name);

    if (!v && strncmp(name, "X-Plex-", 7) == 0)
        v = c->rq->lookup(c->rq->ctx, SIM_HEADER, name);
    return v;
}

int pms_flag(const pms_ctx *c, const char *name)
{
    const char *v = pms_arg(c, name);
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

int pms_parse_int(const char *s, int64_t *out)
{
    int64_t v = 0;
    int neg = 0;
    size_t i = 0, n;

    if (!s)
        return -1;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    n = strlen(s);
    if (n == i || n - i > 18)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

int pms_int_arg(pms_ctx *c, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    const char *v = pms_arg(c, name);
    int64_t x;

    if (!v) {
        *out = def;
        return 0;
    }
    if (pms_parse_int(v, &x) != 0 || x < lo || x > hi) {
        pms_error(c, 400);
        return -1;
    }
    *out = x;
    return 0;
}

int64_t pms_arg_item(pms_ctx *c, size_t i, pms_item *it)
{
    int64_t rk;

    if (i >= c->nargs || pms_parse_int(c->arg[i], &rk) != 0 || rk <= 0 ||
        pms_item_get(c->p, rk, it) != 0) {
        pms_error(c, 404);
        return -1;
    }
    return rk;
}

/* ---- answers ---- */

static const char *reason(int status)
{
    static const struct {
        int status;
        const char *text;
    } table[] = {{200, "OK"},
                 {201, "Created"},
                 {202, "Accepted"},
                 {204, "No Content"},
                 {400, "Bad Request"},
                 {401, "Unauthorized"},
                 {403, "Forbidden"},
                 {404, "Not Found"},
                 {405, "Method Not Allowed"},
                 {406, "Not Acceptable"},
                 {408, "Request Timeout"},
                 {409, "Conflict"},
                 {413, "Request Entity Too Large"},
                 {416, "Requested Range Not Satisfiable"},
                 {429, "Too Many Requests"},
                 {500, "Internal Server Error"},
                 {501, "Not Implemented"},
                 {502, "Bad Gateway"},
                 {503, "Service Unavailable"},
                 {504, "Gateway Timeout"},
                 {509, "Bandwidth Limit Exceeded"}};

    for (size_t i = 0; i < COUNT(table); i++)
        if (table[i].status == status)
            return table[i].text;
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "OK";
}

/* The HTML page PMS answers an error with (PMS.md §6.1); on / the head
 * also sends browsers to the web app. */
static void error_page(sim_response *rs, int status, int root)
{
    char page[512];
    int n;

    n = snprintf(page, sizeof(page),
                 "<html><head>%s<title>%s</title></head><body><h1>%d %s</h1></body></html>",
                 root ? "<script>window.location = window.location.href.match(/(^.+\\/)[^\\/]*$/)"
                        "[1] + 'web/index.html';</script>"
                      : "",
                 reason(status), status, reason(status));
    sim_response_dispose(rs);
    rs->status = status;
    rs->content_type = "text/html";
    rs->body = n > 0 ? strdup(page) : NULL;
    rs->body_len = rs->body ? (size_t)n : 0;
    if (!rs->body)
        rs->content_type = NULL;
}

void sim_pms_status(sim_response *rs, int status)
{
    error_page(rs, status, 0);
    rs->retry_after = status == 429 ? 1 : -1;
}

void pms_error(pms_ctx *c, int status)
{
    error_page(c->rs, status, 0);
}

void pms_reply_empty(pms_ctx *c, int status)
{
    sim_response_dispose(c->rs);
    c->rs->status = status;
    c->rs->content_type = NULL;
}

/* ---- dispatch ---- */

/* Paging asked for: X-Plex-Container-Start / -Size, header or query. A value
 * that is not a whole number is 400; a negative start counts from 0, a
 * negative size is no limit. 0, or -1 after answering. */
static int paging(pms_ctx *c)
{
    const char *start = pms_arg(c, "X-Plex-Container-Start");
    const char *size = pms_arg(c, "X-Plex-Container-Size");

    c->start = 0;
    c->size = -1;
    c->paged = start || size;
    if ((start && pms_parse_int(start, &c->start) != 0) ||
        (size && pms_parse_int(size, &c->size) != 0)) {
        pms_error(c, 400);
        return -1;
    }
    if (c->start < 0)
        c->start = 0;
    if (c->size < 0)
        c->size = -1;
    return 0;
}

static int token_ok(pms_ctx *c)
{
    const char *tok = pms_arg(c, "X-Plex-Token");

    if (!tok || !*tok)
        return 0;
    if (strcmp(tok, SIM_SERVER_TOKEN) == 0 || pms_token_transient(c->p, tok))
        return 1;
    return sim_token_status(c->st, tok) == 200;
}

void sim_pms_handle(sim_state *st, const sim_request *rq, sim_response *rs)
{
    const char *seg[MAX_SEGMENTS];
    char buf[1024];
    size_t n;
    pms_ctx c;
    const pms_route *route = NULL;
    void *root;

    memset(rs, 0, sizeof(*rs));
    rs->retry_after = -1;
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.rq = rq;
    c.rs = rs;
    c.json = sim_wants_json(rq);
    sim_response_header(rs, "X-Plex-Protocol", "1.0");

    pthread_mutex_lock(&st->lock);
    c.p = st->pms;
    if (rq->route >= SIM_R_COUNT && (size_t)(rq->route - SIM_R_COUNT) < pms_route_count())
        route = route_table[rq->route - SIM_R_COUNT];
    if (!c.p) {
        pms_error(&c, 503);
    } else if (rq->body_too_big) {
        pms_error(&c, 413);
    } else if ((!route || !(route->flags & PMS_ROUTE_OPEN)) && !token_ok(&c)) {
        error_page(rs, 401, strcmp(rq->path ? rq->path : "", "/") == 0);
    } else if (!route || split(rq->path, buf, sizeof(buf), seg, &n) != 0 ||
               !match(route->path, seg, n, c.arg, &c.nargs)) {
        pms_error(&c, 404);
    } else if (paging(&c) == 0) {
        root = plex__arena_new(16, (size_t)16 * 1024);
        if (!root) {
            pms_error(&c, 500);
        } else {
            c.arena = plex__arena_of(root);
            pms_device_seen(c.p, pms_arg(&c, "X-Plex-Client-Identifier"),
                            pms_arg(&c, "X-Plex-Product"), pms_arg(&c, "X-Plex-Platform"),
                            pms_arg(&c, "X-Plex-Device-Name"));
            route->handle(&c);
            plex__arena_free_root(root);
        }
    }
    pthread_mutex_unlock(&st->lock);
}

static int pms_match(const char *method, const char *path)
{
    return sim_pms_route_match(method, path);
}

static void pms_status(sim_state *st, const sim_request *rq, sim_response *rs, int status)
{
    (void)st;
    (void)rq;
    sim_pms_status(rs, status);
    sim_response_header(rs, "X-Plex-Protocol", "1.0");
}

const sim_service sim_pms_service = {"pms", pms_match, sim_pms_handle, pms_status};

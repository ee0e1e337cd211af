/*
 * The plex.tv account operations: resources, geoip, companions, friends,
 * home, password sign-in and the v1 users list.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "client.h"
#include "core/error.h"
#include "plex/account.h"

/* Send `r`; decode a 2xx body with `parse`. A bad body is recorded on the client. */
static int fetch(plex_client *c, const plex__request *r,
                 int (*parse)(void **, const char *, size_t, plex_error *), void **out)
{
    plex__response resp;
    plex_error perr;
    int rc = plex__http_request(&c->http, r, &resp);

    if (rc)
        return rc;
    rc = parse(out, resp.body, resp.len, &perr);
    if (rc)
        return plex__http_fail(&c->http, rc, "the server's answer could not be read: %s",
                               perr.message);
    return 0;
}

static int need_token(plex_client *c)
{
    return c->http.token
               ? 0
               : plex__http_fail(&c->http, PLEX_EAUTH, "not signed in: this needs a token");
}

/* One adapter per model: the generic parse signature of fetch(). `type` is a
 * type name, which cannot be parenthesised. */
#define ADAPTER(fn, type, parse)                                                                   \
    static int fn(void **out, const char *d, size_t n, plex_error *e)                              \
    {                                                                                              \
        type *o = NULL; /* NOLINT(bugprone-macro-parentheses) */                                   \
        int rc = parse(&o, d, n, 0, e);                                                            \
        *out = o;                                                                                  \
        return rc;                                                                                 \
    }
ADAPTER(parse_resources, plex_resources, plex_resources_parse)
ADAPTER(parse_geodata, plex_geodata, plex_geodata_parse)
ADAPTER(parse_companions, plex_companions, plex_companions_parse)
ADAPTER(parse_friends, plex_friends, plex_friends_parse)
ADAPTER(parse_home, plex_home, plex_home_parse)
ADAPTER(parse_user, plex_user, plex_user_parse)
ADAPTER(parse_users, plex_users, plex_users_parse_xml)
#undef ADAPTER

/* GET `path` (with `query`), with a token when `auth`, decoded by `parse`. */
static int get_model(void **out, plex_client *c, const char *path, const char *query, int auth,
                     int (*parse)(void **, const char *, size_t, plex_error *))
{
    plex__request r = {.method = "GET", .path = path, .query = query};
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (auth && (rc = need_token(c)) != 0)
        return rc;
    return fetch(c, &r, parse, out);
}

int plex_resources_get(plex_resources **out, plex_client *c, unsigned int flags)
{
    char query[64];
    void *o = NULL;
    int rc;

    snprintf(query, sizeof(query), "includeHttps=%d&includeRelay=%d&includeIPv6=%d",
             !(flags & PLEX_RESOURCES_NO_HTTPS), !(flags & PLEX_RESOURCES_NO_RELAY),
             !(flags & PLEX_RESOURCES_NO_IPV6));
    rc = get_model(&o, c, "/api/v2/resources", query, 1, parse_resources);
    if (out)
        *out = o;
    return rc;
}

int plex_geoip_get(plex_geodata **out, plex_client *c)
{
    void *o = NULL;
    int rc = get_model(&o, c, "/api/v2/geoip", NULL, 0, parse_geodata);
    if (out)
        *out = o;
    return rc;
}

int plex_companions_get(plex_companions **out, plex_client *c)
{
    void *o = NULL;
    int rc = get_model(&o, c, "/api/v2/companions", NULL, 1, parse_companions);
    if (out)
        *out = o;
    return rc;
}

int plex_friends_get(plex_friends **out, plex_client *c)
{
    void *o = NULL;
    int rc = get_model(&o, c, "/api/v2/friends", NULL, 1, parse_friends);
    if (out)
        *out = o;
    return rc;
}

int plex_home_get(plex_home **out, plex_client *c)
{
    void *o = NULL;
    int rc = get_model(&o, c, "/api/v2/home", NULL, 1, parse_home);
    if (out)
        *out = o;
    return rc;
}

int plex_users_get(plex_users **out, plex_client *c)
{
    void *o = NULL;
    int rc = get_model(&o, c, "/api/users", NULL, 1, parse_users);
    if (out)
        *out = o;
    return rc;
}

int plex_signin_password(plex_user **out, plex_client *c, const char *login, const char *password,
                         const char *verification_code, int remember_me)
{
    plex__request r = {.method = "POST",
                       .path = "/api/v2/users/signin",
                       .content_type = "application/x-www-form-urlencoded"};
    plex__buf body = PLEX__BUF_INIT;
    void *u = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (!login || !*login || !password)
        return plex__http_fail(&c->http, PLEX_EINVALID, "a login and a password are required");
    plex__buf_puts(&body, "login=");
    plex__url_encode(&body, login);
    plex__buf_puts(&body, "&password=");
    plex__url_encode(&body, password);
    plex__buf_puts(&body, remember_me ? "&rememberMe=true" : "&rememberMe=false");
    if (verification_code && *verification_code) {
        plex__buf_puts(&body, "&verificationCode=");
        plex__url_encode(&body, verification_code);
    }
    if (body.err) {
        plex__buf_dispose(&body);
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    r.body = body.ptr;
    r.body_len = body.len;
    rc = fetch(c, &r, parse_user, &u);
    /* the body holds the password: wipe it */
    if (body.ptr)
        memset(body.ptr, 0, body.len);
    plex__buf_dispose(&body);
    if (rc)
        return rc;
    if (!((plex_user *)u)->auth_token) {
        plex_user_free(u);
        return plex__http_fail(&c->http, PLEX_ESCHEMA, "the sign-in answer has no authToken");
    }
    *out = u;
    return 0;
}

/* ---- best connection ---- */

struct plex_connect_report {
    plex_connect_attempt *items;
    size_t count;
    const plex_connection *chosen;
};

#define REMOTE_DELAY_MS 100
#define RELAY_DELAY_MS 500

/* 0 local, 1 remote, 2 relay */
static int rank(const plex_connection *cn)
{
    if (cn->relay == PLEX_TRUE)
        return 2;
    return cn->local == PLEX_TRUE ? 0 : 1;
}

int plex_resource_connect(plex_connect_report **out, plex_client *c, const plex_resource *server,
                          long deadline_ms)
{
    static const long delay[3] = {0, REMOTE_DELAY_MS, RELAY_DELAY_MS};
    plex_connect_report *rep;
    plex__probe *probes;
    char **urls;
    size_t n = 0, i, winner;
    int rc;

    if (!out || !c || !server)
        return PLEX_EINVALID;
    *out = NULL;
    if (deadline_ms <= 0)
        deadline_ms = 10000;
    rep = plex__calloc(1, sizeof(*rep));
    probes = plex__calloc(server->connections_count + 1, sizeof(*probes));
    urls = plex__calloc(server->connections_count + 1, sizeof(*urls));
    if (rep)
        rep->items = plex__calloc(server->connections_count + 1, sizeof(*rep->items));
    if (!rep || !probes || !urls || !rep->items) {
        rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
        goto done;
    }
    /* the order of preference: local, remote, relay (stable within each) */
    for (int r = 0; r < 3; r++) {
        for (i = 0; i < server->connections_count; i++) {
            const plex_connection *cn = server->connections[i];
            plex__buf b = PLEX__BUF_INIT;
            size_t len;

            if (!cn->uri || !*cn->uri || rank(cn) != r)
                continue;
            len = strlen(cn->uri);
            while (len > 0 && cn->uri[len - 1] == '/')
                len--;
            plex__buf_put(&b, cn->uri, len);
            plex__buf_puts(&b, "/identity");
            if (plex__buf_detach(&b, &urls[n]) != 0) {
                rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
                goto done;
            }
            probes[n].url = urls[n];
            probes[n].start_after_ms = delay[r];
            rep->items[n].connection = cn;
            n++;
        }
    }
    rep->count = n;
    if (n == 0) {
        rc = plex__http_fail(&c->http, PLEX_ECONNECT, "the server has no connections");
    } else {
        rc = plex__http_race(&c->http, probes, n,
                             server->access_token ? server->access_token : c->http.token,
                             deadline_ms, &winner);
        for (i = 0; i < n; i++) {
            rep->items[i].started = probes[i].started;
            rep->items[i].result = probes[i].result;
            rep->items[i].http_status = probes[i].http_status;
            rep->items[i].elapsed_ms = probes[i].elapsed_ms;
        }
        if (rc == 0)
            rep->chosen = rep->items[winner].connection;
    }
    if (rc == 0 || rc == PLEX_ECONNECT || rc == PLEX_ETIMEOUT) {
        *out = rep;
        rep = NULL;
    }
done:
    for (i = 0; urls && i < n; i++)
        plex__free(urls[i]);
    plex__free(urls);
    plex__free(probes);
    plex_connect_report_free(rep);
    return rc;
}

const plex_connection *plex_connect_report_chosen(const plex_connect_report *r)
{
    return r ? r->chosen : NULL;
}

size_t plex_connect_report_count(const plex_connect_report *r)
{
    return r ? r->count : 0;
}

const plex_connect_attempt *plex_connect_report_at(const plex_connect_report *r, size_t i)
{
    return r && i < r->count ? &r->items[i] : NULL;
}

void plex_connect_report_free(plex_connect_report *r)
{
    if (!r)
        return;
    plex__free(r->items);
    plex__free(r);
}

/*
 * plex_client: creation, options, and the single plex.tv operations.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/alloc.h"
#include "client.h"
#include "core/error.h"
#include "core/model.h"
#include "plex/version.h"

#define DEFAULT_BASE_URL "https://plex.tv"
#define CLIENTS_BASE_URL "https://clients.plex.tv" /* the JWT flow's host (PROTOCOL.md §6) */
#define DEFAULT_MAX_RESPONSE ((size_t)8 * 1024 * 1024)

int plex_client_options_init(plex_client_options *opts, unsigned int version)
{
    static const plex_client_options init = PLEX_CLIENT_OPTIONS_INIT;

    if (!opts || version != PLEX_CLIENT_OPTIONS_VERSION)
        return PLEX_EINVALID;
    *opts = init;
    return 0;
}

/* Header values may not hold control characters (CR/LF would split headers). */
static int header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* The transport's explain hook: plex.tv's errors[] (JSON or XML) of a failed
 * answer, kept for plex_client_last_api_errors(); 404 with code 1020 is a PIN
 * that is gone. */
static const char *explain_errors(plex__http *h, void *client, long status, int *code)
{
    plex_client *c = client;
    const char *b = h->body.ptr;
    const plex_api_error *e;
    size_t n = h->body.len, i = 0;
    int rc;

    plex_api_errors_free(c->last_api_errors);
    c->last_api_errors = NULL;
    if (!b || !n)
        return NULL;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        i++;
    if (i < n && b[i] == '<')
        rc = plex_api_errors_parse_xml(&c->last_api_errors, b, n, 0, NULL);
    else
        rc = plex_api_errors_parse(&c->last_api_errors, b, n, 0, NULL);
    if (rc != 0 || !(e = plex_api_errors_at(c->last_api_errors, 0)))
        return NULL;
    h->last.api_code = e->code;
    if (status == 404 && e->code == 1020) {
        *code = PLEX_EGONE;
        return "the PIN is gone: it expired, was already used, or was created by another client "
               "identifier";
    }
    return e->message ? e->message : "no details";
}

int plex_client_new(plex_client **out, const plex_client_options *o, plex_error *err)
{
    plex_client *c;
    plex__http *h;
    const char *ids[PLEX__IDENTITY_COUNT];
    struct utsname u;
    char host[256];
    int have_uname, rc = 0;
    size_t n;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!o || o->version != PLEX_CLIENT_OPTIONS_VERSION)
        return plex__error_set(
            err, PLEX_EINVALID,
            "unknown plex_client_options version (use PLEX_CLIENT_OPTIONS_INIT)");
    if (!o->client_identifier || !*o->client_identifier)
        return plex__error_set(err, PLEX_EINVALID,
                               "a client identifier is required: generate a UUID once and keep it");

    have_uname = uname(&u) == 0;
    if (gethostname(host, sizeof(host)) != 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    ids[0] = o->client_identifier;
    ids[1] = o->product ? o->product : "libplex";
    ids[2] = o->product_version ? o->product_version : PLEX_VERSION_STRING;
    ids[3] = o->platform ? o->platform : have_uname ? u.sysname : NULL;
    ids[4] = o->platform_version ? o->platform_version : have_uname ? u.release : NULL;
    ids[5] = o->device ? o->device : have_uname ? u.machine : NULL;
    ids[6] = o->device_name ? o->device_name : host[0] ? host : NULL;
    ids[7] = o->model;
    ids[8] = o->vendor;
    for (int i = 0; i < PLEX__IDENTITY_COUNT; i++)
        if (ids[i] && !header_safe(ids[i]))
            return plex__error_set(err, PLEX_EINVALID,
                                   "identity values may not contain control characters");
    if (o->token && !header_safe(o->token))
        return plex__error_set(err, PLEX_EINVALID, "the token contains control characters");

    c = plex__calloc(1, sizeof(*c));
    if (!c)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    h = &c->http;
    for (int i = 0; i < PLEX__IDENTITY_COUNT && rc == 0; i++)
        rc = plex__http_set(&h->identity[i], ids[i]);
    if (rc == 0)
        rc = plex__http_set(&h->base_url, o->base_url ? o->base_url : DEFAULT_BASE_URL);
    if (rc == 0)
        rc = plex__http_set(&h->token, o->token);
    if (rc == 0)
        rc = plex__http_set(&h->ca_file, o->ca_file);
    if (rc) {
        plex_client_free(c);
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    }
    n = strlen(h->base_url);
    while (n > 0 && h->base_url[n - 1] == '/')
        h->base_url[--n] = '\0';
    if (strncmp(h->base_url, "https://", 8) != 0) {
        int loop = strncmp(h->base_url, "http://", 7) == 0 ? plex__url_is_loopback(h->base_url) : 0;
        if (loop < 0) {
            plex_client_free(c);
            return plex__error_set(err, PLEX_ENOMEM, "out of memory");
        }
        if (!loop) {
            plex_client_free(c);
            return plex__error_set(err, PLEX_EINVALID,
                                   "the base URL must be https:// (plain http:// is only allowed "
                                   "to a loopback address)");
        }
    }
    /* plex.tv's JWT endpoints live on clients.plex.tv; another server (an
     * emulator, a proxy) serves everything itself */
    if (plex__http_set(&c->clients_url, strcasecmp(h->base_url, DEFAULT_BASE_URL) == 0
                                            ? CLIENTS_BASE_URL
                                            : h->base_url) != 0) {
        plex_client_free(c);
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    }
    h->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    h->request_timeout_ms = o->request_timeout_ms > 0 ? o->request_timeout_ms : 30000;
    h->max_response = o->max_response_size ? o->max_response_size : DEFAULT_MAX_RESPONSE;
    h->log = o->log;
    h->log_payload = o->log_payload;
    h->flags = o->flags;
    h->retry_after = -1;
    h->hooks.before = plex__jwt_hook_before;
    h->hooks.retry = plex__jwt_hook_retry;
    h->hooks.explain = explain_errors;
    h->hooks.ctx = c;
    *out = c;
    return 0;
}

void plex_client_free(plex_client *c)
{
    if (!c)
        return;
    plex__http_dispose(&c->http);
    plex_jwt_key_free(c->jwt_key);
    plex__free(c->clients_url);
    plex_api_errors_free(c->last_api_errors);
    plex__free(c);
}

int plex_client_set_token(plex_client *c, const char *token)
{
    if (!c || (token && !header_safe(token)))
        return PLEX_EINVALID;
    return plex__http_set(&c->http.token, token);
}

const plex_error *plex_client_last_error(const plex_client *c)
{
    return c ? &c->http.last : NULL;
}

const plex_api_errors *plex_client_last_api_errors(const plex_client *c)
{
    return c ? c->last_api_errors : NULL;
}

void plex_client_get_stats(const plex_client *c, plex_client_stats *out)
{
    if (c && out)
        *out = c->http.stats;
}

/* Decode a 2xx body with `parse`; a bad body is recorded on the client. */
static int decode_body(plex_client *c, const plex__response *resp,
                       int (*parse)(void **, const char *, size_t, plex_error *), void **out)
{
    plex_error perr;
    int rc = parse(out, resp->body, resp->len, &perr);

    if (rc)
        return plex__http_fail(&c->http, rc, "the server's answer could not be read: %s",
                               perr.message);
    return 0;
}

/* Send `r` and decode its 2xx body with `parse` into *out. */
static int fetch(plex_client *c, const plex__request *r,
                 int (*parse)(void **, const char *, size_t, plex_error *), void **out)
{
    plex__response resp;
    int rc = plex__http_request(&c->http, r, &resp);

    return rc ? rc : decode_body(c, &resp, parse, out);
}

static int parse_pin(void **out, const char *d, size_t n, plex_error *e)
{
    plex_pin *p = NULL;
    int rc = plex_pin_parse(&p, d, n, 0, e);
    *out = p;
    return rc;
}

/* A pin the flow can use needs at least an id and a code. */
static int check_usable_pin(plex_client *c, plex_pin **pin)
{
    if (((*pin)->present & (PLEX_PIN_ID | PLEX_PIN_CODE)) != (PLEX_PIN_ID | PLEX_PIN_CODE)) {
        plex_pin_free(*pin);
        *pin = NULL;
        return plex__http_fail(&c->http, PLEX_ESCHEMA, "the server's PIN has no id or no code");
    }
    return 0;
}

int plex_pin_create(plex_pin **out, plex_client *c, unsigned int flags)
{
    plex__request r = {.method = "POST", .path = "/api/v2/pins"};
    void *pin = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (flags & PLEX_PIN_STRONG)
        r.query = "strong=true";
    if ((rc = fetch(c, &r, parse_pin, &pin)) != 0)
        return rc;
    *out = pin;
    return check_usable_pin(c, out);
}

int plex_pin_check(plex_pin **out, plex_client *c, int64_t id)
{
    char path[64];
    plex__request r = {.method = "GET", .path = path};
    void *pin = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    snprintf(path, sizeof(path), "/api/v2/pins/%lld", (long long)id);
    r.log_path = (c->http.flags & PLEX_CLIENT_LOG_SECRETS) ? path : "/api/v2/pins/<redacted>";
    if ((rc = fetch(c, &r, parse_pin, &pin)) != 0)
        return rc;
    *out = pin;
    return check_usable_pin(c, out);
}

int plex_pin_link(plex_client *c, const char *code)
{
    plex__request r = {.method = "PUT",
                       .path = "/api/v2/pins/link",
                       .content_type = "application/x-www-form-urlencoded"};
    plex__buf body = PLEX__BUF_INIT;
    plex__response resp;
    int rc;

    if (!c || !code || !*code)
        return PLEX_EINVALID;
    if (!c->http.token)
        return plex__http_fail(&c->http, PLEX_EAUTH, "not signed in: linking a code needs a token");
    plex__buf_puts(&body, "code=");
    plex__url_encode(&body, code);
    if (body.err) {
        plex__buf_dispose(&body);
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    r.body = body.ptr;
    r.body_len = body.len;
    rc = plex__http_request(&c->http, &r, &resp);
    plex__buf_dispose(&body);
    return rc;
}

int plex_ping(plex_client *c)
{
    plex__request r = {.method = "GET", .path = "/api/v2/ping"};
    plex__response resp;

    if (!c)
        return PLEX_EINVALID;
    return plex__http_request(&c->http, &r, &resp);
}

int plex_signout(plex_client *c)
{
    plex__request r = {.method = "DELETE", .path = "/api/v2/users/signout"};
    plex__response resp;

    if (!c)
        return PLEX_EINVALID;
    if (!c->http.token)
        return plex__http_fail(&c->http, PLEX_EAUTH, "not signed in");
    return plex__http_request(&c->http, &r, &resp);
}

static int parse_user(void **out, const char *d, size_t n, plex_error *e)
{
    plex_user *u = NULL;
    int rc = plex_user_parse(&u, d, n, 0, e);
    *out = u;
    return rc;
}

int plex_user_get(plex_user **out, plex_client *c)
{
    plex__request r = {.method = "GET", .path = "/api/v2/user"};
    void *u = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (!c->http.token)
        return plex__http_fail(&c->http, PLEX_EAUTH, "not signed in: no token to validate");
    if ((rc = fetch(c, &r, parse_user, &u)) != 0)
        return rc;
    *out = u;
    return 0;
}

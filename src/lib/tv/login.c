/*
 * The PIN sign-in as a state machine: plex_login_step() never blocks, and
 * plex_login_wait() drives it with poll() (plex__wait_poll).
 *
 * Rules (PROTOCOL.md §3): the code's window is timed by the local monotonic
 * clock from the moment the PIN arrived (expiresIn, clamped), never by
 * counting polls; 404/1020 or the end of the window issues a new code, up to
 * max_reissues times; 429 waits Retry-After (or doubles the interval);
 * transport errors and 5xx back off 2, 4, 8, 16 s within the window; 401, a
 * malformed body or a TLS failure end the sign-in with their own error.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "client.h"
#include "core/error.h"
#include "jwt.h"

enum { S_CREATE, S_CREATING, S_POLL_WAIT, S_POLLING, S_DONE, S_FAILED };

#define MIN_WINDOW_S 1
#define MAX_WINDOW_S 7200
#define MAX_CREATE_RETRIES 4
#define BACKOFF_FIRST_MS 2000
#define BACKOFF_MAX_MS 16000
#define MAX_INTERVAL_MS 30000

struct plex_login {
    plex_client *c;
    unsigned int pin_flags;
    long poll_ms;
    int max_reissues;
    long timeout_ms;
    char *forward_url;
    plex_login_event_cb on_event;
    void *payload;
    volatile sig_atomic_t *cancel_flag;
    const plex_jwt_key *jwt_key; /* JWT device sign-in, or NULL */
    int last_retry_error;        /* the error behind the latest retry, or 0 */

    int state;
    int result;
    int cancelled;
    plex_pin *pin;
    char *url;
    char *token;
    long window_end; /* monotonic ms */
    long next_at;    /* monotonic ms: when the next request is due */
    long deadline;   /* monotonic ms, or 0 */
    long backoff_ms;
    long last_tick; /* seconds_left last reported */
    int reissues;
    int issued;
    int create_failures;
};

static void emit(plex_login *l, int type, int error, long retry_ms, long now)
{
    plex_login_event ev;

    if (!l->on_event)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.code = l->pin ? l->pin->code : NULL;
    ev.url = l->url;
    ev.strong = (l->pin_flags & PLEX_PIN_STRONG) != 0;
    ev.seconds_left = l->pin && l->window_end > now ? (l->window_end - now + 999) / 1000 : 0;
    ev.reissues = l->reissues;
    ev.error = error;
    ev.retry_in_ms = retry_ms;
    if (l->on_event(&ev, l->payload) != 0)
        l->cancelled = 1;
}

static int fail(plex_login *l, int rc)
{
    plex__http_abort(&l->c->http);
    l->state = S_FAILED;
    l->result = rc;
    return rc;
}

static int retryable(int rc)
{
    return rc == PLEX_EDNS || rc == PLEX_ECONNECT || rc == PLEX_ETRANSPORT || rc == PLEX_ETIMEOUT ||
           rc == PLEX_ESERVER;
}

static long next_backoff(plex_login *l)
{
    l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_FIRST_MS;
    if (l->backoff_ms > BACKOFF_MAX_MS)
        l->backoff_ms = BACKOFF_MAX_MS;
    return l->backoff_ms;
}

/* The wait a 429 asks for: Retry-After, or double the poll interval. */
static long rate_limit_wait(plex_login *l)
{
    const plex_error *e = &l->c->http.last;

    if (e->retry_after >= 0)
        return (long)e->retry_after * 1000;
    l->poll_ms = l->poll_ms ? l->poll_ms * 2 : 1000;
    if (l->poll_ms > MAX_INTERVAL_MS)
        l->poll_ms = MAX_INTERVAL_MS;
    return l->poll_ms;
}

static int reissue_or_expire(plex_login *l, long now)
{
    if (l->reissues >= l->max_reissues)
        return fail(l, plex__http_fail(&l->c->http, PLEX_EEXPIRED,
                                       "the code expired before it was approved (%d new "
                                       "code%s issued); run the sign-in again",
                                       l->reissues, l->reissues == 1 ? " was" : "s were"));
    l->reissues++;
    l->state = S_CREATE;
    l->next_at = now;
    l->create_failures = 0;
    l->backoff_ms = 0;
    return 0;
}

static int make_url(plex_login *l)
{
    plex_client *c = l->c;

    plex__free(l->url);
    l->url = NULL;
    if (l->pin_flags & PLEX_PIN_STRONG) {
        plex_auth_url_options o = PLEX_AUTH_URL_OPTIONS_INIT;
        o.client_identifier = c->http.identity[0];
        o.code = l->pin->code;
        o.product = c->http.identity[1];
        o.forward_url = l->forward_url;
        o.product_version = c->http.identity[2];
        o.platform = c->http.identity[3];
        o.platform_version = c->http.identity[4];
        o.device = c->http.identity[5];
        o.device_name = c->http.identity[6];
        o.model = c->http.identity[7];
        return plex_auth_app_url(&l->url, &o);
    }
    return plex_pin_link_url(&l->url, l->pin->code);
}

static int on_created(plex_login *l, int rc, long now)
{
    plex_pin *pin = NULL;
    long window;

    if (rc == 0) {
        plex_error perr;
        plex__response resp;
        resp.body = l->c->http.body.ptr ? l->c->http.body.ptr : "";
        resp.len = l->c->http.body.len;
        rc = plex_pin_parse(&pin, resp.body, resp.len, 0, &perr);
        if (rc)
            return fail(l, plex__http_fail(&l->c->http, rc,
                                           "the server's PIN could not be read: %s", perr.message));
        if ((pin->present & (PLEX_PIN_ID | PLEX_PIN_CODE)) != (PLEX_PIN_ID | PLEX_PIN_CODE)) {
            plex_pin_free(pin);
            return fail(l, plex__http_fail(&l->c->http, PLEX_ESCHEMA,
                                           "the server's PIN has no id or no code"));
        }
        if (pin->present & PLEX_PIN_EXPIRES_IN)
            window = pin->expires_in;
        else if ((pin->present & (PLEX_PIN_CREATED_AT | PLEX_PIN_EXPIRES_AT)) ==
                 (PLEX_PIN_CREATED_AT | PLEX_PIN_EXPIRES_AT))
            window = (long)(pin->expires_at.seconds - pin->created_at.seconds);
        else
            window = (l->pin_flags & PLEX_PIN_STRONG) ? 1800 : 900;
        if (window < MIN_WINDOW_S)
            window = MIN_WINDOW_S;
        if (window > MAX_WINDOW_S)
            window = MAX_WINDOW_S;
        plex_pin_free(l->pin);
        l->pin = pin;
        if (make_url(l) != 0)
            return fail(l, plex__http_fail(&l->c->http, PLEX_ENOMEM, "out of memory"));
        l->window_end = now + window * 1000;
        l->next_at = now + l->poll_ms;
        l->state = S_POLL_WAIT;
        l->backoff_ms = 0;
        l->last_tick = -1;
        emit(l, l->issued++ ? PLEX_LOGIN_REISSUED : PLEX_LOGIN_CODE, 0, 0, now);
        return 0;
    }
    if ((retryable(rc) || rc == PLEX_ERATELIMIT) && l->create_failures < MAX_CREATE_RETRIES) {
        long wait = rc == PLEX_ERATELIMIT ? rate_limit_wait(l) : next_backoff(l);
        l->create_failures++;
        l->last_retry_error = rc;
        l->state = S_CREATE;
        l->next_at = now + wait;
        emit(l, PLEX_LOGIN_RETRY, rc, wait, now);
        return 0;
    }
    return fail(l, rc);
}

static int on_polled(plex_login *l, int rc, long now)
{
    if (rc == 0) {
        plex_pin *pin = NULL;
        plex_error perr;
        int prc = plex_pin_parse(&pin, l->c->http.body.ptr ? l->c->http.body.ptr : "",
                                 l->c->http.body.len, 0, &perr);
        if (prc)
            return fail(l, plex__http_fail(&l->c->http, prc,
                                           "the server's PIN could not be read: %s", perr.message));
        l->backoff_ms = 0;
        if (pin->auth_token && *pin->auth_token) {
            l->token = plex__strdup(pin->auth_token);
            plex_pin_free(pin);
            if (!l->token)
                return fail(l, plex__http_fail(&l->c->http, PLEX_ENOMEM, "out of memory"));
            l->state = S_DONE;
            emit(l, PLEX_LOGIN_APPROVED, 0, 0, now);
            return 0;
        }
        plex_pin_free(pin);
        l->next_at = now + l->poll_ms;
        l->state = S_POLL_WAIT;
        return 0;
    }
    if (rc == PLEX_EGONE)
        return reissue_or_expire(l, now);
    if (rc == PLEX_ERATELIMIT || retryable(rc)) {
        long wait = rc == PLEX_ERATELIMIT ? rate_limit_wait(l) : next_backoff(l);
        l->next_at = now + wait;
        if (l->next_at > l->window_end)
            l->next_at = l->window_end;
        l->state = S_POLL_WAIT;
        emit(l, PLEX_LOGIN_RETRY, rc, wait, now);
        return 0;
    }
    return fail(l, rc);
}

/* Report the countdown; returns when the next second boundary is due. */
static long tick(plex_login *l, long now)
{
    long left;

    if (!l->pin || l->window_end <= now)
        return now + 1000;
    left = (l->window_end - now + 999) / 1000;
    if (left != l->last_tick) {
        l->last_tick = left;
        emit(l, PLEX_LOGIN_TICK, 0, 0, now);
    }
    return l->window_end - (left - 1) * 1000;
}

static void set_wait(plex_login *l, plex_login_wait_info *w, long now, long until)
{
    if (l->c->http.busy) {
        plex__http_wait_info(&l->c->http, w);
    } else {
        w->nfds = 0;
        for (int i = 0; i < 4; i++) {
            w->fds[i] = -1;
            w->events[i] = 0;
        }
        w->timeout_ms = until - now;
    }
    if (w->timeout_ms > until - now)
        w->timeout_ms = until - now;
    if (l->deadline && w->timeout_ms > l->deadline - now)
        w->timeout_ms = l->deadline - now;
    if (w->timeout_ms < 0)
        w->timeout_ms = 0;
}

int plex_login_step(plex_login *l, plex_login_wait_info *w)
{
    plex_login_wait_info scratch;

    if (!l)
        return PLEX_EINVALID;
    if (!w)
        w = &scratch;
    memset(w, 0, sizeof(*w)); /* defined even when the step fails */
    for (;;) {
        long now = plex__now_ms(), until;
        int rc, done;
        plex__request r;
        plex__response resp;
        char path[64];

        if (l->state == S_DONE)
            return 0;
        if (l->state == S_FAILED)
            return l->result;
        if (l->cancelled || (l->cancel_flag && *l->cancel_flag))
            return fail(l,
                        plex__http_fail(&l->c->http, PLEX_ECANCELLED, "the sign-in was cancelled"));
        if (l->deadline && now >= l->deadline) {
            /* never got a code because the service failed: that failure is the news */
            if (!l->pin && l->last_retry_error)
                return fail(l, l->last_retry_error);
            return fail(l, plex__http_fail(&l->c->http, PLEX_ETIMEOUT,
                                           "the sign-in was not approved within the time "
                                           "limit"));
        }
        until = tick(l, now);
        if (l->cancelled)
            continue;

        switch (l->state) {
        case S_CREATE:
            if (now < l->next_at) {
                set_wait(l, w, now, l->next_at < until ? l->next_at : until);
                return PLEX_EPENDING;
            }
            memset(&r, 0, sizeof(r));
            r.method = "POST";
            r.path = "/api/v2/pins";
            r.query = (l->pin_flags & PLEX_PIN_STRONG) ? "strong=true" : NULL;
            if (l->jwt_key) {
                char *body = NULL;
                if ((rc = plex__jwt_pin_body(&body, l->jwt_key)) != 0)
                    return fail(l, plex__http_fail(&l->c->http, rc, "could not build the request"));
                r.query = NULL;
                r.base = l->c->clients_url;
                r.body = body;
                r.body_len = strlen(body);
                r.content_type = "application/json";
                rc = plex__http_start(&l->c->http, &r); /* the body is copied */
                plex__free(body);
            } else {
                rc = plex__http_start(&l->c->http, &r);
            }
            if (rc != 0)
                return fail(l, rc);
            l->state = S_CREATING;
            break;
        case S_CREATING:
        case S_POLLING:
            if ((rc = plex__http_progress(&l->c->http, &done)) != 0)
                return fail(l, rc);
            if (!done) {
                set_wait(l, w, now, until);
                return PLEX_EPENDING;
            }
            rc = plex__http_finish(&l->c->http, &resp);
            now = plex__now_ms();
            if (l->state == S_CREATING)
                on_created(l, rc, now);
            else
                on_polled(l, rc, now);
            break;
        case S_POLL_WAIT:
            if (now >= l->window_end) {
                reissue_or_expire(l, now);
                break;
            }
            if (now < l->next_at) {
                long t = l->next_at < l->window_end ? l->next_at : l->window_end;
                set_wait(l, w, now, t < until ? t : until);
                return PLEX_EPENDING;
            }
            memset(&r, 0, sizeof(r));
            snprintf(path, sizeof(path), "/api/v2/pins/%lld", (long long)l->pin->id);
            r.method = "GET";
            r.path = path;
            r.log_path =
                (l->c->http.flags & PLEX_CLIENT_LOG_SECRETS) ? path : "/api/v2/pins/<redacted>";
            if (l->jwt_key) {
                plex__buf q = {0};
                if ((rc = plex__jwt_device_query(&q, l->c, l->jwt_key)) != 0) {
                    plex__buf_dispose(&q);
                    return fail(l,
                                plex__http_fail(&l->c->http, rc, "could not sign the device JWT"));
                }
                r.query = q.ptr; /* never logged: the log shows log_path */
                r.base = l->c->clients_url;
                rc = plex__http_start(&l->c->http, &r);
                plex__buf_dispose(&q);
            } else {
                rc = plex__http_start(&l->c->http, &r);
            }
            if (rc != 0)
                return fail(l, rc);
            l->state = S_POLLING;
            break;
        default:
            return PLEX_ERROR;
        }
    }
}

int plex_login_new(plex_login **out, plex_client *c, const plex_login_options *o)
{
    static const plex_login_options defaults = PLEX_LOGIN_OPTIONS_INIT;
    plex_login *l;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!c)
        return PLEX_EINVALID;
    if (!o)
        o = &defaults;
    if (o->version != 1 && o->version != PLEX_LOGIN_OPTIONS_VERSION)
        return plex__http_fail(&c->http, PLEX_EINVALID, "unknown plex_login_options version");
    l = plex__calloc(1, sizeof(*l));
    if (!l)
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    l->c = c;
    l->pin_flags = o->pin_flags;
    l->poll_ms = o->poll_interval_ms < 0 ? 1000 : o->poll_interval_ms;
    if (l->poll_ms > MAX_INTERVAL_MS)
        l->poll_ms = MAX_INTERVAL_MS;
    l->max_reissues = o->max_reissues < 0 ? 3 : o->max_reissues;
    l->timeout_ms = o->timeout_ms;
    l->on_event = o->on_event;
    l->payload = o->payload;
    l->cancel_flag = o->cancel;
    if (o->version >= 2 && o->jwt_key) {
        l->jwt_key = o->jwt_key;
        l->pin_flags |= PLEX_PIN_STRONG; /* JWT PINs are strong */
    }
    l->state = S_CREATE;
    l->next_at = plex__now_ms();
    l->deadline = o->timeout_ms > 0 ? l->next_at + o->timeout_ms : 0;
    l->last_tick = -1;
    if (o->forward_url && !(l->forward_url = plex__strdup(o->forward_url))) {
        plex__free(l);
        return plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    *out = l;
    return 0;
}

const char *plex_login_token(const plex_login *l)
{
    return l && l->state == S_DONE ? l->token : NULL;
}

const plex_pin *plex_login_pin(const plex_login *l)
{
    return l ? l->pin : NULL;
}

void plex_login_cancel(plex_login *l)
{
    if (l)
        l->cancelled = 1;
}

void plex_login_free(plex_login *l)
{
    if (!l)
        return;
    if (l->state == S_CREATING || l->state == S_POLLING)
        plex__http_abort(&l->c->http);
    plex_pin_free(l->pin);
    plex__free(l->url);
    plex__free(l->token);
    plex__free(l->forward_url);
    plex__free(l);
}

int plex_login_wait(char **token_out, plex_client *c, const plex_login_options *o)
{
    plex_login *l = NULL;
    plex_login_wait_info w;
    int rc;

    if (!token_out)
        return PLEX_EINVALID;
    *token_out = NULL;
    if ((rc = plex_login_new(&l, c, o)) != 0)
        return rc;
    while ((rc = plex_login_step(l, &w)) == PLEX_EPENDING)
        plex__wait_poll(&w, 200); /* see a cancel flag soon; the step looks at it */
    if (rc == 0) {
        *token_out = plex__strdup(l->token);
        if (!*token_out)
            rc = plex__http_fail(&c->http, PLEX_ENOMEM, "out of memory");
    }
    plex_login_free(l);
    return rc;
}

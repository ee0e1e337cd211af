/*
 * plex_events: a subscription to a media server's notifications on its own
 * connection (plex/pms/events.h). The bytes of the stream are kept as they
 * arrive (the transport's sink) and framed and decoded by sse.c outside
 * libcurl's callbacks, so the event callback may close the subscription.
 *
 * States: IDLE (waiting to connect, at next_at) and STREAM (a request in
 * flight); CLOSED and FAILED end it. A stream that is lost (silent for twice
 * the ping interval, closed, not an event stream, a line over the limit, a
 * transport or 5xx/429 error) goes back to IDLE after a back-off that
 * doubles from backoff_min to backoff_max, with up to a quarter more of
 * random jitter; 401/403, 404 and 400 end the subscription.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/url.h"
#include "server.h"
#include "sse.h"

#define DEFAULT_PING_MS 10000
#define DEFAULT_BACKOFF_MIN_MS 5000
#define DEFAULT_BACKOFF_MAX_MS 120000
#define RUN_SLICE_MS 200 /* plex_events_run: how often the cancel flag is looked at */
#define MAX_ROUNDS 256   /* reads of one step before it returns (a flood of events) */

enum { E_IDLE, E_STREAM, E_CLOSED, E_FAILED };

struct plex_events {
    plex_server *s;
    plex__http http; /* the subscription's own connection */
    int http_ready;
    char *query; /* "filters=..." or NULL */
    plex_event_cb cb;
    void *payload;
    long ping_ms, backoff_min, backoff_max;
    unsigned int flags;
    volatile sig_atomic_t *cancel;

    int state;
    int result;
    int closed;     /* plex_events_close(): seen by the next step */
    int announced;  /* CONNECTED was given for this connection */
    int typed;      /* this connection's Content-Type was checked */
    int healthy;    /* this connection delivered a whole event: the back-off starts over */
    long backoff;   /* the next wait before reconnecting */
    long next_at;   /* IDLE: when to connect (monotonic ms) */
    long last_byte; /* STREAM: when the last byte (or the request) was seen */
    plex__sse sse;
    plex__buf in; /* bytes received and not framed yet */
    size_t in_pos;
    unsigned long connections;
    unsigned long long count;
    uint64_t rng;
};

int plex_events_options_init(plex_events_options *opts, unsigned int version)
{
    static const plex_events_options init = PLEX_EVENTS_OPTIONS_INIT;

    if (!opts || version != PLEX_EVENTS_OPTIONS_VERSION)
        return PLEX_EINVALID;
    *opts = init;
    return 0;
}

int plex_events_new(plex_events **out, plex_server *s, const plex_events_options *o)
{
    plex_events *e;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if (!o || o->version != PLEX_EVENTS_OPTIONS_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "events need options (PLEX_EVENTS_OPTIONS_INIT) with on_event");
    if (!o->on_event)
        return plex__http_fail(&s->http, PLEX_EINVALID, "events need an on_event callback");
    if (o->ping_interval_ms < 0 || o->backoff_min_ms < 0 || o->backoff_max_ms < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "negative interval in plex_events_options");
    if (!(e = plex__calloc(1, sizeof(*e))))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    e->s = s;
    e->cb = o->on_event;
    e->payload = o->payload;
    e->ping_ms = o->ping_interval_ms ? o->ping_interval_ms : DEFAULT_PING_MS;
    e->backoff_min = o->backoff_min_ms ? o->backoff_min_ms : DEFAULT_BACKOFF_MIN_MS;
    e->backoff_max = o->backoff_max_ms ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
    if (e->backoff_max < e->backoff_min)
        e->backoff_max = e->backoff_min;
    e->backoff = e->backoff_min;
    e->flags = o->flags;
    e->cancel = o->cancel;
    plex__sse_init(&e->sse, o->max_line, 0);
    if (o->filters) {
        plex__buf q = PLEX__BUF_INIT;
        plex__buf_puts(&q, "filters=");
        plex__url_encode(&q, o->filters);
        if (plex__buf_detach(&q, &e->query) != 0) {
            plex_events_free(e);
            return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
        }
    }
    e->rng = (uint64_t)(uintptr_t)e ^ ((uint64_t)plex__now_ms() << 20) ^ 0x9E3779B97F4A7C15ull;
    e->state = E_IDLE;
    e->next_at = plex__now_ms();
    *out = e;
    return 0;
}

void plex_events_close(plex_events *e)
{
    if (e)
        e->closed = 1;
}

void plex_events_free(plex_events *e)
{
    if (!e)
        return;
    plex__http_dispose(&e->http);
    plex__sse_dispose(&e->sse);
    plex__buf_dispose(&e->in);
    plex__free(e->query);
    plex__free(e);
}

const plex_error *plex_events_last_error(const plex_events *e)
{
    if (!e)
        return NULL;
    return e->http_ready ? &e->http.last : &e->s->http.last;
}

unsigned long long plex_events_count(const plex_events *e)
{
    return e ? e->count : 0;
}

/* Give an event to the callback; a non-zero answer closes the subscription. */
static void emit(plex_events *e, plex_event *ev)
{
    if (e->closed)
        return;
    ev->connections = e->connections;
    if (e->cb(ev, e->payload) != 0)
        e->closed = 1;
}

/* A 2xx answer must be an event stream (not an HTML portal page, not JSON):
 * 0, or PLEX_EPARSE recorded. */
static int check_type(plex_events *e)
{
    const char *ct = e->http.content_type;

    if (e->typed)
        return 0;
    if (strcasecmp(ct, "text/event-stream") != 0)
        return plex__http_fail(&e->http, PLEX_EPARSE,
                               "the server's answer is not an event stream (Content-Type %s)",
                               *ct ? ct : "none");
    e->typed = 1;
    return 0;
}

/* The stream's bytes as they arrive (the transport's sink). */
static int sink(void *ctx, const char *data, size_t n)
{
    plex_events *e = ctx;
    int rc;

    if ((rc = check_type(e)) != 0)
        return rc;
    plex__buf_put(&e->in, data, n);
    if (e->in.err)
        return plex__http_fail(&e->http, PLEX_ENOMEM, "out of memory");
    e->last_byte = plex__now_ms();
    return 0;
}

static long jitter(plex_events *e, long span)
{
    /* xorshift64*: spreads reconnections of many clients after a server restart */
    e->rng ^= e->rng >> 12;
    e->rng ^= e->rng << 25;
    e->rng ^= e->rng >> 27;
    return span > 0 ? (long)((e->rng * 0x2545F4914F6CDD1Dull >> 33) % (uint64_t)(span + 1)) : 0;
}

static int fatal(int rc)
{
    return rc == PLEX_EAUTH || rc == PLEX_ENOTFOUND || rc == PLEX_EBADREQUEST ||
           rc == PLEX_ENOMEM || rc == PLEX_EINVALID;
}

/* The stream (or the attempt) is lost with rc, already recorded: wait and
 * connect again, or end the subscription. */
static void lost(plex_events *e, int rc)
{
    plex_event ev;
    long wait;

    plex__http_abort(&e->http);
    e->announced = 0;
    if (fatal(rc) || (e->flags & PLEX_EVENTS_NO_RECONNECT)) {
        e->state = E_FAILED;
        e->result = rc;
        return;
    }
    if (e->healthy)
        e->backoff = e->backoff_min;
    e->healthy = 0;
    wait = e->backoff + jitter(e, e->backoff / 4);
    if (wait > e->backoff_max)
        wait = e->backoff_max;
    /* a server that said when to come back is obeyed, even past backoff_max
     * (the transport caps Retry-After at a day) */
    if (rc == PLEX_ERATELIMIT && e->http.last.retry_after > 0 &&
        wait < (long)e->http.last.retry_after * 1000)
        wait = (long)e->http.last.retry_after * 1000;
    e->backoff = e->backoff > e->backoff_max / 2 ? e->backoff_max : e->backoff * 2;
    e->next_at = plex__now_ms() + wait;
    e->state = E_IDLE;
    plex__http_log(&e->http, PLEX_LOG_WARN, "event stream lost (%s): reconnecting in %ld ms",
                   plex_strerror(rc), wait);
    memset(&ev, 0, sizeof(ev));
    ev.type = PLEX_EVENT_DISCONNECTED;
    ev.error = rc;
    ev.retry_in_ms = wait;
    emit(e, &ev);
}

static int connect_stream(plex_events *e)
{
    plex__request r = {.method = "GET", .path = "/:/eventsource/notifications"};
    int rc;

    if (!e->http_ready) {
        if (plex__http_init_from(&e->http, &e->s->http) != 0)
            return plex__http_fail(&e->s->http, PLEX_ENOMEM, "out of memory");
        e->http_ready = 1;
        /* no stall limit of the transport's own: silence is the watchdog's call */
        e->http.request_timeout_ms = 0;
    }
    /* the server's connection may have failed over since the last attempt */
    if (!e->http.base_url || strcmp(e->http.base_url, e->s->http.base_url) != 0) {
        if (plex__http_set(&e->http.base_url, e->s->http.base_url) != 0 ||
            plex__http_pin_plex_direct(&e->http, e->s->http.base_url) < 0)
            return plex__http_fail(&e->http, PLEX_ENOMEM, "out of memory");
    }
    r.base = e->http.base_url;
    r.query = e->query;
    r.accept = "text/event-stream";
    r.timeout_ms = -1;
    r.sink = sink;
    r.sink_ctx = e;
    plex__sse_reset(&e->sse);
    e->in.len = 0;
    e->in_pos = 0;
    e->announced = 0;
    e->typed = 0;
    if ((rc = plex__http_start(&e->http, &r)) != 0)
        return rc;
    e->state = E_STREAM;
    e->last_byte = plex__now_ms();
    return 0;
}

/* The name of a notification that came without an `event:` line. */
static const char *infer_name(const plex_notification *n)
{
    static const struct {
        size_t count_offset;
        const char *name;
    } arrays[] = {
        {offsetof(plex_notification, playing_count), "playing"},
        {offsetof(plex_notification, timeline_count), "timeline"},
        {offsetof(plex_notification, activities_count), "activity"},
        {offsetof(plex_notification, statuses_count), "status"},
        {offsetof(plex_notification, reachability_count), "reachability"},
        {offsetof(plex_notification, background_queue_count), "backgroundProcessingQueue"},
        {offsetof(plex_notification, settings_count), "preference"},
        {offsetof(plex_notification, progress_count), "progress"},
        {offsetof(plex_notification, accounts_count), "account"},
        {offsetof(plex_notification, updates_count), "update.statechange"},
        {offsetof(plex_notification, log_count), "log"},
    };

    if (n->type)
        return n->type;
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        if (*(const size_t *)(const void *)((const char *)n + arrays[i].count_offset))
            return arrays[i].name;
    return NULL;
}

/* One framed event: decode it and give it to the callback. */
static int deliver(plex_events *e, const plex__sse_event *se)
{
    plex_notification *n = NULL;
    plex_error err;
    plex_event ev;
    int unnamed = strcmp(se->type, "message") == 0;
    plex_event_type t = plex__event_type_of(se->type, se->type_len);

    e->healthy = 1;
    if (t == PLEX_EVENT_PING) {
        if (e->flags & PLEX_EVENTS_PINGS) {
            memset(&ev, 0, sizeof(ev));
            ev.type = PLEX_EVENT_PING;
            ev.name = se->type;
            ev.data = se->data;
            ev.data_len = se->data_len;
            e->count++;
            emit(e, &ev);
        }
        return 0;
    }
    memset(&ev, 0, sizeof(ev));
    ev.error =
        plex_notification_parse(&n, unnamed ? NULL : se->type, se->data, se->data_len, 0, &err);
    if (ev.error == PLEX_ENOMEM)
        return plex__http_fail(&e->http, PLEX_ENOMEM, "out of memory");
    ev.name = se->type;
    if (unnamed && n && infer_name(n)) {
        ev.name = infer_name(n);
        t = plex_event_type_from_name(ev.name);
    }
    ev.type = t;
    ev.data = se->data;
    ev.data_len = se->data_len;
    ev.notification = n;
    if (ev.error)
        plex__http_log(&e->http, PLEX_LOG_DEBUG, "a %s notification could not be decoded: %s",
                       ev.name, err.message);
    e->count++;
    emit(e, &ev);
    plex_notification_free(n);
    return 0;
}

/* Tell the caller the stream is open (once per connection). */
static void announce(plex_events *e)
{
    plex_event ev;

    if (e->announced)
        return;
    e->announced = 1;
    e->connections++;
    plex__http_log(&e->http, PLEX_LOG_INFO, "event stream open%s",
                   e->connections > 1 ? " again: events may have been missed" : "");
    memset(&ev, 0, sizeof(ev));
    ev.type = PLEX_EVENT_CONNECTED;
    ev.reconnected = e->connections > 1;
    emit(e, &ev);
}

/* Frame and deliver the bytes received so far; stops when closed. */
static int drain(plex_events *e)
{
    plex__sse_event se;
    int rc;

    if (e->in_pos < e->in.len)
        announce(e); /* bytes came through the sink: this answer is an event stream */
    while (!e->closed && e->in_pos < e->in.len) {
        rc = plex__sse_next(&e->sse, e->in.ptr, e->in.len, &e->in_pos, &se);
        if (rc == PLEX_ETOOBIG)
            return plex__http_fail(&e->http, rc,
                                   "a line of the event stream is longer than %zu bytes",
                                   e->sse.max_line);
        if (rc < 0)
            return plex__http_fail(&e->http, rc, "out of memory");
        if (rc == 1 && (rc = deliver(e, &se)) != 0)
            return rc;
    }
    if (e->in_pos >= e->in.len)
        e->in.len = e->in_pos = 0;
    return 0;
}

static void idle_wait(plex_wait_info *w, long ms)
{
    w->nfds = 0;
    for (int i = 0; i < 4; i++) {
        w->fds[i] = -1;
        w->events[i] = 0;
    }
    w->timeout_ms = ms < 0 ? 0 : ms;
}

/* STREAM: one round of reading. 1 to go on at once, 0 to wait (w filled). */
static int stream_round(plex_events *e, plex_wait_info *w)
{
    int rc, done;
    long status, deadline, now;

    /* the stream is open once this answer's headers say so (its Content-Type
     * came, or its body: the status alone may still be the last answer's),
     * told before its first event */
    status = plex__http_status(&e->http);
    if (!e->announced && status >= 200 && status <= 299 && (e->http.content_type[0] || e->in.len)) {
        if ((rc = check_type(e)) != 0)
            lost(e, rc);
        else
            announce(e);
        return 1;
    }
    if ((rc = drain(e)) != 0) {
        lost(e, rc);
        return 1;
    }
    if (e->closed)
        return 1;
    /* read what is there before judging silence: a caller that was busy
     * elsewhere for a while must not take the wait for a dead stream */
    if ((rc = plex__http_progress(&e->http, &done)) != 0) {
        lost(e, rc);
        return 1;
    }
    if (done) {
        plex__response resp;
        rc = plex__http_finish(&e->http, &resp);
        if (rc == 0)
            rc = check_type(e);
        if (e->typed) { /* the events that came whole before the end or the failure */
            plex_error why = e->http.last;
            int drc = drain(e);
            if (drc != 0)
                rc = drc;
            else
                e->http.last = why;
        }
        if (rc == 0)
            rc = plex__http_fail(&e->http, PLEX_ETRANSPORT, "the server closed the event stream");
        lost(e, rc);
        return 1;
    }
    if (e->in_pos < e->in.len)
        return 1;
    now = plex__now_ms();
    deadline = e->last_byte + 2 * e->ping_ms;
    if (now >= deadline) {
        lost(e, plex__http_fail(&e->http, PLEX_ETIMEOUT,
                                "the event stream was silent for %ld ms (twice the ping "
                                "interval)",
                                now - e->last_byte));
        return 1;
    }
    plex__http_wait_info(&e->http, w);
    if (w->timeout_ms > deadline - now)
        w->timeout_ms = deadline - now;
    return 0;
}

int plex_events_step(plex_events *e, plex_wait_info *w)
{
    plex_wait_info scratch;
    int rc, rounds = 0;

    if (!e)
        return PLEX_EINVALID;
    if (!w)
        w = &scratch;
    memset(w, 0, sizeof(*w));
    for (;;) {
        long now = plex__now_ms();

        if (e->cancel && *e->cancel)
            e->closed = 1;
        if (e->closed && e->state != E_FAILED) {
            plex__http_abort(&e->http);
            e->state = E_CLOSED;
        }
        switch (e->state) {
        case E_CLOSED:
            idle_wait(w, 0);
            return 0;
        case E_FAILED:
            idle_wait(w, 0);
            return e->result;
        case E_IDLE:
            if (now < e->next_at) {
                idle_wait(w, e->next_at - now);
                return PLEX_EPENDING;
            }
            if ((rc = connect_stream(e)) != 0)
                lost(e, rc);
            continue;
        default:
            if (++rounds > MAX_ROUNDS) { /* a flood: let the caller's loop breathe */
                idle_wait(w, 0);
                return PLEX_EPENDING;
            }
            if (stream_round(e, w))
                continue;
            return PLEX_EPENDING;
        }
    }
}

int plex_events_run(plex_server *s, const plex_events_options *o)
{
    plex_events *e = NULL;
    plex_wait_info w;
    int rc;

    if ((rc = plex_events_new(&e, s, o)) != 0)
        return rc;
    while ((rc = plex_events_step(e, &w)) == PLEX_EPENDING)
        plex__wait_poll(&w, RUN_SLICE_MS); /* the step looks at the cancel flag */
    if (rc != 0)
        s->http.last = *plex_events_last_error(e);
    plex_events_free(e);
    return rc;
}

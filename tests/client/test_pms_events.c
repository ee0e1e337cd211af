/*
 * Live events against plexsim's media server (issue 17): plex_events with
 * the step form and poll(2), and plex_events_run. What the server does shows
 * up typed (a preference set, a butler task and a section scan as
 * activities with progress, status, log lines with filters), and the
 * subscription survives a server that goes silent, closes the stream,
 * answers something that is not an event stream, sends garbage inside the
 * stream, an endless line, a burst of events, errors and a bad token. The
 * server pings every 100 ms here (/__sim/config?event_ping_ms=100) and the
 * client reconnects after 40 ms, so nothing waits for long; no assertion is
 * about time (the waits have a generous guard against a hang only).
 */
#include <time.h>

#include "flow.h"

#define TOKEN "plexsim-user-token-0001"
#define ROUTE "GET+/:/eventsource/notifications"
#define GUARD_MS 30000
#define MAX_RECS 4096

static sim S;
static plex_client *C;

typedef struct rec {
    plex_event_type type;
    int error, reconnected, decoded, progress;
    long retry;
    char name[48];
    char detail[96]; /* activity: event and type; log: message; preference: id=value */
} rec;

typedef struct got {
    rec r[MAX_RECS];
    size_t n;
    plex_events *self;        /* for plex_events_close() from the callback */
    plex_event_type close_on; /* close (with plex_events_close) on this type; 0: never */
    int close_by_return;      /* close by returning non-zero instead */
    size_t after_close;       /* events seen after a close was asked */
    int closed;
} got;

static got G;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reset(got *g)
{
    memset(g, 0, sizeof(*g));
}

static int on_event(const plex_event *ev, void *payload)
{
    got *g = payload;
    rec *r;

    if (getenv("EVENTS_VERBOSE"))
        fprintf(stderr, "event %s %s error %s retry %ld reconnected %d: %.80s %s\n",
                plex_event_type_name(ev->type), ev->name ? ev->name : "-", flow_errname(ev->error),
                ev->retry_in_ms, ev->reconnected, ev->data ? ev->data : "",
                ev->type == PLEX_EVENT_DISCONNECTED ? plex_events_last_error(g->self)->message
                                                    : "");
    if (g->closed)
        g->after_close++;
    if (g->n >= MAX_RECS)
        return 0;
    r = &g->r[g->n++];
    memset(r, 0, sizeof(*r));
    r->type = ev->type;
    r->error = ev->error;
    r->reconnected = ev->reconnected;
    r->retry = ev->retry_in_ms;
    r->decoded = ev->notification != NULL;
    r->progress = -2;
    snprintf(r->name, sizeof(r->name), "%s", ev->name ? ev->name : "");
    CHECK(ev->connections >= 1 || ev->type == PLEX_EVENT_DISCONNECTED);
    if (ev->type < PLEX_EVENT_CONNECTED && ev->type != PLEX_EVENT_PING)
        CHECK(ev->data != NULL && ev->data[ev->data_len] == '\0');
    if (ev->notification) {
        const plex_notification *n = ev->notification;
        if (ev->type == PLEX_EVENT_ACTIVITY && n->activities_count && n->activities[0]->activity) {
            const plex_activity *a = n->activities[0]->activity;
            r->progress = a->progress;
            snprintf(r->detail, sizeof(r->detail), "%s %s", n->activities[0]->event,
                     a->type ? a->type : "");
        } else if (ev->type == PLEX_EVENT_LOG && n->log_count) {
            snprintf(r->detail, sizeof(r->detail), "%s", n->log[0]->message);
        } else if (ev->type == PLEX_EVENT_PREFERENCE && n->settings_count) {
            snprintf(r->detail, sizeof(r->detail), "%s=%s", n->settings[0]->id,
                     n->settings[0]->value.text ? n->settings[0]->value.text : "");
        } else if (ev->type == PLEX_EVENT_STATUS && n->statuses_count) {
            snprintf(r->detail, sizeof(r->detail), "%s", n->statuses[0]->notification_name);
        } else if (ev->type == PLEX_EVENT_PLAYING && n->playing_count) {
            const plex_play_session_state *p = n->playing[0];
            snprintf(r->detail, sizeof(r->detail), "%s %lld %s %s", p->state,
                     (long long)p->view_offset, p->rating_key, p->session_key);
        } else if (ev->type >= PLEX_EVENT_TRANSCODE_START && ev->type <= PLEX_EVENT_TRANSCODE_END &&
                   n->transcode_sessions_count) {
            snprintf(r->detail, sizeof(r->detail), "%s", n->transcode_sessions[0]->key);
        } else if (ev->type == PLEX_EVENT_TIMELINE && n->timeline_count) {
            snprintf(r->detail, sizeof(r->detail), "%s state %d", n->timeline[0]->item_id,
                     n->timeline[0]->state);
        } else if (ev->type == PLEX_EVENT_OTHER) {
            const char *raw = plex_attrs_get(&n->extra, "FutureNotification");
            snprintf(r->detail, sizeof(r->detail), "%s", raw ? raw : "");
        } else if (ev->type == PLEX_EVENT_REACHABILITY && n->reachability_count) {
            snprintf(r->detail, sizeof(r->detail), "%s",
                     n->reachability[0]->reachability == PLEX_TRUE ? "reachable" : "unreachable");
        }
    }
    if (g->close_on && ev->type == g->close_on && !g->closed) {
        g->closed = 1;
        if (g->close_by_return)
            return 1;
        plex_events_close(g->self);
    }
    return 0;
}

static size_t count(const got *g, plex_event_type t)
{
    size_t k = 0;
    for (size_t i = 0; i < g->n; i++)
        k += g->r[i].type == t;
    return k;
}

static const rec *last(const got *g, plex_event_type t)
{
    for (size_t i = g->n; i-- > 0;)
        if (g->r[i].type == t)
            return &g->r[i];
    return NULL;
}

static const rec *first(const got *g, plex_event_type t)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->r[i].type == t)
            return &g->r[i];
    return NULL;
}

static plex_server *server(const char *token, unsigned int flags)
{
    return flow_server(C, S.pms_url, token, flags);
}

static plex_events *subscribe(plex_server *s, const char *filters, unsigned int flags,
                              size_t max_line)
{
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_events *e = NULL;

    o.on_event = on_event;
    o.payload = &G;
    o.filters = filters;
    o.ping_interval_ms = 100;
    o.backoff_min_ms = 40;
    o.backoff_max_ms = 400;
    o.max_line = max_line;
    o.flags = flags;
    REQUIRE(plex_events_new(&e, s, &o) == 0);
    G.self = e;
    return e;
}

/* Step until `type` was seen `n` times (0: until the step ends); the step's
 * last result. */
static int pump(plex_events *e, plex_event_type type, size_t n)
{
    long deadline = now_ms() + GUARD_MS;
    plex_wait_info w;
    int rc;

    for (;;) {
        if (n && count(&G, type) >= n)
            return PLEX_EPENDING;
        rc = plex_events_step(e, &w);
        if (rc != PLEX_EPENDING)
            return rc;
        if (n && count(&G, type) >= n)
            return rc;
        if (now_ms() > deadline) {
            fprintf(stderr, "guard: waited too long for %s x%zu (%zu events seen)\n",
                    plex_event_type_name(type), n, G.n);
            test_failures++;
            return PLEX_ETIMEOUT;
        }
        CHECK(w.timeout_ms >= 0);
        flow_poll(&w, 1000);
    }
}

static void fault(const char *seq)
{
    char path[256];
    snprintf(path, sizeof(path), "/__sim/fault?route=" ROUTE "&seq=%s", seq);
    CHECK_INT(sim_control(&S, "POST", path, NULL, NULL), 200);
}

/* What the server does shows up typed; closing from the callback stops it. */
static void test_typed(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    const rec *r;
    int last_progress = -1, started = 0, ended = 0, monotonic = 1;

    reset(&G);
    e = subscribe(s, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 1), PLEX_EPENDING);
    r = last(&G, PLEX_EVENT_CONNECTED);
    CHECK(r && r->reconnected == 0);

    /* a preference */
    CHECK_INT(plex_pref_set(s, "FriendlyName", "Events Den"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_PREFERENCE, 1), PLEX_EPENDING);
    r = last(&G, PLEX_EVENT_PREFERENCE);
    CHECK(r && r->decoded);
    CHECK_STR(r ? r->detail : NULL, "FriendlyName=Events Den");
    CHECK_STR(r ? r->name : NULL, "preference");

    /* a butler task: started, updated with growing progress, ended */
    CHECK_INT(plex_butler_start(s, "OptimizeDatabase"), 0);
    for (size_t guard = 0; guard < 200 && !ended; guard++) {
        size_t before = G.n;
        CHECK_INT(pump(e, PLEX_EVENT_ACTIVITY, count(&G, PLEX_EVENT_ACTIVITY) + 1), PLEX_EPENDING);
        for (size_t i = before; i < G.n; i++) {
            if (G.r[i].type != PLEX_EVENT_ACTIVITY || !strstr(G.r[i].detail, "butler.task"))
                continue;
            if (strncmp(G.r[i].detail, "started", 7) == 0)
                started++;
            if (G.r[i].progress < last_progress)
                monotonic = 0;
            last_progress = G.r[i].progress;
            if (strncmp(G.r[i].detail, "ended", 5) == 0)
                ended++;
        }
    }
    CHECK_INT(started, 1);
    CHECK_INT(ended, 1);
    CHECK(monotonic);
    CHECK_INT(last_progress, 100);

    /* a section scan: status LIBRARY_UPDATE at its start and end, its activity */
    {
        size_t statuses = count(&G, PLEX_EVENT_STATUS);
        CHECK_INT(plex_section_refresh(s, "1", 0), 0);
        CHECK_INT(pump(e, PLEX_EVENT_STATUS, statuses + 2), PLEX_EPENDING);
        r = last(&G, PLEX_EVENT_STATUS);
        CHECK_STR(r ? r->detail : NULL, "LIBRARY_UPDATE");
        r = last(&G, PLEX_EVENT_ACTIVITY);
        CHECK_STR(r ? r->detail : NULL, "ended library.update.section");
    }

    /* log lines are not sent by default (the preference after it arrives, in order) */
    CHECK_INT(plex_log_write(s, 2, "not for this subscriber", "test"), 0);
    CHECK_INT(plex_pref_set(s, "FriendlyName", "After the log"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_PREFERENCE, 2), PLEX_EPENDING);
    CHECK_INT(count(&G, PLEX_EVENT_LOG), 0);
    CHECK_INT(count(&G, PLEX_EVENT_DISCONNECTED), 0);
    plex_events_free(e);

    /* close from inside the callback: on the first ping */
    reset(&G);
    G.close_on = PLEX_EVENT_PING;
    e = subscribe(s, NULL, PLEX_EVENTS_PINGS, 0);
    CHECK_INT(pump(e, PLEX_EVENT_PING, 100000), 0); /* ends: closed */
    CHECK_INT(count(&G, PLEX_EVENT_PING), 1);
    CHECK_INT(G.after_close, 0);
    CHECK_INT(plex_events_step(e, NULL), 0); /* stays closed */
    plex_events_free(e);
    plex_server_free(s);
}

/* The first movie's ratingKey, into rk. */
static void first_movie(plex_server *s, char *rk, size_t size)
{
    plex_listing *l = NULL;
    const plex_metadata *m = NULL;

    REQUIRE(plex_section_items(&l, s, "1", NULL, NULL) == 0);
    REQUIRE(plex_listing_next(l, &m) == 1 && m->rating_key);
    snprintf(rk, size, "%s", m->rating_key);
    plex_listing_free(l);
}

/* POST /:/timeline for item rk: state at position ms. */
static void timeline(plex_server *s, const char *rk, const char *state, const char *ms)
{
    plex_query *q = NULL;

    REQUIRE(plex_query_new(&q) == 0);
    REQUIRE(plex_query_add(q, "ratingKey", rk) == 0 && plex_query_add(q, "state", state) == 0 &&
            plex_query_add(q, "time", ms) == 0 && plex_query_add(q, "duration", "7200000") == 0);
    CHECK_INT(plex_server_send(s, "POST", "/:/timeline", q), 0);
    plex_query_free(q);
}

/* Playback (`playing`, `transcodeSession.*`), an item refreshed (`timeline`)
 * and remote access (`reachability`) from what other route groups do. */
static void test_other_groups(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    plex_query *q = NULL;
    char rk[32], path[96];
    const rec *r;

    first_movie(s, rk, sizeof(rk));
    reset(&G);
    e = subscribe(s, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 1), PLEX_EPENDING);

    /* a timeline: playing, then stopped */
    timeline(s, rk, "playing", "5000");
    timeline(s, rk, "stopped", "6000");
    CHECK_INT(pump(e, PLEX_EVENT_PLAYING, 2), PLEX_EPENDING);
    CHECK(G.r[1].type == PLEX_EVENT_PLAYING && strstr(G.r[1].detail, "playing 5000"));
    r = last(&G, PLEX_EVENT_PLAYING);
    CHECK(r && strstr(r->detail, "stopped 6000") && strstr(r->detail, rk));

    /* a transcode: start, then stop */
    REQUIRE(plex_query_new(&q) == 0);
    snprintf(path, sizeof(path), "/library/metadata/%s", rk);
    REQUIRE(plex_query_add(q, "session", "events-test") == 0 &&
            plex_query_add(q, "protocol", "hls") == 0 && plex_query_add(q, "path", path) == 0);
    CHECK_INT(plex_server_send(s, "GET", "/video/:/transcode/universal/start.m3u8", q), 0);
    plex_query_free(q);
    REQUIRE(plex_query_new(&q) == 0);
    REQUIRE(plex_query_add(q, "session", "events-test") == 0);
    CHECK_INT(plex_server_send(s, "GET", "/video/:/transcode/universal/stop", q), 0);
    plex_query_free(q);
    CHECK_INT(pump(e, PLEX_EVENT_TRANSCODE_END, 1), PLEX_EPENDING);
    CHECK_INT(count(&G, PLEX_EVENT_TRANSCODE_START), 1);
    r = last(&G, PLEX_EVENT_TRANSCODE_END);
    CHECK(r && r->decoded && strcmp(r->detail, "events-test") == 0);

    /* an item's refresh ends with its timeline entry (processed) */
    CHECK_INT(plex_metadata_refresh(s, rk), 0);
    CHECK_INT(pump(e, PLEX_EVENT_TIMELINE, 1), PLEX_EPENDING);
    r = last(&G, PLEX_EVENT_TIMELINE);
    snprintf(path, sizeof(path), "%s state 5", rk);
    CHECK(r && strcmp(r->detail, path) == 0);

    /* remote access */
    CHECK_INT(plex_pref_set(s, "ManualPortMappingMode", "1"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_REACHABILITY, 1), PLEX_EPENDING);
    CHECK_STR(last(&G, PLEX_EVENT_REACHABILITY)->detail, "reachable");
    CHECK_INT(plex_pref_set(s, "ManualPortMappingMode", "0"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_REACHABILITY, 2), PLEX_EPENDING);
    CHECK_STR(last(&G, PLEX_EVENT_REACHABILITY)->detail, "unreachable");
    CHECK_INT(count(&G, PLEX_EVENT_DISCONNECTED), 0);
    plex_events_free(e);
    plex_server_free(s);
}

/* filters=log: the server's log read live; and a burst of events in order. */
static void test_log_and_burst(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    plex_log_line lines[500];
    static char msgs[500][32];
    int in_order = 1;

    reset(&G);
    e = subscribe(s, "log", 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 1), PLEX_EPENDING);
    /* a caller busy elsewhere for longer than twice the ping interval: the
     * pings that came meanwhile are read before silence is judged */
    {
        struct timespec busy = {0, 600 * 1000000L};
        nanosleep(&busy, NULL);
    }
    CHECK_INT(plex_pref_set(s, "FriendlyName", "Filtered"), 0); /* not a log: filtered out */
    CHECK_INT(plex_log_write(s, 1, "hello\nlog", "libplex-test"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_LOG, 1), PLEX_EPENDING);
    CHECK(last(&G, PLEX_EVENT_LOG) && strcmp(last(&G, PLEX_EVENT_LOG)->detail, "hello log") == 0);
    for (int i = 0; i < 500; i++) {
        snprintf(msgs[i], sizeof(msgs[i]), "burst %03d", i);
        lines[i].level = i % 5;
        lines[i].message = msgs[i];
        lines[i].source = "burst";
    }
    CHECK_INT(plex_log_write_lines(s, lines, 500), 0);
    CHECK_INT(pump(e, PLEX_EVENT_LOG, 501), PLEX_EPENDING);
    for (size_t i = 0, k = 0; i < G.n; i++)
        if (G.r[i].type == PLEX_EVENT_LOG && strncmp(G.r[i].detail, "burst", 5) == 0) {
            if (strcmp(G.r[i].detail, msgs[k]) != 0)
                in_order = 0;
            k++;
        }
    CHECK(in_order);
    CHECK_INT(count(&G, PLEX_EVENT_PREFERENCE), 0);
    CHECK_INT(count(&G, PLEX_EVENT_DISCONNECTED), 0);
    CHECK(plex_events_count(e) >= 501);
    plex_events_free(e);
    plex_server_free(s);
}

/* One stream fault: the subscription reports the loss with `want` and connects
 * again (reconnected = 1). */
/* (connected: whether the stream must have opened before it was lost, -1 either) */
static void lost_and_back(const char *seq, int want, int connected, size_t max_line, long retry_lo,
                          long retry_hi)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    const rec *d, *c;
    size_t before;

    reset(&G);
    fault(seq);
    e = subscribe(s, NULL, 0, max_line);
    CHECK_INT(pump(e, PLEX_EVENT_DISCONNECTED, 1), PLEX_EPENDING);
    d = first(&G, PLEX_EVENT_DISCONNECTED);
    /* connected before it was lost (the fault struck in the stream) or not (before) */
    before = count(&G, PLEX_EVENT_CONNECTED);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, before + 1), PLEX_EPENDING);
    c = last(&G, PLEX_EVENT_CONNECTED);
    if (!d || d->error != want)
        fprintf(stderr, "fault %s: lost with %s, expected %s\n", seq,
                d ? flow_errname(d->error) : "nothing", flow_errname(want));
    CHECK(d != NULL && d->error == want);
    CHECK(d != NULL && d->retry >= retry_lo && d->retry <= retry_hi);
    CHECK(c != NULL && c->reconnected == (before > 0));
    CHECK(connected < 0 || (int)before == connected);
    /* (on a loaded machine a 100 ms ping can come late and the watchdog drop
     * the new stream once more: that is another loss, and the subscription
     * must survive it too) */
    CHECK(count(&G, PLEX_EVENT_DISCONNECTED) >= 1);
    /* still alive after it: a preference comes through */
    CHECK_INT(plex_pref_set(s, "FriendlyName", seq), 0);
    CHECK_INT(pump(e, PLEX_EVENT_PREFERENCE, 1), PLEX_EPENDING);
    plex_events_free(e);
    plex_server_free(s);
}

static void test_faults(void)
{
    /* the first wait is the minimum (40 ms) and up to a quarter more */
    lost_and_back("silent=1", PLEX_ETIMEOUT, 1, 0, 40, 50);     /* stops sending: noticed */
    lost_and_back("silent", PLEX_ETIMEOUT, -1, 0, 40, 50);      /* silent from the start */
    lost_and_back("delay=1500", PLEX_ETIMEOUT, 0, 0, 40, 50);   /* no answer at all */
    lost_and_back("close=2", PLEX_ETRANSPORT, 1, 0, 40, 50);    /* closes the stream */
    lost_and_back("drop", PLEX_ETRANSPORT, 0, 0, 40, 50);       /* closes without answering */
    lost_and_back("garbage", PLEX_EPARSE, 0, 0, 40, 50);        /* 200, not an event stream */
    lost_and_back("html", PLEX_EPARSE, 0, 0, 40, 50);           /* a captive portal */
    lost_and_back("huge", PLEX_EPARSE, 0, 0, 40, 50);           /* 64 MiB of JSON, not read */
    lost_and_back("endless=1", PLEX_ETOOBIG, 1, 65536, 40, 50); /* a line that never ends */
    lost_and_back("500", PLEX_ESERVER, 0, 0, 40, 50);
    lost_and_back("503", PLEX_ESERVER, 0, 0, 40, 50);
    /* Retry-After: 1 is waited out in full, past the maximum wait (400 ms here) */
    lost_and_back("429", PLEX_ERATELIMIT, 0, 0, 1000, 1000);
}

/* Garbage inside the stream: junk lines are skipped, an event whose data is
 * not JSON is given raw with its error, and the stream goes on. */
static void test_junk(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    const rec *r;

    reset(&G);
    fault("junk=1");
    e = subscribe(s, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_PLAYING, 1), PLEX_EPENDING);
    r = last(&G, PLEX_EVENT_PLAYING);
    CHECK(r && !r->decoded && r->error == PLEX_EPARSE);
    /* a type libplex does not know: given, raw and decoded, not dropped */
    CHECK_INT(pump(e, PLEX_EVENT_OTHER, 1), PLEX_EPENDING);
    r = last(&G, PLEX_EVENT_OTHER);
    CHECK(r && r->decoded && r->error == 0 && strcmp(r->name, "futureKind") == 0);
    CHECK(r && strcmp(r->detail, "{\"a\":1}") == 0);
    CHECK_INT(plex_pref_set(s, "FriendlyName", "after junk"), 0);
    CHECK_INT(pump(e, PLEX_EVENT_PREFERENCE, 1), PLEX_EPENDING);
    CHECK_INT(count(&G, PLEX_EVENT_DISCONNECTED), 0);
    plex_events_free(e);
    plex_server_free(s);
}

/* Truncated in the middle of a burst: no half event is given, and it comes back. */
static void test_truncated_burst(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    plex_log_line lines[800];
    static char msgs[800][64];
    size_t logs;

    reset(&G);
    fault("truncate");
    e = subscribe(s, "log", 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 1), PLEX_EPENDING);
    for (int i = 0; i < 800; i++) {
        snprintf(msgs[i], sizeof(msgs[i]), "truncated burst %03d with some padding text", i);
        lines[i].level = 2;
        lines[i].message = msgs[i];
        lines[i].source = NULL;
    }
    CHECK_INT(plex_log_write_lines(s, lines, 800), 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 2), PLEX_EPENDING);
    logs = count(&G, PLEX_EVENT_LOG);
    if (!(logs > 0 && logs < 800))
        fprintf(stderr, "truncated burst: %zu log events before the cut\n", logs);
    CHECK(logs > 0 && logs < 800); /* 64 KiB of the stream, then the cut */
    CHECK(last(&G, PLEX_EVENT_DISCONNECTED) &&
          last(&G, PLEX_EVENT_DISCONNECTED)->error == PLEX_ETRANSPORT);
    for (size_t i = 0; i < G.n; i++)
        if (G.r[i].type == PLEX_EVENT_LOG)
            CHECK(G.r[i].decoded && strncmp(G.r[i].detail, "truncated burst", 15) == 0);
    plex_events_free(e);
    plex_server_free(s);
}

/* The back-off doubles (with up to a quarter of jitter) up to the maximum, and
 * starts over after a healthy stream. */
static void test_backoff(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events *e;
    const long want[] = {40, 80, 160, 320, 400, 400, 40};
    size_t k = 0;

    reset(&G);
    /* six failed attempts, then a stream that works (two pings) and closes */
    fault("500*6,close=2");
    e = subscribe(s, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_DISCONNECTED, 7), PLEX_EPENDING);
    for (size_t i = 0; i < G.n; i++)
        if (G.r[i].type == PLEX_EVENT_DISCONNECTED && k < 7) {
            if (G.r[i].retry < want[k] || G.r[i].retry > want[k] + want[k] / 4 ||
                G.r[i].retry > 400) {
                fprintf(stderr, "wait %zu: %ld ms, expected %ld..%ld\n", k, G.r[i].retry, want[k],
                        want[k] + want[k] / 4);
                test_failures++;
            }
            CHECK_INT(G.r[i].error, k < 6 ? PLEX_ESERVER : PLEX_ETRANSPORT);
            k++;
        }
    CHECK_INT(k, 7);
    CHECK_INT(count(&G, PLEX_EVENT_CONNECTED), 1);
    CHECK_INT(G.r[0].type, PLEX_EVENT_DISCONNECTED);
    CHECK(last(&G, PLEX_EVENT_CONNECTED) &&
          last(&G, PLEX_EVENT_CONNECTED)->reconnected == 0); /* the first one that opened */
    plex_events_free(e);
    plex_server_free(s);
}

/* Errors that end the subscription: a bad token, NO_RECONNECT, bad options. */
static void test_endings(void)
{
    plex_server *bad = server("not-a-token", 0), *s = server(TOKEN, 0);
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_events *e = NULL;

    reset(&G);
    e = subscribe(bad, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 1), PLEX_EAUTH);
    CHECK_INT(plex_events_last_error(e)->http_status, 401);
    CHECK_INT(plex_events_step(e, NULL), PLEX_EAUTH);
    CHECK_INT(count(&G, PLEX_EVENT_CONNECTED), 0);
    plex_events_free(e);

    reset(&G);
    fault("close=1");
    e = subscribe(s, NULL, PLEX_EVENTS_NO_RECONNECT, 0);
    CHECK_INT(pump(e, PLEX_EVENT_DISCONNECTED, 1), PLEX_ETRANSPORT);
    CHECK_INT(count(&G, PLEX_EVENT_CONNECTED), 1);
    plex_events_free(e);

    /* closed from inside the callback that tells the stream was lost: no reconnection */
    reset(&G);
    G.close_on = PLEX_EVENT_DISCONNECTED;
    fault("close=1");
    e = subscribe(s, NULL, 0, 0);
    CHECK_INT(pump(e, PLEX_EVENT_CONNECTED, 2), 0);
    CHECK_INT(count(&G, PLEX_EVENT_CONNECTED), 1);
    CHECK_INT(count(&G, PLEX_EVENT_DISCONNECTED), 1);
    CHECK_INT(G.after_close, 0);
    plex_events_free(e);
    e = NULL;

    CHECK_INT(plex_events_new(&e, s, NULL), PLEX_EINVALID);
    CHECK_INT(plex_events_new(&e, s, &o), PLEX_EINVALID); /* no callback */
    o.on_event = on_event;
    o.version = 99;
    CHECK_INT(plex_events_new(&e, s, &o), PLEX_EINVALID);
    o.version = PLEX_EVENTS_OPTIONS_VERSION;
    o.ping_interval_ms = -1;
    CHECK_INT(plex_events_new(&e, s, &o), PLEX_EINVALID);
    CHECK(e == NULL);
    CHECK_INT(plex_events_new(NULL, s, &o), PLEX_EINVALID);
    CHECK_INT(plex_events_step(NULL, NULL), PLEX_EINVALID);
    CHECK_INT(plex_events_options_init(&o, PLEX_EVENTS_OPTIONS_VERSION), 0);
    CHECK(o.on_event == NULL && o.filters == NULL);
    CHECK_INT(plex_events_options_init(&o, 7), PLEX_EINVALID);
    plex_events_free(NULL);
    plex_events_close(NULL);
    plex_server_free(bad);
    plex_server_free(s);
}

/* The blocking form: closed by the callback (returning non-zero), and by the
 * cancel flag. */
static volatile sig_atomic_t cancel_flag;

static int cancel_on_connect(const plex_event *ev, void *payload)
{
    (void)payload;
    if (ev->type == PLEX_EVENT_CONNECTED)
        cancel_flag = 1;
    return 0;
}

static void test_run(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;

    reset(&G);
    G.close_on = PLEX_EVENT_PING;
    G.close_by_return = 1;
    o.on_event = on_event;
    o.payload = &G;
    o.flags = PLEX_EVENTS_PINGS;
    o.ping_interval_ms = 100;
    CHECK_INT(plex_events_run(s, &o), 0);
    CHECK_INT(count(&G, PLEX_EVENT_PING), 1);
    CHECK_INT(G.after_close, 0);

    cancel_flag = 0;
    o.on_event = cancel_on_connect;
    o.cancel = &cancel_flag;
    o.flags = 0;
    CHECK_INT(plex_events_run(s, &o), 0);
    CHECK_INT(cancel_flag, 1);

    /* a failure is told through the server's last error */
    fault("404");
    o.cancel = NULL;
    CHECK_INT(plex_events_run(s, &o), PLEX_ENOTFOUND);
    CHECK_INT(plex_server_last_error(s)->http_status, 404);
    plex_server_free(s);
}

static void print_log(int level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", level, message);
}

int main(void)
{
    plex_client_options o;
    plex_error err;

    REQUIRE(plex_global_init() == 0);
    sim_start_pms(&S, NULL);
    CHECK_INT(sim_control(&S, "POST", "/__sim/config?event_ping_ms=100", NULL, NULL), 200);
    flow_client_options(&o, S.url, NULL, 10000);
    if (getenv("EVENTS_VERBOSE"))
        o.log = print_log;
    REQUIRE(plex_client_new(&C, &o, &err) == 0);

    {
        static const struct {
            const char *name;
            void (*fn)(void);
        } tests[] = {{"typed", test_typed},
                     {"groups", test_other_groups},
                     {"log", test_log_and_burst},
                     {"faults", test_faults},
                     {"junk", test_junk},
                     {"truncated", test_truncated_burst},
                     {"backoff", test_backoff},
                     {"endings", test_endings},
                     {"run", test_run}};
        const char *only = getenv("EVENTS_ONLY"); /* one test by name, for debugging */
        for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
            if (!only || strcmp(only, tests[i].name) == 0)
                tests[i].fn();
    }

    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    return test_summary("test_pms_events");
}

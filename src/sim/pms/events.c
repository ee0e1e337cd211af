/*
 * The emulated server's notifications (PMS.md §5): the hub that route
 * groups publish to (pms_notify) and GET /:/eventsource/notifications, a
 * server-sent-events stream per subscriber.
 *
 * The hub is a ring of the last PMS_HUB_RING notifications, each kept
 * already framed ("event: T\ndata: {...}\n\n"); a subscriber is a cursor
 * into it. A stream's body is produced by its reader (server.c calls it
 * without the lock, on the connection's own thread): it takes the lock,
 * copies the next notification its filters take (or a ping when the
 * interval is up), drops the lock and hands the bytes over. Waiting is on
 * st->wake, which pms_notify and shutdown broadcast. So a slow reader only
 * falls behind in the ring (and is closed when it falls out of it), a
 * client that went away is noticed at the next write, and nobody waits for
 * anybody else.
 *
 * Stream faults (the fault tokens silent, close, endless, junk, each with
 * =N: after N messages, the first being the ping sent at once): a stream
 * that goes silent (no ping, nothing; closed after SILENT_MAX_MS), that ends,
 * that sends one line that never ends, or garbage bytes and an event whose
 * data is not JSON before going on.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "events.h"
#include "pms/models.gen.h"

#define TICK_IDLE_MS 250    /* a stream looks for new activities this often */
#define SILENT_MAX_MS 60000 /* a silent stream is closed after this long */
#define ENDLESS_CHUNK 65536 /* bytes of an endless line per read */
#define ENDLESS_MAX ((uint64_t)64 * 1024 * 1024)
#define MAX_FILTERS 32

typedef struct hub_event {
    uint64_t seq;
    char type[64];
    char *text; /* framed: "event: T\ndata: D\n\n" */
    size_t len;
} hub_event;

struct pms_hub {
    sim_state *st;
    hub_event *ring; /* PMS_HUB_RING slots, by seq */
    uint64_t next;   /* the seq of the next notification (the first is 1) */
    uint64_t generation;
};

static const char ping_text[] = "event: ping\ndata: {}\n\n";

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long ping_ms(const pms_hub *h)
{
    int v = h->st->cfg.event_ping_ms;
    return v > 0 ? v : PMS_PING_MS;
}

static int hub_init(sim_state *st, pms_state *p)
{
    pms_hub *h = calloc(1, sizeof(*h));

    if (!h || !(h->ring = calloc(PMS_HUB_RING, sizeof(*h->ring)))) {
        free(h);
        return -1;
    }
    h->st = st;
    h->next = 1;
    p->hub = h;
    return 0;
}

static void hub_dispose(pms_state *p)
{
    pms_hub *h = p->hub;

    if (!h)
        return;
    for (size_t i = 0; i < PMS_HUB_RING; i++)
        free(h->ring[i].text);
    free(h->ring);
    free(h);
    p->hub = NULL;
}

static void hub_reset(pms_state *p)
{
    if (!p->hub)
        return;
    p->hub->generation++;
    pthread_cond_broadcast(&p->hub->st->wake);
}

/* ---- publishing ---- */

/* Append data to b as data: lines (a line break inside starts another one). */
static void put_data(plex__buf *b, const char *data, size_t n)
{
    size_t i = 0;

    plex__buf_puts(b, "data: ");
    while (i < n) {
        size_t j = i;
        while (j < n && data[j] != '\n' && data[j] != '\r')
            j++;
        plex__buf_put(b, data + i, j - i);
        if (j == n)
            break;
        plex__buf_puts(b, "\ndata: ");
        i = j + 1 + (data[j] == '\r' && j + 1 < n && data[j + 1] == '\n');
    }
    plex__buf_puts(b, "\n\n");
}

void pms_notify(pms_state *p, const char *type, const char *data, size_t n)
{
    pms_hub *h = p->hub;
    plex__buf b = PLEX__BUF_INIT;
    hub_event *e;

    if (!h || !type)
        return;
    if (n > PMS_HUB_MAX_EVENT || strlen(type) >= sizeof(e->type)) {
        fprintf(stderr, "plexsim: pms: a %.40s notification of %zu bytes was dropped\n", type, n);
        return;
    }
    plex__buf_printf(&b, "event: %s\n", type);
    put_data(&b, data, n);
    if (b.err) {
        plex__buf_dispose(&b);
        fprintf(stderr, "plexsim: pms: out of memory publishing a notification\n");
        return;
    }
    e = &h->ring[h->next % PMS_HUB_RING];
    free(e->text);
    e->text = b.ptr; /* taken */
    e->len = b.len;
    e->seq = h->next++;
    snprintf(e->type, sizeof(e->type), "%s", type);
    pthread_cond_broadcast(&h->st->wake);
}

void pms_notify_model(pms_state *p, const char *type, const char *key, const plex__schema *schema,
                      const void *obj)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!p->hub)
        return;
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, key);
    plex__model_write(&w, schema, obj);
    plex__jw_object_end(&w);
    if (!b.err)
        pms_notify(p, type, b.ptr, b.len);
    else
        fprintf(stderr, "plexsim: pms: a %s notification could not be written\n", type);
    plex__buf_dispose(&b);
}

#define SET(obj, bit) PMS_SET(obj, bit)

void pms_notify_session(pms_state *p, const pms_play_session *s, const char *state)
{
    plex_play_session_state n;
    char session_key[24], rk[24], key[48];
    pms_play *pl = pms_play_of(p);
    const pms_transcode *t = pl ? pms_transcode_find(pl, s->ident) : NULL;
    pms_item it;

    memset(&n, 0, sizeof(n));
    snprintf(session_key, sizeof(session_key), "%lld", (long long)s->session_key);
    snprintf(rk, sizeof(rk), "%lld", (long long)s->rating_key);
    snprintf(key, sizeof(key), "/library/metadata/%lld", (long long)s->rating_key);
    n.session_key = session_key;
    n.client_identifier = s->client;
    n.rating_key = rk;
    n.key = key;
    if (pms_item_get(p, s->rating_key, &it) == 0)
        n.guid = it.guid;
    n.view_offset = s->view_offset;
    SET(&n, PLEX_PLAY_SESSION_STATE_VIEW_OFFSET);
    if (s->play_queue_item_id) {
        n.play_queue_item_id = s->play_queue_item_id;
        SET(&n, PLEX_PLAY_SESSION_STATE_PLAY_QUEUE_ITEM_ID);
    }
    n.state = state;
    n.transcode_session = t ? t->key : NULL;
    pms_notify_model(p, "playing", "PlaySessionStateNotification", &plex__play_session_state_schema,
                     &n);
}

void pms_notify_timeline(pms_state *p, int64_t rating_key, int section, int type, const char *title,
                         int state)
{
    plex_timeline_entry n;
    char item[24], sec[16];

    memset(&n, 0, sizeof(n));
    snprintf(item, sizeof(item), "%lld", (long long)rating_key);
    snprintf(sec, sizeof(sec), "%d", section);
    n.identifier = "com.plexapp.plugins.library";
    n.item_id = item;
    n.section_id = sec;
    n.type = type;
    SET(&n, PLEX_TIMELINE_ENTRY_TYPE);
    n.title = title;
    n.state = state;
    SET(&n, PLEX_TIMELINE_ENTRY_STATE);
    n.metadata_state = state == 9 ? "deleted" : state == 5 ? NULL : "queued";
    n.updated_at = pms_now(p);
    SET(&n, PLEX_TIMELINE_ENTRY_UPDATED_AT);
    pms_notify_model(p, "timeline", "TimelineEntry", &plex__timeline_entry_schema, &n);
}

void pms_notify_transcode(pms_state *p, const pms_transcode *t, const char *event)
{
    void *root = plex__arena_new(16, 4096);
    plex_transcode_session *ts = root ? pms_render_transcode(plex__arena_of(root), t) : NULL;
    char type[48];

    snprintf(type, sizeof(type), "transcodeSession.%s", event);
    if (ts)
        pms_notify_model(p, type, "TranscodeSession", &plex__transcode_session_schema, ts);
    else
        fprintf(stderr, "plexsim: pms: out of memory publishing %s\n", type);
    plex__arena_free_root(root);
}

void pms_notify_status(pms_state *p, const char *name, const char *title, const char *description)
{
    plex_status_notification n;

    memset(&n, 0, sizeof(n));
    n.notification_name = name;
    n.title = title;
    n.description = description;
    pms_notify_model(p, "status", "StatusNotification", &plex__status_notification_schema, &n);
}

void pms_notify_pref(pms_state *p, size_t i)
{
    const pms_pref_info *info = pms_pref_at(i);
    plex_setting s;

    if (!info)
        return;
    memset(&s, 0, sizeof(s));
    s.id = info->id;
    s.label = info->label;
    s.summary = info->summary;
    s.type = info->type;
    s.value.type = PLEX_VALUE_STRING;
    s.value.text = pms_pref_value(p, i);
    SET(&s, PLEX_SETTING_VALUE);
    pms_notify_model(p, "preference", "Setting", &plex__setting_schema, &s);
    /* remote access: reachable from outside when a public port is mapped */
    if (strcmp(info->id, "ManualPortMappingMode") == 0)
        pms_notify_reachability(p, strcmp(s.value.text, "true") == 0);
}

void pms_notify_reachability(pms_state *p, int reachable)
{
    plex_reachability_notification n;

    memset(&n, 0, sizeof(n));
    n.reachability = reachable ? PLEX_TRUE : PLEX_FALSE;
    SET(&n, PLEX_REACHABILITY_NOTIFICATION_REACHABILITY);
    pms_notify_model(p, "reachability", "ReachabilityNotification",
                     &plex__reachability_notification_schema, &n);
}

/* ---- a subscriber ---- */

enum { SF_NONE, SF_SILENT, SF_CLOSE, SF_ENDLESS, SF_JUNK };

typedef struct sub {
    pms_state *p;
    pms_hub *h;
    sim_state *st;       /* its event_streams counts this stream */
    uint64_t cursor;     /* the seq of the next notification to look at */
    uint64_t generation; /* the hub's at subscription */
    int all;             /* filters=: every type */
    int exclude;         /* names are excluded (filters=-a,b), else the only ones */
    char *names[MAX_FILTERS];
    size_t nnames;
    char *out; /* the message being sent */
    size_t out_len, out_pos, out_cap;
    long next_ping;
    uint64_t sent; /* messages sent */
    int fault;     /* SF_* */
    uint64_t fault_after;
    int fault_done;
    uint64_t endless_sent;
    long silent_until;
} sub;

static void sub_free(sub *s)
{
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s->out);
    free(s);
}

/* Parse filters= (NULL: the default, all but log). 0 or -1 (out of memory). */
static int parse_filters(sub *s, const char *f)
{
    const char *q;

    if (!f) {
        s->exclude = 1;
        f = "log";
    } else if (!*f) {
        s->all = 1;
        return 0;
    } else if (*f == '-') {
        s->exclude = 1;
        f++;
    }
    while (*f && s->nnames < MAX_FILTERS) {
        q = strchr(f, ',');
        size_t n = q ? (size_t)(q - f) : strlen(f);
        if (n > 0) {
            if (!(s->names[s->nnames] = strndup(f, n)))
                return -1;
            s->nnames++;
        }
        f += n + (q ? 1 : 0);
    }
    return 0;
}

static int takes(const sub *s, const char *type)
{
    if (s->all)
        return 1;
    for (size_t i = 0; i < s->nnames; i++)
        if (strcmp(s->names[i], type) == 0)
            return !s->exclude;
    return s->exclude;
}

/* Room for n bytes in the message buffer. 0 or -1. */
static int out_room(sub *s, size_t n)
{
    if (n > s->out_cap) {
        char *grown = realloc(s->out, n);
        if (!grown)
            return -1;
        s->out = grown;
        s->out_cap = n;
    }
    return 0;
}

/* Set the message being sent to text[0..n). 0 or -1. */
static int set_out(sub *s, const char *text, size_t n)
{
    if (out_room(s, n) != 0)
        return -1;
    memcpy(s->out, text, n);
    s->out_len = n;
    s->out_pos = 0;
    return 0;
}

static void wait_until(pms_hub *h, long until_ms)
{
    struct timespec ts;

    ts.tv_sec = until_ms / 1000;
    ts.tv_nsec = (until_ms % 1000) * 1000000L;
    (void)pthread_cond_timedwait(&h->st->wake, &h->st->lock, &ts);
}

/* junk: bytes that are no field, a `playing` event whose data is not JSON,
 * and a notification of a type no client knows yet */
static const char junk_text[] = "\x01\x02\xff\xfe not an event \x7f\n"
                                "{\"NotificationContainer\": garbage\n"
                                "event: playing\n"
                                "data: {\"PlaySessionStateNotification\": [oops\n\n"
                                "event: futureKind\n"
                                "data: {\"FutureNotification\":{\"a\":1}}\n\n";

/* A fault that strikes now: 1 the message is set, 0 go on as usual, -1
 * close the connection, 2 end the stream cleanly. Lock held. */
static int apply_fault(sub *s)
{
    pms_hub *h = s->h;

    if (s->fault == SF_NONE || s->fault_done || s->sent < s->fault_after)
        return 0;
    switch (s->fault) {
    case SF_CLOSE:
        return 2;
    case SF_JUNK:
        s->fault_done = 1;
        return set_out(s, junk_text, sizeof(junk_text) - 1) == 0 ? 1 : -1;
    case SF_ENDLESS:
        if (s->endless_sent >= ENDLESS_MAX || out_room(s, ENDLESS_CHUNK) != 0)
            return -1;
        memset(s->out, 'x', ENDLESS_CHUNK);
        if (!s->endless_sent)
            memcpy(s->out, "data: ", 6); /* a data line that never ends */
        s->out_len = ENDLESS_CHUNK;
        s->out_pos = 0;
        s->endless_sent += ENDLESS_CHUNK;
        return 1;
    default: /* SF_SILENT: nothing, until the client gives up or the time is up */
        if (!s->silent_until)
            s->silent_until = mono_ms() + SILENT_MAX_MS;
        while (!h->st->stopping && s->generation == h->generation && mono_ms() < s->silent_until)
            wait_until(h, s->silent_until);
        return -1;
    }
}

/* The next message into s->out: 1, 0 at the end of the stream, -1 to close. */
static int next_message(sub *s)
{
    pms_hub *h = s->h;
    int rc = -1;

    pthread_mutex_lock(&h->st->lock);
    for (;;) {
        long now = mono_ms(), due, until;
        int f;

        if (h->st->stopping || s->generation != h->generation)
            break;
        if ((f = apply_fault(s)) != 0) {
            rc = f == 2 ? 0 : f;
            break;
        }
        if (s->cursor < h->next) {
            const hub_event *e;
            if (h->next - s->cursor > PMS_HUB_RING)
                break; /* fell out of the ring: the client must resynchronise */
            e = &h->ring[s->cursor % PMS_HUB_RING];
            s->cursor++;
            if (!takes(s, e->type))
                continue;
            rc = set_out(s, e->text, e->len) == 0 ? 1 : -1;
            break;
        }
        if (now >= s->next_ping) {
            s->next_ping = now + ping_ms(h);
            rc = set_out(s, ping_text, sizeof(ping_text) - 1) == 0 ? 1 : -1;
            break;
        }
        due = pms_admin_tick(s->p); /* may publish: look at the ring again */
        if (s->cursor < h->next)
            continue;
        until = now + (due >= 0 && due < TICK_IDLE_MS ? due : TICK_IDLE_MS);
        if (until > s->next_ping)
            until = s->next_ping;
        wait_until(h, until);
    }
    if (rc == 1)
        s->sent++;
    pthread_mutex_unlock(&h->st->lock);
    return rc;
}

static long sub_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    sub *s = cls;
    size_t n;

    (void)pos;
    if (s->out_pos >= s->out_len) {
        int rc = next_message(s);
        if (rc <= 0)
            return rc;
    }
    n = s->out_len - s->out_pos;
    if (n > max)
        n = max;
    memcpy(buf, s->out + s->out_pos, n);
    s->out_pos += n;
    return (long)n;
}

static void sub_release(void *cls)
{
    sub *s = cls;

    __atomic_sub_fetch(&s->st->event_streams, 1, __ATOMIC_RELAXED);
    sub_free(s);
}

static int stream_fault(const sim_fault *f, uint64_t *after)
{
    *after = f->arg > 0 ? (uint64_t)f->arg : 0;
    switch (f->kind) {
    case SIM_F_SILENT:
        return SF_SILENT;
    case SIM_F_CLOSE:
        return SF_CLOSE;
    case SIM_F_ENDLESS:
        return SF_ENDLESS;
    case SIM_F_JUNK:
        return SF_JUNK;
    default:
        return SF_NONE;
    }
}

/* GET /:/eventsource/notifications */
static void eventsource(pms_ctx *c)
{
    pms_hub *h = c->p->hub;
    sim_response *rs = c->rs;
    sub *s;

    if (!h) {
        pms_error(c, 503);
        return;
    }
    if (!(s = calloc(1, sizeof(*s))) || parse_filters(s, pms_arg(c, "filters")) != 0) {
        if (s)
            sub_free(s);
        pms_error(c, 500);
        return;
    }
    s->p = c->p;
    s->h = h;
    s->st = c->st;
    __atomic_add_fetch(&c->st->event_streams, 1, __ATOMIC_RELAXED);
    s->cursor = h->next; /* from now on: nothing is replayed */
    s->generation = h->generation;
    s->next_ping = 0; /* a ping at once: the client sees the stream open */
    s->fault = stream_fault(&c->rq->fault, &s->fault_after);
    sim_response_dispose(rs);
    rs->status = 200;
    rs->content_type = "text/event-stream";
    rs->stream.read = sub_read;
    rs->stream.release = sub_release;
    rs->stream.cls = s;
    rs->stream.size = -1;
}

static const pms_route routes[] = {
    {"GET", "/:/eventsource/notifications", eventsource, 0},
};

const pms_group pms_group_events =
    PMS_GROUP_STATE("events", routes, hub_init, hub_reset, hub_dispose);

/*
 * Server-sent events without I/O: the framing of an event stream and the
 * decoding of a media server's notifications (sse.h).
 */
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model.h"
#include "models.gen.h"
#include "sse.h"

/* ---- framing ---- */

void plex__sse_init(plex__sse *p, size_t max_line, size_t max_data)
{
    memset(p, 0, sizeof(*p));
    p->max_line = max_line ? max_line : PLEX__SSE_MAX_LINE;
    p->max_data = max_data ? max_data : 4 * p->max_line;
    p->retry_ms = -1;
    p->first_line = 1;
}

/* Forget the event being read (after it was dispatched, or at a blank line). */
static void clear_event(plex__sse *p)
{
    p->data.len = 0;
    p->type.len = 0;
    p->has_data = 0;
    p->dispatched = 0;
}

void plex__sse_reset(plex__sse *p)
{
    clear_event(p);
    p->line.len = 0;
    p->after_cr = 0;
    p->first_line = 1;
    p->failed = 0;
}

void plex__sse_dispose(plex__sse *p)
{
    plex__buf_dispose(&p->line);
    plex__buf_dispose(&p->data);
    plex__buf_dispose(&p->type);
    plex__buf_dispose(&p->id);
}

size_t plex__sse_footprint(const plex__sse *p)
{
    return p->line.cap + p->data.cap + p->type.cap + p->id.cap;
}

static int field_is(const char *f, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(f, name, n) == 0;
}

/* Set buffer b to s[0..n), NUL-terminated. */
static void set_text(plex__buf *b, const char *s, size_t n)
{
    b->len = 0;
    plex__buf_put(b, s, n);
    plex__buf_putc(b, '\0');
    if (!b->err)
        b->len--; /* the NUL stays after the text */
}

/* Interpret one complete line (without its end): 1 when it ends an event to
 * dispatch, 0 otherwise, or an error. */
static int take_line(plex__sse *p, const char *s, size_t n)
{
    const char *colon, *value;
    size_t flen, vlen;

    if (p->first_line) {
        p->first_line = 0;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
        }
    }
    if (n == 0) {
        if (!p->has_data) {
            clear_event(p); /* an event without data is not dispatched */
            return 0;
        }
        return 1;
    }
    if (s[0] == ':') {
        p->comments++;
        return 0;
    }
    colon = memchr(s, ':', n);
    flen = colon ? (size_t)(colon - s) : n;
    value = colon ? colon + 1 : s + n;
    vlen = colon ? n - flen - 1 : 0;
    if (vlen > 0 && value[0] == ' ') {
        value++;
        vlen--;
    }
    if (field_is(s, flen, "data")) {
        if (p->data.len + vlen + 1 > p->max_data)
            return PLEX_ETOOBIG;
        plex__buf_put(&p->data, value, vlen);
        plex__buf_putc(&p->data, '\n');
        p->has_data = 1;
    } else if (field_is(s, flen, "event")) {
        set_text(&p->type, value, vlen);
    } else if (field_is(s, flen, "id")) {
        if (!memchr(value, '\0', vlen))
            set_text(&p->id, value, vlen);
    } else if (field_is(s, flen, "retry")) {
        long ms = 0;
        size_t i;
        for (i = 0; i < vlen && value[i] >= '0' && value[i] <= '9'; i++)
            ms = ms < 100000000L ? ms * 10 + (value[i] - '0') : ms;
        if (vlen > 0 && i == vlen)
            p->retry_ms = ms;
    }
    if (p->data.err || p->type.err || p->id.err)
        return PLEX_ENOMEM;
    return 0;
}

static int fill_event(plex__sse *p, plex__sse_event *ev)
{
    /* the data without its last '\n', NUL-terminated in place */
    p->data.len--;
    p->data.ptr[p->data.len] = '\0';
    ev->data = p->data.ptr;
    ev->data_len = p->data.len;
    if (p->type.len) {
        ev->type = p->type.ptr;
        ev->type_len = p->type.len;
    } else {
        ev->type = "message";
        ev->type_len = 7;
    }
    ev->id = p->id.len ? p->id.ptr : "";
    p->dispatched = 1;
    p->events++;
    return 1;
}

static int fail(plex__sse *p, int rc)
{
    p->failed = rc;
    return rc;
}

int plex__sse_next(plex__sse *p, const char *in, size_t len, size_t *pos, plex__sse_event *ev)
{
    size_t i = *pos;
    int rc;

    if (p->failed)
        return p->failed;
    if (p->dispatched)
        clear_event(p);
    while (i < len) {
        size_t start = i, run;
        const char *s;

        if (p->after_cr) {
            p->after_cr = 0;
            if (in[i] == '\n') {
                i++;
                continue;
            }
        }
        while (i < len && in[i] != '\n' && in[i] != '\r')
            i++;
        run = i - start;
        if (p->line.len + run > p->max_line) {
            *pos = i;
            return fail(p, PLEX_ETOOBIG);
        }
        if (i == len) { /* no end of line yet: keep the piece */
            plex__buf_put(&p->line, in + start, run);
            *pos = i;
            return p->line.err ? fail(p, PLEX_ENOMEM) : 0;
        }
        p->after_cr = in[i] == '\r';
        i++;
        if (p->line.len) { /* the line started in an earlier piece */
            plex__buf_put(&p->line, in + start, run);
            if (p->line.err) {
                *pos = i;
                return fail(p, PLEX_ENOMEM);
            }
            s = p->line.ptr;
            run = p->line.len;
        } else {
            s = in + start;
        }
        rc = take_line(p, s, run);
        p->line.len = 0;
        if (rc < 0) {
            *pos = i;
            return fail(p, rc);
        }
        if (rc == 1) {
            *pos = i;
            return fill_event(p, ev);
        }
    }
    *pos = i;
    return 0;
}

/* ---- notification types ---- */

static const struct kind {
    const char *name;
    plex_event_type type;
    const char *key; /* the array of the payload */
} kinds[] = {
    {"playing", PLEX_EVENT_PLAYING, "PlaySessionStateNotification"},
    {"timeline", PLEX_EVENT_TIMELINE, "TimelineEntry"},
    {"activity", PLEX_EVENT_ACTIVITY, "ActivityNotification"},
    {"status", PLEX_EVENT_STATUS, "StatusNotification"},
    {"reachability", PLEX_EVENT_REACHABILITY, "ReachabilityNotification"},
    {"transcodeSession.start", PLEX_EVENT_TRANSCODE_START, "TranscodeSession"},
    {"transcodeSession.update", PLEX_EVENT_TRANSCODE_UPDATE, "TranscodeSession"},
    {"transcodeSession.end", PLEX_EVENT_TRANSCODE_END, "TranscodeSession"},
    {"transcode.end", PLEX_EVENT_TRANSCODE_END, "TranscodeSession"},
    {"preference", PLEX_EVENT_PREFERENCE, "Setting"},
    {"backgroundProcessingQueue", PLEX_EVENT_BACKGROUND_QUEUE,
     "BackgroundProcessingQueueEventNotification"},
    {"progress", PLEX_EVENT_PROGRESS, "ProgressNotification"},
    {"account", PLEX_EVENT_ACCOUNT, "AccountUpdateNotification"},
    {"update.statechange", PLEX_EVENT_UPDATE_STATE, "AutoUpdateNotification"},
    {"log", PLEX_EVENT_LOG, "Log"},
    {"ping", PLEX_EVENT_PING, NULL},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const struct kind *kind_of(const char *name, size_t n)
{
    for (size_t i = 0; name && i < NKINDS; i++)
        if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, name, n) == 0)
            return &kinds[i];
    return NULL;
}

plex_event_type plex__event_type_of(const char *name, size_t n)
{
    const struct kind *k = kind_of(name, n);
    return k ? k->type : PLEX_EVENT_OTHER;
}

plex_event_type plex_event_type_from_name(const char *name)
{
    return name ? plex__event_type_of(name, strlen(name)) : PLEX_EVENT_OTHER;
}

const char *plex_event_type_name(plex_event_type type)
{
    if (type == PLEX_EVENT_CONNECTED)
        return "connected";
    if (type == PLEX_EVENT_DISCONNECTED)
        return "disconnected";
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].type == type)
            return kinds[i].name;
    return "other";
}

/* ---- notifications ---- */

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* Give n a type when the container had none: the name it came with. */
static int set_type(plex_notification *n, const char *type)
{
    size_t len = strlen(type);
    char *copy;

    if (n->type)
        return 0;
    if (!(copy = plex__arena_alloc_bytes(plex__arena_of(n), len + 1)))
        return PLEX_ENOMEM;
    memcpy(copy, type, len + 1);
    n->type = copy;
    n->present[PLEX_NOTIFICATION_TYPE / 32] |= 1u << (PLEX_NOTIFICATION_TYPE % 32);
    return 0;
}

/* JSON data: where the container is (the value of a NotificationContainer
 * member, or the whole object), or an array of payloads. */
static int parse_json(plex_notification **out, const char *type, const char *data, size_t len,
                      unsigned int flags, plex_error *err)
{
    plex__json_reader r;
    plex__json_token t, key, val;
    const struct kind *k;
    plex__buf b = PLEX__BUF_INIT;
    void *obj = NULL;
    int rc;

    plex__json_reader_init(&r, data, len);
    if (plex__json_next(&r, &t) != 0)
        return plex__json_error(&r, err);
    if (t.type == PLEX__JSON_ARRAY_BEGIN) {
        /* the payloads themselves: they belong in the array of the type's kind */
        k = type ? kind_of(type, strlen(type)) : NULL;
        if (!k || !k->key)
            return plex__error_set(err, PLEX_ESCHEMA,
                                   "an array of payloads needs a known notification type");
        plex__buf_puts(&b, "{\"");
        plex__buf_puts(&b, k->key);
        plex__buf_puts(&b, "\":");
        plex__buf_put(&b, data, len);
        plex__buf_putc(&b, '}');
        if (b.err) {
            plex__buf_dispose(&b);
            return plex__error_set(err, PLEX_ENOMEM, "out of memory");
        }
        rc = plex__model_parse(&obj, &plex__notification_schema, b.ptr, b.len, flags, err);
        plex__buf_dispose(&b);
        *out = obj;
        return rc;
    }
    if (t.type == PLEX__JSON_OBJECT_BEGIN) {
        if (plex__json_next_member(&r, &key, &val) != 0)
            return plex__json_error(&r, err);
        if (key.type == PLEX__JSON_KEY &&
            plex__json_key_eq(data, &key, "NotificationContainer", 21) &&
            val.type == PLEX__JSON_OBJECT_BEGIN) {
            size_t start = val.start;
            if (plex__json_skip(&r, &val) != 0)
                return plex__json_error(&r, err);
            rc = plex__model_parse(&obj, &plex__notification_schema, data + start, r.pos - start,
                                   flags, err);
            *out = obj;
            return rc;
        }
    }
    /* the bare object keyed by kind (or something else: the engine says what) */
    rc = plex__model_parse(&obj, &plex__notification_schema, data, len, flags, err);
    *out = obj;
    return rc;
}

int plex_notification_parse(plex_notification **out, const char *type, const char *data, size_t len,
                            unsigned int flags, plex_error *err)
{
    plex_error scratch;
    size_t i;
    int rc;

    if (!err)
        err = &scratch;
    if (!out || (!data && len))
        return plex__error_set(err, PLEX_EINVALID, "invalid argument");
    *out = NULL;
    i = skip_blanks(data, 0, len);
    if (i == len)
        return plex__error_set(err, PLEX_ESCHEMA, "the notification has no data");
    if (data[i] == '<') {
        void *obj = NULL;
        rc = plex__model_parse_xml(&obj, &plex__notification_schema, data, len, flags, err);
        *out = obj;
    } else {
        rc = parse_json(out, type, data, len, flags, err);
    }
    if (rc == 0 && *out && type && *type && (rc = set_type(*out, type)) != 0)
        plex__error_set(err, rc, "out of memory");
    if (rc != 0) {
        plex_notification_free(*out);
        *out = NULL;
    }
    return rc;
}

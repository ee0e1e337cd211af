/*
 * Fuzz target for the event stream (src/lib/pms/sse.c): the framing of a
 * text/event-stream and the decoding of a media server's notifications
 * (issue 19).
 *
 * The first byte picks the size of the pieces the stream is fed in (its low
 * 6 bits + 1) and the bounds of the bounded pass (its top 2 bits); the rest
 * is the stream. Laws checked:
 *   - framing against a reference: fed in pieces with generous bounds, the
 *     parser gives exactly the events (type, data, last id) and the retry
 *     that a straightforward reading of the WHATWG "event stream
 *     interpretation" (below, on the whole input) gives, whatever the
 *     pieces (a CRLF or a BOM split between two reads included); every
 *     event's strings are NUL-terminated at their lengths;
 *   - bounds: with small bounds (a line of 16..4096 bytes, data of 4 lines)
 *     the events given before an error are the first events of the
 *     unbounded pass, the error is PLEX_ETOOBIG and stays, and the memory
 *     held never grows past twice what the bounds allow (a line, the type
 *     and the id of a line each, the data);
 *   - after plex__sse_reset() the same parser frames the stream again alike
 *     (with the last id and retry it kept);
 *   - every event's data decodes with plex_notification_parse() or fails with
 *     an expected code and *out NULL; a strict success implies a tolerant one;
 *     a decoded notification has the event's type when the event named one,
 *     encodes to JSON that decodes again and encodes to the same bytes; the
 *     type's name maps to its plex_event_type and back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "fuzz_check.h"
#include "plex/pms/events.h"
#include "pms/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS 256

/* One event as framed: its strings copied. */
typedef struct event {
    char *type, *data, *id;
    size_t type_len, data_len; /* (a type may hold NULs too) */
} event;

typedef struct events {
    event ev[MAX_EVENTS];
    size_t n;
    long retry;
    int rc; /* the error that stopped the pass, or 0 */
} events;

/* Copy an event: its three strings in one block (type first: freed through it). */
static void add(events *es, const char *type, size_t type_len, const char *data, size_t data_len,
                const char *id)
{
    size_t id_len = strlen(id);
    event *e;

    if (es->n == MAX_EVENTS)
        return;
    e = &es->ev[es->n++];
    e->type_len = type_len;
    e->data_len = data_len;
    e->type = malloc(type_len + data_len + id_len + 3);
    FUZZ_CHECK(e->type != NULL, "out of memory");
    e->data = e->type + type_len + 1;
    e->id = e->data + data_len + 1;
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): freed by clear(), through ev[].type */
    memcpy(e->type, type, type_len);
    e->type[type_len] = '\0';
    memcpy(e->data, data, data_len);
    e->data[data_len] = '\0';
    memcpy(e->id, id, id_len + 1);
}

static void clear(events *es)
{
    for (size_t i = 0; i < es->n; i++)
        free(es->ev[i].type);
    memset(es, 0, sizeof(*es));
}

/* ---- the reference: the WHATWG interpretation, whole input at once ---- */

/* The text of a buffer ("" while empty). */
static const char *text_of(const plex__buf *b)
{
    return b->len ? b->ptr : "";
}

/* The events of s[0..n), given the last id and retry of an earlier stream. */
static void reference(const char *s, size_t n, const char *last_id, long retry, events *es)
{
    plex__buf data = PLEX__BUF_INIT, type = PLEX__BUF_INIT, id = PLEX__BUF_INIT;
    size_t i = 0;

    es->retry = retry;
    plex__buf_puts(&id, last_id);
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a BOM at the start of the stream */
    while (i < n) {
        size_t start = i, len, flen, vlen;
        const char *line, *colon, *value;

        while (i < n && s[i] != '\r' && s[i] != '\n')
            i++;
        if (i == n)
            break; /* an unfinished line is not interpreted */
        len = i - start;
        line = s + start;
        i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        if (len == 0) {       /* dispatch */
            if (data.len > 0) /* without the last LF */
                add(es, type.len ? type.ptr : "message", type.len ? type.len : 7, data.ptr,
                    data.len - 1, text_of(&id));
            data.len = type.len = 0;
            continue;
        }
        if (line[0] == ':')
            continue; /* a comment */
        colon = memchr(line, ':', len);
        flen = colon ? (size_t)(colon - line) : len;
        value = colon ? colon + 1 : line + len;
        vlen = colon ? len - flen - 1 : 0;
        if (vlen > 0 && value[0] == ' ') {
            value++;
            vlen--;
        }
        if (flen == 4 && memcmp(line, "data", 4) == 0) {
            plex__buf_put(&data, value, vlen);
            plex__buf_putc(&data, '\n');
        } else if (flen == 5 && memcmp(line, "event", 5) == 0) {
            type.len = 0;
            plex__buf_put(&type, value, vlen);
        } else if (flen == 2 && memcmp(line, "id", 2) == 0) {
            if (!memchr(value, '\0', vlen)) {
                id.len = 0;
                plex__buf_put(&id, value, vlen);
            }
        } else if (flen == 5 && memcmp(line, "retry", 5) == 0) {
            size_t k = 0;
            long ms = 0;
            while (k < vlen && value[k] >= '0' && value[k] <= '9') {
                ms = ms < 100000000L ? ms * 10 + (value[k] - '0') : ms;
                k++;
            }
            if (vlen > 0 && k == vlen)
                es->retry = ms;
        }
    }
    FUZZ_CHECK(!data.err && !type.err && !id.err, "out of memory");
    plex__buf_dispose(&data);
    plex__buf_dispose(&type);
    plex__buf_dispose(&id);
}

/* ---- the parser under test ---- */

/* Feed s[0..n) in pieces of `piece` bytes; collect the events. */
static void frame(plex__sse *p, const char *s, size_t n, size_t piece, events *es,
                  size_t max_footprint)
{
    size_t fed = 0;

    es->retry = -1;
    while (fed < n && !es->rc) {
        size_t k = n - fed < piece ? n - fed : piece, pos = 0;
        for (;;) {
            plex__sse_event ev;
            int rc = plex__sse_next(p, s + fed, k, &pos, &ev);
            FUZZ_CHECK(pos <= k, "the parser read past its input");
            if (max_footprint)
                FUZZ_CHECK(plex__sse_footprint(p) <= max_footprint, "memory grows past the bounds");
            if (rc < 0) {
                size_t again = 0;
                plex__sse_event ev2;
                FUZZ_CHECK(rc == PLEX_ETOOBIG || rc == PLEX_ENOMEM, "an unexpected error");
                FUZZ_CHECK(plex__sse_next(p, s + fed, k, &again, &ev2) == rc,
                           "an error that does not stay");
                es->rc = rc;
                break;
            }
            if (rc == 0) {
                FUZZ_CHECK(pos == k, "no event, yet the input was not used up");
                break;
            }
            FUZZ_CHECK(rc == 1, "plex__sse_next returned something else");
            FUZZ_CHECK(ev.type && ev.type[ev.type_len] == '\0',
                       "an event type that is not NUL-terminated at its length");
            FUZZ_CHECK(ev.data && ev.data[ev.data_len] == '\0',
                       "event data that is not NUL-terminated at its length");
            FUZZ_CHECK(ev.id != NULL, "an event without its last id");
            add(es, ev.type, ev.type_len, ev.data, ev.data_len, ev.id);
        }
        fed += k;
    }
    es->retry = p->retry_ms;
}

static int same_event(const event *a, const event *b)
{
    return a->type_len == b->type_len && memcmp(a->type, b->type, a->type_len) == 0 &&
           a->data_len == b->data_len && memcmp(a->data, b->data, a->data_len) == 0 &&
           strcmp(a->id, b->id) == 0;
}

static void check_same(const events *a, const events *b, const char *what)
{
    FUZZ_CHECK(a->n == b->n, what);
    for (size_t i = 0; i < a->n; i++)
        FUZZ_CHECK(same_event(&a->ev[i], &b->ev[i]), what);
    FUZZ_CHECK(a->retry == b->retry, what);
}

/* ---- notifications ---- */

static void check_notification(const event *e)
{
    plex_notification *tolerant = NULL, *strict = NULL, *again = NULL;
    plex_error err;
    char *json = NULL, *json2 = NULL;
    int rc = plex_notification_parse(&tolerant, e->type, e->data, e->data_len, 0, &err);
    int rc2 =
        plex_notification_parse(&strict, e->type, e->data, e->data_len, PLEX_PARSE_STRICT, &err);

    FUZZ_CHECK(plex_event_type_from_name(e->type) == plex__event_type_of(e->type, strlen(e->type)),
               "two names for one notification type");
    if (plex_event_type_from_name(e->type) != PLEX_EVENT_OTHER)
        FUZZ_CHECK(strcmp(plex_event_type_name(plex_event_type_from_name(e->type)), e->type) == 0 ||
                       strcmp(e->type, "transcode.end") == 0,
                   "a known type does not name itself");
    if (rc != 0) {
        FUZZ_CHECK(tolerant == NULL, "*out not NULL after a failure");
        FUZZ_CHECK(rc == PLEX_EPARSE || rc == PLEX_ESCHEMA || rc == PLEX_ENOMEM,
                   "an unexpected error code");
    }
    if (rc2 != 0)
        FUZZ_CHECK(strict == NULL, "*out not NULL after a strict failure");
    else
        FUZZ_CHECK(rc == 0, "a strict success without a tolerant one");
    if (rc == 0) {
        if (!tolerant->type && e->type[0])
            fprintf(stderr, "type \"%s\" data: %.*s\n", e->type, (int)e->data_len, e->data);
        FUZZ_CHECK(tolerant->type != NULL || !e->type[0],
                   "a decoded notification without its type");
        rc = plex_notification_to_json(tolerant, &json);
        FUZZ_CHECK(rc == 0 || rc == PLEX_EINVALID || rc == PLEX_ENOMEM, "to_json failed");
        if (rc == 0) {
            rc = plex_notification_parse(&again, NULL, json, strlen(json), 0, &err);
            FUZZ_CHECK(rc == 0 || rc == PLEX_ENOMEM, "a notification's JSON does not decode");
            if (rc == 0) {
                FUZZ_CHECK(plex_notification_to_json(again, &json2) != 0 ||
                               strcmp(json, json2) == 0,
                           "a notification's JSON is not canonical");
            }
        }
    }
    plex_free(json2);
    plex_free(json);
    plex_notification_free(again);
    plex_notification_free(strict);
    plex_notification_free(tolerant);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t bounds[4] = {16, 100, 1000, 4096};
    events ref, got, bounded;
    plex__sse p;
    const char *s;
    size_t n, piece, max_line;

    if (size < 1)
        return 0;
    piece = (size_t)(data[0] & 63) + 1;
    max_line = bounds[data[0] >> 6];
    s = (const char *)data + 1;
    n = size - 1;
    memset(&ref, 0, sizeof(ref));
    memset(&got, 0, sizeof(got));
    memset(&bounded, 0, sizeof(bounded));

    /* the reference, and the parser with bounds it cannot reach, in pieces */
    reference(s, n, "", -1, &ref);
    plex__sse_init(&p, n + 1, n + 1);
    frame(&p, s, n, piece, &got, 0);
    FUZZ_CHECK(got.rc == 0 || got.rc == PLEX_ENOMEM, "an error below the bounds");
    if (!got.rc) {
        events again;
        check_same(&ref, &got, "the framing differs from the reference");
        /* a reset (a new connection): the same stream again, whole; the last
         * id and retry survive it */
        memset(&again, 0, sizeof(again));
        reference(s, n, p.id.len ? p.id.ptr : "", p.retry_ms, &again);
        plex__sse_reset(&p);
        clear(&got);
        frame(&p, s, n, n ? n : 1, &got, 0);
        if (!got.rc)
            check_same(&again, &got, "the framing differs after a reset");
        clear(&again);
    }
    plex__sse_dispose(&p);

    /* small bounds: a prefix of the events, then a lasting PLEX_ETOOBIG */
    plex__sse_init(&p, max_line, 4 * max_line);
    frame(&p, s, n, piece, &bounded, 2 * (3 * max_line + 4 * max_line) + 4096);
    FUZZ_CHECK(bounded.n <= ref.n, "more events under bounds");
    for (size_t i = 0; i < bounded.n; i++)
        FUZZ_CHECK(same_event(&bounded.ev[i], &ref.ev[i]), "other events under bounds");
    if (!bounded.rc)
        FUZZ_CHECK(bounded.n == ref.n, "events lost under bounds without an error");
    plex__sse_dispose(&p);

    for (size_t i = 0; i < ref.n; i++)
        check_notification(&ref.ev[i]);
    clear(&ref);
    clear(&got);
    clear(&bounded);
    return 0;
}

/*
 * The event-stream framing and the notification decoding of src/lib/pms/sse.c,
 * without I/O: line ends (LF, CRLF, CR, a CRLF split between reads), every
 * split of a stream into two reads and into single bytes, comments, fields,
 * multi-line data, a BOM, events without data, an endless line and a huge
 * event (bounded: PLEX_ETOOBIG, memory not grown), garbage; and every
 * notification type in its three shapes (bare object keyed by kind, a
 * NotificationContainer wrapper, an array of payloads), XML, unknown types.
 */
#include <stdint.h>

#include "core/alloc.h"
#include "pms/sse.h"
#include "test.h"

/* What a stream framed to: "type|data" per event, joined by "\n--\n". */
typedef struct collected {
    char text[8192];
    size_t len;
    int events;
    int rc; /* the last error, or 0 */
} collected;

static void add(collected *c, const plex__sse_event *ev)
{
    int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s%s|%.*s",
                     c->events ? "\n--\n" : "", ev->type, (int)ev->data_len, ev->data);
    CHECK(ev->type[ev->type_len] == '\0' && ev->data[ev->data_len] == '\0');
    if (n > 0 && (size_t)n < sizeof(c->text) - c->len)
        c->len += (size_t)n;
    c->events++;
}

/* Feed s in pieces of `step` bytes (0: all at once). */
static collected frame(const char *s, size_t len, size_t step, size_t max_line)
{
    collected c;
    plex__sse p;
    plex__sse_event ev;

    memset(&c, 0, sizeof(c));
    plex__sse_init(&p, max_line, 0);
    for (size_t off = 0; off < len;) {
        size_t n = step && len - off > step ? step : len - off, pos = 0;
        int rc;
        while ((rc = plex__sse_next(&p, s + off, n, &pos, &ev)) == 1)
            add(&c, &ev);
        if (rc < 0) {
            c.rc = rc;
            break;
        }
        CHECK_INT(pos, n);
        off += n;
    }
    plex__sse_dispose(&p);
    return c;
}

static void check_stream(const char *s, const char *want, int events)
{
    size_t len = strlen(s);
    collected all = frame(s, len, 0, 0);

    CHECK_INT(all.rc, 0);
    CHECK_INT(all.events, events);
    CHECK_STR(all.text, want);
    /* the same in single bytes, and split in two at every position */
    collected one = frame(s, len, 1, 0);
    CHECK_STR(one.text, want);
    CHECK_INT(one.events, events);
    for (size_t cut = 1; cut < len; cut++) {
        collected c;
        plex__sse p;
        plex__sse_event ev;
        size_t pos = 0;
        int rc;

        memset(&c, 0, sizeof(c));
        plex__sse_init(&p, 0, 0);
        while ((rc = plex__sse_next(&p, s, cut, &pos, &ev)) == 1)
            add(&c, &ev);
        CHECK_INT(rc, 0);
        pos = 0;
        while ((rc = plex__sse_next(&p, s + cut, len - cut, &pos, &ev)) == 1)
            add(&c, &ev);
        CHECK_INT(rc, 0);
        if (strcmp(c.text, want) != 0) {
            fprintf(stderr, "split at %zu: got \"%s\"\n", cut, c.text);
            CHECK(0);
        }
        plex__sse_dispose(&p);
    }
}

static void test_framing(void)
{
    /* PMS's own shape, LF */
    check_stream("event: ping\ndata: {}\n\nevent: playing\ndata: {\"a\":1}\n\n",
                 "ping|{}\n--\nplaying|{\"a\":1}", 2);
    /* CRLF and CR line ends, mixed */
    check_stream("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\revent: c\ndata: 3\r\n\n",
                 "a|1\n--\nb|2\n--\nc|3", 3);
    /* comments, unknown fields, no space after the colon, a field without colon */
    check_stream(": hello\n:\nfoo: bar\nevent:x\nretry: 3000\nid: 7\nnoColonField\ndata:v\n\n",
                 "x|v", 1);
    /* multi-line data: joined by LF; an empty data line; only the first space dropped */
    check_stream("data: one\ndata:\ndata:  two\n\n", "message|one\n\n two", 1);
    /* an event without data is not dispatched, and its type does not leak */
    check_stream("event: lonely\n\ndata: d\n\n", "message|d", 1);
    /* a leading BOM is dropped (only at the start) */
    check_stream("\xEF\xBB\xBF"
                 "data: b\n\n",
                 "message|b", 1);
    /* an unfinished event at the end is not dispatched */
    check_stream("data: done\n\ndata: partial\n", "message|done", 1);
    /* a CRLF split between two reads is one line end, not two */
    check_stream("data: a\r\n\r\n", "message|a", 1);
}

static void test_fields(void)
{
    plex__sse p;
    plex__sse_event ev;
    static const char s[] = "id: 42\nretry: 1500\ndata: x\n\nretry: 12ab\nid: a\0b\ndata: y\n\n";
    size_t len = sizeof(s) - 1, pos = 0;

    plex__sse_init(&p, 0, 0);
    CHECK_INT(plex__sse_next(&p, s, len, &pos, &ev), 1);
    CHECK_STR(ev.id, "42");
    CHECK_INT(p.retry_ms, 1500);
    CHECK_INT(plex__sse_next(&p, s, len, &pos, &ev), 1);
    CHECK_STR(ev.id, "42");      /* an id with NUL is ignored */
    CHECK_INT(p.retry_ms, 1500); /* a retry with a non-digit is ignored */
    CHECK_STR(ev.data, "y");
    CHECK_INT(plex__sse_next(&p, s, len, &pos, &ev), 0);
    /* a reset (new connection) keeps the last id */
    plex__sse_reset(&p);
    pos = 0;
    CHECK_INT(plex__sse_next(&p, "data: z\n\n", 9, &pos, &ev), 1);
    CHECK_STR(ev.id, "42");
    plex__sse_dispose(&p);
}

static void test_bounds(void)
{
    plex__sse p;
    plex__sse_event ev;
    char chunk[4096];
    size_t pos, foot = 0;
    int rc = 0;

    /* an endless line: an error at the bound, never more memory than that */
    memset(chunk, 'a', sizeof(chunk));
    plex__sse_init(&p, 64 * 1024, 0);
    pos = 0;
    CHECK_INT(plex__sse_next(&p, "data: ", 6, &pos, &ev), 0);
    for (int i = 0; i < 1000 && rc == 0; i++) {
        pos = 0;
        rc = plex__sse_next(&p, chunk, sizeof(chunk), &pos, &ev);
        if (plex__sse_footprint(&p) > foot)
            foot = plex__sse_footprint(&p);
    }
    CHECK_INT(rc, PLEX_ETOOBIG);
    CHECK(foot <= 2 * 64 * 1024);
    /* sticky until reset */
    pos = 0;
    CHECK_INT(plex__sse_next(&p, "\n\n", 2, &pos, &ev), PLEX_ETOOBIG);
    plex__sse_reset(&p);
    pos = 0;
    CHECK_INT(plex__sse_next(&p, "data: ok\n\n", 10, &pos, &ev), 1);
    CHECK_STR(ev.data, "ok");
    plex__sse_dispose(&p);

    /* one line within `in` over the bound fails too */
    {
        collected c = frame(chunk, sizeof(chunk), 0, 1024);
        CHECK_INT(c.rc, PLEX_ETOOBIG);
    }

    /* many short data lines: the event's data is bounded as well */
    plex__sse_init(&p, 1024, 8192);
    rc = 0;
    for (int i = 0; i < 10000 && rc == 0; i++) {
        pos = 0;
        rc = plex__sse_next(&p, "data: 0123456789\n", 17, &pos, &ev);
    }
    CHECK_INT(rc, PLEX_ETOOBIG);
    CHECK(plex__sse_footprint(&p) <= 4 * 8192);
    plex__sse_dispose(&p);

    /* a long stream of events: memory does not grow with it */
    plex__sse_init(&p, 0, 0);
    for (int i = 0; i < 100000; i++) {
        static const char ev_text[] =
            "event: timeline\ndata: {\"TimelineEntry\":[{\"state\":5}]}\n\n";
        pos = 0;
        CHECK_INT(plex__sse_next(&p, ev_text, sizeof(ev_text) - 1, &pos, &ev), 1);
        if (i == 10)
            foot = plex__sse_footprint(&p);
    }
    CHECK_INT(plex__sse_footprint(&p), foot);
    CHECK_INT((long long)p.events, 100000);
    plex__sse_dispose(&p);
}

static void test_garbage(void)
{
    /* binary junk with line ends: lines without known fields are ignored, the
     * events around them still come through */
    static const char junk[] = "\x01\x02\xff\xfe garbage ::: \n\x00\x00\n{\"not\":\"sse\"}\r\n"
                               "data: after\n\n";
    collected c = frame(junk, sizeof(junk) - 1, 0, 0);
    CHECK_INT(c.rc, 0);
    CHECK_INT(c.events, 1);
    CHECK_STR(c.text, "message|after");
    /* every byte value, every split: never a crash, never an over-read (ASan) */
    {
        unsigned char all[512];
        for (int i = 0; i < 512; i++)
            all[i] = (unsigned char)(i * 37 + 11);
        for (size_t step = 1; step < 20; step++)
            (void)frame((const char *)all, sizeof(all), step, 100);
    }
}

/* ---- notifications ---- */

static plex_notification *parse(const char *type, const char *data, int want_rc)
{
    plex_notification *n = NULL;
    plex_error err;
    int rc = plex_notification_parse(&n, type, data, strlen(data), 0, &err);

    if (rc != want_rc)
        fprintf(stderr, "parse %s: %d (%s), expected %d\n", type ? type : "(null)", rc, err.message,
                want_rc);
    CHECK_INT(rc, want_rc);
    CHECK(want_rc == 0 ? n != NULL : n == NULL);
    return n;
}

static void test_shapes(void)
{
    static const char *const shapes[] = {
        /* the bare object keyed by kind, its value an object (what PMS sends on SSE) */
        "{\"PlaySessionStateNotification\":{\"sessionKey\":\"12\",\"clientIdentifier\":\"abc\","
        "\"ratingKey\":\"100\",\"key\":\"/library/metadata/100\",\"viewOffset\":5000,"
        "\"playQueueItemID\":7,\"state\":\"playing\"}}",
        /* its value an array */
        "{\"PlaySessionStateNotification\":[{\"sessionKey\":12,\"clientIdentifier\":\"abc\","
        "\"ratingKey\":100,\"key\":\"/library/metadata/100\",\"viewOffset\":\"5000\","
        "\"playQueueItemID\":7,\"state\":\"playing\"}]}",
        /* the WebSocket's wrapper */
        "{\"NotificationContainer\":{\"type\":\"playing\",\"size\":1,"
        "\"PlaySessionStateNotification\":[{\"sessionKey\":\"12\",\"clientIdentifier\":\"abc\","
        "\"ratingKey\":\"100\",\"key\":\"/library/metadata/100\",\"viewOffset\":5000,"
        "\"playQueueItemID\":7,\"state\":\"playing\"}]}}",
        /* an array of the payloads themselves */
        "[{\"sessionKey\":\"12\",\"clientIdentifier\":\"abc\",\"ratingKey\":\"100\","
        "\"key\":\"/library/metadata/100\",\"viewOffset\":5000,\"playQueueItemID\":7,"
        "\"state\":\"playing\"}]",
        /* XML */
        "<NotificationContainer type=\"playing\" size=\"1\"><PlaySessionStateNotification "
        "sessionKey=\"12\" clientIdentifier=\"abc\" ratingKey=\"100\" "
        "key=\"/library/metadata/100\" viewOffset=\"5000\" playQueueItemID=\"7\" "
        "state=\"playing\"/></NotificationContainer>",
    };

    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        plex_notification *n = parse("playing", shapes[i], 0);
        if (!n)
            continue;
        CHECK_STR(n->type, "playing");
        REQUIRE(n->playing_count == 1);
        CHECK_STR(n->playing[0]->session_key, "12");
        CHECK_STR(n->playing[0]->client_identifier, "abc");
        CHECK_STR(n->playing[0]->rating_key, "100");
        CHECK_INT(n->playing[0]->view_offset, 5000);
        CHECK_INT(n->playing[0]->play_queue_item_id, 7);
        CHECK_STR(n->playing[0]->state, "playing");
        plex_notification_free(n);
    }
    /* the container's own type wins over the name it came with */
    {
        plex_notification *n =
            parse("message", "{\"NotificationContainer\":{\"type\":\"status\"}}", 0);
        if (n)
            CHECK_STR(n->type, "status");
        plex_notification_free(n);
    }
    /* without a name and a type: no type, the payload is still there */
    {
        plex_notification *n = parse(NULL, "{\"StatusNotification\":{\"title\":\"t\"}}", 0);
        if (n) {
            CHECK(n->type == NULL);
            CHECK_INT(n->statuses_count, 1);
        }
        plex_notification_free(n);
    }
    /* errors */
    (void)parse("playing", "", PLEX_ESCHEMA);
    (void)parse("playing", "   ", PLEX_ESCHEMA);
    (void)parse("playing", "{\"PlaySessionStateNotification\":", PLEX_EPARSE);
    (void)parse("playing", "not json", PLEX_EPARSE);
    (void)parse("playing", "42", PLEX_ESCHEMA);
    (void)parse("unknownKind", "[{\"a\":1}]", PLEX_ESCHEMA); /* an array needs a known kind */
    (void)parse(NULL, "[{\"a\":1}]", PLEX_ESCHEMA);
    {
        plex_notification *n = NULL;
        CHECK_INT(plex_notification_parse(NULL, "x", "{}", 2, 0, NULL), PLEX_EINVALID);
        CHECK_INT(plex_notification_parse(&n, "x", NULL, 2, 0, NULL), PLEX_EINVALID);
    }
    plex_notification_free(NULL);
}

static void test_kinds(void)
{
    plex_notification *n;

    n = parse("timeline",
              "{\"TimelineEntry\":[{\"identifier\":\"com.plexapp.plugins.library\",\"sectionID\":"
              "\"1\",\"itemID\":\"42\",\"type\":1,\"title\":\"Movie\",\"state\":5,"
              "\"metadataState\":\"created\",\"updatedAt\":1700000000}]}",
              0);
    if (n) {
        REQUIRE(n->timeline_count == 1);
        CHECK_STR(n->timeline[0]->item_id, "42");
        CHECK_STR(n->timeline[0]->section_id, "1");
        CHECK_INT(n->timeline[0]->state, 5);
        CHECK_INT(n->timeline[0]->updated_at, 1700000000);
    }
    plex_notification_free(n);

    n = parse(
        "activity",
        "{\"ActivityNotification\":{\"event\":\"updated\",\"uuid\":\"u-1\",\"Activity\":"
        "{\"uuid\":\"u-1\",\"type\":\"library.update.section\",\"cancellable\":false,"
        "\"userID\":1,\"title\":\"Scanning Movies\",\"subtitle\":\"file.mkv\","
        "\"progress\":42,\"Context\":{\"librarySectionID\":\"1\"},\"Response\":{\"x\":[1]}}}}",
        0);
    if (n) {
        const plex_activity *a;
        REQUIRE(n->activities_count == 1);
        CHECK_STR(n->activities[0]->event, "updated");
        a = n->activities[0]->activity;
        REQUIRE(a != NULL);
        CHECK_STR(a->type, "library.update.section");
        CHECK_INT(a->progress, 42);
        CHECK_INT(a->cancellable, PLEX_FALSE);
        REQUIRE(a->context != NULL);
        CHECK_STR(a->context->library_section_id, "1");
        CHECK_STR(a->response, "{\"x\":[1]}");
    }
    plex_notification_free(n);

    n = parse("status",
              "{\"StatusNotification\":[{\"title\":\"Library scan complete\",\"notificationName\":"
              "\"LIBRARY_UPDATE\",\"description\":\"d\"}]}",
              0);
    if (n) {
        REQUIRE(n->statuses_count == 1);
        CHECK_STR(n->statuses[0]->notification_name, "LIBRARY_UPDATE");
    }
    plex_notification_free(n);

    n = parse("reachability", "{\"ReachabilityNotification\":[{\"reachability\":true}]}", 0);
    if (n) {
        REQUIRE(n->reachability_count == 1);
        CHECK_INT(n->reachability[0]->reachability, PLEX_TRUE);
    }
    plex_notification_free(n);

    n = parse("transcodeSession.update",
              "{\"TranscodeSession\":{\"key\":\"tk\",\"progress\":\"12.5\",\"speed\":\"1.5\","
              "\"throttled\":\"0\",\"videoDecision\":\"transcode\"}}",
              0);
    if (n) {
        REQUIRE(n->transcode_sessions_count == 1);
        CHECK_STR(n->transcode_sessions[0]->key, "tk");
        CHECK(n->transcode_sessions[0]->progress > 12.4 &&
              n->transcode_sessions[0]->progress < 12.6);
        CHECK(n->coerced != 0); /* numbers as text: noted */
    }
    plex_notification_free(n);

    n = parse("preference",
              "{\"Setting\":[{\"id\":\"FriendlyName\",\"type\":\"text\",\"value\":\"Den\"}]}", 0);
    if (n) {
        REQUIRE(n->settings_count == 1);
        CHECK_STR(n->settings[0]->id, "FriendlyName");
    }
    plex_notification_free(n);

    n = parse("backgroundProcessingQueue",
              "{\"BackgroundProcessingQueueEventNotification\":[{\"event\":\"queueRegenerated\","
              "\"queueID\":3}]}",
              0);
    if (n) {
        REQUIRE(n->background_queue_count == 1);
        CHECK_INT(n->background_queue[0]->queue_id, 3);
    }
    plex_notification_free(n);

    n = parse("update.statechange",
              "{\"AutoUpdateNotification\":{\"version\":\"1.43.0\",\"state\":\"available\"}}", 0);
    if (n) {
        REQUIRE(n->updates_count == 1);
        CHECK_STR(n->updates[0]->state, "available");
    }
    plex_notification_free(n);

    n = parse("log", "{\"Log\":[{\"level\":2,\"message\":\"hello\",\"source\":\"test\"}]}", 0);
    if (n) {
        REQUIRE(n->log_count == 1);
        CHECK_INT(n->log[0]->level, 2);
        CHECK_STR(n->log[0]->message, "hello");
    }
    plex_notification_free(n);

    /* a kind libplex does not know: kept by wire name, nothing dropped */
    n = parse("newKind", "{\"FancyNotification\":[{\"a\":1}],\"size\":1}", 0);
    if (n) {
        const char *raw = plex_attrs_get(&n->extra, "FancyNotification");
        CHECK_STR(n->type, "newKind");
        CHECK_INT(n->size, 1);
        CHECK(raw != NULL && strstr(raw, "\"a\":1") != NULL);
    }
    plex_notification_free(n);
}

static void test_names(void)
{
    static const struct {
        const char *name;
        plex_event_type type;
    } t[] = {{"playing", PLEX_EVENT_PLAYING},
             {"timeline", PLEX_EVENT_TIMELINE},
             {"activity", PLEX_EVENT_ACTIVITY},
             {"status", PLEX_EVENT_STATUS},
             {"reachability", PLEX_EVENT_REACHABILITY},
             {"transcodeSession.start", PLEX_EVENT_TRANSCODE_START},
             {"transcodeSession.update", PLEX_EVENT_TRANSCODE_UPDATE},
             {"transcodeSession.end", PLEX_EVENT_TRANSCODE_END},
             {"transcode.end", PLEX_EVENT_TRANSCODE_END},
             {"preference", PLEX_EVENT_PREFERENCE},
             {"backgroundProcessingQueue", PLEX_EVENT_BACKGROUND_QUEUE},
             {"progress", PLEX_EVENT_PROGRESS},
             {"account", PLEX_EVENT_ACCOUNT},
             {"update.statechange", PLEX_EVENT_UPDATE_STATE},
             {"log", PLEX_EVENT_LOG},
             {"ping", PLEX_EVENT_PING},
             {"Playing", PLEX_EVENT_OTHER},
             {"", PLEX_EVENT_OTHER},
             {"somethingNew", PLEX_EVENT_OTHER}};

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        CHECK_INT(plex_event_type_from_name(t[i].name), t[i].type);
    CHECK_INT(plex_event_type_from_name(NULL), PLEX_EVENT_OTHER);
    CHECK_STR(plex_event_type_name(PLEX_EVENT_TRANSCODE_END), "transcodeSession.end");
    CHECK_STR(plex_event_type_name(PLEX_EVENT_CONNECTED), "connected");
    CHECK_STR(plex_event_type_name(PLEX_EVENT_DISCONNECTED), "disconnected");
    CHECK_STR(plex_event_type_name(PLEX_EVENT_OTHER), "other");
    CHECK_STR(plex_event_type_name((plex_event_type)77), "other");
}

/* Failing each allocation of a decode in turn: an error, never a leak or a crash. */
static void test_alloc_failures(void)
{
    static const char data[] =
        "{\"NotificationContainer\":{\"type\":\"activity\",\"ActivityNotification\":[{\"event\":"
        "\"started\",\"uuid\":\"u\",\"Activity\":{\"uuid\":\"u\",\"Context\":{\"key\":\"k\"}}}]}}";
    int ok = 0;

    for (unsigned long i = 1; i < 200 && !ok; i++) {
        plex_notification *n = NULL;
        int rc;
        plex__alloc_fail_at(i);
        rc = plex_notification_parse(&n, "activity", data, sizeof(data) - 1, 0, NULL);
        plex__alloc_fail_at(0);
        CHECK(rc == 0 || rc == PLEX_ENOMEM);
        CHECK(rc == 0 ? n != NULL : n == NULL);
        ok = rc == 0;
        plex_notification_free(n);
    }
    CHECK(ok);
}

int main(void)
{
    test_framing();
    test_fields();
    test_bounds();
    test_garbage();
    test_shapes();
    test_kinds();
    test_names();
    test_alloc_failures();
    return test_summary("test_sse");
}

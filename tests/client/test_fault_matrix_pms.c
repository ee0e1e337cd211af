/*
 * The fault matrix's media-server half (issue 19): every plexsim fault token
 * on every route the media-server client uses, over http and over https
 * (the test CA of make_certs.sh, the server reached by its plex.direct name,
 * which the library pins to 127.0.0.1 without DNS), as one table-driven test
 * on matrix.h (the PIN matrix's worker pool).
 *
 * Rows: the fault tokens of src/sim/fault.c: NNN (the statuses the client
 * tells apart: a 200 or 204 that is not the answer, 400, 401, 403, 404, 416,
 * 422, 429, 498, 5xx), drop, delay=MS, truncate, garbage, huge, html, and
 * the stream tokens silent, close, endless, junk (which only the event
 * stream honours: elsewhere the route answers as usual). Columns, each on
 * the route plexsim names it by (docs/plexsim.md, "Faults and stats"):
 *   list1     GET /library/sections/{id}/all: a plex_listing walk of the 50
 *             movies, 20 a page, the fault on the first page
 *   list2     the same walk, the fault on a later page (armed after the 20th
 *             item, so it hits the second page, on the listing's kept-alive
 *             connection)
 *   meta      GET /library/metadata/{ids}: plex_metadata_get of one movie
 *   search    GET /hubs/search: plex_hubs_search
 *   download  GET /library/parts/{id}/{changestamp}/{file}: a photo's part
 *             first downloaded to a third (cancelled: the partial file
 *             stays), then the fault on the resume (a Range request)
 *   timeline  POST /:/timeline: a plex_playback's "playing" tick
 *   events    GET /:/eventsource/notifications: a plex_events subscription
 *             (plexsim pinging every 500 ms, the client taking 3 s of
 *             silence for a lost stream, so that a busy machine's late ping
 *             is not one; back-off 100-400 ms; lines up to 64 KiB); after
 *             each connection the test plays something and the `playing`
 *             notification must arrive
 *
 * A cell: plexsim reset (/__sim/reset), the cell's set-up, the fault armed
 * once on the route (/__sim/fault), a new client and server, the operation.
 * Who retries:
 *   - the library does not retry a request of a server with one connection
 *     (plex_server_new), so in the first five columns the retries are the
 *     test's, made as an application would after a retryable error (5xx,
 *     transport, timeout, 429 after its Retry-After): a single call once
 *     more; a listing as a new one from the index where the failed one
 *     stopped; a download once more, which resumes from its partial file;
 *   - the playback sends the timeline again on the next tick after any
 *     failure (the library's rule; the test ticks once more, as a player's
 *     loop does), so every timeline cell ends in ok;
 *   - the event stream reconnects by itself after anything but 400, 401,
 *     403 (498) and 404, which end the subscription: every retry in that
 *     column is the library's;
 *   - libcurl resends a GET whose kept-alive connection closed without an
 *     answer (drop on list2), and a download whose range the server refuses
 *     (416) starts over: both show as +1 (below).
 *
 * The outcome is the trail of what happened, e.g.
 *   ok             the fault made no visible difference
 *   ESERVER>ok     a retry after ESERVER (the test's, or the library's: above)
 *   EAUTH          the operation ended with that error
 *   empty>ok       a 2xx without a body, taken as the timeline's answer
 *   raw>ok         a notification whose data did not decode was passed on raw
 *   X>kept, X>lost a download that ended with X kept its partial file (as long
 *                  as before the fault, to resume) or lost it
 *   +1             plexsim saw one request more on the route than the calls
 *                  made (for a listing: its requests; for the event stream:
 *                  its connection attempts): a resend by libcurl or the library
 * Success is checked in full: the walk returns the 50 movies once each, the
 * item and the search hits are there, the downloaded file is byte-exact (and
 * no partial file is left), the timeline's answer has the position, the
 * notification is the one played. The cell fails when its outcome differs
 * from the table's, when the armed fault was never consumed, or when its
 * worker crashed (CRASH) or hung (HANG); a worker that exits non-zero (under
 * ASan: a leak) fails the test. The table is printed either way.
 *
 * Bug this matrix found, fixed and held to by its https rows
 * (src/lib/net/http.c): plex__http_init_from() did not copy the pinned
 * plex.direct addresses, so a download or a playback (each on a connection
 * of its own) of a server reached by its plex.direct name asked DNS for the
 * name and failed with PLEX_EDNS where DNS does not answer for it.
 *
 * usage: test_fault_matrix_pms CERT_DIR   (PLEXSIM names the emulator binary)
 */
#include <sys/stat.h>

#include <plex/plex.h>

#define MATRIX_SIM_START sim_start_pms
#include "flow.h"
#include "matrix.h"
#include "sim.h"
#include "test.h"

#define TOKEN "plexsim-user-token-0001"
#define PLEX_DIRECT_HASH "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c" /* SIM_PLEX_DIRECT_HASH */
#define REQUEST_TIMEOUT_MS 2500 /* the client's; the delay row (6000 ms) waits longer */
#define MAX_RESPONSE ((size_t)4 * 1024 * 1024) /* 'huge' (64 MiB) passes it */
#define MOVIES 50                              /* plexsim's default library */
#define PAGE 20
#define RETRIES 2 /* the test's retries after retryable errors, at most */
/* plexsim pings the event stream every 500 ms; the client takes twice its own
 * interval of silence for a lost stream */
#define SIM_PING "/__sim/config?event_ping_ms=500"
#define CLIENT_PING_MS 1500

enum { C_LIST1, C_LIST2, C_META, C_SEARCH, C_DOWNLOAD, C_TIMELINE, C_EVENTS, NCOLS };

static const char *const routes[NCOLS] = {"GET /library/sections/{id}/all",
                                          "GET /library/sections/{id}/all",
                                          "GET /library/metadata/{ids}",
                                          "GET /hubs/search",
                                          "GET /library/parts/{id}/{changestamp}/{file}",
                                          "POST /:/timeline",
                                          "GET /:/eventsource/notifications"};
static const char *const col_names[NCOLS] = {"list1",    "list2",    "meta",  "search",
                                             "download", "timeline", "events"};

/* One row: the token and the expected outcome per column (http and https alike). */
typedef struct row {
    const char *token;
    const char *expect[NCOLS];
} row;

/* clang-format off */
static const row rows[] = {
    /*              list1            list2            meta             search           download           timeline         events */
    {"200",        {"EPARSE",        "EPARSE",        "EPARSE",        "EPARSE",        "ESCHEMA>kept",    "EPARSE>ok",     "EPARSE>ok"}},
    {"204",        {"ESCHEMA",       "ESCHEMA",       "ESCHEMA",       "ESCHEMA",       "ESCHEMA>kept",    "empty>ok",      "EPARSE>ok"}},
    {"400",        {"EBADREQUEST",   "EBADREQUEST",   "EBADREQUEST",   "EBADREQUEST",   "EBADREQUEST>kept","EBADREQUEST>ok","EBADREQUEST"}},
    {"401",        {"EAUTH",         "EAUTH",         "EAUTH",         "EAUTH",         "EAUTH>kept",      "EAUTH>ok",      "EAUTH"}},
    {"403",        {"EAUTH",         "EAUTH",         "EAUTH",         "EAUTH",         "EAUTH>kept",      "EAUTH>ok",      "EAUTH"}},
    {"404",        {"ENOTFOUND",     "ENOTFOUND",     "ENOTFOUND",     "ENOTFOUND",     "ENOTFOUND>kept",  "ENOTFOUND>ok",  "ENOTFOUND"}},
    {"416",        {"EHTTP",         "EHTTP",         "EHTTP",         "EHTTP",         "ok+1",            "EHTTP>ok",      "EHTTP>ok"}},
    {"422",        {"EHTTP",         "EHTTP",         "EHTTP",         "EHTTP",         "EHTTP>kept",      "EHTTP>ok",      "EHTTP>ok"}},
    {"429",        {"ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok",   "ERATELIMIT>ok", "ERATELIMIT>ok"}},
    {"498",        {"EAUTH",         "EAUTH",         "EAUTH",         "EAUTH",         "EAUTH>kept",      "EAUTH>ok",      "EAUTH"}},
    {"500",        {"ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",      "ESERVER>ok",    "ESERVER>ok"}},
    {"502",        {"ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",      "ESERVER>ok",    "ESERVER>ok"}},
    {"503",        {"ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",      "ESERVER>ok",    "ESERVER>ok"}},
    {"504",        {"ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",    "ESERVER>ok",      "ESERVER>ok",    "ESERVER>ok"}},
    {"drop",       {"ETRANSPORT>ok", "ok+1",          "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok",   "ETRANSPORT>ok", "ETRANSPORT>ok"}},
    {"delay=6000", {"ETIMEOUT>ok",   "ETIMEOUT>ok",   "ETIMEOUT>ok",   "ETIMEOUT>ok",   "ETIMEOUT>ok",     "ETIMEOUT>ok",   "ETIMEOUT>ok"}},
    {"truncate",   {"ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok",   "ETRANSPORT>ok", "ok"}},
    {"garbage",    {"EPARSE",        "EPARSE",        "EPARSE",        "EPARSE",        "ESCHEMA>kept",    "EPARSE>ok",     "EPARSE>ok"}},
    {"huge",       {"ETOOBIG",       "ETOOBIG",       "ETOOBIG",       "ETOOBIG",       "ESCHEMA>kept",    "ETOOBIG>ok",    "EPARSE>ok"}},
    {"html",       {"EPARSE",        "EPARSE",        "EPARSE",        "EPARSE",        "ESCHEMA>kept",    "EPARSE>ok",     "EPARSE>ok"}},
    {"silent",     {"ok",            "ok",            "ok",            "ok",            "ok",              "ok",            "ETIMEOUT>ok"}},
    {"close",      {"ok",            "ok",            "ok",            "ok",            "ok",              "ok",            "ETRANSPORT>ok"}},
    {"endless",    {"ok",            "ok",            "ok",            "ok",            "ok",              "ok",            "ETOOBIG>ok"}},
    {"junk",       {"ok",            "ok",            "ok",            "ok",            "ok",              "ok",            "raw>ok"}},
};
/* clang-format on */
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* A worker's state: a directory for downloads, and the photo part it
 * downloads with its bytes (the same library on both plexsims). */
typedef struct worker {
    char dir[64];
    char part_key[256];
    int64_t part_size;
    unsigned char *ref;
    size_t ref_len;
} worker;

/* What a cell did: the trail, and the calls that reached the route. */
typedef struct cell {
    char trail[96];
    long hits0; /* plexsim's count of the route's requests before the fault */
    long calls; /* calls made since (for a listing: its requests) */
    int rc;
    char why[160];    /* a success that did not check out */
    char msg[160];    /* the last error's message */
    int setup_failed; /* the cell's set-up (before the fault) failed: why says why */
} cell;

static void *worker_begin(void)
{
    worker *w = calloc(1, sizeof(*w));

    REQUIRE(w != NULL);
    snprintf(w->dir, sizeof(w->dir), "/tmp/plex-fm-pms-XXXXXX");
    REQUIRE(mkdtemp(w->dir) != NULL);
    return w;
}

static void worker_end(void *state)
{
    worker *w = state;
    char path[128];

    snprintf(path, sizeof(path), "%s/part", w->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/part%s", w->dir, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    unlink(path);
    rmdir(w->dir);
    free(w->ref);
    free(w);
}

/* The server's base URL for the client: http://127.0.0.1:P, or for https
 * the plex.direct name of 127.0.0.1 (no DNS: the library pins it). */
static void base_url(char *out, size_t size, const sim *s, int https)
{
    const char *port = strrchr(s->pms_url, ':');
    if (https)
        snprintf(out, size, "https://127-0-0-1.%s.plex.direct%s", PLEX_DIRECT_HASH, port);
    else
        snprintf(out, size, "%s", s->pms_url);
}

/* The error of a failed step, in the trail; 1 if the test retries it. */
static int note(cell *c, int rc, const plex_error *e)
{
    c->rc = rc;
    snprintf(c->msg, sizeof(c->msg), "%.159s", e ? e->message : "");
    matrix_append(c->trail, sizeof(c->trail), flow_errname(rc));
    if (!matrix_retryable(rc))
        return 0;
    if (rc == PLEX_ERATELIMIT && e && e->retry_after > 0)
        sleep((unsigned)e->retry_after);
    return 1;
}

/* ---- the columns ---- */

/* The walk of section 1; arm_after > 0 arms the fault once that many items
 * were returned (the next page's request takes it). */
static void walk(cell *c, plex_server *p, const sim *s, const char *cafile, const char *route,
                 const char *token, size_t arm_after)
{
    char seen[MOVIES + 1];
    size_t got = 0;
    int armed = arm_after == 0, tries = 0;

    memset(seen, 0, sizeof(seen));
    for (;;) {
        plex_listing *l = NULL;
        plex_listing_options lo = PLEX_LISTING_OPTIONS_INIT;
        const plex_metadata *m;
        int rc;

        lo.page_size = PAGE;
        lo.start = got; /* a retry: a new listing from where the last one stopped */
        if ((rc = plex_section_items(&l, p, "1", NULL, &lo)) != 0) {
            note(c, rc, plex_server_last_error(p));
            return;
        }
        while ((rc = plex_listing_next(l, &m)) == 1) {
            long k = m->rating_key ? strtol(m->rating_key, NULL, 10) : 0;
            if (k < 1 || k > MOVIES || seen[k]) {
                snprintf(c->why, sizeof(c->why), "item %s out of place",
                         m->rating_key ? m->rating_key : "(none)");
                rc = PLEX_ESCHEMA;
                break;
            }
            seen[k] = 1;
            got++;
            if (!armed && got == arm_after) {
                if (matrix_arm(s, cafile, route, token) != 0) {
                    snprintf(c->why, sizeof(c->why), "could not arm the fault");
                    c->setup_failed = 1;
                }
                armed = 1;
            }
        }
        c->calls += (long)plex_listing_requests(l);
        if (rc == 0 && (got != MOVIES || plex_listing_total(l) != MOVIES))
            snprintf(c->why, sizeof(c->why), "%zu items of %lld", got, plex_listing_total(l));
        if (rc != 0 && note(c, rc, plex_listing_last_error(l)) && tries++ < RETRIES) {
            plex_listing_free(l);
            continue;
        }
        if (rc == 0)
            c->rc = 0;
        plex_listing_free(l);
        return;
    }
}

static void meta(cell *c, plex_server *p)
{
    for (int tries = 0;; tries++) {
        plex_container *mc = NULL;
        int rc = plex_metadata_get(&mc, p, "1", NULL);
        c->calls++;
        if (rc == 0) {
            const plex_metadata *m = plex_container_items_at(mc, 0);
            if (mc->items_count != 1 || !m->rating_key || strcmp(m->rating_key, "1") != 0 ||
                m->media_count < 1 || !m->title)
                snprintf(c->why, sizeof(c->why), "not movie 1 with its media");
            c->rc = 0;
            plex_container_free(mc);
            return;
        }
        if (!note(c, rc, plex_server_last_error(p)) || tries == RETRIES)
            return;
    }
}

static void search(cell *c, plex_server *p)
{
    for (int tries = 0;; tries++) {
        plex_container *mc = NULL;
        int rc = plex_hubs_search(&mc, p, "the", NULL);
        c->calls++;
        if (rc == 0) {
            size_t hits = 0;
            for (size_t i = 0; i < mc->hubs_count; i++)
                hits += mc->hubs[i]->items_count + mc->hubs[i]->directories_count;
            if (hits == 0)
                snprintf(c->why, sizeof(c->why), "no hits in %zu hubs", mc->hubs_count);
            c->rc = 0;
            plex_container_free(mc);
            return;
        }
        if (!note(c, rc, plex_server_last_error(p)) || tries == RETRIES)
            return;
    }
}

typedef struct cancel_at {
    int64_t bytes;
    int64_t resumed_from; /* of the last call */
    int64_t most;         /* the most bytes a file had */
} cancel_at;

static int on_progress(const plex_download_progress *pr, void *payload)
{
    cancel_at *ca = payload;
    ca->resumed_from = pr->resumed_from;
    if (pr->bytes > ca->most)
        ca->most = pr->bytes;
    return ca->bytes > 0 && pr->bytes >= ca->bytes;
}

/* The photo part of the worker's library and its bytes (once per worker). */
static int find_part(worker *w, plex_server *p)
{
    plex_listing *l = NULL;
    plex_query *q = NULL;
    plex_container *mc = NULL;
    const plex_metadata *m;
    const plex_part *part;
    unsigned char *bytes = NULL;
    size_t len = 0;
    int ok = 0;

    if (w->ref)
        return 0;
    if (plex_query_new(&q) != 0 || plex_query_add(q, "type", "13") != 0 ||
        plex_section_items(&l, p, "4", q, NULL) != 0 || plex_listing_next(l, &m) != 1 ||
        plex_metadata_get(&mc, p, m->rating_key, NULL) != 0)
        goto done;
    part = plex_media_parts_at(plex_metadata_media_at(plex_container_items_at(mc, 0), 0), 0);
    if (!part || !part->key || part->size < 65536 || strlen(part->key) >= sizeof(w->part_key) ||
        plex_image_get(&bytes, &len, NULL, p, part->key, 0, 0) != 0 || (int64_t)len != part->size)
        goto done;
    snprintf(w->part_key, sizeof(w->part_key), "%s", part->key);
    w->part_size = part->size;
    w->ref = malloc(len);
    if (w->ref) {
        memcpy(w->ref, bytes, len);
        w->ref_len = len;
        ok = 1;
    }
done:
    plex_free(bytes);
    plex_container_free(mc);
    plex_listing_free(l);
    plex_query_free(q);
    return ok ? 0 : -1;
}

/* 1 if path holds exactly the worker's part. */
static int is_part(const worker *w, const char *path)
{
    size_t len = 0;
    char *data = test_read_file(path, &len);
    int ok = data && len == w->ref_len && memcmp(data, w->ref, len) == 0;
    free(data);
    return ok;
}

/* 1 if path holds a prefix of the worker's part (or is not there). */
static int is_prefix(const worker *w, const char *path)
{
    size_t len = 0;
    char *data;
    int ok;
    struct stat sb;

    if (stat(path, &sb) != 0)
        return 1;
    data = test_read_file(path, &len);
    ok = data && len <= w->ref_len && memcmp(data, w->ref, len) == 0;
    free(data);
    return ok;
}

static void download(cell *c, plex_server *p, worker *w, const sim *s, const char *cafile,
                     const char *route, const char *token)
{
    plex_part part;
    cancel_at ca = {0, 0, 0};
    plex_download_options o = PLEX_DOWNLOAD_OPTIONS_INIT;
    char dest[128], partial[160];
    struct stat sb;
    int rc;

    memset(&part, 0, sizeof(part));
    if (find_part(w, p) != 0) {
        snprintf(c->why, sizeof(c->why), "no photo part to download");
        c->setup_failed = 1;
        return;
    }
    part.key = w->part_key;
    part.size = w->part_size;
    part.present[0] = 1u << PLEX_PART_SIZE; /* as decoded: the size is there */
    snprintf(dest, sizeof(dest), "%s/part", w->dir);
    snprintf(partial, sizeof(partial), "%s%s", dest, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    unlink(dest);
    unlink(partial);
    o.progress = on_progress;
    o.payload = &ca;
    ca.bytes = part.size / 3; /* a partial file to resume */
    rc = plex_part_download(NULL, p, &part, dest, &o);
    if (rc != PLEX_ECANCELLED || stat(partial, &sb) != 0 || sb.st_size < ca.bytes) {
        snprintf(c->why, sizeof(c->why), "no partial file to resume (%s: %.100s)", flow_errname(rc),
                 plex_server_last_error(p)->message);
        c->setup_failed = 1;
        return;
    }
    ca.bytes = 0;
    c->hits0 = sim_stat(s, route, cafile);
    if (matrix_arm(s, cafile, route, token) != 0) {
        snprintf(c->why, sizeof(c->why), "could not arm the fault");
        c->setup_failed = 1;
        return;
    }
    for (int tries = 0;; tries++) {
        rc = plex_part_download(NULL, p, &part, dest, &o);
        c->calls++;
        if (rc == 0) {
            c->rc = 0;
            if (!is_part(w, dest))
                snprintf(c->why, sizeof(c->why), "the file is not the part");
            else if (stat(partial, &sb) == 0)
                snprintf(c->why, sizeof(c->why), "the partial file is still there");
            return;
        }
        if (!note(c, rc, plex_server_last_error(p)) || tries == RETRIES)
            break;
    }
    /* a failed download leaves no file, and its partial file (if any) is a
     * prefix of the part: never the server's wrong bytes, never more; kept
     * (as long as before the fault, to resume) or lost */
    matrix_append(c->trail, sizeof(c->trail),
                  stat(partial, &sb) == 0 && sb.st_size >= part.size / 3 ? "kept" : "lost");
    if (stat(dest, &sb) == 0 || !is_prefix(w, partial) || ca.most > part.size)
        snprintf(c->why, sizeof(c->why), "a failed download left %s (%lld bytes at most)",
                 stat(dest, &sb) == 0 ? "the file" : "a partial file that is not the part's",
                 (long long)ca.most);
}

static void timeline(cell *c, plex_server *p)
{
    plex_playback *pb = NULL;
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    int64_t now = 0, pos = 60000;
    int rc;

    o.rating_key = "1";
    o.duration_ms = 7200000;
    if ((rc = plex_playback_new(&pb, p, &o)) != 0) {
        note(c, rc, plex_server_last_error(p));
        return;
    }
    for (int tries = 0;; tries++) {
        rc = plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, pos, now);
        c->calls += rc != 0;
        if (rc == 1) {
            const plex_container *r = plex_playback_reply(pb);
            c->rc = 0;
            if (!r) /* a 2xx without a body is taken as the server's acknowledgement */
                matrix_append(c->trail, sizeof(c->trail), "empty");
            else if (r->view_offset != pos)
                snprintf(c->why, sizeof(c->why), "the answer has not the position");
            break;
        }
        /* the next tick sends again after any failure (the library's rule) */
        if (rc == 0 || tries == RETRIES) {
            c->rc = rc == 0 ? PLEX_ERROR : rc;
            if (rc == 0)
                snprintf(c->why, sizeof(c->why), "a tick after a failure sent nothing");
            break;
        }
        note(c, rc, plex_playback_last_error(pb));
        now += 1000;
        pos += 1000;
    }
    if (c->rc == 0) {
        rc = plex_playback_stop(pb, pos, now + 1000);
        c->calls += rc != 0;
        if (rc != 1)
            snprintf(c->why, sizeof(c->why), "the stop was not sent: %s", flow_errname(rc));
    }
    plex_playback_free(pb);
}

/* What the event stream's callback saw. */
typedef struct watch {
    cell *c;
    int connected;  /* a CONNECTED since the last trigger */
    int open;       /* the current attempt got its stream */
    int played;     /* the triggered `playing` notification arrived */
    int undecoded;  /* notifications given raw (their data did not decode) */
    long attempts;  /* connection attempts the library made */
    int64_t expect; /* the position of the last trigger */
} watch;

static int on_event(const plex_event *ev, void *payload)
{
    watch *wt = payload;

    switch (ev->type) {
    case PLEX_EVENT_CONNECTED:
        wt->connected = wt->open = 1;
        wt->attempts++;
        break;
    case PLEX_EVENT_DISCONNECTED:
        if (!wt->open)
            wt->attempts++; /* an attempt that got no stream */
        wt->open = 0;
        note(wt->c, ev->error, NULL);
        break;
    case PLEX_EVENT_PLAYING:
        if (ev->notification && ev->notification->playing_count > 0 &&
            ev->notification->playing[0]->view_offset == wt->expect)
            wt->played = 1;
        /* fall through */
    default:
        if (ev->error) /* given raw: its data did not decode */
            wt->undecoded++;
        break;
    }
    return wt->played; /* done: close the subscription */
}

/* A subscription to the event stream with the fault on it: after each
 * (re)connection the test plays something (a timeline on the server's other
 * connection), whose `playing` notification must come through. The library
 * reconnects by itself (every retry in this column is its own); 401, 403 and
 * 404 end the subscription. */
static void events(cell *c, plex_server *p)
{
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_playback_options po = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_events *e = NULL;
    plex_playback *pb = NULL;
    watch wt;
    long deadline = matrix_now_ms() + 20000;
    int rc;

    memset(&wt, 0, sizeof(wt));
    wt.c = c;
    o.on_event = on_event;
    o.payload = &wt;
    o.filters = "playing";
    o.ping_interval_ms = CLIENT_PING_MS;
    o.backoff_min_ms = 100;
    o.backoff_max_ms = 400;
    o.max_line = 65536; /* an endless line is an error at 64 KiB */
    po.rating_key = "2";
    po.duration_ms = 7200000;
    if ((rc = plex_events_new(&e, p, &o)) != 0 || (rc = plex_playback_new(&pb, p, &po)) != 0) {
        note(c, rc, plex_server_last_error(p));
        plex_events_free(e);
        return;
    }
    for (;;) {
        plex_wait_info w;
        rc = plex_events_step(e, &w);
        if (rc != PLEX_EPENDING || matrix_now_ms() > deadline)
            break;          /* closed (the notification came), ended, or too long */
        if (wt.connected) { /* play: the stream must tell */
            wt.connected = 0;
            wt.expect += 60000; /* a minute on: the periodic timeline is due */
            if (plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, wt.expect, wt.expect) != 1)
                snprintf(c->why, sizeof(c->why), "the trigger's timeline was not sent");
        }
        flow_poll(&w, 100);
    }
    if (rc < 0 && rc != PLEX_EPENDING) { /* the subscription ended (401, 403, 404) */
        if (!wt.open)
            wt.attempts++;
        note(c, rc, plex_events_last_error(e));
    } else if (wt.played) {
        c->rc = 0;
        if (wt.undecoded)
            matrix_append(c->trail, sizeof(c->trail), "raw");
    } else {
        snprintf(c->why, sizeof(c->why), "no `playing` notification in 20 s");
        c->rc = PLEX_ETIMEOUT;
    }
    c->calls = wt.attempts;
    plex_playback_free(pb);
    plex_events_free(e);
}

/* ---- a cell ---- */

static void run_cell(size_t ri, size_t col, const sim *s, const char *cafile, void *state,
                     matrix_cell *out)
{
    worker *w = state;
    plex_client_options o;
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    plex_client *cl = NULL;
    plex_server *p = NULL;
    plex_error err;
    char url[256];
    const char *route = routes[col], *token = rows[ri].token;
    long t0 = matrix_now_ms(), extra;
    cell c;

    memset(&c, 0, sizeof(c));
    c.rc = PLEX_ERROR;
    if (sim_control(s, "POST", "/__sim/reset", NULL, cafile) != 200) {
        matrix_setup_failed(out, "SETUP", "plexsim refused the reset");
        return;
    }
    flow_client_options(&o, s->url, cafile, REQUEST_TIMEOUT_MS);
    if (plex_client_new(&cl, &o, &err) != 0) {
        matrix_setup_failed(out, "SETUP", err.message);
        return;
    }
    base_url(url, sizeof(url), s, cafile != NULL);
    so.token = TOKEN;
    so.max_response_size = MAX_RESPONSE;
    if (plex_server_new(&p, cl, url, &so) != 0) {
        matrix_setup_failed(out, "SETUP", plex_client_last_error(cl)->message);
        plex_client_free(cl);
        return;
    }
    if (col == C_EVENTS && sim_control(s, "POST", SIM_PING, NULL, cafile) != 200) {
        matrix_setup_failed(out, "SETUP", "plexsim refused the ping interval");
        plex_server_free(p);
        plex_client_free(cl);
        return;
    }
    c.hits0 = sim_stat(s, route, cafile);
    if (col != C_LIST2 && col != C_DOWNLOAD && matrix_arm(s, cafile, route, token) != 0) {
        matrix_setup_failed(out, "SETUP", "plexsim refused the fault");
        plex_server_free(p);
        plex_client_free(cl);
        return;
    }
    switch (col) {
    case C_LIST1:
        walk(&c, p, s, cafile, route, token, 0);
        break;
    case C_LIST2:
        walk(&c, p, s, cafile, route, token, PAGE);
        break;
    case C_META:
        meta(&c, p);
        break;
    case C_SEARCH:
        search(&c, p);
        break;
    case C_DOWNLOAD:
        download(&c, p, w, s, cafile, route, token); /* arms the fault itself */
        break;
    case C_TIMELINE:
        timeline(&c, p);
        break;
    default:
        events(&c, p);
        break;
    }
    if (c.setup_failed) {
        matrix_setup_failed(out, "SETUP", c.why);
        plex_server_free(p);
        plex_client_free(cl);
        return;
    }
    if (c.rc == 0 || c.why[0])
        matrix_append(c.trail, sizeof(c.trail), c.why[0] ? "WRONG" : "ok");
    /* requests plexsim saw on the route beyond the calls made */
    extra = sim_stat(s, route, cafile) - c.hits0 - c.calls;
    if (extra != 0) {
        char n[24];
        snprintf(n, sizeof(n), "%+ld", extra);
        snprintf(c.trail + strlen(c.trail), sizeof(c.trail) - strlen(c.trail), "%s", n);
    }
    snprintf(out->outcome, sizeof(out->outcome), "%s", c.trail);
    snprintf(out->detail, sizeof(out->detail), "%.100s%s%.150s", c.why,
             c.why[0] && c.msg[0] ? "; " : "", c.msg);
    out->fault_missed = sim_stat(s, "faults_pending", cafile) != 0;
    out->ms = matrix_now_ms() - t0;
    plex_server_free(p);
    plex_client_free(cl);
    out->done = 1;
}

static const char *row_name(size_t r)
{
    return rows[r].token;
}

static const char *col_name(size_t col)
{
    return col_names[col];
}

static const char *expect(size_t r, size_t col)
{
    return rows[r].expect[col];
}

int main(int argc, char **argv)
{
    static const matrix_spec m = {
        "test_fault_matrix_pms",
        "media-server fault matrix: the outcome of each operation with the fault armed once on "
        "its route\n(X>ok: retried after X, then ok; +N: N requests more on the route than calls "
        "made;\na mismatch shows as GOT!=EXPECTED and fails)\n",
        NROWS,
        NCOLS,
        row_name,
        col_name,
        expect,
        60000, /* a cell taking longer is killed: HANG */
        worker_begin,
        run_cell,
        worker_end};

    signal(SIGPIPE, SIG_IGN);
    return matrix_main(&m, argc, argv);
}

/*
 * Allocation-failure injection over the media-server client (issue 19),
 * against plexsim's emulated server (20 movies): for each operation,
 *   listing   a walk of section 1, 5 items a page (5 pages);
 *   metadata  plex_metadata_get of one movie (its Media, Parts, Streams, tags);
 *   download  plex_part_download of a photo's part (2-3 MB) to a file;
 *   events    a subscription to the event stream until a preference change
 *             comes through (the test changes one after each connection);
 * every allocation fails in turn: libplex's (plex__alloc_fail_at) for every
 * N, libcurl's (curl_global_init_mem hooks, allocfail.h) for every N (or
 * every STRIDE-th), each sweep going on until an N the operation no longer reaches.
 *
 * Every run must end cleanly: success with the right result (a failure the
 * library absorbs), or a clean error: PLEX_ENOMEM for libplex's allocations
 * (libcurl's may also end a transfer as PLEX_ERROR, PLEX_ETRANSPORT or
 * PLEX_EDNS, as test_alloc_signin explains), with the error recorded (its
 * code, a message) and nothing half-made handed out (*out NULL, no file
 * under the destination's name, a partial file that is a prefix of the
 * part). Then the same server must work again: the operation is run twice
 * more without injection and must succeed in full (a download resumes what
 * the failed one left). Leaks are counted, not guessed: after those runs, the
 * bytes libplex holds (plex__alloc_track) and libcurl's live allocations
 * must be what they were after two clean runs, and once the server is freed,
 * what they were before it was made. Crashes and the rest are for
 * ASan (make check-asan).
 *
 * usage: test_alloc_pms [STRIDE]   (PLEXSIM names the emulator binary)
 *   STRIDE (default 1; also $ALLOC_PMS_STRIDE) for the libcurl sweeps;
 *   ALLOC_PMS_VERBOSE=1 prints the outcome of every N.
 */
#include <sys/stat.h>

#include <plex/plex.h>

#include "allocfail.h"
#include "flow.h"
#include "sim.h"
#include "test.h"

#define TOKEN "plexsim-user-token-0001"
#define MOVIES 20
#define PAGE 5
#define MAX_N 200000 /* a sweep that passes this is broken */

static sim S;
static plex_client *C;
static char dir[64];
static char part_key[256];
static int64_t part_size;
static unsigned char *ref; /* the part's bytes */
static size_t ref_len;
static int verbose;

/* One operation on a server: 0 and a checked result, or an error code (its
 * details in *e). `armed` says an allocation may fail during the call. */
typedef int (*op_fn)(plex_server *p, const plex_error **e, char *why, size_t whysize);

/* ---- the operations ---- */

static int op_listing(plex_server *p, const plex_error **e, char *why, size_t whysize)
{
    plex_listing_options o = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    const plex_metadata *m;
    char seen[MOVIES + 1];
    size_t got = 0;
    int rc;

    memset(seen, 0, sizeof(seen));
    o.page_size = PAGE;
    if ((rc = plex_section_items(&l, p, "1", NULL, &o)) != 0) {
        if (l)
            snprintf(why, whysize, "a failed plex_section_items set the listing");
        *e = plex_server_last_error(p);
        return rc;
    }
    while ((rc = plex_listing_next(l, &m)) == 1) {
        long k = m->rating_key ? strtol(m->rating_key, NULL, 10) : 0;
        if (k < 1 || k > MOVIES || seen[k])
            snprintf(why, whysize, "item %s out of place", m->rating_key ? m->rating_key : "?");
        else
            seen[k] = 1;
        got++;
    }
    if (rc == 0 && (got != MOVIES || plex_listing_requests(l) < MOVIES / PAGE))
        snprintf(why, whysize, "%zu items in %zu requests", got, plex_listing_requests(l));
    if (rc != 0 && plex_listing_next(l, &m) != rc)
        snprintf(why, whysize, "a failed listing did not stay failed");
    /* the listing's last error lives in the listing: copy what is checked */
    if (rc != 0) {
        static plex_error copy;
        copy = *plex_listing_last_error(l);
        *e = &copy;
    }
    plex_listing_free(l);
    return rc;
}

static int op_metadata(plex_server *p, const plex_error **e, char *why, size_t whysize)
{
    plex_container *mc = NULL;
    const plex_metadata *m;
    int rc = plex_metadata_get(&mc, p, "1", NULL);

    *e = plex_server_last_error(p);
    if (rc != 0) {
        if (mc)
            snprintf(why, whysize, "a failed plex_metadata_get set the container");
        plex_container_free(mc);
        return rc;
    }
    m = plex_container_items_at(mc, 0);
    if (mc->items_count != 1 || !m->rating_key || strcmp(m->rating_key, "1") != 0 || !m->title ||
        m->media_count < 1 || m->media[0]->parts_count < 1 ||
        m->media[0]->parts[0]->streams_count < 1 || m->genres_count < 1)
        snprintf(why, whysize, "not movie 1 with its media, streams and tags");
    plex_container_free(mc);
    return 0;
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* 1 if path holds the first n bytes of the part. */
static int is_prefix(const char *path, size_t n)
{
    size_t len = 0;
    char *data = test_read_file(path, &len);
    int ok = data && len == n && n <= ref_len && memcmp(data, ref, n) == 0;
    free(data);
    return ok;
}

static int op_download(plex_server *p, const plex_error **e, char *why, size_t whysize)
{
    plex_part part;
    char dest[128], partial[160];
    int rc;

    memset(&part, 0, sizeof(part));
    part.key = part_key;
    part.size = part_size;
    part.present[0] = 1u << PLEX_PART_SIZE;
    snprintf(dest, sizeof(dest), "%s/part", dir);
    snprintf(partial, sizeof(partial), "%s%s", dest, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    rc = plex_part_download(NULL, p, &part, dest, NULL);
    *e = plex_server_last_error(p);
    if (rc != 0) {
        long have = file_size(partial);
        if (file_size(dest) >= 0)
            snprintf(why, whysize, "a failed download left the file");
        else if (have > 0 && !is_prefix(partial, (size_t)have))
            snprintf(why, whysize, "the partial file is not a prefix of the part");
        return rc;
    }
    if (!is_prefix(dest, ref_len))
        snprintf(why, whysize, "the file is not the part");
    else if (file_size(partial) >= 0)
        snprintf(why, whysize, "the partial file is still there");
    unlink(dest);
    return 0;
}

/* What a subscription saw. */
typedef struct seen {
    int connected; /* a CONNECTED not yet answered by a trigger */
    int got;       /* the preference the trigger changed came through */
    char want[32]; /* its value */
} seen;

static int on_event(const plex_event *ev, void *payload)
{
    seen *sn = payload;
    const plex_setting *st;

    if (ev->type == PLEX_EVENT_CONNECTED)
        sn->connected = 1;
    if (ev->type == PLEX_EVENT_PREFERENCE && ev->notification &&
        (st = plex_notification_settings_at(ev->notification, 0)) != NULL && st->value.text &&
        strcmp(st->value.text, sn->want) == 0)
        sn->got = 1;
    return sn->got;
}

/* A subscription to the event stream, until a preference change the test
 * makes (after each connection: one made while the stream was down is not
 * replayed) comes through. The stream reconnects by itself after a transport
 * error (a failure it absorbs); PLEX_ENOMEM ends it. The change itself is
 * left out of the injection (alloc_pause): under libcurl 7.88's out of
 * memory, a request can go out without its query string (lib/url.c ignores
 * curl_url_get()'s failure for the query), and the server then changes
 * nothing while the call succeeds. */
static int op_events(plex_server *p, const plex_error **e, char *why, size_t whysize)
{
    static unsigned long serial;
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_events *ev = NULL;
    seen sn;
    long deadline = alloc_now_ms() + 10000;
    int rc;

    memset(&sn, 0, sizeof(sn));
    o.on_event = on_event;
    o.payload = &sn;
    o.filters = "preference";
    o.backoff_min_ms = 10;
    o.backoff_max_ms = 50;
    if ((rc = plex_events_new(&ev, p, &o)) != 0) {
        if (ev)
            snprintf(why, whysize, "a failed plex_events_new set the subscription");
        *e = plex_server_last_error(p);
        return rc;
    }
    for (;;) {
        plex_wait_info w;
        rc = plex_events_step(ev, &w);
        if (rc != PLEX_EPENDING)
            break;
        if (alloc_now_ms() > deadline) {
            snprintf(why, whysize, "no preference notification in 10 s");
            break;
        }
        if (sn.connected) { /* the change: not part of the operation under test */
            sn.connected = 0;
            snprintf(sn.want, sizeof(sn.want), "alloc-%lu", ++serial);
            alloc_pause();
            rc = plex_pref_set(p, "FriendlyName", sn.want);
            alloc_resume();
            if (rc != 0) {
                snprintf(why, whysize, "the preference change failed: %s", flow_errname(rc));
                break;
            }
        }
        flow_poll(&w, 50);
    }
    if (rc == PLEX_EPENDING) {
        rc = 0;
    } else if (rc < 0 && !*e) {
        static plex_error copy;
        copy = *plex_events_last_error(ev);
        *e = &copy;
    } else if (rc == 0 && !sn.got) {
        snprintf(why, whysize, "the subscription closed without the notification");
    }
    plex_events_free(ev);
    return rc;
}

/* Before each armed run: no file, no partial file. */
static void download_reset(void)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/part", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/part%s", dir, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    unlink(path);
}

typedef struct op {
    const char *name;
    op_fn run;
    void (*reset)(void); /* before each armed run, or NULL */
} op;

static const op ops[] = {
    {"listing", op_listing, NULL},
    {"metadata", op_metadata, NULL},
    {"download", op_download, download_reset},
    {"events", op_events, NULL},
};

/* ---- a sweep ---- */

static plex_server *new_server(void)
{
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    plex_server *p = NULL;

    so.token = TOKEN;
    REQUIRE(plex_server_new(&p, C, S.pms_url, &so) == 0);
    return p;
}

/* Is rc an acceptable failure of an armed run, for this sweep? */
static int clean_error(int sweep, int rc)
{
    if (rc == PLEX_ENOMEM)
        return 1;
    return sweep == SWEEP_CURL && (rc == PLEX_ERROR || rc == PLEX_ETRANSPORT || rc == PLEX_EDNS);
}

/* A clean run: 0 when it succeeded in full (reasons printed otherwise). */
static int clean_run(const op *o, plex_server *p, const char *when)
{
    const plex_error *e = NULL;
    char why[200] = "";
    int rc = o->run(p, &e, why, sizeof(why));

    if (rc != 0 || why[0]) {
        fprintf(stderr, "%s: %s: %s %s\n", o->name, when, flow_errname(rc),
                why[0] ? why
                : e    ? e->message
                       : "");
        return -1;
    }
    return 0;
}

static void sweep(const op *o, int which, unsigned long stride)
{
    const char *lib = which == SWEEP_PLEX ? "libplex" : "libcurl";
    size_t plex_before = plex__alloc_live_bytes(), plex_live0, nt = 0;
    long curl_before = alloc_curl_live, curl_live0, t0 = alloc_now_ms();
    plex_server *p = new_server();
    unsigned long total = 0, n, got, tested = 0;
    alloc_tally t[32];

    /* two clean runs: the first makes the server's connection; the second
     * gives the count and what a clean run leaves held */
    for (int i = 0; i < 2; i++) {
        if (o->reset)
            o->reset();
        alloc_arm(which, 0);
        REQUIRE(clean_run(o, p, "a clean run") == 0);
        got = alloc_disarm(which);
        if (got > total)
            total = got;
    }
    plex_live0 = plex__alloc_live_bytes();
    curl_live0 = alloc_curl_live;

    for (n = 1; n <= MAX_N; n += stride) {
        const plex_error *e = NULL;
        char why[200] = "", what[64];
        int rc, bad = 0;

        if (o->reset)
            o->reset();
        alloc_arm(which, n);
        rc = o->run(p, &e, why, sizeof(why));
        got = alloc_disarm(which);
        tested++;
        if (rc == 0 && got < n)
            break; /* not reached: the sweep is over */
        if (why[0]) {
            fprintf(stderr, "%s/%s N=%lu: %s (%s)\n", o->name, lib, n, why, flow_errname(rc));
            bad = 1;
        }
        if (rc != 0) {
            if (!clean_error(which, rc)) {
                fprintf(stderr, "%s/%s N=%lu: %s (%s)\n", o->name, lib, n, flow_errname(rc),
                        e ? e->message : "");
                bad = 1;
            }
            if (!e || e->code != rc || !e->message[0]) {
                fprintf(stderr, "%s/%s N=%lu: %s without its error recorded (code %d)\n", o->name,
                        lib, n, flow_errname(rc), e ? e->code : 0);
                bad = 1;
            }
        }
        /* the same server works again, and holds what it held: after a
         * second run, as a run on a new connection (the failed one closed
         * it) ends with a little more held than one on a reused connection */
        if (clean_run(o, p, "the run after") != 0 || clean_run(o, p, "the second run after") != 0)
            bad = 1;
        if (plex__alloc_live_bytes() != plex_live0 || alloc_curl_live != curl_live0) {
            fprintf(stderr,
                    "%s/%s N=%lu: %+ld bytes of libplex, %+ld allocations of libcurl held\n",
                    o->name, lib, n, (long)plex__alloc_live_bytes() - (long)plex_live0,
                    alloc_curl_live - curl_live0);
            bad = 1;
        }
        test_checks++;
        if (bad)
            test_failures++;
        snprintf(what, sizeof(what), "%s%s", rc == 0 ? "absorbed (ok)" : flow_errname(rc),
                 bad ? " NOT CLEAN" : "");
        alloc_tally_add(t, sizeof(t) / sizeof(t[0]), &nt, what);
        if (verbose)
            printf("  %s/%s N=%lu: %s\n", o->name, lib, n, what);
    }
    CHECK(n <= MAX_N);
    printf("%s/%s: a clean run makes %lu allocations; N = 1..%lu (stride %lu), %lu runs, "
           "%.1f s:\n",
           o->name, lib, total, n, stride, tested, (double)(alloc_now_ms() - t0) / 1000.0);
    for (size_t i = 0; i < nt; i++)
        printf("  %6lu  %s\n", t[i].count, t[i].what);
    fflush(stdout);
    plex_server_free(p);
    /* and once the server is gone, nothing of it is */
    CHECK_INT(plex__alloc_live_bytes(), plex_before);
    CHECK_INT(alloc_curl_live, curl_before);
}

/* The photo part downloads are made of, and its bytes. */
static void find_part(void)
{
    plex_server *p = new_server();
    plex_listing *l = NULL;
    plex_query *q = NULL;
    plex_container *mc = NULL;
    const plex_metadata *m;
    const plex_part *part;

    REQUIRE(plex_query_new(&q) == 0 && plex_query_add(q, "type", "13") == 0);
    REQUIRE(plex_section_items(&l, p, "4", q, NULL) == 0 && plex_listing_next(l, &m) == 1);
    REQUIRE(plex_metadata_get(&mc, p, m->rating_key, NULL) == 0);
    part = plex_media_parts_at(plex_metadata_media_at(plex_container_items_at(mc, 0), 0), 0);
    REQUIRE(part && part->key && part->size > 65536 && strlen(part->key) < sizeof(part_key));
    snprintf(part_key, sizeof(part_key), "%s", part->key);
    part_size = part->size;
    REQUIRE(plex_image_get(&ref, &ref_len, NULL, p, part->key, 0, 0) == 0);
    REQUIRE((int64_t)ref_len == part_size);
    plex_container_free(mc);
    plex_listing_free(l);
    plex_query_free(q);
    plex_server_free(p);
}

int main(int argc, char **argv)
{
    const char *env = getenv("ALLOC_PMS_STRIDE");
    unsigned long stride = 1;

    if (argc > 1)
        stride = strtoul(argv[1], NULL, 10);
    else if (env && *env)
        stride = strtoul(env, NULL, 10);
    if (stride < 1)
        stride = 1;
    verbose = getenv("ALLOC_PMS_VERBOSE") != NULL;
    plex__alloc_track(1);
    alloc_curl_hooks();
    REQUIRE(plex_global_init() == 0);
    sim_start_pms(&S, "--library-size", "20", "--max-seconds", "1800", (const char *)NULL);
    C = flow_client(S.url, "test-alloc-pms");
    snprintf(dir, sizeof(dir), "/tmp/plex-alloc-pms-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
    find_part();

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        sweep(&ops[i], SWEEP_PLEX, 1);
        sweep(&ops[i], SWEEP_CURL, stride);
    }

    download_reset();
    rmdir(dir);
    plex_free(ref);
    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    curl_global_cleanup();
    return test_summary("test_alloc_pms");
}

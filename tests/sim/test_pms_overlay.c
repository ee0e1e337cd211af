/*
 * The media server's state overlay (src/sim/pms/pms.h) seen through its
 * request handling, without libmicrohttpd: sim_pms_handle() is fed
 * sim_requests, the way the later route groups' handlers and the fuzzer
 * drive it. Every change made with the overlay API (watched, progress,
 * ratings, edits and locks, tags, collections, refreshes) must show in every
 * later answer: lists, full items, filters, on deck, hubs, in XML and JSON.
 * With a fixed clock the answers are the same bytes every time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pms/pms.h"
#include "sim.h"

static int failures, checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

/* A request: path and query "a=b&c=d" (not decoded: tests pass plain text). */
typedef struct fake {
    const char *accept;
    const char *token;
    char query[512];
} fake;

static const char *lookup(void *ctx, int kind, const char *name)
{
    fake *f = ctx;
    static char value[256];
    size_t n = strlen(name);

    if (kind == SIM_HEADER) {
        if (strcasecmp(name, "Accept") == 0)
            return f->accept;
        if (strcmp(name, "X-Plex-Token") == 0)
            return f->token;
        return NULL;
    }
    for (const char *p = f->query; *p;) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
        if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t len = (size_t)(end - p) - n - 1;
            if (len >= sizeof(value))
                return NULL;
            memcpy(value, p + n + 1, len);
            value[len] = '\0';
            return value;
        }
        p = amp ? amp + 1 : end;
    }
    return NULL;
}

static void each(void *ctx, sim_arg_cb cb, void *user)
{
    fake *f = ctx;
    char buf[512], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", f->query);
    for (char *kv = strtok_r(buf, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        if (cb(user, kv, eq ? eq + 1 : NULL))
            return;
    }
}

static sim_state st;

/* GET path?query; the body (NUL-terminated, malloc'd) and the status. */
static char *get(int json, int *status, const char *fmt, ...) PLEX__PRINTF(3, 4);

static char *get(int json, int *status, const char *fmt, ...)
{
    char target[600], path[512];
    fake f;
    sim_request rq;
    sim_response rs;
    va_list ap;
    char *q, *body;

    va_start(ap, fmt);
    vsnprintf(target, sizeof(target), fmt, ap);
    va_end(ap);
    memset(&f, 0, sizeof(f));
    f.accept = json ? "application/json" : NULL;
    f.token = SIM_USER_TOKEN;
    q = strchr(target, '?');
    snprintf(path, sizeof(path), "%.*s", q ? (int)(q - target) : (int)strlen(target), target);
    if (q)
        snprintf(f.query, sizeof(f.query), "%s", q + 1);
    memset(&rq, 0, sizeof(rq));
    rq.method = "GET";
    rq.path = path;
    rq.route = sim_pms_route_match("GET", path);
    rq.lookup = lookup;
    rq.each = each;
    rq.ctx = &f;
    sim_pms_handle(&st, &rq, &rs);
    *status = rs.status;
    if (rs.stream.read) { /* a streamed listing: read it all */
        size_t cap = 1 << 16, len = 0;
        long n;
        body = malloc(cap);
        while (body && (n = rs.stream.read(rs.stream.cls, len, body + len, cap - len - 1)) > 0) {
            len += (size_t)n;
            if (cap - len < 4096) {
                char *more = realloc(body, cap * 2);
                if (!more) {
                    free(body);
                    body = NULL;
                    break;
                }
                body = more;
                cap *= 2;
            }
        }
        if (body)
            body[len] = '\0';
    } else {
        body = malloc(rs.body_len + 1);
        if (body) {
            memcpy(body, rs.body ? rs.body : "", rs.body_len);
            body[rs.body_len] = '\0';
        }
    }
    sim_response_dispose(&rs);
    return body;
}

/* 1 if the answer to the request (a path formatted as printf does) contains needle. */
static int has(int json, const char *needle, const char *fmt, ...) PLEX__PRINTF(3, 4);

static int has(int json, const char *needle, const char *fmt, ...)
{
    char target[600];
    int status, found;
    char *body;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(target, sizeof(target), fmt, ap);
    va_end(ap);
    body = get(json, &status, "%s", target);
    found = body && status == 200 && strstr(body, needle) != NULL;
    if (!found && getenv("OVERLAY_TRACE"))
        fprintf(stderr, "%d %s: %.300s\n", status, target, body ? body : "(null)");
    free(body);
    return found;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_watch_state(pms_state *p)
{
    int status;
    char *b;
    pms_kind k;
    long first, n;

    pms_set_clock(p, 1770000000);
    /* a movie: watched, then in progress, then unwatched */
    CHECK(pms_mark_watched(p, 3) == 0);
    CHECK(has(0, "viewCount=\"1\"", "/library/metadata/%s", "3"));
    CHECK(has(1, "\"viewCount\":1", "/library/metadata/%s", "3"));
    CHECK(has(0, "lastViewedAt=\"1770000000\"", "/library/sections/1/all?%s", "id=3"));
    CHECK(has(0, "ratingKey=\"3\"", "/library/sections/1/all?%s", "unwatched=0"));
    CHECK(!has(0, "ratingKey=\"3\"", "/library/sections/1/all?%s", "unwatched=1"));
    CHECK(pms_mark_watched(p, 3) == 0);
    CHECK(has(0, "viewCount=\"2\"", "/library/metadata/%s", "3"));
    CHECK(pms_set_view_offset(p, 5, 600000) == 0);
    CHECK(has(0, "viewOffset=\"600000\"", "/library/metadata/%s", "5"));
    CHECK(has(0, "ratingKey=\"5\"", "/library/sections/1/all?%s", "inProgress=1"));
    CHECK(has(0, "ratingKey=\"5\"", "%s", "/library/onDeck"));
    CHECK(has(0, "ratingKey=\"5\"", "%s", "/hubs/continueWatching/items"));
    CHECK(has(0, "hubIdentifier=\"home.continue\"", "%s", "/hubs"));
    CHECK(has(0, "ratingKey=\"5\"", "%s", "/hubs?count=3"));
    /* watching to the end clears the offset (PMS.md 4.6) */
    CHECK(pms_mark_watched(p, 5) == 0);
    CHECK(!has(0, "viewOffset=", "/library/metadata/%s", "5"));
    CHECK(pms_mark_unwatched(p, 3) == 0);
    CHECK(!has(0, "viewCount=", "/library/metadata/%s", "3"));
    CHECK(!has(0, "lastViewedAt=", "/library/metadata/%s", "3"));
    CHECK(pms_set_view_offset(p, 51, 1000) != 0); /* a show is no leaf */
    CHECK(pms_mark_watched(p, 999999999) != 0);

    /* a show: its first season watched shows in the counts and on deck */
    CHECK(pms_children(p, 51, &k, &first, &n) == 0 && k == PMS_K_SEASON);
    CHECK(pms_mark_watched(p, pms_key_of(p, k, first)) == 0);
    b = get(0, &status, "/library/metadata/51");
    CHECK(b && strstr(b, "viewedLeafCount=\"") && !strstr(b, "viewedLeafCount=\"0\""));
    free(b);
    b = get(0, &status, "/library/onDeck");
    CHECK(b && count(b, "type=\"episode\"") == 1);
    free(b);
    CHECK(has(0, "ratingKey=\"51\"", "/library/sections/2/all?%s", "inProgress=1"));
    CHECK(pms_mark_watched(p, 51) == 0); /* every episode */
    CHECK(has(0, "ratingKey=\"51\"", "/library/sections/2/all?%s", "unwatched=0"));
    b = get(0, &status, "/library/metadata/51/children");
    CHECK(b && strstr(b, "title=\"All episodes\""));
    free(b);
}

static void test_ratings_and_edits(pms_state *p)
{
    CHECK(pms_set_rating(p, 7, 8.5) == 0);
    CHECK(has(0, "userRating=\"8.5\"", "/library/metadata/%s", "7"));
    CHECK(has(1, "\"userRating\":8.5", "/library/sections/1/all?%s", "id=7"));
    CHECK(has(0, "ratingKey=\"7\"", "/library/sections/1/all?%s", "userRating>=8"));
    CHECK(pms_set_rating(p, 7, -1) == 0);
    CHECK(!has(0, "userRating=", "/library/metadata/%s", "7"));
    CHECK(pms_set_rating(p, 7, 11) != 0);

    CHECK(pms_edit_field(p, 8, PMS_F_TITLE, "Zzyzx Road", 1) == 0);
    CHECK(pms_edit_field(p, 8, PMS_F_YEAR, "1901", -1) == 0);
    CHECK(has(0, "title=\"Zzyzx Road\"", "/library/metadata/%s", "8"));
    CHECK(has(0, "<Field name=\"title\" locked=\"1\"/>", "/library/metadata/%s", "8"));
    CHECK(has(0, "year=\"1901\"", "/library/sections/1/all?%s", "title=zzyzx"));
    CHECK(has(0, "Zzyzx Road", "/hubs/search?%s", "query=zzyzx"));
    CHECK(has(0, "Zzyzx Road", "/library/sections/1/all?%s", "year<<=1902"));
    CHECK(pms_edit_field(p, 8, PMS_F_TITLE, NULL, 0) == 0); /* unlock, keep the value */
    CHECK(!has(0, "<Field name=\"title\"", "/library/metadata/%s", "8"));
    CHECK(has(0, "title=\"Zzyzx Road\"", "/library/metadata/%s", "8"));

    CHECK(pms_edit_tag(p, 9, PMS_TAG_GENRE, "Noir Western", 1, 1) == 0);
    CHECK(has(0, "<Genre tag=\"Noir Western\"", "/library/metadata/%s", "9"));
    CHECK(has(0, "<Field name=\"genre\" locked=\"1\"/>", "/library/metadata/%s", "9"));
    CHECK(has(0, "ratingKey=\"9\"", "/library/sections/1/all?%s", "genre=Noir Western"));
    CHECK(has(0, "title=\"Noir Western\"", "/library/sections/1/%s", "genre"));
    CHECK(pms_edit_tag(p, 9, PMS_TAG_GENRE, "Noir Western", 0, -1) == 0);
    CHECK(!has(0, "Noir Western", "/library/metadata/%s", "9"));
    CHECK(pms_edit_tag(p, 9, PMS_TAG_LABEL, "4K remaster", 1, -1) == 0);
    CHECK(has(0, "<Label tag=\"4K remaster\"", "/library/metadata/%s", "9"));
}

static void test_collections_and_refreshes(pms_state *p)
{
    pms_collection *c = pms_collection_new(p, PMS_SEC_MOVIES, PMS_T_MOVIE, "Dusk & Dawn", 0);
    char rk[24], id[48];
    pms_refresh log[4];
    int status;
    char *b;

    CHECK(c != NULL);
    if (!c)
        return;
    snprintf(rk, sizeof(rk), "%lld", (long long)c->rating_key);
    CHECK(pms_collection_add(p, c, 10) == 0 && pms_collection_add(p, c, 11) == 0);
    CHECK(pms_collection_add(p, c, 999999999) != 0);
    CHECK(has(0, "title=\"Dusk &amp; Dawn\"", "/library/sections/1/%s", "collections"));
    CHECK(has(0, "childCount=\"2\"", "/library/sections/1/%s", "collections"));
    CHECK(has(0, "<Collection tag=\"Dusk &amp; Dawn\"", "/library/metadata/%s", "10"));
    CHECK(has(0, "type=\"collection\"", "/library/metadata/%s", rk));
    CHECK(has(0, "Dusk &amp; Dawn", "/hubs/search?%s", "query=dawn"));
    snprintf(id, sizeof(id), "collection=%lld", (long long)(6000000 + c->rating_key));
    CHECK(has(0, "ratingKey=\"11\"", "/library/sections/1/all?%s", id));
    b = get(0, &status, "/library/sections/1/all?%s", id);
    CHECK(b && count(b, "<Video ") == 2);
    free(b);
    CHECK(pms_collection_remove(p, c, 10) == 0 && pms_collection_remove(p, c, 10) != 0);
    CHECK(!has(0, "<Collection", "/library/metadata/%s", "10"));
    {
        int64_t key = c->rating_key;
        pms_collection_delete(p, key);
        CHECK(pms_collection_find(p, key) == NULL);
        CHECK(pms_new_rating_key(p) > key);
    }
    CHECK(has(0, "size=\"0\"", "/library/sections/1/%s", "collections"));

    CHECK(pms_note_refresh(p, PMS_SEC_TV, 0) == 0 && pms_note_refresh(p, PMS_SEC_MOVIES, 12) == 0);
    CHECK(pms_refreshes(p, 0, log, 4) == 2 && log[0].section == PMS_SEC_TV &&
          log[1].rating_key == 12 && log[1].seq == 2);
    CHECK(pms_refreshes(p, 1, log, 4) == 1);
    CHECK(pms_section_scanned_at(p, PMS_SEC_TV) == pms_now(p));
    CHECK(has(0, "updatedAt=\"1770000000\"", "/library/metadata/%s", "12"));
    CHECK(has(0, "/library/metadata/12/thumb/1770000000", "/library/metadata/%s", "12"));
}

/* Same state, same clock: the same bytes; reset forgets the state. */
static void test_deterministic(pms_state *p)
{
    const char *paths[] = {"/library/sections/1/all", "/library/metadata/51?includeOnDeck=1",
                           "/hubs", "/library/onDeck", "/library/sections/2/all?type=4"};
    int s1, s2;

    (void)p;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        for (int json = 0; json < 2; json++) {
            char *a = get(json, &s1, "%s", paths[i]), *b = get(json, &s2, "%s", paths[i]);
            CHECK(a && b && s1 == 200 && s2 == 200 && strcmp(a, b) == 0);
            free(a);
            free(b);
        }
    pthread_mutex_lock(&st.lock);
    sim_state_reset(&st);
    pthread_mutex_unlock(&st.lock);
    CHECK(!has(0, "viewCount=", "/library/metadata/%s", "5"));
    CHECK(!has(0, "Zzyzx", "/library/metadata/%s", "8"));
}

int main(void)
{
    sim_config cfg;
    pms_state *p;

    memset(&cfg, 0, sizeof(cfg));
    cfg.pin_ttl = 900;
    cfg.strong_pin_ttl = 1800;
    if (sim_state_init(&st, &cfg) != 0 || sim_pms_init(&st, 50, 1) != 0) {
        fprintf(stderr, "test_pms_overlay: init failed\n");
        return 1;
    }
    p = st.pms;
    /* one thread: the overlay API needs no lock here (handlers call it under st->lock,
     * which sim_pms_handle takes itself) */
    test_watch_state(p);
    test_ratings_and_edits(p);
    test_collections_and_refreshes(p);
    test_deterministic(p);
    sim_state_dispose(&st);
    printf("test_pms_overlay: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

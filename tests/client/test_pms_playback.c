/*
 * Playback against plexsim's emulated media server (issue 16): the timeline
 * of a plex_playback driven by a fake clock (what is sent when, counted on
 * the server), the sessions it makes (/status/sessions while playing, gone
 * after `stopped`, after a silence, or an admin's terminate, which the
 * player learns from its next timeline), the watch state the server shows
 * afterwards (viewOffset, viewCount, lastViewedAt, userRating as PMS.md §4.6
 * says; watched past 90 %), the history, and the universal transcoder
 * (decisions for several client profiles, the HLS playlist and a segment,
 * /transcode/sessions while it runs, stop and kill), direct-play URLs.
 */
#include <poll.h>
#include <time.h>

#include "flow.h"

#define TOKEN "plexsim-user-token-0001"

static sim S;
static plex_client *C;
static plex_server *P;

/* ---- helpers ---- */

typedef struct body {
    char *data;
    size_t len;
} body;

static size_t collect(char *d, size_t size, size_t n, void *userp)
{
    body *b = userp;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, d, size * n);
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

/* GET a URL as a player would (with plex_server_headers() unless the URL
 * carries the token), only its first KiB when `head`: the status, the body
 * in b (free b->data). */
static long fetch_range(const char *url, int with_headers, int head, body *b)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char **lines = NULL;
    long status = 0;

    b->data = NULL;
    b->len = 0;
    REQUIRE(h != NULL);
    if (with_headers) {
        REQUIRE(plex_server_headers(&lines, P) == 0);
        for (size_t i = 0; lines[i]; i++)
            hdr = curl_slist_append(hdr, lines[i]);
        plex_free(lines);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    if (head)
        curl_easy_setopt(h, CURLOPT_RANGE, "0-1023");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

static long fetch(const char *url, int with_headers, body *b)
{
    return fetch_range(url, with_headers, 0, b);
}

/* The item's full metadata (free with plex_container_free), or exits. */
static plex_container *item(const char *rk)
{
    plex_container *c = NULL;
    REQUIRE(plex_metadata_get(&c, P, rk, NULL) == 0 && c->items_count == 1);
    return c;
}

/* A movie whose first Media matches: container, video codec, audio codec
 * (NULL: any), ratingKey into rk; its duration returned. */
static int64_t find_movie(char *rk, size_t size, const char *container, const char *video,
                          const char *audio, const char *not_rk)
{
    plex_listing *l = NULL;
    const plex_metadata *m;
    int64_t duration = 0;

    REQUIRE(plex_section_items(&l, P, "1", NULL, NULL) == 0);
    while (!duration && plex_listing_next(l, &m) == 1) {
        plex_container *c = item(m->rating_key);
        const plex_media *md = c->items[0]->media_count ? c->items[0]->media[0] : NULL;
        if (md && (!container || strcmp(md->container, container) == 0) &&
            (!video || strcmp(md->video_codec, video) == 0) &&
            (!audio || strcmp(md->audio_codec, audio) == 0) &&
            (!not_rk || strcmp(m->rating_key, not_rk) != 0)) {
            snprintf(rk, size, "%s", m->rating_key);
            duration = c->items[0]->duration;
        }
        plex_container_free(c);
    }
    plex_listing_free(l);
    REQUIRE(duration > 0);
    return duration;
}

static plex_container *sessions(void)
{
    plex_container *c = NULL;
    REQUIRE(plex_sessions_get(&c, P) == 0);
    return c;
}

static long timelines(void)
{
    return sim_stat(&S, "POST /:/timeline", NULL);
}

/* ---- the timeline ---- */

static void test_cadence(void)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    plex_container *c, *it;
    char rk[32];
    int64_t duration = find_movie(rk, sizeof(rk), NULL, NULL, NULL, NULL);
    long before = timelines();
    const plex_metadata *s;

    o.rating_key = rk;
    o.duration_ms = duration;
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK(strlen(plex_playback_session(pb)) == 24);
    CHECK_INT(plex_playback_due(pb), -1);
    /* the fake clock starts anywhere */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_BUFFERING, 0, 1000000), 1);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 0, 1000500), 1); /* a change */
    CHECK_INT(plex_playback_due(pb), 1010500);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 5000, 1005500), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 9999, 1010499), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 10000, 1010500), 1); /* 10 s */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 15000, 1015500), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 16000, 1016500), 1); /* a change */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 16000, 1026499), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 16000, 1026500), 1); /* kept alive */
    CHECK_INT(plex_playback_sent(pb), 5);
    CHECK_INT(timelines() - before, 5); /* what the server received */
    CHECK(plex_playback_reply(pb) &&
          strcmp(plex_playback_reply(pb)->playback_state, "paused") == 0);
    CHECK_INT(plex_playback_reply(pb)->view_offset, 16000);

    /* the server shows the session, and the item's progress */
    c = sessions();
    CHECK_INT(c->items_count, 1);
    s = plex_container_items_at(c, 0);
    REQUIRE(s != NULL);
    CHECK_STR(s->rating_key, rk);
    CHECK_INT(s->view_offset, 16000);
    CHECK(s->session_key != NULL);
    CHECK(s->player && strcmp(s->player->state, "paused") == 0);
    CHECK(s->player && strcmp(s->player->machine_identifier, "test-pms-playback") == 0);
    CHECK(s->player && strcmp(s->player->product, "libplex tests") == 0);
    CHECK(s->session && s->session->id && strcmp(s->session->location, "lan") == 0);
    CHECK(s->user && strcmp(s->user->title, "plexsim") == 0);
    CHECK(s->transcode_session == NULL);
    plex_container_free(c);
    it = item(rk);
    CHECK_INT(it->items[0]->view_offset, 16000);
    CHECK(!plex_metadata_has(it->items[0], PLEX_METADATA_VIEW_COUNT));
    plex_container_free(it);

    /* stopped: one last timeline, the session goes, the offset stays */
    CHECK_INT(plex_playback_stop(pb, 17000, 1027000), 1);
    CHECK_INT(plex_playback_stop(pb, 17000, 1027001), 0); /* nothing more to stop */
    CHECK_INT(plex_playback_due(pb), -1);
    CHECK_INT(timelines() - before, 6);
    c = sessions();
    CHECK_INT(c->items_count, 0);
    plex_container_free(c);
    it = item(rk);
    CHECK_INT(it->items[0]->view_offset, 17000);
    plex_container_free(it);
    plex_playback_free(pb);

    /* cellular: every 20 s */
    o.cellular = 1;
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 0, 0), 1);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 10000, 10000), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 19999, 19999), 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 20000, 20000), 1);
    c = sessions();
    CHECK(c->items_count == 1 && c->items[0]->session &&
          strcmp(c->items[0]->session->location, "cellular") == 0);
    plex_container_free(c);
    CHECK_INT(plex_playback_stop(pb, 20000, 20001), 1);
    plex_playback_free(pb);
}

/* Step a non-blocking playback with poll(2) until nothing is in flight;
 * returns how many timelines were acknowledged. */
static int step_all(plex_playback *pb)
{
    plex_wait_info wi;
    int acked = 0, rc, rounds = 0;

    while ((rc = plex_playback_step(pb, &wi)) != 0 && rounds++ < 100000) {
        if (rc == 1) {
            acked++;
        } else if (rc == PLEX_EPENDING) {
            struct pollfd p[4];
            for (int i = 0; i < wi.nfds; i++) {
                p[i].fd = wi.fds[i];
                p[i].events = (short)(((wi.events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                                      ((wi.events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
            }
            poll(p, (nfds_t)wi.nfds, (int)wi.timeout_ms);
        } else {
            CHECK_INT(rc, 0); /* an error */
            break;
        }
    }
    return acked;
}

/* A non-blocking playback: ticks start timelines, steps finish them; a tick
 * made while one is in flight waits for its turn (the latest wins). */
static void test_nonblocking(void)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    plex_container *c;
    plex_wait_info wi;
    char rk[32];
    long before = timelines();

    find_movie(rk, sizeof(rk), NULL, NULL, NULL, NULL);
    o.rating_key = rk;
    o.nonblocking = 1;
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_step(pb, &wi), 0); /* nothing in flight */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 1000, 0), PLEX_EPENDING);
    /* while it is in flight: a pause, then a later pause (the latest wins) */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 2000, 100), PLEX_EPENDING);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 3000, 200), PLEX_EPENDING);
    CHECK_INT(step_all(pb), 2);
    CHECK_INT(plex_playback_sent(pb), 2);
    CHECK_INT(timelines() - before, 2);
    c = sessions();
    CHECK(c->items_count == 1 && c->items[0]->view_offset == 3000 && c->items[0]->player &&
          strcmp(c->items[0]->player->state, "paused") == 0);
    plex_container_free(c);
    /* nothing due: nothing starts */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PAUSED, 3000, 5000), 0);
    CHECK_INT(plex_playback_stop(pb, 3000, 6000), PLEX_EPENDING);
    CHECK_INT(step_all(pb), 1);
    c = sessions();
    CHECK_INT(c->items_count, 0);
    plex_container_free(c);
    plex_playback_free(pb);
}

/* Freed with a timeline in flight: nothing leaks (last: the server may have
 * a session of it for a while). */
static void test_free_inflight(void)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    char rk[32];

    find_movie(rk, sizeof(rk), NULL, NULL, NULL, NULL);
    o.rating_key = rk;
    o.nonblocking = 1;
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 0, 0), PLEX_EPENDING);
    plex_playback_free(pb);
}

/* The same through XML: the timeline's answer and the sessions (Player,
 * Session, User: single children) decode into the same models. */
static void test_xml(void)
{
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_server *x = NULL;
    plex_playback *pb = NULL;
    plex_container *c = NULL;
    char rk[32];

    find_movie(rk, sizeof(rk), NULL, NULL, NULL, NULL);
    so.token = TOKEN;
    so.flags = PLEX_SERVER_XML;
    REQUIRE(plex_server_new(&x, C, S.pms_url, &so) == 0);
    o.rating_key = rk;
    REQUIRE(plex_playback_new(&pb, x, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 42000, 0), 1);
    CHECK(plex_playback_reply(pb) && plex_playback_reply(pb)->view_offset == 42000);
    CHECK_STR(plex_playback_reply(pb)->playback_state, "playing");
    CHECK_INT(plex_sessions_get(&c, x), 0);
    REQUIRE(c && c->items_count == 1);
    CHECK_STR(c->items[0]->rating_key, rk);
    CHECK(c->items[0]->player && strcmp(c->items[0]->player->state, "playing") == 0);
    CHECK(c->items[0]->session && c->items[0]->session->id);
    CHECK(c->items[0]->user && c->items[0]->user->id);
    plex_container_free(c);
    CHECK_INT(plex_playback_stop(pb, 43000, 1000), 1);
    CHECK_INT(plex_sessions_get(&c, x), 0);
    CHECK_INT(c->items_count, 0);
    plex_container_free(c);
    plex_playback_free(pb);
    plex_server_free(x);
}

static void test_watched_and_history(void)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    plex_container *it, *h = NULL;
    plex_listing *l = NULL;
    plex_query *q = NULL;
    const plex_metadata *m;
    char rk[32], hid[32] = "";
    int64_t duration = find_movie(rk, sizeof(rk), "mkv", NULL, NULL, NULL);
    int found = 0;

    CHECK_INT(plex_unscrobble(P, rk), 0);
    o.rating_key = rk;
    o.duration_ms = duration;
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, duration / 2, 0), 1);
    it = item(rk);
    CHECK_INT(it->items[0]->view_offset, duration / 2);
    CHECK(!plex_metadata_has(it->items[0], PLEX_METADATA_VIEW_COUNT));
    plex_container_free(it);
    /* past 90 %: watched, viewOffset gone */
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, duration * 95 / 100, 10000), 1);
    it = item(rk);
    CHECK_INT(it->items[0]->view_count, 1);
    CHECK(plex_metadata_has(it->items[0], PLEX_METADATA_LAST_VIEWED_AT));
    CHECK(!plex_metadata_has(it->items[0], PLEX_METADATA_VIEW_OFFSET));
    plex_container_free(it);
    CHECK_INT(plex_playback_stop(pb, duration * 97 / 100, 12000), 1);
    it = item(rk);
    CHECK_INT(it->items[0]->view_count, 1); /* counted once per playback */
    CHECK(!plex_metadata_has(it->items[0], PLEX_METADATA_VIEW_OFFSET));
    plex_container_free(it);
    plex_playback_free(pb);

    /* the history has it, newest first */
    REQUIRE(plex_query_new(&q) == 0 && plex_query_add(q, "sort", "viewedAt:desc") == 0 &&
            plex_query_add(q, "metadataItemID", rk) == 0);
    REQUIRE(plex_history(&l, P, q, NULL) == 0);
    while (plex_listing_next(l, &m) == 1) {
        if (!found) {
            CHECK_STR(m->rating_key, rk);
            CHECK(m->history_key && strncmp(m->history_key, "/status/sessions/history/", 25) == 0);
            CHECK(plex_metadata_has(m, PLEX_METADATA_VIEWED_AT) && m->viewed_at > 0);
            CHECK_INT(m->account_id, 1);
            snprintf(hid, sizeof(hid), "%s", m->history_key + 25);
        }
        found++;
    }
    CHECK_INT(found, 1);
    CHECK_INT(plex_listing_last_error(l)->code, 0);
    plex_listing_free(l);
    plex_query_free(q);
    CHECK_INT(plex_history_entry_get(&h, P, hid), 0);
    CHECK(h && h->items_count == 1 && strcmp(h->items[0]->rating_key, rk) == 0);
    plex_container_free(h);
    CHECK_INT(plex_history_entry_delete(P, hid), 0);
    CHECK_INT(plex_history_entry_get(&h, P, hid), PLEX_ENOTFOUND);
    CHECK_INT(plex_history_entry_delete(P, hid), PLEX_ENOTFOUND);
}

static void test_silence_and_terminate(void)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    plex_container *c;
    char rk[32], url[256], sid[64];
    body b;

    find_movie(rk, sizeof(rk), NULL, NULL, NULL, NULL);
    o.rating_key = rk;
    o.session = "silent-session";
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 1000, 0), 1);
    c = sessions();
    CHECK_INT(c->items_count, 1);
    plex_container_free(c);
    /* 61 s later on the server's clock (X-Plex-Sim-Now) the silent session is gone */
    snprintf(url, sizeof(url), "%s/status/sessions?X-Plex-Sim-Now=%lld&X-Plex-Token=%s", S.pms_url,
             (long long)time(NULL) + 61 + 5, TOKEN);
    CHECK_INT(fetch(url, 0, &b), 200);
    CHECK(b.data && strstr(b.data, "size=\"0\"") != NULL);
    free(b.data);
    c = sessions();
    CHECK_INT(c->items_count, 0);
    plex_container_free(c);
    plex_playback_free(pb);

    /* an admin ends a playback: the player learns it from its next timeline */
    o.session = "ended-session";
    REQUIRE(plex_playback_new(&pb, P, &o) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 1000, 0), 1);
    CHECK(plex_playback_terminated(pb) == NULL);
    c = sessions();
    REQUIRE(c->items_count == 1 && c->items[0]->session && c->items[0]->session->id);
    snprintf(sid, sizeof(sid), "%s", c->items[0]->session->id);
    plex_container_free(c);
    CHECK_INT(plex_session_terminate(P, "no-such-session", NULL), PLEX_ENOTFOUND);
    CHECK_INT(plex_session_terminate(P, sid, "Time for bed"), 0);
    c = sessions();
    CHECK_INT(c->items_count, 0);
    plex_container_free(c);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 11000, 10000), 1);
    CHECK_STR(plex_playback_terminated(pb), "Time for bed");
    CHECK_INT(plex_playback_reply(pb)->termination_code, 2006);
    plex_playback_free(pb);
}

/* ---- watch state (PMS.md §4.6, "Observed state changes") ---- */

static void test_watch_state(void)
{
    plex_container *it;
    char rk[32];
    const plex_metadata *m;

    find_movie(rk, sizeof(rk), "mp4", NULL, NULL, NULL);
    CHECK_INT(plex_unscrobble(P, rk), 0);
    CHECK_INT(plex_progress_set(P, rk, 70000), 0);
    it = item(rk);
    m = it->items[0];
    CHECK_INT(m->view_offset, 70000);
    CHECK(!plex_metadata_has(m, PLEX_METADATA_VIEW_COUNT));
    plex_container_free(it);
    CHECK_INT(plex_scrobble(P, rk), 0);
    it = item(rk);
    m = it->items[0];
    CHECK_INT(m->view_count, 1);
    CHECK(plex_metadata_has(m, PLEX_METADATA_LAST_VIEWED_AT));
    CHECK(!plex_metadata_has(m, PLEX_METADATA_VIEW_OFFSET));
    plex_container_free(it);
    CHECK_INT(plex_scrobble(P, rk), 0);
    it = item(rk);
    CHECK_INT(it->items[0]->view_count, 2);
    plex_container_free(it);
    CHECK_INT(plex_unscrobble(P, rk), 0);
    it = item(rk);
    m = it->items[0];
    CHECK(!plex_metadata_has(m, PLEX_METADATA_VIEW_COUNT));
    CHECK(!plex_metadata_has(m, PLEX_METADATA_VIEW_OFFSET));
    CHECK(!plex_metadata_has(m, PLEX_METADATA_LAST_VIEWED_AT));
    plex_container_free(it);

    CHECK_INT(plex_rate(P, rk, 8), 0);
    it = item(rk);
    CHECK(it->items[0]->user_rating == 8.0);
    CHECK(plex_metadata_has(it->items[0], PLEX_METADATA_LAST_RATED_AT));
    plex_container_free(it);
    CHECK_INT(plex_rate(P, rk, 7.5), 0);
    it = item(rk);
    CHECK(it->items[0]->user_rating == 7.5);
    plex_container_free(it);
    CHECK_INT(plex_rate(P, rk, -1), 0);
    it = item(rk);
    CHECK(!plex_metadata_has(it->items[0], PLEX_METADATA_USER_RATING));
    plex_container_free(it);

    /* unknown items */
    CHECK_INT(plex_scrobble(P, "987654321"), PLEX_ENOTFOUND);
    CHECK_INT(plex_rate(P, "987654321", 5), PLEX_ENOTFOUND);
    CHECK_INT(plex_progress_set(P, "987654321", 5), PLEX_ENOTFOUND);
}

/* ---- the transcoder ---- */

static void test_decisions(void)
{
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_transcode *t = NULL;
    plex_transcode_decision *d = NULL;
    char fits[32], avi[32];
    char *url = NULL;
    body b;

    find_movie(fits, sizeof(fits), "mkv", "h264", "aac", NULL);
    find_movie(avi, sizeof(avi), "avi", NULL, NULL, NULL);

    /* defaults: a file the profile plays as it is */
    REQUIRE(plex_transcode_new(&t, P, fits, NULL) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    REQUIRE(d != NULL);
    CHECK_INT(d->general_code, 1000);
    CHECK_INT(d->direct_play_code, 1000);
    CHECK_INT(d->direct_play, 1);
    CHECK_STR(d->part_decision, "directplay");
    CHECK_STR(d->video_decision, "copy");
    REQUIRE(d->part && d->part->key);
    /* direct play: the part's URL, fetched as a decoder would (token in the URL) */
    CHECK_INT(plex_part_url(&url, P, d->part, PLEX_URL_TOKEN), 0);
    CHECK_INT(fetch_range(url, 0, 1, &b), 206);
    CHECK(b.len == 1024 && memcmp(b.data, "\x1a\x45\xdf\xa3", 4) == 0); /* Matroska */
    free(b.data);
    plex_free(url);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* direct play disabled */
    p.flags = PLEX_TRANSCODE_NO_DIRECT_PLAY;
    REQUIRE(plex_transcode_new(&t, P, fits, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK_INT(d->general_code, 1001);
    CHECK_INT(d->direct_play_code, 3000);
    CHECK_STR(d->direct_play_text, "App cannot direct play this item. Direct play is disabled.");
    CHECK_INT(d->transcode_code, 1001);
    CHECK_INT(d->direct_play, 0);
    CHECK_STR(d->part_decision, "transcode");
    CHECK_STR(d->video_decision, "copy"); /* h264 within the limits: copied */
    CHECK_STR(d->audio_decision, "copy");
    CHECK_STR(d->protocol, "hls");
    CHECK(d->part && d->part->key == NULL);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* a bitrate limit: the video is converted, scaled into 1280x720 */
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.max_video_bitrate = 1000;
    p.max_width = 1280;
    p.max_height = 720;
    p.audio_boost = 150;
    REQUIRE(plex_transcode_new(&t, P, fits, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK_INT(d->direct_play_code, 3001);
    CHECK(d->direct_play_text && strstr(d->direct_play_text, "bitrate") != NULL);
    CHECK_STR(d->video_decision, "transcode");
    CHECK_STR(d->audio_decision, "transcode"); /* audio boost */
    CHECK(d->media && d->media->bitrate == 1000 && d->media->width <= 1280 &&
          d->media->height <= 720);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* a container the profile cannot play; subtitles burned; DASH */
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.protocol = PLEX_PROTOCOL_DASH;
    p.subtitles = PLEX_SUBTITLES_BURN;
    REQUIRE(plex_transcode_new(&t, P, avi, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK(d->direct_play_code == 3003 || d->direct_play_code == 3005);
    CHECK_STR(d->video_decision, "transcode");
    CHECK_STR(d->protocol, "dash");
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* errors */
    REQUIRE(plex_transcode_new(&t, P, "987654321", NULL) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), PLEX_ENOTFOUND);
    CHECK(d == NULL);
    plex_transcode_free(t);
}

static void test_transcode_session(void)
{
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_playback_options po = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_transcode *t = NULL, *t2 = NULL;
    plex_playback *pb = NULL;
    plex_container *c = NULL;
    char rk[32], *url = NULL, media[512], seg[600];
    const char *nl;
    body b;

    find_movie(rk, sizeof(rk), "mkv", "hevc", NULL, NULL);
    p.max_width = 1920;
    p.max_height = 1080;
    p.max_video_bitrate = 8000;
    REQUIRE(plex_transcode_new(&t, P, rk, &p) == 0);
    CHECK_INT(plex_transcode_url(&url, t, 0), 0);
    CHECK_INT(fetch(url, 1, &b), 200); /* the master playlist */
    plex_free(url);
    REQUIRE(b.data && strncmp(b.data, "#EXTM3U\n#EXT-X-STREAM-INF:", 26) == 0);
    nl = strchr(b.data + 26, '\n');
    REQUIRE(nl != NULL);
    /* the media playlist's relative URL */
    snprintf(media, sizeof(media), "%s/video/:/transcode/universal/%.*s", S.pms_url,
             (int)strcspn(nl + 1, "\n"), nl + 1);
    CHECK(strstr(media, plex_transcode_session_id(t)) != NULL);
    free(b.data);
    CHECK_INT(fetch(media, 1, &b), 200);
    CHECK(b.data && strstr(b.data, "#EXT-X-TARGETDURATION:10") && strstr(b.data, "\n0.ts\n") &&
          strstr(b.data, "#EXT-X-ENDLIST"));
    free(b.data);
    snprintf(seg, sizeof(seg), "%.*s1.ts", (int)(strrchr(media, '/') + 1 - media), media);
    CHECK_INT(fetch(seg, 1, &b), 200);
    CHECK(b.len == 256 * 188 && b.data[0] == 0x47 && b.data[188] == 0x47);
    free(b.data);

    /* listed while it runs, with what it does */
    CHECK_INT(plex_transcode_sessions_get(&c, P), 0);
    CHECK_INT(plex_transcode_sessions_count(c), 1);
    {
        const plex_transcode_session *ts = plex_transcode_sessions_at(c, 0);
        REQUIRE(ts != NULL);
        CHECK_STR(ts->key, plex_transcode_session_id(t));
        CHECK_STR(ts->video_decision, "transcode");
        CHECK_STR(ts->source_video_codec, "hevc");
        CHECK_STR(ts->video_codec, "h264");
        CHECK_STR(ts->protocol, "hls");
        CHECK(ts->progress > 0);
    }
    plex_container_free(c);

    /* a playback of the transcode: its session shows the TranscodeSession */
    po.rating_key = rk;
    po.session = plex_transcode_session_id(t);
    REQUIRE(plex_playback_new(&pb, P, &po) == 0);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 0, 0), 1);
    c = sessions();
    CHECK(c->items_count == 1 && c->items[0]->transcode_session &&
          strcmp(c->items[0]->transcode_session->key, plex_transcode_session_id(t)) == 0);
    plex_container_free(c);
    CHECK_INT(plex_playback_stop(pb, 1000, 1000), 1);
    plex_playback_free(pb);

    /* stopped: gone; a second stop is not an error (PMS may answer 404) */
    CHECK_INT(plex_transcode_stop(t), 0);
    CHECK_INT(plex_transcode_sessions_get(&c, P), 0);
    CHECK_INT(plex_transcode_sessions_count(c), 0);
    plex_container_free(c);
    CHECK_INT(plex_transcode_stop(t), 0);
    CHECK_INT(fetch(seg, 1, &b), 404);
    free(b.data);
    plex_transcode_free(t);

    /* DASH, killed by an admin */
    p.protocol = PLEX_PROTOCOL_DASH;
    REQUIRE(plex_transcode_new(&t2, P, rk, &p) == 0);
    CHECK_INT(plex_transcode_url(&url, t2, PLEX_URL_TOKEN), 0);
    CHECK(strstr(url, "/start.mpd?") != NULL);
    CHECK_INT(fetch(url, 0, &b), 200);
    CHECK(b.data && strstr(b.data, "<MPD") && strstr(b.data, "$Number$.m4s"));
    free(b.data);
    plex_free(url);
    CHECK_INT(plex_transcode_session_kill(P, plex_transcode_session_id(t2)), 0);
    CHECK_INT(plex_transcode_session_kill(P, plex_transcode_session_id(t2)), PLEX_ENOTFOUND);
    CHECK_INT(plex_transcode_sessions_get(&c, P), 0);
    CHECK_INT(plex_transcode_sessions_count(c), 0);
    plex_container_free(c);
    plex_transcode_free(t2);
}

static void test_music(void)
{
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_transcode *t = NULL;
    plex_transcode_decision *d = NULL;
    plex_listing *l = NULL;
    plex_query *q = NULL;
    const plex_metadata *m;
    char rk[32], *url = NULL;
    body b;

    REQUIRE(plex_query_new(&q) == 0 && plex_query_add(q, "type", "10") == 0);
    REQUIRE(plex_section_items(&l, P, "3", q, NULL) == 0);
    REQUIRE(plex_listing_next(l, &m) == 1);
    snprintf(rk, sizeof(rk), "%s", m->rating_key);
    plex_listing_free(l);
    plex_query_free(q);
    p.kind = PLEX_TRANSCODE_MUSIC;
    p.protocol = PLEX_PROTOCOL_HTTP;
    p.flags = PLEX_TRANSCODE_NO_DIRECT_PLAY;
    p.music_bitrate = 192;
    REQUIRE(plex_transcode_new(&t, P, rk, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK(d && d->direct_play == 0 && d->video == NULL && d->audio != NULL);
    plex_transcode_decision_free(d);
    CHECK_INT(plex_transcode_url(&url, t, 0), 0);
    CHECK(strstr(url, "/music/:/transcode/universal/start.mp3?") != NULL);
    CHECK_INT(fetch(url, 1, &b), 200);
    CHECK(b.len > 0);
    free(b.data);
    plex_free(url);
    CHECK_INT(plex_transcode_stop(t), 0);
    plex_transcode_free(t);
}

/* ---- stream selection ---- */

/* The part's streams of one type, in order, into ids (up to n); how many. */
static size_t streams_of(const plex_part *pt, int type, int64_t *ids, size_t n, int64_t *selected)
{
    size_t k = 0;

    *selected = 0;
    for (size_t i = 0; i < pt->streams_count; i++) {
        const plex_stream *st = pt->streams[i];
        if (st->stream_type != type)
            continue;
        if (st->selected == PLEX_TRUE) {
            CHECK(*selected == 0); /* one selected stream per type */
            *selected = st->id;
        }
        if (k < n)
            ids[k] = st->id;
        k++;
    }
    return k;
}

/* A movie with two audio streams and a subtitle one; its first part's ids. */
static int find_multi_stream_movie(char *rk, size_t size, int64_t audio[2], int64_t *subtitle,
                                   int64_t *video, int64_t *part_id)
{
    plex_listing *l = NULL;
    const plex_metadata *m;
    int found = 0;

    REQUIRE(plex_section_items(&l, P, "1", NULL, NULL) == 0);
    while (!found && plex_listing_next(l, &m) == 1) {
        plex_container *c = item(m->rating_key);
        const plex_metadata *it = c->items[0];
        if (it->media_count > 0 && it->media[0]->parts_count > 0) {
            const plex_part *pt = it->media[0]->parts[0];
            int64_t sel, subs[1], vids[1];
            if (streams_of(pt, 2, audio, 2, &sel) >= 2 && streams_of(pt, 3, subs, 1, &sel) >= 1 &&
                streams_of(pt, 1, vids, 1, &sel) == 1) {
                snprintf(rk, size, "%s", m->rating_key);
                *subtitle = subs[0];
                *video = vids[0];
                *part_id = pt->id;
                found = 1;
            }
        }
        plex_container_free(c);
    }
    plex_listing_free(l);
    return found;
}

/* The selected audio and subtitle stream of the item's first part, as the
 * server shows them now. */
static void selected_now(const char *rk, int64_t *audio, int64_t *subtitle)
{
    plex_container *c = item(rk);
    int64_t ids[8];
    const plex_part *pt = c->items[0]->media[0]->parts[0];

    streams_of(pt, 2, ids, 8, audio);
    streams_of(pt, 3, ids, 8, subtitle);
    plex_container_free(c);
}

static void test_stream_selection(void)
{
    char rk[32];
    int64_t audio[2], subtitle, video, part_id, a, sub;
    plex_part part, other;
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_transcode *t = NULL;
    plex_transcode_decision *d = NULL;

    REQUIRE(find_multi_stream_movie(rk, sizeof(rk), audio, &subtitle, &video, &part_id));
    memset(&part, 0, sizeof(part));
    part.id = part_id;
    part.present[0] = 1u << PLEX_PART_ID;
    selected_now(rk, &a, &sub);
    CHECK(a == audio[0]); /* generated: the first (original) audio */

    /* the second audio and the subtitle: seen by the next answer */
    CHECK_INT(plex_part_select_streams(P, &part, audio[1], subtitle, 0), 0);
    selected_now(rk, &a, &sub);
    CHECK(a == audio[1]);
    CHECK(sub == subtitle);
    /* and used by a transcode decision */
    p.flags = PLEX_TRANSCODE_NO_DIRECT_PLAY;
    REQUIRE(plex_transcode_new(&t, P, rk, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK(d && d->audio && d->audio->id == audio[1]);
    CHECK(d && d->subtitle && d->subtitle->id == subtitle);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* no subtitles, the audio kept */
    CHECK_INT(plex_part_select_streams(P, &part, PLEX_STREAM_KEEP, 0, PLEX_SELECT_ALL_PARTS), 0);
    selected_now(rk, &a, &sub);
    CHECK(a == audio[1]);
    CHECK(sub == 0);
    p.subtitles = PLEX_SUBTITLES_BURN; /* asks for subtitles: the user's "none" wins */
    REQUIRE(plex_transcode_new(&t, P, rk, &p) == 0);
    CHECK_INT(plex_transcode_decide(&d, t), 0);
    CHECK(d && d->subtitle == NULL);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);

    /* back to the first audio */
    CHECK_INT(plex_part_select_streams(P, &part, audio[0], PLEX_STREAM_KEEP, 0), 0);
    selected_now(rk, &a, &sub);
    CHECK(a == audio[0]);
    CHECK(sub == 0);

    /* refused: a stream that is not an audio one of this part, no such part */
    CHECK_INT(plex_part_select_streams(P, &part, video, PLEX_STREAM_KEEP, 0), PLEX_EBADREQUEST);
    CHECK_INT(plex_part_select_streams(P, &part, PLEX_STREAM_KEEP, audio[0], 0), PLEX_EBADREQUEST);
    other = part;
    other.id = part_id + 400000000;
    CHECK_INT(plex_part_select_streams(P, &other, audio[0], PLEX_STREAM_KEEP, 0), PLEX_ENOTFOUND);
    selected_now(rk, &a, &sub);
    CHECK(a == audio[0]); /* nothing changed */
    /* caught before sending */
    CHECK_INT(plex_part_select_streams(P, &part, PLEX_STREAM_KEEP, PLEX_STREAM_KEEP, 0),
              PLEX_EINVALID);
    CHECK_INT(plex_part_select_streams(P, &part, 0, PLEX_STREAM_KEEP, 0), PLEX_EINVALID);
    CHECK_INT(plex_part_select_streams(P, &part, PLEX_STREAM_KEEP, -5, 0), PLEX_EINVALID);
    CHECK_INT(plex_part_select_streams(P, NULL, audio[0], PLEX_STREAM_KEEP, 0), PLEX_EINVALID);
    other.present[0] = 0;
    CHECK_INT(plex_part_select_streams(P, &other, audio[0], PLEX_STREAM_KEEP, 0), PLEX_EINVALID);
    CHECK_INT(plex_part_select_streams(NULL, &part, audio[0], PLEX_STREAM_KEEP, 0), PLEX_EINVALID);
}

/* ---- preview thumbnails ---- */

/* The first Part of a movie with previews (Part.indexes "sd") or without
 * them, as the server describes it, into *part (rating key into rk). */
static plex_container *movie_part(int with_previews, const plex_part **part)
{
    plex_listing *l = NULL;
    const plex_metadata *m;
    plex_container *found = NULL;

    REQUIRE(plex_section_items(&l, P, "1", NULL, NULL) == 0);
    while (!found && plex_listing_next(l, &m) == 1) {
        plex_container *c = item(m->rating_key);
        const plex_metadata *it = c->items[0];
        const plex_part *pt =
            it->media_count && it->media[0]->parts_count ? it->media[0]->parts[0] : NULL;
        int has = pt && pt->indexes && strcmp(pt->indexes, "sd") == 0;
        if (pt && has == with_previews) {
            found = c;
            *part = pt;
        } else {
            plex_container_free(c);
        }
    }
    plex_listing_free(l);
    REQUIRE(found != NULL);
    return found;
}

static void test_previews(void)
{
    const plex_part *part, *bare;
    plex_container *c = movie_part(1, &part), *c2 = movie_part(0, &bare);
    int64_t duration = c->items[0]->duration;
    plex_previews *p = NULL;
    plex_preview pv, again;
    unsigned char *one = NULL;
    size_t n, one_len = 0;
    char path[96];

    /* the server's interval (plexsim: 10 s), a picture every 10 s from 0 */
    CHECK_INT(plex_previews_get(&p, P, part, 0), 0);
    REQUIRE(p != NULL);
    n = plex_previews_count(p);
    CHECK_INT(n, (duration + 9999) / 10000);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(plex_previews_at(p, i, &pv), 0);
        CHECK_INT(pv.time_ms, (int64_t)i * 10000);
        CHECK(pv.len > 8 && memcmp(pv.image, "\x89PNG", 4) == 0);
    }
    /* while seeking to 1:05.5: the picture of 1:00, which the server also
     * gives alone for that position */
    CHECK_INT(plex_previews_find(p, 65500, &pv), 0);
    CHECK_INT(pv.time_ms, 60000);
    snprintf(path, sizeof(path), "/library/parts/%lld/indexes/sd/65500", (long long)part->id);
    CHECK_INT(plex_image_get(&one, &one_len, NULL, P, path, 0, 0), 0);
    CHECK(one_len == pv.len && memcmp(one, pv.image, one_len) == 0);
    plex_free(one);
    /* the pictures differ along the item (each marks its position) */
    CHECK_INT(plex_previews_at(p, n - 1, &again), 0);
    CHECK(again.len != pv.len || memcmp(again.image, pv.image, pv.len) != 0);
    plex_previews_free(p);

    /* another interval (not whole seconds: times in ms in the file) */
    CHECK_INT(plex_previews_get(&p, P, part, 2500), 0);
    CHECK_INT(plex_previews_count(p), (duration + 2499) / 2500);
    CHECK_INT(plex_previews_at(p, 3, &pv), 0);
    CHECK_INT(pv.time_ms, 7500);
    plex_previews_free(p);

    /* none: an interval too small, a part without previews, no such part */
    CHECK_INT(plex_previews_get(&p, P, part, 1000), PLEX_ENOTFOUND);
    CHECK(p == NULL);
    CHECK_INT(plex_previews_get(&p, P, bare, 0), PLEX_ENOTFOUND);
    CHECK_INT(plex_previews_get(&p, P, part, -1), PLEX_EINVALID);
    CHECK_INT(plex_previews_get(&p, P, NULL, 0), PLEX_EINVALID);
    CHECK_INT(plex_previews_get(NULL, P, part, 0), PLEX_EINVALID);
    plex_container_free(c);
    plex_container_free(c2);
}

int main(void)
{
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;

    plex_global_init();
    sim_start_pms(&S, "--library-size", "30", NULL);
    C = flow_client(S.url, "test-pms-playback");
    so.token = TOKEN;
    REQUIRE(plex_server_new(&P, C, S.pms_url, &so) == 0);
    test_cadence();
    test_xml();
    test_nonblocking();
    test_watched_and_history();
    test_silence_and_terminate();
    test_watch_state();
    test_decisions();
    test_transcode_session();
    test_music();
    test_stream_selection();
    test_previews();
    test_free_inflight();
    plex_server_free(P);
    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    return test_summary("test_pms_playback");
}

/*
 * Unit tests of the playback calls without a server: the URLs a player
 * opens, the headers, the transcoder's URL and its decision decoded from
 * recorded shapes, the file names of downloads, the edit parameters, and
 * the arguments each call refuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "pms/playback.h"
#include "plex/plex.h"
#include "test.h"
#include "tv/client.h"

static plex_client *client;
static plex_server *server;

static void setup(void)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;

    o.client_identifier = "unit-test-client";
    o.product = "libplex tests";
    REQUIRE(plex_client_new(&client, &o, NULL) == 0);
    so.token = "sekrit/token+1";
    REQUIRE(plex_server_new(&server, client, "http://127.0.0.1:32400/", &so) == 0);
}

static void test_urls(void)
{
    plex_part part;
    char *url = NULL, **lines = NULL;
    int has_token = 0, has_ident = 0;

    memset(&part, 0, sizeof(part));
    part.key = "/library/parts/7/1700000000/file.mkv";
    CHECK_INT(plex_part_url(&url, server, &part, 0), 0);
    CHECK_STR(url, "http://127.0.0.1:32400/library/parts/7/1700000000/file.mkv");
    plex_free(url);
    CHECK_INT(plex_part_url(&url, server, &part, PLEX_URL_TOKEN | PLEX_URL_DOWNLOAD), 0);
    CHECK_STR(url, "http://127.0.0.1:32400/library/parts/7/1700000000/file.mkv?download=1"
                   "&X-Plex-Token=sekrit%2Ftoken%2B1");
    plex_free(url);
    /* a path with its own query keeps it */
    CHECK_INT(
        plex_media_url(&url, server, "/library/collections/5/composite/1?width=10", PLEX_URL_TOKEN),
        0);
    CHECK_STR(url, "http://127.0.0.1:32400/library/collections/5/composite/1?width=10"
                   "&X-Plex-Token=sekrit%2Ftoken%2B1");
    plex_free(url);
    CHECK_INT(plex_image_url(&url, server, "/library/metadata/7/thumb/1700000000", 300, 0, 0), 0);
    CHECK_STR(url, "http://127.0.0.1:32400/photo/:/transcode?url=%2Flibrary%2Fmetadata%2F7%2F"
                   "thumb%2F1700000000&width=300&height=300&minSize=1&upscale=1");
    plex_free(url);
    CHECK_INT(plex_image_url(&url, server, "/library/metadata/7/art/1", 0, 0, PLEX_URL_TOKEN), 0);
    CHECK_STR(url, "http://127.0.0.1:32400/library/metadata/7/art/1?X-Plex-Token=sekrit%2F"
                   "token%2B1");
    plex_free(url);

    /* refused: no key (a transcoded decision part), not a server path */
    part.key = NULL;
    CHECK_INT(plex_part_url(&url, server, &part, 0), PLEX_EINVALID);
    CHECK(url == NULL);
    CHECK_INT(plex_media_url(&url, server, "http://elsewhere/x", 0), PLEX_EINVALID);
    CHECK_INT(plex_media_url(&url, server, "//elsewhere/x", 0), PLEX_EINVALID);
    CHECK_INT(plex_media_url(&url, server, "/a b", 0), PLEX_EINVALID);
    CHECK_INT(plex_media_url(NULL, server, "/a", 0), PLEX_EINVALID);

    CHECK_INT(plex_server_headers(&lines, server), 0);
    for (size_t i = 0; lines && lines[i]; i++) {
        has_token += strcmp(lines[i], "X-Plex-Token: sekrit/token+1") == 0;
        has_ident += strcmp(lines[i], "X-Plex-Client-Identifier: unit-test-client") == 0;
    }
    CHECK_INT(has_token, 1);
    CHECK_INT(has_ident, 1);
    plex_free(lines);
}

static void test_transcode_url(void)
{
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_transcode *t = NULL;
    char *url = NULL;
    const char *sid;

    p.protocol = PLEX_PROTOCOL_DASH;
    p.max_video_bitrate = 4000;
    p.max_width = 1280;
    p.max_height = 720;
    p.subtitles = PLEX_SUBTITLES_BURN;
    p.audio_boost = 150;
    p.flags = PLEX_TRANSCODE_NO_DIRECT_PLAY;
    p.offset_ms = 61500;
    REQUIRE(plex_transcode_new(&t, server, "13194", &p) == 0);
    sid = plex_transcode_session_id(t);
    CHECK(sid && strlen(sid) == 24);
    CHECK_INT(plex_transcode_url(&url, t, 0), 0);
    REQUIRE(url != NULL);
    CHECK(strncmp(url, "http://127.0.0.1:32400/video/:/transcode/universal/start.mpd?", 61) == 0);
    CHECK(strstr(url, "path=%2Flibrary%2Fmetadata%2F13194&") != NULL);
    CHECK(strstr(url, "&protocol=dash&") != NULL);
    CHECK(strstr(url, "&directPlay=0&directStream=1&") != NULL);
    CHECK(strstr(url, "&maxVideoBitrate=4000&videoResolution=1280x720&") != NULL);
    CHECK(strstr(url, "&audioBoost=150&subtitles=burn&location=lan&offset=61.500&") != NULL);
    CHECK(strstr(url, "&X-Plex-Client-Identifier=unit-test-client") != NULL);
    CHECK(strstr(url, "X-Plex-Token") == NULL);
    {
        char want[128];
        snprintf(want, sizeof(want),
                 "&session=%s&transcodeSessionId=%s&X-Plex-Session-Identifier=%s", sid, sid, sid);
        CHECK(strstr(url, want) != NULL);
    }
    plex_free(url);
    plex_transcode_free(t);

    /* music over HTTP, a session id of the caller's */
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.kind = PLEX_TRANSCODE_MUSIC;
    p.protocol = PLEX_PROTOCOL_HTTP;
    p.music_bitrate = 192;
    p.session = "mysession1";
    REQUIRE(plex_transcode_new(&t, server, "7", &p) == 0);
    CHECK_STR(plex_transcode_session_id(t), "mysession1");
    CHECK_INT(plex_transcode_url(&url, t, PLEX_URL_TOKEN), 0);
    CHECK(url &&
          strncmp(url, "http://127.0.0.1:32400/music/:/transcode/universal/start.mp3?", 61) == 0);
    CHECK(url && strstr(url, "&musicBitrate=192&") != NULL);
    CHECK(url && strstr(url, "&X-Plex-Token=sekrit%2Ftoken%2B1") != NULL);
    plex_free(url);
    plex_transcode_free(t);

    /* refused profiles */
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.protocol = 7;
    CHECK_INT(plex_transcode_new(&t, server, "7", &p), PLEX_EINVALID);
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.version = 99;
    CHECK_INT(plex_transcode_new(&t, server, "7", &p), PLEX_EINVALID);
    CHECK_INT(plex_transcode_new(&t, server, "7/../8", NULL), PLEX_EINVALID);
    p = (plex_transcode_profile)PLEX_TRANSCODE_PROFILE_INIT;
    p.session = "bad session";
    CHECK_INT(plex_transcode_new(&t, server, "7", &p), PLEX_EINVALID);
    CHECK(t == NULL);
    plex_transcode_free(NULL);
    plex_transcode_decision_free(NULL);
}

static plex_container *fixture(const char *name, int xml)
{
    char path[512];
    plex_container *c = NULL;
    size_t len;
    char *data;

    snprintf(path, sizeof(path), "%s/pms/%s",
             getenv("PLEX_FIXTURES") ? getenv("PLEX_FIXTURES") : "tests/fixtures", name);
    data = test_read_file(path, &len);
    REQUIRE((xml ? plex_container_parse_xml(&c, data, len, 0, NULL)
                 : plex_container_parse(&c, data, len, 0, NULL)) == 0);
    free(data);
    return c;
}

static void test_decisions(void)
{
    plex_transcode_decision d;
    plex_container *c = fixture("decision_transcode.json", 0);

    plex__transcode_decision_read(&d, c);
    CHECK_INT(d.general_code, 1001);
    CHECK_INT(d.direct_play_code, 3000);
    CHECK_STR(d.direct_play_text, "App cannot direct play this item. Direct play is disabled.");
    CHECK_INT(d.transcode_code, 1001);
    CHECK_INT(d.direct_play, 0);
    CHECK_STR(d.part_decision, "transcode");
    CHECK_STR(d.video_decision, "transcode");
    CHECK_STR(d.audio_decision, "transcode");
    CHECK_STR(d.subtitle_decision, "burn");
    CHECK_STR(d.protocol, "hls");
    CHECK(d.media && d.media->id == 20051); /* a string on the wire */
    CHECK(d.part && d.part->id == 20152 && d.part->key == NULL);
    CHECK(d.video && d.video->id == 40330);
    CHECK(d.subtitle && d.subtitle->burn == PLEX_TRUE);
    CHECK(d.item && strcmp(d.item->rating_key, "13194") == 0);
    plex_container_free(c);

    c = fixture("decision_directplay.xml", 1);
    plex__transcode_decision_read(&d, c);
    CHECK_INT(d.general_code, 1000);
    CHECK_INT(d.direct_play, 1);
    CHECK_STR(d.part_decision, "directplay");
    CHECK_STR(d.video_decision, "copy");
    CHECK_STR(d.audio_decision, "copy");
    CHECK(d.subtitle == NULL && d.subtitle_decision == NULL);
    CHECK(d.part && strcmp(d.part->key, "/library/parts/20052/1700000000/file.mkv") == 0);
    plex_container_free(c);
}

static void test_download_names(void)
{
    plex_part p;
    char name[64];

    memset(&p, 0, sizeof(p));
    p.id = 42;
    p.file = "/media/Movies/Alien (1979)/Alien.mkv";
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "Alien.mkv");
    p.file = "C:\\Media\\Movies\\Heat (1995).avi"; /* a Windows server */
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "Heat (1995).avi");
    p.file = "/media/a\x01"
             "b\x7f"
             "c.mp3";
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "a_b_c.mp3");
    /* nothing usable in `file`: part-<id>.<container>, sanitised */
    p.file = "/media/..";
    p.container = "mkv";
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "part-42.mkv");
    p.file = "/media/dir/";
    p.container = "../x";
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "part-42.___x");
    p.file = NULL;
    p.container = NULL;
    CHECK_INT(plex__download_name(name, sizeof(name), &p), 0);
    CHECK_STR(name, "part-42");
    p.id = 0;
    CHECK_INT(plex__download_name(name, sizeof(name), &p), -1);
}

static void test_edits(void)
{
    plex_query *q = NULL;
    const char *add[] = {"Action", "Sci-Fi & Fantasy"};
    const char *del[] = {"Drama", "A,B"};

    REQUIRE(plex_query_new(&q) == 0);
    CHECK_INT(plex_edit_field(q, "title", "Alien: Director's Cut", 1), 0);
    CHECK_INT(plex_edit_field(q, "summary", NULL, 0), 0);
    CHECK_INT(plex_edit_tags_add(q, "genre", add, 2), 0);
    CHECK_INT(plex_edit_tags_remove(q, "genre", del, 2), 0);
    CHECK_STR(plex_query_string(q),
              "title.value=Alien%3A%20Director%27s%20Cut&title.locked=1&summary.locked=0"
              "&genre%5B0%5D.tag.tag=Action&genre%5B1%5D.tag.tag=Sci-Fi%20%26%20Fantasy"
              "&genre%5B%5D.tag.tag-=Drama%2CA%252CB");
    CHECK_INT(plex_edit_field(q, "bad name", "x", 1), PLEX_EINVALID);
    CHECK_INT(plex_edit_field(q, "title", NULL, -1), PLEX_EINVALID);
    CHECK_INT(plex_edit_tags_add(q, "genre", add, 0), PLEX_EINVALID);
    CHECK_INT(plex_metadata_edit_item(server, "7", NULL), PLEX_EINVALID); /* no edits */
    CHECK_INT(plex_metadata_edit(server, "1", 1, NULL, 0, q), PLEX_EINVALID);
    plex_query_free(q);
}

static void test_refusals(void)
{
    plex_playback_options po = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_play_queue_options qo = PLEX_PLAY_QUEUE_OPTIONS_INIT;
    plex_playback *pb = NULL;
    plex_container *c = NULL;
    const char *keys[] = {"1", "2,3"};

    CHECK_INT(plex_playback_new(&pb, server, NULL), PLEX_EINVALID);
    CHECK_INT(plex_playback_new(&pb, server, &po), PLEX_EINVALID); /* no rating key */
    po.rating_key = "7";
    po.session = "s1";
    REQUIRE(plex_playback_new(&pb, server, &po) == 0);
    CHECK_STR(plex_playback_session(pb), "s1");
    CHECK_INT(plex_playback_due(pb), -1);
    CHECK_INT(plex_playback_tick(pb, 9, 0, 0), PLEX_EINVALID);
    CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, -5, 0), PLEX_EINVALID);
    /* a stop before anything was sent sends nothing */
    CHECK_INT(plex_playback_stop(pb, 0, 0), 0);
    CHECK_INT(plex_playback_sent(pb), 0);
    CHECK_STR(plex_playback_state_name(PLEX_PLAYBACK_BUFFERING), "buffering");
    CHECK(plex_playback_state_name(4) == NULL);
    plex_playback_free(pb);
    plex_playback_free(NULL);

    CHECK_INT(plex_play_queue_create(&c, server, &qo), PLEX_EINVALID); /* no type */
    qo.type = "video";
    CHECK_INT(plex_play_queue_create(&c, server, &qo), PLEX_EINVALID); /* no uri */
    CHECK_INT(plex_rate(server, "7", 11), PLEX_EINVALID);
    CHECK_INT(plex_rate(server, "7", -0.5), PLEX_EINVALID);
    CHECK_INT(plex_scrobble(server, "7?x"), PLEX_EINVALID);
    CHECK_INT(plex_progress_set(server, "7", -1), PLEX_EINVALID);
    CHECK_INT(plex_playlist_create(&c, server, "t", "movie", keys, 1), PLEX_EINVALID);
    CHECK_INT(plex_playlist_create(&c, server, "t", "video", keys, 2), PLEX_EINVALID);
    CHECK_INT(plex_collection_create(&c, server, "1", 99, "t", keys, 1), PLEX_EINVALID);
    CHECK_INT(plex_session_terminate(server, NULL, NULL), PLEX_EINVALID);
    CHECK_INT(plex_download(server, "/a?b", "/tmp/x", NULL), PLEX_EINVALID);
    CHECK_INT(plex_download(server, "/a", "", NULL), PLEX_EINVALID);
    CHECK(c == NULL);
}

/* The offline calls under allocation failure: every allocation of each, in
 * turn, fails; the call then answers PLEX_ENOMEM and leaves nothing behind
 * (ASan and valgrind see leaks). */
static int offline_calls(void)
{
    plex_transcode_profile p = PLEX_TRANSCODE_PROFILE_INIT;
    plex_playback_options po = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_transcode *t = NULL;
    plex_playback *pb = NULL;
    plex_query *q = NULL;
    char *url = NULL, **lines = NULL;
    const char *tags[] = {"A", "B"};
    int rc;

    p.profile_extra = "add-limitation(scope=videoCodec&scopeName=h264)";
    p.location = "wan";
    po.rating_key = "7";
    if ((rc = plex_transcode_new(&t, server, "7", &p)) != 0)
        return rc;
    rc = plex_transcode_url(&url, t, PLEX_URL_TOKEN);
    plex_free(url);
    url = NULL;
    plex_transcode_free(t);
    if (rc)
        return rc;
    if ((rc = plex_image_url(&url, server, "/library/metadata/7/thumb/1", 100, 100, 0)) != 0)
        return rc;
    plex_free(url);
    if ((rc = plex_server_headers(&lines, server)) != 0)
        return rc;
    plex_free(lines);
    if ((rc = plex_playback_new(&pb, server, &po)) != 0)
        return rc;
    plex_playback_free(pb);
    if ((rc = plex_query_new(&q)) != 0)
        return rc;
    rc = plex_edit_field(q, "title", "x", 1);
    if (rc == 0)
        rc = plex_edit_tags_remove(q, "genre", tags, 2);
    plex_query_free(q);
    return rc;
}

static void test_alloc_failures(void)
{
    unsigned long total;

    plex__alloc_fail_at(0);
    REQUIRE(offline_calls() == 0);
    total = plex__alloc_count();
    CHECK(total > 5);
    for (unsigned long n = 1; n <= total; n++) {
        plex__alloc_fail_at(n);
        CHECK_INT(offline_calls(), PLEX_ENOMEM);
    }
    plex__alloc_fail_at(0);
}

/* ---- preview thumbnails: BIF files ---- */

/* A BIF of n images (image i: i + 1 bytes of 'a' + i) at times ts[i] with a
 * multiplier, into buf; its length. */
static size_t make_bif(unsigned char *buf, uint32_t n, uint32_t mult, const uint32_t *ts)
{
    static const unsigned char magic[8] = {0x89, 'B', 'I', 'F', 0x0d, 0x0a, 0x1a, 0x0a};
    size_t off = 64 + ((size_t)n + 1) * 8, at;

    memset(buf, 0, 64);
    memcpy(buf, magic, 8);
    for (int k = 0; k < 4; k++) {
        buf[12 + k] = (unsigned char)(n >> (8 * k));
        buf[16 + k] = (unsigned char)(mult >> (8 * k));
    }
    at = off;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t t = i < n ? ts[i] : 0xffffffffu;
        for (int k = 0; k < 4; k++) {
            buf[64 + i * 8 + k] = (unsigned char)(t >> (8 * k));
            buf[64 + i * 8 + 4 + k] = (unsigned char)(at >> (8 * k));
        }
        if (i < n) {
            memset(buf + at, 'a' + (int)i, i + 1);
            at += i + 1;
        }
    }
    return at;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void test_previews(void)
{
    unsigned char bif[512], bad[512];
    const uint32_t ts[3] = {0, 10, 20};
    plex_previews *p = NULL;
    plex_preview pv;
    plex_error err;
    size_t len = make_bif(bif, 3, 1000, ts);

    CHECK_INT(plex_previews_parse(&p, bif, len, &err), 0);
    REQUIRE(p != NULL);
    CHECK_INT(plex_previews_count(p), 3);
    CHECK_INT(plex_previews_at(p, 2, &pv), 0);
    CHECK_INT(pv.time_ms, 20000);
    CHECK(pv.len == 3 && memcmp(pv.image, "ccc", 3) == 0);
    /* the picture shown at a position: the last at or before it */
    CHECK_INT(plex_previews_find(p, 15000, &pv), 0);
    CHECK_INT(pv.time_ms, 10000);
    CHECK(pv.len == 2 && memcmp(pv.image, "bb", 2) == 0);
    CHECK_INT(plex_previews_find(p, 10000, &pv), 0);
    CHECK_INT(pv.time_ms, 10000);
    CHECK_INT(plex_previews_find(p, -1, &pv), 0);
    CHECK_INT(pv.time_ms, 0);
    CHECK_INT(plex_previews_find(p, INT64_MAX, &pv), 0);
    CHECK_INT(pv.time_ms, 20000);
    CHECK_INT(plex_previews_at(p, 3, &pv), PLEX_EINVALID);
    plex_previews_free(p);

    /* a multiplier of 0 means 1000 ms; no images is a valid file */
    len = make_bif(bif, 3, 0, ts);
    CHECK_INT(plex_previews_parse(&p, bif, len, &err), 0);
    CHECK_INT(plex_previews_at(p, 1, &pv), 0);
    CHECK_INT(pv.time_ms, 10000);
    plex_previews_free(p);
    len = make_bif(bif, 0, 1, NULL);
    CHECK_INT(plex_previews_parse(&p, bif, len, &err), 0);
    CHECK_INT(plex_previews_count(p), 0);
    CHECK_INT(plex_previews_find(p, 0, &pv), PLEX_ENOTFOUND);
    plex_previews_free(p);

    /* refused, each with its reason and nothing allocated */
    len = make_bif(bif, 3, 1000, ts);
    CHECK_INT(plex_previews_parse(&p, bif, 63, &err), PLEX_EPARSE); /* shorter than a header */
    CHECK(p == NULL);
    memcpy(bad, bif, len);
    bad[1] = 'X';
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_EPARSE);        /* not a BIF */
    CHECK_INT(plex_previews_parse(&p, bif, 64 + 3 * 8, &err), PLEX_EPARSE); /* index cut */
    memcpy(bad, bif, len);
    put32(bad + 8, 1);
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA); /* a version not known */
    memcpy(bad, bif, len);
    put32(bad + 64 + 8, 30); /* image 1 after image 2 */
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA);
    memcpy(bad, bif, len);
    put32(bad + 64 + 3 * 8, 7); /* not terminated */
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA);
    CHECK_INT(plex_previews_parse(&p, bif, len - 1, &err), PLEX_ESCHEMA); /* the end is beyond */
    memcpy(bad, bif, len);
    put32(bad + 64 + 4, 10); /* an image inside the index */
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA);
    memcpy(bad, bif, len);
    put32(bad + 64 + 8 + 4, 200); /* offsets going back */
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA);
    memcpy(bad, bif, len);
    put32(bad + 16, 0xffffffffu); /* a time past INT64_MAX ms */
    put32(bad + 64 + 16, 0xfffffff0u);
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_ESCHEMA);
    memcpy(bad, bif, len);
    put32(bad + 12, 0x7fffffffu); /* an index far longer than the file */
    CHECK_INT(plex_previews_parse(&p, bad, len, &err), PLEX_EPARSE);
    CHECK(p == NULL);
    CHECK_INT(plex_previews_parse(NULL, bif, len, &err), PLEX_EINVALID);
    CHECK_INT(plex_previews_parse(&p, NULL, 5, &err), PLEX_EINVALID);
    CHECK_INT(plex_previews_count(NULL), 0);
    CHECK_INT(plex_previews_find(NULL, 0, &pv), PLEX_EINVALID);
    plex_previews_free(NULL);
    /* every allocation failing: a clean error */
    plex__alloc_fail_at(1);
    CHECK_INT(plex_previews_parse(&p, bif, len, &err), PLEX_ENOMEM);
    plex__alloc_fail_at(0);
    CHECK(p == NULL);
}

int main(void)
{
    setup();
    test_urls();
    test_transcode_url();
    test_decisions();
    test_download_names();
    test_edits();
    test_refusals();
    test_alloc_failures();
    test_previews();
    plex_server_free(server);
    plex_client_free(client);
    return test_summary("test_playback");
}

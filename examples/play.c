/*
 * play: what a player does with libplex. Pick an item, ask the server how
 * to play it for this player's profile, take the direct-play URL or a
 * transcode's, and report the playback on the timeline as a real player
 * would, with a clock of its own (here a fake one that runs 60 s of playing,
 * a pause and the end in an instant; a real player passes its own time).
 *
 *   play --server URL [--token TOKEN] [--max-bitrate KBPS] [RATING_KEY]
 *
 * URL is the media server's base URL (http://127.0.0.1:32400; plexsim
 * prints it on its "PMS" line); the token comes from --token or PLEX_TOKEN.
 * Without RATING_KEY the first movie of the first movie section is played.
 * The URLs printed have their token masked: a real player opens them with
 * plex_server_headers() or with PLEX_URL_TOKEN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plex/plex.h>

static const char *arg_after(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static const char *positional(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0)
            i++;
        else
            return argv[i];
    }
    return NULL;
}

static int fail(const char *what, const plex_error *e)
{
    fprintf(stderr, "play: %s: %s\n", what, e && e->message[0] ? e->message : "failed");
    return 1;
}

/* The first movie of the first movie section, into rk. */
static int first_movie(plex_server *s, char *rk, size_t size)
{
    plex_container *sections = NULL;
    plex_listing *l = NULL;
    const plex_metadata *m;
    int rc = -1;

    if (plex_sections_get(&sections, s) != 0)
        return fail("sections", plex_server_last_error(s));
    for (size_t i = 0; i < sections->directories_count && rc; i++) {
        const plex_directory *d = sections->directories[i];
        if (!d->type || strcmp(d->type, "movie") != 0)
            continue;
        if (plex_section_items(&l, s, d->key, NULL, NULL) == 0 && plex_listing_next(l, &m) == 1) {
            snprintf(rk, size, "%s", m->rating_key);
            rc = 0;
        }
        plex_listing_free(l);
        l = NULL;
    }
    plex_container_free(sections);
    if (rc)
        fprintf(stderr, "play: no movie to play\n");
    return rc ? 1 : 0;
}

/* Print a URL with its token masked. */
static void print_url(const char *what, const char *url)
{
    const char *t = strstr(url, "X-Plex-Token=");
    printf("%s: %.*s%s\n", what, t ? (int)(t - url) : (int)strlen(url), url,
           t ? "X-Plex-Token=***" : "");
}

/* Report a playback of `duration_ms` on the timeline with a fake clock:
 * buffering, 60 s playing (a tick each second, as a player's loop would),
 * a 15 s pause, 20 s more, then stopped. */
static int report(plex_server *s, const char *rk, int64_t duration_ms, const char *session)
{
    plex_playback_options o = PLEX_PLAYBACK_OPTIONS_INIT;
    plex_playback *pb = NULL;
    int64_t now = 0, pos = 0;
    int rc = 0;

    o.rating_key = rk;
    o.duration_ms = duration_ms;
    o.session = session;
    if (plex_playback_new(&pb, s, &o) != 0)
        return fail("playback", plex_server_last_error(s));
    struct {
        int state;
        int seconds;
    } script[] = {{PLEX_PLAYBACK_BUFFERING, 2},
                  {PLEX_PLAYBACK_PLAYING, 60},
                  {PLEX_PLAYBACK_PAUSED, 15},
                  {PLEX_PLAYBACK_PLAYING, 20}};
    for (size_t k = 0; k < sizeof(script) / sizeof(script[0]) && rc >= 0; k++)
        for (int sec = 0; sec < script[k].seconds && rc >= 0; sec++) {
            rc = plex_playback_tick(pb, script[k].state, pos, now);
            if (rc == 1)
                printf("t=%3llds timeline %-9s at %lld ms\n", (long long)(now / 1000),
                       plex_playback_state_name(script[k].state), (long long)pos);
            if (plex_playback_terminated(pb)) {
                printf("the server ended the playback: %s\n", plex_playback_terminated(pb));
                plex_playback_free(pb);
                return 0;
            }
            now += 1000;
            if (script[k].state == PLEX_PLAYBACK_PLAYING)
                pos += 1000;
        }
    if (rc >= 0 && (rc = plex_playback_stop(pb, pos, now)) == 1)
        printf("t=%3llds timeline stopped   at %lld ms (%zu timelines)\n", (long long)(now / 1000),
               (long long)pos, plex_playback_sent(pb));
    if (rc < 0)
        fail("timeline", plex_playback_last_error(pb));
    plex_playback_free(pb);
    return rc < 0;
}

int main(int argc, char **argv)
{
    plex_client_options co = PLEX_CLIENT_OPTIONS_INIT;
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    plex_transcode_profile tp = PLEX_TRANSCODE_PROFILE_INIT;
    const char *url = arg_after(argc, argv, "--server");
    const char *token = arg_after(argc, argv, "--token");
    const char *bitrate = arg_after(argc, argv, "--max-bitrate");
    plex_client *c = NULL;
    plex_server *s = NULL;
    plex_transcode *t = NULL;
    plex_transcode_decision *d = NULL;
    char rk[64], *play_url = NULL;
    plex_error err;
    int64_t duration;
    int rc = 1;

    if (!token)
        token = getenv("PLEX_TOKEN");
    if (!url || !token) {
        fprintf(stderr, "usage: play --server URL [--token TOKEN] [--max-bitrate KBPS] "
                        "[RATING_KEY]\n");
        return 2;
    }
    plex_global_init();
    co.client_identifier = getenv("PLEX_CLIENT_ID") ? getenv("PLEX_CLIENT_ID") : "libplex-play";
    co.product = "libplex play example";
    if (plex_client_new(&c, &co, &err) != 0) {
        fail("client", &err);
        goto done;
    }
    so.token = token;
    if (plex_server_new(&s, c, url, &so) != 0) {
        fail("server", plex_client_last_error(c));
        goto done;
    }
    if (positional(argc, argv))
        snprintf(rk, sizeof(rk), "%s", positional(argc, argv));
    else if (first_movie(s, rk, sizeof(rk)) != 0)
        goto done;

    /* what this player can do: HLS, a bitrate limit, direct play if it fits */
    tp.protocol = PLEX_PROTOCOL_HLS;
    tp.max_video_bitrate = bitrate ? atoi(bitrate) : 0;
    if (plex_transcode_new(&t, s, rk, &tp) != 0 || plex_transcode_decide(&d, t) != 0) {
        fail("decision", plex_server_last_error(s));
        goto done;
    }
    printf("item %s: %s\n", rk, d->item && d->item->title ? d->item->title : "?");
    printf("decision %d: %s\n", d->general_code, d->general_text ? d->general_text : "");
    if (d->direct_play_code != 1000)
        printf("direct play %d: %s\n", d->direct_play_code,
               d->direct_play_text ? d->direct_play_text : "");
    duration = d->item ? d->item->duration : 0;
    if (d->direct_play && d->part) {
        if (plex_part_url(&play_url, s, d->part, PLEX_URL_TOKEN) != 0) {
            fail("part URL", plex_server_last_error(s));
            goto done;
        }
        print_url("direct play", play_url);
        rc = report(s, rk, duration, NULL);
    } else {
        printf("video %s, audio %s\n", d->video_decision ? d->video_decision : "-",
               d->audio_decision ? d->audio_decision : "-");
        if (plex_transcode_url(&play_url, t, PLEX_URL_TOKEN) != 0) {
            fail("transcode URL", plex_server_last_error(s));
            goto done;
        }
        print_url("transcode", play_url);
        /* a player opens the URL here; the timeline carries the same session */
        rc = report(s, rk, duration, plex_transcode_session_id(t));
        if (plex_transcode_stop(t) != 0)
            rc = fail("stop", plex_server_last_error(s));
    }
done:
    plex_free(play_url);
    plex_transcode_decision_free(d);
    plex_transcode_free(t);
    plex_server_free(s);
    plex_client_free(c);
    plex_global_cleanup();
    return rc;
}

/*
 * The universal transcoder (plex/pms/playback.h, PMS.md §4.5): one session
 * id per plex_transcode, sent as `session=`, `transcodeSessionId=` and
 * `X-Plex-Session-Identifier` on the decision, the start URL and the stop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "playback.h"
#include "plex/pms/playback.h"

#define SESSION_LEN 64

struct plex_transcode {
    plex_server *s;
    char *rating_key;
    char *location;
    char *profile_extra;
    plex_transcode_profile p; /* its strings point at the copies above */
    char session[SESSION_LEN + 1];
};

static const char *const subtitle_names[] = {"auto", "burn",     "sidecar",
                                             "none", "embedded", "segmented"};

int plex_transcode_new(plex_transcode **out, plex_server *s, const char *rating_key,
                       const plex_transcode_profile *p)
{
    static const plex_transcode_profile defaults = PLEX_TRANSCODE_PROFILE_INIT;
    plex_transcode *t;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (p && p->version != PLEX_TRANSCODE_PROFILE_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "unknown plex_transcode_profile version (use "
                               "PLEX_TRANSCODE_PROFILE_INIT)");
    if (!p)
        p = &defaults;
    if (!plex__server_check_id(s, rating_key, "rating key"))
        return PLEX_EINVALID;
    if (p->kind < PLEX_TRANSCODE_VIDEO || p->kind > PLEX_TRANSCODE_MUSIC ||
        p->protocol < PLEX_PROTOCOL_HLS || p->protocol > PLEX_PROTOCOL_HTTP || p->subtitles < 0 ||
        (size_t)p->subtitles >= sizeof(subtitle_names) / sizeof(*subtitle_names) ||
        p->max_video_bitrate < 0 || p->max_width < 0 || p->max_height < 0 || p->music_bitrate < 0 ||
        p->audio_boost < 0 || p->media_index < 0 || p->offset_ms < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "invalid transcode profile");
    if (p->session &&
        (!plex__server_check_id(s, p->session, "session id") || strlen(p->session) > SESSION_LEN))
        return PLEX_EINVALID;
    if (!(t = plex__calloc(1, sizeof(*t))))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    t->s = s;
    t->p = *p;
    t->rating_key = plex__strdup(rating_key);
    t->location = plex__strdup(p->location ? p->location : "lan");
    t->profile_extra = p->profile_extra ? plex__strdup(p->profile_extra) : NULL;
    if (!t->rating_key || !t->location || (p->profile_extra && !t->profile_extra)) {
        plex_transcode_free(t);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    t->p.location = t->location;
    t->p.profile_extra = t->profile_extra;
    t->p.session = NULL;
    if (p->session) {
        memcpy(t->session, p->session, strlen(p->session) + 1);
    } else if (plex__random_id(t->session, sizeof(t->session)) != 0) {
        plex_transcode_free(t);
        return plex__http_fail(&s->http, PLEX_ERROR, "no random bytes for a session id");
    }
    *out = t;
    return 0;
}

const char *plex_transcode_session_id(const plex_transcode *t)
{
    return t ? t->session : NULL;
}

void plex_transcode_free(plex_transcode *t)
{
    if (!t)
        return;
    plex__free(t->rating_key);
    plex__free(t->location);
    plex__free(t->profile_extra);
    plex__free(t);
}

static const char *kind_path(const plex_transcode *t)
{
    return t->p.kind == PLEX_TRANSCODE_MUSIC ? "music" : "video";
}

/* The parameters of every request of the transcode (PMS.md §4.5); with
 * `player` the client's identity too, for a URL fetched by another program. */
static int build_query(plex_transcode *t, plex_query **out, int player)
{
    static const char *const protocols[] = {"hls", "dash", "http"};
    const plex_transcode_profile *p = &t->p;
    plex_server *s = t->s;
    char buf[64], item[512];
    plex_query *q;
    int e = 0;

    *out = NULL;
    if ((e = plex__pms_path(s, item, sizeof(item), "rating key", "/library/metadata/%s",
                            t->rating_key)) != 0)
        return e;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    e |= plex_query_add(q, "path", item);
    e |= plex_query_add_int(q, "mediaIndex", p->media_index);
    e |= plex_query_add_int(q, "partIndex", p->part_index);
    e |= plex_query_add(q, "protocol", protocols[p->protocol]);
    e |= plex_query_add(q, "context", (p->flags & PLEX_TRANSCODE_OFFLINE) ? "static" : "streaming");
    if (p->flags & PLEX_TRANSCODE_OFFLINE)
        e |= plex_query_add(q, "offlineTranscode", "1");
    e |= plex_query_add(q, "directPlay", (p->flags & PLEX_TRANSCODE_NO_DIRECT_PLAY) ? "0" : "1");
    e |=
        plex_query_add(q, "directStream", (p->flags & PLEX_TRANSCODE_NO_DIRECT_STREAM) ? "0" : "1");
    e |= plex_query_add(q, "directStreamAudio",
                        (p->flags & PLEX_TRANSCODE_NO_DIRECT_AUDIO) ? "0" : "1");
    if (p->max_video_bitrate > 0)
        e |= plex_query_add_int(q, "maxVideoBitrate", p->max_video_bitrate);
    if (p->max_width > 0 && p->max_height > 0) {
        snprintf(buf, sizeof(buf), "%dx%d", p->max_width, p->max_height);
        e |= plex_query_add(q, "videoResolution", buf);
    }
    if (p->music_bitrate > 0)
        e |= plex_query_add_int(q, "musicBitrate", p->music_bitrate);
    if (p->audio_boost > 0)
        e |= plex_query_add_int(q, "audioBoost", p->audio_boost);
    e |= plex_query_add(q, "subtitles", subtitle_names[p->subtitles]);
    e |= plex_query_add(q, "location", p->location);
    if (p->offset_ms > 0) {
        snprintf(buf, sizeof(buf), "%" PRId64 ".%03d", p->offset_ms / 1000,
                 (int)(p->offset_ms % 1000));
        e |= plex_query_add(q, "offset", buf);
    }
    e |= plex_query_add(q, "fastSeek", "1");
    e |= plex_query_add(q, "copyts", "1");
    e |= plex_query_add(q, "session", t->session);
    e |= plex_query_add(q, "transcodeSessionId", t->session);
    e |= plex_query_add(q, "X-Plex-Session-Identifier", t->session);
    if (p->profile_extra)
        e |= plex_query_add(q, "X-Plex-Client-Profile-Extra", p->profile_extra);
    if (player) {
        /* the player sends none of our headers */
        for (int i = 0; i < 4; i++) /* identifier, product, version, platform */
            if (s->http.identity[i])
                e |= plex_query_add(q, plex__http_identity_name(i), s->http.identity[i]);
    }
    if (e)
        return plex__pms_oom(s, q);
    *out = q;
    return 0;
}

/* The first stream of a type: the selected one, else one with a decision,
 * else the first. */
static const plex_stream *pick_stream(const plex_part *part, int type)
{
    const plex_stream *first = NULL, *decided = NULL;

    for (size_t i = 0; part && i < part->streams_count; i++) {
        const plex_stream *st = part->streams[i];
        if (st->stream_type != type)
            continue;
        if (st->selected == PLEX_TRUE)
            return st;
        if (!decided && st->decision)
            decided = st;
        if (!first)
            first = st;
    }
    return decided ? decided : first;
}

void plex__transcode_decision_read(plex_transcode_decision *d, const plex_container *c)
{
    const plex_metadata *m = c->items_count ? c->items[0] : NULL;

    memset(d, 0, sizeof(*d));
    d->container = c;
    d->general_code = c->general_decision_code;
    d->general_text = c->general_decision_text;
    d->direct_play_code = c->direct_play_decision_code;
    d->direct_play_text = c->direct_play_decision_text;
    d->transcode_code = c->transcode_decision_code;
    d->transcode_text = c->transcode_decision_text;
    d->mde_code = c->mde_decision_code;
    d->mde_text = c->mde_decision_text;
    d->item = m;
    for (size_t i = 0; m && i < m->media_count; i++)
        if (!d->media || m->media[i]->selected == PLEX_TRUE)
            d->media = m->media[i];
    for (size_t i = 0; d->media && i < d->media->parts_count; i++)
        if (!d->part || d->media->parts[i]->selected == PLEX_TRUE)
            d->part = d->media->parts[i];
    d->protocol = d->media ? d->media->protocol : NULL;
    d->part_decision = d->part ? d->part->decision : NULL;
    d->video = pick_stream(d->part, 1);
    d->audio = pick_stream(d->part, 2);
    d->subtitle = pick_stream(d->part, 3);
    d->video_decision = d->video ? d->video->decision : NULL;
    d->audio_decision = d->audio ? d->audio->decision : NULL;
    d->subtitle_decision = d->subtitle ? d->subtitle->decision : NULL;
    if (d->part_decision)
        d->direct_play = strcmp(d->part_decision, "directplay") == 0;
    else
        d->direct_play = d->general_code < 2000 && d->direct_play_code == 1000;
}

int plex_transcode_decide(plex_transcode_decision **out, plex_transcode *t)
{
    plex_transcode_decision *d;
    plex_container *c = NULL;
    plex_query *q;
    char path[64];
    int rc;

    if (!out || !t)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = build_query(t, &q, 0)) != 0)
        return rc;
    snprintf(path, sizeof(path), "/%s/:/transcode/universal/decision", kind_path(t));
    rc = plex__server_container(&c, t->s, "GET", path, plex_query_string(q));
    plex_query_free(q);
    if (rc)
        return rc;
    if (!(d = plex__calloc(1, sizeof(*d)))) {
        plex_container_free(c);
        return plex__http_fail(&t->s->http, PLEX_ENOMEM, "out of memory");
    }
    plex__transcode_decision_read(d, c);
    *out = d;
    return 0;
}

void plex_transcode_decision_free(plex_transcode_decision *d)
{
    if (!d)
        return;
    plex_container_free((plex_container *)(uintptr_t)d->container);
    plex__free(d);
}

int plex_transcode_url(char **out, plex_transcode *t, unsigned int flags)
{
    static const char *const ext[2][3] = {{"m3u8", "mpd", "mkv"}, {"m3u8", "mpd", "mp3"}};
    plex_query *q;
    char path[64];
    int rc;

    if (!out || !t)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = build_query(t, &q, 1)) != 0)
        return rc;
    snprintf(path, sizeof(path), "/%s/:/transcode/universal/start.%s", kind_path(t),
             ext[t->p.kind][t->p.protocol]);
    rc = plex__pms_url(out, t->s, path, plex_query_string(q), (flags & PLEX_URL_TOKEN) != 0);
    plex_query_free(q);
    return rc;
}

int plex_transcode_stop(plex_transcode *t)
{
    plex_query *q;
    char path[64];
    int rc;

    if (!t)
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(t->s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "session", t->session) != 0)
        return plex__pms_oom(t->s, q);
    snprintf(path, sizeof(path), "/%s/:/transcode/universal/stop", kind_path(t));
    rc = plex_server_send(t->s, "GET", path, q);
    plex_query_free(q);
    /* PMS may answer 404 yet stop (PMS.md §4.5) */
    return rc == PLEX_ENOTFOUND ? 0 : rc;
}

/*
 * Route group "transcode" (PMS.md §4.5): the universal transcoder. The
 * decision is a real one for the client profile the request describes
 * (direct play when allowed and the file fits: container, codecs, bitrate,
 * resolution, no burned subtitles; else what is copied and what is
 * converted, with PMS's codes and texts, docs/plexsim.md); start.m3u8 /
 * start.mpd / start.mkv start a session (listed by /transcode/sessions until
 * stopped or killed) whose playlist and segments are served with
 * deterministic bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms/models.gen.h"
#include "play.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SEGMENT_MS 10000
#define SEGMENT_PACKETS 256 /* 188-byte TS packets per segment */
#define MAX_SEGMENTS 4000
#define HTTP_STREAM_BYTES ((int64_t)512 * 1024)

/* What the emulated client profile ("Generic") plays as it is. */
static const char *const dp_containers[] = {"mkv", "mp4", "mov", "mp3", "flac", "m4a", "aac"};
static const char *const dp_video[] = {"h264", "hevc"};
static const char *const dp_audio[] = {"aac", "ac3", "eac3", "mp3", "flac", "opus", "alac"};
/* What HLS/DASH segments carry as they are. */
static const char *const copy_audio[] = {"aac", "mp3", "ac3"};

static int in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* One decision and what it is made of. */
typedef struct decision {
    pms_item it;
    pms_media md;
    int music, direct_play, offline;
    const char *protocol; /* hls dash http */
    int general_code, dp_code, tc_code;
    char general_text[160], dp_text[200], tc_text[160];
    const char *video, *audio, *subtitle; /* copy transcode burn ignore, or NULL */
    const pms_stream *vs, *as, *ss;
    int width, height, bitrate; /* of what is sent */
    const char *container, *video_codec, *audio_codec;
} pms_decision;

/* "1280x720" into w, h; 0 or -1. */
static int parse_resolution(const char *v, int64_t *w, int64_t *h)
{
    char buf[32];
    char *x;

    if (!v || strlen(v) >= sizeof(buf))
        return -1;
    memcpy(buf, v, strlen(v) + 1);
    if (!(x = strchr(buf, 'x')))
        return -1;
    *x = '\0';
    return pms_parse_int(buf, w) == 0 && pms_parse_int(x + 1, h) == 0 && *w > 0 && *h > 0 ? 0 : -1;
}

/* The request's kind: "video" or "music"/"audio" from the path's first segment. */
static int kind_of(pms_ctx *c, int *music)
{
    if (strcmp(c->arg[0], "video") == 0)
        *music = 0;
    else if (strcmp(c->arg[0], "music") == 0 || strcmp(c->arg[0], "audio") == 0)
        *music = 1;
    else {
        pms_error(c, 404);
        return -1;
    }
    return 0;
}

/* Decide for the request (PMS.md §4.5): 0, or -1 after answering. */
static int decide(pms_ctx *c, pms_decision *d)
{
    const char *path = pms_arg(c, "path"), *proto = pms_arg(c, "protocol");
    const char *subs = pms_arg(c, "subtitles"), *ctx = pms_arg(c, "context");
    int64_t rk, mi, max_br, boost, w = 0, h = 0;
    int dp_allowed, ds_allowed, dsa_allowed, fits_br, fits_res, profile_ok, burn;

    memset(d, 0, sizeof(*d));
    if (kind_of(c, &d->music) != 0)
        return -1;
    if (!path || strncmp(path, "/library/metadata/", 18) != 0 ||
        pms_parse_int(path + 18, &rk) != 0 || rk <= 0) {
        pms_error(c, 400);
        return -1;
    }
    if (pms_item_get(c->p, rk, &d->it) != 0) {
        pms_error(c, 404);
        return -1;
    }
    if (pms_int_arg(c, "mediaIndex", 0, 16, 0, &mi) != 0 ||
        pms_int_arg(c, "maxVideoBitrate", 0, 1000000, 0, &max_br) != 0 ||
        pms_int_arg(c, "audioBoost", 0, 1000, 0, &boost) != 0)
        return -1;
    if (pms_media_get(c->p, &d->it, (int)mi, &d->md) != 0 ||
        (d->music && d->it.type != PMS_T_TRACK) || (!d->music && d->it.type == PMS_T_TRACK)) {
        pms_error(c, 400); /* no such Media, or not this kind of item */
        return -1;
    }
    if (pms_arg(c, "videoResolution") && parse_resolution(pms_arg(c, "videoResolution"), &w, &h)) {
        pms_error(c, 400);
        return -1;
    }
    if (proto && strcmp(proto, "hls") != 0 && strcmp(proto, "dash") != 0 &&
        strcmp(proto, "http") != 0) {
        pms_error(c, 400);
        return -1;
    }
    d->protocol = proto ? proto : "hls";
    d->offline = (ctx && strcmp(ctx, "static") == 0) || pms_flag(c, "offlineTranscode");
    dp_allowed = !pms_arg(c, "directPlay") || pms_flag(c, "directPlay");
    ds_allowed = !pms_arg(c, "directStream") || pms_flag(c, "directStream");
    dsa_allowed = !pms_arg(c, "directStreamAudio") || pms_flag(c, "directStreamAudio");
    for (int i = 0; i < d->md.nstreams; i++) {
        const pms_stream *s = &d->md.streams[i];
        if (s->stream_type == 1 && !d->vs)
            d->vs = s;
        else if (s->stream_type == 2 && (!d->as || s->selected))
            d->as = s;
        else if (s->stream_type == 3 &&
                 (s->selected || (s->forced && !d->ss && !d->md.no_subtitles)))
            d->ss = s;
    }
    if (!d->ss && !d->md.no_subtitles && subs &&
        (strcmp(subs, "burn") == 0 || strcmp(subs, "sidecar") == 0))
        for (int i = 0; i < d->md.nstreams && !d->ss; i++)
            if (d->md.streams[i].stream_type == 3)
                d->ss = &d->md.streams[i]; /* asked for subtitles, none chosen: the first */
    burn = d->ss && ((subs && strcmp(subs, "burn") == 0) ||
                     ((!subs || strcmp(subs, "auto") == 0) && strcmp(d->ss->codec, "pgs") == 0));
    fits_br = !max_br || d->md.bitrate <= max_br;
    fits_res = !w || d->music || (d->md.width <= w && d->md.height <= h);
    profile_ok = in(d->md.container, dp_containers, COUNT(dp_containers)) &&
                 (d->music || in(d->md.video_codec, dp_video, COUNT(dp_video))) &&
                 in(d->md.audio_codec, dp_audio, COUNT(dp_audio));
    d->direct_play = dp_allowed && fits_br && fits_res && profile_ok && !burn && !boost;
    if (d->direct_play) {
        d->general_code = d->dp_code = 1000;
        snprintf(d->general_text, sizeof(d->general_text), "Direct play OK.");
        snprintf(d->dp_text, sizeof(d->dp_text), "Direct play OK.");
        d->video = d->vs ? "copy" : NULL;
        d->audio = d->as ? "copy" : NULL;
        d->subtitle = d->ss ? "copy" : NULL;
        d->width = d->md.width;
        d->height = d->md.height;
        d->bitrate = d->md.bitrate;
        d->container = d->md.container;
        d->video_codec = d->md.video_codec;
        d->audio_codec = d->md.audio_codec;
        return 0;
    }
    d->general_code = d->tc_code = 1001;
    snprintf(d->general_text, sizeof(d->general_text), "Direct play not available; Conversion OK.");
    snprintf(d->tc_text, sizeof(d->tc_text), "Direct play not available; Conversion OK.");
    if (!dp_allowed) {
        d->dp_code = 3000;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. Direct play is disabled.");
    } else if (!fits_br) {
        d->dp_code = 3001;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. Its bitrate (%d kbps) is over the limit "
                 "(%lld kbps).",
                 d->md.bitrate, (long long)max_br);
    } else if (!fits_res) {
        d->dp_code = 3002;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. Its resolution (%dx%d) is over the limit "
                 "(%lldx%lld).",
                 d->md.width, d->md.height, (long long)w, (long long)h);
    } else if (burn) {
        d->dp_code = 3003;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. Subtitles must be burned in.");
    } else if (boost) {
        d->dp_code = 3004;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. Audio boost needs the audio converted.");
    } else {
        d->dp_code = 3005;
        snprintf(d->dp_text, sizeof(d->dp_text),
                 "App cannot direct play this item. No direct play profile exists for %s "
                 "(%s, %s).",
                 d->md.container, d->music ? "no video" : d->md.video_codec, d->md.audio_codec);
    }
    /* the video: copied when allowed and it fits, else converted to H.264 */
    d->width = d->md.width;
    d->height = d->md.height;
    d->bitrate = d->md.bitrate;
    if (d->vs) {
        int copy =
            ds_allowed && strcmp(d->md.video_codec, "h264") == 0 && fits_br && fits_res && !burn;
        d->video = copy ? "copy" : "transcode";
        d->video_codec = "h264";
        if (!copy) {
            if (w && (d->width > w || d->height > h)) {
                /* scale into the box, keeping the aspect */
                if ((int64_t)d->width * h > (int64_t)d->height * w) {
                    d->height = (int)((int64_t)d->height * w / d->width);
                    d->width = (int)w;
                } else {
                    d->width = (int)((int64_t)d->width * h / d->height);
                    d->height = (int)h;
                }
            }
            if (max_br && d->bitrate > max_br)
                d->bitrate = (int)max_br;
        }
    }
    if (d->as) {
        int copy = dsa_allowed && !boost && in(d->md.audio_codec, copy_audio, COUNT(copy_audio));
        d->audio = copy ? "copy" : "transcode";
        d->audio_codec = copy ? d->md.audio_codec : d->music ? "mp3" : "aac";
        if (d->music && !copy)
            d->bitrate = 320;
    }
    if (d->ss)
        d->subtitle = burn ? "burn" : subs && strcmp(subs, "none") == 0 ? "ignore" : "copy";
    d->container = strcmp(d->protocol, "dash") == 0   ? "mp4"
                   : strcmp(d->protocol, "http") == 0 ? (d->music ? "mp3" : "mkv")
                                                      : "mpegts";
    return 0;
}

static plex_stream *render_stream(pms_ctx *c, const pms_stream *s, const char *decision,
                                  const char *location, const char *codec)
{
    plex_stream *o = plex__arena_alloc(c->arena, sizeof(*o));

    if (!o)
        return NULL;
    memset(o, 0, sizeof(*o));
    o->id = s->id;
    PMS_SET(o, PLEX_STREAM_ID);
    o->stream_type = s->stream_type;
    PMS_SET(o, PLEX_STREAM_STREAM_TYPE);
    o->codec = codec ? codec : s->codec;
    o->language_code = s->language_code;
    o->display_title = s->display;
    o->decision = decision;
    o->location = location;
    if (s->selected) {
        o->selected = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_SELECTED);
    }
    if (decision && strcmp(decision, "burn") == 0) {
        o->burn = PLEX_TRUE;
        PMS_SET(o, PLEX_STREAM_BURN);
    }
    return o;
}

/* The decision's answer: the codes, and the item with the chosen Media. */
static void reply_decision(pms_ctx *c, const pms_decision *d)
{
    plex_container *mc = pms_container(c);
    plex_metadata *m = pms_render_item(c->p, c->arena, &d->it, PMS_R_SECTION);
    plex_media *me = plex__arena_alloc(c->arena, sizeof(*me));
    plex_part *pa = plex__arena_alloc(c->arena, sizeof(*pa));
    const plex_media **mlist = plex__arena_alloc(c->arena, sizeof(void *));
    const plex_part **plist = plex__arena_alloc(c->arena, sizeof(void *));
    const plex_stream **slist = plex__arena_alloc(c->arena, 3 * sizeof(void *));
    const plex_metadata **items = plex__arena_alloc(c->arena, sizeof(void *));
    const char *seg = d->music ? "segments-audio" : "segments-av";
    size_t ns = 0;

    if (!mc || !m || !me || !pa || !mlist || !plist || !slist || !items) {
        pms_error(c, 500);
        return;
    }
    mc->general_decision_code = d->general_code;
    mc->general_decision_text = d->general_text;
    PMS_SET(mc, PLEX_CONTAINER_GENERAL_DECISION_CODE);
    mc->direct_play_decision_code = d->dp_code;
    mc->direct_play_decision_text = d->dp_text;
    PMS_SET(mc, PLEX_CONTAINER_DIRECT_PLAY_DECISION_CODE);
    if (d->tc_code) {
        mc->transcode_decision_code = d->tc_code;
        mc->transcode_decision_text = d->tc_text;
        PMS_SET(mc, PLEX_CONTAINER_TRANSCODE_DECISION_CODE);
    }
    mc->identifier = "com.plexapp.plugins.library";
    memset(me, 0, sizeof(*me));
    memset(pa, 0, sizeof(*pa));
    me->id = d->md.id;
    PMS_SET(me, PLEX_MEDIA_ID);
    me->duration = d->md.duration;
    PMS_SET(me, PLEX_MEDIA_DURATION);
    me->bitrate = d->bitrate;
    PMS_SET(me, PLEX_MEDIA_BITRATE);
    if (!d->music) {
        me->width = d->width;
        me->height = d->height;
        PMS_SET(me, PLEX_MEDIA_WIDTH);
        PMS_SET(me, PLEX_MEDIA_HEIGHT);
        me->video_codec = d->video_codec;
    }
    me->audio_codec = d->audio_codec;
    me->container = d->container;
    me->selected = PLEX_TRUE;
    PMS_SET(me, PLEX_MEDIA_SELECTED);
    pa->id = d->md.part_id;
    PMS_SET(pa, PLEX_PART_ID);
    pa->duration = d->md.duration;
    PMS_SET(pa, PLEX_PART_DURATION);
    pa->container = d->container;
    pa->decision = d->direct_play ? "directplay" : "transcode";
    pa->selected = PLEX_TRUE;
    PMS_SET(pa, PLEX_PART_SELECTED);
    if (d->direct_play) {
        pa->key = d->md.part_key;
        pa->file = d->md.file;
        pa->size = d->md.size;
        PMS_SET(pa, PLEX_PART_SIZE);
    } else {
        me->protocol = d->protocol;
        pa->protocol = d->protocol;
    }
    if (d->vs && !(slist[ns++] = render_stream(c, d->vs, d->video, d->direct_play ? "direct" : seg,
                                               d->video_codec)))
        goto oom;
    if (d->as && !(slist[ns++] = render_stream(c, d->as, d->audio, d->direct_play ? "direct" : seg,
                                               d->audio_codec)))
        goto oom;
    if (d->ss &&
        !(slist[ns++] = render_stream(c, d->ss, d->subtitle,
                                      d->direct_play                       ? "direct"
                                      : strcmp(d->subtitle, "burn") == 0   ? "segments-video"
                                      : strcmp(d->subtitle, "ignore") == 0 ? NULL
                                                                           : "sidecar-subs",
                                      NULL)))
        goto oom;
    pa->streams = slist;
    pa->streams_count = ns;
    plist[0] = pa;
    me->parts = plist;
    me->parts_count = 1;
    mlist[0] = me;
    m->media = mlist;
    m->media_count = 1;
    items[0] = m;
    mc->items = items;
    mc->items_count = 1;
    pms_reply_container(c, mc);
    return;
oom:
    pms_error(c, 500);
}

/* GET /{video|music}/:/transcode/universal/decision */
static void decision_route(pms_ctx *c)
{
    pms_decision d;

    if (decide(c, &d) == 0)
        reply_decision(c, &d);
}

/* ---- sessions ---- */

pms_transcode *pms_transcode_find(pms_play *pl, const char *key)
{
    for (size_t i = 0; pl && key && i < pl->ntranscodes; i++)
        if (strcmp(pl->transcodes[i].key, key) == 0)
            return &pl->transcodes[i];
    return NULL;
}

static int segment_count(const pms_transcode *t)
{
    int64_t n = (t->duration + SEGMENT_MS - 1) / SEGMENT_MS;
    return n < 1 ? 1 : n > MAX_SEGMENTS ? MAX_SEGMENTS : (int)n;
}

plex_transcode_session *pms_render_transcode(plex__arena *a, const pms_transcode *t)
{
    plex_transcode_session *o = plex__arena_alloc(a, sizeof(*o));

    if (!o)
        return NULL;
    memset(o, 0, sizeof(*o));
    o->key = t->key;
    o->throttled = PLEX_FALSE;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_THROTTLED);
    o->complete = t->segments >= segment_count(t) ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_COMPLETE);
    o->progress = 100.0 * t->segments / segment_count(t);
    PMS_SET(o, PLEX_TRANSCODE_SESSION_PROGRESS);
    o->speed = 2.5;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_SPEED);
    o->duration = t->duration;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_DURATION);
    o->remaining = (int64_t)(segment_count(t) - t->segments) * SEGMENT_MS / 2500;
    if (o->remaining < 0)
        o->remaining = 0;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_REMAINING);
    o->context = t->offline ? "static" : "streaming";
    o->source_video_codec = t->source_video[0] ? t->source_video : NULL;
    o->source_audio_codec = t->source_audio[0] ? t->source_audio : NULL;
    o->video_decision = t->video_decision[0] ? t->video_decision : NULL;
    o->audio_decision = t->audio_decision[0] ? t->audio_decision : NULL;
    o->subtitle_decision = t->subtitle_decision[0] ? t->subtitle_decision : NULL;
    o->protocol = t->protocol;
    o->container = t->container;
    o->video_codec = t->video_codec[0] ? t->video_codec : NULL;
    o->audio_codec = t->audio_codec[0] ? t->audio_codec : NULL;
    o->audio_channels = t->channels;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_AUDIO_CHANNELS);
    if (!t->music) {
        o->width = t->width;
        o->height = t->height;
        PMS_SET(o, PLEX_TRANSCODE_SESSION_WIDTH);
        PMS_SET(o, PLEX_TRANSCODE_SESSION_HEIGHT);
    }
    o->offline_transcode = t->offline ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_OFFLINE_TRANSCODE);
    o->time_stamp = (double)t->started;
    PMS_SET(o, PLEX_TRANSCODE_SESSION_TIME_STAMP);
    return o;
}

static void set(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* 1 if a session id is URL-unreserved characters only: it becomes a path
 * segment of the playlists and manifests (and an XML attribute's value). */
static int session_id_ok(const char *key)
{
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_' || *p == '~'))
            return 0;
    return 1;
}

/* Start or refresh the session of the request's decision; NULL after answering. */
static pms_transcode *start_session(pms_ctx *c, const pms_decision *d)
{
    pms_play *pl = pms_play_of(c->p);
    const char *key = pms_arg(c, "session");
    pms_transcode *t;
    int fresh = 0;

    if (!key)
        key = pms_arg(c, "transcodeSessionId");
    if (!pl) {
        pms_error(c, 500);
        return NULL;
    }
    if (!key || !*key || strlen(key) >= sizeof(pl->transcodes[0].key) || !session_id_ok(key)) {
        pms_error(c, 400);
        return NULL;
    }
    if (!(t = pms_transcode_find(pl, key))) {
        if (pl->ntranscodes == PMS_MAX_TRANSCODES) {
            pms_error(c, 503); /* the server's transcoder is full */
            return NULL;
        }
        t = &pl->transcodes[pl->ntranscodes++];
        memset(t, 0, sizeof(*t));
        set(t->key, sizeof(t->key), key);
        t->started = pms_play_now(c);
        fresh = 1;
    }
    t->rating_key = d->it.rating_key;
    t->music = d->music;
    t->offline = d->offline;
    set(t->protocol, sizeof(t->protocol), d->protocol);
    set(t->container, sizeof(t->container), d->container);
    /* direct play asked through the transcoder: everything copied */
    set(t->video_decision, sizeof(t->video_decision), d->direct_play && d->vs ? "copy" : d->video);
    set(t->audio_decision, sizeof(t->audio_decision), d->direct_play && d->as ? "copy" : d->audio);
    set(t->subtitle_decision, sizeof(t->subtitle_decision), d->subtitle);
    set(t->source_video, sizeof(t->source_video), d->music ? NULL : d->md.video_codec);
    set(t->source_audio, sizeof(t->source_audio), d->md.audio_codec);
    set(t->video_codec, sizeof(t->video_codec), d->music ? NULL : d->video_codec);
    set(t->audio_codec, sizeof(t->audio_codec), d->audio_codec);
    t->width = d->width;
    t->height = d->height;
    t->bitrate = d->bitrate;
    t->channels = d->as ? (d->as->channels > 2 && strcmp(d->audio ? d->audio : "", "copy") != 0
                               ? 2
                               : d->as->channels)
                        : 0;
    t->duration = d->md.duration;
    t->last_seen = pms_play_now(c);
    pms_transcode_changed(c->p, t, fresh ? "start" : "update");
    return t;
}

/* Deterministic bytes of segment n of a session: TS packets (0x47 sync
 * bytes) whose payload comes from the seed, the session and n. */
typedef struct seg_stream {
    uint64_t state;
    int ts;
} seg_stream;

static long seg_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    seg_stream *s = cls;
    uint64_t total = (uint64_t)SEGMENT_PACKETS * 188;
    size_t n;

    if (pos >= total)
        return 0;
    n = total - pos < max ? (size_t)(total - pos) : max;
    for (size_t i = 0; i < n; i++) {
        uint64_t at = pos + i;
        if (s->ts && at % 188 == 0) {
            buf[i] = 0x47;
        } else {
            uint64_t x = s->state ^ (at * 0x9e3779b97f4a7c15ULL);
            x ^= x >> 31;
            x *= 0xbf58476d1ce4e5b9ULL;
            x ^= x >> 29;
            buf[i] = (char)(x & 0xff);
        }
    }
    return (long)n;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static void reply_segment(pms_ctx *c, const pms_transcode *t, int n, int ts)
{
    seg_stream *s = malloc(sizeof(*s));

    if (!s) {
        pms_error(c, 500);
        return;
    }
    s->state = hash_str(c->p->seed ^ 0xcbf29ce484222325ULL, t->key) ^ (uint64_t)n;
    s->ts = ts;
    sim_response_dispose(c->rs);
    c->rs->status = 200;
    c->rs->content_type = ts ? "video/mp2t" : "video/iso.segment";
    c->rs->stream.read = seg_read;
    c->rs->stream.release = free;
    c->rs->stream.cls = s;
    c->rs->stream.size = (int64_t)SEGMENT_PACKETS * 188;
}

/* The HLS master playlist, pointing at the session's media playlist. */
static void reply_m3u8(pms_ctx *c, const pms_transcode *t)
{
    plex__buf b = PLEX__BUF_INIT;

    plex__buf_printf(&b, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=%d", t->bitrate * 1000);
    if (!t->music)
        plex__buf_printf(&b, ",RESOLUTION=%dx%d,CODECS=\"avc1.640028,mp4a.40.2\"", t->width,
                         t->height);
    plex__buf_printf(&b, "\nsession/%s/base/index.m3u8\n", t->key);
    pms_reply_body(c, &b, "application/vnd.apple.mpegurl");
}

static void reply_mpd(pms_ctx *c, const pms_transcode *t)
{
    plex__buf b = PLEX__BUF_INIT;
    int64_t ms = t->duration;

    plex__buf_printf(&b,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
                     "mediaPresentationDuration=\"PT%lld.%03lldS\" minBufferTime=\"PT10S\" "
                     "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\">\n"
                     "<Period id=\"0\"><AdaptationSet segmentAlignment=\"true\">\n"
                     "<SegmentTemplate timescale=\"1000\" duration=\"%d\" startNumber=\"0\" "
                     "media=\"session/%s/base/$Number$.m4s\"/>\n"
                     "<Representation id=\"0\" bandwidth=\"%d\" mimeType=\"%s\"",
                     (long long)(ms / 1000), (long long)(ms % 1000), SEGMENT_MS, t->key,
                     t->bitrate * 1000, t->music ? "audio/mp4" : "video/mp4");
    if (!t->music)
        plex__buf_printf(&b, " width=\"%d\" height=\"%d\" codecs=\"avc1.640028,mp4a.40.2\"",
                         t->width, t->height);
    plex__buf_puts(&b, "/>\n</AdaptationSet></Period>\n</MPD>\n");
    pms_reply_body(c, &b, "application/dash+xml");
}

/* GET /{video|music}/:/transcode/universal/start.{ext} */
static void start(pms_ctx *c)
{
    const char *ext = c->arg[1];
    pms_transcode *t;
    pms_decision d;

    if (strncmp(ext, "start.", 6) != 0) {
        pms_error(c, 404);
        return;
    }
    ext += 6;
    if (decide(c, &d) != 0)
        return;
    if (!(t = start_session(c, &d)))
        return;
    if (strcmp(ext, "m3u8") == 0 && strcmp(t->protocol, "hls") == 0) {
        reply_m3u8(c, t);
    } else if (strcmp(ext, "mpd") == 0 && strcmp(t->protocol, "dash") == 0) {
        reply_mpd(c, t);
    } else if ((strcmp(ext, "mkv") == 0 || strcmp(ext, "mp4") == 0 || strcmp(ext, "mp3") == 0) &&
               strcmp(t->protocol, "http") == 0) {
        seg_stream *s = malloc(sizeof(*s));
        if (!s) {
            pms_error(c, 500);
            return;
        }
        s->state = hash_str(c->p->seed, t->key);
        s->ts = 0;
        sim_response_dispose(c->rs);
        c->rs->status = 200;
        c->rs->content_type = t->music ? "audio/mpeg" : "video/x-matroska";
        c->rs->stream.read = seg_read;
        c->rs->stream.release = free;
        c->rs->stream.cls = s;
        c->rs->stream.size = (int64_t)SEGMENT_PACKETS * 188;
        t->segments = segment_count(t);
    } else {
        pms_error(c, 400); /* the extension does not match protocol= */
    }
}

/* GET /{video|music}/:/transcode/universal/session/{key}/base/{file}:
 * index.m3u8 (the media playlist) or N.ts / N.m4s (a segment). */
static void session_file(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    pms_transcode *t = pms_transcode_find(pl, c->arg[1]);
    const char *file = c->arg[2], *dot = strrchr(file, '.');
    char num[16];
    int64_t n;
    int music;

    if (kind_of(c, &music) != 0)
        return;
    if (!t || !dot) {
        pms_error(c, 404);
        return;
    }
    t->last_seen = pms_play_now(c);
    if (strcmp(file, "index.m3u8") == 0) {
        plex__buf b = PLEX__BUF_INIT;
        int count = segment_count(t);
        plex__buf_printf(&b,
                         "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
                         "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
                         SEGMENT_MS / 1000);
        for (int i = 0; i < count; i++) {
            int64_t len = i + 1 < count ? SEGMENT_MS : t->duration - (int64_t)i * SEGMENT_MS;
            if (len <= 0)
                len = SEGMENT_MS;
            plex__buf_printf(&b, "#EXTINF:%lld.%03lld,\n%d.ts\n", (long long)(len / 1000),
                             (long long)(len % 1000), i);
        }
        plex__buf_puts(&b, "#EXT-X-ENDLIST\n");
        pms_reply_body(c, &b, "application/vnd.apple.mpegurl");
        return;
    }
    if ((size_t)(dot - file) >= sizeof(num) ||
        (strcmp(dot, ".ts") != 0 && strcmp(dot, ".m4s") != 0)) {
        pms_error(c, 404);
        return;
    }
    memcpy(num, file, (size_t)(dot - file));
    num[dot - file] = '\0';
    if (pms_parse_int(num, &n) != 0 || n < 0 || n >= segment_count(t)) {
        pms_error(c, 404);
        return;
    }
    if ((int)n + 1 > t->segments) {
        t->segments = (int)n + 1;
        pms_transcode_changed(c->p, t, "update");
    }
    reply_segment(c, t, (int)n, strcmp(dot, ".ts") == 0);
}

static void remove_transcode(pms_ctx *c, pms_play *pl, pms_transcode *t)
{
    pms_transcode_changed(c->p, t, "end");
    *t = pl->transcodes[--pl->ntranscodes];
}

/* GET /{video|music}/:/transcode/universal/stop?session= (PUT/DELETE too) */
static void stop(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    const char *key = pms_arg(c, "session");
    pms_transcode *t;
    int music;

    if (kind_of(c, &music) != 0)
        return;
    if (!key)
        key = pms_arg(c, "transcodeSessionId");
    if (!key) {
        pms_error(c, 400);
        return;
    }
    if (!(t = pms_transcode_find(pl, key))) {
        pms_error(c, 404);
        return;
    }
    remove_transcode(c, pl, t);
    pms_reply_empty(c, 200);
}

/* GET /transcode/sessions and /transcode/sessions/{key} */
static void sessions(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    plex_container *mc = pms_container(c);
    plex__buf b = PLEX__BUF_INIT;
    pms_doc d;
    size_t n = 0;

    if (!pl || !mc) {
        pms_error(c, 500);
        return;
    }
    if (c->nargs && !pms_transcode_find(pl, c->arg[0])) {
        pms_error(c, 404);
        return;
    }
    for (size_t i = 0; i < pl->ntranscodes; i++)
        n += !c->nargs || strcmp(pl->transcodes[i].key, c->arg[0]) == 0;
    mc->size = (int)n;
    pms_doc_open(&d, &b, c->json, mc);
    for (size_t i = 0; i < pl->ntranscodes; i++) {
        plex_transcode_session *o;
        if (c->nargs && strcmp(pl->transcodes[i].key, c->arg[0]) != 0)
            continue;
        if (!(o = pms_render_transcode(c->arena, &pl->transcodes[i]))) {
            plex__buf_dispose(&b);
            pms_error(c, 500);
            return;
        }
        pms_doc_child(&d, "TranscodeSession", &plex__transcode_session_schema, o);
    }
    pms_doc_close(&d);
    pms_reply_body(c, &b, NULL);
}

/* DELETE /transcode/sessions/{key} */
static void kill_session(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    pms_transcode *t = pms_transcode_find(pl, c->arg[0]);

    if (!t) {
        pms_error(c, 404);
        return;
    }
    remove_transcode(c, pl, t);
    pms_reply_empty(c, 200);
}

static const pms_route routes[] = {
    {"GET", "/{kind}/:/transcode/universal/decision", decision_route, 0},
    {"GET", "/{kind}/:/transcode/universal/stop", stop, 0},
    {"GET", "/{kind}/:/transcode/universal/{start}", start, 0},
    {"GET", "/{kind}/:/transcode/universal/session/{key}/base/{file}", session_file, 0},
    {"PUT", "/{kind}/:/transcode/universal/stop", stop, 0},
    {"DELETE", "/{kind}/:/transcode/universal/stop", stop, 0},
    {"GET", "/transcode/sessions", sessions, 0},
    {"GET", "/transcode/sessions/{key}", sessions, 0},
    {"DELETE", "/transcode/sessions/{key}", kill_session, 0},
};

const pms_group pms_group_transcode = PMS_GROUP("transcode", routes);

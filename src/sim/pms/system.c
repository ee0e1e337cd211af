/*
 * Route group "server": the server itself (PMS.md §2.6, §4.1): /, /identity,
 * /media/providers, /:/prefs (get and set), /servers, /clients, /devices,
 * /accounts, /myplex/account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms.h"
#include "pms/models.gen.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void set_bool(plex_container *mc, unsigned int bit, plex_opt_bool *slot, int v)
{
    *slot = v ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(mc, bit);
}

#define BOOL(mc, FIELD, member, v) set_bool((mc), PLEX_CONTAINER_##FIELD, &(mc)->member, (v))
#define INT(mc, FIELD, member, v)                                                                  \
    do {                                                                                           \
        (mc)->member = (v);                                                                        \
        PMS_SET((mc), PLEX_CONTAINER_##FIELD);                                                     \
    } while (0)

static const char *friendly_name(const pms_ctx *c)
{
    return pms_pref_value(c->p, (size_t)pms_pref_find("FriendlyName"));
}

/* The attributes / and /media/providers share. */
static void server_attrs(pms_ctx *c, plex_container *mc)
{
    mc->machine_identifier = SIM_SERVER_ID;
    mc->version = SIM_SERVER_VERSION;
    mc->friendly_name = friendly_name(c);
    mc->platform = "Linux";
    mc->platform_version = "6.1.0";
    BOOL(mc, MY_PLEX, my_plex, 1);
    mc->my_plex_username = SIM_USER_EMAIL;
    BOOL(mc, MY_PLEX_SUBSCRIPTION, my_plex_subscription, 1);
    mc->my_plex_signin_state = "ok";
    mc->my_plex_mapping_state = "mapped";
    BOOL(mc, ALLOW_SYNC, allow_sync, 1);
    BOOL(mc, ALLOW_SHARING, allow_sharing, 1);
    BOOL(mc, ALLOW_MEDIA_DELETION, allow_media_deletion, 1);
    BOOL(mc, ALLOW_CAMERA_UPLOAD, allow_camera_upload, 1);
    BOOL(mc, ALLOW_CHANNEL_ACCESS, allow_channel_access, 1);
    BOOL(mc, ALLOW_TUNERS, allow_tuners, 0);
    BOOL(mc, BACKGROUND_PROCESSING, background_processing, 1);
    BOOL(mc, CERTIFICATE, certificate, 1);
    BOOL(mc, COMPANION_PROXY, companion_proxy, 1);
    mc->country_code = "nld";
    mc->diagnostics = "logs,databases,streaminglogs";
    BOOL(mc, EVENT_STREAM, event_stream, 1);
    BOOL(mc, HUB_SEARCH, hub_search, 1);
    BOOL(mc, ITEM_CLUSTERS, item_clusters, 1);
    INT(mc, LIVETV, livetv, 7);
    BOOL(mc, MEDIA_PROVIDERS, media_providers, 1);
    BOOL(mc, MULTIUSER, multiuser, 1);
    INT(mc, MUSIC_ANALYSIS, music_analysis, 2);
    INT(mc, OFFLINE_TRANSCODE, offline_transcode, 1);
    mc->owner_features = "adaptive_bitrate,camera_upload,collections,content_filter,dvr,"
                         "hardware_transcoding,home,hwtranscode,lyrics,music_videos,pass,"
                         "photos-v5,premium_music_metadata,session_bandwidth_restrictions,"
                         "session_kick,sync,trailers,webhooks";
    BOOL(mc, PHOTO_AUTO_TAG, photo_auto_tag, 1);
    BOOL(mc, PLUGIN_HOST, plugin_host, 1);
    BOOL(mc, PUSH_NOTIFICATIONS, push_notifications, 0);
    BOOL(mc, READ_ONLY_LIBRARIES, read_only_libraries, 0);
    INT(mc, STREAMING_BRAIN_ABR_VERSION, streaming_brain_abr_version, 3);
    INT(mc, STREAMING_BRAIN_VERSION, streaming_brain_version, 2);
    BOOL(mc, SYNC, sync, 1);
    INT(mc, TRANSCODER_ACTIVE_VIDEO_SESSIONS, transcoder_active_video_sessions, 0);
    BOOL(mc, TRANSCODER_AUDIO, transcoder_audio, 1);
    BOOL(mc, TRANSCODER_LYRICS, transcoder_lyrics, 1);
    BOOL(mc, TRANSCODER_PHOTO, transcoder_photo, 1);
    BOOL(mc, TRANSCODER_SUBTITLES, transcoder_subtitles, 1);
    BOOL(mc, TRANSCODER_VIDEO, transcoder_video, 1);
    mc->transcoder_video_bitrates = "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000";
    mc->transcoder_video_qualities = "0,16,26,30,36,42,48,56,64,70,80";
    mc->transcoder_video_resolutions = "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080";
    INT(mc, UPDATED_AT, updated_at, PMS_EPOCH);
    BOOL(mc, UPDATER, updater, 1);
    BOOL(mc, VOICE_SEARCH, voice_search, 1);
}

static plex_directory *directory(pms_ctx *c, const char *key, const char *title)
{
    plex_directory *d = plex__arena_alloc(c->arena, sizeof(*d));

    if (!d)
        return NULL;
    memset(d, 0, sizeof(*d));
    d->key = key;
    d->title = title;
    d->count = 1;
    PMS_SET(d, PLEX_DIRECTORY_COUNT);
    return d;
}

static void root(pms_ctx *c)
{
    static const char *const keys[] = {
        "activities", "butler",     "channels",  "clients",   "diagnostics", "hubs",
        "library",    "livetv",     "media",     "metadata",  "music",       "neighborhood",
        "playQueues", "player",     "playlists", "resources", "search",      "server",
        "servers",    "statistics", "system",    "transcode", "updater",     "user"};
    plex_container *mc = pms_container(c);
    const plex_directory **dirs = plex__arena_alloc(c->arena, sizeof(void *) * COUNT(keys));

    if (!mc || !dirs) {
        pms_error(c, 500);
        return;
    }
    server_attrs(c, mc);
    for (size_t i = 0; i < COUNT(keys); i++)
        if (!(dirs[i] = directory(c, keys[i], keys[i]))) {
            pms_error(c, 500);
            return;
        }
    mc->directories = dirs;
    mc->directories_count = COUNT(keys);
    pms_reply_container(c, mc);
}

static void identity(pms_ctx *c)
{
    plex_container *mc = pms_container(c);

    if (!mc) {
        pms_error(c, 500);
        return;
    }
    BOOL(mc, CLAIMED, claimed, 1);
    mc->machine_identifier = SIM_SERVER_ID;
    mc->version = SIM_SERVER_VERSION;
    mc->api_version = "1.1.1";
    pms_reply_container(c, mc);
}

/* ---- /media/providers ---- */

static plex_provider_feature *feature(pms_ctx *c, const char *type, const char *key)
{
    plex_provider_feature *f = plex__arena_alloc(c->arena, sizeof(*f));

    if (f) {
        memset(f, 0, sizeof(*f));
        f->type = type;
        f->key = key;
    }
    return f;
}

static void providers(pms_ctx *c)
{
    static const char *const simple[][2] = {{"search", "/hubs/search"},
                                            {"match", "/library/matches"},
                                            {"metadata", "/library/metadata"},
                                            {"rate", "/:/rate"},
                                            {"imagetranscoder", "/photo/:/transcode"},
                                            {"promoted", "/hubs/promoted"},
                                            {"continuewatching", "/hubs/continueWatching"},
                                            {"playlist", "/playlists"},
                                            {"collection", "/library/collections"},
                                            {"manage", NULL},
                                            {"queryParser", NULL}};
    plex_container *mc = pms_container(c);
    plex_provider *pv = plex__arena_alloc(c->arena, sizeof(*pv));
    const plex_provider **pvs = plex__arena_alloc(c->arena, sizeof(void *));
    const plex_provider_feature **fs =
        plex__arena_alloc(c->arena, sizeof(void *) * (COUNT(simple) + 4));
    plex_provider_feature *f;
    size_t n = 0;
    int nd;

    if (!mc || !pv || !pvs || !fs) {
        pms_error(c, 500);
        return;
    }
    server_attrs(c, mc);
    memset(pv, 0, sizeof(*pv));
    pv->identifier = "com.plexapp.plugins.library";
    pv->title = "Library";
    pv->types = "video,audio,photo";
    pv->protocols = "stream,download";
    if (!(f = feature(c, "content", "/library/sections")) ||
        (nd = pms_section_directories(c, &f->directories)) < 0) {
        pms_error(c, 500);
        return;
    }
    f->directories_count = (size_t)nd;
    fs[n++] = f;
    for (size_t i = 0; i < COUNT(simple); i++)
        if ((f = feature(c, simple[i][0], simple[i][1])) != NULL)
            fs[n++] = f;
    if ((f = feature(c, "playqueue", "/playQueues")) != NULL) {
        f->flavor = "universal";
        fs[n++] = f;
    }
    if ((f = feature(c, "timeline", "/:/timeline")) != NULL) {
        f->scrobble_key = "/:/scrobble";
        f->unscrobble_key = "/:/unscrobble";
        fs[n++] = f;
    }
    if ((f = feature(c, "subscribe", NULL)) != NULL) {
        f->flavor = "download";
        fs[n++] = f;
    }
    pv->features = fs;
    pv->features_count = n;
    pvs[0] = pv;
    mc->providers = pvs;
    mc->providers_count = 1;
    pms_reply_container(c, mc);
}

/* ---- preferences ---- */

static plex_setting *setting(pms_ctx *c, size_t i)
{
    const pms_pref_info *pi = pms_pref_at(i);
    plex_setting *s = plex__arena_alloc(c->arena, sizeof(*s));
    int text;

    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    text = strcmp(pi->type, "text") == 0;
    s->id = pi->id;
    s->label = pi->label;
    s->summary = pi->summary;
    s->type = pi->type;
    /* typed by `type` in JSON; text settings stay strings even when numeric */
    s->default_value.type = text                            ? PLEX_VALUE_STRING
                            : strcmp(pi->type, "bool") == 0 ? PLEX_VALUE_BOOL
                                                            : PLEX_VALUE_NUMBER;
    s->default_value.text = pi->def;
    s->value.type = s->default_value.type;
    s->value.text = pms_pref_value(c->p, i);
    s->hidden = pi->hidden ? PLEX_TRUE : PLEX_FALSE;
    s->advanced = pi->advanced ? PLEX_TRUE : PLEX_FALSE;
    PMS_SET(s, PLEX_SETTING_HIDDEN);
    PMS_SET(s, PLEX_SETTING_ADVANCED);
    s->group = pi->group;
    s->enum_values = pi->enum_values;
    return s;
}

static void settings_reply(pms_ctx *c, int only)
{
    plex_container *mc = pms_container(c);
    size_t n = only >= 0 ? 1 : pms_pref_count();
    const plex_setting **arr = plex__arena_alloc(c->arena, sizeof(void *) * n);

    if (!mc || !arr) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!(arr[i] = setting(c, only >= 0 ? (size_t)only : i))) {
            pms_error(c, 500);
            return;
        }
    mc->settings = arr;
    mc->settings_count = n;
    pms_reply_container(c, mc);
}

typedef struct pref_set {
    pms_ctx *c;
    int bad, count, apply;
} pref_set;

/* Each argument naming a pref is a value to set (X-Plex-* are not prefs). */
static int pref_arg(void *user, const char *key, const char *value)
{
    pref_set *ps = user;
    char norm[1100];
    int i;

    if (!key || strncmp(key, "X-Plex-", 7) == 0)
        return 0;
    i = pms_pref_find(key);
    if (i < 0 || pms_pref_check((size_t)i, value ? value : "", norm, sizeof(norm)) != 0) {
        ps->bad = 1;
        return 1;
    }
    ps->count++;
    if (ps->apply && pms_pref_set(ps->c->p, (size_t)i, norm) != 0)
        ps->bad = 1;
    return 0;
}

/* Check every value first, then set them all (or none): 0, or the status. */
static int set_prefs(pms_ctx *c, int *count)
{
    pref_set ps;

    memset(&ps, 0, sizeof(ps));
    ps.c = c;
    if (c->rq->each)
        c->rq->each(c->rq->ctx, pref_arg, &ps);
    if (ps.bad)
        return 400;
    ps.apply = 1;
    if (c->rq->each)
        c->rq->each(c->rq->ctx, pref_arg, &ps);
    *count = ps.count / 2;
    return ps.bad ? 500 : 0;
}

static void prefs_get(pms_ctx *c)
{
    int count = 0, status;

    /* old clients set prefs with GET: any pref named in the query is set */
    if ((status = set_prefs(c, &count)) != 0) {
        pms_error(c, status);
        return;
    }
    settings_reply(c, -1);
}

static void prefs_put(pms_ctx *c)
{
    int count = 0, status = set_prefs(c, &count);

    if (status)
        pms_error(c, status);
    else
        pms_reply_empty(c, 200);
}

static void prefs_get_one(pms_ctx *c)
{
    int i = pms_pref_find(pms_arg(c, "id"));

    if (i < 0) {
        pms_error(c, 404);
        return;
    }
    settings_reply(c, i);
}

/* ---- servers, clients, devices, accounts ---- */

static void servers(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    plex_device *d = plex__arena_alloc(c->arena, sizeof(*d));
    const plex_device **arr = plex__arena_alloc(c->arena, sizeof(void *));

    if (!mc || !d || !arr) {
        pms_error(c, 500);
        return;
    }
    memset(d, 0, sizeof(*d));
    d->name = friendly_name(c);
    d->host = "127.0.0.1";
    d->address = "127.0.0.1";
    d->port = c->st->server_port;
    PMS_SET(d, PLEX_DEVICE_PORT);
    d->machine_identifier = SIM_SERVER_ID;
    d->version = SIM_SERVER_VERSION;
    arr[0] = d;
    mc->servers = arr;
    mc->servers_count = 1;
    pms_reply_container(c, mc);
}

static void clients(pms_ctx *c)
{
    /* no player announces itself on a loopback-only network */
    plex_container *mc = pms_container(c);

    if (!mc) {
        pms_error(c, 500);
        return;
    }
    pms_reply_container(c, mc);
}

static void devices(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    size_t n = pms_device_count(c->p);
    const plex_device **arr = plex__arena_alloc(c->arena, sizeof(void *) * (n ? n : 1));

    if (!mc || !arr) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const pms_device_seen_t *s = pms_device_at(c->p, i);
        plex_device *d = plex__arena_alloc(c->arena, sizeof(*d));
        if (!d) {
            pms_error(c, 500);
            return;
        }
        memset(d, 0, sizeof(*d));
        d->id = (int64_t)i + 1;
        d->name = s->name;
        d->platform = s->platform;
        d->client_identifier = s->id;
        d->created_at = s->first_seen;
        PMS_SET(d, PLEX_DEVICE_ID);
        PMS_SET(d, PLEX_DEVICE_CREATED_AT);
        arr[i] = d;
    }
    mc->devices = arr;
    mc->devices_count = n;
    mc->identifier = "com.plexapp.system.devices";
    pms_reply_container(c, mc);
}

static void accounts(pms_ctx *c)
{
    plex_container *mc = pms_container(c);
    const plex_account **arr = plex__arena_alloc(c->arena, sizeof(void *) * 2);
    plex_account *a = plex__arena_alloc(c->arena, sizeof(*a) * 2);

    if (!mc || !arr || !a) {
        pms_error(c, 500);
        return;
    }
    memset(a, 0, sizeof(*a) * 2);
    /* the system account (0) and the owner (1), as PMS lists them */
    a[0].id = 0;
    a[0].key = "/accounts/0";
    a[0].name = "";
    a[1].id = 1;
    a[1].key = "/accounts/1";
    a[1].name = SIM_USER_NAME;
    a[1].default_audio_language = "en";
    a[1].default_subtitle_language = "en";
    a[1].thumb = "/:/resources/user.png";
    for (int i = 0; i < 2; i++) {
        a[i].auto_select_audio = PLEX_TRUE;
        a[i].subtitle_mode = 0;
        PMS_SET(&a[i], PLEX_ACCOUNT_ID);
        PMS_SET(&a[i], PLEX_ACCOUNT_AUTO_SELECT_AUDIO);
        PMS_SET(&a[i], PLEX_ACCOUNT_SUBTITLE_MODE);
        arr[i] = &a[i];
    }
    mc->accounts = arr;
    mc->accounts_count = 2;
    mc->identifier = "com.plexapp.system.accounts";
    pms_reply_container(c, mc);
}

static void myplex_account(pms_ctx *c)
{
    plex_container *mc = pms_container(c);

    if (!mc) {
        pms_error(c, 500);
        return;
    }
    mc->auth_token = SIM_SERVER_TOKEN;
    mc->username = SIM_USER_EMAIL;
    mc->mapping_state = "mapped";
    mc->mapping_error = "";
    mc->sign_in_state = "ok";
    mc->public_address = "127.0.0.2";
    INT(mc, PUBLIC_PORT, public_port, c->st->server_port);
    mc->private_address = "127.0.0.1";
    INT(mc, PRIVATE_PORT, private_port, c->st->server_port);
    BOOL(mc, SUBSCRIPTION_ACTIVE, subscription_active, 1);
    pms_reply_container(c, mc);
}

static const pms_route routes[] = {
    {"GET", "/", root, 0},
    {"GET", "/identity", identity, PMS_ROUTE_OPEN},
    {"GET", "/media/providers", providers, 0},
    {"GET", "/:/prefs", prefs_get, 0},
    {"PUT", "/:/prefs", prefs_put, 0},
    {"GET", "/:/prefs/get", prefs_get_one, 0},
    {"GET", "/servers", servers, 0},
    {"GET", "/clients", clients, 0},
    {"GET", "/devices", devices, 0},
    {"GET", "/accounts", accounts, 0},
    {"GET", "/myplex/account", myplex_account, 0},
};

const pms_group pms_group_server = PMS_GROUP("server", routes);

/*
 * The emulated server's administration (PMS.md §4.11): butler tasks,
 * activities, the updater, statistics, the log, transient tokens and
 * source resources. Documents are written by the library's models
 * (admin.model); what happens is published as notifications (events.c).
 *
 * Activities run on the monotonic clock: a started butler task or a
 * section or item refresh (the refresh log of overlay.c) becomes an
 * Activity whose progress goes from 0 to 100 over ACTIVITY_MS, with an
 * `activity` notification when it starts, every ACTIVITY_STEP_MS and when
 * it ends; then it leaves /activities. Nothing runs in the background:
 * pms_admin_tick() moves them on, called by the event streams while they
 * wait and by the routes that show activities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "pms/models.gen.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ACTIVITIES 64
#define ACTIVITY_MS 2000
#define ACTIVITY_STEP_MS 200
#define MAX_LOG 1024 /* lines kept */
#define MAX_LOG_LINE 4096
#define MAX_TRANSIENT 256
#define TRANSIENT_TTL_S ((int64_t)48 * 3600)
#define MAX_SAMPLES 64 /* /statistics/resources samples kept */
#define STAT_SLOTS 12  /* slots of generated statistics */
#define RELEASE_VERSION "1.43.0.10231-2a6b7c8d9"

typedef struct butler_def {
    const char *name, *title, *description;
    int interval; /* days */
    int enabled, randomized;
} butler_def;

static const butler_def butler_defs[] = {
    {"BackupDatabase", "Backup Database",
     "Create a backup copy of the server's database in the configured backup directory", 3, 1, 0},
    {"OptimizeDatabase", "Optimize Database",
     "Rebuild the server's database to make it smaller and faster", 7, 1, 0},
    {"CleanOldBundles", "Remove Old Bundles",
     "Remove old metadata bundles that are no longer used by any item", 7, 1, 0},
    {"CleanOldCacheFiles", "Remove Old Cache Files",
     "Remove cached transcoder and image files that have not been used for a while", 7, 1, 0},
    {"RefreshLibraries", "Refresh Libraries",
     "Scan the library sections for new, changed and removed files", 1, 1, 1},
    {"RefreshPeriodicMetadata", "Refresh Metadata Periodically",
     "Refresh the metadata of items whose agents ask for periodic updates", 1, 1, 1},
    {"DeepMediaAnalysis", "Perform Extensive Media Analysis",
     "Measure the bitrate of media files over their whole length", 1, 1, 1},
    {"GenerateChapterThumbs", "Generate Chapter Thumbnails",
     "Make a thumbnail image for each chapter of video files", 1, 0, 1},
    {"LoudnessAnalysis", "Perform Loudness Analysis",
     "Analyse the loudness of audio tracks for normalisation", 1, 1, 1},
    {"MusicAnalysis", "Perform Sonic Analysis",
     "Analyse music tracks for sonic similarity and mood", 1, 1, 1},
    {"ButlerTaskGenerateIntroMarkers", "Detect Intros",
     "Find the intros of television episodes so players can skip them", 1, 1, 1},
};

#define NTASKS COUNT(butler_defs)

enum { KIND_BUTLER, KIND_SECTION, KIND_ITEM };

typedef struct activity_rec {
    char uuid[40];
    int kind;
    int task; /* KIND_BUTLER: index into butler_defs */
    int section;
    int64_t rating_key;
    char title[128], subtitle[128];
    long started_ms, next_step_ms;
    int progress;
} activity_rec;

typedef struct log_line {
    int level;
    char *message, *source;
    int64_t at;
} log_line;

typedef struct transient {
    char token[48];
    int64_t expires;
} transient;

typedef struct sample {
    int64_t at;
    double host_cpu, process_cpu, host_mem, process_mem;
} sample;

enum { REL_NONE, REL_AVAILABLE, REL_DOWNLOADED, REL_INSTALLING, REL_TONIGHT, REL_SKIPPED };

struct pms_admin {
    activity_rec acts[MAX_ACTIVITIES];
    size_t nacts;
    uint64_t refresh_seen; /* the last refresh turned into an activity */
    uint64_t uuid_seq;
    int64_t checked_at;
    int release;           /* REL_* */
    log_line log[MAX_LOG]; /* a ring */
    size_t log_head, log_len;
    int64_t networked_until;
    transient tokens[MAX_TRANSIENT]; /* a ring */
    size_t token_head, ntokens;
    sample samples[MAX_SAMPLES];
    size_t sample_head, nsamples;
    double last_cpu_s; /* process CPU seconds at the last sample */
    long last_sample_ms;
};

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int admin_init(sim_state *st, pms_state *p)
{
    (void)st;
    if (!(p->admin = calloc(1, sizeof(*p->admin))))
        return -1;
    p->admin->refresh_seen = p->refresh_seq;
    return 0;
}

static void log_clear(pms_admin *a)
{
    for (size_t i = 0; i < a->log_len; i++) {
        log_line *l = &a->log[(a->log_head + i) % MAX_LOG];
        free(l->message);
        free(l->source);
    }
    a->log_head = a->log_len = 0;
}

static void admin_dispose(pms_state *p)
{
    if (!p->admin)
        return;
    log_clear(p->admin);
    free(p->admin);
    p->admin = NULL;
}

static void admin_reset(pms_state *p)
{
    if (!p->admin)
        return;
    log_clear(p->admin);
    memset(p->admin, 0, sizeof(*p->admin));
    p->admin->refresh_seen = p->refresh_seq;
}

/* ---- activities ---- */

/* A fresh uuid: deterministic for a seed and a count. */
static void new_uuid(pms_state *p, char *out)
{
    uint64_t x = p->seed ^ (++p->admin->uuid_seq * 0x9E3779B97F4A7C15ull), y;

    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    y = x * 0x94D049BB133111EBull;
    y ^= y >> 31;
    snprintf(out, 40, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(x >> 32),
             (unsigned)(x >> 16) & 0xffffu, (unsigned)x & 0xfffu, (unsigned)(y >> 52),
             (unsigned long long)(y & 0xffffffffffffull));
}

/* The model of an activity, in scratch storage the caller provides. */
static void render_activity(const activity_rec *r, plex_activity *a, plex_activity_context *ctx,
                            char *section, char *key, char *rk)
{
    memset(a, 0, sizeof(*a));
    memset(ctx, 0, sizeof(*ctx));
    a->uuid = r->uuid;
    a->title = r->title;
    a->subtitle = r->subtitle[0] ? r->subtitle : NULL;
    a->progress = r->progress;
    PMS_SET(a, PLEX_ACTIVITY_PROGRESS);
    a->user_id = 1;
    PMS_SET(a, PLEX_ACTIVITY_USER_ID);
    a->context = ctx;
    if (r->kind == KIND_BUTLER) {
        a->type = "butler.task";
        a->cancellable = PLEX_FALSE; /* stopped with DELETE /butler/{task} */
        ctx->name = butler_defs[r->task].name;
    } else {
        a->type = r->kind == KIND_SECTION ? "library.update.section" : "library.refresh.items";
        a->cancellable = PLEX_TRUE;
        snprintf(section, 16, "%d", r->section);
        ctx->library_section_id = section;
        if (r->kind == KIND_ITEM) {
            snprintf(rk, 24, "%lld", (long long)r->rating_key);
            snprintf(key, 48, "/library/metadata/%lld", (long long)r->rating_key);
            ctx->rating_key = rk;
            ctx->key = key;
        }
    }
    PMS_SET(a, PLEX_ACTIVITY_CANCELLABLE);
}

static void notify_activity(pms_state *p, const activity_rec *r, const char *event)
{
    plex_activity_notification n;
    plex_activity a;
    plex_activity_context ctx;
    char section[16], key[48], rk[24];

    render_activity(r, &a, &ctx, section, key, rk);
    memset(&n, 0, sizeof(n));
    n.event = event;
    n.uuid = r->uuid;
    n.activity = &a;
    pms_notify_model(p, "activity", "ActivityNotification", &plex__activity_notification_schema,
                     &n);
}

static activity_rec *start_activity(pms_state *p, int kind)
{
    pms_admin *a = p->admin;
    activity_rec *r;

    if (a->nacts >= MAX_ACTIVITIES)
        return NULL;
    r = &a->acts[a->nacts++];
    memset(r, 0, sizeof(*r));
    new_uuid(p, r->uuid);
    r->kind = kind;
    r->started_ms = mono_ms();
    r->next_step_ms = r->started_ms + ACTIVITY_STEP_MS;
    return r;
}

/* The activity ends (done, stopped or cancelled): notified, then gone. */
static void end_activity(pms_state *p, size_t i)
{
    pms_admin *a = p->admin;
    activity_rec r = a->acts[i];

    memmove(&a->acts[i], &a->acts[i + 1], (a->nacts - i - 1) * sizeof(a->acts[0]));
    a->nacts--;
    notify_activity(p, &r, "ended");
    if (r.kind == KIND_SECTION)
        pms_notify_status(p, "LIBRARY_UPDATE", "Library scan complete",
                          "The library section was scanned");
    else if (r.kind == KIND_ITEM && r.progress >= 100) {
        pms_item it;
        if (pms_item_get(p, r.rating_key, &it) == 0)
            pms_notify_timeline(p, r.rating_key, it.section, it.type, it.title, 5);
    }
}

static int find_activity(const pms_admin *a, const char *uuid)
{
    for (size_t i = 0; i < a->nacts; i++)
        if (strcmp(a->acts[i].uuid, uuid) == 0)
            return (int)i;
    return -1;
}

static int running_task(const pms_admin *a, int task)
{
    for (size_t i = 0; i < a->nacts; i++)
        if (a->acts[i].kind == KIND_BUTLER && a->acts[i].task == task)
            return (int)i;
    return -1;
}

static void start_refresh(pms_state *p, const pms_refresh *rf)
{
    pms_admin *a = p->admin;
    activity_rec *r;

    if (rf->cancel) { /* DELETE .../refresh: the section's scan stops */
        for (size_t i = a->nacts; i-- > 0;)
            if (a->acts[i].kind != KIND_BUTLER && a->acts[i].section == rf->section)
                end_activity(p, i);
        return;
    }
    if (!(r = start_activity(p, rf->rating_key ? KIND_ITEM : KIND_SECTION)))
        return;
    r->section = rf->section;
    r->rating_key = rf->rating_key;
    if (rf->rating_key) {
        char title[100];
        snprintf(r->title, sizeof(r->title), "Refreshing %s",
                 pms_item_title(p, rf->rating_key, title, sizeof(title)) ? title : "an item");
    } else {
        snprintf(r->title, sizeof(r->title), "Scanning library section %d", rf->section);
        pms_notify_status(p, "LIBRARY_UPDATE", "Library scan started",
                          "The library section is being scanned");
    }
    notify_activity(p, r, "started");
}

long pms_admin_tick(pms_state *p)
{
    pms_admin *a = p->admin;
    long now = mono_ms(), due = -1;

    if (!a)
        return -1;
    while (a->refresh_seen < p->refresh_seq) {
        pms_refresh rf[16];
        size_t n = pms_refreshes(p, a->refresh_seen, rf, COUNT(rf));
        if (n == 0) {
            a->refresh_seen = p->refresh_seq;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            start_refresh(p, &rf[i]);
            a->refresh_seen = rf[i].seq;
        }
    }
    for (size_t i = a->nacts; i-- > 0;) {
        activity_rec *r = &a->acts[i];
        long end = r->started_ms + ACTIVITY_MS, wait;
        if (now >= end) {
            r->progress = 100;
            end_activity(p, i);
            continue;
        }
        if (now >= r->next_step_ms) {
            r->progress = (int)((now - r->started_ms) * 100 / ACTIVITY_MS);
            r->next_step_ms = now + ACTIVITY_STEP_MS;
            notify_activity(p, r, "updated");
        }
        wait = (r->next_step_ms < end ? r->next_step_ms : end) - now;
        if (due < 0 || wait < due)
            due = wait;
    }
    return due;
}

/* ---- answers ---- */

/* Answer 200 with obj written by the library's model (JSON or XML). */
static void reply_model(pms_ctx *c, const plex__schema *s, const void *obj)
{
    char *body = NULL;
    int rc = c->json ? plex__model_to_json(s, obj, &body) : plex__model_to_xml(s, obj, &body);

    if (rc != 0 || !body) {
        free(body);
        pms_error(c, 500);
        return;
    }
    sim_response_dispose(c->rs);
    c->rs->status = 200;
    c->rs->content_type = c->json ? "application/json" : "text/xml;charset=utf-8";
    c->rs->body = body;
    c->rs->body_len = strlen(body);
}

/* n pointers in the request's arena, or NULL. */
static const void **ptrs(pms_ctx *c, size_t n)
{
    return plex__arena_alloc(c->arena, sizeof(void *) * (n ? n : 1));
}

/* ---- butler ---- */

static int task_of(const char *name)
{
    for (size_t i = 0; i < NTASKS; i++)
        if (strcmp(butler_defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void butler_get(pms_ctx *c)
{
    plex_butler_tasks bt;
    plex_butler_task *t = plex__arena_alloc(c->arena, sizeof(*t) * NTASKS);
    const void **arr = ptrs(c, NTASKS);

    if (!t || !arr) {
        pms_error(c, 500);
        return;
    }
    memset(&bt, 0, sizeof(bt));
    for (size_t i = 0; i < NTASKS; i++) {
        memset(&t[i], 0, sizeof(t[i]));
        t[i].name = butler_defs[i].name;
        t[i].title = butler_defs[i].title;
        t[i].description = butler_defs[i].description;
        t[i].interval = butler_defs[i].interval;
        t[i].enabled = butler_defs[i].enabled ? PLEX_TRUE : PLEX_FALSE;
        t[i].schedule_randomized = butler_defs[i].randomized ? PLEX_TRUE : PLEX_FALSE;
        PMS_SET(&t[i], PLEX_BUTLER_TASK_INTERVAL);
        PMS_SET(&t[i], PLEX_BUTLER_TASK_ENABLED);
        PMS_SET(&t[i], PLEX_BUTLER_TASK_SCHEDULE_RANDOMIZED);
        arr[i] = &t[i];
    }
    bt.tasks = (const plex_butler_task *const *)arr;
    bt.tasks_count = NTASKS;
    reply_model(c, &plex__butler_tasks_schema, &bt);
}

/* Start task i: 0 started, 1 already running, -1 no room. */
static int start_task(pms_state *p, int task)
{
    activity_rec *r;

    if (running_task(p->admin, task) >= 0)
        return 1;
    if (!(r = start_activity(p, KIND_BUTLER)))
        return -1;
    r->task = task;
    snprintf(r->title, sizeof(r->title), "%s", butler_defs[task].title);
    notify_activity(p, r, "started");
    return 0;
}

/* POST /butler/{task}: 200, 202 already running, 404 unknown. */
static void butler_start(pms_ctx *c)
{
    int task = task_of(c->arg[0]), rc;

    if (task < 0) {
        pms_error(c, 404);
        return;
    }
    rc = start_task(c->p, task);
    if (rc < 0)
        pms_error(c, 503);
    else
        pms_reply_empty(c, rc ? 202 : 200);
}

/* POST /butler: every enabled task that is not running. */
static void butler_start_all(pms_ctx *c)
{
    for (size_t i = 0; i < NTASKS; i++)
        if (butler_defs[i].enabled)
            (void)start_task(c->p, (int)i);
    pms_reply_empty(c, 200);
}

/* DELETE /butler/{task}: 404 unknown or not running. */
static void butler_stop(pms_ctx *c)
{
    int task = task_of(c->arg[0]), i;

    pms_admin_tick(c->p);
    if (task < 0 || (i = running_task(c->p->admin, task)) < 0) {
        pms_error(c, 404);
        return;
    }
    end_activity(c->p, (size_t)i);
    pms_reply_empty(c, 200);
}

static void butler_stop_all(pms_ctx *c)
{
    pms_admin *a = c->p->admin;

    for (size_t i = a->nacts; i-- > 0;)
        if (a->acts[i].kind == KIND_BUTLER)
            end_activity(c->p, i);
    pms_reply_empty(c, 200);
}

/* ---- activities ---- */

static void activities_get(pms_ctx *c)
{
    pms_admin *a = c->p->admin;
    plex_activities out;
    plex_activity *acts;
    plex_activity_context *ctxs;
    char *strs;
    const void **arr;

    pms_admin_tick(c->p);
    acts = plex__arena_alloc(c->arena, sizeof(*acts) * (a->nacts + 1));
    ctxs = plex__arena_alloc(c->arena, sizeof(*ctxs) * (a->nacts + 1));
    strs = plex__arena_alloc(c->arena, 96 * (a->nacts + 1));
    arr = ptrs(c, a->nacts);
    if (!acts || !ctxs || !strs || !arr) {
        pms_error(c, 500);
        return;
    }
    memset(&out, 0, sizeof(out));
    for (size_t i = 0; i < a->nacts; i++) {
        char *s = strs + 96 * i;
        render_activity(&a->acts[i], &acts[i], &ctxs[i], s, s + 16, s + 64);
        arr[i] = &acts[i];
    }
    out.size = (int32_t)a->nacts;
    PMS_SET(&out, PLEX_ACTIVITIES_SIZE);
    out.activities = (const plex_activity *const *)arr;
    out.activities_count = a->nacts;
    reply_model(c, &plex__activities_schema, &out);
}

/* DELETE /activities/{uuid}: 200, 400 not cancellable, 404 unknown or over. */
static void activity_cancel(pms_ctx *c)
{
    int i;

    pms_admin_tick(c->p);
    if ((i = find_activity(c->p->admin, c->arg[0])) < 0) {
        pms_error(c, 404);
        return;
    }
    if (c->p->admin->acts[i].kind == KIND_BUTLER) {
        pms_error(c, 400);
        return;
    }
    end_activity(c->p, (size_t)i);
    pms_reply_empty(c, 200);
}

/* ---- updater ---- */

static const char *release_state(int r)
{
    static const char *const names[] = {NULL,         "available", "downloaded",
                                        "installing", "tonight",   "skipped"};
    return r > REL_NONE && r <= REL_SKIPPED ? names[r] : NULL;
}

static void notify_update(pms_state *p)
{
    plex_update_notification n;

    memset(&n, 0, sizeof(n));
    n.key = "/updater/releases/1";
    n.version = RELEASE_VERSION;
    n.state = release_state(p->admin->release);
    pms_notify_model(p, "update.statechange", "AutoUpdateNotification",
                     &plex__update_notification_schema, &n);
}

static void updater_status(pms_ctx *c)
{
    pms_admin *a = c->p->admin;
    plex_updater_status st;
    plex_release rel;
    const void **arr = ptrs(c, 1);

    if (!arr) {
        pms_error(c, 500);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.auto_update_version = 1;
    st.can_install = PLEX_TRUE;
    PMS_SET(&st, PLEX_UPDATER_STATUS_AUTO_UPDATE_VERSION);
    PMS_SET(&st, PLEX_UPDATER_STATUS_CAN_INSTALL);
    if (a->checked_at) {
        st.checked_at = a->checked_at;
        PMS_SET(&st, PLEX_UPDATER_STATUS_CHECKED_AT);
    }
    if (a->release != REL_NONE) {
        memset(&rel, 0, sizeof(rel));
        rel.key = "/updater/releases/1";
        rel.version = RELEASE_VERSION;
        rel.added = "Live events in the emulator";
        rel.fixed = "Nothing: this server is emulated";
        rel.download_url = "http://127.0.0.1/plexsim-update.deb";
        rel.state = release_state(a->release);
        arr[0] = &rel;
        st.releases = (const plex_release *const *)arr;
        st.releases_count = 1;
        st.download_url = rel.download_url;
    }
    st.size = (int32_t)st.releases_count;
    PMS_SET(&st, PLEX_UPDATER_STATUS_SIZE);
    reply_model(c, &plex__updater_status_schema, &st);
}

/* PUT /updater/check?download=0|1: a release is found (and downloaded). */
static void updater_check(pms_ctx *c)
{
    pms_admin *a = c->p->admin;
    int before = a->release;

    a->checked_at = pms_now(c->p);
    if (a->release == REL_NONE || a->release == REL_AVAILABLE)
        a->release = pms_flag(c, "download") ? REL_DOWNLOADED : REL_AVAILABLE;
    if (a->release != before)
        notify_update(c->p);
    pms_reply_empty(c, 200);
}

/* PUT /updater/apply?tonight=|skip=: 400 when nothing is downloaded. */
static void updater_apply(pms_ctx *c)
{
    pms_admin *a = c->p->admin;

    if (pms_flag(c, "tonight") && (a->release == REL_DOWNLOADED || a->release == REL_AVAILABLE)) {
        a->release = REL_TONIGHT;
    } else if (pms_flag(c, "skip") && a->release != REL_NONE) {
        a->release = REL_SKIPPED;
    } else if (a->release == REL_DOWNLOADED || a->release == REL_TONIGHT) {
        a->release = REL_INSTALLING;
    } else {
        pms_error(c, 400); /* nothing (downloaded) to install */
        return;
    }
    notify_update(c->p);
    pms_reply_empty(c, 200);
}

/* ---- statistics ---- */

static int timespan_arg(pms_ctx *c, int64_t *ts)
{
    if (pms_int_arg(c, "timespan", 1, 6, 6, ts) != 0)
        return -1;
    if (*ts == 5) {
        pms_error(c, 400);
        return -1;
    }
    return 0;
}

static int64_t slot_seconds(int64_t ts)
{
    switch (ts) {
    case 1:
        return (int64_t)30 * 86400;
    case 2:
        return (int64_t)7 * 86400;
    case 3:
        return 86400;
    case 4:
        return 3600;
    default:
        return 6;
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
}

/* The Device and Account entries of a statistics answer. */
static int stat_people(pms_ctx *c, plex_statistics *st)
{
    size_t n = pms_device_count(c->p);
    const void **devs = ptrs(c, n), **accs = ptrs(c, 1);
    plex_device *d = plex__arena_alloc(c->arena, sizeof(*d) * (n ? n : 1));
    plex_account *acc = plex__arena_alloc(c->arena, sizeof(*acc));

    if (!devs || !accs || !d || !acc)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const pms_device_seen_t *s = pms_device_at(c->p, i);
        memset(&d[i], 0, sizeof(d[i]));
        d[i].id = (int64_t)i + 1;
        d[i].name = s->name;
        d[i].platform = s->platform;
        d[i].client_identifier = s->id;
        d[i].created_at = s->first_seen;
        PMS_SET(&d[i], PLEX_DEVICE_ID);
        PMS_SET(&d[i], PLEX_DEVICE_CREATED_AT);
        devs[i] = &d[i];
    }
    memset(acc, 0, sizeof(*acc));
    acc->id = 1;
    acc->key = "/accounts/1";
    acc->name = SIM_USER_NAME;
    PMS_SET(acc, PLEX_ACCOUNT_ID);
    accs[0] = acc;
    st->devices = (const plex_device *const *)devs;
    st->devices_count = n;
    st->accounts = (const plex_account *const *)accs;
    st->accounts_count = 1;
    return 0;
}

/* accountID= and deviceID= of the request (absent: -1); -1 after a 400. */
static int stat_filters(pms_ctx *c, int64_t *account, int64_t *device)
{
    if (pms_int_arg(c, "accountID", 0, INT64_MAX / 2, -1, account) != 0 ||
        pms_int_arg(c, "deviceID", 0, INT64_MAX / 2, -1, device) != 0)
        return -1;
    return 0;
}

/* GET /statistics/media and /statistics/bandwidth: per device of the owner
 * and slot, generated from the seed (plays are not recorded here). */
static void statistics_generated(pms_ctx *c, int bandwidth)
{
    plex_statistics st;
    int64_t ts, account, device, now = pms_now(c->p), slot;
    size_t ndev, n = 0, k;
    const void **arr;

    if (timespan_arg(c, &ts) != 0 || stat_filters(c, &account, &device) != 0)
        return;
    memset(&st, 0, sizeof(st));
    if (stat_people(c, &st) != 0) {
        pms_error(c, 500);
        return;
    }
    ndev = st.devices_count;
    slot = slot_seconds(ts);
    if (!(arr = ptrs(c, ndev * STAT_SLOTS))) {
        pms_error(c, 500);
        return;
    }
    for (size_t di = 0; di < ndev; di++) {
        if ((device >= 0 && device != (int64_t)di + 1) || (account >= 0 && account != 1))
            continue;
        for (k = 0; k < STAT_SLOTS; k++) {
            uint64_t r = mix(c->p->seed ^ ((uint64_t)di << 40) ^ ((uint64_t)ts << 32) ^ k);
            int64_t at = (now / slot - (int64_t)k) * slot;
            if (bandwidth) {
                plex_statistics_bandwidth *b = plex__arena_alloc(c->arena, sizeof(*b));
                if (!b)
                    break;
                memset(b, 0, sizeof(*b));
                b->account_id = 1;
                b->device_id = (int64_t)di + 1;
                b->timespan = (int32_t)ts;
                b->at = at;
                b->lan = (r & 1) ? PLEX_TRUE : PLEX_FALSE;
                b->bytes = (int64_t)(r >> 20) % (slot * 2500000 + 1);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_ACCOUNT_ID);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_DEVICE_ID);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_TIMESPAN);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_AT);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_LAN);
                PMS_SET(b, PLEX_STATISTICS_BANDWIDTH_BYTES);
                arr[n++] = b;
            } else {
                plex_statistics_media *m = plex__arena_alloc(c->arena, sizeof(*m));
                if (!m)
                    break;
                memset(m, 0, sizeof(*m));
                m->account_id = 1;
                m->device_id = (int64_t)di + 1;
                m->timespan = (int32_t)ts;
                m->at = at;
                m->metadata_type = (r & 1) ? PMS_T_MOVIE : PMS_T_EPISODE;
                m->count = (int32_t)((r >> 8) % 5);
                m->duration = m->count * (int64_t)((r >> 16) % 3000 + 600);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_ACCOUNT_ID);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_DEVICE_ID);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_TIMESPAN);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_AT);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_METADATA_TYPE);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_COUNT);
                PMS_SET(m, PLEX_STATISTICS_MEDIA_DURATION);
                arr[n++] = m;
            }
        }
    }
    if (bandwidth) {
        st.bandwidth = (const plex_statistics_bandwidth *const *)arr;
        st.bandwidth_count = n;
    } else {
        st.media = (const plex_statistics_media *const *)arr;
        st.media_count = n;
    }
    st.size = (int32_t)n;
    PMS_SET(&st, PLEX_STATISTICS_SIZE);
    reply_model(c, &plex__statistics_schema, &st);
}

static void statistics_media(pms_ctx *c)
{
    statistics_generated(c, 0);
}

static void statistics_bandwidth(pms_ctx *c)
{
    statistics_generated(c, 1);
}

/* A sample of this machine's load, kept in a ring (measured, not generated). */
static void take_sample(pms_state *p)
{
    pms_admin *a = p->admin;
    struct rusage ru;
    struct sysinfo si;
    double cpu_s = 0;
    long now = mono_ms();
    sample *s = &a->samples[(a->sample_head + a->nsamples) % MAX_SAMPLES];
    long rss = 0;
    FILE *f;

    if (getrusage(RUSAGE_SELF, &ru) == 0)
        cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    memset(s, 0, sizeof(*s));
    if (sysinfo(&si) == 0 && si.totalram) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        double loads = (double)si.loads[0] / (double)(1 << SI_LOAD_SHIFT);
        s->host_cpu = ncpu > 0 ? 100.0 * loads / (double)ncpu : 0;
        s->host_mem = 100.0 * (double)(si.totalram - si.freeram) / (double)si.totalram;
        if ((f = fopen("/proc/self/statm", "r")) != NULL) {
            char line[128], *end;
            if (fgets(line, sizeof(line), f)) { /* "size resident shared ..." in pages */
                (void)strtol(line, &end, 10);
                rss = strtol(end, NULL, 10);
            }
            fclose(f);
            s->process_mem = 100.0 * (double)rss * (double)sysconf(_SC_PAGESIZE) /
                             ((double)si.totalram * si.mem_unit);
        }
    }
    if (a->last_sample_ms && now > a->last_sample_ms)
        s->process_cpu =
            100.0 * (cpu_s - a->last_cpu_s) * 1000.0 / (double)(now - a->last_sample_ms);
    if (s->host_cpu > 100)
        s->host_cpu = 100;
    a->last_cpu_s = cpu_s;
    a->last_sample_ms = now;
    s->at = pms_now(p);
    if (a->nsamples < MAX_SAMPLES)
        a->nsamples++;
    else
        a->sample_head = (a->sample_head + 1) % MAX_SAMPLES;
}

/* GET /statistics/resources: the samples taken so far (one per request). */
static void statistics_resources(pms_ctx *c)
{
    pms_admin *a = c->p->admin;
    plex_statistics st;
    plex_statistics_resources *r;
    const void **arr;
    int64_t ts;

    if (timespan_arg(c, &ts) != 0)
        return;
    take_sample(c->p);
    r = plex__arena_alloc(c->arena, sizeof(*r) * a->nsamples);
    arr = ptrs(c, a->nsamples);
    if (!r || !arr) {
        pms_error(c, 500);
        return;
    }
    memset(&st, 0, sizeof(st));
    for (size_t i = 0; i < a->nsamples; i++) {
        const sample *s = &a->samples[(a->sample_head + i) % MAX_SAMPLES];
        memset(&r[i], 0, sizeof(r[i]));
        r[i].timespan = (int32_t)ts;
        r[i].at = s->at;
        r[i].host_cpu_utilization = s->host_cpu;
        r[i].process_cpu_utilization = s->process_cpu;
        r[i].host_memory_utilization = s->host_mem;
        r[i].process_memory_utilization = s->process_mem;
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_TIMESPAN);
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_AT);
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_HOST_CPU_UTILIZATION);
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_PROCESS_CPU_UTILIZATION);
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_HOST_MEMORY_UTILIZATION);
        PMS_SET(&r[i], PLEX_STATISTICS_RESOURCES_PROCESS_MEMORY_UTILIZATION);
        arr[i] = &r[i];
    }
    st.resources = (const plex_statistics_resources *const *)arr;
    st.resources_count = a->nsamples;
    st.size = (int32_t)a->nsamples;
    PMS_SET(&st, PLEX_STATISTICS_SIZE);
    reply_model(c, &plex__statistics_schema, &st);
}

/* ---- the log ---- */

/* Keep a line and publish it (`log`, for subscribers that asked for it). */
static int log_keep(pms_state *p, int level, const char *message, const char *source)
{
    pms_admin *a = p->admin;
    plex_log_notification n;
    log_line *l;

    if (a->log_len == MAX_LOG) { /* the oldest goes */
        l = &a->log[a->log_head];
        free(l->message);
        free(l->source);
        a->log_head = (a->log_head + 1) % MAX_LOG;
        a->log_len--;
    }
    l = &a->log[(a->log_head + a->log_len) % MAX_LOG];
    l->level = level;
    l->at = pms_now(p);
    l->message = strdup(message);
    l->source = source ? strdup(source) : NULL;
    if (!l->message || (source && !l->source)) {
        free(l->message);
        free(l->source);
        return -1;
    }
    a->log_len++;
    memset(&n, 0, sizeof(n));
    n.level = level;
    PMS_SET(&n, PLEX_LOG_NOTIFICATION_LEVEL);
    n.message = message;
    n.source = source;
    pms_notify_model(p, "log", "Log", &plex__log_notification_schema, &n);
    return 0;
}

/* A level: 0..4. */
static int log_level(const char *v, int *level)
{
    int64_t x;

    if (!v || pms_parse_int(v, &x) != 0 || x < 0 || x > 4)
        return -1;
    *level = (int)x;
    return 0;
}

/* PUT (or GET...) /log?level=&message=&source= */
static void log_write(pms_ctx *c)
{
    const char *msg = pms_arg(c, "message");
    int level;

    if (log_level(pms_arg(c, "level"), &level) != 0 || !msg || !*msg ||
        strlen(msg) > MAX_LOG_LINE) {
        pms_error(c, 400);
        return;
    }
    if (log_keep(c->p, level, msg, pms_arg(c, "source")) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_reply_empty(c, 200);
}

/* POST /log: the body is lines of level=&message=&source=. 400 if one is bad
 * (the lines before it are kept, as they were written). */
static void log_write_lines(pms_ctx *c)
{
    const char *b = c->rq->body;
    size_t len = c->rq->body_len, i = 0, lines = 0;
    char *msg = malloc(MAX_LOG_LINE + 1), lv[8], src[256];

    if (!msg) {
        pms_error(c, 500);
        return;
    }
    while (b && i < len) {
        size_t end = i;
        int level;
        while (end < len && b[end] != '\n')
            end++;
        if (end > i && !(end - i == 1 && b[i] == '\r')) {
            size_t n = end - i - (b[end - 1] == '\r');
            const char *src_v = sim_form_value(b + i, n, "source", src, sizeof(src));
            if (!sim_form_value(b + i, n, "message", msg, MAX_LOG_LINE + 1) || !*msg ||
                log_level(sim_form_value(b + i, n, "level", lv, sizeof(lv)), &level) != 0) {
                free(msg);
                pms_error(c, 400);
                return;
            }
            if (log_keep(c->p, level, msg, src_v) != 0) {
                free(msg);
                pms_error(c, 500);
                return;
            }
            lines++;
        }
        i = end + 1;
    }
    free(msg);
    pms_reply_empty(c, lines ? 200 : 400);
}

/* POST (or GET) /log/networked?minutes= */
static void log_networked(pms_ctx *c)
{
    int64_t minutes;

    if (pms_int_arg(c, "minutes", 1, 100000, 60, &minutes) != 0)
        return;
    c->p->admin->networked_until = pms_now(c->p) + minutes * 60;
    pms_reply_empty(c, 200);
}

/* ---- security ---- */

int pms_token_transient(pms_state *p, const char *tok)
{
    pms_admin *a = p->admin;
    int64_t now;

    if (!a || !tok || strncmp(tok, "transient-", 10) != 0)
        return 0;
    now = pms_now(p);
    for (size_t i = 0; i < a->ntokens; i++) {
        const transient *t = &a->tokens[(a->token_head + i) % MAX_TRANSIENT];
        if (strcmp(t->token, tok) == 0)
            return t->expires > now;
    }
    return 0;
}

/* A new transient token (the oldest is forgotten when the ring is full). */
static const char *new_transient(pms_state *p)
{
    pms_admin *a = p->admin;
    transient *t;
    unsigned char r[16];

    if (sim_random(r, sizeof(r)) != 0)
        return NULL;
    if (a->ntokens == MAX_TRANSIENT)
        a->token_head = (a->token_head + 1) % MAX_TRANSIENT;
    else
        a->ntokens++;
    t = &a->tokens[(a->token_head + a->ntokens - 1) % MAX_TRANSIENT];
    memcpy(t->token, "transient-", 10);
    for (int i = 0; i < 16; i++)
        snprintf(t->token + 10 + (size_t)2 * (size_t)i, 3, "%02x", r[i]);
    t->expires = pms_now(p) + TRANSIENT_TTL_S;
    return t->token;
}

/* /security/token?type=delegation&scope=all (any verb) */
static void security_token(pms_ctx *c)
{
    const char *type = pms_arg(c, "type"), *scope = pms_arg(c, "scope"), *tok;
    plex_container *mc;

    if (!type || strcmp(type, "delegation") != 0 || !scope || strcmp(scope, "all") != 0) {
        pms_error(c, 400);
        return;
    }
    if (!(mc = pms_container(c)) || !(tok = new_transient(c->p))) {
        pms_error(c, 403);
        return;
    }
    mc->token = tok;
    pms_reply_container(c, mc);
}

/* /security/resources?source=server://<machineIdentifier>/...: this server. */
static void security_resources(pms_ctx *c)
{
    const char *src = pms_arg(c, "source"), *tok;
    static const char prefix[] = "server://";
    plex_source_resources out;
    plex_source_device dev;
    plex_source_connection conn;
    const void **devs = ptrs(c, 1), **conns = ptrs(c, 1);
    size_t idlen = strlen(SIM_SERVER_ID);

    if (!src || strncmp(src, prefix, sizeof(prefix) - 1) != 0) {
        pms_error(c, 400);
        return;
    }
    src += sizeof(prefix) - 1;
    if (strncmp(src, SIM_SERVER_ID, idlen) != 0 || (src[idlen] && src[idlen] != '/')) {
        pms_error(c, 404);
        return;
    }
    if (!devs || !conns || !(tok = new_transient(c->p))) {
        pms_error(c, 500);
        return;
    }
    memset(&conn, 0, sizeof(conn));
    conn.uri = c->st->pms_url;
    conn.address = "127.0.0.1";
    conn.protocol = strncmp(c->st->pms_url, "https", 5) == 0 ? "https" : "http";
    conn.port = c->st->server_port;
    conn.local = PLEX_TRUE;
    conn.relay = PLEX_FALSE;
    PMS_SET(&conn, PLEX_SOURCE_CONNECTION_PORT);
    PMS_SET(&conn, PLEX_SOURCE_CONNECTION_LOCAL);
    PMS_SET(&conn, PLEX_SOURCE_CONNECTION_RELAY);
    conns[0] = &conn;
    memset(&dev, 0, sizeof(dev));
    dev.name = pms_pref_value(c->p, (size_t)pms_pref_find("FriendlyName"));
    dev.client_identifier = SIM_SERVER_ID;
    dev.access_token = tok;
    dev.connections = (const plex_source_connection *const *)conns;
    dev.connections_count = 1;
    devs[0] = &dev;
    memset(&out, 0, sizeof(out));
    out.size = 1;
    PMS_SET(&out, PLEX_SOURCE_RESOURCES_SIZE);
    out.devices = (const plex_source_device *const *)devs;
    out.devices_count = 1;
    reply_model(c, &plex__source_resources_schema, &out);
}

static const pms_route routes[] = {
    {"GET", "/butler", butler_get, 0},
    {"POST", "/butler", butler_start_all, 0},
    {"DELETE", "/butler", butler_stop_all, 0},
    {"POST", "/butler/{task}", butler_start, 0},
    {"DELETE", "/butler/{task}", butler_stop, 0},
    {"GET", "/activities", activities_get, 0},
    {"DELETE", "/activities/{uuid}", activity_cancel, 0},
    {"GET", "/updater/status", updater_status, 0},
    {"PUT", "/updater/check", updater_check, 0},
    {"PUT", "/updater/apply", updater_apply, 0},
    {"GET", "/statistics/media", statistics_media, 0},
    {"GET", "/statistics/resources", statistics_resources, 0},
    {"GET", "/statistics/bandwidth", statistics_bandwidth, 0},
    /* /log takes every verb but POST for one line (PMS.md §4.11) */
    {"PUT", "/log", log_write, 0},
    {"GET", "/log", log_write, 0},
    {"POST", "/log", log_write_lines, 0},
    {"POST", "/log/networked", log_networked, 0},
    {"GET", "/log/networked", log_networked, 0},
    {"PUT", "/log/networked", log_networked, 0},
    /* /security/token takes every verb */
    {"POST", "/security/token", security_token, 0},
    {"GET", "/security/token", security_token, 0},
    {"PUT", "/security/token", security_token, 0},
    {"GET", "/security/resources", security_resources, 0},
};

const pms_group pms_group_admin =
    PMS_GROUP_STATE("admin", routes, admin_init, admin_reset, admin_dispose);

/*
 * Route group "playback" (PMS.md §4.6, §4.11): the timeline players report,
 * what it does to the watch state (viewOffset while playing, watched past
 * 90 %), the sessions it makes (/status/sessions: they vanish on `stopped`,
 * after PMS_SESSION_TIMEOUT seconds of silence, or when an admin terminates
 * them), the watch history, and the direct watch-state writes (scrobble,
 * unscrobble, rate, progress). Every write accepts GET too, as PMS does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "play.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define WATCHED_PERCENT 90
#define TERMINATION_CODE 2006 /* what PMS sends for an admin's stop */

/* ---- the state (p->play) ---- */

static pms_play *play_new(void)
{
    pms_play *pl = calloc(1, sizeof(*pl));

    if (pl && !(pl->history = calloc(PMS_MAX_HISTORY, sizeof(pms_history)))) {
        free(pl);
        return NULL;
    }
    if (pl) {
        pl->next_session_key = 1;
        pl->next_history = 1;
        pl->next_queue = 1;
    }
    return pl;
}

pms_play *pms_play_of(pms_state *p)
{
    if (!p->play)
        p->play = play_new(); /* made at start; again after a failed reset */
    return p->play;
}

void pms_play_dispose(pms_state *p)
{
    pms_play *pl = p->play;

    if (!pl)
        return;
    for (size_t i = 0; i < pl->nqueues; i++)
        pms_play_queue_free(pl->queues[i]);
    for (size_t i = 0; i < pl->nplaylists; i++)
        pms_playlist_free(pl->playlists[i]);
    free(pl->history);
    free(pl);
    p->play = NULL;
}

void pms_play_reset(pms_state *p)
{
    pms_play_dispose(p);
    p->play = play_new();
}

static int play_init(sim_state *st, pms_state *p)
{
    (void)st;
    return (p->play = play_new()) ? 0 : -1;
}

int pms_grow2(int64_t **a, int64_t **b, size_t *cap, size_t n, size_t more)
{
    size_t want = n + more, c = *cap ? *cap : 8;
    int64_t *na, *nb;

    if (want <= *cap)
        return 0;
    if (want > PMS_MAX_LIST)
        return -1;
    while (c < want)
        c *= 2;
    if (!(na = realloc(*a, c * sizeof(*na))))
        return -1;
    *a = na;
    if (!(nb = realloc(*b, c * sizeof(*nb))))
        return -1;
    *b = nb;
    *cap = c;
    return 0;
}

int64_t pms_play_now(const pms_ctx *c)
{
    int64_t t;
    const char *v = pms_arg(c, "X-Plex-Sim-Now");

    if (v && pms_parse_int(v, &t) == 0 && t > 0)
        return t;
    return pms_now(c->p);
}

/* ---- hooks ---- */

void pms_session_changed(pms_state *p, const pms_play_session *s, const char *state)
{
    pms_notify_session(p, s, state); /* the event stream's `playing` (events.c) */
}

void pms_transcode_changed(pms_state *p, const pms_transcode *t, const char *event)
{
    pms_notify_transcode(p, t, event); /* `transcodeSession.*` (events.c) */
}

/* ---- sessions ---- */

static void remove_session(pms_play *pl, size_t i)
{
    pl->sessions[i] = pl->sessions[--pl->nsessions];
}

void pms_play_expire(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    int64_t now = pms_play_now(c);

    for (size_t i = 0; pl && i < pl->nsessions;) {
        pms_play_session *s = &pl->sessions[i];
        if (now - s->last_seen > PMS_SESSION_TIMEOUT) {
            if (!s->terminated)
                pms_session_changed(c->p, s, "stopped");
            remove_session(pl, i);
        } else {
            i++;
        }
    }
}

static pms_play_session *find_session(pms_play *pl, const char *client, const char *ident)
{
    for (size_t i = 0; i < pl->nsessions; i++)
        if (strcmp(pl->sessions[i].client, client) == 0 &&
            strcmp(pl->sessions[i].ident, ident) == 0)
            return &pl->sessions[i];
    return NULL;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void add_history(pms_ctx *c, pms_play *pl, int64_t rk)
{
    pms_history *h = &pl->history[(pl->history_head + pl->nhistory) % PMS_MAX_HISTORY];

    if (pl->nhistory == PMS_MAX_HISTORY) {
        h = &pl->history[pl->history_head];
        pl->history_head = (pl->history_head + 1) % PMS_MAX_HISTORY;
    } else {
        pl->nhistory++;
    }
    h->id = pl->next_history++;
    h->rating_key = rk;
    h->viewed_at = pms_play_now(c);
    h->device_id = 1;
}

/* What a timeline at `time` of `duration` does to the item's watch state. */
static void apply_position(pms_ctx *c, pms_play *pl, pms_play_session *s, int64_t rk, int64_t time,
                           int64_t duration)
{
    if (s && s->scrobbled)
        return; /* counted already: viewOffset stays gone */
    if (duration > 0 && time * 100 >= duration * WATCHED_PERCENT) {
        pms_mark_watched(c->p, rk);
        add_history(c, pl, rk);
        if (s)
            s->scrobbled = 1;
    } else {
        pms_set_view_offset(c->p, rk, time);
    }
    pms_changed(c->p);
}

/* The play queue whose item this is: its window follows the player. */
static void follow_queue(pms_play *pl, int64_t item)
{
    for (size_t i = 0; item > 0 && i < pl->nqueues; i++)
        for (size_t k = 0; k < pl->queues[i]->n; k++)
            if (pl->queues[i]->item_ids[k] == item) {
                pl->queues[i]->selected = item;
                return;
            }
}

/* The answer to a timeline: the item's state as the server has it now. */
static void timeline_reply(pms_ctx *c, int64_t rk, const char *state, const pms_play_session *s)
{
    plex_container *mc = pms_container(c);
    pms_item it;

    if (!mc || pms_item_get(c->p, rk, &it) != 0) {
        pms_error(c, 500);
        return;
    }
    mc->playback_state = state;
    if (it.view_offset > 0) {
        mc->view_offset = it.view_offset;
        PMS_SET(mc, PLEX_CONTAINER_VIEW_OFFSET);
    }
    if (it.view_count > 0) {
        mc->view_count = it.view_count;
        PMS_SET(mc, PLEX_CONTAINER_VIEW_COUNT);
    }
    if (it.skip_count > 0) {
        mc->skip_count = it.skip_count;
        PMS_SET(mc, PLEX_CONTAINER_SKIP_COUNT);
    }
    if (s && s->terminated) {
        mc->termination_code = TERMINATION_CODE;
        PMS_SET(mc, PLEX_CONTAINER_TERMINATION_CODE);
        mc->termination_text = s->reason[0] ? s->reason : "The server owner has ended the stream.";
    }
    pms_reply_container(c, mc);
}

/* The item of a timeline or a watch-state write: ratingKey=, or key= as a
 * ratingKey or /library/metadata/N. 0, or -1 after answering. */
static int item_arg(pms_ctx *c, const char *name, int64_t *rk)
{
    const char *v = pms_arg(c, name);
    pms_item it;

    if (v && strncmp(v, "/library/metadata/", 18) == 0)
        v += 18;
    if (!v || pms_parse_int(v, rk) != 0 || *rk <= 0) {
        pms_error(c, 400);
        return -1;
    }
    if (pms_item_get(c->p, *rk, &it) != 0) {
        pms_error(c, 404);
        return -1;
    }
    return 0;
}

/* POST /:/timeline (GET too) */
static void timeline(pms_ctx *c)
{
    static const char *const states[] = {"playing", "paused", "buffering", "stopped"};
    pms_play *pl = pms_play_of(c->p);
    const char *state = pms_arg(c, "state"), *client = pms_arg(c, "X-Plex-Client-Identifier");
    const char *ident = pms_arg(c, "X-Plex-Session-Identifier");
    pms_play_session *s;
    int64_t rk, time, duration, pq_item;
    pms_item it;
    size_t k;

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    for (k = 0; state && k < COUNT(states) && strcmp(state, states[k]) != 0; k++)
        ;
    if (!state || k == COUNT(states) || !client || !*client || strlen(client) > SIM_MAX_IDENT ||
        (ident && strlen(ident) > SIM_MAX_IDENT)) {
        pms_error(c, 400);
        return;
    }
    if (item_arg(c, pms_arg(c, "ratingKey") ? "ratingKey" : "key", &rk) != 0)
        return;
    pms_item_get(c->p, rk, &it);
    if (pms_int_arg(c, "time", 0, INT64_MAX / 200, 0, &time) != 0 ||
        pms_int_arg(c, "duration", 0, INT64_MAX / 200, it.duration, &duration) != 0 ||
        pms_int_arg(c, "playQueueItemID", 0, INT64_MAX, 0, &pq_item) != 0)
        return;
    if (!ident || !*ident)
        ident = client;
    pms_play_expire(c);
    s = find_session(pl, client, ident);
    if (s && s->terminated) {
        /* the admin's stop reaches the player now; the session is over */
        timeline_reply(c, rk, "stopped", s);
        remove_session(pl, (size_t)(s - pl->sessions));
        return;
    }
    if (s && s->rating_key != rk) { /* the player went on to another item */
        pms_session_changed(c->p, s, "stopped");
        remove_session(pl, (size_t)(s - pl->sessions));
        s = NULL;
    }
    if (strcmp(state, "stopped") == 0) {
        apply_position(c, pl, s, rk, time, duration);
        if (s) {
            s->view_offset = time;
            pms_session_changed(c->p, s, "stopped");
            remove_session(pl, (size_t)(s - pl->sessions));
        }
        follow_queue(pl, pq_item);
        timeline_reply(c, rk, state, NULL);
        return;
    }
    if (!s) {
        if (pl->nsessions == PMS_MAX_SESSIONS) {
            pms_error(c, 503);
            return;
        }
        s = &pl->sessions[pl->nsessions++];
        memset(s, 0, sizeof(*s));
        copy(s->client, sizeof(s->client), client);
        copy(s->ident, sizeof(s->ident), ident);
        copy(s->product, sizeof(s->product), pms_arg(c, "X-Plex-Product"));
        copy(s->platform, sizeof(s->platform), pms_arg(c, "X-Plex-Platform"));
        copy(s->device, sizeof(s->device), pms_arg(c, "X-Plex-Device-Name"));
        copy(s->version, sizeof(s->version), pms_arg(c, "X-Plex-Version"));
        s->session_key = pl->next_session_key++;
        snprintf(s->id, sizeof(s->id), "%08llx%016llx", (unsigned long long)s->session_key,
                 (unsigned long long)(c->p->seed * 0x9e3779b97f4a7c15ULL ^
                                      (uint64_t)s->session_key * 0xff51afd7ed558ccdULL));
        s->rating_key = rk;
        s->started = pms_play_now(c);
    }
    copy(s->state, sizeof(s->state), state);
    copy(s->location, sizeof(s->location),
         pms_arg(c, "location") && strcmp(pms_arg(c, "location"), "cellular") == 0 ? "cellular"
                                                                                   : "lan");
    s->view_offset = time;
    s->duration = duration;
    s->play_queue_item_id = pq_item;
    s->last_seen = pms_play_now(c);
    apply_position(c, pl, s, rk, time, duration);
    follow_queue(pl, pq_item);
    pms_session_changed(c->p, s, state);
    timeline_reply(c, rk, state, NULL);
}

/* identifier=com.plexapp.plugins.library and key= (or uri=): 0, or -1 after answering. */
static int watch_item(pms_ctx *c, int64_t *rk)
{
    const char *id = pms_arg(c, "identifier"), *uri = pms_arg(c, "uri");
    int64_t *keys = NULL;
    size_t n = 0;

    if (!id || strcmp(id, "com.plexapp.plugins.library") != 0) {
        pms_error(c, 400);
        return -1;
    }
    if (!pms_arg(c, "key") && uri) {
        if (pms_uri_items(c, uri, 1, &keys, &n) != 0)
            return -1;
        if (n == 0) {
            free(keys);
            pms_error(c, 404);
            return -1;
        }
        *rk = keys[0];
        free(keys);
        return 0;
    }
    return item_arg(c, "key", rk);
}

/* A watch-state write: the item, then fn on it. */
static void watch_write(pms_ctx *c, int (*fn)(pms_state *, int64_t))
{
    int64_t rk;

    if (watch_item(c, &rk) != 0)
        return;
    if (fn(c->p, rk) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* PUT /:/scrobble (GET too) */
static void scrobble(pms_ctx *c)
{
    watch_write(c, pms_mark_watched);
}

/* PUT /:/unscrobble (GET too) */
static void unscrobble(pms_ctx *c)
{
    watch_write(c, pms_mark_unwatched);
}

/* PUT /:/rate (GET too): rating 0-10, -1 clears */
static void rate(pms_ctx *c)
{
    const char *v = pms_arg(c, "rating");
    char *end = NULL;
    double r;
    int64_t rk;

    if (watch_item(c, &rk) != 0)
        return;
    r = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !((r >= 0 && r <= 10) || r == -1)) {
        pms_error(c, 400);
        return;
    }
    if (pms_set_rating(c->p, rk, r) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* POST /:/progress (GET too): key, time, state */
static void progress(pms_ctx *c)
{
    int64_t rk, time;

    if (item_arg(c, "key", &rk) != 0 || pms_int_arg(c, "time", 0, INT64_MAX / 200, -1, &time) != 0)
        return;
    if (time < 0) {
        pms_error(c, 400);
        return;
    }
    if (pms_set_view_offset(c->p, rk, time) != 0) {
        pms_error(c, 500);
        return;
    }
    pms_changed(c->p);
    pms_reply_empty(c, 200);
}

/* ---- /status/sessions ---- */

/* The objects of a session item, in the arena. */
static plex_metadata *render_session(pms_ctx *c, pms_play *pl, const pms_play_session *s)
{
    plex_metadata *m = pms_render_key(c->p, c->arena, s->rating_key, PMS_R_SECTION);
    plex_player *pr = plex__arena_alloc(c->arena, sizeof(*pr));
    plex_session *se = plex__arena_alloc(c->arena, sizeof(*se));
    plex_session_user *u = plex__arena_alloc(c->arena, sizeof(*u));
    char *key = plex__arena_alloc_bytes(c->arena, 24), *uid = plex__arena_alloc_bytes(c->arena, 24);
    pms_transcode *t = pms_transcode_find(pl, s->ident);

    if (!m || !pr || !se || !u || !key || !uid)
        return NULL;
    memset(pr, 0, sizeof(*pr));
    memset(se, 0, sizeof(*se));
    memset(u, 0, sizeof(*u));
    snprintf(key, 24, "%lld", (long long)s->session_key);
    snprintf(uid, 24, "%d", SIM_USER_ID);
    m->session_key = key;
    m->view_offset = s->view_offset;
    PMS_SET(m, PLEX_METADATA_VIEW_OFFSET);
    pr->machine_identifier = s->client;
    pr->title = s->device[0] ? s->device : s->product;
    pr->product = s->product[0] ? s->product : NULL;
    pr->platform = s->platform[0] ? s->platform : NULL;
    pr->version = s->version[0] ? s->version : NULL;
    pr->state = s->state;
    pr->address = "127.0.0.1";
    pr->local = PLEX_TRUE;
    pr->relayed = PLEX_FALSE;
    pr->secure = PLEX_FALSE;
    pr->user_id = SIM_USER_ID;
    PMS_SET(pr, PLEX_PLAYER_LOCAL);
    PMS_SET(pr, PLEX_PLAYER_RELAYED);
    PMS_SET(pr, PLEX_PLAYER_SECURE);
    PMS_SET(pr, PLEX_PLAYER_USER_ID);
    se->id = s->id;
    se->bandwidth = t ? t->bitrate : 8000;
    PMS_SET(se, PLEX_SESSION_BANDWIDTH);
    se->location = s->location;
    u->id = uid;
    u->title = SIM_USER_NAME;
    m->player = pr;
    m->session = se;
    m->user = u;
    if (t && !(m->transcode_session = pms_render_transcode(c->arena, t)))
        return NULL;
    return m;
}

/* GET /status/sessions */
static void sessions(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    plex_container *mc = pms_container(c);
    const plex_metadata **items;
    size_t n = 0;

    if (!pl || !mc) {
        pms_error(c, 500);
        return;
    }
    pms_play_expire(c);
    items = plex__arena_alloc(c->arena, (pl->nsessions + 1) * sizeof(void *));
    if (!items) {
        pms_error(c, 500);
        return;
    }
    for (size_t i = 0; i < pl->nsessions; i++) {
        if (pl->sessions[i].terminated)
            continue;
        if (!(items[n] = render_session(c, pl, &pl->sessions[i]))) {
            pms_error(c, 500);
            return;
        }
        n++;
    }
    mc->items = items;
    mc->items_count = n;
    mc->size = (int)n;
    pms_reply_container(c, mc);
}

/* POST /status/sessions/terminate?sessionId=&reason= (GET too) */
static void terminate(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    const char *id = pms_arg(c, "sessionId"), *reason = pms_arg(c, "reason");

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    if (!id || !*id) {
        pms_error(c, 400);
        return;
    }
    pms_play_expire(c);
    for (size_t i = 0; i < pl->nsessions; i++) {
        pms_play_session *s = &pl->sessions[i];
        if (strcmp(s->id, id) == 0 && !s->terminated) {
            s->terminated = 1;
            copy(s->reason, sizeof(s->reason), reason);
            pms_session_changed(c->p, s, "stopped");
            pms_reply_empty(c, 200);
            return;
        }
    }
    pms_error(c, 404);
}

/* ---- history ---- */

void pms_reply_page(pms_ctx *c, plex_container *mc, const plex_metadata **items, size_t n,
                    size_t total)
{
    mc->items = items;
    mc->items_count = n;
    mc->size = (int)n;
    mc->total_size = (int)total;
    mc->offset = (int)c->start;
    PMS_SET(mc, PLEX_CONTAINER_TOTAL_SIZE);
    PMS_SET(mc, PLEX_CONTAINER_OFFSET);
    pms_reply_container(c, mc);
}

static plex_metadata *render_history(pms_ctx *c, const pms_history *h)
{
    plex_metadata *m = pms_render_key(c->p, c->arena, h->rating_key, PMS_R_SECTION);
    char *key = plex__arena_alloc_bytes(c->arena, 48);

    if (!m || !key)
        return NULL;
    snprintf(key, 48, "/status/sessions/history/%lld", (long long)h->id);
    m->history_key = key;
    m->viewed_at = h->viewed_at;
    m->account_id = 1; /* the owner's local account */
    m->device_id = h->device_id;
    PMS_SET(m, PLEX_METADATA_VIEWED_AT);
    PMS_SET(m, PLEX_METADATA_ACCOUNT_ID);
    PMS_SET(m, PLEX_METADATA_DEVICE_ID);
    return m;
}

/* GET /status/sessions/history/all: sort=viewedAt[:desc], metadataItemID,
 * librarySectionID, accountID, viewedAt>= (epoch); paged. */
static void history_all(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    plex_container *mc = pms_container(c);
    const char *sort = pms_arg(c, "sort");
    int64_t item, section, account, since;
    const plex_metadata **items;
    size_t total = 0, n = 0;
    int desc;

    if (!pl || !mc) {
        pms_error(c, 500);
        return;
    }
    if (pms_int_arg(c, "metadataItemID", 0, INT64_MAX, 0, &item) != 0 ||
        pms_int_arg(c, "librarySectionID", 0, INT64_MAX, 0, &section) != 0 ||
        pms_int_arg(c, "accountID", 0, INT64_MAX, 0, &account) != 0 ||
        pms_int_arg(c, "viewedAt>", 0, INT64_MAX, 0, &since) != 0)
        return;
    if (sort && strcmp(sort, "viewedAt") != 0 && strcmp(sort, "viewedAt:asc") != 0 &&
        strcmp(sort, "viewedAt:desc") != 0) {
        pms_error(c, 400);
        return;
    }
    desc = sort && strcmp(sort, "viewedAt:desc") == 0;
    items = plex__arena_alloc(c->arena, (pl->nhistory + 1) * sizeof(void *));
    if (!items) {
        pms_error(c, 500);
        return;
    }
    for (size_t k = 0; k < pl->nhistory; k++) {
        size_t i = desc ? pl->nhistory - 1 - k : k;
        const pms_history *h = &pl->history[(pl->history_head + i) % PMS_MAX_HISTORY];
        pms_item it;
        if ((item && h->rating_key != item) || (account && account != 1) ||
            (since && h->viewed_at < since) || pms_item_get(c->p, h->rating_key, &it) != 0 ||
            (section && it.section != section))
            continue;
        if ((int64_t)total++ < c->start || (c->size >= 0 && (int64_t)n >= c->size))
            continue;
        if (!(items[n] = render_history(c, h))) {
            pms_error(c, 500);
            return;
        }
        n++;
    }
    pms_reply_page(c, mc, items, n, total);
}

/* The history entry of c->arg[0], or NULL after answering 404. */
static pms_history *history_arg(pms_ctx *c, pms_play *pl, size_t *pos)
{
    int64_t id;

    if (pms_parse_int(c->arg[0], &id) == 0)
        for (size_t i = 0; i < pl->nhistory; i++) {
            pms_history *h = &pl->history[(pl->history_head + i) % PMS_MAX_HISTORY];
            if (h->id == id) {
                *pos = i;
                return h;
            }
        }
    pms_error(c, 404);
    return NULL;
}

/* GET /status/sessions/history/{id} */
static void history_get(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    plex_container *mc = pms_container(c);
    const plex_metadata **items = plex__arena_alloc(c->arena, sizeof(void *));
    pms_history *h;
    size_t pos;

    if (!pl || !mc || !items) {
        pms_error(c, 500);
        return;
    }
    if (!(h = history_arg(c, pl, &pos)))
        return;
    if (!(items[0] = render_history(c, h))) {
        pms_error(c, 500);
        return;
    }
    mc->items = items;
    mc->items_count = 1;
    pms_reply_container(c, mc);
}

/* DELETE /status/sessions/history/{id} */
static void history_delete(pms_ctx *c)
{
    pms_play *pl = pms_play_of(c->p);
    size_t pos;

    if (!pl) {
        pms_error(c, 500);
        return;
    }
    if (!history_arg(c, pl, &pos))
        return;
    for (size_t i = pos; i + 1 < pl->nhistory; i++)
        pl->history[(pl->history_head + i) % PMS_MAX_HISTORY] =
            pl->history[(pl->history_head + i + 1) % PMS_MAX_HISTORY];
    pl->nhistory--;
    pms_reply_empty(c, 200);
}

static const pms_route routes[] = {
    {"POST", "/:/timeline", timeline, 0},
    {"GET", "/:/timeline", timeline, 0},
    {"PUT", "/:/scrobble", scrobble, 0},
    {"GET", "/:/scrobble", scrobble, 0},
    {"PUT", "/:/unscrobble", unscrobble, 0},
    {"GET", "/:/unscrobble", unscrobble, 0},
    {"PUT", "/:/rate", rate, 0},
    {"GET", "/:/rate", rate, 0},
    {"POST", "/:/progress", progress, 0},
    {"GET", "/:/progress", progress, 0},
    {"GET", "/status/sessions", sessions, 0},
    {"POST", "/status/sessions/terminate", terminate, 0},
    {"GET", "/status/sessions/terminate", terminate, 0},
    {"GET", "/status/sessions/history/all", history_all, 0},
    {"GET", "/status/sessions/history/{id}", history_get, 0},
    {"DELETE", "/status/sessions/history/{id}", history_delete, 0},
};

const pms_group pms_group_playback =
    PMS_GROUP_STATE("playback", routes, play_init, pms_play_reset, pms_play_dispose);

/*
 * plex.tv's discover service, the part plexsim serves on its plex.tv port:
 * the account's watchlist (GET /library/sections/watchlist/all, paged;
 * PUT /actions/addToWatchlist?ratingKey=, /actions/removeFromWatchlist).
 * Online items are named by 24-hex ratingKeys: plexsim's are the hex of the
 * library's movies' and shows' plex:// guids, so a client can go from a
 * library item to its watchlist entry. Newest first (watchlistedAt:desc).
 * The list lives with the media server's playback state (pms/play.h), and
 * /__sim/reset forgets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "pms/play.h"
#include "tv.h"
#include "tv/discover.h"

#define WATCHLIST_PATH "/library/sections/watchlist/all"

sim_route sim_discover_route(const char *method, const char *path)
{
    if (!method || !path)
        return SIM_R_OTHER;
    if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
        strcmp(path, WATCHLIST_PATH) == 0)
        return SIM_R_WATCHLIST;
    if (strcmp(method, "PUT") == 0 && strcmp(path, "/actions/addToWatchlist") == 0)
        return SIM_R_WATCHLIST_ADD;
    if (strcmp(method, "PUT") == 0 && strcmp(path, "/actions/removeFromWatchlist") == 0)
        return SIM_R_WATCHLIST_REMOVE;
    return SIM_R_OTHER;
}

/* The library movie or show whose guid is plex://{movie,show}/<hex>, or 0. */
static int64_t find_online(pms_state *p, const char *hex)
{
    static const pms_kind kinds[] = {PMS_K_MOVIE, PMS_K_SHOW};
    pms_item it;

    if (!hex || strlen(hex) != 24 || strspn(hex, "0123456789abcdef") != 24)
        return 0;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (long i = 0; i < pms_kind_count(p, kinds[k]); i++) {
            int64_t rk = pms_key_of(p, kinds[k], i);
            const char *slash;
            if (pms_item_get(p, rk, &it) == 0 && (slash = strrchr(it.guid, '/')) &&
                strcmp(slash + 1, hex) == 0)
                return rk;
        }
    return 0;
}

static long watch_index(const pms_play *pl, const char *hex)
{
    for (size_t i = 0; i < pl->nwatch; i++)
        if (strcmp(pl->watchlist[i].id, hex) == 0)
            return (long)i;
    return -1;
}

/* An online item as discover renders it, in arena a. */
static plex_metadata *render_online(pms_state *p, plex__arena *a, const pms_watch *w)
{
    plex_metadata *m = plex__arena_alloc(a, sizeof(*m));
    char *key = plex__arena_alloc_bytes(a, 48), *guid = plex__arena_alloc_bytes(a, 48);
    char *title = plex__arena_alloc_bytes(a, 160);
    pms_item it;

    if (!m || !key || !guid || !title || pms_item_get(p, w->rating_key, &it) != 0)
        return NULL;
    memset(m, 0, sizeof(*m));
    snprintf(key, 48, "/library/metadata/%s", w->id);
    snprintf(guid, 48, "plex://%s/%s", pms_type_name(it.type), w->id);
    snprintf(title, 160, "%s", it.title);
    m->rating_key = w->id;
    m->key = key;
    m->guid = guid;
    m->type = pms_type_name(it.type);
    m->title = title;
    if (it.year) {
        m->year = it.year;
        PMS_SET(m, PLEX_METADATA_YEAR);
    }
    if (it.duration) {
        m->duration = it.duration;
        PMS_SET(m, PLEX_METADATA_DURATION);
    }
    m->added_at = w->at;
    PMS_SET(m, PLEX_METADATA_ADDED_AT);
    return m;
}

static void watchlist(sim_state *st, const sim_request *rq, sim_response *rs, int json)
{
    pms_play *pl = pms_play_of(st->pms);
    char buf[64];
    const char *v;
    int64_t start = 0, size = -1;
    plex__buf b = PLEX__BUF_INIT;
    plex_container mc;
    void *root = plex__arena_new(16, (size_t)16 * 1024);
    plex__arena *a = root ? plex__arena_of(root) : NULL;
    pms_doc d;
    size_t n = 0;

    if (!pl || !a) {
        plex__arena_free_root(root);
        sim_error_response(rs, json, 500, 0, "out of memory");
        return;
    }
    if (((v = sim_param(rq, "X-Plex-Container-Start", buf, sizeof(buf))) &&
         pms_parse_int(v, &start) != 0) ||
        ((v = sim_param(rq, "X-Plex-Container-Size", buf, sizeof(buf))) &&
         pms_parse_int(v, &size) != 0)) {
        plex__arena_free_root(root);
        sim_error_response(rs, json, 400, 1000, "bad paging");
        return;
    }
    if (start < 0)
        start = 0;
    memset(&mc, 0, sizeof(mc));
    for (size_t i = 0; i < pl->nwatch; i++)
        n += (int64_t)i >= start && (size < 0 || (int64_t)(i - (size_t)start) < size);
    mc.size = (int)n;
    mc.total_size = (int)pl->nwatch;
    mc.offset = (int)start;
    PMS_SET(&mc, PLEX_CONTAINER_SIZE);
    PMS_SET(&mc, PLEX_CONTAINER_TOTAL_SIZE);
    PMS_SET(&mc, PLEX_CONTAINER_OFFSET);
    mc.identifier = "tv.plex.provider.discover";
    mc.library_section_title = "Watchlist";
    pms_doc_open(&d, &b, json, &mc);
    for (size_t k = 0; k < pl->nwatch; k++) {
        size_t i = pl->nwatch - 1 - k; /* newest first */
        plex_metadata *m;
        if ((int64_t)k < start || (size >= 0 && (int64_t)(k - (size_t)start) >= size))
            continue;
        if (!(m = render_online(st->pms, a, &pl->watchlist[i])))
            continue;
        pms_doc_item(&d, m);
    }
    pms_doc_close(&d);
    plex__arena_free_root(root);
    if (b.err) {
        plex__buf_dispose(&b);
        sim_error_response(rs, json, 500, 0, "out of memory");
        return;
    }
    rs->status = 200;
    rs->content_type = json ? "application/json" : "text/xml;charset=utf-8";
    rs->body_len = b.len;
    if (plex__buf_detach(&b, &rs->body) != 0 || !rs->body) {
        rs->body_len = 0;
        sim_error_response(rs, json, 500, 0, "out of memory");
    }
}

static void watch_change(sim_state *st, const sim_request *rq, sim_response *rs, int json, int add)
{
    pms_play *pl = pms_play_of(st->pms);
    char buf[128];
    const char *hex = sim_param(rq, "ratingKey", buf, sizeof(buf));
    int64_t rk;
    long i;

    if (!pl) {
        sim_error_response(rs, json, 500, 0, "out of memory");
        return;
    }
    if (!hex || !*hex) {
        sim_error_response(rs, json, 400, 1000, "ratingKey is missing");
        return;
    }
    i = watch_index(pl, hex);
    if (!add) {
        if (i < 0) {
            sim_error_response(rs, json, 404, 1020, "Not on the watchlist");
            return;
        }
        memmove(&pl->watchlist[i], &pl->watchlist[i + 1],
                (pl->nwatch - (size_t)i - 1) * sizeof(pl->watchlist[0]));
        pl->nwatch--;
    } else if (i < 0) {
        if (!(rk = find_online(st->pms, hex))) {
            sim_error_response(rs, json, 404, 1020, "Unknown item");
            return;
        }
        if (pl->nwatch == PMS_MAX_WATCHLIST) {
            sim_error_response(rs, json, 400, 1000, "The watchlist is full");
            return;
        }
        snprintf(pl->watchlist[pl->nwatch].id, sizeof(pl->watchlist[0].id), "%s", hex);
        pl->watchlist[pl->nwatch].rating_key = rk;
        pl->watchlist[pl->nwatch].at = sim_now_wall();
        pl->nwatch++;
    }
    rs->status = 200;
}

int sim_discover_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json)
{
    char buf[512];
    const char *token;

    if (rq->route != SIM_R_WATCHLIST && rq->route != SIM_R_WATCHLIST_ADD &&
        rq->route != SIM_R_WATCHLIST_REMOVE)
        return 0;
    token = sim_param(rq, "X-Plex-Token", buf, sizeof(buf));
    if (!token || sim_token_status(st, token) != 200) {
        sim_error_response(rs, json, 401, 1001, "User could not be authenticated");
        return 1;
    }
    if (!st->pms) {
        sim_error_response(rs, json, 503, 0, "No media server");
        return 1;
    }
    if (rq->route == SIM_R_WATCHLIST)
        watchlist(st, rq, rs, json);
    else
        watch_change(st, rq, rs, json, rq->route == SIM_R_WATCHLIST_ADD);
    return 1;
}

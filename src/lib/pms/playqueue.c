/*
 * Play queues (plex/pms/playlists.h, PMS.md §4.7): each call is one request
 * whose answer is the queue as it is afterwards.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "playback.h"
#include "plex/pms/playlists.h"

#define PATH_LEN 128

int plex_play_queue_create(plex_container **out, plex_server *s, const plex_play_queue_options *o)
{
    plex_query *q;
    int e = 0, rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!o || o->version != PLEX_PLAY_QUEUE_OPTIONS_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "plex_play_queue_options are required "
                               "(PLEX_PLAY_QUEUE_OPTIONS_INIT)");
    if (!o->type || (strcmp(o->type, "video") != 0 && strcmp(o->type, "audio") != 0 &&
                     strcmp(o->type, "photo") != 0))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "a play queue's type is \"video\", \"audio\" or \"photo\"");
    if (!o->uri == !o->playlist_id)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "a play queue is made of a uri or a playlist (one of them)");
    if (o->playlist_id && !plex__server_check_id(s, o->playlist_id, "playlist id"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    e |= plex_query_add(q, "type", o->type);
    if (o->uri)
        e |= plex_query_add(q, "uri", o->uri);
    else
        e |= plex_query_add(q, "playlistID", o->playlist_id);
    if (o->key)
        e |= plex_query_add(q, "key", o->key);
    e |= plex_query_add(q, "shuffle", o->shuffle ? "1" : "0");
    e |= plex_query_add(q, "repeat", o->repeat ? "1" : "0");
    e |= plex_query_add(q, "continuous", o->continuous ? "1" : "0");
    if (e)
        return plex__pms_oom(s, q);
    rc = plex__pms_call(out, s, "POST", "/playQueues", q);
    plex_query_free(q);
    return rc;
}

int plex_play_queue_get(plex_container **out, plex_server *s, int64_t id, int window,
                        int64_t center)
{
    char path[PATH_LEN];
    plex_query *q;
    int e = 0, rc;

    if (!out || !s || id <= 0 || window < 0 || center < 0)
        return PLEX_EINVALID;
    *out = NULL;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64, id);
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (window > 0)
        e |= plex_query_add_int(q, "window", window);
    if (center > 0)
        e |= plex_query_add_int(q, "center", center);
    if (e)
        return plex__pms_oom(s, q);
    rc = plex__pms_call(out, s, "GET", path, q);
    plex_query_free(q);
    return rc;
}

int plex_play_queue_add(plex_container **out, plex_server *s, int64_t id, const char *uri,
                        const char *playlist_id, int next)
{
    char path[PATH_LEN];
    plex_query *q;
    int e = 0, rc;

    if (!s || id <= 0)
        return PLEX_EINVALID;
    if (!uri == !playlist_id)
        return plex__http_fail(&s->http, PLEX_EINVALID, "give a uri or a playlist id (one)");
    if (playlist_id && !plex__server_check_id(s, playlist_id, "playlist id"))
        return PLEX_EINVALID;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64, id);
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    e |= uri ? plex_query_add(q, "uri", uri) : plex_query_add(q, "playlistID", playlist_id);
    if (next)
        e |= plex_query_add(q, "next", "1");
    if (e)
        return plex__pms_oom(s, q);
    rc = plex__pms_call(out, s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_play_queue_move(plex_container **out, plex_server *s, int64_t id, int64_t item,
                         int64_t after)
{
    char path[PATH_LEN];
    plex_query *q;
    int rc;

    if (!s || id <= 0 || item <= 0 || after < 0)
        return PLEX_EINVALID;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64 "/items/%" PRId64 "/move", id, item);
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (after > 0 && plex_query_add_int(q, "after", after) != 0)
        return plex__pms_oom(s, q);
    rc = plex__pms_call(out, s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_play_queue_remove(plex_container **out, plex_server *s, int64_t id, int64_t item)
{
    char path[PATH_LEN];

    if (!s || id <= 0 || item <= 0)
        return PLEX_EINVALID;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64 "/items/%" PRId64, id, item);
    return plex__pms_call(out, s, "DELETE", path, NULL);
}

int plex_play_queue_clear(plex_container **out, plex_server *s, int64_t id)
{
    char path[PATH_LEN];

    if (!s || id <= 0)
        return PLEX_EINVALID;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64 "/items", id);
    return plex__pms_call(out, s, "DELETE", path, NULL);
}

int plex_play_queue_shuffle(plex_container **out, plex_server *s, int64_t id, int shuffle)
{
    char path[PATH_LEN];

    if (!s || id <= 0)
        return PLEX_EINVALID;
    snprintf(path, sizeof(path), "/playQueues/%" PRId64 "/%s", id,
             shuffle ? "shuffle" : "unshuffle");
    return plex__pms_call(out, s, "PUT", path, NULL);
}

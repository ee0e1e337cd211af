/*
 * plex_playback: the timeline a player reports (plex/pms/playback.h,
 * PMS.md §4.6). The caller owns the clock: every call takes now_ms, and the
 * decision to send is made from it alone (on a state change, after the
 * period while a playback runs, after a failure), so tests drive it with a
 * fake clock. A blocking playback waits for each timeline's answer; a
 * non-blocking one starts it in plex_playback_tick() and finishes it in
 * plex_playback_step(), remembering the latest tick made meanwhile.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "playback.h"
#include "plex/pms/playback.h"

#define PERIOD_MS 10000
#define CELLULAR_PERIOD_MS 20000
#define SESSION_LEN 64

struct plex_playback {
    plex_server *s;
    plex__http h; /* the playback's own connection */
    int h_ready;
    char *rating_key, *key;
    int64_t duration_ms, play_queue_item_id;
    int cellular;
    long interval_ms;
    char session[SESSION_LEN + 1];
    int last_state;       /* the last state the server acknowledged; -1: none */
    int64_t last_sent_ms; /* when */
    int failed;           /* the last timeline failed: send on the next tick */
    size_t sent;
    plex_container *reply;
    char *terminated;
    int nonblocking;
    int inflight;         /* a timeline is in flight on h */
    int inflight_state;   /* ...of this state */
    int64_t inflight_now; /* ...started at this time */
    int has_pending;      /* a tick made while one was in flight */
    int pending_state;
    int64_t pending_pos, pending_now;
};

const char *plex_playback_state_name(int state)
{
    static const char *const names[] = {"stopped", "playing", "paused", "buffering"};

    return state >= 0 && state <= PLEX_PLAYBACK_BUFFERING ? names[state] : NULL;
}

int plex_playback_new(plex_playback **out, plex_server *s, const plex_playback_options *o)
{
    plex_playback *pb;
    char key[512];

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!o || o->version != PLEX_PLAYBACK_OPTIONS_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "plex_playback_options are required (PLEX_PLAYBACK_OPTIONS_INIT)");
    if (!plex__server_check_id(s, o->rating_key, "rating key"))
        return PLEX_EINVALID;
    if (o->key && (o->key[0] != '/' || strpbrk(o->key, " \t\r\n#?")))
        return plex__http_fail(&s->http, PLEX_EINVALID, "invalid key: expected a server path");
    if (o->session &&
        (!plex__server_check_id(s, o->session, "session id") || strlen(o->session) > SESSION_LEN))
        return PLEX_EINVALID;
    if (o->duration_ms < 0 || o->play_queue_item_id < 0 || o->interval_ms < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "negative duration, item or interval");
    if ((size_t)snprintf(key, sizeof(key), "/library/metadata/%s", o->rating_key) >= sizeof(key))
        return plex__http_fail(&s->http, PLEX_EINVALID, "the rating key is too long");
    if (!(pb = plex__calloc(1, sizeof(*pb))))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    pb->s = s;
    pb->rating_key = plex__strdup(o->rating_key);
    pb->key = plex__strdup(o->key ? o->key : key);
    if (!pb->rating_key || !pb->key) {
        plex_playback_free(pb);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    pb->duration_ms = o->duration_ms;
    pb->play_queue_item_id = o->play_queue_item_id;
    pb->cellular = o->cellular != 0;
    pb->interval_ms = o->interval_ms > 0 ? o->interval_ms
                      : pb->cellular     ? CELLULAR_PERIOD_MS
                                         : PERIOD_MS;
    pb->last_state = -1;
    pb->nonblocking = o->nonblocking != 0;
    if (o->session) {
        memcpy(pb->session, o->session, strlen(o->session) + 1);
    } else if (plex__random_id(pb->session, sizeof(pb->session)) != 0) {
        plex_playback_free(pb);
        return plex__http_fail(&s->http, PLEX_ERROR, "no random bytes for a session id");
    }
    *out = pb;
    return 0;
}

void plex_playback_free(plex_playback *pb)
{
    if (!pb)
        return;
    if (pb->h_ready)
        plex__http_dispose(&pb->h);
    plex_container_free(pb->reply);
    plex__free(pb->terminated);
    plex__free(pb->rating_key);
    plex__free(pb->key);
    plex__free(pb);
}

/* The server's answer: keep it, and notice an admin's termination. */
static int read_reply(plex_playback *pb, const plex__response *resp)
{
    plex_container *c = NULL;
    size_t start;
    int rc;

    if (plex__http_body_kind(&pb->h, resp->body, resp->len, &start) < 0)
        return 0; /* an empty 200 is an acknowledgement too */
    if ((rc = plex__server_decode(&c, &pb->h, resp->body, resp->len)) != 0)
        return rc;
    plex_container_free(pb->reply);
    pb->reply = c;
    if (plex_container_has(c, PLEX_CONTAINER_TERMINATION_CODE) && !pb->terminated) {
        pb->terminated = plex__strdup(c->termination_text ? c->termination_text : "");
        if (!pb->terminated)
            return plex__http_fail(&pb->h, PLEX_ENOMEM, "out of memory");
    }
    return 0;
}

/* Start POST /:/timeline with the state and position on the playback's
 * own connection. 0 or an error (recorded on it, or on the server before
 * the connection exists). */
static int start_timeline(plex_playback *pb, int state, int64_t position_ms)
{
    char session[SESSION_LEN + 64];
    const char *hdrs[] = {session, NULL};
    plex__request r = {.method = "POST", .path = "/:/timeline", .flags = PLEX__REQ_ANY_BODY};
    plex_query *q;
    int e = 0, rc;

    if (!pb->h_ready) {
        if (plex__http_init_from(&pb->h, &pb->s->http) != 0)
            return plex__http_fail(&pb->s->http, PLEX_ENOMEM, "out of memory");
        pb->h_ready = 1;
    }
    if (plex_query_new(&q) != 0)
        return plex__http_fail(&pb->h, PLEX_ENOMEM, "out of memory");
    e |= plex_query_add(q, "ratingKey", pb->rating_key);
    e |= plex_query_add(q, "key", pb->key);
    e |= plex_query_add(q, "identifier", PLEX__LIBRARY_ID);
    e |= plex_query_add(q, "state", plex_playback_state_name(state));
    e |= plex_query_add_int(q, "time", position_ms);
    if (pb->duration_ms > 0)
        e |= plex_query_add_int(q, "duration", pb->duration_ms);
    if (pb->play_queue_item_id > 0)
        e |= plex_query_add_int(q, "playQueueItemID", pb->play_queue_item_id);
    if (state == PLEX_PLAYBACK_STOPPED)
        e |= plex_query_add(q, "continuing", "0");
    if (pb->cellular)
        e |= plex_query_add(q, "location", "cellular");
    if (e) {
        plex_query_free(q);
        return plex__http_fail(&pb->h, PLEX_ENOMEM, "out of memory");
    }
    snprintf(session, sizeof(session), "X-Plex-Session-Identifier: %s", pb->session);
    r.base = pb->s->http.base_url;
    r.query = plex_query_string(q);
    r.headers = hdrs;
    r.accept = plex__server_accept(pb->s);
    rc = plex__http_start(&pb->h, &r); /* copies the URL and the headers */
    plex_query_free(q);
    return rc;
}

/* The timeline in flight ended with rc (0: answered and read): 1 or the error. */
static int ended(plex_playback *pb, int rc)
{
    pb->inflight = 0;
    if (rc) {
        pb->failed = 1; /* recorded: plex_playback_last_error() */
        return rc;
    }
    pb->failed = 0;
    pb->last_state = pb->inflight_state;
    pb->last_sent_ms = pb->inflight_now;
    pb->sent++;
    return 1;
}

/* Progress on the timeline in flight: 1 when it ended (*rc its outcome). */
static int advance(plex_playback *pb, int *rc)
{
    plex__response resp;
    int done = 0;

    if ((*rc = plex__http_progress(&pb->h, &done)) != 0) {
        plex__http_abort(&pb->h);
        *rc = ended(pb, *rc);
        return 1;
    }
    if (!done)
        return 0;
    if ((*rc = plex__http_finish(&pb->h, &resp)) == 0)
        *rc = read_reply(pb, &resp);
    *rc = ended(pb, *rc);
    return 1;
}

int plex_playback_tick(plex_playback *pb, int state, int64_t position_ms, int64_t now_ms)
{
    int running, rc;

    if (!pb)
        return PLEX_EINVALID;
    if (!plex_playback_state_name(state) || position_ms < 0)
        return plex__http_fail(pb->h_ready ? &pb->h : &pb->s->http, PLEX_EINVALID,
                               "invalid state or position");
    if (pb->inflight) { /* non-blocking: the latest tick waits for its turn */
        pb->has_pending = 1;
        pb->pending_state = state;
        pb->pending_pos = position_ms;
        pb->pending_now = now_ms;
        return PLEX_EPENDING;
    }
    running = pb->last_state > PLEX_PLAYBACK_STOPPED;
    if (state == PLEX_PLAYBACK_STOPPED) {
        /* nothing to stop unless a timeline went out (or the stop failed) */
        if (!pb->failed && pb->last_state < PLEX_PLAYBACK_PLAYING)
            return 0;
    } else if (!pb->failed && state == pb->last_state &&
               !(running && now_ms - pb->last_sent_ms >= pb->interval_ms)) {
        return 0;
    }
    if ((rc = start_timeline(pb, state, position_ms)) != 0) {
        pb->failed = 1;
        return rc;
    }
    pb->inflight = 1;
    pb->inflight_state = state;
    pb->inflight_now = now_ms;
    if (pb->nonblocking)
        return PLEX_EPENDING;
    while (!advance(pb, &rc))
        if (plex__http_wait(&pb->h, 1000) != 0) {
            plex__http_abort(&pb->h);
            return ended(pb, pb->h.last.code ? pb->h.last.code : PLEX_ERROR);
        }
    return rc;
}

int plex_playback_step(plex_playback *pb, plex_wait_info *wait)
{
    int rc, next;

    if (!pb || !wait)
        return PLEX_EINVALID;
    if (!pb->inflight)
        return 0;
    if (!advance(pb, &rc)) {
        plex__http_wait_info(&pb->h, wait);
        return PLEX_EPENDING;
    }
    if (pb->has_pending) {
        pb->has_pending = 0;
        next = plex_playback_tick(pb, pb->pending_state, pb->pending_pos, pb->pending_now);
        if (next < 0 && next != PLEX_EPENDING && rc > 0)
            return next; /* the remembered tick could not start */
    }
    return rc;
}

int plex_playback_stop(plex_playback *pb, int64_t position_ms, int64_t now_ms)
{
    return plex_playback_tick(pb, PLEX_PLAYBACK_STOPPED, position_ms, now_ms);
}

int64_t plex_playback_due(const plex_playback *pb)
{
    if (!pb || pb->last_state < PLEX_PLAYBACK_PLAYING)
        return -1;
    return pb->last_sent_ms + pb->interval_ms;
}

size_t plex_playback_sent(const plex_playback *pb)
{
    return pb ? pb->sent : 0;
}

const char *plex_playback_session(const plex_playback *pb)
{
    return pb ? pb->session : NULL;
}

const plex_container *plex_playback_reply(const plex_playback *pb)
{
    return pb ? pb->reply : NULL;
}

const char *plex_playback_terminated(const plex_playback *pb)
{
    return pb ? pb->terminated : NULL;
}

const plex_error *plex_playback_last_error(const plex_playback *pb)
{
    if (!pb)
        return NULL;
    return pb->h_ready ? &pb->h.last : &pb->s->http.last;
}

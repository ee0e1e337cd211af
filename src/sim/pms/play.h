/*
 * plexsim's playback state (PMS.md §4.5-4.9, §4.11): playback sessions
 * driven by /:/timeline, the watch history, transcode sessions, play queues
 * and playlists. Collections and the per-item watch state live in the core
 * (pms.h: pms_collection_*, pms_mark_watched...); this is what the core
 * does not keep.
 *
 *   playback.c     /:/timeline, scrobble, unscrobble, rate, progress,
 *                  /status/sessions (terminate, history); this state's life
 *   transcode.c    the universal transcoder: decision, HLS/DASH/HTTP
 *                  sessions and their segments, /transcode/sessions
 *   playqueues.c   /playQueues
 *   playlists.c    /playlists, and the library URIs every list is made of
 *   collections.c  /library/collections
 *   edit.c         PUT /library/sections/{id}/all and /library/metadata/{id}
 *
 * Every function expects st->lock held (the dispatcher holds it).
 */
#ifndef PLEX_SIM_PMS_PLAY_H
#define PLEX_SIM_PMS_PLAY_H

#include "pms.h"

#define PMS_MAX_SESSIONS 64    /* playbacks at once */
#define PMS_MAX_HISTORY 4096   /* history entries kept (the oldest go) */
#define PMS_MAX_TRANSCODES 32  /* transcode sessions at once */
#define PMS_MAX_QUEUES 256     /* play queues (the oldest go) */
#define PMS_MAX_PLAYLISTS 1024 /* playlists */
#define PMS_MAX_LIST 20000     /* items of one play queue or playlist */
#define PMS_MAX_WATCHLIST 1024 /* the account's watchlist (tv/discover.c) */

/* A playback session falls silent after this many seconds without a
 * timeline, and vanishes (docs/plexsim.md). */
#define PMS_SESSION_TIMEOUT 60

/* One playback: a client (X-Plex-Client-Identifier) and its
 * X-Plex-Session-Identifier, reported by /:/timeline. */
typedef struct pms_play_session {
    char client[SIM_MAX_IDENT + 1];
    char ident[SIM_MAX_IDENT + 1]; /* X-Plex-Session-Identifier, or the client's id */
    char product[64], platform[32], device[64], version[32];
    char id[40];         /* Session.id: what /status/sessions/terminate takes */
    int64_t session_key; /* sessionKey */
    int64_t rating_key;
    int64_t play_queue_item_id;
    int64_t view_offset, duration;
    char state[12]; /* playing, paused, buffering */
    char location[12];
    int64_t started, last_seen; /* pms time, seconds */
    int scrobbled;              /* counted as watched in this playback */
    int terminated;             /* an admin ended it: the next timeline says so */
    char reason[160];
} pms_play_session;

/* One entry of the watch history. */
typedef struct pms_history {
    int64_t id; /* historyKey /status/sessions/history/{id} */
    int64_t rating_key;
    int64_t viewed_at;
    int64_t device_id;
} pms_history;

/* A transcode session (start.m3u8 and friends). */
typedef struct pms_transcode {
    char key[72]; /* the session id the client gave */
    int64_t rating_key;
    int music;
    char protocol[8], container[8];
    char video_decision[12], audio_decision[12], subtitle_decision[12];
    char source_video[16], source_audio[16], video_codec[16], audio_codec[16];
    int width, height, bitrate, channels;
    int offline;
    int64_t duration; /* ms */
    int64_t started, last_seen;
    int segments; /* segments served */
} pms_transcode;

/* A play queue. */
typedef struct pms_play_queue {
    int64_t id;
    int version;
    char type[8];
    char *source_uri;
    int shuffled, repeat;
    int64_t *keys, *item_ids; /* parallel: ratingKey and playQueueItemID */
    int64_t *unshuffled_ids;  /* the order before shuffle (item ids), or NULL */
    size_t nunshuffled;
    size_t n, cap;
    int64_t selected;   /* playQueueItemID of the current item */
    int64_t last_added; /* the end of the "Up Next" region (0: none) */
    int64_t next_item;
} pms_play_queue;

/* A playlist: dumb (items) or smart (a filter URI). */
typedef struct pms_playlist {
    int64_t rating_key;
    char *title, *summary, *uri;
    char type[8]; /* video audio photo */
    int smart;
    int64_t *keys, *item_ids;
    size_t n, cap;
    int64_t next_item;
    int64_t added_at, updated_at;
} pms_playlist;

/* An entry of the account's watchlist (tv/discover.c). */
typedef struct pms_watch {
    char id[25];        /* the online ratingKey: 24 hex */
    int64_t rating_key; /* the library item it names */
    int64_t at;         /* watchlistedAt */
} pms_watch;

typedef struct pms_play {
    pms_play_session sessions[PMS_MAX_SESSIONS];
    size_t nsessions;
    int64_t next_session_key;
    pms_history *history; /* a ring of PMS_MAX_HISTORY */
    size_t nhistory, history_head;
    int64_t next_history;
    pms_transcode transcodes[PMS_MAX_TRANSCODES];
    size_t ntranscodes;
    pms_play_queue *queues[PMS_MAX_QUEUES];
    size_t nqueues;
    int64_t next_queue;
    pms_playlist *playlists[PMS_MAX_PLAYLISTS];
    size_t nplaylists;
    pms_watch watchlist[PMS_MAX_WATCHLIST];
    size_t nwatch;
} pms_play;

/* The playback state of the media server (made on first use). NULL when out of memory. */
pms_play *pms_play_of(pms_state *p);
/* Forget everything (sim reset) / free it (sim exit). */
void pms_play_reset(pms_state *p);
void pms_play_dispose(pms_state *p);

/* The clock of playback state: pms_now(), or the request's X-Plex-Sim-Now
 * (epoch seconds; header or query) so tests can move time forward. */
int64_t pms_play_now(const pms_ctx *c);

/* Sessions silent for PMS_SESSION_TIMEOUT vanish (called before sessions are read). */
void pms_play_expire(pms_ctx *c);

/* The one place a playback session changes: state is "playing", "paused",
 * "buffering" or "stopped" (ended, expired or terminated). For the event
 * stream: publish `playing` here. */
void pms_session_changed(pms_state *p, const pms_play_session *s, const char *state);
/* The one place a transcode session changes: event "start", "update" or
 * "end" (transcodeSession.* notifications). */
void pms_transcode_changed(pms_state *p, const pms_transcode *t, const char *event);

/* The transcode session with this key, or NULL. */
pms_transcode *pms_transcode_find(pms_play *pl, const char *key);
/* A TranscodeSession model of t, in arena a; NULL when out of memory. */
plex_transcode_session *pms_render_transcode(plex__arena *a, const pms_transcode *t);

/* The items a library URI names (PMS.md §4.7): server://{machine}/
 * com.plexapp.plugins.library/library/metadata/1,2 (containers expanded to
 * their leaves unless keep_containers), .../library/sections/N/all?filters,
 * library:///directory/<encoded path>, /playlists/N/items,
 * /library/collections/N/children. 0 with a malloc'd array (n may be 0), or
 * -1 after answering (400 bad URI, 404 unknown item). */
int pms_uri_items(pms_ctx *c, const char *uri, int keep_containers, int64_t **keys, size_t *n);

/* Percent-decode s in place ('+' is a space when plus is set). */
void pms_pct_decode(char *s, int plus);

/* The playlist of a ratingKey, or NULL. */
pms_playlist *pms_playlist_find(pms_play *pl, int64_t rk);
/* The items of a playlist (a smart one runs its query): as pms_uri_items. */
int pms_playlist_items(pms_ctx *c, pms_playlist *pl, int64_t **keys, size_t *n);

/* Free a play queue, a playlist (NULL is fine). */
void pms_play_queue_free(pms_play_queue *q);
void pms_playlist_free(pms_playlist *l);

/* Answer a page of items: size, totalSize (of the whole list), offset
 * (the request's start). */
void pms_reply_page(pms_ctx *c, plex_container *mc, const plex_metadata **items, size_t n,
                    size_t total);

/* Grow a pair of parallel int64 arrays to hold n + more. 0 or -1. */
int pms_grow2(int64_t **a, int64_t **b, size_t *cap, size_t n, size_t more);

extern const pms_group pms_group_playback;    /* playback.c */
extern const pms_group pms_group_transcode;   /* transcode.c */
extern const pms_group pms_group_playqueues;  /* playqueues.c */
extern const pms_group pms_group_playlists;   /* playlists.c */
extern const pms_group pms_group_collections; /* collections.c */
extern const pms_group pms_group_edit;        /* edit.c */

#endif

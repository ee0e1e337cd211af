/*
 * libplex: playing what a media server holds. The pieces a player builds on:
 *
 *   - direct play: the URL of a Part (its token as a header, or in the URL
 *     for decoders that take only a URL), images at a given size;
 *   - downloads of a Part or an image to a file, resumable, never leaving a
 *     corrupt file behind;
 *   - the universal transcoder: a decision for a client profile, the
 *     HLS/DASH URL of its session, stopping it;
 *   - the timeline a player reports while it plays (plex_playback), and the
 *     watch state: watched, unwatched, rating, progress;
 *   - what the server shows of playbacks: sessions, history, transcodes.
 *
 * Every call names its endpoint (PMS.md §4.4-4.6, §4.11); failures are
 * described by plex_server_last_error() unless said otherwise. Return codes,
 * unless a call says otherwise: 0; PLEX_EINVALID (a bad argument, found
 * before anything is sent); PLEX_ENOTFOUND (404); PLEX_EBADREQUEST (400);
 * PLEX_EAUTH (401/403: not allowed, e.g. a shared user's token on an admin
 * route); PLEX_ENOMEM; a transport error.
 * Threads: as plex_server (one thread at a time per server and per object).
 */
#ifndef PLEX_PMS_PLAYBACK_H
#define PLEX_PMS_PLAYBACK_H

#include <stdint.h>

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/query.h"
#include "plex/wait.h"

PLEX_BEGIN_DECL

/* ---- direct play and images ---- */

/** Flags of the URL calls. */
enum {
    /** Put the token in the URL (`X-Plex-Token=`): for decoders and image
     *  loaders that take only a URL. The URL is then a secret: do not log it. */
    PLEX_URL_TOKEN = 1u << 0,
    /** `download=1`: the server serves it as a download (lower priority,
     *  Content-Disposition). */
    PLEX_URL_DOWNLOAD = 1u << 1
};

/**
 * The URL of a path on the server: a Part's `key`
 * (`/library/parts/{id}/{changestamp}/file.ext`), a subtitle Stream's
 * `key`, an image path. Without PLEX_URL_TOKEN the caller sends the token as
 * a header (plex_server_headers()); with it the URL carries the token.
 *
 * @param[out] out  the URL; free with plex_free().
 * @param server    the server (its current connection is used).
 * @param path      the path, starting with '/' (it may carry a query).
 * @param flags     PLEX_URL_* flags.
 * @return 0, PLEX_EINVALID (not a server path), PLEX_ENOMEM.
 */
PLEX_API int plex_media_url(char **out, plex_server *server, const char *path, unsigned int flags);

/**
 * The direct-play URL of a Part: `GET {part->key}` (200, or 206 for a
 * `Range`; 403 downloads forbidden, 404 no such part, 503/509 no bandwidth).
 *
 * @param[out] out  the URL; free with plex_free().
 * @param part      a Part of an item's Media (plex_metadata_get()).
 * @return 0, PLEX_EINVALID (a part without a key, such as a transcoded
 *         decision part), PLEX_ENOMEM.
 */
PLEX_API int plex_part_url(char **out, plex_server *server, const plex_part *part,
                           unsigned int flags);

/**
 * The URL of an image scaled by the server:
 * `GET /photo/:/transcode?url=<path>&width=&height=&minSize=1&upscale=1`
 * (the image's bytes, 200; 404 unknown image). Width and height 0 give the
 * image's own URL (plex_media_url()).
 *
 * @param[out] out      the URL; free with plex_free().
 * @param path          the image's path (`thumb`, `art`...:
 * `/library/metadata/7/thumb/1700000000`).
 * @param width,height  the size wanted (one 0: the other one for both).
 * @param flags         PLEX_URL_TOKEN for an image loader that takes only a URL.
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_image_url(char **out, plex_server *server, const char *path, int width,
                            int height, unsigned int flags);

/**
 * The headers a program that fetches the server's URLs itself (with libcurl,
 * say) must send: `X-Plex-Token: ...` and the client's X-Plex-* identity, as
 * "Name: value" lines ready for curl_slist_append().
 *
 * @param[out] out  a NULL-terminated array of lines, in one allocation: free
 *                  the array with plex_free() (once). Secrets: do not log it.
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_server_headers(char ***out, const plex_server *server);

/* ---- downloads ---- */

/** What a download has done so far (plex_download_cb). */
typedef struct plex_download_progress {
    int64_t bytes;        /**< bytes of the file so far, a resumed prefix included */
    int64_t total;        /**< the size it will have; -1 when not known */
    int64_t resumed_from; /**< bytes that were already there (a resumed partial file) */
    double rate;          /**< bytes per second of this transfer so far */
} plex_download_progress;

/** Called as bytes arrive; return non-zero to cancel (PLEX_ECANCELLED: the
 *  partial file stays, to resume). */
typedef int (*plex_download_cb)(const plex_download_progress *progress, void *payload);

/** The suffix of a download in progress: `<dest>` is written as
 *  `<dest>.plexpart` and renamed to `<dest>` when complete. A failed or
 *  killed download leaves only that partial file, which the next download to
 *  the same place resumes. */
#define PLEX_DOWNLOAD_PARTIAL_SUFFIX ".plexpart"

/** Flags of plex_download_options.flags. */
enum {
    /** Start from the beginning even if a partial file is there. */
    PLEX_DOWNLOAD_NO_RESUME = 1u << 0,
    /** Fail with PLEX_EIO when the destination file exists (default: replace it). */
    PLEX_DOWNLOAD_NO_CLOBBER = 1u << 1
};

#define PLEX_DOWNLOAD_OPTIONS_VERSION 1

/** Options of the downloads. Start from PLEX_DOWNLOAD_OPTIONS_INIT. */
typedef struct plex_download_options {
    unsigned int version;      /**< PLEX_DOWNLOAD_OPTIONS_VERSION */
    plex_download_cb progress; /**< NULL: no progress reports */
    void *payload;             /**< handed to progress */
    /** the size the file must have: 0 for none (plex_part_download() uses
     *  the Part's `size`); a complete file of another size is deleted and
     *  the download fails with PLEX_ESCHEMA */
    int64_t expected_size;
    unsigned int flags; /**< PLEX_DOWNLOAD_* flags */
} plex_download_options;

#define PLEX_DOWNLOAD_OPTIONS_INIT                                                                 \
    {                                                                                              \
        PLEX_DOWNLOAD_OPTIONS_VERSION, NULL, NULL, 0, 0                                            \
    }

/**
 * Download a path of the server (`GET path`, a Part's key or an image) to a
 * file, on a connection of its own, with no overall time limit (a transfer
 * that stalls for the server's request timeout fails with PLEX_ETIMEOUT).
 *
 * The bytes go to `<dest>.plexpart` (PLEX_DOWNLOAD_PARTIAL_SUFFIX), which is
 * flushed to disk (fsync) and renamed to `dest` once complete and of the
 * expected size. If a partial file is there it is resumed with
 * `Range: bytes=N-`: the server must answer 206 with a Content-Range that
 * starts at N (and ends at the expected size, when known); a 200, a 416 or
 * another range makes the download start again from the first byte, except
 * a 200 whose length is not the expected size (an error page with a 200,
 * say), which fails with PLEX_ESCHEMA before touching the partial file. On
 * an error or a cancel the partial file keeps the bytes that were written
 * whole (so it is always a prefix of the file, and resumable); a complete
 * answer of the wrong size deletes it.
 *
 * @param server  the server (a copy of its connection settings is used).
 * @param path    the path on the server (`/library/parts/1/2/file.mkv`).
 * @param dest    the file to write.
 * @param opts    NULL for the defaults.
 * @return 0, PLEX_ECANCELLED (the callback asked), PLEX_ESCHEMA (the file's
 *         size is not the expected one), PLEX_EIO (the file could not be
 *         written: see the message), PLEX_ENOTFOUND, PLEX_EAUTH (403:
 *         downloads forbidden), PLEX_ESERVER, a transport error (a short
 *         read is PLEX_ETRANSPORT).
 */
PLEX_API int plex_download(plex_server *server, const char *path, const char *dest,
                           const plex_download_options *opts);

/**
 * Download a Part (`GET {part->key}?download=1`) as plex_download() does,
 * checking the file against the Part's `size`.
 *
 * @param[out] path_out  NULL, or the path written (free with plex_free()).
 * @param part           a Part with a `key` (plex_metadata_get()).
 * @param dest           a file name, or an existing directory: the file is
 *                       then named after the Part's `file` (its base name,
 *                       without control characters or path separators; "."
 *                       and ".." are refused), or `part-<id>.<container>`.
 * @return as plex_download(); PLEX_EINVALID for a part without a key or a
 *         file name that cannot be made safe.
 */
PLEX_API int plex_part_download(char **path_out, plex_server *server, const plex_part *part,
                                const char *dest, const plex_download_options *opts);

/**
 * The name plex_part_download() gives a Part's file in a directory: the base
 * name of its `file` (control characters replaced by '_'; "." and ".."
 * refused), else `part-<id>.<container>`. For callers that must know the
 * path before the download ends (to resume it, or to skip a file already
 * there).
 *
 * @param[out] out  the name, NUL-terminated.
 * @param size      the room in out (256 is always enough).
 * @param part      the Part.
 * @return 0, or PLEX_EINVALID (NULL arguments, no safe name, out too small).
 */
PLEX_API int plex_part_file_name(char *out, size_t size, const plex_part *part);

/**
 * Download an image at a given size (`GET /photo/:/transcode?...`, as
 * plex_image_url()) or as it is (width and height 0) to a file, as
 * plex_download() does.
 */
PLEX_API int plex_image_download(plex_server *server, const char *path, int width, int height,
                                 const char *dest, const plex_download_options *opts);

/* ---- downloads in an event loop ---- */

/** A download in progress (plex_download_start()), for programs with an
 *  event loop: it is moved on by plex_download_step() and never blocks. */
typedef struct plex_download_job plex_download_job;

/**
 * Start downloading a path of the server to a file without blocking: the
 * partial file is opened (and locked) now, the request is sent by the steps.
 * Everything else is as plex_download(): the same partial file, resume,
 * checks, callback (called from plex_download_step()) and outcome.
 * The job keeps copies of what it needs: the server, path, dest and opts
 * may go before it does. The progress callback cancels by returning
 * non-zero; it must not free the job (free it after the step returns).
 * @param[out] out  the job (free with plex_download_job_free()).
 * @return 0, or an error of the start (PLEX_EINVALID, PLEX_EIO: the partial
 *         file could not be opened or is being written by another download),
 *         recorded on the server.
 */
PLEX_API int plex_download_start(plex_download_job **out, plex_server *server, const char *path,
                                 const char *dest, const plex_download_options *opts);

/** The same for a Part, as plex_part_download() (a directory as dest names
 *  the file after the Part: plex_download_job_path()). */
PLEX_API int plex_part_download_start(plex_download_job **out, plex_server *server,
                                      const plex_part *part, const char *dest,
                                      const plex_download_options *opts);

/**
 * Move a download on without blocking.
 * @param[out] wait  what to wait for before the next step (descriptors and a
 *                   timeout, as plex_login_step()).
 * @return PLEX_EPENDING (wait, then step again), 0 (done: the file is in
 *         place), or the error plex_download() would return (details in
 *         plex_download_job_last_error()); a finished job returns its
 *         outcome again.
 */
PLEX_API int plex_download_step(plex_download_job *job, plex_wait_info *wait);

/** The file the job writes (borrowed; its partial file adds
 *  PLEX_DOWNLOAD_PARTIAL_SUFFIX). */
PLEX_API const char *plex_download_job_path(const plex_download_job *job);

/** The job's last error (borrowed). */
PLEX_API const plex_error *plex_download_job_last_error(const plex_download_job *job);

/** Free a job. One still running stops: its partial file stays, a prefix of
 *  the file, for the next download to the same place to resume. NULL does
 *  nothing. */
PLEX_API void plex_download_job_free(plex_download_job *job);

/* ---- the universal transcoder ---- */

/** How the stream is delivered. */
typedef enum plex_stream_protocol {
    PLEX_PROTOCOL_HLS = 0, /**< start.m3u8 */
    PLEX_PROTOCOL_DASH,    /**< start.mpd */
    PLEX_PROTOCOL_HTTP     /**< one progressive file (start.mkv / start.mp3) */
} plex_stream_protocol;

/** What to do with subtitles (`subtitles=`). */
typedef enum plex_subtitle_mode {
    PLEX_SUBTITLES_AUTO = 0, /**< the server chooses */
    PLEX_SUBTITLES_BURN,     /**< burned into the video */
    PLEX_SUBTITLES_SIDECAR,  /**< a separate file the player shows */
    PLEX_SUBTITLES_NONE,
    PLEX_SUBTITLES_EMBEDDED,
    PLEX_SUBTITLES_SEGMENTED
} plex_subtitle_mode;

/** What is transcoded: video (movies, episodes, clips) or music. */
typedef enum plex_transcode_kind {
    PLEX_TRANSCODE_VIDEO = 0,
    PLEX_TRANSCODE_MUSIC
} plex_transcode_kind;

/** Flags of plex_transcode_profile.flags: what the client cannot do. */
enum {
    PLEX_TRANSCODE_NO_DIRECT_PLAY = 1u << 0,   /**< directPlay=0 */
    PLEX_TRANSCODE_NO_DIRECT_STREAM = 1u << 1, /**< directStream=0: no copied video */
    PLEX_TRANSCODE_NO_DIRECT_AUDIO = 1u << 2,  /**< directStreamAudio=0 */
    PLEX_TRANSCODE_OFFLINE = 1u << 3           /**< context=static, offlineTranscode=1: to keep */
};

#define PLEX_TRANSCODE_PROFILE_VERSION 1

/** The client a transcode is for. Start from PLEX_TRANSCODE_PROFILE_INIT;
 *  0 and NULL mean "no limit" or "the server's default". */
typedef struct plex_transcode_profile {
    unsigned int version;      /**< PLEX_TRANSCODE_PROFILE_VERSION */
    int kind;                  /**< plex_transcode_kind */
    int protocol;              /**< plex_stream_protocol */
    int max_video_bitrate;     /**< kbps (maxVideoBitrate) */
    int max_width, max_height; /**< videoResolution=WxH */
    int music_bitrate;         /**< kbps (musicBitrate) */
    int subtitles;             /**< plex_subtitle_mode */
    int audio_boost;           /**< audioBoost (100 = none) */
    unsigned int flags;        /**< PLEX_TRANSCODE_* flags */
    const char *location;      /**< "lan" (default), "wan", "cellular" */
    int media_index;           /**< the Media version; default 0 */
    int part_index;            /**< the Part; -1 (the default): the server chooses */
    int64_t offset_ms;         /**< where playback starts */
    const char *profile_extra; /**< X-Plex-Client-Profile-Extra directives, or NULL */
    const char *session;       /**< the session id; NULL: a new random one */
} plex_transcode_profile;

#define PLEX_TRANSCODE_PROFILE_INIT                                                                \
    {                                                                                              \
        PLEX_TRANSCODE_PROFILE_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, -1, 0, NULL, NULL      \
    }

/** A transcode of one item for one client profile (one session id). */
typedef struct plex_transcode plex_transcode;

/**
 * Prepare a transcode of an item (nothing is sent). Every request of it
 * carries the same session id, as `session=`, `transcodeSessionId=` and
 * `X-Plex-Session-Identifier` (PMS.md §4.5).
 *
 * @param[out] out     the transcode; free with plex_transcode_free().
 * @param server       the server (must outlive the transcode).
 * @param rating_key   the item (`ratingKey`).
 * @param profile      NULL for the defaults (video, HLS, direct play allowed).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_transcode_new(plex_transcode **out, plex_server *server, const char *rating_key,
                                const plex_transcode_profile *profile);

/** The session id (borrowed). */
PLEX_API const char *plex_transcode_session_id(const plex_transcode *t);

/** The server's decision, decoded. Fields point into `container`. */
typedef struct plex_transcode_decision {
    int general_code;         /**< generalDecisionCode: 1xxx success, 2xxx general */
    const char *general_text; /**< generalDecisionText, or NULL */
    int direct_play_code;     /**< 3xxx (1000: direct play OK) */
    const char *direct_play_text;
    int transcode_code; /**< 4xxx (1001: conversion OK) */
    const char *transcode_text;
    int mde_code;
    const char *mde_text;
    /** 1 when the server will send the file as it is (Part decision
     *  "directplay"): play plex_part_url() of `part` instead */
    int direct_play;
    const char *part_decision;     /**< "directplay", "transcode", or NULL */
    const char *video_decision;    /**< "copy", "transcode", or NULL (no video) */
    const char *audio_decision;    /**< "copy", "transcode", or NULL */
    const char *subtitle_decision; /**< "burn", "copy", "transcode", "ignore"..., or NULL */
    const char *protocol;          /**< the chosen Media's protocol */
    const plex_metadata *item;     /**< the item, or NULL */
    const plex_media *media;       /**< the chosen Media (selected=1), or NULL */
    const plex_part *part;         /**< its chosen Part, or NULL */
    const plex_stream *video, *audio, *subtitle; /**< the chosen streams, or NULL */
    const plex_container *container;             /**< the whole answer */
} plex_transcode_decision;

/**
 * Ask the universal transcoder what it would do:
 * `GET /{video|music}/:/transcode/universal/decision?path=/library/metadata/{id}&...`
 * (200 with a container of codes and the item; 400 bad parameters, 404 no
 * such item). A 200 may still refuse: check general_code (>= 2000).
 *
 * @param[out] out  the decision; free with plex_transcode_decision_free().
 * @return 0, PLEX_ENOTFOUND, PLEX_EBADREQUEST, or the errors of plex_server_get().
 */
PLEX_API int plex_transcode_decide(plex_transcode_decision **out, plex_transcode *t);

/** Free a decision; NULL does nothing. */
PLEX_API void plex_transcode_decision_free(plex_transcode_decision *d);

/**
 * The URL a player opens to play the transcode:
 * `/{video|music}/:/transcode/universal/start.m3u8` (HLS), `start.mpd`
 * (DASH), or `start.mkv` / `start.mp3` (HTTP), with the profile's parameters
 * and the session id. The server starts the session when it is fetched
 * (200: the playlist or manifest; 400, 404, 503).
 *
 * @param[out] out  the URL; free with plex_free().
 * @param flags     PLEX_URL_TOKEN for a decoder that takes only a URL (else
 *                  send plex_server_headers()).
 * @return 0, PLEX_ENOMEM.
 */
PLEX_API int plex_transcode_url(char **out, plex_transcode *t, unsigned int flags);

/**
 * Stop the session: `GET /{video|music}/:/transcode/universal/stop?session=`
 * (200; PMS may answer 404 yet stop, which is taken as done).
 * @return 0, or the errors of plex_server_send().
 */
PLEX_API int plex_transcode_stop(plex_transcode *t);

/** Free a transcode (it does not stop the session); NULL does nothing. */
PLEX_API void plex_transcode_free(plex_transcode *t);

/* ---- the timeline ---- */

/** A player's state, as `/:/timeline` names it. */
typedef enum plex_playback_state {
    PLEX_PLAYBACK_STOPPED = 0,
    PLEX_PLAYBACK_PLAYING,
    PLEX_PLAYBACK_PAUSED,
    PLEX_PLAYBACK_BUFFERING
} plex_playback_state;

/** The wire name of a state ("playing"), or NULL. */
PLEX_API const char *plex_playback_state_name(int state);

#define PLEX_PLAYBACK_OPTIONS_VERSION 1

/** What a playback reports. Start from PLEX_PLAYBACK_OPTIONS_INIT. */
typedef struct plex_playback_options {
    unsigned int version;       /**< PLEX_PLAYBACK_OPTIONS_VERSION */
    const char *rating_key;     /**< the item played (required) */
    const char *key;            /**< its key; NULL: /library/metadata/{rating_key} */
    int64_t duration_ms;        /**< the item's duration (0: not sent) */
    int64_t play_queue_item_id; /**< the play queue item played (0: none) */
    /** X-Plex-Session-Identifier: NULL for a new random one; give the
     *  transcode's (plex_transcode_session_id()) when playing a transcode */
    const char *session;
    int cellular;     /**< 1 on a cellular network: the period is 20 s */
    long interval_ms; /**< the period while playing; 0: 10000 (20000 on cellular) */
    /** 1: never wait for the network: plex_playback_tick() starts a timeline
     *  and plex_playback_step() finishes it (for event loops) */
    int nonblocking;
} plex_playback_options;

#define PLEX_PLAYBACK_OPTIONS_INIT                                                                 \
    {                                                                                              \
        PLEX_PLAYBACK_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, 0, 0, 0                             \
    }

/** One playback of one item, reported to the server's timeline. */
typedef struct plex_playback plex_playback;

/**
 * Start reporting a playback (nothing is sent yet). The playback has a
 * connection of its own and no clock: every call takes the caller's
 * `now_ms` (any monotonic milliseconds), so a player's loop, an event loop
 * or a test with a fake clock drive it alike.
 *
 * @param[out] out  the playback; free with plex_playback_free().
 * @param server    the server (must outlive the playback).
 * @param opts      what is played (rating_key required).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_playback_new(plex_playback **out, plex_server *server,
                               const plex_playback_options *opts);

/**
 * Tell the playback where the player is. It sends
 * `POST /:/timeline?ratingKey=&key=&state=&time=&duration=&playQueueItemID=`
 * (200, a container: playbackState, viewOffset...) when the state changed,
 * and every interval while playing, paused or buffering (the server drops a
 * session that falls silent); otherwise nothing. After a failure the next
 * tick sends again.
 *
 * @param state        a plex_playback_state; PLEX_PLAYBACK_STOPPED ends the
 *                     playback (as plex_playback_stop()).
 * @param position_ms  the position in the item.
 * @param now_ms       the caller's clock.
 * Non-blocking playbacks (plex_playback_options.nonblocking) only start the
 * timeline and return PLEX_EPENDING: plex_playback_step() finishes it. A
 * tick while one is in flight is remembered (the latest wins) and sent, if
 * it is still due, when the one in flight ends.
 *
 * @return 1 (a timeline was sent), 0 (none was due), PLEX_EPENDING
 *         (non-blocking: one is in flight), or an error:
 *         PLEX_EINVALID, PLEX_ENOTFOUND (404: no such item), or the errors
 *         of plex_server_get(); see plex_playback_last_error(). When an
 *         admin ended the playback, the answer says so:
 *         plex_playback_terminated().
 */
PLEX_API int plex_playback_tick(plex_playback *pb, int state, int64_t position_ms, int64_t now_ms);

/**
 * End the playback: one `state=stopped` timeline (also sent when the last
 * one was not acknowledged). Later ticks start a new run of the same
 * session. @return as plex_playback_tick() (1 when sent).
 */
PLEX_API int plex_playback_stop(plex_playback *pb, int64_t position_ms, int64_t now_ms);

/**
 * Make progress on a non-blocking playback's timeline without waiting. Call
 * it while it returns PLEX_EPENDING, after waiting for `wait`'s sockets or
 * timeout (poll(2), an event loop).
 *
 * @param wait  filled when PLEX_EPENDING is returned.
 * @return 1 (a timeline was acknowledged: plex_playback_reply() has the
 *         answer; a remembered tick may have started the next one: call
 *         again), 0 (nothing in flight), PLEX_EPENDING, or the error of the
 *         timeline that failed (as plex_playback_tick()).
 */
PLEX_API int plex_playback_step(plex_playback *pb, plex_wait_info *wait);

/** When (caller's clock) the next periodic timeline is due; -1 when none
 *  is (stopped, or nothing sent yet). */
PLEX_API int64_t plex_playback_due(const plex_playback *pb);

/** Timelines sent so far. */
PLEX_API size_t plex_playback_sent(const plex_playback *pb);

/** The session id (X-Plex-Session-Identifier); borrowed. */
PLEX_API const char *plex_playback_session(const plex_playback *pb);

/** The server's answer to the last timeline (viewOffset, playbackState,
 *  terminationCode/Text), borrowed until the next call; NULL if none. */
PLEX_API const plex_container *plex_playback_reply(const plex_playback *pb);

/** The reason the server gave when an admin ended this playback
 *  (terminationCode/Text in a timeline's answer; "" without a text), or
 *  NULL while it goes on. Borrowed. */
PLEX_API const char *plex_playback_terminated(const plex_playback *pb);

/** The details of the playback's most recent failure; borrowed. */
PLEX_API const plex_error *plex_playback_last_error(const plex_playback *pb);

/** Free a playback (sends nothing: call plex_playback_stop() first); NULL does nothing. */
PLEX_API void plex_playback_free(plex_playback *pb);

/* ---- watch state ---- */

/**
 * Mark an item watched: `PUT /:/scrobble?identifier=com.plexapp.plugins.library&key=`
 * (200; 404 unknown item). Its viewCount grows by one, lastViewedAt is now,
 * viewOffset goes; a show, season or album marks every leaf under it.
 * @return 0, PLEX_ENOTFOUND, or the errors of plex_server_send().
 */
PLEX_API int plex_scrobble(plex_server *server, const char *rating_key);

/** Mark an item unwatched: `PUT /:/unscrobble?identifier=...&key=` (200; 404):
 *  viewCount, viewOffset and lastViewedAt go. @return as plex_scrobble(). */
PLEX_API int plex_unscrobble(plex_server *server, const char *rating_key);

/**
 * Rate an item: `PUT /:/rate?identifier=...&key=&rating=` (200; 400 out of
 * range; 404). @param rating 0 to 10 (stars = rating / 2), or -1 to clear.
 * @return 0, PLEX_EINVALID (out of range), PLEX_ENOTFOUND, ...
 */
PLEX_API int plex_rate(plex_server *server, const char *rating_key, double rating);

/**
 * Set where the user stopped, without a playback:
 * `POST /:/progress?identifier=...&key=&time=&state=stopped` (200; 404).
 * @param offset_ms  the position (viewOffset); 0 clears it.
 */
PLEX_API int plex_progress_set(plex_server *server, const char *rating_key, int64_t offset_ms);

/* ---- preview thumbnails ---- */

/** A Part's preview thumbnails, to show while seeking: the index PMS makes
 *  when `Part.indexes` is "sd" (a BIF file: a picture every few seconds). */
typedef struct plex_previews plex_previews;

/** One preview picture (plex_previews_at(), plex_previews_find()). */
typedef struct plex_preview {
    int64_t time_ms;            /**< the position it shows, from the start */
    const unsigned char *image; /**< its bytes (JPEG from PMS), owned by the plex_previews */
    size_t len;                 /**< their length */
} plex_preview;

/**
 * A Part's previews: `GET /library/parts/{id}/indexes/sd` (`?interval=`).
 * @param part         a Part of plex_metadata_get() (its id is used)
 * @param interval_ms  the time between pictures, or 0 for the server's own
 * @param[out] out     free with plex_previews_free()
 * @return 0, PLEX_ENOTFOUND (the part has no previews, or not at that
 *         interval), PLEX_EPARSE / PLEX_ESCHEMA (not a BIF file, or a broken
 *         one), PLEX_ETOOBIG (larger than the server's max_response_size), or
 *         the errors of plex_server_get().
 */
PLEX_API int plex_previews_get(plex_previews **out, plex_server *server, const plex_part *part,
                               int64_t interval_ms);

/**
 * Decode a BIF file (copied: data may go afterwards).
 * @return 0, PLEX_EPARSE (not a BIF, or cut short), PLEX_ESCHEMA (a version
 *         not known, pictures out of place or out of order), PLEX_ENOMEM,
 *         PLEX_EINVALID.
 */
PLEX_API int plex_previews_parse(plex_previews **out, const void *data, size_t len,
                                 plex_error *err);

/** How many pictures (0 for NULL). */
PLEX_API size_t plex_previews_count(const plex_previews *previews);

/** Picture i, in time order. @return 0, or PLEX_EINVALID (i out of range). */
PLEX_API int plex_previews_at(const plex_previews *previews, size_t i, plex_preview *out);

/** The picture to show at a position: the last one at or before it (the
 *  first one for a position before it). @return 0, or PLEX_ENOTFOUND (no
 *  pictures). */
PLEX_API int plex_previews_find(const plex_previews *previews, int64_t position_ms,
                                plex_preview *out);

/** Free previews; NULL does nothing. */
PLEX_API void plex_previews_free(plex_previews *previews);

/* ---- stream selection ---- */

/** plex_part_select_streams(): leave this kind of stream as it is. */
#define PLEX_STREAM_KEEP (-1)

/** Flags of plex_part_select_streams(). */
enum {
    /** The same choice for every part of the item, by language (the server
     *  picks the matching stream of each; `allParts=1`). */
    PLEX_SELECT_ALL_PARTS = 1u << 0
};

/**
 * Choose the audio and subtitle streams of a part for this user:
 * `PUT /library/parts/{id}?audioStreamID=&subtitleStreamID=` (200; 400 a
 * stream that is not one of the part's; 404 no such part). Later answers mark
 * the choice `selected` (plex_stream.selected), and a transcode decision uses it.
 * @param part                a Part of plex_metadata_get() (its id is used)
 * @param audio_stream_id     an audio Stream's id, or PLEX_STREAM_KEEP
 * @param subtitle_stream_id  a subtitle Stream's id, 0 for no subtitles, or
 *                            PLEX_STREAM_KEEP
 * @param flags               0 or PLEX_SELECT_ALL_PARTS
 * @return 0, PLEX_EINVALID (no part id, both kept, a negative id),
 *         PLEX_EBADREQUEST (a stream of another part), PLEX_ENOTFOUND, or the
 *         errors of plex_server_send().
 */
PLEX_API int plex_part_select_streams(plex_server *server, const plex_part *part,
                                      int64_t audio_stream_id, int64_t subtitle_stream_id,
                                      unsigned int flags);

/* ---- sessions, history, transcodes ---- */

/** `GET /status/sessions` (admin): the playbacks in progress, as Metadata
 *  with sessionKey, viewOffset, Player, Session, User and, when transcoded,
 *  TranscodeSession. @return 0, PLEX_EAUTH (not an admin token), ... */
PLEX_API int plex_sessions_get(plex_container **out, plex_server *server);

/**
 * Stop a playback: `POST /status/sessions/terminate?sessionId=&reason=`
 * (admin; 200; 401 the server lacks the feature; 404 unknown session). The
 * player learns it from its next timeline's answer.
 * @param session_id  the `Session.id` of plex_sessions_get().
 * @param reason      shown to the user, or NULL.
 */
PLEX_API int plex_session_terminate(plex_server *server, const char *session_id,
                                    const char *reason);

/** `GET /status/sessions/history/all`: what was watched (Metadata with
 *  historyKey, viewedAt, accountID, deviceID), to walk; the query may hold
 *  `sort=viewedAt:desc`, `accountID`, `librarySectionID`, `metadataItemID`. */
PLEX_API int plex_history(plex_listing **out, plex_server *server, const plex_query *query,
                          const plex_listing_options *opts);

/** `GET /status/sessions/history/{id}`: one history entry (404 unknown). */
PLEX_API int plex_history_entry_get(plex_container **out, plex_server *server, const char *id);

/** `DELETE /status/sessions/history/{id}` (admin; 200; 404 unknown). */
PLEX_API int plex_history_entry_delete(plex_server *server, const char *id);

/**
 * `GET /transcode/sessions`: the transcodes running. The container's
 * `TranscodeSession` entries are read with plex_transcode_sessions_count()
 * and plex_transcode_sessions_at().
 */
PLEX_API int plex_transcode_sessions_get(plex_container **out, plex_server *server);

/** The number of TranscodeSession entries of a plex_transcode_sessions_get() answer. */
PLEX_API size_t plex_transcode_sessions_count(const plex_container *c);

/** TranscodeSession i of a plex_transcode_sessions_get() answer (borrowed), or NULL. */
PLEX_API const plex_transcode_session *plex_transcode_sessions_at(const plex_container *c,
                                                                  size_t i);

/** `DELETE /transcode/sessions/{key}` (admin; 200; 404 unknown): kill a
 *  transcode by its TranscodeSession `key`. */
PLEX_API int plex_transcode_session_kill(plex_server *server, const char *key);

PLEX_END_DECL

#endif

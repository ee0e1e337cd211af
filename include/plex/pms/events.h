/*
 * libplex: a media server's live notifications (`GET /:/eventsource/notifications`,
 * server-sent events): what is played where, library changes, activities
 * with their progress, status, preference and update changes.
 *
 * A plex_events is one subscription on its own connection to the server. It
 * survives the network: a stream that goes silent (no ping for twice the
 * server's interval), closes, or sends something that is not an event
 * stream is dropped and opened again after a back-off (5 s doubling to
 * 2 min by default, plus up to a quarter of random jitter; it starts over
 * once a stream delivered something; a 429's Retry-After is honoured up to
 * the maximum). 401/403, 404 and 400 end the subscription instead: retrying
 * cannot help. Neither PMS transport resumes, so after a
 * reconnection events may have been missed: the PLEX_EVENT_CONNECTED event
 * says so (`reconnected`), and a caller that keeps state resynchronises
 * from `/status/sessions` and `/activities` (PMS.md §5.1).
 *
 * Use it without blocking (plex_events_step() and a plex_wait_info, like
 * plex_login_step()) or blocking (plex_events_run()). Memory stays flat
 * over an endless stream: one event is held at a time, and a line longer
 * than the limit is an error (the stream is dropped), not growth.
 *
 * Threads: use a subscription from one thread at a time; plex_events_close()
 * may be called from any callback of it, including the event callback.
 */
#ifndef PLEX_PMS_EVENTS_H
#define PLEX_PMS_EVENTS_H

#include <signal.h>
#include <stddef.h>

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/wait.h"

PLEX_BEGIN_DECL

/** What a plex_event is. Notification kinds first, then the subscription's own. */
typedef enum plex_event_type {
    /** A notification type libplex does not know: `name` and the raw `data` are
     *  given, and `notification` when the data is a JSON object. */
    PLEX_EVENT_OTHER = 0,
    PLEX_EVENT_PLAYING = 1,          /**< `playing`: notification->playing */
    PLEX_EVENT_TIMELINE = 2,         /**< `timeline`: notification->timeline */
    PLEX_EVENT_ACTIVITY = 3,         /**< `activity`: notification->activities */
    PLEX_EVENT_STATUS = 4,           /**< `status`: notification->statuses */
    PLEX_EVENT_REACHABILITY = 5,     /**< `reachability`: notification->reachability */
    PLEX_EVENT_TRANSCODE_START = 6,  /**< `transcodeSession.start`: ->transcode_sessions */
    PLEX_EVENT_TRANSCODE_UPDATE = 7, /**< `transcodeSession.update`: ->transcode_sessions */
    /** `transcodeSession.end` (and the older `transcode.end`): ->transcode_sessions */
    PLEX_EVENT_TRANSCODE_END = 8,
    PLEX_EVENT_PREFERENCE = 9,        /**< `preference`: notification->settings */
    PLEX_EVENT_BACKGROUND_QUEUE = 10, /**< `backgroundProcessingQueue`: ->background_queue */
    PLEX_EVENT_PROGRESS = 11,         /**< `progress`: notification->progress */
    PLEX_EVENT_ACCOUNT = 12,          /**< `account`: notification->accounts */
    PLEX_EVENT_UPDATE_STATE = 13,     /**< `update.statechange`: notification->updates */
    PLEX_EVENT_LOG = 14,              /**< `log` (only with filters naming it): ->log */
    /** A keep-alive `ping` (only with PLEX_EVENTS_PINGS). */
    PLEX_EVENT_PING = 15,
    /** The stream is open (the server answered 200 with an event stream).
     *  `reconnected` is 1 when it is not the first connection: events may have
     *  been missed since the last one. */
    PLEX_EVENT_CONNECTED = 100,
    /** The stream was lost: `error` says why (PLEX_ETIMEOUT: silent; PLEX_ETOOBIG:
     *  an endless line; PLEX_EPARSE: not an event stream; a transport or HTTP
     *  error); the next attempt is in `retry_in_ms`. */
    PLEX_EVENT_DISCONNECTED = 101
} plex_event_type;

/**
 * One event, borrowed: valid during the callback only (copy what you keep,
 * or re-parse `data` with plex_notification_parse()).
 */
typedef struct plex_event {
    plex_event_type type;
    /** The notification type as sent ("playing", "transcodeSession.end", an unknown
     *  one...); NULL for PLEX_EVENT_CONNECTED and PLEX_EVENT_DISCONNECTED. */
    const char *name;
    /** The event's data as sent (JSON text, NUL-terminated), or NULL. */
    const char *data;
    size_t data_len;
    /** The decoded payload, or NULL (a connection event, or data that could not be
     *  decoded: then `error` says why and the event is still given, raw). */
    const plex_notification *notification;
    /** PLEX_EVENT_DISCONNECTED: why; a notification: why it was not decoded; else 0. */
    int error;
    /** PLEX_EVENT_DISCONNECTED: milliseconds until the next attempt. */
    long retry_in_ms;
    /** PLEX_EVENT_CONNECTED: 1 after a reconnection (resynchronise). */
    int reconnected;
    /** Connections opened so far (1 after the first). */
    unsigned long connections;
} plex_event;

/**
 * The event callback. Return 0 to go on, non-zero to close the subscription
 * (as plex_events_close()). It may call plex_events_close() itself, but not
 * plex_events_free().
 */
typedef int (*plex_event_cb)(const plex_event *event, void *payload);

/** Flags for plex_events_options.flags. */
enum {
    /** Give the keep-alive pings to the callback as PLEX_EVENT_PING. */
    PLEX_EVENTS_PINGS = 1u << 0,
    /** Do not reconnect: the first lost stream ends the subscription with its error. */
    PLEX_EVENTS_NO_RECONNECT = 1u << 1
};

#define PLEX_EVENTS_OPTIONS_VERSION 1

/** Options of a subscription. Start from PLEX_EVENTS_OPTIONS_INIT; 0 and NULL
 *  mean the default. */
typedef struct plex_events_options {
    unsigned int version; /**< PLEX_EVENTS_OPTIONS_VERSION */
    /** The `filters` parameter (PMS.md §5.1): NULL for the server's default (all
     *  but `log`); "playing,activity" only those; "-log,timeline" all but those;
     *  "" everything. */
    const char *filters;
    plex_event_cb on_event; /**< required */
    void *payload;          /**< passed to on_event */
    /** The server's ping interval; a stream silent for twice this long is dropped.
     *  Default 10000 (PMS pings about every 10 s). */
    long ping_interval_ms;
    long backoff_min_ms; /**< first wait before reconnecting; default 5000 */
    /** The wait doubles up to this; default 120000. A 429's Retry-After is
     *  waited out in full even when it is longer. */
    long backoff_max_ms;
    /** Bytes of one line (one event's data) before the stream is dropped as
     *  broken (PLEX_ETOOBIG); default 1 MiB. */
    size_t max_line;
    unsigned int flags; /**< PLEX_EVENTS_* */
    /** plex_events_run(): stop when this becomes non-zero (a signal handler's
     *  flag), checked at least every 200 ms; NULL for none. */
    volatile sig_atomic_t *cancel;
} plex_events_options;

#define PLEX_EVENTS_OPTIONS_INIT                                                                   \
    {                                                                                              \
        PLEX_EVENTS_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL                         \
    }

/**
 * Initialise options to the defaults (for bindings that cannot use the macro).
 * @return 0, or PLEX_EINVALID for an unknown version or NULL opts.
 */
PLEX_API int plex_events_options_init(plex_events_options *opts, unsigned int version);

/** A subscription to a server's notifications. */
typedef struct plex_events plex_events;

/**
 * Subscribe to `GET /:/eventsource/notifications` (Accept: text/event-stream;
 * 200 and an endless body). Nothing is sent before the first step. The
 * subscription has its own connection; the server may be used for other
 * calls meanwhile (but must outlive the subscription).
 *
 * @param[out] out  the subscription; free with plex_events_free().
 * @param server    the server; on failure see plex_server_last_error().
 * @param opts      the options (on_event is required); copied.
 * @return 0, PLEX_EINVALID (no callback, bad options), PLEX_ENOMEM.
 */
PLEX_API int plex_events_new(plex_events **out, plex_server *server,
                             const plex_events_options *opts);

/**
 * Make progress without blocking: connect, read what arrived and call the
 * callback for each event, notice silence, reconnect when it is time.
 *
 * @param events  the subscription.
 * @param wait    filled when PLEX_EPENDING is returned: wait for its sockets
 *                or timeout_ms, then call again.
 * @return PLEX_EPENDING (go on), 0 (closed: plex_events_close() or a callback
 *         returned non-zero), or the error that ended it: PLEX_EAUTH (401/403:
 *         no right to the stream; never retried), PLEX_ENOTFOUND (no such
 *         endpoint), PLEX_ENOMEM, or with PLEX_EVENTS_NO_RECONNECT the error
 *         that lost the stream. Details in plex_events_last_error().
 */
PLEX_API int plex_events_step(plex_events *events, plex_wait_info *wait);

/**
 * Close the subscription: no callback is called after this returns (except
 * the one that is running), and the next plex_events_step() drops the
 * connection and returns 0. Safe from any callback; NULL does nothing.
 */
PLEX_API void plex_events_close(plex_events *events);

/**
 * Subscribe and wait, calling the callback for each event, until the
 * subscription is closed (by the callback or opts->cancel) or fails.
 *
 * @return 0 when closed or cancelled, or the errors of plex_events_step();
 *         details in plex_server_last_error().
 */
PLEX_API int plex_events_run(plex_server *server, const plex_events_options *opts);

/** The details of the subscription's most recent failure (a lost stream or
 *  the error that ended it); borrowed. */
PLEX_API const plex_error *plex_events_last_error(const plex_events *events);

/** Events given to the callback so far (notifications and pings, not the
 *  connection events). */
PLEX_API unsigned long long plex_events_count(const plex_events *events);

/** Free a subscription and close its connection; NULL does nothing. Not from
 *  inside one of its callbacks (use plex_events_close() there). */
PLEX_API void plex_events_free(plex_events *events);

/**
 * Decode one notification's data, whatever its shape (PMS.md §5.1): a
 * `NotificationContainer` wrapper, the bare object keyed by kind
 * (`{"PlaySessionStateNotification": {...}}` or `[...]`), or an array of
 * the payloads of `type`. JSON, or XML whose root is NotificationContainer.
 *
 * @param[out] out  the notification; free with plex_notification_free().
 * @param type      the notification type ("playing"; the SSE event name), or
 *                  NULL to take the container's own `type`.
 * @param data      the data, len bytes.
 * @param flags     PLEX_PARSE_* flags.
 * @param err       NULL, or the details of a failure.
 * @return 0, PLEX_EPARSE (not JSON or XML), PLEX_ESCHEMA (not a notification),
 *         PLEX_ENOMEM, PLEX_EINVALID.
 */
PLEX_API int plex_notification_parse(plex_notification **out, const char *type, const char *data,
                                     size_t len, unsigned int flags, plex_error *err);

/** The plex_event_type of a notification type name ("playing" ->
 *  PLEX_EVENT_PLAYING); PLEX_EVENT_OTHER for a name libplex does not know. */
PLEX_API plex_event_type plex_event_type_from_name(const char *name);

/** A short name of an event type ("playing", "connected"...); never NULL. */
PLEX_API const char *plex_event_type_name(plex_event_type type);

PLEX_END_DECL

#endif

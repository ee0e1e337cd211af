/*
 * libplex: administering a media server (PMS.md §4.11): butler tasks,
 * activities, the updater, statistics, the server log and the security
 * endpoints. Preferences, clients and devices are in plex/pms/library.h;
 * sessions, history and transcode sessions in plex/pms/playback.h.
 *
 * Most of these need the server owner's token: a shared or managed user's
 * token gets PLEX_EAUTH (401), which here means "not allowed", not "signed
 * out" (PMS.md §1.3). Failures are described by plex_server_last_error().
 */
#ifndef PLEX_PMS_ADMIN_H
#define PLEX_PMS_ADMIN_H

#include <stddef.h>

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/query.h"

PLEX_BEGIN_DECL

/* ---- butler ---- */

/**
 * `GET /butler`: the maintenance tasks and their schedule (root `ButlerTasks`).
 * @param[out] out  the tasks; free with plex_butler_tasks_free().
 * @return 0, PLEX_EAUTH (not the owner), a transport error, PLEX_EPARSE, PLEX_ESCHEMA.
 */
PLEX_API int plex_butler_get(plex_butler_tasks **out, plex_server *server);

/**
 * `POST /butler/{task}`, or `POST /butler` for every enabled task (task NULL).
 * The task runs in the background and shows up as an activity (and its
 * `activity` notifications).
 * @param task  a task's name ("BackupDatabase", "OptimizeDatabase"...), or NULL.
 * @return 0 (200: started), 1 (202: it was already running), PLEX_ENOTFOUND
 *         (404: no such task), PLEX_EAUTH, PLEX_EINVALID (a task name that
 *         cannot be a path segment), or a transport error.
 */
PLEX_API int plex_butler_start(plex_server *server, const char *task);

/**
 * `DELETE /butler/{task}`: stop a running task (or drop it from the queue),
 * or `DELETE /butler` for all of them (task NULL).
 * @return 0 (200), PLEX_ENOTFOUND (404: no such task, or it is not running),
 *         PLEX_EAUTH, PLEX_EINVALID, or a transport error.
 */
PLEX_API int plex_butler_stop(plex_server *server, const char *task);

/* ---- activities ---- */

/**
 * `GET /activities`: what the server is doing (scans, refreshes, butler
 * tasks), each with its progress (-1 when unknown).
 * @param[out] out  the activities; free with plex_activities_free().
 * @return 0, PLEX_EAUTH, a transport error, PLEX_EPARSE, PLEX_ESCHEMA.
 */
PLEX_API int plex_activities_get(plex_activities **out, plex_server *server);

/**
 * `DELETE /activities/{uuid}`: cancel an activity.
 * @param uuid  an Activity's uuid.
 * @return 0 (200), PLEX_EBADREQUEST (400: it cannot be cancelled),
 *         PLEX_ENOTFOUND (404: no such activity, or it ended), PLEX_EAUTH,
 *         PLEX_EINVALID, or a transport error.
 */
PLEX_API int plex_activity_cancel(plex_server *server, const char *uuid);

/* ---- updater ---- */

/**
 * `GET /updater/status`: whether the server can install updates, when it
 * last checked, and the releases it found.
 * @param[out] out  the status; free with plex_updater_status_free().
 * @return 0, PLEX_EAUTH, a transport error, PLEX_EPARSE, PLEX_ESCHEMA.
 */
PLEX_API int plex_updater_status_get(plex_updater_status **out, plex_server *server);

/**
 * `PUT /updater/check?download=0|1`: look for a new release now (the result
 * shows in plex_updater_status_get() and as an `update.statechange` event).
 * @param download  1 to download a release that is found.
 * @return 0 (200), PLEX_EAUTH, or a transport error.
 */
PLEX_API int plex_updater_check(plex_server *server, int download);

/** Flags of plex_updater_apply(). */
enum {
    PLEX_UPDATER_TONIGHT = 1u << 0, /**< tonight=1: install during the next butler window */
    PLEX_UPDATER_SKIP = 1u << 1     /**< skip=1: mark the release skipped (ignored with TONIGHT) */
};

/**
 * `PUT /updater/apply`: install the downloaded release now, tonight, or
 * skip it (PLEX_UPDATER_* flags; 0: now).
 * @return 0 (200: started), PLEX_EBADREQUEST (400: this server cannot install
 *         updates, or there is nothing to install), PLEX_ESERVER (500: the update
 *         failed to start), PLEX_EAUTH, or a transport error.
 */
PLEX_API int plex_updater_apply(plex_server *server, unsigned int flags);

/* ---- statistics ---- */

/** Time slots of statistics (`timespan=`, PMS.md §4.11). */
typedef enum plex_timespan {
    PLEX_TIMESPAN_DEFAULT = 0, /**< the server's default */
    PLEX_TIMESPAN_MONTHS = 1,
    PLEX_TIMESPAN_WEEKS = 2,
    PLEX_TIMESPAN_DAYS = 3,
    PLEX_TIMESPAN_HOURS = 4,
    PLEX_TIMESPAN_SECONDS = 6 /**< the live view: one slot every few seconds */
} plex_timespan;

/**
 * `GET /statistics/media?timespan=`: plays per device, account and slot
 * (`StatisticsMedia`, with the `Device` and `Account` entries they name).
 * @param[out] out   the statistics; free with plex_statistics_free().
 * @param timespan   a plex_timespan.
 * @param query      NULL, or more parameters (accountID, deviceID, `at>=`...).
 * @return 0, PLEX_EAUTH, PLEX_EBADREQUEST (a bad parameter), a transport
 *         error, PLEX_EPARSE, PLEX_ESCHEMA.
 */
PLEX_API int plex_statistics_media_get(plex_statistics **out, plex_server *server, int timespan,
                                       const plex_query *query);

/** `GET /statistics/resources?timespan=`: host and server CPU and memory per slot
 *  (`StatisticsResources`). Arguments and returns as plex_statistics_media_get(). */
PLEX_API int plex_statistics_resources_get(plex_statistics **out, plex_server *server, int timespan,
                                           const plex_query *query);

/** `GET /statistics/bandwidth?timespan=`: bytes sent per device, account and slot, LAN
 *  or not (`StatisticsBandwidth`, with `Device` and `Account`). As plex_statistics_media_get(). */
PLEX_API int plex_statistics_bandwidth_get(plex_statistics **out, plex_server *server, int timespan,
                                           const plex_query *query);

/* ---- the server log ---- */

/** Levels of the server log. */
typedef enum plex_server_log_level {
    PLEX_SERVER_LOG_ERROR = 0,
    PLEX_SERVER_LOG_WARNING = 1,
    PLEX_SERVER_LOG_INFO = 2,
    PLEX_SERVER_LOG_DEBUG = 3,
    PLEX_SERVER_LOG_VERBOSE = 4
} plex_server_log_level;

/**
 * `PUT /log?level=&message=&source=`: write one line to the server's log.
 * The log is read live through the notification stream: subscribe with
 * plex_events_new() and filters "log" (PLEX_EVENT_LOG events).
 * @param level    a plex_server_log_level (0..4).
 * @param message  the line (no line breaks: they are sent as spaces).
 * @param source   who writes it (your product's name); NULL for none.
 * @return 0 (200), PLEX_EINVALID (level out of range, no message), PLEX_EAUTH,
 *         or a transport error.
 */
PLEX_API int plex_log_write(plex_server *server, int level, const char *message,
                            const char *source);

/** One line of plex_log_write_lines(). */
typedef struct plex_log_line {
    int level;           /**< plex_server_log_level */
    const char *message; /**< the text (line breaks are sent as spaces) */
    const char *source;  /**< or NULL */
} plex_log_line;

/**
 * `POST /log`: write several lines in one request (its body holds one query
 * string per line, as PUT /log takes).
 * @return 0 (200), PLEX_EINVALID (no lines, a bad level or message),
 *         PLEX_EBADREQUEST (400), PLEX_EAUTH, or a transport error.
 */
PLEX_API int plex_log_write_lines(plex_server *server, const plex_log_line *lines, size_t count);

/**
 * `POST /log/networked?minutes=`: send the server's logs to Plex's
 * networked logging (Papertrail) for a while.
 * @return 0 (200), PLEX_EAUTH (403: not allowed), PLEX_EINVALID (minutes < 1),
 *         or a transport error.
 */
PLEX_API int plex_log_networked(plex_server *server, int minutes);

/* ---- security ---- */

/**
 * `POST /security/token?type=delegation&scope=all`: a transient token with
 * the caller's rights, valid up to 48 hours and until the server restarts:
 * for URLs handed to a player or another program.
 * @param[out] out  the token (a secret); free with plex_free().
 * @return 0, PLEX_EAUTH (403: no token could be made), PLEX_ESCHEMA (no token
 *         in the answer), or a transport error.
 */
PLEX_API int plex_security_token(char **out, plex_server *server);

/**
 * `GET /security/resources?source=`: how to reach a source the server knows
 * (a shared server, a cloud provider), with a transient token for it.
 * @param[out] out  the devices; free with plex_source_resources_free().
 * @param source    the source's identifier with its prefix ("server://<machineId>/...").
 * @param refresh   1 to make the server look again (refresh=1).
 * @return 0, PLEX_EBADREQUEST (400: no or a bad source), PLEX_EAUTH (403),
 *         PLEX_ENOTFOUND, a transport error, PLEX_EPARSE, PLEX_ESCHEMA.
 */
PLEX_API int plex_source_resources_get(plex_source_resources **out, plex_server *server,
                                       const char *source, int refresh);

PLEX_END_DECL

#endif

/*
 * The emulated media server's notifications and administration (PMS.md §4.11,
 * §5): the notification hub and its event stream (events.c), butler tasks,
 * activities, the updater, statistics, the log and transient tokens
 * (admin.c). Everything here expects st->lock held, except the stream's
 * reader, which takes it itself.
 *
 * Publishing: a route group that changes what a notification reports calls
 * pms_notify() (or a helper below) while it holds the lock; every
 * subscriber whose filters take the type gets it, in order. Publishing
 * never waits for a subscriber: the hub keeps the last PMS_HUB_RING
 * notifications, and a subscriber that falls further behind is closed (its
 * client reconnects and resynchronises, as with a real server).
 */
#ifndef PLEX_SIM_PMS_EVENTS_H
#define PLEX_SIM_PMS_EVENTS_H

#include <stdint.h>

#include "core/model.h"
#include "play.h"
#include "pms.h"

#define PMS_HUB_RING 4096                     /* notifications kept for subscribers that lag */
#define PMS_HUB_MAX_EVENT ((size_t)64 * 1024) /* bytes of one notification's data */
#define PMS_PING_MS 10000                     /* the default ping interval */

typedef struct pms_hub pms_hub;     /* events.c: pms_state.hub */
typedef struct pms_admin pms_admin; /* admin.c: pms_state.admin */

/* The hub (events.c) is the events group's state (pms_group init, reset,
 * dispose): on /__sim/reset its open streams are closed (their clients
 * reconnect). */

/*
 * Publish a notification: `data` is its JSON (n bytes), the bare payload
 * keyed by kind as PMS sends it on the event stream ({"StatusNotification":
 * {...}}). Dropped (with a line on stderr) if over PMS_HUB_MAX_EVENT.
 */
void pms_notify(pms_state *p, const char *type, const char *data, size_t n);

/* Publish obj (a model of `schema`) as {"<key>":{...}}, written by the
 * library's model writer. */
void pms_notify_model(pms_state *p, const char *type, const char *key, const plex__schema *schema,
                      const void *obj);

/* The usual notifications, in one call each. */
/* `playing`: a playback's state ("playing", "paused", "buffering", "stopped"),
 * from pms_session_changed() (playback.c). */
void pms_notify_session(pms_state *p, const pms_play_session *s, const char *state);
/* `timeline`: an item changed (state 0 created ... 5 processed, 9 deleted). */
void pms_notify_timeline(pms_state *p, int64_t rating_key, int section, int type, const char *title,
                         int state);
/* `transcodeSession.start`, `.update`, `.end` (event "start", "update",
 * "end"), from pms_transcode_changed() (playback.c). */
void pms_notify_transcode(pms_state *p, const pms_transcode *t, const char *event);
/* `status` with notificationName (LIBRARY_UPDATE...). */
void pms_notify_status(pms_state *p, const char *name, const char *title, const char *description);
/* `preference`: pref i changed (its new value); ManualPortMappingMode also
 * publishes `reachability` (reachable when a public port is mapped). */
void pms_notify_pref(pms_state *p, size_t i);
/* `reachability`: remote access is (1) or is not (0) reachable. */
void pms_notify_reachability(pms_state *p, int reachable);

/* ---- administration (admin.c) ---- */

/* (admin.c's state is the admin group's: pms_state.admin) */

/* Move the activities on to now: new refreshes start one, running ones
 * advance (an `activity` notification per step) and end. Called by the
 * event streams while they wait and by /activities. Returns the ms until
 * something is due, or -1 when nothing runs. */
long pms_admin_tick(pms_state *p);

/* 1 if tok is a transient token of /security/token that is still valid. */
int pms_token_transient(pms_state *p, const char *tok);

extern const pms_group pms_group_events; /* events.c */
extern const pms_group pms_group_admin;  /* admin.c */

#endif

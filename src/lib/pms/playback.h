/*
 * Helpers shared by the playback files of the pms area (playback.c,
 * download.c, transcode.c, timeline.c, playqueue.c, playlists.c, edit.c,
 * watchlist.c): requests whose answer may be wanted, ids in paths, random
 * session ids, URLs of the server.
 */
#ifndef PLEX_PMS_PLAYBACK_INTERNAL_H
#define PLEX_PMS_PLAYBACK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "plex/pms/playback.h"
#include "plex/query.h"
#include "server.h"

/* The provider of library items, in URIs and `identifier=`. */
#define PLEX__LIBRARY_ID "com.plexapp.plugins.library"

/* method path?query: decoded into *out when out is not NULL, else the
 * answer is not read (plex_server_send). */
int plex__pms_call(plex_container **out, plex_server *s, const char *method, const char *path,
                   const plex_query *q);

/* snprintf a path whose %s arguments are caller ids (each checked with
 * plex__server_check_id, named `what`) into buf. 0 or PLEX_EINVALID (recorded). */
int plex__pms_path(plex_server *s, char *buf, size_t size, const char *what, const char *fmt, ...)
    PLEX__PRINTF(5, 6);

/* method path (formatted as plex__pms_path does) with no parameters: the
 * writes that name their object in the path (DELETE /playlists/{id}...). */
int plex__pms_send_id(plex_server *s, const char *method, const char *what, const char *fmt, ...)
    PLEX__PRINTF(4, 5);

/* A new query, or NULL after recording PLEX_ENOMEM on s. */
plex_query *plex__pms_query(plex_server *s);

/* Record PLEX_ENOMEM on s, free q, return PLEX_ENOMEM. */
int plex__pms_oom(plex_server *s, plex_query *q);

/* n rating keys joined by ',' into b, each checked as an id. 0 or PLEX_EINVALID. */
int plex__pms_join_keys(plex_server *s, plex__buf *b, const char *const *keys, size_t n);

/* A random session id: 24 lower-case hex characters and a NUL (25 bytes). 0 or -1. */
int plex__random_id(char *out, size_t size);

/* base URL + path (+ '?' query) (+ X-Plex-Token when token is set) into *out. */
int plex__pms_url(char **out, plex_server *s, const char *path, const char *query, int token);

/* The query of /photo/:/transcode for an image path at a size (one of them
 * may be 0): url, width, height, minSize=1, upscale=1. 0 or an error (recorded). */
int plex__image_query(plex_query **out, plex_server *s, const char *path, int width, int height);

/* The file name of a part in a directory (download.c): the base name of its
 * `file` without control characters, or part-<id>.<container>. 0 or -1. */
int plex__download_name(char *out, size_t size, const plex_part *part);

/* Fill a decision from a decision answer c (transcode.c; c stays the caller's). */
void plex__transcode_decision_read(plex_transcode_decision *d, const plex_container *c);

/* Test hook: downloads fail to write past this byte with ENOSPC (-1: off). */
void plex__download_fail_write_at(int64_t byte);

#endif

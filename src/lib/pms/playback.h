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

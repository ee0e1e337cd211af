/*
 * libplex: the user's lists on a media server: play queues (what a player
 * plays next), playlists and collections (PMS.md §4.7-4.9).
 *
 * Items are named by `server://{machineIdentifier}/com.plexapp.plugins.library/...`
 * URIs (plex_server_uri()); calls that take rating keys build them. Writes
 * that answer the changed list fill `*out` when it is not NULL (free with
 * plex_container_free()). Failures: plex_server_last_error().
 *
 * Return codes, unless a call says otherwise: 0; PLEX_EINVALID (a bad
 * argument, found before anything is sent); PLEX_ENOTFOUND (404: no such
 * queue, playlist, collection or item); PLEX_EBADREQUEST (400: the server
 * refused the parameters); PLEX_EAUTH (401/403); PLEX_ENOMEM; a transport
 * error (PLEX_ECONNECT, PLEX_ETIMEOUT...).
 */
#ifndef PLEX_PMS_PLAYLISTS_H
#define PLEX_PMS_PLAYLISTS_H

#include <stdint.h>

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/query.h"

PLEX_BEGIN_DECL

/**
 * The library URI of a path on the server:
 * `server://{machineIdentifier}/com.plexapp.plugins.library{path}`. The
 * machine identifier is asked once (`GET /identity`) and kept by nothing: call
 * this once per batch. Paths: `/library/metadata/7` (one item),
 * `/library/metadata/7,8,9` (several), `/library/sections/1/all?type=1&genre=3`
 * (a filter: smart playlists and collections, play queues of a query).
 *
 * @param[out] out  the URI; free with plex_free().
 * @param path      the path, starting with '/' (a query is kept as it is).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM, or the errors of plex_server_identity().
 */
PLEX_API int plex_server_uri(char **out, plex_server *server, const char *path);

/* ---- play queues ---- */

#define PLEX_PLAY_QUEUE_OPTIONS_VERSION 1

/** What a play queue is made of. Start from PLEX_PLAY_QUEUE_OPTIONS_INIT. */
typedef struct plex_play_queue_options {
    unsigned int version;    /**< PLEX_PLAY_QUEUE_OPTIONS_VERSION */
    const char *type;        /**< "video", "audio" or "photo" (required) */
    const char *uri;         /**< a library URI (plex_server_uri()): an item, a show, a filter */
    const char *playlist_id; /**< or a playlist's ratingKey */
    const char *key;         /**< the item to start with (`/library/metadata/N`), or NULL */
    int shuffle;             /**< 1: shuffled */
    int repeat;              /**< 1: repeat the queue */
    int continuous;          /**< 1: go on with what follows (the next episodes) */
} plex_play_queue_options;

#define PLEX_PLAY_QUEUE_OPTIONS_INIT                                                               \
    {                                                                                              \
        PLEX_PLAY_QUEUE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0                           \
    }

/**
 * `POST /playQueues?type=&uri=|playlistID=&key=&shuffle=&repeat=&continuous=`:
 * a new play queue (200: the queue: playQueueID, playQueueVersion,
 * playQueueSelectedItemID..., items with playQueueItemID; 400 bad type or
 * uri; 404 unknown item or playlist).
 *
 * @param[out] out  the queue; free with plex_container_free().
 * @return 0, PLEX_EINVALID, PLEX_EBADREQUEST, PLEX_ENOTFOUND, ...
 */
PLEX_API int plex_play_queue_create(plex_container **out, plex_server *server,
                                    const plex_play_queue_options *opts);

/**
 * `GET /playQueues/{id}?window=&center=`: a queue (200; 404 unknown).
 * @param window  items on each side of the centre (0: the server's default).
 * @param center  the playQueueItemID to centre on (0: the selected item).
 */
PLEX_API int plex_play_queue_get(plex_container **out, plex_server *server, int64_t id, int window,
                                 int64_t center);

/**
 * `PUT /playQueues/{id}?uri=|playlistID=&next=`: add items (at the end of
 * the "Up Next" part, or right after the current item with next=1).
 * @param uri          a library URI, or NULL with playlist_id.
 * @param playlist_id  a playlist's ratingKey, or NULL.
 */
PLEX_API int plex_play_queue_add(plex_container **out, plex_server *server, int64_t id,
                                 const char *uri, const char *playlist_id, int next);

/** `PUT /playQueues/{id}/items/{item}/move?after=`: move an item after
 *  another (after 0: to the front). 404 unknown queue or item. */
PLEX_API int plex_play_queue_move(plex_container **out, plex_server *server, int64_t id,
                                  int64_t item, int64_t after);

/** `DELETE /playQueues/{id}/items/{item}`: remove an item (by playQueueItemID). */
PLEX_API int plex_play_queue_remove(plex_container **out, plex_server *server, int64_t id,
                                    int64_t item);

/** `DELETE /playQueues/{id}/items`: remove every item but the playing one. */
PLEX_API int plex_play_queue_clear(plex_container **out, plex_server *server, int64_t id);

/** `PUT /playQueues/{id}/shuffle` (shuffle 1) or `/unshuffle` (0). */
PLEX_API int plex_play_queue_shuffle(plex_container **out, plex_server *server, int64_t id,
                                     int shuffle);

/* ---- playlists ---- */

/** `GET /playlists`: the playlists, to walk; the query may hold
 *  `playlistType=audio|video|photo`, `smart=0|1`, `sectionID`. */
PLEX_API int plex_playlists_get(plex_listing **out, plex_server *server, const plex_query *query,
                                const plex_listing_options *opts);

/** `GET /playlists/{id}`: one playlist (title, smart, playlistType,
 *  leafCount, duration; 404 unknown). */
PLEX_API int plex_playlist_get(plex_container **out, plex_server *server, const char *id);

/** `GET /playlists/{id}/items`: its items (with playlistItemID), to walk. */
PLEX_API int plex_playlist_items(plex_listing **out, plex_server *server, const char *id,
                                 const plex_query *query, const plex_listing_options *opts);

/**
 * `POST /playlists?uri=server://.../library/metadata/{ids}&title=&type=&smart=0`:
 * a playlist of items (200: the playlist; 400 no items or bad type).
 *
 * @param[out] out    NULL, or the new playlist's container (its item has the ratingKey).
 * @param title       its title.
 * @param type        "video", "audio" or "photo".
 * @param rating_keys the items, in order (at least one).
 * @return 0, PLEX_EINVALID, PLEX_EBADREQUEST, ...
 */
PLEX_API int plex_playlist_create(plex_container **out, plex_server *server, const char *title,
                                  const char *type, const char *const *rating_keys, size_t n);

/** `POST /playlists?uri=<filter URI>&title=&type=&smart=1`: a smart
 *  playlist, whose items are what the filter matches (plex_server_uri() of
 *  `/library/sections/1/all?type=1&...`). */
PLEX_API int plex_playlist_create_smart(plex_container **out, plex_server *server,
                                        const char *title, const char *type, const char *uri);

/** `PUT /playlists/{id}/items?uri=`: append items (200; 400 for a smart
 *  playlist; 404 unknown). */
PLEX_API int plex_playlist_add(plex_container **out, plex_server *server, const char *id,
                               const char *const *rating_keys, size_t n);

/** `DELETE /playlists/{id}/items/{playlistItemID}`: remove one entry (200; 404). */
PLEX_API int plex_playlist_remove(plex_server *server, const char *id, int64_t playlist_item_id);

/** `PUT /playlists/{id}/items/{playlistItemID}/move?after=`: move an entry
 *  after another (after 0: to the front). */
PLEX_API int plex_playlist_move(plex_server *server, const char *id, int64_t playlist_item_id,
                                int64_t after);

/** `PUT /playlists/{id}?title=&summary=`: rename (NULL keeps a field). */
PLEX_API int plex_playlist_edit(plex_server *server, const char *id, const char *title,
                                const char *summary);

/** `DELETE /playlists/{id}/items`: remove every entry (dumb playlists). */
PLEX_API int plex_playlist_clear(plex_server *server, const char *id);

/**
 * Import an m3u file of the server's disk as a playlist (admin):
 * `POST /playlists/upload?path=&force=&sectionID=` (200; 404 no such file;
 * 400 a playlist of that name exists and force is 0, or not an m3u file).
 * The playlist is named after the file.
 *
 * @param path     the file on the server (`/data/Music/Road trip.m3u`).
 * @param section  the music section to resolve it in, or NULL.
 * @param force    1: replace a playlist of the same name.
 */
PLEX_API int plex_playlist_upload(plex_server *server, const char *path, const char *section,
                                  int force);

/** `DELETE /playlists/{id}` (204; 404 unknown). */
PLEX_API int plex_playlist_delete(plex_server *server, const char *id);

/* ---- collections ---- */

/** `GET /library/collections/{id}/children`: a collection's items, to walk.
 *  (A section's collections: plex_section_collections().) */
PLEX_API int plex_collection_items(plex_listing **out, plex_server *server, const char *id,
                                   const plex_query *query, const plex_listing_options *opts);

/**
 * `POST
 * /library/collections?type=&title=&smart=0&sectionId=&uri=server://.../library/metadata/{ids}`: a
 * collection of items of one type (plex_media_type) in a section (200: the collection; 400 bad
 * type; 404 unknown section).
 */
PLEX_API int plex_collection_create(plex_container **out, plex_server *server, const char *section,
                                    int type, const char *title, const char *const *rating_keys,
                                    size_t n);

/** `POST /library/collections?...&smart=1&uri=<filter URI>`: a smart collection. */
PLEX_API int plex_collection_create_smart(plex_container **out, plex_server *server,
                                          const char *section, int type, const char *title,
                                          const char *uri);

/** `PUT /library/collections/{id}/items?uri=`: add items (200; 404). */
PLEX_API int plex_collection_add(plex_container **out, plex_server *server, const char *id,
                                 const char *const *rating_keys, size_t n);

/** `DELETE /library/collections/{id}/items/{ratingKey}`: remove an item
 *  (200; 404 not in it). */
PLEX_API int plex_collection_remove(plex_server *server, const char *id, const char *rating_key);

/** `PUT /library/collections/{id}/items/{ratingKey}/move?after=`: reorder
 *  (after NULL: to the front). */
PLEX_API int plex_collection_move(plex_server *server, const char *id, const char *rating_key,
                                  const char *after);

/** `DELETE /library/metadata/{id}`: delete a collection (200; 404). */
PLEX_API int plex_collection_delete(plex_server *server, const char *id);

PLEX_END_DECL

#endif

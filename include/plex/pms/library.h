/*
 * libplex: browsing a media server: the server itself, its library sections,
 * their items, one item and its children, hubs, search, tags and images.
 *
 * Calls that answer one MediaContainer fill a plex_container (free with
 * plex_container_free()); calls that answer a list that can be long return a
 * plex_listing to walk (plex/pms/server.h). Ids (`section`, `rating_key`) are
 * the strings the server gives (a section's `key`, an item's `ratingKey`).
 * Each call names its endpoint; failures are described by
 * plex_server_last_error() (or plex_listing_last_error() for listings).
 */
#ifndef PLEX_PMS_LIBRARY_H
#define PLEX_PMS_LIBRARY_H

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/query.h"

PLEX_BEGIN_DECL

/** Metadata type numbers (`type=` of listings, `Metadata.type` names them;
 *  PMS.md §3.2: the spec's own enum is wrong from 5 up). */
typedef enum plex_media_type {
    PLEX_TYPE_MOVIE = 1,
    PLEX_TYPE_SHOW = 2,
    PLEX_TYPE_SEASON = 3,
    PLEX_TYPE_EPISODE = 4,
    PLEX_TYPE_TRAILER = 5,
    PLEX_TYPE_PERSON = 7,
    PLEX_TYPE_ARTIST = 8,
    PLEX_TYPE_ALBUM = 9,
    PLEX_TYPE_TRACK = 10,
    PLEX_TYPE_CLIP = 12,
    PLEX_TYPE_PHOTO = 13,
    PLEX_TYPE_PHOTO_ALBUM = 14,
    PLEX_TYPE_PLAYLIST = 15,
    PLEX_TYPE_PLAYLIST_FOLDER = 16,
    PLEX_TYPE_COLLECTION = 18
} plex_media_type;

/**
 * The type number of a type name ("movie" -> 1, "episode" -> 4, "photoalbum"
 * -> 14...), or 0 when the name is unknown.
 */
PLEX_API int plex_media_type_from_name(const char *name);

/** The name of a type number ("movie"), or NULL when unknown. */
PLEX_API const char *plex_media_type_name(int type);

/* ---- the server ---- */

/** `GET /identity` (no token needed): machineIdentifier, version, claimed. */
PLEX_API int plex_server_identity(plex_container **out, plex_server *server);

/** `GET /`: the server's name, version, platform, capabilities, and its
 *  top-level Directory entries. */
PLEX_API int plex_server_info(plex_container **out, plex_server *server);

/** `GET /media/providers`: the media providers and their feature keys. */
PLEX_API int plex_server_providers(plex_container **out, plex_server *server);

/** `GET /:/prefs`: every preference (Setting), its type, value and default. */
PLEX_API int plex_prefs_get(plex_container **out, plex_server *server);

/** `GET /:/prefs/get?id=`: one preference. PLEX_ENOTFOUND for an unknown id. */
PLEX_API int plex_pref_get(plex_container **out, plex_server *server, const char *id);

/**
 * `PUT /:/prefs?<id>=<value>`: set one preference (admin).
 * @param value  the new value as text ("1"/"0" for booleans).
 * @return 0, PLEX_EBADREQUEST or PLEX_EAUTH (unknown pref, bad value, not admin),
 *         or a transport error.
 */
PLEX_API int plex_pref_set(plex_server *server, const char *id, const char *value);

/** `GET /clients`: players the server sees on the network (`Server` entries). */
PLEX_API int plex_server_clients(plex_container **out, plex_server *server);

/** `GET /devices`: devices known to the server (`Device` entries). */
PLEX_API int plex_server_devices(plex_container **out, plex_server *server);

/** `GET /accounts`: accounts known to the server (`Account` entries, by wire name in
 *  each item's extra attributes). */
PLEX_API int plex_server_accounts(plex_container **out, plex_server *server);

/** `GET /servers`: the servers this server knows (itself; `Server` entries). */
PLEX_API int plex_server_servers(plex_container **out, plex_server *server);

/** `GET /myplex/account`: the server's plex.tv sign-in state (username, mapping
 *  state, public address and port...). */
PLEX_API int plex_server_myplex_account(plex_container **out, plex_server *server);

/* ---- sections ---- */

/** `GET /library`: the library root (identifier, title1, Directory entries). */
PLEX_API int plex_library_root(plex_container **out, plex_server *server);

/** `GET /library/sections`: the sections (Directory: key, title, type, Location...). */
PLEX_API int plex_sections_get(plex_container **out, plex_server *server);

/**
 * A section of plex_sections_get() by key ("1") or title ("Movies", case
 * insensitive; the key wins when both match); borrowed from `sections`, NULL
 * when none matches.
 */
PLEX_API const plex_directory *plex_sections_find(const plex_container *sections,
                                                  const char *key_or_title);

/** Flags of plex_section_get(). */
enum {
    PLEX_SECTION_DETAILS = 1u << 0 /**< includeDetails=1: the Meta block of types,
                                        filters, sorts and fields */
};

/** `GET /library/sections/{section}`: one section's menu (and with
 *  PLEX_SECTION_DETAILS what it can filter and sort on). */
PLEX_API int plex_section_get(plex_container **out, plex_server *server, const char *section,
                              unsigned int flags);

/**
 * `GET /library/sections/{section}/all`: the section's items, to walk. The
 * query selects and orders them (PMS.md §3.2-3.4): `type` (a
 * plex_media_type: episodes of a show section are type 4), `sort`
 * ("titleSort", "year:desc", "addedAt:desc,title"), filters (plex_query_add_filter():
 * "year>=2000", "genre=Action", "unwatched=1", "title=star"), `includeGuids=1`...
 */
PLEX_API int plex_section_items(plex_listing **out, plex_server *server, const char *section,
                                const plex_query *query, const plex_listing_options *opts);

/** `GET /library/sections/{section}/all?includeMeta=1` with no items
 *  (X-Plex-Container-Size=0): totalSize and the Meta block. `query` as for
 *  plex_section_items() (a type, filters: the count of what matches). */
PLEX_API int plex_section_meta(plex_container **out, plex_server *server, const char *section,
                               const plex_query *query);

/** `GET /library/sections/{section}/allLeaves`: every playable item (episodes, tracks). */
PLEX_API int plex_section_all_leaves(plex_listing **out, plex_server *server, const char *section,
                                     const plex_query *query, const plex_listing_options *opts);

/** `GET /library/sections/{section}/onDeck`. */
PLEX_API int plex_section_on_deck(plex_listing **out, plex_server *server, const char *section,
                                  const plex_query *query, const plex_listing_options *opts);

/** `GET /library/sections/{section}/recentlyAdded`. */
PLEX_API int plex_section_recently_added(plex_listing **out, plex_server *server,
                                         const char *section, const plex_query *query,
                                         const plex_listing_options *opts);

/** `GET /library/sections/{section}/collections`: the section's collections. */
PLEX_API int plex_section_collections(plex_listing **out, plex_server *server, const char *section,
                                      const plex_query *query, const plex_listing_options *opts);

/** `GET /library/sections/{section}/firstCharacter`: first letters and their counts. */
PLEX_API int plex_section_first_characters(plex_container **out, plex_server *server,
                                           const char *section, const plex_query *query);

/**
 * `GET /library/sections/{section}/{tag}`: the values of one tag in a section,
 * with their counts and ready-made filters (Directory: title, key, fastKey).
 * @param tag  "genre", "year", "decade", "director", "actor", "country",
 *             "collection", "contentRating", "studio", "label"...
 */
PLEX_API int plex_section_tags(plex_container **out, plex_server *server, const char *section,
                               const char *tag);

/** `GET /library/sections/{section}/search?type=N&...`: a media query within one
 *  section (`query` gives `type` and the filters, e.g. `title=alien`). */
PLEX_API int plex_section_search(plex_listing **out, plex_server *server, const char *section,
                                 const plex_query *query, const plex_listing_options *opts);

/** `DELETE /library/sections/{section}`: remove a section from the server (admin;
 *  the media files are not touched). */
PLEX_API int plex_section_delete(plex_server *server, const char *section);

/** Flags of plex_section_refresh(). */
enum { PLEX_REFRESH_FORCE = 1u << 0 /**< force=1: refresh metadata of unchanged items too */ };

/** `POST /library/sections/{section}/refresh`: scan the section for changes
 *  (returns at once; progress arrives as activities). */
PLEX_API int plex_section_refresh(plex_server *server, const char *section, unsigned int flags);

/** `DELETE /library/sections/{section}/refresh`: cancel a running scan. */
PLEX_API int plex_section_refresh_cancel(plex_server *server, const char *section);

/* ---- items ---- */

/**
 * `GET /library/metadata/{rating_key}`: one item's full metadata (Media, Part,
 * Stream, every tag), or several with a comma list ("7,8,9"). The query may
 * ask for more: includeChapters=1, includeMarkers=1, includeExtras=1,
 * includeOnDeck=1, includeReviews=1, includeRelated=1, checkFiles=1...
 * @return 0, PLEX_ENOTFOUND (no such item), or the errors of plex_server_get().
 */
PLEX_API int plex_metadata_get(plex_container **out, plex_server *server, const char *rating_key,
                               const plex_query *query);

/** `GET /library/metadata/{rating_key}/children`: seasons of a show, episodes
 *  of a season, albums of an artist, tracks of an album, photos of an album. */
PLEX_API int plex_metadata_children(plex_listing **out, plex_server *server, const char *rating_key,
                                    const plex_query *query, const plex_listing_options *opts);

/** `GET /library/metadata/{rating_key}/grandchildren`: episodes of a show, tracks of an artist. */
PLEX_API int plex_metadata_grandchildren(plex_listing **out, plex_server *server,
                                         const char *rating_key, const plex_query *query,
                                         const plex_listing_options *opts);

/** `GET /library/metadata/{rating_key}/allLeaves`: every playable item under it. */
PLEX_API int plex_metadata_all_leaves(plex_listing **out, plex_server *server,
                                      const char *rating_key, const plex_query *query,
                                      const plex_listing_options *opts);

/** `GET /library/metadata/{rating_key}/related`: hubs of related items. */
PLEX_API int plex_metadata_related(plex_container **out, plex_server *server,
                                   const char *rating_key, const plex_query *query);

/** `GET /library/metadata/{rating_key}/similar`: similar items. */
PLEX_API int plex_metadata_similar(plex_listing **out, plex_server *server, const char *rating_key,
                                   const plex_query *query, const plex_listing_options *opts);

/**
 * `GET /library/metadata/{rating_key}/posters` (or `/arts`): the images that can be chosen
 * for an item (Metadata entries with `key`, `thumb`, `provider`, `selected`).
 * @param kind  "posters" or "arts" (also "themes", "clearLogos").
 */
PLEX_API int plex_metadata_images(plex_container **out, plex_server *server, const char *rating_key,
                                  const char *kind);

/**
 * `POST /library/metadata/{rating_key}/posters` (or `/arts`): give an item a new image,
 * either by URL (`url`, the server fetches it) or as bytes (the request body).
 * @param kind   "posters" or "arts".
 * @param url    an image URL, or NULL to upload `data`.
 * @param data   the image bytes when url is NULL.
 * @param len    their length.
 */
PLEX_API int plex_metadata_image_add(plex_server *server, const char *rating_key, const char *kind,
                                     const char *url, const void *data, size_t len);

/** `PUT /library/metadata/{rating_key}/refresh`: refresh one item's metadata
 *  (returns at once). */
PLEX_API int plex_metadata_refresh(plex_server *server, const char *rating_key);

/* ---- across sections ---- */

/** `GET /library/onDeck`: what to watch next, across sections. */
PLEX_API int plex_library_on_deck(plex_listing **out, plex_server *server, const plex_query *query,
                                  const plex_listing_options *opts);

/** `GET /library/recentlyAdded`: newest items across sections. */
PLEX_API int plex_library_recently_added(plex_listing **out, plex_server *server,
                                         const plex_query *query, const plex_listing_options *opts);

/** `GET /library/all?type=N...`: items of one type across sections (a media query). */
PLEX_API int plex_library_all(plex_listing **out, plex_server *server, const plex_query *query,
                              const plex_listing_options *opts);

/** `GET /library/all/top?type=N`: the most watched items of a type (`query` gives
 *  `type`, and optionally `includeGuids=1`). */
PLEX_API int plex_library_top(plex_listing **out, plex_server *server, const plex_query *query,
                              const plex_listing_options *opts);

/**
 * `GET /library/hashes?url=<file URL>`: the hash of a media file the server knows.
 * @param[out] out  the hash as the server wrote it (hex text); free with plex_free().
 * @param url       the file, `file:///path/to/file.mkv` (a Part's `file`).
 * @return 0, PLEX_ENOTFOUND (not a file of the server), PLEX_EBADREQUEST, or the errors
 *         of plex_server_get().
 */
PLEX_API int plex_library_hash(char **out, plex_server *server, const char *url);

/** `GET /library/tags?type=N`: every tag of one tag type (genre 1, director 4,
 *  actor 6, country 8, label 11...; PMS.md §2.5). */
PLEX_API int plex_tags_get(plex_container **out, plex_server *server, int tag_type);

/* ---- hubs and search ---- */

/** `GET /hubs`: the home screen's hubs (Hub, each with a few items). */
PLEX_API int plex_hubs_get(plex_container **out, plex_server *server, const plex_query *query);

/** `GET /hubs/sections/{section}`: one section's hubs. */
PLEX_API int plex_section_hubs(plex_container **out, plex_server *server, const char *section,
                               const plex_query *query);

/**
 * `GET /hubs/search?query=`: search as the user types: one Hub per kind of
 * result (movie, show, episode, artist, album, track, actor, genre...), each
 * with its items (Metadata) or tag hits (Directory).
 * @param text   what the user typed.
 * @param query  NULL, or more parameters: sectionId, limit (per hub).
 */
PLEX_API int plex_hubs_search(plex_container **out, plex_server *server, const char *text,
                              const plex_query *query);

/** `GET /hubs/search/voice?query=`: search for a spoken phrase (looser matching); hubs as
 *  plex_hubs_search(). */
PLEX_API int plex_hubs_search_voice(plex_container **out, plex_server *server, const char *text,
                                    const plex_query *query);

/** `GET /hubs/home/recentlyAdded?type=N&contentDirectoryID=S`: the home screen's
 *  recently added hub of one section (`query` gives type and contentDirectoryID). */
PLEX_API int plex_hubs_recently_added(plex_listing **out, plex_server *server,
                                      const plex_query *query, const plex_listing_options *opts);

/** `GET /search?query=`: the older search (items of every type in one list). */
PLEX_API int plex_search(plex_listing **out, plex_server *server, const char *text,
                         const plex_listing_options *opts);

/**
 * `GET /library/search?query=`: matching items and tags of every section (or one:
 * `sectionId` in `query`; `limit`, `searchTypes` too), as `SearchResult` entries of
 * the container (plex_container.search_results: a score and an item, or a tag hit
 * as a Directory), best first.
 */
PLEX_API int plex_library_search(plex_container **out, plex_server *server, const char *text,
                                 const plex_query *query);

/* ---- images ---- */

/**
 * An image of the server as bytes: `thumb`, `art`, `composite`... paths as
 * given by items (`/library/metadata/7/thumb/1700000000`), or scaled by the
 * server with `GET /photo/:/transcode?url=<path>&width=&height=&minSize=1&upscale=1`
 * when width and height are given.
 *
 * @param[out] out      the bytes (PNG, JPEG...); free with plex_free().
 * @param[out] len      their length.
 * @param[out] type     NULL, or the Content-Type (free with plex_free()).
 * @param server        the server.
 * @param path          the image's path on the server.
 * @param width,height  0, 0 for the image as it is; else the size wanted.
 * @return 0, PLEX_ENOTFOUND, PLEX_ETOOBIG, or the errors of plex_server_get().
 */
PLEX_API int plex_image_get(unsigned char **out, size_t *len, char **type, plex_server *server,
                            const char *path, int width, int height);

PLEX_END_DECL

#endif

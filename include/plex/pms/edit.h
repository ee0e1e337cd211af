/*
 * libplex: editing an item's metadata (PMS.md §4.10). The edits are query
 * parameters gathered in a plex_query with the plex_edit_* calls, then sent
 * for one item or for many at once (one request for many items, not one
 * each).
 *
 *     plex_query *q;
 *     plex_query_new(&q);
 *     plex_edit_field(q, "title", "Alien (Director's Cut)", 1);  // set and lock
 *     const char *add[] = {"Classic"};
 *     plex_edit_tags_add(q, "genre", add, 1);
 *     plex_metadata_edit_item(server, "1042", q);
 *     plex_query_free(q);
 *
 * The plex_edit_* calls return 0, PLEX_EINVALID or PLEX_ENOMEM; the sending
 * calls 0, PLEX_EINVALID, PLEX_EBADREQUEST (400: a field the server does not
 * edit), PLEX_ENOTFOUND (404), PLEX_EAUTH, or a transport error.
 */
#ifndef PLEX_PMS_EDIT_H
#define PLEX_PMS_EDIT_H

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/server.h"
#include "plex/query.h"

PLEX_BEGIN_DECL

/**
 * Set a field: `{field}.value={value}` and, with lock 1, `{field}.locked=1`
 * (a locked field survives metadata refreshes and shows as a `Field` of the
 * item).
 *
 * @param field  "title", "titleSort", "originalTitle", "summary", "tagline",
 *               "studio", "contentRating", "originallyAvailableAt", "year",
 *               "index"...
 * @param value  the new value, or NULL to change only the lock.
 * @param lock   1 lock, 0 unlock, -1 leave the lock alone.
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_edit_field(plex_query *edits, const char *field, const char *value, int lock);

/**
 * Add tags: `{tag}[0].tag.tag={name0}&{tag}[1].tag.tag={name1}...`. Use one
 * call per tag kind and request.
 *
 * @param tag    "genre", "collection", "label", "mood", "style", "director",
 *               "writer", "producer", "country", "similar"...
 * @param names  the tags' names (n >= 1).
 * @return 0, PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_edit_tags_add(plex_query *edits, const char *tag, const char *const *names,
                                size_t n);

/** Remove tags: `{tag}[].tag.tag-={name0},{name1}` (each name
 *  percent-encoded inside the list, as the server expects). */
PLEX_API int plex_edit_tags_remove(plex_query *edits, const char *tag, const char *const *names,
                                   size_t n);

/**
 * Apply edits to items of a section:
 * `PUT /library/sections/{section}/all?type=&id={ids}&<edits>` (200; 400 bad
 * type or field; 404 unknown section or item). The multi-item edit.
 *
 * @param type         the items' plex_media_type (1 movie, 4 episode...).
 * @param rating_keys  the items (n >= 1).
 * @return 0, PLEX_EINVALID, PLEX_EBADREQUEST, PLEX_ENOTFOUND, ...
 */
PLEX_API int plex_metadata_edit(plex_server *server, const char *section, int type,
                                const char *const *rating_keys, size_t n, const plex_query *edits);

/** Apply edits to one item: `PUT /library/metadata/{rating_key}?<edits>`
 *  (200; 404 unknown item). */
PLEX_API int plex_metadata_edit_item(plex_server *server, const char *rating_key,
                                     const plex_query *edits);

PLEX_END_DECL

#endif

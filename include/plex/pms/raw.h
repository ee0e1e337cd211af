/*
 * libplex: a media server's answers as it sent them. For programs that pass
 * the server's own words on (`plex --json`: the attribute names, nesting,
 * numbers and strings exactly as they came), beside the typed models every
 * call decodes.
 *
 * Listings have theirs item by item (plex_listing_raw()); a call that
 * answers one container leaves its body on the server until the next call
 * (plex_server_last_body()), and plex_container_json_each() walks the
 * objects of one of its arrays without decoding them.
 */
#ifndef PLEX_PMS_RAW_H
#define PLEX_PMS_RAW_H

#include <stddef.h>

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/pms/server.h"

PLEX_BEGIN_DECL

/**
 * The body of the server's most recent answer, byte for byte (JSON, or XML
 * when the server answered XML whatever it was asked): valid right after a
 * call on this server succeeded, until the next call on it.
 *
 * @param server    the server.
 * @param[out] len  NULL, or the body's length.
 * @return the body (borrowed), or NULL when the last request kept none (an
 *         empty answer, a listing or a download on their own connections).
 */
PLEX_API const char *plex_server_last_body(const plex_server *server, size_t *len);

/**
 * Called by plex_container_json_each() with the bytes of one JSON value
 * (not NUL-terminated; borrowed for the call). Return 0 to go on, or any
 * other value to stop the walk (plex_container_json_each() returns it).
 */
typedef int (*plex_json_each_cb)(const char *json, size_t len, void *payload);

/**
 * Walk the objects of one array of a MediaContainer answer
 * (`{"MediaContainer":{..., "Directory":[{...},{...}]}}`, or an answer whose
 * root holds one other container object, such as /butler's
 * `{"ButlerTasks":{"ButlerTask":[...]}}`) as their bytes, without decoding
 * them: `element` is the array's name as the server spells
 * it ("Directory", "Metadata", "Hub", "Setting"...). A member holding a
 * single object instead of an array is one element; null elements are
 * skipped. With `element` NULL the callback gets the MediaContainer object
 * itself, once.
 *
 * @param body     a JSON document (XML is not read: PLEX_EPARSE).
 * @param len      its length.
 * @param element  the array's name, or NULL for the container.
 * @param cb       called for each object, in order.
 * @param payload  handed to cb.
 * @return 0 (also when the container has no such member), cb's non-zero
 *         value, PLEX_EINVALID (NULL body or cb), PLEX_EPARSE (not JSON),
 *         PLEX_ESCHEMA (no MediaContainer object nor a single other object at
 *         the root, or the member is neither an object nor an array of
 *         objects).
 */
PLEX_API int plex_container_json_each(const char *body, size_t len, const char *element,
                                      plex_json_each_cb cb, void *payload);

PLEX_END_DECL

#endif

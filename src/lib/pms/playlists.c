/*
 * Playlists and collections (plex/pms/playlists.h, PMS.md §4.8-4.9), and
 * the library URIs both are made of.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "playback.h"
#include "plex/pms/library.h"
#include "plex/pms/playlists.h"

#define PATH_LEN 512

int plex_server_uri(char **out, plex_server *s, const char *path)
{
    plex_container *id = NULL;
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!path || path[0] != '/' || strpbrk(path, " \t\r\n#"))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "invalid path: expected one starting with '/'");
    if ((rc = plex_server_identity(&id, s)) != 0)
        return rc;
    if (!id->machine_identifier ||
        !plex__server_check_id(s, id->machine_identifier, "machine identifier")) {
        plex_container_free(id);
        return plex__http_fail(&s->http, PLEX_ESCHEMA, "the server has no machineIdentifier");
    }
    plex__buf_printf(&b, "server://%s/" PLEX__LIBRARY_ID "%s", id->machine_identifier, path);
    plex_container_free(id);
    if (plex__buf_detach(&b, out) != 0)
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    return 0;
}

/* The URI of items by rating key: .../library/metadata/1,2,3. */
static int keys_uri(char **out, plex_server *s, const char *const *keys, size_t n)
{
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    plex__buf_puts(&b, "/library/metadata/");
    if ((rc = plex__pms_join_keys(s, &b, keys, n)) == 0)
        rc = plex_server_uri(out, s, b.ptr);
    plex__buf_dispose(&b);
    return rc;
}

/* A request with uri= (from keys, or given) and more parameters (name,
 * value pairs, NULL-terminated; a NULL value skips its pair). */
static int with_uri(plex_container **out, plex_server *s, const char *method, const char *path,
                    const char *uri, const char *const *keys, size_t n, ...)
{
    char *made = NULL;
    plex_query *q;
    va_list ap;
    int e = 0, rc;

    if (!uri) {
        if ((rc = keys_uri(&made, s, keys, n)) != 0)
            return rc;
        uri = made;
    }
    if (!(q = plex__pms_query(s))) {
        plex__free(made);
        return PLEX_ENOMEM;
    }
    e |= plex_query_add(q, "uri", uri);
    plex__free(made);
    va_start(ap, n);
    for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        if (value)
            e |= plex_query_add(q, name, value);
    }
    va_end(ap);
    if (e)
        return plex__pms_oom(s, q);
    rc = plex__pms_call(out, s, method, path, q);
    plex_query_free(q);
    return rc;
}

/* ---- playlists ---- */

int plex_playlists_get(plex_listing **out, plex_server *s, const plex_query *q,
                       const plex_listing_options *o)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex_listing_new(out, s, "/playlists", q, o);
}

int plex_playlist_get(plex_container **out, plex_server *s, const char *id)
{
    char path[PATH_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = plex__pms_path(s, path, sizeof(path), "playlist id", "/playlists/%s", id)) != 0)
        return rc;
    return plex__pms_call(out, s, "GET", path, NULL);
}

int plex_playlist_items(plex_listing **out, plex_server *s, const char *id, const plex_query *q,
                        const plex_listing_options *o)
{
    char path[PATH_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = plex__pms_path(s, path, sizeof(path), "playlist id", "/playlists/%s/items", id)) != 0)
        return rc;
    return plex_listing_new(out, s, path, q, o);
}

static int check_type(plex_server *s, const char *type)
{
    if (type &&
        (strcmp(type, "video") == 0 || strcmp(type, "audio") == 0 || strcmp(type, "photo") == 0))
        return 1;
    plex__http_fail(&s->http, PLEX_EINVALID,
                    "a playlist's type is \"video\", \"audio\" or \"photo\"");
    return 0;
}

int plex_playlist_create(plex_container **out, plex_server *s, const char *title, const char *type,
                         const char *const *rating_keys, size_t n)
{
    if (out)
        *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if (!title || !*title)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a playlist needs a title");
    if (!check_type(s, type))
        return PLEX_EINVALID;
    return with_uri(out, s, "POST", "/playlists", NULL, rating_keys, n, "title", title, "type",
                    type, "smart", "0", (const char *)NULL);
}

int plex_playlist_create_smart(plex_container **out, plex_server *s, const char *title,
                               const char *type, const char *uri)
{
    if (out)
        *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if (!title || !*title || !uri || !*uri)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a smart playlist needs a title and a uri");
    if (!check_type(s, type))
        return PLEX_EINVALID;
    return with_uri(out, s, "POST", "/playlists", uri, NULL, 0, "title", title, "type", type,
                    "smart", "1", (const char *)NULL);
}

/* PUT <head><id>/items?uri=<the items>: add items to a playlist or a collection. */
static int add_items(plex_container **out, plex_server *s, const char *what, const char *head,
                     const char *id, const char *const *rating_keys, size_t n)
{
    char path[PATH_LEN];
    int rc;

    if (out)
        *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if ((rc = plex__pms_path(s, path, sizeof(path), what, "%s", id)) != 0)
        return rc;
    if ((size_t)snprintf(path, sizeof(path), "%s%s/items", head, id) >= sizeof(path))
        return plex__http_fail(&s->http, PLEX_EINVALID, "the %s is too long", what);
    return with_uri(out, s, "PUT", path, NULL, rating_keys, n, (const char *)NULL);
}

int plex_playlist_add(plex_container **out, plex_server *s, const char *id,
                      const char *const *rating_keys, size_t n)
{
    return add_items(out, s, "playlist id", "/playlists/", id, rating_keys, n);
}

int plex_playlist_remove(plex_server *s, const char *id, int64_t item)
{
    if (!s || item <= 0)
        return PLEX_EINVALID;
    return plex__pms_send_id(s, "DELETE", "playlist id", "/playlists/%s/items/%lld", id,
                             (long long)item);
}

int plex_playlist_move(plex_server *s, const char *id, int64_t item, int64_t after)
{
    char path[PATH_LEN];
    plex_query *q;
    int rc;

    if (!s || item <= 0 || after < 0)
        return PLEX_EINVALID;
    if ((rc = plex__pms_path(s, path, sizeof(path), "playlist id", "/playlists/%s/items/%lld/move",
                             id, (long long)item)) != 0)
        return rc;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (after > 0 && plex_query_add_int(q, "after", after) != 0)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_playlist_edit(plex_server *s, const char *id, const char *title, const char *summary)
{
    char path[PATH_LEN];
    plex_query *q;
    int e = 0, rc;

    if (!s)
        return PLEX_EINVALID;
    if (!title && !summary)
        return plex__http_fail(&s->http, PLEX_EINVALID, "nothing to change");
    if ((rc = plex__pms_path(s, path, sizeof(path), "playlist id", "/playlists/%s", id)) != 0)
        return rc;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (title)
        e |= plex_query_add(q, "title", title);
    if (summary)
        e |= plex_query_add(q, "summary", summary);
    if (e)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_playlist_clear(plex_server *s, const char *id)
{
    return plex__pms_send_id(s, "DELETE", "playlist id", "/playlists/%s/items", id);
}

int plex_playlist_delete(plex_server *s, const char *id)
{
    return plex__pms_send_id(s, "DELETE", "playlist id", "/playlists/%s", id);
}

int plex_playlist_upload(plex_server *s, const char *path, const char *section, int force)
{
    plex_query *q;
    int e = 0, rc;

    if (!s)
        return PLEX_EINVALID;
    if (!path || path[0] != '/')
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "the path of a file on the server is required");
    if (section && !plex__server_check_id(s, section, "section"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    e |= plex_query_add(q, "path", path);
    e |= plex_query_add(q, "force", force ? "1" : "0");
    if (section)
        e |= plex_query_add(q, "sectionID", section);
    if (e)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "POST", "/playlists/upload", q);
    plex_query_free(q);
    return rc;
}

/* ---- collections ---- */

int plex_collection_items(plex_listing **out, plex_server *s, const char *id, const plex_query *q,
                          const plex_listing_options *o)
{
    char path[PATH_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = plex__pms_path(s, path, sizeof(path), "collection id",
                             "/library/collections/%s/children", id)) != 0)
        return rc;
    return plex_listing_new(out, s, path, q, o);
}

static int collection_create(plex_container **out, plex_server *s, const char *section, int type,
                             const char *title, const char *uri, const char *const *keys, size_t n)
{
    char type_s[16];

    if (out)
        *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if (!title || !*title || !plex_media_type_name(type))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "a collection needs a title and a type (plex_media_type)");
    if (!plex__server_check_id(s, section, "section"))
        return PLEX_EINVALID;
    snprintf(type_s, sizeof(type_s), "%d", type);
    return with_uri(out, s, "POST", "/library/collections", uri, keys, n, "type", type_s, "title",
                    title, "smart", uri ? "1" : "0", "sectionId", section, (const char *)NULL);
}

int plex_collection_create(plex_container **out, plex_server *s, const char *section, int type,
                           const char *title, const char *const *rating_keys, size_t n)
{
    return collection_create(out, s, section, type, title, NULL, rating_keys, n);
}

int plex_collection_create_smart(plex_container **out, plex_server *s, const char *section,
                                 int type, const char *title, const char *uri)
{
    if (s && (!uri || !*uri))
        return plex__http_fail(&s->http, PLEX_EINVALID, "a smart collection needs a uri");
    return collection_create(out, s, section, type, title, uri, NULL, 0);
}

int plex_collection_add(plex_container **out, plex_server *s, const char *id,
                        const char *const *rating_keys, size_t n)
{
    return add_items(out, s, "collection id", "/library/collections/", id, rating_keys, n);
}

int plex_collection_remove(plex_server *s, const char *id, const char *rating_key)
{
    return plex__pms_send_id(s, "DELETE", "id", "/library/collections/%s/items/%s", id, rating_key);
}

int plex_collection_move(plex_server *s, const char *id, const char *rating_key, const char *after)
{
    char path[PATH_LEN];
    plex_query *q;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = plex__pms_path(s, path, sizeof(path), "id", "/library/collections/%s/items/%s/move",
                             id, rating_key)) != 0)
        return rc;
    if (after && !plex__server_check_id(s, after, "rating key"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (after && plex_query_add(q, "after", after) != 0)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

int plex_collection_delete(plex_server *s, const char *id)
{
    return plex__pms_send_id(s, "DELETE", "collection id", "/library/metadata/%s", id);
}

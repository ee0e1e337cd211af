/*
 * Browsing a media server (plex/pms/library.h): each call is an endpoint on
 * the shared helpers of server.c and listing.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/url.h"
#include "plex/pms/library.h"
#include "playback.h"
#include "server.h"

#define PATH_MAX_LEN 512

static const struct {
    int type;
    const char *name;
} type_names[] = {
    {PLEX_TYPE_MOVIE, "movie"},          {PLEX_TYPE_SHOW, "show"},
    {PLEX_TYPE_SEASON, "season"},        {PLEX_TYPE_EPISODE, "episode"},
    {PLEX_TYPE_TRAILER, "trailer"},      {PLEX_TYPE_PERSON, "person"},
    {PLEX_TYPE_ARTIST, "artist"},        {PLEX_TYPE_ALBUM, "album"},
    {PLEX_TYPE_TRACK, "track"},          {PLEX_TYPE_CLIP, "clip"},
    {PLEX_TYPE_PHOTO, "photo"},          {PLEX_TYPE_PHOTO_ALBUM, "photoalbum"},
    {PLEX_TYPE_PLAYLIST, "playlist"},    {PLEX_TYPE_PLAYLIST_FOLDER, "playlistFolder"},
    {PLEX_TYPE_COLLECTION, "collection"}};

int plex_media_type_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcasecmp(name, type_names[i].name) == 0)
            return type_names[i].type;
    return 0;
}

const char *plex_media_type_name(int type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}

/* "/library/sections/" + id + tail into buf, after checking the id. */
static int id_path(plex_server *s, char *buf, const char *head, const char *id, const char *tail,
                   const char *what)
{
    if (!plex__server_check_id(s, id, what))
        return PLEX_EINVALID;
    if ((size_t)snprintf(buf, PATH_MAX_LEN, "%s%s%s", head, id, tail ? tail : "") >= PATH_MAX_LEN)
        return plex__http_fail(&s->http, PLEX_EINVALID, "the %s is too long", what);
    return 0;
}

/* A container at a fixed path. */
static int get_fixed(plex_container **out, plex_server *s, const char *path, const char *query)
{
    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    return plex__server_container(out, s, "GET", path, query);
}

/* A container at head + id + tail. */
static int get_id(plex_container **out, plex_server *s, const char *head, const char *id,
                  const char *tail, const char *what, const plex_query *q)
{
    char path[PATH_MAX_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = id_path(s, path, head, id, tail, what)) != 0)
        return rc;
    return plex__pms_call(out, s, "GET", path, q);
}

/* A listing at head + id + tail. */
static int list_id(plex_listing **out, plex_server *s, const char *head, const char *id,
                   const char *tail, const char *what, const plex_query *q,
                   const plex_listing_options *o)
{
    char path[PATH_MAX_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = id_path(s, path, head, id, tail, what)) != 0)
        return rc;
    return plex_listing_new(out, s, path, q, o);
}

/* A write to head + id + tail. */
static int send_id(plex_server *s, const char *method, const char *head, const char *id,
                   const char *tail, const char *what, const plex_query *q)
{
    char path[PATH_MAX_LEN];
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = id_path(s, path, head, id, tail, what)) != 0)
        return rc;
    return plex__pms_call(NULL, s, method, path, q);
}

/* ---- the server ---- */

int plex_server_identity(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/identity", NULL);
}

int plex_server_info(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/", NULL);
}

int plex_server_providers(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/media/providers", NULL);
}

int plex_prefs_get(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/:/prefs", NULL);
}

int plex_pref_get(plex_container **out, plex_server *s, const char *id)
{
    plex_query *q = NULL;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!id || !*id)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a preference id is required");
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "id", id) != 0)
        return plex__pms_oom(s, q);
    rc = get_fixed(out, s, "/:/prefs/get", plex_query_string(q));
    plex_query_free(q);
    return rc;
}

int plex_pref_set(plex_server *s, const char *id, const char *value)
{
    plex_query *q = NULL;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (!id || !*id || !value)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a preference id and a value are required");
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, id, value) != 0)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "PUT", "/:/prefs", q);
    plex_query_free(q);
    return rc;
}

int plex_server_clients(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/clients", NULL);
}

int plex_server_devices(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/devices", NULL);
}

int plex_server_accounts(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/accounts", NULL);
}

int plex_server_servers(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/servers", NULL);
}

int plex_server_myplex_account(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/myplex/account", NULL);
}

/* ---- sections ---- */

int plex_library_root(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/library", NULL);
}

int plex_sections_get(plex_container **out, plex_server *s)
{
    return get_fixed(out, s, "/library/sections", NULL);
}

const plex_directory *plex_sections_find(const plex_container *c, const char *key_or_title)
{
    const plex_directory *by_title = NULL;

    if (!c || !key_or_title)
        return NULL;
    for (size_t i = 0; i < c->directories_count; i++) {
        const plex_directory *d = c->directories[i];
        if (d->key && strcmp(d->key, key_or_title) == 0)
            return d;
        if (!by_title && d->title && strcasecmp(d->title, key_or_title) == 0)
            by_title = d;
    }
    return by_title;
}

int plex_section_get(plex_container **out, plex_server *s, const char *section, unsigned int flags)
{
    char path[PATH_MAX_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = id_path(s, path, "/library/sections/", section, NULL, "section")) != 0)
        return rc;
    return plex__server_container(out, s, "GET", path,
                                  (flags & PLEX_SECTION_DETAILS) ? "includeDetails=1" : NULL);
}

int plex_section_items(plex_listing **out, plex_server *s, const char *section, const plex_query *q,
                       const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/all", "section", q, o);
}

int plex_section_meta(plex_container **out, plex_server *s, const char *section,
                      const plex_query *q)
{
    static const char *const size0[] = {"X-Plex-Container-Start: 0", "X-Plex-Container-Size: 0",
                                        NULL};
    char path[PATH_MAX_LEN];
    plex__buf query = PLEX__BUF_INIT;
    plex__request r = {.method = "GET", .headers = size0};
    plex__response resp;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = id_path(s, path, "/library/sections/", section, "/all", "section")) != 0)
        return rc;
    plex__buf_puts(&query, "includeMeta=1");
    if (*plex_query_string(q)) {
        plex__buf_putc(&query, '&');
        plex__buf_puts(&query, plex_query_string(q));
    }
    if (query.err) {
        plex__buf_dispose(&query);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    r.path = path;
    r.query = query.ptr;
    r.accept = plex__server_accept(s);
    rc = plex__server_request(s, &r, &resp);
    plex__buf_dispose(&query);
    return rc ? rc : plex__server_decode(out, &s->http, resp.body, resp.len);
}

int plex_section_all_leaves(plex_listing **out, plex_server *s, const char *section,
                            const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/allLeaves", "section", q, o);
}

int plex_section_on_deck(plex_listing **out, plex_server *s, const char *section,
                         const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/onDeck", "section", q, o);
}

int plex_section_recently_added(plex_listing **out, plex_server *s, const char *section,
                                const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/recentlyAdded", "section", q, o);
}

int plex_section_collections(plex_listing **out, plex_server *s, const char *section,
                             const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/collections", "section", q, o);
}

int plex_section_first_characters(plex_container **out, plex_server *s, const char *section,
                                  const plex_query *q)
{
    return get_id(out, s, "/library/sections/", section, "/firstCharacter", "section", q);
}

int plex_section_tags(plex_container **out, plex_server *s, const char *section, const char *tag)
{
    char tail[64];

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!plex__server_check_id(s, tag, "tag name"))
        return PLEX_EINVALID;
    if ((size_t)snprintf(tail, sizeof(tail), "/%s", tag) >= sizeof(tail))
        return plex__http_fail(&s->http, PLEX_EINVALID, "the tag name is too long");
    return get_id(out, s, "/library/sections/", section, tail, "section", NULL);
}

int plex_section_search(plex_listing **out, plex_server *s, const char *section,
                        const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/sections/", section, "/search", "section", q, o);
}

int plex_section_delete(plex_server *s, const char *section)
{
    return send_id(s, "DELETE", "/library/sections/", section, NULL, "section", NULL);
}

int plex_section_refresh(plex_server *s, const char *section, unsigned int flags)
{
    plex_query *q = NULL;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (flags & PLEX_REFRESH_FORCE) {
        if (!(q = plex__pms_query(s)))
            return PLEX_ENOMEM;
        if (plex_query_add(q, "force", "1") != 0)
            return plex__pms_oom(s, q);
    }
    rc = send_id(s, "POST", "/library/sections/", section, "/refresh", "section", q);
    plex_query_free(q);
    return rc;
}

int plex_section_refresh_cancel(plex_server *s, const char *section)
{
    return send_id(s, "DELETE", "/library/sections/", section, "/refresh", "section", NULL);
}

/* ---- items ---- */

int plex_metadata_get(plex_container **out, plex_server *s, const char *rating_key,
                      const plex_query *q)
{
    /* a comma list of ids is one path segment */
    return get_id(out, s, "/library/metadata/", rating_key, NULL, "rating key", q);
}

int plex_metadata_children(plex_listing **out, plex_server *s, const char *rating_key,
                           const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/metadata/", rating_key, "/children", "rating key", q, o);
}

int plex_metadata_grandchildren(plex_listing **out, plex_server *s, const char *rating_key,
                                const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/metadata/", rating_key, "/grandchildren", "rating key", q, o);
}

int plex_metadata_all_leaves(plex_listing **out, plex_server *s, const char *rating_key,
                             const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/metadata/", rating_key, "/allLeaves", "rating key", q, o);
}

int plex_metadata_related(plex_container **out, plex_server *s, const char *rating_key,
                          const plex_query *q)
{
    return get_id(out, s, "/library/metadata/", rating_key, "/related", "rating key", q);
}

int plex_metadata_similar(plex_listing **out, plex_server *s, const char *rating_key,
                          const plex_query *q, const plex_listing_options *o)
{
    return list_id(out, s, "/library/metadata/", rating_key, "/similar", "rating key", q, o);
}

/* "/posters", "/arts"... of an image kind the server knows. */
static int image_kind(plex_server *s, const char *kind, char *tail, size_t size)
{
    static const char *const kinds[] = {"posters", "arts", "themes", "clearLogos"};

    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0) {
            snprintf(tail, size, "/%s", kind);
            return 0;
        }
    return plex__http_fail(&s->http, PLEX_EINVALID,
                           "unknown image kind: expected posters, arts, themes or clearLogos");
}

int plex_metadata_images(plex_container **out, plex_server *s, const char *rating_key,
                         const char *kind)
{
    char tail[32];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = image_kind(s, kind, tail, sizeof(tail))) != 0)
        return rc;
    return get_id(out, s, "/library/metadata/", rating_key, tail, "rating key", NULL);
}

int plex_metadata_image_add(plex_server *s, const char *rating_key, const char *kind,
                            const char *url, const void *data, size_t len)
{
    plex__request r = {.method = "POST", .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;
    plex_query *q = NULL;
    char tail[32], path[PATH_MAX_LEN];
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = image_kind(s, kind, tail, sizeof(tail))) != 0 ||
        (rc = id_path(s, path, "/library/metadata/", rating_key, tail, "rating key")) != 0)
        return rc;
    if (!url && (!data || !len))
        return plex__http_fail(&s->http, PLEX_EINVALID, "an image URL or image bytes are needed");
    if (url) {
        if (!(q = plex__pms_query(s)))
            return PLEX_ENOMEM;
        if (plex_query_add(q, "url", url) != 0)
            return plex__pms_oom(s, q);
        r.query = plex_query_string(q);
    } else {
        r.body = data;
        r.body_len = len;
        r.content_type = "image/*";
    }
    r.path = path;
    r.accept = plex__server_accept(s);
    rc = plex__server_request(s, &r, &resp);
    plex_query_free(q);
    return rc;
}

int plex_metadata_refresh(plex_server *s, const char *rating_key)
{
    return send_id(s, "PUT", "/library/metadata/", rating_key, "/refresh", "rating key", NULL);
}

/* ---- across sections ---- */

int plex_library_on_deck(plex_listing **out, plex_server *s, const plex_query *q,
                         const plex_listing_options *o)
{
    return !out || !s ? PLEX_EINVALID : plex_listing_new(out, s, "/library/onDeck", q, o);
}

int plex_library_recently_added(plex_listing **out, plex_server *s, const plex_query *q,
                                const plex_listing_options *o)
{
    return !out || !s ? PLEX_EINVALID : plex_listing_new(out, s, "/library/recentlyAdded", q, o);
}

int plex_library_all(plex_listing **out, plex_server *s, const plex_query *q,
                     const plex_listing_options *o)
{
    return !out || !s ? PLEX_EINVALID : plex_listing_new(out, s, "/library/all", q, o);
}

int plex_library_top(plex_listing **out, plex_server *s, const plex_query *q,
                     const plex_listing_options *o)
{
    return !out || !s ? PLEX_EINVALID : plex_listing_new(out, s, "/library/all/top", q, o);
}

int plex_library_hash(char **out, plex_server *s, const char *url)
{
    plex__request r = {.method = "GET",
                       .path = "/library/hashes",
                       .accept = "text/plain",
                       .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;
    plex_query *q = NULL;
    size_t a = 0, b;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!url || !*url)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a file URL is required");
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "url", url) != 0)
        return plex__pms_oom(s, q);
    r.query = plex_query_string(q);
    rc = plex__server_request(s, &r, &resp);
    plex_query_free(q);
    if (rc)
        return rc;
    b = resp.len;
    while (a < b && (resp.body[a] == ' ' || resp.body[a] == '\n' || resp.body[a] == '\r'))
        a++;
    while (b > a &&
           (resp.body[b - 1] == ' ' || resp.body[b - 1] == '\n' || resp.body[b - 1] == '\r'))
        b--;
    if (a == b)
        return plex__http_fail(&s->http, PLEX_ESCHEMA, "the server's answer holds no hash");
    if (!(*out = plex__strndup(resp.body + a, b - a)))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    return 0;
}

int plex_tags_get(plex_container **out, plex_server *s, int tag_type)
{
    char query[32];

    snprintf(query, sizeof(query), "type=%d", tag_type);
    return get_fixed(out, s, "/library/tags", query);
}

/* ---- hubs and search ---- */

int plex_hubs_get(plex_container **out, plex_server *s, const plex_query *q)
{
    return get_fixed(out, s, "/hubs", plex_query_string(q));
}

int plex_section_hubs(plex_container **out, plex_server *s, const char *section,
                      const plex_query *q)
{
    return get_id(out, s, "/hubs/sections/", section, NULL, "section", q);
}

/* query=<text> followed by the caller's parameters, into b. */
static int search_query(plex_server *s, plex__buf *b, const char *text, const plex_query *q)
{
    if (!text)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a search text is required");
    plex__buf_puts(b, "query=");
    plex__url_encode(b, text);
    if (*plex_query_string(q)) {
        plex__buf_putc(b, '&');
        plex__buf_puts(b, plex_query_string(q));
    }
    return b->err ? plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory") : 0;
}

/* A container answer to path?query=<text>&<q>. */
static int search(plex_container **out, plex_server *s, const char *path, const char *text,
                  const plex_query *q)
{
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = search_query(s, &b, text, q)) == 0)
        rc = plex__server_container(out, s, "GET", path, b.ptr);
    plex__buf_dispose(&b);
    return rc;
}

int plex_hubs_search(plex_container **out, plex_server *s, const char *text, const plex_query *q)
{
    return search(out, s, "/hubs/search", text, q);
}

int plex_hubs_search_voice(plex_container **out, plex_server *s, const char *text,
                           const plex_query *q)
{
    return search(out, s, "/hubs/search/voice", text, q);
}

int plex_hubs_recently_added(plex_listing **out, plex_server *s, const plex_query *q,
                             const plex_listing_options *o)
{
    return !out || !s ? PLEX_EINVALID : plex_listing_new(out, s, "/hubs/home/recentlyAdded", q, o);
}

int plex_search(plex_listing **out, plex_server *s, const char *text, const plex_listing_options *o)
{
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = search_query(s, &b, text, NULL)) == 0)
        rc = plex__listing_new(out, s, "/search", b.ptr, o);
    plex__buf_dispose(&b);
    return rc;
}

int plex_library_search(plex_container **out, plex_server *s, const char *text, const plex_query *q)
{
    return search(out, s, "/library/search", text, q);
}

/* ---- images ---- */

int plex_image_get(unsigned char **out, size_t *len, char **type, plex_server *s, const char *path,
                   int width, int height)
{
    plex__request r = {.method = "GET", .accept = "image/*", .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;
    plex_query *q = NULL;
    const char *ct;
    int rc;

    if (!out || !len || !s)
        return PLEX_EINVALID;
    *out = NULL;
    *len = 0;
    if (type)
        *type = NULL;
    if (!path || path[0] != '/' || strpbrk(path, " \t\r\n#"))
        return plex__http_fail(&s->http, PLEX_EINVALID, "invalid image path");
    if (width > 0 || height > 0) {
        if ((rc = plex__image_query(&q, s, path, width, height)) != 0)
            return rc;
        r.path = "/photo/:/transcode";
        r.query = plex_query_string(q);
    } else {
        /* an item's path may carry its own query (composite?width=) */
        r.path = path;
    }
    rc = plex__server_request(s, &r, &resp);
    plex_query_free(q);
    if (rc)
        return rc;
    if (!(*out = plex__malloc(resp.len ? resp.len : 1)))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    memcpy(*out, resp.body, resp.len);
    *len = resp.len;
    ct = plex__http_header(&s->http, "Content-Type");
    if (type && ct && !(*type = plex__strdup(ct))) {
        plex__free(*out);
        *out = NULL;
        *len = 0;
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    return 0;
}

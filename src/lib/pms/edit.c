/*
 * Metadata edits (plex/pms/edit.h, PMS.md §4.10): the edits are query
 * parameters; the two calls send them for one item or for several.
 */
#include <stdio.h>
#include <string.h>

#include "core/url.h"
#include "playback.h"
#include "plex/pms/edit.h"

#define NAME_LEN 128
#define PATH_LEN 512

/* A field or tag name: letters, digits and '_' only (they become parameter names). */
static int name_ok(const char *name)
{
    if (!name || !*name || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

int plex_edit_field(plex_query *q, const char *field, const char *value, int lock)
{
    char name[NAME_LEN];

    if (!q || !name_ok(field) || lock < -1 || lock > 1 || (!value && lock == -1))
        return PLEX_EINVALID;
    if (value) {
        snprintf(name, sizeof(name), "%s.value", field);
        if (plex_query_add(q, name, value) != 0)
            return PLEX_ENOMEM;
    }
    if (lock >= 0) {
        snprintf(name, sizeof(name), "%s.locked", field);
        if (plex_query_add(q, name, lock ? "1" : "0") != 0)
            return PLEX_ENOMEM;
    }
    return 0;
}

int plex_edit_tags_add(plex_query *q, const char *tag, const char *const *names, size_t n)
{
    char name[NAME_LEN];

    if (!q || !name_ok(tag) || !names || n == 0)
        return PLEX_EINVALID;
    for (size_t i = 0; i < n; i++)
        if (!names[i] || !*names[i])
            return PLEX_EINVALID;
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "%s[%zu].tag.tag", tag, i);
        if (plex_query_add(q, name, names[i]) != 0)
            return PLEX_ENOMEM;
    }
    return 0;
}

int plex_edit_tags_remove(plex_query *q, const char *tag, const char *const *names, size_t n)
{
    plex__buf list = PLEX__BUF_INIT;
    char name[NAME_LEN];
    int rc;

    if (!q || !name_ok(tag) || !names || n == 0)
        return PLEX_EINVALID;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !*names[i]) {
            plex__buf_dispose(&list);
            return PLEX_EINVALID;
        }
        if (i)
            plex__buf_putc(&list, ',');
        plex__url_encode(&list, names[i]); /* a comma inside a name stays one name */
    }
    if (list.err) {
        plex__buf_dispose(&list);
        return PLEX_ENOMEM;
    }
    snprintf(name, sizeof(name), "%s[].tag.tag-", tag);
    rc = plex_query_add(q, name, list.ptr) != 0 ? PLEX_ENOMEM : 0;
    plex__buf_dispose(&list);
    return rc;
}

/* The edits after the fixed parameters in b. */
static int append_edits(plex_server *s, plex__buf *b, const plex_query *edits)
{
    const char *e = plex_query_string(edits);

    if (!*e)
        return plex__http_fail(&s->http, PLEX_EINVALID, "no edits");
    if (b->len)
        plex__buf_putc(b, '&');
    plex__buf_puts(b, e);
    return b->err ? plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory") : 0;
}

/* PUT path?query (already encoded). */
static int put(plex_server *s, const char *path, const char *query)
{
    plex__request r = {.method = "PUT", .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;

    r.path = path;
    r.query = query;
    r.accept = plex__server_accept(s);
    return plex__server_request(s, &r, &resp);
}

int plex_metadata_edit(plex_server *s, const char *section, int type,
                       const char *const *rating_keys, size_t n, const plex_query *edits)
{
    char path[PATH_LEN];
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (type <= 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a type (plex_media_type) is required");
    if ((rc = plex__pms_path(s, path, sizeof(path), "section", "/library/sections/%s/all",
                             section)) != 0)
        return rc;
    plex__buf_printf(&b, "type=%d&id=", type);
    if ((rc = plex__pms_join_keys(s, &b, rating_keys, n)) == 0 &&
        (rc = append_edits(s, &b, edits)) == 0)
        rc = put(s, path, b.ptr);
    plex__buf_dispose(&b);
    return rc;
}

int plex_metadata_edit_item(plex_server *s, const char *rating_key, const plex_query *edits)
{
    char path[PATH_LEN];
    plex__buf b = PLEX__BUF_INIT;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = plex__pms_path(s, path, sizeof(path), "rating key", "/library/metadata/%s",
                             rating_key)) != 0)
        return rc;
    if ((rc = append_edits(s, &b, edits)) == 0)
        rc = put(s, path, b.ptr);
    plex__buf_dispose(&b);
    return rc;
}

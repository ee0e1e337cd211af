/*
 * A media server's answers as it sent them (plex/pms/raw.h).
 */
#include <string.h>

#include "core/json.h"
#include "server.h"
#include "plex/pms/raw.h"

const char *plex_server_last_body(const plex_server *s, size_t *len)
{
    const char *body = s && s->http.body.len > 0 ? s->http.body.ptr : NULL;

    if (len)
        *len = body ? s->http.body.len : 0;
    return body;
}

/* Hand the object that tok begins to cb: its bytes, from '{' to '}'. */
static int each_object(plex__json_reader *r, const plex__json_token *tok, plex_json_each_cb cb,
                       void *payload)
{
    size_t start = tok->start;

    if (tok->type != PLEX__JSON_OBJECT_BEGIN)
        return PLEX_ESCHEMA;
    if (plex__json_skip(r, tok) != 0)
        return PLEX_EPARSE;
    return cb(r->buf + start, r->pos - start, payload);
}

/* The value of the container's member that tok begins. */
static int each_element(plex__json_reader *r, const plex__json_token *tok, plex_json_each_cb cb,
                        void *payload)
{
    plex__json_token el;
    int rc;

    if (tok->type == PLEX__JSON_NULL)
        return 0;
    if (tok->type != PLEX__JSON_ARRAY_BEGIN)
        return each_object(r, tok, cb, payload);
    for (;;) {
        if (plex__json_next(r, &el) != 0)
            return PLEX_EPARSE;
        if (el.type == PLEX__JSON_ARRAY_END)
            return 0;
        if (el.type == PLEX__JSON_NULL)
            continue;
        if ((rc = each_object(r, &el, cb, payload)) != 0)
            return rc;
    }
}

/* The container's members: each element of `element` to cb. */
static int each_member(plex__json_reader *r, const char *body, const char *element,
                       plex_json_each_cb cb, void *payload)
{
    plex__json_token key, val;
    int rc;

    for (;;) {
        if (plex__json_next_member(r, &key, &val) != 0)
            return PLEX_EPARSE;
        if (key.type == PLEX__JSON_OBJECT_END)
            return 0;
        if (plex__json_key_eq(body, &key, element, strlen(element))) {
            if ((rc = each_element(r, &val, cb, payload)) != 0)
                return rc;
        } else if (plex__json_skip(r, &val) != 0) {
            return PLEX_EPARSE;
        }
    }
}

int plex_container_json_each(const char *body, size_t len, const char *element,
                             plex_json_each_cb cb, void *payload)
{
    plex__json_reader r;
    plex__json_token key, val;
    size_t only = 0, only_end = 0;
    int objects = 0;

    if (!body || !cb)
        return PLEX_EINVALID;
    plex__json_reader_init(&r, body, len);
    if (plex__json_next(&r, &val) != 0)
        return PLEX_EPARSE;
    if (val.type != PLEX__JSON_OBJECT_BEGIN)
        return PLEX_ESCHEMA;
    /* the root object: MediaContainer, or its only object (ButlerTasks...) */
    for (;;) {
        if (plex__json_next_member(&r, &key, &val) != 0)
            return PLEX_EPARSE;
        if (key.type == PLEX__JSON_OBJECT_END)
            break;
        if (plex__json_key_eq(body, &key, "MediaContainer", 14)) {
            if (val.type != PLEX__JSON_OBJECT_BEGIN)
                return PLEX_ESCHEMA;
            if (!element)
                return each_object(&r, &val, cb, payload);
            return each_member(&r, body, element, cb, payload);
        }
        if (val.type == PLEX__JSON_OBJECT_BEGIN && objects++ == 0)
            only = val.start;
        if (plex__json_skip(&r, &val) != 0)
            return PLEX_EPARSE;
        if (objects == 1 && only == val.start)
            only_end = r.pos;
    }
    if (objects != 1)
        return PLEX_ESCHEMA;
    /* read that object again, as the container */
    plex__json_reader_init(&r, body + only, only_end - only);
    if (plex__json_next(&r, &val) != 0)
        return PLEX_EPARSE;
    if (!element)
        return each_object(&r, &val, cb, payload);
    return each_member(&r, body + only, element, cb, payload);
}

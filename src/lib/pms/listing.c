/*
 * plex_listing: a list walked page by page, its items decoded as the bytes
 * of a page arrive (plex/pms/server.h). The paging decisions are pager.c's;
 * this file does the requests (on the listing's own connection) and the
 * decoding (core/model_stream.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pager.h"
#include "models.gen.h"
#include "server.h"

#define MAX_PAGE 10000
#define MAX_ITEM ((size_t)16 * 1024 * 1024) /* one item's bytes */

enum { L_IDLE, L_BUSY, L_ENDED, L_DONE, L_FAILED };

struct plex_listing {
    plex_server *s;
    plex__http http; /* the listing's own connection */
    int http_ready;
    char *path, *query;
    plex__pager pager;
    plex__stream *st;
    int st_xml;
    int st_started; /* the stream has this page's first bytes */
    size_t fed;     /* bytes fed to the stream in this page */
    size_t tried;   /* fed when the stream last needed more */
    int state;
    int result;
    int attrs_told; /* the pager has this page's attributes */
    const plex_metadata *item;
    const char *raw;
    size_t raw_len;
    char hdr_start[64], hdr_size[64];
    const char *hdrs[3];
    size_t requests;
};

int plex_listing_new(plex_listing **out, plex_server *s, const char *path, const plex_query *q,
                     const plex_listing_options *o)
{
    return plex__listing_new(out, s, path, plex_query_string(q), o);
}

int plex__listing_new(plex_listing **out, plex_server *s, const char *path, const char *query,
                      const plex_listing_options *o)
{
    plex_listing *l;
    size_t page;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!path || path[0] != '/' || strpbrk(path, " \t\r\n?#"))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "invalid path: expected one starting with '/', without a query");
    if (o && o->version != PLEX_LISTING_OPTIONS_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "unknown plex_listing_options version (use "
                               "PLEX_LISTING_OPTIONS_INIT)");
    page = o && o->page_size ? o->page_size : 0;
    if (page > MAX_PAGE)
        page = MAX_PAGE;
    if (!(l = plex__calloc(1, sizeof(*l))))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    l->s = s;
    l->path = plex__strdup(path);
    l->query = plex__strdup(query ? query : "");
    if (!l->path || !l->query) {
        plex_listing_free(l);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    plex__pager_init(&l->pager, o ? o->start : 0, page, o ? o->limit : 0,
                     !(o && (o->flags & PLEX_LISTING_NO_PAGING)));
    l->state = L_IDLE;
    *out = l;
    return 0;
}

void plex_listing_free(plex_listing *l)
{
    if (!l)
        return;
    plex__http_dispose(&l->http);
    plex__stream_free(l->st);
    plex__free(l->path);
    plex__free(l->query);
    plex__free(l);
}

static int fail(plex_listing *l, int rc)
{
    plex__http_abort(&l->http);
    l->state = L_FAILED;
    l->result = rc;
    l->item = NULL;
    return rc;
}

/* The page's bytes, as they arrive (the transport's sink). */
static int sink(void *ctx, const char *data, size_t n)
{
    plex_listing *l = ctx;

    if (!l->st_started) {
        size_t i;
        int rc, xml = plex__http_body_kind(&l->http, data, n, &i);
        if (xml < 0)
            return 0; /* only blanks so far: decide on the next piece */
        if ((rc = plex__http_check_data(&l->http)) != 0)
            return rc;
        if (l->st && l->st_xml != xml) {
            plex__stream_free(l->st);
            l->st = NULL;
        }
        if (!l->st && plex__stream_new(&l->st, &plex__media_container_schema, "Metadata", xml, 0,
                                       MAX_ITEM) != 0)
            return plex__http_fail(&l->http, PLEX_ENOMEM, "out of memory");
        l->st_xml = xml;
        l->st_started = 1;
        data += i;
        n -= i;
    }
    if (plex__stream_feed(l->st, data, n) != 0)
        return plex__http_fail(&l->http, PLEX_ENOMEM, "out of memory");
    l->fed += n;
    return 0;
}

/* Ask for the next page, or end the walk. */
static int start_page(plex_listing *l)
{
    plex__request r = {.method = "GET"};
    size_t start, size, k = 0;
    int rc;

    if (!plex__pager_next_page(&l->pager, &start, &size)) {
        l->state = L_DONE;
        return 0;
    }
    if (!l->http_ready) {
        if (plex__http_init_from(&l->http, &l->s->http) != 0)
            return fail(l, plex__http_fail(&l->s->http, PLEX_ENOMEM, "out of memory"));
        l->http_ready = 1;
    }
    /* the server's connection may have failed over since the last page */
    if (!l->http.base_url || strcmp(l->http.base_url, l->s->http.base_url) != 0) {
        if (plex__http_set(&l->http.base_url, l->s->http.base_url) != 0 ||
            plex__http_pin_plex_direct(&l->http, l->s->http.base_url) < 0)
            return fail(l, plex__http_fail(&l->http, PLEX_ENOMEM, "out of memory"));
    }
    if (size > 0) {
        snprintf(l->hdr_start, sizeof(l->hdr_start), "X-Plex-Container-Start: %zu", start);
        snprintf(l->hdr_size, sizeof(l->hdr_size), "X-Plex-Container-Size: %zu", size);
        l->hdrs[k++] = l->hdr_start;
        l->hdrs[k++] = l->hdr_size;
    }
    l->hdrs[k] = NULL;
    r.base = l->http.base_url;
    r.path = l->path;
    r.query = l->query;
    r.headers = l->hdrs;
    r.accept = plex__server_accept(l->s);
    r.sink = sink;
    r.sink_ctx = l;
    if (l->st)
        plex__stream_reset(l->st);
    l->st_started = 0;
    l->fed = l->tried = 0;
    l->attrs_told = 0;
    if ((rc = plex__http_start(&l->http, &r)) != 0)
        return fail(l, rc);
    l->requests++;
    l->state = L_BUSY;
    return 0;
}

static long long attr(const plex_container *c, plex_container_field f, long long v)
{
    return plex_container_has(c, f) ? v : -1;
}

/* What recognises an item across pages: its ratingKey, and the ids of an
 * entry of a playlist, a play queue or the history (where a ratingKey may
 * repeat). */
static const char *identity(const plex_metadata *m, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%lld|%lld|%s", m->rating_key ? m->rating_key : "",
             (long long)m->playlist_item_id, (long long)m->play_queue_item_id,
             m->history_key ? m->history_key : "");
    return strcmp(buf, "|0|0|") == 0 ? NULL : buf;
}

/* One step of the page's decoding: 1 an item to return, 2 go on, 0 the
 * stream needs more bytes, or an error. */
static int next_item(plex_listing *l, const plex_metadata **item)
{
    const void *obj;
    const char *raw;
    size_t raw_len;
    char id[PLEX__PAGER_ID_MAX];
    plex_error err;
    int rc;

    if (!l->st_started)
        return 0;
    rc = plex__stream_next(l->st, &obj, &raw, &raw_len, &err);
    if (rc < 0) {
        plex__http_fail(&l->http, rc, "a page of the listing could not be read: %s", err.message);
        return rc;
    }
    if (rc == 0)
        return 0;
    if (!l->attrs_told) {
        const plex_container *c = plex__stream_container(l->st);
        plex__pager_page_attrs(&l->pager, attr(c, PLEX_CONTAINER_OFFSET, c->offset),
                               attr(c, PLEX_CONTAINER_TOTAL_SIZE, c->total_size));
        l->attrs_told = 1;
    }
    switch (plex__pager_item(&l->pager, identity(obj, id, sizeof(id)))) {
    case PLEX__PAGER_RETURN:
        *item = l->item = obj;
        l->raw = raw;
        l->raw_len = raw_len;
        return 1;
    case PLEX__PAGER_SKIP:
        return 2;
    default: /* the limit: the rest of the page is not needed */
        plex__http_abort(&l->http);
        plex__pager_page_end(&l->pager, -1);
        l->state = L_DONE;
        return 2;
    }
}

/* The page's transfer is over and its items read: tell the pager. */
static int end_page(plex_listing *l)
{
    const plex_container *c;

    if (!l->st_started)
        return fail(l, plex__http_fail(&l->http, PLEX_ESCHEMA, "the server's answer is empty"));
    if (!plex__stream_done(l->st))
        return fail(l, plex__http_fail(&l->http, PLEX_EPARSE,
                                       "a page of the listing ended before its end"));
    c = plex__stream_container(l->st);
    if (!l->attrs_told)
        plex__pager_page_attrs(&l->pager, attr(c, PLEX_CONTAINER_OFFSET, c->offset), -1);
    plex__pager_page_end(&l->pager, attr(c, PLEX_CONTAINER_TOTAL_SIZE, c->total_size));
    l->state = L_IDLE;
    return 0;
}

int plex_listing_step(plex_listing *l, const plex_metadata **item, plex_wait_info *w)
{
    plex_wait_info scratch;
    int rc, done;

    if (!l || !item)
        return PLEX_EINVALID;
    *item = NULL;
    l->item = NULL;
    l->raw = NULL;
    if (!w)
        w = &scratch;
    memset(w, 0, sizeof(*w));
    w->timeout_ms = 0;
    for (;;) {
        switch (l->state) {
        case L_DONE:
            return 0;
        case L_FAILED:
            return l->result;
        case L_IDLE:
            if ((rc = start_page(l)) != 0)
                return rc;
            continue;
        default:
            break;
        }
        /* items already in (L_BUSY or L_ENDED) */
        rc = next_item(l, item);
        if (rc < 0)
            return fail(l, rc);
        if (rc == 1)
            return 1;
        if (rc == 2)
            continue;
        if (l->state == L_ENDED) {
            if ((rc = end_page(l)) != 0)
                return rc;
            continue;
        }
        /* L_BUSY and the stream wants more: move the transfer on */
        l->tried = l->fed;
        if ((rc = plex__http_progress(&l->http, &done)) != 0)
            return fail(l, rc);
        if (done) {
            plex__response resp;
            if ((rc = plex__http_finish(&l->http, &resp)) != 0)
                return fail(l, rc);
            if (l->st_started)
                plex__stream_end(l->st);
            l->state = L_ENDED;
            continue;
        }
        if (l->fed != l->tried)
            continue; /* new bytes: try the stream again */
        plex__http_wait_info(&l->http, w);
        return PLEX_EPENDING;
    }
}

int plex_listing_next(plex_listing *l, const plex_metadata **item)
{
    int rc;

    while ((rc = plex_listing_step(l, item, NULL)) == PLEX_EPENDING) {
        if ((rc = plex__http_wait(&l->http, 1000)) != 0)
            return fail(l, rc);
    }
    return rc;
}

const char *plex_listing_raw(const plex_listing *l, size_t *len)
{
    if (len)
        *len = l && l->raw ? l->raw_len : 0;
    return l ? l->raw : NULL;
}

long long plex_listing_total(const plex_listing *l)
{
    return l ? l->pager.total : -1;
}

size_t plex_listing_count(const plex_listing *l)
{
    return l ? l->pager.returned : 0;
}

int plex_listing_changed(const plex_listing *l)
{
    return l ? l->pager.changed : 0;
}

const plex_container *plex_listing_container(const plex_listing *l)
{
    return l && l->st && l->st_started ? plex__stream_container(l->st) : NULL;
}

const plex_error *plex_listing_last_error(const plex_listing *l)
{
    if (!l)
        return NULL;
    return l->http_ready ? &l->http.last : &l->s->http.last;
}

size_t plex_listing_requests(const plex_listing *l)
{
    return l ? l->requests : 0;
}

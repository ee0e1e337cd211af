/*
 * plex_query: a query string built parameter by parameter (plex/query.h).
 */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "plex/query.h"
#include "url.h"

struct plex_query {
    plex__buf b;
};

int plex_query_new(plex_query **out)
{
    if (!out)
        return PLEX_EINVALID;
    if (!(*out = plex__calloc(1, sizeof(**out))))
        return PLEX_ENOMEM;
    return 0;
}

/* Append name=value, both encoded; the query is unchanged on failure. */
static int add(plex_query *q, const char *name, size_t name_len, const char *value)
{
    size_t len = q->b.len;
    char *n;

    if (!(n = plex__strndup(name, name_len)))
        return PLEX_ENOMEM;
    if (len)
        plex__buf_putc(&q->b, '&');
    plex__url_encode(&q->b, n);
    plex__buf_putc(&q->b, '=');
    plex__url_encode(&q->b, value ? value : "");
    plex__free(n);
    if (q->b.err) {
        q->b.err = 0;
        q->b.len = len;
        if (q->b.ptr)
            q->b.ptr[len] = '\0';
        return PLEX_ENOMEM;
    }
    return 0;
}

int plex_query_add(plex_query *q, const char *name, const char *value)
{
    if (!q || !name || !*name)
        return PLEX_EINVALID;
    return add(q, name, strlen(name), value);
}

int plex_query_add_int(plex_query *q, const char *name, long long value)
{
    char v[32];

    snprintf(v, sizeof(v), "%lld", value);
    return plex_query_add(q, name, v);
}

int plex_query_add_filter(plex_query *q, const char *e)
{
    size_t op, end;

    if (!q || !e)
        return PLEX_EINVALID;
    op = strcspn(e, "!<>=");
    for (end = op; e[end] && strchr("!<>=", e[end]); end++)
        ;
    /* field, then an operator run that ends in '=' */
    if (op == 0 || end == op || e[end - 1] != '=')
        return PLEX_EINVALID;
    return add(q, e, end - 1, e + end);
}

const char *plex_query_string(const plex_query *q)
{
    return q && q->b.ptr ? q->b.ptr : "";
}

void plex_query_free(plex_query *q)
{
    if (!q)
        return;
    plex__buf_dispose(&q->b);
    plex__free(q);
}

#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

void plex__buf_fail(plex__buf *b, int code)
{
    if (!b->err)
        b->err = code;
}

int plex__buf_grow(plex__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->err)
        return b->err;
    if (extra > (size_t)-1 - b->len - 1) {
        plex__buf_fail(b, PLEX_ENOMEM);
        return b->err;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    p = plex__realloc(b->ptr, cap);
    if (!p) {
        plex__buf_fail(b, PLEX_ENOMEM);
        return b->err;
    }
    b->ptr = p;
    b->cap = cap;
    return 0;
}

void plex__buf_put(plex__buf *b, const void *data, size_t n)
{
    if (plex__buf_grow(b, n))
        return;
    if (n)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void plex__buf_putc(plex__buf *b, char c)
{
    if (plex__buf_grow(b, 1))
        return;
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}

void plex__buf_puts(plex__buf *b, const char *s)
{
    plex__buf_put(b, s, strlen(s));
}

void plex__buf_printf(plex__buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[128];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        plex__buf_fail(b, PLEX_EINVALID);
        return;
    }
    if ((size_t)n < sizeof(small)) {
        plex__buf_put(b, small, (size_t)n);
        return;
    }
    if (plex__buf_grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int plex__buf_detach(plex__buf *b, char **out)
{
    int err = b->err;

    if (!err && plex__buf_grow(b, 0) == 0) {
        b->ptr[b->len] = '\0';
        *out = b->ptr;
        b->ptr = NULL;
        b->len = b->cap = 0;
        return 0;
    }
    *out = NULL;
    err = b->err;
    plex__buf_dispose(b);
    return err;
}

void plex__buf_dispose(plex__buf *b)
{
    plex__free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

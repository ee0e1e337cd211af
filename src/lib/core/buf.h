/*
 * A growable byte buffer with a sticky error: after a failed append every
 * later append is a no-op, and the error is checked once at the end.
 */
#ifndef PLEX_BUF_H
#define PLEX_BUF_H

#include <stddef.h>

#include "error.h"

typedef struct plex__buf {
    char *ptr; /* NUL-terminated when len > 0 or after plex__buf_detach */
    size_t len;
    size_t cap;
    int err; /* 0, PLEX_ENOMEM or PLEX_EINVALID */
} plex__buf;

#define PLEX__BUF_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

int plex__buf_grow(plex__buf *b, size_t extra);
void plex__buf_put(plex__buf *b, const void *data, size_t n);
void plex__buf_putc(plex__buf *b, char c);
void plex__buf_puts(plex__buf *b, const char *s);
void plex__buf_printf(plex__buf *b, const char *fmt, ...) PLEX__PRINTF(2, 3);
/* Mark the buffer failed with `code` (first error wins). */
void plex__buf_fail(plex__buf *b, int code);
/* Hand the NUL-terminated contents to the caller (plex__free / plex_free);
 * returns the buffer's error, and NULL in *out on error. */
int plex__buf_detach(plex__buf *b, char **out);
void plex__buf_dispose(plex__buf *b);

#endif

/*
 * Recording errors into a caller's plex_error (NULL allowed everywhere).
 */
#ifndef PLEX_ERROR_INTERNAL_H
#define PLEX_ERROR_INTERNAL_H

#include <stddef.h>

#include "plex/errors.h"

#if defined(__GNUC__)
#define PLEX__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PLEX__PRINTF(a, b)
#endif

/* Record `code` with a formatted message; returns `code`. */
int plex__error_set(plex_error *err, int code, const char *fmt, ...) PLEX__PRINTF(3, 4);

/* Record a syntax error at byte `pos`: "syntax error at byte N: <msg>"; returns PLEX_EPARSE. */
int plex__error_syntax(plex_error *err, size_t pos, const char *msg);

#endif

/*
 * Percent-encoding (RFC 3986) for query strings and form bodies: every
 * service builds its URLs with it.
 */
#ifndef PLEX_URL_H
#define PLEX_URL_H

#include "buf.h"

/* Append s percent-encoded (RFC 3986 unreserved kept) to b. */
void plex__url_encode(plex__buf *b, const char *s);

#endif

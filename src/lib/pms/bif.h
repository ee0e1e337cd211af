/*
 * BIF files (bif.c): what the previews download needs beside the public
 * plex_previews_* calls.
 */
#ifndef PLEX_PMS_BIF_H
#define PLEX_PMS_BIF_H

#include <stddef.h>

#include "plex/pms/playback.h"

/* plex_previews_parse() of a buffer that becomes the result's (it is freed
 * on failure too): no copy of a large file. data is a plex__malloc block. */
int plex__bif_adopt(plex_previews **out, unsigned char *data, size_t len, plex_error *err);

#endif

/*
 * libplex: waiting for a non-blocking operation (a sign-in step, a page of a
 * listing, an event stream) in the caller's own event loop.
 */
#ifndef PLEX_WAIT_H
#define PLEX_WAIT_H

#include "plex/common.h"

PLEX_BEGIN_DECL

/**
 * What a step call wants before it is called again: poll(2) or select(2)
 * the sockets for the events given, at most timeout_ms.
 */
typedef struct plex_login_wait_info {
    int fds[4];      /**< sockets to wait on (-1 = unused) */
    short events[4]; /**< PLEX_WAIT_READ | PLEX_WAIT_WRITE for each fd */
    int nfds;        /**< how many entries are used */
    long timeout_ms; /**< call again after this long at the latest */
} plex_login_wait_info;

/** The same, by its general name (the sign-in had it first). */
typedef plex_login_wait_info plex_wait_info;

/** Events of plex_wait_info.events. */
enum { PLEX_WAIT_READ = 1, PLEX_WAIT_WRITE = 2 };

PLEX_END_DECL

#endif

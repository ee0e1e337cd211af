/*
 * libplex: C library for the Plex API and the plex.tv PIN sign-in flow.
 *
 * The umbrella header: include this one.
 */
#ifndef PLEX_PLEX_H
#define PLEX_PLEX_H

#include "plex/common.h"
#include "plex/version.h"
#include "plex/errors.h"
#include "plex/wait.h"
#include "plex/models.h"
#include "plex/client.h"
#include "plex/auth.h"
#include "plex/account.h"
#include "plex/jwt.h"
#include "plex/pms/models.h"
#include "plex/pms/server.h"
#include "plex/pms/library.h"
#include "plex/pms/events.h"
#include "plex/pms/admin.h"
#include "plex/pms/playback.h"
#include "plex/pms/playlists.h"
#include "plex/pms/edit.h"
#include "plex/pms/watchlist.h"
#include "plex/pms/raw.h"
#include "plex/query.h"

#endif

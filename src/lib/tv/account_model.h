/*
 * The account models' schemas (for plexsim, tests and the fuzzers).
 */
#ifndef PLEX_ACCOUNT_MODEL_H
#define PLEX_ACCOUNT_MODEL_H

#include "core/model.h"

extern const plex__schema plex__connection_schema;
extern const plex__schema plex__resource_schema;
extern const plex__schema plex__resources_schema;
extern const plex__schema plex__companion_schema;
extern const plex__schema plex__companions_schema;
extern const plex__schema plex__friend_schema;
extern const plex__schema plex__friends_schema;
extern const plex__schema plex__home_schema;

#endif

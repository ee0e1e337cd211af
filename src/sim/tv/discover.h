/*
 * plexsim's discover service on the plex.tv port (discover.c): the
 * account's watchlist.
 */
#ifndef PLEX_SIM_TV_DISCOVER_H
#define PLEX_SIM_TV_DISCOVER_H

#include "sim.h"

/* The discover route of a request line (SIM_R_WATCHLIST*), or SIM_R_OTHER. */
sim_route sim_discover_route(const char *method, const char *path);
/* Answer a discover route (st->lock held): 1 if rq->route was one, else 0. */
int sim_discover_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json);

#endif

/*
 * plexsim's plex.tv service (../shared/PROTOCOL.md): declarations shared by
 * its files. routes.c answers every route (and the /__sim control
 * endpoints); render.c writes the documents; account.c the account routes;
 * jwt.c JWT device authentication.
 */
#ifndef PLEX_SIM_TV_H
#define PLEX_SIM_TV_H

#include "sim.h"

/* The plex.tv name of a route (routes.c's table), or NULL. */
const char *sim_tv_route_name(sim_route r);

/* ---- the account routes (account.c) ---- */

/* The password sign-in accounts (documented in --help): SIM_SIGNIN_LOGIN
 * (or SIM_USER_EMAIL) with SIM_SIGNIN_PASSWORD; SIM_SIGNIN_2FA_LOGIN with the
 * same password also needs verificationCode SIM_SIGNIN_2FA_CODE. After
 * SIM_SIGNIN_MAX_FAILURES failures in a row every sign-in answers 429/1031
 * until /__sim/reset. */
#define SIM_SIGNIN_LOGIN "plexsim"
#define SIM_SIGNIN_PASSWORD "plexsim-password"
#define SIM_SIGNIN_2FA_LOGIN "plexsim-2fa"
#define SIM_SIGNIN_2FA_CODE "123456"
#define SIM_SIGNIN_MAX_FAILURES 5

/* The account route of a request, or SIM_R_OTHER. */
sim_route sim_account_route(const char *method, const char *path);
/* Answer an account route (lock held). Returns 1 if rq->route was one. */
int sim_account_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json);
/* A parameter from a header, the query, or a form body (routes.c); buf holds a form value. */
const char *sim_param(const sim_request *rq, const char *name, char *buf, size_t size);

/* ---- documents (render.c); each returns 0 or a negative plex code ---- */
int sim_render_user(char **out, size_t *len, int json, const char *token);
int sim_render_geoip(char **out, size_t *len, int json);
int sim_render_resources(char **out, size_t *len, int json, const sim_state *st, int https,
                         int relay, int ipv6);
int sim_render_pin(char **out, size_t *len, int json, const sim_state *st, const sim_pin *p,
                   const char *base_url, double now);
int sim_render_stats(char **out, size_t *len, const sim_state *st);

/* ---- jwt.c (st->lock held) ---- */
/* Makes the RSA key too when st->cfg.jwt_rs256 is set. */
int sim_jwt_init(sim_state *st);
void sim_jwt_dispose(sim_state *st);
void sim_jwt_reset(sim_state *st);
/* Make the RSA key for RS256 if there is none yet (kept until dispose, and
 * listed at /api/v2/auth/keys from then on): 0, or -1 (crypto failure). */
int sim_jwt_rsa_ready(sim_state *st);
/* The SIM_R_AUTH_* routes. */
void sim_jwt_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json);
/* POST /api/v2/pins: bind the body's jwk (if any) to the new pin. 0, or -1
 * with the error answered. */
int sim_jwt_pin_bind(sim_state *st, const sim_request *rq, const sim_pin *p, sim_response *rs,
                     int json);
/* GET /api/v2/pins/{id}: check ?deviceJWT for a pin with a key. 0, or -1
 * with the error answered (400, 422, 498). */
int sim_jwt_pin_poll(sim_state *st, const sim_request *rq, const sim_pin *p, sim_response *rs,
                     int json);
/* The token of an approved pin with a key was rendered into rs: swap in a
 * Plex JWT and register the key for the pin's client. */
void sim_jwt_pin_collected(sim_state *st, const sim_pin *p, sim_response *rs, int json);
/* 1 if the token has the shape of a JWT. */
int sim_jwt_is_jwt(const char *token);
/* A Plex JWT presented as X-Plex-Token: 200, 401 (not ours), 498 (expired). */
int sim_jwt_token_status(sim_state *st, const char *token);

#endif

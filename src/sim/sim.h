/*
 * plexsim: a local emulator of the plex.tv API (../shared/PROTOCOL.md).
 *
 * The pieces:
 *   main.c    options, signals, the LISTENING line, the lifetime
 *   server.c  libmicrohttpd glue: bodies, faults on the wire, responses
 *   routes.c  request -> response for every route; no libmicrohttpd here,
 *             so it can be driven by a fuzzer or a unit test
 *   render.c  the user, resources and geoip documents (JSON and XML)
 *   state.c   pins, tokens, counters, configuration (one mutex)
 *   fault.c   the --fault grammar and the per-route fault queues
 *   qr.c      a PNG of a QR code for /api/v2/pins/qr/{code}
 *   jwt.c     JWT device authentication: keys, device JWTs, Plex JWTs
 */
#ifndef PLEX_SIM_H
#define PLEX_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The simulated account (documented in --help). */
#define SIM_USER_TOKEN "plexsim-user-token-0001"
#define SIM_USER_ID 13692262
#define SIM_USER_UUID "5f1e2d3c4b5a6978"
#define SIM_USER_NAME "plexsim"
#define SIM_USER_EMAIL "plexsim@example.invalid"

/* The account's own server: the emulated media server (its machineIdentifier,
 * the accessToken /api/v2/resources gives for it, its version) and the hash of
 * its plex.direct names (https://127-0-0-1.<hash>.plex.direct:PORT). */
#define SIM_SERVER_ID "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d"
#define SIM_SERVER_TOKEN "plexsim-server-token-0001"
#define SIM_SERVER_VERSION "1.40.2.8395-c67dce28e"
#define SIM_PLEX_DIRECT_HASH "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c"

/* Bounds: what a request may carry and how much state may live. */
#define SIM_MAX_BODY ((size_t)64 * 1024) /* request body bytes */
#define SIM_MAX_PINS 4096          /* live pins */
#define SIM_MAX_TOKENS 4096        /* tokens issued and still valid */
#define SIM_MAX_IDENT 256          /* X-Plex-Client-Identifier bytes */
#define SIM_MAX_PRODUCT 256        /* X-Plex-Product bytes */
#define SIM_MAX_FAULTS 4096        /* queued fault tokens, all routes */
#define SIM_MAX_DELAY_MS 600000    /* delay=MS upper bound */
#define SIM_TOKEN_LEN 20           /* legacy-style token length */
#define SIM_HUGE_SIZE ((uint64_t)64 * 1024 * 1024)

/* Every route plexsim knows; the order is the order of sim_route_names. */
typedef enum sim_route {
    SIM_R_PINS_CREATE = 0, /* POST /api/v2/pins */
    SIM_R_PINS_GET,        /* GET /api/v2/pins/{id} */
    SIM_R_PINS_LINK,       /* PUT /api/v2/pins/link */
    SIM_R_PINS_QR,         /* GET /api/v2/pins/qr/{code} */
    SIM_R_USER,            /* GET /api/v2/user */
    SIM_R_PING,            /* GET /api/v2/ping */
    SIM_R_SIGNOUT,         /* DELETE /api/v2/users/signout */
    SIM_R_GEOIP,           /* GET /api/v2/geoip */
    SIM_R_RESOURCES,       /* GET /api/v2/resources */
    SIM_R_COMPANIONS,      /* GET /api/v2/companions (account.c) */
    SIM_R_FRIENDS,         /* GET /api/v2/friends (account.c) */
    SIM_R_HOME,            /* GET /api/v2/home (account.c) */
    SIM_R_SIGNIN,          /* POST /api/v2/users/signin (account.c) */
    SIM_R_USERS_V1,        /* GET /api/users, XML (account.c) */
    SIM_R_IDENTITY,        /* GET /identity (the simulated media server) */
    SIM_R_AUTH_JWK,        /* POST /api/v2/auth/jwk (jwt.c) */
    SIM_R_AUTH_NONCE,      /* GET /api/v2/auth/nonce (jwt.c) */
    SIM_R_AUTH_TOKEN,      /* POST /api/v2/auth/token (jwt.c) */
    SIM_R_AUTH_KEYS,       /* GET /api/v2/auth/keys (jwt.c) */
    SIM_R_CTL_APPROVE,     /* POST /__sim/approve */
    SIM_R_CTL_EXPIRE,      /* POST /__sim/expire */
    SIM_R_CTL_FAULT,       /* POST /__sim/fault */
    SIM_R_CTL_RESET,       /* POST /__sim/reset */
    SIM_R_CTL_STATS,       /* GET /__sim/stats */
    SIM_R_CTL_CONFIG,      /* POST /__sim/config */
    SIM_R_OTHER,           /* anything else: 404 */
    SIM_R_COUNT
} sim_route;

/* Routes before this one can be given faults. */
#define SIM_R_FIRST_CONTROL SIM_R_CTL_APPROVE

/* "METHOD /route" of a route; "other" for SIM_R_OTHER. */
const char *sim_route_name(sim_route r);
/* The route of a request line (path without the query). */
sim_route sim_route_match(const char *method, const char *path);
/* The route named "METHOD /route" (faultable routes only), or -1. */
int sim_route_lookup(const char *name, size_t len);

/* ---- faults ---- */

typedef enum sim_fault_kind {
    SIM_F_NONE = 0,
    SIM_F_STATUS, /* arg: the HTTP status */
    SIM_F_DROP,
    SIM_F_DELAY, /* arg: milliseconds */
    SIM_F_TRUNCATE,
    SIM_F_GARBAGE,
    SIM_F_HUGE,
    SIM_F_HTML
} sim_fault_kind;

typedef struct sim_fault {
    sim_fault_kind kind;
    int arg;
} sim_fault;

/* A FIFO of fault tokens for one route (a small ring, grown on demand). */
typedef struct sim_fault_queue {
    sim_fault *items;
    size_t head, len, cap;
} sim_fault_queue;

/*
 * Parse a token sequence "429,drop,delay=500,truncate*2" into out[0..*n).
 * A token may end in *N (N >= 1) to repeat it. Returns 0 or -1 with a
 * static message in *why.
 */
int sim_fault_parse_seq(const char *seq, size_t len, sim_fault *out, size_t cap, size_t *n,
                        const char **why);
/* Split "METHOD /route=SEQ" into a route and a sequence; same returns. */
int sim_fault_parse_spec(const char *spec, sim_route *route, sim_fault *out, size_t cap, size_t *n,
                         const char **why);
const char *sim_fault_kind_name(sim_fault_kind k);

/* ---- state ---- */

typedef struct sim_config {
    int approve_after;  /* approve on the N-th poll; 0 = never */
    int pin_ttl;        /* seconds, 4-character pins */
    int strong_pin_ttl; /* seconds, strong pins */
    int jwt_ttl;        /* seconds a Plex JWT lives; 0 = 7 days */
    int clock_skew;     /* seconds the clock of Plex JWTs runs ahead (a device clock behind) */
    int jwt_rs256;      /* Plex JWTs are signed RS256 (RSA key), not EdDSA (jwt.c) */
} sim_config;

typedef struct sim_pin {
    int64_t id;
    char code[32];
    int strong;
    char client_id[SIM_MAX_IDENT + 1];
    char product[SIM_MAX_PRODUCT + 1];
    int64_t created_at;  /* wall clock, seconds since the epoch */
    double created_mono; /* monotonic clock, seconds */
    int ttl;             /* seconds */
    int forced_expired;  /* /__sim/expire */
    unsigned int polls;
    char token[SIM_TOKEN_LEN + 1]; /* non-empty once approved */
} sim_pin;

typedef struct sim_jwt sim_jwt; /* jwt.c */

typedef struct sim_state {
    pthread_mutex_t lock; /* guards everything below, and all plex_core calls */
    pthread_cond_t wake;  /* broadcast at shutdown: ends delays early */
    int stopping;
    sim_config boot; /* from the command line; restored by reset */
    sim_config cfg;
    sim_pin *pins; /* SIM_MAX_PINS slots */
    size_t npins;
    char (*tokens)[SIM_TOKEN_LEN + 1]; /* SIM_MAX_TOKENS slots, a ring */
    size_t ntokens, token_head;
    int user_signed_out; /* SIM_USER_TOKEN was signed out */
    int64_t next_pin_id;
    uint64_t requests[SIM_R_COUNT];
    uint64_t connections; /* accepted so far */
    uint64_t active;      /* open now */
    sim_fault_queue faults[SIM_R_FIRST_CONTROL];
    size_t nfaults; /* queued tokens, all routes */
    double started_mono;
    char base_url[160]; /* http://127.0.0.1:PORT, no trailing slash */
    int port;
    int tls;
    int signin_failures; /* failed password sign-ins in a row (account.c) */
    int server_port;     /* where the owned server's connections point */
    sim_jwt *jwt;        /* JWT keys, devices, nonces (jwt.c) */
} sim_state;

int sim_state_init(sim_state *st, const sim_config *cfg);
void sim_state_dispose(sim_state *st);
/* Under st->lock: forget pins, tokens, faults and counters; restore boot config. */
void sim_state_reset(sim_state *st);

/* All of these expect st->lock held. */
double sim_now_mono(void);
int64_t sim_now_wall(void);
/* Remaining seconds of a pin (<= 0: expired). */
int sim_pin_remaining(const sim_pin *p, double now);
sim_pin *sim_pin_find_id(sim_state *st, int64_t id);
sim_pin *sim_pin_find_code(sim_state *st, const char *code);
/* A new pin; NULL when the table is full even after purging. */
sim_pin *sim_pin_new(sim_state *st, int strong, const char *client_id, const char *product);
void sim_pin_remove(sim_state *st, const sim_pin *p);
/* Approve a pin: give it a fresh token (registered as valid). 0 or -1. */
int sim_pin_approve(sim_state *st, sim_pin *p);
/* 1 if the token belongs to the simulated account and was not signed out. */
int sim_token_valid(const sim_state *st, const char *token);
void sim_token_revoke(sim_state *st, const char *token);

/* Fault queues (lock held). */
int sim_fault_push(sim_state *st, sim_route r, const sim_fault *f, size_t n);
sim_fault sim_fault_pop(sim_state *st, sim_route r);

/* Random bytes from getrandom(2) (falls back to /dev/urandom). 0 or -1. */
int sim_random(void *buf, size_t n);

/* ---- requests and responses (routes.c) ---- */

enum { SIM_HEADER = 0, SIM_QUERY = 1 };

typedef struct sim_request {
    const char *method;
    const char *path; /* without the query string */
    sim_route route;
    const char *body; /* the body (not NUL-terminated), may be NULL */
    size_t body_len;
    int body_too_big; /* the body went over SIM_MAX_BODY */
    /* A header (case-insensitive) or query argument (decoded), or NULL. */
    const char *(*lookup)(void *ctx, int kind, const char *name);
    void *ctx;
} sim_request;

typedef struct sim_response {
    int status;
    const char *content_type; /* static; NULL for no body */
    char *body;               /* malloc'd (free()); may be NULL */
    size_t body_len;
    int retry_after; /* Retry-After seconds, or -1 */
} sim_response;

/* Produce the answer to a request (never fails: 500 when out of memory).
 * Takes st->lock itself. */
void sim_handle(sim_state *st, const sim_request *rq, sim_response *rs);

/* A plex-style errors body (JSON or XML) for status/code/message. */
void sim_error_response(sim_response *rs, int want_json, int status, int code, const char *message);
/* The code and message plexsim uses for a bare status (fault tokens). */
void sim_status_error(int status, int *code, const char **message);
/* 1 if the Accept header asks for JSON. */
int sim_wants_json(const sim_request *rq);
void sim_response_dispose(sim_response *rs);

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
int sim_render_identity(char **out, size_t *len, int json);
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

/* ---- server.c ---- */

typedef struct sim_server_options {
    const char *bind;         /* numeric IPv4 or IPv6 address */
    int port;                 /* 0: any free port */
    const char *tls_cert_pem; /* both set: https */
    const char *tls_key_pem;
    int quiet; /* no per-request log on stderr */
} sim_server_options;

typedef struct sim_server sim_server;

/* Start listening; fills st->port, st->base_url and st->tls. 0, or -1 with
 * a message in err. */
int sim_server_start(sim_server **out, sim_state *st, const sim_server_options *o, char *err,
                     size_t errsize);
/* Wake delayed requests, close every connection, free the server. NULL is fine. */
void sim_server_stop(sim_server *srv);

/* ---- qr.c ---- */
/* A PNG picture of a QR code for text (placeholder if libqrencode is absent).
 * Returns 0 and a malloc'd buffer, or -1. */
int sim_qr_png(const char *text, unsigned char **out, size_t *len);

#endif

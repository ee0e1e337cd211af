/*
 * plexsim: a local emulator of plex.tv (../shared/PROTOCOL.md) and of one
 * Plex Media Server (../shared/PMS.md), for tests, benchmarks and the demo.
 *
 * The shared pieces live here, one folder per emulated service:
 *   main.c    options, signals, the LISTENING and PMS lines, the lifetime
 *   server.c  libmicrohttpd glue for any service: bodies, streamed bodies,
 *             faults on the wire, responses (the only file with MHD besides main.c)
 *   route.c   the route ids of both services: names, lookup, faultable
 *   state.c   pins, tokens, counters, configuration (one mutex)
 *   fault.c   the --fault grammar and the per-route fault queues
 *   png.c     a small PNG writer (QR codes, artwork)
 *   qr.c      a PNG of a QR code for /api/v2/pins/qr/{code}
 *   tv/       plex.tv: routes.c (request -> response), render.c, account.c, jwt.c
 *   pms/      the media server (pms/pms.h: its internal API and route groups)
 * Request handling (tv/, pms/) never sees libmicrohttpd, so it can be driven
 * by a fuzzer or a unit test.
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
#define SIM_SERVER_VERSION "1.42.2.10156-f737b826c"
#define SIM_PLEX_DIRECT_HASH "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c"

/* Bounds: what a request may carry and how much state may live. */
#define SIM_MAX_BODY ((size_t)64 * 1024) /* request body bytes */
#define SIM_MAX_PINS 4096                /* live pins */
#define SIM_MAX_TOKENS 4096              /* tokens issued and still valid */
#define SIM_MAX_IDENT 256                /* X-Plex-Client-Identifier bytes */
#define SIM_MAX_PRODUCT 256              /* X-Plex-Product bytes */
#define SIM_MAX_FAULTS 4096              /* queued fault tokens, all routes */
#define SIM_MAX_DELAY_MS 600000          /* delay=MS upper bound */
#define SIM_TOKEN_LEN 20                 /* legacy-style token length */
#define SIM_HUGE_SIZE ((uint64_t)64 * 1024 * 1024)

/* Every plex.tv route; the order is the order of their names (route.c). The
 * media server's routes follow: route id SIM_R_COUNT + n is the n-th entry of
 * its route table (pms/pms.c), so a route id is an int. */
typedef enum sim_route {
    SIM_R_PINS_CREATE = 0,  /* POST /api/v2/pins */
    SIM_R_PINS_GET,         /* GET /api/v2/pins/{id} */
    SIM_R_PINS_LINK,        /* PUT /api/v2/pins/link */
    SIM_R_PINS_QR,          /* GET /api/v2/pins/qr/{code} */
    SIM_R_USER,             /* GET /api/v2/user */
    SIM_R_PING,             /* GET /api/v2/ping */
    SIM_R_SIGNOUT,          /* DELETE /api/v2/users/signout */
    SIM_R_GEOIP,            /* GET /api/v2/geoip */
    SIM_R_RESOURCES,        /* GET /api/v2/resources */
    SIM_R_COMPANIONS,       /* GET /api/v2/companions (account.c) */
    SIM_R_FRIENDS,          /* GET /api/v2/friends (account.c) */
    SIM_R_HOME,             /* GET /api/v2/home (account.c) */
    SIM_R_SIGNIN,           /* POST /api/v2/users/signin (account.c) */
    SIM_R_USERS_V1,         /* GET /api/users, XML (account.c) */
    SIM_R_AUTH_JWK,         /* POST /api/v2/auth/jwk (jwt.c) */
    SIM_R_AUTH_NONCE,       /* GET /api/v2/auth/nonce (jwt.c) */
    SIM_R_AUTH_TOKEN,       /* POST /api/v2/auth/token (jwt.c) */
    SIM_R_AUTH_KEYS,        /* GET /api/v2/auth/keys (jwt.c) */
    SIM_R_WATCHLIST,        /* GET /library/sections/watchlist/all (discover.c) */
    SIM_R_WATCHLIST_ADD,    /* PUT /actions/addToWatchlist (discover.c) */
    SIM_R_WATCHLIST_REMOVE, /* PUT /actions/removeFromWatchlist (discover.c) */
    SIM_R_CTL_APPROVE,      /* POST /__sim/approve */
    SIM_R_CTL_EXPIRE,       /* POST /__sim/expire */
    SIM_R_CTL_FAULT,        /* POST /__sim/fault */
    SIM_R_CTL_RESET,        /* POST /__sim/reset */
    SIM_R_CTL_STATS,        /* GET /__sim/stats */
    SIM_R_CTL_CONFIG,       /* POST /__sim/config */
    SIM_R_OTHER,            /* anything else, on either service: 404 */
    SIM_R_COUNT
} sim_route;

/* plex.tv routes before this one can be given faults (so can every media
 * server route). */
#define SIM_R_FIRST_CONTROL SIM_R_CTL_APPROVE

/* Route ids, both services (route.c). */
/* How many route ids there are: SIM_R_COUNT plus the media server's routes. */
int sim_route_total(void);
/* "METHOD /route" of a route id ("GET /library/sections/{id}/all"); "other"
 * for SIM_R_OTHER or an id out of range. */
const char *sim_route_name(int r);
/* The faultable route named "METHOD /route" (as in the stats), or -1. */
int sim_route_lookup(const char *name, size_t len);
/* 1 if faults can be queued for route id r. */
int sim_route_faultable(int r);
/* The plex.tv route of a request line (path without the query; tv/routes.c). */
sim_route sim_route_match(const char *method, const char *path);

/* ---- faults ---- */

typedef enum sim_fault_kind {
    SIM_F_NONE = 0,
    SIM_F_STATUS, /* arg: the HTTP status */
    SIM_F_DROP,
    SIM_F_DELAY, /* arg: milliseconds */
    SIM_F_TRUNCATE,
    SIM_F_GARBAGE,
    SIM_F_HUGE,
    SIM_F_HTML,
    /* stream tokens (arg: messages sent first), honoured by the event stream */
    SIM_F_SILENT,  /* sends nothing more, stays open */
    SIM_F_CLOSE,   /* ends the stream */
    SIM_F_ENDLESS, /* one line that never ends */
    SIM_F_JUNK     /* garbage bytes and an event whose data is not JSON, then goes on */
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
int sim_fault_parse_spec(const char *spec, int *route, sim_fault *out, size_t cap, size_t *n,
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
    int event_ping_ms;  /* the media server's event streams ping this often; 0 = 10 s */
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

typedef struct sim_jwt sim_jwt;     /* tv/jwt.c */
typedef struct pms_state pms_state; /* the media server (pms/pms.h) */

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
    uint64_t *requests;      /* by route id: sim_route_total() counters */
    uint64_t connections;    /* accepted so far */
    uint64_t active;         /* open now */
    long event_streams;      /* event-stream subscribers open now (atomic: their bodies end on
                                libmicrohttpd's threads) */
    sim_fault_queue *faults; /* by route id (the control routes' stay empty) */
    size_t nfaults;          /* queued tokens, all routes */
    double started_mono;
    char base_url[160]; /* http://127.0.0.1:PORT, no trailing slash */
    int port;
    int tls;
    int signin_failures; /* failed password sign-ins in a row (account.c) */
    int server_port;     /* where the owned server's connections point (the media server) */
    pms_state *pms;      /* the emulated media server, or NULL (sim_pms_init) */
    char pms_url[160];   /* http(s)://127.0.0.1:PORT of the media server */
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

/* Fault queues of route ids (lock held). */
int sim_fault_push(sim_state *st, int r, const sim_fault *f, size_t n);
sim_fault sim_fault_pop(sim_state *st, int r);

/* Random bytes from getrandom(2) (falls back to /dev/urandom). 0 or -1. */
int sim_random(void *buf, size_t n);

/* ---- requests and responses ---- */

enum { SIM_HEADER = 0, SIM_QUERY = 1 };

/* Called for each argument of a request, in order; value NULL for a key
 * without '='. Return nonzero to stop. */
typedef int (*sim_arg_cb)(void *user, const char *key, const char *value);

typedef struct sim_request {
    const char *method;
    const char *path; /* without the query string, %-decoded */
    int route;        /* the route id (sim_route_match, sim_pms_route_match) */
    const char *body; /* the body (not NUL-terminated), may be NULL */
    size_t body_len;
    int body_too_big; /* the body went over SIM_MAX_BODY */
    /* A header (case-insensitive) or query argument (decoded), or NULL. */
    const char *(*lookup)(void *ctx, int kind, const char *name);
    /* Every query argument in order (decoded); NULL: the request has none. */
    void (*each)(void *ctx, sim_arg_cb cb, void *user);
    void *ctx;
    sim_fault fault; /* the request's fault token (stream tokens reach the handler) */
} sim_request;

/* A body produced while it is sent (large listings, media files). */
typedef struct sim_stream {
    /* Write up to max bytes of the body from offset pos (called with pos
     * growing, from 0); return the count, 0 at the end, or -1 to close the
     * connection. Called without st->lock held. */
    long (*read)(void *cls, uint64_t pos, char *buf, size_t max);
    void (*release)(void *cls); /* frees cls; called once */
    void *cls;
    int64_t size; /* the body's length, or -1 when not known in advance (chunked) */
} sim_stream;

#define SIM_MAX_HEADERS 6

typedef struct sim_header {
    const char *name; /* static */
    char value[512];
} sim_header;

typedef struct sim_response {
    int status;
    const char *content_type; /* static; NULL for no body */
    char *body;               /* malloc'd (free()); may be NULL */
    size_t body_len;
    int retry_after;                     /* Retry-After seconds, or -1 */
    sim_stream stream;                   /* stream.read set: the body is streamed (body unused) */
    sim_header headers[SIM_MAX_HEADERS]; /* extra response headers */
    size_t nheaders;
} sim_response;

/* Add a header to a response (dropped beyond SIM_MAX_HEADERS, or when the
 * value is too long). */
void sim_response_header(sim_response *rs, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A token presented to plex.tv or the media server: 200 if it belongs to the
 * simulated account (SIM_USER_TOKEN, a pin's or sign-in's token, a valid
 * Plex JWT), 498 for an expired Plex JWT, else 401 (tv/routes.c; lock held). */
int sim_token_status(sim_state *st, const char *token);

/* The plex.tv service: produce the answer to a request (never fails: 500
 * when out of memory). Takes st->lock itself. */
void sim_handle(sim_state *st, const sim_request *rq, sim_response *rs);

/* A plex-style errors body (JSON or XML) for status/code/message. */
void sim_error_response(sim_response *rs, int want_json, int status, int code, const char *message);
/* The code and message plexsim uses for a bare status (fault tokens). */
void sim_status_error(int status, int *code, const char **message);
/* The value of `name` in a query string or form body s[0..len) ("a=1&b=2"),
 * %-decoded into buf (NUL-terminated): buf, or NULL when absent, too long or
 * holding a NUL (tv/routes.c). */
const char *sim_form_value(const char *s, size_t len, const char *name, char *buf, size_t size);
/* 1 if the Accept header asks for JSON. */
int sim_wants_json(const sim_request *rq);
/* Free the body (and release a stream); the status stays. */
void sim_response_dispose(sim_response *rs);

/* ---- the media server (pms/) ---- */

/* Make the emulated media server's state for a library of `movies` movies
 * (the rest scales with it) generated from `seed`; st->pms. 0 or -1 (out of
 * memory). The route ids of its routes exist without it. */
int sim_pms_init(sim_state *st, long movies, uint64_t seed);
/* Free st->pms (NULL is fine); called by sim_state_dispose. */
void sim_pms_dispose(sim_state *st);
/* Under st->lock: forget the media server's state changes (sim_state_reset). */
void sim_pms_reset(sim_state *st);
/* The media server route id of a request line, or SIM_R_OTHER. */
int sim_pms_route_match(const char *method, const char *path);
/* The media server: produce the answer to a request (never fails: 500 when
 * out of memory); deterministic for a given library, state and clock (the
 * fuzzer's entry point). Takes st->lock itself. */
void sim_pms_handle(sim_state *st, const sim_request *rq, sim_response *rs);
/* The answer of a status fault on a media server route (the HTML error page
 * the server sends for that status). */
void sim_pms_status(sim_response *rs, int status);

/* ---- server.c ---- */

/* A service one server answers for: plex.tv or the media server. */
typedef struct sim_service {
    const char *name; /* for the log: "plex.tv", "pms" */
    /* The route id of a request line. */
    int (*match)(const char *method, const char *path);
    /* The answer (sim_handle, sim_pms_handle). */
    void (*handle)(sim_state *st, const sim_request *rq, sim_response *rs);
    /* The answer of a status fault, or of a body that is too large (413);
     * called with st->lock held. */
    void (*status)(sim_state *st, const sim_request *rq, sim_response *rs, int status);
} sim_service;

extern const sim_service sim_tv_service;  /* tv/routes.c */
extern const sim_service sim_pms_service; /* pms/pms.c */

#define SIM_MAX_BINDS 4

typedef struct sim_server_options {
    const sim_service *service;
    const char *bind[SIM_MAX_BINDS]; /* numeric IPv4 or IPv6 addresses, same port */
    size_t nbind;                    /* 0: 127.0.0.1 */
    int port;                        /* 0: any free port (the first address picks it) */
    const char *tls_cert_pem;        /* both set: https */
    const char *tls_key_pem;
    int quiet; /* no per-request log on stderr */
} sim_server_options;

typedef struct sim_server sim_server;

/* Start listening on every address of o->bind. 0, or -1 with a message in
 * err. */
int sim_server_start(sim_server **out, sim_state *st, const sim_server_options *o, char *err,
                     size_t errsize);
/* The port listened on. */
int sim_server_port(const sim_server *srv);
/* "http://ADDR:PORT" (https with TLS) of the first address; 0.0.0.0 and ::
 * are written as the loopback address. */
void sim_server_url(const sim_server *srv, char *buf, size_t size);
/* Wake delayed requests, close every connection, free the server. NULL is fine. */
void sim_server_stop(sim_server *srv);

/* ---- png.c ---- */
/* A PNG of a width x height image, 8-bit RGB (channels 3) or grayscale of
 * depth 1 or 8 (channels 1); pixel(user, x, y, rgb) gives each pixel (gray:
 * rgb[0], depth 1: 0 black, else white). Compressed with fixed-Huffman
 * deflate (runs and repeated rows). 0 and a malloc'd buffer, or -1. */
typedef void (*sim_pixel_fn)(void *user, int x, int y, unsigned char rgb[3]);
int sim_png(int width, int height, int channels, int depth, sim_pixel_fn pixel, void *user,
            unsigned char **out, size_t *len);

/* ---- qr.c ---- */
/* A PNG picture of a QR code for text (placeholder if libqrencode is absent).
 * Returns 0 and a malloc'd buffer, or -1. */
int sim_qr_png(const char *text, unsigned char **out, size_t *len);

#endif

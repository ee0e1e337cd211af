/*
 * The JWT fault matrix: every plexsim fault token of test_fault_matrix.c on
 * every route of the JWT device flow (jwt.h), over http and over https, as
 * one table-driven test. test_fault_matrix.c covers the plain PIN sign-in.
 *
 * Columns, each over http and https (the test CA of make_certs.sh):
 *   pin:create   a JWT sign-in (plex_login_wait with a jwt_key: a strong PIN
 *   pin:poll     with the device's JWK, polled with signed device JWTs,
 *                approved on the 2nd poll), then plex_user_get with the Plex JWT
 *   early:nonce  the automatic refresh (plex_client_set_jwt_refresh) of a JWT
 *   early:token  that expires within PLEX_JWT_REFRESH_WINDOW (issued with
 *                jwt_ttl=3600), before a plex_user_get
 *   exp:nonce    the same for a JWT that has expired (jwt_ttl=1, then a wait)
 *   exp:token
 *   498:nonce    the refresh after a 498 answer: a 7-day JWT that plexsim's
 *   498:token    clock (clock_skew 8 days) says expired
 *   498:resend   the request sent again after that refresh (the sequence
 *                "498,TOKEN" on GET /api/v2/user, no clock skew)
 * Route: GET /api/v2/auth/nonce, POST /api/v2/auth/token, or as named.
 *
 * A cell: a plexsim reset (/__sim/reset), a new client, the setup (a JWT
 * sign-in, the clock or lifetime for the column), the fault armed once on the
 * route, then the call. As in test_fault_matrix.c plex_user_get is retried
 * once by the test after a retryable error, as an application would. The
 * outcome is the trail of what happened:
 *   ok          no visible difference (a refresh: its new token reached the callback)
 *   X>ok        retried after X (the flow's retry, or the test's), then success
 *   reissue>ok  the PIN was gone (404 code 1020): a new code, then success
 *   warn>ok     the early refresh failed: a warning, the request went ahead with
 *               the old token, and the next request did not refresh (the pause)
 *   X           the call ended with X
 * A cell that breaks the documented details gets a suffix and so fails: !cb
 * (the token callback called wrongly), !again (a refresh within the pause),
 * !msg (an expired JWT's failure that does not say so), !jwt (the sign-in's
 * token is not a JWT). The expectation of a column is the same for http and
 * https; the cell fails when its outcome differs, when the armed fault was
 * never consumed, or when its worker crashed on it (CRASH) or hung (HANG).
 * Both tables are printed either way.
 *
 * Cells run in the worker processes of matrix.h (FAULT_MATRIX_JOBS, default
 * 8), each with its own http and https plexsim and device key.
 *
 * usage: test_fault_matrix_jwt CERT_DIR   (PLEXSIM names the emulator binary)
 */
#include <stdarg.h>
#include <time.h>

#include <plex/plex.h>

#include "flow.h"
#include "matrix.h"
#include "sim.h"
#include "test.h"

#define REQUEST_TIMEOUT_MS 2500 /* the client's; the delay row (6000 ms) waits longer */
#define MAX_RESPONSE 65536      /* the client's limit: 'huge' (64 MiB) passes it at once */
#define SKEW_498 "691200"       /* 8 days: a fresh 7-day JWT is expired for plexsim */

#define NONCE "GET /api/v2/auth/nonce"
#define TOKEN "POST /api/v2/auth/token"

enum kind { K_SIGNIN, K_EARLY, K_EXPIRED, K_498, K_RESEND };

typedef struct column {
    const char *name;
    enum kind kind;
    const char *route;
} column;

static const column cols[] = {
    {"pin:create", K_SIGNIN, "POST /api/v2/pins"},
    {"pin:poll", K_SIGNIN, "GET /api/v2/pins/{id}"},
    {"early:nonce", K_EARLY, NONCE},
    {"early:token", K_EARLY, TOKEN},
    {"exp:nonce", K_EXPIRED, NONCE},
    {"exp:token", K_EXPIRED, TOKEN},
    {"498:nonce", K_498, NONCE},
    {"498:token", K_498, TOKEN},
    {"498:resend", K_RESEND, "GET /api/v2/user"},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

typedef struct row {
    const char *token;
    const char *expect[NCOLS]; /* per column, for http and for https */
} row;

/* clang-format off */
static const row rows[] = {
    /* pin:*: as in test_fault_matrix.c. early:*: a failed early refresh only
     * warns. exp:*, 498:*: the request fails with the refresh's error; the
     * test's retry after a retryable one refreshes again. resend: the fault is
     * the answer to the request sent again after the refresh. */
    {"400",        {"EBADREQUEST", "EBADREQUEST", "warn>ok", "warn>ok", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST"}},
    {"401",        {"EAUTH", "EAUTH", "warn>ok", "warn>ok", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    {"403",        {"EAUTH", "EAUTH", "warn>ok", "warn>ok", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    /* 404 code 1020: only a poll has a recovery (a new code) */
    {"404",        {"EGONE", "reissue>ok", "warn>ok", "warn>ok", "EGONE", "EGONE", "EGONE", "EGONE", "EGONE"}},
    {"422",        {"EHTTP", "EHTTP", "warn>ok", "warn>ok", "EHTTP", "EHTTP", "EHTTP", "EHTTP", "EHTTP"}},
    {"429",        {"ERATELIMIT>ok", "ERATELIMIT>ok", "warn>ok", "warn>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok"}},
    /* 498 on the refresh's own requests: no refresh inside a refresh; on the
     * resend: the refresh happens once per request */
    {"498",        {"EAUTH", "EAUTH", "warn>ok", "warn>ok", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    {"500",        {"ESERVER>ok", "ESERVER>ok", "warn>ok", "warn>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"502",        {"ESERVER>ok", "ESERVER>ok", "warn>ok", "warn>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"503",        {"ESERVER>ok", "ESERVER>ok", "warn>ok", "warn>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"504",        {"ESERVER>ok", "ESERVER>ok", "warn>ok", "warn>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    /* drop: a transport error on a fresh connection; on a kept-alive one
     * libcurl sends the request again by itself */
    {"drop",       {"ETRANSPORT>ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}},
    {"delay=6000", {"ETIMEOUT>ok", "ETIMEOUT>ok", "warn>ok", "warn>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok"}},
    {"truncate",   {"ETRANSPORT>ok", "ETRANSPORT>ok", "warn>ok", "warn>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok"}},
    {"garbage",    {"EPARSE", "EPARSE", "warn>ok", "warn>ok", "EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE"}},
    {"huge",       {"ETOOBIG", "ETOOBIG", "warn>ok", "warn>ok", "ETOOBIG", "ETOOBIG", "ETOOBIG", "ETOOBIG", "ETOOBIG"}},
    {"html",       {"EPARSE", "EPARSE", "warn>ok", "warn>ok", "EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE"}},
};
/* clang-format on */
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* A "!what" suffix on a trail: a broken detail of the documented behaviour. */
static void flag(char *trail, size_t size, const char *what)
{
    size_t n = strlen(trail);
    snprintf(trail + n, size - n, "%s", what);
}

/* What a cell saw: its trail, the log's refresh warnings, the token callback. */
typedef struct seen {
    char trail[96];
    int warns;
    int calls;         /* on_token */
    int same;          /* on_token got the token the client already had */
    const char *old;   /* the token before the refresh */
    char warning[256]; /* the last warning */
} seen;

static int on_event(const plex_login_event *ev, void *payload)
{
    seen *x = payload;
    if (ev->type == PLEX_LOGIN_RETRY)
        matrix_append(x->trail, sizeof(x->trail), flow_errname(ev->error));
    else if (ev->type == PLEX_LOGIN_REISSUED)
        matrix_append(x->trail, sizeof(x->trail), "reissue");
    return 0;
}

static void on_log(int level, const char *line, void *payload)
{
    seen *x = payload;
    if (level != PLEX_LOG_WARN)
        return;
    if (strstr(line, "could not refresh"))
        x->warns++;
    snprintf(x->warning, sizeof(x->warning), "%s", line);
}

static void on_token(const char *token, void *payload)
{
    seen *x = payload;
    x->calls++;
    if (x->old && strcmp(token, x->old) == 0)
        x->same = 1;
}

/* POST a control request with a formatted path; 0 when plexsim said 200. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
control(const sim *s, const char *ca, const char *fmt, ...)
{
    char path[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return sim_control(s, "POST", path, NULL, ca) == 200 ? 0 : -1;
}

/* A whole JWT sign-in (interval 0); the flow's retries go to x's trail. */
static int jwt_login(char **token, plex_client *c, const plex_jwt_key *key, seen *x)
{
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    lo.poll_interval_ms = 0;
    lo.timeout_ms = 20000;
    lo.on_event = on_event;
    lo.payload = x;
    lo.jwt_key = key;
    return plex_login_wait(token, c, &lo);
}

static unsigned long requests_of(const plex_client *c)
{
    plex_client_stats st;
    plex_client_get_stats(c, &st);
    return st.requests;
}

/* plex_user_get, once more after a retryable error (after Retry-After for 429). */
static int user_get(plex_client *c, seen *x)
{
    plex_user *u = NULL;
    int rc = plex_user_get(&u, c);

    if (rc != 0 && matrix_retryable(rc)) {
        const plex_error *e = plex_client_last_error(c);
        matrix_append(x->trail, sizeof(x->trail), flow_errname(rc));
        if (rc == PLEX_ERATELIMIT && e->retry_after > 0)
            sleep((unsigned)e->retry_after);
        rc = plex_user_get(&u, c);
    }
    if (rc == 0 && (!u || !u->username || strcmp(u->username, "plexsim") != 0))
        rc = PLEX_ESCHEMA;
    plex_user_free(u);
    return rc;
}

/* The column's setup up to the armed fault; a message when it failed. */
static const char *setup(const column *col, const char *fault, const sim *s, const char *ca,
                         plex_client *c, const plex_jwt_key *key, seen *x, char **jwt)
{
    seen quiet;
    int64_t exp = 0;
    char seq[64];

    memset(&quiet, 0, sizeof(quiet));
    if (col->kind == K_SIGNIN)
        return matrix_arm(s, ca, col->route, fault) ? "plexsim refused the fault" : NULL;
    if (control(s, ca, "/__sim/config?jwt_ttl=%s",
                col->kind == K_EARLY     ? "3600"
                : col->kind == K_EXPIRED ? "1"
                                         : "0"))
        return "plexsim refused jwt_ttl";
    if (jwt_login(jwt, c, key, &quiet) != 0 || !*jwt)
        return "the JWT sign-in failed";
    if (control(s, ca, "/__sim/config?jwt_ttl=0"))
        return "plexsim refused jwt_ttl";
    x->old = *jwt;
    if (plex_client_set_token(c, *jwt) != 0 || plex_client_set_jwt_refresh(c, key, on_token, x))
        return "could not set the token or the refresh";
    if (col->kind == K_498 && control(s, ca, "/__sim/config?clock_skew=" SKEW_498))
        return "plexsim refused clock_skew";
    if (col->kind == K_EXPIRED) {
        if (plex_jwt_expiry(*jwt, &exp) != 0)
            return "the JWT has no exp";
        while ((int64_t)time(NULL) < exp)
            usleep(20000);
    }
    snprintf(seq, sizeof(seq), "%s%s", col->kind == K_RESEND ? "498," : "", fault);
    return matrix_arm(s, ca, col->route, seq) ? "plexsim refused the fault" : NULL;
}

/* One cell on the worker's plexsim for its scheme; state: the worker's device key. */
static void run_cell(size_t ri, size_t ci, const sim *s, const char *ca, void *state,
                     matrix_cell *out)
{
    const row *r = &rows[ri];
    const column *col = &cols[ci];
    const plex_jwt_key *key = state;
    plex_client_options o;
    plex_client *c = NULL;
    plex_error err;
    seen x;
    char *jwt = NULL;
    const char *why;
    long t0 = matrix_now_ms();
    int rc;

    memset(&x, 0, sizeof(x));
    if (control(s, ca, "/__sim/reset")) {
        matrix_setup_failed(out, "SETUP", "plexsim refused the reset");
        return;
    }
    flow_client_options(&o, s->url, ca, REQUEST_TIMEOUT_MS);
    o.max_response_size = MAX_RESPONSE;
    o.log = on_log;
    o.log_payload = &x;
    if ((rc = plex_client_new(&c, &o, &err)) != 0) {
        char what[32];
        snprintf(what, sizeof(what), "client:%s", flow_errname(rc));
        matrix_setup_failed(out, what, err.message);
        return;
    }
    if ((why = setup(col, r->token, s, ca, c, key, &x, &jwt)) != NULL) {
        snprintf(out->outcome, sizeof(out->outcome), "SETUP");
        snprintf(out->detail, sizeof(out->detail), "%s", why);
        goto done;
    }

    if (col->kind == K_SIGNIN) {
        rc = jwt_login(&jwt, c, key, &x);
        if (rc == 0 && !plex_jwt_is_jwt(jwt))
            matrix_append(x.trail, sizeof(x.trail), "!jwt");
        else if (rc == 0 && (rc = plex_client_set_token(c, jwt)) == 0)
            rc = user_get(c, &x);
        matrix_append(x.trail, sizeof(x.trail), flow_errname(rc));
    } else {
        rc = user_get(c, &x);
        if (x.warns)
            matrix_append(x.trail, sizeof(x.trail), "warn");
        matrix_append(x.trail, sizeof(x.trail), flow_errname(rc));
        if (col->kind == K_EARLY && x.warns) {
            /* the old token stays in use, and no new attempt for a while */
            unsigned long n = requests_of(c);
            int again = user_get(c, &x);
            if (x.calls != 0)
                flag(x.trail, sizeof(x.trail), "!cb");
            if (again != 0 || requests_of(c) - n != 1 || x.warns != 1)
                flag(x.trail, sizeof(x.trail), "!again");
        } else if (rc == 0 || col->kind == K_RESEND) {
            /* exactly one refresh got through, and its token reached the callback */
            if (x.calls != 1 || x.same)
                flag(x.trail, sizeof(x.trail), "!cb");
        } else {
            if (x.calls != 0)
                flag(x.trail, sizeof(x.trail), "!cb");
            if (!strstr(plex_client_last_error(c)->message, "could not be refreshed"))
                flag(x.trail, sizeof(x.trail), "!msg");
        }
    }
    snprintf(out->outcome, sizeof(out->outcome), "%s", x.trail);
    if (rc != 0)
        snprintf(out->detail, sizeof(out->detail), "%s", plex_client_last_error(c)->message);
    else
        snprintf(out->detail, sizeof(out->detail), "%s", x.warning);
    out->fault_missed = sim_stat(s, "faults_pending", ca) != 0;
done:
    out->ms = matrix_now_ms() - t0;
    plex_free(jwt);
    plex_client_free(c);
    out->done = 1;
}

static void *worker_begin(void)
{
    plex_jwt_key *device = NULL;
    REQUIRE(plex_jwt_key_generate(&device) == 0);
    return device;
}

static void worker_end(void *state)
{
    plex_jwt_key_free(state);
}

static const char *row_name(size_t r)
{
    return rows[r].token;
}

static const char *col_name(size_t c)
{
    return cols[c].name;
}

static const char *expect(size_t r, size_t c)
{
    return rows[r].expect[c];
}

int main(int argc, char **argv)
{
    static const matrix_spec m = {
        "test_fault_matrix_jwt",
        "JWT fault matrix: outcome of each JWT flow step with the fault armed once on it\n"
        "(X>ok: retried after X, then ok; warn>ok: the early refresh failed, the request\n"
        "went ahead; a mismatch shows as GOT!=EXPECTED and fails)\n",
        NROWS,
        NCOLS,
        row_name,
        col_name,
        expect,
        30000, /* a cell taking longer is killed: HANG */
        worker_begin,
        run_cell,
        worker_end};

    return matrix_main(&m, argc, argv);
}

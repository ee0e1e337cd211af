/*
 * The fault matrix (issue 7): every plexsim fault token on every route the
 * sign-in uses, over http and over https, as one table-driven test.
 *
 * Rows: the fault tokens of src/sim/fault.c: NNN (each status plexsim gives
 * a plex error code to, plus 403), drop, delay=MS, truncate, garbage, huge,
 * html. Columns: POST /api/v2/pins, GET /api/v2/pins/{id}, GET /api/v2/user,
 * each over http and https (the test CA of make_certs.sh).
 *
 * A cell: a plexsim reset to a clean state (/__sim/reset; approves on the
 * 2nd poll) with the fault armed once on the route (/__sim/fault); a new
 * client; a whole sign-in (plex_login_wait, interval 0), then
 * plex_user_get with the token. plex_user_get is a single request that the
 * library does not retry, so the test retries it once after a retryable error
 * (5xx, transport, timeout, 429 after its Retry-After), as an application
 * would. The outcome is the trail of what happened, e.g.
 *   ok                 the fault made no visible difference
 *   ESERVER>ok         a retry (the flow's, or the test's for the user) after ESERVER, then success
 *   reissue>ok         the PIN was gone (404 code 1020): a new code, then success
 *   EPARSE             the flow ended with that error
 * The cell fails when its outcome differs from the expected one in the table,
 * when the armed fault was never consumed, or when its worker process crashed
 * on it; a worker that exits non-zero (under ASan: a leak) fails the test.
 * The matrix is printed either way.
 *
 * Cells run in parallel (retryable faults cost the flow's 2 s back-off, so one
 * after the other the matrix takes over a minute), in the worker processes of
 * matrix.h (FAULT_MATRIX_JOBS, default 8), each with its own http and https
 * plexsim. A worker that crashes fails its cell (CRASH) and is replaced; one
 * stuck on a cell for a minute is killed (HANG).
 *
 * usage: test_fault_matrix CERT_DIR   (PLEXSIM names the emulator binary)
 */
#include <plex/plex.h>

#include "flow.h"
#include "matrix.h"
#include "sim.h"
#include "test.h"

#define REQUEST_TIMEOUT_MS 2500 /* the client's; the delay row (6000 ms) waits longer */
#define MAX_RESPONSE 65536      /* the client's limit: 'huge' (64 MiB) passes it at once */

static const char *const routes[] = {"POST /api/v2/pins", "GET /api/v2/pins/{id}",
                                     "GET /api/v2/user"};
static const char *const route_short[] = {"create", "poll", "user"};
#define NROUTES 3

/* One row: the token and the expected outcome per route (http and https alike). */
typedef struct row {
    const char *token;
    const char *expect[NROUTES];
} row;

/* clang-format off */
static const row rows[] = {
    /* 400: the server rejected the request; final everywhere */
    {"400",        {"EBADREQUEST", "EBADREQUEST", "EBADREQUEST"}},
    /* 401/403/498: not authorised; final */
    {"401",        {"EAUTH", "EAUTH", "EAUTH"}},
    {"403",        {"EAUTH", "EAUTH", "EAUTH"}},
    /* 404 (plexsim: code 1020): a poll issues a new code; creating one or the
     * user has no such recovery: PLEX_EGONE ends it */
    {"404",        {"EGONE", "reissue>ok", "EGONE"}},
    /* 422: an unexpected status */
    {"422",        {"EHTTP", "EHTTP", "EHTTP"}},
    /* 429 (Retry-After: 1): waited for, then retried */
    {"429",        {"ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok"}},
    {"498",        {"EAUTH", "EAUTH", "EAUTH"}},
    /* 5xx: back off, retry */
    {"500",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"502",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"503",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"504",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    /* drop: on the first request (a fresh connection) a transport error and a
     * retry; on a kept-alive connection libcurl resends the GET by itself */
    {"drop",       {"ETRANSPORT>ok", "ok", "ok"}},
    /* an answer later than the request timeout */
    {"delay=6000", {"ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok"}},
    /* half the body, then the connection closes */
    {"truncate",   {"ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok"}},
    /* 200 with bodies that are not the document: final */
    {"garbage",    {"EPARSE", "EPARSE", "EPARSE"}},
    {"huge",       {"ETOOBIG", "ETOOBIG", "ETOOBIG"}},
    {"html",       {"EPARSE", "EPARSE", "EPARSE"}},
};
/* clang-format on */
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The trail of a sign-in, from its events. */
typedef struct trail {
    char text[96];
} trail;

static int on_event(const plex_login_event *ev, void *payload)
{
    trail *t = payload;
    if (ev->type == PLEX_LOGIN_RETRY)
        matrix_append(t->text, sizeof(t->text), flow_errname(ev->error));
    else if (ev->type == PLEX_LOGIN_REISSUED)
        matrix_append(t->text, sizeof(t->text), "reissue");
    return 0;
}

/* One cell on the worker's plexsim for its scheme: reset it, arm the fault once, sign in. */
static void run_cell(size_t ri, size_t route, const sim *s, const char *cafile, void *state,
                     matrix_cell *out)
{
    plex_client_options o;
    plex_client *c = NULL;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    plex_error err;
    trail t;
    char *token = NULL;
    plex_user *u = NULL;
    long t0 = matrix_now_ms();
    int rc;

    (void)state;
    if (sim_control(s, "POST", "/__sim/reset", NULL, cafile) != 200 ||
        matrix_arm(s, cafile, routes[route], rows[ri].token) != 0) {
        matrix_setup_failed(out, "SETUP", "plexsim refused the reset or the fault");
        return;
    }

    memset(&t, 0, sizeof(t));
    flow_client_options(&o, s->url, cafile, REQUEST_TIMEOUT_MS);
    o.max_response_size = MAX_RESPONSE;
    if ((rc = plex_client_new(&c, &o, &err)) != 0) {
        char what[32];
        snprintf(what, sizeof(what), "client:%s", flow_errname(rc));
        matrix_setup_failed(out, what, err.message);
        return;
    }
    lo.poll_interval_ms = 0;
    lo.timeout_ms = 40000;
    lo.on_event = on_event;
    lo.payload = &t;
    rc = plex_login_wait(&token, c, &lo);
    if (rc == 0) {
        if ((rc = plex_client_set_token(c, token)) == 0) {
            rc = plex_user_get(&u, c);
            if (rc != 0 && matrix_retryable(rc)) {
                const plex_error *e = plex_client_last_error(c);
                matrix_append(t.text, sizeof(t.text), flow_errname(rc));
                if (rc == PLEX_ERATELIMIT && e->retry_after > 0)
                    sleep((unsigned)e->retry_after);
                rc = plex_user_get(&u, c);
            }
            if (rc == 0 && (!u || !u->username || strcmp(u->username, "plexsim") != 0))
                rc = PLEX_ESCHEMA;
        }
    }
    matrix_append(t.text, sizeof(t.text), flow_errname(rc));
    snprintf(out->outcome, sizeof(out->outcome), "%s", t.text);
    if (rc != 0)
        snprintf(out->detail, sizeof(out->detail), "%s", plex_client_last_error(c)->message);
    out->fault_missed = sim_stat(s, "faults_pending", cafile) != 0;
    out->ms = matrix_now_ms() - t0;
    plex_user_free(u);
    plex_free(token);
    plex_client_free(c);
    out->done = 1;
}

static const char *row_name(size_t r)
{
    return rows[r].token;
}

static const char *col_name(size_t col)
{
    return route_short[col];
}

static const char *expect(size_t r, size_t col)
{
    return rows[r].expect[col];
}

int main(int argc, char **argv)
{
    static const matrix_spec m = {
        "test_fault_matrix",
        "fault matrix: outcome of a whole sign-in + user get with the fault armed once\n"
        "(X>ok: retried after X, then ok; a mismatch shows as GOT!=EXPECTED and fails)\n",
        NROWS,
        NROUTES,
        row_name,
        col_name,
        expect,
        60000, /* a cell taking longer is killed: HANG */
        NULL,
        run_cell,
        NULL};

    return matrix_main(&m, argc, argv);
}

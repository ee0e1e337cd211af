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
 * after the other the matrix takes over a minute): FAULT_MATRIX_JOBS worker
 * processes (default 8), each with its own http and https plexsim, claim
 * cells one at a time. A worker that crashes fails its cell (CRASH) and is
 * replaced; one stuck on a cell for a minute is killed (HANG).
 *
 * usage: test_fault_matrix CERT_DIR   (PLEXSIM names the emulator binary)
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <plex/plex.h>

#include "flow.h"
#include "sim.h"
#include "test.h"

#define REQUEST_TIMEOUT_MS 2500 /* the client's; the delay row (6000 ms) waits longer */
#define MAX_RESPONSE 65536      /* the client's limit: 'huge' (64 MiB) passes it at once */
#define CELL_LIMIT_MS 60000     /* a cell taking longer is killed: "HANG" */

static const char *const routes[] = {"POST /api/v2/pins", "GET /api/v2/pins/{id}",
                                     "GET /api/v2/user"};
static const char *const route_short[] = {"create", "poll", "user"};
#define NROUTES 3
#define NSCHEMES 2
#define NCOLS (NROUTES * NSCHEMES)

/* One row: the token and the expected outcome per column:
 * create/http, poll/http, user/http, create/https, poll/https, user/https. */
typedef struct row {
    const char *token;
    const char *expect[NCOLS];
} row;

/* clang-format off */
static const row rows[] = {
    /* 400: the server rejected the request; final everywhere */
    {"400",        {"EBADREQUEST", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST", "EBADREQUEST"}},
    /* 401/403/498: not authorised; final */
    {"401",        {"EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    {"403",        {"EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    /* 404 (plexsim: code 1020): a poll issues a new code; creating one or the
     * user has no such recovery: PLEX_EGONE ends it */
    {"404",        {"EGONE", "reissue>ok", "EGONE", "EGONE", "reissue>ok", "EGONE"}},
    /* 422: an unexpected status */
    {"422",        {"EHTTP", "EHTTP", "EHTTP", "EHTTP", "EHTTP", "EHTTP"}},
    /* 429 (Retry-After: 1): waited for, then retried */
    {"429",        {"ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok", "ERATELIMIT>ok"}},
    {"498",        {"EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH", "EAUTH"}},
    /* 5xx: back off, retry */
    {"500",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"502",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"503",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    {"504",        {"ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok", "ESERVER>ok"}},
    /* drop: on the first request (a fresh connection) a transport error and a
     * retry; on a kept-alive connection libcurl resends the GET by itself */
    {"drop",       {"ETRANSPORT>ok", "ok", "ok", "ETRANSPORT>ok", "ok", "ok"}},
    /* an answer later than the request timeout */
    {"delay=6000", {"ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok", "ETIMEOUT>ok"}},
    /* half the body, then the connection closes */
    {"truncate",   {"ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok", "ETRANSPORT>ok"}},
    /* 200 with bodies that are not the document: final */
    {"garbage",    {"EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE"}},
    {"huge",       {"ETOOBIG", "ETOOBIG", "ETOOBIG", "ETOOBIG", "ETOOBIG", "ETOOBIG"}},
    {"html",       {"EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE", "EPARSE"}},
};
/* clang-format on */
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* A cell's result, written by its worker into shared memory. */
typedef struct cell {
    char outcome[96];
    long ms;
    int done;         /* the worker wrote its result */
    int fault_missed; /* the armed fault was still pending at the end */
    char detail[256]; /* the last error's message, for a failing cell */
} cell;

#define NCELLS (NROWS * NCOLS)
#define MAX_JOBS 32

/* Shared by the parent and the workers (an anonymous shared mapping). */
typedef struct shared {
    atomic_uint next; /* the next cell to claim */
    cell cells[NCELLS];
    struct {
        volatile int cur;    /* the cell the worker is on, or -1 */
        volatile long since; /* when it started it (now_ms) */
        volatile pid_t sims[2];
    } worker[MAX_JOBS];
} shared;

static const char *cert_dir = ".";

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? ">" : "", s);
}

/* The trail of a sign-in, from its events. */
typedef struct trail {
    char text[96];
} trail;

static int on_event(const plex_login_event *ev, void *payload)
{
    trail *t = payload;
    if (ev->type == PLEX_LOGIN_RETRY)
        append(t->text, sizeof(t->text), flow_errname(ev->error));
    else if (ev->type == PLEX_LOGIN_REISSUED)
        append(t->text, sizeof(t->text), "reissue");
    return 0;
}

static int retryable(int rc)
{
    return rc == PLEX_ESERVER || rc == PLEX_ETRANSPORT || rc == PLEX_ETIMEOUT ||
           rc == PLEX_ECONNECT || rc == PLEX_EDNS || rc == PLEX_ERATELIMIT;
}

/* Percent-encode a query value (plexsim decodes it). */
static void encode(char *out, size_t size, const char *in)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *in && k + 4 < size; in++) {
        unsigned char ch = (unsigned char)*in;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '/' || ch == ',') {
            out[k++] = (char)ch;
        } else {
            out[k++] = '%';
            out[k++] = hex[ch >> 4];
            out[k++] = hex[ch & 15];
        }
    }
    out[k] = '\0';
}

/* Run cell i on the worker's plexsim for its scheme: reset it, arm the fault once, sign in. */
static void run_cell(size_t i, const sim *s, const char *cafile, cell *out)
{
    size_t ri = i / NCOLS;
    int route = (int)(i % NCOLS) % NROUTES;
    char q_route[96], q_seq[64], path[256];
    plex_client_options o;
    plex_client *c = NULL;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    plex_error err;
    trail t;
    char *token = NULL;
    plex_user *u = NULL;
    long t0 = now_ms();
    int rc;

    encode(q_route, sizeof(q_route), routes[route]);
    encode(q_seq, sizeof(q_seq), rows[ri].token);
    snprintf(path, sizeof(path), "/__sim/fault?route=%s&seq=%s", q_route, q_seq);
    if (sim_control(s, "POST", "/__sim/reset", NULL, cafile) != 200 ||
        sim_control(s, "POST", path, NULL, cafile) != 200) {
        snprintf(out->outcome, sizeof(out->outcome), "SETUP");
        snprintf(out->detail, sizeof(out->detail), "plexsim refused the fault %s", q_seq);
        out->done = 1;
        return;
    }

    memset(&t, 0, sizeof(t));
    flow_client_options(&o, s->url, cafile, REQUEST_TIMEOUT_MS);
    o.max_response_size = MAX_RESPONSE;
    if ((rc = plex_client_new(&c, &o, &err)) != 0) {
        snprintf(out->outcome, sizeof(out->outcome), "client:%s", flow_errname(rc));
        snprintf(out->detail, sizeof(out->detail), "%s", err.message);
        out->done = 1;
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
            if (rc != 0 && retryable(rc)) {
                const plex_error *e = plex_client_last_error(c);
                append(t.text, sizeof(t.text), flow_errname(rc));
                if (rc == PLEX_ERATELIMIT && e->retry_after > 0)
                    sleep((unsigned)e->retry_after);
                rc = plex_user_get(&u, c);
            }
            if (rc == 0 && (!u || !u->username || strcmp(u->username, "plexsim") != 0))
                rc = PLEX_ESCHEMA;
        }
    }
    append(t.text, sizeof(t.text), flow_errname(rc));
    snprintf(out->outcome, sizeof(out->outcome), "%s", t.text);
    if (rc != 0)
        snprintf(out->detail, sizeof(out->detail), "%s", plex_client_last_error(c)->message);
    out->fault_missed = sim_stat(s, "faults_pending", cafile) != 0;
    out->ms = now_ms() - t0;
    plex_user_free(u);
    plex_free(token);
    plex_client_free(c);
    out->done = 1;
}

/* A worker process: an http and an https plexsim, then cells until none is left. */
static void worker(shared *sh, int w)
{
    char cert[512], key[512], ca[512];
    sim web, tls;

    snprintf(cert, sizeof(cert), "%s/server.pem", cert_dir);
    snprintf(key, sizeof(key), "%s/server.key", cert_dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", cert_dir);
    sim_start(&web, "--approve-after", "2", "--max-seconds", "900", NULL);
    sh->worker[w].sims[0] = web.pid;
    sim_start(&tls, "--approve-after", "2", "--max-seconds", "900", "--tls-cert", cert, "--tls-key",
              key, NULL);
    sh->worker[w].sims[1] = tls.pid;
    for (;;) {
        unsigned i = atomic_fetch_add(&sh->next, 1u);
        int https;
        if (i >= NCELLS)
            break;
        https = (int)(i % NCOLS) / NROUTES;
        sh->worker[w].since = now_ms();
        sh->worker[w].cur = (int)i;
        run_cell(i, https ? &tls : &web, https ? ca : NULL, &sh->cells[i]);
        sh->worker[w].cur = -1;
    }
    sim_stop(&web);
    sim_stop(&tls);
}

static pid_t spawn(shared *sh, int w)
{
    pid_t p;

    sh->worker[w].cur = -1;
    sh->worker[w].sims[0] = sh->worker[w].sims[1] = 0;
    fflush(NULL);
    p = fork();
    REQUIRE(p >= 0);
    if (p == 0) {
        worker(sh, w);
        plex_global_cleanup();
        exit(0); /* exit, not _exit: an ASan build checks for leaks here */
    }
    return p;
}

int main(int argc, char **argv)
{
    size_t i;
    shared *sh;
    pid_t pids[MAX_JOBS];
    int jobs = 8, live = 0, failed_cells = 0, worker_failures = 0;
    const char *env = getenv("FAULT_MATRIX_JOBS");
    long t0 = now_ms();

    if (argc > 1)
        cert_dir = argv[1];
    if (env && atoi(env) > 0)
        jobs = atoi(env) < MAX_JOBS ? atoi(env) : MAX_JOBS;
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(sh != MAP_FAILED);
    memset(sh, 0, sizeof(*sh));
    atomic_init(&sh->next, 0u);
    REQUIRE(plex_global_init() == 0);

    /* the workers; one that dies is replaced while cells are left */
    for (int w = 0; w < jobs; w++) {
        pids[w] = spawn(sh, w);
        live++;
    }
    while (live > 0) {
        int st, w;
        pid_t p = waitpid(-1, &st, WNOHANG);

        if (p == 0) {
            /* kill a worker stuck on a cell */
            for (w = 0; w < jobs; w++) {
                int cur = sh->worker[w].cur;
                if (pids[w] > 0 && cur >= 0 && now_ms() - sh->worker[w].since > CELL_LIMIT_MS) {
                    snprintf(sh->cells[cur].outcome, sizeof(sh->cells[cur].outcome), "HANG");
                    kill(pids[w], SIGKILL);
                }
            }
            usleep(20000);
            continue;
        }
        REQUIRE(p > 0);
        for (w = 0; w < jobs && pids[w] != p; w++)
            ;
        if (w == jobs)
            continue; /* not a worker */
        pids[w] = 0;
        live--;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            continue;
        /* the worker died: its cell failed, its plexsims go too */
        {
            int cur = sh->worker[w].cur;
            char what[48];
            if (WIFSIGNALED(st))
                snprintf(what, sizeof(what), "CRASH(signal %d)", WTERMSIG(st));
            else
                snprintf(what, sizeof(what), "EXIT(%d)", WEXITSTATUS(st));
            if (cur >= 0) {
                if (strcmp(sh->cells[cur].outcome, "HANG") != 0)
                    snprintf(sh->cells[cur].outcome, sizeof(sh->cells[cur].outcome), "%s", what);
                sh->cells[cur].done = 0;
            } else {
                /* between cells or at exit (under ASan: leaks) */
                fprintf(stderr, "worker %d: %s after its last cell\n", w, what);
                worker_failures++;
            }
            for (int k = 0; k < 2; k++) /* the worker's children: init reaps them */
                if (sh->worker[w].sims[k] > 0)
                    kill(sh->worker[w].sims[k], SIGTERM);
        }
        if (atomic_load(&sh->next) < NCELLS) {
            pids[w] = spawn(sh, w);
            live++;
        }
    }
    test_checks++;
    if (worker_failures)
        test_failures++;

    /* the matrix */
    {
        cell *cells = sh->cells;
        size_t ncells = NCELLS;
        int w = 8;
        for (i = 0; i < ncells; i++)
            if ((int)strlen(cells[i].outcome) + 1 > w)
                w = (int)strlen(cells[i].outcome) + 1;
        for (i = 0; i < NROWS; i++)
            for (int col = 0; col < NCOLS; col++)
                if ((int)strlen(rows[i].expect[col]) + 1 > w)
                    w = (int)strlen(rows[i].expect[col]) + 1;
        printf("\nfault matrix: outcome of a whole sign-in + user get with the fault armed once\n");
        printf("(X>ok: retried after X, then ok; a mismatch shows as GOT!=EXPECTED and fails)\n\n");
        printf("%-11s", "token");
        for (int col = 0; col < NCOLS; col++) {
            char head[32];
            snprintf(head, sizeof(head), "%s/%s", route_short[col % NROUTES],
                     col / NROUTES ? "https" : "http");
            printf(" %-*s", w, head);
        }
        printf("\n");
        for (i = 0; i < NROWS; i++) {
            printf("%-11s", rows[i].token);
            for (int col = 0; col < NCOLS; col++) {
                const cell *c = &cells[i * NCOLS + (size_t)col];
                const char *want = rows[i].expect[col];
                char shown[256];
                int ok = c->done && !c->fault_missed && strcmp(c->outcome, want) == 0;
                if (ok)
                    snprintf(shown, sizeof(shown), "%.95s", c->outcome);
                else
                    snprintf(shown, sizeof(shown), "%.95s%s!=%s", c->outcome,
                             c->fault_missed ? "(fault not hit)" : "", want);
                printf(" %-*s", w, shown);
                test_checks++;
                if (!ok) {
                    test_failures++;
                    failed_cells++;
                }
            }
            printf("\n");
        }
        printf("\n%zu cells, %d failed, %.1f s with %d worker processes\n", ncells, failed_cells,
               (double)(now_ms() - t0) / 1000.0, jobs);
        for (i = 0; i < ncells; i++) {
            const cell *c = &cells[i];
            const char *want = rows[i / NCOLS].expect[i % NCOLS];
            if (!c->done || c->fault_missed || strcmp(c->outcome, want) != 0)
                fprintf(stderr, "cell %s on %s/%s: got %s, expected %s (%ld ms) %s\n",
                        rows[i / NCOLS].token, route_short[i % NCOLS % NROUTES],
                        i % NCOLS / NROUTES ? "https" : "http", c->outcome, want, c->ms, c->detail);
        }
    }
    plex_global_cleanup();
    munmap(sh, sizeof(*sh));
    return test_summary("test_fault_matrix");
}

/*
 * Test helper shared by the fault matrices (test_fault_matrix.c: the PIN
 * sign-in; test_fault_matrix_jwt.c: the JWT device flow): a table of cells,
 * rows x {http, https} x columns, run in parallel worker processes, each with
 * its own http and https plexsim (the test CA of make_certs.sh), and printed
 * as one table per scheme.
 *
 * A test describes its matrix in a matrix_spec and calls matrix_main(). Cell
 * (row, https, col) has index (row * 2 + https) * ncols + col; its expected
 * outcome is the same for http and https. The test's run() writes the
 * outcome into the cell (in shared memory). A cell fails when its outcome
 * differs from the expected one, when the armed fault was never consumed
 * (fault_missed), or when its worker crashed on it (CRASH, EXIT) or was
 * killed after cell_limit_ms (HANG); the worker is then replaced. A worker
 * that exits non-zero after its last cell (under ASan: a leak) fails the test.
 *
 * FAULT_MATRIX_JOBS worker processes (default 8).
 *
 * A worker's two plexsims are started by MATRIX_SIM_START (sim_start; define
 * it as sim_start_pms before including this file for the media server's).
 */
#ifndef PLEX_TEST_MATRIX_H
#define PLEX_TEST_MATRIX_H

#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <plex/plex.h>

#include "flow.h"
#include "sim.h"
#include "test.h"

#define MATRIX_MAX_JOBS 32

#ifndef MATRIX_SIM_START
#define MATRIX_SIM_START sim_start
#endif

/* A cell's result, written by its worker into shared memory. */
typedef struct matrix_cell {
    char outcome[96];
    long ms;
    int done;         /* the worker wrote its result */
    int fault_missed; /* the armed fault was still pending at the end */
    char detail[256]; /* the last error's message (or warning), for a failing cell */
} matrix_cell;

typedef struct matrix_spec {
    const char *name;  /* for test_summary */
    const char *title; /* printed above the tables (lines end with '\n') */
    size_t nrows, ncols;
    const char *(*row_name)(size_t row); /* the fault token */
    const char *(*col_name)(size_t col);
    const char *(*expect)(size_t row, size_t col);
    long cell_limit_ms;
    /* In a worker: state made once before its cells (or NULL), each cell,
     * and the state's end (may be NULL). */
    void *(*worker_begin)(void);
    void (*run)(size_t row, size_t col, const sim *s, const char *cafile, void *state,
                matrix_cell *out);
    void (*worker_end)(void *state);
} matrix_spec;

/* Shared by the parent and the workers (an anonymous shared mapping). */
typedef struct matrix_shared {
    atomic_uint next; /* the next cell to claim */
    struct {
        volatile int cur;    /* the cell the worker is on, or -1 */
        volatile long since; /* when it started it (matrix_now_ms) */
        volatile pid_t sims[2];
    } worker[MATRIX_MAX_JOBS];
    matrix_cell cells[];
} matrix_shared;

static inline long matrix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append ">s" to a trail ("s" when it is empty). */
static inline void matrix_append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? ">" : "", s);
}

/* The errors an application would retry a single request after. */
static inline int matrix_retryable(int rc)
{
    return rc == PLEX_ESERVER || rc == PLEX_ETRANSPORT || rc == PLEX_ETIMEOUT ||
           rc == PLEX_ECONNECT || rc == PLEX_EDNS || rc == PLEX_ERATELIMIT;
}

/* Percent-encode a query value (plexsim decodes it). */
static inline void matrix_encode(char *out, size_t size, const char *in)
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

/* Arm the fault sequence seq once on route ("GET /api/v2/user"); 0 when
 * plexsim took it. */
static inline int matrix_arm(const sim *s, const char *cafile, const char *route, const char *seq)
{
    char r[96], q[96], path[256];
    matrix_encode(r, sizeof(r), route);
    matrix_encode(q, sizeof(q), seq);
    snprintf(path, sizeof(path), "/__sim/fault?route=%s&seq=%s", r, q);
    return sim_control(s, "POST", path, NULL, cafile) == 200 ? 0 : -1;
}

/* End a cell that could not be set up. */
static inline void matrix_setup_failed(matrix_cell *out, const char *outcome, const char *why)
{
    snprintf(out->outcome, sizeof(out->outcome), "%s", outcome);
    snprintf(out->detail, sizeof(out->detail), "%s", why);
    out->done = 1;
}

static inline size_t matrix_ncells(const matrix_spec *m)
{
    return m->nrows * 2 * m->ncols;
}

/* A worker process: an http and an https plexsim, then cells until none is left. */
static inline void matrix_worker(const matrix_spec *m, matrix_shared *sh, int w,
                                 const char *cert_dir)
{
    char cert[512], key[512], ca[512];
    void *state = m->worker_begin ? m->worker_begin() : NULL;
    sim web, tls;

    snprintf(cert, sizeof(cert), "%s/server.pem", cert_dir);
    snprintf(key, sizeof(key), "%s/server.key", cert_dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", cert_dir);
    MATRIX_SIM_START(&web, "--approve-after", "2", "--max-seconds", "900", NULL);
    sh->worker[w].sims[0] = web.pid;
    MATRIX_SIM_START(&tls, "--approve-after", "2", "--max-seconds", "900", "--tls-cert", cert,
                     "--tls-key", key, NULL);
    sh->worker[w].sims[1] = tls.pid;
    for (;;) {
        unsigned i = atomic_fetch_add(&sh->next, 1u);
        size_t row, col;
        int https;
        if (i >= matrix_ncells(m))
            break;
        row = i / (2 * m->ncols);
        https = (int)(i / m->ncols % 2);
        col = i % m->ncols;
        sh->worker[w].since = matrix_now_ms();
        sh->worker[w].cur = (int)i;
        m->run(row, col, https ? &tls : &web, https ? ca : NULL, state, &sh->cells[i]);
        sh->worker[w].cur = -1;
    }
    if (m->worker_end)
        m->worker_end(state);
    sim_stop(&web);
    sim_stop(&tls);
}

static inline pid_t matrix_spawn(const matrix_spec *m, matrix_shared *sh, int w,
                                 const char *cert_dir)
{
    pid_t p;

    sh->worker[w].cur = -1;
    sh->worker[w].sims[0] = sh->worker[w].sims[1] = 0;
    fflush(NULL);
    p = fork();
    REQUIRE(p >= 0);
    if (p == 0) {
        matrix_worker(m, sh, w, cert_dir);
        plex_global_cleanup();
        exit(0); /* exit, not _exit: an ASan build checks for leaks here */
    }
    return p;
}

/* Run every cell in `jobs` workers; a worker that dies is replaced. Returns
 * the number of workers that failed outside a cell. */
static inline int matrix_run_all(const matrix_spec *m, matrix_shared *sh, int jobs,
                                 const char *cert_dir)
{
    pid_t pids[MATRIX_MAX_JOBS];
    int live = 0, failures = 0;

    for (int w = 0; w < jobs; w++, live++)
        pids[w] = matrix_spawn(m, sh, w, cert_dir);
    while (live > 0) {
        int st, w, cur;
        pid_t p = waitpid(-1, &st, WNOHANG);

        if (p == 0) {
            for (w = 0; w < jobs; w++) { /* kill a worker stuck on a cell */
                cur = sh->worker[w].cur;
                if (pids[w] > 0 && cur >= 0 &&
                    matrix_now_ms() - sh->worker[w].since > m->cell_limit_ms) {
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
        cur = sh->worker[w].cur;
        if (cur >= 0) {
            matrix_cell *c = &sh->cells[cur];
            if (strcmp(c->outcome, "HANG") != 0)
                snprintf(c->outcome, sizeof(c->outcome),
                         WIFSIGNALED(st) ? "CRASH(signal %d)" : "EXIT(%d)",
                         WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            c->done = 0;
        } else {
            /* between cells or at exit (under ASan: leaks) */
            fprintf(stderr, "worker %d: status %d after its last cell\n", w, st);
            failures++;
        }
        for (int k = 0; k < 2; k++) /* the worker's children: init reaps them */
            if (sh->worker[w].sims[k] > 0)
                kill(sh->worker[w].sims[k], SIGTERM);
        if (atomic_load(&sh->next) < matrix_ncells(m)) {
            pids[w] = matrix_spawn(m, sh, w, cert_dir);
            live++;
        }
    }
    return failures;
}

static inline int matrix_cell_ok(const matrix_cell *c, const char *want)
{
    return c->done && !c->fault_missed && strcmp(c->outcome, want) == 0;
}

/* Print the table of one scheme, counting its cells as checks; returns the
 * failed cells. */
static inline int matrix_print(const matrix_spec *m, const matrix_shared *sh, int https)
{
    int w = 8, failed = 0;

    for (size_t i = 0; i < matrix_ncells(m); i++)
        if ((int)strlen(sh->cells[i].outcome) + 1 > w)
            w = (int)strlen(sh->cells[i].outcome) + 1;
    for (size_t r = 0; r < m->nrows; r++)
        for (size_t col = 0; col < m->ncols; col++)
            if ((int)strlen(m->expect(r, col)) + 1 > w)
                w = (int)strlen(m->expect(r, col)) + 1;
    printf("\n%s\n%-11s", https ? "https" : "http", "token");
    for (size_t col = 0; col < m->ncols; col++)
        printf(" %-*s", w, m->col_name(col));
    printf("\n");
    for (size_t r = 0; r < m->nrows; r++) {
        printf("%-11s", m->row_name(r));
        for (size_t col = 0; col < m->ncols; col++) {
            const matrix_cell *c = &sh->cells[(r * 2 + (size_t)https) * m->ncols + col];
            const char *want = m->expect(r, col);
            char shown[256];
            int ok = matrix_cell_ok(c, want);
            if (ok)
                snprintf(shown, sizeof(shown), "%.95s", c->outcome);
            else
                snprintf(shown, sizeof(shown), "%.95s%s!=%s", c->outcome,
                         c->fault_missed ? "(fault not hit)" : "", want);
            printf(" %-*s", w, shown);
            test_checks++;
            if (!ok) {
                test_failures++;
                failed++;
            }
        }
        printf("\n");
    }
    return failed;
}

/* The test's main: argv[1] is the directory of make_certs.sh's files. */
static inline int matrix_main(const matrix_spec *m, int argc, char **argv)
{
    const char *cert_dir = argc > 1 ? argv[1] : ".";
    const char *env = getenv("FAULT_MATRIX_JOBS");
    size_t ncells = matrix_ncells(m), size = sizeof(matrix_shared) + ncells * sizeof(matrix_cell);
    matrix_shared *sh;
    int jobs = 8, failed;
    long t0 = matrix_now_ms();

    if (env && atoi(env) > 0)
        jobs = atoi(env) < MATRIX_MAX_JOBS ? atoi(env) : MATRIX_MAX_JOBS;
    sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(sh != MAP_FAILED);
    memset(sh, 0, size);
    atomic_init(&sh->next, 0u);
    REQUIRE(plex_global_init() == 0);

    test_checks++;
    if (matrix_run_all(m, sh, jobs, cert_dir))
        test_failures++;

    printf("\n%s", m->title);
    failed = matrix_print(m, sh, 0);
    failed += matrix_print(m, sh, 1);
    printf("\n%zu cells, %d failed, %.1f s with %d worker processes\n", ncells, failed,
           (double)(matrix_now_ms() - t0) / 1000.0, jobs);
    fflush(stdout);
    for (size_t i = 0; i < ncells; i++) {
        const matrix_cell *c = &sh->cells[i];
        size_t r = i / (2 * m->ncols), col = i % m->ncols;
        const char *want = m->expect(r, col);
        if (!matrix_cell_ok(c, want))
            fprintf(stderr, "cell %s on %s/%s: got %s, expected %s (%ld ms) %s\n", m->row_name(r),
                    m->col_name(col), i / m->ncols % 2 ? "https" : "http", c->outcome, want, c->ms,
                    c->detail);
    }
    plex_global_cleanup();
    munmap(sh, size);
    return test_summary(m->name);
}

#endif

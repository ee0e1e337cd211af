/*
 * Allocation-failure injection over a whole sign-in against plexsim (issue 7):
 * client create, plex_login_wait (interval 0, plexsim approves on the 2nd
 * poll), set the token, plex_user_get, frees. First a clean run counts the
 * allocations; then, for every N from 1 to that total, the run is repeated
 * with the Nth allocation failing. Every run must end cleanly: each step
 * either succeeds or fails with a documented error (PLEX_ENOMEM for the
 * library's own allocations) and leaves nothing half-done: the failed step is
 * tried once more (the injection has fired, so it must succeed now: the
 * client is still usable), and everything is freed. Leaks and crashes are
 * for ASan/valgrind to see (ctest -T memcheck runs this test).
 *
 * Two kinds of sweep, each run against an http and an https plexsim (the
 * test CA of make_certs.sh), so four sweeps:
 *   libplex's allocations (plex__alloc_fail_at, src/lib/alloc.c);
 *   libcurl's allocations (allocfail.h): the test installs counting hooks with
 *      curl_global_init_mem() before plex_global_init() (which then only
 *      takes a reference), so the Nth allocation libcurl makes can fail too.
 *      The hooks also count libcurl's live allocations, so a run that leaves
 *      any behind is caught even without a leak checker.
 * Not covered: OpenSSL's own allocations (libssl/libcrypto have their own
 * allocator, CRYPTO_set_mem_functions, which libplex cannot see and the
 * process may share) and the C library's.
 * A few libplex failures are absorbed by design: the copy of the path the log
 * shows (one per request) falls back to "?".
 *
 * A libcurl allocation failure during a transfer comes back as a transfer
 * error, which the sign-in treats as retryable (PLEX_LOGIN_RETRY with a 2 s
 * back-off): the test cancels at the first retry event, records the error,
 * and then checks that a second sign-in on the same client succeeds.
 *
 * usage: test_alloc_signin CERT_DIR [STRIDE]   (PLEXSIM names the emulator binary)
 *   STRIDE (default 1; also $ALLOC_SIGNIN_STRIDE) tests every STRIDE-th N
 *   of the libcurl sweeps only; the libplex sweeps always test every N.
 *   ALLOC_SIGNIN_VERBOSE=1 prints the outcome of every N.
 */
#include <plex/plex.h>

#include "allocfail.h"
#include "flow.h"
#include "sim.h"
#include "test.h"

/*
 * Library bugs this test found, now fixed and held to by it (src/lib/http.c):
 *   B1  plex__url_is_loopback() answered "not loopback" when libcurl ran out
 *       of memory, so plex_client_new() failed with PLEX_EINVALID instead of
 *       PLEX_ENOMEM.
 *   B2  ensure_handles() leaked the multi handle when curl_easy_init() failed
 *       after curl_multi_init() succeeded.
 *   B3  ensure_handles() kept a half-configured easy handle when a
 *       curl_easy_setopt() failed: later requests went without the user
 *       agent, compression and the CA file (over https: PLEX_ETLS forever).
 */
/* ---- one run ---- */

typedef struct run {
    int failed_step; /* index into step_names of the first step that failed, or -1 */
    int failed_rc;   /* its result (a login cancelled at a retry: the retry's error) */
    int retried;     /* the login failure was a retry event */
    int bad;         /* something was not clean: the reason was printed */
} run;

static const char *const step_names[] = {"client_new", "login", "set_token", "user_get"};

/* Is rc an acceptable first failure of a step, for this sweep? */
static int clean_error(int sweep, int rc)
{
    if (rc == PLEX_ENOMEM)
        return 1;
    /* libcurl out of memory: libplex maps CURLE_OUT_OF_MEMORY to PLEX_ENOMEM,
     * but libcurl does not always say so: a failed curl_multi_*() call is
     * PLEX_ERROR, an allocation failing inside a transfer can end it as
     * another transfer error (PLEX_ETRANSPORT), and a failed allocation while
     * resolving the host is CURLE_COULDNT_RESOLVE_HOST (PLEX_EDNS), even for a
     * numeric address. */
    return sweep == SWEEP_CURL && (rc == PLEX_ERROR || rc == PLEX_ETRANSPORT || rc == PLEX_EDNS);
}

static void note_failure(run *r, int step, int rc)
{
    if (r->failed_step < 0) {
        r->failed_step = step;
        r->failed_rc = rc;
    }
}

/* The whole sign-in under injection `n` of `sweep` (n = 0: count only). */
static void run_signin(const sim *s, const char *ca, int sweep, unsigned long n, run *r)
{
    plex_client_options o;
    plex_client *c = NULL;
    plex_error err;
    flow_events e;
    char *token = NULL;
    plex_user *u = NULL;
    int rc, tries, token_set;

    memset(r, 0, sizeof(*r));
    r->failed_step = -1;
    flow_client_options(&o, s->url, ca, 10000);

    /* 1. the client */
    for (tries = 0; tries < 2; tries++) {
        rc = plex_client_new(&c, &o, &err);
        if (rc == 0)
            break;
        if (c != NULL) {
            fprintf(stderr, "N=%lu: plex_client_new failed but set the client\n", n);
            r->bad = 1;
        }
        if (err.code != rc) {
            fprintf(stderr, "N=%lu: plex_client_new: err.code %d, returned %d\n", n, err.code, rc);
            r->bad = 1;
        }
        note_failure(r, 0, rc);
        if (tries == 0 && !clean_error(sweep, rc))
            r->bad = 1;
    }
    if (rc != 0) {
        fprintf(stderr, "N=%lu: plex_client_new failed twice: %s (%s)\n", n, flow_errname(rc),
                err.message);
        r->bad = 1;
        return;
    }

    /* 2. the sign-in; a retry event cancels it (no 2 s back-off wait) */
    for (tries = 0; tries < 2; tries++) {
        memset(&e, 0, sizeof(e));
        e.cancel_on_retry = 1;
        rc = flow_login(c, &token, &e, 20000);
        if (rc == 0)
            break;
        if (token != NULL) {
            fprintf(stderr, "N=%lu: the sign-in failed but set the token\n", n);
            r->bad = 1;
        }
        if (plex_client_last_error(c)->code != rc) {
            fprintf(stderr, "N=%lu: sign-in returned %s, last error says %s\n", n, flow_errname(rc),
                    flow_errname(plex_client_last_error(c)->code));
            r->bad = 1;
        }
        if (rc == PLEX_ECANCELLED && e.retries > 0) {
            if (r->failed_step < 0)
                r->retried = 1;
            rc = e.retry_errors[0];
        }
        note_failure(r, 1, rc);
        if (tries == 0 && !clean_error(sweep, rc))
            r->bad = 1;
    }
    if (rc != 0) {
        fprintf(stderr, "N=%lu: the sign-in failed twice: %s (%s)\n", n, flow_errname(rc),
                plex_client_last_error(c)->message);
        r->bad = 1;
        plex_client_free(c);
        return;
    }
    if (e.codes != 1 || e.approved != 1) {
        fprintf(stderr, "N=%lu: sign-in events: %d codes, %d approved\n", n, e.codes, e.approved);
        r->bad = 1;
    }

    /* 3. the token */
    for (tries = 0; tries < 2 && (rc = plex_client_set_token(c, token)) != 0; tries++) {
        note_failure(r, 2, rc);
        if (tries == 0 && rc != PLEX_ENOMEM)
            r->bad = 1;
    }
    if (rc != 0) {
        fprintf(stderr, "N=%lu: plex_client_set_token failed twice: %s\n", n, flow_errname(rc));
        r->bad = 1;
    }
    token_set = rc == 0;

    /* 4. the account */
    for (tries = 0; token_set && tries < 2; tries++) {
        rc = plex_user_get(&u, c);
        if (rc == 0)
            break;
        if (u != NULL) {
            fprintf(stderr, "N=%lu: plex_user_get failed but set the user\n", n);
            r->bad = 1;
        }
        note_failure(r, 3, rc);
        if (tries == 0 && !clean_error(sweep, rc))
            r->bad = 1;
    }
    if (rc != 0) {
        fprintf(stderr, "N=%lu: plex_user_get failed twice: %s (%s)\n", n, flow_errname(rc),
                plex_client_last_error(c)->message);
        r->bad = 1;
    } else if (!u || !u->username || strcmp(u->username, "plexsim") != 0) {
        fprintf(stderr, "N=%lu: the user is not plexsim's\n", n);
        r->bad = 1;
    }
    plex_user_free(u);
    plex_free(token);
    plex_client_free(c);
}

static int verbose;

/* Count, then fail each allocation in turn. Returns the total counted. */
static unsigned long sweep(const sim *s, const char *ca, int which, unsigned long stride)
{
    char name[32];
    unsigned long total = 0, lo = (unsigned long)-1, got, n, tested = 0;
    alloc_tally t[32];
    size_t nt = 0;
    long t0 = alloc_now_ms(), live0;
    run r;

    snprintf(name, sizeof(name), "%s/%s", which == SWEEP_PLEX ? "libplex" : "libcurl",
             ca ? "https" : "http");

    /* the clean run, three times: the count may vary a little with timing */
    for (int i = 0; i < 3; i++) {
        REQUIRE(sim_control(s, "POST", "/__sim/reset", NULL, ca) == 200);
        live0 = alloc_curl_live;
        alloc_arm(which, 0);
        run_signin(s, ca, which, 0, &r);
        got = alloc_disarm(which);
        CHECK(!r.bad);
        CHECK_INT(r.failed_step, -1);
        CHECK_INT(alloc_curl_live, live0);
        if (got > total)
            total = got;
        if (got < lo)
            lo = got;
    }
    REQUIRE(total > 0);

    for (n = 1; n <= total; n += stride) {
        char what[64];

        REQUIRE(sim_control(s, "POST", "/__sim/reset", NULL, ca) == 200);
        live0 = alloc_curl_live;
        alloc_arm(which, n);
        run_signin(s, ca, which, n, &r);
        got = alloc_disarm(which);
        tested++;
        if (r.bad) {
            test_failures++;
            fprintf(stderr, "%s sweep: allocation %lu of %lu: not clean (above)\n", name, n, total);
        }
        test_checks++;
        if (alloc_curl_live != live0) {
            test_failures++;
            fprintf(stderr, "%s sweep: allocation %lu: libcurl has %ld allocations more\n", name, n,
                    alloc_curl_live - live0);
        }
        if (r.failed_step < 0)
            snprintf(what, sizeof(what), "%s", got < n ? "not reached" : "absorbed (ok)");
        else
            snprintf(what, sizeof(what), "%s %s%s", step_names[r.failed_step],
                     r.retried ? "retry " : "", flow_errname(r.failed_rc));
        alloc_tally_add(t, sizeof(t) / sizeof(t[0]), &nt, what);
        if (verbose)
            printf("  %s N=%lu: %s\n", name, n, what);
    }
    printf("%s sweep: a sign-in makes %lu allocations (%lu..%lu over 3 runs); "
           "tested %lu failure points (stride %lu) in %.1f s:\n",
           name, total, lo, total, tested, stride, (double)(alloc_now_ms() - t0) / 1000.0);
    for (size_t i = 0; i < nt; i++)
        printf("  %6lu  %s\n", t[i].count, t[i].what);
    return total;
}

int main(int argc, char **argv)
{
    sim web, tls;
    unsigned long stride = 1;
    const char *dir = argc > 1 ? argv[1] : ".", *env = getenv("ALLOC_SIGNIN_STRIDE");
    char cert[512], key[512], ca[512];

    if (argc > 2)
        stride = strtoul(argv[2], NULL, 10);
    else if (env && *env)
        stride = strtoul(env, NULL, 10);
    if (stride < 1)
        stride = 1;
    verbose = getenv("ALLOC_SIGNIN_VERBOSE") != NULL;
    snprintf(cert, sizeof(cert), "%s/server.pem", dir);
    snprintf(key, sizeof(key), "%s/server.key", dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
    /* before anything else touches libcurl: its allocations go through the hooks */
    alloc_curl_hooks();
    REQUIRE(plex_global_init() == 0);
    sim_start(&web, "--approve-after", "2", "--max-seconds", "1800", NULL);
    sim_start(&tls, "--approve-after", "2", "--max-seconds", "1800", "--tls-cert", cert,
              "--tls-key", key, NULL);

    sweep(&web, NULL, SWEEP_PLEX, 1);
    sweep(&tls, ca, SWEEP_PLEX, 1);
    sweep(&web, NULL, SWEEP_CURL, stride);
    sweep(&tls, ca, SWEEP_CURL, stride);

    sim_stop(&web);
    sim_stop(&tls);
    plex_global_cleanup();
    curl_global_cleanup();
    return test_summary("test_alloc_signin");
}

/*
 * A soak (issue 7): 1,000 whole sign-ins in a row against plexsim in one
 * process, with RSS and open file descriptors flat.
 *
 *   half A: 500 sign-ins, each on a new client (created, used, freed);
 *   half B: 500 sign-ins on two clients created once and reused throughout.
 * Both halves alternate between an http and an https plexsim (the test CA of
 * make_certs.sh), so TLS set-up and tear-down are soaked as well. A sign-in is
 * plex_login_wait (interval 0, approved on the 2nd poll), then plex_user_get
 * with the token.
 *
 * RSS (/proc/self/statm) and the open descriptors (/proc/self/fd) are taken
 * after a warm-up of 50 sign-ins and at the end of each half. The test fails
 * if the descriptors changed at all, or RSS grew by more than RSS_BOUND_KIB,
 * within a half; and if, once the reused clients are freed, the descriptors
 * are not back to the count of half A. Under AddressSanitizer RSS is printed
 * but not checked (its quarantine holds on to freed memory by design).
 *
 * usage: test_soak CERT_DIR [SIGNINS_PER_HALF]   (PLEXSIM names the emulator binary)
 */
#include <time.h>
#include <unistd.h>

#include <plex/plex.h>

#include "flow.h"
#include "sim.h"
#include "test.h"

#define WARMUP 50
#define RSS_BOUND_KIB 256

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static plex_client *new_client(const sim *s, const char *ca)
{
    plex_client_options o;
    plex_client *c = NULL;
    plex_error err;

    flow_client_options(&o, s->url, ca, 10000);
    if (plex_client_new(&c, &o, &err) != 0) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(1);
    }
    return c;
}

/* One sign-in and user get on c; 0 or the failing code (printed). */
static int signin(plex_client *c, int i)
{
    flow_events e;
    char *token = NULL;
    plex_user *u = NULL;
    int rc;

    memset(&e, 0, sizeof(e));
    plex_client_set_token(c, NULL);
    rc = flow_login(c, &token, &e, 30000);
    if (rc == 0 && (e.retries != 0 || e.codes != 1 || e.approved != 1))
        rc = PLEX_ERROR;
    if (rc == 0)
        rc = plex_client_set_token(c, token);
    if (rc == 0)
        rc = plex_user_get(&u, c);
    if (rc == 0 && (!u->username || strcmp(u->username, "plexsim") != 0))
        rc = PLEX_ESCHEMA;
    if (rc != 0)
        fprintf(stderr, "sign-in %d: %s (%s; %d retries)\n", i, flow_errname(rc),
                plex_client_last_error(c)->message, e.retries);
    plex_user_free(u);
    plex_free(token);
    return rc;
}

typedef struct sample {
    long rss;
    int fds;
} sample;

static sample take(void)
{
    sample s;
    s.rss = flow_rss_kib();
    s.fds = flow_open_fds();
    return s;
}

static void check_half(const char *name, int n0, sample a, int n1, sample b)
{
    printf("%s: after sign-in %d: RSS %ld KiB, %d fds; after sign-in %d: RSS %ld KiB "
           "(%+ld KiB), %d fds (%+d)\n",
           name, n0, a.rss, a.fds, n1, b.rss, b.rss - a.rss, b.fds, b.fds - a.fds);
    CHECK(a.rss > 0 && a.fds > 0);
    CHECK_INT(b.fds, a.fds);
    if (FLOW_ASAN)
        printf("%s: RSS not checked under AddressSanitizer\n", name);
    else if (b.rss - a.rss > RSS_BOUND_KIB) {
        test_failures++;
        fprintf(stderr, "%s: RSS grew by %ld KiB (bound %d KiB)\n", name, b.rss - a.rss,
                RSS_BOUND_KIB);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int per_half = argc > 2 ? atoi(argv[2]) : 500, failures = 0;
    char cert[512], key[512], ca[512];
    sim web, tls;
    const sim *sims[2] = {&web, &tls};
    const char *cas[2] = {NULL, ca};
    plex_client *reused[2];
    plex_client_stats st;
    sample a0, a1, b0, b1, end;
    long t0, ta, tb;

    REQUIRE(per_half > WARMUP);
    snprintf(cert, sizeof(cert), "%s/server.pem", dir);
    snprintf(key, sizeof(key), "%s/server.key", dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
    REQUIRE(plex_global_init() == 0);
    sim_start(&web, "--approve-after", "2", "--max-seconds", "3600", NULL);
    sim_start(&tls, "--approve-after", "2", "--max-seconds", "3600", "--tls-cert", cert,
              "--tls-key", key, NULL);
    a0 = take(); /* overwritten after the warm-up; keeps the compiler quiet */

    /* half A: a new client per sign-in */
    t0 = now_ms();
    for (int i = 0; i < per_half; i++) {
        plex_client *c = new_client(sims[i % 2], cas[i % 2]);
        if (signin(c, i) != 0)
            failures++;
        plex_client_get_stats(c, &st);
        if (st.connections != 1) {
            fprintf(stderr, "sign-in %d: %lu connections\n", i, st.connections);
            failures++;
        }
        plex_client_free(c);
        if (i + 1 == WARMUP)
            a0 = take();
    }
    a1 = take();
    ta = now_ms() - t0;

    /* half B: two clients, reused */
    reused[0] = new_client(&web, NULL);
    reused[1] = new_client(&tls, ca);
    b0 = take();
    t0 = now_ms();
    for (int i = 0; i < per_half; i++) {
        if (signin(reused[i % 2], per_half + i) != 0)
            failures++;
        if (i + 1 == WARMUP)
            b0 = take();
    }
    b1 = take();
    tb = now_ms() - t0;
    for (int k = 0; k < 2; k++) {
        plex_client_get_stats(reused[k], &st);
        printf("reused %s client: %lu requests on %lu connection(s)\n", k ? "https" : "http",
               st.requests, st.connections);
        CHECK_INT(st.requests, (unsigned long)(per_half / 2 + (k == 0 ? per_half % 2 : 0)) * 4);
        CHECK_INT(st.connections, 1);
        plex_client_free(reused[k]);
    }
    end = take();

    printf("soak: %d sign-ins (+ user get) in %.1f s: half A (new client each) %.1f s, "
           "half B (reused clients) %.1f s\n",
           2 * per_half, (double)(ta + tb) / 1000.0, (double)ta / 1000.0, (double)tb / 1000.0);
    check_half("half A", WARMUP, a0, per_half, a1);
    check_half("half B", per_half + WARMUP, b0, 2 * per_half, b1);
    printf("end: clients freed: RSS %ld KiB, %d fds (half A after warm-up: %d)\n", end.rss, end.fds,
           a0.fds);
    CHECK_INT(end.fds, a0.fds);
    CHECK_INT(failures, 0);
    CHECK_INT(sim_stat(&web, "POST /api/v2/pins", NULL), per_half);
    CHECK_INT(sim_stat(&tls, "POST /api/v2/pins", ca), per_half);

    sim_stop(&web);
    sim_stop(&tls);
    plex_global_cleanup();
    return test_summary("test_soak");
}

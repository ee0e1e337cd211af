/*
 * The sign-in flow end to end against plexsim on 127.0.0.1: normal sign-in on
 * one connection, re-issue after expiry and after 404/1020, Retry-After, every
 * fault token, TLS with the right and the wrong CA, cancel, the step API in a
 * poll() loop, the account operations, and a verbose log free of secrets.
 *
 * usage: test_signin CERT_DIR   (PLEXSIM names the emulator binary)
 */
#include <poll.h>
#include <time.h>

#include <plex/plex.h>

#include "sim.h"
#include "test.h"

static const char *cert_dir = ".";

typedef struct events {
    const sim *s;
    int codes, reissues, ticks, retries, approved;
    int last_error;
    long last_retry_ms;
    char last_code[64];
    int approve_on_code;    /* approve through /__sim/approve when a code is shown */
    int approve_on_reissue; /* ... only once the code was re-issued */
    int cancel_after_ticks; /* return 1 after this many ticks */
} events;

static int on_event(const plex_login_event *ev, void *payload)
{
    events *e = payload;
    char path[160];

    switch (ev->type) {
    case PLEX_LOGIN_CODE:
    case PLEX_LOGIN_REISSUED:
        if (ev->type == PLEX_LOGIN_CODE)
            e->codes++;
        else
            e->reissues++;
        CHECK(ev->code != NULL && ev->url != NULL);
        snprintf(e->last_code, sizeof(e->last_code), "%s", ev->code);
        if (!ev->strong) {
            char want[96];
            snprintf(want, sizeof(want), "https://plex.tv/link/?pin=%s", ev->code);
            CHECK_STR(ev->url, want);
        } else {
            CHECK(strncmp(ev->url, "https://app.plex.tv/auth#?clientID=", 35) == 0);
            CHECK_INT(strlen(ev->code), 25);
        }
        if (e->approve_on_code || (e->approve_on_reissue && ev->type == PLEX_LOGIN_REISSUED)) {
            snprintf(path, sizeof(path), "/__sim/approve?code=%s", ev->code);
            CHECK_INT(sim_control(e->s, "POST", path, NULL, NULL) / 100, 2);
        }
        break;
    case PLEX_LOGIN_TICK:
        e->ticks++;
        if (e->cancel_after_ticks && e->ticks >= e->cancel_after_ticks)
            return 1;
        break;
    case PLEX_LOGIN_RETRY:
        e->retries++;
        e->last_error = ev->error;
        e->last_retry_ms = ev->retry_in_ms;
        break;
    case PLEX_LOGIN_APPROVED:
        e->approved++;
        break;
    }
    return 0;
}

typedef struct logbuf {
    char text[65536];
    size_t len;
} logbuf;

static void on_log(int level, const char *msg, void *payload)
{
    logbuf *b = payload;
    size_t n = strlen(msg);
    (void)level;
    if (b->len + n + 2 < sizeof(b->text)) {
        memcpy(b->text + b->len, msg, n);
        b->len += n;
        b->text[b->len++] = '\n';
        b->text[b->len] = '\0';
    }
}

static plex_client *client_for(const sim *s, const char *ca, long request_timeout_ms, logbuf *log)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_client *c = NULL;
    plex_error err;

    o.client_identifier = "test-signin-0001";
    o.product = "libplex tests";
    o.base_url = s->url;
    o.ca_file = ca;
    o.request_timeout_ms = request_timeout_ms;
    o.connect_timeout_ms = 2000;
    if (log) {
        o.log = on_log;
        o.log_payload = log;
    }
    if (plex_client_new(&c, &o, &err) != 0) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(1);
    }
    return c;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A whole sign-in with the given plexsim arguments; returns the wait's code. */
static int signin(const sim *s, plex_client *c, events *e, long interval_ms, char **token)
{
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    lo.poll_interval_ms = interval_ms;
    lo.on_event = on_event;
    lo.payload = e;
    lo.timeout_ms = 60000;
    e->s = s;
    return plex_login_wait(token, c, &lo);
}

static void test_normal(void)
{
    sim s;
    plex_client *c;
    events e;
    char *token = NULL;
    plex_client_stats st;
    logbuf *log = calloc(1, sizeof(*log));
    plex_user *u = NULL;

    sim_start(&s, "--approve-after", "3", NULL);
    c = client_for(&s, NULL, 0, log);
    memset(&e, 0, sizeof(e));
    CHECK_INT(signin(&s, c, &e, 0, &token), 0);
    REQUIRE(token != NULL);
    CHECK(strlen(token) >= 20);
    CHECK_INT(e.codes, 1);
    CHECK_INT(e.reissues, 0);
    CHECK_INT(e.approved, 1);
    CHECK(e.ticks >= 1);
    plex_client_get_stats(c, &st);
    CHECK_INT(st.requests, 4);    /* 1 create + 3 polls */
    CHECK_INT(st.connections, 1); /* one TCP connection for all of it */
    CHECK_INT(sim_stat(&s, "POST /api/v2/pins", NULL), 1);
    CHECK_INT(sim_stat(&s, "GET /api/v2/pins/{id}", NULL), 3);

    /* the token works, and the log never showed it, the code or the PIN id */
    REQUIRE(plex_client_set_token(c, token) == 0);
    CHECK_INT(plex_user_get(&u, c), 0);
    REQUIRE(u != NULL);
    CHECK(u->username != NULL);
    plex_user_free(u);
    CHECK_INT(plex_ping(c), 0);
    CHECK(strstr(log->text, "POST /api/v2/pins -> 201") != NULL);
    CHECK(strstr(log->text, "GET /api/v2/pins/<redacted> -> 200") != NULL);
    CHECK(strstr(log->text, token) == NULL);
    CHECK(strstr(log->text, e.last_code) == NULL);

    /* sign out: the token stops working */
    CHECK_INT(plex_signout(c), 0);
    CHECK_INT(plex_user_get(&u, c), PLEX_EAUTH);
    CHECK_INT(plex_client_last_error(c)->http_status, 401);
    CHECK_INT(plex_client_last_error(c)->api_code, 1001);
    CHECK(strstr(log->text, token) == NULL);
    plex_free(token);
    plex_client_free(c);
    sim_stop(&s);
    free(log);
}

static void test_strong_and_reissue(void)
{
    sim s;
    plex_client *c;
    events e;
    char *token = NULL;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;

    /* the first code expires after 1 s; the second is approved */
    sim_start(&s, "--approve-after", "0", "--pin-ttl", "1", "--strong-pin-ttl", "1", NULL);
    c = client_for(&s, NULL, 0, NULL);
    memset(&e, 0, sizeof(e));
    e.approve_on_reissue = 1;
    CHECK_INT(signin(&s, c, &e, 100, &token), 0);
    CHECK_INT(e.codes, 1);
    CHECK_INT(e.reissues, 1);
    plex_free(token);

    /* strong codes, and running out of re-issues */
    memset(&e, 0, sizeof(e));
    e.s = &s;
    lo.pin_flags = PLEX_PIN_STRONG;
    lo.poll_interval_ms = 100;
    lo.max_reissues = 1;
    lo.on_event = on_event;
    lo.payload = &e;
    CHECK_INT(plex_login_wait(&token, c, &lo), PLEX_EEXPIRED);
    CHECK(token == NULL);
    CHECK_INT(e.codes, 1);
    CHECK_INT(e.reissues, 1);
    CHECK(strstr(plex_client_last_error(c)->message, "expired") != NULL);
    plex_client_free(c);
    sim_stop(&s);
}

/* 404/1020 from the server (expired early) re-issues a code; the step API in a poll() loop. */
static void test_gone_and_step_api(void)
{
    sim s;
    plex_client *c;
    events e;
    plex_login *l = NULL;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    plex_login_wait_info w;
    int rc, steps = 0, expired = 0;

    sim_start(&s, "--approve-after", "2", NULL);
    c = client_for(&s, NULL, 0, NULL);
    memset(&e, 0, sizeof(e));
    e.s = &s;
    lo.poll_interval_ms = 50;
    lo.on_event = on_event;
    lo.payload = &e;
    REQUIRE(plex_login_new(&l, c, &lo) == 0);
    CHECK(plex_login_token(l) == NULL);
    while ((rc = plex_login_step(l, &w)) == PLEX_EPENDING) {
        struct pollfd p[4];
        steps++;
        CHECK(w.timeout_ms >= 0 && w.timeout_ms <= 1000);
        if (!expired && plex_login_pin(l)) {
            char path[96];
            snprintf(path, sizeof(path), "/__sim/expire?id=%lld", (long long)plex_login_pin(l)->id);
            CHECK_INT(sim_control(&s, "POST", path, NULL, NULL) / 100, 2);
            expired = 1;
        }
        for (int i = 0; i < w.nfds; i++) {
            p[i].fd = w.fds[i];
            p[i].events = (short)(((w.events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                                  ((w.events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
        }
        poll(p, (nfds_t)w.nfds, (int)w.timeout_ms);
    }
    CHECK_INT(rc, 0);
    CHECK(plex_login_token(l) != NULL);
    CHECK_INT(e.codes, 1);
    CHECK_INT(e.reissues, 1); /* the expired PIN answered 404/1020: a new code */
    CHECK(steps > 3);
    plex_login_free(l);
    plex_client_free(c);
    sim_stop(&s);
}

/* One fault on `route`, then normal behaviour: the outcome of the wait.
 * expect_retry_error: the error of the one retry expected, 0 for none, -1 for "don't check". */
static void fault_on(const char *route, const char *fault, long timeout_ms, int expect_rc,
                     int expect_retry_error, long min_ms)
{
    sim s;
    plex_client *c;
    events e;
    char *token = NULL;
    char spec[96];
    struct timespec t0;
    int rc;

    snprintf(spec, sizeof(spec), "%s=%s", route, fault);
    sim_start(&s, "--approve-after", "2", "--fault", spec, NULL);
    c = client_for(&s, NULL, timeout_ms, NULL);
    memset(&e, 0, sizeof(e));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = signin(&s, c, &e, 0, &token);
    if (rc != expect_rc)
        fprintf(stderr, "fault %s: %d (%s)\n", fault, rc, plex_client_last_error(c)->message);
    CHECK_INT(rc, expect_rc);
    if (expect_retry_error > 0 || expect_retry_error < -1) {
        CHECK_INT(e.retries, 1);
        CHECK_INT(e.last_error, expect_retry_error);
    } else if (expect_retry_error == 0) {
        CHECK_INT(e.retries, 0);
    }
    if (min_ms)
        CHECK(elapsed_ms(&t0) >= min_ms);
    plex_free(token);
    plex_client_free(c);
    sim_stop(&s);
}

static void fault_case(const char *fault, long timeout_ms, int expect_rc, int expect_retry_error,
                       long min_ms)
{
    fault_on("GET /api/v2/pins/{id}", fault, timeout_ms, expect_rc, expect_retry_error, min_ms);
}

static void test_faults(void)
{
    /* 429 with Retry-After: 1 is honoured */
    fault_case("429", 0, 0, PLEX_ERATELIMIT, 1000);
    /* 5xx and dropped connections back off 2 s, then succeed */
    fault_case("503", 0, 0, PLEX_ESERVER, 2000);
    fault_case("500", 0, 0, PLEX_ESERVER, 2000);
    /* a dropped poll on the kept-alive connection: libcurl itself resends a safe GET on a
     * fresh connection, so the wait goes on without a visible retry */
    fault_case("drop", 0, 0, -1, 0);
    /* dropped on a fresh connection (the first request): a transport error, back-off */
    fault_on("POST /api/v2/pins", "drop", 0, 0, PLEX_ETRANSPORT, 2000);
    fault_on("POST /api/v2/pins", "503", 0, 0, PLEX_ESERVER, 2000);
    fault_on("POST /api/v2/pins", "429", 0, 0, PLEX_ERATELIMIT, 1000);
    fault_on("POST /api/v2/pins", "garbage", 0, PLEX_EPARSE, 0, 0);
    /* an answer slower than the request timeout: a timeout, then success */
    fault_case("delay=3000", 700, 0, PLEX_ETIMEOUT, 2000);
    /* a truncated body: the connection closes short of Content-Length */
    fault_case("truncate", 0, 0, PLEX_ETRANSPORT, 2000);
    /* bodies that are not a PIN end the wait with their own error */
    fault_case("garbage", 0, PLEX_EPARSE, 0, 0);
    fault_case("400", 0, PLEX_EBADREQUEST, 0, 0);
    fault_case("html", 0, PLEX_EPARSE, 0, 0);
    fault_case("huge", 0, PLEX_ETOOBIG, 0, 0);
    /* 401 ends it too */
    fault_case("401", 0, PLEX_EAUTH, 0, 0);
}

static void test_cancel(void)
{
    sim s;
    plex_client *c;
    events e;
    char *token = NULL;
    struct timespec t0;

    sim_start(&s, "--approve-after", "0", NULL);
    c = client_for(&s, NULL, 0, NULL);
    memset(&e, 0, sizeof(e));
    e.cancel_after_ticks = 2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(signin(&s, c, &e, 200, &token), PLEX_ECANCELLED);
    CHECK(token == NULL);
    CHECK(elapsed_ms(&t0) < 3000);
    plex_client_free(c);
    sim_stop(&s);
}

static void test_tls(void)
{
    char cert[512], key[512], ca[512], wrong_ca[512];
    sim s;
    plex_client *c;
    events e;
    char *token = NULL;
    plex_client_stats st;

    snprintf(cert, sizeof(cert), "%s/server.pem", cert_dir);
    snprintf(key, sizeof(key), "%s/server.key", cert_dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", cert_dir);
    snprintf(wrong_ca, sizeof(wrong_ca), "%s/other-ca.pem", cert_dir);
    sim_start(&s, "--approve-after", "2", "--tls-cert", cert, "--tls-key", key, NULL);
    CHECK(strncmp(s.url, "https://127.0.0.1:", 18) == 0);

    c = client_for(&s, ca, 0, NULL);
    memset(&e, 0, sizeof(e));
    CHECK_INT(signin(&s, c, &e, 0, &token), 0);
    CHECK(token != NULL);
    plex_client_get_stats(c, &st);
    CHECK_INT(st.connections, 1);
    plex_free(token);
    token = NULL;
    plex_client_free(c);

    /* a certificate the client does not trust: a TLS error, at once */
    c = client_for(&s, wrong_ca, 0, NULL);
    memset(&e, 0, sizeof(e));
    CHECK_INT(signin(&s, c, &e, 0, &token), PLEX_ETLS);
    CHECK_INT(e.codes, 0);
    CHECK_INT(e.retries, 0);
    CHECK(strstr(plex_client_last_error(c)->message, "TLS") != NULL);
    plex_client_free(c);
    sim_stop(&s);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        cert_dir = argv[1];
    plex_global_init();
    test_normal();
    test_strong_and_reissue();
    test_gone_and_step_api();
    test_cancel();
    test_tls();
    test_faults();
    plex_global_cleanup();
    return test_summary("test_signin");
}

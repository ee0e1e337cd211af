/*
 * Test helper shared by the sign-in robustness tests (test_alloc_signin,
 * test_fault_matrix, test_soak) and the JWT tests: short names for error
 * codes, a client for a plexsim, and one whole sign-in (plex_login_wait with interval 0) that
 * records what the flow reported on the way.
 */
#ifndef PLEX_TEST_FLOW_H
#define PLEX_TEST_FLOW_H

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <plex/plex.h>

#include "sim.h"
#include "test.h"

/* "ok", "ENOMEM", "ETIMEOUT", ...; "E?<n>" for a code this list does not know. */
static inline const char *flow_errname(int rc)
{
    static char other[24];
    switch (rc) {
    case PLEX_OK:
        return "ok";
    case PLEX_ERROR:
        return "ERROR";
    case PLEX_ENOMEM:
        return "ENOMEM";
    case PLEX_EINVALID:
        return "EINVALID";
    case PLEX_ETRANSPORT:
        return "ETRANSPORT";
    case PLEX_EHTTP:
        return "EHTTP";
    case PLEX_EAUTH:
        return "EAUTH";
    case PLEX_ENOTFOUND:
        return "ENOTFOUND";
    case PLEX_EPARSE:
        return "EPARSE";
    case PLEX_ETIMEOUT:
        return "ETIMEOUT";
    case PLEX_EPENDING:
        return "EPENDING";
    case PLEX_ESCHEMA:
        return "ESCHEMA";
    case PLEX_EDNS:
        return "EDNS";
    case PLEX_ECONNECT:
        return "ECONNECT";
    case PLEX_ETLS:
        return "ETLS";
    case PLEX_EBADREQUEST:
        return "EBADREQUEST";
    case PLEX_EGONE:
        return "EGONE";
    case PLEX_ERATELIMIT:
        return "ERATELIMIT";
    case PLEX_ESERVER:
        return "ESERVER";
    case PLEX_ETOOBIG:
        return "ETOOBIG";
    case PLEX_ECANCELLED:
        return "ECANCELLED";
    case PLEX_EEXPIRED:
        return "EEXPIRED";
    case PLEX_EIO:
        return "EIO";
    case PLEX_EPERM:
        return "EPERM";
    default:
        snprintf(other, sizeof(other), "E?%d", rc);
        return other;
    }
}

/* Options of a test client for a plexsim at url (ca: PEM CA file for https, or NULL). */
static inline void flow_client_options(plex_client_options *o, const char *url, const char *ca,
                                       long request_timeout_ms)
{
    plex_client_options init = PLEX_CLIENT_OPTIONS_INIT;
    *o = init;
    o->client_identifier = "test-flow-0001";
    o->product = "libplex tests";
    o->base_url = url;
    o->ca_file = ca;
    o->request_timeout_ms = request_timeout_ms;
    o->connect_timeout_ms = 5000;
}

/* A new client of the plexsim at url (http), identified as id, with a 10 s
 * request timeout. Exits the test when the client cannot be made. */
static inline plex_client *flow_client(const char *url, const char *id)
{
    plex_client_options o;
    plex_client *c = NULL;
    plex_error err;

    flow_client_options(&o, url, NULL, 10000);
    o.client_identifier = id;
    o.connect_timeout_ms = 2000;
    if (plex_client_new(&c, &o, &err) != 0) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(1);
    }
    return c;
}

/* A Plex JWT through a strong PIN bound to key: pending before the approval
 * (through plexsim's control endpoint), a JWT after it (free()). */
static inline char *flow_jwt_signin(const sim *s, plex_client *c, const plex_jwt_key *key)
{
    plex_pin *p = NULL, *q = NULL;
    char path[160], *tok;

    REQUIRE(plex_jwt_pin_create(&p, c, key) == 0 && p != NULL);
    CHECK_INT(strlen(p->code), 25); /* strong */
    CHECK_INT(plex_jwt_pin_check(&q, c, p->id, key), 0);
    CHECK(q && q->auth_token == NULL);
    plex_pin_free(q);
    q = NULL;
    snprintf(path, sizeof(path), "/__sim/approve?code=%s", p->code);
    CHECK_INT(sim_control(s, "POST", path, NULL, NULL), 200);
    CHECK_INT(plex_jwt_pin_check(&q, c, p->id, key), 0);
    REQUIRE(q && q->auth_token);
    CHECK(plex_jwt_is_jwt(q->auth_token));
    tok = strdup(q->auth_token);
    REQUIRE(tok != NULL);
    plex_pin_free(q);
    plex_pin_free(p);
    return tok;
}

/* What one sign-in reported through its events. */
typedef struct flow_events {
    int codes, reissues, approved, retries;
    int retry_errors[8]; /* the first retries' errors, in order */
    int cancel_on_retry; /* cancel the sign-in at the first retry (no back-off wait) */
} flow_events;

static inline int flow_on_event(const plex_login_event *ev, void *payload)
{
    flow_events *e = payload;

    switch (ev->type) {
    case PLEX_LOGIN_CODE:
        e->codes++;
        break;
    case PLEX_LOGIN_REISSUED:
        e->reissues++;
        break;
    case PLEX_LOGIN_RETRY:
        if (e->retries < 8)
            e->retry_errors[e->retries] = ev->error;
        e->retries++;
        return e->cancel_on_retry;
    case PLEX_LOGIN_APPROVED:
        e->approved++;
        break;
    default:
        break;
    }
    return 0;
}

/* plex_login_wait with interval 0 and an overall limit; events recorded in *e. */
static inline int flow_login(plex_client *c, char **token, flow_events *e, long timeout_ms)
{
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    lo.poll_interval_ms = 0;
    lo.timeout_ms = timeout_ms;
    lo.on_event = flow_on_event;
    lo.payload = e;
    return plex_login_wait(token, c, &lo);
}

/* A media server at url through client c with token and PLEX_SERVER_* flags; exits on failure. */
static inline plex_server *flow_server(plex_client *c, const char *url, const char *token,
                                       unsigned int flags)
{
    plex_server_options o = PLEX_SERVER_OPTIONS_INIT;
    plex_server *s = NULL;

    o.token = token;
    o.flags = flags;
    REQUIRE(plex_server_new(&s, c, url, &o) == 0);
    return s;
}

/* Wait with poll(2) for what a step call asked in w, at most max_ms. */
static inline void flow_poll(const plex_wait_info *w, long max_ms)
{
    struct pollfd p[4];
    long t = w->timeout_ms < max_ms ? w->timeout_ms : max_ms;

    for (int i = 0; i < w->nfds && i < 4; i++) {
        p[i].fd = w->fds[i];
        p[i].events = (short)(((w->events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                              ((w->events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
        p[i].revents = 0;
    }
    (void)poll(p, (nfds_t)(w->nfds < 4 ? w->nfds : 4), (int)(t > 0 ? t : 0));
}

/* Resident set size in KiB (/proc/self/statm), or -1. */
static inline long flow_rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 1 under AddressSanitizer, whose quarantine keeps freed memory (RSS is not
 * a leak measure there). */
#if defined(__SANITIZE_ADDRESS__)
#define FLOW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOW_ASAN 1
#endif
#endif
#ifndef FLOW_ASAN
#define FLOW_ASAN 0
#endif

/* Entries in /proc/self/fd (the directory's own fd included, so comparable). */
static inline int flow_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

#endif

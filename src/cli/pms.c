/*
 * The media server of the media-server commands: --server URL|NAME (or
 * PLEX_SERVER), or the account's only server; failures as exit codes; a
 * listing walked to stdout (table rows or the server's own JSON), and
 * Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "output.h"

/* ---- Ctrl-C ---- */

static volatile sig_atomic_t interrupted;
static int wake_pipe[2] = {-1, -1};

static void on_interrupt(int sig)
{
    int saved = errno;

    (void)sig;
    interrupted = 1;
    if (wake_pipe[1] >= 0 && write(wake_pipe[1], "x", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

void cli_interrupt_catch(void)
{
    struct sigaction sa;

    if (wake_pipe[0] < 0 && pipe(wake_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

int cli_wait(const plex_wait_info *w)
{
    struct pollfd fds[5];
    int n = 0;

    if (interrupted)
        return 1;
    for (int i = 0; i < w->nfds && i < 4; i++) {
        if (w->fds[i] < 0)
            continue;
        fds[n].fd = w->fds[i];
        fds[n].events = (short)(((w->events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                                ((w->events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
        fds[n].revents = 0;
        n++;
    }
    if (wake_pipe[0] >= 0) {
        fds[n].fd = wake_pipe[0];
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
    }
    if (poll(fds, (nfds_t)n, w->timeout_ms < 0 ? 1000 : (int)w->timeout_ms) < 0 && errno != EINTR)
        return 0;
    return interrupted != 0;
}

/* ---- failures ---- */

int cli_pms_report(cli_pms *p, const plex_error *e, int rc, const char *what)
{
    const char *msg = e && e->code == rc && e->message[0] ? e->message : plex_strerror(rc);
    char prefix[600];

    if (what)
        snprintf(prefix, sizeof(prefix), "%s: ", what);
    else
        prefix[0] = '\0';
    fflush(stdout);
    if (rc == PLEX_EAUTH) {
        cli_error("%sthe server %s refused the token (%s): %s", prefix, p->label,
                  p->s.from_env ? "PLEX_TOKEN" : "the saved one", msg);
        return CLI_EXIT_NOPERM;
    }
    cli_error("%s%s", prefix, msg);
    return cli_exit_code(rc);
}

int cli_pms_fail(cli_pms *p, int rc, const char *what)
{
    return cli_pms_report(p, p->server ? plex_server_last_error(p->server) : NULL, rc, what);
}

/* ---- choosing the server ---- */

static int is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static int provides_server(const plex_resource *r)
{
    return r->provides && strstr(r->provides, "server") != NULL;
}

/* "  NAME (machine id)" lines of the servers for a message, into stderr. */
static void list_servers(const plex_resources *l, int owned_only)
{
    for (size_t i = 0; i < plex_resources_count(l); i++) {
        const plex_resource *r = plex_resources_at(l, i);
        if (!provides_server(r) || (owned_only && r->owned != PLEX_TRUE))
            continue;
        fprintf(stderr, "  %s (%s)%s%s\n", r->name ? r->name : "(unnamed)",
                r->client_identifier ? r->client_identifier : "no id",
                r->owned == PLEX_TRUE ? "" : " shared by ",
                r->owned == PLEX_TRUE ? "" : (r->source_title ? r->source_title : "someone"));
    }
}

/* The resource of --server NAME: by machine identifier, else by name (case
 * insensitive); *many counts the names that matched. */
static const plex_resource *find_server(const plex_resources *l, const char *want, int *many)
{
    const plex_resource *hit = NULL;

    *many = 0;
    for (size_t i = 0; i < plex_resources_count(l); i++) {
        const plex_resource *r = plex_resources_at(l, i);
        if (provides_server(r) && r->client_identifier && strcmp(r->client_identifier, want) == 0)
            return r;
    }
    for (size_t i = 0; i < plex_resources_count(l); i++) {
        const plex_resource *r = plex_resources_at(l, i);
        if (provides_server(r) && r->name && strcasecmp(r->name, want) == 0) {
            (*many)++;
            if (!hit)
                hit = r;
        }
    }
    return hit;
}

static int connect_resource(cli_pms *p, const plex_resource *r)
{
    int rc;

    snprintf(p->label, sizeof(p->label), "%s", r->name ? r->name : r->client_identifier);
    rc = plex_server_connect(&p->server, NULL, p->s.client, r, NULL);
    if (rc != 0) {
        const plex_error *e = plex_client_last_error(p->s.client);
        if (rc == PLEX_ECONNECT || rc == PLEX_ETIMEOUT) {
            cli_error("cannot reach the server %s: none of its connections answered (%s)", p->label,
                      e && e->code == rc && e->message[0] ? e->message : plex_strerror(rc));
            return CLI_EXIT_UNAVAILABLE;
        }
        return cli_pms_report(p, e, rc, NULL);
    }
    return 0;
}

/* A server of the account: by name or id, or the only owned one. */
static int from_resources(cli_pms *p, const char *want)
{
    plex_resources *l = NULL;
    const plex_resource *r = NULL;
    int rc, many = 0, owned = 0;

    snprintf(p->label, sizeof(p->label), "%s", p->s.base_url);
    rc = plex_resources_get(&l, p->s.client, 0);
    if (rc != 0) {
        if (rc == PLEX_EAUTH) {
            cli_error("%s rejected the token (%s): run 'plex login' again, or give "
                      "--server URL with PLEX_TOKEN",
                      p->s.base_url, p->s.from_env ? "PLEX_TOKEN" : "the saved one");
            return CLI_EXIT_NOPERM;
        }
        return cli_fail(&p->s, rc, "listing the account's servers");
    }
    if (want) {
        r = find_server(l, want, &many);
        if (!r || many > 1) {
            cli_error(many > 1 ? "several servers are named %s: give its machine identifier"
                               : "the account has no server named %s; its servers:",
                      want);
            if (many > 1)
                fputs("Servers:\n", stderr);
            list_servers(l, 0);
            plex_resources_free(l);
            return CLI_EXIT_USAGE;
        }
    } else {
        for (size_t i = 0; i < plex_resources_count(l); i++) {
            const plex_resource *x = plex_resources_at(l, i);
            if (provides_server(x) && x->owned == PLEX_TRUE) {
                owned++;
                r = x;
            }
        }
        if (owned != 1) {
            if (owned == 0)
                cli_error("the account owns no server: choose one with --server NAME|URL "
                          "(or PLEX_SERVER)");
            else
                cli_error("the account owns %d servers: choose one with --server NAME|URL "
                          "(or PLEX_SERVER):",
                          owned);
            list_servers(l, owned > 0);
            plex_resources_free(l);
            return CLI_EXIT_USAGE;
        }
    }
    rc = connect_resource(p, r);
    plex_resources_free(l);
    return rc;
}

int cli_pms_open(cli_pms *p)
{
    const char *want = cli_g.server;
    int rc;

    memset(p, 0, sizeof(*p));
    if (!want || !*want)
        want = getenv("PLEX_SERVER");
    if (want && !*want)
        want = NULL;
    if ((rc = cli_session_open(&p->s, CLI_NEED_TOKEN)) != 0)
        return rc;
    if (want && strstr(want, "://") && !is_url(want)) {
        cli_error("--server %s: a server URL is http:// or https://", want);
        return CLI_EXIT_USAGE;
    }
    if (want && is_url(want)) {
        snprintf(p->label, sizeof(p->label), "%s", want);
        rc = plex_server_new(&p->server, p->s.client, want, NULL);
        if (rc != 0) {
            const plex_error *e = plex_client_last_error(p->s.client);
            cli_error("--server %s: %s", want,
                      e && e->code == rc && e->message[0] ? e->message : plex_strerror(rc));
            return rc == PLEX_EINVALID ? CLI_EXIT_USAGE : cli_exit_code(rc);
        }
        return 0;
    }
    return from_resources(p, want);
}

void cli_pms_close(cli_pms *p)
{
    plex_server_free(p->server);
    cli_session_close(&p->s);
    memset(p, 0, sizeof(*p));
}

/* ---- output ---- */

static int print_json(const char *json, size_t len, void *payload)
{
    (void)payload;
    cli_json_line(stdout, json, len);
    return 0;
}

int cli_pms_json(cli_pms *p, const plex_container *c, const char *element)
{
    size_t len = 0;
    const char *body = plex_server_last_body(p->server, &len);
    int rc;

    if (body) {
        rc = plex_container_json_each(body, len, element, print_json, NULL);
        if (rc == 0)
            return 0;
        if (rc != PLEX_EPARSE) {
            cli_error("the server %s sent an answer that cannot be read: %s", p->label,
                      plex_strerror(rc));
            return CLI_EXIT_DATAERR;
        }
    }
    /* not JSON (the server answered XML): the decoded container, re-encoded */
    if (!element && c) {
        char *json = NULL;
        if (plex_container_to_json(c, &json) == 0) {
            cli_json_line(stdout, json, strlen(json));
            plex_free(json);
            return 0;
        }
    }
    cli_error("the server %s answered XML where --json needs its JSON", p->label);
    return CLI_EXIT_DATAERR;
}

int cli_pms_walk(cli_pms *p, plex_listing *l, cli_item_fn row, void *ctx, const char *what)
{
    const plex_metadata *m;
    plex_wait_info w;
    int rc;

    cli_interrupt_catch();
    for (;;) {
        if (cli_interrupted()) {
            fflush(stdout);
            cli_error("interrupted");
            return CLI_EXIT_CANCELLED;
        }
        rc = plex_listing_step(l, &m, &w);
        if (rc == PLEX_EPENDING) {
            /* what came so far is shown before waiting for more */
            fflush(stdout);
            cli_wait(&w);
            continue;
        }
        if (rc == 0)
            return 0;
        if (rc < 0)
            return cli_pms_report(p, plex_listing_last_error(l), rc, what);
        if (cli_g.json) {
            size_t len = 0;
            const char *raw = plex_listing_raw(l, &len);
            if (!raw || len == 0 || raw[0] != '{') {
                cli_error("the server %s answered XML where --json needs its JSON", p->label);
                return CLI_EXIT_DATAERR;
            }
            cli_json_line(stdout, raw, len);
        } else if ((rc = row(m, ctx)) != 0) {
            return rc;
        }
    }
}

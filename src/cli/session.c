/*
 * A plex_client set up from the global options, the config directory, the
 * client identifier and the token in use (PLEX_TOKEN or the saved one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "output.h"

cli_global cli_g;

static void log_line(int level, const char *message, void *payload)
{
    char line[1200];
    const char *what = level == PLEX_LOG_WARN   ? "warning"
                       : level == PLEX_LOG_INFO ? "info"
                                                : "debug";
    (void)payload;
    snprintf(line, sizeof(line), "plex: [%s] %s", what, message);
    if (cli_screen_active) {
        cli_screen_line(cli_screen_active, 1, line);
    } else {
        fprintf(stderr, "%s\n", line);
        fflush(stderr);
    }
}

/* Same URL up to trailing slashes and the case of the scheme and host. */
static int same_url(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && a[la - 1] == '/')
        la--;
    while (lb > 0 && b[lb - 1] == '/')
        lb--;
    if (la != lb)
        return 0;
    for (size_t i = 0; i < la; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

int cli_session_open(cli_session *s, int need)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    const char *env_token = getenv("PLEX_TOKEN");
    plex_error err;
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = cli_config_dir(&s->dir)) != 0)
        return rc;
    if (need == CLI_NEED_TOKEN) {
        if (env_token && *env_token) {
            s->token = env_token;
            s->from_env = 1;
        } else {
            rc = cli_token_load(s->dir, &s->saved);
            if (rc == CLI_TOKEN_NONE) {
                cli_error("not signed in: run 'plex login' first (or set PLEX_TOKEN)");
                return CLI_EXIT_NOPERM;
            }
            if (rc != 0)
                return rc;
            s->token = s->saved.token;
        }
    }
    s->base_url = cli_g.base_url;
    if (!s->from_env && s->saved.token && s->saved.base_url && *s->saved.base_url) {
        /* never send a token to another server than the one that issued it */
        if (s->base_url && !same_url(s->base_url, s->saved.base_url)) {
            cli_error("the saved token belongs to %s, not %s: run 'plex --base-url %s login' "
                      "to sign in there (or set PLEX_TOKEN)",
                      s->saved.base_url, s->base_url, s->base_url);
            return CLI_EXIT_NOPERM;
        }
        s->base_url = s->saved.base_url;
    }
    if (!s->base_url)
        s->base_url = CLI_DEFAULT_BASE_URL;
    if ((rc = cli_client_id(s->dir, s->client_id)) != 0)
        return rc;

    o.client_identifier = s->client_id;
    o.product = cli_g.product ? cli_g.product : CLI_DEFAULT_PRODUCT;
    o.base_url = s->base_url;
    o.ca_file = cli_g.cacert;
    o.token = s->token;
    if (cli_g.verbose) {
        o.log = log_line;
        if (cli_g.log_secrets)
            o.flags |= PLEX_CLIENT_LOG_SECRETS;
    }
    rc = plex_client_new(&s->client, &o, &err);
    if (rc != 0) {
        cli_error("%s", err.message[0] ? err.message : plex_strerror(rc));
        return rc == PLEX_EINVALID ? CLI_EXIT_USAGE : cli_exit_code(rc);
    }
    if (cli_g.verbose) {
        char line[600];
        snprintf(line, sizeof(line), "base URL %s, config %s, client identifier %s%s", s->base_url,
                 s->dir, s->client_id,
                 s->token ? (s->from_env ? ", token from PLEX_TOKEN" : ", saved token") : "");
        log_line(PLEX_LOG_DEBUG, line, NULL);
    }
    if (need == CLI_NEED_TOKEN && (rc = cli_jwt_attach(s)) != 0)
        return rc;
    return 0;
}

void cli_session_close(cli_session *s)
{
    if (s->client && cli_g.verbose) {
        plex_client_stats st;
        char line[128];
        plex_client_get_stats(s->client, &st);
        snprintf(line, sizeof(line), "%lu request%s, %lu connection%s", st.requests,
                 st.requests == 1 ? "" : "s", st.connections, st.connections == 1 ? "" : "s");
        log_line(PLEX_LOG_DEBUG, line, NULL);
    }
    plex_client_free(s->client);
    plex_jwt_key_free(s->key);
    cli_token_file_dispose(&s->saved);
    free(s->dir);
    memset(s, 0, sizeof(*s));
}

int cli_fail(cli_session *s, int rc, const char *what)
{
    const plex_error *e = s->client ? plex_client_last_error(s->client) : NULL;
    const char *msg = e && e->code == rc && e->message[0] ? e->message : plex_strerror(rc);

    if (cli_screen_active)
        cli_screen_end(cli_screen_active, 1);
    if (what)
        cli_error("%s: %s", what, msg);
    else
        cli_error("%s", msg);
    return cli_exit_code(rc);
}

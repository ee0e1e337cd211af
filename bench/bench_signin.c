/*
 * bench_signin URL: one whole sign-in against plexsim, the way a program
 * using the shared libplex does it (issue 4, `make bench`).
 *
 * Creates a client for URL (http://127.0.0.1:PORT), runs plex_login_wait()
 * with a poll interval of 0 until plexsim approves the PIN (start it with
 * --approve-after N), frees everything and prints
 *
 *   requests R connections C
 *
 * from plex_client_get_stats(). bench/signin.sh runs it next to
 * bare_curl_signin (the libcurl floor) and measures wall time, peak RSS,
 * plexsim's own request/connection counts and callgrind instructions.
 *
 * Exit status: 0 signed in, 1 failed, 2 usage.
 */
#include <stdio.h>

#include "plex/plex.h"

int main(int argc, char **argv)
{
    plex_client_options copts = PLEX_CLIENT_OPTIONS_INIT;
    plex_login_options lopts = PLEX_LOGIN_OPTIONS_INIT;
    plex_client_stats stats;
    plex_client *client = NULL;
    plex_error err;
    char *token = NULL;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s URL   (a plexsim started with --approve-after N)\n", argv[0]);
        return 2;
    }
    copts.client_identifier = "libplex-bench-signin";
    copts.product = "libplex-bench";
    copts.base_url = argv[1];
    rc = plex_client_new(&client, &copts, &err);
    if (rc != 0) {
        fprintf(stderr, "bench_signin: plex_client_new: %s\n", plex_strerror(rc));
        return 1;
    }
    lopts.poll_interval_ms = 0;
    lopts.timeout_ms = 30000;
    rc = plex_login_wait(&token, client, &lopts);
    if (rc != 0) {
        fprintf(stderr, "bench_signin: plex_login_wait: %s\n", plex_strerror(rc));
        plex_client_free(client);
        return 1;
    }
    plex_client_get_stats(client, &stats);
    plex_free(token);
    plex_client_free(client);
    printf("requests %lu connections %lu\n", stats.requests, stats.connections);
    return 0;
}

/*
 * Exit codes of the plex command: the one place library errors become
 * process exit statuses (documented in `plex --help` and plex(1)).
 */
#ifndef PLEX_CLI_ERROR_H
#define PLEX_CLI_ERROR_H

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,        /* any other failure */
    CLI_EXIT_USAGE = 2,        /* bad command line */
    CLI_EXIT_DATAERR = 65,     /* malformed data (EX_DATAERR) */
    CLI_EXIT_UNAVAILABLE = 69, /* service unreachable: DNS, connect, TLS (EX_UNAVAILABLE) */
    CLI_EXIT_TEMPFAIL =
        75,               /* try again later: rate-limited, timed out, PIN expired (EX_TEMPFAIL) */
    CLI_EXIT_NOPERM = 77, /* not authorised: token rejected, not signed in (EX_NOPERM) */
    CLI_EXIT_CANCELLED = 130 /* interrupted (128 + SIGINT) */
};

/* The exit status for a negative plex_error_code. */
int cli_exit_code(int plex_code);

/* The exit-code table as help text lines. */
extern const char cli_exit_codes_help[];

#endif

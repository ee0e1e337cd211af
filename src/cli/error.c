#include "error.h"

#include <plex/plex.h>

int cli_exit_code(int code)
{
    switch (code) {
    case PLEX_OK:
        return CLI_EXIT_OK;
    case PLEX_EPARSE:
    case PLEX_ESCHEMA:
    case PLEX_ETOOBIG:
        return CLI_EXIT_DATAERR;
    case PLEX_EDNS:
    case PLEX_ECONNECT:
    case PLEX_ETLS:
    case PLEX_ETRANSPORT:
        return CLI_EXIT_UNAVAILABLE;
    case PLEX_ERATELIMIT:
    case PLEX_ETIMEOUT:
    case PLEX_EEXPIRED:
    case PLEX_ESERVER:
        return CLI_EXIT_TEMPFAIL;
    case PLEX_EAUTH:
        return CLI_EXIT_NOPERM;
    case PLEX_ECANCELLED:
        return CLI_EXIT_CANCELLED;
    case PLEX_EINVALID:
        return CLI_EXIT_USAGE;
    default:
        return CLI_EXIT_ERROR;
    }
}

const char cli_exit_codes_help[] =
    "Exit status:\n"
    "  0    success\n"
    "  1    other failure\n"
    "  2    usage error\n"
    "  65   malformed data\n"
    "  69   service unreachable (DNS, connect, TLS)\n"
    "  75   temporary failure (rate-limited, timed out, PIN expired)\n"
    "  77   not authorised (token rejected, not signed in)\n"
    "  130  cancelled\n";

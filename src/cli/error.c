#include "error.h"

#include "cmd.h"

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
    case PLEX_EGONE:
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

const char *cli_error_name(int code)
{
    switch (code) {
    case PLEX_OK:
        return "ok";
    case PLEX_ENOMEM:
        return "nomem";
    case PLEX_EINVALID:
        return "invalid";
    case PLEX_ETRANSPORT:
        return "transport";
    case PLEX_EHTTP:
        return "http";
    case PLEX_EAUTH:
        return "auth";
    case PLEX_ENOTFOUND:
        return "notfound";
    case PLEX_EPARSE:
        return "parse";
    case PLEX_ETIMEOUT:
        return "timeout";
    case PLEX_EPENDING:
        return "pending";
    case PLEX_ESCHEMA:
        return "schema";
    case PLEX_EDNS:
        return "dns";
    case PLEX_ECONNECT:
        return "connect";
    case PLEX_ETLS:
        return "tls";
    case PLEX_EBADREQUEST:
        return "badrequest";
    case PLEX_EGONE:
        return "gone";
    case PLEX_ERATELIMIT:
        return "ratelimit";
    case PLEX_ESERVER:
        return "server";
    case PLEX_ETOOBIG:
        return "toobig";
    case PLEX_ECANCELLED:
        return "cancelled";
    case PLEX_EEXPIRED:
        return "expired";
    case PLEX_EIO:
        return "io";
    case PLEX_EPERM:
        return "perm";
    default:
        return "error";
    }
}

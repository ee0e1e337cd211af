#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plex/version.h"

const char *plex_strerror(int code)
{
    switch (code) {
    case PLEX_OK:
        return "success";
    case PLEX_ERROR:
        return "error";
    case PLEX_ENOMEM:
        return "out of memory";
    case PLEX_EINVALID:
        return "invalid argument";
    case PLEX_ETRANSPORT:
        return "network error";
    case PLEX_EHTTP:
        return "unexpected HTTP status from the server";
    case PLEX_EAUTH:
        return "not authorised: the token is missing, invalid or signed out";
    case PLEX_ENOTFOUND:
        return "not found";
    case PLEX_EPARSE:
        return "malformed data in the response";
    case PLEX_ETIMEOUT:
        return "timed out";
    case PLEX_EPENDING:
        return "PIN not linked yet";
    case PLEX_ESCHEMA:
        return "data of an unexpected shape";
    case PLEX_EDNS:
        return "could not resolve the host name (check the network or the URL)";
    case PLEX_ECONNECT:
        return "could not connect to the server";
    case PLEX_ETLS:
        return "TLS failure: the server's certificate is not trusted or the handshake failed";
    case PLEX_EBADREQUEST:
        return "the server rejected the request as invalid";
    case PLEX_EGONE:
        return "the PIN expired, was already used, or belongs to another client";
    case PLEX_ERATELIMIT:
        return "rate limited by the server: try again later";
    case PLEX_ESERVER:
        return "the server failed (5xx): try again later";
    case PLEX_ETOOBIG:
        return "the response is larger than the size limit";
    case PLEX_ECANCELLED:
        return "cancelled";
    case PLEX_EEXPIRED:
        return "the PIN expired before it was approved";
    case PLEX_EIO:
        return "file input/output error";
    case PLEX_EPERM:
        return "unsafe file permissions";
    default:
        return "unknown error";
    }
}

void plex_error_clear(plex_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
    err->json_pos = -1;
    err->retry_after = -1;
}

int plex__error_set(plex_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        plex_error_clear(err);
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

int plex__error_syntax(plex_error *err, size_t pos, const char *msg)
{
    if (err) {
        plex__error_set(err, PLEX_EPARSE, "syntax error at byte %zu: %s", pos, msg);
        err->json_pos = (int64_t)pos;
    }
    return PLEX_EPARSE;
}

const char *plex_version(void)
{
    return PLEX_VERSION_STRING;
}

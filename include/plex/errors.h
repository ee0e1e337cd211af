/*
 * libplex: error codes and error details.
 */
#ifndef PLEX_ERRORS_H
#define PLEX_ERRORS_H

#include "plex/common.h"

PLEX_BEGIN_DECL

/**
 * What a failing function returns. 0 is success; every failure is negative.
 *
 * This list only grows at the end: a code is never renumbered, removed or
 * given a new meaning.
 */
typedef enum plex_error_code {
    PLEX_OK = 0,
    PLEX_ERROR = -1,        /**< generic failure (see the message) */
    PLEX_ENOMEM = -2,       /**< out of memory */
    PLEX_EINVALID = -3,     /**< an argument was invalid */
    PLEX_ETRANSPORT = -4,   /**< network failure not covered by a finer code */
    PLEX_EHTTP = -5,        /**< an unexpected HTTP status */
    PLEX_EAUTH = -6,        /**< 401/403: the token is missing, invalid or revoked */
    PLEX_ENOTFOUND = -7,    /**< 404, or a thing that does not exist */
    PLEX_EPARSE = -8,       /**< malformed data: not JSON/XML (see json_pos) */
    PLEX_ETIMEOUT = -9,     /**< an operation did not finish in time */
    PLEX_EPENDING = -10,    /**< the PIN is not linked yet: poll again */
    PLEX_ESCHEMA = -11,     /**< well-formed data of the wrong shape (see the field path) */
    PLEX_EDNS = -12,        /**< the host name could not be resolved */
    PLEX_ECONNECT = -13,    /**< the connection was refused or could not be made */
    PLEX_ETLS = -14,        /**< TLS failed: certificate not trusted, handshake error */
    PLEX_EBADREQUEST = -15, /**< 400: the server rejected the request */
    PLEX_EGONE = -16,       /**< 404 code 1020: the PIN expired, was used, or is not ours */
    PLEX_ERATELIMIT = -17,  /**< 429: too many requests; see retry_after */
    PLEX_ESERVER = -18,     /**< 5xx: the service failed */
    PLEX_ETOOBIG = -19,     /**< the response exceeded the size limit */
    PLEX_ECANCELLED = -20,  /**< the caller cancelled the operation */
    PLEX_EEXPIRED = -21,    /**< the PIN window ran out after the last re-issue */
    PLEX_EIO = -22,         /**< a file could not be read or written */
    PLEX_EPERM = -23        /**< a file has unsafe permissions */
} plex_error_code;

/**
 * Details of a failure. Parsers fill one in when given a non-NULL pointer;
 * a client keeps the details of its most recent failure.
 *
 * The contents are meaningful only right after a call returned an error.
 * Room is reserved at the end so the structure can grow without changing
 * its size.
 */
typedef struct plex_error {
    int code;          /**< the plex_error_code returned */
    int http_status;   /**< HTTP status, or 0 */
    int curl_code;     /**< libcurl's CURLcode, or 0 */
    int api_code;      /**< first code in the server's errors[], or 0 */
    int64_t json_pos;  /**< byte offset of a syntax error, or -1 */
    int retry_after;   /**< seconds from Retry-After on 429, or -1 */
    char message[256]; /**< a sentence a user can act on; NUL-terminated */
    int64_t reserved[8];
} plex_error;

/**
 * A short description of an error code.
 *
 * @param code  a plex_error_code (any int is accepted).
 * @return a static string, never NULL.
 */
PLEX_API const char *plex_strerror(int code);

/**
 * Reset an error record to "no error" (code 0, json_pos -1, empty message).
 *
 * @param err  the record; NULL does nothing.
 */
PLEX_API void plex_error_clear(plex_error *err);

PLEX_END_DECL

#endif

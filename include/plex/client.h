/*
 * libplex: the plex.tv client.
 *
 * A client holds one libcurl handle (so one TCP/TLS connection is reused for
 * every request), the identity headers sent with each request, an optional
 * token, and the details of its most recent failure.
 *
 * Threads: use a client from one thread at a time; separate clients are
 * independent. Call plex_global_init() once before creating clients from
 * several threads.
 */
#ifndef PLEX_CLIENT_H
#define PLEX_CLIENT_H

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/models.h"

PLEX_BEGIN_DECL

typedef struct plex_client plex_client;

/** Severity of a log line. */
typedef enum plex_log_level {
    PLEX_LOG_DEBUG = 0, /**< HTTP trace: request lines, statuses, timings */
    PLEX_LOG_INFO = 1,
    PLEX_LOG_WARN = 2
} plex_log_level;

/**
 * Receives log lines. Tokens, PIN ids and codes are replaced by "<redacted>"
 * unless the client was created with PLEX_CLIENT_LOG_SECRETS.
 *
 * @param level    a plex_log_level.
 * @param message  one line without a newline; valid only during the call.
 * @param payload  the log_payload of the options.
 */
typedef void (*plex_log_cb)(int level, const char *message, void *payload);

/** Flags for plex_client_options.flags. */
enum {
    /** Let the log callback see tokens, PIN ids and codes. Off by default. */
    PLEX_CLIENT_LOG_SECRETS = 1u << 0
};

#define PLEX_CLIENT_OPTIONS_VERSION 1

/**
 * Options of plex_client_new(). Start from PLEX_CLIENT_OPTIONS_INIT (or
 * plex_client_options_init()) and set what you need; NULL and 0 mean "the
 * default". Strings are copied.
 */
typedef struct plex_client_options {
    unsigned int version; /**< PLEX_CLIENT_OPTIONS_VERSION */
    /** X-Plex-Client-Identifier: required. Generate a random UUID once per
     *  installation, store it, and reuse it forever: a PIN can only be
     *  polled with the identifier that created it. */
    const char *client_identifier;
    const char *product;          /**< X-Plex-Product; default "libplex" */
    const char *product_version;  /**< X-Plex-Version; default the library version */
    const char *platform;         /**< X-Plex-Platform; default from uname() */
    const char *platform_version; /**< X-Plex-Platform-Version; default from uname() */
    const char *device;           /**< X-Plex-Device */
    const char *device_name;      /**< X-Plex-Device-Name; default the host name */
    const char *model;            /**< X-Plex-Model */
    const char *vendor;           /**< X-Plex-Device-Vendor */
    /** Base URL of plex.tv; default "https://plex.tv". Plain http is only
     *  allowed to loopback addresses (a local emulator). With the default,
     *  the JWT operations (jwt.h) go to https://clients.plex.tv, as Plex
     *  documents; with any other base URL, to that URL too. */
    const char *base_url;
    long connect_timeout_ms;  /**< default 10000 */
    long request_timeout_ms;  /**< whole request; default 30000 */
    const char *ca_file;      /**< PEM CA bundle; default the system's */
    const char *token;        /**< X-Plex-Token to send; default none */
    size_t max_response_size; /**< bytes; default 8 MiB */
    plex_log_cb log;          /**< default none */
    void *log_payload;
    unsigned int flags; /**< PLEX_CLIENT_* flags */
} plex_client_options;

#define PLEX_CLIENT_OPTIONS_INIT                                                                   \
    {                                                                                              \
        PLEX_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,   \
            0, 0, NULL, NULL, 0, NULL, NULL, 0                                                     \
    }

/**
 * Initialise options to the defaults (for bindings that cannot use the macro).
 *
 * @param opts     the options to fill.
 * @param version  PLEX_CLIENT_OPTIONS_VERSION.
 * @return 0, or PLEX_EINVALID for an unknown version or NULL opts.
 */
PLEX_API int plex_client_options_init(plex_client_options *opts, unsigned int version);

/**
 * Create a client.
 *
 * @param[out] out  the client; free with plex_client_free().
 * @param opts      the options (copied).
 * @param err       NULL or where to put the reason for a failure.
 * @return 0, PLEX_EINVALID (no client identifier, bad base URL, http to a
 *         non-loopback host, unknown options version), PLEX_ENOMEM.
 */
PLEX_API int plex_client_new(plex_client **out, const plex_client_options *opts, plex_error *err);

/** Free a client and close its connection; NULL does nothing. */
PLEX_API void plex_client_free(plex_client *client);

/**
 * Set or clear (NULL) the token sent as X-Plex-Token.
 *
 * @return 0 or PLEX_ENOMEM.
 */
PLEX_API int plex_client_set_token(plex_client *client, const char *token);

/**
 * The details of the client's most recent failure: code, HTTP status,
 * libcurl code, the server's first error code, Retry-After, and a message a
 * user can act on. Valid only right after a call on this client failed;
 * borrowed from the client.
 */
PLEX_API const plex_error *plex_client_last_error(const plex_client *client);

/**
 * The server's errors[] of the most recent failed request (JSON or XML
 * body), or NULL if it had none. Borrowed from the client, valid until the
 * next request.
 */
PLEX_API const plex_api_errors *plex_client_last_api_errors(const plex_client *client);

/** Counters of a client, for diagnostics and tests. */
typedef struct plex_client_stats {
    unsigned long requests;    /**< HTTP requests sent */
    unsigned long connections; /**< new TCP connections opened */
    unsigned long reserved[6];
} plex_client_stats;

/** Copy the client's counters into *out. */
PLEX_API void plex_client_get_stats(const plex_client *client, plex_client_stats *out);

PLEX_END_DECL

#endif

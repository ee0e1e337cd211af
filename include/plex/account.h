/*
 * libplex: the plex.tv account operations beyond sign-in: servers and
 * devices (resources), where a request comes from (geoip), companions,
 * friends, the Plex Home, password sign-in and the v1 users list.
 *
 * Every decoded result owns all it points to (one arena) and is freed by its
 * own _free function; items are reached through _count/_at functions, never
 * by indexing an array of structs, so item structs can grow at the end.
 */
#ifndef PLEX_ACCOUNT_H
#define PLEX_ACCOUNT_H

#include "plex/auth.h"
#include "plex/client.h"
#include "plex/common.h"
#include "plex/errors.h"
#include "plex/models.h"

PLEX_BEGIN_DECL

/* ---- resources: GET /api/v2/resources ---- */

/** One way to reach a device. String fields are NULL when absent. */
typedef struct plex_connection {
    const char *protocol; /**< "http" or "https" */
    const char *address;  /**< "192.168.1.20", "::1" */
    int32_t port;         /**< 0 when absent */
    const char *uri;      /**< "https://192-168-1-20.<hash>.plex.direct:32400" */
    plex_opt_bool local;  /**< on the device's LAN */
    plex_opt_bool relay;  /**< through Plex's relay */
    plex_opt_bool ipv6;   /**< `IPv6` */
    uint32_t present;     /**< bit n: field n (protocol = 0 .. ipv6 = 6) was present */
} plex_connection;

/** A device of the account (a server, a player...). NULL/absent-tolerant. */
typedef struct plex_resource {
    const char *name;
    const char *product;
    const char *product_version;
    const char *platform;
    const char *platform_version;
    const char *device;
    const char *client_identifier; /**< the server's machine identifier */
    plex_timestamp created_at;
    plex_timestamp last_seen_at;
    const char *provides;     /**< "server", "client,player" */
    int64_t owner_id;         /**< 0 when null (owned by this account) */
    const char *source_title; /**< the owner's name for shared servers; NULL otherwise */
    const char *public_address;
    /** The token to use with this server; NULL when none (null on the wire). */
    const char *access_token;
    plex_opt_bool owned;
    plex_opt_bool home;
    plex_opt_bool synced;
    plex_opt_bool relay;
    plex_opt_bool presence;
    plex_opt_bool https_required;
    plex_opt_bool public_address_matches;
    plex_opt_bool dns_rebinding_protection;
    plex_opt_bool nat_loopback_supported;
    /** The connections: use plex_resource_connections_count()/_at(). */
    const plex_connection *const *connections;
    size_t connections_count;
    /** Bit n: field n (name = 0 .. connections = 23) was present (non-null). */
    uint32_t present;
} plex_resource;

/** The list of devices. */
typedef struct plex_resources plex_resources;

/** Flags for plex_resources_get(). */
enum {
    PLEX_RESOURCES_NO_HTTPS = 1u << 0, /**< leave out includeHttps=1 */
    PLEX_RESOURCES_NO_RELAY = 1u << 1, /**< leave out includeRelay=1 */
    PLEX_RESOURCES_NO_IPV6 = 1u << 2   /**< leave out includeIPv6=1 */
};

/**
 * List the account's devices and their connections
 * (`GET /api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1`).
 *
 * @param[out] out  the list; owned by the caller, free with plex_resources_free().
 * @param client    a client with a token; on failure see plex_client_last_error().
 * @param flags     0 or PLEX_RESOURCES_NO_* bits.
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_resources_get(plex_resources **out, plex_client *client, unsigned int flags);

/**
 * Decode the JSON array answered by /api/v2/resources. Unknown keys are
 * ignored, nulls count as absent, null list elements are dropped (unless
 * PLEX_PARSE_STRICT).
 *
 * @param[out] out  the list; free with plex_resources_free(). NULL on failure.
 * @return 0, PLEX_EPARSE, PLEX_ESCHEMA, PLEX_ENOMEM or PLEX_EINVALID.
 */
PLEX_API int plex_resources_parse(plex_resources **out, const char *data, size_t len,
                                  unsigned int flags, plex_error *err);

/** Encode the list back as a JSON array (wire names). Free *out with plex_free(). */
PLEX_API int plex_resources_to_json(const plex_resources *list, char **out);

/** Number of devices; 0 for NULL. */
PLEX_API size_t plex_resources_count(const plex_resources *list);

/** Device i, borrowed from the list; NULL when out of range. */
PLEX_API const plex_resource *plex_resources_at(const plex_resources *list, size_t i);

/** Free the list; NULL does nothing. */
PLEX_API void plex_resources_free(plex_resources *list);

/** Number of connections of a device; 0 for NULL. */
PLEX_API size_t plex_resource_connections_count(const plex_resource *resource);

/** Connection i of a device, borrowed; NULL when out of range. */
PLEX_API const plex_connection *plex_resource_connection_at(const plex_resource *resource,
                                                            size_t i);

/* ---- best connection ---- */

/** One connection tried by plex_resource_connect(). */
typedef struct plex_connect_attempt {
    const plex_connection *connection; /**< borrowed from the resource */
    int started;                       /**< 1 if a request was sent (or tried) */
    /** 0: it answered first; PLEX_ECONNECT (refused), PLEX_ETIMEOUT (no
     *  answer before the deadline), PLEX_ETLS, PLEX_EDNS, PLEX_EAUTH,
     *  PLEX_EHTTP...; PLEX_ECANCELLED when another one won first or it was
     *  never started. */
    int result;
    long http_status; /**< of /identity; 0 without an answer */
    long elapsed_ms;  /**< from the start of the race until it ended */
} plex_connect_attempt;

/** What plex_resource_connect() tried, in the order of preference. */
typedef struct plex_connect_report plex_connect_report;

/**
 * Find a working connection of a server: `GET <uri>/identity` on its
 * connections in parallel (one curl multi handle, no threads), with the
 * server's access token (or the client's). Local connections start first,
 * remote ones 100 ms later, relays last (500 ms, or as soon as everything
 * else failed); the first 2xx within the deadline wins and the others are
 * cancelled.
 *
 * @param[out] out    what was tried; set on 0, PLEX_ECONNECT and PLEX_ETIMEOUT
 *                    (free with plex_connect_report_free()); it borrows the
 *                    resource's connections, so free it first.
 * @param client      the client (identity headers, CA file, connect timeout).
 * @param server      a device from plex_resources_at().
 * @param deadline_ms the overall limit; <= 0 selects 10000.
 * @return 0, PLEX_ECONNECT (every connection failed, or there are none),
 *         PLEX_ETIMEOUT (none answered in time), PLEX_EINVALID, PLEX_ENOMEM.
 */
PLEX_API int plex_resource_connect(plex_connect_report **out, plex_client *client,
                                   const plex_resource *server, long deadline_ms);

/** The winning connection; NULL when none answered. Borrowed. */
PLEX_API const plex_connection *plex_connect_report_chosen(const plex_connect_report *report);
/** Number of attempts (the server's connections with a URI); 0 for NULL. */
PLEX_API size_t plex_connect_report_count(const plex_connect_report *report);
/** Attempt i in the order of preference, borrowed; NULL when out of range. */
PLEX_API const plex_connect_attempt *plex_connect_report_at(const plex_connect_report *report,
                                                            size_t i);
/** Free a report; NULL does nothing. */
PLEX_API void plex_connect_report_free(plex_connect_report *report);

/* ---- geoip: GET /api/v2/geoip ---- */

/**
 * Where plex.tv thinks the request comes from (`GET /api/v2/geoip`).
 *
 * @param[out] out  the location; free with plex_geodata_free().
 * @return 0, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_geoip_get(plex_geodata **out, plex_client *client);

/** Decode a GeoData object. Same contract as plex_pin_parse(). */
PLEX_API int plex_geodata_parse(plex_geodata **out, const char *data, size_t len,
                                unsigned int flags, plex_error *err);

/** Free a GeoData from plex_geoip_get()/plex_geodata_parse(); NULL does nothing. */
PLEX_API void plex_geodata_free(plex_geodata *geo);

/* ---- companions: GET /api/v2/companions ---- */

/** A companion service of the account. */
typedef struct plex_companion {
    const char *identifier;
    const char *base_url; /**< `baseURL` */
    const char *title;
    const char *link_url; /**< `linkURL` */
    const char *provides;
    const char *token;
    uint32_t present; /**< bit n: field n (identifier = 0 .. token = 5) */
} plex_companion;

typedef struct plex_companions plex_companions;

/**
 * List the account's companions (`GET /api/v2/companions`; needs a token).
 * @param[out] out  free with plex_companions_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_companions_get(plex_companions **out, plex_client *client);
/** Decode the JSON array of companions. Same contract as plex_resources_parse(). */
PLEX_API int plex_companions_parse(plex_companions **out, const char *data, size_t len,
                                   unsigned int flags, plex_error *err);
/** Number of companions; 0 for NULL. */
PLEX_API size_t plex_companions_count(const plex_companions *list);
/** Companion i, borrowed; NULL when out of range. */
PLEX_API const plex_companion *plex_companions_at(const plex_companions *list, size_t i);
/** Free the list; NULL does nothing. */
PLEX_API void plex_companions_free(plex_companions *list);

/* ---- friends: GET /api/v2/friends ---- */

/** A friend of the account. */
typedef struct plex_friend {
    int64_t id;
    const char *uuid;
    const char *username;
    const char *title;
    const char *email;
    const char *friendly_name; /**< NULL when null */
    const char *thumb;
    plex_opt_bool home;
    plex_opt_bool restricted;
    const char *status;         /**< "accepted", "pending" */
    const char *shared_servers; /**< `sharedServers`: the exact JSON text; NULL when absent */
    const char *shared_sources; /**< `sharedSources`: the exact JSON text; NULL when absent */
    uint32_t present;           /**< bit n: field n (id = 0 .. shared_sources = 11) */
} plex_friend;

typedef struct plex_friends plex_friends;

/**
 * List the account's friends (`GET /api/v2/friends`; needs a token).
 * @param[out] out  free with plex_friends_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_friends_get(plex_friends **out, plex_client *client);
/** Decode the JSON array of friends. Same contract as plex_resources_parse(). */
PLEX_API int plex_friends_parse(plex_friends **out, const char *data, size_t len,
                                unsigned int flags, plex_error *err);
/** Number of friends; 0 for NULL. */
PLEX_API size_t plex_friends_count(const plex_friends *list);
/** Friend i, borrowed; NULL when out of range. */
PLEX_API const plex_friend *plex_friends_at(const plex_friends *list, size_t i);
/** Free the list; NULL does nothing. */
PLEX_API void plex_friends_free(plex_friends *list);

/* ---- home: GET /api/v2/home ---- */

/** The account's Plex Home. */
typedef struct plex_home {
    int64_t id;
    const char *name;
    int64_t guest_user_id;       /**< `guestUserID` */
    const char *guest_user_uuid; /**< `guestUserUUID` */
    plex_opt_bool guest_enabled;
    plex_opt_bool subscription;
    uint32_t present; /**< bit n: field n (id = 0 .. subscription = 5) */
} plex_home;

/**
 * The account's Plex Home (`GET /api/v2/home`; needs a token).
 * @param[out] out  free with plex_home_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_home_get(plex_home **out, plex_client *client);
/** Decode a home object. Same contract as plex_pin_parse(). */
PLEX_API int plex_home_parse(plex_home **out, const char *data, size_t len, unsigned int flags,
                             plex_error *err);
/** Free a home; NULL does nothing. */
PLEX_API void plex_home_free(plex_home *home);

/* ---- password sign-in: POST /api/v2/users/signin ---- */

/**
 * Sign in with a login and password (`POST /api/v2/users/signin`, form
 * login, password, rememberMe, verificationCode). The PIN flow is the
 * recommended path; plex.tv rate-limits this one.
 *
 * On a refusal the server's error entries are in plex_client_last_api_errors():
 * code 1001 wrong login or password, 1029 a verification code is needed,
 * 1028 the verification code is wrong (all PLEX_EAUTH), 1031 too many failed
 * sign-ins (PLEX_ERATELIMIT or PLEX_EAUTH, depending on the status).
 *
 * @param[out] out          the account with its `auth_token`; free with plex_user_free().
 * @param client            the client (its token is neither needed nor changed).
 * @param login             user name or e-mail.
 * @param password          the password.
 * @param verification_code the 2FA code, or NULL.
 * @param remember_me       non-zero for a long-lived token.
 * @return 0, PLEX_EAUTH, PLEX_ERATELIMIT, PLEX_EINVALID, or a transport/HTTP/parse error.
 */
PLEX_API int plex_signin_password(plex_user **out, plex_client *client, const char *login,
                                  const char *password, const char *verification_code,
                                  int remember_me);

/* ---- the v1 users list: GET https://plex.tv/api/users (XML) ---- */

/** A server shared with a user of the v1 list. */
typedef struct plex_users_server {
    int64_t id;
    int64_t server_id;
    const char *machine_identifier;
    const char *name;
    int64_t last_seen_at; /**< Unix time; 0 when absent */
    int32_t num_libraries;
    plex_opt_bool all_libraries;
    plex_opt_bool owned;
    plex_opt_bool pending;
} plex_users_server;

/** A user of the v1 list (a friend or a Home member). Absent strings are NULL. */
typedef struct plex_users_entry {
    int64_t id;
    const char *title;
    const char *username;
    const char *email;
    const char *thumb;
    plex_opt_bool protected_; /**< `protected` */
    plex_opt_bool home;
    plex_opt_bool allow_tuners;
    plex_opt_bool allow_sync;
    plex_opt_bool allow_camera_upload;
    plex_opt_bool allow_channels;
    plex_opt_bool allow_subtitle_admin;
    plex_opt_bool restricted;
    const char *filter_all;
    const char *filter_movies;
    const char *filter_music;
    const char *filter_photos;
    const char *filter_television;
    /** The shared servers: use plex_users_entry_servers_count()/_at(). */
    const plex_users_server *const *servers;
    size_t servers_count;
} plex_users_entry;

typedef struct plex_users plex_users;

/**
 * The v1 users list (`GET /api/users`, always XML; needs a token).
 * @param[out] out  free with plex_users_free().
 * @return 0, PLEX_EAUTH, a transport/HTTP error, PLEX_EPARSE or PLEX_ESCHEMA.
 */
PLEX_API int plex_users_get(plex_users **out, plex_client *client);

/**
 * Decode the v1 users XML: `<MediaContainer ...><User ...><Server .../></User></MediaContainer>`.
 * Unknown elements and attributes are ignored. A number attribute that is
 * not a number is PLEX_ESCHEMA; with PLEX_PARSE_STRICT a User without an id
 * is too.
 *
 * @param[out] out  free with plex_users_free(). NULL on failure.
 * @return 0, PLEX_EPARSE (not well-formed XML), PLEX_ESCHEMA, PLEX_ENOMEM, PLEX_EINVALID.
 */
PLEX_API int plex_users_parse_xml(plex_users **out, const char *data, size_t len,
                                  unsigned int flags, plex_error *err);
/** `friendlyName` of the container ("myPlex"); NULL when absent. Borrowed. */
PLEX_API const char *plex_users_friendly_name(const plex_users *list);
/** Number of users; 0 for NULL. */
PLEX_API size_t plex_users_count(const plex_users *list);
/** User i, borrowed; NULL when out of range. */
PLEX_API const plex_users_entry *plex_users_at(const plex_users *list, size_t i);
/** Number of shared servers of a user; 0 for NULL. */
PLEX_API size_t plex_users_entry_servers_count(const plex_users_entry *user);
/** Shared server i of a user, borrowed; NULL when out of range. */
PLEX_API const plex_users_server *plex_users_entry_server_at(const plex_users_entry *user,
                                                             size_t i);
/** Free the list; NULL does nothing. */
PLEX_API void plex_users_free(plex_users *list);

PLEX_END_DECL

#endif

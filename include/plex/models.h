/*
 * libplex: the data models of the plex.tv API, decoded from and encoded to
 * their wire form. Parsing does no I/O: these functions work on bytes.
 */
#ifndef PLEX_MODELS_H
#define PLEX_MODELS_H

#include "plex/common.h"
#include "plex/errors.h"

PLEX_BEGIN_DECL

/** Flags for the *_parse functions. */
enum {
    /** Reject a document that misses a required field (PLEX_ESCHEMA). */
    PLEX_PARSE_STRICT = 1u << 0
};

/**
 * A point in time from an RFC 3339 date-time, in UTC.
 *
 * "2024-07-16T17:03:05Z", "2019-03-28T00:56:17.247Z" and
 * "2024-07-16T19:03:05+02:00" are all accepted; digits past milliseconds
 * are truncated.
 */
typedef struct plex_timestamp {
    int64_t seconds; /**< seconds since 1970-01-01T00:00:00Z */
    int32_t millis;  /**< 0..999 */
} plex_timestamp;

/** An optional boolean: absent, false or true. */
typedef enum plex_opt_bool {
    PLEX_ABSENT = -1,
    PLEX_FALSE = 0,
    PLEX_TRUE = 1
} plex_opt_bool;

/**
 * GeoData: where plex.tv thinks the request came from (`location` of a PIN,
 * the answer of /api/v2/geoip). String fields are NULL when absent.
 */
typedef struct plex_geodata {
    const char *code;           /**< ISO 3166-1 alpha-2 country code, "VI" */
    const char *continent_code; /**< "NA" */
    const char *country;        /**< "United States Virgin Islands" */
    const char *city;           /**< "Amsterdam" */
    plex_opt_bool european_union_member;
    const char *time_zone;      /**< "America/St_Thomas" */
    /** Postal code as text. Servers send a string ("SW1A 1AA"); a number
     *  (802) is accepted and kept as its text ("802"). */
    const char *postal_code;
    plex_opt_bool in_privacy_restricted_country;
    plex_opt_bool in_privacy_restricted_region;
    const char *subdivisions;   /**< "Saint Thomas" */
    const char *coordinates;    /**< the text as sent: "18.3381, -64.8941" */
    /** 1 when `coordinates` parsed as "LAT, LON" within range; then
     *  latitude and longitude hold the values in degrees. */
    int has_lat_lon;
    double latitude;
    double longitude;
    /** Bit n set when GeoData field n (in the order above, code = 0 ..
     *  coordinates = 10) was present. Set it when building one to encode. */
    uint32_t present;
} plex_geodata;

/** Bits naming the fields of a plex_pin, for plex_pin.present and .missing. */
typedef enum plex_pin_field {
    PLEX_PIN_ID = 1u << 0,
    PLEX_PIN_CODE = 1u << 1,
    PLEX_PIN_PRODUCT = 1u << 2,
    PLEX_PIN_TRUSTED = 1u << 3,
    PLEX_PIN_QR = 1u << 4,
    PLEX_PIN_CLIENT_IDENTIFIER = 1u << 5,
    PLEX_PIN_LOCATION = 1u << 6,
    PLEX_PIN_EXPIRES_IN = 1u << 7,
    PLEX_PIN_CREATED_AT = 1u << 8,
    PLEX_PIN_EXPIRES_AT = 1u << 9,
    PLEX_PIN_AUTH_TOKEN = 1u << 10,
    PLEX_PIN_NEW_REGISTRATION = 1u << 11,
    /* inside location (GeoData field n is bit 16 + n) */
    PLEX_PIN_LOCATION_CODE = 1u << 16,
    PLEX_PIN_LOCATION_CONTINENT_CODE = 1u << 17,
    PLEX_PIN_LOCATION_COUNTRY = 1u << 18,
    PLEX_PIN_LOCATION_CITY = 1u << 19,
    PLEX_PIN_LOCATION_EUROPEAN_UNION_MEMBER = 1u << 20,
    PLEX_PIN_LOCATION_TIME_ZONE = 1u << 21,
    PLEX_PIN_LOCATION_POSTAL_CODE = 1u << 22,
    PLEX_PIN_LOCATION_IN_PRIVACY_RESTRICTED_COUNTRY = 1u << 23,
    PLEX_PIN_LOCATION_IN_PRIVACY_RESTRICTED_REGION = 1u << 24,
    PLEX_PIN_LOCATION_SUBDIVISIONS = 1u << 25,
    PLEX_PIN_LOCATION_COORDINATES = 1u << 26
} plex_pin_field;

/** The fields the model requires: id, code, product, qr, clientIdentifier,
 *  location, createdAt, expiresAt, and the eight strings of location. */
#define PLEX_PIN_REQUIRED 0x066F0377u

/**
 * The PIN container (GetPinAuthPinContainer): what plex.tv answers to
 * `POST /api/v2/pins` and `GET /api/v2/pins/{id}`.
 *
 * Fields are read-only. A decoded pin owns every string it points to; all
 * of it is freed at once by plex_pin_free(). Strings are UTF-8 without NUL
 * bytes. New fields are only ever added at the end.
 *
 * To encode a pin you built yourself, fill in a zeroed struct, set the
 * `present` bits of the fields you set, and call plex_pin_to_json().
 */
typedef struct plex_pin {
    int64_t id;                    /**< PIN id: redeems the token; keep it secret */
    const char *code;              /**< 4-char code, or a 24-25 char strong code */
    const char *product;           /**< the X-Plex-Product that asked */
    plex_opt_bool trusted;
    const char *qr;                /**< URL of a QR image of the link page */
    const char *client_identifier; /**< the X-Plex-Client-Identifier that asked */
    const plex_geodata *location;  /**< NULL when absent */
    int32_t expires_in;            /**< seconds left when the server answered */
    plex_timestamp created_at;
    plex_timestamp expires_at;
    /** The token once the user approved; NULL while pending (null on the
     *  wire). No length limit: Plex JWTs are 500+ characters. */
    const char *auth_token;
    /** newRegistration: the exact JSON text of the value (e.g. "false",
     *  "{\"a\":1}"); NULL when absent or null. */
    const char *new_registration;
    /** plex_pin_field bits of the fields that were present (non-null for
     *  authToken/newRegistration). */
    uint32_t present;
    /** plex_pin_field bits of required fields that were absent (always 0
     *  after a PLEX_PARSE_STRICT parse). */
    uint32_t missing;
} plex_pin;

/**
 * Decode a PIN container from JSON.
 *
 * Unknown keys are ignored; `location.postal_code` may be a string or a
 * number; a duplicated known key is an error. Without PLEX_PARSE_STRICT a
 * missing required field is allowed and named in `(*out)->missing`; with it,
 * the parse fails with PLEX_ESCHEMA. A wrong type always fails.
 *
 * @param[out] out  the pin; owned by the caller, free with plex_pin_free().
 *                  Set to NULL on failure.
 * @param data      the bytes (need not be NUL-terminated).
 * @param len       their length.
 * @param flags     0 or PLEX_PARSE_STRICT.
 * @param err       NULL, or where to store the details of a failure:
 *                  err->json_pos for malformed JSON, a message such as
 *                  "location.city: expected string, got number" for a
 *                  wrong shape.
 * @return 0, PLEX_EPARSE (malformed JSON), PLEX_ESCHEMA (wrong shape),
 *         PLEX_ENOMEM or PLEX_EINVALID (NULL out or data).
 */
PLEX_API int plex_pin_parse(plex_pin **out, const char *data, size_t len, unsigned int flags,
                            plex_error *err);

/**
 * Free a pin returned by plex_pin_parse() and everything it points to.
 *
 * @param pin  the pin; NULL does nothing. Never pass a pin you built.
 */
PLEX_API void plex_pin_free(plex_pin *pin);

/**
 * Encode a pin as compact JSON with the wire names (camelCase at the top,
 * snake_case inside `location`). Absent optional fields are left out;
 * `authToken` and `newRegistration` are written as null when absent.
 * Decoding the result gives back an equal pin.
 *
 * @param pin       the pin (decoded, or built by the caller).
 * @param[out] out  NUL-terminated JSON; owned by the caller, free with plex_free().
 * @return 0, PLEX_EINVALID (a string is not valid UTF-8, new_registration
 *         is not one JSON value, or a timestamp is out of range), PLEX_ENOMEM.
 */
PLEX_API int plex_pin_to_json(const plex_pin *pin, char **out);

/**
 * The wire name of one field bit ("clientIdentifier", "location.city").
 *
 * @param field  one plex_pin_field bit.
 * @return a static string; "?" for anything else.
 */
PLEX_API const char *plex_pin_field_name(unsigned int field);

/**
 * Format a timestamp as RFC 3339 in UTC: "2024-07-16T17:03:05Z", with
 * ".mmmZ" when millis is not 0.
 *
 * @param ts   the time.
 * @param buf  where to write; at least 32 bytes.
 * @param size its size.
 * @return 0, or PLEX_EINVALID if the year is outside 0000-9999 or buf is too small.
 */
PLEX_API int plex_timestamp_format(plex_timestamp ts, char *buf, size_t size);

/**
 * Parse an RFC 3339 date-time ("2024-07-16T17:03:05Z", fractional seconds
 * and a +hh:mm / -hh:mm offset allowed; 't' and 'z' too).
 *
 * @param[out] out  the time in UTC.
 * @param text      the text (need not be NUL-terminated).
 * @param len       its length.
 * @return 0 or PLEX_EINVALID.
 */
PLEX_API int plex_timestamp_parse(plex_timestamp *out, const char *text, size_t len);

/** One entry of a plex.tv error answer. */
typedef struct plex_api_error {
    int32_t code;         /**< plex error code: 1001, 1020... 0 when absent */
    const char *message;  /**< "Code not found or expired"; NULL when absent */
    int32_t status;       /**< HTTP status as the body states it; 0 when absent */
} plex_api_error;

/** The error container: `{"errors":[{"code","message","status"}]}`, or its XML form. */
typedef struct plex_api_errors plex_api_errors;

/**
 * Decode an error container from JSON.
 *
 * @param[out] out  the errors; free with plex_api_errors_free(). NULL on failure.
 * @param data      the bytes; @param len their length.
 * @param flags     0 or PLEX_PARSE_STRICT (then `errors` must be present and
 *                  each entry must have code and message).
 * @param err       NULL or the details of a failure.
 * @return 0, PLEX_EPARSE, PLEX_ESCHEMA, PLEX_ENOMEM or PLEX_EINVALID.
 */
PLEX_API int plex_api_errors_parse(plex_api_errors **out, const char *data, size_t len,
                                   unsigned int flags, plex_error *err);

/**
 * Decode an error container from XML:
 * `<errors><error code=".." message=".." status=".."/></errors>`.
 *
 * Same contract as plex_api_errors_parse().
 */
PLEX_API int plex_api_errors_parse_xml(plex_api_errors **out, const char *data, size_t len,
                                       unsigned int flags, plex_error *err);

/** Number of entries; 0 for NULL. */
PLEX_API size_t plex_api_errors_count(const plex_api_errors *errors);

/**
 * One entry, borrowed from `errors` (valid until it is freed).
 *
 * @return the entry, or NULL when `i` is out of range.
 */
PLEX_API const plex_api_error *plex_api_errors_at(const plex_api_errors *errors, size_t i);

/** Free an error container; NULL does nothing. */
PLEX_API void plex_api_errors_free(plex_api_errors *errors);

/**
 * Encode entries as `{"errors":[...]}` (entries' absent fields left out).
 *
 * @param list      the entries; may be NULL when count is 0.
 * @param count     how many.
 * @param[out] out  NUL-terminated JSON; free with plex_free().
 * @return 0, PLEX_EINVALID or PLEX_ENOMEM.
 */
PLEX_API int plex_api_errors_to_json(const plex_api_error *list, size_t count, char **out);

/**
 * Encode entries as XML: `<?xml ...?><errors><error code=".." message=".."
 * status=".."/></errors>`, the form plex.tv answers without Accept: application/json.
 *
 * Same contract as plex_api_errors_to_json().
 */
PLEX_API int plex_api_errors_to_xml(const plex_api_error *list, size_t count, char **out);

PLEX_END_DECL

#endif

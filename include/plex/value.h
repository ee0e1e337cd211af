/*
 * libplex: the value types every decoded model uses: optional booleans,
 * RFC 3339 timestamps, values of a type known only at run time (settings),
 * the attributes a model does not know, and the parse flags.
 */
#ifndef PLEX_VALUE_H
#define PLEX_VALUE_H

#include "plex/common.h"
#include "plex/errors.h"

PLEX_BEGIN_DECL

/** Flags for the *_parse functions. */
enum {
    /**
     * Report the first deviation from the model as PLEX_ESCHEMA, with its
     * path: a missing required field, a wrong type, and any of the
     * conversions the tolerant default makes (see plex_coercion).
     */
    PLEX_PARSE_STRICT = 1u << 0
};

/**
 * What the tolerant decoder of a media-server model converted, as bits of
 * the `coerced` member of a decoded container. Real servers disagree with
 * any spec (ids as strings or numbers, booleans as 0/1): each conversion is
 * accepted and counted here; PLEX_PARSE_STRICT refuses it instead.
 */
typedef enum plex_coercion {
    PLEX_COERCED_NUMBER_AS_TEXT = 1u
                                  << 0, /**< a number where text was declared, kept as its text */
    PLEX_COERCED_TEXT_AS_NUMBER = 1u << 1, /**< numeric text where a number was declared */
    PLEX_COERCED_BOOL = 1u << 2,           /**< 0/1, "0"/"1", "true"/"false" for a boolean */
    PLEX_COERCED_BOOL_AS_TEXT = 1u << 3,   /**< a boolean where text was declared */
    PLEX_COERCED_SHAPE = 1u << 4,          /**< an object for an array or the reverse */
    PLEX_COERCED_DROPPED = 1u << 5         /**< a value that could not be converted: now absent */
} plex_coercion;

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
typedef enum plex_opt_bool { PLEX_ABSENT = -1, PLEX_FALSE = 0, PLEX_TRUE = 1 } plex_opt_bool;

/** The type of a plex_value or of an unknown attribute. */
typedef enum plex_value_type {
    PLEX_VALUE_NONE = 0, /**< absent */
    PLEX_VALUE_STRING,   /**< text (every XML attribute is text) */
    PLEX_VALUE_NUMBER,   /**< a JSON number, as its text ("3", "23.976") */
    PLEX_VALUE_BOOL,     /**< a JSON boolean: text "true" or "false" */
    PLEX_VALUE_JSON,     /**< a JSON object or array, as its exact text */
    PLEX_VALUE_XML       /**< an XML element, as its exact text */
} plex_value_type;

/**
 * A value whose type the server decides (a preference's `value`): the
 * type, and the text as sent. Numbers keep their text, so nothing is lost.
 */
typedef struct plex_value {
    plex_value_type type;
    const char *text; /**< NULL when absent */
} plex_value;

/** One attribute a model does not declare: its wire name and value. */
typedef struct plex_attr {
    const char *name;
    plex_value value;
} plex_attr;

/**
 * The attributes of a decoded element that its model does not declare, in
 * the order they arrived: nothing a server sends is lost.
 */
typedef struct plex_attrs {
    const plex_attr *items;
    size_t count;
} plex_attrs;

/**
 * The text of an attribute by wire name (case-sensitive, as the server's
 * names are: `guid` and `Guid` differ).
 *
 * @param attrs  the attributes (NULL is fine).
 * @param name   the wire name.
 * @return the text, borrowed from the decoded object; NULL when absent.
 */
PLEX_API const char *plex_attrs_get(const plex_attrs *attrs, const char *name);

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

PLEX_END_DECL

#endif

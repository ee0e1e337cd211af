/*
 * libplex: query strings. A plex_query collects name=value parameters, each
 * percent-encoded once, for the calls that take filters, sorts and flags
 * (`type=1`, `sort=year:desc`, `year>=2000`, `genre=Action`...).
 */
#ifndef PLEX_QUERY_H
#define PLEX_QUERY_H

#include "plex/common.h"
#include "plex/errors.h"

PLEX_BEGIN_DECL

typedef struct plex_query plex_query;

/**
 * Create an empty query.
 *
 * @param[out] out  the query; free with plex_query_free().
 * @return 0, PLEX_EINVALID (out NULL) or PLEX_ENOMEM.
 */
PLEX_API int plex_query_new(plex_query **out);

/**
 * Append `name=value`, both percent-encoded (RFC 3986). A media query's
 * operator is the end of the name before its '=' (PMS.md §3.3): `year>` with
 * "2000" sends `year%3E=2000`, which the server reads as year >= 2000;
 * `title!` with "Alien" is title != Alien. A name may be given more than
 * once (filters on one field combine).
 *
 * @param q      the query.
 * @param name   the parameter's name, with its operator if any.
 * @param value  its value (NULL: the empty value).
 * @return 0, PLEX_EINVALID (q or name NULL, or name empty) or PLEX_ENOMEM.
 */
PLEX_API int plex_query_add(plex_query *q, const char *name, const char *value);

/** plex_query_add() with a decimal integer value. */
PLEX_API int plex_query_add_int(plex_query *q, const char *name, long long value);

/**
 * Append one `field<op>value` filter written as a user types it
 * ("year>=2000", "genre=Action", "title!=Alien", "unwatched=1"): the part
 * before the first operator character is the field, the operator is kept,
 * the value is percent-encoded.
 *
 * @return 0, PLEX_EINVALID (no operator, or an empty field) or PLEX_ENOMEM.
 */
PLEX_API int plex_query_add_filter(plex_query *q, const char *expression);

/** The encoded query string without '?': borrowed from q, valid until it changes; "" when
 *  empty or q is NULL. */
PLEX_API const char *plex_query_string(const plex_query *q);

/** Free a query; NULL does nothing. */
PLEX_API void plex_query_free(plex_query *q);

PLEX_END_DECL

#endif

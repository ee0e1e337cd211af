/*
 * libplex: the data models of the plex.tv API, decoded from and encoded to
 * their wire form. Parsing does no I/O: these functions work on bytes.
 *
 * The models themselves (structs, parse/free/to_json/accessors) are
 * generated from src/lib/tv/<name>.model into <plex/tv/models.h>; this header
 * adds the value types (<plex/value.h>) and the hand-written encoders.
 */
#ifndef PLEX_MODELS_H
#define PLEX_MODELS_H

#include "plex/common.h"
#include "plex/errors.h"
#include "plex/tv/models.h"
#include "plex/value.h"

PLEX_BEGIN_DECL

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

/*
 * Fuzz target for plex_user_parse (the answer of GET /api/v2/user; the
 * decoder lives in src/lib/client.c, so this target also links plex_net).
 *
 * The input is decoded tolerantly and strictly. Laws checked:
 *   - a failure sets *out to NULL and returns an expected code, with the
 *     error recorded (a syntax error with an offset inside the input);
 *   - a strict success implies a tolerant success with the same user, and
 *     has the required fields (id, uuid, username);
 *   - a decoded user encodes (plex_user_to_json), the encoding decodes to
 *     an equal user, and encoding that again gives the same bytes (users
 *     are compared by a few fields, the presence bits and their encodings,
 *     so that the target keeps up with the growing model).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define USER_REQUIRED 0x7u /* id, uuid, username */

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Two users are equal when a few key fields and their encodings (every
 * present field, sub-objects and arrays included) are. Comparing encodings
 * keeps this target right as the model grows. */
static void check_user_eq(const plex_user *a, const plex_user *b)
{
    char *ja = NULL, *jb = NULL;
    int ra, rb;

    FUZZ_CHECK(a->id == b->id, "id differs");
    FUZZ_CHECK(str_eq(a->uuid, b->uuid), "uuid differs");
    FUZZ_CHECK(str_eq(a->username, b->username), "username differs");
    FUZZ_CHECK(str_eq(a->auth_token, b->auth_token), "authToken differs");
    FUZZ_CHECK(a->present == b->present, "present bits differ");
    ra = plex_user_to_json(a, &ja);
    rb = plex_user_to_json(b, &jb);
    if (ra == 0 && rb == 0)
        FUZZ_CHECK(strcmp(ja, jb) == 0, "the encodings of two equal users differ");
    else
        FUZZ_CHECK(ra == PLEX_ENOMEM || rb == PLEX_ENOMEM || ra == rb,
                   "one of two equal users encodes, the other does not");
    plex_free(ja);
    plex_free(jb);
}

static void check_bools(const plex_user *u)
{
    const plex_opt_bool b[] = {
        u->confirmed, u->email_only_auth, u->has_password, u->protected_, u->restricted,
        u->home,      u->home_admin,      u->guest,        u->anonymous,  u->two_factor_enabled};
    for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
        FUZZ_CHECK(b[i] == PLEX_ABSENT || b[i] == PLEX_FALSE || b[i] == PLEX_TRUE,
                   "a boolean outside absent/false/true");
}

/* encode -> decode -> compare -> encode again -> same bytes (fuzz_check.h) */
FUZZ_DEFINE_ROUND_TRIP(check_round_trip, plex_user, plex_user_to_json, plex_user_parse,
                       check_user_eq, plex_user_free, "user", 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plex_user *tolerant = NULL, *strict = NULL;
    plex_error err;
    int rc_t, rc_s;

    rc_t = plex_user_parse(&tolerant, (const char *)data, size, 0, &err);
    if (rc_t == 0) {
        FUZZ_CHECK(tolerant != NULL, "success without a user");
        check_bools(tolerant);
        check_round_trip(tolerant);
    } else {
        fuzz_check_failure(rc_t, tolerant, &err, size);
    }

    rc_s = plex_user_parse(&strict, (const char *)data, size, PLEX_PARSE_STRICT, &err);
    if (rc_s == 0) {
        FUZZ_CHECK(strict != NULL, "strict success without a user");
        FUZZ_CHECK((strict->present & USER_REQUIRED) == USER_REQUIRED,
                   "strict success without id, uuid and username");
        FUZZ_CHECK(rc_t == 0, "strict accepts what tolerant refuses");
        check_user_eq(tolerant, strict);
    } else {
        fuzz_check_failure(rc_s, strict, &err, size);
        if (rc_t == PLEX_EPARSE)
            FUZZ_CHECK(rc_s == PLEX_EPARSE || rc_s == PLEX_ESCHEMA,
                       "malformed input reported as another kind in strict mode");
        if (rc_t == 0 && (tolerant->present & USER_REQUIRED) != USER_REQUIRED)
            FUZZ_CHECK(rc_s == PLEX_ESCHEMA || rc_s == PLEX_ENOMEM,
                       "strict refuses a user without required fields with an unexpected code");
    }
    FUZZ_CHECK(plex_user_parse(NULL, (const char *)data, size, 0, NULL) == PLEX_EINVALID,
               "NULL out accepted");
    plex_user_free(tolerant);
    plex_user_free(strict);
    return 0;
}

/*
 * Fuzz target for plex_pin_parse (src/lib/pin.c).
 *
 * The input is decoded tolerantly and strictly. Laws checked:
 *   - a strict success implies a tolerant success with the same pin;
 *   - a failure sets *out to NULL and returns an expected code;
 *   - a decoded pin encodes (plex_pin_to_json), the encoding decodes to an
 *     equal pin, and encoding that again gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int ts_eq(plex_timestamp a, plex_timestamp b)
{
    return a.seconds == b.seconds && a.millis == b.millis;
}

static void check_geo_eq(const plex_geodata *a, const plex_geodata *b)
{
    FUZZ_CHECK((a == NULL) == (b == NULL), "location present in one pin only");
    if (!a)
        return;
    FUZZ_CHECK(str_eq(a->code, b->code), "location.code differs");
    FUZZ_CHECK(str_eq(a->continent_code, b->continent_code), "location.continent_code differs");
    FUZZ_CHECK(str_eq(a->country, b->country), "location.country differs");
    FUZZ_CHECK(str_eq(a->city, b->city), "location.city differs");
    FUZZ_CHECK(a->european_union_member == b->european_union_member,
               "location.european_union_member differs");
    FUZZ_CHECK(str_eq(a->time_zone, b->time_zone), "location.time_zone differs");
    FUZZ_CHECK(str_eq(a->postal_code, b->postal_code), "location.postal_code differs");
    FUZZ_CHECK(a->in_privacy_restricted_country == b->in_privacy_restricted_country,
               "location.in_privacy_restricted_country differs");
    FUZZ_CHECK(a->in_privacy_restricted_region == b->in_privacy_restricted_region,
               "location.in_privacy_restricted_region differs");
    FUZZ_CHECK(str_eq(a->subdivisions, b->subdivisions), "location.subdivisions differs");
    FUZZ_CHECK(str_eq(a->coordinates, b->coordinates), "location.coordinates differs");
    FUZZ_CHECK(a->has_lat_lon == b->has_lat_lon, "location.has_lat_lon differs");
    if (a->has_lat_lon) {
        FUZZ_CHECK(a->latitude == b->latitude && a->longitude == b->longitude,
                   "location latitude/longitude differ");
        FUZZ_CHECK(a->latitude >= -90 && a->latitude <= 90 && a->longitude >= -180 &&
                       a->longitude <= 180,
                   "latitude/longitude out of range");
    }
    FUZZ_CHECK(a->present == b->present, "location.present differs");
}

static void check_pin_eq(const plex_pin *a, const plex_pin *b)
{
    FUZZ_CHECK(a->id == b->id, "id differs");
    FUZZ_CHECK(str_eq(a->code, b->code), "code differs");
    FUZZ_CHECK(str_eq(a->product, b->product), "product differs");
    FUZZ_CHECK(a->trusted == b->trusted, "trusted differs");
    FUZZ_CHECK(str_eq(a->qr, b->qr), "qr differs");
    FUZZ_CHECK(str_eq(a->client_identifier, b->client_identifier), "clientIdentifier differs");
    check_geo_eq(a->location, b->location);
    FUZZ_CHECK(a->expires_in == b->expires_in, "expiresIn differs");
    FUZZ_CHECK(ts_eq(a->created_at, b->created_at), "createdAt differs");
    FUZZ_CHECK(ts_eq(a->expires_at, b->expires_at), "expiresAt differs");
    FUZZ_CHECK(str_eq(a->auth_token, b->auth_token), "authToken differs");
    FUZZ_CHECK(str_eq(a->new_registration, b->new_registration), "newRegistration differs");
    FUZZ_CHECK(a->present == b->present, "present bits differ");
    FUZZ_CHECK(a->missing == b->missing, "missing bits differ");
}

/* encode -> decode -> compare -> encode again -> same bytes (fuzz_check.h) */
FUZZ_DEFINE_ROUND_TRIP(check_round_trip, plex_pin, plex_pin_to_json, plex_pin_parse, check_pin_eq,
                       plex_pin_free, "pin", 0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plex_pin *tolerant = NULL, *strict = NULL;
    plex_error err;
    int rc_t, rc_s;

    rc_t = plex_pin_parse(&tolerant, (const char *)data, size, 0, &err);
    if (rc_t == 0) {
        FUZZ_CHECK(tolerant != NULL, "success without a pin");
        FUZZ_CHECK((tolerant->missing & ~PLEX_PIN_REQUIRED) == 0,
                   "a field that is not required is reported missing");
        FUZZ_CHECK((tolerant->missing & tolerant->present) == 0,
                   "a field is both present and missing");
        check_round_trip(tolerant);
    } else {
        fuzz_check_failure(rc_t, tolerant, &err, size);
    }

    rc_s = plex_pin_parse(&strict, (const char *)data, size, PLEX_PARSE_STRICT, NULL);
    if (rc_s == 0) {
        FUZZ_CHECK(strict != NULL, "strict success without a pin");
        FUZZ_CHECK(strict->missing == 0, "strict success with missing fields");
        FUZZ_CHECK(rc_t == 0, "strict accepts what tolerant refuses");
        check_pin_eq(tolerant, strict);
    } else {
        FUZZ_CHECK(strict == NULL, "*out not NULL after a strict failure");
        /* The decoder stops at the first error in document order, so strict
         * mode may meet a shape error (a required field that is null) before
         * the syntax error that tolerant mode reports. */
        if (rc_t == PLEX_EPARSE)
            FUZZ_CHECK(rc_s == PLEX_EPARSE || rc_s == PLEX_ESCHEMA,
                       "malformed input reported as another kind in strict mode");
        if (rc_t == 0 && tolerant->missing != 0)
            FUZZ_CHECK(rc_s == PLEX_ESCHEMA || rc_s == PLEX_ENOMEM,
                       "strict refuses a pin with missing fields with an unexpected code");
        if (rc_t == 0 && tolerant->missing == 0)
            FUZZ_CHECK(rc_s == PLEX_ENOMEM, "strict refuses a complete pin that tolerant accepts");
    }
    plex_pin_free(tolerant);
    plex_pin_free(strict);
    return 0;
}

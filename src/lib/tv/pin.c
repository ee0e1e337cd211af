/*
 * plex_pin: the PIN container (GetPinAuthPinContainer) and its GeoData.
 */
#include "pin.h"

#include <string.h>

#include "core/error.h"
#include "plex/models.h"

/* GeoData field n has presence bit n; inside a pin they land at bit 16 + n. */
#define GEO_SHIFT 16

/* One number of a coordinate pair at *p (spaces around it skipped), up to
 * `stop` or the end; *p moves past it. Returns 0 or -1. */
static int coordinate(const char **p, int stop, double *out)
{
    const char *a = *p, *z;

    while (*a == ' ')
        a++;
    z = a;
    while (*z && *z != stop)
        z++;
    *p = z;
    while (z > a && z[-1] == ' ')
        z--;
    return plex__json_strtod(a, (size_t)(z - a), out);
}

/* "18.3381, -64.8941" -> latitude, longitude (both in range) */
static void geodata_finish(void *obj)
{
    plex_geodata *g = obj;
    const char *p = g->coordinates;
    double lat, lon;

    if (!p || coordinate(&p, ',', &lat) != 0 || *p != ',')
        return;
    p++;
    if (coordinate(&p, '\0', &lon) != 0)
        return;
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return;
    g->latitude = lat;
    g->longitude = lon;
    g->has_lat_lon = 1;
}

#define R PLEX__F_REQUIRED
static const plex__field geodata_fields[] = {
    PLEX__FIELD("code", PLEX__F_STRING, R, 0, plex_geodata, code),
    PLEX__FIELD("continent_code", PLEX__F_STRING, R, 1, plex_geodata, continent_code),
    PLEX__FIELD("country", PLEX__F_STRING, R, 2, plex_geodata, country),
    PLEX__FIELD("city", PLEX__F_STRING, R, 3, plex_geodata, city),
    PLEX__FIELD("european_union_member", PLEX__F_BOOL, 0, 4, plex_geodata, european_union_member),
    PLEX__FIELD("time_zone", PLEX__F_STRING, R, 5, plex_geodata, time_zone),
    PLEX__FIELD("postal_code", PLEX__F_STRING_OR_NUMBER, R, 6, plex_geodata, postal_code),
    PLEX__FIELD("in_privacy_restricted_country", PLEX__F_BOOL, 0, 7, plex_geodata,
                in_privacy_restricted_country),
    PLEX__FIELD("in_privacy_restricted_region", PLEX__F_BOOL, 0, 8, plex_geodata,
                in_privacy_restricted_region),
    PLEX__FIELD("subdivisions", PLEX__F_STRING, R, 9, plex_geodata, subdivisions),
    PLEX__FIELD("coordinates", PLEX__F_STRING, R, 10, plex_geodata, coordinates),
};

const plex__schema plex__geodata_schema = {
    geodata_fields, sizeof(geodata_fields) / sizeof(geodata_fields[0]), sizeof(plex_geodata),
    offsetof(plex_geodata, present), (size_t)-1, 0x190, geodata_finish, 0x66F};

static const plex__field pin_fields[] = {
    PLEX__FIELD("id", PLEX__F_INT64, R, 0, plex_pin, id),
    PLEX__FIELD("code", PLEX__F_STRING, R, 1, plex_pin, code),
    PLEX__FIELD("product", PLEX__F_STRING, R, 2, plex_pin, product),
    PLEX__FIELD("trusted", PLEX__F_BOOL, 0, 3, plex_pin, trusted),
    PLEX__FIELD("qr", PLEX__F_STRING, R, 4, plex_pin, qr),
    PLEX__FIELD("clientIdentifier", PLEX__F_STRING, R, 5, plex_pin, client_identifier),
    PLEX__FIELD_OBJ("location", R, 6, plex_pin, location, &plex__geodata_schema, GEO_SHIFT),
    PLEX__FIELD("expiresIn", PLEX__F_INT32, 0, 7, plex_pin, expires_in),
    PLEX__FIELD("createdAt", PLEX__F_TIME, R, 8, plex_pin, created_at),
    PLEX__FIELD("expiresAt", PLEX__F_TIME, R, 9, plex_pin, expires_at),
    PLEX__FIELD("authToken", PLEX__F_STRING, PLEX__F_NULLABLE | PLEX__F_NULL_OUT, 10, plex_pin,
                auth_token),
    PLEX__FIELD("newRegistration", PLEX__F_RAW, PLEX__F_NULLABLE | PLEX__F_NULL_OUT, 11, plex_pin,
                new_registration),
};
#undef R

const plex__schema plex__pin_schema = {
    pin_fields,      sizeof(pin_fields) / sizeof(pin_fields[0]), sizeof(plex_pin),
    offsetof(plex_pin, present), offsetof(plex_pin, missing),   0x8, NULL, 0x377};

int plex_pin_parse(plex_pin **out, const char *data, size_t len, unsigned int flags,
                   plex_error *err)
{
    void *pin = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse(&pin, &plex__pin_schema, data, len, flags, err);
    *out = pin;
    return rc;
}

void plex_pin_free(plex_pin *pin)
{
    plex__arena_free_root(pin);
}

int plex_pin_to_json(const plex_pin *pin, char **out)
{
    return plex__model_to_json(&plex__pin_schema, pin, out);
}

const char *plex_pin_field_name(unsigned int field)
{
    static const char *const top[] = {"id",        "code",      "product",   "trusted",
                                      "qr",        "clientIdentifier",       "location",
                                      "expiresIn", "createdAt", "expiresAt", "authToken",
                                      "newRegistration"};
    static const char *const geo[] = {"location.code",
                                      "location.continent_code",
                                      "location.country",
                                      "location.city",
                                      "location.european_union_member",
                                      "location.time_zone",
                                      "location.postal_code",
                                      "location.in_privacy_restricted_country",
                                      "location.in_privacy_restricted_region",
                                      "location.subdivisions",
                                      "location.coordinates"};
    unsigned int i;

    if (field == 0 || (field & (field - 1)) != 0)
        return "?";
    for (i = 0; (field >> i) != 1; i++)
        ;
    if (i < sizeof(top) / sizeof(top[0]))
        return top[i];
    if (i >= GEO_SHIFT && i - GEO_SHIFT < sizeof(geo) / sizeof(geo[0]))
        return geo[i - GEO_SHIFT];
    return "?";
}

/*
 * The PIN container model: every field of the seed, the real-world variants of
 * PROTOCOL.md §4, strict vs tolerant decoding, error reports, encoding and the
 * decode(encode(x)) == x law, memory (one allocation, failure injection).
 */
#include <math.h>

#include <plex/plex.h>

#include "core/alloc.h"
#include "schema_check.h"
#include "test.h"
#include "tv/models.gen.h"

static plex_pin *parse_file(const char *name, unsigned int flags, int expect_rc)
{
    plex_pin *pin = NULL;
    plex_error err;
    size_t len;
    char *data = test_read_file(test_fixture(name), &len);
    int rc = plex_pin_parse(&pin, data, len, flags, &err);

    if (rc != expect_rc)
        fprintf(stderr, "%s: rc %d (%s)\n", name, rc, err.message);
    CHECK_INT(rc, expect_rc);
    free(data);
    return pin;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Field-by-field equality of two pins (the round-trip law). */
static int pins_equal(const plex_pin *a, const plex_pin *b)
{
    const plex_geodata *g = a->location, *h = b->location;

    if (a->id != b->id || !str_eq(a->code, b->code) || !str_eq(a->product, b->product) ||
        a->trusted != b->trusted || !str_eq(a->qr, b->qr) ||
        !str_eq(a->client_identifier, b->client_identifier) || a->expires_in != b->expires_in ||
        a->created_at.seconds != b->created_at.seconds ||
        a->created_at.millis != b->created_at.millis ||
        a->expires_at.seconds != b->expires_at.seconds ||
        a->expires_at.millis != b->expires_at.millis || !str_eq(a->auth_token, b->auth_token) ||
        !str_eq(a->new_registration, b->new_registration) || a->present != b->present ||
        a->missing != b->missing)
        return 0;
    if (!g || !h)
        return g == h;
    return str_eq(g->code, h->code) && str_eq(g->continent_code, h->continent_code) &&
           str_eq(g->country, h->country) && str_eq(g->city, h->city) &&
           g->european_union_member == h->european_union_member &&
           str_eq(g->time_zone, h->time_zone) && str_eq(g->postal_code, h->postal_code) &&
           g->in_privacy_restricted_country == h->in_privacy_restricted_country &&
           g->in_privacy_restricted_region == h->in_privacy_restricted_region &&
           str_eq(g->subdivisions, h->subdivisions) && str_eq(g->coordinates, h->coordinates) &&
           g->has_lat_lon == h->has_lat_lon && g->latitude == h->latitude &&
           g->longitude == h->longitude && g->present == h->present;
}

static void check_roundtrip(const plex_pin *pin)
{
    char *json = NULL, *json2 = NULL;
    plex_pin *back = NULL;

    REQUIRE(plex_pin_to_json(pin, &json) == 0);
    CHECK_INT(plex_pin_parse(&back, json, strlen(json), 0, NULL), 0);
    REQUIRE(back != NULL);
    CHECK(pins_equal(pin, back));
    /* encoding is canonical: a second round gives the same bytes */
    REQUIRE(plex_pin_to_json(back, &json2) == 0);
    CHECK_STR(json2, json);
    plex_free(json);
    plex_free(json2);
    plex_pin_free(back);
}

static void test_seed(void)
{
    plex_pin *p = parse_file("pin/seed.json", PLEX_PARSE_STRICT, 0);
    const plex_geodata *g;

    REQUIRE(p != NULL);
    CHECK_INT(p->id, 308667304);
    CHECK_STR(p->code, "7RQZ");
    CHECK_STR(p->product, "Tautulli");
    CHECK_INT(p->trusted, PLEX_FALSE);
    CHECK_STR(p->qr, "https://plex.tv/api/v2/pins/qr/7RQZ");
    CHECK_STR(p->client_identifier, "Tautulli");
    CHECK_INT(p->expires_in, 876);
    CHECK_INT(p->created_at.seconds, 1721149385); /* 2024-07-16T17:03:05Z */
    CHECK_INT(p->created_at.millis, 0);
    CHECK_INT(p->expires_at.seconds, 1721149385 + 900);
    CHECK_STR(p->auth_token, "gcgzw5rz2xovp84b4vha3a40");
    CHECK(p->new_registration == NULL);
    CHECK_INT(p->missing, 0);
    CHECK(p->present & PLEX_PIN_AUTH_TOKEN);
    CHECK(!(p->present & PLEX_PIN_NEW_REGISTRATION));
    g = p->location;
    REQUIRE(g != NULL);
    CHECK_STR(g->code, "VI");
    CHECK_STR(g->continent_code, "NA");
    CHECK_STR(g->country, "United States Virgin Islands");
    CHECK_STR(g->city, "Amsterdam");
    CHECK_INT(g->european_union_member, PLEX_TRUE);
    CHECK_STR(g->time_zone, "America/St_Thomas");
    CHECK_STR(g->postal_code, "802"); /* a number on the wire, kept as its text */
    CHECK_INT(g->in_privacy_restricted_country, PLEX_TRUE);
    CHECK_INT(g->in_privacy_restricted_region, PLEX_TRUE);
    CHECK_STR(g->subdivisions, "Saint Thomas");
    CHECK_STR(g->coordinates, "18.3381, -64.8941");
    CHECK(g->has_lat_lon);
    CHECK(fabs(g->latitude - 18.3381) < 1e-12);
    CHECK(fabs(g->longitude - -64.8941) < 1e-12);
    CHECK_INT(g->present, 0x7FF);
    CHECK_INT(p->present & PLEX_PIN_REQUIRED, PLEX_PIN_REQUIRED);
    check_roundtrip(p);
    plex_pin_free(p);
}

static void test_variants(void)
{
    plex_pin *p;

    /* the spec's pending example: product "0", authToken null, string postal code */
    p = parse_file("pin/spec_pending_nl.json", PLEX_PARSE_STRICT, 0);
    REQUIRE(p != NULL);
    CHECK_STR(p->product, "0");
    CHECK(p->auth_token == NULL);
    CHECK(!(p->present & PLEX_PIN_AUTH_TOKEN));
    CHECK_STR(p->location->postal_code, "4814");
    check_roundtrip(p);
    plex_pin_free(p);

    /* an older capture: no qr, a subset of location, fractional seconds */
    p = parse_file("pin/older_capture_subset.json", 0, 0);
    REQUIRE(p != NULL);
    CHECK(p->qr == NULL);
    CHECK_INT(p->missing, PLEX_PIN_QR | PLEX_PIN_LOCATION_CONTINENT_CODE |
                              PLEX_PIN_LOCATION_TIME_ZONE | PLEX_PIN_LOCATION_POSTAL_CODE);
    CHECK_INT(p->location->european_union_member, PLEX_ABSENT);
    CHECK_INT(p->created_at.seconds, 1553734577); /* 2019-03-28T00:56:17.247Z */
    CHECK_INT(p->created_at.millis, 247);
    CHECK(!(p->present & PLEX_PIN_NEW_REGISTRATION));
    check_roundtrip(p);
    plex_pin_free(p);
    CHECK(parse_file("pin/older_capture_subset.json", PLEX_PARSE_STRICT, PLEX_ESCHEMA) == NULL);

    /* a linked strong PIN with a long JWT, offsets, newRegistration false */
    p = parse_file("pin/linked_strong_jwt.json", PLEX_PARSE_STRICT, 0);
    REQUIRE(p != NULL);
    CHECK_INT(strlen(p->code), 25);
    CHECK(p->auth_token && strlen(p->auth_token) == 834);
    CHECK_STR(p->new_registration, "false");
    CHECK_INT(p->trusted, PLEX_TRUE);
    CHECK_INT(p->created_at.seconds, 1721149385); /* 19:03:05+02:00 */
    CHECK_INT(p->expires_at.seconds, 1721149385 + 1800);
    CHECK_INT(p->expires_at.millis, 500);
    CHECK_STR(p->location->postal_code, "811 06");
    check_roundtrip(p);
    plex_pin_free(p);

    /* unknown keys anywhere are ignored */
    p = parse_file("pin/unknown_fields.json", PLEX_PARSE_STRICT, 0);
    REQUIRE(p != NULL);
    CHECK_STR(p->location->postal_code, "SW1A 1AA");
    CHECK_INT(p->expires_in, 900);
    check_roundtrip(p);
    plex_pin_free(p);

    /* newRegistration keeps its exact raw text */
    p = parse_file("pin/new_registration_object.json", 0, 0);
    REQUIRE(p != NULL);
    CHECK_STR(p->new_registration, "{\"source\": \"pin\", \"ids\": [1, 2]}");
    check_roundtrip(p);
    plex_pin_free(p);

    /* tolerant mode reads null as absent; strict rejects null for a string */
    p = parse_file("pin/tolerated_nulls.json", 0, 0);
    REQUIRE(p != NULL);
    CHECK(p->location->city == NULL);
    CHECK_INT(p->trusted, PLEX_ABSENT);
    CHECK(!(p->present & PLEX_PIN_EXPIRES_IN));
    CHECK_INT(p->missing, PLEX_PIN_LOCATION_CITY);
    CHECK_STR(p->location->postal_code, "N19");
    check_roundtrip(p);
    plex_pin_free(p);
    CHECK(parse_file("pin/tolerated_nulls.json", PLEX_PARSE_STRICT, PLEX_ESCHEMA) == NULL);
}

static void expect_error(const char *json, unsigned int flags, int rc, long long pos,
                         const char *message)
{
    plex_pin *p = (plex_pin *)(void *)&p; /* must be reset to NULL on failure */
    plex_error err;

    CHECK_INT(plex_pin_parse(&p, json, strlen(json), flags, &err), rc);
    CHECK(p == NULL);
    CHECK_INT(err.code, rc);
    CHECK_INT(err.json_pos, pos);
    if (strcmp(err.message, message) != 0)
        fprintf(stderr, "input: %s\n", json);
    CHECK_STR(err.message, message);
}

static void test_errors(void)
{
    /* malformed JSON: byte offsets */
    expect_error("", 0, PLEX_EPARSE, 0, "syntax error at byte 0: empty input");
    expect_error("{\"id\":1,", 0, PLEX_EPARSE, 8,
                 "syntax error at byte 8: unexpected end of input");
    expect_error("{\"id\":01}", 0, PLEX_EPARSE, 7,
                 "syntax error at byte 7: invalid number: leading zero");
    expect_error("{\"id\":1} x", 0, PLEX_EPARSE, 9,
                 "syntax error at byte 9: unexpected data after the JSON value");
    expect_error("{\"code\":\"a\x01\"}", 0, PLEX_EPARSE, 10,
                 "syntax error at byte 10: control character in string (must be escaped)");
    expect_error("{\"code\":\"\xC0\x80\"}", 0, PLEX_EPARSE, 9,
                 "syntax error at byte 9: invalid UTF-8 in string");
    /* a syntax error after a shape problem is still a syntax error */
    expect_error("[1, 2,]", 0, PLEX_EPARSE, 6, "syntax error at byte 6: expected a value");

    /* well-formed JSON of the wrong shape: the field path */
    expect_error("{\"location\":{\"city\":5}}", 0, PLEX_ESCHEMA, -1,
                 "location.city: expected string, got number");
    expect_error("{\"id\":\"308667304\"}", 0, PLEX_ESCHEMA, -1, "id: expected integer, got string");
    expect_error("{\"id\":1.5}", 0, PLEX_ESCHEMA, -1,
                 "id: expected integer, got a number with a fraction or exponent");
    expect_error("{\"id\":9223372036854775808}", 0, PLEX_ESCHEMA, -1, "id: integer out of range");
    expect_error("{\"expiresIn\":2147483648}", 0, PLEX_ESCHEMA, -1,
                 "expiresIn: integer out of range");
    expect_error("{\"trusted\":\"yes\"}", 0, PLEX_ESCHEMA, -1,
                 "trusted: expected boolean, got string");
    expect_error("{\"location\":[]}", 0, PLEX_ESCHEMA, -1, "location: expected object, got array");
    expect_error("{\"createdAt\":\"yesterday\"}", 0, PLEX_ESCHEMA, -1,
                 "createdAt: expected an RFC 3339 date-time");
    expect_error("{\"createdAt\":\"2024-02-30T00:00:00Z\"}", 0, PLEX_ESCHEMA, -1,
                 "createdAt: expected an RFC 3339 date-time");
    expect_error("{\"code\":\"a\",\"code\":\"b\"}", 0, PLEX_ESCHEMA, -1, "code: duplicate key");
    expect_error("{\"authToken\":\"a\\u0000b\"}", 0, PLEX_ESCHEMA, -1,
                 "authToken: string contains a NUL character (\\u0000)");
    expect_error("[]", 0, PLEX_ESCHEMA, -1, "expected an object at the top level, got array");
    expect_error("{\"location\":{\"postal_code\":true}}", 0, PLEX_ESCHEMA, -1,
                 "location.postal_code: expected string or number, got boolean");
    expect_error("{\"code\":null}", PLEX_PARSE_STRICT, PLEX_ESCHEMA, -1,
                 "code: expected string, got null");
    expect_error("{\"id\":1}", PLEX_PARSE_STRICT, PLEX_ESCHEMA, -1,
                 "missing required fields: code, product, qr, clientIdentifier, location, "
                 "createdAt, expiresAt");

    /* NULL arguments */
    {
        plex_pin *p;
        CHECK_INT(plex_pin_parse(NULL, "{}", 2, 0, NULL), PLEX_EINVALID);
        CHECK_INT(plex_pin_parse(&p, NULL, 2, 0, NULL), PLEX_EINVALID);
        CHECK_INT(plex_pin_to_json(NULL, NULL), PLEX_EINVALID);
    }
    /* escaped keys match their unescaped names */
    {
        plex_pin *p = NULL;
        const char *j = "{\"c\\u006fde\":\"X\\/Y\\u00e9\\ud83d\\ude00\"}";
        CHECK_INT(plex_pin_parse(&p, j, strlen(j), 0, NULL), 0);
        REQUIRE(p != NULL);
        CHECK_STR(p->code, "X/Y\xC3\xA9\xF0\x9F\x98\x80");
        plex_pin_free(p);
    }
}

static void test_build_and_encode(void)
{
    plex_geodata g;
    plex_pin pin;
    char *json = NULL;

    memset(&g, 0, sizeof(g));
    memset(&pin, 0, sizeof(pin));
    g.code = "GB";
    g.city = "Lon\"don\n";
    g.present = 1u << 0 | 1u << 3;
    pin.id = 42;
    pin.code = "ABCD";
    pin.location = &g;
    pin.expires_in = 900;
    pin.created_at.seconds = 0;
    pin.created_at.millis = 5;
    pin.present =
        PLEX_PIN_ID | PLEX_PIN_CODE | PLEX_PIN_LOCATION | PLEX_PIN_EXPIRES_IN | PLEX_PIN_CREATED_AT;
    REQUIRE(plex_pin_to_json(&pin, &json) == 0);
    CHECK_STR(json,
              "{\"id\":42,\"code\":\"ABCD\",\"location\":{\"code\":\"GB\",\"city\":"
              "\"Lon\\\"don\\n\"},\"expiresIn\":900,\"createdAt\":\"1970-01-01T00:00:00.005Z\","
              "\"authToken\":null,\"newRegistration\":null}");
    plex_free(json);

    pin.new_registration = "[1, {\"a\" : true}]";
    REQUIRE(plex_pin_to_json(&pin, &json) == 0);
    CHECK(strstr(json, "\"newRegistration\":[1, {\"a\" : true}]") != NULL);
    plex_free(json);

    pin.new_registration = "{not json";
    CHECK_INT(plex_pin_to_json(&pin, &json), PLEX_EINVALID);
    CHECK(json == NULL);
    pin.new_registration = NULL;
    pin.code = "\xFF\xFE";
    CHECK_INT(plex_pin_to_json(&pin, &json), PLEX_EINVALID);
    pin.code = "ok";
    pin.created_at.seconds = 300000000000LL; /* year 11476 */
    CHECK_INT(plex_pin_to_json(&pin, &json), PLEX_EINVALID);
}

static void test_timestamps(void)
{
    plex_timestamp t;
    char buf[40];
    static const struct {
        const char *text;
        int64_t seconds;
        int millis;
    } ok[] = {
        {"1970-01-01T00:00:00Z", 0, 0},
        {"2024-07-16T17:03:05Z", 1721149385, 0},
        {"2024-07-16t17:03:05z", 1721149385, 0},
        {"2019-03-28T00:56:17.247Z", 1553734577, 247},
        {"2019-03-28T00:56:17.2Z", 1553734577, 200},
        {"2019-03-28T00:56:17.123456789Z", 1553734577, 123},
        {"2024-07-16T19:03:05+02:00", 1721149385, 0},
        {"2024-07-16T12:33:05-04:30", 1721149385, 0},
        {"2000-02-29T00:00:00Z", 951782400, 0},
        {"1969-12-31T23:59:59Z", -1, 0},
        {"9999-12-31T23:59:59Z", 253402300799LL, 0},
    };
    static const char *const bad[] = {
        "",
        "2024-07-16",
        "2024-07-16T17:03:05",
        "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-07-16T24:00:00Z",
        "2024-07-16T17:60:00Z",
        "2024-07-16T17:03:05.Z",
        "2024-07-16T17:03:05+2:00",
        "2024-07-16T17:03:05Zjunk",
        "2024-07-16T17:03:05+24:00",
        "20x4-07-16T17:03:05Z",
    };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK_INT(plex_timestamp_parse(&t, ok[i].text, strlen(ok[i].text)), 0);
        CHECK_INT(t.seconds, ok[i].seconds);
        CHECK_INT(t.millis, ok[i].millis);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT(plex_timestamp_parse(&t, bad[i], strlen(bad[i])), PLEX_EINVALID);

    t.seconds = 1553734577;
    t.millis = 247;
    CHECK_INT(plex_timestamp_format(t, buf, sizeof(buf)), 0);
    CHECK_STR(buf, "2019-03-28T00:56:17.247Z");
    t.seconds = -1;
    t.millis = 0;
    CHECK_INT(plex_timestamp_format(t, buf, sizeof(buf)), 0);
    CHECK_STR(buf, "1969-12-31T23:59:59Z");
    CHECK_INT(plex_timestamp_format(t, buf, 10), PLEX_EINVALID);
}

static void test_schema_required_bits(void)
{
    check_schema(&plex__pin_schema);
    check_schema(&plex__geodata_schema);
    CHECK_INT(plex__pin_schema.required[0] | plex__geodata_schema.required[0] << 16,
              PLEX_PIN_REQUIRED);
}

static void test_field_names(void)
{
    CHECK_STR(plex_pin_field_name(PLEX_PIN_CLIENT_IDENTIFIER), "clientIdentifier");
    CHECK_STR(plex_pin_field_name(PLEX_PIN_LOCATION_CITY), "location.city");
    CHECK_STR(plex_pin_field_name(PLEX_PIN_LOCATION_COORDINATES), "location.coordinates");
    CHECK_STR(plex_pin_field_name(PLEX_PIN_NEW_REGISTRATION), "newRegistration");
    CHECK_STR(plex_pin_field_name(0), "?");
    CHECK_STR(plex_pin_field_name(3), "?");
    CHECK_STR(plex_pin_field_name(1u << 30), "?");
}

static void test_coordinates(void)
{
    static const struct {
        const char *coords;
        int ok;
        double lat, lon;
    } cases[] = {
        {"18.3381, -64.8941", 1, 18.3381, -64.8941},
        {"51.5869,4.7471", 1, 51.5869, 4.7471},
        {" -90 , 180 ", 1, -90, 180},
        {"91, 0", 0, 0, 0},
        {"0, 181", 0, 0, 0},
        {"abc, 1", 0, 0, 0},
        {"1.5", 0, 0, 0},
        {"", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json[128];
        plex_pin *p = NULL;
        snprintf(json, sizeof(json), "{\"location\":{\"coordinates\":\"%s\"}}", cases[i].coords);
        REQUIRE(plex_pin_parse(&p, json, strlen(json), 0, NULL) == 0);
        CHECK_INT(p->location->has_lat_lon, cases[i].ok);
        if (cases[i].ok) {
            CHECK(p->location->latitude == cases[i].lat);
            CHECK(p->location->longitude == cases[i].lon);
        }
        plex_pin_free(p);
    }
}

/* One allocation per decode, and every allocation failure is clean. */
static void test_memory(void)
{
    size_t len;
    char *data = test_read_file(test_fixture("pin/linked_strong_jwt.json"), &len);
    plex_pin *p = NULL;
    unsigned long total;

    plex_pin_free(NULL); /* safe */
    plex__alloc_fail_at(0);
    REQUIRE(plex_pin_parse(&p, data, len, 0, NULL) == 0);
    CHECK_INT(plex__alloc_count(), 1);
    plex_pin_free(p);

    /* a document bigger than the first block: the arena grows, still clean */
    {
        size_t big = 200000;
        char *doc = malloc(big + 64);
        REQUIRE(doc != NULL);
        memcpy(doc, "{\"authToken\":\"", 14);
        memset(doc + 14, 'a', big);
        memcpy(doc + 14 + big, "\",\"code\":\"X\"}", 14);
        plex__alloc_fail_at(0);
        REQUIRE(plex_pin_parse(&p, doc, strlen(doc), 0, NULL) == 0);
        total = plex__alloc_count();
        CHECK(total >= 2);
        CHECK_INT(strlen(p->auth_token), big);
        plex_pin_free(p);
        for (unsigned long n = 1; n <= total; n++) {
            plex_error err;
            plex__alloc_fail_at(n);
            CHECK_INT(plex_pin_parse(&p, doc, strlen(doc), 0, &err), PLEX_ENOMEM);
            CHECK(p == NULL);
            CHECK_STR(err.message, "out of memory");
        }
        free(doc);
    }
    /* encoding under allocation failure */
    plex__alloc_fail_at(0);
    REQUIRE(plex_pin_parse(&p, data, len, 0, NULL) == 0);
    {
        char *json = NULL;
        plex__alloc_fail_at(0);
        REQUIRE(plex_pin_to_json(p, &json) == 0);
        total = plex__alloc_count();
        plex_free(json);
        for (unsigned long n = 1; n <= total; n++) {
            plex__alloc_fail_at(n);
            CHECK_INT(plex_pin_to_json(p, &json), PLEX_ENOMEM);
            CHECK(json == NULL);
        }
    }
    plex__alloc_fail_at(0);
    plex_pin_free(p);
    free(data);
}

int main(void)
{
    test_seed();
    test_variants();
    test_errors();
    test_build_and_encode();
    test_timestamps();
    test_field_names();
    test_schema_required_bits();
    test_coordinates();
    test_memory();
    return test_summary("test_pin");
}

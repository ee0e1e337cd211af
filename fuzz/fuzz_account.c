/*
 * Fuzz target for the JSON account decoders (src/lib/account_model.c):
 * resources, companions, friends, home and GeoData, each tolerant and strict.
 *
 * Laws checked: a failure sets *out to NULL and returns an expected code; a
 * strict success implies a tolerant success; a decoded resources list
 * encodes, the encoding decodes, and encoding that again gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/account.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rc(int rc, const void *out, const plex_error *err)
{
    if (rc == 0) {
        FUZZ_CHECK(out != NULL, "success without a result");
        return;
    }
    FUZZ_CHECK(out == NULL, "*out not NULL after a failure");
    FUZZ_CHECK(rc == PLEX_EPARSE || rc == PLEX_ESCHEMA || rc == PLEX_ENOMEM,
               "unexpected error code");
    FUZZ_CHECK(err->code == rc && err->message[0] != '\0', "error not recorded");
}

static void check_resources(const plex_resources *l)
{
    char *json = NULL, *json2 = NULL;
    plex_resources *again = NULL;
    int rc;

    for (size_t i = 0; i < plex_resources_count(l); i++) {
        const plex_resource *r = plex_resources_at(l, i);
        FUZZ_CHECK(r != NULL, "resource i < count is NULL");
        for (size_t j = 0; j < plex_resource_connections_count(r); j++)
            FUZZ_CHECK(plex_resource_connection_at(r, j) != NULL, "connection j < count is NULL");
    }
    FUZZ_CHECK(plex_resources_at(l, plex_resources_count(l)) == NULL, "at(count) not NULL");
    rc = plex_resources_to_json(l, &json);
    if (rc == PLEX_EINVALID)
        return; /* a timestamp outside 0000-9999 cannot be written back */
    FUZZ_CHECK(rc == 0 && json, "plex_resources_to_json failed");
    rc = plex_resources_parse(&again, json, strlen(json), 0, NULL);
    FUZZ_CHECK(rc == 0, "the encoding of decoded resources does not decode");
    FUZZ_CHECK(plex_resources_count(again) == plex_resources_count(l), "count differs");
    FUZZ_CHECK(plex_resources_to_json(again, &json2) == 0, "second encoding failed");
    FUZZ_CHECK(strcmp(json, json2) == 0, "encoding is not canonical");
    plex_free(json);
    plex_free(json2);
    plex_resources_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    plex_error err;

    for (unsigned int flags = 0; flags <= PLEX_PARSE_STRICT; flags += PLEX_PARSE_STRICT) {
        plex_resources *r = NULL;
        plex_companions *c = NULL;
        plex_friends *f = NULL;
        plex_home *h = NULL;
        plex_geodata *g = NULL;
        int rc;

        rc = plex_resources_parse(&r, d, size, flags, &err);
        check_rc(rc, r, &err);
        if (rc == 0)
            check_resources(r);
        plex_resources_free(r);
        rc = plex_companions_parse(&c, d, size, flags, &err);
        check_rc(rc, c, &err);
        for (size_t i = 0; i < plex_companions_count(c); i++)
            FUZZ_CHECK(plex_companions_at(c, i) != NULL, "companion i < count is NULL");
        plex_companions_free(c);
        rc = plex_friends_parse(&f, d, size, flags, &err);
        check_rc(rc, f, &err);
        for (size_t i = 0; i < plex_friends_count(f); i++)
            FUZZ_CHECK(plex_friends_at(f, i) != NULL, "friend i < count is NULL");
        plex_friends_free(f);
        rc = plex_home_parse(&h, d, size, flags, &err);
        check_rc(rc, h, &err);
        plex_home_free(h);
        rc = plex_geodata_parse(&g, d, size, flags, &err);
        check_rc(rc, g, &err);
        plex_geodata_free(g);
    }
    return 0;
}

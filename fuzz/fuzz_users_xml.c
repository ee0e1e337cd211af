/*
 * Fuzz target for plex_users_parse_xml (the v1 users list, src/lib/account_model.c).
 *
 * Laws checked: a failure sets *out to NULL and returns an expected code; a
 * strict success implies a tolerant success with the same users; every
 * item below a count is reachable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/account.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plex_users *t = NULL, *s = NULL;
    plex_error err;
    int rc_t, rc_s;

    rc_t = plex_users_parse_xml(&t, (const char *)data, size, 0, &err);
    if (rc_t == 0) {
        FUZZ_CHECK(t != NULL, "success without a result");
        for (size_t i = 0; i < plex_users_count(t); i++) {
            const plex_users_entry *u = plex_users_at(t, i);
            FUZZ_CHECK(u != NULL, "user i < count is NULL");
            for (size_t j = 0; j < plex_users_entry_servers_count(u); j++)
                FUZZ_CHECK(plex_users_entry_server_at(u, j) != NULL, "server j < count is NULL");
        }
    } else {
        FUZZ_CHECK(t == NULL, "*out not NULL after a failure");
        FUZZ_CHECK(rc_t == PLEX_EPARSE || rc_t == PLEX_ESCHEMA || rc_t == PLEX_ENOMEM,
                   "unexpected error code");
        FUZZ_CHECK(err.code == rc_t && err.message[0] != '\0', "error not recorded");
    }
    rc_s = plex_users_parse_xml(&s, (const char *)data, size, PLEX_PARSE_STRICT, NULL);
    if (rc_s == 0) {
        FUZZ_CHECK(rc_t == 0, "strict accepts what tolerant refuses");
        FUZZ_CHECK(plex_users_count(s) == plex_users_count(t), "strict count differs");
    } else {
        FUZZ_CHECK(s == NULL, "*out not NULL after a strict failure");
    }
    plex_users_free(t);
    plex_users_free(s);
    return 0;
}

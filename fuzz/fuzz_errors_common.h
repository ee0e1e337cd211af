/*
 * Shared by fuzz_errors.c and fuzz_errors_xml.c: checks on a decoded error
 * container and its round trips through both encodings.
 */
#ifndef PLEX_FUZZ_ERRORS_COMMON_H
#define PLEX_FUZZ_ERRORS_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/models.h"

typedef int (*errors_parse_fn)(plex_api_errors **out, const char *data, size_t len,
                               unsigned int flags, plex_error *err);
typedef int (*errors_encode_fn)(const plex_api_error *list, size_t count, char **out);

static int fz_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static void fz_check_errors_eq(const plex_api_errors *a, const plex_api_errors *b)
{
    size_t n = plex_api_errors_count(a);

    FUZZ_CHECK(n == plex_api_errors_count(b), "entry counts differ");
    for (size_t i = 0; i < n; i++) {
        const plex_api_error *x = plex_api_errors_at(a, i), *y = plex_api_errors_at(b, i);
        FUZZ_CHECK(x != NULL && y != NULL, "plex_api_errors_at returned NULL in range");
        FUZZ_CHECK(x->code == y->code, "entry code differs");
        FUZZ_CHECK(x->status == y->status, "entry status differs");
        if (!fz_str_eq(x->message, y->message))
            fprintf(stderr, "message [%s] vs [%s]\n", x->message ? x->message : "(null)",
                    y->message ? y->message : "(null)");
        FUZZ_CHECK(fz_str_eq(x->message, y->message), "entry message differs");
    }
    FUZZ_CHECK(plex_api_errors_at(a, n) == NULL,
               "plex_api_errors_at returned an entry past the end");
}

/* encode with `enc`, decode with `dec`, compare, and check the encoding is canonical */
static void fz_round_trip(const plex_api_errors *e, errors_encode_fn enc, errors_parse_fn dec,
                          const char *what)
{
    size_t n = plex_api_errors_count(e);
    plex_api_error *list = NULL;
    plex_api_errors *again = NULL;
    char *text = NULL, *text2 = NULL;
    plex_error err;
    int rc;

    if (n) {
        list = malloc(n * sizeof(*list));
        FUZZ_CHECK(list != NULL, "out of memory");
        for (size_t i = 0; i < n; i++)
            list[i] = *plex_api_errors_at(e, i);
    }
    rc = enc(list, n, &text);
    if (rc != 0)
        fprintf(stderr, "%s: encoding failed with %d\n", what, rc);
    FUZZ_CHECK(rc == 0 && text != NULL, "encoding a decoded error container failed");
    rc = dec(&again, text, strlen(text), 0, &err);
    if (rc != 0)
        fprintf(stderr, "%s: encoded: %s\nerror: %s\n", what, text, err.message);
    FUZZ_CHECK(rc == 0 && again != NULL, "the encoding of decoded errors does not decode");
    if (plex_api_errors_count(again) != n)
        fprintf(stderr, "%s: encoded: %s\n", what, text);
    fz_check_errors_eq(e, again);
    free(list);
    list = NULL;
    if (n) {
        list = malloc(n * sizeof(*list));
        FUZZ_CHECK(list != NULL, "out of memory");
        for (size_t i = 0; i < n; i++)
            list[i] = *plex_api_errors_at(again, i);
    }
    rc = enc(list, n, &text2);
    FUZZ_CHECK(rc == 0 && text2 != NULL, "encoding re-decoded errors failed");
    FUZZ_CHECK(strcmp(text, text2) == 0, "encoding is not canonical (two encodings differ)");
    free(list);
    plex_free(text);
    plex_free(text2);
    plex_api_errors_free(again);
}

/* The whole check for one input decoded by `dec`. */
static void fz_errors_one_input(const uint8_t *data, size_t size, errors_parse_fn dec)
{
    plex_api_errors *tolerant = NULL, *strict = NULL;
    plex_error err;
    int rc_t, rc_s;

    rc_t = dec(&tolerant, (const char *)data, size, 0, &err);
    if (rc_t == 0) {
        FUZZ_CHECK(tolerant != NULL, "success without a result");
        fz_round_trip(tolerant, plex_api_errors_to_json, plex_api_errors_parse, "json");
        fz_round_trip(tolerant, plex_api_errors_to_xml, plex_api_errors_parse_xml, "xml");
    } else {
        fuzz_check_failure(rc_t, tolerant, &err, size);
    }
    rc_s = dec(&strict, (const char *)data, size, PLEX_PARSE_STRICT, NULL);
    if (rc_s == 0) {
        FUZZ_CHECK(strict != NULL, "strict success without a result");
        FUZZ_CHECK(rc_t == 0, "strict accepts what tolerant refuses");
        fz_check_errors_eq(tolerant, strict);
    } else {
        FUZZ_CHECK(strict == NULL, "*out not NULL after a strict failure");
        /* first error in document order: strict may meet a shape error first */
        if (rc_t == PLEX_EPARSE)
            FUZZ_CHECK(rc_s == PLEX_EPARSE || rc_s == PLEX_ESCHEMA,
                       "malformed input reported as another kind in strict mode");
    }
    plex_api_errors_free(tolerant);
    plex_api_errors_free(strict);
}

#endif

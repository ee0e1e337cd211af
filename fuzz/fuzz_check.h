/*
 * Invariant checks for the fuzz targets: a broken invariant prints what broke
 * and aborts, so libFuzzer (or the standalone replayer) reports a crash and
 * keeps the input.
 */
#ifndef PLEX_FUZZ_CHECK_H
#define PLEX_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plex/errors.h"

#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, (what),      \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/*
 * A failed decode: *out (passed as `out`) is NULL, the code is an expected
 * one and is recorded in err with a NUL-terminated message, and a syntax
 * error has an offset inside the input of `size` bytes.
 */
static inline void fuzz_check_failure(int rc, const void *out, const plex_error *err, size_t size)
{
    FUZZ_CHECK(out == NULL, "*out not NULL after a failure");
    FUZZ_CHECK(rc == PLEX_EPARSE || rc == PLEX_ESCHEMA || rc == PLEX_ENOMEM,
               "unexpected error code");
    FUZZ_CHECK(err->code == rc, "err->code differs from the returned code");
    FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
               "err->message not NUL-terminated");
    FUZZ_CHECK(err->message[0] != '\0', "empty error message");
    if (rc == PLEX_EPARSE)
        FUZZ_CHECK(err->json_pos >= 0 && (uint64_t)err->json_pos <= size,
                   "syntax error without a byte offset inside the input");
}

/*
 * Defines `static void fn(const type *v)`, the round trip of a decoded value:
 * encode -> decode -> compare -> encode again -> same bytes.
 *   encode    int encode(const type *, char **json)   (e.g. plex_pin_to_json)
 *   decode    int decode(type **, const char *, size_t, unsigned, plex_error *)
 *   check_eq  void check_eq(const type *, const type *): FUZZ_CHECKs equality
 *   free_fn   frees a decoded value
 *   what      "pin", "user": names the value in the messages
 *   enomem_ok nonzero: a first encoding that fails with PLEX_ENOMEM ends the
 *             check quietly instead of breaking it
 */
#define FUZZ_DEFINE_ROUND_TRIP(fn, type, encode, decode, check_eq, free_fn, what, enomem_ok)       \
    static void fn(const type *v)                                                                  \
    {                                                                                              \
        char *json = NULL, *json2 = NULL;                                                          \
        type *again = NULL;                                                                        \
        plex_error err;                                                                            \
        int rc;                                                                                    \
                                                                                                   \
        rc = encode(v, &json);                                                                     \
        if ((enomem_ok) && rc == PLEX_ENOMEM)                                                      \
            return;                                                                                \
        FUZZ_CHECK(rc == 0 && json != NULL, #encode " failed on a decoded " what);                 \
        rc = decode(&again, json, strlen(json), 0, &err);                                          \
        if (rc != 0)                                                                               \
            fprintf(stderr, "re-encoded: %s\nerror: %s\n", json, err.message);                     \
        FUZZ_CHECK(rc == 0 && again != NULL,                                                       \
                   "the encoding of a decoded " what " does not decode");                          \
        check_eq(v, again);                                                                        \
        rc = encode(again, &json2);                                                                \
        FUZZ_CHECK(rc == 0 && json2 != NULL, #encode " failed on a re-decoded " what);             \
        FUZZ_CHECK(strcmp(json, json2) == 0, "encoding is not canonical (two encodings differ)");  \
        plex_free(json);                                                                           \
        plex_free(json2);                                                                          \
        free_fn(again);                                                                            \
    }

#endif

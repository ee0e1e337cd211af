/*
 * Invariant checks for the fuzz targets: a broken invariant prints what broke
 * and aborts, so libFuzzer (or the standalone replayer) reports a crash and
 * keeps the input.
 */
#ifndef PLEX_FUZZ_CHECK_H
#define PLEX_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, what)                                                           \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__,    \
                    (what), #cond);                                                      \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif

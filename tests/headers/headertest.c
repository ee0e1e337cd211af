/*
 * The public headers as a strict C99 user sees them: <plex/plex.h> compiles
 * with -std=c99 -pedantic -Wall -Wextra -Werror, and what it declares links
 * against the shared library. (The generated tu/ files check each header on
 * its own.)
 */
#include <plex/plex.h>
#include <plex/plex.h> /* a second time: the include guards hold */

#include <stdio.h>
#include <string.h>

/* The version macros are usable by the preprocessor. */
#if !defined(PLEX_VERSION_NUMBER) || PLEX_VERSION_NUMBER < 0
#error "PLEX_VERSION_NUMBER is not an integer constant expression"
#endif

static int failures;

static void expect(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "headertest (C): failed: %s\n", what);
        failures++;
    }
}

int main(void)
{
    plex_error err;
    const char *s;
    unsigned int flags = PLEX_PARSE_STRICT;
    plex_pin_field field = PLEX_PIN_CODE;

    expect(strcmp(plex_version(), PLEX_VERSION_STRING) == 0,
           "plex_version() matches PLEX_VERSION_STRING (headers and library agree)");

    s = plex_strerror(PLEX_ENOMEM);
    expect(s != NULL && s[0] != '\0', "plex_strerror(PLEX_ENOMEM) is a message");
    expect(plex_strerror(12345) != NULL, "plex_strerror(unknown) is not NULL");

    plex_error_clear(&err);
    expect(err.code == 0 && err.json_pos == -1, "plex_error_clear resets the record");

    expect((PLEX_PIN_REQUIRED & field) != 0 && flags == 1u, "enum constants usable");

    plex_pin_free(NULL);
    plex_free(NULL);

    if (failures == 0)
        printf("headertest (C): ok, libplex %s\n", plex_version());
    return failures == 0 ? 0 : 1;
}

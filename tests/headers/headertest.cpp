/*
 * The public headers as a strict C++11 user sees them: <plex/plex.h>
 * compiles with -std=c++11 -pedantic -Wall -Wextra -Werror, and its
 * functions link with C linkage (extern "C") against the shared library.
 */
#include <plex/plex.h>
#include <plex/plex.h> // a second time: the include guards hold

#include <cstdio>
#include <cstring>

#if !defined(PLEX_VERSION_NUMBER) || PLEX_VERSION_NUMBER < 0
#error "PLEX_VERSION_NUMBER is not an integer constant expression"
#endif

namespace {

int failures = 0;

void expect(bool cond, const char *what)
{
    if (!cond) {
        std::fprintf(stderr, "headertest (C++): failed: %s\n", what);
        failures++;
    }
}

} // namespace

int main()
{
    expect(std::strcmp(plex_version(), PLEX_VERSION_STRING) == 0,
           "plex_version() matches PLEX_VERSION_STRING (headers and library agree)");

    const char *s = plex_strerror(PLEX_ENOMEM);
    expect(s != nullptr && s[0] != '\0', "plex_strerror(PLEX_ENOMEM) is a message");
    expect(plex_strerror(12345) != nullptr, "plex_strerror(unknown) is not NULL");

    plex_error err;
    plex_error_clear(&err);
    expect(err.code == 0 && err.json_pos == -1, "plex_error_clear resets the record");

    unsigned int flags = PLEX_PARSE_STRICT;
    plex_pin_field field = PLEX_PIN_CODE;
    expect((PLEX_PIN_REQUIRED & field) != 0 && flags == 1u, "enum constants usable");

    plex_pin_free(nullptr);
    plex_free(nullptr);

    if (failures == 0)
        std::printf("headertest (C++): ok, libplex %s\n", plex_version());
    return failures == 0 ? 0 : 1;
}

/*
 * Fuzz target for plex_timestamp_parse / plex_timestamp_format (src/lib/timestamp.c).
 *
 * Laws: a parsed time has millis in 0..999; when it can be formatted (year
 * 0000-9999), parsing the formatted text gives the same time; and an input
 * already in the canonical form ("YYYY-MM-DDThh:mm:ssZ", or with exactly
 * three fraction digits that are not all zero) formats back to itself.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "plex/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "dddd-dd-ddTdd:dd:dd(.ddd)?Z" with a nonzero fraction and seconds below 60. */
static int canonical(const char *s, size_t n)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    size_t i;

    if (n != 20 && n != 24)
        return 0;
    for (i = 0; i < 19; i++) {
        if (pat[i] == 'd' ? !is_digit(s[i]) : s[i] != pat[i])
            return 0;
    }
    if (s[17] == '6') /* a leap second normalises to the next minute */
        return 0;
    if (n == 24) {
        if (s[19] != '.' || !is_digit(s[20]) || !is_digit(s[21]) || !is_digit(s[22]))
            return 0;
        if (s[20] == '0' && s[21] == '0' && s[22] == '0')
            return 0;
    }
    return s[n - 1] == 'Z';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    plex_timestamp t, t2;
    char buf[32];
    int rc;

    if (plex_timestamp_parse(&t, s, size) != 0)
        return 0;
    FUZZ_CHECK(t.millis >= 0 && t.millis <= 999, "millis out of range");
    rc = plex_timestamp_format(t, buf, sizeof(buf));
    if (rc != 0) {
        /* only a year outside 0000-9999 after the offset may fail to format */
        FUZZ_CHECK(t.seconds < -62167219200 || t.seconds >= 253402300800,
                   "an in-range time does not format");
        return 0;
    }
    FUZZ_CHECK(strlen(buf) == (t.millis ? 24u : 20u), "formatted text of the wrong length");
    FUZZ_CHECK(plex_timestamp_parse(&t2, buf, strlen(buf)) == 0, "formatted text does not parse");
    FUZZ_CHECK(t2.seconds == t.seconds && t2.millis == t.millis, "parse(format(t)) differs from t");
    if (canonical(s, size)) {
        if (memcmp(buf, s, size) != 0 || strlen(buf) != size)
            fprintf(stderr, "input %.*s formatted as %s\n", (int)size, s, buf);
        FUZZ_CHECK(strlen(buf) == size && memcmp(buf, s, size) == 0,
                   "a canonical timestamp does not format back to itself");
    }
    /* a small buffer is refused, never overrun */
    FUZZ_CHECK(plex_timestamp_format(t, buf, 5) == PLEX_EINVALID, "a 5-byte buffer was accepted");
    return 0;
}

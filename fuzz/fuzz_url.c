/*
 * Fuzz target for the URL builders (src/lib/url.c): plex__url_encode,
 * plex_pin_link_url and plex_auth_app_url.
 *
 * The input is a list of strings separated by NUL bytes; a string that is
 * exactly the byte 0xFF stands for NULL. Strings 0..9 are, in order, the
 * Auth App URL options (clientID, code, product, forwardUrl, version,
 * platform, platformVersion, device, deviceName, model); string 1 (string 0
 * when there is only one) is also the PIN code of the link URL, and every string is URL-encoded on
 * its own.
 *
 * Laws checked:
 *   - an encoding holds only unreserved bytes and %XX (upper-case hex) of
 *     bytes that are not unreserved, and decodes back to the input;
 *   - the link URL is the fixed prefix and the encoded code;
 *   - the Auth App URL is the fixed prefix and key=value pairs, in the
 *     documented order, one for each option that is not NULL, each value
 *     decoding back to its option;
 *   - missing or empty required values, a NULL out and a wrong version give
 *     PLEX_EINVALID and leave *out NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tv/client.h"
#include "fuzz_check.h"
#include "plex/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 16

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1; /* lower case is not what we write */
}

/* enc[0..n) is the canonical encoding of the NUL-terminated string orig. */
static void check_encoded(const char *enc, size_t n, const char *orig)
{
    size_t i = 0, o = 0, olen = strlen(orig), want = 0;

    for (size_t k = 0; k < olen; k++)
        want += unreserved((unsigned char)orig[k]) ? 1 : 3;
    FUZZ_CHECK(n == want, "encoded length is not 1 per unreserved byte, 3 per other byte");
    while (i < n) {
        unsigned char c = (unsigned char)enc[i];
        if (c == '%') {
            int hi, lo;
            FUZZ_CHECK(n - i >= 3, "truncated %XX escape");
            hi = hexval((unsigned char)enc[i + 1]);
            lo = hexval((unsigned char)enc[i + 2]);
            FUZZ_CHECK(hi >= 0 && lo >= 0, "%XX escape without two upper-case hex digits");
            c = (unsigned char)(hi * 16 + lo);
            FUZZ_CHECK(!unreserved(c), "an unreserved byte was percent-encoded");
            i += 3;
        } else {
            FUZZ_CHECK(unreserved(c), "a reserved or non-ASCII byte was not percent-encoded");
            i++;
        }
        FUZZ_CHECK(o < olen && (unsigned char)orig[o] == c,
                   "encoding does not decode to the input");
        o++;
    }
    FUZZ_CHECK(o == olen, "encoding decodes to a shorter string");
}

static void check_url_encode(const char *s)
{
    plex__buf b = PLEX__BUF_INIT;
    char *out = NULL;
    int rc;

    plex__buf_puts(&b, "k=");
    plex__url_encode(&b, s);
    rc = plex__buf_detach(&b, &out);
    if (rc != 0) {
        FUZZ_CHECK(rc == PLEX_ENOMEM && out == NULL, "plex__buf_detach failed oddly");
        return;
    }
    FUZZ_CHECK(out && strncmp(out, "k=", 2) == 0, "the prefix was lost");
    check_encoded(out + 2, strlen(out + 2), s);
    plex_free(out);
}

static void check_link_url(const char *code)
{
    static const char prefix[] = "https://plex.tv/link/?pin=";
    char *out = (char *)1;
    int rc = plex_pin_link_url(&out, code);

    if (!code || !*code) {
        FUZZ_CHECK(rc == PLEX_EINVALID && out == NULL, "a missing code is not PLEX_EINVALID");
        return;
    }
    if (rc == PLEX_ENOMEM) {
        FUZZ_CHECK(out == NULL, "*out not NULL after a failure");
        return;
    }
    FUZZ_CHECK(rc == 0 && out, "plex_pin_link_url failed");
    FUZZ_CHECK(strncmp(out, prefix, sizeof(prefix) - 1) == 0, "link URL prefix");
    check_encoded(out + sizeof(prefix) - 1, strlen(out + sizeof(prefix) - 1), code);
    plex_free(out);
    FUZZ_CHECK(plex_pin_link_url(NULL, code) == PLEX_EINVALID, "NULL out accepted");
}

#define CTX(k) "context%5Bdevice%5D%5B" k "%5D"

static void check_auth_url(const char *const *f)
{
    static const char prefix[] = "https://app.plex.tv/auth#?";
    static const char *const keys[] = {"clientID",     CTX("product"),    "forwardUrl",
                                       CTX("version"), CTX("platform"),   CTX("platformVersion"),
                                       CTX("device"),  CTX("deviceName"), CTX("model")};
    plex_auth_url_options o = PLEX_AUTH_URL_OPTIONS_INIT;
    const char *want[11];
    const char *want_key[11];
    size_t nwant = 0;
    char *out = (char *)1;
    const char *p;
    int rc;

    o.client_identifier = f[0];
    o.code = f[1];
    o.product = f[2];
    o.forward_url = f[3];
    o.product_version = f[4];
    o.platform = f[5];
    o.platform_version = f[6];
    o.device = f[7];
    o.device_name = f[8];
    o.model = f[9];

    rc = plex_auth_app_url(&out, &o);
    if (!o.client_identifier || !*o.client_identifier || !o.code || !*o.code) {
        FUZZ_CHECK(rc == PLEX_EINVALID && out == NULL, "missing clientID/code not PLEX_EINVALID");
        return;
    }
    if (rc == PLEX_ENOMEM) {
        FUZZ_CHECK(out == NULL, "*out not NULL after a failure");
        return;
    }
    FUZZ_CHECK(rc == 0 && out, "plex_auth_app_url failed");

    /* the expected pairs, in order */
    want_key[nwant] = keys[0];
    want[nwant++] = o.client_identifier;
    want_key[nwant] = "code";
    want[nwant++] = o.code;
    {
        const char *rest[] = {o.product,          o.forward_url, o.product_version, o.platform,
                              o.platform_version, o.device,      o.device_name,     o.model};
        for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
            if (rest[i]) {
                want_key[nwant] = keys[i + 1];
                want[nwant++] = rest[i];
            }
        }
    }

    FUZZ_CHECK(strncmp(out, prefix, sizeof(prefix) - 1) == 0, "Auth App URL prefix");
    p = out + sizeof(prefix) - 1;
    for (size_t i = 0; i < nwant; i++) {
        const char *amp = strchr(p, '&');
        size_t pair = amp ? (size_t)(amp - p) : strlen(p);
        size_t klen = strlen(want_key[i]);

        FUZZ_CHECK(pair > klen && strncmp(p, want_key[i], klen) == 0 && p[klen] == '=',
                   "pair has the wrong key (or keys out of order)");
        check_encoded(p + klen + 1, pair - klen - 1, want[i]);
        FUZZ_CHECK((i + 1 < nwant) == (amp != NULL), "wrong number of pairs");
        p = amp ? amp + 1 : p + pair;
    }
    FUZZ_CHECK(*p == '\0', "trailing bytes after the last pair");
    plex_free(out);

    /* the argument checks */
    FUZZ_CHECK(plex_auth_app_url(NULL, &o) == PLEX_EINVALID, "NULL out accepted");
    out = (char *)1;
    FUZZ_CHECK(plex_auth_app_url(&out, NULL) == PLEX_EINVALID && out == NULL, "NULL opts accepted");
    o.version = PLEX_AUTH_URL_OPTIONS_VERSION + 1;
    out = (char *)1;
    FUZZ_CHECK(plex_auth_app_url(&out, &o) == PLEX_EINVALID && out == NULL,
               "unknown options version accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    const char *f[MAX_FIELDS];
    size_t n = 0, start = 0;

    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    for (size_t i = 0; i < MAX_FIELDS; i++)
        f[i] = NULL;
    /* split at NUL bytes; the last string ends at the end of the input */
    for (size_t i = 0; i <= size && n < MAX_FIELDS; i++) {
        if (copy[i] == '\0') {
            const char *s = copy + start;
            f[n++] = strcmp(s, "\xff") == 0 ? NULL : s;
            start = i + 1;
        }
    }

    for (size_t i = 0; i < n; i++) {
        if (f[i])
            check_url_encode(f[i]);
    }
    check_link_url(n > 1 ? f[1] : f[0]);
    check_auth_url(f);
    free(copy);
    return 0;
}

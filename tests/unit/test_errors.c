/*
 * The plex.tv error container, JSON and XML, and plex_strerror.
 */
#include <plex/plex.h>

#include "core/alloc.h"
#include "test.h"

static void check_1020(const plex_api_errors *e)
{
    const plex_api_error *x;
    CHECK_INT(plex_api_errors_count(e), 1);
    x = plex_api_errors_at(e, 0);
    REQUIRE(x != NULL);
    CHECK_INT(x->code, 1020);
    CHECK_STR(x->message, "Code not found or expired");
    CHECK_INT(x->status, 404);
    CHECK(plex_api_errors_at(e, 1) == NULL);
}

static void test_json(void)
{
    const char *j = "{\"errors\":[{\"code\":1020,\"message\":\"Code not found or expired\","
                    "\"status\":404}]}";
    const char *two = "{\"errors\":[{\"code\":1001,\"message\":\"User could not be "
                      "authenticated\"},{\"code\":1003,\"message\":\"API rate limit exceeded\","
                      "\"status\":429,\"extra\":[1]}],\"other\":true}";
    plex_api_errors *e = NULL;
    plex_error err;
    char *out = NULL;

    REQUIRE(plex_api_errors_parse(&e, j, strlen(j), PLEX_PARSE_STRICT, &err) == 0);
    check_1020(e);
    CHECK_INT(plex_api_errors_to_json(plex_api_errors_at(e, 0), 1, &out), 0);
    CHECK_STR(out, j);
    plex_free(out);
    plex_api_errors_free(e);

    REQUIRE(plex_api_errors_parse(&e, two, strlen(two), PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(plex_api_errors_count(e), 2);
    CHECK_INT(plex_api_errors_at(e, 0)->status, 0); /* status sometimes missing */
    CHECK_INT(plex_api_errors_at(e, 1)->code, 1003);
    plex_api_errors_free(e);

    /* shape errors carry the element path */
    CHECK_INT(plex_api_errors_parse(&e, "{\"errors\":[{\"code\":\"x\"}]}", 24, 0, &err),
              PLEX_ESCHEMA);
    CHECK_STR(err.message, "errors[0].code: expected integer, got string");
    CHECK(e == NULL);
    CHECK_INT(plex_api_errors_parse(&e, "{\"errors\":[{},3]}", 17, 0, &err), PLEX_ESCHEMA);
    CHECK_STR(err.message, "errors[1]: expected object, got number");
    CHECK_INT(plex_api_errors_parse(&e, "{\"errors\":[{\"code\":1}]}", 23, PLEX_PARSE_STRICT, &err),
              PLEX_ESCHEMA);
    CHECK_STR(err.message, "missing required field: errors.message");
    CHECK_INT(plex_api_errors_parse(&e, "{}", 2, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    CHECK_STR(err.message, "missing required field: errors");
    REQUIRE(plex_api_errors_parse(&e, "{}", 2, 0, &err) == 0);
    CHECK_INT(plex_api_errors_count(e), 0);
    plex_api_errors_free(e);
    CHECK_INT(plex_api_errors_parse(&e, "{\"errors\":[", 11, 0, &err), PLEX_EPARSE);
    CHECK_INT(err.json_pos, 11);

    plex_api_errors_free(NULL);
    CHECK_INT(plex_api_errors_count(NULL), 0);
    CHECK(plex_api_errors_at(NULL, 0) == NULL);
}

static void test_xml(void)
{
    const char *x =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n"
        "  <error code=\"1020\" message=\"Code not found or expired\" status=\"404\"/>\n"
        "</errors>\n";
    const char *ent = "<!-- c --><errors><error message='a &amp; b &lt;&#233;&#x1F600;&quot;'"
                      " code='1'></error><other><x/></other></errors>";
    plex_api_errors *e = NULL;
    plex_error err;
    plex_api_error in[2] = {{1001, "User could not be authenticated", 401},
                            {7, "quote \" & <tag> 'x'", 0}};
    char *out = NULL;

    REQUIRE(plex_api_errors_parse_xml(&e, x, strlen(x), PLEX_PARSE_STRICT, &err) == 0);
    check_1020(e);
    plex_api_errors_free(e);

    REQUIRE(plex_api_errors_parse_xml(&e, ent, strlen(ent), 0, &err) == 0);
    CHECK_INT(plex_api_errors_count(e), 1);
    CHECK_STR(plex_api_errors_at(e, 0)->message, "a & b <\xC3\xA9\xF0\x9F\x98\x80\"");
    plex_api_errors_free(e);

    /* encode to XML and back */
    REQUIRE(plex_api_errors_to_xml(in, 2, &out) == 0);
    REQUIRE(plex_api_errors_parse_xml(&e, out, strlen(out), 0, &err) == 0);
    CHECK_INT(plex_api_errors_count(e), 2);
    CHECK_STR(plex_api_errors_at(e, 0)->message, in[0].message);
    CHECK_INT(plex_api_errors_at(e, 0)->status, 401);
    CHECK_STR(plex_api_errors_at(e, 1)->message, in[1].message);
    CHECK_INT(plex_api_errors_at(e, 1)->status, 0);
    plex_api_errors_free(e);
    plex_free(out);

    /* malformed XML: offsets */
    {
        static const struct {
            const char *doc;
            long long pos;
        } bad[] = {
            {"", 0},
            {"<errors>", 8},
            {"<errors></error>", 8},
            {"<errors><error code=1/></errors>", 20},
            {"<errors><error code=\"1\" message=\"&bogus;\"/></errors>", 33},
            {"<errors/><errors/>", 9},
            {"<errors/>junk", 9},
            {"<errors><error message=\"\xC0\x80\"/></errors>", 24},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            int rc = plex_api_errors_parse_xml(&e, bad[i].doc, strlen(bad[i].doc), 0, &err);
            CHECK_INT(rc, PLEX_EPARSE);
            CHECK_INT(err.json_pos, bad[i].pos);
            CHECK(e == NULL);
        }
    }
    /* wrong shape */
    CHECK_INT(plex_api_errors_parse_xml(&e, "<user/>", 7, 0, &err), PLEX_ESCHEMA);
    CHECK_INT(plex_api_errors_parse_xml(&e, "<errors><error code=\"x\"/></errors>", 34, 0, &err),
              PLEX_ESCHEMA);
    CHECK_STR(err.message, "errors[0].code: expected integer");
    CHECK_INT(plex_api_errors_parse_xml(&e, "<errors><error code=\"1\"/></errors>", 34,
                                        PLEX_PARSE_STRICT, &err),
              PLEX_ESCHEMA);
    CHECK_STR(err.message, "missing required field: errors[0].message");
}

static void test_alloc_failures(void)
{
    const char *x = "<errors><error code=\"1\" message=\"m\"/><error code=\"2\" message=\"n\"/>"
                    "<error code=\"3\" message=\"o\"/><error code=\"4\" message=\"p\"/>"
                    "<error code=\"5\" message=\"q\"/></errors>";
    plex_api_errors *e = NULL;
    unsigned long total;

    plex__alloc_fail_at(0);
    REQUIRE(plex_api_errors_parse_xml(&e, x, strlen(x), 0, NULL) == 0);
    total = plex__alloc_count();
    plex_api_errors_free(e);
    for (unsigned long n = 1; n <= total; n++) {
        plex__alloc_fail_at(n);
        CHECK_INT(plex_api_errors_parse_xml(&e, x, strlen(x), 0, NULL), PLEX_ENOMEM);
        CHECK(e == NULL);
    }
    plex__alloc_fail_at(0);
}

static void test_strerror(void)
{
    for (int c = 0; c >= -40; c--) {
        const char *s = plex_strerror(c);
        CHECK(s != NULL && s[0] != '\0');
    }
    CHECK_STR(plex_strerror(12345), "unknown error");
    CHECK_STR(plex_strerror(PLEX_ENOMEM), "out of memory");
    {
        plex_error e;
        plex_error_clear(&e);
        CHECK_INT(e.json_pos, -1);
        CHECK_INT(e.code, 0);
        plex_error_clear(NULL);
    }
}

int main(void)
{
    test_json();
    test_xml();
    test_alloc_failures();
    test_strerror();
    return test_summary("test_errors");
}

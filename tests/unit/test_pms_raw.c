/*
 * plex_container_json_each() (plex/pms/raw.h): the objects of one array of a
 * MediaContainer, byte for byte as they were in the answer.
 */
#include <plex/plex.h>

#include "test.h"

typedef struct seen {
    char text[8][256];
    int n;
    int stop_at; /* return 7 at this call (1-based); 0: never */
} seen;

static int collect(const char *json, size_t len, void *payload)
{
    seen *s = payload;

    if (s->n < 8)
        snprintf(s->text[s->n], sizeof(s->text[0]), "%.*s", (int)len, json);
    s->n++;
    return s->n == s->stop_at ? 7 : 0;
}

static int walk(const char *doc, const char *element, seen *s)
{
    int stop = s->stop_at;

    memset(s, 0, sizeof(*s));
    s->stop_at = stop;
    return plex_container_json_each(doc, strlen(doc), element, collect, s);
}

int main(void)
{
    seen s;
    const char *doc = "{\"MediaContainer\": {\"size\":2, \"Directory\": [\n"
                      "  {\"key\":\"1\", \"title\":\"Movies\", \"Directory\":[{\"key\":\"x\"}]},\n"
                      "  null,\n"
                      "  {\"key\":\"2\",\"n\":1.50}\n"
                      "], \"Metadata\": {\"ratingKey\":\"7\"}, \"Hub\": null}}";

    memset(&s, 0, sizeof(s));
    /* each element as sent (spaces, number spellings, nested arrays of the same name) */
    CHECK_INT(walk(doc, "Directory", &s), 0);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.text[0], "{\"key\":\"1\", \"title\":\"Movies\", \"Directory\":[{\"key\":\"x\"}]}");
    CHECK_STR(s.text[1], "{\"key\":\"2\",\"n\":1.50}");
    /* one object where an array was expected */
    CHECK_INT(walk(doc, "Metadata", &s), 0);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.text[0], "{\"ratingKey\":\"7\"}");
    /* null, and absent */
    CHECK_INT(walk(doc, "Hub", &s), 0);
    CHECK_INT(s.n, 0);
    CHECK_INT(walk(doc, "Setting", &s), 0);
    CHECK_INT(s.n, 0);
    /* the container itself */
    CHECK_INT(
        walk("{\"x\":[1,{}],\"MediaContainer\":{\"size\":0,\"friendlyName\":\"a\"}}", NULL, &s), 0);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.text[0], "{\"size\":0,\"friendlyName\":\"a\"}");
    /* another root container, alone at the root (GET /butler) */
    CHECK_INT(walk("{\"ButlerTasks\": {\"ButlerTask\": [{\"name\":\"A\"}, {\"name\":\"B\"}]}}",
                   "ButlerTask", &s),
              0);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.text[1], "{\"name\":\"B\"}");
    CHECK_INT(walk("{\"ButlerTasks\":{\"x\":1}}", NULL, &s), 0);
    CHECK_STR(s.text[0], "{\"x\":1}");
    CHECK_INT(walk("{\"a\":{},\"b\":{}}", "x", &s), PLEX_ESCHEMA);
    /* the callback stops the walk */
    s.stop_at = 1;
    CHECK_INT(walk(doc, "Directory", &s), 7);
    CHECK_INT(s.n, 1);
    s.stop_at = 0;
    /* what is not a container */
    CHECK_INT(walk("<MediaContainer size=\"0\"/>", "Directory", &s), PLEX_EPARSE);
    CHECK_INT(walk("[]", "Directory", &s), PLEX_ESCHEMA);
    CHECK_INT(walk("{\"errors\":[]}", "Directory", &s), PLEX_ESCHEMA);
    CHECK_INT(walk("{\"MediaContainer\":[]}", "Directory", &s), PLEX_ESCHEMA);
    CHECK_INT(walk("{\"MediaContainer\":{\"Directory\":[1]}}", "Directory", &s), PLEX_ESCHEMA);
    CHECK_INT(walk("{\"MediaContainer\":{\"Directory\":\"x\"}}", "Directory", &s), PLEX_ESCHEMA);
    CHECK_INT(walk("{\"MediaContainer\":{\"Directory\":[{\"a\":}]}}", "Directory", &s),
              PLEX_EPARSE);
    CHECK_INT(walk("{\"MediaContainer\":{\"Directory\":[{\"a\":1}", "Directory", &s), PLEX_EPARSE);
    CHECK_INT(plex_container_json_each(NULL, 0, "Directory", collect, &s), PLEX_EINVALID);
    CHECK_INT(plex_container_json_each("{}", 2, "Directory", NULL, &s), PLEX_EINVALID);
    /* a server that has answered nothing yet */
    CHECK(plex_server_last_body(NULL, NULL) == NULL);
    return test_summary("test_pms_raw");
}

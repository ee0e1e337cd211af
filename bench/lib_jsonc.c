/* json-c (Debian libjson-c-dev): DOM parse + free. The tokener is made once
 * and reset between documents, as a program parsing many responses would do
 * (json_tokener_parse() would allocate a new one every time). */
#include <json.h>

#include "bench_libs.h"

static json_tokener *tok;

int bench_jsonc_setup(void)
{
    tok = json_tokener_new();
    return tok ? 0 : -1;
}

void bench_jsonc_teardown(void)
{
    json_tokener_free(tok);
    tok = NULL;
}

int bench_jsonc_decode(const char *buf, size_t len)
{
    json_object *root;

    json_tokener_reset(tok);
    root = json_tokener_parse_ex(tok, buf, (int)len);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
        return -1;
    json_object_put(root);
    return 0;
}

const char *bench_jsonc_version(void)
{
    return json_c_version();
}

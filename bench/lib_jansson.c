/* jansson (Debian libjansson-dev): DOM parse + free. */
#include <jansson.h>

#include "bench_libs.h"

int bench_jansson_decode(const char *buf, size_t len)
{
    json_t *root = json_loadb(buf, len, 0, NULL);
    if (!root)
        return -1;
    json_decref(root);
    return 0;
}

const char *bench_jansson_version(void)
{
    return jansson_version_str();
}

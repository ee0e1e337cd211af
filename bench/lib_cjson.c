/* cJSON (Debian libcjson-dev): DOM parse + free. */
#include <cJSON.h>

#include "bench_libs.h"

int bench_cjson_decode(const char *buf, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(buf, len);
    if (!root)
        return -1;
    cJSON_Delete(root);
    return 0;
}

const char *bench_cjson_version(void)
{
    return cJSON_Version();
}

/* cJSON (Debian libcjson-dev): DOM parse + free; for bench_listing, DOM
 * parse + a walk of every member of every item + free. */
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

/* Read every value under node, as a program taking the fields out would:
 * strings' first byte, numbers, booleans; objects and arrays recursively. */
static unsigned long walk(const cJSON *node)
{
    unsigned long acc = 0;

    for (const cJSON *c = node->child; c; c = c->next) {
        if (cJSON_IsString(c))
            acc += (unsigned char)c->valuestring[0];
        else if (cJSON_IsNumber(c))
            acc += (unsigned long)c->valuedouble;
        else if (cJSON_IsBool(c))
            acc += cJSON_IsTrue(c) ? 1u : 0u;
        else if (cJSON_IsObject(c) || cJSON_IsArray(c))
            acc += walk(c);
    }
    return acc;
}

int bench_cjson_listing(const char *buf, size_t len, size_t *items, unsigned long *check)
{
    cJSON *root = cJSON_ParseWithLength(buf, len);
    const cJSON *mc, *list;

    if (!root)
        return -1;
    mc = cJSON_GetObjectItemCaseSensitive(root, "MediaContainer");
    list = mc ? cJSON_GetObjectItemCaseSensitive(mc, "Metadata") : NULL;
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(root);
        return -1;
    }
    *items = (size_t)cJSON_GetArraySize(list);
    *check = walk(mc);
    cJSON_Delete(root);
    return 0;
}

const char *bench_cjson_version(void)
{
    return cJSON_Version();
}

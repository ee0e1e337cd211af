/* YAJL (Debian libyajl-dev): the tree parser yajl_tree_parse (a DOM) + free,
 * and, for reference only, the event parser with no callbacks (validation
 * without building anything). */
#include <stdio.h>
#include <yajl_parse.h>
#include <yajl_tree.h>
#include <yajl_version.h>

#include "bench_libs.h"

int bench_yajl_tree_decode(const char *buf, size_t len)
{
    yajl_val root;

    (void)len; /* yajl_tree_parse reads up to the terminating NUL */
    root = yajl_tree_parse(buf, NULL, 0);
    if (!root)
        return -1;
    yajl_tree_free(root);
    return 0;
}

int bench_yajl_events_decode(const char *buf, size_t len)
{
    static const yajl_callbacks none;
    yajl_handle h = yajl_alloc(&none, NULL, NULL);
    int rc = -1;

    if (!h)
        return -1;
    if (yajl_parse(h, (const unsigned char *)buf, len) == yajl_status_ok &&
        yajl_complete_parse(h) == yajl_status_ok)
        rc = 0;
    yajl_free(h);
    return rc;
}

const char *bench_yajl_version(void)
{
    static char v[16];
    int n = yajl_version();
    snprintf(v, sizeof(v), "%d.%d.%d", n / 10000, n / 100 % 100, n % 100);
    return v;
}

/*
 * The plex.tv error container's encoders from a caller's array of entries
 * (decoding is generated from errors.model).
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/model.h"
#include "plex/models.h"
#include "core/xml.h"

int plex_api_errors_to_json(const plex_api_error *list, size_t count, char **out)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!list && count)
        return PLEX_EINVALID;
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "errors");
    plex__jw_array_begin(&w);
    for (size_t i = 0; i < count; i++) {
        plex__jw_object_begin(&w);
        if (list[i].code) {
            plex__jw_key(&w, "code");
            plex__jw_int(&w, list[i].code);
        }
        if (list[i].message) {
            plex__jw_key(&w, "message");
            plex__jw_string(&w, list[i].message);
        }
        if (list[i].status) {
            plex__jw_key(&w, "status");
            plex__jw_int(&w, list[i].status);
        }
        plex__jw_object_end(&w);
    }
    plex__jw_array_end(&w);
    plex__jw_object_end(&w);
    return plex__buf_detach(&b, out);
}

int plex_api_errors_to_xml(const plex_api_error *list, size_t count, char **out)
{
    plex__buf b = PLEX__BUF_INIT;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!list && count)
        return PLEX_EINVALID;
    plex__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n");
    for (size_t i = 0; i < count; i++) {
        const char *m = list[i].message;
        if (m && plex__utf8_valid_prefix(m, strlen(m)) != strlen(m))
            plex__buf_fail(&b, PLEX_EINVALID);
        plex__buf_puts(&b, "  <error");
        if (list[i].code)
            plex__buf_printf(&b, " code=\"%d\"", (int)list[i].code);
        if (m) {
            plex__buf_puts(&b, " message=\"");
            plex__xml_put_escaped(&b, m);
            plex__buf_putc(&b, '"');
        }
        if (list[i].status)
            plex__buf_printf(&b, " status=\"%d\"", (int)list[i].status);
        plex__buf_puts(&b, "/>\n");
    }
    plex__buf_puts(&b, "</errors>\n");
    return plex__buf_detach(&b, out);
}

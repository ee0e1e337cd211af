/*
 * The plex.tv error container, from JSON or XML, and back.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/model.h"
#include "plex/models.h"
#include "core/xml.h"

struct plex_api_errors {
    const plex_api_error **items;
    size_t count;
    uint32_t present;
    uint32_t missing;
};

#define ENTRY_SHIFT 1
static const plex__field entry_fields[] = {
    PLEX__FIELD("code", PLEX__F_INT32, PLEX__F_REQUIRED, 0, plex_api_error, code),
    PLEX__FIELD("message", PLEX__F_STRING, PLEX__F_REQUIRED, 1, plex_api_error, message),
    PLEX__FIELD("status", PLEX__F_INT32, 0, 2, plex_api_error, status),
};
static const plex__schema entry_schema = {
    entry_fields, sizeof(entry_fields) / sizeof(entry_fields[0]), sizeof(plex_api_error),
    (size_t)-1,   (size_t)-1, 0, NULL, 0x3};

static const plex__field root_fields[] = {
    PLEX__FIELD_ARRAY("errors", PLEX__F_REQUIRED, 0, struct plex_api_errors, items, count,
                      &entry_schema, ENTRY_SHIFT),
};
static const plex__schema root_schema = {root_fields,
                                         1,
                                         sizeof(struct plex_api_errors),
                                         offsetof(struct plex_api_errors, present),
                                         offsetof(struct plex_api_errors, missing),
                                         0,
                                         NULL,
                                         0x1};

int plex_api_errors_parse(plex_api_errors **out, const char *data, size_t len, unsigned int flags,
                          plex_error *err)
{
    void *e = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse(&e, &root_schema, data, len, flags, err);
    *out = e;
    return rc;
}

/* Integer attribute value [a, z) of the XML input. */
static int xml_int(const char *buf, size_t a, size_t z, int32_t *out)
{
    int64_t v = 0;
    int neg = 0;

    if (a < z && buf[a] == '-') {
        neg = 1;
        a++;
    }
    if (a >= z || z - a > 10)
        return -1;
    for (; a < z; a++) {
        if (buf[a] < '0' || buf[a] > '9')
            return -1;
        v = v * 10 + (buf[a] - '0');
    }
    v = neg ? -v : v;
    if (v < INT32_MIN || v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

static int xml_entry(plex__xml_reader *r, const plex__xml_token *t, plex__arena *arena,
                     plex_api_error *e, size_t idx, unsigned int flags, plex_error *err)
{
    static const char *const names[] = {"code", "status"};
    size_t a, z;

    for (int k = 0; k < 2; k++) {
        int32_t *slot = k == 0 ? &e->code : &e->status;
        if (!plex__xml_attr(r, t, names[k], &a, &z)) {
            if (k == 0 && (flags & PLEX_PARSE_STRICT))
                return plex__error_set(err, PLEX_ESCHEMA, "missing required field: errors[%zu].%s",
                                       idx, names[k]);
            continue;
        }
        if (xml_int(r->buf, a, z, slot))
            return plex__error_set(err, PLEX_ESCHEMA, "errors[%zu].%s: expected integer", idx,
                                   names[k]);
    }
    if (plex__xml_attr(r, t, "message", &a, &z)) {
        char *m = plex__arena_alloc_bytes(arena, z - a + 1);
        if (!m)
            return plex__error_set(err, PLEX_ENOMEM, "out of memory");
        m[plex__xml_unescape(r->buf, a, z, m)] = '\0';
        e->message = m;
    } else if (flags & PLEX_PARSE_STRICT) {
        return plex__error_set(err, PLEX_ESCHEMA, "missing required field: errors[%zu].message",
                               idx);
    }
    return 0;
}

int plex_api_errors_parse_xml(plex_api_errors **out, const char *data, size_t len,
                              unsigned int flags, plex_error *err)
{
    plex__xml_reader r;
    plex__xml_token t;
    struct plex_api_errors *root;
    plex__arena *arena;
    size_t cap = 0;
    int rc = 0;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!data && len)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: data is NULL");
    plex_error_clear(err);
    plex__xml_reader_init(&r, data ? data : "", len);
    if (plex__xml_next(&r, &t))
        return plex__xml_error(&r, err);
    if (!plex__xml_name_is(&r, &t, "errors"))
        return plex__error_set(err, PLEX_ESCHEMA, "expected an <errors> element at the top level");

    root = plex__arena_new(sizeof(*root), len + 64 > 4096 ? 4096 : len + 64);
    if (!root)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    arena = plex__arena_of(root);
    root->present = 1;
    while (rc == 0) {
        if (plex__xml_next(&r, &t)) {
            rc = plex__xml_error(&r, err);
            break;
        }
        if (t.type == PLEX__XML_END)
            break;
        if (t.type != PLEX__XML_START)
            continue; /* text between entries carries nothing */
        if (!plex__xml_name_is(&r, &t, "error")) {
            rc = plex__xml_skip(&r, &t) ? plex__xml_error(&r, err) : 0;
            continue;
        }
        if (root->count == cap) {
            const plex_api_error **grown;
            cap = cap ? cap * 2 : 4;
            /* An array of pointers, so sizeof(*grown) is rightly a pointer's
             * size; clang-tidy 14 flags every sizeof(struct T *). */
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): see above */
            grown = plex__arena_alloc(arena, cap * sizeof(*grown));
            if (!grown) {
                rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
                break;
            }
            if (root->count)
                /* NOLINTNEXTLINE(bugprone-sizeof-expression): as above */
                memcpy(grown, root->items, root->count * sizeof(*grown));
            root->items = grown;
        }
        {
            plex_api_error *e = plex__arena_alloc(arena, sizeof(*e));
            if (!e) {
                rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
                break;
            }
            rc = xml_entry(&r, &t, arena, e, root->count, flags, err);
            if (rc == 0 && plex__xml_skip(&r, &t))
                rc = plex__xml_error(&r, err);
            root->items[root->count++] = e;
        }
    }
    if (rc == 0 && (plex__xml_next(&r, &t) || t.type != PLEX__XML_EOF))
        rc = plex__xml_error(&r, err);
    if (rc) {
        plex__arena_free_root(root);
        return rc;
    }
    *out = root;
    return 0;
}

size_t plex_api_errors_count(const plex_api_errors *errors)
{
    return errors ? errors->count : 0;
}

const plex_api_error *plex_api_errors_at(const plex_api_errors *errors, size_t i)
{
    return errors && i < errors->count ? errors->items[i] : NULL;
}

void plex_api_errors_free(plex_api_errors *errors)
{
    plex__arena_free_root(errors);
}

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

/*
 * The model engine's JSON encoder (see model.h), and plex_attrs_get().
 */
#include "model_internal.h"

/* ---- numbers ---- */

size_t plex__format_double(char *buf, size_t size, double v)
{
    /* the shortest %.Ng that reads back as the same double: 7.3, not
     * 7.2999999999999998 */
    for (int digits = 15; digits <= 17; digits++) {
        double back;
        int n = snprintf(buf, size, "%.*g", digits, v);
        if (n < 0 || (size_t)n >= size)
            break;
        if (digits == 17 || (plex__json_strtod(buf, (size_t)n, &back) == 0 && back == v))
            return (size_t)n;
    }
    return strlen(buf);
}

/* ---- JSON encoder ---- */

static void write_value_text(plex__json_writer *w, const plex_value *v)
{
    if (v->type == PLEX_VALUE_STRING || v->type == PLEX_VALUE_XML)
        plex__jw_string(w, v->text);
    else
        plex__jw_raw(w, v->text, strlen(v->text));
}

static void write_object(plex__json_writer *w, const plex__schema *s, const void *obj);

static void write_field(plex__json_writer *w, const plex__schema *s, const plex__field *f,
                        const void *obj)
{
    const void *slot = (const char *)obj + f->offset;
    int has = field_present(s, obj, f);

    switch ((plex__field_kind)f->kind) {
    case PLEX__F_STRING:
    case PLEX__F_RAW:
    case PLEX__F_OBJECT: {
        const void *p = *(const void *const *)slot;
        if (!p) {
            if (f->flags & PLEX__F_NULL_OUT) {
                plex__jw_key(w, f->name);
                plex__jw_null(w);
            }
            return;
        }
        plex__jw_key(w, f->name);
        if (f->kind == PLEX__F_OBJECT)
            write_object(w, f->sub, p);
        else if (f->kind == PLEX__F_RAW)
            plex__jw_raw(w, p, strlen(p));
        else
            plex__jw_string(w, p);
        return;
    }
    case PLEX__F_ANY: {
        const plex_value *v = slot;
        if (v->text && v->type != PLEX_VALUE_NONE) {
            plex__jw_key(w, f->name);
            write_value_text(w, v);
        }
        return;
    }
    case PLEX__F_INT64:
    case PLEX__F_INT32:
        if (has) {
            plex__jw_key(w, f->name);
            plex__jw_int(w, f->kind == PLEX__F_INT32 ? *(const int32_t *)slot
                                                     : *(const int64_t *)slot);
        }
        return;
    case PLEX__F_DOUBLE:
        if (has) {
            char tmp[40];
            plex__jw_key(w, f->name);
            plex__jw_raw(w, tmp, plex__format_double(tmp, sizeof(tmp), *(const double *)slot));
        }
        return;
    case PLEX__F_ARRAY:
    case PLEX__F_STRINGS: {
        const void *const *items = *(const void *const *const *)slot;
        /* no items: [] when present (a count without items is ignored) */
        size_t n =
            items ? *(const size_t *)(const void *)((const char *)obj + PLEX__COUNT_OFFSET(f)) : 0;
        if (!items && !has)
            return;
        plex__jw_key(w, f->name);
        plex__jw_array_begin(w);
        for (size_t j = 0; j < n; j++) {
            if (f->kind == PLEX__F_STRINGS)
                plex__jw_string(w, items[j]); /* NULL writes null */
            else
                write_object(w, f->sub, items[j]);
        }
        plex__jw_array_end(w);
        return;
    }
    case PLEX__F_BOOL:
        if (has) {
            plex__jw_key(w, f->name);
            plex__jw_bool(w, *(const plex_opt_bool *)slot == PLEX_TRUE);
        }
        return;
    case PLEX__F_TIME:
        if (has) {
            char tmp[40];
            plex__jw_key(w, f->name);
            if (plex_timestamp_format(*(const plex_timestamp *)slot, tmp, sizeof(tmp)))
                plex__buf_fail(w->buf, PLEX_EINVALID);
            else
                plex__jw_string(w, tmp);
        }
        return;
    }
}

void plex__model_write_members(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    for (size_t i = 0; i < s->nfields; i++)
        write_field(w, s, &s->fields[i], obj);
    if (s->extra_offset != PLEX__NO_OFFSET) {
        const plex_attrs *x =
            (const plex_attrs *)(const void *)((const char *)obj + s->extra_offset);
        for (size_t i = 0; i < x->count; i++) {
            plex__jw_key(w, x->items[i].name);
            write_value_text(w, &x->items[i].value);
        }
    }
}

static void write_object(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    plex__jw_object_begin(w);
    plex__model_write_members(w, s, obj);
    plex__jw_object_end(w);
}

void plex__model_write(plex__json_writer *w, const plex__schema *s, const void *obj)
{
    if (s->list) {
        const plex__field *f = &s->fields[0];
        const void *const *items =
            *(const void *const *const *)(const void *)((const char *)obj + f->offset);
        size_t n = plex__model_count(s, obj, 0);
        plex__jw_array_begin(w);
        for (size_t j = 0; j < n; j++)
            write_object(w, f->sub, items[j]);
        plex__jw_array_end(w);
        return;
    }
    if (s->root_key) {
        plex__jw_object_begin(w);
        plex__jw_key(w, s->root_key);
        write_object(w, s, obj);
        plex__jw_object_end(w);
        return;
    }
    write_object(w, s, obj);
}

int plex__model_to_json(const plex__schema *s, const void *obj, char **out)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!obj)
        return PLEX_EINVALID;
    plex__jw_init(&w, &b);
    plex__model_write(&w, s, obj);
    return plex__buf_detach(&b, out);
}

/* ---- unknown attributes ---- */

const char *plex_attrs_get(const plex_attrs *attrs, const char *name)
{
    if (!attrs || !name)
        return NULL;
    for (size_t i = 0; i < attrs->count; i++)
        if (strcmp(attrs->items[i].name, name) == 0)
            return attrs->items[i].value.text;
    return NULL;
}

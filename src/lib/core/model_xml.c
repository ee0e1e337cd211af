/*
 * The model engine's XML side (see model.h): one decoder for every model's
 * XML rendering (attributes -> scalar fields, child elements -> sub-models)
 * and the writer.
 */
#include "model_internal.h"

/* ---- XML ---- */

static int xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t);

static int xml_fail(ctx *c)
{
    return plex__xml_error(&c->x, c->err);
}

/* A field's text value that did not convert: an error for exact models and
 * strict decodes ("expected integer"), else dropped (1). */
static int xml_bad(ctx *c, const plex__field *f, const char *expected, const plex__schema *s)
{
    char what[48];
    int rc;

    snprintf(what, sizeof(what), "expected %s", expected);
    if (!s->open)
        return shape_error(c, f, what);
    rc = note(c, f, PLEX_COERCED_DROPPED, what, NULL);
    return rc ? rc : 1;
}

/* One attribute's raw text [a, z) into field f. 0 (present), 1 (absent) or an error. */
static int xml_scalar(ctx *c, const plex__schema *s, const plex__field *f, size_t a, size_t z,
                      void *obj)
{
    void *slot = (char *)obj + f->offset;
    char tmp[64], *text;
    size_t n;
    int b;

    if (f->kind == PLEX__F_STRING || f->kind == PLEX__F_RAW || f->kind == PLEX__F_ANY) {
        if (!(text = plex__arena_alloc_bytes(c->arena, z - a + 1)))
            return nomem(c);
        n = plex__xml_unescape(c->buf, a, z, text);
        text[n] = '\0';
        if (memchr(text, '\0', n) != NULL)
            return shape_error(c, f, "text contains a NUL character");
        if (f->kind == PLEX__F_ANY) {
            ((plex_value *)slot)->type = PLEX_VALUE_STRING;
            ((plex_value *)slot)->text = text;
        } else {
            *(const char **)slot = text;
        }
        return 0;
    }
    if (a == z)
        return 1; /* an empty attribute: absent */
    if (z - a >= sizeof(tmp))
        return xml_bad(c, f, kind_expects(f->kind), s);
    n = plex__xml_unescape(c->buf, a, z, tmp);
    tmp[n] = '\0';
    switch ((plex__field_kind)f->kind) {
    case PLEX__F_INT32:
    case PLEX__F_INT64: {
        int64_t x;
        if (parse_int(tmp, n, &x) == 0 && store_int(f, x, slot) == 0)
            return 0;
        return xml_bad(c, f, "integer", s);
    }
    case PLEX__F_DOUBLE:
        return plex__json_strtod(tmp, n, (double *)slot) == 0 ? 0 : xml_bad(c, f, "number", s);
    case PLEX__F_BOOL:
        if ((b = parse_bool(tmp, n)) < 0)
            return xml_bad(c, f, "0 or 1", s);
        *(plex_opt_bool *)slot = b ? PLEX_TRUE : PLEX_FALSE;
        return 0;
    case PLEX__F_TIME:
        return plex_timestamp_parse((plex_timestamp *)slot, tmp, n) == 0
                   ? 0
                   : xml_bad(c, f, "an RFC 3339 date-time", s);
    default:
        return xml_bad(c, f, kind_expects(f->kind), s);
    }
}

/* Does element name [ns, ne) (with the token's attributes) map to field f? */
static int xml_name_matches(ctx *c, const plex__field *f, const plex__xml_token *t)
{
    const char *p = f->xml ? f->xml : f->name, *name = c->buf + t->name_start;
    size_t n = t->name_end - t->name_start;

    if (!f->xml)
        return f->len == n && memcmp(p, name, n) == 0;
    while (*p) {
        const char *e = p, *at;
        size_t an;
        while (*e && *e != ',')
            e++;
        at = memchr(p, '@', (size_t)(e - p));
        an = (size_t)((at ? at : e) - p);
        if (an == n && memcmp(p, name, n) == 0) {
            char attr[48];
            size_t a, z, k = at ? (size_t)(e - at - 1) : 0;
            if (!at)
                return 1;
            if (k < sizeof(attr)) {
                memcpy(attr, at + 1, k);
                attr[k] = '\0';
                if (plex__xml_attr(&c->x, t, attr, &a, &z))
                    return 1;
            }
        }
        p = *e ? e + 1 : e;
    }
    return 0;
}

const plex__field *plex__model_xml_child_field(ctx *c, const plex__schema *s,
                                               const plex__xml_token *t)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        if ((f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY) && xml_name_matches(c, f, t))
            return f;
    }
    return NULL;
}

/* An unknown child element of an open model, kept as its exact XML text. */
int plex__model_xml_keep_element(ctx *c, ptrs *extra, const plex__xml_token *t)
{
    size_t a = t->name_start - 1;
    plex_attr *at;

    if (plex__xml_skip(&c->x, t))
        return xml_fail(c);
    if (!(at = plex__arena_alloc(c->arena, sizeof(*at))) ||
        !(at->name = copy_bytes(c, c->buf + t->name_start, t->name_end - t->name_start)) ||
        !(at->value.text = copy_bytes(c, c->buf + a, c->x.pos - a)))
        return nomem(c);
    at->value.type = PLEX_VALUE_XML;
    return ptrs_push(c, extra, at);
}

/* A child element t that maps to sub-model field f of obj. */
int plex__model_xml_child(ctx *c, const plex__field *f, void *obj, const plex__xml_token *t,
                          ptrs *list, masks *m)
{
    void **single = (void **)(void *)((char *)obj + f->offset);
    size_t saved = path_push(c, f->name, f->len, 1);
    void *sub = plex__arena_alloc(c->arena, f->sub->size);
    int rc = 0;

    if (!sub)
        rc = nomem(c);
    else if (f->kind == PLEX__F_ARRAY)
        path_index(c, list->n);
    else if (*single) /* a second element where one was declared: the last one wins */
        rc = note(c, f, PLEX_COERCED_SHAPE, "one element", NULL);
    if (rc == 0)
        rc = xml_element(c, f->sub, sub, t);
    path_pop(c, saved);
    if (rc)
        return rc;
    if (f->kind == PLEX__F_ARRAY && (rc = ptrs_push(c, list, sub)) != 0)
        return rc;
    if (f->kind != PLEX__F_ARRAY)
        *single = sub;
    set_bit(m->pres, f->bit);
    return 0;
}

/* The children of an element whose start tag t was read. */
static int xml_children(ctx *c, const plex__schema *s, void *obj, ptrs *extra,
                        ptrs *lists /* one per field */, masks *m)
{
    for (;;) {
        plex__xml_token t;
        const plex__field *f;
        int rc;

        if (plex__xml_next(&c->x, &t))
            return xml_fail(c);
        if (t.type == PLEX__XML_END)
            return 0;
        if (t.type != PLEX__XML_START)
            continue; /* text between elements carries nothing here */
        if (!(f = plex__model_xml_child_field(c, s, &t))) {
            rc = s->open && s->extra_offset != PLEX__NO_OFFSET
                     ? plex__model_xml_keep_element(c, extra, &t)
                 : plex__xml_skip(&c->x, &t) ? xml_fail(c)
                                             : 0;
            if (rc)
                return rc;
            continue;
        }
        if ((rc = plex__model_xml_child(c, f, obj, &t, &lists[f - s->fields], m)) != 0)
            return rc;
    }
}

/* Attribute i of a start tag: name [*ns, *ne), value [*va, *vz); 0 at the end. */
static int xml_attr_next(const ctx *c, const plex__xml_token *t, size_t *i, size_t *ns, size_t *ne,
                         size_t *va, size_t *vz)
{
    const char *b = c->buf;
    size_t k = *i;
    char q;

    while (k < t->attr_end && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r'))
        k++;
    if (k >= t->attr_end || b[k] == '/' || b[k] == '>')
        return 0;
    *ns = k;
    while (b[k] != '=' && b[k] != ' ' && b[k] != '\t' && b[k] != '\n' && b[k] != '\r')
        k++;
    *ne = k;
    while (b[k] != '"' && b[k] != '\'')
        k++;
    q = b[k++];
    *va = k;
    while (b[k] != q)
        k++;
    *vz = k;
    *i = k + 1;
    return 1;
}

/* An unknown attribute of an open model, kept in `extra`. */
static int xml_keep_attr(ctx *c, ptrs *extra, size_t ns, size_t ne, size_t va, size_t vz)
{
    plex_attr *a = plex__arena_alloc(c->arena, sizeof(*a));
    char *v;

    if (!a || !(a->name = copy_bytes(c, c->buf + ns, ne - ns)) ||
        !(v = plex__arena_alloc_bytes(c->arena, vz - va + 1)))
        return nomem(c);
    v[plex__xml_unescape(c->buf, va, vz, v)] = '\0';
    a->value.type = PLEX_VALUE_STRING;
    a->value.text = v;
    return ptrs_push(c, extra, a);
}

int plex__model_xml_attrs(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t,
                          masks *m, ptrs *extra)
{
    size_t i = t->attr_start, ns, ne, va, vz;
    int rc;

    memset(m->pres, 0, sizeof(uint32_t) * (mask_words(s) > 2 ? mask_words(s) : 2));
    m->missing = 0;
    if (s->nbools)
        set_bools_absent(s, obj);
    while (xml_attr_next(c, t, &i, &ns, &ne, &va, &vz)) {
        const plex__field *f = lookup(s, c->buf + ns, ne - ns);
        if (!f || f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY ||
            f->kind == PLEX__F_STRINGS) {
            if (s->open && s->extra_offset != PLEX__NO_OFFSET &&
                (rc = xml_keep_attr(c, extra, ns, ne, va, vz)) != 0)
                return rc;
            continue;
        }
        if ((rc = xml_scalar(c, s, f, va, vz, obj)) < 0)
            return rc;
        if (rc == 0)
            set_bit(m->pres, f->bit);
    }
    return 0;
}

/* Store the lists an element's children filled in. */
static void store_lists(const plex__schema *s, void *obj, const ptrs *lists)
{
    for (size_t k = 0; k < s->nfields; k++) {
        const plex__field *f = &s->fields[k];
        if (f->kind == PLEX__F_ARRAY && lists[k].n) {
            *(void ***)(void *)((char *)obj + f->offset) = lists[k].items;
            *(size_t *)(void *)((char *)obj + PLEX__COUNT_OFFSET(f)) = lists[k].n;
        }
    }
}

int plex__model_xml_end(ctx *c, const plex__schema *s, void *obj, masks *m, const ptrs *extra,
                        const ptrs *lists)
{
    int rc;

    if (lists)
        store_lists(s, obj, lists);
    /* XML cannot tell an absent list from an empty one: a required list is present */
    for (size_t k = 0; k < s->nfields; k++)
        if (s->fields[k].kind == PLEX__F_ARRAY && (s->fields[k].flags & PLEX__F_REQUIRED))
            set_bit(m->pres, s->fields[k].bit);
    if (extra->n && (rc = store_extra(c, s, obj, extra)) != 0)
        return rc;
    if (c->flags & PLEX_PARSE_STRICT) {
        const plex__field *f = first_missing(s, m->pres);
        if (f)
            return plex__error_set(c->err, PLEX_ESCHEMA, "missing required field: %s%s%s", c->path,
                                   c->path_len ? "." : "", f->name);
    }
    return end_object(c, s, obj, m);
}

/* The element whose start tag t was read into obj (a zeroed s struct). */
static int xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t)
{
    ptrs extra = {NULL, 0, 0};
    ptrs lists[PLEX__MAX_WORDS * 32];
    masks m;
    int rc;

    if ((rc = plex__model_xml_attrs(c, s, obj, t, &m, &extra)) != 0)
        return rc;
    if (t->self_closing) {
        if (plex__xml_skip(&c->x, t))
            return xml_fail(c);
        return plex__model_xml_end(c, s, obj, &m, &extra, NULL);
    }
    memset(lists, 0, sizeof(lists[0]) * s->nfields);
    if ((rc = xml_children(c, s, obj, &extra, lists, &m)) != 0)
        return rc;
    return plex__model_xml_end(c, s, obj, &m, &extra, lists);
}

int plex__model_xml_element(ctx *c, const plex__schema *s, void *obj, const plex__xml_token *t)
{
    return xml_element(c, s, obj, t);
}

int plex__model_parse_xml(void **out, const plex__schema *s, const char *data, size_t len,
                          unsigned int flags, plex_error *err)
{
    plex__xml_token t;
    ctx c;
    void *obj;
    int rc;

    if ((rc = start(&c, out, data, len, flags, err)) != 0)
        return rc;
    plex__xml_reader_init(&c.x, c.buf, len);
    if (plex__xml_next(&c.x, &t))
        return xml_fail(&c);
    if (s->xml && !plex__xml_name_is(&c.x, &t, s->xml))
        return plex__error_set(err, PLEX_ESCHEMA, "expected %s <%s> element at the top level",
                               strchr("aeiouAEIOU", s->xml[0]) ? "an" : "a", s->xml);
    if (!(obj = new_root(s, len)))
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    c.arena = plex__arena_of(obj);
    rc = xml_element(&c, s, obj, &t);
    if (rc == 0 && (plex__xml_next(&c.x, &t) || t.type != PLEX__XML_EOF))
        rc = xml_fail(&c);
    if (rc) {
        plex__arena_free_root(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

/* ---- XML encoder ---- */

static void xml_attr_text(plex__buf *b, const char *name, const char *text)
{
    if (plex__utf8_valid_prefix(text, strlen(text)) != strlen(text))
        plex__buf_fail(b, PLEX_EINVALID);
    plex__buf_printf(b, " %s=\"", name);
    plex__xml_put_escaped(b, text);
    plex__buf_putc(b, '"');
}

/* The XML element name of field f's children: the first of its xml names. */
static void child_name(const plex__field *f, char *out, size_t size)
{
    const char *p = f->xml ? f->xml : f->name;
    size_t n = strcspn(p, ",@");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* "<name attributes" (no '>'); returns 1 if obj has child elements to write. */
static int xml_start(plex__buf *b, const plex__schema *s, const void *obj, const char *name)
{
    int children = 0;

    plex__buf_printf(b, "<%s", name);
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        const void *slot = (const char *)obj + f->offset;
        char tmp[40];

        /* children are written when they are there, as the JSON encoder does */
        if (f->kind == PLEX__F_OBJECT || f->kind == PLEX__F_ARRAY) {
            if (*(const void *const *)slot)
                children = 1;
            continue;
        }
        if (!field_present(s, obj, f) && f->kind != PLEX__F_STRING && f->kind != PLEX__F_RAW &&
            f->kind != PLEX__F_ANY)
            continue;
        switch ((plex__field_kind)f->kind) {
        case PLEX__F_STRING:
        case PLEX__F_RAW:
            if (*(const char *const *)slot)
                xml_attr_text(b, f->name, *(const char *const *)slot);
            break;
        case PLEX__F_ANY:
            if (((const plex_value *)slot)->text)
                xml_attr_text(b, f->name, ((const plex_value *)slot)->text);
            break;
        case PLEX__F_INT32:
            plex__buf_printf(b, " %s=\"%d\"", f->name, (int)*(const int32_t *)slot);
            break;
        case PLEX__F_INT64:
            plex__buf_printf(b, " %s=\"%lld\"", f->name, (long long)*(const int64_t *)slot);
            break;
        case PLEX__F_DOUBLE:
            plex__format_double(tmp, sizeof(tmp), *(const double *)slot);
            plex__buf_printf(b, " %s=\"%s\"", f->name, tmp);
            break;
        case PLEX__F_BOOL:
            plex__buf_printf(b, " %s=\"%d\"", f->name,
                             *(const plex_opt_bool *)slot == PLEX_TRUE ? 1 : 0);
            break;
        case PLEX__F_TIME:
            if (plex_timestamp_format(*(const plex_timestamp *)slot, tmp, sizeof(tmp)))
                plex__buf_fail(b, PLEX_EINVALID);
            else
                plex__buf_printf(b, " %s=\"%s\"", f->name, tmp);
            break;
        default:
            children = 1;
        }
    }
    if (s->extra_offset != PLEX__NO_OFFSET) {
        const plex_attrs *x =
            (const plex_attrs *)(const void *)((const char *)obj + s->extra_offset);
        for (size_t i = 0; i < x->count; i++)
            if (x->items[i].value.type != PLEX_VALUE_XML &&
                x->items[i].value.type != PLEX_VALUE_JSON)
                xml_attr_text(b, x->items[i].name, x->items[i].value.text);
    }
    return children;
}

/* The child elements of obj. */
static void xml_children_out(plex__buf *b, const plex__schema *s, const void *obj)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const plex__field *f = &s->fields[i];
        const void *slot = (const char *)obj + f->offset;
        char cname[64];

        child_name(f, cname, sizeof(cname));
        if (f->kind == PLEX__F_OBJECT && *(const void *const *)slot) {
            plex__model_write_xml(b, f->sub, *(const void *const *)slot, cname);
        } else if (f->kind == PLEX__F_ARRAY) {
            const void *const *items = *(const void *const *const *)slot;
            size_t n = items ? plex__model_count(s, obj, i) : 0;
            for (size_t j = 0; j < n; j++)
                plex__model_write_xml(b, f->sub, items[j], cname);
        }
    }
}

void plex__model_write_xml(plex__buf *b, const plex__schema *s, const void *obj, const char *name)
{
    const char *el = name ? name : s->xml ? s->xml : s->name;

    if (!xml_start(b, s, obj, el)) {
        plex__buf_puts(b, "/>");
        return;
    }
    plex__buf_putc(b, '>');
    xml_children_out(b, s, obj);
    plex__buf_printf(b, "</%s>", el);
}

void plex__model_write_xml_open(plex__buf *b, const plex__schema *s, const void *obj,
                                const char *name)
{
    const char *el = name ? name : s->xml ? s->xml : s->name;

    if (xml_start(b, s, obj, el)) {
        plex__buf_putc(b, '>');
        xml_children_out(b, s, obj);
    } else {
        plex__buf_putc(b, '>');
    }
}

int plex__model_to_xml(const plex__schema *s, const void *obj, char **out)
{
    plex__buf b = PLEX__BUF_INIT;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!obj)
        return PLEX_EINVALID;
    plex__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    plex__model_write_xml(&b, s, obj, NULL);
    plex__buf_putc(&b, '\n');
    return plex__buf_detach(&b, out);
}

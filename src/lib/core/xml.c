/*
 * Minimal XML pull reader (see xml.h).
 */
#include "xml.h"

#include <string.h>

#include "json.h" /* plex__utf8_valid_prefix */

static int fail(plex__xml_reader *r, size_t pos, const char *msg)
{
    r->failed = 1;
    r->err_pos = pos;
    r->err_msg = msg;
    return PLEX_EPARSE;
}

void plex__xml_reader_init(plex__xml_reader *r, const char *buf, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = len;
}

int plex__xml_error(const plex__xml_reader *r, plex_error *err)
{
    return plex__error_syntax(err, r->err_pos, r->err_msg ? r->err_msg : "invalid XML");
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Position of `needle` at or after i, or (size_t)-1. */
static size_t find(const plex__xml_reader *r, size_t i, const char *needle)
{
    size_t n = strlen(needle);
    for (; i + n <= r->len; i++)
        if (memcmp(r->buf + i, needle, n) == 0)
            return i;
    return (size_t)-1;
}

/* Check the entity references of [a, z); returns 0 or fails. */
static int check_entities(plex__xml_reader *r, size_t a, size_t z)
{
    size_t i;

    if (plex__utf8_valid_prefix(r->buf + a, z - a) != z - a)
        return fail(r, a + plex__utf8_valid_prefix(r->buf + a, z - a), "invalid UTF-8");
    for (i = a; i < z; i++) {
        char c = r->buf[i];
        if (c == '<')
            return fail(r, i, "'<' not allowed here");
        if (c == '&') {
            size_t e = i + 1;
            while (e < z && r->buf[e] != ';' && e - i < 12)
                e++;
            if (e >= z || r->buf[e] != ';')
                return fail(r, i, "unterminated entity reference");
            if (r->buf[i + 1] == '#') {
                size_t k = i + 2;
                int hex = k < e && (r->buf[k] == 'x');
                unsigned long cp = 0;
                if (hex)
                    k++;
                if (k >= e)
                    return fail(r, i, "invalid character reference");
                for (; k < e; k++) {
                    char d = r->buf[k];
                    int v = d >= '0' && d <= '9'                            ? d - '0'
                            : hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f' ? (d | 0x20) - 'a' + 10
                                                                            : -1;
                    if (v < 0)
                        return fail(r, i, "invalid character reference");
                    cp = cp * (hex ? 16 : 10) + (unsigned long)v;
                    if (cp > 0x10FFFF)
                        return fail(r, i, "character reference out of range");
                }
                if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                    return fail(r, i, "invalid character reference");
            } else {
                static const char *const names[] = {"amp", "lt", "gt", "quot", "apos"};
                size_t n = e - i - 1, j;
                for (j = 0; j < 5; j++)
                    if (strlen(names[j]) == n && memcmp(r->buf + i + 1, names[j], n) == 0)
                        break;
                if (j == 5)
                    return fail(r, i, "unknown entity");
            }
            i = e;
        }
    }
    return 0;
}

/* Parse a start tag at r->pos ('<' then a name start). */
static int read_start(plex__xml_reader *r, plex__xml_token *tok)
{
    size_t i = r->pos + 1;

    if (r->depth == 0 && r->seen_root)
        return fail(r, r->pos, "more than one root element");
    tok->type = PLEX__XML_START;
    tok->name_start = i;
    while (i < r->len && is_name_char((unsigned char)r->buf[i]))
        i++;
    tok->name_end = i;
    tok->attr_start = i;
    /* attributes: (S name S? = S? quoted)* S? (/>|>) */
    for (;;) {
        size_t ws = i, vs;
        char q;
        while (i < r->len && is_space(r->buf[i]))
            i++;
        if (i >= r->len)
            return fail(r, r->pos, "unterminated start tag");
        if (r->buf[i] == '>' || (r->buf[i] == '/' && i + 1 < r->len && r->buf[i + 1] == '>'))
            break;
        if (i == ws || !is_name_start((unsigned char)r->buf[i]))
            return fail(r, i, "invalid attribute");
        while (i < r->len && is_name_char((unsigned char)r->buf[i]))
            i++;
        while (i < r->len && is_space(r->buf[i]))
            i++;
        if (i >= r->len || r->buf[i] != '=')
            return fail(r, i, "expected '=' after attribute name");
        i++;
        while (i < r->len && is_space(r->buf[i]))
            i++;
        if (i >= r->len || (r->buf[i] != '"' && r->buf[i] != '\''))
            return fail(r, i, "expected a quoted attribute value");
        q = r->buf[i++];
        vs = i;
        while (i < r->len && r->buf[i] != q)
            i++;
        if (i >= r->len)
            return fail(r, vs, "unterminated attribute value");
        if (check_entities(r, vs, i))
            return PLEX_EPARSE;
        i++;
    }
    tok->attr_end = i;
    tok->self_closing = r->buf[i] == '/';
    r->pos = i + (tok->self_closing ? 2 : 1);
    if (r->depth >= PLEX__XML_MAX_DEPTH)
        return fail(r, tok->name_start - 1, "nesting too deep");
    r->open_start[r->depth] = tok->name_start;
    r->open_end[r->depth] = tok->name_end;
    r->depth++;
    r->seen_root = 1;
    if (tok->self_closing)
        r->pending_end = 1;
    return 0;
}

int plex__xml_next(plex__xml_reader *r, plex__xml_token *tok)
{
    if (r->failed)
        return PLEX_EPARSE;
    memset(tok, 0, sizeof(*tok));
    if (r->pending_end) {
        r->pending_end = 0;
        r->depth--;
        tok->type = PLEX__XML_END;
        tok->name_start = r->open_start[r->depth];
        tok->name_end = r->open_end[r->depth];
        return 0;
    }
    for (;;) {
        size_t i = r->pos, t;

        if (i >= r->len) {
            if (r->depth || !r->seen_root)
                return fail(r, i, r->len == 0 ? "empty input" : "unexpected end of input");
            tok->type = PLEX__XML_EOF;
            return 0;
        }
        if (r->buf[i] != '<') {
            size_t e = i;
            int blank = 1;
            while (e < r->len && r->buf[e] != '<') {
                if (!is_space(r->buf[e]))
                    blank = 0;
                e++;
            }
            if (!blank && r->depth == 0)
                return fail(r, i, "text outside the root element");
            if (check_entities(r, i, e))
                return PLEX_EPARSE;
            r->pos = e;
            if (blank)
                continue;
            tok->type = PLEX__XML_TEXT;
            tok->attr_start = i;
            tok->attr_end = e;
            return 0;
        }
        if (i + 1 >= r->len)
            return fail(r, i, "unexpected end of input");
        switch (r->buf[i + 1]) {
        case '?':
            t = find(r, i + 2, "?>");
            if (t == (size_t)-1)
                return fail(r, i, "unterminated processing instruction");
            r->pos = t + 2;
            continue;
        case '!':
            if (i + 4 <= r->len && memcmp(r->buf + i, "<!--", 4) == 0) {
                t = find(r, i + 4, "-->");
                if (t == (size_t)-1)
                    return fail(r, i, "unterminated comment");
                r->pos = t + 3;
                continue;
            }
            if (i + 9 <= r->len && memcmp(r->buf + i, "<![CDATA[", 9) == 0) {
                if (r->depth == 0)
                    return fail(r, i, "CDATA outside the root element");
                t = find(r, i + 9, "]]>");
                if (t == (size_t)-1)
                    return fail(r, i, "unterminated CDATA section");
                /* CDATA is reported as raw text without entity decoding: rare in
                 * plex answers; refuse rather than misdecode. */
                return fail(r, i, "CDATA sections are not supported");
            }
            if (r->depth == 0 && !r->seen_root) {
                t = find(r, i + 2, ">"); /* <!DOCTYPE ...> without an internal subset */
                if (t == (size_t)-1)
                    return fail(r, i, "unterminated declaration");
                r->pos = t + 1;
                continue;
            }
            return fail(r, i, "unexpected declaration");
        case '/': {
            size_t s = i + 2, e = s, ns, ne;
            if (r->depth == 0)
                return fail(r, i, "end tag without a start tag");
            while (e < r->len && is_name_char((unsigned char)r->buf[e]))
                e++;
            ns = r->open_start[r->depth - 1];
            ne = r->open_end[r->depth - 1];
            if (e - s != ne - ns || memcmp(r->buf + s, r->buf + ns, e - s) != 0)
                return fail(r, i, "end tag does not match the start tag");
            while (e < r->len && is_space(r->buf[e]))
                e++;
            if (e >= r->len || r->buf[e] != '>')
                return fail(r, i, "unterminated end tag");
            r->pos = e + 1;
            r->depth--;
            tok->type = PLEX__XML_END;
            tok->name_start = s;
            tok->name_end = s + (ne - ns);
            return 0;
        }
        default:
            if (!is_name_start((unsigned char)r->buf[i + 1]))
                return fail(r, i, "invalid tag");
            return read_start(r, tok);
        }
    }
}

int plex__xml_skip(plex__xml_reader *r, const plex__xml_token *tok)
{
    unsigned int target;
    plex__xml_token t;

    if (tok->type != PLEX__XML_START)
        return 0;
    target = r->depth - 1;
    do {
        if (plex__xml_next(r, &t))
            return PLEX_EPARSE;
    } while (r->depth > target || r->pending_end);
    return 0;
}

int plex__xml_name_is(const plex__xml_reader *r, const plex__xml_token *tok, const char *name)
{
    size_t n = strlen(name);
    return tok->name_end - tok->name_start == n && memcmp(r->buf + tok->name_start, name, n) == 0;
}

int plex__xml_attr(const plex__xml_reader *r, const plex__xml_token *tok, const char *name,
                   size_t *a, size_t *z)
{
    size_t i = tok->attr_start, n = strlen(name);

    while (i < tok->attr_end) {
        size_t ns, ne;
        char q;
        while (i < tok->attr_end && is_space(r->buf[i]))
            i++;
        if (i >= tok->attr_end || r->buf[i] == '/' || r->buf[i] == '>')
            break;
        ns = i;
        while (is_name_char((unsigned char)r->buf[i]))
            i++;
        ne = i;
        while (r->buf[i] != '"' && r->buf[i] != '\'')
            i++;
        q = r->buf[i++];
        *a = i;
        while (r->buf[i] != q)
            i++;
        *z = i++;
        if (ne - ns == n && memcmp(r->buf + ns, name, n) == 0)
            return 1;
    }
    return 0;
}

size_t plex__xml_unescape(const char *buf, size_t a, size_t z, char *dst)
{
    size_t o = 0;

    while (a < z) {
        if (buf[a] != '&') {
            dst[o++] = buf[a++];
            continue;
        }
        if (buf[a + 1] == '#') {
            unsigned long cp = 0;
            size_t k = a + 2;
            int hex = buf[k] == 'x';
            if (hex)
                k++;
            for (; buf[k] != ';'; k++) {
                char d = buf[k];
                cp = cp * (hex ? 16u : 10u) +
                     (unsigned long)(d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
            }
            if (cp < 0x80) {
                dst[o++] = (char)cp;
            } else if (cp < 0x800) {
                dst[o++] = (char)(0xC0 | (cp >> 6));
                dst[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                dst[o++] = (char)(0xE0 | (cp >> 12));
                dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                dst[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                dst[o++] = (char)(0xF0 | (cp >> 18));
                dst[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                dst[o++] = (char)(0x80 | (cp & 0x3F));
            }
            a = k + 1;
            continue;
        }
        switch (buf[a + 1]) {
        case 'l':
            dst[o++] = '<';
            a += 4;
            break; /* &lt; */
        case 'g':
            dst[o++] = '>';
            a += 4;
            break; /* &gt; */
        case 'q':
            dst[o++] = '"';
            a += 6;
            break; /* &quot; */
        default:
            if (buf[a + 2] == 'm') {
                dst[o++] = '&'; /* &amp; */
                a += 5;
            } else {
                dst[o++] = '\''; /* &apos; */
                a += 6;
            }
        }
    }
    return o;
}

void plex__xml_put_escaped(plex__buf *b, const char *s)
{
    size_t run = 0;

    for (;; s++) {
        const char *rep;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\0':
            plex__buf_put(b, s - run, run);
            return;
        default:
            run++;
            continue;
        }
        plex__buf_put(b, s - run, run);
        run = 0;
        plex__buf_puts(b, rep);
    }
}

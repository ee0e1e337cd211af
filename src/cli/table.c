/*
 * Tables sized to the terminal, and the human units of the media-server
 * commands (durations, sizes, dates).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "output.h"

#define ELLIPSIS "\xe2\x80\xa6" /* … */
#define MIN_FLEX 8

int cli_term_width(void)
{
    const char *cols = getenv("COLUMNS");
    struct winsize ws;
    long n = 0;

    if (cols && *cols) {
        char *end;
        n = strtol(cols, &end, 10);
        if (*end || n < 1 || n > 10000)
            n = 0;
    }
    if (isatty(STDOUT_FILENO)) {
        if (n == 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
            n = ws.ws_col;
        if (n == 0)
            n = 80;
    }
    return (int)n;
}

int cli_color_out(void)
{
    return cli_g.color && isatty(STDOUT_FILENO);
}

/* The next code point of UTF-8 text at *p (advanced); invalid bytes are one
 * column each. */
static unsigned next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = s[0];
    int n = c < 0x80             ? 0
            : (c & 0xe0) == 0xc0 ? 1
            : (c & 0xf0) == 0xe0 ? 2
            : (c & 0xf8) == 0xf0 ? 3
                                 : -1;

    if (n <= 0) {
        *p = s + 1;
        return n < 0 ? 0xfffd : c;
    }
    c &= 0x3fu >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p = s + 1;
            return 0xfffd;
        }
        c = c << 6 | (s[i] & 0x3f);
    }
    *p = s + n + 1;
    return c;
}

/* Columns of a code point on a terminal: 0 for controls and combining
 * marks, 2 for the wide East Asian ranges and emoji, else 1 (whatever the
 * locale). */
static int cp_width(unsigned c)
{
    static const unsigned wide[][2] = {
        {0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},
        {0x4e00, 0x9fff},   {0xa000, 0xa4cf},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
        {0xfe30, 0xfe4f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
        {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
    };

    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return 0;
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || c == 0xfeff)
        return 0;
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (c >= wide[i][0] && c <= wide[i][1])
            return 2;
    return 1;
}

/* Skip an escape sequence (ESC [ ... final) at p; p itself if none. */
static const unsigned char *skip_escape(const unsigned char *p)
{
    if (p[0] != 0x1b || p[1] != '[')
        return p;
    p += 2;
    while (*p && !(*p >= 0x40 && *p <= 0x7e))
        p++;
    return *p ? p + 1 : p;
}

int cli_text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int w = 0;

    while (*p) {
        const unsigned char *q = skip_escape(p);
        if (q != p) {
            p = q;
            continue;
        }
        w += cp_width(next_cp(&p));
    }
    return w;
}

/* Print s in exactly `width` columns: cut with an ellipsis (cut = 1) or
 * padded; right-aligned or not; pad = 0 leaves out trailing blanks. */
static void put_cell(FILE *f, const char *s, int width, int right, int cut, int pad)
{
    int w = cli_text_width(s);

    if (cut && w > width) {
        const unsigned char *p = (const unsigned char *)s, *q;
        int used = 0;
        /* leave room for the ellipsis */
        while (*p) {
            unsigned c;
            int cw;
            q = p;
            c = next_cp(&q);
            cw = cp_width(c);
            if (used + cw > width - 1)
                break;
            fwrite(p, 1, (size_t)(q - p), f);
            used += cw;
            p = q;
        }
        if (width > 0) {
            fputs(ELLIPSIS, f);
            used++;
        }
        for (; pad && used < width; used++)
            fputc(' ', f);
        return;
    }
    if (right)
        for (int i = w; i < width; i++)
            fputc(' ', f);
    fputs(s, f);
    if (!right && pad)
        for (int i = w; i < width; i++)
            fputc(' ', f);
}

void cli_text_fit(FILE *f, const char *s, int width)
{
    put_cell(f, s, width, 0, 1, 1);
}

/* The widths of the columns: fixed ones as given (or as their contents for a
 * buffered table, natural[i]; on a terminal at most as given), the flexible
 * one what is left of the terminal, at most its most (or its contents). */
static void size_columns(cli_table *t, const int *natural)
{
    int used = 2 * (t->ncols - 1), flex = -1, most, room;

    for (int i = 0; i < t->ncols; i++) {
        const cli_column *c = &t->cols[i];
        int w = natural ? natural[i] : c->width;
        if (c->flags & CLI_COL_FLEX) {
            flex = i;
            continue;
        }
        if (natural && t->limit && w > c->width)
            w = c->width;
        t->w[i] = w;
        used += w;
    }
    t->shown = t->ncols;
    if (flex >= 0) {
        most = natural ? natural[flex] : t->cols[flex].width;
        room = t->limit ? t->limit - used : most;
        if (room > most)
            room = most;
        if (room < MIN_FLEX)
            room = most < MIN_FLEX ? most : MIN_FLEX;
        t->w[flex] = room;
        used += room;
    }
    /* a terminal too narrow for every column: the last ones are left out */
    while (t->limit && used > t->limit && t->shown > 1 && t->shown - 1 != flex) {
        t->shown--;
        used -= t->w[t->shown] + 2;
    }
}

void cli_table_init(cli_table *t, const cli_column *cols, int ncols, int buffered)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->ncols = ncols > CLI_TABLE_MAX_COLS ? CLI_TABLE_MAX_COLS : ncols;
    t->limit = cli_term_width();
    t->color = cli_color_out();
    t->buffered = buffered;
    if (!buffered)
        size_columns(t, NULL);
}

static void print_row(cli_table *t, const char *const *cells, int head)
{
    int last = t->shown - 1;

    /* the last column is not padded: no trailing blanks */
    while (last > 0 && (!cells[last] || !*cells[last]))
        last--;
    for (int i = 0; i <= last; i++) {
        const cli_column *c = &t->cols[i];
        const char *on = head ? "\033[1m" : (c->flags & CLI_COL_DIM) ? "\033[2m" : NULL;
        if (i > 0)
            fputs("  ", stdout);
        if (t->color && on)
            fputs(on, stdout);
        put_cell(stdout, cells[i] ? cells[i] : "", t->w[i], c->flags & CLI_COL_RIGHT, t->limit > 0,
                 i < last);
        if (t->color && on)
            fputs("\033[0m", stdout);
    }
    fputc('\n', stdout);
}

static void print_head(cli_table *t)
{
    const char *heads[CLI_TABLE_MAX_COLS] = {NULL};

    for (int i = 0; i < t->ncols; i++)
        heads[i] = t->cols[i].head;
    print_row(t, heads, 1);
    t->headed = 1;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    if (!t->buffered) {
        if (!t->headed)
            print_head(t);
        print_row(t, cells, 0);
        return;
    }
    if (t->failed)
        return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **grown = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*grown));
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->cells = grown;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++) {
        char *c = strdup(cells[i] ? cells[i] : "");
        if (!c)
            t->failed = 1;
        t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = c;
    }
    t->nrows++;
}

int cli_table_end(cli_table *t)
{
    int natural[CLI_TABLE_MAX_COLS];
    int rc = 0;

    if (t->buffered && !t->failed && t->nrows > 0) {
        for (int i = 0; i < t->ncols; i++)
            natural[i] = cli_text_width(t->cols[i].head);
        for (size_t r = 0; r < t->nrows; r++)
            for (int i = 0; i < t->ncols; i++) {
                int w = cli_text_width(t->cells[r * (size_t)t->ncols + (size_t)i]);
                if (w > natural[i])
                    natural[i] = w;
            }
        size_columns(t, natural);
        print_head(t);
        for (size_t r = 0; r < t->nrows; r++)
            print_row(t, (const char *const *)&t->cells[r * (size_t)t->ncols], 0);
    }
    if (t->failed) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
    }
    for (size_t k = 0; t->cells && k < t->nrows * (size_t)t->ncols; k++)
        free(t->cells[k]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
    return rc;
}

void cli_appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len + 1 >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

/* ---- units ---- */

void cli_fmt_duration(char *buf, size_t size, long long ms)
{
    long long s = (ms + 500) / 1000;

    if (ms <= 0)
        snprintf(buf, size, "0s");
    else if (s >= 3600)
        snprintf(buf, size, "%lldh %02lldm", s / 3600, s / 60 % 60);
    else if (s >= 600)
        snprintf(buf, size, "%lldm", (s + 30) / 60);
    else if (s >= 60)
        snprintf(buf, size, "%lldm %02llds", s / 60, s % 60);
    else
        snprintf(buf, size, "%llds", s);
}

void cli_fmt_size(char *buf, size_t size, long long bytes)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes / 1000;
    int u = 0;

    if (bytes < 1000) {
        snprintf(buf, size, "%lld B", bytes < 0 ? 0 : bytes);
        return;
    }
    while (v >= 999.95 && u < 4) {
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%.1f %s", v, units[u]);
}

void cli_fmt_date(char *buf, size_t size, long long epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;

    if (epoch <= 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, size, "%s", "");
}

void cli_json_line(FILE *f, const char *json, size_t len)
{
    size_t i = 0, from = 0;
    int in_string = 0;

    for (; i < len; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            fwrite(json + from, 1, i - from, f);
            from = i + 1;
        }
    }
    if (from < len)
        fwrite(json + from, 1, len - from, f);
    fputc('\n', f);
}

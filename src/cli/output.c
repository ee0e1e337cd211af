/*
 * JSON lines and the terminal screen of `plex login`.
 */
#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <qrencode.h>

cli_screen *cli_screen_active;

/* ---- JSON ---- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void cli_json_begin(cli_json *j, FILE *f)
{
    j->f = f;
    j->n = 0;
    fputc('{', f);
}

static void key(cli_json *j, const char *k)
{
    if (j->n++)
        fputc(',', j->f);
    json_string(j->f, k);
    fputc(':', j->f);
}

void cli_json_str(cli_json *j, const char *k, const char *value)
{
    key(j, k);
    if (value)
        json_string(j->f, value);
    else
        fputs("null", j->f);
}

void cli_json_int(cli_json *j, const char *k, long long value)
{
    key(j, k);
    fprintf(j->f, "%lld", value);
}

void cli_json_bool(cli_json *j, const char *k, int value)
{
    key(j, k);
    fputs(value ? "true" : "false", j->f);
}

void cli_json_raw(cli_json *j, const char *k, const char *json)
{
    key(j, k);
    fputs(json, j->f);
}

void cli_json_end(cli_json *j)
{
    fputs("}\n", j->f);
    fflush(j->f);
}

/* ---- QR ---- */

#define QR_QUIET 2 /* modules of margin on each side */

static QRcode *qr_encode(const char *text)
{
    return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
}

int cli_qr_size(const char *text, int *cols, int *rows)
{
    QRcode *q = qr_encode(text);
    int n;

    if (!q)
        return 0;
    n = q->width + 2 * QR_QUIET;
    QRcode_free(q);
    *cols = n;
    *rows = (n + 1) / 2;
    return 1;
}

/* 1 if module (x, y) is dark; the quiet zone and beyond are light. */
static int dark(const QRcode *q, int x, int y)
{
    x -= QR_QUIET;
    y -= QR_QUIET;
    if (x < 0 || y < 0 || x >= q->width || y >= q->width)
        return 0;
    return q->data[y * q->width + x] & 1;
}

int cli_qr_draw(FILE *f, const char *text, int color, const char *indent)
{
    /* index: top set | bottom set; "set" is dark with color, light without */
    static const char *const cell[4] = {" ", "\xe2\x96\x84" /* ▄ */, "\xe2\x96\x80" /* ▀ */,
                                        "\xe2\x96\x88" /* █ */};
    QRcode *q = qr_encode(text);
    int n, lines = 0;

    if (!q)
        return -1;
    n = q->width + 2 * QR_QUIET;
    for (int y = 0; y < n; y += 2) {
        fputs(indent, f);
        if (color)
            fputs("\033[30;107m", f); /* black on bright white */
        for (int x = 0; x < n; x++) {
            int top = dark(q, x, y), bottom = y + 1 < n ? dark(q, x, y + 1) : 0;
            if (!color) {
                top = !top;
                bottom = y + 1 < n ? !bottom : 0;
            }
            fputs(cell[top << 1 | bottom], f);
        }
        if (color)
            fputs("\033[0m", f);
        fputc('\n', f);
        lines++;
    }
    QRcode_free(q);
    return lines;
}

/* ---- large letters: a 5x5 font, each dot two cells wide ---- */

static const char *const font_chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char *const font[36][5] = {
    {" ### ", "#  ##", "# # #", "##  #", " ### "}, /* 0 */
    {"  #  ", " ##  ", "  #  ", "  #  ", " ### "}, /* 1 */
    {" ### ", "#   #", "  ## ", " #   ", "#####"}, /* 2 */
    {"#### ", "    #", " ### ", "    #", "#### "}, /* 3 */
    {"#  # ", "#  # ", "#####", "   # ", "   # "}, /* 4 */
    {"#####", "#    ", "#### ", "    #", "#### "}, /* 5 */
    {" ### ", "#    ", "#### ", "#   #", " ### "}, /* 6 */
    {"#####", "    #", "   # ", "  #  ", "  #  "}, /* 7 */
    {" ### ", "#   #", " ### ", "#   #", " ### "}, /* 8 */
    {" ### ", "#   #", " ####", "    #", " ### "}, /* 9 */
    {" ### ", "#   #", "#####", "#   #", "#   #"}, /* A */
    {"#### ", "#   #", "#### ", "#   #", "#### "}, /* B */
    {" ####", "#    ", "#    ", "#    ", " ####"}, /* C */
    {"#### ", "#   #", "#   #", "#   #", "#### "}, /* D */
    {"#####", "#    ", "#### ", "#    ", "#####"}, /* E */
    {"#####", "#    ", "#### ", "#    ", "#    "}, /* F */
    {" ####", "#    ", "#  ##", "#   #", " ####"}, /* G */
    {"#   #", "#   #", "#####", "#   #", "#   #"}, /* H */
    {"#####", "  #  ", "  #  ", "  #  ", "#####"}, /* I */
    {"#####", "   # ", "   # ", "#  # ", " ##  "}, /* J */
    {"#   #", "#  # ", "###  ", "#  # ", "#   #"}, /* K */
    {"#    ", "#    ", "#    ", "#    ", "#####"}, /* L */
    {"#   #", "## ##", "# # #", "#   #", "#   #"}, /* M */
    {"#   #", "##  #", "# # #", "#  ##", "#   #"}, /* N */
    {" ### ", "#   #", "#   #", "#   #", " ### "}, /* O */
    {"#### ", "#   #", "#### ", "#    ", "#    "}, /* P */
    {" ### ", "#   #", "# # #", "#  # ", " ## #"}, /* Q */
    {"#### ", "#   #", "#### ", "#  # ", "#   #"}, /* R */
    {" ####", "#    ", " ### ", "    #", "#### "}, /* S */
    {"#####", "  #  ", "  #  ", "  #  ", "  #  "}, /* T */
    {"#   #", "#   #", "#   #", "#   #", " ### "}, /* U */
    {"#   #", "#   #", "#   #", " # # ", "  #  "}, /* V */
    {"#   #", "#   #", "# # #", "## ##", "#   #"}, /* W */
    {"#   #", " # # ", "  #  ", " # # ", "#   #"}, /* X */
    {"#   #", " # # ", "  #  ", "  #  ", "  #  "}, /* Y */
    {"#####", "   # ", "  #  ", " #   ", "#####"}, /* Z */
};

/* ASCII a-z to A-Z, anything else unchanged (no locale, unlike toupper). */
static char upper_ascii(char c)
{
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 'A');
    return c;
}

/* 1 if every character of code has a glyph and it fits in `cols`. */
static int big_ok(const char *code, int cols)
{
    size_t n = strlen(code);
    if (n == 0 || n > 8 || (int)(n * 12 + 2) > cols)
        return 0;
    for (const char *c = code; *c; c++) {
        char u = upper_ascii(*c);
        if (!strchr(font_chars, u))
            return 0;
    }
    return 1;
}

static void big_row(char *out, size_t size, const char *code, int row)
{
    size_t len = 0;

    out[0] = '\0';
    len += (size_t)snprintf(out + len, size - len, "  ");
    for (const char *c = code; *c && len < size; c++) {
        char u = upper_ascii(*c);
        const char *glyph = font[strchr(font_chars, u) - font_chars][row];
        for (int x = 0; x < 5 && len < size; x++)
            len += (size_t)snprintf(out + len, size - len, "%s",
                                    glyph[x] == '#' ? "\xe2\x96\x88\xe2\x96\x88" : "  ");
        if (c[1] && len < size)
            len += (size_t)snprintf(out + len, size - len, "  ");
    }
}

/* ---- the screen ---- */

void cli_format_left(char *buf, size_t size, long s)
{
    if (s < 0)
        s = 0;
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

/* Display width of a line: code points, not counting ESC [ ... sequences. */
static int width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x1b && p[1] == '[') {
            p += 2;
            while (*p && !(*p >= 0x40 && *p <= 0x7e))
                p++;
            if (!*p)
                break;
            continue;
        }
        if ((*p & 0xc0) != 0x80)
            w++;
    }
    return w;
}

static int rows_of(const cli_screen *s, int w)
{
    return w <= 0 ? 1 : (w + s->cols - 1) / s->cols;
}

/* One line of the block, counted. */
static void line(cli_screen *s, const char *text)
{
    fputs(text, s->f);
    fputc('\n', s->f);
    s->rows += rows_of(s, width(text));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
linef(cli_screen *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    line(s, buf);
}

static void clear_status(cli_screen *s)
{
    if (s->status) {
        fputs("\r\033[K", s->f);
        s->status = 0;
    }
}

static void draw_status(cli_screen *s)
{
    fprintf(s->f, "\r\033[K%s%s%s", s->color ? "\033[1m" : "", s->status_text,
            s->color ? "\033[0m" : "");
    s->status = 1;
    fflush(s->f);
}

/* The terminal's size now (it may have been resized since the last block). */
static void query_size(cli_screen *s)
{
    struct winsize ws;

    if (ioctl(fileno(s->f), TIOCGWINSZ, &ws) == 0) {
        if (ws.ws_col > 0)
            s->cols = ws.ws_col;
        if (ws.ws_row > 0)
            s->term_rows = ws.ws_row;
    }
}

void cli_screen_init(cli_screen *s, FILE *f, int color, int qr)
{
    memset(s, 0, sizeof(*s));
    s->f = f;
    s->color = color;
    s->qr = qr;
    s->cols = 80;
    s->term_rows = 24;
    query_size(s);
    cli_screen_active = s;
}

void cli_screen_code(cli_screen *s, const char *code, const char *url, int strong, int reissues)
{
    const char *b = s->color ? "\033[1m" : "", *u = s->color ? "\033[4m" : "",
               *r = s->color ? "\033[0m" : "";
    int qcols = 0, qrows = 0, show_qr = 0;
    int big;
    char buf[512];

    /* erase the previous block: up to its first row, then to the end of the screen */
    clear_status(s);
    if (s->drawn && s->rows > 0)
        fprintf(s->f, "\033[%dA\033[J", s->rows);
    s->rows = 0;
    s->drawn = 1;
    query_size(s);
    big = !strong && big_ok(code, s->cols);

    if (s->qr >= 0 && cli_qr_size(url, &qcols, &qrows)) {
        /* without --qr, only when the whole screen fits */
        int need = qrows + (big ? 5 : 0) + 12;
        show_qr = s->qr == 1 || (qcols + 2 <= s->cols && need <= s->term_rows);
    }

    line(s, "");
    if (reissues > 0)
        linef(s, "  The previous code expired. Here is a new one (%d).", reissues);
    if (strong)
        linef(s, "  %sSign in to Plex:%s open this page in a browser and approve this device:", b,
              r);
    else
        linef(s, "  %sSign in to Plex:%s open this page and approve the code:", b, r);
    line(s, "");
    linef(s, "    %s%s%s", u, url, r);
    line(s, "");
    if (big) {
        for (int row = 0; row < 5; row++) {
            big_row(buf, sizeof(buf), code, row);
            line(s, buf);
        }
        line(s, "");
    }
    linef(s, "  Code: %s%s%s%s", b, code, r, show_qr ? "    (or scan the QR code)" : "");
    line(s, "");
    if (show_qr) {
        int n = cli_qr_draw(s->f, url, s->color, "  ");
        /* each QR line is qcols + 2 cells wide */
        for (int i = 0; i < n; i++)
            s->rows += rows_of(s, qcols + 2);
        line(s, "");
    } else if (s->qr == 0) {
        line(s, "  (Enlarge the terminal to see a QR code of the page.)");
        line(s, "");
    }
    if (s->status_text[0])
        draw_status(s);
    fflush(s->f);
}

void cli_screen_status(cli_screen *s, const char *fmt, ...)
{
    va_list ap;
    char buf[sizeof(s->status_text)];
    int w;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* one row only: a wrapped status line could not be redrawn in place */
    w = width(buf);
    if (w >= s->cols) {
        size_t cut = 0;
        int seen = 0;
        for (const unsigned char *p = (const unsigned char *)buf; *p; p++, cut++) {
            if ((*p & 0xc0) != 0x80 && ++seen >= s->cols)
                break;
        }
        buf[cut] = '\0';
    }
    memcpy(s->status_text, buf, sizeof(buf));
    draw_status(s);
}

void cli_screen_line(cli_screen *s, int to_stderr, const char *text)
{
    int had = s->status;

    clear_status(s);
    fflush(s->f);
    if (to_stderr) {
        fprintf(stderr, "%s\n", text);
        fflush(stderr);
        if (isatty(STDERR_FILENO))
            s->rows += rows_of(s, width(text));
    } else {
        line(s, text);
    }
    if (had)
        draw_status(s);
}

void cli_screen_end(cli_screen *s, int clear)
{
    if (s->status) {
        if (clear)
            clear_status(s);
        else
            fputc('\n', s->f);
        s->status = 0;
    }
    fflush(s->f);
    if (cli_screen_active == s)
        cli_screen_active = NULL;
}

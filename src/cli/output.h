/*
 * Output of the plex command: JSON lines for --json, and the terminal screen
 * of `plex login` (the code in large letters, the URL, a QR code drawn with
 * Unicode half blocks, and one live status line).
 */
#ifndef PLEX_CLI_OUTPUT_H
#define PLEX_CLI_OUTPUT_H

#include <stdio.h>

/* ---- one JSON object per line ---- */

typedef struct cli_json {
    FILE *f;
    int n; /* members written so far */
} cli_json;

void cli_json_begin(cli_json *j, FILE *f);
/* A string member; NULL writes null. */
void cli_json_str(cli_json *j, const char *key, const char *value);
void cli_json_int(cli_json *j, const char *key, long long value);
void cli_json_bool(cli_json *j, const char *key, int value);
/* A member whose value is already JSON text. */
void cli_json_raw(cli_json *j, const char *key, const char *json);
/* "}\n" and a flush. */
void cli_json_end(cli_json *j);

/* ---- drawing ---- */

/*
 * Draw `text` as a QR code, two modules per character cell. With color the
 * dark modules are drawn black on white; without (NO_COLOR) the light ones
 * are drawn as blocks, for a dark terminal. Each line starts with `indent`.
 * Returns the number of lines written, or -1 if it cannot be encoded.
 */
int cli_qr_draw(FILE *f, const char *text, int color, const char *indent);

/* The size (in character cells) cli_qr_draw() needs; 0 if it cannot encode. */
int cli_qr_size(const char *text, int *cols, int *rows);

/* ---- the login screen (stdout is a terminal) ---- */

typedef struct cli_screen {
    FILE *f;
    int color;
    int qr;        /* 1: always, 0: if it fits, -1: never */
    int cols;      /* terminal width */
    int term_rows; /* terminal height */
    int drawn;     /* a code block is on screen */
    int rows;      /* rows drawn above the status line since the block began */
    int status;    /* a status line is on screen */
    char status_text[256];
} cli_screen;

void cli_screen_init(cli_screen *s, FILE *f, int color, int qr);

/* Draw (or redraw in place of the previous one) the code block. */
void cli_screen_code(cli_screen *s, const char *code, const char *url, int strong, int reissues);

/* Replace the status line. */
void cli_screen_status(cli_screen *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print a line (a log line on stderr when to_stderr) above the status line. */
void cli_screen_line(cli_screen *s, int to_stderr, const char *text);

/* Clear the status line (clear = 1) or end it with a newline; the screen is
 * no longer live. */
void cli_screen_end(cli_screen *s, int clear);

/* The live screen, if any (for the -v log callback). */
extern cli_screen *cli_screen_active;

/* "14:59" for seconds; "1:02:03" past an hour. */
void cli_format_left(char *buf, size_t size, long seconds);

/* ---- tables and human units (table.c) ---- */

/* The width of stdout in columns: the terminal's (or $COLUMNS); 0 when
 * stdout is not a terminal and COLUMNS is not set (no limit). */
int cli_term_width(void);

/* 1 when colours and attributes may be written to stdout: a terminal, and
 * NO_COLOR is not set. */
int cli_color_out(void);

/* Display width of UTF-8 text in terminal columns (escape sequences count 0). */
int cli_text_width(const char *s);

/* Print s in exactly `width` columns: cut with an ellipsis, or padded. */
void cli_text_fit(FILE *f, const char *s, int width);

enum {
    CLI_COL_RIGHT = 1 << 0, /* right-aligned (numbers) */
    CLI_COL_FLEX = 1 << 1,  /* takes the width left over (one column: titles) */
    CLI_COL_DIM = 1 << 2    /* drawn dim on a terminal (keys) */
};

typedef struct cli_column {
    const char *head;
    int width; /* fixed columns: the width; the flexible one: the most it takes */
    int flags; /* CLI_COL_* */
} cli_column;

#define CLI_TABLE_MAX_COLS 12

/*
 * A table on stdout, sized to the terminal: cells longer than their column
 * are cut with an ellipsis on a terminal (never wrapped); without a
 * terminal nothing is cut. A streamed table prints each row at once (fixed
 * widths: the first row appears before the list's end); a buffered one
 * sizes its columns to what they hold and prints at cli_table_end().
 */
typedef struct cli_table {
    const cli_column *cols;
    int ncols;
    int shown; /* the columns that fit the terminal */
    int w[CLI_TABLE_MAX_COLS];
    int limit; /* terminal width, or 0 */
    int color;
    int buffered;
    int headed; /* the header is out */
    char **cells;
    size_t nrows, cap;
    int failed; /* out of memory while buffering */
} cli_table;

void cli_table_init(cli_table *t, const cli_column *cols, int ncols, int buffered);

/* One row of ncols cells (NULL: empty). */
void cli_table_row(cli_table *t, const char *const *cells);

/* Print a buffered table; free the rows. 0, or CLI_EXIT_ERROR (out of memory, after a message). */
int cli_table_end(cli_table *t);

/* Append printf-style text at buf[*len] (size bytes in all), cut when it is
 * full: *len stays below size. */
void cli_appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* "1h 52m", "52m", "3m 25s", "42s" for milliseconds. */
void cli_fmt_duration(char *buf, size_t size, long long ms);

/* "4.3 GB", "512 B" (decimal units). */
void cli_fmt_size(char *buf, size_t size, long long bytes);

/* "2024-03-01" (local time) for epoch seconds; "" for 0. */
void cli_fmt_date(char *buf, size_t size, long long epoch);

/* Write raw JSON text as one line: the whitespace between its tokens is dropped. */
void cli_json_line(FILE *f, const char *json, size_t len);

#endif

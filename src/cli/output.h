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

#endif

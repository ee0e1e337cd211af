/*
 * The plex command's sub-commands.
 */
#ifndef PLEX_CLI_CMD_H
#define PLEX_CLI_CMD_H

typedef struct cli_cmd {
    const char *name;    /* "pin decode" */
    const char *summary; /* one line for `plex --help` */
    /* argv[0..argc) are the arguments after the command's name */
    int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
} cli_cmd;

int cmd_pin_decode(const cli_cmd *cmd, int argc, char **argv);

/* Print "plex: <message>" on stderr (printf-style). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Read a whole file ("-" or NULL: stdin) into a malloc'd buffer. Returns 0,
 * or -1 with errno set (EFBIG above `limit` bytes). */
int cli_read_file(const char *path, size_t limit, char **out, size_t *len);

#endif

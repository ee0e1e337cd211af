/*
 * plex pin decode: decode a PIN container and print it re-encoded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plex/plex.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"

#define MAX_INPUT (64u * 1024 * 1024)

/* Line and column (1-based, columns in bytes) of byte offset pos. */
static void line_col(const char *buf, size_t len, size_t pos, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int cmd_pin_decode(const cli_cmd *cmd, int argc, char **argv)
{
    const char *file = NULL;
    int strict = 0, rc;
    const cli_opt opts[] = {
        {CLI_OPT_FLAG, "strict", 0, NULL,
         "reject a container that misses a required field", &strict, 0, NULL, 0},
        {CLI_OPT_ARG, "FILE|-", 0, NULL, "the JSON to decode (default: standard input)", NULL, 0,
         &file, 0},
        {CLI_OPT_END, NULL, 0, NULL, NULL, NULL, 0, NULL, 0},
    };
    plex_pin *pin = NULL;
    plex_error err;
    char *data, *json;
    size_t len;

    rc = cli_opt_parse(opts, cmd->name,
                       "Decode a PIN container (the JSON of POST/GET /api/v2/pins) and print it\n"
                       "re-encoded as canonical one-line JSON.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;

    if (cli_read_file(file, MAX_INPUT, &data, &len) != 0) {
        cli_error("%s: %s", file && strcmp(file, "-") ? file : "standard input",
                  errno == EFBIG ? "input larger than 64 MiB" : strerror(errno));
        return CLI_EXIT_ERROR;
    }
    rc = plex_pin_parse(&pin, data, len, strict ? PLEX_PARSE_STRICT : 0, &err);
    if (rc != 0) {
        if (rc == PLEX_EPARSE && err.json_pos >= 0) {
            size_t line, col;
            line_col(data, len, (size_t)err.json_pos, &line, &col);
            cli_error("%s (line %zu, column %zu)", err.message, line, col);
        } else {
            cli_error("%s", err.message);
        }
        free(data);
        return cli_exit_code(rc);
    }
    free(data);
    if (pin->missing) {
        fputs("plex: warning: missing required field(s):", stderr);
        for (unsigned int bit = 1; bit; bit <<= 1)
            if (pin->missing & bit)
                fprintf(stderr, " %s", plex_pin_field_name(bit));
        fputc('\n', stderr);
    }
    rc = plex_pin_to_json(pin, &json);
    plex_pin_free(pin);
    if (rc != 0) {
        cli_error("cannot encode: %s", plex_strerror(rc));
        return cli_exit_code(rc);
    }
    puts(json);
    plex_free(json);
    if (fflush(stdout) != 0) {
        cli_error("writing output: %s", strerror(errno));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

/*
 * plex pin decode | new | check: the PIN container, offline and online.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plex/plex.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"

#define MAX_INPUT ((size_t)64 * 1024 * 1024)

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
        CLI_FLAG("strict", 0, strict, "reject a container that misses a required field"),
        CLI_ARG("FILE|-", file, 0, "the JSON to decode (default: standard input)"),
        CLI_END,
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
        cli_error("%s: %s", file && strcmp(file, "-") != 0 ? file : "standard input",
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

/* Print a PIN: JSON (--json, the container as the library encodes it) or
 * "key: value" lines. */
static int print_pin(const plex_pin *pin, const char *url, int show_token)
{
    if (cli_g.json) {
        char *json = NULL;
        int rc = plex_pin_to_json(pin, &json);
        if (rc != 0) {
            cli_error("cannot encode: %s", plex_strerror(rc));
            return cli_exit_code(rc);
        }
        puts(json);
        plex_free(json);
        return CLI_EXIT_OK;
    }
    printf("id:         %lld\n", (long long)pin->id);
    printf("code:       %s\n", pin->code);
    if (url)
        printf("url:        %s\n", url);
    if (pin->present & PLEX_PIN_EXPIRES_IN)
        printf("expires_in: %ld\n", (long)pin->expires_in);
    if (show_token) {
        printf("status:     %s\n", pin->auth_token ? "approved" : "pending");
        if (pin->auth_token)
            printf("token:      %s\n", pin->auth_token);
    }
    return CLI_EXIT_OK;
}

int cmd_pin_new(const cli_cmd *cmd, int argc, char **argv)
{
    int strong = 0, rc;
    const cli_opt opts[] = {
        CLI_FLAG("strong", 0, strong,
                 "a long code for the Auth App URL instead of a 4-character code"),
        CLI_END,
    };
    cli_session s;
    plex_pin *pin = NULL;
    char *url = NULL;

    rc = cli_opt_parse(opts, cmd->name,
                       "Request a PIN and print its id, code and approval URL, for scripts that\n"
                       "run the flow themselves ('plex pin check ID' polls it). The id redeems\n"
                       "the token: keep it to yourself.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_session_open(&s, CLI_NEED_NO_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    rc = plex_pin_create(&pin, s.client, strong ? PLEX_PIN_STRONG : 0);
    if (rc != 0) {
        rc = cli_fail(&s, rc, "cannot get a PIN");
        cli_session_close(&s);
        return rc;
    }
    if (strong) {
        plex_auth_url_options uo = PLEX_AUTH_URL_OPTIONS_INIT;
        uo.client_identifier = s.client_id;
        uo.code = pin->code;
        uo.product = cli_g.product ? cli_g.product : CLI_DEFAULT_PRODUCT;
        rc = plex_auth_app_url(&url, &uo);
    } else {
        rc = plex_pin_link_url(&url, pin->code);
    }
    if (rc != 0)
        url = NULL;
    rc = print_pin(pin, url, 0);
    plex_free(url);
    plex_pin_free(pin);
    cli_session_close(&s);
    return cli_finish_stdout(rc);
}

int cmd_pin_check(const cli_cmd *cmd, int argc, char **argv)
{
    const char *id_text = NULL;
    const cli_opt opts[] = {
        CLI_ARG("ID", id_text, 1, "the PIN id that 'plex pin new' printed"),
        CLI_END,
    };
    cli_session s;
    plex_pin *pin = NULL;
    long long id;
    char *end;
    int rc;

    rc = cli_opt_parse(opts, cmd->name,
                       "Check a PIN once: 'pending' until the user approves it, then 'approved'\n"
                       "with the token. Use the same config directory (client identifier) as\n"
                       "'plex pin new'.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    errno = 0;
    id = strtoll(id_text, &end, 10);
    if (errno || end == id_text || *end || id <= 0) {
        fprintf(stderr, "plex pin check: ID must be a positive number, not '%s'\n", id_text);
        fputs("Try 'plex pin check --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_session_open(&s, CLI_NEED_NO_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    rc = plex_pin_check(&pin, s.client, (int64_t)id);
    if (rc != 0) {
        rc = cli_fail(&s, rc, "cannot check the PIN");
        cli_session_close(&s);
        return rc;
    }
    rc = print_pin(pin, NULL, 1);
    plex_pin_free(pin);
    cli_session_close(&s);
    return cli_finish_stdout(rc);
}

/*
 * plex: the command-line client of libplex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plex/plex.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"

static const cli_cmd commands[] = {
    {"login", "sign this device in (shows a code to approve) and save the token", cmd_login},
    {"whoami", "show the signed-in account (checks the token)", cmd_whoami},
    {"token", "print the token, for scripts", cmd_token},
    {"token upgrade", "switch a legacy token to a JWT (device key)", cmd_token_upgrade},
    {"token refresh", "renew the saved JWT", cmd_token_refresh},
    {"logout", "sign the token out at plex.tv and forget it", cmd_logout},
    {"link", "approve another device's 4-character code", cmd_link},
    {"servers", "list the servers and their connections; mark the one that answers", cmd_servers},
    {"pin new", "request a PIN and print its id, code and URL", cmd_pin_new},
    {"pin check", "check a PIN once (pending or approved)", cmd_pin_check},
    {"pin decode", "decode a PIN container and print it as canonical JSON", cmd_pin_decode},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int opt_help, opt_version;
static const cli_opt global_opts[] = {
    {CLI_OPT_VALUE, "base-url", 0, "URL",
     "plex.tv to talk to (default " CLI_DEFAULT_BASE_URL "; env PLEX_BASE_URL)", NULL, 0,
     &cli_g.base_url, 0},
    {CLI_OPT_VALUE, "config-dir", 0, "DIR",
     "where the client id and token are kept (env PLEX_CONFIG_DIR)", NULL, 0, &cli_g.config_dir, 0},
    {CLI_OPT_VALUE, "cacert", 0, "FILE", "trust the CA certificates in this PEM file", NULL, 0,
     &cli_g.cacert, 0},
    {CLI_OPT_VALUE, "product", 0, "NAME",
     "the name shown in the account's devices (default \"" CLI_DEFAULT_PRODUCT "\")", NULL, 0,
     &cli_g.product, 0},
    {CLI_OPT_FLAG, "json", 0, NULL, "machine-readable output: one JSON object per line",
     &cli_g.json, 0, NULL, 0},
    {CLI_OPT_FLAG, "verbose", 'v', NULL, "HTTP trace on stderr (tokens, PIN ids, codes hidden)",
     &cli_g.verbose, 0, NULL, 0},
    {CLI_OPT_FLAG, "help", 'h', NULL, "show this help", &opt_help, 0, NULL, 0},
    {CLI_OPT_FLAG, "version", 0, NULL, "show the version", &opt_version, 0, NULL, 0},
    {CLI_OPT_END, NULL, 0, NULL, NULL, NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fputs("usage: plex [OPTIONS] COMMAND [ARGS]\n\n"
          "The command-line client of libplex, for the Plex API.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fputs("\nOptions (before the command):\n", f);
    cli_opt_list(global_opts, f);
    fputs("\nEnvironment:\n"
          "  PLEX_TOKEN       use this token instead of the saved one\n"
          "  PLEX_BASE_URL    as --base-url\n"
          "  PLEX_CONFIG_DIR  as --config-dir (default $XDG_CONFIG_HOME/plex or ~/.config/plex)\n"
          "  NO_COLOR         no colors\n"
          "  PLEX_LOG_SECRETS=1  let -v show tokens, PIN ids and codes\n"
          "\nRun 'plex COMMAND --help' for a command's options. See also plex(1).\n\n",
          f);
    fputs(cli_exit_codes_help, f);
}

/* How many words of argv name commands[i]; 0 if it does not match. */
static int match(const cli_cmd *c, int argc, char **argv)
{
    const char *name = c->name;
    int words = 0;

    while (*name) {
        const char *sp = strchr(name, ' ');
        size_t n = sp ? (size_t)(sp - name) : strlen(name);
        if (words >= argc || strlen(argv[words]) != n || strncmp(argv[words], name, n) != 0)
            return 0;
        words++;
        name += n + (sp ? 1 : 0);
    }
    return words;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int main(int argc, char **argv)
{
    int used = 0, rc, i;
    const char *log_secrets = env("PLEX_LOG_SECRETS");

    cli_g.base_url = env("PLEX_BASE_URL");
    cli_g.config_dir = env("PLEX_CONFIG_DIR");
    cli_g.color = env("NO_COLOR") == NULL;
    cli_g.log_secrets = log_secrets && strcmp(log_secrets, "0") != 0;

    rc = cli_opt_parse_prefix(global_opts, argc - 1, argv + 1, &used);
    if (rc)
        return rc;
    if (opt_help) {
        usage(stdout);
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    if (opt_version) {
        printf("plex %s (libplex %s)\n", PLEX_VERSION_STRING, plex_version());
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    i = 1 + used;
    if (i >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    {
        /* the longest match wins: "token upgrade" before "token" */
        size_t c = 0;
        int words = 0;
        for (size_t k = 0; k < NCOMMANDS; k++) {
            int w = match(&commands[k], argc - i, argv + i);
            if (w > words) {
                words = w;
                c = k;
            }
        }
        if (words) {
            if (plex_global_init() != 0) {
                cli_error("cannot initialise the HTTP library");
                return CLI_EXIT_ERROR;
            }
            rc = commands[c].run(&commands[c], argc - i - words, argv + i + words);
            plex_global_cleanup();
            return rc;
        }
    }
    if (strcmp(argv[i], "pin") == 0)
        cli_error("unknown command: pin %s (try 'pin new', 'pin check' or 'pin decode')",
                  i + 1 < argc ? argv[i + 1] : "");
    else
        cli_error("unknown command: %s", argv[i]);
    fputs("Try 'plex --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

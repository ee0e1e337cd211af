/*
 * plex: the command-line client of libplex.
 */
#include <stdio.h>
#include <string.h>

#include <plex/plex.h>

#include "cmd.h"
#include "error.h"

static const cli_cmd commands[] = {
    {"pin decode", "decode a PIN container and print it as canonical JSON", cmd_pin_decode},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fputs("usage: plex [--help] [--version] COMMAND [ARGS]\n\n"
          "The command-line client of libplex, for the Plex API.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'plex COMMAND --help' for a command's options.\n\n", f);
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

int main(int argc, char **argv)
{
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("plex %s (libplex %s)\n", PLEX_VERSION_STRING, plex_version());
            return CLI_EXIT_OK;
        }
        cli_error("unknown option: %s", argv[i]);
        fputs("Try 'plex --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (size_t c = 0; c < NCOMMANDS; c++) {
        int words = match(&commands[c], argc - i, argv + i);
        if (words)
            return commands[c].run(&commands[c], argc - i - words, argv + i + words);
    }
    cli_error("unknown command: %s", argv[i]);
    fputs("Try 'plex --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

/*
 * Command-line options from one table: the parser and the --help text are
 * both generated from it, so they cannot disagree.
 */
#ifndef PLEX_CLI_OPT_H
#define PLEX_CLI_OPT_H

typedef enum cli_opt_kind {
    CLI_OPT_END = 0,
    CLI_OPT_FLAG,   /* --name: sets *flag to 1 (or to `value` for --no-x pairs) */
    CLI_OPT_VALUE,  /* --name VALUE or --name=VALUE: sets *value */
    CLI_OPT_ARG     /* a positional argument: sets *value */
} cli_opt_kind;

typedef struct cli_opt {
    cli_opt_kind kind;
    const char *name;       /* long name without "--", or the positional's display name */
    char short_name;        /* 0 if none */
    const char *value_name; /* CLI_OPT_VALUE: "SEC", "URL"... */
    const char *help;
    int *flag;              /* CLI_OPT_FLAG */
    int flag_value;         /* what a CLI_OPT_FLAG stores (0 means 1) */
    const char **value;     /* CLI_OPT_VALUE, CLI_OPT_ARG */
    int required;           /* CLI_OPT_ARG: must be given */
} cli_opt;

/*
 * Parse argv[0..argc) (argv[0] is the first argument, not the program) with
 * `table`. Unknown options and extra arguments are usage errors: a message
 * goes to stderr and CLI_EXIT_USAGE is returned. `--help` prints the usage of
 * `command` and returns -1 (the caller exits 0).
 */
int cli_opt_parse(const cli_opt *table, const char *command, const char *summary, int argc,
                  char **argv);

/*
 * Parse the options before a command name (the global options): stops at the
 * first argument that is not an option, or after "--", and stores in *used
 * how many arguments were options. --help is not special here: put it in the
 * table. Returns 0 or CLI_EXIT_USAGE (after a message on stderr).
 */
int cli_opt_parse_prefix(const cli_opt *table, int argc, char **argv, int *used);

/* Print the option lines of a table (no usage line), for `plex --help`. */
void cli_opt_list(const cli_opt *table, void *stream);

/* Print "usage: plex COMMAND [options] ARGS" and the option list. */
void cli_opt_usage(const cli_opt *table, const char *command, const char *summary, void *stream);

#endif

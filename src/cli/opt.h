/*
 * Command-line options from one table: the parser and the --help text are
 * both generated from it, so they cannot disagree.
 */
#ifndef PLEX_CLI_OPT_H
#define PLEX_CLI_OPT_H

typedef enum cli_opt_kind {
    CLI_OPT_END = 0,
    CLI_OPT_FLAG,  /* --name: sets *flag to 1 (or to `value` for --no-x pairs) */
    CLI_OPT_VALUE, /* --name VALUE or --name=VALUE: sets *value */
    CLI_OPT_LIST,  /* --name VALUE, repeatable: appended to *list */
    CLI_OPT_ARG,   /* a positional argument: sets *value */
    CLI_OPT_REST   /* the remaining positional arguments: appended to *list */
} cli_opt_kind;

/* Values of a repeatable option or of the remaining arguments (borrowed from argv). */
#define CLI_STRS_MAX 256
typedef struct cli_strs {
    const char *v[CLI_STRS_MAX];
    int n;
} cli_strs;

typedef struct cli_opt {
    cli_opt_kind kind;
    const char *name;       /* long name without "--", or the positional's display name */
    char short_name;        /* 0 if none */
    const char *value_name; /* CLI_OPT_VALUE, CLI_OPT_LIST: "SEC", "URL"... */
    const char *help;
    int *flag;          /* CLI_OPT_FLAG */
    int flag_value;     /* what a CLI_OPT_FLAG stores (0 means 1) */
    const char **value; /* CLI_OPT_VALUE, CLI_OPT_ARG */
    int required;       /* CLI_OPT_ARG, CLI_OPT_REST: must be given */
    cli_strs *list;     /* CLI_OPT_LIST, CLI_OPT_REST */
} cli_opt;

/* Table entries, every member given (analyzers follow the addresses taken). */
#define CLI_FLAG(long_, short_, var, help_)                                                        \
    {                                                                                              \
        CLI_OPT_FLAG, (long_), (short_), NULL, (help_), &(var), 0, NULL, 0, NULL                   \
    }
#define CLI_FLAG_SET(long_, short_, var, value_, help_)                                            \
    {                                                                                              \
        CLI_OPT_FLAG, (long_), (short_), NULL, (help_), &(var), (value_), NULL, 0, NULL            \
    }
#define CLI_VALUE(long_, short_, vname, var, help_)                                                \
    {                                                                                              \
        CLI_OPT_VALUE, (long_), (short_), (vname), (help_), NULL, 0, &(var), 0, NULL               \
    }
#define CLI_LIST(long_, short_, vname, var, help_)                                                 \
    {                                                                                              \
        CLI_OPT_LIST, (long_), (short_), (vname), (help_), NULL, 0, NULL, 0, &(var)                \
    }
#define CLI_ARG(name_, var, required_, help_)                                                      \
    {                                                                                              \
        CLI_OPT_ARG, (name_), 0, NULL, (help_), NULL, 0, &(var), (required_), NULL                 \
    }
#define CLI_REST(name_, var, required_, help_)                                                     \
    {                                                                                              \
        CLI_OPT_REST, (name_), 0, NULL, (help_), NULL, 0, NULL, (required_), &(var)                \
    }
#define CLI_END                                                                                    \
    {                                                                                              \
        CLI_OPT_END, NULL, 0, NULL, NULL, NULL, 0, NULL, 0, NULL                                   \
    }

/*
 * The global options (--json, --server...): besides before the command,
 * they are accepted among any command's own options, which are looked up
 * first. main() sets the table once.
 */
void cli_opt_set_globals(const struct cli_opt *table);

/*
 * Parse argv[0..argc) (argv[0] is the first argument, not the program) with
 * `table`, then the global table. Unknown options and extra arguments are
 * usage errors: a message goes to stderr and CLI_EXIT_USAGE is returned.
 * `--help` prints the usage of `command` and returns -1 (the caller exits 0).
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

/*
 * A whole number from lo to hi for option `name` of `command`: 0, or
 * CLI_EXIT_USAGE after a message.
 */
int cli_opt_long(const char *command, const char *name, const char *text, long lo, long hi,
                 long *out);

#endif

#include "opt.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

void cli_opt_usage(const cli_opt *table, const char *command, const char *summary, void *stream)
{
    FILE *f = stream;
    const cli_opt *o;

    fprintf(f, "usage: plex %s", command);
    for (o = table; o->kind != CLI_OPT_END; o++) {
        if (o->kind == CLI_OPT_FLAG) {
            /* flags that set the same variable are alternatives: [--qr|--no-qr] */
            fprintf(f, " [--%s", o->name);
            while (o[1].kind == CLI_OPT_FLAG && o[1].flag == o->flag) {
                o++;
                fprintf(f, "|--%s", o->name);
            }
            fputc(']', f);
        } else if (o->kind == CLI_OPT_VALUE)
            fprintf(f, " [--%s %s]", o->name, o->value_name);
    }
    for (o = table; o->kind != CLI_OPT_END; o++)
        if (o->kind == CLI_OPT_ARG)
            fprintf(f, o->required ? " %s" : " [%s]", o->name);
    fprintf(f, "\n\n%s\n", summary);
    if (table->kind != CLI_OPT_END)
        fputs("\n", f);
    for (o = table; o->kind != CLI_OPT_END; o++) {
        char left[64];
        if (o->kind == CLI_OPT_ARG)
            snprintf(left, sizeof(left), "%s", o->name);
        else if (o->kind == CLI_OPT_VALUE)
            snprintf(left, sizeof(left), "%s%c%s--%s %s", o->short_name ? "-" : "",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
                     o->value_name);
        else
            snprintf(left, sizeof(left), "%s%c%s--%s", o->short_name ? "-" : "",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name);
        fprintf(f, "  %-24s %s\n", left, o->help);
    }
    fputs("\nGlobal options (--base-url, --config-dir, --json, -v...) go before the command:\n"
          "see 'plex --help'.\n",
          f);
}

static const cli_opt *find_long(const cli_opt *table, const char *name, size_t n)
{
    for (const cli_opt *o = table; o->kind != CLI_OPT_END; o++)
        if (o->kind != CLI_OPT_ARG && strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *table, char c)
{
    for (const cli_opt *o = table; o->kind != CLI_OPT_END; o++)
        if (o->kind != CLI_OPT_ARG && o->short_name == c)
            return o;
    return NULL;
}

static int usage_error(const cli_opt *table, const char *command, const char *what, const char *arg)
{
    if (command && *command) {
        fprintf(stderr, "plex %s: %s: %s\n", command, what, arg);
        fprintf(stderr, "Try 'plex %s --help'.\n", command);
    } else {
        fprintf(stderr, "plex: %s: %s\n", what, arg);
        fputs("Try 'plex --help'.\n", stderr);
    }
    (void)table;
    return CLI_EXIT_USAGE;
}

/*
 * prefix: stop at the first argument that is not an option (the command
 * name) and store how many were used in *used; --help is then an ordinary
 * table entry rather than a request for this table's usage.
 */
static int parse(const cli_opt *table, const char *command, const char *summary, int argc,
                 char **argv, int *used)
{
    const cli_opt *next_arg = table;
    int only_args = 0;
    int i;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        const cli_opt *o = NULL;
        const char *val = NULL;

        if (!only_args && strcmp(a, "--") == 0) {
            if (used) {
                i++;
                break;
            }
            only_args = 1;
            continue;
        }
        if (used && (a[0] != '-' || a[1] == '\0'))
            break;
        if (!only_args && a[0] == '-' && a[1] != '\0') {
            if (a[1] == '-') {
                const char *eq = strchr(a + 2, '=');
                size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
                if (!used && n == 4 && strncmp(a + 2, "help", 4) == 0) {
                    cli_opt_usage(table, command, summary, stdout);
                    return -1;
                }
                o = find_long(table, a + 2, n);
                if (eq)
                    val = eq + 1;
            } else if (a[2] == '\0') {
                if (!used && a[1] == 'h') {
                    cli_opt_usage(table, command, summary, stdout);
                    return -1;
                }
                o = find_short(table, a[1]);
            }
            if (!o)
                return usage_error(table, command, "unknown option", a);
            if (o->kind == CLI_OPT_FLAG) {
                if (val)
                    return usage_error(table, command, "option takes no value", a);
                *o->flag = o->flag_value ? o->flag_value : 1;
            } else {
                if (!val) {
                    if (i + 1 >= argc)
                        return usage_error(table, command, "option needs a value", a);
                    val = argv[++i];
                }
                *o->value = val;
            }
            continue;
        }
        while (next_arg->kind != CLI_OPT_END && next_arg->kind != CLI_OPT_ARG)
            next_arg++;
        if (next_arg->kind == CLI_OPT_END)
            return usage_error(table, command, "unexpected argument", a);
        *next_arg->value = a;
        next_arg++;
    }
    if (used) {
        *used = i;
        return 0;
    }
    for (; next_arg->kind != CLI_OPT_END; next_arg++)
        if (next_arg->kind == CLI_OPT_ARG && next_arg->required)
            return usage_error(table, command, "missing argument", next_arg->name);
    return 0;
}

int cli_opt_parse(const cli_opt *table, const char *command, const char *summary, int argc,
                  char **argv)
{
    return parse(table, command, summary, argc, argv, NULL);
}

int cli_opt_parse_prefix(const cli_opt *table, int argc, char **argv, int *used)
{
    return parse(table, NULL, NULL, argc, argv, used);
}

void cli_opt_list(const cli_opt *table, void *stream)
{
    FILE *f = stream;

    for (const cli_opt *o = table; o->kind != CLI_OPT_END; o++) {
        char left[64];
        if (o->kind == CLI_OPT_ARG)
            continue;
        if (o->kind == CLI_OPT_VALUE)
            snprintf(left, sizeof(left), "%s%c%s--%s %s", o->short_name ? "-" : "",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
                     o->value_name);
        else
            snprintf(left, sizeof(left), "%s%c%s--%s", o->short_name ? "-" : "",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name);
        fprintf(f, "  %-24s %s\n", left, o->help);
    }
}

#include "opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const cli_opt *globals;

void cli_opt_set_globals(const cli_opt *table)
{
    globals = table;
}

/* "-x, --name VALUE" or "    --name" into buf. */
static void left_column(const cli_opt *o, char *buf, size_t size)
{
    const char *dash = o->short_name ? "-" : "", *sep = o->short_name ? ", " : "  ";
    char c = (char)(o->short_name ? o->short_name : ' ');

    if (o->kind == CLI_OPT_ARG || o->kind == CLI_OPT_REST)
        snprintf(buf, size, "%s%s", o->name, o->kind == CLI_OPT_REST ? "..." : "");
    else if (o->kind == CLI_OPT_VALUE || o->kind == CLI_OPT_LIST)
        snprintf(buf, size, "%s%c%s--%s %s", dash, c, sep, o->name, o->value_name);
    else
        snprintf(buf, size, "%s%c%s--%s", dash, c, sep, o->name);
}

/* "  LEFT  help": the help column at 27, or two blanks after a longer left
 * (the completions find the option's end by them). */
static void option_line(FILE *f, const char *left, const char *help)
{
    int n = (int)strlen(left);
    fprintf(f, "  %-*s %s\n", n < 24 ? 24 : n + 1, left, help);
}

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
        } else if (o->kind == CLI_OPT_VALUE) {
            fprintf(f, " [--%s %s]", o->name, o->value_name);
        } else if (o->kind == CLI_OPT_LIST) {
            fprintf(f, " [--%s %s]...", o->name, o->value_name);
        }
    }
    for (o = table; o->kind != CLI_OPT_END; o++) {
        const char *dots = o->kind == CLI_OPT_REST ? "..." : "";
        if (o->kind == CLI_OPT_ARG || o->kind == CLI_OPT_REST)
            fprintf(f, o->required ? " %s%s" : " [%s%s]", o->name, dots);
    }
    fprintf(f, "\n\n%s\n", summary);
    if (table->kind != CLI_OPT_END)
        fputs("\n", f);
    for (o = table; o->kind != CLI_OPT_END; o++) {
        char left[64];
        left_column(o, left, sizeof(left));
        option_line(f, left, o->help);
    }
    fputs("\nGlobal options (--server, --json, -v, --config-dir...) go before or after the\n"
          "command: see 'plex --help'.\n",
          f);
}

static const cli_opt *find_long(const cli_opt *table, const char *name, size_t n)
{
    for (const cli_opt *o = table; o && o->kind != CLI_OPT_END; o++)
        if (o->kind != CLI_OPT_ARG && o->kind != CLI_OPT_REST && strlen(o->name) == n &&
            strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *table, char c)
{
    for (const cli_opt *o = table; o && o->kind != CLI_OPT_END; o++)
        if (o->kind != CLI_OPT_ARG && o->kind != CLI_OPT_REST && o->short_name == c)
            return o;
    return NULL;
}

static int usage_error(const char *command, const char *what, const char *arg)
{
    if (command && *command) {
        fprintf(stderr, "plex %s: %s: %s\n", command, what, arg);
        fprintf(stderr, "Try 'plex %s --help'.\n", command);
    } else {
        fprintf(stderr, "plex: %s: %s\n", what, arg);
        fputs("Try 'plex --help'.\n", stderr);
    }
    return CLI_EXIT_USAGE;
}

static int append(cli_strs *l, const char *command, const char *v)
{
    if (l->n >= CLI_STRS_MAX)
        return usage_error(command, "too many values", v);
    l->v[l->n++] = v;
    return 0;
}

/*
 * prefix: stop at the first argument that is not an option (the command
 * name) and store how many were used in *used; --help is then an ordinary
 * table entry rather than a request for this table's usage. Otherwise
 * options not in the table are looked up in the global table.
 */
static int parse(const cli_opt *table, const char *command, const char *summary, int argc,
                 char **argv, int *used)
{
    const cli_opt *next_arg = table;
    const cli_opt *fallback = used ? NULL : globals;
    int only_args = 0;
    int i, rc;

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
                if (!(o = find_long(table, a + 2, n)))
                    o = find_long(fallback, a + 2, n);
                if (eq)
                    val = eq + 1;
            } else if (a[2] == '\0') {
                if (!used && a[1] == 'h') {
                    cli_opt_usage(table, command, summary, stdout);
                    return -1;
                }
                if (!(o = find_short(table, a[1])))
                    o = find_short(fallback, a[1]);
            }
            if (!o)
                return usage_error(command, "unknown option", a);
            if (o->kind == CLI_OPT_FLAG) {
                if (val)
                    return usage_error(command, "option takes no value", a);
                *o->flag = o->flag_value ? o->flag_value : 1;
            } else {
                if (!val) {
                    if (i + 1 >= argc)
                        return usage_error(command, "option needs a value", a);
                    val = argv[++i];
                }
                if (o->kind == CLI_OPT_LIST) {
                    if ((rc = append(o->list, command, val)) != 0)
                        return rc;
                } else {
                    *o->value = val;
                }
            }
            continue;
        }
        while (next_arg->kind != CLI_OPT_END && next_arg->kind != CLI_OPT_ARG &&
               next_arg->kind != CLI_OPT_REST)
            next_arg++;
        if (next_arg->kind == CLI_OPT_END)
            return usage_error(command, "unexpected argument", a);
        if (next_arg->kind == CLI_OPT_REST) {
            if ((rc = append(next_arg->list, command, a)) != 0)
                return rc;
            continue; /* it takes every argument that follows */
        }
        *next_arg->value = a;
        next_arg++;
    }
    if (used) {
        *used = i;
        return 0;
    }
    for (; next_arg->kind != CLI_OPT_END; next_arg++)
        if ((next_arg->kind == CLI_OPT_ARG || next_arg->kind == CLI_OPT_REST) &&
            next_arg->required && (next_arg->kind == CLI_OPT_ARG || next_arg->list->n == 0))
            return usage_error(command, "missing argument", next_arg->name);
    return 0;
}

int cli_opt_parse(const cli_opt *table, const char *command, const char *summary, int argc,
                  char **argv)
{
    /* lists start empty: a command may run once per process, but its tables
     * are often static */
    for (const cli_opt *o = table; o->kind != CLI_OPT_END; o++)
        if (o->kind == CLI_OPT_LIST || o->kind == CLI_OPT_REST)
            o->list->n = 0;
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
        if (o->kind == CLI_OPT_ARG || o->kind == CLI_OPT_REST)
            continue;
        left_column(o, left, sizeof(left));
        option_line(f, left, o->help);
    }
}

int cli_opt_long(const char *command, const char *name, const char *text, long lo, long hi,
                 long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) {
        fprintf(stderr, "plex %s: --%s: expected a whole number from %ld to %ld, not '%s'\n",
                command, name, lo, hi, text);
        fprintf(stderr, "Try 'plex %s --help'.\n", command);
        return CLI_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

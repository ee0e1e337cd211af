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
    {"libraries", "list the server's library sections (key, title, type, items)", cmd_libraries},
    {"ls", "list every item of a section, page by page", cmd_ls},
    {"children", "list the seasons, episodes, albums or tracks under an item", cmd_children},
    {"show", "show one item's full metadata (media, files, streams)", cmd_show},
    {"search", "search the server's libraries", cmd_search},
    {"ondeck", "list what to watch next", cmd_ondeck},
    {"recent", "list the recently added items", cmd_recent},
    {"download", "download a movie, an episode, a season or a show (resumable)", cmd_download},
    {"url", "print the direct-play URL of an item's file", cmd_url},
    {"mark watched", "mark an item (or a whole show) watched", cmd_mark_watched},
    {"mark unwatched", "mark an item (or a whole show) unwatched", cmd_mark_unwatched},
    {"rate", "rate an item from 0 to 10", cmd_rate},
    {"streams", "list an item's audio and subtitle streams, or choose them", cmd_streams},
    {"playlists", "list the playlists", cmd_playlists},
    {"playlist", "list a playlist's items", cmd_playlist},
    {"playlist create", "make a playlist of items", cmd_playlist_create},
    {"playlist add", "append items to a playlist", cmd_playlist_add},
    {"playlist remove", "take items out of a playlist", cmd_playlist_remove},
    {"playlist delete", "delete a playlist", cmd_playlist_delete},
    {"sessions", "who plays what, where, direct or transcoded", cmd_sessions},
    {"history", "what was watched, newest first", cmd_history},
    {"server", "the server's name, version, platform, id, and whether an update is available",
     cmd_server},
    {"events", "the server's live notifications, until Ctrl-C", cmd_events},
    {"butler", "the server's maintenance tasks, and whether they run", cmd_butler},
    {"butler run", "start a maintenance task now", cmd_butler_run},
    {"butler stop", "stop a running maintenance task", cmd_butler_stop},
    {"activities", "what the server is doing now (scans, refreshes, tasks)", cmd_activities},
    {"activities cancel", "cancel a scan or a refresh", cmd_activities_cancel},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Accepted before or after the command. */
static const cli_opt global_opts[] = {
    CLI_VALUE("server", 0, "URL|NAME", cli_g.server,
              "the media server: a URL, or a name or machine id (env PLEX_SERVER)"),
    CLI_VALUE("base-url", 0, "URL", cli_g.base_url,
              "plex.tv to talk to (default " CLI_DEFAULT_BASE_URL "; env PLEX_BASE_URL)"),
    CLI_VALUE("config-dir", 0, "DIR", cli_g.config_dir,
              "where the client id and token are kept (env PLEX_CONFIG_DIR)"),
    CLI_VALUE("cacert", 0, "FILE", cli_g.cacert, "trust the CA certificates in this PEM file"),
    CLI_VALUE("product", 0, "NAME", cli_g.product,
              "the name shown in the account's devices (default \"" CLI_DEFAULT_PRODUCT "\")"),
    CLI_FLAG("json", 0, cli_g.json, "machine-readable output: one JSON object per line"),
    CLI_FLAG("verbose", 'v', cli_g.verbose, "HTTP trace on stderr (tokens, PIN ids, codes hidden)"),
    CLI_END,
};

/* Only before the command (after it, --help is the command's). */
static int opt_help, opt_version;
static const cli_opt main_opts[] = {
    CLI_FLAG("help", 'h', opt_help, "show this help"),
    CLI_FLAG("version", 0, opt_version, "show the version"),
    CLI_END,
};

static void usage(FILE *f)
{
    int width = 0;

    for (size_t i = 0; i < NCOMMANDS; i++)
        if ((int)strlen(commands[i].name) > width)
            width = (int)strlen(commands[i].name);
    fputs("usage: plex [OPTIONS] COMMAND [ARGS] [OPTIONS]\n\n"
          "The command-line client of libplex, for the Plex API.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
    fputs("\nOptions (before or after the command):\n", f);
    cli_opt_list(global_opts, f);
    cli_opt_list(main_opts, f);
    fputs("\nEnvironment:\n"
          "  PLEX_TOKEN       use this token instead of the saved one\n"
          "  PLEX_SERVER      as --server\n"
          "  PLEX_BASE_URL    as --base-url\n"
          "  PLEX_CONFIG_DIR  as --config-dir (default $XDG_CONFIG_HOME/plex or ~/.config/plex)\n"
          "  NO_COLOR         no colors\n"
          "  PLEX_LOG_SECRETS=1  let -v show tokens, PIN ids and codes\n"
          "\nRun 'plex help COMMAND' or 'plex COMMAND --help' for a command's options.\n"
          "See also plex(1).\n\n",
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

/* The command argv starts with (the longest match: "token upgrade" before
 * "token"), its word count in *words; NULL if none. */
static const cli_cmd *find(int argc, char **argv, int *words)
{
    const cli_cmd *c = NULL;

    *words = 0;
    for (size_t k = 0; k < NCOMMANDS; k++) {
        int w = match(&commands[k], argc, argv);
        if (w > *words) {
            *words = w;
            c = &commands[k];
        }
    }
    return c;
}

/* An unknown command: say which ones start with the same word ("pin new"...). */
static int unknown(int argc, char **argv)
{
    size_t n = strlen(argv[0]);
    int hints = 0;

    for (size_t k = 0; k < NCOMMANDS; k++)
        if (strncmp(commands[k].name, argv[0], n) == 0 && commands[k].name[n] == ' ')
            hints++;
    if (hints) {
        cli_error("unknown command: %s %s", argv[0], argc > 1 ? argv[1] : "");
        fputs("Try", stderr);
        for (size_t k = 0, i = 0; k < NCOMMANDS; k++)
            if (strncmp(commands[k].name, argv[0], n) == 0 && commands[k].name[n] == ' ')
                fprintf(stderr, "%s'plex %s'", i++ ? ", " : " ", commands[k].name);
        fputs(".\n", stderr);
    } else {
        cli_error("unknown command: %s", argv[0]);
        fputs("Try 'plex --help'.\n", stderr);
    }
    return CLI_EXIT_USAGE;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Both tables, for the options before the command. */
static int parse_prefix(int argc, char **argv, int *used)
{
    cli_opt all[sizeof(global_opts) / sizeof(global_opts[0]) +
                sizeof(main_opts) / sizeof(main_opts[0])];
    size_t n = 0;

    for (const cli_opt *o = global_opts; o->kind != CLI_OPT_END; o++)
        all[n++] = *o;
    for (const cli_opt *o = main_opts; o->kind != CLI_OPT_END; o++)
        all[n++] = *o;
    all[n] = main_opts[sizeof(main_opts) / sizeof(main_opts[0]) - 1];
    return cli_opt_parse_prefix(all, argc, argv, used);
}

int main(int argc, char **argv)
{
    int used = 0, rc, i, words;
    const char *log_secrets = env("PLEX_LOG_SECRETS");
    const cli_cmd *c;
    char help_arg[] = "--help";
    char *help_argv[] = {help_arg, NULL};

    cli_g.base_url = env("PLEX_BASE_URL");
    cli_g.config_dir = env("PLEX_CONFIG_DIR");
    cli_g.color = env("NO_COLOR") == NULL;
    cli_g.log_secrets = log_secrets && strcmp(log_secrets, "0") != 0;
    cli_opt_set_globals(global_opts);

    rc = parse_prefix(argc - 1, argv + 1, &used);
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
    if (strcmp(argv[i], "help") == 0) {
        /* plex help COMMAND: the command's --help */
        if (i + 1 >= argc) {
            usage(stdout);
            return cli_finish_stdout(CLI_EXIT_OK);
        }
        c = find(argc - i - 1, argv + i + 1, &words);
        if (!c || i + 1 + words != argc)
            return unknown(argc - i - 1, argv + i + 1);
        rc = c->run(c, 1, help_argv);
        return cli_finish_stdout(rc);
    }
    c = find(argc - i, argv + i, &words);
    if (!c)
        return unknown(argc - i, argv + i);
    if (plex_global_init() != 0) {
        cli_error("cannot initialise the HTTP library");
        return CLI_EXIT_ERROR;
    }
    rc = c->run(c, argc - i - words, argv + i + words);
    plex_global_cleanup();
    return rc;
}

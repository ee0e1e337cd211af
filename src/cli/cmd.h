/*
 * The plex command's sub-commands and the helpers they share.
 */
#ifndef PLEX_CLI_CMD_H
#define PLEX_CLI_CMD_H

#include <stddef.h>
#include <stdio.h>

#include <plex/plex.h>

#include "output.h"

typedef struct cli_cmd {
    const char *name;    /* "pin decode" */
    const char *summary; /* one line for `plex --help` */
    /* argv[0..argc) are the arguments after the command's name */
    int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
} cli_cmd;

/* The global options (before the command) and what the environment adds. */
typedef struct cli_global {
    const char *base_url;   /* --base-url or PLEX_BASE_URL; NULL: saved or default */
    const char *config_dir; /* --config-dir or PLEX_CONFIG_DIR; NULL: the default */
    const char *cacert;     /* --cacert */
    const char *product;    /* --product; NULL: CLI_DEFAULT_PRODUCT */
    const char *server;     /* --server URL|NAME; NULL: PLEX_SERVER, or the only owned one */
    int json;               /* --json */
    int verbose;            /* -v */
    int log_secrets;        /* PLEX_LOG_SECRETS=1: -v shows tokens, PIN ids, codes */
    int color;              /* 0 when NO_COLOR is set */
} cli_global;

extern cli_global cli_g;

#define CLI_DEFAULT_BASE_URL "https://plex.tv"
#define CLI_DEFAULT_PRODUCT "plex CLI"

int cmd_pin_decode(const cli_cmd *cmd, int argc, char **argv);
int cmd_pin_new(const cli_cmd *cmd, int argc, char **argv);
int cmd_pin_check(const cli_cmd *cmd, int argc, char **argv);
int cmd_login(const cli_cmd *cmd, int argc, char **argv);
int cmd_whoami(const cli_cmd *cmd, int argc, char **argv);
int cmd_token(const cli_cmd *cmd, int argc, char **argv);
int cmd_logout(const cli_cmd *cmd, int argc, char **argv);
int cmd_link(const cli_cmd *cmd, int argc, char **argv);
int cmd_servers(const cli_cmd *cmd, int argc, char **argv);
int cmd_token_upgrade(const cli_cmd *cmd, int argc, char **argv);
int cmd_token_refresh(const cli_cmd *cmd, int argc, char **argv);
/* the media server */
int cmd_libraries(const cli_cmd *cmd, int argc, char **argv);
int cmd_ls(const cli_cmd *cmd, int argc, char **argv);
int cmd_children(const cli_cmd *cmd, int argc, char **argv);
int cmd_show(const cli_cmd *cmd, int argc, char **argv);
int cmd_search(const cli_cmd *cmd, int argc, char **argv);
int cmd_ondeck(const cli_cmd *cmd, int argc, char **argv);
int cmd_recent(const cli_cmd *cmd, int argc, char **argv);
int cmd_download(const cli_cmd *cmd, int argc, char **argv);
int cmd_url(const cli_cmd *cmd, int argc, char **argv);
int cmd_mark_watched(const cli_cmd *cmd, int argc, char **argv);
int cmd_mark_unwatched(const cli_cmd *cmd, int argc, char **argv);
int cmd_rate(const cli_cmd *cmd, int argc, char **argv);
int cmd_streams(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlists(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlist(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlist_create(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlist_add(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlist_remove(const cli_cmd *cmd, int argc, char **argv);
int cmd_playlist_delete(const cli_cmd *cmd, int argc, char **argv);
int cmd_sessions(const cli_cmd *cmd, int argc, char **argv);
int cmd_history(const cli_cmd *cmd, int argc, char **argv);
int cmd_server(const cli_cmd *cmd, int argc, char **argv);
int cmd_events(const cli_cmd *cmd, int argc, char **argv);
int cmd_butler(const cli_cmd *cmd, int argc, char **argv);
int cmd_butler_run(const cli_cmd *cmd, int argc, char **argv);
int cmd_butler_stop(const cli_cmd *cmd, int argc, char **argv);
int cmd_activities(const cli_cmd *cmd, int argc, char **argv);
int cmd_activities_cancel(const cli_cmd *cmd, int argc, char **argv);

/* Print "plex: <message>" on stderr (printf-style). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Print "plex: warning: <message>" on stderr (printf-style). */
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Read a whole file ("-" or NULL: stdin) into a malloc'd buffer. Returns 0,
 * or -1 with errno set (EFBIG above `limit` bytes). */
int cli_read_file(const char *path, size_t limit, char **out, size_t *len);

/* Finish stdout: flush it and report a write error. Returns `code`, or
 * CLI_EXIT_ERROR if writing failed. */
int cli_finish_stdout(int code);

/* ---- config.c: the config directory, the client identifier, the token ---- */

/* What the CLI keeps about a sign-in (the token file). */
typedef struct cli_token_file {
    char *token;       /* never NULL in a loaded file */
    char *user;        /* user name, or NULL */
    char *base_url;    /* the plex.tv it belongs to, or NULL */
    char *obtained_at; /* RFC 3339, or NULL */
} cli_token_file;

/* The config directory (malloc'd): --config-dir, PLEX_CONFIG_DIR,
 * $XDG_CONFIG_HOME/plex, ~/.config/plex. Returns 0 or an exit code. */
int cli_config_dir(char **out);

/* Create the directory (and missing parents) with mode 0700. Returns 0 or
 * an exit code after a message. */
int cli_config_ensure_dir(const char *dir);

/* The client identifier: read from DIR/client-id, or generated (random
 * UUID v4) and saved there once (a hand-written one of up to 128 printable
 * characters is kept).
 * Returns 0 or an exit code after a message. */
#define CLI_CLIENT_ID_MAX 129
int cli_client_id(const char *dir, char out[CLI_CLIENT_ID_MAX]);

/* A random UUID v4 from getrandom(). Returns 0 or -1 (errno set). */
int cli_uuid_v4(char out[37]);

/* Load DIR/token. Returns 0, CLI_TOKEN_NONE when there is no file, or an
 * exit code after a message (unsafe permissions, damaged file). */
#define CLI_TOKEN_NONE (-1)
int cli_token_load(const char *dir, cli_token_file *out);

/* Save DIR/token atomically (temporary file, fsync, rename, fsync of the
 * directory), mode 0600. Returns 0 or an exit code after a message. */
int cli_token_save(const char *dir, const char *token, const char *user, const char *base_url,
                   const char *obtained_at);

/* Remove DIR/token (and fsync the directory). Returns 0, CLI_TOKEN_NONE, or
 * an exit code after a message. */
int cli_token_forget(const char *dir);

/* Free the strings of a token file and zero it. */
void cli_token_file_dispose(cli_token_file *t);

/* Write DIR/NAME atomically with mode 0600. replace = 0: keep an existing
 * file (returns 1 then). Returns 0, 1, or -1 with errno set. */
int cli_write_atomic(const char *dir, const char *name, const char *data, size_t len, int replace);

/* ---- session.c: a client set up from the global options ---- */

enum {
    CLI_NEED_NO_TOKEN = 0, /* a client without a token (login, pin new/check) */
    CLI_NEED_TOKEN = 1     /* PLEX_TOKEN or the saved token; exit 77 without one */
};

typedef struct cli_session {
    plex_client *client;
    char *dir; /* config directory */
    char client_id[CLI_CLIENT_ID_MAX];
    const char *base_url; /* the one in use (borrowed) */
    cli_token_file saved; /* the saved token file, if one was loaded */
    int from_env;         /* the token came from PLEX_TOKEN */
    const char *token;    /* the token in use, or NULL (borrowed) */
    plex_jwt_key *key;    /* the device key, loaded for a saved JWT, or NULL */
} cli_session;

/* Set up a session. Returns 0 or an exit code after a message. */
int cli_session_open(cli_session *s, int need);

void cli_session_close(cli_session *s);

/* ---- cmd_jwt.c: JWT device authentication ---- */

/* The installation's device key, DIR/jwt-key.pem (0600); create = 1 makes
 * one if there is none. Returns 0, CLI_TOKEN_NONE (none, create = 0), or an
 * exit code after a message. */
int cli_jwt_key(const char *dir, int create, plex_jwt_key **out);

/* For a saved JWT and a device key: load the key into s->key and let the
 * client refresh the JWT by itself (within a day of its expiry, after it, or
 * on a 498) and save each new one, updating s->token. Returns 0 or an exit
 * code after a message. */
int cli_jwt_attach(cli_session *s);

/* Verify a Plex JWT's signature and claims against plex.tv's published keys
 * (cached in DIR/plex-keys.json per base URL, fetched again when the cache
 * does not verify) and the device key's id (key may be NULL). Returns 0 or
 * a plex_error_code with the reason in why. */
int cli_jwt_verify(cli_session *s, const char *jwt, const plex_jwt_key *key, char *why,
                   size_t why_size);

/* Check a JWT plex.tv just issued before saving it: 0 when it verifies (or,
 * with a warning, when plex.tv's keys could not be fetched or read), or
 * CLI_EXIT_NOPERM after a message when it does not verify. */
int cli_jwt_check_new(cli_session *s, const char *jwt, const plex_jwt_key *key);

/* The expiry of a JWT token as RFC 3339 into buf; "" for a legacy token. */
void cli_jwt_describe(const char *token, char *buf, size_t size);

/* Report the client's last failure of `rc` ("plex: <what>: <message>") and
 * return the exit code for it. */
int cli_fail(cli_session *s, int rc, const char *what);

/* Short machine name of an error code for JSON ("connect", "expired"). */
const char *cli_error_name(int code);

/* ---- pms.c: the media server of --server, Ctrl-C, listings ---- */

typedef struct cli_pms {
    cli_session s;
    plex_server *server;
    char label[256]; /* the server's name or URL, for messages */
} cli_pms;

/* Connect to the server: --server URL (the token in use), --server NAME or
 * machine identifier (the account's resources: the best connection, the
 * server's own token), or the account's only owned server. Returns 0 or an
 * exit code after a message (2 when the server cannot be chosen). */
int cli_pms_open(cli_pms *p);

void cli_pms_close(cli_pms *p);

/* Report a failure of the server (its last error) as "plex: <what>: ..."
 * and return its exit code (77 refused token, 69 unreachable, 65 garbage). */
int cli_pms_fail(cli_pms *p, int rc, const char *what);

/* The same for the details in e (a listing's error). */
int cli_pms_report(cli_pms *p, const plex_error *e, int rc, const char *what);

/* --json of a call that answered one container: the objects of its array
 * `element` ("Directory", "Metadata"; NULL: the container itself) as the
 * server sent them, one per line. 0 or an exit code after a message. */
int cli_pms_json(cli_pms *p, const plex_container *c, const char *element);

/* Print one listed item (a table row); 0 or an exit code. */
typedef int (*cli_item_fn)(const plex_metadata *m, void *ctx);

/* Walk a listing to its end: with --json each item as the server sent it,
 * else row(). What was printed is flushed whenever the walk waits for the
 * network; Ctrl-C ends it (130). 0 or an exit code after a message. */
int cli_pms_walk(cli_pms *p, plex_listing *l, cli_item_fn row, void *ctx, const char *what);

/* ---- cmd_library.c: the item table of the media-server commands ---- */

/* A table of items (KEY, TITLE, YEAR, LENGTH, WATCHED). */
void cli_items_init(cli_table *t, int buffered);

/* One item's row; in_context: the list is an item's children (titles
 * without the show or artist). */
void cli_item_row(cli_table *t, const plex_metadata *m, int in_context);

/* An item's title for a list: "Show S01E02 Title", "Artist - Track"... */
void cli_item_title(char *buf, size_t size, const plex_metadata *m, int in_context);

/* Walk a listing of items as an item table (or --json). 0 or an exit code. */
int cli_walk_items(cli_pms *p, plex_listing *l, int in_context, const char *what);

/* From now on SIGINT and SIGTERM set a flag (and wake cli_wait()) instead
 * of ending the process: for commands that stop cleanly. */
void cli_interrupt_catch(void);

/* 1 once SIGINT or SIGTERM arrived (after cli_interrupt_catch()). */
int cli_interrupted(void);

/* Wait for what a step call asked (its sockets, its timeout) or an
 * interruption; 1 if interrupted. */
int cli_wait(const plex_wait_info *w);

#endif

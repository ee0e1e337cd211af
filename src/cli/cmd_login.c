/*
 * plex login: sign this device in with a PIN, show the code (large, with the
 * URL, a QR code and a live countdown on a terminal), save the token.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

enum { MODE_PLAIN, MODE_SCREEN, MODE_JSON };
enum { QR_AUTO = 0, QR_ON = 1, QR_OFF = 2 };

/* Set by SIGINT; plex_login_wait() watches it and ends with PLEX_ECANCELLED. */
static volatile sig_atomic_t cancel_flag;

static void on_sigint(int sig)
{
    (void)sig;
    cancel_flag = 1;
}

typedef struct login_ui {
    int mode;
    int qr;
    plex_client *client;
    cli_screen screen;
} login_ui;

static void waiting_status(login_ui *ui, long left)
{
    char t[32];
    cli_format_left(t, sizeof(t), left);
    cli_screen_status(&ui->screen, "  Waiting for approval: %s left (Ctrl-C to cancel)", t);
}

static int on_event(const plex_login_event *ev, void *payload)
{
    login_ui *ui = payload;
    cli_json j;
    char t[32];

    switch (ev->type) {
    case PLEX_LOGIN_CODE:
    case PLEX_LOGIN_REISSUED:
        if (ui->mode == MODE_JSON) {
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "event", ev->type == PLEX_LOGIN_CODE ? "code" : "reissued");
            cli_json_str(&j, "code", ev->code);
            cli_json_str(&j, "url", ev->url);
            cli_json_bool(&j, "strong", ev->strong);
            cli_json_int(&j, "seconds_left", ev->seconds_left);
            cli_json_int(&j, "reissues", ev->reissues);
            cli_json_end(&j);
        } else if (ui->mode == MODE_SCREEN) {
            cli_screen_code(&ui->screen, ev->code, ev->url, ev->strong, ev->reissues);
            waiting_status(ui, ev->seconds_left);
        } else {
            cli_format_left(t, sizeof(t), ev->seconds_left);
            if (ev->type == PLEX_LOGIN_REISSUED)
                printf("The code expired; here is a new one (%d).\n", ev->reissues);
            if (ev->strong)
                printf("To sign in, open %s in a browser and approve this device (code %s, "
                       "expires in %s).\n",
                       ev->url, ev->code, t);
            else
                printf("To sign in, open %s and approve the code %s (expires in %s).\n", ev->url,
                       ev->code, t);
            if (ui->qr == QR_ON && cli_qr_draw(stdout, ev->url, 0, "") < 0)
                cli_warn("cannot draw a QR code of the URL");
            fflush(stdout);
        }
        break;
    case PLEX_LOGIN_TICK:
        if (ui->mode == MODE_JSON) {
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "event", "tick");
            cli_json_int(&j, "seconds_left", ev->seconds_left);
            cli_json_end(&j);
        } else if (ui->mode == MODE_SCREEN) {
            waiting_status(ui, ev->seconds_left);
        }
        break;
    case PLEX_LOGIN_RETRY: {
        const plex_error *e = plex_client_last_error(ui->client);
        const char *msg = e->message[0] ? e->message : plex_strerror(ev->error);
        long secs = (ev->retry_in_ms + 999) / 1000;
        if (ui->mode == MODE_JSON) {
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "event", "retry");
            cli_json_str(&j, "error", cli_error_name(ev->error));
            cli_json_str(&j, "message", msg);
            cli_json_int(&j, "retry_in_ms", ev->retry_in_ms);
            cli_json_end(&j);
        } else if (ui->mode == MODE_SCREEN) {
            cli_format_left(t, sizeof(t), ev->seconds_left);
            cli_screen_status(&ui->screen, "  %s (retrying in %ld s; %s left, Ctrl-C to cancel)",
                              msg, secs, t);
        } else {
            cli_warn("%s (retrying in %ld s)", msg, secs);
        }
        break;
    }
    case PLEX_LOGIN_APPROVED:
        if (ui->mode == MODE_JSON) {
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "event", "approved");
            cli_json_end(&j);
        } else if (ui->mode == MODE_SCREEN) {
            cli_screen_status(&ui->screen, "  Approved.");
        }
        break;
    default:
        break;
    }
    return 0;
}

/* SEC as a decimal number of seconds within [min, max] -> milliseconds. */
static int parse_seconds(const char *opt, const char *text, double min, double max, long *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max)) {
        fprintf(stderr, "plex login: %s needs seconds between %g and %g, not '%s'\n", opt, min, max,
                text);
        fputs("Try 'plex login --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    *ms = (long)(v * 1000.0 + 0.5);
    return 0;
}

static void now_rfc3339(char *buf, size_t size)
{
    plex_timestamp ts;
    ts.seconds = (int64_t)time(NULL);
    ts.millis = 0;
    if (plex_timestamp_format(ts, buf, size) != 0)
        snprintf(buf, size, "unknown");
}

int cmd_login(const cli_cmd *cmd, int argc, char **argv)
{
    int strong = 0, qr = QR_AUTO, jwt = 0, rc;
    plex_jwt_key *key = NULL;
    const char *timeout = NULL, *poll_interval = NULL, *reissue = NULL;
    const cli_opt opts[] = {
        CLI_FLAG("strong", 0, strong,
                 "a long code for the Auth App URL instead of a 4-character code"),
        CLI_VALUE("timeout", 0, "SEC", timeout, "give up after SEC seconds (default: never)"),
        CLI_VALUE("poll-interval", 0, "SEC", poll_interval, "seconds between checks (default 1)"),
        CLI_VALUE("reissue", 0, "N", reissue,
                  "new codes to issue when one expires unapproved (default 3)"),
        CLI_FLAG_SET("qr", 0, qr, QR_ON, "always draw the QR code (also when not on a terminal)"),
        CLI_FLAG_SET("no-qr", 0, qr, QR_OFF, "never draw the QR code"),
        CLI_FLAG_SET("jwt", 0, jwt, 1,
                     "JWT device authentication: a device key (made once) and a JWT"),
        CLI_END,
    };
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    struct sigaction sa, old_sa;
    cli_session s;
    login_ui ui;
    char *token = NULL, *path = NULL, when[40];
    plex_user *user = NULL;
    const char *term = getenv("TERM");

    rc = cli_opt_parse(opts, cmd->name,
                       "Sign this device in to Plex: request a code, show it with the page where\n"
                       "it is approved (and a QR code of that page), wait for the approval, and\n"
                       "save the token in the config directory. On a terminal a status line\n"
                       "counts down the code's time left; an expired code is replaced by a new\n"
                       "one. Ctrl-C cancels at once and saves nothing (exit 130).",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (timeout && (rc = parse_seconds("--timeout", timeout, 0.001, 86400.0, &lo.timeout_ms)))
        return rc;
    if (poll_interval &&
        (rc = parse_seconds("--poll-interval", poll_interval, 0.0, 30.0, &lo.poll_interval_ms)))
        return rc;
    if (reissue) {
        char *end;
        long n;
        errno = 0;
        n = strtol(reissue, &end, 10);
        if (errno || end == reissue || *end || n < 0 || n > 100) {
            fprintf(stderr, "plex login: --reissue needs a number from 0 to 100, not '%s'\n",
                    reissue);
            fputs("Try 'plex login --help'.\n", stderr);
            return CLI_EXIT_USAGE;
        }
        lo.max_reissues = (int)n;
    }

    if ((rc = cli_session_open(&s, CLI_NEED_NO_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    if (jwt && (rc = cli_jwt_key(s.dir, 1, &key)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    memset(&ui, 0, sizeof(ui));
    ui.client = s.client;
    ui.qr = qr;
    if (cli_g.json)
        ui.mode = MODE_JSON;
    else if (isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0))
        ui.mode = MODE_SCREEN;
    else
        ui.mode = MODE_PLAIN;
    if (ui.mode == MODE_SCREEN)
        cli_screen_init(&ui.screen, stdout, cli_g.color, qr == QR_ON ? 1 : qr == QR_OFF ? -1 : 0);

    lo.pin_flags = strong ? PLEX_PIN_STRONG : 0;
    lo.on_event = on_event;
    lo.payload = &ui;
    lo.cancel = &cancel_flag;
    lo.jwt_key = key;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked poll() returns at once */
    cancel_flag = 0;
    sigaction(SIGINT, &sa, &old_sa);

    rc = plex_login_wait(&token, s.client, &lo);

    /* From here on Ctrl-C kills the process the usual way: the token file
     * is replaced atomically, so a kill at any moment is safe. */
    sigaction(SIGINT, &old_sa, NULL);
    if (rc == PLEX_ECANCELLED || cancel_flag) {
        if (ui.mode == MODE_SCREEN)
            cli_screen_end(&ui.screen, 1);
        plex_free(token);
        plex_jwt_key_free(key);
        cli_session_close(&s);
        return CLI_EXIT_CANCELLED;
    }
    if (rc != 0) {
        rc = cli_fail(&s, rc, "sign-in failed");
        plex_jwt_key_free(key);
        cli_session_close(&s);
        return rc;
    }
    if (ui.mode == MODE_SCREEN)
        cli_screen_end(&ui.screen, 0);

    /* a Plex JWT must verify against plex.tv's published keys and name our key
     * (refused if it does not; saved with a warning if the keys are unreachable) */
    if (key && (rc = cli_jwt_check_new(&s, token, key)) != 0)
        goto out;

    /* who signed in (this also proves the token works) */
    if ((rc = plex_client_set_token(s.client, token)) == 0)
        rc = plex_user_get(&user, s.client);
    if (rc == PLEX_EAUTH) {
        rc = cli_fail(&s, rc, "plex.tv rejected the token it just issued");
        goto out;
    }
    if (rc != 0) {
        const plex_error *e = plex_client_last_error(s.client);
        cli_warn("signed in, but the account could not be read: %s",
                 e->message[0] ? e->message : plex_strerror(rc));
    }

    now_rfc3339(when, sizeof(when));
    if ((rc = cli_token_save(s.dir, token, user ? user->username : NULL, s.base_url, when)) != 0)
        goto out;
    path = malloc(strlen(s.dir) + sizeof("/token"));
    if (path)
        snprintf(path, strlen(s.dir) + sizeof("/token"), "%s/token", s.dir);

    if (ui.mode == MODE_JSON) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "event", "signed_in");
        if (user) {
            cli_json_int(&j, "id", user->id);
            cli_json_str(&j, "username", user->username);
            cli_json_str(&j, "email", user->email);
        }
        cli_json_str(&j, "base_url", s.base_url);
        cli_json_str(&j, "token_file", path ? path : s.dir);
        cli_json_end(&j);
    } else if (user) {
        printf("Signed in as %s%s%s%s. The token is saved in %s.\n",
               user->username ? user->username
               : user->title  ? user->title
                              : "?",
               user->email ? " (" : "", user->email ? user->email : "", user->email ? ")" : "",
               path ? path : s.dir);
    } else {
        printf("Signed in. The token is saved in %s.\n", path ? path : s.dir);
    }
    rc = cli_finish_stdout(CLI_EXIT_OK);
out:
    free(path);
    plex_jwt_key_free(key);
    plex_user_free(user);
    if (token) {
        memset(token, 0, strlen(token));
        plex_free(token);
    }
    cli_session_close(&s);
    return rc;
}

/*
 * plex whoami, plex token, plex logout, plex link: the signed-in account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

static const cli_opt no_opts[] = {
    CLI_END,
};

/* The token in use was refused: say what to do about it. */
static int rejected(cli_session *s, int rc)
{
    if (rc != PLEX_EAUTH)
        return cli_fail(s, rc, NULL);
    if (s->from_env)
        cli_error("plex.tv rejected the token in PLEX_TOKEN (signed out or revoked)");
    else
        cli_error("plex.tv rejected the saved token (signed out or revoked): run 'plex login' "
                  "again");
    return CLI_EXIT_NOPERM;
}

int cmd_whoami(const cli_cmd *cmd, int argc, char **argv)
{
    cli_session s;
    plex_user *u = NULL;
    char exp[40], why[300];
    int rc, verified = 0;

    rc = cli_opt_parse(no_opts, cmd->name,
                       "Show the account that is signed in (PLEX_TOKEN, or the saved token),\n"
                       "as plex.tv sees it: this also checks that the token still works.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_session_open(&s, CLI_NEED_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    rc = plex_user_get(&u, s.client);
    if (rc != 0) {
        rc = rejected(&s, rc);
        cli_session_close(&s);
        return rc;
    }
    cli_jwt_describe(s.token, exp, sizeof(exp)); /* "" for a legacy token */
    if (exp[0]) {
        /* s.key: loaded by the session for a saved JWT; NULL for PLEX_TOKEN */
        verified = cli_jwt_verify(&s, s.token, s.key, why, sizeof(why)) == 0;
        if (!verified)
            cli_warn("the JWT does not verify against plex.tv's published keys: %s", why);
    }
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_int(&j, "id", u->id);
        cli_json_str(&j, "uuid", u->uuid);
        cli_json_str(&j, "username", u->username);
        cli_json_str(&j, "title", u->title);
        cli_json_str(&j, "email", u->email);
        cli_json_str(&j, "base_url", s.base_url);
        cli_json_str(&j, "token_source", s.from_env ? "PLEX_TOKEN" : "saved");
        if (exp[0]) {
            cli_json_str(&j, "token_expires", exp);
            cli_json_bool(&j, "token_verified", verified);
        }
        cli_json_end(&j);
    } else {
        printf("user:   %s\n", u->username ? u->username : "");
        if (u->title && (!u->username || strcmp(u->title, u->username) != 0))
            printf("name:   %s\n", u->title);
        if (u->email)
            printf("email:  %s\n", u->email);
        printf("id:     %lld\n", (long long)u->id);
        printf("server: %s\n", s.base_url);
        if (exp[0])
            printf("JWT expires: %s (signature %s)\n", exp,
                   verified ? "verified with plex.tv's keys" : "NOT verified");
    }
    plex_user_free(u);
    cli_session_close(&s);
    return cli_finish_stdout(CLI_EXIT_OK);
}

int cmd_token(const cli_cmd *cmd, int argc, char **argv)
{
    const char *env = getenv("PLEX_TOKEN");
    cli_token_file t;
    char *dir = NULL;
    int rc;

    rc = cli_opt_parse(no_opts, cmd->name,
                       "Print the token in use (PLEX_TOKEN, or the saved one) for scripts:\n"
                       "  curl -H \"X-Plex-Token: $(plex token)\" ...\n"
                       "It is a password to the account: keep it out of logs and shared places.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    memset(&t, 0, sizeof(t));
    if (env && *env) {
        if (cli_g.json) {
            cli_json j;
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "token", env);
            cli_json_str(&j, "source", "PLEX_TOKEN");
            cli_json_end(&j);
        } else {
            printf("%s\n", env);
        }
        return cli_finish_stdout(CLI_EXIT_OK);
    }
    if ((rc = cli_config_dir(&dir)) != 0)
        return rc;
    rc = cli_token_load(dir, &t);
    free(dir);
    if (rc == CLI_TOKEN_NONE) {
        cli_error("not signed in: run 'plex login' first (or set PLEX_TOKEN)");
        return CLI_EXIT_NOPERM;
    }
    if (rc != 0)
        return rc;
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "token", t.token);
        cli_json_str(&j, "source", "saved");
        cli_json_str(&j, "username", t.user);
        cli_json_str(&j, "base_url", t.base_url);
        cli_json_str(&j, "obtained_at", t.obtained_at);
        cli_json_end(&j);
    } else {
        printf("%s\n", t.token);
    }
    cli_token_file_dispose(&t);
    return cli_finish_stdout(CLI_EXIT_OK);
}

int cmd_logout(const cli_cmd *cmd, int argc, char **argv)
{
    int local = 0, rc, signed_out = 0, forgot = 0;
    const cli_opt opts[] = {
        CLI_FLAG("local", 0, local, "only forget the saved token; do not sign it out at plex.tv"),
        CLI_END,
    };
    cli_session s;

    rc = cli_opt_parse(opts, cmd->name,
                       "Sign the token out at plex.tv (it stops working everywhere), then forget\n"
                       "the saved token. With PLEX_TOKEN set, that token is signed out and the\n"
                       "saved one is left alone.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;

    if (local) {
        char *dir = NULL;
        if ((rc = cli_config_dir(&dir)) != 0)
            return rc;
        rc = cli_token_forget(dir);
        free(dir);
        if (rc == CLI_TOKEN_NONE) {
            cli_error("not signed in: there is no saved token to forget");
            return CLI_EXIT_NOPERM;
        }
        if (rc != 0)
            return rc;
        forgot = 1;
    } else {
        if ((rc = cli_session_open(&s, CLI_NEED_TOKEN)) != 0) {
            cli_session_close(&s);
            return rc;
        }
        rc = plex_signout(s.client);
        if (rc == PLEX_EAUTH) {
            /* already signed out or revoked: forgetting it is all that is left */
            cli_warn("plex.tv no longer accepts this token (already signed out)");
        } else if (rc != 0) {
            rc = cli_fail(&s, rc, "cannot sign out at plex.tv");
            fputs("The token was kept. 'plex logout --local' forgets it without signing out.\n",
                  stderr);
            cli_session_close(&s);
            return rc;
        } else {
            signed_out = 1;
        }
        if (!s.from_env) {
            rc = cli_token_forget(s.dir);
            if (rc != 0 && rc != CLI_TOKEN_NONE) {
                cli_session_close(&s);
                return rc;
            }
            forgot = rc == 0;
        }
        cli_session_close(&s);
    }
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_bool(&j, "signed_out", signed_out);
        cli_json_bool(&j, "forgotten", forgot);
        cli_json_end(&j);
    } else if (signed_out && forgot) {
        puts("Signed out; the saved token was removed.");
    } else if (signed_out) {
        puts("Signed out.");
    } else if (forgot) {
        puts("The saved token was removed.");
    } else {
        puts("Nothing to do.");
    }
    return cli_finish_stdout(CLI_EXIT_OK);
}

int cmd_link(const cli_cmd *cmd, int argc, char **argv)
{
    const char *code = NULL;
    const cli_opt opts[] = {
        CLI_ARG("CODE", code, 1, "the 4-character code the other device shows"),
        CLI_END,
    };
    char upper[5];
    cli_session s;
    int rc;

    rc = cli_opt_parse(opts, cmd->name,
                       "Approve another device's 4-character code (the one it asks you to enter\n"
                       "at plex.tv/link) with the account signed in here.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (strlen(code) != 4) {
        fprintf(stderr, "plex link: a code has 4 letters or digits, not '%s'\n", code);
        fputs("Try 'plex link --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    for (int i = 0; i < 4; i++) {
        char c = code[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            fprintf(stderr, "plex link: a code has 4 letters or digits, not '%s'\n", code);
            fputs("Try 'plex link --help'.\n", stderr);
            return CLI_EXIT_USAGE;
        }
        upper[i] = c;
    }
    upper[4] = '\0';
    if ((rc = cli_session_open(&s, CLI_NEED_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    rc = plex_pin_link(s.client, upper);
    if (rc == PLEX_EGONE) {
        cli_error("the code %s is unknown or expired: ask the other device for a new one", upper);
        cli_session_close(&s);
        return cli_exit_code(rc);
    }
    if (rc != 0) {
        rc = rejected(&s, rc);
        cli_session_close(&s);
        return rc;
    }
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "linked", upper);
        cli_json_end(&j);
    } else {
        printf("Approved the code %s: the other device signs in at its next check.\n", upper);
    }
    cli_session_close(&s);
    return cli_finish_stdout(CLI_EXIT_OK);
}

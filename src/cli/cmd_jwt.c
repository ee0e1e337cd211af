/*
 * JWT device authentication in the CLI: the device key (DIR/jwt-key.pem,
 * 0600, generated once per installation), `plex token upgrade`, `plex token
 * refresh`, the automatic refresh of a saved JWT (by the library, saved
 * here), and verifying new JWTs against plex.tv's published keys (cached in
 * DIR/plex-keys.json).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

#define KEY_NAME "jwt-key.pem"
#define MAX_KEY_FILE 4096

/* Read DIR/jwt-key.pem: 0, CLI_TOKEN_NONE (no file), or an exit code after
 * a message (unsafe permissions, damaged). */
static int key_read(const char *dir, plex_jwt_key **out)
{
    size_t plen = strlen(dir) + sizeof("/" KEY_NAME);
    char *path = malloc(plen), data[MAX_KEY_FILE + 1];
    struct stat st;
    ssize_t n;
    size_t len = 0;
    int fd, rc = CLI_EXIT_ERROR;

    *out = NULL;
    if (!path) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    snprintf(path, plen, "%s/%s", dir, KEY_NAME);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = CLI_TOKEN_NONE;
        else
            cli_error("cannot read %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        cli_error("%s is not a regular file of this user; refusing to use it", path);
        goto done;
    }
    if (st.st_mode & 077) {
        cli_error("%s can be read or changed by other users (mode %04o); refusing to use the "
                  "device key. Fix: chmod 600 %s",
                  path, (unsigned)(st.st_mode & 07777), path);
        goto done;
    }
    while (len < MAX_KEY_FILE && (n = read(fd, data + len, MAX_KEY_FILE - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        len += (size_t)n;
    }
    data[len] = '\0';
    if (plex_jwt_key_from_pem(out, data, len) != 0) {
        cli_error("%s is not an Ed25519 private key; remove it to make a new one (the account "
                  "then needs 'plex login --jwt' again)",
                  path);
        goto done;
    }
    rc = 0;
done:
    memset(data, 0, sizeof(data));
    close(fd);
    free(path);
    return rc;
}

int cli_jwt_key(const char *dir, int create, plex_jwt_key **out)
{
    plex_jwt_key *k = NULL;
    char *pem = NULL;
    int rc = key_read(dir, out), w;

    if (rc != CLI_TOKEN_NONE || !create)
        return rc;
    if ((rc = cli_config_ensure_dir(dir)) != 0)
        return rc;
    if (plex_jwt_key_generate(&k) != 0 || plex_jwt_key_to_pem(k, &pem) != 0) {
        plex_jwt_key_free(k);
        cli_error("could not generate the device key");
        return CLI_EXIT_ERROR;
    }
    w = cli_write_atomic(dir, KEY_NAME, pem, strlen(pem), 0);
    memset(pem, 0, strlen(pem));
    plex_free(pem);
    if (w < 0) {
        plex_jwt_key_free(k);
        cli_error("cannot save the device key in %s: %s", dir, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    if (w == 1) { /* another process made one first: use that */
        plex_jwt_key_free(k);
        return key_read(dir, out);
    }
    *out = k;
    return 0;
}

static void rfc3339(int64_t t, char *buf, size_t size)
{
    plex_timestamp ts;
    ts.seconds = t;
    ts.millis = 0;
    if (plex_timestamp_format(ts, buf, size) != 0)
        snprintf(buf, size, "unknown");
}

/* Refresh with the key and save the new JWT. 0 or an exit code. */
static int refresh_and_save(cli_session *s, const plex_jwt_key *key, char **jwt_out)
{
    char *jwt = NULL, when[40];
    plex_user *u = NULL;
    int rc = plex_jwt_refresh(&jwt, s->client, key, NULL);

    if (rc != 0)
        return cli_fail(s, rc, "token refresh failed");
    if ((rc = cli_jwt_check_new(s, jwt, key)) != 0) {
        plex_free(jwt);
        return rc;
    }
    rfc3339((int64_t)time(NULL), when, sizeof(when));
    if ((rc = plex_client_set_token(s->client, jwt)) != 0) {
        plex_free(jwt);
        return cli_fail(s, rc, "token refresh failed");
    }
    if (plex_user_get(&u, s->client) != 0)
        u = NULL;
    rc = cli_token_save(s->dir, jwt, u ? u->username : s->saved.user, s->base_url, when);
    plex_user_free(u);
    if (rc != 0) {
        plex_free(jwt);
        return rc;
    }
    if (jwt_out)
        *jwt_out = jwt;
    else
        plex_free(jwt);
    return 0;
}

/* Called by the library with each JWT it refreshed by itself: save it. */
static void on_refreshed(const char *token, void *payload)
{
    cli_session *s = payload;
    char when[40], *copy = strdup(token);

    if (!copy) {
        cli_warn("out of memory: the refreshed token was not saved");
        return;
    }
    free(s->saved.token);
    s->saved.token = copy;
    s->token = copy;
    rfc3339((int64_t)time(NULL), when, sizeof(when));
    if (cli_token_save(s->dir, token, s->saved.user, s->base_url, when) != 0) {
        cli_warn("the refreshed token could not be saved; the next command refreshes again");
        return;
    }
    if (cli_g.verbose)
        fprintf(stderr, "plex: [info] the saved JWT was refreshed and saved\n");
}

int cli_jwt_attach(cli_session *s)
{
    plex_jwt_key *key = NULL;
    int rc;

    if (s->from_env || !s->token || !plex_jwt_is_jwt(s->token))
        return 0;
    if ((rc = cli_jwt_key(s->dir, 0, &key)) != 0)
        return rc == CLI_TOKEN_NONE ? 0 : rc; /* no key: nothing to refresh with */
    s->key = key; /* freed by cli_session_close(); the client takes its own reference */
    if (plex_client_set_jwt_refresh(s->client, key, on_refreshed, s) != 0) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* ---- verification against plex.tv's published keys ---- */

#define JWKS_NAME "plex-keys.json" /* "BASE_URL\n" + the text of /api/v2/auth/keys */
#define MAX_JWKS_FILE ((size_t)256 * 1024)

/* The cached key set for s->base_url, or NULL. */
static char *jwks_cached(const cli_session *s, size_t *len)
{
    size_t plen = strlen(s->dir) + sizeof("/" JWKS_NAME), ulen = strlen(s->base_url), n = 0;
    char *path = malloc(plen), *data = NULL;

    if (!path)
        return NULL;
    snprintf(path, plen, "%s/%s", s->dir, JWKS_NAME);
    if (cli_read_file(path, MAX_JWKS_FILE, &data, &n) == 0 && n > ulen &&
        memcmp(data, s->base_url, ulen) == 0 && data[ulen] == '\n') {
        *len = n - ulen - 1; /* the key set, moved to the front of the buffer */
        memmove(data, data + ulen + 1, *len);
        data[*len] = '\0';
    } else {
        free(data);
        data = NULL;
    }
    free(path);
    return data;
}

/* Fetch the key set and cache it (a failed save only costs a fetch later). */
static int jwks_fetch(cli_session *s, char **out, size_t *len)
{
    size_t ulen = strlen(s->base_url);
    char *text = NULL, *file;
    int rc = plex_jwt_keys(&text, len, s->client);

    if (rc != 0)
        return rc;
    file = malloc(ulen + 1 + *len);
    if (file) {
        memcpy(file, s->base_url, ulen);
        file[ulen] = '\n';
        memcpy(file + ulen + 1, text, *len);
        if (cli_config_ensure_dir(s->dir) == 0 &&
            cli_write_atomic(s->dir, JWKS_NAME, file, ulen + 1 + *len, 1) != 0)
            cli_warn("cannot cache plex.tv's keys in %s: %s", s->dir, strerror(errno));
        free(file);
    }
    *out = malloc(*len + 1);
    if (*out) {
        memcpy(*out, text, *len);
        (*out)[*len] = '\0';
    }
    plex_free(text);
    return *out ? 0 : PLEX_ENOMEM;
}

int cli_jwt_verify(cli_session *s, const char *jwt_in, const plex_jwt_key *key, char *why,
                   size_t why_size)
{
    const char *kid = key ? plex_jwt_key_id(key) : NULL;
    size_t len = 0;
    char *jwks, *jwt = strdup(jwt_in); /* a refresh during the fetch may free s->token */
    plex_error err;
    int rc = PLEX_ENOTFOUND;

    if (!jwt) {
        snprintf(why, why_size, "out of memory");
        return PLEX_ENOMEM;
    }
    jwks = jwks_cached(s, &len);

    if (jwks)
        rc = plex_jwt_verify(NULL, jwt, jwks, len, kid, (int64_t)time(NULL), &err);
    if (rc != 0) { /* no cache, or plex.tv rotated its keys: ask again */
        free(jwks);
        jwks = NULL;
        if ((rc = jwks_fetch(s, &jwks, &len)) != 0) {
            const plex_error *e = plex_client_last_error(s->client);
            snprintf(why, why_size, "plex.tv's keys could not be fetched: %s",
                     e->code == rc && e->message[0] ? e->message : plex_strerror(rc));
            free(jwt);
            return rc;
        }
        rc = plex_jwt_verify(NULL, jwt, jwks, len, kid, (int64_t)time(NULL), &err);
        if (rc != 0)
            snprintf(why, why_size, "%s", err.message[0] ? err.message : plex_strerror(rc));
    }
    free(jwks);
    free(jwt);
    return rc;
}

void cli_jwt_describe(const char *token, char *buf, size_t size)
{
    int64_t exp = 0;

    buf[0] = '\0';
    if (token && plex_jwt_is_jwt(token) && plex_jwt_expiry(token, &exp) == 0)
        rfc3339(exp, buf, size);
}

static const cli_opt no_opts[] = {
    CLI_END,
};

static int print_result(const cli_session *s, const char *event, const char *jwt)
{
    char exp[40];

    cli_jwt_describe(jwt, exp, sizeof(exp));
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "event", event);
        cli_json_str(&j, "expires_at", exp);
        cli_json_str(&j, "base_url", s->base_url);
        cli_json_end(&j);
    } else {
        printf("%s: the saved token is now a JWT that expires at %s.\n",
               strcmp(event, "upgraded") == 0 ? "Upgraded" : "Refreshed", exp);
    }
    return cli_finish_stdout(CLI_EXIT_OK);
}

/* Open a session with the saved token (not PLEX_TOKEN: the result is saved). */
static int open_saved(cli_session *s, const char *name)
{
    const char *env = getenv("PLEX_TOKEN");
    int rc;

    memset(s, 0, sizeof(*s));
    if (env && *env) {
        cli_error("%s works on the saved token; unset PLEX_TOKEN", name);
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_session_open(s, CLI_NEED_TOKEN)) != 0)
        return rc;
    return 0;
}

int cmd_token_upgrade(const cli_cmd *cmd, int argc, char **argv)
{
    cli_session s;
    plex_jwt_key *key = NULL;
    char *jwt = NULL;
    int rc;

    rc = cli_opt_parse(no_opts, cmd->name,
                       "Switch the saved legacy token to JWT device authentication: register\n"
                       "this installation's key (made once, kept beside the token, 0600), then\n"
                       "get a JWT with it. The legacy token stops working.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = open_saved(&s, "plex token upgrade")) != 0)
        goto out;
    if (plex_jwt_is_jwt(s.token)) {
        cli_error("the saved token is already a JWT; 'plex token refresh' renews it");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_jwt_key(s.dir, 1, &key)) != 0)
        goto out;
    if ((rc = plex_jwt_register(s.client, key)) != 0) {
        rc = cli_fail(&s, rc, "registering the device key failed");
        goto out;
    }
    if ((rc = refresh_and_save(&s, key, &jwt)) != 0)
        goto out;
    rc = print_result(&s, "upgraded", jwt);
out:
    plex_free(jwt);
    plex_jwt_key_free(key);
    cli_session_close(&s);
    return rc;
}

int cmd_token_refresh(const cli_cmd *cmd, int argc, char **argv)
{
    cli_session s;
    char *jwt = NULL;
    int rc;

    rc = cli_opt_parse(no_opts, cmd->name,
                       "Get a new JWT for the saved one (also after it expired) with this\n"
                       "installation's key, and save it. Commands do this by themselves when\n"
                       "the saved JWT is within a day of its expiry.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = open_saved(&s, "plex token refresh")) != 0)
        goto out;
    if (!plex_jwt_is_jwt(s.token)) {
        cli_error("the saved token is a legacy token; 'plex token upgrade' switches it to a JWT");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (!s.key) { /* the session loads it for a saved JWT; an unusable file already failed */
        cli_error("no device key in %s: run 'plex login --jwt' again", s.dir);
        rc = CLI_EXIT_NOPERM;
        goto out;
    }
    if ((rc = refresh_and_save(&s, s.key, &jwt)) != 0)
        goto out;
    rc = print_result(&s, "refreshed", jwt);
out:
    plex_free(jwt);
    cli_session_close(&s);
    return rc;
}

int cli_jwt_check_new(cli_session *s, const char *jwt, const plex_jwt_key *key)
{
    char why[300];
    int rc = cli_jwt_verify(s, jwt, key, why, sizeof(why));

    if (rc == 0)
        return 0;
    if (rc == PLEX_EAUTH) { /* a bad signature, an unknown key, wrong claims */
        cli_error("the JWT was not saved: it does not verify against plex.tv's published keys "
                  "(%s)",
                  why);
        return CLI_EXIT_NOPERM;
    }
    /* the keys could not be fetched or read: the JWT came over verified TLS */
    cli_warn("the JWT could not be verified (%s); saving it anyway", why);
    return 0;
}

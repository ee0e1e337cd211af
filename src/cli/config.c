/*
 * The plex command's state on disk: the config directory, the client
 * identifier (a random UUID v4, generated once), and the token file, which is
 * written atomically and privately and refused when others can read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"

#define TOKEN_NAME "token"
#define CLIENT_ID_NAME "client-id"
#define MAX_TOKEN_FILE (64 * 1024)
#define TOKEN_HEADER "# plex: the saved sign-in of the plex command. Keep it private (chmod 600).\n"
#define TOKEN_END "# end\n"

/* ---- paths ---- */

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", a, (*a && a[strlen(a) - 1] == '/') ? "" : "/", b);
    return p;
}

int cli_config_dir(char **out)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    *out = NULL;
    if (cli_g.config_dir && *cli_g.config_dir)
        *out = join(cli_g.config_dir, "");
    else if (xdg && xdg[0] == '/')
        *out = join(xdg, "plex");
    else if (home && home[0] == '/')
        *out = join(home, ".config/plex");
    else {
        cli_error("cannot find a config directory: HOME is not set; use --config-dir DIR");
        return CLI_EXIT_ERROR;
    }
    if (!*out) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    /* no trailing slash, except for "/" itself */
    for (size_t n = strlen(*out); n > 1 && (*out)[n - 1] == '/'; n--)
        (*out)[n - 1] = '\0';
    return 0;
}

int cli_config_ensure_dir(const char *dir)
{
    char *p = strdup(dir);
    struct stat st;

    if (!p) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    /* mkdir -p, each missing level with mode 0700 */
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                cli_error("cannot create the config directory %s: %s", p, strerror(errno));
                free(p);
                return CLI_EXIT_ERROR;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("the config directory %s is not a directory", dir);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* ---- atomic private files ---- */

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc, saved;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    saved = errno;
    close(fd);
    errno = saved;
    /* some file systems cannot fsync a directory: the rename still happened */
    return rc != 0 && errno != EINVAL && errno != EROFS ? -1 : 0;
}

int cli_write_atomic(const char *dir, const char *name, const char *data, size_t len, int replace)
{
    char tmp[PATH_MAX], final[PATH_MAX];
    int fd, saved, rc = 0;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp) ||
        (size_t)snprintf(final, sizeof(final), "%s/%s", dir, name) >= sizeof(final)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkstemp(tmp); /* O_EXCL, mode 0600 */
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (replace) {
        if (rename(tmp, final) != 0) {
            saved = errno;
            unlink(tmp);
            errno = saved;
            return -1;
        }
    } else {
        /* create only if absent: link() fails with EEXIST instead of replacing */
        if (link(tmp, final) != 0) {
            saved = errno;
            if (saved == EPERM || saved == ENOSYS || saved == EOPNOTSUPP) {
                /* no hard links here (vfat, some FUSE): check, then rename */
                struct stat st;
                if (stat(final, &st) == 0) {
                    unlink(tmp);
                    return 1;
                }
                if (rename(tmp, final) == 0)
                    return fsync_dir(dir) != 0 ? -1 : 0;
                saved = errno;
            }
            unlink(tmp);
            errno = saved;
            if (errno != EEXIST)
                return -1;
            return 1;
        }
        unlink(tmp);
    }
    if (fsync_dir(dir) != 0)
        rc = -1;
    return rc;
}

/* ---- the client identifier ---- */

int cli_uuid_v4(char out[37])
{
    unsigned char b[16];
    size_t got = 0;

    while (got < sizeof(b)) {
        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

/* Read DIR/client-id into out. 0, 1 (absent), or -1 (damaged; errno 0) / I/O error. */
static int read_client_id(const char *path, char out[CLI_CLIENT_ID_MAX])
{
    char buf[CLI_CLIENT_ID_MAX + 2];
    size_t n;
    FILE *f = fopen(path, "r");

    if (!f)
        return errno == ENOENT ? 1 : -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0 || n >= CLI_CLIENT_ID_MAX) {
        errno = 0;
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] >= 0x7f) {
            errno = 0;
            return -1;
        }
    memcpy(out, buf, n + 1);
    return 0;
}

int cli_client_id(const char *dir, char out[CLI_CLIENT_ID_MAX])
{
    char *path = join(dir, CLIENT_ID_NAME);
    char uuid[37], line[38];
    int rc;

    if (!path) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = read_client_id(path, out);
        if (rc == 0) {
            free(path);
            return 0;
        }
        if (rc < 0) {
            if (errno)
                cli_error("cannot read %s: %s", path, strerror(errno));
            else
                cli_error("%s is damaged (expected one line with an identifier); delete it to "
                          "get a new one (PINs of the old one stop working)",
                          path);
            free(path);
            return CLI_EXIT_ERROR;
        }
        /* absent: generate one and create the file, unless another run just did */
        if ((rc = cli_config_ensure_dir(dir)) != 0) {
            free(path);
            return rc;
        }
        if (cli_uuid_v4(uuid) != 0) {
            cli_error("cannot get random bytes for a client identifier: %s", strerror(errno));
            free(path);
            return CLI_EXIT_ERROR;
        }
        snprintf(line, sizeof(line), "%s\n", uuid);
        rc = cli_write_atomic(dir, CLIENT_ID_NAME, line, strlen(line), 0);
        if (rc < 0) {
            cli_error("cannot save the client identifier in %s: %s", path, strerror(errno));
            free(path);
            return CLI_EXIT_ERROR;
        }
        /* 0: ours was saved; 1: another run's was; either way read it back */
    }
    cli_error("cannot read back %s", path);
    free(path);
    return CLI_EXIT_ERROR;
}

/* ---- the token file ---- */

void cli_token_file_dispose(cli_token_file *t)
{
    free(t->token);
    free(t->user);
    free(t->base_url);
    free(t->obtained_at);
    memset(t, 0, sizeof(*t));
}

static int set_field(char **field, const char *v, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return -1;
    memcpy(p, v, n);
    p[n] = '\0';
    free(*field);
    *field = p;
    return 0;
}

static int parse_token_file(const char *data, size_t len, cli_token_file *t)
{
    const char *p = data, *end = data + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le, *eq;
        size_t n = (size_t)((nl ? nl : end) - p), klen; /* the line, without '\n' */
        char **field = NULL;

        if (n > 0 && p[n - 1] == '\r')
            n--;
        le = p + n;
        eq = memchr(p, '=', n);
        if (p[0] != '#' && eq) {
            klen = (size_t)(eq - p);
            if (klen == 5 && memcmp(p, "token", 5) == 0)
                field = &t->token;
            else if (klen == 4 && memcmp(p, "user", 4) == 0)
                field = &t->user;
            else if (klen == 8 && memcmp(p, "base_url", 8) == 0)
                field = &t->base_url;
            else if (klen == 11 && memcmp(p, "obtained_at", 11) == 0)
                field = &t->obtained_at;
            if (field && set_field(field, eq + 1, (size_t)(le - eq - 1)) != 0)
                return -1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int cli_token_load(const char *dir, cli_token_file *out)
{
    char *path = join(dir, TOKEN_NAME), *data = NULL;
    struct stat st;
    size_t len = 0;
    ssize_t n;
    int fd, rc = CLI_EXIT_ERROR;

    memset(out, 0, sizeof(*out));
    if (!path) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = CLI_TOKEN_NONE;
        else if (errno == ELOOP)
            cli_error("%s is a symbolic link; refusing to read a token through it", path);
        else
            cli_error("cannot read %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    if (fstat(fd, &st) != 0) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s is not a regular file", path);
        goto done;
    }
    if (st.st_uid != geteuid()) {
        cli_error("%s belongs to another user (uid %ld); refusing to use it. Fix: remove it "
                  "and run 'plex login' again",
                  path, (long)st.st_uid);
        goto done;
    }
    if (st.st_mode & 077) {
        cli_error("%s can be read or changed by other users (mode %04o), so its token may "
                  "have leaked; refusing to use it. Fix: chmod 600 %s (and if others could "
                  "really read it, run 'plex logout' and sign in again)",
                  path, (unsigned)(st.st_mode & 07777), path);
        goto done;
    }
    if (st.st_size > (off_t)MAX_TOKEN_FILE) {
        cli_error("%s is larger than %d bytes; it is not a token file", path, MAX_TOKEN_FILE);
        goto done;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        cli_error("out of memory");
        goto done;
    }
    while (len < (size_t)st.st_size) {
        n = read(fd, data + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    data[len] = '\0';
    if (parse_token_file(data, len, out) != 0) {
        cli_error("out of memory");
        cli_token_file_dispose(out);
        goto done;
    }
    if (!out->token || !*out->token) {
        cli_error("%s is damaged (it has no token); run 'plex login' again", path);
        cli_token_file_dispose(out);
        goto done;
    }
    rc = 0;
done:
    close(fd);
    free(data);
    free(path);
    return rc;
}

/* What is written: the same fields as cli_token_file, borrowed. */
typedef struct cli_token_view {
    const char *token, *user, *base_url, *obtained_at;
} cli_token_view;

/* Write "key=value\n", with control characters in value replaced by '?'. */
static void put_line(FILE *f, const char *key, const char *value)
{
    if (!value)
        return;
    fprintf(f, "%s=", key);
    for (const char *v = value; *v; v++)
        fputc(((unsigned char)*v < 0x20 || *v == 0x7f) ? '?' : *v, f);
    fputc('\n', f);
}

/* The file's text; test_seq > 0 adds a test line of varying length. */
static char *format_token_file(const cli_token_view *t, long test_seq, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (!f)
        return NULL;
    fputs(TOKEN_HEADER, f);
    put_line(f, "token", t->token);
    put_line(f, "user", t->user);
    put_line(f, "base_url", t->base_url);
    put_line(f, "obtained_at", t->obtained_at);
    if (test_seq > 0) {
        /* the kill -9 test checks that the padding matches the sequence number */
        fprintf(f, "test_seq=%ld\ntest_pad=", test_seq);
        for (long i = 0; i < (test_seq * 7919) % 20000; i++)
            fputc('x', f);
        fputc('\n', f);
    }
    fputs(TOKEN_END, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int save_once(const char *dir, const cli_token_view *t, long test_seq)
{
    size_t len = 0;
    char *text = format_token_file(t, test_seq, &len);
    int rc;

    if (!text) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    rc = cli_write_atomic(dir, TOKEN_NAME, text, len, 1);
    memset(text, 0, len); /* do not leave the token in freed memory */
    free(text);
    if (rc != 0) {
        cli_error("cannot save the token in %s/%s: %s", dir, TOKEN_NAME, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    return 0;
}

int cli_token_save(const char *dir, const char *token, const char *user, const char *base_url,
                   const char *obtained_at)
{
    const char *loop = getenv("PLEX_CLI_TEST_SAVE_LOOP");
    struct stat st;
    int rc;
    cli_token_view tv;

    tv.token = token;
    tv.user = user;
    tv.base_url = base_url;
    tv.obtained_at = obtained_at;

    if ((rc = cli_config_ensure_dir(dir)) != 0)
        return rc;
    if (stat(dir, &st) == 0 && (st.st_mode & 077) && st.st_uid == geteuid())
        cli_warn("the config directory %s is open to other users (mode %04o); "
                 "'chmod 700 %s' keeps it private",
                 dir, (unsigned)(st.st_mode & 07777), dir);
    if ((rc = save_once(dir, &tv, 0)) != 0)
        return rc;
    /* Test hook (undocumented): save again N times, each file different, so
     * that a test can kill -9 the process in the middle of a save. */
    if (loop && *loop) {
        long n = strtol(loop, NULL, 10);
        for (long i = 1; i <= n && rc == 0; i++)
            rc = save_once(dir, &tv, i);
    }
    return rc;
}

int cli_token_forget(const char *dir)
{
    char *path = join(dir, TOKEN_NAME);
    int rc = 0;

    if (!path) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    if (unlink(path) != 0) {
        if (errno == ENOENT) {
            rc = CLI_TOKEN_NONE;
        } else {
            cli_error("cannot remove %s: %s", path, strerror(errno));
            rc = CLI_EXIT_ERROR;
        }
    } else if (fsync_dir(dir) != 0) {
        cli_error("cannot sync %s: %s", dir, strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    free(path);
    return rc;
}

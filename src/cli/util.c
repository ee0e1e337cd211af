#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("plex: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_read_file(const char *path, size_t limit, char **out, size_t *len)
{
    FILE *f = (!path || strcmp(path, "-") == 0) ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int saved;

    if (!f)
        return -1;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            char *grown;
            cap = cap ? cap * 2 : 8192;
            grown = realloc(buf, cap + 1);
            if (!grown) {
                errno = ENOMEM;
                goto fail;
            }
            buf = grown;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > limit) {
            errno = EFBIG;
            goto fail;
        }
        if (got == 0) {
            if (ferror(f)) {
                errno = EIO;
                goto fail;
            }
            break;
        }
    }
    buf[n] = '\0';
    if (f != stdin)
        fclose(f);
    *out = buf;
    *len = n;
    return 0;
fail:
    saved = errno;
    free(buf);
    if (f != stdin)
        fclose(f);
    errno = saved;
    return -1;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("plex: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_finish_stdout(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("writing output: %s", strerror(errno));
        return code ? code : CLI_EXIT_ERROR;
    }
    return code;
}

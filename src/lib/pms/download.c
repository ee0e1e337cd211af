/*
 * Downloads of a server's files (plex/pms/playback.h): a Part or an image
 * to a file, on a connection of its own, resumable with a byte range, and
 * never leaving a corrupt file: the bytes go to `<dest>.plexpart` with
 * write(2) (so the file on disk is always a prefix of the real one, even
 * after a kill), which is fsync'ed and renamed to `<dest>` when complete and
 * of the expected size.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "playback.h"
#include "plex/pms/playback.h"

#define REPORT_EVERY_MS 250

/* Test hook (playback.h): fail writes past this byte with ENOSPC; -1 off. */
static int64_t fail_write_at = -1;

void plex__download_fail_write_at(int64_t byte)
{
    fail_write_at = byte;
}

typedef struct dl {
    plex__http h;
    const plex_download_options *o;
    int fd;
    const char *tmp;
    int64_t have;         /* bytes on disk, a prefix of the file */
    int64_t resumed_from; /* bytes there before this request */
    int64_t expected;     /* 0: not known */
    int64_t total;        /* what the server says the whole file is; -1 */
    int checked;          /* the answer's status and range were checked */
    int restart;          /* the range answer is unusable: start over */
    long start_ms, last_report_ms;
    int64_t last_reported;
} dl;

static int io_fail(plex__http *h, const char *what, const char *file, int err)
{
    return plex__http_fail(h, PLEX_EIO, "could not %s %s: %s", what, file, strerror(err));
}

/* Report progress; non-zero: the caller cancelled. */
static int report(dl *d, int force)
{
    plex_download_progress p;
    long now = plex__now_ms(), elapsed;

    if (!d->o || !d->o->progress)
        return 0;
    if (!force && d->have == d->last_reported && now - d->last_report_ms < REPORT_EVERY_MS)
        return 0;
    d->last_report_ms = now;
    d->last_reported = d->have;
    elapsed = now - d->start_ms;
    p.bytes = d->have;
    p.total = d->expected > 0 ? d->expected : d->total;
    p.resumed_from = d->resumed_from;
    p.rate = elapsed > 0 ? (double)(d->have - d->resumed_from) * 1000.0 / (double)elapsed : 0.0;
    return d->o->progress(&p, d->o->payload);
}

/* "bytes A-B/T": A and T (-1 for '*'); 0, or -1 if it is not that. */
static int parse_range(const char *v, int64_t *first, int64_t *total)
{
    char *end;
    long long a, b;

    if (!v || strncmp(v, "bytes ", 6) != 0)
        return -1;
    a = strtoll(v + 6, &end, 10);
    if (end == v + 6 || *end != '-')
        return -1;
    b = strtoll(end + 1, &end, 10);
    if (*end != '/' || b < a)
        return -1;
    *first = a;
    if (end[1] == '*') {
        *total = -1;
        return 0;
    }
    *total = strtoll(end + 1, &end, 10);
    return *end == '\0' && *total > b ? 0 : -1;
}

/* The first bytes of a 2xx answer: is it what was asked for? */
static int check_answer(dl *d)
{
    long status = plex__http_status(&d->h);
    int64_t first, total, len;

    d->checked = 1;
    if (status == 206) {
        if (parse_range(plex__http_header(&d->h, "Content-Range"), &first, &total) != 0 ||
            first != d->resumed_from || (d->expected > 0 && total >= 0 && total != d->expected)) {
            d->restart = 1;
            return plex__http_fail(&d->h, PLEX_ESCHEMA,
                                   "the server answered the range with another one");
        }
        d->total = total;
        return 0;
    }
    /* 200: the whole file, whatever was asked; not the file when its length
     * is not the expected size (an error page, a captive portal's answer, a
     * runaway body): then the partial file stays as it was, to resume */
    len = plex__http_content_length(&d->h);
    if (d->expected > 0 && len >= 0 && len != d->expected)
        return plex__http_fail(&d->h, PLEX_ESCHEMA,
                               "the server sends %" PRId64 " bytes, not the %" PRId64 " expected",
                               len, d->expected);
    /* else start the partial file over */
    if (d->resumed_from > 0) {
        if (ftruncate(d->fd, 0) != 0 || lseek(d->fd, 0, SEEK_SET) < 0)
            return io_fail(&d->h, "truncate", d->tmp, errno);
        d->have = d->resumed_from = 0;
    }
    d->total = len;
    return 0;
}

static int sink(void *ctx, const char *data, size_t n)
{
    dl *d = ctx;
    int rc;

    if (!d->checked && (rc = check_answer(d)) != 0)
        return rc;
    while (n > 0) {
        size_t chunk = n;
        ssize_t w;
        if (fail_write_at >= 0 && d->have + (int64_t)n > fail_write_at) {
            chunk = d->have < fail_write_at ? (size_t)(fail_write_at - d->have) : 0;
            if (chunk == 0)
                return io_fail(&d->h, "write", d->tmp, ENOSPC);
        }
        w = write(d->fd, data, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return io_fail(&d->h, "write", d->tmp, w < 0 ? errno : EIO);
        d->have += w;
        data += w;
        n -= (size_t)w;
    }
    if (report(d, 0) != 0)
        return plex__http_fail(&d->h, PLEX_ECANCELLED, "the download was cancelled");
    return 0;
}

static int progress(void *ctx, int64_t now, int64_t total)
{
    dl *d = ctx;

    (void)now;
    (void)total;
    return report(d, 0) != 0;
}

/* A download: the request in flight and what happens to the file. */
struct plex_download_job {
    dl d;
    plex_download_options opts; /* the caller's, copied (d.o points here, or is NULL) */
    char *base, *path, *query, *dest, *tmp;
    int state;     /* J_FETCHING, J_DONE */
    int result;    /* J_DONE: the outcome */
    int restarted; /* started over from the first byte once already */
};

enum { J_FETCHING, J_DONE };

/* Start the request for the bytes from d->have on (non-blocking). */
static int fetch_start(plex_download_job *j)
{
    dl *d = &j->d;
    char range[64];
    const char *hdrs[2] = {NULL, NULL};
    plex__request r = {.method = "GET",
                       .path = j->path,
                       .query = j->query,
                       .accept = "*/*",
                       .flags = PLEX__REQ_ANY_BODY,
                       .timeout_ms = -1,
                       .sink = sink,
                       .progress = progress};

    r.base = j->base;
    r.sink_ctx = d;
    r.progress_ctx = d;
    d->resumed_from = d->have;
    d->checked = d->restart = 0;
    d->total = -1;
    if (d->have > 0) {
        snprintf(range, sizeof(range), "Range: bytes=%" PRId64 "-", d->have);
        hdrs[0] = range;
        r.headers = hdrs;
    }
    d->start_ms = plex__now_ms();
    return plex__http_start(&d->h, &r); /* copies the URL and the headers */
}

/* dest + suffix, or NULL. */
static char *partial_name(const char *dest)
{
    plex__buf b = PLEX__BUF_INIT;
    char *p = NULL;

    plex__buf_puts(&b, dest);
    plex__buf_puts(&b, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    return plex__buf_detach(&b, &p) == 0 ? p : NULL;
}

/* fsync the directory of path, so a rename survives a crash (best effort). */
static void sync_dir(const char *path)
{
    char *copy = plex__strdup(path);
    int fd;

    if (!copy)
        return;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    plex__free(copy);
}

/* The download is over with rc: the partial file is renamed into place when
 * rc is 0 and the file complete, kept as a prefix otherwise. The outcome. */
static int conclude(plex_download_job *j, int rc)
{
    dl *d = &j->d;

    j->state = J_DONE;
    if (rc == PLEX_ESCHEMA && d->have == 0) {
        /* the server sends another file (a 200 of another length): an
         * empty partial file has nothing to keep */
        close(d->fd);
        d->fd = -1;
        unlink(j->tmp);
        return j->result = rc;
    }
    if (rc == 0 && report(d, 1) != 0)
        rc = plex__http_fail(&d->h, PLEX_ECANCELLED, "the download was cancelled");
    if (rc == 0 &&
        ((d->expected > 0 && d->have != d->expected) || (d->total >= 0 && d->have != d->total))) {
        rc = plex__http_fail(&d->h, PLEX_ESCHEMA,
                             "the file has %" PRId64 " bytes, not the %" PRId64 " expected",
                             d->have, d->expected > 0 ? d->expected : d->total);
        close(d->fd);
        d->fd = -1;
        /* complete but wrong: nothing to resume; but an answer without a
         * body (a 204) wrote nothing, and the partial file stays a prefix */
        if (d->checked)
            unlink(j->tmp);
        return j->result = rc;
    }
    if (rc == 0 && fsync(d->fd) != 0)
        rc = io_fail(&d->h, "flush", j->tmp, errno);
    if (rc == 0) {
        int fd = d->fd;
        d->fd = -1;
        if (close(fd) != 0)
            rc = io_fail(&d->h, "close", j->tmp, errno);
    }
    if (rc == 0) {
        if (rename(j->tmp, j->dest) != 0)
            rc = io_fail(&d->h, "rename to", j->dest, errno);
        else
            sync_dir(j->dest);
    }
    if (d->fd >= 0) {
        /* keep the prefix written so far, on disk, for a resume */
        (void)fsync(d->fd);
        close(d->fd);
        d->fd = -1;
    }
    return j->result = rc;
}

/* The request in flight ended with rc: start over once if the server would
 * not resume, else conclude. PLEX_EPENDING (started over) or the outcome. */
static int fetch_ended(plex_download_job *j, int rc)
{
    dl *d = &j->d;

    if (rc != 0 && !j->restarted &&
        (d->restart || (d->resumed_from > 0 && d->h.last.http_status == 416))) {
        plex__http_log(&d->h, PLEX_LOG_WARN, "the server refused to resume %s: starting over",
                       j->dest);
        j->restarted = 1;
        if (ftruncate(d->fd, 0) != 0 || lseek(d->fd, 0, SEEK_SET) < 0)
            return conclude(j, io_fail(&d->h, "truncate", j->tmp, errno));
        d->have = 0;
        if ((rc = fetch_start(j)) == 0)
            return PLEX_EPENDING;
    }
    return conclude(j, rc);
}

/* Move the download on without blocking: PLEX_EPENDING or the outcome. */
static int advance(plex_download_job *j)
{
    plex__response resp;
    int done = 0, rc;

    if (j->state == J_DONE)
        return j->result;
    if ((rc = plex__http_progress(&j->d.h, &done)) != 0) {
        plex__http_abort(&j->d.h);
        return fetch_ended(j, rc);
    }
    if (!done)
        return PLEX_EPENDING;
    return fetch_ended(j, plex__http_finish(&j->d.h, &resp));
}

static char *dup_or_null(const char *s, int *failed)
{
    char *c = s ? plex__strdup(s) : NULL;

    if (s && !c)
        *failed = 1;
    return c;
}

void plex_download_job_free(plex_download_job *j)
{
    if (!j)
        return;
    plex__http_dispose(&j->d.h); /* stops a request in flight */
    if (j->d.fd >= 0) {
        (void)fsync(j->d.fd); /* the prefix stays, for a resume */
        close(j->d.fd);
    }
    plex__free(j->base);
    plex__free(j->path);
    plex__free(j->query);
    plex__free(j->dest);
    plex__free(j->tmp);
    plex__free(j);
}

/* Open the partial file of dest and start fetching path?query into it (the
 * partial file's rules: download.c's head). 0 with *out, or an error
 * recorded on the server. */
static int job_start(plex_download_job **out, plex_server *s, const char *path, const char *query,
                     const char *dest, const plex_download_options *o, int64_t expected)
{
    plex_download_job *j;
    struct stat sb;
    int failed = 0, rc;
    dl *d;

    *out = NULL;
    if (o && o->version != PLEX_DOWNLOAD_OPTIONS_VERSION)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "unknown plex_download_options version (use "
                               "PLEX_DOWNLOAD_OPTIONS_INIT)");
    if (!dest || !*dest)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a destination file is required");
    if (o && (o->flags & PLEX_DOWNLOAD_NO_CLOBBER) && lstat(dest, &sb) == 0)
        return plex__http_fail(&s->http, PLEX_EIO, "%s exists", dest);
    if (!(j = plex__calloc(1, sizeof(*j))))
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    d = &j->d;
    d->fd = -1;
    d->expected = expected;
    if (o) {
        j->opts = *o;
        d->o = &j->opts;
    }
    j->base = dup_or_null(s->http.base_url, &failed);
    j->path = dup_or_null(path, &failed);
    j->query = dup_or_null(query, &failed);
    j->dest = dup_or_null(dest, &failed);
    d->tmp = j->tmp = partial_name(dest);
    if (failed || !j->tmp || plex__http_init_from(&d->h, &s->http) != 0) {
        plex_download_job_free(j);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    d->fd = open(j->tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (d->fd < 0) {
        rc = io_fail(&s->http, "create", j->tmp, errno);
        plex_download_job_free(j);
        return rc;
    }
    if (flock(d->fd, LOCK_EX | LOCK_NB) != 0) {
        rc = plex__http_fail(&s->http, PLEX_EIO, "%s is being written by another download", j->tmp);
        close(d->fd); /* not ours to touch: no fsync either */
        d->fd = -1;
        plex_download_job_free(j);
        return rc;
    }
    if (fstat(d->fd, &sb) != 0) {
        rc = io_fail(&s->http, "read", j->tmp, errno);
        plex_download_job_free(j);
        return rc;
    }
    d->have = sb.st_size;
    if ((o && (o->flags & PLEX_DOWNLOAD_NO_RESUME)) || (expected > 0 && d->have > expected)) {
        if (ftruncate(d->fd, 0) != 0) {
            rc = io_fail(&s->http, "truncate", j->tmp, errno);
            plex_download_job_free(j);
            return rc;
        }
        d->have = 0;
    }
    if (lseek(d->fd, d->have, SEEK_SET) < 0) {
        rc = io_fail(&s->http, "seek in", j->tmp, errno);
        plex_download_job_free(j);
        return rc;
    }
    if (d->have > 0)
        plex__http_log(&d->h, PLEX_LOG_INFO, "resuming %s at byte %" PRId64, dest, d->have);
    *out = j;
    if (expected > 0 && d->have == expected)
        conclude(j, 0); /* complete already: a partial file is only ever a prefix */
    else if ((rc = fetch_start(j)) != 0)
        conclude(j, rc);
    return 0;
}

/* The blocking form of a job whose start returned rc: run to its end, its
 * file's name handed to *path_out (when not NULL) on success, freed. The
 * outcome, recorded on the server. */
static int run_blocking(plex_server *s, int rc, plex_download_job *j, char **path_out)
{
    if (rc != 0 || !j)
        return rc ? rc : PLEX_ERROR;
    while ((rc = advance(j)) == PLEX_EPENDING)
        if (plex__http_wait(&j->d.h, 1000) != 0) {
            plex__http_abort(&j->d.h);
            rc = conclude(j, j->d.h.last.code ? j->d.h.last.code : PLEX_ERROR);
            break;
        }
    if (rc)
        s->http.last = j->d.h.last;
    else if (path_out) {
        *path_out = j->dest; /* the job's copy, handed over */
        j->dest = NULL;
    }
    plex_download_job_free(j);
    return rc;
}

/* Fetch path?query to dest, blocking. */
static int download(plex_server *s, const char *path, const char *query, const char *dest,
                    const plex_download_options *o, int64_t expected)
{
    plex_download_job *j = NULL;
    int rc = job_start(&j, s, path, query, dest, o, expected);

    return run_blocking(s, rc, j, NULL);
}

/* A server path a download may fetch: starts with '/', no query. */
static int check_path(plex_server *s, const char *path)
{
    if (!path || path[0] != '/' || strpbrk(path, " \t\r\n#?"))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "invalid path: expected one starting with '/', without a query");
    return 0;
}

int plex_download(plex_server *s, const char *path, const char *dest,
                  const plex_download_options *o)
{
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = check_path(s, path)) != 0)
        return rc;
    return download(s, path, NULL, dest, o, o ? o->expected_size : 0);
}

int plex_download_start(plex_download_job **out, plex_server *s, const char *path, const char *dest,
                        const plex_download_options *o)
{
    int rc;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    if ((rc = check_path(s, path)) != 0)
        return rc;
    return job_start(out, s, path, NULL, dest, o, o ? o->expected_size : 0);
}

int plex_download_step(plex_download_job *j, plex_wait_info *wait)
{
    int rc;

    if (!j || !wait)
        return PLEX_EINVALID;
    memset(wait, 0, sizeof(*wait));
    rc = advance(j);
    if (rc == PLEX_EPENDING)
        plex__http_wait_info(&j->d.h, wait);
    return rc;
}

const char *plex_download_job_path(const plex_download_job *j)
{
    return j ? j->dest : NULL;
}

const plex_error *plex_download_job_last_error(const plex_download_job *j)
{
    return j ? &j->d.h.last : NULL;
}

/* c, or '_' for a control character (and with `strict` a path separator or a dot). */
static char safe_char(char c, int strict)
{
    if ((unsigned char)c < 0x20 || c == 0x7f || (strict && (c == '/' || c == '\\' || c == '.')))
        return '_';
    return c;
}

int plex__download_name(char *out, size_t size, const plex_part *part)
{
    const char *file = part ? part->file : NULL, *base = NULL;
    size_t k = 0;

    if (size < 2)
        return -1;
    if (file) {
        const char *slash = strrchr(file, '/'), *back = strrchr(file, '\\');
        base = slash > back ? slash + 1 : back ? back + 1 : file;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strlen(base) >= size ||
            strlen(base) > 255)
            base = NULL;
    }
    if (base) {
        for (const char *p = base; *p; p++)
            out[k++] = safe_char(*p, 0);
        out[k] = '\0';
        return 0;
    }
    if (!part || part->id <= 0)
        return -1;
    k = (size_t)snprintf(out, size, "part-%" PRId64, part->id);
    if (k >= size)
        return -1;
    if (part->container && *part->container) {
        const char *c = part->container;
        if (k + 1 + strlen(c) >= size)
            return -1;
        out[k++] = '.';
        for (; *c; c++)
            out[k++] = safe_char(*c, 1);
        out[k] = '\0';
    }
    return 0;
}

int plex_part_file_name(char *out, size_t size, const plex_part *part)
{
    if (!out || !part || plex__download_name(out, size, part) != 0)
        return PLEX_EINVALID;
    return 0;
}

/* Start downloading a Part to dest (a file, or a directory to put it in). */
static int part_start(plex_download_job **out, plex_server *s, const plex_part *part,
                      const char *dest, const plex_download_options *o)
{
    struct stat sb;
    char name[256];
    plex__buf b = PLEX__BUF_INIT;
    char *file;
    int rc;

    *out = NULL;
    if (!part || !part->key || part->key[0] != '/' || strpbrk(part->key, " \t\r\n#?"))
        return plex__http_fail(&s->http, PLEX_EINVALID, "the part has no usable key");
    if (!dest || !*dest)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a destination is required");
    if (stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (plex__download_name(name, sizeof(name), part) != 0)
            return plex__http_fail(&s->http, PLEX_EINVALID,
                                   "no safe file name can be made from the part");
        plex__buf_puts(&b, dest);
        if (dest[strlen(dest) - 1] != '/')
            plex__buf_putc(&b, '/');
        plex__buf_puts(&b, name);
    } else {
        plex__buf_puts(&b, dest);
    }
    if (plex__buf_detach(&b, &file) != 0)
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    rc = job_start(out, s, part->key, "download=1", file, o,
                   o && o->expected_size > 0                               ? o->expected_size
                   : plex_part_has(part, PLEX_PART_SIZE) && part->size > 0 ? part->size
                                                                           : 0);
    plex__free(file);
    return rc;
}

int plex_part_download(char **path_out, plex_server *s, const plex_part *part, const char *dest,
                       const plex_download_options *o)
{
    plex_download_job *j = NULL;
    int rc;

    if (path_out)
        *path_out = NULL;
    if (!s)
        return PLEX_EINVALID;
    rc = part_start(&j, s, part, dest, o);
    return run_blocking(s, rc, j, path_out);
}

int plex_part_download_start(plex_download_job **out, plex_server *s, const plex_part *part,
                             const char *dest, const plex_download_options *o)
{
    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!s)
        return PLEX_EINVALID;
    return part_start(out, s, part, dest, o);
}

int plex_image_download(plex_server *s, const char *path, int width, int height, const char *dest,
                        const plex_download_options *o)
{
    plex_query *q;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (width <= 0 && height <= 0)
        return plex_download(s, path, dest, o);
    if ((rc = plex__image_query(&q, s, path, width, height)) != 0)
        return rc;
    rc = download(s, "/photo/:/transcode", plex_query_string(q), dest, o, o ? o->expected_size : 0);
    plex_query_free(q);
    return rc;
}

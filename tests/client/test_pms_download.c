/*
 * Downloads against plexsim's emulated media server (issue 16): a part and
 * an image to files, with progress; a cancel and its resume (a byte range,
 * byte-exact afterwards); a short read (the `truncate` fault on the part
 * route) and its resume; a partial file the server cannot resume (416, a
 * clean restart); a size mismatch (nothing left behind); a full disk (a
 * 1 MiB tmpfs when one can be mounted, and always the injected write error);
 * a process killed during the write (SIGKILL: the partial file is a prefix,
 * and a resume completes it); the file name from the Part in a directory.
 * Linked with the internal objects for the write-error hook.
 */
#define _GNU_SOURCE /* unshare(2), CLONE_NEWNS */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "flow.h"
#include "pms/playback.h"

#define TOKEN "plexsim-user-token-0001"
#define PART_ROUTE "GET+%2Flibrary%2Fparts%2F%7Bid%7D%2F%7Bchangestamp%7D%2F%7Bfile%7D"

static sim S;
static plex_client *C;
static plex_server *P;
static char dir[256];
static plex_container *item; /* a photo's full metadata */
static const plex_part *part;
static unsigned char *ref; /* the part's bytes, fetched whole */
static size_t ref_len;

static char *path_in(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* 1 if path holds exactly the first n bytes of the part. */
static int is_prefix(const char *path, size_t n)
{
    size_t len;
    char *data;
    int ok;

    if (file_size(path) != (long)n)
        return 0;
    data = test_read_file(path, &len);
    ok = len == n && n <= ref_len && memcmp(data, ref, n) == 0;
    free(data);
    return ok;
}

typedef struct prog {
    int calls;
    int64_t last_bytes, total, resumed_from;
    int64_t cancel_at; /* cancel once this many bytes are on disk (0: never) */
    int64_t kill_at;   /* SIGKILL the process at this many bytes (0: never) */
    int backwards;
} prog;

static int on_progress(const plex_download_progress *p, void *payload)
{
    prog *g = payload;

    g->calls++;
    if (p->bytes < g->last_bytes)
        g->backwards = 1;
    g->last_bytes = p->bytes;
    g->total = p->total;
    g->resumed_from = p->resumed_from;
    if (g->kill_at && p->bytes >= g->kill_at)
        raise(SIGKILL);
    return g->cancel_at && p->bytes >= g->cancel_at;
}

static plex_download_options opts(prog *g)
{
    plex_download_options o = PLEX_DOWNLOAD_OPTIONS_INIT;
    memset(g, 0, sizeof(*g));
    o.progress = on_progress;
    o.payload = g;
    return o;
}

/* The partial file of dest. */
static const char *partial_of(const char *dest)
{
    static char buf[600];
    snprintf(buf, sizeof(buf), "%s%s", dest, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    return buf;
}

/* After a failed download to dest: no dest, a partial file that is a prefix
 * of the part of at least min bytes (and not all of it); a resume then
 * continues from there and completes the file byte-exact. */
static void check_resumes(const char *dest, long min)
{
    prog g;
    plex_download_options o = opts(&g);
    long have = file_size(partial_of(dest));

    CHECK(file_size(dest) < 0);
    CHECK(have >= min && have < (long)ref_len);
    CHECK(is_prefix(partial_of(dest), (size_t)have));
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), 0);
    CHECK_INT(g.resumed_from, have); /* a range from where it stopped */
    CHECK(is_prefix(dest, ref_len));
    CHECK(file_size(partial_of(dest)) < 0);
    unlink(dest);
}

static void setup(void)
{
    plex_listing *l = NULL;
    const plex_metadata *m;
    plex_query *q = NULL;
    char rk[32];
    char *url = NULL;

    snprintf(dir, sizeof(dir), "/tmp/plex-dl-XXXXXX");
    REQUIRE(mkdtemp(dir) != NULL);
    REQUIRE(plex_query_new(&q) == 0 && plex_query_add(q, "type", "13") == 0);
    REQUIRE(plex_section_items(&l, P, "4", q, NULL) == 0);
    REQUIRE(plex_listing_next(l, &m) == 1);
    snprintf(rk, sizeof(rk), "%s", m->rating_key);
    plex_listing_free(l);
    plex_query_free(q);
    REQUIRE(plex_metadata_get(&item, P, rk, NULL) == 0);
    REQUIRE(item->items_count == 1 && item->items[0]->media_count >= 1);
    part = plex_media_parts_at(item->items[0]->media[0], 0);
    REQUIRE(part && part->key && part->size > 1024 * 1024 && part->file);
    /* the reference bytes, through the library's own image call on the part's path */
    REQUIRE(plex_part_url(&url, P, part, 0) == 0);
    REQUIRE(plex_image_get(&ref, &ref_len, NULL, P, part->key, 0, 0) == 0);
    REQUIRE((int64_t)ref_len == part->size);
    plex_free(url);
}

static void test_whole(void)
{
    prog g;
    plex_download_options o = opts(&g);
    char *written = NULL;
    char name[512];

    /* into a directory: named after the Part's file */
    CHECK_INT(plex_part_download(&written, P, part, dir, &o), 0);
    REQUIRE(written != NULL);
    snprintf(name, sizeof(name), "%s/%s", dir, strrchr(part->file, '/') + 1);
    CHECK_STR(written, name);
    CHECK(is_prefix(written, ref_len));
    CHECK(g.calls > 0 && !g.backwards);
    CHECK_INT(g.last_bytes, (int64_t)ref_len);
    CHECK_INT(g.total, (int64_t)ref_len);
    CHECK_INT(g.resumed_from, 0);
    CHECK(file_size(path_in("x.plexpart")) < 0);
    snprintf(name, sizeof(name), "%s%s", written, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    CHECK(file_size(name) < 0); /* renamed away */
    unlink(written);
    plex_free(written);

    /* NO_CLOBBER refuses an existing file */
    o.flags = PLEX_DOWNLOAD_NO_CLOBBER;
    CHECK_INT(plex_part_download(NULL, P, part, path_in("whole"), &o), 0);
    CHECK_INT(plex_part_download(NULL, P, part, path_in("whole"), &o), PLEX_EIO);
    CHECK(is_prefix(path_in("whole"), ref_len));
    unlink(path_in("whole"));

    /* an image at a size */
    o = opts(&g);
    CHECK_INT(plex_image_download(P, item->items[0]->thumb, 64, 64, path_in("thumb.png"), &o), 0);
    CHECK(file_size(path_in("thumb.png")) > 8);
    unlink(path_in("thumb.png"));
}

static void test_cancel_resume(void)
{
    prog g;
    plex_download_options o = opts(&g);
    const char *dest = path_in("cancel.bin");

    g.cancel_at = (int64_t)ref_len / 3;
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), PLEX_ECANCELLED);
    check_resumes(dest, (long)g.cancel_at);
}

static void test_short_read(void)
{
    prog g;
    plex_download_options o = opts(&g);
    const char *dest = path_in("short.bin");

    CHECK_INT(sim_control(&S, "POST", "/__sim/fault?route=" PART_ROUTE "&seq=truncate", NULL, NULL),
              200);
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), PLEX_ETRANSPORT);
    check_resumes(dest, 1);
}

static void test_unresumable(void)
{
    prog g;
    plex_download_options o = opts(&g);
    const char *dest = path_in("restart.bin");
    FILE *f;

    /* a partial file as long as the whole: the range is past the end (416),
     * so the download starts over (no expected size: plex_download) */
    f = fopen(partial_of(dest), "wb");
    REQUIRE(f && fwrite(ref, 1, ref_len, f) == ref_len);
    fclose(f);
    CHECK_INT(plex_download(P, part->key, dest, &o), 0);
    CHECK_INT(g.resumed_from, 0);
    CHECK(is_prefix(dest, ref_len));
    unlink(dest);

    /* a partial file longer than the part: dropped, downloaded again */
    f = fopen(partial_of(dest), "wb");
    REQUIRE(f && fwrite(ref, 1, ref_len, f) == ref_len && fwrite("xx", 1, 2, f) == 2);
    fclose(f);
    o = opts(&g);
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), 0);
    CHECK(is_prefix(dest, ref_len));
    CHECK(file_size(partial_of(dest)) < 0);
    unlink(dest);

    /* garbage in the partial file cannot be told apart from the server's
     * bytes: NO_RESUME starts from zero */
    f = fopen(partial_of(dest), "wb");
    REQUIRE(f && fwrite("garbage", 1, 7, f) == 7);
    fclose(f);
    o = opts(&g);
    o.flags = PLEX_DOWNLOAD_NO_RESUME;
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), 0);
    CHECK(is_prefix(dest, ref_len));
    unlink(dest);
}

static void test_size_mismatch(void)
{
    prog g;
    plex_download_options o = opts(&g);
    const char *dest = path_in("mismatch.bin");
    plex_part wrong = *part;

    wrong.size = part->size + 10; /* the server's file is shorter than the Part says */
    CHECK_INT(plex_part_download(NULL, P, &wrong, dest, &o), PLEX_ESCHEMA);
    CHECK(file_size(dest) < 0);
    CHECK(file_size(partial_of(dest)) < 0);
    CHECK(strstr(plex_server_last_error(P)->message, "bytes") != NULL);
    o = opts(&g);
    o.expected_size = (int64_t)ref_len - 1;
    CHECK_INT(plex_download(P, part->key, dest, &o), PLEX_ESCHEMA);
    CHECK(file_size(dest) < 0);
    CHECK(file_size(partial_of(dest)) < 0);
}

static void test_write_error_hook(void)
{
    prog g;
    plex_download_options o = opts(&g);
    const char *dest = path_in("nospace.bin");

    plex__download_fail_write_at(300000);
    CHECK_INT(plex_part_download(NULL, P, part, dest, &o), PLEX_EIO);
    plex__download_fail_write_at(-1);
    CHECK(strstr(plex_server_last_error(P)->message, "No space") != NULL);
    CHECK_INT(file_size(partial_of(dest)), 300000);
    check_resumes(dest, 300000);
}

/* A real full disk: a 1 MiB tmpfs in a mount namespace of a child process.
 * Returns 0 when checked, 77 when no tmpfs could be mounted here. */
static int tmpfs_child(void)
{
    char mnt[300], dest[400], partial[450];
    prog g;
    plex_download_options o = opts(&g);
    int rc;

    snprintf(mnt, sizeof(mnt), "%s/tmpfs", dir);
    if (mkdir(mnt, 0700) != 0)
        return 1;
    if (unshare(CLONE_NEWNS) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return 77;
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0)
        return 77;
    snprintf(dest, sizeof(dest), "%s/full.bin", mnt);
    snprintf(partial, sizeof(partial), "%s%s", dest, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    rc = plex_part_download(NULL, P, part, dest, &o);
    if (rc != PLEX_EIO || file_size(dest) >= 0)
        return 2;
    /* what is there is a prefix of the part, of at most the disk's size */
    if (file_size(partial) <= 0 || file_size(partial) > 1024 * 1024 ||
        !is_prefix(partial, (size_t)file_size(partial)))
        return 3;
    return 0;
}

static void test_full_disk(void)
{
    pid_t pid;
    int st;

    fflush(NULL);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        _exit(tmpfs_child());
    REQUIRE(waitpid(pid, &st, 0) == pid);
    REQUIRE(WIFEXITED(st));
    if (WEXITSTATUS(st) == 77)
        printf("tmpfs: cannot mount one here (the injected write error covers a full disk)\n");
    else
        CHECK_INT(WEXITSTATUS(st), 0);
}

static void test_killed(void)
{
    const char *dest = path_in("killed.bin");
    pid_t pid;
    int st;

    fflush(NULL);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        /* its own connection, killed in the middle of the write */
        plex_server *s = NULL;
        plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
        prog g;
        plex_download_options o = opts(&g);
        so.token = TOKEN;
        g.kill_at = (int64_t)ref_len / 2;
        if (plex_server_new(&s, C, S.pms_url, &so) != 0)
            _exit(1);
        plex_part_download(NULL, s, part, dest, &o);
        _exit(2); /* not reached: killed */
    }
    REQUIRE(waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    check_resumes(dest, (long)ref_len / 2);
}

/* ---- servers that do not honour the range ---- */

/* A one-shot HTTP server on 127.0.0.1 in a child process: it answers each of
 * its connections in turn with modes[i]: 'F' the whole part (200, whatever
 * the range), 'W' a 206 whose Content-Range starts at byte 0 (not where it
 * was asked), 'L' a 206 for the asked range whose total is one byte more. */
static pid_t lying_server(const char *modes, int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    pid_t pid;

    REQUIRE(ls >= 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(ls, 4) == 0);
    REQUIRE(getsockname(ls, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    fflush(NULL);
    REQUIRE((pid = fork()) >= 0);
    if (pid)
        return pid;
    for (const char *m = modes; *m; m++) {
        char req[4096], head[256];
        size_t got = 0, from = 0;
        const char *r;
        int cs = accept(ls, NULL, NULL);
        if (cs < 0)
            _exit(1);
        req[0] = '\0';
        while (got < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
            ssize_t n = read(cs, req + got, sizeof(req) - 1 - got);
            if (n <= 0)
                break;
            got += (size_t)n;
            req[got] = '\0';
        }
        if ((r = strstr(req, "Range: bytes=")))
            from = (size_t)strtoull(r + 13, NULL, 10);
        if (*m == 'F')
            snprintf(head, sizeof(head),
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     ref_len);
        else
            snprintf(head, sizeof(head),
                     "HTTP/1.1 206 Partial Content\r\nContent-Length: %zu\r\n"
                     "Content-Range: bytes %zu-%zu/%zu\r\nConnection: close\r\n\r\n",
                     ref_len - from, *m == 'W' ? (size_t)0 : from,
                     (*m == 'W' ? ref_len - from : ref_len) - 1, ref_len + (*m == 'L'));
        /* the client may hang up once it sees the headers: not an error here */
        if (write(cs, head, strlen(head)) > 0 &&
            write(cs, ref + (*m == 'F' || *m == 'W' ? 0 : from),
                  *m == 'F' ? ref_len : ref_len - from) < 0)
            (void)0;
        close(cs);
    }
    _exit(0);
}

static void test_range_not_honoured(void)
{
    static const char *const cases[] = {"F", "WF", "LF"};
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *dest = path_in("lied.bin");
        char url[64];
        plex_server *s = NULL;
        prog g;
        plex_download_options o = opts(&g);
        FILE *f = fopen(partial_of(dest), "wb");
        int port, st;
        pid_t pid;

        /* a partial file of the first 100,000 bytes */
        REQUIRE(f && fwrite(ref, 1, 100000, f) == 100000);
        fclose(f);
        pid = lying_server(cases[i], &port);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
        so.token = TOKEN;
        REQUIRE(plex_server_new(&s, C, url, &so) == 0);
        o.expected_size = (int64_t)ref_len;
        CHECK_INT(plex_download(s, "/file.jpg", dest, &o), 0);
        CHECK_INT(g.resumed_from, 0); /* started over */
        CHECK(is_prefix(dest, ref_len));
        CHECK(file_size(partial_of(dest)) < 0);
        unlink(dest);
        plex_server_free(s);
        REQUIRE(waitpid(pid, &st, 0) == pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
}

static void test_errors(void)
{
    plex_part nokey = *part;
    char *out = NULL;
    const char *dest = path_in("none.bin");

    nokey.key = "/library/parts/999999999/1/file.jpg";
    CHECK_INT(plex_part_download(&out, P, &nokey, dest, NULL), PLEX_ENOTFOUND);
    CHECK(out == NULL);
    CHECK(file_size(dest) < 0);
    /* a 404 wrote nothing: the partial file is empty (resumable from 0) */
    CHECK(file_size(partial_of(dest)) <= 0);
    unlink(partial_of(dest));
    nokey.key = NULL;
    CHECK_INT(plex_part_download(&out, P, &nokey, dest, NULL), PLEX_EINVALID);
    CHECK_INT(plex_download(P, part->key, "/nonexistent-dir/x/y", NULL), PLEX_EIO);
}

/* ---- in an event loop ---- */

/* Step a job until it ends (or, stop_at > 0, until that many bytes are on
 * disk); how many steps said PLEX_EPENDING into *pending. The outcome. */
static int run_job(plex_download_job *j, const prog *g, int64_t stop_at, int *pending)
{
    plex_wait_info w;
    int rc;

    *pending = 0;
    while ((rc = plex_download_step(j, &w)) == PLEX_EPENDING) {
        (*pending)++;
        CHECK(w.timeout_ms >= 0);
        if (stop_at > 0 && g->last_bytes >= stop_at)
            return rc;
        flow_poll(&w, 1000);
    }
    return rc;
}

static void test_job(void)
{
    prog g;
    plex_download_options o = opts(&g), scratch;
    plex_download_job *j = NULL, *twin = NULL;
    plex_wait_info w;
    char name[512];
    const char *dest = path_in("job.bin");
    int pending;
    long have;

    /* into a directory, the options gone before the first step: they were copied */
    scratch = o;
    CHECK_INT(plex_part_download_start(&j, P, part, dir, &scratch), 0);
    memset(&scratch, 0xA5, sizeof(scratch));
    REQUIRE(j != NULL);
    snprintf(name, sizeof(name), "%s/%s", dir, strrchr(part->file, '/') + 1);
    CHECK_STR(plex_download_job_path(j), name);
    CHECK_INT(run_job(j, &g, 0, &pending), 0);
    CHECK(pending > 0); /* it waited in the loop, never in the library */
    CHECK(is_prefix(name, ref_len));
    CHECK(file_size(partial_of(name)) < 0);
    CHECK_INT(g.last_bytes, (int64_t)ref_len);
    CHECK_INT(plex_download_step(j, &w), 0); /* done: the outcome again */
    plex_download_job_free(j);
    unlink(name);

    /* freed half-way: the partial file is a prefix, and the next download
     * resumes it (stopped after the first step that wrote something; should
     * one step have taken the whole file, the test tries again) */
    have = -1;
    for (int attempt = 0; attempt < 5 && have < 0; attempt++) {
        unlink(dest);
        unlink(partial_of(dest));
        o = opts(&g);
        CHECK_INT(plex_download_start(&j, P, part->key, dest, &o), 0);
        /* meanwhile the file is locked against a second download */
        CHECK_INT(plex_download_start(&twin, P, part->key, dest, &o), PLEX_EIO);
        CHECK(twin == NULL);
        if (run_job(j, &g, 1, &pending) == PLEX_EPENDING)
            have = (long)g.last_bytes;
        plex_download_job_free(j);
    }
    CHECK(have > 0);
    CHECK(file_size(partial_of(dest)) >= have);
    check_resumes(dest, have);

    /* an error comes out of a step, with its details */
    o = opts(&g);
    CHECK_INT(plex_download_start(&j, P, "/library/parts/999999999/1/file.jpg", dest, &o), 0);
    CHECK_INT(run_job(j, &g, 0, &pending), PLEX_ENOTFOUND);
    CHECK_INT(plex_download_job_last_error(j)->code, PLEX_ENOTFOUND);
    CHECK_INT(plex_download_job_last_error(j)->http_status, 404);
    CHECK_INT(plex_download_step(j, &w), PLEX_ENOTFOUND);
    plex_download_job_free(j);
    CHECK(file_size(dest) < 0);
    unlink(partial_of(dest));

    /* refused before anything starts */
    CHECK_INT(plex_download_start(&j, P, "no-slash", dest, NULL), PLEX_EINVALID);
    CHECK(j == NULL);
    CHECK_INT(plex_download_start(NULL, P, part->key, dest, NULL), PLEX_EINVALID);
    CHECK_INT(plex_part_download_start(&j, P, NULL, dest, NULL), PLEX_EINVALID);
    CHECK_INT(plex_download_step(NULL, &w), PLEX_EINVALID);
    CHECK(plex_download_job_path(NULL) == NULL);
    plex_download_job_free(NULL);
}

int main(void)
{
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    char cmd[300];

    signal(SIGPIPE, SIG_IGN);
    plex_global_init();
    sim_start_pms(&S, "--library-size", "20", NULL);
    C = flow_client(S.url, "test-pms-download");
    so.token = TOKEN;
    REQUIRE(plex_server_new(&P, C, S.pms_url, &so) == 0);
    setup();
    test_whole();
    test_cancel_resume();
    test_short_read();
    test_unresumable();
    test_size_mismatch();
    test_write_error_hook();
    test_full_disk();
    test_killed();
    test_range_not_honoured();
    test_errors();
    test_job();
    plex_container_free(item);
    plex_free(ref);
    plex_server_free(P);
    plex_client_free(C);
    sim_stop(&S);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    plex_global_cleanup();
    return test_summary("test_pms_download");
}

/*
 * Test helper: run plexsim as a child process on 127.0.0.1 (port 0), read
 * its LISTENING line, talk to its control endpoints, stop it.
 */
#ifndef PLEX_TEST_SIM_H
#define PLEX_TEST_SIM_H

#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct sim {
    pid_t pid;
    char url[128];     /* http://127.0.0.1:PORT or https://... */
    char pms_url[128]; /* sim_start_pms(): the emulated media server's base URL */
} sim;

/* Start plexsim with extra arguments; with want_pms, also read the second
 * line, "PMS <url>". Exits on failure. */
static inline void sim_startv(sim *s, int want_pms, const char *first, va_list ap)
{
    const char *argv[40];
    int argc = 0, pfd[2];
    FILE *f;
    char line[256];

    argv[argc++] = getenv("PLEXSIM") ? getenv("PLEXSIM") : "plexsim";
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--quiet";
    argv[argc++] = "--max-seconds";
    argv[argc++] = "300";
    for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *))
        argv[argc++] = a;
    argv[argc] = NULL;
    if (pipe(pfd) != 0) {
        perror("pipe");
        exit(1);
    }
    s->pid = fork();
    if (s->pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execv(argv[0], (char *const *)(void *)argv);
        perror("exec plexsim");
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "LISTENING ", 10) != 0) {
        fprintf(stderr, "plexsim did not start\n");
        exit(1);
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (strlen(line + 10) >= sizeof(s->url)) {
        fprintf(stderr, "plexsim URL too long\n");
        exit(1);
    }
    memcpy(s->url, line + 10, strlen(line + 10) + 1);
    s->pms_url[0] = '\0';
    if (want_pms) {
        if (!fgets(line, sizeof(line), f) || strncmp(line, "PMS ", 4) != 0 ||
            strlen(line + 4) >= sizeof(s->pms_url)) {
            fprintf(stderr, "plexsim printed no PMS line\n");
            exit(1);
        }
        line[strcspn(line, "\r\n")] = '\0';
        memcpy(s->pms_url, line + 4, strlen(line + 4) + 1);
    }
    fclose(f); /* plexsim prints nothing else with --quiet */
}

/* Start plexsim with extra arguments (NULL-terminated). Exits on failure. */
static inline void sim_start(sim *s, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    sim_startv(s, 0, first, ap);
    va_end(ap);
}

/* The same, and s->pms_url is the media server's base URL. */
static inline void sim_start_pms(sim *s, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    sim_startv(s, 1, first, ap);
    va_end(ap);
}

static inline void sim_stop(sim *s)
{
    int st;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, &st, 0);
        s->pid = 0;
    }
}

static size_t sim_collect(char *d, size_t size, size_t n, void *userp)
{
    char *buf = userp;
    size_t have = strlen(buf), len = size * n;
    if (have + len >= 65536)
        len = 65535 - have;
    memcpy(buf + have, d, len);
    buf[have + len] = '\0';
    return size * n;
}

/* A control request; returns the HTTP status, body in out (64 KiB) if given. */
static inline long sim_control(const sim *s, const char *method, const char *path_and_query,
                               char *out, const char *cafile)
{
    static char scratch[65536];
    char url[512];
    long status = 0;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "X-Plex-Client-Identifier: sim-control");

    if (!out)
        out = scratch;
    out[0] = '\0';
    snprintf(url, sizeof(url), "%s%s", s->url, path_and_query);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sim_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (cafile)
        curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

/* The integer after "key": in plexsim's /__sim/stats JSON (first match), or -1. */
static inline long sim_stat(const sim *s, const char *key, const char *cafile)
{
    static char body[65536];
    char pat[160];
    const char *p;

    if (sim_control(s, "GET", "/__sim/stats", body, cafile) != 200)
        return -1;
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(body, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

#endif

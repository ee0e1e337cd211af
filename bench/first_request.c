/*
 * bench_first_request PROG [ARGS...]: process start to first request
 * (issue 7, bench/sdk.sh). Listens on 127.0.0.1 (a free port), runs
 *
 *   PROG ARGS... http://127.0.0.1:PORT
 *
 * and prints
 *
 *   first_request_us T
 *
 * where T is the time from just before fork() to the moment the first bytes
 * of PROG's first HTTP request arrive on the listening socket (CLOCK_MONOTONIC,
 * both ends taken in this process, so no clock is compared across processes
 * and nothing in PROG is instrumented). T therefore holds everything a
 * program does before it can talk to plex.tv: exec, the dynamic loader (or
 * node's start-up), library and SDK initialisation, building the request and
 * connecting. PROG is then killed (SIGKILL): the rest of the sign-in is
 * measured by bench/signin.sh against plexsim. This stands in for plexsim
 * because plexsim keeps no request times; the first request is the same
 * POST /api/v2/pins either way.
 *
 * Exit status 0, 1 when PROG sent nothing within 30 s or failed, 2 usage.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Wait up to ms for fd to be readable; 1 readable, 0 timeout, -1 error. */
static int wait_readable(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, ms);
    return n < 0 ? -1 : n > 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa = {0};
    socklen_t salen = sizeof(sa);
    char url[64], buf[4096], *args[MAX_ARGS + 2];
    long long t0, t1 = -1;
    int lfd, cfd = -1, st, rc = 1;
    pid_t pid;

    if (argc < 2 || argc > MAX_ARGS) {
        fprintf(stderr, "usage: %s PROG [ARGS...]   (PROG gets the URL as its last argument)\n",
                argv[0]);
        return 2;
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 8) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &salen) != 0) {
        perror("bench_first_request: listen");
        return 1;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    for (int i = 1; i < argc; i++)
        args[i - 1] = argv[i];
    args[argc - 1] = url;
    args[argc] = NULL;

    fflush(stdout);
    t0 = now_us();
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(lfd);
        execv(args[0], args);
        perror(args[0]);
        _exit(127);
    }
    /* the first connection, then its first bytes */
    if (wait_readable(lfd, 30000) == 1 && (cfd = accept(lfd, NULL, NULL)) >= 0 &&
        wait_readable(cfd, 30000) == 1 && recv(cfd, buf, sizeof(buf), 0) > 0)
        t1 = now_us();
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    if (cfd >= 0)
        close(cfd);
    close(lfd);
    if (t1 < 0) {
        fprintf(stderr, "bench_first_request: %s sent no request\n", args[0]);
    } else {
        printf("first_request_us %lld\n", t1 - t0);
        rc = 0;
    }
    return rc;
}

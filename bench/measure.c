/*
 * bench_measure PROG [ARGS...]: run PROG, then print
 *
 *   wall_us W maxrss_kib M
 *
 * on stdout after PROG's own output: W is the wall time from fork to exit
 * (CLOCK_MONOTONIC), M the child's peak resident set (getrusage
 * RUSAGE_CHILDREN, the same number as /usr/bin/time's %M). Exits with PROG's
 * status (128+N when killed by signal N, 127 when it could not be run).
 * Used by bench/signin.sh.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    pid_t pid;
    int st;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PROG [ARGS...]\n", argv[0]);
        return 2;
    }
    fflush(stdout);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 127;
    }
    if (pid == 0) {
        execv(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) != pid) {
        perror("waitpid");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
        perror("getrusage");
        return 127;
    }
    printf("wall_us %lld maxrss_kib %ld\n",
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000,
           ru.ru_maxrss);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 127;
}

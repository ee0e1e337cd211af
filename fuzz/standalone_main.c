/*
 * Replays fuzz inputs without libFuzzer, so a gcc build runs every corpus as
 * a regression test (ctest fuzz_replay_<name>). Model: libgit2
 * fuzzers/standalone_driver.c.
 *
 * Usage: <name>_replay PATH...   (each PATH is a file or a directory whose
 * regular files are replayed in name order)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional hook a target may define; the weak reference keeps it optional. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t cap = 0, len = 0;

    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        size_t n;
        if (len == cap) {
            uint8_t *p;
            cap = cap ? cap * 2 : 4096;
            p = realloc(data, cap);
            if (!p) {
                fprintf(stderr, "%s: out of memory\n", path);
                free(data);
                fclose(f);
                return -1;
            }
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        perror(path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    /* Hand over an exact-size copy, so that ASan/valgrind see a read past
     * the end of the input, as libFuzzer would. */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(data);
            return -1;
        }
        if (len)
            memcpy(exact, data, len);
        free(data);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular file of a directory in name order; returns the count or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    long count = 0;

    if (!d) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **p;
            cap = cap ? cap * 2 : 64;
            p = realloc(names, cap * sizeof(*names));
            if (!p)
                break;
            names = p;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!names[n])
            break;
        snprintf(names[n], strlen(dir) + strlen(e->d_name) + 2, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (count >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) == 0)
                count++;
            else
                count = -1;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            n = run_dir(argv[i]);
        } else {
            n = run_file(argv[i]) == 0 ? 1 : -1;
        }
        if (n < 0)
            return 1;
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "%s: no inputs found\n", argv[0]);
        return 1;
    }
    printf("%s: replayed %ld input(s) without a crash\n", argv[0], total);
    return 0;
}

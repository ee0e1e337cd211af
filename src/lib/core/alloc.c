#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#include "plex/common.h"

/* Test-only state. Nothing is written unless a test called
 * plex__alloc_fail_at(), so programs using the library from several threads
 * never race on it. */
static int armed;
static unsigned long fail_at;
static unsigned long count;

static int should_fail(void)
{
    if (!armed)
        return 0;
    count++;
    return fail_at != 0 && count == fail_at;
}

void plex__alloc_fail_at(unsigned long n)
{
    armed = 1;
    fail_at = n;
    count = 0;
}

unsigned long plex__alloc_count(void)
{
    return count;
}

void *plex__malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *plex__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *plex__realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void plex__free(void *ptr)
{
    free(ptr);
}

char *plex__strndup(const char *s, size_t n)
{
    char *p = plex__malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *plex__strdup(const char *s)
{
    return plex__strndup(s, strlen(s));
}

void plex_free(void *ptr)
{
    free(ptr);
}

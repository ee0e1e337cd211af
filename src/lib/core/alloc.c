#include "alloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "plex/common.h"

/* Test-only state. Nothing is written unless a test called
 * plex__alloc_fail_at(), so programs using the library from several threads
 * never race on it. */
static int armed;
static unsigned long fail_at;
static unsigned long count;
static int tracking;
static size_t live, peak;

void plex__alloc_track(int on)
{
    tracking = on;
    live = peak = 0;
}

size_t plex__alloc_live_bytes(void)
{
    return live;
}

size_t plex__alloc_peak_bytes(void)
{
    return peak;
}

void plex__alloc_reset_peak(void)
{
    peak = live;
}

/* Count a block that came or went (tracking only). A block allocated before
 * tracking began and freed during it is not counted below zero. */
static void *took(void *p)
{
    if (tracking && p) {
        live += malloc_usable_size(p);
        if (live > peak)
            peak = live;
    }
    return p;
}

static void gave(void *p)
{
    if (tracking && p) {
        size_t n = malloc_usable_size(p);
        live = n < live ? live - n : 0;
    }
}

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
    return took(malloc(size ? size : 1));
}

void *plex__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return took(calloc(n ? n : 1, size ? size : 1));
}

void *plex__realloc(void *ptr, size_t size)
{
    void *p;

    if (should_fail())
        return NULL;
    if (!tracking)
        return realloc(ptr, size ? size : 1);
    {
        size_t before = ptr ? malloc_usable_size(ptr) : 0;
        if (!(p = realloc(ptr, size ? size : 1)))
            return NULL;
        live = before < live ? live - before : 0;
    }
    return took(p);
}

void plex__free(void *ptr)
{
    gave(ptr);
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
    gave(ptr);
    free(ptr);
}

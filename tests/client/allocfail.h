/*
 * Test helper shared by the allocation-failure tests (test_alloc_signin: the
 * sign-in; test_alloc_pms: the media server): fail the Nth allocation of
 * libplex (plex__alloc_fail_at, src/lib/core/alloc.c) or of libcurl, and
 * tally what each failure point led to.
 *
 * libcurl's allocations go through counting hooks that alloc_curl_hooks()
 * installs with curl_global_init_mem() before plex_global_init() (which then
 * only takes a reference). The hooks also count libcurl's live allocations
 * (alloc_curl_live), so a run that leaves any behind is caught even without
 * a leak checker. Not covered: OpenSSL's own allocations (libssl/libcrypto
 * have their own allocator, which libplex cannot see) and the C library's.
 */
#ifndef PLEX_TEST_ALLOCFAIL_H
#define PLEX_TEST_ALLOCFAIL_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "test.h"

/* ---- libcurl's allocator hooks ---- */

static int alloc_curl_armed;             /* count and maybe fail */
static unsigned long alloc_curl_count;   /* allocations since arming */
static unsigned long alloc_curl_fail_at; /* 0: none */
static long alloc_curl_live;             /* libcurl's allocations not yet freed (always counted) */

static inline int alloc_curl_should_fail(void)
{
    if (!alloc_curl_armed)
        return 0;
    alloc_curl_count++;
    return alloc_curl_fail_at != 0 && alloc_curl_count == alloc_curl_fail_at;
}

static void *alloc_hook_malloc(size_t n)
{
    void *p = alloc_curl_should_fail() ? NULL : malloc(n);
    if (p)
        alloc_curl_live++;
    return p;
}

static void alloc_hook_free(void *p)
{
    if (p)
        alloc_curl_live--;
    free(p);
}

static void *alloc_hook_realloc(void *p, size_t n)
{
    void *q;
    if (alloc_curl_should_fail())
        return NULL;
    q = realloc(p, n);
    if (q && !p)
        alloc_curl_live++;
    return q;
}

static char *alloc_hook_strdup(const char *s)
{
    char *p = alloc_curl_should_fail() ? NULL : strdup(s);
    if (p)
        alloc_curl_live++;
    return p;
}

static void *alloc_hook_calloc(size_t n, size_t size)
{
    void *p = alloc_curl_should_fail() ? NULL : calloc(n, size);
    if (p)
        alloc_curl_live++;
    return p;
}

/* Route libcurl's allocations through the hooks: before anything else
 * touches libcurl (plex_global_init() included). */
static inline void alloc_curl_hooks(void)
{
    REQUIRE(curl_global_init_mem(CURL_GLOBAL_DEFAULT, alloc_hook_malloc, alloc_hook_free,
                                 alloc_hook_realloc, alloc_hook_strdup,
                                 alloc_hook_calloc) == CURLE_OK);
}

/* ---- arming ---- */

/* Which allocations a sweep fails. */
enum { SWEEP_PLEX, SWEEP_CURL };

static int alloc_sweep;            /* the sweep armed */
static unsigned long alloc_target; /* the allocation that fails (0: none) */
static unsigned long alloc_before; /* allocations counted before a pause */

/* Fail the nth allocation of the sweep's library from now (0: count only). */
static inline void alloc_arm(int sweep, unsigned long n)
{
    alloc_sweep = sweep;
    alloc_target = n;
    alloc_before = 0;
    if (sweep == SWEEP_PLEX) {
        plex__alloc_fail_at(n);
    } else {
        plex__alloc_fail_at(0); /* counts, never fails */
        alloc_curl_armed = 1;
        alloc_curl_count = 0;
        alloc_curl_fail_at = n;
    }
}

/* Stop failing; the allocations the sweep's library made since arming
 * (pauses left out). */
static inline unsigned long alloc_disarm(int sweep)
{
    unsigned long n = alloc_before + (sweep == SWEEP_PLEX ? plex__alloc_count() : alloc_curl_count);
    plex__alloc_fail_at(0);
    alloc_curl_armed = 0;
    alloc_curl_fail_at = 0;
    alloc_target = alloc_before = 0;
    return n;
}

/* Leave the test's own work out of an armed run (a request that makes the
 * server do something the operation under test must notice): nothing fails
 * or counts until alloc_resume(). */
static inline void alloc_pause(void)
{
    alloc_before += alloc_sweep == SWEEP_PLEX ? plex__alloc_count() : alloc_curl_count;
    plex__alloc_fail_at(0);
    alloc_curl_armed = 0;
}

/* Go on counting (and failing the armed allocation, if not reached yet). */
static inline void alloc_resume(void)
{
    unsigned long left = alloc_target > alloc_before ? alloc_target - alloc_before : 0;

    if (alloc_sweep == SWEEP_PLEX) {
        plex__alloc_fail_at(left);
    } else {
        alloc_curl_armed = 1;
        alloc_curl_count = 0;
        alloc_curl_fail_at = left;
    }
}

/* ---- the tally of outcomes ---- */

typedef struct alloc_tally {
    char what[64];
    unsigned long count;
} alloc_tally;

/* Count one more `what` in t[0..*n) (a new entry while there is room). */
static inline void alloc_tally_add(alloc_tally *t, size_t cap, size_t *n, const char *what)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if (strcmp(t[i].what, what) == 0) {
            t[i].count++;
            return;
        }
    }
    if (*n < cap) {
        snprintf(t[*n].what, sizeof(t[*n].what), "%s", what);
        t[(*n)++].count = 1;
    }
}

static inline long alloc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif

/*
 * All allocation in the library goes through these functions, so a test can
 * fail the Nth allocation (plex__alloc_fail_at) and check that nothing leaks
 * or crashes.
 */
#ifndef PLEX_ALLOC_H
#define PLEX_ALLOC_H

#include <stddef.h>

void *plex__malloc(size_t size);
void *plex__calloc(size_t n, size_t size);
void *plex__realloc(void *ptr, size_t size);
void plex__free(void *ptr);
char *plex__strndup(const char *s, size_t n);
char *plex__strdup(const char *s);

/*
 * Test-only: make the Nth allocation from now fail (1 = the next one);
 * 0 turns failure injection off. plex__alloc_count() tells how many
 * allocations were made since the last call to plex__alloc_fail_at().
 * Not thread-safe; meant for single-threaded tests.
 */
void plex__alloc_fail_at(unsigned long n);
unsigned long plex__alloc_count(void);

/*
 * Test-only: count the bytes the library holds (its own allocations, as the
 * C library sized them) from now on: live now, and the peak since the last
 * reset. For the memory-bound tests (a listing of 50,000 items must hold no
 * more than one of 1,000). Off by default; not thread-safe.
 */
void plex__alloc_track(int on);
size_t plex__alloc_live_bytes(void);
size_t plex__alloc_peak_bytes(void);
void plex__alloc_reset_peak(void);

#endif

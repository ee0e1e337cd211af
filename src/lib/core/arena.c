#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

#define ALIGN alignof(max_align_t)
#define ROUND_UP(n) (((n) + (ALIGN - 1)) & ~(size_t)(ALIGN - 1))

typedef plex__arena_block block;

#define ARENA_HDR ROUND_UP(sizeof(struct plex__arena))
#define MIN_BLOCK 1024
#define MAX_BLOCK ((size_t)1024 * 1024)

void *plex__arena_new(size_t root_size, size_t extra)
{
    size_t root = ROUND_UP(root_size);
    struct plex__arena *a;

    if (root < root_size || extra > SIZE_MAX - ARENA_HDR - root)
        return NULL;
    a = plex__malloc(ARENA_HDR + root + extra);
    if (!a)
        return NULL;
    memset(a, 0, ARENA_HDR + root);
    a->cur.data = (char *)a + ARENA_HDR + root;
    a->cur.cap = extra;
    a->cur.used = 0;
    a->chain = NULL;
    return (char *)a + ARENA_HDR;
}

plex__arena *plex__arena_of(void *root)
{
    return (plex__arena *)(void *)((char *)root - ARENA_HDR);
}

static void *alloc_aligned(plex__arena *a, size_t n, size_t align)
{
    size_t off = (a->cur.used + (align - 1)) & ~(align - 1);
    block *b;
    size_t cap;

    if (off <= a->cur.cap && n <= a->cur.cap - off) {
        a->cur.used = off + n;
        return a->cur.data + off;
    }
    /* a new block, twice the last one (up to MAX_BLOCK) so that a large
     * result takes few blocks; the old one stays reachable through the chain */
    cap = a->cur.cap < MAX_BLOCK / 2 ? 2 * a->cur.cap : MAX_BLOCK;
    if (cap < MIN_BLOCK)
        cap = MIN_BLOCK;
    if (cap < n)
        cap = n;
    if (cap > SIZE_MAX - ROUND_UP(sizeof(block)))
        return NULL;
    b = plex__malloc(ROUND_UP(sizeof(block)) + cap);
    if (!b)
        return NULL;
    b->next = a->chain;
    a->chain = b;
    a->cur.data = (char *)b + ROUND_UP(sizeof(block));
    a->cur.cap = cap;
    a->cur.used = n;
    return a->cur.data;
}

void *plex__arena_alloc(plex__arena *a, size_t n)
{
    void *p = alloc_aligned(a, n, ALIGN);
    if (p)
        memset(p, 0, n);
    return p;
}

char *plex__arena_alloc_bytes_slow(plex__arena *a, size_t n)
{
    return alloc_aligned(a, n, 1);
}

void plex__arena_rewind(plex__arena *a, const plex__arena_mark *m)
{
    while (a->chain && a->chain != m->chain) {
        block *next = a->chain->next;
        plex__free(a->chain);
        a->chain = next;
    }
    a->cur = m->cur;
}

void plex__arena_free_root(void *root)
{
    plex__arena *a;
    block *b;

    if (!root)
        return;
    a = plex__arena_of(root);
    b = a->chain;
    while (b) {
        block *next = b->next;
        plex__free(b);
        b = next;
    }
    plex__free(a);
}

/*
 * A result object and everything it points to live in one arena: a chain of
 * blocks whose first block starts with the arena header and the root object.
 * Sized well, a decode makes exactly one allocation; plex__arena_free_root()
 * frees it all from the root pointer the caller holds.
 */
#ifndef PLEX_ARENA_H
#define PLEX_ARENA_H

#include <stddef.h>

typedef struct plex__arena_block {
    struct plex__arena_block *next; /* older blocks, freed with the arena */
    char *data;
    size_t cap;
    size_t used;
} plex__arena_block;

typedef struct plex__arena {
    plex__arena_block cur;    /* the block being filled */
    plex__arena_block *chain; /* blocks allocated later, newest first */
} plex__arena;

/* Allocate a new arena whose first block has room for a zeroed root object of
 * root_size bytes plus `extra` bytes. Returns the root object, or NULL. */
void *plex__arena_new(size_t root_size, size_t extra);

/* The arena that owns a root object returned by plex__arena_new(). */
plex__arena *plex__arena_of(void *root);

/* n bytes aligned for any object, or NULL (out of memory). */
void *plex__arena_alloc(plex__arena *a, size_t n);

/* n bytes with no alignment, from a new block (the slow path), or NULL. */
char *plex__arena_alloc_bytes_slow(plex__arena *a, size_t n);

/* n bytes with no alignment (for strings), or NULL. */
static inline char *plex__arena_alloc_bytes(plex__arena *a, size_t n)
{
    if (n <= a->cur.cap - a->cur.used) {
        char *p = a->cur.data + a->cur.used;
        a->cur.used += n;
        return p;
    }
    return plex__arena_alloc_bytes_slow(a, n);
}

/* A point in an arena's life: what plex__arena_rewind() goes back to. */
typedef struct plex__arena_mark {
    plex__arena_block cur;
    plex__arena_block *chain;
} plex__arena_mark;

static inline plex__arena_mark plex__arena_save(const plex__arena *a)
{
    plex__arena_mark m;
    m.cur = a->cur;
    m.chain = a->chain;
    return m;
}

/* Forget everything allocated since `m` (blocks added since are freed): a
 * failed decode attempt or a page of items that is done with. */
void plex__arena_rewind(plex__arena *a, const plex__arena_mark *m);

/* Free the arena of a root object; NULL does nothing. */
void plex__arena_free_root(void *root);

#endif

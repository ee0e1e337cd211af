/*
 * The paging decisions of a listing, without I/O (so they can be fuzzed
 * against servers whose pages disagree with each other): what to ask for
 * next, and for each item of a page whether to return it, skip it or stop.
 * listing.c does the requests and the decoding around it.
 *
 * Positions are absolute indices in the server's list. After the first page
 * every page is asked from one item before the end of the last one
 * (`overlap`): that item must be the last one returned, which tells that
 * nothing moved before the walk's position. When it is not, the pager
 * searches for the last returned item in that page, then in the page before
 * it, and goes on after it (plex/pms/server.h, plex_listing_new()).
 */
#ifndef PLEX_PMS_PAGER_H
#define PLEX_PMS_PAGER_H

#include <stddef.h>

#define PLEX__PAGER_ID_MAX 96 /* bytes of an item's identity kept */

typedef enum plex__pager_verdict {
    PLEX__PAGER_RETURN = 0, /* give the item to the caller */
    PLEX__PAGER_SKIP,       /* not for the caller (before the start, already returned) */
    PLEX__PAGER_STOP        /* the limit is reached: end the page and the walk */
} plex__pager_verdict;

typedef struct plex__pager {
    /* settings */
    size_t page_size;
    size_t limit; /* 0: no limit */
    int paging;   /* 0: one request without paging */

    /* the page asked for */
    size_t ask_start, ask_size;
    int asked;            /* a page was asked and not ended yet */
    size_t page_base;     /* absolute index of the page's first item */
    size_t page_seen;     /* items of this page seen so far */
    size_t page_returned; /* items of this page returned */
    int searching;        /* 1: skipping until the last returned item shows up */
    int searched_back;    /* the search already looked a page back at this position */
    int resolved;         /* the search found the last returned item in this page */
    int stalls;           /* pages in a row that returned nothing */

    /* the walk */
    size_t next;     /* absolute index of the item after the last returned one */
    size_t returned; /* items returned so far */
    size_t pages;    /* pages ended */
    long long total; /* the last totalSize, or -1 */
    int changed;     /* the list changed during the walk */
    int done;
    char last_id[PLEX__PAGER_ID_MAX]; /* identity of the last returned item ("" none) */
    int have_last;
    size_t guard_next; /* next and returned when the last normal page was asked */
    size_t guard_returned;
    int guard_set;
} plex__pager;

/* A pager for items from `start`, pages of page_size (0: 200), at most
 * `limit` items (0: all); paging 0 makes one plain request. */
void plex__pager_init(plex__pager *p, size_t start, size_t page_size, size_t limit, int paging);

/* The next page to ask for: 1 with *start and *size (size 0 = no paging
 * headers), or 0 when the walk is over. */
int plex__pager_next_page(plex__pager *p, size_t *start, size_t *size);

/* The page's own attributes as they become known: its offset (-1 if the
 * answer has none) and totalSize (-1 if none). Call before its first item. */
void plex__pager_page_attrs(plex__pager *p, long long offset, long long total);

/* One item of the page, in order, with its identity (NULL or "" when it has
 * none: it cannot be recognised later). */
plex__pager_verdict plex__pager_item(plex__pager *p, const char *id);

/* The page ended (all its items were seen, or the walk stopped) with its
 * final totalSize (-1 if none). */
void plex__pager_page_end(plex__pager *p, long long total);

#endif

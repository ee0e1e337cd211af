/*
 * The paging decisions of a listing (pager.h): pure state, no I/O.
 */
#include <string.h>

#include "pager.h"

#define DEFAULT_PAGE 200
#define MAX_STALLS 4 /* pages in a row that return nothing */

void plex__pager_init(plex__pager *p, size_t start, size_t page_size, size_t limit, int paging)
{
    memset(p, 0, sizeof(*p));
    p->page_size = page_size ? page_size : DEFAULT_PAGE;
    p->limit = limit;
    p->paging = paging;
    p->next = start;
    p->total = -1;
}

/* The item's identity matches the last returned one. */
static int is_last(const plex__pager *p, const char *id)
{
    return p->have_last && id && *id && strncmp(id, p->last_id, sizeof(p->last_id) - 1) == 0;
}

static void note_total(plex__pager *p, long long total)
{
    if (total < 0)
        return;
    if (p->total >= 0 && total != p->total)
        p->changed = 1;
    p->total = total;
}

int plex__pager_next_page(plex__pager *p, size_t *start, size_t *size)
{
    size_t s, n;

    if (p->done || p->asked)
        return 0;
    if (!p->paging) {
        if (p->pages > 0) {
            p->done = 1;
            return 0;
        }
        s = 0;
        n = 0;
    } else if (p->searching) {
        /* the last returned item was not in the page from next - 1: items
         * were removed before it, so it moved down; look one page back */
        size_t at = p->next ? p->next - 1 : 0;
        s = at > p->page_size ? at - p->page_size : 0;
        n = at - s + 1;
        p->searched_back = 1;
    } else {
        if (p->limit && p->returned >= p->limit) {
            p->done = 1;
            return 0;
        }
        if (p->pages > 0 && p->total >= 0 && p->next >= (size_t)p->total) {
            p->done = 1;
            return 0;
        }
        if (p->have_last && p->next > 0) { /* overlap by the last returned item */
            s = p->next - 1;
            n = p->page_size + 1;
        } else {
            s = p->next;
            n = p->page_size;
        }
        /* never the same page twice in a row: something must have been
         * returned, or the position moved, since the last one was asked */
        if (p->guard_set && p->returned == p->guard_returned && p->next == p->guard_next) {
            p->changed = 1;
            p->done = 1;
            return 0;
        }
        p->guard_next = p->next;
        p->guard_returned = p->returned;
        p->guard_set = 1;
    }
    p->ask_start = s;
    p->ask_size = n;
    p->asked = 1;
    p->page_base = s;
    p->page_seen = 0;
    p->page_returned = 0;
    p->resolved = 0;
    *start = s;
    *size = n;
    return 1;
}

void plex__pager_page_attrs(plex__pager *p, long long offset, long long total)
{
    /* a server that ignores the start says where its page really starts */
    if (offset >= 0 && p->page_seen == 0)
        p->page_base = (size_t)offset;
    note_total(p, total);
}

plex__pager_verdict plex__pager_item(plex__pager *p, const char *id)
{
    size_t at = p->page_base + p->page_seen;
    int first = p->page_seen == 0;

    p->page_seen++;
    if (p->limit && p->returned >= p->limit)
        return PLEX__PAGER_STOP;
    if (p->searching) {
        if (is_last(p, id)) {
            p->searching = 0;
            p->resolved = 1;
            p->next = at + 1;
        }
        return PLEX__PAGER_SKIP;
    }
    if (first && p->paging && p->have_last && p->ask_start + 1 == p->next && at == p->ask_start) {
        /* the overlap: it must be the last item returned */
        if (is_last(p, id) || !id || !*id)
            return PLEX__PAGER_SKIP;
        p->changed = 1;
        p->searching = 1;
        return PLEX__PAGER_SKIP;
    }
    if (at < p->next)
        return PLEX__PAGER_SKIP; /* before the walk's position */
    p->returned++;
    p->page_returned++;
    p->stalls = 0;
    p->next = at + 1;
    p->searched_back = 0;
    p->have_last = id && *id;
    if (p->have_last) {
        size_t n = strnlen(id, sizeof(p->last_id) - 1);
        memcpy(p->last_id, id, n);
        p->last_id[n] = '\0';
    }
    return PLEX__PAGER_RETURN;
}

void plex__pager_page_end(plex__pager *p, long long total)
{
    int resolved = p->resolved; /* the search found the last item in this page */

    p->resolved = 0;
    p->asked = 0;
    p->pages++;
    note_total(p, total);
    /* pages that return nothing while searching: a server whose pages keep
     * disagreeing must not keep the walk going round */
    if (p->page_returned == 0 && ++p->stalls > MAX_STALLS) {
        p->changed = 1;
        p->done = 1;
        return;
    }
    if (p->searching) {
        if (!p->searched_back)
            return; /* look a page back next */
        /* not found a page back either: it was removed. Go on from the same
         * index, without an overlap to check (items may have been missed). */
        p->searching = 0;
        p->have_last = 0;
        p->guard_set = 0;
        return;
    }
    if (resolved && p->page_returned == 0)
        return; /* the next page starts from the corrected position */
    if (!p->paging || (p->limit && p->returned >= p->limit) || p->page_seen == 0 ||
        p->page_seen < p->ask_size || p->page_seen > p->ask_size || p->page_returned == 0 ||
        (p->total >= 0 && p->next >= (size_t)p->total))
        p->done = 1;
}

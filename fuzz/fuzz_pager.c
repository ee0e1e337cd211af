/*
 * Fuzz target for a listing's paging decisions (src/lib/pms/pager.c): the
 * input scripts a server whose list changes between pages, which may ignore
 * the start or the size, leave out its offset or totalSize, or lie about
 * the total. Laws checked:
 *   - the walk always ends, after a bounded number of pages;
 *   - with an honest server whose list does not change, exactly the list is
 *     returned, once each, in order, and no change is reported;
 *   - whatever the server does, an item is never returned twice while the
 *     list has not changed, and the limit is never exceeded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_check.h"
#include "pms/pager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 512

typedef struct script {
    const uint8_t *d;
    size_t n, at;
} script;

static unsigned next_byte(script *s)
{
    return s->at < s->n ? s->d[s->at++] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    script sc = {data, size, 0};
    int ids[MAXN], seen[MAXN * 4];
    size_t n, page, start, limit, st, sz, returned = 0, pages = 0, nseen = 0;
    int next_id, paging, honest = 1, changed_list = 0, dup_while_stable = 0;
    plex__pager p;
    char id[24];

    n = next_byte(&sc) + (next_byte(&sc) & 1) * 256;
    if (n > MAXN)
        n = MAXN;
    page = (next_byte(&sc) % 64) + 1;
    start = next_byte(&sc) % 16 == 0 ? next_byte(&sc) : 0;
    limit = next_byte(&sc) % 8 == 0 ? next_byte(&sc) : 0;
    paging = next_byte(&sc) % 16 != 0;
    for (size_t i = 0; i < n; i++)
        ids[i] = (int)i;
    next_id = (int)n;

    plex__pager_init(&p, start, page, limit, paging);
    while (plex__pager_next_page(&p, &st, &sz)) {
        unsigned how = next_byte(&sc);
        size_t from = st, to;
        long long total = (long long)n;
        int say_offset = 1, say_total = 1;

        FUZZ_CHECK(++pages <= 4 * (MAXN + 16), "the walk does not end");
        /* the list may change before this page */
        if (how & 1) {
            unsigned what = next_byte(&sc), k = next_byte(&sc) % 8 + 1, at = next_byte(&sc);
            if ((what & 1) && n + k <= MAXN) { /* insert k items at `at` */
                size_t pos = n ? at % (n + 1) : 0;
                memmove(ids + pos + k, ids + pos, (n - pos) * sizeof(int));
                for (unsigned i = 0; i < k; i++)
                    ids[pos + i] = next_id++;
                n += k;
            } else if (n > 0) { /* remove up to k items at `at` */
                size_t pos = at % n, m = k < n - pos ? k : n - pos;
                memmove(ids + pos, ids + pos + m, (n - pos - m) * sizeof(int));
                n -= m;
            }
            changed_list = 1;
            total = (long long)n;
        }
        /* and the server may misbehave */
        if (how & 2) {
            honest = 0;
            if (how & 4)
                from = 0; /* ignores the start */
            if (how & 8)
                sz = 0; /* ignores the size */
            say_offset = !(how & 16);
            say_total = !(how & 32);
            if (how & 64)
                total += (long long)(next_byte(&sc) % 64) - 32;
        }
        if (!paging)
            sz = 0;
        if (from > n)
            from = n;
        to = sz == 0 || from + sz > n ? n : from + sz;
        plex__pager_page_attrs(&p, say_offset ? (long long)from : -1, say_total ? total : -1);
        for (size_t i = from; i < to; i++) {
            plex__pager_verdict v;
            snprintf(id, sizeof(id), "%d", ids[i]);
            v = plex__pager_item(&p, id);
            if (v == PLEX__PAGER_STOP)
                break;
            if (v != PLEX__PAGER_RETURN)
                continue;
            returned++;
            FUZZ_CHECK(!limit || returned <= limit, "more items than the limit");
            for (size_t j = 0; j < nseen; j++)
                if (seen[j] == ids[i] && !changed_list)
                    dup_while_stable = 1;
            if (nseen < sizeof(seen) / sizeof(seen[0]))
                seen[nseen++] = ids[i];
        }
        plex__pager_page_end(&p, say_total ? total : -1);
    }
    FUZZ_CHECK(!dup_while_stable || !honest, "an item returned twice from an honest, stable list");
    if (honest && !changed_list) {
        size_t want = start < n ? n - start : 0;
        if (limit && want > limit)
            want = limit;
        FUZZ_CHECK(returned == want, "an honest, stable list was not returned exactly");
        for (size_t i = 0; i < nseen; i++)
            FUZZ_CHECK(seen[i] == (int)(start + i), "items out of order");
        FUZZ_CHECK(!p.changed, "a change reported on a stable list");
    }
    return 0;
}

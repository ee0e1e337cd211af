/*
 * The paging decisions of a listing (src/lib/pms/pager.c) against a
 * simulated server whose list can change between pages, which can ignore
 * paging or the start, and whose pages can contradict each other: every walk
 * ends, nothing is returned twice, nothing still there is skipped, and a
 * change is flagged.
 */
#include <stdio.h>

#include "pms/pager.h"
#include "test.h"

#define MAXN 4096

/* The server's list: ids as numbers, shown as "id<N>". */
typedef struct server {
    int ids[MAXN];
    size_t n;
    int ignore_paging; /* answer the whole list */
    int ignore_start;  /* answer from 0, saying offset=0 */
    int no_offset;     /* say no offset attribute */
    int no_total;      /* say no totalSize */
    int lie_total;     /* add this to totalSize */
    /* called before each page is served (after `page` pages): change the list */
    void (*mutate)(struct server *s, size_t page);
    size_t served;
} server;

typedef struct walk {
    int got[MAXN * 2];
    size_t n;
    size_t pages;
    int changed;
} walk;

static void fill(server *s, size_t n)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < n; i++)
        s->ids[i] = (int)i;
    s->n = n;
}

static void run(server *s, walk *w, size_t start, size_t page, size_t limit, int paging)
{
    plex__pager p;
    size_t st, sz;
    char id[32];

    memset(w, 0, sizeof(*w));
    plex__pager_init(&p, start, page, limit, paging);
    while (plex__pager_next_page(&p, &st, &sz)) {
        size_t from = st, to;
        REQUIRE(w->pages++ < 10000); /* the walk must end */
        if (s->mutate)
            s->mutate(s, s->served);
        s->served++;
        if (s->ignore_paging || sz == 0) {
            from = 0;
            to = s->n;
        } else {
            if (s->ignore_start)
                from = 0;
            to = from + sz < s->n ? from + sz : s->n;
            if (from > s->n)
                from = s->n;
        }
        plex__pager_page_attrs(&p, s->no_offset ? -1 : (long long)from,
                               s->no_total ? -1 : (long long)s->n + s->lie_total);
        for (size_t i = from; i < to; i++) {
            plex__pager_verdict v;
            snprintf(id, sizeof(id), "id%d", s->ids[i]);
            v = plex__pager_item(&p, id);
            if (v == PLEX__PAGER_RETURN) {
                REQUIRE(w->n < MAXN * 2);
                w->got[w->n++] = s->ids[i];
            } else if (v == PLEX__PAGER_STOP) {
                break;
            }
        }
        plex__pager_page_end(&p, s->no_total ? -1 : (long long)s->n + s->lie_total);
    }
    w->changed = p.changed;
}

/* got[] is exactly ids first..first+n-1 in order */
static int exactly(const walk *w, int first, size_t n)
{
    if (w->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (w->got[i] != first + (int)i)
            return 0;
    return 1;
}

static int no_duplicates(const walk *w)
{
    for (size_t i = 0; i < w->n; i++)
        for (size_t j = i + 1; j < w->n; j++)
            if (w->got[i] == w->got[j])
                return 0;
    return 1;
}

static int contains(const walk *w, int id)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->got[i] == id)
            return 1;
    return 0;
}

static void test_plain(void)
{
    server s;
    walk w;
    size_t sizes[] = {0, 1, 199, 200, 201, 399, 400, 401, 1000};

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        fill(&s, sizes[k]);
        run(&s, &w, 0, 200, 0, 1);
        CHECK(exactly(&w, 0, sizes[k]));
        CHECK_INT(w.changed, 0);
        /* one page per 200, plus one when the last page is exactly full */
        CHECK(w.pages <= sizes[k] / 200 + 1);
    }
    /* page size 1: every page is the overlap item plus one */
    fill(&s, 5);
    run(&s, &w, 0, 1, 0, 1);
    CHECK(exactly(&w, 0, 5));
    /* no totalSize: ends on the short page */
    fill(&s, 450);
    s.no_total = 1;
    run(&s, &w, 0, 200, 0, 1);
    CHECK(exactly(&w, 0, 450));
    CHECK_INT(w.pages, 3);
}

static void test_start_and_limit(void)
{
    server s;
    walk w;

    fill(&s, 1000);
    run(&s, &w, 250, 100, 0, 1);
    CHECK(exactly(&w, 250, 750));
    run(&s, &w, 0, 100, 150, 1);
    CHECK(exactly(&w, 0, 150));
    CHECK_INT(w.pages, 2);
    run(&s, &w, 990, 100, 50, 1);
    CHECK(exactly(&w, 990, 10));
    run(&s, &w, 2000, 100, 0, 1); /* past the end */
    CHECK(exactly(&w, 0, 0));
    CHECK_INT(w.pages, 1);
    /* no paging: one request, the start and limit applied by index */
    run(&s, &w, 10, 0, 5, 0);
    CHECK(exactly(&w, 10, 5));
    CHECK_INT(w.pages, 1);
}

static void test_server_ignores_paging(void)
{
    server s;
    walk w;

    fill(&s, 700);
    s.ignore_paging = 1;
    run(&s, &w, 0, 200, 0, 1);
    CHECK(exactly(&w, 0, 700));
    CHECK_INT(w.pages, 1);
    /* it ignores the start but says so with offset=0: items before are skipped */
    fill(&s, 700);
    s.ignore_start = 1;
    run(&s, &w, 0, 200, 0, 1);
    CHECK(w.n >= 200 && exactly(&w, 0, w.n)); /* what it serves, once, in order */
    CHECK(w.pages < 10);
    /* ... and does not say so: the walk still ends, nothing twice */
    fill(&s, 700);
    s.ignore_start = 1;
    s.no_offset = 1;
    run(&s, &w, 0, 200, 0, 1);
    CHECK(no_duplicates(&w));
    CHECK(w.pages < 10);
}

/* insert `count` new ids at the front before page 2 */
static size_t insert_count;
static void insert_front(server *s, size_t page)
{
    if (page != 1)
        return;
    memmove(s->ids + insert_count, s->ids, s->n * sizeof(int));
    for (size_t i = 0; i < insert_count; i++)
        s->ids[i] = 100000 + (int)i;
    s->n += insert_count;
}

static size_t remove_count, remove_at;
static void remove_some(server *s, size_t page)
{
    if (page != 1)
        return;
    memmove(s->ids + remove_at, s->ids + remove_at + remove_count,
            (s->n - remove_at - remove_count) * sizeof(int));
    s->n -= remove_count;
}

static void test_changes(void)
{
    server s;
    walk w;
    size_t counts[] = {1, 5, 199, 200, 250};

    /* added before the position: the walk goes on after the last item */
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        fill(&s, 600);
        insert_count = counts[k];
        s.mutate = insert_front;
        run(&s, &w, 0, 200, 0, 1);
        CHECK_INT(w.changed, 1);
        if (counts[k] <= 200) { /* a shift within a page is recovered exactly */
            CHECK(no_duplicates(&w));
            for (int id = 0; id < 600; id++)
                CHECK(contains(&w, id));
        }
    }
    /* removed before the position (not the last item): nothing still there is missed */
    for (size_t k = 0; k < 3; k++) {
        static const size_t removed[] = {1, 5, 150};
        fill(&s, 600);
        remove_count = removed[k];
        remove_at = 10;
        s.mutate = remove_some;
        run(&s, &w, 0, 200, 0, 1);
        CHECK(no_duplicates(&w));
        CHECK_INT(w.changed, 1);
        for (int id = 0; id < 600; id++)
            CHECK(contains(&w, id)); /* the removed ones were returned before */
    }
    /* the last returned item itself was removed: flagged, ends, nothing twice */
    fill(&s, 600);
    remove_count = 1;
    remove_at = 199;
    s.mutate = remove_some;
    run(&s, &w, 0, 200, 0, 1);
    CHECK(no_duplicates(&w));
    CHECK_INT(w.changed, 1);
    CHECK(w.n >= 598);
    /* added after the position: seen, and totalSize changing flags it */
    fill(&s, 300);
    s.mutate = NULL;
    run(&s, &w, 0, 200, 0, 1);
    CHECK_INT(w.changed, 0);
}

static size_t chaos_seed;
static void chaos(server *s, size_t page)
{
    /* a deterministic mess: reverse, shrink, grow, repeat pages */
    (void)page;
    chaos_seed = chaos_seed * 6364136223846793005u + 1442695040888963407u;
    switch ((chaos_seed >> 33) % 5) {
    case 0:
        for (size_t i = 0; i < s->n / 2; i++) {
            int t = s->ids[i];
            s->ids[i] = s->ids[s->n - 1 - i];
            s->ids[s->n - 1 - i] = t;
        }
        break;
    case 1:
        s->n = s->n > 50 ? s->n - 50 : 0;
        break;
    case 2:
        if (s->n + 50 < MAXN)
            for (size_t i = 0; i < 50; i++)
                s->ids[s->n++] = (int)(200000 + (chaos_seed % 1000) * 50 + i);
        break;
    case 3:
        s->lie_total = (int)((chaos_seed >> 20) % 1000) - 500;
        break;
    default:
        break;
    }
}

static void test_adversarial(void)
{
    server s;
    walk w;

    /* a server that always answers the same first page */
    fill(&s, 1000);
    s.ignore_start = 1;
    s.no_offset = 1;
    run(&s, &w, 0, 100, 0, 1);
    CHECK(w.pages <= 10);
    CHECK(no_duplicates(&w));
    /* lies about the total */
    fill(&s, 300);
    s.lie_total = 100000;
    run(&s, &w, 0, 100, 0, 1);
    CHECK(exactly(&w, 0, 300));
    fill(&s, 300);
    s.lie_total = -250;
    run(&s, &w, 0, 100, 0, 1);
    CHECK(w.n <= 300);
    /* random changes between every page: always ends */
    for (chaos_seed = 1; chaos_seed < 200; chaos_seed++) {
        size_t seed = chaos_seed;
        fill(&s, 500 + seed % 7 * 100);
        s.mutate = chaos;
        run(&s, &w, 0, 50 + seed % 3 * 25, 0, 1);
        CHECK(w.pages < 1000);
        chaos_seed = seed;
    }
}

int main(void)
{
    test_plain();
    test_start_and_limit();
    test_server_ignores_paging();
    test_changes();
    test_adversarial();
    return test_summary("test_pager");
}

/*
 * Memory bounds of a listing (issues 15 and 19), as counts, never times:
 * walking the 50,000 movies of plexsim --library-size 50000 page by page,
 * the heap the library and libcurl hold at their peak is within a fixed
 * bound of the peak of a walk of 1,000 items. Both are measured with the
 * same page size, in JSON and in XML; libplex's bytes through the test-only
 * byte accounting of core/alloc.c, libcurl's through curl_global_init_mem()
 * hooks. A walk also checks it saw every item once.
 */
#include <malloc.h>

#include <plex/plex.h>

#include "core/alloc.h"
#include "flow.h"

#define TOKEN "plexsim-user-token-0001"
#define SIZE 50000
#define PAGE 200

static size_t curl_live, curl_peak;

static void *track(void *p)
{
    if (p) {
        curl_live += malloc_usable_size(p);
        if (curl_live > curl_peak)
            curl_peak = curl_live;
    }
    return p;
}

static void untrack(void *p)
{
    if (p) {
        size_t n = malloc_usable_size(p);
        curl_live = n < curl_live ? curl_live - n : 0;
    }
}

static void *hook_malloc(size_t n)
{
    return track(malloc(n));
}

static void hook_free(void *p)
{
    untrack(p);
    free(p);
}

static void *hook_realloc(void *p, size_t n)
{
    size_t before = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n);
    if (q)
        curl_live = before < curl_live ? curl_live - before : 0;
    return track(q);
}

static char *hook_strdup(const char *s)
{
    return track(strdup(s));
}

static void *hook_calloc(size_t n, size_t size)
{
    return track(calloc(n, size));
}

/* The peak bytes (libplex + libcurl) of walking `limit` items. */
static size_t walk_peak(plex_server *s, size_t limit, size_t *seen)
{
    plex_listing_options o = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    const plex_metadata *m;
    size_t base;
    int rc;

    o.page_size = PAGE;
    o.limit = limit;
    plex__alloc_reset_peak();
    curl_peak = curl_live;
    base = plex__alloc_live_bytes() + curl_live;
    REQUIRE(plex_section_items(&l, s, "1", NULL, &o) == 0);
    *seen = 0;
    while ((rc = plex_listing_next(l, &m)) == 1)
        (*seen)++;
    CHECK_INT(rc, 0);
    plex_listing_free(l);
    return plex__alloc_peak_bytes() + curl_peak - base;
}

static void bound(unsigned int flags, const char *what)
{
    plex_client_options co = PLEX_CLIENT_OPTIONS_INIT;
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;
    plex_client *c = NULL;
    plex_server *s = NULL;
    size_t small, large, n_small, n_large;
    sim sm;

    sim_start_pms(&sm, "--library-size", "50000", NULL);
    co.client_identifier = "test-pms-memory";
    co.base_url = sm.url;
    co.token = TOKEN;
    REQUIRE(plex_client_new(&c, &co, NULL) == 0);
    so.flags = flags;
    REQUIRE(plex_server_new(&s, c, sm.pms_url, &so) == 0);
    /* a first walk warms up the connection and the libraries */
    walk_peak(s, 1000, &n_small);
    small = walk_peak(s, 1000, &n_small);
    large = walk_peak(s, 0, &n_large);
    CHECK_INT(n_small, 1000);
    CHECK_INT(n_large, SIZE);
    printf("%s: peak heap walking 1,000 items: %zu bytes; 50,000 items: %zu bytes\n", what, small,
           large);
    /* one page of bytes and one item at a time, whatever the length. How much
     * of a page is buffered at once depends on how fast the bytes came (the
     * buffer doubles), so the bound is one page's worth (200 movies are about
     * 450 KB of JSON) above the small walk, not a ratio; 50,000 items held
     * would be over 100 MB. */
    CHECK(large <= small + 1024 * 1024);
    plex_server_free(s);
    plex_client_free(c);
    sim_stop(&sm);
}

int main(void)
{
    REQUIRE(curl_global_init_mem(CURL_GLOBAL_DEFAULT, hook_malloc, hook_free, hook_realloc,
                                 hook_strdup, hook_calloc) == CURLE_OK);
    REQUIRE(plex_global_init() == 0);
    plex__alloc_track(1);
    bound(0, "JSON");
    bound(PLEX_SERVER_XML, "XML");
    plex__alloc_track(0);
    plex_global_cleanup();
    curl_global_cleanup();
    return test_summary("test_pms_memory");
}

/*
 * The media-server client against plexsim's emulated server (issue 15):
 * connecting (a base URL, and a resource of the account with its own
 * token), the browsing calls of plex/pms/library.h, listings page by page
 * (blocking and step forms, JSON and XML, page sizes, start, limit, sort and
 * filters checked against the whole list), errors (a bad token, an unknown
 * item, bad arguments, a closed port) and images.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include "flow.h"

#define TOKEN "plexsim-user-token-0001"
#define MOVIES "60"

static sim S;
static plex_client *C;

static plex_server *server(unsigned int flags, const char *token)
{
    plex_server_options o = PLEX_SERVER_OPTIONS_INIT;
    plex_server *s = NULL;

    o.flags = flags;
    o.token = token;
    REQUIRE(plex_server_new(&s, C, S.pms_url, &o) == 0);
    return s;
}

/* What a walk saw. */
typedef struct seen {
    char keys[4096][24]; /* ratingKeys, in order */
    int years[4096];
    char titles[4096][64];
    size_t n;
    int rc;
} seen;

static seen A, B;

static void walk(plex_listing *l, seen *w)
{
    const plex_metadata *m;

    w->n = 0;
    while ((w->rc = plex_listing_next(l, &m)) == 1) {
        REQUIRE(w->n < 4096);
        snprintf(w->keys[w->n], sizeof(w->keys[0]), "%s", m->rating_key ? m->rating_key : "");
        snprintf(w->titles[w->n], sizeof(w->titles[0]), "%s", m->title ? m->title : "");
        w->years[w->n] = m->year;
        w->n++;
    }
}

/* The same walk with plex_listing_step() and poll(2). */
static void walk_step(plex_listing *l, seen *w)
{
    const plex_metadata *m;
    plex_wait_info wi;

    w->n = 0;
    for (;;) {
        w->rc = plex_listing_step(l, &m, &wi);
        if (w->rc == 1) {
            REQUIRE(w->n < 4096);
            snprintf(w->keys[w->n], sizeof(w->keys[0]), "%s", m->rating_key ? m->rating_key : "");
            w->n++;
        } else if (w->rc == PLEX_EPENDING) {
            struct pollfd p[4];
            for (int i = 0; i < wi.nfds; i++) {
                p[i].fd = wi.fds[i];
                p[i].events = (short)(((wi.events[i] & PLEX_WAIT_READ) ? POLLIN : 0) |
                                      ((wi.events[i] & PLEX_WAIT_WRITE) ? POLLOUT : 0));
            }
            poll(p, (nfds_t)wi.nfds, (int)wi.timeout_ms);
        } else {
            break;
        }
    }
}

static int same_keys(const seen *a, const seen *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->keys[i], b->keys[i]) != 0)
            return 0;
    return 1;
}

static int unique_keys(const seen *a)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i + 1; j < a->n; j++)
            if (strcmp(a->keys[i], a->keys[j]) == 0)
                return 0;
    return 1;
}

static plex_listing *items(plex_server *s, const char *section, plex_query *q, size_t page,
                           size_t start, size_t limit, unsigned int flags)
{
    plex_listing_options o = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;

    o.page_size = page;
    o.start = start;
    o.limit = limit;
    o.flags = flags;
    REQUIRE(plex_section_items(&l, s, section, q, &o) == 0);
    return l;
}

static void test_server(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL;

    CHECK_STR(plex_server_url(s), S.pms_url);
    CHECK_INT(plex_server_identity(&c, s), 0);
    CHECK(c && c->machine_identifier && strlen(c->machine_identifier) == 40);
    CHECK(c && c->version != NULL);
    plex_container_free(c);
    CHECK_INT(plex_server_info(&c, s), 0);
    CHECK(c && c->friendly_name && c->machine_identifier && c->directories_count > 0);
    plex_container_free(c);
    CHECK_INT(plex_server_providers(&c, s), 0);
    CHECK(c && c->providers_count > 0);
    plex_container_free(c);
    CHECK_INT(plex_prefs_get(&c, s), 0);
    CHECK(c && c->settings_count > 0);
    if (c && c->settings_count > 0) {
        plex_container *one = NULL;
        const plex_setting *st = c->settings[0];
        CHECK_INT(plex_pref_get(&one, s, st->id), 0);
        CHECK(one && one->settings_count == 1 && strcmp(one->settings[0]->id, st->id) == 0);
        plex_container_free(one);
    }
    plex_container_free(c);
    /* set a text preference and read it back */
    CHECK_INT(plex_pref_set(s, "FriendlyName", "Café Server"), 0);
    CHECK_INT(plex_pref_get(&c, s, "FriendlyName"), 0);
    CHECK(c && c->settings_count == 1 && c->settings[0]->value.text &&
          strcmp(c->settings[0]->value.text, "Café Server") == 0);
    plex_container_free(c);
    CHECK_INT(plex_server_info(&c, s), 0);
    CHECK_STR(c ? c->friendly_name : NULL, "Café Server");
    plex_container_free(c);
    CHECK_INT(plex_pref_get(&c, s, "NoSuchPreference"), PLEX_ENOTFOUND);
    CHECK_INT(plex_server_last_error(s)->http_status, 404);
    CHECK_INT(plex_pref_set(s, "NoSuchPreference", "1"), PLEX_EBADREQUEST);
    CHECK_INT(plex_server_clients(&c, s), 0);
    plex_container_free(c);
    CHECK_INT(plex_server_devices(&c, s), 0);
    plex_container_free(c);
    CHECK_INT(plex_server_servers(&c, s), 0);
    plex_container_free(c);
    CHECK_INT(plex_server_accounts(&c, s), 0);
    plex_container_free(c);
    CHECK_INT(plex_server_myplex_account(&c, s), 0);
    plex_container_free(c);
    CHECK_INT(plex_library_root(&c, s), 0);
    CHECK_STR(c ? c->identifier : NULL, "com.plexapp.plugins.library");
    plex_container_free(c);
    plex_server_free(s);
}

static void test_sections(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL, *d = NULL;
    const plex_directory *movies, *tv;

    REQUIRE(plex_sections_get(&c, s) == 0);
    CHECK_INT(c->directories_count, 4);
    movies = plex_sections_find(c, "movies"); /* by title, any case */
    tv = plex_sections_find(c, "2");          /* by key */
    CHECK(movies && movies->key && strcmp(movies->key, "1") == 0 && movies->type &&
          strcmp(movies->type, "movie") == 0);
    CHECK(tv && tv->title && strcmp(tv->title, "TV Shows") == 0);
    CHECK(plex_sections_find(c, "Nothing") == NULL);
    CHECK(movies && movies->locations_count > 0);
    CHECK_INT(plex_section_get(&d, s, "1", PLEX_SECTION_DETAILS), 0);
    plex_container_free(d);
    CHECK_INT(plex_section_meta(&d, s, "1", NULL), 0);
    CHECK(d && plex_container_has(d, PLEX_CONTAINER_TOTAL_SIZE) && d->total_size == atoi(MOVIES));
    CHECK(d && d->meta && d->meta->types_count > 0);
    CHECK(d && d->items_count == 0);
    plex_container_free(d);
    CHECK_INT(plex_section_get(&d, s, "99", 0), PLEX_ENOTFOUND);
    CHECK_INT(plex_section_get(&d, s, "1/../2", 0), PLEX_EINVALID);
    CHECK(d == NULL);
    CHECK_INT(plex_section_tags(&d, s, "1", "genre"), 0);
    CHECK(d && d->directories_count > 0 && d->directories[0]->title);
    plex_container_free(d);
    CHECK_INT(plex_section_first_characters(&d, s, "1", NULL), 0);
    CHECK(d && d->directories_count > 0);
    plex_container_free(d);
    CHECK_INT(plex_section_hubs(&d, s, "1", NULL), 0);
    plex_container_free(d);
    plex_container_free(c);
    plex_server_free(s);
}

static void test_listings(void)
{
    plex_server *s = server(0, NULL), *x = server(PLEX_SERVER_XML, NULL);
    size_t pages[] = {1, 7, 59, 60, 61, 200};
    plex_listing *l;
    plex_query *q;

    /* one request, no paging: the reference */
    l = items(s, "1", NULL, 0, 0, 0, PLEX_LISTING_NO_PAGING);
    walk(l, &A);
    CHECK_INT(A.rc, 0);
    CHECK_INT(A.n, atoi(MOVIES));
    CHECK(unique_keys(&A));
    CHECK_INT(plex_listing_requests(l), 1);
    plex_listing_free(l);
    /* every page size gives the same list, in as many requests as pages */
    for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
        l = items(s, "1", NULL, pages[k], 0, 0, 0);
        walk(l, &B);
        CHECK_INT(B.rc, 0);
        CHECK(same_keys(&A, &B));
        CHECK_INT(plex_listing_total(l), atoi(MOVIES));
        CHECK_INT(plex_listing_changed(l), 0);
        CHECK(plex_listing_requests(l) <= (size_t)atoi(MOVIES) / pages[k] + 1);
        CHECK(plex_listing_container(l) != NULL);
        plex_listing_free(l);
    }
    /* XML gives the same list */
    l = items(x, "1", NULL, 13, 0, 0, 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK(same_keys(&A, &B));
    plex_listing_free(l);
    /* the step form */
    l = items(s, "1", NULL, 9, 0, 0, 0);
    walk_step(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK(same_keys(&A, &B));
    plex_listing_free(l);
    /* start and limit */
    l = items(s, "1", NULL, 8, 10, 15, 0);
    walk(l, &B);
    CHECK_INT(B.n, 15);
    CHECK(B.n == 15 && strcmp(B.keys[0], A.keys[10]) == 0 && strcmp(B.keys[14], A.keys[24]) == 0);
    plex_listing_free(l);
    l = items(s, "1", NULL, 8, 1000, 0, 0); /* past the end */
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK_INT(B.n, 0);
    plex_listing_free(l);
    /* the raw bytes of an item are its JSON object */
    {
        const plex_metadata *m;
        size_t len = 0;
        const char *raw;
        l = items(s, "1", NULL, 5, 0, 1, 0);
        REQUIRE(plex_listing_next(l, &m) == 1);
        raw = plex_listing_raw(l, &len);
        CHECK(raw && len > 2 && raw[0] == '{' && raw[len - 1] == '}');
        plex_listing_free(l);
    }
    /* sort by year, descending */
    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add(q, "sort", "year:desc");
    l = items(s, "1", q, 11, 0, 0, 0);
    walk(l, &B);
    CHECK_INT(B.n, atoi(MOVIES));
    for (size_t i = 1; i < B.n; i++)
        CHECK(B.years[i - 1] >= B.years[i]);
    plex_listing_free(l);
    plex_query_free(q);
    /* a filter: exactly the items of the whole list that match */
    REQUIRE(plex_query_new(&q) == 0);
    CHECK_INT(plex_query_add_filter(q, "year>=2000"), 0);
    l = items(s, "1", q, 7, 0, 0, 0);
    walk(l, &B);
    {
        size_t want = 0;
        plex_listing *all = items(s, "1", NULL, 0, 0, 0, PLEX_LISTING_NO_PAGING);
        static seen W;
        walk(all, &W);
        for (size_t i = 0; i < W.n; i++)
            want += W.years[i] >= 2000;
        CHECK_INT(B.n, want);
        for (size_t i = 0; i < B.n; i++)
            CHECK(B.years[i] >= 2000);
        plex_listing_free(all);
    }
    plex_listing_free(l);
    plex_query_free(q);
    /* type=4 in the TV section: episodes */
    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add_int(q, "type", PLEX_TYPE_EPISODE);
    l = items(s, "2", q, 50, 0, 0, 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK(B.n > 0);
    plex_listing_free(l);
    plex_query_free(q);
    plex_server_free(x);
    plex_server_free(s);
}

static void test_items(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL;
    plex_listing *l = NULL;
    const plex_metadata *m;
    char show[24] = "", season[24] = "";

    REQUIRE(plex_metadata_get(&c, s, A.keys[0], NULL) == 0);
    REQUIRE(c->items_count == 1);
    m = c->items[0];
    CHECK_STR(m->rating_key, A.keys[0]);
    CHECK(m->media_count > 0 && m->media[0]->parts_count > 0 &&
          m->media[0]->parts[0]->streams_count > 0);
    CHECK(m->media_count > 0 && m->media[0]->parts_count > 0 && m->media[0]->parts[0]->size > 0 &&
          m->media[0]->parts[0]->key);
    CHECK(m->genres_count > 0);
    plex_container_free(c);
    CHECK_INT(plex_metadata_get(&c, s, "999999999", NULL), PLEX_ENOTFOUND);
    CHECK(c == NULL);
    CHECK_INT(plex_metadata_get(&c, s, "", NULL), PLEX_EINVALID);
    CHECK_INT(plex_metadata_get(&c, s, "1?x=1", NULL), PLEX_EINVALID);
    /* a show, its seasons, a season's episodes */
    REQUIRE(plex_section_items(&l, s, "2", NULL, NULL) == 0);
    if (plex_listing_next(l, &m) == 1)
        snprintf(show, sizeof(show), "%s", m->rating_key);
    plex_listing_free(l);
    REQUIRE(show[0]);
    REQUIRE(plex_metadata_children(&l, s, show, NULL, NULL) == 0);
    walk(l, &B);
    CHECK(B.n > 0);
    if (B.n > 0)
        snprintf(season, sizeof(season), "%s", B.keys[0]);
    plex_listing_free(l);
    REQUIRE(plex_metadata_children(&l, s, season, NULL, NULL) == 0);
    walk(l, &B);
    CHECK(B.n > 0);
    plex_listing_free(l);
    REQUIRE(plex_metadata_grandchildren(&l, s, show, NULL, NULL) == 0);
    walk(l, &A);
    CHECK(A.n >= B.n);
    plex_listing_free(l);
    REQUIRE(plex_metadata_all_leaves(&l, s, show, NULL, NULL) == 0);
    walk(l, &B);
    CHECK(same_keys(&A, &B));
    plex_listing_free(l);
    CHECK_INT(plex_metadata_related(&c, s, show, NULL), 0);
    plex_container_free(c);
    /* across sections */
    REQUIRE(plex_library_recently_added(&l, s, NULL, NULL) == 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK(B.n > 0);
    plex_listing_free(l);
    REQUIRE(plex_library_on_deck(&l, s, NULL, NULL) == 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    plex_listing_free(l);
    CHECK_INT(plex_hubs_get(&c, s, NULL), 0);
    CHECK(c && c->hubs_count > 0);
    plex_container_free(c);
    CHECK_INT(plex_tags_get(&c, s, 1), 0);
    CHECK(c && c->directories_count > 0);
    plex_container_free(c);
    plex_server_free(s);
}

static void test_search(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL;
    plex_listing *l = NULL;
    const plex_metadata *m;
    char word[64] = "";

    /* search for the first word of a title */
    REQUIRE(plex_section_items(&l, s, "1", NULL, NULL) == 0);
    if (plex_listing_next(l, &m) == 1 && m->title)
        sscanf(m->title, "%63s", word);
    plex_listing_free(l);
    REQUIRE(word[0]);
    CHECK_INT(plex_hubs_search(&c, s, word, NULL), 0);
    CHECK(c && c->hubs_count > 0);
    if (c) {
        size_t hits = 0;
        for (size_t i = 0; i < c->hubs_count; i++)
            hits += c->hubs[i]->items_count;
        CHECK(hits > 0);
    }
    plex_container_free(c);
    CHECK_INT(plex_library_search(&c, s, word, NULL), 0);
    CHECK(c && c->search_results_count > 0);
    if (c && c->search_results_count > 0) {
        const plex_search_result *r = c->search_results[0];
        CHECK(r->item || r->directory);
        CHECK(!r->item || (r->item->title && strstr(r->item->title, word)));
        for (size_t i = 1; i < c->search_results_count; i++)
            CHECK(c->search_results[i - 1]->score >= c->search_results[i]->score);
    }
    plex_container_free(c);
    {
        plex_query *q = NULL;
        REQUIRE(plex_query_new(&q) == 0);
        plex_query_add(q, "sectionId", "1");
        CHECK_INT(plex_hubs_search_voice(&c, s, word, q), 0);
        plex_container_free(c);
        REQUIRE(plex_search(&l, s, word, NULL) == 0);
        walk(l, &B);
        CHECK_INT(B.rc, 0);
        CHECK(B.n > 0);
        plex_listing_free(l);
        plex_query_free(q);
    }
    CHECK_INT(plex_hubs_search(&c, s, NULL, NULL), PLEX_EINVALID);
    plex_server_free(s);
}

static void test_images(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL;
    unsigned char *img = NULL;
    char *type = NULL;
    size_t len = 0;

    REQUIRE(plex_metadata_get(&c, s, A.keys[0], NULL) == 0);
    REQUIRE(c->items_count == 1 && c->items[0]->thumb);
    CHECK_INT(plex_image_get(&img, &len, &type, s, c->items[0]->thumb, 0, 0), 0);
    CHECK(len > 8 && img && (memcmp(img, "\x89PNG", 4) == 0 || memcmp(img, "\xff\xd8", 2) == 0));
    plex_free(img);
    plex_free(type);
    CHECK_INT(plex_image_get(&img, &len, &type, s, c->items[0]->thumb, 64, 48), 0);
    /* a PNG's IHDR gives its size */
    if (len > 24 && memcmp(img, "\x89PNG", 4) == 0) {
        unsigned w = (unsigned)img[16] << 24 | (unsigned)img[17] << 16 | img[18] << 8 | img[19];
        unsigned h = (unsigned)img[20] << 24 | (unsigned)img[21] << 16 | img[22] << 8 | img[23];
        CHECK_INT(w, 64);
        CHECK_INT(h, 48);
    }
    plex_free(img);
    plex_free(type);
    plex_container_free(c);
    plex_server_free(s);
}

static void test_errors(void)
{
    plex_server *s = server(0, "not-a-token"), *closed;
    plex_container *c = NULL;
    plex_listing *l = NULL;
    const plex_metadata *m;

    CHECK_INT(plex_sections_get(&c, s), PLEX_EAUTH);
    CHECK_INT(plex_server_last_error(s)->http_status, 401);
    CHECK(strstr(plex_server_last_error(s)->message, "Unauthorized") != NULL);
    REQUIRE(plex_section_items(&l, s, "1", NULL, NULL) == 0);
    CHECK_INT(plex_listing_next(l, &m), PLEX_EAUTH);
    CHECK_INT(plex_listing_next(l, &m), PLEX_EAUTH); /* and stays so */
    plex_listing_free(l);
    CHECK_INT(plex_server_identity(&c, s), 0); /* needs no token */
    plex_container_free(c);
    plex_server_free(s);
    /* a closed port */
    {
        plex_server_options o = PLEX_SERVER_OPTIONS_INIT;
        o.connect_timeout_ms = 2000;
        REQUIRE(plex_server_new(&closed, C, "http://127.0.0.1:1", &o) == 0);
        CHECK_INT(plex_sections_get(&c, closed), PLEX_ECONNECT);
        plex_server_free(closed);
    }
    CHECK_INT(plex_server_new(&closed, C, "ftp://127.0.0.1", NULL), PLEX_EINVALID);
    CHECK_INT(plex_server_new(&closed, C, "http://127.0.0.1/x?y", NULL), PLEX_EINVALID);
    plex_server_free(NULL);
    plex_listing_free(NULL);
}

/* The seed SDK's other operations: section search, the home recently-added
 * hub, top watched, file hashes, an item's posters with a new one, and a
 * section deleted (last: it changes the server for good). */
static void test_more(void)
{
    plex_server *s = server(0, NULL);
    plex_container *c = NULL, *d = NULL;
    plex_listing *l = NULL;
    plex_query *q = NULL;
    char url[1200], old_thumb[128] = "";

    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add_int(q, "type", PLEX_TYPE_MOVIE);
    plex_query_add_filter(q, "year>=2000");
    REQUIRE(plex_section_search(&l, s, "1", q, NULL) == 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    for (size_t i = 0; i < B.n; i++)
        CHECK(B.years[i] >= 2000);
    plex_listing_free(l);
    plex_query_free(q);

    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add_int(q, "type", PLEX_TYPE_MOVIE);
    plex_query_add(q, "contentDirectoryID", "1");
    REQUIRE(plex_hubs_recently_added(&l, s, q, NULL) == 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK(B.n > 0);
    plex_listing_free(l);

    /* top watched: nothing until something is watched */
    REQUIRE(plex_library_top(&l, s, q, NULL) == 0);
    walk(l, &B);
    CHECK_INT(B.rc, 0);
    CHECK_INT(B.n, 0);
    plex_listing_free(l);
    plex_query_free(q);
    /* A holds other items by now: take the first movie again */
    REQUIRE(plex_section_items(&l, s, "1", NULL, NULL) == 0);
    walk(l, &A);
    plex_listing_free(l);
    REQUIRE(A.n > 0);
    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add(q, "identifier", "com.plexapp.plugins.library");
    plex_query_add(q, "key", A.keys[0]);
    CHECK_INT(plex_server_send(s, "PUT", "/:/scrobble", q), 0);
    plex_query_free(q);
    REQUIRE(plex_query_new(&q) == 0);
    plex_query_add_int(q, "type", PLEX_TYPE_MOVIE);
    REQUIRE(plex_library_top(&l, s, q, NULL) == 0);
    walk(l, &B);
    CHECK(B.n == 1 && strcmp(B.keys[0], A.keys[0]) == 0);
    plex_listing_free(l);
    plex_query_free(q);

    /* the hash of a file the server has, and of one it has not */
    REQUIRE(plex_metadata_get(&c, s, A.keys[0], NULL) == 0);
    REQUIRE(c->items_count == 1 && c->items[0]->media_count > 0 &&
            c->items[0]->media[0]->parts_count > 0 && c->items[0]->media[0]->parts[0]->file);
    snprintf(url, sizeof(url), "file://%s", c->items[0]->media[0]->parts[0]->file);
    {
        char *h1 = NULL, *h2 = NULL;
        CHECK_INT(plex_library_hash(&h1, s, url), 0);
        CHECK(h1 && strlen(h1) == 40 && strspn(h1, "0123456789abcdef") == 40);
        CHECK_INT(plex_library_hash(&h2, s, url), 0);
        CHECK_STR(h1, h2);
        plex_free(h1);
        plex_free(h2);
        CHECK_INT(plex_library_hash(&h1, s, "file:///no/such/file.mkv"), PLEX_ENOTFOUND);
        CHECK(h1 == NULL);
    }
    if (c->items[0]->thumb)
        snprintf(old_thumb, sizeof(old_thumb), "%s", c->items[0]->thumb);
    plex_container_free(c);

    /* posters: the current one; a new one by URL becomes the item's thumb */
    CHECK_INT(plex_metadata_images(&c, s, A.keys[0], "posters"), 0);
    CHECK(c && c->items_count == 1 && c->items[0]->key && strcmp(c->items[0]->key, old_thumb) == 0);
    plex_container_free(c);
    CHECK_INT(plex_metadata_images(&c, s, A.keys[0], "covers"), PLEX_EINVALID);
    CHECK_INT(plex_metadata_image_add(s, A.keys[0], "posters",
                                      "http://127.0.0.1/library/metadata/1/thumb/1", NULL, 0),
              0);
    CHECK_INT(plex_metadata_image_add(s, A.keys[0], "posters", NULL, "\x89PNG", 4), 0);
    REQUIRE(plex_metadata_get(&c, s, A.keys[0], NULL) == 0);
    CHECK(c->items_count == 1 && c->items[0]->thumb && strcmp(c->items[0]->thumb, old_thumb) != 0);
    CHECK_INT(plex_metadata_images(&d, s, A.keys[0], "posters"), 0);
    CHECK(d && d->items_count == 1 && c->items_count == 1 &&
          strcmp(d->items[0]->key, c->items[0]->thumb) == 0);
    plex_container_free(d);
    plex_container_free(c);

    /* a deleted section is gone, and so are its items */
    CHECK_INT(plex_section_delete(s, "4"), 0);
    REQUIRE(plex_sections_get(&c, s) == 0);
    CHECK_INT(c->directories_count, 3);
    CHECK(plex_sections_find(c, "Photos") == NULL);
    plex_container_free(c);
    CHECK_INT(plex_section_get(&c, s, "4", 0), PLEX_ENOTFOUND);
    CHECK_INT(plex_section_delete(s, "4"), PLEX_ENOTFOUND);
    plex_server_free(s);
}

/* A stand-in for a connection that answers the race once, then goes away:
 * a listener on 127.0.0.1 that answers one /identity and closes. */
typedef struct once_server {
    int fd;
    int port;
    pthread_t thread;
} once_server;

static void *answer_once(void *arg)
{
    once_server *o = arg;
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
    char buf[4096];
    int c = accept(o->fd, NULL, NULL);

    if (c >= 0) {
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n > 0 && send(c, reply, sizeof(reply) - 1, 0) < 0)
            perror("send");
        close(c);
    }
    close(o->fd); /* and nothing listens there any more */
    return NULL;
}

static void once_start(once_server *o)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE((o->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    REQUIRE(bind(o->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    REQUIRE(listen(o->fd, 4) == 0);
    REQUIRE(getsockname(o->fd, (struct sockaddr *)&a, &len) == 0);
    o->port = ntohs(a.sin_port);
    REQUIRE(pthread_create(&o->thread, NULL, answer_once, o) == 0);
}

/* A server whose chosen connection stops answering: the next request races
 * the other connections and goes through the one that answers. */
static void test_failover(void)
{
    once_server o;
    char json[1024], pms_port[16];
    const char *colon = strrchr(S.pms_url, ':');
    plex_resources *r = NULL;
    plex_server *s = NULL;
    plex_container *c = NULL;

    REQUIRE(colon != NULL);
    snprintf(pms_port, sizeof(pms_port), "%s", colon + 1);
    once_start(&o);
    snprintf(json, sizeof(json),
             "[{\"name\":\"failover\",\"provides\":\"server\",\"clientIdentifier\":\"f\","
             "\"accessToken\":\"%s\",\"connections\":["
             "{\"protocol\":\"http\",\"address\":\"127.0.0.1\",\"port\":%d,"
             "\"uri\":\"http://127.0.0.1:%d\",\"local\":true,\"relay\":false},"
             "{\"protocol\":\"http\",\"address\":\"127.0.0.2\",\"port\":%s,"
             "\"uri\":\"http://127.0.0.2:%s\",\"local\":false,\"relay\":false}]}]",
             TOKEN, o.port, o.port, pms_port, pms_port);
    REQUIRE(plex_resources_parse(&r, json, strlen(json), 0, NULL) == 0);
    CHECK_INT(plex_server_connect(&s, NULL, C, plex_resources_at(r, 0), NULL), 0);
    pthread_join(o.thread, NULL);
    if (s) {
        char want[64];
        snprintf(want, sizeof(want), "http://127.0.0.1:%d", o.port);
        CHECK_STR(plex_server_url(s), want);    /* the local one won the race */
        CHECK_INT(plex_sections_get(&c, s), 0); /* it is gone: the remote one answers */
        CHECK(c && c->directories_count > 0);
        CHECK(strncmp(plex_server_url(s), "http://127.0.0.2:", 17) == 0);
        plex_container_free(c);
    }
    plex_server_free(s);
    plex_resources_free(r);
}

/* The account's server, from plex.tv's resources, with its own token. */
static void test_resource(void)
{
    plex_resources *r = NULL;
    plex_server *s = NULL;
    plex_connect_report *rep = NULL;
    plex_container *c = NULL, *id = NULL;
    const plex_resource *owned = NULL;

    REQUIRE(plex_resources_get(&r, C, 0) == 0);
    for (size_t i = 0; i < plex_resources_count(r); i++) {
        const plex_resource *x = plex_resources_at(r, i);
        if (x->provides && strstr(x->provides, "server") && x->owned == PLEX_TRUE)
            owned = x;
    }
    REQUIRE(owned != NULL);
    CHECK_INT(plex_server_connect(&s, &rep, C, owned, NULL), 0);
    CHECK(rep && plex_connect_report_chosen(rep) != NULL);
    CHECK(s && strncmp(plex_server_url(s), "http://127.0.0.1:", 17) == 0);
    if (s) {
        CHECK_INT(plex_server_identity(&id, s), 0);
        CHECK(id && owned->client_identifier && id->machine_identifier &&
              strcmp(id->machine_identifier, owned->client_identifier) == 0);
        CHECK_INT(plex_sections_get(&c, s), 0); /* the resource's accessToken opens it */
    }
    plex_container_free(id);
    plex_container_free(c);
    plex_server_free(s);
    plex_connect_report_free(rep);
    plex_resources_free(r);
}

int main(void)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;

    plex_global_init();
    sim_start_pms(&S, "--library-size", MOVIES, NULL);
    o.client_identifier = "test-pms-browse";
    o.base_url = S.url;
    o.token = TOKEN;
    REQUIRE(plex_client_new(&C, &o, NULL) == 0);
    test_server();
    test_sections();
    test_listings();
    test_items();
    test_search();
    test_images();
    test_errors();
    test_resource();
    test_failover();
    test_more();
    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    return test_summary("test_pms_browse");
}

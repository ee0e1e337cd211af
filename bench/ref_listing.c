/*
 * ref_listing simdjson|cjson URL TOKEN: the reference a whole `plex --json ls`
 * is measured against (issue 15): one libcurl GET of URL (a listing, all of
 * it in one answer, JSON) into memory, then the JSON library's DOM parse and
 * a walk of the items. Prints "items N". The simdjson row is the target's
 * reference ("no more than 1.5x its time"), cJSON the common C choice.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_libs.h"

typedef struct body {
    char *p;
    size_t len, cap;
} body;

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    body *b = userp;
    size_t k = size * n;

    if (b->len + k + BENCH_INPUT_PADDING > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 20;
        char *grown;
        while (cap < b->len + k + BENCH_INPUT_PADDING)
            cap *= 2;
        if (!(grown = realloc(b->p, cap)))
            return 0;
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, k);
    b->len += k;
    return k;
}

int main(int argc, char **argv)
{
    char token[256];
    body b = {NULL, 0, 0};
    struct curl_slist *h = NULL;
    size_t items = 0;
    CURL *c;
    int rc;

    if (argc != 4 || (strcmp(argv[1], "simdjson") != 0 && strcmp(argv[1], "cjson") != 0)) {
        fprintf(stderr, "usage: %s simdjson|cjson URL TOKEN\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    snprintf(token, sizeof(token), "X-Plex-Token: %s", argv[3]);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "X-Plex-Client-Identifier: ref-listing");
    h = curl_slist_append(h, token);
    curl_easy_setopt(c, CURLOPT_URL, argv[2]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    if (curl_easy_perform(c) != CURLE_OK || !b.p) {
        fprintf(stderr, "ref_listing: the request failed\n");
        return 1;
    }
    memset(b.p + b.len, 0, BENCH_INPUT_PADDING);
#ifdef PLEX_BENCH_SIMDJSON
    if (strcmp(argv[1], "simdjson") == 0) {
        bench_simdjson_setup();
        rc = bench_simdjson_listing(b.p, b.len, &items);
        bench_simdjson_teardown();
    } else
#endif
    {
        unsigned long check = 0;
        if (strcmp(argv[1], "simdjson") == 0) {
            fprintf(stderr, "ref_listing: built without simdjson\n");
            return 2;
        }
        rc = bench_cjson_listing(b.p, b.len, &items, &check);
    }
    printf("items %zu\n", items);
    free(b.p);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return rc ? 1 : 0;
}

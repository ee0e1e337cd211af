/*
 * bare_curl_signin URL: the floor for bench_signin (issue 4). Links only
 * libcurl and makes the same HTTP requests as a libplex sign-in with one
 * reused easy handle:
 *
 *   POST URL/api/v2/pins              -> "id"
 *   GET  URL/api/v2/pins/{id}         until "authToken" is not null
 *
 * with the same Accept and X-Plex-* headers, no sleep between polls. The
 * JSON is picked apart with strstr: this is a measurement, not product code.
 * Prints "requests R connections C" like bench_signin.
 *
 * Exit status: 0 signed in, 1 failed, 2 usage.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct body {
    char data[16384];
    size_t len;
} body;

static size_t collect(char *d, size_t size, size_t n, void *userp)
{
    body *b = userp;
    size_t len = size * n;

    if (len >= sizeof(b->data) - b->len)
        return 0; /* too big: fail the transfer */
    memcpy(b->data + b->len, d, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

/* One request on the shared handle; 0 when it answered 2xx. */
static int perform(CURL *h, const char *url, int post, body *b, unsigned long *requests,
                   unsigned long *connections)
{
    long status = 0, connects = 0;
    CURLcode cc;

    b->len = 0;
    b->data[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (post) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    cc = curl_easy_perform(h);
    (*requests)++;
    if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
        *connections += (unsigned long)connects;
    if (cc != CURLE_OK) {
        fprintf(stderr, "bare_curl_signin: %s: %s\n", url, curl_easy_strerror(cc));
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        fprintf(stderr, "bare_curl_signin: %s: HTTP %ld\n", url, status);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const headers[] = {
        "Accept: application/json",      "X-Plex-Client-Identifier: libplex-bench-bare",
        "X-Plex-Product: libplex-bench", "X-Plex-Version: 0",
        "X-Plex-Platform: Linux",        "X-Plex-Platform-Version: 0",
        "X-Plex-Device-Name: bench",
    };
    static body b;
    struct curl_slist *hdr = NULL, *next;
    unsigned long requests = 0, connections = 0;
    char url[512];
    const char *p;
    long long id;
    int rc = 1, polls;
    size_t i;
    CURL *h;

    if (argc != 2) {
        fprintf(stderr, "usage: %s URL   (a plexsim started with --approve-after N)\n", argv[0]);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    h = curl_easy_init();
    for (i = 0; h && i < sizeof(headers) / sizeof(headers[0]); i++) {
        next = curl_slist_append(hdr, headers[i]);
        if (!next)
            goto out;
        hdr = next;
    }
    if (!h)
        goto out;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);

    snprintf(url, sizeof(url), "%s/api/v2/pins", argv[1]);
    if (perform(h, url, 1, &b, &requests, &connections) != 0)
        goto out;
    p = strstr(b.data, "\"id\":");
    if (!p || (id = strtoll(p + 5, NULL, 10)) <= 0) {
        fprintf(stderr, "bare_curl_signin: no id in %s\n", b.data);
        goto out;
    }
    snprintf(url, sizeof(url), "%s/api/v2/pins/%lld", argv[1], id);
    for (polls = 0; polls < 1000; polls++) {
        if (perform(h, url, 0, &b, &requests, &connections) != 0)
            goto out;
        p = strstr(b.data, "\"authToken\":");
        if (!p) {
            fprintf(stderr, "bare_curl_signin: no authToken in %s\n", b.data);
            goto out;
        }
        p += strlen("\"authToken\":");
        while (*p == ' ')
            p++;
        if (*p == '"') {
            rc = 0;
            break;
        }
    }
    if (rc != 0)
        fprintf(stderr, "bare_curl_signin: not approved after %d polls\n", polls);
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    if (rc == 0)
        printf("requests %lu connections %lu\n", requests, connections);
    return rc;
}

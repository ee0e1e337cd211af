/*
 * bench_listing: decode of a /library/sections/1/all JSON listing of movies
 * (issue 15) by libplex into typed items, side by side in one run with
 * simdjson's DOM parse and cJSON's parse + walk of the same bytes, for 1,000,
 * 10,000 and 50,000 items. The listings are made by bench/listing_gen.c
 * (deterministic, the library's own model writer; --file reads one instead).
 * Run it through bench/listing.sh (called by bench/run.sh, so by make bench),
 * which adds callgrind instructions per item and heap bytes per item.
 *
 * Decoders (ids):
 *   stream    plex__stream, as plex_listing decodes a page: the bytes fed in
 *             16 KiB pieces (what libcurl hands its write callback), each
 *             plex_metadata taken as soon as it is complete; memory bounded
 *             by the largest item.
 *   parse     plex_container_parse of the whole document (every item held),
 *             then plex_container_free.
 *   simdjson  simdjson's DOM parse (one parser reused, grown once to the
 *             document's size; input padded): the reference, no typed items.
 *   cjson     cJSON's DOM parse + a walk that reads every value of every item
 *             + cJSON_Delete.
 *
 * Method as bench_decode: every decoder warmed up and calibrated so that one
 * batch takes about --round-ms; --rounds rounds, each timing one batch per
 * decoder in a rotating order; medians, in CPU time (see now_ns). The heap is kept warm and settled
 * between batches (see heap_setup), so that no decoder pays for another's
 * frees.
 *
 * Modes:
 *   bench_listing [--sizes N,N,...] [--rounds K] [--round-ms M] [--extra TSV] [--file F]
 *       the table; TSV lines "<id> <items> <instr/item> <heap bytes/item>"
 *       (written by listing.sh) fill in the last columns. Exit 3 when a
 *       target of issue 15 is missed.
 *   bench_listing --callgrind ID N     one decode of the N-item listing inside
 *                                      bench_callgrind_loop (callgrind counts it)
 *   bench_listing_heap --heap N        (built with PLEX_BENCH_COUNT_MALLOC) the
 *                                      peak heap of one decode by each decoder:
 *                                      lines "<id> <N> <peak bytes>"
 *   bench_listing --only ID [--sizes N | --file F] [--rounds K]
 *                                      one decoder alone: ms per decode
 *   bench_listing --write N FILE       the N-item listing into FILE
 *   --list                             the decoder ids
 */
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_libs.h"
#include "core/model.h"
#include "listing_gen.h"
#include "plex/pms/models.h"
#include "pms/models.gen.h"

#define MAX_ROUNDS 101
#define MAX_SIZES 8
#define CHUNK ((size_t)16 * 1024)

typedef int (*listing_fn)(const char *buf, size_t len, size_t *items);

typedef struct dec {
    const char *id;
    const char *name;
    listing_fn fn;
    unsigned long iters;
    double ns[MAX_ROUNDS]; /* ns per decode, each round */
    double median;
    double ir, heap; /* per item, from --extra; < 0 unknown */
} dec;

static volatile unsigned long sink;

/* libplex, item by item: plex__stream fed 16 KiB at a time. */
static int plex_stream_decode(const char *buf, size_t len, size_t *items)
{
    plex__stream *st = NULL;
    plex_error err;
    unsigned long acc = 0;
    size_t off = 0;
    int rc = 0;

    if (plex__stream_new(&st, &plex__media_container_schema, "Metadata", 0, 0, (size_t)1 << 22))
        return -1;
    for (;;) {
        size_t k = len - off < CHUNK ? len - off : CHUNK;
        const void *item;
        if (k) {
            if (plex__stream_feed(st, buf + off, k)) {
                rc = -1;
                break;
            }
            off += k;
        } else {
            plex__stream_end(st);
        }
        while ((rc = plex__stream_next(st, &item, NULL, NULL, &err)) == 1)
            acc += (unsigned long)((const plex_metadata *)item)->year;
        if (rc < 0) {
            fprintf(stderr, "bench_listing: plex__stream_next: %s\n", err.message);
            break;
        }
        if (!k)
            break;
    }
    if (rc == 0 && !plex__stream_done(st))
        rc = -1;
    *items = plex__stream_items(st);
    plex__stream_free(st);
    sink = acc;
    return rc;
}

/* libplex, the whole document at once. */
static int plex_parse_decode(const char *buf, size_t len, size_t *items)
{
    plex_container *c = NULL;
    plex_error err;
    unsigned long acc = 0;

    if (plex_container_parse(&c, buf, len, 0, &err) != 0) {
        fprintf(stderr, "bench_listing: plex_container_parse: %s\n", err.message);
        return -1;
    }
    *items = c->items_count;
    for (size_t i = 0; i < c->items_count; i++)
        acc += (unsigned long)c->items[i]->year;
    plex_container_free(c);
    sink = acc;
    return 0;
}

static int cjson_walk(const char *buf, size_t len, size_t *items)
{
    unsigned long check = 0;
    int rc = bench_cjson_listing(buf, len, items, &check);
    sink = check;
    return rc;
}

static dec decs[] = {
    {"stream", "libplex plex__stream (items)", plex_stream_decode, 0, {0}, 0, -1, -1},
    {"parse", "libplex plex_container_parse", plex_parse_decode, 0, {0}, 0, -1, -1},
#ifdef PLEX_BENCH_SIMDJSON
    {"simdjson", "simdjson DOM parse (ref.)", bench_simdjson_listing, 0, {0}, 0, -1, -1},
#endif
    {"cjson", "cJSON parse + walk", cjson_walk, 0, {0}, 0, -1, -1},
};
#define NDECS (sizeof(decs) / sizeof(decs[0]))

static dec *find_dec(const char *id)
{
    for (size_t i = 0; i < NDECS; i++)
        if (strcmp(decs[i].id, id) == 0)
            return &decs[i];
    return NULL;
}

/* CPU time of this thread (every decoder runs on it): a decode of several
 * milliseconds is often preempted on a shared machine, and wall time would
 * count the wait for a CPU as decoding. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_callgrind_loop(listing_fn fn, const char *buf, size_t len, unsigned long n);

/* The only code callgrind counts (--toggle-collect=bench_callgrind_loop). */
__attribute__((noinline)) void bench_callgrind_loop(listing_fn fn, const char *buf, size_t len,
                                                    unsigned long n)
{
    size_t items = 0;

    for (unsigned long i = 0; i < n; i++)
        fn(buf, len, &items);
    sink = items;
}

/* The listing of n items, padded for simdjson; NULL on failure. */
static char *make_listing(size_t n, size_t *len)
{
    plex__buf b = PLEX__BUF_INIT;
    char *out;

    if (bench_listing_make(&b, n) != 0 || !(out = malloc(b.len + BENCH_INPUT_PADDING))) {
        fprintf(stderr, "bench_listing: cannot make the listing of %zu items\n", n);
        plex__buf_dispose(&b);
        return NULL;
    }
    memcpy(out, b.ptr, b.len);
    memset(out + b.len, 0, BENCH_INPUT_PADDING);
    *len = b.len;
    plex__buf_dispose(&b);
    return out;
}

/* Every decoder must read the listing and find its items. */
static int check_decoders(const char *buf, size_t len, size_t *items)
{
    *items = 0;
    for (size_t i = 0; i < NDECS; i++) {
        size_t n = 0;
        if (decs[i].fn(buf, len, &n) != 0) {
            fprintf(stderr, "bench_listing: %s cannot decode the listing\n", decs[i].name);
            return -1;
        }
        if (i > 0 && n != *items) {
            fprintf(stderr, "bench_listing: %s found %zu items, %s %zu\n", decs[i].name, n,
                    decs[0].name, *items);
            return -1;
        }
        *items = n;
    }
    return 0;
}

/*
 * The heap is kept the same for every decoder: glibc is told to keep what it
 * has (no trimming, no mmap below 32 MiB), so that after the warm-up no
 * decoder pays page faults that another one's frees caused; and after each
 * batch, outside the timing, one large malloc makes glibc merge the small
 * chunks the batch freed (cJSON frees millions), work that would otherwise
 * fall on the next decoder's first large allocation.
 */
static void heap_setup(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

static void heap_settle(void)
{
    void *volatile p = malloc((size_t)64 * 1024); /* volatile: not optimized out */
    free(p);
}

static uint64_t run_batch(const dec *d, const char *buf, size_t len, unsigned long n)
{
    size_t items;
    uint64_t t0 = now_ns(), t;

    for (unsigned long i = 0; i < n; i++)
        d->fn(buf, len, &items);
    t = now_ns() - t0;
    heap_settle();
    return t;
}

/* extra: "<id> <items> <instr/item> <heap bytes/item>" lines */
static void read_extra(const char *path, size_t items)
{
    FILE *f = fopen(path, "r");
    char id[64];
    double n, ir, heap;

    if (!f)
        return;
    for (size_t i = 0; i < NDECS; i++)
        decs[i].ir = decs[i].heap = -1;
    while (fscanf(f, "%63s %lf %lf %lf", id, &n, &ir, &heap) == 4) {
        dec *d = find_dec(id);
        if (d && (size_t)n == items) {
            if (ir >= 0)
                d->ir = ir;
            if (heap >= 0)
                d->heap = heap;
        }
    }
    fclose(f);
}

/* One size: the table's rows; returns 0, or 3 when a target is missed
 * (checked on the largest size only: last = 1). */
static int table(const char *buf, size_t len, size_t items, int rounds, double round_ms,
                 const char *extra, int last)
{
    dec *stream = find_dec("stream"), *parse = find_dec("parse"), *cjson = find_dec("cjson");
    dec *simd = find_dec("simdjson");
    int ok = 1;

    for (size_t i = 0; i < NDECS; i++) {
        uint64_t t = run_batch(&decs[i], buf, len, 1); /* warm-up (simdjson grows here) */
        t = run_batch(&decs[i], buf, len, 1);
        decs[i].iters = (unsigned long)(round_ms * 1e6 / (double)(t ? t : 1));
        if (decs[i].iters < 1)
            decs[i].iters = 1;
    }
    for (int r = 0; r < rounds; r++)
        for (size_t j = 0; j < NDECS; j++) {
            dec *d = &decs[(j + (size_t)r) % NDECS];
            d->ns[r] = (double)run_batch(d, buf, len, d->iters) / (double)d->iters;
        }
    if (extra)
        read_extra(extra, items);
    printf("\n%zu items, %.1f MB (%.0f bytes per item):\n", items, (double)len / 1e6,
           (double)len / (double)items);
    printf("  %-30s %10s %12s %9s %9s %12s %12s\n", "decoder", "ms", "items/s", "MB/s",
           "vs libplex", "instr/item", "heap B/item");
    for (size_t i = 0; i < NDECS; i++) {
        dec *d = &decs[i];
        char ir[32] = "-", heap[32] = "-";
        bench_sort(d->ns, (size_t)rounds);
        d->median = d->ns[rounds / 2];
        if (d->ir >= 0)
            snprintf(ir, sizeof(ir), "%.0f", d->ir);
        if (d->heap >= 0)
            snprintf(heap, sizeof(heap), "%.0f", d->heap);
        printf("  %-30s %10.2f %12.0f %9.0f %8.2fx %12s %12s\n", d->name, d->median / 1e6,
               (double)items / (d->median / 1e9), (double)len / 1e6 / (d->median / 1e9),
               d->median / stream->median, ir, heap);
    }
    if (!last)
        return 0;
    printf("\nTargets (issue 15), on the %zu-item listing, MB/s of the same bytes:\n", items);
    for (const dec *p = stream; p; p = p == stream ? parse : NULL) {
        if (simd) {
            double x = simd->median / p->median;
            printf("  %-8s >= 1/2 of simdjson's DOM parse:   %5.2fx simdjson       %s\n", p->id, x,
                   x >= 0.5 ? "PASS" : "FAIL");
            ok &= x >= 0.5;
        }
        {
            double x = cjson->median / p->median;
            printf("  %-8s >= 5x cJSON's parse + walk:      %5.2fx cJSON          %s\n", p->id, x,
                   x >= 5 ? "PASS" : "FAIL");
            ok &= x >= 5;
        }
    }
    if (!simd)
        printf("  (simdjson not built: scripts/install-deps.sh bench installs libsimdjson-dev)\n");
    return ok ? 0 : 3;
}

#ifdef PLEX_BENCH_COUNT_MALLOC
/*
 * Live and peak heap bytes of the process (the libraries' allocations
 * included: these definitions interpose on theirs), by the allocator's own
 * usable sizes. Only in bench_listing_heap.
 */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *ptr);

static size_t live, peak;
#define EXPORTED __attribute__((visibility("default")))

static void *took(void *p)
{
    if (p) {
        live += malloc_usable_size(p);
        if (live > peak)
            peak = live;
    }
    return p;
}

EXPORTED void *malloc(size_t size)
{
    return took(__libc_malloc(size));
}

EXPORTED void *calloc(size_t n, size_t size)
{
    return took(__libc_calloc(n, size));
}

EXPORTED void *realloc(void *ptr, size_t size)
{
    if (ptr)
        live -= malloc_usable_size(ptr);
    return took(__libc_realloc(ptr, size));
}

EXPORTED void *aligned_alloc(size_t align, size_t size)
{
    return took(__libc_memalign(align, size));
}

EXPORTED int posix_memalign(void **out, size_t align, size_t size)
{
    void *p = took(__libc_memalign(align, size));
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

EXPORTED void free(void *ptr)
{
    if (ptr)
        live -= malloc_usable_size(ptr);
    __libc_free(ptr);
}

/* The peak heap above what was live before one decode by each decoder
 * (simdjson's parser made anew, so that its growth to the document counts). */
static int heap_run(const char *buf, size_t len)
{
    for (size_t i = 0; i < NDECS; i++) {
        size_t items = 0, base;
#ifdef PLEX_BENCH_SIMDJSON
        if (decs[i].fn == bench_simdjson_listing) {
            bench_simdjson_teardown();
            base = live;
            peak = live;
            if (bench_simdjson_setup() != 0)
                return 1;
        } else
#endif
        {
            base = live;
            peak = live;
        }
        if (decs[i].fn(buf, len, &items) != 0)
            return 1;
        printf("%s %zu %zu\n", decs[i].id, items, peak - base);
    }
    return 0;
}
#endif

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_listing [--sizes N,N,...] [--rounds K] [--round-ms M] [--extra TSV]"
            " [--file F]\n"
            "       bench_listing --only ID [--sizes N | --file F] [--rounds K]\n"
            "       bench_listing --callgrind ID N | --write N FILE | --list"
#ifdef PLEX_BENCH_COUNT_MALLOC
            " | --heap N"
#endif
            "\n");
}

static int parse_sizes(const char *s, size_t *sizes, size_t *n)
{
    char *end;

    *n = 0;
    while (*s && *n < MAX_SIZES) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v == 0)
            return -1;
        sizes[(*n)++] = v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t sizes[MAX_SIZES] = {1000, 10000, 50000}, nsizes = 3, items;
    const char *extra = NULL, *file = NULL, *cg_id = NULL, *write_to = NULL, *only = NULL;
    unsigned long cg_n = 0, heap_n = 0;
    int rounds = 7, rc = 0;
    double round_ms = 200;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            if (parse_sizes(argv[++i], sizes, &nsizes)) {
                usage();
                return 2;
            }
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--round-ms") == 0 && i + 1 < argc) {
            round_ms = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--extra") == 0 && i + 1 < argc) {
            extra = argv[++i];
        } else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) {
            file = argv[++i];
        } else if (strcmp(argv[i], "--callgrind") == 0 && i + 2 < argc) {
            cg_id = argv[++i];
            cg_n = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--write") == 0 && i + 2 < argc) {
            heap_n = strtoul(argv[++i], NULL, 10);
            write_to = argv[++i];
#ifdef PLEX_BENCH_COUNT_MALLOC
        } else if (strcmp(argv[i], "--heap") == 0 && i + 1 < argc) {
            heap_n = strtoul(argv[++i], NULL, 10);
#endif
        } else if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; k < NDECS; k++)
                printf("%s\n", decs[k].id);
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || !(round_ms > 0)) {
        usage();
        return 2;
    }
    heap_setup();
#ifdef PLEX_BENCH_SIMDJSON
    if (bench_simdjson_setup() != 0)
        return 1;
#endif
    if (write_to) {
        size_t len;
        char *buf = make_listing(heap_n, &len);
        FILE *f = buf ? fopen(write_to, "wb") : NULL;
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(write_to);
            return 1;
        }
        free(buf);
        return 0;
    }
    if (cg_id || heap_n || only) {
        size_t len;
        dec *d = cg_id || only ? find_dec(cg_id ? cg_id : only) : NULL;
        char *buf = file ? bench_read_file(file, &len)
                         : make_listing(cg_id    ? cg_n
                                        : heap_n ? heap_n
                                                 : sizes[0],
                                        &len);
        if (!buf || ((cg_id || only) && !d)) {
            fprintf(stderr, "bench_listing: no listing, or no decoder %s (see --list)\n",
                    cg_id  ? cg_id
                    : only ? only
                           : "");
            return 1;
        }
        if (!only && check_decoders(buf, len, &items) != 0)
            return 1;
        if (only) {
            d->fn(buf, len, &items);
            for (int r = 0; r < rounds; r++)
                d->ns[r] = (double)run_batch(d, buf, len, 1);
            bench_sort(d->ns, (size_t)rounds);
            printf("%s %zu items: %.2f ms per decode (median of %d), min %.2f\n", d->id, items,
                   d->ns[rounds / 2] / 1e6, rounds, d->ns[0] / 1e6);
        } else if (d) {
            d->fn(buf, len, &items); /* first-call set-up stays out of the count */
            bench_callgrind_loop(d->fn, buf, len, 1);
            printf("%s %zu\n", d->id, items);
        } else {
#ifdef PLEX_BENCH_COUNT_MALLOC
            rc = heap_run(buf, len);
#endif
        }
        free(buf);
        return rc;
    }

    printf("Decode of a /library/sections/1/all JSON listing of movies (bench/listing_gen.c),\n"
           "median of %d round-robin rounds of ~%.0f ms of CPU time per decoder; MB = 10^6 bytes\n",
           rounds, round_ms);
    for (size_t k = 0; k < (file ? 1 : nsizes); k++) {
        size_t len;
        char *buf = file ? bench_read_file(file, &len) : make_listing(sizes[k], &len);
        int trc;
        if (!buf)
            return 1;
        if (check_decoders(buf, len, &items) != 0) {
            free(buf);
            return 1;
        }
        /* --extra's columns are the generated listings': not for another file */
        trc =
            table(buf, len, items, rounds, round_ms, file ? NULL : extra, file || k + 1 == nsizes);
        if (trc)
            rc = trc;
        free(buf);
    }
#ifdef PLEX_BENCH_SIMDJSON
    bench_simdjson_teardown();
#endif
    return rc;
}

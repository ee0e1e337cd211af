/*
 * The decoders bench_decode compares. Each competitor lives in its own
 * translation unit (json-c and jansson cannot share one: both define
 * json_type), behind the same signature: decode the bytes into the library's
 * natural result (a DOM for the JSON libraries, the model for libplex), free
 * it, and return 0 on success. buf[len] is always '\0' (YAJL's tree parser
 * needs it), and BENCH_INPUT_PADDING bytes from buf[len] on are readable
 * (simdjson reads ahead).
 */
#ifndef PLEX_BENCH_LIBS_H
#define PLEX_BENCH_LIBS_H

#include <stddef.h>

#define BENCH_INPUT_PADDING 64

typedef int (*bench_decode_fn)(const char *buf, size_t len);

/* bench_util.c: the bytes of a file with BENCH_INPUT_PADDING zero bytes
 * after them (YAJL's tree parser wants a C string, simdjson reads ahead), or
 * NULL (the error printed); free() it. */
char *bench_read_file(const char *path, size_t *len);
/* Sort n doubles in ascending order (for medians). */
void bench_sort(double *v, size_t n);

/* Prepare / release per-library state that a real program would keep (the
 * json-c tokener). */
int bench_jsonc_setup(void);
void bench_jsonc_teardown(void);

int bench_cjson_decode(const char *buf, size_t len);
int bench_jsonc_decode(const char *buf, size_t len);
int bench_jansson_decode(const char *buf, size_t len);
int bench_yajl_tree_decode(const char *buf, size_t len);
int bench_yajl_events_decode(const char *buf, size_t len);

/* bench_listing: a {"MediaContainer":{..., "Metadata":[...]}} listing parsed
 * into the DOM and walked (every value of every item read), then freed;
 * *items gets the length of Metadata, *check a sum of what was read. */
int bench_cjson_listing(const char *buf, size_t len, size_t *items, unsigned long *check);

/* "1.7.15" and so on, for the table. */
const char *bench_cjson_version(void);
const char *bench_jsonc_version(void);
const char *bench_jansson_version(void);
const char *bench_yajl_version(void);

#ifdef PLEX_BENCH_SIMDJSON
/* simdjson (C++, bench/lib_simdjson.cpp): a reference, see there. */
int bench_simdjson_setup(void);
void bench_simdjson_teardown(void);
int bench_simdjson_decode(const char *buf, size_t len);
/* bench_listing: the DOM parse of a listing (the parser grows to its size
 * once and keeps it); *items gets the length of MediaContainer.Metadata. */
int bench_simdjson_listing(const char *buf, size_t len, size_t *items);
const char *bench_simdjson_version(void);
const char *bench_simdjson_kernel(void); /* "icelake", "haswell", ... */
#endif

#endif

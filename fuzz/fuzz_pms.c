/*
 * Fuzz target for the media server's MediaContainer (declared in the .model files of src/lib/pms),
 * JSON and XML, whole and incremental (core/model_stream.c).
 *
 * The first byte picks the rendering (bit 0: XML) and the size of the
 * pieces the incremental decoder is fed (the other bits); the rest is the
 * document. Laws checked:
 *   - a failure sets *out to NULL and returns an expected code;
 *   - a strict success implies a tolerant success;
 *   - a decoded container encodes to JSON, which decodes again and encodes
 *     to the same bytes;
 *   - when both succeed, the incremental decoder yields the same items (by
 *     ratingKey, in order) as the whole-document decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "fuzz_check.h"
#include "plex/pms/models.h"
#include "pms/models.gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(plex_container **, const char *, size_t, unsigned int, plex_error *);

static int str_eq(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

static void check_round_trip(const plex_container *c)
{
    char *json = NULL, *again = NULL;
    plex_container *back = NULL;
    plex_error err;
    int rc = plex_container_to_json(c, &json);

    if (rc == PLEX_EINVALID || rc == PLEX_ENOMEM)
        return; /* text that is not valid UTF-8 cannot be encoded; out of memory */
    FUZZ_CHECK(rc == 0 && json, "to_json failed");
    rc = plex_container_parse(&back, json, strlen(json), 0, &err);
    FUZZ_CHECK(rc == 0 || rc == PLEX_ENOMEM, "the encoding does not decode");
    if (rc == 0) {
        FUZZ_CHECK(back->items_count == c->items_count, "items lost in the round trip");
        rc = plex_container_to_json(back, &again);
        FUZZ_CHECK(rc != 0 || strcmp(json, again) == 0, "encoding is not idempotent");
    }
    plex_free(again);
    plex_container_free(back);
    plex_free(json);
}

/* Decode incrementally in pieces of `piece` bytes; compare with `whole`. */
static void check_stream(const char *doc, size_t n, int xml, size_t piece,
                         const plex_container *whole)
{
    plex__stream *st = NULL;
    size_t fed = 0, items = 0;
    int rc = 0;

    if (plex__stream_new(&st, &plex__media_container_schema, "Metadata", xml, 0, 1 << 20) != 0)
        return;
    while (!plex__stream_done(st)) {
        const void *item;
        plex_error err;
        rc = plex__stream_next(st, &item, NULL, NULL, &err);
        if (rc < 0)
            break;
        if (rc == 1) {
            const plex_metadata *m = item;
            if (whole) {
                FUZZ_CHECK(items < whole->items_count, "the stream yields more items");
                FUZZ_CHECK(str_eq(m->rating_key, whole->items[items]->rating_key),
                           "the stream's item differs from the whole decode's");
            }
            items++;
            continue;
        }
        if (fed == n) {
            if (plex__stream_done(st))
                break;
            plex__stream_end(st);
            rc = plex__stream_next(st, &item, NULL, NULL, &err);
            if (rc == 1) {
                items++;
                continue;
            }
            break;
        }
        {
            size_t k = n - fed < piece ? n - fed : piece;
            if (plex__stream_feed(st, doc + fed, k) != 0)
                break;
            fed += k;
        }
    }
    if (whole && plex__stream_done(st))
        FUZZ_CHECK(items == whole->items_count, "the stream yields fewer items");
    plex__stream_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plex_container *tolerant = NULL, *strict = NULL;
    plex_error err;
    const char *doc;
    size_t n;
    parse_fn parse;
    int xml, rc;

    if (size < 1)
        return 0;
    xml = data[0] & 1;
    doc = (const char *)data + 1;
    n = size - 1;
    parse = xml ? plex_container_parse_xml : plex_container_parse;

    rc = parse(&tolerant, doc, n, 0, &err);
    if (rc)
        fuzz_check_failure(rc, tolerant, &err, n);
    rc = parse(&strict, doc, n, PLEX_PARSE_STRICT, &err);
    if (rc)
        fuzz_check_failure(rc, strict, &err, n);
    else
        FUZZ_CHECK(tolerant != NULL, "strict success without a tolerant one");
    if (tolerant)
        check_round_trip(tolerant);
    check_stream(doc, n, xml, (size_t)(data[0] >> 1) + 1, tolerant);
    plex_container_free(strict);
    plex_container_free(tolerant);
    return 0;
}

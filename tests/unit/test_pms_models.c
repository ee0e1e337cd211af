/*
 * The media-server models on real-world shapes (/shared/PMS.md §2.7): ids as
 * strings or numbers, booleans as 0/1, "1" and true, numbers as text, an
 * object for a single child, unknown attributes kept, null as absent; strict
 * mode naming the first deviation; the XML rendering into the same models
 * (Directory items with a ratingKey are items); and the incremental decoder
 * against the whole-document one, in JSON and XML, fed in pieces of every
 * size, with its memory bounded by one item.
 */
#include <math.h>

#include <plex/plex.h>
#include <plex/pms/models.h>

#include "core/alloc.h"
#include "core/model.h"
#include "pms/models.gen.h"
#include "schema_check.h"
#include "test.h"

static char *load(const char *name, size_t *len)
{
    char *d = test_read_file(test_fixture(name), len);
    REQUIRE(d != NULL);
    return d;
}

static void test_schemas(void)
{
    const plex__schema *all[] = {PLEX__PMS_SCHEMAS};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        check_schema(all[i]);
    CHECK(plex__metadata_schema.nfields > 100);
}

static void test_movie_tolerant(void)
{
    size_t len;
    char *d = load("pms/movie_full.json", &len);
    plex_container *c = NULL;
    plex_error err;
    const plex_metadata *m;
    const plex_media *media;
    const plex_part *part;

    REQUIRE(plex_container_parse(&c, d, len, 0, &err) == 0);
    CHECK_INT(c->size, 1);
    CHECK_INT(c->library_section_id, 1);
    CHECK_STR(c->identifier, "com.plexapp.plugins.library");
    CHECK(plex_container_has(c, PLEX_CONTAINER_MEDIA_TAG_VERSION));
    CHECK(!plex_container_has(c, PLEX_CONTAINER_TOTAL_SIZE));
    REQUIRE(c->items_count == 1);
    m = plex_container_items_at(c, 0);
    CHECK_STR(m->rating_key, "108");
    CHECK_STR(m->type, "movie");
    CHECK_INT(m->year, 1994);
    CHECK_INT(m->view_count, 2);
    CHECK(!plex_metadata_has(m, PLEX_METADATA_VIEW_OFFSET));
    CHECK(fabs(m->rating - 9.1) < 1e-9);
    CHECK_INT(m->has_premium_primary_extra, PLEX_TRUE); /* "1" */
    CHECK_STR(m->edition_title, "Director\xE2\x80\x99s Cut");
    CHECK(!plex_metadata_has(m, PLEX_METADATA_MUSIC_ANALYSIS_VERSION)); /* null */
    /* an attribute this model does not know is kept, by wire name */
    CHECK_STR(plex_attrs_get(&m->extra, "editionLabel"), "unknown attribute kept");
    CHECK(plex_attrs_get(&m->extra, "editionlabel") == NULL);
    REQUIRE(m->media_count == 1);
    media = m->media[0];
    CHECK_INT(media->id, 4711);                            /* "4711" */
    CHECK(fabs(media->aspect_ratio - 1.78) < 1e-9);        /* "1.78" */
    CHECK_INT(media->optimized_for_streaming, PLEX_FALSE); /* 0 */
    CHECK_INT(media->has_voice_activity, PLEX_FALSE);      /* "0" */
    CHECK_INT(media->has64bit_offsets, PLEX_FALSE);
    REQUIRE(media->parts_count == 1);
    part = media->parts[0];
    CHECK_INT(part->id, 4712);
    CHECK_INT(part->size, 10876543210LL);
    CHECK_STR(part->key, "/library/parts/4712/1600000000/file.mkv");
    CHECK_INT(part->has_thumbnail, PLEX_TRUE);
    REQUIRE(part->streams_count == 3);
    CHECK_INT(part->streams[0]->stream_type, 1);
    CHECK(fabs(part->streams[0]->frame_rate - 23.976) < 1e-9);
    CHECK_INT(part->streams[1]->is_default, PLEX_TRUE); /* 1 */
    CHECK_INT(part->streams[1]->selected, PLEX_TRUE);
    CHECK_INT(part->streams[2]->id, 9003); /* "9003" */
    CHECK_STR(part->streams[2]->language, "Fran\xC3\xA7"
                                          "ais");
    CHECK_INT(part->streams[2]->forced, PLEX_FALSE);   /* "0" */
    CHECK_INT(part->streams[2]->stream_identifier, 3); /* "3" */
    /* tags, case-sensitive guid vs Guid, rating vs Rating */
    CHECK_STR(m->guid, "plex://movie/5d776b59ad5437001f79c6f8");
    REQUIRE(m->guids_count == 3);
    CHECK_STR(m->guids[0]->id, "imdb://tt0111161");
    REQUIRE(m->ratings_count == 2);
    CHECK(fabs(m->ratings[1]->value - 9.1) < 1e-9); /* "9.1" */
    CHECK_INT(m->countries[0]->id, 109);            /* "109" */
    CHECK_STR(m->roles[1]->role, "Ellis Boyd 'Red' Redding");
    REQUIRE(m->ultrablur != NULL);
    CHECK_STR(m->ultrablur->top_left, "3f2a1b");
    REQUIRE(m->markers_count == 1 && m->markers[0]->attributes);
    CHECK_INT(m->markers[0]->attributes->version, 5);
    CHECK_INT(m->markers[0]->final, PLEX_TRUE);
    REQUIRE(m->extras && m->extras->items_count == 1);
    CHECK_STR(m->extras->items[0]->subtype, "trailer");
    CHECK_INT(m->fields[0]->locked, PLEX_TRUE);
    /* what was converted is said */
    CHECK(c->coerced & PLEX_COERCED_TEXT_AS_NUMBER);
    CHECK(c->coerced & PLEX_COERCED_BOOL);
    CHECK(!(c->coerced & PLEX_COERCED_DROPPED));
    plex_container_free(c);
    free(d);
}

static void test_movie_strict(void)
{
    size_t len;
    char *d = load("pms/movie_full.json", &len);
    plex_container *c = (plex_container *)1;
    plex_error err;

    CHECK_INT(plex_container_parse(&c, d, len, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    CHECK(c == NULL);
    CHECK_STR(err.message, "Metadata[0].hasPremiumPrimaryExtra: expected boolean, got string");
    free(d);
    /* an unconvertible value: absent and noted (tolerant), the error (strict) */
    {
        const char *j = "{\"MediaContainer\":{\"size\":\"many\",\"Metadata\":[{\"ratingKey\":7,"
                        "\"year\":\"nineteen\",\"Media\":{\"id\":1}}]}}";
        REQUIRE(plex_container_parse(&c, j, strlen(j), 0, &err) == 0);
        CHECK(!plex_container_has(c, PLEX_CONTAINER_SIZE));
        CHECK_STR(c->items[0]->rating_key, "7"); /* a number kept as text */
        CHECK(!plex_metadata_has(c->items[0], PLEX_METADATA_YEAR));
        REQUIRE(c->items[0]->media_count == 1); /* one object for a list of one */
        CHECK_INT(c->items[0]->media[0]->id, 1);
        CHECK(c->coerced & PLEX_COERCED_DROPPED);
        CHECK(c->coerced & PLEX_COERCED_NUMBER_AS_TEXT);
        CHECK(c->coerced & PLEX_COERCED_SHAPE);
        CHECK(c->items[0]->coerced & PLEX_COERCED_SHAPE);
        plex_container_free(c);
        CHECK_INT(plex_container_parse(&c, j, strlen(j), PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
        CHECK_STR(err.message, "size: expected integer, got string");
    }
    /* malformed JSON keeps its byte offset */
    CHECK_INT(plex_container_parse(&c, "{\"MediaContainer\":{\"size\":1,}}", 30, 0, &err),
              PLEX_EPARSE);
    CHECK_INT(err.json_pos, 28);
    CHECK_INT(plex_container_parse(&c, "{\"other\":{}}", 12, 0, &err), PLEX_ESCHEMA);
}

static void test_sections(void)
{
    size_t len;
    char *d = load("pms/sections.json", &len);
    plex_container *c = NULL;
    plex_error err;
    char *json = NULL;
    plex_container *back = NULL;

    REQUIRE(plex_container_parse(&c, d, len, 0, &err) == 0);
    REQUIRE(c->directories_count == 2);
    CHECK_STR(c->directories[0]->key, "1");
    CHECK_INT(c->directories[0]->hidden, 0);
    CHECK_INT(c->directories[1]->hidden, 1);
    CHECK_INT(c->directories[0]->filters, PLEX_TRUE);
    CHECK_INT(c->directories[1]->refreshing, PLEX_FALSE); /* "0" */
    REQUIRE(c->directories[1]->locations_count == 2);
    CHECK_INT(c->directories[1]->locations[0]->id, 2);
    CHECK_STR(c->directories[1]->locations[1]->path, "/mnt/more tv");
    CHECK_INT(c->directories[0]->content_changed_at, 12345);
    /* encode and decode again: the same */
    REQUIRE(plex_container_to_json(c, &json) == 0);
    REQUIRE(plex_container_parse(&back, json, strlen(json), PLEX_PARSE_STRICT, &err) == 0);
    CHECK_STR(back->directories[1]->locations[1]->path, "/mnt/more tv");
    CHECK_INT(back->directories[1]->hidden, 1);
    plex_free(json);
    plex_container_free(back);
    plex_container_free(c);
    free(d);
}

static void test_xml(void)
{
    size_t len;
    char *d = load("pms/show_children.xml", &len);
    plex_container *c = NULL;
    plex_error err;
    const plex_metadata *s1, *s2;

    REQUIRE(plex_container_parse_xml(&c, d, len, 0, &err) == 0);
    CHECK_STR(c->view_group, "season");
    CHECK_INT(c->library_section_id, 2);
    CHECK_INT(c->nocache, PLEX_TRUE);
    CHECK_STR(c->parent_title, "\xC3\x9Cmlaut & Friends");
    /* "All episodes" has no ratingKey: a Directory; the seasons are items */
    REQUIRE(c->directories_count == 1);
    CHECK_STR(c->directories[0]->title, "All episodes");
    REQUIRE(c->items_count == 2);
    s1 = c->items[0];
    s2 = c->items[1];
    CHECK_STR(s1->rating_key, "201");
    CHECK_INT(s1->index, 1);
    CHECK_INT(s1->view_count, 4);
    CHECK_STR(plex_attrs_get(&s1->extra, "newFieldFromAFutureServer"), "kept");
    CHECK_STR(s2->title, "Season 2 \xE2\x80\x94 \xE6\x9D\xB1\xE4\xBA\xAC");
    REQUIRE(s2->guids_count == 1);
    CHECK_STR(s2->guids[0]->id, "tvdb://2");
    /* XML text is never a coercion */
    CHECK_INT(c->coerced, 0);
    plex_container_free(c);
    /* a number that is not: absent (tolerant), the error (strict) */
    {
        const char *x = "<MediaContainer size=\"x\"><Video ratingKey=\"1\" year=\"MCMXCIV\"/>"
                        "</MediaContainer>";
        REQUIRE(plex_container_parse_xml(&c, x, strlen(x), 0, &err) == 0);
        CHECK(!plex_container_has(c, PLEX_CONTAINER_SIZE));
        CHECK(!plex_metadata_has(c->items[0], PLEX_METADATA_YEAR));
        CHECK(c->coerced & PLEX_COERCED_DROPPED);
        plex_container_free(c);
        CHECK_INT(plex_container_parse_xml(&c, x, strlen(x), PLEX_PARSE_STRICT, &err),
                  PLEX_ESCHEMA);
        CHECK_STR(err.message, "size: expected integer");
    }
    free(d);
}

/* The writers a streamed listing uses (plexsim): members without braces, an
 * element left open; doubles in their shortest round-trip form. */
static void test_writers(void)
{
    plex_container c;
    plex_metadata m;
    plex_tag genre;
    const plex_tag *genres[1] = {&genre};
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    char tmp[40];
    const double values[] = {7.3, 1.78, 23.976, 0.1, 2.35, 1e300, -0.5, 1.0 / 3.0, 100};
    const char *texts[] = {
        "7.3", "1.78", "23.976", "0.1", "2.35", "1e+300", "-0.5", "0.3333333333333333", "100"};

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        double back;
        size_t n = plex__format_double(tmp, sizeof(tmp), values[i]);
        CHECK_STR(tmp, texts[i]);
        CHECK(n == strlen(tmp));
        CHECK(plex__json_strtod(tmp, n, &back) == 0 && back == values[i]);
    }

    memset(&c, 0, sizeof(c));
    memset(&m, 0, sizeof(m));
    c.size = 1;
    c.present[0] |= 1u << PLEX_CONTAINER_SIZE;
    c.identifier = "com.plexapp.plugins.library";
    m.rating_key = "7";
    m.audience_rating = 7.3;
    m.present[PLEX_METADATA_AUDIENCE_RATING / 32] |= 1u << (PLEX_METADATA_AUDIENCE_RATING % 32);
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "MediaContainer");
    plex__jw_object_begin(&w);
    plex__model_write_members(&w, &plex__media_container_schema, &c);
    plex__jw_key(&w, "Metadata");
    plex__jw_array_begin(&w);
    plex__model_write(&w, &plex__metadata_schema, &m);
    plex__jw_array_end(&w);
    plex__jw_object_end(&w);
    plex__jw_object_end(&w);
    CHECK_INT(b.err, 0);
    CHECK_STR(b.ptr, "{\"MediaContainer\":{\"size\":1,\"identifier\":\"com.plexapp.plugins."
                     "library\",\"Metadata\":[{\"ratingKey\":\"7\",\"audienceRating\":7.3}]}}");
    b.len = 0;
    plex__model_write_xml_open(&b, &plex__media_container_schema, &c, NULL);
    plex__model_write_xml(&b, &plex__metadata_schema, &m, "Directory");
    plex__buf_puts(&b, "</MediaContainer>");
    CHECK_STR(b.ptr, "<MediaContainer size=\"1\" identifier=\"com.plexapp.plugins.library\">"
                     "<Directory ratingKey=\"7\" audienceRating=\"7.3\"/></MediaContainer>");
    /* a child set without its presence bit is written, in XML as in JSON */
    memset(&genre, 0, sizeof(genre));
    genre.tag = "Drama";
    m.genres = genres;
    m.genres_count = 1;
    b.len = 0;
    plex__model_write_xml(&b, &plex__metadata_schema, &m, "Video");
    CHECK_STR(b.ptr,
              "<Video ratingKey=\"7\" audienceRating=\"7.3\"><Genre tag=\"Drama\"/></Video>");
    b.len = 0;
    plex__jw_init(&w, &b);
    plex__model_write(&w, &plex__metadata_schema, &m);
    CHECK_STR(b.ptr,
              "{\"ratingKey\":\"7\",\"audienceRating\":7.3,\"Genre\":[{\"tag\":\"Drama\"}]}");
    /* so is a typed value (a Setting's) */
    {
        plex_setting st;
        memset(&st, 0, sizeof(st));
        st.id = "GdmEnabled";
        st.value.type = PLEX_VALUE_BOOL;
        st.value.text = "true";
        b.len = 0;
        plex__model_write_xml(&b, &plex__setting_schema, &st, "Setting");
        CHECK_STR(b.ptr, "<Setting id=\"GdmEnabled\" value=\"true\"/>");
        b.len = 0;
        plex__jw_init(&w, &b);
        plex__model_write(&w, &plex__setting_schema, &st);
        CHECK_STR(b.ptr, "{\"id\":\"GdmEnabled\",\"value\":true}");
    }
    plex__buf_dispose(&b);
}

/* ---- the incremental decoder ---- */

/* A listing of n items, JSON or XML, made from the movie fixture's item. */
static char *listing(int xml, size_t n, size_t *len_out)
{
    size_t len;
    char *d = load("pms/movie_full.json", &len);
    plex_container *c = NULL;
    plex__buf b = PLEX__BUF_INIT;
    char *item = NULL;

    REQUIRE(plex_container_parse(&c, d, len, 0, NULL) == 0);
    if (xml) {
        plex__buf_printf(&b,
                         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MediaContainer "
                         "size=\"%zu\" totalSize=\"%zu\" offset=\"0\">\n",
                         n, n);
        for (size_t i = 0; i < n; i++) {
            plex__model_write_xml(&b, &plex__metadata_schema, c->items[0], "Video");
            plex__buf_puts(&b, i % 3 ? "\n" : "\n<!-- -->\n");
            if (i == n / 2)
                plex__buf_puts(&b, "<Directory key=\"/x\" title=\"between\"/>");
        }
        plex__buf_puts(&b, "</MediaContainer>\n");
    } else {
        REQUIRE(plex__model_to_json(&plex__metadata_schema, c->items[0], &item) == 0);
        plex__buf_printf(&b,
                         "{\"MediaContainer\":{\"size\":%zu,\"totalSize\":%zu,"
                         "\"offset\":0,\"Metadata\":[",
                         n, n);
        for (size_t i = 0; i < n; i++)
            plex__buf_printf(&b, "%s%s", i ? ", " : "", item);
        plex__buf_puts(&b, "],\"Directory\":[{\"key\":\"/x\",\"title\":\"after\"}],"
                           "\"librarySectionTitle\":\"Movies\"}}");
    }
    plex_free(item);
    plex_container_free(c);
    free(d);
    *len_out = b.len;
    REQUIRE(b.err == 0);
    return b.ptr;
}

static char *item_json(const void *item)
{
    char *j = NULL;
    REQUIRE(plex__model_to_json(&plex__metadata_schema, item, &j) == 0);
    return j;
}

/* Feed doc in pieces of `chunk` bytes; every item must equal the batch decode's. */
static void stream_equals_batch(int xml, const char *doc, size_t len, size_t chunk)
{
    plex_container *batch = NULL;
    plex__stream *st = NULL;
    plex_error err;
    size_t fed = 0, got = 0;
    int rc;

    REQUIRE((xml ? plex_container_parse_xml(&batch, doc, len, 0, &err)
                 : plex_container_parse(&batch, doc, len, 0, &err)) == 0);
    REQUIRE(plex__stream_new(&st, &plex__media_container_schema, "Metadata", xml, 0, 1 << 20) == 0);
    for (;;) {
        const void *item;
        const char *raw;
        size_t raw_len;

        rc = plex__stream_next(st, &item, &raw, &raw_len, &err);
        if (rc < 0) {
            fprintf(stderr, "stream (chunk %zu): %s\n", chunk, err.message);
            break;
        }
        if (rc == 1) {
            char *a = item_json(item), *b;
            REQUIRE(got < batch->items_count);
            b = item_json(batch->items[got]);
            CHECK_STR(a, b);
            CHECK(raw_len > 100 && raw[0] == (xml ? '<' : '{') &&
                  raw[raw_len - 1] == (xml ? '>' : '}'));
            plex_free(a);
            plex_free(b);
            got++;
            continue;
        }
        if (plex__stream_done(st))
            break;
        if (fed == len) {
            plex__stream_end(st);
            continue;
        }
        {
            size_t n = len - fed < chunk ? len - fed : chunk;
            REQUIRE(plex__stream_feed(st, doc + fed, n) == 0);
            fed += n;
        }
    }
    CHECK_INT(rc, 0);
    CHECK_INT(got, batch->items_count);
    CHECK(plex__stream_done(st));
    {
        const plex_container *c = plex__stream_container(st);
        CHECK_INT(c->total_size, batch->total_size);
        CHECK_INT(c->directories_count, 1);
        CHECK_STR(c->directories_count ? c->directories[0]->key : NULL, "/x");
        if (!xml)
            CHECK_STR(c->library_section_title, "Movies");
        CHECK(plex_container_has(c, PLEX_CONTAINER_ITEMS));
    }
    plex__stream_free(st);
    plex_container_free(batch);
}

static void test_stream(void)
{
    static const size_t chunks[] = {1, 2, 7, 64, 333, 4096, 65536, 1 << 22};
    for (int xml = 0; xml < 2; xml++) {
        size_t len;
        char *doc = listing(xml, 25, &len);
        for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
            stream_equals_batch(xml, doc, len, chunks[i]);
        free(doc);
    }
}

/* Memory: 20,000 items through the stream, its footprint flat. */
static void test_stream_bounded(void)
{
    for (int xml = 0; xml < 2; xml++) {
        size_t len, fed = 0, got = 0, peak = 0, early = 0;
        char *doc = listing(xml, 20000, &len);
        plex__stream *st = NULL;
        plex_error err;

        REQUIRE(plex__stream_new(&st, &plex__media_container_schema, "Metadata", xml, 0, 1 << 20) ==
                0);
        while (!plex__stream_done(st)) {
            const void *item;
            int rc = plex__stream_next(st, &item, NULL, NULL, &err);
            size_t n;
            REQUIRE(rc >= 0);
            if (rc == 1) {
                got++;
                if (got == 100)
                    early = plex__stream_footprint(st);
                continue;
            }
            if (fed == len) {
                plex__stream_end(st);
                continue;
            }
            n = len - fed < 16384 ? len - fed : 16384;
            REQUIRE(plex__stream_feed(st, doc + fed, n) == 0);
            fed += n;
            if (plex__stream_footprint(st) > peak)
                peak = plex__stream_footprint(st);
        }
        CHECK_INT(got, 20000);
        /* ~100 MB of listing went through; the stream held what 100 items needed */
        CHECK(peak <= early + 64 * 1024);
        CHECK(peak < 1024 * 1024);
        printf("stream %s: %zu bytes, %zu items, peak footprint %zu bytes\n", xml ? "XML" : "JSON",
               len, got, peak);
        plex__stream_free(st);
        free(doc);
    }
}

/* Truncated, malformed and wrong-shape documents end in their own error. */
static void test_stream_errors(void)
{
    static const struct {
        int xml;
        const char *doc;
        int rc;
    } cases[] = {
        {0, "{\"MediaContainer\":{\"size\":1,\"Metadata\":[{\"ratingKey\":\"1\"}", PLEX_EPARSE},
        {0, "{\"MediaContainer\":{\"Metadata\":[{\"ratingKey\":\"1\"},{\"a\":tru}]}}", PLEX_EPARSE},
        {0, "{\"MediaContainer\":{\"Metadata\":[1]}}", PLEX_ESCHEMA},
        {0, "[]", PLEX_EPARSE},
        {0, "{\"NotAContainer\":{}}", PLEX_ESCHEMA},
        {0, "{\"MediaContainer\":{}} x", PLEX_EPARSE},
        {1, "<MediaContainer><Video ratingKey=\"1\"></MediaContainer>", PLEX_EPARSE},
        {1, "<MediaContainer><Video ratingKey=\"1\"/>", PLEX_EPARSE},
        {1, "<Other/>", PLEX_ESCHEMA},
        {1, "<MediaContainer/><MediaContainer/>", PLEX_EPARSE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        plex__stream *st = NULL;
        plex_error err;
        int rc = 0;
        const void *item;

        REQUIRE(plex__stream_new(&st, &plex__media_container_schema, "Metadata", cases[i].xml, 0,
                                 1 << 20) == 0);
        REQUIRE(plex__stream_feed(st, cases[i].doc, strlen(cases[i].doc)) == 0);
        plex__stream_end(st);
        for (int k = 0; k < 10 && rc >= 0 && !plex__stream_done(st); k++)
            rc = plex__stream_next(st, &item, NULL, NULL, &err);
        if (rc >= 0) /* the error may come after the end of the container */
            rc = plex__stream_next(st, &item, NULL, NULL, &err);
        if (rc != cases[i].rc)
            fprintf(stderr, "case %zu: %s\n", i, rc < 0 ? err.message : "no error");
        CHECK_INT(rc, cases[i].rc);
        plex__stream_free(st);
    }
    /* an item larger than max_unit: PLEX_ETOOBIG before the end */
    {
        plex__stream *st = NULL;
        plex_error err;
        const void *item;
        const char *head = "{\"MediaContainer\":{\"Metadata\":[{\"summary\":\"";
        char pad[4096];
        int rc = 0;
        memset(pad, 'a', sizeof(pad));
        REQUIRE(plex__stream_new(&st, &plex__media_container_schema, "Metadata", 0, 0, 10000) == 0);
        REQUIRE(plex__stream_feed(st, head, strlen(head)) == 0);
        for (int k = 0; k < 20 && rc == 0; k++) {
            REQUIRE(plex__stream_feed(st, pad, sizeof(pad)) == 0);
            rc = plex__stream_next(st, &item, NULL, NULL, &err);
        }
        CHECK_INT(rc, PLEX_ETOOBIG);
        plex__stream_free(st);
    }
}

static void test_alloc_failures(void)
{
    size_t len;
    char *d = load("pms/movie_full.json", &len);
    plex_container *c = NULL;
    unsigned long total;

    plex__alloc_fail_at(0);
    REQUIRE(plex_container_parse(&c, d, len, 0, NULL) == 0);
    total = plex__alloc_count();
    plex_container_free(c);
    for (unsigned long n = 1; n <= total; n++) {
        plex__alloc_fail_at(n);
        CHECK_INT(plex_container_parse(&c, d, len, 0, NULL), PLEX_ENOMEM);
        CHECK(c == NULL);
    }
    plex__alloc_fail_at(0);
    plex_container_free(NULL);
    free(d);
}

int main(void)
{
    test_schemas();
    test_movie_tolerant();
    test_movie_strict();
    test_sections();
    test_xml();
    test_writers();
    test_stream();
    test_stream_bounded();
    test_stream_errors();
    test_alloc_failures();
    return test_summary("test_pms_models");
}

/*
 * The model engine: schema-driven decoding (JSON and XML) and encoding.
 *
 * A model is a C struct described by a table of fields (wire name, kind,
 * offset, presence bit, flags). The tables are generated from the .model
 * declarations by scripts/modelgen.py (docs/ARCHITECTURE.md); one decoder
 * walks the input with the pull readers and stores each known field straight
 * into the struct, one encoder writes it back with the wire names.
 *
 * Two kinds of model:
 *   exact  (plex.tv) a wrong type fails; fields marked `loose` take a number
 *          for text. Unknown keys are skipped without allocating.
 *   open   (the media server) every conversion of plex_coercion is accepted
 *          and noted (refused with PLEX_PARSE_STRICT); null is absent; an
 *          unknown attribute is kept in the struct's `extra`.
 */
#ifndef PLEX_MODEL_H
#define PLEX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json.h"
#include "plex/value.h"

typedef enum plex__field_kind {
    PLEX__F_STRING, /* const char * */
    PLEX__F_INT64,  /* int64_t */
    PLEX__F_INT32,  /* int32_t */
    PLEX__F_DOUBLE, /* double */
    PLEX__F_BOOL,   /* plex_opt_bool */
    PLEX__F_TIME,   /* plex_timestamp, from an RFC 3339 string */
    PLEX__F_RAW,    /* const char *: exact JSON text of any value; null -> NULL */
    PLEX__F_ANY,    /* plex_value: a scalar of any type, with its text */
    PLEX__F_OBJECT, /* const void *: a sub-model allocated in the arena */
    PLEX__F_ARRAY,  /* const void *const *items, then size_t count: sub-models */
    PLEX__F_STRINGS /* const char *const *items, then size_t count: strings */
} plex__field_kind;

enum {
    PLEX__F_REQUIRED = 1u << 0, /* absence is reported in `missing` (an error when strict) */
    PLEX__F_NULLABLE = 1u << 1, /* null is a valid value meaning "none" */
    PLEX__F_NULL_OUT = 1u << 2, /* the encoder writes null when absent */
    PLEX__F_LOOSE = 1u << 3     /* exact models: a number is accepted (kept as text) */
};

#define PLEX__NO_OFFSET 0xFFFFu
#define PLEX__MAX_WORDS 8 /* presence words: 256 fields per model */

typedef struct plex__schema plex__schema;

/* Where an array field's count lives: right after its pointer (the generator
 * checks every struct with a static assertion). */
#define PLEX__COUNT_OFFSET(f) ((size_t)(f)->offset + sizeof(void *))

typedef struct plex__field {
    const char *name;        /* wire name: JSON key, XML attribute or element */
    const char *xml;         /* sub-model fields: XML element names "A,B,C@attr" (an element C
                                only when it has attribute `attr`); NULL: the wire name */
    const plex__schema *sub; /* PLEX__F_OBJECT/ARRAY: the sub-model */
    uint16_t offset;         /* PLEX__F_ARRAY/STRINGS: the size_t count follows the pointer */
    unsigned char bit;       /* presence bit, 0..255 (unique within the schema) */
    unsigned char len;       /* strlen(name) */
    unsigned char kind;      /* plex__field_kind */
    unsigned char flags;
    /* exact models: the sub-model's presence (and missing) bits land in this
     * model's masks at sub_shift + n (the public PLEX_PIN_LOCATION_* bits);
     * 0: they stay in the sub-model */
    unsigned char sub_shift;
} plex__field;

struct plex__schema {
    const char *name;          /* the model's name, for messages */
    const plex__field *fields; /* in declaration (struct) order: bit n = fields[n] */
    const uint16_t *by_name;   /* field indices sorted by wire name (a lookup on a miss) */
    const uint32_t *required;  /* presence words of the required fields (at least 2) */
    const uint16_t *bools;     /* offsets of the bool members (set to PLEX_ABSENT first) */
    void (*finish)(void *obj); /* derive C-only members after decoding, or NULL */
    const char *xml;           /* the XML element name of a root, or NULL */
    const char *root_key;      /* JSON: the document is {"<root_key>": {...}}; or NULL */
    uint32_t size;             /* sizeof the struct */
    uint16_t nfields, nbools;
    uint16_t present_offset; /* uint32_t present[words], or PLEX__NO_OFFSET */
    uint16_t missing_offset; /* uint32_t missing (exact models), or PLEX__NO_OFFSET */
    uint16_t extra_offset;   /* plex_attrs extra (open models), or PLEX__NO_OFFSET */
    uint16_t coerced_offset; /* uint32_t coerced (plex_coercion bits), or PLEX__NO_OFFSET */
    unsigned char words;     /* presence words */
    unsigned char open;      /* lenient conversions, unknown attributes kept */
    unsigned char list;      /* the JSON document is an array: fields[0] gets its items */
};

/*
 * Decode one JSON document holding a `schema` object (or, for a list schema,
 * an array of its items) into a new arena. On success *out is the root
 * struct (free with plex__model_free). out NULL is PLEX_EINVALID.
 */
int plex__model_parse(void **out, const plex__schema *schema, const char *data, size_t len,
                      unsigned int flags, plex_error *err);

/* The same from the XML rendering: the root element is the schema (attributes
 * -> scalar fields, child elements -> sub-model fields by element name). */
int plex__model_parse_xml(void **out, const plex__schema *schema, const char *data, size_t len,
                          unsigned int flags, plex_error *err);

/* Free a decoded root; NULL does nothing. */
void plex__model_free(void *obj);

/* Items of the array field fields[field] of obj: count, and item i (NULL out of range). */
size_t plex__model_count(const plex__schema *schema, const void *obj, size_t field);
const void *plex__model_at(const plex__schema *schema, const void *obj, size_t field, size_t i);

/* Append the JSON of `obj` (an object; a list schema: its items as an array). */
void plex__model_write(plex__json_writer *w, const plex__schema *schema, const void *obj);

/* Append the members of `obj` to the JSON object being written (no braces):
 * a caller that adds members of its own (a listing streamed item by item). */
void plex__model_write_members(plex__json_writer *w, const plex__schema *schema, const void *obj);

/* Write a double as the shortest %g text that reads back as the same value
 * ("7.3", not "7.2999999999999998"); returns its length. */
size_t plex__format_double(char *buf, size_t size, double v);

/* Encode `obj` as a compact JSON document (with its root_key wrapper). */
int plex__model_to_json(const plex__schema *schema, const void *obj, char **out);

/* Append `obj` as an XML element named `name` (NULL: the schema's xml name). */
void plex__model_write_xml(plex__buf *b, const plex__schema *schema, const void *obj,
                           const char *name);

/* Append the start of `obj`'s element: its attributes and child elements,
 * leaving it open for the caller's own children and its "</name>". */
void plex__model_write_xml_open(plex__buf *b, const plex__schema *schema, const void *obj,
                                const char *name);

/* Encode `obj` as an XML document: declaration, then its element. */
int plex__model_to_xml(const plex__schema *schema, const void *obj, char **out);

/* Append the dotted wire names of the fields whose bits are in `mask`
 * ("qr, location.city"), nested bits via sub_shift (exact models). */
void plex__model_field_names(plex__buf *b, const plex__schema *schema, uint64_t mask,
                             const char *prefix);

/*
 * Incremental decoding of one container document (a page of a listing)
 * while its bytes arrive: feed them as they come, take each item of the
 * items field as soon as it is complete. Only the item being decoded is
 * held as text, and only the last item taken as a struct: memory stays
 * bounded by the largest item, whatever the document's length. JSON
 * ({"MediaContainer": {..., "Metadata": [...]}}) or XML (<MediaContainer>
 * with item elements).
 */
typedef struct plex__stream plex__stream;

/* A stream for documents of `schema` (a container with a root element) whose
 * array field named `items` ("Metadata") holds the items. flags:
 * PLEX_PARSE_*. max_unit: the largest item (or member) in bytes before
 * PLEX_ETOOBIG. 0, PLEX_EINVALID (no such array field) or PLEX_ENOMEM. */
int plex__stream_new(plex__stream **out, const plex__schema *schema, const char *items, int xml,
                     unsigned int flags, size_t max_unit);

/* Start a new document (the next page): forget the last one's bytes, items
 * and container. */
void plex__stream_reset(plex__stream *st);

/* Append bytes of the document. 0 or PLEX_ENOMEM. */
int plex__stream_feed(plex__stream *st, const char *data, size_t n);

/* No more bytes will come (the transfer ended). */
void plex__stream_end(plex__stream *st);

/* The next item: 1 with *item set (valid until the next call or reset) and
 * its bytes in *raw and *raw_len (NULLs allowed; valid until the next feed);
 * 0 when more bytes are needed (or, after plex__stream_end, the document is
 * complete: see plex__stream_done); or an error recorded in err (PLEX_EPARSE,
 * PLEX_ESCHEMA, PLEX_ETOOBIG, PLEX_ENOMEM). */
int plex__stream_next(plex__stream *st, const void **item, const char **raw, size_t *raw_len,
                      plex_error *err);

/* 1 once the whole document was read (the container is complete). */
int plex__stream_done(const plex__stream *st);

/* The container's attributes read so far (all of them once done). */
const void *plex__stream_container(const plex__stream *st);

/* Items taken so far in this document. */
size_t plex__stream_items(const plex__stream *st);

/* Bytes held now (buffer and arena blocks), for the memory-bound tests. */
size_t plex__stream_footprint(const plex__stream *st);

void plex__stream_free(plex__stream *st);

/* The required bits of a schema recomputed from its table (for the tests). */
uint64_t plex__model_required_bits(const plex__schema *schema);

#endif

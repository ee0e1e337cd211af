/*
 * Schema-driven decoding and encoding of JSON models.
 *
 * A model is a C struct described by a table of fields: wire name, kind,
 * offset, presence bit, flags. One decoder walks the JSON with the pull
 * reader and stores each known field straight into the struct; one encoder
 * writes the struct back with the wire names. Every model of the API is a
 * table, not a hand-written parser.
 */
#ifndef PLEX_MODEL_H
#define PLEX_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json.h"

typedef enum plex__field_kind {
    PLEX__F_STRING,           /* const char * */
    PLEX__F_STRING_OR_NUMBER, /* const char *; a number is kept as its text */
    PLEX__F_INT64,            /* int64_t */
    PLEX__F_INT32,            /* int32_t */
    PLEX__F_BOOL,             /* plex_opt_bool */
    PLEX__F_TIME,             /* plex_timestamp, from an RFC 3339 string */
    PLEX__F_RAW,              /* const char *: exact JSON text of any value; null -> NULL */
    PLEX__F_OBJECT,           /* const void *: a sub-model allocated in the arena */
    PLEX__F_ARRAY,            /* const void *const *items + size_t count (at offset2):
                                 an array of sub-models */
    PLEX__F_STRINGS           /* const char *const *items + size_t count (at offset2):
                                 an array of strings */
} plex__field_kind;

enum {
    PLEX__F_REQUIRED = 1u << 0,  /* absence is reported in `missing` (an error when strict) */
    PLEX__F_NULLABLE = 1u << 1,  /* null is a valid value meaning "none" */
    PLEX__F_NULL_OUT = 1u << 2   /* the encoder writes null when absent */
};

typedef struct plex__schema plex__schema;

/*
 * Presence bits. A field's bit is 0..63 and need not follow the table order
 * (the table can follow the wire order while the bits follow the struct).
 * The decoder works on 64-bit masks; a struct stores them in uint32_t words:
 * bits 0..31 in the word at present_offset and, for a model that has fields
 * at bits 32..63, bits 32..63 in a second uint32_t right after it (a public
 * `present_hi` member; the model's table asserts the layout). Structs are
 * zeroed before decoding, so the second word is only written when a field at
 * bit 32 or above was present, and only read for such fields. The missing
 * mask stores bits 0..31 (a strict decode reports all of them by name).
 */
typedef struct plex__field {
    const char *name;   /* wire name */
    unsigned char len;  /* strlen(name) */
    unsigned char kind; /* plex__field_kind */
    unsigned char flags;
    unsigned char bit;  /* presence bit index in the struct's mask, 0..63 */
    unsigned short offset;
    const plex__schema *sub;  /* PLEX__F_OBJECT/ARRAY: the sub-model */
    /* Where the sub-model's bits land in this mask; 0: they are not merged
     * (the sub-model keeps its own present mask; its required fields, if
     * any, are then not reported). */
    unsigned char sub_shift;
    unsigned short offset2;   /* PLEX__F_ARRAY/STRINGS: offset of the size_t count */
} plex__field;

struct plex__schema {
    const plex__field *fields;
    size_t nfields;
    size_t size;              /* sizeof the struct */
    size_t present_offset;    /* offset of its uint32_t present mask, or (size_t)-1 */
    size_t missing_offset;    /* offset of a uint32_t missing mask, or (size_t)-1 */
    uint64_t bools;           /* bit i: fields[i] is a PLEX__F_BOOL, which the decoder sets to
                                 PLEX_ABSENT first (table positions, not presence bits;
                                 kept in step by a test) */
    void (*finish)(void *obj);/* derive fields after decoding, or NULL */
    uint64_t required;        /* bits of the PLEX__F_REQUIRED fields (kept in step by a test) */
};

/* `required` and `bools` computed from the field table (for the tests that
 * keep them in step). */
uint64_t plex__model_required_bits(const plex__schema *schema);
uint64_t plex__model_bool_bits(const plex__schema *schema);

#define PLEX__FIELD(name, kind, flags, bit, type, member)                                          \
    {name, (unsigned char)(sizeof(name) - 1), kind, flags, bit,                                    \
     (unsigned short)offsetof(type, member), NULL, 0, 0}
#define PLEX__FIELD_OBJ(name, flags, bit, type, member, sub, shift)                                \
    {name, (unsigned char)(sizeof(name) - 1), PLEX__F_OBJECT, flags, bit,                          \
     (unsigned short)offsetof(type, member), sub, shift, 0}
#define PLEX__FIELD_ARRAY(name, flags, bit, type, member, count, sub, shift)                       \
    {name, (unsigned char)(sizeof(name) - 1), PLEX__F_ARRAY, flags, bit,                           \
     (unsigned short)offsetof(type, member), sub, shift, (unsigned short)offsetof(type, count)}
/* An array of strings: null elements are dropped (an error when strict). */
#define PLEX__FIELD_STRINGS(name, flags, bit, type, member, count)                                 \
    {name, (unsigned char)(sizeof(name) - 1), PLEX__F_STRINGS, flags, bit,                         \
     (unsigned short)offsetof(type, member), NULL, 0, (unsigned short)offsetof(type, count)}

/*
 * Decode one JSON document holding a `schema` object into a new arena.
 * On success *out is the root struct (free with plex__arena_free_root).
 * The arena's first block is sized from the input, so a typical document
 * costs exactly one allocation.
 */
int plex__model_parse(void **out, const plex__schema *schema, const char *data, size_t len,
                      unsigned int flags, plex_error *err);

/*
 * Decode a JSON document whose top level is an array: `schema` describes a
 * wrapper struct whose first field is a PLEX__F_ARRAY; the items land there.
 */
int plex__model_parse_list(void **out, const plex__schema *schema, const char *data, size_t len,
                           unsigned int flags, plex_error *err);

/* Encode the items of such a wrapper as a compact JSON array. */
int plex__model_list_to_json(const plex__schema *schema, const void *obj, char **out);

/* Append the JSON object of `obj` to the writer. */
void plex__model_write(plex__json_writer *w, const plex__schema *schema, const void *obj);

/* Encode `obj` as a compact JSON document. */
int plex__model_to_json(const plex__schema *schema, const void *obj, char **out);

/* Append the dotted wire names of the fields whose bits are in `mask`
 * ("qr, location.city"), nested bits via sub_shift. */
void plex__model_field_names(plex__buf *b, const plex__schema *schema, uint64_t mask,
                             const char *prefix);

/* The user model (GET /api/v2/user), defined with the user operations in
 * client.c; declared here for the tests. */
extern const plex__schema plex__user_schema;
extern const plex__schema plex__user_profile_schema;
extern const plex__schema plex__user_service_schema;
extern const plex__schema plex__user_subscription_schema;

#endif

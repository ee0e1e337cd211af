/*
 * A small pull reader for the XML plex.tv answers (error bodies, the v1
 * users list): elements, attributes and text; the prolog, comments,
 * processing instructions and DOCTYPE are skipped. Well-formedness is
 * checked (matching tags, quoted attributes, valid UTF-8, entities); there
 * are no namespaces or DTDs. It never reads outside [buf, buf + len).
 */
#ifndef PLEX_XML_H
#define PLEX_XML_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define PLEX__XML_MAX_DEPTH 64

typedef enum plex__xml_type {
    PLEX__XML_EOF = 0, /* the root element closed and only misc followed */
    PLEX__XML_START,   /* <name attr="v"...> or <name .../> (self_closing) */
    PLEX__XML_END,     /* </name>, or the implied end of a self-closing tag */
    PLEX__XML_TEXT     /* character data (not whitespace-only between elements) */
} plex__xml_type;

typedef struct plex__xml_token {
    plex__xml_type type;
    size_t name_start, name_end; /* START/END: the element name */
    size_t attr_start, attr_end; /* START: the attribute text; TEXT: the raw text */
    int self_closing;
} plex__xml_token;

typedef struct plex__xml_reader {
    const char *buf;
    size_t len;
    size_t pos;
    unsigned int depth;
    int pending_end; /* a self-closing tag's END is due */
    int seen_root;
    int failed;
    size_t err_pos;
    const char *err_msg;
    size_t open_start[PLEX__XML_MAX_DEPTH], open_end[PLEX__XML_MAX_DEPTH];
} plex__xml_reader;

void plex__xml_reader_init(plex__xml_reader *r, const char *buf, size_t len);
int plex__xml_next(plex__xml_reader *r, plex__xml_token *tok);
/* Consume the rest of the element whose START was just read. */
int plex__xml_skip(plex__xml_reader *r, const plex__xml_token *tok);
int plex__xml_error(const plex__xml_reader *r, plex_error *err);

/* 1 if the START/END token's name is `name`. */
int plex__xml_name_is(const plex__xml_reader *r, const plex__xml_token *tok, const char *name);

/* Find attribute `name` of a START token: its raw value span [*a, *z).
 * Returns 1 if found. Attributes were validated by plex__xml_next. */
int plex__xml_attr(const plex__xml_reader *r, const plex__xml_token *tok, const char *name,
                   size_t *a, size_t *z);

/* Decode entities of raw text [a, z) into dst (room for z - a bytes).
 * Returns the decoded length. The text was validated by plex__xml_next. */
size_t plex__xml_unescape(const char *buf, size_t a, size_t z, char *dst);

/* Append s as XML attribute/text content with &<>"' escaped. */
void plex__xml_put_escaped(plex__buf *b, const char *s);

#endif

/*
 * Server-sent events without I/O: the framing of a text/event-stream (the
 * WHATWG "event stream interpretation") and the decoding of a media server's
 * notifications (PMS.md §5), so that a fuzzer or a unit test can drive them
 * with any bytes. events.c feeds the bytes of its connection here.
 *
 * Framing: lines end with CRLF, LF or CR (a CRLF split between two reads is
 * one end); a leading UTF-8 BOM is dropped; a line starting with ':' is a
 * comment; `field: value` (one space after the colon dropped) sets the event
 * type (`event`), appends a data line (`data`, joined by '\n'), the last id
 * (`id`) or the reconnection time (`retry`, digits only); other fields are
 * ignored; a blank line ends an event, which is dispatched only if it had a
 * `data` line. Memory is bounded: a line longer than max_line, or an event
 * whose data passes max_data, is PLEX_ETOOBIG (an endless line is an error,
 * not unbounded growth), and the parser then stays failed until reset.
 */
#ifndef PLEX_PMS_SSE_H
#define PLEX_PMS_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "plex/pms/events.h"

#define PLEX__SSE_MAX_LINE ((size_t)1024 * 1024) /* default bytes of one line */

typedef struct plex__sse {
    plex__buf line;            /* the line being read, without its end */
    plex__buf data;            /* the event's data lines, each followed by '\n' */
    plex__buf type;            /* the event's type; empty: "message" */
    plex__buf id;              /* the last event id */
    long retry_ms;             /* the last `retry:`, or -1 */
    size_t max_line;           /* bytes of a line */
    size_t max_data;           /* bytes of an event's data */
    int after_cr;              /* the last byte ended a line with CR (an LF next is part of it) */
    int first_line;            /* the stream's first line is being read (BOM) */
    int has_data;              /* the event has a data line */
    int dispatched;            /* an event was returned: clear it before reading on */
    int failed;                /* sticky error code, or 0 */
    uint64_t events, comments; /* counters */
} plex__sse;

/* One event; the strings are borrowed from the parser until its next call. */
typedef struct plex__sse_event {
    const char *type; /* NUL-terminated; "message" when the event named none */
    size_t type_len;
    const char *data; /* NUL-terminated (may hold NULs itself); the last '\n' removed */
    size_t data_len;
    const char *id; /* the last id so far, or "" */
} plex__sse_event;

/* A parser with the given bounds (0: PLEX__SSE_MAX_LINE; max_data 0: 4 x max_line). */
void plex__sse_init(plex__sse *p, size_t max_line, size_t max_data);

/* Forget the stream (a new connection): a partial line or event is dropped;
 * the last id and retry are kept (they survive reconnections). */
void plex__sse_reset(plex__sse *p);

void plex__sse_dispose(plex__sse *p);

/*
 * Read in[*pos..len) until an event is complete, moving *pos past what was
 * read. Returns 1 with *ev set, 0 when the input is used up without a whole
 * event (the rest is kept for the next call), PLEX_ETOOBIG (a line or an
 * event over the bounds) or PLEX_ENOMEM; errors are sticky.
 */
int plex__sse_next(plex__sse *p, const char *in, size_t len, size_t *pos, plex__sse_event *ev);

/* Bytes held now (for the memory-bound tests). */
size_t plex__sse_footprint(const plex__sse *p);

/* ---- notifications ---- */

/*
 * The plex_event_type of a notification type as sent ("playing",
 * "transcodeSession.end"...): PLEX_EVENT_OTHER for one libplex does not
 * know (n bytes of name).
 */
plex_event_type plex__event_type_of(const char *name, size_t n);

#endif

/*
 * Checks every generated schema must pass (the generator computes what was
 * once kept in step by hand; these tests keep the generator honest).
 */
#ifndef PLEX_TEST_SCHEMA_CHECK_H
#define PLEX_TEST_SCHEMA_CHECK_H

#include <string.h>

#include "core/model.h"
#include "test.h"

static void check_schema(const plex__schema *s)
{
    uint64_t req = s->required[0];
    size_t bools = 0;

    if (s->words > 1)
        req |= (uint64_t)s->required[1] << 32;
    CHECK_INT(req, plex__model_required_bits(s));
    for (size_t j = 0; j < s->nfields; j++) {
        const plex__field *f = &s->fields[j];
        CHECK_INT(f->len, strlen(f->name));
        if (f->kind == PLEX__F_BOOL) {
            CHECK(bools < s->nbools && s->bools[bools] == f->offset);
            bools++;
        }
        /* the name index is sorted and names every field once */
        if (j > 0) {
            const plex__field *a = &s->fields[s->by_name[j - 1]], *b = &s->fields[s->by_name[j]];
            CHECK(strcmp(a->name, b->name) < 0);
        }
    }
    CHECK_INT(bools, s->nbools);
}

#endif

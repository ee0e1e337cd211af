/*
 * Playlists: plex playlists, playlist, playlist create, add, remove, delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

static int is_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* ---- finding a playlist by key or title ---- */

typedef struct find_ctx {
    const char *want;
    char key[64];
    char title[512];
    int hits;
} find_ctx;

static int match_title(const plex_metadata *m, void *ctx)
{
    find_ctx *f = ctx;

    if (m->title && m->rating_key && strcasecmp(m->title, f->want) == 0) {
        if (f->hits++ == 0) {
            snprintf(f->key, sizeof(f->key), "%s", m->rating_key);
            snprintf(f->title, sizeof(f->title), "%s", m->title);
        }
    }
    return 0;
}

/* The playlist `want` (its ratingKey, or its title): key and title into f.
 * 0 or an exit code after a message. */
static int find_playlist(cli_pms *p, const char *want, find_ctx *f)
{
    plex_listing *l = NULL;
    int rc, json = cli_g.json;

    memset(f, 0, sizeof(*f));
    f->want = want;
    if (is_number(want)) {
        plex_container *c = NULL;
        char what[128];
        snprintf(what, sizeof(what), "playlist %s", want);
        if ((rc = plex_playlist_get(&c, p->server, want)) != 0)
            return cli_pms_fail(p, rc, what);
        snprintf(f->key, sizeof(f->key), "%s", want);
        snprintf(f->title, sizeof(f->title), "%s",
                 c->items_count && c->items[0]->title ? c->items[0]->title : want);
        plex_container_free(c);
        return 0;
    }
    if ((rc = plex_playlists_get(&l, p->server, NULL, NULL)) != 0)
        return cli_pms_fail(p, rc, "listing the playlists");
    cli_g.json = 0; /* a search: nothing is printed */
    rc = cli_pms_walk(p, l, match_title, f, "listing the playlists");
    cli_g.json = json;
    plex_listing_free(l);
    if (rc != 0)
        return rc;
    if (f->hits != 1) {
        if (f->hits)
            cli_error("%d playlists are titled '%s': give its key ('plex playlists')", f->hits,
                      want);
        else
            cli_error("no playlist is titled '%s' ('plex playlists' lists them)", want);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* ---- plex playlists ---- */

typedef struct pl_walk {
    cli_table t;
} pl_walk;

static int playlist_row(const plex_metadata *m, void *ctx)
{
    pl_walk *w = ctx;
    char type[64], items[32] = "", length[32] = "";
    const char *cells[5];

    snprintf(type, sizeof(type), "%s%s", m->playlist_type ? m->playlist_type : "",
             m->smart == PLEX_TRUE ? " (smart)" : "");
    if (plex_metadata_has(m, PLEX_METADATA_LEAF_COUNT))
        snprintf(items, sizeof(items), "%d", m->leaf_count);
    if (plex_metadata_has(m, PLEX_METADATA_DURATION) && m->duration > 0)
        cli_fmt_duration(length, sizeof(length), m->duration);
    cells[0] = m->rating_key;
    cells[1] = m->title;
    cells[2] = type;
    cells[3] = items;
    cells[4] = length;
    cli_table_row(&w->t, cells);
    return 0;
}

int cmd_playlists(const cli_cmd *cmd, int argc, char **argv)
{
    static const cli_column cols[] = {
        {"KEY", 7, CLI_COL_RIGHT | CLI_COL_DIM},
        {"TITLE", 50, CLI_COL_FLEX},
        {"TYPE", 13, 0},
        {"ITEMS", 6, CLI_COL_RIGHT},
        {"LENGTH", 8, CLI_COL_RIGHT},
    };
    const cli_opt opts[] = {CLI_END};
    plex_listing *l = NULL;
    pl_walk w;
    cli_pms p;
    int rc;

    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "List the playlists (GET /playlists): key, title, type, items, length.\n"
                       "--json: each playlist's Metadata object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_playlists_get(&l, p.server, NULL, NULL)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the playlists");
        goto done;
    }
    cli_table_init(&w.t, cols, 5, 1);
    rc = cli_pms_walk(&p, l, playlist_row, &w, "listing the playlists");
    if (rc == 0)
        rc = cli_table_end(&w.t);
    else
        w.t.nrows = 0, cli_table_end(&w.t);
    plex_listing_free(l);
done:
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex playlist ---- */

int cmd_playlist(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *want;
    const cli_opt opts[] = {
        CLI_ARG("PLAYLIST", want, 1, "the playlist: its key, or its title"),
        CLI_END,
    };
    plex_listing *l = NULL;
    find_ctx f;
    cli_pms p;
    int rc;

    want = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "List the items of a playlist (GET /playlists/{key}/items), in order.\n"
                       "--json: each item's Metadata object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = find_playlist(&p, want, &f)) != 0)
        goto done;
    if ((rc = plex_playlist_items(&l, p.server, f.key, NULL, NULL)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the playlist");
        goto done;
    }
    rc = cli_walk_items(&p, l, 0, "listing the playlist");
    plex_listing_free(l);
done:
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- the items given on the command line ---- */

/* "7,8,9" of the keys, malloc'd; NULL when out of memory. */
static char *key_list(const cli_strs *keys)
{
    size_t n = 1;
    char *s;

    for (int i = 0; i < keys->n; i++)
        n += strlen(keys->v[i]) + 1;
    if (!(s = malloc(n)))
        return NULL;
    s[0] = '\0';
    for (int i = 0, k = 0; i < keys->n; i++)
        k += snprintf(s + k, n - (size_t)k, "%s%s", i ? "," : "", keys->v[i]);
    return s;
}

/* The playlist type of an item ("video", "audio", "photo"), or NULL. */
static const char *kind_of(const plex_metadata *m)
{
    static const char *const video[] = {"movie", "episode", "clip", "season", "show"};
    static const char *const audio[] = {"track", "album", "artist"};

    if (!m->type)
        return NULL;
    for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
        if (strcmp(m->type, video[i]) == 0)
            return "video";
    for (size_t i = 0; i < sizeof(audio) / sizeof(audio[0]); i++)
        if (strcmp(m->type, audio[i]) == 0)
            return "audio";
    return strcmp(m->type, "photo") == 0 ? "photo" : NULL;
}

/* Check that every key is an item of the server, all of one kind: the
 * kind into *type. 0 or an exit code after a message. */
static int check_items(cli_pms *p, const cli_strs *keys, const char **type)
{
    plex_container *c = NULL;
    char *list;
    int rc;

    for (int i = 0; i < keys->n; i++)
        if (!is_number(keys->v[i])) {
            cli_error("'%s' is not an item key (a number, as 'plex ls' shows it)", keys->v[i]);
            return CLI_EXIT_USAGE;
        }
    if (!(list = key_list(keys))) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    rc = plex_metadata_get(&c, p->server, list, NULL);
    free(list);
    if (rc != 0)
        return cli_pms_fail(p, rc, "reading the items");
    *type = NULL;
    for (int i = 0; i < keys->n && rc == 0; i++) {
        const plex_metadata *m = NULL;
        for (size_t k = 0; k < c->items_count && !m; k++)
            if (c->items[k]->rating_key && strcmp(c->items[k]->rating_key, keys->v[i]) == 0)
                m = c->items[k];
        if (!m) {
            cli_error("no item %s on %s", keys->v[i], p->label);
            rc = CLI_EXIT_ERROR;
        } else if (!kind_of(m)) {
            cli_error("item %s is a %s: it cannot be in a playlist", keys->v[i],
                      m->type ? m->type : "thing of no type");
            rc = CLI_EXIT_ERROR;
        } else if (*type && strcmp(*type, kind_of(m)) != 0) {
            cli_error("item %s is %s, the others %s: a playlist holds one kind", keys->v[i],
                      kind_of(m), *type);
            rc = CLI_EXIT_ERROR;
        } else {
            *type = kind_of(m);
        }
    }
    plex_container_free(c);
    return rc;
}

/* ---- plex playlist create, add ---- */

int cmd_playlist_create(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *title;
    static cli_strs keys;
    const cli_opt opts[] = {
        CLI_ARG("TITLE", title, 1, "the new playlist's title"),
        CLI_REST("KEY", keys, 1, "the items, in order (movies and episodes, or tracks, or photos)"),
        CLI_END,
    };
    plex_container *c = NULL;
    const char *type = NULL;
    cli_pms p;
    int rc;

    title = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "Make a playlist of items (POST /playlists): video, audio or photo, as the\n"
                       "items are.\n"
                       "--json: the new playlist's Metadata object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = check_items(&p, &keys, &type)) != 0)
        goto done;
    if ((rc = plex_playlist_create(&c, p.server, title, type, keys.v, (size_t)keys.n)) != 0) {
        rc = cli_pms_fail(&p, rc, "creating the playlist");
        goto done;
    }
    if (cli_g.json)
        rc = cli_pms_json(&p, c, "Metadata");
    else
        printf("Created the %s playlist %s (key %s) with %d item%s.\n", type, title,
               c->items_count && c->items[0]->rating_key ? c->items[0]->rating_key : "?", keys.n,
               keys.n == 1 ? "" : "s");
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

int cmd_playlist_add(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *want;
    static cli_strs keys;
    const cli_opt opts[] = {
        CLI_ARG("PLAYLIST", want, 1, "the playlist: its key, or its title"),
        CLI_REST("KEY", keys, 1, "the items to append, in order"),
        CLI_END,
    };
    plex_container *c = NULL;
    const char *type = NULL;
    find_ctx f;
    cli_pms p;
    int rc;

    want = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "Append items to a playlist (PUT /playlists/{key}/items).\n"
                       "--json: the playlist's Metadata object as the server then has it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = find_playlist(&p, want, &f)) != 0 ||
        (rc = check_items(&p, &keys, &type)) != 0)
        goto done;
    if ((rc = plex_playlist_add(&c, p.server, f.key, keys.v, (size_t)keys.n)) != 0) {
        rc = cli_pms_fail(&p, rc, "adding to the playlist");
        goto done;
    }
    if (cli_g.json)
        rc = cli_pms_json(&p, c, "Metadata");
    else
        printf("Added %d item%s to %s.\n", keys.n, keys.n == 1 ? "" : "s", f.title);
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex playlist remove ---- */

/* The playlist's entries whose ratingKey is one of the keys. */
typedef struct entries {
    const cli_strs *keys;
    int64_t *ids; /* playlistItemID of each match */
    int *of;      /* which key */
    size_t n, cap;
    int found[CLI_STRS_MAX];
} entries;

static int find_entries(const plex_metadata *m, void *ctx)
{
    entries *e = ctx;

    for (int i = 0; i < e->keys->n; i++) {
        if (!m->rating_key || strcmp(m->rating_key, e->keys->v[i]) != 0 ||
            !plex_metadata_has(m, PLEX_METADATA_PLAYLIST_ITEM_ID))
            continue;
        if (e->n == e->cap) {
            size_t cap = e->cap ? e->cap * 2 : 16;
            int64_t *ids = realloc(e->ids, cap * sizeof(*ids));
            int *of;
            if (!ids)
                return CLI_EXIT_ERROR;
            e->ids = ids;
            if (!(of = realloc(e->of, cap * sizeof(*of))))
                return CLI_EXIT_ERROR;
            e->of = of;
            e->cap = cap;
        }
        e->ids[e->n] = m->playlist_item_id;
        e->of[e->n++] = i;
        e->found[i] = 1;
    }
    return 0;
}

int cmd_playlist_remove(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *want;
    static cli_strs keys;
    const cli_opt opts[] = {
        CLI_ARG("PLAYLIST", want, 1, "the playlist: its key, or its title"),
        CLI_REST("KEY", keys, 1, "the items to take out (every entry of each)"),
        CLI_END,
    };
    plex_listing *l = NULL;
    entries e;
    find_ctx f;
    cli_pms p;
    int rc, json = cli_g.json;

    want = NULL;
    memset(&p, 0, sizeof(p));
    memset(&e, 0, sizeof(e));
    e.keys = &keys;
    rc = cli_opt_parse(opts, cmd->name,
                       "Take items out of a playlist (DELETE /playlists/{key}/items/{id} for each\n"
                       "of their entries).\n"
                       "--json: the playlist's Metadata object as the server then has it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = find_playlist(&p, want, &f)) != 0)
        goto done;
    if ((rc = plex_playlist_items(&l, p.server, f.key, NULL, NULL)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the playlist");
        goto done;
    }
    cli_g.json = 0;
    rc = cli_pms_walk(&p, l, find_entries, &e, "listing the playlist");
    cli_g.json = json;
    if (rc == CLI_EXIT_ERROR && !e.ids)
        cli_error("out of memory");
    if (rc != 0)
        goto done;
    for (int i = 0; i < keys.n; i++)
        if (!e.found[i]) {
            cli_error("item %s is not in the playlist %s", keys.v[i], f.title);
            rc = CLI_EXIT_ERROR;
            goto done;
        }
    for (size_t i = 0; i < e.n && rc == 0; i++)
        if ((rc = plex_playlist_remove(p.server, f.key, e.ids[i])) != 0)
            rc = cli_pms_fail(&p, rc, "removing from the playlist");
    if (rc != 0)
        goto done;
    if (cli_g.json) {
        plex_container *c = NULL;
        if ((rc = plex_playlist_get(&c, p.server, f.key)) != 0)
            rc = cli_pms_fail(&p, rc, "reading the playlist back");
        else
            rc = cli_pms_json(&p, c, "Metadata");
        plex_container_free(c);
    } else {
        printf("Removed %zu entr%s from %s.\n", e.n, e.n == 1 ? "y" : "ies", f.title);
    }
done:
    plex_listing_free(l);
    free(e.ids);
    free(e.of);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex playlist delete ---- */

int cmd_playlist_delete(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *want;
    const cli_opt opts[] = {
        CLI_ARG("PLAYLIST", want, 1, "the playlist: its key, or its title"),
        CLI_END,
    };
    find_ctx f;
    cli_pms p;
    int rc;

    want = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(
        opts, cmd->name,
        "Delete a playlist (DELETE /playlists/{key}); its items stay in the library.\n"
        "--json: {\"ratingKey\", \"title\", \"deleted\": true}.",
        argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = find_playlist(&p, want, &f)) != 0)
        goto done;
    if ((rc = plex_playlist_delete(p.server, f.key)) != 0) {
        rc = cli_pms_fail(&p, rc, "deleting the playlist");
        goto done;
    }
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "ratingKey", f.key);
        cli_json_str(&j, "title", f.title);
        cli_json_bool(&j, "deleted", 1);
        cli_json_end(&j);
    } else {
        printf("Deleted the playlist %s.\n", f.title);
    }
done:
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

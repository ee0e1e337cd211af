/*
 * Browsing a media server: plex libraries, ls, children, show, search,
 * ondeck, recent; and the item table the other media-server commands share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

/* ---- the item table ---- */

static const cli_column item_cols[] = {
    {"KEY", 7, CLI_COL_RIGHT | CLI_COL_DIM}, {"TITLE", 60, CLI_COL_FLEX},   {"YEAR", 4, 0},
    {"LENGTH", 11, CLI_COL_RIGHT},           {"WATCHED", 7, CLI_COL_RIGHT},
};
#define NITEM_COLS ((int)(sizeof(item_cols) / sizeof(item_cols[0])))

void cli_items_init(cli_table *t, int buffered)
{
    cli_table_init(t, item_cols, NITEM_COLS, buffered);
}

static int is_type(const plex_metadata *m, const char *type)
{
    return m->type && strcmp(m->type, type) == 0;
}

/* A leaf is played; a container holds leaves (leafCount). */
static int is_container(const plex_metadata *m)
{
    return is_type(m, "show") || is_type(m, "season") || is_type(m, "artist") ||
           is_type(m, "album") || is_type(m, "playlist") || is_type(m, "collection") ||
           (is_type(m, "photo") && m->key && strstr(m->key, "/children"));
}

void cli_item_title(char *buf, size_t size, const plex_metadata *m, int in_context)
{
    const char *title = m->title ? m->title : "";
    char se[32] = "";

    if (is_type(m, "episode")) {
        if (plex_metadata_has(m, PLEX_METADATA_PARENT_INDEX) &&
            plex_metadata_has(m, PLEX_METADATA_INDEX))
            snprintf(se, sizeof(se), "S%02dE%02d ", m->parent_index, m->index);
        else if (plex_metadata_has(m, PLEX_METADATA_INDEX))
            snprintf(se, sizeof(se), "E%02d ", m->index);
        if (!in_context && m->grandparent_title)
            snprintf(buf, size, "%s %s%s", m->grandparent_title, se, title);
        else
            snprintf(buf, size, "%s%s", se, title);
    } else if (is_type(m, "track")) {
        if (in_context && plex_metadata_has(m, PLEX_METADATA_INDEX))
            snprintf(buf, size, "%02d %s", m->index, title);
        else if (!in_context && m->grandparent_title)
            snprintf(buf, size, "%s \xe2\x80\x93 %s", m->grandparent_title, title);
        else
            snprintf(buf, size, "%s", title);
    } else if ((is_type(m, "season") || is_type(m, "album")) && !in_context && m->parent_title) {
        snprintf(buf, size, "%s \xe2\x80\x93 %s", m->parent_title, title);
    } else {
        snprintf(buf, size, "%s", title);
    }
}

/* "24 episodes", "12 tracks"... for a container's leafCount. */
static void leaves(char *buf, size_t size, const plex_metadata *m)
{
    const char *unit = is_type(m, "show") || is_type(m, "season")    ? "episode"
                       : is_type(m, "artist") || is_type(m, "album") ? "track"
                       : is_type(m, "photo")                         ? "photo"
                                                                     : "item";
    int n = plex_metadata_has(m, PLEX_METADATA_LEAF_COUNT)    ? m->leaf_count
            : plex_metadata_has(m, PLEX_METADATA_CHILD_COUNT) ? m->child_count
                                                              : -1;
    if (n < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, "%d %s%s", n, unit, n == 1 ? "" : "s");
}

void cli_item_row(cli_table *t, const plex_metadata *m, int in_context)
{
    char title[512], year[16] = "", length[32] = "", watched[32] = "";
    const char *cells[NITEM_COLS];

    cli_item_title(title, sizeof(title), m, in_context);
    if (plex_metadata_has(m, PLEX_METADATA_YEAR) && m->year > 0)
        snprintf(year, sizeof(year), "%d", m->year);
    else if (m->originally_available_at && strlen(m->originally_available_at) >= 4)
        snprintf(year, sizeof(year), "%.4s", m->originally_available_at);
    if (is_container(m)) {
        leaves(length, sizeof(length), m);
        if (plex_metadata_has(m, PLEX_METADATA_LEAF_COUNT) && m->leaf_count > 0)
            snprintf(watched, sizeof(watched), "%d/%d",
                     plex_metadata_has(m, PLEX_METADATA_VIEWED_LEAF_COUNT) ? m->viewed_leaf_count
                                                                           : 0,
                     m->leaf_count);
    } else {
        if (plex_metadata_has(m, PLEX_METADATA_DURATION) && m->duration > 0)
            cli_fmt_duration(length, sizeof(length), m->duration);
        if (plex_metadata_has(m, PLEX_METADATA_VIEW_COUNT) && m->view_count > 0)
            snprintf(watched, sizeof(watched), "yes");
        else if (plex_metadata_has(m, PLEX_METADATA_VIEW_OFFSET) && m->view_offset > 0 &&
                 m->duration > 0)
            snprintf(watched, sizeof(watched), "%d%%", (int)(m->view_offset * 100 / m->duration));
    }
    cells[0] = m->rating_key;
    cells[1] = title;
    cells[2] = year;
    cells[3] = length;
    cells[4] = watched;
    cli_table_row(t, cells);
}

/* The rows of a walk: the table and whether titles are in context. */
typedef struct item_walk {
    cli_table t;
    int in_context;
} item_walk;

static int item_row(const plex_metadata *m, void *ctx)
{
    item_walk *w = ctx;
    cli_item_row(&w->t, m, w->in_context);
    return 0;
}

int cli_walk_items(cli_pms *p, plex_listing *l, int in_context, const char *what)
{
    item_walk w;
    int rc;

    cli_items_init(&w.t, 0);
    w.in_context = in_context;
    rc = cli_pms_walk(p, l, item_row, &w, what);
    cli_table_end(&w.t);
    if (rc == 0 && !cli_g.json && plex_listing_count(l) == 0 && isatty(STDOUT_FILENO))
        fputs("No items.\n", stderr);
    return rc;
}

/* ---- helpers ---- */

/* The usual start of a media-server command: parse its options (after
 * zeroing p, so that started() may close it). 0, -1 (help was printed: exit
 * 0) or an exit code. */
static int parse(cli_pms *p, const cli_opt *opts, const cli_cmd *cmd, const char *summary, int argc,
                 char **argv)
{
    memset(p, 0, sizeof(*p));
    return cli_opt_parse(opts, cmd->name, summary, argc, argv);
}

/* The exit code of a command for rc (-1: help), closing the server. */
static int started(cli_pms *p, int rc)
{
    cli_pms_close(p);
    return rc < 0 ? CLI_EXIT_OK : rc;
}

/* Listing options with a --limit (NULL: none); 0 or an exit code. */
static int limit_opts(plex_listing_options *o, const char *cmd, const char *limit)
{
    long n;
    int rc;

    if (!limit)
        return 0;
    if ((rc = cli_opt_long(cmd, "limit", limit, 1, 1000000000L, &n)) != 0)
        return rc;
    o->limit = (size_t)n;
    if (o->limit < (o->page_size ? o->page_size : 200))
        o->page_size = o->limit; /* no more than asked for */
    return 0;
}

/* A library section by key or title: its key and type, copied. */
static int find_section(cli_pms *p, const char *want, char *key, size_t ksize, char *type,
                        size_t tsize)
{
    plex_container *c = NULL;
    const plex_directory *d;
    int rc = plex_sections_get(&c, p->server);

    if (rc != 0)
        return cli_pms_fail(p, rc, "listing the library sections");
    d = plex_sections_find(c, want);
    if (!d || !d->key) {
        cli_error("no library section '%s' on %s; the sections:", want, p->label);
        for (size_t i = 0; i < c->directories_count; i++)
            fprintf(stderr, "  %s  %s\n", c->directories[i]->key ? c->directories[i]->key : "?",
                    c->directories[i]->title ? c->directories[i]->title : "");
        plex_container_free(c);
        return CLI_EXIT_ERROR;
    }
    snprintf(key, ksize, "%s", d->key);
    if (type)
        snprintf(type, tsize, "%s", d->type ? d->type : "");
    plex_container_free(c);
    return 0;
}

static int oom(void)
{
    cli_error("out of memory");
    return CLI_EXIT_ERROR;
}

/* ---- plex libraries ---- */

int cmd_libraries(const cli_cmd *cmd, int argc, char **argv)
{
    static const cli_column cols[] = {
        {"KEY", 6, CLI_COL_RIGHT | CLI_COL_DIM},
        {"TITLE", 40, CLI_COL_FLEX},
        {"TYPE", 8, 0},
        {"ITEMS", 9, CLI_COL_RIGHT},
    };
    const cli_opt opts[] = {CLI_END};
    plex_container *c = NULL;
    cli_pms p;
    cli_table t;
    int rc;

    rc = parse(&p, opts, cmd,
               "List the library sections of the server (GET /library/sections): key, title,\n"
               "type and how many items each holds (GET .../all with no items).\n"
               "--json: the sections' Directory objects as the server sent them.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    if ((rc = plex_sections_get(&c, p.server)) != 0)
        return started(&p, cli_pms_fail(&p, rc, "listing the library sections"));
    if (cli_g.json) {
        rc = cli_pms_json(&p, c, "Directory");
        plex_container_free(c);
        return started(&p, rc ? rc : cli_finish_stdout(0));
    }
    cli_table_init(&t, cols, 4, 1);
    for (size_t i = 0; i < c->directories_count && rc == 0; i++) {
        const plex_directory *d = c->directories[i];
        plex_container *meta = NULL;
        char items[32] = "";
        const char *cells[4];

        if (d->key) {
            rc = plex_section_meta(&meta, p.server, d->key, NULL);
            if (rc != 0) {
                rc = cli_pms_fail(&p, rc, "counting a section's items");
                break;
            }
            if (plex_container_has(meta, PLEX_CONTAINER_TOTAL_SIZE))
                snprintf(items, sizeof(items), "%d", meta->total_size);
            plex_container_free(meta);
        }
        cells[0] = d->key;
        cells[1] = d->title;
        cells[2] = d->type;
        cells[3] = items;
        cli_table_row(&t, cells);
    }
    if (rc == 0)
        rc = cli_table_end(&t);
    else
        t.nrows = 0, cli_table_end(&t);
    plex_container_free(c);
    return started(&p, cli_finish_stdout(rc));
}

/* ---- plex ls ---- */

int cmd_ls(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *section, *type, *sort, *limit;
    static int unwatched;
    static cli_strs filters;
    const cli_opt opts[] = {
        CLI_VALUE("type", 't', "TYPE", type,
                  "the level listed: movie, show, season, episode, artist, album, track..."),
        CLI_VALUE("sort", 's', "FIELD[:desc]", sort,
                  "the order: titleSort, year:desc, addedAt:desc, rating:desc..."),
        CLI_LIST("filter", 'f', "FIELD=VALUE", filters,
                 "only matching items (year>=2000, genre=Action, title=star); repeatable"),
        CLI_VALUE("limit", 'n', "N", limit, "stop after N items"),
        CLI_FLAG("unwatched", 'u', unwatched, "only what was not watched"),
        CLI_ARG("SECTION", section, 1, "the section: its key (\"1\") or title (\"Movies\")"),
        CLI_END,
    };
    /* a whole section: 500 items a request (a few hundred KB; the listing
     * holds one page at most), which costs a server much less than 200 */
    plex_listing_options lo = {PLEX_LISTING_OPTIONS_VERSION, 500, 0, 0, 0};
    plex_listing *l = NULL;
    plex_query *q = NULL;
    char key[64], what[128];
    cli_pms p;
    int rc;

    section = type = sort = limit = NULL;
    unwatched = 0;
    rc = parse(&p, opts, cmd,
               "List every item of a library section (GET /library/sections/{key}/all),\n"
               "page by page: the first lines appear after the first page, and memory does not\n"
               "grow with the section.\n"
               "--json: each item's Metadata object as the server sent it, one per line.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = limit_opts(&lo, cmd->name, limit)) != 0)
        return started(&p, rc);
    if (plex_query_new(&q) != 0)
        return started(&p, oom());
    if (type) {
        int t = plex_media_type_from_name(type);
        char *end;
        long n = strtol(type, &end, 10);
        if (t == 0 && (*end || n <= 0 || n > 10000)) {
            plex_query_free(q);
            fprintf(stderr,
                    "plex ls: --type: unknown type '%s' (movie, show, season, episode, "
                    "artist, album, track, photo...)\n",
                    type);
            return started(&p, CLI_EXIT_USAGE);
        }
        rc = plex_query_add_int(q, "type", t ? t : n);
    }
    if (rc == 0 && sort)
        rc = plex_query_add(q, "sort", sort);
    if (rc == 0 && unwatched)
        rc = plex_query_add(q, "unwatched", "1");
    for (int i = 0; rc == 0 && i < filters.n; i++) {
        if ((rc = plex_query_add_filter(q, filters.v[i])) == PLEX_EINVALID) {
            plex_query_free(q);
            fprintf(stderr,
                    "plex ls: --filter: expected FIELD=VALUE (or another operator: >=, "
                    "<=, !=), not '%s'\n",
                    filters.v[i]);
            return started(&p, CLI_EXIT_USAGE);
        }
    }
    if (rc != 0) {
        plex_query_free(q);
        return started(&p, oom());
    }
    if ((rc = cli_pms_open(&p)) != 0) {
        plex_query_free(q);
        return started(&p, rc);
    }
    if ((rc = find_section(&p, section, key, sizeof(key), NULL, 0)) != 0) {
        plex_query_free(q);
        return started(&p, rc);
    }
    rc = plex_section_items(&l, p.server, key, q, &lo);
    plex_query_free(q);
    snprintf(what, sizeof(what), "listing section %s", section);
    if (rc != 0)
        return started(&p, cli_pms_fail(&p, rc, what));
    rc = cli_walk_items(&p, l, 0, what);
    plex_listing_free(l);
    return started(&p, cli_finish_stdout(rc));
}

/* ---- plex children ---- */

int cmd_children(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key, *limit;
    const cli_opt opts[] = {
        CLI_VALUE("limit", 'n', "N", limit, "stop after N items"),
        CLI_ARG("KEY", key, 1, "the item's key (ratingKey): a show, season, artist or album"),
        CLI_END,
    };
    plex_listing_options lo = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    char what[128];
    cli_pms p;
    int rc;

    key = limit = NULL;
    rc = parse(&p, opts, cmd,
               "List what is under an item (GET /library/metadata/{key}/children): the seasons\n"
               "of a show, the episodes of a season, the albums of an artist, the tracks of an\n"
               "album, the photos of an album.\n"
               "--json: each child's Metadata object as the server sent it, one per line.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = limit_opts(&lo, cmd->name, limit)) != 0)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    snprintf(what, sizeof(what), "children of %s", key);
    if ((rc = plex_metadata_children(&l, p.server, key, NULL, &lo)) != 0)
        return started(&p, cli_pms_fail(&p, rc, what));
    rc = cli_walk_items(&p, l, 1, what);
    plex_listing_free(l);
    return started(&p, cli_finish_stdout(rc));
}

/* ---- plex show ---- */

static const char *str(const char *s)
{
    return s ? s : "";
}

/* "Action, Drama" of a tag list (at most `most` names, then "..."). */
static void tag_list(char *buf, size_t size, const plex_tag *const *tags, size_t n, size_t most,
                     int roles)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i == most) {
            cli_appendf(buf, size, &len, ", ... (%zu in all)", n);
            return;
        }
        if (roles && tags[i]->role)
            cli_appendf(buf, size, &len, "%s%s (%s)", i ? ", " : "", str(tags[i]->tag),
                        tags[i]->role);
        else
            cli_appendf(buf, size, &len, "%s%s", i ? ", " : "", str(tags[i]->tag));
    }
}

/* Print "  name        text", the text wrapped at the terminal's width (80
 * without one, 100 at most) and indented; nothing for no text. */
static void wrapped(const char *name, const char *text)
{
    int width = cli_term_width(), col = 0;
    const char *p = text;

    if (!text || !*text)
        return;
    if (width <= 0 || width > 100)
        width = width <= 0 ? 80 : 100;
    printf("  %-11s ", name);
    col = 14;
    while (*p) {
        size_t n = strcspn(p, " \n");
        char word[1024];
        snprintf(word, sizeof(word), "%.*s", (int)n, p);
        if (col > 14 && col + 1 + cli_text_width(word) > width) {
            printf("\n%14s", "");
            col = 14;
        } else if (col > 14) {
            putchar(' ');
            col++;
        }
        fputs(word, stdout);
        col += cli_text_width(word);
        p += n;
        while (*p == ' ' || *p == '\n')
            p++;
    }
    putchar('\n');
}

static void field(const char *name, const char *value)
{
    wrapped(name, value);
}

static const char *stream_kind(int type)
{
    switch (type) {
    case 1:
        return "Video";
    case 2:
        return "Audio";
    case 3:
        return "Subtitle";
    case 4:
        return "Lyrics";
    default:
        return "Stream";
    }
}

static void print_stream(const plex_stream *st)
{
    char line[512];
    size_t len = 0;

#define ADD(...) cli_appendf(line, sizeof(line), &len, __VA_ARGS__)
    ADD("%s", str(st->codec));
    if (st->display_title)
        ADD("%s%s", len ? ": " : "", st->display_title);
    if (st->stream_type == 1 && st->width > 0)
        ADD(", %dx%d", st->width, st->height);
    if (st->stream_type == 1 && st->frame_rate > 0)
        ADD(", %.3g fps", st->frame_rate);
    if (st->stream_type != 1 && st->language_code)
        ADD(", %s", st->language_code);
    if (st->stream_type == 2 && st->channels > 0)
        ADD(", %d channels", st->channels);
    if (st->bitrate > 0)
        ADD(", %d kbps", st->bitrate);
    if (st->is_default == PLEX_TRUE)
        ADD(", default");
    if (st->selected == PLEX_TRUE)
        ADD(", selected");
    if (st->forced == PLEX_TRUE)
        ADD(", forced");
    if (st->key)
        ADD(", external file %s", st->key);
#undef ADD
    printf("      %-9s %s\n", stream_kind(st->stream_type), line);
}

static void print_media(const plex_media *md, size_t i, size_t n)
{
    char line[512], buf[64];
    size_t len = 0;

    cli_appendf(line, sizeof(line), &len, "  Media");
    if (n > 1)
        cli_appendf(line, sizeof(line), &len, " %zu", i + 1);
    cli_appendf(line, sizeof(line), &len, ":");
    if (md->video_resolution)
        cli_appendf(line, sizeof(line), &len, " %s%s", md->video_resolution,
                    strcmp(md->video_resolution, "4k") == 0 ||
                            strcmp(md->video_resolution, "sd") == 0
                        ? ""
                        : "p");
    if (md->video_codec)
        cli_appendf(line, sizeof(line), &len, " %s", md->video_codec);
    if (md->audio_codec)
        cli_appendf(line, sizeof(line), &len, "%s%s", md->video_codec ? ", " : " ",
                    md->audio_codec);
    if (md->audio_channels > 0)
        cli_appendf(line, sizeof(line), &len, " %dch", md->audio_channels);
    if (md->container)
        cli_appendf(line, sizeof(line), &len, ", %s", md->container);
    if (md->width > 0 && md->height > 0)
        cli_appendf(line, sizeof(line), &len, ", %dx%d", md->width, md->height);
    if (md->bitrate > 0)
        cli_appendf(line, sizeof(line), &len, ", %.1f Mbps", md->bitrate / 1000.0);
    if (md->duration > 0) {
        cli_fmt_duration(buf, sizeof(buf), md->duration);
        cli_appendf(line, sizeof(line), &len, ", %s", buf);
    }
    puts(line);
    for (size_t k = 0; k < md->parts_count; k++) {
        const plex_part *pt = md->parts[k];
        char size[32] = "";
        if (plex_part_has(pt, PLEX_PART_SIZE))
            cli_fmt_size(size, sizeof(size), pt->size);
        printf("    Part %zu: %s%s%s%s\n", k + 1, pt->file ? pt->file : str(pt->key),
               size[0] ? " (" : "", size, size[0] ? ")" : "");
        for (size_t s = 0; s < pt->streams_count; s++)
            print_stream(pt->streams[s]);
    }
}

static void print_item(const plex_metadata *m)
{
    char title[512], buf[1024], buf2[64];
    int color = cli_color_out();

    cli_item_title(title, sizeof(title), m, 0);
    printf("%s%s%s", color ? "\033[1m" : "", title, color ? "\033[0m" : "");
    if (plex_metadata_has(m, PLEX_METADATA_YEAR) && m->year > 0)
        printf(" (%d)", m->year);
    putchar('\n');
    field("key", m->rating_key);
    field("type", m->type);
    if (m->library_section_title) {
        snprintf(buf, sizeof(buf), "%s (%lld)", m->library_section_title,
                 (long long)m->library_section_id);
        field("section", buf);
    }
    field("original", m->original_title);
    field("tagline", m->tagline);
    field("studio", m->studio);
    field("rated", m->content_rating);
    field("released", m->originally_available_at);
    if (plex_metadata_has(m, PLEX_METADATA_DURATION) && m->duration > 0) {
        cli_fmt_duration(buf, sizeof(buf), m->duration);
        field("duration", buf);
    }
    if (plex_metadata_has(m, PLEX_METADATA_RATING) ||
        plex_metadata_has(m, PLEX_METADATA_AUDIENCE_RATING) ||
        plex_metadata_has(m, PLEX_METADATA_USER_RATING)) {
        size_t len = 0;
        buf[0] = '\0';
        if (plex_metadata_has(m, PLEX_METADATA_RATING))
            cli_appendf(buf, sizeof(buf), &len, "critics %.1f", m->rating);
        if (plex_metadata_has(m, PLEX_METADATA_AUDIENCE_RATING))
            cli_appendf(buf, sizeof(buf), &len, "%saudience %.1f", len ? ", " : "",
                        m->audience_rating);
        if (plex_metadata_has(m, PLEX_METADATA_USER_RATING))
            cli_appendf(buf, sizeof(buf), &len, "%syours %.1f", len ? ", " : "", m->user_rating);
        field("rating", buf);
    }
    tag_list(buf, sizeof(buf), m->genres, m->genres_count, 10, 0);
    field("genres", buf);
    tag_list(buf, sizeof(buf), m->directors, m->directors_count, 5, 0);
    field("directed by", buf);
    tag_list(buf, sizeof(buf), m->writers, m->writers_count, 5, 0);
    field("written by", buf);
    tag_list(buf, sizeof(buf), m->roles, m->roles_count, 8, 1);
    field("cast", buf);
    tag_list(buf, sizeof(buf), m->countries, m->countries_count, 5, 0);
    field("countries", buf);
    if (is_container(m)) {
        leaves(buf, sizeof(buf), m);
        if (buf[0] && plex_metadata_has(m, PLEX_METADATA_CHILD_COUNT) &&
            (is_type(m, "show") || is_type(m, "artist")))
            snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " in %d %s", m->child_count,
                     is_type(m, "show") ? "seasons" : "albums");
        field("holds", buf);
        if (plex_metadata_has(m, PLEX_METADATA_LEAF_COUNT)) {
            snprintf(buf, sizeof(buf), "%d of %d", m->viewed_leaf_count, m->leaf_count);
            field("watched", buf);
        }
    } else if (plex_metadata_has(m, PLEX_METADATA_VIEW_COUNT) && m->view_count > 0) {
        cli_fmt_date(buf2, sizeof(buf2), m->last_viewed_at);
        snprintf(buf, sizeof(buf), "yes (%d time%s%s%s)", m->view_count,
                 m->view_count == 1 ? "" : "s", buf2[0] ? ", last on " : "", buf2);
        field("watched", buf);
    } else if (plex_metadata_has(m, PLEX_METADATA_VIEW_OFFSET) && m->view_offset > 0) {
        char at[32];
        cli_fmt_duration(at, sizeof(at), m->view_offset);
        cli_fmt_duration(buf2, sizeof(buf2), m->duration);
        snprintf(buf, sizeof(buf), "stopped at %s of %s", at, buf2);
        field("watched", buf);
    } else {
        field("watched", "no");
    }
    cli_fmt_date(buf, sizeof(buf), m->added_at);
    field("added", buf);
    wrapped("summary", m->summary);
    for (size_t i = 0; i < m->media_count; i++)
        print_media(m->media[i], i, m->media_count);
    if (is_container(m) && m->rating_key)
        printf("\nIts children: plex children %s\n", m->rating_key);
}

int cmd_show(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key;
    const cli_opt opts[] = {
        CLI_ARG("KEY", key, 1, "the item's key (ratingKey), as 'plex ls' shows it"),
        CLI_END,
    };
    plex_container *c = NULL;
    char what[128];
    cli_pms p;
    int rc;

    key = NULL;
    rc = parse(&p, opts, cmd,
               "Show one item's full metadata (GET /library/metadata/{key}): titles, dates,\n"
               "ratings, people, watch state, and each version of its file (Media) with its\n"
               "parts (file, size) and streams (codecs, resolution, languages).\n"
               "--json: the Metadata object as the server sent it.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    snprintf(what, sizeof(what), "item %s", key);
    if ((rc = plex_metadata_get(&c, p.server, key, NULL)) != 0)
        return started(&p, cli_pms_fail(&p, rc, what));
    if (cli_g.json) {
        rc = cli_pms_json(&p, c, "Metadata");
    } else if (c->items_count == 0) {
        cli_error("%s: the server sent no item", what);
        rc = CLI_EXIT_DATAERR;
    } else {
        for (size_t i = 0; i < c->items_count; i++) {
            if (i)
                putchar('\n');
            print_item(c->items[i]);
        }
    }
    plex_container_free(c);
    return started(&p, cli_finish_stdout(rc));
}

/* ---- plex search ---- */

typedef struct search_json {
    const plex_container *c;
    size_t i;
} search_json;

/* --json: each Hub that found something, as sent. */
static int search_hub(const char *json, size_t len, void *payload)
{
    search_json *s = payload;
    const plex_hub *h = s->i < s->c->hubs_count ? s->c->hubs[s->i] : NULL;

    s->i++;
    if (!h || h->items_count + h->directories_count > 0)
        cli_json_line(stdout, json, len);
    return 0;
}

int cmd_search(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *text, *section, *limit;
    static const cli_column cols[] = {
        {"TYPE", 9, 0},
        {"KEY", 7, CLI_COL_RIGHT | CLI_COL_DIM},
        {"TITLE", 60, CLI_COL_FLEX},
        {"YEAR", 4, 0},
    };
    const cli_opt opts[] = {
        CLI_VALUE("section", 's', "SECTION", section, "only this section (key or title)"),
        CLI_VALUE("limit", 'n', "N", limit, "at most N results of each kind (default 10)"),
        CLI_ARG("QUERY", text, 1, "what to look for"),
        CLI_END,
    };
    plex_container *c = NULL;
    plex_query *q = NULL;
    char key[64];
    cli_pms p;
    cli_table t;
    long n = 10;
    int rc;

    text = section = limit = NULL;
    rc = parse(&p, opts, cmd,
               "Search the server's libraries (GET /hubs/search): movies, shows, episodes,\n"
               "artists, albums, tracks, people, genres... grouped by kind.\n"
               "--json: each Hub (kind) that found something, as the server sent it.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if (limit && (rc = cli_opt_long(cmd->name, "limit", limit, 1, 1000, &n)) != 0)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    if (section && (rc = find_section(&p, section, key, sizeof(key), NULL, 0)) != 0)
        return started(&p, rc);
    if (plex_query_new(&q) != 0 || plex_query_add_int(q, "limit", n) != 0 ||
        (section && plex_query_add(q, "sectionId", key) != 0)) {
        plex_query_free(q);
        return started(&p, oom());
    }
    rc = plex_hubs_search(&c, p.server, text, q);
    plex_query_free(q);
    if (rc != 0)
        return started(&p, cli_pms_fail(&p, rc, "searching"));
    if (cli_g.json) {
        search_json s = {c, 0};
        size_t len = 0;
        const char *body = plex_server_last_body(p.server, &len);
        rc = body ? plex_container_json_each(body, len, "Hub", search_hub, &s) : PLEX_EPARSE;
        if (rc != 0)
            rc = cli_pms_json(&p, c, "Hub"); /* says why */
    } else {
        cli_table_init(&t, cols, 4, 1);
        for (size_t h = 0; h < c->hubs_count; h++) {
            const plex_hub *hub = c->hubs[h];
            const char *kind = hub->type ? hub->type : hub->title;
            for (size_t i = 0; i < hub->items_count; i++) {
                const plex_metadata *m = hub->items[i];
                char title[512], year[16] = "";
                const char *cells[4];
                cli_item_title(title, sizeof(title), m, 0);
                if (plex_metadata_has(m, PLEX_METADATA_YEAR) && m->year > 0)
                    snprintf(year, sizeof(year), "%d", m->year);
                cells[0] = m->type ? m->type : kind;
                cells[1] = m->rating_key;
                cells[2] = title;
                cells[3] = year;
                cli_table_row(&t, cells);
            }
            for (size_t i = 0; i < hub->directories_count; i++) {
                const plex_directory *d = hub->directories[i];
                const char *cells[4] = {kind, d->key && !strchr(d->key, '/') ? d->key : "",
                                        d->tag ? d->tag : d->title, ""};
                cli_table_row(&t, cells);
            }
        }
        rc = cli_table_end(&t);
    }
    plex_container_free(c);
    return started(&p, cli_finish_stdout(rc));
}

/* ---- plex ondeck, plex recent ---- */

int cmd_ondeck(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *limit;
    const cli_opt opts[] = {
        CLI_VALUE("limit", 'n', "N", limit, "stop after N items"),
        CLI_END,
    };
    plex_listing_options lo = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    cli_pms p;
    int rc;

    limit = NULL;
    rc = parse(&p, opts, cmd,
               "List what to watch next across the sections (GET /library/onDeck): the next\n"
               "episodes of shows in progress, and what was started and not finished.\n"
               "--json: each item's Metadata object as the server sent it, one per line.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = limit_opts(&lo, cmd->name, limit)) != 0)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    if ((rc = plex_library_on_deck(&l, p.server, NULL, &lo)) != 0)
        return started(&p, cli_pms_fail(&p, rc, "on deck"));
    rc = cli_walk_items(&p, l, 0, "on deck");
    plex_listing_free(l);
    return started(&p, cli_finish_stdout(rc));
}

int cmd_recent(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *section, *limit;
    const cli_opt opts[] = {
        CLI_VALUE("section", 's', "SECTION", section, "only this section (key or title)"),
        CLI_VALUE("limit", 'n', "N", limit, "stop after N items"),
        CLI_END,
    };
    plex_listing_options lo = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    char key[64];
    cli_pms p;
    int rc;

    section = limit = NULL;
    rc = parse(&p, opts, cmd,
               "List the items added last, newest first (GET /library/recentlyAdded, or\n"
               "/library/sections/{key}/recentlyAdded with --section).\n"
               "--json: each item's Metadata object as the server sent it, one per line.",
               argc, argv);
    if (rc)
        return started(&p, rc);
    if ((rc = limit_opts(&lo, cmd->name, limit)) != 0)
        return started(&p, rc);
    if ((rc = cli_pms_open(&p)) != 0)
        return started(&p, rc);
    if (section) {
        if ((rc = find_section(&p, section, key, sizeof(key), NULL, 0)) != 0)
            return started(&p, rc);
        rc = plex_section_recently_added(&l, p.server, key, NULL, &lo);
    } else {
        rc = plex_library_recently_added(&l, p.server, NULL, &lo);
    }
    if (rc != 0)
        return started(&p, cli_pms_fail(&p, rc, "recently added"));
    rc = cli_walk_items(&p, l, 0, "recently added");
    plex_listing_free(l);
    return started(&p, cli_finish_stdout(rc));
}

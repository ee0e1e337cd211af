/*
 * An item's files and watch state: plex download, url, mark, rate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

/* ---- the leaves of an item ---- */

/* The ratingKeys of the playable items under (or of) an item. */
typedef struct leaf_keys {
    char **v;
    size_t n, cap;
} leaf_keys;

static void leaf_keys_dispose(leaf_keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    memset(k, 0, sizeof(*k));
}

static int leaf_keys_add(leaf_keys *k, const char *key)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        char **grown = realloc(k->v, cap * sizeof(*grown));
        if (!grown)
            return -1;
        k->v = grown;
        k->cap = cap;
    }
    if (!(k->v[k->n] = strdup(key)))
        return -1;
    k->n++;
    return 0;
}

static int collect_leaf(const plex_metadata *m, void *ctx)
{
    if (m->rating_key && leaf_keys_add(ctx, m->rating_key) != 0) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* 1 if the item is played as it is (it has files). */
static int is_leaf(const plex_metadata *m)
{
    return m->media_count > 0;
}

/* The item (full metadata) of KEY into *out; 0 or an exit code. */
static int get_item(cli_pms *p, const char *key, plex_container **out, const plex_metadata **m)
{
    char what[128];
    int rc;

    snprintf(what, sizeof(what), "item %s", key);
    *m = NULL;
    if ((rc = plex_metadata_get(out, p->server, key, NULL)) != 0) {
        rc = cli_pms_fail(p, rc, what);
        return rc ? rc : CLI_EXIT_ERROR;
    }
    if ((*out)->items_count == 0 || !(*out)->items[0]) {
        cli_error("%s: the server sent no item", what);
        plex_container_free(*out);
        *out = NULL;
        return CLI_EXIT_DATAERR;
    }
    *m = (*out)->items[0];
    return 0;
}

/* The leaves of a container (a show's episodes...), walked once; 0 or an exit code. */
static int get_leaves(cli_pms *p, const char *key, leaf_keys *keys)
{
    plex_listing *l = NULL;
    char what[128];
    int rc, json = cli_g.json;

    snprintf(what, sizeof(what), "the items under %s", key);
    if ((rc = plex_metadata_all_leaves(&l, p->server, key, NULL, NULL)) != 0)
        return cli_pms_fail(p, rc, what);
    cli_g.json = 0; /* the walk collects; it prints nothing */
    rc = cli_pms_walk(p, l, collect_leaf, keys, what);
    cli_g.json = json;
    plex_listing_free(l);
    return rc;
}

/* ---- plex download ---- */

typedef struct bar {
    int on;         /* drawing (stdout is a terminal, no --json) */
    int drawn;      /* a bar line is on screen */
    long long last; /* ms of the last drawing */
    const char *name;
} bar;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void bar_clear(bar *b)
{
    if (b->drawn) {
        fputs("\r\033[K", stdout);
        fflush(stdout);
        b->drawn = 0;
    }
}

/* One line: name, percent and bar, bytes, rate, time left, within the terminal. */
static void bar_draw(bar *b, const plex_download_progress *pr)
{
    int width = cli_term_width(), color = cli_color_out();
    char have[32], total[32], speed[32], rate[40], left[40] = "", stats[160], cells[128];
    int pct = -1, room, cols;
    size_t k = 0;

    cli_fmt_size(have, sizeof(have), pr->bytes);
    cli_fmt_size(speed, sizeof(speed), (long long)pr->rate);
    snprintf(rate, sizeof(rate), "%s/s", speed);
    if (pr->total > 0) {
        cli_fmt_size(total, sizeof(total), pr->total);
        pct = (int)(pr->bytes * 100 / pr->total);
        if (pr->rate > 0 && pr->bytes < pr->total) {
            char t[32];
            cli_format_left(t, sizeof(t), (long)((double)(pr->total - pr->bytes) / pr->rate));
            snprintf(left, sizeof(left), "  %s left", t);
        }
        snprintf(stats, sizeof(stats), "%3d%%  %s / %s  %s%s", pct, have, total, rate, left);
    } else {
        snprintf(stats, sizeof(stats), "%s  %s", have, rate);
    }
    /* name, then the bar in what is left (at most 30 cells) */
    room = width - cli_text_width(stats) - 4;
    cols = pct >= 0 ? (room - 20 > 30 ? 30 : room - 20) : 0;
    if (cols >= 10) {
        int full = pct * cols / 100;
        cells[k++] = '[';
        for (int i = 0; i < cols && k + 1 < sizeof(cells); i++)
            cells[k++] = (char)(i < full ? '#' : i == full ? '>' : ' ');
        cells[k++] = ']';
        cells[k++] = ' ';
        room -= cols + 3;
    }
    cells[k] = '\0';
    fputs("\r\033[K", stdout);
    if (room > 8) {
        cli_text_fit(stdout, b->name, room);
        fputs("  ", stdout);
    }
    fprintf(stdout, "%s%s%s%s", cells, color ? "\033[1m" : "", stats, color ? "\033[0m" : "");
    fflush(stdout);
    b->drawn = 1;
}

typedef struct dl_ctx {
    bar b;
} dl_ctx;

static int on_progress(const plex_download_progress *pr, void *payload)
{
    dl_ctx *d = payload;
    long long t;

    if (cli_interrupted())
        return 1;
    if (!d->b.on)
        return 0;
    t = now_ms();
    if (d->b.drawn && t - d->b.last < 100 && !(pr->total > 0 && pr->bytes == pr->total))
        return 0;
    d->b.last = t;
    bar_draw(&d->b, pr);
    return 0;
}

/* dir + "/" + name (dir NULL: the current directory, name alone), malloc'd. */
static char *join_path(const char *dir, const char *name)
{
    size_t n = (dir ? strlen(dir) : 0) + strlen(name) + 2;
    char *p = malloc(n);

    if (p && dir)
        snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    else if (p)
        snprintf(p, n, "%s", name);
    return p;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One part of one item to `path`. 0, or an exit code after a message. */
static int download_part(cli_pms *p, const plex_metadata *m, const plex_part *part,
                         const char *path)
{
    plex_download_options o = PLEX_DOWNLOAD_OPTIONS_INIT;
    char size[32], partial[4096];
    struct stat st;
    dl_ctx d;
    int rc;

    memset(&d, 0, sizeof(d));
    d.b.on = !cli_g.json && isatty(STDOUT_FILENO);
    d.b.name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(partial, sizeof(partial), "%s%s", path, PLEX_DOWNLOAD_PARTIAL_SUFFIX);
    cli_fmt_size(size, sizeof(size), part->size);
    /* a complete file of the right size is not fetched again (a show's
     * download resumed after Ctrl-C goes on with the next episode) */
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && plex_part_has(part, PLEX_PART_SIZE) &&
        st.st_size == part->size && stat(partial, &st) != 0) {
        if (!cli_g.json)
            printf("Already there: %s (%s)\n", path, size);
        goto done;
    }
    if (!cli_g.json && stat(partial, &st) == 0 && st.st_size > 0) {
        char have[32];
        cli_fmt_size(have, sizeof(have), st.st_size);
        printf("Resuming %s after %s\n", path, have);
    }
    o.progress = on_progress;
    o.payload = &d;
    rc = plex_part_download(NULL, p->server, part, path, &o);
    bar_clear(&d.b);
    if (rc == PLEX_ECANCELLED) {
        fflush(stdout);
        cli_error("interrupted: the partial file %s is kept; run the same command again to "
                  "resume",
                  partial);
        return CLI_EXIT_CANCELLED;
    }
    if (rc == PLEX_EIO) {
        const plex_error *e = plex_server_last_error(p->server);
        fflush(stdout);
        cli_error("%s", e && e->message[0] ? e->message : plex_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    if (rc != 0) {
        char what[4200];
        snprintf(what, sizeof(what), "downloading %s", path);
        rc = cli_pms_fail(p, rc, what);
        if (stat(partial, &st) == 0)
            fprintf(stderr, "The partial file %s is kept: run the same command again to resume.\n",
                    partial);
        return rc;
    }
    if (!cli_g.json)
        printf("Downloaded %s (%s)\n", path, size);
done:
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "ratingKey", m->rating_key);
        cli_json_str(&j, "title", m->title);
        cli_json_str(&j, "path", path);
        cli_json_int(&j, "size", stat(path, &st) == 0 ? (long long)st.st_size : 0);
        cli_json_end(&j);
    }
    fflush(stdout);
    return 0;
}

/* Every part of the first version of an item, into dir (or to `file` for a
 * single part). 0 or an exit code. */
static int download_item(cli_pms *p, const plex_metadata *m, const char *dir, const char *file)
{
    const plex_media *md = m->media_count ? m->media[0] : NULL;
    int rc = 0;

    if (!md || md->parts_count == 0) {
        cli_error("item %s (%s) has no file to download", m->rating_key ? m->rating_key : "?",
                  m->title ? m->title : "untitled");
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i < md->parts_count && rc == 0; i++) {
        const plex_part *part = md->parts[i];
        char name[256], *path;
        if (file && md->parts_count == 1) {
            rc = download_part(p, m, part, file);
            continue;
        }
        if (plex_part_file_name(name, sizeof(name), part) != 0) {
            cli_error("item %s: no safe file name can be made for its part %zu",
                      m->rating_key ? m->rating_key : "?", i + 1);
            return CLI_EXIT_ERROR;
        }
        if (!(path = join_path(dir, name))) {
            cli_error("out of memory");
            return CLI_EXIT_ERROR;
        }
        rc = download_part(p, m, part, path);
        free(path);
    }
    return rc;
}

int cmd_download(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key, *out;
    const cli_opt opts[] = {
        CLI_VALUE("output", 'o', "PATH|DIR", out,
                  "where to save: a file (one file only) or a directory (default: here)"),
        CLI_ARG("KEY", key, 1, "a movie, an episode, a track, or a season, show, album or artist"),
        CLI_END,
    };
    plex_container *c = NULL;
    const plex_metadata *m = NULL;
    leaf_keys keys;
    const char *dir = NULL, *file = NULL; /* dir NULL: here */
    cli_pms p;
    int rc;

    key = out = NULL;
    memset(&p, 0, sizeof(p));
    memset(&keys, 0, sizeof(keys));
    rc = cli_opt_parse(opts, cmd->name,
                       "Download an item's files (GET of each Part, download=1): a movie, an\n"
                       "episode or a track, or every episode of a season or show (every track of\n"
                       "an album or artist), one after another. Each file is written as\n"
                       "NAME" PLEX_DOWNLOAD_PARTIAL_SUFFIX
                       " and renamed when complete and of the size the server\n"
                       "gave; an interrupted download (Ctrl-C) keeps that file, and the same\n"
                       "command resumes it; files already complete are not fetched again. On a\n"
                       "terminal a progress bar shows the bytes, the rate and the time left.\n"
                       "--json: one object per file (ratingKey, title, path, size).",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (out) {
        if (is_dir(out))
            dir = out;
        else
            file = out;
    }
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    cli_interrupt_catch();
    if ((rc = get_item(&p, key, &c, &m)) != 0)
        goto done;
    if (is_leaf(m)) {
        rc = download_item(&p, m, dir, file);
        goto done;
    }
    /* a container: its leaves, each fetched in full for its files */
    if (file) {
        if (mkdir(file, 0777) != 0) {
            cli_error("%s: %s (several files need a directory)", file, strerror(errno));
            rc = CLI_EXIT_ERROR;
            goto done;
        }
        dir = file;
        file = NULL;
    }
    if ((rc = get_leaves(&p, key, &keys)) != 0)
        goto done;
    if (keys.n == 0) {
        cli_error("item %s (%s) holds nothing to download", key, m->title ? m->title : "untitled");
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    for (size_t i = 0; i < keys.n && rc == 0; i++) {
        plex_container *lc = NULL;
        const plex_metadata *leaf = NULL;
        if (cli_interrupted()) {
            cli_error("interrupted");
            rc = CLI_EXIT_CANCELLED;
            break;
        }
        if ((rc = get_item(&p, keys.v[i], &lc, &leaf)) == 0)
            rc = download_item(&p, leaf, dir, NULL);
        plex_container_free(lc);
    }
done:
    leaf_keys_dispose(&keys);
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex url ---- */

static int print_urls(cli_pms *p, const plex_metadata *m, int with_token)
{
    const plex_media *md = m->media_count ? m->media[0] : NULL;

    if (!md || md->parts_count == 0) {
        cli_error("item %s (%s) has no file to play", m->rating_key ? m->rating_key : "?",
                  m->title ? m->title : "untitled");
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i < md->parts_count; i++) {
        char *url = NULL;
        int rc = plex_part_url(&url, p->server, md->parts[i], with_token ? PLEX_URL_TOKEN : 0);
        if (rc != 0)
            return cli_pms_fail(p, rc, "making the URL");
        if (cli_g.json) {
            cli_json j;
            cli_json_begin(&j, stdout);
            cli_json_str(&j, "ratingKey", m->rating_key);
            cli_json_str(&j, "title", m->title);
            cli_json_str(&j, "url", url);
            cli_json_end(&j);
        } else {
            puts(url);
        }
        plex_free(url);
    }
    return 0;
}

int cmd_url(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key;
    static int no_token;
    const cli_opt opts[] = {
        CLI_FLAG("no-token", 0, no_token, "leave the token out (send it as X-Plex-Token yourself)"),
        CLI_ARG("KEY", key, 1, "an item; for a season, show or album: each of its items"),
        CLI_END,
    };
    plex_container *c = NULL;
    const plex_metadata *m = NULL;
    leaf_keys keys;
    cli_pms p;
    int rc;

    key = NULL;
    no_token = 0;
    memset(&p, 0, sizeof(p));
    memset(&keys, 0, sizeof(keys));
    rc = cli_opt_parse(opts, cmd->name,
                       "Print the direct-play URL of an item's file (its Part), for a player:\n"
                       "  mpv \"$(plex url 42)\"\n"
                       "The URL carries the token unless --no-token: keep it to yourself.\n"
                       "--json: one object per file (ratingKey, title, url).",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = get_item(&p, key, &c, &m)) != 0)
        goto done;
    if (is_leaf(m)) {
        rc = print_urls(&p, m, !no_token);
        goto done;
    }
    if ((rc = get_leaves(&p, key, &keys)) != 0)
        goto done;
    for (size_t i = 0; i < keys.n && rc == 0; i++) {
        plex_container *lc = NULL;
        const plex_metadata *leaf = NULL;
        if ((rc = get_item(&p, keys.v[i], &lc, &leaf)) == 0)
            rc = print_urls(&p, leaf, !no_token);
        plex_container_free(lc);
    }
done:
    leaf_keys_dispose(&keys);
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex mark, plex rate ---- */

/* After a change: --json shows the item as the server now has it. */
static int show_after(cli_pms *p, const char *key)
{
    plex_container *c = NULL;
    int rc = plex_metadata_get(&c, p->server, key, NULL);

    if (rc != 0)
        return cli_pms_fail(p, rc, "reading the item back");
    rc = cli_pms_json(p, c, "Metadata");
    plex_container_free(c);
    return rc;
}

static int mark(const cli_cmd *cmd, int argc, char **argv, int watched)
{
    static const char *key;
    const cli_opt opts[] = {
        CLI_ARG("KEY", key, 1, "the item; a show, season or album marks everything in it"),
        CLI_END,
    };
    plex_container *c = NULL;
    const plex_metadata *m = NULL;
    char title[512], what[128];
    cli_pms p;
    int rc;

    key = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       watched ? "Mark an item watched (PUT /:/scrobble): its view count grows, "
                                 "where it\nwas stopped is forgotten.\n"
                                 "--json: the item as the server then has it."
                               : "Mark an item unwatched (PUT /:/unscrobble).\n"
                                 "--json: the item as the server then has it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = get_item(&p, key, &c, &m)) != 0)
        goto done;
    cli_item_title(title, sizeof(title), m, 0);
    snprintf(what, sizeof(what), "marking %s %s", key, watched ? "watched" : "unwatched");
    rc = watched ? plex_scrobble(p.server, key) : plex_unscrobble(p.server, key);
    if (rc != 0) {
        rc = cli_pms_fail(&p, rc, what);
        goto done;
    }
    if (cli_g.json)
        rc = show_after(&p, key);
    else
        printf("Marked %s %s.\n", title, watched ? "watched" : "unwatched");
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

int cmd_mark_watched(const cli_cmd *cmd, int argc, char **argv)
{
    return mark(cmd, argc, argv, 1);
}

int cmd_mark_unwatched(const cli_cmd *cmd, int argc, char **argv)
{
    return mark(cmd, argc, argv, 0);
}

int cmd_rate(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key, *rating;
    const cli_opt opts[] = {
        CLI_ARG("KEY", key, 1, "the item"),
        CLI_ARG("N", rating, 1, "the rating, from 0 to 10 (5 stars = 10)"),
        CLI_END,
    };
    plex_container *c = NULL;
    const plex_metadata *m = NULL;
    char title[512], *end;
    double n;
    cli_pms p;
    int rc;

    key = rating = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "Rate an item from 0 to 10 (PUT /:/rate); stars are half of it.\n"
                       "--json: the item as the server then has it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    errno = 0;
    n = strtod(rating, &end);
    if (errno || end == rating || *end || !(n >= 0 && n <= 10)) {
        fprintf(stderr, "plex rate: a rating is a number from 0 to 10, not '%s'\n", rating);
        fputs("Try 'plex rate --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_pms_open(&p)) != 0 || (rc = get_item(&p, key, &c, &m)) != 0)
        goto done;
    cli_item_title(title, sizeof(title), m, 0);
    if ((rc = plex_rate(p.server, key, n)) != 0) {
        rc = cli_pms_fail(&p, rc, "rating");
        goto done;
    }
    if (cli_g.json)
        rc = show_after(&p, key);
    else
        printf("Rated %s %g/10.\n", title, n);
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- streams ---- */

static const char *kind_name(int type)
{
    return type == 2 ? "Audio" : "Subtitle";
}

/* The stream of a part a user named: its id, or a language (code, tag or
 * name, any case); for subtitles the plain ones (not forced, not for the
 * hearing impaired) first. NULL if none. */
static const plex_stream *pick_stream(const plex_part *pt, int type, const char *what)
{
    const plex_stream *best = NULL;
    char *end;
    long long id = strtoll(what, &end, 10);
    int by_id = *what && !*end;

    for (size_t i = 0; i < pt->streams_count; i++) {
        const plex_stream *st = pt->streams[i];
        if (st->stream_type != type)
            continue;
        if (by_id) {
            if (st->id == id)
                return st;
            continue;
        }
        if ((st->language_code && strcasecmp(st->language_code, what) == 0) ||
            (st->language_tag && strcasecmp(st->language_tag, what) == 0) ||
            (st->language && strcasecmp(st->language, what) == 0)) {
            if (st->forced != PLEX_TRUE && st->hearing_impaired != PLEX_TRUE)
                return st;
            if (!best)
                best = st;
        }
    }
    return best;
}

/* "English (AAC 5.1)": what a stream is called. */
static const char *stream_name(const plex_stream *st)
{
    return st->display_title ? st->display_title : st->language ? st->language : "?";
}

static void list_streams(const plex_metadata *m)
{
    for (size_t i = 0; i < m->media_count; i++) {
        for (size_t j = 0; j < m->media[i]->parts_count; j++) {
            const plex_part *pt = m->media[i]->parts[j];
            int subtitle_on = 0;
            printf("  Part %lld%s%s\n", (long long)pt->id, pt->file ? ": " : "",
                   pt->file ? pt->file : "");
            for (size_t k = 0; k < pt->streams_count; k++) {
                const plex_stream *st = pt->streams[k];
                if (st->stream_type != 2 && st->stream_type != 3)
                    continue;
                subtitle_on |= st->stream_type == 3 && st->selected == PLEX_TRUE;
                printf("    %-9s %-8lld %s%s%s%s\n", kind_name(st->stream_type), (long long)st->id,
                       stream_name(st), st->selected == PLEX_TRUE ? ", selected" : "",
                       st->forced == PLEX_TRUE ? ", forced" : "",
                       st->hearing_impaired == PLEX_TRUE ? ", hearing impaired" : "");
            }
            printf("    %-9s %-8s %s%s\n", "Subtitle", "none", "no subtitles",
                   subtitle_on ? "" : ", selected");
        }
    }
}

int cmd_streams(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *key, *audio, *subtitle;
    static int all_parts;
    const cli_opt opts[] = {
        CLI_ARG("KEY", key, 1, "a movie, an episode or a music track"),
        CLI_VALUE("audio", 0, "ID|LANG", audio,
                  "choose this audio stream: its id, or a language (eng, en, English)"),
        CLI_VALUE("subtitle", 0, "ID|LANG|none", subtitle,
                  "choose this subtitle stream (as --audio), or none"),
        CLI_FLAG("all-parts", 0, all_parts, "the same languages in the item's other versions"),
        CLI_END,
    };
    plex_container *c = NULL;
    const plex_metadata *m = NULL;
    const plex_part *pt;
    const plex_stream *as = NULL, *ss = NULL;
    int64_t sub_id = PLEX_STREAM_KEEP;
    char title[512];
    cli_pms p;
    int rc;

    key = audio = subtitle = NULL;
    all_parts = 0;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "List the audio and subtitle streams of an item's files with their ids,\n"
                       "or choose the ones it plays with (PUT /library/parts/{id}): every Plex\n"
                       "app of the account then starts with them. The choice is made on the\n"
                       "first version's file; --all-parts picks the same languages in the others.\n"
                       "--json: the item as the server (then) has it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0 || (rc = get_item(&p, key, &c, &m)) != 0)
        goto done;
    cli_item_title(title, sizeof(title), m, 0);
    if (m->media_count == 0 || m->media[0]->parts_count == 0) {
        cli_error("%s has no file: its streams are those of its episodes or tracks", title);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (!audio && !subtitle) {
        if (cli_g.json) {
            rc = cli_pms_json(&p, c, "Metadata");
        } else {
            printf("%s\n", title);
            list_streams(m);
        }
        goto done;
    }
    pt = m->media[0]->parts[0];
    if (audio && !(as = pick_stream(pt, 2, audio))) {
        cli_error("%s has no audio stream '%s' (see: plex streams %s)", title, audio, key);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (subtitle && strcasecmp(subtitle, "none") == 0) {
        sub_id = 0;
    } else if (subtitle) {
        if (!(ss = pick_stream(pt, 3, subtitle))) {
            cli_error("%s has no subtitle stream '%s' (see: plex streams %s)", title, subtitle,
                      key);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        sub_id = ss->id;
    }
    if ((rc = plex_part_select_streams(p.server, pt, as ? as->id : PLEX_STREAM_KEEP, sub_id,
                                       all_parts ? PLEX_SELECT_ALL_PARTS : 0)) != 0) {
        rc = cli_pms_fail(&p, rc, "choosing the streams");
        goto done;
    }
    if (cli_g.json) {
        rc = show_after(&p, key);
    } else {
        printf("%s:", title);
        if (as)
            printf(" audio %s%s", stream_name(as), subtitle ? "," : "");
        if (subtitle)
            printf(" subtitles %s", ss ? stream_name(ss) : "off");
        printf(".\n");
    }
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/*
 * What the server is doing and did: plex sessions, plex history.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

/* "direct play", "direct stream", "transcode (video, audio)" of a playback. */
static void stream_kind(char *buf, size_t size, const plex_metadata *m)
{
    const plex_transcode_session *t = m->transcode_session;
    int video, audio;

    if (!t) {
        snprintf(buf, size, "direct play");
        return;
    }
    video = t->video_decision && strcmp(t->video_decision, "transcode") == 0;
    audio = t->audio_decision && strcmp(t->audio_decision, "transcode") == 0;
    if (!video && !audio)
        snprintf(buf, size, "direct stream");
    else
        snprintf(buf, size, "transcode (%s%s%s)", video ? "video" : "", video && audio ? ", " : "",
                 audio ? "audio" : "");
}

int cmd_sessions(const cli_cmd *cmd, int argc, char **argv)
{
    static const cli_column cols[] = {
        {"USER", 16, 0},
        {"PLAYER", 24, 0},
        {"TITLE", 50, CLI_COL_FLEX},
        {"STATE", 9, 0},
        {"PROGRESS", 16, CLI_COL_RIGHT},
        {"STREAM", 24, 0},
    };
    const cli_opt opts[] = {CLI_END};
    plex_container *c = NULL;
    cli_table t;
    cli_pms p;
    int rc;

    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "Who plays what, where, and how (GET /status/sessions; an administrator's\n"
                       "token): the user, the player (and its address), the item, its state and\n"
                       "position, and whether it is played directly or transcoded.\n"
                       "--json: each playback's Metadata object (with User, Player, Session,\n"
                       "TranscodeSession) as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_sessions_get(&c, p.server)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the sessions");
        goto done;
    }
    if (cli_g.json) {
        rc = cli_pms_json(&p, c, "Metadata");
        goto done;
    }
    cli_table_init(&t, cols, 6, 1);
    for (size_t i = 0; i < c->items_count; i++) {
        const plex_metadata *m = c->items[i];
        const plex_player *pl = m->player;
        char title[512], player[256] = "", progress[96] = "", stream[64], at[32], of[32];
        const char *cells[6];

        cli_item_title(title, sizeof(title), m, 0);
        if (pl)
            snprintf(player, sizeof(player), "%s%s%s%s", pl->title ? pl->title : "",
                     pl->address ? " (" : "", pl->address ? pl->address : "",
                     pl->address ? (pl->local == PLEX_TRUE ? ", local)" : ")") : "");
        if (m->duration > 0) {
            cli_fmt_duration(at, sizeof(at), m->view_offset);
            cli_fmt_duration(of, sizeof(of), m->duration);
            snprintf(progress, sizeof(progress), "%d%% %s/%s",
                     (int)(m->view_offset * 100 / m->duration), at, of);
        }
        stream_kind(stream, sizeof(stream), m);
        cells[0] = m->user ? m->user->title : "";
        cells[1] = player;
        cells[2] = title;
        cells[3] = pl ? pl->state : "";
        cells[4] = progress;
        cells[5] = stream;
        cli_table_row(&t, cells);
    }
    rc = cli_table_end(&t);
    if (rc == 0 && c->items_count == 0 && !cli_g.json)
        fputs("Nothing is playing.\n", stderr);
done:
    plex_container_free(c);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex history ---- */

static const cli_column history_cols[] = {
    {"WATCHED", 16, 0},
    {"ACCOUNT", 7, CLI_COL_RIGHT},
    {"KEY", 7, CLI_COL_RIGHT | CLI_COL_DIM},
    {"TITLE", 60, CLI_COL_FLEX},
};

static int history_row(const plex_metadata *m, void *ctx)
{
    char when[32] = "", account[32] = "", title[512];
    const char *cells[4];
    time_t at = (time_t)m->viewed_at;
    struct tm tm;

    if (m->viewed_at > 0 && localtime_r(&at, &tm))
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
    if (plex_metadata_has(m, PLEX_METADATA_ACCOUNT_ID))
        snprintf(account, sizeof(account), "%lld", (long long)m->account_id);
    cli_item_title(title, sizeof(title), m, 0);
    cells[0] = when;
    cells[1] = account;
    cells[2] = m->rating_key;
    cells[3] = title;
    cli_table_row(ctx, cells);
    return 0;
}

int cmd_history(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *limit;
    const cli_opt opts[] = {
        CLI_VALUE("limit", 'n', "N", limit, "the last N only"),
        CLI_END,
    };
    plex_listing_options lo = PLEX_LISTING_OPTIONS_INIT;
    plex_listing *l = NULL;
    plex_query *q = NULL;
    cli_table t;
    cli_pms p;
    long n;
    int rc;

    limit = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "What was watched, newest first (GET /status/sessions/history/all): when,\n"
                       "by which account, and the item.\n"
                       "--json: each entry's Metadata object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (limit) {
        if ((rc = cli_opt_long(cmd->name, "limit", limit, 1, 1000000000L, &n)) != 0)
            return rc;
        lo.limit = (size_t)n;
        if (lo.limit < 200)
            lo.page_size = lo.limit;
    }
    if (plex_query_new(&q) != 0 || plex_query_add(q, "sort", "viewedAt:desc") != 0) {
        plex_query_free(q);
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_history(&l, p.server, q, &lo)) != 0) {
        rc = cli_pms_fail(&p, rc, "history");
        goto done;
    }
    cli_table_init(&t, history_cols, 4, 0);
    rc = cli_pms_walk(&p, l, history_row, &t, "history");
    cli_table_end(&t);
done:
    plex_listing_free(l);
    plex_query_free(q);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* ---- plex server ---- */

/* 1 for "1"/"true", 0 for "0"/"false", -1 otherwise. */
static int truth(const char *v)
{
    if (!v)
        return -1;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
        return 1;
    return strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ? 0 : -1;
}

int cmd_server(const cli_cmd *cmd, int argc, char **argv)
{
    const cli_opt opts[] = {CLI_END};
    plex_container *c = NULL, *u = NULL;
    char platform[256], update[300];
    cli_pms p;
    int rc, urc;

    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "The server's name, version, platform and machine identifier (GET /), and\n"
                       "whether an update is available (GET /updater/status; an administrator's\n"
                       "token).\n"
                       "--json: the MediaContainer of GET /, then that of GET /updater/status, as\n"
                       "the server sent them.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_server_info(&c, p.server)) != 0) {
        rc = cli_pms_fail(&p, rc, "reading the server");
        goto done;
    }
    if (cli_g.json && (rc = cli_pms_json(&p, c, NULL)) != 0)
        goto done;
    /* the updater (no typed call yet): its attributes are by wire name */
    urc = plex_server_get(&u, p.server, "/updater/status", NULL);
    if (cli_g.json) {
        if (urc == 0)
            rc = cli_pms_json(&p, u, NULL);
        goto done;
    }
    if (urc != 0) {
        const plex_error *e = plex_server_last_error(p.server);
        snprintf(update, sizeof(update), "unknown (%s)",
                 e && e->code == urc && e->message[0] ? e->message : plex_strerror(urc));
    } else {
        int can = truth(plex_attrs_get(&u->extra, "canInstall"));
        snprintf(update, sizeof(update), "%s",
                 can == 1   ? "available (plex --json server shows the release)"
                 : can == 0 ? "none"
                            : "unknown (the server does not say)");
    }
    snprintf(platform, sizeof(platform), "%s%s%s", c->platform ? c->platform : "",
             c->platform_version ? " " : "", c->platform_version ? c->platform_version : "");
    printf("name        %s\n", c->friendly_name ? c->friendly_name : "");
    printf("version     %s\n", c->version ? c->version : "");
    printf("platform    %s\n", platform);
    printf("machine id  %s\n", c->machine_identifier ? c->machine_identifier : "");
    printf("url         %s\n", plex_server_url(p.server));
    if (c->my_plex_username)
        printf("account     %s (%s)\n", c->my_plex_username,
               c->my_plex_signin_state ? c->my_plex_signin_state : "?");
    printf("update      %s\n", update);
done:
    plex_container_free(c);
    plex_container_free(u);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

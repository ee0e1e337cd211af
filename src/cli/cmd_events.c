/*
 * plex events: the server's live notifications (GET
 * /:/eventsource/notifications) until Ctrl-C, one line each, or with --json
 * each notification's payload as the server sent it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

/* What a playing notification's session is: who, where, what. The
 * notification names only the session, the player's id and the item, so the
 * rest is looked up (GET /status/sessions, else the item) and kept. */
typedef struct ev_session {
    char key[32];        /* sessionKey */
    char rating_key[32]; /* the item */
    char who[128];       /* the user's name, or "" */
    char where[256];     /* the player (its address), or "" */
    char what[512];      /* the item's title */
    long long duration;  /* ms, or 0 */
} ev_session;

#define EV_SESSIONS 32

typedef struct ev_ctx {
    cli_pms *p;
    plex_events *events;
    int connected;   /* a stream was open once */
    int failed;      /* the first connection failed with this (the command ends) */
    int out_failed;  /* stdout could not be written */
    int no_sessions; /* /status/sessions was refused: not asked again */
    ev_session sessions[EV_SESSIONS];
    size_t nsessions, next; /* a ring: the oldest is replaced */
} ev_ctx;

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* The data of an event that is not understood, flattened onto one line:
 * control characters and runs of blanks become one space, cut (on a UTF-8
 * boundary) to what buf holds. */
static void flat(char *buf, size_t size, const char *data, size_t len)
{
    size_t o = 0;
    int blank = 0;

    for (size_t i = 0; i < len && o + 1 < size; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c <= ' ' || c == 0x7f) {
            blank = o > 0;
            continue;
        }
        if (blank && o + 2 < size)
            buf[o++] = ' ';
        blank = 0;
        buf[o++] = (char)c;
    }
    if (o + 1 >= size) /* cut: not in the middle of a character */
        while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
            o--;
    if (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0xc0)
        o--;
    buf[o] = '\0';
}

/* ---- who plays what ---- */

static ev_session *session_find(ev_ctx *x, const char *key, const char *rating_key)
{
    for (size_t i = 0; i < x->nsessions; i++) {
        ev_session *s = &x->sessions[i];
        if (strcmp(s->key, key) == 0 && strcmp(s->rating_key, rating_key) == 0)
            return s;
    }
    return NULL;
}

static ev_session *session_slot(ev_ctx *x, const char *key, const char *rating_key)
{
    ev_session *s = session_find(x, key, rating_key);

    if (!s) {
        if (x->nsessions < EV_SESSIONS)
            s = &x->sessions[x->nsessions++];
        else
            s = &x->sessions[x->next++ % EV_SESSIONS];
        memset(s, 0, sizeof(*s));
        snprintf(s->key, sizeof(s->key), "%s", key);
        snprintf(s->rating_key, sizeof(s->rating_key), "%s", rating_key);
    }
    return s;
}

/* Learn every session the server has now (GET /status/sessions). */
static void learn_sessions(ev_ctx *x)
{
    plex_container *c = NULL;
    int rc;

    if (x->no_sessions)
        return;
    rc = plex_sessions_get(&c, x->p->server);
    if (rc == PLEX_EAUTH) /* not an administrator: names stay unknown */
        x->no_sessions = 1;
    for (size_t i = 0; rc == 0 && i < c->items_count; i++) {
        const plex_metadata *m = c->items[i];
        const plex_player *pl = m->player;
        ev_session *s;

        if (!m->session_key || !m->rating_key)
            continue;
        s = session_slot(x, m->session_key, m->rating_key);
        cli_item_title(s->what, sizeof(s->what), m, 0);
        s->duration = m->duration;
        snprintf(s->who, sizeof(s->who), "%s", m->user ? or_empty(m->user->title) : "");
        if (pl)
            snprintf(s->where, sizeof(s->where), "%s%s%s%s", or_empty(pl->title),
                     pl->address ? " (" : "", or_empty(pl->address), pl->address ? ")" : "");
    }
    plex_container_free(c);
}

/* The session of a playing notification: known, learnt from the sessions,
 * or at least its item (GET /library/metadata/{key}); NULL if none. */
static const ev_session *session_of(ev_ctx *x, const plex_play_session_state *ps)
{
    const ev_session *known;
    plex_container *c = NULL;
    ev_session *s;

    if (!ps->session_key || !ps->rating_key)
        return NULL;
    if ((known = session_find(x, ps->session_key, ps->rating_key)) != NULL)
        return known;
    learn_sessions(x);
    if ((known = session_find(x, ps->session_key, ps->rating_key)) != NULL)
        return known;
    if (plex_metadata_get(&c, x->p->server, ps->rating_key, NULL) != 0 || c->items_count == 0) {
        plex_container_free(c);
        return NULL;
    }
    s = session_slot(x, ps->session_key, ps->rating_key);
    cli_item_title(s->what, sizeof(s->what), c->items[0], 0);
    s->duration = c->items[0]->duration;
    plex_container_free(c);
    return s;
}

/* ---- one line per notification ---- */

/* "12:03:04  playing       <text>", cut to the terminal's width. */
static void put_line(const char *name, const char *text)
{
    char line[2048], when[16] = "";
    time_t now = time(NULL);
    struct tm tm;
    size_t len = 0;
    int width = cli_term_width();

    if (localtime_r(&now, &tm))
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
    cli_appendf(line, sizeof(line), &len, "%s  %-12s  %s", when, name, text);
    if (width > 0 && cli_text_width(line) > width) {
        cli_text_fit(stdout, line, width);
        fputc('\n', stdout);
    } else {
        fputs(line, stdout);
        fputc('\n', stdout);
    }
}

static void say_playing(ev_ctx *x, const char *name, const plex_play_session_state *ps)
{
    const ev_session *s = session_of(x, ps);
    char text[1024], at[32], of[32] = "";
    size_t len = 0;

    cli_fmt_duration(at, sizeof(at), ps->view_offset);
    if (s && s->duration > 0)
        cli_fmt_duration(of, sizeof(of), s->duration);
    if (s && s->who[0])
        cli_appendf(text, sizeof(text), &len, "%s on ", s->who);
    if (s && s->where[0])
        cli_appendf(text, sizeof(text), &len, "%s: ", s->where);
    else
        cli_appendf(text, sizeof(text), &len,
                    "player %s: ", ps->client_identifier ? ps->client_identifier : "?");
    cli_appendf(text, sizeof(text), &len, "%s ", ps->state ? ps->state : "?");
    if (s && s->what[0])
        cli_appendf(text, sizeof(text), &len, "%s", s->what);
    else
        cli_appendf(text, sizeof(text), &len, "item %s", ps->rating_key ? ps->rating_key : "?");
    if (plex_play_session_state_has(ps, PLEX_PLAY_SESSION_STATE_VIEW_OFFSET))
        cli_appendf(text, sizeof(text), &len, " at %s%s%s", at, of[0] ? " of " : "", of);
    if (ps->transcode_session)
        cli_appendf(text, sizeof(text), &len, " (transcoded)");
    put_line(name, text);
}

static const char *timeline_state(int state)
{
    switch (state) {
    case 0:
        return "created";
    case 1:
        return "in progress";
    case 2:
        return "matching";
    case 3:
        return "downloading";
    case 4:
        return "processing";
    case 5:
        return "processed";
    case 9:
        return "deleted";
    default:
        return "changed";
    }
}

static void say_timeline(const char *name, const plex_timeline_entry *t)
{
    const char *type = plex_media_type_name(t->type);
    char text[1024];
    size_t len = 0;

    if (t->title)
        cli_appendf(text, sizeof(text), &len, "%s", t->title);
    else
        cli_appendf(text, sizeof(text), &len, "item %s", t->item_id ? t->item_id : "?");
    if (type)
        cli_appendf(text, sizeof(text), &len, " (%s)", type);
    if (t->section_id)
        cli_appendf(text, sizeof(text), &len, " in section %s", t->section_id);
    cli_appendf(text, sizeof(text), &len, ": %s", timeline_state(t->state));
    put_line(name, text);
}

static void say_activity(const char *name, const plex_activity_notification *an)
{
    const plex_activity *a = an->activity;
    char text[1024];
    size_t len = 0;

    cli_appendf(text, sizeof(text), &len, "%s %s", an->event ? an->event : "?",
                a && a->title ? a->title : "activity");
    if (a && a->subtitle)
        cli_appendf(text, sizeof(text), &len, " \xe2\x80\x94 %s", a->subtitle);
    if (a && plex_activity_has(a, PLEX_ACTIVITY_PROGRESS) && a->progress >= 0)
        cli_appendf(text, sizeof(text), &len, ", %d%%", a->progress);
    put_line(name, text);
}

static void say_transcode(const char *name, const plex_transcode_session *t)
{
    char text[1024];
    size_t len = 0;

    cli_appendf(text, sizeof(text), &len, "session %s", t->key ? t->key : "?");
    if (plex_transcode_session_has(t, PLEX_TRANSCODE_SESSION_PROGRESS))
        cli_appendf(text, sizeof(text), &len, ": %.0f%%", t->progress);
    if (plex_transcode_session_has(t, PLEX_TRANSCODE_SESSION_SPEED))
        cli_appendf(text, sizeof(text), &len, " at %.1fx", t->speed);
    if (t->video_decision)
        cli_appendf(text, sizeof(text), &len, ", video %s", t->video_decision);
    if (t->audio_decision)
        cli_appendf(text, sizeof(text), &len, ", audio %s", t->audio_decision);
    put_line(name, text);
}

static const char *log_level(int level)
{
    static const char *const names[] = {"error", "warning", "info", "debug", "verbose"};
    return level >= 0 && level <= 4 ? names[level] : "log";
}

/* The lines of a decoded notification: one per payload it carries. */
static int say_notification(ev_ctx *x, const char *name, const plex_notification *n)
{
    char text[1024];
    int lines = 0;

    for (size_t i = 0; i < n->playing_count; i++, lines++)
        say_playing(x, name, n->playing[i]);
    for (size_t i = 0; i < n->timeline_count; i++, lines++)
        say_timeline(name, n->timeline[i]);
    for (size_t i = 0; i < n->activities_count; i++, lines++)
        say_activity(name, n->activities[i]);
    for (size_t i = 0; i < n->statuses_count; i++, lines++) {
        const plex_status_notification *s = n->statuses[i];
        snprintf(text, sizeof(text), "%s%s%s", s->title ? s->title : or_empty(s->notification_name),
                 s->description ? ": " : "", or_empty(s->description));
        put_line(name, text);
    }
    for (size_t i = 0; i < n->reachability_count; i++, lines++)
        put_line(name, n->reachability[i]->reachability == PLEX_TRUE
                           ? "the server is reachable from outside"
                           : "the server is not reachable from outside");
    for (size_t i = 0; i < n->transcode_sessions_count; i++, lines++)
        say_transcode(name, n->transcode_sessions[i]);
    for (size_t i = 0; i < n->settings_count; i++, lines++) {
        const plex_setting *s = n->settings[i];
        snprintf(text, sizeof(text), "%s = %s", s->id ? s->id : "?", or_empty(s->value.text));
        put_line(name, text);
    }
    for (size_t i = 0; i < n->background_queue_count; i++, lines++) {
        const plex_background_queue_notification *b = n->background_queue[i];
        snprintf(text, sizeof(text), "queue %lld: %s", (long long)b->queue_id,
                 b->event ? b->event : "changed");
        put_line(name, text);
    }
    for (size_t i = 0; i < n->progress_count; i++, lines++)
        put_line(name, or_empty(n->progress[i]->message));
    for (size_t i = 0; i < n->accounts_count; i++, lines++) {
        const plex_account_notification *a = n->accounts[i];
        snprintf(text, sizeof(text), "account %lld%s%s changed", (long long)a->id,
                 a->name ? " " : "", or_empty(a->name));
        put_line(name, text);
    }
    for (size_t i = 0; i < n->updates_count; i++, lines++) {
        const plex_update_notification *u = n->updates[i];
        snprintf(text, sizeof(text), "release %s: %s", u->version ? u->version : "?",
                 u->state ? u->state : "changed");
        put_line(name, text);
    }
    for (size_t i = 0; i < n->log_count; i++, lines++) {
        const plex_log_notification *l = n->log[i];
        snprintf(text, sizeof(text), "%s %s%s%s", log_level(l->level), or_empty(l->source),
                 l->source ? ": " : "", or_empty(l->message));
        put_line(name, text);
    }
    return lines;
}

/* ---- --json ---- */

static int json_data(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    return i < len && (data[i] == '{' || data[i] == '[');
}

static void json_event(const plex_event *ev)
{
    char *json = NULL;

    if (ev->data && ev->error != PLEX_EPARSE && json_data(ev->data, ev->data_len)) {
        cli_json_line(stdout, ev->data, ev->data_len);
    } else if (ev->notification && plex_notification_to_json(ev->notification, &json) == 0) {
        /* XML data: the decoded notification, re-encoded */
        cli_json_line(stdout, json, strlen(json));
        plex_free(json);
    } else {
        fflush(stdout);
        cli_warn("a %s event whose data is not JSON was left out", ev->name ? ev->name : "unnamed");
    }
}

/* ---- the subscription ---- */

static int on_event(const plex_event *ev, void *payload)
{
    ev_ctx *x = payload;
    char text[600];

    if (ev->type == PLEX_EVENT_CONNECTED) {
        x->connected = 1;
        return 0;
    }
    if (ev->type == PLEX_EVENT_DISCONNECTED) {
        const plex_error *e = plex_events_last_error(x->events);
        if (!x->connected) { /* the first attempt: the command fails */
            x->failed = ev->error;
            return 1;
        }
        fflush(stdout);
        cli_warn("the event stream was lost (%s); reconnecting in %ld s, the events meanwhile "
                 "are missed",
                 e && e->code == ev->error && e->message[0] ? e->message : plex_strerror(ev->error),
                 (ev->retry_in_ms + 999) / 1000);
        return 0;
    }
    if (cli_g.json) {
        json_event(ev);
    } else if (!ev->notification || ev->error ||
               say_notification(x, ev->name ? ev->name : "?", ev->notification) == 0) {
        /* unknown or not understood: what it says, flattened */
        if (ev->data)
            flat(text, sizeof(text), ev->data, ev->data_len);
        else
            text[0] = '\0';
        put_line(ev->name ? ev->name : "?", text);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        x->out_failed = 1;
        return 1;
    }
    return 0;
}

int cmd_events(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *filters;
    const cli_opt opts[] = {
        CLI_VALUE("filters", 0, "TYPES", filters,
                  "only these types (playing,activity), all but these (-timeline); \"\": all"),
        CLI_END,
    };
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_wait_info w;
    ev_ctx x;
    cli_pms p;
    int rc;

    filters = NULL;
    memset(&p, 0, sizeof(p));
    memset(&x, 0, sizeof(x));
    rc = cli_opt_parse(
        opts, cmd->name,
        "The server's live notifications (GET /:/eventsource/notifications) until\n"
        "Ctrl-C, one line each: the time, the type and what it says (who plays what\n"
        "where, library changes, activities and their progress, status, preferences,\n"
        "updates). A lost stream is reported on stderr and opened again.\n"
        "--json: each notification's data as the server sent it, one per line.",
        argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    x.p = &p;
    o.filters = filters;
    o.on_event = on_event;
    o.payload = &x;
    if ((rc = plex_events_new(&x.events, p.server, &o)) != 0) {
        rc = cli_pms_fail(&p, rc, "the event stream");
        goto done;
    }
    cli_interrupt_catch();
    while ((rc = plex_events_step(x.events, &w)) == PLEX_EPENDING)
        if (cli_wait(&w))
            break;
    if (cli_interrupted()) {
        fflush(stdout);
        cli_error("interrupted");
        rc = CLI_EXIT_CANCELLED;
    } else if (x.out_failed) {
        rc = CLI_EXIT_ERROR; /* cli_finish_stdout() says why */
    } else if (x.failed || rc < 0) {
        rc = cli_pms_report(&p, plex_events_last_error(x.events), x.failed ? x.failed : rc,
                            "the event stream");
    }
done:
    plex_events_free(x.events);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

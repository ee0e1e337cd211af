/*
 * Administering plexsim's media server through plex/pms/admin.h (issue 17):
 * butler tasks (list, start one or all with 200/202/404, stop), activities
 * (a butler task or a scan shows up with progress that advances and ends;
 * cancel with 400/404), the updater (check, status, apply now, tonight,
 * skip; 400 with nothing to install, 500 through a fault), statistics
 * (media, resources, bandwidth; filters; a bad timespan), the log (one line,
 * several, networked; read back live with filters=log), transient tokens
 * (accepted by the server as tokens) and /security/resources. JSON and XML.
 */
#include <time.h>

#include "flow.h"

#define TOKEN "plexsim-user-token-0001"
#define SERVER_ID "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d"

static sim S;
static plex_client *C;

static plex_server *server(const char *token, unsigned int flags)
{
    return flow_server(C, S.pms_url, token, flags);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const plex_activity *find_activity(const plex_activities *a, const char *type,
                                          const char *name)
{
    for (size_t i = 0; a && i < a->activities_count; i++) {
        const plex_activity *x = a->activities[i];
        if (x->type && strcmp(x->type, type) == 0 &&
            (!name || (x->context && x->context->name && strcmp(x->context->name, name) == 0)))
            return x;
    }
    return NULL;
}

static void test_butler(unsigned int flags)
{
    plex_server *s = server(TOKEN, flags);
    plex_butler_tasks *bt = NULL;
    plex_activities *acts = NULL;
    const plex_butler_task *backup = NULL;
    const plex_activity *a;
    char uuid[64] = "";

    CHECK_INT(plex_butler_get(&bt, s), 0);
    REQUIRE(bt != NULL);
    CHECK(bt->tasks_count >= 10);
    for (size_t i = 0; i < bt->tasks_count; i++)
        if (bt->tasks[i]->name && strcmp(bt->tasks[i]->name, "BackupDatabase") == 0)
            backup = bt->tasks[i];
    REQUIRE(backup != NULL);
    CHECK_STR(backup->title, "Backup Database");
    CHECK_INT(backup->interval, 3);
    CHECK_INT(backup->enabled, PLEX_TRUE);
    CHECK_INT(backup->schedule_randomized, PLEX_FALSE);
    CHECK(backup->description && *backup->description);
    plex_butler_tasks_free(bt);

    /* start one: 200, again while it runs: 202 */
    CHECK_INT(plex_butler_start(s, "BackupDatabase"), 0);
    CHECK_INT(plex_butler_start(s, "BackupDatabase"), 1);
    CHECK_INT(plex_butler_start(s, "NoSuchTask"), PLEX_ENOTFOUND);
    CHECK_INT(plex_server_last_error(s)->http_status, 404);
    CHECK_INT(plex_butler_start(s, "a/b"), PLEX_EINVALID);
    CHECK_INT(plex_butler_stop(s, ""), PLEX_EINVALID);

    /* it is an activity, not cancellable as such (400): the butler stops it */
    CHECK_INT(plex_activities_get(&acts, s), 0);
    a = find_activity(acts, "butler.task", "BackupDatabase");
    REQUIRE(a != NULL);
    CHECK_STR(a->title, "Backup Database");
    CHECK(a->progress >= 0 && a->progress <= 100);
    CHECK_INT(a->cancellable, PLEX_FALSE);
    CHECK(a->uuid && strlen(a->uuid) == 36);
    snprintf(uuid, sizeof(uuid), "%s", a->uuid ? a->uuid : "");
    CHECK_INT(acts->size, (long long)acts->activities_count);
    plex_activities_free(acts);
    CHECK_INT(plex_activity_cancel(s, uuid), PLEX_EBADREQUEST);
    CHECK_INT(plex_butler_stop(s, "BackupDatabase"), 0);
    CHECK_INT(plex_butler_stop(s, "BackupDatabase"), PLEX_ENOTFOUND); /* not running */
    CHECK_INT(plex_activity_cancel(s, uuid), PLEX_ENOTFOUND);         /* over */

    /* all of them, then stop all */
    CHECK_INT(plex_butler_start(s, NULL), 0);
    CHECK_INT(plex_activities_get(&acts, s), 0);
    CHECK(acts && acts->activities_count >= 9); /* the enabled ones */
    CHECK(find_activity(acts, "butler.task", "GenerateChapterThumbs") == NULL); /* disabled */
    plex_activities_free(acts);
    CHECK_INT(plex_butler_stop(s, NULL), 0);
    CHECK_INT(plex_activities_get(&acts, s), 0);
    CHECK(acts && find_activity(acts, "butler.task", NULL) == NULL);
    plex_activities_free(acts);
    plex_server_free(s);
}

/* A section scan is an activity whose progress advances and that ends. */
static void test_activity_progress(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_activities *acts = NULL;
    int seen[101] = {0}, distinct = 0, last = -1, monotonic = 1, rounds = 0, gone = 0;
    char uuid[64] = "";

    CHECK_INT(plex_section_refresh(s, "2", 0), 0);
    while (!gone && rounds++ < 300) {
        const plex_activity *a;
        CHECK_INT(plex_activities_get(&acts, s), 0);
        a = find_activity(acts, "library.update.section", NULL);
        if (a) {
            if (!uuid[0])
                snprintf(uuid, sizeof(uuid), "%s", a->uuid);
            CHECK_STR(a->uuid, uuid);
            CHECK(a->context && a->context->library_section_id &&
                  strcmp(a->context->library_section_id, "2") == 0);
            CHECK_INT(a->cancellable, PLEX_TRUE);
            if (a->progress < last)
                monotonic = 0;
            if (a->progress >= 0 && a->progress <= 100 && !seen[a->progress]++)
                distinct++;
            last = a->progress;
        } else if (uuid[0]) {
            gone = 1;
        }
        plex_activities_free(acts);
        acts = NULL;
        sleep_ms(50);
    }
    CHECK(uuid[0] != '\0');
    CHECK(gone);
    CHECK(monotonic);
    CHECK(distinct >= 3);

    /* cancel a scan: 200, and it is gone */
    CHECK_INT(plex_section_refresh(s, "1", 0), 0);
    CHECK_INT(plex_activities_get(&acts, s), 0);
    {
        const plex_activity *a = find_activity(acts, "library.update.section", NULL);
        REQUIRE(a != NULL);
        snprintf(uuid, sizeof(uuid), "%s", a->uuid);
    }
    plex_activities_free(acts);
    CHECK_INT(plex_activity_cancel(s, uuid), 0);
    CHECK_INT(plex_activity_cancel(s, uuid), PLEX_ENOTFOUND);
    CHECK_INT(plex_activity_cancel(s, "no/such"), PLEX_EINVALID);
    CHECK_INT(plex_activity_cancel(s, NULL), PLEX_EINVALID);
    CHECK_INT(plex_activities_get(&acts, s), 0);
    CHECK(acts && find_activity(acts, "library.update.section", NULL) == NULL);
    plex_activities_free(acts);
    plex_server_free(s);
}

static const char *release_state(const plex_updater_status *u)
{
    return u && u->releases_count ? u->releases[0]->state : NULL;
}

static void test_updater(unsigned int flags)
{
    plex_server *s = server(TOKEN, flags);
    plex_updater_status *u = NULL;

    CHECK_INT(sim_control(&S, "POST", "/__sim/reset", NULL, NULL), 200);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    REQUIRE(u != NULL);
    CHECK_INT(u->can_install, PLEX_TRUE);
    CHECK_INT(u->releases_count, 0);
    CHECK(!plex_updater_status_has(u, PLEX_UPDATER_STATUS_CHECKED_AT));
    plex_updater_status_free(u);
    CHECK_INT(plex_updater_apply(s, 0), PLEX_EBADREQUEST); /* nothing to install */
    CHECK_INT(plex_updater_check(s, 0), 0);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    CHECK_STR(release_state(u), "available");
    CHECK(u && u->checked_at > 0 && u->releases[0]->version && u->releases[0]->download_url);
    plex_updater_status_free(u);
    CHECK_INT(plex_updater_apply(s, 0), PLEX_EBADREQUEST); /* not downloaded yet */
    CHECK_INT(plex_updater_check(s, 1), 0);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    CHECK_STR(release_state(u), "downloaded");
    plex_updater_status_free(u);
    CHECK_INT(plex_updater_apply(s, PLEX_UPDATER_TONIGHT), 0);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    CHECK_STR(release_state(u), "tonight");
    plex_updater_status_free(u);
    CHECK_INT(sim_control(&S, "POST", "/__sim/fault?route=PUT+/updater/apply&seq=500", NULL, NULL),
              200);
    CHECK_INT(plex_updater_apply(s, 0), PLEX_ESERVER);
    CHECK_INT(plex_updater_apply(s, 0), 0);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    CHECK_STR(release_state(u), "installing");
    plex_updater_status_free(u);
    CHECK_INT(plex_updater_apply(s, PLEX_UPDATER_SKIP), 0);
    CHECK_INT(plex_updater_status_get(&u, s), 0);
    CHECK_STR(release_state(u), "skipped");
    plex_updater_status_free(u);
    CHECK_INT(plex_updater_apply(s, 8), PLEX_EINVALID);
    plex_server_free(s);
}

static void test_statistics(unsigned int flags)
{
    plex_server *s = server(TOKEN, flags);
    plex_statistics *st = NULL;
    plex_query *q = NULL;
    long long me = -1;

    /* devices are the clients the server has seen: this one is among them */
    CHECK_INT(plex_statistics_media_get(&st, s, PLEX_TIMESPAN_HOURS, NULL), 0);
    REQUIRE(st != NULL);
    CHECK(st->devices_count >= 1);
    CHECK_INT(st->accounts_count, 1);
    CHECK_STR(st->accounts[0]->name, "plexsim");
    for (size_t i = 0; i < st->devices_count; i++)
        if (st->devices[i]->client_identifier &&
            strcmp(st->devices[i]->client_identifier, "libplex-test-client") == 0)
            me = st->devices[i]->id;
    CHECK(me > 0);
    CHECK_INT(st->media_count, st->devices_count * 12);
    CHECK_INT(st->size, (long long)st->media_count);
    for (size_t i = 0; i < st->media_count; i++) {
        CHECK_INT(st->media[i]->timespan, 4);
        CHECK_INT(st->media[i]->at % 3600, 0);
        CHECK(st->media[i]->count >= 0 && st->media[i]->duration >= 0);
    }
    plex_statistics_free(st);

    /* filtered to this device */
    REQUIRE(plex_query_new(&q) == 0);
    REQUIRE(plex_query_add_int(q, "deviceID", me) == 0);
    CHECK_INT(plex_statistics_bandwidth_get(&st, s, PLEX_TIMESPAN_DAYS, q), 0);
    CHECK(st && st->bandwidth_count == 12 && st->media_count == 0);
    for (size_t i = 0; st && i < st->bandwidth_count; i++) {
        CHECK_INT(st->bandwidth[i]->device_id, me);
        CHECK(st->bandwidth[i]->bytes >= 0);
        CHECK(st->bandwidth[i]->lan == PLEX_TRUE || st->bandwidth[i]->lan == PLEX_FALSE);
    }
    plex_statistics_free(st);
    plex_query_free(q);

    /* resources: a sample per request, measured */
    CHECK_INT(plex_statistics_resources_get(&st, s, PLEX_TIMESPAN_SECONDS, NULL), 0);
    CHECK(st && st->resources_count >= 1);
    {
        size_t before = st ? st->resources_count : 0;
        plex_statistics_free(st);
        CHECK_INT(plex_statistics_resources_get(&st, s, 0, NULL), 0);
        CHECK(st && (st->resources_count == before + 1 || st->resources_count == 64));
    }
    for (size_t i = 0; st && i < st->resources_count; i++) {
        const plex_statistics_resources *r = st->resources[i];
        CHECK(r->host_memory_utilization > 0 && r->host_memory_utilization <= 100);
        CHECK(r->process_memory_utilization > 0 && r->process_memory_utilization < 100);
        CHECK(r->host_cpu_utilization >= 0 && r->process_cpu_utilization >= 0);
    }
    plex_statistics_free(st);

    CHECK_INT(plex_statistics_media_get(&st, s, 5, NULL), PLEX_EBADREQUEST);
    CHECK(st == NULL);
    CHECK_INT(plex_statistics_media_get(&st, s, -1, NULL), PLEX_EINVALID);
    plex_server_free(s);
}

/* The log: written, and read back live through the event stream. */
typedef struct logs {
    char msg[16][64];
    int level[16];
    size_t n;
    int connected;
} logs;

static int on_log(const plex_event *ev, void *payload)
{
    logs *l = payload;

    if (ev->type == PLEX_EVENT_CONNECTED)
        l->connected = 1;
    if (ev->type == PLEX_EVENT_LOG && ev->notification && ev->notification->log_count &&
        l->n < 16) {
        snprintf(l->msg[l->n], sizeof(l->msg[0]), "%s|%s", ev->notification->log[0]->message,
                 ev->notification->log[0]->source ? ev->notification->log[0]->source : "");
        l->level[l->n++] = ev->notification->log[0]->level;
    }
    return 0;
}

static void pump_until(plex_events *e, const int *flag, const size_t *n, size_t want)
{
    plex_wait_info w;
    int guard = 0;

    while (((flag && !*flag) || (n && *n < want)) && guard++ < 3000) {
        CHECK_INT(plex_events_step(e, &w), PLEX_EPENDING);
        flow_poll(&w, 20);
    }
}

static void test_log(void)
{
    plex_server *s = server(TOKEN, 0);
    plex_events_options o = PLEX_EVENTS_OPTIONS_INIT;
    plex_events *e = NULL;
    static logs L;
    plex_log_line lines[3] = {
        {0, "first line", "multi"}, {4, "second & line = ok?", NULL}, {3, "third", "multi"}};

    o.on_event = on_log;
    o.payload = &L;
    o.filters = "log";
    REQUIRE(plex_events_new(&e, s, &o) == 0);
    pump_until(e, &L.connected, NULL, 0);
    CHECK(L.connected);
    CHECK_INT(plex_log_write(s, PLEX_SERVER_LOG_WARNING, "one line: 100% é", "libplex"), 0);
    CHECK_INT(plex_log_write_lines(s, lines, 3), 0);
    pump_until(e, NULL, &L.n, 4);
    CHECK_INT(L.n, 4);
    CHECK_STR(L.msg[0], "one line: 100% é|libplex");
    CHECK_INT(L.level[0], 1);
    CHECK_STR(L.msg[1], "first line|multi");
    CHECK_STR(L.msg[2], "second & line = ok?|");
    CHECK_INT(L.level[2], 4);
    CHECK_STR(L.msg[3], "third|multi");
    plex_events_free(e);

    CHECK_INT(plex_log_write(s, 5, "bad level", NULL), PLEX_EINVALID);
    CHECK_INT(plex_log_write(s, 2, "", NULL), PLEX_EINVALID);
    CHECK_INT(plex_log_write(s, 2, NULL, NULL), PLEX_EINVALID);
    CHECK_INT(plex_log_write_lines(s, lines, 0), PLEX_EINVALID);
    lines[1].level = -1;
    CHECK_INT(plex_log_write_lines(s, lines, 3), PLEX_EINVALID);
    CHECK_INT(plex_log_networked(s, 10), 0);
    CHECK_INT(plex_log_networked(s, 0), PLEX_EINVALID);
    plex_server_free(s);
}

static void test_security(unsigned int flags)
{
    plex_server *s = server(TOKEN, flags), *t;
    plex_source_resources *r = NULL;
    plex_container *c = NULL;
    char *tok = NULL, source[160];

    CHECK_INT(plex_security_token(&tok, s), 0);
    REQUIRE(tok != NULL);
    CHECK(strncmp(tok, "transient-", 10) == 0 && strlen(tok) == 42);
    /* the transient token is a token the server takes */
    t = server(tok, flags);
    CHECK_INT(plex_sections_get(&c, t), 0);
    CHECK(c && c->directories_count >= 1);
    plex_container_free(c);
    c = NULL;
    plex_server_free(t);
    t = server("transient-00000000000000000000000000000000", flags);
    CHECK_INT(plex_sections_get(&c, t), PLEX_EAUTH);
    plex_server_free(t);
    plex_free(tok);

    snprintf(source, sizeof(source), "server://%s/com.plexapp.plugins.library", SERVER_ID);
    CHECK_INT(plex_source_resources_get(&r, s, source, 1), 0);
    REQUIRE(r != NULL);
    REQUIRE(r->devices_count == 1);
    CHECK_STR(r->devices[0]->client_identifier, SERVER_ID);
    REQUIRE(r->devices[0]->connections_count == 1);
    CHECK_STR(r->devices[0]->connections[0]->uri, S.pms_url);
    CHECK_INT(r->devices[0]->connections[0]->local, PLEX_TRUE);
    t = server(r->devices[0]->access_token, flags);
    CHECK_INT(plex_sections_get(&c, t), 0);
    plex_container_free(c);
    plex_server_free(t);
    plex_source_resources_free(r);
    r = NULL;
    CHECK_INT(plex_source_resources_get(&r, s, "server://0000/x", 0), PLEX_ENOTFOUND);
    CHECK_INT(plex_source_resources_get(&r, s, "provider://tv.plex.provider.vod", 0),
              PLEX_EBADREQUEST);
    CHECK_INT(plex_source_resources_get(&r, s, NULL, 0), PLEX_EINVALID);
    CHECK(r == NULL);
    plex_server_free(s);

    /* a wrong token gets nothing */
    s = server("bad-token", flags);
    CHECK_INT(plex_security_token(&tok, s), PLEX_EAUTH);
    CHECK(tok == NULL);
    plex_server_free(s);
}

static void test_null_args(void)
{
    plex_butler_tasks *bt = NULL;
    char *tok = NULL;

    CHECK_INT(plex_butler_get(NULL, NULL), PLEX_EINVALID);
    CHECK_INT(plex_butler_get(&bt, NULL), PLEX_EINVALID);
    CHECK_INT(plex_butler_start(NULL, "x"), PLEX_EINVALID);
    CHECK_INT(plex_updater_check(NULL, 0), PLEX_EINVALID);
    CHECK_INT(plex_security_token(&tok, NULL), PLEX_EINVALID);
    CHECK_INT(plex_log_write(NULL, 1, "x", NULL), PLEX_EINVALID);
    plex_butler_tasks_free(NULL);
    plex_activities_free(NULL);
    plex_updater_status_free(NULL);
    plex_statistics_free(NULL);
    plex_source_resources_free(NULL);
}

int main(void)
{
    plex_client_options o;
    plex_error err;

    REQUIRE(plex_global_init() == 0);
    sim_start_pms(&S, NULL);
    CHECK_INT(sim_control(&S, "POST", "/__sim/config?event_ping_ms=200", NULL, NULL), 200);
    flow_client_options(&o, S.url, NULL, 10000);
    o.client_identifier = "libplex-test-client";
    REQUIRE(plex_client_new(&C, &o, &err) == 0);

    test_butler(0);
    test_butler(PLEX_SERVER_XML);
    test_activity_progress();
    test_updater(0);
    test_updater(PLEX_SERVER_XML);
    test_statistics(0);
    test_statistics(PLEX_SERVER_XML);
    test_log();
    test_security(0);
    test_security(PLEX_SERVER_XML);
    test_null_args();

    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    return test_summary("test_pms_admin");
}

/*
 * Administering the server: plex butler (its maintenance tasks; run, stop)
 * and plex activities (what it is doing now; cancel).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

/* The running butler task `name` among the activities, or NULL. */
static const plex_activity *task_activity(const plex_activities *acts, const char *name)
{
    for (size_t i = 0; acts && name && i < acts->activities_count; i++) {
        const plex_activity *a = acts->activities[i];
        if (a->type && strcmp(a->type, "butler.task") == 0 && a->context && a->context->name &&
            strcmp(a->context->name, name) == 0)
            return a;
    }
    return NULL;
}

/* 1 if the server lists a butler task `name`, 0 if not, or an exit code
 * (negated) when the list cannot be read. */
static int task_exists(cli_pms *p, const char *name)
{
    plex_butler_tasks *bt = NULL;
    int rc = plex_butler_get(&bt, p->server), found = 0;

    if (rc != 0)
        return -cli_pms_fail(p, rc, "listing the butler tasks");
    for (size_t i = 0; i < bt->tasks_count; i++)
        if (bt->tasks[i]->name && strcmp(bt->tasks[i]->name, name) == 0)
            found = 1;
    plex_butler_tasks_free(bt);
    return found;
}

static int no_such_task(cli_pms *p, const char *name)
{
    cli_error("no butler task named %s on %s ('plex butler' lists them)", name, p->label);
    return CLI_EXIT_ERROR;
}

/* ---- plex butler ---- */

int cmd_butler(const cli_cmd *cmd, int argc, char **argv)
{
    static const cli_column cols[] = {
        {"NAME", 32, CLI_COL_DIM}, {"TITLE", 40, CLI_COL_FLEX}, {"INTERVAL", 13, 0},
        {"ENABLED", 7, 0},         {"RUNNING", 9, 0},
    };
    const cli_opt opts[] = {CLI_END};
    plex_butler_tasks *bt = NULL;
    plex_activities *acts = NULL;
    int rc, arc = 0;
    cli_table t;
    cli_pms p;

    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "The server's maintenance tasks (GET /butler; an administrator's token):\n"
                       "name, title, how often they run, whether they are enabled, and whether\n"
                       "they are running now (GET /activities). 'plex butler run TASK' starts\n"
                       "one, 'plex butler stop TASK' stops it.\n"
                       "--json: each ButlerTask object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_butler_get(&bt, p.server)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the butler tasks");
        goto done;
    }
    if (cli_g.json) {
        rc = cli_pms_json(&p, NULL, "ButlerTask");
        goto done;
    }
    arc = plex_activities_get(&acts, p.server);
    cli_table_init(&t, cols, 5, 1);
    for (size_t i = 0; i < bt->tasks_count; i++) {
        const plex_butler_task *k = bt->tasks[i];
        const plex_activity *a = task_activity(acts, k->name);
        char interval[32] = "", running[16];
        const char *cells[5];

        if (plex_butler_task_has(k, PLEX_BUTLER_TASK_INTERVAL) && k->interval == 1)
            snprintf(interval, sizeof(interval), "daily");
        else if (plex_butler_task_has(k, PLEX_BUTLER_TASK_INTERVAL))
            snprintf(interval, sizeof(interval), "every %d days", k->interval);
        if (arc != 0)
            snprintf(running, sizeof(running), "?");
        else if (a && plex_activity_has(a, PLEX_ACTIVITY_PROGRESS) && a->progress >= 0)
            snprintf(running, sizeof(running), "yes %d%%", a->progress);
        else
            snprintf(running, sizeof(running), "%s", a ? "yes" : "no");
        cells[0] = k->name;
        cells[1] = k->title;
        cells[2] = interval;
        cells[3] = k->enabled == PLEX_TRUE ? "yes" : k->enabled == PLEX_FALSE ? "no" : "";
        cells[4] = running;
        cli_table_row(&t, cells);
    }
    rc = cli_table_end(&t);
    if (rc == 0 && arc != 0) {
        const plex_error *e = plex_server_last_error(p.server);
        cli_warn("which tasks are running is unknown: %s",
                 e && e->code == arc && e->message[0] ? e->message : plex_strerror(arc));
    }
done:
    plex_activities_free(acts);
    plex_butler_tasks_free(bt);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

/* plex butler run|stop TASK: run = 1 starts it, 0 stops it. */
static int butler_task(const cli_cmd *cmd, int argc, char **argv, int run)
{
    static const char *task;
    const cli_opt opts[] = {
        CLI_ARG("TASK", task, 1, "the task's name, as 'plex butler' lists it (BackupDatabase...)"),
        CLI_END,
    };
    cli_pms p;
    int rc;

    task = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       run ? "Start a butler task now (POST /butler/{task}); it runs in the\n"
                             "background as an activity. A task that is already running is\n"
                             "left running (the server answers 202).\n"
                             "--json: {\"name\", \"started\", \"alreadyRunning\"}."
                           : "Stop a running butler task (DELETE /butler/{task}).\n"
                             "--json: {\"name\", \"stopped\"}.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    rc = run ? plex_butler_start(p.server, task) : plex_butler_stop(p.server, task);
    if (rc == PLEX_ENOTFOUND) {
        /* 404: no such task, or (stop) it is not running */
        int exists = run ? 0 : task_exists(&p, task);
        if (exists < 0) {
            rc = -exists;
        } else if (exists) {
            cli_error("the butler task %s is not running", task);
            rc = CLI_EXIT_ERROR;
        } else {
            rc = no_such_task(&p, task);
        }
        goto done;
    }
    if (rc < 0) {
        rc = cli_pms_fail(&p, rc, run ? "starting the butler task" : "stopping the butler task");
        goto done;
    }
    if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "name", task);
        if (run) {
            cli_json_bool(&j, "started", rc == 0);
            cli_json_bool(&j, "alreadyRunning", rc == 1);
        } else {
            cli_json_bool(&j, "stopped", 1);
        }
        cli_json_end(&j);
    } else if (!run) {
        printf("Stopped the butler task %s.\n", task);
    } else if (rc == 1) {
        printf("The butler task %s is already running.\n", task);
    } else {
        printf("Started the butler task %s.\n", task);
    }
    rc = 0;
done:
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

int cmd_butler_run(const cli_cmd *cmd, int argc, char **argv)
{
    return butler_task(cmd, argc, argv, 1);
}

int cmd_butler_stop(const cli_cmd *cmd, int argc, char **argv)
{
    return butler_task(cmd, argc, argv, 0);
}

/* ---- plex activities ---- */

int cmd_activities(const cli_cmd *cmd, int argc, char **argv)
{
    static const cli_column cols[] = {
        {"UUID", 36, CLI_COL_DIM},      {"TYPE", 24, 0},
        {"TITLE", 50, CLI_COL_FLEX},    {"SUBTITLE", 30, 0},
        {"PROGRESS", 8, CLI_COL_RIGHT}, {"CANCEL", 6, 0},
    };
    const cli_opt opts[] = {CLI_END};
    plex_activities *acts = NULL;
    cli_table t;
    cli_pms p;
    int rc;

    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "What the server is doing now (GET /activities; an administrator's\n"
                       "token): library scans, refreshes, butler tasks, media analysis, each\n"
                       "with its uuid, type, title, subtitle, progress and whether it can be\n"
                       "cancelled ('plex activities cancel UUID').\n"
                       "--json: each Activity object as the server sent it.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    if ((rc = plex_activities_get(&acts, p.server)) != 0) {
        rc = cli_pms_fail(&p, rc, "listing the activities");
        goto done;
    }
    if (cli_g.json) {
        rc = cli_pms_json(&p, NULL, "Activity");
        goto done;
    }
    cli_table_init(&t, cols, 6, 1);
    for (size_t i = 0; i < acts->activities_count; i++) {
        const plex_activity *a = acts->activities[i];
        char progress[16] = "";
        const char *cells[6];

        if (plex_activity_has(a, PLEX_ACTIVITY_PROGRESS) && a->progress >= 0)
            snprintf(progress, sizeof(progress), "%d%%", a->progress);
        cells[0] = a->uuid;
        cells[1] = a->type;
        cells[2] = a->title;
        cells[3] = a->subtitle;
        cells[4] = progress;
        cells[5] = a->cancellable == PLEX_TRUE ? "yes" : "no";
        cli_table_row(&t, cells);
    }
    rc = cli_table_end(&t);
    if (rc == 0 && acts->activities_count == 0)
        fputs("The server is doing nothing.\n", stderr);
done:
    plex_activities_free(acts);
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

int cmd_activities_cancel(const cli_cmd *cmd, int argc, char **argv)
{
    static const char *uuid;
    const cli_opt opts[] = {
        CLI_ARG("UUID", uuid, 1, "the activity's uuid, as 'plex activities' lists it"),
        CLI_END,
    };
    cli_pms p;
    int rc;

    uuid = NULL;
    memset(&p, 0, sizeof(p));
    rc = cli_opt_parse(opts, cmd->name,
                       "Cancel an activity (DELETE /activities/{uuid}): a library scan or\n"
                       "refresh. A butler task is stopped with 'plex butler stop TASK'.\n"
                       "--json: {\"uuid\", \"cancelled\"}.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if ((rc = cli_pms_open(&p)) != 0)
        goto done;
    rc = plex_activity_cancel(p.server, uuid);
    if (rc == PLEX_ENOTFOUND) {
        cli_error("no activity %s on %s (it may have ended)", uuid, p.label);
        rc = CLI_EXIT_ERROR;
    } else if (rc == PLEX_EBADREQUEST) {
        cli_error("the server cannot cancel the activity %s", uuid);
        rc = CLI_EXIT_ERROR;
    } else if (rc != 0) {
        rc = cli_pms_fail(&p, rc, "cancelling the activity");
    } else if (cli_g.json) {
        cli_json j;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "uuid", uuid);
        cli_json_bool(&j, "cancelled", 1);
        cli_json_end(&j);
    } else {
        printf("Cancelled the activity %s.\n", uuid);
    }
done:
    cli_pms_close(&p);
    return cli_finish_stdout(rc);
}

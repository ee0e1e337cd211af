/*
 * Administering a media server: butler tasks, activities, the updater,
 * statistics, the server log, transient tokens and source resources
 * (plex/pms/admin.h). Answers are decoded by the model engine into the
 * roots of admin.model.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/url.h"
#include "models.gen.h"
#include "plex/pms/admin.h"
#include "server.h"

/* A write whose answer is not needed; *status (if not NULL) gets the 2xx. */
static int send(plex_server *s, const char *method, const char *path, const char *query,
                const char *body, size_t body_len, long *status)
{
    plex__request r = {.method = method, .path = path, .query = query, .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;
    int rc;

    r.accept = plex__server_accept(s);
    r.body = body;
    r.body_len = body_len;
    r.content_type = body ? "text/plain" : NULL;
    rc = plex__server_request(s, &r, &resp);
    if (rc == 0 && status)
        *status = resp.status;
    return rc;
}

/* ---- butler ---- */

int plex_butler_get(plex_butler_tasks **out, plex_server *s)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex__server_model((void **)out, &plex__butler_tasks_schema, s, "GET", "/butler", NULL);
}

int plex_butler_start(plex_server *s, const char *task)
{
    char path[320] = "/butler";
    long status = 0;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (task && (rc = plex__pms_path(s, path, sizeof(path), "butler task", "/butler/%s", task)))
        return rc;
    if ((rc = send(s, "POST", path, NULL, NULL, 0, &status)) != 0)
        return rc;
    return status == 202 ? 1 : 0;
}

int plex_butler_stop(plex_server *s, const char *task)
{
    if (!s)
        return PLEX_EINVALID;
    if (!task)
        return send(s, "DELETE", "/butler", NULL, NULL, 0, NULL);
    return plex__pms_send_id(s, "DELETE", "butler task", "/butler/%s", task);
}

/* ---- activities ---- */

int plex_activities_get(plex_activities **out, plex_server *s)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex__server_model((void **)out, &plex__activities_schema, s, "GET", "/activities",
                              NULL);
}

int plex_activity_cancel(plex_server *s, const char *uuid)
{
    return plex__pms_send_id(s, "DELETE", "activity uuid", "/activities/%s", uuid);
}

/* ---- updater ---- */

int plex_updater_status_get(plex_updater_status **out, plex_server *s)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex__server_model((void **)out, &plex__updater_status_schema, s, "GET",
                              "/updater/status", NULL);
}

int plex_updater_check(plex_server *s, int download)
{
    if (!s)
        return PLEX_EINVALID;
    return send(s, "PUT", "/updater/check", download ? "download=1" : "download=0", NULL, 0, NULL);
}

int plex_updater_apply(plex_server *s, unsigned int flags)
{
    const char *q = NULL;

    if (!s)
        return PLEX_EINVALID;
    if (flags & ~(unsigned int)(PLEX_UPDATER_TONIGHT | PLEX_UPDATER_SKIP))
        return plex__http_fail(&s->http, PLEX_EINVALID, "unknown plex_updater_apply flags");
    if (flags & PLEX_UPDATER_TONIGHT)
        q = "tonight=1";
    else if (flags & PLEX_UPDATER_SKIP)
        q = "skip=1";
    return send(s, "PUT", "/updater/apply", q, NULL, 0, NULL);
}

/* ---- statistics ---- */

static int statistics(plex_statistics **out, plex_server *s, const char *path, int timespan,
                      const plex_query *query)
{
    plex__buf q = PLEX__BUF_INIT;
    const char *extra = plex_query_string(query);
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (timespan < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "timespan must be 0 or a plex_timespan");
    if (timespan > 0)
        plex__buf_printf(&q, "timespan=%d", timespan);
    if (extra && *extra)
        plex__buf_printf(&q, "%s%s", q.len ? "&" : "", extra);
    if (q.err) {
        plex__buf_dispose(&q);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    rc = plex__server_model((void **)out, &plex__statistics_schema, s, "GET", path,
                            q.len ? q.ptr : NULL);
    plex__buf_dispose(&q);
    return rc;
}

int plex_statistics_media_get(plex_statistics **out, plex_server *s, int timespan,
                              const plex_query *query)
{
    return statistics(out, s, "/statistics/media", timespan, query);
}

int plex_statistics_resources_get(plex_statistics **out, plex_server *s, int timespan,
                                  const plex_query *query)
{
    return statistics(out, s, "/statistics/resources", timespan, query);
}

int plex_statistics_bandwidth_get(plex_statistics **out, plex_server *s, int timespan,
                                  const plex_query *query)
{
    return statistics(out, s, "/statistics/bandwidth", timespan, query);
}

/* ---- the server log ---- */

/* Append one line's query string (level=&message=&source=) to b; 0 or PLEX_EINVALID. */
static int log_query(plex__buf *b, int level, const char *message, const char *source)
{
    char *flat;

    if (level < PLEX_SERVER_LOG_ERROR || level > PLEX_SERVER_LOG_VERBOSE || !message || !*message)
        return PLEX_EINVALID;
    if (!(flat = plex__strdup(message)))
        return PLEX_ENOMEM;
    for (char *p = flat; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' '; /* one line each */
    plex__buf_printf(b, "level=%d&message=", level);
    plex__url_encode(b, flat);
    plex__free(flat);
    if (source && *source) {
        plex__buf_puts(b, "&source=");
        plex__url_encode(b, source);
    }
    return b->err;
}

int plex_log_write(plex_server *s, int level, const char *message, const char *source)
{
    plex__buf q = PLEX__BUF_INIT;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = log_query(&q, level, message, source)) != 0) {
        plex__buf_dispose(&q);
        return plex__http_fail(&s->http, rc,
                               rc == PLEX_ENOMEM ? "out of memory"
                                                 : "a log line needs a level 0-4 and a message");
    }
    rc = send(s, "PUT", "/log", q.ptr, NULL, 0, NULL);
    plex__buf_dispose(&q);
    return rc;
}

int plex_log_write_lines(plex_server *s, const plex_log_line *lines, size_t count)
{
    plex__buf body = PLEX__BUF_INIT;
    int rc = 0;

    if (!s)
        return PLEX_EINVALID;
    if (!lines || count == 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "no log lines to write");
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (i)
            plex__buf_putc(&body, '\n');
        rc = log_query(&body, lines[i].level, lines[i].message, lines[i].source);
    }
    if (rc == 0)
        rc = send(s, "POST", "/log", NULL, body.ptr, body.len, NULL);
    else
        plex__http_fail(&s->http, rc,
                        rc == PLEX_ENOMEM ? "out of memory"
                                          : "each log line needs a level 0-4 and a message");
    plex__buf_dispose(&body);
    return rc;
}

int plex_log_networked(plex_server *s, int minutes)
{
    char q[48];

    if (!s)
        return PLEX_EINVALID;
    if (minutes < 1)
        return plex__http_fail(&s->http, PLEX_EINVALID, "minutes must be at least 1");
    snprintf(q, sizeof(q), "minutes=%d", minutes);
    return send(s, "POST", "/log/networked", q, NULL, 0, NULL);
}

/* ---- security ---- */

int plex_security_token(char **out, plex_server *s)
{
    plex_container *c = NULL;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    rc = plex__server_container(&c, s, "POST", "/security/token", "type=delegation&scope=all");
    if (rc == 0 && (!c->token || !*c->token))
        rc = plex__http_fail(&s->http, PLEX_ESCHEMA, "the server's answer has no token");
    if (rc == 0 && !(*out = plex__strdup(c->token)))
        rc = plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    plex_container_free(c);
    return rc;
}

int plex_source_resources_get(plex_source_resources **out, plex_server *s, const char *source,
                              int refresh)
{
    plex__buf q = PLEX__BUF_INIT;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!source || !*source)
        return plex__http_fail(&s->http, PLEX_EINVALID, "no source given");
    plex__buf_puts(&q, "source=");
    plex__url_encode(&q, source);
    if (refresh)
        plex__buf_puts(&q, "&refresh=1");
    if (q.err) {
        plex__buf_dispose(&q);
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    }
    rc = plex__server_model((void **)out, &plex__source_resources_schema, s, "GET",
                            "/security/resources", q.ptr);
    plex__buf_dispose(&q);
    return rc;
}

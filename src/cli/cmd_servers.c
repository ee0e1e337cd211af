/*
 * plex servers: the account's servers, their connections, and the one that
 * answers first (plex_resource_connect: local, then remote, relay last).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "opt.h"
#include "output.h"

static const char *result_name(const plex_connect_attempt *a)
{
    if (!a)
        return "untried";
    if (a->result == 0)
        return "ok";
    if (a->result == PLEX_ECANCELLED)
        return a->started ? "cancelled" : "not needed";
    return cli_error_name(a->result);
}

/* The attempt for connection cn, or NULL. */
static const plex_connect_attempt *attempt_of(const plex_connect_report *rep,
                                              const plex_connection *cn)
{
    for (size_t i = 0; i < plex_connect_report_count(rep); i++)
        if (plex_connect_report_at(rep, i)->connection == cn)
            return plex_connect_report_at(rep, i);
    return NULL;
}

/* Append text to the growing *buf; out of memory, *buf becomes NULL (and
 * stays so: later calls do nothing). */
static void json_lit(char **buf, size_t *len, size_t *cap, const char *text)
{
    size_t n = strlen(text);
    if (!*buf)
        return;
    if (*len + n + 1 >= *cap) {
        char *g = realloc(*buf, *cap * 2 + n);
        if (!g) {
            free(*buf);
            *buf = NULL;
            return;
        }
        *buf = g;
        *cap = *cap * 2 + n;
    }
    memcpy(*buf + *len, text, n + 1);
    *len += n;
}

/* Append s as a JSON string (quoted, escaped); NULL as null. */
static void json_string(char **buf, size_t *len, size_t *cap, const char *s)
{
    char tmp[8];

    if (!s) {
        json_lit(buf, len, cap, "null");
        return;
    }
    json_lit(buf, len, cap, "\"");
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
            snprintf(tmp, sizeof(tmp), "\\u%04x", (unsigned char)*s);
        else
            tmp[0] = *s, tmp[1] = '\0';
        json_lit(buf, len, cap, tmp);
    }
    json_lit(buf, len, cap, "\"");
}

/* Print one server; -1 when out of memory (nothing printed), else 0. */
static int print_server(const plex_resource *r, const plex_connect_report *rep, int rc, int tried)
{
    const plex_connection *chosen = plex_connect_report_chosen(rep);
    size_t i, n = plex_resource_connections_count(r);

    if (cli_g.json) {
        cli_json j;
        size_t len = 0, cap = 256;
        char *conns = malloc(cap), num[48];

        if (!conns)
            return -1;
        conns[0] = '\0';
        json_lit(&conns, &len, &cap, "[");
        for (i = 0; i < n; i++) {
            const plex_connection *cn = plex_resource_connection_at(r, i);
            const plex_connect_attempt *a = attempt_of(rep, cn);
            json_lit(&conns, &len, &cap, i ? ",{\"uri\":" : "{\"uri\":");
            json_string(&conns, &len, &cap, cn->uri);
            json_lit(&conns, &len, &cap, ",\"protocol\":");
            json_string(&conns, &len, &cap, cn->protocol);
            json_lit(&conns, &len, &cap,
                     cn->local == PLEX_TRUE ? ",\"local\":true" : ",\"local\":false");
            json_lit(&conns, &len, &cap,
                     cn->relay == PLEX_TRUE ? ",\"relay\":true" : ",\"relay\":false");
            json_lit(&conns, &len, &cap, ",\"result\":");
            json_string(&conns, &len, &cap, tried ? result_name(a) : "untried");
            snprintf(num, sizeof(num), ",\"ms\":%ld", a ? a->elapsed_ms : 0L);
            json_lit(&conns, &len, &cap, num);
            json_lit(&conns, &len, &cap, cn == chosen ? ",\"chosen\":true}" : ",\"chosen\":false}");
        }
        json_lit(&conns, &len, &cap, "]");
        if (!conns)
            return -1;
        cli_json_begin(&j, stdout);
        cli_json_str(&j, "name", r->name);
        cli_json_str(&j, "client_identifier", r->client_identifier);
        cli_json_str(&j, "product_version", r->product_version);
        cli_json_bool(&j, "owned", r->owned == PLEX_TRUE);
        cli_json_str(&j, "source_title", r->source_title);
        cli_json_str(&j, "chosen", chosen ? chosen->uri : NULL);
        cli_json_str(&j, "error", tried && rc ? cli_error_name(rc) : NULL);
        cli_json_raw(&j, "connections", conns);
        cli_json_end(&j);
        free(conns);
        return 0;
    }
    printf("%s%s%s%s\n", r->name ? r->name : "(unnamed)", r->owned == PLEX_TRUE ? " (owned)" : "",
           r->source_title ? " shared by " : "", r->source_title ? r->source_title : "");
    if (n == 0)
        printf("  no connections\n");
    for (i = 0; i < n; i++) {
        const plex_connection *cn = plex_resource_connection_at(r, i);
        const plex_connect_attempt *a = attempt_of(rep, cn);
        printf("  %s %-60s %-6s %s", cn == chosen ? "*" : " ", cn->uri ? cn->uri : "(no uri)",
               cn->relay == PLEX_TRUE   ? "relay"
               : cn->local == PLEX_TRUE ? "local"
                                        : "remote",
               tried ? result_name(a) : "");
        if (tried && a && a->started)
            printf(" (%ld ms)", a->elapsed_ms);
        printf("\n");
    }
    if (tried && rc && n)
        printf("  no connection answered: %s\n", plex_strerror(rc));
    return 0;
}

int cmd_servers(const cli_cmd *cmd, int argc, char **argv)
{
    static int opt_all, opt_no_connect;
    static const char *opt_timeout;
    const cli_opt opts[] = {
        CLI_FLAG("all", 'a', opt_all, "list every device, not only servers"),
        CLI_FLAG("no-connect", 0, opt_no_connect, "only list: try no connection"),
        CLI_VALUE("timeout", 0, "MS", opt_timeout,
                  "how long to try a server's connections (default 5000)"),
        CLI_END,
    };
    cli_session s;
    plex_resources *l = NULL;
    long timeout = 5000;
    int rc, worst = CLI_EXIT_OK;
    size_t tried = 0, answered = 0;

    opt_all = opt_no_connect = 0;
    opt_timeout = NULL;
    rc = cli_opt_parse(opts, cmd->name,
                       "List the account's servers and their connections. Each server's\n"
                       "connections are tried at once (GET /identity: local first, then remote,\n"
                       "relay last); the first to answer is marked with '*'.\n"
                       "Exit status 69 when servers were tried and none answered.",
                       argc, argv);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (opt_timeout) {
        char *end;
        timeout = strtol(opt_timeout, &end, 10);
        if (*end || timeout < 1 || timeout > 600000) {
            cli_error("--timeout: expected milliseconds from 1 to 600000");
            return CLI_EXIT_USAGE;
        }
    }
    if ((rc = cli_session_open(&s, CLI_NEED_TOKEN)) != 0) {
        cli_session_close(&s);
        return rc;
    }
    rc = plex_resources_get(&l, s.client, 0);
    if (rc != 0) {
        rc = cli_fail(&s, rc, "listing the servers");
        cli_session_close(&s);
        return rc;
    }
    for (size_t i = 0; i < plex_resources_count(l); i++) {
        const plex_resource *r = plex_resources_at(l, i);
        plex_connect_report *rep = NULL;
        int crc = 0;

        if (!opt_all && (!r->provides || !strstr(r->provides, "server")))
            continue;
        if (!opt_no_connect) {
            crc = plex_resource_connect(&rep, s.client, r, timeout);
            if (crc != 0 && crc != PLEX_ECONNECT && crc != PLEX_ETIMEOUT) {
                worst = cli_fail(&s, crc, "trying the connections");
                break;
            }
        }
        if (print_server(r, rep, crc, !opt_no_connect) != 0) {
            plex_connect_report_free(rep);
            cli_error("out of memory");
            worst = CLI_EXIT_ERROR;
            break;
        }
        if (rep && plex_connect_report_count(rep) > 0) {
            tried++;
            answered += crc == 0;
        }
        plex_connect_report_free(rep);
    }
    plex_resources_free(l);
    cli_session_close(&s);
    if (worst == CLI_EXIT_OK && tried > 0 && answered == 0) {
        fflush(stdout);
        cli_error("no server answered on any of its connections");
        worst = CLI_EXIT_UNAVAILABLE;
    } else if (worst == CLI_EXIT_OK && answered < tried) {
        fflush(stdout);
        cli_warn("%zu of %zu servers did not answer on any of their connections", tried - answered,
                 tried);
    }
    return cli_finish_stdout(worst);
}

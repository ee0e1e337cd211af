/*
 * Route ids of both services, and the response helpers they share. plex.tv's
 * routes are the sim_route enum (their names in tv/routes.c); the media
 * server's follow at SIM_R_COUNT + their index in its route table
 * (pms/pms.c). Names are "METHOD /route", as --fault, /__sim/fault and the
 * stats write them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms/pms.h"
#include "tv/tv.h"

int sim_route_total(void)
{
    return SIM_R_COUNT + (int)pms_route_count();
}

const char *sim_route_name(int r)
{
    const char *name = NULL;

    if (r >= 0 && r < SIM_R_COUNT)
        name = sim_tv_route_name((sim_route)r);
    else if (r >= SIM_R_COUNT && r < sim_route_total())
        name = pms_route_name((size_t)(r - SIM_R_COUNT));
    return name ? name : "other";
}

int sim_route_faultable(int r)
{
    return (r >= 0 && r < SIM_R_FIRST_CONTROL) || (r > SIM_R_OTHER && r < sim_route_total());
}

int sim_route_lookup(const char *name, size_t len)
{
    char tmp[96];
    size_t i;
    int r;

    /* trim, and accept '+' for the space (form encoding) */
    while (len > 0 && name[0] == ' ') {
        name++;
        len--;
    }
    while (len > 0 && name[len - 1] == ' ')
        len--;
    if (len >= sizeof(tmp))
        return -1;
    for (i = 0; i < len; i++) {
        tmp[i] = name[i];
        if (tmp[i] == '+')
            tmp[i] = ' ';
    }
    tmp[len] = '\0';
    for (r = 0; r < sim_route_total(); r++) {
        if (sim_route_faultable(r) && strcmp(tmp, sim_route_name(r)) == 0)
            return r;
    }
    return -1;
}

void sim_response_dispose(sim_response *rs)
{
    free(rs->body);
    rs->body = NULL;
    rs->body_len = 0;
    if (rs->stream.release)
        rs->stream.release(rs->stream.cls);
    memset(&rs->stream, 0, sizeof(rs->stream));
}

void sim_response_header(sim_response *rs, const char *name, const char *fmt, ...)
{
    sim_header *h;
    va_list ap;
    int n;

    if (rs->nheaders >= SIM_MAX_HEADERS)
        return;
    h = &rs->headers[rs->nheaders];
    va_start(ap, fmt);
    n = vsnprintf(h->value, sizeof(h->value), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(h->value))
        return;
    h->name = name;
    rs->nheaders++;
}

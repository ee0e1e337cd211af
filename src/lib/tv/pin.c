/*
 * What the PIN container's declaration (pin.model) cannot say: the
 * coordinates of its GeoData as numbers.
 */
#include "core/json.h"
#include "models.gen.h"
#include "plex/models.h"

/* One number of a coordinate pair at *p (spaces around it skipped), up to
 * `stop` or the end; *p moves past it. Returns 0 or -1. */
static int coordinate(const char **p, int stop, double *out)
{
    const char *a = *p, *z;

    while (*a == ' ')
        a++;
    z = a;
    while (*z && *z != stop)
        z++;
    *p = z;
    while (z > a && z[-1] == ' ')
        z--;
    return plex__json_strtod(a, (size_t)(z - a), out);
}

/* The finish hook of GeoData (pin.model): "18.3381, -64.8941" -> latitude,
 * longitude (both in range). */
void plex__geodata_finish(void *obj)
{
    plex_geodata *g = obj;
    const char *p = g->coordinates;
    double lat, lon;

    if (!p || coordinate(&p, ',', &lat) != 0 || *p != ',')
        return;
    p++;
    if (coordinate(&p, '\0', &lon) != 0)
        return;
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return;
    g->latitude = lat;
    g->longitude = lon;
    g->has_lat_lon = 1;
}

/*
 * The PIN container and GeoData models (schemas shared with other models:
 * /api/v2/geoip answers a GeoData).
 */
#ifndef PLEX_PIN_H
#define PLEX_PIN_H

#include "core/model.h"

extern const plex__schema plex__geodata_schema;
extern const plex__schema plex__pin_schema;

#endif

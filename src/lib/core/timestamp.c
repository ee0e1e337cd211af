/*
 * RFC 3339 date-times <-> plex_timestamp (UTC seconds + milliseconds).
 * Calendar arithmetic after Howard Hinnant's days_from_civil / civil_from_days;
 * no dependence on the C library's time zone or locale.
 */
#include <stdio.h>
#include <string.h>

#include "plex/models.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Two decimal digits at p; -1 if either is not a digit. */
static inline int two(const char *p)
{
    unsigned a = (unsigned)(p[0] - '0'), b = (unsigned)(p[1] - '0');
    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

/* n decimal digits at p; -1 if any is not a digit. */
static int digits(const char *p, int n)
{
    return n == 2 ? two(p) : (two(p) < 0 || two(p + 2) < 0) ? -1 : two(p) * 100 + two(p + 2);
}

int plex_timestamp_parse(plex_timestamp *out, const char *s, size_t len)
{
    int year, mon, day, hour, min, sec, ms = 0, off = 0;
    size_t i;
    int64_t t;

    if (!out || !s || len < 20)
        return PLEX_EINVALID;
    year = digits(s, 4);
    mon = digits(s + 5, 2);
    day = digits(s + 8, 2);
    hour = digits(s + 11, 2);
    min = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return PLEX_EINVALID;
    if ((unsigned)day > days_in_month(year, (unsigned)mon) || hour < 0 || hour > 23 || min < 0 ||
        min > 59 || sec < 0 || sec > 60)
        return PLEX_EINVALID;
    i = 19;
    if (i < len && s[i] == '.') {
        int nd = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
            if (nd < 3)
                ms = ms * 10 + (s[i] - '0');
        }
        if (nd == 0)
            return PLEX_EINVALID;
        for (; nd < 3; nd++)
            ms *= 10;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return PLEX_EINVALID;
        off = (oh * 60 + om) * 60;
        if (s[i] == '-')
            off = -off;
        i += 6;
    } else {
        return PLEX_EINVALID;
    }
    if (i != len)
        return PLEX_EINVALID;
    t = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + (int64_t)hour * 3600 +
        (int64_t)min * 60 + sec;
    out->seconds = t - off;
    out->millis = ms;
    return 0;
}

int plex_timestamp_format(plex_timestamp ts, char *buf, size_t size)
{
    int64_t days, secs, y;
    unsigned m, d;
    int n;

    if (!buf || ts.millis < 0 || ts.millis > 999)
        return PLEX_EINVALID;
    days = ts.seconds / 86400;
    secs = ts.seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return PLEX_EINVALID;
    if (ts.millis)
        n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int)ts.millis);
    else
        n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    return n > 0 && (size_t)n < size ? 0 : PLEX_EINVALID;
}

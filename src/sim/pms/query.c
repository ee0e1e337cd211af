/*
 * Media queries on listings (PMS.md §3.2-3.3): `type=`, field filters with
 * their operators (integer = != >>= <<= >= <=; string = contains, !=
 * not contains, == equals, !== not equals, <= begins with, >= ends with;
 * tag = / != by id or by name; boolean =1 / =0; dates with relative values
 * like -30d), `,` as OR inside a value, push/pop/or, scoped fields
 * (show.title on episodes), sourceType, and sort=field[:desc|:nullsLast],...
 *
 * The result of a query (every matching ratingKey, sorted) is cached by the
 * query's text until the state changes, so a client paging through 50,000
 * movies costs one filter and sort, not one per page.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TERMS 32
#define MAX_VALUES 16
#define MAX_SORTS 6
#define CACHE_ENTRIES 4

/* ---- fields ---- */

enum {
    F_TITLE,
    F_TITLE_SORT,
    F_ORIGINAL_TITLE,
    F_STUDIO,
    F_SUMMARY,
    F_TAGLINE,
    F_CONTENT_RATING,
    F_RESOLUTION,
    F_GUID,
    F_YEAR,
    F_DECADE,
    F_DURATION,
    F_INDEX,
    F_VIEW_COUNT,
    F_SKIP_COUNT,
    F_ID,
    F_RATING,
    F_AUDIENCE_RATING,
    F_USER_RATING,
    F_LEAF_COUNT,
    F_VIEW_OFFSET,
    F_MEDIA_HEIGHT,
    F_BITRATE,
    F_RANDOM,
    F_ADDED_AT,
    F_UPDATED_AT,
    F_LAST_VIEWED_AT,
    F_LAST_RATED_AT,
    F_AVAILABLE,
    F_UNWATCHED,
    F_IN_PROGRESS,
    F_HDR,
    F_UNMATCHED,
    F_DUPLICATE,
    F_TAG /* + pms_tag_kind */
};

/* PMS_FT_TAG fields whose values are text (contentRating=PG-13). */
#define TAGSTR(id) ((id) == F_CONTENT_RATING || (id) == F_RESOLUTION)

typedef struct field_def {
    const char *key;
    int ft, id;
} field_def;

static const field_def fields[] = {
    {"title", PMS_FT_STRING, F_TITLE},
    {"titleSort", PMS_FT_STRING, F_TITLE_SORT},
    {"originalTitle", PMS_FT_STRING, F_ORIGINAL_TITLE},
    {"studio", PMS_FT_STRING, F_STUDIO},
    {"summary", PMS_FT_STRING, F_SUMMARY},
    {"tagline", PMS_FT_STRING, F_TAGLINE},
    {"contentRating", PMS_FT_TAG, F_CONTENT_RATING},
    {"resolution", PMS_FT_TAG, F_RESOLUTION},
    {"guid", PMS_FT_STRING, F_GUID},
    {"year", PMS_FT_INTEGER, F_YEAR},
    {"decade", PMS_FT_INTEGER, F_DECADE},
    {"duration", PMS_FT_INTEGER, F_DURATION},
    {"index", PMS_FT_INTEGER, F_INDEX},
    {"viewCount", PMS_FT_INTEGER, F_VIEW_COUNT},
    {"skipCount", PMS_FT_INTEGER, F_SKIP_COUNT},
    {"id", PMS_FT_INTEGER, F_ID},
    {"rating", PMS_FT_INTEGER, F_RATING},
    {"audienceRating", PMS_FT_INTEGER, F_AUDIENCE_RATING},
    {"userRating", PMS_FT_INTEGER, F_USER_RATING},
    {"leafCount", PMS_FT_INTEGER, F_LEAF_COUNT},
    {"viewOffset", PMS_FT_INTEGER, F_VIEW_OFFSET},
    {"mediaHeight", PMS_FT_INTEGER, F_MEDIA_HEIGHT},
    {"mediaBitrate", PMS_FT_INTEGER, F_BITRATE},
    {"random", PMS_FT_INTEGER, F_RANDOM},
    {"addedAt", PMS_FT_DATE, F_ADDED_AT},
    {"updatedAt", PMS_FT_DATE, F_UPDATED_AT},
    {"lastViewedAt", PMS_FT_DATE, F_LAST_VIEWED_AT},
    {"lastRatedAt", PMS_FT_DATE, F_LAST_RATED_AT},
    {"originallyAvailableAt", PMS_FT_DATE, F_AVAILABLE},
    {"unwatched", PMS_FT_BOOLEAN, F_UNWATCHED},
    {"inProgress", PMS_FT_BOOLEAN, F_IN_PROGRESS},
    {"hdr", PMS_FT_BOOLEAN, F_HDR},
    {"unmatched", PMS_FT_BOOLEAN, F_UNMATCHED},
    {"duplicate", PMS_FT_BOOLEAN, F_DUPLICATE},
    {"genre", PMS_FT_TAG, F_TAG + PMS_TAG_GENRE},
    {"country", PMS_FT_TAG, F_TAG + PMS_TAG_COUNTRY},
    {"director", PMS_FT_TAG, F_TAG + PMS_TAG_DIRECTOR},
    {"writer", PMS_FT_TAG, F_TAG + PMS_TAG_WRITER},
    {"producer", PMS_FT_TAG, F_TAG + PMS_TAG_PRODUCER},
    {"actor", PMS_FT_TAG, F_TAG + PMS_TAG_ROLE},
    {"label", PMS_FT_TAG, F_TAG + PMS_TAG_LABEL},
    {"mood", PMS_FT_TAG, F_TAG + PMS_TAG_MOOD},
    {"style", PMS_FT_TAG, F_TAG + PMS_TAG_STYLE},
    {"collection", PMS_FT_TAG, F_TAG + PMS_TAG_COLLECTION},
};

static const field_def *field_named(const char *key, size_t len)
{
    for (size_t i = 0; i < COUNT(fields); i++)
        if (strlen(fields[i].key) == len && memcmp(fields[i].key, key, len) == 0)
            return &fields[i];
    if (len == 4 && memcmp(key, "role", 4) == 0)
        return field_named("actor", 5);
    return NULL;
}

const char *pms_field_type_name(int kind)
{
    static const char *const names[PMS_FT_COUNT] = {"integer", "string", "tag", "boolean", "date"};
    return kind >= 0 && kind < PMS_FT_COUNT ? names[kind] : NULL;
}

/* The filters and sorts offered per type (the Meta block; PMS.md §3.3). */
static const pms_field_info movie_filters[] = {
    {"genre", "Genre", PMS_FT_TAG},
    {"year", "Year", PMS_FT_INTEGER},
    {"decade", "Decade", PMS_FT_INTEGER},
    {"contentRating", "Content Rating", PMS_FT_TAG},
    {"collection", "Collection", PMS_FT_TAG},
    {"director", "Director", PMS_FT_TAG},
    {"writer", "Writer", PMS_FT_TAG},
    {"producer", "Producer", PMS_FT_TAG},
    {"actor", "Actor", PMS_FT_TAG},
    {"country", "Country", PMS_FT_TAG},
    {"studio", "Studio", PMS_FT_STRING},
    {"resolution", "Resolution", PMS_FT_TAG},
    {"label", "Label", PMS_FT_TAG},
    {"unwatched", "Unplayed", PMS_FT_BOOLEAN},
    {"inProgress", "In Progress", PMS_FT_BOOLEAN},
    {"hdr", "HDR", PMS_FT_BOOLEAN},
    {"duplicate", "Duplicate", PMS_FT_BOOLEAN},
    {"unmatched", "Unmatched", PMS_FT_BOOLEAN},
    {"title", "Title", PMS_FT_STRING},
    {"addedAt", "Date Added", PMS_FT_DATE},
    {"lastViewedAt", "Last Played", PMS_FT_DATE},
    {"originallyAvailableAt", "Release Date", PMS_FT_DATE},
    {"audienceRating", "Audience Rating", PMS_FT_INTEGER},
    {"userRating", "User Rating", PMS_FT_INTEGER},
    {"viewCount", "Plays", PMS_FT_INTEGER},
    {"duration", "Duration", PMS_FT_INTEGER}};
static const pms_field_info show_filters[] = {{"genre", "Genre", PMS_FT_TAG},
                                              {"year", "Year", PMS_FT_INTEGER},
                                              {"contentRating", "Content Rating", PMS_FT_TAG},
                                              {"collection", "Collection", PMS_FT_TAG},
                                              {"actor", "Actor", PMS_FT_TAG},
                                              {"country", "Country", PMS_FT_TAG},
                                              {"studio", "Network", PMS_FT_STRING},
                                              {"unwatched", "Unplayed", PMS_FT_BOOLEAN},
                                              {"inProgress", "In Progress", PMS_FT_BOOLEAN},
                                              {"title", "Title", PMS_FT_STRING},
                                              {"addedAt", "Date Added", PMS_FT_DATE},
                                              {"lastViewedAt", "Last Played", PMS_FT_DATE}};
static const pms_field_info leaf_filters[] = {{"title", "Title", PMS_FT_STRING},
                                              {"year", "Year", PMS_FT_INTEGER},
                                              {"index", "Index", PMS_FT_INTEGER},
                                              {"unwatched", "Unplayed", PMS_FT_BOOLEAN},
                                              {"inProgress", "In Progress", PMS_FT_BOOLEAN},
                                              {"addedAt", "Date Added", PMS_FT_DATE},
                                              {"lastViewedAt", "Last Played", PMS_FT_DATE},
                                              {"duration", "Duration", PMS_FT_INTEGER},
                                              {"director", "Director", PMS_FT_TAG},
                                              {"writer", "Writer", PMS_FT_TAG},
                                              {"userRating", "User Rating", PMS_FT_INTEGER}};
static const pms_field_info music_filters[] = {{"genre", "Genre", PMS_FT_TAG},
                                               {"country", "Country", PMS_FT_TAG},
                                               {"style", "Style", PMS_FT_TAG},
                                               {"mood", "Mood", PMS_FT_TAG},
                                               {"year", "Year", PMS_FT_INTEGER},
                                               {"decade", "Decade", PMS_FT_INTEGER},
                                               {"studio", "Record Label", PMS_FT_STRING},
                                               {"title", "Title", PMS_FT_STRING},
                                               {"addedAt", "Date Added", PMS_FT_DATE},
                                               {"userRating", "User Rating", PMS_FT_INTEGER},
                                               {"viewCount", "Plays", PMS_FT_INTEGER},
                                               {"unwatched", "Unplayed", PMS_FT_BOOLEAN}};
static const pms_field_info photo_filters[] = {
    {"title", "Title", PMS_FT_STRING},
    {"year", "Year", PMS_FT_INTEGER},
    {"addedAt", "Date Added", PMS_FT_DATE},
    {"originallyAvailableAt", "Date Taken", PMS_FT_DATE}};

static const pms_field_info top_sorts[] = {{"titleSort", "Title", PMS_FT_STRING},
                                           {"year", "Year", PMS_FT_INTEGER},
                                           {"originallyAvailableAt", "Release Date", PMS_FT_DATE},
                                           {"rating", "Critic Rating", PMS_FT_INTEGER},
                                           {"audienceRating", "Audience Rating", PMS_FT_INTEGER},
                                           {"userRating", "User Rating", PMS_FT_INTEGER},
                                           {"contentRating", "Content Rating", PMS_FT_STRING},
                                           {"duration", "Duration", PMS_FT_INTEGER},
                                           {"addedAt", "Date Added", PMS_FT_DATE},
                                           {"lastViewedAt", "Last Played", PMS_FT_DATE},
                                           {"viewCount", "Plays", PMS_FT_INTEGER},
                                           {"mediaHeight", "Resolution", PMS_FT_INTEGER},
                                           {"mediaBitrate", "Bitrate", PMS_FT_INTEGER},
                                           {"random", "Randomly", PMS_FT_INTEGER}};
static const pms_field_info child_sorts[] = {
    {"titleSort", "Title", PMS_FT_STRING},          {"index", "Index", PMS_FT_INTEGER},
    {"originallyAvailableAt", "Date", PMS_FT_DATE}, {"addedAt", "Date Added", PMS_FT_DATE},
    {"lastViewedAt", "Last Played", PMS_FT_DATE},   {"viewCount", "Plays", PMS_FT_INTEGER},
    {"userRating", "User Rating", PMS_FT_INTEGER},  {"duration", "Duration", PMS_FT_INTEGER},
    {"random", "Randomly", PMS_FT_INTEGER}};

size_t pms_filter_fields(int type, const pms_field_info **out)
{
    switch (type) {
    case PMS_T_MOVIE:
        *out = movie_filters;
        return COUNT(movie_filters);
    case PMS_T_SHOW:
        *out = show_filters;
        return COUNT(show_filters);
    case PMS_T_ARTIST:
    case PMS_T_ALBUM:
        *out = music_filters;
        return COUNT(music_filters);
    case PMS_T_PHOTO:
    case PMS_T_PHOTOALBUM:
        *out = photo_filters;
        return COUNT(photo_filters);
    default:
        *out = leaf_filters;
        return COUNT(leaf_filters);
    }
}

size_t pms_sort_fields(int type, const pms_field_info **out)
{
    if (type == PMS_T_MOVIE || type == PMS_T_SHOW || type == PMS_T_ARTIST || type == PMS_T_ALBUM) {
        *out = top_sorts;
        return COUNT(top_sorts);
    }
    *out = child_sorts;
    return COUNT(child_sorts);
}

/* ---- text folding ---- */

/* The base letter of a two-byte UTF-8 Latin-1 letter (U+00C0-U+00FF), or 0. */
static char latin1_base(unsigned char b1, unsigned char b2)
{
    static const char map[64] = "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
                                "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    unsigned cp;

    if (b1 != 0xC3 || (b2 & 0xC0) != 0x80)
        return 0;
    cp = 0xC0 + (b2 & 0x3F);
    if (cp < 0xC0 || cp > 0xFF)
        return 0;
    return (char)(map[cp - 0xC0] == '*' || map[cp - 0xC0] == '/' ? 0 : map[cp - 0xC0]);
}

void pms_fold(const char *s, char *out, size_t size)
{
    size_t o = 0;

    if (size == 0)
        return;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 1 < size; p++) {
        char base = 0;
        if (p[1])
            base = latin1_base(p[0], p[1]);
        if (base) {
            out[o++] = base;
            p++;
        } else if (p[0] == 0xC5 && (p[1] == 0x81 || p[1] == 0x82)) { /* Ł ł */
            out[o++] = 'l';
            p++;
        } else {
            out[o++] = (char)(*p < 0x80 ? tolower(*p) : *p);
        }
    }
    out[o] = '\0';
}

int pms_contains(const char *s, const char *folded_needle)
{
    char f[512];

    pms_fold(s, f, sizeof(f));
    return strstr(f, folded_needle) != NULL;
}

/* ---- values of an item ---- */

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The number of n digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" to epoch seconds; -1 if not one. */
static int64_t parse_date(const char *s)
{
    int y, m, d;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    return days_from_civil(y, m, d) * 86400;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Leaves under a container with state: any in progress. */
static int any_in_progress(pms_state *p, const pms_item *it)
{
    pms_kind k;
    long first, n;

    if (it->leaf_count == 0)
        return it->view_offset > 0;
    if (it->viewed_leaf_count > 0 && it->viewed_leaf_count < it->leaf_count)
        return 1;
    if (pms_overlay_count(p) == 0 || pms_leaves(p, it->rating_key, &k, &first, &n) != 0)
        return 0;
    for (long i = 0; i < n; i++) {
        const pms_overlay *o = pms_overlay_find(p, pms_key_of(p, k, first + i));
        if (o && o->view_offset > 0)
            return 1;
    }
    return 0;
}

/* A number of an item: 1 with *v, or 0 when the item has none. */
static int num_of(pms_state *p, const pms_item *it, int id, double *v)
{
    pms_media md;

    switch (id) {
    case F_YEAR:
        *v = it->year;
        return it->year > 0;
    case F_DECADE:
        *v = it->year - it->year % 10;
        return it->year > 0;
    case F_DURATION:
        *v = (double)it->duration;
        return it->duration > 0;
    case F_INDEX:
        *v = it->child_index;
        return it->child_index > 0 || it->kind == PMS_K_SEASON;
    case F_VIEW_COUNT:
        *v = it->view_count;
        return 1;
    case F_SKIP_COUNT:
        *v = it->skip_count;
        return 1;
    case F_ID:
        *v = (double)it->rating_key;
        return 1;
    case F_RATING:
        *v = it->rating;
        return it->rating >= 0;
    case F_AUDIENCE_RATING:
        *v = it->audience_rating;
        return it->audience_rating >= 0;
    case F_USER_RATING:
        *v = it->user_rating;
        return it->user_rating >= 0;
    case F_LEAF_COUNT:
        *v = it->leaf_count;
        return it->leaf_count > 0;
    case F_VIEW_OFFSET:
        *v = (double)it->view_offset;
        return it->view_offset > 0;
    case F_MEDIA_HEIGHT:
    case F_BITRATE:
        if (it->nmedia == 0 || pms_media_get(p, it, 0, &md) != 0)
            return 0;
        *v = id == F_BITRATE ? md.bitrate : md.height;
        return 1;
    case F_RANDOM:
        *v = (double)(mix(p->seed ^ (uint64_t)it->rating_key) >> 11);
        return 1;
    case F_ADDED_AT:
        *v = (double)it->added_at;
        return 1;
    case F_UPDATED_AT:
        *v = (double)it->updated_at;
        return 1;
    case F_LAST_VIEWED_AT:
        *v = (double)it->last_viewed_at;
        return it->last_viewed_at > 0;
    case F_LAST_RATED_AT:
        *v = (double)it->last_rated_at;
        return it->last_rated_at > 0;
    case F_AVAILABLE: {
        int64_t t = parse_date(it->available);
        *v = (double)t;
        return t >= 0 || it->available[0] == '\0' ? it->available[0] != '\0' : 0;
    }
    case F_UNWATCHED:
        *v = it->leaf_count > 0 ? it->viewed_leaf_count < it->leaf_count : it->view_count == 0;
        return 1;
    case F_IN_PROGRESS:
        *v = any_in_progress(p, it);
        return 1;
    case F_HDR:
        *v = 0;
        for (int m = 0; m < it->nmedia; m++)
            if (pms_media_get(p, it, m, &md) == 0 && md.hdr)
                *v = 1;
        return 1;
    case F_UNMATCHED:
        *v = 0;
        return 1;
    case F_DUPLICATE:
        *v = it->nmedia > 1;
        return 1;
    default:
        return 0;
    }
}

/* Text of an item (NULL: none); res: buffer for the resolution. */
static const char *str_of(pms_state *p, const pms_item *it, int id, char *res, size_t size)
{
    pms_media md;

    switch (id) {
    case F_TITLE:
        return it->title;
    case F_TITLE_SORT:
        return it->title_sort ? it->title_sort : it->title;
    case F_ORIGINAL_TITLE:
        return it->original_title;
    case F_STUDIO:
        return it->studio;
    case F_SUMMARY:
        return it->summary;
    case F_TAGLINE:
        return it->tagline;
    case F_CONTENT_RATING:
        return it->content_rating;
    case F_GUID:
        return it->guid;
    case F_RESOLUTION:
        if (it->nmedia == 0 || pms_media_get(p, it, 0, &md) != 0 || !md.resolution)
            return NULL;
        snprintf(res, size, "%s", md.resolution);
        return res;
    default:
        return NULL;
    }
}

/* ---- the query ---- */

enum { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_SEQ, OP_SNE };
enum { TOK_TERM = 1, TOK_OR, TOK_PUSH, TOK_POP };

typedef struct term {
    const field_def *f;
    int scope; /* 0 the item, 1 its parent, 2 its grandparent */
    int op;
    size_t nvalues;
    char *values[MAX_VALUES]; /* folded text */
    double nums[MAX_VALUES];
} term;

typedef struct sort_spec {
    const field_def *f;
    int desc, nulls_last, scope;
} sort_spec;

struct pms_query {
    int section, type, source_type;
    term terms[MAX_TERMS];
    size_t nterms;
    int toks[MAX_TERMS * 3]; /* TOK_* << 8 | term index */
    size_t ntoks;
    sort_spec sorts[MAX_SORTS];
    size_t nsorts;
    int sort_given;
    int64_t limit;
    int bad;        /* 400 */
    int nocache;    /* too long to remember */
    char sig[1024]; /* the query's text, for the cache */
    size_t siglen;
};

/* What level an item of `type` is: 0 top, 1 child, 2 grandchild (for scopes). */
static int level_of(int type)
{
    switch (type) {
    case PMS_T_SEASON:
    case PMS_T_ALBUM:
    case PMS_T_PHOTO:
        return 1;
    case PMS_T_EPISODE:
    case PMS_T_TRACK:
        return 2;
    default:
        return 0;
    }
}

/* The scope of a "type." prefix on a field for items of `type`: 0 self, 1
 * parent, 2 grandparent; -1 if it cannot apply. */
static int scope_of(int type, const char *prefix, size_t len)
{
    char name[24];
    int t;

    if (len >= sizeof(name))
        return -1;
    memcpy(name, prefix, len);
    name[len] = '\0';
    t = pms_type_of(name);
    if (t == type)
        return 0;
    if (t == 0 || level_of(t) >= level_of(type))
        return -1;
    /* an ancestor of the same section */
    if ((type == PMS_T_EPISODE && (t == PMS_T_SEASON || t == PMS_T_SHOW)) ||
        (type == PMS_T_SEASON && t == PMS_T_SHOW) ||
        (type == PMS_T_TRACK && (t == PMS_T_ALBUM || t == PMS_T_ARTIST)) ||
        (type == PMS_T_ALBUM && t == PMS_T_ARTIST) ||
        (type == PMS_T_PHOTO && t == PMS_T_PHOTOALBUM))
        return level_of(type) - level_of(t);
    return -1;
}

/* Arguments that are not filters. */
static int not_a_filter(const char *key)
{
    static const char *const names[] = {"type",
                                        "sourceType",
                                        "sort",
                                        "limit",
                                        "group",
                                        "push",
                                        "pop",
                                        "or",
                                        "query",
                                        "sectionId",
                                        "count",
                                        "contentDirectoryID",
                                        "pinnedContentDirectoryID",
                                        "hasMDE",
                                        "skipRefresh",
                                        "excludeAllLeaves"};
    static const char *const prefixes[] = {"X-Plex-", "include", "exclude", "check", "async"};

    for (size_t i = 0; i < COUNT(names); i++)
        if (strcmp(key, names[i]) == 0)
            return 1;
    for (size_t i = 0; i < COUNT(prefixes); i++)
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Relative date "-30d" (units m h d w mon y) from the library's clock;
 * an epoch; or YYYY-MM-DD. 0 or -1. */
static int parse_when(const char *v, double *out)
{
    int64_t n, unit;
    char *end;
    long long num;

    if (pms_parse_int(v, &n) == 0) {
        *out = (double)n;
        return 0;
    }
    if ((n = parse_date(v)) >= 0) {
        *out = (double)n;
        return 0;
    }
    if (v[0] != '-')
        return -1;
    num = strtoll(v + 1, &end, 10);
    if (end == v + 1 || num < 0 || num > 100000)
        return -1;
    if (strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else if (strcmp(end, "w") == 0)
        unit = (int64_t)7 * 86400;
    else if (strcmp(end, "mon") == 0)
        unit = (int64_t)30 * 86400;
    else if (strcmp(end, "y") == 0)
        unit = (int64_t)365 * 86400;
    else
        return -1;
    *out = (double)(PMS_EPOCH - (int64_t)num * unit);
    return 0;
}

static void sig_add(pms_query *q, const char *a, const char *b)
{
    int n = snprintf(q->sig + q->siglen, sizeof(q->sig) - q->siglen, "&%s=%s", a, b ? b : "");
    if (n < 0 || (size_t)n >= sizeof(q->sig) - q->siglen)
        q->nocache = 1;
    else
        q->siglen += (size_t)n;
}

static int parse_sorts(pms_query *q, const char *spec)
{
    char buf[256];
    char *save = NULL;

    if (strlen(spec) >= sizeof(buf))
        return -1;
    memcpy(buf, spec, strlen(spec) + 1);
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        sort_spec *s;
        char *colon = strchr(part, ':'), *dot;
        const char *name = part;
        if (q->nsorts >= MAX_SORTS)
            return -1;
        s = &q->sorts[q->nsorts];
        memset(s, 0, sizeof(*s));
        if (colon)
            *colon = '\0';
        dot = strchr(name, '.');
        if (dot) {
            int sc = scope_of(q->type, name, (size_t)(dot - name));
            /* a child's field on a parent (show by episode.addedAt): its own */
            s->scope = sc < 0 ? 0 : sc;
            name = dot + 1;
        }
        if (!(s->f = field_named(name, strlen(name))) || s->f->ft == PMS_FT_TAG ||
            s->f->ft == PMS_FT_BOOLEAN) {
            if (!s->f || !TAGSTR(s->f->id))
                return -1;
        }
        for (char *d = colon ? colon + 1 : NULL; d && *d;) {
            char *next = strchr(d, ':');
            if (next)
                *next = '\0';
            if (strcmp(d, "desc") == 0)
                s->desc = 1;
            else if (strcmp(d, "nullsLast") == 0)
                s->nulls_last = 1;
            else if (strcmp(d, "asc") != 0)
                return -1;
            d = next ? next + 1 : NULL;
        }
        q->nsorts++;
    }
    return 0;
}

typedef struct parse_ctx {
    pms_query *q;
    pms_ctx *c;
} parse_ctx;

static int add_term(pms_query *q, const char *key, const char *value)
{
    term *t;
    size_t klen = strlen(key);
    const char *dot, *name = key;
    int op = OP_EQ;
    char vbuf[512];
    char *save = NULL;

    /* the operator: its first characters are in the key ("year>>" of "year>>=") */
    if (klen >= 2 && strcmp(key + klen - 2, ">>") == 0) {
        op = OP_GT;
        klen -= 2;
    } else if (klen >= 2 && strcmp(key + klen - 2, "<<") == 0) {
        op = OP_LT;
        klen -= 2;
    } else if (klen >= 1 && key[klen - 1] == '>') {
        op = OP_GE;
        klen--;
    } else if (klen >= 1 && key[klen - 1] == '<') {
        op = OP_LE;
        klen--;
    } else if (klen >= 1 && key[klen - 1] == '!') {
        op = OP_NE;
        klen--;
    }
    if (value && value[0] == '=' && (op == OP_EQ || op == OP_NE)) {
        op = op == OP_EQ ? OP_SEQ : OP_SNE; /* title==x, title!==x */
        value++;
    }
    if (q->nterms >= MAX_TERMS)
        return -1;
    t = &q->terms[q->nterms];
    memset(t, 0, sizeof(*t));
    dot = memchr(key, '.', klen);
    t->scope = 0;
    if (q->source_type && q->source_type != q->type)
        t->scope = level_of(q->type) - level_of(q->source_type);
    if (dot) {
        t->scope = scope_of(q->type, key, (size_t)(dot - key));
        if (t->scope < 0)
            return 1; /* a field of another kind of item: not this listing's */
        name = dot + 1;
        klen -= (size_t)(name - key);
    }
    if (!(t->f = field_named(name, klen)))
        return 1; /* unknown fields are ignored */
    if (!value)
        return -1;
    /* the operators each field type has */
    switch (t->f->ft) {
    case PMS_FT_INTEGER:
    case PMS_FT_DATE:
        if (op == OP_SEQ || op == OP_SNE)
            return -1;
        break;
    case PMS_FT_BOOLEAN:
    case PMS_FT_TAG:
        if (op != OP_EQ && op != OP_NE)
            return -1;
        break;
    default:
        if (op == OP_GT || op == OP_LT)
            return -1;
        break;
    }
    if (strlen(value) >= sizeof(vbuf))
        return -1;
    memcpy(vbuf, value, strlen(value) + 1);
    for (char *v = strtok_r(vbuf, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        char folded[256];
        if (t->nvalues >= MAX_VALUES)
            return -1;
        if (t->f->ft == PMS_FT_INTEGER || t->f->ft == PMS_FT_BOOLEAN) {
            char *end;
            double d = strtod(v, &end);
            if (t->f->ft == PMS_FT_BOOLEAN) {
                if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
                    d = 1;
                else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
                    d = 0;
                else
                    return -1;
            } else if (end == v || *end || d != d) {
                return -1;
            }
            t->nums[t->nvalues] = d;
        } else if (t->f->ft == PMS_FT_DATE) {
            if (parse_when(v, &t->nums[t->nvalues]) != 0)
                return -1;
        }
        pms_fold(v, folded, sizeof(folded));
        if (!(t->values[t->nvalues] = strdup(folded)))
            return -1;
        t->nvalues++;
    }
    if (t->nvalues == 0 && t->f->ft != PMS_FT_STRING)
        return -1;
    if (t->nvalues == 0) { /* title= : matches everything */
        if (!(t->values[0] = strdup("")))
            return -1;
        t->nvalues = 1;
    }
    t->op = op;
    q->nterms++;
    q->toks[q->ntoks++] = TOK_TERM << 8 | (int)(q->nterms - 1);
    return 0;
}

static int parse_arg(void *user, const char *key, const char *value)
{
    parse_ctx *pc = user;
    pms_query *q = pc->q;
    int rc;

    if (q->bad || !key)
        return q->bad;
    if (strcmp(key, "push") == 0 || strcmp(key, "pop") == 0 || strcmp(key, "or") == 0) {
        if (value && strcmp(value, "1") == 0 && q->ntoks < COUNT(q->toks)) {
            q->toks[q->ntoks++] = (key[0] == 'p' ? (key[1] == 'u' ? TOK_PUSH : TOK_POP) : TOK_OR)
                                  << 8;
            sig_add(q, key, value);
        }
        return 0;
    }
    if (not_a_filter(key) || q->ntoks >= COUNT(q->toks) - 1)
        return 0;
    rc = add_term(q, key, value);
    if (rc < 0)
        q->bad = 1;
    else
        sig_add(q, key, value);
    return q->bad;
}

pms_query *pms_query_parse(pms_ctx *c, int section, int type)
{
    pms_query *q = calloc(1, sizeof(*q));
    parse_ctx pc;
    int64_t v;
    const char *s;

    if (!q) {
        pms_error(c, 500);
        return NULL;
    }
    q->section = section;
    q->limit = -1;
    if (pms_int_arg(c, "type", 1, 1000, type, &v) != 0)
        goto bad_answered;
    q->type = (int)v;
    if (q->type == 0) {
        static const int defaults[] = {0, PMS_T_MOVIE, PMS_T_SHOW, PMS_T_ARTIST, PMS_T_PHOTOALBUM};
        q->type = section >= 1 && section <= PMS_NSECTIONS ? defaults[section] : PMS_T_MOVIE;
    }
    if (pms_int_arg(c, "sourceType", 1, 1000, 0, &v) != 0)
        goto bad_answered;
    q->source_type = (int)v;
    if (q->source_type && level_of(q->source_type) > level_of(q->type))
        q->source_type = 0;
    if (pms_int_arg(c, "limit", 0, INT32_MAX, -1, &q->limit) != 0)
        goto bad_answered;
    q->siglen =
        (size_t)snprintf(q->sig, sizeof(q->sig), "%d/%d/%d", section, q->type, q->source_type);
    pc.q = q;
    pc.c = c;
    if (c->rq->each)
        c->rq->each(c->rq->ctx, parse_arg, &pc);
    if (!q->bad && (s = pms_arg(c, "sort")) != NULL) {
        q->sort_given = 1;
        sig_add(q, "sort", s);
        if (parse_sorts(q, s) != 0)
            q->bad = 1;
    }
    if (q->bad) {
        pms_query_free(q);
        pms_error(c, 400);
        return NULL;
    }
    if (!q->sort_given && level_of(q->type) == 0) { /* top-level lists: by title */
        q->sorts[0].f = field_named("titleSort", 9);
        q->nsorts = 1;
    }
    return q;
bad_answered:
    pms_query_free(q);
    return NULL;
}

void pms_query_free(pms_query *q)
{
    /* the terms, and the one whose parsing failed after some of its values
     * (year=1999,abc) */
    size_t n = q && q->nterms < MAX_TERMS ? q->nterms + 1 : MAX_TERMS;

    if (!q)
        return;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < q->terms[i].nvalues; j++)
            free(q->terms[i].values[j]);
    free(q);
}

int pms_query_type(const pms_query *q)
{
    return q->type;
}

int64_t pms_query_limit(const pms_query *q)
{
    return q->limit;
}

/* ---- evaluation ---- */

typedef struct eval {
    pms_state *p;
    const pms_item *it;
    pms_item anc[3]; /* [1] parent, [2] grandparent, loaded on demand */
    int loaded[3];
} eval;

static const pms_item *scoped(eval *e, int scope)
{
    int64_t rk;

    if (scope == 0)
        return e->it;
    if (scope > 2)
        return NULL;
    if (!e->loaded[scope]) {
        rk = scope == 1 ? e->it->parent_key : e->it->grandparent_key;
        e->loaded[scope] = rk && pms_item_get(e->p, rk, &e->anc[scope]) == 0 ? 1 : -1;
    }
    return e->loaded[scope] > 0 ? &e->anc[scope] : NULL;
}

static int tag_match(const pms_item *it, int k, const char *v)
{
    int64_t id;
    int numeric = pms_parse_int(v, &id) == 0;
    char f[256];

    for (int j = 0; j < it->ntags[k]; j++) {
        if (numeric && it->tags[k][j].id == id)
            return 1;
        pms_fold(it->tags[k][j].tag, f, sizeof(f));
        if (strcmp(f, v) == 0)
            return 1;
    }
    return 0;
}

static int eval_term(eval *e, const term *t)
{
    const pms_item *it = scoped(e, t->scope);
    double v = 0;
    int has, any = 0;
    char folded[512], res[16];
    const char *s;

    if (!it)
        return t->op == OP_NE || t->op == OP_SNE;
    if (t->f->ft == PMS_FT_TAG && !TAGSTR(t->f->id)) {
        for (size_t i = 0; i < t->nvalues && !any; i++)
            any = tag_match(it, t->f->id - F_TAG, t->values[i]);
        return t->op == OP_NE ? !any : any;
    }
    if (t->f->ft == PMS_FT_STRING || TAGSTR(t->f->id)) {
        s = str_of(e->p, it, t->f->id, res, sizeof(res));
        pms_fold(s, folded, sizeof(folded));
        for (size_t i = 0; i < t->nvalues && !any; i++) {
            const char *w = t->values[i];
            size_t fl = strlen(folded), wl = strlen(w);
            switch (t->op) {
            case OP_EQ:
            case OP_NE:
                any = TAGSTR(t->f->id) ? strcmp(folded, w) == 0 : strstr(folded, w) != NULL;
                break;
            case OP_SEQ:
            case OP_SNE:
                any = strcmp(folded, w) == 0;
                break;
            case OP_LE: /* begins with */
                any = strncmp(folded, w, wl) == 0;
                break;
            case OP_GE: /* ends with */
                any = fl >= wl && strcmp(folded + fl - wl, w) == 0;
                break;
            default:
                break;
            }
        }
        if (!s && (t->op == OP_EQ || t->op == OP_SEQ))
            return 0;
        return t->op == OP_NE || t->op == OP_SNE ? !any : any;
    }
    has = num_of(e->p, it, t->f->id, &v);
    for (size_t i = 0; i < t->nvalues && !any; i++) {
        double w = t->nums[i];
        switch (t->op) {
        case OP_EQ:
        case OP_NE:
            any = has && v == w;
            break;
        case OP_GT:
            any = has && v > w;
            break;
        case OP_LT:
            any = has && v < w;
            break;
        case OP_GE:
            any = has && v >= w;
            break;
        case OP_LE:
            any = has && v <= w;
            break;
        default:
            break;
        }
    }
    return t->op == OP_NE ? !any : any;
}

/* Terms combine left to right: AND, or OR after an or=1; push/pop group. */
static int eval_seq(eval *e, const pms_query *q, size_t *i, int depth)
{
    int result = 1, pending_or = 0, first = 1;

    while (*i < q->ntoks) {
        int tok = q->toks[*i] >> 8, v;
        (*i)++;
        if (tok == TOK_POP && depth > 0)
            return result;
        if (tok == TOK_OR) {
            pending_or = 1;
            continue;
        }
        if (tok == TOK_POP)
            continue;
        v = tok == TOK_PUSH ? eval_seq(e, q, i, depth + 1)
                            : eval_term(e, &q->terms[q->toks[*i - 1] & 0xFF]);
        result = first ? v : pending_or ? (result || v) : (result && v);
        first = 0;
        pending_or = 0;
    }
    return result;
}

int pms_query_matches(pms_ctx *c, pms_query *q, const pms_item *it)
{
    eval e;
    size_t i = 0;

    memset(&e, 0, sizeof(e));
    e.p = c->p;
    e.it = it;
    return eval_seq(&e, q, &i, 0);
}

/* ---- candidates ---- */

static int kind_of_type(int type)
{
    static const int kinds[][2] = {
        {PMS_T_MOVIE, PMS_K_MOVIE},          {PMS_T_SHOW, PMS_K_SHOW},
        {PMS_T_SEASON, PMS_K_SEASON},        {PMS_T_EPISODE, PMS_K_EPISODE},
        {PMS_T_ARTIST, PMS_K_ARTIST},        {PMS_T_ALBUM, PMS_K_ALBUM},
        {PMS_T_TRACK, PMS_K_TRACK},          {PMS_T_PHOTO, PMS_K_PHOTO},
        {PMS_T_PHOTOALBUM, PMS_K_PHOTOALBUM}};
    for (size_t i = 0; i < COUNT(kinds); i++)
        if (kinds[i][0] == type)
            return kinds[i][1];
    return -1;
}

int pms_query_all(pms_ctx *c, int section, int type, int64_t **keys, size_t *n)
{
    int k = kind_of_type(type);
    long count;

    *keys = NULL;
    *n = 0;
    if (k < 0 || (section && pms_kind_section((pms_kind)k) != section))
        return 0;
    count = pms_kind_count(c->p, (pms_kind)k);
    if (count < 0)
        count = 0;
    if (!(*keys = malloc(((size_t)count + 1) * sizeof(**keys))))
        return -1;
    for (long i = 0; i < count; i++)
        (*keys)[i] = pms_key_of(c->p, (pms_kind)k, i);
    *n = (size_t)count;
    return 0;
}

/* ---- sorting ---- */

typedef struct sort_val {
    double num;
    const char *str; /* folded text in the pool; NULL: a number */
    size_t off;      /* where it is in the pool while the pool grows */
    int null;
} sort_val;

typedef struct sort_rec {
    int64_t rk;
    const sort_val *vals;
    const sort_spec *specs;
    size_t nspecs;
} sort_rec;

static int cmp_recs(const void *a, const void *b)
{
    const sort_rec *x = a, *y = b;

    for (size_t i = 0; i < x->nspecs; i++) {
        const sort_val *u = &x->vals[i], *v = &y->vals[i];
        int r = 0;
        if (u->null || v->null) {
            if (u->null && v->null)
                continue;
            /* nulls first ascending (last descending), or always last */
            r = u->null ? -1 : 1;
            if (x->specs[i].nulls_last)
                return u->null ? 1 : -1;
            return x->specs[i].desc ? -r : r;
        }
        if (u->str)
            r = strcmp(u->str, v->str);
        else
            r = u->num < v->num ? -1 : u->num > v->num ? 1 : 0;
        if (r)
            return x->specs[i].desc ? -r : r;
    }
    return x->rk < y->rk ? -1 : x->rk > y->rk;
}

static int sort_by(pms_ctx *c, int64_t *keys, size_t n, const sort_spec *specs, size_t nspecs)
{
    sort_rec *recs;
    sort_val *vals;
    char *pool = NULL;
    size_t pool_len = 0, pool_cap = 0;
    int rc = -1;

    if (n < 2 || nspecs == 0)
        return 0;
    recs = malloc(n * sizeof(*recs));
    vals = calloc(n * nspecs, sizeof(*vals));
    if (!recs || !vals)
        goto done;
    for (size_t i = 0; i < n; i++) {
        pms_item it;
        eval e;
        recs[i].rk = keys[i];
        recs[i].vals = &vals[i * nspecs];
        recs[i].specs = specs;
        recs[i].nspecs = nspecs;
        memset(&e, 0, sizeof(e));
        e.p = c->p;
        e.it = &it;
        if (pms_item_get(c->p, keys[i], &it) != 0) {
            for (size_t s = 0; s < nspecs; s++)
                vals[i * nspecs + s].null = 1;
            continue;
        }
        for (size_t s = 0; s < nspecs; s++) {
            sort_val *v = &vals[i * nspecs + s];
            const pms_item *src = scoped(&e, specs[s].scope);
            char folded[256], res[16];
            const char *t;
            size_t len;
            int id = specs[s].f->id;
            if (!src) {
                v->null = 1;
                continue;
            }
            if (specs[s].f->ft != PMS_FT_STRING && !TAGSTR(id)) {
                v->null = !num_of(c->p, src, id, &v->num);
                continue;
            }
            if (!(t = str_of(c->p, src, id, res, sizeof(res)))) {
                v->null = 1;
                continue;
            }
            pms_fold(t, folded, sizeof(folded));
            len = strlen(folded) + 1;
            if (pool_len + len > pool_cap) {
                size_t cap = pool_cap ? pool_cap * 2 : (size_t)64 * 1024;
                char *np;
                while (cap < pool_len + len)
                    cap *= 2;
                if (!(np = realloc(pool, cap)))
                    goto done;
                pool = np;
                pool_cap = cap;
            }
            memcpy(pool + pool_len, folded, len);
            v->off = pool_len;
            v->str = pool; /* marks text; the pointer is set once the pool is final */
            pool_len += len;
        }
    }
    for (size_t i = 0; i < n * nspecs; i++)
        if (vals[i].str)
            vals[i].str = pool + vals[i].off;
    qsort(recs, n, sizeof(*recs), cmp_recs);
    for (size_t i = 0; i < n; i++)
        keys[i] = recs[i].rk;
    rc = 0;
done:
    free(recs);
    free(vals);
    free(pool);
    return rc;
}

int pms_sort_keys(pms_ctx *c, int64_t *keys, size_t n, const char *spec)
{
    pms_query q;

    memset(&q, 0, sizeof(q));
    q.type = PMS_T_MOVIE;
    if (parse_sorts(&q, spec) != 0)
        return -1;
    return sort_by(c, keys, n, q.sorts, q.nsorts) == 0 ? 0 : -2;
}

/* ---- the cache of query results ---- */

typedef struct cache_entry {
    char *sig;
    uint64_t generation;
    int64_t *keys;
    size_t n;
} cache_entry;

struct pms_cache {
    cache_entry e[CACHE_ENTRIES];
    size_t next;
};

void pms_query_cache_free(pms_state *p)
{
    if (!p->cache)
        return;
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        free(p->cache->e[i].sig);
        free(p->cache->e[i].keys);
    }
    free(p->cache);
    p->cache = NULL;
}

static int copy_keys(const int64_t *src, size_t n, int64_t **out)
{
    *out = malloc((n + 1) * sizeof(**out));
    if (!*out)
        return -1;
    if (n)
        memcpy(*out, src, n * sizeof(**out));
    return 0;
}

int pms_query_run(pms_ctx *c, pms_query *q, int64_t **keys, size_t *n)
{
    pms_state *p = c->p;
    int64_t *all;
    size_t count, kept = 0;
    cache_entry *ce;

    if (!p->cache && !(p->cache = calloc(1, sizeof(*p->cache))))
        return -1;
    for (size_t i = 0; i < CACHE_ENTRIES && !q->nocache; i++) {
        ce = &p->cache->e[i];
        if (ce->sig && ce->generation == p->generation && strcmp(ce->sig, q->sig) == 0) {
            *n = ce->n;
            return copy_keys(ce->keys, ce->n, keys);
        }
    }
    if (pms_query_all(c, q->section, q->type, &all, &count) != 0)
        return -1;
    if (q->ntoks > 0) {
        for (size_t i = 0; i < count; i++) {
            pms_item it;
            if (pms_item_get(p, all[i], &it) == 0 && pms_query_matches(c, q, &it))
                all[kept++] = all[i];
        }
        count = kept;
    }
    if (sort_by(c, all, count, q->sorts, q->nsorts) != 0) {
        free(all);
        return -1;
    }
    /* remember it (a copy), replacing the oldest entry */
    if (q->nocache) {
        *keys = all;
        *n = count;
        return 0;
    }
    ce = &p->cache->e[p->cache->next];
    p->cache->next = (p->cache->next + 1) % CACHE_ENTRIES;
    free(ce->sig);
    free(ce->keys);
    ce->sig = strdup(q->sig);
    ce->generation = p->generation;
    ce->n = count;
    if (!ce->sig || copy_keys(all, count, &ce->keys) != 0) {
        free(ce->sig);
        ce->sig = NULL;
        ce->keys = NULL;
    }
    *keys = all;
    *n = count;
    return 0;
}

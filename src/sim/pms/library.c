/*
 * The emulated server's library, generated on demand: every item is a
 * function of (seed, kind, index), so nothing rendered is stored and a
 * library of 50,000 movies costs only its structure (how many seasons each
 * show has, how many episodes each season...: a few small arrays).
 *
 * ratingKeys are ranges by kind, in this order: movies, shows, seasons,
 * episodes, artists, albums, tracks, photo albums, photos, trailers. Media,
 * Part and Stream ids derive from the ratingKey: media = rk * 4 + m,
 * part = media * 4, stream = part * 16 + s.
 *
 * Each item draws from its own random streams (splitmix64 of seed, kind,
 * index and a purpose), so its title is the same whether or not its tags
 * or media were asked for. The overlay (overlay.c) is applied on top.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct pms_library {
    uint64_t seed;
    long count[PMS_K_COUNT];
    int64_t first[PMS_K_COUNT]; /* ratingKey of index 0 */
    int64_t end;                /* the first ratingKey after them */
    /* parent kinds (show, season, artist, album, photo album): the index of
     * each one's first child; count + 1 entries */
    uint32_t *start[PMS_K_COUNT];
    unsigned char *season_number; /* per season: its index (0: Specials) */
};

/* ---- random streams ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

enum { SALT_TITLE = 1, SALT_FACTS, SALT_TAGS, SALT_MEDIA, SALT_SHAPE };

static rng rng_for(uint64_t seed, int kind, long index, int salt)
{
    rng r;
    r.s = mix64(seed ^ mix64(((uint64_t)(unsigned)kind << 56) ^ ((uint64_t)(unsigned)salt << 48) ^
                             (uint64_t)index));
    return r;
}

static uint64_t next(rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return mix64(r->s);
}

/* 0 .. n-1 */
static long below(rng *r, long n)
{
    return n <= 0 ? 0 : (long)(next(r) % (uint64_t)n);
}

static long between(rng *r, long lo, long hi)
{
    return lo + below(r, hi - lo + 1);
}

/* ---- words ---- */

static const char *const adjectives[] = {
    "Silent",   "Crimson",   "Hidden",  "Broken",   "Golden",   "Last",    "Lost",   "Midnight",
    "Distant",  "Electric",  "Frozen",  "Burning",  "Quiet",    "Wild",    "Secret", "Hollow",
    "Iron",     "Paper",     "Velvet",  "Northern", "Endless",  "Fading",  "Bright", "Shattered",
    "Restless", "Forgotten", "Painted", "Glass",    "Savage",   "Gentle",  "Dark",   "Little",
    "Long",     "Final",     "Second",  "Strange",  "Sleeping", "Falling", "Rising", "Blue"};
static const char *const nouns[] = {
    "River",   "Garden",     "Kingdom",   "Harbor",   "Empire",    "Summer",    "Winter",
    "Horizon", "Lighthouse", "Station",   "Mirror",   "Orchard",   "Canyon",    "Signal",
    "Machine", "Promise",    "Island",    "Frontier", "Shadow",    "Storm",     "Voyage",
    "Letter",  "Circus",     "Engine",    "Forest",   "Valley",    "Tower",     "Bridge",
    "Desert",  "Echo",       "Crown",     "Planet",   "Hunter",    "Dancer",    "Stranger",
    "Witness", "Detective",  "Alibi",     "Season",   "Memory",    "Compass",   "Carnival",
    "Ocean",   "Mountain",   "Rebellion", "Legacy",   "Sanctuary", "Labyrinth", "Outpost",
    "Requiem"};
static const char *const places[] = {"Paris",    "Lisbon",     "Kyoto",     "the North", "Avalon",
                                     "Tangier",  "the Valley", "Marrakesh", "Oslo",      "Brooklyn",
                                     "Montréal", "São Paulo",  "Reykjavík", "Zürich",    "the Sea",
                                     "Nowhere",  "Yesterday",  "Saturn",    "the Moon",  "Berlin"};
static const char *const first_names[] = {
    "James", "Maria",   "Zoë",   "José",  "Björn", "Søren", "Chloé",   "Łukasz", "Ngozi",  "Yūki",
    "Anna",  "David",   "Sofia", "Liam",  "Emma",  "Noah",  "Olivia",  "Mateo",  "Ingrid", "Ravi",
    "Amara", "Hiroshi", "Elena", "Tomás", "Aisha", "Jonas", "Camille", "Dmitri", "Leila",  "Oscar",
    "Nina",  "Kwame",   "Freya", "Pablo", "Mei",   "Arjun", "Greta",   "Hugo",   "Inès",   "Theo"};
static const char *const last_names[] = {
    "Smith",  "Núñez",     "Østergaard", "Müller", "Åberg",  "Dvořák",  "Nakamura", "O'Brien",
    "García", "Rossi",     "Kowalski",   "Haddad", "Okafor", "Larsen",  "Dubois",   "Novak",
    "Chen",   "Petrov",    "Silva",      "Jensen", "Moreau", "Fischer", "Tanaka",   "Byrne",
    "Costa",  "Lindqvist", "Hernández",  "Varga",  "Kim",    "Singh",   "Brennan",  "Ito",
    "Weber",  "Santos",    "Holm",       "Quinn",  "Park",   "Adeyemi", "Falk",     "Reyes"};
#define PEOPLE (COUNT(first_names) * COUNT(last_names))

/* Titles that test what clients do with non-ASCII text and XML specials;
 * every tenth movie takes the next one. */
static const char *const special_titles[] = {"Amélie",
                                             "千と千尋の神隠し",
                                             "Ærø",
                                             "Tom & Jerry's \"Big\" <Night>",
                                             "Smørrebrød",
                                             "Über den Wolken",
                                             "El Niño",
                                             "Café Noir",
                                             "Ça ira",
                                             "Żółta łódź",
                                             "Москва слезам не верит",
                                             "Δέλτα",
                                             "東京物語",
                                             "La dolce vità",
                                             "Fête foraine",
                                             "Señorita Año"};
static const char *const special_originals[] = {NULL,
                                                "Sen to Chihiro no kamikakushi",
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                NULL,
                                                "Moskva slezam ne verit",
                                                NULL,
                                                "Tōkyō monogatari",
                                                NULL,
                                                NULL,
                                                NULL};

static const char *const genres[] = {"Action", "Adventure", "Animation", "Comedy", "Crime",
                                     "Documentary", "Drama", "Family", "Fantasy", "History",
                                     "Horror", "Music", "Mystery", "Romance", "Science Fiction",
                                     "Thriller", "War", "Western",
                                     /* TV only */
                                     "Reality", "Soap", "Mini-Series", "Talk Show", "Children",
                                     /* music */
                                     "Rock", "Jazz", "Electronic", "Hip-Hop", "Classical", "Folk",
                                     "Pop", "Metal", "Ambient", "Reggae"};
#define GENRES_MOVIE 18
#define GENRES_TV 23
#define GENRES_MUSIC_FIRST 23
static const char *const countries[] = {"United States of America",
                                        "United Kingdom",
                                        "France",
                                        "Germany",
                                        "Japan",
                                        "Denmark",
                                        "Spain",
                                        "Italy",
                                        "Canada",
                                        "South Korea",
                                        "Sweden",
                                        "Mexico",
                                        "Iceland",
                                        "Côte d'Ivoire"};
static const char *const styles[] = {"Indie Rock", "Shoegaze", "Bebop",     "Synthpop",
                                     "Trip Hop",   "Baroque",  "Post-Rock", "Dub"};
static const char *const moods[] = {"Melancholy", "Energetic", "Brooding",
                                    "Playful",    "Romantic",  "Aggressive"};
static const char *const movie_studios[] = {"Northlight Pictures",
                                            "Smith & Wesson Films",
                                            "Blue Harbor Studios",
                                            "Kestrel Films",
                                            "Åland Film",
                                            "Paper Moon Productions",
                                            "Meridian",
                                            "Red Lantern",
                                            "Hollow Oak",
                                            "Studio Kaze"};
static const char *const networks[] = {"Northwind TV", "Kanal Øst", "Meridian Network",
                                       "Blue Harbor TV", "Studio Kaze TV"};
static const char *const labels_music[] = {"Velvet Records", "Echo & Bloom", "Fjord Music",
                                           "Lantern Sounds"};
static const char *const movie_ratings[] = {"G", "PG", "PG-13", "R", "NC-17", "NR"};
static const char *const tv_ratings[] = {"TV-Y", "TV-PG", "TV-14", "TV-MA"};
static const char *const role_forms[] = {"%s",         "Detective %s", "Dr. %s",
                                         "Captain %s", "Young %s",     "%s (voice)"};

static const pms_tag_info tag_infos[PMS_TAG_KINDS] = {
    {"Genre", "genre", "Genre", 1},          {"Country", "country", "Country", 8},
    {"Director", "director", "Director", 4}, {"Writer", "writer", "Writer", 5},
    {"Producer", "producer", "Producer", 7}, {"Role", "actor", "Actor", 6},
    {"Label", "label", "Label", 11},         {"Mood", "mood", "Mood", 300},
    {"Style", "style", "Style", 301},        {"Collection", "collection", "Collection", 2}};

/* Tag ids: a base per kind plus the index in its table (people: the person). */
static const int64_t tag_base[PMS_TAG_KINDS] = {1000,   2000, 200000, 300000, 400000,
                                                500000, 5000, 4000,   3000,   6000000};

const pms_tag_info *pms_tag_kind_info(pms_tag_kind k)
{
    return (int)k >= 0 && k < PMS_TAG_KINDS ? &tag_infos[k] : NULL;
}

int pms_tag_kind_of(const char *field, size_t len)
{
    for (int k = 0; k < PMS_TAG_KINDS; k++) {
        const char *f = tag_infos[k].filter;
        if (strlen(f) == len && memcmp(f, field, len) == 0)
            return k;
    }
    if (len == 4 && memcmp(field, "role", 4) == 0)
        return PMS_TAG_ROLE;
    return -1;
}

static const char *person_name(size_t p, char *buf, size_t size)
{
    p %= PEOPLE;
    snprintf(buf, size, "%s %s", first_names[p % COUNT(first_names)],
             last_names[p / COUNT(first_names)]);
    return buf;
}

/* Names of the people table live in one static block, made once. */
static char people_names[PEOPLE][40];
static pthread_once_t people_once = PTHREAD_ONCE_INIT;

static void people_init(void)
{
    for (size_t p = 0; p < PEOPLE; p++)
        person_name(p, people_names[p], sizeof(people_names[p]));
}

static const char *person(size_t p)
{
    pthread_once(&people_once, people_init);
    return people_names[p % PEOPLE];
}

const char *pms_tag_table(pms_tag_kind k, int section, size_t i, int64_t *id)
{
    size_t first = 0, n = 0;
    const char *const *table = NULL;

    switch (k) {
    case PMS_TAG_GENRE:
        table = genres;
        first = section == PMS_SEC_MUSIC ? GENRES_MUSIC_FIRST : 0;
        n = section == PMS_SEC_MUSIC    ? COUNT(genres) - GENRES_MUSIC_FIRST
            : section == PMS_SEC_TV     ? GENRES_TV
            : section == PMS_SEC_PHOTOS ? 0
                                        : GENRES_MOVIE;
        if (section == 0)
            n = COUNT(genres);
        break;
    case PMS_TAG_COUNTRY:
        table = countries;
        n = section == PMS_SEC_PHOTOS ? 0 : COUNT(countries);
        break;
    case PMS_TAG_STYLE:
        table = styles;
        n = section == 0 || section == PMS_SEC_MUSIC ? COUNT(styles) : 0;
        break;
    case PMS_TAG_MOOD:
        table = moods;
        n = section == 0 || section == PMS_SEC_MUSIC ? COUNT(moods) : 0;
        break;
    case PMS_TAG_DIRECTOR:
    case PMS_TAG_WRITER:
    case PMS_TAG_PRODUCER:
    case PMS_TAG_ROLE:
        if (i >= PEOPLE || section == PMS_SEC_PHOTOS || section == PMS_SEC_MUSIC)
            return NULL;
        if (id)
            *id = tag_base[k] + (int64_t)i;
        return person(i);
    default:
        return NULL;
    }
    if (i >= n)
        return NULL;
    if (id)
        *id = tag_base[k] + (int64_t)(first + i);
    return table[first + i];
}

/* The id of a generated tag name in a kind's table, or 0. */
static int64_t table_id(pms_tag_kind k, const char *name)
{
    int64_t id;
    const char *t;

    if (k == PMS_TAG_DIRECTOR || k == PMS_TAG_WRITER || k == PMS_TAG_PRODUCER ||
        k == PMS_TAG_ROLE) {
        for (size_t p = 0; p < PEOPLE; p++)
            if (strcmp(person(p), name) == 0)
                return tag_base[k] + (int64_t)p;
        return 0;
    }
    for (size_t i = 0; (t = pms_tag_table(k, 0, i, &id)) != NULL; i++)
        if (strcmp(t, name) == 0)
            return id;
    return 0;
}

/* ---- kinds ---- */

static const int kind_types[PMS_K_COUNT] = {
    PMS_T_MOVIE, PMS_T_SHOW,  PMS_T_SEASON,     PMS_T_EPISODE, PMS_T_ARTIST,
    PMS_T_ALBUM, PMS_T_TRACK, PMS_T_PHOTOALBUM, PMS_T_PHOTO,   PMS_T_CLIP};
static const int kind_sections[PMS_K_COUNT] = {
    PMS_SEC_MOVIES, PMS_SEC_TV,    PMS_SEC_TV,     PMS_SEC_TV,     PMS_SEC_MUSIC,
    PMS_SEC_MUSIC,  PMS_SEC_MUSIC, PMS_SEC_PHOTOS, PMS_SEC_PHOTOS, PMS_SEC_MOVIES};
/* The child kind of a parent kind, or -1. */
static const int child_kind[PMS_K_COUNT] = {
    -1, PMS_K_SEASON, PMS_K_EPISODE, -1, PMS_K_ALBUM, PMS_K_TRACK, -1, PMS_K_PHOTO, -1, -1};
static const int parent_kind[PMS_K_COUNT] = {
    -1, -1, PMS_K_SHOW, PMS_K_SEASON, -1, PMS_K_ARTIST, PMS_K_ALBUM, -1, PMS_K_PHOTOALBUM, -1};

int pms_kind_type(pms_kind kind)
{
    return (int)kind >= 0 && kind < PMS_K_COUNT ? kind_types[kind] : 0;
}

int pms_kind_section(pms_kind kind)
{
    return (int)kind >= 0 && kind < PMS_K_COUNT ? kind_sections[kind] : 0;
}

static const struct {
    int type;
    const char *name;
} type_names[] = {{PMS_T_MOVIE, "movie"},
                  {PMS_T_SHOW, "show"},
                  {PMS_T_SEASON, "season"},
                  {PMS_T_EPISODE, "episode"},
                  {PMS_T_ARTIST, "artist"},
                  {PMS_T_ALBUM, "album"},
                  {PMS_T_TRACK, "track"},
                  {PMS_T_CLIP, "clip"},
                  {PMS_T_PHOTO, "photo"},
                  {PMS_T_PHOTOALBUM, "photoalbum"},
                  {PMS_T_PLAYLIST, "playlist"},
                  {PMS_T_COLLECTION, "collection"},
                  {5, "trailer"},
                  {7, "person"}};

const char *pms_type_name(int type)
{
    for (size_t i = 0; i < COUNT(type_names); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}

int pms_type_of(const char *name)
{
    for (size_t i = 0; name && i < COUNT(type_names); i++)
        if (strcmp(type_names[i].name, name) == 0)
            return type_names[i].type;
    return 0;
}

/* ---- structure ---- */

static long at_least(long v, long lo)
{
    return v < lo ? lo : v;
}

/* Children counts of parent kind pk (n parents) into lib->start[pk]. */
static int build_children(pms_library *lib, pms_kind pk, long lo, long hi)
{
    long n = lib->count[pk], total = 0;
    uint32_t *start = malloc(((size_t)n + 1) * sizeof(*start));

    if (!start)
        return -1;
    for (long i = 0; i < n; i++) {
        rng r = rng_for(lib->seed, (int)pk, i, SALT_SHAPE);
        start[i] = (uint32_t)total;
        total += between(&r, lo, hi);
    }
    start[n] = (uint32_t)total;
    lib->start[pk] = start;
    lib->count[child_kind[pk]] = total;
    return 0;
}

pms_library *pms_library_new(uint64_t seed, long movies)
{
    pms_library *lib = calloc(1, sizeof(*lib));
    long shows, total = 0;
    int64_t key = 1;

    if (!lib)
        return NULL;
    lib->seed = seed;
    lib->count[PMS_K_MOVIE] = movies;
    lib->count[PMS_K_CLIP] = movies;
    shows = at_least(movies / 10, 2);
    lib->count[PMS_K_SHOW] = shows;
    lib->count[PMS_K_ARTIST] = at_least(movies / 10, 2);
    lib->count[PMS_K_PHOTOALBUM] = at_least(movies / 25, 1);

    /* seasons: 1-4 per show, and Specials (season 0) for one show in six */
    lib->start[PMS_K_SHOW] = malloc(((size_t)shows + 1) * sizeof(uint32_t));
    if (!lib->start[PMS_K_SHOW])
        goto fail;
    for (long s = 0; s < shows; s++) {
        rng r = rng_for(seed, PMS_K_SHOW, s, SALT_SHAPE);
        long n = between(&r, 1, 4) + (below(&r, 6) == 0);
        lib->start[PMS_K_SHOW][s] = (uint32_t)total;
        total += n;
    }
    lib->start[PMS_K_SHOW][shows] = (uint32_t)total;
    lib->count[PMS_K_SEASON] = total;
    lib->season_number = malloc((size_t)total + 1);
    if (!lib->season_number)
        goto fail;
    for (long s = 0; s < shows; s++) {
        long a = lib->start[PMS_K_SHOW][s], b = lib->start[PMS_K_SHOW][s + 1];
        rng r = rng_for(seed, PMS_K_SHOW, s, SALT_SHAPE);
        long n = between(&r, 1, 4);
        int specials = b - a > n;
        for (long i = a; i < b; i++)
            lib->season_number[i] = (unsigned char)(i - a + (specials ? 0 : 1));
    }
    if (build_children(lib, PMS_K_SEASON, 4, 12) != 0 ||
        build_children(lib, PMS_K_ARTIST, 1, 4) != 0 ||
        build_children(lib, PMS_K_ALBUM, 5, 14) != 0 ||
        build_children(lib, PMS_K_PHOTOALBUM, 6, 20) != 0)
        goto fail;
    for (int k = 0; k < PMS_K_COUNT; k++) {
        lib->first[k] = key;
        key += lib->count[k];
    }
    lib->end = key;
    return lib;
fail:
    pms_library_free(lib);
    return NULL;
}

void pms_library_free(pms_library *lib)
{
    if (!lib)
        return;
    for (int k = 0; k < PMS_K_COUNT; k++)
        free(lib->start[k]);
    free(lib->season_number);
    free(lib);
}

int pms_key_kind(const pms_state *p, int64_t rk, long *index)
{
    const pms_library *lib = p->lib;

    if (rk < 1 || rk >= lib->end)
        return -1;
    for (int k = PMS_K_COUNT - 1; k >= 0; k--) {
        if (rk >= lib->first[k] && lib->count[k] > 0) {
            if (rk - lib->first[k] >= lib->count[k] || pms_section_deleted(p, kind_sections[k]))
                return -1;
            if (index)
                *index = (long)(rk - lib->first[k]);
            return k;
        }
    }
    return -1;
}

int pms_section_deleted(const pms_state *p, int s)
{
    return s >= 1 && s <= PMS_NSECTIONS && (p->deleted_sections & (1u << s)) != 0;
}

int64_t pms_key_of(const pms_state *p, pms_kind kind, long index)
{
    return p->lib->first[kind] + index;
}

long pms_kind_count(const pms_state *p, pms_kind kind)
{
    return (int)kind >= 0 && kind < PMS_K_COUNT ? p->lib->count[kind] : 0;
}

/* The parent index of child index i of kind ck (binary search). */
static long parent_of(const pms_library *lib, int ck, long i)
{
    int pk = parent_kind[ck];
    const uint32_t *start = lib->start[pk];
    long lo = 0, hi = lib->count[pk] - 1;

    while (lo < hi) {
        long mid = lo + (hi - lo + 1) / 2;
        if ((long)start[mid] <= i)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int pms_children(const pms_state *p, int64_t rk, pms_kind *kind, long *first, long *n)
{
    long i;
    int k = pms_key_kind(p, rk, &i);

    if (k < 0 || child_kind[k] < 0)
        return -1;
    *kind = (pms_kind)child_kind[k];
    *first = (long)p->lib->start[k][i];
    *n = (long)p->lib->start[k][i + 1] - *first;
    return 0;
}

int pms_leaves(const pms_state *p, int64_t rk, pms_kind *kind, long *first, long *n)
{
    long i;
    int k = pms_key_kind(p, rk, &i);

    if (k < 0)
        return -1;
    *kind = (pms_kind)k;
    *first = i;
    *n = 1;
    while (child_kind[*kind] >= 0) { /* the children of the first and last child */
        const uint32_t *start = p->lib->start[*kind];
        long a = (long)start[*first], b = (long)start[*first + *n];
        *kind = (pms_kind)child_kind[*kind];
        *first = a;
        *n = b - a;
    }
    return 0;
}

/* ---- text ---- */

static void put(char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    snprintf(buf, size, fmt, a, b);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}

#define PICK(r, table) ((table)[below((r), (long)COUNT(table))])

/* A title from the word tables. */
static void phrase(rng *r, char *buf, size_t size, int style)
{
    switch (style % 6) {
    case 0:
        put(buf, size, "The %s %s", PICK(r, adjectives), PICK(r, nouns));
        break;
    case 1:
        put(buf, size, "%s of %s", PICK(r, nouns), PICK(r, places));
        break;
    case 2:
        put(buf, size, "%s %s", PICK(r, adjectives), PICK(r, nouns));
        break;
    case 3:
        put(buf, size, "A %s in %s", PICK(r, nouns), PICK(r, places));
        break;
    case 4:
        put(buf, size, "%s's %s", PICK(r, first_names), PICK(r, nouns));
        break;
    default:
        put(buf, size, "%s & %s", PICK(r, nouns), PICK(r, nouns));
        break;
    }
}

/* titleSort: without a leading article; NULL when it would be the title. */
static const char *sort_title(const char *title, char *buf, size_t size)
{
    static const char *const articles[] = {"The ", "A ", "An "};

    for (size_t i = 0; i < COUNT(articles); i++) {
        size_t n = strlen(articles[i]);
        if (strncmp(title, articles[i], n) == 0 && title[n]) {
            snprintf(buf, size, "%s", title + n);
            return buf;
        }
    }
    return NULL;
}

static void make_slug(const char *title, char *out, size_t size)
{
    char folded[160];
    size_t o = 0;
    int dash = 0;

    pms_fold(title, folded, sizeof(folded)); /* "Amélie" -> "amelie" */
    for (const unsigned char *s = (const unsigned char *)folded; *s && o + 2 < size; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) {
            out[o++] = (char)*s;
            dash = 0;
        } else if (*s >= 'A' && *s <= 'Z') {
            out[o++] = (char)(*s - 'A' + 'a');
            dash = 0;
        } else if (*s < 0x80 && o > 0 && !dash) {
            out[o++] = '-';
            dash = 1;
        }
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    if (o == 0)
        snprintf(out, size, "item");
}

static void hex24(uint64_t a, uint64_t b, char out[25])
{
    snprintf(out, 25, "%08llx%016llx", (unsigned long long)(a & 0xFFFFFFFFu),
             (unsigned long long)b);
}

/* The generated title of kind k, index i into buf (and originalTitle). */
static const char *gen_title(const pms_library *lib, int k, long i, char *buf, size_t size,
                             const char **original)
{
    rng r = rng_for(lib->seed, k, i, SALT_TITLE);

    if (original)
        *original = NULL;
    switch (k) {
    case PMS_K_MOVIE:
        if (i % 10 == 3) {
            size_t s = (size_t)(i / 10) % COUNT(special_titles);
            snprintf(buf, size, "%s", special_titles[s]);
            if (original)
                *original = special_originals[s];
        } else {
            phrase(&r, buf, size, (int)below(&r, 6));
        }
        break;
    case PMS_K_SHOW:
        if (i % 7 == 5)
            put(buf, size, "%s %s", "Borgen", PICK(&r, places));
        else
            phrase(&r, buf, size, (int)below(&r, 4));
        break;
    case PMS_K_SEASON: {
        int n = lib->season_number[i];
        if (n == 0)
            snprintf(buf, size, "Specials");
        else
            snprintf(buf, size, "Season %d", n);
        break;
    }
    case PMS_K_EPISODE: {
        long season = parent_of(lib, k, i);
        if ((long)lib->start[PMS_K_SEASON][season] == i && lib->season_number[season] == 1)
            snprintf(buf, size, "Pilot");
        else if (below(&r, 4) == 0)
            put(buf, size, "The %s", PICK(&r, nouns), NULL);
        else
            phrase(&r, buf, size, (int)below(&r, 3) * 2);
        break;
    }
    case PMS_K_ARTIST:
        switch (below(&r, 4)) {
        case 0:
            put(buf, size, "The %s %ss", PICK(&r, adjectives), PICK(&r, nouns));
            break;
        case 1:
            put(buf, size, "%s %s", PICK(&r, first_names), PICK(&r, last_names));
            break;
        case 2:
            put(buf, size, "%s Ørkestra", PICK(&r, places), NULL);
            break;
        default:
            put(buf, size, "%s %s", PICK(&r, adjectives), PICK(&r, nouns));
            break;
        }
        break;
    case PMS_K_ALBUM:
        if (below(&r, 3) == 0)
            put(buf, size, "Songs from %s", PICK(&r, places), NULL);
        else
            phrase(&r, buf, size, 2);
        break;
    case PMS_K_TRACK:
        if (below(&r, 9) == 0)
            snprintf(buf, size, "Interlude");
        else
            phrase(&r, buf, size, (int)below(&r, 3) * 2 + 1);
        break;
    case PMS_K_PHOTOALBUM: {
        const char *place = PICK(&r, places);
        snprintf(buf, size, "%s %ld", place, 2015 + below(&r, 10));
        break;
    }
    case PMS_K_PHOTO:
        snprintf(buf, size, "IMG_%04ld", 1000 + (i * 7 + below(&r, 7)) % 9000);
        break;
    case PMS_K_CLIP: {
        char t[160];
        gen_title(lib, PMS_K_MOVIE, i, t, sizeof(t), NULL);
        snprintf(buf, size, "%s (Trailer)", t);
        break;
    }
    default:
        snprintf(buf, size, "Item");
        break;
    }
    return buf;
}

/* ---- items ---- */

static int64_t gen_added(rng *r)
{
    /* one in five in the last 60 days; the rest over three years */
    int64_t back = below(r, 5) == 0 ? between(r, 3600, 60L * 86400)
                                    : between(r, 60L * 86400, 3L * 365 * 86400);
    return PMS_EPOCH - back;
}

static void add_tag(pms_item *it, pms_tag_kind k, int64_t id, const char *name, const char *role)
{
    int n = it->ntags[k];

    if (n >= PMS_MAX_TAGS)
        return;
    for (int j = 0; j < n; j++)
        if (it->tags[k][j].id == id && strcmp(it->tags[k][j].tag, name) == 0)
            return;
    it->tags[k][n].id = id;
    it->tags[k][n].tag = name;
    it->tags[k][n].role = role;
    it->ntags[k] = n + 1;
}

/* Role names: "Detective Smith"; from a small static table built once. */
_Static_assert(sizeof(first_names) == sizeof(last_names), "role names pair the two tables");
static char role_names[COUNT(role_forms)][COUNT(last_names)][48];
static pthread_once_t roles_once = PTHREAD_ONCE_INIT;

static void roles_init(void)
{
    for (size_t f = 0; f < COUNT(role_forms); f++)
        for (size_t l = 0; l < COUNT(last_names); l++)
            put(role_names[f][l], sizeof(role_names[f][l]), role_forms[f],
                f == 4 ? first_names[l] : last_names[l], NULL);
}

static void gen_people(pms_item *it, rng *r, int directors, int writers, int producers, int roles)
{
    pthread_once(&roles_once, roles_init);
    for (int j = 0; j < directors; j++) {
        long p = below(r, PEOPLE);
        add_tag(it, PMS_TAG_DIRECTOR, tag_base[PMS_TAG_DIRECTOR] + p, person((size_t)p), NULL);
    }
    for (int j = 0; j < writers; j++) {
        long p = below(r, PEOPLE);
        add_tag(it, PMS_TAG_WRITER, tag_base[PMS_TAG_WRITER] + p, person((size_t)p), NULL);
    }
    for (int j = 0; j < producers; j++) {
        long p = below(r, PEOPLE);
        add_tag(it, PMS_TAG_PRODUCER, tag_base[PMS_TAG_PRODUCER] + p, person((size_t)p), NULL);
    }
    for (int j = 0; j < roles; j++) {
        long p = below(r, PEOPLE);
        const char *role = role_names[below(r, COUNT(role_forms))][below(r, COUNT(last_names))];
        add_tag(it, PMS_TAG_ROLE, tag_base[PMS_TAG_ROLE] + p, person((size_t)p), role);
    }
}

static void gen_genres(pms_item *it, rng *r, long first, long n, int count)
{
    for (int j = 0; j < count; j++) {
        long g = first + below(r, n);
        add_tag(it, PMS_TAG_GENRE, tag_base[PMS_TAG_GENRE] + g, genres[g], NULL);
    }
}

static void gen_countries(pms_item *it, rng *r, int count)
{
    for (int j = 0; j < count; j++) {
        /* mostly the first few: a realistic skew */
        long c = below(r, 3) ? below(r, 4) : below(r, (long)COUNT(countries));
        add_tag(it, PMS_TAG_COUNTRY, tag_base[PMS_TAG_COUNTRY] + c, countries[c], NULL);
    }
}

static const char *const moods_lower[] = {"quiet",  "swift",    "strange",  "tender",
                                          "bitter", "luminous", "restless", "gentle"};
static const char *const nouns_lower[] = {"stranger",   "promise", "letter", "detective", "dancer",
                                          "lighthouse", "secret",  "engine", "witness",   "storm"};

static void gen_summary(pms_item *it, rng *r, const char *what)
{
    snprintf(it->buf_summary, sizeof(it->buf_summary),
             "%s: a %s story of the %s and the %s, from %s to %s. After this, %s the same.",
             it->title, PICK(r, moods_lower), PICK(r, nouns_lower), PICK(r, nouns_lower),
             PICK(r, places), PICK(r, places), what);
    it->summary = it->buf_summary;
}

static void critic_ratings(pms_item *it, rng *r)
{
    if (below(r, 8) == 0)
        return; /* unrated */
    it->rating = (double)between(r, 15, 99) / 10.0;
    it->rating_image = it->rating >= 6.0 ? "rottentomatoes://image.rating.ripe"
                                         : "rottentomatoes://image.rating.rotten";
    it->audience_rating = (double)between(r, 20, 98) / 10.0;
    it->audience_rating_image = it->audience_rating >= 6.0
                                    ? "rottentomatoes://image.rating.upright"
                                    : "rottentomatoes://image.rating.spilled";
}

static void gen_date(pms_item *it, rng *r, int year)
{
    snprintf(it->available, sizeof(it->available), "%04d-%02ld-%02ld", year, between(r, 1, 12),
             between(r, 1, 28));
}

static void fill_movie(pms_state *p, pms_item *it, rng *f, rng *t)
{
    it->year = (int)(below(f, 4) ? between(f, 1995, 2025) : between(f, 1950, 1994));
    if (below(f, 20))
        gen_date(it, f, it->year);
    it->duration = between(f, 80, 180) * 60000 + between(f, 0, 59) * 1000;
    if (below(f, 10))
        it->studio = PICK(f, movie_studios);
    if (below(f, 12))
        it->content_rating = PICK(f, movie_ratings);
    if (below(f, 15))
        gen_summary(it, f, "nothing is");
    if (below(f, 3)) {
        snprintf(it->buf_tagline, sizeof(it->buf_tagline), "Every %s has its %s.", PICK(f, nouns),
                 PICK(f, nouns));
        it->tagline = it->buf_tagline;
    }
    critic_ratings(it, f);
    gen_genres(it, t, 0, GENRES_MOVIE, (int)between(t, 1, 3));
    gen_countries(it, t, (int)between(t, 1, 2));
    gen_people(it, t, (int)between(t, 1, 2), (int)between(t, 1, 3), (int)between(t, 0, 3),
               (int)between(t, 3, 8));
    it->nmedia = below(f, 6) == 0 ? 2 : 1; /* a 4K and a 1080p version */
    (void)p;
}

static void fill_show(pms_item *it, rng *f, rng *t)
{
    it->year = (int)between(f, 1990, 2025);
    gen_date(it, f, it->year);
    it->studio = PICK(f, networks);
    if (below(f, 10))
        it->content_rating = PICK(f, tv_ratings);
    if (below(f, 8))
        gen_summary(it, f, "nothing is");
    critic_ratings(it, f);
    gen_genres(it, t, 0, GENRES_TV, (int)between(t, 1, 3));
    gen_countries(it, t, 1);
    gen_people(it, t, 0, 0, 0, (int)between(t, 3, 6));
}

/* Fill the kind-specific facts; parents are generated for their titles. */
static void fill(pms_state *p, pms_item *it)
{
    const pms_library *lib = p->lib;
    rng f = rng_for(lib->seed, it->kind, it->index, SALT_FACTS);
    rng t = rng_for(lib->seed, it->kind, it->index, SALT_TAGS);
    long i = it->index;

    switch (it->kind) {
    case PMS_K_MOVIE:
        fill_movie(p, it, &f, &t);
        break;
    case PMS_K_SHOW:
        fill_show(it, &f, &t);
        it->child_count = (int)(lib->start[PMS_K_SHOW][i + 1] - lib->start[PMS_K_SHOW][i]);
        {
            pms_kind k;
            long a = 0, n = 0;
            pms_leaves(p, it->rating_key, &k, &a, &n);
            it->leaf_count = (int)n;
        }
        it->child_index = 1;
        break;
    case PMS_K_SEASON: {
        long show = parent_of(lib, PMS_K_SEASON, i);
        rng sf = rng_for(lib->seed, PMS_K_SHOW, show, SALT_FACTS);
        int show_year = (int)between(&sf, 1990, 2025);
        it->parent_key = pms_key_of(p, PMS_K_SHOW, show);
        it->child_index = lib->season_number[i];
        it->year = show_year + (it->child_index > 0 ? it->child_index - 1 : 0);
        if (it->year > 2025)
            it->year = 2025;
        it->leaf_count = (int)(lib->start[PMS_K_SEASON][i + 1] - lib->start[PMS_K_SEASON][i]);
        it->child_count = it->leaf_count;
        if (below(&f, 3) == 0)
            gen_summary(it, &f, "nothing is");
        break;
    }
    case PMS_K_EPISODE: {
        long season = parent_of(lib, PMS_K_EPISODE, i);
        long show = parent_of(lib, PMS_K_SEASON, season);
        rng sf = rng_for(lib->seed, PMS_K_SHOW, show, SALT_FACTS);
        int show_year = (int)between(&sf, 1990, 2025);
        it->parent_key = pms_key_of(p, PMS_K_SEASON, season);
        it->grandparent_key = pms_key_of(p, PMS_K_SHOW, show);
        it->child_index = (int)(i - (long)lib->start[PMS_K_SEASON][season]) + 1;
        it->year =
            show_year + (lib->season_number[season] > 0 ? lib->season_number[season] - 1 : 0);
        if (it->year > 2025)
            it->year = 2025;
        gen_date(it, &f, it->year);
        it->duration = (long)(22 + 8 * (show % 5)) * 60000 + between(&f, 0, 180) * 1000;
        if (below(&f, 10))
            it->content_rating = tv_ratings[show % (long)COUNT(tv_ratings)];
        if (below(&f, 6))
            gen_summary(it, &f, "the town is never");
        critic_ratings(it, &f);
        gen_people(it, &t, 1, (int)between(&t, 1, 2), 0, (int)between(&t, 0, 3));
        it->nmedia = 1;
        break;
    }
    case PMS_K_ARTIST:
        if (below(&f, 4))
            gen_summary(it, &f, "the music is never");
        gen_genres(it, &t, GENRES_MUSIC_FIRST, (long)COUNT(genres) - GENRES_MUSIC_FIRST,
                   (int)between(&t, 1, 2));
        gen_countries(it, &t, 1);
        for (long j = between(&t, 0, 2); j > 0; j--) {
            long s = below(&t, (long)COUNT(styles));
            add_tag(it, PMS_TAG_STYLE, tag_base[PMS_TAG_STYLE] + s, styles[s], NULL);
        }
        it->child_count = (int)(lib->start[PMS_K_ARTIST][i + 1] - lib->start[PMS_K_ARTIST][i]);
        {
            pms_kind k;
            long a = 0, n = 0;
            pms_leaves(p, it->rating_key, &k, &a, &n);
            it->leaf_count = (int)n;
        }
        break;
    case PMS_K_ALBUM: {
        long artist = parent_of(lib, PMS_K_ALBUM, i);
        it->parent_key = pms_key_of(p, PMS_K_ARTIST, artist);
        it->child_index = (int)(i - (long)lib->start[PMS_K_ARTIST][artist]) + 1;
        it->year = (int)between(&f, 1965, 2025);
        gen_date(it, &f, it->year);
        if (below(&f, 3))
            it->studio = PICK(&f, labels_music);
        gen_genres(it, &t, GENRES_MUSIC_FIRST, (long)COUNT(genres) - GENRES_MUSIC_FIRST, 1);
        if (below(&t, 2)) {
            long m = below(&t, (long)COUNT(moods));
            add_tag(it, PMS_TAG_MOOD, tag_base[PMS_TAG_MOOD] + m, moods[m], NULL);
        }
        it->leaf_count = (int)(lib->start[PMS_K_ALBUM][i + 1] - lib->start[PMS_K_ALBUM][i]);
        it->child_count = it->leaf_count;
        break;
    }
    case PMS_K_TRACK: {
        long album = parent_of(lib, PMS_K_TRACK, i);
        long artist = parent_of(lib, PMS_K_ALBUM, album);
        it->parent_key = pms_key_of(p, PMS_K_ALBUM, album);
        it->grandparent_key = pms_key_of(p, PMS_K_ARTIST, artist);
        it->child_index = (int)(i - (long)lib->start[PMS_K_ALBUM][album]) + 1;
        it->duration = between(&f, 95, 420) * 1000 + between(&f, 0, 999);
        {
            rng af = rng_for(lib->seed, PMS_K_ALBUM, album, SALT_FACTS);
            it->year = (int)between(&af, 1965, 2025);
        }
        it->nmedia = 1;
        break;
    }
    case PMS_K_PHOTOALBUM:
        it->leaf_count =
            (int)(lib->start[PMS_K_PHOTOALBUM][i + 1] - lib->start[PMS_K_PHOTOALBUM][i]);
        it->child_count = it->leaf_count;
        it->year = (int)between(&f, 2015, 2025);
        break;
    case PMS_K_PHOTO: {
        long album = parent_of(lib, PMS_K_PHOTO, i);
        it->parent_key = pms_key_of(p, PMS_K_PHOTOALBUM, album);
        it->child_index = (int)(i - (long)lib->start[PMS_K_PHOTOALBUM][album]) + 1;
        it->year = (int)between(&f, 2015, 2025);
        gen_date(it, &f, it->year);
        it->nmedia = 1;
        break;
    }
    case PMS_K_CLIP:
        it->parent_key = pms_key_of(p, PMS_K_MOVIE, i);
        it->duration = between(&f, 90, 200) * 1000;
        it->year = 2025 - (int)below(&f, 20);
        it->nmedia = 1;
        break;
    default:
        break;
    }
}

/* The generated updatedAt (what an image path carries). */
static void gen_times(pms_item *it, uint64_t seed)
{
    rng r = rng_for(seed, it->kind, it->index, SALT_SHAPE + 1);

    it->added_at = gen_added(&r);
    it->updated_at = it->added_at + between(&r, 0, 20L * 86400);
    if (it->updated_at > PMS_EPOCH)
        it->updated_at = PMS_EPOCH - between(&r, 0, 3600);
}

/* The overlay's edits, tags and watch state on top of the generated item. */
static void apply_overlay(pms_state *p, pms_item *it);

int pms_item_get(pms_state *p, int64_t rk, pms_item *it)
{
    long index;
    int k = pms_key_kind(p, rk, &index);

    if (k < 0)
        return -1;
    memset(it, 0, sizeof(*it));
    it->rating_key = rk;
    it->kind = (pms_kind)k;
    it->index = index;
    it->type = kind_types[k];
    it->section = kind_sections[k];
    it->rating = -1;
    it->audience_rating = -1;
    it->user_rating = -1;
    it->title =
        gen_title(p->lib, k, index, it->buf_title, sizeof(it->buf_title), &it->original_title);
    it->title_sort = sort_title(it->title, it->buf_sort, sizeof(it->buf_sort));
    gen_times(it, p->lib->seed);
    fill(p, it);
    {
        rng g = rng_for(p->lib->seed, k, index, SALT_TITLE + 16);
        uint64_t a = next(&g), b = next(&g);
        static const char *const guid_types[PMS_K_COUNT] = {
            "movie", "show", "season", "episode", "artist", "album", "track", NULL, NULL, "movie"};
        if (guid_types[k]) {
            char hex[25];
            hex24(a, b, hex);
            snprintf(it->guid, sizeof(it->guid), "plex://%s/%s", guid_types[k], hex);
        } else {
            snprintf(it->guid, sizeof(it->guid), "local://%lld", (long long)rk);
        }
    }
    make_slug(it->title, it->slug, sizeof(it->slug));
    apply_overlay(p, it);
    return 0;
}

const char *pms_item_title(pms_state *p, int64_t rk, char *buf, size_t size)
{
    long index;
    int k = pms_key_kind(p, rk, &index);
    const pms_overlay *o;

    if (k < 0)
        return NULL;
    o = pms_overlay_find(p, rk);
    for (size_t e = 0; o && e < o->nedits; e++)
        if (o->edits[e].field == PMS_F_TITLE && o->edits[e].value) {
            snprintf(buf, size, "%s", o->edits[e].value);
            return buf;
        }
    return gen_title(p->lib, k, index, buf, size, NULL);
}

/* ---- the overlay on an item ---- */

static int tag_index(const pms_item *it, int k, const char *name)
{
    for (int j = 0; j < it->ntags[k]; j++)
        if (strcmp(it->tags[k][j].tag, name) == 0)
            return j;
    return -1;
}

static void remove_tag(pms_item *it, int k, int j)
{
    memmove(&it->tags[k][j], &it->tags[k][j + 1],
            (size_t)(it->ntags[k] - j - 1) * sizeof(it->tags[k][0]));
    it->ntags[k]--;
}

typedef struct leaf_state {
    int viewed, views;
    int64_t last_viewed;
} leaf_state;

static void sum_leaves(pms_state *p, const pms_item *it, leaf_state *ls)
{
    pms_kind k;
    long first, n;

    memset(ls, 0, sizeof(*ls));
    if (pms_leaves(p, it->rating_key, &k, &first, &n) != 0)
        return;
    for (long i = 0; i < n; i++) {
        const pms_overlay *o = pms_overlay_find(p, pms_key_of(p, k, first + i));
        if (!o || o->view_count <= 0)
            continue;
        ls->viewed++;
        ls->views += o->view_count;
        if (o->last_viewed_at > ls->last_viewed)
            ls->last_viewed = o->last_viewed_at;
    }
}

static void apply_overlay(pms_state *p, pms_item *it)
{
    const pms_overlay *o = pms_overlay_find(p, it->rating_key);

    /* collections the item is in */
    for (size_t c = 0; c < pms_collection_count(p); c++) {
        const pms_collection *col = pms_collection_at(p, c);
        if (pms_collection_has(col, it->rating_key))
            add_tag(it, PMS_TAG_COLLECTION, tag_base[PMS_TAG_COLLECTION] + col->rating_key,
                    col->title, NULL);
    }
    if (child_kind[it->kind] >= 0 && pms_overlay_count(p) > 0) {
        leaf_state ls;
        sum_leaves(p, it, &ls);
        it->viewed_leaf_count = ls.viewed;
        it->view_count = ls.views;
        it->last_viewed_at = ls.last_viewed;
    }
    if (!o)
        return;
    if (child_kind[it->kind] < 0) {
        it->view_count = o->view_count;
        it->view_offset = o->view_offset;
        it->last_viewed_at = o->last_viewed_at;
    }
    it->skip_count = o->skip_count;
    it->user_rating = o->user_rating;
    it->last_rated_at = o->last_rated_at;
    if (o->updated_at > 0)
        it->updated_at = o->updated_at;
    it->locked = o->locked;
    it->tag_locked = o->tag_locked;
    for (size_t e = 0; e < o->nedits; e++) {
        const char *v = o->edits[e].value;
        int64_t n;
        if (!v)
            continue;
        switch ((pms_field)o->edits[e].field) {
        case PMS_F_TITLE:
            it->title = v;
            break;
        case PMS_F_TITLE_SORT:
            it->title_sort = v;
            break;
        case PMS_F_ORIGINAL_TITLE:
            it->original_title = v;
            break;
        case PMS_F_SUMMARY:
            it->summary = v;
            break;
        case PMS_F_TAGLINE:
            it->tagline = v;
            break;
        case PMS_F_STUDIO:
            it->studio = v;
            break;
        case PMS_F_CONTENT_RATING:
            it->content_rating = v;
            break;
        case PMS_F_AVAILABLE:
            snprintf(it->available, sizeof(it->available), "%s", v);
            break;
        case PMS_F_YEAR:
            if (pms_parse_int(v, &n) == 0)
                it->year = (int)n;
            break;
        case PMS_F_INDEX:
            if (pms_parse_int(v, &n) == 0)
                it->child_index = (int)n;
            break;
        default:
            break;
        }
    }
    for (size_t e = 0; e < o->ntags; e++) {
        const pms_tag_edit *te = &o->tags[e];
        int j = tag_index(it, te->kind, te->name);
        if (te->added && j < 0)
            add_tag(it, (pms_tag_kind)te->kind, te->id, te->name, NULL);
        else if (!te->added && j >= 0)
            remove_tag(it, te->kind, j);
    }
}

int64_t pms_tag_table_id(pms_tag_kind k, const char *name)
{
    return table_id(k, name);
}

/* ---- media ---- */

static const char *const audio_languages[][3] = {{"English", "eng", "en"},
                                                 {"Français", "fra", "fr"},
                                                 {"Deutsch", "deu", "de"},
                                                 {"日本語", "jpn", "ja"},
                                                 {"Español", "spa", "es"}};

static void stream_titles(pms_stream *s)
{
    static const struct {
        const char *codec, *name;
    } names[] = {{"h264", "H.264"}, {"hevc", "HEVC"},         {"mpeg4", "MPEG-4"},
                 {"aac", "AAC"},    {"ac3", "Dolby Digital"}, {"eac3", "Dolby Digital+"},
                 {"dca", "DTS"},    {"truehd", "TrueHD"},     {"flac", "FLAC"},
                 {"mp3", "MP3"},    {"srt", "SRT"},           {"ass", "ASS"},
                 {"pgs", "PGS"}};
    const char *cname = s->codec;

    for (size_t i = 0; i < COUNT(names); i++)
        if (strcmp(names[i].codec, s->codec) == 0)
            cname = names[i].name;
    if (s->stream_type == 1) {
        snprintf(s->display, sizeof(s->display), "%s (%s%s)",
                 s->width >= 3000   ? "4K"
                 : s->width >= 1900 ? "1080p"
                 : s->width >= 1200 ? "720p"
                                    : "SD",
                 cname, s->color ? " HDR10" : "");
        snprintf(s->extended, sizeof(s->extended), "%s", s->display);
    } else if (s->stream_type == 2) {
        const char *layout = s->channels >= 8   ? "7.1"
                             : s->channels >= 6 ? "5.1"
                             : s->channels == 1 ? "Mono"
                                                : "Stereo";
        snprintf(s->display, sizeof(s->display), "%s (%s %s)", s->language, cname, layout);
        snprintf(s->extended, sizeof(s->extended), "%s%s%s", s->title ? s->title : "",
                 s->title ? " (" : "", s->display);
        if (s->title)
            snprintf(s->extended + strlen(s->extended), sizeof(s->extended) - strlen(s->extended),
                     ")");
    } else {
        snprintf(s->display, sizeof(s->display), "%s%s (%s%s)", s->language,
                 s->forced ? " Forced" : "", cname, s->sidecar ? " External" : "");
        snprintf(s->extended, sizeof(s->extended), "%s", s->display);
    }
}

static pms_stream *new_stream(pms_media *m, int type, const char *codec)
{
    pms_stream *s;

    if (m->nstreams >= PMS_MAX_STREAMS)
        return NULL;
    s = &m->streams[m->nstreams];
    memset(s, 0, sizeof(*s));
    s->id = m->part_id * 16 + m->nstreams;
    s->stream_type = type;
    s->codec = codec;
    s->index = m->nstreams;
    m->nstreams++;
    return s;
}

static void video_media(pms_media *m, rng *r, int quality, int64_t duration, int is_movie)
{
    static const char *const audio_codecs[] = {"ac3", "dca", "eac3", "aac"};
    int wide = is_movie && below(r, 2);
    pms_stream *s;

    m->duration = duration;
    switch (quality) {
    case 4: /* 4K HDR */
        m->video_codec = "hevc";
        m->video_profile = "main 10";
        m->width = 3840;
        m->height = wide ? 1600 : 2160;
        m->bitrate = (int)between(r, 40000, 70000);
        m->audio_codec = below(r, 2) ? "truehd" : "eac3";
        m->audio_channels = strcmp(m->audio_codec, "truehd") == 0 ? 8 : 6;
        m->container = "mkv";
        m->resolution = "4k";
        m->hdr = 1;
        break;
    case 2:
        m->video_codec = "h264";
        m->video_profile = "high";
        m->width = 1280;
        m->height = wide ? 534 : 720;
        m->bitrate = (int)between(r, 2500, 5000);
        m->audio_codec = below(r, 2) ? "aac" : "ac3";
        m->audio_channels = strcmp(m->audio_codec, "aac") == 0 ? 2 : 6;
        m->container = below(r, 2) ? "mp4" : "mkv";
        m->resolution = "720";
        break;
    case 1:
        m->video_codec = below(r, 2) ? "mpeg4" : "h264";
        m->video_profile = strcmp(m->video_codec, "h264") == 0 ? "main" : "advanced simple";
        m->width = 720;
        m->height = wide ? 304 : 480;
        m->bitrate = (int)between(r, 1000, 2000);
        m->audio_codec = below(r, 2) ? "mp3" : "aac";
        m->audio_channels = 2;
        m->container = strcmp(m->video_codec, "mpeg4") == 0 ? "avi" : "mp4";
        m->resolution = "sd";
        break;
    default: /* 1080p */
        m->video_codec = "h264";
        m->video_profile = "high";
        m->width = 1920;
        m->height = wide ? 800 : 1080;
        m->bitrate = (int)between(r, 6000, 14000);
        m->audio_codec = PICK(r, audio_codecs);
        m->audio_channels = strcmp(m->audio_codec, "aac") == 0 ? 2 : 6;
        m->container = below(r, 3) ? "mkv" : "mp4";
        m->resolution = "1080";
        break;
    }
    m->aspect_ratio = wide ? 2.35 : (m->width == 720 ? 1.33 : 1.78);
    m->frame_rate = below(r, 12) ? "24p" : below(r, 2) ? "NTSC" : "PAL";
    m->ext = m->container;
    m->optimized = strcmp(m->container, "mp4") == 0 ? (int)below(r, 2) : 0;
    m->has64bit = strcmp(m->container, "mp4") == 0 && m->bitrate > 20000;
    m->size = (int64_t)m->bitrate * 125 * (duration / 1000) + between(r, 0, 999999);
    m->indexes = below(r, 3) != 0;

    s = new_stream(m, 1, m->video_codec);
    s->is_default = 1;
    s->bitrate = m->bitrate - 640;
    s->width = m->width;
    s->height = m->height;
    s->frame_rate = strcmp(m->frame_rate, "PAL") == 0    ? 25.0
                    : strcmp(m->frame_rate, "NTSC") == 0 ? 29.97
                                                         : 23.976;
    s->profile = m->video_profile;
    s->level = quality == 4 ? 150 : 41;
    s->bit_depth = quality == 4 ? 10 : 8;
    if (quality == 4) {
        s->color = "bt2020";
        s->dovi = below(r, 3) == 0;
    }
    s->language = "English";
    s->language_code = "eng";
    s->language_tag = "en";
    stream_titles(s);

    /* audio: the original language first (the default), then dubs */
    for (long a = 0, na = is_movie ? between(r, 1, 3) : 1; a < na; a++) {
        long l = a == 0 ? (below(r, 8) ? 0 : 3) : between(r, 1, 4);
        s = new_stream(m, 2, a == 0 ? m->audio_codec : "aac");
        s->channels = a == 0 ? m->audio_channels : 2;
        s->sampling_rate = 48000;
        s->bitrate = a == 0 ? (s->channels >= 6 ? 640 : 192) : 160;
        s->layout = s->channels >= 8 ? "7.1" : s->channels >= 6 ? "5.1(side)" : "stereo";
        s->language = audio_languages[l][0];
        s->language_code = audio_languages[l][1];
        s->language_tag = audio_languages[l][2];
        s->is_default = a == 0;
        s->selected = a == 0;
        if (a == 1 && below(r, 2))
            s->title = "Commentary";
        stream_titles(s);
    }
    /* subtitles: a sidecar .srt, embedded ones */
    for (long n = below(r, 4), j = 0; j < n; j++) {
        long l = j == 0 ? 0 : between(r, 1, 4);
        int sidecar = j == 0 && below(r, 2);
        s = new_stream(m, 3, sidecar ? "srt" : j == 2 ? "pgs" : below(r, 2) ? "srt" : "ass");
        s->sidecar = sidecar;
        if (sidecar)
            s->index = -1;
        s->language = audio_languages[l][0];
        s->language_code = audio_languages[l][1];
        s->language_tag = audio_languages[l][2];
        s->forced = j == 1 && below(r, 3) == 0;
        s->hearing_impaired = j == 0 && below(r, 5) == 0;
        stream_titles(s);
    }
}

static void safe_name(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in && o + 1 < size; in++)
        out[o++] = (char)(*in == '/' ? '-' : *in);
    out[o] = '\0';
}

int pms_media_get(pms_state *p, const pms_item *it, int mi, pms_media *m)
{
    rng r = rng_for(p->lib->seed, it->kind, it->index, SALT_MEDIA);
    char a[160] = "", b[160] = "", t[160] = "";
    int quality;

    if (mi < 0 || mi >= it->nmedia)
        return -1;
    memset(m, 0, sizeof(*m));
    m->id = it->rating_key * 4 + mi;
    m->part_id = m->id * 4;
    safe_name(it->title, t, sizeof(t));
    switch (it->kind) {
    case PMS_K_MOVIE: {
        long q = below(&r, 10);
        quality = it->nmedia == 2 ? (mi == 0 ? 4 : 3) : q == 1 ? 4 : q < 4 ? 2 : q == 4 ? 1 : 3;
        if (mi == 1) /* the second version draws on after the first's choices */
            (void)next(&r);
        video_media(m, &r, quality, it->duration, 1);
        snprintf(m->file, sizeof(m->file), "/data/Movies/%s (%d)/%s (%d)%s.%s", t, it->year, t,
                 it->year, quality == 4 ? " - 2160p" : "", m->ext);
        break;
    }
    case PMS_K_EPISODE:
    case PMS_K_CLIP: {
        video_media(m, &r, below(&r, 3) ? 3 : 2, it->duration, 0);
        if (it->kind == PMS_K_CLIP) {
            pms_item_title(p, it->parent_key, a, sizeof(a));
            safe_name(a, b, sizeof(b));
            snprintf(m->file, sizeof(m->file), "/data/Movies/%s/Trailers/%s.%s", b, t, m->ext);
        } else {
            long si = 0;
            int sn;
            pms_item_title(p, it->grandparent_key, a, sizeof(a));
            safe_name(a, b, sizeof(b));
            pms_key_kind(p, it->parent_key, &si);
            sn = p->lib->season_number[si];
            snprintf(m->file, sizeof(m->file),
                     "/data/TV Shows/%s/Season %02d/%s - s%02de%02d - %s.%s", b, sn, b, sn,
                     it->child_index, t, m->ext);
        }
        break;
    }
    case PMS_K_TRACK: {
        long c = below(&r, 3);
        pms_stream *s;
        m->duration = it->duration;
        m->audio_codec = c == 0 ? "flac" : c == 1 ? "mp3" : "aac";
        m->container = c == 0 ? "flac" : c == 1 ? "mp3" : "mp4";
        m->ext = c == 0 ? "flac" : c == 1 ? "mp3" : "m4a";
        m->bitrate = c == 0 ? (int)between(&r, 700, 1100) : c == 1 ? 320 : 256;
        m->audio_channels = 2;
        m->size = (int64_t)m->bitrate * 125 * (it->duration / 1000) + between(&r, 0, 9999);
        s = new_stream(m, 2, m->audio_codec);
        s->channels = 2;
        s->sampling_rate = c == 0 ? 44100 : 48000;
        s->bit_depth = c == 0 ? 16 : 0;
        s->bitrate = m->bitrate;
        s->layout = "stereo";
        s->is_default = 1;
        s->selected = 1;
        s->language = "English";
        s->language_code = "eng";
        s->language_tag = "en";
        stream_titles(s);
        pms_item_title(p, it->grandparent_key, a, sizeof(a));
        pms_item_title(p, it->parent_key, b, sizeof(b));
        {
            char sa[160], sb[160];
            safe_name(a, sa, sizeof(sa));
            safe_name(b, sb, sizeof(sb));
            snprintf(m->file, sizeof(m->file), "/data/Music/%s/%s/%02d - %s.%s", sa, sb,
                     it->child_index, t, m->ext);
        }
        break;
    }
    case PMS_K_PHOTO: {
        int portrait = below(&r, 4) == 0;
        m->width = portrait ? 3024 : 4032;
        m->height = portrait ? 4032 : 3024;
        m->aspect_ratio = portrait ? 0.75 : 1.33;
        m->container = "jpeg";
        m->ext = "jpg";
        m->size = between(&r, 1500000, 6000000);
        pms_item_title(p, it->parent_key, a, sizeof(a));
        safe_name(a, b, sizeof(b));
        snprintf(m->file, sizeof(m->file), "/data/Photos/%s/%s.jpg", b, t);
        break;
    }
    default:
        return -1;
    }
    snprintf(m->part_key, sizeof(m->part_key), "/library/parts/%lld/%lld/file.%s",
             (long long)m->part_id, (long long)it->updated_at, m->ext);
    pms_apply_stream_choice(p, it->rating_key, mi, m);
    return 0;
}

int pms_part_find(pms_state *p, int64_t part_id, pms_item *it, pms_media *media)
{
    int64_t media_id, rk;

    if (part_id <= 0 || part_id % 4 != 0)
        return -1;
    media_id = part_id / 4;
    rk = media_id / 4;
    if (pms_item_get(p, rk, it) != 0)
        return -1;
    return pms_media_get(p, it, (int)(media_id % 4), media);
}

int pms_stream_find(pms_state *p, int64_t stream_id, pms_item *it, pms_media *media,
                    const pms_stream **stream)
{
    int n;

    if (stream_id <= 0 || pms_part_find(p, stream_id / 16, it, media) != 0)
        return -1;
    n = (int)(stream_id % 16);
    if (n >= media->nstreams)
        return -1;
    *stream = &media->streams[n];
    return 0;
}

/* ---- part content ---- */

static const unsigned char magic_mkv[] = {0x1A, 0x45, 0xDF, 0xA3};
static const unsigned char magic_mp4[] = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
static const unsigned char magic_avi[] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'A', 'V', 'I', ' '};
static const unsigned char magic_flac[] = {'f', 'L', 'a', 'C'};
static const unsigned char magic_mp3[] = {'I', 'D', '3', 4, 0};
static const unsigned char magic_jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0};

size_t pms_part_magic(const char *container, const unsigned char **magic)
{
    static const struct {
        const char *name;
        const unsigned char *bytes;
        size_t len;
    } table[] = {{"mkv", magic_mkv, sizeof(magic_mkv)}, {"mp4", magic_mp4, sizeof(magic_mp4)},
                 {"avi", magic_avi, sizeof(magic_avi)}, {"flac", magic_flac, sizeof(magic_flac)},
                 {"mp3", magic_mp3, sizeof(magic_mp3)}, {"jpeg", magic_jpeg, sizeof(magic_jpeg)}};

    for (size_t i = 0; container && i < COUNT(table); i++)
        if (strcmp(table[i].name, container) == 0) {
            *magic = table[i].bytes;
            return table[i].len;
        }
    *magic = NULL;
    return 0;
}

void pms_part_bytes(uint64_t seed, int64_t part_id, const char *container, uint64_t pos,
                    unsigned char *buf, size_t n)
{
    const unsigned char *magic;
    size_t mlen = pms_part_magic(container, &magic);
    uint64_t base = seed * 0x9E3779B97F4A7C15ull + (uint64_t)part_id * 0xBF58476D1CE4E5B9ull;
    size_t i = 0;

    while (i < n) {
        uint64_t at = pos + i, block = at / 8;
        uint64_t v = mix64(base + block);
        unsigned off = (unsigned)(at % 8);
        for (; off < 8 && i < n; off++, i++)
            buf[i] = (unsigned char)(v >> (8 * off));
    }
    for (uint64_t at = pos; at < mlen && at < pos + n; at++)
        buf[at - pos] = magic[at];
}

/*
 * plexsim's emulated Plex Media Server (../shared/PMS.md): the internal API
 * its route groups share.
 *
 *   pms.c      state, the route table, dispatch (auth, paging, errors)
 *   library.c  the library, generated from (seed, index) on demand
 *   overlay.c  what changed since start: watch state, ratings, edits, tags,
 *              collections, refreshes, preferences (sparse, by ratingKey)
 *   render.c   items and containers through the library's own models
 *              (plex__model_write / plex__model_write_xml), streamed listings
 *   query.c    media queries: filters, sorts, paging of listings
 *   system.c, browse.c, hubs.c, media.c: the route groups
 *
 * Everything here runs with st->lock held (the dispatcher takes it), except
 * a streamed body, which takes it itself while it renders.
 *
 * How to add a route group: docs/plexsim.md, "How to add a PMS route group".
 */
#ifndef PLEX_SIM_PMS_H
#define PLEX_SIM_PMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/model.h"
#include "plex/pms/models.h"
#include "sim.h"

/* ---- the library (library.c) ---- */

/* Metadata type numbers (PMS.md §3.2). */
enum {
    PMS_T_MOVIE = 1,
    PMS_T_SHOW = 2,
    PMS_T_SEASON = 3,
    PMS_T_EPISODE = 4,
    PMS_T_ARTIST = 8,
    PMS_T_ALBUM = 9,
    PMS_T_TRACK = 10,
    PMS_T_CLIP = 12,
    PMS_T_PHOTO = 13,
    PMS_T_PHOTOALBUM = 14,
    PMS_T_PLAYLIST = 15,
    PMS_T_COLLECTION = 18
};

/* The sections (fixed keys) and their item types. */
enum {
    PMS_SEC_MOVIES = 1,
    PMS_SEC_TV = 2,
    PMS_SEC_MUSIC = 3,
    PMS_SEC_PHOTOS = 4,
    PMS_NSECTIONS = 4
};

/* What generated items there are; each kind is one range of ratingKeys. */
typedef enum pms_kind {
    PMS_K_MOVIE,
    PMS_K_SHOW,
    PMS_K_SEASON,
    PMS_K_EPISODE,
    PMS_K_ARTIST,
    PMS_K_ALBUM,
    PMS_K_TRACK,
    PMS_K_PHOTOALBUM,
    PMS_K_PHOTO,
    PMS_K_CLIP, /* a movie's trailer (an extra: in no listing) */
    PMS_K_COUNT
} pms_kind;

/* The tag kinds an item carries (Genre, Country...). */
typedef enum pms_tag_kind {
    PMS_TAG_GENRE,
    PMS_TAG_COUNTRY,
    PMS_TAG_DIRECTOR,
    PMS_TAG_WRITER,
    PMS_TAG_PRODUCER,
    PMS_TAG_ROLE,
    PMS_TAG_LABEL,
    PMS_TAG_MOOD,
    PMS_TAG_STYLE,
    PMS_TAG_COLLECTION,
    PMS_TAG_KINDS
} pms_tag_kind;

/* The wire facts of a tag kind. */
typedef struct pms_tag_info {
    const char *element; /* "Genre" */
    const char *filter;  /* the query field: "genre", "actor" */
    const char *title;   /* "Genre", "Actor" */
    int tag_type;        /* PMS.md §2.5: genre 1, director 4, role 6... */
} pms_tag_info;

const pms_tag_info *pms_tag_kind_info(pms_tag_kind k);
/* The tag kind of a query field ("genre", "actor"...) or an edit prefix
 * ("genre[0].tag.tag"); -1 if none. */
int pms_tag_kind_of(const char *field, size_t len);

#define PMS_MAX_TAGS 12 /* per kind, per item */

typedef struct pms_tag {
    int64_t id;
    const char *tag;  /* the name */
    const char *role; /* Role: the character */
} pms_tag;

/* One generated item with the overlay applied: everything a rendering,
 * a filter or a sort needs, without the Media (pms_media_get). Strings
 * point into the item's own buffers, static tables or the overlay (valid
 * while st->lock is held and the overlay is not changed). */
typedef struct pms_item {
    int64_t rating_key;
    pms_kind kind;
    long index; /* within its kind */
    int type;   /* PMS_T_* */
    int section;
    int64_t parent_key, grandparent_key; /* 0: none */
    int child_index; /* index among its siblings (season, episode, track, disc...) */
    const char *title, *title_sort, *original_title, *summary, *tagline, *studio;
    const char *content_rating;
    int year;
    char available[11]; /* originallyAvailableAt "YYYY-MM-DD", or "" */
    int64_t duration;   /* ms; 0 for containers */
    int64_t added_at, updated_at;
    double rating, audience_rating; /* < 0: absent */
    const char *rating_image, *audience_rating_image;
    char guid[64]; /* plex://movie/<24 hex> */
    char slug[160];
    int leaf_count, child_count; /* containers */
    int nmedia;                  /* Media versions (0 for containers) */
    pms_tag tags[PMS_TAG_KINDS][PMS_MAX_TAGS];
    int ntags[PMS_TAG_KINDS];
    uint32_t locked;     /* PMS_F_* bits of fields the user locked */
    uint32_t tag_locked; /* 1 << pms_tag_kind: tag fields the user locked */
    /* state (overlay) */
    int view_count, skip_count; /* 0: absent */
    int64_t view_offset, last_viewed_at, last_rated_at;
    double user_rating; /* < 0: absent */
    /* containers: viewed leaves (filled by pms_item_get with the overlay) */
    int viewed_leaf_count;
    char buf_title[160], buf_sort[160], buf_summary[640], buf_tagline[160];
    char buf_original[160];
} pms_item;

/* Fields of an item the user can edit and lock (PMS.md §4.10). */
typedef enum pms_field {
    PMS_F_TITLE,
    PMS_F_TITLE_SORT,
    PMS_F_ORIGINAL_TITLE,
    PMS_F_SUMMARY,
    PMS_F_TAGLINE,
    PMS_F_STUDIO,
    PMS_F_CONTENT_RATING,
    PMS_F_AVAILABLE, /* originallyAvailableAt */
    PMS_F_YEAR,
    PMS_F_INDEX,
    PMS_F_THUMB,
    PMS_F_ART,
    PMS_F_COUNT
} pms_field;
/* The wire name of an editable field ("titleSort"), and back (-1: none). */
const char *pms_field_name(pms_field f);
int pms_field_of(const char *name, size_t len);

typedef struct pms_library pms_library;

/* The kind of a ratingKey and its index within the kind; -1 if none. */
int pms_key_kind(const pms_state *p, int64_t rk, long *index);
/* The ratingKey of the index-th item of a kind. */
int64_t pms_key_of(const pms_state *p, pms_kind kind, long index);
/* How many items of a kind there are. */
long pms_kind_count(const pms_state *p, pms_kind kind);
/* The item type of a kind (PMS_T_*), its section, its type name ("movie"). */
int pms_kind_type(pms_kind kind);
int pms_kind_section(pms_kind kind);
const char *pms_type_name(int type);
/* The type number of a name ("movie" -> 1); 0 if none. */
int pms_type_of(const char *name);
/* Fill *it with the item of ratingKey rk (overlay applied). 0, or -1 when
 * there is no such item. */
int pms_item_get(pms_state *p, int64_t rk, pms_item *it);
/* Just the title of an item (overlay applied), into buf; NULL if none. */
const char *pms_item_title(pms_state *p, int64_t rk, char *buf, size_t size);
/* The children of a container (seasons of a show, episodes of a season,
 * albums, tracks, photos): [*first, *first + *n) of the child kind. 0, or
 * -1 if rk has no children of its own (a leaf). */
int pms_children(const pms_state *p, int64_t rk, pms_kind *kind, long *first, long *n);
/* The leaves under a container (episodes of a show...), or the item itself. */
int pms_leaves(const pms_state *p, int64_t rk, pms_kind *kind, long *first, long *n);

/* One version (Media) of a playable item, its Part and its Streams. */
#define PMS_MAX_STREAMS 8
#define PMS_MAX_MEDIA 2 /* Media per item (a 4K and a 1080p version) */

typedef struct pms_stream {
    int64_t id;
    int stream_type; /* 1 video, 2 audio, 3 subtitle */
    const char *codec, *language, *language_code, *language_tag, *title;
    int is_default, selected, forced, hearing_impaired, sidecar;
    int index; /* in the file; -1 for a sidecar */
    int bitrate, channels, sampling_rate, bit_depth, width, height, level;
    double frame_rate;
    const char *profile, *layout, *color; /* color: "bt2020" for HDR, or NULL */
    int dovi;
    char display[96], extended[128];
} pms_stream;

typedef struct pms_media {
    int64_t id, part_id;
    int64_t duration; /* ms */
    int bitrate;      /* kbps */
    int width, height, audio_channels;
    double aspect_ratio;
    const char *video_codec, *audio_codec, *container, *resolution, *frame_rate;
    const char *video_profile, *audio_profile, *ext; /* ext: the file extension */
    int optimized, has64bit, hdr;
    int64_t size;      /* the Part's bytes */
    char file[1024];   /* the Part's path on the server's disk */
    char part_key[96]; /* /library/parts/{id}/{changestamp}/file.ext */
    int indexes;       /* preview thumbnails exist */
    pms_stream streams[PMS_MAX_STREAMS];
    int nstreams;
    int no_subtitles; /* the user chose none: not even a forced one */
} pms_media;

/* Media m (0-based) of an item; 0 or -1 if it has none. */
int pms_media_get(pms_state *p, const pms_item *it, int mi, pms_media *m);
/* The user's stream choice for media mi of an item (audio > 0: that
 * stream; subtitle > 0 that stream, -1 none; 0 as generated). 0, or -1 (no
 * such item or media, out of memory). */
int pms_choose_streams(pms_state *p, int64_t rk, int mi, int64_t audio, int64_t subtitle);
/* Mark m's streams selected as the user chose (pms_media_get does). */
void pms_apply_stream_choice(const pms_state *p, int64_t rk, int mi, pms_media *m);
/* The item, media index of a part id; 0 or -1. */
int pms_part_find(pms_state *p, int64_t part_id, pms_item *it, pms_media *media);
/* The item, media and stream of a stream id; 0 or -1. */
int pms_stream_find(pms_state *p, int64_t stream_id, pms_item *it, pms_media *media,
                    const pms_stream **stream);
/* The first bytes of a part's content: the container's magic number. */
size_t pms_part_magic(const char *container, const unsigned char **magic);
/* Bytes [pos, pos + n) of a part's content (deterministic, docs/plexsim.md). */
void pms_part_bytes(uint64_t seed, int64_t part_id, const char *container, uint64_t pos,
                    unsigned char *buf, size_t n);

/* The generated tag tables: name and id of entry i of a kind in a section (0:
 * every section); NULL past the end. */
const char *pms_tag_table(pms_tag_kind k, int section, size_t i, int64_t *id);
/* The id of a generated tag by name, or 0. */
int64_t pms_tag_table_id(pms_tag_kind k, const char *name);

/* ---- state and the overlay (overlay.c) ---- */

/* Per-item state: what changed since start. Every rendering reads it. */
typedef struct pms_edit {
    int field;   /* pms_field */
    char *value; /* NULL: only the lock changed */
} pms_edit;

typedef struct pms_tag_edit {
    int kind;  /* pms_tag_kind */
    int added; /* 1 added, 0 removed */
    int64_t id;
    char *name;
} pms_tag_edit;

typedef struct pms_overlay {
    int64_t rating_key;
    int view_count, skip_count;
    int64_t view_offset, last_viewed_at, last_rated_at;
    double user_rating; /* < 0: none */
    int64_t updated_at; /* an edit or a refresh: > 0 replaces the generated updatedAt */
    int64_t refreshed_at;
    uint32_t locked, tag_locked;
    pms_edit *edits;
    size_t nedits;
    pms_tag_edit *tags;
    size_t ntags;
    /* the user's streams per media (PUT /library/parts/{id}): an audio
     * stream id, a subtitle one or -1 for none; 0 keeps the generated choice */
    int64_t audio_choice[PMS_MAX_MEDIA], subtitle_choice[PMS_MAX_MEDIA];
} pms_overlay;

/* The overlay of an item, or NULL if nothing changed. */
const pms_overlay *pms_overlay_find(const pms_state *p, int64_t rk);
/* The overlay of an item, made if needed; NULL if rk is no item or out of memory. */
pms_overlay *pms_overlay_get(pms_state *p, int64_t rk);
/* How many items have an overlay. */
size_t pms_overlay_count(const pms_state *p);
/* Every overlay, in no particular order: call fn until it returns nonzero. */
void pms_overlay_each(const pms_state *p, int (*fn)(void *user, const pms_overlay *o), void *user);

/* The clock of state changes: the wall clock, or a fixed time (tests). */
int64_t pms_now(const pms_state *p);
void pms_set_clock(pms_state *p, int64_t fixed); /* 0: the wall clock again */

/* Watch state. A container (show, season, artist, album, photo album)
 * applies to every leaf under it. 0, or -1 (no such item, out of memory). */
int pms_mark_watched(pms_state *p, int64_t rk);   /* viewCount+1, lastViewedAt, no viewOffset */
int pms_mark_unwatched(pms_state *p, int64_t rk); /* no viewCount, viewOffset, lastViewedAt */
/* Progress of a leaf: viewOffset ms (0 clears it), lastViewedAt now. */
int pms_set_view_offset(pms_state *p, int64_t rk, int64_t offset_ms);
/* userRating 0..10, or < 0 to clear; lastRatedAt now. */
int pms_set_rating(pms_state *p, int64_t rk, double rating);
/* Edit a field: value (NULL: keep it) and lock (1 lock, 0 unlock, -1 keep). */
int pms_edit_field(pms_state *p, int64_t rk, pms_field f, const char *value, int lock);
/* Add or remove a tag by name; lock the tag field (1, 0, or -1 keep). */
int pms_edit_tag(pms_state *p, int64_t rk, pms_tag_kind k, const char *name, int add, int lock);
/* Record a refresh of a section (rk 0) or an item: returns at once; the item's
 * updatedAt (a section's scannedAt) moves to now; the refresh log keeps it. */
int pms_note_refresh(pms_state *p, int section, int64_t rk);

/* A refresh asked for (the events group turns them into activities). */
typedef struct pms_refresh {
    uint64_t seq;       /* 1, 2, 3... */
    int section;        /* the section refreshed, or the item's */
    int64_t rating_key; /* 0: the whole section */
    int64_t at;
    int cancel; /* DELETE .../refresh */
} pms_refresh;
/* The refreshes with seq > after, oldest first, at most cap into out
 * (the log keeps the last PMS_MAX_REFRESHES). Returns how many. */
size_t pms_refreshes(const pms_state *p, uint64_t after, pms_refresh *out, size_t cap);
#define PMS_MAX_REFRESHES 256
/* A section's scannedAt (the last refresh, or the generated time). */
int64_t pms_section_scanned_at(const pms_state *p, int section);

/* Collections (the collections group fills them; browsing lists them). */
typedef struct pms_collection {
    int64_t rating_key;
    int section;
    int subtype; /* the item type it collects: PMS_T_MOVIE... */
    char *title;
    int smart;
    char *uri; /* smart: the section query */
    int64_t added_at, updated_at;
    int64_t *items;
    size_t nitems, cap;
} pms_collection;

size_t pms_collection_count(const pms_state *p);
const pms_collection *pms_collection_at(const pms_state *p, size_t i);
pms_collection *pms_collection_find(pms_state *p, int64_t rk);
/* A new collection of items of `subtype` in a section (its ratingKey from
 * pms_new_rating_key). NULL when out of memory. */
pms_collection *pms_collection_new(pms_state *p, int section, int subtype, const char *title,
                                   int smart);
int pms_collection_add(pms_state *p, pms_collection *c, int64_t rk);    /* 0 or -1 */
int pms_collection_remove(pms_state *p, pms_collection *c, int64_t rk); /* 0, or -1 not in it */
void pms_collection_delete(pms_state *p, int64_t rk);
/* 1 if rk is in collection c. */
int pms_collection_has(const pms_collection *c, int64_t rk);

/* A ratingKey for something made at run time (collections, playlists,
 * play queues): after every generated item, never reused. */
int64_t pms_new_rating_key(pms_state *p);

/* Bump after any state change: listings cached by query are recomputed. */
void pms_changed(pms_state *p);

/* Preferences (/:/prefs). */
typedef struct pms_pref_info {
    const char *id, *label, *summary, *type, *def, *group, *enum_values;
    int hidden, advanced;
} pms_pref_info;
size_t pms_pref_count(void);
const pms_pref_info *pms_pref_at(size_t i);
/* The pref of an id, or -1. */
int pms_pref_find(const char *id);
/* The current value of pref i (text; bools "true"/"false"). */
const char *pms_pref_value(const pms_state *p, size_t i);
/* Check a value for pref i: 0 with the normalised text in out, or -1. */
int pms_pref_check(size_t i, const char *value, char *out, size_t size);
int pms_pref_set(pms_state *p, size_t i, const char *normalised); /* 0 or -1 */

/* Clients seen on the media server (/devices): identifier, product, platform. */
void pms_device_seen(pms_state *p, const char *client_id, const char *product, const char *platform,
                     const char *device);
typedef struct pms_device_seen {
    char id[96], product[64], platform[32], name[64];
    int64_t first_seen, last_seen;
} pms_device_seen_t;
size_t pms_device_count(const pms_state *p);
const pms_device_seen_t *pms_device_at(const pms_state *p, size_t i);

/* ---- requests (pms.c) ---- */

/* One request being answered. Handlers read it and answer through the
 * pms_reply_* / pms_error functions. */
typedef struct pms_ctx {
    sim_state *st;
    pms_state *p;
    const sim_request *rq;
    sim_response *rs;
    int json;
    const char *arg[4]; /* the path's {placeholders}, in order */
    size_t nargs;
    plex__arena *arena; /* scratch memory for this request */
    /* paging asked for (X-Plex-Container-Start / -Size, header or query) */
    int paged;
    int64_t start, size; /* size < 0: no limit */
    char argbuf[512];
} pms_ctx;

/* A handler: answer c->rs. */
typedef void (*pms_handler)(pms_ctx *c);

enum {
    PMS_ROUTE_OPEN = 1u /* no token needed (/identity) */
};

/* One route: METHOD and a path pattern whose {name} segments match any one
 * segment (handed to the handler as c->arg[]). Its name in the stats and in
 * --fault is "METHOD PATTERN". */
typedef struct pms_route {
    const char *method;
    const char *path;
    pms_handler handle;
    unsigned int flags;
} pms_route;

/* A group of routes: one file, one line in pms.c's table of groups. A group
 * that keeps state of its own hangs it on a pointer member of pms_state and
 * gives the hooks (any may be NULL): init at start (0, or -1: plexsim does
 * not start), reset on /__sim/reset, dispose at exit (also after a failed
 * init: NULL state is fine). init and reset run with st->lock held, in
 * table order; dispose runs at exit, in reverse order. */
typedef struct pms_group {
    const char *name;
    const pms_route *routes;
    size_t count;
    int (*init)(sim_state *st, pms_state *p);
    void (*reset)(pms_state *p);
    void (*dispose)(pms_state *p);
} pms_group;

/* clang-format off */
#define PMS_GROUP(name, table) \
    {name, table, sizeof(table) / sizeof((table)[0]), NULL, NULL, NULL}
#define PMS_GROUP_STATE(name, table, init, reset, dispose) \
    {name, table, sizeof(table) / sizeof((table)[0]), init, reset, dispose}
/* clang-format on */

extern const pms_group pms_group_server;  /* system.c */
extern const pms_group pms_group_library; /* browse.c */
extern const pms_group pms_group_hubs;    /* hubs.c */
extern const pms_group pms_group_media;   /* media.c */

/* Routes of every group, flattened: the media server's route ids follow
 * SIM_R_COUNT in this order. */
size_t pms_route_count(void);
const char *pms_route_name(size_t i);

/* A query argument (decoded) or header, as X-Plex-* values come either way;
 * NULL if absent. */
const char *pms_arg(const pms_ctx *c, const char *name);
/* 1 if the argument is "1" or "true". */
int pms_flag(const pms_ctx *c, const char *name);
/* An integer argument: 0 (absent: *out = def), or -1 after answering 400. */
int pms_int_arg(pms_ctx *c, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out);
/* Parse a whole decimal integer (optional '-'); 0 or -1. */
int pms_parse_int(const char *s, int64_t *out);
/* The ratingKey in c->arg[i]; -1 (after answering 404) if it is no item. */
int64_t pms_arg_item(pms_ctx *c, size_t i, pms_item *it);

/* Answer with a PMS error page (text/html, as PMS.md §6.1). */
void pms_error(pms_ctx *c, int status);
/* Answer 200 with no body (what writes return), or `status`. */
void pms_reply_empty(pms_ctx *c, int status);

/* ---- rendering (render.c) ---- */

/* What a rendering includes. */
enum {
    PMS_R_FULL = 1u << 0,       /* /library/metadata/{id}: every tag, Stream, Guid, Rating */
    PMS_R_GUIDS = 1u << 1,      /* includeGuids=1 on a list */
    PMS_R_CHAPTERS = 1u << 2,   /* includeChapters=1 */
    PMS_R_MARKERS = 1u << 3,    /* includeMarkers=1 */
    PMS_R_EXTRAS = 1u << 4,     /* includeExtras=1 */
    PMS_R_ONDECK = 1u << 5,     /* includeOnDeck=1 */
    PMS_R_RELATED = 1u << 6,    /* includeRelated=1 */
    PMS_R_REVIEWS = 1u << 7,    /* includeReviews=1 */
    PMS_R_CHECKFILES = 1u << 8, /* checkFiles=1 */
    PMS_R_SECTION = 1u << 9     /* items carry librarySectionID/Title/Key (lists across sections) */
};

/* The include* flags of a request (PMS_R_*). */
unsigned int pms_render_flags(const pms_ctx *c);

/* An item as the metadata model, allocated in arena a (NULL: out of memory). */
plex_metadata *pms_render_item(pms_state *p, plex__arena *a, const pms_item *it,
                               unsigned int flags);
/* A collection as the metadata model. */
plex_metadata *pms_render_collection(pms_state *p, plex__arena *a, const pms_collection *col);
/* The item of rk rendered (a generated item or a collection); NULL if none. */
plex_metadata *pms_render_key(pms_state *p, plex__arena *a, int64_t rk, unsigned int flags);

/* The XML element of an item by its type: Video, Directory, Track, Photo, Playlist. */
const char *pms_element_of(const plex_metadata *m);

/* A document being written: XML or JSON, one MediaContainer. */
typedef struct pms_doc {
    plex__buf *b;
    plex__json_writer w;
    int json;
    const char *array; /* JSON: the array open now ("Metadata"), or NULL */
    int hub_open;
} pms_doc;

/* Start the document: the container's attributes and the children of c
 * other than items, directories and hubs (Meta, Setting, ...), which follow
 * with the calls below. */
void pms_doc_open(pms_doc *d, plex__buf *b, int json, const plex_container *c);
void pms_doc_item(pms_doc *d, const plex_metadata *m);
void pms_doc_directory(pms_doc *d, const plex_directory *dir);
/* A hub with its items and tag hits (items by kind in XML). */
void pms_doc_hub(pms_doc *d, const plex_hub *h);
/* Any other child element of the container (name: JSON array and XML element). */
void pms_doc_child(pms_doc *d, const char *name, const plex__schema *s, const void *obj);
void pms_doc_close(pms_doc *d);

/* A new container in the arena with the usual attributes (size set by the
 * reply), or NULL. */
plex_container *pms_container(pms_ctx *c);
/* Mark a field of a model present (for numbers and booleans). */
#define PMS_SET(obj, bit) ((obj)->present[(unsigned)(bit) / 32] |= 1u << ((unsigned)(bit) % 32))

/* Answer 200 with the bytes of b (taken; 500 if b failed), as `type` (NULL:
 * the document's JSON or XML). */
void pms_reply_body(pms_ctx *c, plex__buf *b, const char *type);
/* The same with a malloc'd body (taken; NULL: 500). */
void pms_reply_bytes(pms_ctx *c, char *body, size_t len, const char *type);

/* Answer 200 with a whole container (items, directories, hubs inside it). */
void pms_reply_container(pms_ctx *c, plex_container *mc);

/* Answer with a listing of items by ratingKey (keys malloc'd: taken, freed
 * here), paged by the request (and by limit, < 0 none), rendered item by
 * item: a large answer is streamed, never held whole. head: the container's
 * own attributes (size, totalSize, offset are set here); dirs: directories
 * written before the items (or NULL). */
void pms_reply_list(pms_ctx *c, plex_container *head, const plex_directory *const *dirs,
                    size_t ndirs, int64_t *keys, size_t n, int64_t limit, unsigned int flags);

/* The four corner colours of an item's artwork (UltraBlurColors), which its
 * generated images are painted with. */
void pms_item_colors(int64_t rk, uint64_t seed, unsigned char rgb[4][3]);

/* ---- lists the groups share (browse.c) ---- */

/* The sections as Directory elements (/library/sections, /media/providers). */
int pms_section_directories(pms_ctx *c, const plex_directory *const **out);
/* 1 if section s was deleted (its items are gone from every answer). */
int pms_section_deleted(const pms_state *p, int s);
/* On deck: leaves in progress and the next episode of shows being watched,
 * most recent first, in a section (0: all). 0 or -1. */
int pms_on_deck(pms_ctx *c, int section, int64_t **keys, size_t *n);
/* The next episode of a show to watch (after the last watched), or 0. */
int64_t pms_next_episode(pms_state *p, int64_t show);
/* Leaves and albums by addedAt, newest first, in a section (0: all). */
int pms_recent_keys(pms_ctx *c, int section, int64_t **keys, size_t *n);

/* ---- media queries (query.c) ---- */

typedef struct pms_query pms_query;

/* Parse the filters and sorts of a request for items of `type` (0: the
 * section's default) in section (0: every section). NULL after answering
 * 400 (or 500). */
pms_query *pms_query_parse(pms_ctx *c, int section, int type);
void pms_query_free(pms_query *q);
/* The type a query selects. */
int pms_query_type(const pms_query *q);
/* limit= of the query, or -1. */
int64_t pms_query_limit(const pms_query *q);
/* Run it: the matching ratingKeys, sorted (malloc'd into *keys, count *n;
 * cached by query until the state changes). 0 or -1 (out of memory). */
int pms_query_run(pms_ctx *c, pms_query *q, int64_t **keys, size_t *n);
/* The candidates of a type in a section (0: all), in natural order. */
int pms_query_all(pms_ctx *c, int section, int type, int64_t **keys, size_t *n);
/* Sort keys by a sort spec ("addedAt:desc,titleSort"). 0 or -1 (bad spec). */
int pms_sort_keys(pms_ctx *c, int64_t *keys, size_t n, const char *spec);
/* 1 if item matches (for the hubs' own lists). */
int pms_query_matches(pms_ctx *c, pms_query *q, const pms_item *it);

/* Fold for matching: ASCII lower case, Latin-1 letters without accents. */
void pms_fold(const char *s, char *out, size_t size);
/* 1 if folded needle occurs in s (folded). */
int pms_contains(const char *s, const char *folded_needle);

/* Media query operators and types, for the Meta block. */
typedef struct pms_field_info {
    const char *key, *title;
    int kind; /* PMS_FT_* */
} pms_field_info;
enum { PMS_FT_INTEGER, PMS_FT_STRING, PMS_FT_TAG, PMS_FT_BOOLEAN, PMS_FT_DATE, PMS_FT_COUNT };
const char *pms_field_type_name(int kind);
/* The filterable fields of a type, and its sorts. */
size_t pms_filter_fields(int type, const pms_field_info **out);
size_t pms_sort_fields(int type, const pms_field_info **out);

/* ---- state (pms.c) ---- */

struct pms_state {
    pms_library *lib;
    uint64_t seed;
    long movies;
    int64_t fixed_now;
    uint64_t generation; /* bumped by pms_changed() */
    struct pms_overlay_table *ov;
    pms_collection **collections;
    size_t ncollections, cap_collections;
    int64_t next_key;
    char **pref_values; /* NULL entries: the default */
    pms_refresh refresh_log[PMS_MAX_REFRESHES];
    uint64_t refresh_seq;
    int64_t scanned_at[PMS_NSECTIONS + 1];
    struct pms_dyn_tags *dyn_tags;
    pms_device_seen_t *devices;
    size_t ndevices;
    struct pms_cache *cache;
    unsigned int deleted_sections; /* bit s: section s was deleted (DELETE /library/sections/{s}) */
    /* the route groups' own state (pms_group init/reset/dispose) */
    struct pms_hub *hub;     /* events.c: the notification hub */
    struct pms_admin *admin; /* admin.c: butler, activities, updater, log */
    struct pms_play *play;   /* playback.c: sessions, history, queues, playlists */
};

/* The library's generation (library.c). */
pms_library *pms_library_new(uint64_t seed, long movies);
void pms_library_free(pms_library *lib);
/* The library's fixed clock: every generated time is before it, and
 * relative dates ("-30d") count back from it. */
#define PMS_EPOCH ((int64_t)1764547200) /* 2025-12-01T00:00:00Z */

/* Dynamic tag ids (tags added by edits that the tables do not have). */
int64_t pms_tag_id(pms_state *p, pms_tag_kind k, const char *name);

/* overlay.c internals used by pms.c */
int pms_overlay_init(pms_state *p);
void pms_overlay_dispose(pms_state *p);
void pms_query_cache_free(pms_state *p);

#endif

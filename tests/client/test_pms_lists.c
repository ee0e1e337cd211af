/*
 * The user's lists against plexsim's emulated media server (issue 16): play
 * queues (from an item, a show, a playlist and a filter; shuffle, window,
 * add, move, remove, playQueueVersion), playlists (create from items and
 * smart from a filter, add, move, remove, rename, clear, delete), collections
 * (create, add, remove, reorder, delete; the section lists them), metadata
 * edits (set and lock, unlock, tags added and removed, several items in one
 * request), markers and chapters, and the account's watchlist on plexsim's
 * plex.tv port; each checked by what the server shows afterwards.
 */
#include "flow.h"

#define TOKEN "plexsim-user-token-0001"

static sim S;
static plex_client *C;
static plex_server *P;

/* The first n ratingKeys of a listing into keys[][32]; returns how many. */
static size_t first_keys(plex_listing *l, char keys[][32], size_t n)
{
    const plex_metadata *m;
    size_t k = 0;

    while (k < n && plex_listing_next(l, &m) == 1)
        snprintf(keys[k++], 32, "%s", m->rating_key);
    plex_listing_free(l);
    return k;
}

static size_t section_keys(const char *section, const char *type, char keys[][32], size_t n)
{
    plex_listing *l = NULL;
    plex_query *q = NULL;

    REQUIRE(plex_query_new(&q) == 0);
    if (type)
        REQUIRE(plex_query_add(q, "type", type) == 0);
    REQUIRE(plex_section_items(&l, P, section, q, NULL) == 0);
    plex_query_free(q);
    return first_keys(l, keys, n);
}

/* The ratingKeys of a listing, joined by ',' into out. */
static void listing_keys(plex_listing *l, char *out, size_t size)
{
    const plex_metadata *m;
    size_t k = 0;

    out[0] = '\0';
    while (plex_listing_next(l, &m) == 1)
        k += (size_t)snprintf(out + k, size - k, "%s%s", k ? "," : "", m->rating_key);
    CHECK_INT(plex_listing_last_error(l)->code, 0);
    plex_listing_free(l);
}

/* ---- play queues ---- */

static void queue_keys(const plex_container *q, char *out, size_t size)
{
    size_t k = 0;

    out[0] = '\0';
    for (size_t i = 0; i < q->items_count; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%s", k ? "," : "", q->items[i]->rating_key);
}

static void test_play_queues(void)
{
    plex_play_queue_options o = PLEX_PLAY_QUEUE_OPTIONS_INIT;
    plex_container *q = NULL, *q2 = NULL;
    char movies[5][32], shows[1][32], path[128], want[256], got[256], *uri = NULL;
    int64_t id, second, first;
    plex_listing *l = NULL;
    size_t n;

    REQUIRE(section_keys("1", NULL, movies, 5) == 5);
    REQUIRE(section_keys("2", NULL, shows, 1) == 1);

    /* from one item */
    snprintf(path, sizeof(path), "/library/metadata/%s", movies[0]);
    REQUIRE(plex_server_uri(&uri, P, path) == 0);
    CHECK(strncmp(uri, "server://", 9) == 0 &&
          strstr(uri, "/com.plexapp.plugins.library/library/metadata/") != NULL);
    o.type = "video";
    o.uri = uri;
    CHECK_INT(plex_play_queue_create(&q, P, &o), 0);
    REQUIRE(q != NULL);
    CHECK(q->play_queue_id > 0);
    CHECK_INT(q->play_queue_version, 1);
    CHECK_INT(q->play_queue_total_count, 1);
    CHECK(q->items_count == 1 && strcmp(q->items[0]->rating_key, movies[0]) == 0);
    CHECK(q->items[0]->play_queue_item_id == q->play_queue_selected_item_id);
    CHECK_STR(q->play_queue_selected_metadata_item_id, movies[0]);
    CHECK_STR(q->play_queue_source_uri, uri);
    id = q->play_queue_id;
    plex_free(uri);
    plex_container_free(q);

    /* add items at the end (Up Next), then one to play next */
    snprintf(path, sizeof(path), "/library/metadata/%s,%s", movies[1], movies[2]);
    REQUIRE(plex_server_uri(&uri, P, path) == 0);
    CHECK_INT(plex_play_queue_add(&q, P, id, uri, NULL, 0), 0);
    plex_free(uri);
    CHECK_INT(q->play_queue_version, 2);
    queue_keys(q, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s", movies[0], movies[1], movies[2]);
    CHECK_STR(got, want);
    CHECK(q->play_queue_last_added_item_id != NULL);
    second = q->items[1]->play_queue_item_id;
    first = q->items[0]->play_queue_item_id;
    plex_container_free(q);
    snprintf(path, sizeof(path), "/library/metadata/%s", movies[3]);
    REQUIRE(plex_server_uri(&uri, P, path) == 0);
    CHECK_INT(plex_play_queue_add(&q, P, id, uri, NULL, 1), 0);
    plex_free(uri);
    queue_keys(q, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s,%s", movies[0], movies[3], movies[1], movies[2]);
    CHECK_STR(got, want);
    CHECK_INT(q->play_queue_version, 3);
    plex_container_free(q);

    /* move the second item to the front, remove the first one */
    CHECK_INT(plex_play_queue_move(&q, P, id, second, 0), 0);
    queue_keys(q, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s,%s", movies[1], movies[0], movies[3], movies[2]);
    CHECK_STR(got, want);
    plex_container_free(q);
    CHECK_INT(plex_play_queue_remove(&q, P, id, first), 0);
    CHECK_INT(q->play_queue_total_count, 3);
    CHECK_INT(q->play_queue_version, 5);
    plex_container_free(q);
    CHECK_INT(plex_play_queue_remove(&q, P, id, first), PLEX_ENOTFOUND);

    /* a player reports the queue's item it plays: the queue follows it */
    {
        plex_playback_options po = PLEX_PLAYBACK_OPTIONS_INIT;
        plex_playback *pb = NULL;
        int64_t last;
        CHECK_INT(plex_play_queue_get(&q, P, id, 0, 0), 0);
        REQUIRE(q && q->items_count == 3);
        last = q->items[2]->play_queue_item_id;
        po.rating_key = q->items[2]->rating_key;
        po.play_queue_item_id = last;
        REQUIRE(plex_playback_new(&pb, P, &po) == 0);
        CHECK_INT(plex_playback_tick(pb, PLEX_PLAYBACK_PLAYING, 1000, 0), 1);
        CHECK_INT(plex_playback_stop(pb, 2000, 1000), 1);
        plex_playback_free(pb);
        plex_container_free(q);
        CHECK_INT(plex_play_queue_get(&q, P, id, 0, 0), 0);
        CHECK_INT(q->play_queue_selected_item_id, last);
        CHECK_INT(q->play_queue_selected_item_offset, 2);
        plex_container_free(q);
    }

    /* the window: one item on each side of a centre */
    CHECK_INT(plex_play_queue_get(&q, P, id, 1, 0), 0);
    CHECK(q->items_count >= 1 && q->items_count <= 3);
    CHECK_INT(q->play_queue_total_count, 3);
    plex_container_free(q);
    CHECK_INT(plex_play_queue_get(&q, P, 987654, 0, 0), PLEX_ENOTFOUND);

    /* from a show: its episodes, shuffled (the same items, another order) */
    snprintf(path, sizeof(path), "/library/metadata/%s", shows[0]);
    REQUIRE(plex_server_uri(&uri, P, path) == 0);
    o.uri = uri;
    CHECK_INT(plex_play_queue_create(&q, P, &o), 0);
    o.shuffle = 1;
    CHECK_INT(plex_play_queue_create(&q2, P, &o), 0);
    o.shuffle = 0;
    plex_free(uri);
    REQUIRE(plex_metadata_all_leaves(&l, P, shows[0], NULL, NULL) == 0);
    {
        char leaves[4096];
        listing_keys(l, leaves, sizeof(leaves));
        n = 1;
        for (const char *p = leaves; *p; p++)
            n += *p == ',';
        CHECK_INT(q->play_queue_total_count, (long long)n);
        CHECK_INT(q2->play_queue_total_count, (long long)n);
        CHECK(q2->play_queue_shuffled == PLEX_TRUE);
        CHECK(q->play_queue_shuffled == PLEX_FALSE);
        queue_keys(q, got, sizeof(got));
        CHECK(strncmp(leaves, got, strlen(got)) == 0); /* in order, up to the window */
        /* shuffle what follows the current item, then back to the order */
        id = q->play_queue_id;
        plex_container_free(q);
        CHECK_INT(plex_play_queue_shuffle(&q, P, id, 1), 0);
        CHECK(q && q->play_queue_shuffled == PLEX_TRUE);
        CHECK_INT(q->play_queue_total_count, (long long)n);
        CHECK_INT(q->play_queue_version, 2);
        plex_container_free(q);
        CHECK_INT(plex_play_queue_shuffle(&q, P, id, 0), 0);
        CHECK(q && q->play_queue_shuffled == PLEX_FALSE);
        queue_keys(q, got, sizeof(got));
        CHECK(strncmp(leaves, got, strlen(got)) == 0);
    }
    plex_container_free(q);
    plex_container_free(q2);

    /* from a filter: the section's movies of one year */
    REQUIRE(plex_server_uri(&uri, P, "/library/sections/1/all?type=1&sort=titleSort") == 0);
    o.uri = uri;
    CHECK_INT(plex_play_queue_create(&q, P, &o), 0);
    CHECK(q && q->play_queue_total_count >= 5);
    plex_container_free(q);
    plex_free(uri);

    /* refusals by the server */
    o.uri = "server://not-this-server/com.plexapp.plugins.library/library/metadata/1";
    CHECK_INT(plex_play_queue_create(&q, P, &o), PLEX_EBADREQUEST);
    o.uri = "server://5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d/com.plexapp.plugins.library"
            "/library/metadata/987654321";
    CHECK_INT(plex_play_queue_create(&q, P, &o), PLEX_ENOTFOUND);
}

/* ---- playlists ---- */

static void test_playlists(void)
{
    plex_container *pl = NULL, *q = NULL;
    plex_listing *l = NULL;
    plex_query *qq = NULL;
    const plex_metadata *m;
    char movies[4][32], tracks[2][32], id[32], sid[32], got[512], want[512], *uri = NULL;
    const char *keys[3];
    int64_t item_ids[4];
    size_t n = 0;
    plex_play_queue_options o = PLEX_PLAY_QUEUE_OPTIONS_INIT;

    REQUIRE(section_keys("1", NULL, movies, 4) == 4);
    REQUIRE(section_keys("3", "10", tracks, 2) == 2);
    keys[0] = movies[0];
    keys[1] = movies[1];
    keys[2] = movies[2];
    CHECK_INT(plex_playlist_create(&pl, P, "Friday night", "video", keys, 3), 0);
    REQUIRE(pl && pl->items_count == 1);
    CHECK_STR(pl->items[0]->type, "playlist");
    CHECK_STR(pl->items[0]->title, "Friday night");
    CHECK_STR(pl->items[0]->playlist_type, "video");
    CHECK(pl->items[0]->smart == PLEX_FALSE);
    CHECK_INT(pl->items[0]->leaf_count, 3);
    snprintf(id, sizeof(id), "%s", pl->items[0]->rating_key);
    plex_container_free(pl);

    /* its items, with playlistItemID, in order */
    REQUIRE(plex_playlist_items(&l, P, id, NULL, NULL) == 0);
    while (plex_listing_next(l, &m) == 1) {
        REQUIRE(n < 4);
        CHECK(plex_metadata_has(m, PLEX_METADATA_PLAYLIST_ITEM_ID));
        item_ids[n++] = m->playlist_item_id;
    }
    plex_listing_free(l);
    CHECK_INT(n, 3);

    /* add, move the new last one first, remove the second */
    keys[0] = movies[3];
    CHECK_INT(plex_playlist_add(NULL, P, id, keys, 1), 0);
    REQUIRE(plex_playlist_items(&l, P, id, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s,%s", movies[0], movies[1], movies[2], movies[3]);
    CHECK_STR(got, want);
    REQUIRE(plex_playlist_items(&l, P, id, NULL, NULL) == 0);
    n = 0;
    while (plex_listing_next(l, &m) == 1 && n < 4)
        item_ids[n++] = m->playlist_item_id;
    plex_listing_free(l);
    CHECK_INT(plex_playlist_move(P, id, item_ids[3], 0), 0);
    CHECK_INT(plex_playlist_move(P, id, item_ids[0], item_ids[2]), 0);
    CHECK_INT(plex_playlist_remove(P, id, item_ids[1]), 0);
    CHECK_INT(plex_playlist_remove(P, id, item_ids[1]), PLEX_ENOTFOUND);
    REQUIRE(plex_playlist_items(&l, P, id, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s", movies[3], movies[2], movies[0]);
    CHECK_STR(got, want);

    /* rename; the list of playlists shows it */
    CHECK_INT(plex_playlist_edit(P, id, "Saturday night", "popcorn"), 0);
    CHECK_INT(plex_playlist_get(&pl, P, id), 0);
    CHECK(pl && pl->items_count == 1 && strcmp(pl->items[0]->title, "Saturday night") == 0 &&
          strcmp(pl->items[0]->summary, "popcorn") == 0 && pl->items[0]->leaf_count == 3);
    plex_container_free(pl);

    /* a play queue of the playlist */
    o.type = "video";
    o.playlist_id = id;
    CHECK_INT(plex_play_queue_create(&q, P, &o), 0);
    queue_keys(q, got, sizeof(got));
    CHECK_STR(got, want);
    plex_container_free(q);

    /* a smart playlist from a filter */
    REQUIRE(plex_server_uri(&uri, P, "/library/sections/3/all?type=10&sort=titleSort") == 0);
    CHECK_INT(plex_playlist_create_smart(&pl, P, "All tracks", "audio", uri), 0);
    plex_free(uri);
    REQUIRE(pl && pl->items_count == 1);
    CHECK(pl->items[0]->smart == PLEX_TRUE);
    CHECK(pl->items[0]->leaf_count >= 2);
    snprintf(sid, sizeof(sid), "%s", pl->items[0]->rating_key);
    plex_container_free(pl);

    /* the playlists: both; only the smart one; only audio */
    REQUIRE(plex_playlists_get(&l, P, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s", id, sid);
    CHECK_STR(got, want);
    REQUIRE(plex_query_new(&qq) == 0 && plex_query_add(qq, "playlistType", "audio") == 0);
    REQUIRE(plex_playlists_get(&l, P, qq, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    CHECK_STR(got, sid);
    plex_query_free(qq);

    /* clear, delete (204), gone */
    CHECK_INT(plex_playlist_clear(P, id), 0);
    CHECK_INT(plex_playlist_get(&pl, P, id), 0);
    CHECK(pl && pl->items[0]->leaf_count == 0);
    plex_container_free(pl);
    CHECK_INT(plex_playlist_delete(P, id), 0);
    CHECK_INT(plex_playlist_get(&pl, P, id), PLEX_ENOTFOUND);
    CHECK_INT(plex_playlist_delete(P, id), PLEX_ENOTFOUND);
    CHECK_INT(plex_playlist_delete(P, sid), 0);

    /* an m3u file of the server's disk: plexsim has one in each album's folder */
    {
        plex_container *tr = NULL;
        char path[600], dir[512];
        const plex_part *part;
        REQUIRE(plex_metadata_get(&tr, P, tracks[0], NULL) == 0);
        part = plex_media_parts_at(tr->items[0]->media[0], 0);
        REQUIRE(part && part->file && strrchr(part->file, '/'));
        snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(part->file, '/') - part->file),
                 part->file);
        snprintf(path, sizeof(path), "%s/Road trip.m3u", dir);
        plex_container_free(tr);
        CHECK_INT(plex_playlist_upload(P, path, "3", 0), 0);
        CHECK_INT(plex_playlist_upload(P, path, "3", 0), PLEX_EBADREQUEST); /* exists */
        CHECK_INT(plex_playlist_upload(P, path, "3", 1), 0);                /* replaced */
        REQUIRE(plex_query_new(&qq) == 0 && plex_query_add(qq, "playlistType", "audio") == 0);
        REQUIRE(plex_playlists_get(&l, P, qq, NULL) == 0);
        plex_query_free(qq);
        n = 0;
        while (plex_listing_next(l, &m) == 1)
            if (strcmp(m->title, "Road trip") == 0) {
                CHECK(m->leaf_count >= 1);
                n++;
            }
        plex_listing_free(l);
        CHECK_INT(n, 1);
        CHECK_INT(plex_playlist_upload(P, "/nowhere/x.m3u", NULL, 0), PLEX_ENOTFOUND);
        CHECK_INT(plex_playlist_upload(P, "/data/Music/x.txt", NULL, 0), PLEX_EBADREQUEST);
    }

    /* the server refuses a playlist of nothing of its type */
    keys[0] = tracks[0];
    CHECK_INT(plex_playlist_create(&pl, P, "x", "video", keys, 1), PLEX_EBADREQUEST);
}

/* ---- collections ---- */

static void test_collections(void)
{
    plex_container *col = NULL;
    plex_listing *l = NULL;
    char movies[4][32], id[32], got[512], want[512], *uri = NULL;
    const char *keys[3];

    REQUIRE(section_keys("1", NULL, movies, 4) == 4);
    keys[0] = movies[0];
    keys[1] = movies[1];
    CHECK_INT(plex_collection_create(&col, P, "1", PLEX_TYPE_MOVIE, "Favourites", keys, 2), 0);
    REQUIRE(col && col->items_count == 1);
    CHECK_STR(col->items[0]->type, "collection");
    CHECK_STR(col->items[0]->title, "Favourites");
    snprintf(id, sizeof(id), "%s", col->items[0]->rating_key);
    plex_container_free(col);

    keys[0] = movies[2];
    keys[1] = movies[3];
    CHECK_INT(plex_collection_add(NULL, P, id, keys, 2), 0);
    CHECK_INT(plex_collection_remove(P, id, movies[1]), 0);
    CHECK_INT(plex_collection_remove(P, id, movies[1]), PLEX_ENOTFOUND);
    CHECK_INT(plex_collection_move(P, id, movies[3], NULL), 0);
    CHECK_INT(plex_collection_move(P, id, movies[0], movies[2]), 0);
    REQUIRE(plex_collection_items(&l, P, id, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s", movies[3], movies[2], movies[0]);
    CHECK_STR(got, want);

    /* the section lists it */
    REQUIRE(plex_section_collections(&l, P, "1", NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    CHECK(strstr(got, id) != NULL);

    /* a smart one from a filter */
    REQUIRE(plex_server_uri(&uri, P, "/library/sections/1/all?type=1") == 0);
    CHECK_INT(plex_collection_create_smart(&col, P, "1", PLEX_TYPE_MOVIE, "Everything", uri), 0);
    CHECK(col && col->items_count == 1 && col->items[0]->smart == PLEX_TRUE);
    plex_container_free(col);
    plex_free(uri);

    CHECK_INT(plex_collection_delete(P, id), 0);
    CHECK_INT(plex_collection_items(&l, P, id, NULL, NULL), 0);
    {
        const plex_metadata *m;
        CHECK_INT(plex_listing_next(l, &m), PLEX_ENOTFOUND);
    }
    plex_listing_free(l);
    CHECK_INT(plex_collection_delete(P, movies[0]), PLEX_EAUTH); /* not a collection: 403 */
    CHECK_INT(plex_collection_create(&col, P, "9", PLEX_TYPE_MOVIE, "x", keys, 1), PLEX_ENOTFOUND);
}

/* ---- metadata edits ---- */

static int has_tag(const plex_tag *const *tags, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (tags[i]->tag && strcmp(tags[i]->tag, name) == 0)
            return 1;
    return 0;
}

static int locked(const plex_metadata *m, const char *field)
{
    for (size_t i = 0; i < m->fields_count; i++)
        if (m->fields[i]->name && strcmp(m->fields[i]->name, field) == 0)
            return m->fields[i]->locked == PLEX_TRUE;
    return 0;
}

static void test_edits(void)
{
    plex_container *it = NULL;
    plex_query *q = NULL;
    char movies[3][32];
    const char *add[] = {"Comfort Food", "Sci-Fi & Fantasy"}, *del[] = {"Comfort Food"};
    const char *both[2];

    REQUIRE(section_keys("1", NULL, movies, 3) == 3);
    REQUIRE(plex_query_new(&q) == 0);
    CHECK_INT(plex_edit_field(q, "title", "The Edited Title", 1), 0);
    CHECK_INT(plex_edit_field(q, "summary", "A new summary.", -1), 0);
    CHECK_INT(plex_edit_tags_add(q, "genre", add, 2), 0);
    CHECK_INT(plex_metadata_edit_item(P, movies[0], q), 0);
    plex_query_free(q);
    REQUIRE(plex_metadata_get(&it, P, movies[0], NULL) == 0);
    CHECK_STR(it->items[0]->title, "The Edited Title");
    CHECK_STR(it->items[0]->summary, "A new summary.");
    CHECK(locked(it->items[0], "title"));
    CHECK(!locked(it->items[0], "summary"));
    CHECK(has_tag(it->items[0]->genres, it->items[0]->genres_count, "Comfort Food"));
    CHECK(has_tag(it->items[0]->genres, it->items[0]->genres_count, "Sci-Fi & Fantasy"));
    plex_container_free(it);

    /* unlock, remove a tag */
    REQUIRE(plex_query_new(&q) == 0);
    CHECK_INT(plex_edit_field(q, "title", NULL, 0), 0);
    CHECK_INT(plex_edit_tags_remove(q, "genre", del, 1), 0);
    CHECK_INT(plex_metadata_edit_item(P, movies[0], q), 0);
    plex_query_free(q);
    REQUIRE(plex_metadata_get(&it, P, movies[0], NULL) == 0);
    CHECK_STR(it->items[0]->title, "The Edited Title");
    CHECK(!locked(it->items[0], "title"));
    CHECK(!has_tag(it->items[0]->genres, it->items[0]->genres_count, "Comfort Food"));
    CHECK(has_tag(it->items[0]->genres, it->items[0]->genres_count, "Sci-Fi & Fantasy"));
    plex_container_free(it);

    /* several items in one request, through the section */
    REQUIRE(plex_query_new(&q) == 0);
    CHECK_INT(plex_edit_field(q, "studio", "Loopback Pictures", 1), 0);
    both[0] = movies[1];
    both[1] = movies[2];
    CHECK_INT(plex_metadata_edit(P, "1", PLEX_TYPE_MOVIE, both, 2, q), 0);
    for (int i = 1; i <= 2; i++) {
        REQUIRE(plex_metadata_get(&it, P, movies[i], NULL) == 0);
        CHECK_STR(it->items[0]->studio, "Loopback Pictures");
        CHECK(locked(it->items[0], "studio"));
        plex_container_free(it);
    }
    /* refused: a field the server does not know, an item of another type */
    plex_query_free(q);
    REQUIRE(plex_query_new(&q) == 0 && plex_edit_field(q, "nonsense", "x", 1) == 0);
    CHECK_INT(plex_metadata_edit_item(P, movies[0], q), PLEX_EBADREQUEST);
    plex_query_free(q);
    REQUIRE(plex_query_new(&q) == 0 && plex_edit_field(q, "title", "x", 1) == 0);
    CHECK_INT(plex_metadata_edit(P, "1", PLEX_TYPE_EPISODE, both, 2, q), PLEX_ENOTFOUND);
    CHECK_INT(plex_metadata_edit_item(P, "987654321", q), PLEX_ENOTFOUND);
    plex_query_free(q);
}

/* ---- markers and chapters ---- */

static void test_markers(void)
{
    plex_container *it = NULL;
    plex_query *q = NULL;
    char episodes[3][32];
    int markers = 0, chapters = 0;

    REQUIRE(section_keys("2", "4", episodes, 3) == 3);
    REQUIRE(plex_query_new(&q) == 0 && plex_query_add(q, "includeMarkers", "1") == 0 &&
            plex_query_add(q, "includeChapters", "1") == 0);
    for (int i = 0; i < 3; i++) {
        REQUIRE(plex_metadata_get(&it, P, episodes[i], q) == 0);
        for (size_t k = 0; k < it->items[0]->markers_count; k++) {
            const plex_marker *mk = it->items[0]->markers[k];
            CHECK(strcmp(mk->type, "intro") == 0 || strcmp(mk->type, "credits") == 0);
            CHECK(mk->end_time_offset > mk->start_time_offset);
            markers++;
        }
        for (size_t k = 0; k < it->items[0]->chapters_count; k++) {
            const plex_chapter *ch = it->items[0]->chapters[k];
            CHECK(ch->end_time_offset > ch->start_time_offset && ch->tag);
            chapters++;
        }
        plex_container_free(it);
    }
    plex_query_free(q);
    CHECK(markers > 0);
    CHECK(chapters > 0);
    /* without the flags, none */
    REQUIRE(plex_metadata_get(&it, P, episodes[0], NULL) == 0);
    CHECK_INT(it->items[0]->markers_count, 0);
    CHECK_INT(it->items[0]->chapters_count, 0);
    plex_container_free(it);
}

/* ---- the watchlist ---- */

static void test_watchlist(void)
{
    plex_server *d = NULL;
    plex_listing *l = NULL;
    plex_container *it = NULL;
    char movies[2][32], hex[2][32], got[256], want[256];
    const plex_metadata *m;

    REQUIRE(section_keys("1", NULL, movies, 2) == 2);
    for (int i = 0; i < 2; i++) {
        REQUIRE(plex_metadata_get(&it, P, movies[i], NULL) == 0);
        REQUIRE(it->items[0]->guid && strncmp(it->items[0]->guid, "plex://movie/", 13) == 0);
        snprintf(hex[i], sizeof(hex[i]), "%s", it->items[0]->guid + 13);
        plex_container_free(it);
    }
    CHECK_INT(plex_discover_new(&d, C, S.url), 0);
    REQUIRE(d != NULL);
    REQUIRE(plex_watchlist_get(&l, d, NULL, NULL) == 0);
    CHECK_INT(plex_listing_next(l, &m), 0); /* empty */
    plex_listing_free(l);
    CHECK_INT(plex_watchlist_add(d, hex[0]), 0);
    CHECK_INT(plex_watchlist_add(d, hex[1]), 0);
    CHECK_INT(plex_watchlist_add(d, hex[1]), 0); /* once */
    REQUIRE(plex_watchlist_get(&l, d, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s", hex[1], hex[0]); /* newest first */
    CHECK_STR(got, want);
    REQUIRE(plex_watchlist_get(&l, d, NULL, NULL) == 0);
    REQUIRE(plex_listing_next(l, &m) == 1);
    CHECK_STR(m->type, "movie");
    CHECK(m->title != NULL);
    plex_listing_free(l);
    CHECK_INT(plex_watchlist_remove(d, hex[1]), 0);
    CHECK_INT(plex_watchlist_remove(d, hex[1]), PLEX_ENOTFOUND);
    CHECK_INT(plex_watchlist_add(d, "0123456789abcdef01234567"), PLEX_ENOTFOUND);
    REQUIRE(plex_watchlist_get(&l, d, NULL, NULL) == 0);
    listing_keys(l, got, sizeof(got));
    CHECK_STR(got, hex[0]);
    plex_server_free(d);
}

int main(void)
{
    plex_server_options so = PLEX_SERVER_OPTIONS_INIT;

    plex_global_init();
    sim_start_pms(&S, "--library-size", "20", NULL);
    C = flow_client(S.url, "test-pms-lists");
    REQUIRE(plex_client_set_token(C, TOKEN) == 0);
    so.token = TOKEN;
    REQUIRE(plex_server_new(&P, C, S.pms_url, &so) == 0);
    test_play_queues();
    test_playlists();
    test_collections();
    test_edits();
    test_markers();
    test_watchlist();
    plex_server_free(P);
    plex_client_free(C);
    sim_stop(&S);
    plex_global_cleanup();
    return test_summary("test_pms_lists");
}

/*
 * The account models: resources and their connections, companions,
 * friends, home, GeoData on its own, and the v1 users list (XML).
 * Bytes -> models and back: no I/O.
 */
#include <string.h>

#include "account_model.h"
#include "core/alloc.h"
#include "core/error.h"
#include "pin.h"
#include "plex/account.h"
#include "core/xml.h"

#define S PLEX__F_STRING
#define B PLEX__F_BOOL
#define N PLEX__F_NULLABLE

/* ---- resources ---- */

static const plex__field connection_fields[] = {
    PLEX__FIELD("protocol", S, N, 0, plex_connection, protocol),
    PLEX__FIELD("address", S, N, 1, plex_connection, address),
    PLEX__FIELD("port", PLEX__F_INT32, N, 2, plex_connection, port),
    PLEX__FIELD("uri", S, N, 3, plex_connection, uri),
    PLEX__FIELD("local", B, N, 4, plex_connection, local),
    PLEX__FIELD("relay", B, N, 5, plex_connection, relay),
    PLEX__FIELD("IPv6", B, N, 6, plex_connection, ipv6),
};

const plex__schema plex__connection_schema = {connection_fields,
                                              sizeof(connection_fields) /
                                                  sizeof(connection_fields[0]),
                                              sizeof(plex_connection),
                                              offsetof(plex_connection, present),
                                              (size_t)-1,
                                              0x70,
                                              NULL,
                                              0};

#define R PLEX__F_REQUIRED
static const plex__field resource_fields[] = {
    PLEX__FIELD("name", S, N, 0, plex_resource, name),
    PLEX__FIELD("product", S, N, 1, plex_resource, product),
    PLEX__FIELD("productVersion", S, N, 2, plex_resource, product_version),
    PLEX__FIELD("platform", S, N, 3, plex_resource, platform),
    PLEX__FIELD("platformVersion", S, N, 4, plex_resource, platform_version),
    PLEX__FIELD("device", S, N, 5, plex_resource, device),
    PLEX__FIELD("clientIdentifier", S, R, 6, plex_resource, client_identifier),
    PLEX__FIELD("createdAt", PLEX__F_TIME, N, 7, plex_resource, created_at),
    PLEX__FIELD("lastSeenAt", PLEX__F_TIME, N, 8, plex_resource, last_seen_at),
    PLEX__FIELD("provides", S, N, 9, plex_resource, provides),
    PLEX__FIELD("ownerId", PLEX__F_INT64, N, 10, plex_resource, owner_id),
    PLEX__FIELD("sourceTitle", S, N, 11, plex_resource, source_title),
    PLEX__FIELD("publicAddress", S, N, 12, plex_resource, public_address),
    PLEX__FIELD("accessToken", S, N, 13, plex_resource, access_token),
    PLEX__FIELD("owned", B, N, 14, plex_resource, owned),
    PLEX__FIELD("home", B, N, 15, plex_resource, home),
    PLEX__FIELD("synced", B, N, 16, plex_resource, synced),
    PLEX__FIELD("relay", B, N, 17, plex_resource, relay),
    PLEX__FIELD("presence", B, N, 18, plex_resource, presence),
    PLEX__FIELD("httpsRequired", B, N, 19, plex_resource, https_required),
    PLEX__FIELD("publicAddressMatches", B, N, 20, plex_resource, public_address_matches),
    PLEX__FIELD("dnsRebindingProtection", B, N, 21, plex_resource, dns_rebinding_protection),
    PLEX__FIELD("natLoopbackSupported", B, N, 22, plex_resource, nat_loopback_supported),
    PLEX__FIELD_ARRAY("connections", N, 23, plex_resource, connections, connections_count,
                      &plex__connection_schema, 24),
};

const plex__schema plex__resource_schema = {resource_fields,
                                            sizeof(resource_fields) / sizeof(resource_fields[0]),
                                            sizeof(plex_resource),
                                            offsetof(plex_resource, present),
                                            (size_t)-1,
                                            0x7FC000,
                                            NULL,
                                            0x40};

/* The lists: a wrapper whose field 0 is the array (the document's top level). */
struct plex_resources {
    const plex_resource *const *items;
    size_t count;
    uint32_t present;
    uint32_t missing;
};

static const plex__field resources_fields[] = {
    PLEX__FIELD_ARRAY("resources", 0, 0, struct plex_resources, items, count,
                      &plex__resource_schema, 1),
};
const plex__schema plex__resources_schema = {resources_fields,
                                             1,
                                             sizeof(struct plex_resources),
                                             offsetof(struct plex_resources, present),
                                             offsetof(struct plex_resources, missing),
                                             0,
                                             NULL,
                                             0};

int plex_resources_parse(plex_resources **out, const char *data, size_t len, unsigned int flags,
                         plex_error *err)
{
    void *o = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse_list(&o, &plex__resources_schema, data, len, flags, err);
    *out = o;
    return rc;
}

int plex_resources_to_json(const plex_resources *list, char **out)
{
    return plex__model_list_to_json(&plex__resources_schema, list, out);
}

size_t plex_resources_count(const plex_resources *list)
{
    return list ? list->count : 0;
}

const plex_resource *plex_resources_at(const plex_resources *list, size_t i)
{
    return list && i < list->count ? list->items[i] : NULL;
}

void plex_resources_free(plex_resources *list)
{
    plex__arena_free_root(list);
}

size_t plex_resource_connections_count(const plex_resource *r)
{
    return r ? r->connections_count : 0;
}

const plex_connection *plex_resource_connection_at(const plex_resource *r, size_t i)
{
    return r && i < r->connections_count ? r->connections[i] : NULL;
}

/* ---- geodata on its own ---- */

int plex_geodata_parse(plex_geodata **out, const char *data, size_t len, unsigned int flags,
                       plex_error *err)
{
    void *o = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse(&o, &plex__geodata_schema, data, len, flags, err);
    *out = o;
    return rc;
}

void plex_geodata_free(plex_geodata *geo)
{
    plex__arena_free_root(geo);
}

/* ---- companions ---- */

static const plex__field companion_fields[] = {
    PLEX__FIELD("identifier", S, R, 0, plex_companion, identifier),
    PLEX__FIELD("baseURL", S, N, 1, plex_companion, base_url),
    PLEX__FIELD("title", S, N, 2, plex_companion, title),
    PLEX__FIELD("linkURL", S, N, 3, plex_companion, link_url),
    PLEX__FIELD("provides", S, N, 4, plex_companion, provides),
    PLEX__FIELD("token", S, N, 5, plex_companion, token),
};
const plex__schema plex__companion_schema = {companion_fields,
                                             sizeof(companion_fields) / sizeof(companion_fields[0]),
                                             sizeof(plex_companion),
                                             offsetof(plex_companion, present),
                                             (size_t)-1,
                                             0,
                                             NULL,
                                             0x1};

struct plex_companions {
    const plex_companion *const *items;
    size_t count;
    uint32_t present;
    uint32_t missing;
};
static const plex__field companions_fields[] = {
    PLEX__FIELD_ARRAY("companions", 0, 0, struct plex_companions, items, count,
                      &plex__companion_schema, 1),
};
const plex__schema plex__companions_schema = {companions_fields,
                                              1,
                                              sizeof(struct plex_companions),
                                              offsetof(struct plex_companions, present),
                                              offsetof(struct plex_companions, missing),
                                              0,
                                              NULL,
                                              0};

int plex_companions_parse(plex_companions **out, const char *data, size_t len, unsigned int flags,
                          plex_error *err)
{
    void *o = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse_list(&o, &plex__companions_schema, data, len, flags, err);
    *out = o;
    return rc;
}

size_t plex_companions_count(const plex_companions *list)
{
    return list ? list->count : 0;
}

const plex_companion *plex_companions_at(const plex_companions *list, size_t i)
{
    return list && i < list->count ? list->items[i] : NULL;
}

void plex_companions_free(plex_companions *list)
{
    plex__arena_free_root(list);
}

/* ---- friends ---- */

static const plex__field friend_fields[] = {
    PLEX__FIELD("id", PLEX__F_INT64, R, 0, plex_friend, id),
    PLEX__FIELD("uuid", S, N, 1, plex_friend, uuid),
    PLEX__FIELD("username", S, N, 2, plex_friend, username),
    PLEX__FIELD("title", S, N, 3, plex_friend, title),
    PLEX__FIELD("email", S, N, 4, plex_friend, email),
    PLEX__FIELD("friendlyName", S, N, 5, plex_friend, friendly_name),
    PLEX__FIELD("thumb", S, N, 6, plex_friend, thumb),
    PLEX__FIELD("home", B, N, 7, plex_friend, home),
    PLEX__FIELD("restricted", B, N, 8, plex_friend, restricted),
    PLEX__FIELD("status", S, N, 9, plex_friend, status),
    PLEX__FIELD("sharedServers", PLEX__F_RAW, N, 10, plex_friend, shared_servers),
    PLEX__FIELD("sharedSources", PLEX__F_RAW, N, 11, plex_friend, shared_sources),
};
const plex__schema plex__friend_schema = {friend_fields,
                                          sizeof(friend_fields) / sizeof(friend_fields[0]),
                                          sizeof(plex_friend),
                                          offsetof(plex_friend, present),
                                          (size_t)-1,
                                          0x180,
                                          NULL,
                                          0x1};

struct plex_friends {
    const plex_friend *const *items;
    size_t count;
    uint32_t present;
    uint32_t missing;
};
static const plex__field friends_fields[] = {
    PLEX__FIELD_ARRAY("friends", 0, 0, struct plex_friends, items, count, &plex__friend_schema, 1),
};
const plex__schema plex__friends_schema = {friends_fields,
                                           1,
                                           sizeof(struct plex_friends),
                                           offsetof(struct plex_friends, present),
                                           offsetof(struct plex_friends, missing),
                                           0,
                                           NULL,
                                           0};

int plex_friends_parse(plex_friends **out, const char *data, size_t len, unsigned int flags,
                       plex_error *err)
{
    void *o = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse_list(&o, &plex__friends_schema, data, len, flags, err);
    *out = o;
    return rc;
}

size_t plex_friends_count(const plex_friends *list)
{
    return list ? list->count : 0;
}

const plex_friend *plex_friends_at(const plex_friends *list, size_t i)
{
    return list && i < list->count ? list->items[i] : NULL;
}

void plex_friends_free(plex_friends *list)
{
    plex__arena_free_root(list);
}

/* ---- home ---- */

static const plex__field home_fields[] = {
    PLEX__FIELD("id", PLEX__F_INT64, R, 0, plex_home, id),
    PLEX__FIELD("name", S, N, 1, plex_home, name),
    PLEX__FIELD("guestUserID", PLEX__F_INT64, N, 2, plex_home, guest_user_id),
    PLEX__FIELD("guestUserUUID", S, N, 3, plex_home, guest_user_uuid),
    PLEX__FIELD("guestEnabled", B, N, 4, plex_home, guest_enabled),
    PLEX__FIELD("subscription", B, N, 5, plex_home, subscription),
};
const plex__schema plex__home_schema = {home_fields,
                                        sizeof(home_fields) / sizeof(home_fields[0]),
                                        sizeof(plex_home),
                                        offsetof(plex_home, present),
                                        (size_t)-1,
                                        0x30,
                                        NULL,
                                        0x1};
#undef R

int plex_home_parse(plex_home **out, const char *data, size_t len, unsigned int flags,
                    plex_error *err)
{
    void *o = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse(&o, &plex__home_schema, data, len, flags, err);
    *out = o;
    return rc;
}

void plex_home_free(plex_home *home)
{
    plex__arena_free_root(home);
}

/* ---- the v1 users list (XML) ---- */

struct plex_users {
    const plex_users_entry **items;
    size_t count, cap;
    const char *friendly_name;
};

/* A growing array of pointers in the arena. */
static int push_ptr(plex__arena *arena, const void ***items, size_t *count, size_t *cap,
                    const void *p)
{
    if (*count == *cap) {
        const void **grown;
        size_t ncap = *cap ? *cap * 2 : 4;
        grown = plex__arena_alloc(arena, ncap * sizeof(*grown));
        if (!grown)
            return PLEX_ENOMEM;
        if (*count)
            memcpy(grown, *items, *count * sizeof(*grown));
        *items = grown;
        *cap = ncap;
    }
    (*items)[(*count)++] = p;
    return 0;
}

static int xml_text(const plex__xml_reader *r, const plex__xml_token *t, plex__arena *arena,
                    const char *name, const char **out)
{
    size_t a, z;
    char *m;

    if (!plex__xml_attr(r, t, name, &a, &z))
        return 0;
    m = plex__arena_alloc_bytes(arena, z - a + 1);
    if (!m)
        return PLEX_ENOMEM;
    m[plex__xml_unescape(r->buf, a, z, m)] = '\0';
    *out = m;
    return 0;
}

/* An integer attribute: absent leaves *out; empty counts as absent. */
static int xml_i64(const plex__xml_reader *r, const plex__xml_token *t, const char *name,
                   int64_t *out, int *found)
{
    size_t a, z;
    int64_t v = 0;
    int neg = 0;

    if (found)
        *found = 0;
    if (!plex__xml_attr(r, t, name, &a, &z) || a == z)
        return 0;
    if (r->buf[a] == '-') {
        neg = 1;
        a++;
    }
    if (a >= z || z - a > 18)
        return -1;
    for (; a < z; a++) {
        if (r->buf[a] < '0' || r->buf[a] > '9')
            return -1;
        v = v * 10 + (r->buf[a] - '0');
    }
    *out = neg ? -v : v;
    if (found)
        *found = 1;
    return 0;
}

/* "1"/"0" (also "true"/"false"); absent or empty -> PLEX_ABSENT. */
static int xml_bool(const plex__xml_reader *r, const plex__xml_token *t, const char *name,
                    plex_opt_bool *out)
{
    size_t a, z;

    *out = PLEX_ABSENT;
    if (!plex__xml_attr(r, t, name, &a, &z) || a == z)
        return 0;
    if ((z - a == 1 && r->buf[a] == '1') || (z - a == 4 && memcmp(r->buf + a, "true", 4) == 0))
        *out = PLEX_TRUE;
    else if ((z - a == 1 && r->buf[a] == '0') ||
             (z - a == 5 && memcmp(r->buf + a, "false", 5) == 0))
        *out = PLEX_FALSE;
    else
        return -1;
    return 0;
}

static int users_server(plex__xml_reader *r, const plex__xml_token *t, plex__arena *arena,
                        plex_users_server **out, plex_error *err)
{
    plex_users_server *s = plex__arena_alloc(arena, sizeof(*s));
    int64_t libs = 0;
    int rc = 0;

    if (!s)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    memset(s, 0, sizeof(*s));
    if (xml_i64(r, t, "id", &s->id, NULL) || xml_i64(r, t, "serverId", &s->server_id, NULL) ||
        xml_i64(r, t, "lastSeenAt", &s->last_seen_at, NULL) ||
        xml_i64(r, t, "numLibraries", &libs, NULL) || libs < 0 || libs > INT32_MAX ||
        xml_bool(r, t, "allLibraries", &s->all_libraries) || xml_bool(r, t, "owned", &s->owned) ||
        xml_bool(r, t, "pending", &s->pending))
        return plex__error_set(err, PLEX_ESCHEMA, "User.Server: a number or flag is malformed");
    s->num_libraries = (int32_t)libs;
    if (xml_text(r, t, arena, "machineIdentifier", &s->machine_identifier) ||
        xml_text(r, t, arena, "name", &s->name))
        rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
    *out = s;
    return rc;
}

static int users_entry(plex__xml_reader *r, const plex__xml_token *t, plex__arena *arena,
                       unsigned int flags, plex_users_entry **out, plex_error *err)
{
    static const char *const bools[] = {
        "protected",         "home",          "allowTuners",        "allowSync",
        "allowCameraUpload", "allowChannels", "allowSubtitleAdmin", "restricted"};
    static const char *const texts[] = {"title",       "username",     "email",
                                        "thumb",       "filterAll",    "filterMovies",
                                        "filterMusic", "filterPhotos", "filterTelevision"};
    plex_users_entry *u = plex__arena_alloc(arena, sizeof(*u));
    plex_opt_bool *bslots[8];
    const char **tslots[9];
    size_t scap = 0;
    int found, rc = 0;

    if (!u)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    memset(u, 0, sizeof(*u));
    *out = u;
    bslots[0] = &u->protected_;
    bslots[1] = &u->home;
    bslots[2] = &u->allow_tuners;
    bslots[3] = &u->allow_sync;
    bslots[4] = &u->allow_camera_upload;
    bslots[5] = &u->allow_channels;
    bslots[6] = &u->allow_subtitle_admin;
    bslots[7] = &u->restricted;
    tslots[0] = &u->title;
    tslots[1] = &u->username;
    tslots[2] = &u->email;
    tslots[3] = &u->thumb;
    tslots[4] = &u->filter_all;
    tslots[5] = &u->filter_movies;
    tslots[6] = &u->filter_music;
    tslots[7] = &u->filter_photos;
    tslots[8] = &u->filter_television;
    if (xml_i64(r, t, "id", &u->id, &found))
        return plex__error_set(err, PLEX_ESCHEMA, "User.id: expected integer");
    if (!found && (flags & PLEX_PARSE_STRICT))
        return plex__error_set(err, PLEX_ESCHEMA, "missing required field: User.id");
    for (size_t i = 0; i < 8; i++)
        if (xml_bool(r, t, bools[i], bslots[i]))
            return plex__error_set(err, PLEX_ESCHEMA, "User.%s: expected 0 or 1", bools[i]);
    for (size_t i = 0; i < 9; i++)
        if (xml_text(r, t, arena, texts[i], tslots[i]))
            return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    if (t->self_closing)
        return plex__xml_skip(r, t) ? plex__xml_error(r, err) : 0;
    while (rc == 0) {
        plex__xml_token c;
        plex_users_server *s = NULL;

        if (plex__xml_next(r, &c))
            return plex__xml_error(r, err);
        if (c.type == PLEX__XML_END)
            break;
        if (c.type != PLEX__XML_START)
            continue;
        if (!plex__xml_name_is(r, &c, "Server")) {
            if (plex__xml_skip(r, &c))
                return plex__xml_error(r, err);
            continue;
        }
        rc = users_server(r, &c, arena, &s, err);
        if (rc == 0 &&
            push_ptr(arena, (const void ***)(void *)&u->servers, &u->servers_count, &scap, s))
            rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
        if (rc == 0 && plex__xml_skip(r, &c))
            rc = plex__xml_error(r, err);
    }
    return rc;
}

int plex_users_parse_xml(plex_users **out, const char *data, size_t len, unsigned int flags,
                         plex_error *err)
{
    plex__xml_reader r;
    plex__xml_token t;
    struct plex_users *root;
    plex__arena *arena;
    int rc = 0;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!data && len)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: data is NULL");
    plex_error_clear(err);
    plex__xml_reader_init(&r, data ? data : "", len);
    if (plex__xml_next(&r, &t))
        return plex__xml_error(&r, err);
    if (!plex__xml_name_is(&r, &t, "MediaContainer"))
        return plex__error_set(err, PLEX_ESCHEMA,
                               "expected a <MediaContainer> element at the top level");
    root = plex__arena_new(sizeof(*root), len + 64 > 4096 ? 4096 : len + 64);
    if (!root)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    arena = plex__arena_of(root);
    if (xml_text(&r, &t, arena, "friendlyName", &root->friendly_name))
        rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
    if (rc == 0 && t.self_closing && plex__xml_skip(&r, &t))
        rc = plex__xml_error(&r, err);
    while (rc == 0 && !t.self_closing) {
        plex__xml_token c;
        plex_users_entry *u = NULL;

        if (plex__xml_next(&r, &c)) {
            rc = plex__xml_error(&r, err);
            break;
        }
        if (c.type == PLEX__XML_END)
            break;
        if (c.type != PLEX__XML_START)
            continue;
        if (!plex__xml_name_is(&r, &c, "User")) {
            rc = plex__xml_skip(&r, &c) ? plex__xml_error(&r, err) : 0;
            continue;
        }
        rc = users_entry(&r, &c, arena, flags, &u, err);
        if (rc == 0 &&
            push_ptr(arena, (const void ***)(void *)&root->items, &root->count, &root->cap, u))
            rc = plex__error_set(err, PLEX_ENOMEM, "out of memory");
    }
    if (rc == 0 && (plex__xml_next(&r, &t) || t.type != PLEX__XML_EOF))
        rc = plex__xml_error(&r, err);
    if (rc) {
        plex__arena_free_root(root);
        return rc;
    }
    *out = root;
    return 0;
}

const char *plex_users_friendly_name(const plex_users *list)
{
    return list ? list->friendly_name : NULL;
}

size_t plex_users_count(const plex_users *list)
{
    return list ? list->count : 0;
}

const plex_users_entry *plex_users_at(const plex_users *list, size_t i)
{
    return list && i < list->count ? list->items[i] : NULL;
}

size_t plex_users_entry_servers_count(const plex_users_entry *user)
{
    return user ? user->servers_count : 0;
}

const plex_users_server *plex_users_entry_server_at(const plex_users_entry *user, size_t i)
{
    return user && i < user->servers_count ? user->servers[i] : NULL;
}

void plex_users_free(plex_users *list)
{
    plex__arena_free_root(list);
}

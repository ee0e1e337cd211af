/*
 * The account models: resources (nulls, missing fields, null elements,
 * strict vs tolerant), companions, friends, home, GeoData on its own, the
 * v1 users XML; required bits in step with the tables; round trip of the
 * resources; _free(NULL); allocation failure.
 */
#include <plex/plex.h>

#include "core/alloc.h"
#include "schema_check.h"
#include "test.h"
#include "tv/models.gen.h"

static char *load(const char *name, size_t *len)
{
    char *d = test_read_file(test_fixture(name), len);
    REQUIRE(d != NULL);
    return d;
}

static void test_schema_required_bits(void)
{
    const plex__schema *all[] = {&plex__connection_schema, &plex__resource_schema,
                                 &plex__resources_schema,  &plex__companion_schema,
                                 &plex__companions_schema, &plex__friend_schema,
                                 &plex__friends_schema,    &plex__home_schema};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        check_schema(all[i]);
}

static void test_resources_seed(void)
{
    size_t len;
    char *d = load("resources/seed.json", &len);
    plex_resources *l = NULL, *l2 = NULL;
    const plex_resource *r;
    const plex_connection *c;
    plex_error err;
    char *json = NULL, *json2 = NULL;

    REQUIRE(plex_resources_parse(&l, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(plex_resources_count(l), 3);
    r = plex_resources_at(l, 0);
    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Living Room");
    CHECK_STR(r->product, "Plex Media Server");
    CHECK_STR(r->product_version, "1.40.2.8395-c67dce28e");
    CHECK_STR(r->platform, "Linux");
    CHECK_STR(r->platform_version, "12");
    CHECK_STR(r->device, "PC");
    CHECK_STR(r->client_identifier, "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d");
    CHECK_INT(r->created_at.seconds, 1561376282);
    CHECK_INT(r->last_seen_at.seconds, 1721149385);
    CHECK_STR(r->provides, "server");
    CHECK_INT(r->owner_id, 0);
    CHECK(!(r->present & (1u << 10)));
    CHECK(r->source_title == NULL);
    CHECK_STR(r->public_address, "203.0.113.10");
    CHECK_STR(r->access_token, "server-token-0001");
    CHECK_INT(r->owned, PLEX_TRUE);
    CHECK_INT(r->home, PLEX_FALSE);
    CHECK_INT(r->synced, PLEX_FALSE);
    CHECK_INT(r->relay, PLEX_TRUE);
    CHECK_INT(r->presence, PLEX_TRUE);
    CHECK_INT(r->https_required, PLEX_FALSE);
    CHECK_INT(r->public_address_matches, PLEX_TRUE);
    CHECK_INT(r->dns_rebinding_protection, PLEX_FALSE);
    CHECK_INT(r->nat_loopback_supported, PLEX_TRUE);
    CHECK_INT(plex_resource_connections_count(r), 2);
    c = plex_resource_connection_at(r, 0);
    REQUIRE(c != NULL);
    CHECK_STR(c->protocol, "https");
    CHECK_STR(c->address, "192.168.1.20");
    CHECK_INT(c->port, 32400);
    CHECK_STR(c->uri, "https://192-168-1-20.3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c.plex.direct:32400");
    CHECK_INT(c->local, PLEX_TRUE);
    CHECK_INT(c->relay, PLEX_FALSE);
    CHECK_INT(c->ipv6, PLEX_FALSE);
    CHECK_INT(c->present, 0x7F);
    c = plex_resource_connection_at(r, 1);
    REQUIRE(c != NULL);
    CHECK_INT(c->relay, PLEX_TRUE);
    CHECK(plex_resource_connection_at(r, 2) == NULL);

    r = plex_resources_at(l, 1);
    REQUIRE(r != NULL);
    CHECK_INT(r->owner_id, 2345678);
    CHECK_STR(r->source_title, "friend");
    CHECK_STR(r->access_token, "shared-token-0002");
    CHECK_INT(r->owned, PLEX_FALSE);

    r = plex_resources_at(l, 2);
    REQUIRE(r != NULL);
    CHECK(r->access_token == NULL);
    CHECK_INT(plex_resource_connections_count(r), 0);
    CHECK(plex_resources_at(l, 3) == NULL);

    /* decode(encode(x)) == x, checked through a second encoding */
    REQUIRE(plex_resources_to_json(l, &json) == 0);
    REQUIRE(plex_resources_parse(&l2, json, strlen(json), PLEX_PARSE_STRICT, &err) == 0);
    REQUIRE(plex_resources_to_json(l2, &json2) == 0);
    CHECK_STR(json, json2);
    CHECK_INT(plex_resources_count(l2), 3);
    plex_free(json);
    plex_free(json2);
    plex_resources_free(l2);
    plex_resources_free(l);
    free(d);
}

static void test_resources_tolerant(void)
{
    size_t len;
    char *d = load("resources/missing_and_nulls.json", &len);
    plex_resources *l = NULL;
    const plex_resource *r;
    const plex_connection *c;
    plex_error err;

    REQUIRE(plex_resources_parse(&l, d, len, 0, &err) == 0);
    CHECK_INT(plex_resources_count(l), 2); /* the null element is dropped */
    r = plex_resources_at(l, 0);
    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Old Server");
    CHECK(r->product == NULL);
    CHECK(r->public_address == NULL);
    CHECK_INT(r->created_at.seconds, 1553734577);
    CHECK_INT(r->created_at.millis, 247);
    CHECK(!(r->present & (1u << 8))); /* lastSeenAt null */
    CHECK_INT(r->presence, PLEX_ABSENT);
    CHECK_INT(r->home, PLEX_ABSENT);
    CHECK_INT(plex_resource_connections_count(r), 2);
    c = plex_resource_connection_at(r, 0);
    CHECK_INT(c->relay, PLEX_ABSENT);
    CHECK_INT(c->local, PLEX_TRUE);
    c = plex_resource_connection_at(r, 1);
    CHECK(c->protocol == NULL);
    CHECK_INT(c->port, 0);
    CHECK_STR(c->uri, "http://10.0.0.3:32400");
    r = plex_resources_at(l, 1);
    CHECK_STR(r->client_identifier, "bare");
    CHECK(r->connections == NULL);
    CHECK_INT(plex_resource_connections_count(r), 0);
    plex_resources_free(l);
    /* strict refuses the null element */
    CHECK_INT(plex_resources_parse(&l, d, len, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    CHECK(l == NULL);
    free(d);

    d = load("resources/empty.json", &len);
    REQUIRE(plex_resources_parse(&l, d, len, PLEX_PARSE_STRICT, NULL) == 0);
    CHECK_INT(plex_resources_count(l), 0);
    CHECK(plex_resources_at(l, 0) == NULL);
    plex_resources_free(l);
    free(d);

    d = load("resources/not_an_array.json", &len);
    CHECK_INT(plex_resources_parse(&l, d, len, 0, &err), PLEX_ESCHEMA);
    CHECK(strstr(err.message, "expected an array") != NULL);
    free(d);

    d = load("resources/wrong_type.json", &len);
    CHECK_INT(plex_resources_parse(&l, d, len, 0, &err), PLEX_ESCHEMA);
    CHECK(strstr(err.message, "name") != NULL);
    free(d);

    d = load("resources/no_client_identifier.json", &len);
    REQUIRE(plex_resources_parse(&l, d, len, 0, &err) == 0);
    plex_resources_free(l);
    CHECK_INT(plex_resources_parse(&l, d, len, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    CHECK(strstr(err.message, "clientIdentifier") != NULL);
    free(d);

    CHECK_INT(plex_resources_parse(&l, "[{\"name\":", 9, 0, &err), PLEX_EPARSE);
    CHECK_INT(plex_resources_parse(&l, "[] x", 4, 0, &err), PLEX_EPARSE);
    CHECK_INT(plex_resources_parse(NULL, "[]", 2, 0, &err), PLEX_EINVALID);
    CHECK_INT(plex_resources_count(NULL), 0);
    CHECK(plex_resources_at(NULL, 0) == NULL);
    CHECK_INT(plex_resource_connections_count(NULL), 0);
    CHECK(plex_resource_connection_at(NULL, 0) == NULL);
}

static void test_companions_friends_home(void)
{
    size_t len;
    char *d = load("companions/seed.json", &len);
    plex_companions *cs = NULL;
    plex_friends *fs = NULL;
    plex_home *h = NULL;
    const plex_companion *c;
    const plex_friend *f;
    plex_error err;

    REQUIRE(plex_companions_parse(&cs, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(plex_companions_count(cs), 2);
    c = plex_companions_at(cs, 0);
    CHECK_STR(c->identifier, "tv.plex.sonos");
    CHECK_STR(c->base_url, "https://sonos.plex.tv");
    CHECK_STR(c->title, "Sonos");
    CHECK_STR(c->link_url, "https://sonos.plex.tv/link");
    CHECK_STR(c->provides, "client,player");
    CHECK_STR(c->token, "companion-token");
    c = plex_companions_at(cs, 1);
    CHECK(c->base_url == NULL && c->token == NULL);
    CHECK(plex_companions_at(cs, 2) == NULL);
    plex_companions_free(cs);
    free(d);

    d = load("friends/seed.json", &len);
    REQUIRE(plex_friends_parse(&fs, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(plex_friends_count(fs), 2);
    f = plex_friends_at(fs, 0);
    CHECK_INT(f->id, 2345678);
    CHECK_STR(f->uuid, "a1b2c3d4e5f60718");
    CHECK_STR(f->username, "friend");
    CHECK_STR(f->email, "friend@example.invalid");
    CHECK_STR(f->friendly_name, "Friend");
    CHECK_INT(f->home, PLEX_FALSE);
    CHECK_STR(f->status, "accepted");
    CHECK_STR(f->shared_servers, "[{\"id\":1}]");
    CHECK_STR(f->shared_sources, "[]");
    f = plex_friends_at(fs, 1);
    CHECK(f->friendly_name == NULL && f->email == NULL && f->shared_servers == NULL);
    CHECK_INT(f->restricted, PLEX_TRUE);
    CHECK_STR(f->status, "pending");
    plex_friends_free(fs);
    free(d);

    d = load("home/seed.json", &len);
    REQUIRE(plex_home_parse(&h, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(h->id, 1841489);
    CHECK_STR(h->name, "Blindkitty38's home");
    CHECK_INT(h->guest_user_id, 58815432);
    CHECK_STR(h->guest_user_uuid, "f3df4e01bfca0787");
    CHECK_INT(h->guest_enabled, PLEX_FALSE);
    CHECK_INT(h->subscription, PLEX_FALSE);
    CHECK_INT(h->present, 0x3F);
    plex_home_free(h);
    free(d);

    d = load("home/nulls.json", &len);
    REQUIRE(plex_home_parse(&h, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK(h->name == NULL);
    CHECK_INT(h->guest_enabled, PLEX_ABSENT);
    CHECK_INT(h->present, 0x1);
    plex_home_free(h);
    free(d);
    CHECK_INT(plex_home_parse(&h, "[]", 2, 0, &err), PLEX_ESCHEMA);
    CHECK_INT(plex_friends_parse(&fs, "{}", 2, 0, &err), PLEX_ESCHEMA);
    CHECK_INT(plex_companions_parse(&cs, "[1]", 3, 0, &err), PLEX_ESCHEMA);
}

static void test_geodata(void)
{
    size_t len;
    char *d = load("geoip/seed.json", &len);
    plex_geodata *g = NULL;
    plex_error err;

    REQUIRE(plex_geodata_parse(&g, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_STR(g->code, "VI");
    CHECK_STR(g->postal_code, "802");
    CHECK_INT(g->european_union_member, PLEX_TRUE);
    CHECK_INT(g->has_lat_lon, 1);
    plex_geodata_free(g);
    free(d);
    CHECK_INT(plex_geodata_parse(&g, "{\"code\":1}", 10, 0, &err), PLEX_ESCHEMA);
}

static void test_users_v1(void)
{
    size_t len;
    char *d = load("users_v1/seed.xml", &len);
    plex_users *l = NULL;
    const plex_users_entry *u;
    const plex_users_server *s;
    plex_error err;

    REQUIRE(plex_users_parse_xml(&l, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_STR(plex_users_friendly_name(l), "myPlex");
    CHECK_INT(plex_users_count(l), 2);
    u = plex_users_at(l, 0);
    REQUIRE(u != NULL);
    CHECK_INT(u->id, 2345678);
    CHECK_STR(u->title, "friend");
    CHECK_STR(u->username, "friend");
    CHECK_STR(u->email, "friend@example.invalid");
    CHECK_INT(u->protected_, PLEX_TRUE);
    CHECK_INT(u->home, PLEX_FALSE);
    CHECK_INT(u->allow_sync, PLEX_TRUE);
    CHECK_INT(u->allow_channels, PLEX_TRUE);
    CHECK_INT(u->allow_subtitle_admin, PLEX_FALSE);
    CHECK_INT(u->restricted, PLEX_FALSE);
    CHECK_STR(u->filter_movies, "label=Kids & \"Family\"");
    CHECK_STR(u->filter_all, "");
    CHECK_INT(plex_users_entry_servers_count(u), 2);
    s = plex_users_entry_server_at(u, 0);
    REQUIRE(s != NULL);
    CHECK_INT(s->id, 9876543);
    CHECK_INT(s->server_id, 1234567);
    CHECK_STR(s->machine_identifier, "5d8f0c1e9a7b3c2d4e6f8a0b1c2d3e4f5a6b7c8d");
    CHECK_STR(s->name, "Living Room");
    CHECK_INT(s->last_seen_at, 1700000000);
    CHECK_INT(s->num_libraries, 3);
    CHECK_INT(s->all_libraries, PLEX_TRUE);
    CHECK_INT(s->owned, PLEX_TRUE);
    CHECK_INT(s->pending, PLEX_FALSE);
    s = plex_users_entry_server_at(u, 1);
    CHECK_INT(s->last_seen_at, 0);
    CHECK_INT(s->pending, PLEX_TRUE);
    CHECK(plex_users_entry_server_at(u, 2) == NULL);
    u = plex_users_at(l, 1);
    REQUIRE(u != NULL);
    CHECK_INT(u->id, 3456789);
    CHECK_STR(u->username, "");
    CHECK(u->filter_movies == NULL);
    CHECK_INT(u->allow_sync, PLEX_ABSENT);
    CHECK_INT(u->restricted, PLEX_TRUE);
    CHECK_INT(plex_users_entry_servers_count(u), 0);
    CHECK(plex_users_at(l, 2) == NULL);
    plex_users_free(l);
    free(d);

    d = load("users_v1/empty.xml", &len);
    REQUIRE(plex_users_parse_xml(&l, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(plex_users_count(l), 0);
    plex_users_free(l);
    free(d);

    d = load("users_v1/bad_id.xml", &len);
    CHECK_INT(plex_users_parse_xml(&l, d, len, 0, &err), PLEX_ESCHEMA);
    CHECK(l == NULL);
    free(d);
    d = load("users_v1/malformed.xml", &len);
    CHECK_INT(plex_users_parse_xml(&l, d, len, 0, &err), PLEX_EPARSE);
    free(d);
    d = load("users_v1/wrong_root.xml", &len);
    CHECK_INT(plex_users_parse_xml(&l, d, len, 0, &err), PLEX_ESCHEMA);
    free(d);
    d = load("users_v1/no_id.xml", &len);
    REQUIRE(plex_users_parse_xml(&l, d, len, 0, &err) == 0);
    CHECK_INT(plex_users_at(l, 0)->id, 0);
    plex_users_free(l);
    CHECK_INT(plex_users_parse_xml(&l, d, len, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    free(d);
    CHECK_INT(plex_users_parse_xml(&l, "{}", 2, 0, &err), PLEX_EPARSE);
    CHECK_INT(plex_users_count(NULL), 0);
    CHECK(plex_users_friendly_name(NULL) == NULL);
    CHECK_INT(plex_users_entry_servers_count(NULL), 0);
}

/* Every allocation of a decode may fail: no leak, no crash, NULL out. */
static void fail_each(const char *name, int xml,
                      int (*parse)(void **, const char *, size_t, plex_error *),
                      void (*release)(void *))
{
    size_t len;
    char *d = load(name, &len);
    void *o = NULL;
    unsigned long total;

    (void)xml;
    plex__alloc_fail_at(0);
    REQUIRE(parse(&o, d, len, NULL) == 0);
    total = plex__alloc_count();
    release(o);
    for (unsigned long n = 1; n <= total; n++) {
        plex__alloc_fail_at(n);
        o = NULL;
        CHECK_INT(parse(&o, d, len, NULL), PLEX_ENOMEM);
        CHECK(o == NULL);
    }
    plex__alloc_fail_at(0);
    free(d);
}

#define ADAPT(fn, type, p, f)                                                                      \
    static int fn(void **out, const char *d, size_t n, plex_error *e)                              \
    {                                                                                              \
        type *o = NULL;                                                                            \
        int rc = p(&o, d, n, 0, e);                                                                \
        *out = o;                                                                                  \
        return rc;                                                                                 \
    }                                                                                              \
    static void fn##_free(void *o)                                                                 \
    {                                                                                              \
        f(o);                                                                                      \
    }
ADAPT(res_parse, plex_resources, plex_resources_parse, plex_resources_free)
ADAPT(fr_parse, plex_friends, plex_friends_parse, plex_friends_free)
ADAPT(users_parse, plex_users, plex_users_parse_xml, plex_users_free)
#undef ADAPT

static void test_memory(void)
{
    plex_resources_free(NULL);
    plex_companions_free(NULL);
    plex_friends_free(NULL);
    plex_home_free(NULL);
    plex_users_free(NULL);
    plex_geodata_free(NULL);
    fail_each("resources/seed.json", 0, res_parse, res_parse_free);
    fail_each("friends/seed.json", 0, fr_parse, fr_parse_free);
    fail_each("users_v1/seed.xml", 1, users_parse, users_parse_free);
}

int main(void)
{
    test_schema_required_bits();
    test_resources_seed();
    test_resources_tolerant();
    test_companions_friends_home();
    test_geodata();
    test_users_v1();
    test_memory();
    return test_summary("test_account");
}

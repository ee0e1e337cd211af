/*
 * The account operations against plexsim on 127.0.0.1: resources (with
 * per-server tokens and connections), geoip, companions, friends, home,
 * the v1 users list (XML), password sign-in with 2FA and its error codes,
 * 401 without a valid token, and faults on the wire.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <plex/plex.h>

#include "sim.h"
#include "test.h"

#define USER_TOKEN "plexsim-user-token-0001"

static plex_client *client_for(const sim *s, const char *token)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_client *c = NULL;
    plex_error err;

    o.client_identifier = "test-account-0001";
    o.product = "libplex tests";
    o.base_url = s->url;
    o.token = token;
    o.request_timeout_ms = 5000;
    o.connect_timeout_ms = 2000;
    if (plex_client_new(&c, &o, &err) != 0) {
        fprintf(stderr, "client: %s\n", err.message);
        exit(1);
    }
    return c;
}

/* The first error entry's code of the client's last failure, or 0. */
static int api_code(const plex_client *c)
{
    const plex_api_error *e = plex_api_errors_at(plex_client_last_api_errors(c), 0);
    return e ? e->code : 0;
}

static void test_resources(const sim *s)
{
    plex_client *c = client_for(s, USER_TOKEN);
    plex_resources *l = NULL;
    const plex_resource *r;
    size_t i, nconn = 0;
    int found_relay = 0, found_v6 = 0;

    REQUIRE(plex_resources_get(&l, c, 0) == 0);
    CHECK_INT(plex_resources_count(l), 3);
    r = plex_resources_at(l, 0);
    REQUIRE(r != NULL);
    CHECK_STR(r->name, "plexsim Server");
    CHECK_STR(r->provides, "server");
    CHECK_STR(r->access_token, "plexsim-server-token-0001");
    CHECK_INT(r->owned, PLEX_TRUE);
    CHECK(r->created_at.seconds == 1561376282);
    CHECK(r->last_seen_at.seconds > 1700000000);
    nconn = plex_resource_connections_count(r);
    /* 127.0.0.1, 127.0.0.2, [::1] and the relay 127.0.0.3 (http: no plex.direct names) */
    CHECK_INT(nconn, 4);
    for (i = 0; i < nconn; i++) {
        const plex_connection *cn = plex_resource_connection_at(r, i);
        REQUIRE(cn != NULL && cn->uri != NULL && cn->protocol != NULL);
        found_relay |= cn->relay == PLEX_TRUE;
        found_v6 |= cn->ipv6 == PLEX_TRUE;
    }
    CHECK(found_relay && found_v6);
    r = plex_resources_at(l, 1);
    CHECK_INT(r->owner_id, 2345678);
    CHECK_STR(r->source_title, "friend");
    r = plex_resources_at(l, 2);
    CHECK(r->access_token == NULL);
    CHECK_INT(plex_resource_connections_count(r), 0);
    plex_resources_free(l);

    /* without https, relay and IPv6: only the plain local and remote ones */
    REQUIRE(plex_resources_get(&l, c,
                               PLEX_RESOURCES_NO_HTTPS | PLEX_RESOURCES_NO_RELAY |
                                   PLEX_RESOURCES_NO_IPV6) == 0);
    CHECK_INT(plex_resource_connections_count(plex_resources_at(l, 0)), 2);
    plex_resources_free(l);
    plex_client_free(c);

    c = client_for(s, "not-a-token");
    l = (plex_resources *)&l;
    CHECK_INT(plex_resources_get(&l, c, 0), PLEX_EAUTH);
    CHECK(l == NULL);
    CHECK_INT(api_code(c), 1001);
    plex_client_free(c);

    c = client_for(s, NULL);
    CHECK_INT(plex_resources_get(&l, c, 0), PLEX_EAUTH); /* refused before sending */
    plex_client_free(c);
}

static void test_geoip(const sim *s)
{
    plex_client *c = client_for(s, NULL);
    plex_geodata *g = NULL;

    REQUIRE(plex_geoip_get(&g, c) == 0);
    CHECK_STR(g->code, "NL");
    CHECK(g->city != NULL);
    plex_geodata_free(g);
    plex_client_free(c);
}

static void test_companions_friends_home(const sim *s)
{
    plex_client *c = client_for(s, USER_TOKEN);
    plex_companions *cs = NULL;
    plex_friends *fs = NULL;
    plex_home *h = NULL;
    const plex_friend *f;

    REQUIRE(plex_companions_get(&cs, c) == 0);
    CHECK_INT(plex_companions_count(cs), 1);
    CHECK_STR(plex_companions_at(cs, 0)->identifier, "tv.plex.sonos");
    CHECK_STR(plex_companions_at(cs, 0)->token, "plexsim-companion-token");
    plex_companions_free(cs);

    REQUIRE(plex_friends_get(&fs, c) == 0);
    CHECK_INT(plex_friends_count(fs), 2);
    f = plex_friends_at(fs, 0);
    CHECK_INT(f->id, 2345678);
    CHECK_STR(f->friendly_name, "Friend");
    f = plex_friends_at(fs, 1);
    CHECK(f->friendly_name == NULL && f->email == NULL);
    CHECK_INT(f->restricted, PLEX_TRUE);
    CHECK_STR(f->shared_servers, "[]");
    plex_friends_free(fs);

    REQUIRE(plex_home_get(&h, c) == 0);
    CHECK_INT(h->id, 1841489);
    CHECK_STR(h->guest_user_uuid, "f3df4e01bfca0787");
    CHECK_INT(h->guest_enabled, PLEX_FALSE);
    plex_home_free(h);
    plex_client_free(c);

    c = client_for(s, "bad");
    CHECK_INT(plex_companions_get(&cs, c), PLEX_EAUTH);
    CHECK_INT(plex_friends_get(&fs, c), PLEX_EAUTH);
    CHECK_INT(plex_home_get(&h, c), PLEX_EAUTH);
    CHECK(cs == NULL && fs == NULL && h == NULL);
    plex_client_free(c);
}

static void test_users_v1(const sim *s)
{
    plex_client *c = client_for(s, USER_TOKEN);
    plex_users *l = NULL;
    const plex_users_entry *u;
    const plex_users_server *sv;

    REQUIRE(plex_users_get(&l, c) == 0);
    CHECK_STR(plex_users_friendly_name(l), "myPlex");
    CHECK_INT(plex_users_count(l), 2);
    u = plex_users_at(l, 0);
    CHECK_INT(u->id, 2345678);
    CHECK_STR(u->filter_movies, "label=Kids & \"Family\"");
    CHECK_INT(plex_users_entry_servers_count(u), 1);
    sv = plex_users_entry_server_at(u, 0);
    CHECK_STR(sv->name, "plexsim Server");
    CHECK_INT(sv->num_libraries, 3);
    u = plex_users_at(l, 1);
    CHECK_INT(u->home, PLEX_TRUE);
    CHECK_INT(u->restricted, PLEX_TRUE);
    plex_users_free(l);
    plex_client_free(c);

    c = client_for(s, "bad");
    CHECK_INT(plex_users_get(&l, c), PLEX_EAUTH);
    CHECK_INT(api_code(c), 1001); /* from the XML error body */
    plex_client_free(c);
}

static void test_signin(const sim *s)
{
    plex_client *c = client_for(s, NULL), *c2;
    plex_user *u = NULL, *me = NULL;
    int i;

    REQUIRE(plex_signin_password(&u, c, "plexsim", "plexsim-password", NULL, 1) == 0);
    CHECK_STR(u->username, "plexsim");
    REQUIRE(u->auth_token != NULL);
    /* the new token works */
    c2 = client_for(s, u->auth_token);
    REQUIRE(plex_user_get(&me, c2) == 0);
    CHECK_INT(me->id, u->id);
    plex_user_free(me);
    plex_client_free(c2);
    plex_user_free(u);
    u = NULL;

    REQUIRE(plex_signin_password(&u, c, "plexsim@example.invalid", "plexsim-password", "", 0) == 0);
    plex_user_free(u);
    u = NULL;

    /* 2FA: needs a code (1029), a wrong one is 1028, the right one works */
    CHECK_INT(plex_signin_password(&u, c, "plexsim-2fa", "plexsim-password", NULL, 1), PLEX_EAUTH);
    CHECK_INT(api_code(c), 1029);
    CHECK_INT(plex_signin_password(&u, c, "plexsim-2fa", "plexsim-password", "000000", 1),
              PLEX_EAUTH);
    CHECK_INT(api_code(c), 1028);
    CHECK(u == NULL);
    REQUIRE(plex_signin_password(&u, c, "plexsim-2fa", "plexsim-password", "123456", 1) == 0);
    CHECK(u->auth_token != NULL);
    plex_user_free(u);
    u = NULL;

    /* a wrong password is 1001; five in a row lock sign-in: 429/1031 */
    for (i = 0; i < 5; i++) {
        CHECK_INT(plex_signin_password(&u, c, "plexsim", "wrong & password", NULL, 0), PLEX_EAUTH);
        CHECK_INT(api_code(c), 1001);
    }
    CHECK_INT(plex_signin_password(&u, c, "plexsim", "plexsim-password", NULL, 0), PLEX_ERATELIMIT);
    CHECK_INT(api_code(c), 1031);
    CHECK(u == NULL);
    CHECK_INT(sim_control(s, "POST", "/__sim/reset", NULL, NULL), 200);
    REQUIRE(plex_signin_password(&u, c, "plexsim", "plexsim-password", NULL, 0) == 0);
    plex_user_free(u);

    CHECK_INT(plex_signin_password(&u, c, NULL, "x", NULL, 0), PLEX_EINVALID);
    CHECK_INT(plex_signin_password(&u, c, "plexsim", NULL, NULL, 0), PLEX_EINVALID);
    CHECK_INT(plex_signin_password(NULL, c, "a", "b", NULL, 0), PLEX_EINVALID);
    plex_client_free(c);
}

static void test_faults_and_stats(const sim *s)
{
    plex_client *c = client_for(s, USER_TOKEN);
    plex_friends *fs = NULL;
    plex_home *h = NULL;

    CHECK_INT(sim_control(s, "POST", "/__sim/reset", NULL, NULL), 200);
    CHECK_INT(sim_control(s, "POST",
                          "/__sim/fault?route=GET+/api/v2/friends&seq=garbage,500,truncate", NULL,
                          NULL),
              200);
    CHECK_INT(plex_friends_get(&fs, c), PLEX_EPARSE);
    CHECK_INT(plex_friends_get(&fs, c), PLEX_ESERVER);
    CHECK(plex_friends_get(&fs, c) != 0);
    CHECK(fs == NULL);
    REQUIRE(plex_friends_get(&fs, c) == 0);
    plex_friends_free(fs);
    REQUIRE(plex_home_get(&h, c) == 0);
    plex_home_free(h);
    CHECK_INT(sim_stat(s, "GET /api/v2/friends", NULL), 4);
    CHECK_INT(sim_stat(s, "GET /api/v2/home", NULL), 1);
    plex_client_free(c);
}

/* A listening socket on 127.0.0.1 that never accepts: connections hang.
 * With listen == 0 the port is closed again at once: connections are refused. */
static int loopback_port(int listen_too, int *fd_out)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    REQUIRE(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    REQUIRE(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
    if (listen_too) {
        REQUIRE(listen(fd, 16) == 0);
        *fd_out = fd;
    } else {
        close(fd);
        *fd_out = -1;
    }
    return ntohs(a.sin_port);
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static plex_resources *server_with(const char *conns)
{
    char doc[2048];
    plex_resources *l = NULL;
    plex_error err;

    snprintf(doc, sizeof(doc),
             "[{\"name\":\"race\",\"clientIdentifier\":\"race-0001\",\"provides\":\"server\","
             "\"accessToken\":\"plexsim-server-token-0001\",\"connections\":[%s]}]",
             conns);
    if (plex_resources_parse(&l, doc, strlen(doc), PLEX_PARSE_STRICT, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return l;
}

static void test_best_connection(const sim *s)
{
    plex_client *c = client_for(s, USER_TOKEN);
    int hole_fd, refused_fd, hole = loopback_port(1, &hole_fd);
    int refused = loopback_port(0, &refused_fd);
    char conns[1024];
    plex_resources *l;
    plex_connect_report *rep = NULL;
    const plex_connect_attempt *a;
    long t0;

    /* listed relay first, good last: the order of preference must not
     * depend on the order of the list; the good one is plexsim's media server */
    snprintf(conns, sizeof(conns),
             "{\"uri\":\"http://127.0.0.1:%d\",\"local\":false,\"relay\":true},"
             "{\"uri\":\"%s\",\"local\":false,\"relay\":false},"
             "{\"uri\":\"http://127.0.0.1:%d\",\"local\":true,\"relay\":false},"
             "{\"uri\":\"http://127.0.0.1:%d/\",\"local\":true,\"relay\":false},"
             "{\"address\":\"no uri\"}",
             hole, s->pms_url, hole, refused);
    l = server_with(conns);
    t0 = now_ms();
    REQUIRE(plex_resource_connect(&rep, c, plex_resources_at(l, 0), 5000) == 0);
    CHECK(now_ms() - t0 < 2500); /* the black hole did not hold it up */
    REQUIRE(plex_connect_report_chosen(rep) != NULL);
    CHECK_STR(plex_connect_report_chosen(rep)->uri, s->pms_url);
    CHECK_INT(plex_connect_report_count(rep), 4);
    a = plex_connect_report_at(rep, 0); /* local black hole: cancelled */
    CHECK(a->connection->local == PLEX_TRUE && a->started == 1);
    CHECK_INT(a->result, PLEX_ECANCELLED);
    a = plex_connect_report_at(rep, 1); /* local refused */
    CHECK_INT(a->result, PLEX_ECONNECT);
    a = plex_connect_report_at(rep, 2); /* remote: the winner */
    CHECK_INT(a->result, 0);
    CHECK_INT(a->http_status, 200);
    a = plex_connect_report_at(rep, 3); /* relay: never needed */
    CHECK(a->connection->relay == PLEX_TRUE);
    CHECK_INT(a->started, 0);
    CHECK_INT(a->result, PLEX_ECANCELLED);
    CHECK(plex_connect_report_at(rep, 4) == NULL);
    plex_connect_report_free(rep);
    plex_resources_free(l);

    /* black hole and refused only: the deadline ends it */
    snprintf(conns, sizeof(conns),
             "{\"uri\":\"http://127.0.0.1:%d\",\"local\":true},"
             "{\"uri\":\"http://127.0.0.1:%d\",\"relay\":true}",
             hole, refused);
    l = server_with(conns);
    t0 = now_ms();
    CHECK_INT(plex_resource_connect(&rep, c, plex_resources_at(l, 0), 700), PLEX_ETIMEOUT);
    CHECK(now_ms() - t0 >= 650 && now_ms() - t0 < 3000);
    REQUIRE(rep != NULL);
    CHECK(plex_connect_report_chosen(rep) == NULL);
    CHECK_INT(plex_connect_report_at(rep, 0)->result, PLEX_ETIMEOUT);
    CHECK_INT(plex_connect_report_at(rep, 1)->result, PLEX_ECONNECT); /* relay started late */
    CHECK_INT(plex_client_last_error(c)->code, PLEX_ETIMEOUT);
    plex_connect_report_free(rep);
    plex_resources_free(l);

    /* everything refused: over at once, relay started when the rest failed */
    snprintf(conns, sizeof(conns),
             "{\"uri\":\"http://127.0.0.1:%d\",\"relay\":true},"
             "{\"uri\":\"http://127.0.0.1:%d\",\"local\":true}",
             refused, refused);
    l = server_with(conns);
    t0 = now_ms();
    CHECK_INT(plex_resource_connect(&rep, c, plex_resources_at(l, 0), 5000), PLEX_ECONNECT);
    CHECK(now_ms() - t0 < 450); /* did not wait for the relay's turn */
    CHECK_INT(plex_connect_report_at(rep, 0)->result, PLEX_ECONNECT);
    CHECK_INT(plex_connect_report_at(rep, 1)->result, PLEX_ECONNECT);
    plex_connect_report_free(rep);
    plex_resources_free(l);

    /* no connections */
    l = server_with("");
    CHECK_INT(plex_resource_connect(&rep, c, plex_resources_at(l, 0), 1000), PLEX_ECONNECT);
    CHECK_INT(plex_connect_report_count(rep), 0);
    plex_connect_report_free(rep);
    plex_resources_free(l);
    CHECK_INT(plex_resource_connect(&rep, c, NULL, 1000), PLEX_EINVALID);
    plex_connect_report_free(NULL);

    close(hole_fd);
    plex_client_free(c);
}

int main(void)
{
    sim s;

    plex_global_init();
    sim_start_pms(&s, NULL);
    test_resources(&s);
    test_geoip(&s);
    test_companions_friends_home(&s);
    test_users_v1(&s);
    test_signin(&s);
    test_faults_and_stats(&s);
    test_best_connection(&s);
    sim_stop(&s);
    plex_global_cleanup();
    return test_summary("test_account");
}

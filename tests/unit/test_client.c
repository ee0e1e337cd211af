/*
 * The client without a server: options, URL rules, URL builders, and the
 * errors of a refused connection (127.0.0.1, nothing listening).
 */
#include <plex/plex.h>

#include "tv/client.h"
#include "test.h"

static void test_options(void)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT, o2;
    plex_client *c = NULL;
    plex_error err;

    CHECK_INT(plex_client_options_init(&o2, PLEX_CLIENT_OPTIONS_VERSION), 0);
    CHECK(memcmp(&o, &o2, sizeof(o)) == 0);
    CHECK_INT(plex_client_options_init(&o2, 99), PLEX_EINVALID);

    CHECK_INT(plex_client_new(&c, &o, &err), PLEX_EINVALID); /* no identifier */
    CHECK(strstr(err.message, "client identifier") != NULL);
    o.client_identifier = "test-id";
    o.base_url = "http://plex.tv";
    CHECK_INT(plex_client_new(&c, &o, &err), PLEX_EINVALID);
    CHECK(strstr(err.message, "loopback") != NULL);
    o.base_url = "http://127.evil.example";
    CHECK_INT(plex_client_new(&c, &o, &err), PLEX_EINVALID);
    o.base_url = "ftp://127.0.0.1";
    CHECK_INT(plex_client_new(&c, &o, &err), PLEX_EINVALID);
    o.base_url = "http://127.0.0.1:1/";
    o.product = "bad\r\nX-Injected: 1";
    CHECK_INT(plex_client_new(&c, &o, &err), PLEX_EINVALID);
    o.product = "test";
    CHECK_INT(plex_client_new(&c, &o, &err), 0);
    REQUIRE(c != NULL);
    CHECK_STR(c->http.base_url, "http://127.0.0.1:1");
    CHECK_STR(c->clients_url, "http://127.0.0.1:1"); /* an emulator serves the JWT API too */
    CHECK_INT(plex_client_set_token(c, "tok\n"), PLEX_EINVALID);
    CHECK_INT(plex_client_set_token(c, "tok"), 0);
    CHECK_INT(plex_client_set_token(c, NULL), 0);
    plex_client_free(c);
    plex_client_free(NULL);

    o.base_url = "http://localhost:1";
    CHECK_INT(plex_client_new(&c, &o, NULL), 0);
    plex_client_free(c);
    o.base_url = "http://[::1]:1";
    CHECK_INT(plex_client_new(&c, &o, NULL), 0);
    plex_client_free(c);
    o.base_url = NULL; /* https://plex.tv: allowed, nothing is sent */
    CHECK_INT(plex_client_new(&c, &o, NULL), 0);
    CHECK_STR(c->http.base_url, "https://plex.tv");
    CHECK_STR(c->clients_url, "https://clients.plex.tv"); /* PROTOCOL.md §6 */
    plex_client_free(c);
    o.base_url = "https://PLEX.tv/";
    CHECK_INT(plex_client_new(&c, &o, NULL), 0);
    CHECK_STR(c->clients_url, "https://clients.plex.tv");
    plex_client_free(c);
}

static void test_urls(void)
{
    plex_auth_url_options a = PLEX_AUTH_URL_OPTIONS_INIT;
    char *u = NULL;

    CHECK_INT(plex_pin_link_url(&u, "7RQZ"), 0);
    CHECK_STR(u, "https://plex.tv/link/?pin=7RQZ");
    plex_free(u);
    CHECK_INT(plex_pin_link_url(&u, "a b&c"), 0);
    CHECK_STR(u, "https://plex.tv/link/?pin=a%20b%26c");
    plex_free(u);
    CHECK_INT(plex_pin_link_url(&u, ""), PLEX_EINVALID);
    CHECK(u == NULL);
    CHECK_INT(plex_pin_link_url(&u, NULL), PLEX_EINVALID);

    CHECK_INT(plex_auth_app_url(&u, &a), PLEX_EINVALID);
    a.client_identifier = "3381b62b-9ab7-4e37-827b-203e9809eb58";
    a.code = "Q2WE8RTY4UIO9PAS3DFG7HJK1";
    a.product = "My App";
    CHECK_INT(plex_auth_app_url(&u, &a), 0);
    CHECK_STR(u, "https://app.plex.tv/auth#?clientID=3381b62b-9ab7-4e37-827b-203e9809eb58"
                 "&code=Q2WE8RTY4UIO9PAS3DFG7HJK1&context%5Bdevice%5D%5Bproduct%5D=My%20App");
    plex_free(u);
    a.forward_url = "https://example.com/done?x=1&y=2";
    a.platform = "Linux";
    a.device_name = "Living room TV";
    a.model = "é";
    CHECK_INT(plex_auth_app_url(&u, &a), 0);
    CHECK_STR(u, "https://app.plex.tv/auth#?clientID=3381b62b-9ab7-4e37-827b-203e9809eb58"
                 "&code=Q2WE8RTY4UIO9PAS3DFG7HJK1&context%5Bdevice%5D%5Bproduct%5D=My%20App"
                 "&forwardUrl=https%3A%2F%2Fexample.com%2Fdone%3Fx%3D1%26y%3D2"
                 "&context%5Bdevice%5D%5Bplatform%5D=Linux"
                 "&context%5Bdevice%5D%5BdeviceName%5D=Living%20room%20TV"
                 "&context%5Bdevice%5D%5Bmodel%5D=%C3%A9");
    plex_free(u);
}

static void test_refused(void)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_client *c = NULL;
    plex_pin *pin = (plex_pin *)(void *)&pin;
    const plex_error *e;

    o.client_identifier = "test-id";
    o.base_url = "http://127.0.0.1:1"; /* nothing listens on port 1 */
    REQUIRE(plex_client_new(&c, &o, NULL) == 0);
    CHECK_INT(plex_pin_create(&pin, c, 0), PLEX_ECONNECT);
    CHECK(pin == NULL);
    e = plex_client_last_error(c);
    CHECK_INT(e->code, PLEX_ECONNECT);
    CHECK_INT(e->curl_code, 7); /* CURLE_COULDNT_CONNECT */
    CHECK(strstr(e->message, "could not connect") != NULL);
    CHECK_INT(plex_pin_check(&pin, c, 1), PLEX_ECONNECT);
    CHECK_INT(plex_signout(c), PLEX_EAUTH); /* no token: nothing sent */
    CHECK_INT(plex_pin_link(c, "ABCD"), PLEX_EAUTH);
    {
        plex_user *u = NULL;
        CHECK_INT(plex_user_get(&u, c), PLEX_EAUTH);
    }
    plex_client_free(c);
}

static int count_retries(const plex_login_event *ev, void *payload)
{
    if (ev->type == PLEX_LOGIN_RETRY)
        ++*(int *)payload;
    return 0;
}

static void test_login_cancel_and_timeout(void)
{
    plex_client_options o = PLEX_CLIENT_OPTIONS_INIT;
    plex_login_options lo = PLEX_LOGIN_OPTIONS_INIT;
    plex_client *c = NULL;
    volatile sig_atomic_t cancel = 1;
    char *token = NULL;
    int retries = 0;

    o.client_identifier = "test-id";
    o.base_url = "http://127.0.0.1:1";
    REQUIRE(plex_client_new(&c, &o, NULL) == 0);
    lo.cancel = &cancel;
    CHECK_INT(plex_login_wait(&token, c, &lo), PLEX_ECANCELLED);
    CHECK(token == NULL);
    /* refused connections back off (2 s first); when the overall timeout ends
     * the wait before any code was shown, the service's failure is reported */
    lo.cancel = NULL;
    lo.timeout_ms = 300;
    lo.on_event = count_retries;
    lo.payload = &retries;
    CHECK_INT(plex_login_wait(&token, c, &lo), PLEX_ECONNECT);
    CHECK_INT(retries, 1);
    CHECK(strstr(plex_client_last_error(c)->message, "could not connect") != NULL);
    plex_client_free(c);
}

int main(void)
{
    plex_global_init();
    test_options();
    test_urls();
    test_refused();
    test_login_cancel_and_timeout();
    plex_global_cleanup();
    return test_summary("test_client");
}

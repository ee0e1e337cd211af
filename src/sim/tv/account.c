/*
 * plexsim's account routes: companions, friends, home, password sign-in
 * and the v1 users list. Like routes.c, no libmicrohttpd here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "tv.h"
#include "core/xml.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_XML "application/xml; charset=utf-8"
#define XML_PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define SERVER_ID SIM_SERVER_ID

sim_route sim_account_route(const char *method, const char *path)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        if (strcmp(path, "/api/v2/companions") == 0)
            return SIM_R_COMPANIONS;
        if (strcmp(path, "/api/v2/friends") == 0)
            return SIM_R_FRIENDS;
        if (strcmp(path, "/api/v2/home") == 0)
            return SIM_R_HOME;
        if (strcmp(path, "/api/users") == 0 || strcmp(path, "/api/users/") == 0)
            return SIM_R_USERS_V1;
    } else if (strcmp(method, "POST") == 0 && strcmp(path, "/api/v2/users/signin") == 0) {
        return SIM_R_SIGNIN;
    }
    return SIM_R_OTHER;
}

static void reply(sim_response *rs, int status, const char *ct, plex__buf *b)
{
    char *body = NULL;

    if (plex__buf_detach(b, &body) != 0 || !body) {
        sim_error_response(rs, 0, 500, 0, "Out of memory");
        return;
    }
    rs->status = status;
    rs->content_type = ct;
    rs->body = body;
    rs->body_len = strlen(body);
}

static void kstr(plex__json_writer *w, const char *key, const char *value)
{
    plex__jw_key(w, key);
    if (value)
        plex__jw_string(w, value);
    else
        plex__jw_null(w);
}

static void kint(plex__json_writer *w, const char *key, int64_t value)
{
    plex__jw_key(w, key);
    plex__jw_int(w, value);
}

static void kbool(plex__json_writer *w, const char *key, int value)
{
    plex__jw_key(w, key);
    plex__jw_bool(w, value);
}

static void xattr(plex__buf *b, const char *name, const char *value)
{
    plex__buf_printf(b, " %s=\"", name);
    plex__xml_put_escaped(b, value ? value : "");
    plex__buf_putc(b, '"');
}

/* X-Plex-Client-Identifier and (when `auth`) a valid X-Plex-Token; else answers. */
static int need(sim_state *st, const sim_request *rq, sim_response *rs, int json, int auth)
{
    char buf[512];
    const char *id = sim_param(rq, "X-Plex-Client-Identifier", buf, sizeof(buf));

    if (!id || !*id || strlen(id) > SIM_MAX_IDENT) {
        sim_error_response(rs, json, 400, 1000, "X-Plex-Client-Identifier is missing");
        return 0;
    }
    if (auth && !sim_token_valid(st, sim_param(rq, "X-Plex-Token", buf, sizeof(buf)))) {
        sim_error_response(rs, json, 401, 1001, "User could not be authenticated");
        return 0;
    }
    return 1;
}

static void companions(sim_response *rs, int json)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!json) {
        plex__buf_puts(&b, XML_PROLOG
                       "<companions size=\"1\"><companion identifier=\"tv.plex."
                       "sonos\" baseURL=\"https://sonos.plex.tv\" title=\"Sonos\" "
                       "linkURL=\"https://sonos.plex.tv/link\" provides=\"client,player\" "
                       "token=\"plexsim-companion-token\"/></companions>\n");
        reply(rs, 200, CT_XML, &b);
        return;
    }
    plex__jw_init(&w, &b);
    plex__jw_array_begin(&w);
    plex__jw_object_begin(&w);
    kstr(&w, "identifier", "tv.plex.sonos");
    kstr(&w, "baseURL", "https://sonos.plex.tv");
    kstr(&w, "title", "Sonos");
    kstr(&w, "linkURL", "https://sonos.plex.tv/link");
    kstr(&w, "provides", "client,player");
    kstr(&w, "token", "plexsim-companion-token");
    plex__jw_object_end(&w);
    plex__jw_array_end(&w);
    reply(rs, 200, CT_JSON, &b);
}

static void friends(sim_response *rs, int json)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!json) {
        plex__buf_puts(&b, XML_PROLOG
                       "<friends size=\"2\">"
                       "<friend id=\"2345678\" uuid=\"a1b2c3d4e5f60718\" username=\"friend\" "
                       "title=\"friend\" email=\"friend@example.invalid\" friendlyName=\"Fr"
                       "iend\" thumb=\"https://plex.tv/users/a1b2c3d4e5f60718/avatar\" "
                       "home=\"0\" restricted=\"0\" status=\"accepted\"/>"
                       "<friend id=\"3456789\" uuid=\"b2c3d4e5f6071829\" username=\"kid\" "
                       "title=\"kid\" home=\"1\" restricted=\"1\" status=\"accepted\"/>"
                       "</friends>\n");
        reply(rs, 200, CT_XML, &b);
        return;
    }
    plex__jw_init(&w, &b);
    plex__jw_array_begin(&w);
    plex__jw_object_begin(&w);
    kint(&w, "id", 2345678);
    kstr(&w, "uuid", "a1b2c3d4e5f60718");
    kstr(&w, "username", "friend");
    kstr(&w, "title", "friend");
    kstr(&w, "email", "friend@example.invalid");
    kstr(&w, "friendlyName", "Friend");
    kstr(&w, "thumb", "https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1700000000");
    kbool(&w, "home", 0);
    kbool(&w, "restricted", 0);
    kstr(&w, "status", "accepted");
    plex__jw_key(&w, "sharedServers");
    plex__jw_raw(&w, "[{\"id\":1,\"machineIdentifier\":\"" SERVER_ID "\"}]",
                 sizeof("[{\"id\":1,\"machineIdentifier\":\"" SERVER_ID "\"}]") - 1);
    plex__jw_key(&w, "sharedSources");
    plex__jw_raw(&w, "[]", 2);
    plex__jw_object_end(&w);
    /* a managed user: no email, null friendlyName, as plex.tv sends */
    plex__jw_object_begin(&w);
    kint(&w, "id", 3456789);
    kstr(&w, "uuid", "b2c3d4e5f6071829");
    kstr(&w, "username", "kid");
    kstr(&w, "title", "kid");
    kstr(&w, "friendlyName", NULL);
    kstr(&w, "thumb", "https://plex.tv/users/b2c3d4e5f6071829/avatar?c=1700000000");
    kbool(&w, "home", 1);
    kbool(&w, "restricted", 1);
    kstr(&w, "status", "accepted");
    plex__jw_key(&w, "sharedServers");
    plex__jw_raw(&w, "[]", 2);
    plex__jw_key(&w, "sharedSources");
    plex__jw_raw(&w, "[]", 2);
    plex__jw_object_end(&w);
    plex__jw_array_end(&w);
    reply(rs, 200, CT_JSON, &b);
}

static void home(sim_response *rs, int json)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;

    if (!json) {
        plex__buf_puts(&b, XML_PROLOG "<home id=\"1841489\" name=\"plexsim's home\" "
                                      "guestUserID=\"58815432\" guestUserUUID=\"f3df4e01bfca0787\" "
                                      "guestEnabled=\"0\" subscription=\"0\"/>\n");
        reply(rs, 200, CT_XML, &b);
        return;
    }
    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    kint(&w, "id", 1841489);
    kstr(&w, "name", "plexsim's home");
    kint(&w, "guestUserID", 58815432);
    kstr(&w, "guestUserUUID", "f3df4e01bfca0787");
    kbool(&w, "guestEnabled", 0);
    kbool(&w, "subscription", 0);
    plex__jw_object_end(&w);
    reply(rs, 200, CT_JSON, &b);
}

static void users_v1(sim_response *rs)
{
    plex__buf b = PLEX__BUF_INIT;

    plex__buf_puts(&b, XML_PROLOG
                   "<MediaContainer friendlyName=\"myPlex\" "
                   "identifier=\"com.plexapp.plugins.myplex\" machineIdentifier=\"" SERVER_ID
                   "\" totalSize=\"2\" size=\"2\">\n");
    plex__buf_puts(&b, "<User");
    xattr(&b, "id", "2345678");
    xattr(&b, "title", "friend");
    xattr(&b, "username", "friend");
    xattr(&b, "email", "friend@example.invalid");
    xattr(&b, "recommendationsPlaylistId", "");
    xattr(&b, "thumb", "https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1700000000");
    xattr(&b, "protected", "1");
    xattr(&b, "home", "0");
    xattr(&b, "allowTuners", "0");
    xattr(&b, "allowSync", "1");
    xattr(&b, "allowCameraUpload", "0");
    xattr(&b, "allowChannels", "1");
    xattr(&b, "allowSubtitleAdmin", "0");
    xattr(&b, "filterAll", "");
    xattr(&b, "filterMovies", "label=Kids & \"Family\"");
    xattr(&b, "filterMusic", "");
    xattr(&b, "filterPhotos", "");
    xattr(&b, "filterTelevision", "");
    xattr(&b, "restricted", "0");
    plex__buf_puts(&b,
                   ">\n<Server id=\"9876543\" serverId=\"1234567\" machineIdentifier=\"" SERVER_ID
                   "\" name=\"plexsim Server\" lastSeenAt=\"1700000000\" numLibraries=\"3\" "
                   "allLibraries=\"1\" owned=\"1\" pending=\"0\"/>\n</User>\n");
    /* a managed Home user: no email, no servers */
    plex__buf_puts(&b, "<User id=\"3456789\" title=\"kid\" username=\"\" email=\"\" "
                       "recommendationsPlaylistId=\"\" thumb=\"https://plex.tv/users/"
                       "b2c3d4e5f6071829/avatar?c=1700000000\" protected=\"0\" home=\"1\" "
                       "allowTuners=\"0\" allowSync=\"0\" allowCameraUpload=\"0\" "
                       "allowChannels=\"0\" allowSubtitleAdmin=\"0\" filterAll=\"\" "
                       "filterMovies=\"\" filterMusic=\"\" filterPhotos=\"\" "
                       "filterTelevision=\"\" restricted=\"1\"/>\n</MediaContainer>\n");
    reply(rs, 200, CT_XML, &b);
}

/* Constant-time-ish comparison is not needed in a simulator. */
static int eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void signin_fail(sim_state *st, sim_response *rs, int json, int code, const char *msg)
{
    st->signin_failures++;
    sim_error_response(rs, json, 401, code, msg);
}

static void signin(sim_state *st, const sim_request *rq, sim_response *rs, int json)
{
    char lbuf[512], pbuf[512], cbuf[64];
    const char *login = sim_param(rq, "login", lbuf, sizeof(lbuf));
    const char *password = sim_param(rq, "password", pbuf, sizeof(pbuf));
    const char *code = sim_param(rq, "verificationCode", cbuf, sizeof(cbuf));
    int two_factor;
    sim_pin tmp;
    char *body = NULL;
    size_t len = 0;

    if (st->signin_failures >= SIM_SIGNIN_MAX_FAILURES) {
        sim_error_response(rs, json, 429, 1031, "Too many failed sign-in attempts");
        rs->retry_after = 60;
        return;
    }
    if (!login || !*login || !password || !*password) {
        sim_error_response(rs, json, 400, 1000, "login and password are required");
        return;
    }
    two_factor = eq(login, SIM_SIGNIN_2FA_LOGIN);
    if (!(two_factor || eq(login, SIM_SIGNIN_LOGIN) || eq(login, SIM_USER_EMAIL)) ||
        !eq(password, SIM_SIGNIN_PASSWORD)) {
        signin_fail(st, rs, json, 1001, "User could not be authenticated");
        return;
    }
    if (two_factor && (!code || !*code)) {
        sim_error_response(rs, json, 401, 1029, "Please enter the verification code");
        return;
    }
    if (two_factor && !eq(code, SIM_SIGNIN_2FA_CODE)) {
        signin_fail(st, rs, json, 1028, "Invalid verification code");
        return;
    }
    st->signin_failures = 0;
    memset(&tmp, 0, sizeof(tmp));
    if (sim_pin_approve(st, &tmp) != 0 || sim_render_user(&body, &len, json, tmp.token) != 0 ||
        !body) {
        free(body);
        sim_error_response(rs, json, 500, 0, "Out of memory");
        return;
    }
    rs->status = 201;
    rs->content_type = json ? CT_JSON : CT_XML;
    rs->body = body;
    rs->body_len = len;
}

int sim_account_handle(sim_state *st, const sim_request *rq, sim_response *rs, int json)
{
    switch (rq->route) {
    case SIM_R_COMPANIONS:
        if (need(st, rq, rs, json, 1))
            companions(rs, json);
        return 1;
    case SIM_R_FRIENDS:
        if (need(st, rq, rs, json, 1))
            friends(rs, json);
        return 1;
    case SIM_R_HOME:
        if (need(st, rq, rs, json, 1))
            home(rs, json);
        return 1;
    case SIM_R_SIGNIN:
        if (need(st, rq, rs, json, 0))
            signin(st, rq, rs, json);
        return 1;
    case SIM_R_USERS_V1:
        /* v1: always XML, errors too */
        if (need(st, rq, rs, 0, 1))
            users_v1(rs);
        return 1;
    default:
        return 0;
    }
}

/*
 * The documents plexsim answers with, as JSON (Accept: application/json)
 * or as the XML plex.tv sends otherwise. Pins are encoded with the
 * library's own model (plex_pin_to_json); GeoData with its schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "tv/models.gen.h"
#include "plex/models.h"
#include "tv.h"
#include "core/xml.h"

#define XML_PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define SERVER_ID SIM_SERVER_ID
#define SERVER_VERSION SIM_SERVER_VERSION
#define PUBLIC_ADDR "127.0.0.2" /* the "remote" address: loopback too */

/* The place every request seems to come from. */
static plex_geodata sim_geo(void)
{
    plex_geodata g;

    memset(&g, 0, sizeof(g));
    g.code = "NL";
    g.continent_code = "EU";
    g.country = "Netherlands";
    g.city = "Amsterdam";
    g.european_union_member = PLEX_TRUE;
    g.time_zone = "Europe/Amsterdam";
    g.postal_code = "1012";
    g.in_privacy_restricted_country = PLEX_FALSE;
    g.in_privacy_restricted_region = PLEX_FALSE;
    g.subdivisions = "North Holland";
    g.coordinates = "52.3740, 4.8897";
    g.present = 0x7FFu;
    return g;
}

/* Hand the buffer over; plex__buf memory is plain malloc memory. */
static int finish(plex__buf *b, char **out, size_t *len)
{
    size_t n = b->len;
    int rc = plex__buf_detach(b, out);

    *len = rc == 0 ? n : 0;
    return rc;
}

/* One member of the object being written. */
static void kstr(plex__json_writer *w, const char *key, const char *value)
{
    plex__jw_key(w, key);
    plex__jw_string(w, value); /* NULL writes null */
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

static void knull(plex__json_writer *w, const char *key)
{
    plex__jw_key(w, key);
    plex__jw_null(w);
}

static void xattr(plex__buf *b, const char *name, const char *value)
{
    plex__buf_putc(b, ' ');
    plex__buf_puts(b, name);
    plex__buf_puts(b, "=\"");
    if (value)
        plex__xml_put_escaped(b, value);
    plex__buf_putc(b, '"');
}

static void xattr_int(plex__buf *b, const char *name, int64_t v)
{
    plex__buf_printf(b, " %s=\"%lld\"", name, (long long)v);
}

static void xattr_bool(plex__buf *b, const char *name, int v)
{
    plex__buf_printf(b, " %s=\"%d\"", name, v ? 1 : 0);
}

static void xml_geo(plex__buf *b, const char *element, const plex_geodata *g)
{
    plex__buf_printf(b, "<%s", element);
    xattr(b, "code", g->code);
    xattr(b, "continent_code", g->continent_code);
    xattr(b, "country", g->country);
    xattr(b, "city", g->city);
    xattr_bool(b, "european_union_member", g->european_union_member == PLEX_TRUE);
    xattr(b, "time_zone", g->time_zone);
    xattr(b, "postal_code", g->postal_code);
    xattr_bool(b, "in_privacy_restricted_country", g->in_privacy_restricted_country == PLEX_TRUE);
    xattr_bool(b, "in_privacy_restricted_region", g->in_privacy_restricted_region == PLEX_TRUE);
    xattr(b, "subdivisions", g->subdivisions);
    xattr(b, "coordinates", g->coordinates);
    plex__buf_puts(b, "/>");
}

static void time_text(int64_t seconds, char *buf, size_t size)
{
    plex_timestamp ts;

    ts.seconds = seconds;
    ts.millis = 0;
    if (plex_timestamp_format(ts, buf, size) != 0)
        snprintf(buf, size, "1970-01-01T00:00:00Z");
}

int sim_render_pin(char **out, size_t *len, int json, const sim_state *st, const sim_pin *p,
                   const char *base_url, double now)
{
    plex_geodata geo = sim_geo();
    plex_pin pin;
    plex__buf b = PLEX__BUF_INIT;
    char qr[256], t1[40], t2[40];
    int rc;

    (void)st;
    snprintf(qr, sizeof(qr), "%s/api/v2/pins/qr/%s", base_url, p->code);
    memset(&pin, 0, sizeof(pin));
    pin.id = p->id;
    pin.code = p->code;
    pin.product = p->product;
    pin.trusted = PLEX_FALSE;
    pin.qr = qr;
    pin.client_identifier = p->client_id;
    pin.location = &geo;
    pin.expires_in = sim_pin_remaining(p, now);
    pin.created_at.seconds = p->created_at;
    pin.expires_at.seconds = p->created_at + p->ttl;
    pin.auth_token = p->token[0] ? p->token : NULL;
    pin.new_registration = p->token[0] ? "false" : NULL;
    pin.present = PLEX_PIN_ID | PLEX_PIN_CODE | PLEX_PIN_PRODUCT | PLEX_PIN_TRUSTED | PLEX_PIN_QR |
                  PLEX_PIN_CLIENT_IDENTIFIER | PLEX_PIN_LOCATION | PLEX_PIN_EXPIRES_IN |
                  PLEX_PIN_CREATED_AT | PLEX_PIN_EXPIRES_AT | (0x7FFu << 16);
    if (p->token[0])
        pin.present |= PLEX_PIN_AUTH_TOKEN | PLEX_PIN_NEW_REGISTRATION;

    if (json) {
        rc = plex_pin_to_json(&pin, out);
        *len = rc == 0 ? strlen(*out) : 0;
        return rc;
    }
    time_text(pin.created_at.seconds, t1, sizeof(t1));
    time_text(pin.expires_at.seconds, t2, sizeof(t2));
    plex__buf_puts(&b, XML_PROLOG "<pin");
    xattr_int(&b, "id", pin.id);
    xattr(&b, "code", pin.code);
    xattr(&b, "product", pin.product);
    xattr_bool(&b, "trusted", 0);
    xattr(&b, "qr", pin.qr);
    xattr(&b, "clientIdentifier", pin.client_identifier);
    xattr_int(&b, "expiresIn", pin.expires_in);
    xattr(&b, "createdAt", t1);
    xattr(&b, "expiresAt", t2);
    xattr(&b, "authToken", pin.auth_token ? pin.auth_token : "");
    xattr(&b, "newRegistration", pin.auth_token ? "0" : "");
    plex__buf_puts(&b, ">");
    xml_geo(&b, "location", &geo);
    plex__buf_puts(&b, "</pin>\n");
    return finish(&b, out, len);
}

int sim_render_geoip(char **out, size_t *len, int json)
{
    plex_geodata geo = sim_geo();
    plex__buf b = PLEX__BUF_INIT;

    if (json) {
        plex__json_writer w;
        plex__jw_init(&w, &b);
        plex__model_write(&w, &plex__geodata_schema, &geo);
    } else {
        plex__buf_puts(&b, XML_PROLOG);
        xml_geo(&b, "location", &geo);
        plex__buf_putc(&b, '\n');
    }
    return finish(&b, out, len);
}

/* ---- the user ---- */

/* The simulated account holds a lifetime Plex Pass (values after the
 * examples of the API spec's getTokenDetails and real answers). */
static const char *const user_features[] = {"Android - Dolby Vision",
                                            "Android - PiP",
                                            "adaptive_bitrate",
                                            "allow_dvr",
                                            "camera_upload",
                                            "cloudsync",
                                            "collections",
                                            "companions_sonos",
                                            "content_filter",
                                            "dvr",
                                            "hardware_transcoding",
                                            "home",
                                            "hwtranscode",
                                            "item_clusters",
                                            "lets_encrypt",
                                            "livetv",
                                            "lyrics",
                                            "music_videos",
                                            "pass",
                                            "photos-favorites",
                                            "premium_music_metadata",
                                            "session_bandwidth_restrictions",
                                            "session_kick",
                                            "sync",
                                            "trailers",
                                            "tuner-sharing",
                                            "two-factor-authentication",
                                            "webhooks",
                                            "Sync v3",
                                            "Subtitles on Demand"};
static const char *const user_entitlements[] = {"all",  "android", "ios",
                                                "roku", "windows", "xbox_one"};
static const char *const user_roles[] = {"plexpass"};

typedef struct user_service {
    const char *identifier, *endpoint, *token;
} user_service;

static const user_service user_services[] = {
    {"metadata-dev", "https://epg.provider.plex.tv", "DjoMtqFAGRL1uVtCyF1dKIorTbShJeqv"},
    {"epg", "https://epg.provider.plex.tv", "DjoMtqFAGRL1uVtCyF1dKIorTbShJeqv"},
    {"metadata", "https://metadata.provider.plex.tv", "Kq2xVbN8sLr4TfYw9HcZ1mPd6GjE3uAo"},
    {"tv.plex.sonos", "https://sonos.plex.tv", "Rt7uWq3ZkP0cXn5LbM8vHs2JdF6gYe4A"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define USER_SUBSCRIBED_AT "2021-04-12T18:21:12Z"

static void kstrings(plex__json_writer *w, const char *key, const char *const *items, size_t n)
{
    plex__jw_key(w, key);
    plex__jw_array_begin(w);
    for (size_t i = 0; i < n; i++)
        plex__jw_string(w, items[i]);
    plex__jw_array_end(w);
}

static void json_subscription(plex__json_writer *w)
{
    plex__jw_object_begin(w);
    kbool(w, "active", 1);
    kstr(w, "subscribedAt", USER_SUBSCRIBED_AT);
    kstr(w, "status", "Active");
    kstr(w, "paymentService", "braintree");
    kstr(w, "plan", "lifetime");
    kstrings(w, "features", user_features, COUNT(user_features));
    plex__jw_object_end(w);
}

/* <name><item id="..."/>...</name> */
static void xml_ids(plex__buf *b, const char *name, const char *item, const char *const *ids,
                    size_t n)
{
    plex__buf_printf(b, "<%s>", name);
    for (size_t i = 0; i < n; i++) {
        plex__buf_printf(b, "<%s", item);
        xattr(b, "id", ids[i]);
        plex__buf_puts(b, "/>");
    }
    plex__buf_printf(b, "</%s>", name);
}

static void xml_subscription(plex__buf *b, const char *element)
{
    plex__buf_printf(b,
                     "<%s active=\"1\" subscribedAt=\"" USER_SUBSCRIBED_AT "\" status=\"Active\""
                     " paymentService=\"braintree\" plan=\"lifetime\">",
                     element);
    xml_ids(b, "features", "feature", user_features, COUNT(user_features));
    plex__buf_printf(b, "</%s>", element);
}

int sim_render_user(char **out, size_t *len, int json, const char *token)
{
    plex__buf b = PLEX__BUF_INIT;
    const char *thumb = "https://plex.tv/users/" SIM_USER_UUID "/avatar?c=1700000000";
    const int64_t joined = 1556281940;

    if (json) {
        plex__json_writer w;
        plex__jw_init(&w, &b);
        plex__jw_object_begin(&w);
        kint(&w, "id", SIM_USER_ID);
        kstr(&w, "uuid", SIM_USER_UUID);
        kstr(&w, "username", SIM_USER_NAME);
        kstr(&w, "title", SIM_USER_NAME);
        kstr(&w, "friendlyName", "Plexsim Tester");
        kstr(&w, "email", SIM_USER_EMAIL);
        knull(&w, "locale");
        kbool(&w, "confirmed", 1);
        kint(&w, "joinedAt", joined);
        kbool(&w, "emailOnlyAuth", 0);
        kbool(&w, "hasPassword", 1);
        kbool(&w, "protected", 0);
        kstr(&w, "thumb", thumb);
        kstr(&w, "authToken", token);
        kstr(&w, "mailingListStatus", "active");
        kbool(&w, "mailingListActive", 1);
        kstr(&w, "scrobbleTypes", "");
        kstr(&w, "country", "NL");
        plex__jw_key(&w, "subscription");
        json_subscription(&w);
        plex__jw_key(&w, "subscriptions");
        plex__jw_array_begin(&w);
        json_subscription(&w);
        plex__jw_array_end(&w);
        knull(&w, "subscriptionDescription");
        kbool(&w, "restricted", 0);
        knull(&w, "anonymous");
        kbool(&w, "home", 0);
        kbool(&w, "guest", 0);
        kint(&w, "homeSize", 1);
        kbool(&w, "homeAdmin", 0);
        kint(&w, "maxHomeSize", 15);
        kint(&w, "rememberExpiresAt", sim_now_wall() + (int64_t)14 * 86400);
        plex__jw_key(&w, "profile");
        plex__jw_object_begin(&w);
        kbool(&w, "autoSelectAudio", 1);
        kstr(&w, "defaultAudioLanguage", "en");
        kstr(&w, "defaultSubtitleLanguage", "en");
        kint(&w, "autoSelectSubtitle", 0);
        kint(&w, "defaultSubtitleAccessibility", 0);
        kint(&w, "defaultSubtitleForced", 0);
        kint(&w, "watchedIndicator", 1);
        kint(&w, "mediaReviewsVisibility", 0);
        plex__jw_object_end(&w);
        kstrings(&w, "entitlements", user_entitlements, COUNT(user_entitlements));
        kstrings(&w, "roles", user_roles, COUNT(user_roles));
        plex__jw_key(&w, "services");
        plex__jw_array_begin(&w);
        for (size_t i = 0; i < COUNT(user_services); i++) {
            plex__jw_object_begin(&w);
            kstr(&w, "identifier", user_services[i].identifier);
            kstr(&w, "endpoint", user_services[i].endpoint);
            kstr(&w, "token", user_services[i].token);
            knull(&w, "secret");
            kstr(&w, "status", "online");
            plex__jw_object_end(&w);
        }
        plex__jw_array_end(&w);
        knull(&w, "adsConsent");
        knull(&w, "adsConsentSetAt");
        knull(&w, "adsConsentReminderAt");
        kbool(&w, "experimentalFeatures", 0);
        kbool(&w, "twoFactorEnabled", 0);
        kbool(&w, "backupCodesCreated", 0);
        knull(&w, "attributionPartner");
        plex__jw_object_end(&w);
    } else {
        plex__buf_puts(&b, XML_PROLOG "<user");
        xattr_int(&b, "id", SIM_USER_ID);
        xattr(&b, "uuid", SIM_USER_UUID);
        xattr(&b, "username", SIM_USER_NAME);
        xattr(&b, "title", SIM_USER_NAME);
        xattr(&b, "friendlyName", "Plexsim Tester");
        xattr(&b, "email", SIM_USER_EMAIL);
        xattr(&b, "locale", "");
        xattr_bool(&b, "confirmed", 1);
        xattr_int(&b, "joinedAt", joined);
        xattr_bool(&b, "emailOnlyAuth", 0);
        xattr_bool(&b, "hasPassword", 1);
        xattr_bool(&b, "protected", 0);
        xattr(&b, "thumb", thumb);
        xattr(&b, "authToken", token);
        xattr(&b, "mailingListStatus", "active");
        xattr_bool(&b, "mailingListActive", 1);
        xattr(&b, "scrobbleTypes", "");
        xattr(&b, "country", "NL");
        xattr(&b, "subscriptionDescription", "");
        xattr_bool(&b, "restricted", 0);
        xattr_bool(&b, "anonymous", 0);
        xattr_bool(&b, "home", 0);
        xattr_bool(&b, "guest", 0);
        xattr_int(&b, "homeSize", 1);
        xattr_bool(&b, "homeAdmin", 0);
        xattr_int(&b, "maxHomeSize", 15);
        xattr_int(&b, "rememberExpiresAt", sim_now_wall() + (int64_t)14 * 86400);
        xattr(&b, "adsConsent", "");
        xattr(&b, "adsConsentSetAt", "");
        xattr(&b, "adsConsentReminderAt", "");
        xattr_bool(&b, "experimentalFeatures", 0);
        xattr_bool(&b, "twoFactorEnabled", 0);
        xattr_bool(&b, "backupCodesCreated", 0);
        xattr(&b, "attributionPartner", "");
        plex__buf_putc(&b, '>');
        xml_subscription(&b, "subscription");
        plex__buf_puts(&b, "<subscriptions>");
        xml_subscription(&b, "subscription");
        plex__buf_puts(&b, "</subscriptions>"
                           "<profile autoSelectAudio=\"1\" defaultAudioLanguage=\"en\" "
                           "defaultSubtitleLanguage=\"en\" autoSelectSubtitle=\"0\" "
                           "defaultSubtitleAccessibility=\"0\" defaultSubtitleForced=\"0\" "
                           "watchedIndicator=\"1\" mediaReviewsVisibility=\"0\"/>");
        xml_ids(&b, "entitlements", "entitlement", user_entitlements, COUNT(user_entitlements));
        xml_ids(&b, "roles", "role", user_roles, COUNT(user_roles));
        plex__buf_puts(&b, "<services>");
        for (size_t i = 0; i < COUNT(user_services); i++) {
            plex__buf_puts(&b, "<service");
            xattr(&b, "identifier", user_services[i].identifier);
            xattr(&b, "endpoint", user_services[i].endpoint);
            xattr(&b, "token", user_services[i].token);
            xattr(&b, "secret", "");
            xattr(&b, "status", "online");
            plex__buf_puts(&b, "/>");
        }
        plex__buf_puts(&b, "</services></user>\n");
    }
    return finish(&b, out, len);
}

/* ---- resources ---- */

/*
 * Every connection plexsim advertises is on loopback (127.0.0.0/8, which
 * Linux routes to lo, or [::1]): nothing may ever try an address outside
 * this machine. The owned server is the emulated media server: local on
 * 127.0.0.1, "remote" on 127.0.0.2, relayed on 127.0.0.3, all on its port.
 */
typedef struct conn {
    const char *address; /* numeric */
    const char *dashed;  /* the plex.direct label, or NULL (IPv6: none) */
    int local, relay, ipv6;
} conn;

typedef struct device {
    const char *name, *product, *product_version, *platform, *platform_version, *device;
    const char *client_id, *provides;
    int64_t owner_id; /* 0: null (owned by the caller) */
    const char *source_title, *access_token;
    int owned, home, presence, relay, public_address_matches;
    const conn *conns;
    size_t nconns;
} device;

static const conn own_conns[] = {
    {"127.0.0.1", "127-0-0-1", 1, 0, 0},
    {"127.0.0.2", "127-0-0-2", 0, 0, 0},
    {"::1", NULL, 1, 0, 1},
    {"127.0.0.3", "127-0-0-3", 0, 1, 0},
};

/* The friend's server is offline: plex.tv lists it without connections. */
static const device devices[] = {
    {"plexsim Server", "Plex Media Server", SERVER_VERSION, "Linux", "12", "PC", SERVER_ID,
     "server", 0, NULL, SIM_SERVER_TOKEN, 1, 0, 1, 1, 1, own_conns,
     sizeof(own_conns) / sizeof(own_conns[0])},
    {"Friend's Server", "Plex Media Server", SERVER_VERSION, "Windows", "10.0 (Build 19045)", "PC",
     "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "server", 2345678, "friend",
     "plexsim-shared-token-0002", 0, 0, 0, 1, 0, NULL, 0},
    {"plexsim Phone", "Plex for Android (Mobile)", "10.12.0.1234", "Android", "14", "Pixel 7",
     "plexsim-phone-0001", "client,player", 0, NULL, NULL, 1, 0, 0, 0, 1, NULL, 0},
};

/* One advertised connection. */
typedef struct uri_entry {
    const conn *c;
    const char *protocol;
    char uri[160];
} uri_entry;

/*
 * The URIs of a connection for these flags: http://ADDR:PORT without TLS;
 * with TLS https://ADDR:PORT and, with includeHttps, also the plex.direct
 * name. A relay is reached by its plex.direct name only (http without TLS).
 * Returns how many were written to out (at most 2).
 */
static size_t conn_uris(const conn *c, int port, int tls, int https, uri_entry *out)
{
    const char *bracket_l = c->ipv6 ? "[" : "", *bracket_r = c->ipv6 ? "]" : "";
    size_t n = 0;

    if (!tls || !c->relay) {
        out[n].c = c;
        out[n].protocol = tls ? "https" : "http";
        snprintf(out[n].uri, sizeof(out[n].uri), "%s://%s%s%s:%d", out[n].protocol, bracket_l,
                 c->address, bracket_r, port);
        n++;
    }
    if (tls && c->dashed && (https || c->relay)) {
        out[n].c = c;
        out[n].protocol = "https";
        snprintf(out[n].uri, sizeof(out[n].uri),
                 "https://%s." SIM_PLEX_DIRECT_HASH ".plex.direct:%d", c->dashed, port);
        n++;
    }
    return n;
}

int sim_render_resources(char **out, size_t *len, int json, const sim_state *st, int https,
                         int relay, int ipv6)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    char created[40], seen[40];
    size_t i, j, k, ndev = sizeof(devices) / sizeof(devices[0]);

    time_text(1561376282, created, sizeof(created)); /* 2019-06-24T11:38:02Z */
    time_text(sim_now_wall(), seen, sizeof(seen));
    plex__jw_init(&w, &b);
    if (json)
        plex__jw_array_begin(&w);
    else
        plex__buf_printf(&b, XML_PROLOG "<resources size=\"%zu\">", ndev);
    for (i = 0; i < ndev; i++) {
        const device *d = &devices[i];
        if (json) {
            plex__jw_object_begin(&w);
            kstr(&w, "name", d->name);
            kstr(&w, "product", d->product);
            kstr(&w, "productVersion", d->product_version);
            kstr(&w, "platform", d->platform);
            kstr(&w, "platformVersion", d->platform_version);
            kstr(&w, "device", d->device);
            kstr(&w, "clientIdentifier", d->client_id);
            kstr(&w, "createdAt", created);
            kstr(&w, "lastSeenAt", seen);
            kstr(&w, "provides", d->provides);
            plex__jw_key(&w, "ownerId");
            if (d->owner_id)
                plex__jw_int(&w, d->owner_id);
            else
                plex__jw_null(&w);
            kstr(&w, "sourceTitle", d->source_title);
            kstr(&w, "publicAddress", PUBLIC_ADDR);
            kstr(&w, "accessToken", d->access_token);
            kbool(&w, "owned", d->owned);
            kbool(&w, "home", d->home);
            kbool(&w, "synced", 0);
            kbool(&w, "relay", d->relay);
            kbool(&w, "presence", d->presence);
            kbool(&w, "httpsRequired", 0);
            kbool(&w, "publicAddressMatches", d->public_address_matches);
            kbool(&w, "dnsRebindingProtection", 0);
            kbool(&w, "natLoopbackSupported", 1);
            plex__jw_key(&w, "connections");
            plex__jw_array_begin(&w);
        } else {
            plex__buf_puts(&b, "<resource");
            xattr(&b, "name", d->name);
            xattr(&b, "product", d->product);
            xattr(&b, "productVersion", d->product_version);
            xattr(&b, "platform", d->platform);
            xattr(&b, "platformVersion", d->platform_version);
            xattr(&b, "device", d->device);
            xattr(&b, "clientIdentifier", d->client_id);
            xattr(&b, "createdAt", created);
            xattr(&b, "lastSeenAt", seen);
            xattr(&b, "provides", d->provides);
            if (d->owner_id)
                xattr_int(&b, "ownerId", d->owner_id);
            xattr(&b, "sourceTitle", d->source_title);
            xattr(&b, "publicAddress", PUBLIC_ADDR);
            if (d->access_token)
                xattr(&b, "accessToken", d->access_token);
            xattr_bool(&b, "owned", d->owned);
            xattr_bool(&b, "home", d->home);
            xattr_bool(&b, "synced", 0);
            xattr_bool(&b, "relay", d->relay);
            xattr_bool(&b, "presence", d->presence);
            xattr_bool(&b, "httpsRequired", 0);
            xattr_bool(&b, "publicAddressMatches", d->public_address_matches);
            xattr_bool(&b, "dnsRebindingProtection", 0);
            xattr_bool(&b, "natLoopbackSupported", 1);
            plex__buf_puts(&b, "><connections>");
        }
        for (j = 0; j < d->nconns; j++) {
            const conn *c = &d->conns[j];
            uri_entry uris[2];
            size_t n;

            if ((c->relay && !relay) || (c->ipv6 && !ipv6))
                continue;
            n = conn_uris(c, st->server_port, st->tls, https, uris);
            for (k = 0; k < n; k++) {
                if (json) {
                    plex__jw_object_begin(&w);
                    kstr(&w, "protocol", uris[k].protocol);
                    kstr(&w, "address", c->address);
                    kint(&w, "port", st->server_port);
                    kstr(&w, "uri", uris[k].uri);
                    kbool(&w, "local", c->local);
                    kbool(&w, "relay", c->relay);
                    kbool(&w, "IPv6", c->ipv6);
                    plex__jw_object_end(&w);
                } else {
                    plex__buf_puts(&b, "<connection");
                    xattr(&b, "protocol", uris[k].protocol);
                    xattr(&b, "address", c->address);
                    xattr_int(&b, "port", st->server_port);
                    xattr(&b, "uri", uris[k].uri);
                    xattr_bool(&b, "local", c->local);
                    xattr_bool(&b, "relay", c->relay);
                    xattr_bool(&b, "IPv6", c->ipv6);
                    plex__buf_puts(&b, "/>");
                }
            }
        }
        if (json) {
            plex__jw_array_end(&w);
            plex__jw_object_end(&w);
        } else {
            plex__buf_puts(&b, "</connections></resource>");
        }
    }
    if (json)
        plex__jw_array_end(&w);
    else
        plex__buf_puts(&b, "</resources>\n");
    return finish(&b, out, len);
}

int sim_render_stats(char **out, size_t *len, const sim_state *st)
{
    plex__buf b = PLEX__BUF_INIT;
    plex__json_writer w;
    uint64_t total = 0;
    int r;

    plex__jw_init(&w, &b);
    plex__jw_object_begin(&w);
    plex__jw_key(&w, "requests");
    plex__jw_object_begin(&w);
    for (r = 0; r < sim_route_total(); r++) {
        plex__jw_key(&w, sim_route_name(r));
        plex__jw_int(&w, (int64_t)st->requests[r]);
        total += st->requests[r];
    }
    plex__jw_object_end(&w);
    kint(&w, "total_requests", (int64_t)total);
    kint(&w, "connections", (int64_t)st->connections);
    kint(&w, "active_connections", (int64_t)st->active);
    kint(&w, "event_streams", (int64_t)__atomic_load_n(&st->event_streams, __ATOMIC_RELAXED));
    kint(&w, "pins", (int64_t)st->npins);
    kint(&w, "tokens", (int64_t)st->ntokens);
    kint(&w, "faults_pending", (int64_t)st->nfaults);
    kint(&w, "approve_after", st->cfg.approve_after);
    kint(&w, "uptime_seconds", (int64_t)(sim_now_mono() - st->started_mono));
    plex__jw_object_end(&w);
    return finish(&b, out, len);
}

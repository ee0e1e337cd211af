/*
 * plex_client: creation, options, and the single plex.tv operations.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/alloc.h"
#include "client.h"
#include "core/error.h"
#include "core/model.h"
#include "plex/version.h"

#define DEFAULT_BASE_URL "https://plex.tv"
#define CLIENTS_BASE_URL "https://clients.plex.tv" /* the JWT flow's host (PROTOCOL.md §6) */
#define DEFAULT_MAX_RESPONSE ((size_t)8 * 1024 * 1024)

int plex_client_options_init(plex_client_options *opts, unsigned int version)
{
    static const plex_client_options init = PLEX_CLIENT_OPTIONS_INIT;

    if (!opts || version != PLEX_CLIENT_OPTIONS_VERSION)
        return PLEX_EINVALID;
    *opts = init;
    return 0;
}

/* Header values may not hold control characters (CR/LF would split headers). */
static int header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int set_string(char **slot, const char *value)
{
    char *copy = NULL;

    if (value && !(copy = plex__strdup(value)))
        return PLEX_ENOMEM;
    plex__free(*slot);
    *slot = copy;
    return 0;
}

int plex_client_new(plex_client **out, const plex_client_options *o, plex_error *err)
{
    plex_client *c;
    const char *ids[9];
    struct utsname u;
    char host[256];
    int have_uname, rc = 0;
    size_t n;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    *out = NULL;
    if (!o || o->version != PLEX_CLIENT_OPTIONS_VERSION)
        return plex__error_set(err, PLEX_EINVALID,
                               "unknown plex_client_options version (use PLEX_CLIENT_OPTIONS_INIT)");
    if (!o->client_identifier || !*o->client_identifier)
        return plex__error_set(err, PLEX_EINVALID,
                               "a client identifier is required: generate a UUID once and keep it");

    have_uname = uname(&u) == 0;
    if (gethostname(host, sizeof(host)) != 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    ids[0] = o->client_identifier;
    ids[1] = o->product ? o->product : "libplex";
    ids[2] = o->product_version ? o->product_version : PLEX_VERSION_STRING;
    ids[3] = o->platform ? o->platform : have_uname ? u.sysname : NULL;
    ids[4] = o->platform_version ? o->platform_version : have_uname ? u.release : NULL;
    ids[5] = o->device ? o->device : have_uname ? u.machine : NULL;
    ids[6] = o->device_name ? o->device_name : host[0] ? host : NULL;
    ids[7] = o->model;
    ids[8] = o->vendor;
    for (int i = 0; i < 9; i++)
        if (ids[i] && !header_safe(ids[i]))
            return plex__error_set(err, PLEX_EINVALID,
                                   "identity values may not contain control characters");
    if (o->token && !header_safe(o->token))
        return plex__error_set(err, PLEX_EINVALID, "the token contains control characters");

    c = plex__calloc(1, sizeof(*c));
    if (!c)
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    plex_error_clear(&c->last);
    for (int i = 0; i < 9 && rc == 0; i++)
        rc = set_string(&c->identity[i], ids[i]);
    if (rc == 0)
        rc = set_string(&c->base_url, o->base_url ? o->base_url : DEFAULT_BASE_URL);
    if (rc == 0)
        rc = set_string(&c->token, o->token);
    if (rc == 0)
        rc = set_string(&c->ca_file, o->ca_file);
    if (rc) {
        plex_client_free(c);
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    }
    n = strlen(c->base_url);
    while (n > 0 && c->base_url[n - 1] == '/')
        c->base_url[--n] = '\0';
    if (strncmp(c->base_url, "https://", 8) != 0) {
        int loop = strncmp(c->base_url, "http://", 7) == 0 ? plex__url_is_loopback(c->base_url) : 0;
        if (loop < 0) {
            plex_client_free(c);
            return plex__error_set(err, PLEX_ENOMEM, "out of memory");
        }
        if (!loop) {
            plex_client_free(c);
            return plex__error_set(err, PLEX_EINVALID,
                                   "the base URL must be https:// (plain http:// is only allowed "
                                   "to a loopback address)");
        }
    }
    /* plex.tv's JWT endpoints live on clients.plex.tv; another server (an
     * emulator, a proxy) serves everything itself */
    if (set_string(&c->clients_url, strcasecmp(c->base_url, DEFAULT_BASE_URL) == 0
                                        ? CLIENTS_BASE_URL
                                        : c->base_url) != 0) {
        plex_client_free(c);
        return plex__error_set(err, PLEX_ENOMEM, "out of memory");
    }
    c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    c->request_timeout_ms = o->request_timeout_ms > 0 ? o->request_timeout_ms : 30000;
    c->max_response = o->max_response_size ? o->max_response_size : DEFAULT_MAX_RESPONSE;
    c->log = o->log;
    c->log_payload = o->log_payload;
    c->flags = o->flags;
    c->retry_after = -1;
    *out = c;
    return 0;
}

void plex_client_free(plex_client *c)
{
    if (!c)
        return;
    plex__http_cleanup(c);
    plex_jwt_key_free(c->jwt_key);
    for (int i = 0; i < 9; i++)
        plex__free(c->identity[i]);
    plex__free(c->base_url);
    plex__free(c->clients_url);
    plex__free(c->token);
    plex__free(c->ca_file);
    plex__free(c->log_path);
    plex__buf_dispose(&c->body);
    plex_api_errors_free(c->last_api_errors);
    plex__free(c);
}

int plex_client_set_token(plex_client *c, const char *token)
{
    if (!c || (token && !header_safe(token)))
        return PLEX_EINVALID;
    return set_string(&c->token, token);
}

const plex_error *plex_client_last_error(const plex_client *c)
{
    return c ? &c->last : NULL;
}

const plex_api_errors *plex_client_last_api_errors(const plex_client *c)
{
    return c ? c->last_api_errors : NULL;
}

void plex_client_get_stats(const plex_client *c, plex_client_stats *out)
{
    if (c && out)
        *out = c->stats;
}

/* Decode a 2xx body with `parse`; a bad body is recorded on the client. */
static int decode_body(plex_client *c, const plex__response *resp,
                       int (*parse)(void **, const char *, size_t, plex_error *), void **out)
{
    plex_error perr;
    int rc = parse(out, resp->body, resp->len, &perr);

    if (rc)
        return plex__client_fail(c, rc, "the server's answer could not be read: %s",
                                 perr.message);
    return 0;
}

/* Send `r` and decode its 2xx body with `parse` into *out. */
static int fetch(plex_client *c, const plex__request *r,
                 int (*parse)(void **, const char *, size_t, plex_error *), void **out)
{
    plex__response resp;
    int rc = plex__http_request(c, r, &resp);

    return rc ? rc : decode_body(c, &resp, parse, out);
}

static int parse_pin(void **out, const char *d, size_t n, plex_error *e)
{
    plex_pin *p = NULL;
    int rc = plex_pin_parse(&p, d, n, 0, e);
    *out = p;
    return rc;
}

/* A pin the flow can use needs at least an id and a code. */
static int check_usable_pin(plex_client *c, plex_pin **pin)
{
    if (((*pin)->present & (PLEX_PIN_ID | PLEX_PIN_CODE)) != (PLEX_PIN_ID | PLEX_PIN_CODE)) {
        plex_pin_free(*pin);
        *pin = NULL;
        return plex__client_fail(c, PLEX_ESCHEMA, "the server's PIN has no id or no code");
    }
    return 0;
}

int plex_pin_create(plex_pin **out, plex_client *c, unsigned int flags)
{
    plex__request r = {"POST", "/api/v2/pins", NULL, NULL, 0, NULL, NULL, 0};
    void *pin = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (flags & PLEX_PIN_STRONG)
        r.query = "strong=true";
    if ((rc = fetch(c, &r, parse_pin, &pin)) != 0)
        return rc;
    *out = pin;
    return check_usable_pin(c, out);
}

int plex_pin_check(plex_pin **out, plex_client *c, int64_t id)
{
    char path[64];
    plex__request r = {"GET", path, NULL, NULL, 0, NULL, NULL, 0};
    void *pin = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    snprintf(path, sizeof(path), "/api/v2/pins/%lld", (long long)id);
    r.log_path = (c->flags & PLEX_CLIENT_LOG_SECRETS) ? path : "/api/v2/pins/<redacted>";
    if ((rc = fetch(c, &r, parse_pin, &pin)) != 0)
        return rc;
    *out = pin;
    return check_usable_pin(c, out);
}

int plex_pin_link(plex_client *c, const char *code)
{
    plex__request r = {"PUT", "/api/v2/pins/link", NULL, NULL, 0,
                       "application/x-www-form-urlencoded", NULL, 0};
    plex__buf body = PLEX__BUF_INIT;
    plex__response resp;
    int rc;

    if (!c || !code || !*code)
        return PLEX_EINVALID;
    if (!c->token)
        return plex__client_fail(c, PLEX_EAUTH, "not signed in: linking a code needs a token");
    plex__buf_puts(&body, "code=");
    plex__url_encode(&body, code);
    if (body.err) {
        plex__buf_dispose(&body);
        return plex__client_fail(c, PLEX_ENOMEM, "out of memory");
    }
    r.body = body.ptr;
    r.body_len = body.len;
    rc = plex__http_request(c, &r, &resp);
    plex__buf_dispose(&body);
    return rc;
}

int plex_ping(plex_client *c)
{
    plex__request r = {"GET", "/api/v2/ping", NULL, NULL, 0, NULL, NULL, 0};
    plex__response resp;

    if (!c)
        return PLEX_EINVALID;
    return plex__http_request(c, &r, &resp);
}

int plex_signout(plex_client *c)
{
    plex__request r = {"DELETE", "/api/v2/users/signout", NULL, NULL, 0, NULL, NULL, 0};
    plex__response resp;

    if (!c)
        return PLEX_EINVALID;
    if (!c->token)
        return plex__client_fail(c, PLEX_EAUTH, "not signed in");
    return plex__http_request(c, &r, &resp);
}

/* ---- the user model ---- */

/* Bits follow the struct (field n of plex_user has bit n, the sub-models
 * likewise); the tables follow the order plex.tv sends, which the decoder's
 * field search is fastest with. Sub-models keep their own present masks
 * (sub_shift 0) and have no required fields. */

#define I32 PLEX__F_INT32
#define N PLEX__F_NULLABLE
static const plex__field user_profile_fields[] = {
    PLEX__FIELD("autoSelectAudio", PLEX__F_BOOL, 0, 0, plex_user_profile, auto_select_audio),
    PLEX__FIELD("defaultAudioLanguage", PLEX__F_STRING, N, 1, plex_user_profile,
                default_audio_language),
    PLEX__FIELD("defaultSubtitleLanguage", PLEX__F_STRING, N, 2, plex_user_profile,
                default_subtitle_language),
    PLEX__FIELD("autoSelectSubtitle", I32, 0, 3, plex_user_profile, auto_select_subtitle),
    PLEX__FIELD("defaultSubtitleAccessibility", I32, 0, 4, plex_user_profile,
                default_subtitle_accessibility),
    PLEX__FIELD("defaultSubtitleForced", I32, 0, 5, plex_user_profile, default_subtitle_forced),
    PLEX__FIELD("watchedIndicator", I32, 0, 6, plex_user_profile, watched_indicator),
    PLEX__FIELD("mediaReviewsVisibility", I32, 0, 7, plex_user_profile, media_reviews_visibility),
};
#undef I32

const plex__schema plex__user_profile_schema = {user_profile_fields,
                                                sizeof(user_profile_fields) /
                                                    sizeof(user_profile_fields[0]),
                                                sizeof(plex_user_profile),
                                                offsetof(plex_user_profile, present),
                                                (size_t)-1,
                                                0x1,
                                                NULL,
                                                0};

static const plex__field user_service_fields[] = {
    PLEX__FIELD("identifier", PLEX__F_STRING, 0, 0, plex_user_service, identifier),
    PLEX__FIELD("endpoint", PLEX__F_STRING, 0, 1, plex_user_service, endpoint),
    PLEX__FIELD("token", PLEX__F_STRING, N, 2, plex_user_service, token),
    PLEX__FIELD("secret", PLEX__F_STRING, N, 3, plex_user_service, secret),
    PLEX__FIELD("status", PLEX__F_STRING, 0, 4, plex_user_service, status),
};

const plex__schema plex__user_service_schema = {user_service_fields,
                                                sizeof(user_service_fields) /
                                                    sizeof(user_service_fields[0]),
                                                sizeof(plex_user_service),
                                                offsetof(plex_user_service, present),
                                                (size_t)-1,
                                                0,
                                                NULL,
                                                0};

static const plex__field user_subscription_fields[] = {
    PLEX__FIELD("active", PLEX__F_BOOL, 0, 1, plex_user_subscription, active),
    PLEX__FIELD("subscribedAt", PLEX__F_STRING, N, 2, plex_user_subscription, subscribed_at),
    PLEX__FIELD("status", PLEX__F_STRING, 0, 3, plex_user_subscription, status),
    PLEX__FIELD("paymentService", PLEX__F_STRING, N, 4, plex_user_subscription, payment_service),
    PLEX__FIELD("plan", PLEX__F_STRING, N, 5, plex_user_subscription, plan),
    PLEX__FIELD_STRINGS("features", 0, 0, plex_user_subscription, features, features_count),
};

const plex__schema plex__user_subscription_schema = {user_subscription_fields,
                                                     sizeof(user_subscription_fields) /
                                                         sizeof(user_subscription_fields[0]),
                                                     sizeof(plex_user_subscription),
                                                     offsetof(plex_user_subscription, present),
                                                     (size_t)-1,
                                                     0x1,
                                                     NULL,
                                                     0};

/* Fields 32..63 keep their presence bits in present_hi (see model.h). */
_Static_assert(offsetof(plex_user, present_hi) == offsetof(plex_user, present) + sizeof(uint32_t),
               "present_hi must follow present");

#define S PLEX__F_STRING
#define B PLEX__F_BOOL
#define I64 PLEX__F_INT64
static const plex__field user_fields[] = {
    PLEX__FIELD("id", I64, PLEX__F_REQUIRED, 0, plex_user, id),
    PLEX__FIELD("uuid", S, PLEX__F_REQUIRED, 1, plex_user, uuid),
    PLEX__FIELD("username", S, PLEX__F_REQUIRED, 2, plex_user, username),
    PLEX__FIELD("title", S, 0, 3, plex_user, title),
    PLEX__FIELD("email", S, 0, 4, plex_user, email),
    PLEX__FIELD("friendlyName", S, 0, 5, plex_user, friendly_name),
    PLEX__FIELD("locale", S, N, 6, plex_user, locale),
    PLEX__FIELD("confirmed", B, 0, 12, plex_user, confirmed),
    PLEX__FIELD("joinedAt", I64, 0, 10, plex_user, joined_at),
    PLEX__FIELD("emailOnlyAuth", B, 0, 13, plex_user, email_only_auth),
    PLEX__FIELD("hasPassword", B, 0, 14, plex_user, has_password),
    PLEX__FIELD("protected", B, 0, 15, plex_user, protected_),
    PLEX__FIELD("thumb", S, 0, 7, plex_user, thumb),
    PLEX__FIELD("authToken", S, 0, 9, plex_user, auth_token),
    PLEX__FIELD("mailingListStatus", S, 0, 32, plex_user, mailing_list_status),
    PLEX__FIELD("mailingListActive", B, 0, 31, plex_user, mailing_list_active),
    PLEX__FIELD("scrobbleTypes", S, 0, 36, plex_user, scrobble_types),
    PLEX__FIELD("country", S, 0, 8, plex_user, country),
    PLEX__FIELD("pin", S, 0, 33, plex_user, pin),
    PLEX__FIELD_OBJ("subscription", 0, 38, plex_user, subscription, &plex__user_subscription_schema,
                    0),
    PLEX__FIELD_ARRAY("subscriptions", 0, 39, plex_user, subscriptions, subscriptions_count,
                      &plex__user_subscription_schema, 0),
    PLEX__FIELD("subscriptionDescription", S, N, 24, plex_user, subscription_description),
    PLEX__FIELD("restricted", B, 0, 16, plex_user, restricted),
    PLEX__FIELD("anonymous", B, N, 20, plex_user, anonymous),
    PLEX__FIELD("home", B, 0, 17, plex_user, home),
    PLEX__FIELD("guest", B, 0, 19, plex_user, guest),
    PLEX__FIELD("homeSize", PLEX__F_INT32, 0, 22, plex_user, home_size),
    PLEX__FIELD("homeAdmin", B, 0, 18, plex_user, home_admin),
    PLEX__FIELD("maxHomeSize", PLEX__F_INT32, 0, 23, plex_user, max_home_size),
    PLEX__FIELD("rememberExpiresAt", I64, 0, 11, plex_user, remember_expires_at),
    PLEX__FIELD_OBJ("profile", 0, 34, plex_user, profile, &plex__user_profile_schema, 0),
    PLEX__FIELD_STRINGS("entitlements", 0, 30, plex_user, entitlements, entitlements_count),
    PLEX__FIELD_STRINGS("roles", 0, 35, plex_user, roles, roles_count),
    PLEX__FIELD_ARRAY("services", 0, 37, plex_user, services, services_count,
                      &plex__user_service_schema, 0),
    PLEX__FIELD("adsConsent", B, N, 25, plex_user, ads_consent),
    PLEX__FIELD("adsConsentSetAt", I64, N, 27, plex_user, ads_consent_set_at),
    PLEX__FIELD("adsConsentReminderAt", I64, N, 26, plex_user, ads_consent_reminder_at),
    PLEX__FIELD("experimentalFeatures", B, 0, 29, plex_user, experimental_features),
    PLEX__FIELD("twoFactorEnabled", B, 0, 21, plex_user, two_factor_enabled),
    PLEX__FIELD("backupCodesCreated", B, 0, 28, plex_user, backup_codes_created),
    PLEX__FIELD("attributionPartner", S, N, 40, plex_user, attribution_partner),
};
#undef S
#undef B
#undef I64
#undef N

const plex__schema plex__user_schema = {user_fields,
                                        sizeof(user_fields) / sizeof(user_fields[0]),
                                        sizeof(plex_user),
                                        offsetof(plex_user, present),
                                        (size_t)-1,
                                        0xE40BC08E80,
                                        NULL,
                                        0x7};

int plex_user_parse(plex_user **out, const char *data, size_t len, unsigned int flags,
                    plex_error *err)
{
    void *u = NULL;
    int rc;

    if (!out)
        return plex__error_set(err, PLEX_EINVALID, "invalid argument: out is NULL");
    rc = plex__model_parse(&u, &plex__user_schema, data, len, flags, err);
    *out = u;
    return rc;
}

void plex_user_free(plex_user *user)
{
    plex__arena_free_root(user);
}

int plex_user_to_json(const plex_user *user, char **out)
{
    return plex__model_to_json(&plex__user_schema, user, out);
}

static int parse_user(void **out, const char *d, size_t n, plex_error *e)
{
    plex_user *u = NULL;
    int rc = plex_user_parse(&u, d, n, 0, e);
    *out = u;
    return rc;
}

int plex_user_get(plex_user **out, plex_client *c)
{
    plex__request r = {"GET", "/api/v2/user", NULL, NULL, 0, NULL, NULL, 0};
    void *u = NULL;
    int rc;

    if (!out || !c)
        return PLEX_EINVALID;
    *out = NULL;
    if (!c->token)
        return plex__client_fail(c, PLEX_EAUTH, "not signed in: no token to validate");
    if ((rc = fetch(c, &r, parse_user, &u)) != 0)
        return rc;
    *out = u;
    return 0;
}

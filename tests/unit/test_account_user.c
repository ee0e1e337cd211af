/*
 * The user account model (GET /api/v2/user, the full model): every field of
 * the seed, the variant with nulls and missing fields, strict vs tolerant,
 * shape errors with their paths, the encoder and the decode(encode(x)) == x
 * law, the schema tables (required bits, presence bits), the engine's 64-bit
 * presence masks and string arrays on a test schema, allocation failure.
 */
#include <stddef.h>

#include <plex/plex.h>

#include "core/alloc.h"
#include "core/model.h"
#include "schema_check.h"
#include "test.h"
#include "tv/models.gen.h"

static char *load(const char *name, size_t *len)
{
    char *d = test_read_file(test_fixture(name), len);
    REQUIRE(d != NULL);
    return d;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int strings_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i], b[i]))
            return 0;
    return 1;
}

static int profiles_eq(const plex_user_profile *a, const plex_user_profile *b)
{
    if (!a || !b)
        return a == b;
    return a->auto_select_audio == b->auto_select_audio &&
           str_eq(a->default_audio_language, b->default_audio_language) &&
           str_eq(a->default_subtitle_language, b->default_subtitle_language) &&
           a->auto_select_subtitle == b->auto_select_subtitle &&
           a->default_subtitle_accessibility == b->default_subtitle_accessibility &&
           a->default_subtitle_forced == b->default_subtitle_forced &&
           a->watched_indicator == b->watched_indicator &&
           a->media_reviews_visibility == b->media_reviews_visibility && a->present == b->present;
}

static int services_eq(const plex_user_service *a, const plex_user_service *b)
{
    return str_eq(a->identifier, b->identifier) && str_eq(a->endpoint, b->endpoint) &&
           str_eq(a->token, b->token) && str_eq(a->secret, b->secret) &&
           str_eq(a->status, b->status) && a->present == b->present;
}

static int subscriptions_eq(const plex_user_subscription *a, const plex_user_subscription *b)
{
    if (!a || !b)
        return a == b;
    return strings_eq(a->features, a->features_count, b->features, b->features_count) &&
           a->active == b->active && str_eq(a->subscribed_at, b->subscribed_at) &&
           str_eq(a->status, b->status) && str_eq(a->payment_service, b->payment_service) &&
           str_eq(a->plan, b->plan) && a->present == b->present;
}

/* Field-by-field equality of two users (the round-trip law). */
static int users_eq(const plex_user *a, const plex_user *b)
{
    if (a->id != b->id || !str_eq(a->uuid, b->uuid) || !str_eq(a->username, b->username) ||
        !str_eq(a->title, b->title) || !str_eq(a->email, b->email) ||
        !str_eq(a->friendly_name, b->friendly_name) || !str_eq(a->locale, b->locale) ||
        !str_eq(a->thumb, b->thumb) || !str_eq(a->country, b->country) ||
        !str_eq(a->auth_token, b->auth_token) || a->joined_at != b->joined_at ||
        a->remember_expires_at != b->remember_expires_at || a->confirmed != b->confirmed ||
        a->email_only_auth != b->email_only_auth || a->has_password != b->has_password ||
        a->protected_ != b->protected_ || a->restricted != b->restricted || a->home != b->home ||
        a->home_admin != b->home_admin || a->guest != b->guest || a->anonymous != b->anonymous ||
        a->two_factor_enabled != b->two_factor_enabled || a->home_size != b->home_size ||
        a->max_home_size != b->max_home_size ||
        !str_eq(a->subscription_description, b->subscription_description) ||
        a->present != b->present || a->present_hi != b->present_hi)
        return 0;
    if (a->ads_consent != b->ads_consent ||
        a->ads_consent_reminder_at != b->ads_consent_reminder_at ||
        a->ads_consent_set_at != b->ads_consent_set_at ||
        a->backup_codes_created != b->backup_codes_created ||
        a->experimental_features != b->experimental_features ||
        !strings_eq(a->entitlements, a->entitlements_count, b->entitlements,
                    b->entitlements_count) ||
        a->mailing_list_active != b->mailing_list_active ||
        !str_eq(a->mailing_list_status, b->mailing_list_status) || !str_eq(a->pin, b->pin) ||
        !profiles_eq(a->profile, b->profile) ||
        !strings_eq(a->roles, a->roles_count, b->roles, b->roles_count) ||
        !str_eq(a->scrobble_types, b->scrobble_types) || a->services_count != b->services_count ||
        !subscriptions_eq(a->subscription, b->subscription) ||
        a->subscriptions_count != b->subscriptions_count ||
        !str_eq(a->attribution_partner, b->attribution_partner))
        return 0;
    for (size_t i = 0; i < a->services_count; i++)
        if (!services_eq(a->services[i], b->services[i]))
            return 0;
    for (size_t i = 0; i < a->subscriptions_count; i++)
        if (!subscriptions_eq(a->subscriptions[i], b->subscriptions[i]))
            return 0;
    return 1;
}

/* decode(encode(x)) == x, and the encoding is canonical. */
static void check_roundtrip(const plex_user *u)
{
    char *json = NULL, *json2 = NULL;
    plex_user *back = NULL;
    plex_error err;

    REQUIRE(plex_user_to_json(u, &json) == 0);
    CHECK_INT(plex_user_parse(&back, json, strlen(json), 0, &err), 0);
    REQUIRE(back != NULL);
    CHECK(users_eq(u, back));
    REQUIRE(plex_user_to_json(back, &json2) == 0);
    CHECK_STR(json2, json);
    plex_free(json);
    plex_free(json2);
    plex_user_free(back);
}

/* ---- the tables ---- */

static const plex__schema *const user_schemas[] = {&plex__user_schema, &plex__user_profile_schema,
                                                   &plex__user_service_schema,
                                                   &plex__user_subscription_schema};

static void test_schemas(void)
{
    for (size_t i = 0; i < sizeof(user_schemas) / sizeof(user_schemas[0]); i++) {
        const plex__schema *s = user_schemas[i];
        uint64_t bits = 0;

        check_schema(s);
        /* bits are unique, 0..nfields-1, and follow the struct's member
         * order (field n is the n-th member, the public numbering) */
        for (size_t j = 0; j < s->nfields; j++) {
            const plex__field *f = &s->fields[j];
            int ordered = 1;
            CHECK(f->bit < s->nfields && f->bit < 64);
            CHECK(!(bits & ((uint64_t)1 << f->bit)));
            bits |= (uint64_t)1 << f->bit;
            CHECK_INT(f->len, strlen(f->name));
            for (size_t k = 0; k < s->nfields; k++)
                if (s->fields[k].bit < f->bit && s->fields[k].offset >= f->offset)
                    ordered = 0;
            CHECK(ordered);
            /* sub-models are not merged: they must not have required fields */
            if (f->sub) {
                CHECK_INT(f->sub_shift, 0);
                CHECK_INT(f->sub->required[0], 0);
            }
        }
    }
    CHECK_INT(plex__user_schema.nfields, 41);
    CHECK_INT(plex__user_schema.required[0], 0x7);
    CHECK_INT(plex__user_schema.required[1], 0);
    CHECK_INT(plex__user_profile_schema.nfields, 8);
    CHECK_INT(plex__user_service_schema.nfields, 5);
    CHECK_INT(plex__user_subscription_schema.nfields, 6);
}

/* ---- decoding ---- */

static void test_seed(void)
{
    size_t len;
    char *d = load("user/seed.json", &len);
    plex_user *u = NULL;
    const plex_user_subscription *s;
    const plex_user_service *sv;
    plex_error err;

    REQUIRE(plex_user_parse(&u, d, len, PLEX_PARSE_STRICT, &err) == 0);
    CHECK_INT(u->id, 13692262);
    CHECK_STR(u->uuid, "dae343c1f45beb4f");
    CHECK_STR(u->username, "Username");
    CHECK_STR(u->title, "UsernameTitle");
    CHECK_STR(u->email, "username@email.com");
    CHECK_STR(u->friendly_name, "friendlyUsername");
    CHECK_STR(u->locale, "en");
    CHECK_STR(u->thumb, "https://plex.tv/users/a4f43c1ebfde43a5/avatar?c=8372075101");
    CHECK_STR(u->country, "US");
    CHECK_STR(u->auth_token, "CxoUzBTSV5hsxjTpFKaf");
    CHECK_INT(u->joined_at, 1556281940);
    CHECK_INT(u->remember_expires_at, 1721149385);
    CHECK_INT(u->confirmed, PLEX_TRUE);
    CHECK_INT(u->email_only_auth, PLEX_FALSE);
    CHECK_INT(u->has_password, PLEX_TRUE);
    CHECK_INT(u->protected_, PLEX_FALSE);
    CHECK_INT(u->restricted, PLEX_FALSE);
    CHECK_INT(u->home, PLEX_TRUE);
    CHECK_INT(u->home_admin, PLEX_TRUE);
    CHECK_INT(u->guest, PLEX_FALSE);
    CHECK_INT(u->anonymous, PLEX_FALSE);
    CHECK_INT(u->two_factor_enabled, PLEX_TRUE);
    CHECK_INT(u->home_size, 1);
    CHECK_INT(u->max_home_size, 15);
    CHECK_STR(u->subscription_description, "Lifetime Plex Pass");
    /* the fields of the full model */
    CHECK_INT(u->ads_consent, PLEX_TRUE);
    CHECK_INT(u->ads_consent_set_at, 1556281940);
    CHECK_INT(u->ads_consent_reminder_at, 1556368340);
    CHECK_INT(u->backup_codes_created, PLEX_TRUE);
    CHECK_INT(u->experimental_features, PLEX_FALSE);
    REQUIRE(u->entitlements_count == 6);
    CHECK_STR(u->entitlements[0], "all");
    CHECK_STR(u->entitlements[5], "xbox_one");
    CHECK_INT(u->mailing_list_active, PLEX_TRUE);
    CHECK_STR(u->mailing_list_status, "active");
    CHECK_STR(u->pin, "7c4a8d09ca3762af61e59520943dc26494f8941b");
    REQUIRE(u->profile != NULL);
    CHECK_INT(u->profile->auto_select_audio, PLEX_TRUE);
    CHECK_STR(u->profile->default_audio_language, "ja");
    CHECK_STR(u->profile->default_subtitle_language, "en");
    CHECK_INT(u->profile->auto_select_subtitle, 1);
    CHECK_INT(u->profile->default_subtitle_accessibility, 1);
    CHECK_INT(u->profile->default_subtitle_forced, 1);
    CHECK_INT(u->profile->watched_indicator, 1);
    CHECK_INT(u->profile->media_reviews_visibility, 1);
    CHECK_INT(u->profile->present, 0xFF);
    REQUIRE(u->roles_count == 1);
    CHECK_STR(u->roles[0], "plexpass");
    CHECK_STR(u->scrobble_types, "");
    REQUIRE(u->services_count == 2);
    sv = u->services[0];
    CHECK_STR(sv->identifier, "metadata-dev");
    CHECK_STR(sv->endpoint, "https://epg.provider.plex.tv");
    CHECK_STR(sv->token, "DjoMtqFAGRL1uVtCyF1dKIorTbShJeqv");
    CHECK_STR(sv->secret, "c2VjcmV0LWZvci1tZXRhZGF0YS1kZXY=");
    CHECK_STR(sv->status, "online");
    CHECK_INT(sv->present, 0x1F);
    sv = u->services[1];
    CHECK_STR(sv->identifier, "tv.plex.sonos");
    CHECK(sv->secret == NULL);
    CHECK_STR(sv->status, "offline");
    CHECK_INT(sv->present, 0x17);
    s = u->subscription;
    REQUIRE(s != NULL);
    CHECK_INT(s->active, PLEX_TRUE);
    CHECK_STR(s->subscribed_at, "2021-04-12T18:21:12Z");
    CHECK_STR(s->status, "Active");
    CHECK_STR(s->payment_service, "braintree");
    CHECK_STR(s->plan, "lifetime");
    REQUIRE(s->features_count == 30);
    CHECK_STR(s->features[0], "Android - Dolby Vision");
    CHECK_STR(s->features[10], "hardware_transcoding");
    CHECK_STR(s->features[29], "Subtitles on Demand");
    CHECK_INT(s->present, 0x3F);
    REQUIRE(u->subscriptions_count == 2);
    CHECK_INT(u->subscriptions[0]->features_count, 3);
    CHECK_STR(u->subscriptions[0]->features[2], "webhooks");
    s = u->subscriptions[1];
    CHECK_INT(s->active, PLEX_FALSE);
    CHECK(s->subscribed_at == NULL && s->payment_service == NULL && s->plan == NULL);
    CHECK_STR(s->status, "Inactive");
    CHECK_INT(s->features_count, 0);
    CHECK_INT(s->present, 0xB); /* features ([] is present), active and status */
    CHECK_STR(u->attribution_partner, "partner-example");
    /* all 41 fields: 0..31 in present, 32..40 in present_hi */
    CHECK_INT(u->present, 0xFFFFFFFFu);
    CHECK_INT(u->present_hi, 0x1FF);
    check_roundtrip(u);
    plex_user_free(u);

    /* tolerant decoding gives the same */
    REQUIRE(plex_user_parse(&u, d, len, 0, &err) == 0);
    CHECK_INT(u->present_hi, 0x1FF);
    plex_user_free(u);
    free(d);
}

static void test_nulls(void)
{
    size_t len;
    char *d = load("user/nulls.json", &len);
    plex_user *u = NULL;
    const plex_user_subscription *s;
    plex_error err;

    REQUIRE(plex_user_parse(&u, d, len, 0, &err) == 0);
    CHECK_INT(u->id, 58815432);
    CHECK_STR(u->friendly_name, "");
    CHECK(u->locale == NULL);
    CHECK(!(u->present & (1u << 6)));
    CHECK(u->subscription_description == NULL);
    CHECK_INT(u->anonymous, PLEX_ABSENT);
    CHECK(!(u->present & (1u << 20)));
    CHECK_INT(u->confirmed, PLEX_FALSE);
    CHECK_STR(u->mailing_list_status, "unsubscribed");
    CHECK_INT(u->mailing_list_active, PLEX_FALSE);
    CHECK(u->pin == NULL);
    /* null means absent: nullable or not, when tolerant */
    CHECK_INT(u->ads_consent, PLEX_ABSENT);
    CHECK_INT(u->ads_consent_set_at, 0);
    CHECK_INT(u->ads_consent_reminder_at, 0);
    CHECK(!(u->present & (7u << 25)));
    CHECK(u->attribution_partner == NULL);
    CHECK(u->roles == NULL);
    CHECK_INT(u->roles_count, 0);
    /* an empty array is present, with no items */
    CHECK(u->entitlements == NULL);
    CHECK_INT(u->entitlements_count, 0);
    CHECK(u->present & (1u << 30));
    s = u->subscription;
    REQUIRE(s != NULL);
    CHECK_INT(s->active, PLEX_FALSE);
    CHECK(s->subscribed_at == NULL && s->payment_service == NULL && s->plan == NULL);
    REQUIRE(s->features_count == 2); /* the null element is dropped */
    CHECK_STR(s->features[0], "pass");
    CHECK_STR(s->features[1], "sync");
    CHECK_INT(s->present, 0xB);
    CHECK(u->subscriptions == NULL);
    CHECK_INT(u->subscriptions_count, 0);
    REQUIRE(u->profile != NULL);
    CHECK(u->profile->default_audio_language == NULL);
    CHECK(u->profile->default_subtitle_language == NULL);
    CHECK_INT(u->profile->auto_select_subtitle, 0);
    CHECK_INT(u->profile->media_reviews_visibility, 0);
    CHECK_INT(u->profile->present, 0xF9); /* 0 is a value: present */
    REQUIRE(u->services_count == 2);      /* the null element is dropped */
    CHECK_STR(u->services[0]->identifier, "metadata");
    CHECK(u->services[0]->token == NULL && u->services[0]->secret == NULL);
    CHECK_INT(u->services[0]->present, 0x13);
    CHECK_STR(u->services[1]->identifier, "epg");
    CHECK_STR(u->services[1]->status, "maintenance"); /* unknown values are kept */
    CHECK_INT(u->services[1]->present, 0x13);
    /* absent: locale 6, anonymous 20, subscriptionDescription 24, adsConsent*
     * 25..27; hi: pin 33, roles 35, subscriptions 39, attributionPartner 40 */
    CHECK_INT(u->present, 0xFFFFFFFFu & ~(1u << 6 | 1u << 20 | 1u << 24 | 7u << 25));
    CHECK_INT(u->present_hi, 0x1FF & ~(1u << 1 | 1u << 3 | 1u << 7 | 1u << 8));
    check_roundtrip(u);
    plex_user_free(u);

    /* strict: the first null that is not allowed, by its path */
    CHECK_INT(plex_user_parse(&u, d, len, PLEX_PARSE_STRICT, &err), PLEX_ESCHEMA);
    CHECK(u == NULL);
    CHECK_STR(err.message, "subscription.features[1]: expected string, got null");
    free(d);
}

static void expect_error(const char *json, unsigned int flags, int rc, const char *message)
{
    plex_user *u = (plex_user *)(void *)&u; /* must be reset to NULL on failure */
    plex_error err;

    CHECK_INT(plex_user_parse(&u, json, strlen(json), flags, &err), rc);
    CHECK(u == NULL);
    CHECK_INT(err.code, rc);
    if (strcmp(err.message, message) != 0)
        fprintf(stderr, "input: %s\n", json);
    CHECK_STR(err.message, message);
}

static void expect_ok(const char *json, unsigned int flags)
{
    plex_user *u = NULL;
    plex_error err;
    int rc = plex_user_parse(&u, json, strlen(json), flags, &err);

    if (rc)
        fprintf(stderr, "input: %s: %s\n", json, err.message);
    CHECK_INT(rc, 0);
    if (u)
        check_roundtrip(u);
    plex_user_free(u);
}

#define IDS "\"id\":1,\"uuid\":\"u\",\"username\":\"n\""

static void test_errors(void)
{
    /* wrong shapes, tolerant or not: the path of the value */
    expect_error("{\"subscription\":{\"features\":[\"pass\",5]}}", 0, PLEX_ESCHEMA,
                 "subscription.features[1]: expected string, got number");
    expect_error("{\"subscriptions\":[{},{\"features\":[{}]}]}", 0, PLEX_ESCHEMA,
                 "subscriptions[1].features[0]: expected string, got object");
    expect_error("{\"entitlements\":\"all\"}", 0, PLEX_ESCHEMA,
                 "entitlements: expected array, got string");
    expect_error("{\"roles\":[true]}", 0, PLEX_ESCHEMA, "roles[0]: expected string, got boolean");
    /* indexes count the document's elements, dropped nulls included */
    expect_error("{\"roles\":[null,[]]}", 0, PLEX_ESCHEMA, "roles[1]: expected string, got array");
    expect_error("{\"services\":[null,3]}", 0, PLEX_ESCHEMA,
                 "services[1]: expected object, got number");
    expect_error("{\"services\":[{\"identifier\":1}]}", 0, PLEX_ESCHEMA,
                 "services[0].identifier: expected string, got number");
    expect_error("{\"services\":{}}", 0, PLEX_ESCHEMA, "services: expected array, got object");
    expect_error("{\"profile\":[]}", 0, PLEX_ESCHEMA, "profile: expected object, got array");
    expect_error("{\"profile\":{\"autoSelectSubtitle\":\"1\"}}", 0, PLEX_ESCHEMA,
                 "profile.autoSelectSubtitle: expected integer, got string");
    expect_error("{\"profile\":{\"watchedIndicator\":2147483648}}", 0, PLEX_ESCHEMA,
                 "profile.watchedIndicator: integer out of range");
    expect_error("{\"adsConsentSetAt\":1.5}", 0, PLEX_ESCHEMA,
                 "adsConsentSetAt: expected integer, got a number with a fraction or exponent");
    expect_error("{\"adsConsent\":\"yes\"}", 0, PLEX_ESCHEMA,
                 "adsConsent: expected boolean, got string");
    expect_error("{\"subscription\":{\"active\":1}}", 0, PLEX_ESCHEMA,
                 "subscription.active: expected boolean, got number");
    expect_error("{\"entitlements\":[\"a\\u0000b\"]}", 0, PLEX_ESCHEMA,
                 "entitlements[0]: string contains a NUL character (\\u0000)");
    /* duplicates, below and above bit 31 */
    expect_error("{\"roles\":[],\"roles\":[]}", 0, PLEX_ESCHEMA, "roles: duplicate key");
    expect_error("{\"pin\":\"a\",\"pin\":\"b\"}", 0, PLEX_ESCHEMA, "pin: duplicate key");
    expect_error("{\"adsConsent\":null,\"adsConsent\":true}", 0, PLEX_ESCHEMA,
                 "adsConsent: duplicate key");

    /* strict: nulls where the spec has none, and the required fields */
    expect_error("{" IDS ",\"experimentalFeatures\":null}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "experimentalFeatures: expected boolean, got null");
    expect_error("{" IDS ",\"roles\":null}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "roles: expected array, got null");
    expect_error("{" IDS ",\"roles\":[\"a\",null]}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "roles[1]: expected string, got null");
    expect_error("{" IDS ",\"services\":[null]}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "services[0]: expected object, got null");
    expect_error("{" IDS ",\"services\":[{\"status\":null}]}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "services[0].status: expected string, got null");
    expect_error("{" IDS ",\"profile\":{\"watchedIndicator\":null}}", PLEX_PARSE_STRICT,
                 PLEX_ESCHEMA, "profile.watchedIndicator: expected integer, got null");
    expect_error("{" IDS ",\"profile\":null}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "profile: expected object, got null");
    expect_error("{\"pin\":\"x\",\"roles\":[]}", PLEX_PARSE_STRICT, PLEX_ESCHEMA,
                 "missing required fields: id, uuid, username");
    /* the spec's nullable fields are fine when strict */
    expect_ok("{" IDS ",\"adsConsent\":null,\"adsConsentSetAt\":null,\"adsConsentReminderAt\":"
              "null,\"attributionPartner\":null,\"locale\":null,\"anonymous\":null,"
              "\"subscriptionDescription\":null,\"subscription\":{\"subscribedAt\":null,"
              "\"paymentService\":null,\"plan\":null},\"profile\":{\"defaultAudioLanguage\":null,"
              "\"defaultSubtitleLanguage\":null},\"services\":[{\"token\":null,\"secret\":null}]}",
              PLEX_PARSE_STRICT);
    expect_ok("{" IDS ",\"roles\":[],\"entitlements\":[\"\\u00e9\\/\"],\"services\":[],"
              "\"subscriptions\":[]}",
              PLEX_PARSE_STRICT);

    /* malformed JSON inside the new arrays is still a syntax error */
    expect_error("{\"roles\":[\"a\"", 0, PLEX_EPARSE,
                 "syntax error at byte 13: unexpected end of input");
    expect_error("{\"roles\":[\"a\" 1]}", 0, PLEX_EPARSE,
                 "syntax error at byte 14: expected ',' or ']'");

    /* NULL arguments */
    {
        plex_user *u = NULL;
        char *json = NULL;
        CHECK_INT(plex_user_parse(NULL, "{}", 2, 0, NULL), PLEX_EINVALID);
        CHECK_INT(plex_user_parse(&u, NULL, 2, 0, NULL), PLEX_EINVALID);
        CHECK_INT(plex_user_to_json(NULL, &json), PLEX_EINVALID);
        CHECK(json == NULL);
        CHECK_INT(plex_user_to_json(NULL, NULL), PLEX_EINVALID);
    }
}

/* ---- encoding a user built by hand ---- */

static void test_build_and_encode(void)
{
    static const char *const features[] = {"pass", "Sync v3"};
    static const char *const roles_bad[] = {"ok", "\xFF"};
    plex_user_subscription sub;
    plex_user_service svc;
    const plex_user_service *svcs[1];
    plex_user_profile prof;
    plex_user u;
    char *json = NULL;
    plex_user *back = NULL;

    memset(&u, 0, sizeof(u));
    memset(&sub, 0, sizeof(sub));
    memset(&svc, 0, sizeof(svc));
    memset(&prof, 0, sizeof(prof));
    u.id = 7;
    u.username = "me";
    u.home_size = 0; /* present: written although 0 */
    u.ads_consent = PLEX_FALSE;
    u.ads_consent_set_at = 1700000000;
    u.experimental_features = PLEX_TRUE;
    u.mailing_list_status = "active";
    u.pin = "hash";
    u.profile = &prof;
    u.subscription = &sub;
    u.services = svcs;
    u.services_count = 1;
    u.attribution_partner = "p\"q";
    svcs[0] = &svc;
    svc.identifier = "epg";
    svc.present = 1u << 0;
    prof.watched_indicator = 0;
    prof.auto_select_audio = PLEX_TRUE;
    prof.present = 1u << 0 | 1u << 6;
    sub.features = features;
    sub.features_count = 2;
    sub.active = PLEX_TRUE;
    sub.present = 1u << 0 | 1u << 1;
    /* bits: id 0, username 2, homeSize 22, adsConsent 25, adsConsentSetAt 27,
     * experimentalFeatures 29; hi: mailingListStatus 32, pin 33, profile 34,
     * roles 35 (no items: written as []), services 37, subscription 38 */
    u.present = 1u << 0 | 1u << 2 | 1u << 22 | 1u << 25 | 1u << 27 | 1u << 29;
    u.present_hi = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 6;
    REQUIRE(plex_user_to_json(&u, &json) == 0);
    CHECK_STR(json,
              "{\"id\":7,\"username\":\"me\",\"mailingListStatus\":\"active\",\"pin\":\"hash\","
              "\"subscription\":{\"active\":true,\"features\":[\"pass\",\"Sync v3\"]},"
              "\"homeSize\":0,\"profile\":{\"autoSelectAudio\":true,\"watchedIndicator\":0},"
              "\"roles\":[],\"services\":[{\"identifier\":\"epg\"}],\"adsConsent\":false,"
              "\"adsConsentSetAt\":1700000000,\"experimentalFeatures\":true,"
              "\"attributionPartner\":\"p\\\"q\"}");
    REQUIRE(plex_user_parse(&back, json, strlen(json), 0, NULL) == 0);
    /* strings are present once decoded, and absent booleans are PLEX_ABSENT */
    CHECK_INT(back->present, u.present);
    CHECK_INT(back->present_hi, u.present_hi | 1u << (40 - 32)); /* attributionPartner */
    CHECK_INT(back->home_size, 0);
    CHECK_INT(back->confirmed, PLEX_ABSENT);
    CHECK_INT(back->roles_count, 0);
    CHECK_INT(back->subscription->features_count, 2);
    CHECK_STR(back->subscription->features[1], "Sync v3");
    CHECK_INT(back->profile->watched_indicator, 0);
    CHECK_INT(back->profile->present, prof.present);
    plex_user_free(back);
    plex_free(json);

    /* without the hi bits, the arrays without items and the numbers go */
    u.present_hi = 0;
    u.present = 1u << 0;
    REQUIRE(plex_user_to_json(&u, &json) == 0);
    CHECK(strstr(json, "\"roles\"") == NULL);
    CHECK(strstr(json, "\"homeSize\"") == NULL);
    CHECK(strstr(json, "\"pin\":\"hash\"") != NULL); /* strings: when non-NULL */
    plex_free(json);

    /* a NULL string element is written as null, which decoding drops */
    {
        static const char *const with_null[] = {"a", NULL, "b"};
        sub.features = with_null;
        sub.features_count = 3;
        REQUIRE(plex_user_to_json(&u, &json) == 0);
        CHECK(strstr(json, "\"features\":[\"a\",null,\"b\"]") != NULL);
        REQUIRE(plex_user_parse(&back, json, strlen(json), 0, NULL) == 0);
        CHECK_INT(back->subscription->features_count, 2);
        plex_user_free(back);
        plex_free(json);
    }
    /* invalid UTF-8 in an element is refused */
    u.roles = roles_bad;
    u.roles_count = 2;
    CHECK_INT(plex_user_to_json(&u, &json), PLEX_EINVALID);
    CHECK(json == NULL);
}

/* ---- the engine on a test schema: >32 fields, hi bits, nested required ---- */

typedef struct inner {
    const char *const *list;
    size_t list_count;
    int64_t n;
    uint32_t present;
} inner;

typedef struct outer {
    int64_t a;
    const char *const *tags;
    size_t tags_count;
    const inner *in;
    uint32_t present;
    uint32_t present_hi;
    uint32_t missing;
} outer;

/* Hand-made schemas (the generator always numbers bits in field order):
 * presence bits far from the field positions, merged into the second word. */
static const plex__field inner_fields[] = {
    {.name = "list",
     .len = 4,
     .kind = PLEX__F_STRINGS,
     .flags = PLEX__F_REQUIRED,
     .bit = 0,
     .offset = offsetof(inner, list)},
    {.name = "n", .len = 1, .kind = PLEX__F_INT64, .bit = 1, .offset = offsetof(inner, n)},
};
static const uint16_t inner_by_name[] = {0, 1};
static const uint32_t inner_required[] = {0x1, 0};
static const plex__schema inner_schema = {.name = "inner",
                                          .fields = inner_fields,
                                          .by_name = inner_by_name,
                                          .required = inner_required,
                                          .size = sizeof(inner),
                                          .nfields = 2,
                                          .present_offset = offsetof(inner, present),
                                          .missing_offset = PLEX__NO_OFFSET,
                                          .extra_offset = PLEX__NO_OFFSET,
                                          .coerced_offset = PLEX__NO_OFFSET,
                                          .words = 1};

static const plex__field outer_fields[] = {
    {.name = "a",
     .len = 1,
     .kind = PLEX__F_INT64,
     .flags = PLEX__F_REQUIRED,
     .bit = 0,
     .offset = offsetof(outer, a)},
    {.name = "tags",
     .len = 4,
     .kind = PLEX__F_STRINGS,
     .flags = PLEX__F_REQUIRED,
     .bit = 35,
     .offset = offsetof(outer, tags)},
    {.name = "in",
     .len = 2,
     .kind = PLEX__F_OBJECT,
     .bit = 36,
     .offset = offsetof(outer, in),
     .sub = &inner_schema,
     .sub_shift = 40},
};
static const uint16_t outer_by_name[] = {0, 2, 1};
static const uint32_t outer_required[] = {0x1, 1u << 3};
static const plex__schema outer_schema = {.name = "outer",
                                          .fields = outer_fields,
                                          .by_name = outer_by_name,
                                          .required = outer_required,
                                          .size = sizeof(outer),
                                          .nfields = 3,
                                          .present_offset = offsetof(outer, present),
                                          .missing_offset = offsetof(outer, missing),
                                          .extra_offset = PLEX__NO_OFFSET,
                                          .coerced_offset = PLEX__NO_OFFSET,
                                          .words = 2};

static void test_engine(void)
{
    const char *j = "{\"a\":1,\"tags\":[\"x\",\"y\"],\"in\":{\"list\":[],\"n\":2}}";
    void *o = NULL;
    const outer *p;
    plex_error err;
    plex__buf names = PLEX__BUF_INIT;
    char *json = NULL;

    CHECK_INT(inner_schema.required[0], plex__model_required_bits(&inner_schema));
    CHECK_INT(outer_schema.required[0] | (uint64_t)outer_schema.required[1] << 32,
              plex__model_required_bits(&outer_schema));
    REQUIRE(plex__model_parse(&o, &outer_schema, j, strlen(j), PLEX_PARSE_STRICT, &err) == 0);
    p = o;
    CHECK_INT(p->a, 1);
    REQUIRE(p->tags_count == 2);
    CHECK_STR(p->tags[1], "y");
    CHECK_INT(p->in->n, 2);
    CHECK_INT(p->in->present, 0x3);
    /* bit 0, 35, 36, and the inner bits 0 and 1 at 40 and 41 */
    CHECK_INT(p->present, 0x1);
    CHECK_INT(p->present_hi, 1u << 3 | 1u << 4 | 1u << 8 | 1u << 9);
    CHECK_INT(p->missing, 0);
    REQUIRE(plex__model_to_json(&outer_schema, p, &json) == 0);
    CHECK_STR(json, j);
    plex_free(json);
    plex__arena_free_root(o);

    /* a missing required string array, at a hi bit and nested */
    j = "{\"a\":1,\"in\":{\"n\":2}}";
    CHECK_INT(plex__model_parse(&o, &outer_schema, j, strlen(j), PLEX_PARSE_STRICT, &err),
              PLEX_ESCHEMA);
    CHECK_STR(err.message, "missing required fields: tags, in.list");
    REQUIRE(plex__model_parse(&o, &outer_schema, j, strlen(j), 0, &err) == 0);
    p = o;
    CHECK(p->tags == NULL);
    CHECK_INT(p->present_hi, 1u << 4 | 1u << 9);
    CHECK_INT(p->missing, 0); /* bits 32..63 are not kept in the 32-bit missing mask */
    plex__arena_free_root(o);

    plex__model_field_names(&names, &plex__user_schema,
                            (uint64_t)1 << 0 | (uint64_t)1 << 33 | (uint64_t)1 << 40, "");
    CHECK_STR(names.ptr, "id, pin, attributionPartner");
    plex__buf_dispose(&names);
    plex__model_field_names(&names, &outer_schema, (uint64_t)1 << 35 | (uint64_t)1 << 40, "");
    CHECK_STR(names.ptr, "tags, in.list");
    plex__buf_dispose(&names);
}

/* ---- memory ---- */

static int user_parse(void **out, const char *d, size_t n)
{
    plex_user *u = NULL;
    int rc = plex_user_parse(&u, d, n, 0, NULL);
    *out = u;
    return rc;
}

static void fail_each(const char *name)
{
    size_t len;
    char *d = load(name, &len);
    void *o = NULL;
    unsigned long total;
    char *json = NULL;

    plex__alloc_fail_at(0);
    REQUIRE(user_parse(&o, d, len) == 0);
    total = plex__alloc_count();
    CHECK_INT(total, 1); /* the arena's first block holds it all */
    for (unsigned long n = 1; n <= total; n++) {
        void *f = NULL;
        plex__alloc_fail_at(n);
        CHECK_INT(user_parse(&f, d, len), PLEX_ENOMEM);
        CHECK(f == NULL);
    }
    /* encoding under allocation failure */
    plex__alloc_fail_at(0);
    REQUIRE(plex_user_to_json(o, &json) == 0);
    total = plex__alloc_count();
    plex_free(json);
    for (unsigned long n = 1; n <= total; n++) {
        plex__alloc_fail_at(n);
        json = NULL;
        CHECK_INT(plex_user_to_json(o, &json), PLEX_ENOMEM);
        CHECK(json == NULL);
    }
    plex__alloc_fail_at(0);
    plex_user_free(o);
    free(d);
}

static void test_memory(void)
{
    plex_user_free(NULL);
    fail_each("user/seed.json");
    fail_each("user/nulls.json");
}

int main(void)
{
    test_schemas();
    test_seed();
    test_nulls();
    test_errors();
    test_build_and_encode();
    test_engine();
    test_memory();
    return test_summary("test_account_user");
}

/*
 * The user model (GET /api/v2/user, and the account of a password sign-in).
 * Bytes -> model and back: no I/O.
 */
#include "core/error.h"
#include "core/model.h"
#include "plex/auth.h"

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

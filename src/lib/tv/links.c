/*
 * URLs shown to the user: the link page and the Auth App.
 */
#include <string.h>

#include "core/buf.h"
#include "core/url.h"
#include "plex/auth.h"

int plex_pin_link_url(char **out, const char *code)
{
    plex__buf b = PLEX__BUF_INIT;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!code || !*code)
        return PLEX_EINVALID;
    plex__buf_puts(&b, "https://plex.tv/link/?pin=");
    plex__url_encode(&b, code);
    return plex__buf_detach(&b, out);
}

static void param(plex__buf *b, const char *encoded_key, const char *value)
{
    if (!value)
        return;
    plex__buf_putc(b, '&');
    plex__buf_puts(b, encoded_key);
    plex__buf_putc(b, '=');
    plex__url_encode(b, value);
}

#define CTX(k) "context%5Bdevice%5D%5B" k "%5D"

int plex_auth_app_url(char **out, const plex_auth_url_options *o)
{
    plex__buf b = PLEX__BUF_INIT;

    if (!out)
        return PLEX_EINVALID;
    *out = NULL;
    if (!o || o->version != PLEX_AUTH_URL_OPTIONS_VERSION || !o->client_identifier ||
        !*o->client_identifier || !o->code || !*o->code)
        return PLEX_EINVALID;
    plex__buf_puts(&b, "https://app.plex.tv/auth#?clientID=");
    plex__url_encode(&b, o->client_identifier);
    param(&b, "code", o->code);
    param(&b, CTX("product"), o->product);
    param(&b, "forwardUrl", o->forward_url);
    param(&b, CTX("version"), o->product_version);
    param(&b, CTX("platform"), o->platform);
    param(&b, CTX("platformVersion"), o->platform_version);
    param(&b, CTX("device"), o->device);
    param(&b, CTX("deviceName"), o->device_name);
    param(&b, CTX("model"), o->model);
    return plex__buf_detach(&b, out);
}

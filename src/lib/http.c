/*
 * HTTP transport; the only file that includes <curl/curl.h>. For now: libcurl global state.
 */
#include <curl/curl.h>

#include "plex/common.h"
#include "plex/errors.h"

int plex_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : PLEX_ERROR;
}

void plex_global_cleanup(void)
{
    curl_global_cleanup();
}

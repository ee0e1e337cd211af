/*
 * Fuzz target for plex_api_errors_parse_xml (XML error container, src/lib/xml.c).
 * Decoded containers must survive a round trip through plex_api_errors_to_xml
 * and through plex_api_errors_to_json (+ plex_api_errors_parse).
 */
#include "fuzz_errors_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_errors_one_input(data, size, plex_api_errors_parse_xml);
    return 0;
}

/*
 * Fuzz target for plex_api_errors_parse (JSON error container, src/lib/errors_model.c).
 * Decoded containers must survive a round trip through plex_api_errors_to_json
 * and through plex_api_errors_to_xml (+ plex_api_errors_parse_xml).
 */
#include "fuzz_errors_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_errors_one_input(data, size, plex_api_errors_parse);
    return 0;
}

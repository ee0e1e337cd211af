// simdjson (Debian libsimdjson-dev): DOM parse, as a reference, not as a
// competitor of issue 2's target. simdjson picks SIMD kernels for the CPU at
// run time (AVX-512 "icelake", AVX2 "haswell", ...); it is the fastest JSON
// parser we know of, so its time to parse the document into its DOM, without
// building a typed model, is the floor no decoder of the same bytes is
// likely to go under. bench/sdk.sh uses it to show what the plexjs ratio can
// be at most (issue 7).
//
// To give it its best case: one parser, kept and reused (its buffers are
// allocated once, by bench_simdjson_setup), and input that already has
// BENCH_INPUT_PADDING readable bytes after the document, so that parse()
// never copies it (realloc_if_needed = false).
#include <simdjson.h>

#include <new>

extern "C" {
#include "bench_libs.h"
}

static_assert(simdjson::SIMDJSON_PADDING <= BENCH_INPUT_PADDING,
              "bench_decode must pad its input for simdjson");

static simdjson::dom::parser *parser;

extern "C" int bench_simdjson_setup(void)
{
    if (!parser)
        parser = new (std::nothrow) simdjson::dom::parser;
    return parser && parser->allocate(64 * 1024) == simdjson::SUCCESS ? 0 : -1;
}

extern "C" void bench_simdjson_teardown(void)
{
    delete parser;
    parser = nullptr;
}

extern "C" int bench_simdjson_decode(const char *buf, size_t len)
{
    simdjson::dom::element root;

    if (!parser || parser->parse(buf, len, false).get(root) != simdjson::SUCCESS)
        return -1;
    return root.is_object() ? 0 : -1;
}

extern "C" int bench_simdjson_listing(const char *buf, size_t len, size_t *items)
{
    simdjson::dom::array list;

    if (!parser || parser->parse(buf, len, false)["MediaContainer"]["Metadata"].get(list) !=
                       simdjson::SUCCESS)
        return -1;
    *items = list.size();
    return 0;
}

extern "C" const char *bench_simdjson_version(void)
{
    return SIMDJSON_STRINGIFY(SIMDJSON_VERSION);
}

extern "C" const char *bench_simdjson_kernel(void)
{
    static std::string name;

    name = simdjson::get_active_implementation()->name();
    return name.c_str();
}

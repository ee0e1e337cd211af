/*
 * Fuzz target for plexsim's media-server request handling (src/sim/pms/,
 * through sim_pms_handle(): no libmicrohttpd), issue 19.
 *
 * The input is a short session of HTTP-like requests (fuzz_request.h)
 * against one emulated media server of 12 movies (and the shows, music and
 * photos that scale with it), whose state is reset and clock fixed before
 * every input:
 *
 *     GET /library/sections/1/all?sort=year:desc&X-Plex-Container-Size=3
 *     Accept: application/json
 *     ===
 *     POST /:/timeline?ratingKey=1&state=playing&time=1000
 *     X-Plex-Client-Identifier: fuzz
 *     ===
 *     @fault GET /library/metadata/{ids}=503,truncate
 *
 * A request without an X-Plex-Token (header or query argument) gets the
 * account's; a line "@fault METHOD /route=SEQ" queues faults as --fault
 * does. As server.c does, each request first counts and pops a queued fault
 * of its route: a status fault is answered by the service's status page;
 * drop, garbage, html and huge are wire faults (nothing to answer here);
 * the others let the request through.
 *
 * Laws checked on every answer: the status is 200..599; 204 has no body; a
 * body has a content type and is of that type: JSON and XML well-formed, and
 * a 2xx MediaContainer decodes with libplex's own decoder
 * (plex_container_parse, _xml), error pages are PMS's HTML page of that
 * status, PNG and JPEG start with their signatures, HLS playlists with
 * #EXTM3U, a streamed body yields exactly its declared size (read up to
 * 64 KiB), a 206 says its range in Content-Range and sends that many bytes, a
 * 416 says the size; event streams are not read (they wait for events). The
 * state stays within its bounds. And the handling is deterministic: the
 * session is run twice from a reset and must give the same answers.
 *
 * Bounded work: painting a picture costs about a microsecond a pixel under
 * the sanitizers (a 1280x720 art: over a second), so the artwork routes of
 * fixed sizes (thumb, art, poster... and composites, resources, preview
 * thumbnails and their BIFs: hundreds of pictures) are not sent, and /photo/:/transcode only up to
 * 64x64; the same painter and PNG writer run for those.
 *
 * FUZZ_SIM_TRACE=1 in the environment prints each request's route, status
 * and content type (handy when writing seeds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "fuzz_request.h"
#include "plex/pms/models.h"
#include "pms/pms.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 12
#define MOVIES 12
#define CLOCK 1770000000             /* the media server's fixed clock */
#define READ_CAP ((size_t)64 * 1024) /* bytes of a streamed body read */
#define MAX_PICTURE 64               /* pixels a side of a picture painted (below) */

static sim_state st;
static int st_ready;
static char token_header[] = "X-Plex-Token";
static char token_value[] = SIM_USER_TOKEN;

static void teardown(void)
{
    if (st_ready)
        sim_state_dispose(&st);
    st_ready = 0;
}

static void setup(void)
{
    sim_config cfg;

    if (st_ready)
        return;
    memset(&cfg, 0, sizeof(cfg));
    cfg.approve_after = 3;
    cfg.pin_ttl = 900;
    cfg.strong_pin_ttl = 1800;
    FUZZ_CHECK(sim_state_init(&st, &cfg) == 0, "sim_state_init");
    st.port = 32401;
    snprintf(st.base_url, sizeof(st.base_url), "http://127.0.0.1:32401");
    st.server_port = 32400;
    snprintf(st.pms_url, sizeof(st.pms_url), "http://127.0.0.1:32400");
    FUZZ_CHECK(sim_pms_init(&st, MOVIES, 1) == 0, "sim_pms_init");
    st_ready = 1;
    atexit(teardown);
}

/* ---- the answers ---- */

/* FNV-1a over the answers of a session, for the determinism law. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

static const char *header_of(const sim_response *rs, const char *name)
{
    for (size_t i = 0; i < rs->nheaders; i++)
        if (strcasecmp(rs->headers[i].name, name) == 0)
            return rs->headers[i].value;
    return NULL;
}

/* 1 if needle occurs in b[0..n) (memmem is not POSIX). */
static int contains(const char *b, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, needle, k) == 0)
            return 1;
    return 0;
}

static int type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* The body of a streamed answer, read as server.c does (without the lock), up
 * to READ_CAP bytes; *complete when the stream ended. */
static char *read_stream(sim_response *rs, size_t *len, int *complete)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);

    FUZZ_CHECK(buf != NULL, "out of memory");
    *complete = 0;
    for (;;) {
        long got;
        if (n == cap) {
            char *more;
            if (cap >= READ_CAP)
                break;
            more = realloc(buf, cap * 2);
            FUZZ_CHECK(more != NULL, "out of memory");
            buf = more;
            cap *= 2;
        }
        got = rs->stream.read(rs->stream.cls, n, buf + n, cap - n);
        FUZZ_CHECK(got >= -1 && (size_t)(got < 0 ? 0 : got) <= cap - n,
                   "a stream's read out of range");
        if (got <= 0) {
            *complete = got == 0;
            break;
        }
        n += (size_t)got;
    }
    *len = n;
    return buf;
}

/* A 2xx MediaContainer decodes with libplex. */
static void check_container(const char *b, size_t n, int json)
{
    plex_container *c = NULL;
    plex_error err;
    int rc = json ? plex_container_parse(&c, b, n, 0, &err)
                  : plex_container_parse_xml(&c, b, n, 0, &err);

    if (rc != 0 && rc != PLEX_ENOMEM) {
        fprintf(stderr, "%.*s\nlibplex: %s\n", (int)(n > 2000 ? 2000 : n), b, err.message);
        FUZZ_CHECK(0, "plexsim's container does not decode with libplex");
    }
    plex_container_free(c);
}

/* "bytes A-B/T" of a 206: the body has B-A+1 bytes. */
static void check_range(const sim_response *rs, uint64_t len, int complete)
{
    const char *cr = header_of(rs, "Content-Range");
    char *end;
    long long a, b, t;

    if (rs->status == 416) {
        FUZZ_CHECK(cr && strncmp(cr, "bytes */", 8) == 0, "a 416 without the size");
        return;
    }
    FUZZ_CHECK(cr && strncmp(cr, "bytes ", 6) == 0, "a 206 without a Content-Range");
    a = strtoll(cr + 6, &end, 10);
    FUZZ_CHECK(*end == '-', "a Content-Range without its first byte");
    b = strtoll(end + 1, &end, 10);
    FUZZ_CHECK(*end == '/', "a Content-Range without its last byte");
    t = strtoll(end + 1, &end, 10);
    FUZZ_CHECK(*end == '\0', "a Content-Range without the size");
    FUZZ_CHECK(a >= 0 && a <= b && b < t, "a 206's range is out of the file");
    if (complete)
        FUZZ_CHECK((uint64_t)(b - a + 1) == len, "a 206 sends another length than its range");
}

static void check_body(const sim_response *rs, const char *b, size_t n, int complete, int fault)
{
    const char *ct = rs->content_type;
    int ok2xx = rs->status >= 200 && rs->status < 300;

    FUZZ_CHECK(ct != NULL, "a body without a content type");
    if (rs->status >= 400 || fault) { /* a status fault answers any status so */
        char want[32];
        FUZZ_CHECK(type_is(ct, "text/html"), "an error that is not PMS's HTML page");
        snprintf(want, sizeof(want), "<h1>%d ", rs->status);
        FUZZ_CHECK(n > 6 && memcmp(b, "<html>", 6) == 0 && contains(b, n, want),
                   "an error page that does not name its status");
        return;
    }
    if (type_is(ct, "application/json")) {
        if (!fuzz_json_valid(b, n))
            fprintf(stderr, "%.*s\n", (int)(n > 2000 ? 2000 : n), b);
        FUZZ_CHECK(fuzz_json_valid(b, n), "a JSON answer is not valid JSON");
        if (ok2xx && n > 18 && memcmp(b, "{\"MediaContainer\"", 17) == 0)
            check_container(b, n, 1);
    } else if (type_is(ct, "text/xml") || type_is(ct, "application/xml") ||
               type_is(ct, "application/dash+xml")) {
        if (!fuzz_xml_valid(b, n))
            fprintf(stderr, "%.*s\n", (int)(n > 2000 ? 2000 : n), b);
        FUZZ_CHECK(fuzz_xml_valid(b, n), "an XML answer is not well-formed");
        if (ok2xx && !type_is(ct, "application/dash+xml") && contains(b, n, "<MediaContainer"))
            check_container(b, n, 0);
    } else if (type_is(ct, "image/png")) {
        FUZZ_CHECK(rs->status == 206 || (n > 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0),
                   "image/png without the PNG signature");
    } else if (type_is(ct, "image/jpeg")) {
        FUZZ_CHECK(rs->status == 206 || (n > 3 && memcmp(b, "\xff\xd8\xff", 3) == 0),
                   "image/jpeg without the JPEG signature");
    } else if (type_is(ct, "application/vnd.apple.mpegurl")) {
        FUZZ_CHECK(n >= 7 && memcmp(b, "#EXTM3U", 7) == 0, "a playlist without #EXTM3U");
    } else if (type_is(ct, "text/html")) {
        FUZZ_CHECK(0, "an HTML page with a success status");
    } else if (strncmp(ct, "video/", 6) != 0 && strncmp(ct, "audio/", 6) != 0 &&
               !type_is(ct, "application/octet-stream") && !type_is(ct, "application/x-subrip") &&
               !type_is(ct, "text/x-ssa") && !type_is(ct, "text/plain")) {
        fprintf(stderr, "content type %s\n", ct);
        FUZZ_CHECK(0, "an unexpected content type");
    }
    if (rs->status == 206)
        check_range(rs, n, complete);
}

/* Check an answer (fault: of a status fault) and fold it into the session's hash. */
static uint64_t check_response(sim_response *rs, uint64_t h, int fault)
{
    char *streamed = NULL;
    const char *b = rs->body;
    size_t n = rs->body_len;
    int complete = 1;

    FUZZ_CHECK(rs->status >= 200 && rs->status <= 599, "status outside 200..599");
    h = mix(h, &rs->status, sizeof(rs->status));
    for (size_t i = 0; i < rs->nheaders; i++) {
        h = mix(h, rs->headers[i].name, strlen(rs->headers[i].name));
        h = mix(h, rs->headers[i].value, strlen(rs->headers[i].value));
    }
    if (rs->status == 416)
        check_range(rs, 0, 0);
    if (rs->stream.read) {
        FUZZ_CHECK(rs->body == NULL, "a streamed answer with a body too");
        FUZZ_CHECK(rs->content_type != NULL, "a streamed answer without a content type");
        if (strcmp(rs->content_type, "text/event-stream") == 0)
            return mix(h, "sse", 3); /* it waits for events: not read here */
        streamed = read_stream(rs, &n, &complete);
        b = streamed;
        if (complete && rs->stream.size >= 0)
            FUZZ_CHECK((int64_t)n == rs->stream.size, "a stream yields another size than it said");
        FUZZ_CHECK(n > 0 || rs->status == 204 || rs->stream.size == 0, "an empty stream");
    } else if (rs->status == 204) {
        FUZZ_CHECK(rs->body == NULL && rs->body_len == 0, "204 with a body");
    } else if (!rs->body) {
        FUZZ_CHECK(rs->body_len == 0, "body_len without a body");
        FUZZ_CHECK(rs->content_type == NULL, "a content type without a body");
    }
    if (b && n > 0) {
        check_body(rs, b, n, complete, fault);
        h = mix(h, rs->content_type, strlen(rs->content_type));
        h = mix(h, b, n);
    }
    free(streamed);
    return h;
}

/* ---- one request ---- */

typedef struct session {
    uint64_t hash;
    int trace;
} session;

/* "@fault METHOD /route=SEQ": queue the faults (a bad spec is ignored). */
static void queue_faults(char *spec)
{
    sim_fault f[16];
    size_t n = 0;
    const char *why;
    int route;

    if (sim_fault_parse_spec(spec, &route, f, sizeof(f) / sizeof(f[0]), &n, &why) != 0)
        return;
    pthread_mutex_lock(&st.lock);
    (void)sim_fault_push(&st, route, f, n);
    pthread_mutex_unlock(&st.lock);
}

/* 1 if answering would paint a picture bigger than MAX_PICTURE a side. */
static int big_picture(int route, const fuzz_request *r)
{
    static const char *const fixed[] = {
        "/{id}/thumb",         "/{id}/art",       "/{id}/banner",
        "/{id}/clearLogo",     "/{id}/composite", "/{id}/poster",
        "/:/resources/{name}", "/indexes/{index}" /* BIFs, and 160x90 previews */};
    const char *name = sim_route_name(route);

    if (strcmp(name, "GET /photo/:/transcode") == 0) {
        const char *w = fuzz_request_lookup((void *)(uintptr_t)r, SIM_QUERY, "width");
        const char *h = fuzz_request_lookup((void *)(uintptr_t)r, SIM_QUERY, "height");
        return (w && strtol(w, NULL, 10) > MAX_PICTURE) || (h && strtol(h, NULL, 10) > MAX_PICTURE);
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (strstr(name, fixed[i]))
            return 1;
    return 0;
}

/* 1 if the request names a token of its own. */
static int has_token(const fuzz_request *r)
{
    return fuzz_request_lookup((void *)(uintptr_t)r, SIM_HEADER, "X-Plex-Token") ||
           fuzz_request_lookup((void *)(uintptr_t)r, SIM_QUERY, "X-Plex-Token");
}

static void run_request(const char *src, size_t n, void *user)
{
    session *s = user;
    char *text = malloc(n + 1);
    fuzz_request r;
    sim_request in;
    sim_response rs;
    sim_fault f;
    int route;

    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, src, n);
    text[n] = '\0';
    if (n > 7 && memcmp(text, "@fault ", 7) == 0) {
        char *nl = strchr(text, '\n');
        if (nl)
            *nl = '\0';
        queue_faults(text + 7);
        free(text);
        return;
    }
    fuzz_request_parse(&r, text, n);
    if (!has_token(&r) && r.nheaders < FUZZ_MAX_FIELDS) {
        r.headers[r.nheaders].name = token_header;
        r.headers[r.nheaders++].value = token_value;
    }
    route = sim_pms_route_match(r.method, r.path);
    FUZZ_CHECK(route == SIM_R_OTHER || (route >= SIM_R_COUNT && route < sim_route_total()),
               "sim_pms_route_match out of range");
    if (big_picture(route, &r)) {
        s->hash = mix(s->hash, "picture", 7);
        free(text);
        return;
    }
    f = fuzz_count_and_pop(&st, route);

    fuzz_request_to_sim(&r, route, &in);
    memset(&rs, 0, sizeof(rs));
    switch (f.kind) {
    case SIM_F_STATUS:
        pthread_mutex_lock(&st.lock);
        sim_pms_service.status(&st, &in, &rs, f.arg);
        pthread_mutex_unlock(&st.lock);
        FUZZ_CHECK(rs.status == f.arg, "a status fault answered with another status");
        break;
    case SIM_F_DROP:
    case SIM_F_GARBAGE:
    case SIM_F_HTML:
    case SIM_F_HUGE:
        s->hash = mix(s->hash, "wire", 4); /* answered on the wire by server.c */
        free(text);
        return;
    default: /* none, delay (not waited for here), truncate, the stream faults */
        sim_pms_handle(&st, &in, &rs);
        break;
    }
    if (s->trace)
        fprintf(stderr, "%s %s -> %s %d %s\n", r.method, r.path, sim_route_name(route), rs.status,
                rs.content_type ? rs.content_type : "-");
    if (f.kind == SIM_F_STATUS && (rs.status == 204 || rs.status == 304))
        s->hash = mix(s->hash, &rs.status, sizeof(rs.status)); /* server.c sends no body */
    else
        s->hash = check_response(&rs, s->hash, f.kind == SIM_F_STATUS);
    sim_response_dispose(&rs);
    FUZZ_CHECK(st.nfaults <= SIM_MAX_FAULTS, "too many queued faults");
    free(text);
}

/* The session from a reset state and a fixed clock; its answers' hash. */
static uint64_t run_session(const uint8_t *data, size_t size, int trace)
{
    session s = {1469598103934665603u, trace};

    pthread_mutex_lock(&st.lock);
    sim_state_reset(&st);
    pms_set_clock(st.pms, CLOCK);
    pthread_mutex_unlock(&st.lock);
    fuzz_requests_each(data, size, MAX_REQUESTS, run_request, &s);
    return s.hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t first;

    setup();
    first = run_session(data, size, getenv("FUZZ_SIM_TRACE") != NULL);
    FUZZ_CHECK(run_session(data, size, 0) == first,
               "the same session from a reset gives other answers");
    return 0;
}

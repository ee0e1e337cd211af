/*
 * Playback helpers of the pms area (playback.h), the URLs a player opens
 * (direct play, images, headers), the watch state (/:/scrobble, /:/rate...)
 * and what the server shows of playbacks (sessions, history, transcodes):
 * plex/pms/playback.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/alloc.h"
#include "core/url.h"
#include "bif.h"
#include "playback.h"
#include "plex/pms/playback.h"

#define PATH_LEN 512

/* ---- shared helpers ---- */

int plex__pms_join_keys(plex_server *s, plex__buf *b, const char *const *keys, size_t n)
{
    if (!keys || n == 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "at least one rating key is required");
    for (size_t i = 0; i < n; i++) {
        if (!plex__server_check_id(s, keys[i], "rating key") || strchr(keys[i], ','))
            return plex__http_fail(&s->http, PLEX_EINVALID, "invalid rating key");
        if (i)
            plex__buf_putc(b, ',');
        plex__buf_puts(b, keys[i]);
    }
    return b->err ? plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory") : 0;
}

int plex__random_id(char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[12];
    size_t got = 0;

    if (size < 2 * sizeof(raw) + 1)
        return -1;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * sizeof(raw)] = '\0';
    return 0;
}

int plex__pms_url(char **out, plex_server *s, const char *path, const char *query, int token)
{
    plex__buf b = PLEX__BUF_INIT;
    int has_query;

    plex__buf_puts(&b, s->http.base_url);
    plex__buf_puts(&b, path);
    has_query = strchr(path, '?') != NULL;
    if (query && *query) {
        plex__buf_putc(&b, has_query ? '&' : '?');
        plex__buf_puts(&b, query);
        has_query = 1;
    }
    if (token && s->http.token) {
        plex__buf_puts(&b, has_query ? "&X-Plex-Token=" : "?X-Plex-Token=");
        plex__url_encode(&b, s->http.token);
    }
    if (plex__buf_detach(&b, out) != 0)
        return plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    return 0;
}

/* ---- URLs ---- */

/* A path a caller gives: on the server, no fragment, no spaces. */
static int check_media_path(plex_server *s, const char *path)
{
    if (path && path[0] == '/' && path[1] != '/' && !strpbrk(path, " \t\r\n#"))
        return 1;
    plex__http_fail(&s->http, PLEX_EINVALID, "invalid path: expected one starting with '/'");
    return 0;
}

int plex_media_url(char **out, plex_server *s, const char *path, unsigned int flags)
{
    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!check_media_path(s, path))
        return PLEX_EINVALID;
    return plex__pms_url(out, s, path, (flags & PLEX_URL_DOWNLOAD) ? "download=1" : NULL,
                         (flags & PLEX_URL_TOKEN) != 0);
}

int plex_part_url(char **out, plex_server *s, const plex_part *part, unsigned int flags)
{
    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (!part || !part->key)
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "the part has no key (a transcoded part is played through "
                               "plex_transcode_url())");
    return plex_media_url(out, s, part->key, flags);
}

int plex__image_query(plex_query **out, plex_server *s, const char *path, int width, int height)
{
    plex_query *q;

    *out = NULL;
    if (!check_media_path(s, path))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "url", path) != 0 ||
        plex_query_add_int(q, "width", width > 0 ? width : height) != 0 ||
        plex_query_add_int(q, "height", height > 0 ? height : width) != 0 ||
        plex_query_add(q, "minSize", "1") != 0 || plex_query_add(q, "upscale", "1") != 0)
        return plex__pms_oom(s, q);
    *out = q;
    return 0;
}

int plex_image_url(char **out, plex_server *s, const char *path, int width, int height,
                   unsigned int flags)
{
    plex_query *q;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (width <= 0 && height <= 0)
        return plex_media_url(out, s, path, flags & PLEX_URL_TOKEN);
    if ((rc = plex__image_query(&q, s, path, width, height)) != 0)
        return rc;
    rc = plex__pms_url(out, s, "/photo/:/transcode", plex_query_string(q),
                       (flags & PLEX_URL_TOKEN) != 0);
    plex_query_free(q);
    return rc;
}

int plex_server_headers(char ***out, const plex_server *s)
{
    const char *names[PLEX__IDENTITY_COUNT + 1], *values[PLEX__IDENTITY_COUNT + 1];
    size_t n = 0, bytes = 0;
    char **lines, *p;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if (s->http.token) {
        names[n] = "X-Plex-Token";
        values[n++] = s->http.token;
    }
    for (int i = 0; i < PLEX__IDENTITY_COUNT; i++)
        if (s->http.identity[i]) {
            names[n] = plex__http_identity_name(i);
            values[n++] = s->http.identity[i];
        }
    for (size_t i = 0; i < n; i++)
        bytes += strlen(names[i]) + 2 + strlen(values[i]) + 1;
    /* one block: the pointers, then the lines */
    if (!(lines = plex__malloc((n + 1) * sizeof(*lines) + bytes)))
        return PLEX_ENOMEM;
    p = (char *)(lines + n + 1);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)sprintf(p, "%s: %s", names[i], values[i]);
        lines[i] = p;
        p += k + 1;
    }
    lines[n] = NULL;
    *out = lines;
    return 0;
}

/* ---- watch state ---- */

/* PUT/POST path?identifier=...&key=rk plus one more parameter. */
static int item_write(plex_server *s, const char *method, const char *path, const char *rk,
                      const char *name, const char *value)
{
    plex_query *q;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (!plex__server_check_id(s, rk, "rating key"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "identifier", PLEX__LIBRARY_ID) != 0 ||
        plex_query_add(q, "key", rk) != 0 || (name && plex_query_add(q, name, value) != 0))
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, method, path, q);
    plex_query_free(q);
    return rc;
}

int plex_scrobble(plex_server *s, const char *rating_key)
{
    return item_write(s, "PUT", "/:/scrobble", rating_key, NULL, NULL);
}

int plex_unscrobble(plex_server *s, const char *rating_key)
{
    return item_write(s, "PUT", "/:/unscrobble", rating_key, NULL, NULL);
}

int plex_rate(plex_server *s, const char *rating_key, double rating)
{
    char v[32];

    if (!s)
        return PLEX_EINVALID;
    if (rating == -1)
        snprintf(v, sizeof(v), "-1");
    else if (rating >= 0 && rating <= 10)
        snprintf(v, sizeof(v), "%g", rating);
    else
        return plex__http_fail(&s->http, PLEX_EINVALID, "a rating is 0 to 10, or -1 to clear it");
    return item_write(s, "PUT", "/:/rate", rating_key, "rating", v);
}

int plex_progress_set(plex_server *s, const char *rating_key, int64_t offset_ms)
{
    plex_query *q;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (offset_ms < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "the offset cannot be negative");
    if (!plex__server_check_id(s, rating_key, "rating key"))
        return PLEX_EINVALID;
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "identifier", PLEX__LIBRARY_ID) != 0 ||
        plex_query_add(q, "key", rating_key) != 0 ||
        plex_query_add_int(q, "time", offset_ms) != 0 || plex_query_add(q, "state", "stopped") != 0)
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "POST", "/:/progress", q);
    plex_query_free(q);
    return rc;
}

/* 0 if a Part has an id (the calls on /library/parts/{id}), else
 * PLEX_EINVALID (recorded). */
static int check_part_id(plex_server *s, const plex_part *part)
{
    if (!part || !plex_part_has(part, PLEX_PART_ID) || part->id <= 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "the part has no id");
    return 0;
}

/* ---- preview thumbnails ---- */

/* A BIF is a file more than an answer: read through a sink of its own
 * bound, not the server's max_response_size. */
#define PREVIEWS_MAX ((size_t)256 << 20)

typedef struct previews_read {
    plex__buf b;
    plex_server *s;
} previews_read;

static int previews_sink(void *ctx, const char *data, size_t n)
{
    previews_read *rd = ctx;

    if (rd->b.len + n > PREVIEWS_MAX)
        return plex__http_fail(&rd->s->http, PLEX_ETOOBIG, "the previews pass %zu MiB",
                               PREVIEWS_MAX >> 20);
    plex__buf_put(&rd->b, data, n);
    return rd->b.err ? plex__http_fail(&rd->s->http, PLEX_ENOMEM, "out of memory") : 0;
}

int plex_previews_get(plex_previews **out, plex_server *s, const plex_part *part,
                      int64_t interval_ms)
{
    plex__request r = {.method = "GET", .accept = "*/*", .flags = PLEX__REQ_ANY_BODY};
    plex__response resp;
    previews_read rd = {PLEX__BUF_INIT, s};
    plex_query *q = NULL;
    plex_error perr;
    char path[64];
    char *data = NULL;
    size_t len;
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = check_part_id(s, part)) != 0)
        return rc;
    if (interval_ms < 0)
        return plex__http_fail(&s->http, PLEX_EINVALID, "the interval cannot be negative");
    if (interval_ms > 0) {
        if (!(q = plex__pms_query(s)))
            return PLEX_ENOMEM;
        if (plex_query_add_int(q, "interval", interval_ms) != 0)
            return plex__pms_oom(s, q);
    }
    snprintf(path, sizeof(path), "/library/parts/%lld/indexes/sd", (long long)part->id);
    r.path = path;
    r.query = q ? plex_query_string(q) : NULL;
    r.sink = previews_sink;
    r.sink_ctx = &rd;
    rc = plex__server_request(s, &r, &resp);
    plex_query_free(q);
    len = rd.b.len;
    if (rc == 0 && plex__buf_detach(&rd.b, &data) != 0)
        rc = plex__http_fail(&s->http, PLEX_ENOMEM, "out of memory");
    plex__buf_dispose(&rd.b);
    if (rc)
        return rc;
    if ((rc = plex__bif_adopt(out, (unsigned char *)data, len, &perr)) != 0)
        return plex__http_fail(&s->http, rc, "the previews could not be read: %s", perr.message);
    return 0;
}

/* ---- stream selection ---- */

int plex_part_select_streams(plex_server *s, const plex_part *part, int64_t audio_stream_id,
                             int64_t subtitle_stream_id, unsigned int flags)
{
    char path[64];
    plex_query *q;
    int rc, e = 0;

    if (!s)
        return PLEX_EINVALID;
    if ((rc = check_part_id(s, part)) != 0)
        return rc;
    if ((audio_stream_id != PLEX_STREAM_KEEP && audio_stream_id <= 0) ||
        (subtitle_stream_id != PLEX_STREAM_KEEP && subtitle_stream_id < 0))
        return plex__http_fail(&s->http, PLEX_EINVALID,
                               "a stream id is positive (0 for no subtitles) or PLEX_STREAM_KEEP");
    if (audio_stream_id == PLEX_STREAM_KEEP && subtitle_stream_id == PLEX_STREAM_KEEP)
        return plex__http_fail(&s->http, PLEX_EINVALID, "no stream to select");
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (audio_stream_id != PLEX_STREAM_KEEP)
        e |= plex_query_add_int(q, "audioStreamID", audio_stream_id);
    if (subtitle_stream_id != PLEX_STREAM_KEEP)
        e |= plex_query_add_int(q, "subtitleStreamID", subtitle_stream_id);
    if (flags & PLEX_SELECT_ALL_PARTS)
        e |= plex_query_add(q, "allParts", "1");
    if (e)
        return plex__pms_oom(s, q);
    snprintf(path, sizeof(path), "/library/parts/%lld", (long long)part->id);
    rc = plex_server_send(s, "PUT", path, q);
    plex_query_free(q);
    return rc;
}

/* ---- sessions, history, transcodes ---- */

int plex_sessions_get(plex_container **out, plex_server *s)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex__pms_call(out, s, "GET", "/status/sessions", NULL);
}

int plex_session_terminate(plex_server *s, const char *session_id, const char *reason)
{
    plex_query *q;
    int rc;

    if (!s)
        return PLEX_EINVALID;
    if (!session_id || !*session_id)
        return plex__http_fail(&s->http, PLEX_EINVALID, "a session id is required");
    if (!(q = plex__pms_query(s)))
        return PLEX_ENOMEM;
    if (plex_query_add(q, "sessionId", session_id) != 0 ||
        (reason && plex_query_add(q, "reason", reason) != 0))
        return plex__pms_oom(s, q);
    rc = plex_server_send(s, "POST", "/status/sessions/terminate", q);
    plex_query_free(q);
    return rc;
}

int plex_history(plex_listing **out, plex_server *s, const plex_query *q,
                 const plex_listing_options *o)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex_listing_new(out, s, "/status/sessions/history/all", q, o);
}

int plex_history_entry_get(plex_container **out, plex_server *s, const char *id)
{
    char path[PATH_LEN];
    int rc;

    if (!out || !s)
        return PLEX_EINVALID;
    *out = NULL;
    if ((rc = plex__pms_path(s, path, sizeof(path), "history id", "/status/sessions/history/%s",
                             id)) != 0)
        return rc;
    return plex__pms_call(out, s, "GET", path, NULL);
}

int plex_history_entry_delete(plex_server *s, const char *id)
{
    return plex__pms_send_id(s, "DELETE", "history id", "/status/sessions/history/%s", id);
}

int plex_transcode_sessions_get(plex_container **out, plex_server *s)
{
    if (!out || !s)
        return PLEX_EINVALID;
    return plex__pms_call(out, s, "GET", "/transcode/sessions", NULL);
}

size_t plex_transcode_sessions_count(const plex_container *c)
{
    return c ? c->transcode_sessions_count : 0;
}

const plex_transcode_session *plex_transcode_sessions_at(const plex_container *c, size_t i)
{
    return c && i < c->transcode_sessions_count ? c->transcode_sessions[i] : NULL;
}

int plex_transcode_session_kill(plex_server *s, const char *key)
{
    return plex__pms_send_id(s, "DELETE", "transcode session", "/transcode/sessions/%s", key);
}

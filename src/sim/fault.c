/*
 * Fault injection: the --fault grammar and the per-route queues.
 *
 *   SPEC  = METHOD " " ROUTE "=" SEQ          e.g. "GET /api/v2/pins/{id}=429,drop"
 *                                             or "GET /library/sections/{id}/all=500"
 *   SEQ   = TOKEN *("," TOKEN)
 *   TOKEN = ( NNN | "drop" | "delay=" MS | "truncate" | "garbage" | "huge" | "html"
 *           | STREAM [ "=" M ] ) [ "*" N ]
 *   STREAM = "silent" | "close" | "endless" | "junk"
 *
 * NNN is an HTTP status 200-599; "*N" repeats a token N times. Stream tokens
 * act after M messages of a streamed answer that honours them (the media
 * server's event stream); other routes answer as usual.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

const char *sim_fault_kind_name(sim_fault_kind k)
{
    switch (k) {
    case SIM_F_STATUS:
        return "status";
    case SIM_F_DROP:
        return "drop";
    case SIM_F_DELAY:
        return "delay";
    case SIM_F_TRUNCATE:
        return "truncate";
    case SIM_F_GARBAGE:
        return "garbage";
    case SIM_F_HUGE:
        return "huge";
    case SIM_F_HTML:
        return "html";
    case SIM_F_SILENT:
        return "silent";
    case SIM_F_CLOSE:
        return "close";
    case SIM_F_ENDLESS:
        return "endless";
    case SIM_F_JUNK:
        return "junk";
    default:
        return "none";
    }
}

/* Decimal digits s[0..n) to an int in [lo, hi]; 0 or -1. */
static int parse_uint(const char *s, size_t n, long lo, long hi, int *out)
{
    long v = 0;
    size_t i;

    if (n == 0 || n > 9)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* A stream token "silent", "close", "endless" or "junk", optionally =N
 * (messages sent first): 0 (f->kind SIM_F_NONE for a bad N), or -1 if s is
 * none of them. */
static int stream_token(const char *s, size_t n, sim_fault *f)
{
    static const struct {
        const char *word;
        sim_fault_kind kind;
    } words[] = {{"silent", SIM_F_SILENT},
                 {"close", SIM_F_CLOSE},
                 {"endless", SIM_F_ENDLESS},
                 {"junk", SIM_F_JUNK}};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t wl = strlen(words[i].word);
        if (n < wl || memcmp(s, words[i].word, wl) != 0 || (n > wl && s[wl] != '='))
            continue;
        f->kind = words[i].kind;
        if (n > wl && parse_uint(s + wl + 1, n - wl - 1, 0, 1000000, &f->arg) != 0)
            f->kind = SIM_F_NONE;
        return 0;
    }
    return -1;
}

static int parse_token(const char *s, size_t n, sim_fault *f, int *repeat, const char **why)
{
    const char *star = memchr(s, '*', n);

    *repeat = 1;
    if (star) {
        if (parse_uint(star + 1, (size_t)(s + n - star - 1), 1, SIM_MAX_FAULTS, repeat) != 0) {
            *why = "bad repeat count after '*'";
            return -1;
        }
        n = (size_t)(star - s);
    }
    f->arg = 0;
    if (n == 3 && parse_uint(s, 3, 200, 599, &f->arg) == 0) {
        f->kind = SIM_F_STATUS;
    } else if (word_is(s, n, "drop")) {
        f->kind = SIM_F_DROP;
    } else if (n > 6 && memcmp(s, "delay=", 6) == 0) {
        if (parse_uint(s + 6, n - 6, 0, SIM_MAX_DELAY_MS, &f->arg) != 0) {
            *why = "delay=MS needs 0..600000 milliseconds";
            return -1;
        }
        f->kind = SIM_F_DELAY;
    } else if (word_is(s, n, "truncate")) {
        f->kind = SIM_F_TRUNCATE;
    } else if (word_is(s, n, "garbage")) {
        f->kind = SIM_F_GARBAGE;
    } else if (word_is(s, n, "huge")) {
        f->kind = SIM_F_HUGE;
    } else if (word_is(s, n, "html")) {
        f->kind = SIM_F_HTML;
    } else if (stream_token(s, n, f) == 0) {
        if (f->kind == SIM_F_NONE) {
            *why = "bad message count after a stream token (silent=N, close=N...)";
            return -1;
        }
    } else {
        *why = "unknown fault token (want NNN, drop, delay=MS, truncate, garbage, huge, html, "
               "silent, close, endless or junk)";
        return -1;
    }
    return 0;
}

int sim_fault_parse_seq(const char *seq, size_t len, sim_fault *out, size_t cap, size_t *n,
                        const char **why)
{
    const char *p = seq, *end = seq + len;

    *n = 0;
    if (len == 0) {
        *why = "empty fault sequence";
        return -1;
    }
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *tok_end = comma ? comma : end;
        sim_fault f;
        int repeat, i;

        if (tok_end == p) {
            *why = "empty fault token";
            return -1;
        }
        if (parse_token(p, (size_t)(tok_end - p), &f, &repeat, why) != 0)
            return -1;
        for (i = 0; i < repeat; i++) {
            if (*n >= cap) {
                *why = "too many fault tokens";
                return -1;
            }
            out[(*n)++] = f;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int sim_fault_parse_spec(const char *spec, int *route, sim_fault *out, size_t cap, size_t *n,
                         const char **why)
{
    const char *eq = strchr(spec, '=');
    int r;

    if (!eq) {
        *why = "expected 'METHOD /route=SEQ'";
        return -1;
    }
    r = sim_route_lookup(spec, (size_t)(eq - spec));
    if (r < 0) {
        *why = "unknown route (write it as listed, e.g. 'GET /api/v2/pins/{id}')";
        return -1;
    }
    *route = r;
    return sim_fault_parse_seq(eq + 1, strlen(eq + 1), out, cap, n, why);
}

int sim_fault_push(sim_state *st, int r, const sim_fault *f, size_t n)
{
    sim_fault_queue *q;
    size_t i;

    if (!sim_route_faultable(r) || n > SIM_MAX_FAULTS - st->nfaults)
        return -1;
    q = &st->faults[r];
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 8;
        sim_fault *items;

        while (cap < q->len + n)
            cap *= 2;
        items = malloc(cap * sizeof(*items));
        if (!items)
            return -1;
        /* len <= cap always, so cap > 0 whenever this loop runs; the
         * analyzer does not know the invariant. */
        for (i = 0; i < q->len; i++)
            /* NOLINTNEXTLINE(clang-analyzer-core.DivideZero): see above */
            items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items;
        q->cap = cap;
        q->head = 0;
    }
    for (i = 0; i < n; i++)
        q->items[(q->head + q->len + i) % q->cap] = f[i];
    q->len += n;
    st->nfaults += n;
    return 0;
}

sim_fault sim_fault_pop(sim_state *st, int r)
{
    sim_fault f = {SIM_F_NONE, 0};
    sim_fault_queue *q;

    if (!sim_route_faultable(r))
        return f;
    q = &st->faults[r];
    if (q->len == 0)
        return f;
    f = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    st->nfaults--;
    return f;
}

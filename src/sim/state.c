/*
 * plexsim's state: live pins, issued tokens, counters and faults. Every
 * function here expects st->lock held (except init/dispose and the clocks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "tv/tv.h"

/* Codes people type: no 0/O, 1/I/L. */
static const char short_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
static const char strong_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char token_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sim_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        p += got;
        n -= (size_t)got;
    }
    if (n > 0) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        while (n > 0) {
            ssize_t got = read(fd, p, n);
            if (got <= 0) {
                if (got < 0 && errno == EINTR)
                    continue;
                close(fd);
                return -1;
            }
            p += got;
            n -= (size_t)got;
        }
        close(fd);
    }
    return 0;
}

/* n random characters of alphabet (whose size divides 256 or is close to it:
 * rejection sampling keeps the choice uniform). */
static int random_text(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet), i = 0;
    unsigned int limit = 256u - 256u % (unsigned int)k;
    unsigned char rnd[64];

    while (i < n) {
        size_t j;
        if (sim_random(rnd, sizeof(rnd)) != 0)
            return -1;
        for (j = 0; j < sizeof(rnd) && i < n; j++) {
            if (rnd[j] < limit)
                out[i++] = alphabet[rnd[j] % k];
        }
    }
    out[n] = '\0';
    return 0;
}

double sim_now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t sim_now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int sim_pin_remaining(const sim_pin *p, double now)
{
    double left;

    if (p->forced_expired)
        return 0;
    left = (double)p->ttl - (now - p->created_mono);
    if (left <= 0)
        return 0;
    /* whole seconds, rounded up: a fresh pin says its full lifetime */
    return (int)(left + 0.999);
}

int sim_state_init(sim_state *st, const sim_config *cfg)
{
    pthread_condattr_t ca;
    uint32_t r;

    memset(st, 0, sizeof(*st));
    if (pthread_mutex_init(&st->lock, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&st->wake, &ca) != 0) {
        pthread_mutex_destroy(&st->lock);
        return -1;
    }
    pthread_condattr_destroy(&ca);
    st->boot = *cfg;
    st->cfg = *cfg;
    st->pins = calloc(SIM_MAX_PINS, sizeof(*st->pins));
    st->tokens = calloc(SIM_MAX_TOKENS, sizeof(*st->tokens));
    st->requests = calloc((size_t)sim_route_total(), sizeof(*st->requests));
    st->faults = calloc((size_t)sim_route_total(), sizeof(*st->faults));
    if (!st->pins || !st->tokens || !st->requests || !st->faults ||
        sim_random(&r, sizeof(r)) != 0 || sim_jwt_init(st) != 0) {
        sim_state_dispose(st);
        return -1;
    }
    /* ids look like plex.tv's (nine digits) but start at a random place */
    st->next_pin_id = 100000000 + (int64_t)(r % 800000000u);
    st->started_mono = sim_now_mono();
    return 0;
}

void sim_state_dispose(sim_state *st)
{
    size_t i;

    for (i = 0; st->faults && i < (size_t)sim_route_total(); i++)
        free(st->faults[i].items);
    sim_pms_dispose(st);
    sim_jwt_dispose(st);
    free(st->faults);
    free(st->requests);
    free(st->pins);
    free(st->tokens);
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
    memset(st, 0, sizeof(*st));
}

void sim_state_reset(sim_state *st)
{
    size_t i;

    st->cfg = st->boot;
    sim_jwt_reset(st);
    st->npins = 0;
    st->ntokens = 0;
    st->token_head = 0;
    st->signin_failures = 0;
    st->user_signed_out = 0;
    for (i = 0; i < (size_t)sim_route_total(); i++) {
        st->faults[i].head = 0;
        st->faults[i].len = 0;
    }
    st->nfaults = 0;
    memset(st->requests, 0, (size_t)sim_route_total() * sizeof(*st->requests));
    sim_pms_reset(st);
    st->connections = 0;
}

sim_pin *sim_pin_find_id(sim_state *st, int64_t id)
{
    size_t i;

    for (i = 0; i < st->npins; i++) {
        if (st->pins[i].id == id)
            return &st->pins[i];
    }
    return NULL;
}

sim_pin *sim_pin_find_code(sim_state *st, const char *code)
{
    size_t i;

    for (i = 0; i < st->npins; i++) {
        sim_pin *p = &st->pins[i];
        /* people type short codes in any case; strong codes are exact */
        if (p->strong ? strcmp(p->code, code) == 0 : strcasecmp(p->code, code) == 0)
            return p;
    }
    return NULL;
}

void sim_pin_remove(sim_state *st, const sim_pin *p)
{
    size_t i = (size_t)(p - st->pins);

    if (i >= st->npins)
        return;
    st->pins[i] = st->pins[st->npins - 1];
    st->npins--;
}

/* Drop the pins whose window is over. */
static void purge_expired(sim_state *st, double now)
{
    size_t i = 0;

    while (i < st->npins) {
        if (sim_pin_remaining(&st->pins[i], now) <= 0)
            sim_pin_remove(st, &st->pins[i]);
        else
            i++;
    }
}

sim_pin *sim_pin_new(sim_state *st, int strong, const char *client_id, const char *product)
{
    double now = sim_now_mono();
    sim_pin *p;
    int tries;

    if (st->npins >= SIM_MAX_PINS)
        purge_expired(st, now);
    if (st->npins >= SIM_MAX_PINS)
        return NULL;
    p = &st->pins[st->npins];
    memset(p, 0, sizeof(*p));
    for (tries = 0;; tries++) {
        if (random_text(p->code, strong ? 25 : 4, strong ? strong_alphabet : short_alphabet) != 0)
            return NULL;
        if (!sim_pin_find_code(st, p->code))
            break;
        if (tries > 64)
            return NULL;
    }
    p->id = st->next_pin_id++;
    p->strong = strong;
    snprintf(p->client_id, sizeof(p->client_id), "%s", client_id);
    snprintf(p->product, sizeof(p->product), "%s", product);
    p->created_at = sim_now_wall();
    p->created_mono = now;
    p->ttl = strong ? st->cfg.strong_pin_ttl : st->cfg.pin_ttl;
    st->npins++;
    return p;
}

int sim_pin_approve(sim_state *st, sim_pin *p)
{
    size_t slot;

    if (p->token[0])
        return 0;
    if (random_text(p->token, SIM_TOKEN_LEN, token_alphabet) != 0) {
        p->token[0] = '\0';
        return -1;
    }
    /* the ring forgets the oldest token when full */
    slot = (st->token_head + st->ntokens) % SIM_MAX_TOKENS;
    if (st->ntokens == SIM_MAX_TOKENS) {
        st->token_head = (st->token_head + 1) % SIM_MAX_TOKENS;
        st->ntokens--;
    }
    memcpy(st->tokens[slot], p->token, sizeof(p->token));
    st->ntokens++;
    return 0;
}

static long token_slot(const sim_state *st, const char *token)
{
    size_t i;

    for (i = 0; i < st->ntokens; i++) {
        size_t slot = (st->token_head + i) % SIM_MAX_TOKENS;
        if (strcmp(st->tokens[slot], token) == 0)
            return (long)slot;
    }
    return -1;
}

int sim_token_valid(const sim_state *st, const char *token)
{
    if (!token || !*token)
        return 0;
    if (strcmp(token, SIM_USER_TOKEN) == 0)
        return !st->user_signed_out;
    return token_slot(st, token) >= 0;
}

void sim_token_revoke(sim_state *st, const char *token)
{
    long slot;

    if (strcmp(token, SIM_USER_TOKEN) == 0) {
        st->user_signed_out = 1;
        return;
    }
    slot = token_slot(st, token);
    if (slot >= 0)
        st->tokens[slot][0] = '\0'; /* an empty slot never matches */
}

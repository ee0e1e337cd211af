/*
 * The events soak (issue 17): 100,000 events on one subscription (the log
 * read live with filters=log: POST /log with 1,000 lines at a time, each a
 * `log` notification), taken with plex_events_step() and poll(2). RSS
 * (/proc/self/statm) and the open descriptors (/proc/self/fd) are taken
 * after a warm-up of 10,000 events and at the end: the descriptors must not
 * change and RSS must not grow by more than RSS_BOUND_KIB. Every event must
 * arrive, in order, decoded. Counts only, no timing. Under AddressSanitizer
 * RSS is printed but not checked (its quarantine keeps freed memory).
 *
 * usage: test_pms_events_soak [EVENTS]   (PLEXSIM names the emulator binary)
 */
#include <time.h>

#include "flow.h"

#define TOKEN "plexsim-user-token-0001"
#define BATCH 1000
#define WARMUP 10000
#define RSS_BOUND_KIB 512

typedef struct soak {
    unsigned long received, out_of_order, undecoded, disconnects;
    int connected;
} soak;

static int on_event(const plex_event *ev, void *payload)
{
    soak *k = payload;
    char want[32];

    if (ev->type == PLEX_EVENT_CONNECTED)
        k->connected = 1;
    if (ev->type == PLEX_EVENT_DISCONNECTED)
        k->disconnects++;
    if (ev->type != PLEX_EVENT_LOG)
        return 0;
    if (!ev->notification || ev->notification->log_count != 1) {
        k->undecoded++;
        return 0;
    }
    snprintf(want, sizeof(want), "soak %lu", k->received);
    if (strcmp(ev->notification->log[0]->message, want) != 0)
        k->out_of_order++;
    k->received++;
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Step until `received` reaches want (or the subscription ends, or nothing
 * at all came for a minute: a guard against a hang, not a timing check). */
static int pump(plex_events *e, const soak *k, unsigned long want)
{
    plex_wait_info w;
    unsigned long seen = k->received;
    long last = now_ms();
    int rc = PLEX_EPENDING;

    while (k->received < want && (rc = plex_events_step(e, &w)) == PLEX_EPENDING &&
           k->received < want) {
        flow_poll(&w, 1000);
        if (k->received != seen) {
            seen = k->received;
            last = now_ms();
        } else if (now_ms() - last > 60000) {
            return PLEX_ETIMEOUT;
        }
    }
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    static char msgs[BATCH][32];
    plex_log_line lines[BATCH];
    plex_events_options eo = PLEX_EVENTS_OPTIONS_INIT;
    plex_client_options co;
    plex_client *c = NULL;
    plex_server *s = NULL;
    plex_events *e = NULL;
    plex_error err;
    soak k;
    sim sm;
    long rss0 = -1, rss1;
    int fds0 = -1, fds1, rc = PLEX_EPENDING;

    REQUIRE(total >= 2 * WARMUP && total % BATCH == 0);
    memset(&k, 0, sizeof(k));
    REQUIRE(plex_global_init() == 0);
    sim_start_pms(&sm, NULL);
    flow_client_options(&co, sm.url, NULL, 30000);
    REQUIRE(plex_client_new(&c, &co, &err) == 0);
    s = flow_server(c, sm.pms_url, TOKEN, 0);
    eo.on_event = on_event;
    eo.payload = &k;
    eo.filters = "log";
    REQUIRE(plex_events_new(&e, s, &eo) == 0);

    for (unsigned long sent = 0; sent < total && rc == PLEX_EPENDING; sent += BATCH) {
        if (sent == 0) { /* be connected before the first line is written */
            plex_wait_info w;
            for (int i = 0;
                 i < 6000 && !k.connected && (rc = plex_events_step(e, &w)) == PLEX_EPENDING; i++)
                (void)poll(NULL, 0, 5);
            CHECK(k.connected);
        }
        for (int i = 0; i < BATCH; i++) {
            snprintf(msgs[i], sizeof(msgs[i]), "soak %lu", sent + (unsigned long)i);
            lines[i].level = 2;
            lines[i].message = msgs[i];
            lines[i].source = "soak";
        }
        if (plex_log_write_lines(s, lines, BATCH) != 0) {
            fprintf(stderr, "POST /log: %s\n", plex_server_last_error(s)->message);
            test_failures++;
            break;
        }
        rc = pump(e, &k, sent + BATCH);
        if (sent + BATCH == WARMUP) {
            rss0 = flow_rss_kib();
            fds0 = flow_open_fds();
        }
    }
    rss1 = flow_rss_kib();
    fds1 = flow_open_fds();
    printf("events: %lu received, %lu out of order, %lu undecoded, %lu disconnects\n", k.received,
           k.out_of_order, k.undecoded, k.disconnects);
    printf("after %d events: RSS %ld KiB, %d fds; after %lu: RSS %ld KiB (%+ld KiB), %d fds\n",
           WARMUP, rss0, fds0, k.received, rss1, rss1 - rss0, fds1);
    CHECK_INT(rc, PLEX_EPENDING);
    CHECK_INT(k.received, total);
    CHECK_INT(k.out_of_order, 0);
    CHECK_INT(k.undecoded, 0);
    CHECK_INT(k.disconnects, 0);
    CHECK(rss0 > 0 && fds0 > 0);
    CHECK_INT(fds1, fds0);
    if (FLOW_ASAN)
        printf("RSS not checked under AddressSanitizer\n");
    else if (rss1 - rss0 > RSS_BOUND_KIB) {
        test_failures++;
        fprintf(stderr, "RSS grew by %ld KiB (bound %d KiB)\n", rss1 - rss0, RSS_BOUND_KIB);
    }
    plex_events_free(e);
    plex_server_free(s);
    plex_client_free(c);
    sim_stop(&sm);
    plex_global_cleanup();
    return test_summary("test_pms_events_soak");
}

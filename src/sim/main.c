/*
 * plexsim: a local plex.tv and Plex Media Server emulator for tests,
 * benchmarks and the demo (docs/plexsim.md).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plex/common.h"
#include "sim.h"
#include "tv/tv.h"

#define MAX_PEM ((size_t)1024 * 1024)
#define MAX_LIBRARY 1000000
/* The media server listens on each: local, "remote" and relay connections. */
static const char *const pms_addresses[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};

static const char usage_text[] =
    "usage: plexsim [--port N] [--bind ADDR] [--tls-cert FILE --tls-key FILE]\n"
    "               [--approve-after N] [--pin-ttl SEC] [--strong-pin-ttl SEC]\n"
    "               [--jwt-ttl SEC] [--jwt-alg EdDSA|RS256]\n"
    "               [--fault SPEC]... [--max-seconds N] [--quiet]\n"
    "               [--pms-port N] [--library-size N] [--seed S]\n"
    "               [--resources-loopback]\n";

static const char help_text[] =
    "\n"
    "A local emulator of the plex.tv API (pins, user, resources, geoip) and of one\n"
    "Plex Media Server, for tests and demos (docs/plexsim.md). It prints\n"
    "'LISTENING http://127.0.0.1:PORT' (https:// with TLS) as its first line on\n"
    "stdout and 'PMS http://127.0.0.1:PORT' (the media server) as its second, and\n"
    "exits after --max-seconds or on SIGINT/SIGTERM.\n"
    "\n"
    "Options:\n"
    "  --port N            port to listen on; 0 (default) picks a free one\n"
    "  --bind ADDR         numeric address to bind (default 127.0.0.1)\n"
    "  --tls-cert FILE     PEM certificate: serve https (needs --tls-key)\n"
    "  --tls-key FILE      PEM private key for --tls-cert\n"
    "  --approve-after N   approve a pin on its N-th poll (default 0: never by itself)\n"
    "  --pin-ttl SEC       lifetime of 4-character pins (default 900)\n"
    "  --strong-pin-ttl SEC  lifetime of strong pins (default 1800)\n"
    "  --fault SPEC        'METHOD /route=TOKEN,TOKEN...' (repeatable): the next\n"
    "                      matching requests get one token each, in order:\n"
    "                        NNN       that status with a plex errors body\n"
    "                                  (429: code 1003 and Retry-After: 1)\n"
    "                        drop      close the connection without answering\n"
    "                        delay=MS  answer normally after MS milliseconds\n"
    "                        truncate  send half of the normal body, then close\n"
    "                        garbage   200 with a body that is not JSON\n"
    "                        huge      200 with a 64 MiB body\n"
    "                        html      200 text/html (a captive portal)\n"
    "                      TOKEN*N repeats a token N times.\n"
    "  --max-seconds N     exit after N seconds (default 600; 0: never)\n"

    "  --quiet             no per-request log on stderr\n"
    "  --resources-loopback  accepted for compatibility: /api/v2/resources always\n"
    "                      lists loopback connections only (127.0.0.1 local,\n"
    "                      127.0.0.2 remote, 127.0.0.3 relay, [::1])\n"
    "  --help, --version\n"
    "\n"
    "Routes (as written in --fault and in the stats):\n"
    "  POST /api/v2/pins              [?strong=true] 201 with a new pin\n"
    "  GET /api/v2/pins/{id}          poll a pin; 404 code 1020 when gone\n"
    "  PUT /api/v2/pins/link          form code=CODE with X-Plex-Token: approve\n"
    "  GET /api/v2/pins/qr/{code}     PNG of a QR code of the link page\n"
    "  GET /api/v2/user               the account of X-Plex-Token; 401 code 1001\n"
    "  GET /api/v2/ping               keep a token alive\n"
    "  DELETE /api/v2/users/signout   the token stops working\n"
    "  GET /api/v2/geoip              where the caller seems to be\n"
    "  GET /api/v2/resources          two servers (one offline) and a player\n"
    "  GET /api/v2/companions         the account's companions (X-Plex-Token)\n"
    "  GET /api/v2/friends            two friends, one with nulls (X-Plex-Token)\n"
    "  GET /api/v2/home               the account's Plex Home (X-Plex-Token)\n"
    "  POST /api/v2/users/signin      form login, password, rememberMe,\n"
    "                                 verificationCode: 201 with the user and a\n"
    "                                 new authToken (see below)\n"
    "  GET /api/users                 the v1 users list, always XML (X-Plex-Token)\n"

    "Every /api/v2 route but the QR image needs X-Plex-Client-Identifier (400\n"
    "code 1000 without it); X-Plex-* may be headers or query parameters. Answers\n"
    "are XML unless Accept names application/json.\n"
    "\n"
    "Control endpoints (JSON):\n"
    "  POST /__sim/approve?code=CODE   approve a pin as the simulated user\n"
    "  POST /__sim/expire?id=ID        end a pin's window now\n"
    "  POST /__sim/fault?route=ROUTE&seq=SEQ  queue faults, as --fault\n"
    "  POST /__sim/config?approve_after=N&pin_ttl=S&strong_pin_ttl=S\n"
    "  POST /__sim/reset               forget pins, tokens, faults and counters\n"
    "  GET /__sim/stats                {\"requests\":{\"METHOD /route\":N,...},\n"
    "                                   \"connections\":N, ...}\n"
    "\n"
    "The simulated account: user '" SIM_USER_NAME "' (id 13692262), whose fixed token is\n"
    "  " SIM_USER_TOKEN "\n"
    "Use it to link a pin: PUT /api/v2/pins/link with X-Plex-Token set to it.\n"
    "Tokens handed out for approved pins are random and belong to the same user.\n";

static const char help_pms[] =
    "\n"
    "The emulated Plex Media Server (docs/plexsim.md lists its routes):\n"
    "  --pms-port N        its port (on 127.0.0.1, .2 and .3); 0 (default) picks a\n"
    "                      free one\n"
    "  --library-size N    movies in its library (default 50; the shows, music and\n"
    "                      photos scale with it); 1..1000000\n"
    "  --seed S            the library is generated from S (default 1): the same\n"
    "                      flags give the same bytes on every run\n"
    "  Its routes take --fault and count in the stats as written there, e.g.\n"
    "  'GET /library/sections/{id}/all'. Its event stream also takes the tokens\n"
    "  silent, close, endless and junk (=M: after M messages): nothing more, the\n"
    "  end, a line without end, garbage; /__sim/config?event_ping_ms=MS sets its\n"
    "  ping interval (default 10000). Tokens: " SIM_USER_TOKEN ", those of\n"
    "  approved pins and sign-ins, and the server's own " SIM_SERVER_TOKEN ".\n";

static const char help_account[] =
    "Password sign-in: login '" SIM_SIGNIN_LOGIN "' (or " SIM_USER_EMAIL ") with password\n"
    "  '" SIM_SIGNIN_PASSWORD "'; login '" SIM_SIGNIN_2FA_LOGIN "' with the same password also\n"
    "  needs verificationCode " SIM_SIGNIN_2FA_CODE " (401 code 1029 without one, 1028 when\n"
    "  wrong). A wrong password is 401 code 1001. After 5 failures in a row every\n"
    "  sign-in answers 429 code 1031 until /__sim/reset.\n";

/* Kept apart from help_text (C99 string literal length limit). */
static const char help_jwt[] =
    "\n"
    "JWT device sign-in (plexsim verifies device signatures and signs its own JWTs):\n"
    "  POST /api/v2/pins with {\"jwk\":{...},\"strong\":true}; poll with ?deviceJWT=JWT\n"
    "  POST /api/v2/auth/jwk          register a key for a legacy X-Plex-Token\n"
    "  GET /api/v2/auth/nonce         a refresh nonce (5 minutes)\n"
    "  POST /api/v2/auth/token        {\"jwt\":JWT} -> {\"auth_token\":Plex JWT}\n"
    "  GET /api/v2/auth/keys          plexsim's public keys, {\"keys\":[JWK...]}\n"
    "  --jwt-ttl SEC or /__sim/config?jwt_ttl=S: Plex JWT lifetime (default 7 days);\n"
    "  /__sim/config?clock_skew=S: the clock of Plex JWTs runs S seconds ahead;\n"
    "  an expired one answers 498, a bad signature or another device's key 422.\n"
    "  --jwt-alg ALG or /__sim/config?jwt_alg=ALG: how Plex JWTs are signed, EdDSA\n"
    "  (Ed25519, the default) or RS256 (a 2048-bit RSA key, made when RS256 is first\n"
    "  selected and kept until exit). The keys list the Ed25519 key and, once made,\n"
    "  the RSA key; only the selected one signs, so JWTs issued before a switch\n"
    "  still verify (as when plex.tv rotates keys). Device JWTs are always EdDSA.\n";

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "plexsim: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (!*s || *s == '-')
        return -1;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static char *read_file(const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f) {
        snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(MAX_PEM + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    n = fread(buf, 1, MAX_PEM, f);
    if (ferror(f) || !feof(f)) {
        snprintf(err, errsize, "cannot read %s (or larger than 1 MiB)", path);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

enum {
    OPT_PORT = 256,
    OPT_BIND,
    OPT_CERT,
    OPT_KEY,
    OPT_APPROVE,
    OPT_TTL,
    OPT_STRONG_TTL,
    OPT_JWT_TTL,
    OPT_JWT_ALG,
    OPT_FAULT,
    OPT_MAX,
    OPT_QUIET,
    OPT_RES_LOOPBACK,
    OPT_PMS_PORT,
    OPT_LIBRARY_SIZE,
    OPT_SEED,
    OPT_HELP,
    OPT_VERSION
};

static const struct option long_opts[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"approve-after", required_argument, NULL, OPT_APPROVE},
    {"pin-ttl", required_argument, NULL, OPT_TTL},
    {"strong-pin-ttl", required_argument, NULL, OPT_STRONG_TTL},
    {"jwt-ttl", required_argument, NULL, OPT_JWT_TTL},
    {"jwt-alg", required_argument, NULL, OPT_JWT_ALG},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"max-seconds", required_argument, NULL, OPT_MAX},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"resources-loopback", no_argument, NULL, OPT_RES_LOOPBACK},
    {"pms-port", required_argument, NULL, OPT_PMS_PORT},
    {"library-size", required_argument, NULL, OPT_LIBRARY_SIZE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The media server: on 127.0.0.1, .2 and .3 at one port (Linux routes all
 * of 127.0.0.0/8 to lo). Where the extra addresses cannot be bound, it
 * listens on 127.0.0.1 alone, with a warning. */
static int start_pms(sim_server **out, sim_state *st, const sim_server_options *tv, int port,
                     char *err, size_t errsize)
{
    sim_server_options o = *tv;
    size_t i;

    o.service = &sim_pms_service;
    o.port = port;
    o.nbind = sizeof(pms_addresses) / sizeof(pms_addresses[0]);
    for (i = 0; i < o.nbind; i++)
        o.bind[i] = pms_addresses[i];
    if (sim_server_start(out, st, &o, err, errsize) == 0)
        return 0;
    fprintf(stderr, "plexsim: %s; the media server listens on 127.0.0.1 only\n", err);
    o.nbind = 1;
    return sim_server_start(out, st, &o, err, errsize);
}

/* Wait for SIGINT/SIGTERM (blocked in every thread) or the deadline. */
static void wait_for_end(const sigset_t *set, int max_seconds)
{
    double deadline = sim_now_mono() + max_seconds;

    for (;;) {
        struct timespec ts;
        double left;
        int sig;

        if (max_seconds <= 0) {
            if (sigwait(set, &sig) == 0)
                return;
            continue;
        }
        left = deadline - sim_now_mono();
        if (left <= 0)
            return;
        ts.tv_sec = (time_t)left;
        ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        sig = sigtimedwait(set, NULL, &ts);
        if (sig > 0)
            return;
        if (sig < 0 && errno != EINTR && errno != EAGAIN)
            return;
    }
}

int main(int argc, char **argv)
{
    sim_config cfg = {0, 900, 1800, 0, 0, 0, 0};
    sim_server_options so;
    const char *cert_path = NULL, *key_path = NULL;
    char *cert = NULL, *key = NULL;
    const char **faults;
    int nfaults = 0, max_seconds = 600, c, i, rc = 0, pms_port = 0, library_size = 50;
    uint64_t seed = 1;
    sim_state st;
    sim_server *srv = NULL, *pms = NULL;
    sigset_t set;
    char err[256];

    memset(&so, 0, sizeof(so));
    so.bind[0] = "127.0.0.1";
    so.nbind = 1;
    faults = calloc((size_t)argc + 1, sizeof(*faults));
    if (!faults)
        return 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_PORT:
            if (parse_int(optarg, 0, 65535, &so.port))
                rc = usage_error("--port: expected 0..65535, got '%s'", optarg);
            break;
        case OPT_BIND:
            so.bind[0] = optarg;
            break;
        case OPT_CERT:
            cert_path = optarg;
            break;
        case OPT_KEY:
            key_path = optarg;
            break;
        case OPT_APPROVE:
            if (parse_int(optarg, 0, 1000000, &cfg.approve_after))
                rc = usage_error("--approve-after: expected 0..1000000, got '%s'", optarg);
            break;
        case OPT_TTL:
            if (parse_int(optarg, 1, 86400, &cfg.pin_ttl))
                rc = usage_error("--pin-ttl: expected 1..86400 seconds, got '%s'", optarg);
            break;
        case OPT_STRONG_TTL:
            if (parse_int(optarg, 1, 86400, &cfg.strong_pin_ttl))
                rc = usage_error("--strong-pin-ttl: expected 1..86400 seconds, got '%s'", optarg);
            break;
        case OPT_JWT_TTL:
            if (parse_int(optarg, 1, 100000000, &cfg.jwt_ttl))
                rc = usage_error("--jwt-ttl: expected a number of seconds, got '%s'", optarg);
            break;
        case OPT_JWT_ALG:
            if (strcmp(optarg, "RS256") == 0 || strcmp(optarg, "EdDSA") == 0)
                cfg.jwt_rs256 = strcmp(optarg, "RS256") == 0;
            else
                rc = usage_error("--jwt-alg: expected EdDSA or RS256, got '%s'", optarg);
            break;
        case OPT_FAULT:
            faults[nfaults++] = optarg;
            break;
        case OPT_MAX:
            if (parse_int(optarg, 0, 100000000, &max_seconds))
                rc = usage_error("--max-seconds: expected a number of seconds, got '%s'", optarg);
            break;
        case OPT_QUIET:
            so.quiet = 1;
            break;
        case OPT_RES_LOOPBACK:
            break; /* the only behaviour now */
        case OPT_PMS_PORT:
            if (parse_int(optarg, 0, 65535, &pms_port))
                rc = usage_error("--pms-port: expected 0..65535, got '%s'", optarg);
            break;
        case OPT_LIBRARY_SIZE:
            if (parse_int(optarg, 1, MAX_LIBRARY, &library_size))
                rc = usage_error("--library-size: expected 1..%d movies, got '%s'", MAX_LIBRARY,
                                 optarg);
            break;
        case OPT_SEED:
            if (parse_u64(optarg, &seed))
                rc = usage_error("--seed: expected a whole number, got '%s'", optarg);
            break;
        case OPT_HELP:
            printf("%s%s%s%s%s", usage_text, help_text, help_pms, help_account, help_jwt);
            free(faults);
            return 0;
        case OPT_VERSION:
            printf("plexsim (libplex %s)\n", plex_version());
            free(faults);
            return 0;
        default:
            rc = usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = usage_error("unexpected argument '%s'", argv[optind]);
    if (rc == 0 && !cert_path != !key_path)
        rc = usage_error("%s", "--tls-cert and --tls-key go together");
    if (rc != 0) {
        free(faults);
        return rc;
    }

    if (sim_state_init(&st, &cfg) != 0 || sim_pms_init(&st, library_size, seed) != 0) {
        fprintf(stderr, "plexsim: out of memory (or no key for the JWTs)\n");
        sim_state_dispose(&st);
        free(faults);
        return 1;
    }
    for (i = 0; i < nfaults; i++) {
        sim_fault *items = malloc(SIM_MAX_FAULTS * sizeof(*items));
        int route;
        size_t n = 0;
        const char *why = "out of memory";

        int bad = !items;

        if (!bad && sim_fault_parse_spec(faults[i], &route, items, SIM_MAX_FAULTS, &n, &why))
            bad = 1;
        if (!bad && sim_fault_push(&st, route, items, n)) {
            why = "too many fault tokens";
            bad = 1;
        }
        if (bad) {
            fprintf(stderr, "plexsim: --fault '%s': %s\n%s", faults[i], why, usage_text);
            free(items);
            free(faults);
            sim_state_dispose(&st);
            return 2;
        }
        free(items);
    }
    free(faults);

    if (cert_path) {
        if (!(cert = read_file(cert_path, err, sizeof(err))) ||
            !(key = read_file(key_path, err, sizeof(err)))) {
            fprintf(stderr, "plexsim: %s\n", err);
            free(cert);
            sim_state_dispose(&st);
            return 1;
        }
        so.tls_cert_pem = cert;
        so.tls_key_pem = key;
    }

    /* Block the stop signals in every thread; main waits for them. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    so.service = &sim_tv_service;
    if (sim_server_start(&srv, &st, &so, err, sizeof(err)) != 0 ||
        start_pms(&pms, &st, &so, pms_port, err, sizeof(err)) != 0) {
        fprintf(stderr, "plexsim: %s\n", err);
        rc = 1;
    } else {
        pthread_mutex_lock(&st.lock);
        st.port = sim_server_port(srv);
        st.tls = cert != NULL;
        sim_server_url(srv, st.base_url, sizeof(st.base_url));
        st.server_port = sim_server_port(pms);
        sim_server_url(pms, st.pms_url, sizeof(st.pms_url));
        pthread_mutex_unlock(&st.lock);
        /* both lines in one write: a reader that takes the first line and
         * closes the pipe still gets a whole line */
        printf("LISTENING %s\nPMS %s\n", st.base_url, st.pms_url);
        fflush(stdout);
        wait_for_end(&set, max_seconds);
        if (!so.quiet)
            fprintf(stderr, "plexsim: stopped\n");
    }
    sim_server_stop(pms);
    sim_server_stop(srv);
    free(cert);
    free(key);
    sim_state_dispose(&st);
    return rc;
}

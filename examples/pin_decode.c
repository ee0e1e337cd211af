/*
 * pin_decode: decode a plex.tv PIN container and show what it holds.
 *
 *   pin_decode [FILE|-]
 *
 * Reads the JSON answer of `POST /api/v2/pins` (or `GET /api/v2/pins/{id}`)
 * from FILE, or from standard input when FILE is "-" or left out, decodes it
 * with plex_pin_parse() and prints the code, the id, the expiry, whether the
 * PIN has been approved (the token itself is a secret and is never printed)
 * and which required fields the container lacked.
 *
 * Exit status: 0 decoded, 65 the input is not a PIN container (malformed
 * JSON or the wrong shape), 1 any other failure (usage, I/O, memory).
 *
 * Build it against an installed libplex with either of:
 *   cc pin_decode.c $(pkg-config --cflags --libs libplex)
 *   find_package(plex) + target_link_libraries(... plex::plex)
 */
#include <plex/plex.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_DATAERR = 65 }; /* sysexits.h EX_DATAERR */

/* Upper bound on the input: a PIN container is well under a kilobyte. */
#define MAX_INPUT (16u * 1024u * 1024u)

/*
 * Read all of `f` into a new buffer. Returns 0 and sets *out and *len, or -1 with
 * a message on stderr. The caller frees *out.
 */
static int read_all(FILE *f, const char *name, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);

    if (!buf) {
        fprintf(stderr, "pin_decode: out of memory\n");
        return -1;
    }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "pin_decode: %s: read error\n", name);
                free(buf);
                return -1;
            }
            break; /* end of file */
        }
        if (n == cap) {
            char *bigger;
            if (cap >= MAX_INPUT) {
                fprintf(stderr, "pin_decode: %s: input larger than %u bytes\n", name, MAX_INPUT);
                free(buf);
                return -1;
            }
            cap *= 2;
            bigger = realloc(buf, cap);
            if (!bigger) {
                fprintf(stderr, "pin_decode: out of memory\n");
                free(buf);
                return -1;
            }
            buf = bigger;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Print a string field, or "(absent)" when the container did not have it. */
static void print_field(const char *label, const char *value)
{
    printf("%-10s %s\n", label, value ? value : "(absent)");
}

static void print_pin(const plex_pin *pin)
{
    char when[32];
    unsigned int bit;
    int any = 0;

    print_field("code:", pin->code);
    if (pin->present & PLEX_PIN_ID)
        printf("%-10s %" PRId64 "\n", "id:", pin->id);
    else
        print_field("id:", NULL);

    if (!(pin->present & PLEX_PIN_EXPIRES_AT))
        print_field("expires:", NULL);
    else if (plex_timestamp_format(pin->expires_at, when, sizeof(when)) == 0)
        print_field("expires:", when);
    else
        print_field("expires:", "(out of range)");

    /* The token redeems the account: say whether there is one, never what it is. */
    print_field("token:", pin->auth_token ? "present" : "none (not approved yet)");

    printf("%-10s", "missing:");
    for (bit = 1; bit != 0; bit <<= 1) {
        if (pin->missing & bit) {
            printf(" %s", plex_pin_field_name(bit));
            any = 1;
        }
    }
    printf("%s\n", any ? "" : " none");
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "-";
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    FILE *f = stdin;
    char *data = NULL;
    size_t len = 0;
    plex_pin *pin = NULL;
    plex_error err;
    int rc;

    if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')) {
        fprintf(stderr, "usage: pin_decode [FILE|-]\n");
        return EXIT_FAILURE;
    }
    if (strcmp(path, "-") != 0) {
        f = fopen(path, "rb");
        if (!f) {
            perror(path);
            return EXIT_FAILURE;
        }
    }
    rc = read_all(f, name, &data, &len);
    if (f != stdin)
        fclose(f);
    if (rc != 0)
        return EXIT_FAILURE;

    plex_error_clear(&err);
    rc = plex_pin_parse(&pin, data, len, 0, &err);
    free(data);
    if (rc != 0) {
        fprintf(stderr, "pin_decode: %s: %s\n", name,
                err.message[0] ? err.message : plex_strerror(rc));
        return (rc == PLEX_EPARSE || rc == PLEX_ESCHEMA) ? EXIT_DATAERR : EXIT_FAILURE;
    }

    print_pin(pin);
    plex_pin_free(pin);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "pin_decode: error writing the output\n");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

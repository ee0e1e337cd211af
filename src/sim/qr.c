/*
 * /api/v2/pins/qr/{code}: a PNG of a QR code, like plex.tv renders. The
 * PNG is written by hand (1-bit grayscale, stored deflate blocks), so no
 * image library is needed; the QR matrix comes from libqrencode when it
 * was found at build time, otherwise the picture is a blank square.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#ifdef PLEXSIM_HAVE_QRENCODE
#include <qrencode.h>
#endif

#define SCALE 8  /* pixels per module */
#define MARGIN 4 /* quiet zone, in modules */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    uint32_t n, c;
    int k;

    for (n = 0; n < 256; n++) {
        c = n;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Append a chunk at out + *pos (room was reserved by the caller). */
static void chunk(unsigned char *out, size_t *pos, const char *type, const unsigned char *data,
                  size_t n)
{
    unsigned char *p = out + *pos;
    uint32_t crc;

    put32(p, (uint32_t)n);
    memcpy(p + 4, type, 4);
    if (n)
        memcpy(p + 8, data, n);
    crc = crc32_update(0xFFFFFFFFu, p + 4, n + 4) ^ 0xFFFFFFFFu;
    put32(p + 8 + n, crc);
    *pos += 12 + n;
}

/* PNG of a size x size 1-bit image; dark(x, y) in modules via the matrix. */
static int write_png(const unsigned char *modules, int width, unsigned char **out, size_t *len)
{
    int px = (width + 2 * MARGIN) * SCALE;
    size_t row = 1 + ((size_t)px + 7) / 8;
    size_t raw_len = row * (size_t)px;
    size_t nblocks = (raw_len + 65534) / 65535;
    size_t zlen = 2 + raw_len + 5 * nblocks + 4;
    size_t total = 8 + 25 + 12 + zlen + 12;
    unsigned char *raw, *z, *png;
    unsigned char ihdr[13];
    uint32_t a = 1, b = 0;
    size_t i, zpos, pos = 0;
    int x, y;

    pthread_once(&crc_once, crc_init);
    raw = calloc(1, raw_len);
    z = malloc(zlen);
    png = malloc(total);
    if (!raw || !z || !png) {
        free(raw);
        free(z);
        free(png);
        return -1;
    }
    for (y = 0; y < px; y++) {
        unsigned char *r = raw + (size_t)y * row;
        r[0] = 0; /* filter: none */
        for (x = 0; x < px; x++) {
            int mx = x / SCALE - MARGIN, my = y / SCALE - MARGIN;
            int dark = mx >= 0 && my >= 0 && mx < width && my < width && modules &&
                       (modules[my * width + mx] & 1);
            if (!dark) /* 1 = white in grayscale */
                r[1 + x / 8] |= (unsigned char)(0x80 >> (x % 8));
        }
    }
    /* zlib stream of stored blocks */
    z[0] = 0x78;
    z[1] = 0x01;
    zpos = 2;
    for (i = 0; i < raw_len; i += 65535) {
        size_t n = raw_len - i < 65535 ? raw_len - i : 65535;
        z[zpos++] = (unsigned char)(i + n >= raw_len ? 1 : 0);
        z[zpos++] = (unsigned char)(n & 0xFF);
        z[zpos++] = (unsigned char)(n >> 8);
        z[zpos++] = (unsigned char)(~n & 0xFF);
        z[zpos++] = (unsigned char)((~n >> 8) & 0xFF);
        memcpy(z + zpos, raw + i, n);
        zpos += n;
    }
    for (i = 0; i < raw_len; i++) {
        a = (a + raw[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    put32(z + zpos, (b << 16) | a);
    zpos += 4;

    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    pos = 8;
    put32(ihdr, (uint32_t)px);
    put32(ihdr + 4, (uint32_t)px);
    ihdr[8] = 1;  /* bit depth */
    ihdr[9] = 0;  /* grayscale */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    chunk(png, &pos, "IHDR", ihdr, sizeof(ihdr));
    chunk(png, &pos, "IDAT", z, zpos);
    chunk(png, &pos, "IEND", NULL, 0);
    free(raw);
    free(z);
    *out = png;
    *len = pos;
    return 0;
}

int sim_qr_png(const char *text, unsigned char **out, size_t *len)
{
#ifdef PLEXSIM_HAVE_QRENCODE
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int rc;

    if (!qr)
        return -1;
    rc = write_png(qr->data, qr->width, out, len);
    QRcode_free(qr);
    return rc;
#else
    (void)text;
    return write_png(NULL, 21, out, len);
#endif
}

/*
 * A small PNG writer for plexsim's pictures (QR codes, artwork): grayscale
 * (depth 1 or 8) or 8-bit RGB, no interlace, filter 0, one IDAT chunk.
 *
 * The zlib stream is deflate with the fixed Huffman codes (RFC 1951 3.2.6)
 * and only two kinds of back-reference: the previous pixel (runs) and the
 * row above (repeated rows). That is all flat artwork and QR modules need:
 * a 600x900 poster of blocks is a few kilobytes, without zlib.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_SIDE 8192

/* ---- CRC-32 (PNG chunks) ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
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

/* ---- deflate, fixed Huffman codes ---- */

typedef struct bits {
    unsigned char *out;
    size_t len;
    uint64_t acc;
    unsigned n;
} bits;

static void put_bits(bits *b, uint32_t v, unsigned n)
{
    b->acc |= (uint64_t)v << b->n;
    b->n += n;
    while (b->n >= 8) {
        b->out[b->len++] = (unsigned char)b->acc;
        b->acc >>= 8;
        b->n -= 8;
    }
}

/* A Huffman code goes out most significant bit first. */
static void put_code(bits *b, uint32_t code, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    put_bits(b, r, n);
}

static void put_symbol(bits *b, unsigned sym)
{
    if (sym < 144)
        put_code(b, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(b, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(b, sym - 256, 7);
    else
        put_code(b, 0xC0 + sym - 280, 8);
}

static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static void put_match(bits *b, unsigned len, unsigned dist)
{
    unsigned i = 28;

    while (len_base[i] > len)
        i--;
    put_symbol(b, 257 + i);
    put_bits(b, len - len_base[i], len_extra[i]);
    i = 29;
    while (dist_base[i] > dist)
        i--;
    put_code(b, i, 5);
    put_bits(b, dist - dist_base[i], dist_extra[i]);
}

/* How far data[i..] repeats data[i - dist..] (at most 258). */
static unsigned match_len(const unsigned char *data, size_t n, size_t i, size_t dist)
{
    unsigned len = 0;

    if (dist == 0 || dist > 32768 || i < dist)
        return 0;
    while (len < 258 && i + len < n && data[i + len] == data[i + len - dist])
        len++;
    return len;
}

/* A zlib stream of data (header, one fixed-Huffman block, Adler-32) into out,
 * which has room for n * 9 / 8 + 64 bytes. Returns its length. */
static size_t zlib_fixed(const unsigned char *data, size_t n, size_t near, size_t row,
                         unsigned char *out)
{
    bits b = {out, 0, 0, 0};
    uint32_t a = 1, s2 = 0;
    size_t i = 0;

    out[b.len++] = 0x78;
    out[b.len++] = 0x01;
    put_bits(&b, 1, 1); /* the last block */
    put_bits(&b, 1, 2); /* fixed codes */
    while (i < n) {
        unsigned l1 = match_len(data, n, i, near), l2 = match_len(data, n, i, row);
        unsigned len = l1 >= l2 ? l1 : l2;
        if (len >= 3) {
            put_match(&b, len, (unsigned)(l1 >= l2 ? near : row));
            i += len;
        } else {
            put_symbol(&b, data[i++]);
        }
    }
    put_symbol(&b, 256);
    if (b.n)
        put_bits(&b, 0, 8 - b.n);
    for (i = 0; i < n; i++) {
        a = (a + data[i]) % 65521u;
        s2 = (s2 + a) % 65521u;
    }
    put32(out + b.len, (s2 << 16) | a);
    return b.len + 4;
}

/* ---- PNG ---- */

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

int sim_png(int width, int height, int channels, int depth, sim_pixel_fn pixel, void *user,
            unsigned char **out, size_t *len)
{
    size_t row, raw_len, zcap, total, zlen, pos = 0;
    unsigned char *raw, *z, *png, ihdr[13];
    int bpp;

    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE ||
        (!(channels == 3 && depth == 8) && !(channels == 1 && (depth == 1 || depth == 8))))
        return -1;
    pthread_once(&crc_once, crc_init);
    bpp = channels * depth / 8;
    row = 1 + ((size_t)width * (size_t)channels * (size_t)depth + 7) / 8;
    raw_len = row * (size_t)height;
    zcap = raw_len + raw_len / 8 + 64;
    total = 8 + 25 + 12 + zcap + 12;
    raw = calloc(1, raw_len);
    z = malloc(zcap);
    png = malloc(total);
    if (!raw || !z || !png) {
        free(raw);
        free(z);
        free(png);
        return -1;
    }
    for (int y = 0; y < height; y++) {
        unsigned char *r = raw + (size_t)y * row + 1; /* filter byte 0: none */
        for (int x = 0; x < width; x++) {
            unsigned char rgb[3] = {0, 0, 0};
            pixel(user, x, y, rgb);
            if (depth == 1) {
                if (rgb[0])
                    r[x / 8] |= (unsigned char)(0x80 >> (x % 8));
            } else if (channels == 1) {
                r[x] = rgb[0];
            } else {
                memcpy(r + (size_t)x * 3, rgb, 3);
            }
        }
    }
    zlen = zlib_fixed(raw, raw_len, (size_t)(bpp ? bpp : 1), row, z);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    pos = 8;
    put32(ihdr, (uint32_t)width);
    put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = (unsigned char)depth;
    ihdr[9] = channels == 3 ? 2 : 0; /* truecolour or grayscale */
    ihdr[10] = 0;                    /* deflate */
    ihdr[11] = 0;                    /* adaptive filtering */
    ihdr[12] = 0;                    /* no interlace */
    chunk(png, &pos, "IHDR", ihdr, sizeof(ihdr));
    chunk(png, &pos, "IDAT", z, zlen);
    chunk(png, &pos, "IEND", NULL, 0);
    free(raw);
    free(z);
    *out = png;
    *len = pos;
    return 0;
}

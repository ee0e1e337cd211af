/*
 * /api/v2/pins/qr/{code}: a PNG of a QR code, like plex.tv renders (1-bit
 * grayscale, written by png.c). The QR matrix comes from libqrencode when it
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

typedef struct qr_picture {
    const unsigned char *modules; /* width x width, bit 0: dark; NULL: blank */
    int width;
} qr_picture;

static void qr_pixel(void *user, int x, int y, unsigned char rgb[3])
{
    const qr_picture *q = user;
    int mx = x / SCALE - MARGIN, my = y / SCALE - MARGIN;
    int dark = q->modules && mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
               (q->modules[my * q->width + mx] & 1);

    rgb[0] = dark ? 0 : 255; /* 1 = white in grayscale */
}

static int write_qr(const unsigned char *modules, int width, unsigned char **out, size_t *len)
{
    qr_picture q;
    int px = (width + 2 * MARGIN) * SCALE;

    q.modules = modules;
    q.width = width;
    return sim_png(px, px, 1, 1, qr_pixel, &q, out, len);
}

int sim_qr_png(const char *text, unsigned char **out, size_t *len)
{
#ifdef PLEXSIM_HAVE_QRENCODE
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int rc;

    if (!qr)
        return -1;
    rc = write_qr(qr->data, qr->width, out, len);
    QRcode_free(qr);
    return rc;
#else
    (void)text;
    return write_qr(NULL, 21, out, len);
#endif
}

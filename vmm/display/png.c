/* PNG encoder (RFC 2083 layout: signature, IHDR, IDAT..., IEND; zlib deflate stream). */
#include "vmm/display/png.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct png_buf {
    uint8_t *data;
    size_t len, cap;
    int error;
} png_buf;

static void buf_put(png_buf *b, const void *src, size_t n)
{
    if (b->error)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->error = -ENOMEM;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC over type and data. */
static void put_chunk(png_buf *b, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8];
    put_be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    buf_put(b, hdr, 8);
    if (len)
        buf_put(b, data, len);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (len)
        crc = crc32(crc, data, len);
    uint8_t c[4];
    put_be32(c, (uint32_t)crc);
    buf_put(b, c, 4);
}

/* Row bytes for filter Up (2) when it is likely smaller, else None (0). The choice is a
 * cheap heuristic: Up turns rows equal to the one above into zeros, which text screens
 * and flat backgrounds are full of. */
static void filter_row(uint8_t *out, const uint8_t *cur, const uint8_t *prev, size_t n)
{
    size_t zeros_up = 0, zeros_none = 0;
    for (size_t i = 0; i < n; i++) {
        zeros_none += cur[i] == 0;
        zeros_up += prev && cur[i] == prev[i];
    }
    if (prev && zeros_up > zeros_none) {
        out[0] = 2;
        for (size_t i = 0; i < n; i++)
            out[1 + i] = (uint8_t)(cur[i] - prev[i]);
    } else {
        out[0] = 0;
        memcpy(out + 1, cur, n);
    }
}

static int deflate_rows(z_stream *z, png_buf *b, const uint32_t *pixels, int w, int h, int stride)
{
    size_t rowlen = (size_t)w * 3;
    uint8_t *rgb = malloc(rowlen * 2), *line = malloc(rowlen + 1), out[16384];
    if (!rgb || !line) {
        free(rgb);
        free(line);
        return -ENOMEM;
    }
    int r = 0;
    for (int y = 0; y < h && !r; y++) {
        const uint32_t *src = (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);
        uint8_t *cur = rgb + (y & 1) * rowlen, *prev = y ? rgb + ((y - 1) & 1) * rowlen : NULL;
        for (int x = 0; x < w; x++) {
            cur[3 * x] = (uint8_t)(src[x] >> 16);
            cur[3 * x + 1] = (uint8_t)(src[x] >> 8);
            cur[3 * x + 2] = (uint8_t)src[x];
        }
        filter_row(line, cur, prev, rowlen);
        z->next_in = line;
        z->avail_in = (uInt)(rowlen + 1);
        int flush = y == h - 1 ? Z_FINISH : Z_NO_FLUSH;
        int zr;
        do {
            z->next_out = out;
            z->avail_out = sizeof(out);
            zr = deflate(z, flush);
            if (zr == Z_STREAM_ERROR) {
                r = -EIO;
                break;
            }
            size_t got = sizeof(out) - z->avail_out;
            if (got)
                put_chunk(b, "IDAT", out, (uint32_t)got);
        } while (z->avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    }
    free(rgb);
    free(line);
    return r ? r : b->error;
}

int display_png_encode(const uint32_t *pixels, int width, int height, int stride, uint8_t **ret_png,
                       size_t *ret_len)
{
    if (width < 1 || height < 1 || width > 65535 || height > 65535 || stride < width * 4)
        return -EINVAL;
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    png_buf b = {0};
    buf_put(&b, sig, sizeof(sig));
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    put_chunk(&b, "IHDR", ihdr, sizeof(ihdr));

    z_stream z = {0};
    if (deflateInit(&z, 6) != Z_OK) {
        free(b.data);
        return -ENOMEM;
    }
    int r = deflate_rows(&z, &b, pixels, width, height, stride);
    deflateEnd(&z);
    put_chunk(&b, "IEND", NULL, 0);
    if (!r)
        r = b.error;
    if (r) {
        free(b.data);
        return r;
    }
    *ret_png = b.data;
    *ret_len = b.len;
    return 0;
}

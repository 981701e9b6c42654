/* A minimal PNG encoder: 8-bit RGB, filter type chosen per row (None or Up), one zlib
 * stream split into IDAT chunks. Enough for screenshots; decoders read it as any PNG. */
#ifndef VIREO_VMM_DISPLAY_PNG_H
#define VIREO_VMM_DISPLAY_PNG_H

#include <stddef.h>
#include <stdint.h>

/* pixels: XRGB words, `stride` bytes apart. On success *ret_png is malloc'd.
 * Returns 0, -EINVAL for a bad size, -ENOMEM, or -EIO if zlib fails. */
int display_png_encode(const uint32_t *pixels, int width, int height, int stride, uint8_t **ret_png,
                       size_t *ret_len);

#endif

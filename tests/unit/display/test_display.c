/* Display surface damage and resize, the PNG encoder (decoded back with libpng), and text
 * extraction with CP437. */
#include <check.h>
#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmm/display/png.h"
#include "vmm/display/surface.h"
#include "vmm/display/text.h"

typedef struct record {
    display_rect r[64];
    int n, resized_w, resized_h;
} record;

static void rec_damage(void *opaque, const display_rect *r)
{
    record *rec = opaque;
    if (rec->n < 64)
        rec->r[rec->n++] = *r;
}

static void rec_resize(void *opaque, int w, int h, int stride)
{
    record *rec = opaque;
    rec->resized_w = w;
    rec->resized_h = h;
}

START_TEST(surface_is_a_memfd_of_the_maximum_size)
{
    display_surface *s = display_surface_new();
    ck_assert_ptr_nonnull(s);
    struct stat st;
    ck_assert_int_eq(fstat(s->fd, &st), 0);
    ck_assert_int_eq(st.st_size, (off_t)DISPLAY_MAX_WIDTH * DISPLAY_MAX_HEIGHT * 4);
    ck_assert_int_eq(s->width, 640);
    ck_assert_int_eq(s->height, 480);
    ck_assert_int_eq(display_surface_resize(s, 0, 10), -EINVAL);
    ck_assert_int_eq(display_surface_resize(s, DISPLAY_MAX_WIDTH + 1, 10), -EINVAL);
    display_surface_free(s);
}
END_TEST

START_TEST(damage_is_clipped_merged_and_flushed)
{
    display_surface *s = display_surface_new();
    record rec = {0};
    display_listener l = {rec_damage, rec_resize, &rec};
    ck_assert_int_eq(display_surface_add_listener(s, &l), 0);
    display_surface_mark_dirty(s, 630, 470, 100, 100); /* clipped to 10x10 */
    display_surface_mark_dirty(s, -5, 0, 10, 1);       /* clipped to x 0-4 */
    display_surface_mark_dirty(s, 5, 0, 10, 1);        /* touches the previous: merged */
    display_surface_mark_dirty(s, 700, 10, 5, 5);      /* outside: dropped */
    display_surface_flush(s);
    ck_assert_int_eq(rec.n, 2);
    ck_assert_int_eq(rec.r[0].x, 630);
    ck_assert_int_eq(rec.r[0].w, 10);
    ck_assert_int_eq(rec.r[0].h, 10);
    ck_assert_int_eq(rec.r[1].x, 0);
    ck_assert_int_eq(rec.r[1].w, 15);
    rec.n = 0;
    display_surface_flush(s);
    ck_assert_int_eq(rec.n, 0);
    /* More disjoint rectangles than slots collapse into their bounding box. */
    for (int i = 0; i < DISPLAY_MAX_RECTS + 5; i++)
        display_surface_mark_dirty(s, i * 10, i * 10, 2, 2);
    display_surface_flush(s);
    ck_assert_int_le(rec.n, DISPLAY_MAX_RECTS);
    int covered = 0;
    for (int i = 0; i < rec.n; i++)
        if (rec.r[i].x <= 360 && rec.r[i].x + rec.r[i].w >= 362 && rec.r[i].y <= 360)
            covered = 1;
    ck_assert(covered);
    /* A resize is announced once, with the whole surface as damage. */
    rec.n = 0;
    ck_assert_int_eq(display_surface_resize(s, 800, 600), 0);
    display_surface_mark_dirty(s, 1, 1, 1, 1);
    display_surface_flush(s);
    ck_assert_int_eq(rec.resized_w, 800);
    ck_assert_int_eq(rec.resized_h, 600);
    ck_assert_int_eq(rec.n, 1);
    ck_assert_int_eq(rec.r[0].w, 800);
    ck_assert_int_eq(rec.r[0].h, 600);
    ck_assert_int_eq(s->stride, 800 * 4);
    display_surface_free(s);
}
END_TEST

typedef struct png_reader {
    const uint8_t *data;
    size_t len, pos;
} png_reader;

static void read_cb(png_structp p, png_bytep out, png_size_t n)
{
    png_reader *r = png_get_io_ptr(p);
    if (r->pos + n > r->len)
        png_error(p, "short read");
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
}

/* Decode with libpng; returns RGB rows or NULL. */
static uint8_t *decode_png(const uint8_t *data, size_t len, int *w, int *h)
{
    png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    png_reader r = {data, len, 0};
    uint8_t *volatile out = NULL;
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_read_struct(&p, &info, NULL);
        free(out);
        return NULL;
    }
    png_set_read_fn(p, &r, read_cb);
    png_read_info(p, info);
    *w = (int)png_get_image_width(p, info);
    *h = (int)png_get_image_height(p, info);
    ck_assert_int_eq(png_get_color_type(p, info), PNG_COLOR_TYPE_RGB);
    ck_assert_int_eq(png_get_bit_depth(p, info), 8);
    out = malloc((size_t)*w * *h * 3);
    for (int y = 0; y < *h; y++)
        png_read_row(p, out + (size_t)y * *w * 3, NULL);
    png_read_end(p, NULL);
    png_destroy_read_struct(&p, &info, NULL);
    return out;
}

START_TEST(png_decodes_to_the_same_pixels)
{
    display_surface *s = display_surface_new();
    ck_assert_int_eq(display_surface_resize(s, 301, 203), 0);
    uint32_t seed = 7;
    for (int y = 0; y < 203; y++) {
        uint32_t *row = display_surface_row(s, y);
        for (int x = 0; x < 301; x++) {
            seed = seed * 1664525u + 1013904223u;
            /* Half noise, half flat rows (which take the Up filter). */
            row[x] = y < 100 ? (seed >> 8) : (uint32_t)(x * 0x010203);
        }
    }
    uint8_t *png = NULL;
    size_t len = 0;
    ck_assert_int_eq(display_surface_png(s, &png, &len), 0);
    ck_assert_mem_eq(png, "\x89PNG\r\n\x1a\n", 8);
    int w = 0, h = 0;
    uint8_t *rgb = decode_png(png, len, &w, &h);
    ck_assert_ptr_nonnull(rgb);
    ck_assert_int_eq(w, 301);
    ck_assert_int_eq(h, 203);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t want = display_surface_row(s, y)[x] & 0xFFFFFF;
            const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            uint32_t got = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            ck_assert_uint_eq(got, want);
        }
    }
    free(rgb);
    free(png);
    ck_assert_int_eq(display_png_encode(s->pixels, 0, 1, 4, &png, &len), -EINVAL);
    display_surface_free(s);
}
END_TEST

START_TEST(cp437_text_extraction)
{
    ck_assert_uint_eq(display_cp437_to_unicode('A'), 'A');
    ck_assert_uint_eq(display_cp437_to_unicode(0x00), ' ');
    ck_assert_uint_eq(display_cp437_to_unicode(0x01), 0x263A);
    ck_assert_uint_eq(display_cp437_to_unicode(0x82), 0x00E9);
    ck_assert_uint_eq(display_cp437_to_unicode(0xC4), 0x2500);
    ck_assert_uint_eq(display_cp437_to_unicode(0xDB), 0x2588);
    ck_assert_uint_eq(display_cp437_to_unicode(0xE1), 0x00DF);
    uint8_t cells[2][6] = {{'c', 'a', 'f', 0x82, ' ', ' '}, {0, 0, 0, 0, 0, 0}};
    char *text = NULL;
    ck_assert_int_eq(display_text_from_cells(&cells[0][0], 5, 2, 6, &text), 0);
    ck_assert_str_eq(text, "caf\xc3\xa9\n\n");
    free(text);
    ck_assert_int_eq(display_text_from_cells(&cells[0][0], 7, 2, 6, &text), -EINVAL);
}
END_TEST

static Suite *display_suite(void)
{
    Suite *s = suite_create("display");
    TCase *tc = tcase_create("display");
    tcase_add_test(tc, surface_is_a_memfd_of_the_maximum_size);
    tcase_add_test(tc, damage_is_clipped_merged_and_flushed);
    tcase_add_test(tc, png_decodes_to_the_same_pixels);
    tcase_add_test(tc, cp437_text_extraction);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(display_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

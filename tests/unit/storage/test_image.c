/* The image interface on raw, VDI (dynamic, fixed, differencing) and ISO images: what a
 * caller reads back after writes, reopen, resize, compact and merge; qemu-img cross-checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "storage_test.h"

#define MiB (1u << 20)

static img *create(const char *path, img_format fmt, uint64_t size, img_variant v, img *parent)
{
    img *im = NULL;
    img_err err = {{0}};
    int r = img_create(path, fmt, size, v, parent, &im, &err);
    ck_assert_msg(r == 0, "create %s: %d %s", path, r, err.msg);
    return im;
}

/* Write `len` pattern bytes at `off` both into the image and into the model. */
static void put(img *im, uint8_t *model, uint64_t off, size_t len, uint32_t seed)
{
    uint8_t *buf = malloc(len);
    st_fill(buf, len, seed, off);
    ck_assert_int_eq(img_write(im, off, buf, len), 0);
    memcpy(model + off, buf, len);
    free(buf);
}

static void expect_model(img *im, const uint8_t *model, size_t len)
{
    uint8_t *buf = malloc(len);
    ck_assert_int_eq(img_read(im, 0, buf, len), 0);
    for (size_t i = 0; i < len; i++)
        if (buf[i] != model[i])
            ck_abort_msg("byte %zu reads %02x, expected %02x", i, buf[i], model[i]);
    free(buf);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

START_TEST(raw_read_write_bounds)
{
    const char *d = st_tmpdir();
    const char *p = st_path(d, "disk.raw");
    size_t size = 4 * MiB;
    uint8_t *model = calloc(1, size);
    img *im = create(p, IMG_FORMAT_RAW, size, IMG_VARIANT_DYNAMIC, NULL);
    ck_assert_uint_eq(img_size(im), size);
    put(im, model, 1000, 5000, 1);
    put(im, model, size - 512, 512, 2);
    uint8_t sec[512];
    ck_assert_int_eq(img_read_sectors(im, size / 512, sec, 1), -EINVAL);
    ck_assert_int_eq(img_write(im, size - 100, sec, 200), -EINVAL);
    ck_assert_int_eq(img_read(im, UINT64_MAX - 10, sec, 20), -EINVAL);
    ck_assert_int_eq(img_flush(im), 0);
    img_close(im);
    im = st_open(p, 0, NULL);
    ck_assert_int_eq(img_get_format(im), IMG_FORMAT_RAW);
    ck_assert_int_eq(img_write(im, 0, sec, 512), -EROFS);
    expect_model(im, model, size);
    img_close(im);
    size_t len;
    uint8_t *file = st_read_file(p, &len);
    ck_assert_uint_eq(len, size);
    ck_assert_mem_eq(file, model, size);
    free(file);
    free(model);
}
END_TEST

/* Writes across block boundaries, partial blocks, zero writes that allocate nothing. */
static void vdi_roundtrip(img_variant variant)
{
    const char *d = st_tmpdir();
    const char *p = st_path(d, "disk.vdi");
    size_t size = 8 * MiB;
    uint8_t *model = calloc(1, size);
    img *im = create(p, IMG_FORMAT_VDI, size, variant, NULL);
    put(im, model, 0, 512, 1);
    put(im, model, MiB - 700, 1400, 2);         /* spans blocks 0 and 1 */
    put(im, model, 3 * MiB + 4096, 3 * MiB, 3); /* blocks 3..6 */
    put(im, model, size - 512, 512, 4);
    uint8_t zero[4096] = {0};
    ck_assert_int_eq(img_write(im, 2 * MiB, zero, sizeof(zero)), 0); /* block 2 stays empty */
    img_info info;
    img_get_info(im, &info);
    ck_assert_int_eq(info.format, IMG_FORMAT_VDI);
    ck_assert_int_eq(info.variant, variant);
    ck_assert_uint_eq(info.blocks, 8);
    ck_assert_uint_eq(info.blocks_allocated, variant == IMG_VARIANT_FIXED ? 8 : 7);
    expect_model(im, model, size);
    img_close(im);
    im = st_open(p, 0, NULL);
    expect_model(im, model, size);
    img_close(im);
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_msg(rep.corruptions == 0 && rep.leaks == 0, "%s", rep.text);
    st_qemu_check(p);
    st_qemu_compare(p, model, size);
    free(model);
}

START_TEST(vdi_dynamic_roundtrip)
{
    vdi_roundtrip(IMG_VARIANT_DYNAMIC);
}
END_TEST

START_TEST(vdi_fixed_roundtrip)
{
    vdi_roundtrip(IMG_VARIANT_FIXED);
}
END_TEST

/* base <- mid <- top: reads fall through to the nearest image that wrote a block. */
START_TEST(vdi_diff_chain_three_deep_and_merge)
{
    const char *d = st_tmpdir();
    size_t size = 6 * MiB;
    uint8_t *m_base = calloc(1, size), *m_mid, *m_top;
    img *base = create(st_path(d, "base.vdi"), IMG_FORMAT_VDI, size, IMG_VARIANT_DYNAMIC, NULL);
    put(base, m_base, 0, 4 * MiB, 10);
    img *mid = create(st_path(d, "mid.vdi"), IMG_FORMAT_VDI, 0, IMG_VARIANT_DYNAMIC, base);
    m_mid = malloc(size);
    memcpy(m_mid, m_base, size);
    put(mid, m_mid, MiB + 100, 2000, 11);
    put(mid, m_mid, 5 * MiB, 4096, 12);
    uint8_t zero[8192] = {0};
    ck_assert_int_eq(img_write(mid, 2 * MiB, zero, sizeof(zero)), 0); /* hides base's data */
    memset(m_mid + 2 * MiB, 0, sizeof(zero));
    img *top = create(st_path(d, "top.vdi"), IMG_FORMAT_VDI, 0, IMG_VARIANT_DYNAMIC, mid);
    m_top = malloc(size);
    memcpy(m_top, m_mid, size);
    put(top, m_top, MiB, 512, 13);
    put(top, m_top, 3 * MiB - 10, 20, 14);
    expect_model(base, m_base, size);
    expect_model(mid, m_mid, size);
    expect_model(top, m_top, size);
    img_info info;
    img_get_info(top, &info);
    ck_assert_int_eq(info.variant, IMG_VARIANT_DIFF);
    img_close(top);
    img_close(mid);
    img_close(base);

    /* Reopen the chain from files; a wrong or missing parent is refused by uuid. */
    base = st_open(st_path(d, "base.vdi"), 0, NULL);
    img *im = NULL;
    img_err err = {{0}};
    ck_assert_int_eq(img_open(st_path(d, "top.vdi"), IMG_FORMAT_AUTO, 0, base, &im, &err), -EINVAL);
    ck_assert_msg(strstr(err.msg, "parent uuid mismatch"), "%s", err.msg);
    ck_assert_int_eq(img_open(st_path(d, "top.vdi"), IMG_FORMAT_AUTO, 0, NULL, &im, &err), -EINVAL);
    ck_assert_msg(strstr(err.msg, "needs its parent"), "%s", err.msg);
    mid = st_open(st_path(d, "mid.vdi"), IMG_OPEN_RDWR, base);
    top = st_open(st_path(d, "top.vdi"), 0, mid);
    expect_model(top, m_top, size);

    /* Merge top into mid: mid now reads what top read; base is untouched. */
    ck_assert_int_eq(img_merge(top, &err), 0);
    expect_model(mid, m_top, size);
    expect_model(base, m_base, size);
    img_close(top);
    img_close(mid);
    img_close(base);
    st_qemu_check(st_path(d, "base.vdi"));
    st_qemu_compare(st_path(d, "base.vdi"), m_base, size);
    img_check_report rep;
    for (int i = 0; i < 3; i++) {
        const char *n[] = {"base.vdi", "mid.vdi", "top.vdi"};
        ck_assert_int_eq(img_check_path(st_path(d, n[i]), IMG_FORMAT_AUTO, &rep, NULL), 0);
        ck_assert_msg(rep.corruptions == 0, "%s: %s", n[i], rep.text);
    }
    free(m_base);
    free(m_mid);
    free(m_top);
}
END_TEST

/* Growing past the room of the block map moves data blocks; contents survive. */
static void vdi_grow(img_variant variant, uint64_t to)
{
    const char *d = st_tmpdir();
    const char *p = st_path(d, "grow.vdi");
    size_t size = 4 * MiB;
    uint8_t *model = calloc(1, size);
    img *im = create(p, IMG_FORMAT_VDI, size, variant, NULL);
    put(im, model, 0, 2 * MiB, 20);
    put(im, model, 3 * MiB + 7, 1000, 21);
    img_err err = {{0}};
    ck_assert_int_eq(img_resize(im, size - 512, &err), -EINVAL);
    ck_assert_int_eq(img_resize(im, to, &err), 0);
    ck_assert_uint_eq(img_size(im), to);
    expect_model(im, model, size);
    uint8_t buf[4096], pat[4096];
    ck_assert_int_eq(img_read(im, to - 4096, buf, 4096), 0);
    for (int i = 0; i < 4096; i++)
        ck_assert_uint_eq(buf[i], 0);
    st_fill(pat, sizeof(pat), 22, to - 4096);
    ck_assert_int_eq(img_write(im, to - 4096, pat, 4096), 0);
    img_close(im);
    im = st_open(p, 0, NULL);
    ck_assert_uint_eq(img_size(im), to);
    expect_model(im, model, size);
    ck_assert_int_eq(img_read(im, to - 4096, buf, 4096), 0);
    ck_assert_mem_eq(buf, pat, 4096);
    img_close(im);
    st_qemu_check(p);
    free(model);
}

START_TEST(vdi_resize_dynamic_small)
{
    vdi_grow(IMG_VARIANT_DYNAMIC, 16 * MiB);
}
END_TEST

START_TEST(vdi_resize_dynamic_relocates)
{
    vdi_grow(IMG_VARIANT_DYNAMIC, 3000ull * MiB);
}
END_TEST

START_TEST(vdi_resize_fixed_relocates)
{
    vdi_grow(IMG_VARIANT_FIXED, 1200ull * MiB);
}
END_TEST

START_TEST(vdi_compact_drops_zero_blocks)
{
    const char *d = st_tmpdir();
    const char *p = st_path(d, "c.vdi");
    size_t size = 8 * MiB;
    uint8_t *model = calloc(1, size);
    img *im = create(p, IMG_FORMAT_VDI, size, IMG_VARIANT_DYNAMIC, NULL);
    for (int b = 0; b < 6; b++)
        put(im, model, (uint64_t)b * MiB + 512, 4096, 30 + (uint32_t)b);
    uint8_t zero[4096] = {0};
    ck_assert_int_eq(img_write(im, 1 * MiB + 512, zero, 4096), 0);
    ck_assert_int_eq(img_write(im, 3 * MiB + 512, zero, 4096), 0);
    memset(model + 1 * MiB + 512, 0, 4096);
    memset(model + 3 * MiB + 512, 0, 4096);
    uint64_t before = file_size(p);
    img_err err;
    ck_assert_int_eq(img_compact(im, &err), 0);
    uint64_t after = file_size(p);
    ck_assert_uint_eq(before - after, 2 * MiB);
    img_info info;
    img_get_info(im, &info);
    ck_assert_uint_eq(info.blocks_allocated, 4);
    expect_model(im, model, size);
    img_close(im);
    im = st_open(p, 0, NULL);
    expect_model(im, model, size);
    img_close(im);
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_msg(rep.corruptions == 0 && rep.leaks == 0, "%s", rep.text);
    st_qemu_check(p);
    st_qemu_compare(p, model, size);
    free(model);
}
END_TEST

START_TEST(image_in_use_is_refused)
{
    const char *d = st_tmpdir();
    const char *p = st_path(d, "busy.vdi");
    img *im = create(p, IMG_FORMAT_VDI, MiB, IMG_VARIANT_DYNAMIC, NULL);
    img *other = NULL;
    img_err err;
    ck_assert_int_eq(img_open(p, IMG_FORMAT_AUTO, 0, NULL, &other, &err), -EBUSY);
    img_close(im);
    ck_assert_int_eq(img_create(p, IMG_FORMAT_VDI, MiB, IMG_VARIANT_DYNAMIC, NULL, NULL, &err),
                     -EEXIST);
    ck_assert_int_eq(img_create(st_path(d, "x.vdi"), IMG_FORMAT_VDI, 1000, IMG_VARIANT_DYNAMIC,
                                NULL, NULL, &err),
                     -EINVAL);
}
END_TEST

START_TEST(iso_is_read_only_and_recognised)
{
#ifdef GENISOIMAGE
    const char *d = st_tmpdir();
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/root && echo hello-from-iso > %s/root/HELLO.TXT && %s -quiet -o %s/t.iso "
             "%s/root 2>&1",
             d, d, GENISOIMAGE, d, d);
    ck_assert_int_eq(st_run(cmd, NULL, 0), 0);
    const char *p = st_path(d, "t.iso");
    img *im = st_open(p, 0, NULL);
    ck_assert_int_eq(img_get_format(im), IMG_FORMAT_ISO);
    ck_assert_uint_eq(img_size(im), file_size(p));
    uint8_t vd[2048];
    ck_assert_int_eq(img_read(im, 16 * 2048, vd, sizeof(vd)), 0);
    ck_assert_mem_eq(vd + 1, "CD001", 5);
    img_close(im);
    img_err err;
    ck_assert_int_eq(img_open(p, IMG_FORMAT_AUTO, IMG_OPEN_RDWR, NULL, &im, &err), -EROFS);
    /* A file that is not an ISO, opened as one. */
    const char *raw = st_path(d, "not.iso");
    img *r = create(raw, IMG_FORMAT_RAW, 64 * 1024, IMG_VARIANT_DYNAMIC, NULL);
    img_close(r);
    ck_assert_int_eq(img_open(raw, IMG_FORMAT_ISO, 0, NULL, &im, &err), -EINVAL);
    ck_assert_msg(strstr(err.msg, "not an ISO 9660 image"), "%s", err.msg);
#endif
}
END_TEST

static Suite *image_suite(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, raw_read_write_bounds);
    tcase_add_test(tc, vdi_dynamic_roundtrip);
    tcase_add_test(tc, vdi_fixed_roundtrip);
    tcase_add_test(tc, vdi_diff_chain_three_deep_and_merge);
    tcase_add_test(tc, vdi_resize_dynamic_small);
    tcase_add_test(tc, vdi_resize_dynamic_relocates);
    tcase_add_test(tc, vdi_resize_fixed_relocates);
    tcase_add_test(tc, vdi_compact_drops_zero_blocks);
    tcase_add_test(tc, image_in_use_is_refused);
    tcase_add_test(tc, iso_is_read_only_and_recognised);
    suite_add_tcase(s, tc);
    return s;
}

ST_MAIN(image_suite)

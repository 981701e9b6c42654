/* Interchange with QEMU's VDI driver: Vireo reads what qemu-img makes (dynamic, static,
 * converted from raw with known content), qemu-img and qemu-io accept what Vireo writes.
 * Skipped (passing) where qemu-img is not installed. */
#include <stdio.h>
#include <string.h>

#include "storage_test.h"

#define MiB (1u << 20)

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[1024], out[2048];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    int st = st_run(cmd, out, sizeof(out));
    ck_assert_msg(st == 0, "%s: status %d: %s", cmd, st, out);
}

static void expect_bytes(img *im, const uint8_t *model, size_t len)
{
    uint8_t *buf = malloc(len);
    ck_assert_int_eq(img_read(im, 0, buf, len), 0);
    for (size_t i = 0; i < len; i++)
        if (buf[i] != model[i])
            ck_abort_msg("byte %zu reads %02x, expected %02x", i, buf[i], model[i]);
    free(buf);
}

/* Vireo writes into an image qemu-img created; qemu agrees on every byte. */
static void qemu_created(const char *opts, img_variant want)
{
    if (!st_have_qemu_img())
        return;
    const char *p = st_path(st_tmpdir(), "q.vdi");
    sh("qemu-img create -f vdi %s '%s' 16M >/dev/null 2>&1", opts, p);
    size_t size = 16 * MiB;
    uint8_t *model = calloc(1, size);
    img *im = st_open(p, IMG_OPEN_RDWR, NULL);
    img_info info;
    img_get_info(im, &info);
    ck_assert_int_eq(info.variant, want);
    ck_assert_uint_eq(img_size(im), size);
    expect_bytes(im, model, size);
    uint64_t offs[] = {0, 3 * MiB - 512, 9 * MiB + 4096, size - 8192};
    for (int i = 0; i < 4; i++) {
        st_fill(model + offs[i], 8192, 40 + (uint32_t)i, offs[i]);
        ck_assert_int_eq(img_write(im, offs[i], model + offs[i], 8192), 0);
    }
    img_close(im);
    st_qemu_check(p);
    st_qemu_compare(p, model, size);
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_msg(rep.corruptions == 0, "%s", rep.text);
    free(model);
}

START_TEST(reads_and_writes_qemu_dynamic)
{
    qemu_created("", IMG_VARIANT_DYNAMIC);
}
END_TEST

START_TEST(reads_and_writes_qemu_static)
{
    qemu_created("-o static=on", IMG_VARIANT_FIXED);
}
END_TEST

/* Raw data with holes converted by qemu-img to VDI reads back byte for byte. */
static void qemu_convert_check(const char *opts, const char *name)
{
    if (!st_have_qemu_img())
        return;
    const char *d = st_tmpdir();
    const char *raw = st_path(d, "src.raw"), *vdi = st_path(d, name);
    size_t size = 10 * MiB;
    uint8_t *model = calloc(1, size);
    st_fill(model, 2 * MiB + 1000, 50, 0);
    st_fill(model + 6 * MiB, MiB, 51, 6 * MiB);
    FILE *f = fopen(raw, "wb");
    ck_assert_uint_eq(fwrite(model, 1, size, f), size);
    fclose(f);
    char cmd[1024], out[1024];
    snprintf(cmd, sizeof(cmd), "qemu-img convert -f raw -O vdi %s '%s' '%s' 2>&1", opts, raw, vdi);
    ck_assert_msg(st_run(cmd, out, sizeof(out)) == 0, "%s", out);
    img *im = st_open(vdi, 0, NULL);
    ck_assert_uint_eq(img_size(im), size);
    expect_bytes(im, model, size);
    img_info info;
    img_get_info(im, &info);
    if (!opts[0]) /* dynamic: qemu leaves the zero blocks unallocated */
        ck_assert_uint_lt(info.blocks_allocated, info.blocks);
    img_close(im);
    free(model);
}

START_TEST(reads_qemu_converted_dynamic)
{
    qemu_convert_check("", "dyn.vdi");
}
END_TEST

START_TEST(reads_qemu_converted_static)
{
    qemu_convert_check("-o static=on", "static.vdi");
}
END_TEST

/* qemu-img info reads Vireo's header; qemu-io writes land where Vireo reads them. */
START_TEST(qemu_reads_vireo_images)
{
    if (!st_have_qemu_img())
        return;
    const char *p = st_path(st_tmpdir(), "v.vdi");
    img *im = NULL;
    ck_assert_int_eq(img_create(p, IMG_FORMAT_VDI, 24 * MiB, IMG_VARIANT_DYNAMIC, NULL, &im, NULL),
                     0);
    uint8_t buf[65536];
    st_fill(buf, sizeof(buf), 60, 0);
    ck_assert_int_eq(img_write(im, 5 * MiB, buf, sizeof(buf)), 0);
    img_close(im);
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof(cmd), "qemu-img info '%s' 2>&1", p);
    ck_assert_int_eq(st_run(cmd, out, sizeof(out)), 0);
    ck_assert_msg(strstr(out, "file format: vdi"), "%s", out);
    ck_assert_msg(strstr(out, "(25165824 bytes)"), "%s", out);
    snprintf(cmd, sizeof(cmd), "qemu-io -f vdi -c 'write -P 0xa5 %u 65536' '%s' 2>&1",
             12 * MiB + 512, p);
    ck_assert_msg(st_run(cmd, out, sizeof(out)) == 0, "%s", out);
    im = st_open(p, 0, NULL);
    uint8_t got[65536];
    ck_assert_int_eq(img_read(im, 5 * MiB, got, sizeof(got)), 0);
    ck_assert_mem_eq(got, buf, sizeof(got));
    ck_assert_int_eq(img_read(im, 12 * MiB + 512, got, sizeof(got)), 0);
    for (size_t i = 0; i < sizeof(got); i++)
        ck_assert_uint_eq(got[i], 0xa5);
    img_close(im);
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_msg(rep.corruptions == 0, "%s", rep.text);
}
END_TEST

static Suite *compat_suite(void)
{
    Suite *s = suite_create("vdi_compat");
    TCase *tc = tcase_create("qemu");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reads_and_writes_qemu_dynamic);
    tcase_add_test(tc, reads_and_writes_qemu_static);
    tcase_add_test(tc, reads_qemu_converted_dynamic);
    tcase_add_test(tc, reads_qemu_converted_static);
    tcase_add_test(tc, qemu_reads_vireo_images);
    suite_add_tcase(s, tc);
    return s;
}

ST_MAIN(compat_suite)

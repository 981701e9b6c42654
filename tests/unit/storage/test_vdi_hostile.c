/* Hostile VDI files: truncated or corrupt headers, block maps pointing past the end or at
 * the same data block, absurd sizes. Each must fail to open with a message naming the
 * problem, be reported by the checker, and never be read out of bounds (ASan). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage_test.h"

#define MiB (1u << 20)

/* An 8 MiB dynamic VDI with blocks 0 and 1 written; returns its path. */
static const char *make_image(void)
{
    const char *p = st_path(st_tmpdir(), "h.vdi");
    img *im = NULL;
    ck_assert_int_eq(img_create(p, IMG_FORMAT_VDI, 8 * MiB, IMG_VARIANT_DYNAMIC, NULL, &im, NULL),
                     0);
    uint8_t buf[4096];
    st_fill(buf, sizeof(buf), 1, 0);
    ck_assert_int_eq(img_write(im, 0, buf, sizeof(buf)), 0);
    ck_assert_int_eq(img_write(im, MiB, buf, sizeof(buf)), 0);
    img_close(im);
    return p;
}

static void poke32(const char *p, off_t off, uint32_t v)
{
    int fd = open(p, O_RDWR);
    ck_assert_int_ge(fd, 0);
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    ck_assert_int_eq(pwrite(fd, b, 4, off), 4);
    close(fd);
}

static void poke64(const char *p, off_t off, uint64_t v)
{
    poke32(p, off, (uint32_t)v);
    poke32(p, off + 4, (uint32_t)(v >> 32));
}

/* Opening fails with -EINVAL and a message containing `what`; the checker agrees. */
static void expect_refused(const char *p, img_format fmt, const char *what)
{
    img *im = NULL;
    img_err err = {{0}};
    int r = img_open(p, fmt, IMG_OPEN_RDWR, NULL, &im, &err);
    ck_assert_msg(r == -EINVAL, "open returned %d (%s), expected -EINVAL for %s", r, err.msg, what);
    ck_assert_msg(strstr(err.msg, what), "message '%s' does not name '%s'", err.msg, what);
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, fmt, &rep, &err), 0);
    ck_assert_uint_gt(rep.corruptions, 0);
    ck_assert_msg(strstr(rep.text, what), "check report '%s' does not name '%s'", rep.text, what);
}

enum {
    OFF_HSIZE = 0x48,
    OFF_TYPE = 0x4C,
    OFF_BMAP = 0x154,
    OFF_DATA = 0x158,
    OFF_SECSZ = 0x168,
    OFF_DISK = 0x170,
    OFF_BSIZE = 0x178,
    OFF_NBLK = 0x180,
    OFF_ALLOC = 0x184,
    MAP = 512
};

START_TEST(truncated_header)
{
    const char *p = make_image();
    ck_assert_int_eq(truncate(p, 300), 0);
    expect_refused(p, IMG_FORMAT_VDI, "truncated header");
    ck_assert_int_eq(truncate(p, 40), 0);
    expect_refused(p, IMG_FORMAT_VDI, "truncated header");
}
END_TEST

START_TEST(truncated_block_map)
{
    const char *p = make_image();
    ck_assert_int_eq(truncate(p, MAP + 10), 0);
    expect_refused(p, IMG_FORMAT_VDI, "truncated block map");
}
END_TEST

START_TEST(bad_signature_version_type)
{
    const char *p = make_image();
    poke32(p, 0x40, 0x12345678);
    expect_refused(p, IMG_FORMAT_VDI, "not a VDI image");
    p = make_image();
    poke32(p, 0x44, 0x00020000);
    expect_refused(p, IMG_FORMAT_VDI, "unsupported VDI version 2.0");
    p = make_image();
    poke32(p, OFF_TYPE, 3);
    expect_refused(p, IMG_FORMAT_VDI, "unsupported image type 3");
    p = make_image();
    poke32(p, OFF_HSIZE, 5);
    expect_refused(p, IMG_FORMAT_VDI, "bad header size 5");
    p = make_image();
    poke32(p, OFF_SECSZ, 4096);
    expect_refused(p, IMG_FORMAT_VDI, "unsupported sector size 4096");
}
END_TEST

START_TEST(absurd_sizes)
{
    const char *p = make_image();
    poke32(p, OFF_BSIZE, 3);
    expect_refused(p, IMG_FORMAT_VDI, "bad block size 3");
    p = make_image();
    poke32(p, OFF_BSIZE, 1u << 31);
    expect_refused(p, IMG_FORMAT_VDI, "bad block size");
    p = make_image();
    poke32(p, OFF_NBLK, 0xFFFFFFFFu);
    expect_refused(p, IMG_FORMAT_VDI, "bad number of blocks");
    p = make_image();
    poke64(p, OFF_DISK, 1ull << 60);
    expect_refused(p, IMG_FORMAT_VDI, "exceeds 8 blocks");
    p = make_image();
    poke32(p, OFF_NBLK, 5000); /* the map would run into the data area */
    poke64(p, OFF_DISK, 5000ull * MiB);
    expect_refused(p, IMG_FORMAT_VDI, "overlaps the data area");
    p = make_image();
    poke32(p, OFF_ALLOC, 1000);
    expect_refused(p, IMG_FORMAT_VDI, "allocated block count 1000 exceeds");
    p = make_image();
    poke32(p, OFF_BMAP, 100);
    expect_refused(p, IMG_FORMAT_VDI, "overlaps the header");
}
END_TEST

START_TEST(block_map_entries)
{
    const char *p = make_image();
    poke32(p, MAP + 4 * 5, 7); /* data block 7 does not exist in the file */
    expect_refused(p, IMG_FORMAT_VDI, "points to data block 7 past the end of the file");
    p = make_image();
    poke32(p, MAP + 4 * 5, 1000);
    expect_refused(p, IMG_FORMAT_VDI, "beyond the 8 blocks");
    p = make_image();
    poke32(p, MAP + 4 * 5, 0); /* block 5 shares block 0's data */
    expect_refused(p, IMG_FORMAT_VDI, "block map entries 0 and 5 both point to data block 0");
}
END_TEST

START_TEST(count_one_behind_is_repairable)
{
    const char *p = make_image();
    poke32(p, OFF_ALLOC, 1); /* as after a kill between map entry and count */
    img_check_report rep;
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_uint_eq(rep.corruptions, 0);
    ck_assert_uint_eq(rep.repairable, 1);
    img *im = st_open(p, IMG_OPEN_RDWR, NULL);
    img_close(im);
    ck_assert_int_eq(img_check_path(p, IMG_FORMAT_AUTO, &rep, NULL), 0);
    ck_assert_msg(rep.corruptions == 0 && rep.repairable == 0, "%s", rep.text);
    st_qemu_check(p);
}
END_TEST

/* Random corruption of the header and map: open either refuses or yields an image whose
 * reads stay in bounds (ASan watches). Deterministic seed, bounded count. */
START_TEST(random_mutations)
{
    uint8_t orig[4096];
    const char *p = make_image();
    int fd = open(p, O_RDWR);
    ck_assert_int_eq(pread(fd, orig, sizeof(orig), 0), (ssize_t)sizeof(orig));
    uint32_t x = 12345;
    int opened = 0;
    for (int it = 0; it < 400; it++) {
        ck_assert_int_eq(pwrite(fd, orig, sizeof(orig), 0), (ssize_t)sizeof(orig));
        for (int k = 0; k < 1 + it % 4; k++) {
            x = x * 1103515245u + 12345u;
            uint32_t off = 0x40 + (x >> 8) % (MAP + 64 - 0x40);
            x = x * 1103515245u + 12345u;
            uint8_t v = (uint8_t)(x >> 16);
            ck_assert_int_eq(pwrite(fd, &v, 1, off), 1);
        }
        img *im = NULL;
        img_err err;
        int r = img_open(p, IMG_FORMAT_VDI, 0, NULL, &im, &err);
        ck_assert_msg(r == 0 || r == -EINVAL || r == -ENOMEM, "open: %d", r);
        img_check_report rep;
        ck_assert_int_eq(img_check_path(p, IMG_FORMAT_VDI, &rep, &err), 0);
        if (r == 0) {
            opened++;
            uint8_t buf[8192];
            uint64_t size = img_size(im);
            for (int k = 0; k < 8 && size >= sizeof(buf); k++) {
                x = x * 1103515245u + 12345u;
                uint64_t off = ((uint64_t)x * 4096) % (size - sizeof(buf) + 1);
                int rr = img_read(im, off & ~511ull, buf, sizeof(buf));
                ck_assert_msg(rr == 0 || rr == -EIO, "read: %d", rr);
            }
            img_close(im);
        }
    }
    close(fd);
    ck_assert_int_gt(opened, 0); /* some mutations hit harmless bytes */
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("vdi_hostile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, truncated_header);
    tcase_add_test(tc, truncated_block_map);
    tcase_add_test(tc, bad_signature_version_type);
    tcase_add_test(tc, absurd_sizes);
    tcase_add_test(tc, block_map_entries);
    tcase_add_test(tc, count_one_behind_is_repairable);
    tcase_add_test(tc, random_mutations);
    suite_add_tcase(s, tc);
    return s;
}

ST_MAIN(hostile_suite)

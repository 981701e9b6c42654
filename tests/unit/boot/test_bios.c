/* BIOS image mapping: the system's SeaBIOS and synthetic images of every accepted and
 * rejected size. usage: test_bios_image BIOS_BIN */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/boot/fakes.h"
#include "vmm/boot/bios.h"

static const char *bios_path;
static char err[256];

static uint8_t *read_file(const char *path, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s (package seabios)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *ret_size = (size_t)n;
    return buf;
}

/* The byte the guest reads at `paddr` through the fake ROM mappings, or -1 if unmapped. */
static int rom_byte(uint32_t paddr)
{
    for (int i = fake_rom_count - 1; i >= 0; i--)
        if (paddr >= fake_roms[i].base && paddr - fake_roms[i].base < fake_roms[i].size)
            return fake_roms[i].host[paddr - fake_roms[i].base];
    return -1;
}

START_TEST(seabios_maps_at_reset_vector_and_low_alias)
{
    fake_reset();
    size_t size;
    uint8_t *img = read_file(bios_path, &size);
    bios_image b;
    ck_assert_msg(bios_image_init(&b, img, size, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(bios_map(&b, NULL), 0);
    ck_assert_uint_eq(b.base, 0x100000000ull - size);
    /* The reset vector (0xFFFFFFF0) holds the image's last 16 bytes: a far jump. */
    ck_assert_int_eq(rom_byte(0xFFFFFFF0u), img[size - 16]);
    ck_assert_int_eq(rom_byte(0xFFFFFFF0u), 0xEA);
    ck_assert_int_eq(rom_byte(b.base), img[0]);
    /* Below 1 MiB the last 128 KiB answer again: F000:FFF0 is the same jump. */
    ck_assert_int_eq(rom_byte(0xFFFF0), 0xEA);
    ck_assert_int_eq(rom_byte(0xE0000), img[size - 0x20000]);
    ck_assert_int_eq(rom_byte(0xDFFFF), -1);
    ck_assert_ptr_eq(bios_low_rom(&b, 0xF0000), b.rom + size - 0x10000);
    ck_assert_ptr_null(bios_low_rom(&b, 0x100000));
    bios_image_fini(&b);
    bios_image_fini(&b); /* a second fini is harmless */
    free(img);
    fake_free();
}
END_TEST

START_TEST(small_image_low_alias)
{
    fake_reset();
    uint8_t *img = calloc(1, 0x10000);
    img[0xFFF0] = 0xEA;
    bios_image b;
    ck_assert_int_eq(bios_image_init(&b, img, 0x10000, err, sizeof(err)), 0);
    ck_assert_int_eq(bios_map(&b, NULL), 0);
    ck_assert_uint_eq(b.low_size, 0x10000);
    ck_assert_int_eq(rom_byte(0xFFFF0), 0xEA);
    ck_assert_int_eq(rom_byte(0xEFFFF), -1);
    ck_assert_ptr_null(bios_low_rom(&b, 0xE0000));
    ck_assert_ptr_eq(bios_low_rom(&b, 0xF0000), b.rom);
    bios_image_fini(&b);
    free(img);
    fake_free();
}
END_TEST

START_TEST(bad_sizes_rejected)
{
    static const size_t sizes[] = {0, 512, 0x10000 - 1, 0x10000 + 1, 0x18000, 0x2000000};
    uint8_t *img = calloc(1, 0x2000000);
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        bios_image b = {0};
        err[0] = 0;
        ck_assert_int_eq(bios_image_init(&b, img, sizes[i], err, sizeof(err)), -EINVAL);
        ck_assert_msg(strstr(err, "multiple of 64 KiB"), "%zu: %s", sizes[i], err);
        ck_assert_ptr_null(b.rom);
    }
    free(img);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BIOS_BIN\n", argv[0]);
        return 2;
    }
    bios_path = argv[1];
    Suite *s = suite_create("bios_image");
    TCase *tc = tcase_create("bios");
    tcase_add_test(tc, seabios_maps_at_reset_vector_and_low_alias);
    tcase_add_test(tc, small_image_low_alias);
    tcase_add_test(tc, bad_sizes_rejected);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Multiboot v1 parsing: what a loader must accept and what it must refuse. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "vmm/boot/multiboot.h"

#define RAM    (32u << 20)
#define LOAD   0x100000u
#define IMG_SZ 0x3000u

static uint8_t img[IMG_SZ];
static char err[256];

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the host is little-endian, like the guest */
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

/* An a.out-kludge image: header at `hoff`, loaded so that the file starts at LOAD. */
static void make_aout(uint32_t hoff, uint32_t flags, uint32_t load_end, uint32_t bss_end,
                      uint32_t entry)
{
    memset(img, 0xCC, sizeof(img));
    uint8_t *h = img + hoff;
    put32(h, MULTIBOOT_HEADER_MAGIC);
    put32(h + 4, flags);
    put32(h + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
    put32(h + 12, LOAD + hoff);
    put32(h + 16, LOAD);
    put32(h + 20, load_end);
    put32(h + 24, bss_end);
    put32(h + 28, entry);
}

/* A minimal ELF32 executable with one PT_LOAD segment (program header at 52). */
static void make_elf(uint32_t paddr, uint32_t vaddr, uint32_t off, uint32_t filesz, uint32_t memsz,
                     uint32_t entry)
{
    memset(img, 0, sizeof(img));
    memcpy(img,
           "\x7f"
           "ELF\x01\x01\x01",
           7);
    put16(img + 16, 2); /* ET_EXEC */
    put16(img + 18, 3); /* EM_386 */
    put32(img + 24, entry);
    put32(img + 28, 52); /* phoff */
    put16(img + 42, 32); /* phentsize */
    put16(img + 44, 1);  /* phnum */
    uint8_t *ph = img + 52;
    put32(ph, 1);
    put32(ph + 4, off);
    put32(ph + 8, vaddr);
    put32(ph + 12, paddr);
    put32(ph + 16, filesz);
    put32(ph + 20, memsz);
    uint8_t *h = img + 0x100; /* the Multiboot header, no address fields */
    put32(h, MULTIBOOT_HEADER_MAGIC);
    put32(h + 4, 3);
    put32(h + 8, -(MULTIBOOT_HEADER_MAGIC + 3));
}

START_TEST(aout_whole_file_with_bss)
{
    make_aout(0x40, 0x10003, 0, LOAD + 0x5000, LOAD + 0x80);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), 0);
    ck_assert_uint_eq(p.header_offset, 0x40);
    ck_assert_uint_eq(p.entry, LOAD + 0x80);
    ck_assert_uint_eq(p.nsegments, 1);
    ck_assert_uint_eq(p.seg[0].file_offset, 0);
    ck_assert_uint_eq(p.seg[0].file_size, IMG_SZ);
    ck_assert_uint_eq(p.seg[0].addr, LOAD);
    ck_assert_uint_eq(p.seg[0].mem_size, 0x5000);
}
END_TEST

START_TEST(aout_load_end_limits_the_copy)
{
    make_aout(0x40, 0x10000, LOAD + 0x1000, 0, LOAD);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), 0);
    ck_assert_uint_eq(p.seg[0].file_size, 0x1000);
    ck_assert_uint_eq(p.seg[0].mem_size, 0x1000);
}
END_TEST

START_TEST(header_beyond_8k_is_not_found)
{
    static uint8_t big[0x4000];
    memset(big, 0, sizeof(big));
    put32(big + 0x2000, MULTIBOOT_HEADER_MAGIC);
    put32(big + 0x2004, 0);
    put32(big + 0x2008, -MULTIBOOT_HEADER_MAGIC);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(big, sizeof(big), RAM, &p, err, sizeof(err)), -ENOEXEC);
    ck_assert_ptr_nonnull(strstr(err, "no Multiboot header"));
}
END_TEST

START_TEST(bad_checksum_is_rejected)
{
    make_aout(0, 0x10000, 0, 0, LOAD);
    put32(img + 8, 0x12345678);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ENOEXEC);
    ck_assert_ptr_nonnull(strstr(err, "checksum"));
}
END_TEST

START_TEST(unknown_required_flag_is_rejected)
{
    make_aout(0, 0x10008, 0, 0, LOAD);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ENOEXEC);
    ck_assert_ptr_nonnull(strstr(err, "0x0008"));
}
END_TEST

START_TEST(truncated_aout_is_rejected)
{
    make_aout(0, 0x10000, LOAD + IMG_SZ + 1, 0, LOAD);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    /* a header whose address fields are cut off by the end of the file */
    make_aout(0, 0x10000, 0, 0, LOAD);
    ck_assert_int_eq(multiboot_parse(img, 20, RAM, &p, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(image_over_top_of_ram_is_rejected)
{
    make_aout(0, 0x10000, 0, RAM + 0x1000, LOAD);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ERANGE);
    ck_assert_ptr_nonnull(strstr(err, "top of RAM"));
    /* bss_end near 4 GiB must not wrap into a small size */
    make_aout(0, 0x10000, 0, 0xFFFFFFFF, LOAD);
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ERANGE);
}
END_TEST

START_TEST(aout_inconsistent_addresses_are_rejected)
{
    /* header_addr claims the header is 0x100 bytes into the image, but it is at offset 0 */
    make_aout(0, 0x10000, 0, 0, LOAD);
    put32(img + 12, LOAD + 0x100);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    /* entry outside the image */
    make_aout(0, 0x10000, 0, 0, LOAD + 0x100000);
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    /* bss ending before the loaded data */
    make_aout(0, 0x10000, LOAD + 0x1000, LOAD + 0x800, LOAD);
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(image_over_info_area_is_rejected)
{
    make_aout(0, 0x10000, 0, 0, MULTIBOOT_INFO_BASE);
    put32(img + 12, MULTIBOOT_INFO_BASE);
    put32(img + 16, MULTIBOOT_INFO_BASE);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ERANGE);
    ck_assert_ptr_nonnull(strstr(err, "boot information"));
}
END_TEST

START_TEST(elf_segment_and_entry_translation)
{
    make_elf(LOAD, 0xC0100000, 0x1000, 0x800, 0x2000, 0xC0100010);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), 0);
    ck_assert_uint_eq(p.nsegments, 1);
    ck_assert_uint_eq(p.seg[0].addr, LOAD);
    ck_assert_uint_eq(p.seg[0].file_offset, 0x1000);
    ck_assert_uint_eq(p.seg[0].file_size, 0x800);
    ck_assert_uint_eq(p.seg[0].mem_size, 0x2000);
    ck_assert_uint_eq(p.entry, LOAD + 0x10);
}
END_TEST

START_TEST(elf_hostile_headers_are_rejected)
{
    multiboot_plan p;
    make_elf(LOAD, LOAD, 0x2800, 0x1000, 0x1000, LOAD); /* data past the end of the file */
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    make_elf(LOAD, LOAD, 0x1000, 0x2000, 0x1000, LOAD); /* filesz > memsz */
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    make_elf(RAM - 0x800, 0, 0x1000, 0x800, 0x1000, 0); /* over the top of RAM */
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ERANGE);
    make_elf(LOAD, LOAD, 0x1000, 0x800, 0x800, LOAD);
    put16(img + 44, 0xFFFF); /* program headers beyond the file */
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -EINVAL);
    make_elf(LOAD, LOAD, 0x1000, 0x800, 0x800, LOAD);
    img[4] = 2; /* ELFCLASS64 */
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ENOEXEC);
}
END_TEST

START_TEST(plain_file_without_addresses_is_rejected)
{
    make_aout(0, 0x00000, 0, 0, LOAD);
    multiboot_plan p;
    ck_assert_int_eq(multiboot_parse(img, IMG_SZ, RAM, &p, err, sizeof(err)), -ENOEXEC);
    ck_assert_ptr_nonnull(strstr(err, "flag 16"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("multiboot_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, aout_whole_file_with_bss);
    tcase_add_test(tc, aout_load_end_limits_the_copy);
    tcase_add_test(tc, header_beyond_8k_is_not_found);
    tcase_add_test(tc, bad_checksum_is_rejected);
    tcase_add_test(tc, unknown_required_flag_is_rejected);
    tcase_add_test(tc, truncated_aout_is_rejected);
    tcase_add_test(tc, image_over_top_of_ram_is_rejected);
    tcase_add_test(tc, aout_inconsistent_addresses_are_rejected);
    tcase_add_test(tc, image_over_info_area_is_rejected);
    tcase_add_test(tc, elf_segment_and_entry_translation);
    tcase_add_test(tc, elf_hostile_headers_are_rejected);
    tcase_add_test(tc, plain_file_without_addresses_is_rejected);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

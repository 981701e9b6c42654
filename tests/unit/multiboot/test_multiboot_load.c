/* Multiboot loading into real guest memory: segments and bss, the information structure,
 * and the CPU state the specification requires. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/multiboot.h"

#define RAM  (8u << 20)
#define LOAD 0x100000u

static uint8_t *ram;
static physmap *pm;
static iobus *io;
static cpu *vcpu;
static uint8_t img[0x3000];
static char err[256];

static uint8_t no_intr(void *opaque)
{
    return 0;
}

static uint64_t no_time(void *opaque)
{
    return 0;
}

static uint32_t rd32(uint32_t addr)
{
    uint32_t v;
    memcpy(&v, ram + addr, 4);
    return v;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void setup(void)
{
    ram = malloc(RAM);
    ck_assert_ptr_nonnull(ram);
    memset(ram, 0xAA, RAM); /* so that the bss must be cleared by the loader */
    pm = physmap_new();
    io = iobus_new();
    ck_assert_int_eq(physmap_add_ram(pm, 0, RAM, ram), 0);
    static cpu_platform plat;
    plat = (cpu_platform){.mem = pm, .io = io, .intr_ack = no_intr, .now_ns = no_time};
    vcpu = cpu_new(&plat);
    ck_assert_ptr_nonnull(vcpu);
    cpu_reset(vcpu);
    /* a.out kludge image: header at 0, 0x2000 bytes of file, bss to 0x6000 */
    for (unsigned i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 7);
    uint32_t flags = 0x10003;
    put32(img, MULTIBOOT_HEADER_MAGIC);
    put32(img + 4, flags);
    put32(img + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
    put32(img + 12, LOAD);
    put32(img + 16, LOAD);
    put32(img + 20, LOAD + 0x2000);
    put32(img + 24, LOAD + 0x6000);
    put32(img + 28, LOAD + 0x40);
}

static void teardown(void)
{
    cpu_free(vcpu);
    iobus_free(io);
    physmap_free(pm);
    free(ram);
}

START_TEST(load_places_image_info_and_registers)
{
    multiboot_config cfg = {.ram_size = RAM, .cmdline = "console=ttyS0 quiet"};
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), 0);
    ck_assert_mem_eq(ram + LOAD, img, 0x2000);
    for (uint32_t a = LOAD + 0x2000; a < LOAD + 0x6000; a++)
        ck_assert_uint_eq(ram[a], 0);
    ck_assert_uint_eq(ram[LOAD + 0x6000], 0xAA); /* nothing past bss_end */

    cpu_regs r;
    cpu_get_regs(vcpu, &r);
    ck_assert_uint_eq(r.gpr[CPU_EAX], MULTIBOOT_BOOTLOADER_MAGIC);
    ck_assert_uint_eq(r.eip, LOAD + 0x40);
    ck_assert_uint_eq(r.cr0 & 0x80000001u, 1); /* protected mode, paging off */
    ck_assert_uint_eq(r.eflags & 0x200, 0);
    uint32_t info = r.gpr[CPU_EBX];
    ck_assert_uint_eq(info, MULTIBOOT_INFO_BASE);
    uint32_t flags = rd32(info);
    ck_assert_uint_eq(flags & ((1u << 0) | (1u << 2) | (1u << 6) | (1u << 9)),
                      (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));
    ck_assert_uint_eq(rd32(info + 4), 639);
    ck_assert_uint_eq(rd32(info + 8), (RAM - 0x100000) / 1024);
    ck_assert_str_eq((const char *)ram + rd32(info + 16), "console=ttyS0 quiet");
    ck_assert_str_eq((const char *)ram + rd32(info + 64), "vireo");

    /* memory map: 24-byte entries; the last one is the RAM above 1 MiB */
    uint32_t mm = rd32(info + 48), len = rd32(info + 44), n = 0, avail = 0;
    ck_assert_uint_eq(len % 24, 0);
    for (uint32_t p = mm; p < mm + len; p += rd32(p) + 4, n++) {
        ck_assert_uint_eq(rd32(p), 20);
        ck_assert_uint_eq(rd32(p + 8), 0); /* base < 4 GiB */
        if (rd32(p + 20) == 1)
            avail += rd32(p + 12);
        if (rd32(p + 4) == 0x100000)
            ck_assert_uint_eq(rd32(p + 12), RAM - 0x100000);
    }
    ck_assert_uint_ge(n, 2);
    ck_assert_uint_eq(avail, 0x9FC00 + RAM - 0x100000);
}
END_TEST

START_TEST(no_cmdline_means_no_cmdline_flag)
{
    multiboot_config cfg = {.ram_size = RAM};
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), 0);
    ck_assert_uint_eq(rd32(MULTIBOOT_INFO_BASE) & (1u << 2), 0);
}
END_TEST

START_TEST(load_errors_are_reported)
{
    multiboot_config cfg = {.ram_size = RAM};
    put32(img + 24, RAM + 0x1000); /* bss past the top of RAM */
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), -ERANGE);
    ck_assert_ptr_nonnull(strstr(err, "top of RAM"));
    put32(img + 24, LOAD + 0x6000);

    cfg.ram_size = 1u << 20;
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), -EINVAL);

    static char longline[5000];
    memset(longline, 'x', sizeof(longline) - 1);
    cfg = (multiboot_config){.ram_size = RAM, .cmdline = longline};
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), -E2BIG);

    /* the configuration claims more RAM than the physmap has: the copy must fail cleanly */
    put32(img + 12, 0x900000);
    put32(img + 16, 0x900000);
    put32(img + 20, 0);
    put32(img + 24, 0);
    put32(img + 28, 0x900040);
    cfg = (multiboot_config){.ram_size = 16u << 20};
    ck_assert_int_eq(multiboot_load(pm, vcpu, img, sizeof(img), &cfg, err, sizeof(err)), -EFAULT);
    ck_assert_ptr_nonnull(strstr(err, "not in guest RAM"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("multiboot_load");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, load_places_image_info_and_registers);
    tcase_add_test(tc, no_cmdline_means_no_cmdline_flag);
    tcase_add_test(tc, load_errors_are_reported);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

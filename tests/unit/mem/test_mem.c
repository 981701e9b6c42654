/* Guest physical map, port bus and guest RAM allocation. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/guest_ram.h"
#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

typedef struct mmio_log {
    uint32_t last_off, last_val;
    unsigned last_size;
    int writes;
} mmio_log;

static uint32_t mm_read(void *opaque, uint32_t off, unsigned size)
{
    return 0xA0000000u | off;
}

static void mm_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    mmio_log *l = opaque;
    l->last_off = off;
    l->last_val = v;
    l->last_size = size;
    l->writes++;
}

static const mmio_ops mm_ops = {mm_read, mm_write};

START_TEST(ram_rom_mmio_and_open_bus_routing)
{
    guest_ram ram, rom;
    ck_assert_int_eq(guest_ram_alloc(&ram, 0x10000), 0);
    ck_assert_int_eq(guest_ram_alloc(&rom, 0x1000), 0);
    memset(rom.host, 0x5A, 0x1000);
    physmap *pm = physmap_new();
    mmio_log log = {0};
    ck_assert_int_eq(physmap_add_ram(pm, 0, 0x10000, ram.host), 0);
    ck_assert_int_eq(physmap_add_rom(pm, 0xF0000, 0x1000, rom.host), 0);
    ck_assert_int_eq(physmap_add_mmio(pm, 0xFEE00000u, 0x1000, &mm_ops, &log), 0);
    physmap_write(pm, 0x100, 0x11223344, 4);
    ck_assert_uint_eq(physmap_read(pm, 0x100, 4), 0x11223344);
    ck_assert_uint_eq(physmap_read(pm, 0x101, 2), 0x2233);
    /* ROM ignores writes, reads its bytes */
    physmap_write(pm, 0xF0010, 0, 4);
    ck_assert_uint_eq(physmap_read(pm, 0xF0010, 1), 0x5A);
    ck_assert_ptr_null(physmap_page_ptr(pm, 0xF0000, true));
    ck_assert_ptr_eq(physmap_page_ptr(pm, 0xF0000, false), rom.host);
    /* MMIO gets offsets relative to its base */
    ck_assert_uint_eq(physmap_read(pm, 0xFEE00020u, 4), 0xA0000020u);
    physmap_write(pm, 0xFEE000B0u, 0, 4);
    ck_assert_int_eq(log.writes, 1);
    ck_assert_uint_eq(log.last_off, 0xB0);
    ck_assert_ptr_null(physmap_page_ptr(pm, 0xFEE00000u, false));
    /* open bus */
    ck_assert_uint_eq(physmap_read(pm, 0x80000000u, 4), 0xFFFFFFFFu);
    ck_assert_uint_eq(physmap_read(pm, 0x80000000u, 1), 0xFF);
    /* misaligned and wrapping ranges */
    ck_assert_int_eq(physmap_add_ram(pm, 0x123, 0x1000, ram.host), -EINVAL);
    ck_assert_int_eq(physmap_add_ram(pm, 0xFFFFF000u, 0x2000, ram.host), -EINVAL);
    physmap_free(pm);
    guest_ram_free(&ram);
    guest_ram_free(&rom);
}
END_TEST

START_TEST(cross_page_access_is_split)
{
    guest_ram ram;
    ck_assert_int_eq(guest_ram_alloc(&ram, 0x2000), 0);
    physmap *pm = physmap_new();
    physmap_add_ram(pm, 0, 0x2000, ram.host);
    physmap_write(pm, 0xFFE, 0xAABBCCDD, 4);
    ck_assert_uint_eq(ram.host[0xFFE], 0xDD);
    ck_assert_uint_eq(ram.host[0x1001], 0xAA);
    ck_assert_uint_eq(physmap_read(pm, 0xFFE, 4), 0xAABBCCDD);
    /* last RAM page followed by open bus: the missing bytes read as FF */
    ck_assert_uint_eq(physmap_read(pm, 0x1FFF, 2), 0xFF00u | ram.host[0x1FFF]);
    physmap_free(pm);
    guest_ram_free(&ram);
}
END_TEST

static uint32_t hook_addr, hook_len;
static int hook_calls;
static void hook(void *opaque, uint32_t paddr, uint32_t len)
{
    hook_addr = paddr;
    hook_len = len;
    hook_calls++;
}

START_TEST(copies_generation_shadow_and_write_hook)
{
    guest_ram ram, rom;
    guest_ram_alloc(&ram, 0x20000);
    guest_ram_alloc(&rom, 0x10000);
    physmap *pm = physmap_new();
    uint64_t g0 = physmap_generation(pm);
    physmap_add_ram(pm, 0, 0x20000, ram.host);
    ck_assert_uint_gt(physmap_generation(pm), g0);
    physmap_set_write_hook(pm, hook, NULL);
    char buf[100];
    memset(buf, 7, sizeof(buf));
    ck_assert_int_eq(physmap_copy_to_guest(pm, 0xFFF0, buf, sizeof(buf)), 0);
    ck_assert_int_eq(hook_calls, 2); /* one per page touched */
    ck_assert_int_eq(physmap_copy_to_guest(pm, 0x1FFF0, buf, sizeof(buf)), -EFAULT);
    char back[100];
    ck_assert_int_eq(physmap_copy_from_guest(pm, 0xFFF0, back, sizeof(back)), 0);
    ck_assert_mem_eq(back, buf, sizeof(buf));
    /* PAM-style shadow: reads from ROM, writes to RAM; then reads from RAM */
    memset(rom.host, 0x11, 0x10000);
    uint64_t g1 = physmap_generation(pm);
    ck_assert_int_eq(
        physmap_set_shadow(pm, 0x10000, 0x10000, ram.host + 0x10000, rom.host, false, true), 0);
    ck_assert_uint_gt(physmap_generation(pm), g1);
    physmap_write(pm, 0x10000, 0x22, 1);
    ck_assert_uint_eq(physmap_read(pm, 0x10000, 1), 0x11);
    physmap_set_shadow(pm, 0x10000, 0x10000, ram.host + 0x10000, rom.host, true, false);
    ck_assert_uint_eq(physmap_read(pm, 0x10000, 1), 0x22);
    physmap_free(pm);
    guest_ram_free(&ram);
    guest_ram_free(&rom);
}
END_TEST

static uint32_t io_val;
static uint32_t io_r(void *opaque, uint16_t port, unsigned size)
{
    return 0x12345678u;
}
static void io_w(void *opaque, uint16_t port, uint32_t v, unsigned size)
{
    io_val = v;
}

START_TEST(iobus_claims_and_unclaimed_ports)
{
    iobus *b = iobus_new();
    ck_assert_int_eq(iobus_register(b, 0x3F8, 8, io_r, io_w, NULL), 0);
    ck_assert_int_eq(iobus_register(b, 0x3FF, 2, io_r, io_w, NULL), -EBUSY);
    ck_assert_int_eq(iobus_register(b, 0xFFFF, 2, io_r, io_w, NULL), -EINVAL);
    ck_assert_uint_eq(iobus_in(b, 0x3F8, 1), 0x78);
    ck_assert_uint_eq(iobus_in(b, 0x3F8, 2), 0x5678);
    iobus_out(b, 0x3F9, 0x1FF, 1);
    ck_assert_uint_eq(io_val, 0xFF);
    ck_assert_uint_eq(iobus_in(b, 0x80, 1), 0xFF);
    ck_assert_uint_eq(iobus_in(b, 0x80, 4), 0xFFFFFFFFu);
    iobus_unregister(b, 0x3F8, 8);
    ck_assert_uint_eq(iobus_in(b, 0x3F8, 2), 0xFFFF);
    iobus_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ram_rom_mmio_and_open_bus_routing);
    tcase_add_test(tc, cross_page_access_is_split);
    tcase_add_test(tc, copies_generation_shadow_and_write_hook);
    tcase_add_test(tc, iobus_claims_and_unclaimed_ports);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

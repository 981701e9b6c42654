/* Direct Linux boot: the setup header parser, placement, the zero page and the load, on the
 * real Debian 686 kernel and initramfs (paths from the command line, prepared by
 * scripts/prepare-guest.sh) and on synthetic good and bad images.
 * usage: test_linux_boot VMLINUZ INITRD KERNEL_RELEASE */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/boot/fakes.h"
#include "vmm/boot/linux.h"

static const char *kernel_path, *initrd_path, *kernel_release;
static uint8_t *kimg, *initrd;
static size_t kimg_size, initrd_size;
static char err[256];

static uint8_t *read_file(const char *path, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *ret_size = (size_t)n;
    return buf;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}
static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
} /* x86 host: little-endian */

static void setup_real(void)
{
    fake_reset();
    kimg = read_file(kernel_path, &kimg_size);
    initrd = read_file(initrd_path, &initrd_size);
    err[0] = 0;
}

static void teardown_real(void)
{
    free(kimg);
    free(initrd);
    fake_free();
}

/* A minimal protocol-2.15 bzImage: one setup sector, pm_size bytes of patterned kernel. */
#define SYN_PM_SIZE   0x4000u
#define SYN_INIT_SIZE 0x200000u
static uint8_t *make_bzimage(size_t *ret_size)
{
    size_t size = 1024 + SYN_PM_SIZE;
    uint8_t *b = calloc(1, size);
    b[0] = 'M', b[1] = 'Z';
    b[0x1F1] = 1;
    wr32(b + 0x1F4, SYN_PM_SIZE / 16);
    b[0x1FE] = 0x55, b[0x1FF] = 0xAA;
    b[0x200] = 0xEB, b[0x201] = 0x66; /* header ends at 0x268 */
    memcpy(b + 0x202, "HdrS", 4);
    b[0x206] = 0x0F, b[0x207] = 0x02;
    b[0x20E] = 0x00, b[0x20F] = 0x01; /* version string at 0x300 */
    strcpy((char *)b + 0x300, "6.6.6-synthetic (test@vireo) #1");
    b[0x211] = 0x01;
    b[0x268] = 0xAB; /* past the header: must not reach the zero page */
    wr32(b + 0x214, 0x100000);
    wr32(b + 0x22C, 0x7FFFFFFF);
    wr32(b + 0x230, 0x200000);
    b[0x234] = 1;
    wr32(b + 0x238, 2047);
    wr32(b + 0x258, 0x400000); /* pref_address */
    wr32(b + 0x260, SYN_INIT_SIZE);
    for (size_t i = 1024; i < size; i++)
        b[i] = (uint8_t)(i * 7);
    *ret_size = size;
    return b;
}

START_TEST(real_kernel_header)
{
    linux_setup_info info;
    ck_assert_int_eq(linux_parse(kimg, kimg_size, &info, err, sizeof(err)), 0);
    ck_assert_uint_ge(info.version, 0x202);
    ck_assert_uint_eq(info.setup_sects, kimg[0x1F1]);
    ck_assert_uint_eq(info.setup_size + info.pm_size, kimg_size);
    ck_assert_uint_le((uint64_t)info.syssize * 16, info.pm_size);
    ck_assert(info.loadflags & 1);
    ck_assert_uint_eq(info.code32_start, 0x100000);
    ck_assert(info.relocatable);
    ck_assert_uint_ge(info.cmdline_size, 255);
    ck_assert_uint_ge(info.init_size, info.pm_size);
    /* The header's version string names the release the package was built for. */
    ck_assert_msg(strncmp(info.kernel_version, kernel_release, strlen(kernel_release)) == 0,
                  "kernel_version \"%s\" does not start with %s", info.kernel_version,
                  kernel_release);
}
END_TEST

START_TEST(real_kernel_plan_128m)
{
    linux_setup_info info;
    linux_layout lay;
    linux_config cfg = {.ram_size = 128u << 20,
                        .cmdline = "console=ttyS0",
                        .initrd = initrd,
                        .initrd_size = initrd_size};
    ck_assert_int_eq(linux_parse(kimg, kimg_size, &info, err, sizeof(err)), 0);
    ck_assert_msg(linux_plan(&info, &cfg, &lay, err, sizeof(err)) == 0, "%s", err);
    uint64_t limit = (uint64_t)info.initrd_addr_max + 1;
    if (limit > cfg.ram_size)
        limit = cfg.ram_size;
    ck_assert_uint_eq(lay.initrd_addr % 4096, 0);
    ck_assert_uint_le((uint64_t)lay.initrd_addr + initrd_size, limit);
    ck_assert_uint_lt(limit - (lay.initrd_addr + initrd_size), 4096); /* as high as allowed */
    ck_assert_uint_ge(lay.initrd_addr, lay.kernel_end);
    ck_assert_uint_eq(lay.entry, 0x100000);
    ck_assert_uint_eq(lay.cmdline_len, strlen("console=ttyS0"));
}
END_TEST

START_TEST(real_kernel_load)
{
    const char *cmdline = "console=ttyS0 panic=-1";
    linux_config cfg = {
        .ram_size = 128u << 20, .cmdline = cmdline, .initrd = initrd, .initrd_size = initrd_size};
    linux_layout lay;
    int r = linux_load(NULL, NULL, kimg, kimg_size, &cfg, &lay, err, sizeof(err));
    ck_assert_msg(r == 0, "%s", err);
    uint32_t setup = (kimg[0x1F1] + 1) * 512u;
    ck_assert_mem_eq(fake_ram + 0x100000, kimg + setup, kimg_size - setup);
    ck_assert_mem_eq(fake_ram + lay.initrd_addr, initrd, initrd_size);
    ck_assert_str_eq((char *)fake_ram + lay.cmdline_addr, cmdline);

    const uint8_t *zp = fake_ram + lay.boot_params_addr;
    ck_assert_uint_eq(rd32(zp + 0x202), 0x53726448);          /* header copied */
    ck_assert_uint_eq(zp[0x210], 0xFF);                       /* type_of_loader */
    ck_assert_uint_eq(rd32(zp + 0x228), lay.cmdline_addr);    /* cmd_line_ptr */
    ck_assert_uint_eq(rd32(zp + 0x218), lay.initrd_addr);     /* ramdisk_image */
    ck_assert_uint_eq(rd32(zp + 0x21C), initrd_size);         /* ramdisk_size */
    ck_assert_uint_eq(rd32(zp + 0x1E0), (128u << 10) - 1024); /* alt_mem_k */

    /* The CPU enters at code32_start with ESI = zero page and EBX, EBP, EDI zero. */
    ck_assert_int_eq(fake_cpu_calls, 1);
    ck_assert_uint_eq(fake_cpu_eip, 0x100000);
    ck_assert_uint_eq(fake_cpu_gpr[CPU_ESI], lay.boot_params_addr);
    ck_assert_uint_eq(fake_cpu_gpr[CPU_EBX] | fake_cpu_gpr[CPU_EBP] | fake_cpu_gpr[CPU_EDI], 0);
}
END_TEST

START_TEST(e820_in_zero_page)
{
    linux_config cfg = {.ram_size = 64u << 20};
    linux_layout lay;
    ck_assert_int_eq(linux_load(NULL, NULL, kimg, kimg_size, &cfg, &lay, err, sizeof(err)), 0);
    const uint8_t *zp = fake_ram + lay.boot_params_addr;
    linux_e820_entry want[LINUX_E820_MAX];
    unsigned n = linux_default_e820(cfg.ram_size, want, LINUX_E820_MAX);
    ck_assert_uint_eq(zp[0x1E8], n);
    uint64_t ram_total = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = zp + 0x2D0 + 20 * i;
        ck_assert_uint_eq(rd64(e), want[i].addr);
        ck_assert_uint_eq(rd64(e + 8), want[i].size);
        ck_assert_uint_eq(rd32(e + 16), want[i].type);
        if (want[i].type == LINUX_E820_RAM)
            ram_total += want[i].size;
    }
    /* All RAM but the EBDA and the 384 KiB between 640 KiB and 1 MiB is usable. */
    ck_assert_uint_eq(ram_total, (64u << 20) - 0x60000 - 0x400);
    ck_assert_uint_eq(rd32(zp + 0x218) | rd32(zp + 0x21C), 0); /* no initrd */
}
END_TEST

START_TEST(initrd_below_e820_hole)
{
    /* The machine's map says RAM ends at 48 MiB although 128 MiB are mapped. */
    const linux_e820_entry map[] = {{0, 0x9FC00, LINUX_E820_RAM},
                                    {0x100000, (48u << 20) - 0x100000, LINUX_E820_RAM}};
    linux_config cfg = {.ram_size = 128u << 20,
                        .initrd = initrd,
                        .initrd_size = initrd_size,
                        .e820 = map,
                        .e820_count = 2};
    linux_layout lay;
    ck_assert_msg(linux_load(NULL, NULL, kimg, kimg_size, &cfg, &lay, err, sizeof(err)) == 0, "%s",
                  err);
    ck_assert_uint_le(lay.initrd_addr + initrd_size, 48u << 20);
    ck_assert_uint_gt(lay.initrd_addr + initrd_size, (48u << 20) - 4096);
    ck_assert_uint_eq(fake_ram[0x10000 + 0x1E8], 2);
}
END_TEST

START_TEST(initrd_too_large)
{
    linux_setup_info info;
    linux_layout lay;
    linux_config cfg = {.ram_size = 128u << 20, .initrd = initrd, .initrd_size = 120u << 20};
    ck_assert_int_eq(linux_parse(kimg, kimg_size, &info, err, sizeof(err)), 0);
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), -ENOMEM);
    ck_assert_msg(strstr(err, "initrd") && strstr(err, "does not fit"), "%s", err);
    /* Nothing was written and the CPU was not touched. */
    ck_assert_int_eq(linux_load(NULL, NULL, kimg, kimg_size, &cfg, NULL, err, sizeof(err)),
                     -ENOMEM);
    ck_assert_int_eq(fake_cpu_calls, 0);
    ck_assert_uint_eq(fake_ram[0x100000], 0);
}
END_TEST

START_TEST(guest_too_small_for_kernel)
{
    linux_setup_info info;
    linux_layout lay;
    linux_config cfg = {.ram_size = 8u << 20};
    ck_assert_int_eq(linux_parse(kimg, kimg_size, &info, err, sizeof(err)), 0);
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), -ENOMEM);
    ck_assert_msg(strstr(err, "kernel needs guest RAM"), "%s", err);
}
END_TEST

START_TEST(cmdline_too_long)
{
    linux_setup_info info;
    linux_layout lay;
    ck_assert_int_eq(linux_parse(kimg, kimg_size, &info, err, sizeof(err)), 0);
    char *line = malloc(info.cmdline_size + 2);
    memset(line, 'a', info.cmdline_size + 1);
    line[info.cmdline_size + 1] = 0;
    linux_config cfg = {.ram_size = 128u << 20, .cmdline = line};
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), -E2BIG);
    ck_assert_msg(strstr(err, "command line"), "%s", err);
    line[info.cmdline_size] = 0; /* exactly the limit is fine */
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), 0);
    free(line);
}
END_TEST

START_TEST(truncated_kernel)
{
    /* Cut anywhere: inside the boot sector, the setup code, or the compressed kernel, down
     * to one byte short of what the header announces (syssize paragraphs after the setup). */
    size_t announced = (kimg[0x1F1] + 1) * 512u + (size_t)rd32(kimg + 0x1F4) * 16;
    const size_t cuts[] = {0, 1, 0x100, 0x205, 0x300, 4096, kimg_size / 2, announced - 1};
    for (unsigned i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        linux_setup_info info;
        err[0] = 0;
        int r = linux_parse(kimg, cuts[i], &info, err, sizeof(err));
        if (cuts[i] < 2) {
            ck_assert_int_eq(r, -ENOEXEC); /* nothing left to recognise */
            continue;
        }
        ck_assert_msg(r == -EINVAL, "cut at %zu: %d (%s)", cuts[i], r, err);
        ck_assert_msg(strstr(err, "truncated"), "cut at %zu: %s", cuts[i], err);
    }
}
END_TEST

START_TEST(not_a_bzimage)
{
    linux_setup_info info;
    uint8_t elf[4096] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
    ck_assert_int_eq(linux_parse(elf, sizeof(elf), &info, err, sizeof(err)), -ENOEXEC);
    ck_assert_msg(strstr(err, "not a bzImage") && strstr(err, "ELF"), "%s", err);

    /* The initramfs is a real file that is not a kernel. */
    ck_assert_int_eq(linux_parse(initrd, initrd_size, &info, err, sizeof(err)), -ENOEXEC);
    ck_assert_msg(strstr(err, "not a bzImage"), "%s", err);

    /* A kernel with its boot sector signature or magic damaged. */
    uint8_t *bad = malloc(kimg_size);
    memcpy(bad, kimg, kimg_size);
    bad[0x202] = 'X';
    ck_assert_int_eq(linux_parse(bad, kimg_size, &info, err, sizeof(err)), -ENOEXEC);
    memcpy(bad, kimg, kimg_size);
    bad[0x1FE] = 0;
    ck_assert_int_eq(linux_parse(bad, kimg_size, &info, err, sizeof(err)), -ENOEXEC);
    free(bad);
}
END_TEST

START_TEST(old_protocol_and_zimage)
{
    linux_setup_info info;
    uint8_t *bad = malloc(kimg_size);
    memcpy(bad, kimg, kimg_size);
    bad[0x206] = 0x01, bad[0x207] = 0x02; /* protocol 2.01 */
    ck_assert_int_eq(linux_parse(bad, kimg_size, &info, err, sizeof(err)), -ENOEXEC);
    ck_assert_msg(strstr(err, "2.01") && strstr(err, "too old"), "%s", err);
    memcpy(bad, kimg, kimg_size);
    bad[0x211] &= (uint8_t)~1; /* not LOADED_HIGH: a zImage */
    ck_assert_int_eq(linux_parse(bad, kimg_size, &info, err, sizeof(err)), -ENOEXEC);
    ck_assert_msg(strstr(err, "zImage"), "%s", err);
    free(bad);
}
END_TEST

START_TEST(synthetic_image)
{
    size_t size;
    uint8_t *b = make_bzimage(&size);
    linux_setup_info info;
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), 0);
    ck_assert_uint_eq(info.version, 0x20F);
    ck_assert_uint_eq(info.setup_size, 1024);
    ck_assert_uint_eq(info.pm_size, SYN_PM_SIZE);
    ck_assert_uint_eq(info.header_end, 0x268);
    ck_assert_uint_eq(info.init_size, SYN_INIT_SIZE);
    ck_assert_uint_eq(info.pref_address, 0x400000);
    ck_assert_str_eq(info.kernel_version, "6.6.6-synthetic (test@vireo) #1");

    /* The kernel runs at pref_address: it needs RAM up to 4 MiB + init_size. */
    linux_layout lay;
    linux_config cfg = {.ram_size = 0x400000 + SYN_INIT_SIZE};
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), 0);
    ck_assert_uint_eq(lay.kernel_end, 0x400000 + SYN_INIT_SIZE);
    cfg.ram_size -= 4096;
    ck_assert_int_eq(linux_plan(&info, &cfg, &lay, err, sizeof(err)), -ENOMEM);

    /* Header fields beyond the file's own header length are not copied. */
    cfg.ram_size = 16u << 20;
    ck_assert_int_eq(linux_load(NULL, NULL, b, size, &cfg, &lay, err, sizeof(err)), 0);
    ck_assert_mem_eq(fake_ram + 0x100000, b + 1024, SYN_PM_SIZE);
    ck_assert_uint_eq(fake_ram[0x10000 + 0x268], 0);
    ck_assert_uint_eq(fake_ram[0x10000 + 0x1F1], 1);
    free(b);
}
END_TEST

START_TEST(synthetic_hostile_fields)
{
    size_t size;
    uint8_t *b = make_bzimage(&size);
    linux_setup_info info;
    wr32(b + 0x1F4, 0xFFFFFFFF); /* syssize far beyond the file */
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), -EINVAL);
    wr32(b + 0x1F4, 0);
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), -EINVAL);
    wr32(b + 0x1F4, SYN_PM_SIZE / 16);
    wr32(b + 0x214, 0x100000 + SYN_PM_SIZE); /* entry past the kernel */
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), -EINVAL);
    ck_assert_msg(strstr(err, "code32_start"), "%s", err);
    wr32(b + 0x214, 0x100000);
    b[0x1F1] = 200; /* setup larger than the file */
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), -EINVAL);
    b[0x1F1] = 1;
    b[0x201] = 0xFF; /* header length past boot_params.hdr: clamped, still parses */
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), 0);
    ck_assert_uint_eq(info.header_end, 0x290);
    b[0x20E] = 0xF0, b[0x20F] = 0xFF; /* version string pointer outside the setup */
    ck_assert_int_eq(linux_parse(b, size, &info, err, sizeof(err)), 0);
    ck_assert_str_eq(info.kernel_version, "");
    free(b);
}
END_TEST

START_TEST(load_fails_on_non_ram)
{
    linux_config cfg = {.ram_size = 128u << 20, .initrd = initrd, .initrd_size = initrd_size};
    fake_ram_limit = 64u << 20; /* the physmap has no RAM above 64 MiB */
    ck_assert_int_eq(linux_load(NULL, NULL, kimg, kimg_size, &cfg, NULL, err, sizeof(err)),
                     -EFAULT);
    ck_assert_msg(strstr(err, "initrd"), "%s", err);
    ck_assert_int_eq(fake_cpu_calls, 0);
}
END_TEST

static Suite *linux_suite(void)
{
    Suite *s = suite_create("linux_boot");
    TCase *tc = tcase_create("linux");
    tcase_add_checked_fixture(tc, setup_real, teardown_real);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, real_kernel_header);
    tcase_add_test(tc, real_kernel_plan_128m);
    tcase_add_test(tc, real_kernel_load);
    tcase_add_test(tc, e820_in_zero_page);
    tcase_add_test(tc, initrd_below_e820_hole);
    tcase_add_test(tc, initrd_too_large);
    tcase_add_test(tc, guest_too_small_for_kernel);
    tcase_add_test(tc, cmdline_too_long);
    tcase_add_test(tc, truncated_kernel);
    tcase_add_test(tc, not_a_bzimage);
    tcase_add_test(tc, old_protocol_and_zimage);
    tcase_add_test(tc, synthetic_image);
    tcase_add_test(tc, synthetic_hostile_fields);
    tcase_add_test(tc, load_fails_on_non_ram);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s VMLINUZ INITRD KERNEL_RELEASE\n", argv[0]);
        return 2;
    }
    kernel_path = argv[1], initrd_path = argv[2], kernel_release = argv[3];
    SRunner *sr = srunner_create(linux_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Machine configuration checks: every bad input the user can give vireo-headless is refused
 * with a message naming the problem and the file, before a machine is built.
 * usage: test_pc_config VMLINUZ INITRD KERNEL_RELEASE BIOS_BIN */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/pc/pc.h"

static const char *kernel, *initrd, *bios;
static char err[512];
static char tmpdir[] = "/tmp/vireo-pc-config-XXXXXX";

/* A file in tmpdir holding the first `len` bytes of src (or `len` zero bytes if src NULL). */
static const char *make_file(const char *name, const char *src, size_t len)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    int out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(out, 0);
    if (src) {
        FILE *in = fopen(src, "rb");
        ck_assert(in);
        char buf[65536];
        size_t left = len, n;
        while (left && (n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), in)) > 0) {
            ck_assert_int_eq(write(out, buf, n), (ssize_t)n);
            left -= n;
        }
        fclose(in);
    } else {
        ck_assert_int_eq(ftruncate(out, (off_t)len), 0);
    }
    close(out);
    return p;
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static int load(const pc_config *cfg)
{
    pc_images im;
    err[0] = 0;
    int r = pc_images_load(cfg, &im, err, sizeof(err));
    if (r == 0)
        pc_images_free(&im);
    return r;
}

#define ck_err_has(s) ck_assert_msg(strstr(err, s), "message \"%s\" lacks \"%s\"", err, s)

START_TEST(good_direct_boot)
{
    pc_config cfg = {
        .memory_mb = 128, .kernel = kernel, .initrd = initrd, .append = "console=ttyS0"};
    pc_images im;
    ck_assert_msg(pc_images_load(&cfg, &im, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(im.kernel_size, (size_t)file_size(kernel));
    ck_assert_uint_eq(im.initrd_size, (size_t)file_size(initrd));
    ck_assert_ptr_null(im.bios); /* direct boot runs no BIOS */
    pc_images_free(&im);
}
END_TEST

START_TEST(good_bios_boot)
{
    pc_config cfg = {.memory_mb = 64, .bios = bios};
    pc_images im;
    ck_assert_msg(pc_images_load(&cfg, &im, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(im.bios_size, (size_t)file_size(bios));
    pc_images_free(&im);
}
END_TEST

START_TEST(missing_kernel)
{
    pc_config cfg = {.memory_mb = 128, .kernel = "/nonexistent/vmlinuz"};
    ck_assert_int_eq(load(&cfg), -ENOENT);
    ck_err_has("kernel '/nonexistent/vmlinuz'");
    ck_err_has("No such file");
}
END_TEST

START_TEST(empty_and_truncated_kernel)
{
    pc_config cfg = {.memory_mb = 128, .kernel = make_file("empty", NULL, 0)};
    ck_assert_int_eq(load(&cfg), -EINVAL);
    ck_err_has("empty");
    cfg.kernel = make_file("half", kernel, (size_t)file_size(kernel) / 2);
    ck_assert_int_eq(load(&cfg), -EINVAL);
    ck_err_has("truncated");
    ck_err_has(cfg.kernel);
}
END_TEST

START_TEST(not_a_kernel)
{
    pc_config cfg = {.memory_mb = 128, .kernel = initrd};
    ck_assert_int_eq(load(&cfg), -ENOEXEC);
    ck_err_has("not a bzImage");
    cfg.kernel = "/tmp";
    ck_assert_int_lt(load(&cfg), 0);
    ck_err_has("not a regular file");
}
END_TEST

START_TEST(initrd_too_large)
{
    /* An initrd as large as the whole guest cannot fit next to the kernel. */
    pc_config cfg = {
        .memory_mb = 64, .kernel = kernel, .initrd = make_file("huge-initrd", NULL, 64u << 20)};
    ck_assert_int_eq(load(&cfg), -ENOMEM);
    ck_err_has("initrd");
    ck_err_has("does not fit");
    /* Larger than the guest's memory: refused before reading it. */
    cfg.initrd = make_file("huger-initrd", NULL, (64u << 20) + 1);
    ck_assert_int_eq(load(&cfg), -EFBIG);
    ck_err_has("initrd");
}
END_TEST

START_TEST(memory_out_of_range)
{
    const uint32_t bad[] = {0, 1, PC_MEM_MIN_MB - 1, PC_MEM_MAX_MB + 1, 1u << 20};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pc_config cfg = {.memory_mb = bad[i], .kernel = kernel};
        ck_assert_int_eq(load(&cfg), -ERANGE);
        ck_err_has("out of range");
    }
    /* In range but too small for this kernel: the kernel check says so. */
    pc_config cfg = {.memory_mb = PC_MEM_MIN_MB, .kernel = kernel};
    ck_assert_int_eq(load(&cfg), -ENOMEM);
    ck_err_has("kernel needs guest RAM");
}
END_TEST

START_TEST(bad_option_combinations)
{
    pc_config both = {.memory_mb = 64, .kernel = kernel, .multiboot = kernel};
    ck_assert_int_eq(load(&both), -EINVAL);
    pc_config kb = {.memory_mb = 64, .kernel = kernel, .bios = bios};
    ck_assert_int_eq(load(&kb), -EINVAL);
    ck_err_has("BIOS");
    pc_config orphan = {.memory_mb = 64, .initrd = initrd};
    ck_assert_int_eq(load(&orphan), -EINVAL);
    ck_err_has("--kernel");
}
END_TEST

START_TEST(bad_bios)
{
    pc_config cfg = {.memory_mb = 64, .bios = make_file("bios-odd", bios, 100000)};
    ck_assert_int_eq(load(&cfg), -EINVAL);
    ck_err_has("64 KiB");
    cfg.bios = "/nonexistent/bios.bin";
    ck_assert_int_eq(load(&cfg), -ENOENT);
    ck_err_has("BIOS '/nonexistent/bios.bin'");
}
END_TEST

START_TEST(serial_specs)
{
    pc_serial_spec s;
    ck_assert_int_eq(pc_serial_parse("stdio", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(s.kind, PC_SERIAL_STDIO);
    ck_assert_int_eq(pc_serial_parse("unix:/tmp/x.sock", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(s.kind, PC_SERIAL_UNIX);
    ck_assert_str_eq(s.path, "/tmp/x.sock");
    ck_assert_int_eq(pc_serial_parse("tcp:4555", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(s.kind, PC_SERIAL_TCP);
    ck_assert_uint_eq(s.port, 4555);
    ck_assert_int_eq(pc_serial_parse("file:/tmp/log", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(s.kind, PC_SERIAL_FILE);
    ck_assert_int_eq(pc_serial_parse("pty", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(pc_serial_parse("none", &s, err, sizeof(err)), 0);
    ck_assert_int_eq(s.kind, PC_SERIAL_NONE);

    const char *bad[] = {"",      "tcp:",  "tcp:0",   "tcp:65536", "tcp:12x",
                         "unix:", "file:", "serial0", "udp:1"};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s.kind = PC_SERIAL_STDIO;
        ck_assert_msg(pc_serial_parse(bad[i], &s, err, sizeof(err)) == -EINVAL, "%s", bad[i]);
        ck_assert_int_eq(s.kind, PC_SERIAL_STDIO); /* untouched on failure */
    }
    char longpath[400] = "unix:";
    memset(longpath + 5, 'a', 300);
    ck_assert_int_eq(pc_serial_parse(longpath, &s, err, sizeof(err)), -EINVAL);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s VMLINUZ INITRD KERNEL_RELEASE BIOS_BIN\n", argv[0]);
        return 2;
    }
    kernel = argv[1], initrd = argv[2], bios = argv[4];
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    Suite *s = suite_create("pc_config");
    TCase *tc = tcase_create("config");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_direct_boot);
    tcase_add_test(tc, good_bios_boot);
    tcase_add_test(tc, missing_kernel);
    tcase_add_test(tc, empty_and_truncated_kernel);
    tcase_add_test(tc, not_a_kernel);
    tcase_add_test(tc, initrd_too_large);
    tcase_add_test(tc, memory_out_of_range);
    tcase_add_test(tc, bad_option_combinations);
    tcase_add_test(tc, bad_bios);
    tcase_add_test(tc, serial_specs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed ? 1 : 0;
}

/* Validation: every bound just inside and just outside, bad names, uuids, paths. Each
 * rejection is an InvalidArg whose message names the field and the allowed range. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/validate.h"
#include "svc_test_util.h"

/* r must be 0 (ok) or an InvalidArg whose message contains every needle given. */
static void expect(int r, svc_error *err, bool ok, const char *n1, const char *n2)
{
    if (ok) {
        ck_assert_msg(r == 0, "rejected: %s", err ? err->message : "?");
        ck_assert_ptr_null(err);
        return;
    }
    ck_assert_int_eq(r, -EINVAL);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->code, SVC_E_INVALID_ARG);
    ck_assert_str_eq(svc_result_name(err->code), "InvalidArg");
    ck_assert_msg(!n1 || strstr(err->message, n1), "'%s' lacks '%s'", err->message, n1);
    ck_assert_msg(!n2 || strstr(err->message, n2), "'%s' lacks '%s'", err->message, n2);
    svc_error_free(err);
}

#define CHECK(call, ok, n1, n2)                                                                    \
    do {                                                                                           \
        svc_error *err = NULL;                                                                     \
        int r = call;                                                                              \
        expect(r, err, ok, n1, n2);                                                                \
    } while (0)

START_TEST(memory_bounds)
{
    CHECK(svc_validate_memory(3, &err), false, "memorySize: 3", "allowed 4..3072 MiB");
    CHECK(svc_validate_memory(4, &err), true, NULL, NULL);
    CHECK(svc_validate_memory(3072, &err), true, NULL, NULL);
    CHECK(svc_validate_memory(3073, &err), false, "memorySize: 3073", "allowed 4..3072 MiB");
    CHECK(svc_validate_memory(1ull << 40, &err), false, "memorySize", "allowed 4..3072");
}
END_TEST

START_TEST(cpu_and_vram_bounds)
{
    CHECK(svc_validate_cpu_count(0, &err), false, "CPUCount: 0", "allowed 1..1");
    CHECK(svc_validate_cpu_count(1, &err), true, NULL, NULL);
    CHECK(svc_validate_cpu_count(2, &err), false, "CPUCount: 2", "allowed 1..1");
    CHECK(svc_validate_vram(0, &err), false, "VRAMSize: 0", "allowed 1..256 MiB");
    CHECK(svc_validate_vram(1, &err), true, NULL, NULL);
    CHECK(svc_validate_vram(256, &err), true, NULL, NULL);
    CHECK(svc_validate_vram(257, &err), false, "VRAMSize: 257", "allowed 1..256 MiB");
}
END_TEST

START_TEST(port_bounds)
{
    CHECK(svc_validate_tcp_port("port", 0, false, &err), false, "port: 0", "allowed 1024..65535");
    CHECK(svc_validate_tcp_port("port", 1023, true, &err), false, "port: 1023",
          "allowed 0 or 1024..65535");
    CHECK(svc_validate_tcp_port("port", 1024, false, &err), true, NULL, NULL);
    CHECK(svc_validate_tcp_port("port", 65535, false, &err), true, NULL, NULL);
    CHECK(svc_validate_tcp_port("port", 65536, true, &err), false, "port: 65536", "1024..65535");
    CHECK(svc_validate_tcp_port("VNCPort", 0, true, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_range(5900, 5900, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_range(1024, 65535, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_range(5901, 5900, &err), false, "VNCPortMin: 5901", "min <= max");
    CHECK(svc_validate_vnc_range(1023, 5900, &err), false, "VNCPortMin: 1023", "1024..65535");
    CHECK(svc_validate_vnc_range(5900, 65536, &err), false, "VNCPortMax: 65536", "1024..65535");
    CHECK(svc_validate_vnc_address("127.0.0.1", &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_address("::", &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_address("localhost", &err), false, "VNCAddress: 'localhost'",
          "IPv4 or IPv6 literal");
    CHECK(svc_validate_vnc_address("1.2.3.256", &err), false, "VNCAddress", NULL);
}
END_TEST

static struct svc_serial_port port(bool enabled, enum svc_port_mode mode, const char *path,
                                   uint16_t tcp, uint8_t irq, uint16_t io)
{
    return (struct svc_serial_port){enabled, mode, (char *)path, true, tcp, irq, io};
}

START_TEST(serial_bounds)
{
    CHECK(svc_validate_serial_slot(0, &err), true, NULL, NULL);
    CHECK(svc_validate_serial_slot(3, &err), true, NULL, NULL);
    CHECK(svc_validate_serial_slot(4, &err), false, "slot: 4", "allowed 0..3");
    struct svc_serial_port p = port(true, SVC_PORT_DISCONNECTED, NULL, 0, 15, 0x100);
    CHECK(svc_validate_serial(0, &p, true, &err), true, NULL, NULL);
    p = port(true, SVC_PORT_DISCONNECTED, NULL, 0, 16, 0x3f8);
    CHECK(svc_validate_serial(0, &p, true, &err), false, "serialPort 0 IRQ: 16", "allowed 0..15");
    p = port(true, SVC_PORT_DISCONNECTED, NULL, 0, 4, 0xf8);
    CHECK(svc_validate_serial(1, &p, true, &err), false, "serialPort 1 IOBase: 0xf8",
          "0x100..0xfff8");
    p = port(true, SVC_PORT_DISCONNECTED, NULL, 0, 4, 0xfff8);
    CHECK(svc_validate_serial(1, &p, true, &err), true, NULL, NULL);
    p = port(true, SVC_PORT_DISCONNECTED, NULL, 0, 4, 0x3f9);
    CHECK(svc_validate_serial(1, &p, true, &err), false, "IOBase: 0x3f9", "multiple of 8");
    p = port(true, SVC_PORT_TCP_SERVER, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, false, &err), true, NULL, NULL); /* checked at save */
    CHECK(svc_validate_serial(3, &p, true, &err), false, "serialPort 3 port: must be set",
          "1024..65535");
    p = port(false, SVC_PORT_TCP_SERVER, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, true, &err), true, NULL, NULL); /* disabled: not needed */
    p = port(true, SVC_PORT_TCP_SERVER, NULL, 1023, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, true, &err), false, "serialPort 3 port: 1023", "1024..65535");
    p = port(true, SVC_PORT_TCP_SERVER, NULL, 65535, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, true, &err), true, NULL, NULL);
    p = port(true, SVC_PORT_FILE, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, true, &err), false, "serialPort 2 path", "must be set");
    p = port(true, SVC_PORT_UNIX_SOCKET, "relative/sock", 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, true, &err), false, "serialPort 2 path",
          "not an absolute path");
    p = port(true, SVC_PORT_UNIX_SOCKET, "/run/x.sock", 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, true, &err), true, NULL, NULL);
    char longp[200];
    memset(longp, 'a', sizeof(longp));
    longp[0] = '/';
    longp[108] = '\0';
    p = port(true, SVC_PORT_UNIX_SOCKET, longp, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, true, &err), false, "108 bytes long", "at most 107");
    longp[107] = '\0';
    CHECK(svc_validate_serial(2, &p, true, &err), true, NULL, NULL);
    p = port(true, (enum svc_port_mode)9, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(0, &p, true, &err), false, "mode",
          "Disconnected, File, UnixSocket, TCPServer, Pty, Stdio");
}
END_TEST

static void check_name(const char *s, size_t len, bool ok, const char *needle)
{
    svc_error *err = NULL;
    int r = svc_validate_name(s, len, &err);
    expect(r, err, ok, ok ? NULL : "name:", needle);
}

START_TEST(names)
{
    char buf[10001];
    check_name("a", 1, true, NULL);
    check_name("My VM (2)", 9, true, NULL);
    check_name("", 0, false, "empty");
    check_name("a/b", 3, false, "contains '/'");
    check_name("a\\b", 3, false, "contains '\\'");
    check_name("a\0b", 3, false, "contains NUL");
    check_name("a\nb", 3, false, "control character 0x0a");
    check_name("a\x01", 2, false, "control character 0x01");
    check_name("a\x7f", 2, false, "control character 0x7f");
    check_name(".", 1, false, "reserved");
    check_name("..", 2, false, "reserved");
    check_name("...", 3, true, NULL);
    check_name(".hidden", 7, true, NULL);
    check_name(" a", 2, false, "leading or trailing space");
    check_name("a ", 2, false, "leading or trailing space");
    check_name("\xff\xfe", 2, false, "not valid UTF-8");
    check_name("\xc0\xaf", 2, false, "not valid UTF-8");     /* overlong '/' */
    check_name("\xed\xa0\x80", 3, false, "not valid UTF-8"); /* surrogate */
    memset(buf, 'x', sizeof(buf));
    check_name(buf, 64, true, NULL);
    check_name(buf, 65, false, "65 characters long");
    check_name(buf, 10000, false, "10000 characters long");
    /* the limit counts characters, not bytes: 64 two-byte characters are fine */
    for (int i = 0; i < 65; i++)
        memcpy(buf + 2 * i, "\xc3\xbc", 2);
    check_name(buf, 128, true, NULL);
    check_name(buf, 130, false, "65 characters long");
    /* every message states the whole rule */
    check_name("/", 1, false, "allowed: 1..64 characters");
}
END_TEST

START_TEST(uuids)
{
    svc_uuid u;
    CHECK(svc_uuid_parse("0123ABCD-0000-4000-8000-00000000000A", &u, "id", &err), true, NULL, NULL);
    ck_assert_str_eq(u.s, "0123abcd-0000-4000-8000-00000000000a");
    CHECK(svc_uuid_parse("0123abcd00004000800000000000000a", &u, "id", &err), false,
          "id:", "is not a uuid");
    CHECK(svc_uuid_parse("0123abcd-0000-4000-8000-00000000000", &u, "medium", &err), false,
          "medium:", "xxxxxxxx-xxxx");
    CHECK(svc_uuid_parse("0123abcg-0000-4000-8000-00000000000a", &u, "id", &err), false, "id",
          NULL);
    CHECK(svc_uuid_parse("{0123abcd-0000-4000-8000-00000000000a}", &u, "id", &err), false, "id",
          NULL);
    svc_uuid a, b;
    ck_assert_int_eq(svc_uuid_generate(&a, NULL), 0);
    ck_assert_int_eq(svc_uuid_generate(&b, NULL), 0);
    ck_assert(svc_uuid_valid(a.s));
    ck_assert_str_ne(a.s, b.s);
    ck_assert_int_eq(a.s[14], '4'); /* version 4 */
    ck_assert_ptr_nonnull(strchr("89ab", a.s[19]));
}
END_TEST

START_TEST(paths)
{
    char *dir = svc_test_mkdtemp();
    char *file = svc_test_path(dir, "vmlinuz");
    svc_test_write(file, "x", 1);
    CHECK(svc_validate_file("kernelPath", file, 0, UINT64_MAX, 1, &err), true, NULL, NULL);
    char *missing = svc_test_path(dir, "nope");
    CHECK(svc_validate_file("kernelPath", missing, 0, UINT64_MAX, 1, &err), false, "kernelPath: '",
          "No such file");
    CHECK(svc_validate_file("initrdPath", dir, 0, UINT64_MAX, 1, &err), false, "initrdPath",
          "not a regular file");
    CHECK(svc_validate_path("BIOSPath", "bios.bin", true, &err), false, "BIOSPath",
          "not an absolute path");
    CHECK(svc_validate_path("BIOSPath", NULL, true, &err), true, NULL, NULL);
    CHECK(svc_validate_path("kernelPath", "", false, &err), false, "kernelPath", "must be set");
    CHECK(svc_validate_path("kernelPath", "/a\nb", false, &err), false, "kernelPath",
          "control character");
    /* BIOS images: 64 KiB..16 MiB, a multiple of 64 KiB */
    char *bios = svc_test_path(dir, "bios.bin");
    char *buf = calloc(1, 128 << 10);
    svc_test_write(bios, buf, 64 << 10);
    CHECK(
        svc_validate_file("BIOSPath", bios, SVC_BIOS_MIN_BYTES, SVC_BIOS_MAX_BYTES, 64 << 10, &err),
        true, NULL, NULL);
    svc_test_write(bios, buf, (64 << 10) + 512);
    CHECK(
        svc_validate_file("BIOSPath", bios, SVC_BIOS_MIN_BYTES, SVC_BIOS_MAX_BYTES, 64 << 10, &err),
        false, "BIOSPath", "a multiple of 64 KiB");
    svc_test_write(bios, buf, 32 << 10);
    CHECK(
        svc_validate_file("BIOSPath", bios, SVC_BIOS_MIN_BYTES, SVC_BIOS_MAX_BYTES, 64 << 10, &err),
        false, "32768 bytes", "allowed 65536..16777216 bytes");
    CHECK(svc_validate_executable("VMProcessPath", bios, &err), false, "VMProcessPath",
          "not executable");
    CHECK(svc_validate_executable("VMProcessPath", "/bin/sh", &err), true, NULL, NULL);
    char *sock = svc_test_path(dir, "com1.sock");
    CHECK(svc_validate_parent_exists("path", sock, &err), true, NULL, NULL);
    CHECK(svc_validate_parent_exists("path", "/nonexistent-dir/x", &err), false, "path",
          "'/nonexistent-dir' does not exist");
    free(sock);
    free(buf);
    free(bios);
    svc_test_rmtree(dir);
    free(file);
    free(missing);
    free(dir);
}
END_TEST

START_TEST(text_and_os_type)
{
    CHECK(svc_validate_os_type("Linux", &err), true, NULL, NULL);
    CHECK(svc_validate_os_type("Plan9", &err), false, "OSTypeId: 'Plan9'", "allowed Other, DOS");
    CHECK(svc_validate_text("description", "a\nb\tc", 100, true, &err), true, NULL, NULL);
    CHECK(svc_validate_cmdline("a\nb", &err), false, "kernelCmdLine", "line break");
    CHECK(svc_validate_cmdline("a\rb", &err), false, "kernelCmdLine", "line break");
    CHECK(svc_validate_cmdline("console=ttyS0\tquiet", &err), true, NULL, NULL);
    char big[SVC_CMDLINE_MAX + 2];
    memset(big, 'a', sizeof(big));
    big[SVC_CMDLINE_MAX] = '\0';
    CHECK(svc_validate_cmdline(big, &err), true, NULL, NULL);
    big[SVC_CMDLINE_MAX] = 'a';
    big[SVC_CMDLINE_MAX + 1] = '\0';
    CHECK(svc_validate_cmdline(big, &err), false, "kernelCmdLine: 2048 bytes", "0..2047 bytes");
    CHECK(svc_validate_vnc_password("12345678", &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_password("", &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_password("123456789", &err), false, "password: 9 characters",
          "1..8 printable ASCII");
    CHECK(svc_validate_vnc_password("ab\x01", &err), false, "password: character 3", NULL);
    char desc[SVC_DESCRIPTION_MAX + 2];
    memset(desc, 'd', sizeof(desc));
    desc[SVC_DESCRIPTION_MAX] = '\0';
    CHECK(svc_validate_text("description", desc, SVC_DESCRIPTION_MAX, true, &err), true, NULL,
          NULL);
    desc[SVC_DESCRIPTION_MAX] = 'd';
    desc[SVC_DESCRIPTION_MAX + 1] = '\0';
    CHECK(svc_validate_text("description", desc, SVC_DESCRIPTION_MAX, true, &err), false,
          "description: 32769 bytes", "0..32768");
}
END_TEST

/* svc_settings_validate catches what a single field cannot. */
START_TEST(whole_settings)
{
    struct svc_machine_settings s;
    ck_assert_int_eq(svc_settings_init(&s, "vm", "Linux", NULL), 0);
    CHECK(svc_settings_validate(&s, &err), true, NULL, NULL);
    s.firmware = SVC_FIRMWARE_LINUX_KERNEL;
    CHECK(svc_settings_validate(&s, &err), false, "kernelPath: must be set for LinuxKernel", NULL);
    s.firmware = SVC_FIRMWARE_BIOS;
    s.boot_order[2] = SVC_BOOT_DVD;
    s.n_boot = 3;
    CHECK(svc_settings_validate(&s, &err), false, "bootOrder: DVD appears twice", NULL);
    s.n_boot = 5;
    CHECK(svc_settings_validate(&s, &err), false, "bootOrder: 5 entries", "allowed 0..4");
    s.n_boot = 0;
    CHECK(svc_settings_validate(&s, &err), true, NULL, NULL);
    s.state = SVC_STATE_RUNNING;
    CHECK(svc_settings_validate(&s, &err), false, "state: Running", "PoweredOff, Saved, Aborted");
    s.state = SVC_STATE_SAVED;
    CHECK(svc_settings_validate(&s, &err), false, "stateFile: a Saved machine needs one", NULL);
    s.state_file = strdup("../../etc/passwd");
    CHECK(svc_settings_validate(&s, &err), false, "stateFile", "inside the machine folder");
    s.state = SVC_STATE_POWERED_OFF;
    free(s.state_file);
    s.state_file = NULL;
    s.controllers = calloc(2, sizeof(*s.controllers));
    s.n_controllers = 2;
    s.controllers[0] = (struct svc_storage_controller){
        strdup("IDE"), SVC_BUS_IDE, SVC_CONTROLLER_PIIX3, true, NULL, 0};
    s.controllers[1] = (struct svc_storage_controller){
        strdup("IDE2"), SVC_BUS_IDE, SVC_CONTROLLER_PIIX3, true, NULL, 0};
    {
        svc_error *err = NULL;
        ck_assert_int_lt(svc_settings_validate(&s, &err), 0);
        ck_assert_str_eq(svc_result_name(err->code), "LimitReached");
        svc_error_free(err);
    }
    free(s.controllers[1].name);
    s.n_controllers = 1;
    s.controllers[0].bus = SVC_BUS_NULL;
    CHECK(svc_settings_validate(&s, &err), false, "bus: 0 is not a StorageBus", "allowed IDE");
    s.controllers[0].bus = SVC_BUS_IDE;
    free(s.controllers[0].name);
    s.controllers[0].name = strdup("a/b");
    CHECK(svc_settings_validate(&s, &err), false, "controller name: contains '/'", NULL);
    free(s.controllers[0].name);
    s.controllers[0].name = strdup("IDE");
    s.controllers[0].attachments = calloc(SVC_ATTACHMENTS_MAX, sizeof(struct svc_attachment));
    s.controllers[0].n_attachments = 1;
    s.controllers[0].attachments[0].type = SVC_DEVICE_HARD_DISK;
    CHECK(svc_settings_validate(&s, &err), false, "medium: the hard disk at 'IDE' port 0 device 0",
          "needs one");
    s.controllers[0].attachments[0].type = SVC_DEVICE_DVD;
    s.controllers[0].attachments[1] = s.controllers[0].attachments[0];
    s.controllers[0].n_attachments = 2;
    CHECK(svc_settings_validate(&s, &err), false, "port 0 device 0 is attached twice", NULL);
    s.controllers[0].attachments[1].device = 2;
    CHECK(svc_settings_validate(&s, &err), false, "device: 2 is out of range", "allowed 0..1");
    s.controllers[0].attachments[1].device = 1;
    CHECK(svc_settings_validate(&s, &err), true, NULL, NULL);
    svc_settings_clear(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_validate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, memory_bounds);
    tcase_add_test(tc, cpu_and_vram_bounds);
    tcase_add_test(tc, port_bounds);
    tcase_add_test(tc, serial_bounds);
    tcase_add_test(tc, names);
    tcase_add_test(tc, uuids);
    tcase_add_test(tc, paths);
    tcase_add_test(tc, text_and_os_type);
    tcase_add_test(tc, whole_settings);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

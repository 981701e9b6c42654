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
    CHECK(svc_validate_cpu_count(0, &err), false, "cpuCount: 0", "allowed 1..1");
    CHECK(svc_validate_cpu_count(1, &err), true, NULL, NULL);
    CHECK(svc_validate_cpu_count(2, &err), false, "cpuCount: 2", "allowed 1..1");
    CHECK(svc_validate_vram(0, &err), false, "VRAMSize: 0", "allowed 1..256 MiB");
    CHECK(svc_validate_vram(1, &err), true, NULL, NULL);
    CHECK(svc_validate_vram(256, &err), true, NULL, NULL);
    CHECK(svc_validate_vram(257, &err), false, "VRAMSize: 257", "allowed 1..256 MiB");
}
END_TEST

START_TEST(port_bounds)
{
    CHECK(svc_validate_port("tcpPort", 0, &err), false, "tcpPort: 0", "allowed 1..65535");
    CHECK(svc_validate_port("tcpPort", 1, &err), true, NULL, NULL);
    CHECK(svc_validate_port("tcpPort", 65535, &err), true, NULL, NULL);
    CHECK(svc_validate_port("tcpPort", 65536, &err), false, "tcpPort: 65536", "1..65535");
    CHECK(svc_validate_vnc_port(0, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_port(65535, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_port(65536, &err), false, "vncPort: 65536", "0 (automatic) or 1..65535");
    CHECK(svc_validate_vnc_range(5900, 5900, &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_range(5901, 5900, &err), false, "vncPortMin: 5901", "min <= max");
    CHECK(svc_validate_vnc_range(0, 5900, &err), false, "vncPortMin: 0", "1..65535");
    CHECK(svc_validate_vnc_range(5900, 65536, &err), false, "vncPortMax: 65536", "1..65535");
}
END_TEST

static struct svc_serial_port port(enum svc_serial_mode mode, const char *path, uint16_t tcp,
                                   uint8_t irq, uint16_t io)
{
    return (struct svc_serial_port){mode, (char *)path, tcp, irq, io};
}

START_TEST(serial_bounds)
{
    CHECK(svc_validate_serial_slot(0, &err), false, "serialPort slot: 0", "allowed 1..4");
    CHECK(svc_validate_serial_slot(1, &err), true, NULL, NULL);
    CHECK(svc_validate_serial_slot(4, &err), true, NULL, NULL);
    CHECK(svc_validate_serial_slot(5, &err), false, "serialPort slot: 5", "allowed 1..4");
    struct svc_serial_port p = port(SVC_SERIAL_OFF, NULL, 0, 15, 0x100);
    CHECK(svc_validate_serial(0, &p, &err), true, NULL, NULL);
    p = port(SVC_SERIAL_OFF, NULL, 0, 16, 0x3f8);
    CHECK(svc_validate_serial(0, &p, &err), false, "serialPort 1 irq: 16", "allowed 0..15");
    p = port(SVC_SERIAL_OFF, NULL, 0, 4, 0xf8);
    CHECK(svc_validate_serial(1, &p, &err), false, "serialPort 2 ioBase: 0xf8", "0x100..0xfff8");
    p = port(SVC_SERIAL_OFF, NULL, 0, 4, 0xfff8);
    CHECK(svc_validate_serial(1, &p, &err), true, NULL, NULL);
    p = port(SVC_SERIAL_OFF, NULL, 0, 4, 0x3f9);
    CHECK(svc_validate_serial(1, &p, &err), false, "ioBase: 0x3f9", "multiple of 8");
    p = port(SVC_SERIAL_TCP, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, &err), false, "serialPort 4 tcpPort: 0", "1..65535");
    p = port(SVC_SERIAL_TCP, NULL, 65535, 4, 0x3f8);
    CHECK(svc_validate_serial(3, &p, &err), true, NULL, NULL);
    p = port(SVC_SERIAL_FILE, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, &err), false, "serialPort 3 path", "must be set");
    p = port(SVC_SERIAL_UNIX, "relative/sock", 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, &err), false, "serialPort 3 path", "not an absolute path");
    p = port(SVC_SERIAL_UNIX, "/run/x.sock", 0, 4, 0x3f8);
    CHECK(svc_validate_serial(2, &p, &err), true, NULL, NULL);
    p = port((enum svc_serial_mode)9, NULL, 0, 4, 0x3f8);
    CHECK(svc_validate_serial(0, &p, &err), false, "mode", "Off, File, Unix, TCP, Pty");
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
    CHECK(svc_validate_path("kernelPath", file, false, true, &err), true, NULL, NULL);
    char *missing = svc_test_path(dir, "nope");
    CHECK(svc_validate_path("kernelPath", missing, false, true, &err), false, "kernelPath: '",
          "No such file");
    CHECK(svc_validate_path("initrdPath", dir, false, true, &err), false, "initrdPath",
          "not a regular file");
    CHECK(svc_validate_path("biosPath", "bios.bin", true, false, &err), false, "biosPath",
          "not an absolute path");
    CHECK(svc_validate_path("biosPath", NULL, true, true, &err), true, NULL, NULL);
    CHECK(svc_validate_path("kernelPath", "", false, true, &err), false, "kernelPath",
          "must be set");
    CHECK(svc_validate_path("kernelPath", "/a\nb", false, false, &err), false, "kernelPath",
          "control character");
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
    CHECK(svc_validate_text("kernelCmdline", "a\nb", 100, false, &err), false, "kernelCmdline",
          "on one line");
    char big[SVC_CMDLINE_MAX + 2];
    memset(big, 'a', sizeof(big));
    big[SVC_CMDLINE_MAX] = '\0';
    CHECK(svc_validate_text("kernelCmdline", big, SVC_CMDLINE_MAX, false, &err), true, NULL, NULL);
    big[SVC_CMDLINE_MAX] = 'a';
    big[SVC_CMDLINE_MAX + 1] = '\0';
    CHECK(svc_validate_text("kernelCmdline", big, SVC_CMDLINE_MAX, false, &err), false,
          "kernelCmdline: 2048 bytes", "at most 2047");
    CHECK(svc_validate_vnc_password("12345678", &err), true, NULL, NULL);
    CHECK(svc_validate_vnc_password("123456789", &err), false, "vncPassword: 9", "0..8");
}
END_TEST

/* svc_settings_validate catches what a single field cannot. */
START_TEST(whole_settings)
{
    struct svc_machine_settings s;
    ck_assert_int_eq(svc_settings_init(&s, "vm", "Linux", NULL), 0);
    CHECK(svc_settings_validate(&s, &err), true, NULL, NULL);
    s.firmware = SVC_FIRMWARE_KERNEL;
    CHECK(svc_settings_validate(&s, &err), false, "kernelPath", "must be set");
    s.firmware = SVC_FIRMWARE_BIOS;
    s.boot_order[2] = SVC_DEVICE_DVD;
    CHECK(svc_settings_validate(&s, &err), false, "bootOrder", "DVD appears twice");
    s.boot_order[2] = SVC_DEVICE_NULL;
    s.state = SVC_STATE_RUNNING;
    CHECK(svc_settings_validate(&s, &err), false, "state: Running", "PoweredOff, Saved, Aborted");
    s.state = SVC_STATE_SAVED;
    CHECK(svc_settings_validate(&s, &err), false, "state: Saved needs a stateFile", NULL);
    s.state = SVC_STATE_POWERED_OFF;
    s.controllers = calloc(2, sizeof(*s.controllers));
    s.n_controllers = 2;
    s.controllers[0] = (struct svc_storage_controller){strdup("IDE"), SVC_BUS_IDE, 3, NULL, 0};
    s.controllers[1] = (struct svc_storage_controller){strdup("IDE"), SVC_BUS_IDE, 2, NULL, 0};
    CHECK(svc_settings_validate(&s, &err), false, "controller 'IDE' portCount: 3", "allowed 1..2");
    s.controllers[0].port_count = 2;
    CHECK(svc_settings_validate(&s, &err), false, "'IDE' is used twice", NULL);
    free(s.controllers[1].name);
    s.controllers[1].name = strdup("IDE2");
    s.controllers[1].attachments = calloc(2, sizeof(struct svc_attachment));
    s.controllers[1].n_attachments = 1;
    s.controllers[1].attachments[0].type = SVC_DEVICE_HARD_DISK;
    CHECK(svc_settings_validate(&s, &err), false, "a HardDisk needs a medium", NULL);
    s.controllers[1].attachments[0].type = SVC_DEVICE_DVD;
    s.controllers[1].attachments[1] = s.controllers[1].attachments[0];
    s.controllers[1].n_attachments = 2;
    CHECK(svc_settings_validate(&s, &err), false, "port 0 device 0 is attached twice", NULL);
    s.controllers[1].attachments[1].device = 2;
    CHECK(svc_settings_validate(&s, &err), false, "device 2 is out of range", "allowed 0..1");
    s.controllers[1].attachments[1].device = 1;
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

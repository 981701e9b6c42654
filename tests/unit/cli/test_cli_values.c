/* Option values: numbers, switches, boot devices, firmware, serial port specs. */
#include "frontends/cli/values.h"
#include "idl/vireo.h"
#include "tests/unit/cli/test_cli.h"

START_TEST(numbers_decimal_hex_and_ranges)
{
    uint32_t v;
    char err[256];
    ck_assert_int_eq(cli_value_u32("--memory", "128", 1, 4096, &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, 128);
    ck_assert_int_eq(cli_value_u32("io", "0x3F8", 0, 0xffff, &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, 0x3f8);
    ck_assert_int_eq(cli_value_u32("--memory", "5000", 1, 4096, &v, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--memory: 5000 is out of range 1..4096");
    ck_assert_int_eq(cli_value_u32("--cpus", "two", 1, 8, &v, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--cpus: 'two' is not a number");
    ck_assert_int_eq(cli_value_u32("--cpus", "-1", 1, 8, &v, err, sizeof(err)), -1);
    ck_assert_int_eq(cli_value_u32("--cpus", "", 1, 8, &v, err, sizeof(err)), -1);
    ck_assert_int_eq(cli_value_u32("--cpus", "12abc", 1, 100, &v, err, sizeof(err)), -1);
    ck_assert_int_eq(
        cli_value_u32("x", "99999999999999999999", 0, UINT32_MAX, &v, err, sizeof(err)), -1);
    ck_assert_int_eq(cli_value_u32("x", "4294967296", 0, UINT32_MAX, &v, err, sizeof(err)), -1);
    ck_assert_int_eq(cli_value_u32("x", "4294967295", 0, UINT32_MAX, &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, UINT32_MAX);
}
END_TEST

START_TEST(switches)
{
    bool b = false;
    char err[256];
    ck_assert_int_eq(cli_value_bool("--vnc", "on", &b, err, sizeof(err)), 0);
    ck_assert(b);
    ck_assert_int_eq(cli_value_bool("--vnc", "off", &b, err, sizeof(err)), 0);
    ck_assert(!b);
    ck_assert_int_eq(cli_value_bool("--vnc", "maybe", &b, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--vnc: 'maybe' is not on or off");
}
END_TEST

START_TEST(boot_and_firmware_names)
{
    uint32_t v;
    char err[256];
    ck_assert_int_eq(cli_value_boot_device("dvd", &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, VIREO_BOOT_DEVICE_DVD);
    ck_assert_int_eq(cli_value_boot_device("none", &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(cli_value_boot_device("floppy", &v, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "boot device: 'floppy' is not one of none|disk|dvd");
    ck_assert_int_eq(cli_value_firmware("kernel", &v, err, sizeof(err)), 0);
    ck_assert_uint_eq(v, VIREO_FIRMWARE_TYPE_LINUX_KERNEL);
    ck_assert_str_eq(cli_firmware_name(VIREO_FIRMWARE_TYPE_BIOS), "bios");
    ck_assert_str_eq(cli_boot_device_name(VIREO_BOOT_DEVICE_HARD_DISK), "disk");
    ck_assert_str_eq(cli_port_mode_name(VIREO_PORT_MODE_TCP_SERVER), "tcpserver");
}
END_TEST

START_TEST(uart_specs)
{
    cli_uart_spec u;
    char err[256];
    const char *on[] = {"0x2f8", "3"};
    ck_assert_int_eq(cli_value_uart(on, 2, &u, err, sizeof(err)), 0);
    ck_assert(u.enabled);
    ck_assert_uint_eq(u.io_base, 0x2f8);
    ck_assert_uint_eq(u.irq, 3);
    const char *off[] = {"off"};
    ck_assert_int_eq(cli_value_uart(off, 1, &u, err, sizeof(err)), 0);
    ck_assert(!u.enabled);
    const char *bad_irq[] = {"0x3f8", "16"};
    ck_assert_int_eq(cli_value_uart(bad_irq, 2, &u, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "uart IRQ: 16 is out of range 0..15");
    const char *odd[] = {"0x3f9", "4"};
    ck_assert_int_eq(cli_value_uart(odd, 2, &u, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "uart I/O base: 0x3f9 is not a multiple of 8");
    ck_assert_int_eq(cli_uart_arity("off"), 1);
    ck_assert_int_eq(cli_uart_arity("0x3f8"), 2);
}
END_TEST

START_TEST(uart_modes)
{
    cli_uart_mode_spec m;
    char err[256];
    const char *tcp[] = {"tcpserver", "5555"};
    ck_assert_int_eq(cli_value_uart_mode(tcp, 2, &m, err, sizeof(err)), 0);
    ck_assert_uint_eq(m.mode, VIREO_PORT_MODE_TCP_SERVER);
    ck_assert_uint_eq(m.port, 5555);
    const char *low[] = {"tcpserver", "80"};
    ck_assert_int_eq(cli_value_uart_mode(low, 2, &m, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "uart tcpserver port: 80 is out of range 1024..65535");
    const char *srv[] = {"server", "/tmp/s"};
    ck_assert_int_eq(cli_value_uart_mode(srv, 2, &m, err, sizeof(err)), 0);
    ck_assert_uint_eq(m.mode, VIREO_PORT_MODE_UNIX_SOCKET);
    ck_assert(m.server);
    ck_assert_str_eq(m.path, "/tmp/s");
    const char *cli[] = {"client", "/tmp/s"};
    ck_assert_int_eq(cli_value_uart_mode(cli, 2, &m, err, sizeof(err)), 0);
    ck_assert(!m.server);
    const char *pty[] = {"pty"};
    ck_assert_int_eq(cli_value_uart_mode(pty, 1, &m, err, sizeof(err)), 0);
    ck_assert_uint_eq(m.mode, VIREO_PORT_MODE_PTY);
    const char *bad[] = {"serial"};
    ck_assert_int_eq(cli_value_uart_mode(bad, 1, &m, err, sizeof(err)), -1);
    ck_assert_int_eq(cli_uart_mode_arity("file"), 2);
    ck_assert_int_eq(cli_uart_mode_arity("disconnected"), 1);
}
END_TEST

TCase *test_cli_values_case(void)
{
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, numbers_decimal_hex_and_ranges);
    tcase_add_test(tc, switches);
    tcase_add_test(tc, boot_and_firmware_names);
    tcase_add_test(tc, uart_specs);
    tcase_add_test(tc, uart_modes);
    return tc;
}

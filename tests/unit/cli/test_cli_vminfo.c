/* The three printed forms of a machine: serial ports in every mode, storage, an inaccessible
 * machine. (The end-to-end test covers what the service fills in today.) */
#include "frontends/cli/vminfo.h"
#include "tests/unit/cli/test_cli.h"

#include <stdlib.h>
#include <string.h>

static char *print(const cli_vm_info *vm, int form)
{
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    ck_assert_ptr_nonnull(f);
    if (form == 0) {
        cli_vm_info_print_text(vm, f);
    } else if (form == 1) {
        cli_vm_info_print_mr(vm, f);
    } else {
        cli_json w;
        cli_json_init(&w, f);
        cli_vm_info_print_json(vm, &w);
        cli_json_finish(&w);
    }
    fclose(f);
    return data;
}

static cli_serial_info serial[4] = {
    {.slot = 0,
     .enabled = true,
     .mode = VIREO_PORT_MODE_TCP_SERVER,
     .irq = 4,
     .io_base = 0x3f8,
     .port = 5555,
     .path = "",
     .pty_path = ""},
    {.slot = 1,
     .enabled = true,
     .mode = VIREO_PORT_MODE_UNIX_SOCKET,
     .server = false,
     .irq = 3,
     .io_base = 0x2f8,
     .path = "/tmp/s \"q\"",
     .pty_path = ""},
    {.slot = 2,
     .enabled = false,
     .mode = VIREO_PORT_MODE_FILE,
     .irq = 4,
     .io_base = 0x3e8,
     .path = "/tmp/log",
     .pty_path = ""},
    {.slot = 3,
     .enabled = true,
     .mode = VIREO_PORT_MODE_PTY,
     .irq = 3,
     .io_base = 0x2e8,
     .path = "",
     .pty_path = "/dev/pts/7"},
};
static cli_controller_info ctl = {.name = "IDE",
                                  .bus = VIREO_STORAGE_BUS_IDE,
                                  .type = VIREO_STORAGE_CONTROLLER_TYPE_PIIX3,
                                  .port_count = 2,
                                  .bootable = true};
static cli_attachment_info att[2] = {
    {.controller = "IDE",
     .port = 0,
     .device = 0,
     .type = VIREO_DEVICE_TYPE_HARD_DISK,
     .medium = "/vm/d.vdi"},
    {.controller = "IDE", .port = 1, .device = 0, .type = VIREO_DEVICE_TYPE_DVD, .medium = NULL},
};
static vireo_boot_device boot[2] = {VIREO_BOOT_DEVICE_DVD, VIREO_BOOT_DEVICE_HARD_DISK};

static cli_vm_info sample(void)
{
    return (cli_vm_info){.name = "demo",
                         .uuid = "6f0c0000-0000-4000-8000-000000000001",
                         .description = "",
                         .os_type = "Linux",
                         .registered = true,
                         .accessible = true,
                         .access_error = "",
                         .settings_file = "/vm/demo.vireo",
                         .log_folder = "/vm/Logs",
                         .snapshot_folder = "/vm/Snapshots",
                         .state_file = "",
                         .memory = 128,
                         .cpus = 1,
                         .vram = 16,
                         .firmware = VIREO_FIRMWARE_TYPE_BIOS,
                         .state = VIREO_MACHINE_STATE_RUNNING,
                         .session_state = VIREO_SESSION_STATE_LOCKED,
                         .session_type = VIREO_SESSION_TYPE_VM_PROCESS,
                         .session_pid = 4242,
                         .last_state_change = 1764072000123LL,
                         .session_owner = ":1.9",
                         .bios_path = "",
                         .kernel = "",
                         .initrd = "",
                         .cmdline = "",
                         .vnc_address = "127.0.0.1",
                         .vnc_enabled = true,
                         .vnc_port = 0,
                         .vnc_active_port = 5901,
                         .boot = boot,
                         .n_boot = 2,
                         .serial = serial,
                         .n_serial = 4,
                         .controllers = &ctl,
                         .n_controllers = 1,
                         .attachments = att,
                         .n_attachments = 2,
                         .current_snapshot = "before upgrade",
                         .snapshot_count = 3};
}

START_TEST(machine_readable_ports_and_storage)
{
    cli_vm_info vm = sample();
    char *s = print(&vm, 1);
    const char *want[] = {
        "VMState=\"running\"\n",
        "VMStateChangeTime=\"2025-11-25T12:00:00.123Z\"\n",
        "SessionPID=4242\n",
        "uart1=\"0x03f8,4\"\n",
        "uartmode1=\"tcpserver,5555\"\n",
        "uartmode2=\"client,/tmp/s \\\"q\\\"\"\n",
        "uart3=\"off\"\n",
        "uartmode3=\"file,/tmp/log\"\n",
        "uartmode4=\"pty,/dev/pts/7\"\n",
        "storagecontrollername0=\"IDE\"\n",
        "\"IDE-0-0\"=\"/vm/d.vdi\"\n",
        "\"IDE-1-0\"=\"emptydrive\"\n",
        "boot1=\"dvd\"\nboot2=\"disk\"\nboot3=\"none\"\n",
        "vncactiveport=5901\n",
        "CurrentSnapshotName=\"before upgrade\"\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(s, want[i]), "missing %s in:\n%s", want[i], s);
    free(s);
}
END_TEST

START_TEST(json_ports_and_storage)
{
    cli_vm_info vm = sample();
    char *s = print(&vm, 2);
    const char *want[] = {
        "  \"state\": \"Running\",\n",
        "  \"stateSinceMs\": 1764072000123,\n",
        "    \"type\": \"VMProcess\",\n",
        "      \"slot\": 1,\n      \"enabled\": true,\n      \"ioBase\": 1016,\n"
        "      \"irq\": 4,\n      \"mode\": \"tcpserver\",",
        "      \"mode\": \"socket\",\n      \"path\": \"/tmp/s \\\"q\\\"\",\n"
        "      \"server\": false,",
        "      \"ptyPath\": \"/dev/pts/7\"\n",
        "      \"medium\": null\n",
        "      \"type\": \"PIIX3\",",
        "  \"currentSnapshot\": \"before upgrade\",",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(s, want[i]), "missing %s in:\n%s", want[i], s);
    free(s);
}
END_TEST

START_TEST(text_ports_and_session)
{
    cli_vm_info vm = sample();
    char *s = print(&vm, 0);
    const char *want[] = {
        "State:                Running (since 2025-11-25T12:00:00.123Z)\n",
        "Session:              locked by :1.9 (pid 4242, VMProcess)\n",
        "UART 1:               I/O base: 0x03f8, IRQ: 4, TCP server on port 5555\n",
        "UART 2:               I/O base: 0x02f8, IRQ: 3, attached to socket '/tmp/s \"q\"' "
        "(client)\n",
        "UART 3:               disabled\n",
        "UART 4:               I/O base: 0x02e8, IRQ: 3, pty /dev/pts/7\n",
        "VNC:                  enabled, port chosen at start, password not set\n",
        "VNC active port:      5901\n",
        "IDE (1, 0): DVD       Empty\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(s, want[i]), "missing %s in:\n%s", want[i], s);
    free(s);
}
END_TEST

START_TEST(inaccessible_machine_shows_why_only)
{
    cli_vm_info vm = sample();
    vm.accessible = false;
    vm.state = VIREO_MACHINE_STATE_INACCESSIBLE;
    vm.access_error = "/vm/demo.vireo:12: memorySize 9000 out of range 4..3072";
    char *s = print(&vm, 1);
    ck_assert_ptr_nonnull(strstr(s, "accessible=\"off\"\nAccessError=\"/vm/demo.vireo:12: "));
    ck_assert_ptr_null(strstr(s, "memory="));
    free(s);
    s = print(&vm, 2);
    ck_assert_ptr_nonnull(strstr(s, "\"accessible\": false,"));
    ck_assert_ptr_null(strstr(s, "\"memory\""));
    free(s);
}
END_TEST

TCase *test_cli_vminfo_case(void)
{
    TCase *tc = tcase_create("vminfo");
    tcase_add_test(tc, machine_readable_ports_and_storage);
    tcase_add_test(tc, json_ports_and_storage);
    tcase_add_test(tc, text_ports_and_session);
    tcase_add_test(tc, inaccessible_machine_shows_why_only);
    return tc;
}

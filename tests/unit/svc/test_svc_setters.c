/* Writing settings through the API-shaped setters: who may write, hardware settings while
 * Saved, every rejected value named with its range, and the storage methods. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/machine_files.h"
#include "svc/machine_setters.h"
#include "svc/registry.h"
#include "svc_test_util.h"

static char *scratch;

static void setup(void)
{
    scratch = svc_test_mkdtemp();
    char *home = svc_test_path(scratch, "home");
    setenv("VIREO_USER_HOME", home, 1);
    free(home);
}

static void teardown(void)
{
    svc_test_rmtree(scratch);
    free(scratch);
}

static void expect_code(int r, svc_error *err, const char *code, const char *needle)
{
    ck_assert_int_lt(r, 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strcmp(svc_result_name(err->code), code) == 0, "got %s: %s",
                  svc_result_name(err->code), err->message);
    ck_assert_msg(!needle || strstr(err->message, needle), "'%s' lacks '%s'", err->message, needle);
    svc_error_free(err);
}

#define EXPECT(call, code, needle)                                                                 \
    do {                                                                                           \
        svc_error *err = NULL;                                                                     \
        int r_ = (call);                                                                           \
        expect_code(r_, err, code, needle);                                                        \
    } while (0)

#define OK(call)                                                                                   \
    do {                                                                                           \
        svc_error *err = NULL;                                                                     \
        int r_ = (call);                                                                           \
        ck_assert_msg(r_ == 0, "%s: %s", #call, err ? err->message : "?");                         \
    } while (0)

static svc_registry *open_reg(void)
{
    svc_registry *reg = NULL;
    ck_assert_int_eq(svc_registry_open(NULL, &reg, NULL), 0);
    return reg;
}

START_TEST(who_may_write)
{
    svc_registry *reg = open_reg();
    svc_machine *m = NULL;
    OK(svc_registry_create_machine(reg, NULL, "new", "", &m, &err));
    OK(svc_machine_set_memory_size(m, 128, &err)); /* a new machine is mutable */
    OK(svc_registry_register(reg, m, &err));
    EXPECT(svc_machine_set_memory_size(m, 256, &err), "InvalidSessionState", "lockMachine Write");
    ck_assert_uint_eq(m->settings.memory_mib, 128);
    OK(svc_machine_begin_edit(m, &err));
    OK(svc_machine_set_memory_size(m, 256, &err));
    ck_assert_uint_eq(m->settings.memory_mib, 128); /* only the copy changed */
    ck_assert_uint_eq(m->edit->memory_mib, 256);
    /* a Saved machine keeps its hardware, but not its other settings */
    m->state = SVC_STATE_SAVED;
    EXPECT(svc_machine_set_memory_size(m, 512, &err), "InvalidVMState", "memorySize");
    EXPECT(svc_serial_set_irq(m, 0, 5, &err), "InvalidVMState", "Saved");
    EXPECT(svc_machine_add_storage_controller(m, "IDE", SVC_BUS_IDE, &err), "InvalidVMState",
           "Saved");
    OK(svc_machine_set_description(m, "still fine", &err));
    OK(svc_serial_set_mode(m, 0, SVC_PORT_PTY, &err));
    m->state = SVC_STATE_POWERED_OFF;
    svc_machine_unref(m);
    svc_registry_free(reg);
}
END_TEST

START_TEST(bad_values_keep_the_old_value)
{
    svc_registry *reg = open_reg();
    svc_machine *m = NULL;
    OK(svc_registry_create_machine(reg, NULL, "vals", "Linux", &m, &err));
    struct svc_machine_settings *s = &m->settings;
    EXPECT(svc_machine_set_memory_size(m, 3073, &err), "InvalidArg", "allowed 4..3072 MiB");
    EXPECT(svc_machine_set_cpu_count(m, 2, &err), "InvalidArg", "CPUCount: 2");
    EXPECT(svc_machine_set_vram_size(m, 0, &err), "InvalidArg", "VRAMSize: 0");
    ck_assert_uint_eq(s->memory_mib, 256);
    EXPECT(svc_machine_set_name(m, "a/b", 3, &err), "InvalidArg", "name: contains '/'");
    EXPECT(svc_machine_set_name(m, "a\0b", 3, &err), "InvalidArg", "NUL");
    ck_assert_str_eq(s->name, "vals");
    OK(svc_machine_set_name(m, "renamed", 7, &err));
    ck_assert_str_eq(s->name, "renamed");
    /* a new machine's file follows its name until it is first written */
    char *want = svc_machine_files_default_path(svc_registry_machine_folder(reg), "renamed");
    ck_assert_str_eq(m->settings_path, want);
    free(want);
    EXPECT(svc_machine_set_os_type(m, "BeOS", &err), "InvalidArg", "OSTypeId: 'BeOS'");
    uint32_t twice[] = {SVC_BOOT_DVD, SVC_BOOT_DVD};
    EXPECT(svc_machine_set_boot_order(m, twice, 2, &err), "InvalidArg", "DVD appears twice");
    uint32_t five[] = {1, 2, 1, 2, 1};
    EXPECT(svc_machine_set_boot_order(m, five, 5, &err), "InvalidArg", "allowed 0..4");
    uint32_t bogus[] = {7};
    EXPECT(svc_machine_set_boot_order(m, bogus, 1, &err), "InvalidArg", "allowed HardDisk, DVD");
    uint32_t hd[] = {SVC_BOOT_HARD_DISK};
    OK(svc_machine_set_boot_order(m, hd, 1, &err));
    ck_assert_uint_eq(s->n_boot, 1);
    EXPECT(svc_machine_set_firmware_type(m, 0, &err), "InvalidArg",
           "allowed BIOS, LinuxKernel, Multiboot");
    OK(svc_machine_set_firmware_type(m, SVC_FIRMWARE_LINUX_KERNEL, &err));
    char *kernel = svc_test_path(scratch, "bzImage");
    EXPECT(svc_machine_set_kernel_path(m, kernel, &err), "InvalidArg", "No such file");
    svc_test_write(kernel, "MZ", 2);
    OK(svc_machine_set_kernel_path(m, kernel, &err));
    EXPECT(svc_machine_set_kernel_path(m, "vmlinuz", &err), "InvalidArg", "not an absolute path");
    ck_assert_str_eq(s->kernel_path, kernel);
    OK(svc_machine_set_initrd_path(m, "", &err));
    ck_assert_ptr_null(s->initrd_path);
    EXPECT(svc_machine_set_bios_path(m, kernel, &err), "InvalidArg", "a multiple of 64 KiB");
    EXPECT(svc_machine_set_kernel_cmdline(m, "a\nb", &err), "InvalidArg", "line break");
    OK(svc_machine_set_kernel_cmdline(m, "console=ttyS0", &err));
    EXPECT(svc_machine_set_vnc_port(m, 80, &err), "InvalidArg", "allowed 0 or 1024..65535");
    OK(svc_machine_set_vnc_port(m, 0, &err));
    EXPECT(svc_machine_set_vnc_address(m, "example.org", &err), "InvalidArg", "VNCAddress");
    EXPECT(svc_machine_set_vnc_password(m, "123456789", &err), "InvalidArg", "1..8");
    OK(svc_machine_set_vnc_password(m, "secret", &err));
    OK(svc_machine_set_vnc_password(m, "", &err));
    ck_assert_ptr_null(s->vnc_password);
    /* serial ports */
    EXPECT(svc_serial_set_enabled(m, 4, true, &err), "InvalidArg", "slot: 4");
    EXPECT(svc_serial_set_mode(m, 0, 6, &err), "InvalidArg", "PortMode");
    EXPECT(svc_serial_set_port(m, 0, 1000, &err), "InvalidArg", "1024..65535");
    EXPECT(svc_serial_set_irq(m, 0, 16, &err), "InvalidArg", "IRQ: 16");
    EXPECT(svc_serial_set_io_base(m, 0, 0x3f9, &err), "InvalidArg", "multiple of 8");
    EXPECT(svc_serial_set_path(m, 0, "/no/such/dir/log", &err), "InvalidArg",
           "'/no/such/dir' does not exist");
    char *log = svc_test_path(scratch, "com1.log");
    OK(svc_serial_set_path(m, 0, log, &err));
    OK(svc_serial_set_mode(m, 0, SVC_PORT_FILE, &err));
    OK(svc_serial_set_enabled(m, 0, true, &err));
    /* the whole-port rules wait for the save: COM2 on COM1's base is refused then */
    OK(svc_serial_set_enabled(m, 1, true, &err));
    OK(svc_serial_set_io_base(m, 1, 0x3f8, &err));
    EXPECT(svc_registry_register(reg, m, &err), "InvalidArg", "IOBase: 0x3f8 is used");
    OK(svc_serial_set_io_base(m, 1, 0x2f8, &err));
    OK(svc_registry_register(reg, m, &err));
    svc_machine_unref(m);
    svc_registry_free(reg);
    reg = open_reg();
    m = svc_registry_find(reg, "renamed", NULL);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->settings.serial[0].path, log);
    ck_assert_str_eq(m->settings.kernel_cmdline, "console=ttyS0");
    svc_registry_free(reg);
    free(kernel);
    free(log);
}
END_TEST

static void add_medium(svc_registry *reg, const char *uuid, enum svc_device_type type)
{
    struct svc_medium_entry e = {{{0}}, (char *)"/images/x.img", type, SVC_FORMAT_RAW};
    strcpy(e.uuid.s, uuid);
    ck_assert_int_eq(svc_global_add_medium(&reg->global, &e), 0);
}

#define HD1 "0123abcd-0000-4000-8000-0000000000d1"
#define ISO "0123abcd-0000-4000-8000-0000000000e1"

START_TEST(storage_methods)
{
    svc_registry *reg = open_reg();
    add_medium(reg, HD1, SVC_DEVICE_HARD_DISK);
    add_medium(reg, ISO, SVC_DEVICE_DVD);
    svc_machine *m = NULL;
    OK(svc_registry_create_machine(reg, NULL, "disks", "Linux", &m, &err));
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK, HD1, &err),
           "ObjectNotFound", "no storage controller called 'IDE'");
    EXPECT(svc_machine_add_storage_controller(m, "..", SVC_BUS_IDE, &err), "InvalidArg",
           "reserved");
    EXPECT(svc_machine_add_storage_controller(m, "X", 0, &err), "InvalidArg", "allowed IDE");
    OK(svc_machine_add_storage_controller(m, "IDE", SVC_BUS_IDE, &err));
    EXPECT(svc_machine_add_storage_controller(m, "IDE", SVC_BUS_IDE, &err), "ObjectInUse",
           "already");
    EXPECT(svc_machine_add_storage_controller(m, "IDE2", SVC_BUS_IDE, &err), "LimitReached",
           "one per bus");
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 2, 0, SVC_DEVICE_HARD_DISK, HD1, &err),
           "InvalidArg", "controllerPort: 2");
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 2, SVC_DEVICE_HARD_DISK, HD1, &err),
           "InvalidArg", "device: 2");
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK, NULL, &err),
           "InvalidArg", "a hard disk needs one");
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK,
                                     "0123abcd-0000-4000-8000-0000000000ff", &err),
           "ObjectNotFound", "not registered");
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK, ISO, &err),
           "InvalidArg", "is a DVD; needed HardDisk");
    OK(svc_machine_attach_device(m, reg, "IDE", 1, 0, SVC_DEVICE_DVD, NULL, &err));
    OK(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK, HD1, &err));
    EXPECT(svc_machine_attach_device(m, reg, "IDE", 0, 0, SVC_DEVICE_DVD, NULL, &err),
           "ObjectInUse", "in use already");
    /* ordered by port, then device */
    ck_assert_uint_eq(m->settings.controllers[0].attachments[0].port, 0);
    ck_assert_uint_eq(m->settings.controllers[0].attachments[1].port, 1);
    EXPECT(svc_machine_mount_medium(m, reg, "IDE", 0, 0, ISO, &err), "InvalidArg",
           "not a DVD drive");
    OK(svc_machine_mount_medium(m, reg, "IDE", 1, 0, ISO, &err));
    ck_assert_str_eq(m->settings.controllers[0].attachments[1].medium.s, ISO);
    OK(svc_registry_register(reg, m, &err));
    /* another machine may not write the same hard disk */
    svc_machine *o = NULL;
    OK(svc_registry_create_machine(reg, NULL, "other", "Linux", &o, &err));
    OK(svc_machine_add_storage_controller(o, "IDE", SVC_BUS_IDE, &err));
    EXPECT(svc_machine_attach_device(o, reg, "IDE", 0, 0, SVC_DEVICE_HARD_DISK, HD1, &err),
           "ObjectInUse", "attached to machine 'disks'");
    OK(svc_machine_attach_device(o, reg, "IDE", 1, 0, SVC_DEVICE_DVD, ISO, &err)); /* DVDs share */
    svc_machine_unref(o);
    /* detach and remove on the session's copy */
    OK(svc_machine_begin_edit(m, &err));
    EXPECT(svc_machine_detach_device(m, "IDE", 1, 1, &err), "ObjectNotFound", "no device");
    OK(svc_machine_detach_device(m, "IDE", 0, 0, &err));
    ck_assert_uint_eq(m->edit->controllers[0].n_attachments, 1);
    OK(svc_controller_set_bootable(m, "IDE", false, &err));
    EXPECT(svc_controller_set_type(m, "IDE", 2, &err), "InvalidArg", "PIIX3");
    OK(svc_machine_remove_storage_controller(m, "IDE", &err));
    EXPECT(svc_machine_remove_storage_controller(m, "IDE", &err), "ObjectNotFound", NULL);
    ck_assert_uint_eq(m->edit->n_controllers, 0);
    ck_assert_uint_eq(m->settings.n_controllers, 1);
    OK(svc_machine_discard(m, &err));
    ck_assert_uint_eq(m->edit->n_controllers, 1);
    svc_machine_end_edit(m);
    svc_machine_unref(m);
    svc_registry_free(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_setters");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, who_may_write);
    tcase_add_test(tc, bad_values_keep_the_old_value);
    tcase_add_test(tc, storage_methods);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

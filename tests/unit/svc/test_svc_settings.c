/* Machine settings files: every setting survives save + load; the file is private; malformed
 * files are rejected with file:line and the problem. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svc/machine_xml.h"
#include "svc/validate.h"
#include "svc_test_util.h"

/* Settings with every field away from its default. */
static void fill_everything(struct svc_machine_settings *s)
{
    ck_assert_int_eq(svc_settings_init(s, "Ünïcode VM 1", "Debian", NULL), 0);
    free(s->description);
    s->description = strdup("line one\n\tline two <&> \"quoted\"");
    s->memory_mib = 3072;
    s->cpu_count = 1;
    s->vram_mib = 256;
    s->boot_order[0] = SVC_BOOT_HARD_DISK;
    s->boot_order[1] = SVC_BOOT_DVD;
    s->n_boot = 2;
    s->firmware = SVC_FIRMWARE_MULTIBOOT;
    s->bios_path = strdup("/usr/share/seabios/bios-256k.bin");
    s->kernel_path = strdup("/boot/vmlinuz test");
    s->initrd_path = strdup("/boot/initrd.img");
    s->kernel_cmdline = strdup("console=ttyS0 root=/dev/sda1 quiet a=\"b c\" &x\t<y>");
    s->vnc_enabled = true;
    s->vnc_port = 5901;
    free(s->vnc_address);
    s->vnc_address = strdup("::1");
    s->vnc_password = strdup("s3cr&t<");
    s->serial[0] =
        (struct svc_serial_port){true, SVC_PORT_FILE, strdup("/tmp/com1.log"), true, 0, 4, 0x3f8};
    s->serial[1] = (struct svc_serial_port){
        true, SVC_PORT_UNIX_SOCKET, strdup("/tmp/com2.sock"), false, 0, 3, 0x2f8};
    s->serial[2] = (struct svc_serial_port){true, SVC_PORT_TCP_SERVER, NULL, true, 65535, 5, 0x3e8};
    s->serial[3] = (struct svc_serial_port){false, SVC_PORT_PTY, NULL, true, 1024, 11, 0x100};
    s->n_controllers = 1;
    s->controllers = calloc(1, sizeof(*s->controllers));
    s->controllers[0] = (struct svc_storage_controller){
        strdup("IDE Ctl"), SVC_BUS_IDE, SVC_CONTROLLER_PIIX3, false, NULL, 2};
    s->controllers[0].attachments = calloc(2, sizeof(struct svc_attachment));
    s->controllers[0].attachments[0] = (struct svc_attachment){0, 0, SVC_DEVICE_HARD_DISK, {""}};
    strcpy(s->controllers[0].attachments[0].medium.s, "0123abcd-0000-4000-8000-00000000000a");
    s->controllers[0].attachments[1] = (struct svc_attachment){1, 1, SVC_DEVICE_DVD, {""}};
    s->state = SVC_STATE_SAVED;
    s->last_state_change_ms = 1764000000123;
    s->state_file = strdup("Snapshots/saved.vsav");
    strcpy(s->current_snapshot.s, "0123abcd-0000-4000-8000-00000000000b");
    s->snapshots_xml = strdup("<Snapshots><Snapshot uuid=\"0123abcd-0000-4000-8000-00000000000b\" "
                              "name=\"first\"><Extra x=\"1\"/></Snapshot></Snapshots>");
    svc_error *err = NULL;
    ck_assert_msg(svc_settings_validate(s, &err) == 0, "%s", err ? err->message : "");
}

START_TEST(round_trip_every_setting)
{
    char *dir = svc_test_mkdtemp();
    char *path = svc_test_path(dir, "m.vireo");
    struct svc_machine_settings a, b;
    fill_everything(&a);
    svc_error *err = NULL;
    ck_assert_int_eq(svc_machine_settings_save(path, &a, &err), 0);
    ck_assert_ptr_null(err);
    char *note = NULL;
    int r = svc_machine_settings_load(path, &b, &note, &err);
    ck_assert_msg(r == 0, "%s", err ? err->message : "");
    ck_assert_ptr_null(note);
    ck_assert_str_eq(a.snapshots_xml, b.snapshots_xml);
    ck_assert_str_eq(a.description, b.description);
    ck_assert(svc_settings_equal(&a, &b));
    /* spot checks independent of svc_settings_equal */
    ck_assert_str_eq(b.name, "Ünïcode VM 1");
    ck_assert_str_eq(b.description, "line one\n\tline two <&> \"quoted\"");
    ck_assert_str_eq(b.kernel_cmdline, "console=ttyS0 root=/dev/sda1 quiet a=\"b c\" &x\t<y>");
    ck_assert_uint_eq(b.memory_mib, 3072);
    ck_assert_uint_eq(b.vram_mib, 256);
    ck_assert_uint_eq(b.n_boot, 2);
    ck_assert_int_eq(b.boot_order[1], SVC_BOOT_DVD);
    ck_assert_int_eq(b.firmware, SVC_FIRMWARE_MULTIBOOT);
    ck_assert_str_eq(b.vnc_password, "s3cr&t<");
    ck_assert_str_eq(b.vnc_address, "::1");
    ck_assert_uint_eq(b.serial[2].port, 65535);
    ck_assert_uint_eq(b.serial[3].irq, 11);
    ck_assert_uint_eq(b.serial[3].io_base, 0x100);
    ck_assert(!b.serial[3].enabled);
    ck_assert_int_eq(b.serial[1].mode, SVC_PORT_UNIX_SOCKET);
    ck_assert(!b.serial[1].server);
    ck_assert_uint_eq(b.n_controllers, 1);
    ck_assert(!b.controllers[0].bootable);
    ck_assert_int_eq(b.last_state_change_ms, 1764000000123);
    ck_assert_str_eq(b.controllers[0].attachments[0].medium.s,
                     "0123abcd-0000-4000-8000-00000000000a");
    ck_assert_int_eq(b.state, SVC_STATE_SAVED);
    ck_assert_ptr_nonnull(strstr(b.snapshots_xml, "<Extra x=\"1\"/>"));
    /* a second save of what was loaded is byte-identical */
    char *path2 = svc_test_path(dir, "m2.vireo");
    ck_assert_int_eq(svc_machine_settings_save(path2, &b, NULL), 0);
    size_t l1, l2;
    char *d1 = svc_test_read(path, &l1), *d2 = svc_test_read(path2, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert_int_eq(memcmp(d1, d2, l1), 0);
    /* it may hold a VNC password: private to the user */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    free(d1);
    free(d2);
    free(path2);
    svc_settings_clear(&a);
    svc_settings_clear(&b);
    svc_test_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

START_TEST(defaults_round_trip)
{
    char *dir = svc_test_mkdtemp();
    char *path = svc_test_path(dir, "d.vireo");
    struct svc_machine_settings a, b;
    ck_assert_int_eq(svc_settings_init(&a, "plain", "Other", NULL), 0);
    ck_assert(svc_uuid_valid(a.uuid.s));
    ck_assert_int_eq(svc_machine_settings_save(path, &a, NULL), 0);
    char *note = NULL;
    ck_assert_int_eq(svc_machine_settings_load(path, &b, &note, NULL), 0);
    ck_assert(svc_settings_equal(&a, &b));
    ck_assert_int_eq(b.serial[1].io_base, 0x2f8);
    ck_assert_int_eq(b.serial[1].irq, 3);
    ck_assert_uint_eq(b.memory_mib, 64); /* Other's recommended RAM */
    ck_assert_uint_eq(b.n_boot, 2);
    ck_assert_int_eq(b.boot_order[0], SVC_BOOT_DVD);
    ck_assert_str_eq(b.vnc_address, "127.0.0.1");
    ck_assert(!b.vnc_enabled && !b.serial[0].enabled);
    svc_settings_clear(&a);
    svc_settings_clear(&b);
    svc_test_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

static const char good_head[] = "<?xml version=\"1.0\"?>\n"
                                "<VireoMachine version=\"1\" "
                                "uuid=\"0123abcd-0000-4000-8000-000000000001\" "
                                "name=\"m\" osType=\"Linux\">\n";

/* Parse `body` after the standard root start tag; return the error message (or NULL). */
static char *parse_error(const char *body)
{
    char *doc = NULL;
    ck_assert_int_ge(asprintf(&doc, "%s%s", good_head, body), 0);
    struct svc_machine_settings s;
    svc_error *err = NULL;
    int r = svc_machine_xml_parse("t.vireo", doc, strlen(doc), &s, &err);
    free(doc);
    if (r == 0) {
        svc_settings_clear(&s);
        ck_assert_ptr_null(err);
        return NULL;
    }
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(svc_result_name(err->code), "XMLError");
    char *msg = strdup(err->message);
    svc_error_free(err);
    return msg;
}

#define HW_OK "<Hardware><Memory size=\"64\"/><CPU count=\"1\"/></Hardware>\n"

START_TEST(minimal_file_loads)
{
    char *msg = parse_error(HW_OK "</VireoMachine>\n");
    ck_assert_ptr_null(msg);
}
END_TEST

static void expect_error(const char *body, const char *needle)
{
    char *msg = parse_error(body);
    ck_assert_msg(msg != NULL, "accepted: %s", body);
    ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' lacks '%s'", msg, needle);
    free(msg);
}

START_TEST(malformed_files_name_line_and_problem)
{
    /* not well-formed: libxml2's message, with the line of the problem */
    expect_error(HW_OK "<Description>x</Descr>\n</VireoMachine>\n", "t.vireo:4:");
    expect_error(HW_OK, "t.vireo:");
    /* unknown elements and attributes are rejected, never dropped */
    expect_error(HW_OK "<Frobnicator/>\n</VireoMachine>\n",
                 "t.vireo:4: unknown element <Frobnicator> in <VireoMachine>");
    expect_error("<Hardware><Memory size=\"64\" colour=\"red\"/><CPU count=\"1\"/></Hardware>"
                 "</VireoMachine>",
                 "t.vireo:3: unknown attribute 'colour' on <Memory>");
    /* values are validated where they are read */
    expect_error("<Hardware>\n<Memory size=\"3073\"/><CPU count=\"1\"/></Hardware></VireoMachine>",
                 "t.vireo:4: memorySize: 3073 is out of range; allowed 4..3072 MiB");
    expect_error("<Hardware><Memory size=\"lots\"/><CPU count=\"1\"/></Hardware></VireoMachine>",
                 "not a number");
    expect_error("<Hardware><Memory size=\"64\"/></Hardware></VireoMachine>",
                 "needs <Memory> and <CPU>");
    expect_error("<Hardware><Memory size=\"64\"/><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "</Hardware></VireoMachine>",
                 "<Memory> appears twice");
    expect_error(HW_OK "<Hardware/></VireoMachine>", "<Hardware> appears twice");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "<SerialPort slot=\"4\" enabled=\"false\" mode=\"Disconnected\"/>"
                 "</Hardware></VireoMachine>",
                 "out of range; allowed 0..3");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "<SerialPort slot=\"1\" enabled=\"true\" mode=\"Telepathy\"/></Hardware>"
                 "</VireoMachine>",
                 "unknown value; allowed Disconnected, File, UnixSocket, TCPServer, Pty, Stdio");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "<SerialPort slot=\"1\" enabled=\"true\" mode=\"TCPServer\"/></Hardware>"
                 "</VireoMachine>",
                 "serialPort 1 port: must be set for mode TCPServer; allowed 1024..65535");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "<SerialPort slot=\"0\" enabled=\"true\" mode=\"Pty\"/>"
                 "<SerialPort slot=\"2\" enabled=\"true\" mode=\"Pty\" ioBase=\"0x3f8\"/>"
                 "</Hardware></VireoMachine>",
                 "serialPort 2 IOBase: 0x3f8 is used by serial port 0 too");
    expect_error(HW_OK "<StorageControllers><StorageController name=\"IDE\" bus=\"IDE\">"
                       "<AttachedDevice port=\"2\" device=\"0\" type=\"DVD\"/>"
                       "</StorageController></StorageControllers></VireoMachine>",
                 "controllerPort: 2 is out of range for 'IDE'; allowed 0..1");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/><Boot>"
                 "<Order position=\"1\" device=\"DVD\"/><Order position=\"3\" device=\"HardDisk\"/>"
                 "</Boot></Hardware></VireoMachine>",
                 "positions must run 1..n without gaps");
    expect_error("<Hardware><Memory size=\"64\"/><CPU count=\"1\"/>"
                 "<Firmware type=\"LinuxKernel\"/></Hardware></VireoMachine>",
                 "kernelPath: must be set for LinuxKernel firmware");
}
END_TEST

static char *parse_whole(const char *doc)
{
    struct svc_machine_settings s;
    svc_error *err = NULL;
    if (svc_machine_xml_parse("v.vireo", doc, strlen(doc), &s, &err) == 0) {
        svc_settings_clear(&s);
        return NULL;
    }
    char *m = strdup(err->message);
    svc_error_free(err);
    return m;
}

START_TEST(format_versions)
{
    static const char tmpl[] = "<VireoMachine %s uuid=\"0123abcd-0000-4000-8000-000000000001\" "
                               "name=\"m\" osType=\"Linux\">" HW_OK "</VireoMachine>";
    char *doc, *m;
    ck_assert_int_ge(asprintf(&doc, tmpl, "version=\"1\""), 0);
    ck_assert_ptr_null(parse_whole(doc));
    free(doc);
    ck_assert_int_ge(asprintf(&doc, tmpl, "version=\"2\""), 0);
    m = parse_whole(doc);
    ck_assert_ptr_nonnull(strstr(m, "format version 2 is newer than this Vireo reads (1..1)"));
    free(m);
    free(doc);
    ck_assert_int_ge(asprintf(&doc, tmpl, ""), 0);
    m = parse_whole(doc);
    ck_assert_ptr_nonnull(strstr(m, "lacks the format 'version'"));
    free(m);
    free(doc);
    m = parse_whole("<VirtualBox version=\"1\"/>");
    ck_assert_ptr_nonnull(strstr(m, "root element is <VirtualBox>, expected <VireoMachine>"));
    free(m);
}
END_TEST

START_TEST(empty_file_is_an_error)
{
    char *m = parse_whole("");
    ck_assert_str_eq(m, "v.vireo:1: file is empty");
    free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_settings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip_every_setting);
    tcase_add_test(tc, defaults_round_trip);
    tcase_add_test(tc, minimal_file_loads);
    tcase_add_test(tc, malformed_files_name_line_and_problem);
    tcase_add_test(tc, format_versions);
    tcase_add_test(tc, empty_file_is_an_error);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

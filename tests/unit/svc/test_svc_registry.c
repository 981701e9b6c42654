/* The registry: home creation, create/register/find/unregister, the mutable copy and
 * rename, inaccessible machines (malformed or deleted files), and a large registry. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svc/home.h"
#include "svc/machine_files.h"
#include "svc/machine_xml.h"
#include "svc/registry.h"
#include "svc_test_util.h"

static char *scratch;
static char *home;

static void setup(void)
{
    scratch = svc_test_mkdtemp();
    home = svc_test_path(scratch, "home/vireo");
    setenv("VIREO_USER_HOME", home, 1);
}

static void teardown(void)
{
    svc_test_rmtree(scratch);
    free(scratch);
    free(home);
}

static svc_registry *open_reg(void)
{
    svc_registry *reg = NULL;
    svc_error *err = NULL;
    int r = svc_registry_open(NULL, &reg, &err);
    ck_assert_msg(r == 0, "%s", err ? err->message : "?");
    return reg;
}

static svc_machine *new_registered(svc_registry *reg, const char *name)
{
    svc_machine *m = NULL;
    svc_error *err = NULL;
    ck_assert_int_eq(svc_registry_create_machine(reg, NULL, name, "Linux", &m, &err), 0);
    ck_assert_int_eq(svc_registry_register(reg, m, &err), 0);
    ck_assert_ptr_null(err);
    svc_machine_unref(m); /* the registry keeps its own reference */
    return m;
}

static void expect_code(int r, svc_error *err, enum svc_result code, const char *needle)
{
    ck_assert_int_lt(r, 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(err->code == code, "got %s: %s", svc_result_name(err->code), err->message);
    ck_assert_msg(!needle || strstr(err->message, needle), "'%s' lacks '%s'", err->message, needle);
    svc_error_free(err);
}

/* Evaluate the call before looking at err (argument order is unspecified in C). */
#define EXPECT_CODE(call, code, needle)                                                            \
    do {                                                                                           \
        svc_error *err = NULL;                                                                     \
        int r_ = (call);                                                                           \
        expect_code(r_, err, code, needle);                                                        \
    } while (0)

START_TEST(home_is_created_private_with_empty_registry)
{
    svc_registry *reg = open_reg();
    struct stat st;
    ck_assert_int_eq(stat(home, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0700);
    char *g = svc_test_path(home, "Vireo.xml");
    ck_assert(svc_test_exists(g));
    ck_assert_uint_eq(reg->n_machines, 0);
    char *folder = svc_test_path(home, "machines");
    ck_assert_str_eq(svc_registry_machine_folder(reg), folder);
    svc_registry_free(reg);
    free(g);
    free(folder);
}
END_TEST

START_TEST(home_resolution_order)
{
    char *h = NULL;
    ck_assert_int_eq(svc_home_resolve(&h, NULL), 0);
    ck_assert_str_eq(h, home);
    free(h);
    unsetenv("VIREO_USER_HOME");
    setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
    ck_assert_int_eq(svc_home_resolve(&h, NULL), 0);
    ck_assert_str_eq(h, "/xdg/conf/vireo");
    free(h);
    setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as the XDG spec says */
    setenv("HOME", "/home/someone", 1);
    ck_assert_int_eq(svc_home_resolve(&h, NULL), 0);
    ck_assert_str_eq(h, "/home/someone/.config/vireo");
    free(h);
    ck_assert_int_eq(svc_home_default_machine_folder("/x", &h, NULL), 0);
    ck_assert_str_eq(h, "/home/someone/.local/share/vireo/machines");
    free(h);
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    ck_assert_int_eq(svc_home_default_machine_folder("/x", &h, NULL), 0);
    ck_assert_str_eq(h, "/xdg/data/vireo/machines");
    free(h);
    unsetenv("XDG_CONFIG_HOME");
    setenv("VIREO_USER_HOME", "rel/home", 1);
    EXPECT_CODE(svc_home_resolve(&h, &err), SVC_E_INVALID_ARG, "not an absolute path");
}
END_TEST

START_TEST(create_register_find_reopen)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "Debian test");
    svc_uuid id = m->uuid;
    char *path = strdup(m->settings_path);
    char *expect = svc_machine_files_default_path(svc_registry_machine_folder(reg), "Debian test");
    ck_assert_str_eq(path, expect);
    char *dir = svc_path_dirname(path);
    char *logs = svc_test_path(dir, "Logs"), *snaps = svc_test_path(dir, "Snapshots");
    ck_assert(svc_test_exists(path) && svc_test_exists(logs) && svc_test_exists(snaps));
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    svc_registry_free(reg);

    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, 1);
    svc_machine *by_name = svc_registry_find(reg, "Debian test", NULL);
    char upper[SVC_UUID_LEN + 1];
    for (int i = 0; i <= SVC_UUID_LEN; i++)
        upper[i] = (char)(id.s[i] >= 'a' && id.s[i] <= 'f' ? id.s[i] - 32 : id.s[i]);
    svc_machine *by_id = svc_registry_find(reg, upper, NULL);
    ck_assert_ptr_nonnull(by_name);
    ck_assert_ptr_eq(by_name, by_id);
    ck_assert(by_name->accessible);
    ck_assert_str_eq(by_name->settings_path, path);
    ck_assert_uint_eq(by_name->settings.memory_mib, 256); /* the Linux default */
    svc_error *err = NULL;
    ck_assert_ptr_null(svc_registry_find(reg, "debian test", &err));
    expect_code(-1, err, SVC_E_OBJECT_NOT_FOUND, "'debian test'");
    svc_registry_free(reg);
    free(path);
    free(expect);
    free(dir);
    free(logs);
    free(snaps);
}
END_TEST

START_TEST(create_rejects_bad_and_taken_names)
{
    svc_registry *reg = open_reg();
    new_registered(reg, "vm");
    svc_machine *m = NULL;
    EXPECT_CODE(svc_registry_create_machine(reg, NULL, "vm", "Linux", &m, &err),
                SVC_E_OBJECT_IN_USE, "already registered");
    EXPECT_CODE(svc_registry_create_machine(reg, NULL, "../evil", "Linux", &m, &err),
                SVC_E_INVALID_ARG, "name: contains '/'");
    EXPECT_CODE(svc_registry_create_machine(reg, NULL, "..", "Linux", &m, &err), SVC_E_INVALID_ARG,
                "reserved");
    EXPECT_CODE(svc_registry_create_machine(reg, NULL, "ok", "Plan9", &m, &err), SVC_E_INVALID_ARG,
                "OSTypeId");
    ck_assert_uint_eq(reg->n_machines, 1);
    svc_registry_free(reg);
}
END_TEST

START_TEST(unregister_only_then_register_from_path)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "keep");
    svc_uuid id = m->uuid;
    char *path = strdup(m->settings_path);
    ck_assert_int_eq(svc_registry_unregister(reg, m, SVC_CLEANUP_UNREGISTER_ONLY, NULL, NULL, NULL),
                     0);
    ck_assert_uint_eq(reg->n_machines, 0);
    ck_assert(svc_test_exists(path));
    svc_registry_free(reg);

    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, 0);
    svc_machine *back = NULL;
    svc_error *err = NULL;
    ck_assert_int_eq(svc_registry_open_machine(reg, path, &back, &err), 0);
    ck_assert_str_eq(back->uuid.s, id.s);
    ck_assert_int_eq(svc_registry_register(reg, back, &err), 0);
    EXPECT_CODE(svc_registry_register(reg, back, &err), SVC_E_OBJECT_IN_USE, "registered already");
    /* the same file cannot be opened again while its uuid is registered */
    svc_machine *twin = NULL;
    EXPECT_CODE(svc_registry_open_machine(reg, path, &twin, &err), SVC_E_OBJECT_IN_USE, id.s);
    svc_machine_unref(back);
    EXPECT_CODE(svc_registry_open_machine(reg, "/nonexistent/x.vireo", &twin, &err),
                SVC_E_INVALID_ARG, "settingsFile");
    svc_registry_free(reg);
    reg = open_reg();
    ck_assert_ptr_nonnull(svc_registry_find(reg, id.s, NULL));
    svc_registry_free(reg);
    free(path);
}
END_TEST

/* Unregister (Full), then deleteConfig removes the machine's own files. */
static void unregister_and_delete(svc_registry *reg, svc_machine *m)
{
    svc_machine_ref(m);
    EXPECT_CODE(svc_machine_delete_config(m, &err), SVC_E_INVALID_OBJECT_STATE, "registered");
    ck_assert_int_eq(svc_registry_unregister(reg, m, SVC_CLEANUP_FULL, NULL, NULL, NULL), 0);
    ck_assert_int_eq(svc_machine_delete_config(m, NULL), 0);
    svc_machine_unref(m);
}

START_TEST(unregister_and_delete_config)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "gone");
    svc_machine *k = new_registered(reg, "kept");
    char *dir = svc_path_dirname(m->settings_path);
    char *log = svc_test_path(dir, "Logs/VM.log");
    svc_test_write(log, "log", 3);
    /* a second save leaves a -prev behind, which must go too */
    ck_assert_int_eq(svc_machine_save(m, NULL), 0);
    unregister_and_delete(reg, m);
    ck_assert(!svc_test_exists(dir));
    ck_assert(svc_test_exists(k->settings_path));
    /* a folder that holds something of the user's is not removed */
    char *kdir = svc_path_dirname(k->settings_path);
    char *disk = svc_test_path(kdir, "disk.img");
    svc_test_write(disk, "d", 1);
    unregister_and_delete(reg, k);
    ck_assert(svc_test_exists(disk));
    char *kfile = svc_test_path(kdir, "kept.vireo");
    ck_assert(!svc_test_exists(kfile));
    svc_registry_free(reg);
    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, 0);
    svc_registry_free(reg);
    free(dir);
    free(log);
    free(kdir);
    free(disk);
    free(kfile);
}
END_TEST

START_TEST(unregister_detach_modes)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "disks");
    ck_assert_int_eq(svc_machine_begin_edit(m, NULL), 0);
    struct svc_machine_settings *e = svc_machine_edit_settings(m);
    e->controllers[0] = (struct svc_storage_controller){
        strdup("IDE"), SVC_BUS_IDE, SVC_CONTROLLER_PIIX3, true, NULL, 2};
    e->controllers[0].attachments = calloc(SVC_ATTACHMENTS_MAX, sizeof(struct svc_attachment));
    e->n_controllers = 1;
    e->controllers[0].attachments[0] = (struct svc_attachment){0, 0, SVC_DEVICE_HARD_DISK, {""}};
    strcpy(e->controllers[0].attachments[0].medium.s, "0123abcd-0000-4000-8000-0000000000d1");
    e->controllers[0].attachments[1] = (struct svc_attachment){1, 0, SVC_DEVICE_DVD, {""}};
    strcpy(e->controllers[0].attachments[1].medium.s, "0123abcd-0000-4000-8000-0000000000d2");
    ck_assert_int_eq(svc_machine_commit(m, NULL), 0);
    /* a locked machine cannot be unregistered */
    EXPECT_CODE(svc_registry_unregister(reg, m, SVC_CLEANUP_FULL, NULL, NULL, &err),
                SVC_E_OBJECT_IN_USE, "locked");
    svc_machine_end_edit(m);
    EXPECT_CODE(svc_registry_unregister(reg, m, (enum svc_cleanup_mode)7, NULL, NULL, &err),
                SVC_E_INVALID_ARG, "cleanupMode: 7");
    svc_machine_ref(m);
    svc_uuid *media = NULL;
    size_t n = 0;
    ck_assert_int_eq(svc_registry_unregister(reg, m, SVC_CLEANUP_DETACH_ALL_RETURN_HARD_DISKS_ONLY,
                                             &media, &n, NULL),
                     0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(media[0].s, "0123abcd-0000-4000-8000-0000000000d1");
    free(media);
    /* the file no longer names the media */
    struct svc_machine_settings back;
    char *note = NULL;
    ck_assert_int_eq(svc_machine_settings_load(m->settings_path, &back, &note, NULL), 0);
    ck_assert_uint_eq(back.controllers[0].n_attachments, 0);
    svc_settings_clear(&back);
    svc_machine_unref(m);
    svc_registry_free(reg);
}
END_TEST

START_TEST(mutable_copy_commit_and_discard)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "edit");
    EXPECT_CODE(svc_machine_commit(m, &err), SVC_E_INVALID_SESSION_STATE, "lock it");
    ck_assert_int_eq(svc_machine_begin_edit(m, NULL), 0);
    EXPECT_CODE(svc_machine_begin_edit(m, &err), SVC_E_INVALID_SESSION_STATE, NULL);
    svc_machine_edit_settings(m)->memory_mib = 1024;
    ck_assert(svc_machine_is_modified(m));
    ck_assert_uint_eq(m->settings.memory_mib, 256); /* committed unchanged until commit */
    ck_assert_int_eq(svc_machine_discard(m, NULL), 0);
    ck_assert(!svc_machine_is_modified(m));
    ck_assert_uint_eq(svc_machine_edit_settings(m)->memory_mib, 256);
    svc_machine_edit_settings(m)->memory_mib = 2048;
    ck_assert_int_eq(svc_machine_commit(m, NULL), 0);
    ck_assert(!svc_machine_is_modified(m));
    /* an invalid copy is refused and nothing is written */
    svc_machine_edit_settings(m)->memory_mib = 5000;
    EXPECT_CODE(svc_machine_commit(m, &err), SVC_E_INVALID_ARG, "memorySize: 5000");
    EXPECT_CODE(svc_registry_unregister(reg, m, SVC_CLEANUP_UNREGISTER_ONLY, NULL, NULL, &err),
                SVC_E_OBJECT_IN_USE, "locked");
    svc_machine_end_edit(m);
    svc_registry_free(reg);
    reg = open_reg();
    ck_assert_uint_eq(svc_registry_find(reg, "edit", NULL)->settings.memory_mib, 2048);
    svc_registry_free(reg);
}
END_TEST

START_TEST(rename_moves_folder_and_file)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "old name");
    new_registered(reg, "other");
    char *old_dir = svc_path_dirname(m->settings_path);
    ck_assert_int_eq(svc_machine_begin_edit(m, NULL), 0);
    free(svc_machine_edit_settings(m)->name);
    svc_machine_edit_settings(m)->name = strdup("other");
    EXPECT_CODE(svc_machine_commit(m, &err), SVC_E_OBJECT_IN_USE, "'other'");
    free(svc_machine_edit_settings(m)->name);
    svc_machine_edit_settings(m)->name = strdup("new name");
    ck_assert_int_eq(svc_machine_commit(m, NULL), 0);
    svc_machine_end_edit(m);
    char *expect = svc_machine_files_default_path(svc_registry_machine_folder(reg), "new name");
    ck_assert_str_eq(m->settings_path, expect);
    ck_assert(svc_test_exists(expect));
    ck_assert(!svc_test_exists(old_dir));
    svc_registry_free(reg);
    reg = open_reg();
    svc_machine *r = svc_registry_find(reg, "new name", NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert(r->accessible);
    ck_assert_ptr_null(svc_registry_find(reg, "old name", NULL));
    svc_registry_free(reg);
    free(old_dir);
    free(expect);
}
END_TEST

/* Write Vireo.xml by hand with one entry caught in a rename. */
static void registry_with_rename(const svc_uuid *id, const char *src, const char *from)
{
    struct svc_global_settings g;
    ck_assert_int_eq(svc_global_init(&g, NULL), 0);
    ck_assert_int_eq(svc_global_add_machine(&g, id, src), 0);
    g.machines[0].renamed_from = strdup(from);
    char *gpath = svc_test_path(home, "Vireo.xml");
    ck_assert_int_eq(svc_global_save(gpath, &g, NULL), 0);
    svc_global_clear(&g);
    free(gpath);
}

/* The three instants a crash can interrupt a rename at, each found and finished at load. */
START_TEST(rename_interrupted_by_a_crash)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "before");
    svc_uuid id = m->uuid;
    char *old_path = strdup(m->settings_path);
    char *new_path = svc_machine_files_rename_target(old_path, "before", "after");
    char *old_dir = svc_path_dirname(old_path), *new_dir = svc_path_dirname(new_path);
    svc_registry_free(reg);

    /* 1. registry written, nothing moved: stays at the old path */
    registry_with_rename(&id, new_path, old_path);
    reg = open_reg();
    ck_assert(reg->machines[0]->accessible);
    ck_assert_str_eq(reg->machines[0]->settings_path, old_path);
    svc_registry_free(reg);
    reg = open_reg(); /* and the registry was repaired */
    ck_assert_str_eq(reg->machines[0]->settings_path, old_path);
    svc_registry_free(reg);

    /* 2. folder moved, file not: the file is moved on */
    registry_with_rename(&id, new_path, old_path);
    ck_assert_int_eq(rename(old_dir, new_dir), 0);
    reg = open_reg();
    ck_assert(reg->machines[0]->accessible);
    ck_assert_str_eq(reg->machines[0]->settings_path, new_path);
    ck_assert(svc_test_exists(new_path));
    svc_registry_free(reg);

    /* 3. everything moved, the settings not yet rewritten: loads (with the old name inside) */
    registry_with_rename(&id, new_path, old_path);
    reg = open_reg();
    ck_assert(reg->machines[0]->accessible);
    ck_assert_str_eq(svc_machine_name(reg->machines[0]), "before");
    svc_registry_free(reg);
    free(old_path);
    free(new_path);
    free(old_dir);
    free(new_dir);
}
END_TEST

START_TEST(malformed_machine_is_inaccessible_others_load)
{
    svc_registry *reg = open_reg();
    svc_machine *bad = new_registered(reg, "bad");
    new_registered(reg, "good");
    svc_uuid bad_id = bad->uuid;
    char *bad_path = strdup(bad->settings_path);
    svc_registry_free(reg);
    svc_test_write(bad_path, "<VireoMachine version=\"1\">\n<Hardware>\n</VireoMachine>\n", 52);

    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, 2);
    svc_machine *good = svc_registry_find(reg, "good", NULL);
    ck_assert(good && good->accessible);
    svc_machine *b = svc_registry_find(reg, bad_id.s, NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert(!b->accessible);
    ck_assert_ptr_null(svc_machine_name(b));
    char *where = NULL;
    ck_assert_int_ge(asprintf(&where, "%s:3:", bad_path), 0);
    ck_assert_msg(strstr(b->access_error->message, where), "%s", b->access_error->message);
    EXPECT_CODE(svc_machine_begin_edit(b, &err), SVC_E_INVALID_OBJECT_STATE, where);
    /* fixing the file by hand makes it accessible again */
    struct svc_machine_settings s;
    ck_assert_int_eq(svc_settings_init(&s, "bad", "Linux", NULL), 0);
    s.uuid = bad_id;
    ck_assert_int_eq(svc_machine_settings_save(bad_path, &s, NULL), 0);
    ck_assert_uint_eq(svc_registry_refresh(reg), 0);
    ck_assert(b->accessible);
    ck_assert_str_eq(svc_machine_name(b), "bad");
    /* inaccessible machines can still be unregistered */
    svc_test_write(bad_path, "junk", 4);
    ck_assert_uint_eq(svc_registry_refresh(reg), 0); /* file present: still the loaded one */
    svc_settings_clear(&s);
    svc_registry_free(reg);
    reg = open_reg();
    b = svc_registry_find(reg, bad_id.s, NULL);
    ck_assert(!b->accessible);
    ck_assert_int_eq(svc_registry_unregister(reg, b, SVC_CLEANUP_UNREGISTER_ONLY, NULL, NULL, NULL),
                     0);
    ck_assert_uint_eq(reg->n_machines, 1);
    svc_registry_free(reg);
    free(where);
    free(bad_path);
}
END_TEST

START_TEST(settings_file_deleted_behind_our_back)
{
    svc_registry *reg = open_reg();
    svc_machine *m = new_registered(reg, "victim");
    char *path = strdup(m->settings_path);
    ck_assert_int_eq(svc_machine_begin_edit(m, NULL), 0);
    ck_assert_int_eq(remove(path), 0);
    ck_assert_uint_eq(svc_registry_refresh(reg), 1);
    ck_assert(!m->accessible);
    ck_assert_ptr_nonnull(strstr(m->access_error->message, "was deleted or moved"));
    ck_assert_ptr_null(svc_machine_edit_settings(m)); /* the session's copy is gone too */
    EXPECT_CODE(svc_machine_begin_edit(m, &err), SVC_E_INVALID_OBJECT_STATE, "deleted");
    /* the registry still lists it; reopening says the same */
    svc_registry_free(reg);
    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, 1);
    ck_assert(!reg->machines[0]->accessible);
    ck_assert_ptr_nonnull(strstr(reg->machines[0]->access_error->message, "No such file"));
    svc_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(broken_registry_is_an_error_and_is_not_overwritten)
{
    svc_registry *reg = open_reg();
    new_registered(reg, "a");
    svc_registry_free(reg);
    char *g = svc_test_path(home, "Vireo.xml"), *gp = svc_test_path(home, "Vireo.xml-prev");
    remove(gp);
    svc_test_write(g, "<VireoGlobal version=\"1\">\n<Bogus/>\n</VireoGlobal>\n", 49);
    EXPECT_CODE(svc_registry_open(NULL, &reg, &err), SVC_E_XML_ERROR,
                "Vireo.xml:2: unknown element <Bogus>");
    size_t len;
    char *still = svc_test_read(g, &len);
    ck_assert_uint_eq(len, 49);
    free(still);
    free(g);
    free(gp);
}
END_TEST

/* 1,000 machines: written directly (no fsync per file), then opened through the registry. */
START_TEST(thousand_machines)
{
    enum { N = 1000 };
    char *folder = svc_test_path(home, "machines");
    ck_assert_int_eq(svc_mkdir_p(folder, 0700), 0);
    struct svc_global_settings g;
    ck_assert_int_eq(svc_global_init(&g, folder), 0);
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof(name), "vm-%04d", i);
        struct svc_machine_settings s;
        ck_assert_int_eq(svc_settings_init(&s, name, "Linux", NULL), 0);
        char *path = svc_machine_files_default_path(folder, name);
        ck_assert_int_eq(svc_machine_files_create(path, NULL), 0);
        char *xml;
        size_t len;
        ck_assert_int_eq(svc_machine_xml_write(&s, &xml, &len, NULL), 0);
        svc_test_write(path, xml, len);
        ck_assert_int_eq(svc_global_add_machine(&g, &s.uuid, path), 0);
        free(xml);
        free(path);
        svc_settings_clear(&s);
    }
    char *gpath = svc_test_path(home, "Vireo.xml");
    ck_assert_int_eq(svc_global_save(gpath, &g, NULL), 0);
    svc_global_clear(&g);
    svc_registry *reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, N);
    ck_assert_uint_eq(svc_registry_refresh(reg), 0);
    svc_machine *m = svc_registry_find(reg, "vm-0999", NULL);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_eq(svc_registry_find(reg, m->uuid.s, NULL), m);
    svc_machine *extra = new_registered(reg, "vm-1000"); /* a save with 1001 entries */
    ck_assert_ptr_nonnull(extra);
    svc_registry_free(reg);
    reg = open_reg();
    ck_assert_uint_eq(reg->n_machines, N + 1);
    svc_registry_free(reg);
    free(folder);
    free(gpath);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_registry");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, home_is_created_private_with_empty_registry);
    tcase_add_test(tc, home_resolution_order);
    tcase_add_test(tc, create_register_find_reopen);
    tcase_add_test(tc, create_rejects_bad_and_taken_names);
    tcase_add_test(tc, unregister_only_then_register_from_path);
    tcase_add_test(tc, unregister_and_delete_config);
    tcase_add_test(tc, unregister_detach_modes);
    tcase_add_test(tc, mutable_copy_commit_and_discard);
    tcase_add_test(tc, rename_moves_folder_and_file);
    tcase_add_test(tc, rename_interrupted_by_a_crash);
    tcase_add_test(tc, malformed_machine_is_inaccessible_others_load);
    tcase_add_test(tc, settings_file_deleted_behind_our_back);
    tcase_add_test(tc, broken_registry_is_an_error_and_is_not_overwritten);
    tcase_add_test(tc, thousand_machines);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

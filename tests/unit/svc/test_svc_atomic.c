/* Atomic settings writes and recovery: every state a crash can leave behind loads, and a
 * recovery says what it did. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svc/atomic.h"
#include "svc/machine_xml.h"
#include "svc_test_util.h"

struct fixture {
    char *dir, *path, *tmp, *prev, *broken;
    struct svc_machine_settings old_s, new_s;
    char *old_xml, *new_xml;
    size_t old_len, new_len;
};

static void setup(struct fixture *f)
{
    f->dir = svc_test_mkdtemp();
    f->path = svc_test_path(f->dir, "vm.vireo");
    ck_assert_int_ge(asprintf(&f->tmp, "%s-tmp", f->path), 0);
    ck_assert_int_ge(asprintf(&f->prev, "%s-prev", f->path), 0);
    ck_assert_int_ge(asprintf(&f->broken, "%s-broken", f->path), 0);
    ck_assert_int_eq(svc_settings_init(&f->old_s, "vm", "Linux", NULL), 0);
    ck_assert_int_eq(svc_settings_copy(&f->new_s, &f->old_s), 0);
    f->new_s.memory_mib = 512;
    ck_assert_int_eq(svc_machine_xml_write(&f->old_s, &f->old_xml, &f->old_len, NULL), 0);
    ck_assert_int_eq(svc_machine_xml_write(&f->new_s, &f->new_xml, &f->new_len, NULL), 0);
}

static void teardown(struct fixture *f)
{
    svc_test_rmtree(f->dir);
    free(f->dir);
    free(f->path);
    free(f->tmp);
    free(f->prev);
    free(f->broken);
    free(f->old_xml);
    free(f->new_xml);
    svc_settings_clear(&f->old_s);
    svc_settings_clear(&f->new_s);
}

/* Load f->path; returns the memory size loaded (0 on failure) and the note in *note. */
static uint32_t load(struct fixture *f, char **note, svc_error **err)
{
    struct svc_machine_settings s;
    if (svc_machine_settings_load(f->path, &s, note, err) < 0)
        return 0;
    uint32_t mem = s.memory_mib;
    svc_settings_clear(&s);
    return mem;
}

START_TEST(write_keeps_prev_and_leaves_no_tmp)
{
    struct fixture f;
    setup(&f);
    ck_assert_int_eq(svc_atomic_write(f.path, f.old_xml, f.old_len, 0600, NULL), 0);
    ck_assert(!svc_test_exists(f.prev));
    ck_assert_int_eq(svc_atomic_write(f.path, f.new_xml, f.new_len, 0600, NULL), 0);
    ck_assert(!svc_test_exists(f.tmp));
    char *prev = svc_test_read(f.prev, NULL), *cur = svc_test_read(f.path, NULL);
    ck_assert_str_eq(prev, f.old_xml);
    ck_assert_str_eq(cur, f.new_xml);
    struct stat st;
    ck_assert_int_eq(stat(f.path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    free(prev);
    free(cur);
    teardown(&f);
}
END_TEST

START_TEST(only_tmp_recovers)
{
    struct fixture f;
    setup(&f);
    /* only a complete -tmp is left (e.g. the first save was interrupted before its rename) */
    svc_test_write(f.tmp, f.new_xml, f.new_len);
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, NULL), 512);
    ck_assert_ptr_nonnull(note);
    ck_assert_ptr_nonnull(strstr(note, "was missing"));
    ck_assert_ptr_nonnull(strstr(note, "recovered from"));
    ck_assert_ptr_nonnull(strstr(note, "vm.vireo-tmp"));
    free(note);
    /* the file is back in place, so the next load is plain */
    char *cur = svc_test_read(f.path, NULL);
    ck_assert_str_eq(cur, f.new_xml);
    free(cur);
    ck_assert(!svc_test_exists(f.tmp));
    ck_assert_uint_eq(load(&f, &note, NULL), 512);
    ck_assert_ptr_null(note);
    teardown(&f);
}
END_TEST

START_TEST(only_prev_recovers)
{
    struct fixture f;
    setup(&f);
    svc_test_write(f.prev, f.old_xml, f.old_len);
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, NULL), f.old_s.memory_mib);
    ck_assert_ptr_nonnull(strstr(note, "recovered from"));
    ck_assert_ptr_nonnull(strstr(note, "vm.vireo-prev"));
    free(note);
    ck_assert(svc_test_exists(f.path));
    teardown(&f);
}
END_TEST

START_TEST(truncated_main_recovers_from_prev_and_keeps_it)
{
    struct fixture f;
    setup(&f);
    svc_test_write(f.prev, f.old_xml, f.old_len);
    svc_test_write(f.path, f.new_xml, f.new_len / 2);
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, NULL), f.old_s.memory_mib);
    ck_assert_ptr_nonnull(note);
    /* the note carries the main file's own error, with its name and line */
    ck_assert_msg(strstr(note, "vm.vireo:") && strstr(note, "was unreadable"), "%s", note);
    ck_assert_ptr_nonnull(strstr(note, "kept as"));
    free(note);
    size_t blen;
    char *broken = svc_test_read(f.broken, &blen);
    ck_assert_ptr_nonnull(broken);
    ck_assert_uint_eq(blen, f.new_len / 2);
    free(broken);
    teardown(&f);
}
END_TEST

START_TEST(truncated_main_without_backup_fails_with_line)
{
    struct fixture f;
    setup(&f);
    svc_test_write(f.path, f.new_xml, f.new_len / 2);
    svc_error *err = NULL;
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, &err), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->code, SVC_E_XML_ERROR);
    ck_assert_msg(strstr(err->message, f.path) && strstr(err->message, ".vireo:"), "%s",
                  err->message);
    svc_error_free(err);
    teardown(&f);
}
END_TEST

START_TEST(nothing_at_all_is_a_file_error)
{
    struct fixture f;
    setup(&f);
    svc_error *err = NULL;
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, &err), 0);
    ck_assert_int_eq(err->code, SVC_E_FILE_ERROR);
    ck_assert_ptr_nonnull(strstr(err->message, "No such file"));
    svc_error_free(err);
    teardown(&f);
}
END_TEST

/* Replay each instant of a save of new over old and check that a load then gives old or
 * new, never an error: tmp partly written (every length), tmp complete, -prev linked,
 * renamed; and the rename fallback's window (no main file). */
START_TEST(every_crash_instant_loads)
{
    struct fixture f;
    setup(&f);
    size_t step = f.new_len / 40 + 1;
    for (size_t n = 0;; n += step) {
        if (n > f.new_len)
            n = f.new_len;
        svc_test_rmtree(f.dir);
        mkdir(f.dir, 0700);
        svc_test_write(f.path, f.old_xml, f.old_len);
        svc_test_write(f.tmp, f.new_xml, n); /* crash while writing -tmp */
        char *note = NULL;
        ck_assert_uint_eq(load(&f, &note, NULL), f.old_s.memory_mib);
        ck_assert_ptr_null(note);
        ck_assert(!svc_test_exists(f.tmp)); /* the stale -tmp is cleared */
        if (n == f.new_len)
            break;
    }
    /* -prev linked, rename not done */
    svc_test_write(f.path, f.old_xml, f.old_len);
    svc_test_write(f.prev, f.old_xml, f.old_len);
    svc_test_write(f.tmp, f.new_xml, f.new_len);
    char *note = NULL;
    ck_assert_uint_eq(load(&f, &note, NULL), f.old_s.memory_mib);
    /* renamed, directory not synced yet: both names present */
    svc_test_write(f.path, f.new_xml, f.new_len);
    ck_assert_uint_eq(load(&f, &note, NULL), 512);
    ck_assert_ptr_null(note);
    /* fallback window: main renamed to -prev, -tmp complete, no main */
    remove(f.path);
    svc_test_write(f.tmp, f.new_xml, f.new_len);
    ck_assert_uint_eq(load(&f, &note, NULL), 512);
    ck_assert_ptr_nonnull(note);
    free(note);
    teardown(&f);
}
END_TEST

START_TEST(remove_deletes_companions)
{
    struct fixture f;
    setup(&f);
    svc_test_write(f.path, "a", 1);
    svc_test_write(f.prev, "a", 1);
    svc_test_write(f.tmp, "a", 1);
    svc_test_write(f.broken, "a", 1);
    ck_assert_int_eq(svc_atomic_remove(f.path, NULL), 0);
    ck_assert(!svc_test_exists(f.path) && !svc_test_exists(f.prev));
    ck_assert(!svc_test_exists(f.tmp) && !svc_test_exists(f.broken));
    ck_assert_int_eq(svc_atomic_remove(f.path, NULL), 0); /* nothing left is fine */
    teardown(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svc_atomic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, write_keeps_prev_and_leaves_no_tmp);
    tcase_add_test(tc, only_tmp_recovers);
    tcase_add_test(tc, only_prev_recovers);
    tcase_add_test(tc, truncated_main_recovers_from_prev_and_keeps_it);
    tcase_add_test(tc, truncated_main_without_backup_fails_with_line);
    tcase_add_test(tc, nothing_at_all_is_a_file_error);
    tcase_add_test(tc, every_crash_instant_loads);
    tcase_add_test(tc, remove_deletes_companions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

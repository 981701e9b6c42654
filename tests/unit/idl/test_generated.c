/* Generator tests on the output for tests/data/idl/small.xidl: the naming formula, the
 * member tables and the introspection text are exactly what docs/api-mapping.md says. The
 * names used here must exist with these types for this file to compile at all. */
#include <check.h>
#include <string.h>

#include "tests/unit/idl/gen/small.h"

/* Server-side signatures, checked by assignment to the ops table. */
static int take_snapshot(vireo_object *self, vireo_call *call, const char *name, vireo_error **errp)
{
    return vsmall_machine_complete_take_snapshot(call, "/p", "/s");
}

static int get_os_type_id(vireo_object *self, char **ret, vireo_error **errp)
{
    return 0;
}

static int set_memory_size(vireo_object *self, uint32_t v, vireo_error **errp)
{
    return 0;
}

static const vsmall_machine_ops ops = {
    .get_os_type_id = get_os_type_id,
    .set_memory_size = set_memory_size,
    .take_snapshot = take_snapshot,
};

/* Client-side signatures, checked by taking their addresses with the expected types. */
static int (*const call_fn)(vireo_proxy *, const char *, char **, char **,
                            vireo_error **) = vsmall_machine_call_take_snapshot;
static int (*const emit_fn)(vireo_bus *, const char *,
                            vsmall_machine_state) = vsmall_machine_emit_state_changed;
static int (*const get_fn)(vireo_proxy *, uint32_t *,
                           vireo_error **) = vsmall_machine_get_memory_size;
static int (*const set_fn)(vireo_proxy *, uint32_t,
                           vireo_error **) = vsmall_machine_set_memory_size;
static int (*const notify_fn)(vireo_bus *, const char *) = vsmall_machine_notify_memory_size;

START_TEST(names_follow_the_formula)
{
    ck_assert_ptr_nonnull(ops.take_snapshot);
    ck_assert_ptr_nonnull(call_fn);
    ck_assert_ptr_nonnull(emit_fn);
    ck_assert_ptr_nonnull(get_fn);
    ck_assert_ptr_nonnull(set_fn);
    ck_assert_ptr_nonnull(notify_fn);
    ck_assert_int_eq(VSMALL_MACHINE_STATE_RUNNING, 5);
    ck_assert_int_eq(VSMALL_MACHINE_STATE_POWERED_OFF, 1);
    ck_assert_uint_eq(VSMALL_RESULT_INVALID_VM_STATE, 0x80bb0003u);
    ck_assert_str_eq(VSMALL_ERROR_INVALID_VM_STATE, "org.vireo.Small1.Error.InvalidVMState");
    ck_assert_str_eq(VSMALL_MACHINE_INTERFACE, "org.vireo.Small1.Machine");
    ck_assert_str_eq(VSMALL_MACHINE_IID, "5c8d8e1a-7b0e-4a0c-9d55-3d0f4e3a9b03");
    ck_assert_str_eq(VSMALL_MACHINE_COLLECTION, "machine");
    ck_assert_str_eq(VSMALL_BUS_NAME, "org.vireo.Small1");
    ck_assert_str_eq(VSMALL_ROOT_PATH, "/org/vireo/Small1");
    ck_assert_str_eq(vsmall_machine_state_to_string(VSMALL_MACHINE_STATE_RUNNING), "Running");
    ck_assert_ptr_null(vsmall_machine_state_to_string(2));
}
END_TEST

START_TEST(member_table)
{
    const vireo_interface_info *i = &vsmall_machine_interface;
    const vireo_member *m;

    ck_assert_str_eq(i->name, "org.vireo.Small1.Machine");
    ck_assert_str_eq(i->idl_name, "IMachine");
    ck_assert_ptr_eq(i->library, &vsmall_library);
    ck_assert_uint_eq(i->n_members, 4);
    m = vireo_interface_find_member(i, VIREO_MEMBER_METHOD, "TakeSnapshot");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->signature, "s");
    ck_assert_str_eq(m->out_signature, "oo");
    m = vireo_interface_find_member(i, VIREO_MEMBER_PROPERTY, "OSTypeId");
    ck_assert(m && !strcmp(m->signature, "s") && !(m->flags & VIREO_MEMBER_WRITABLE) && m->get &&
              !m->set);
    m = vireo_interface_find_member(i, VIREO_MEMBER_PROPERTY, "MemorySize");
    ck_assert(m && !strcmp(m->signature, "u") && (m->flags & VIREO_MEMBER_WRITABLE) && m->set);
    m = vireo_interface_find_member(i, VIREO_MEMBER_SIGNAL, "StateChanged");
    ck_assert(m && !strcmp(m->signature, "u"));
    ck_assert_uint_eq(vsmall_library.n_results, 1);
    ck_assert_str_eq(vsmall_library.results[0].error, VSMALL_ERROR_INVALID_VM_STATE);
}
END_TEST

START_TEST(introspection_text)
{
    const char *x = vsmall_machine_interface.introspection;

    ck_assert_ptr_nonnull(strstr(x, "<interface name=\"org.vireo.Small1.Machine\">"));
    ck_assert_ptr_nonnull(strstr(x, "<annotation name=\"org.gtk.GDBus.DocString\" "
                                    "value=\"A machine &quot;with quotes&quot; and "
                                    "&lt;brackets&gt;.\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<method name=\"TakeSnapshot\">"));
    ck_assert_ptr_nonnull(strstr(x, "<arg name=\"snapshot\" type=\"o\" direction=\"out\">"));
    ck_assert_ptr_nonnull(strstr(x, "<annotation name=\"org.vireo.Idl.Raises\" "
                                    "value=\"org.vireo.Small1.Error.InvalidVMState\"/>"));
    ck_assert_ptr_nonnull(
        strstr(x, "<property name=\"MemorySize\" type=\"u\" access=\"readwrite\">"));
    ck_assert_ptr_nonnull(strstr(x, "<property name=\"OSTypeId\" type=\"s\" access=\"read\">"));
    ck_assert_ptr_nonnull(strstr(x, "<annotation name=\"org.vireo.Idl.Since\" value=\"2\"/>"));
    ck_assert_ptr_nonnull(
        strstr(x, "<annotation name=\"org.vireo.Idl.Enum\" value=\"PoweredOff=1,Running=5\"/>"));
    ck_assert_ptr_nonnull(strstr(x, "<signal name=\"StateChanged\">"));
    /* The base interface is separate; an object implementing IMachine lists both. */
    ck_assert_ptr_null(strstr(x, "\"Name\""));
    ck_assert_ptr_nonnull(strstr(vsmall_base_interface.introspection, "<property name=\"Name\""));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("idlc-generated");
    TCase *tc = tcase_create("small");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, names_follow_the_formula);
    tcase_add_test(tc, member_table);
    tcase_add_test(tc, introspection_text);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Unit tests: error info, error mapping between D-Bus names and result codes, the object
 * base (refcount, QueryInterface) and the object path scheme. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "idl/test/test.h"

START_TEST(first_error_wins)
{
    vireo_error *err = NULL;

    vireo_error_set(&err, VTEST_RESULT_BUSY, VTEST_ERROR_BUSY, "first %d", 1);
    vireo_error_set(&err, VTEST_RESULT_NOT_FOUND, VTEST_ERROR_NOT_FOUND, "second");
    ck_assert_uint_eq(err->code, VTEST_RESULT_BUSY);
    ck_assert_str_eq(err->name, "org.vireo.Test1.Error.Busy");
    ck_assert_str_eq(err->message, "first 1");
    vireo_error_prepend(err, "machine %s", "m1");
    ck_assert_str_eq(err->message, "machine m1: first 1");
    vireo_error_set(NULL, 1, "x.y", "ignored"); /* callers that do not care pass NULL */
    vireo_error_free(err);
}
END_TEST

START_TEST(errno_mapping)
{
    vireo_error *err = NULL;

    ck_assert_int_eq(vireo_error_set_errno(&err, -EINVAL, "size"), -EINVAL);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_INVALID_ARGS);
    ck_assert_uint_eq(err->code, VIREO_E_INVALID_ARGS);
    ck_assert_str_eq(err->message, "size: Invalid argument");
    ck_assert_int_eq(vireo_error_to_errno(err), -EINVAL);
    vireo_error_free(err);
    err = NULL;
    vireo_error_set_errno(&err, -ENOMEM, NULL);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_NO_MEMORY);
    vireo_error_free(err);
    err = NULL;
    vireo_error_set_errno(&err, -EIO, "disk");
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_FAILED);
    ck_assert_uint_eq(err->code, VIREO_E_FAILED);
    vireo_error_free(err);
    err = NULL;
    ck_assert_int_eq(vireo_error_not_implemented(&err, "IMachine.x"), -EOPNOTSUPP);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_NOT_SUPPORTED);
    vireo_error_free(err);
}
END_TEST

START_TEST(names_map_to_codes)
{
    /* Library results first, then the standard names, then Failed. */
    ck_assert_uint_eq(vireo_error_code_for_name(vtest_library.results, vtest_library.n_results,
                                                "org.vireo.Test1.Error.NotFound"),
                      0x80bb0001u);
    ck_assert_uint_eq(vireo_error_code_for_name(vtest_library.results, vtest_library.n_results,
                                                VIREO_DBUS_ERROR_UNKNOWN_METHOD),
                      VIREO_E_NOT_SUPPORTED);
    ck_assert_uint_eq(vireo_error_code_for_name(NULL, 0, "org.example.Whatever"), VIREO_E_FAILED);
    ck_assert_uint_eq(vireo_error_code_for_name(NULL, 0, "org.vireo.Test1.Error.NotFound"),
                      VIREO_E_FAILED);
}
END_TEST

/* The two places errors cross the bus: an error reply made from error info, and error info
 * made from that reply, give back the same code, name and message. */
START_TEST(error_survives_the_wire)
{
    DBusMessage *call = dbus_message_new_method_call("org.vireo.Test1", "/x", "a.b", "M");
    DBusMessage *reply;
    vireo_error *err = NULL, *back;

    dbus_message_set_serial(call, 5);
    vireo_error_set(&err, VTEST_RESULT_NOT_FOUND, VTEST_ERROR_NOT_FOUND, "no machine 'x'");
    reply = dbus_message_new_error(call, err->name, err->message);
    back = vireo_error_from_message(reply, &vtest_library);
    ck_assert_uint_eq(back->code, err->code);
    ck_assert_str_eq(back->name, err->name);
    ck_assert_str_eq(back->message, err->message);
    vireo_error_free(back);
    back = NULL;
    ck_assert_int_lt(vireo_proxy_check_reply(reply, &vtest_everything_interface, "", &back), 0);
    ck_assert_uint_eq(back->code, VTEST_RESULT_NOT_FOUND);
    vireo_error_free(back);
    vireo_error_free(err);
    dbus_message_unref(reply);
    /* A reply of the wrong shape is a protocol error. */
    reply = dbus_message_new_method_return(call);
    back = NULL;
    ck_assert_int_eq(vireo_proxy_check_reply(reply, &vtest_everything_interface, "s", &back),
                     -EPROTO);
    ck_assert_str_eq(back->name, VIREO_DBUS_ERROR_INVALID_ARGS);
    vireo_error_free(back);
    dbus_message_unref(reply);
    dbus_message_unref(call);
}
END_TEST

typedef struct counted {
    vireo_object base;
    int *destroyed;
} counted;

static void counted_destroy(vireo_object *o)
{
    counted *c = (counted *)o;
    (*c->destroyed)++;
    free(c);
}

static const vtest_extra_ops extra_ops = {0};
static const vtest_everything_ops everything_ops = {0};
static const vireo_object_iface two_ifaces[] = {
    {&vtest_everything_interface, &everything_ops},
    {&vtest_extra_interface, &extra_ops},
};
static const vireo_object_class counted_class = {"counted", two_ifaces, 2, counted_destroy};

START_TEST(refcount_and_query_interface)
{
    int destroyed = 0;
    counted *c = calloc(1, sizeof(*c));

    c->destroyed = &destroyed;
    vireo_object_init(&c->base, &counted_class);
    ck_assert_ptr_eq(vireo_object_ref(&c->base), &c->base);
    ck_assert_ptr_eq(vtest_everything_query(&c->base), &everything_ops);
    ck_assert_ptr_eq(vireo_object_query_interface(&c->base, "7D5E0B8E-3A1C-4F37-9A53-2B6F4D1C0E02"),
                     &extra_ops);
    ck_assert_ptr_null(vireo_object_query_interface(&c->base, VTEST_COLOR_UUID));
    ck_assert_ptr_eq(vireo_object_find_iface(&c->base, VTEST_EXTRA_INTERFACE)->ops, &extra_ops);
    ck_assert_ptr_null(vireo_object_unref(&c->base));
    ck_assert_int_eq(destroyed, 0);
    vireo_object_unref(&c->base);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_ptr_null(vireo_object_unref(NULL));
}
END_TEST

START_TEST(path_scheme)
{
    char *p =
        vireo_path_for_uuid(VTEST_ROOT_PATH, "everything", "6F0C1D2E-AAAA-4BBB-8CCC-0123456789AB");
    char *u = vireo_path_to_uuid(p);

    ck_assert_str_eq(p, "/org/vireo/Test1/everything/6f0c1d2e_aaaa_4bbb_8ccc_0123456789ab");
    ck_assert_str_eq(u, "6f0c1d2e-aaaa-4bbb-8ccc-0123456789ab");
    ck_assert_ptr_null(vireo_path_for_uuid(VTEST_ROOT_PATH, "everything", "../../etc"));
    ck_assert_ptr_null(vireo_path_to_uuid("/org/vireo/Test1"));
    free(p);
    free(u);
}
END_TEST

START_TEST(enum_helpers)
{
    ck_assert(vtest_color_is_valid(VTEST_COLOR_BLUE));
    ck_assert(!vtest_color_is_valid(3));
    ck_assert_str_eq(vtest_color_to_string(VTEST_COLOR_GREEN), "Green");
    ck_assert_ptr_null(vtest_color_to_string(0));
}
END_TEST

Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("mapping");

    tcase_add_test(tc, first_error_wins);
    tcase_add_test(tc, errno_mapping);
    tcase_add_test(tc, names_map_to_codes);
    tcase_add_test(tc, error_survives_the_wire);
    tcase_add_test(tc, refcount_and_query_interface);
    tcase_add_test(tc, path_scheme);
    tcase_add_test(tc, enum_helpers);
    suite_add_tcase(s, tc);
    return s;
}

/* Unit tests: marshalling of every IDL type through a real D-Bus message (serialized and
 * parsed back, so the wire form is exercised), its limits and its refusals. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "component/marshal.h"

/* A message with what `fill` appended, serialized to bytes and parsed again. */
static DBusMessage *round_trip(DBusMessage *m)
{
    char *blob = NULL;
    int len = 0;
    DBusMessage *back;

    DBusError de;

    dbus_error_init(&de);
    dbus_message_set_serial(m, 1); /* a message on the wire always has one */
    ck_assert(dbus_message_marshal(m, &blob, &len));
    back = dbus_message_demarshal(blob, len, &de);
    ck_assert_msg(back != NULL, "demarshal: %s", de.message);
    dbus_free(blob);
    dbus_message_unref(m);
    return back;
}

static DBusMessage *new_msg(DBusMessageIter *it)
{
    DBusMessage *m = dbus_message_new_method_call("org.x.Y", "/a", "org.x.Y", "M");
    ck_assert_ptr_nonnull(m);
    dbus_message_iter_init_append(m, it);
    return m;
}

START_TEST(scalars_round_trip)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    bool b = true, rb = false;
    uint8_t y = 0xfe, ry = 0;
    int16_t n = INT16_MIN, rn = 0;
    uint16_t q = UINT16_MAX, rq = 0;
    int32_t i = INT32_MIN, ri = 0;
    uint32_t u = UINT32_MAX, ru = 0, e = 4, re = 0;
    int64_t x = INT64_MIN, rx = 0;
    uint64_t t = UINT64_MAX, rt = 0;
    double d = -0.0, rd = 1;
    const char *s = "grüße", *id = "0A1B2C3D-0000-4000-8000-0000000000FF", *o = "/org/x";
    char *rs = NULL, *rid = NULL, *ro = NULL;
    vireo_error *err = NULL;

    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_BOOLEAN, &b), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_OCTET, &y), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_INT16, &n), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UINT16, &q), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_INT32, &i), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UINT32, &u), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_INT64, &x), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UINT64, &t), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_DOUBLE, &d), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_STRING, &s), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UUID, &id), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UINT32, &e), 0); /* an enum */
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_OBJECT, &o), 0);
    m = round_trip(m);
    ck_assert_str_eq(dbus_message_get_signature(m), "bynqiuxtdssuo");
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_BOOLEAN, &rb, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_OCTET, &ry, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_INT16, &rn, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UINT16, &rq, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_INT32, &ri, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UINT32, &ru, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_INT64, &rx, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UINT64, &rt, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_DOUBLE, &rd, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_STRING, &rs, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UUID, &rid, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UINT32, &re, &err), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_OBJECT, &ro, &err), 0);
    ck_assert_int_eq(vireo_marshal_read_end(&it, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert(rb == b && ry == y && rn == n && rq == q && ri == i && ru == u);
    ck_assert(rx == x && rt == t && rd == 0 && signbit(rd) && re == e);
    ck_assert_str_eq(rs, s);
    ck_assert_str_eq(rid, "0a1b2c3d-0000-4000-8000-0000000000ff"); /* canonical lower case */
    ck_assert_str_eq(ro, o);
    free(rs);
    free(rid);
    free(ro);
    dbus_message_unref(m);
}
END_TEST

START_TEST(null_strings_have_defined_forms)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    const char *null = NULL;
    char *s = NULL, *o = NULL, *id = NULL;

    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_STRING, &null), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_OBJECT, &null), 0);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UUID, &null), 0);
    m = round_trip(m);
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_STRING, &s, NULL), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_OBJECT, &o, NULL), 0);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_UUID, &id, NULL), 0);
    ck_assert_str_eq(s, "");
    ck_assert_str_eq(o, "/");
    ck_assert_str_eq(id, VIREO_NIL_UUID);
    free(s);
    free(o);
    free(id);
    dbus_message_unref(m);
}
END_TEST

/* Every array type, with an empty array after each to check empty arrays too. */
START_TEST(arrays_round_trip)
{
    static const vireo_type types[] = {VIREO_TYPE_BOOLEAN, VIREO_TYPE_OCTET,  VIREO_TYPE_INT16,
                                       VIREO_TYPE_UINT16,  VIREO_TYPE_INT32,  VIREO_TYPE_UINT32,
                                       VIREO_TYPE_INT64,   VIREO_TYPE_UINT64, VIREO_TYPE_DOUBLE,
                                       VIREO_TYPE_STRING,  VIREO_TYPE_UUID,   VIREO_TYPE_OBJECT};
    const bool b[] = {true, false, true};
    const uint8_t y[] = {0, 255, 7};
    const int16_t n[] = {-1, 0, 1};
    const uint16_t q[] = {0, 65535, 2};
    const int32_t i[] = {INT32_MIN, 0, INT32_MAX};
    const uint32_t u[] = {0, 1, UINT32_MAX};
    const int64_t x[] = {INT64_MIN, 0, INT64_MAX};
    const uint64_t t[] = {0, 1, UINT64_MAX};
    const double d[] = {1.5, -2.25, 1e308};
    const char *const s[] = {"", "a", "ü"};
    const char *const id[] = {VIREO_NIL_UUID, "ffffffff-ffff-ffff-ffff-ffffffffffff",
                              "01234567-89ab-cdef-0123-456789abcdef"};
    const char *const o[] = {"/", "/a/b", "/c"};
    const void *items[] = {b, y, n, q, i, u, x, t, d, s, id, o};
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);

    for (size_t k = 0; k < 12; k++) {
        ck_assert_int_eq(vireo_marshal_append_array(&it, types[k], items[k], 3), 0);
        ck_assert_int_eq(vireo_marshal_append_array(&it, types[k], NULL, 0), 0);
    }
    m = round_trip(m);
    ck_assert_str_eq(dbus_message_get_signature(m), "abab"
                                                    "ayay"
                                                    "anan"
                                                    "aqaq"
                                                    "aiai"
                                                    "auau"
                                                    "axax"
                                                    "atat"
                                                    "adad"
                                                    "asas"
                                                    "asas"
                                                    "aoao");
    dbus_message_iter_init(m, &it);
    for (size_t k = 0; k < 12; k++) {
        void *got = NULL, *empty = NULL;
        size_t n_got = 0, n_empty = 9;
        ck_assert_int_eq(vireo_marshal_read_array(&it, types[k], &got, &n_got, NULL), 0);
        ck_assert_int_eq(vireo_marshal_read_array(&it, types[k], &empty, &n_empty, NULL), 0);
        ck_assert_uint_eq(n_got, 3);
        ck_assert_uint_eq(n_empty, 0);
        if (types[k] == VIREO_TYPE_STRING || types[k] == VIREO_TYPE_UUID ||
            types[k] == VIREO_TYPE_OBJECT)
            for (int j = 0; j < 3; j++)
                ck_assert_str_eq(((char **)got)[j], ((const char *const *)items[k])[j]);
        else
            ck_assert_mem_eq(got, items[k], 3 * vireo_type_size(types[k]));
        vireo_marshal_free_array(types[k], got, n_got);
        vireo_marshal_free_array(types[k], empty, n_empty);
    }
    ck_assert_int_eq(vireo_marshal_read_end(&it, NULL), 0);
    dbus_message_unref(m);
}
END_TEST

START_TEST(fds_are_duplicated)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    int p[2], got = -1, *arr = NULL, two[2];
    size_t n = 0;
    char c = 0;

    ck_assert_int_eq(pipe(p), 0);
    two[0] = p[0];
    two[1] = p[1];
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_FD, &p[0]), 0);
    ck_assert_int_eq(vireo_marshal_append_array(&it, VIREO_TYPE_FD, two, 2), 0);
    ck_assert_str_eq(dbus_message_get_signature(m), "hah");
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read(&it, VIREO_TYPE_FD, &got, NULL), 0);
    ck_assert_int_eq(vireo_marshal_read_array(&it, VIREO_TYPE_FD, &arr, &n, NULL), 0);
    ck_assert_uint_eq(n, 2);
    /* Each is a new descriptor of the same pipe. */
    ck_assert(got != p[0] && arr[0] != p[0] && arr[1] != p[1]);
    ck_assert_int_eq(write(arr[1], "z", 1), 1);
    ck_assert_int_eq(read(got, &c, 1), 1);
    ck_assert_int_eq(c, 'z');
    vireo_marshal_free(VIREO_TYPE_FD, &got);
    ck_assert_int_eq(got, -1);
    vireo_marshal_free_array(VIREO_TYPE_FD, arr, n);
    close(p[0]);
    close(p[1]);
    dbus_message_unref(m);
}
END_TEST

START_TEST(variants)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    uint32_t v = 9, rv = 0;
    const char *const names[] = {"a", "b"};
    char **rn = NULL;
    size_t n = 0;
    vireo_error *err = NULL;

    ck_assert_int_eq(vireo_marshal_append_variant(&it, VIREO_TYPE_UINT32, &v), 0);
    ck_assert_int_eq(vireo_marshal_append_variant_array(&it, VIREO_TYPE_STRING, names, 2), 0);
    ck_assert_int_eq(vireo_marshal_append_variant(&it, VIREO_TYPE_UINT32, &v), 0);
    m = round_trip(m);
    ck_assert_str_eq(dbus_message_get_signature(m), "vvv");
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read_variant(&it, VIREO_TYPE_UINT32, &rv, NULL), 0);
    ck_assert_int_eq(vireo_marshal_read_variant_array(&it, VIREO_TYPE_STRING, &rn, &n, NULL), 0);
    ck_assert_uint_eq(rv, 9);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rn[1], "b");
    vireo_strv_free(rn, n);
    /* A variant holding another type is refused. */
    ck_assert_int_eq(vireo_marshal_read_variant(&it, VIREO_TYPE_INT32, &rv, &err), -EINVAL);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_INVALID_ARGS);
    vireo_error_free(err);
    dbus_message_unref(m);
}
END_TEST

START_TEST(invalid_values_are_not_sent)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    const char *bad_utf8 = "\xff\xfe", *bad_path = "no/slash", *bad_uuid = "1234";
    const char *const strs[] = {"ok", bad_utf8};
    int closed = 1000;

    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_STRING, &bad_utf8), -EINVAL);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_OBJECT, &bad_path), -EINVAL);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_UUID, &bad_uuid), -EINVAL);
    ck_assert_int_eq(vireo_marshal_append(&it, VIREO_TYPE_FD, &closed), -EINVAL);
    ck_assert_int_eq(vireo_marshal_append_array(&it, VIREO_TYPE_STRING, strs, 2), -EINVAL);
    /* Nothing half-written stays behind. */
    ck_assert_str_eq(dbus_message_get_signature(m), "");
    dbus_message_unref(m);
}
END_TEST

static void expect_read_error(DBusMessage *m, vireo_type t, bool array, const char *needle)
{
    DBusMessageIter it;
    vireo_error *err = NULL;
    void *v = NULL;
    size_t n = 0;
    int r;

    dbus_message_iter_init(m, &it);
    r = array ? vireo_marshal_read_array(&it, t, &v, &n, &err)
              : vireo_marshal_read(&it, t, &v, &err);
    ck_assert_int_eq(r, -EINVAL);
    ck_assert_ptr_nonnull(err);
    ck_assert_uint_eq(err->code, VIREO_E_INVALID_ARGS);
    ck_assert_str_eq(err->name, VIREO_DBUS_ERROR_INVALID_ARGS);
    ck_assert_msg(strstr(err->message, needle), "message '%s' lacks '%s'", err->message, needle);
    ck_assert_ptr_null(v);
    vireo_error_free(err);
}

START_TEST(hostile_input_is_refused)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    const char *bad_uuid = "0a1b2c3d-0000-4000-8000-00000000000g";
    uint32_t u = 1;

    dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &bad_uuid);
    expect_read_error(m, VIREO_TYPE_UUID, false, "malformed uuid");
    expect_read_error(m, VIREO_TYPE_UINT32, false, "type 'u' expected");
    expect_read_error(m, VIREO_TYPE_STRING, true, "type 'a' expected");
    dbus_message_unref(m);
    m = new_msg(&it);
    expect_read_error(m, VIREO_TYPE_INT32, false, "missing argument");
    dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &u);
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read_end(&it, NULL), -EINVAL); /* too many arguments */
    dbus_message_unref(m);
}
END_TEST

START_TEST(array_limits)
{
    DBusMessageIter it;
    DBusMessage *m = new_msg(&it);
    uint32_t *big = calloc(VIREO_MARSHAL_MAX_ELEMENTS + 1, sizeof(uint32_t));
    uint8_t *blob = calloc(VIREO_MARSHAL_MAX_OCTETS + 1, 1);
    const char **strs = calloc(VIREO_MARSHAL_MAX_ELEMENTS + 1, sizeof(char *));
    void *got = NULL;
    size_t n = 0;

    ck_assert(big && blob && strs);
    for (size_t i = 0; i <= VIREO_MARSHAL_MAX_ELEMENTS; i++)
        strs[i] = "";
    /* At the limit: accepted. */
    ck_assert_int_eq(
        vireo_marshal_append_array(&it, VIREO_TYPE_UINT32, big, VIREO_MARSHAL_MAX_ELEMENTS), 0);
    dbus_message_iter_init(m, &it);
    ck_assert_int_eq(vireo_marshal_read_array(&it, VIREO_TYPE_UINT32, &got, &n, NULL), 0);
    ck_assert_uint_eq(n, VIREO_MARSHAL_MAX_ELEMENTS);
    free(got);
    dbus_message_unref(m);
    /* One over: refused, for fixed and for variable-size elements and for octets. */
    m = new_msg(&it);
    vireo_marshal_append_array(&it, VIREO_TYPE_UINT32, big, VIREO_MARSHAL_MAX_ELEMENTS + 1);
    expect_read_error(m, VIREO_TYPE_UINT32, true, "longer than the limit");
    dbus_message_unref(m);
    m = new_msg(&it);
    vireo_marshal_append_array(&it, VIREO_TYPE_STRING, strs, VIREO_MARSHAL_MAX_ELEMENTS + 1);
    expect_read_error(m, VIREO_TYPE_STRING, true, "longer than the limit");
    dbus_message_unref(m);
    m = new_msg(&it);
    vireo_marshal_append_array(&it, VIREO_TYPE_OCTET, blob, VIREO_MARSHAL_MAX_OCTETS + 1);
    expect_read_error(m, VIREO_TYPE_OCTET, true, "longer than the limit");
    dbus_message_unref(m);
    free(big);
    free(blob);
    free(strs);
}
END_TEST

Suite *marshal_suite(void)
{
    Suite *s = suite_create("marshal");
    TCase *tc = tcase_create("types");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, scalars_round_trip);
    tcase_add_test(tc, null_strings_have_defined_forms);
    tcase_add_test(tc, arrays_round_trip);
    tcase_add_test(tc, fds_are_duplicated);
    tcase_add_test(tc, variants);
    tcase_add_test(tc, invalid_values_are_not_sent);
    tcase_add_test(tc, hostile_input_is_refused);
    tcase_add_test(tc, array_limits);
    suite_add_tcase(s, tc);
    return s;
}

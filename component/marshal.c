/* D-Bus marshalling of every IDL type (see marshal.h). */
#include "component/marshal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char vireo_type_dbus_char(vireo_type t)
{
    return t == VIREO_TYPE_UUID ? 's' : (char)t;
}

size_t vireo_type_size(vireo_type t)
{
    switch (t) {
    case VIREO_TYPE_BOOLEAN: return sizeof(bool);
    case VIREO_TYPE_OCTET: return 1;
    case VIREO_TYPE_INT16:
    case VIREO_TYPE_UINT16: return 2;
    case VIREO_TYPE_INT32:
    case VIREO_TYPE_UINT32: return 4;
    case VIREO_TYPE_INT64:
    case VIREO_TYPE_UINT64: return 8;
    case VIREO_TYPE_DOUBLE: return sizeof(double);
    case VIREO_TYPE_FD: return sizeof(int);
    case VIREO_TYPE_STRING:
    case VIREO_TYPE_UUID:
    case VIREO_TYPE_OBJECT: return sizeof(char *);
    }
    return 0;
}

static bool type_is_fixed(vireo_type t)
{
    return strchr("ynqiuxtd", (char)t) != NULL;
}

bool vireo_uuid_is_valid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* The wire form of a string-like value, or NULL if it cannot be sent. */
static const char *string_wire(vireo_type t, const char *s)
{
    switch (t) {
    case VIREO_TYPE_STRING:
        if (!s)
            return "";
        return dbus_validate_utf8(s, NULL) ? s : NULL;
    case VIREO_TYPE_OBJECT:
        if (!s)
            return "/";
        return dbus_validate_path(s, NULL) ? s : NULL;
    case VIREO_TYPE_UUID:
        if (!s)
            return VIREO_NIL_UUID;
        return vireo_uuid_is_valid(s) ? s : NULL;
    default: return NULL;
    }
}

int vireo_marshal_append(DBusMessageIter *it, vireo_type t, const void *value)
{
    int dtype = vireo_type_dbus_char(t);

    switch (t) {
    case VIREO_TYPE_BOOLEAN: {
        dbus_bool_t b = *(const bool *)value ? TRUE : FALSE;
        return dbus_message_iter_append_basic(it, dtype, &b) ? 0 : -ENOMEM;
    }
    case VIREO_TYPE_STRING:
    case VIREO_TYPE_UUID:
    case VIREO_TYPE_OBJECT: {
        const char *s = string_wire(t, *(const char *const *)value);
        if (!s)
            return -EINVAL;
        return dbus_message_iter_append_basic(it, dtype, &s) ? 0 : -ENOMEM;
    }
    case VIREO_TYPE_FD:
        if (fcntl(*(const int *)value, F_GETFD) < 0)
            return -EINVAL;
        return dbus_message_iter_append_basic(it, dtype, value) ? 0 : -ENOMEM;
    default:
        if (!type_is_fixed(t))
            return -EINVAL;
        return dbus_message_iter_append_basic(it, dtype, value) ? 0 : -ENOMEM;
    }
}

static int append_fixed_array(DBusMessageIter *sub, vireo_type elem, const void *items, size_t n)
{
    if (n > INT32_MAX)
        return -EINVAL;
    if (n == 0)
        return 0;
    return dbus_message_iter_append_fixed_array(sub, (int)elem, &items, (int)n) ? 0 : -ENOMEM;
}

static int append_array_items(DBusMessageIter *sub, vireo_type elem, const void *items, size_t n)
{
    size_t size = vireo_type_size(elem);
    int r = 0;

    if (type_is_fixed(elem))
        return append_fixed_array(sub, elem, items, n);
    for (size_t i = 0; i < n && r == 0; i++)
        r = vireo_marshal_append(sub, elem, (const char *)items + i * size);
    return r;
}

int vireo_marshal_append_array(DBusMessageIter *it, vireo_type elem, const void *items, size_t n)
{
    char sig[2] = {vireo_type_dbus_char(elem), 0};
    DBusMessageIter sub;
    int r;

    if (n && !items)
        return -EINVAL;
    if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, sig, &sub))
        return -ENOMEM;
    r = append_array_items(&sub, elem, items, n);
    if (r < 0) {
        dbus_message_iter_abandon_container(it, &sub);
        return r;
    }
    return dbus_message_iter_close_container(it, &sub) ? 0 : -ENOMEM;
}

int vireo_marshal_append_variant(DBusMessageIter *it, vireo_type t, const void *value)
{
    char sig[2] = {vireo_type_dbus_char(t), 0};
    DBusMessageIter sub;
    int r;

    if (!dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, sig, &sub))
        return -ENOMEM;
    r = vireo_marshal_append(&sub, t, value);
    if (r < 0) {
        dbus_message_iter_abandon_container(it, &sub);
        return r;
    }
    return dbus_message_iter_close_container(it, &sub) ? 0 : -ENOMEM;
}

int vireo_marshal_append_variant_array(DBusMessageIter *it, vireo_type elem, const void *items,
                                       size_t n)
{
    char sig[3] = {'a', vireo_type_dbus_char(elem), 0};
    DBusMessageIter sub;
    int r;

    if (!dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, sig, &sub))
        return -ENOMEM;
    r = vireo_marshal_append_array(&sub, elem, items, n);
    if (r < 0) {
        dbus_message_iter_abandon_container(it, &sub);
        return r;
    }
    return dbus_message_iter_close_container(it, &sub) ? 0 : -ENOMEM;
}

static int bad_arg(vireo_error **errp, const char *fmt, const char *detail)
{
    vireo_error_set(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS, fmt, detail);
    return -EINVAL;
}

static int expect_type(DBusMessageIter *it, int want, vireo_error **errp)
{
    int got = dbus_message_iter_get_arg_type(it);
    char w[2] = {(char)want, 0};

    if (got == want)
        return 0;
    if (got == DBUS_TYPE_INVALID)
        return bad_arg(errp, "missing argument of type '%s'", w);
    return bad_arg(errp, "argument of type '%s' expected", w);
}

static int read_string_like(DBusMessageIter *it, vireo_type t, char **ret, vireo_error **errp)
{
    const char *s = NULL;
    char *copy;

    dbus_message_iter_get_basic(it, &s);
    if (t == VIREO_TYPE_UUID && !vireo_uuid_is_valid(s))
        return bad_arg(errp, "malformed uuid '%.40s'", s);
    copy = strdup(s);
    if (!copy)
        return vireo_error_set_errno(errp, -ENOMEM, "string");
    if (t == VIREO_TYPE_UUID)
        for (char *p = copy; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    *ret = copy;
    return 0;
}

int vireo_marshal_read(DBusMessageIter *it, vireo_type t, void *ret, vireo_error **errp)
{
    int r = expect_type(it, vireo_type_dbus_char(t), errp);

    if (r < 0)
        return r;
    switch (t) {
    case VIREO_TYPE_BOOLEAN: {
        dbus_bool_t b = FALSE;
        dbus_message_iter_get_basic(it, &b);
        *(bool *)ret = b != FALSE;
        break;
    }
    case VIREO_TYPE_STRING:
    case VIREO_TYPE_UUID:
    case VIREO_TYPE_OBJECT: r = read_string_like(it, t, ret, errp); break;
    default:
        /* Fixed types and fds: libdbus writes the storage; a fd comes back dup'ed. */
        dbus_message_iter_get_basic(it, ret);
        if (t == VIREO_TYPE_FD && *(int *)ret < 0)
            return bad_arg(errp, "%s", "file descriptor not received");
        break;
    }
    if (r == 0)
        dbus_message_iter_next(it);
    return r;
}

static int read_fixed_array(DBusMessageIter *sub, vireo_type elem, void **ret_items, size_t *ret_n,
                            vireo_error **errp)
{
    const void *data = NULL;
    int n = 0;
    void *copy;

    dbus_message_iter_get_fixed_array(sub, &data, &n);
    if (elem == VIREO_TYPE_OCTET ? (size_t)n > VIREO_MARSHAL_MAX_OCTETS
                                 : (size_t)n > VIREO_MARSHAL_MAX_ELEMENTS)
        return bad_arg(errp, "array of '%s' longer than the limit", (const char[]){(char)elem, 0});
    copy = malloc(n ? (size_t)n * vireo_type_size(elem) : 1);
    if (!copy)
        return vireo_error_set_errno(errp, -ENOMEM, "array");
    if (n)
        memcpy(copy, data, (size_t)n * vireo_type_size(elem));
    *ret_items = copy;
    *ret_n = (size_t)n;
    return 0;
}

static int read_array_items(DBusMessageIter *sub, vireo_type elem, size_t count, void **ret_items,
                            size_t *ret_n, vireo_error **errp)
{
    size_t size = vireo_type_size(elem), i = 0;
    char *items = calloc(count ? count : 1, size);
    int r = 0;

    if (!items)
        return vireo_error_set_errno(errp, -ENOMEM, "array");
    for (; i < count && dbus_message_iter_get_arg_type(sub) != DBUS_TYPE_INVALID; i++) {
        r = vireo_marshal_read(sub, elem, items + i * size, errp);
        if (r < 0)
            break;
    }
    if (r < 0) {
        vireo_marshal_free_array(elem, items, i);
        return r;
    }
    *ret_items = items;
    *ret_n = i;
    return 0;
}

int vireo_marshal_read_array(DBusMessageIter *it, vireo_type elem, void *ret_items, size_t *ret_n,
                             vireo_error **errp)
{
    DBusMessageIter sub;
    char want = vireo_type_dbus_char(elem);
    size_t count;
    int r = expect_type(it, DBUS_TYPE_ARRAY, errp);

    if (r < 0)
        return r;
    if (dbus_message_iter_get_element_type(it) != want)
        return bad_arg(errp, "array of '%s' expected", (const char[]){want, 0});
    dbus_message_iter_recurse(it, &sub);
    if (type_is_fixed(elem)) {
        r = read_fixed_array(&sub, elem, ret_items, ret_n, errp);
    } else {
        count = (size_t)dbus_message_iter_get_element_count(it);
        if (count > VIREO_MARSHAL_MAX_ELEMENTS)
            return bad_arg(errp, "array of '%s' longer than the limit", (const char[]){want, 0});
        r = read_array_items(&sub, elem, count, ret_items, ret_n, errp);
    }
    if (r == 0)
        dbus_message_iter_next(it);
    return r;
}

/* Enter a variant and check its signature is exactly `sig`. */
static int enter_variant(DBusMessageIter *it, DBusMessageIter *sub, const char *sig,
                         vireo_error **errp)
{
    char *got;
    bool ok;
    int r = expect_type(it, DBUS_TYPE_VARIANT, errp);

    if (r < 0)
        return r;
    dbus_message_iter_recurse(it, sub);
    got = dbus_message_iter_get_signature(sub);
    if (!got)
        return vireo_error_set_errno(errp, -ENOMEM, "variant");
    ok = strcmp(got, sig) == 0;
    dbus_free(got);
    if (!ok)
        return bad_arg(errp, "value of type '%s' expected", sig);
    return 0;
}

int vireo_marshal_read_variant(DBusMessageIter *it, vireo_type t, void *ret, vireo_error **errp)
{
    char sig[2] = {vireo_type_dbus_char(t), 0};
    DBusMessageIter sub;
    int r = enter_variant(it, &sub, sig, errp);

    if (r == 0)
        r = vireo_marshal_read(&sub, t, ret, errp);
    if (r == 0)
        dbus_message_iter_next(it);
    return r;
}

int vireo_marshal_read_variant_array(DBusMessageIter *it, vireo_type elem, void *ret_items,
                                     size_t *ret_n, vireo_error **errp)
{
    char sig[3] = {'a', vireo_type_dbus_char(elem), 0};
    DBusMessageIter sub;
    int r = enter_variant(it, &sub, sig, errp);

    if (r == 0)
        r = vireo_marshal_read_array(&sub, elem, ret_items, ret_n, errp);
    if (r == 0)
        dbus_message_iter_next(it);
    return r;
}

int vireo_marshal_read_end(DBusMessageIter *it, vireo_error **errp)
{
    if (dbus_message_iter_get_arg_type(it) == DBUS_TYPE_INVALID)
        return 0;
    return bad_arg(errp, "%s", "too many arguments");
}

void vireo_marshal_free(vireo_type t, void *value)
{
    if (!value)
        return;
    if (t == VIREO_TYPE_STRING || t == VIREO_TYPE_UUID || t == VIREO_TYPE_OBJECT) {
        free(*(char **)value);
        *(char **)value = NULL;
    } else if (t == VIREO_TYPE_FD && *(int *)value >= 0) {
        close(*(int *)value);
        *(int *)value = -1;
    }
}

void vireo_marshal_free_array(vireo_type elem, void *items, size_t n)
{
    size_t size = vireo_type_size(elem);

    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        vireo_marshal_free(elem, (char *)items + i * size);
    free(items);
}

void vireo_strv_free(char **v, size_t n)
{
    vireo_marshal_free_array(VIREO_TYPE_STRING, v, n);
}

/* D-Bus marshalling of every IDL type.
 *
 * Each IDL type has a type code (its D-Bus signature character, plus VIREO_TYPE_UUID, which
 * travels as 's' but is checked) and one C storage type:
 *
 *   BOOLEAN bool    OCTET uint8_t   INT16 int16_t   UINT16 uint16_t   INT32 int32_t
 *   UINT32 uint32_t (also IDL enums: generated enums are 4 bytes)     INT64 int64_t
 *   UINT64 uint64_t DOUBLE double   STRING/UUID/OBJECT char *         FD int
 *
 * Append functions take a pointer to that storage (for strings a `const char **`) and never
 * take ownership. Read functions check the wire type, advance the iterator and return owned
 * values: strings are malloc'ed, fds are fresh descriptors the caller closes. Arrays are a
 * malloc'ed C array plus a count; free them with vireo_marshal_free_array().
 *
 * Conventions: a NULL string is sent as "", a NULL object reference as "/" (the null
 * reference), a NULL uuid as the nil uuid. Uuids read must be canonical (36 chars, hex,
 * dashes at 8-13-18-23); upper-case hex is accepted and lowered.
 */
#ifndef VIREO_COMPONENT_MARSHAL_H
#define VIREO_COMPONENT_MARSHAL_H

#include <dbus/dbus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/error.h"

typedef enum vireo_type {
    VIREO_TYPE_BOOLEAN = 'b',
    VIREO_TYPE_OCTET = 'y',
    VIREO_TYPE_INT16 = 'n',
    VIREO_TYPE_UINT16 = 'q',
    VIREO_TYPE_INT32 = 'i',
    VIREO_TYPE_UINT32 = 'u',
    VIREO_TYPE_INT64 = 'x',
    VIREO_TYPE_UINT64 = 't',
    VIREO_TYPE_DOUBLE = 'd',
    VIREO_TYPE_STRING = 's',
    VIREO_TYPE_UUID = 'U', /* 's' on the wire */
    VIREO_TYPE_OBJECT = 'o',
    VIREO_TYPE_FD = 'h',
} vireo_type;

/* Largest array a peer may send us: protects services from memory exhaustion by hostile
 * clients. Octet arrays (blobs: screenshots, state) get a byte limit instead. */
#define VIREO_MARSHAL_MAX_ELEMENTS 65536u
#define VIREO_MARSHAL_MAX_OCTETS   (32u << 20)

#define VIREO_NIL_UUID "00000000-0000-0000-0000-000000000000"

/* The D-Bus signature character of a type code. */
char vireo_type_dbus_char(vireo_type t);
/* Size of the C storage of one value. */
size_t vireo_type_size(vireo_type t);

/* Append one value. Returns 0, -EINVAL (invalid string, path or uuid, bad fd), -ENOMEM. */
int vireo_marshal_append(DBusMessageIter *it, vireo_type t, const void *value);
int vireo_marshal_append_array(DBusMessageIter *it, vireo_type elem, const void *items, size_t n);
/* The same, wrapped in a variant (property values). */
int vireo_marshal_append_variant(DBusMessageIter *it, vireo_type t, const void *value);
int vireo_marshal_append_variant_array(DBusMessageIter *it, vireo_type elem, const void *items,
                                       size_t n);

/* Read one value into *ret. Returns 0, or -EINVAL with *errp set (InvalidArgs) if the
 * argument is missing, of another type, malformed, or an array over the limits. */
int vireo_marshal_read(DBusMessageIter *it, vireo_type t, void *ret, vireo_error **errp);
int vireo_marshal_read_array(DBusMessageIter *it, vireo_type elem, void *ret_items, size_t *ret_n,
                             vireo_error **errp);
int vireo_marshal_read_variant(DBusMessageIter *it, vireo_type t, void *ret, vireo_error **errp);
int vireo_marshal_read_variant_array(DBusMessageIter *it, vireo_type elem, void *ret_items,
                                     size_t *ret_n, vireo_error **errp);
/* Fails with InvalidArgs if arguments remain. */
int vireo_marshal_read_end(DBusMessageIter *it, vireo_error **errp);

/* Release a value or an array returned by the read functions (strings freed, fds closed).
 * `value` points to the storage (e.g. a `char **`). Accept zeroed storage / NULL items. */
void vireo_marshal_free(vireo_type t, void *value);
void vireo_marshal_free_array(vireo_type elem, void *items, size_t n);

/* Free an array of strings (char **v with n entries); accepts NULL. */
void vireo_strv_free(char **v, size_t n);

/* True if s is a canonical uuid (any hex case). */
bool vireo_uuid_is_valid(const char *s);

#endif

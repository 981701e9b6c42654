/* Fuzz the D-Bus unmarshalling of every IDL type: the input chooses a message signature, a
 * sequence of typed reads (plain, array, variant, variant array of each vireo_type) and
 * the message body. libdbus validates the body against the signature, as it does for
 * every message off the wire; the runtime's read functions then face any well-formed
 * body with any expectation. A value that reads must append and read back the same. */
#include <dbus/dbus.h>
#include <stdlib.h>
#include <string.h>

#include "component/marshal.h"
#include "tests/fuzz/fuzz.h"

static const char sig_alphabet[] = "ybnqiuxtdsogav(){}";
static const vireo_type types[] = {
    VIREO_TYPE_BOOLEAN, VIREO_TYPE_OCTET,  VIREO_TYPE_INT16,  VIREO_TYPE_UINT16, VIREO_TYPE_INT32,
    VIREO_TYPE_UINT32,  VIREO_TYPE_INT64,  VIREO_TYPE_UINT64, VIREO_TYPE_DOUBLE, VIREO_TYPE_STRING,
    VIREO_TYPE_UUID,    VIREO_TYPE_OBJECT, VIREO_TYPE_FD,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

enum { READ_PLAIN, READ_ARRAY, READ_VARIANT, READ_VARIANT_ARRAY };

typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->p = realloc(w->p, w->cap);
        if (!w->p)
            abort();
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void pad(wbuf *w, size_t align)
{
    static const uint8_t zeros[8];
    put(w, zeros, (align - w->len % align) % align);
}

static void put_u32(wbuf *w, uint32_t v)
{
    put(w, &v, 4); /* the message is little-endian, as is the host */
}

/* Header field `code` holding a string-like value of D-Bus type t ('o', 's' or 'g'). */
static void put_field(wbuf *w, uint8_t code, char t, const char *value)
{
    uint8_t head[4] = {code, 1, (uint8_t)t, 0};
    pad(w, 8);
    put(w, head, 4);
    size_t n = strlen(value);
    if (t == 'g') {
        uint8_t l = (uint8_t)n;
        put(w, &l, 1);
    } else {
        put_u32(w, (uint32_t)n);
    }
    put(w, value, n + 1);
}

/* A serialized method call with the given signature and body. */
static void build_message(wbuf *w, const char *sig, const uint8_t *body, size_t body_len)
{
    static const uint8_t start[4] = {'l', DBUS_MESSAGE_TYPE_METHOD_CALL, 0, 1};
    put(w, start, 4);
    put_u32(w, (uint32_t)body_len);
    put_u32(w, 1); /* serial */
    size_t array_len_at = w->len;
    put_u32(w, 0);
    size_t fields_start = w->len; /* 16: already 8-aligned */
    put_field(w, DBUS_HEADER_FIELD_PATH, 'o', "/org/vireo/Fuzz");
    put_field(w, DBUS_HEADER_FIELD_MEMBER, 's', "Call");
    if (*sig)
        put_field(w, DBUS_HEADER_FIELD_SIGNATURE, 'g', sig);
    uint32_t fields_len = (uint32_t)(w->len - fields_start);
    memcpy(w->p + array_len_at, &fields_len, 4);
    pad(w, 8);
    put(w, body, body_len);
}

static bool str_eq(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Append what was read to a fresh message and read it back: it must come back equal. */
static void check_echo(int how, vireo_type t, const void *value, size_t n)
{
    if (t == VIREO_TYPE_FD)
        return;
    DBusMessage *m = dbus_message_new_method_call(NULL, "/a", NULL, "b");
    DBusMessageIter it;
    if (!m)
        abort();
    dbus_message_iter_init_append(m, &it);
    int r = how == READ_PLAIN     ? vireo_marshal_append(&it, t, value)
            : how == READ_VARIANT ? vireo_marshal_append_variant(&it, t, value)
            : how == READ_ARRAY
                ? vireo_marshal_append_array(&it, t, *(void *const *)value, n)
                : vireo_marshal_append_variant_array(&it, t, *(void *const *)value, n);
    if (r < 0)
        abort(); /* a value the reader accepted, the writer refuses */
    uint8_t back[16] = {0};
    size_t back_n = 0;
    vireo_error *err = NULL;
    dbus_message_iter_init(m, &it);
    r = how == READ_PLAIN     ? vireo_marshal_read(&it, t, back, &err)
        : how == READ_VARIANT ? vireo_marshal_read_variant(&it, t, back, &err)
        : how == READ_ARRAY   ? vireo_marshal_read_array(&it, t, back, &back_n, &err)
                              : vireo_marshal_read_variant_array(&it, t, back, &back_n, &err);
    if (r < 0)
        abort();
    size_t esz = vireo_type_size(t);
    bool stringish = t == VIREO_TYPE_STRING || t == VIREO_TYPE_UUID || t == VIREO_TYPE_OBJECT;
    if (how == READ_PLAIN || how == READ_VARIANT) {
        if (stringish ? !str_eq(*(char *const *)value, *(char **)back)
                      : memcmp(value, back, esz) != 0)
            abort();
        vireo_marshal_free(t, back);
    } else {
        const uint8_t *a = *(void *const *)value, *b = *(void **)back;
        if (back_n != n)
            abort();
        for (size_t i = 0; i < n; i++)
            if (stringish ? !str_eq(((char *const *)(const void *)a)[i],
                                    ((char *const *)(const void *)b)[i])
                          : memcmp(a + i * esz, b + i * esz, esz) != 0)
                abort();
        vireo_marshal_free_array(t, *(void **)back, back_n);
    }
    dbus_message_unref(m);
}

static void read_one(DBusMessageIter *it, uint8_t op)
{
    int how = op & 3;
    vireo_type t = types[(op >> 2) % NTYPES];
    uint8_t value[16] = {0};
    size_t n = 0;
    vireo_error *err = NULL;
    int r = how == READ_PLAIN     ? vireo_marshal_read(it, t, value, &err)
            : how == READ_VARIANT ? vireo_marshal_read_variant(it, t, value, &err)
            : how == READ_ARRAY   ? vireo_marshal_read_array(it, t, value, &n, &err)
                                  : vireo_marshal_read_variant_array(it, t, value, &n, &err);
    if (r < 0) {
        if (!err)
            abort(); /* a refusal must carry InvalidArgs */
        vireo_error_free(err);
        return;
    }
    if (err)
        abort();
    check_echo(how, t, value, n);
    if (how == READ_PLAIN || how == READ_VARIANT)
        vireo_marshal_free(t, value);
    else
        vireo_marshal_free_array(t, *(void **)value, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    char sig[32];
    size_t sl = fuzz_u8(&in) % 24;
    for (size_t i = 0; i < sl; i++)
        sig[i] = sig_alphabet[fuzz_u8(&in) % (sizeof(sig_alphabet) - 1)];
    sig[sl] = 0;
    uint8_t ops[8];
    size_t nops = fuzz_u8(&in) % 9;
    for (size_t i = 0; i < nops; i++)
        ops[i] = fuzz_u8(&in);
    if (!dbus_signature_validate(sig, NULL))
        return 0;

    const uint8_t *body;
    size_t body_len = fuzz_bytes(&in, 1u << 16, &body);
    wbuf w = {0};
    build_message(&w, sig, body, body_len);
    DBusError derr;
    dbus_error_init(&derr);
    DBusMessage *m = dbus_message_demarshal((const char *)w.p, (int)w.len, &derr);
    free(w.p);
    if (!m) {
        dbus_error_free(&derr);
        return 0; /* libdbus refuses it: no service would ever see it */
    }
    DBusMessageIter it;
    dbus_message_iter_init(m, &it);
    for (size_t i = 0; i < nops; i++)
        read_one(&it, ops[i]);
    vireo_error *err = NULL;
    if (vireo_marshal_read_end(&it, &err) < 0)
        vireo_error_free(err);
    dbus_message_unref(m);
    return 0;
}

/* The test implementation of IEverything and IExtra (see test_object.h). Values set through
 * properties are stored and returned; methods echo; the rest exercise errors, fds, deferred
 * replies and signals. */
#include "tests/integration/component/test_object.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct test_object {
    vireo_object base;
    vireo_bus *bus;
    vireo_loop *loop;
    char *who;
    char *id;
    char *path;
    bool flag;
    uint8_t byte_value;
    int16_t short_value;
    uint16_t ushort_value;
    int32_t long_value;
    uint32_t ulong_value;
    int64_t huge_value;
    uint64_t uhuge_value;
    double ratio;
    char *label;
    vtest_color color;
    char *peer;
    uint8_t *blob;
    size_t n_blob;
    char **names;
    size_t n_names;
    vtest_color *colors;
    size_t n_colors;
    uint32_t calls;
    uint32_t vanished;
    struct {
        vireo_subscription *sub;
        char *name;
    } watches[8];
};

#define SELF(o) ((test_object *)(o))

static char *dup_or_fail(const char *s, vireo_error **errp)
{
    char *d = strdup(s ? s : "");
    if (!d)
        vireo_error_set_errno(errp, -ENOMEM, "strdup");
    return d;
}

static void *dup_mem(const void *p, size_t n)
{
    void *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

static char **dup_strv(const char *const *v, size_t n)
{
    char **d = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; d && i < n; i++)
        if (!(d[i] = strdup(v[i]))) {
            vireo_strv_free(d, i);
            return NULL;
        }
    return d;
}

/* ---- scalar properties: a getter and a setter per field ---- */
#define SCALAR_PROP(field, type)                                                                   \
    static int get_##field(vireo_object *o, type *ret, vireo_error **errp)                         \
    {                                                                                              \
        *ret = SELF(o)->field;                                                                     \
        return 0;                                                                                  \
    }                                                                                              \
    static int set_##field(vireo_object *o, type value, vireo_error **errp)                        \
    {                                                                                              \
        SELF(o)->field = value;                                                                    \
        return 0;                                                                                  \
    }
SCALAR_PROP(flag, bool)
SCALAR_PROP(byte_value, uint8_t)
SCALAR_PROP(short_value, int16_t)
SCALAR_PROP(ushort_value, uint16_t)
SCALAR_PROP(long_value, int32_t)
SCALAR_PROP(ulong_value, uint32_t)
SCALAR_PROP(huge_value, int64_t)
SCALAR_PROP(uhuge_value, uint64_t)
SCALAR_PROP(ratio, double)

static int get_color(vireo_object *o, vtest_color *ret, vireo_error **errp)
{
    *ret = SELF(o)->color;
    return 0;
}

static int set_color(vireo_object *o, vtest_color value, vireo_error **errp)
{
    SELF(o)->color = value;
    return 0;
}

static int get_calls(vireo_object *o, uint32_t *ret, vireo_error **errp)
{
    *ret = SELF(o)->calls;
    return 0;
}

static int get_string(const char *v, char **ret, vireo_error **errp)
{
    *ret = dup_or_fail(v, errp);
    return *ret ? 0 : -ENOMEM;
}

static int set_string(char **field, const char *v, vireo_error **errp)
{
    char *d = dup_or_fail(v, errp);
    if (!d)
        return -ENOMEM;
    free(*field);
    *field = d;
    return 0;
}

static int get_label(vireo_object *o, char **ret, vireo_error **errp)
{
    return get_string(SELF(o)->label, ret, errp);
}

static int set_label(vireo_object *o, const char *v, vireo_error **errp)
{
    /* PropertiesChanged follows from the runtime: the value came through D-Bus. */
    return set_string(&SELF(o)->label, v, errp);
}

static int get_id(vireo_object *o, char **ret, vireo_error **errp)
{
    return get_string(SELF(o)->id, ret, errp);
}

static int get_peer(vireo_object *o, char **ret, vireo_error **errp)
{
    return get_string(SELF(o)->peer, ret, errp);
}

static int set_peer(vireo_object *o, const char *v, vireo_error **errp)
{
    return set_string(&SELF(o)->peer, v, errp);
}

static int get_blob(vireo_object *o, uint8_t **ret, size_t *ret_n, vireo_error **errp)
{
    *ret = dup_mem(SELF(o)->blob, SELF(o)->n_blob);
    *ret_n = SELF(o)->n_blob;
    return *ret ? 0 : vireo_error_set_errno(errp, -ENOMEM, "blob");
}

static int set_blob(vireo_object *o, const uint8_t *v, size_t n, vireo_error **errp)
{
    uint8_t *d = dup_mem(v, n);
    if (!d)
        return vireo_error_set_errno(errp, -ENOMEM, "blob");
    free(SELF(o)->blob);
    SELF(o)->blob = d;
    SELF(o)->n_blob = n;
    return 0;
}

static int get_names(vireo_object *o, char ***ret, size_t *ret_n, vireo_error **errp)
{
    *ret = dup_strv((const char *const *)SELF(o)->names, SELF(o)->n_names);
    *ret_n = SELF(o)->n_names;
    return *ret ? 0 : vireo_error_set_errno(errp, -ENOMEM, "names");
}

static int set_names(vireo_object *o, const char *const *v, size_t n, vireo_error **errp)
{
    char **d = dup_strv(v, n);
    if (!d)
        return vireo_error_set_errno(errp, -ENOMEM, "names");
    vireo_strv_free(SELF(o)->names, SELF(o)->n_names);
    SELF(o)->names = d;
    SELF(o)->n_names = n;
    return 0;
}

static int get_colors(vireo_object *o, vtest_color **ret, size_t *ret_n, vireo_error **errp)
{
    *ret = dup_mem(SELF(o)->colors, SELF(o)->n_colors * sizeof(vtest_color));
    *ret_n = SELF(o)->n_colors;
    return *ret ? 0 : vireo_error_set_errno(errp, -ENOMEM, "colors");
}

static int set_colors(vireo_object *o, const vtest_color *v, size_t n, vireo_error **errp)
{
    vtest_color *d = dup_mem(v, n * sizeof(*v));
    if (!d)
        return vireo_error_set_errno(errp, -ENOMEM, "colors");
    free(SELF(o)->colors);
    SELF(o)->colors = d;
    SELF(o)->n_colors = n;
    return 0;
}

/* ---- methods ---- */

static int echo_scalars(vireo_object *o, vireo_call *call, bool b, uint8_t y, int16_t n, uint16_t q,
                        int32_t i, uint32_t u, int64_t x, uint64_t t, double d, const char *s,
                        const char *id, vtest_color c, const char *ob, vireo_error **errp)
{
    SELF(o)->calls++;
    return vtest_everything_complete_echo_scalars(call, b, y, n, q, i, u, x, t, d, s, id, c, ob);
}

static int echo_arrays(vireo_object *o, vireo_call *call, const bool *b, size_t n_b,
                       const uint8_t *y, size_t n_y, const int16_t *n, size_t n_n,
                       const uint16_t *q, size_t n_q, const int32_t *i, size_t n_i,
                       const uint32_t *u, size_t n_u, const int64_t *x, size_t n_x,
                       const uint64_t *t, size_t n_t, const double *d, size_t n_d,
                       const char *const *s, size_t n_s, const char *const *id, size_t n_id,
                       const vtest_color *c, size_t n_c, const char *const *ob, size_t n_o,
                       vireo_error **errp)
{
    SELF(o)->calls++;
    return vtest_everything_complete_echo_arrays(call, b, n_b, y, n_y, n, n_n, q, n_q, i, n_i, u,
                                                 n_u, x, n_x, t, n_t, d, n_d, s, n_s, id, n_id, c,
                                                 n_c, ob, n_o);
}

static int add(vireo_object *o, vireo_call *call, int32_t a, int32_t b, vireo_error **errp)
{
    SELF(o)->calls++;
    return vtest_everything_complete_add(call, (int32_t)((uint32_t)a + (uint32_t)b));
}

static int fail(vireo_object *o, vireo_call *call, const char *name, const char *message,
                vireo_error **errp)
{
    char *end;
    long e;

    SELF(o)->calls++;
    if (strcmp(name, "NotFound") == 0) {
        vireo_error_set(errp, VTEST_RESULT_NOT_FOUND, VTEST_ERROR_NOT_FOUND, "%s", message);
        return -ENOENT;
    }
    if (strcmp(name, "Busy") == 0) {
        vireo_error_set(errp, VTEST_RESULT_BUSY, VTEST_ERROR_BUSY, "%s", message);
        return -EBUSY;
    }
    e = strtol(name, &end, 10);
    if (*name && !*end && e > 0 && e < 4096)
        return (int)-e; /* no error info: the skeleton makes one from the errno */
    return vireo_error_invalid_arg(errp, "no result named '%s'", name);
}

static int read_fd(vireo_object *o, vireo_call *call, int fd, vireo_error **errp)
{
    char buf[4096];
    size_t len = 0;
    ssize_t n;

    SELF(o)->calls++;
    while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    return vtest_everything_complete_read_fd(call, buf);
}

static int text_pipe(const char *text, vireo_error **errp)
{
    int p[2];
    size_t len = strlen(text);

    if (pipe(p) < 0)
        return vireo_error_set_errno(errp, -errno, "pipe");
    if (write(p[1], text, len) != (ssize_t)len) {
        close(p[0]);
        close(p[1]);
        return vireo_error_set_errno(errp, -EIO, "write");
    }
    close(p[1]);
    return p[0];
}

static int open_text(vireo_object *o, vireo_call *call, const char *text, vireo_error **errp)
{
    int fds[2] = {-1, -1}, fd = -1, r = 0;

    SELF(o)->calls++;
    for (int i = 0; i < 2 && r >= 0; i++)
        r = fds[i] = text_pipe(text, errp);
    if (r >= 0)
        r = fd = text_pipe(text, errp);
    if (r >= 0)
        r = vtest_everything_complete_open_text(call, fds, 2, fd);
    /* libdbus sent duplicates; ours are closed here. */
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (fd >= 0)
        close(fd);
    return r < 0 ? r : 0;
}

typedef struct delayed {
    vireo_call *call;
    char *text;
} delayed;

static void delayed_done(vireo_source *src, void *ud)
{
    delayed *d = ud;

    vtest_everything_complete_delayed_echo(d->call, d->text);
    vireo_call_unref(d->call);
    free(d->text);
    free(d);
    vireo_source_remove(src);
}

static int delayed_echo(vireo_object *o, vireo_call *call, uint32_t ms, const char *text,
                        vireo_error **errp)
{
    delayed *d = calloc(1, sizeof(*d));

    SELF(o)->calls++;
    if (!d || !(d->text = strdup(text))) {
        free(d);
        return vireo_error_set_errno(errp, -ENOMEM, "delayedEcho");
    }
    d->call = vireo_call_ref(call);
    if (!vireo_loop_add_timer(SELF(o)->loop, (uint64_t)ms * 1000u + 1, false, delayed_done, d)) {
        vireo_call_unref(d->call);
        free(d->text);
        free(d);
        return vireo_error_set_errno(errp, -ENOMEM, "timer");
    }
    return 0; /* answered by delayed_done() */
}

static int fire_pings(vireo_object *o, vireo_call *call, uint32_t count, vireo_error **errp)
{
    test_object *t = SELF(o);
    int r = 0;

    t->calls++;
    for (uint32_t i = 1; i <= count && r == 0; i++)
        r = vtest_everything_emit_ping(vireo_call_bus(call), vireo_call_path(call), i, t->label,
                                       t->colors, t->n_colors);
    if (r < 0)
        return vireo_error_set_errno(errp, r, "ping");
    /* A change the object makes on its own: announced with the generated notify function. */
    vtest_everything_notify_calls(vireo_call_bus(call), vireo_call_path(call));
    return vtest_everything_complete_fire_pings(call);
}

static void caller_gone(vireo_bus *bus, const char *name, void *ud)
{
    test_object *t = ud;

    t->vanished++;
    for (int i = 0; i < 8; i++)
        if (t->watches[i].sub && !strcmp(t->watches[i].name, name)) {
            t->watches[i].sub = NULL; /* a fired watch is freed by the runtime */
            free(t->watches[i].name);
            t->watches[i].name = NULL;
        }
}

static int watch_caller(vireo_object *o, vireo_call *call, vireo_error **errp)
{
    test_object *t = SELF(o);
    int slot = -1;

    t->calls++;
    for (int i = 0; i < 8 && slot < 0; i++)
        if (!t->watches[i].sub)
            slot = i;
    if (slot < 0)
        return vireo_error_set_errno(errp, -ENOSPC, "watches");
    t->watches[slot].name = strdup(vireo_call_sender(call));
    if (!t->watches[slot].name)
        return vireo_error_set_errno(errp, -ENOMEM, "watch");
    t->watches[slot].sub = vireo_bus_watch_name_vanished(
        vireo_call_bus(call), vireo_call_sender(call), caller_gone, t, errp);
    if (!t->watches[slot].sub) {
        free(t->watches[slot].name);
        t->watches[slot].name = NULL;
        return -EIO;
    }
    return vtest_everything_complete_watch_caller(call);
}

static int get_vanished(vireo_object *o, uint32_t *ret, vireo_error **errp)
{
    *ret = SELF(o)->vanished;
    return 0;
}

static int forget(vireo_object *o, vireo_call *call, vireo_error **errp)
{
    SELF(o)->calls++;
    return 0; /* deliberately no answer */
}

static const vtest_everything_ops everything_ops = {
    .get_flag = get_flag,
    .set_flag = set_flag,
    .get_byte_value = get_byte_value,
    .set_byte_value = set_byte_value,
    .get_short_value = get_short_value,
    .set_short_value = set_short_value,
    .get_ushort_value = get_ushort_value,
    .set_ushort_value = set_ushort_value,
    .get_long_value = get_long_value,
    .set_long_value = set_long_value,
    .get_ulong_value = get_ulong_value,
    .set_ulong_value = set_ulong_value,
    .get_huge_value = get_huge_value,
    .set_huge_value = set_huge_value,
    .get_uhuge_value = get_uhuge_value,
    .set_uhuge_value = set_uhuge_value,
    .get_ratio = get_ratio,
    .set_ratio = set_ratio,
    .get_label = get_label,
    .set_label = set_label,
    .get_id = get_id,
    .get_color = get_color,
    .set_color = set_color,
    .get_peer = get_peer,
    .set_peer = set_peer,
    .get_blob = get_blob,
    .set_blob = set_blob,
    .get_names = get_names,
    .set_names = set_names,
    .get_colors = get_colors,
    .set_colors = set_colors,
    .get_calls = get_calls,
    .echo_scalars = echo_scalars,
    .echo_arrays = echo_arrays,
    .add = add,
    .fail = fail,
    .read_fd = read_fd,
    .open_text = open_text,
    .delayed_echo = delayed_echo,
    .fire_pings = fire_pings,
    .forget = forget,
    .watch_caller = watch_caller,
    .get_vanished = get_vanished,
    /* .unimplemented left NULL on purpose */
};

/* ---- IExtra ---- */

static int extra_get_name(vireo_object *o, char **ret, vireo_error **errp)
{
    return get_string(SELF(o)->who, ret, errp);
}

static int whoami(vireo_object *o, vireo_call *call, vireo_error **errp)
{
    return vtest_extra_complete_whoami(call, SELF(o)->who);
}

static const vtest_extra_ops extra_ops = {
    .get_name = extra_get_name,
    .whoami = whoami,
};

static void test_object_destroy(vireo_object *o)
{
    test_object *t = SELF(o);

    for (int i = 0; i < 8; i++) {
        vireo_subscription_free(t->watches[i].sub);
        free(t->watches[i].name);
    }
    free(t->who);
    free(t->id);
    free(t->path);
    free(t->label);
    free(t->peer);
    free(t->blob);
    vireo_strv_free(t->names, t->n_names);
    free(t->colors);
    free(t);
}

static const vireo_object_iface test_ifaces[] = {
    {&vtest_everything_interface, &everything_ops},
    {&vtest_extra_interface, &extra_ops},
};

static const vireo_object_class test_class = {
    .name = "test_object",
    .ifaces = test_ifaces,
    .n_ifaces = 2,
    .destroy = test_object_destroy,
};

test_object *test_object_new(vireo_bus *bus, vireo_loop *loop, const char *id, const char *who)
{
    test_object *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    vireo_object_init(&t->base, &test_class);
    t->bus = bus;
    t->loop = loop;
    t->who = strdup(who);
    t->id = strdup(id);
    t->path = vireo_path_for_uuid(VTEST_ROOT_PATH, VTEST_EVERYTHING_COLLECTION, id);
    t->label = strdup("initial");
    t->peer = strdup("/");
    t->color = VTEST_COLOR_GREEN;
    if (!t->who || !t->id || !t->path || !t->label || !t->peer) {
        vireo_object_unref(&t->base);
        return NULL;
    }
    return t;
}

vireo_object *test_object_base(test_object *obj)
{
    return &obj->base;
}

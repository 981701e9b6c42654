/* Bus connection, export table, signals and subscriptions (see bus.h). */
#include "component/bus_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "component/marshal.h"
#include "component/proxy.h"

static DBusHandlerResult bus_filter(DBusConnection *conn, DBusMessage *msg, void *data);

static int dbus_err_to_vireo(DBusError *de, vireo_error **errp, int neg_errno)
{
    vireo_error_set(errp, vireo_error_code_for_name(NULL, 0, de->name), de->name, "%s",
                    de->message ? de->message : "");
    dbus_error_free(de);
    return neg_errno;
}

static vireo_bus *bus_wrap(DBusConnection *conn, bool on_bus, vireo_error **errp)
{
    vireo_bus *bus = calloc(1, sizeof(*bus));

    if (!bus) {
        vireo_error_set_errno(errp, -ENOMEM, "bus");
        return NULL;
    }
    bus->refs = 1;
    bus->conn = conn;
    bus->on_bus = on_bus;
    dbus_connection_set_exit_on_disconnect(conn, FALSE);
    if (!dbus_connection_add_filter(conn, bus_filter, bus, NULL)) {
        vireo_error_set_errno(errp, -ENOMEM, "bus filter");
        bus->conn = NULL;
        free(bus);
        return NULL;
    }
    return bus;
}

static void init_threads(void)
{
    /* Objects are refcounted across threads; let libdbus lock its own structures too. */
    dbus_threads_init_default();
}

vireo_bus *vireo_bus_open_address(const char *address, vireo_error **errp)
{
    DBusError de;
    DBusConnection *conn;
    vireo_bus *bus;

    init_threads();
    dbus_error_init(&de);
    conn = dbus_connection_open_private(address, &de);
    if (!conn) {
        dbus_err_to_vireo(&de, errp, -ECONNREFUSED);
        return NULL;
    }
    if (!dbus_bus_register(conn, &de)) {
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
        dbus_err_to_vireo(&de, errp, -ECONNREFUSED);
        return NULL;
    }
    bus = bus_wrap(conn, true, errp);
    if (!bus) {
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
    }
    return bus;
}

vireo_bus *vireo_bus_open_peer(const char *address, vireo_error **errp)
{
    DBusError de;
    DBusConnection *conn;
    vireo_bus *bus;

    init_threads();
    dbus_error_init(&de);
    conn = dbus_connection_open_private(address, &de);
    if (!conn) {
        dbus_err_to_vireo(&de, errp, -ECONNREFUSED);
        return NULL;
    }
    bus = bus_wrap(conn, false, errp);
    if (!bus) {
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
    }
    return bus;
}

vireo_bus *vireo_bus_open_session(vireo_error **errp)
{
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    char *fallback = NULL;
    vireo_bus *bus;

    if (addr && *addr)
        return vireo_bus_open_address(addr, errp);
    /* No variable (e.g. a login over ssh): systemd's per-user bus socket, if there is one. */
    if (runtime && *runtime && asprintf(&fallback, "%s/bus", runtime) >= 0 &&
        access(fallback, F_OK) == 0) {
        char *a = NULL;
        bus = asprintf(&a, "unix:path=%s", fallback) >= 0 ? vireo_bus_open_address(a, errp) : NULL;
        free(a);
        free(fallback);
        return bus;
    }
    free(fallback);
    vireo_error_set(errp, VIREO_E_DISCONNECTED, VIREO_DBUS_ERROR_DISCONNECTED,
                    "no session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no "
                    "$XDG_RUNTIME_DIR/bus");
    return NULL;
}

vireo_bus *vireo_bus_new_peer(DBusConnection *conn, vireo_error **errp)
{
    init_threads();
    dbus_connection_ref(conn);
    vireo_bus *bus = bus_wrap(conn, false, errp);
    if (!bus)
        dbus_connection_unref(conn);
    return bus;
}

vireo_bus *vireo_bus_ref(vireo_bus *bus)
{
    if (bus)
        bus->refs++;
    return bus;
}

static void subs_free_all(vireo_bus *bus)
{
    while (bus->subs)
        vireo_subscription_free(bus->subs);
}

vireo_bus *vireo_bus_unref(vireo_bus *bus)
{
    if (!bus || --bus->refs > 0)
        return NULL;
    /* Objects first: their destructors may free subscriptions they hold on this bus. */
    while (bus->n_exports)
        vireo_bus_unexport(bus, bus->exports[bus->n_exports - 1].path);
    free(bus->exports);
    bus_relays_free(bus);
    subs_free_all(bus);
    if (bus->loop_detach)
        bus->loop_detach(bus);
    dbus_connection_remove_filter(bus->conn, bus_filter, bus);
    dbus_connection_close(bus->conn);
    dbus_connection_unref(bus->conn);
    free(bus);
    return NULL;
}

DBusConnection *vireo_bus_connection(vireo_bus *bus)
{
    return bus->conn;
}

const char *vireo_bus_unique_name(vireo_bus *bus)
{
    return bus->on_bus ? dbus_bus_get_unique_name(bus->conn) : NULL;
}

int vireo_bus_request_name(vireo_bus *bus, const char *name, vireo_error **errp)
{
    DBusError de;
    int r;

    dbus_error_init(&de);
    r = dbus_bus_request_name(bus->conn, name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &de);
    if (r < 0)
        return dbus_err_to_vireo(&de, errp, -EIO);
    if (r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER && r != DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER) {
        vireo_error_set(errp, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED,
                        "bus name %s is owned by another process", name);
        return -EEXIST;
    }
    return 0;
}

void vireo_bus_detach(vireo_bus *bus)
{
    if (bus->loop_detach)
        bus->loop_detach(bus);
}

void vireo_bus_flush(vireo_bus *bus)
{
    dbus_connection_flush(bus->conn);
}

void vireo_bus_set_disconnect_handler(vireo_bus *bus, void (*fn)(vireo_bus *bus, void *ud),
                                      void *userdata)
{
    bus->disconnect_fn = fn;
    bus->disconnect_ud = userdata;
}

bool vireo_bus_is_connected(vireo_bus *bus)
{
    return !bus->closed && dbus_connection_get_is_connected(bus->conn);
}

bool bus_path_has_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strcmp(prefix, "/") == 0)
        return true;
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Binary search: index of `path` or of where it would go. */
static size_t export_index(vireo_bus *bus, const char *path, bool *found)
{
    size_t lo = 0, hi = bus->n_exports;

    *found = false;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(bus->exports[mid].path, path);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const bus_export *bus_find_export(vireo_bus *bus, const char *path)
{
    bool found;
    size_t i = export_index(bus, path, &found);

    return found ? &bus->exports[i] : NULL;
}

vireo_object *vireo_bus_lookup(vireo_bus *bus, const char *path)
{
    const bus_export *e = bus_find_export(bus, path);

    return e ? e->obj : NULL;
}

int vireo_bus_export(vireo_bus *bus, const char *path, vireo_object *obj, vireo_error **errp)
{
    bool found;
    size_t i;
    char *copy;

    if (!path || !dbus_validate_path(path, NULL) || !obj) {
        vireo_error_set(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS,
                        "cannot export at malformed path '%s'", path ? path : "(null)");
        return -EINVAL;
    }
    i = export_index(bus, path, &found);
    if (found) {
        vireo_error_set(errp, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED,
                        "an object is already exported at %s", path);
        return -EEXIST;
    }
    if (bus->n_exports == bus->cap_exports) {
        size_t cap = bus->cap_exports ? bus->cap_exports * 2 : 16;
        bus_export *n = realloc(bus->exports, cap * sizeof(*n));
        if (!n)
            return vireo_error_set_errno(errp, -ENOMEM, "export");
        bus->exports = n;
        bus->cap_exports = cap;
    }
    copy = strdup(path);
    if (!copy)
        return vireo_error_set_errno(errp, -ENOMEM, "export");
    memmove(&bus->exports[i + 1], &bus->exports[i], (bus->n_exports - i) * sizeof(bus_export));
    bus->exports[i] = (bus_export){.path = copy, .obj = vireo_object_ref(obj)};
    bus->n_exports++;
    return 0;
}

int vireo_bus_unexport(vireo_bus *bus, const char *path)
{
    bool found;
    size_t i = export_index(bus, path, &found);
    bus_export e;

    if (!found)
        return -ENOENT;
    e = bus->exports[i];
    memmove(&bus->exports[i], &bus->exports[i + 1], (bus->n_exports - i - 1) * sizeof(bus_export));
    bus->n_exports--;
    free(e.path);
    vireo_object_unref(e.obj);
    return 0;
}

char *vireo_path_for_uuid(const char *root, const char *collection, const char *uuid)
{
    char *path = NULL;

    if (!vireo_uuid_is_valid(uuid))
        return NULL;
    if (asprintf(&path, "%s/%s/%s", root, collection, uuid) < 0)
        return NULL;
    for (char *p = path + strlen(path) - 36; *p; p++)
        *p = *p == '-' ? '_' : (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
    if (!dbus_validate_path(path, NULL)) {
        free(path);
        return NULL;
    }
    return path;
}

char *vireo_path_to_uuid(const char *path)
{
    const char *last = path ? strrchr(path, '/') : NULL;
    char *uuid;

    if (!last || strlen(last + 1) != 36)
        return NULL;
    uuid = strdup(last + 1);
    if (!uuid)
        return NULL;
    for (char *p = uuid; *p; p++)
        if (*p == '_')
            *p = '-';
    if (!vireo_uuid_is_valid(uuid)) {
        free(uuid);
        return NULL;
    }
    return uuid;
}

int vireo_bus_send(vireo_bus *bus, DBusMessage *msg)
{
    bool ok;

    if (!msg)
        return -ENOMEM;
    ok = dbus_connection_send(bus->conn, msg, NULL);
    dbus_message_unref(msg);
    return ok ? 0 : -ENOMEM;
}

DBusMessage *vireo_bus_new_signal(const char *path, const vireo_interface_info *iface,
                                  const char *member)
{
    return dbus_message_new_signal(path, iface->name, member);
}

void bus_reply_error(vireo_bus *bus, DBusMessage *msg, const char *name, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;

    if (dbus_message_get_no_reply(msg))
        return;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    vireo_bus_send(bus, dbus_message_new_error(msg, name, text ? text : ""));
    free(text);
}

/* ---- subscriptions ---- */

static bool sub_matches(const vireo_subscription *s, DBusMessage *msg)
{
    const char *p = dbus_message_get_path(msg);

    if (s->iface && !dbus_message_has_interface(msg, s->iface))
        return false;
    if (s->member && !dbus_message_has_member(msg, s->member))
        return false;
    if (s->path &&
        (!p || (s->path_is_namespace ? !bus_path_has_prefix(p, s->path) : strcmp(p, s->path) != 0)))
        return false;
    /* A well-known sender name cannot be compared with the unique sender here; the bus
     * already routed by it. Unique names are compared. */
    if (s->sender && s->sender[0] == ':' && !dbus_message_has_sender(msg, s->sender))
        return false;
    if (s->arg0) {
        DBusMessageIter it;
        const char *a = NULL;
        if (!dbus_message_iter_init(msg, &it) ||
            dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_STRING)
            return false;
        dbus_message_iter_get_basic(&it, &a);
        if (strcmp(a, s->arg0) != 0)
            return false;
    }
    return true;
}

static bool name_watch_fires(const vireo_subscription *s, DBusMessage *msg)
{
    const char *name = NULL, *old_owner = NULL, *new_owner = NULL;

    if (!dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged"))
        return false;
    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner,
                               DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID))
        return false;
    return strcmp(name, s->sender) == 0 && new_owner[0] == '\0';
}

static void fire_name_watch(vireo_subscription *s)
{
    /* Mark first: the callback may free the subscription itself. */
    vireo_subscription_free(s);
    s->watch_fn(s->bus, s->sender, s->userdata);
}

static void sweep_dead(vireo_bus *bus)
{
    vireo_subscription *s, *next;

    for (s = bus->subs; s; s = next) {
        next = s->next;
        if (s->dead)
            vireo_subscription_free(s);
    }
}

/* Run subscriptions for `msg` (NULL: the connection closed). Subscriptions freed meanwhile
 * are only marked dead and swept after the walk, so the walk never touches freed memory. */
static void deliver_signal(vireo_bus *bus, DBusMessage *msg)
{
    bus->in_delivery++;
    for (vireo_subscription *s = bus->subs; s; s = s->next) {
        if (s->dead)
            continue;
        if (s->name_watch) {
            if (!msg || name_watch_fires(s, msg))
                fire_name_watch(s);
        } else if (msg && sub_matches(s, msg)) {
            s->fn(bus, msg, s->userdata);
        }
    }
    if (--bus->in_delivery == 0)
        sweep_dead(bus);
}

static void handle_disconnect(vireo_bus *bus)
{
    if (bus->closed)
        return;
    bus->closed = true;
    deliver_signal(bus, NULL);
    if (bus->disconnect_fn)
        bus->disconnect_fn(bus, bus->disconnect_ud);
}

static DBusHandlerResult bus_filter(DBusConnection *conn, DBusMessage *msg, void *data)
{
    vireo_bus *bus = data;
    DBusHandlerResult r = DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

    vireo_bus_ref(bus);
    switch (dbus_message_get_type(msg)) {
    case DBUS_MESSAGE_TYPE_SIGNAL:
        if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL, "Disconnected"))
            handle_disconnect(bus);
        else
            deliver_signal(bus, msg);
        break;
    case DBUS_MESSAGE_TYPE_METHOD_CALL:
        r = bus_relay_dispatch(bus, msg);
        if (r == DBUS_HANDLER_RESULT_NOT_YET_HANDLED)
            r = bus_dispatch_method(bus, msg);
        break;
    default: break;
    }
    vireo_bus_unref(bus);
    return r;
}

static char *build_rule(const vireo_subscription *s)
{
    char *rule = NULL;

    if (asprintf(&rule, "type='signal'%s%s%s%s%s%s%s%s%s%s%s%s", s->sender ? ",sender='" : "",
                 s->sender ? s->sender : "", s->sender ? "'" : "",
                 s->path ? (s->path_is_namespace ? ",path_namespace='" : ",path='") : "",
                 s->path ? s->path : "", s->path ? "'" : "", s->iface ? ",interface='" : "",
                 s->iface ? s->iface : "", s->iface ? "'" : "", s->member ? ",member='" : "",
                 s->member ? s->member : "", s->member ? "'" : "") < 0)
        return NULL;
    return rule;
}

static char *dup_opt(const char *s, bool *fail)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *fail = true;
    return d;
}

static vireo_subscription *sub_new(vireo_bus *bus, const char *sender, const char *path, bool ns,
                                   const char *iface, const char *member)
{
    vireo_subscription *s = calloc(1, sizeof(*s));
    bool fail = false;

    if (!s)
        return NULL;
    s->bus = bus;
    s->sender = dup_opt(sender, &fail);
    s->path = dup_opt(path, &fail);
    s->iface = dup_opt(iface, &fail);
    s->member = dup_opt(member, &fail);
    s->path_is_namespace = ns;
    if (fail) {
        vireo_subscription_free(s);
        return NULL;
    }
    return s;
}

static int sub_link(vireo_subscription *s, vireo_error **errp)
{
    vireo_bus *bus = s->bus;

    if (bus->on_bus) {
        s->rule = build_rule(s);
        if (!s->rule)
            return vireo_error_set_errno(errp, -ENOMEM, "match rule");
        /* Without an error pointer libdbus does not wait for the bus's answer. */
        dbus_bus_add_match(bus->conn, s->rule, NULL);
    }
    s->next = bus->subs;
    if (bus->subs)
        bus->subs->prev = s;
    bus->subs = s;
    return 0;
}

vireo_subscription *vireo_bus_subscribe(vireo_bus *bus, const char *sender, const char *path,
                                        bool path_is_namespace, const char *iface,
                                        const char *member, vireo_signal_handler fn, void *userdata,
                                        vireo_error **errp)
{
    vireo_subscription *s = sub_new(bus, sender, path, path_is_namespace, iface, member);

    if (!s) {
        vireo_error_set_errno(errp, -ENOMEM, "subscription");
        return NULL;
    }
    s->fn = fn;
    s->userdata = userdata;
    if (sub_link(s, errp) < 0)
        return vireo_subscription_free(s);
    return s;
}

vireo_subscription *vireo_bus_watch_name_vanished(vireo_bus *bus, const char *name,
                                                  void (*fn)(vireo_bus *bus, const char *name,
                                                             void *ud),
                                                  void *userdata, vireo_error **errp)
{
    vireo_subscription *s = sub_new(bus, name, NULL, false, NULL, NULL);
    char *rule = NULL;

    if (!s) {
        vireo_error_set_errno(errp, -ENOMEM, "name watch");
        return NULL;
    }
    s->name_watch = true;
    s->watch_fn = fn;
    s->userdata = userdata;
    s->next = bus->subs;
    if (bus->subs)
        bus->subs->prev = s;
    bus->subs = s;
    if (bus->on_bus) {
        if (asprintf(&rule,
                     "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS
                     "',member='NameOwnerChanged',arg0='%s'",
                     name) < 0) {
            vireo_error_set_errno(errp, -ENOMEM, "name watch");
            return vireo_subscription_free(s);
        }
        s->rule = rule;
        dbus_bus_add_match(bus->conn, rule, NULL);
        /* The name may already be gone: ask the bus once. */
        if (!dbus_bus_name_has_owner(bus->conn, name, NULL)) {
            vireo_subscription_free(s);
            vireo_error_set(errp, VIREO_E_DISCONNECTED, "org.freedesktop.DBus.Error.NameHasNoOwner",
                            "%s has no owner", name);
            return NULL;
        }
    }
    return s;
}

vireo_subscription *vireo_subscription_free(vireo_subscription *s)
{
    vireo_bus *bus;

    if (!s)
        return NULL;
    bus = s->bus;
    if (!s->dead && s->rule && bus->on_bus && !bus->closed)
        dbus_bus_remove_match(bus->conn, s->rule, NULL);
    if (bus->in_delivery) {
        s->dead = true; /* swept when the delivery walk ends */
        return NULL;
    }
    if (s->prev)
        s->prev->next = s->next;
    else if (bus->subs == s)
        bus->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    vireo_proxy_unref(s->proxy);
    free(s->rule);
    free(s->arg0);
    free(s->sender);
    free(s->path);
    free(s->iface);
    free(s->member);
    free(s);
    return NULL;
}

/* Incoming method calls on exported objects: the object's own interfaces through their
 * generated tables, plus org.freedesktop.DBus.Properties and .Introspectable. */
#include "component/bus_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/call.h"
#include "component/marshal.h"

#define IFACE_PROPERTIES     "org.freedesktop.DBus.Properties"
#define IFACE_INTROSPECTABLE "org.freedesktop.DBus.Introspectable"
#define IFACE_PEER           "org.freedesktop.DBus.Peer"

static void reply_vireo_error(vireo_bus *bus, DBusMessage *msg, vireo_error *err, int r)
{
    if (!err)
        vireo_error_set_errno(&err, r, "call failed");
    if (err)
        bus_reply_error(bus, msg, err->name, "%s", err->message);
    vireo_error_free(err);
}

static void reply_message(vireo_bus *bus, DBusMessage *msg, DBusMessage *reply)
{
    if (dbus_message_get_no_reply(msg)) {
        if (reply)
            dbus_message_unref(reply);
        return;
    }
    vireo_bus_send(bus, reply);
}

/* ---- methods of the object's own interfaces ---- */

static const vireo_member *find_method(vireo_object *obj, DBusMessage *msg,
                                       const vireo_object_iface **ret_iface)
{
    const char *iface = dbus_message_get_interface(msg);
    const char *member = dbus_message_get_member(msg);

    for (unsigned i = 0; i < obj->klass->n_ifaces; i++) {
        const vireo_object_iface *oi = &obj->klass->ifaces[i];
        const vireo_member *m;
        if (iface && strcmp(oi->info->name, iface) != 0)
            continue;
        m = vireo_interface_find_member(oi->info, VIREO_MEMBER_METHOD, member);
        if (m) {
            *ret_iface = oi;
            return m;
        }
    }
    return NULL;
}

static void call_method(vireo_bus *bus, DBusMessage *msg, vireo_object *obj)
{
    const vireo_object_iface *oi = NULL;
    const vireo_member *m = find_method(obj, msg, &oi);
    const char *iface = dbus_message_get_interface(msg);
    vireo_call *call;

    if (!m) {
        if (iface && !vireo_object_find_iface(obj, iface))
            bus_reply_error(bus, msg, VIREO_DBUS_ERROR_UNKNOWN_IFACE,
                            "object %s has no interface %s", dbus_message_get_path(msg), iface);
        else
            bus_reply_error(bus, msg, VIREO_DBUS_ERROR_UNKNOWN_METHOD, "no method %s on %s",
                            dbus_message_get_member(msg), iface ? iface : "this object");
        return;
    }
    if (!dbus_message_has_signature(msg, m->signature)) {
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_INVALID_ARGS,
                        "%s.%s takes arguments of signature '%s', not '%s'", oi->info->name,
                        m->name, m->signature, dbus_message_get_signature(msg));
        return;
    }
    call = vireo_call_new(bus, msg, obj);
    if (!call) {
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_NO_MEMORY, "out of memory");
        return;
    }
    m->method(call, obj, oi->ops);
    vireo_call_unref(call);
}

/* ---- org.freedesktop.DBus.Properties ---- */

static const vireo_member *find_property(vireo_object *obj, const char *iface, const char *name,
                                         const vireo_object_iface **ret_iface, vireo_error **errp)
{
    const vireo_object_iface *oi = vireo_object_find_iface(obj, iface);
    const vireo_member *m;

    if (!oi) {
        vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_UNKNOWN_IFACE,
                        "object has no interface %s", iface);
        return NULL;
    }
    m = vireo_interface_find_member(oi->info, VIREO_MEMBER_PROPERTY, name);
    if (!m)
        vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_UNKNOWN_PROP,
                        "%s has no property %s", iface, name);
    *ret_iface = oi;
    return m;
}

static int props_get(DBusMessage *msg, vireo_object *obj, DBusMessage *reply, vireo_error **errp)
{
    const char *iface = NULL, *name = NULL;
    const vireo_object_iface *oi;
    const vireo_member *m;
    DBusMessageIter it;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &name,
                               DBUS_TYPE_INVALID))
        return -EINVAL;
    m = find_property(obj, iface, name, &oi, errp);
    if (!m)
        return -ENOENT;
    dbus_message_iter_init_append(reply, &it);
    return m->get(&it, obj, oi->ops, errp);
}

static int props_set(DBusMessage *msg, vireo_object *obj, vireo_error **errp)
{
    const char *iface = NULL, *name = NULL;
    const vireo_object_iface *oi;
    const vireo_member *m;
    DBusMessageIter it;

    dbus_message_iter_init(msg, &it);
    dbus_message_iter_get_basic(&it, &iface);
    dbus_message_iter_next(&it);
    dbus_message_iter_get_basic(&it, &name);
    dbus_message_iter_next(&it);
    m = find_property(obj, iface, name, &oi, errp);
    if (!m)
        return -ENOENT;
    if (!(m->flags & VIREO_MEMBER_WRITABLE) || !m->set) {
        vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_PROP_READ_ONLY,
                        "%s.%s is read-only", iface, name);
        return -EPERM;
    }
    return m->set(&it, obj, oi->ops, errp);
}

/* Append {name: value} entries of one interface's properties to an a{sv} container. */
static int append_all_props(DBusMessageIter *dict, vireo_object *obj, const vireo_object_iface *oi,
                            vireo_error **errp)
{
    for (unsigned i = 0; i < oi->info->n_members; i++) {
        const vireo_member *m = &oi->info->members[i];
        DBusMessageIter entry;
        int r;
        if (m->kind != VIREO_MEMBER_PROPERTY)
            continue;
        if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
            return -ENOMEM;
        r = dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &m->name) ? 0 : -ENOMEM;
        if (r == 0)
            r = m->get(&entry, obj, oi->ops, errp);
        if (r < 0) {
            dbus_message_iter_abandon_container(dict, &entry);
            return r;
        }
        if (!dbus_message_iter_close_container(dict, &entry))
            return -ENOMEM;
    }
    return 0;
}

static int props_get_all(DBusMessage *msg, vireo_object *obj, DBusMessage *reply,
                         vireo_error **errp)
{
    const char *iface = NULL;
    DBusMessageIter it, dict;
    int r = 0;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID))
        return -EINVAL;
    if (*iface && !vireo_object_find_iface(obj, iface)) {
        vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_UNKNOWN_IFACE,
                        "object has no interface %s", iface);
        return -ENOENT;
    }
    dbus_message_iter_init_append(reply, &it);
    if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict))
        return -ENOMEM;
    for (unsigned i = 0; i < obj->klass->n_ifaces && r == 0; i++)
        if (!*iface || strcmp(obj->klass->ifaces[i].info->name, iface) == 0)
            r = append_all_props(&dict, obj, &obj->klass->ifaces[i], errp);
    if (r < 0) {
        dbus_message_iter_abandon_container(&it, &dict);
        return r;
    }
    return dbus_message_iter_close_container(&it, &dict) ? 0 : -ENOMEM;
}

/* A property set through D-Bus changed: tell listeners, with the value the getter now reports
 * (the implementation may have adjusted it). Done after the reply, as GDBus does. */
static void notify_set(vireo_bus *bus, DBusMessage *msg, vireo_object *obj)
{
    const char *iface = NULL, *name = NULL;
    const vireo_object_iface *oi;
    const vireo_member *m;
    DBusMessageIter it;

    dbus_message_iter_init(msg, &it);
    dbus_message_iter_get_basic(&it, &iface);
    dbus_message_iter_next(&it);
    dbus_message_iter_get_basic(&it, &name);
    oi = vireo_object_find_iface(obj, iface);
    m = oi ? vireo_interface_find_member(oi->info, VIREO_MEMBER_PROPERTY, name) : NULL;
    if (m && vireo_bus_lookup(bus, dbus_message_get_path(msg)) == obj)
        vireo_bus_emit_properties_changed(bus, dbus_message_get_path(msg), oi->info, &m->name, 1);
}

static int props_bad_call(DBusMessage *msg, vireo_error **errp)
{
    const char *member = dbus_message_get_member(msg);

    if (strcmp(member, "Get") && strcmp(member, "GetAll") && strcmp(member, "Set")) {
        vireo_error_set(errp, VIREO_E_NOT_SUPPORTED, VIREO_DBUS_ERROR_UNKNOWN_METHOD,
                        "no method %s on " IFACE_PROPERTIES, member);
        return -ENOENT;
    }
    vireo_error_set(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS,
                    IFACE_PROPERTIES ".%s: wrong signature '%s'", member,
                    dbus_message_get_signature(msg));
    return -EINVAL;
}

static void call_properties(vireo_bus *bus, DBusMessage *msg, vireo_object *obj)
{
    const char *member = dbus_message_get_member(msg);
    DBusMessage *reply = dbus_message_new_method_return(msg);
    vireo_error *err = NULL;
    int r;

    if (!reply) {
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_NO_MEMORY, "out of memory");
        return;
    }
    vireo_object_ref(obj);
    if (strcmp(member, "Get") == 0 && dbus_message_has_signature(msg, "ss"))
        r = props_get(msg, obj, reply, &err);
    else if (strcmp(member, "GetAll") == 0 && dbus_message_has_signature(msg, "s"))
        r = props_get_all(msg, obj, reply, &err);
    else if (strcmp(member, "Set") == 0 && dbus_message_has_signature(msg, "ssv"))
        r = props_set(msg, obj, &err);
    else
        r = props_bad_call(msg, &err);
    if (r < 0) {
        vireo_object_unref(obj);
        dbus_message_unref(reply);
        reply_vireo_error(bus, msg, err, r);
        return;
    }
    vireo_error_free(err);
    reply_message(bus, msg, reply);
    if (strcmp(member, "Set") == 0)
        notify_set(bus, msg, obj);
    vireo_object_unref(obj);
}

/* ---- org.freedesktop.DBus.Introspectable ---- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_add(strbuf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static const char std_ifaces_xml[] =
    "  <interface name=\"" IFACE_INTROSPECTABLE "\">\n"
    "    <method name=\"Introspect\"><arg name=\"xml\" type=\"s\" direction=\"out\"/></method>\n"
    "  </interface>\n"
    "  <interface name=\"" IFACE_PEER "\">\n"
    "    <method name=\"Ping\"/>\n"
    "    <method name=\"GetMachineId\"><arg name=\"id\" type=\"s\" direction=\"out\"/></method>\n"
    "  </interface>\n";

static const char props_iface_xml[] =
    "  <interface name=\"" IFACE_PROPERTIES "\">\n"
    "    <method name=\"Get\"><arg name=\"interface\" type=\"s\" direction=\"in\"/>"
    "<arg name=\"property\" type=\"s\" direction=\"in\"/>"
    "<arg name=\"value\" type=\"v\" direction=\"out\"/></method>\n"
    "    <method name=\"GetAll\"><arg name=\"interface\" type=\"s\" direction=\"in\"/>"
    "<arg name=\"properties\" type=\"a{sv}\" direction=\"out\"/></method>\n"
    "    <method name=\"Set\"><arg name=\"interface\" type=\"s\" direction=\"in\"/>"
    "<arg name=\"property\" type=\"s\" direction=\"in\"/>"
    "<arg name=\"value\" type=\"v\" direction=\"in\"/></method>\n"
    "    <signal name=\"PropertiesChanged\"><arg name=\"interface\" type=\"s\"/>"
    "<arg name=\"changed\" type=\"a{sv}\"/><arg name=\"invalidated\" type=\"as\"/></signal>\n"
    "  </interface>\n";

/* Add a <node name="child"/> for `child` (the element right below `path`) unless it repeats
 * the previous one (exports are sorted, so repeats are adjacent). */
static void add_child(strbuf *b, const char *path, const char *below, char *last, size_t cap)
{
    size_t plen = strcmp(path, "/") == 0 ? 0 : strlen(path);
    const char *start = below + plen + 1;
    size_t n = strcspn(start, "/");
    char line[300];

    if (n == 0 || n >= cap || (strncmp(last, start, n) == 0 && last[n] == '\0'))
        return;
    memcpy(last, start, n);
    last[n] = '\0';
    snprintf(line, sizeof(line), "  <node name=\"%s\"/>\n", last);
    sb_add(b, line);
}

static void add_children(strbuf *b, vireo_bus *bus, const char *path)
{
    char last[256] = "";
    const char *child;

    for (size_t i = 0; i < bus->n_exports; i++) {
        const char *p = bus->exports[i].path;
        if (strcmp(p, path) != 0 && bus_path_has_prefix(p, path))
            add_child(b, path, p, last, sizeof(last));
    }
    last[0] = '\0';
    for (size_t it = 0; bus_relay_is_below(bus, path, &child, &it);)
        add_child(b, path, child, last, sizeof(last));
}

static bool path_is_ancestor(vireo_bus *bus, const char *path)
{
    const char *child;
    size_t it = 0;

    for (size_t i = 0; i < bus->n_exports; i++)
        if (strcmp(bus->exports[i].path, path) != 0 &&
            bus_path_has_prefix(bus->exports[i].path, path))
            return true;
    return bus_relay_is_below(bus, path, &child, &it);
}

static void call_introspect(vireo_bus *bus, DBusMessage *msg, vireo_object *obj)
{
    strbuf b = {0};
    DBusMessage *reply;

    sb_add(&b, DBUS_INTROSPECT_1_0_XML_DOCTYPE_DECL_NODE "<node>\n");
    sb_add(&b, std_ifaces_xml);
    if (obj) {
        sb_add(&b, props_iface_xml);
        for (unsigned i = 0; i < obj->klass->n_ifaces; i++)
            sb_add(&b, obj->klass->ifaces[i].info->introspection);
    }
    add_children(&b, bus, dbus_message_get_path(msg));
    sb_add(&b, "</node>\n");
    reply = b.oom ? NULL : dbus_message_new_method_return(msg);
    if (!reply || !dbus_message_append_args(reply, DBUS_TYPE_STRING, &b.s, DBUS_TYPE_INVALID)) {
        if (reply)
            dbus_message_unref(reply);
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_NO_MEMORY, "out of memory");
    } else {
        reply_message(bus, msg, reply);
    }
    free(b.s);
}

/* ---- entry ---- */

DBusHandlerResult bus_dispatch_method(vireo_bus *bus, DBusMessage *msg)
{
    const char *path = dbus_message_get_path(msg);
    const char *iface = dbus_message_get_interface(msg);
    const bus_export *e = path ? bus_find_export(bus, path) : NULL;
    vireo_object *obj = e ? e->obj : NULL;
    bool introspect = dbus_message_is_method_call(msg, IFACE_INTROSPECTABLE, "Introspect") ||
                      (!iface && dbus_message_has_member(msg, "Introspect"));

    /* Peer (Ping, GetMachineId) is answered by libdbus itself. */
    if (iface && strcmp(iface, IFACE_PEER) == 0)
        return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    if (introspect && (obj || path_is_ancestor(bus, path))) {
        call_introspect(bus, msg, obj);
        return DBUS_HANDLER_RESULT_HANDLED;
    }
    if (!obj) {
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_UNKNOWN_OBJECT, "no object at %s",
                        path ? path : "(none)");
        return DBUS_HANDLER_RESULT_HANDLED;
    }
    vireo_object_ref(obj);
    if (iface && strcmp(iface, IFACE_PROPERTIES) == 0)
        call_properties(bus, msg, obj);
    else
        call_method(bus, msg, obj);
    vireo_object_unref(obj);
    return DBUS_HANDLER_RESULT_HANDLED;
}

int vireo_bus_emit_properties_changed(vireo_bus *bus, const char *path,
                                      const vireo_interface_info *iface, const char *const *names,
                                      size_t n_names)
{
    vireo_object *obj = vireo_bus_lookup(bus, path);
    const vireo_object_iface *oi = obj ? vireo_object_find_iface(obj, iface->name) : NULL;
    DBusMessage *sig;
    DBusMessageIter it, dict = DBUS_MESSAGE_ITER_INIT_CLOSED;
    DBusMessageIter entry = DBUS_MESSAGE_ITER_INIT_CLOSED, inval;
    int r = 0;

    if (!oi)
        return -ENOENT;
    sig = dbus_message_new_signal(path, IFACE_PROPERTIES, "PropertiesChanged");
    if (!sig)
        return -ENOMEM;
    dbus_message_iter_init_append(sig, &it);
    if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &iface->name) ||
        !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict)) {
        dbus_message_unref(sig);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n_names && r == 0; i++) {
        const vireo_member *m = vireo_interface_find_member(iface, VIREO_MEMBER_PROPERTY, names[i]);
        if (!m) {
            r = -ENOENT;
            break;
        }
        if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
            r = -ENOMEM;
        else if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &m->name))
            r = -ENOMEM;
        else
            r = m->get(&entry, obj, oi->ops, NULL);
        if (r == 0 && !dbus_message_iter_close_container(&dict, &entry))
            r = -ENOMEM;
    }
    if (r == 0 && (!dbus_message_iter_close_container(&it, &dict) ||
                   !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &inval) ||
                   !dbus_message_iter_close_container(&it, &inval)))
        r = -ENOMEM;
    if (r < 0) {
        dbus_message_iter_abandon_container_if_open(&dict, &entry);
        dbus_message_iter_abandon_container_if_open(&it, &dict);
        dbus_message_unref(sig);
        return r;
    }
    return vireo_bus_send(bus, sig);
}

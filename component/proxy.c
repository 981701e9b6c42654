/* Client proxies (see proxy.h). */
#include "component/proxy.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "component/bus_private.h"

struct vireo_proxy {
    int refs;
    vireo_bus *bus;
    char *dest;
    char *path;
    int timeout_ms;
};

vireo_proxy *vireo_proxy_new(vireo_bus *bus, const char *dest, const char *path)
{
    vireo_proxy *p;

    if (!path || !dbus_validate_path(path, NULL))
        return NULL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->refs = 1;
    p->timeout_ms = DBUS_TIMEOUT_USE_DEFAULT;
    p->path = strdup(path);
    p->dest = dest ? strdup(dest) : NULL;
    if (!p->path || (dest && !p->dest)) {
        free(p->path);
        free(p->dest);
        free(p);
        return NULL;
    }
    p->bus = vireo_bus_ref(bus);
    return p;
}

vireo_proxy *vireo_proxy_ref(vireo_proxy *p)
{
    if (p)
        p->refs++;
    return p;
}

vireo_proxy *vireo_proxy_unref(vireo_proxy *p)
{
    if (!p || --p->refs > 0)
        return NULL;
    vireo_bus_unref(p->bus);
    free(p->dest);
    free(p->path);
    free(p);
    return NULL;
}

vireo_bus *vireo_proxy_bus(vireo_proxy *p)
{
    return p->bus;
}

const char *vireo_proxy_path(vireo_proxy *p)
{
    return p->path;
}

const char *vireo_proxy_destination(vireo_proxy *p)
{
    return p->dest;
}

void vireo_proxy_set_timeout(vireo_proxy *p, int timeout_ms)
{
    p->timeout_ms = timeout_ms < 0 ? DBUS_TIMEOUT_USE_DEFAULT : timeout_ms;
}

DBusMessage *vireo_proxy_new_call(vireo_proxy *p, const vireo_interface_info *iface,
                                  const char *method)
{
    return dbus_message_new_method_call(p->dest, p->path, iface->name, method);
}

static DBusMessage *new_prop_call(vireo_proxy *p, const char *method,
                                  const vireo_interface_info *iface, const char *property)
{
    DBusMessage *m =
        dbus_message_new_method_call(p->dest, p->path, DBUS_INTERFACE_PROPERTIES, method);

    if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &iface->name, DBUS_TYPE_STRING,
                                       &property, DBUS_TYPE_INVALID)) {
        dbus_message_unref(m);
        return NULL;
    }
    return m;
}

DBusMessage *vireo_proxy_new_get(vireo_proxy *p, const vireo_interface_info *iface,
                                 const char *property)
{
    return new_prop_call(p, "Get", iface, property);
}

DBusMessage *vireo_proxy_new_set(vireo_proxy *p, const vireo_interface_info *iface,
                                 const char *property)
{
    return new_prop_call(p, "Set", iface, property);
}

vireo_error *vireo_error_from_message(DBusMessage *msg, const vireo_library_info *lib)
{
    const char *name = dbus_message_get_error_name(msg);
    const char *text = NULL;
    vireo_error *err = NULL;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID))
        text = "";
    vireo_error_set(
        &err, vireo_error_code_for_name(lib ? lib->results : NULL, lib ? lib->n_results : 0, name),
        name, "%s", text);
    return err;
}

int vireo_proxy_check_reply(DBusMessage *reply, const vireo_interface_info *iface,
                            const char *out_sig, vireo_error **errp)
{
    if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
        vireo_error *err = vireo_error_from_message(reply, iface ? iface->library : NULL);
        int r = vireo_error_to_errno(err);
        vireo_error_propagate(errp, err);
        return r ? r : -EIO;
    }
    if (out_sig && !dbus_message_has_signature(reply, out_sig)) {
        vireo_error_set(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS,
                        "reply has signature '%s', expected '%s'",
                        dbus_message_get_signature(reply), out_sig);
        return -EPROTO;
    }
    return 0;
}

int vireo_proxy_call(vireo_proxy *p, DBusMessage *msg, const vireo_interface_info *iface,
                     const char *out_sig, DBusMessage **ret_reply, vireo_error **errp)
{
    DBusMessage *reply;
    DBusError de;
    vireo_error *err = NULL;
    int r;

    if (!msg)
        return vireo_error_set_errno(errp, -ENOMEM, "call");
    dbus_error_init(&de);
    reply = dbus_connection_send_with_reply_and_block(p->bus->conn, msg, p->timeout_ms, &de);
    dbus_message_unref(msg);
    if (!reply) {
        const vireo_library_info *lib = iface ? iface->library : NULL;
        vireo_error_set(
            &err,
            vireo_error_code_for_name(lib ? lib->results : NULL, lib ? lib->n_results : 0, de.name),
            de.name, "%s", de.message ? de.message : "");
        dbus_error_free(&de);
        r = err ? vireo_error_to_errno(err) : -ENOMEM;
        vireo_error_propagate(errp, err);
        return r;
    }
    r = vireo_proxy_check_reply(reply, iface, out_sig, errp);
    if (r < 0) {
        dbus_message_unref(reply);
        return r;
    }
    *ret_reply = reply;
    return 0;
}

typedef struct async_call {
    vireo_proxy *proxy;
    vireo_reply_fn fn;
    void *userdata;
} async_call;

static void async_free(void *data)
{
    async_call *a = data;

    vireo_proxy_unref(a->proxy);
    free(a);
}

static void async_done(DBusPendingCall *pc, void *data)
{
    async_call *a = data;
    DBusMessage *reply = dbus_pending_call_steal_reply(pc);

    if (reply) {
        a->fn(a->proxy, reply, a->userdata);
        dbus_message_unref(reply);
    }
    dbus_pending_call_unref(pc);
}

int vireo_proxy_call_async(vireo_proxy *p, DBusMessage *msg, vireo_reply_fn fn, void *userdata,
                           vireo_error **errp)
{
    DBusPendingCall *pc = NULL;
    async_call *a = NULL;
    bool ok;

    if (!msg)
        return vireo_error_set_errno(errp, -ENOMEM, "call");
    ok = dbus_connection_send_with_reply(p->bus->conn, msg, &pc, p->timeout_ms);
    dbus_message_unref(msg);
    if (!ok)
        return vireo_error_set_errno(errp, -ENOMEM, "call");
    if (!pc) {
        vireo_error_set(errp, VIREO_E_DISCONNECTED, VIREO_DBUS_ERROR_DISCONNECTED, "not connected");
        return -ENOTCONN;
    }
    a = calloc(1, sizeof(*a));
    if (a) {
        *a = (async_call){.proxy = vireo_proxy_ref(p), .fn = fn, .userdata = userdata};
        if (dbus_pending_call_set_notify(pc, async_done, a, async_free))
            return 0;
        async_free(a);
    }
    dbus_pending_call_cancel(pc);
    dbus_pending_call_unref(pc);
    return vireo_error_set_errno(errp, -ENOMEM, "call");
}

static void proxy_signal(vireo_bus *bus, DBusMessage *msg, void *data)
{
    vireo_subscription *s = data;

    ((vireo_signal_raw_fn)s->raw)(s->proxy, msg, s->cb, s->cb_userdata);
}

vireo_subscription *vireo_proxy_subscribe(vireo_proxy *p, const vireo_interface_info *iface,
                                          const char *member, vireo_signal_raw_fn raw,
                                          void (*cb)(void), void *userdata, vireo_error **errp)
{
    vireo_subscription *s = vireo_bus_subscribe(p->bus, p->dest, p->path, false, iface->name,
                                                member, proxy_signal, NULL, errp);

    if (!s)
        return NULL;
    /* The subscription is its own closure: it lives as long as the callback may run. */
    s->userdata = s;
    s->proxy = vireo_proxy_ref(p); /* released by vireo_subscription_free() */
    s->raw = (void (*)(void))raw;
    s->cb = cb;
    s->cb_userdata = userdata;
    return s;
}

/* PropertiesChanged (sa{sv}as): report every key of the dict and every invalidated name. */
static void props_changed_raw(vireo_proxy *p, DBusMessage *msg, void (*cb)(void), void *ud)
{
    vireo_property_changed_fn fn = (vireo_property_changed_fn)cb;
    DBusMessageIter it, arr, entry;
    const char *name;

    if (!dbus_message_has_signature(msg, "sa{sv}as"))
        return;
    dbus_message_iter_init(msg, &it);
    dbus_message_iter_next(&it);
    dbus_message_iter_recurse(&it, &arr);
    for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_DICT_ENTRY;
         dbus_message_iter_next(&arr)) {
        dbus_message_iter_recurse(&arr, &entry);
        dbus_message_iter_get_basic(&entry, &name);
        fn(p, name, ud);
    }
    dbus_message_iter_next(&it);
    dbus_message_iter_recurse(&it, &arr);
    for (; dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRING; dbus_message_iter_next(&arr)) {
        dbus_message_iter_get_basic(&arr, &name);
        fn(p, name, ud);
    }
}

static const vireo_interface_info props_iface = {.name = DBUS_INTERFACE_PROPERTIES};

vireo_subscription *vireo_proxy_on_properties_changed(vireo_proxy *p,
                                                      const vireo_interface_info *iface,
                                                      vireo_property_changed_fn fn, void *userdata,
                                                      vireo_error **errp)
{
    vireo_subscription *s =
        vireo_proxy_subscribe(p, &props_iface, "PropertiesChanged", props_changed_raw,
                              (void (*)(void))fn, userdata, errp);

    /* Only this interface's changes: arg0 names it. */
    if (s && p->bus->on_bus) {
        char *rule = NULL;
        if (asprintf(&rule, "%s,arg0='%s'", s->rule, iface->name) >= 0) {
            dbus_bus_remove_match(p->bus->conn, s->rule, NULL);
            dbus_bus_add_match(p->bus->conn, rule, NULL);
            free(s->rule);
            s->rule = rule;
        }
    }
    if (s) {
        s->arg0 = strdup(iface->name);
        if (!s->arg0) {
            vireo_error_set_errno(errp, -ENOMEM, "subscription");
            return vireo_subscription_free(s);
        }
    }
    return s;
}

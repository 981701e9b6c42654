/* Internals shared by the bus implementation files. Not for users. */
#ifndef VIREO_COMPONENT_BUS_PRIVATE_H
#define VIREO_COMPONENT_BUS_PRIVATE_H

#include "component/bus.h"

typedef struct bus_export {
    char *path;
    vireo_object *obj;
} bus_export;

typedef struct bus_relay bus_relay;

struct vireo_subscription {
    vireo_bus *bus; /* not a reference: subscriptions die with the bus */
    vireo_subscription *prev, *next;
    char *sender, *path, *iface, *member, *rule;
    char *arg0; /* if set, the first argument must be this string */
    bool path_is_namespace;
    bool dead;       /* freed during a delivery walk; swept after it */
    bool name_watch; /* fire once when `sender` loses its owner */
    vireo_signal_handler fn;
    void (*watch_fn)(vireo_bus *bus, const char *name, void *ud);
    /* for proxies */
    void *proxy; /* a reference to the vireo_proxy */
    void (*raw)(void);
    void (*cb)(void);
    void *cb_userdata;
    void *userdata;
};

struct vireo_bus {
    int refs;
    DBusConnection *conn;
    bool on_bus; /* connected to a message bus, not a peer */
    bool closed;
    bus_export *exports; /* sorted by path */
    size_t n_exports, cap_exports;
    bus_relay *relays;
    vireo_subscription *subs;
    int in_delivery;
    void (*disconnect_fn)(vireo_bus *bus, void *ud);
    void *disconnect_ud;
    /* main-loop integration */
    void *loop_data;
    void (*loop_detach)(vireo_bus *bus);
};

/* dispatch.c: handle a method call for an exported object or an ancestor path. */
DBusHandlerResult bus_dispatch_method(vireo_bus *bus, DBusMessage *msg);
/* relay.c */
DBusHandlerResult bus_relay_dispatch(vireo_bus *bus, DBusMessage *msg);
void bus_relays_free(vireo_bus *bus);
bool bus_relay_is_below(vireo_bus *bus, const char *path, const char **ret_child_prefix,
                        size_t *iter);
/* bus.c */
const bus_export *bus_find_export(vireo_bus *bus, const char *path);
/* Send an error reply for `msg` (no-op if the caller asked for no reply). */
void bus_reply_error(vireo_bus *bus, DBusMessage *msg, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool bus_path_has_prefix(const char *path, const char *prefix);

#endif

/* A bus connection: exported objects, incoming calls, signals, relays.
 *
 * `vireo_bus` wraps one libdbus connection (to a message bus, or a private peer-to-peer
 * connection). It dispatches incoming method calls to exported objects through their
 * generated interface tables, answers org.freedesktop.DBus.Properties and .Introspectable for
 * them, forwards calls under relayed paths to another connection, and delivers signals to
 * subscriptions. Use it from one thread, the thread that runs its main loop
 * (vireo_bus_attach_loop() or vireo_bus_attach_glib()). */
#ifndef VIREO_COMPONENT_BUS_H
#define VIREO_COMPONENT_BUS_H

#include <dbus/dbus.h>
#include <stdbool.h>
#include <stddef.h>

#include "component/error.h"
#include "component/loop.h"
#include "component/object.h"

typedef struct vireo_bus vireo_bus;
typedef struct vireo_subscription vireo_subscription;

/* Connect to the session bus (DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus), to a
 * bus at `address`, or wrap a peer connection (e.g. from a DBusServer; takes a reference).
 * NULL with *errp on failure. */
vireo_bus *vireo_bus_open_session(vireo_error **errp);
vireo_bus *vireo_bus_open_address(const char *address, vireo_error **errp);
vireo_bus *vireo_bus_new_peer(DBusConnection *conn, vireo_error **errp);
/* Connect to a peer's private server (vireo_server) at `address`; no message bus involved:
 * proxies use a NULL destination. */
vireo_bus *vireo_bus_open_peer(const char *address, vireo_error **errp);
vireo_bus *vireo_bus_ref(vireo_bus *bus);
/* Drops a reference; the last one unexports everything and closes the connection. */
vireo_bus *vireo_bus_unref(vireo_bus *bus);
static inline void vireo_bus_unrefp(vireo_bus **p)
{
    vireo_bus_unref(*p);
}

DBusConnection *vireo_bus_connection(vireo_bus *bus);
/* Our unique name on a message bus (":1.42"), NULL on a peer connection. */
const char *vireo_bus_unique_name(vireo_bus *bus);
/* Take a well-known name; fails with -EEXIST if someone else has it. */
int vireo_bus_request_name(vireo_bus *bus, const char *name, vireo_error **errp);

/* Main-loop integration: watches, timeouts and dispatch run from `loop`. */
int vireo_bus_attach_loop(vireo_bus *bus, vireo_loop *loop, vireo_error **errp);
/* Stop running from the main loop it was attached to (before freeing that loop). */
void vireo_bus_detach(vireo_bus *bus);
/* Block until the connection's outgoing queue is written. */
void vireo_bus_flush(vireo_bus *bus);
/* Called once when the connection closes (peer gone, bus gone). */
void vireo_bus_set_disconnect_handler(vireo_bus *bus, void (*fn)(vireo_bus *bus, void *ud),
                                      void *userdata);
bool vireo_bus_is_connected(vireo_bus *bus);

/* Export `obj` (every interface of its class) at `path`. The bus takes a reference.
 * -EEXIST if the path is taken, -EINVAL for a malformed path. */
int vireo_bus_export(vireo_bus *bus, const char *path, vireo_object *obj, vireo_error **errp);
/* Remove an export; -ENOENT if nothing is exported there. */
int vireo_bus_unexport(vireo_bus *bus, const char *path);
/* The object at `path` (borrowed), or NULL. */
vireo_object *vireo_bus_lookup(vireo_bus *bus, const char *path);

/* Object paths: "<root>/<collection>/<uuid with '-' as '_'>", e.g.
 * /org/vireo/Vireo1/machine/6f0c1d2e_.... Returns a malloc'ed path or NULL (-EINVAL uuid). */
char *vireo_path_for_uuid(const char *root, const char *collection, const char *uuid);
/* The uuid of such a path's last element (malloc'ed), or NULL if it is not one. */
char *vireo_path_to_uuid(const char *path);

/* Send a message (signal, reply) on the bus; consumes `msg`. */
int vireo_bus_send(vireo_bus *bus, DBusMessage *msg);
/* A new signal message for `path`/`iface`/`member` (append the arguments, then send). */
DBusMessage *vireo_bus_new_signal(const char *path, const vireo_interface_info *iface,
                                  const char *member);
/* org.freedesktop.DBus.Properties.PropertiesChanged for properties `names` of the object
 * exported at `path`: values come from the object's getters. */
int vireo_bus_emit_properties_changed(vireo_bus *bus, const char *path,
                                      const vireo_interface_info *iface, const char *const *names,
                                      size_t n_names);

/* Relay: every method call for `prefix` or a path below it is forwarded to `target` (same or
 * another connection), to destination `target_dest` (a bus name, or NULL on a peer
 * connection) with the `prefix` part of the path replaced by `target_prefix`. The reply
 * (values, fds or error) goes back to the caller; if the target vanishes the caller gets
 * org.freedesktop.DBus.Error.NoReply or .Disconnected. Signals the target emits under
 * target_prefix are re-emitted here under prefix. -EEXIST if prefix is already relayed. */
int vireo_bus_add_relay(vireo_bus *bus, const char *prefix, vireo_bus *target,
                        const char *target_dest, const char *target_prefix, vireo_error **errp);
int vireo_bus_remove_relay(vireo_bus *bus, const char *prefix);

/* Signal subscriptions. `fn` gets every signal matching the non-NULL fields (sender,
 * path — or any path below it if `path_is_namespace` —, interface, member). On a message bus
 * the matching rule is also added to the bus. */
typedef void (*vireo_signal_handler)(vireo_bus *bus, DBusMessage *msg, void *userdata);
vireo_subscription *vireo_bus_subscribe(vireo_bus *bus, const char *sender, const char *path,
                                        bool path_is_namespace, const char *iface,
                                        const char *member, vireo_signal_handler fn, void *userdata,
                                        vireo_error **errp);
/* Accepts NULL; returns NULL. A subscription belongs to its bus: free it before the bus's
 * last reference goes (the bus frees those left, after unexporting its objects, whose
 * destructors may still free theirs). A name watch that fired is already freed. */
vireo_subscription *vireo_subscription_free(vireo_subscription *sub);

/* Call `fn` once when bus name `name` (usually a caller's unique name) loses its owner:
 * a client disconnected. On a peer connection it fires when the connection closes. If the
 * name has no owner already, returns NULL with a NameHasNoOwner error and never calls `fn`
 * (the client is gone: clean up at once). A watch that fired is freed by the runtime. */
vireo_subscription *vireo_bus_watch_name_vanished(vireo_bus *bus, const char *name,
                                                  void (*fn)(vireo_bus *bus, const char *name,
                                                             void *ud),
                                                  void *userdata, vireo_error **errp);

/* A private D-Bus server for peer-to-peer connections (e.g. between the service and a VM
 * process): each connecting peer becomes a vireo_bus attached to `loop` and is handed to
 * `fn`, which takes a reference to keep it (export objects on it, add relays to it ...). */
typedef struct vireo_server vireo_server;
typedef void (*vireo_server_conn_fn)(vireo_server *srv, vireo_bus *peer, void *userdata);
/* `address`: e.g. "unix:tmpdir=/run/user/1000" or "unix:path=/path/sock". */
vireo_server *vireo_server_new(vireo_loop *loop, const char *address, vireo_server_conn_fn fn,
                               void *userdata, vireo_error **errp);
/* The address clients connect to (borrowed). */
const char *vireo_server_address(vireo_server *srv);
/* Stop listening; connected peers stay. Accepts NULL; returns NULL. */
vireo_server *vireo_server_free(vireo_server *srv);

#endif

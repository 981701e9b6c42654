/* Client side: a proxy names one remote object (connection, destination, path). The
 * generated `<prefix>_call_<method>()`, `<prefix>_get_<attr>()`, `<prefix>_set_<attr>()` and
 * `<prefix>_on_<event>()` functions take a proxy; this header is what they are built on. */
#ifndef VIREO_COMPONENT_PROXY_H
#define VIREO_COMPONENT_PROXY_H

#include <dbus/dbus.h>

#include "component/bus.h"
#include "component/error.h"
#include "component/object.h"

typedef struct vireo_proxy vireo_proxy;

/* `dest`: bus name of the service ("org.vireo.Vireo1"), NULL on a peer connection. Returns
 * NULL if out of memory or `path` is malformed. */
vireo_proxy *vireo_proxy_new(vireo_bus *bus, const char *dest, const char *path);
vireo_proxy *vireo_proxy_ref(vireo_proxy *proxy);
vireo_proxy *vireo_proxy_unref(vireo_proxy *proxy); /* accepts NULL, returns NULL */
static inline void vireo_proxy_unrefp(vireo_proxy **p)
{
    vireo_proxy_unref(*p);
}
vireo_bus *vireo_proxy_bus(vireo_proxy *proxy);
const char *vireo_proxy_path(vireo_proxy *proxy);
const char *vireo_proxy_destination(vireo_proxy *proxy);
/* Reply timeout for calls (default 25 s, libdbus's default; -1 restores it). */
void vireo_proxy_set_timeout(vireo_proxy *proxy, int timeout_ms);

/* A method call message to fill with arguments. */
DBusMessage *vireo_proxy_new_call(vireo_proxy *proxy, const vireo_interface_info *iface,
                                  const char *method);
/* Properties.Get / Properties.Set messages; for Set, append the variant value next. */
DBusMessage *vireo_proxy_new_get(vireo_proxy *proxy, const vireo_interface_info *iface,
                                 const char *property);
DBusMessage *vireo_proxy_new_set(vireo_proxy *proxy, const vireo_interface_info *iface,
                                 const char *property);

/* Send `msg` (consumed; NULL is treated as out of memory) and wait for the reply. On success
 * *ret_reply is the reply, whose signature was checked against `out_sig`. On failure returns
 * a negative errno with *errp set: the D-Bus error of the reply, its code mapped through the
 * interface's library, or a protocol error. */
int vireo_proxy_call(vireo_proxy *proxy, DBusMessage *msg, const vireo_interface_info *iface,
                     const char *out_sig, DBusMessage **ret_reply, vireo_error **errp);

/* Asynchronous call: `fn` runs from the main loop with the reply (an error reply if the
 * call failed, timed out or the peer vanished; never NULL). Pass it to the generated
 * `<prefix>_call_<method>_finish()` to decode. Returns 0 or a negative errno. */
typedef void (*vireo_reply_fn)(vireo_proxy *proxy, DBusMessage *reply, void *userdata);
int vireo_proxy_call_async(vireo_proxy *proxy, DBusMessage *msg, vireo_reply_fn fn, void *userdata,
                           vireo_error **errp);

/* Check a reply: error replies become *errp (codes via `iface`'s library), a signature
 * other than `out_sig` is an InvalidArgs error. Returns 0 or a negative errno. */
int vireo_proxy_check_reply(DBusMessage *reply, const vireo_interface_info *iface,
                            const char *out_sig, vireo_error **errp);
/* Turn an error message into error info (code looked up in `lib`, which may be NULL). */
vireo_error *vireo_error_from_message(DBusMessage *msg, const vireo_library_info *lib);

/* Signals of the proxied object: `raw` decodes the message and calls the typed callback
 * `cb` (generated code supplies both). */
typedef void (*vireo_signal_raw_fn)(vireo_proxy *proxy, DBusMessage *msg, void (*cb)(void),
                                    void *userdata);
vireo_subscription *vireo_proxy_subscribe(vireo_proxy *proxy, const vireo_interface_info *iface,
                                          const char *member, vireo_signal_raw_fn raw,
                                          void (*cb)(void), void *userdata, vireo_error **errp);

/* PropertiesChanged of the proxied object for interface `iface`: `fn` runs once per changed
 * (or invalidated) property, with its D-Bus name ("MemorySize"); read the new value with the
 * generated getter if needed. */
typedef void (*vireo_property_changed_fn)(vireo_proxy *proxy, const char *property, void *userdata);
vireo_subscription *vireo_proxy_on_properties_changed(vireo_proxy *proxy,
                                                      const vireo_interface_info *iface,
                                                      vireo_property_changed_fn fn, void *userdata,
                                                      vireo_error **errp);

#endif

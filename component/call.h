/* An incoming method call being served.
 *
 * The generated skeleton creates a call, decodes the arguments and passes the call to the
 * implementation's handler, which answers with the generated `<prefix>_complete_<method>()`
 * (values) or with vireo_call_return_error() — now, or later: to answer after work finishes,
 * take a reference (vireo_call_ref()) and complete when done. A call whose last reference is
 * dropped unanswered is answered with org.freedesktop.DBus.Error.Failed, so a caller never
 * hangs on a forgotten call. Answering twice is ignored (-EALREADY). */
#ifndef VIREO_COMPONENT_CALL_H
#define VIREO_COMPONENT_CALL_H

#include <dbus/dbus.h>
#include <stdbool.h>

#include "component/bus.h"
#include "component/error.h"

vireo_call *vireo_call_ref(vireo_call *call);
vireo_call *vireo_call_unref(vireo_call *call); /* accepts NULL, returns NULL */
static inline void vireo_call_unrefp(vireo_call **p)
{
    vireo_call_unref(*p);
}

DBusMessage *vireo_call_message(vireo_call *call);
vireo_bus *vireo_call_bus(vireo_call *call);
/* The caller's unique bus name (NULL on a peer connection). */
const char *vireo_call_sender(vireo_call *call);
const char *vireo_call_path(vireo_call *call);
/* The object the call was dispatched to (borrowed, alive while the call is). */
vireo_object *vireo_call_object(vireo_call *call);
bool vireo_call_answered(vireo_call *call);

/* For generated code: a reply message to fill, and sending it (consumes `reply`). */
DBusMessage *vireo_call_new_reply(vireo_call *call);
int vireo_call_send_reply(vireo_call *call, DBusMessage *reply);

/* Answer with an error (D-Bus name and message from `err`; `err` is not consumed). */
int vireo_call_return_error(vireo_call *call, const vireo_error *err);
int vireo_call_return_errorf(vireo_call *call, uint32_t code, const char *name, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
/* For generated handlers: answer a failed handler with `err` (consumed), or if none was
 * set with an error made from `neg_errno`; does nothing if already answered. Returns
 * neg_errno. */
int vireo_call_fail(vireo_call *call, vireo_error *err, int neg_errno);

/* Internal: create a call for a dispatched message. */
vireo_call *vireo_call_new(vireo_bus *bus, DBusMessage *msg, vireo_object *obj);

#endif

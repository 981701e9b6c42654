/* An incoming method call being served (see call.h). */
#include "component/call.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "component/bus_private.h"

struct vireo_call {
    int refs;
    vireo_bus *bus;
    DBusMessage *msg;
    vireo_object *obj;
    bool answered;
};

vireo_call *vireo_call_new(vireo_bus *bus, DBusMessage *msg, vireo_object *obj)
{
    vireo_call *call = calloc(1, sizeof(*call));

    if (!call)
        return NULL;
    call->refs = 1;
    call->bus = vireo_bus_ref(bus);
    call->msg = dbus_message_ref(msg);
    call->obj = vireo_object_ref(obj);
    /* A caller that asked for no reply gets none, not even the "forgotten" error. */
    call->answered = dbus_message_get_no_reply(msg);
    return call;
}

vireo_call *vireo_call_ref(vireo_call *call)
{
    if (call)
        call->refs++;
    return call;
}

vireo_call *vireo_call_unref(vireo_call *call)
{
    if (!call || --call->refs > 0)
        return NULL;
    if (!call->answered)
        vireo_call_return_errorf(call, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED,
                                 "the implementation of %s did not answer",
                                 dbus_message_get_member(call->msg));
    dbus_message_unref(call->msg);
    vireo_object_unref(call->obj);
    vireo_bus_unref(call->bus);
    free(call);
    return NULL;
}

DBusMessage *vireo_call_message(vireo_call *call)
{
    return call->msg;
}

vireo_bus *vireo_call_bus(vireo_call *call)
{
    return call->bus;
}

const char *vireo_call_sender(vireo_call *call)
{
    return dbus_message_get_sender(call->msg);
}

const char *vireo_call_path(vireo_call *call)
{
    return dbus_message_get_path(call->msg);
}

vireo_object *vireo_call_object(vireo_call *call)
{
    return call->obj;
}

bool vireo_call_answered(vireo_call *call)
{
    return call->answered;
}

DBusMessage *vireo_call_new_reply(vireo_call *call)
{
    return dbus_message_new_method_return(call->msg);
}

int vireo_call_send_reply(vireo_call *call, DBusMessage *reply)
{
    if (!reply)
        return -ENOMEM;
    if (call->answered) {
        dbus_message_unref(reply);
        /* Completing a no-reply call is normal, completing twice is a bug. */
        return dbus_message_get_no_reply(call->msg) ? 0 : -EALREADY;
    }
    call->answered = true;
    /* Sending to a caller that has gone away is not an error for us: the bus drops it. */
    return vireo_bus_send(call->bus, reply);
}

int vireo_call_return_error(vireo_call *call, const vireo_error *err)
{
    const char *name = err ? err->name : VIREO_DBUS_ERROR_FAILED;
    const char *text = err ? err->message : "failed";

    if (call->answered)
        return dbus_message_get_no_reply(call->msg) ? 0 : -EALREADY;
    return vireo_call_send_reply(call, dbus_message_new_error(call->msg, name, text));
}

int vireo_call_return_errorf(vireo_call *call, uint32_t code, const char *name, const char *fmt,
                             ...)
{
    vireo_error *err = NULL;
    va_list ap;
    int r;

    va_start(ap, fmt);
    vireo_error_setv(&err, code, name, fmt, ap);
    va_end(ap);
    r = vireo_call_return_error(call, err);
    vireo_error_free(err);
    return r;
}

int vireo_call_fail(vireo_call *call, vireo_error *err, int neg_errno)
{
    if (!err)
        vireo_error_set_errno(&err, neg_errno < 0 ? neg_errno : -EIO,
                              dbus_message_get_member(call->msg));
    if (!call->answered)
        vireo_call_return_error(call, err);
    vireo_error_free(err);
    return neg_errno;
}

/* Relaying calls to objects that live in another process (see vireo_bus_add_relay()).
 *
 * A call under a relayed prefix is copied (arguments and fds included), re-addressed and sent
 * to the target connection; the target's reply is copied back as the reply to the original
 * call. Signals the target emits under its prefix are re-emitted on this bus, so clients see
 * the relayed objects as if this process owned them. */
#include "component/bus_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bus_relay {
    bus_relay *next;
    vireo_bus *bus; /* not a reference: the relay dies with its bus */
    char *prefix;
    vireo_bus *target;
    char *target_dest;
    char *target_prefix;
    vireo_subscription *signals;
};

typedef struct pending_relay {
    vireo_bus *bus;
    DBusMessage *orig;
} pending_relay;

/* `path` with `from` replaced by `to` (path is at or below `from`). */
static char *rewrite_path(const char *path, const char *from, const char *to)
{
    const char *rest = strcmp(from, "/") == 0 ? path : path + strlen(from);
    char *out = NULL;

    if (strcmp(to, "/") == 0 && *rest)
        to = "";
    if (asprintf(&out, "%s%s", to, rest) < 0)
        return NULL;
    return out;
}

static bus_relay *find_relay(vireo_bus *bus, const char *path)
{
    for (bus_relay *r = bus->relays; r; r = r->next)
        if (bus_path_has_prefix(path, r->prefix))
            return r;
    return NULL;
}

bool bus_relay_is_below(vireo_bus *bus, const char *path, const char **ret_child_prefix,
                        size_t *iter)
{
    size_t i = 0;

    for (bus_relay *r = bus->relays; r; r = r->next, i++) {
        if (i < *iter)
            continue;
        if (strcmp(r->prefix, path) != 0 && bus_path_has_prefix(r->prefix, path)) {
            *ret_child_prefix = r->prefix;
            *iter = i + 1;
            return true;
        }
    }
    return false;
}

static void pending_free(void *data)
{
    pending_relay *p = data;

    dbus_message_unref(p->orig);
    vireo_bus_unref(p->bus);
    free(p);
}

static void relay_reply(DBusPendingCall *pc, void *data)
{
    pending_relay *p = data;
    DBusMessage *reply = dbus_pending_call_steal_reply(pc);
    DBusMessage *back = reply ? dbus_message_copy(reply) : NULL;

    if (!back) {
        bus_reply_error(p->bus, p->orig, VIREO_DBUS_ERROR_NO_REPLY, "relayed call got no reply");
    } else {
        dbus_message_set_sender(back, NULL);
        dbus_message_set_destination(back, dbus_message_get_sender(p->orig));
        dbus_message_set_reply_serial(back, dbus_message_get_serial(p->orig));
        vireo_bus_send(p->bus, back);
    }
    if (reply)
        dbus_message_unref(reply);
    dbus_pending_call_unref(pc);
}

static int forward(bus_relay *r, DBusMessage *msg)
{
    DBusMessage *copy = dbus_message_copy(msg);
    char *path = rewrite_path(dbus_message_get_path(msg), r->prefix, r->target_prefix);
    DBusPendingCall *pc = NULL;
    pending_relay *p = NULL;
    int ret = -ENOMEM;

    if (!copy || !path || !dbus_message_set_path(copy, path) ||
        !dbus_message_set_destination(copy, r->target_dest) || !dbus_message_set_sender(copy, NULL))
        goto out;
    if (dbus_message_get_no_reply(msg)) {
        ret = dbus_connection_send(r->target->conn, copy, NULL) ? 0 : -ENOMEM;
        goto out;
    }
    if (!dbus_connection_send_with_reply(r->target->conn, copy, &pc, DBUS_TIMEOUT_USE_DEFAULT))
        goto out;
    ret = -ENOTCONN;
    if (!pc)
        goto out;
    p = calloc(1, sizeof(*p));
    if (!p) {
        ret = -ENOMEM;
        dbus_pending_call_cancel(pc);
        dbus_pending_call_unref(pc);
        goto out;
    }
    p->bus = vireo_bus_ref(r->bus);
    p->orig = dbus_message_ref(msg);
    if (!dbus_pending_call_set_notify(pc, relay_reply, p, pending_free)) {
        pending_free(p);
        dbus_pending_call_cancel(pc);
        dbus_pending_call_unref(pc);
        ret = -ENOMEM;
        goto out;
    }
    ret = 0;
out:
    if (copy)
        dbus_message_unref(copy);
    free(path);
    return ret;
}

DBusHandlerResult bus_relay_dispatch(vireo_bus *bus, DBusMessage *msg)
{
    const char *path = dbus_message_get_path(msg);
    bus_relay *r = path ? find_relay(bus, path) : NULL;
    int ret;

    if (!r)
        return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    ret = forward(r, msg);
    if (ret == -ENOTCONN)
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_DISCONNECTED, "the process serving %s is gone",
                        path);
    else if (ret < 0)
        bus_reply_error(bus, msg, VIREO_DBUS_ERROR_NO_MEMORY, "out of memory relaying %s", path);
    return DBUS_HANDLER_RESULT_HANDLED;
}

/* A signal from the target under its prefix: re-emit here under ours. */
static void relay_signal(vireo_bus *target, DBusMessage *msg, void *data)
{
    bus_relay *r = data;
    DBusMessage *copy = dbus_message_copy(msg);
    char *path = rewrite_path(dbus_message_get_path(msg), r->target_prefix, r->prefix);

    if (copy && path && dbus_message_set_path(copy, path) &&
        dbus_message_set_destination(copy, NULL) && dbus_message_set_sender(copy, NULL))
        vireo_bus_send(r->bus, copy);
    else if (copy)
        dbus_message_unref(copy);
    free(path);
}

static bus_relay *relay_free(bus_relay *r)
{
    bus_relay *next = r->next;

    vireo_subscription_free(r->signals);
    if (r->target != r->bus)
        vireo_bus_unref(r->target);
    free(r->prefix);
    free(r->target_dest);
    free(r->target_prefix);
    free(r);
    return next;
}

int vireo_bus_add_relay(vireo_bus *bus, const char *prefix, vireo_bus *target,
                        const char *target_dest, const char *target_prefix, vireo_error **errp)
{
    bus_relay *r;

    if (!dbus_validate_path(prefix, NULL) || !dbus_validate_path(target_prefix, NULL) ||
        (target->on_bus && !target_dest)) {
        vireo_error_set(errp, VIREO_E_INVALID_ARGS, VIREO_DBUS_ERROR_INVALID_ARGS,
                        "bad relay %s -> %s", prefix, target_prefix);
        return -EINVAL;
    }
    for (r = bus->relays; r; r = r->next)
        if (strcmp(r->prefix, prefix) == 0) {
            vireo_error_set(errp, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED, "%s is already relayed",
                            prefix);
            return -EEXIST;
        }
    r = calloc(1, sizeof(*r));
    if (!r)
        return vireo_error_set_errno(errp, -ENOMEM, "relay");
    r->bus = bus;
    /* Relaying on the same connection takes no reference: it would keep the bus alive. */
    r->target = target == bus ? bus : vireo_bus_ref(target);
    r->prefix = strdup(prefix);
    r->target_prefix = strdup(target_prefix);
    r->target_dest = target_dest ? strdup(target_dest) : NULL;
    if (r->prefix && r->target_prefix && (!target_dest || r->target_dest))
        r->signals = vireo_bus_subscribe(target, target_dest, target_prefix, true, NULL, NULL,
                                         relay_signal, r, errp);
    if (!r->signals) {
        relay_free(r);
        return vireo_error_set_errno(errp, -ENOMEM, "relay");
    }
    r->next = bus->relays;
    bus->relays = r;
    return 0;
}

int vireo_bus_remove_relay(vireo_bus *bus, const char *prefix)
{
    for (bus_relay **pp = &bus->relays; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->prefix, prefix) == 0) {
            *pp = relay_free(*pp);
            return 0;
        }
    return -ENOENT;
}

void bus_relays_free(vireo_bus *bus)
{
    while (bus->relays)
        bus->relays = relay_free(bus->relays);
}

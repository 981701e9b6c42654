/* Pipelined property reads (see fetch.h). */
#include "frontends/cli/fetch.h"

#include <errno.h>
#include <stdlib.h>

#define WINDOW                                                                                     \
    64 /* outstanding calls: well under dbus-daemon's default max_replies_per_connection (128) */

void cli_replies_free(DBusMessage **replies, size_t n)
{
    if (!replies)
        return;
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            dbus_message_unref(replies[i]);
    free(replies);
}

/* Send requests [from, to) and collect their replies into out[]. */
static int fetch_window(cli_ctx *ctx, char *const *paths, size_t from, size_t to,
                        const vireo_interface_info *iface, const char *prop, DBusMessage **out,
                        vireo_error **errp)
{
    DBusConnection *conn = vireo_bus_connection(ctx->bus);
    DBusPendingCall *pending[WINDOW] = {0};
    int r = 0;
    for (size_t i = from; i < to && r == 0; i++) {
        vireo_proxy *p = cli_proxy(ctx, paths[i]);
        DBusMessage *m = vireo_proxy_new_get(p, iface, prop);
        vireo_proxy_unref(p);
        if (!m || !dbus_connection_send_with_reply(conn, m, &pending[i - from], -1) ||
            !pending[i - from])
            r = vireo_error_set_errno(errp, -ENOMEM, "sending Properties.Get");
        if (m)
            dbus_message_unref(m);
    }
    for (size_t i = from; i < to; i++) {
        DBusPendingCall *pc = pending[i - from];
        if (!pc)
            continue;
        dbus_pending_call_block(pc);
        DBusMessage *reply = dbus_pending_call_steal_reply(pc);
        dbus_pending_call_unref(pc);
        if (r == 0 && vireo_proxy_check_reply(reply, iface, "v", errp) < 0)
            r = -EIO;
        out[i] = reply;
    }
    return r;
}

int cli_fetch_property(cli_ctx *ctx, char *const *paths, size_t n,
                       const vireo_interface_info *iface, const char *prop,
                       DBusMessage ***ret_replies, vireo_error **errp)
{
    DBusMessage **out = calloc(n ? n : 1, sizeof(*out));
    if (!out)
        return vireo_error_set_errno(errp, -ENOMEM, "reply table");
    int r = 0;
    for (size_t from = 0; from < n && r == 0; from += WINDOW)
        r = fetch_window(ctx, paths, from, from + WINDOW < n ? from + WINDOW : n, iface, prop, out,
                         errp);
    if (r < 0) {
        cli_replies_free(out, n);
        return r;
    }
    *ret_replies = out;
    return 0;
}

static int variant(DBusMessage *reply, int type, DBusMessageIter *ret)
{
    DBusMessageIter it;
    if (!dbus_message_iter_init(reply, &it) || dbus_message_iter_get_arg_type(&it) != 'v')
        return -EINVAL;
    dbus_message_iter_recurse(&it, ret);
    return dbus_message_iter_get_arg_type(ret) == type ? 0 : -EINVAL;
}

int cli_reply_string(DBusMessage *reply, const char **ret)
{
    DBusMessageIter v;
    if (variant(reply, DBUS_TYPE_STRING, &v) < 0)
        return -EINVAL;
    dbus_message_iter_get_basic(&v, ret);
    return 0;
}

int cli_reply_u32(DBusMessage *reply, uint32_t *ret)
{
    DBusMessageIter v;
    if (variant(reply, DBUS_TYPE_UINT32, &v) < 0)
        return -EINVAL;
    dbus_uint32_t x;
    dbus_message_iter_get_basic(&v, &x);
    *ret = x;
    return 0;
}

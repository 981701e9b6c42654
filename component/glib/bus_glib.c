/* GLib main-loop adapter (see bus_glib.h): each enabled libdbus watch is a GLib fd source,
 * each timeout a timeout source, and pending incoming messages an idle source. */
#include "component/glib/bus_glib.h"

#include <errno.h>
#include <glib-unix.h>

#include "component/bus_private.h"

typedef struct glib_binding {
    GMainContext *ctx;
    GSource *dispatch;
    GPtrArray *sources; /* every fd and timeout source, to destroy on detach */
} glib_binding;

static void forget_source(vireo_bus *bus, GSource *src)
{
    glib_binding *gb = bus->loop_data;

    if (!src)
        return;
    if (gb)
        g_ptr_array_remove_fast(gb->sources, src);
    g_source_destroy(src);
    g_source_unref(src);
}

static gboolean watch_ready(gint fd, GIOCondition cond, gpointer data)
{
    DBusWatch *w = data;
    unsigned flags = 0;

    if (cond & G_IO_IN)
        flags |= DBUS_WATCH_READABLE;
    if (cond & G_IO_OUT)
        flags |= DBUS_WATCH_WRITABLE;
    if (cond & G_IO_ERR)
        flags |= DBUS_WATCH_ERROR;
    if (cond & G_IO_HUP)
        flags |= DBUS_WATCH_HANGUP;
    dbus_watch_handle(w, flags);
    return G_SOURCE_CONTINUE;
}

/* (Re)create the source of a watch to match its enabled state and flags. */
static void watch_sync(vireo_bus *bus, DBusWatch *w)
{
    glib_binding *gb = bus->loop_data;
    GIOCondition cond = 0;
    unsigned flags = dbus_watch_get_flags(w);
    GSource *src;

    forget_source(bus, dbus_watch_get_data(w));
    dbus_watch_set_data(w, NULL, NULL);
    if (!dbus_watch_get_enabled(w))
        return;
    if (flags & DBUS_WATCH_READABLE)
        cond |= G_IO_IN;
    if (flags & DBUS_WATCH_WRITABLE)
        cond |= G_IO_OUT;
    src = g_unix_fd_source_new(dbus_watch_get_unix_fd(w), cond | G_IO_ERR | G_IO_HUP);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))watch_ready, w, NULL);
    g_source_attach(src, gb->ctx);
    g_ptr_array_add(gb->sources, src);
    dbus_watch_set_data(w, src, NULL);
}

static dbus_bool_t watch_add(DBusWatch *w, void *data)
{
    watch_sync(data, w);
    return TRUE;
}

static void watch_remove(DBusWatch *w, void *data)
{
    forget_source(data, dbus_watch_get_data(w));
    dbus_watch_set_data(w, NULL, NULL);
}

static void watch_toggled(DBusWatch *w, void *data)
{
    watch_sync(data, w);
}

static gboolean timeout_fired(gpointer data)
{
    dbus_timeout_handle(data);
    return G_SOURCE_CONTINUE;
}

static void timeout_sync(vireo_bus *bus, DBusTimeout *t)
{
    glib_binding *gb = bus->loop_data;
    GSource *src;

    forget_source(bus, dbus_timeout_get_data(t));
    dbus_timeout_set_data(t, NULL, NULL);
    if (!dbus_timeout_get_enabled(t))
        return;
    src = g_timeout_source_new((guint)dbus_timeout_get_interval(t));
    g_source_set_callback(src, timeout_fired, t, NULL);
    g_source_attach(src, gb->ctx);
    g_ptr_array_add(gb->sources, src);
    dbus_timeout_set_data(t, src, NULL);
}

static dbus_bool_t timeout_add(DBusTimeout *t, void *data)
{
    timeout_sync(data, t);
    return TRUE;
}

static void timeout_remove(DBusTimeout *t, void *data)
{
    forget_source(data, dbus_timeout_get_data(t));
    dbus_timeout_set_data(t, NULL, NULL);
}

static void timeout_toggled(DBusTimeout *t, void *data)
{
    timeout_sync(data, t);
}

static gboolean dispatch_some(gpointer data)
{
    vireo_bus *bus = data;
    glib_binding *gb = bus->loop_data;
    gboolean more;

    vireo_bus_ref(bus);
    for (int i = 0; i < 64; i++)
        if (dbus_connection_dispatch(bus->conn) != DBUS_DISPATCH_DATA_REMAINS)
            break;
    more = dbus_connection_get_dispatch_status(bus->conn) == DBUS_DISPATCH_DATA_REMAINS;
    if (!more && gb && gb->dispatch) {
        g_source_unref(gb->dispatch);
        gb->dispatch = NULL;
    }
    vireo_bus_unref(bus);
    return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void schedule_dispatch(vireo_bus *bus)
{
    glib_binding *gb = bus->loop_data;

    if (!gb || gb->dispatch)
        return;
    gb->dispatch = g_idle_source_new();
    g_source_set_callback(gb->dispatch, dispatch_some, bus, NULL);
    g_source_attach(gb->dispatch, gb->ctx);
}

static void dispatch_status(DBusConnection *conn, DBusDispatchStatus st, void *data)
{
    if (st == DBUS_DISPATCH_DATA_REMAINS)
        schedule_dispatch(data);
}

static void glib_detach(vireo_bus *bus)
{
    glib_binding *gb = bus->loop_data;

    dbus_connection_set_watch_functions(bus->conn, NULL, NULL, NULL, NULL, NULL);
    dbus_connection_set_timeout_functions(bus->conn, NULL, NULL, NULL, NULL, NULL);
    dbus_connection_set_dispatch_status_function(bus->conn, NULL, NULL, NULL);
    if (gb->dispatch) {
        g_source_destroy(gb->dispatch);
        g_source_unref(gb->dispatch);
    }
    while (gb->sources->len) {
        GSource *src = g_ptr_array_steal_index_fast(gb->sources, gb->sources->len - 1);
        g_source_destroy(src);
        g_source_unref(src);
    }
    g_ptr_array_free(gb->sources, TRUE);
    g_main_context_unref(gb->ctx);
    g_free(gb);
    bus->loop_data = NULL;
    bus->loop_detach = NULL;
}

int vireo_bus_attach_glib(vireo_bus *bus, GMainContext *ctx, vireo_error **errp)
{
    glib_binding *gb;

    if (bus->loop_data) {
        vireo_error_set(errp, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED,
                        "bus is already attached to a main loop");
        return -EBUSY;
    }
    gb = g_new0(glib_binding, 1);
    gb->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    gb->sources = g_ptr_array_new();
    bus->loop_data = gb;
    bus->loop_detach = glib_detach;
    if (!dbus_connection_set_watch_functions(bus->conn, watch_add, watch_remove, watch_toggled, bus,
                                             NULL) ||
        !dbus_connection_set_timeout_functions(bus->conn, timeout_add, timeout_remove,
                                               timeout_toggled, bus, NULL)) {
        glib_detach(bus);
        return vireo_error_set_errno(errp, -ENOMEM, "attach");
    }
    dbus_connection_set_dispatch_status_function(bus->conn, dispatch_status, bus, NULL);
    if (dbus_connection_get_dispatch_status(bus->conn) == DBUS_DISPATCH_DATA_REMAINS)
        schedule_dispatch(bus);
    return 0;
}

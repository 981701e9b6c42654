/* Running bus connections and private servers from the epoll loop: libdbus watches become
 * io sources, its timeouts timers, and pending incoming messages a defer source that
 * dispatches them. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "component/bus_private.h"

/* libdbus may watch one fd twice (one watch for reading, one for writing) and epoll takes
 * each fd once, so watches are grouped by fd. */
#define WATCHES_PER_FD 4

typedef struct fd_entry {
    struct fd_entry *next;
    int fd;
    vireo_source *src;
    DBusWatch *watches[WATCHES_PER_FD];
} fd_entry;

typedef struct loop_binding {
    vireo_loop *loop;
    vireo_source *dispatch;
    fd_entry *fds;
} loop_binding;

static uint32_t watch_events(DBusWatch *w)
{
    unsigned flags = dbus_watch_get_flags(w);
    uint32_t ev = 0;

    if (!dbus_watch_get_enabled(w))
        return 0;
    if (flags & DBUS_WATCH_READABLE)
        ev |= EPOLLIN;
    if (flags & DBUS_WATCH_WRITABLE)
        ev |= EPOLLOUT;
    return ev;
}

static uint32_t entry_events(const fd_entry *e)
{
    uint32_t ev = 0;

    for (int i = 0; i < WATCHES_PER_FD; i++)
        if (e->watches[i])
            ev |= watch_events(e->watches[i]);
    return ev;
}

static void watch_ready(vireo_source *src, int fd, uint32_t revents, void *ud)
{
    fd_entry *e = ud;
    DBusWatch *ready[WATCHES_PER_FD];
    unsigned flags[WATCHES_PER_FD];
    int n = 0;

    /* Collect first: handling a watch may add or remove watches of this entry. */
    for (int i = 0; i < WATCHES_PER_FD; i++) {
        DBusWatch *w = e->watches[i];
        unsigned f = 0;
        if (!w || !dbus_watch_get_enabled(w))
            continue;
        if ((revents & EPOLLIN) && (dbus_watch_get_flags(w) & DBUS_WATCH_READABLE))
            f |= DBUS_WATCH_READABLE;
        if ((revents & EPOLLOUT) && (dbus_watch_get_flags(w) & DBUS_WATCH_WRITABLE))
            f |= DBUS_WATCH_WRITABLE;
        if (revents & EPOLLERR)
            f |= DBUS_WATCH_ERROR;
        if (revents & EPOLLHUP)
            f |= DBUS_WATCH_HANGUP;
        if (f) {
            ready[n] = w;
            flags[n++] = f;
        }
    }
    for (int i = 0; i < n; i++)
        dbus_watch_handle(ready[i], flags[i]);
}

static fd_entry *entry_for_fd(loop_binding *lb, int fd, bool create)
{
    fd_entry *e;

    for (e = lb->fds; e; e = e->next)
        if (e->fd == fd)
            return e;
    if (!create)
        return NULL;
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->fd = fd;
    e->src = vireo_loop_add_io(lb->loop, fd, 0, watch_ready, e);
    if (!e->src) {
        free(e);
        return NULL;
    }
    e->next = lb->fds;
    lb->fds = e;
    return e;
}

static void entry_update(loop_binding *lb, fd_entry *e)
{
    bool empty = true;

    for (int i = 0; i < WATCHES_PER_FD; i++)
        if (e->watches[i])
            empty = false;
    if (!empty) {
        vireo_source_set_io_events(e->src, entry_events(e));
        return;
    }
    for (fd_entry **pp = &lb->fds; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    vireo_source_remove(e->src);
    free(e);
}

static dbus_bool_t watch_add(DBusWatch *w, void *data)
{
    loop_binding *lb = data;
    fd_entry *e = entry_for_fd(lb, dbus_watch_get_unix_fd(w), true);

    if (!e)
        return FALSE;
    for (int i = 0; i < WATCHES_PER_FD; i++)
        if (!e->watches[i]) {
            e->watches[i] = w;
            dbus_watch_set_data(w, e, NULL);
            entry_update(lb, e);
            return TRUE;
        }
    entry_update(lb, e);
    return FALSE;
}

static void watch_remove(DBusWatch *w, void *data)
{
    loop_binding *lb = data;
    fd_entry *e = dbus_watch_get_data(w);

    if (!e || !lb)
        return;
    for (int i = 0; i < WATCHES_PER_FD; i++)
        if (e->watches[i] == w)
            e->watches[i] = NULL;
    dbus_watch_set_data(w, NULL, NULL);
    entry_update(lb, e);
}

static void watch_toggled(DBusWatch *w, void *data)
{
    fd_entry *e = dbus_watch_get_data(w);

    if (e)
        vireo_source_set_io_events(e->src, entry_events(e));
}

static void timeout_fired(vireo_source *src, void *ud)
{
    dbus_timeout_handle(ud);
}

static uint64_t timeout_usec(DBusTimeout *t)
{
    int ms = dbus_timeout_get_interval(t);

    if (!dbus_timeout_get_enabled(t))
        return 0; /* disarmed */
    /* An enabled timeout of 0 ms must still fire: a timer of 0 would mean disarmed. */
    return ms > 0 ? (uint64_t)ms * 1000u : 1;
}

static dbus_bool_t timeout_add(DBusTimeout *t, void *data)
{
    loop_binding *lb = data;
    vireo_source *src = vireo_loop_add_timer(lb->loop, timeout_usec(t), true, timeout_fired, t);

    if (!src)
        return FALSE;
    dbus_timeout_set_data(t, src, NULL);
    return TRUE;
}

static void timeout_remove(DBusTimeout *t, void *data)
{
    vireo_source_remove(dbus_timeout_get_data(t));
    dbus_timeout_set_data(t, NULL, NULL);
}

static void timeout_toggled(DBusTimeout *t, void *data)
{
    vireo_source *src = dbus_timeout_get_data(t);

    if (src)
        vireo_source_set_timer(src, timeout_usec(t), true);
}

static void dispatch_status(DBusConnection *conn, DBusDispatchStatus st, void *data)
{
    vireo_bus *bus = data;
    loop_binding *lb = bus->loop_data;

    if (lb)
        vireo_source_set_enabled(lb->dispatch, st == DBUS_DISPATCH_DATA_REMAINS);
}

static void dispatch_some(vireo_source *src, void *ud)
{
    vireo_bus *bus = ud;

    /* A bounded batch per iteration keeps other sources from starving. */
    vireo_bus_ref(bus);
    for (int i = 0; i < 64; i++)
        if (dbus_connection_dispatch(bus->conn) != DBUS_DISPATCH_DATA_REMAINS)
            break;
    if (bus->loop_data)
        vireo_source_set_enabled(src, dbus_connection_get_dispatch_status(bus->conn) ==
                                          DBUS_DISPATCH_DATA_REMAINS);
    vireo_bus_unref(bus);
}

static void binding_free(loop_binding *lb)
{
    vireo_source_remove(lb->dispatch);
    while (lb->fds) {
        fd_entry *e = lb->fds;
        lb->fds = e->next;
        vireo_source_remove(e->src);
        free(e);
    }
    free(lb);
}

static void loop_detach(vireo_bus *bus)
{
    loop_binding *lb = bus->loop_data;

    dbus_connection_set_watch_functions(bus->conn, NULL, NULL, NULL, NULL, NULL);
    dbus_connection_set_timeout_functions(bus->conn, NULL, NULL, NULL, NULL, NULL);
    dbus_connection_set_dispatch_status_function(bus->conn, NULL, NULL, NULL);
    binding_free(lb);
    bus->loop_data = NULL;
    bus->loop_detach = NULL;
}

int vireo_bus_attach_loop(vireo_bus *bus, vireo_loop *loop, vireo_error **errp)
{
    loop_binding *lb;

    if (bus->loop_data) {
        vireo_error_set(errp, VIREO_E_FAILED, VIREO_DBUS_ERROR_FAILED,
                        "bus is already attached to a main loop");
        return -EBUSY;
    }
    lb = calloc(1, sizeof(*lb));
    if (!lb)
        return vireo_error_set_errno(errp, -ENOMEM, "attach");
    lb->loop = loop;
    lb->dispatch = vireo_loop_add_defer(loop, dispatch_some, bus);
    if (!lb->dispatch) {
        free(lb);
        return vireo_error_set_errno(errp, -ENOMEM, "attach");
    }
    bus->loop_data = lb;
    bus->loop_detach = loop_detach;
    if (!dbus_connection_set_watch_functions(bus->conn, watch_add, watch_remove, watch_toggled, lb,
                                             NULL) ||
        !dbus_connection_set_timeout_functions(bus->conn, timeout_add, timeout_remove,
                                               timeout_toggled, lb, NULL)) {
        loop_detach(bus);
        return vireo_error_set_errno(errp, -ENOMEM, "attach");
    }
    dbus_connection_set_dispatch_status_function(bus->conn, dispatch_status, bus, NULL);
    vireo_source_set_enabled(lb->dispatch, dbus_connection_get_dispatch_status(bus->conn) ==
                                               DBUS_DISPATCH_DATA_REMAINS);
    return 0;
}

/* ---- a DBusServer for private peer-to-peer connections ---- */

struct vireo_server {
    DBusServer *server;
    vireo_loop *loop;
    loop_binding *lb;
    vireo_server_conn_fn fn;
    void *userdata;
    char *address;
};

static void server_new_connection(DBusServer *server, DBusConnection *conn, void *data)
{
    vireo_server *srv = data;
    vireo_bus *peer = vireo_bus_new_peer(conn, NULL);

    if (!peer)
        return; /* not referenced: libdbus drops the connection */
    if (vireo_bus_attach_loop(peer, srv->loop, NULL) == 0)
        srv->fn(srv, peer, srv->userdata);
    vireo_bus_unref(peer);
}

vireo_server *vireo_server_new(vireo_loop *loop, const char *address, vireo_server_conn_fn fn,
                               void *userdata, vireo_error **errp)
{
    vireo_server *srv = calloc(1, sizeof(*srv));
    DBusError de;

    if (!srv) {
        vireo_error_set_errno(errp, -ENOMEM, "server");
        return NULL;
    }
    dbus_threads_init_default();
    dbus_error_init(&de);
    *srv = (vireo_server){.loop = loop, .fn = fn, .userdata = userdata};
    srv->server = dbus_server_listen(address, &de);
    if (!srv->server) {
        vireo_error_set(errp, VIREO_E_FAILED, de.name, "%s: %s", address, de.message);
        dbus_error_free(&de);
        free(srv);
        return NULL;
    }
    srv->address = dbus_server_get_address(srv->server);
    srv->lb = calloc(1, sizeof(*srv->lb));
    if (srv->lb && srv->address) {
        srv->lb->loop = loop;
        dbus_server_set_new_connection_function(srv->server, server_new_connection, srv, NULL);
    }
    if (!srv->lb || !srv->address ||
        !dbus_server_set_watch_functions(srv->server, watch_add, watch_remove, watch_toggled,
                                         srv->lb, NULL) ||
        !dbus_server_set_timeout_functions(srv->server, timeout_add, timeout_remove,
                                           timeout_toggled, srv->lb, NULL)) {
        vireo_server_free(srv);
        vireo_error_set_errno(errp, -ENOMEM, "server");
        return NULL;
    }
    return srv;
}

const char *vireo_server_address(vireo_server *srv)
{
    return srv->address;
}

vireo_server *vireo_server_free(vireo_server *srv)
{
    if (!srv)
        return NULL;
    dbus_server_disconnect(srv->server);
    dbus_server_set_watch_functions(srv->server, NULL, NULL, NULL, NULL, NULL);
    dbus_server_set_timeout_functions(srv->server, NULL, NULL, NULL, NULL, NULL);
    dbus_server_unref(srv->server);
    if (srv->lb)
        binding_free(srv->lb);
    dbus_free(srv->address);
    free(srv);
    return NULL;
}

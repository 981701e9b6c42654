/* vireo-svc: errors, events, disconnect watches, idle tracking. */
#include "svc/daemon/service.h"
#include "svc/daemon/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/state.h"

/* svc_result and the IDL's <result> list are in the same order (svc/error.h). */
static const struct {
    uint32_t code;
    const char *name;
} results[SVC_RESULT_COUNT] = {
    [SVC_E_INVALID_ARG] = {VIREO_RESULT_INVALID_ARG, VIREO_ERROR_INVALID_ARG},
    [SVC_E_OBJECT_NOT_FOUND] = {VIREO_RESULT_OBJECT_NOT_FOUND, VIREO_ERROR_OBJECT_NOT_FOUND},
    [SVC_E_INVALID_VM_STATE] = {VIREO_RESULT_INVALID_VM_STATE, VIREO_ERROR_INVALID_VM_STATE},
    [SVC_E_INVALID_OBJECT_STATE] = {VIREO_RESULT_INVALID_OBJECT_STATE,
                                    VIREO_ERROR_INVALID_OBJECT_STATE},
    [SVC_E_INVALID_SESSION_STATE] = {VIREO_RESULT_INVALID_SESSION_STATE,
                                     VIREO_ERROR_INVALID_SESSION_STATE},
    [SVC_E_OBJECT_IN_USE] = {VIREO_RESULT_OBJECT_IN_USE, VIREO_ERROR_OBJECT_IN_USE},
    [SVC_E_BUSY] = {VIREO_RESULT_BUSY, VIREO_ERROR_BUSY},
    [SVC_E_FILE_ERROR] = {VIREO_RESULT_FILE_ERROR, VIREO_ERROR_FILE_ERROR},
    [SVC_E_IO_ERROR] = {VIREO_RESULT_IO_ERROR, VIREO_ERROR_IO_ERROR},
    [SVC_E_XML_ERROR] = {VIREO_RESULT_XML_ERROR, VIREO_ERROR_XML_ERROR},
    [SVC_E_FORMAT_ERROR] = {VIREO_RESULT_FORMAT_ERROR, VIREO_ERROR_FORMAT_ERROR},
    [SVC_E_VM_ERROR] = {VIREO_RESULT_VM_ERROR, VIREO_ERROR_VM_ERROR},
    [SVC_E_NOT_SUPPORTED] = {VIREO_RESULT_NOT_SUPPORTED, VIREO_ERROR_NOT_SUPPORTED},
    [SVC_E_NOT_IMPLEMENTED] = {VIREO_RESULT_NOT_IMPLEMENTED, VIREO_ERROR_NOT_IMPLEMENTED},
    [SVC_E_ACCESS_DENIED] = {VIREO_RESULT_ACCESS_DENIED, VIREO_ERROR_ACCESS_DENIED},
    [SVC_E_CANCELED] = {VIREO_RESULT_CANCELED, VIREO_ERROR_CANCELED},
    [SVC_E_TIMEOUT] = {VIREO_RESULT_TIMEOUT, VIREO_ERROR_TIMEOUT},
    [SVC_E_LIMIT_REACHED] = {VIREO_RESULT_LIMIT_REACHED, VIREO_ERROR_LIMIT_REACHED},
    [SVC_E_OUT_OF_MEMORY] = {VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY},
    [SVC_E_INTERNAL] = {VIREO_RESULT_INTERNAL, VIREO_ERROR_INTERNAL},
};

int svc_daemon_error(vireo_error **errp, svc_error *err, int r)
{
    unsigned c = err ? (unsigned)err->code : SVC_E_INTERNAL;
    if (c == SVC_OK || c >= SVC_RESULT_COUNT)
        c = SVC_E_INTERNAL;
    vireo_error_set(errp, results[c].code, results[c].name, "%s",
                    err ? err->message : "internal error");
    svc_error_free(err);
    return r < 0 ? r : -EINVAL;
}

static void notify_machine(svc_daemon *d, const svc_uuid *id, bool state, bool session)
{
    char *path = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MACHINE_COLLECTION, id->s);
    if (!path || !svc_daemon_find_machine_obj(d, path)) {
        free(path);
        return;
    }
    if (state)
        vireo_machine_notify_state(d->bus, path);
    if (session)
        vireo_machine_notify_session_state(d->bus, path);
    free(path);
}

void svc_daemon_flush_events(svc_daemon *d)
{
    struct svc_event ev;
    while (svc_event_pop(d->reg->events, &ev)) {
        const char *id = ev.machine.s;
        switch (ev.kind) {
        case SVC_EVENT_MACHINE_STATE_CHANGED:
            vireo_event_source_emit_machine_state_changed(d->bus, VIREO_ROOT_PATH, id,
                                                          (vireo_machine_state)ev.value);
            notify_machine(d, &ev.machine, true, false);
            break;
        case SVC_EVENT_MACHINE_REGISTERED:
            vireo_event_source_emit_machine_registered(d->bus, VIREO_ROOT_PATH, id, ev.flag);
            break;
        case SVC_EVENT_MACHINE_SETTINGS_CHANGED:
            vireo_event_source_emit_machine_settings_changed(d->bus, VIREO_ROOT_PATH, id);
            break;
        case SVC_EVENT_SESSION_STATE_CHANGED:
            vireo_event_source_emit_session_state_changed(d->bus, VIREO_ROOT_PATH, id,
                                                          (vireo_session_state)ev.value);
            notify_machine(d, &ev.machine, false, true);
            break;
        default: /* snapshot and medium events come with those features */ break;
        }
    }
}

static void drop_owned_machines(svc_daemon *d, const char *owner)
{
    for (size_t i = d->n_machines; i-- > 0;) {
        svc_machine_obj *o = d->machines[i];
        if (o->owner && strcmp(o->owner, owner) == 0 &&
            (o->kind == SVC_MOBJ_NEW || o->kind == SVC_MOBJ_OPENED))
            svc_machine_obj_drop(d, o);
    }
}

static void on_vanished(vireo_bus *bus, const char *name, void *ud)
{
    svc_daemon *d = ud;
    /* A VM process's connection: its exit decides the machine's state (vm_process.c), and
     * releases its locks then. */
    if (!svc_vm_holds_lock(d, name))
        svc_sessions_owner_gone(&d->sessions, name);
    svc_daemon_sweep_sessions(d);
    drop_owned_machines(d, name);
    for (size_t i = 0; i < d->n_watched; i++)
        if (strcmp(d->watched[i], name) == 0) {
            free(d->watched[i]); /* the runtime frees a name watch once it fired */
            d->watched[i] = d->watched[d->n_watched - 1];
            d->watch_subs[i] = d->watch_subs[d->n_watched - 1];
            d->n_watched--;
            break;
        }
    svc_daemon_flush_events(d);
    svc_daemon_update_idle(d);
}

int svc_daemon_watch(svc_daemon *d, const char *owner, vireo_error **errp)
{
    for (size_t i = 0; i < d->n_watched; i++)
        if (strcmp(d->watched[i], owner) == 0)
            return 0;
    char **w = realloc(d->watched, (d->n_watched + 1) * sizeof(*w));
    if (w)
        d->watched = w;
    vireo_subscription **s = realloc(d->watch_subs, (d->n_watched + 1) * sizeof(*s));
    if (s)
        d->watch_subs = s;
    char *copy = strdup(owner);
    if (!w || !s || !copy) {
        free(copy);
        vireo_error_set(errp, VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY,
                        "out of memory");
        return -ENOMEM;
    }
    vireo_subscription *sub = vireo_bus_watch_name_vanished(d->bus, owner, on_vanished, d, errp);
    if (!sub) {
        free(copy);
        return -EIO;
    }
    d->watched[d->n_watched] = copy;
    d->watch_subs[d->n_watched] = sub;
    d->n_watched++;
    return 0;
}

static bool busy(const svc_daemon *d)
{
    if (d->n_sessions || svc_sessions_count(&d->sessions, NULL) || svc_vm_any())
        return true;
    for (size_t i = 0; i < d->n_machines; i++)
        if (d->machines[i]->kind != SVC_MOBJ_REGISTERED ||
            svc_state_has_vm_process(d->machines[i]->m->state))
            return true;
    return false;
}

void svc_daemon_update_idle(svc_daemon *d)
{
    if (busy(d))
        d->idle_since_ms = -1;
    else if (d->idle_since_ms < 0)
        d->idle_since_ms = svc_now_ms();
}

uint32_t svc_daemon_pid_of(svc_daemon *d, const char *connection)
{
    DBusConnection *conn = vireo_bus_connection(d->bus);
    DBusMessage *msg = dbus_message_new_method_call(
        DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetConnectionUnixProcessID");
    uint32_t pid = 0;
    if (!conn || !msg || !connection ||
        !dbus_message_append_args(msg, DBUS_TYPE_STRING, &connection, DBUS_TYPE_INVALID)) {
        if (msg)
            dbus_message_unref(msg);
        return 0;
    }
    /* The bus daemon answers at once; waiting here keeps the lock path simple. */
    DBusMessage *reply = dbus_connection_send_with_reply_and_block(conn, msg, 1000, NULL);
    if (reply && !dbus_message_get_args(reply, NULL, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID))
        pid = 0;
    if (reply)
        dbus_message_unref(reply);
    dbus_message_unref(msg);
    return pid;
}

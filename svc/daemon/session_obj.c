/* ISession objects: one per lock, owned by the caller's connection. Under a Write lock the
 * session also exports the mutable copy of its machine at "<session path>/machine". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/daemon/vm.h"

static svc_session_obj *so(vireo_object *self)
{
    return (svc_session_obj *)self;
}

static int dup_str(char **ret, const char *s)
{
    *ret = strdup(s ? s : "");
    return *ret ? 0 : -ENOMEM;
}

static int get_id(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, so(self)->s->id.s);
}

static int get_state(vireo_object *self, vireo_session_state *ret, vireo_error **errp)
{
    *ret = (vireo_session_state)so(self)->s->state;
    return 0;
}

static int get_type(vireo_object *self, vireo_session_type *ret, vireo_error **errp)
{
    *ret = (vireo_session_type)so(self)->s->type;
    return 0;
}

static int get_machine(vireo_object *self, char **ret, vireo_error **errp)
{
    svc_session_obj *o = so(self);
    if (o->copy)
        return dup_str(ret, o->copy->path);
    svc_machine_obj *mo = svc_daemon_find_machine_obj_for(o->d, o->s->machine);
    return dup_str(ret, mo ? mo->path : "/");
}

static int get_console(vireo_object *self, char **ret, vireo_error **errp)
{
    svc_session_obj *o = so(self);
    const char *path = o->s->lock == SVC_LOCK_WRITE ? NULL : svc_vm_console_path(o->s->machine);
    return dup_str(ret, path ? path : "/"); /* consoles come with VM processes */
}

static int unlock_machine(vireo_object *self, vireo_call *call, vireo_error **errp)
{
    svc_session_obj *o = so(self);
    svc_daemon *d = o->d;
    svc_error *e = NULL;
    int r = svc_unlock_machine(&d->sessions, o->s, vireo_call_sender(call), &e);
    if (r < 0)
        return svc_daemon_error(errp, e, r);
    r = vireo_session_complete_unlock_machine(call);
    svc_daemon_sweep_sessions(d); /* may drop this object: nothing of it is used after */
    svc_daemon_flush_events(d);
    svc_daemon_update_idle(d);
    return r;
}

static const vireo_session_ops session_ops = {
    .get_id = get_id,
    .get_state = get_state,
    .get_type = get_type,
    .get_machine = get_machine,
    .get_console = get_console,
    .unlock_machine = unlock_machine,
};

static const vireo_object_iface session_ifaces[] = {
    {&vireo_session_interface, &session_ops},
};

static void session_destroy(vireo_object *obj)
{
    svc_session_obj *o = so(obj);
    svc_session_unref(o->s);
    free(o->path);
    free(o);
}

static const vireo_object_class session_class = {
    .name = "session",
    .ifaces = session_ifaces,
    .n_ifaces = 1,
    .destroy = session_destroy,
};

static int oom(vireo_error **errp)
{
    vireo_error_set(errp, VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY, "out of memory");
    return -ENOMEM;
}

static int export_copy(svc_daemon *d, svc_session_obj *o, vireo_error **errp)
{
    char *path = NULL;
    if (asprintf(&path, "%s/machine", o->path) < 0)
        return oom(errp);
    o->copy = svc_machine_obj_export(d, o->s->machine, SVC_MOBJ_COPY, path, o->s->owner, errp);
    free(path);
    if (!o->copy)
        return -EIO;
    o->copy->session = o->s;
    return 0;
}

svc_session_obj *svc_session_obj_export(svc_daemon *d, svc_session *s, vireo_error **errp)
{
    if (d->n_sessions == d->cap_sessions) {
        size_t cap = d->cap_sessions ? d->cap_sessions * 2 : 16;
        svc_session_obj **v = realloc(d->sessions_v, cap * sizeof(*v));
        if (!v)
            return oom(errp), NULL;
        d->sessions_v = v;
        d->cap_sessions = cap;
    }
    svc_session_obj *o = calloc(1, sizeof(*o));
    if (!o ||
        !(o->path = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_SESSION_COLLECTION, s->id.s))) {
        free(o);
        return oom(errp), NULL;
    }
    vireo_object_init(&o->base, &session_class);
    o->d = d;
    o->s = svc_session_ref(s);
    if (vireo_bus_export(d->bus, o->path, &o->base, errp) < 0 ||
        (s->lock == SVC_LOCK_WRITE && export_copy(d, o, errp) < 0)) {
        vireo_bus_unexport(d->bus, o->path);
        vireo_object_unref(&o->base);
        return NULL;
    }
    d->sessions_v[d->n_sessions++] = o;
    return o;
}

void svc_daemon_sweep_sessions(svc_daemon *d)
{
    for (size_t i = d->n_sessions; i-- > 0;) {
        svc_session_obj *o = d->sessions_v[i];
        if (o->s->state == SVC_SESSION_LOCKED)
            continue;
        d->sessions_v[i] = d->sessions_v[--d->n_sessions];
        if (o->copy)
            svc_machine_obj_drop(d, o->copy); /* not in the machine list: just unexported */
        vireo_bus_unexport(d->bus, o->path);
        vireo_object_unref(&o->base);
    }
}

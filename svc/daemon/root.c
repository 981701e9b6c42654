/* The root object /org/vireo/Vireo1: IVireo (registries, createMachine, openMachine,
 * registerMachine, findMachine, guest OS types) and IEventSource (the signals). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/validate.h"

typedef struct root {
    vireo_object base;
    svc_daemon *d;
} root;

static svc_daemon *dm(vireo_object *self)
{
    return ((root *)self)->d;
}

static int dup_str(char **ret, const char *s)
{
    *ret = strdup(s ? s : "");
    return *ret ? 0 : -ENOMEM;
}

static int get_version(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, SVC_DAEMON_VERSION);
}

static int get_api_version(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = 1;
    return 0;
}

static int get_home_folder(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, dm(self)->reg->home);
}

static int get_settings_file_path(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, dm(self)->reg->global_path);
}

static char *machine_path(const svc_machine *m)
{
    return vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MACHINE_COLLECTION, m->uuid.s);
}

static int get_machines(vireo_object *self, char ***ret, size_t *ret_n, vireo_error **errp)
{
    svc_registry *reg = dm(self)->reg;
    char **v = calloc(reg->n_machines + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < reg->n_machines; i++)
        if (!(v[i] = machine_path(reg->machines[i]))) {
            vireo_strv_free(v, i);
            return -ENOMEM;
        }
    *ret = v;
    *ret_n = reg->n_machines;
    return 0;
}

static int get_media(vireo_object *self, char ***ret, size_t *ret_n, vireo_error **errp)
{
    *ret = calloc(1, sizeof(**ret)); /* IMedium objects come with the media work */
    *ret_n = 0;
    return *ret ? 0 : -ENOMEM;
}

static int get_system_properties(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, SVC_SYSTEM_PROPERTIES_PATH);
}

static int get_guest_os_types(vireo_object *self, char ***ret, size_t *ret_n, vireo_error **errp)
{
    unsigned n;
    const struct svc_os_type *t = svc_os_types(&n);
    char **v = calloc(n + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        if (!(v[i] = strdup(t[i].id))) {
            vireo_strv_free(v, i);
            return -ENOMEM;
        }
    *ret = v;
    *ret_n = n;
    return 0;
}

static int get_event_source(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, VIREO_ROOT_PATH);
}

/* Export a machine the caller made (created or opened); it belongs to the caller. */
static int export_owned(svc_daemon *d, vireo_call *call, svc_machine *m,
                        enum svc_machine_obj_kind kind, vireo_error **errp)
{
    char *path = machine_path(m);
    const char *sender = vireo_call_sender(call);
    int r = path ? 0 : -ENOMEM;
    if (r == 0 && svc_daemon_find_machine_obj(d, path)) {
        svc_error *e = NULL;
        svc_error_set(&e, -EEXIST, SVC_E_OBJECT_IN_USE,
                      "machine %s is open already (by another call or client)", m->uuid.s);
        r = svc_daemon_error(errp, e, -EEXIST);
    }
    if (r == 0)
        r = svc_daemon_watch(d, sender ? sender : "", errp);
    svc_machine_obj *o =
        r == 0 ? svc_machine_obj_export(d, m, kind, path, sender ? sender : "", errp) : NULL;
    if (o)
        r = kind == SVC_MOBJ_NEW ? vireo_vireo_complete_create_machine(call, path)
                                 : vireo_vireo_complete_open_machine(call, path);
    else if (r == 0)
        r = -EIO;
    free(path);
    svc_daemon_update_idle(d);
    return r;
}

static int create_machine(vireo_object *self, vireo_call *call, const char *settings_file,
                          const char *name, const char *os_type_id, vireo_error **errp)
{
    svc_daemon *d = dm(self);
    svc_machine *m = NULL;
    svc_error *e = NULL;
    int r = svc_registry_create_machine(d->reg, settings_file, name, os_type_id, &m, &e);
    if (r < 0)
        return svc_daemon_error(errp, e, r);
    r = export_owned(d, call, m, SVC_MOBJ_NEW, errp);
    svc_machine_unref(m);
    return r;
}

static int open_machine(vireo_object *self, vireo_call *call, const char *settings_file,
                        vireo_error **errp)
{
    svc_daemon *d = dm(self);
    svc_machine *m = NULL;
    svc_error *e = NULL;
    int r = svc_registry_open_machine(d->reg, settings_file, &m, &e);
    if (r < 0)
        return svc_daemon_error(errp, e, r);
    r = export_owned(d, call, m, SVC_MOBJ_OPENED, errp);
    svc_machine_unref(m);
    return r;
}

static int register_machine(vireo_object *self, vireo_call *call, const char *machine,
                            vireo_error **errp)
{
    svc_daemon *d = dm(self);
    svc_machine_obj *o = svc_daemon_find_machine_obj(d, machine);
    const char *sender = vireo_call_sender(call);
    svc_error *e = NULL;
    if (!o || o->kind == SVC_MOBJ_REGISTERED)
        svc_error_set(&e, -ENOENT, o ? SVC_E_OBJECT_IN_USE : SVC_E_OBJECT_NOT_FOUND,
                      "machine: %s is %s", machine,
                      o ? "registered already" : "not a machine from createMachine or openMachine");
    else if (!sender || !o->owner || strcmp(o->owner, sender) != 0)
        svc_error_set(&e, -EACCES, SVC_E_ACCESS_DENIED, "machine: %s belongs to the connection %s",
                      machine, o->owner);
    int r = e ? -EINVAL : svc_registry_register(d->reg, o->m, &e);
    svc_daemon_flush_events(d);
    if (r < 0)
        return svc_daemon_error(errp, e, r);
    o->kind = SVC_MOBJ_REGISTERED;
    free(o->owner);
    o->owner = NULL;
    svc_daemon_update_idle(d);
    return vireo_vireo_complete_register_machine(call);
}

static int find_machine(vireo_object *self, vireo_call *call, const char *name_or_id,
                        vireo_error **errp)
{
    svc_error *e = NULL;
    svc_machine *m = svc_registry_find(dm(self)->reg, name_or_id, &e);
    if (!m)
        return svc_daemon_error(errp, e, -ENOENT);
    char *path = machine_path(m);
    int r = path ? vireo_vireo_complete_find_machine(call, path) : -ENOMEM;
    free(path);
    return r;
}

static int get_guest_os_type(vireo_object *self, vireo_call *call, const char *id,
                             vireo_error **errp)
{
    const struct svc_os_type *t = svc_os_type_find(id);
    if (!t) {
        svc_error *e = NULL;
        svc_validate_os_type(id, &e);
        return svc_daemon_error(errp, e, -EINVAL);
    }
    return vireo_vireo_complete_get_guest_os_type(call, t->description, t->family,
                                                  t->recommended_ram_mib, t->recommended_vram_mib,
                                                  t->recommended_hdd_bytes);
}

static const vireo_vireo_ops root_ops = {
    .get_version = get_version,
    .get_api_version = get_api_version,
    .get_home_folder = get_home_folder,
    .get_settings_file_path = get_settings_file_path,
    .get_machines = get_machines,
    .get_media = get_media,
    .get_system_properties = get_system_properties,
    .get_guest_os_types = get_guest_os_types,
    .get_event_source = get_event_source,
    .create_machine = create_machine,
    .open_machine = open_machine,
    .register_machine = register_machine,
    .find_machine = find_machine,
    .get_guest_os_type = get_guest_os_type,
};

static const vireo_event_source_ops event_ops;

static const vireo_object_iface root_ifaces[] = {
    {&vireo_vireo_interface, &root_ops},
    {&vireo_event_source_interface, &event_ops},
};

static void root_destroy(vireo_object *obj)
{
    free(obj);
}

static const vireo_object_class root_class = {
    .name = "vireo",
    .ifaces = root_ifaces,
    .n_ifaces = 2,
    .destroy = root_destroy,
};

vireo_object *svc_root_new(svc_daemon *d)
{
    root *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    vireo_object_init(&o->base, &root_class);
    o->d = d;
    return &o->base;
}

/* IStorageController and IMediumAttachment objects. They are exported the first time a path
 * is handed out and stay until their machine object leaves the bus; each looks its controller
 * or attachment up by name (and slot) at every call, so one that was removed meanwhile
 * answers ObjectNotFound. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/machine_setters.h"

typedef struct child_obj {
    vireo_object base;
    svc_machine_obj *machine; /* a reference */
    char *controller;
    uint32_t port, device; /* attachments */
} child_obj;

static child_obj *co(vireo_object *self)
{
    return (child_obj *)self;
}

static int not_found(vireo_error **errp, const char *what, const char *name)
{
    svc_error *e = NULL;
    svc_error_set(&e, -ENOENT, SVC_E_OBJECT_NOT_FOUND, "%s '%s' is gone", what, name);
    return svc_daemon_error(errp, e, -ENOENT);
}

static const struct svc_storage_controller *controller(vireo_object *self, vireo_error **errp)
{
    const struct svc_machine_settings *s = svc_machine_obj_view(co(self)->machine, errp);
    for (size_t i = 0; s && i < s->n_controllers; i++)
        if (strcmp(s->controllers[i].name, co(self)->controller) == 0)
            return &s->controllers[i];
    if (s)
        not_found(errp, "storage controller", co(self)->controller);
    return NULL;
}

static const struct svc_attachment *attachment(vireo_object *self, vireo_error **errp)
{
    const struct svc_storage_controller *c = controller(self, errp);
    for (size_t i = 0; c && i < c->n_attachments; i++)
        if (c->attachments[i].port == co(self)->port &&
            c->attachments[i].device == co(self)->device)
            return &c->attachments[i];
    if (c)
        not_found(errp, "attachment on", co(self)->controller);
    return NULL;
}

static int dup_str(char **ret, const char *s)
{
    *ret = strdup(s ? s : "");
    return *ret ? 0 : -ENOMEM;
}

/* ---- IStorageController ---- */

static int ctl_get_name(vireo_object *self, char **ret, vireo_error **errp)
{
    return controller(self, errp) ? dup_str(ret, co(self)->controller) : -ENOENT;
}

#define CTL_GET(fn, ctype, expr)                                                                   \
    static int fn(vireo_object *self, ctype *ret, vireo_error **errp)                              \
    {                                                                                              \
        const struct svc_storage_controller *c = controller(self, errp);                           \
        if (!c)                                                                                    \
            return -ENOENT;                                                                        \
        *ret = (ctype)(expr);                                                                      \
        return 0;                                                                                  \
    }
CTL_GET(ctl_get_bus, vireo_storage_bus, c->bus)
CTL_GET(ctl_get_type, vireo_storage_controller_type, c->type)
CTL_GET(ctl_get_port_count, uint32_t, SVC_IDE_PORTS)
CTL_GET(ctl_get_max_devices, uint32_t, SVC_IDE_DEVICES)
CTL_GET(ctl_get_bootable, bool, c->bootable)

static int ctl_set_type(vireo_object *self, vireo_storage_controller_type v, vireo_error **errp)
{
    if (svc_machine_obj_writable(co(self)->machine, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_controller_set_type(co(self)->machine->m, co(self)->controller, v, &e);
    return r < 0 ? svc_daemon_error(errp, e, r) : 0;
}

static int ctl_set_bootable(vireo_object *self, bool v, vireo_error **errp)
{
    if (svc_machine_obj_writable(co(self)->machine, errp) < 0)
        return -EPERM;
    svc_error *e = NULL;
    int r = svc_controller_set_bootable(co(self)->machine->m, co(self)->controller, v, &e);
    return r < 0 ? svc_daemon_error(errp, e, r) : 0;
}

static const vireo_storage_controller_ops ctl_ops = {
    .get_name = ctl_get_name,
    .get_bus = ctl_get_bus,
    .get_controller_type = ctl_get_type,
    .set_controller_type = ctl_set_type,
    .get_port_count = ctl_get_port_count,
    .get_max_devices_per_port = ctl_get_max_devices,
    .get_bootable = ctl_get_bootable,
    .set_bootable = ctl_set_bootable,
};

/* ---- IMediumAttachment ---- */

static int att_get_controller(vireo_object *self, char **ret, vireo_error **errp)
{
    return attachment(self, errp) ? dup_str(ret, co(self)->controller) : -ENOENT;
}

#define ATT_GET(fn, ctype, expr)                                                                   \
    static int fn(vireo_object *self, ctype *ret, vireo_error **errp)                              \
    {                                                                                              \
        const struct svc_attachment *a = attachment(self, errp);                                   \
        if (!a)                                                                                    \
            return -ENOENT;                                                                        \
        *ret = (ctype)(expr);                                                                      \
        return 0;                                                                                  \
    }
ATT_GET(att_get_port, uint32_t, a->port)
ATT_GET(att_get_device, uint32_t, a->device)
ATT_GET(att_get_type, vireo_device_type, a->type)

static int att_get_medium(vireo_object *self, char **ret, vireo_error **errp)
{
    const struct svc_attachment *a = attachment(self, errp);
    if (!a)
        return -ENOENT;
    if (svc_uuid_is_null(&a->medium))
        return dup_str(ret, "/");
    *ret = vireo_path_for_uuid(VIREO_ROOT_PATH, VIREO_MEDIUM_COLLECTION, a->medium.s);
    return *ret ? 0 : -ENOMEM;
}

static const vireo_medium_attachment_ops att_ops = {
    .get_controller = att_get_controller,
    .get_port = att_get_port,
    .get_device = att_get_device,
    .get_type = att_get_type,
    .get_medium = att_get_medium,
};

/* ---- export on demand ---- */

static void child_destroy(vireo_object *obj)
{
    vireo_object_unref(&co(obj)->machine->base);
    free(co(obj)->controller);
    free(obj);
}

static const vireo_object_iface ctl_ifaces[] = {{&vireo_storage_controller_interface, &ctl_ops}};
static const vireo_object_iface att_ifaces[] = {{&vireo_medium_attachment_interface, &att_ops}};
static const vireo_object_class ctl_class = {
    .name = "storageController", .ifaces = ctl_ifaces, .n_ifaces = 1, .destroy = child_destroy};
static const vireo_object_class att_class = {
    .name = "mediumAttachment", .ifaces = att_ifaces, .n_ifaces = 1, .destroy = child_destroy};

static char *hex(const char *s)
{
    size_t n = strlen(s);
    char *h = malloc(2 * n + 1);
    for (size_t i = 0; h && i < n; i++)
        snprintf(h + 2 * i, 3, "%02x", (unsigned char)s[i]);
    if (h)
        h[2 * n] = '\0';
    return h;
}

static bool exported(const svc_machine_obj *mo, const char *path)
{
    for (size_t i = 0; i < mo->n_extra; i++)
        if (strcmp(mo->extra[i], path) == 0)
            return true;
    return false;
}

static int export_child(svc_machine_obj *mo, const vireo_object_class *klass, const char *name,
                        uint32_t port, uint32_t device, char *path, char **ret, vireo_error **errp)
{
    if (!path)
        return -ENOMEM;
    if (exported(mo, path)) {
        *ret = path;
        return 0;
    }
    char **v = realloc(mo->extra, (mo->n_extra + 1) * sizeof(*v));
    child_obj *o = calloc(1, sizeof(*o));
    if (v)
        mo->extra = v;
    if (!v || !o || !(o->controller = strdup(name))) {
        free(o);
        free(path);
        return -ENOMEM;
    }
    vireo_object_init(&o->base, klass);
    o->machine = (svc_machine_obj *)vireo_object_ref(&mo->base);
    o->port = port;
    o->device = device;
    int r = vireo_bus_export(mo->d->bus, path, &o->base, errp);
    vireo_object_unref(&o->base);
    if (r < 0) {
        free(path);
        return r;
    }
    mo->extra[mo->n_extra++] = strdup(path);
    *ret = path;
    return 0;
}

int svc_controller_obj_path(svc_machine_obj *mo, const char *name, char **ret, vireo_error **errp)
{
    char *h = hex(name), *path = NULL;
    if (!h || asprintf(&path, "%s/controller/c%s", mo->path, h) < 0)
        path = NULL;
    free(h);
    return export_child(mo, &ctl_class, name, 0, 0, path, ret, errp);
}

int svc_attachment_obj_path(svc_machine_obj *mo, const char *controller, uint32_t port,
                            uint32_t device, char **ret, vireo_error **errp)
{
    char *h = hex(controller), *path = NULL;
    if (!h || asprintf(&path, "%s/attachment/c%s_%u_%u", mo->path, h, port, device) < 0)
        path = NULL;
    free(h);
    return export_child(mo, &att_class, controller, port, device, path, ret, errp);
}

void svc_machine_obj_unexport_extra(svc_machine_obj *mo)
{
    for (size_t i = 0; i < mo->n_extra; i++) {
        vireo_bus_unexport(mo->d->bus, mo->extra[i]);
        free(mo->extra[i]);
    }
    free(mo->extra);
    mo->extra = NULL;
    mo->n_extra = 0;
}

/* ISerialPort objects: the four ports of each exported machine object, at
 * "<machine path>/serial/<slot>". They read the same settings as their machine object (the
 * copy for a session's copy) and write through the model's serial setters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/machine_setters.h"

typedef struct serial_obj {
    vireo_object base;
    svc_machine_obj *machine; /* a reference */
    uint32_t slot;
} serial_obj;

static serial_obj *so(vireo_object *self)
{
    return (serial_obj *)self;
}

/* The port's settings as the machine object shows them, or NULL with an error. */
static const struct svc_serial_port *port(vireo_object *self, vireo_error **errp)
{
    const struct svc_machine_settings *s = svc_machine_obj_view(so(self)->machine, errp);
    return s ? &s->serial[so(self)->slot] : NULL;
}

static int get_slot(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = so(self)->slot;
    return 0;
}

#define GET(fn, ctype, expr)                                                                       \
    static int fn(vireo_object *self, ctype *ret, vireo_error **errp)                              \
    {                                                                                              \
        const struct svc_serial_port *p = port(self, errp);                                        \
        if (!p)                                                                                    \
            return -EINVAL;                                                                        \
        *ret = (ctype)(expr);                                                                      \
        return 0;                                                                                  \
    }
GET(get_enabled, bool, p->enabled)
GET(get_mode, vireo_port_mode, p->mode)
GET(get_server, bool, p->server)
GET(get_port, uint16_t, p->port)
GET(get_irq, uint32_t, p->irq)
GET(get_io_base, uint16_t, p->io_base)

static int get_path(vireo_object *self, char **ret, vireo_error **errp)
{
    const struct svc_serial_port *p = port(self, errp);
    if (!p)
        return -EINVAL;
    *ret = strdup(p->path ? p->path : "");
    return *ret ? 0 : -ENOMEM;
}

static int get_pty_path(vireo_object *self, char **ret, vireo_error **errp)
{
    *ret = strdup(""); /* known only while a VM process runs */
    return *ret ? 0 : -ENOMEM;
}

#define SET(fn, ctype, setter)                                                                     \
    static int fn(vireo_object *self, ctype v, vireo_error **errp)                                 \
    {                                                                                              \
        svc_machine_obj *mo = so(self)->machine;                                                   \
        if (svc_machine_obj_writable(mo, errp) < 0)                                                \
            return -EPERM;                                                                         \
        svc_error *e = NULL;                                                                       \
        int r = setter(mo->m, so(self)->slot, v, &e);                                              \
        return r < 0 ? svc_daemon_error(errp, e, r) : 0;                                           \
    }
SET(set_enabled, bool, svc_serial_set_enabled)
SET(set_mode, vireo_port_mode, svc_serial_set_mode)
SET(set_path, const char *, svc_serial_set_path)
SET(set_server, bool, svc_serial_set_server)
SET(set_port, uint16_t, svc_serial_set_port)
SET(set_irq, uint32_t, svc_serial_set_irq)
SET(set_io_base, uint16_t, svc_serial_set_io_base)

static const vireo_serial_port_ops serial_ops = {
    .get_slot = get_slot,
    .get_enabled = get_enabled,
    .set_enabled = set_enabled,
    .get_mode = get_mode,
    .set_mode = set_mode,
    .get_path = get_path,
    .set_path = set_path,
    .get_server = get_server,
    .set_server = set_server,
    .get_port = get_port,
    .set_port = set_port,
    .get_pty_path = get_pty_path,
    .get_irq = get_irq,
    .set_irq = set_irq,
    .get_io_base = get_io_base,
    .set_io_base = set_io_base,
};

static const vireo_object_iface serial_ifaces[] = {
    {&vireo_serial_port_interface, &serial_ops},
};

static void serial_destroy(vireo_object *obj)
{
    vireo_object_unref(&so(obj)->machine->base);
    free(obj);
}

static const vireo_object_class serial_class = {
    .name = "serialPort",
    .ifaces = serial_ifaces,
    .n_ifaces = 1,
    .destroy = serial_destroy,
};

char *svc_serial_obj_path(const svc_machine_obj *mo, unsigned slot)
{
    char *p = NULL;
    if (asprintf(&p, "%s/serial/%u", mo->path, slot) < 0)
        return NULL;
    return p;
}

int svc_serial_objs_export(svc_machine_obj *mo, vireo_error **errp)
{
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++) {
        serial_obj *o = calloc(1, sizeof(*o));
        char *path = svc_serial_obj_path(mo, i);
        if (!o || !path) {
            free(o);
            free(path);
            vireo_error_set(errp, VIREO_RESULT_OUT_OF_MEMORY, VIREO_ERROR_OUT_OF_MEMORY,
                            "out of memory");
            return -ENOMEM;
        }
        vireo_object_init(&o->base, &serial_class);
        o->machine = (svc_machine_obj *)vireo_object_ref(&mo->base);
        o->slot = i;
        int r = vireo_bus_export(mo->d->bus, path, &o->base, errp);
        free(path);
        vireo_object_unref(&o->base); /* the bus holds it while exported */
        if (r < 0)
            return r;
    }
    return 0;
}

void svc_serial_objs_unexport(svc_machine_obj *mo)
{
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++) {
        char *path = svc_serial_obj_path(mo, i);
        if (path)
            vireo_bus_unexport(mo->d->bus, path);
        free(path);
    }
}

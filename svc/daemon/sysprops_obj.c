/* ISystemProperties: Vireo.xml's system properties (validated, saved at once) and the limits
 * of this build. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/daemon/service.h"
#include "svc/home.h"
#include "svc/validate.h"

typedef struct sysprops {
    vireo_object base;
    svc_daemon *d;
} sysprops;

static struct svc_system_properties *props(vireo_object *self)
{
    return &((sysprops *)self)->d->reg->global.props;
}

static int dup_str(char **ret, const char *s)
{
    *ret = strdup(s ? s : "");
    return *ret ? 0 : -ENOMEM;
}

/* Validate the properties as a whole and save Vireo.xml. The caller undoes its change if
 * this fails. */
static int save(vireo_object *self, vireo_error **errp)
{
    svc_daemon *d = ((sysprops *)self)->d;
    svc_error *e = NULL;
    int r = svc_system_properties_validate(props(self), &e);
    if (r == 0)
        r = svc_registry_save(d->reg, &e);
    return r < 0 ? svc_daemon_error(errp, e, r) : 0;
}

static int get_default_machine_folder(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, svc_registry_machine_folder(((sysprops *)self)->d->reg));
}

static int set_default_machine_folder(vireo_object *self, const char *v, vireo_error **errp)
{
    svc_error *e = NULL;
    if (svc_validate_path("defaultMachineFolder", v, false, &e) < 0)
        return svc_daemon_error(errp, e, -EINVAL);
    int r = svc_mkdir_p(v, 0700);
    if (r < 0) {
        svc_error_set(&e, r, SVC_E_FILE_ERROR, "defaultMachineFolder: cannot create %s: %s", v,
                      strerror(-r));
        return svc_daemon_error(errp, e, r);
    }
    char *old = props(self)->default_machine_folder;
    if (!(props(self)->default_machine_folder = strdup(v))) {
        props(self)->default_machine_folder = old;
        return -ENOMEM;
    }
    r = save(self, errp);
    if (r < 0) {
        free(props(self)->default_machine_folder);
        props(self)->default_machine_folder = old;
    } else {
        free(old);
    }
    return r;
}

#define PORT_SETTER(fn, field)                                                                     \
    static int fn(vireo_object *self, uint16_t v, vireo_error **errp)                              \
    {                                                                                              \
        uint32_t old = props(self)->field;                                                         \
        props(self)->field = v;                                                                    \
        int r = save(self, errp);                                                                  \
        if (r < 0)                                                                                 \
            props(self)->field = old;                                                              \
        return r;                                                                                  \
    }
PORT_SETTER(set_vnc_port_min, vnc_port_min)
PORT_SETTER(set_vnc_port_max, vnc_port_max)

static int set_idle_timeout(vireo_object *self, uint32_t v, vireo_error **errp)
{
    uint32_t old = props(self)->idle_timeout_s;
    props(self)->idle_timeout_s = v;
    int r = save(self, errp);
    if (r < 0)
        props(self)->idle_timeout_s = old;
    else if (!getenv("VIREO_SVC_IDLE_TIMEOUT"))
        ((sysprops *)self)->d->idle_timeout_s = v;
    return r;
}
static int get_vnc_port_min(vireo_object *self, uint16_t *ret, vireo_error **errp)
{
    *ret = (uint16_t)props(self)->vnc_port_min;
    return 0;
}

static int get_vnc_port_max(vireo_object *self, uint16_t *ret, vireo_error **errp)
{
    *ret = (uint16_t)props(self)->vnc_port_max;
    return 0;
}

static int get_idle_timeout(vireo_object *self, uint32_t *ret, vireo_error **errp)
{
    *ret = props(self)->idle_timeout_s;
    return 0;
}

static int get_vm_process_path(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, props(self)->vm_process_path);
}

static int get_default_bios_path(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, props(self)->default_bios_path);
}

static int get_default_vgabios_path(vireo_object *self, char **ret, vireo_error **errp)
{
    return dup_str(ret, props(self)->default_vgabios_path);
}

#define LIMIT(fn, value)                                                                           \
    static int fn(vireo_object *self, uint32_t *ret, vireo_error **errp)                           \
    {                                                                                              \
        *ret = (value);                                                                            \
        return 0;                                                                                  \
    }
LIMIT(get_min_guest_ram, SVC_MEMORY_MIN_MIB)
LIMIT(get_max_guest_ram, SVC_MEMORY_MAX_MIB)
LIMIT(get_min_guest_cpu_count, SVC_CPU_MIN)
LIMIT(get_max_guest_cpu_count, SVC_CPU_MAX)
LIMIT(get_min_guest_vram, SVC_VRAM_MIN_MIB)
LIMIT(get_max_guest_vram, SVC_VRAM_MAX_MIB)
LIMIT(get_max_boot_position, SVC_BOOT_SLOTS)
LIMIT(get_serial_port_count, SVC_SERIAL_SLOTS)

static const vireo_system_properties_ops sysprops_ops = {
    .get_default_machine_folder = get_default_machine_folder,
    .set_default_machine_folder = set_default_machine_folder,
    .get_vnc_port_min = get_vnc_port_min,
    .set_vnc_port_min = set_vnc_port_min,
    .get_vnc_port_max = get_vnc_port_max,
    .set_vnc_port_max = set_vnc_port_max,
    .get_idle_timeout = get_idle_timeout,
    .set_idle_timeout = set_idle_timeout,
    .get_vm_process_path = get_vm_process_path,
    .get_default_bios_path = get_default_bios_path,
    .get_default_vgabios_path = get_default_vgabios_path,
    .get_min_guest_ram = get_min_guest_ram,
    .get_max_guest_ram = get_max_guest_ram,
    .get_min_guest_cpu_count = get_min_guest_cpu_count,
    .get_max_guest_cpu_count = get_max_guest_cpu_count,
    .get_min_guest_vram = get_min_guest_vram,
    .get_max_guest_vram = get_max_guest_vram,
    .get_max_boot_position = get_max_boot_position,
    .get_serial_port_count = get_serial_port_count,
};

static const vireo_object_iface sysprops_ifaces[] = {
    {&vireo_system_properties_interface, &sysprops_ops},
};

static void sysprops_destroy(vireo_object *obj)
{
    free(obj);
}

static const vireo_object_class sysprops_class = {
    .name = "systemProperties",
    .ifaces = sysprops_ifaces,
    .n_ifaces = 1,
    .destroy = sysprops_destroy,
};

vireo_object *svc_sysprops_new(svc_daemon *d)
{
    sysprops *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    vireo_object_init(&o->base, &sysprops_class);
    o->d = d;
    return &o->base;
}

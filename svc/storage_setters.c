/* Storage controllers and attachments of a mutable machine (IMachine's storage methods,
 * IStorageController's writable attributes). Attachments stay ordered by port, then device. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/machine_setters.h"
#include "svc/registry.h"
#include "svc/validate.h"

static struct svc_machine_settings *storage(svc_machine *m, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    if (s && m->state == SVC_STATE_SAVED) {
        svc_error_set(errp, -EBUSY, SVC_E_INVALID_VM_STATE,
                      "storage: machine '%s' is Saved; needed PoweredOff or Aborted (discard the "
                      "saved state first)",
                      s->name);
        return NULL;
    }
    return s;
}

static struct svc_storage_controller *find_controller(struct svc_machine_settings *s,
                                                      const char *name, svc_error **errp)
{
    for (size_t i = 0; name && i < s->n_controllers; i++)
        if (strcmp(s->controllers[i].name, name) == 0)
            return &s->controllers[i];
    svc_error_set(errp, -ENOENT, SVC_E_OBJECT_NOT_FOUND,
                  "name: machine '%s' has no storage controller called '%.64s'", s->name,
                  name ? name : "");
    return NULL;
}

int svc_machine_add_storage_controller(svc_machine *m, const char *name, uint32_t bus,
                                       svc_error **errp)
{
    struct svc_machine_settings *s = storage(m, errp);
    if (!s)
        return -EPERM;
    int r = svc_validate_name_field("name", name, name ? strlen(name) : 0, errp);
    if (r == 0)
        r = svc_validate_enum("bus", &svc_enum_storage_bus, bus, errp);
    for (size_t i = 0; r == 0 && i < s->n_controllers; i++) {
        if (strcmp(s->controllers[i].name, name) == 0)
            r = svc_error_set(errp, -EEXIST, SVC_E_OBJECT_IN_USE,
                              "name: the machine has a controller called '%s' already", name);
        else if (s->controllers[i].bus == bus)
            r = svc_error_set(errp, -ENOSPC, SVC_E_LIMIT_REACHED,
                              "bus: the machine has a %s controller ('%s') already; allowed one "
                              "per bus",
                              svc_enum_name(&svc_enum_storage_bus, bus), s->controllers[i].name);
    }
    if (r < 0)
        return r;
    struct svc_storage_controller *list =
        realloc(s->controllers, (s->n_controllers + 1) * sizeof(*list));
    if (!list)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    s->controllers = list;
    struct svc_storage_controller c = {
        strdup(name), (enum svc_storage_bus)bus, SVC_CONTROLLER_PIIX3, true, NULL, 0};
    c.attachments = calloc(SVC_ATTACHMENTS_MAX, sizeof(*c.attachments));
    if (!c.name || !c.attachments) {
        free(c.name);
        free(c.attachments);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    s->controllers[s->n_controllers++] = c;
    return 0;
}

int svc_machine_remove_storage_controller(svc_machine *m, const char *name, svc_error **errp)
{
    struct svc_machine_settings *s = storage(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, name, errp) : NULL;
    if (!c)
        return -ENOENT;
    size_t i = (size_t)(c - s->controllers);
    free(c->name);
    free(c->attachments);
    memmove(c, c + 1, (s->n_controllers - i - 1) * sizeof(*c));
    s->n_controllers--;
    return 0;
}

int svc_controller_set_bootable(svc_machine *m, const char *name, bool bootable, svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, name, errp) : NULL;
    if (!c)
        return -ENOENT;
    c->bootable = bootable;
    return 0;
}

int svc_controller_set_type(svc_machine *m, const char *name, uint32_t type, svc_error **errp)
{
    struct svc_machine_settings *s = storage(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, name, errp) : NULL;
    if (!c)
        return -ENOENT;
    int r = svc_validate_enum("controllerType", &svc_enum_controller_type, type, errp);
    if (r == 0)
        c->type = (enum svc_controller_type)type;
    return r;
}

static int check_slot(const struct svc_storage_controller *c, uint32_t port, uint32_t device,
                      svc_error **errp)
{
    int r = svc_validate_range("controllerPort", port, 0, SVC_IDE_PORTS - 1, NULL, errp);
    if (r == 0)
        r = svc_validate_range("device", device, 0, SVC_IDE_DEVICES - 1, NULL, errp);
    return r;
}

static struct svc_attachment *find_slot(struct svc_storage_controller *c, uint32_t port,
                                        uint32_t device)
{
    for (size_t i = 0; i < c->n_attachments; i++)
        if (c->attachments[i].port == port && c->attachments[i].device == device)
            return &c->attachments[i];
    return NULL;
}

/* A medium for a device of `type`: registered, of that type, and (for a hard disk) not
 * attached to another machine. */
static int check_medium(svc_machine *m, struct svc_registry *reg, uint32_t type, const char *uuid,
                        svc_uuid *ret, svc_error **errp)
{
    memset(ret, 0, sizeof(*ret));
    if (!uuid || !*uuid) {
        if (type == SVC_DEVICE_HARD_DISK)
            return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                                 "medium: a hard disk needs one; allowed a registered HardDisk "
                                 "medium");
        return 0;
    }
    const struct svc_medium_entry *e = reg ? svc_registry_find_medium(reg, uuid) : NULL;
    if (!e)
        return svc_error_set(errp, -ENOENT, SVC_E_OBJECT_NOT_FOUND,
                             "medium: %.40s is not registered", uuid);
    if (e->type != type)
        return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG, "medium: %s is a %s; needed %s",
                             e->uuid.s, svc_enum_name(&svc_enum_device_type, e->type),
                             svc_enum_name(&svc_enum_device_type, type));
    svc_machine *user =
        type == SVC_DEVICE_HARD_DISK ? svc_registry_medium_user(reg, uuid, m) : NULL;
    if (user)
        return svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                             "medium: %s is attached to machine '%s'", e->uuid.s,
                             user->settings.name);
    *ret = e->uuid;
    return 0;
}

static void insert_sorted(struct svc_storage_controller *c, const struct svc_attachment *a)
{
    size_t i = 0;
    while (i < c->n_attachments &&
           (c->attachments[i].port < a->port ||
            (c->attachments[i].port == a->port && c->attachments[i].device < a->device)))
        i++;
    memmove(&c->attachments[i + 1], &c->attachments[i], (c->n_attachments - i) * sizeof(*a));
    c->attachments[i] = *a;
    c->n_attachments++;
}

int svc_machine_attach_device(svc_machine *m, struct svc_registry *reg, const char *controller,
                              uint32_t port, uint32_t device, uint32_t type,
                              const char *medium_uuid, svc_error **errp)
{
    struct svc_machine_settings *s = storage(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, controller, errp) : NULL;
    if (!c)
        return -ENOENT;
    int r = check_slot(c, port, device, errp);
    if (r == 0 && type != SVC_DEVICE_HARD_DISK && type != SVC_DEVICE_DVD)
        r = svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                          "type: %u is not allowed; allowed HardDisk, DVD", type);
    if (r == 0 && find_slot(c, port, device))
        r = svc_error_set(errp, -EBUSY, SVC_E_OBJECT_IN_USE,
                          "'%s' port %u device %u is in use already", c->name, port, device);
    struct svc_attachment a = {port, device, (enum svc_device_type)type, {{0}}};
    if (r == 0)
        r = check_medium(m, reg, type, medium_uuid, &a.medium, errp);
    if (r == 0)
        insert_sorted(c, &a);
    return r;
}

int svc_machine_detach_device(svc_machine *m, const char *controller, uint32_t port,
                              uint32_t device, svc_error **errp)
{
    struct svc_machine_settings *s = storage(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, controller, errp) : NULL;
    if (!c)
        return -ENOENT;
    int r = check_slot(c, port, device, errp);
    struct svc_attachment *a = r == 0 ? find_slot(c, port, device) : NULL;
    if (r == 0 && !a)
        r = svc_error_set(errp, -ENOENT, SVC_E_OBJECT_NOT_FOUND,
                          "'%s' port %u device %u has no device attached", c->name, port, device);
    if (r < 0)
        return r;
    size_t i = (size_t)(a - c->attachments);
    memmove(a, a + 1, (c->n_attachments - i - 1) * sizeof(*a));
    c->n_attachments--;
    return 0;
}

int svc_machine_mount_medium(svc_machine *m, struct svc_registry *reg, const char *controller,
                             uint32_t port, uint32_t device, const char *medium_uuid,
                             svc_error **errp)
{
    struct svc_machine_settings *s = svc_machine_mutable(m, errp);
    struct svc_storage_controller *c = s ? find_controller(s, controller, errp) : NULL;
    if (!c)
        return -ENOENT;
    int r = check_slot(c, port, device, errp);
    struct svc_attachment *a = r == 0 ? find_slot(c, port, device) : NULL;
    if (r == 0 && (!a || a->type != SVC_DEVICE_DVD))
        r = svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                          "'%s' port %u device %u is not a DVD drive", c->name, port, device);
    svc_uuid u;
    if (r == 0)
        r = check_medium(m, reg, SVC_DEVICE_DVD, medium_uuid, &u, errp);
    if (r == 0)
        a->medium = u;
    return r;
}

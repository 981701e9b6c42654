/* Machine settings: defaults, deep copy, comparison, release. */
#include "svc/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *svc_strdup_opt(const char *s, bool *ok)
{
    if (!s || !*s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

int svc_str_replace(char **slot, const char *value)
{
    bool ok = true;
    char *d = svc_strdup_opt(value, &ok);
    if (!ok)
        return -ENOMEM;
    free(*slot);
    *slot = d;
    return 0;
}

void svc_serial_defaults(unsigned slot, struct svc_serial_port *ret)
{
    static const uint16_t bases[SVC_SERIAL_SLOTS] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
    static const uint8_t irqs[SVC_SERIAL_SLOTS] = {4, 3, 4, 3};
    memset(ret, 0, sizeof(*ret));
    ret->mode = SVC_PORT_DISCONNECTED;
    ret->server = true;
    ret->irq = irqs[slot % SVC_SERIAL_SLOTS];
    ret->io_base = bases[slot % SVC_SERIAL_SLOTS];
}

void svc_settings_init_empty(struct svc_machine_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->state = SVC_STATE_POWERED_OFF;
    s->cpu_count = 1; /* the defaults of optional elements */
    s->vram_mib = 16;
    s->firmware = SVC_FIRMWARE_BIOS;
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++)
        svc_serial_defaults(i, &s->serial[i]);
}

int svc_settings_init(struct svc_machine_settings *s, const char *name, const char *os_type,
                      svc_error **errp)
{
    svc_settings_init_empty(s);
    int r = svc_uuid_generate(&s->uuid, errp);
    if (r < 0)
        return r;
    const struct svc_os_type *os = svc_os_type_find(os_type && *os_type ? os_type : "Other");
    bool ok = true;
    s->name = svc_strdup_opt(name, &ok);
    s->os_type = svc_strdup_opt(os ? os->id : os_type, &ok);
    s->vnc_address = svc_strdup_opt(SVC_DEFAULT_VNC_ADDRESS, &ok);
    if (!ok) {
        svc_settings_clear(s);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    s->memory_mib = os ? os->recommended_ram_mib : 64;
    s->vram_mib = os ? os->recommended_vram_mib : 16;
    s->boot_order[0] = SVC_BOOT_DVD;
    s->boot_order[1] = SVC_BOOT_HARD_DISK;
    s->n_boot = 2;
    return 0;
}

static void controller_clear(struct svc_storage_controller *c)
{
    free(c->name);
    free(c->attachments);
    memset(c, 0, sizeof(*c));
}

void svc_settings_clear(struct svc_machine_settings *s)
{
    free(s->name);
    free(s->os_type);
    free(s->description);
    free(s->bios_path);
    free(s->kernel_path);
    free(s->initrd_path);
    free(s->kernel_cmdline);
    free(s->vnc_address);
    free(s->vnc_password);
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++)
        free(s->serial[i].path);
    for (size_t i = 0; i < s->n_controllers; i++)
        controller_clear(&s->controllers[i]);
    free(s->controllers);
    free(s->state_file);
    free(s->snapshots_xml);
    memset(s, 0, sizeof(*s));
}

static int controller_copy(struct svc_storage_controller *d, const struct svc_storage_controller *c)
{
    bool ok = true;
    *d = *c;
    d->name = svc_strdup_opt(c->name, &ok);
    d->attachments = NULL;
    /* room for every slot, so attachDevice never has to grow the array */
    d->attachments = calloc(SVC_ATTACHMENTS_MAX, sizeof(*c->attachments));
    if (d->attachments)
        memcpy(d->attachments, c->attachments, c->n_attachments * sizeof(*c->attachments));
    else
        ok = false;
    return ok ? 0 : -ENOMEM;
}

int svc_settings_copy(struct svc_machine_settings *dst, const struct svc_machine_settings *src)
{
    bool ok = true;
    *dst = *src;
    dst->name = svc_strdup_opt(src->name, &ok);
    dst->os_type = svc_strdup_opt(src->os_type, &ok);
    dst->description = svc_strdup_opt(src->description, &ok);
    dst->bios_path = svc_strdup_opt(src->bios_path, &ok);
    dst->kernel_path = svc_strdup_opt(src->kernel_path, &ok);
    dst->initrd_path = svc_strdup_opt(src->initrd_path, &ok);
    dst->kernel_cmdline = svc_strdup_opt(src->kernel_cmdline, &ok);
    dst->vnc_address = svc_strdup_opt(src->vnc_address, &ok);
    dst->vnc_password = svc_strdup_opt(src->vnc_password, &ok);
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++)
        dst->serial[i].path = svc_strdup_opt(src->serial[i].path, &ok);
    dst->state_file = svc_strdup_opt(src->state_file, &ok);
    dst->snapshots_xml = svc_strdup_opt(src->snapshots_xml, &ok);
    dst->controllers = calloc(SVC_CONTROLLERS_MAX, sizeof(*dst->controllers));
    dst->n_controllers = 0;
    if (!dst->controllers)
        ok = false;
    for (size_t i = 0; dst->controllers && i < src->n_controllers; i++) {
        dst->n_controllers++;
        if (controller_copy(&dst->controllers[i], &src->controllers[i]) < 0)
            ok = false;
    }
    if (!ok) {
        svc_settings_clear(dst);
        return -ENOMEM;
    }
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool serial_equal(const struct svc_serial_port *a, const struct svc_serial_port *b)
{
    return a->enabled == b->enabled && a->mode == b->mode && str_eq(a->path, b->path) &&
           a->server == b->server && a->port == b->port && a->irq == b->irq &&
           a->io_base == b->io_base;
}

static bool attachment_equal(const struct svc_attachment *a, const struct svc_attachment *b)
{
    return a->port == b->port && a->device == b->device && a->type == b->type &&
           strcmp(a->medium.s, b->medium.s) == 0;
}

static bool controller_equal(const struct svc_storage_controller *a,
                             const struct svc_storage_controller *b)
{
    if (!str_eq(a->name, b->name) || a->bus != b->bus || a->type != b->type ||
        a->bootable != b->bootable || a->n_attachments != b->n_attachments)
        return false;
    for (size_t i = 0; i < a->n_attachments; i++)
        if (!attachment_equal(&a->attachments[i], &b->attachments[i]))
            return false;
    return true;
}

static bool boot_equal(const struct svc_machine_settings *a, const struct svc_machine_settings *b)
{
    return a->n_boot == b->n_boot &&
           memcmp(a->boot_order, b->boot_order, a->n_boot * sizeof(a->boot_order[0])) == 0;
}

static bool hardware_equal(const struct svc_machine_settings *a,
                           const struct svc_machine_settings *b)
{
    if (a->memory_mib != b->memory_mib || a->cpu_count != b->cpu_count ||
        a->vram_mib != b->vram_mib || !boot_equal(a, b) || a->firmware != b->firmware ||
        !str_eq(a->bios_path, b->bios_path) || !str_eq(a->kernel_path, b->kernel_path) ||
        !str_eq(a->initrd_path, b->initrd_path) || !str_eq(a->kernel_cmdline, b->kernel_cmdline) ||
        a->vnc_enabled != b->vnc_enabled || a->vnc_port != b->vnc_port ||
        !str_eq(a->vnc_address, b->vnc_address) || !str_eq(a->vnc_password, b->vnc_password))
        return false;
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++)
        if (!serial_equal(&a->serial[i], &b->serial[i]))
            return false;
    if (a->n_controllers != b->n_controllers)
        return false;
    for (size_t i = 0; i < a->n_controllers; i++)
        if (!controller_equal(&a->controllers[i], &b->controllers[i]))
            return false;
    return true;
}

bool svc_settings_equal(const struct svc_machine_settings *a, const struct svc_machine_settings *b)
{
    return strcmp(a->uuid.s, b->uuid.s) == 0 && str_eq(a->name, b->name) &&
           str_eq(a->os_type, b->os_type) && str_eq(a->description, b->description) &&
           hardware_equal(a, b) && a->state == b->state &&
           a->last_state_change_ms == b->last_state_change_ms &&
           str_eq(a->state_file, b->state_file) &&
           strcmp(a->current_snapshot.s, b->current_snapshot.s) == 0 &&
           str_eq(a->snapshots_xml, b->snapshots_xml);
}

unsigned svc_settings_snapshot_count(const struct svc_machine_settings *s)
{
    unsigned n = 0;
    for (const char *p = s->snapshots_xml; p && (p = strstr(p, "<Snapshot")); p += 9)
        if (p[9] == ' ' || p[9] == '>' || p[9] == '/')
            n++;
    return n;
}

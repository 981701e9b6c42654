/* Reading "<name>.vireo" (format version 1). Every element and attribute is known or the
 * file is rejected with file:line; values are validated where they are read, so messages
 * point at the offending line. */
#include <errno.h>
#include <string.h>

#include "svc/atomic.h"
#include "svc/machine_xml.h"
#include "svc/validate.h"
#include "svc/xmlio.h"

struct reader {
    const char *file;
    struct svc_machine_settings *s;
};

#define ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ATTRS   ((const char *const[]){NULL})

/* Check attrs; a shorthand that keeps each element reader short. */
static int attrs(struct reader *rd, const xmlNode *n, const char *const *allowed, svc_error **errp)
{
    return svc_xml_check_attrs(rd->file, n, allowed, errp);
}

/* Each element may appear once; `seen` is a bit mask owned by the caller. */
static int once(struct reader *rd, const xmlNode *n, unsigned *seen, unsigned bit, svc_error **errp)
{
    if (*seen & bit)
        return svc_xml_fail(errp, rd->file, n, "<%s> appears twice", (const char *)n->name);
    *seen |= bit;
    return 0;
}

static int read_memory(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    int r = attrs(rd, n, ATTRS("size"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "size", true, 0, UINT32_MAX, &rd->s->memory_mib, errp);
    if (r == 0 && svc_validate_memory(rd->s->memory_mib, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return r;
}

static int read_cpu(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    int r = attrs(rd, n, ATTRS("count"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "count", true, 0, UINT32_MAX, &rd->s->cpu_count, errp);
    if (r == 0 && svc_validate_cpu_count(rd->s->cpu_count, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return r;
}

static int read_display(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    int r = attrs(rd, n, ATTRS("vramSize"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "vramSize", true, 0, UINT32_MAX, &rd->s->vram_mib, errp);
    if (r == 0 && svc_validate_vram(rd->s->vram_mib, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return r;
}

static int read_boot(struct reader *rd, const xmlNode *boot, svc_error **errp)
{
    int r = attrs(rd, boot, NO_ATTRS, errp);
    unsigned seen = 0;
    for (xmlNode *n = svc_xml_first_element(boot); n && r == 0; n = svc_xml_next_element(n)) {
        if (!svc_xml_is(n, "Order"))
            return svc_xml_unknown_element(rd->file, n, errp);
        uint32_t pos = 0;
        int dev = 0;
        r = attrs(rd, n, ATTRS("position", "device"), errp);
        if (r == 0)
            r = svc_xml_get_u32(rd->file, n, "position", true, 1, SVC_BOOT_SLOTS, &pos, errp);
        if (r == 0)
            r = once(rd, n, &seen, 1u << pos, errp);
        if (r == 0)
            r = svc_xml_get_enum(rd->file, n, "device", true, &svc_enum_boot_device, &dev, errp);
        if (r == 0)
            rd->s->boot_order[pos - 1] = (enum svc_boot_device)dev;
    }
    /* positions 1..n, no gaps */
    unsigned n = 0;
    while (n < SVC_BOOT_SLOTS && (seen & (1u << (n + 1))))
        n++;
    if (r == 0 && seen != ((1u << (n + 1)) - 2))
        r = svc_xml_fail(errp, rd->file, boot, "<Boot> positions must run 1..n without gaps");
    rd->s->n_boot = n;
    if (r == 0 && svc_validate_boot_order(rd->s->boot_order, n, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, boot, -EINVAL);
    return r;
}

static int read_firmware(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    struct svc_machine_settings *s = rd->s;
    int type = SVC_FIRMWARE_BIOS;
    int r = attrs(rd, n, ATTRS("type", "biosPath", "kernel", "initrd", "cmdline"), errp);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "type", true, &svc_enum_firmware, &type, errp);
    s->firmware = (enum svc_firmware)type;
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "biosPath", false, &s->bios_path, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "kernel", false, &s->kernel_path, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "initrd", false, &s->initrd_path, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "cmdline", false, &s->kernel_cmdline, errp);
    return r;
}

static int read_vnc(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    struct svc_machine_settings *s = rd->s;
    uint32_t port = 0;
    int r = attrs(rd, n, ATTRS("enabled", "port", "address", "password"), errp);
    if (r == 0)
        r = svc_xml_get_bool(rd->file, n, "enabled", true, &s->vnc_enabled, errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "port", false, 0, UINT32_MAX, &port, errp);
    if (r == 0 && svc_validate_tcp_port("VNCPort", port, true, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    s->vnc_port = (uint16_t)port;
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "address", false, &s->vnc_address, errp);
    if (r == 0 && !s->vnc_address && svc_str_replace(&s->vnc_address, SVC_DEFAULT_VNC_ADDRESS))
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    if (r == 0 && svc_validate_vnc_address(s->vnc_address, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "password", false, &s->vnc_password, errp);
    if (r == 0 && svc_validate_vnc_password(s->vnc_password, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return r;
}

static int read_serial(struct reader *rd, const xmlNode *n, unsigned *seen, svc_error **errp)
{
    uint32_t slot = 0, irq, io, port = 0;
    int mode = SVC_PORT_DISCONNECTED;
    int r = attrs(
        rd, n, ATTRS("slot", "enabled", "mode", "path", "server", "port", "irq", "ioBase"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "slot", true, 0, SVC_SERIAL_SLOTS - 1, &slot, errp);
    if (r == 0)
        r = once(rd, n, seen, 1u << slot, errp);
    if (r < 0)
        return r;
    struct svc_serial_port *p = &rd->s->serial[slot];
    irq = p->irq;
    io = p->io_base;
    r = svc_xml_get_bool(rd->file, n, "enabled", true, &p->enabled, errp);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "mode", true, &svc_enum_port_mode, &mode, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "path", false, &p->path, errp);
    if (r == 0)
        r = svc_xml_get_bool(rd->file, n, "server", false, &p->server, errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "port", false, 0, 65535, &port, errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "irq", false, 0, 255, &irq, errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "ioBase", false, 0, 0xffff, &io, errp);
    if (r < 0)
        return r;
    p->mode = (enum svc_port_mode)mode;
    p->port = (uint16_t)port;
    p->irq = (uint8_t)irq;
    p->io_base = (uint16_t)io;
    if (svc_validate_serial(slot, p, true, errp) < 0)
        return svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return 0;
}

enum { HW_MEMORY = 1, HW_CPU = 2, HW_DISPLAY = 4, HW_BOOT = 8, HW_FIRMWARE = 16, HW_VNC = 32 };

static int read_hardware(struct reader *rd, const xmlNode *hw, svc_error **errp)
{
    static const struct {
        const char *name;
        unsigned bit;
        int (*fn)(struct reader *, const xmlNode *, svc_error **);
    } table[] = {
        {"Memory", HW_MEMORY, read_memory},       {"CPU", HW_CPU, read_cpu},
        {"Display", HW_DISPLAY, read_display},    {"Boot", HW_BOOT, read_boot},
        {"Firmware", HW_FIRMWARE, read_firmware}, {"VNC", HW_VNC, read_vnc},
    };
    unsigned seen = 0, serial_seen = 0;
    int r = attrs(rd, hw, NO_ATTRS, errp);
    for (xmlNode *n = svc_xml_first_element(hw); n && r == 0; n = svc_xml_next_element(n)) {
        if (svc_xml_is(n, "SerialPort")) {
            r = read_serial(rd, n, &serial_seen, errp);
            continue;
        }
        size_t i = 0;
        while (i < sizeof(table) / sizeof(table[0]) && !svc_xml_is(n, table[i].name))
            i++;
        if (i == sizeof(table) / sizeof(table[0]))
            return svc_xml_unknown_element(rd->file, n, errp);
        r = once(rd, n, &seen, table[i].bit, errp);
        if (r == 0)
            r = table[i].fn(rd, n, errp);
    }
    if (r == 0 && (seen & (HW_MEMORY | HW_CPU)) != (HW_MEMORY | HW_CPU))
        r = svc_xml_fail(errp, rd->file, hw, "<Hardware> needs <Memory> and <CPU>");
    return r;
}

static int read_attachment(struct reader *rd, const xmlNode *n, struct svc_storage_controller *c,
                           svc_error **errp)
{
    if (c->n_attachments >= SVC_ATTACHMENTS_MAX)
        return svc_xml_fail(errp, rd->file, n, "more than %d attachments", SVC_ATTACHMENTS_MAX);
    struct svc_attachment *a = &c->attachments[c->n_attachments];
    memset(a, 0, sizeof(*a));
    int type = SVC_DEVICE_NULL;
    char *medium = NULL;
    int r = attrs(rd, n, ATTRS("port", "device", "type", "medium"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "port", true, 0, 255, &a->port, errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "device", true, 0, 255, &a->device, errp);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "type", true, &svc_enum_device_type, &type, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "medium", false, &medium, errp);
    if (r == 0 && medium && svc_uuid_parse(medium, &a->medium, "medium", errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    free(medium);
    a->type = (enum svc_device_type)type;
    if (r == 0)
        c->n_attachments++;
    return r;
}

static int read_controller(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    struct svc_machine_settings *s = rd->s;
    if (s->n_controllers >= SVC_CONTROLLERS_MAX)
        return svc_xml_fail(errp, rd->file, n, "more than %d storage controller(s)",
                            SVC_CONTROLLERS_MAX);
    struct svc_storage_controller *c = &s->controllers[s->n_controllers++];
    int bus = SVC_BUS_IDE, type = SVC_CONTROLLER_PIIX3;
    c->bootable = true;
    int r = attrs(rd, n, ATTRS("name", "bus", "controllerType", "bootable"), errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "name", true, &c->name, errp);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "bus", true, &svc_enum_storage_bus, &bus, errp);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "controllerType", false, &svc_enum_controller_type, &type,
                             errp);
    if (r == 0)
        r = svc_xml_get_bool(rd->file, n, "bootable", false, &c->bootable, errp);
    c->bus = (enum svc_storage_bus)bus;
    c->type = (enum svc_controller_type)type;
    if (r == 0 && !(c->attachments = calloc(SVC_ATTACHMENTS_MAX, sizeof(*c->attachments))))
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    for (xmlNode *a = svc_xml_first_element(n); a && r == 0; a = svc_xml_next_element(a)) {
        if (!svc_xml_is(a, "AttachedDevice"))
            return svc_xml_unknown_element(rd->file, a, errp);
        r = read_attachment(rd, a, c, errp);
    }
    return r;
}

static int read_controllers(struct reader *rd, const xmlNode *list, svc_error **errp)
{
    int r = attrs(rd, list, NO_ATTRS, errp);
    if (r == 0 && !(rd->s->controllers = calloc(SVC_CONTROLLERS_MAX, sizeof(*rd->s->controllers))))
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    for (xmlNode *n = svc_xml_first_element(list); n && r == 0; n = svc_xml_next_element(n)) {
        if (!svc_xml_is(n, "StorageController"))
            return svc_xml_unknown_element(rd->file, n, errp);
        r = read_controller(rd, n, errp);
    }
    if (r == 0 && svc_validate_controllers(rd->s, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, list, -EINVAL);
    return r;
}

static int read_description(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    int r = attrs(rd, n, NO_ATTRS, errp);
    if (r == 0 && svc_xml_get_text(n, &rd->s->description) < 0)
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    return r;
}

/* The snapshot tree is a placeholder until snapshots exist: kept verbatim. */
static int read_snapshots(struct reader *rd, xmlNode *n, svc_error **errp)
{
    rd->s->snapshots_xml = svc_xml_node_to_string(n);
    if (!rd->s->snapshots_xml)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    return 0;
}

static int read_version(struct reader *rd, const xmlNode *root, svc_error **errp)
{
    uint32_t v = 0;
    const char *text = svc_xml_attr(root, "version");
    if (!text)
        return svc_xml_fail(errp, rd->file, root, "<VireoMachine> lacks the format 'version'");
    int r = svc_xml_get_u32(rd->file, root, "version", true, 0, UINT32_MAX, &v, errp);
    if (r == 0 && v > SVC_MACHINE_FORMAT_VERSION)
        r = svc_xml_fail(errp, rd->file, root,
                         "format version %u is newer than this Vireo reads (1..%d)", v,
                         SVC_MACHINE_FORMAT_VERSION);
    if (r == 0 && v < 1)
        r = svc_xml_fail(errp, rd->file, root, "format version %u is not valid (1..%d)", v,
                         SVC_MACHINE_FORMAT_VERSION);
    return r;
}

static int read_identity(struct reader *rd, const xmlNode *root, svc_error **errp)
{
    struct svc_machine_settings *s = rd->s;
    char *uuid = NULL, *snap = NULL;
    int state = SVC_STATE_POWERED_OFF;
    int r = attrs(rd, root,
                  ATTRS("version", "uuid", "name", "osType", "state", "lastStateChange",
                        "stateFile", "currentSnapshot"),
                  errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, root, "uuid", true, &uuid, errp);
    if (r == 0 && svc_uuid_parse(uuid, &s->uuid, "uuid", errp) < 0)
        r = svc_xml_wrap(errp, rd->file, root, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, root, "name", true, &s->name, errp);
    if (r == 0 && svc_validate_name(s->name, s->name ? strlen(s->name) : 0, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, root, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, root, "osType", true, &s->os_type, errp);
    if (r == 0 && svc_validate_os_type(s->os_type, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, root, -EINVAL);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, root, "state", false, &svc_enum_machine_state, &state, errp);
    s->state = (enum svc_machine_state)state;
    if (r == 0)
        r = svc_xml_get_i64(rd->file, root, "lastStateChange", false, &s->last_state_change_ms,
                            errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, root, "stateFile", false, &s->state_file, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, root, "currentSnapshot", false, &snap, errp);
    if (r == 0 && snap && svc_uuid_parse(snap, &s->current_snapshot, "currentSnapshot", errp) < 0)
        r = svc_xml_wrap(errp, rd->file, root, -EINVAL);
    free(uuid);
    free(snap);
    return r;
}

enum { M_DESC = 1, M_HW = 2, M_STORAGE = 4, M_SNAPSHOTS = 8 };

static int read_root(struct reader *rd, xmlNode *root, svc_error **errp)
{
    if (!svc_xml_is(root, "VireoMachine"))
        return svc_xml_fail(errp, rd->file, root, "root element is <%s>, expected <VireoMachine>",
                            (const char *)root->name);
    int r = read_version(rd, root, errp);
    if (r == 0)
        r = read_identity(rd, root, errp);
    unsigned seen = 0;
    for (xmlNode *n = svc_xml_first_element(root); n && r == 0; n = svc_xml_next_element(n)) {
        if (svc_xml_is(n, "Description") && (r = once(rd, n, &seen, M_DESC, errp)) == 0)
            r = read_description(rd, n, errp);
        else if (svc_xml_is(n, "Hardware") && (r = once(rd, n, &seen, M_HW, errp)) == 0)
            r = read_hardware(rd, n, errp);
        else if (svc_xml_is(n, "StorageControllers") &&
                 (r = once(rd, n, &seen, M_STORAGE, errp)) == 0)
            r = read_controllers(rd, n, errp);
        else if (svc_xml_is(n, "Snapshots") && (r = once(rd, n, &seen, M_SNAPSHOTS, errp)) == 0)
            r = read_snapshots(rd, n, errp);
        else if (r == 0)
            r = svc_xml_unknown_element(rd->file, n, errp);
    }
    if (r == 0 && !(seen & M_HW))
        r = svc_xml_fail(errp, rd->file, root, "<VireoMachine> has no <Hardware>");
    if (r == 0 && !rd->s->vnc_address &&
        svc_str_replace(&rd->s->vnc_address, SVC_DEFAULT_VNC_ADDRESS) < 0)
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    if (r == 0 && svc_settings_validate(rd->s, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, root, -EINVAL);
    return r;
}

int svc_machine_xml_parse(const char *name, const char *data, size_t len,
                          struct svc_machine_settings *ret, svc_error **errp)
{
    xmlDoc *doc = svc_xml_parse(name, data, len, errp);
    if (!doc)
        return -EINVAL;
    svc_settings_init_empty(ret);
    struct reader rd = {name, ret};
    int r = read_root(&rd, xmlDocGetRootElement(doc), errp);
    xmlFreeDoc(doc);
    if (r < 0)
        svc_settings_clear(ret);
    return r;
}

static int load_cb(const char *name, const char *data, size_t len, void *ctx, svc_error **errp)
{
    return svc_machine_xml_parse(name, data, len, ctx, errp);
}

int svc_machine_settings_load(const char *path, struct svc_machine_settings *ret, char **ret_note,
                              svc_error **errp)
{
    svc_settings_init_empty(ret);
    return svc_atomic_load(path, load_cb, ret, ret_note, errp);
}

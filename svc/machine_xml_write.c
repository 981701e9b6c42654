/* Writing "<name>.vireo" (format version SVC_MACHINE_FORMAT_VERSION). Every setting is
 * written, defaults included, so a file reads the same whatever the defaults become. */
#include <errno.h>
#include <libxml/tree.h>

#include "svc/atomic.h"
#include "svc/machine_xml.h"
#include "svc/validate.h"
#include "svc/xmlio.h"

static xmlNode *child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static void write_boot(xmlNode *hw, const struct svc_machine_settings *s)
{
    xmlNode *boot = child(hw, "Boot");
    for (unsigned i = 0; i < s->n_boot; i++) {
        xmlNode *o = child(boot, "Order");
        svc_xml_set_u32(o, "position", i + 1);
        svc_xml_set_str(o, "device", svc_enum_name(&svc_enum_boot_device, s->boot_order[i]));
    }
}

static void write_firmware(xmlNode *hw, const struct svc_machine_settings *s)
{
    xmlNode *fw = child(hw, "Firmware");
    svc_xml_set_str(fw, "type", svc_enum_name(&svc_enum_firmware, s->firmware));
    svc_xml_set_str(fw, "biosPath", s->bios_path);
    svc_xml_set_str(fw, "kernel", s->kernel_path);
    svc_xml_set_str(fw, "initrd", s->initrd_path);
    svc_xml_set_str(fw, "cmdline", s->kernel_cmdline);
}

static void write_serial(xmlNode *hw, const struct svc_machine_settings *s)
{
    for (unsigned i = 0; i < SVC_SERIAL_SLOTS; i++) {
        const struct svc_serial_port *p = &s->serial[i];
        xmlNode *n = child(hw, "SerialPort");
        svc_xml_set_u32(n, "slot", i);
        svc_xml_set_bool(n, "enabled", p->enabled);
        svc_xml_set_str(n, "mode", svc_enum_name(&svc_enum_port_mode, p->mode));
        svc_xml_set_str(n, "path", p->path);
        svc_xml_set_bool(n, "server", p->server);
        svc_xml_set_u32(n, "port", p->port);
        svc_xml_set_u32(n, "irq", p->irq);
        svc_xml_set_hex(n, "ioBase", p->io_base);
    }
}

static void write_hardware(xmlNode *root, const struct svc_machine_settings *s)
{
    xmlNode *hw = child(root, "Hardware");
    svc_xml_set_u32(child(hw, "Memory"), "size", s->memory_mib);
    svc_xml_set_u32(child(hw, "CPU"), "count", s->cpu_count);
    svc_xml_set_u32(child(hw, "Display"), "vramSize", s->vram_mib);
    write_boot(hw, s);
    write_firmware(hw, s);
    xmlNode *vnc = child(hw, "VNC");
    svc_xml_set_bool(vnc, "enabled", s->vnc_enabled);
    svc_xml_set_u32(vnc, "port", s->vnc_port);
    svc_xml_set_str(vnc, "address", s->vnc_address);
    svc_xml_set_str(vnc, "password", s->vnc_password);
    write_serial(hw, s);
}

static void write_storage(xmlNode *root, const struct svc_machine_settings *s)
{
    xmlNode *list = child(root, "StorageControllers");
    for (size_t i = 0; i < s->n_controllers; i++) {
        const struct svc_storage_controller *c = &s->controllers[i];
        xmlNode *cn = child(list, "StorageController");
        svc_xml_set_str(cn, "name", c->name);
        svc_xml_set_str(cn, "bus", svc_enum_name(&svc_enum_storage_bus, c->bus));
        svc_xml_set_str(cn, "controllerType", svc_enum_name(&svc_enum_controller_type, c->type));
        svc_xml_set_bool(cn, "bootable", c->bootable);
        for (size_t k = 0; k < c->n_attachments; k++) {
            const struct svc_attachment *a = &c->attachments[k];
            xmlNode *an = child(cn, "AttachedDevice");
            svc_xml_set_u32(an, "port", a->port);
            svc_xml_set_u32(an, "device", a->device);
            svc_xml_set_str(an, "type", svc_enum_name(&svc_enum_device_type, a->type));
            svc_xml_set_str(an, "medium", a->medium.s);
        }
    }
}

static int write_root(xmlDoc *doc, const struct svc_machine_settings *s)
{
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"VireoMachine", NULL);
    xmlDocSetRootElement(doc, root);
    svc_xml_set_u32(root, "version", SVC_MACHINE_FORMAT_VERSION);
    svc_xml_set_str(root, "uuid", s->uuid.s);
    svc_xml_set_str(root, "name", s->name);
    svc_xml_set_str(root, "osType", s->os_type);
    svc_xml_set_str(root, "state", svc_machine_state_name(s->state));
    if (s->last_state_change_ms)
        svc_xml_set_i64(root, "lastStateChange", s->last_state_change_ms);
    svc_xml_set_str(root, "stateFile", s->state_file);
    svc_xml_set_str(root, "currentSnapshot", s->current_snapshot.s);
    if (s->description)
        xmlNewTextChild(root, NULL, (const xmlChar *)"Description",
                        (const xmlChar *)s->description);
    write_hardware(root, s);
    write_storage(root, s);
    if (s->snapshots_xml) {
        xmlNode *snap = svc_xml_node_from_string(doc, s->snapshots_xml);
        if (!snap)
            return -EINVAL;
        xmlAddChild(root, snap);
    }
    return 0;
}

int svc_machine_xml_write(const struct svc_machine_settings *s, char **ret_data, size_t *ret_len,
                          svc_error **errp)
{
    int r = svc_settings_validate(s, errp);
    if (r < 0)
        return r;
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!doc)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    r = write_root(doc, s);
    if (r < 0)
        svc_error_set(errp, r, SVC_E_INTERNAL,
                      "machine '%s': the kept <Snapshots> element is "
                      "not well-formed",
                      s->name);
    if (r == 0 && svc_xml_dump(doc, ret_data, ret_len) < 0)
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    xmlFreeDoc(doc);
    return r;
}

int svc_machine_settings_save(const char *path, const struct svc_machine_settings *s,
                              svc_error **errp)
{
    char *data = NULL;
    size_t len = 0;
    int r = svc_machine_xml_write(s, &data, &len, errp);
    if (r == 0)
        r = svc_atomic_write(path, data, len, 0600, errp);
    free(data);
    return r;
}

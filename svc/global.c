/* Vireo.xml: the global settings model and its XML form. */
#include "svc/global.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/atomic.h"
#include "svc/settings.h"
#include "svc/validate.h"
#include "svc/xmlio.h"

#define ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ATTRS   ((const char *const[]){NULL})

int svc_global_init(struct svc_global_settings *g, const char *default_machine_folder)
{
    memset(g, 0, sizeof(*g));
    g->props.vnc_port_min = 5900;
    g->props.vnc_port_max = 5999;
    g->props.idle_timeout_s = SVC_IDLE_TIMEOUT_DEFAULT;
    if (svc_str_replace(&g->props.default_bios_path, SVC_DEFAULT_BIOS_PATH) < 0 ||
        svc_str_replace(&g->props.default_vgabios_path, SVC_DEFAULT_VGABIOS_PATH) < 0 ||
        svc_str_replace(&g->props.default_machine_folder, default_machine_folder) < 0) {
        svc_global_clear(g);
        return -ENOMEM;
    }
    return 0;
}

void svc_global_clear(struct svc_global_settings *g)
{
    free(g->props.default_machine_folder);
    free(g->props.vm_process_path);
    free(g->props.default_bios_path);
    free(g->props.default_vgabios_path);
    for (size_t i = 0; i < g->n_machines; i++) {
        free(g->machines[i].path);
        free(g->machines[i].renamed_from);
    }
    free(g->machines);
    for (size_t i = 0; i < g->n_media; i++) {
        free(g->media[i].location);
    }
    free(g->media);
    memset(g, 0, sizeof(*g));
}

int svc_system_properties_validate(const struct svc_system_properties *p, svc_error **errp)
{
    int r = svc_validate_path("defaultMachineFolder", p->default_machine_folder, true, errp);
    if (r == 0)
        r = svc_validate_vnc_range(p->vnc_port_min, p->vnc_port_max, errp);
    if (r == 0)
        r = svc_validate_range("idleTimeout", p->idle_timeout_s, 0, SVC_IDLE_TIMEOUT_MAX,
                               "seconds (0: never exit)", errp);
    if (r == 0)
        r = svc_validate_path("VMProcessPath", p->vm_process_path, true, errp);
    if (r == 0)
        r = svc_validate_path("defaultBIOSPath", p->default_bios_path, false, errp);
    if (r == 0)
        r = svc_validate_path("defaultVGABIOSPath", p->default_vgabios_path, false, errp);
    return r;
}

int svc_global_add_machine(struct svc_global_settings *g, const svc_uuid *uuid, const char *path)
{
    struct svc_machine_entry *n = realloc(g->machines, (g->n_machines + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    g->machines = n;
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    n[g->n_machines].uuid = *uuid;
    n[g->n_machines].path = p;
    n[g->n_machines].renamed_from = NULL;
    g->n_machines++;
    return 0;
}

int svc_global_add_medium(struct svc_global_settings *g, const struct svc_medium_entry *m)
{
    struct svc_medium_entry *n = realloc(g->media, (g->n_media + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    g->media = n;
    struct svc_medium_entry e = *m;
    bool ok = true;
    e.location = svc_strdup_opt(m->location, &ok);
    if (!ok)
        return -ENOMEM;
    n[g->n_media++] = e;
    return 0;
}

/* ---- reading ---- */

struct reader {
    const char *file;
    struct svc_global_settings *g;
};

static int oom(svc_error **errp)
{
    return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
}

static int read_props(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    struct svc_system_properties *p = &rd->g->props;
    int r =
        svc_xml_check_attrs(rd->file, n,
                            ATTRS("defaultMachineFolder", "VNCPortMin", "VNCPortMax", "idleTimeout",
                                  "VMProcessPath", "defaultBIOSPath", "defaultVGABIOSPath"),
                            errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "defaultMachineFolder", false, &p->default_machine_folder,
                            errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "VNCPortMin", false, 0, UINT32_MAX, &p->vnc_port_min,
                            errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "VNCPortMax", false, 0, UINT32_MAX, &p->vnc_port_max,
                            errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, n, "idleTimeout", false, 0, UINT32_MAX, &p->idle_timeout_s,
                            errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "VMProcessPath", false, &p->vm_process_path, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "defaultBIOSPath", false, &p->default_bios_path, errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "defaultVGABIOSPath", false, &p->default_vgabios_path,
                            errp);
    if (r == 0 && svc_system_properties_validate(p, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    return r;
}

static int read_machine_entry(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    char *uuid = NULL, *path = NULL, *from = NULL;
    svc_uuid u;
    int r = svc_xml_check_attrs(rd->file, n, ATTRS("uuid", "src", "renamedFrom"), errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "uuid", true, &uuid, errp);
    if (r == 0 && svc_uuid_parse(uuid, &u, "uuid", errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "src", true, &path, errp);
    if (r == 0 && svc_validate_path("src", path, false, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "renamedFrom", false, &from, errp);
    if (r == 0 && svc_validate_path("renamedFrom", from, true, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    for (size_t i = 0; r == 0 && i < rd->g->n_machines; i++)
        if (strcmp(rd->g->machines[i].uuid.s, u.s) == 0)
            r = svc_xml_fail(errp, rd->file, n, "machine %s is registered twice", u.s);
    if (r == 0 && svc_global_add_machine(rd->g, &u, path) < 0)
        r = oom(errp);
    if (r == 0) {
        rd->g->machines[rd->g->n_machines - 1].renamed_from = from;
        from = NULL;
    }
    free(uuid);
    free(path);
    free(from);
    return r;
}

static int read_medium(struct reader *rd, const xmlNode *n, svc_error **errp)
{
    struct svc_medium_entry m = {0};
    char *uuid = NULL;
    int type = SVC_DEVICE_HARD_DISK, format = SVC_FORMAT_RAW;
    int r = svc_xml_check_attrs(rd->file, n, ATTRS("uuid", "location", "type", "format"), errp);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "uuid", true, &uuid, errp);
    if (r == 0 && svc_uuid_parse(uuid, &m.uuid, "uuid", errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_str(rd->file, n, "location", true, &m.location, errp);
    if (r == 0 && svc_validate_path("location", m.location, false, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "type", true, &svc_enum_device_type, &type, errp);
    if (r == 0 && svc_validate_enum("type", &svc_enum_device_type, (unsigned)type, errp) < 0)
        r = svc_xml_wrap(errp, rd->file, n, -EINVAL);
    if (r == 0)
        r = svc_xml_get_enum(rd->file, n, "format", true, &svc_enum_medium_format, &format, errp);
    m.type = (enum svc_device_type)type;
    m.format = (enum svc_medium_format)format;
    for (size_t i = 0; r == 0 && i < rd->g->n_media; i++)
        if (strcmp(rd->g->media[i].uuid.s, m.uuid.s) == 0)
            r = svc_xml_fail(errp, rd->file, n, "medium %s is registered twice", m.uuid.s);
    if (r == 0 && svc_global_add_medium(rd->g, &m) < 0)
        r = oom(errp);
    free(uuid);
    free(m.location);
    return r;
}

static int read_list(struct reader *rd, const xmlNode *list, const char *item,
                     int (*fn)(struct reader *, const xmlNode *, svc_error **), svc_error **errp)
{
    int r = svc_xml_check_attrs(rd->file, list, NO_ATTRS, errp);
    for (xmlNode *n = svc_xml_first_element(list); n && r == 0; n = svc_xml_next_element(n)) {
        if (!svc_xml_is(n, item))
            return svc_xml_unknown_element(rd->file, n, errp);
        r = fn(rd, n, errp);
    }
    return r;
}

static int read_root(struct reader *rd, const xmlNode *root, svc_error **errp)
{
    if (!svc_xml_is(root, "VireoGlobal"))
        return svc_xml_fail(errp, rd->file, root, "root element is <%s>, expected <VireoGlobal>",
                            (const char *)root->name);
    uint32_t v = 0;
    int r = svc_xml_check_attrs(rd->file, root, ATTRS("version"), errp);
    if (r == 0)
        r = svc_xml_get_u32(rd->file, root, "version", true, 1, UINT32_MAX, &v, errp);
    if (r == 0 && v > SVC_GLOBAL_FORMAT_VERSION)
        r = svc_xml_fail(errp, rd->file, root,
                         "format version %u is newer than this Vireo reads (1..%d)", v,
                         SVC_GLOBAL_FORMAT_VERSION);
    unsigned seen = 0;
    for (xmlNode *n = svc_xml_first_element(root); n && r == 0; n = svc_xml_next_element(n)) {
        unsigned bit = svc_xml_is(n, "SystemProperties")  ? 1
                       : svc_xml_is(n, "MachineRegistry") ? 2
                       : svc_xml_is(n, "MediaRegistry")   ? 4
                                                          : 0;
        if (!bit)
            return svc_xml_unknown_element(rd->file, n, errp);
        if (seen & bit)
            return svc_xml_fail(errp, rd->file, n, "<%s> appears twice", (const char *)n->name);
        seen |= bit;
        if (bit == 1)
            r = read_props(rd, n, errp);
        else if (bit == 2)
            r = read_list(rd, n, "MachineEntry", read_machine_entry, errp);
        else
            r = read_list(rd, n, "Medium", read_medium, errp);
    }
    return r;
}

int svc_global_xml_parse(const char *name, const char *data, size_t len,
                         struct svc_global_settings *ret, svc_error **errp)
{
    xmlDoc *doc = svc_xml_parse(name, data, len, errp);
    if (!doc)
        return -EINVAL;
    /* the folder default is filled in by the registry when the file has none */
    if (svc_global_init(ret, NULL) < 0) {
        xmlFreeDoc(doc);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    struct reader rd = {name, ret};
    int r = read_root(&rd, xmlDocGetRootElement(doc), errp);
    xmlFreeDoc(doc);
    if (r < 0)
        svc_global_clear(ret);
    return r;
}

/* ---- writing ---- */

static xmlNode *child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static void write_root(xmlDoc *doc, const struct svc_global_settings *g)
{
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"VireoGlobal", NULL);
    xmlDocSetRootElement(doc, root);
    svc_xml_set_u32(root, "version", SVC_GLOBAL_FORMAT_VERSION);
    xmlNode *p = child(root, "SystemProperties");
    svc_xml_set_str(p, "defaultMachineFolder", g->props.default_machine_folder);
    svc_xml_set_u32(p, "VNCPortMin", g->props.vnc_port_min);
    svc_xml_set_u32(p, "VNCPortMax", g->props.vnc_port_max);
    svc_xml_set_u32(p, "idleTimeout", g->props.idle_timeout_s);
    svc_xml_set_str(p, "VMProcessPath", g->props.vm_process_path);
    svc_xml_set_str(p, "defaultBIOSPath", g->props.default_bios_path);
    svc_xml_set_str(p, "defaultVGABIOSPath", g->props.default_vgabios_path);
    xmlNode *mr = child(root, "MachineRegistry");
    for (size_t i = 0; i < g->n_machines; i++) {
        xmlNode *e = child(mr, "MachineEntry");
        svc_xml_set_str(e, "uuid", g->machines[i].uuid.s);
        svc_xml_set_str(e, "src", g->machines[i].path);
        svc_xml_set_str(e, "renamedFrom", g->machines[i].renamed_from);
    }
    xmlNode *media = child(root, "MediaRegistry");
    for (size_t i = 0; i < g->n_media; i++) {
        xmlNode *e = child(media, "Medium");
        svc_xml_set_str(e, "uuid", g->media[i].uuid.s);
        svc_xml_set_str(e, "location", g->media[i].location);
        svc_xml_set_str(e, "type", svc_enum_name(&svc_enum_device_type, g->media[i].type));
        svc_xml_set_str(e, "format", svc_enum_name(&svc_enum_medium_format, g->media[i].format));
    }
}

int svc_global_xml_write(const struct svc_global_settings *g, char **ret_data, size_t *ret_len,
                         svc_error **errp)
{
    int r = svc_system_properties_validate(&g->props, errp);
    if (r < 0)
        return r;
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!doc)
        return oom(errp);
    write_root(doc, g);
    if (svc_xml_dump(doc, ret_data, ret_len) < 0)
        r = oom(errp);
    xmlFreeDoc(doc);
    return r;
}

static int load_cb(const char *name, const char *data, size_t len, void *ctx, svc_error **errp)
{
    return svc_global_xml_parse(name, data, len, ctx, errp);
}

int svc_global_load(const char *path, struct svc_global_settings *ret, char **ret_note,
                    svc_error **errp)
{
    memset(ret, 0, sizeof(*ret));
    return svc_atomic_load(path, load_cb, ret, ret_note, errp);
}

int svc_global_save(const char *path, const struct svc_global_settings *g, svc_error **errp)
{
    char *data = NULL;
    size_t len = 0;
    int r = svc_global_xml_write(g, &data, &len, errp);
    if (r == 0)
        r = svc_atomic_write(path, data, len, 0600, errp);
    free(data);
    return r;
}

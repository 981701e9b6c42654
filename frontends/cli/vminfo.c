/* Reading a machine's facts from the API (see vminfo.h). */
#include "frontends/cli/vminfo.h"

#include <stdlib.h>
#include <string.h>

/* Each read names its API member, so a failure says which attribute could not be read. */
#define READ(proxy, getter, member, dst)                                                           \
    do {                                                                                           \
        vireo_error *err_ = NULL;                                                                  \
        if (getter(proxy, dst, &err_) < 0)                                                         \
            return cli_api_error(err_, member, NULL);                                              \
    } while (0)

/* A member the service does not implement yet (the service may lag the IDL): the part is
 * shown as empty rather than failing the whole command. */
static bool not_there(vireo_error **errp)
{
    vireo_error *e = *errp;
    if (strcmp(e->name, VIREO_DBUS_ERROR_NOT_SUPPORTED) != 0 &&
        strcmp(e->name, VIREO_ERROR_NOT_IMPLEMENTED) != 0 &&
        strcmp(e->name, VIREO_DBUS_ERROR_UNKNOWN_PROP) != 0 &&
        strcmp(e->name, VIREO_DBUS_ERROR_UNKNOWN_METHOD) != 0)
        return false;
    vireo_error_free(e);
    *errp = NULL;
    return true;
}

static int read_serial(cli_ctx *ctx, const char *path, cli_serial_info *s)
{
    vireo_proxy *p = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    int r = 0;
    if (vireo_serial_port_get_slot(p, &s->slot, &err) < 0 ||
        vireo_serial_port_get_enabled(p, &s->enabled, &err) < 0 ||
        vireo_serial_port_get_mode(p, &s->mode, &err) < 0 ||
        vireo_serial_port_get_path(p, &s->path, &err) < 0 ||
        vireo_serial_port_get_server(p, &s->server, &err) < 0 ||
        vireo_serial_port_get_port(p, &s->port, &err) < 0 ||
        vireo_serial_port_get_pty_path(p, &s->pty_path, &err) < 0 ||
        vireo_serial_port_get_irq(p, &s->irq, &err) < 0 ||
        vireo_serial_port_get_io_base(p, &s->io_base, &err) < 0)
        r = cli_api_error(err, "ISerialPort (properties)", NULL);
    vireo_proxy_unref(p);
    return r;
}

static int read_controller(cli_ctx *ctx, const char *path, cli_controller_info *c)
{
    vireo_proxy *p = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    int r = 0;
    if (vireo_storage_controller_get_name(p, &c->name, &err) < 0 ||
        vireo_storage_controller_get_bus(p, &c->bus, &err) < 0 ||
        vireo_storage_controller_get_controller_type(p, &c->type, &err) < 0 ||
        vireo_storage_controller_get_port_count(p, &c->port_count, &err) < 0 ||
        vireo_storage_controller_get_bootable(p, &c->bootable, &err) < 0)
        r = cli_api_error(err, "IStorageController (properties)", NULL);
    vireo_proxy_unref(p);
    return r;
}

static int read_attachment(cli_ctx *ctx, const char *path, cli_attachment_info *a)
{
    vireo_proxy *p = cli_proxy(ctx, path);
    vireo_error *err = NULL;
    char *medium = NULL;
    int r = 0;
    if (vireo_medium_attachment_get_controller(p, &a->controller, &err) < 0 ||
        vireo_medium_attachment_get_port(p, &a->port, &err) < 0 ||
        vireo_medium_attachment_get_device(p, &a->device, &err) < 0 ||
        vireo_medium_attachment_get_type(p, &a->type, &err) < 0 ||
        vireo_medium_attachment_get_medium(p, &medium, &err) < 0)
        r = cli_api_error(err, "IMediumAttachment (properties)", NULL);
    vireo_proxy_unref(p);
    if (r == 0 && medium && strcmp(medium, "/") != 0) {
        vireo_proxy *m = cli_proxy(ctx, medium);
        if (vireo_medium_get_location(m, &a->medium, &err) < 0)
            r = cli_api_error(err, "IMedium.location", NULL);
        vireo_proxy_unref(m);
    }
    free(medium);
    return r;
}

/* Read each object of a path array with `fn` into an array of `size`-byte records. */
static int read_objects(cli_ctx *ctx, char **paths, size_t n, size_t size, void **ret,
                        int (*fn)(cli_ctx *, const char *, void *))
{
    char *out = calloc(n ? n : 1, size);
    if (!out)
        return cli_error("out of memory");
    *ret = out;
    for (size_t i = 0; i < n; i++) {
        int r = fn(ctx, paths[i], out + i * size);
        if (r)
            return r;
    }
    return 0;
}

static int read_serial_v(cli_ctx *c, const char *p, void *o)
{
    return read_serial(c, p, o);
}

static int read_controller_v(cli_ctx *c, const char *p, void *o)
{
    return read_controller(c, p, o);
}

static int read_attachment_v(cli_ctx *c, const char *p, void *o)
{
    return read_attachment(c, p, o);
}

static int read_parts(cli_ctx *ctx, vireo_proxy *m, cli_vm_info *vm)
{
    char **paths = NULL;
    size_t n = 0;
    vireo_error *err = NULL;
    int r;
    if (vireo_machine_get_serial_ports(m, &paths, &n, &err) < 0 && !not_there(&err))
        return cli_api_error(err, "IMachine.serialPorts", NULL);
    vm->n_serial = n;
    r = read_objects(ctx, paths, n, sizeof(cli_serial_info), (void **)&vm->serial, read_serial_v);
    vireo_strv_free(paths, n);
    paths = NULL;
    n = 0;
    if (r)
        return r;
    if (vireo_machine_get_storage_controllers(m, &paths, &n, &err) < 0 && !not_there(&err))
        return cli_api_error(err, "IMachine.storageControllers", NULL);
    vm->n_controllers = n;
    r = read_objects(ctx, paths, n, sizeof(cli_controller_info), (void **)&vm->controllers,
                     read_controller_v);
    vireo_strv_free(paths, n);
    paths = NULL;
    n = 0;
    if (r)
        return r;
    if (vireo_machine_get_medium_attachments(m, &paths, &n, &err) < 0 && !not_there(&err))
        return cli_api_error(err, "IMachine.mediumAttachments", NULL);
    vm->n_attachments = n;
    r = read_objects(ctx, paths, n, sizeof(cli_attachment_info), (void **)&vm->attachments,
                     read_attachment_v);
    vireo_strv_free(paths, n);
    return r;
}

static int read_snapshot_name(cli_ctx *ctx, vireo_proxy *m, cli_vm_info *vm)
{
    char *snap = NULL;
    vireo_error *err = NULL;
    if (vireo_machine_get_current_snapshot(m, &snap, &err) < 0)
        return not_there(&err) ? 0 : cli_api_error(err, "IMachine.currentSnapshot", NULL);
    int r = 0;
    if (strcmp(snap, "/") != 0) {
        vireo_proxy *s = cli_proxy(ctx, snap);
        if (vireo_snapshot_get_name(s, &vm->current_snapshot, &err) < 0)
            r = cli_api_error(err, "ISnapshot.name", NULL);
        vireo_proxy_unref(s);
    }
    free(snap);
    return r;
}

static int read_identity(vireo_proxy *m, cli_vm_info *vm)
{
    READ(m, vireo_machine_get_name, "IMachine.name", &vm->name);
    READ(m, vireo_machine_get_id, "IMachine.id", &vm->uuid);
    READ(m, vireo_machine_get_description, "IMachine.description", &vm->description);
    READ(m, vireo_machine_get_os_type_id, "IMachine.OSTypeId", &vm->os_type);
    READ(m, vireo_machine_get_registered, "IMachine.registered", &vm->registered);
    READ(m, vireo_machine_get_accessible, "IMachine.accessible", &vm->accessible);
    READ(m, vireo_machine_get_access_error, "IMachine.accessError", &vm->access_error);
    READ(m, vireo_machine_get_settings_file_path, "IMachine.settingsFilePath", &vm->settings_file);
    READ(m, vireo_machine_get_settings_modified, "IMachine.settingsModified",
         &vm->settings_modified);
    READ(m, vireo_machine_get_log_folder, "IMachine.logFolder", &vm->log_folder);
    READ(m, vireo_machine_get_snapshot_folder, "IMachine.snapshotFolder", &vm->snapshot_folder);
    READ(m, vireo_machine_get_state_file_path, "IMachine.stateFilePath", &vm->state_file);
    READ(m, vireo_machine_get_snapshot_count, "IMachine.snapshotCount", &vm->snapshot_count);
    return 0;
}

static int read_state(vireo_proxy *m, cli_vm_info *vm)
{
    READ(m, vireo_machine_get_state, "IMachine.state", &vm->state);
    READ(m, vireo_machine_get_last_state_change, "IMachine.lastStateChange",
         &vm->last_state_change);
    READ(m, vireo_machine_get_session_state, "IMachine.sessionState", &vm->session_state);
    READ(m, vireo_machine_get_session_type, "IMachine.sessionType", &vm->session_type);
    READ(m, vireo_machine_get_session_owner, "IMachine.sessionOwner", &vm->session_owner);
    READ(m, vireo_machine_get_session_pid, "IMachine.sessionPID", &vm->session_pid);
    return 0;
}

static int read_hardware(vireo_proxy *m, cli_vm_info *vm)
{
    READ(m, vireo_machine_get_memory_size, "IMachine.memorySize", &vm->memory);
    READ(m, vireo_machine_get_cpu_count, "IMachine.CPUCount", &vm->cpus);
    READ(m, vireo_machine_get_vram_size, "IMachine.VRAMSize", &vm->vram);
    vireo_error *err = NULL;
    if (vireo_machine_get_boot_order(m, &vm->boot, &vm->n_boot, &err) < 0)
        return cli_api_error(err, "IMachine.bootOrder", NULL);
    READ(m, vireo_machine_get_firmware_type, "IMachine.firmwareType", &vm->firmware);
    READ(m, vireo_machine_get_bios_path, "IMachine.BIOSPath", &vm->bios_path);
    READ(m, vireo_machine_get_kernel_path, "IMachine.kernelPath", &vm->kernel);
    READ(m, vireo_machine_get_initrd_path, "IMachine.initrdPath", &vm->initrd);
    READ(m, vireo_machine_get_kernel_cmd_line, "IMachine.kernelCmdLine", &vm->cmdline);
    READ(m, vireo_machine_get_vnc_enabled, "IMachine.VNCEnabled", &vm->vnc_enabled);
    READ(m, vireo_machine_get_vnc_port, "IMachine.VNCPort", &vm->vnc_port);
    READ(m, vireo_machine_get_vnc_address, "IMachine.VNCAddress", &vm->vnc_address);
    READ(m, vireo_machine_get_vnc_password_set, "IMachine.VNCPasswordSet", &vm->vnc_password_set);
    READ(m, vireo_machine_get_vnc_active_port, "IMachine.VNCActivePort", &vm->vnc_active_port);
    return 0;
}

int cli_vm_info_read(cli_ctx *ctx, const char *path, cli_vm_info *ret)
{
    memset(ret, 0, sizeof(*ret));
    vireo_proxy *m = cli_proxy(ctx, path);
    int r = read_identity(m, ret);
    if (!r)
        r = read_state(m, ret);
    if (!r && ret->accessible)
        r = read_hardware(m, ret);
    if (!r && ret->accessible)
        r = read_parts(ctx, m, ret);
    if (!r && ret->accessible)
        r = read_snapshot_name(ctx, m, ret);
    vireo_proxy_unref(m);
    if (r)
        cli_vm_info_clear(ret);
    return r;
}

void cli_vm_info_clear(cli_vm_info *vm)
{
    char **strs[] = {
        &vm->name,         &vm->uuid,          &vm->description, &vm->os_type,
        &vm->access_error, &vm->settings_file, &vm->log_folder,  &vm->snapshot_folder,
        &vm->state_file,   &vm->session_owner, &vm->bios_path,   &vm->kernel,
        &vm->initrd,       &vm->cmdline,       &vm->vnc_address, &vm->current_snapshot};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    for (size_t i = 0; vm->serial && i < vm->n_serial; i++) {
        free(vm->serial[i].path);
        free(vm->serial[i].pty_path);
    }
    for (size_t i = 0; vm->controllers && i < vm->n_controllers; i++)
        free(vm->controllers[i].name);
    for (size_t i = 0; vm->attachments && i < vm->n_attachments; i++) {
        free(vm->attachments[i].controller);
        free(vm->attachments[i].medium);
    }
    free(vm->serial);
    free(vm->controllers);
    free(vm->attachments);
    free(vm->boot);
    memset(vm, 0, sizeof(*vm));
}

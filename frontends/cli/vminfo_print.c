/* The three forms of a machine's facts: text for people, VBoxManage's key="value" lines,
 * and JSON (shape documented in docs/cli.md, "Machine object"). */
#include "frontends/cli/values.h"
#include "frontends/cli/vminfo.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *cli_state_mr_name(uint32_t state)
{
    switch (state) {
    case VIREO_MACHINE_STATE_POWERED_OFF: return "poweroff";
    case VIREO_MACHINE_STATE_SAVED: return "saved";
    case VIREO_MACHINE_STATE_ABORTED: return "aborted";
    case VIREO_MACHINE_STATE_RUNNING: return "running";
    case VIREO_MACHINE_STATE_PAUSED: return "paused";
    case VIREO_MACHINE_STATE_STARTING: return "starting";
    case VIREO_MACHINE_STATE_STOPPING: return "stopping";
    case VIREO_MACHINE_STATE_SAVING: return "saving";
    case VIREO_MACHINE_STATE_RESTORING: return "restoring";
    case VIREO_MACHINE_STATE_SNAPSHOTTING: return "snapshotting";
    case VIREO_MACHINE_STATE_DELETING_SNAPSHOT: return "deletingsnapshot";
    case VIREO_MACHINE_STATE_RESTORING_SNAPSHOT: return "restoringsnapshot";
    case VIREO_MACHINE_STATE_STUCK: return "gurumeditation";
    case VIREO_MACHINE_STATE_INACCESSIBLE: return "inaccessible";
    default: return "unknown";
    }
}

/* ISO 8601 UTC from milliseconds since the epoch. */
static void format_time(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(buf, len, "%" PRId64, ms);
        return;
    }
    snprintf(buf + strlen(buf), len - strlen(buf), ".%03dZ", (int)(ms % 1000));
}

/* "Label:" padded to a column, then the value: VBoxManage's layout. */
__attribute__((format(printf, 3, 4))) static void row(FILE *f, const char *label, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    int pad = 21 - (int)strlen(label);
    fprintf(f, "%s:%*s", label, pad < 1 ? 1 : pad, "");
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    va_end(ap);
}

static void text_serial(const cli_serial_info *s, FILE *f)
{
    char label[16], mode[4200];
    snprintf(label, sizeof(label), "UART %u", s->slot + 1);
    if (!s->enabled) {
        row(f, label, "disabled");
        return;
    }
    switch (s->mode) {
    case VIREO_PORT_MODE_FILE:
        snprintf(mode, sizeof(mode), "attached to file '%s'", s->path);
        break;
    case VIREO_PORT_MODE_UNIX_SOCKET:
        snprintf(mode, sizeof(mode), "attached to socket '%s' (%s)", s->path,
                 s->server ? "server" : "client");
        break;
    case VIREO_PORT_MODE_TCP_SERVER:
        snprintf(mode, sizeof(mode), "TCP server on port %u", s->port);
        break;
    case VIREO_PORT_MODE_PTY:
        snprintf(mode, sizeof(mode), "pty%s%s", s->pty_path[0] ? " " : "", s->pty_path);
        break;
    default: snprintf(mode, sizeof(mode), "%s", cli_port_mode_name(s->mode));
    }
    row(f, label, "I/O base: 0x%04x, IRQ: %u, %s", s->io_base, s->irq, mode);
}

static void text_hardware(const cli_vm_info *vm, FILE *f)
{
    row(f, "Memory size", "%uMB", vm->memory);
    row(f, "Number of CPUs", "%u", vm->cpus);
    row(f, "VRAM size", "%uMB", vm->vram);
    row(f, "Firmware", "%s", cli_firmware_name(vm->firmware));
    if (vm->bios_path[0])
        row(f, "BIOS", "%s", vm->bios_path);
    if (vm->firmware != VIREO_FIRMWARE_TYPE_BIOS) {
        row(f, "Kernel", "%s", vm->kernel);
        row(f, "Initrd", "%s", vm->initrd);
        row(f, "Kernel command line", "%s", vm->cmdline);
    }
    for (size_t i = 0; i < 4; i++) {
        char label[24];
        snprintf(label, sizeof(label), "Boot Device %zu", i + 1);
        row(f, label, "%s", i < vm->n_boot ? cli_boot_device_name(vm->boot[i]) : "none");
    }
    if (!vm->vnc_enabled)
        row(f, "VNC", "disabled");
    else if (vm->vnc_port)
        row(f, "VNC", "enabled, port %u, password %s", vm->vnc_port,
            vm->vnc_password_set ? "set" : "not set");
    else
        row(f, "VNC", "enabled, port chosen at start, password %s",
            vm->vnc_password_set ? "set" : "not set");
    if (vm->vnc_active_port)
        row(f, "VNC active port", "%u", vm->vnc_active_port);
    for (size_t i = 0; i < vm->n_serial; i++)
        text_serial(&vm->serial[i], f);
    for (size_t i = 0; i < vm->n_controllers; i++)
        row(f, "Storage Controller", "%s (%s, %u ports%s)", vm->controllers[i].name,
            vireo_storage_bus_to_string(vm->controllers[i].bus), vm->controllers[i].port_count,
            vm->controllers[i].bootable ? ", bootable" : "");
    for (size_t i = 0; i < vm->n_attachments; i++) {
        const cli_attachment_info *a = &vm->attachments[i];
        fprintf(f, "%s (%u, %u): %-10s%s\n", a->controller, a->port, a->device,
                vireo_device_type_to_string(a->type), a->medium ? a->medium : "Empty");
    }
}

void cli_vm_info_print_text(const cli_vm_info *vm, FILE *f)
{
    char when[64];
    row(f, "Name", "%s", vm->name);
    row(f, "UUID", "%s", vm->uuid);
    row(f, "Guest OS", "%s", vm->os_type);
    row(f, "Config file", "%s", vm->settings_file);
    if (vm->description[0])
        row(f, "Description", "%s", vm->description);
    format_time(vm->last_state_change, when, sizeof(when));
    row(f, "State", "%s (since %s)", vireo_machine_state_to_string(vm->state), when);
    if (!vm->accessible) {
        row(f, "Access error", "%s", vm->access_error);
        return;
    }
    if (vm->session_state == VIREO_SESSION_STATE_LOCKED)
        row(f, "Session", "locked by %s (pid %u, %s)", vm->session_owner, vm->session_pid,
            vireo_session_type_to_string(vm->session_type));
    text_hardware(vm, f);
    row(f, "Snapshots", "%u%s%s%s", vm->snapshot_count, vm->current_snapshot ? " (current: " : "",
        vm->current_snapshot ? vm->current_snapshot : "", vm->current_snapshot ? ")" : "");
    row(f, "Log folder", "%s", vm->log_folder);
}

static void mr_serial(const cli_serial_info *s, FILE *f)
{
    char key[24], val[4200];
    snprintf(key, sizeof(key), "uart%u", s->slot + 1);
    if (s->enabled)
        snprintf(val, sizeof(val), "0x%04x,%u", s->io_base, s->irq);
    cli_mr_string(f, key, s->enabled ? val : "off");
    snprintf(key, sizeof(key), "uartmode%u", s->slot + 1);
    switch (s->mode) {
    case VIREO_PORT_MODE_FILE: snprintf(val, sizeof(val), "file,%s", s->path); break;
    case VIREO_PORT_MODE_UNIX_SOCKET:
        snprintf(val, sizeof(val), "%s,%s", s->server ? "server" : "client", s->path);
        break;
    case VIREO_PORT_MODE_TCP_SERVER: snprintf(val, sizeof(val), "tcpserver,%u", s->port); break;
    case VIREO_PORT_MODE_PTY: snprintf(val, sizeof(val), "pty,%s", s->pty_path); break;
    default: snprintf(val, sizeof(val), "%s", cli_port_mode_name(s->mode));
    }
    cli_mr_string(f, key, val);
}

static void mr_hardware(const cli_vm_info *vm, FILE *f)
{
    char key[64];
    cli_mr_uint(f, "memory", vm->memory);
    cli_mr_uint(f, "cpus", vm->cpus);
    cli_mr_uint(f, "vram", vm->vram);
    cli_mr_string(f, "firmware", cli_firmware_name(vm->firmware));
    cli_mr_string(f, "bios", vm->bios_path);
    cli_mr_string(f, "kernel", vm->kernel);
    cli_mr_string(f, "initrd", vm->initrd);
    cli_mr_string(f, "cmdline", vm->cmdline);
    for (size_t i = 0; i < 4; i++) {
        snprintf(key, sizeof(key), "boot%zu", i + 1);
        cli_mr_string(f, key, i < vm->n_boot ? cli_boot_device_name(vm->boot[i]) : "none");
    }
    cli_mr_bool(f, "vnc", vm->vnc_enabled);
    cli_mr_uint(f, "vncport", vm->vnc_port);
    cli_mr_string(f, "vncaddress", vm->vnc_address);
    cli_mr_bool(f, "vncpassword", vm->vnc_password_set);
    cli_mr_uint(f, "vncactiveport", vm->vnc_active_port);
    for (size_t i = 0; i < vm->n_serial; i++)
        mr_serial(&vm->serial[i], f);
    for (size_t i = 0; i < vm->n_controllers; i++) {
        snprintf(key, sizeof(key), "storagecontrollername%zu", i);
        cli_mr_string(f, key, vm->controllers[i].name);
        snprintf(key, sizeof(key), "storagecontrollerbus%zu", i);
        cli_mr_string(f, key, vireo_storage_bus_to_string(vm->controllers[i].bus));
    }
    for (size_t i = 0; i < vm->n_attachments; i++) {
        const cli_attachment_info *a = &vm->attachments[i];
        snprintf(key, sizeof(key), "%s-%u-%u", a->controller, a->port, a->device);
        cli_mr_string(f, key, a->medium ? a->medium : "emptydrive");
    }
}

void cli_vm_info_print_mr(const cli_vm_info *vm, FILE *f)
{
    char when[64];
    cli_mr_string(f, "name", vm->name);
    cli_mr_string(f, "UUID", vm->uuid);
    cli_mr_string(f, "ostype", vm->os_type);
    cli_mr_string(f, "description", vm->description);
    cli_mr_string(f, "CfgFile", vm->settings_file);
    cli_mr_string(f, "LogFldr", vm->log_folder);
    cli_mr_string(f, "SnapFldr", vm->snapshot_folder);
    cli_mr_string(f, "VMState", cli_state_mr_name(vm->state));
    format_time(vm->last_state_change, when, sizeof(when));
    cli_mr_string(f, "VMStateChangeTime", when);
    cli_mr_string(f, "SessionState", vireo_session_state_to_string(vm->session_state));
    cli_mr_string(f, "SessionOwner", vm->session_owner);
    cli_mr_uint(f, "SessionPID", vm->session_pid);
    cli_mr_bool(f, "accessible", vm->accessible);
    if (!vm->accessible) {
        cli_mr_string(f, "AccessError", vm->access_error);
        return;
    }
    mr_hardware(vm, f);
    cli_mr_uint(f, "snapshotcount", vm->snapshot_count);
    cli_mr_string(f, "CurrentSnapshotName", vm->current_snapshot ? vm->current_snapshot : "");
}

static void json_serial(const cli_serial_info *s, cli_json *w)
{
    cli_json_begin_object(w);
    cli_json_kv_uint(w, "slot", s->slot + 1);
    cli_json_kv_bool(w, "enabled", s->enabled);
    cli_json_kv_uint(w, "ioBase", s->io_base);
    cli_json_kv_uint(w, "irq", s->irq);
    cli_json_kv_string(w, "mode", cli_port_mode_name(s->mode));
    cli_json_kv_string(w, "path", s->path);
    cli_json_kv_bool(w, "server", s->server);
    cli_json_kv_uint(w, "tcpPort", s->port);
    cli_json_kv_string(w, "ptyPath", s->pty_path);
    cli_json_end_object(w);
}

static void json_storage(const cli_vm_info *vm, cli_json *w)
{
    cli_json_key(w, "storageControllers");
    cli_json_begin_array(w);
    for (size_t i = 0; i < vm->n_controllers; i++) {
        const cli_controller_info *c = &vm->controllers[i];
        cli_json_begin_object(w);
        cli_json_kv_string(w, "name", c->name);
        cli_json_kv_string(w, "bus", vireo_storage_bus_to_string(c->bus));
        cli_json_kv_string(w, "type", vireo_storage_controller_type_to_string(c->type));
        cli_json_kv_uint(w, "portCount", c->port_count);
        cli_json_kv_bool(w, "bootable", c->bootable);
        cli_json_end_object(w);
    }
    cli_json_end_array(w);
    cli_json_key(w, "attachments");
    cli_json_begin_array(w);
    for (size_t i = 0; i < vm->n_attachments; i++) {
        const cli_attachment_info *a = &vm->attachments[i];
        cli_json_begin_object(w);
        cli_json_kv_string(w, "controller", a->controller);
        cli_json_kv_uint(w, "port", a->port);
        cli_json_kv_uint(w, "device", a->device);
        cli_json_kv_string(w, "type", vireo_device_type_to_string(a->type));
        cli_json_kv_string(w, "medium", a->medium);
        cli_json_end_object(w);
    }
    cli_json_end_array(w);
}

static void json_hardware(const cli_vm_info *vm, cli_json *w)
{
    cli_json_kv_uint(w, "memory", vm->memory);
    cli_json_kv_uint(w, "cpus", vm->cpus);
    cli_json_kv_uint(w, "vram", vm->vram);
    cli_json_kv_string(w, "firmware", cli_firmware_name(vm->firmware));
    cli_json_kv_string(w, "biosPath", vm->bios_path);
    cli_json_kv_string(w, "kernel", vm->kernel);
    cli_json_kv_string(w, "initrd", vm->initrd);
    cli_json_kv_string(w, "cmdline", vm->cmdline);
    cli_json_key(w, "bootOrder");
    cli_json_begin_array(w);
    for (size_t i = 0; i < vm->n_boot; i++)
        cli_json_string(w, cli_boot_device_name(vm->boot[i]));
    cli_json_end_array(w);
    cli_json_key(w, "vnc");
    cli_json_begin_object(w);
    cli_json_kv_bool(w, "enabled", vm->vnc_enabled);
    cli_json_kv_uint(w, "port", vm->vnc_port);
    cli_json_kv_string(w, "address", vm->vnc_address);
    cli_json_kv_bool(w, "passwordSet", vm->vnc_password_set);
    cli_json_kv_uint(w, "activePort", vm->vnc_active_port);
    cli_json_end_object(w);
    cli_json_key(w, "serialPorts");
    cli_json_begin_array(w);
    for (size_t i = 0; i < vm->n_serial; i++)
        json_serial(&vm->serial[i], w);
    cli_json_end_array(w);
    json_storage(vm, w);
}

void cli_vm_info_print_json(const cli_vm_info *vm, cli_json *w)
{
    char when[64];
    cli_json_begin_object(w);
    cli_json_kv_string(w, "name", vm->name);
    cli_json_kv_string(w, "uuid", vm->uuid);
    cli_json_kv_string(w, "ostype", vm->os_type);
    cli_json_kv_string(w, "description", vm->description);
    cli_json_kv_bool(w, "registered", vm->registered);
    cli_json_kv_string(w, "settingsFile", vm->settings_file);
    cli_json_kv_bool(w, "settingsModified", vm->settings_modified);
    cli_json_kv_string(w, "state", vireo_machine_state_to_string(vm->state));
    format_time(vm->last_state_change, when, sizeof(when));
    cli_json_kv_string(w, "stateSince", when);
    cli_json_kv_int(w, "stateSinceMs", vm->last_state_change);
    cli_json_key(w, "session");
    cli_json_begin_object(w);
    cli_json_kv_string(w, "state", vireo_session_state_to_string(vm->session_state));
    cli_json_kv_string(w, "type", vireo_session_type_to_string(vm->session_type));
    cli_json_kv_string(w, "owner", vm->session_owner);
    cli_json_kv_uint(w, "pid", vm->session_pid);
    cli_json_end_object(w);
    cli_json_kv_bool(w, "accessible", vm->accessible);
    cli_json_kv_string(w, "accessError", vm->access_error);
    if (vm->accessible) {
        json_hardware(vm, w);
        cli_json_kv_uint(w, "snapshotCount", vm->snapshot_count);
        cli_json_kv_string(w, "currentSnapshot", vm->current_snapshot);
        cli_json_kv_string(w, "logFolder", vm->log_folder);
        cli_json_kv_string(w, "snapshotFolder", vm->snapshot_folder);
        cli_json_kv_string(w, "stateFile", vm->state_file);
    }
    cli_json_end_object(w);
}

/* Everything showvminfo shows about a machine, read from the API into one struct, so the
 * three output forms (text, --machinereadable, --json) print the same facts. */
#ifndef VIREO_CLI_VMINFO_H
#define VIREO_CLI_VMINFO_H
#include "frontends/cli/cli.h"

typedef struct cli_serial_info {
    uint32_t slot; /* 0..3 */
    bool enabled, server;
    vireo_port_mode mode;
    uint32_t irq;
    uint16_t io_base, port;
    char *path, *pty_path;
} cli_serial_info;

typedef struct cli_controller_info {
    char *name;
    vireo_storage_bus bus;
    vireo_storage_controller_type type;
    uint32_t port_count;
    bool bootable;
} cli_controller_info;

typedef struct cli_attachment_info {
    char *controller;
    uint32_t port, device;
    vireo_device_type type;
    char *medium; /* location, or NULL for an empty drive */
} cli_attachment_info;

typedef struct cli_vm_info {
    char *name, *uuid, *description, *os_type;
    bool registered, accessible, settings_modified, vnc_enabled, vnc_password_set;
    char *access_error, *settings_file, *log_folder, *snapshot_folder, *state_file;
    uint32_t memory, cpus, vram, session_pid;
    vireo_firmware_type firmware;
    vireo_machine_state state;
    vireo_session_state session_state;
    vireo_session_type session_type;
    uint32_t snapshot_count;
    int64_t last_state_change;
    char *session_owner, *bios_path, *kernel, *initrd, *cmdline, *vnc_address;
    char *current_snapshot; /* name, or NULL */
    uint16_t vnc_port, vnc_active_port;
    vireo_boot_device *boot;
    size_t n_boot;
    cli_serial_info *serial;
    size_t n_serial;
    cli_controller_info *controllers;
    size_t n_controllers;
    cli_attachment_info *attachments;
    size_t n_attachments;
} cli_vm_info;

/* Read the machine at `path`. Returns 0, or an exit code after printing the error. */
int cli_vm_info_read(cli_ctx *ctx, const char *path, cli_vm_info *ret);
void cli_vm_info_clear(cli_vm_info *vm);

/* The three printers. */
void cli_vm_info_print_text(const cli_vm_info *vm, FILE *f);
void cli_vm_info_print_mr(const cli_vm_info *vm, FILE *f);
#include "frontends/cli/output.h"
void cli_vm_info_print_json(const cli_vm_info *vm, cli_json *w);

/* VBoxManage's VMState words ("poweroff", "running", ...) for --machinereadable. */
const char *cli_state_mr_name(uint32_t state);
#endif

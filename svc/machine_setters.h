/* Writing IMachine's settings: one function per writable attribute and settings method of
 * idl/vireo.xidl, so the D-Bus skeleton's handlers only unpack arguments and call these.
 *
 * Every setter works on the machine's mutable settings (svc_machine_mutable): a session's
 * copy under a Write lock, or a new machine from createMachine; anything else answers
 * InvalidSessionState. Hardware settings answer InvalidVMState while the machine is Saved.
 * A value is validated before it is stored; on error the settings keep their old value. */
#ifndef VIREO_SVC_MACHINE_SETTERS_H
#define VIREO_SVC_MACHINE_SETTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/machine.h"

struct svc_registry;

/* The settings a setter may change, or NULL (with InvalidSessionState) if m is not mutable. */
struct svc_machine_settings *svc_machine_mutable(svc_machine *m, svc_error **errp);

/* name is given with its byte length (a D-Bus string cannot hold NUL, but a C caller can). */
int svc_machine_set_name(svc_machine *m, const char *name, size_t len, svc_error **errp);
int svc_machine_set_description(svc_machine *m, const char *text, svc_error **errp);
int svc_machine_set_os_type(svc_machine *m, const char *id, svc_error **errp);
int svc_machine_set_memory_size(svc_machine *m, uint32_t mib, svc_error **errp);
int svc_machine_set_cpu_count(svc_machine *m, uint32_t n, svc_error **errp);
int svc_machine_set_vram_size(svc_machine *m, uint32_t mib, svc_error **errp);
int svc_machine_set_boot_order(svc_machine *m, const uint32_t *order, size_t n, svc_error **errp);
int svc_machine_set_firmware_type(svc_machine *m, uint32_t type, svc_error **errp);
/* Paths: "" clears; otherwise they must name existing files (BIOS: 64 KiB..16 MiB, a
 * multiple of 64 KiB). */
int svc_machine_set_bios_path(svc_machine *m, const char *path, svc_error **errp);
int svc_machine_set_kernel_path(svc_machine *m, const char *path, svc_error **errp);
int svc_machine_set_initrd_path(svc_machine *m, const char *path, svc_error **errp);
int svc_machine_set_kernel_cmdline(svc_machine *m, const char *cmdline, svc_error **errp);
int svc_machine_set_vnc_enabled(svc_machine *m, bool enabled, svc_error **errp);
int svc_machine_set_vnc_port(svc_machine *m, uint32_t port, svc_error **errp);
int svc_machine_set_vnc_address(svc_machine *m, const char *address, svc_error **errp);
int svc_machine_set_vnc_password(svc_machine *m, const char *password, svc_error **errp);

/* ISerialPort of slot 0..3. */
int svc_serial_set_enabled(svc_machine *m, uint32_t slot, bool enabled, svc_error **errp);
int svc_serial_set_mode(svc_machine *m, uint32_t slot, uint32_t mode, svc_error **errp);
int svc_serial_set_path(svc_machine *m, uint32_t slot, const char *path, svc_error **errp);
int svc_serial_set_server(svc_machine *m, uint32_t slot, bool server, svc_error **errp);
int svc_serial_set_port(svc_machine *m, uint32_t slot, uint32_t port, svc_error **errp);
int svc_serial_set_irq(svc_machine *m, uint32_t slot, uint32_t irq, svc_error **errp);
int svc_serial_set_io_base(svc_machine *m, uint32_t slot, uint32_t io_base, svc_error **errp);

/* Storage. Media are looked up in reg's media registry (ObjectNotFound if absent; InvalidArg
 * if the device type differs). */
int svc_machine_add_storage_controller(svc_machine *m, const char *name, uint32_t bus,
                                       svc_error **errp);
int svc_machine_remove_storage_controller(svc_machine *m, const char *name, svc_error **errp);
int svc_controller_set_bootable(svc_machine *m, const char *name, bool bootable, svc_error **errp);
int svc_controller_set_type(svc_machine *m, const char *name, uint32_t type, svc_error **errp);
int svc_machine_attach_device(svc_machine *m, struct svc_registry *reg, const char *controller,
                              uint32_t port, uint32_t device, uint32_t type,
                              const char *medium_uuid, svc_error **errp);
int svc_machine_detach_device(svc_machine *m, const char *controller, uint32_t port,
                              uint32_t device, svc_error **errp);
/* The settings side of mountMedium on a mutable machine: medium NULL/"" ejects. */
int svc_machine_mount_medium(svc_machine *m, struct svc_registry *reg, const char *controller,
                             uint32_t port, uint32_t device, const char *medium_uuid,
                             svc_error **errp);

#endif

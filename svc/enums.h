/* The enumerations of the settings model, with their names as written in the XML files and
 * used by the API (idl/vireo.xidl's <enum> const names). Names are case-sensitive. */
#ifndef VIREO_SVC_ENUMS_H
#define VIREO_SVC_ENUMS_H

#include <stdbool.h>

enum svc_machine_state {
    SVC_STATE_NULL = 0,
    SVC_STATE_POWERED_OFF,
    SVC_STATE_SAVED,
    SVC_STATE_ABORTED,
    SVC_STATE_RUNNING,
    SVC_STATE_PAUSED,
    SVC_STATE_STARTING,
    SVC_STATE_STOPPING,
    SVC_STATE_SAVING,
    SVC_STATE_RESTORING,
    SVC_STATE_SNAPSHOTTING,
    SVC_STATE_DELETING_SNAPSHOT,
    SVC_STATE_COUNT
};

/* Boot devices and attachment types share one enum, as in VirtualBox's DeviceType. */
enum svc_device_type {
    SVC_DEVICE_NULL = 0, /* "None": empty boot slot */
    SVC_DEVICE_FLOPPY,
    SVC_DEVICE_DVD,
    SVC_DEVICE_HARD_DISK,
    SVC_DEVICE_NETWORK,
    SVC_DEVICE_COUNT
};

enum svc_firmware {
    SVC_FIRMWARE_BIOS = 0, /* the BIOS image (system SeaBIOS unless biosPath is set) */
    SVC_FIRMWARE_KERNEL,   /* direct Linux boot: kernel, initrd, command line */
    SVC_FIRMWARE_COUNT
};

enum svc_serial_mode {
    SVC_SERIAL_OFF = 0,
    SVC_SERIAL_FILE, /* guest output appended to path */
    SVC_SERIAL_UNIX, /* unix socket at path, the VM listens */
    SVC_SERIAL_TCP,  /* TCP port on 127.0.0.1, the VM listens */
    SVC_SERIAL_PTY,  /* a pseudo terminal, its name reported at run time */
    SVC_SERIAL_COUNT
};

enum svc_storage_bus {
    SVC_BUS_IDE = 0, /* PIIX IDE: 2 channels (ports) x 2 devices */
    SVC_BUS_SATA,    /* reserved: 1..30 ports x 1 device; no VMM device yet */
    SVC_BUS_COUNT
};

/* name <-> value; *_from_name returns -1 for an unknown name. */
const char *svc_machine_state_name(enum svc_machine_state v);
int svc_machine_state_from_name(const char *name);
const char *svc_device_type_name(enum svc_device_type v);
int svc_device_type_from_name(const char *name);
const char *svc_firmware_name(enum svc_firmware v);
int svc_firmware_from_name(const char *name);
const char *svc_serial_mode_name(enum svc_serial_mode v);
int svc_serial_mode_from_name(const char *name);
const char *svc_storage_bus_name(enum svc_storage_bus v);
int svc_storage_bus_from_name(const char *name);

/* The comma-separated list of names of an enum, for error messages ("Off, File, ..."). */
const char *svc_serial_mode_names(void);
const char *svc_device_type_names(void);
const char *svc_storage_bus_names(void);
const char *svc_firmware_names(void);

/* States a settings file may record: the machine is not running (PoweredOff, Saved,
 * Aborted). The others exist only while a VM process lives. */
bool svc_machine_state_persistent(enum svc_machine_state v);

/* Guest OS type ids (IVireo.guestOSTypes). */
struct svc_os_type {
    const char *id;
    const char *description;
    unsigned recommended_memory_mib;
};
const struct svc_os_type *svc_os_types(unsigned *ret_count);
const struct svc_os_type *svc_os_type_find(const char *id);

#endif

/* The enumerations of the settings model. Values and names are those of idl/vireo.xidl's
 * <enum>s (the names are what the XML files and the API use), so a generated enum and
 * these convert by value. Names are case-sensitive. */
#ifndef VIREO_SVC_ENUMS_H
#define VIREO_SVC_ENUMS_H

#include <stdbool.h>

enum svc_machine_state { /* MachineState */
                         SVC_STATE_NULL = 0,
                         SVC_STATE_POWERED_OFF = 1,
                         SVC_STATE_SAVED = 2,
                         SVC_STATE_ABORTED = 3,
                         SVC_STATE_RUNNING = 4,
                         SVC_STATE_PAUSED = 5,
                         SVC_STATE_STARTING = 6,
                         SVC_STATE_STOPPING = 7,
                         SVC_STATE_SAVING = 8,
                         SVC_STATE_RESTORING = 9,
                         SVC_STATE_SNAPSHOTTING = 10,
                         SVC_STATE_DELETING_SNAPSHOT = 11,
                         SVC_STATE_RESTORING_SNAPSHOT = 12,
                         SVC_STATE_STUCK = 13,
                         SVC_STATE_INACCESSIBLE = 14,
                         SVC_STATE_COUNT
};

enum svc_session_state { /* SessionState */
                         SVC_SESSION_NULL = 0,
                         SVC_SESSION_UNLOCKED = 1,
                         SVC_SESSION_LOCKED = 2,
                         SVC_SESSION_SPAWNING = 3,
                         SVC_SESSION_UNLOCKING = 4,
                         SVC_SESSION_STATE_COUNT
};

enum svc_lock_type { /* LockType */
                     SVC_LOCK_NULL = 0,
                     SVC_LOCK_SHARED = 1,
                     SVC_LOCK_WRITE = 2,
                     SVC_LOCK_VM = 3,
                     SVC_LOCK_TYPE_COUNT
};

enum svc_session_type { /* SessionType */
                        SVC_SESSION_TYPE_NULL = 0,
                        SVC_SESSION_TYPE_WRITE_LOCK = 1,
                        SVC_SESSION_TYPE_SHARED = 2,
                        SVC_SESSION_TYPE_VM_PROCESS = 3,
                        SVC_SESSION_TYPE_COUNT
};

enum svc_firmware { /* FirmwareType */
                    SVC_FIRMWARE_BIOS = 1,
                    SVC_FIRMWARE_LINUX_KERNEL = 2,
                    SVC_FIRMWARE_MULTIBOOT = 3,
                    SVC_FIRMWARE_COUNT
};

enum svc_boot_device { /* BootDevice */
                       SVC_BOOT_HARD_DISK = 1,
                       SVC_BOOT_DVD = 2,
                       SVC_BOOT_DEVICE_COUNT
};

enum svc_device_type { /* DeviceType */
                       SVC_DEVICE_NULL = 0,
                       SVC_DEVICE_HARD_DISK = 1,
                       SVC_DEVICE_DVD = 2,
                       SVC_DEVICE_COUNT
};

enum svc_storage_bus { /* StorageBus */
                       SVC_BUS_NULL = 0,
                       SVC_BUS_IDE = 1,
                       SVC_BUS_COUNT
};

enum svc_controller_type { /* StorageControllerType */
                           SVC_CONTROLLER_NULL = 0,
                           SVC_CONTROLLER_PIIX3 = 1,
                           SVC_CONTROLLER_TYPE_COUNT
};

enum svc_medium_format { /* MediumFormat */
                         SVC_FORMAT_VDI = 1,
                         SVC_FORMAT_RAW = 2,
                         SVC_FORMAT_ISO = 3,
                         SVC_FORMAT_COUNT
};

enum svc_port_mode { /* PortMode */
                     SVC_PORT_DISCONNECTED = 0,
                     SVC_PORT_FILE = 1,
                     SVC_PORT_UNIX_SOCKET = 2,
                     SVC_PORT_TCP_SERVER = 3,
                     SVC_PORT_PTY = 4,
                     SVC_PORT_STDIO = 5,
                     SVC_PORT_MODE_COUNT
};

enum svc_cleanup_mode { /* CleanupMode */
                        SVC_CLEANUP_UNREGISTER_ONLY = 1,
                        SVC_CLEANUP_DETACH_ALL_RETURN_NONE = 2,
                        SVC_CLEANUP_DETACH_ALL_RETURN_HARD_DISKS_ONLY = 3,
                        SVC_CLEANUP_FULL = 4,
                        SVC_CLEANUP_MODE_COUNT
};

/* One table per enum: the name of each value (NULL for gaps). */
struct svc_enum_table {
    const char *idl_name; /* "MachineState" */
    const char *const *names;
    unsigned count;
};

extern const struct svc_enum_table svc_enum_machine_state, svc_enum_session_state,
    svc_enum_lock_type, svc_enum_session_type, svc_enum_firmware, svc_enum_boot_device,
    svc_enum_device_type, svc_enum_storage_bus, svc_enum_controller_type, svc_enum_medium_format,
    svc_enum_port_mode, svc_enum_cleanup_mode;

/* The name of v, or "?" if v is not a value of the enum. */
const char *svc_enum_name(const struct svc_enum_table *t, unsigned v);
/* The value called name, or -1. */
int svc_enum_value(const struct svc_enum_table *t, const char *name);
/* The allowed names for messages, "A, B, C" (the Null value left out), into buf. */
const char *svc_enum_list(const struct svc_enum_table *t, char *buf, unsigned size);
/* True if v is a named value of the enum. */
bool svc_enum_valid(const struct svc_enum_table *t, unsigned v);

static inline const char *svc_machine_state_name(enum svc_machine_state v)
{
    return svc_enum_name(&svc_enum_machine_state, v);
}

/* States a settings file may record: the machine has no VM process (PoweredOff, Saved,
 * Aborted). The others exist only while a VM process lives (Inaccessible is never stored). */
bool svc_machine_state_persistent(enum svc_machine_state v);

/* Guest OS types (IVireo.guestOSTypes, getGuestOSType). */
struct svc_os_type {
    const char *id;
    const char *description;
    const char *family; /* "Linux", "BSD", "Windows", "DOS" or "Other" */
    unsigned recommended_ram_mib;
    unsigned recommended_vram_mib;
    unsigned long long recommended_hdd_bytes;
};
const struct svc_os_type *svc_os_types(unsigned *ret_count);
const struct svc_os_type *svc_os_type_find(const char *id);

#endif

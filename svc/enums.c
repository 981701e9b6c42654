/* Enumeration names, following idl/vireo.xidl. */
#include "svc/enums.h"

#include <string.h>

#define TABLE(var, idl, ...)                                                                       \
    static const char *const var##_names[] = {__VA_ARGS__};                                        \
    const struct svc_enum_table var = {idl, var##_names,                                           \
                                       sizeof(var##_names) / sizeof(var##_names[0])}

TABLE(svc_enum_machine_state, "MachineState", "Null", "PoweredOff", "Saved", "Aborted", "Running",
      "Paused", "Starting", "Stopping", "Saving", "Restoring", "Snapshotting", "DeletingSnapshot",
      "RestoringSnapshot", "Stuck", "Inaccessible");
TABLE(svc_enum_session_state, "SessionState", "Null", "Unlocked", "Locked", "Spawning",
      "Unlocking");
TABLE(svc_enum_lock_type, "LockType", "Null", "Shared", "Write", "VM");
TABLE(svc_enum_session_type, "SessionType", "Null", "WriteLock", "Shared", "VMProcess");
TABLE(svc_enum_firmware, "FirmwareType", NULL, "BIOS", "LinuxKernel", "Multiboot");
TABLE(svc_enum_boot_device, "BootDevice", NULL, "HardDisk", "DVD");
TABLE(svc_enum_device_type, "DeviceType", "Null", "HardDisk", "DVD");
TABLE(svc_enum_storage_bus, "StorageBus", "Null", "IDE");
TABLE(svc_enum_controller_type, "StorageControllerType", "Null", "PIIX3");
TABLE(svc_enum_medium_format, "MediumFormat", NULL, "VDI", "Raw", "ISO");
TABLE(svc_enum_port_mode, "PortMode", "Disconnected", "File", "UnixSocket", "TCPServer", "Pty",
      "Stdio");
TABLE(svc_enum_cleanup_mode, "CleanupMode", NULL, "UnregisterOnly", "DetachAllReturnNone",
      "DetachAllReturnHardDisksOnly", "Full");

bool svc_enum_valid(const struct svc_enum_table *t, unsigned v)
{
    return v < t->count && t->names[v] != NULL;
}

const char *svc_enum_name(const struct svc_enum_table *t, unsigned v)
{
    return svc_enum_valid(t, v) ? t->names[v] : "?";
}

int svc_enum_value(const struct svc_enum_table *t, const char *name)
{
    for (unsigned i = 0; name && i < t->count; i++)
        if (t->names[i] && strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *svc_enum_list(const struct svc_enum_table *t, char *buf, unsigned size)
{
    buf[0] = '\0';
    for (unsigned i = 0; i < t->count; i++) {
        if (!t->names[i] || (i == 0 && strcmp(t->names[i], "Null") == 0))
            continue;
        if (buf[0])
            strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, t->names[i], size - strlen(buf) - 1);
    }
    return buf;
}

bool svc_machine_state_persistent(enum svc_machine_state v)
{
    return v == SVC_STATE_POWERED_OFF || v == SVC_STATE_SAVED || v == SVC_STATE_ABORTED;
}

#define GIB (1024ull * 1024 * 1024)
static const struct svc_os_type os_types[] = {
    {"Other", "Other/Unknown", "Other", 64, 16, 2 * GIB},
    {"DOS", "DOS", "DOS", 32, 4, 500ull * 1024 * 1024},
    {"Linux", "Linux (32-bit)", "Linux", 256, 16, 8 * GIB},
    {"Debian", "Debian (32-bit)", "Linux", 512, 16, 8 * GIB},
    {"FreeBSD", "FreeBSD (32-bit)", "BSD", 256, 16, 8 * GIB},
    {"OpenBSD", "OpenBSD (32-bit)", "BSD", 256, 16, 8 * GIB},
    {"NetBSD", "NetBSD (32-bit)", "BSD", 256, 16, 8 * GIB},
    {"Windows98", "Windows 98", "Windows", 64, 16, 2 * GIB},
    {"WindowsXP", "Windows XP (32-bit)", "Windows", 512, 16, 10 * GIB},
};

const struct svc_os_type *svc_os_types(unsigned *ret_count)
{
    *ret_count = sizeof(os_types) / sizeof(os_types[0]);
    return os_types;
}

const struct svc_os_type *svc_os_type_find(const char *id)
{
    for (unsigned i = 0; id && i < sizeof(os_types) / sizeof(os_types[0]); i++)
        if (strcmp(os_types[i].id, id) == 0)
            return &os_types[i];
    return NULL;
}

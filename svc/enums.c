/* Enumeration names. One table per enum; the lookups are linear (tables are tiny). */
#include "svc/enums.h"

#include <string.h>

static const char *const state_names_ordered[SVC_STATE_COUNT] = {
    [SVC_STATE_NULL] = "Null",
    [SVC_STATE_POWERED_OFF] = "PoweredOff",
    [SVC_STATE_SAVED] = "Saved",
    [SVC_STATE_ABORTED] = "Aborted",
    [SVC_STATE_RUNNING] = "Running",
    [SVC_STATE_PAUSED] = "Paused",
    [SVC_STATE_STARTING] = "Starting",
    [SVC_STATE_STOPPING] = "Stopping",
    [SVC_STATE_SAVING] = "Saving",
    [SVC_STATE_RESTORING] = "Restoring",
    [SVC_STATE_SNAPSHOTTING] = "Snapshotting",
    [SVC_STATE_DELETING_SNAPSHOT] = "DeletingSnapshot",
};
static const char *const device_names[SVC_DEVICE_COUNT] = {
    [SVC_DEVICE_NULL] = "None",          [SVC_DEVICE_FLOPPY] = "Floppy",   [SVC_DEVICE_DVD] = "DVD",
    [SVC_DEVICE_HARD_DISK] = "HardDisk", [SVC_DEVICE_NETWORK] = "Network",
};
static const char *const firmware_names[SVC_FIRMWARE_COUNT] = {
    [SVC_FIRMWARE_BIOS] = "BIOS",
    [SVC_FIRMWARE_KERNEL] = "Kernel",
};
static const char *const serial_names[SVC_SERIAL_COUNT] = {
    [SVC_SERIAL_OFF] = "Off", [SVC_SERIAL_FILE] = "File", [SVC_SERIAL_UNIX] = "Unix",
    [SVC_SERIAL_TCP] = "TCP", [SVC_SERIAL_PTY] = "Pty",
};
static const char *const bus_names[SVC_BUS_COUNT] = {
    [SVC_BUS_IDE] = "IDE",
    [SVC_BUS_SATA] = "SATA",
};

static const char *name_of(const char *const *table, unsigned count, unsigned v)
{
    return v < count ? table[v] : "?";
}

static int from_name(const char *const *table, unsigned count, const char *name)
{
    if (!name)
        return -1;
    for (unsigned i = 0; i < count; i++)
        if (strcmp(table[i], name) == 0)
            return (int)i;
    return -1;
}

const char *svc_machine_state_name(enum svc_machine_state v)
{
    return name_of(state_names_ordered, SVC_STATE_COUNT, v);
}
int svc_machine_state_from_name(const char *name)
{
    return from_name(state_names_ordered, SVC_STATE_COUNT, name);
}
const char *svc_device_type_name(enum svc_device_type v)
{
    return name_of(device_names, SVC_DEVICE_COUNT, v);
}
int svc_device_type_from_name(const char *name)
{
    return from_name(device_names, SVC_DEVICE_COUNT, name);
}
const char *svc_firmware_name(enum svc_firmware v)
{
    return name_of(firmware_names, SVC_FIRMWARE_COUNT, v);
}
int svc_firmware_from_name(const char *name)
{
    return from_name(firmware_names, SVC_FIRMWARE_COUNT, name);
}
const char *svc_serial_mode_name(enum svc_serial_mode v)
{
    return name_of(serial_names, SVC_SERIAL_COUNT, v);
}
int svc_serial_mode_from_name(const char *name)
{
    return from_name(serial_names, SVC_SERIAL_COUNT, name);
}
const char *svc_storage_bus_name(enum svc_storage_bus v)
{
    return name_of(bus_names, SVC_BUS_COUNT, v);
}
int svc_storage_bus_from_name(const char *name)
{
    return from_name(bus_names, SVC_BUS_COUNT, name);
}

const char *svc_serial_mode_names(void)
{
    return "Off, File, Unix, TCP, Pty";
}
const char *svc_device_type_names(void)
{
    return "None, Floppy, DVD, HardDisk, Network";
}
const char *svc_storage_bus_names(void)
{
    return "IDE, SATA";
}
const char *svc_firmware_names(void)
{
    return "BIOS, Kernel";
}

bool svc_machine_state_persistent(enum svc_machine_state v)
{
    return v == SVC_STATE_POWERED_OFF || v == SVC_STATE_SAVED || v == SVC_STATE_ABORTED;
}

static const struct svc_os_type os_types[] = {
    {"Other", "Other/Unknown", 64},
    {"DOS", "DOS", 32},
    {"Linux", "Linux (32-bit)", 256},
    {"Debian", "Debian (32-bit)", 512},
    {"FreeBSD", "FreeBSD (32-bit)", 256},
    {"OpenBSD", "OpenBSD (32-bit)", 256},
    {"NetBSD", "NetBSD (32-bit)", 256},
    {"Windows98", "Windows 98", 64},
    {"WindowsXP", "Windows XP (32-bit)", 512},
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

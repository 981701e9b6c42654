/* The machine settings model: everything a <name>.vireo file holds, as plain data. Field
 * names follow IMachine's attributes in idl/vireo.xidl.
 *
 * Strings are heap-owned; NULL means empty (the loader and the setters normalise "" to
 * NULL). svc_settings_clear() frees everything; svc_settings_copy() makes an independent
 * deep copy (the session's mutable copy). */
#ifndef VIREO_SVC_SETTINGS_H
#define VIREO_SVC_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc/enums.h"
#include "svc/error.h"
#include "svc/uuid.h"

/* Limits (ISystemProperties' read-only attributes). */
#define SVC_NAME_MAX_CHARS      64
#define SVC_MEMORY_MIN_MIB      4
#define SVC_MEMORY_MAX_MIB      3072 /* 32-bit guest without PAE, below the PCI hole */
#define SVC_CPU_MIN             1
#define SVC_CPU_MAX             1 /* the VMM emulates one CPU for now */
#define SVC_VRAM_MIN_MIB        1
#define SVC_VRAM_MAX_MIB        256
#define SVC_BOOT_SLOTS          4     /* maxBootPosition */
#define SVC_SERIAL_SLOTS        4     /* serialPortCount */
#define SVC_DESCRIPTION_MAX     32768 /* bytes of UTF-8 */
#define SVC_CMDLINE_MAX         2047  /* Linux boot protocol cmdline_size - 1 */
#define SVC_VNC_PASSWORD_MAX    8     /* VNC authentication uses 8 bytes */
#define SVC_TCP_PORT_MIN        1024  /* VNC and serial TCP ports: unprivileged only */
#define SVC_UNIX_PATH_MAX       107   /* sun_path minus the NUL */
#define SVC_PATH_MAX            4095
#define SVC_IDE_PORTS           2
#define SVC_IDE_DEVICES         2
#define SVC_ATTACHMENTS_MAX     (SVC_IDE_PORTS * SVC_IDE_DEVICES)
#define SVC_CONTROLLERS_MAX     1 /* one per bus, and IDE is the only bus */
#define SVC_BIOS_MIN_BYTES      (64u << 10)
#define SVC_BIOS_MAX_BYTES      (16u << 20)
#define SVC_VGABIOS_MAX_BYTES   (64u << 10)
#define SVC_DEFAULT_VNC_ADDRESS "127.0.0.1"

struct svc_serial_port { /* ISerialPort */
    bool enabled;
    enum svc_port_mode mode;
    char *path;       /* File, UnixSocket */
    bool server;      /* UnixSocket: listen (true) or connect */
    uint16_t port;    /* TCPServer: 1024..65535; 0 when unused */
    uint8_t irq;      /* 0..15 */
    uint16_t io_base; /* 0x100..0xfff8, multiple of 8 */
};

struct svc_attachment { /* IMediumAttachment */
    uint32_t port;
    uint32_t device;
    enum svc_device_type type; /* HardDisk or DVD */
    svc_uuid medium;           /* empty: no medium (an empty DVD drive) */
};

struct svc_storage_controller { /* IStorageController */
    char *name;
    enum svc_storage_bus bus;
    enum svc_controller_type type;
    bool bootable;
    struct svc_attachment *attachments; /* ordered by port, then device */
    size_t n_attachments;
};

struct svc_machine_settings {
    svc_uuid uuid;
    char *name;
    char *os_type;     /* an id from svc_os_types() */
    char *description; /* NULL: empty */

    uint32_t memory_mib;
    uint32_t cpu_count;
    uint32_t vram_mib;
    enum svc_boot_device boot_order[SVC_BOOT_SLOTS];
    unsigned n_boot; /* 0..4 entries; none lets the BIOS choose */

    enum svc_firmware firmware;
    char *bios_path; /* NULL: ISystemProperties.defaultBIOSPath */
    char *kernel_path;
    char *initrd_path;
    char *kernel_cmdline;

    bool vnc_enabled;
    uint16_t vnc_port;  /* 0: the first free port of the system VNC range */
    char *vnc_address;  /* never NULL after init/load: default 127.0.0.1 */
    char *vnc_password; /* NULL: none */

    struct svc_serial_port serial[SVC_SERIAL_SLOTS];

    struct svc_storage_controller *controllers;
    size_t n_controllers;

    enum svc_machine_state state; /* persistent states only: PoweredOff, Saved, Aborted */
    int64_t last_state_change_ms; /* ms since the epoch */
    char *state_file;             /* Saved: the saved-state file, relative to the folder */
    svc_uuid current_snapshot;    /* empty: no snapshot */
    char *snapshots_xml;          /* the <Snapshots> element, kept verbatim (placeholder) */
};

/* Fill *s with the defaults of a new machine (IVireo.createMachine): the OS type's RAM and
 * VRAM, one CPU, BIOS, boot order DVD then HardDisk, no controllers, serial ports and VNC
 * off; a fresh uuid. os_type NULL or "" means "Other". Returns 0 or a negative errno. */
int svc_settings_init(struct svc_machine_settings *s, const char *name, const char *os_type,
                      svc_error **errp);

/* Zero-initialise with the defaults of optional elements, without allocating. */
void svc_settings_init_empty(struct svc_machine_settings *s);

/* Free everything inside *s and zero it. */
void svc_settings_clear(struct svc_machine_settings *s);

/* Deep copy src into *dst (dst is overwritten, not cleared). Returns 0 or -ENOMEM. */
int svc_settings_copy(struct svc_machine_settings *dst, const struct svc_machine_settings *src);

/* True if a and b describe the same settings. */
bool svc_settings_equal(const struct svc_machine_settings *a, const struct svc_machine_settings *b);

/* Default serial port resources of slot 0..3 (COM1..COM4). */
void svc_serial_defaults(unsigned slot, struct svc_serial_port *ret);

/* Number of snapshots in the kept snapshot tree (counts <Snapshot> elements). */
unsigned svc_settings_snapshot_count(const struct svc_machine_settings *s);

/* strdup that maps NULL and "" to NULL; *ok is cleared on allocation failure. */
char *svc_strdup_opt(const char *s, bool *ok);

/* Replace *slot by a copy of value (NULL/"" -> NULL). Returns 0 or -ENOMEM. */
int svc_str_replace(char **slot, const char *value);

#endif

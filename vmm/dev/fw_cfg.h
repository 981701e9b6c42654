/* QEMU-compatible firmware configuration device (what SeaBIOS reads on QEMU): a 16-bit
 * selector at port 0x510 and a byte-wide data port at 0x511 that streams the selected
 * item from offset 0; reads past an item's end, and of unknown items, return 0.
 * Only the traditional port interface is offered (the ID item says so; no DMA at 0x514),
 * which SeaBIOS handles. Named files live from key 0x20 up and are listed in the file
 * directory (key 0x19): a big-endian count, then per file a big-endian size, select key,
 * reserved word and a 56-byte NUL-padded name. */
#ifndef VIREO_VMM_DEV_FW_CFG_H
#define VIREO_VMM_DEV_FW_CFG_H

#include <stdint.h>

#include "vmm/dev/devreg.h"

enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0A,
    FW_CFG_INITRD_SIZE = 0x0B,
    FW_CFG_BOOT_DEVICE = 0x0C,
    FW_CFG_NUMA = 0x0D,
    FW_CFG_BOOT_MENU = 0x0E,
    FW_CFG_MAX_CPUS = 0x0F,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_ARCH_LOCAL = 0x8000,
    FW_CFG_ACPI_TABLES = 0x8000,
    FW_CFG_SMBIOS_ENTRIES = 0x8001,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE = 0x8003,
};

#define FW_CFG_MAX_FILES 64
#define FW_CFG_NAME_MAX  56
#define FW_CFG_ARCH_MAX  8
#define FW_CFG_ITEM_MAX  (16u << 20) /* no single item above 16 MiB */

typedef struct fw_cfg_item {
    uint8_t *data; /* owned copy; NULL when empty */
    uint32_t len;
} fw_cfg_item;

typedef struct fw_cfg {
    uint16_t selector;
    uint32_t offset; /* next byte of the selected item */
    fw_cfg_item items[FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES];
    fw_cfg_item arch[FW_CFG_ARCH_MAX];
    char names[FW_CFG_MAX_FILES][FW_CFG_NAME_MAX];
    int nfiles;
} fw_cfg;

/* One e820 entry as "etc/e820" carries it: 20 bytes, little-endian, packed. */
typedef struct fw_cfg_e820 {
    uint64_t addr, len;
    uint32_t type; /* 1 RAM, 2 reserved */
} fw_cfg_e820;

/* Registers ports 0x510-0x511 and fills the items SeaBIOS reads with neutral defaults
 * (one CPU, no kernel, no tables). Returns 0 or -errno. */
int fw_cfg_init(fw_cfg *s, const dev_env *env);
/* Unregisters and frees every item. */
void fw_cfg_fini(fw_cfg *s, const dev_env *env);
void fw_cfg_reset(fw_cfg *s);

/* Set a numbered item (a copy of data). Returns 0, -EINVAL for a key that is not a
 * numbered item or a size over FW_CFG_ITEM_MAX, -ENOMEM. */
int fw_cfg_add_bytes(fw_cfg *s, uint16_t key, const void *data, uint32_t len);
int fw_cfg_add_i16(fw_cfg *s, uint16_t key, uint16_t v);
int fw_cfg_add_i32(fw_cfg *s, uint16_t key, uint32_t v);
int fw_cfg_add_i64(fw_cfg *s, uint16_t key, uint64_t v);
/* Add or replace a named file. Returns its key, or -EINVAL (empty or too long name, size),
 * -ENOSPC, -ENOMEM. */
int fw_cfg_add_file(fw_cfg *s, const char *name, const void *data, uint32_t len);
/* "etc/e820" from a table. Returns its key or -errno. */
int fw_cfg_set_e820(fw_cfg *s, const fw_cfg_e820 *entries, unsigned n);
/* Key of a named file, or -ENOENT. */
int fw_cfg_find_file(const fw_cfg *s, const char *name);

/* Saves the selector and offset only: the items are configuration the machine rebuilds. */
int fw_cfg_save(const fw_cfg *s, dev_blob *b);
int fw_cfg_load(fw_cfg *s, dev_blob *b);

#endif

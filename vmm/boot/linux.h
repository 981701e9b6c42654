/* Direct Linux boot (the x86 boot protocol, 32-bit entry): load a bzImage's protected-mode
 * kernel at 1 MiB, an initrd as high as the kernel allows, the command line and the boot
 * parameters ("zero page") with the e820 memory map, and enter the kernel's 32-bit entry
 * point with ESI = boot parameters, as a boot loader would after leaving real mode.
 *
 * Field offsets and meanings follow the kernel's Documentation/arch/x86/boot.rst. The image,
 * the initrd and the command line are hostile input: every size and offset is checked before
 * anything is written to the guest. The work is split so that parsing and planning can be
 * tested without a CPU or guest memory:
 *   linux_parse()  reads and checks the setup header;
 *   linux_plan()   places everything in a guest of a given size;
 *   linux_build_boot_params() fills the zero page;
 *   linux_load()   does all of it and writes to the guest. */
#ifndef VIREO_VMM_BOOT_LINUX_H
#define VIREO_VMM_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/cpu.h"
#include "vmm/mem/physmap.h"

#define LINUX_KERNEL_ADDR      0x100000u /* where a bzImage's protected-mode part goes */
#define LINUX_BOOT_PARAMS_ADDR 0x10000u  /* the zero page (4 KiB) */
#define LINUX_CMDLINE_ADDR     0x20000u  /* the command line, up to LINUX_CMDLINE_MAX */
#define LINUX_CMDLINE_MAX      0x10000u  /* our own cap, below the header's cmdline_size */
#define LINUX_BOOT_PARAMS_SIZE 4096u
#define LINUX_E820_MAX         128 /* entries in boot_params.e820_table */

/* e820 memory types. */
enum { LINUX_E820_RAM = 1, LINUX_E820_RESERVED = 2, LINUX_E820_ACPI = 3, LINUX_E820_NVS = 4 };

typedef struct linux_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} linux_e820_entry;

/* What the setup header says, with defaults applied for older protocol versions. */
typedef struct linux_setup_info {
    uint16_t version;          /* protocol version, e.g. 0x020F */
    unsigned setup_sects;      /* 512-byte sectors of real-mode setup after the boot sector */
    uint32_t setup_size;       /* file offset of the protected-mode kernel: (sects+1)*512 */
    uint32_t pm_size;          /* bytes of protected-mode kernel in the file */
    uint32_t syssize;          /* protected-mode size in 16-byte paragraphs */
    uint8_t loadflags;         /* bit 0 LOADED_HIGH */
    uint32_t code32_start;     /* 32-bit entry point when loaded at 1 MiB */
    uint32_t cmdline_size;     /* longest command line, without its NUL */
    uint32_t initrd_addr_max;  /* highest address the initrd's last byte may have */
    uint32_t kernel_alignment; /* required alignment of a relocated kernel */
    bool relocatable;
    uint32_t pref_address;   /* where a relocatable kernel prefers to run (0: none) */
    uint32_t init_size;      /* memory the kernel needs from where it runs */
    uint32_t header_end;     /* file offset just past the setup header */
    char kernel_version[64]; /* the version string the header points to, or "" */
} linux_setup_info;

/* The guest and what to hand the kernel. */
typedef struct linux_config {
    uint32_t ram_size;     /* RAM mapped from guest address 0 (holes are in the e820) */
    const char *cmdline;   /* NULL for an empty command line */
    const uint8_t *initrd; /* NULL for none */
    size_t initrd_size;
    const linux_e820_entry *e820; /* the machine's memory map, at most LINUX_E820_MAX; */
    unsigned e820_count;          /* NULL/0: linux_default_e820(ram_size) */
    bool vga_text; /* screen_info says a BIOS left 80x25 colour VGA text (for vgacon) */
} linux_config;

/* Where linux_plan() put everything. */
typedef struct linux_layout {
    uint32_t kernel_addr, kernel_end; /* [addr, end): file part plus the kernel's init_size */
    uint32_t entry;                   /* EIP at entry */
    uint32_t boot_params_addr;
    uint32_t cmdline_addr, cmdline_len; /* length without the NUL */
    uint32_t initrd_addr, initrd_size;  /* 0, 0 without an initrd */
} linux_layout;

/* The PC memory map of a guest with ram_size bytes of RAM from address 0 and nothing else
 * below 4 GiB: conventional memory, the EBDA and BIOS areas reserved, RAM from 1 MiB.
 * Writes at most `max` entries to ret and returns how many. */
unsigned linux_default_e820(uint32_t ram_size, linux_e820_entry *ret, unsigned max);

/* Read and check the setup header of `image` (size bytes). Returns 0 and fills ret_info; or
 * -ENOEXEC for a file that is not a bzImage (no boot sector signature or "HdrS" magic,
 * protocol older than 2.02, a zImage that loads low), -EINVAL for a truncated image or
 * header fields that contradict the file; with a message in err (err may be NULL). */
int linux_parse(const uint8_t *image, size_t size, linux_setup_info *ret_info, char *err,
                size_t err_size);

/* Place the kernel, command line and initrd in a guest described by cfg. Returns 0 and fills
 * ret_layout; or -E2BIG (command line longer than the kernel accepts), -ENOMEM (the kernel or
 * the initrd does not fit in guest RAM below its limits), -EINVAL (no RAM where the zero page
 * and command line go, or a bad e820 table), with a message in err. */
int linux_plan(const linux_setup_info *info, const linux_config *cfg, linux_layout *ret_layout,
               char *err, size_t err_size);

/* Fill the 4 KiB zero page `zp` for a planned boot: the image's setup header, then the
 * loader's fields (type_of_loader, command line, initrd, e820, memory sizes). */
void linux_build_boot_params(const uint8_t *image, const linux_setup_info *info,
                             const linux_config *cfg, const linux_layout *layout,
                             uint8_t zp[LINUX_BOOT_PARAMS_SIZE]);

/* Parse, plan, write the kernel, initrd, command line and zero page into guest memory and
 * put the CPU at the 32-bit entry point. Returns 0, or a negative errno as above (-EFAULT
 * when a planned range is not RAM in pm) with a message in err. ret_layout may be NULL. */
int linux_load(physmap *pm, cpu *c, const uint8_t *image, size_t size, const linux_config *cfg,
               linux_layout *ret_layout, char *err, size_t err_size);

#endif

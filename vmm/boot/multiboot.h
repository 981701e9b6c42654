/* Multiboot (version 1) loader: loads a kernel image that carries a Multiboot header into
 * guest RAM, builds the Multiboot information structure and puts the CPU in the state the
 * specification requires (flat 32-bit protected mode, EAX = 0x2BADB002, EBX = info).
 *
 * Supported images: ELF32 executables (PT_LOAD segments at their physical addresses) and any
 * file whose header sets flag 16 (the "a.out kludge": load addresses in the header).
 * The image is hostile input: every offset, size and address is checked; an image that
 * would write outside [0, ram_size) or over the boot information area is rejected. */
#ifndef VIREO_VMM_BOOT_MULTIBOOT_H
#define VIREO_VMM_BOOT_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/cpu.h"
#include "vmm/mem/physmap.h"

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH_BYTES     8192u
#define MULTIBOOT_MAX_SEGMENTS     16

/* Where the loader puts the information structure, the memory map and the strings. Images
 * must not load over [MULTIBOOT_INFO_BASE, MULTIBOOT_INFO_BASE + MULTIBOOT_INFO_SIZE). */
#define MULTIBOOT_INFO_BASE 0x9000u
#define MULTIBOOT_INFO_SIZE 0x1000u

/* One piece of the image to place in guest memory: `file_size` bytes from the file at
 * `file_offset`, then zeros up to `mem_size`. */
typedef struct multiboot_segment {
    uint32_t file_offset;
    uint32_t file_size;
    uint32_t addr;
    uint32_t mem_size;
} multiboot_segment;

/* The result of parsing an image, before anything is written to the guest. */
typedef struct multiboot_plan {
    uint32_t header_offset; /* file offset of the Multiboot header */
    uint32_t header_flags;
    uint32_t entry;
    unsigned nsegments;
    multiboot_segment seg[MULTIBOOT_MAX_SEGMENTS];
} multiboot_plan;

typedef struct multiboot_config {
    uint32_t ram_size;   /* bytes of RAM mapped contiguously from guest address 0 */
    const char *cmdline; /* kernel command line; NULL for none */
} multiboot_config;

/* Parse `image` (size bytes) and check it against a guest with `ram_size` bytes of RAM.
 * Returns 0 and fills ret_plan; or -ENOEXEC (no valid header, bad checksum, unsupported
 * format or flags), -EINVAL (truncated file, inconsistent header fields), -ERANGE (a
 * segment outside RAM or over the info area), with a message in err (err may be NULL). */
int multiboot_parse(const uint8_t *image, size_t size, uint32_t ram_size, multiboot_plan *ret_plan,
                    char *err, size_t err_size);

/* Parse and load `image`, write the information structure at MULTIBOOT_INFO_BASE and set up
 * the CPU. Returns 0, or a negative errno as multiboot_parse() (and -EFAULT when the guest
 * range is not RAM in `pm`) with a message in err. */
int multiboot_load(physmap *pm, cpu *c, const uint8_t *image, size_t size,
                   const multiboot_config *cfg, char *err, size_t err_size);

#endif

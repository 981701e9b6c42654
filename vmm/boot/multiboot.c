/* Multiboot v1 loading: copy the planned segments into guest RAM, write the information
 * structure (memory sizes, memory map, command line, boot loader name) into the reserved
 * area at MULTIBOOT_INFO_BASE, and start the CPU at the entry point. */
#include "vmm/boot/multiboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Information structure flags (Multiboot 1, section 3.3). */
#define MBI_MEMORY   (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MMAP     (1u << 6)
#define MBI_LDR_NAME (1u << 9)

/* Layout of the information area. */
#define MBI_INFO_OFF    0x000u /* the structure itself (116 bytes used) */
#define MBI_MMAP_OFF    0x080u /* up to 5 entries of 24 bytes */
#define MBI_NAME_OFF    0x100u
#define MBI_CMDLINE_OFF 0x200u

/* PC layout of conventional memory: 639 KiB of RAM, the EBDA, then the video/BIOS hole. */
#define LOW_RAM_END 0x9FC00u
#define BIOS_START  0xF0000u
#define HIGH_START  0x100000u

#define LOADER_NAME "vireo"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* One memory map entry: size (of the rest), base (64-bit), length (64-bit), type. */
static uint8_t *put_mmap(uint8_t *p, uint32_t base, uint32_t len, uint32_t type)
{
    put32(p, 20);
    put32(p + 4, base);
    put32(p + 8, 0);
    put32(p + 12, len);
    put32(p + 16, 0);
    put32(p + 20, type);
    return p + 24;
}

static int set_error(char *err, size_t err_size, int code, const char *msg)
{
    if (err && err_size)
        snprintf(err, err_size, "%s", msg);
    return code;
}

/* Builds the whole information area in `area` (MULTIBOOT_INFO_SIZE bytes). */
static int build_info(uint8_t *area, const multiboot_config *cfg, char *err, size_t es)
{
    size_t cmd_len = cfg->cmdline ? strlen(cfg->cmdline) : 0;
    if (cmd_len + 1 > MULTIBOOT_INFO_SIZE - MBI_CMDLINE_OFF)
        return set_error(err, es, -E2BIG, "kernel command line too long");
    memset(area, 0, MULTIBOOT_INFO_SIZE);
    uint8_t *info = area + MBI_INFO_OFF;
    uint8_t *mm = area + MBI_MMAP_OFF, *p = mm;
    p = put_mmap(p, 0, LOW_RAM_END, 1);
    p = put_mmap(p, LOW_RAM_END, 0xA0000u - LOW_RAM_END, 2);
    p = put_mmap(p, BIOS_START, HIGH_START - BIOS_START, 2);
    p = put_mmap(p, HIGH_START, cfg->ram_size - HIGH_START, 1);
    uint32_t flags = MBI_MEMORY | MBI_MMAP | MBI_LDR_NAME;
    put32(info + 4, LOW_RAM_END / 1024);
    put32(info + 8, (cfg->ram_size - HIGH_START) / 1024);
    put32(info + 44, (uint32_t)(p - mm));
    put32(info + 48, MULTIBOOT_INFO_BASE + MBI_MMAP_OFF);
    memcpy(area + MBI_NAME_OFF, LOADER_NAME, sizeof(LOADER_NAME));
    put32(info + 64, MULTIBOOT_INFO_BASE + MBI_NAME_OFF);
    if (cfg->cmdline) {
        memcpy(area + MBI_CMDLINE_OFF, cfg->cmdline, cmd_len + 1);
        put32(info + 16, MULTIBOOT_INFO_BASE + MBI_CMDLINE_OFF);
        flags |= MBI_CMDLINE;
    }
    put32(info, flags);
    return 0;
}

/* Zero-fills [addr, addr+len) in bounded chunks (the bss). */
static int zero_guest(physmap *pm, uint32_t addr, uint32_t len)
{
    static const uint8_t zeros[4096];
    while (len) {
        uint32_t n = len < sizeof(zeros) ? len : (uint32_t)sizeof(zeros);
        int r = physmap_copy_to_guest(pm, addr, zeros, n);
        if (r < 0)
            return r;
        addr += n;
        len -= n;
    }
    return 0;
}

static int load_segments(physmap *pm, const uint8_t *image, const multiboot_plan *plan, char *err,
                         size_t es)
{
    for (unsigned i = 0; i < plan->nsegments; i++) {
        const multiboot_segment *s = &plan->seg[i];
        int r = physmap_copy_to_guest(pm, s->addr, image + s->file_offset, s->file_size);
        if (r == 0)
            r = zero_guest(pm, s->addr + s->file_size, s->mem_size - s->file_size);
        if (r < 0) {
            if (err && es)
                snprintf(err, es, "segment at 0x%08x is not in guest RAM", s->addr);
            return r;
        }
    }
    return 0;
}

int multiboot_load(physmap *pm, cpu *c, const uint8_t *image, size_t size,
                   const multiboot_config *cfg, char *err, size_t err_size)
{
    if (cfg->ram_size < 2 * HIGH_START)
        return set_error(err, err_size, -EINVAL, "Multiboot needs at least 2 MiB of RAM");
    multiboot_plan plan;
    int r = multiboot_parse(image, size, cfg->ram_size, &plan, err, err_size);
    if (r < 0)
        return r;
    uint8_t area[MULTIBOOT_INFO_SIZE];
    r = build_info(area, cfg, err, err_size);
    if (r < 0)
        return r;
    r = load_segments(pm, image, &plan, err, err_size);
    if (r < 0)
        return r;
    if (physmap_copy_to_guest(pm, MULTIBOOT_INFO_BASE, area, sizeof(area)) < 0)
        return set_error(err, err_size, -EFAULT, "boot information area is not in guest RAM");
    uint32_t gpr[8] = {0};
    gpr[CPU_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    gpr[CPU_EBX] = MULTIBOOT_INFO_BASE + MBI_INFO_OFF;
    cpu_setup_flat32(c, plan.entry, gpr);
    return 0;
}

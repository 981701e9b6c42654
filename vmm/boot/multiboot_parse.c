/* Multiboot v1 image parsing: find and check the header, then turn the a.out-kludge fields or
 * the ELF32 program headers into a list of segments. Nothing here touches the guest, so the
 * checks can be tested without a CPU or guest memory. All arithmetic on file-supplied values
 * is done in 64 bits so that no sum can wrap. */
#include "vmm/boot/multiboot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MB_FLAG_PAGE_ALIGN 0x00000001u
#define MB_FLAG_MEMORY     0x00000002u
#define MB_FLAG_VIDEO      0x00000004u
#define MB_FLAG_AOUT       0x00010000u
/* Bits 0..15 are requirements: a loader must refuse an image asking for one it lacks. We
 * honour 0 (nothing to align: no modules) and 1 (memory info is always given); 2 (video
 * mode) is accepted and left unanswered, as the console stays in text mode. */
#define MB_FLAGS_KNOWN_REQUIRED (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY | MB_FLAG_VIDEO)

#define ELF_PT_LOAD 1
#define ELF_EM_386  3
#define ELF_ET_EXEC 2

static int fail(char *err, size_t err_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_size, int code, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The header is 32-bit aligned within the first 8 KiB; magic + flags + checksum sum to 0. */
static int find_header(const uint8_t *image, size_t size, uint32_t *ret_offset)
{
    size_t limit = size < MULTIBOOT_SEARCH_BYTES ? size : MULTIBOOT_SEARCH_BYTES;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (rd32(image + off) != MULTIBOOT_HEADER_MAGIC)
            continue;
        *ret_offset = (uint32_t)off;
        return 0;
    }
    return -ENOEXEC;
}

/* Checks that [addr, addr+len) lies in RAM and stays clear of the boot information area. */
static int check_range(uint32_t addr, uint64_t len, uint32_t ram_size, char *err, size_t es)
{
    uint64_t end = (uint64_t)addr + len;
    if (end > ram_size)
        return fail(err, es, -ERANGE,
                    "segment 0x%08x..0x%08llx lies beyond the top of RAM (0x%08x)", addr,
                    (unsigned long long)end, ram_size);
    if (len && addr < MULTIBOOT_INFO_BASE + MULTIBOOT_INFO_SIZE && end > MULTIBOOT_INFO_BASE)
        return fail(err, es, -ERANGE, "segment 0x%08x..0x%08llx overlaps the boot information area",
                    addr, (unsigned long long)end);
    return 0;
}

static int add_segment(multiboot_plan *plan, uint64_t off, uint64_t fsz, uint32_t addr,
                       uint64_t msz, size_t size, uint32_t ram_size, char *err, size_t es)
{
    if (plan->nsegments >= MULTIBOOT_MAX_SEGMENTS)
        return fail(err, es, -ENOEXEC, "more than %d loadable segments", MULTIBOOT_MAX_SEGMENTS);
    if (fsz > msz)
        return fail(err, es, -EINVAL, "segment file size exceeds its memory size");
    if (off + fsz > size)
        return fail(err, es, -EINVAL,
                    "file truncated: segment needs bytes up to offset 0x%llx, file has 0x%zx",
                    (unsigned long long)(off + fsz), size);
    int r = check_range(addr, msz, ram_size, err, es);
    if (r < 0)
        return r;
    multiboot_segment *s = &plan->seg[plan->nsegments++];
    s->file_offset = (uint32_t)off;
    s->file_size = (uint32_t)fsz;
    s->addr = addr;
    s->mem_size = (uint32_t)msz;
    return 0;
}

/* a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr follow the
 * checksum. The file is loaded from the offset that puts the header at header_addr. */
static int parse_aout(const uint8_t *image, size_t size, uint32_t ram_size, multiboot_plan *plan,
                      char *err, size_t es)
{
    const uint8_t *h = image + plan->header_offset;
    if ((uint64_t)plan->header_offset + 32 > size)
        return fail(err, es, -EINVAL, "file truncated inside the Multiboot address fields");
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    plan->entry = rd32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > plan->header_offset)
        return fail(err, es, -EINVAL,
                    "header_addr 0x%08x and load_addr 0x%08x disagree with "
                    "the header's file offset 0x%x",
                    header_addr, load_addr, plan->header_offset);
    uint64_t file_off = plan->header_offset - (header_addr - load_addr);
    uint64_t load_len;
    if (load_end == 0)
        load_len = size - file_off;
    else if (load_end < load_addr)
        return fail(err, es, -EINVAL, "load_end_addr 0x%08x below load_addr", load_end);
    else
        load_len = (uint64_t)load_end - load_addr;
    uint64_t mem_len = load_len;
    if (bss_end != 0) {
        if (bss_end < load_addr + load_len)
            return fail(err, es, -EINVAL, "bss_end_addr 0x%08x below the loaded data", bss_end);
        mem_len = (uint64_t)bss_end - load_addr;
    }
    if (plan->entry < load_addr || plan->entry >= load_addr + mem_len)
        return fail(err, es, -EINVAL, "entry_addr 0x%08x outside the loaded image", plan->entry);
    return add_segment(plan, file_off, load_len, load_addr, mem_len, size, ram_size, err, es);
}

/* ELF32: every PT_LOAD segment goes to its physical address. An entry point given as a
 * virtual address inside a segment is translated to that segment's physical address, since
 * the kernel starts with paging off. */
static int parse_elf(const uint8_t *image, size_t size, uint32_t ram_size, multiboot_plan *plan,
                     char *err, size_t es)
{
    if (size < 52)
        return fail(err, es, -EINVAL, "file truncated inside the ELF header");
    if (image[4] != 1 || image[5] != 1)
        return fail(err, es, -ENOEXEC, "not a little-endian ELF32 file");
    if (rd16(image + 16) != ELF_ET_EXEC || rd16(image + 18) != ELF_EM_386)
        return fail(err, es, -ENOEXEC, "not an i386 ELF executable");
    uint32_t entry = rd32(image + 24), phoff = rd32(image + 28);
    uint16_t phentsize = rd16(image + 42), phnum = rd16(image + 44);
    if (phentsize < 32)
        return fail(err, es, -EINVAL, "ELF program header size %u too small", phentsize);
    if ((uint64_t)phoff + (uint64_t)phnum * phentsize > size)
        return fail(err, es, -EINVAL, "file truncated inside the ELF program headers");
    plan->entry = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = image + phoff + (size_t)i * phentsize;
        if (rd32(ph) != ELF_PT_LOAD)
            continue;
        uint32_t off = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        int r = add_segment(plan, off, filesz, paddr, memsz, size, ram_size, err, es);
        if (r < 0)
            return r;
        if (entry >= vaddr && (uint64_t)entry < (uint64_t)vaddr + memsz)
            plan->entry = paddr + (entry - vaddr);
    }
    if (plan->nsegments == 0)
        return fail(err, es, -ENOEXEC, "ELF file has no loadable segment");
    return 0;
}

int multiboot_parse(const uint8_t *image, size_t size, uint32_t ram_size, multiboot_plan *ret_plan,
                    char *err, size_t err_size)
{
    multiboot_plan plan;
    memset(&plan, 0, sizeof(plan));
    if (size > UINT32_MAX)
        return fail(err, err_size, -EINVAL, "image larger than 4 GiB");
    if (find_header(image, size, &plan.header_offset) < 0)
        return fail(err, err_size, -ENOEXEC, "no Multiboot header in the first %u bytes",
                    MULTIBOOT_SEARCH_BYTES);
    const uint8_t *h = image + plan.header_offset;
    plan.header_flags = rd32(h + 4);
    if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + plan.header_flags + rd32(h + 8)) != 0)
        return fail(err, err_size, -ENOEXEC, "bad Multiboot header checksum 0x%08x", rd32(h + 8));
    uint32_t unknown = plan.header_flags & 0xFFFFu & ~MB_FLAGS_KNOWN_REQUIRED;
    if (unknown)
        return fail(err, err_size, -ENOEXEC, "unsupported required Multiboot flags 0x%04x",
                    unknown);
    int r;
    if (plan.header_flags & MB_FLAG_AOUT)
        r = parse_aout(image, size, ram_size, &plan, err, err_size);
    else if (size >= 4 && memcmp(image,
                                 "\x7f"
                                 "ELF",
                                 4) == 0)
        r = parse_elf(image, size, ram_size, &plan, err, err_size);
    else
        r = fail(err, err_size, -ENOEXEC,
                 "not an ELF file and the header has no load addresses (flag 16)");
    if (r < 0)
        return r;
    *ret_plan = plan;
    return 0;
}

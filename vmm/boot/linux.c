/* Direct Linux boot: the bzImage setup header, placement, the zero page, 32-bit entry.
 * Offsets are those of struct setup_header and struct boot_params in the kernel's boot
 * protocol documentation (Documentation/arch/x86/boot.rst, zero-page.rst). */
#include "vmm/boot/linux.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Setup header fields (file offsets; the zero page holds the header at the same offsets). */
enum {
    HDR_SETUP_SECTS = 0x1F1,
    HDR_SYSSIZE = 0x1F4,
    HDR_BOOT_FLAG = 0x1FE,
    HDR_JUMP = 0x200, /* 2-byte short jump: its second byte is the header's length - 0x202 */
    HDR_MAGIC = 0x202,
    HDR_VERSION = 0x206,
    HDR_KERNEL_VERSION = 0x20E,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_CODE32_START = 0x214,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21C,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22C,
    HDR_KERNEL_ALIGNMENT = 0x230,
    HDR_RELOCATABLE = 0x234,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_PREF_ADDRESS = 0x258,
    HDR_INIT_SIZE = 0x260,
    HDR_MIN_END = 0x206, /* enough to read the magic and version */
    HDR_MAX_END = 0x290, /* boot_params.hdr never extends past this */
};

/* Zero page fields outside the setup header. */
enum {
    BP_EXT_MEM_K = 0x002, /* screen_info.ext_mem_k */
    BP_VIDEO_MODE = 0x006,
    BP_VIDEO_COLS = 0x007,
    BP_VIDEO_EGA_BX = 0x00A,
    BP_VIDEO_LINES = 0x00E,
    BP_VIDEO_IS_VGA = 0x00F,
    BP_VIDEO_POINTS = 0x010,
    BP_ALT_MEM_K = 0x1E0,
    BP_E820_ENTRIES = 0x1E8,
    BP_E820_TABLE = 0x2D0,
    BP_E820_ENTRY_SIZE = 20,
};

#define LOADED_HIGH      0x01u
#define KEEP_SEGMENTS    0x40u
#define BOOT_FLAG        0xAA55u
#define HDRS_MAGIC       0x53726448u /* "HdrS" */
#define LOADER_UNDEFINED 0xFFu       /* type_of_loader: a loader with no assigned id */
#define OLD_INITRD_MAX   0x37FFFFFFu /* initrd_addr_max before protocol 2.03 */
#define OLD_CMDLINE_MAX  255u        /* cmdline_size before protocol 2.06 */
#define PAGE_MASK_4K     0xFFFu

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || !err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* Why a file without the bzImage signatures was rejected, in words a user can act on. */
static int reject_not_bzimage(const uint8_t *image, size_t size, char *err, size_t err_size)
{
    /* bzImages start with "MZ" (the EFI stub's PE header): a short one was cut off. */
    if (size >= 2 && image[0] == 'M' && image[1] == 'Z' && size < HDR_MIN_END) {
        set_err(err, err_size, "truncated bzImage: %zu bytes, too short for the setup header",
                size);
        return -EINVAL;
    }
    if (size >= 4 && memcmp(image, "\177ELF", 4) == 0)
        set_err(err, err_size,
                "not a bzImage: this is an ELF file (an uncompressed vmlinux?); "
                "use the bzImage (/boot/vmlinuz-*)");
    else
        set_err(err, err_size, "not a bzImage: no Linux boot protocol header (\"HdrS\")");
    return -ENOEXEC;
}

static void read_kernel_version(const uint8_t *image, const linux_setup_info *info, char *out,
                                size_t out_size)
{
    out[0] = 0;
    uint16_t off = rd16(image + HDR_KERNEL_VERSION);
    if (!off)
        return;
    size_t pos = 0x200u + off, n = 0;
    while (pos < info->setup_size && n + 1 < out_size && image[pos] >= 0x20 && image[pos] < 0x7F)
        out[n++] = (char)image[pos++];
    out[n] = 0;
}

/* Fields added by later protocol versions, or their documented defaults. */
static void read_versioned_fields(const uint8_t *image, linux_setup_info *info)
{
    uint16_t v = info->version;
    info->initrd_addr_max = v >= 0x203 ? rd32(image + HDR_INITRD_ADDR_MAX) : OLD_INITRD_MAX;
    info->kernel_alignment = v >= 0x205 ? rd32(image + HDR_KERNEL_ALIGNMENT) : 0;
    info->relocatable = v >= 0x205 && image[HDR_RELOCATABLE];
    info->cmdline_size = v >= 0x206 ? rd32(image + HDR_CMDLINE_SIZE) : OLD_CMDLINE_MAX;
    info->init_size = v >= 0x20A ? rd32(image + HDR_INIT_SIZE) : 0;
    uint64_t pref = v >= 0x20A ? rd64(image + HDR_PREF_ADDRESS) : 0;
    info->pref_address = pref < 0x100000000ull ? (uint32_t)pref : 0;
    if (info->init_size < info->pm_size)
        info->init_size = info->pm_size;
    /* syssize is 16 bits wide before 2.04. */
    if (v < 0x204)
        info->syssize &= 0xFFFFu;
}

int linux_parse(const uint8_t *image, size_t size, linux_setup_info *ret_info, char *err,
                size_t err_size)
{
    if (size < HDR_MIN_END || rd16(image + HDR_BOOT_FLAG) != BOOT_FLAG ||
        rd32(image + HDR_MAGIC) != HDRS_MAGIC)
        return reject_not_bzimage(image, size, err, err_size);

    linux_setup_info info = {0};
    info.version = rd16(image + HDR_VERSION);
    if (info.version < 0x202) {
        set_err(err, err_size, "boot protocol %u.%02u is too old: 2.02 or later is needed",
                info.version >> 8, info.version & 0xFF);
        return -ENOEXEC;
    }
    info.header_end = HDR_MAGIC + image[HDR_JUMP + 1];
    if (info.header_end > HDR_MAX_END)
        info.header_end = HDR_MAX_END;
    if (info.header_end < HDR_CMDLINE_SIZE + 4 && info.version >= 0x206) {
        set_err(err, err_size, "setup header ends at %#x, too short for protocol %u.%02u",
                info.header_end, info.version >> 8, info.version & 0xFF);
        return -EINVAL;
    }
    info.setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
    info.setup_size = (info.setup_sects + 1) * 512u;
    if (size < info.header_end || size <= info.setup_size) {
        set_err(err, err_size, "truncated bzImage: %zu bytes, the real-mode setup alone is %u",
                size, info.setup_size);
        return -EINVAL;
    }
    info.loadflags = image[HDR_LOADFLAGS];
    if (!(info.loadflags & LOADED_HIGH)) {
        set_err(err, err_size, "a zImage (loads below 1 MiB) is not supported: use a bzImage");
        return -ENOEXEC;
    }
    if (size - info.setup_size > UINT32_MAX) {
        set_err(err, err_size, "kernel image too large (%zu bytes)", size);
        return -EINVAL;
    }
    info.pm_size = (uint32_t)(size - info.setup_size);
    info.syssize = rd32(image + HDR_SYSSIZE);
    info.code32_start = rd32(image + HDR_CODE32_START);
    read_versioned_fields(image, &info);
    if (info.syssize == 0 || (uint64_t)info.syssize * 16 > info.pm_size) {
        set_err(err, err_size,
                "truncated bzImage: the header announces %llu bytes of kernel, the file has %u",
                (unsigned long long)info.syssize * 16, info.pm_size);
        return -EINVAL;
    }
    if (info.code32_start < LINUX_KERNEL_ADDR ||
        info.code32_start - LINUX_KERNEL_ADDR >= info.pm_size) {
        set_err(err, err_size, "code32_start %#x is outside the kernel loaded at %#x",
                info.code32_start, LINUX_KERNEL_ADDR);
        return -EINVAL;
    }
    read_kernel_version(image, &info, info.kernel_version, sizeof(info.kernel_version));
    *ret_info = info;
    return 0;
}

unsigned linux_default_e820(uint32_t ram_size, linux_e820_entry *ret, unsigned max)
{
    const linux_e820_entry map[] = {
        {0, 0x9FC00, LINUX_E820_RAM},            /* conventional memory */
        {0x9FC00, 0x400, LINUX_E820_RESERVED},   /* extended BIOS data area */
        {0xF0000, 0x10000, LINUX_E820_RESERVED}, /* system BIOS */
        {0x100000, 0, LINUX_E820_RAM},           /* extended memory, up to ram_size */
    };
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]) && n < max; i++) {
        linux_e820_entry e = map[i];
        if (e.addr == 0x100000) {
            if (ram_size <= 0x100000)
                continue;
            e.size = ram_size - 0x100000u;
        }
        ret[n++] = e;
    }
    return n;
}

/* True if [addr, addr+len) lies inside one usable RAM entry that is also below ram_size. */
static bool range_is_ram(const linux_e820_entry *map, unsigned n, uint32_t ram_size, uint64_t addr,
                         uint64_t len)
{
    if (addr + len > ram_size)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (map[i].type == LINUX_E820_RAM && addr >= map[i].addr &&
            addr + len <= map[i].addr + map[i].size)
            return true;
    return false;
}

/* The e820 table to use: the caller's, or the default one built into `buf`. */
static unsigned pick_e820(const linux_config *cfg, linux_e820_entry *buf,
                          const linux_e820_entry **ret_map)
{
    if (cfg->e820 && cfg->e820_count) {
        *ret_map = cfg->e820;
        return cfg->e820_count;
    }
    *ret_map = buf;
    return linux_default_e820(cfg->ram_size, buf, LINUX_E820_MAX);
}

/* Highest 4 KiB-aligned start for `size` bytes below `limit` (exclusive) and at or above
 * `floor`, inside one RAM entry. Returns 0 when there is none (0 is never a valid place). */
static uint32_t place_high(const linux_e820_entry *map, unsigned n, uint64_t limit, uint64_t floor,
                           uint64_t size)
{
    uint64_t best = 0;
    for (unsigned i = 0; i < n; i++) {
        if (map[i].type != LINUX_E820_RAM)
            continue;
        uint64_t lo = map[i].addr > floor ? map[i].addr : floor;
        uint64_t hi = map[i].addr + map[i].size;
        if (hi > limit)
            hi = limit;
        if (hi < size || hi - size < lo)
            continue;
        uint64_t start = (hi - size) & ~(uint64_t)PAGE_MASK_4K;
        if (start >= lo && start > best)
            best = start;
    }
    return (uint32_t)best;
}

static int plan_initrd(const linux_setup_info *info, const linux_config *cfg,
                       const linux_e820_entry *map, unsigned n, linux_layout *lay, char *err,
                       size_t err_size)
{
    if (!cfg->initrd || !cfg->initrd_size)
        return 0;
    uint64_t limit = (uint64_t)info->initrd_addr_max + 1;
    if (limit > cfg->ram_size)
        limit = cfg->ram_size;
    uint32_t addr = 0;
    if (cfg->initrd_size <= UINT32_MAX)
        addr = place_high(map, n, limit, lay->kernel_end, cfg->initrd_size);
    if (!addr) {
        uint64_t room = limit > lay->kernel_end ? limit - lay->kernel_end : 0;
        set_err(err, err_size,
                "the initrd (%zu KiB) does not fit in guest memory: %llu KiB free between the "
                "kernel's end (%#x) and %#llx; give the guest more memory",
                cfg->initrd_size >> 10, (unsigned long long)(room >> 10), lay->kernel_end,
                (unsigned long long)limit);
        return -ENOMEM;
    }
    lay->initrd_addr = addr;
    lay->initrd_size = (uint32_t)cfg->initrd_size;
    return 0;
}

static int plan_kernel(const linux_setup_info *info, const linux_config *cfg,
                       const linux_e820_entry *map, unsigned n, linux_layout *lay, char *err,
                       size_t err_size)
{
    /* A relocatable kernel decompresses itself to pref_address (when higher than where it was
     * loaded) and needs init_size bytes from there. */
    uint64_t run_addr = LINUX_KERNEL_ADDR;
    if (info->pref_address > run_addr)
        run_addr = info->pref_address;
    uint64_t end = run_addr + info->init_size;
    if (!range_is_ram(map, n, cfg->ram_size, LINUX_KERNEL_ADDR, end - LINUX_KERNEL_ADDR)) {
        set_err(err, err_size,
                "the kernel needs guest RAM up to %llu MiB (it runs at %#llx and needs %u KiB "
                "there) but the guest has %u MiB",
                (unsigned long long)((end + 0xFFFFF) >> 20), (unsigned long long)run_addr,
                info->init_size >> 10, cfg->ram_size >> 20);
        return -ENOMEM;
    }
    lay->kernel_addr = LINUX_KERNEL_ADDR;
    lay->kernel_end = (uint32_t)end;
    lay->entry = info->code32_start;
    return 0;
}

int linux_plan(const linux_setup_info *info, const linux_config *cfg, linux_layout *ret_layout,
               char *err, size_t err_size)
{
    if (cfg->e820 && cfg->e820_count > LINUX_E820_MAX) {
        set_err(err, err_size, "e820 table has %u entries, at most %d fit", cfg->e820_count,
                LINUX_E820_MAX);
        return -EINVAL;
    }
    linux_e820_entry buf[LINUX_E820_MAX];
    const linux_e820_entry *map;
    unsigned n = pick_e820(cfg, buf, &map);

    linux_layout lay = {0};
    size_t len = cfg->cmdline ? strlen(cfg->cmdline) : 0;
    uint32_t max =
        info->cmdline_size < LINUX_CMDLINE_MAX - 1 ? info->cmdline_size : LINUX_CMDLINE_MAX - 1;
    if (len > max) {
        set_err(err, err_size, "kernel command line is %zu bytes; this kernel accepts %u", len,
                max);
        return -E2BIG;
    }
    if (!range_is_ram(map, n, cfg->ram_size, LINUX_BOOT_PARAMS_ADDR,
                      LINUX_CMDLINE_ADDR + LINUX_CMDLINE_MAX - LINUX_BOOT_PARAMS_ADDR)) {
        set_err(err, err_size, "no guest RAM at %#x-%#x for the boot parameters",
                LINUX_BOOT_PARAMS_ADDR, LINUX_CMDLINE_ADDR + LINUX_CMDLINE_MAX);
        return -EINVAL;
    }
    lay.boot_params_addr = LINUX_BOOT_PARAMS_ADDR;
    lay.cmdline_addr = LINUX_CMDLINE_ADDR;
    lay.cmdline_len = (uint32_t)len;
    int r = plan_kernel(info, cfg, map, n, &lay, err, err_size);
    if (r < 0)
        return r;
    r = plan_initrd(info, cfg, map, n, &lay, err, err_size);
    if (r < 0)
        return r;
    *ret_layout = lay;
    return 0;
}

static void write_e820(uint8_t *zp, const linux_e820_entry *map, unsigned n)
{
    zp[BP_E820_ENTRIES] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = zp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;
        wr64(e, map[i].addr);
        wr64(e + 8, map[i].size);
        wr32(e + 16, map[i].type);
    }
}

void linux_build_boot_params(const uint8_t *image, const linux_setup_info *info,
                             const linux_config *cfg, const linux_layout *layout,
                             uint8_t zp[LINUX_BOOT_PARAMS_SIZE])
{
    memset(zp, 0, LINUX_BOOT_PARAMS_SIZE);
    /* The kernel reads its own header back from the zero page. screen_info stays zero unless
     * the machine has a VGA in text mode: then it says what a BIOS would have left. */
    memcpy(zp + HDR_SETUP_SECTS, image + HDR_SETUP_SECTS, info->header_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    zp[HDR_LOADFLAGS] = (uint8_t)(info->loadflags & ~KEEP_SEGMENTS);
    wr32(zp + HDR_CMD_LINE_PTR, layout->cmdline_addr);
    wr32(zp + HDR_RAMDISK_IMAGE, layout->initrd_addr);
    wr32(zp + HDR_RAMDISK_SIZE, layout->initrd_size);

    linux_e820_entry buf[LINUX_E820_MAX];
    const linux_e820_entry *map;
    unsigned n = pick_e820(cfg, buf, &map);
    if (n > LINUX_E820_MAX)
        n = LINUX_E820_MAX;
    write_e820(zp, map, n);
    /* Memory above 1 MiB in KiB, for kernels that look before (or instead of) the e820. */
    uint32_t ext_k = cfg->ram_size > 0x100000 ? (cfg->ram_size - 0x100000) >> 10 : 0;
    wr32(zp + BP_ALT_MEM_K, ext_k);
    wr16(zp + BP_EXT_MEM_K, ext_k > 0xFFFF ? 0xFFFF : (uint16_t)ext_k);
    if (cfg->vga_text) {
        zp[BP_VIDEO_MODE] = 3;
        zp[BP_VIDEO_COLS] = 80;
        zp[BP_VIDEO_EGA_BX] = 3;
        zp[BP_VIDEO_LINES] = 25;
        zp[BP_VIDEO_IS_VGA] = 0x22; /* VIDEO_TYPE_VGAC */
        zp[BP_VIDEO_POINTS] = 16;
    }
}

static int copy_in(physmap *pm, uint32_t addr, const void *src, size_t len, const char *what,
                   char *err, size_t err_size)
{
    if (!len || physmap_copy_to_guest(pm, addr, src, len) == 0)
        return 0;
    set_err(err, err_size, "cannot write the %s to guest memory at %#x (%zu bytes): not RAM", what,
            addr, len);
    return -EFAULT;
}

int linux_load(physmap *pm, cpu *c, const uint8_t *image, size_t size, const linux_config *cfg,
               linux_layout *ret_layout, char *err, size_t err_size)
{
    linux_setup_info info;
    linux_layout lay;
    int r = linux_parse(image, size, &info, err, err_size);
    if (r == 0)
        r = linux_plan(&info, cfg, &lay, err, err_size);
    if (r < 0)
        return r;

    uint8_t zp[LINUX_BOOT_PARAMS_SIZE];
    linux_build_boot_params(image, &info, cfg, &lay, zp);
    static const char empty[1] = "";
    const char *cmdline = cfg->cmdline ? cfg->cmdline : empty;
    r = copy_in(pm, lay.kernel_addr, image + info.setup_size, info.pm_size, "kernel", err,
                err_size);
    if (r == 0)
        r = copy_in(pm, lay.cmdline_addr, cmdline, lay.cmdline_len + 1, "command line", err,
                    err_size);
    if (r == 0)
        r = copy_in(pm, lay.initrd_addr, cfg->initrd, lay.initrd_size, "initrd", err, err_size);
    if (r == 0)
        r = copy_in(pm, lay.boot_params_addr, zp, sizeof(zp), "boot parameters", err, err_size);
    if (r < 0)
        return r;

    /* Boot protocol: ESI = boot_params; EBP, EDI, EBX zero; interrupts off. The stack is any
     * RAM: the kernel sets its own from the zero page's scratch field at once. */
    uint32_t gpr[8] = {0};
    gpr[CPU_ESI] = lay.boot_params_addr;
    gpr[CPU_ESP] = lay.boot_params_addr;
    cpu_setup_flat32(c, lay.entry, gpr);
    if (ret_layout)
        *ret_layout = lay;
    return 0;
}

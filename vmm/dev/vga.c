/* VGA device lifecycle: construction, PCI function and LFB mapping, reset, save/load. */
#include "vmm/dev/vga.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define VGA_SAVE_VERSION 1
#define PCI_COMMAND_MEM  0x02
/* The LFB is only mapped inside the usual 32-bit PCI hole, never over low RAM, the BIOS
 * or the APIC/flash area at the top: BAR sizing writes all ones there for a moment. */
#define LFB_MIN 0x01000000u
#define LFB_MAX 0xFEC00000u

/* The standard mode 3 (80x25 colour text, 720x400) register set. */
static const uint8_t mode3_seq[VGA_SEQ_COUNT] = {0x03, 0x00, 0x03, 0x00, 0x02};
static const uint8_t mode3_crtc[VGA_CRTC_COUNT] = {
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00,
    0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF};
static const uint8_t mode3_gc[VGA_GC_COUNT] = {0x00, 0x00, 0x00, 0x00, 0x00,
                                               0x10, 0x0E, 0x00, 0xFF};
static const uint8_t mode3_ar[VGA_AR_COUNT] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14,
                                               0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D,
                                               0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00};

void vga_set_mode3(vga *v)
{
    v->misc = 0x67;
    memcpy(v->seq, mode3_seq, sizeof(v->seq));
    memcpy(v->crtc, mode3_crtc, sizeof(v->crtc));
    memcpy(v->gc, mode3_gc, sizeof(v->gc));
    memcpy(v->ar, mode3_ar, sizeof(v->ar));
    v->ar_index = 0x20;
    v->pel_mask = 0xFF;
    /* The EGA 64-colour palette in DAC entries 0-63: bits 0-2 are the 2/3-intensity
     * blue, green, red and bits 3-5 the 1/3-intensity ones. */
    memset(v->palette, 0, sizeof(v->palette));
    for (int i = 0; i < 64; i++) {
        v->palette[i * 3 + 0] = (uint8_t)(((i >> 2) & 1) * 0x2A + ((i >> 5) & 1) * 0x15);
        v->palette[i * 3 + 1] = (uint8_t)(((i >> 1) & 1) * 0x2A + ((i >> 4) & 1) * 0x15);
        v->palette[i * 3 + 2] = (uint8_t)((i & 1) * 0x2A + ((i >> 3) & 1) * 0x15);
    }
    v->palette_gen++;
}

/* ---- LFB mapping ---- */

static uint32_t open_bus_read(void *opaque, uint32_t offset, unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void open_bus_write(void *opaque, uint32_t offset, uint32_t value, unsigned size) {}

static const mmio_ops open_bus_ops = {open_bus_read, open_bus_write};

static void lfb_update_mapping(vga *v)
{
    uint32_t base = pci_device_bar(&v->pci, 0);
    bool on = (v->pci.config[PCI_COMMAND] & PCI_COMMAND_MEM) && base >= LFB_MIN &&
              (uint64_t)base + v->vram_size <= LFB_MAX;
    uint32_t want = on ? base : 0;
    if (want == v->lfb_base || !v->pm)
        return;
    /* The physical map has no unmap: what was there before is the PCI hole, open bus. */
    if (v->lfb_base)
        physmap_add_mmio(v->pm, v->lfb_base, v->vram_size, &open_bus_ops, v);
    v->lfb_base = 0;
    if (want && physmap_add_ram(v->pm, want, v->vram_size, v->vram) == 0)
        v->lfb_base = want;
}

static void vga_config_written(pci_device *d, unsigned offset, unsigned size)
{
    if (offset < PCI_BAR0 + 4 && offset + size > PCI_COMMAND)
        lfb_update_mapping(d->opaque);
}

/* ---- lifecycle ---- */

void vga_reset(vga *v)
{
    v->feature = 0;
    v->seq_index = v->gc_index = v->crtc_index = 0;
    v->ar_flip = false;
    v->dac_read_index = v->dac_write_index = v->dac_sub = v->dac_state = 0;
    memset(v->latch, 0, sizeof(v->latch));
    memset(v->vbe, 0, sizeof(v->vbe));
    v->vbe[VBE_INDEX_ID] = VBE_ID5;
    v->vbe[VBE_INDEX_BPP] = 8;
    v->vbe_index = 0;
    vga_set_mode3(v);
    v->full_redraw = true;
    v->font_dirty = true;
}

static void vga_reset_op(void *opaque)
{
    vga_reset(opaque);
}

static const dev_ops vga_dev_ops = {
    .name = "vga",
    .reset = vga_reset_op,
    .save = vga_save,
    .load = vga_load,
};

static const dev_port_range vga_ports[] = {
    {0x3B0, 0x30, vga_port_read, vga_port_write},
    {0x1CE, 2, vga_port_read, vga_port_write},
};

static const mmio_ops vga_window_ops = {vga_mem_read, vga_mem_write};

static void free_buffers(vga *v)
{
    if (v->vram)
        munmap(v->vram, v->vram_size);
    if (v->shadow)
        munmap(v->shadow, v->vram_size);
    free(v->dirty);
    free(v->cells);
    v->vram = v->shadow = v->dirty = NULL;
    v->cells = NULL;
}

static int alloc_buffers(vga *v)
{
    /* Anonymous mappings: untouched VRAM costs no host memory. */
    void *a = mmap(NULL, v->vram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *b = mmap(NULL, v->vram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    v->vram = a == MAP_FAILED ? NULL : a;
    v->shadow = b == MAP_FAILED ? NULL : b;
    v->dirty = calloc((v->vram_size >> 15) + 1, 1);
    if (!v->vram || !v->shadow || !v->dirty) {
        free_buffers(v);
        return -ENOMEM;
    }
    return 0;
}

int vga_init(vga *v, const dev_env *env, pci_bus *bus, uint8_t devfn, physmap *pm,
             display_surface *surface, unsigned vram_mb)
{
    if (vram_mb == 0)
        vram_mb = VGA_VRAM_DEFAULT_MB;
    if (vram_mb > 256 || (vram_mb & (vram_mb - 1)))
        return -EINVAL;
    memset(v, 0, sizeof(*v));
    v->vram_size = vram_mb << 20;
    v->surface = surface;
    v->pm = pm;
    v->env = env;
    int r = alloc_buffers(v);
    if (r < 0)
        return r;
    pci_device_init(&v->pci, VGA_PCI_VENDOR, VGA_PCI_DEVICE, 0x030000, 0x02);
    pci_device_set_bar(&v->pci, 0, v->vram_size, PCI_BAR_MEM_PREF);
    v->pci.config_written = vga_config_written;
    v->pci.opaque = v;
    if (bus && (r = pci_bus_add(bus, &v->pci, devfn)) < 0)
        goto fail;
    r = dev_register(env, vga_ports, 2, &vga_dev_ops, v);
    if (r < 0)
        goto fail_pci;
    if (pm && (r = physmap_add_mmio(pm, 0xA0000, 0x20000, &vga_window_ops, v)) < 0)
        goto fail_ports;
    vga_reset(v);
    return 0;
fail_ports:
    dev_unregister(env, vga_ports, 2, v);
fail_pci:
    if (bus)
        pci_bus_remove(bus, &v->pci);
fail:
    free_buffers(v);
    return r;
}

void vga_fini(vga *v, const dev_env *env)
{
    dev_unregister(env, vga_ports, 2, v);
    if (v->pci.bus)
        pci_bus_remove(v->pci.bus, &v->pci);
    if (v->pm && v->lfb_base)
        physmap_add_mmio(v->pm, v->lfb_base, v->vram_size, &open_bus_ops, v);
    if (v->pm)
        physmap_add_mmio(v->pm, 0xA0000, 0x20000, &open_bus_ops, v);
    free_buffers(v);
}

int vga_load_font(vga *v, const uint8_t *glyphs, int first, int count, int height)
{
    if (height < 1 || height > 32 || first < 0 || count < 0 || first + count > 256)
        return -EINVAL;
    for (int c = 0; c < count; c++)
        for (int y = 0; y < 32; y++)
            v->vram[((uint32_t)(first + c) * 32 + (uint32_t)y) * 4 + 2] =
                y < height ? glyphs[c * height + y] : 0;
    v->font_dirty = true;
    return 0;
}

int vga_load_font_from_rom(vga *v, const uint8_t *rom, uint32_t len)
{
    /* Glyph 0 is blank and glyph 1 the smiling face: 16 zero rows, then the face. */
    static const uint8_t key[32] = {[18] = 0x7E, 0x81, 0xA5, 0x81, 0x81,
                                    0xBD,        0x99, 0x81, 0x81, 0x7E};
    for (uint32_t i = 0; len >= 256 * 16 && i <= len - 256 * 16; i++)
        if (memcmp(rom + i, key, sizeof(key)) == 0)
            return vga_load_font(v, rom + i, 0, 256, 16);
    return -ENOENT;
}

int vga_read_rom(const char *path, uint8_t **ret_data, uint32_t *ret_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0 || size > 256 * 1024 || lseek(fd, 0, SEEK_SET) < 0) {
        int e = size > 256 * 1024 ? -EFBIG : -errno;
        close(fd);
        return e;
    }
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t got = read(fd, buf, (size_t)size);
    close(fd);
    if (got != size) {
        free(buf);
        return got < 0 ? -errno : -EIO;
    }
    *ret_data = buf;
    *ret_len = (uint32_t)size;
    return 0;
}

/* ---- save/load ---- */

int vga_save(void *opaque, dev_blob *b)
{
    vga *v = opaque;
    dev_put_header(b, "VGA ", VGA_SAVE_VERSION);
    dev_put_u8(b, v->misc);
    dev_put_u8(b, v->feature);
    dev_put_u8(b, v->seq_index);
    dev_put_bytes(b, v->seq, sizeof(v->seq));
    dev_put_u8(b, v->gc_index);
    dev_put_bytes(b, v->gc, sizeof(v->gc));
    dev_put_u8(b, v->crtc_index);
    dev_put_bytes(b, v->crtc, sizeof(v->crtc));
    dev_put_u8(b, v->ar_index);
    dev_put_bytes(b, v->ar, sizeof(v->ar));
    dev_put_bool(b, v->ar_flip);
    dev_put_u8(b, v->dac_read_index);
    dev_put_u8(b, v->dac_write_index);
    dev_put_u8(b, v->dac_sub);
    dev_put_u8(b, v->dac_state);
    dev_put_u8(b, v->pel_mask);
    dev_put_bytes(b, v->dac_latch, sizeof(v->dac_latch));
    dev_put_bytes(b, v->palette, sizeof(v->palette));
    dev_put_bytes(b, v->latch, sizeof(v->latch));
    dev_put_u16(b, v->vbe_index);
    for (int i = 0; i < VBE_INDEX_COUNT; i++)
        dev_put_u16(b, v->vbe[i]);
    pci_device_save(&v->pci, b);
    dev_put_u32(b, v->vram_size);
    dev_put_bytes(b, v->vram, v->vram_size);
    return b->error;
}

int vga_load(void *opaque, dev_blob *b)
{
    vga *v = opaque;
    if (dev_get_header(b, "VGA ", VGA_SAVE_VERSION) < 0)
        return -EINVAL;
    v->misc = dev_get_u8(b);
    v->feature = dev_get_u8(b);
    v->seq_index = dev_get_u8(b) & 0x07;
    dev_get_bytes(b, v->seq, sizeof(v->seq));
    v->gc_index = dev_get_u8(b) & 0x0F;
    dev_get_bytes(b, v->gc, sizeof(v->gc));
    v->crtc_index = dev_get_u8(b) & 0x3F;
    dev_get_bytes(b, v->crtc, sizeof(v->crtc));
    v->ar_index = dev_get_u8(b) & 0x3F;
    dev_get_bytes(b, v->ar, sizeof(v->ar));
    v->ar_flip = dev_get_bool(b);
    v->dac_read_index = dev_get_u8(b);
    v->dac_write_index = dev_get_u8(b);
    v->dac_sub = dev_get_u8(b) % 3;
    v->dac_state = dev_get_u8(b);
    v->pel_mask = dev_get_u8(b);
    dev_get_bytes(b, v->dac_latch, sizeof(v->dac_latch));
    dev_get_bytes(b, v->palette, sizeof(v->palette));
    dev_get_bytes(b, v->latch, sizeof(v->latch));
    v->vbe_index = dev_get_u16(b);
    for (int i = 0; i < VBE_INDEX_COUNT; i++)
        v->vbe[i] = dev_get_u16(b);
    pci_device_load(&v->pci, b);
    if (dev_get_u32(b) != v->vram_size)
        return -EINVAL;
    dev_get_bytes(b, v->vram, v->vram_size);
    if (b->error)
        return b->error;
    /* Saved VBE geometry is re-validated through the renderer's checks (compute_mode
     * blanks anything outside VRAM); the bank must still fit. */
    if ((uint32_t)v->vbe[VBE_INDEX_BANK] * VBE_BANK_SIZE >= v->vram_size)
        v->vbe[VBE_INDEX_BANK] = 0;
    lfb_update_mapping(v);
    v->full_redraw = true;
    v->font_dirty = true;
    return 0;
}

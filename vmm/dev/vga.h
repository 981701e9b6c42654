/* The standard VGA (ports 0x3B0-0x3DF, memory window 0xA0000-0xBFFFF) with the Bochs VBE
 * "dispi" extension (ports 0x1CE/0x1CF) on the PCI stdvga device 1234:1111, whose BAR0 is
 * the linear framebuffer (all of VRAM). It renders into a display_surface.
 *
 * Memory model (as the hardware): four planes of 64 KiB, byte p of plane offset o at
 * vram[o * 4 + p]. Chain-4 and odd/even CPU accesses are translated into plane offsets
 * as the real card does (the low address bits pick the plane and are otherwise kept), and
 * the CRTC reads with byte, word or dword addressing. VBE modes and the VBE bank window
 * see VRAM as one linear array instead.
 *
 * Speed: the LFB is mapped as RAM in the physical map, so guest framebuffer writes cost
 * what RAM writes cost. vga_update() finds what changed by comparing the visible pages
 * with a shadow copy (a few hundred microseconds for a 1024x768x32 frame); the legacy
 * window, which is MMIO anyway, marks pages dirty as it writes. Only changed rows (graphics)
 * or cells (text) are re-rendered, and only those are reported as damage.
 *
 * Threading: every function here runs on the thread that owns the machine (the VM loop);
 * vga_update() is meant to be called from a 30-60 Hz timer on that thread. Display clients
 * read the surface from other threads (see vmm/display/surface.h). */
#ifndef VIREO_VMM_DEV_VGA_H
#define VIREO_VMM_DEV_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/pci.h"
#include "vmm/display/surface.h"
#include "vmm/mem/physmap.h"

#define VGA_VRAM_DEFAULT_MB 16
#define VGA_PLANE_SIZE      0x10000u
#define VGA_LEGACY_SIZE     (4 * VGA_PLANE_SIZE)
#define VGA_SEQ_COUNT       5
#define VGA_GC_COUNT        9
#define VGA_CRTC_COUNT      25
#define VGA_AR_COUNT        21

/* Bochs VBE dispi registers (index port 0x1CE, data port 0x1CF). */
enum {
    VBE_INDEX_ID,
    VBE_INDEX_XRES,
    VBE_INDEX_YRES,
    VBE_INDEX_BPP,
    VBE_INDEX_ENABLE,
    VBE_INDEX_BANK,
    VBE_INDEX_VIRT_WIDTH,
    VBE_INDEX_VIRT_HEIGHT,
    VBE_INDEX_X_OFFSET,
    VBE_INDEX_Y_OFFSET,
    VBE_INDEX_VIDEO_MEMORY_64K,
    VBE_INDEX_COUNT,
};
#define VBE_ID0             0xB0C0
#define VBE_ID5             0xB0C5
#define VBE_ENABLED         0x01
#define VBE_GETCAPS         0x02
#define VBE_8BIT_DAC        0x20
#define VBE_LFB_ENABLED     0x40
#define VBE_NOCLEARMEM      0x80
#define VBE_MAX_XRES        DISPLAY_MAX_WIDTH
#define VBE_MAX_YRES        DISPLAY_MAX_HEIGHT
#define VBE_BANK_SIZE       0x10000u
#define VGA_PCI_VENDOR      0x1234
#define VGA_PCI_DEVICE      0x1111
#define VGA_ROM_FW_CFG_NAME "pci1234,1111.rom" /* SeaBIOS looks for this name first */

/* What the renderer last drew (compared each update to find full redraws). */
typedef struct vga_mode {
    int kind; /* VGA_KIND_* */
    int width, height;
    int cols, rows, cw, ch; /* text */
    uint32_t start, pitch;  /* in bytes of vram (VBE) or CRTC counter units */
    int shift;              /* CRTC address shift: 0 byte, 1 word, 2 dword */
    int bpp;
    uint8_t font_select, cursor_start, cursor_end; /* SR3, CR0A, CR0B: text look */
    uint32_t palette_gen;
} vga_mode;

enum { VGA_KIND_BLANK, VGA_KIND_TEXT, VGA_KIND_PLANAR16, VGA_KIND_256, VGA_KIND_VBE };

typedef struct vga {
    /* Guest-visible registers. */
    uint8_t misc, feature;
    uint8_t seq_index, seq[VGA_SEQ_COUNT];
    uint8_t gc_index, gc[VGA_GC_COUNT];
    uint8_t crtc_index, crtc[VGA_CRTC_COUNT];
    uint8_t ar_index, ar[VGA_AR_COUNT];
    bool ar_flip; /* false: next 0x3C0 write is an index */
    uint8_t dac_read_index, dac_write_index, dac_sub, dac_state, pel_mask;
    uint8_t dac_latch[3];
    uint8_t palette[768]; /* 6-bit (or 8-bit with VBE_8BIT_DAC) RGB triples */
    uint8_t latch[4];
    uint8_t st01_toggle;
    uint16_t vbe_index, vbe[VBE_INDEX_COUNT];

    /* VRAM: vram_size bytes, page-aligned; the first 256 KiB are the four VGA planes. */
    uint8_t *vram;
    uint32_t vram_size;
    pci_device pci;
    physmap *pm;
    uint32_t lfb_base; /* where BAR0 is mapped now, 0 = not mapped */
    const dev_env *env;

    /* Rendering. */
    display_surface *surface;
    uint8_t *shadow; /* VRAM as of the last update, for the LFB comparison */
    uint8_t *dirty;  /* one bit per 4 KiB page of VRAM written through MMIO */
    uint32_t *cells; /* text: what each cell shows, as last drawn */
    uint32_t ncells;
    bool font_dirty, full_redraw;
    uint32_t palette_gen;
    vga_mode mode;
} vga;

/* Build the device: claims ports 0x3B0-0x3DF and 0x1CE-0x1CF, maps 0xA0000-0xBFFFF as
 * MMIO, adds the PCI function at `devfn` (BAR0 = VRAM as prefetchable memory; the LFB is
 * mapped as RAM while memory decoding is on and BAR0 is in the PCI hole), registers reset,
 * save and load. vram_mb: 1-256, a power of two (0 = VGA_VRAM_DEFAULT_MB). The reset state
 * is 80x25 text mode (mode 3) registers and palette, so a guest booted without a BIOS finds
 * the console it expects. Returns 0 or -errno (-EINVAL for a bad vram_mb). */
int vga_init(vga *v, const dev_env *env, pci_bus *bus, uint8_t devfn, physmap *pm,
             display_surface *surface, unsigned vram_mb);
void vga_fini(vga *v, const dev_env *env);
void vga_reset(vga *v);

/* Render what changed since the last call into the surface and flush its damage.
 * now_ns drives cursor (16 frames at 60 Hz) and character (32 frames) blinking. */
void vga_update(vga *v, uint64_t now_ns);

/* In a text mode, the screen as UTF-8 lines (CP437 mapped; see vmm/display/text.h).
 * *ret_text is malloc'd. Returns 0, -ENOTSUP in a graphics mode, -ENOMEM. */
int vga_get_screen_text(vga *v, char **ret_text);

/* Load a font into plane 2, as INT 10h AX=1110h would: `count` glyphs of `height` bytes
 * (1-32) starting at character `first`, into character map 0. Returns 0 or -EINVAL. */
int vga_load_font(vga *v, const uint8_t *glyphs, int first, int count, int height);

/* Find the 8x16 font in a VGA BIOS image (the IBM character set, found by its first two
 * glyphs) and load it as character map 0, as the BIOS's mode set would. For guests booted
 * without a BIOS (direct Linux boot), whose console expects the BIOS font in place.
 * Returns 0, or -ENOENT if the image holds no such font. */
int vga_load_font_from_rom(vga *v, const uint8_t *rom, uint32_t len);

/* Read the VGA BIOS (e.g. /usr/share/seabios/vgabios-stdvga.bin) into a malloc'd buffer
 * for fw_cfg file VGA_ROM_FW_CFG_NAME. Returns 0, -errno from the file, -EFBIG over 256 KiB. */
int vga_read_rom(const char *path, uint8_t **ret_data, uint32_t *ret_len);

/* Port and memory access as the guest performs them (also used by tests). */
uint32_t vga_port_read(void *opaque, uint16_t port, unsigned size);
void vga_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size);
uint32_t vga_mem_read(void *opaque, uint32_t offset, unsigned size);
void vga_mem_write(void *opaque, uint32_t offset, uint32_t value, unsigned size);

/* Internal, shared by the vga_*.c files. */
uint8_t vga_mem_readb(vga *v, uint32_t addr);
void vga_mem_writeb(vga *v, uint32_t addr, uint8_t value);
void vga_mark_dirty(vga *v, uint32_t vram_offset, uint32_t len);
void vga_vbe_write(vga *v, uint16_t value);
uint16_t vga_vbe_read(vga *v);
void vga_set_mode3(vga *v);
int vga_save(void *opaque, dev_blob *b);
int vga_load(void *opaque, dev_blob *b);

#endif

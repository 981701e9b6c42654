/* Bochs VBE dispi interface: mode registers behind ports 0x1CE (index) / 0x1CF (data). */
#include <string.h>

#include "vmm/dev/vga.h"

static unsigned bytes_pp(unsigned bpp)
{
    return (bpp + 7) / 8;
}

static bool bpp_valid(unsigned bpp)
{
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* Keep the virtual size and offsets inside VRAM whatever order the guest wrote them in. */
static void vbe_fix_geometry(vga *v)
{
    uint16_t *r = v->vbe;
    unsigned bpp = bytes_pp(r[VBE_INDEX_BPP]);
    if (r[VBE_INDEX_VIRT_WIDTH] < r[VBE_INDEX_XRES])
        r[VBE_INDEX_VIRT_WIDTH] = r[VBE_INDEX_XRES];
    uint32_t line = (uint32_t)r[VBE_INDEX_VIRT_WIDTH] * bpp;
    if (line == 0 || line > v->vram_size)
        return;
    uint32_t max_lines = v->vram_size / line;
    if (max_lines > 0xFFFF)
        max_lines = 0xFFFF;
    r[VBE_INDEX_VIRT_HEIGHT] = (uint16_t)max_lines;
    if ((uint32_t)r[VBE_INDEX_X_OFFSET] + r[VBE_INDEX_XRES] > r[VBE_INDEX_VIRT_WIDTH])
        r[VBE_INDEX_X_OFFSET] = (uint16_t)(r[VBE_INDEX_VIRT_WIDTH] - r[VBE_INDEX_XRES]);
    if ((uint32_t)r[VBE_INDEX_Y_OFFSET] + r[VBE_INDEX_YRES] > max_lines)
        r[VBE_INDEX_Y_OFFSET] =
            (uint16_t)(max_lines >= r[VBE_INDEX_YRES] ? max_lines - r[VBE_INDEX_YRES] : 0);
}

static void vbe_enable(vga *v, uint16_t val)
{
    uint16_t *r = v->vbe;
    bool was = r[VBE_INDEX_ENABLE] & VBE_ENABLED;
    if ((val & VBE_ENABLED) && !was) {
        /* A mode that does not fit is refused: the guest sees ENABLE stay clear. */
        uint64_t need =
            (uint64_t)r[VBE_INDEX_XRES] * r[VBE_INDEX_YRES] * bytes_pp(r[VBE_INDEX_BPP]);
        if (!bpp_valid(r[VBE_INDEX_BPP]) || r[VBE_INDEX_XRES] == 0 || r[VBE_INDEX_YRES] == 0 ||
            r[VBE_INDEX_XRES] > VBE_MAX_XRES || r[VBE_INDEX_YRES] > VBE_MAX_YRES ||
            need > v->vram_size) {
            r[VBE_INDEX_ENABLE] = (uint16_t)(val & VBE_8BIT_DAC);
            return;
        }
        /* A virtual width set while disabled (Linux bochs-drm does) is kept if it fits. */
        if ((uint64_t)r[VBE_INDEX_VIRT_WIDTH] * r[VBE_INDEX_YRES] * bytes_pp(r[VBE_INDEX_BPP]) >
            v->vram_size)
            r[VBE_INDEX_VIRT_WIDTH] = r[VBE_INDEX_XRES];
        r[VBE_INDEX_BANK] = 0;
        vbe_fix_geometry(v);
        if (!(val & VBE_NOCLEARMEM))
            memset(v->vram, 0, v->vram_size);
        /* Graphics, chain-4 and 256-colour shift: legacy code poking VGA registers in a VBE
         * mode finds them as a graphics mode leaves them. */
        v->gc[6] = (uint8_t)((v->gc[6] & ~0x0C) | 0x05);
        v->seq[4] |= 0x08;
        v->ar[0x10] |= 0x01;
    }
    r[VBE_INDEX_ENABLE] =
        val & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM);
    v->full_redraw = true;
}

void vga_vbe_write(vga *v, uint16_t val)
{
    uint16_t *r = v->vbe;
    bool enabled = r[VBE_INDEX_ENABLE] & VBE_ENABLED;
    switch (v->vbe_index) {
    case VBE_INDEX_ID:
        if (val >= VBE_ID0 && val <= VBE_ID5)
            r[VBE_INDEX_ID] = val;
        break;
    case VBE_INDEX_XRES:
    case VBE_INDEX_YRES:
    case VBE_INDEX_BPP:
        /* Geometry changes only while disabled, as on the Bochs card. */
        if (!enabled)
            r[v->vbe_index] = (v->vbe_index == VBE_INDEX_BPP && val == 0) ? 8 : val;
        break;
    case VBE_INDEX_ENABLE: vbe_enable(v, val); break;
    case VBE_INDEX_BANK:
        if ((uint32_t)val * VBE_BANK_SIZE < v->vram_size)
            r[VBE_INDEX_BANK] = val;
        break;
    case VBE_INDEX_VIRT_WIDTH:
        if (!enabled) {
            r[VBE_INDEX_VIRT_WIDTH] = val;
        } else if ((uint64_t)val * bytes_pp(r[VBE_INDEX_BPP]) * r[VBE_INDEX_YRES] <= v->vram_size) {
            r[VBE_INDEX_VIRT_WIDTH] = val;
            vbe_fix_geometry(v);
            v->full_redraw = true;
        }
        break;
    case VBE_INDEX_X_OFFSET:
    case VBE_INDEX_Y_OFFSET:
        r[v->vbe_index] = val;
        if (enabled)
            vbe_fix_geometry(v);
        v->full_redraw = true;
        break;
    default: break; /* VIRT_HEIGHT and VIDEO_MEMORY_64K are read-only */
    }
}

uint16_t vga_vbe_read(vga *v)
{
    uint16_t *r = v->vbe;
    unsigned i = v->vbe_index;
    if (i >= VBE_INDEX_COUNT)
        return 0;
    if (r[VBE_INDEX_ENABLE] & VBE_GETCAPS) {
        if (i == VBE_INDEX_XRES)
            return VBE_MAX_XRES;
        if (i == VBE_INDEX_YRES)
            return VBE_MAX_YRES;
        if (i == VBE_INDEX_BPP)
            return 32;
    }
    if (i == VBE_INDEX_VIDEO_MEMORY_64K)
        return (uint16_t)(v->vram_size >> 16);
    return r[i];
}

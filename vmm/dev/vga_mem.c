/* The legacy memory window 0xA0000-0xBFFFF: planar, odd/even and chain-4 accesses, write
 * modes 0-3 and read modes 0-1; in a VBE mode, a 64 KiB bank of linear VRAM. */
#include "vmm/dev/vga.h"

/* Window-relative address (offset from 0xA0000) to an address inside the mapped window,
 * or -1 when GC6's memory map does not decode it. */
static int32_t window_addr(const vga *v, uint32_t offset)
{
    switch ((v->gc[6] >> 2) & 3) {
    case 0: return (int32_t)offset;
    case 1: return offset < 0x10000 ? (int32_t)offset : -1;
    case 2: return offset >= 0x10000 && offset < 0x18000 ? (int32_t)(offset - 0x10000) : -1;
    default: return offset >= 0x18000 ? (int32_t)(offset - 0x18000) : -1;
    }
}

static bool vbe_banked(const vga *v)
{
    return v->vbe[VBE_INDEX_ENABLE] & VBE_ENABLED;
}

static uint32_t bank_offset(const vga *v, uint32_t offset)
{
    /* BANK is bounded when written; the window wraps at 64 KiB. */
    return (uint32_t)v->vbe[VBE_INDEX_BANK] * VBE_BANK_SIZE + (offset & (VBE_BANK_SIZE - 1));
}

void vga_mark_dirty(vga *v, uint32_t vram_offset, uint32_t len)
{
    if (!len || vram_offset >= v->vram_size)
        return;
    uint32_t last = vram_offset + len - 1;
    if (last >= v->vram_size)
        last = v->vram_size - 1;
    for (uint32_t p = vram_offset >> 12; p <= last >> 12; p++)
        v->dirty[p >> 3] |= (uint8_t)(1u << (p & 7));
}

uint8_t vga_mem_readb(vga *v, uint32_t offset)
{
    if (vbe_banked(v)) {
        uint32_t o = bank_offset(v, offset);
        return o < v->vram_size ? v->vram[o] : 0xFF;
    }
    int32_t a = window_addr(v, offset);
    if (a < 0)
        return 0xFF;
    uint32_t addr = (uint32_t)a;
    if (v->seq[4] & 0x08) { /* chain-4: address bits 0-1 pick the plane */
        uint32_t o = (addr & 0xFFFC) * 4;
        for (int p = 0; p < 4; p++)
            v->latch[p] = v->vram[o + p];
        return v->latch[addr & 3];
    }
    if (v->gc[5] & 0x10) { /* odd/even: bit 0 picks the plane, GC4 bit 1 the pair */
        uint32_t o = (addr & 0xFFFE) * 4;
        for (int p = 0; p < 4; p++)
            v->latch[p] = v->vram[o + p];
        return v->latch[(addr & 1) | (v->gc[4] & 2)];
    }
    uint32_t o = (addr & 0xFFFF) * 4;
    for (int p = 0; p < 4; p++)
        v->latch[p] = v->vram[o + p];
    if (!(v->gc[5] & 0x08))
        return v->latch[v->gc[4] & 3];
    /* Read mode 1: bits whose (don't-care-masked) colour equals the compare colour. */
    uint8_t result = 0xFF;
    for (int p = 0; p < 4; p++) {
        if (!(v->gc[7] & (1u << p)))
            continue;
        uint8_t want = (v->gc[2] >> p) & 1 ? 0xFF : 0x00;
        result &= (uint8_t) ~(v->latch[p] ^ want);
    }
    return result;
}

static uint8_t alu(const vga *v, uint8_t val, int p)
{
    uint8_t l = v->latch[p];
    switch ((v->gc[3] >> 3) & 3) {
    case 1: return val & l;
    case 2: return val | l;
    case 3: return val ^ l;
    default: return val;
    }
}

/* Byte for plane p in write modes 0, 2 and 3 (mode 1 copies the latches). */
static uint8_t planar_value(const vga *v, uint8_t val, int p)
{
    uint8_t rot = v->gc[3] & 7;
    uint8_t rv = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
    uint8_t sr = (v->gc[0] >> p) & 1 ? 0xFF : 0x00;
    uint8_t mask = v->gc[8], b;
    switch (v->gc[5] & 3) {
    case 0: b = (v->gc[1] >> p) & 1 ? sr : rv; break;
    case 2: b = (val >> p) & 1 ? 0xFF : 0x00; break;
    default: /* 3 */
        mask &= rv;
        b = sr;
        break;
    }
    b = alu(v, b, p);
    return (uint8_t)((b & mask) | (v->latch[p] & ~mask));
}

static void planar_write(vga *v, uint32_t plane_off, uint8_t val, uint8_t planes)
{
    uint32_t o = plane_off * 4;
    for (int p = 0; p < 4; p++) {
        if (!(planes & (1u << p)))
            continue;
        v->vram[o + p] = (v->gc[5] & 3) == 1 ? v->latch[p] : planar_value(v, val, p);
    }
    if (planes & 4)
        v->font_dirty = true;
    vga_mark_dirty(v, o, 4);
}

void vga_mem_writeb(vga *v, uint32_t offset, uint8_t val)
{
    if (vbe_banked(v)) {
        uint32_t o = bank_offset(v, offset);
        if (o < v->vram_size) {
            v->vram[o] = val;
            vga_mark_dirty(v, o, 1);
        }
        return;
    }
    int32_t a = window_addr(v, offset);
    if (a < 0)
        return;
    uint32_t addr = (uint32_t)a;
    uint8_t mapmask = v->seq[2] & 0x0F;
    if (v->seq[4] & 0x08) {
        uint8_t plane = (uint8_t)(1u << (addr & 3));
        if (mapmask & plane)
            planar_write(v, addr & 0xFFFC, val, plane);
        return;
    }
    if (!(v->seq[4] & 0x04)) { /* odd/even: even bytes to planes 0/2, odd to 1/3 */
        uint8_t planes = (addr & 1) ? 0x0A : 0x05;
        planar_write(v, addr & 0xFFFE, val, mapmask & planes);
        return;
    }
    planar_write(v, addr & 0xFFFF, val, mapmask);
}

uint32_t vga_mem_read(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        r |= (uint32_t)vga_mem_readb(opaque, offset + i) << (8 * i);
    return r;
}

void vga_mem_write(void *opaque, uint32_t offset, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size && i < 4; i++)
        vga_mem_writeb(opaque, offset + i, (uint8_t)(value >> (8 * i)));
}

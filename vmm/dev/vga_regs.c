/* VGA register ports 0x3B0-0x3DF and the Bochs VBE dispi ports 0x1CE/0x1CF. */
#include <string.h>

#include "vmm/dev/vga.h"

/* Colour (misc bit 0 set) or monochrome I/O address: CRTC and input status 1 move. */
static bool port_active(const vga *v, uint16_t port)
{
    if (port >= 0x3B0 && port <= 0x3BF)
        return !(v->misc & 1);
    if (port >= 0x3D0 && port <= 0x3DF)
        return v->misc & 1;
    return true;
}

static uint8_t read_st01(vga *v)
{
    /* Alternate display enable and vertical retrace on each read: polling loops that wait
     * for retrace to start and then to end both terminate. */
    v->ar_flip = false;
    v->st01_toggle ^= 1;
    return v->st01_toggle ? 0x09 : 0x00;
}

static uint8_t dac_read(vga *v)
{
    uint8_t val = v->palette[(v->dac_read_index * 3 + v->dac_sub) % 768];
    if (++v->dac_sub == 3) {
        v->dac_sub = 0;
        v->dac_read_index++;
    }
    return val;
}

static void dac_write(vga *v, uint8_t val)
{
    v->dac_latch[v->dac_sub] = (v->vbe[VBE_INDEX_ENABLE] & VBE_8BIT_DAC) ? val : (val & 0x3F);
    if (++v->dac_sub == 3) {
        memcpy(&v->palette[v->dac_write_index * 3], v->dac_latch, 3);
        v->dac_sub = 0;
        v->dac_write_index++;
        v->palette_gen++;
    }
}

static uint8_t port_readb(vga *v, uint16_t port)
{
    if (!port_active(v, port))
        return 0xFF;
    switch (port) {
    case 0x3C0: return v->ar_index;
    case 0x3C1: {
        unsigned i = v->ar_index & 0x1F;
        return i < VGA_AR_COUNT ? v->ar[i] : 0;
    }
    case 0x3C2: return 0x10; /* input status 0: switch sense high (colour monitor) */
    case 0x3C4: return v->seq_index;
    case 0x3C5: return v->seq_index < VGA_SEQ_COUNT ? v->seq[v->seq_index] : 0;
    case 0x3C6: return v->pel_mask;
    case 0x3C7: return v->dac_state;
    case 0x3C8: return v->dac_write_index;
    case 0x3C9: return dac_read(v);
    case 0x3CA: return v->feature;
    case 0x3CC: return v->misc;
    case 0x3CE: return v->gc_index;
    case 0x3CF: return v->gc_index < VGA_GC_COUNT ? v->gc[v->gc_index] : 0;
    case 0x3B4:
    case 0x3D4: return v->crtc_index;
    case 0x3B5:
    case 0x3D5: return v->crtc_index < VGA_CRTC_COUNT ? v->crtc[v->crtc_index] : 0;
    case 0x3BA:
    case 0x3DA: return read_st01(v);
    default: return 0xFF;
    }
}

static void ar_write(vga *v, uint8_t val)
{
    if (!v->ar_flip) {
        v->ar_index = val & 0x3F;
    } else {
        unsigned i = v->ar_index & 0x1F;
        if (i < VGA_AR_COUNT) {
            v->ar[i] = val;
            v->palette_gen++;
        }
    }
    v->ar_flip = !v->ar_flip;
}

static void crtc_write(vga *v, uint8_t val)
{
    unsigned i = v->crtc_index;
    if (i >= VGA_CRTC_COUNT)
        return;
    /* CR11 bit 7 protects CR0-CR7, except the line compare bit 4 of CR7. */
    if ((v->crtc[0x11] & 0x80) && i <= 7) {
        if (i == 7)
            v->crtc[7] = (uint8_t)((v->crtc[7] & ~0x10) | (val & 0x10));
        return;
    }
    v->crtc[i] = val;
}

static void port_writeb(vga *v, uint16_t port, uint8_t val)
{
    if (!port_active(v, port))
        return;
    switch (port) {
    case 0x3C0: ar_write(v, val); break;
    case 0x3C2: v->misc = val; break;
    case 0x3C4: v->seq_index = val & 0x07; break;
    case 0x3C5:
        if (v->seq_index < VGA_SEQ_COUNT)
            v->seq[v->seq_index] = val;
        break;
    case 0x3C6:
        v->pel_mask = val;
        v->palette_gen++;
        break;
    case 0x3C7:
        v->dac_read_index = val;
        v->dac_sub = 0;
        v->dac_state = 3;
        break;
    case 0x3C8:
        v->dac_write_index = val;
        v->dac_sub = 0;
        v->dac_state = 0;
        break;
    case 0x3C9: dac_write(v, val); break;
    case 0x3CE: v->gc_index = val & 0x0F; break;
    case 0x3CF:
        if (v->gc_index < VGA_GC_COUNT)
            v->gc[v->gc_index] = val;
        break;
    case 0x3B4:
    case 0x3D4: v->crtc_index = val & 0x3F; break;
    case 0x3B5:
    case 0x3D5: crtc_write(v, val); break;
    case 0x3BA:
    case 0x3DA: v->feature = val; break;
    default: break;
    }
}

uint32_t vga_port_read(void *opaque, uint16_t port, unsigned size)
{
    vga *v = opaque;
    if (port == 0x1CE || port == 0x1CF) {
        if (port == 0x1CE)
            return v->vbe_index;
        return vga_vbe_read(v);
    }
    uint32_t r = 0;
    for (unsigned i = 0; i < size && i < 4; i++)
        r |= (uint32_t)port_readb(v, (uint16_t)(port + i)) << (8 * i);
    return r;
}

void vga_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    vga *v = opaque;
    if (port == 0x1CE) {
        v->vbe_index = (uint16_t)value;
        return;
    }
    if (port == 0x1CF) {
        vga_vbe_write(v, (uint16_t)value);
        return;
    }
    /* OUTW to an index port writes index then data, as on the ISA bus. */
    for (unsigned i = 0; i < size && i < 4; i++)
        port_writeb(v, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

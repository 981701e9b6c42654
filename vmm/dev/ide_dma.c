/* PIIX bus-master IDE: per channel a command register (start, direction), a status register
 * (active, error, interrupt, drive DMA capable) and the PRD table address. A transfer runs
 * when both the drive has a DMA command and the guest has set START; it walks the PRD table
 * (8-byte entries: buffer address, byte count with 0 meaning 64 KiB, end-of-table in bit 31)
 * moving data between guest RAM and the medium through the channel's staging buffer. */
#include <errno.h>
#include <string.h>

#include "vmm/dev/ide_int.h"

typedef struct prd {
    uint32_t addr, len;
    bool eot;
} prd;

static int ide_prd_fetch(ide *s, ide_channel *c, uint32_t i, prd *ret)
{
    uint8_t e[8];
    uint32_t at = c->bm_prd + 8 * i;
    if (at < c->bm_prd || physmap_copy_from_guest(s->pm, at, e, sizeof(e)) < 0)
        return -EFAULT;
    uint32_t len = (uint32_t)(e[4] | e[5] << 8);
    ret->addr = (uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) & ~1u;
    ret->len = len ? len : 0x10000;
    ret->eot = e[7] & 0x80;
    return 0;
}

static bool ide_dma_finished(const ide_channel *c, bool to_mem)
{
    return to_mem ? c->pos == c->fill && c->left == 0 : c->left == 0;
}

/* Move up to p->len bytes for one PRD entry; advances p. Returns 0 or -errno. */
static int ide_dma_entry(ide *s, ide_channel *c, prd *p, bool to_mem)
{
    while (p->len && !ide_dma_finished(c, to_mem)) {
        if (to_mem && c->pos == c->fill) {
            int r = ide_refill(c);
            if (r < 0)
                return r;
        }
        /* reads drain buf[pos, fill); writes fill buf[pos, window) */
        uint32_t window =
            to_mem ? c->fill : (uint32_t)(c->left < IDE_BUF_SIZE ? c->left : IDE_BUF_SIZE);
        uint32_t n = window - c->pos < p->len ? window - c->pos : p->len;
        int r = to_mem ? physmap_copy_to_guest(s->pm, p->addr, c->buf + c->pos, n)
                       : physmap_copy_from_guest(s->pm, p->addr, c->buf + c->pos, n);
        if (r < 0)
            return -EFAULT;
        c->pos += n;
        p->addr += n;
        p->len -= n;
        if (!to_mem && c->pos == window) {
            if (img_write(ide_cur(c)->image, c->lba * 512, c->buf, window) < 0)
                return -EIO;
            c->lba += window / 512;
            c->left -= window;
            c->pos = 0;
        }
    }
    return 0;
}

static void ide_dma_fail(ide_channel *c, int err)
{
    c->bm_status = (uint8_t)((c->bm_status & ~IDE_BM_ACTIVE) | IDE_BM_ERROR);
    if (c->atapi) {
        atapi_set_sense(ide_cur(c), err == -EFAULT ? 0x05 : 0x03, err == -EFAULT ? 0x21 : 0x11, 0);
        atapi_complete(c);
    } else {
        ide_abort(c, err == -EFAULT ? IDE_ERR_ABRT : IDE_ERR_UNC | IDE_ERR_ABRT);
    }
}

static void ide_dma_run(ide *s, ide_channel *c)
{
    bool to_mem = c->xfer == IDE_XFER_DMA_IN;
    prd p = {0};
    uint32_t i;
    for (i = 0; i < IDE_MAX_PRD; i++) {
        int r = ide_prd_fetch(s, c, i, &p);
        if (r == 0)
            r = ide_dma_entry(s, c, &p, to_mem);
        if (r < 0) {
            ide_dma_fail(c, r);
            return;
        }
        if (ide_dma_finished(c, to_mem) || p.eot)
            break;
    }
    if (!ide_dma_finished(c, to_mem)) {
        /* the table ended (or ran past IDE_MAX_PRD entries) before the data did */
        ide_dma_fail(c, -EFAULT);
        return;
    }
    /* A table longer than the transfer leaves the engine active, as on the PIIX. */
    if (p.eot && p.len == 0)
        c->bm_status &= (uint8_t)~IDE_BM_ACTIVE;
    if (c->atapi)
        atapi_complete(c);
    else
        ide_done(c, true);
}

void ide_dma_try(ide *s, ide_channel *c)
{
    bool pending = c->xfer == IDE_XFER_DMA_IN || c->xfer == IDE_XFER_DMA_OUT;
    if (pending && (c->bm_cmd & IDE_BM_START))
        ide_dma_run(s, c);
}

static ide_channel *ide_bm_channel(ide *s, uint16_t port, unsigned *ret_reg)
{
    unsigned off = (unsigned)(port - s->bm_base);
    *ret_reg = off & 7;
    return &s->ch[off >> 3 & 1];
}

uint32_t ide_bm_read(void *opaque, uint16_t port, unsigned size)
{
    ide *s = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg;
        ide_channel *c = ide_bm_channel(s, (uint16_t)(port + i), &reg);
        uint8_t b = 0;
        if (reg == 0)
            b = c->bm_cmd;
        else if (reg == 2)
            b = c->bm_status;
        else if (reg >= 4)
            b = (uint8_t)(c->bm_prd >> (8 * (reg - 4)));
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void ide_bm_write_cmd(ide *s, ide_channel *c, uint8_t v)
{
    bool was = c->bm_cmd & IDE_BM_START;
    c->bm_cmd = v & (IDE_BM_START | IDE_BM_TO_MEM);
    if (!(v & IDE_BM_START)) {
        c->bm_status &= (uint8_t)~IDE_BM_ACTIVE; /* stop: abandon what was left */
        return;
    }
    if (!was) {
        c->bm_status |= IDE_BM_ACTIVE;
        ide_dma_try(s, c);
    }
}

void ide_bm_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ide *s = opaque;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg;
        ide_channel *c = ide_bm_channel(s, (uint16_t)(port + i), &reg);
        uint8_t b = (uint8_t)(value >> (8 * i));
        if (reg == 0) {
            ide_bm_write_cmd(s, c, b);
        } else if (reg == 2) {
            c->bm_status = (uint8_t)((c->bm_status & ~0x60 & ~(b & (IDE_BM_ERROR | IDE_BM_INTR))) |
                                     (b & 0x60));
        } else if (reg >= 4) {
            unsigned sh = 8 * (reg - 4);
            c->bm_prd = (c->bm_prd & ~(0xFFu << sh)) | (uint32_t)b << sh;
            c->bm_prd &= ~3u;
        }
    }
}

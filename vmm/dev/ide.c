/* PIIX3 IDE: PCI function, task-file registers, device control, data port, interrupts,
 * reset and save/load. Commands live in ide_ata.c and atapi.c, DMA in ide_dma.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/dev/ide_int.h"

void ide_update_irq(ide_channel *c)
{
    irq_line_set(&c->irq, c->intrq && !(c->devctl & IDE_CTL_NIEN));
}

void ide_raise(ide_channel *c)
{
    c->intrq = true;
    c->bm_status |= IDE_BM_INTR;
    ide_update_irq(c);
}

static void ide_put_signature(ide_channel *c, const ide_drive *d)
{
    c->nsector = 1;
    c->sector = 1;
    c->lcyl = d->kind == IDE_CDROM ? 0x14 : 0x00;
    c->hcyl = d->kind == IDE_CDROM ? 0xEB : 0x00;
}

void ide_set_signature(ide_channel *c, const ide_drive *d)
{
    ide_put_signature(c, d);
    c->select &= IDE_SEL_UNIT;
}

void ide_done(ide_channel *c, bool irq)
{
    c->xfer = IDE_XFER_NONE;
    c->status = IDE_DRDY | IDE_DSC;
    c->error = 0;
    if (irq)
        ide_raise(c);
}

void ide_abort(ide_channel *c, uint8_t err)
{
    c->xfer = IDE_XFER_NONE;
    c->status = IDE_DRDY | IDE_DSC | IDE_ERR;
    c->error = err;
    ide_raise(c);
}

int ide_refill(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint64_t n = c->left < IDE_BUF_SIZE ? c->left : IDE_BUF_SIZE;
    c->pos = 0;
    c->fill = 0;
    if (!d->image)
        return -ENOMEDIUM;
    int r = img_read(d->image, c->lba * c->block_size, c->buf, (size_t)n);
    if (r < 0)
        return r;
    c->fill = (uint32_t)n;
    c->left -= n;
    c->lba += n / c->block_size;
    return 0;
}

void ide_pio_in_next(ide_channel *c)
{
    if (c->pos == c->fill) {
        if (c->left == 0) {
            if (c->atapi) {
                atapi_complete(c);
            } else {
                ide_done(c, false); /* no interrupt after the last PIO-in block */
            }
            return;
        }
        if (ide_refill(c) < 0) {
            if (c->atapi) {
                atapi_set_sense(ide_cur(c), 0x03, 0x11, 0x00); /* medium error, read error */
                atapi_complete(c);
            } else {
                ide_abort(c, IDE_ERR_UNC | IDE_ERR_ABRT);
            }
            return;
        }
    }
    uint32_t n = c->fill - c->pos;
    if (n > c->drq_bytes)
        n = c->drq_bytes;
    c->end = c->pos + n;
    if (c->atapi) {
        c->lcyl = (uint8_t)n;
        c->hcyl = (uint8_t)(n >> 8);
        c->nsector = 0x02; /* I/O = 1 (to host), C/D = 0 */
    }
    c->xfer = IDE_XFER_PIO_IN;
    c->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
    ide_raise(c);
}

void ide_start_in(ide *s, ide_channel *c, bool dma)
{
    c->pos = 0;
    if (dma) {
        c->xfer = IDE_XFER_DMA_IN;
        c->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
        ide_dma_try(s, c);
        return;
    }
    ide_pio_in_next(c);
}

/* --- data port --- */

static uint32_t ide_data_read(ide_channel *c, unsigned size)
{
    if (c->xfer != IDE_XFER_PIO_IN || c->pos >= c->end)
        return 0xFFFFFFFFu;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && c->pos < c->end; i++)
        v |= (uint32_t)c->buf[c->pos++] << (8 * i);
    if (c->pos == c->end)
        ide_pio_in_next(c);
    return v;
}

static void ide_data_write(ide *s, ide_channel *c, uint32_t v, unsigned size)
{
    if (c->xfer == IDE_XFER_PACKET) {
        for (unsigned i = 0; i < size && c->pos < sizeof(c->packet); i++)
            c->packet[c->pos++] = (uint8_t)(v >> (8 * i));
        if (c->pos == sizeof(c->packet))
            atapi_packet(s, c);
        return;
    }
    if (c->xfer != IDE_XFER_PIO_OUT || c->pos >= c->end)
        return;
    for (unsigned i = 0; i < size && c->pos < c->end; i++)
        c->buf[c->pos++] = (uint8_t)(v >> (8 * i));
    if (c->pos == c->end)
        ide_ata_pio_out_block(c);
}

/* --- task file --- */

static bool ide_channel_empty(const ide_channel *c)
{
    return c->drive[0].kind == IDE_NONE && c->drive[1].kind == IDE_NONE;
}

static uint8_t ide_status(ide_channel *c)
{
    if (ide_cur(c)->kind == IDE_NONE)
        return 0; /* device 0 answers for an absent device 1 */
    return c->status;
}

static uint8_t ide_reg_read(ide_channel *c, unsigned reg)
{
    bool hob = c->devctl & IDE_CTL_HOB;
    switch (reg) {
    case 1: return ide_cur(c)->kind == IDE_NONE ? 0 : c->error;
    case 2: return hob ? c->hob_nsector : c->nsector;
    case 3: return hob ? c->hob_sector : c->sector;
    case 4: return hob ? c->hob_lcyl : c->lcyl;
    case 5: return hob ? c->hob_hcyl : c->hcyl;
    case 6: return c->select | 0xA0;
    default: /* 7: status; reading it acknowledges the interrupt */
        c->intrq = false;
        ide_update_irq(c);
        return ide_status(c);
    }
}

static void ide_latch(uint8_t *reg, uint8_t *hob, uint8_t v)
{
    *hob = *reg;
    *reg = v;
}

static void ide_command(ide *s, ide_channel *c, uint8_t cmd)
{
    ide_drive *d = ide_cur(c);
    if (d->kind == IDE_NONE)
        return; /* nobody listens */
    if (c->xfer != IDE_XFER_NONE && cmd != 0x08)
        c->xfer = IDE_XFER_NONE; /* a new command abandons the old data phase */
    c->cmd = cmd;
    c->show_signature = false;
    c->intrq = false;
    ide_update_irq(c);
    ide_ata_command(s, c, cmd);
}

static void ide_reg_write(ide *s, ide_channel *c, unsigned reg, uint8_t v)
{
    c->devctl &= (uint8_t)~IDE_CTL_HOB; /* any task file write clears HOB */
    switch (reg) {
    case 1: ide_latch(&c->feature, &c->hob_feature, v); break;
    case 2: ide_latch(&c->nsector, &c->hob_nsector, v); break;
    case 3: ide_latch(&c->sector, &c->hob_sector, v); break;
    case 4: ide_latch(&c->lcyl, &c->hob_lcyl, v); break;
    case 5: ide_latch(&c->hcyl, &c->hob_hcyl, v); break;
    case 6: {
        int unit = (v & IDE_SEL_UNIT) ? 1 : 0;
        c->select = v & 0x5F;
        if (unit != c->unit && c->show_signature && c->drive[unit].kind != IDE_NONE)
            ide_put_signature(c, &c->drive[unit]);
        c->unit = unit;
        ide_update_irq(c);
        break;
    }
    case 7: ide_command(s, c, v); break;
    }
}

static ide_channel *ide_port_channel(ide *s, uint16_t port, unsigned *ret_reg)
{
    int n = (port & 0x180) == 0x100 ? 1 : 0; /* 0x17x/0x376 vs 0x1Fx/0x3F6 */
    *ret_reg = port & 7;
    return &s->ch[n];
}

static uint32_t ide_cmd_read(void *opaque, uint16_t port, unsigned size)
{
    unsigned reg;
    ide_channel *c = ide_port_channel(opaque, port, &reg);
    if (ide_channel_empty(c))
        return 0xFFFFFFFFu;
    if (reg == 0)
        return ide_data_read(c, size);
    return ide_reg_read(c, reg);
}

static void ide_cmd_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ide *s = opaque;
    unsigned reg;
    ide_channel *c = ide_port_channel(s, port, &reg);
    if (reg == 0)
        ide_data_write(s, c, value, size);
    else
        ide_reg_write(s, c, reg, (uint8_t)value);
}

static void ide_soft_reset(ide_channel *c)
{
    c->unit = 0;
    c->select = 0;
    c->xfer = IDE_XFER_NONE;
    c->error = 0x01; /* diagnostic: no error */
    for (int u = 0; u < 2; u++)
        if (c->drive[u].kind == IDE_CDROM)
            c->drive[u].sense_key = 0;
    ide_set_signature(c, &c->drive[0]);
    c->show_signature = true;
    /* One status register stands for both devices: ready if a disk is there (a packet
     * device alone keeps DRDY clear until the host identifies it). */
    bool disk = c->drive[0].kind == IDE_DISK || c->drive[1].kind == IDE_DISK;
    c->status = disk ? IDE_DRDY | IDE_DSC : 0;
    c->intrq = false;
    ide_update_irq(c);
}

static uint32_t ide_ctl_read(void *opaque, uint16_t port, unsigned size)
{
    unsigned reg;
    ide_channel *c = ide_port_channel(opaque, port, &reg);
    if (ide_channel_empty(c))
        return 0xFF;
    return ide_status(c); /* alternate status: no interrupt acknowledge */
}

static void ide_ctl_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    unsigned reg;
    ide_channel *c = ide_port_channel(opaque, port, &reg);
    uint8_t old = c->devctl;
    c->devctl = (uint8_t)value;
    if ((value & IDE_CTL_SRST) && !(old & IDE_CTL_SRST)) {
        c->status = IDE_BSY;
        c->xfer = IDE_XFER_NONE;
    } else if (!(value & IDE_CTL_SRST) && (old & IDE_CTL_SRST)) {
        ide_soft_reset(c);
    }
    ide_update_irq(c);
}

/* --- PCI function --- */

static void ide_map_bm(ide *s)
{
    uint16_t cmd = (uint16_t)(s->pci.config[PCI_COMMAND] | s->pci.config[PCI_COMMAND + 1] << 8);
    uint32_t bar = pci_device_bar(&s->pci, 4);
    uint16_t want = (cmd & 1) && bar && bar <= 0xFFF0 ? (uint16_t)bar : 0;
    if (want == s->bm_base)
        return;
    if (s->bm_base)
        iobus_unregister(s->env.io, s->bm_base, 16);
    s->bm_base = 0;
    if (want && iobus_register(s->env.io, want, 16, ide_bm_read, ide_bm_write, s) == 0)
        s->bm_base = want;
}

static void ide_config_written(pci_device *d, unsigned offset, unsigned size)
{
    if (offset < PCI_COMMAND + 2 || (offset < 0x24 && offset + size > 0x20))
        ide_map_bm(d->opaque);
}

static void ide_pci_reset(ide *s)
{
    pci_device *d = &s->pci;
    pci_device_init(d, 0x8086, 0x7010, 0x010180, 0x00);
    pci_set_word(d->config + PCI_STATUS, 0x0280); /* fast back-to-back, medium DEVSEL */
    pci_device_set_bar(d, 4, 16, PCI_BAR_IO);
    memset(d->wmask + 0x40, 0xFF, 0x10); /* IDE timing, slave timing, UDMA control/timing */
    /* IDE decode enabled on both channels (IDETIM bit 15), as firmware leaves it: Linux's
     * ata_piix ignores a channel whose bit is clear, and direct kernel boot has no BIOS. */
    d->config[0x41] = 0x80;
    d->config[0x43] = 0x80;
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
}

static void ide_channel_reset(ide_channel *c)
{
    c->devctl = 0;
    c->bm_cmd = 0;
    c->bm_status = 0;
    c->bm_prd = 0;
    for (int u = 0; u < 2; u++) {
        ide_drive *d = &c->drive[u];
        d->mult = 0;
        d->xfer_mode = 0;
        d->write_cache = true;
        d->cur_heads = d->heads;
        d->cur_secs = d->secs;
        d->locked = false;
        d->sense_key = d->asc = d->ascq = 0;
        if (d->kind != IDE_NONE)
            c->bm_status |= (uint8_t)(0x20 << u); /* drive u DMA capable */
    }
    ide_soft_reset(c);
}

void ide_reset(ide *s)
{
    ide_pci_reset(s);
    ide_map_bm(s);
    for (int i = 0; i < 2; i++)
        ide_channel_reset(&s->ch[i]);
}

static void ide_reset_cb(void *opaque)
{
    ide_reset(opaque);
}

int ide_attach(ide *s, int channel, int unit, img *image, ide_kind kind)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1)
        return -EINVAL;
    if (kind != IDE_DISK && kind != IDE_CDROM)
        return -EINVAL;
    if (kind == IDE_DISK && !image)
        return -EINVAL;
    ide_channel *c = &s->ch[channel];
    ide_drive *d = &c->drive[unit];
    if (d->kind != IDE_NONE)
        return -EBUSY;
    d->kind = kind;
    d->image = img_ref(image);
    ide_drive_setup(d, channel, unit);
    ide_channel_reset(c);
    return 0;
}

int ide_change_media(ide *s, int channel, int unit, img *image, bool force)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1)
        return -EINVAL;
    ide_drive *d = &s->ch[channel].drive[unit];
    if (d->kind != IDE_CDROM)
        return -EINVAL;
    if (d->locked && !force)
        return -EBUSY;
    img *old = d->image;
    d->image = img_ref(image); /* before dropping the old one: they may be the same */
    img_close(old);
    ide_drive_setup(d, channel, unit);
    d->unit_attention = true;
    d->media_event = image ? 2 : 3; /* new media / media removal */
    return 0;
}

static const dev_ops ide_dev_ops;

static const dev_port_range ide_ports[] = {
    {0x1F0, 8, ide_cmd_read, ide_cmd_write},
    {0x3F6, 1, ide_ctl_read, ide_ctl_write},
    {0x170, 8, ide_cmd_read, ide_cmd_write},
    {0x376, 1, ide_ctl_read, ide_ctl_write},
};

int ide_init(ide *s, pci_bus *bus, const dev_env *env, physmap *pm, const irq_line irq[2])
{
    memset(s, 0, sizeof(*s));
    s->pm = pm;
    s->env = *env;
    s->pci.opaque = s;
    s->pci.config_written = ide_config_written;
    for (int i = 0; i < 2; i++) {
        s->ch[i].irq = irq[i];
        s->ch[i].buf = malloc(IDE_BUF_SIZE);
        if (!s->ch[i].buf) {
            free(s->ch[0].buf);
            return -ENOMEM;
        }
    }
    ide_pci_reset(s);
    for (int i = 0; i < 2; i++)
        ide_channel_reset(&s->ch[i]);
    int r = pci_bus_add(bus, &s->pci, PCI_DEVFN(1, 1));
    if (r == 0) {
        r = dev_register(env, ide_ports, 4, &ide_dev_ops, s);
        if (r < 0)
            pci_bus_remove(bus, &s->pci);
    }
    if (r < 0) {
        free(s->ch[0].buf);
        free(s->ch[1].buf);
        s->ch[0].buf = s->ch[1].buf = NULL;
    }
    return r;
}

void ide_fini(ide *s, pci_bus *bus, const dev_env *env)
{
    if (s->bm_base)
        iobus_unregister(env->io, s->bm_base, 16);
    s->bm_base = 0;
    dev_unregister(env, ide_ports, 4, s);
    pci_bus_remove(bus, &s->pci);
    for (int i = 0; i < 2; i++) {
        for (int u = 0; u < 2; u++)
            s->ch[i].drive[u].image = img_close(s->ch[i].drive[u].image);
        free(s->ch[i].buf);
        s->ch[i].buf = NULL;
    }
}

/* --- save/load --- */

static void ide_save_drive(const ide_drive *d, dev_blob *b)
{
    dev_put_u16(b, d->cur_heads);
    dev_put_u16(b, d->cur_secs);
    dev_put_u8(b, d->mult);
    dev_put_u8(b, d->xfer_mode);
    dev_put_bool(b, d->write_cache);
    dev_put_u8(b, d->sense_key);
    dev_put_u8(b, d->asc);
    dev_put_u8(b, d->ascq);
    dev_put_bool(b, d->unit_attention);
    dev_put_u8(b, d->media_event);
    dev_put_bool(b, d->locked);
}

static void ide_load_drive(ide_drive *d, dev_blob *b)
{
    d->cur_heads = dev_get_u16(b);
    d->cur_secs = dev_get_u16(b);
    d->mult = dev_get_u8(b);
    d->xfer_mode = dev_get_u8(b);
    d->write_cache = dev_get_bool(b);
    d->sense_key = dev_get_u8(b);
    d->asc = dev_get_u8(b);
    d->ascq = dev_get_u8(b);
    d->unit_attention = dev_get_bool(b);
    d->media_event = dev_get_u8(b);
    d->locked = dev_get_bool(b);
    if (d->mult > IDE_MAX_MULT || (d->mult & (d->mult - 1)))
        d->mult = 0;
    if (d->cur_heads == 0 || d->cur_heads > 16 || d->cur_secs == 0 || d->cur_secs > 255) {
        d->cur_heads = d->heads;
        d->cur_secs = d->secs;
    }
}

static void ide_save_channel(const ide_channel *c, dev_blob *b)
{
    for (int u = 0; u < 2; u++)
        ide_save_drive(&c->drive[u], b);
    const uint8_t regs[] = {c->feature,     c->nsector,     c->sector,     c->lcyl,     c->hcyl,
                            c->hob_feature, c->hob_nsector, c->hob_sector, c->hob_lcyl, c->hob_hcyl,
                            c->select,      c->status,      c->error,      c->devctl,   c->cmd,
                            c->bm_cmd,      c->bm_status};
    dev_put_bytes(b, regs, sizeof(regs));
    dev_put_u8(b, (uint8_t)c->unit);
    dev_put_bool(b, c->intrq);
    dev_put_bool(b, c->show_signature);
    dev_put_u8(b, (uint8_t)c->xfer);
    dev_put_u32(b, c->pos);
    dev_put_u32(b, c->end);
    dev_put_u32(b, c->fill);
    dev_put_u64(b, c->lba);
    dev_put_u64(b, c->left);
    dev_put_u32(b, c->block_size);
    dev_put_u32(b, c->drq_bytes);
    dev_put_bool(b, c->atapi);
    dev_put_u16(b, c->byte_limit);
    dev_put_bool(b, c->atapi_dma);
    dev_put_bytes(b, c->packet, sizeof(c->packet));
    dev_put_u32(b, c->bm_prd);
    uint32_t live = c->end > c->fill ? c->end : c->fill;
    dev_put_u32(b, live);
    dev_put_bytes(b, c->buf, live);
}

static int ide_load_channel(ide_channel *c, dev_blob *b)
{
    for (int u = 0; u < 2; u++)
        ide_load_drive(&c->drive[u], b);
    uint8_t r[17];
    dev_get_bytes(b, r, sizeof(r));
    c->feature = r[0], c->nsector = r[1], c->sector = r[2], c->lcyl = r[3], c->hcyl = r[4];
    c->hob_feature = r[5], c->hob_nsector = r[6], c->hob_sector = r[7], c->hob_lcyl = r[8];
    c->hob_hcyl = r[9], c->select = r[10] & 0x5F, c->status = r[11], c->error = r[12];
    c->devctl = r[13], c->cmd = r[14], c->bm_cmd = r[15] & 0x09, c->bm_status = r[16] & 0x67;
    c->unit = dev_get_u8(b) & 1;
    c->intrq = dev_get_bool(b);
    c->show_signature = dev_get_bool(b);
    uint8_t xfer = dev_get_u8(b);
    c->pos = dev_get_u32(b);
    c->end = dev_get_u32(b);
    c->fill = dev_get_u32(b);
    c->lba = dev_get_u64(b);
    c->left = dev_get_u64(b);
    c->block_size = dev_get_u32(b);
    c->drq_bytes = dev_get_u32(b);
    c->atapi = dev_get_bool(b);
    c->byte_limit = dev_get_u16(b);
    c->atapi_dma = dev_get_bool(b);
    dev_get_bytes(b, c->packet, sizeof(c->packet));
    c->bm_prd = dev_get_u32(b) & ~3u;
    uint32_t live = dev_get_u32(b);
    if (b->error || live > IDE_BUF_SIZE)
        return -EINVAL;
    dev_get_bytes(b, c->buf, live);
    /* The guest cannot be trusted to have written sane positions into a state file either. */
    bool ok = xfer <= IDE_XFER_DMA_OUT && c->pos <= IDE_BUF_SIZE && c->end <= IDE_BUF_SIZE &&
              c->fill <= IDE_BUF_SIZE && c->pos <= c->end && c->end <= live && c->fill <= live &&
              (c->block_size == 512 || c->block_size == IDE_CD_BLOCK) && c->drq_bytes &&
              c->drq_bytes <= IDE_BUF_SIZE;
    c->xfer = ok ? (ide_xfer)xfer : IDE_XFER_NONE;
    if (!ok) {
        c->pos = c->end = c->fill = 0;
        c->left = 0;
        c->block_size = 512;
        c->drq_bytes = 512;
    }
    return b->error ? -EINVAL : 0;
}

int ide_save(const ide *s, dev_blob *b)
{
    dev_put_header(b, "IDE ", 1);
    pci_device_save(&s->pci, b);
    for (int i = 0; i < 2; i++)
        ide_save_channel(&s->ch[i], b);
    return b->error;
}

int ide_load(ide *s, dev_blob *b)
{
    if (dev_get_header(b, "IDE ", 1) < 0)
        return -EINVAL;
    pci_device_load(&s->pci, b);
    for (int i = 0; i < 2; i++)
        if (ide_load_channel(&s->ch[i], b) < 0)
            return -EINVAL;
    if (b->error)
        return -EINVAL;
    ide_map_bm(s);
    for (int i = 0; i < 2; i++)
        ide_update_irq(&s->ch[i]);
    return 0;
}

static int ide_save_cb(void *opaque, dev_blob *b)
{
    return ide_save(opaque, b);
}

static int ide_load_cb(void *opaque, dev_blob *b)
{
    return ide_load(opaque, b);
}

static const dev_ops ide_dev_ops = {"ide", ide_reset_cb, ide_save_cb, ide_load_cb};

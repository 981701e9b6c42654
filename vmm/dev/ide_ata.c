/* ATA commands of the IDE disks (and the few an ATAPI device answers outside PACKET):
 * IDENTIFY, READ/WRITE SECTORS, MULTIPLE and DMA (LBA28, LBA48, CHS), FLUSH CACHE,
 * SET FEATURES, SET MULTIPLE MODE, INITIALIZE DEVICE PARAMETERS and housekeeping. */
#include <stdio.h>
#include <string.h>

#include "vmm/dev/ide_int.h"

void ide_put_string(uint16_t *words, const char *s, int nwords)
{
    size_t len = strlen(s);
    for (int i = 0; i < nwords * 2; i++) {
        uint8_t ch = (size_t)i < len ? (uint8_t)s[i] : ' ';
        if (i & 1)
            words[i / 2] |= ch;
        else
            words[i / 2] = (uint16_t)(ch << 8);
    }
}

void ide_drive_setup(ide_drive *d, int channel, int unit)
{
    bool cd = d->kind == IDE_CDROM;
    uint64_t bytes = d->image ? img_size(d->image) : 0;
    d->sectors = bytes / (cd ? IDE_CD_BLOCK : 512u);
    snprintf(d->model, sizeof(d->model), "%s", cd ? "VIREO CD-ROM" : "VIREO HARDDISK");
    snprintf(d->serial, sizeof(d->serial), "VIREO%c%d%d0000", cd ? 'C' : 'D', channel, unit);
    snprintf(d->firmware, sizeof(d->firmware), "1.0");
    uint64_t cyls = d->sectors / (16 * 63);
    d->heads = 16;
    d->secs = 63;
    d->cyls = (uint16_t)(cyls > 16383 ? 16383 : cyls ? cyls : 1);
    d->cur_heads = d->heads;
    d->cur_secs = d->secs;
    d->write_cache = true;
}

/* The integrity word: signature A5h and a checksum making all 512 bytes sum to zero. */
static void ide_checksum(uint16_t *w)
{
    uint8_t sum = 0xA5;
    for (int i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
    w[255] = (uint16_t)(0x00A5 | (uint8_t)(-sum) << 8);
}

/* Words 63 and 88: supported DMA modes and, in the high byte, the one SET FEATURES chose. */
static void ide_dma_words(const ide_drive *d, uint16_t *w)
{
    uint8_t m = d->xfer_mode;
    w[63] = 0x0007 | ((m >> 3) == 4 ? (uint16_t)(0x100 << (m & 7)) : 0);
    w[88] = 0x003F | ((m >> 3) == 8 ? (uint16_t)(0x100 << (m & 7)) : 0);
}

static void ide_stage_words(ide_channel *c, uint16_t *w)
{
    for (int i = 0; i < 256; i++) {
        c->buf[2 * i] = (uint8_t)w[i];
        c->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    c->fill = 512;
    c->left = 0;
    c->drq_bytes = 512;
    c->block_size = 512;
    c->atapi = false;
}

static void ata_identify(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint16_t w[256] = {0};
    uint64_t lba28 = d->sectors < 0x0FFFFFFF ? d->sectors : 0x0FFFFFFF;
    uint32_t chs = (uint32_t)d->cyls * d->cur_heads * d->cur_secs;
    w[0] = 0x0040; /* fixed disk */
    w[1] = d->cyls;
    w[3] = d->heads;
    w[6] = d->secs;
    ide_put_string(&w[10], d->serial, 10);
    ide_put_string(&w[23], d->firmware, 4);
    ide_put_string(&w[27], d->model, 20);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[49] = 0x0B00; /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = w[52] = 0x0200;
    w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
    w[54] = d->cyls;
    w[55] = d->cur_heads;
    w[56] = d->cur_secs;
    w[57] = (uint16_t)chs;
    w[58] = (uint16_t)(chs >> 16);
    w[59] = d->mult ? (uint16_t)(0x0100 | d->mult) : 0;
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    w[64] = 0x0003; /* PIO 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x00F0; /* ATA/ATAPI-4 to -7 */
    w[82] = 0x4020; /* NOP, write cache */
    w[83] = 0x7400; /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
    w[84] = 0x4000;
    w[85] = (uint16_t)(0x4000 | (d->write_cache ? 0x0020 : 0));
    w[86] = 0x3400;
    w[87] = 0x4000;
    w[93] = 0x600B; /* device 0 passed diagnostics, 80-conductor cable */
    for (int i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(d->sectors >> (16 * i));
    ide_dma_words(d, w);
    ide_checksum(w);
    ide_stage_words(c, w);
}

void atapi_identify(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint16_t w[256] = {0};
    w[0] = 0x85C0; /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets */
    ide_put_string(&w[10], d->serial, 10);
    ide_put_string(&w[23], d->firmware, 4);
    ide_put_string(&w[27], d->model, 20);
    w[49] = 0x0B00;
    w[50] = 0x4000;
    w[53] = 0x0007;
    w[64] = 0x0003;
    w[65] = w[66] = w[67] = w[68] = 120;
    w[71] = 30; /* PACKET to bus release, ns */
    w[72] = 30;
    w[80] = 0x00F0;
    w[82] = 0x4010; /* NOP, PACKET */
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x4010;
    w[87] = 0x4000;
    w[93] = 0x600B;
    ide_dma_words(d, w);
    ide_checksum(w);
    ide_stage_words(c, w);
}

/* Start sector of the command, from LBA28, LBA48 or CHS registers; false if CHS is invalid. */
static bool ata_address(ide_channel *c, bool lba48, uint64_t *ret_lba)
{
    if (lba48) {
        *ret_lba = (uint64_t)c->sector | (uint64_t)c->lcyl << 8 | (uint64_t)c->hcyl << 16 |
                   (uint64_t)c->hob_sector << 24 | (uint64_t)c->hob_lcyl << 32 |
                   (uint64_t)c->hob_hcyl << 40;
        return true;
    }
    if (c->select & IDE_SEL_LBA) {
        *ret_lba = (uint64_t)(c->select & 0x0F) << 24 | (uint64_t)c->hcyl << 16 |
                   (uint64_t)c->lcyl << 8 | c->sector;
        return true;
    }
    ide_drive *d = ide_cur(c);
    unsigned cyl = c->lcyl | (unsigned)c->hcyl << 8, head = c->select & 0x0F, sec = c->sector;
    if (sec == 0 || sec > d->cur_secs || head >= d->cur_heads)
        return false;
    *ret_lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_secs + sec - 1;
    return true;
}

static uint32_t ata_count(const ide_channel *c, bool lba48)
{
    if (lba48) {
        uint32_t n = c->nsector | (uint32_t)c->hob_nsector << 8;
        return n ? n : 65536;
    }
    return c->nsector ? c->nsector : 256;
}

enum { ATA_SINGLE, ATA_MULTIPLE, ATA_DMA };

static void ata_rw(ide *s, ide_channel *c, bool lba48, bool write, int mode)
{
    ide_drive *d = ide_cur(c);
    if (d->kind != IDE_DISK || (mode == ATA_MULTIPLE && d->mult == 0)) {
        ide_abort(c, IDE_ERR_ABRT);
        return;
    }
    uint64_t lba;
    uint32_t count = ata_count(c, lba48);
    if (!ata_address(c, lba48, &lba) || lba >= d->sectors || count > d->sectors - lba) {
        ide_abort(c, IDE_ERR_IDNF | IDE_ERR_ABRT);
        return;
    }
    c->lba = lba;
    c->left = (uint64_t)count * 512;
    c->block_size = 512;
    c->drq_bytes = mode == ATA_MULTIPLE ? d->mult * 512u : 512u;
    c->atapi = false;
    c->pos = c->fill = 0;
    if (!write) {
        ide_start_in(s, c, mode == ATA_DMA);
        return;
    }
    c->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
    if (mode == ATA_DMA) {
        c->xfer = IDE_XFER_DMA_OUT;
        ide_dma_try(s, c);
        return;
    }
    c->xfer = IDE_XFER_PIO_OUT;
    c->end = (uint32_t)(c->left < c->drq_bytes ? c->left : c->drq_bytes);
    /* no interrupt before the first PIO-out block */
}

void ide_ata_pio_out_block(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint32_t n = c->end;
    if (img_write(d->image, c->lba * 512, c->buf, n) < 0) {
        ide_abort(c, IDE_ERR_ABRT);
        return;
    }
    c->lba += n / 512;
    c->left -= n;
    c->pos = 0;
    if (c->left == 0) {
        ide_done(c, true);
        return;
    }
    c->end = (uint32_t)(c->left < c->drq_bytes ? c->left : c->drq_bytes);
    c->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
    ide_raise(c);
}

static void ata_verify(ide_channel *c, bool lba48)
{
    ide_drive *d = ide_cur(c);
    uint64_t lba;
    uint32_t count = ata_count(c, lba48);
    if (!ata_address(c, lba48, &lba) || lba >= d->sectors || count > d->sectors - lba)
        ide_abort(c, IDE_ERR_IDNF | IDE_ERR_ABRT);
    else
        ide_done(c, true);
}

static void ata_set_features(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    switch (c->feature) {
    case 0x03: { /* set transfer mode */
        uint8_t m = c->nsector, kind = m >> 3, n = m & 7;
        bool ok =
            kind == 0 || (kind == 1 && n <= 4) || (kind == 4 && n <= 2) || (kind == 8 && n <= 5);
        if (!ok) {
            ide_abort(c, IDE_ERR_ABRT);
            return;
        }
        d->xfer_mode = m;
        break;
    }
    case 0x02: d->write_cache = true; break;
    case 0x82: d->write_cache = false; break;
    case 0x55:
    case 0xAA:
    case 0x66:
    case 0xCC:
    case 0x05:
    case 0x85:
    case 0x31:
    case 0x95: break; /* look-ahead, reverting to defaults, power management: nothing to model */
    default: ide_abort(c, IDE_ERR_ABRT); return;
    }
    ide_done(c, true);
}

static void ata_set_multiple(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint8_t n = c->nsector;
    if (n > IDE_MAX_MULT || (n & (n - 1))) {
        ide_abort(c, IDE_ERR_ABRT);
        return;
    }
    d->mult = n;
    ide_done(c, true);
}

static void ata_init_params(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint16_t heads = (c->select & 0x0F) + 1, secs = c->nsector;
    if (secs == 0) {
        ide_abort(c, IDE_ERR_ABRT);
        return;
    }
    d->cur_heads = heads;
    d->cur_secs = secs;
    ide_done(c, true);
}

static void ata_flush(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    if (d->image && img_writable(d->image) && img_flush(d->image) < 0)
        ide_abort(c, IDE_ERR_ABRT);
    else
        ide_done(c, true);
}

static void ata_native_max(ide_channel *c, bool lba48)
{
    uint64_t max = ide_cur(c)->sectors ? ide_cur(c)->sectors - 1 : 0;
    if (!lba48 && max > 0x0FFFFFFF)
        max = 0x0FFFFFFF;
    c->sector = (uint8_t)max;
    c->lcyl = (uint8_t)(max >> 8);
    c->hcyl = (uint8_t)(max >> 16);
    if (lba48) {
        c->hob_sector = (uint8_t)(max >> 24);
        c->hob_lcyl = (uint8_t)(max >> 32);
        c->hob_hcyl = (uint8_t)(max >> 40);
    } else {
        c->select = (uint8_t)((c->select & 0xF0) | ((max >> 24) & 0x0F));
    }
    ide_done(c, true);
}

static void ata_diagnostic(ide_channel *c)
{
    c->unit = 0;
    ide_set_signature(c, &c->drive[0]);
    c->show_signature = true;
    c->error = 0x01;
    c->xfer = IDE_XFER_NONE;
    c->status = c->drive[0].kind == IDE_DISK ? IDE_DRDY | IDE_DSC : 0;
    ide_raise(c);
}

/* Commands an ATAPI device accepts outside PACKET; everything else aborts with the packet
 * signature in the task file (so hosts probing with IDENTIFY DEVICE recognise it). */
static void ide_atapi_ata_command(ide *s, ide_channel *c, uint8_t cmd)
{
    ide_drive *d = ide_cur(c);
    switch (cmd) {
    case 0xA1: /* IDENTIFY PACKET DEVICE */
        atapi_identify(c);
        ide_start_in(s, c, false);
        return;
    case 0xA0: /* PACKET */
        c->atapi_dma = c->feature & 1;
        c->byte_limit = (uint16_t)(c->lcyl | c->hcyl << 8);
        c->xfer = IDE_XFER_PACKET;
        c->pos = 0;
        c->nsector = 0x01; /* C/D = 1: the device wants the command packet */
        c->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
        return;
    case 0x08: /* DEVICE RESET */
        ide_set_signature(c, d);
        c->error = 0x01;
        c->xfer = IDE_XFER_NONE;
        c->status = 0;
        return;
    case 0x90: ata_diagnostic(c); return;
    case 0xEF: ata_set_features(c); return;
    case 0xE5: /* CHECK POWER MODE */
        c->nsector = 0xFF;
        ide_done(c, true);
        return;
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3:
    case 0x00: ide_done(c, true); return;
    default:
        ide_set_signature(c, d);
        ide_abort(c, IDE_ERR_ABRT);
        return;
    }
}

void ide_ata_command(ide *s, ide_channel *c, uint8_t cmd)
{
    if (ide_cur(c)->kind == IDE_CDROM) {
        ide_atapi_ata_command(s, c, cmd);
        return;
    }
    switch (cmd) {
    case 0xEC: /* IDENTIFY DEVICE */
        ata_identify(c);
        ide_start_in(s, c, false);
        return;
    case 0x20:
    case 0x21: ata_rw(s, c, false, false, ATA_SINGLE); return;
    case 0x24: ata_rw(s, c, true, false, ATA_SINGLE); return;
    case 0x30:
    case 0x31: ata_rw(s, c, false, true, ATA_SINGLE); return;
    case 0x34: ata_rw(s, c, true, true, ATA_SINGLE); return;
    case 0xC4: ata_rw(s, c, false, false, ATA_MULTIPLE); return;
    case 0x29: ata_rw(s, c, true, false, ATA_MULTIPLE); return;
    case 0xC5: ata_rw(s, c, false, true, ATA_MULTIPLE); return;
    case 0x39: ata_rw(s, c, true, true, ATA_MULTIPLE); return;
    case 0xC8:
    case 0xC9: ata_rw(s, c, false, false, ATA_DMA); return;
    case 0x25: ata_rw(s, c, true, false, ATA_DMA); return;
    case 0xCA:
    case 0xCB: ata_rw(s, c, false, true, ATA_DMA); return;
    case 0x35: ata_rw(s, c, true, true, ATA_DMA); return;
    case 0x40:
    case 0x41: ata_verify(c, false); return;
    case 0x42: ata_verify(c, true); return;
    case 0xE7:
    case 0xEA: ata_flush(c); return; /* FLUSH CACHE (EXT) */
    case 0xEF: ata_set_features(c); return;
    case 0xC6: ata_set_multiple(c); return;
    case 0x91: ata_init_params(c); return;
    case 0xF8: ata_native_max(c, false); return;
    case 0x27: ata_native_max(c, true); return;
    case 0x90: ata_diagnostic(c); return;
    case 0xE5: /* CHECK POWER MODE: active */
        c->nsector = 0xFF;
        ide_done(c, true);
        return;
    case 0x70:
    case 0xE0:
    case 0xE1:
    case 0xE2:
    case 0xE3: /* seek, standby, idle */ ide_done(c, true); return;
    default:
        if (cmd >= 0x10 && cmd <= 0x1F) { /* RECALIBRATE */
            ide_done(c, true);
            return;
        }
        ide_abort(c, IDE_ERR_ABRT); /* includes PACKET and IDENTIFY PACKET on a disk */
        return;
    }
}

/* ATAPI CD-ROM: the PACKET commands Linux (sr, cdrom) and SeaBIOS use, on a 2048-byte-block
 * ISO image. Status is reported the SCSI way: a CHECK CONDITION sets ERR with the sense key
 * in the error register's high nibble, and REQUEST SENSE returns the details. */
#include <string.h>

#include "vmm/dev/ide_int.h"

/* Sense keys and additional sense codes */
enum {
    SK_NOT_READY = 0x02,
    SK_MEDIUM_ERROR = 0x03,
    SK_ILLEGAL_REQUEST = 0x05,
    SK_UNIT_ATTENTION = 0x06,
    ASC_INVALID_OPCODE = 0x20,
    ASC_LBA_OUT_OF_RANGE = 0x21,
    ASC_INVALID_FIELD = 0x24,
    ASC_MEDIUM_CHANGED = 0x28,
    ASC_NO_MEDIUM = 0x3A,
    ASC_REMOVAL_PREVENTED = 0x53,
};

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

void atapi_set_sense(ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
}

/* End of a command: good status, or CHECK CONDITION if a sense key is pending. */
void atapi_complete(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    c->xfer = IDE_XFER_NONE;
    c->nsector = 0x03; /* I/O = 1, C/D = 1: status phase */
    if (d->sense_key) {
        c->status = IDE_DRDY | IDE_DSC | IDE_ERR;
        c->error = (uint8_t)(d->sense_key << 4 | IDE_ERR_ABRT);
    } else {
        c->status = IDE_DRDY | IDE_DSC;
        c->error = 0;
    }
    ide_raise(c);
}

static void atapi_fail(ide_channel *c, uint8_t key, uint8_t asc)
{
    atapi_set_sense(ide_cur(c), key, asc, 0);
    atapi_complete(c);
}

/* Send buf[0, len) (at most `alloc` bytes of it) to the host. */
static void atapi_reply(ide *s, ide_channel *c, uint32_t len, uint32_t alloc)
{
    if (len > alloc)
        len = alloc;
    if (len == 0) {
        atapi_complete(c);
        return;
    }
    c->fill = len;
    c->left = 0;
    ide_start_in(s, c, c->atapi_dma);
}

static bool atapi_media_ready(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    if (!d->image) {
        atapi_fail(c, SK_NOT_READY, ASC_NO_MEDIUM);
        return false;
    }
    return true;
}

static void atapi_read(ide *s, ide_channel *c, uint32_t lba, uint32_t count)
{
    ide_drive *d = ide_cur(c);
    if (!atapi_media_ready(c))
        return;
    if ((uint64_t)lba + count > d->sectors) {
        atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    if (count == 0) {
        atapi_complete(c);
        return;
    }
    c->lba = lba;
    c->left = (uint64_t)count * IDE_CD_BLOCK;
    c->fill = 0;
    ide_start_in(s, c, c->atapi_dma);
}

static void atapi_request_sense(ide *s, ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint8_t *b = c->buf;
    memset(b, 0, 18);
    b[0] = 0x70; /* current error, fixed format */
    b[2] = d->sense_key;
    b[7] = 10;
    b[12] = d->asc;
    b[13] = d->ascq;
    atapi_set_sense(d, 0, 0, 0);
    atapi_reply(s, c, 18, c->packet[4]);
}

static void atapi_inquiry(ide *s, ide_channel *c)
{
    uint8_t *b = c->buf;
    memset(b, 0, 36);
    b[0] = 0x05; /* CD/DVD device */
    b[1] = 0x80; /* removable */
    b[2] = 0x00;
    b[3] = 0x21; /* ATAPI, response format 1 */
    b[4] = 31;
    memcpy(b + 8, "VIREO   ", 8);
    memcpy(b + 16, "CD-ROM          ", 16);
    memcpy(b + 32, "1.0 ", 4);
    atapi_reply(s, c, 36, be16(c->packet + 3));
}

static void atapi_read_capacity(ide *s, ide_channel *c)
{
    if (!atapi_media_ready(c))
        return;
    uint64_t last = ide_cur(c)->sectors ? ide_cur(c)->sectors - 1 : 0;
    put_be32(c->buf, last > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)last);
    put_be32(c->buf + 4, IDE_CD_BLOCK);
    atapi_reply(s, c, 8, 8);
}

/* A TOC address: LBA, or MSF (minutes, seconds, frames) counting the 2-second pregap. */
static void atapi_toc_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (!msf) {
        put_be32(p, lba);
        return;
    }
    uint32_t f = lba + 150;
    p[0] = 0;
    p[1] = (uint8_t)(f / (75 * 60));
    p[2] = (uint8_t)(f / 75 % 60);
    p[3] = (uint8_t)(f % 75);
}

static void atapi_read_toc(ide *s, ide_channel *c)
{
    if (!atapi_media_ready(c))
        return;
    const uint8_t *p = c->packet;
    bool msf = p[1] & 2;
    unsigned format = p[2] & 0x0F;
    if (format == 0 && p[9] >> 6) /* the older place for the format */
        format = p[9] >> 6;
    uint8_t *b = c->buf;
    uint32_t len;
    uint32_t blocks = (uint32_t)ide_cur(c)->sectors;
    if (format == 0) {
        uint8_t start = p[6];
        if (start > 1 && start != 0xAA) {
            atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        b[2] = 1; /* first and last track */
        b[3] = 1;
        len = 4;
        if (start <= 1) {
            memset(b + len, 0, 8);
            b[len + 1] = 0x14; /* ADR 1, data track */
            b[len + 2] = 1;
            atapi_toc_addr(b + len + 4, 0, msf);
            len += 8;
        }
        memset(b + len, 0, 8);
        b[len + 1] = 0x14;
        b[len + 2] = 0xAA; /* lead-out */
        atapi_toc_addr(b + len + 4, blocks, msf);
        len += 8;
    } else if (format == 1) { /* session information */
        memset(b, 0, 12);
        b[2] = 1;
        b[3] = 1;
        b[5] = 0x14;
        b[6] = 1;
        atapi_toc_addr(b + 8, 0, msf);
        len = 12;
    } else {
        atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    put_be16(b, (uint16_t)(len - 2));
    atapi_reply(s, c, len, be16(p + 7));
}

static uint32_t atapi_mode_page(const ide_drive *d, unsigned page, uint8_t *b)
{
    if (page == 0x01) { /* read error recovery */
        memset(b, 0, 12);
        b[0] = 0x01;
        b[1] = 10;
        b[3] = 5; /* read retry count */
        return 12;
    }
    if (page == 0x2A) { /* CD capabilities and mechanical status */
        memset(b, 0, 28);
        b[0] = 0x2A;
        b[1] = 26;
        b[2] = 0x01; /* reads CD-R */
        b[4] = 0x71; /* audio play, composite, digital ports, multisession */
        b[5] = 0x00;
        b[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock */
        put_be16(b + 8, 706 * 8);                        /* max speed, KB/s (8x) */
        put_be16(b + 10, 2);                             /* volume levels */
        put_be16(b + 12, 512);                           /* buffer, KB */
        put_be16(b + 14, 706 * 8);                       /* current speed */
        return 28;
    }
    return 0;
}

static void atapi_mode_sense(ide *s, ide_channel *c)
{
    const uint8_t *p = c->packet;
    unsigned page = p[2] & 0x3F, pc = p[2] >> 6;
    ide_drive *d = ide_cur(c);
    if (pc == 3) { /* saved values */
        atapi_fail(c, SK_ILLEGAL_REQUEST, 0x39);
        return;
    }
    uint8_t *b = c->buf;
    memset(b, 0, 8);
    b[2] = d->image ? 0x01 : 0x70; /* 120 mm data disc / no disc */
    uint32_t len = 8;
    if (page == 0x3F) {
        len += atapi_mode_page(d, 0x01, b + len);
        len += atapi_mode_page(d, 0x2A, b + len);
    } else {
        uint32_t n = atapi_mode_page(d, page, b + len);
        if (n == 0) {
            atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        len += n;
    }
    put_be16(b, (uint16_t)(len - 2));
    atapi_reply(s, c, len, be16(p + 7));
}

/* GET CONFIGURATION: profile list (CD-ROM), core (ATAPI), removable medium. */
static void atapi_get_configuration(ide *s, ide_channel *c)
{
    const uint8_t *p = c->packet;
    unsigned rt = p[1] & 3, start = be16(p + 2);
    ide_drive *d = ide_cur(c);
    bool media = d->image != NULL;
    uint8_t *b = c->buf;
    memset(b, 0, 64);
    put_be16(b + 6, media ? 0x0008 : 0);
    uint32_t len = 8;
    static const struct {
        uint16_t code;
        uint8_t flags, add;
    } feats[] = {{0x0000, 0x03, 4}, {0x0001, 0x0B, 8}, {0x0003, 0x03, 4}};
    for (unsigned i = 0; i < 3; i++) {
        uint16_t f = feats[i].code;
        if (f < start || (rt == 2 && f != start))
            continue;
        uint8_t *e = b + len;
        put_be16(e, f);
        e[2] = feats[i].flags;
        e[3] = feats[i].add;
        if (f == 0x0000) {
            put_be16(e + 4, 0x0008);
            e[6] = media ? 1 : 0;
        } else if (f == 0x0001) {
            put_be32(e + 4, 2); /* physical interface: ATAPI */
        } else {
            e[4] = 0x29; /* tray loader, eject, lock */
        }
        len += 4 + feats[i].add;
    }
    put_be32(b, len - 4);
    atapi_reply(s, c, len, be16(p + 7));
}

static void atapi_event_status(ide *s, ide_channel *c)
{
    const uint8_t *p = c->packet;
    ide_drive *d = ide_cur(c);
    if (!(p[1] & 1)) { /* only polled mode */
        atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    uint8_t *b = c->buf;
    memset(b, 0, 8);
    b[3] = 0x10; /* supported classes: media */
    uint32_t len;
    if (p[4] & 0x10) {
        put_be16(b, 6);
        b[2] = 0x04; /* media class */
        b[4] = d->media_event;
        b[5] = d->image ? 0x02 : 0x00; /* media present */
        d->media_event = 0;
        len = 8;
    } else {
        put_be16(b, 2);
        b[2] = 0x80; /* no event available */
        len = 4;
    }
    atapi_reply(s, c, len, be16(p + 7));
}

static void atapi_start_stop(ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    uint8_t v = c->packet[4];
    if ((v & 3) == 2) { /* eject */
        if (d->locked) {
            atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
            return;
        }
        if (d->image) {
            d->image = img_close(d->image);
            d->sectors = 0;
            d->media_event = 3;
        }
    }
    atapi_complete(c);
}

static void atapi_mechanism_status(ide *s, ide_channel *c)
{
    memset(c->buf, 0, 8);
    c->buf[5] = 1; /* one slot */
    atapi_reply(s, c, 8, be16(c->packet + 8));
}

/* Commands that report instead of failing while a unit attention is pending. */
static bool atapi_ua_exempt(uint8_t op)
{
    return op == 0x03 || op == 0x12 || op == 0x46 || op == 0x4A;
}

void atapi_packet(ide *s, ide_channel *c)
{
    ide_drive *d = ide_cur(c);
    const uint8_t *p = c->packet;
    uint16_t limit = c->byte_limit;
    if (limit == 0 || limit == 0xFFFF)
        limit = 0xFFFE;
    c->drq_bytes = limit > 1 ? limit & ~1u : 2; /* even, and never zero (no progress) */
    c->atapi = true;
    c->block_size = IDE_CD_BLOCK;
    c->pos = c->fill = 0;
    c->left = 0;
    c->xfer = IDE_XFER_NONE;
    if (p[0] != 0x03)
        atapi_set_sense(d, 0, 0, 0);
    if (d->unit_attention && !atapi_ua_exempt(p[0])) {
        d->unit_attention = false;
        atapi_fail(c, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
        return;
    }
    switch (p[0]) {
    case 0x00: /* TEST UNIT READY */
        if (atapi_media_ready(c))
            atapi_complete(c);
        return;
    case 0x03: atapi_request_sense(s, c); return;
    case 0x12: atapi_inquiry(s, c); return;
    case 0x1B: atapi_start_stop(c); return;
    case 0x1E: /* PREVENT/ALLOW MEDIUM REMOVAL */
        d->locked = p[4] & 1;
        atapi_complete(c);
        return;
    case 0x25: atapi_read_capacity(s, c); return;
    case 0x28: atapi_read(s, c, be32(p + 2), be16(p + 7)); return;
    case 0xA8: atapi_read(s, c, be32(p + 2), be32(p + 6)); return;
    case 0x2B: /* SEEK */
        if (atapi_media_ready(c))
            atapi_complete(c);
        return;
    case 0x43: atapi_read_toc(s, c); return;
    case 0x46: atapi_get_configuration(s, c); return;
    case 0x4A: atapi_event_status(s, c); return;
    case 0x5A: atapi_mode_sense(s, c); return;
    case 0xBD: atapi_mechanism_status(s, c); return;
    default: atapi_fail(c, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE); return;
    }
}

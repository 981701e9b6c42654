/* Shared by the IDE files (ide.c, ide_ata.c, ide_dma.c, atapi.c). Not a public interface. */
#ifndef VIREO_VMM_DEV_IDE_INT_H
#define VIREO_VMM_DEV_IDE_INT_H

#include "vmm/dev/ide.h"

/* Status register */
#define IDE_BSY  0x80
#define IDE_DRDY 0x40
#define IDE_DF   0x20
#define IDE_DSC  0x10
#define IDE_DRQ  0x08
#define IDE_ERR  0x01
/* Error register */
#define IDE_ERR_UNC  0x40
#define IDE_ERR_IDNF 0x10
#define IDE_ERR_ABRT 0x04
/* Device control */
#define IDE_CTL_HOB  0x80
#define IDE_CTL_SRST 0x04
#define IDE_CTL_NIEN 0x02
/* Device register */
#define IDE_SEL_LBA  0x40
#define IDE_SEL_UNIT 0x10
/* Bus master */
#define IDE_BM_START  0x01
#define IDE_BM_TO_MEM 0x08
#define IDE_BM_ACTIVE 0x01
#define IDE_BM_ERROR  0x02
#define IDE_BM_INTR   0x04

static inline ide_drive *ide_cur(ide_channel *c)
{
    return &c->drive[c->unit];
}

/* ide.c */
void ide_raise(ide_channel *c);
void ide_update_irq(ide_channel *c);
void ide_set_signature(ide_channel *c, const ide_drive *d);
/* Finish the command: status DRDY|DSC, no data phase; interrupt if `irq`. */
void ide_done(ide_channel *c, bool irq);
/* Fail the command with `err` in the error register, and interrupt. */
void ide_abort(ide_channel *c, uint8_t err);
/* Read the next stretch of the medium into buf (left/lba advance). Returns 0 or -errno. */
int ide_refill(ide_channel *c);
/* Start the data-in phase (PIO: first DRQ block; DMA: wait for the bus master). The data
 * comes from buf[0, fill) and then from the medium (left bytes from lba). */
void ide_start_in(ide *s, ide_channel *c, bool dma);
/* Offer the next PIO-in DRQ block, or finish when all data went out. */
void ide_pio_in_next(ide_channel *c);

/* ide_ata.c */
void ide_ata_command(ide *s, ide_channel *c, uint8_t cmd);
void ide_ata_pio_out_block(ide_channel *c); /* a PIO-out DRQ block was filled */
void ide_drive_setup(ide_drive *d, int channel, int unit);

/* ide_dma.c */
uint32_t ide_bm_read(void *opaque, uint16_t port, unsigned size);
void ide_bm_write(void *opaque, uint16_t port, uint32_t value, unsigned size);
void ide_dma_try(ide *s, ide_channel *c); /* run a pending DMA if the bus master is started */

/* atapi.c */
void atapi_identify(ide_channel *c);
void atapi_packet(ide *s, ide_channel *c);
void atapi_complete(ide_channel *c); /* status and interrupt reason after a command */
void atapi_set_sense(ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq);

/* IDENTIFY strings: two characters per word, first in the high byte, space padded. */
void ide_put_string(uint16_t *words, const char *s, int nwords);

#endif

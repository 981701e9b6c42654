/* PIIX3 IDE controller (PCI 00:01.1, 8086:7010, class 0x0101 prog-if 0x80): two channels in
 * legacy mode, primary at 0x1F0-0x1F7 / 0x3F6 on IRQ 14, secondary at 0x170-0x177 / 0x376
 * on IRQ 15, and the bus-master DMA registers in the 16-port I/O BAR 4 (decoded while the
 * PCI command register enables I/O).
 *
 * Each channel has a master (unit 0) and slave (unit 1): an ATA disk on a raw or VDI image,
 * or an ATAPI CD-ROM on an ISO (or empty). Commands complete synchronously inside the port
 * write that starts them (PIO data phases and DMA run at once), so BSY is never seen set;
 * the interrupt is raised at the points the ATA protocol defines.
 *
 * Every guest value is checked: LBAs and counts against the medium (ID NOT FOUND / ILLEGAL
 * REQUEST), PRD tables and their buffers against guest RAM (physmap_copy_* refuse non-RAM,
 * the bus master reports an error), the PRD table length (at most IDE_MAX_PRD entries). */
#ifndef VIREO_VMM_DEV_IDE_H
#define VIREO_VMM_DEV_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"
#include "vmm/dev/pci.h"
#include "vmm/mem/physmap.h"
#include "vmm/storage/image.h"

#define IDE_BUF_SIZE (128u * 1024u) /* data staging per channel: PIO blocks, DMA chunks */
#define IDE_MAX_MULT 16u            /* READ/WRITE MULTIPLE block size limit */
#define IDE_MAX_PRD  8192u          /* a PRD table may not cross 64 KiB: 8 Ki entries */
#define IDE_CD_BLOCK 2048u

typedef enum ide_kind { IDE_NONE = 0, IDE_DISK, IDE_CDROM } ide_kind;

/* What the current command moves. Reads refill the staging buffer from the medium as the
 * guest drains it; writes flush whole sectors to the medium as they fill. */
typedef enum ide_xfer {
    IDE_XFER_NONE = 0,
    IDE_XFER_PIO_IN,  /* device to host through the data port */
    IDE_XFER_PIO_OUT, /* host to device through the data port */
    IDE_XFER_PACKET,  /* receiving the 12-byte ATAPI packet */
    IDE_XFER_DMA_IN,  /* waiting for / running bus-master DMA to memory */
    IDE_XFER_DMA_OUT, /* bus-master DMA from memory */
} ide_xfer;

typedef struct ide_drive {
    ide_kind kind;
    img *image;       /* owned reference; NULL for an empty CD-ROM */
    uint64_t sectors; /* 512-byte sectors (disk) or 2048-byte blocks (CD) */
    char model[41], serial[21], firmware[9];
    uint16_t cyls, heads, secs;   /* default CHS geometry */
    uint16_t cur_heads, cur_secs; /* INITIALIZE DEVICE PARAMETERS */
    uint8_t mult;                 /* sectors per READ/WRITE MULTIPLE block; 0 = off */
    uint8_t xfer_mode;            /* SET FEATURES 03h value (0 = PIO default) */
    bool write_cache;
    /* ATAPI */
    uint8_t sense_key, asc, ascq;
    bool unit_attention; /* medium changed since the guest last looked */
    uint8_t media_event; /* GET EVENT STATUS media event code to report (0 none) */
    bool locked;         /* PREVENT MEDIUM REMOVAL */
} ide_drive;

typedef struct ide_channel {
    ide_drive drive[2];
    int unit; /* selected by the device register's bit 4 */
    /* Task file; hob_* hold the previous write (LBA48 high-order bytes). */
    uint8_t feature, nsector, sector, lcyl, hcyl;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t select, status, error, devctl, cmd;
    bool intrq; /* device interrupt pending (cleared by reading status) */
    /* Since a reset or diagnostic, no command: each device shows its own signature when
     * selected (the task file is one set of latches here, two devices on real hardware). */
    bool show_signature;
    /* Data transfer of the current command. */
    ide_xfer xfer;
    uint8_t *buf;        /* IDE_BUF_SIZE bytes */
    uint32_t pos, end;   /* PIO: the current DRQ block is buf[pos, end) */
    uint32_t fill;       /* reads: buf[0, fill) holds staged data; pos is the consumer */
    uint64_t lba;        /* next medium block to read or write */
    uint64_t left;       /* bytes of the command not yet staged (reads) or stored (writes) */
    uint32_t block_size; /* 512 disk, 2048 CD */
    uint32_t drq_bytes;  /* bytes per PIO DRQ block (ATA: 512 or multiple) */
    bool atapi;          /* the data phase belongs to a PACKET command */
    uint16_t byte_limit; /* ATAPI byte count limit of the PACKET command */
    bool atapi_dma;
    uint8_t packet[12];
    /* Bus master */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    irq_line irq;
} ide_channel;

typedef struct ide {
    pci_device pci;
    ide_channel ch[2];
    physmap *pm;
    dev_env env;
    uint16_t bm_base; /* ports registered for BAR 4, 0 while unmapped */
} ide;

/* Adds the function at 00:01.1, claims the legacy ports, registers reset/save/load.
 * irq[0] is IRQ 14 (primary), irq[1] IRQ 15. `pm` is where DMA goes. Returns 0 or -errno. */
int ide_init(ide *s, pci_bus *bus, const dev_env *env, physmap *pm, const irq_line irq[2]);
void ide_fini(ide *s, pci_bus *bus, const dev_env *env);
void ide_reset(ide *s);

/* Put a device at channel 0/1, unit 0/1. A disk needs an image; a CD-ROM may be empty
 * (image NULL). Takes its own reference to the image. Returns 0, -EINVAL (bad slot, kind or
 * missing image), -EBUSY (slot taken). */
int ide_attach(ide *s, int channel, int unit, img *image, ide_kind kind);
/* Change a CD-ROM's medium (NULL ejects). The guest sees UNIT ATTENTION and a media event.
 * Returns -EBUSY if the guest locked the tray and !force, -EINVAL if not a CD-ROM. */
int ide_change_media(ide *s, int channel, int unit, img *image, bool force);

int ide_save(const ide *s, dev_blob *b);
int ide_load(ide *s, dev_blob *b);

#endif

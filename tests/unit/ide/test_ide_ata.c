/* ATA disks on the PIIX3 IDE, driven through the ports as a guest driver does: PCI identity,
 * IDENTIFY, PIO single and multiple sector transfers in LBA28/LBA48/CHS, bus-master DMA
 * through PRD tables, bounds checks, reset, nIEN, save/load. */
#include <errno.h>
#include <string.h>

#include "ide_test.h"

#define SECTORS 16384u /* 8 MiB test disks */

static idet *with_disk(img_format fmt, uint32_t seed)
{
    idet *t = idet_new();
    img *im = idet_image(t, fmt == IMG_FORMAT_VDI ? "d.vdi" : "d.raw", fmt, SECTORS * 512ull, seed);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 0, im, IDE_DISK), 0);
    img_close(im); /* the drive holds its own reference */
    return t;
}

static img *disk(idet *t)
{
    return t->ide.ch[0].drive[0].image;
}

static void expect_disk(idet *t, uint64_t lba, const uint8_t *data, size_t len)
{
    uint8_t *got = malloc(len);
    ck_assert_int_eq(img_read(disk(t), lba * 512, got, len), 0);
    ck_assert_mem_eq(got, data, len);
    free(got);
}

static void expect_pattern(const uint8_t *buf, size_t len, uint32_t seed, uint64_t offset)
{
    uint8_t *want = malloc(len);
    idet_fill(want, len, seed, offset);
    ck_assert_mem_eq(buf, want, len);
    free(want);
}

START_TEST(pci_function_identity)
{
    idet *t = idet_new();
    ck_assert_uint_eq(pci_cfg_read(t, 0x00, 4), 0x70108086u);
    ck_assert_uint_eq(pci_cfg_read(t, 0x08, 4) >> 8, 0x010180u);
    ck_assert_uint_eq(pci_cfg_read(t, 0x20, 4), IDET_BM | 1u);
    pci_cfg_write(t, 0x20, 0xFFFFFFFFu, 4); /* sizing: 16 ports */
    ck_assert_uint_eq(pci_cfg_read(t, 0x20, 4), 0xFFFFFFF1u);
    pci_cfg_write(t, 0x20, 0xD000 | 1, 4);
    ck_assert_uint_eq(in8(t, 0xD002) & 0x9F, 0); /* bus master moved with the BAR */
    ck_assert_uint_eq(in8(t, IDET_BM + 2), 0xFF);
    pci_cfg_write(t, 0x04, 0, 2); /* I/O decoding off: unmapped */
    ck_assert_uint_eq(in8(t, 0xD002), 0xFF);
    /* An empty channel floats. */
    ck_assert_uint_eq(in8(t, PRI + 7), 0xFF);
    idet_free(t);
}
END_TEST

START_TEST(identify_device)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 0);
    out8(t, PRI + 6, 0xA0);
    out8(t, PRI + 7, 0xEC);
    ck_assert(t->irq[0]);
    ck_assert_uint_eq(ata_altstatus(t, PRI), 0x58); /* DRDY DSC DRQ */
    ck_assert(t->irq[0]);                           /* alt status does not acknowledge */
    ck_assert_uint_eq(ata_status(t, PRI), 0x58);
    ck_assert(!t->irq[0]);
    uint16_t w[256];
    ata_pio_read(t, PRI, w, 512, 2);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    ck_assert_uint_eq(w[0], 0x0040);
    ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, SECTORS);
    ck_assert_uint_eq(w[100] | (uint64_t)w[101] << 16, SECTORS);
    ck_assert(w[49] & 0x0200); /* LBA */
    ck_assert(w[49] & 0x0100); /* DMA */
    ck_assert(w[83] & 0x0400); /* LBA48 */
    ck_assert_uint_eq(w[47] & 0xFF, IDE_MAX_MULT);
    ck_assert_uint_eq(w[88] & 0x3F, 0x3F); /* UDMA 0-5 */
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(w[27 + i] >> 8);
        model[2 * i + 1] = (char)w[27 + i];
    }
    model[40] = 0;
    ck_assert_msg(!strncmp(model, "VIREO HARDDISK ", 15), "model '%s'", model);
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++)
        sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
    ck_assert_uint_eq(sum, 0);
    ck_assert_uint_eq(w[255] & 0xFF, 0xA5);
    /* SET FEATURES: UDMA mode 2 shows as selected. */
    out8(t, PRI + 1, 0x03);
    out8(t, PRI + 2, 0x42);
    out8(t, PRI + 7, 0xEF);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    out8(t, PRI + 7, 0xEC);
    ata_pio_read(t, PRI, w, 512, 4);
    ck_assert_uint_eq(w[88], 0x043F);
    /* IDENTIFY PACKET DEVICE on a disk aborts. */
    out8(t, PRI + 7, 0xA1);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x04);
    /* The slave is absent: its status reads 0 and it ignores commands. */
    out8(t, PRI + 6, 0xB0);
    out8(t, PRI + 7, 0xEC);
    ck_assert_uint_eq(ata_status(t, PRI), 0x00);
    idet_free(t);
}
END_TEST

START_TEST(pio_read_write_sectors_lba28)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 7);
    uint8_t buf[3 * 512];
    int before = t->raises[0];
    ata_lba28(t, PRI, 0, 100, 3);
    out8(t, PRI + 7, 0x20);
    for (int s = 0; s < 3; s++) {
        ck_assert_uint_eq(ata_status(t, PRI), 0x58);
        ata_pio_read(t, PRI, buf + 512 * s, 512, 2);
    }
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    ck_assert_int_eq(t->raises[0] - before, 3); /* one interrupt per sector */
    expect_pattern(buf, sizeof(buf), 7, 100 * 512);

    uint8_t out[2 * 512];
    idet_fill(out, sizeof(out), 99, 0);
    before = t->raises[0];
    ata_lba28(t, PRI, 0, 5000, 2);
    out8(t, PRI + 7, 0x30);
    ck_assert_uint_eq(ata_altstatus(t, PRI), 0x58);
    ck_assert_int_eq(t->raises[0], before); /* no interrupt before the first block */
    ata_pio_write(t, PRI, out, 512, 4);
    ck_assert_int_eq(t->raises[0], before + 1);
    ck_assert_uint_eq(ata_status(t, PRI), 0x58);
    ata_pio_write(t, PRI, out + 512, 512, 2);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    ck_assert_int_eq(t->raises[0], before + 2);
    expect_disk(t, 5000, out, sizeof(out));
    idet_free(t);
}
END_TEST

START_TEST(pio_chs_addressing)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 8);
    /* Default geometry 16 heads x 63 sectors: C/H/S 2/3/4 is LBA (2*16+3)*63+3. */
    out8(t, PRI + 6, 0xA0 | 3);
    out8(t, PRI + 2, 1);
    out8(t, PRI + 3, 4);
    out8(t, PRI + 4, 2);
    out8(t, PRI + 5, 0);
    out8(t, PRI + 7, 0x20);
    uint8_t buf[512];
    ata_pio_read(t, PRI, buf, 512, 2);
    expect_pattern(buf, 512, 8, ((2 * 16 + 3) * 63 + 3) * 512ull);
    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors. */
    out8(t, PRI + 6, 0xA0 | 3);
    out8(t, PRI + 2, 17);
    out8(t, PRI + 7, 0x91);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    out8(t, PRI + 6, 0xA0 | 1);
    out8(t, PRI + 2, 1);
    out8(t, PRI + 3, 1);
    out8(t, PRI + 4, 1);
    out8(t, PRI + 7, 0x20);
    ata_pio_read(t, PRI, buf, 512, 2);
    expect_pattern(buf, 512, 8, ((1 * 4 + 1) * 17) * 512ull);
    /* Sector 0 does not exist in CHS. */
    out8(t, PRI + 3, 0);
    out8(t, PRI + 7, 0x20);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x14); /* IDNF, ABRT */
    idet_free(t);
}
END_TEST

START_TEST(lba48_beyond_28_bits)
{
    idet *t = idet_new();
    uint64_t sectors = (1ull << 28) + 4096; /* a sparse 128 GiB raw disk */
    img *im = idet_image(t, "big.raw", IMG_FORMAT_RAW, sectors * 512, 0);
    uint8_t data[1024];
    idet_fill(data, sizeof(data), 5, 0);
    uint64_t lba = (1ull << 28) + 10;
    ck_assert_int_eq(img_write(im, lba * 512, data, sizeof(data)), 0);
    ck_assert_int_eq(ide_attach(&t->ide, 1, 0, im, IDE_DISK), 0);
    img_close(im);
    out8(t, SEC + 6, 0xA0);
    out8(t, SEC + 7, 0xEC);
    uint16_t w[256];
    ata_pio_read(t, SEC, w, 512, 2);
    ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFFu);
    ck_assert_uint_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, sectors);
    ck_assert(t->raises[1] > 0 && t->raises[0] == 0); /* IRQ 15 for the secondary */
    ata_lba48(t, SEC, 0, lba, 2);
    out8(t, SEC + 7, 0x24);
    uint8_t buf[1024];
    ata_pio_read(t, SEC, buf, 512, 2);
    ata_pio_read(t, SEC, buf + 512, 512, 2);
    ck_assert_mem_eq(buf, data, sizeof(buf));
    /* HOB reads back the high-order bytes. */
    out8(t, 0x376, 0x80);
    ck_assert_uint_eq(in8(t, SEC + 3), (uint8_t)(lba >> 24));
    out8(t, 0x376, 0x00);
    /* READ NATIVE MAX ADDRESS EXT */
    out8(t, SEC + 6, 0x40);
    out8(t, SEC + 7, 0x27);
    out8(t, 0x376, 0x80);
    ck_assert_uint_eq(in8(t, SEC + 3), (uint8_t)((sectors - 1) >> 24));
    out8(t, 0x376, 0x00);
    ck_assert_uint_eq(in8(t, SEC + 3), (uint8_t)(sectors - 1));
    /* Past the end: ID not found. */
    ata_lba48(t, SEC, 0, sectors - 1, 2);
    out8(t, SEC + 7, 0x24);
    ck_assert_uint_eq(ata_status(t, SEC), 0x51);
    ck_assert_uint_eq(in8(t, SEC + 1), 0x14);
    idet_free(t);
}
END_TEST

START_TEST(read_write_multiple)
{
    idet *t = with_disk(IMG_FORMAT_VDI, 9);
    ata_lba28(t, PRI, 0, 0, 10);
    out8(t, PRI + 7, 0xC4); /* multiple mode not set yet */
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x04);
    out8(t, PRI + 2, 3); /* not a power of two */
    out8(t, PRI + 7, 0xC6);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    out8(t, PRI + 2, 4);
    out8(t, PRI + 7, 0xC6);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    int before = t->raises[0];
    uint8_t buf[10 * 512];
    ata_lba28(t, PRI, 0, 2040, 10); /* crosses a VDI block */
    out8(t, PRI + 7, 0xC4);
    for (int blk = 0; blk < 3; blk++) { /* blocks of 4, 4, 2 sectors, one interrupt each */
        ck_assert(t->irq[0]);
        ck_assert_uint_eq(ata_status(t, PRI), 0x58);
        ata_pio_read(t, PRI, buf + blk * 2048, blk < 2 ? 2048 : 1024, 2);
    }
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    ck_assert_int_eq(t->raises[0] - before, 3);
    expect_pattern(buf, sizeof(buf), 9, 2040 * 512ull);
    uint8_t out[6 * 512];
    idet_fill(out, sizeof(out), 77, 0);
    ata_lba48(t, PRI, 0, 12000, 6);
    out8(t, PRI + 7, 0x39); /* WRITE MULTIPLE EXT */
    ata_pio_write(t, PRI, out, sizeof(out), 4);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    expect_disk(t, 12000, out, sizeof(out));
    idet_free(t);
}
END_TEST

START_TEST(dma_read_and_write)
{
    idet *t = with_disk(IMG_FORMAT_VDI, 11);
    /* READ DMA of 8 sectors into two buffers: 1 KiB and 3 KiB. */
    uint32_t addr[2] = {0x20000, 0x31000}, len[2] = {1024, 3072};
    prd_table(t, 0x1000, addr, len, 2);
    ata_lba28(t, PRI, 0, 300, 8);
    out8(t, PRI + 7, 0xC8);
    ck_assert(!t->irq[0]); /* waits for the bus master */
    bm_start(t, 0, 0x1000, true);
    ck_assert(t->irq[0]);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x04); /* interrupt, not active, no error */
    out8(t, IDET_BM + 2, 0x04);                      /* acknowledge */
    out8(t, IDET_BM, 0x00);                          /* stop */
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    expect_pattern(t->ram + 0x20000, 1024, 11, 300 * 512ull);
    expect_pattern(t->ram + 0x31000, 3072, 11, 300 * 512ull + 1024);
    /* WRITE DMA EXT of 130 sectors (more than one staging buffer) from one 64 KiB entry and
     * one of 1 KiB; the guest starts the engine before issuing the command. */
    uint32_t waddr[2] = {0x100000, 0x200000}, wlen[2] = {0x10000, 1024};
    idet_fill(t->ram + 0x100000, 0x10000, 12, 0);
    idet_fill(t->ram + 0x200000, 1024, 12, 0x10000);
    prd_table(t, 0x2000, waddr, wlen, 2);
    bm_start(t, 0, 0x2000, false);
    ata_lba48(t, PRI, 0, 7000, 130);
    out8(t, PRI + 7, 0x35);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x04);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    uint8_t *want = malloc(130 * 512);
    idet_fill(want, 130 * 512, 12, 0);
    expect_disk(t, 7000, want, 130 * 512);
    free(want);
    /* A table longer than the transfer leaves the engine active. */
    uint32_t laddr[1] = {0x40000}, llen[1] = {8192};
    prd_table(t, 0x3000, laddr, llen, 1);
    ata_lba28(t, PRI, 0, 0, 2);
    out8(t, PRI + 7, 0xC8);
    bm_start(t, 0, 0x3000, true);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x05);
    idet_free(t);
}
END_TEST

START_TEST(dma_refuses_memory_outside_ram)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 13);
    /* A data buffer outside RAM. */
    uint32_t addr[1] = {0xF0000000u}, len[1] = {512};
    prd_table(t, 0x1000, addr, len, 1);
    ata_lba28(t, PRI, 0, 0, 1);
    out8(t, PRI + 7, 0xC8);
    bm_start(t, 0, 0x1000, true);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x06); /* error, interrupt */
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1) & 0x04, 0x04);
    out8(t, IDET_BM + 2, 0x06);
    out8(t, IDET_BM, 0);
    /* A PRD table outside RAM. */
    ata_lba28(t, PRI, 0, 0, 1);
    out8(t, PRI + 7, 0xCA);
    bm_start(t, 0, 0xFFFFFFF8u, false);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x06);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    out8(t, IDET_BM + 2, 0x06);
    out8(t, IDET_BM, 0);
    /* A buffer that starts in RAM and runs past its end. */
    uint8_t before[512];
    ck_assert_int_eq(img_read(disk(t), 0, before, 512), 0);
    uint32_t a2[1] = {IDET_RAM - 256}, l2[1] = {512};
    prd_table(t, 0x1000, a2, l2, 1);
    ata_lba28(t, PRI, 0, 0, 1);
    out8(t, PRI + 7, 0xCA);
    bm_start(t, 0, 0x1000, false);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x06);
    expect_disk(t, 0, before, 512); /* nothing written */
    out8(t, IDET_BM + 2, 0x06);
    out8(t, IDET_BM, 0);
    /* A table shorter than the transfer. */
    uint32_t a3[1] = {0x20000}, l3[1] = {512};
    prd_table(t, 0x1000, a3, l3, 1);
    ata_lba28(t, PRI, 0, 0, 4);
    out8(t, PRI + 7, 0xC8);
    bm_start(t, 0, 0x1000, true);
    ck_assert_uint_eq(bm_status(t, 0) & 0x07, 0x06);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    idet_free(t);
}
END_TEST

START_TEST(flush_features_and_errors)
{
    idet *t = with_disk(IMG_FORMAT_VDI, 0);
    out8(t, PRI + 6, 0xE0);
    out8(t, PRI + 7, 0xE7); /* FLUSH CACHE */
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    out8(t, PRI + 7, 0xEA); /* FLUSH CACHE EXT */
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    out8(t, PRI + 1, 0x77); /* unknown SET FEATURES subcommand */
    out8(t, PRI + 7, 0xEF);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x04);
    out8(t, PRI + 7, 0x5C); /* an unknown command */
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ata_lba28(t, PRI, 0, SECTORS - 1, 2); /* the last sector and one past */
    out8(t, PRI + 7, 0xCA);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x14);
    ata_lba28(t, PRI, 0, SECTORS, 1);
    out8(t, PRI + 7, 0x30);
    ck_assert_uint_eq(ata_status(t, PRI), 0x51);
    ck_assert_uint_eq(in8(t, PRI + 1), 0x14);
    idet_free(t);
}
END_TEST

START_TEST(srst_and_nien)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 0);
    out8(t, 0x3F6, 0x02); /* nIEN */
    out8(t, PRI + 6, 0xE0);
    out8(t, PRI + 7, 0xE7);
    ck_assert(!t->irq[0]);
    ck_assert_uint_eq(ata_altstatus(t, PRI), 0x50);
    out8(t, 0x3F6, 0x00); /* the pending interrupt now reaches the line */
    ck_assert(t->irq[0]);
    ata_status(t, PRI);
    ck_assert(!t->irq[0]);
    /* Software reset mid-transfer: the data phase is abandoned, signature restored. */
    ata_lba28(t, PRI, 0, 0, 4);
    out8(t, PRI + 7, 0x20);
    out8(t, 0x3F6, 0x04);
    ck_assert_uint_eq(ata_altstatus(t, PRI), 0x80); /* BSY while SRST is held */
    out8(t, 0x3F6, 0x00);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    ck_assert_uint_eq(in8(t, PRI + 2), 1);
    ck_assert_uint_eq(in8(t, PRI + 3), 1);
    ck_assert_uint_eq(in8(t, PRI + 4), 0);
    ck_assert_uint_eq(in8(t, PRI + 5), 0);
    ck_assert_uint_eq(in8(t, PRI + 1), 1);
    ck_assert_uint_eq(iobus_in(t->io, PRI, 2), 0xFFFF); /* no data phase */
    idet_free(t);
}
END_TEST

START_TEST(save_load_mid_transfer)
{
    idet *t = with_disk(IMG_FORMAT_RAW, 21);
    ata_lba28(t, PRI, 0, 40, 2);
    out8(t, PRI + 7, 0x20);
    uint8_t buf[1024];
    ata_pio_read(t, PRI, buf, 300, 2);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(ide_save(&t->ide, &b), 0);
    ide_reset(&t->ide);
    ck_assert_uint_eq(iobus_in(t->io, PRI, 2), 0xFFFF);
    dev_blob r;
    dev_blob_init_read(&r, b.data, b.len);
    ck_assert_int_eq(ide_load(&t->ide, &r), 0);
    ata_pio_read(t, PRI, buf + 300, 1024 - 300, 2);
    expect_pattern(buf, sizeof(buf), 21, 40 * 512ull);
    /* A truncated blob is refused. */
    dev_blob_init_read(&r, b.data, b.len / 2);
    ck_assert_int_eq(ide_load(&t->ide, &r), -EINVAL);
    dev_blob_free(&b);
    idet_free(t);
}
END_TEST

START_TEST(attach_rules)
{
    idet *t = idet_new();
    img *im = idet_image(t, "a.raw", IMG_FORMAT_RAW, 1 << 20, 0);
    ck_assert_int_eq(ide_attach(&t->ide, 2, 0, im, IDE_DISK), -EINVAL);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 0, NULL, IDE_DISK), -EINVAL);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 1, im, IDE_DISK), 0);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 1, im, IDE_DISK), -EBUSY);
    ck_assert_int_eq(ide_change_media(&t->ide, 0, 1, NULL, false), -EINVAL);
    img_close(im);
    /* The slave alone: the master's registers read 0 status. */
    ck_assert_uint_eq(ata_status(t, PRI), 0x00);
    out8(t, PRI + 6, 0xB0);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    idet_free(t);
}
END_TEST

/* A snapshot: the disk is a differencing VDI over a base; guest writes land in the child. */
START_TEST(differencing_disk_and_read_only_image)
{
    idet *t = idet_new();
    img *base = idet_image(t, "base.vdi", IMG_FORMAT_VDI, SECTORS * 512ull, 31);
    img *child = NULL;
    img_err err;
    ck_assert_int_eq(img_create(idet_path(t, "snap.vdi"), IMG_FORMAT_VDI, 0, IMG_VARIANT_DYNAMIC,
                                base, &child, &err),
                     0);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 0, child, IDE_DISK), 0);
    img_close(child);
    uint8_t out[1024], got[1024];
    idet_fill(out, sizeof(out), 32, 0);
    memcpy(t->ram + 0x20000, out, sizeof(out));
    uint32_t addr[1] = {0x20000}, len[1] = {1024};
    prd_table(t, 0x1000, addr, len, 1);
    ata_lba28(t, PRI, 0, 10, 2);
    out8(t, PRI + 7, 0xCA);
    bm_start(t, 0, 0x1000, false);
    ck_assert_uint_eq(ata_status(t, PRI), 0x50);
    expect_disk(t, 10, out, sizeof(out));
    ck_assert_int_eq(img_read(base, 10 * 512, got, sizeof(got)), 0);
    expect_pattern(got, sizeof(got), 31, 10 * 512); /* the base is untouched */
    ata_lba28(t, PRI, 0, 12, 1);                    /* unwritten sectors read through */
    out8(t, PRI + 7, 0x20);
    ata_pio_read(t, PRI, got, 512, 2);
    expect_pattern(got, 512, 31, 12 * 512);
    /* A read-only image on the secondary: reads work, writes abort. */
    img_close(base); /* the child holds it */
    idet_free(t);
    t = idet_new();
    img *w = idet_image(t, "ro.raw", IMG_FORMAT_RAW, 1 << 20, 33);
    img_close(w);
    img *ro = NULL;
    ck_assert_int_eq(img_open(idet_path(t, "ro.raw"), IMG_FORMAT_AUTO, 0, NULL, &ro, &err), 0);
    ck_assert_int_eq(ide_attach(&t->ide, 1, 1, ro, IDE_DISK), 0);
    img_close(ro);
    out8(t, SEC + 6, 0xF0);
    ata_lba28(t, SEC, 1, 0, 1);
    out8(t, SEC + 7, 0x30);
    ata_pio_write(t, SEC, out, 512, 2);
    ck_assert_uint_eq(ata_status(t, SEC), 0x51);
    ck_assert_uint_eq(in8(t, SEC + 1), 0x04);
    ata_lba28(t, SEC, 1, 0, 1);
    out8(t, SEC + 7, 0x20);
    ata_pio_read(t, SEC, got, 512, 2);
    expect_pattern(got, 512, 33, 0);
    idet_free(t);
}
END_TEST

/* Hostile guest: random accesses to every IDE port (task files, control, data, bus master)
 * with random PRD tables in RAM, a disk and a CD-ROM attached. Nothing may touch memory
 * outside the guest's (ASan), and the devices keep working afterwards. */
START_TEST(random_port_storm)
{
    idet *t = with_disk(IMG_FORMAT_VDI, 41);
    img *cdimg = idet_image(t, "cd.raw", IMG_FORMAT_RAW, 64 * 2048, 42);
    ck_assert_int_eq(ide_attach(&t->ide, 1, 0, cdimg, IDE_CDROM), 0);
    img_close(cdimg);
    uint32_t x = 77;
    for (uint32_t i = 0; i < 64 * 1024; i += 4) { /* random PRD tables and buffers */
        x = x * 1664525u + 1013904223u;
        memcpy(t->ram + i, &x, 4);
    }
    static const uint16_t ports[] = {PRI,     PRI + 1, PRI + 2, PRI + 3, PRI + 4, PRI + 5,
                                     PRI + 6, PRI + 7, 0x3F6,   SEC,     SEC + 1, SEC + 2,
                                     SEC + 3, SEC + 4, SEC + 5, SEC + 6, SEC + 7, 0x376};
    for (int i = 0; i < 300000; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t r = x >> 8;
        bool bm = (r & 15) == 0;
        uint16_t port = bm ? (uint16_t)(IDET_BM + (r >> 4) % 16)
                           : ports[(r >> 4) % (sizeof(ports) / sizeof(ports[0]))];
        unsigned size = 1u << ((r >> 12) % 3);
        x = x * 1664525u + 1013904223u;
        uint32_t v = x;
        if ((port & 7) == 7 && !bm && (v & 0xFF) != 0xA0 && (v & 3))
            v = (v & ~0xFFu) | (uint32_t)(uint8_t[]){0x20, 0x24, 0xC8, 0xCA, 0x25, 0x35, 0xC4,
                                                     0x39, 0xEC, 0xA1, 0xEF, 0xC6, 0x91}[v % 13];
        if (bm && (port & 7) >= 4)
            v &= 0xFFFC; /* keep PRD tables mostly inside RAM */
        if (r & 0x40000)
            iobus_out(t->io, port, v, size);
        else
            iobus_in(t->io, port, size);
    }
    /* Still a working disk: reset the channel and read a sector. */
    out8(t, 0x3F6, 0x04);
    out8(t, 0x3F6, 0x00);
    out8(t, IDET_BM, 0);
    ata_lba28(t, PRI, 0, 1, 1);
    out8(t, PRI + 7, 0x20);
    uint8_t buf[512];
    ata_pio_read(t, PRI, buf, 512, 2);
    uint8_t got[512];
    ck_assert_int_eq(img_read(disk(t), 512, got, 512), 0);
    ck_assert_mem_eq(buf, got, 512);
    idet_free(t);
}
END_TEST

static Suite *ata_suite(void)
{
    Suite *s = suite_create("ide_ata");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pci_function_identity);
    tcase_add_test(tc, identify_device);
    tcase_add_test(tc, pio_read_write_sectors_lba28);
    tcase_add_test(tc, pio_chs_addressing);
    tcase_add_test(tc, lba48_beyond_28_bits);
    tcase_add_test(tc, read_write_multiple);
    tcase_add_test(tc, dma_read_and_write);
    tcase_add_test(tc, dma_refuses_memory_outside_ram);
    tcase_add_test(tc, flush_features_and_errors);
    tcase_add_test(tc, srst_and_nien);
    tcase_add_test(tc, save_load_mid_transfer);
    tcase_add_test(tc, attach_rules);
    tcase_add_test(tc, differencing_disk_and_read_only_image);
    tcase_add_test(tc, random_port_storm);
    suite_add_tcase(s, tc);
    return s;
}

IDET_MAIN(ata_suite)

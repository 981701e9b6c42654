/* ATAPI CD-ROM on the secondary master, with an ISO made by genisoimage: the packet
 * protocol (interrupt reason, byte count limit), the commands Linux and SeaBIOS use, READ
 * through PIO and DMA, sense data for errors, media change with UNIT ATTENTION. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ide_test.h"

#define FILE_LEN (300u * 1024u + 100u) /* a file in the ISO with known content */

typedef struct cd {
    idet *t;
    uint8_t *iso; /* the ISO's bytes, as a reference */
    size_t iso_len;
    uint32_t file_lba; /* where the file's data starts */
} cd;

static uint8_t *slurp(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *ret_len = (size_t)len;
    return b;
}

/* An ISO holding DATA.BIN (pattern 3). Without genisoimage, a stand-in with the same
 * volume descriptor identifier and the file at block 20. */
static const char *make_iso(idet *t)
{
    static uint8_t data[FILE_LEN];
    idet_fill(data, sizeof(data), 3, 0);
    char cmd[1024];
    const char *iso = idet_path(t, "t.iso");
#ifdef GENISOIMAGE
    snprintf(cmd, sizeof(cmd), "mkdir %s/root", t->dir);
    ck_assert_int_eq(system(cmd), 0);
    FILE *f = fopen(idet_path(t, "root/DATA.BIN"), "wb");
    ck_assert_uint_eq(fwrite(data, 1, sizeof(data), f), sizeof(data));
    fclose(f);
    snprintf(cmd, sizeof(cmd), "%s -quiet -o %s %s/root", GENISOIMAGE, iso, t->dir);
    ck_assert_int_eq(system(cmd), 0);
#else
    FILE *f = fopen(iso, "wb");
    uint8_t blk[2048] = {0};
    for (int i = 0; i < 20; i++) {
        memset(blk, 0, sizeof(blk));
        if (i == 16)
            memcpy(blk, "\001CD001\001", 7);
        fwrite(blk, 1, sizeof(blk), f);
    }
    fwrite(data, 1, sizeof(data), f);
    memset(blk, 0, sizeof(blk));
    fwrite(blk, 1, 2048 - sizeof(data) % 2048, f);
    fclose(f);
    (void)cmd;
#endif
    return iso;
}

static cd *cd_new(void)
{
    cd *c = calloc(1, sizeof(*c));
    c->t = idet_new();
    const char *iso = make_iso(c->t);
    c->iso = slurp(iso, &c->iso_len);
    uint8_t head[16];
    idet_fill(head, sizeof(head), 3, 0);
    c->file_lba = 0;
    for (size_t off = 0; off + 16 <= c->iso_len; off += 2048)
        if (!memcmp(c->iso + off, head, 16))
            c->file_lba = (uint32_t)(off / 2048);
    ck_assert_uint_gt(c->file_lba, 16);
    img *im = NULL;
    img_err err;
    ck_assert_int_eq(img_open(iso, IMG_FORMAT_AUTO, 0, NULL, &im, &err), 0);
    ck_assert_int_eq(img_get_format(im), IMG_FORMAT_ISO);
    ck_assert_int_eq(ide_attach(&c->t->ide, 1, 0, im, IDE_CDROM), 0);
    img_close(im);
    return c;
}

static void cd_free(cd *c)
{
    idet_free(c->t);
    free(c->iso);
    free(c);
}

/* Issue a packet; collect data-in into `out` (up to cap). Returns the final status; the
 * number of bytes received and DRQ blocks seen go to *ret_len / *ret_drqs. */
static uint8_t packet(cd *c, const uint8_t pkt[12], uint16_t limit, uint8_t *out, size_t cap,
                      size_t *ret_len, int *ret_drqs)
{
    idet *t = c->t;
    out8(t, SEC + 6, 0xA0);
    out8(t, SEC + 1, 0); /* PIO */
    out8(t, SEC + 4, (uint8_t)limit);
    out8(t, SEC + 5, (uint8_t)(limit >> 8));
    out8(t, SEC + 7, 0xA0);
    ck_assert_uint_eq(ata_altstatus(t, SEC) & 0x89, 0x08); /* DRQ for the packet */
    ck_assert_uint_eq(in8(t, SEC + 2) & 3, 0x01);          /* C/D = 1, I/O = 0 */
    ata_pio_write(t, SEC, pkt, 12, 2);
    size_t got = 0;
    int drqs = 0;
    for (;;) {
        ck_assert(t->irq[1]);
        uint8_t st = ata_status(t, SEC);
        if (!(st & 0x08)) {
            ck_assert_uint_eq(in8(t, SEC + 2) & 3, 0x03); /* status phase */
            if (ret_len)
                *ret_len = got;
            if (ret_drqs)
                *ret_drqs = drqs;
            return st;
        }
        ck_assert_uint_eq(in8(t, SEC + 2) & 3, 0x02); /* data to the host */
        uint32_t n = in8(t, SEC + 4) | (uint32_t)in8(t, SEC + 5) << 8;
        ck_assert_uint_le(n, limit ? limit : 0xFFFE);
        ck_assert_uint_le(got + n, cap);
        ata_pio_read(t, SEC, out + got, n, 2);
        got += n;
        drqs++;
    }
}

static void pkt_read10(uint8_t *p, uint32_t lba, uint16_t count)
{
    memset(p, 0, 12);
    p[0] = 0x28;
    p[2] = (uint8_t)(lba >> 24);
    p[3] = (uint8_t)(lba >> 16);
    p[4] = (uint8_t)(lba >> 8);
    p[5] = (uint8_t)lba;
    p[7] = (uint8_t)(count >> 8);
    p[8] = (uint8_t)count;
}

/* REQUEST SENSE: sense key, ASC. */
static void expect_sense(cd *c, uint8_t key, uint8_t asc)
{
    uint8_t p[12] = {0x03, 0, 0, 0, 18}, s[18];
    size_t n;
    ck_assert_uint_eq(packet(c, p, 0xFFFE, s, sizeof(s), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 18);
    ck_assert_uint_eq(s[0], 0x70);
    ck_assert_uint_eq(s[2], key);
    ck_assert_uint_eq(s[12], asc);
}

START_TEST(identify_and_signature)
{
    cd *c = cd_new();
    idet *t = c->t;
    out8(t, SEC + 6, 0xA0);
    out8(t, SEC + 7, 0xEC); /* IDENTIFY DEVICE: aborted, packet signature */
    ck_assert_uint_eq(ata_status(t, SEC) & 0x01, 0x01);
    ck_assert_uint_eq(in8(t, SEC + 4), 0x14);
    ck_assert_uint_eq(in8(t, SEC + 5), 0xEB);
    out8(t, SEC + 7, 0xA1);
    ck_assert_uint_eq(ata_status(t, SEC), 0x58);
    uint16_t w[256];
    ata_pio_read(t, SEC, w, 512, 2);
    ck_assert_uint_eq(w[0], 0x85C0);
    ck_assert(w[49] & 0x0100);
    /* A software reset leaves the packet signature too. */
    out8(t, 0x376, 0x04);
    out8(t, 0x376, 0x00);
    ck_assert_uint_eq(in8(t, SEC + 4), 0x14);
    ck_assert_uint_eq(in8(t, SEC + 5), 0xEB);
    cd_free(c);
}
END_TEST

START_TEST(inquiry_capacity_ready)
{
    cd *c = cd_new();
    uint8_t buf[64];
    size_t n;
    uint8_t tur[12] = {0};
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 0);
    uint8_t inq[12] = {0x12, 0, 0, 0, 36};
    ck_assert_uint_eq(packet(c, inq, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 36);
    ck_assert_uint_eq(buf[0], 0x05);
    ck_assert_uint_eq(buf[1], 0x80);
    ck_assert_mem_eq(buf + 8, "VIREO", 5);
    uint8_t cap[12] = {0x25};
    ck_assert_uint_eq(packet(c, cap, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 8);
    uint32_t last = (uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
    ck_assert_uint_eq(last, c->iso_len / 2048 - 1);
    ck_assert_uint_eq(buf[6] << 8 | buf[7], 2048);
    cd_free(c);
}
END_TEST

START_TEST(read10_pio_with_byte_count_limit)
{
    cd *c = cd_new();
    uint8_t *buf = malloc(256 * 1024);
    uint8_t p[12];
    size_t n;
    int drqs;
    pkt_read10(p, 16, 1);
    ck_assert_uint_eq(packet(c, p, 0xFFFE, buf, 2048, &n, NULL), 0x50);
    ck_assert_mem_eq(buf + 1, "CD001", 5);
    /* 40 blocks of the file with a 6000-byte limit: many DRQ blocks, data intact. */
    pkt_read10(p, c->file_lba, 40);
    ck_assert_uint_eq(packet(c, p, 6000, buf, 256 * 1024, &n, &drqs), 0x50);
    ck_assert_uint_eq(n, 40 * 2048);
    ck_assert_int_ge(drqs, 14);
    ck_assert_mem_eq(buf, c->iso + (size_t)c->file_lba * 2048, n);
    /* READ(12) of 100 blocks (more than one staging buffer). */
    uint8_t *big = malloc(100 * 2048);
    uint8_t r12[12] = {0xA8};
    r12[2] = (uint8_t)(c->file_lba >> 24);
    r12[3] = (uint8_t)(c->file_lba >> 16);
    r12[4] = (uint8_t)(c->file_lba >> 8);
    r12[5] = (uint8_t)c->file_lba;
    r12[9] = 100;
    ck_assert_uint_eq(packet(c, r12, 0xFFFE, big, 100 * 2048, &n, NULL), 0x50);
    ck_assert_uint_eq(n, 100 * 2048);
    ck_assert_mem_eq(big, c->iso + (size_t)c->file_lba * 2048, n);
    uint8_t head[16];
    idet_fill(head, sizeof(head), 3, 0);
    ck_assert_mem_eq(big, head, 16);
    free(big);
    free(buf);
    cd_free(c);
}
END_TEST

START_TEST(read_out_of_range_is_illegal_request)
{
    cd *c = cd_new();
    uint8_t p[12], buf[4096];
    uint32_t blocks = (uint32_t)(c->iso_len / 2048);
    pkt_read10(p, blocks - 1, 2);
    uint8_t st = packet(c, p, 0xFFFE, buf, sizeof(buf), NULL, NULL);
    ck_assert_uint_eq(st & 0x01, 0x01);
    ck_assert_uint_eq(in8(c->t, SEC + 1) >> 4, 0x05);
    expect_sense(c, 0x05, 0x21);
    pkt_read10(p, 0xFFFFFFF0u, 0x20); /* wraps 32 bits */
    ck_assert_uint_eq(packet(c, p, 0xFFFE, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x05, 0x21);
    uint8_t bad[12] = {0xFF};
    ck_assert_uint_eq(packet(c, bad, 0xFFFE, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x05, 0x20);
    cd_free(c);
}
END_TEST

START_TEST(read_toc_mode_sense_configuration_events)
{
    cd *c = cd_new();
    uint8_t buf[256];
    size_t n;
    uint32_t blocks = (uint32_t)(c->iso_len / 2048);
    uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 255};
    ck_assert_uint_eq(packet(c, toc, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 20);
    ck_assert_uint_eq(buf[0] << 8 | buf[1], 18);
    ck_assert_uint_eq(buf[6], 1);     /* track 1 */
    ck_assert_uint_eq(buf[14], 0xAA); /* lead-out */
    ck_assert_uint_eq((uint32_t)buf[16] << 24 | buf[17] << 16 | buf[18] << 8 | buf[19], blocks);
    uint8_t toc_msf[12] = {0x43, 0x02, 0, 0, 0, 0, 0, 0, 255};
    ck_assert_uint_eq(packet(c, toc_msf, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(buf[9], 0);
    ck_assert_uint_eq(buf[10], 2); /* track 1 at 00:02:00 */
    uint8_t sess[12] = {0x43, 0, 1, 0, 0, 0, 0, 0, 12};
    ck_assert_uint_eq(packet(c, sess, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(buf[6], 1);
    uint8_t ms[12] = {0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 255};
    ck_assert_uint_eq(packet(c, ms, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 8 + 28);
    ck_assert_uint_eq(buf[8], 0x2A);
    uint8_t ms_bad[12] = {0x5A, 0, 0x13, 0, 0, 0, 0, 0, 255};
    ck_assert_uint_eq(packet(c, ms_bad, 0xFFFE, buf, sizeof(buf), &n, NULL) & 1, 1);
    expect_sense(c, 0x05, 0x24);
    uint8_t gc[12] = {0x46, 0, 0, 0, 0, 0, 0, 0, 255};
    ck_assert_uint_eq(packet(c, gc, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(buf[6] << 8 | buf[7], 0x0008); /* current profile: CD-ROM */
    ck_assert_uint_gt(n, 8);
    uint8_t ev[12] = {0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8};
    ck_assert_uint_eq(packet(c, ev, 0xFFFE, buf, sizeof(buf), &n, NULL), 0x50);
    ck_assert_uint_eq(n, 8);
    ck_assert_uint_eq(buf[2], 0x04);
    ck_assert_uint_eq(buf[5] & 0x02, 0x02); /* media present */
    cd_free(c);
}
END_TEST

START_TEST(media_change_and_lock)
{
    cd *c = cd_new();
    idet *t = c->t;
    uint8_t buf[64], tur[12] = {0};
    img *iso = img_ref(t->ide.ch[1].drive[0].image);
    ck_assert_int_eq(ide_change_media(&t->ide, 1, 0, NULL, false), 0);
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), NULL, NULL) & 1, 1);
    ck_assert_uint_eq(in8(t, SEC + 1) >> 4, 0x06); /* UNIT ATTENTION */
    expect_sense(c, 0x06, 0x28);
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x02, 0x3A); /* no medium */
    uint8_t ev[12] = {0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8};
    size_t n;
    packet(c, ev, 0xFFFE, buf, sizeof(buf), &n, NULL);
    ck_assert_uint_eq(buf[4], 3); /* media removal */
    ck_assert_int_eq(ide_change_media(&t->ide, 1, 0, iso, false), 0);
    img_close(iso);
    packet(c, ev, 0xFFFE, buf, sizeof(buf), &n, NULL);
    ck_assert_uint_eq(buf[4], 2); /* new media */
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x06, 0x28);
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), NULL, NULL), 0x50);
    /* Locked: the guest cannot eject, the host only with force. */
    uint8_t lock[12] = {0x1E, 0, 0, 0, 1}, eject[12] = {0x1B, 0, 0, 0, 0x02};
    ck_assert_uint_eq(packet(c, lock, 0, buf, sizeof(buf), NULL, NULL), 0x50);
    ck_assert_uint_eq(packet(c, eject, 0, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x05, 0x53);
    ck_assert_int_eq(ide_change_media(&t->ide, 1, 0, NULL, false), -EBUSY);
    lock[4] = 0;
    ck_assert_uint_eq(packet(c, lock, 0, buf, sizeof(buf), NULL, NULL), 0x50);
    ck_assert_uint_eq(packet(c, eject, 0, buf, sizeof(buf), NULL, NULL), 0x50);
    ck_assert_uint_eq(packet(c, tur, 0, buf, sizeof(buf), NULL, NULL) & 1, 1);
    expect_sense(c, 0x02, 0x3A);
    cd_free(c);
}
END_TEST

START_TEST(read10_dma)
{
    cd *c = cd_new();
    idet *t = c->t;
    uint32_t addr[2] = {0x50000, 0x80000}, len[2] = {0x10000, 0x4000};
    prd_table(t, 0x1000, addr, len, 2);
    uint8_t p[12];
    pkt_read10(p, c->file_lba, 40); /* 80 KiB = both entries exactly */
    out8(t, SEC + 6, 0xA0);
    out8(t, SEC + 1, 0x01); /* DMA */
    out8(t, SEC + 7, 0xA0);
    ata_pio_write(t, SEC, p, 12, 2);
    bm_start(t, 1, 0x1000, true);
    ck_assert_uint_eq(bm_status(t, 1) & 0x07, 0x04);
    ck_assert_uint_eq(ata_status(t, SEC), 0x50);
    ck_assert_uint_eq(in8(t, SEC + 2) & 3, 3);
    ck_assert_mem_eq(t->ram + 0x50000, c->iso + (size_t)c->file_lba * 2048, 0x10000);
    ck_assert_mem_eq(t->ram + 0x80000, c->iso + (size_t)c->file_lba * 2048 + 0x10000, 0x4000);
    cd_free(c);
}
END_TEST

/* A disk master and a CD-ROM slave: after a reset each shows its own signature. */
START_TEST(mixed_channel_signatures)
{
    idet *t = idet_new();
    img *d = idet_image(t, "d.raw", IMG_FORMAT_RAW, 1 << 20, 0);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 0, d, IDE_DISK), 0);
    ck_assert_int_eq(ide_attach(&t->ide, 0, 1, NULL, IDE_CDROM), 0);
    img_close(d);
    out8(t, 0x3F6, 0x04);
    out8(t, 0x3F6, 0x00);
    ck_assert_uint_eq(in8(t, PRI + 4), 0x00);
    out8(t, PRI + 6, 0xB0);
    ck_assert_uint_eq(in8(t, PRI + 2), 1);
    ck_assert_uint_eq(in8(t, PRI + 4), 0x14);
    ck_assert_uint_eq(in8(t, PRI + 5), 0xEB);
    out8(t, PRI + 6, 0xA0);
    ck_assert_uint_eq(in8(t, PRI + 4), 0x00);
    ck_assert_uint_eq(in8(t, PRI + 5), 0x00);
    /* The empty CD-ROM answers TEST UNIT READY with NOT READY, no medium. */
    out8(t, PRI + 6, 0xB0);
    out8(t, PRI + 4, 0);
    out8(t, PRI + 5, 0x08);
    out8(t, PRI + 7, 0xA0);
    uint8_t tur[12] = {0};
    ata_pio_write(t, PRI, tur, 12, 2);
    ck_assert_uint_eq(ata_status(t, PRI) & 0x01, 0x01);
    ck_assert_uint_eq(in8(t, PRI + 1) >> 4, 0x02);
    idet_free(t);
}
END_TEST

static Suite *atapi_suite(void)
{
    Suite *s = suite_create("ide_atapi");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, identify_and_signature);
    tcase_add_test(tc, inquiry_capacity_ready);
    tcase_add_test(tc, read10_pio_with_byte_count_limit);
    tcase_add_test(tc, read_out_of_range_is_illegal_request);
    tcase_add_test(tc, read_toc_mode_sense_configuration_events);
    tcase_add_test(tc, media_change_and_lock);
    tcase_add_test(tc, read10_dma);
    tcase_add_test(tc, mixed_channel_signatures);
    suite_add_tcase(s, tc);
    return s;
}

IDET_MAIN(atapi_suite)

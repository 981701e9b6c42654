/* Fuzz the disk image formats: the input is an image file (VDI, ISO or raw, recognised as
 * img_open's IMG_FORMAT_AUTO does), held in a memfd. An image that opens must read back
 * every sector it claims to have (all of a small disk, an even spread of a large one),
 * refuse reads past its end, and survive the consistency check; inputs of odd length are
 * also opened for writing, written, compacted and read again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/storage/image.h"

#define MAX_READS 4096u

static void read_all(img *im)
{
    static uint8_t buf[8 * IMG_SECTOR_SIZE];
    uint64_t sectors = img_size(im) / IMG_SECTOR_SIZE;
    uint64_t step = sectors / MAX_READS + 1;
    for (uint64_t lba = 0; lba < sectors; lba += step) {
        uint32_t n = sectors - lba < 8 ? (uint32_t)(sectors - lba) : 8;
        (void)img_read_sectors(im, lba, buf, n);
    }
    if (sectors)
        (void)img_read_sectors(im, sectors - 1, buf, 1);
    if (img_read(im, img_size(im), buf, 1) != -EINVAL ||
        img_read_sectors(im, sectors, buf, 1) != -EINVAL)
        abort(); /* a read past the end was not refused */
    (void)img_read(im, img_size(im) > 3 ? img_size(im) - 3 : 0, buf, 3);
}

static void write_some(img *im)
{
    static uint8_t buf[IMG_SECTOR_SIZE];
    uint64_t sectors = img_size(im) / IMG_SECTOR_SIZE;
    memset(buf, 0xA5, sizeof(buf));
    for (int i = 0; i < 4 && sectors; i++) {
        uint64_t lba = sectors / 4 * (uint64_t)i;
        (void)img_write_sectors(im, lba, buf, 1);
    }
    memset(buf, 0, sizeof(buf));
    if (sectors)
        (void)img_write_sectors(im, 0, buf, 1); /* a zero block compact can drop */
    img_err err;
    (void)img_flush(im);
    (void)img_compact(im, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof(path));
    if (fd < 0)
        abort();
    img *im = NULL;
    img_err err;
    if (img_open(path, IMG_FORMAT_AUTO, 0, NULL, &im, &err) == 0) {
        img_info info;
        img_get_info(im, &info);
        read_all(im);
        im = img_close(im);
    }
    if (size & 1) {
        if (img_open(path, IMG_FORMAT_AUTO, IMG_OPEN_RDWR, NULL, &im, &err) == 0) {
            write_some(im);
            read_all(im);
            im = img_close(im);
        }
    }
    img_check_report rep;
    if (img_check_path(path, IMG_FORMAT_AUTO, &rep, &err) == 0 &&
        !memchr(rep.text, 0, sizeof(rep.text)))
        abort();
    close(fd);
    return 0;
}

/* Raw images (the file is the disk) and ISO 9660 files (raw, read-only, recognised by the
 * "CD001" identifier of the volume descriptor at byte 32769). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/storage/image_int.h"

#define ISO_VD_OFFSET 0x8000u

bool img_iso_probe(int fd)
{
    uint8_t id[6];
    if (img_pread_full(fd, id, sizeof(id), ISO_VD_OFFSET) < 0)
        return false;
    return memcmp(id + 1, "CD001", 5) == 0;
}

static int raw_read(img *im, uint64_t offset, void *buf, size_t len)
{
    return img_pread_full(im->fd, buf, len, offset);
}

static int raw_write(img *im, uint64_t offset, const void *buf, size_t len)
{
    return img_pwrite_full(im->fd, buf, len, offset);
}

static int raw_flush(img *im)
{
    return fdatasync(im->fd) < 0 ? -errno : 0;
}

static int raw_resize(img *im, uint64_t new_size, img_err *err)
{
    if (im->format == IMG_FORMAT_ISO)
        return img_fail(err, -ENOTSUP, "ISO images cannot be resized");
    if (ftruncate(im->fd, (off_t)new_size) < 0)
        return img_fail(err, -errno, "cannot grow %s: %s", im->path, strerror(errno));
    im->size = new_size;
    return 0;
}

static void raw_info(const img *im, img_info *info)
{
    info->variant = IMG_VARIANT_FIXED;
}

static void raw_free(img *im)
{
    free(im);
}

static const img_ops raw_ops = {
    .read = raw_read,
    .write = raw_write,
    .flush = raw_flush,
    .resize = raw_resize,
    .info = raw_info,
    .free = raw_free,
};

int img_raw_open(int fd, img_format fmt, bool writable, img **ret, img_err *err)
{
    if (fmt == IMG_FORMAT_ISO && writable)
        return img_fail(err, -EROFS, "ISO images are read-only");
    if (fmt == IMG_FORMAT_ISO && !img_iso_probe(fd))
        return img_fail(err, -EINVAL, "not an ISO 9660 image: no volume descriptor at sector 16");
    uint64_t size;
    int r = img_file_size(fd, &size);
    if (r < 0)
        return img_fail(err, r, "cannot stat image: %s", strerror(-r));
    if (fmt == IMG_FORMAT_RAW)
        size &= ~(uint64_t)(IMG_SECTOR_SIZE - 1); /* a partial last sector is not addressable */
    img *im = calloc(1, sizeof(*im));
    if (!im)
        return img_fail(err, -ENOMEM, "out of memory");
    im->ops = &raw_ops;
    im->size = size;
    im->fd = -1;
    *ret = im;
    return 0;
}

int img_raw_create(int fd, uint64_t size, img_variant variant, img_err *err)
{
    if (variant == IMG_VARIANT_DIFF)
        return img_fail(err, -EINVAL, "raw images cannot be differencing images");
    if (ftruncate(fd, (off_t)size) < 0)
        return img_fail(err, -errno, "cannot size the image: %s", strerror(errno));
    if (variant == IMG_VARIANT_FIXED) {
        int r = posix_fallocate(fd, 0, (off_t)size);
        if (r && r != EOPNOTSUPP && r != EINVAL)
            return img_fail(err, -r, "cannot reserve %llu bytes: %s", (unsigned long long)size,
                            strerror(r));
    }
    return 0;
}

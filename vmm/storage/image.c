/* The image interface: opening, format detection, bounds checks and dispatch to backends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/storage/image_int.h"

int img_fail(img_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void img_report_add(img_check_report *rep, const char *fmt, ...)
{
    size_t used = strlen(rep->text);
    if (used + 2 >= sizeof(rep->text))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->text + used, sizeof(rep->text) - used - 1, fmt, ap);
    va_end(ap);
    strcat(rep->text, "\n");
}

int img_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

int img_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

int img_file_size(int fd, uint64_t *ret_size)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    *ret_size = (uint64_t)st.st_size;
    return 0;
}

/* Writers exclude everyone else; readers exclude writers (flock: per open file). */
static int img_lock(int fd, bool writable)
{
    if (flock(fd, (writable ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? -EBUSY : -errno;
}

static img_format img_detect(int fd)
{
    if (img_vdi_probe(fd))
        return IMG_FORMAT_VDI;
    if (img_iso_probe(fd))
        return IMG_FORMAT_ISO;
    return IMG_FORMAT_RAW;
}

static int img_open_backend(int fd, img_format fmt, bool rw, img *parent, img **ret, img_err *err)
{
    switch (fmt) {
    case IMG_FORMAT_VDI: return img_vdi_open(fd, rw, parent, ret, err);
    case IMG_FORMAT_RAW:
    case IMG_FORMAT_ISO: return img_raw_open(fd, fmt, rw, ret, err);
    default: return img_fail(err, -EINVAL, "unknown image format %d", (int)fmt);
    }
}

int img_open(const char *path, img_format fmt, unsigned flags, img *parent, img **ret_img,
             img_err *err)
{
    bool rw = flags & IMG_OPEN_RDWR;
    int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return img_fail(err, -errno, "cannot open %s: %s", path, strerror(errno));
    int r = img_lock(fd, rw);
    if (r < 0) {
        close(fd);
        return img_fail(err, r, "%s is in use by another process", path);
    }
    if (fmt == IMG_FORMAT_AUTO)
        fmt = img_detect(fd);
    img *im = NULL;
    r = img_open_backend(fd, fmt, rw, parent, &im, err);
    if (r < 0) {
        close(fd);
        return r;
    }
    im->format = fmt;
    im->refs = 1;
    im->fd = fd;
    im->writable = rw;
    im->path = strdup(path);
    if (!im->path) {
        img_close(im);
        return img_fail(err, -ENOMEM, "out of memory");
    }
    *ret_img = im;
    return 0;
}

int img_create(const char *path, img_format fmt, uint64_t size, img_variant variant, img *parent,
               img **ret_img, img_err *err)
{
    if (parent && fmt != IMG_FORMAT_VDI)
        return img_fail(err, -EINVAL, "only VDI images can be differencing images");
    if (parent && parent->format != IMG_FORMAT_VDI)
        return img_fail(err, -EINVAL, "the parent of a differencing image must be a VDI");
    if (parent)
        size = parent->size;
    if (fmt != IMG_FORMAT_VDI && fmt != IMG_FORMAT_RAW)
        return img_fail(err, -ENOTSUP, "images of this format cannot be created");
    if (size == 0 || size % IMG_SECTOR_SIZE)
        return img_fail(err, -EINVAL, "size %llu is not a positive multiple of 512",
                        (unsigned long long)size);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return img_fail(err, -errno, "cannot create %s: %s", path, strerror(errno));
    int r = fmt == IMG_FORMAT_VDI ? img_vdi_create(fd, size, variant, parent, err)
                                  : img_raw_create(fd, size, variant, err);
    if (r == 0 && fsync(fd) < 0)
        r = img_fail(err, -errno, "cannot sync %s: %s", path, strerror(errno));
    close(fd);
    if (r < 0) {
        unlink(path);
        return r;
    }
    if (!ret_img)
        return 0;
    return img_open(path, fmt, IMG_OPEN_RDWR, parent, ret_img, err);
}

img *img_ref(img *im)
{
    if (im)
        im->refs++;
    return im;
}

img *img_close(img *im)
{
    if (!im || --im->refs > 0)
        return NULL;
    if (im->writable && im->ops->flush)
        im->ops->flush(im);
    img *parent = im->parent;
    int fd = im->fd;
    char *path = im->path;
    im->ops->free(im);
    if (fd >= 0)
        close(fd);
    free(path);
    img_close(parent);
    return NULL;
}

uint64_t img_size(const img *im)
{
    return im->size;
}

bool img_writable(const img *im)
{
    return im->writable;
}

img_format img_get_format(const img *im)
{
    return im->format;
}

img *img_parent(const img *im)
{
    return im->parent;
}

const char *img_path(const img *im)
{
    return im->path;
}

static bool img_in_range(const img *im, uint64_t offset, size_t len)
{
    return offset <= im->size && len <= im->size - offset;
}

int img_read(img *im, uint64_t offset, void *buf, size_t len)
{
    if (!img_in_range(im, offset, len))
        return -EINVAL;
    return len ? im->ops->read(im, offset, buf, len) : 0;
}

int img_write(img *im, uint64_t offset, const void *buf, size_t len)
{
    if (!im->writable)
        return -EROFS;
    if (!img_in_range(im, offset, len))
        return -EINVAL;
    return len ? im->ops->write(im, offset, buf, len) : 0;
}

int img_read_sectors(img *im, uint64_t lba, void *buf, uint32_t count)
{
    if (lba > UINT64_MAX / IMG_SECTOR_SIZE)
        return -EINVAL;
    return img_read(im, lba * IMG_SECTOR_SIZE, buf, (size_t)count * IMG_SECTOR_SIZE);
}

int img_write_sectors(img *im, uint64_t lba, const void *buf, uint32_t count)
{
    if (lba > UINT64_MAX / IMG_SECTOR_SIZE)
        return -EINVAL;
    return img_write(im, lba * IMG_SECTOR_SIZE, buf, (size_t)count * IMG_SECTOR_SIZE);
}

int img_flush(img *im)
{
    if (!im->writable)
        return 0;
    return im->ops->flush(im);
}

int img_resize(img *im, uint64_t new_size, img_err *err)
{
    if (!im->writable)
        return img_fail(err, -EROFS, "%s is open read-only", im->path);
    if (new_size % IMG_SECTOR_SIZE)
        return img_fail(err, -EINVAL, "size %llu is not a multiple of 512",
                        (unsigned long long)new_size);
    if (new_size < im->size)
        return img_fail(err, -EINVAL, "images can only grow (now %llu bytes)",
                        (unsigned long long)im->size);
    if (new_size == im->size)
        return 0;
    if (!im->ops->resize)
        return img_fail(err, -ENOTSUP, "this image format cannot be resized");
    return im->ops->resize(im, new_size, err);
}

int img_compact(img *im, img_err *err)
{
    if (!im->writable)
        return img_fail(err, -EROFS, "%s is open read-only", im->path);
    return im->ops->compact ? im->ops->compact(im, err) : 0;
}

int img_merge(img *child, img_err *err)
{
    if (child->format != IMG_FORMAT_VDI || !child->parent)
        return img_fail(err, -EINVAL, "%s is not a differencing image", child->path);
    if (!child->parent->writable)
        return img_fail(err, -EROFS, "the parent %s is open read-only", child->parent->path);
    return img_vdi_merge(child, err);
}

void img_get_info(const img *im, img_info *ret_info)
{
    memset(ret_info, 0, sizeof(*ret_info));
    ret_info->format = im->format;
    ret_info->size = im->size;
    img_file_size(im->fd, &ret_info->file_size);
    im->ops->info(im, ret_info);
}

void img_uuid_format(const uint8_t u[16], char *buf)
{
    /* The first three fields are little-endian on disk (RTUUID / Microsoft GUID order). */
    snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3],
             u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

int img_check_path(const char *path, img_format fmt, img_check_report *ret_report, img_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return img_fail(err, -errno, "cannot open %s: %s", path, strerror(errno));
    memset(ret_report, 0, sizeof(*ret_report));
    if (fmt == IMG_FORMAT_AUTO)
        fmt = img_detect(fd);
    int r = 0;
    if (fmt == IMG_FORMAT_VDI) {
        r = img_vdi_check(fd, ret_report, err);
    } else if (fmt == IMG_FORMAT_ISO && !img_iso_probe(fd)) {
        ret_report->corruptions++;
        img_report_add(ret_report, "no ISO 9660 volume descriptor at sector 16");
    }
    close(fd);
    return r;
}

/* Shared by the image backends: the object every backend embeds first, its operations, and
 * small helpers. Not part of the public interface. */
#ifndef VIREO_VMM_STORAGE_IMAGE_INT_H
#define VIREO_VMM_STORAGE_IMAGE_INT_H

#include <stdarg.h>

#include "vmm/storage/image.h"

typedef struct img_ops {
    /* Called with offset/len already checked against the size. */
    int (*read)(img *im, uint64_t offset, void *buf, size_t len);
    int (*write)(img *im, uint64_t offset, const void *buf, size_t len);
    int (*flush)(img *im);
    int (*resize)(img *im, uint64_t new_size, img_err *err);
    int (*compact)(img *im, img_err *err); /* may be NULL */
    void (*info)(const img *im, img_info *info);
    void (*free)(img *im); /* backend state only; the fd and path are closed by the caller */
} img_ops;

struct img {
    const img_ops *ops;
    img_format format;
    int refs;
    int fd;
    bool writable;
    uint64_t size;
    img *parent; /* owned reference, differencing VDI only */
    char *path;
};

/* Fill err (if any) with a printf-style message; returns `code` for tail calls. */
int img_fail(img_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Full pread/pwrite: -EIO on a short transfer, -errno on failure. */
int img_pread_full(int fd, void *buf, size_t len, uint64_t offset);
int img_pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);
int img_file_size(int fd, uint64_t *ret_size);

/* Backends. *_open_fd take ownership of nothing: on success the caller's `base` fields are
 * used; on failure the caller closes the fd. */
int img_raw_open(int fd, img_format fmt, bool writable, img **ret, img_err *err);
int img_raw_create(int fd, uint64_t size, img_variant variant, img_err *err);
int img_vdi_open(int fd, bool writable, img *parent, img **ret, img_err *err);
int img_vdi_create(int fd, uint64_t size, img_variant variant, img *parent, img_err *err);
int img_vdi_check(int fd, img_check_report *rep, img_err *err);
int img_vdi_merge(img *child, img_err *err);
bool img_vdi_probe(int fd);
bool img_iso_probe(int fd);

/* Append a line to a check report (kept NUL-terminated, silently truncated). */
void img_report_add(img_check_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline uint32_t img_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t img_le64(const uint8_t *p)
{
    return img_le32(p) | (uint64_t)img_le32(p + 4) << 32;
}

static inline void img_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void img_put_le64(uint8_t *p, uint64_t v)
{
    img_put_le32(p, (uint32_t)v);
    img_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif

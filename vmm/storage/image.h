/* Disk images behind one interface: raw files, VirtualBox VDI (fixed, dynamic, differencing)
 * and ISO 9660 files (read-only). Offsets and lengths are bytes; the *_sectors helpers use
 * 512-byte sectors.
 *
 * Lifetime: img_open/img_create return one reference; img_ref adds one; img_close drops one
 * and frees at zero. A differencing image holds a reference to its parent, so a chain stays
 * valid while its top is open.
 *
 * Errors: every function returns 0 or a negative errno; where a message helps (open, create,
 * resize, compact, merge) it also fills `err` (may be NULL), only on failure.
 * Not thread-safe: one thread (the VM loop or a service worker) uses an image at a time. */
#ifndef VIREO_VMM_STORAGE_IMAGE_H
#define VIREO_VMM_STORAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMG_SECTOR_SIZE 512u

typedef struct img img;

typedef struct img_err {
    char msg[256];
} img_err;

typedef enum img_format {
    IMG_FORMAT_AUTO = 0, /* open only: VDI by signature, ISO by "CD001", else raw */
    IMG_FORMAT_RAW,
    IMG_FORMAT_VDI,
    IMG_FORMAT_ISO,
} img_format;

typedef enum img_variant {
    IMG_VARIANT_DYNAMIC = 0, /* VDI: blocks allocated on first write; raw: sparse file */
    IMG_VARIANT_FIXED,       /* VDI: every block allocated; raw: space reserved */
    IMG_VARIANT_DIFF,        /* VDI differencing image (reported by img_get_info) */
} img_variant;

#define IMG_OPEN_RDWR 1u

/* Open `path`. A VDI differencing image needs `parent` (its uuid must match the child's
 * parent link); other images ignore it. Returns 0 and *ret_img, or -errno: -EINVAL for a
 * malformed image (err says what is wrong), -EROFS for RDWR on an ISO, -EBUSY if another
 * process holds the image open for writing. */
int img_open(const char *path, img_format fmt, unsigned flags, img *parent, img **ret_img,
             img_err *err);

/* Create a new image (fails with -EEXIST if `path` exists). VDI: variant DYNAMIC or FIXED;
 * a non-NULL `parent` (an open VDI) makes a differencing image of the parent's size and
 * `size` is ignored. size must be a positive multiple of 512. If ret_img is non-NULL the new
 * image is returned open for writing. */
int img_create(const char *path, img_format fmt, uint64_t size, img_variant variant, img *parent,
               img **ret_img, img_err *err);

img *img_ref(img *im);
/* Drops a reference; NULL is accepted. Returns NULL. */
img *img_close(img *im);

uint64_t img_size(const img *im);
bool img_writable(const img *im);
img_format img_get_format(const img *im);
img *img_parent(const img *im);
const char *img_path(const img *im);

/* Out-of-range accesses return -EINVAL without touching the file; writes to a read-only
 * image return -EROFS; host I/O errors -EIO (or the host errno). */
int img_read(img *im, uint64_t offset, void *buf, size_t len);
int img_write(img *im, uint64_t offset, const void *buf, size_t len);
int img_read_sectors(img *im, uint64_t lba, void *buf, uint32_t count);
int img_write_sectors(img *im, uint64_t lba, const void *buf, uint32_t count);
int img_flush(img *im);

/* Grow to new_size (a multiple of 512, not smaller than now). -ENOTSUP for ISO. */
int img_resize(img *im, uint64_t new_size, img_err *err);
/* Dynamic/differencing VDI: drop blocks that hold only zeros and shrink the file. Other
 * images: 0, nothing to do. */
int img_compact(img *im, img_err *err);
/* Copy every block a differencing image holds into its parent (open for writing). The child
 * is left unchanged; the caller deletes it. */
int img_merge(img *child, img_err *err);

typedef struct img_info {
    img_format format;
    img_variant variant;
    uint64_t size;       /* virtual disk size */
    uint64_t file_size;  /* bytes on the host */
    uint32_t block_size; /* VDI; 0 otherwise */
    uint32_t blocks;     /* VDI blocks in the disk */
    uint32_t blocks_allocated;
    uint8_t uuid[16];        /* VDI creation uuid; zero otherwise */
    uint8_t parent_uuid[16]; /* VDI link to the parent; zero if none */
} img_info;

void img_get_info(const img *im, img_info *ret_info);

/* Canonical text form of a VDI uuid (VirtualBox byte order), buf of at least 37 bytes. */
void img_uuid_format(const uint8_t uuid[16], char *buf);

/* A consistency report. corruptions: the image cannot be trusted; leaks: unused space that
 * a compact would reclaim; repairable: harmless inconsistencies fixed on the next writable
 * open (e.g. an allocated-block count one behind after a kill). */
typedef struct img_check_report {
    unsigned corruptions, leaks, repairable;
    char text[2048]; /* one problem per line; truncated if long */
} img_check_report;

/* Check the image at `path` without trusting it (problems that make img_open fail are
 * reported, not returned). Returns 0 when the report was made (even with corruptions), or
 * -errno if the file could not be read. */
int img_check_path(const char *path, img_format fmt, img_check_report *ret_report, img_err *err);

#endif

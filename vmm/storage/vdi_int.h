/* VirtualBox Disk Image (VDI) v1.1, shared by the VDI files.
 *
 * Layout (all little-endian): a 64-byte text ("<<< Oracle VM VirtualBox Disk Image >>>\n"),
 * signature 0xBEDA107F, version 0x00010001, then the v1 header whose first field is its own
 * size (0x180 from QEMU, 0x190 from VirtualBox, which adds the LCHS geometry). The block map
 * (one u32 per block of the disk) starts at off_blocks; data blocks start at off_data, entry
 * e locating block e at off_data + e * block_size. Entry 0xFFFFFFFF: never written (zeros,
 * or the parent's data in a differencing image); 0xFFFFFFFE: explicitly zero.
 *
 * Invariants kept by the writer (see docs/storage.md for the crash argument):
 *  - data blocks are dense: every entry < blocks_allocated names a distinct data block, and
 *    a new block always goes to index next_block (= highest used + 1), past every used one;
 *  - a map entry is written only after the block's data is on disk (fdatasync between). */
#ifndef VIREO_VMM_STORAGE_VDI_INT_H
#define VIREO_VMM_STORAGE_VDI_INT_H

#include "vmm/storage/image_int.h"

#define VDI_SIGNATURE     0xBEDA107Fu
#define VDI_VERSION_1_1   0x00010001u
#define VDI_TYPE_DYNAMIC  1u
#define VDI_TYPE_FIXED    2u
#define VDI_TYPE_DIFF     4u
#define VDI_FREE          0xFFFFFFFFu
#define VDI_ZERO          0xFFFFFFFEu
#define VDI_HEADER_SIZE   400u   /* what we write: v1 header with LCHS geometry */
#define VDI_HEADER_MIN    0x180u /* the v1 header without LCHS geometry (QEMU writes this) */
#define VDI_PREHEADER_LEN 72u    /* text, signature, version */
#define VDI_BLOCK_SIZE    (1u << 20)
/* Limits that keep a hostile header from asking for absurd memory: a 64 MiB block map
 * (16 Mi blocks) and blocks of 4 KiB .. 64 MiB. */
#define VDI_MAX_BLOCKS     (1u << 24)
#define VDI_MIN_BLOCK_SIZE 4096u
#define VDI_MAX_BLOCK_SIZE (64u << 20)
#define VDI_PAGE           4096u

/* Header field offsets in the file. */
enum {
    VDI_OFF_SIGNATURE = 0x40,
    VDI_OFF_VERSION = 0x44,
    VDI_OFF_HEADER_SIZE = 0x48,
    VDI_OFF_TYPE = 0x4C,
    VDI_OFF_FLAGS = 0x50,
    VDI_OFF_COMMENT = 0x54,
    VDI_OFF_BLOCKS_OFF = 0x154,
    VDI_OFF_DATA_OFF = 0x158,
    VDI_OFF_GEOMETRY = 0x15C, /* cylinders, heads, sectors, sector size */
    VDI_OFF_DISK_SIZE = 0x170,
    VDI_OFF_BLOCK_SIZE = 0x178,
    VDI_OFF_BLOCK_EXTRA = 0x17C,
    VDI_OFF_NBLOCKS = 0x180,
    VDI_OFF_ALLOCATED = 0x184,
    VDI_OFF_UUID_CREATE = 0x188,
    VDI_OFF_UUID_MODIFY = 0x198,
    VDI_OFF_UUID_LINK = 0x1A8,
    VDI_OFF_UUID_PARENT_MODIFY = 0x1B8,
    VDI_OFF_LCHS = 0x1C8,
};

typedef struct vdi_header {
    uint32_t version, header_size, type, flags;
    uint32_t off_blocks, off_data;
    uint32_t sector_size;
    uint64_t disk_size;
    uint32_t block_size, block_extra, blocks, allocated;
    uint8_t uuid_create[16], uuid_modify[16], uuid_link[16], uuid_parent_modify[16];
} vdi_header;

typedef struct vdi_image {
    img base;
    vdi_header h;
    uint32_t *bmap;      /* host order, h.blocks entries */
    uint32_t next_block; /* data index for the next allocation */
    uint8_t *blockbuf;   /* one block, for allocations and compaction */
    uint32_t used;       /* map entries naming a data block (what h.allocated should say) */
    /* The file's first page as last read or written, for the header, the gap after it and
     * the first block map entries: lets vdi_store_entry update an entry and the allocated
     * count in one write. Bytes of the data area in it are never written from here. */
    uint8_t page0[VDI_PAGE];
} vdi_image;

/* vdi.c */
/* Write the header fields into buf (the first 512 bytes of the file image), leaving other
 * bytes as they are. */
void vdi_header_encode(const vdi_header *h, uint8_t *buf);
/* Read and validate header and block map into v (problems go to rep). Returns 0 if the image
 * was loaded (rep may still list corruptions), -errno on a host error. */
int vdi_load(int fd, vdi_image *v, img_check_report *rep);
int vdi_write_header(vdi_image *v);
/* Store map entry `blk` and the allocated count; one write when both lie in the first page. */
int vdi_store_entry(vdi_image *v, uint32_t blk);
int vdi_sync(vdi_image *v);

/* vdi_io.c */
int vdi_read(img *im, uint64_t offset, void *buf, size_t len);
int vdi_write(img *im, uint64_t offset, const void *buf, size_t len);
int vdi_flush(img *im);
int vdi_read_block(vdi_image *v, uint32_t blk, uint8_t *buf); /* whole block, via the chain */
bool vdi_all_zero(const uint8_t *p, size_t len);
int vdi_blockbuf_get(vdi_image *v); /* allocate the block buffer on first use */

/* vdi_ops.c */
int vdi_resize(img *im, uint64_t new_size, img_err *err);
int vdi_compact(img *im, img_err *err);

#endif

/* VDI reads and writes. A write to an unallocated block allocates it in the crash-safe
 * order: block data (merged with what the block read as before) written at the end of the
 * data area -> fdatasync -> map entry and allocated count stored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/storage/vdi_int.h"

bool vdi_all_zero(const uint8_t *p, size_t len)
{
    static const uint8_t zero[256];
    while (len >= sizeof(zero)) {
        if (memcmp(p, zero, sizeof(zero)))
            return false;
        p += sizeof(zero);
        len -= sizeof(zero);
    }
    return memcmp(p, zero, len) == 0;
}

static uint64_t vdi_data_pos(const vdi_image *v, uint32_t e, uint32_t in)
{
    return (uint64_t)v->h.off_data + (uint64_t)e * v->h.block_size + in;
}

/* Bytes of one block that were never written: the parent's data, else zeros. */
static int vdi_read_unallocated(vdi_image *v, uint32_t e, uint64_t off, uint8_t *buf, size_t n)
{
    img *parent = v->base.parent;
    size_t from_parent = 0;
    if (e == VDI_FREE && parent && off < parent->size) {
        uint64_t avail = parent->size - off;
        from_parent = n < avail ? n : (size_t)avail;
        int r = img_read(parent, off, buf, from_parent);
        if (r < 0)
            return r;
    }
    memset(buf + from_parent, 0, n - from_parent);
    return 0;
}

int vdi_read(img *im, uint64_t offset, void *buf, size_t len)
{
    vdi_image *v = (vdi_image *)im;
    uint8_t *p = buf;
    uint32_t bs = v->h.block_size;
    while (len) {
        uint32_t blk = (uint32_t)(offset / bs), in = (uint32_t)(offset % bs);
        size_t n = bs - in < len ? bs - in : len;
        uint32_t e = v->bmap[blk];
        int r = e < v->h.blocks ? img_pread_full(im->fd, p, n, vdi_data_pos(v, e, in))
                                : vdi_read_unallocated(v, e, offset, p, n);
        if (r < 0)
            return r;
        p += n;
        offset += n;
        len -= n;
    }
    return 0;
}

int vdi_read_block(vdi_image *v, uint32_t blk, uint8_t *buf)
{
    uint32_t bs = v->h.block_size;
    uint64_t off = (uint64_t)blk * bs;
    uint64_t avail = v->base.size > off ? v->base.size - off : 0;
    size_t n = avail < bs ? (size_t)avail : bs;
    memset(buf + n, 0, bs - n);
    return n ? vdi_read(&v->base, off, buf, n) : 0;
}

int vdi_blockbuf_get(vdi_image *v)
{
    if (!v->blockbuf)
        v->blockbuf = malloc(v->h.block_size);
    return v->blockbuf ? 0 : -ENOMEM;
}

/* The lowest unused data block below next_block (left by an interrupted compaction or by
 * another writer), or VDI_FREE. Only reached when the data area is full at the top. */
static uint32_t vdi_find_hole(const vdi_image *v)
{
    uint8_t *used = calloc(v->h.blocks, 1);
    if (!used)
        return VDI_FREE;
    for (uint32_t b = 0; b < v->h.blocks; b++)
        if (v->bmap[b] < v->h.blocks)
            used[v->bmap[b]] = 1;
    uint32_t hole = VDI_FREE;
    for (uint32_t d = 0; d < v->h.blocks && hole == VDI_FREE; d++)
        if (!used[d])
            hole = d;
    free(used);
    return hole;
}

/* Give block `blk` a data block holding its old contents overlaid with `n` bytes at `in`. */
static int vdi_allocate(vdi_image *v, uint32_t blk, uint32_t in, const uint8_t *src, size_t n)
{
    uint32_t e = v->next_block;
    if (e >= v->h.blocks && (e = vdi_find_hole(v)) == VDI_FREE)
        return -ENOSPC; /* every data block in use: cannot happen, used < blocks */
    int r = vdi_blockbuf_get(v);
    if (r < 0)
        return r;
    uint32_t bs = v->h.block_size;
    if (n < bs && (r = vdi_read_block(v, blk, v->blockbuf)) < 0)
        return r;
    memcpy(v->blockbuf + in, src, n);
    if ((r = img_pwrite_full(v->base.fd, v->blockbuf, bs, vdi_data_pos(v, e, 0))) < 0)
        return r;
    if ((r = vdi_sync(v)) < 0)
        return r;
    v->bmap[blk] = e;
    if (e >= v->next_block)
        v->next_block = e + 1;
    v->used++;
    v->h.allocated = v->used;
    return vdi_store_entry(v, blk);
}

int vdi_write(img *im, uint64_t offset, const void *buf, size_t len)
{
    vdi_image *v = (vdi_image *)im;
    const uint8_t *p = buf;
    uint32_t bs = v->h.block_size;
    while (len) {
        uint32_t blk = (uint32_t)(offset / bs), in = (uint32_t)(offset % bs);
        size_t n = bs - in < len ? bs - in : len;
        uint32_t e = v->bmap[blk];
        bool reads_zero = e == VDI_ZERO || (e == VDI_FREE && !im->parent);
        int r = 0;
        if (e < v->h.blocks)
            r = img_pwrite_full(im->fd, p, n, vdi_data_pos(v, e, in));
        else if (!(reads_zero && vdi_all_zero(p, n)))
            r = vdi_allocate(v, blk, in, p, n);
        if (r < 0)
            return r;
        p += n;
        offset += n;
        len -= n;
    }
    return 0;
}

int vdi_flush(img *im)
{
    return vdi_sync((vdi_image *)im);
}

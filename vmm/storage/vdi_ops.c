/* VDI maintenance: grow, compact, merge a differencing image into its parent. These run with
 * the VM stopped; resize is not crash-atomic when the block map must grow into the data area
 * (see docs/storage.md), compact and merge are (each step is a crash-safe write). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/storage/vdi_int.h"

static uint64_t vdi_pos(const vdi_image *v, uint32_t e)
{
    return (uint64_t)v->h.off_data + (uint64_t)e * v->h.block_size;
}

/* Copy data block `from` to `to` and point map entry `blk` at it (data synced first). */
static int vdi_move_block(vdi_image *v, uint32_t blk, uint32_t from, uint32_t to)
{
    int r = img_pread_full(v->base.fd, v->blockbuf, v->h.block_size, vdi_pos(v, from));
    if (r == 0)
        r = img_pwrite_full(v->base.fd, v->blockbuf, v->h.block_size, vdi_pos(v, to));
    if (r == 0)
        r = vdi_sync(v);
    if (r < 0)
        return r;
    v->bmap[blk] = to;
    return vdi_store_entry(v, blk);
}

/* owner[d] = map entry using data block d, or VDI_FREE. */
static uint32_t *vdi_owners(const vdi_image *v, uint32_t count)
{
    uint32_t *owner = malloc((size_t)(count ? count : 1) * sizeof(uint32_t));
    if (!owner)
        return NULL;
    memset(owner, 0xFF, (size_t)count * sizeof(uint32_t));
    for (uint32_t b = 0; b < v->h.blocks; b++)
        if (v->bmap[b] < count)
            owner[v->bmap[b]] = b;
    return owner;
}

/* Free data blocks [0, k) by moving their contents to the end, then shift off_data by k
 * blocks so the block map can grow into the freed space. */
static int vdi_make_map_room(vdi_image *v, uint32_t k)
{
    uint32_t *owner = vdi_owners(v, v->next_block);
    if (!owner)
        return -ENOMEM;
    int r = 0;
    for (uint32_t d = 0; d < k && d < v->next_block && r == 0; d++) {
        if (owner[d] == VDI_FREE)
            continue;
        r = vdi_move_block(v, owner[d], d, v->next_block);
        v->next_block++;
    }
    free(owner);
    if (r < 0)
        return r;
    for (uint32_t b = 0; b < v->h.blocks; b++)
        if (v->bmap[b] != VDI_FREE && v->bmap[b] != VDI_ZERO)
            v->bmap[b] -= k; /* every used entry is >= k now (some may exceed the old count) */
    v->next_block = v->next_block > k ? v->next_block - k : 0;
    v->h.off_data += k * v->h.block_size;
    return 0;
}

static int vdi_write_map(vdi_image *v)
{
    size_t len = (size_t)v->h.blocks * 4;
    uint8_t *buf = malloc(len);
    if (!buf)
        return -ENOMEM;
    for (uint32_t b = 0; b < v->h.blocks; b++)
        img_put_le32(buf + 4 * b, v->bmap[b]);
    int r = img_pwrite_full(v->base.fd, buf, len, v->h.off_blocks);
    for (uint64_t o = v->h.off_blocks; r == 0 && o < VDI_PAGE && o < v->h.off_blocks + len; o++)
        v->page0[o] = buf[o - v->h.off_blocks];
    free(buf);
    return r;
}

int vdi_resize(img *im, uint64_t new_size, img_err *err)
{
    vdi_image *v = (vdi_image *)im;
    uint32_t bs = v->h.block_size;
    uint64_t nb = (new_size + bs - 1) / bs;
    if (nb > VDI_MAX_BLOCKS)
        return img_fail(err, -EFBIG, "%llu bytes exceed the VDI limit",
                        (unsigned long long)new_size);
    uint32_t *map = realloc(v->bmap, (size_t)nb * sizeof(uint32_t));
    if (!map)
        return img_fail(err, -ENOMEM, "out of memory");
    v->bmap = map;
    int r = vdi_blockbuf_get(v);
    uint64_t map_end = (uint64_t)v->h.off_blocks + 4 * nb;
    if (r == 0 && map_end > v->h.off_data) {
        uint32_t k = (uint32_t)((map_end - v->h.off_data + bs - 1) / bs);
        r = vdi_make_map_room(v, k);
    }
    if (r < 0)
        return img_fail(err, r, "cannot relocate data blocks: %s", strerror(-r));
    for (uint32_t b = v->h.blocks; b < nb; b++)
        v->bmap[b] = v->h.type == VDI_TYPE_FIXED ? v->next_block++ : VDI_FREE;
    uint32_t old_blocks = v->h.blocks;
    v->h.blocks = (uint32_t)nb;
    if (v->h.type == VDI_TYPE_FIXED) {
        v->used += (uint32_t)nb - old_blocks;
        if (ftruncate(im->fd, (off_t)vdi_pos(v, v->next_block)) < 0)
            r = -errno;
    }
    v->h.allocated = v->used;
    v->h.disk_size = new_size;
    if (r == 0)
        r = vdi_write_map(v);
    if (r == 0)
        r = vdi_sync(v);
    if (r == 0)
        r = vdi_write_header(v);
    if (r == 0)
        r = vdi_sync(v);
    if (r < 0)
        return img_fail(err, r, "cannot grow %s: %s", im->path, strerror(-r));
    im->size = new_size;
    return 0;
}

/* Drop blocks that read as zeros (a differencing image marks them zero so the parent stays
 * hidden). */
static int vdi_drop_zero_blocks(vdi_image *v)
{
    for (uint32_t b = 0; b < v->h.blocks; b++) {
        uint32_t e = v->bmap[b];
        if (e >= v->h.blocks)
            continue;
        int r = img_pread_full(v->base.fd, v->blockbuf, v->h.block_size, vdi_pos(v, e));
        if (r < 0)
            return r;
        if (!vdi_all_zero(v->blockbuf, v->h.block_size))
            continue;
        v->bmap[b] = v->base.parent ? VDI_ZERO : VDI_FREE;
        v->used--;
        v->h.allocated = v->used;
        if ((r = vdi_store_entry(v, b)) < 0)
            return r;
    }
    return 0;
}

/* Move the highest data blocks into the lowest holes until the used ones are dense. */
static int vdi_fill_holes(vdi_image *v)
{
    uint32_t *owner = vdi_owners(v, v->next_block);
    if (!owner)
        return -ENOMEM;
    uint32_t lo = 0, hi = v->next_block;
    int r = 0;
    while (r == 0) {
        while (lo < hi && owner[lo] != VDI_FREE)
            lo++;
        while (hi > lo && owner[hi - 1] == VDI_FREE)
            hi--;
        if (lo + 1 >= hi)
            break;
        r = vdi_move_block(v, owner[hi - 1], hi - 1, lo);
        owner[lo] = owner[hi - 1];
        owner[hi - 1] = VDI_FREE;
    }
    free(owner);
    v->next_block = v->used;
    return r;
}

int vdi_compact(img *im, img_err *err)
{
    vdi_image *v = (vdi_image *)im;
    if (v->h.type == VDI_TYPE_FIXED)
        return 0;
    int r = vdi_blockbuf_get(v);
    if (r == 0)
        r = vdi_drop_zero_blocks(v);
    if (r == 0)
        r = vdi_fill_holes(v);
    if (r == 0)
        r = vdi_sync(v);
    if (r == 0 && ftruncate(im->fd, (off_t)vdi_pos(v, v->next_block)) < 0)
        r = -errno;
    if (r < 0)
        return img_fail(err, r, "cannot compact %s: %s", im->path, strerror(-r));
    return 0;
}

int img_vdi_merge(img *child, img_err *err)
{
    vdi_image *v = (vdi_image *)child;
    img *parent = child->parent;
    int r = 0;
    if (parent->size < child->size && (r = img_resize(parent, child->size, err)) < 0)
        return r;
    if ((r = vdi_blockbuf_get(v)) < 0)
        return img_fail(err, r, "out of memory");
    uint32_t bs = v->h.block_size;
    for (uint32_t b = 0; b < v->h.blocks && r == 0; b++) {
        if (v->bmap[b] == VDI_FREE)
            continue;
        uint64_t off = (uint64_t)b * bs;
        size_t n = child->size - off < bs ? (size_t)(child->size - off) : bs;
        r = vdi_read_block(v, b, v->blockbuf);
        if (r == 0)
            r = img_write(parent, off, v->blockbuf, n);
    }
    if (r == 0)
        r = img_flush(parent);
    if (r < 0)
        return img_fail(err, r, "cannot merge %s into %s: %s", child->path, parent->path,
                        strerror(-r));
    return 0;
}

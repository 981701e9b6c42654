/* VDI: header and block map parsing and validation, open, create, check and info. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "vmm/storage/vdi_int.h"

static const char vdi_text[] = "<<< Oracle VM VirtualBox Disk Image >>>\n";

bool img_vdi_probe(int fd)
{
    uint8_t sig[4];
    if (img_pread_full(fd, sig, sizeof(sig), VDI_OFF_SIGNATURE) < 0)
        return false;
    return img_le32(sig) == VDI_SIGNATURE;
}

static void vdi_header_decode(vdi_header *h, const uint8_t *p)
{
    h->version = img_le32(p + VDI_OFF_VERSION);
    h->header_size = img_le32(p + VDI_OFF_HEADER_SIZE);
    h->type = img_le32(p + VDI_OFF_TYPE);
    h->flags = img_le32(p + VDI_OFF_FLAGS);
    h->off_blocks = img_le32(p + VDI_OFF_BLOCKS_OFF);
    h->off_data = img_le32(p + VDI_OFF_DATA_OFF);
    h->sector_size = img_le32(p + VDI_OFF_GEOMETRY + 12);
    h->disk_size = img_le64(p + VDI_OFF_DISK_SIZE);
    h->block_size = img_le32(p + VDI_OFF_BLOCK_SIZE);
    h->block_extra = img_le32(p + VDI_OFF_BLOCK_EXTRA);
    h->blocks = img_le32(p + VDI_OFF_NBLOCKS);
    h->allocated = img_le32(p + VDI_OFF_ALLOCATED);
    memcpy(h->uuid_create, p + VDI_OFF_UUID_CREATE, 16);
    memcpy(h->uuid_modify, p + VDI_OFF_UUID_MODIFY, 16);
    memcpy(h->uuid_link, p + VDI_OFF_UUID_LINK, 16);
    memcpy(h->uuid_parent_modify, p + VDI_OFF_UUID_PARENT_MODIFY, 16);
}

void vdi_header_encode(const vdi_header *h, uint8_t *p)
{
    img_put_le32(p + VDI_OFF_SIGNATURE, VDI_SIGNATURE);
    img_put_le32(p + VDI_OFF_VERSION, h->version);
    img_put_le32(p + VDI_OFF_HEADER_SIZE, h->header_size);
    img_put_le32(p + VDI_OFF_TYPE, h->type);
    img_put_le32(p + VDI_OFF_FLAGS, h->flags);
    img_put_le32(p + VDI_OFF_BLOCKS_OFF, h->off_blocks);
    img_put_le32(p + VDI_OFF_DATA_OFF, h->off_data);
    img_put_le32(p + VDI_OFF_GEOMETRY + 12, h->sector_size);
    img_put_le64(p + VDI_OFF_DISK_SIZE, h->disk_size);
    img_put_le32(p + VDI_OFF_BLOCK_SIZE, h->block_size);
    img_put_le32(p + VDI_OFF_BLOCK_EXTRA, h->block_extra);
    img_put_le32(p + VDI_OFF_NBLOCKS, h->blocks);
    img_put_le32(p + VDI_OFF_ALLOCATED, h->allocated);
    memcpy(p + VDI_OFF_UUID_CREATE, h->uuid_create, 16);
    memcpy(p + VDI_OFF_UUID_MODIFY, h->uuid_modify, 16);
    memcpy(p + VDI_OFF_UUID_LINK, h->uuid_link, 16);
    memcpy(p + VDI_OFF_UUID_PARENT_MODIFY, h->uuid_parent_modify, 16);
}

static bool vdi_is_pow2(uint32_t x)
{
    return x && !(x & (x - 1));
}

/* Header problems that make the rest unreadable; each adds a corruption. */
static void vdi_check_header(const vdi_header *h, uint64_t file_size, img_check_report *rep)
{
    unsigned before = rep->corruptions;
#define BAD(...) (rep->corruptions++, img_report_add(rep, __VA_ARGS__))
    if (h->version >> 16 != 1)
        BAD("unsupported VDI version %u.%u", h->version >> 16, h->version & 0xFFFF);
    if (h->header_size < VDI_HEADER_MIN || h->header_size > 512 - VDI_PREHEADER_LEN)
        BAD("bad header size %u (expected %u..%u)", h->header_size, VDI_HEADER_MIN,
            512 - VDI_PREHEADER_LEN);
    else if (file_size < VDI_PREHEADER_LEN + h->header_size)
        BAD("truncated header: the file has %llu bytes, the header needs %u",
            (unsigned long long)file_size, VDI_PREHEADER_LEN + h->header_size);
    if (h->type != VDI_TYPE_DYNAMIC && h->type != VDI_TYPE_FIXED && h->type != VDI_TYPE_DIFF)
        BAD("unsupported image type %u (1 dynamic, 2 fixed, 4 differencing)", h->type);
    if (h->sector_size != IMG_SECTOR_SIZE)
        BAD("unsupported sector size %u", h->sector_size);
    if (!vdi_is_pow2(h->block_size) || h->block_size < VDI_MIN_BLOCK_SIZE ||
        h->block_size > VDI_MAX_BLOCK_SIZE)
        BAD("bad block size %u (a power of two from %u to %u)", h->block_size, VDI_MIN_BLOCK_SIZE,
            VDI_MAX_BLOCK_SIZE);
    if (h->block_extra)
        BAD("unsupported per-block extra data (%u bytes)", h->block_extra);
    if (h->blocks == 0 || h->blocks > VDI_MAX_BLOCKS)
        BAD("bad number of blocks %u (1..%u)", h->blocks, VDI_MAX_BLOCKS);
    if (h->disk_size == 0)
        BAD("disk size is 0");
    if (rep->corruptions != before)
        return;
    if (h->disk_size > (uint64_t)h->blocks * h->block_size)
        BAD("disk size %llu exceeds %u blocks of %u bytes", (unsigned long long)h->disk_size,
            h->blocks, h->block_size);
    if (h->allocated > h->blocks)
        BAD("allocated block count %u exceeds the %u blocks of the disk", h->allocated, h->blocks);
    uint64_t map_end = (uint64_t)h->off_blocks + 4ull * h->blocks;
    if (h->off_blocks < VDI_PREHEADER_LEN + h->header_size)
        BAD("block map at %u overlaps the header", h->off_blocks);
    else if (map_end > h->off_data)
        BAD("block map [%u, %llu) overlaps the data area at %u", h->off_blocks,
            (unsigned long long)map_end, h->off_data);
    else if (map_end > file_size)
        BAD("truncated block map: it ends at %llu, the file at %llu", (unsigned long long)map_end,
            (unsigned long long)file_size);
    if (h->type == VDI_TYPE_DIFF && !memcmp(h->uuid_link, (uint8_t[16]){0}, 16))
        BAD("differencing image without a parent uuid");
#undef BAD
}

/* Entries naming data blocks: in range, inside the file, and each block owned once. */
static void vdi_check_map(vdi_image *v, uint64_t file_size, img_check_report *rep)
{
    const vdi_header *h = &v->h;
    uint32_t *owner = malloc((size_t)h->blocks * sizeof(uint32_t));
    if (!owner) {
        rep->corruptions++;
        img_report_add(rep, "out of memory checking the block map");
        return;
    }
    memset(owner, 0xFF, (size_t)h->blocks * sizeof(uint32_t));
    uint32_t used = 0, next = 0;
    for (uint32_t b = 0; b < h->blocks; b++) {
        uint32_t e = v->bmap[b];
        if (e == VDI_FREE || e == VDI_ZERO)
            continue;
        rep->corruptions++; /* taken back below when the entry is sound */
        if (e >= h->blocks) {
            img_report_add(rep, "block map entry %u points to data block %u, beyond the %u blocks",
                           b, e, h->blocks);
        } else if ((uint64_t)h->off_data + ((uint64_t)e + 1) * h->block_size > file_size) {
            img_report_add(
                rep, "block map entry %u points to data block %u past the end of the file", b, e);
        } else if (owner[e] != VDI_FREE) {
            img_report_add(rep, "block map entries %u and %u both point to data block %u", owner[e],
                           b, e);
        } else {
            rep->corruptions--;
            owner[e] = b;
            used++;
            if (e + 1 > next)
                next = e + 1;
        }
    }
    free(owner);
    v->used = used;
    v->next_block = next;
}

static void vdi_check_counts(vdi_image *v, uint64_t file_size, img_check_report *rep)
{
    const vdi_header *h = &v->h;
    if (h->allocated != v->used) {
        bool near = h->allocated + 1 == v->used || v->used + 1 == h->allocated;
        if (near)
            rep->repairable++;
        else
            rep->corruptions++;
        img_report_add(rep, "header says %u blocks allocated, the block map has %u%s", h->allocated,
                       v->used,
                       near ? " (an interrupted update; fixed on the next writable open)" : "");
    }
    if (v->next_block > v->used) {
        rep->leaks++;
        img_report_add(rep, "%u unused data blocks between used ones", v->next_block - v->used);
    }
    uint64_t end = (uint64_t)h->off_data + (uint64_t)v->next_block * h->block_size;
    if (h->type != VDI_TYPE_FIXED && file_size > end && file_size - end >= h->block_size) {
        rep->leaks++;
        img_report_add(rep, "%llu bytes past the last used data block",
                       (unsigned long long)(file_size - end));
    }
}

int vdi_load(int fd, vdi_image *v, img_check_report *rep)
{
    uint64_t file_size;
    int r = img_file_size(fd, &file_size);
    if (r < 0)
        return r;
    memset(v->page0, 0, sizeof(v->page0));
    size_t n = file_size < VDI_PAGE ? (size_t)file_size : VDI_PAGE;
    if ((r = img_pread_full(fd, v->page0, n, 0)) < 0)
        return r;
    if (file_size < VDI_PREHEADER_LEN || img_le32(v->page0 + VDI_OFF_SIGNATURE) != VDI_SIGNATURE) {
        rep->corruptions++;
        if (file_size < VDI_PREHEADER_LEN)
            img_report_add(rep, "truncated header: the file has %llu bytes",
                           (unsigned long long)file_size);
        else
            img_report_add(rep, "not a VDI image (signature 0x%08x)",
                           img_le32(v->page0 + VDI_OFF_SIGNATURE));
        return 0;
    }
    vdi_header_decode(&v->h, v->page0);
    vdi_check_header(&v->h, file_size, rep);
    if (rep->corruptions)
        return 0;
    v->bmap = malloc((size_t)v->h.blocks * sizeof(uint32_t));
    if (!v->bmap)
        return -ENOMEM;
    if ((r = img_pread_full(fd, v->bmap, (size_t)v->h.blocks * 4, v->h.off_blocks)) < 0)
        return r;
    for (uint32_t b = 0; b < v->h.blocks; b++)
        v->bmap[b] = img_le32((const uint8_t *)&v->bmap[b]);
    vdi_check_map(v, file_size, rep);
    vdi_check_counts(v, file_size, rep);
    return 0;
}

int vdi_write_header(vdi_image *v)
{
    vdi_header_encode(&v->h, v->page0);
    return img_pwrite_full(v->base.fd, v->page0, VDI_PREHEADER_LEN + v->h.header_size, 0);
}

int vdi_store_entry(vdi_image *v, uint32_t blk)
{
    uint64_t pos = (uint64_t)v->h.off_blocks + 4ull * blk;
    img_put_le32(v->page0 + VDI_OFF_ALLOCATED, v->h.allocated);
    if (pos + 4 <= VDI_PAGE) {
        /* Count and entry in one write: a kill cannot separate them (a write within one
         * page either happens or not). */
        img_put_le32(v->page0 + pos, v->bmap[blk]);
        return img_pwrite_full(v->base.fd, v->page0 + VDI_OFF_ALLOCATED,
                               (size_t)(pos + 4 - VDI_OFF_ALLOCATED), VDI_OFF_ALLOCATED);
    }
    uint8_t e[4];
    img_put_le32(e, v->bmap[blk]);
    int r = img_pwrite_full(v->base.fd, e, 4, pos);
    if (r == 0)
        r = img_pwrite_full(v->base.fd, v->page0 + VDI_OFF_ALLOCATED, 4, VDI_OFF_ALLOCATED);
    return r;
}

int vdi_sync(vdi_image *v)
{
    return fdatasync(v->base.fd) < 0 ? -errno : 0;
}

static void vdi_info(const img *im, img_info *info)
{
    const vdi_image *v = (const vdi_image *)im;
    info->variant = v->h.type == VDI_TYPE_FIXED  ? IMG_VARIANT_FIXED
                    : v->h.type == VDI_TYPE_DIFF ? IMG_VARIANT_DIFF
                                                 : IMG_VARIANT_DYNAMIC;
    info->block_size = v->h.block_size;
    info->blocks = v->h.blocks;
    info->blocks_allocated = v->used;
    memcpy(info->uuid, v->h.uuid_create, 16);
    memcpy(info->parent_uuid, v->h.uuid_link, 16);
}

static void vdi_free(img *im)
{
    vdi_image *v = (vdi_image *)im;
    free(v->bmap);
    free(v->blockbuf);
    free(v);
}

static const img_ops vdi_ops = {
    .read = vdi_read,
    .write = vdi_write,
    .flush = vdi_flush,
    .resize = vdi_resize,
    .compact = vdi_compact,
    .info = vdi_info,
    .free = vdi_free,
};

static int vdi_link_parent(vdi_image *v, img *parent, img_err *err)
{
    char want[37], have[37];
    img_uuid_format(v->h.uuid_link, want);
    if (!parent)
        return img_fail(err, -EINVAL, "differencing image needs its parent (uuid %s)", want);
    if (parent->format != IMG_FORMAT_VDI)
        return img_fail(err, -EINVAL, "the parent of a differencing image must be a VDI");
    const vdi_image *p = (const vdi_image *)parent;
    if (memcmp(p->h.uuid_create, v->h.uuid_link, 16)) {
        img_uuid_format(p->h.uuid_create, have);
        return img_fail(err, -EINVAL,
                        "parent uuid mismatch: the image links to %s, the parent is %s", want,
                        have);
    }
    v->base.parent = img_ref(parent);
    return 0;
}

int img_vdi_open(int fd, bool writable, img *parent, img **ret, img_err *err)
{
    vdi_image *v = calloc(1, sizeof(*v));
    if (!v)
        return img_fail(err, -ENOMEM, "out of memory");
    v->base.ops = &vdi_ops;
    v->base.fd = fd;
    img_check_report *rep = calloc(1, sizeof(*rep));
    int r = rep ? vdi_load(fd, v, rep) : -ENOMEM;
    if (r < 0) {
        img_fail(err, r, "cannot read the VDI image: %s", strerror(-r));
    } else if (rep->corruptions) {
        char *nl = strchr(rep->text, '\n');
        if (nl)
            *nl = 0;
        r = img_fail(err, -EINVAL, "corrupt VDI image: %s", rep->text);
    } else {
        v->base.size = v->h.disk_size & ~(uint64_t)(IMG_SECTOR_SIZE - 1);
        if (v->h.type == VDI_TYPE_DIFF)
            r = vdi_link_parent(v, parent, err);
        if (r == 0 && writable && v->h.allocated != v->used) {
            v->h.allocated = v->used;
            r = vdi_write_header(v);
            if (r < 0)
                img_fail(err, r, "cannot repair the allocated count: %s", strerror(-r));
        }
    }
    free(rep);
    if (r < 0) {
        img_close(v->base.parent);
        vdi_free(&v->base);
        return r;
    }
    v->base.fd = -1;
    *ret = &v->base;
    return 0;
}

static void vdi_new_uuid(uint8_t u[16])
{
    if (getrandom(u, 16, 0) != 16) {
        for (int i = 0; i < 16; i++)
            u[i] = (uint8_t)rand();
    }
    u[7] = (uint8_t)((u[7] & 0x0F) | 0x40); /* version 4 (time_hi is little-endian) */
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
}

int img_vdi_create(int fd, uint64_t size, img_variant variant, img *parent, img_err *err)
{
    vdi_header h = {0};
    uint64_t blocks = (size + VDI_BLOCK_SIZE - 1) / VDI_BLOCK_SIZE;
    if (blocks > VDI_MAX_BLOCKS)
        return img_fail(err, -EFBIG, "size %llu exceeds the VDI limit of %u MiB",
                        (unsigned long long)size, VDI_MAX_BLOCKS);
    h.version = VDI_VERSION_1_1;
    h.header_size = VDI_HEADER_SIZE;
    h.type = parent                         ? VDI_TYPE_DIFF
             : variant == IMG_VARIANT_FIXED ? VDI_TYPE_FIXED
                                            : VDI_TYPE_DYNAMIC;
    h.off_blocks = 512;
    h.off_data = (uint32_t)((512 + 4 * blocks + VDI_PAGE - 1) & ~(uint64_t)(VDI_PAGE - 1));
    h.sector_size = IMG_SECTOR_SIZE;
    h.disk_size = size;
    h.block_size = VDI_BLOCK_SIZE;
    h.blocks = (uint32_t)blocks;
    h.allocated = h.type == VDI_TYPE_FIXED ? h.blocks : 0;
    vdi_new_uuid(h.uuid_create);
    vdi_new_uuid(h.uuid_modify);
    if (parent) {
        const vdi_image *p = (const vdi_image *)parent;
        memcpy(h.uuid_link, p->h.uuid_create, 16);
        memcpy(h.uuid_parent_modify, p->h.uuid_modify, 16);
    }
    size_t meta = h.off_data;
    uint8_t *buf = calloc(1, meta);
    if (!buf)
        return img_fail(err, -ENOMEM, "out of memory");
    memcpy(buf, vdi_text, sizeof(vdi_text) - 1);
    vdi_header_encode(&h, buf);
    for (uint32_t b = 0; b < h.blocks; b++)
        img_put_le32(buf + h.off_blocks + 4 * b, h.type == VDI_TYPE_FIXED ? b : VDI_FREE);
    int r = img_pwrite_full(fd, buf, meta, 0);
    free(buf);
    if (r < 0)
        return img_fail(err, r, "cannot write the VDI header: %s", strerror(-r));
    if (h.type == VDI_TYPE_FIXED) {
        off_t total = (off_t)(h.off_data + blocks * VDI_BLOCK_SIZE);
        if (ftruncate(fd, total) < 0)
            return img_fail(err, -errno, "cannot size the image: %s", strerror(errno));
        int e = posix_fallocate(fd, 0, total);
        if (e && e != EOPNOTSUPP && e != EINVAL)
            return img_fail(err, -e, "cannot reserve space: %s", strerror(e));
    }
    return 0;
}

int img_vdi_check(int fd, img_check_report *rep, img_err *err)
{
    vdi_image *v = calloc(1, sizeof(*v));
    if (!v)
        return img_fail(err, -ENOMEM, "out of memory");
    int r = vdi_load(fd, v, rep);
    if (r < 0)
        img_fail(err, r, "cannot read the image: %s", strerror(-r));
    free(v->bmap);
    free(v);
    return r;
}

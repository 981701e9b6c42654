/* Guest physical address space: one flat table of 4 KiB page entries (1 Mi entries for the
 * 32-bit space). The table is allocated zeroed and the host only commits the pages of it
 * that are touched, so an unused range costs nothing. Lookups are one index, no search. */
#include "vmm/mem/physmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PHYS_PAGES (1u << (32 - PHYS_PAGE_SHIFT))

typedef struct phys_page {
    uint8_t *rd;   /* host page for reads, NULL when not directly readable */
    uint8_t *wr;   /* host page for writes, NULL when writes are not direct */
    uint32_t mmio; /* 1 + index into regions, 0 when not MMIO */
    uint32_t mmio_base;
} phys_page;

typedef struct mmio_region {
    const mmio_ops *ops;
    void *opaque;
} mmio_region;

struct physmap {
    phys_page *pages;
    mmio_region *regions;
    uint32_t nregions, cap_regions;
    uint64_t generation;
    physmap_write_hook hook;
    void *hook_opaque;
};

physmap *physmap_new(void)
{
    physmap *pm = calloc(1, sizeof(*pm));
    if (!pm)
        return NULL;
    pm->pages = calloc(PHYS_PAGES, sizeof(phys_page));
    if (!pm->pages) {
        free(pm);
        return NULL;
    }
    pm->generation = 1;
    return pm;
}

void physmap_free(physmap *pm)
{
    if (!pm)
        return;
    free(pm->pages);
    free(pm->regions);
    free(pm);
}

static bool range_ok(uint32_t base, uint32_t size)
{
    if ((base | size) & (PHYS_PAGE_SIZE - 1) || size == 0)
        return false;
    return (uint64_t)base + size <= (1ull << 32);
}

static int map_host(physmap *pm, uint32_t base, uint32_t size, uint8_t *host, bool writable)
{
    if (!range_ok(base, size) || !host)
        return -EINVAL;
    for (uint32_t off = 0; off < size; off += PHYS_PAGE_SIZE) {
        phys_page *p = &pm->pages[(base + off) >> PHYS_PAGE_SHIFT];
        p->rd = host + off;
        p->wr = writable ? host + off : NULL;
        p->mmio = 0;
    }
    pm->generation++;
    return 0;
}

int physmap_add_ram(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    return map_host(pm, base, size, host, true);
}

int physmap_add_rom(physmap *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    return map_host(pm, base, size, host, false);
}

int physmap_add_mmio(physmap *pm, uint32_t base, uint32_t size, const mmio_ops *ops, void *opaque)
{
    if (!range_ok(base, size) || !ops)
        return -EINVAL;
    if (pm->nregions == pm->cap_regions) {
        uint32_t cap = pm->cap_regions ? pm->cap_regions * 2 : 16;
        mmio_region *r = realloc(pm->regions, cap * sizeof(*r));
        if (!r)
            return -ENOMEM;
        pm->regions = r;
        pm->cap_regions = cap;
    }
    pm->regions[pm->nregions] = (mmio_region){ops, opaque};
    pm->nregions++;
    for (uint32_t off = 0; off < size; off += PHYS_PAGE_SIZE) {
        phys_page *p = &pm->pages[(base + off) >> PHYS_PAGE_SHIFT];
        p->rd = p->wr = NULL;
        p->mmio = pm->nregions;
        p->mmio_base = base;
    }
    pm->generation++;
    return 0;
}

int physmap_set_shadow(physmap *pm, uint32_t base, uint32_t size, uint8_t *ram, uint8_t *rom,
                       bool read_ram, bool write_ram)
{
    if (!range_ok(base, size) || !ram || (!read_ram && !rom))
        return -EINVAL;
    for (uint32_t off = 0; off < size; off += PHYS_PAGE_SIZE) {
        phys_page *p = &pm->pages[(base + off) >> PHYS_PAGE_SHIFT];
        p->rd = read_ram ? ram + off : rom + off;
        p->wr = write_ram ? ram + off : NULL;
        p->mmio = 0;
    }
    pm->generation++;
    return 0;
}

uint8_t *physmap_page_ptr(physmap *pm, uint32_t paddr, bool write)
{
    const phys_page *p = &pm->pages[paddr >> PHYS_PAGE_SHIFT];
    return write ? p->wr : p->rd;
}

static uint32_t read_in_page(physmap *pm, uint32_t paddr, unsigned size)
{
    const phys_page *p = &pm->pages[paddr >> PHYS_PAGE_SHIFT];
    uint32_t off = paddr & (PHYS_PAGE_SIZE - 1);
    if (p->rd) {
        uint32_t v = 0;
        memcpy(&v, p->rd + off, size);
        return v;
    }
    if (p->mmio) {
        const mmio_region *r = &pm->regions[p->mmio - 1];
        if (r->ops->read)
            return r->ops->read(r->opaque, paddr - p->mmio_base, size);
    }
    return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

static void write_in_page(physmap *pm, uint32_t paddr, uint32_t value, unsigned size)
{
    const phys_page *p = &pm->pages[paddr >> PHYS_PAGE_SHIFT];
    uint32_t off = paddr & (PHYS_PAGE_SIZE - 1);
    if (p->wr) {
        memcpy(p->wr + off, &value, size);
        if (pm->hook)
            pm->hook(pm->hook_opaque, paddr, size);
        return;
    }
    if (p->mmio) {
        const mmio_region *r = &pm->regions[p->mmio - 1];
        if (r->ops->write)
            r->ops->write(r->opaque, paddr - p->mmio_base, value, size);
    }
}

static bool size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4;
}

uint32_t physmap_read(physmap *pm, uint32_t paddr, unsigned size)
{
    if (!size_ok(size))
        return 0xFFFFFFFFu;
    uint32_t room = PHYS_PAGE_SIZE - (paddr & (PHYS_PAGE_SIZE - 1));
    if (size <= room)
        return read_in_page(pm, paddr, size);
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= read_in_page(pm, paddr + k, 1) << (8 * k);
    return v;
}

void physmap_write(physmap *pm, uint32_t paddr, uint32_t value, unsigned size)
{
    if (!size_ok(size))
        return;
    uint32_t room = PHYS_PAGE_SIZE - (paddr & (PHYS_PAGE_SIZE - 1));
    if (size <= room) {
        write_in_page(pm, paddr, value, size);
        return;
    }
    for (unsigned k = 0; k < size; k++)
        write_in_page(pm, paddr + k, (value >> (8 * k)) & 0xFF, 1);
}

/* Walks [paddr, paddr+len) page by page; fails before copying anything that is not RAM. */
static int check_ram(physmap *pm, uint32_t paddr, size_t len, bool write)
{
    if (len == 0)
        return 0;
    if ((uint64_t)paddr + len > (1ull << 32))
        return -EFAULT;
    uint64_t first = paddr >> PHYS_PAGE_SHIFT;
    uint64_t last = ((uint64_t)paddr + len - 1) >> PHYS_PAGE_SHIFT;
    for (uint64_t pg = first; pg <= last; pg++) {
        const phys_page *p = &pm->pages[pg];
        if (!(write ? p->wr : p->rd))
            return -EFAULT;
    }
    return 0;
}

int physmap_copy_to_guest(physmap *pm, uint32_t paddr, const void *src, size_t len)
{
    int r = check_ram(pm, paddr, len, true);
    if (r < 0)
        return r;
    const uint8_t *s = src;
    size_t done = 0;
    while (done < len) {
        uint32_t a = paddr + (uint32_t)done;
        uint32_t off = a & (PHYS_PAGE_SIZE - 1);
        size_t n = PHYS_PAGE_SIZE - off;
        if (n > len - done)
            n = len - done;
        memcpy(pm->pages[a >> PHYS_PAGE_SHIFT].wr + off, s + done, n);
        if (pm->hook)
            pm->hook(pm->hook_opaque, a, (uint32_t)n);
        done += n;
    }
    return 0;
}

int physmap_copy_from_guest(physmap *pm, uint32_t paddr, void *dst, size_t len)
{
    int r = check_ram(pm, paddr, len, false);
    if (r < 0)
        return r;
    uint8_t *d = dst;
    size_t done = 0;
    while (done < len) {
        uint32_t a = paddr + (uint32_t)done;
        uint32_t off = a & (PHYS_PAGE_SIZE - 1);
        size_t n = PHYS_PAGE_SIZE - off;
        if (n > len - done)
            n = len - done;
        memcpy(d + done, pm->pages[a >> PHYS_PAGE_SHIFT].rd + off, n);
        done += n;
    }
    return 0;
}

uint64_t physmap_generation(const physmap *pm)
{
    return pm->generation;
}

void physmap_set_write_hook(physmap *pm, physmap_write_hook hook, void *opaque)
{
    pm->hook = hook;
    pm->hook_opaque = opaque;
}

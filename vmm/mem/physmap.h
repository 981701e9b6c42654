/* Guest physical address space: routes each 4 KiB page of the 32-bit physical space to
 * RAM, ROM or an MMIO handler.
 *
 * Contract shared by the CPU (its software TLB caches host pointers returned here), the
 * devices (DMA, PAM shadowing) and the boot loaders. Invariants:
 *  - RAM and ROM pages map to host memory; MMIO pages never do.
 *  - Any change to the routing bumps `physmap_generation()`; the CPU flushes its TLB and
 *    decoded-code caches when the generation it saw differs.
 *  - Accesses outside every region read as all ones and ignore writes (open bus).
 */
#ifndef VIREO_VMM_MEM_PHYSMAP_H
#define VIREO_VMM_MEM_PHYSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHYS_PAGE_SHIFT 12
#define PHYS_PAGE_SIZE  (1u << PHYS_PAGE_SHIFT)

typedef struct physmap physmap;

/* An MMIO region's callbacks. `offset` is relative to the region's base; size is 1, 2 or 4. */
typedef struct mmio_ops {
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, uint32_t value, unsigned size);
} mmio_ops;

physmap *physmap_new(void);
void physmap_free(physmap *pm);

/* Map host memory as guest RAM (read/write) or ROM (writes ignored). base and size must be
 * page-aligned; a later mapping replaces an earlier one over the pages it covers.
 * Returns 0, or -EINVAL for a misaligned or wrapping range. */
int physmap_add_ram(physmap *pm, uint32_t base, uint32_t size, uint8_t *host);
int physmap_add_rom(physmap *pm, uint32_t base, uint32_t size, uint8_t *host);
int physmap_add_mmio(physmap *pm, uint32_t base, uint32_t size, const mmio_ops *ops,
                     void *opaque);

/* Shadow-RAM control (i440FX PAM): for each page of [base, base+size) choose where reads and
 * writes go: to `ram` (host pointer of the RAM copy) or to `rom` (reads) / nowhere (writes). */
int physmap_set_shadow(physmap *pm, uint32_t base, uint32_t size, uint8_t *ram, uint8_t *rom,
                       bool read_ram, bool write_ram);

/* Host pointer to the start of the page holding `paddr` if it can be accessed directly for
 * reading (write=false) or writing (write=true); NULL for MMIO, open bus, or ROM on write. */
uint8_t *physmap_page_ptr(physmap *pm, uint32_t paddr, bool write);

/* Slow-path accesses that work for every kind of page. size is 1, 2 or 4; an access that
 * crosses a page boundary is split. */
uint32_t physmap_read(physmap *pm, uint32_t paddr, unsigned size);
void physmap_write(physmap *pm, uint32_t paddr, uint32_t value, unsigned size);

/* Bulk copies for DMA and loaders; return 0, or -EFAULT if any byte is not RAM. */
int physmap_copy_to_guest(physmap *pm, uint32_t paddr, const void *src, size_t len);
int physmap_copy_from_guest(physmap *pm, uint32_t paddr, void *dst, size_t len);

uint64_t physmap_generation(const physmap *pm);

/* Called after physmap_write() or physmap_copy_to_guest() stored into RAM, so the CPU can
 * drop decoded code on those pages (DMA and loaders writing over cached code). Writes through
 * a pointer from physmap_page_ptr() are not seen: code that stores through such a pointer
 * into guest code must use physmap_copy_to_guest instead. One hook (the CPU's). */
typedef void (*physmap_write_hook)(void *opaque, uint32_t paddr, uint32_t len);
void physmap_set_write_hook(physmap *pm, physmap_write_hook hook, void *opaque);

#endif

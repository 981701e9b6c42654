/* Paging, the software TLB and the slow paths of memory access: segment checks that fail
 * the fast window, page walks, MMIO, accesses that cross a page. */
#include "vmm/cpu/cpu_int.h"

void tlb_flush_all(cpu *c)
{
    for (int p = 0; p < 2; p++)
        for (uint32_t k = 0; k < TLB_SIZE; k++)
            c->tlb[p][k] = (tlb_entry){TLB_INVALID, TLB_INVALID, 0, 0, 0};
}

void tlb_flush_nonglobal(cpu *c)
{
    if (!(c->cr4 & CR4_PGE)) {
        tlb_flush_all(c);
        return;
    }
    for (int p = 0; p < 2; p++)
        for (uint32_t k = 0; k < TLB_SIZE; k++)
            if (!c->tlb[p][k].global)
                c->tlb[p][k] = (tlb_entry){TLB_INVALID, TLB_INVALID, 0, 0, 0};
}

void tlb_flush_page(cpu *c, uint32_t la)
{
    /* a 4 MiB page may sit in any slot: INVLPG drops every slot caching part of it */
    for (int p = 0; p < 2; p++)
        for (uint32_t k = 0; k < TLB_SIZE; k++) {
            tlb_entry *e = &c->tlb[p][k];
            uint32_t t = e->tag_r != TLB_INVALID ? e->tag_r : e->tag_w;
            if (t != TLB_INVALID && (t >> 22) == (la >> 22))
                *e = (tlb_entry){TLB_INVALID, TLB_INVALID, 0, 0, 0};
        }
}

void tlb_drop_write_phys(cpu *c, uint32_t phys_page)
{
    for (int p = 0; p < 2; p++)
        for (uint32_t k = 0; k < TLB_SIZE; k++)
            if (c->tlb[p][k].phys == phys_page)
                c->tlb[p][k].tag_w = TLB_INVALID;
}

void mmu_check_generation(cpu *c)
{
    uint64_t g = physmap_generation(c->plat.mem);
    if (g != c->gen_seen) {
        c->gen_seen = g;
        tlb_flush_all(c);
        icache_flush(c);
    }
}

static uint32_t phys_rd32(cpu *c, uint32_t pa)
{
    return physmap_read(c->plat.mem, pa & c->a20_mask, 4);
}

static void phys_wr32(cpu *c, uint32_t pa, uint32_t v)
{
    physmap_write(c->plat.mem, pa & c->a20_mask, v, 4);
}

_Noreturn static void page_fault(cpu *c, uint32_t la, int acc, bool user, bool present)
{
    c->cr2 = la;
    uint32_t err = (present ? 1u : 0) | (acc == ACC_W ? 2u : 0) | (user ? 4u : 0);
    cpu_raise(c, EXC_PF, err);
}

static void fill(cpu *c, uint32_t la, uint32_t pa, bool user, bool can_write, bool global)
{
    tlb_entry *e = &c->tlb[user ? 1 : 0][(la >> 12) & TLB_MASK];
    uint32_t page = la & ~0xFFFu, ppage = pa & ~0xFFFu;
    uint8_t *hr = physmap_page_ptr(c->plat.mem, ppage, false);
    e->tag_r = e->tag_w = TLB_INVALID;
    e->phys = ppage;
    e->global = global;
    if (!hr)
        return;
    e->addend = (uintptr_t)hr - page;
    e->tag_r = page;
    if (can_write && physmap_page_ptr(c->plat.mem, ppage, true) == hr &&
        !icache_page_has_code(c, ppage))
        e->tag_w = page;
}

/* Two-level walk (4 KiB tables, 4 MiB pages with CR4.PSE). Sets accessed and dirty bits the
 * way the hardware does: A on every level used, D on the final entry for writes only. */
uint32_t mmu_translate(cpu *c, uint32_t la, int acc, bool user)
{
    if (!(c->cr0 & CR0_PG)) {
        uint32_t pa = la & c->a20_mask;
        fill(c, la, pa, user, true, false);
        return pa;
    }
    uint32_t pde_a = (c->cr3 & ~0xFFFu) | ((la >> 20) & 0xFFC);
    uint32_t pde = phys_rd32(c, pde_a);
    if (!(pde & 1))
        page_fault(c, la, acc, user, false);
    bool big = (pde & 0x80) && (c->cr4 & CR4_PSE);
    uint32_t pte_a = 0, pte = pde, perm = pde;
    if (!big) {
        pte_a = (pde & ~0xFFFu) | ((la >> 10) & 0xFFC);
        pte = phys_rd32(c, pte_a);
        if (!(pte & 1))
            page_fault(c, la, acc, user, false);
        perm = pde & pte;
    }
    bool wp = (c->cr0 & CR0_WP) != 0;
    bool may_write = user ? (perm & 6) == 6 : (!wp || (perm & 2));
    if (user && !(perm & 4))
        page_fault(c, la, acc, user, true);
    if (acc == ACC_W && !may_write)
        page_fault(c, la, acc, user, true);
    bool dirty = (pte & 0x40) != 0;
    if (!big) {
        if (!(pde & 0x20))
            phys_wr32(c, pde_a, pde | 0x20);
        uint32_t npte = pte | 0x20 | (acc == ACC_W ? 0x40 : 0);
        if (npte != pte)
            phys_wr32(c, pte_a, npte);
    } else {
        uint32_t npde = pde | 0x20 | (acc == ACC_W ? 0x40 : 0);
        if (npde != pde)
            phys_wr32(c, pde_a, npde);
    }
    dirty |= acc == ACC_W;
    bool global = (pte & 0x100) && (c->cr4 & CR4_PGE);
    uint32_t pa = big ? (pde & 0xFFC00000u) | (la & 0x3FFFFF) : (pte & ~0xFFFu) | (la & 0xFFF);
    pa &= c->a20_mask;
    fill(c, la, pa, user, may_write && dirty, global);
    return pa;
}

/* Full segment check; raises #GP(0) or #SS(0) (SS, and the SS segment itself). */
void seg_check_fail(cpu *c, int s, uint32_t off, unsigned n, bool write)
{
    const seg_cache *sg = &c->seg[s];
    int vec = s == CPU_SEG_SS ? EXC_SS : EXC_GP;
    bool real = !c->pmode;
    if (!real) {
        if (!AR_P(sg->ar))
            cpu_raise(c, vec, 0);
        if (AR_CODE(sg->ar) ? (write || !(sg->ar & 2)) : (write && !(sg->ar & 2)))
            cpu_raise(c, vec, 0);
    }
    uint32_t last = off + n - 1;
    bool down = !real && AR_DATA(sg->ar) && (sg->ar & 4);
    if (!down) {
        if (last < off || last > sg->limit)
            cpu_raise(c, vec, 0);
    } else {
        uint32_t upper = AR_DB(sg->ar) ? 0xFFFFFFFFu : 0xFFFF;
        if (off <= sg->limit || last > upper || last < off)
            cpu_raise(c, vec, 0);
    }
}

static inline void seg_check(cpu *c, int s, uint32_t off, unsigned n, bool write)
{
    const seg_cache *sg = &c->seg[s];
    uint32_t cnt = write ? sg->wcnt[SZI(n)] : sg->rcnt[SZI(n)];
    if (n > 4 || off - sg->lo >= cnt)
        seg_check_fail(c, s, off, n, write);
}

uint32_t lin_read(cpu *c, uint32_t la, unsigned n, bool user)
{
    if ((la & 0xFFF) + n <= 0x1000) {
        uint32_t pa = mmu_translate(c, la, ACC_R, user);
        return physmap_read(c->plat.mem, pa, n);
    }
    uint32_t n1 = 0x1000 - (la & 0xFFF);
    uint32_t pa1 = mmu_translate(c, la, ACC_R, user);
    uint32_t pa2 = mmu_translate(c, la + n1, ACC_R, user);
    uint32_t v = 0;
    for (unsigned k = 0; k < n; k++) {
        uint32_t pa = k < n1 ? pa1 + k : pa2 + (k - n1);
        v |= physmap_read(c->plat.mem, pa, 1) << (8 * k);
    }
    return v;
}

void lin_write(cpu *c, uint32_t la, uint32_t v, unsigned n, bool user)
{
    if ((la & 0xFFF) + n <= 0x1000) {
        uint32_t pa = mmu_translate(c, la, ACC_W, user);
        physmap_write(c->plat.mem, pa, v, n);
        return;
    }
    uint32_t n1 = 0x1000 - (la & 0xFFF);
    uint32_t pa1 = mmu_translate(c, la, ACC_W, user);
    uint32_t pa2 = mmu_translate(c, la + n1, ACC_W, user);
    for (unsigned k = 0; k < n; k++) {
        uint32_t pa = k < n1 ? pa1 + k : pa2 + (k - n1);
        physmap_write(c->plat.mem, pa, (v >> (8 * k)) & 0xFF, 1);
    }
}

uint32_t mem_read_slow(cpu *c, int s, uint32_t off, unsigned n)
{
    seg_check(c, s, off, n, false);
    return lin_read(c, c->seg[s].base + off, n, c->cpl == 3);
}

void mem_write_slow(cpu *c, int s, uint32_t off, uint32_t v, unsigned n)
{
    seg_check(c, s, off, n, true);
    lin_write(c, c->seg[s].base + off, v, n, c->cpl == 3);
}

uint8_t *mem_wptr_slow(cpu *c, int s, uint32_t off, unsigned n)
{
    seg_check(c, s, off, n, true);
    uint32_t la = c->seg[s].base + off;
    bool user = c->cpl == 3;
    mmu_translate(c, la, ACC_W, user);
    if ((la & 0xFFF) + n > 0x1000) {
        mmu_translate(c, la + n - 1, ACC_W, user);
        return NULL;
    }
    return fast_wptr(c, s, off, n);
}

uint8_t cpu_fetch_code_byte(cpu *c, uint32_t eip)
{
    const seg_cache *cs = &c->seg[CPU_SEG_CS];
    if (eip > cs->limit)
        cpu_gp(c, 0);
    uint32_t pa = mmu_translate(c, cs->base + eip, ACC_X, c->cpl == 3);
    return (uint8_t)physmap_read(c->plat.mem, pa, 1);
}

/* The x87 unit's memory path (fpu.h): byte-granular through the checked accessors, with
 * the whole range checked for write before the first byte is stored. */
void cpu_fpu_read(struct cpu *c, int seg, uint32_t offset, void *dst, unsigned len)
{
    uint8_t *d = dst;
    for (unsigned k = 0; k < len; k++)
        d[k] = (uint8_t)rd8(c, seg, offset + k);
}

void cpu_fpu_write(struct cpu *c, int seg, uint32_t offset, const void *src, unsigned len)
{
    const uint8_t *s = src;
    if (len == 0)
        return;
    /* probe first and last byte so a fault happens before any byte changes */
    mem_wptr_slow(c, seg, offset, 1);
    mem_wptr_slow(c, seg, offset + len - 1, 1);
    for (unsigned k = 0; k < len; k++)
        wr8(c, seg, offset + k, s[k]);
}

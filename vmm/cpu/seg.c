/* Segment registers: descriptor reads, the loads of MOV/POP Sreg and LDS-style instructions
 * with their protection checks, and the precomputed fast-path windows of each segment. */
#include "vmm/cpu/cpu_int.h"

uint32_t desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
}

uint32_t desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t l = (lo & 0xFFFF) | (hi & 0xF0000);
    return (hi & 0x800000) ? (l << 12) | 0xFFF : l;
}

static uint32_t count_for(uint32_t first, uint32_t last, unsigned n)
{
    /* number of start offsets s with first <= s and s + n - 1 <= last */
    if (last < first || last - first < n - 1)
        return 0;
    uint64_t cnt = (uint64_t)(last - first) - (n - 1) + 1;
    return cnt > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)cnt;
}

void seg_refresh_windows(cpu *c, int s)
{
    seg_cache *sg = &c->seg[s];
    bool rd = true, wr = true, down = false;
    if (c->pmode) {
        uint32_t ar = sg->ar;
        if (!AR_P(ar) || !AR_S(ar)) {
            rd = wr = false;
        } else if (AR_CODE(ar)) {
            rd = (ar & 2) != 0;
            wr = false;
        } else {
            wr = (ar & 2) != 0;
            down = (ar & 4) != 0;
        }
    }
    uint32_t first = 0, last = sg->limit;
    if (down) {
        first = sg->limit + 1;
        last = AR_DB(sg->ar) ? 0xFFFFFFFFu : 0xFFFF;
        if (first == 0)
            rd = wr = false;
    }
    sg->lo = first;
    static const unsigned sizes[3] = {1, 2, 4};
    for (int k = 0; k < 3; k++) {
        sg->rcnt[k] = rd ? count_for(first, last, sizes[k]) : 0;
        sg->wcnt[k] = wr ? count_for(first, last, sizes[k]) : 0;
    }
}

void seg_set_cache(cpu *c, int s, uint16_t sel, uint32_t base, uint32_t limit, uint32_t ar)
{
    seg_cache *sg = &c->seg[s];
    sg->sel = sel;
    sg->base = base;
    sg->limit = limit;
    sg->ar = ar;
    if (s < 6)
        seg_refresh_windows(c, s);
    if (s == CPU_SEG_CS || s == CPU_SEG_SS)
        seg_update_mode(c);
}

void cpu_set_cpl(cpu *c, unsigned cpl)
{
    c->cpl = (uint8_t)cpl;
    c->tlb_cur = c->tlb[cpl == 3 ? 1 : 0];
}

/* Derive the cached mode bits from CR0, EFLAGS.VM, CS and SS. */
void seg_update_mode(cpu *c)
{
    c->pmode = (c->cr0 & CR0_PE) && !(c->eflags & F_VM);
    if (!(c->cr0 & CR0_PE))
        cpu_set_cpl(c, 0);
    else if (c->eflags & F_VM)
        cpu_set_cpl(c, 3);
    bool v86 = (c->eflags & F_VM) != 0;
    c->code32 = !v86 && AR_DB(c->seg[CPU_SEG_CS].ar);
    c->ss_mask = !v86 && AR_DB(c->seg[CPU_SEG_SS].ar) ? 0xFFFFFFFFu : 0xFFFF;
    for (int s = 0; s < 6; s++)
        seg_refresh_windows(c, s);
}

/* Real mode and v8086: base = sel * 16; limit and rights stay as cached, except that v8086
 * segments are always 64 KiB read/write, as are real-mode loads of CS. */
void seg_load_real(cpu *c, int s, uint16_t sel)
{
    seg_cache *sg = &c->seg[s];
    sg->sel = sel;
    sg->base = (uint32_t)sel << 4;
    if (c->eflags & F_VM) {
        sg->limit = 0xFFFF;
        sg->ar = 0xF3 | (s == CPU_SEG_CS ? 0x08 : 0);
    }
    if (s == CPU_SEG_CS) {
        sg->ar = (sg->ar & ~0x4000u) | 0x9B;
        if (c->eflags & F_VM)
            sg->ar = 0xFB;
    }
    seg_refresh_windows(c, s);
    if (s == CPU_SEG_CS || s == CPU_SEG_SS)
        seg_update_mode(c);
}

bool seg_read_desc(cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t base, limit;
    if (sel & 4) {
        if (!AR_P(c->seg[SEG_LDTR].ar) || (c->seg[SEG_LDTR].sel & ~3) == 0)
            return false;
        base = c->seg[SEG_LDTR].base;
        limit = c->seg[SEG_LDTR].limit;
    } else {
        base = c->gdtr.base;
        limit = c->gdtr.limit;
    }
    uint32_t off = sel & ~7u;
    if (off + 7 > limit)
        return false;
    *lo = sys_read(c, base + off, 4);
    *hi = sys_read(c, base + off + 4, 4);
    return true;
}

void seg_write_desc_hi(cpu *c, uint16_t sel, uint32_t hi)
{
    uint32_t base = (sel & 4) ? c->seg[SEG_LDTR].base : c->gdtr.base;
    sys_write(c, base + (sel & ~7u) + 4, hi, 4);
}

/* Set the accessed bit the way the hardware does when it loads a descriptor. */
static void mark_accessed(cpu *c, uint16_t sel, uint32_t *hi)
{
    if (!(*hi & 0x100)) {
        *hi |= 0x100;
        seg_write_desc_hi(c, sel, *hi);
    }
}

/* Protected-mode load of a data segment register (DS ES FS GS) or SS. */
void seg_load_prot(cpu *c, int s, uint16_t sel)
{
    uint32_t lo, hi;
    unsigned rpl = sel & 3, cpl = c->cpl;
    if ((sel & ~3) == 0) {
        if (s == CPU_SEG_SS)
            cpu_gp(c, 0);
        seg_cache *sg = &c->seg[s];
        sg->sel = sel;
        sg->base = 0;
        sg->limit = 0;
        sg->ar = 0; /* unusable: every access raises #GP(0) */
        seg_refresh_windows(c, s);
        return;
    }
    if (!seg_read_desc(c, sel, &lo, &hi))
        cpu_gp(c, sel & ~3u);
    uint32_t ar = desc_ar(hi);
    unsigned dpl = AR_DPL(ar);
    if (s == CPU_SEG_SS) {
        if (rpl != cpl || dpl != cpl || !AR_DATA(ar) || !(ar & 2))
            cpu_gp(c, sel & ~3u);
        if (!AR_P(ar))
            cpu_raise(c, EXC_SS, sel & ~3u);
    } else {
        bool readable = AR_DATA(ar) || (AR_CODE(ar) && (ar & 2));
        if (!AR_S(ar) || !readable)
            cpu_gp(c, sel & ~3u);
        bool conforming = AR_CODE(ar) && (ar & 4);
        if (!conforming && (rpl > dpl || cpl > dpl))
            cpu_gp(c, sel & ~3u);
        if (!AR_P(ar))
            cpu_raise(c, EXC_NP, sel & ~3u);
    }
    mark_accessed(c, sel, &hi);
    seg_set_cache(c, s, sel, desc_base(lo, hi), desc_limit(lo, hi), desc_ar(hi));
}

void seg_load(cpu *c, int s, uint16_t sel)
{
    if (c->pmode)
        seg_load_prot(c, s, sel);
    else
        seg_load_real(c, s, sel);
}

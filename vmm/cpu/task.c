/* Hardware task switches (JMP/CALL to a TSS or task gate, interrupts through task gates,
 * IRET with NT set) for 16- and 32-bit TSSs. The outgoing state is saved, busy bits and the
 * back link are maintained, and the incoming state is loaded; segment loads of the new task
 * fault in the new task's context, as on the hardware. */
#include "vmm/cpu/cpu_int.h"
#include "vmm/cpu/flags.h"
#include "vmm/cpu/stack.h"

static void set_busy(cpu *c, uint16_t sel, bool busy)
{
    uint32_t lo, hi;
    if (!seg_read_desc(c, sel, &lo, &hi))
        return;
    hi = busy ? (hi | 0x200) : (hi & ~0x200u);
    seg_write_desc_hi(c, sel, hi);
}

static void save_state(cpu *c, bool t32, uint32_t base, uint32_t fl)
{
    if (t32) {
        sys_write(c, base + 0x20, c->eip, 4);
        sys_write(c, base + 0x24, fl, 4);
        for (int r = 0; r < 8; r++)
            sys_write(c, base + 0x28 + 4 * (uint32_t)r, c->gpr[r], 4);
        for (int s = 0; s < 6; s++)
            sys_write(c, base + 0x48 + 4 * (uint32_t)s, c->seg[s].sel, 2);
    } else {
        sys_write(c, base + 0x0E, c->eip, 2);
        sys_write(c, base + 0x10, fl, 2);
        for (int r = 0; r < 8; r++)
            sys_write(c, base + 0x12 + 2 * (uint32_t)r, c->gpr[r], 2);
        for (int s = 0; s < 4; s++)
            sys_write(c, base + 0x22 + 2 * (uint32_t)s, c->seg[s].sel, 2);
    }
}

/* Load a segment register of the incoming task; faults become #TS(selector). */
static void task_load_seg(cpu *c, int s, uint16_t sel)
{
    if (c->eflags & F_VM) {
        seg_load_real(c, s, sel);
        return;
    }
    if ((sel & ~3) == 0) {
        if (s == CPU_SEG_CS || s == CPU_SEG_SS)
            cpu_raise(c, EXC_TS, 0);
        seg_set_cache(c, s, sel, 0, 0, 0);
        return;
    }
    uint32_t lo, hi;
    if (!seg_read_desc(c, sel, &lo, &hi))
        cpu_raise(c, EXC_TS, sel & ~3u);
    uint32_t ar = desc_ar(hi);
    if (!AR_S(ar) || (s == CPU_SEG_CS && !AR_CODE(ar)) ||
        (s == CPU_SEG_SS && (!AR_DATA(ar) || !(ar & 2))))
        cpu_raise(c, EXC_TS, sel & ~3u);
    if (!AR_P(ar))
        cpu_raise(c, s == CPU_SEG_SS ? EXC_SS : EXC_NP, sel & ~3u);
    seg_set_cache(c, s, sel, desc_base(lo, hi), desc_limit(lo, hi), ar);
}

void task_switch(cpu *c, uint16_t sel, uint32_t lo, uint32_t hi, int reason, bool has_err,
                 uint32_t err)
{
    uint32_t ar = desc_ar(hi);
    unsigned type = AR_TYPE(ar);
    bool busy = (type & 2) != 0;
    if (AR_S(ar) || (type & 5) != 1)
        cpu_gp(c, sel & ~3u);
    if (reason == TS_IRET ? !busy : busy)
        cpu_gp(c, sel & ~3u);
    if (!AR_P(ar))
        cpu_raise(c, EXC_NP, sel & ~3u);
    bool t32 = (type & 8) != 0;
    uint32_t nbase = desc_base(lo, hi), nlimit = desc_limit(lo, hi);
    if (nlimit < (t32 ? 0x67u : 0x2Bu))
        cpu_raise(c, EXC_TS, sel & ~3u);

    /* read the whole incoming state before changing anything */
    uint32_t ncr3 = 0, neip, nfl, ngpr[8];
    uint16_t nseg[6] = {0}, nldt;
    if (t32) {
        ncr3 = sys_read(c, nbase + 0x1C, 4);
        neip = sys_read(c, nbase + 0x20, 4);
        nfl = sys_read(c, nbase + 0x24, 4);
        for (int r = 0; r < 8; r++)
            ngpr[r] = sys_read(c, nbase + 0x28 + 4 * (uint32_t)r, 4);
        for (int s = 0; s < 6; s++)
            nseg[s] = (uint16_t)sys_read(c, nbase + 0x48 + 4 * (uint32_t)s, 2);
        nldt = (uint16_t)sys_read(c, nbase + 0x60, 2);
    } else {
        neip = sys_read(c, nbase + 0x0E, 2);
        nfl = sys_read(c, nbase + 0x10, 2) | (c->eflags & 0xFFFF0000u & ~F_VM);
        for (int r = 0; r < 8; r++)
            ngpr[r] = 0xFFFF0000u | sys_read(c, nbase + 0x12 + 2 * (uint32_t)r, 2);
        for (int s = 0; s < 4; s++)
            nseg[s] = (uint16_t)sys_read(c, nbase + 0x22 + 2 * (uint32_t)s, 2);
        nldt = (uint16_t)sys_read(c, nbase + 0x2A, 2);
    }

    /* save the outgoing task */
    const seg_cache *tr = &c->seg[SEG_TR];
    bool o32 = (AR_TYPE(tr->ar) & 8) != 0;
    uint32_t fl = cpu_get_eflags(c);
    if (reason == TS_IRET)
        fl &= ~F_NT;
    save_state(c, o32, tr->base, fl);
    if (reason == TS_JMP || reason == TS_IRET)
        set_busy(c, tr->sel, false);
    uint16_t old_sel = tr->sel;

    /* switch */
    if (reason == TS_CALL || reason == TS_INT) {
        sys_write(c, nbase, old_sel, 2);
        nfl |= F_NT;
    }
    if (reason != TS_IRET)
        set_busy(c, sel, true);
    hi |= 0x200;
    seg_set_cache(c, SEG_TR, sel, nbase, nlimit, desc_ar(hi));
    c->cr0 |= CR0_TS;
    if (t32 && (c->cr0 & CR0_PG))
        cpu_set_cr3(c, ncr3);
    c->lf.op = 0;
    c->eflags = (nfl & 0x003F7FD7u) | 2;
    c->eip = neip;
    for (int r = 0; r < 8; r++)
        c->gpr[r] = t32 ? ngpr[r] : (c->gpr[r] & 0xFFFF0000u) | (ngpr[r] & 0xFFFF);
    /* selectors first, so that a fault below shows the new task's values */
    for (int s = 0; s < 6; s++)
        c->seg[s].sel = nseg[s];
    c->seg[SEG_LDTR].sel = nldt;
    seg_update_mode(c);

    /* LDT, then CS (fixes CPL), SS and the data segments */
    if ((nldt & ~3) == 0) {
        c->seg[SEG_LDTR] = (seg_cache){.sel = nldt};
    } else {
        uint32_t llo, lhi;
        if ((nldt & 4) || !seg_read_desc(c, nldt & ~4, &llo, &lhi) || AR_TYPE(desc_ar(lhi)) != 2 ||
            AR_S(desc_ar(lhi)))
            cpu_raise(c, EXC_TS, nldt & ~3u);
        c->seg[SEG_LDTR] = (seg_cache){.sel = nldt,
                                       .base = desc_base(llo, lhi),
                                       .limit = desc_limit(llo, lhi),
                                       .ar = desc_ar(lhi)};
    }
    if (c->eflags & F_VM) {
        cpu_set_cpl(c, 3);
    } else {
        cpu_set_cpl(c, nseg[CPU_SEG_CS] & 3);
    }
    task_load_seg(c, CPU_SEG_CS, nseg[CPU_SEG_CS]);
    task_load_seg(c, CPU_SEG_SS, nseg[CPU_SEG_SS]);
    task_load_seg(c, CPU_SEG_DS, nseg[CPU_SEG_DS]);
    task_load_seg(c, CPU_SEG_ES, nseg[CPU_SEG_ES]);
    task_load_seg(c, CPU_SEG_FS, nseg[CPU_SEG_FS]);
    task_load_seg(c, CPU_SEG_GS, nseg[CPU_SEG_GS]);
    seg_update_mode(c);
    if (c->eip > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    if (has_err) {
        stk st;
        stk_init_cur(c, &st);
        stk_push(c, &st, err, t32 ? 4 : 2);
        stk_commit(c, &st);
    }
    cpu_end_block(c);
}

/* Exceptions and interrupts: the one way out of an instruction on a guest fault
 * (cpu_raise, which longjmps to cpu_run), the double-fault / triple-fault rules, and delivery
 * through the real-mode IVT or the protected-mode IDT (interrupt, trap and task gates, with
 * the stack switch from the TSS on a privilege change and the v8086 exit). */
#include "vmm/cpu/cpu_int.h"
#include "vmm/cpu/flags.h"
#include "vmm/cpu/stack.h"

bool cpu_exc_has_err(int vec)
{
    return vec == EXC_DF || (vec >= EXC_TS && vec <= EXC_PF) || vec == EXC_AC;
}

static bool contributory(int vec)
{
    return vec == EXC_DE || (vec >= EXC_TS && vec <= EXC_GP);
}

/* A fault while an exception is being delivered: the second one is delivered on its own
 * unless the pair makes a double fault (contributory+contributory, page fault followed by
 * contributory or page fault); any fault while delivering #DF shuts the processor down. */
_Noreturn void cpu_raise(cpu *c, int vec, uint32_t err)
{
    if (c->exc_depth) {
        int first = c->exc_first;
        if (first == EXC_DF) {
            c->shutdown = true;
            longjmp(c->jb, 2);
        }
        bool c2 = contributory(vec);
        if ((contributory(first) && c2) || (first == EXC_PF && (c2 || vec == EXC_PF))) {
            vec = EXC_DF;
            err = 0;
        }
    }
    c->pend_vec = (uint8_t)vec;
    c->pend_err = err;
    c->pend_has_err = cpu_exc_has_err(vec);
    longjmp(c->jb, 1);
}

_Noreturn void cpu_raise_noerr(cpu *c, int vec)
{
    cpu_raise(c, vec, 0);
}

_Noreturn void cpu_gp(cpu *c, uint32_t err)
{
    cpu_raise(c, EXC_GP, err);
}

_Noreturn void cpu_ud(cpu *c)
{
    cpu_raise(c, EXC_UD, 0);
}

static void deliver_real(cpu *c, int vec, uint32_t ret_eip)
{
    if ((uint32_t)vec * 4 + 3 > c->idtr.limit)
        cpu_gp(c, 0);
    uint32_t ent = sys_read(c, c->idtr.base + (uint32_t)vec * 4, 4);
    uint32_t fl = cpu_get_eflags(c);
    uint32_t sp = c->gpr[CPU_ESP];
    uint32_t m = c->ss_mask;
    wr16(c, CPU_SEG_SS, (sp - 2) & m, fl);
    wr16(c, CPU_SEG_SS, (sp - 4) & m, c->seg[CPU_SEG_CS].sel);
    wr16(c, CPU_SEG_SS, (sp - 6) & m, ret_eip);
    sp_set(c, sp - 6);
    c->eflags &= ~(F_IF | F_TF | F_AC | F_RF);
    seg_load_real(c, CPU_SEG_CS, (uint16_t)(ent >> 16));
    c->eip = ent & 0xFFFF;
}

/* Stack of the handler's privilege level from the TSS. */
void tss_stack(cpu *c, unsigned dpl, uint16_t *ret_ss, uint32_t *ret_esp)
{
    const seg_cache *tr = &c->seg[SEG_TR];
    bool t32 = (AR_TYPE(tr->ar) & 8) != 0;
    uint32_t off = t32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t n = t32 ? 8 : 4;
    if (off + n - 1 > tr->limit)
        cpu_raise(c, EXC_TS, tr->sel & ~3u);
    if (t32) {
        *ret_esp = sys_read(c, tr->base + off, 4);
        *ret_ss = (uint16_t)sys_read(c, tr->base + off + 4, 2);
    } else {
        *ret_esp = sys_read(c, tr->base + off, 2);
        *ret_ss = (uint16_t)sys_read(c, tr->base + off + 2, 2);
    }
}

/* Check and read the descriptor of a new stack segment for privilege `dpl`. */
void load_new_ss(cpu *c, uint16_t ss, unsigned dpl, uint32_t ext, uint32_t *lo, uint32_t *hi)
{
    if ((ss & ~3) == 0)
        cpu_raise(c, EXC_TS, ext);
    if (!seg_read_desc(c, ss, lo, hi))
        cpu_raise(c, EXC_TS, (ss & ~3u) | ext);
    uint32_t ar = desc_ar(*hi);
    if ((ss & 3) != dpl || AR_DPL(ar) != dpl || !AR_DATA(ar) || !(ar & 2))
        cpu_raise(c, EXC_TS, (ss & ~3u) | ext);
    if (!AR_P(ar))
        cpu_raise(c, EXC_SS, (ss & ~3u) | ext);
}

static void deliver_prot(cpu *c, int vec, bool has_err, uint32_t err, bool soft, uint32_t ret_eip,
                         bool ext_src)
{
    uint32_t ext = ext_src ? 1 : 0;
    uint32_t idx = (uint32_t)vec * 8;
    if (idx + 7 > c->idtr.limit)
        cpu_gp(c, idx | 2 | ext);
    uint32_t lo = sys_read(c, c->idtr.base + idx, 4);
    uint32_t hi = sys_read(c, c->idtr.base + idx + 4, 4);
    unsigned type = (hi >> 8) & 0x1F;
    if (type != 5 && type != 6 && type != 7 && type != 0xE && type != 0xF)
        cpu_gp(c, idx | 2 | ext);
    if (soft && ((hi >> 13) & 3) < c->cpl)
        cpu_gp(c, idx | 2);
    if (!(hi & 0x8000))
        cpu_raise(c, EXC_NP, idx | 2 | ext);
    if (type == 5) {
        uint16_t tsel = (uint16_t)(lo >> 16);
        uint32_t tlo, thi;
        if ((tsel & 4) || !seg_read_desc(c, tsel, &tlo, &thi))
            cpu_raise(c, EXC_TS, (tsel & ~3u) | ext);
        c->eip = ret_eip;
        task_switch(c, tsel, tlo, thi, TS_INT, has_err, err);
        return;
    }
    bool g32 = (type & 8) != 0;
    uint16_t sel = (uint16_t)(lo >> 16);
    uint32_t target = (lo & 0xFFFF) | (g32 ? (hi & 0xFFFF0000u) : 0);
    if ((sel & ~3) == 0)
        cpu_gp(c, ext);
    uint32_t clo, chi;
    if (!seg_read_desc(c, sel, &clo, &chi))
        cpu_gp(c, (sel & ~3u) | ext);
    uint32_t car = desc_ar(chi);
    unsigned dpl = AR_DPL(car);
    if (!AR_CODE(car) || dpl > c->cpl)
        cpu_gp(c, (sel & ~3u) | ext);
    if (!AR_P(car))
        cpu_raise(c, EXC_NP, (sel & ~3u) | ext);
    bool conforming = (car & 4) != 0;
    bool v86 = cpu_v86(c);
    uint32_t fl = cpu_get_eflags(c);
    unsigned n = g32 ? 4 : 2;
    stk st;
    uint16_t new_ss = c->seg[CPU_SEG_SS].sel;
    uint32_t slo = 0, shi = 0;
    bool inter = !conforming && dpl < c->cpl;
    if (inter) {
        if (v86 && dpl != 0)
            cpu_gp(c, (sel & ~3u) | ext);
        uint32_t new_esp;
        tss_stack(c, dpl, &new_ss, &new_esp);
        load_new_ss(c, new_ss, dpl, ext, &slo, &shi);
        stk_init_desc(&st, slo, shi, new_esp, (new_ss & ~3u) | ext, dpl == 3);
        if (v86) {
            stk_push(c, &st, c->seg[CPU_SEG_GS].sel, n);
            stk_push(c, &st, c->seg[CPU_SEG_FS].sel, n);
            stk_push(c, &st, c->seg[CPU_SEG_DS].sel, n);
            stk_push(c, &st, c->seg[CPU_SEG_ES].sel, n);
        }
        stk_push(c, &st, c->seg[CPU_SEG_SS].sel, n);
        stk_push(c, &st, c->gpr[CPU_ESP], n);
    } else {
        if (v86)
            cpu_gp(c, (sel & ~3u) | ext);
        stk_init_cur(c, &st);
    }
    stk_push(c, &st, fl, n);
    stk_push(c, &st, c->seg[CPU_SEG_CS].sel, n);
    stk_push(c, &st, ret_eip, n);
    if (has_err)
        stk_push(c, &st, err, n);
    /* commit */
    unsigned new_cpl = inter ? dpl : c->cpl;
    c->eflags &= ~(F_TF | F_NT | F_VM | F_RF);
    if (!(type & 1))
        c->eflags &= ~F_IF;
    if (!(chi & 0x100)) {
        chi |= 0x100;
        seg_write_desc_hi(c, sel, chi);
    }
    cpu_set_cpl(c, new_cpl);
    if (inter) {
        if (v86) {
            for (int s = 0; s < 6; s++)
                if (s != CPU_SEG_CS && s != CPU_SEG_SS)
                    seg_set_cache(c, s, 0, 0, 0, 0);
        }
        seg_set_cache(c, CPU_SEG_SS, new_ss, desc_base(slo, shi), desc_limit(slo, shi),
                      desc_ar(shi));
    }
    seg_set_cache(c, CPU_SEG_CS, (uint16_t)((sel & ~3u) | new_cpl), desc_base(clo, chi),
                  desc_limit(clo, chi), car);
    stk_commit(c, &st);
    c->eip = target;
    seg_update_mode(c);
}

void cpu_deliver(cpu *c, int vec, bool has_err, uint32_t err, bool soft, uint32_t ret_eip)
{
    c->halted = false;
    flags_materialize(c);
    if (!(c->cr0 & CR0_PE))
        deliver_real(c, vec, ret_eip);
    else
        deliver_prot(c, vec, has_err, err, soft, ret_eip, !soft);
    cpu_end_block(c);
}

/* Far control transfers: JMP/CALL far (direct, indirect, through call gates, task gates and
 * TSS descriptors), RETF with a return to an outer privilege level, IRET (real, v8086,
 * protected, to v8086, nested-task return) and INT n / INT3 / INTO / INT1. */
#include "vmm/cpu/ops.h"
#include "vmm/cpu/stack.h"

static void load_cs(cpu *c, uint16_t sel, uint32_t lo, uint32_t hi, unsigned cpl)
{
    if (!(hi & 0x100)) {
        hi |= 0x100;
        seg_write_desc_hi(c, sel, hi);
    }
    cpu_set_cpl(c, cpl);
    seg_set_cache(c, CPU_SEG_CS, (uint16_t)((sel & ~3u) | cpl), desc_base(lo, hi),
                  desc_limit(lo, hi), desc_ar(hi));
}

/* Read and check a code segment that JMP/CALL/RET targets directly. */
static void check_code(cpu *c, uint16_t sel, uint32_t lo, uint32_t hi, unsigned rpl_ref, bool exact)
{
    uint32_t ar = desc_ar(hi);
    unsigned dpl = AR_DPL(ar);
    if (!AR_CODE(ar))
        cpu_gp(c, sel & ~3u);
    if (ar & 4) { /* conforming */
        if (dpl > rpl_ref)
            cpu_gp(c, sel & ~3u);
    } else if (exact ? dpl != rpl_ref : dpl > rpl_ref) {
        cpu_gp(c, sel & ~3u);
    }
    if (!AR_P(ar))
        cpu_raise(c, EXC_NP, sel & ~3u);
}

static void far_real(cpu *c, uint16_t sel, uint32_t off, bool call, bool o32, uint32_t ret)
{
    if (call) {
        unsigned n = o32 ? 4 : 2;
        uint32_t sp = c->gpr[CPU_ESP];
        wrn(c, CPU_SEG_SS, (sp - n) & c->ss_mask, c->seg[CPU_SEG_CS].sel, n);
        wrn(c, CPU_SEG_SS, (sp - 2 * n) & c->ss_mask, ret, n);
        sp_set(c, sp - 2 * n);
    }
    seg_load_real(c, CPU_SEG_CS, sel);
    c->eip = o32 ? off : off & 0xFFFF;
}

/* Through a call gate to a more privileged level: new stack from the TSS, parameters copied. */
static void call_gate_inner(cpu *c, uint16_t csel, uint32_t clo, uint32_t chi, uint32_t target,
                            bool g32, unsigned params, uint32_t ret)
{
    unsigned dpl = AR_DPL(desc_ar(chi));
    uint16_t ss;
    uint32_t esp, slo, shi;
    tss_stack(c, dpl, &ss, &esp);
    load_new_ss(c, ss, dpl, 0, &slo, &shi);
    unsigned n = g32 ? 4 : 2;
    stk old, st;
    stk_init_cur(c, &old);
    stk_init_desc(&st, slo, shi, esp, ss & ~3u, dpl == 3);
    stk_push(c, &st, c->seg[CPU_SEG_SS].sel, n);
    stk_push(c, &st, c->gpr[CPU_ESP], n);
    for (unsigned k = params; k-- > 0;)
        stk_push(c, &st, stk_peek(c, &old, k * n, n), n);
    stk_push(c, &st, c->seg[CPU_SEG_CS].sel, n);
    stk_push(c, &st, ret, n);
    if (target > desc_limit(clo, chi))
        cpu_gp(c, 0);
    seg_set_cache(c, CPU_SEG_SS, ss, desc_base(slo, shi), desc_limit(slo, shi), desc_ar(shi));
    load_cs(c, csel, clo, chi, dpl);
    stk_commit(c, &st);
    c->eip = target;
}

static void far_prot(cpu *c, uint16_t sel, uint32_t off, bool call, bool o32, uint32_t ret)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0)
        cpu_gp(c, 0);
    if (!seg_read_desc(c, sel, &lo, &hi))
        cpu_gp(c, sel & ~3u);
    uint32_t ar = desc_ar(hi);
    unsigned cpl = c->cpl, rpl = sel & 3;
    if (AR_S(ar)) {
        check_code(c, sel, lo, hi, cpl, !(ar & 4));
        if (!(ar & 4) && rpl > cpl)
            cpu_gp(c, sel & ~3u);
        if (off > desc_limit(lo, hi))
            cpu_gp(c, 0);
        if (call) {
            unsigned n = o32 ? 4 : 2;
            stk st;
            stk_init_cur(c, &st);
            stk_push(c, &st, c->seg[CPU_SEG_CS].sel, n);
            stk_push(c, &st, ret, n);
            load_cs(c, sel, lo, hi, cpl);
            stk_commit(c, &st);
        } else {
            load_cs(c, sel, lo, hi, cpl);
        }
        c->eip = o32 ? off : off & 0xFFFF;
        return;
    }
    unsigned type = AR_TYPE(ar), gdpl = AR_DPL(ar);
    if (type == 1 || type == 9 || type == 5) {
        if (gdpl < cpl || gdpl < rpl)
            cpu_gp(c, sel & ~3u);
        if (!AR_P(ar))
            cpu_raise(c, EXC_NP, sel & ~3u);
        c->eip = ret;
        if (type == 5) {
            uint16_t tsel = (uint16_t)(lo >> 16);
            if ((tsel & 4) || !seg_read_desc(c, tsel, &lo, &hi))
                cpu_gp(c, tsel & ~3u);
            sel = tsel;
        }
        task_switch(c, sel, lo, hi, call ? TS_CALL : TS_JMP, false, 0);
        return;
    }
    if (type != 4 && type != 0xC)
        cpu_gp(c, sel & ~3u);
    /* call gate */
    if (gdpl < cpl || gdpl < rpl)
        cpu_gp(c, sel & ~3u);
    if (!AR_P(ar))
        cpu_raise(c, EXC_NP, sel & ~3u);
    bool g32 = type == 0xC;
    uint16_t csel = (uint16_t)(lo >> 16);
    uint32_t target = (lo & 0xFFFF) | (g32 ? (hi & 0xFFFF0000u) : 0);
    uint32_t clo, chi;
    if ((csel & ~3) == 0)
        cpu_gp(c, 0);
    if (!seg_read_desc(c, csel, &clo, &chi))
        cpu_gp(c, csel & ~3u);
    uint32_t car = desc_ar(chi);
    unsigned cdpl = AR_DPL(car);
    if (!AR_CODE(car) || cdpl > cpl)
        cpu_gp(c, csel & ~3u);
    if (!call && !(car & 4) && cdpl != cpl)
        cpu_gp(c, csel & ~3u);
    if (!AR_P(car))
        cpu_raise(c, EXC_NP, csel & ~3u);
    if (call && !(car & 4) && cdpl < cpl) {
        call_gate_inner(c, csel, clo, chi, target, g32, hi & 0x1F, ret);
        return;
    }
    if (target > desc_limit(clo, chi))
        cpu_gp(c, 0);
    if (call) {
        unsigned n = g32 ? 4 : 2;
        stk st;
        stk_init_cur(c, &st);
        stk_push(c, &st, c->seg[CPU_SEG_CS].sel, n);
        stk_push(c, &st, ret, n);
        load_cs(c, csel, clo, chi, cpl);
        stk_commit(c, &st);
    } else {
        load_cs(c, csel, clo, chi, cpl);
    }
    c->eip = target;
}

static int far_transfer(cpu *c, const insn *i, uint16_t sel, uint32_t off, bool call)
{
    bool o32 = (i->flags & I_O32) != 0;
    uint32_t ret = c->eip + i->len;
    if (c->pmode)
        far_prot(c, sel, off, call, o32, ret);
    else
        far_real(c, sel, off, call, o32, ret);
    cpu_end_block(c);
    return 1;
}

/* EA JMP ptr16:16/32, 9A CALL ptr */
static int jmp_far(cpu *c, const insn *i)
{
    return far_transfer(c, i, i->imm2, i->imm, false);
}
static int call_far(cpu *c, const insn *i)
{
    return far_transfer(c, i, i->imm2, i->imm, true);
}
/* FF /3 CALL m16:16/32, FF /5 JMP m16:16/32 */
static void read_far_ptr(cpu *c, const insn *i, uint16_t *sel, uint32_t *off)
{
    uint32_t ea = ea_of(c, i);
    bool o32 = (i->flags & I_O32) != 0;
    *off = o32 ? rd32(c, i->seg, ea) : rd16(c, i->seg, ea);
    *sel = (uint16_t)rd16(c, i->seg, (ea + (o32 ? 4 : 2)) & (0xFFFFFFFFu >> i->ashift));
}
static int call_far_m(cpu *c, const insn *i)
{
    uint16_t sel;
    uint32_t off;
    read_far_ptr(c, i, &sel, &off);
    return far_transfer(c, i, sel, off, true);
}
static int jmp_far_m(cpu *c, const insn *i)
{
    uint16_t sel;
    uint32_t off;
    read_far_ptr(c, i, &sel, &off);
    return far_transfer(c, i, sel, off, false);
}
static int ud(cpu *c, const insn *i)
{
    cpu_ud(c);
}

/* Segment registers that the new, less privileged level may not keep are nulled. */
static void null_outer_segs(cpu *c)
{
    static const int segs[4] = {CPU_SEG_ES, CPU_SEG_DS, CPU_SEG_FS, CPU_SEG_GS};
    for (int k = 0; k < 4; k++) {
        seg_cache *sg = &c->seg[segs[k]];
        uint32_t ar = sg->ar;
        bool conf_code = AR_CODE(ar) && (ar & 4);
        if (AR_P(ar) && !conf_code && AR_DPL(ar) < c->cpl)
            seg_set_cache(c, segs[k], 0, 0, 0, 0);
    }
}

/* Common tail of RETF and protected-mode IRET: check CS, then SS:ESP on an outer return. */
static void ret_prot(cpu *c, stk *st, uint16_t sel, uint32_t off, unsigned n, uint32_t extra,
                     bool is_iret, uint32_t fl)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0)
        cpu_gp(c, 0);
    if (!seg_read_desc(c, sel, &lo, &hi))
        cpu_gp(c, sel & ~3u);
    unsigned rpl = sel & 3, cpl = c->cpl;
    if (rpl < cpl)
        cpu_gp(c, sel & ~3u);
    check_code(c, sel, lo, hi, rpl, !(desc_ar(hi) & 4));
    if (off > desc_limit(lo, hi))
        cpu_gp(c, 0);
    st->sp = (st->sp + extra) & st->mask;
    if (rpl == cpl) {
        load_cs(c, sel, lo, hi, cpl);
        stk_commit(c, st);
    } else {
        uint32_t esp = stk_pop(c, st, n);
        uint16_t ss = (uint16_t)stk_pop(c, st, n);
        uint32_t slo, shi;
        if ((ss & ~3) == 0)
            cpu_gp(c, 0);
        if (!seg_read_desc(c, ss, &slo, &shi))
            cpu_gp(c, ss & ~3u);
        uint32_t sar = desc_ar(shi);
        if ((ss & 3) != rpl || AR_DPL(sar) != rpl || !AR_DATA(sar) || !(sar & 2))
            cpu_gp(c, ss & ~3u);
        if (!AR_P(sar))
            cpu_raise(c, EXC_SS, ss & ~3u);
        load_cs(c, sel, lo, hi, rpl);
        seg_set_cache(c, CPU_SEG_SS, ss, desc_base(slo, shi), desc_limit(slo, shi), sar);
        uint32_t m = AR_DB(sar) ? 0xFFFFFFFFu : 0xFFFF;
        c->gpr[CPU_ESP] = (c->gpr[CPU_ESP] & ~m) | ((esp + extra) & m);
        null_outer_segs(c);
    }
    if (is_iret) {
        uint32_t mask = F_ARITH | F_TF | F_DF | F_NT | F_RF | F_AC | F_ID;
        if (cpl == 0)
            mask |= F_IOPL;
        if (cpl <= cpu_iopl(c))
            mask |= F_IF;
        if (n == 2)
            mask &= 0xFFFF;
        cpu_set_eflags(c, fl, mask);
    }
    c->eip = off;
}

/* CB RETF, CA RETF imm16 */
static int retf(cpu *c, const insn *i)
{
    unsigned n = (i->flags & I_O32) ? 4 : 2;
    stk st;
    stk_init_cur(c, &st);
    uint32_t off = stk_pop(c, &st, n);
    uint16_t sel = (uint16_t)stk_pop(c, &st, n);
    uint32_t extra = i->imm & 0xFFFF;
    if (!c->pmode) {
        seg_load_real(c, CPU_SEG_CS, sel);
        st.sp = (st.sp + extra) & st.mask;
        stk_commit(c, &st);
        c->eip = off;
    } else {
        ret_prot(c, &st, sel, off, n, extra, false, 0);
    }
    cpu_end_block(c);
    return 1;
}

/* Return from protected mode to v8086: EIP CS EFLAGS then ESP SS ES DS FS GS, 32-bit. */
static void iret_to_v86(cpu *c, stk *st, uint32_t off, uint16_t sel, uint32_t fl)
{
    uint32_t esp = stk_pop(c, st, 4);
    uint16_t v[5];
    for (int k = 0; k < 5; k++)
        v[k] = (uint16_t)stk_pop(c, st, 4); /* SS ES DS FS GS */
    c->eflags = (fl & 0x003F7FD7u) | 2;
    c->lf.op = 0;
    cpu_set_cpl(c, 3);
    seg_update_mode(c);
    seg_load_real(c, CPU_SEG_CS, sel);
    seg_load_real(c, CPU_SEG_SS, v[0]);
    seg_load_real(c, CPU_SEG_ES, v[1]);
    seg_load_real(c, CPU_SEG_DS, v[2]);
    seg_load_real(c, CPU_SEG_FS, v[3]);
    seg_load_real(c, CPU_SEG_GS, v[4]);
    c->gpr[CPU_ESP] = esp;
    c->eip = off & 0xFFFF;
    seg_update_mode(c);
}

/* CF IRET */
static int iret(cpu *c, const insn *i)
{
    unsigned n = (i->flags & I_O32) ? 4 : 2;
    if (cpu_v86(c) && cpu_iopl(c) < 3)
        cpu_gp(c, 0);
    if (c->pmode && (c->eflags & F_NT)) {
        uint16_t back = (uint16_t)sys_read(c, c->seg[SEG_TR].base, 2);
        uint32_t lo, hi;
        if ((back & 4) || !seg_read_desc(c, back, &lo, &hi))
            cpu_raise(c, EXC_TS, back & ~3u);
        c->eip += i->len;
        task_switch(c, back, lo, hi, TS_IRET, false, 0);
        cpu_end_block(c);
        return 1;
    }
    stk st;
    stk_init_cur(c, &st);
    uint32_t off = stk_pop(c, &st, n);
    uint16_t sel = (uint16_t)stk_pop(c, &st, n);
    uint32_t fl = stk_pop(c, &st, n);
    if (!(c->cr0 & CR0_PE) || cpu_v86(c)) {
        uint32_t mask = n == 4 ? 0x00257FD5u : 0x7FD5;
        if (cpu_v86(c))
            mask &= ~F_IOPL;
        seg_load_real(c, CPU_SEG_CS, sel);
        stk_commit(c, &st);
        cpu_set_eflags(c, fl, mask);
        c->eip = n == 4 ? off : off & 0xFFFF;
    } else if ((fl & F_VM) && n == 4 && c->cpl == 0) {
        iret_to_v86(c, &st, off, sel, fl);
    } else {
        ret_prot(c, &st, sel, off, n, 0, true, fl);
    }
    c->nmi_blocked = false;
    cpu_end_block(c);
    return 1;
}

/* CD INT n, CC INT3, CE INTO, F1 INT1 */
static void soft_int(cpu *c, const insn *i, int vec)
{
    if (cpu_v86(c) && cpu_iopl(c) < 3)
        cpu_gp(c, 0);
    cpu_deliver(c, vec, false, 0, true, c->eip + i->len);
}
static int int_n(cpu *c, const insn *i)
{
    soft_int(c, i, i->imm & 0xFF);
    return 1;
}
static int int3(cpu *c, const insn *i)
{
    soft_int(c, i, EXC_BP);
    return 1;
}
static int into(cpu *c, const insn *i)
{
    if (!get_of(c))
        return 0;
    soft_int(c, i, EXC_OF);
    return 1;
}
static int int1(cpu *c, const insn *i)
{
    cpu_deliver(c, EXC_DB, false, 0, false, c->eip + i->len);
    return 1;
}

void far_register(void)
{
    SET_ALL(0xEA, jmp_far);  /* EA JMP ptr */
    SET_ALL(0x9A, call_far); /* 9A CALL ptr */
    dec_set_grp(0xFF, 3, ud, call_far_m, ud, call_far_m);
    dec_set_grp(0xFF, 5, ud, jmp_far_m, ud, jmp_far_m);
    SET_ALL(0xCB, retf);
    SET_ALL(0xCA, retf);
    SET_ALL(0xCF, iret);
    SET_ALL(0xCD, int_n);
    SET_ALL(0xCC, int3);
    SET_ALL(0xCE, into);
    SET_ALL(0xF1, int1);
}

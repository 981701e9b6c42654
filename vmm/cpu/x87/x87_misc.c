/* Register forms other than two-operand arithmetic: stack moves (FLD/FST/FSTP/FXCH/FFREE
 * ST(i), FINCSTP, FDECSTP), FCHS, FABS, FTST, FXAM, constants, FCMOVcc, FUCOM(P)(P),
 * FCOMI/FUCOMI(P), FNCLEX, FNINIT, FNSTSW AX. One-operand and transcendental functions are
 * in x87_func.c. */
#include "vmm/cpu/x87/x87.h"

/* FLD ST(i): push a copy; a full stack overflows (masked: push indefinite). */
static int x87_fld_reg(fpu *f, unsigned i)
{
    fpu_reg v = *x87_st(f, i);
    /* An empty source is reported (as underflow) before a full stack. */
    if (x87_empty(f, i)) {
        if (x87_underflow(f))
            x87_push(f, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    if (!x87_empty(f, 7)) {
        if (x87_overflow(f))
            x87_push(f, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    f->sw &= (uint16_t)~FPU_SW_C1;
    x87_push(f, v);
    return FPU_EXEC_DONE;
}

static int x87_fxch(fpu *f, unsigned i)
{
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        if (!x87_underflow(f))
            return FPU_EXEC_DONE;
        /* Masked response: empty registers become indefinite, then exchange. */
        if (x87_empty(f, 0))
            x87_write(f, 0, x87_indefinite());
        if (x87_empty(f, i))
            x87_write(f, i, x87_indefinite());
    } else {
        f->sw &= (uint16_t)~FPU_SW_C1;
    }
    /* Swap contents and tags field by field: compilers emit FXCH constantly, and whole-struct
     * copies of the padded 16-byte registers stall store forwarding. */
    unsigned p0 = x87_phys(f, 0), pi = x87_phys(f, i);
    unsigned t0 = x87_tag_phys(f, p0), ti = x87_tag_phys(f, pi);
    uint64_t m = f->st[p0].mant;
    uint16_t se = f->st[p0].sign_exp;
    f->st[p0].mant = f->st[pi].mant;
    f->st[p0].sign_exp = f->st[pi].sign_exp;
    f->st[pi].mant = m;
    f->st[pi].sign_exp = se;
    x87_set_tag_phys(f, p0, ti);
    x87_set_tag_phys(f, pi, t0);
    return FPU_EXEC_DONE;
}

/* FST/FSTP ST(i) (DD D0/D8 and the aliases D9 D8, DF D0, DF D8). */
static int x87_fst_reg(fpu *f, unsigned i, bool pop)
{
    if (x87_empty(f, 0)) {
        if (!x87_underflow(f))
            return FPU_EXEC_DONE;
        x87_write(f, i, x87_indefinite());
    } else {
        f->sw &= (uint16_t)~FPU_SW_C1;
        x87_write(f, i, *x87_st(f, 0));
    }
    if (pop)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

static int x87_ffree(fpu *f, unsigned i, bool pop)
{
    f->sw &= (uint16_t)~FPU_SW_C1; /* undefined in the SDM; 0 on hardware */
    x87_set_tag_phys(f, x87_phys(f, i), FPU_TAG_EMPTY);
    if (pop)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

/* FCHS and FABS only touch the sign, even of NaNs, and never raise anything but underflow. */
static int x87_sign_op(fpu *f, bool chs)
{
    if (x87_empty(f, 0)) {
        if (x87_underflow(f))
            x87_write(f, 0, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    fpu_reg v = *x87_st(f, 0);
    v.sign_exp = chs ? v.sign_exp ^ 0x8000 : v.sign_exp & 0x7FFF;
    f->sw &= (uint16_t)~FPU_SW_C1;
    x87_write(f, 0, v);
    return FPU_EXEC_DONE;
}

/* FXAM: an empty register classifies as C3=1 C2=0 C0=1 with C1 = its sign. */
static int x87_fxam(fpu *f, x87_host_fn *fn)
{
    fpu_reg v = *x87_st(f, 0);
    if (x87_empty(f, 0)) {
        f->sw = (uint16_t)((f->sw & ~X87_CC) | FPU_SW_C3 | FPU_SW_C0 |
                           (v.sign_exp & 0x8000 ? FPU_SW_C1 : 0));
        return FPU_EXEC_DONE;
    }
    x87_host h;
    x87_host_init(&h);
    h.a = v;
    x87_host_run(f, fn, &h);
    x87_merge(f, &h, 0);
    return FPU_EXEC_DONE;
}

/* FTST and the FUCOM family set C3/C2/C0; an empty operand gives "unordered", even when
 * IE is unmasked. */
static int x87_compare(fpu *f, x87_host_fn *fn, unsigned i, unsigned pops)
{
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        bool masked = x87_underflow(f);
        f->sw |= FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C3;
        if (!masked)
            return FPU_EXEC_DONE;
    } else {
        x87_host h;
        x87_host_init(&h);
        h.a = *x87_st(f, 0);
        h.b = *x87_st(f, i);
        x87_host_run(f, fn, &h);
        if (x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE))
            return FPU_EXEC_DONE;
    }
    while (pops--)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

/* FCOMI/FUCOMI(P): the result goes to ZF, PF, CF (written even when an unmasked IE stops
 * the pop); C0, C2, C3 are kept and C1 cleared (Intel; AMD keeps C1). */
static int x87_comi(x87_ctx *x, bool unordered, unsigned i, bool pop)
{
    fpu *f = x->f;
    uint16_t cc = f->sw & X87_CC;
    uint32_t zpc;
    bool go_on;
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        go_on = x87_underflow(f);
        zpc = FPU_EFLAGS_ZF | FPU_EFLAGS_PF | FPU_EFLAGS_CF;
    } else {
        x87_host h;
        x87_host_init(&h);
        h.a = *x87_st(f, 0);
        h.b = *x87_st(f, i);
        x87_host_run(f, unordered ? x87_host_fucom() : x87_host_arith(2), &h);
        go_on = !x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE);
        f->sw = (uint16_t)((f->sw & ~X87_CC) | (cc & ~FPU_SW_C1));
        zpc = (h.sw & FPU_SW_C3 ? FPU_EFLAGS_ZF : 0) | (h.sw & FPU_SW_C2 ? FPU_EFLAGS_PF : 0) |
              (h.sw & FPU_SW_C0 ? FPU_EFLAGS_CF : 0);
    }
    x->o->eflags = (x->o->eflags & ~(uint32_t)(FPU_EFLAGS_ZF | FPU_EFLAGS_PF | FPU_EFLAGS_CF |
                                               FPU_EFLAGS_OF | FPU_EFLAGS_SF | FPU_EFLAGS_AF)) |
                   zpc;
    if (pop && go_on)
        x87_pop(f);
    return FPU_EXEC_EFLAGS;
}

/* FCMOVcc: DA C0/C8/D0/D8 move on B (CF), E (ZF), BE (CF|ZF), U (PF); DB negates. */
static int x87_fcmov(x87_ctx *x, uint8_t op, uint8_t modrm)
{
    fpu *f = x->f;
    uint32_t fl = x->o->eflags;
    unsigned i = modrm & 7;
    bool cond;
    switch ((modrm >> 3) & 3) {
    case 0: cond = fl & FPU_EFLAGS_CF; break;
    case 1: cond = fl & FPU_EFLAGS_ZF; break;
    case 2: cond = fl & (FPU_EFLAGS_CF | FPU_EFLAGS_ZF); break;
    default: cond = fl & FPU_EFLAGS_PF; break;
    }
    if (op == 0xDB)
        cond = !cond;
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        /* The masked response writes ST0 whether or not the condition holds. */
        if (x87_underflow(f))
            x87_write(f, 0, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    if (cond)
        x87_write(f, 0, *x87_st(f, i));
    return FPU_EXEC_DONE;
}

static int x87_fnclex(fpu *f)
{
    f->sw &= (uint16_t) ~(X87_FLAGS | FPU_SW_SF | FPU_SW_ES | FPU_SW_B);
    return FPU_EXEC_DONE;
}

/* FINCSTP/FDECSTP rotate TOP without touching tags or contents. */
static int x87_step_top(fpu *f, int delta)
{
    x87_set_top(f, (unsigned)((int)x87_top(f) + delta));
    f->sw &= (uint16_t)~FPU_SW_C1;
    return FPU_EXEC_DONE;
}

int x87_d9_reg(x87_ctx *x, uint8_t modrm)
{
    fpu *f = x->f;
    unsigned i = modrm & 7;
    switch (modrm >> 3) {
    case 0x18: return x87_fld_reg(f, i);       /* C0 FLD ST(i) */
    case 0x19: return x87_fxch(f, i);          /* C8 FXCH */
    case 0x1A: return FPU_EXEC_DONE;           /* D0 FNOP */
    case 0x1B: return x87_fst_reg(f, i, true); /* D8 FSTP1 (alias) */
    }
    switch (modrm) {
    case 0xE0: return x87_sign_op(f, true);                     /* FCHS */
    case 0xE1: return x87_sign_op(f, false);                    /* FABS */
    case 0xE4: return x87_compare(f, x87_host_d9(modrm), 0, 0); /* FTST */
    case 0xE5: return x87_fxam(f, x87_host_d9(modrm));          /* FXAM */
    case 0xF6: return x87_step_top(f, -1);                      /* FDECSTP */
    case 0xF7: return x87_step_top(f, 1);                       /* FINCSTP */
    }
    if (modrm >= 0xE8 && modrm <= 0xEE)
        return x87_fconst(f, x87_host_d9(modrm));
    return x87_func(f, modrm);
}

int x87_reg_misc(x87_ctx *x, uint8_t op, uint8_t modrm)
{
    fpu *f = x->f;
    unsigned i = modrm & 7;
    switch (op) {
    case 0xDA:
        if (modrm == 0xE9)
            return x87_compare(f, x87_host_fucom(), 1, 2); /* FUCOMPP */
        return x87_fcmov(x, op, modrm);
    case 0xDB:
        if (modrm < 0xE0)
            return x87_fcmov(x, op, modrm);
        if (modrm == 0xE2)
            return x87_fnclex(f);
        if (modrm == 0xE3) {
            fpu_init(f);
            return FPU_EXEC_DONE;
        }
        if (modrm >= 0xE8)
            return x87_comi(x, modrm < 0xF0, i, false);
        return FPU_EXEC_DONE; /* FENI, FDISI, FSETPM: no-ops since the 387 */
    case 0xDD:
        switch (modrm >> 3) {
        case 0x18: return x87_ffree(f, i, false);
        case 0x19: return x87_fxch(f, i); /* FXCH4 (alias) */
        case 0x1A: return x87_fst_reg(f, i, false);
        case 0x1B: return x87_fst_reg(f, i, true);
        case 0x1C: return x87_compare(f, x87_host_fucom(), i, 0);
        default: return x87_compare(f, x87_host_fucom(), i, 1);
        }
    default: /* DF */
        switch (modrm >> 3) {
        case 0x18: return x87_ffree(f, i, true); /* FFREEP (alias) */
        case 0x19: return x87_fxch(f, i);        /* FXCH7 (alias) */
        case 0x1A:
        case 0x1B: return x87_fst_reg(f, i, true); /* FSTP8, FSTP9 (aliases) */
        case 0x1C: return x87_fnstsw_ax(x);
        default: return x87_comi(x, modrm < 0xF0, i, true);
        }
    }
}

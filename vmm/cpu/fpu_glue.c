/* The core side of the x87 contract (fpu.h): #NM and pending-error checks, the operand of an
 * escape instruction, FWAIT. The FPU itself lives in x87/ (built into the same library). */
#include "vmm/cpu/ops.h"

/* Escapes that do not wait for pending errors: FNINIT FNCLEX FNSTSW FNSTCW FNSTENV FNSAVE. */
static bool no_wait(const insn *i)
{
    unsigned op = i->op, reg = i->reg;
    bool mem = (i->flags & I_MEM) != 0;
    if (op == 0xDB && !mem && reg == 4 && (i->rm == 2 || i->rm == 3))
        return true; /* DB E2 FNCLEX, DB E3 FNINIT */
    if (op == 0xDF && !mem && reg == 4 && i->rm == 0)
        return true; /* DF E0 FNSTSW AX */
    if (op == 0xD9 && mem && (reg == 6 || reg == 7))
        return true; /* FNSTENV, FNSTCW */
    if (op == 0xDD && mem && (reg == 6 || reg == 7))
        return true; /* FNSAVE, FNSTSW m16 */
    return false;
}

/* Report a pending unmasked x87 error: #MF with CR0.NE. The legacy external path (FERR# to
 * IRQ 13 with CR0.NE clear) needs a platform hook that does not exist yet: the error is left
 * pending, which DOS-era guests notice but Linux (which sets NE) does not. */
static void check_pending(cpu *c)
{
#ifdef VIREO_HAVE_X87
    if (fpu_error_pending(&c->fpu) && (c->cr0 & CR0_NE))
        cpu_raise(c, EXC_MF, 0);
#else
    (void)c;
#endif
}

int op_fpu_esc(cpu *c, const insn *i)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(c, EXC_NM, 0);
#ifdef VIREO_HAVE_X87
    if (!no_wait(i))
        check_pending(c);
    fpu_operand o;
    o.is_mem = (i->flags & I_MEM) != 0;
    o.seg = i->seg;
    o.offset = o.is_mem ? ea_of(c, i) : 0;
    o.opsize32 = (i->flags & I_O32) != 0;
    o.pmode = c->pmode;
    o.cs = c->seg[CPU_SEG_CS].sel;
    o.eip = c->eip;
    o.ds = c->seg[i->seg].sel;
    uint8_t modrm = (uint8_t)((o.is_mem ? 0 : 0xC0) | (i->reg << 3) | i->rm);
    fpu_exec(c, &c->fpu, i->op, modrm, &o);
    return 0;
#else
    /* TEMPORARY until the x87 unit (branch fpu) is merged: no FPU, escapes are invalid */
    (void)no_wait;
    cpu_ud(c);
#endif
}

/* 9B FWAIT */
static int fwait(cpu *c, const insn *i)
{
    if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise(c, EXC_NM, 0);
    check_pending(c);
    return 0;
}

void fpu_glue_register(void)
{
    dec_set(0x9B, fwait, fwait, fwait, fwait);
}

#ifndef VIREO_HAVE_X87
void fpu_init(fpu *f)
{
    memset(f, 0, sizeof(*f));
    f->cw = 0x37F;
    f->tw = 0xFFFF;
}
#endif

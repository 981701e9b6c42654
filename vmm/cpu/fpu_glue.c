/* The core side of the x87 contract (fpu.h): #NM and pending-error checks, the operand of an
 * escape instruction, FWAIT. The FPU itself lives in x87/ (built into the same library). */
#include "vmm/cpu/ops.h"

/* Report a pending unmasked x87 error at a waiting instruction: #MF with CR0.NE; with NE
 * clear the PC's legacy path (FERR# to IRQ 13 through the platform hook) and the instruction
 * goes on, as it does once the handler has acknowledged the error. */
static void check_pending(cpu *c)
{
#ifdef VIREO_HAVE_X87
    if (!fpu_error_pending(&c->fpu))
        return;
    if (c->cr0 & CR0_NE)
        cpu_raise(c, EXC_MF, 0);
    if (c->plat.fpu_error)
        c->plat.fpu_error(c->plat.opaque);
#else
    (void)c;
#endif
}

int op_fpu_esc(cpu *c, const insn *i)
{
#ifdef VIREO_HAVE_X87
    bool mem = (i->flags & I_MEM) != 0;
    uint8_t modrm = (uint8_t)((mem ? 0 : 0xC0) | (i->reg << 3) | i->rm);
    if (!fpu_encoding_valid(i->op, modrm))
        cpu_ud(c);
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(c, EXC_NM, 0);
    if (fpu_is_waiting(i->op, modrm))
        check_pending(c);
    fpu_operand o;
    o.is_mem = mem;
    o.seg = i->seg;
    o.offset = mem ? ea_of(c, i) : 0;
    o.opsize32 = (i->flags & I_O32) != 0;
    o.pmode = c->pmode;
    o.cs = c->seg[CPU_SEG_CS].sel;
    o.eip = c->eip;
    o.ds = c->seg[i->seg].sel;
    o.eflags = cpu_get_eflags(c);
    o.ax = 0;
    int r = fpu_exec(c, &c->fpu, i->op, modrm, &o);
    if (r == FPU_EXEC_EFLAGS) {
        uint32_t zpc = F_ZF | F_PF | F_CF;
        c->eflags = (c->eflags & ~(zpc | F_OF | F_SF | F_AF)) | (o.eflags & zpc);
    } else if (r == FPU_EXEC_AX) {
        set_r16(c, CPU_EAX, o.ax);
    } else if (r == FPU_EXEC_UD) {
        cpu_ud(c);
    }
    return 0;
#else
    /* no x87 unit in this build: escapes raise #NM/#UD like a CPU without an FPU */
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(c, EXC_NM, 0);
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

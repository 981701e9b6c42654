/* Arithmetic and comparisons with two operands: FADD, FMUL, FCOM(P)(P), FSUB(R), FDIV(R)
 * in register, m32fp, m64fp, m16int and m32int forms (D8, DA, DC, DE). */
#include "vmm/cpu/x87/x87.h"

#include <string.h>

enum { X87_R_COM = 2, X87_R_COMP = 3 };

static bool x87_is_compare(unsigned r)
{
    return r == X87_R_COM || r == X87_R_COMP;
}

/* Stack underflow: a compare reports "unordered" even when IE is unmasked; otherwise the
 * masked response is an indefinite result. Returns true when the instruction goes on (to
 * pop), i.e. IE is masked. */
static bool x87_arith_empty(fpu *f, unsigned r, unsigned dest)
{
    bool masked = x87_underflow(f);
    if (x87_is_compare(r))
        f->sw |= FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C3;
    else if (masked)
        x87_write(f, dest, x87_indefinite());
    return masked;
}

/* Memory operand sizes of D8 (m32fp), DA (m32int), DC (m64fp), DE (m16int). */
static unsigned x87_arith_mem_len(uint8_t op)
{
    static const unsigned len[4] = {4, 4, 8, 2};
    return len[(op >> 1) & 3];
}

int x87_arith_mem(x87_ctx *x, uint8_t op, unsigned r)
{
    fpu *f = x->f;
    x87_host h;
    x87_host_init(&h);
    cpu_fpu_read(x->c, x->o->seg, x->o->offset, h.mem, x87_arith_mem_len(op));
    if (x87_empty(f, 0)) {
        if (!x87_arith_empty(f, r, 0))
            return FPU_EXEC_DONE;
    } else {
        h.a = *x87_st(f, 0);
        x87_host_run(f, x87_host_mem(op, r), &h);
        if (x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE))
            return FPU_EXEC_DONE;
        if (!x87_is_compare(r))
            x87_write(f, 0, h.r[0]);
    }
    if (r == X87_R_COMP)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

/* How many pops a register form does: DE pops once (twice for FCOMPP, DE D9), D8/DC pop
 * only for FCOMP (r 3). */
static unsigned x87_arith_pops(uint8_t op, unsigned r)
{
    if (op == 0xDE)
        return r == X87_R_COMP ? 2 : 1;
    return r == X87_R_COMP ? 1 : 0;
}

int x87_arith_reg(x87_ctx *x, uint8_t op, unsigned r, unsigned i)
{
    fpu *f = x->f;
    bool cmp = x87_is_compare(r);
    /* D8 computes ST0 = ST0 op ST(i); DC/DE compute ST(i) = ST(i) op ST0, where the
     * encodings of SUB/SUBR and DIV/DIVR are swapped. */
    unsigned dest = (op == 0xD8 || cmp) ? 0 : i;
    unsigned hr = (op == 0xD8 || cmp || r < 4) ? r : r ^ 1;
    unsigned pops = x87_arith_pops(op, r);
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        if (!x87_arith_empty(f, r, dest))
            return FPU_EXEC_DONE;
    } else {
        x87_host h;
        x87_host_init(&h);
        h.a = *x87_st(f, dest);
        h.b = *x87_st(f, dest == 0 ? i : 0);
        x87_host_run(f, x87_host_arith(hr), &h);
        if (x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE))
            return FPU_EXEC_DONE;
        if (!cmp)
            x87_write(f, dest, h.r[0]);
    }
    while (pops--)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

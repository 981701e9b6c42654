/* Loads and stores of every memory format: FLD/FST(P) m32fp, m64fp, m80fp; FILD/FIST(P)
 * m16int, m32int, m64int; FBLD/FBSTP m80bcd. Conversions run on the host (x87_host.c). */
#include "vmm/cpu/x87/x87.h"

#include <string.h>

/* Memory operand length of a load or store op /r. */
static unsigned x87_ldst_len(uint8_t op, unsigned r)
{
    switch (op) {
    case 0xD9: return 4;                                                /* m32fp */
    case 0xDB: return r >= 5 ? 10 : 4;                                  /* m80fp or m32int */
    case 0xDD: return 8;                                                /* m64fp */
    default: return r >= 4 && r != 5 && r != 7 ? 10 : (r >= 5 ? 8 : 2); /* DF */
    }
}

int x87_load_mem(x87_ctx *x, uint8_t op, unsigned r)
{
    fpu *f = x->f;
    x87_host h;
    x87_host_init(&h);
    cpu_fpu_read(x->c, x->o->seg, x->o->offset, h.mem, x87_ldst_len(op, r));
    if (!x87_empty(f, 7)) {
        if (x87_overflow(f))
            x87_push(f, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    x87_host_run(f, x87_host_mem(op, r), &h);
    /* An unmasked IE (SNaN) or DE (denormal) in m32fp/m64fp stops the load: the SDM (vol. 1,
     * 8.5.2) says TOP stays unchanged. (AMD hosts push the value anyway.) */
    if (x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE))
        return FPU_EXEC_DONE;
    x87_push(f, h.r[0]);
    return FPU_EXEC_DONE;
}

/* The value a masked stack underflow stores: the indefinite of the format. */
static void x87_store_indefinite(uint8_t op, unsigned r, uint8_t *mem)
{
    static const uint8_t fp32[4] = {0, 0, 0xC0, 0xFF};
    static const uint8_t fp64[8] = {0, 0, 0, 0, 0, 0, 0xF8, 0xFF};
    static const uint8_t fp80[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
    static const uint8_t bcd[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
    unsigned len = x87_ldst_len(op, r);
    memset(mem, 0, len);
    if (op == 0xD9)
        memcpy(mem, fp32, 4);
    else if (op == 0xDD)
        memcpy(mem, fp64, 8);
    else if (op == 0xDB && r == 7)
        memcpy(mem, fp80, 10);
    else if (op == 0xDF && r == 6)
        memcpy(mem, bcd, 10);
    else
        mem[len - 1] = 0x80; /* integer indefinite: the most negative integer */
}

int x87_store_mem(x87_ctx *x, uint8_t op, unsigned r, bool pop)
{
    fpu *f = x->f;
    unsigned len = x87_ldst_len(op, r);
    x87_host h;
    x87_host_init(&h);
    memset(h.mem, 0, sizeof(h.mem)); /* never copy stale host bytes to the guest */
    if (x87_empty(f, 0)) {
        /* The flags change only after the store succeeded: a faulting store restarts. */
        if (!(f->cw & FPU_SW_IE)) {
            x87_underflow(f);
            return FPU_EXEC_DONE;
        }
        x87_store_indefinite(op, r, h.mem);
        cpu_fpu_write(x->c, x->o->seg, x->o->offset, h.mem, len);
        x87_underflow(f);
    } else {
        const unsigned blocking = FPU_SW_IE | FPU_SW_DE | FPU_SW_OE | FPU_SW_UE;
        h.a = *x87_st(f, 0);
        /* FST/FIST (r 2) stubs also serve FSTP/FISTP (r 3); the pop is done here. */
        x87_host_run(f, x87_host_mem(op, r == 3 ? 2 : r), &h);
        if (x87_blocked(f, &h, blocking)) {
            x87_merge(f, &h, blocking);
            return FPU_EXEC_DONE;
        }
        cpu_fpu_write(x->c, x->o->seg, x->o->offset, h.mem, len);
        x87_merge(f, &h, blocking);
    }
    if (pop)
        x87_pop(f);
    return FPU_EXEC_DONE;
}

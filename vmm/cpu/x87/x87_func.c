/* The D9 E8..FF group: constants, and the one- and two-operand functions (F2XM1, FYL2X,
 * FPTAN, FPATAN, FXTRACT, FPREM1, FPREM, FYL2XP1, FSQRT, FSINCOS, FRNDINT, FSCALE, FSIN,
 * FCOS). Values come from the host x87; stack faults and the stack effect are handled here. */
#include "vmm/cpu/x87/x87.h"

/* Where the result goes: ST0 replaced; ST1 replaced and ST0 popped; or ST0 replaced and a
 * second result pushed. */
enum { X87_FN_ST0, X87_FN_ST1_POP, X87_FN_PUSH };

static unsigned x87_func_kind(uint8_t modrm)
{
    switch (modrm) {
    case 0xF1: /* FYL2X */
    case 0xF3: /* FPATAN */
    case 0xF9: /* FYL2XP1 */ return X87_FN_ST1_POP;
    case 0xF2: /* FPTAN */
    case 0xF4: /* FXTRACT */
    case 0xFB: /* FSINCOS */ return X87_FN_PUSH;
    default: return X87_FN_ST0;
    }
}

/* Operands read: ST0 only, or ST0 and ST1. */
static bool x87_func_binary(uint8_t modrm)
{
    return modrm == 0xF1 || modrm == 0xF3 || modrm == 0xF5 || modrm == 0xF8 || modrm == 0xF9 ||
           modrm == 0xFD;
}

int x87_fconst(fpu *f, x87_host_fn *fn)
{
    if (!x87_empty(f, 7)) {
        if (x87_overflow(f))
            x87_push(f, x87_indefinite());
        return FPU_EXEC_DONE;
    }
    x87_host h;
    x87_host_init(&h);
    x87_host_run(f, fn, &h);
    x87_merge(f, &h, 0);
    x87_push(f, h.r[0]);
    return FPU_EXEC_DONE;
}

/* Masked response to a stack fault: indefinite in every destination. */
static void x87_func_fault(fpu *f, unsigned kind)
{
    switch (kind) {
    case X87_FN_ST0: x87_write(f, 0, x87_indefinite()); break;
    case X87_FN_ST1_POP:
        x87_write(f, 1, x87_indefinite());
        x87_pop(f);
        break;
    default:
        x87_write(f, 0, x87_indefinite());
        x87_push(f, x87_indefinite());
        break;
    }
}

static void x87_func_result(fpu *f, unsigned kind, const x87_host *h)
{
    /* These run in full stubs, whose FLDENV sets the host's TOP to 0: after loading b and a
     * it is 6, and a push leaves it at 5. */
    bool pushed = ((h->sw >> FPU_SW_TOP_SHIFT) & 7) == 5;
    switch (kind) {
    case X87_FN_ST0: x87_write(f, 0, h->r[0]); break;
    case X87_FN_ST1_POP:
        x87_write(f, 1, h->r[0]);
        x87_pop(f);
        break;
    default:
        if (pushed) {
            x87_write(f, 0, h->r[1]);
            x87_push(f, h->r[0]);
        } else {
            x87_write(f, 0, h->r[0]);
        }
        break;
    }
}

/* Functions that report an incomplete result or an out-of-range operand in C2 clear it on
 * a stack fault. */
static bool x87_func_sets_c2(uint8_t modrm)
{
    return modrm == 0xF2 || modrm == 0xF5 || modrm == 0xF8 || modrm == 0xFB || modrm == 0xFE ||
           modrm == 0xFF;
}

int x87_func(fpu *f, uint8_t modrm)
{
    unsigned kind = x87_func_kind(modrm);
    bool binary = x87_func_binary(modrm);
    if (x87_func_sets_c2(modrm) && (x87_empty(f, 0) || (binary && x87_empty(f, 1)) ||
                                    (kind == X87_FN_PUSH && !x87_empty(f, 7))))
        f->sw &= (uint16_t)~FPU_SW_C2;
    if (x87_empty(f, 0) || (binary && x87_empty(f, 1))) {
        if (x87_underflow(f))
            x87_func_fault(f, kind);
        return FPU_EXEC_DONE;
    }
    if (kind == X87_FN_PUSH && !x87_empty(f, 7)) {
        if (x87_overflow(f))
            x87_func_fault(f, kind);
        return FPU_EXEC_DONE;
    }
    x87_host h;
    x87_host_init(&h);
    h.a = *x87_st(f, 0);
    h.b = *x87_st(f, 1);
    x87_host_run(f, x87_host_d9(modrm), &h);
    if (x87_merge(f, &h, FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE))
        return FPU_EXEC_DONE;
    x87_func_result(f, kind, &h);
    return FPU_EXEC_DONE;
}

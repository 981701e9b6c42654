/* FPU state helpers: init, tags, exception flags, stack faults, and the bridge to the host
 * stubs (x87_host.c). */
#include "vmm/cpu/x87/x87.h"

void fpu_init(fpu *f)
{
    /* FNINIT: CW 0x37F, SW 0, all tags empty, pointers and opcode cleared. Register contents
     * are kept (the hardware leaves them). */
    f->cw = 0x037F;
    f->sw = 0;
    f->tw = 0xFFFF;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

bool fpu_error_pending(const fpu *f)
{
    return (f->sw & FPU_SW_ES) != 0;
}

void x87_update_es(fpu *f)
{
    if (f->sw & ~f->cw & X87_CW_MASKS)
        f->sw |= FPU_SW_ES | FPU_SW_B;
    else
        f->sw &= (uint16_t) ~(FPU_SW_ES | FPU_SW_B);
}

void x87_raise(fpu *f, unsigned flags)
{
    f->sw |= (uint16_t)flags;
    x87_update_es(f);
}

static bool x87_stack_fault(fpu *f, bool overflow)
{
    f->sw = (uint16_t)((f->sw & ~FPU_SW_C1) | (overflow ? FPU_SW_C1 : 0));
    x87_raise(f, FPU_SW_IE | FPU_SW_SF);
    return (f->cw & FPU_SW_IE) != 0;
}

bool x87_underflow(fpu *f)
{
    return x87_stack_fault(f, false);
}

bool x87_overflow(fpu *f)
{
    return x87_stack_fault(f, true);
}

void x87_host_run(fpu *f, x87_host_fn *fn, x87_host *h)
{
    h->cw = f->cw;
    h->cc = f->sw & X87_CC;
    /* Host flags left from earlier stubs are harmless if the guest has them too (they are
     * sticky) and masks them (no spurious trap on the host). */
    h->stale_ok = f->sw & f->cw & X87_FLAGS;
    fn(h);
}

bool x87_blocked(const fpu *f, const x87_host *h, unsigned blocking)
{
    return (h->sw & ~f->cw & blocking & X87_FLAGS) != 0;
}

bool x87_merge(fpu *f, const x87_host *h, unsigned blocking)
{
    bool blocked = x87_blocked(f, h, blocking);
    f->sw = (uint16_t)((f->sw & ~h->ccmask) | (h->sw & h->ccmask));
    x87_raise(f, h->sw & X87_FLAGS);
    return blocked;
}

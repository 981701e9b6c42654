/* Internals of the x87 FPU shared by the files of vmm/cpu/x87/.
 *
 * Invariants:
 *  - f->tw always holds the tag of every physical register; a non-empty tag always matches
 *    the register's contents (x87_write keeps both in step).
 *  - f->sw.ES and f->sw.B are recomputed from the flags and the masks whenever a flag is
 *    raised or the control/status word is loaded (x87_update_es).
 *  - Values are computed by the host's x87 (x87_host.c) running with the guest's control
 *    word; stack, tags, TOP and memory are managed here in software. */
#ifndef VIREO_VMM_CPU_X87_X87_H
#define VIREO_VMM_CPU_X87_X87_H

#include "vmm/cpu/fpu.h"

enum {
    X87_FLAGS = 0x3F,                                       /* IE..PE */
    X87_CC = FPU_SW_C0 | FPU_SW_C1 | FPU_SW_C2 | FPU_SW_C3, /* condition codes */
    X87_CW_MASKS = 0x3F,                                    /* IM..PM */
};

/* One operation on the host x87 (x87_host.c). The stub loads b then a (so a is ST0, b
 * ST1), runs one instruction (a memory operand is at mem), and reads back ST0 (and ST1 for
 * the instructions that push a second result). */
typedef struct x87_host {
    fpu_reg a, b;
    uint16_t cw;       /* guest control word */
    uint16_t cc;       /* guest condition codes (full stubs start from them) */
    uint16_t stale_ok; /* flags the host may still have set from earlier stubs */
    uint16_t sw;       /* out: host status word right after the instruction */
    uint16_t ccmask;   /* out: the condition codes sw defines */
    fpu_reg r[2];      /* out: host ST0, ST1 */
    uint8_t mem[16] __attribute__((aligned(16)));
} x87_host;

typedef void x87_host_fn(x87_host *h);

/* The stub for a memory form op /r (op D8..DF), or NULL if none exists. */
x87_host_fn *x87_host_mem(uint8_t op, unsigned r);
/* Register forms: arithmetic D8 /r with ST(1) as source (r 0..7), FUCOM ST(1), and the
 * D9 E0..FF group (modrm E0..FF). NULL when none exists. */
x87_host_fn *x87_host_arith(unsigned r);
x87_host_fn *x87_host_fucom(void);
x87_host_fn *x87_host_d9(uint8_t modrm);

static inline unsigned x87_top(const fpu *f)
{
    return (f->sw >> FPU_SW_TOP_SHIFT) & 7;
}

static inline void x87_set_top(fpu *f, unsigned top)
{
    f->sw = (uint16_t)((f->sw & ~FPU_SW_TOP) | ((top & 7) << FPU_SW_TOP_SHIFT));
}

static inline unsigned x87_phys(const fpu *f, unsigned i)
{
    return (x87_top(f) + i) & 7;
}

static inline unsigned x87_tag_phys(const fpu *f, unsigned p)
{
    return (f->tw >> (2 * p)) & 3;
}

static inline void x87_set_tag_phys(fpu *f, unsigned p, unsigned tag)
{
    f->tw = (uint16_t)((f->tw & ~(3u << (2 * p))) | (tag << (2 * p)));
}

static inline bool x87_empty(const fpu *f, unsigned i)
{
    return x87_tag_phys(f, x87_phys(f, i)) == FPU_TAG_EMPTY;
}

static inline fpu_reg *x87_st(fpu *f, unsigned i)
{
    return &f->st[x87_phys(f, i)];
}

/* The tag a non-empty register with this content gets. */
static inline unsigned x87_classify(const fpu_reg *r)
{
    unsigned exp = r->sign_exp & 0x7FFF;
    if (exp == 0x7FFF)
        return FPU_TAG_SPECIAL; /* infinities, NaNs, pseudo-NaNs */
    if (exp == 0)
        return r->mant == 0 ? FPU_TAG_ZERO : FPU_TAG_SPECIAL; /* (pseudo-)denormals */
    return (r->mant >> 63) ? FPU_TAG_VALID : FPU_TAG_SPECIAL; /* unnormals are special */
}

static inline void x87_write(fpu *f, unsigned i, fpu_reg v)
{
    unsigned p = x87_phys(f, i);
    f->st[p] = v;
    x87_set_tag_phys(f, p, x87_classify(&v));
}

static inline void x87_pop(fpu *f)
{
    x87_set_tag_phys(f, x87_phys(f, 0), FPU_TAG_EMPTY);
    x87_set_top(f, x87_top(f) + 1);
}

static inline void x87_push(fpu *f, fpu_reg v)
{
    x87_set_top(f, x87_top(f) - 1);
    x87_write(f, 0, v);
}

static inline fpu_reg x87_indefinite(void)
{
    return (fpu_reg){.mant = 0xC000000000000000ull, .sign_exp = 0xFFFF};
}

/* Recompute ES and B from the flags and masks. */
void x87_update_es(fpu *f);
/* Raise exception flags (sticky) and update ES/B. */
void x87_raise(fpu *f, unsigned flags);
static inline bool x87_masked(const fpu *f, unsigned flags)
{
    return (f->cw & flags & X87_CW_MASKS) == (flags & X87_CW_MASKS);
}
/* Stack faults: raise IE|SF with C1 = 0 (underflow) or 1 (overflow). Return true when
 * IE is masked, i.e. the masked response must be applied. */
bool x87_underflow(fpu *f);
bool x87_overflow(fpu *f);

/* Run a host stub on a, b with the guest's control word and condition codes. */
void x87_host_run(fpu *f, x87_host_fn *fn, x87_host *h);
/* True when the host raised an unmasked exception among `blocking`. */
bool x87_blocked(const fpu *f, const x87_host *h, unsigned blocking);
/* Prepare a host block: operands default to +0.0; mem is left for the caller. */
static inline void x87_host_init(x87_host *h)
{
    h->a = (fpu_reg){0};
    h->b = (fpu_reg){0};
}
/* Merge the host's flags and condition codes into f. Returns true when an unmasked
 * exception among `blocking` (e.g. IE|DE|ZE) occurred: the destination must stay unchanged. */
bool x87_merge(fpu *f, const x87_host *h, unsigned blocking);

/* Instruction groups (x87_arith.c, x87_ldst.c, x87_ctrl.c, x87_misc.c). */
typedef struct x87_ctx {
    struct cpu *c;
    fpu *f;
    fpu_operand *o;
} x87_ctx;

int x87_arith_mem(x87_ctx *x, uint8_t op, unsigned r);
int x87_arith_reg(x87_ctx *x, uint8_t op, unsigned r, unsigned i);
int x87_load_mem(x87_ctx *x, uint8_t op, unsigned r);
int x87_store_mem(x87_ctx *x, uint8_t op, unsigned r, bool pop);
int x87_env_op(x87_ctx *x, uint8_t op, unsigned r);
int x87_d9_reg(x87_ctx *x, uint8_t modrm);
int x87_reg_misc(x87_ctx *x, uint8_t op, uint8_t modrm);
int x87_fnstsw_ax(x87_ctx *x);
int x87_fconst(fpu *f, x87_host_fn *fn);
int x87_func(fpu *f, uint8_t modrm);

#endif

/* A prospective stack: pushes and pops against a stack segment that may not be loaded yet
 * (interrupt delivery, far calls through gates, far returns), so that all checks happen before
 * any register changes. ESP is written back only by stk_commit(). */
#ifndef VIREO_VMM_CPU_STACK_H
#define VIREO_VMM_CPU_STACK_H

#include "vmm/cpu/cpu_int.h"

typedef struct stk {
    uint32_t base, limit, ar, mask, sp;
    uint32_t err; /* error code of the #SS a limit violation raises */
    bool user;    /* page-level rights of the accesses */
    bool real;    /* no rights checks (real mode, v8086) */
} stk;

static inline void stk_init_cur(cpu *c, stk *st)
{
    const seg_cache *ss = &c->seg[CPU_SEG_SS];
    *st = (stk){ss->base, ss->limit,   ss->ar,   c->ss_mask, c->gpr[CPU_ESP] & c->ss_mask,
                0,        c->cpl == 3, !c->pmode};
}

static inline void stk_init_desc(stk *st, uint32_t lo, uint32_t hi, uint32_t esp, uint32_t err,
                                 bool user)
{
    uint32_t ar = desc_ar(hi);
    uint32_t mask = AR_DB(ar) ? 0xFFFFFFFFu : 0xFFFF;
    *st = (stk){desc_base(lo, hi), desc_limit(lo, hi), ar, mask, esp & mask, err, user, false};
}

static inline void stk_check(cpu *c, const stk *st, uint32_t off, unsigned n)
{
    uint32_t last = off + n - 1;
    bool down = !st->real && AR_DATA(st->ar) && (st->ar & 4);
    bool bad;
    if (!down)
        bad = last < off || last > st->limit;
    else
        bad = off <= st->limit || last > (AR_DB(st->ar) ? 0xFFFFFFFFu : 0xFFFF) || last < off;
    if (bad)
        cpu_raise(c, EXC_SS, st->err);
}

static inline void stk_push(cpu *c, stk *st, uint32_t v, unsigned n)
{
    uint32_t sp = (st->sp - n) & st->mask;
    stk_check(c, st, sp, n);
    lin_write(c, st->base + sp, n == 2 ? (v & 0xFFFF) : v, n, st->user);
    st->sp = sp;
}

static inline uint32_t stk_pop(cpu *c, stk *st, unsigned n)
{
    stk_check(c, st, st->sp, n);
    uint32_t v = lin_read(c, st->base + st->sp, n, st->user);
    st->sp = (st->sp + n) & st->mask;
    return v;
}

/* Peek n bytes at sp + off without moving. */
static inline uint32_t stk_peek(cpu *c, const stk *st, uint32_t off, unsigned n)
{
    uint32_t a = (st->sp + off) & st->mask;
    stk_check(c, st, a, n);
    return lin_read(c, st->base + a, n, st->user);
}

static inline void stk_commit(cpu *c, const stk *st)
{
    c->gpr[CPU_ESP] = (c->gpr[CPU_ESP] & ~st->mask) | (st->sp & st->mask);
}

void tss_stack(cpu *c, unsigned dpl, uint16_t *ret_ss, uint32_t *ret_esp);
void load_new_ss(cpu *c, uint16_t ss, unsigned dpl, uint32_t ext, uint32_t *lo, uint32_t *hi);

#endif

/* Lazy arithmetic flags.
 *
 * Invariants:
 *  - c->lf.op == LF_NONE: CF PF AF ZF SF OF live in c->eflags.
 *  - otherwise those six bits of c->eflags are stale and are derived from c->lf:
 *      res  = the result, sign-extended from the operation size (so ZF = res == 0 and
 *             SF = bit 31 for every size; PF = even parity of the low byte),
 *      a, b = the operands as given (upper bits beyond the size are ignored),
 *      op   = kind << 2 | size index (0: 8, 1: 16, 2: 32 bits).
 *  - per kind: ADD/ADC/SUB/SBB: CF, OF, AF from a, b, res (the carry-in of ADC/SBB is
 *    recovered as res - a - b, resp. a - b - res, masked to the size);
 *    LOGIC: CF = OF = AF = 0; INC/DEC: b holds the CF from before (preserved);
 *    EAGER: a holds CF, AF, OF already in their EFLAGS bit positions (shifts, multiplies).
 *  - Instructions that change only some arithmetic flags call flags_materialize() first and
 *    then edit c->eflags; all other EFLAGS bits are always live in c->eflags. */
#ifndef VIREO_VMM_CPU_FLAGS_H
#define VIREO_VMM_CPU_FLAGS_H

#include "vmm/cpu/cpu_int.h"

enum { LF_NONE = 0, LF_ADD = 1, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC, LF_EAGER };

static const uint32_t lf_mask[3] = {0xFF, 0xFFFF, 0xFFFFFFFFu};
static const uint32_t lf_sign[3] = {0x80, 0x8000, 0x80000000u};

static inline uint32_t sext(uint32_t v, int sz)
{
    return sz == 0 ? (uint32_t)(int32_t)(int8_t)v : sz == 1 ? (uint32_t)(int32_t)(int16_t)v : v;
}

static inline void lf_set(cpu *c, int kind, int sz, uint32_t res, uint32_t a, uint32_t b)
{
    c->lf.res = sext(res, sz);
    c->lf.a = a;
    c->lf.b = b;
    c->lf.op = (uint32_t)(kind << 2 | sz);
}

uint32_t flags_cf(const cpu *c);
uint32_t flags_of(const cpu *c);
uint32_t flags_af(const cpu *c);
void flags_materialize(cpu *c);
bool cpu_cond(const cpu *c, unsigned cc);

static inline bool get_zf(const cpu *c)
{
    return c->lf.op ? c->lf.res == 0 : (c->eflags & F_ZF) != 0;
}
static inline bool get_sf(const cpu *c)
{
    return c->lf.op ? (c->lf.res >> 31) : (c->eflags & F_SF) != 0;
}
static inline bool get_pf(const cpu *c)
{
    return c->lf.op ? !__builtin_parity(c->lf.res & 0xFF) : (c->eflags & F_PF) != 0;
}
static inline bool get_cf(const cpu *c)
{
    return c->lf.op ? flags_cf(c) : (c->eflags & F_CF);
}
static inline bool get_of(const cpu *c)
{
    return c->lf.op ? flags_of(c) : (c->eflags & F_OF) != 0;
}

/* ALU primitives: compute the result, record the flags lazily. sz: 0, 1, 2. */
static inline uint32_t alu_add(cpu *c, uint32_t a, uint32_t b, int sz)
{
    uint32_t r = a + b;
    lf_set(c, LF_ADD, sz, r, a, b);
    return r & lf_mask[sz];
}
static inline uint32_t alu_adc(cpu *c, uint32_t a, uint32_t b, int sz)
{
    uint32_t r = a + b + (get_cf(c) ? 1 : 0);
    lf_set(c, LF_ADC, sz, r, a, b);
    return r & lf_mask[sz];
}
static inline uint32_t alu_sub(cpu *c, uint32_t a, uint32_t b, int sz)
{
    uint32_t r = a - b;
    lf_set(c, LF_SUB, sz, r, a, b);
    return r & lf_mask[sz];
}
static inline uint32_t alu_sbb(cpu *c, uint32_t a, uint32_t b, int sz)
{
    uint32_t r = a - b - (get_cf(c) ? 1 : 0);
    lf_set(c, LF_SBB, sz, r, a, b);
    return r & lf_mask[sz];
}
static inline uint32_t alu_logic(cpu *c, uint32_t r, int sz)
{
    lf_set(c, LF_LOGIC, sz, r, 0, 0);
    return r & lf_mask[sz];
}
static inline uint32_t alu_inc(cpu *c, uint32_t a, int sz)
{
    uint32_t cf = get_cf(c);
    uint32_t r = a + 1;
    lf_set(c, LF_INC, sz, r, a, cf);
    return r & lf_mask[sz];
}
static inline uint32_t alu_dec(cpu *c, uint32_t a, int sz)
{
    uint32_t cf = get_cf(c);
    uint32_t r = a - 1;
    lf_set(c, LF_DEC, sz, r, a, cf);
    return r & lf_mask[sz];
}
/* Result with CF/AF/OF given explicitly (bits in EFLAGS positions). */
static inline void lf_eager(cpu *c, uint32_t res, int sz, uint32_t cao)
{
    lf_set(c, LF_EAGER, sz, res, cao, 0);
}

#endif

/* Lazy flags: derivation of CF, OF, AF on demand (invariants in flags.h) and the condition
 * codes of Jcc / SETcc / CMOVcc. */
#include "vmm/cpu/flags.h"

uint32_t flags_cf(const cpu *c)
{
    int sz = c->lf.op & 3;
    uint32_t m = lf_mask[sz];
    uint32_t r = c->lf.res & m, a = c->lf.a & m, b = c->lf.b & m;
    switch (c->lf.op >> 2) {
    case LF_ADD: return r < a;
    case LF_ADC: return ((r - a - b) & m) ? r <= a : r < a;
    case LF_SUB: return a < b;
    case LF_SBB: return ((a - b - r) & m) ? a <= b : a < b;
    case LF_LOGIC: return 0;
    case LF_INC:
    case LF_DEC: return c->lf.b & 1;
    case LF_EAGER: return c->lf.a & F_CF;
    default: return c->eflags & F_CF;
    }
}

/* OF: for addition the sign of the result differs from both operands' signs:
 *   ((a ^ res) & (b ^ res)) sign bit; for subtraction a and b differ in sign and the result
 *   differs from a: ((a ^ b) & (a ^ res)) sign bit. INC overflows to the minimum, DEC from it. */
uint32_t flags_of(const cpu *c)
{
    int sz = c->lf.op & 3;
    uint32_t s = lf_sign[sz];
    uint32_t r = c->lf.res, a = c->lf.a, b = c->lf.b;
    switch (c->lf.op >> 2) {
    case LF_ADD:
    case LF_ADC: return ((a ^ r) & (b ^ r) & s) != 0;
    case LF_SUB:
    case LF_SBB: return ((a ^ b) & (a ^ r) & s) != 0;
    case LF_LOGIC: return 0;
    case LF_INC: return (r & lf_mask[sz]) == s;
    case LF_DEC: return (a & lf_mask[sz]) == s;
    case LF_EAGER: return (c->lf.a & F_OF) != 0;
    default: return (c->eflags & F_OF) != 0;
    }
}

/* AF: carry out of bit 3, visible as bit 4 of a ^ b ^ res (b = 1 for INC/DEC). */
uint32_t flags_af(const cpu *c)
{
    uint32_t r = c->lf.res, a = c->lf.a, b = c->lf.b;
    switch (c->lf.op >> 2) {
    case LF_ADD:
    case LF_ADC:
    case LF_SUB:
    case LF_SBB: return ((a ^ b ^ r) & 0x10) != 0;
    case LF_LOGIC: return 0;
    case LF_INC:
    case LF_DEC: return ((a ^ 1 ^ r) & 0x10) != 0;
    case LF_EAGER: return (c->lf.a & F_AF) != 0;
    default: return (c->eflags & F_AF) != 0;
    }
}

void flags_materialize(cpu *c)
{
    if (c->lf.op == LF_NONE)
        return;
    uint32_t f = c->eflags & ~F_ARITH;
    if (flags_cf(c))
        f |= F_CF;
    if (get_pf(c))
        f |= F_PF;
    if (flags_af(c))
        f |= F_AF;
    if (c->lf.res == 0)
        f |= F_ZF;
    if (c->lf.res >> 31)
        f |= F_SF;
    if (flags_of(c))
        f |= F_OF;
    c->eflags = f;
    c->lf.op = LF_NONE;
}

/* Condition codes (low nibble of Jcc/SETcc/CMOVcc), odd codes negate the even one before:
 *   0 O: OF            2 B: CF             4 Z: ZF            6 BE: CF | ZF
 *   8 S: SF            A P: PF             C L: SF != OF      E LE: ZF | (SF != OF) */
bool cpu_cond(const cpu *c, unsigned cc)
{
    bool v;
    switch (cc >> 1) {
    case 0: v = get_of(c); break;
    case 1: v = get_cf(c); break;
    case 2: v = get_zf(c); break;
    case 3: v = get_cf(c) || get_zf(c); break;
    case 4: v = get_sf(c); break;
    case 5: v = get_pf(c); break;
    case 6: v = get_sf(c) != get_of(c); break;
    default: v = get_zf(c) || (get_sf(c) != get_of(c)); break;
    }
    return v ^ (cc & 1);
}

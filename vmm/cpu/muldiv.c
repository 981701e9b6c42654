/* MUL IMUL DIV IDIV (with #DE on a zero divisor or a quotient that does not fit), the two-
 * and three-operand IMUL forms, and the BCD adjustments DAA DAS AAA AAS AAM AAD, plus SALC. */
#include "vmm/cpu/ops.h"

/* F6/F7 /4 MUL: CF = OF = upper half non-zero */
ALWAYS_INLINE int mul_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t b = e_read(c, i, sz, mem);
    uint32_t lo, hi;
    if (sz == 0) {
        uint32_t r = (c->gpr[0] & 0xFF) * b;
        set_r16(c, 0, r);
        lo = r & 0xFF;
        hi = r >> 8;
    } else if (sz == 1) {
        uint32_t r = (c->gpr[0] & 0xFFFF) * b;
        set_r16(c, CPU_EAX, r);
        set_r16(c, CPU_EDX, r >> 16);
        lo = r & 0xFFFF;
        hi = r >> 16;
    } else {
        uint64_t r = (uint64_t)c->gpr[0] * b;
        c->gpr[CPU_EAX] = lo = (uint32_t)r;
        c->gpr[CPU_EDX] = hi = (uint32_t)(r >> 32);
    }
    lf_eager(c, lo, sz, hi ? (F_CF | F_OF) : 0);
    return 0;
}
GEN_B(mul)
GEN_V(mul)

/* F6/F7 /5 IMUL: CF = OF = the result does not fit the low half (sign-extended) */
ALWAYS_INLINE int imul1_t(cpu *c, const insn *i, int sz, bool mem)
{
    int32_t b = (int32_t)sext(e_read(c, i, sz, mem), sz);
    bool ov;
    uint32_t lo;
    if (sz == 0) {
        int32_t r = (int8_t)c->gpr[0] * b;
        set_r16(c, 0, (uint32_t)r);
        lo = (uint32_t)r & 0xFF;
        ov = r != (int8_t)r;
    } else if (sz == 1) {
        int32_t r = (int16_t)c->gpr[0] * b;
        set_r16(c, CPU_EAX, (uint32_t)r);
        set_r16(c, CPU_EDX, (uint32_t)r >> 16);
        lo = (uint32_t)r & 0xFFFF;
        ov = r != (int16_t)r;
    } else {
        int64_t r = (int64_t)(int32_t)c->gpr[0] * b;
        c->gpr[CPU_EAX] = lo = (uint32_t)r;
        c->gpr[CPU_EDX] = (uint32_t)((uint64_t)r >> 32);
        ov = r != (int32_t)r;
    }
    lf_eager(c, lo, sz, ov ? (F_CF | F_OF) : 0);
    return 0;
}
GEN_B(imul1)
GEN_V(imul1)

/* 0F AF IMUL Gv,Ev ; 69 IMUL Gv,Ev,Iz ; 6B IMUL Gv,Ev,Ibs */
ALWAYS_INLINE int imul2_t(cpu *c, const insn *i, int sz, bool mem, int form)
{
    int64_t a = (int32_t)sext(e_read(c, i, sz, mem), sz);
    int64_t b = form ? (int32_t)sext(i->imm, sz) : (int32_t)sext(reg_get(c, i->reg, sz), sz);
    int64_t r = a * b;
    uint32_t lo = (uint32_t)r & lf_mask[sz];
    bool ov = r != (int64_t)(int32_t)sext(lo, sz);
    reg_set(c, i->reg, lo, sz);
    lf_eager(c, lo, sz, ov ? (F_CF | F_OF) : 0);
    return 0;
}
#define imul2_r_t imul2_t
#define imul3_t   imul2_t
GEN_V(imul2_r, 0)
GEN_V(imul3, 1)

/* F6/F7 /6 DIV */
ALWAYS_INLINE int divu_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t b = e_read(c, i, sz, mem);
    if (!b)
        cpu_raise(c, EXC_DE, 0);
    if (sz == 0) {
        uint32_t a = c->gpr[0] & 0xFFFF, q = a / b;
        if (q > 0xFF)
            cpu_raise(c, EXC_DE, 0);
        set_r16(c, 0, ((a % b) << 8) | q);
    } else if (sz == 1) {
        uint32_t a = ((c->gpr[CPU_EDX] & 0xFFFF) << 16) | (c->gpr[0] & 0xFFFF), q = a / b;
        if (q > 0xFFFF)
            cpu_raise(c, EXC_DE, 0);
        set_r16(c, CPU_EAX, q);
        set_r16(c, CPU_EDX, a % b);
    } else {
        uint64_t a = ((uint64_t)c->gpr[CPU_EDX] << 32) | c->gpr[0], q = a / b;
        if (q > 0xFFFFFFFFu)
            cpu_raise(c, EXC_DE, 0);
        c->gpr[CPU_EAX] = (uint32_t)q;
        c->gpr[CPU_EDX] = (uint32_t)(a % b);
    }
    return 0;
}

GEN_B(divu)
GEN_V(divu)

/* F6/F7 /7 IDIV: the quotient truncates toward zero, the remainder has the dividend's sign */
ALWAYS_INLINE int idiv_t(cpu *c, const insn *i, int sz, bool mem)
{
    int64_t b = (int32_t)sext(e_read(c, i, sz, mem), sz);
    if (!b)
        cpu_raise(c, EXC_DE, 0);
    int64_t a;
    if (sz == 0)
        a = (int16_t)c->gpr[0];
    else if (sz == 1)
        a = (int32_t)(((c->gpr[CPU_EDX] & 0xFFFF) << 16) | (c->gpr[0] & 0xFFFF));
    else
        a = (int64_t)(((uint64_t)c->gpr[CPU_EDX] << 32) | c->gpr[0]);
    if (sz == 2 && a == INT64_MIN && b == -1)
        cpu_raise(c, EXC_DE, 0);
    int64_t q = a / b, r = a % b;
    int64_t lim = sz == 0 ? 0x7F : sz == 1 ? 0x7FFF : 0x7FFFFFFF;
    if (q > lim || q < -lim - 1)
        cpu_raise(c, EXC_DE, 0);
    if (sz == 0) {
        set_r16(c, 0, (((uint32_t)r & 0xFF) << 8) | ((uint32_t)q & 0xFF));
    } else if (sz == 1) {
        set_r16(c, CPU_EAX, (uint32_t)q);
        set_r16(c, CPU_EDX, (uint32_t)r);
    } else {
        c->gpr[CPU_EAX] = (uint32_t)q;
        c->gpr[CPU_EDX] = (uint32_t)r;
    }
    return 0;
}
GEN_B(idiv)
GEN_V(idiv)

/* BCD: flags written directly */
static void set_szp(cpu *c, uint32_t v8, uint32_t extra_set, uint32_t extra_mask)
{
    flags_materialize(c);
    uint32_t f = c->eflags & ~(F_SF | F_ZF | F_PF | extra_mask);
    v8 &= 0xFF;
    if (!v8)
        f |= F_ZF;
    if (v8 & 0x80)
        f |= F_SF;
    if (!__builtin_parity(v8))
        f |= F_PF;
    c->eflags = f | extra_set;
}

static int daa(cpu *c, const insn *i)
{
    flags_materialize(c);
    uint32_t al = c->gpr[0] & 0xFF, old = al;
    bool cf = c->eflags & F_CF, af = c->eflags & F_AF, ncf = false, naf = false;
    if ((al & 0xF) > 9 || af) {
        al += 6;
        ncf = cf || al > 0xFF;
        naf = true;
    }
    if (old > 0x99 || cf) {
        al += 0x60;
        ncf = true;
    }
    *r8p(c, 0) = (uint8_t)al;
    set_szp(c, al, (ncf ? F_CF : 0) | (naf ? F_AF : 0), F_CF | F_AF | F_OF);
    return 0;
}

static int das(cpu *c, const insn *i)
{
    flags_materialize(c);
    uint32_t al = c->gpr[0] & 0xFF, old = al;
    bool cf = c->eflags & F_CF, af = c->eflags & F_AF, ncf = false, naf = false;
    if ((al & 0xF) > 9 || af) {
        ncf = cf || al < 6;
        al = (al - 6) & 0xFF;
        naf = true;
    }
    if (old > 0x99 || cf) {
        al = (al - 0x60) & 0xFF;
        ncf = true;
    }
    *r8p(c, 0) = (uint8_t)al;
    set_szp(c, al, (ncf ? F_CF : 0) | (naf ? F_AF : 0), F_CF | F_AF | F_OF);
    return 0;
}

static int aaa_aas(cpu *c, const insn *i, bool sub)
{
    flags_materialize(c);
    uint32_t ax = c->gpr[0] & 0xFFFF;
    bool adj = (ax & 0xF) > 9 || (c->eflags & F_AF);
    if (adj)
        ax = sub ? ((ax - 6) & 0xFF) | ((((ax >> 8) - 1) & 0xFF) << 8) : (ax + 0x106) & 0xFFFF;
    ax &= 0xFF0F;
    set_r16(c, 0, ax);
    set_szp(c, ax, adj ? (F_CF | F_AF) : 0, F_CF | F_AF | F_OF);
    return 0;
}
static int aaa(cpu *c, const insn *i)
{
    return aaa_aas(c, i, false);
}
static int aas(cpu *c, const insn *i)
{
    return aaa_aas(c, i, true);
}

static int aam(cpu *c, const insn *i)
{
    uint32_t base = i->imm & 0xFF;
    if (!base)
        cpu_raise(c, EXC_DE, 0);
    uint32_t al = c->gpr[0] & 0xFF;
    set_r16(c, 0, ((al / base) << 8) | (al % base));
    set_szp(c, al % base, 0, F_CF | F_AF | F_OF);
    return 0;
}

static int aad(cpu *c, const insn *i)
{
    uint32_t al = ((c->gpr[0] & 0xFF) + ((c->gpr[0] >> 8) & 0xFF) * (i->imm & 0xFF)) & 0xFF;
    set_r16(c, 0, al);
    set_szp(c, al, 0, F_CF | F_AF | F_OF);
    return 0;
}

/* D6 SALC (undocumented): AL = CF ? FF : 00 */
static int salc(cpu *c, const insn *i)
{
    *r8p(c, 0) = get_cf(c) ? 0xFF : 0;
    return 0;
}

void muldiv_register(void)
{
    SETG_B(0xF6, 4, mul);
    SETG_V(0xF7, 4, mul);
    SETG_B(0xF6, 5, imul1);
    SETG_V(0xF7, 5, imul1);
    SETG_B(0xF6, 6, divu);
    SETG_V(0xF7, 6, divu);
    SETG_B(0xF6, 7, idiv);
    SETG_V(0xF7, 7, idiv);
    SET_V(0x1AF, imul2_r); /* 0F AF IMUL Gv,Ev */
    SET_V(0x69, imul3);    /* 69 IMUL Gv,Ev,Iz */
    SET_V(0x6B, imul3);    /* 6B IMUL Gv,Ev,Ibs */
    SET_ALL(0x27, daa);
    SET_ALL(0x2F, das);
    SET_ALL(0x37, aaa);
    SET_ALL(0x3F, aas);
    SET_ALL(0xD4, aam);
    SET_ALL(0xD5, aad);
    SET_ALL(0xD6, salc);
}

/* Integer ALU: ADD OR ADC SBB AND SUB XOR CMP in all their forms, TEST, INC, DEC, NOT, NEG. */
#include "vmm/cpu/ops.h"

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP };

ALWAYS_INLINE uint32_t alu_op(cpu *c, int op, uint32_t a, uint32_t b, int sz)
{
    switch (op) {
    case A_ADD: return alu_add(c, a, b, sz);
    case A_OR: return alu_logic(c, a | b, sz);
    case A_ADC: return alu_adc(c, a, b, sz);
    case A_SBB: return alu_sbb(c, a, b, sz);
    case A_AND: return alu_logic(c, a & b, sz);
    case A_SUB: return alu_sub(c, a, b, sz);
    case A_XOR: return alu_logic(c, a ^ b, sz);
    default: alu_sub(c, a, b, sz); return a;
    }
}

/* E op= G */
ALWAYS_INLINE int eg_t(cpu *c, const insn *i, int sz, bool mem, int op)
{
    uint32_t b = reg_get(c, i->reg, sz);
    if (op == A_CMP) {
        alu_op(c, op, e_read(c, i, sz, mem), b, sz);
        return 0;
    }
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    e_write(c, i, sz, mem, ea, alu_op(c, op, a, b, sz));
    return 0;
}

/* G op= E */
ALWAYS_INLINE int ge_t(cpu *c, const insn *i, int sz, bool mem, int op)
{
    uint32_t r = alu_op(c, op, reg_get(c, i->reg, sz), e_read(c, i, sz, mem), sz);
    if (op != A_CMP)
        reg_set(c, i->reg, r, sz);
    return 0;
}

/* E op= imm (group 1) */
ALWAYS_INLINE int ei_t(cpu *c, const insn *i, int sz, bool mem, int op)
{
    if (op == A_CMP) {
        alu_op(c, op, e_read(c, i, sz, mem), i->imm, sz);
        return 0;
    }
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    e_write(c, i, sz, mem, ea, alu_op(c, op, a, i->imm, sz));
    return 0;
}

/* AL/eAX op= imm */
ALWAYS_INLINE int ai_t(cpu *c, const insn *i, int sz, bool mem, int op)
{
    uint32_t r = alu_op(c, op, reg_get(c, CPU_EAX, sz), i->imm, sz);
    if (op != A_CMP)
        reg_set(c, CPU_EAX, r, sz);
    return 0;
}

#define ALU_ALL(N, OP)                                                                             \
    GEN_B(N##_eg, OP)                                                                              \
    GEN_V(N##_eg, OP)                                                                              \
    GEN_B(N##_ge, OP)                                                                              \
    GEN_V(N##_ge, OP)                                                                              \
    GEN_B(N##_ei, OP)                                                                              \
    GEN_V(N##_ei, OP)                                                                              \
    GEN_B(N##_ai, OP)                                                                              \
    GEN_V(N##_ai, OP)

#define add_eg_t eg_t
#define add_ge_t ge_t
#define add_ei_t ei_t
#define add_ai_t ai_t
#define or_eg_t  eg_t
#define or_ge_t  ge_t
#define or_ei_t  ei_t
#define or_ai_t  ai_t
#define adc_eg_t eg_t
#define adc_ge_t ge_t
#define adc_ei_t ei_t
#define adc_ai_t ai_t
#define sbb_eg_t eg_t
#define sbb_ge_t ge_t
#define sbb_ei_t ei_t
#define sbb_ai_t ai_t
#define and_eg_t eg_t
#define and_ge_t ge_t
#define and_ei_t ei_t
#define and_ai_t ai_t
#define sub_eg_t eg_t
#define sub_ge_t ge_t
#define sub_ei_t ei_t
#define sub_ai_t ai_t
#define xor_eg_t eg_t
#define xor_ge_t ge_t
#define xor_ei_t ei_t
#define xor_ai_t ai_t
#define cmp_eg_t eg_t
#define cmp_ge_t ge_t
#define cmp_ei_t ei_t
#define cmp_ai_t ai_t

ALU_ALL(add, A_ADD)
ALU_ALL(or, A_OR)
ALU_ALL(adc, A_ADC)
ALU_ALL(sbb, A_SBB)
ALU_ALL(and, A_AND)
ALU_ALL(sub, A_SUB)
ALU_ALL(xor, A_XOR)
ALU_ALL(cmp, A_CMP)

/* TEST */
ALWAYS_INLINE int test_eg_t(cpu *c, const insn *i, int sz, bool mem)
{
    alu_logic(c, e_read(c, i, sz, mem) & reg_get(c, i->reg, sz), sz);
    return 0;
}
ALWAYS_INLINE int test_ei_t(cpu *c, const insn *i, int sz, bool mem)
{
    alu_logic(c, e_read(c, i, sz, mem) & i->imm, sz);
    return 0;
}
ALWAYS_INLINE int test_ai_t(cpu *c, const insn *i, int sz, bool mem)
{
    alu_logic(c, reg_get(c, CPU_EAX, sz) & i->imm, sz);
    return 0;
}
GEN_B(test_eg)
GEN_V(test_eg)
GEN_B(test_ei)
GEN_V(test_ei)
GEN_B(test_ai)
GEN_V(test_ai)

/* INC / DEC / NOT / NEG on E */
ALWAYS_INLINE int incdec_t(cpu *c, const insn *i, int sz, bool mem, bool dec)
{
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    e_write(c, i, sz, mem, ea, dec ? alu_dec(c, a, sz) : alu_inc(c, a, sz));
    return 0;
}
#define inc_t incdec_t
#define dec_t incdec_t
GEN_B(inc, false)
GEN_V(inc, false)
GEN_B(dec, true)
GEN_V(dec, true)

ALWAYS_INLINE int not_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    e_write(c, i, sz, mem, ea, ~a);
    return 0;
}
ALWAYS_INLINE int neg_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    e_write(c, i, sz, mem, ea, alu_sub(c, 0, a, sz));
    return 0;
}
GEN_B(not )
GEN_V(not )
GEN_B(neg)
GEN_V(neg)

/* INC/DEC r16/r32 (40..4F) */
static int inc_r16(cpu *c, const insn *i)
{
    set_r16(c, i->op & 7, alu_inc(c, c->gpr[i->op & 7] & 0xFFFF, 1));
    return 0;
}
static int inc_r32(cpu *c, const insn *i)
{
    c->gpr[i->op & 7] = alu_inc(c, c->gpr[i->op & 7], 2);
    return 0;
}
static int dec_r16(cpu *c, const insn *i)
{
    set_r16(c, i->op & 7, alu_dec(c, c->gpr[i->op & 7] & 0xFFFF, 1));
    return 0;
}
static int dec_r32(cpu *c, const insn *i)
{
    c->gpr[i->op & 7] = alu_dec(c, c->gpr[i->op & 7], 2);
    return 0;
}

#define REG_ALU(base, N)                                                                           \
    do {                                                                                           \
        SET_B(base + 0, N##_eg);                                                                   \
        SET_V(base + 1, N##_eg);                                                                   \
        SET_B(base + 2, N##_ge);                                                                   \
        SET_V(base + 3, N##_ge);                                                                   \
        SET_B(base + 4, N##_ai);                                                                   \
        SET_V(base + 5, N##_ai);                                                                   \
        SETG_B(0x80, base >> 3, N##_ei);                                                           \
        SETG_B(0x82, base >> 3, N##_ei);                                                           \
        SETG_V(0x81, base >> 3, N##_ei);                                                           \
        SETG_V(0x83, base >> 3, N##_ei);                                                           \
    } while (0)

void alu_register(void)
{
    REG_ALU(0x00, add);   /* 00..05 ADD, 80/0 */
    REG_ALU(0x08, or);    /* 08..0D OR, 80/1 */
    REG_ALU(0x10, adc);   /* 10..15 ADC, 80/2 */
    REG_ALU(0x18, sbb);   /* 18..1D SBB, 80/3 */
    REG_ALU(0x20, and);   /* 20..25 AND, 80/4 */
    REG_ALU(0x28, sub);   /* 28..2D SUB, 80/5 */
    REG_ALU(0x30, xor);   /* 30..35 XOR, 80/6 */
    REG_ALU(0x38, cmp);   /* 38..3D CMP, 80/7 */
    SET_B(0x84, test_eg); /* 84 TEST Eb,Gb */
    SET_V(0x85, test_eg); /* 85 TEST Ev,Gv */
    SET_B(0xA8, test_ai); /* A8 TEST AL,Ib */
    SET_V(0xA9, test_ai); /* A9 TEST eAX,Iz */
    SETG_B(0xF6, 0, test_ei);
    SETG_B(0xF6, 1, test_ei);
    SETG_V(0xF7, 0, test_ei);
    SETG_V(0xF7, 1, test_ei);
    SETG_B(0xF6, 2, not );
    SETG_V(0xF7, 2, not );
    SETG_B(0xF6, 3, neg);
    SETG_V(0xF7, 3, neg);
    SETG_B(0xFE, 0, inc);
    SETG_B(0xFE, 1, dec);
    SETG_V(0xFF, 0, inc);
    SETG_V(0xFF, 1, dec);
    for (int r = 0; r < 8; r++) {
        SET_SZ(0x40 + r, inc_r16, inc_r32); /* 40..47 INC r */
        SET_SZ(0x48 + r, dec_r16, dec_r32); /* 48..4F DEC r */
    }
}

/* fpu_exec: decode the escape opcode and ModRM into the instruction groups, and keep the
 * last-instruction pointers (FIP/FCS, FDP/FDS, FOP). */
#include "vmm/cpu/x87/x87.h"

/* Reserved register-form encodings, one bit per ModRM C0..FF (bit i = ModRM 0xC0 + i),
 * per opcode D8..DF. */
static const uint64_t x87_reserved_reg[8] = {
    [1] = 0x00000000000000FEull << 16 /* D9 D1..D7 */
          | 1ull << 0x22 | 1ull << 0x23 | 1ull << 0x26 | 1ull << 0x27 | 1ull << 0x2F,
    [2] = 0xFFFFFFFF00000000ull & ~(1ull << 0x29), /* DA E0..FF except E9 (FUCOMPP) */
    [3] = 0x00000000000000E0ull << 32              /* DB E5..E7 */
          | 0xFF00000000000000ull,                 /* DB F8..FF */
    [5] = 0xFFFF000000000000ull,                   /* DD F0..FF */
    [6] = 0x00000000FD000000ull,                   /* DE D8, DA..DF */
    [7] = 0x00000000000000FEull << 32              /* DF E1..E7 */
          | 0xFF00000000000000ull,                 /* DF F8..FF */
};

/* Reserved memory forms, one bit per ModRM.reg: D9 /1; DB /1 /4 /6; DD /1 /5; DF /1. The
 * /1 forms are SSE3's FISTTP, which a P6 does not have. */
static const uint8_t x87_reserved_mem[8] = {
    [1] = 1 << 1,
    [3] = 1 << 1 | 1 << 4 | 1 << 6,
    [5] = 1 << 1 | 1 << 5,
    [7] = 1 << 1,
};

bool fpu_encoding_valid(uint8_t op, uint8_t modrm)
{
    unsigned o = op & 7;
    if (op < 0xD8 || op > 0xDF)
        return false;
    if (modrm < 0xC0)
        return !(x87_reserved_mem[o] >> ((modrm >> 3) & 7) & 1);
    return !(x87_reserved_reg[o] >> (modrm - 0xC0) & 1);
}

/* Control instructions: they do not update FIP/FDP/FOP, and (except FLDENV, FLDCW, FRSTOR)
 * do not wait. */
static bool x87_is_control(uint8_t op, uint8_t modrm)
{
    unsigned r = (modrm >> 3) & 7;
    if (modrm < 0xC0)
        return (op == 0xD9 && r >= 4) || (op == 0xDD && r >= 4);
    return (op == 0xDB && modrm >= 0xE0 && modrm <= 0xE4) || (op == 0xDF && modrm == 0xE0);
}

bool fpu_is_waiting(uint8_t op, uint8_t modrm)
{
    unsigned r = (modrm >> 3) & 7;
    if (!x87_is_control(op, modrm))
        return true;
    /* FLDENV (D9 /4), FLDCW (D9 /5), FRSTOR (DD /4) wait; the FN* forms do not. */
    return modrm < 0xC0 && (r == 4 || (op == 0xD9 && r == 5));
}

static int x87_exec_mem(x87_ctx *x, uint8_t op, unsigned r)
{
    switch (op) {
    case 0xD8:
    case 0xDA:
    case 0xDC:
    case 0xDE: return x87_arith_mem(x, op, r);
    case 0xD9:
    case 0xDD:
        if (r == 0)
            return x87_load_mem(x, op, r);
        if (r == 2 || r == 3)
            return x87_store_mem(x, op, r, r == 3);
        return x87_env_op(x, op, r);
    case 0xDB:
        if (r == 0 || r == 5)
            return x87_load_mem(x, op, r);
        return x87_store_mem(x, op, r, r != 2);
    case 0xDF:
        if (r == 0 || r == 4 || r == 5)
            return x87_load_mem(x, op, r);
        return x87_store_mem(x, op, r, r != 2);
    }
    return FPU_EXEC_UD;
}

int fpu_exec(struct cpu *c, fpu *f, uint8_t op, uint8_t modrm, fpu_operand *operand)
{
    x87_ctx x = {.c = c, .f = f, .o = operand};
    if (!fpu_encoding_valid(op, modrm))
        return FPU_EXEC_UD;
    if (!x87_is_control(op, modrm)) {
        f->fop = (uint16_t)(((op & 7) << 8) | modrm);
        f->fip = operand->eip;
        f->fcs = operand->cs;
        if (modrm < 0xC0) {
            f->fdp = operand->offset;
            f->fds = operand->ds;
        }
    }
    if (modrm < 0xC0)
        return x87_exec_mem(&x, op, (modrm >> 3) & 7);
    switch (op) {
    case 0xD8:
    case 0xDC:
    case 0xDE: return x87_arith_reg(&x, op, (modrm >> 3) & 7, modrm & 7);
    case 0xD9: return x87_d9_reg(&x, modrm);
    default: return x87_reg_misc(&x, op, modrm);
    }
}

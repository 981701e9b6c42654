/* Near control transfers (Jcc, JMP, CALL, RET, LOOP, JCXZ), flag instructions and HLT.
 * A handler that transfers control sets EIP itself and returns 1; the block ends. */
#include "vmm/cpu/ops.h"

/* The new EIP must lie within CS; otherwise #GP(0) with EIP unchanged. */
static inline int jump_to(cpu *c, uint32_t t)
{
    if (unlikely(t > c->seg[CPU_SEG_CS].limit))
        cpu_gp(c, 0);
    c->eip = t;
    return 1;
}

static inline uint32_t next_eip(const cpu *c, const insn *i)
{
    return c->eip + i->len;
}

/* 70..7F Jcc rel8, 0F 80..8F Jcc rel16/32 */
static int jcc(cpu *c, const insn *i)
{
    if (!cpu_cond(c, i->op & 0xF))
        return 0;
    return jump_to(c, branch_target(i, next_eip(c, i) + i->imm));
}

/* Specialised forms of the most frequent conditions, evaluated straight from the lazy state
 * when the last operation was a SUB/CMP (the common compare-and-branch). */
static int jz(cpu *c, const insn *i)
{
    if (!get_zf(c))
        return 0;
    return jump_to(c, branch_target(i, next_eip(c, i) + i->imm));
}
static int jnz(cpu *c, const insn *i)
{
    if (get_zf(c))
        return 0;
    return jump_to(c, branch_target(i, next_eip(c, i) + i->imm));
}

/* EB / E9 JMP rel */
static int jmp_rel(cpu *c, const insn *i)
{
    return jump_to(c, branch_target(i, next_eip(c, i) + i->imm));
}

/* E8 CALL rel */
static int call_rel16(cpu *c, const insn *i)
{
    uint32_t ret = next_eip(c, i);
    uint32_t t = (ret + i->imm) & 0xFFFF;
    if (t > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    push16(c, ret);
    c->eip = t;
    return 1;
}
static int call_rel32(cpu *c, const insn *i)
{
    uint32_t ret = next_eip(c, i);
    uint32_t t = ret + i->imm;
    if (t > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    push32(c, ret);
    c->eip = t;
    return 1;
}

/* FF /2 CALL Ev, FF /4 JMP Ev */
ALWAYS_INLINE int call_e_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t t = e_read(c, i, sz, mem);
    if (t > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    if (sz == 1)
        push16(c, next_eip(c, i));
    else
        push32(c, next_eip(c, i));
    c->eip = t;
    return 1;
}
ALWAYS_INLINE int jmp_e_t(cpu *c, const insn *i, int sz, bool mem)
{
    return jump_to(c, e_read(c, i, sz, mem));
}
GEN_V(call_e)
GEN_V(jmp_e)

/* C3 RET, C2 RET imm16 */
static int ret16(cpu *c, const insn *i)
{
    uint32_t t = rd16(c, CPU_SEG_SS, sp_get(c));
    if (t > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    sp_set(c, c->gpr[CPU_ESP] + 2 + (i->imm & 0xFFFF));
    c->eip = t;
    return 1;
}
static int ret32(cpu *c, const insn *i)
{
    uint32_t t = rd32(c, CPU_SEG_SS, sp_get(c));
    if (t > c->seg[CPU_SEG_CS].limit)
        cpu_gp(c, 0);
    sp_set(c, c->gpr[CPU_ESP] + 4 + (i->imm & 0xFFFF));
    c->eip = t;
    return 1;
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JCXZ: the counter is CX or ECX by address size. */
static int loop_family(cpu *c, const insn *i)
{
    bool a32 = (i->flags & I_A32) != 0;
    uint32_t cnt = a32 ? c->gpr[CPU_ECX] : (c->gpr[CPU_ECX] & 0xFFFF);
    bool take;
    if (i->op == 0xE3) {
        take = cnt == 0;
    } else {
        cnt = a32 ? cnt - 1 : (cnt - 1) & 0xFFFF;
        take = cnt != 0;
        if (i->op == 0xE0)
            take = take && !get_zf(c);
        else if (i->op == 0xE1)
            take = take && get_zf(c);
        uint32_t t = branch_target(i, next_eip(c, i) + i->imm);
        if (take && t > c->seg[CPU_SEG_CS].limit)
            cpu_gp(c, 0);
        if (a32)
            c->gpr[CPU_ECX] = cnt;
        else
            set_r16(c, CPU_ECX, cnt);
    }
    if (!take)
        return 0;
    return jump_to(c, branch_target(i, next_eip(c, i) + i->imm));
}

/* Flag instructions */
static int clc(cpu *c, const insn *i)
{
    flags_materialize(c);
    c->eflags &= ~F_CF;
    return 0;
}
static int stc(cpu *c, const insn *i)
{
    flags_materialize(c);
    c->eflags |= F_CF;
    return 0;
}
static int cmc(cpu *c, const insn *i)
{
    flags_materialize(c);
    c->eflags ^= F_CF;
    return 0;
}
static int cld(cpu *c, const insn *i)
{
    c->eflags &= ~F_DF;
    return 0;
}
static int std_(cpu *c, const insn *i)
{
    c->eflags |= F_DF;
    return 0;
}
/* CLI/STI: IOPL-sensitive in protected and v8086 mode (no VME). */
static void check_iopl(cpu *c)
{
    if ((c->pmode || cpu_v86(c)) && c->cpl > cpu_iopl(c))
        cpu_gp(c, 0);
}
static int cli(cpu *c, const insn *i)
{
    check_iopl(c);
    c->eflags &= ~F_IF;
    return 0;
}
static int sti(cpu *c, const insn *i)
{
    check_iopl(c);
    if (!(c->eflags & F_IF)) {
        c->eflags |= F_IF;
        c->shadow = true; /* the next instruction runs before any interrupt */
        cpu_end_block(c);
    }
    return 0;
}

/* F4 HLT: privileged; sleeps until an interrupt (cpu_run returns CPU_EXIT_HALT). */
static int hlt(cpu *c, const insn *i)
{
    if ((c->pmode || cpu_v86(c)) && c->cpl != 0)
        cpu_gp(c, 0);
    c->halted = true;
    c->eip = next_eip(c, i);
    cpu_end_block(c);
    return 1;
}

void control_register(void)
{
    for (int cc = 0; cc < 16; cc++) {
        SET_ALL(0x70 + cc, jcc);  /* 70..7F Jcc rel8 */
        SET_ALL(0x180 + cc, jcc); /* 0F 80..8F Jcc rel16/32 */
    }
    SET_ALL(0x74, jz);
    SET_ALL(0x75, jnz);
    SET_ALL(0x184, jz);
    SET_ALL(0x185, jnz);
    SET_ALL(0xEB, jmp_rel);               /* EB JMP rel8 */
    SET_ALL(0xE9, jmp_rel);               /* E9 JMP rel16/32 */
    SET_SZ(0xE8, call_rel16, call_rel32); /* E8 CALL rel */
    SETG_V(0xFF, 2, call_e);              /* FF /2 CALL Ev */
    SETG_V(0xFF, 4, jmp_e);               /* FF /4 JMP Ev */
    SET_SZ(0xC3, ret16, ret32);           /* C3 RET */
    SET_SZ(0xC2, ret16, ret32);           /* C2 RET imm16 */
    for (int k = 0xE0; k <= 0xE3; k++)
        SET_ALL(k, loop_family);
    SET_ALL(0xF8, clc);
    SET_ALL(0xF9, stc);
    SET_ALL(0xF5, cmc);
    SET_ALL(0xFC, cld);
    SET_ALL(0xFD, std_);
    SET_ALL(0xFA, cli);
    SET_ALL(0xFB, sti);
    SET_ALL(0xF4, hlt);
}

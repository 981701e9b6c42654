/* Data movement: MOV in its forms, MOV Sreg, LEA, XCHG, MOVZX/MOVSX, CBW/CWD, XLAT,
 * LAHF/SAHF, CMOVcc, SETcc, BSWAP, CMPXCHG, CMPXCHG8B, XADD, NOP. */
#include "vmm/cpu/ops.h"

ALWAYS_INLINE int mov_eg_t(cpu *c, const insn *i, int sz, bool mem)
{
    e_store(c, i, sz, mem, reg_get(c, i->reg, sz));
    return 0;
}
ALWAYS_INLINE int mov_ge_t(cpu *c, const insn *i, int sz, bool mem)
{
    reg_set(c, i->reg, e_read(c, i, sz, mem), sz);
    return 0;
}
ALWAYS_INLINE int mov_ei_t(cpu *c, const insn *i, int sz, bool mem)
{
    e_store(c, i, sz, mem, i->imm);
    return 0;
}
GEN_B(mov_eg)
GEN_V(mov_eg)
GEN_B(mov_ge)
GEN_V(mov_ge)
GEN_B(mov_ei)
GEN_V(mov_ei)

/* B0..B7 MOV r8, imm8 ; B8..BF MOV r, imm */
static int mov_r8_i(cpu *c, const insn *i)
{
    *r8p(c, i->op & 7) = (uint8_t)i->imm;
    return 0;
}
static int mov_r16_i(cpu *c, const insn *i)
{
    set_r16(c, i->op & 7, i->imm);
    return 0;
}
static int mov_r32_i(cpu *c, const insn *i)
{
    c->gpr[i->op & 7] = i->imm;
    return 0;
}

/* A0..A3 MOV with moffs */
static int mov_al_moffs(cpu *c, const insn *i)
{
    *r8p(c, 0) = (uint8_t)rd8(c, i->seg, i->disp);
    return 0;
}
static int mov_ax_moffs(cpu *c, const insn *i)
{
    set_r16(c, 0, rd16(c, i->seg, i->disp));
    return 0;
}
static int mov_eax_moffs(cpu *c, const insn *i)
{
    c->gpr[0] = rd32(c, i->seg, i->disp);
    return 0;
}
static int mov_moffs_al(cpu *c, const insn *i)
{
    wr8(c, i->seg, i->disp, c->gpr[0]);
    return 0;
}
static int mov_moffs_ax(cpu *c, const insn *i)
{
    wr16(c, i->seg, i->disp, c->gpr[0]);
    return 0;
}
static int mov_moffs_eax(cpu *c, const insn *i)
{
    wr32(c, i->seg, i->disp, c->gpr[0]);
    return 0;
}

/* 8D LEA */
static int lea16(cpu *c, const insn *i)
{
    set_r16(c, i->reg, ea_of(c, i));
    return 0;
}
static int lea32(cpu *c, const insn *i)
{
    c->gpr[i->reg] = ea_of(c, i);
    return 0;
}
static int lea_reg(cpu *c, const insn *i)
{
    cpu_ud(c);
}

/* 8C MOV Ev, Sreg: a register destination takes the zero-extended selector with 32-bit
 * operand size (the P6 does so), memory always gets 16 bits. */
static int mov_e_sreg_r(cpu *c, const insn *i)
{
    if (i->reg > 5)
        cpu_ud(c);
    if (i->flags & I_O32)
        c->gpr[i->rm] = c->seg[i->reg].sel;
    else
        set_r16(c, i->rm, c->seg[i->reg].sel);
    return 0;
}
static int mov_e_sreg_m(cpu *c, const insn *i)
{
    if (i->reg > 5)
        cpu_ud(c);
    wr16(c, i->seg, ea_of(c, i), c->seg[i->reg].sel);
    return 0;
}
/* 8E MOV Sreg, Ew */
ALWAYS_INLINE int mov_sreg_e_t(cpu *c, const insn *i, int sz, bool mem)
{
    if (i->reg == CPU_SEG_CS || i->reg > 5)
        cpu_ud(c);
    uint16_t v = (uint16_t)e_read(c, i, 1, mem);
    seg_load(c, i->reg, v);
    if (i->reg == CPU_SEG_SS) {
        c->shadow = true;
        c->ss_shadow = true; /* also holds back a single-step trap */
        cpu_end_block(c);
    }
    return 0;
}
GEN_V(mov_sreg_e)

/* XCHG */
ALWAYS_INLINE int xchg_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    uint32_t b = reg_get(c, i->reg, sz);
    e_write(c, i, sz, mem, ea, b);
    reg_set(c, i->reg, a, sz);
    return 0;
}
GEN_B(xchg)
GEN_V(xchg)
static int xchg_ax16(cpu *c, const insn *i)
{
    uint32_t t = c->gpr[0];
    set_r16(c, 0, c->gpr[i->op & 7]);
    set_r16(c, i->op & 7, t);
    return 0;
}
static int xchg_ax32(cpu *c, const insn *i)
{
    uint32_t t = c->gpr[0];
    c->gpr[0] = c->gpr[i->op & 7];
    c->gpr[i->op & 7] = t;
    return 0;
}
static int nop(cpu *c, const insn *i)
{
    return 0;
}
static int pause_or_nop(cpu *c, const insn *i)
{
    return 0;
}

/* MOVZX / MOVSX (0F B6 B7 BE BF) */
ALWAYS_INLINE int movx_t(cpu *c, const insn *i, int sz, bool mem, int ssz, bool sign)
{
    uint32_t v = e_read(c, i, ssz, mem);
    if (sign)
        v = ssz == 0 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
    reg_set(c, i->reg, v, sz);
    return 0;
}
#define movzxb_t movx_t
#define movzxw_t movx_t
#define movsxb_t movx_t
#define movsxw_t movx_t
GEN_V(movzxb, 0, false)
GEN_V(movzxw, 1, false)
GEN_V(movsxb, 0, true)
GEN_V(movsxw, 1, true)

/* 98 CBW/CWDE, 99 CWD/CDQ */
static int cbw(cpu *c, const insn *i)
{
    set_r16(c, 0, (uint32_t)(int32_t)(int8_t)c->gpr[0]);
    return 0;
}
static int cwde(cpu *c, const insn *i)
{
    c->gpr[0] = (uint32_t)(int32_t)(int16_t)c->gpr[0];
    return 0;
}
static int cwd(cpu *c, const insn *i)
{
    set_r16(c, CPU_EDX, (c->gpr[0] & 0x8000) ? 0xFFFF : 0);
    return 0;
}
static int cdq(cpu *c, const insn *i)
{
    c->gpr[CPU_EDX] = (c->gpr[0] & 0x80000000u) ? 0xFFFFFFFFu : 0;
    return 0;
}

/* D7 XLAT */
static int xlat(cpu *c, const insn *i)
{
    uint32_t off = (c->gpr[CPU_EBX] + (c->gpr[0] & 0xFF)) & (0xFFFFFFFFu >> i->ashift);
    *r8p(c, 0) = (uint8_t)rd8(c, i->seg, off);
    return 0;
}

/* 9F LAHF, 9E SAHF */
static int lahf(cpu *c, const insn *i)
{
    *r8p(c, 4) = (uint8_t)(cpu_get_eflags(c) & 0xD7);
    return 0;
}
static int sahf(cpu *c, const insn *i)
{
    flags_materialize(c);
    c->eflags = (c->eflags & ~0xD5u) | ((c->gpr[0] >> 8) & 0xD5) | 2;
    return 0;
}

/* CMOVcc (0F 40..4F): the source is read (and may fault) even when the condition fails. */
ALWAYS_INLINE int cmov_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t v = e_read(c, i, sz, mem);
    if (cpu_cond(c, i->op & 0xF))
        reg_set(c, i->reg, v, sz);
    else if (sz == 2 && !mem)
        (void)0; /* 32-bit register form leaves the destination unchanged */
    return 0;
}
GEN_V(cmov)

/* SETcc (0F 90..9F) */
ALWAYS_INLINE int setcc_t(cpu *c, const insn *i, int sz, bool mem)
{
    e_store(c, i, 0, mem, cpu_cond(c, i->op & 0xF) ? 1 : 0);
    return 0;
}
GEN_B(setcc)

/* BSWAP (0F C8..CF); the 16-bit form is undefined, the P6 clears the low word. */
static int bswap32(cpu *c, const insn *i)
{
    c->gpr[i->op & 7] = __builtin_bswap32(c->gpr[i->op & 7]);
    return 0;
}
static int bswap16(cpu *c, const insn *i)
{
    set_r16(c, i->op & 7, 0);
    return 0;
}

/* CMPXCHG (0F B0/B1): the destination is always written (with its old value on failure). */
ALWAYS_INLINE int cmpxchg_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t ea = 0;
    uint32_t d = e_rmw(c, i, sz, mem, &ea);
    uint32_t acc = reg_get(c, CPU_EAX, sz);
    alu_sub(c, acc, d, sz);
    if (acc == d) {
        e_write(c, i, sz, mem, ea, reg_get(c, i->reg, sz));
    } else {
        if (mem)
            e_write(c, i, sz, mem, ea, d);
        reg_set(c, CPU_EAX, d, sz);
    }
    return 0;
}
GEN_B(cmpxchg)
GEN_V(cmpxchg)

/* XADD (0F C0/C1) */
ALWAYS_INLINE int xadd_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t ea = 0;
    uint32_t d = e_rmw(c, i, sz, mem, &ea);
    uint32_t s = reg_get(c, i->reg, sz);
    uint32_t r = alu_add(c, d, s, sz);
    reg_set(c, i->reg, d, sz);
    e_write(c, i, sz, mem, ea, r);
    return 0;
}
GEN_B(xadd)
GEN_V(xadd)

/* CMPXCHG8B (0F C7 /1), memory only */
static int cmpxchg8b(cpu *c, const insn *i)
{
    uint32_t ea = ea_of(c, i);
    uint32_t lo = rmw_read(c, i->seg, ea, 4);
    uint32_t hi = rmw_read(c, i->seg, (ea + 4) & (0xFFFFFFFFu >> i->ashift), 4);
    flags_materialize(c);
    if (lo == c->gpr[CPU_EAX] && hi == c->gpr[CPU_EDX]) {
        wr32(c, i->seg, ea, c->gpr[CPU_EBX]);
        wr32(c, i->seg, (ea + 4) & (0xFFFFFFFFu >> i->ashift), c->gpr[CPU_ECX]);
        c->eflags |= F_ZF;
    } else {
        wr32(c, i->seg, ea, lo);
        wr32(c, i->seg, (ea + 4) & (0xFFFFFFFFu >> i->ashift), hi);
        c->gpr[CPU_EAX] = lo;
        c->gpr[CPU_EDX] = hi;
        c->eflags &= ~F_ZF;
    }
    return 0;
}
static int ud_reg(cpu *c, const insn *i)
{
    cpu_ud(c);
}

void mov_register(void)
{
    SET_B(0x88, mov_eg); /* 88 MOV Eb,Gb */
    SET_V(0x89, mov_eg); /* 89 MOV Ev,Gv */
    SET_B(0x8A, mov_ge); /* 8A MOV Gb,Eb */
    SET_V(0x8B, mov_ge); /* 8B MOV Gv,Ev */
    dec_set(0x8C, mov_e_sreg_r, mov_e_sreg_m, mov_e_sreg_r, mov_e_sreg_m);
    dec_set(0x8D, lea_reg, lea16, lea_reg, lea32);
    SET_V(0x8E, mov_sreg_e);
    SETG_B(0xC6, 0, mov_ei); /* C6 /0 MOV Eb,Ib */
    SETG_V(0xC7, 0, mov_ei); /* C7 /0 MOV Ev,Iz */
    SET_B(0x86, xchg);
    SET_V(0x87, xchg);
    SET_ALL(0x90, pause_or_nop); /* 90 NOP / F3 90 PAUSE */
    for (int r = 1; r < 8; r++)
        SET_SZ(0x90 + r, xchg_ax16, xchg_ax32);
    for (int r = 0; r < 8; r++) {
        SET_ALL(0xB0 + r, mov_r8_i);
        SET_SZ(0xB8 + r, mov_r16_i, mov_r32_i);
        SET_SZ(0x1C8 + r, bswap16, bswap32);
    }
    SET_ALL(0xA0, mov_al_moffs);
    SET_SZ(0xA1, mov_ax_moffs, mov_eax_moffs);
    SET_ALL(0xA2, mov_moffs_al);
    SET_SZ(0xA3, mov_moffs_ax, mov_moffs_eax);
    SET_V(0x1B6, movzxb);
    SET_V(0x1B7, movzxw);
    SET_V(0x1BE, movsxb);
    SET_V(0x1BF, movsxw);
    SET_SZ(0x98, cbw, cwde);
    SET_SZ(0x99, cwd, cdq);
    SET_ALL(0xD7, xlat);
    SET_ALL(0x9F, lahf);
    SET_ALL(0x9E, sahf);
    for (int cc = 0; cc < 16; cc++) {
        SET_V(0x140 + cc, cmov);
        SET_B(0x190 + cc, setcc);
    }
    SET_B(0x1B0, cmpxchg);
    SET_V(0x1B1, cmpxchg);
    SET_B(0x1C0, xadd);
    SET_V(0x1C1, xadd);
    dec_set_grp(0x1C7, 1, ud_reg, cmpxchg8b, ud_reg, cmpxchg8b);
    for (int k = 0x118; k <= 0x11F; k++)
        SET_ALL(k, nop); /* 0F 18..1F hint NOPs, incl. the multi-byte 0F 1F /0 */
    SET_ALL(0x10D, nop);
}

/* Stack instructions: PUSH/POP of registers, immediates, memory and segment registers,
 * PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE, and the far-pointer loads LDS LES LSS LFS LGS.
 * Multi-slot operations write memory first and commit ESP last, so a fault leaves the
 * registers as they were. */
#include "vmm/cpu/ops.h"

static int push_r16(cpu *c, const insn *i)
{
    push16(c, c->gpr[i->op & 7]);
    return 0;
}
static int push_r32(cpu *c, const insn *i)
{
    push32(c, c->gpr[i->op & 7]);
    return 0;
}
static int pop_r16(cpu *c, const insn *i)
{
    uint32_t v = pop16(c);
    set_r16(c, i->op & 7, v);
    return 0;
}
static int pop_r32(cpu *c, const insn *i)
{
    uint32_t v = pop32(c);
    c->gpr[i->op & 7] = v;
    return 0;
}
static int push_i16(cpu *c, const insn *i)
{
    push16(c, i->imm);
    return 0;
}
static int push_i32(cpu *c, const insn *i)
{
    push32(c, i->imm);
    return 0;
}

/* FF /6 PUSH Ev */
ALWAYS_INLINE int push_e_t(cpu *c, const insn *i, int sz, bool mem)
{
    uint32_t v = e_read(c, i, sz, mem);
    if (sz == 1)
        push16(c, v);
    else
        push32(c, v);
    return 0;
}
GEN_V(push_e)

/* 8F /0 POP Ev: the address is computed with ESP already incremented. */
ALWAYS_INLINE int pop_e_t(cpu *c, const insn *i, int sz, bool mem)
{
    unsigned n = sz == 1 ? 2 : 4;
    uint32_t old = c->gpr[CPU_ESP];
    uint32_t v = rdn(c, CPU_SEG_SS, sp_get(c), n);
    if (!mem) {
        sp_set(c, old + n);
        reg_set(c, i->rm, v, sz);
        return 0;
    }
    sp_set(c, old + n);
    uint32_t ea = ea_of(c, i);
    c->gpr[CPU_ESP] = old;
    mem_set(c, i->seg, ea, v, sz);
    sp_set(c, old + n);
    return 0;
}
GEN_V(pop_e)

/* PUSH/POP Sreg; the segment is in the opcode */
static int sreg_of(const insn *i)
{
    switch (i->op) {
    case 0x06:
    case 0x07: return CPU_SEG_ES;
    case 0x0E: return CPU_SEG_CS;
    case 0x16:
    case 0x17: return CPU_SEG_SS;
    case 0x1E:
    case 0x1F: return CPU_SEG_DS;
    case 0xA0:
    case 0xA1: return CPU_SEG_FS;
    default: return CPU_SEG_GS;
    }
}
static int push_sreg(cpu *c, const insn *i)
{
    uint32_t v = c->seg[sreg_of(i)].sel;
    if (i->flags & I_O32)
        push32(c, v);
    else
        push16(c, v);
    return 0;
}
static int pop_sreg(cpu *c, const insn *i)
{
    int s = sreg_of(i);
    unsigned n = (i->flags & I_O32) ? 4 : 2;
    uint32_t v = rdn(c, CPU_SEG_SS, sp_get(c), n);
    seg_load(c, s, (uint16_t)v);
    sp_set(c, c->gpr[CPU_ESP] + n);
    if (s == CPU_SEG_SS) {
        c->shadow = true;
        c->ss_shadow = true; /* also holds back a single-step trap */
        cpu_end_block(c);
    }
    return 0;
}

/* 60 PUSHA, 61 POPA */
static int pusha(cpu *c, const insn *i)
{
    unsigned n = (i->flags & I_O32) ? 4 : 2;
    uint32_t sp = c->gpr[CPU_ESP];
    for (int r = 0; r < 8; r++)
        wrn(c, CPU_SEG_SS, (sp - n * (r + 1)) & c->ss_mask, c->gpr[r], n);
    sp_set(c, sp - 8 * n);
    return 0;
}
static int popa(cpu *c, const insn *i)
{
    unsigned n = (i->flags & I_O32) ? 4 : 2;
    uint32_t sp = c->gpr[CPU_ESP], v[8];
    for (int r = 0; r < 8; r++)
        v[7 - r] = rdn(c, CPU_SEG_SS, (sp + n * r) & c->ss_mask, n);
    for (int r = 0; r < 8; r++) {
        if (r == CPU_ESP)
            continue;
        if (n == 4)
            c->gpr[r] = v[r];
        else
            set_r16(c, r, v[r]);
    }
    sp_set(c, sp + 8 * n);
    return 0;
}

/* 9C PUSHF: VM and RF read as 0 in the image. In v8086 mode IOPL must be 3. */
static int pushf(cpu *c, const insn *i)
{
    if (cpu_v86(c) && cpu_iopl(c) < 3)
        cpu_gp(c, 0);
    uint32_t f = cpu_get_eflags(c) & ~(F_VM | F_RF);
    if (i->flags & I_O32)
        push32(c, f);
    else
        push16(c, f);
    return 0;
}

/* 9D POPF: IOPL changes only at CPL 0, IF only when CPL <= IOPL; VM and RF never. */
static int popf(cpu *c, const insn *i)
{
    if (cpu_v86(c) && cpu_iopl(c) < 3)
        cpu_gp(c, 0);
    bool o32 = (i->flags & I_O32) != 0;
    uint32_t v = o32 ? rd32(c, CPU_SEG_SS, sp_get(c)) : rd16(c, CPU_SEG_SS, sp_get(c));
    uint32_t mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
    if (c->pmode && c->cpl == 0)
        mask |= F_IOPL;
    if (!c->pmode && !cpu_v86(c))
        mask |= F_IOPL;
    if (c->cpl <= cpu_iopl(c) || !c->pmode)
        mask |= F_IF;
    if (!o32)
        mask &= 0xFFFF;
    sp_set(c, c->gpr[CPU_ESP] + (o32 ? 4 : 2));
    cpu_set_eflags(c, v, mask);
    cpu_end_block(c); /* IF or TF may have changed */
    return 0;
}

/* C8 ENTER size, level */
static int enter(cpu *c, const insn *i)
{
    bool o32 = (i->flags & I_O32) != 0;
    unsigned n = o32 ? 4 : 2, level = i->imm2 & 31;
    uint32_t m = c->ss_mask;
    uint32_t sp = c->gpr[CPU_ESP], bp = c->gpr[CPU_EBP];
    sp = (sp - n) & m;
    wrn(c, CPU_SEG_SS, sp, bp, n);
    uint32_t frame = sp;
    for (unsigned k = 1; k < level; k++) {
        bp = (bp - n) & m;
        uint32_t v = rdn(c, CPU_SEG_SS, bp & m, n);
        sp = (sp - n) & m;
        wrn(c, CPU_SEG_SS, sp, v, n);
    }
    if (level) {
        sp = (sp - n) & m;
        wrn(c, CPU_SEG_SS, sp, frame, n);
    }
    sp = (sp - (i->imm & 0xFFFF)) & m;
    if (c->pmode) /* the final stack top must be writable, as the hardware checks */
        rmw_read(c, CPU_SEG_SS, sp, 1);
    if (o32)
        c->gpr[CPU_EBP] = (c->gpr[CPU_EBP] & ~m) | (frame & m);
    else
        set_r16(c, CPU_EBP, frame);
    sp_set(c, sp);
    return 0;
}

/* C9 LEAVE */
static int leave(cpu *c, const insn *i)
{
    bool o32 = (i->flags & I_O32) != 0;
    uint32_t sp = c->gpr[CPU_EBP] & c->ss_mask;
    uint32_t v = o32 ? rd32(c, CPU_SEG_SS, sp) : rd16(c, CPU_SEG_SS, sp);
    sp_set(c, sp + (o32 ? 4 : 2));
    if (o32)
        c->gpr[CPU_EBP] = v;
    else
        set_r16(c, CPU_EBP, v);
    return 0;
}

/* LDS LES LSS LFS LGS: offset then selector from memory */
static int lfp(cpu *c, const insn *i, int s)
{
    uint32_t ea = ea_of(c, i);
    bool o32 = (i->flags & I_O32) != 0;
    uint32_t off = o32 ? rd32(c, i->seg, ea) : rd16(c, i->seg, ea);
    uint16_t sel = (uint16_t)rd16(c, i->seg, (ea + (o32 ? 4 : 2)) & (0xFFFFFFFFu >> i->ashift));
    seg_load(c, s, sel);
    if (o32)
        c->gpr[i->reg] = off;
    else
        set_r16(c, i->reg, off);
    if (s == CPU_SEG_SS)
        cpu_end_block(c);
    return 0;
}
static int lds(cpu *c, const insn *i)
{
    return lfp(c, i, CPU_SEG_DS);
}
static int les(cpu *c, const insn *i)
{
    return lfp(c, i, CPU_SEG_ES);
}
static int lss(cpu *c, const insn *i)
{
    return lfp(c, i, CPU_SEG_SS);
}
static int lfs(cpu *c, const insn *i)
{
    return lfp(c, i, CPU_SEG_FS);
}
static int lgs(cpu *c, const insn *i)
{
    return lfp(c, i, CPU_SEG_GS);
}
static int ud(cpu *c, const insn *i)
{
    cpu_ud(c);
}

void stack_register(void)
{
    for (int r = 0; r < 8; r++) {
        SET_SZ(0x50 + r, push_r16, push_r32); /* 50..57 PUSH r */
        SET_SZ(0x58 + r, pop_r16, pop_r32);   /* 58..5F POP r */
    }
    SET_SZ(0x68, push_i16, push_i32); /* 68 PUSH Iz */
    SET_SZ(0x6A, push_i16, push_i32); /* 6A PUSH Ibs */
    SETG_V(0xFF, 6, push_e);
    SETG_V(0x8F, 0, pop_e);
    SET_ALL(0x06, push_sreg);  /* 06 PUSH ES */
    SET_ALL(0x07, pop_sreg);   /* 07 POP ES */
    SET_ALL(0x0E, push_sreg);  /* 0E PUSH CS */
    SET_ALL(0x16, push_sreg);  /* 16 PUSH SS */
    SET_ALL(0x17, pop_sreg);   /* 17 POP SS */
    SET_ALL(0x1E, push_sreg);  /* 1E PUSH DS */
    SET_ALL(0x1F, pop_sreg);   /* 1F POP DS */
    SET_ALL(0x1A0, push_sreg); /* 0F A0 PUSH FS */
    SET_ALL(0x1A1, pop_sreg);  /* 0F A1 POP FS */
    SET_ALL(0x1A8, push_sreg); /* 0F A8 PUSH GS */
    SET_ALL(0x1A9, pop_sreg);  /* 0F A9 POP GS */
    SET_ALL(0x60, pusha);
    SET_ALL(0x61, popa);
    SET_ALL(0x9C, pushf);
    SET_ALL(0x9D, popf);
    SET_ALL(0xC8, enter);
    SET_ALL(0xC9, leave);
    dec_set(0xC4, ud, les, ud, les);
    dec_set(0xC5, ud, lds, ud, lds);
    dec_set(0x1B2, ud, lss, ud, lss);
    dec_set(0x1B4, ud, lfs, ud, lfs);
    dec_set(0x1B5, ud, lgs, ud, lgs);
}

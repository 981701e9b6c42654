/* Odds and ends: BOUND. */
#include "vmm/cpu/ops.h"

/* 62 BOUND Gv, Ma: #BR when the signed index is outside [lower, upper] */
static int bound16(cpu *c, const insn *i)
{
    uint32_t ea = ea_of(c, i);
    int16_t lo = (int16_t)rd16(c, i->seg, ea);
    int16_t hi = (int16_t)rd16(c, i->seg, (ea + 2) & (0xFFFFFFFFu >> i->ashift));
    int16_t v = (int16_t)c->gpr[i->reg];
    if (v < lo || v > hi)
        cpu_raise(c, EXC_BR, 0);
    return 0;
}
static int bound32(cpu *c, const insn *i)
{
    uint32_t ea = ea_of(c, i);
    int32_t lo = (int32_t)rd32(c, i->seg, ea);
    int32_t hi = (int32_t)rd32(c, i->seg, (ea + 4) & (0xFFFFFFFFu >> i->ashift));
    int32_t v = (int32_t)c->gpr[i->reg];
    if (v < lo || v > hi)
        cpu_raise(c, EXC_BR, 0);
    return 0;
}
static int ud(cpu *c, const insn *i)
{
    cpu_ud(c);
}

void stack_register(void);
void far_register(void);
void io_register(void);
void fpu_glue_register(void);

void misc_register(void)
{
    dec_set(0x62, ud, bound16, ud, bound32);
    stack_register();
    far_register();
    io_register();
    fpu_glue_register();
}

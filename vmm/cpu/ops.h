/* Helpers shared by the instruction handler files: operand access by size index
 * (0: 8, 1: 16, 2: 32 bits) and wrapper macros that stamp out the register and memory forms
 * of one handler template, so each handler body is written once. */
#ifndef VIREO_VMM_CPU_OPS_H
#define VIREO_VMM_CPU_OPS_H

#include "vmm/cpu/cpu_int.h"
#include "vmm/cpu/flags.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE uint32_t reg_get(cpu *c, unsigned r, int sz)
{
    return sz == 0 ? *r8p(c, r) : sz == 1 ? (c->gpr[r] & 0xFFFF) : c->gpr[r];
}
ALWAYS_INLINE void reg_set(cpu *c, unsigned r, uint32_t v, int sz)
{
    if (sz == 0)
        *r8p(c, r) = (uint8_t)v;
    else if (sz == 1)
        set_r16(c, r, v);
    else
        c->gpr[r] = v;
}
ALWAYS_INLINE uint32_t mem_get(cpu *c, int s, uint32_t off, int sz)
{
    return sz == 0 ? rd8(c, s, off) : sz == 1 ? rd16(c, s, off) : rd32(c, s, off);
}
ALWAYS_INLINE void mem_set(cpu *c, int s, uint32_t off, uint32_t v, int sz)
{
    if (sz == 0)
        wr8(c, s, off, v);
    else if (sz == 1)
        wr16(c, s, off, v);
    else
        wr32(c, s, off, v);
}
/* E operand (ModRM r/m) */
ALWAYS_INLINE uint32_t e_read(cpu *c, const insn *i, int sz, bool mem)
{
    return mem ? mem_get(c, i->seg, ea_of(c, i), sz) : reg_get(c, i->rm, sz);
}
ALWAYS_INLINE uint32_t e_rmw(cpu *c, const insn *i, int sz, bool mem, uint32_t *ea)
{
    if (!mem)
        return reg_get(c, i->rm, sz);
    *ea = ea_of(c, i);
    return rmw_read(c, i->seg, *ea, 1u << sz);
}
ALWAYS_INLINE void e_write(cpu *c, const insn *i, int sz, bool mem, uint32_t ea, uint32_t v)
{
    if (mem)
        mem_set(c, i->seg, ea, v, sz);
    else
        reg_set(c, i->rm, v, sz);
}
ALWAYS_INLINE void e_store(cpu *c, const insn *i, int sz, bool mem, uint32_t v)
{
    if (mem)
        mem_set(c, i->seg, ea_of(c, i), v, sz);
    else
        reg_set(c, i->rm, v, sz);
}

/* Stamp out handlers name##8r/8m (byte forms) or name##16r/16m/32r/32m from a template
 * name##_t(c, i, sz, mem, extra...). */
#define GEN_B(name, ...)                                                                           \
    static int name##8r(cpu * c, const insn *i)                                                    \
    {                                                                                              \
        return name##_t(c, i, 0, false, ##__VA_ARGS__);                                            \
    }                                                                                              \
    static int name##8m(cpu * c, const insn *i)                                                    \
    {                                                                                              \
        return name##_t(c, i, 0, true, ##__VA_ARGS__);                                             \
    }
#define GEN_V(name, ...)                                                                           \
    static int name##16r(cpu * c, const insn *i)                                                   \
    {                                                                                              \
        return name##_t(c, i, 1, false, ##__VA_ARGS__);                                            \
    }                                                                                              \
    static int name##16m(cpu * c, const insn *i)                                                   \
    {                                                                                              \
        return name##_t(c, i, 1, true, ##__VA_ARGS__);                                             \
    }                                                                                              \
    static int name##32r(cpu * c, const insn *i)                                                   \
    {                                                                                              \
        return name##_t(c, i, 2, false, ##__VA_ARGS__);                                            \
    }                                                                                              \
    static int name##32m(cpu * c, const insn *i)                                                   \
    {                                                                                              \
        return name##_t(c, i, 2, true, ##__VA_ARGS__);                                             \
    }
#define SET_B(op, name)            dec_set(op, name##8r, name##8m, name##8r, name##8m)
#define SET_V(op, name)            dec_set(op, name##16r, name##16m, name##32r, name##32m)
#define SETG_B(op, reg, name)      dec_set_grp(op, reg, name##8r, name##8m, name##8r, name##8m)
#define SETG_V(op, reg, name)      dec_set_grp(op, reg, name##16r, name##16m, name##32r, name##32m)
#define SET_ALL(op, fn)            dec_set(op, fn, fn, fn, fn)
#define SET_SZ(op, f16, f32)       dec_set(op, f16, f16, f32, f32)
#define SETG_ALL(op, reg, fn)      dec_set_grp(op, reg, fn, fn, fn, fn)
#define SETG_SZ(op, reg, f16, f32) dec_set_grp(op, reg, f16, f16, f32, f32)

/* near branch target with the operand-size wrap */
static inline uint32_t branch_target(const insn *i, uint32_t t)
{
    return (i->flags & I_O32) ? t : (t & 0xFFFF);
}

static inline int osz_idx(const insn *i)
{
    return (i->flags & I_O32) ? 2 : 1;
}

#endif

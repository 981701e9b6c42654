/* String instructions MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE, segment
 * overrides on the source, 16/32-bit address sizes. Registers are updated per completed
 * element, so a fault in the middle restarts correctly. REP MOVS and REP STOS move whole
 * runs that stay within one page of RAM on both sides with memcpy/memset. A REP instruction
 * does at most CHUNK elements per call and then runs again (EIP stays), so interrupts and
 * the budget are looked at in between. */
#include "vmm/cpu/ops.h"

#define CHUNK 65536u

uint32_t io_in_checked(cpu *c, uint16_t port, unsigned n);
void io_out_checked(cpu *c, uint16_t port, uint32_t v, unsigned n);

/* Elements per call: one under single-step, so that each iteration traps (EIP stays on the
 * instruction until the last one). */
static inline uint32_t chunk(const cpu *c)
{
    return (c->eflags & F_TF) ? 1 : CHUNK;
}

typedef struct sctx {
    uint32_t am; /* address mask */
    int32_t d;   /* +n or -n */
    unsigned n;
    bool rep;
} sctx;

static inline sctx sinit(cpu *c, const insn *i, int sz)
{
    sctx s;
    s.am = (i->flags & I_A32) ? 0xFFFFFFFFu : 0xFFFF;
    s.n = 1u << sz;
    s.d = (c->eflags & F_DF) ? -(int32_t)s.n : (int32_t)s.n;
    s.rep = (i->flags & (I_REP | I_REPNE)) != 0;
    return s;
}

static inline void adv(cpu *c, int r, const sctx *s, uint32_t k)
{
    uint32_t v = c->gpr[r] + (uint32_t)s->d * k;
    c->gpr[r] = (c->gpr[r] & ~s->am) | (v & s->am);
}

static inline uint32_t count_get(const cpu *c, const sctx *s)
{
    return c->gpr[CPU_ECX] & s->am;
}

static inline void count_sub(cpu *c, const sctx *s, uint32_t k)
{
    uint32_t v = c->gpr[CPU_ECX] - k;
    c->gpr[CPU_ECX] = (c->gpr[CPU_ECX] & ~s->am) | (v & s->am);
}

/* How many forward elements starting at off stay in the page and in the address space. */
static inline uint32_t run_room(const cpu *c, int seg, uint32_t off, const sctx *s)
{
    uint32_t la = c->seg[seg].base + off;
    uint32_t r = (0x1000 - (la & 0xFFF)) / s->n;
    uint32_t r2 = (uint32_t)(((uint64_t)s->am + 1 - off) / s->n);
    return r < r2 ? r : r2;
}

/* Done: 0 to fall through, 1 to run the instruction again. */
static inline int rep_done(cpu *c, const sctx *s)
{
    return count_get(c, s) ? 1 : 0;
}

ALWAYS_INLINE int movs_t(cpu *c, const insn *i, int sz)
{
    sctx s = sinit(c, i, sz);
    if (!s.rep) {
        uint32_t v = mem_get(c, i->seg, c->gpr[CPU_ESI] & s.am, sz);
        mem_set(c, CPU_SEG_ES, c->gpr[CPU_EDI] & s.am, v, sz);
        adv(c, CPU_ESI, &s, 1);
        adv(c, CPU_EDI, &s, 1);
        return 0;
    }
    uint32_t budget = chunk(c);
    while (count_get(c, &s) && budget) {
        uint32_t si = c->gpr[CPU_ESI] & s.am, di = c->gpr[CPU_EDI] & s.am;
        uint32_t k = count_get(c, &s);
        if (s.d > 0) {
            uint32_t r1 = run_room(c, i->seg, si, &s), r2 = run_room(c, CPU_SEG_ES, di, &s);
            k = k < r1 ? k : r1;
            k = k < r2 ? k : r2;
            k = k < budget ? k : budget;
            if (k > 1) {
                uint32_t last = (k - 1) * s.n;
                uint8_t *ps = fast_rptr(c, i->seg, si, s.n);
                uint8_t *pd = fast_wptr(c, CPU_SEG_ES, di, s.n);
                if (ps && pd && fast_rptr(c, i->seg, si + last, s.n) &&
                    fast_wptr(c, CPU_SEG_ES, di + last, s.n)) {
                    uint32_t bytes = k * s.n;
                    if (pd <= ps || pd >= ps + bytes) {
                        memmove(pd, ps, bytes);
                    } else {
                        for (uint32_t b = 0; b < bytes; b++) /* overlapping: replicate */
                            pd[b] = ps[b];
                    }
                    adv(c, CPU_ESI, &s, k);
                    adv(c, CPU_EDI, &s, k);
                    count_sub(c, &s, k);
                    budget -= k;
                    continue;
                }
            }
        }
        uint32_t v = mem_get(c, i->seg, si, sz);
        mem_set(c, CPU_SEG_ES, di, v, sz);
        adv(c, CPU_ESI, &s, 1);
        adv(c, CPU_EDI, &s, 1);
        count_sub(c, &s, 1);
        budget--;
    }
    return rep_done(c, &s);
}

ALWAYS_INLINE int stos_t(cpu *c, const insn *i, int sz)
{
    sctx s = sinit(c, i, sz);
    uint32_t v = reg_get(c, CPU_EAX, sz);
    if (!s.rep) {
        mem_set(c, CPU_SEG_ES, c->gpr[CPU_EDI] & s.am, v, sz);
        adv(c, CPU_EDI, &s, 1);
        return 0;
    }
    uint32_t budget = chunk(c);
    while (count_get(c, &s) && budget) {
        uint32_t di = c->gpr[CPU_EDI] & s.am;
        uint32_t k = count_get(c, &s);
        if (s.d > 0) {
            uint32_t r = run_room(c, CPU_SEG_ES, di, &s);
            k = k < r ? k : r;
            k = k < budget ? k : budget;
            uint8_t *pd = k > 1 ? fast_wptr(c, CPU_SEG_ES, di, s.n) : NULL;
            if (pd && fast_wptr(c, CPU_SEG_ES, di + (k - 1) * s.n, s.n)) {
                if (sz == 0)
                    memset(pd, (int)v, k);
                else
                    for (uint32_t e = 0; e < k; e++)
                        memcpy(pd + e * s.n, &v, s.n);
                adv(c, CPU_EDI, &s, k);
                count_sub(c, &s, k);
                budget -= k;
                continue;
            }
        }
        mem_set(c, CPU_SEG_ES, di, v, sz);
        adv(c, CPU_EDI, &s, 1);
        count_sub(c, &s, 1);
        budget--;
    }
    return rep_done(c, &s);
}

ALWAYS_INLINE int lods_t(cpu *c, const insn *i, int sz)
{
    sctx s = sinit(c, i, sz);
    uint32_t budget = chunk(c);
    do {
        if (s.rep && !count_get(c, &s))
            return 0;
        reg_set(c, CPU_EAX, mem_get(c, i->seg, c->gpr[CPU_ESI] & s.am, sz), sz);
        adv(c, CPU_ESI, &s, 1);
        if (s.rep)
            count_sub(c, &s, 1);
    } while (s.rep && --budget);
    return s.rep ? rep_done(c, &s) : 0;
}

/* CMPS / SCAS: REPE stops when ZF = 0, REPNE when ZF = 1 (tested after each element). */
ALWAYS_INLINE int cmps_t(cpu *c, const insn *i, int sz, bool scas)
{
    sctx s = sinit(c, i, sz);
    uint32_t budget = chunk(c);
    do {
        if (s.rep && !count_get(c, &s))
            return 0;
        uint32_t a =
            scas ? reg_get(c, CPU_EAX, sz) : mem_get(c, i->seg, c->gpr[CPU_ESI] & s.am, sz);
        uint32_t b = mem_get(c, CPU_SEG_ES, c->gpr[CPU_EDI] & s.am, sz);
        alu_sub(c, a, b, sz);
        if (!scas)
            adv(c, CPU_ESI, &s, 1);
        adv(c, CPU_EDI, &s, 1);
        if (!s.rep)
            return 0;
        count_sub(c, &s, 1);
        bool zf = get_zf(c);
        if ((i->flags & I_REP) ? !zf : zf)
            return 0;
    } while (--budget);
    return rep_done(c, &s);
}

ALWAYS_INLINE int ins_t(cpu *c, const insn *i, int sz)
{
    sctx s = sinit(c, i, sz);
    uint16_t port = (uint16_t)c->gpr[CPU_EDX];
    uint32_t budget = chunk(c);
    do {
        if (s.rep && !count_get(c, &s))
            return 0;
        uint32_t di = c->gpr[CPU_EDI] & s.am;
        /* check the destination before the port read, which may have side effects */
        rmw_read(c, CPU_SEG_ES, di, s.n);
        mem_set(c, CPU_SEG_ES, di, io_in_checked(c, port, s.n), sz);
        adv(c, CPU_EDI, &s, 1);
        if (s.rep)
            count_sub(c, &s, 1);
    } while (s.rep && --budget);
    return s.rep ? rep_done(c, &s) : 0;
}

ALWAYS_INLINE int outs_t(cpu *c, const insn *i, int sz)
{
    sctx s = sinit(c, i, sz);
    uint16_t port = (uint16_t)c->gpr[CPU_EDX];
    uint32_t budget = chunk(c);
    do {
        if (s.rep && !count_get(c, &s))
            return 0;
        uint32_t v = mem_get(c, i->seg, c->gpr[CPU_ESI] & s.am, sz);
        io_out_checked(c, port, v, s.n);
        adv(c, CPU_ESI, &s, 1);
        if (s.rep)
            count_sub(c, &s, 1);
    } while (s.rep && --budget);
    return s.rep ? rep_done(c, &s) : 0;
}

#define STR3(name, ...)                                                                            \
    static int name##8(cpu * c, const insn *i)                                                     \
    {                                                                                              \
        return name##_t(c, i, 0, ##__VA_ARGS__);                                                   \
    }                                                                                              \
    static int name##16(cpu * c, const insn *i)                                                    \
    {                                                                                              \
        return name##_t(c, i, 1, ##__VA_ARGS__);                                                   \
    }                                                                                              \
    static int name##32(cpu * c, const insn *i)                                                    \
    {                                                                                              \
        return name##_t(c, i, 2, ##__VA_ARGS__);                                                   \
    }
STR3(movs)
STR3(stos)
STR3(lods)
STR3(cmps, false)
#define scas_t cmps_t
STR3(scas, true)
STR3(ins)
STR3(outs)

void string_register(void)
{
    SET_ALL(0xA4, movs8);         /* A4 MOVSB */
    SET_SZ(0xA5, movs16, movs32); /* A5 MOVSW/D */
    SET_ALL(0xA6, cmps8);         /* A6 CMPSB */
    SET_SZ(0xA7, cmps16, cmps32); /* A7 CMPSW/D */
    SET_ALL(0xAA, stos8);         /* AA STOSB */
    SET_SZ(0xAB, stos16, stos32); /* AB STOSW/D */
    SET_ALL(0xAC, lods8);         /* AC LODSB */
    SET_SZ(0xAD, lods16, lods32); /* AD LODSW/D */
    SET_ALL(0xAE, scas8);         /* AE SCASB */
    SET_SZ(0xAF, scas16, scas32); /* AF SCASW/D */
    SET_ALL(0x6C, ins8);          /* 6C INSB */
    SET_SZ(0x6D, ins16, ins32);   /* 6D INSW/D */
    SET_ALL(0x6E, outs8);         /* 6E OUTSB */
    SET_SZ(0x6F, outs16, outs32); /* 6F OUTSW/D */
}

/* Shifts and rotates (group 2), SHLD/SHRD, BT/BTS/BTR/BTC, BSF/BSR.
 * Flags follow the P6: a masked count of 0 changes nothing; OF is computed with the count-1
 * formula for every count; AF is cleared by shifts; rotates touch only CF and OF. */
#include "vmm/cpu/ops.h"

enum { S_ROL, S_ROR, S_RCL, S_RCR, S_SHL, S_SHR, S_SAL, S_SAR };

static const unsigned bits_of[3] = {8, 16, 32};

static void set_cf_of(cpu *c, bool cf, bool of)
{
    flags_materialize(c);
    c->eflags = (c->eflags & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (of ? F_OF : 0);
}

/* Returns the result; records flags. cnt already masked to 5 bits and non-zero. */
static uint32_t shift_op(cpu *c, int op, uint32_t a, unsigned cnt, int sz)
{
    unsigned w = bits_of[sz];
    uint32_t m = lf_mask[sz], sign = lf_sign[sz];
    a &= m;
    uint32_t r;
    bool cf;
    switch (op) {
    case S_ROL: {
        unsigned k = cnt & (w - 1);
        r = k ? ((a << k) | (a >> (w - k))) & m : a;
        cf = r & 1;
        set_cf_of(c, cf, ((r & sign) != 0) ^ cf);
        return r;
    }
    case S_ROR: {
        unsigned k = cnt & (w - 1);
        r = k ? ((a >> k) | (a << (w - k))) & m : a;
        cf = (r & sign) != 0;
        set_cf_of(c, cf, cf ^ ((r & (sign >> 1)) != 0));
        return r;
    }
    case S_RCL: {
        unsigned k = sz == 2 ? cnt : cnt % (w + 1);
        uint64_t v = (uint64_t)a | ((uint64_t)get_cf(c) << w);
        for (unsigned n = 0; n < k; n++)
            v = ((v << 1) | (v >> w)) & ((2ull << w) - 1);
        r = (uint32_t)v & m;
        cf = (v >> w) & 1;
        if (k)
            set_cf_of(c, cf, ((r & sign) != 0) ^ cf);
        return r;
    }
    case S_RCR: {
        unsigned k = sz == 2 ? cnt : cnt % (w + 1);
        uint64_t v = (uint64_t)a | ((uint64_t)get_cf(c) << w);
        bool of = ((a & sign) != 0) ^ get_cf(c);
        for (unsigned n = 0; n < k; n++)
            v = ((v >> 1) | ((v & 1) << w)) & ((2ull << w) - 1);
        r = (uint32_t)v & m;
        cf = (v >> w) & 1;
        if (k)
            set_cf_of(c, cf, of);
        return r;
    }
    case S_SHL:
    case S_SAL:
        r = cnt < 32 ? (a << cnt) & m : 0;
        cf = cnt <= w ? (a >> (w - cnt)) & 1 : 0;
        lf_eager(c, r, sz, (cf ? F_CF : 0) | ((((r & sign) != 0) ^ cf) ? F_OF : 0));
        return r;
    case S_SHR:
        r = cnt < 32 ? a >> cnt : 0;
        cf = cnt <= w ? (a >> (cnt - 1)) & 1 : 0;
        lf_eager(c, r, sz, (cf ? F_CF : 0) | ((a & sign) ? F_OF : 0));
        return r;
    default: { /* SAR */
        int32_t sa = (int32_t)sext(a, sz);
        unsigned k = cnt < w ? cnt : w - 1;
        r = (uint32_t)(sa >> k) & m;
        cf = cnt < w ? (sa >> (cnt - 1)) & 1 : (sa < 0);
        if (cnt >= w)
            r = sa < 0 ? m : 0;
        lf_eager(c, r, sz, cf ? F_CF : 0);
        return r;
    }
    }
}

/* Group 2: C0/C1 Ib, D0/D1 by 1, D2/D3 by CL */
ALWAYS_INLINE int grp2_t(cpu *c, const insn *i, int sz, bool mem, int src)
{
    unsigned cnt = (src == 0 ? i->imm : src == 1 ? 1 : c->gpr[CPU_ECX]) & 0x1F;
    uint32_t ea = 0;
    uint32_t a = e_rmw(c, i, sz, mem, &ea);
    if (!cnt)
        return 0;
    e_write(c, i, sz, mem, ea, shift_op(c, i->reg, a, cnt, sz));
    return 0;
}
#define shi_t  grp2_t
#define sh1_t  grp2_t
#define shcl_t grp2_t
GEN_B(shi, 0)
GEN_V(shi, 0)
GEN_B(sh1, 1)
GEN_V(sh1, 1)
GEN_B(shcl, 2)
GEN_V(shcl, 2)

/* SHLD (0F A4 Ib, A5 CL), SHRD (0F AC, AD) */
ALWAYS_INLINE int shd_t(cpu *c, const insn *i, int sz, bool mem, bool right, bool by_cl)
{
    unsigned cnt = (by_cl ? c->gpr[CPU_ECX] : i->imm) & 0x1F;
    uint32_t ea = 0;
    uint32_t d = e_rmw(c, i, sz, mem, &ea);
    if (!cnt)
        return 0;
    unsigned w = bits_of[sz];
    uint32_t s = reg_get(c, i->reg, sz), m = lf_mask[sz], sign = lf_sign[sz];
    uint32_t r;
    bool cf;
    if (!right) {
        uint64_t v = ((uint64_t)d << w) | s; /* d:s */
        if (w == 16)
            v = (v << 16) | d; /* the P6 feeds d again for counts above 16 */
        unsigned tw = w == 16 ? 48 : 64;
        r = (uint32_t)(v >> (tw - w - cnt)) & m;
        cf = (v >> (tw - cnt)) & 1;
    } else {
        uint64_t v = ((uint64_t)s << w) | d; /* s:d */
        if (w == 16)
            v |= (uint64_t)d << 32;
        r = (uint32_t)(v >> cnt) & m;
        cf = (v >> (cnt - 1)) & 1;
    }
    bool of = ((r ^ d) & sign) != 0;
    lf_eager(c, r, sz, (cf ? F_CF : 0) | (of ? F_OF : 0));
    e_write(c, i, sz, mem, ea, r);
    return 0;
}
#define shldi_t shd_t
#define shldc_t shd_t
#define shrdi_t shd_t
#define shrdc_t shd_t
GEN_V(shldi, false, false)
GEN_V(shldc, false, true)
GEN_V(shrdi, true, false)
GEN_V(shrdc, true, true)

/* BT family. op: 0 BT, 1 BTS, 2 BTR, 3 BTC. With a register bit offset and a memory operand
 * the offset is signed and selects the word/dword relative to the address. */
ALWAYS_INLINE int bt_t(cpu *c, const insn *i, int sz, bool mem, int op, bool imm)
{
    unsigned w = bits_of[sz];
    uint32_t off = imm ? i->imm : reg_get(c, i->reg, sz);
    uint32_t bit = off & (w - 1);
    uint32_t ea = 0, v;
    if (mem) {
        ea = ea_of(c, i);
        if (!imm) {
            int32_t so = sz == 1 ? (int16_t)off : (int32_t)off;
            ea = (ea + (uint32_t)((so >> (sz == 1 ? 4 : 5)) * (int32_t)(w / 8))) &
                 (0xFFFFFFFFu >> i->ashift);
        }
        v = op ? rmw_read(c, i->seg, ea, w / 8) : mem_get(c, i->seg, ea, sz);
    } else {
        v = reg_get(c, i->rm, sz);
    }
    bool cf = (v >> bit) & 1;
    if (op) {
        uint32_t nv = op == 1 ? v | (1u << bit) : op == 2 ? v & ~(1u << bit) : v ^ (1u << bit);
        if (mem)
            mem_set(c, i->seg, ea, nv, sz);
        else
            reg_set(c, i->rm, nv, sz);
    }
    flags_materialize(c);
    c->eflags = (c->eflags & ~F_CF) | (cf ? F_CF : 0);
    return 0;
}
#define bt_r_t  bt_t
#define bts_r_t bt_t
#define btr_r_t bt_t
#define btc_r_t bt_t
#define bt_i_t  bt_t
#define bts_i_t bt_t
#define btr_i_t bt_t
#define btc_i_t bt_t
GEN_V(bt_r, 0, false)
GEN_V(bts_r, 1, false)
GEN_V(btr_r, 2, false)
GEN_V(btc_r, 3, false)
GEN_V(bt_i, 0, true)
GEN_V(bts_i, 1, true)
GEN_V(btr_i, 2, true)
GEN_V(btc_i, 3, true)

/* BSF / BSR: a zero source sets ZF and leaves the destination unchanged. */
ALWAYS_INLINE int bsx_t(cpu *c, const insn *i, int sz, bool mem, bool rev)
{
    uint32_t v = e_read(c, i, sz, mem);
    flags_materialize(c);
    if (!v) {
        c->eflags |= F_ZF;
        return 0;
    }
    c->eflags &= ~F_ZF;
    reg_set(c, i->reg, rev ? 31u - (uint32_t)__builtin_clz(v) : (uint32_t)__builtin_ctz(v), sz);
    return 0;
}
#define bsf_t bsx_t
#define bsr_t bsx_t
GEN_V(bsf, false)
GEN_V(bsr, true)

void bits_register(void)
{
    for (int r = 0; r < 8; r++) {
        SETG_B(0xC0, r, shi);  /* C0 grp2 Eb,Ib */
        SETG_V(0xC1, r, shi);  /* C1 grp2 Ev,Ib */
        SETG_B(0xD0, r, sh1);  /* D0 grp2 Eb,1 */
        SETG_V(0xD1, r, sh1);  /* D1 grp2 Ev,1 */
        SETG_B(0xD2, r, shcl); /* D2 grp2 Eb,CL */
        SETG_V(0xD3, r, shcl); /* D3 grp2 Ev,CL */
    }
    SET_V(0x1A4, shldi);
    SET_V(0x1A5, shldc);
    SET_V(0x1AC, shrdi);
    SET_V(0x1AD, shrdc);
    SET_V(0x1A3, bt_r);
    SET_V(0x1AB, bts_r);
    SET_V(0x1B3, btr_r);
    SET_V(0x1BB, btc_r);
    SETG_V(0x1BA, 4, bt_i);
    SETG_V(0x1BA, 5, bts_i);
    SETG_V(0x1BA, 6, btr_i);
    SETG_V(0x1BA, 7, btc_i);
    SET_V(0x1BC, bsf);
    SET_V(0x1BD, bsr);
}

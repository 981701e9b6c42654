/* Control instructions with memory operands: FLDENV, FLDCW, FNSTENV, FNSTCW (D9 /4../7),
 * FRSTOR, FNSAVE, FNSTSW m16 (DD /4 /6 /7); plus FNSTSW AX.
 *
 * The environment has four layouts (Intel SDM vol. 1, 8.1.10): 14 bytes with a 16-bit
 * operand size, 28 with a 32-bit one, each in a protected-mode form (selector:offset
 * pointers, FOP only in the 32-bit form) and a real/v86-mode form (20- or 32-bit linear
 * pointers split around FOP). Reserved halves of the 32-bit forms are stored as 1s, as the
 * hardware does. */
#include "vmm/cpu/x87/x87.h"

#include <string.h>

enum { X87_ENV16 = 14, X87_ENV32 = 28, X87_REGS = 80 };

static void put16(uint8_t *m, unsigned off, uint32_t v)
{
    m[off] = (uint8_t)v;
    m[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *m, unsigned off, uint32_t v)
{
    put16(m, off, v);
    put16(m, off + 2, v >> 16);
}

static uint32_t get16(const uint8_t *m, unsigned off)
{
    return m[off] | (uint32_t)m[off + 1] << 8;
}

static uint32_t get32(const uint8_t *m, unsigned off)
{
    return get16(m, off) | get16(m, off + 2) << 16;
}

/* Real-mode pointers are linear: selector * 16 + offset. */
static uint32_t x87_linear(uint16_t sel, uint32_t off)
{
    return ((uint32_t)sel << 4) + off;
}

static unsigned x87_env_len(const fpu_operand *o)
{
    return o->opsize32 ? X87_ENV32 : X87_ENV16;
}

static void x87_env_store32(const fpu *f, const fpu_operand *o, uint8_t *m)
{
    put32(m, 0, 0xFFFF0000u | f->cw);
    put32(m, 4, 0xFFFF0000u | f->sw);
    put32(m, 8, 0xFFFF0000u | f->tw);
    if (o->pmode) {
        put32(m, 12, f->fip);
        put32(m, 16, f->fcs | (uint32_t)(f->fop & 0x7FF) << 16);
        put32(m, 20, f->fdp);
        put32(m, 24, 0xFFFF0000u | f->fds);
    } else {
        uint32_t ip = x87_linear(f->fcs, f->fip), dp = x87_linear(f->fds, f->fdp);
        put32(m, 12, 0xFFFF0000u | (ip & 0xFFFF));
        put32(m, 16, (f->fop & 0x7FF) | (ip >> 16 & 0xFFFF) << 12);
        put32(m, 20, 0xFFFF0000u | (dp & 0xFFFF));
        put32(m, 24, (dp >> 16 & 0xFFFF) << 12);
    }
}

static void x87_env_store16(const fpu *f, const fpu_operand *o, uint8_t *m)
{
    put16(m, 0, f->cw);
    put16(m, 2, f->sw);
    put16(m, 4, f->tw);
    if (o->pmode) {
        put16(m, 6, f->fip);
        put16(m, 8, f->fcs);
        put16(m, 10, f->fdp);
        put16(m, 12, f->fds);
    } else {
        uint32_t ip = x87_linear(f->fcs, f->fip), dp = x87_linear(f->fds, f->fdp);
        put16(m, 6, ip);
        put16(m, 8, (f->fop & 0x7FF) | (ip >> 16 & 0xF) << 12);
        put16(m, 10, dp);
        put16(m, 12, (dp >> 16 & 0xF) << 12);
    }
}

/* Load the tag word: only "empty" is taken from memory; other tags follow the contents. */
static void x87_load_tags(fpu *f, uint16_t tw)
{
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag = (tw >> (2 * p)) & 3;
        x87_set_tag_phys(f, p, tag == FPU_TAG_EMPTY ? FPU_TAG_EMPTY : x87_classify(&f->st[p]));
    }
}

static void x87_env_load(fpu *f, const fpu_operand *o, const uint8_t *m)
{
    bool b32 = o->opsize32;
    f->cw = (uint16_t)((get16(m, 0) & 0x1F3F) | 0x40);
    f->sw = (uint16_t)get16(m, b32 ? 4 : 2);
    uint16_t tw = (uint16_t)get16(m, b32 ? 8 : 4);
    if (o->pmode && b32) {
        f->fip = get32(m, 12);
        f->fcs = (uint16_t)get16(m, 16);
        f->fop = get16(m, 18) & 0x7FF;
        f->fdp = get32(m, 20);
        f->fds = (uint16_t)get16(m, 24);
    } else if (o->pmode) {
        f->fip = get16(m, 6);
        f->fcs = (uint16_t)get16(m, 8);
        f->fdp = get16(m, 10);
        f->fds = (uint16_t)get16(m, 12);
    } else if (b32) {
        f->fip = (get16(m, 12) | (get32(m, 16) >> 12 & 0xFFFF) << 16);
        f->fop = get16(m, 16) & 0x7FF;
        f->fdp = (get16(m, 20) | (get32(m, 24) >> 12 & 0xFFFF) << 16);
        f->fcs = f->fds = 0;
    } else {
        f->fip = get16(m, 6) | (get16(m, 8) >> 12) << 16;
        f->fop = get16(m, 8) & 0x7FF;
        f->fdp = get16(m, 10) | (get16(m, 12) >> 12) << 16;
        f->fcs = f->fds = 0;
    }
    x87_load_tags(f, tw);
    x87_update_es(f);
}

static void x87_env_store(const fpu *f, const fpu_operand *o, uint8_t *m)
{
    if (o->opsize32)
        x87_env_store32(f, o, m);
    else
        x87_env_store16(f, o, m);
}

static int x87_fnstenv(x87_ctx *x, bool save)
{
    fpu *f = x->f;
    uint8_t m[X87_ENV32 + X87_REGS];
    unsigned len = x87_env_len(x->o);
    x87_env_store(f, x->o, m);
    if (save) {
        for (unsigned i = 0; i < 8; i++) {
            const fpu_reg *r = x87_st(f, i);
            memcpy(m + len + 10 * i, &r->mant, 8);
            put16(m, len + 10 * i + 8, r->sign_exp);
        }
        len += X87_REGS;
    }
    cpu_fpu_write(x->c, x->o->seg, x->o->offset, m, len);
    if (save) {
        fpu_init(f);
    } else {
        f->cw |= X87_CW_MASKS; /* FNSTENV masks all exceptions */
        x87_update_es(f);
    }
    return FPU_EXEC_DONE;
}

static int x87_fldenv(x87_ctx *x, bool restore)
{
    fpu *f = x->f;
    uint8_t m[X87_ENV32 + X87_REGS];
    unsigned len = x87_env_len(x->o);
    cpu_fpu_read(x->c, x->o->seg, x->o->offset, m, len + (restore ? X87_REGS : 0));
    if (restore) {
        unsigned top = (get16(m, x->o->opsize32 ? 4 : 2) >> FPU_SW_TOP_SHIFT) & 7;
        for (unsigned i = 0; i < 8; i++) {
            fpu_reg *r = &f->st[(top + i) & 7];
            memcpy(&r->mant, m + len + 10 * i, 8);
            r->sign_exp = (uint16_t)get16(m, len + 10 * i + 8);
        }
    }
    x87_env_load(f, x->o, m);
    return FPU_EXEC_DONE;
}

static int x87_store16(x87_ctx *x, uint16_t v)
{
    uint8_t m[2];
    put16(m, 0, v);
    cpu_fpu_write(x->c, x->o->seg, x->o->offset, m, 2);
    return FPU_EXEC_DONE;
}

static int x87_fldcw(x87_ctx *x)
{
    uint8_t m[2];
    cpu_fpu_read(x->c, x->o->seg, x->o->offset, m, 2);
    x->f->cw = (uint16_t)((get16(m, 0) & 0x1F3F) | 0x40);
    x87_update_es(x->f);
    return FPU_EXEC_DONE;
}

int x87_env_op(x87_ctx *x, uint8_t op, unsigned r)
{
    if (op == 0xD9) {
        switch (r) {
        case 4: return x87_fldenv(x, false);
        case 5: return x87_fldcw(x);
        case 6: return x87_fnstenv(x, false);
        default: return x87_store16(x, x->f->cw);
        }
    }
    switch (r) {
    case 4: return x87_fldenv(x, true);
    case 6: return x87_fnstenv(x, true);
    default: return x87_store16(x, x->f->sw);
    }
}

int x87_fnstsw_ax(x87_ctx *x)
{
    x->o->ax = x->f->sw;
    return FPU_EXEC_AX;
}

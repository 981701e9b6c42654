/* The instruction decoder: prefixes, one- and two-byte opcode maps, ModRM/SIB and
 * immediates, into the compact `insn` of cpu_int.h. The operand shape of every opcode comes
 * from the static table below; the handler comes from tables that each family file
 * (alu.c, mov.c, ...) fills once at startup through dec_set() / dec_set_grp(), so that a
 * handler stays static in the file that implements it. */
#include <pthread.h>

#include "vmm/cpu/cpu_int.h"

enum {
    D_M = 1,      /* has ModRM */
    D_IB = 2,     /* imm8, zero-extended */
    D_IBS = 4,    /* imm8, sign-extended */
    D_IW = 8,     /* imm16 */
    D_IZ = 16,    /* imm16 or imm32 by operand size */
    D_IA = 32,    /* far pointer: offset (operand size) then selector */
    D_IO = 64,    /* moffs (address size), stored in disp */
    D_IWB = 128,  /* ENTER: imm16, imm8 */
    D_GRP = 256,  /* handler chosen by ModRM.reg */
    D_MREG = 512, /* ModRM always names a register (MOV CRn/DRn) */
    D_F6 = 1024,  /* group 3: TEST has an immediate */
};

#define M   D_M
#define MG  (D_M | D_GRP)
#define R16 0x100 /* two-byte map offset */

static const uint16_t dflags[512] = {
    /* one-byte map */
    [0x00 ... 0x03] = M,
    [0x04] = D_IB,
    [0x05] = D_IZ, /* ADD */
    [0x08 ... 0x0B] = M,
    [0x0C] = D_IB,
    [0x0D] = D_IZ, /* OR */
    [0x10 ... 0x13] = M,
    [0x14] = D_IB,
    [0x15] = D_IZ, /* ADC */
    [0x18 ... 0x1B] = M,
    [0x1C] = D_IB,
    [0x1D] = D_IZ, /* SBB */
    [0x20 ... 0x23] = M,
    [0x24] = D_IB,
    [0x25] = D_IZ, /* AND */
    [0x28 ... 0x2B] = M,
    [0x2C] = D_IB,
    [0x2D] = D_IZ, /* SUB */
    [0x30 ... 0x33] = M,
    [0x34] = D_IB,
    [0x35] = D_IZ, /* XOR */
    [0x38 ... 0x3B] = M,
    [0x3C] = D_IB,
    [0x3D] = D_IZ, /* CMP */
    [0x62] = M,
    [0x63] = M, /* BOUND ARPL */
    [0x68] = D_IZ,
    [0x69] = M | D_IZ,
    [0x6A] = D_IBS,
    [0x6B] = M | D_IBS,      /* PUSH IMUL */
    [0x70 ... 0x7F] = D_IBS, /* Jcc rel8 */
    [0x80] = MG | D_IB,
    [0x81] = MG | D_IZ,
    [0x82] = MG | D_IB,
    [0x83] = MG | D_IBS,
    [0x84 ... 0x8E] = M,
    [0x8F] = MG,   /* TEST XCHG MOV LEA POP */
    [0x9A] = D_IA, /* CALL far */
    [0xA0 ... 0xA3] = D_IO,
    [0xA8] = D_IB,
    [0xA9] = D_IZ, /* MOV moffs, TEST */
    [0xB0 ... 0xB7] = D_IB,
    [0xB8 ... 0xBF] = D_IZ, /* MOV r, imm */
    [0xC0] = MG | D_IB,
    [0xC1] = MG | D_IB,
    [0xC2] = D_IW, /* shifts, RET imm */
    [0xC4] = M,
    [0xC5] = M,
    [0xC6] = MG | D_IB,
    [0xC7] = MG | D_IZ, /* LES LDS MOV */
    [0xC8] = D_IWB,
    [0xCA] = D_IW,
    [0xCD] = D_IB, /* ENTER RETF INT */
    [0xD0 ... 0xD3] = MG,
    [0xD4] = D_IB,
    [0xD5] = D_IB,       /* shifts AAM AAD */
    [0xD8 ... 0xDF] = M, /* x87 escapes */
    [0xE0 ... 0xE3] = D_IBS,
    [0xE4 ... 0xE7] = D_IB, /* LOOP JCXZ IN OUT */
    [0xE8] = D_IZ,
    [0xE9] = D_IZ,
    [0xEA] = D_IA,
    [0xEB] = D_IBS, /* CALL JMP */
    [0xF6] = MG | D_F6,
    [0xF7] = MG | D_F6,
    [0xFE] = MG,
    [0xFF] = MG,
    /* two-byte map */
    [R16 + 0x00] = MG,
    [R16 + 0x01] = MG,
    [R16 + 0x02] = M,
    [R16 + 0x03] = M,
    [R16 + 0x0D] = M,
    [R16 + 0x18 ... R16 + 0x1F] = M,            /* hint NOPs */
    [R16 + 0x20 ... R16 + 0x23] = D_M | D_MREG, /* MOV CRn/DRn */
    [R16 + 0x40 ... R16 + 0x4F] = M,            /* CMOVcc */
    [R16 + 0x80 ... R16 + 0x8F] = D_IZ,         /* Jcc rel16/32 */
    [R16 + 0x90 ... R16 + 0x9F] = M,            /* SETcc */
    [R16 + 0xA3] = M,
    [R16 + 0xA4] = M | D_IB,
    [R16 + 0xA5] = M, /* BT SHLD */
    [R16 + 0xAB] = M,
    [R16 + 0xAC] = M | D_IB,
    [R16 + 0xAD] = M, /* BTS SHRD */
    [R16 + 0xAF] = M, /* IMUL */
    [R16 + 0xB0 ... R16 + 0xB7] = M,
    [R16 + 0xBA] = MG | D_IB, /* CMPXCHG LSS BTR ... */
    [R16 + 0xBB ... R16 + 0xBF] = M,
    [R16 + 0xC0] = M,
    [R16 + 0xC1] = M,
    [R16 + 0xC7] = MG, /* CMPXCHG8B */
};

/* Handler tables: [opcode][o32 * 2 + mem]. */
static insn_fn tab[512][4];
static insn_fn gtab[512][8][4];

static int op_ud(cpu *c, const insn *i)
{
    cpu_ud(c);
}

void dec_set(int op, insn_fn r16, insn_fn m16, insn_fn r32, insn_fn m32)
{
    tab[op][0] = r16;
    tab[op][1] = m16;
    tab[op][2] = r32;
    tab[op][3] = m32;
}

void dec_set_grp(int op, int reg, insn_fn r16, insn_fn m16, insn_fn r32, insn_fn m32)
{
    gtab[op][reg][0] = r16;
    gtab[op][reg][1] = m16;
    gtab[op][reg][2] = r32;
    gtab[op][reg][3] = m32;
}

static void fill_tables(void)
{
    alu_register();
    mov_register();
    control_register();
    string_register();
    system_register();
    muldiv_register();
    bits_register();
    misc_register();
    for (int k = 0xD8; k <= 0xDF; k++)
        dec_set(k, op_fpu_esc, op_fpu_esc, op_fpu_esc, op_fpu_esc);
}

void x86_decode_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_tables);
}

uint8_t cpu_fetch_code_byte(cpu *c, uint32_t eip);

static inline int get_byte(dec_src *s, uint32_t pos)
{
    if (likely(pos < s->avail))
        return s->p[pos];
    if (!s->c)
        return -1;
    if (pos >= 15)
        cpu_gp(s->c, 0);
    /* fetched bytes are kept so that a straddling instruction is read exactly once */
    uint8_t b = cpu_fetch_code_byte(s->c, s->eip + pos);
    s->buf[pos] = b;
    return b;
}

static const uint8_t base16[8] = {CPU_EBX, CPU_EBX, CPU_EBP, CPU_EBP,
                                  CPU_ESI, CPU_EDI, CPU_EBP, CPU_EBX};
static const uint8_t index16[8] = {CPU_ESI, CPU_EDI, CPU_ESI, CPU_EDI, 8, 8, 8, 8};

#define NEXT()                                                                                     \
    ({                                                                                             \
        int b_ = get_byte(s, pos++);                                                               \
        if (b_ < 0)                                                                                \
            return 0;                                                                              \
        (uint32_t) b_;                                                                             \
    })

static int decode_imm(dec_src *s, uint32_t *ppos, uint32_t n, uint32_t *ret)
{
    uint32_t pos = *ppos, v = 0;
    for (uint32_t k = 0; k < n; k++)
        v |= NEXT() << (8 * k);
    *ppos = pos;
    *ret = v;
    return 1;
}

/* ModRM and SIB into base/index/scale/disp/seg; returns 0 when bytes are missing. */
static int decode_modrm(dec_src *s, uint32_t *ppos, bool a32, int segovr, insn *o, uint32_t modrm)
{
    uint32_t pos = *ppos;
    uint32_t mod = modrm >> 6, rm = modrm & 7;
    int seg = CPU_SEG_DS;
    o->base = o->index = 8;
    o->scale = 0;
    o->disp = 0;
    if (!a32) {
        o->ashift = 16;
        if (mod == 0 && rm == 6) {
            if (!decode_imm(s, &pos, 2, &o->disp))
                return 0;
        } else {
            o->base = base16[rm];
            o->index = index16[rm];
            if (rm == 2 || rm == 3 || rm == 6)
                seg = CPU_SEG_SS;
            if (mod == 1)
                o->disp = (uint32_t)(int8_t)NEXT();
            else if (mod == 2 && !decode_imm(s, &pos, 2, &o->disp))
                return 0;
        }
    } else {
        o->ashift = 0;
        uint32_t base = rm;
        if (rm == 4) {
            uint32_t sib = NEXT();
            uint32_t idx = (sib >> 3) & 7;
            base = sib & 7;
            o->index = idx == 4 ? 8 : (uint8_t)idx;
            o->scale = (uint8_t)(sib >> 6);
        }
        if (mod == 0 && base == 5) {
            if (!decode_imm(s, &pos, 4, &o->disp))
                return 0;
        } else {
            o->base = (uint8_t)base;
            if (base == CPU_ESP || base == CPU_EBP)
                seg = CPU_SEG_SS;
            if (mod == 1)
                o->disp = (uint32_t)(int8_t)NEXT();
            else if (mod == 2 && !decode_imm(s, &pos, 4, &o->disp))
                return 0;
        }
    }
    o->seg = (uint8_t)(segovr >= 0 ? segovr : seg);
    *ppos = pos;
    return 1;
}

/* Unconditional transfers: decoding a block stops after them. */
static bool ends_block(uint32_t opc, uint32_t reg)
{
    switch (opc) {
    case 0x9A:
    case 0xC2:
    case 0xC3:
    case 0xCA:
    case 0xCB:
    case 0xCC:
    case 0xCD:
    case 0xCF:
    case 0xE8:
    case 0xE9:
    case 0xEA:
    case 0xEB:
    case 0xF4:
    case 0x100:
    case 0x101:
    case 0x122:
    case 0x134:
    case 0x135: return true;
    case 0xFF: return reg >= 2 && reg <= 5;
    default: return false;
    }
}

int x86_decode(dec_src *s, bool code32, insn *o)
{
    uint32_t pos = 0, b;
    bool o32 = code32, a32 = code32;
    int segovr = -1;
    uint8_t fl = 0;
    for (;;) {
        b = NEXT();
        switch (b) {
        case 0x66: o32 = !code32; continue;
        case 0x67: a32 = !code32; continue;
        case 0xF0: fl |= I_LOCK; continue;
        case 0xF2: fl = (fl & ~I_REP) | I_REPNE; continue;
        case 0xF3: fl = (fl & ~I_REPNE) | I_REP; continue;
        case 0x26: segovr = CPU_SEG_ES; continue;
        case 0x2E: segovr = CPU_SEG_CS; continue;
        case 0x36: segovr = CPU_SEG_SS; continue;
        case 0x3E: segovr = CPU_SEG_DS; continue;
        case 0x64: segovr = CPU_SEG_FS; continue;
        case 0x65: segovr = CPU_SEG_GS; continue;
        }
        break;
    }
    uint32_t opc = b;
    if (b == 0x0F)
        opc = 0x100 | NEXT();
    uint32_t df = dflags[opc];
    o->op = (uint8_t)opc;
    o->reg = o->rm = 0;
    o->base = o->index = 8;
    o->scale = 0;
    o->disp = 0;
    o->imm = 0;
    o->imm2 = 0;
    o->ashift = a32 ? 0 : 16;
    o->seg = (uint8_t)(segovr >= 0 ? segovr : CPU_SEG_DS);
    if (segovr >= 0)
        fl |= I_SEGOVR;
    if (o32)
        fl |= I_O32;
    if (a32)
        fl |= I_A32;
    if (df & D_M) {
        uint32_t modrm = NEXT();
        o->reg = (modrm >> 3) & 7;
        o->rm = modrm & 7;
        if ((modrm >> 6) != 3 && !(df & D_MREG)) {
            fl |= I_MEM;
            if (!decode_modrm(s, &pos, a32, segovr, o, modrm))
                return 0;
        }
    }
    uint32_t osz = o32 ? 4 : 2;
    if (df & D_F6)
        df |= o->reg < 2 ? (opc == 0xF6 ? D_IB : D_IZ) : 0;
    if (df & (D_IB | D_IBS)) {
        uint32_t v = NEXT();
        o->imm = (df & D_IBS) ? (uint32_t)(int8_t)v : v;
    } else if (df & D_IW) {
        if (!decode_imm(s, &pos, 2, &o->imm))
            return 0;
    } else if (df & D_IZ) {
        if (!decode_imm(s, &pos, osz, &o->imm))
            return 0;
        if (osz == 2 && (opc == 0x68 || opc == 0x69 || opc == 0xE8 || opc == 0xE9 ||
                         (opc >= 0x180 && opc <= 0x18F)))
            o->imm = (uint32_t)(int16_t)o->imm;
    } else if (df & D_IA) {
        uint32_t sel;
        if (!decode_imm(s, &pos, osz, &o->imm) || !decode_imm(s, &pos, 2, &sel))
            return 0;
        o->imm2 = (uint16_t)sel;
    } else if (df & D_IO) {
        if (!decode_imm(s, &pos, a32 ? 4 : 2, &o->disp))
            return 0;
    } else if (df & D_IWB) {
        if (!decode_imm(s, &pos, 2, &o->imm))
            return 0;
        o->imm2 = (uint16_t)NEXT();
    }
    if (pos > 15) {
        if (!s->c)
            return 0; /* let the uncached path raise #GP */
        cpu_gp(s->c, 0);
    }
    if (ends_block(opc, o->reg))
        fl |= I_END;
    o->flags = fl;
    o->len = (uint8_t)pos;
    int idx = (o32 ? 2 : 0) + ((fl & I_MEM) ? 1 : 0);
    insn_fn fn = (df & D_GRP) ? gtab[opc][o->reg][idx] : tab[opc][idx];
    o->fn = fn ? fn : op_ud;
    return (int)pos;
}

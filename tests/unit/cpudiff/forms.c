/* The instruction forms under test and, for each, which flags the Intel SDM defines.
 * Encodings: r/m = EAX/AX/AL (AH with high8), reg = ECX/CX/CL (CH), no memory operands, and no
 * 0x40-0x4F INC/DEC (REX prefixes on the host): those use FE/FF. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpudiff.h"

typedef struct builder {
    cd_form *out;
    unsigned n;
} builder;

static cd_form *add(builder *b, cd_class cls, unsigned size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static cd_form *add(builder *b, cd_class cls, unsigned size, const char *fmt, ...)
{
    if (b->n >= CD_MAX_FORMS)
        return &b->out[CD_MAX_FORMS - 1]; /* caught by the form-count test */
    cd_form *f = &b->out[b->n++];
    memset(f, 0, sizeof(*f));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->name, sizeof(f->name), fmt, ap);
    va_end(ap);
    f->cls = cls;
    f->size = (uint8_t)size;
    return f;
}

static void bytes(cd_form *f, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        f->bytes[f->len++] = (uint8_t)va_arg(ap, int);
    va_end(ap);
}

/* op r/m, reg in 8 (AL,CL and AH,CH), 16, 32 bits, and the immediate forms. */
static void alu(builder *b, const char *nm, unsigned base, unsigned n, cd_class cls)
{
    bytes(add(b, cls, 8, "%s al, cl", nm), 2, base, 0xC8);
    cd_form *f = add(b, cls, 8, "%s ah, ch", nm);
    f->high8 = true;
    bytes(f, 2, base, 0xEC);
    bytes(add(b, cls, 16, "%s ax, cx", nm), 3, 0x66, base + 1, 0xC8);
    bytes(add(b, cls, 32, "%s eax, ecx", nm), 2, base + 1, 0xC8);
    bytes(add(b, cls, 8, "%s al, 0x7f", nm), 3, 0x80, 0xC0 | n << 3, 0x7F);
    bytes(add(b, cls, 16, "%s ax, -128", nm), 4, 0x66, 0x83, 0xC0 | n << 3, 0x80);
    bytes(add(b, cls, 32, "%s eax, -128", nm), 3, 0x83, 0xC0 | n << 3, 0x80);
    bytes(add(b, cls, 32, "%s eax, 0x12345678", nm), 6, 0x81, 0xC0 | n << 3, 0x78, 0x56, 0x34,
          0x12);
}

static void unary(builder *b, const char *nm, unsigned op8, unsigned n, cd_class cls)
{
    bytes(add(b, cls, 8, "%s al", nm), 2, op8, 0xC0 | n << 3);
    cd_form *f = add(b, cls, 8, "%s ah", nm);
    f->high8 = true;
    bytes(f, 2, op8, 0xC4 | n << 3);
    bytes(add(b, cls, 16, "%s ax", nm), 3, 0x66, op8 + 1, 0xC0 | n << 3);
    bytes(add(b, cls, 32, "%s eax", nm), 2, op8 + 1, 0xC0 | n << 3);
}

static const unsigned shift_imms[] = {0, 1, 7, 8, 9, 16, 17, 31, 33};

static void shift(builder *b, const char *nm, unsigned n, cd_class cls)
{
    static const char *const r8[2] = {"al", "ah"};
    for (int hi = 0; hi < 2; hi++) {
        cd_form *f = add(b, cls, 8, "%s %s, cl", nm, r8[hi]);
        f->count = CD_COUNT_CL;
        f->high8 = hi;
        bytes(f, 2, 0xD2, (hi ? 0xC4 : 0xC0) | n << 3);
    }
    cd_form *f = add(b, cls, 16, "%s ax, cl", nm);
    f->count = CD_COUNT_CL;
    bytes(f, 3, 0x66, 0xD3, 0xC0 | n << 3);
    f = add(b, cls, 32, "%s eax, cl", nm);
    f->count = CD_COUNT_CL;
    bytes(f, 2, 0xD3, 0xC0 | n << 3);
    f = add(b, cls, 8, "%s al, 1", nm);
    f->count = CD_COUNT_ONE;
    bytes(f, 2, 0xD0, 0xC0 | n << 3);
    f = add(b, cls, 16, "%s ax, 1", nm);
    f->count = CD_COUNT_ONE;
    bytes(f, 3, 0x66, 0xD1, 0xC0 | n << 3);
    f = add(b, cls, 32, "%s eax, 1", nm);
    f->count = CD_COUNT_ONE;
    bytes(f, 2, 0xD1, 0xC0 | n << 3);
    for (unsigned i = 0; i < sizeof(shift_imms) / sizeof(shift_imms[0]); i++) {
        unsigned imm = shift_imms[i];
        f = add(b, cls, 8, "%s al, %u", nm, imm);
        f->count = CD_COUNT_IMM;
        f->imm = (uint8_t)imm;
        bytes(f, 3, 0xC0, 0xC0 | n << 3, imm);
        f = add(b, cls, 32, "%s eax, %u", nm, imm);
        f->count = CD_COUNT_IMM;
        f->imm = (uint8_t)imm;
        bytes(f, 3, 0xC1, 0xC0 | n << 3, imm);
    }
}

static void shxd(builder *b, const char *nm, unsigned op)
{
    cd_form *f = add(b, CD_SHXD, 16, "%s ax, cx, cl", nm);
    f->count = CD_COUNT_CL;
    bytes(f, 4, 0x66, 0x0F, op + 1, 0xC8);
    f = add(b, CD_SHXD, 32, "%s eax, ecx, cl", nm);
    f->count = CD_COUNT_CL;
    bytes(f, 3, 0x0F, op + 1, 0xC8);
    for (unsigned i = 0; i < sizeof(shift_imms) / sizeof(shift_imms[0]); i++) {
        unsigned imm = shift_imms[i];
        f = add(b, CD_SHXD, 32, "%s eax, ecx, %u", nm, imm);
        f->count = CD_COUNT_IMM;
        f->imm = (uint8_t)imm;
        bytes(f, 4, 0x0F, op, 0xC8, imm);
        f = add(b, CD_SHXD, 16, "%s ax, cx, %u", nm, imm);
        f->count = CD_COUNT_IMM;
        f->imm = (uint8_t)imm;
        bytes(f, 5, 0x66, 0x0F, op, 0xC8, imm);
    }
}

/* MUL/IMUL/DIV/IDIV with the source in CL/CH/CX/ECX. */
static void muldiv(builder *b, const char *nm, unsigned n, cd_class cls, bool is_signed)
{
    cd_form *f = add(b, cls, 8, "%s cl", nm);
    f->is_signed = is_signed;
    bytes(f, 2, 0xF6, 0xC1 | n << 3);
    f = add(b, cls, 8, "%s ch", nm);
    f->is_signed = is_signed;
    f->high8 = true;
    bytes(f, 2, 0xF6, 0xC5 | n << 3);
    f = add(b, cls, 16, "%s cx", nm);
    f->is_signed = is_signed;
    bytes(f, 3, 0x66, 0xF7, 0xC1 | n << 3);
    f = add(b, cls, 32, "%s ecx", nm);
    f->is_signed = is_signed;
    bytes(f, 2, 0xF7, 0xC1 | n << 3);
}

static void bits(builder *b)
{
    static const char *const bt[4] = {"bt", "bts", "btr", "btc"};
    for (unsigned i = 0; i < 4; i++) {
        bytes(add(b, CD_BT, 32, "%s eax, ecx", bt[i]), 3, 0x0F, 0xA3 + 8 * i, 0xC8);
        bytes(add(b, CD_BT, 16, "%s ax, cx", bt[i]), 4, 0x66, 0x0F, 0xA3 + 8 * i, 0xC8);
        bytes(add(b, CD_BT, 32, "%s eax, 37", bt[i]), 4, 0x0F, 0xBA, 0xE0 + 8 * i, 37);
        bytes(add(b, CD_BT, 16, "%s ax, 13", bt[i]), 5, 0x66, 0x0F, 0xBA, 0xE0 + 8 * i, 13);
    }
    bytes(add(b, CD_BSX, 32, "bsf eax, ecx"), 3, 0x0F, 0xBC, 0xC1);
    bytes(add(b, CD_BSX, 16, "bsf ax, cx"), 4, 0x66, 0x0F, 0xBC, 0xC1);
    bytes(add(b, CD_BSX, 32, "bsr eax, ecx"), 3, 0x0F, 0xBD, 0xC1);
    bytes(add(b, CD_BSX, 16, "bsr ax, cx"), 4, 0x66, 0x0F, 0xBD, 0xC1);
}

/* Memory forms: r/m = [EBX] (ModRM mod 00, rm 011). The read-modify-write paths of an
 * interpreter are usually separate from the register ones. */
static cd_form *madd(builder *b, cd_class cls, unsigned size, const char *name, int n, ...)
{
    cd_form *f = add(b, cls, size, "%s", name);
    f->mem = true;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        f->bytes[f->len++] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    return f;
}

static void mem_forms(builder *b)
{
    static const char *const alu_names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    char nm[40];
    for (unsigned n = 0; n < 8; n++) {
        cd_class cls = (n == 1 || n == 4 || n == 6) ? CD_LOGIC : CD_ALU;
        snprintf(nm, sizeof(nm), "%s [ebx], ecx", alu_names[n]);
        madd(b, cls, 32, nm, 2, n * 8 + 1, 0x0B);
        snprintf(nm, sizeof(nm), "%s ecx, [ebx]", alu_names[n]);
        madd(b, cls, 32, nm, 2, n * 8 + 3, 0x0B);
        snprintf(nm, sizeof(nm), "%s byte [ebx], cl", alu_names[n]);
        madd(b, cls, 8, nm, 2, n * 8, 0x0B);
        snprintf(nm, sizeof(nm), "%s word [ebx], cx", alu_names[n]);
        madd(b, cls, 16, nm, 3, 0x66, n * 8 + 1, 0x0B);
        snprintf(nm, sizeof(nm), "%s dword [ebx], -3", alu_names[n]);
        madd(b, cls, 32, nm, 3, 0x83, 0x03 | n << 3, 0xFD);
    }
    madd(b, CD_INCDEC, 32, "inc dword [ebx]", 2, 0xFF, 0x03);
    madd(b, CD_INCDEC, 8, "dec byte [ebx]", 2, 0xFE, 0x0B);
    madd(b, CD_NOT, 32, "not dword [ebx]", 2, 0xF7, 0x13);
    madd(b, CD_ALU, 16, "neg word [ebx]", 3, 0x66, 0xF7, 0x1B);
    madd(b, CD_LOGIC, 32, "test [ebx], ecx", 2, 0x85, 0x0B);
    madd(b, CD_MUL, 32, "imul ecx, [ebx]", 3, 0x0F, 0xAF, 0x0B);
    madd(b, CD_MUL, 32, "mul dword [ebx]", 2, 0xF7, 0x23);
    static const char *const sh[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    static const cd_class shc[8] = {CD_ROT,   CD_ROT,   CD_RCX,   CD_RCX,
                                    CD_SHIFT, CD_SHIFT, CD_SHIFT, CD_SAR};
    for (unsigned n = 0; n < 8; n++) {
        if (n == 6)
            continue;
        snprintf(nm, sizeof(nm), "%s dword [ebx], cl", sh[n]);
        madd(b, shc[n], 32, nm, 2, 0xD3, 0x03 | n << 3)->count = CD_COUNT_CL;
        snprintf(nm, sizeof(nm), "%s byte [ebx], cl", sh[n]);
        madd(b, shc[n], 8, nm, 2, 0xD2, 0x03 | n << 3)->count = CD_COUNT_CL;
        snprintf(nm, sizeof(nm), "%s word [ebx], 1", sh[n]);
        madd(b, shc[n], 16, nm, 3, 0x66, 0xD1, 0x03 | n << 3)->count = CD_COUNT_ONE;
    }
    madd(b, CD_SHXD, 32, "shld [ebx], ecx, cl", 3, 0x0F, 0xA5, 0x0B)->count = CD_COUNT_CL;
    madd(b, CD_SHXD, 32, "shrd [ebx], ecx, cl", 3, 0x0F, 0xAD, 0x0B)->count = CD_COUNT_CL;
    static const char *const bt[4] = {"bt", "bts", "btr", "btc"};
    for (unsigned i = 0; i < 4; i++) {
        snprintf(nm, sizeof(nm), "%s dword [ebx], 45", bt[i]);
        madd(b, CD_BT, 32, nm, 4, 0x0F, 0xBA, 0x23 + 8 * i, 45);
        snprintf(nm, sizeof(nm), "%s word [ebx], 7", bt[i]);
        madd(b, CD_BT, 16, nm, 5, 0x66, 0x0F, 0xBA, 0x23 + 8 * i, 7);
    }
    madd(b, CD_ALU, 32, "xadd [ebx], ecx", 3, 0x0F, 0xC1, 0x0B);
    madd(b, CD_ALU, 32, "cmpxchg [ebx], ecx", 3, 0x0F, 0xB1, 0x0B);
}

/* Instructions that read flags (SETcc, CMOVcc, Jcc, ADC-free ones like LAHF/CMC), moves and
 * conversions. A branch is "Jcc +2; inc eax" so both outcomes end at the same place. */
static void cond_forms(builder *b)
{
    static const char *const cc[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                       "s", "ns", "p", "np", "l", "ge", "le", "g"};
    for (unsigned c = 0; c < 16; c++) {
        bytes(add(b, CD_NOT, 8, "set%s al", cc[c]), 3, 0x0F, 0x90 + c, 0xC0);
        bytes(add(b, CD_NOT, 32, "cmov%s eax, ecx", cc[c]), 3, 0x0F, 0x40 + c, 0xC1);
        bytes(add(b, CD_INCDEC, 32, "j%s +2; inc eax", cc[c]), 4, 0x70 + c, 0x02, 0xFF, 0xC0);
    }
    bytes(add(b, CD_NOT, 16, "cmovl ax, cx"), 4, 0x66, 0x0F, 0x4C, 0xC1);
    bytes(add(b, CD_INCDEC, 32, "loop +2; inc eax"), 4, 0xE2, 0x02, 0xFF, 0xC0);
    bytes(add(b, CD_INCDEC, 32, "loope +2; inc eax"), 4, 0xE1, 0x02, 0xFF, 0xC0);
    bytes(add(b, CD_INCDEC, 32, "loopne +2; inc eax"), 4, 0xE0, 0x02, 0xFF, 0xC0);
    bytes(add(b, CD_INCDEC, 32, "jecxz +2; inc eax"), 4, 0xE3, 0x02, 0xFF, 0xC0);
    bytes(add(b, CD_NOT, 8, "lahf"), 1, 0x9F);
    bytes(add(b, CD_NOT, 8, "sahf"), 1, 0x9E);
    bytes(add(b, CD_NOT, 8, "cmc"), 1, 0xF5);
    bytes(add(b, CD_NOT, 8, "clc"), 1, 0xF8);
    bytes(add(b, CD_NOT, 8, "stc"), 1, 0xF9);
    bytes(add(b, CD_NOT, 32, "movzx eax, cl"), 3, 0x0F, 0xB6, 0xC1);
    bytes(add(b, CD_NOT, 32, "movzx eax, ch"), 3, 0x0F, 0xB6, 0xC5);
    bytes(add(b, CD_NOT, 32, "movsx eax, cl"), 3, 0x0F, 0xBE, 0xC1);
    bytes(add(b, CD_NOT, 32, "movzx eax, cx"), 3, 0x0F, 0xB7, 0xC1);
    bytes(add(b, CD_NOT, 32, "movsx eax, cx"), 3, 0x0F, 0xBF, 0xC1);
    bytes(add(b, CD_NOT, 16, "movsx ax, cl"), 4, 0x66, 0x0F, 0xBE, 0xC1);
    bytes(add(b, CD_NOT, 32, "bswap eax"), 2, 0x0F, 0xC8);
    bytes(add(b, CD_NOT, 32, "xchg eax, ecx"), 1, 0x91);
    bytes(add(b, CD_NOT, 8, "xchg ah, cl"), 2, 0x86, 0xCC);
    bytes(add(b, CD_NOT, 16, "cbw"), 2, 0x66, 0x98);
    bytes(add(b, CD_NOT, 32, "cwde"), 1, 0x98);
    bytes(add(b, CD_NOT, 16, "cwd"), 2, 0x66, 0x99);
    bytes(add(b, CD_NOT, 32, "cdq"), 1, 0x99);
    bytes(add(b, CD_ALU, 32, "xadd eax, ecx"), 3, 0x0F, 0xC1, 0xC8);
    bytes(add(b, CD_ALU, 8, "xadd al, cl"), 3, 0x0F, 0xC0, 0xC8);
    bytes(add(b, CD_ALU, 32, "cmpxchg edx, ecx"), 3, 0x0F, 0xB1, 0xCA);
    bytes(add(b, CD_ALU, 16, "cmpxchg dx, cx"), 4, 0x66, 0x0F, 0xB1, 0xCA);
    bytes(add(b, CD_NOT, 32, "lea eax, [ecx+edx*4+0x80]"), 7, 0x8D, 0x84, 0x91, 0x80, 0, 0, 0);
}

unsigned cpudiff_forms_build(cd_form *out)
{
    builder b = {out, 0};
    static const char *const alu_names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    for (unsigned n = 0; n < 8; n++) {
        bool logic = n == 1 || n == 4 || n == 6;
        alu(&b, alu_names[n], n * 8, n, logic ? CD_LOGIC : CD_ALU);
    }
    bytes(add(&b, CD_LOGIC, 8, "test al, cl"), 2, 0x84, 0xC8);
    bytes(add(&b, CD_LOGIC, 16, "test ax, cx"), 3, 0x66, 0x85, 0xC8);
    bytes(add(&b, CD_LOGIC, 32, "test eax, ecx"), 2, 0x85, 0xC8);
    bytes(add(&b, CD_LOGIC, 32, "test eax, 0x80000001"), 6, 0xF7, 0xC0, 1, 0, 0, 0x80);
    unary(&b, "inc", 0xFE, 0, CD_INCDEC);
    unary(&b, "dec", 0xFE, 1, CD_INCDEC);
    unary(&b, "not", 0xF6, 2, CD_NOT);
    unary(&b, "neg", 0xF6, 3, CD_ALU);
    shift(&b, "rol", 0, CD_ROT);
    shift(&b, "ror", 1, CD_ROT);
    shift(&b, "rcl", 2, CD_RCX);
    shift(&b, "rcr", 3, CD_RCX);
    shift(&b, "shl", 4, CD_SHIFT);
    shift(&b, "shr", 5, CD_SHIFT);
    shift(&b, "sar", 7, CD_SAR);
    shxd(&b, "shld", 0xA4);
    shxd(&b, "shrd", 0xAC);
    muldiv(&b, "mul", 4, CD_MUL, false);
    muldiv(&b, "imul", 5, CD_MUL, true);
    muldiv(&b, "div", 6, CD_DIV, false);
    muldiv(&b, "idiv", 7, CD_DIV, true);
    bytes(add(&b, CD_MUL, 32, "imul eax, ecx"), 3, 0x0F, 0xAF, 0xC1);
    bytes(add(&b, CD_MUL, 16, "imul ax, cx"), 4, 0x66, 0x0F, 0xAF, 0xC1);
    bytes(add(&b, CD_MUL, 32, "imul eax, ecx, -3"), 3, 0x6B, 0xC1, 0xFD);
    bytes(add(&b, CD_MUL, 16, "imul ax, cx, 0x7001"), 5, 0x66, 0x69, 0xC1, 0x01, 0x70);
    bytes(add(&b, CD_MUL, 32, "imul eax, ecx, 0x12345"), 6, 0x69, 0xC1, 0x45, 0x23, 0x01, 0);
    bits(&b);
    cond_forms(&b);
    mem_forms(&b);
    return b.n;
}

static unsigned count_of(const cd_form *f, const cd_state *in)
{
    switch (f->count) {
    case CD_COUNT_CL: return in->gpr[1] & 0xFF;
    case CD_COUNT_ONE: return 1;
    case CD_COUNT_IMM: return f->imm;
    default: return 0;
    }
}

/* Flag definitions, Intel SDM vol. 2, "Flags Affected" of each instruction. Flags an
 * instruction leaves unchanged count as defined (they must keep their input value). */
uint32_t cpudiff_defined(const cd_form *f, const cd_state *in, bool *ret_dest_defined)
{
    unsigned masked = count_of(f, in) & 0x1F; /* every shift/rotate masks the count to 5 bits */
    *ret_dest_defined = true;
    switch (f->cls) {
    case CD_ALU:
    case CD_INCDEC:
    case CD_NOT: return CD_ARITH;
    case CD_LOGIC: return CD_ARITH & ~CD_AF;
    case CD_SHIFT:
    case CD_SAR: {
        if (masked == 0)
            return CD_ARITH; /* count 0: flags unchanged */
        uint32_t d = CD_CF | CD_SF | CD_ZF | CD_PF | (masked == 1 ? CD_OF : 0);
        /* CF is undefined for SHL/SHR when the count is >= the operand size */
        if (f->cls == CD_SHIFT && masked >= f->size)
            d &= ~CD_CF;
        return d;
    }
    case CD_ROT:
    case CD_RCX:
        /* Only CF and OF are affected; SF ZF AF PF keep their values. CF is the last bit
         * rotated, or unchanged when RCL/RCR rotate by a multiple of size+1; OF is defined
         * for 1-bit rotates only. */
        if (masked == 0)
            return CD_ARITH;
        return CD_ARITH & ~(masked == 1 ? 0 : CD_OF);
    case CD_SHXD:
        if (masked == 0)
            return CD_ARITH;
        if (masked > f->size) {
            *ret_dest_defined = false;
            return 0;
        }
        return CD_CF | CD_SF | CD_ZF | CD_PF | (masked == 1 ? CD_OF : 0);
    case CD_MUL: return CD_CF | CD_OF;
    case CD_DIV: return 0;
    case CD_BT: return CD_CF | CD_ZF;
    case CD_BSX: {
        uint32_t src = in->gpr[1] & (f->size == 16 ? 0xFFFFu : 0xFFFFFFFFu);
        if (src == 0)
            *ret_dest_defined = false;
        return CD_ZF;
    }
    }
    return 0;
}

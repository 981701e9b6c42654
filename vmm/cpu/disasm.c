/* Disassembler (Intel syntax) for traces, logs and debuggers. It reuses the decoder for
 * lengths, ModRM/SIB and immediates, and adds mnemonic/operand templates per opcode.
 * Operand codes in the templates: E/G (ModRM r/m and reg) with size b/w/v/d, I (imm: b, w,
 * v = operand size, s = sign-extended byte), J (relative target), O (moffs), A (far pointer),
 * Z (register in the opcode's low bits), S (segment register), C/D (control/debug register),
 * M (memory only), literal register names otherwise. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/cpu/cpu_int.h"

static const char *const op1[256] = {
    "add Eb,Gb",
    "add Ev,Gv",
    "add Gb,Eb",
    "add Gv,Ev",
    "add al,Ib",
    "add eAX,Iv",
    "push es",
    "pop es",
    "or Eb,Gb",
    "or Ev,Gv",
    "or Gb,Eb",
    "or Gv,Ev",
    "or al,Ib",
    "or eAX,Iv",
    "push cs",
    NULL,
    "adc Eb,Gb",
    "adc Ev,Gv",
    "adc Gb,Eb",
    "adc Gv,Ev",
    "adc al,Ib",
    "adc eAX,Iv",
    "push ss",
    "pop ss",
    "sbb Eb,Gb",
    "sbb Ev,Gv",
    "sbb Gb,Eb",
    "sbb Gv,Ev",
    "sbb al,Ib",
    "sbb eAX,Iv",
    "push ds",
    "pop ds",
    "and Eb,Gb",
    "and Ev,Gv",
    "and Gb,Eb",
    "and Gv,Ev",
    "and al,Ib",
    "and eAX,Iv",
    NULL,
    "daa",
    "sub Eb,Gb",
    "sub Ev,Gv",
    "sub Gb,Eb",
    "sub Gv,Ev",
    "sub al,Ib",
    "sub eAX,Iv",
    NULL,
    "das",
    "xor Eb,Gb",
    "xor Ev,Gv",
    "xor Gb,Eb",
    "xor Gv,Ev",
    "xor al,Ib",
    "xor eAX,Iv",
    NULL,
    "aaa",
    "cmp Eb,Gb",
    "cmp Ev,Gv",
    "cmp Gb,Eb",
    "cmp Gv,Ev",
    "cmp al,Ib",
    "cmp eAX,Iv",
    NULL,
    "aas",
    /* 40 */ "inc Zv",
    "inc Zv",
    "inc Zv",
    "inc Zv",
    "inc Zv",
    "inc Zv",
    "inc Zv",
    "inc Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    "dec Zv",
    /* 50 */ "push Zv",
    "push Zv",
    "push Zv",
    "push Zv",
    "push Zv",
    "push Zv",
    "push Zv",
    "push Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    "pop Zv",
    /* 60 */ "pushaV",
    "popaV",
    "bound Gv,M",
    "arpl Ew,Gw",
    NULL,
    NULL,
    NULL,
    NULL,
    "push Iv",
    "imul Gv,Ev,Iv",
    "push Is",
    "imul Gv,Ev,Is",
    "insb",
    "insV",
    "outsb",
    "outsV",
    /* 70 */ "jo Jb",
    "jno Jb",
    "jb Jb",
    "jae Jb",
    "je Jb",
    "jne Jb",
    "jbe Jb",
    "ja Jb",
    "js Jb",
    "jns Jb",
    "jp Jb",
    "jnp Jb",
    "jl Jb",
    "jge Jb",
    "jle Jb",
    "jg Jb",
    /* 80 */ NULL,
    NULL,
    NULL,
    NULL,
    "test Eb,Gb",
    "test Ev,Gv",
    "xchg Eb,Gb",
    "xchg Ev,Gv",
    "mov Eb,Gb",
    "mov Ev,Gv",
    "mov Gb,Eb",
    "mov Gv,Ev",
    "mov Ew,Sw",
    "lea Gv,M",
    "mov Sw,Ew",
    "pop Ev",
    /* 90 */ "nop",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "xchg eAX,Zv",
    "cbwV",
    "cwdV",
    "call Ap",
    "fwait",
    "pushfV",
    "popfV",
    "sahf",
    "lahf",
    /* A0 */ "mov al,Ob",
    "mov eAX,Ov",
    "mov Ob,al",
    "mov Ov,eAX",
    "movsb",
    "movsV",
    "cmpsb",
    "cmpsV",
    "test al,Ib",
    "test eAX,Iv",
    "stosb",
    "stosV",
    "lodsb",
    "lodsV",
    "scasb",
    "scasV",
    /* B0 */ "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zb,Ib",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    "mov Zv,Iv",
    /* C0 */ NULL,
    NULL,
    "ret Iw",
    "ret",
    "les Gv,M",
    "lds Gv,M",
    NULL,
    NULL,
    "enter Iw,Ib",
    "leave",
    "retf Iw",
    "retf",
    "int3",
    "int Ib",
    "into",
    "iretV",
    /* D0 */ NULL,
    NULL,
    NULL,
    NULL,
    "aam Ib",
    "aad Ib",
    "salc",
    "xlat",
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    /* E0 */ "loopne Jb",
    "loope Jb",
    "loop Jb",
    "jcxz Jb",
    "in al,Ib",
    "in eAX,Ib",
    "out Ib,al",
    "out Ib,eAX",
    "call Jz",
    "jmp Jz",
    "jmp Ap",
    "jmp Jb",
    "in al,dx",
    "in eAX,dx",
    "out dx,al",
    "out dx,eAX",
    /* F0 */ NULL,
    "int1",
    NULL,
    NULL,
    "hlt",
    "cmc",
    NULL,
    NULL,
    "clc",
    "stc",
    "cli",
    "sti",
    "cld",
    "std",
    NULL,
    NULL,
};

static const char *const grp1[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
static const char *const grp2[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
static const char *const grp3[8] = {"test", "test", "not", "neg", "mul", "imul", "div", "idiv"};
static const char *const grp5[8] = {"inc", "dec",     "call", "call far",
                                    "jmp", "jmp far", "push", NULL};
static const char *const grp6[8] = {"sldt", "str", "lldt", "ltr", "verr", "verw", NULL, NULL};
static const char *const grp7[8] = {"sgdt", "sidt", "lgdt", "lidt", "smsw", NULL, "lmsw", "invlpg"};
static const char *const grp8[8] = {NULL, NULL, NULL, NULL, "bt", "bts", "btr", "btc"};
static const char *const cc[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                   "s", "ns", "p", "np", "l", "ge", "le", "g"};

static const char *op2(unsigned b)
{
    switch (b) {
    case 0x02: return "lar Gv,Ew";
    case 0x03: return "lsl Gv,Ew";
    case 0x06: return "clts";
    case 0x08: return "invd";
    case 0x09: return "wbinvd";
    case 0x0B: return "ud2";
    case 0x20: return "mov Rd,Cd";
    case 0x21: return "mov Rd,Dd";
    case 0x22: return "mov Cd,Rd";
    case 0x23: return "mov Dd,Rd";
    case 0x30: return "wrmsr";
    case 0x31: return "rdtsc";
    case 0x32: return "rdmsr";
    case 0x33: return "rdpmc";
    case 0x34: return "sysenter";
    case 0x35: return "sysexit";
    case 0xA0: return "push fs";
    case 0xA1: return "pop fs";
    case 0xA2: return "cpuid";
    case 0xA3: return "bt Ev,Gv";
    case 0xA4: return "shld Ev,Gv,Ib";
    case 0xA5: return "shld Ev,Gv,cl";
    case 0xA8: return "push gs";
    case 0xA9: return "pop gs";
    case 0xAB: return "bts Ev,Gv";
    case 0xAC: return "shrd Ev,Gv,Ib";
    case 0xAD: return "shrd Ev,Gv,cl";
    case 0xAF: return "imul Gv,Ev";
    case 0xB0: return "cmpxchg Eb,Gb";
    case 0xB1: return "cmpxchg Ev,Gv";
    case 0xB2: return "lss Gv,M";
    case 0xB3: return "btr Ev,Gv";
    case 0xB4: return "lfs Gv,M";
    case 0xB5: return "lgs Gv,M";
    case 0xB6: return "movzx Gv,Eb";
    case 0xB7: return "movzx Gv,Ew";
    case 0xBB: return "btc Ev,Gv";
    case 0xBC: return "bsf Gv,Ev";
    case 0xBD: return "bsr Gv,Ev";
    case 0xBE: return "movsx Gv,Eb";
    case 0xBF: return "movsx Gv,Ew";
    case 0xC0: return "xadd Eb,Gb";
    case 0xC1: return "xadd Ev,Gv";
    default: return NULL;
    }
}

typedef struct dout {
    char *p;
    int left;
} dout;

static void put(dout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(dout *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p, (size_t)(o->left > 0 ? o->left : 0), fmt, ap);
    va_end(ap);
    if (n > 0 && n < o->left) {
        o->p += n;
        o->left -= n;
    } else if (o->left > 0) {
        o->p += o->left - 1;
        o->left = 1;
    }
}

static const char *const r8n[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
static const char *const r16n[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const r32n[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const segn[8] = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};

static const char *regname(unsigned r, char sz, bool o32)
{
    if (sz == 'b')
        return r8n[r & 7];
    if (sz == 'w' || (sz == 'v' && !o32))
        return r16n[r & 7];
    return r32n[r & 7];
}

static void put_mem(dout *o, const insn *i, char sz, bool o32)
{
    static const char *const ptr[] = {"byte", "word", "dword"};
    if (sz == 'b' || sz == 'w' || sz == 'v' || sz == 'd')
        put(o, "%s ", ptr[sz == 'b' ? 0 : (sz == 'w' || (sz == 'v' && !o32)) ? 1 : 2]);
    if (i->flags & I_SEGOVR)
        put(o, "%s:", segn[i->seg & 7]);
    bool a32 = (i->flags & I_A32) != 0;
    const char *const *rn = a32 ? r32n : r16n;
    put(o, "[");
    bool any = false;
    if (i->base != 8) {
        put(o, "%s", rn[i->base]);
        any = true;
    }
    if (i->index != 8) {
        put(o, "%s%s", any ? "+" : "", rn[i->index]);
        if (i->scale)
            put(o, "*%u", 1u << i->scale);
        any = true;
    }
    uint32_t d = a32 ? i->disp : i->disp & 0xFFFF;
    if (!any)
        put(o, "0x%x", d);
    else if (d) {
        int32_t sd = a32 ? (int32_t)d : (int16_t)d;
        put(o, "%s0x%x", sd < 0 ? "-" : "+", sd < 0 ? (uint32_t)-sd : (uint32_t)sd);
    }
    put(o, "]");
}

static void put_operand(dout *o, const insn *i, const char *spec, int n, uint32_t eip, unsigned opc)
{
    bool o32 = (i->flags & I_O32) != 0, mem = (i->flags & I_MEM) != 0;
    char k = spec[0], sz = n > 1 ? spec[1] : 0;
    if (n == 3 && !strncmp(spec, "eAX", 3)) {
        put(o, "%s", o32 ? "eax" : "ax");
        return;
    }
    if (n == 1 && k == '1') {
        put(o, "1");
        return;
    }
    switch (n == 2 ? k : 0) {
    case 'E':
        if (mem)
            put_mem(o, i, sz, o32);
        else
            put(o, "%s", regname(i->rm, sz, o32));
        return;
    case 'G': put(o, "%s", regname(i->reg, sz, o32)); return;
    case 'Z': put(o, "%s", regname(opc & 7, sz, o32)); return;
    case 'S': put(o, "%s", segn[i->reg]); return;
    case 'C': put(o, "cr%u", i->reg); return;
    case 'D': put(o, "dr%u", i->reg); return;
    case 'R': put(o, "%s", r32n[i->rm]); return;
    case 'M': put_mem(o, i, 0, o32); return;
    case 'O': put_mem(o, i, sz, o32); return;
    case 'A': put(o, "0x%x:0x%x", i->imm2, i->imm); return;
    case 'J': {
        uint32_t t = eip + i->len + i->imm;
        put(o, "0x%x", o32 ? t : t & 0xFFFF);
        return;
    }
    case 'I':
        if (sz == 'b')
            put(o, "0x%x", i->imm & 0xFF);
        else if (sz == 'w')
            put(o, "0x%x", i->imm & 0xFFFF);
        else
            put(o, "0x%x", o32 ? i->imm : i->imm & 0xFFFF);
        return;
    default: put(o, "%.*s", n, spec); return;
    }
}

/* Mnemonic and operand template of the decoded instruction. */
static const char *template_of(const insn *i, unsigned opc, const char **grp_name, char *tmp)
{
    unsigned r = i->reg;
    *grp_name = NULL;
    switch (opc) {
    case 0x80:
    case 0x82: *grp_name = grp1[r]; return "_ Eb,Ib";
    case 0x81: *grp_name = grp1[r]; return "_ Ev,Iv";
    case 0x83: *grp_name = grp1[r]; return "_ Ev,Is";
    case 0xC0: *grp_name = grp2[r]; return "_ Eb,Ib";
    case 0xC1: *grp_name = grp2[r]; return "_ Ev,Ib";
    case 0xD0: *grp_name = grp2[r]; return "_ Eb,1";
    case 0xD1: *grp_name = grp2[r]; return "_ Ev,1";
    case 0xD2: *grp_name = grp2[r]; return "_ Eb,cl";
    case 0xD3: *grp_name = grp2[r]; return "_ Ev,cl";
    case 0xC6: return "mov Eb,Ib";
    case 0xC7: return "mov Ev,Iv";
    case 0xF6: *grp_name = grp3[r]; return r < 2 ? "_ Eb,Ib" : "_ Eb";
    case 0xF7: *grp_name = grp3[r]; return r < 2 ? "_ Ev,Iv" : "_ Ev";
    case 0xFE: *grp_name = r < 2 ? grp5[r] : NULL; return "_ Eb";
    case 0xFF: *grp_name = grp5[r]; return (r == 3 || r == 5) ? "_ M" : "_ Ev";
    case 0x100: *grp_name = grp6[r]; return "_ Ew";
    case 0x101: *grp_name = grp7[r]; return (r == 4 || r == 6) ? "_ Ew" : "_ M";
    case 0x1BA: *grp_name = grp8[r]; return "_ Ev,Ib";
    case 0x1C7: return r == 1 ? "cmpxchg8b M" : NULL;
    }
    if (opc >= 0xD8 && opc <= 0xDF) {
        snprintf(tmp, 32, "fpu%02x/%u M", opc, r);
        return i->flags & I_MEM ? tmp : "fpu";
    }
    if (opc < 0x100)
        return op1[opc];
    unsigned b = opc & 0xFF;
    if (b >= 0x80 && b <= 0x8F) {
        snprintf(tmp, 32, "j%s Jz", cc[b & 15]);
        return tmp;
    }
    if (b >= 0x90 && b <= 0x9F) {
        snprintf(tmp, 32, "set%s Eb", cc[b & 15]);
        return tmp;
    }
    if (b >= 0x40 && b <= 0x4F) {
        snprintf(tmp, 32, "cmov%s Gv,Ev", cc[b & 15]);
        return tmp;
    }
    if (b >= 0xC8 && b <= 0xCF)
        return "bswap Zd";
    if (b >= 0x18 && b <= 0x1F)
        return "nop Ev";
    return op2(b);
}

int x86_disasm(const uint8_t *code, unsigned avail, bool code32, uint32_t eip, char *out, int size)
{
    if (size <= 0)
        return 0;
    out[0] = 0;
    dec_src s = {.p = code, .avail = avail};
    insn in;
    int len = x86_decode(&s, code32, &in);
    if (len <= 0)
        return 0;
    /* the opcode: skip prefixes the same way the decoder did */
    unsigned pos = 0;
    while (pos < (unsigned)len &&
           strchr("\x66\x67\xF0\xF2\xF3\x26\x2E\x36\x3E\x64\x65", code[pos]) && code[pos])
        pos++;
    unsigned opc = code[pos] == 0x0F ? 0x100u | code[pos + 1] : code[pos];
    dout o = {out, size};
    if (in.flags & I_LOCK)
        put(&o, "lock ");
    if (in.flags & I_REP)
        put(&o, "rep ");
    if (in.flags & I_REPNE)
        put(&o, "repne ");
    const char *gname;
    char tmp[32];
    const char *t = template_of(&in, opc, &gname, tmp);
    if (!t || (t[0] == '_' && !gname)) {
        put(&o, "(bad)");
        return len;
    }
    const char *sp = strchr(t, ' ');
    int mlen = sp ? (int)(sp - t) : (int)strlen(t);
    if (t[0] == '_')
        put(&o, "%s", gname);
    else if (mlen > 1 && t[mlen - 1] == 'V') /* size suffix by operand size */
        put(&o, "%.*s%s", mlen - 1, t, (in.flags & I_O32) ? "d" : "w");
    else
        put(&o, "%.*s", mlen, t);
    if (!sp)
        return len;
    put(&o, " ");
    const char *p = sp + 1;
    for (int k = 0; *p; k++) {
        const char *e = strchr(p, ',');
        int n = e ? (int)(e - p) : (int)strlen(p);
        if (k)
            put(&o, ",");
        put_operand(&o, &in, p, n, eip, opc);
        p += n + (e ? 1 : 0);
    }
    return len;
}

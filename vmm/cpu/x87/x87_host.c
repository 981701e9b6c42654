/* Host x87 stubs: every value the guest FPU computes is computed by one real x87
 * instruction of the host, with the guest's control word (precision, rounding and exception
 * masks) loaded, so that results, flags and condition codes are bit-exact.
 *
 * Each stub is one asm block. It loads b then a (ST1, ST0), runs the instruction, stores
 * the status word, reads back `nread` registers and frees the rest, and restores the
 * caller's control word (callee-saved in the SysV ABI). The host stack is left empty (its
 * TOP may move, which nothing depends on). b being loaded too means the stack never
 * underflows while reading back, which would cost a slow microcode assist.
 *
 * The guest's unmasked exceptions are unmasked on the host too, which gives the hardware's
 * unmasked responses (no store, wrapped exponents). When the instruction left an exception
 * pending (ES), or raised a flag the caller's control word does not mask, FNCLEX (which does
 * not wait) clears the flags before the caller's control word is reloaded.
 *
 * Flags and condition codes. FNCLEX is slow (16 ns on the machine this was measured on), so
 * the fast stubs do not clear the host's sticky flags: they only require, before loading
 * the guest's control word, that every flag still set on the host is also set in the guest
 * and masked there (`h->stale_ok`), else they FNCLEX first. The flags read afterwards are
 * then exactly what the guest's sticky flags become. Condition codes cannot be loaded
 * cheaply, so the fast stubs serve instructions whose written condition codes are known
 * (h->ccmask); the others (FXAM and the D9 F0..FF functions) use full stubs that load a
 * whole environment (FLDENV) holding the guest's condition codes. */
#include "vmm/cpu/x87/x87.h"

#include <stddef.h>

#if !defined(__x86_64__)
#error "the x87 FPU uses the host's x87: build on x86-64 (see docs/x87.md)"
#endif

/* The 28-byte environment FLDENV takes in 64-bit mode (32-bit protected-mode layout). */
struct x87_host_env {
    uint32_t cw, sw, tw, fip, fcs_fop, fdp, fds;
};

#define X87_READ0 ""
#define X87_READ1 "fstpt %[r0]\n\t"
#define X87_READ2 "fstpt %[r0]\n\tfstpt %[r1]\n\t"

/* The part after the instruction: status word, pending exception, results, cleanup. */
#define X87_TAIL(nread)                                                                            \
    "fnstsw %%ax\n\t"                                                                              \
    "movw %%ax, %[sw]\n\t"                                                                         \
    "movzwl %[save], %%edx\n\t"                                                                    \
    "notl %%edx\n\t"                                                                               \
    "andl $0x3F, %%edx\n\t"                                                                        \
    "orl $0x80, %%edx\n\t"                                                                         \
    "testw %%dx, %%ax\n\t"                                                                         \
    "jz 2f\n\t"                                                                                    \
    "fnclex\n"                                                                                     \
    "2:\n\t"                                                                                       \
    "fldcw %[save]\n\t" X87_READ##nread "ffree %%st(0)\n\t"                                        \
                                        "ffree %%st(1)\n\t"                                        \
                                        "ffree %%st(2)"

#define X87_OUTS                                                                                   \
    [save] "=&m"(save), [sw] "=m"(h->sw), [r0] "=m"(h->r[0]), [r1] "=m"(h->r[1]), "+m"(h->mem)
#define X87_CLOBBERS                                                                               \
    "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "ax", "dx", "memory"

/* Fast stub: condition codes in `ccm` come from the host, the others stay the guest's. */
#define X87_FAST(name, insn, nread, ccm)                                                           \
    static void name(x87_host *h)                                                                  \
    {                                                                                              \
        uint16_t save, cw = (uint16_t)((h->cw & 0x1F3Fu) | 0x40u);                                 \
        uint16_t stale_bad = (uint16_t)(0x3F & ~h->stale_ok);                                      \
        h->ccmask = (ccm);                                                                         \
        __asm__ volatile("fnstcw %[save]\n\t"                                                      \
                         "fnstsw %%ax\n\t"                                                         \
                         "testw %[bad], %%ax\n\t"                                                  \
                         "jz 1f\n\t"                                                               \
                         "fnclex\n"                                                                \
                         "1:\n\t"                                                                  \
                         "fldcw %[cw]\n\t"                                                         \
                         "fldt %[b]\n\t"                                                           \
                         "fldt %[a]\n\t" insn "\n\t" X87_TAIL(nread)                               \
                         : X87_OUTS                                                                \
                         : [cw] "m"(cw), [bad] "r"(stale_bad), [a] "m"(h->a), [b] "m"(h->b),       \
                           "S"(h->mem)                                                             \
                         : X87_CLOBBERS);                                                          \
    }

/* Full stub: FLDENV with the guest's control word and condition codes, flags clear. */
#define X87_FULL(name, insn, nread)                                                                \
    static void name(x87_host *h)                                                                  \
    {                                                                                              \
        struct x87_host_env env = {.cw = (h->cw & 0x1F3Fu) | 0x40u, .sw = h->cc, .tw = 0xFFFF};    \
        uint16_t save;                                                                             \
        h->ccmask = X87_CC;                                                                        \
        __asm__ volatile("fnstcw %[save]\n\t"                                                      \
                         "fldenv %[env]\n\t"                                                       \
                         "fldt %[b]\n\t"                                                           \
                         "fldt %[a]\n\t" insn "\n\t" X87_TAIL(nread)                               \
                         : X87_OUTS                                                                \
                         : [env] "m"(env), [a] "m"(h->a), [b] "m"(h->b), "S"(h->mem)               \
                         : X87_CLOBBERS);                                                          \
    }

enum { CC_C1 = FPU_SW_C1, CC_ALL = X87_CC };

/* Memory forms address [rsi]: ModRM mod=00 rm=110. */
#define X87_MEM_INSN(op, r) ".byte 0x" #op ", 0x06 + 8 * " #r
/* Loads read back the pushed value, stores nothing, arithmetic ST0; compares set all CCs. */
#define X87_MEM(op, r)                                                                             \
    X87_FAST(x87_m_##op##_##r, X87_MEM_INSN(op, r), 1, ((r) == 2 || (r) == 3) ? CC_ALL : CC_C1)
#define X87_STORE(op, r) X87_FAST(x87_m_##op##_##r, X87_MEM_INSN(op, r), 0, CC_C1)
#define X87_MEM_ALL(op)                                                                            \
    X87_MEM(op, 0)                                                                                 \
    X87_MEM(op, 1)                                                                                 \
    X87_MEM(op, 2) X87_MEM(op, 3) X87_MEM(op, 4) X87_MEM(op, 5) X87_MEM(op, 6) X87_MEM(op, 7)

X87_MEM_ALL(D8)
X87_MEM_ALL(DC)
X87_MEM_ALL(DA)
X87_MEM_ALL(DE)
X87_MEM(D9, 0)
X87_STORE(D9, 2)
X87_MEM(DB, 0)
X87_STORE(DB, 2)
X87_MEM(DB, 5)
X87_STORE(DB, 7)
X87_MEM(DD, 0)
X87_STORE(DD, 2)
X87_MEM(DF, 0)
X87_STORE(DF, 2)
X87_MEM(DF, 4)
X87_MEM(DF, 5)
X87_STORE(DF, 6)
X87_STORE(DF, 7)

#define ROW(op)                                                                                    \
    {                                                                                              \
        x87_m_##op##_0, x87_m_##op##_1, x87_m_##op##_2, x87_m_##op##_3, x87_m_##op##_4,            \
            x87_m_##op##_5, x87_m_##op##_6, x87_m_##op##_7                                         \
    }

static x87_host_fn *const x87_host_mem_table[8][8] = {
    [0] = ROW(D8),
    [1] = {x87_m_D9_0, NULL, x87_m_D9_2, NULL, NULL, NULL, NULL, NULL},
    [2] = ROW(DA),
    [3] = {x87_m_DB_0, NULL, x87_m_DB_2, NULL, NULL, x87_m_DB_5, NULL, x87_m_DB_7},
    [4] = ROW(DC),
    [5] = {x87_m_DD_0, NULL, x87_m_DD_2, NULL, NULL, NULL, NULL, NULL},
    [6] = ROW(DE),
    [7] = {x87_m_DF_0, NULL, x87_m_DF_2, NULL, x87_m_DF_4, x87_m_DF_5, x87_m_DF_6, x87_m_DF_7},
};

x87_host_fn *x87_host_mem(uint8_t op, unsigned r)
{
    return x87_host_mem_table[op & 7][r & 7];
}

/* D8 C1+8r: ST0 = ST0 op ST1 (or compare ST0 with ST1). */
#define X87_ARITH(r)                                                                               \
    X87_FAST(x87_a_##r, ".byte 0xD8, 0xC1 + 8 * " #r, 1, ((r) == 2 || (r) == 3) ? CC_ALL : CC_C1)
X87_ARITH(0)
X87_ARITH(1)
X87_ARITH(2)
X87_ARITH(3)
X87_ARITH(4)
X87_ARITH(5)
X87_ARITH(6)
X87_ARITH(7)

static x87_host_fn *const x87_host_arith_table[8] = {
    x87_a_0, x87_a_1, x87_a_2, x87_a_3, x87_a_4, x87_a_5, x87_a_6, x87_a_7,
};

x87_host_fn *x87_host_arith(unsigned r)
{
    return x87_host_arith_table[r & 7];
}

X87_FAST(x87_fucom, ".byte 0xDD, 0xE1", 0, CC_ALL)

x87_host_fn *x87_host_fucom(void)
{
    return x87_fucom;
}

/* The D9 E0..FF group, one stub per valid ModRM. */
#define X87_D9_INSN(m)             ".byte 0xD9, 0x" #m
#define X87_D9_FAST(m, nread, ccm) X87_FAST(x87_d9_##m, X87_D9_INSN(m), nread, ccm)
#define X87_D9_FULL(m, nread)      X87_FULL(x87_d9_##m, X87_D9_INSN(m), nread)
X87_D9_FAST(E4, 0, CC_ALL) /* FTST */
X87_D9_FULL(E5, 0)         /* FXAM */
X87_D9_FAST(E8, 1, CC_C1)  /* FLD1 */
X87_D9_FAST(E9, 1, CC_C1)  /* FLDL2T */
X87_D9_FAST(EA, 1, CC_C1)  /* FLDL2E */
X87_D9_FAST(EB, 1, CC_C1)  /* FLDPI */
X87_D9_FAST(EC, 1, CC_C1)  /* FLDLG2 */
X87_D9_FAST(ED, 1, CC_C1)  /* FLDLN2 */
X87_D9_FAST(EE, 1, CC_C1)  /* FLDZ */
X87_D9_FULL(F0, 1)         /* F2XM1 */
X87_D9_FULL(F1, 1)         /* FYL2X */
X87_D9_FULL(F2, 2)         /* FPTAN */
X87_D9_FULL(F3, 1)         /* FPATAN */
X87_D9_FULL(F4, 2)         /* FXTRACT */
X87_D9_FULL(F5, 1)         /* FPREM1 */
X87_D9_FULL(F8, 1)         /* FPREM */
X87_D9_FULL(F9, 1)         /* FYL2XP1 */
X87_D9_FULL(FA, 1)         /* FSQRT */
X87_D9_FULL(FB, 2)         /* FSINCOS */
X87_D9_FULL(FC, 1)         /* FRNDINT */
X87_D9_FULL(FD, 1)         /* FSCALE */
X87_D9_FULL(FE, 1)         /* FSIN */
X87_D9_FULL(FF, 1)         /* FCOS */

static x87_host_fn *const x87_host_d9_table[32] = {
    [0x04] = x87_d9_E4, [0x05] = x87_d9_E5, [0x08] = x87_d9_E8, [0x09] = x87_d9_E9,
    [0x0A] = x87_d9_EA, [0x0B] = x87_d9_EB, [0x0C] = x87_d9_EC, [0x0D] = x87_d9_ED,
    [0x0E] = x87_d9_EE, [0x10] = x87_d9_F0, [0x11] = x87_d9_F1, [0x12] = x87_d9_F2,
    [0x13] = x87_d9_F3, [0x14] = x87_d9_F4, [0x15] = x87_d9_F5, [0x18] = x87_d9_F8,
    [0x19] = x87_d9_F9, [0x1A] = x87_d9_FA, [0x1B] = x87_d9_FB, [0x1C] = x87_d9_FC,
    [0x1D] = x87_d9_FD, [0x1E] = x87_d9_FE, [0x1F] = x87_d9_FF,
};

x87_host_fn *x87_host_d9(uint8_t modrm)
{
    return modrm >= 0xE0 ? x87_host_d9_table[modrm - 0xE0] : NULL;
}

/* Host x87 stubs: every value the guest FPU computes is computed by one real x87
 * instruction of the host, with the guest's control word (precision, rounding and exception
 * masks) loaded, so that results, flags and condition codes are bit-exact.
 *
 * Each stub is one asm block that leaves the host x87 as it found it: the caller's control
 * word is saved and restored (it is callee-saved in the SysV ABI) and the stack is emptied.
 * The guest's unmasked exceptions are unmasked on the host too, which gives the hardware's
 * unmasked responses (no store, wrapped exponents); the pending host exception is cleared
 * by FNSTSW/FNCLEX, which do not wait, before any waiting instruction can trap. */
#include "vmm/cpu/x87/x87.h"

#include <stddef.h>

#if !defined(__x86_64__)
#error "the x87 FPU uses the host's x87: build on x86-64 (see docs/x87.md)"
#endif

/* The 28-byte environment FLDENV takes in 64-bit mode (32-bit protected-mode layout). */
struct x87_host_env {
    uint32_t cw, sw, tw, fip, fcs_fop, fdp, fds;
};

static const uint16_t x87_host_masked_cw = 0x037F;

/* STUB(name, insn): load b and a, run insn (bytes), read back ST0..ST2. */
#define X87_STUB(name, insn)                                                                       \
    static void name(x87_host *h)                                                                  \
    {                                                                                              \
        struct x87_host_env env = {.cw = (h->cw & 0x1F3Fu) | 0x40u, .sw = h->cc, .tw = 0xFFFF};    \
        uint16_t save;                                                                             \
        __asm__ volatile(                                                                          \
            "fnstcw %[save]\n\t"                                                                   \
            "fldenv %[env]\n\t"                                                                    \
            "fldt %[b]\n\t"                                                                        \
            "fldt %[a]\n\t" insn "\n\t"                                                            \
            "fnstsw %[sw]\n\t"                                                                     \
            "fnclex\n\t"                                                                           \
            "fldcw %[masked]\n\t"                                                                  \
            "fstpt %[r0]\n\t"                                                                      \
            "fstpt %[r1]\n\t"                                                                      \
            "fstpt %[r2]\n\t"                                                                      \
            "fninit\n\t"                                                                           \
            "fldcw %[save]"                                                                        \
            : [save] "=&m"(save), [sw] "=m"(h->sw), [r0] "=m"(h->r[0]), [r1] "=m"(h->r[1]),        \
              [r2] "=m"(h->r[2]), "+m"(h->mem)                                                     \
            : [env] "m"(env), [a] "m"(h->a), [b] "m"(h->b), [masked] "m"(x87_host_masked_cw),      \
              "S"(h->mem)                                                                          \
            : "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "memory");      \
    }

/* Memory forms address [rsi]: ModRM mod=00 rm=110. */
#define X87_MEM(op, r) X87_STUB(x87_m_##op##_##r, ".byte 0x" #op ", 0x06 + 8 * " #r)
#define X87_MEM_ALL(op)                                                                            \
    X87_MEM(op, 0)                                                                                 \
    X87_MEM(op, 1)                                                                                 \
    X87_MEM(op, 2) X87_MEM(op, 3) X87_MEM(op, 4) X87_MEM(op, 5) X87_MEM(op, 6) X87_MEM(op, 7)

X87_MEM_ALL(D8)
X87_MEM_ALL(DC)
X87_MEM_ALL(DA)
X87_MEM_ALL(DE)
X87_MEM(D9, 0)
X87_MEM(D9, 2)
X87_MEM(DB, 0)
X87_MEM(DB, 2)
X87_MEM(DB, 5)
X87_MEM(DB, 7)
X87_MEM(DD, 0)
X87_MEM(DD, 2)
X87_MEM(DF, 0)
X87_MEM(DF, 2)
X87_MEM(DF, 4)
X87_MEM(DF, 5)
X87_MEM(DF, 6)
X87_MEM(DF, 7)

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
#define X87_ARITH(r) X87_STUB(x87_a_##r, ".byte 0xD8, 0xC1 + 8 * " #r)
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

X87_STUB(x87_fucom, ".byte 0xDD, 0xE1")

x87_host_fn *x87_host_fucom(void)
{
    return x87_fucom;
}

/* The D9 E0..FF group, one stub per valid ModRM. */
#define X87_D9(m) X87_STUB(x87_d9_##m, ".byte 0xD9, 0x" #m)
X87_D9(E4) /* FTST */
X87_D9(E5) /* FXAM */
X87_D9(E8) /* FLD1 */
X87_D9(E9) /* FLDL2T */
X87_D9(EA) /* FLDL2E */
X87_D9(EB) /* FLDPI */
X87_D9(EC) /* FLDLG2 */
X87_D9(ED) /* FLDLN2 */
X87_D9(EE) /* FLDZ */
X87_D9(F0) /* F2XM1 */
X87_D9(F1) /* FYL2X */
X87_D9(F2) /* FPTAN */
X87_D9(F3) /* FPATAN */
X87_D9(F4) /* FXTRACT */
X87_D9(F5) /* FPREM1 */
X87_D9(F8) /* FPREM */
X87_D9(F9) /* FYL2XP1 */
X87_D9(FA) /* FSQRT */
X87_D9(FB) /* FSINCOS */
X87_D9(FC) /* FRNDINT */
X87_D9(FD) /* FSCALE */
X87_D9(FE) /* FSIN */
X87_D9(FF) /* FCOS */

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

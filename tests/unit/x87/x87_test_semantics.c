/* Hand-checked behaviours named by what a guest sees: exception responses, stack faults,
 * integer overflow, EFLAGS and AX outputs, instruction/data pointers and the environment
 * layouts, FSAVE/FRSTOR round trips, reserved encodings. */
#include "tests/unit/x87/x87_gen.h"
#include "tests/unit/x87/x87_test.h"

#include <string.h>

static fpu_operand op_at(uint32_t offset)
{
    return (fpu_operand){.is_mem = true, .offset = offset, .opsize32 = true, .pmode = true};
}

static int run(fpu *f, uint8_t op, uint8_t modrm, fpu_operand *o)
{
    o->is_mem = modrm < 0xC0;
    return fpu_exec(NULL, f, op, modrm, o);
}

static void exec_at(fpu *f, uint8_t op, uint8_t modrm, uint32_t offset)
{
    fpu_operand o = op_at(offset);
    ck_assert_int_eq(run(f, op, modrm, &o), FPU_EXEC_DONE);
}

static void put_double(uint32_t off, double v)
{
    memcpy(x87_test_mem + off, &v, 8);
}

static double get_double(uint32_t off)
{
    double v;
    memcpy(&v, x87_test_mem + off, 8);
    return v;
}

enum { X87_TEST_CC = FPU_SW_C0 | FPU_SW_C1 | FPU_SW_C2 | FPU_SW_C3 };

static unsigned top_of(const fpu *f)
{
    return (f->sw >> 11) & 7;
}

static const fpu_reg *st(const fpu *f, unsigned i)
{
    return &f->st[(top_of(f) + i) & 7];
}

static bool is_indefinite(const fpu_reg *r)
{
    return r->sign_exp == 0xFFFF && r->mant == 0xC000000000000000ull;
}

/* FNINIT, then load the doubles in order (the last one ends up in ST0). */
static void setup(fpu *f, unsigned n, const double *v)
{
    exec_at(f, 0xDB, 0xE3, 0);
    for (unsigned i = 0; i < n; i++) {
        put_double(0x100, v[i]);
        exec_at(f, 0xDD, 0x00, 0x100); /* FLD m64 */
    }
}

START_TEST(divide_by_zero_masked_gives_infinity)
{
    fpu f;
    setup(&f, 2, (double[]){0.0, 1.0});
    exec_at(&f, 0xD8, 0xF1, 0); /* FDIV ST0, ST1 */
    ck_assert_uint_eq(st(&f, 0)->sign_exp, 0x7FFF);
    ck_assert_uint_eq(st(&f, 0)->mant, 1ull << 63);
    ck_assert_uint_eq(f.sw & 0x3F, FPU_SW_ZE);
    ck_assert(!fpu_error_pending(&f));
}
END_TEST

START_TEST(divide_by_zero_unmasked_leaves_operands_and_flags_error)
{
    fpu f;
    setup(&f, 2, (double[]){0.0, 1.0});
    f.cw &= (uint16_t)~FPU_SW_ZE;     /* unmask ZE */
    exec_at(&f, 0xDE, 0xF1, 0);       /* FDIVRP ST1, ST0: ST1 = ST0 / ST1 = 1 / 0 */
    ck_assert_uint_eq(top_of(&f), 6); /* not popped */
    ck_assert_uint_eq(st(&f, 0)->sign_exp, 0x3FFF);
    ck_assert_uint_eq(st(&f, 1)->sign_exp, 0);
    ck_assert_uint_eq(f.sw & (FPU_SW_ZE | FPU_SW_ES | FPU_SW_B), FPU_SW_ZE | FPU_SW_ES | FPU_SW_B);
    ck_assert(fpu_error_pending(&f));
    exec_at(&f, 0xDB, 0xE2, 0); /* FNCLEX */
    ck_assert(!fpu_error_pending(&f));
    ck_assert_uint_eq(f.sw & 0xFF, 0);
}
END_TEST

START_TEST(stack_overflow_sets_sf_c1_and_pushes_indefinite)
{
    fpu f;
    setup(&f, 8, (double[]){1, 2, 3, 4, 5, 6, 7, 8});
    ck_assert_uint_eq(f.sw & FPU_SW_IE, 0);
    exec_at(&f, 0xD9, 0xE8, 0); /* FLD1 onto a full stack */
    ck_assert_uint_eq(f.sw & (FPU_SW_IE | FPU_SW_SF | FPU_SW_C1),
                      FPU_SW_IE | FPU_SW_SF | FPU_SW_C1);
    ck_assert(is_indefinite(st(&f, 0)));
    ck_assert(!fpu_error_pending(&f));
}
END_TEST

START_TEST(stack_overflow_unmasked_changes_nothing_but_flags)
{
    fpu f;
    setup(&f, 8, (double[]){1, 2, 3, 4, 5, 6, 7, 8});
    f.cw &= (uint16_t)~FPU_SW_IE;
    fpu before = f;
    exec_at(&f, 0xD9, 0xEB, 0); /* FLDPI */
    ck_assert_uint_eq(top_of(&f), top_of(&before));
    ck_assert_mem_eq(f.st, before.st, sizeof(f.st));
    ck_assert_uint_eq(f.tw, before.tw);
    ck_assert(fpu_error_pending(&f));
    ck_assert_uint_eq(f.sw & FPU_SW_C1, FPU_SW_C1);
}
END_TEST

START_TEST(stack_underflow_clears_c1_and_gives_indefinite)
{
    fpu f;
    setup(&f, 1, (double[]){2.0});
    f.sw |= FPU_SW_C1;
    exec_at(&f, 0xD8, 0xC1, 0); /* FADD ST0, ST1 (empty) */
    ck_assert_uint_eq(f.sw & (FPU_SW_IE | FPU_SW_SF | FPU_SW_C1), FPU_SW_IE | FPU_SW_SF);
    ck_assert(is_indefinite(st(&f, 0)));
}
END_TEST

START_TEST(fist_overflow_stores_integer_indefinite)
{
    fpu f;
    setup(&f, 1, (double[]){40000.0});
    memset(x87_test_mem, 0x55, 2);
    exec_at(&f, 0xDF, 0x10, 0); /* FIST m16 */
    ck_assert_uint_eq(x87_test_mem[0], 0x00);
    ck_assert_uint_eq(x87_test_mem[1], 0x80);
    ck_assert_uint_eq(f.sw & FPU_SW_IE, FPU_SW_IE);
    /* Unmasked: memory is left alone and nothing is popped. */
    f.sw = (uint16_t)(f.sw & ~0xFF);
    f.cw &= (uint16_t)~FPU_SW_IE;
    memset(x87_test_mem, 0x55, 2);
    exec_at(&f, 0xDF, 0x18, 0); /* FISTP m16 */
    ck_assert_uint_eq(x87_test_mem[0], 0x55);
    ck_assert_uint_eq(top_of(&f), 7);
    ck_assert(fpu_error_pending(&f));
}
END_TEST

START_TEST(fist_rounds_with_rounding_control)
{
    static const int16_t want[4] = {2, 2, 3, 2}; /* nearest-even, down, up, chop */
    for (unsigned rc = 0; rc < 4; rc++) {
        fpu f;
        setup(&f, 1, (double[]){2.5});
        f.cw = (uint16_t)((f.cw & ~0x0C00) | rc << 10);
        exec_at(&f, 0xDB, 0x18, 0); /* FISTP m32 */
        int32_t v;
        memcpy(&v, x87_test_mem, 4);
        ck_assert_int_eq(v, want[rc]);
        ck_assert_uint_eq(f.sw & FPU_SW_PE, FPU_SW_PE);
    }
}
END_TEST

START_TEST(precision_control_rounds_sums)
{
    /* 1 + 2^-30 is exact in double and extended precision but not in single. */
    static const unsigned pc[3] = {0, 2, 3};
    static const bool exact[3] = {false, true, true};
    for (unsigned i = 0; i < 3; i++) {
        fpu f;
        setup(&f, 2, (double[]){0x1p-30, 1.0});
        f.cw = (uint16_t)((f.cw & ~0x0300) | pc[i] << 8);
        exec_at(&f, 0xDE, 0xC1, 0); /* FADDP */
        exec_at(&f, 0xDD, 0x18, 0); /* FSTP m64 */
        ck_assert(get_double(0) == (exact[i] ? 1.0 + 0x1p-30 : 1.0));
    }
}
END_TEST

START_TEST(fldpi_follows_rounding_control)
{
    /* pi = C90FDAA2 2168C234 C4C6... : nearest and up round up, down and chop do not. */
    static const uint64_t want[4] = {0xC90FDAA22168C235ull, 0xC90FDAA22168C234ull,
                                     0xC90FDAA22168C235ull, 0xC90FDAA22168C234ull};
    for (unsigned rc = 0; rc < 4; rc++) {
        fpu f;
        setup(&f, 0, NULL);
        f.cw = (uint16_t)((f.cw & ~0x0C00) | rc << 10);
        exec_at(&f, 0xD9, 0xEB, 0); /* FLDPI */
        ck_assert_uint_eq(st(&f, 0)->mant, want[rc]);
        ck_assert_uint_eq(st(&f, 0)->sign_exp, 0x4000);
    }
}
END_TEST

START_TEST(bcd_load_and_store)
{
    static const uint8_t bcd[10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80};
    fpu f;
    setup(&f, 0, NULL);
    memcpy(x87_test_mem, bcd, 10);
    exec_at(&f, 0xDF, 0x20, 0);    /* FBLD */
    exec_at(&f, 0xDD, 0x10, 0x40); /* FST m64 */
    ck_assert(get_double(0x40) == -123456789.0);
    memset(x87_test_mem + 0x80, 0xAA, 10);
    exec_at(&f, 0xDF, 0x30, 0x80); /* FBSTP */
    ck_assert_mem_eq(x87_test_mem + 0x80, bcd, 10);
    ck_assert_uint_eq(f.tw, 0xFFFF);
}
END_TEST

START_TEST(fprem_reports_quotient_bits)
{
    fpu f;
    setup(&f, 2, (double[]){3.0, 20.0}); /* 20 rem 3: quotient 6 = 110b, remainder 2 */
    exec_at(&f, 0xD9, 0xF8, 0);          /* FPREM */
    exec_at(&f, 0xDD, 0x10, 0x40);
    ck_assert(get_double(0x40) == 2.0);
    /* Q2 -> C0, Q1 -> C3, Q0 -> C1; C2 = 0 (complete). */
    ck_assert_uint_eq(f.sw & X87_TEST_CC, FPU_SW_C0 | FPU_SW_C3);
}
END_TEST

START_TEST(fcomi_reports_through_eflags)
{
    static const struct {
        double a, b;
        uint32_t flags;
    } cases[] = {
        {1.0, 2.0, FPU_EFLAGS_CF},
        {2.0, 1.0, 0},
        {3.0, 3.0, FPU_EFLAGS_ZF},
        {__builtin_nan(""), 1.0, FPU_EFLAGS_ZF | FPU_EFLAGS_PF | FPU_EFLAGS_CF},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fpu f;
        setup(&f, 2, (double[]){cases[i].b, cases[i].a});
        fpu_operand o = op_at(0);
        o.eflags = 0x202 | FPU_EFLAGS_OF | FPU_EFLAGS_SF | FPU_EFLAGS_AF;
        ck_assert_int_eq(run(&f, 0xDB, 0xE9, &o), FPU_EXEC_EFLAGS); /* FUCOMI ST1 */
        ck_assert_uint_eq(o.eflags, 0x202 | cases[i].flags);
    }
}
END_TEST

START_TEST(fcmov_reads_eflags)
{
    fpu f;
    setup(&f, 2, (double[]){5.0, 7.0});
    fpu_operand o = op_at(0);
    o.eflags = 0;
    run(&f, 0xDA, 0xC1, &o); /* FCMOVB: CF clear, no move */
    ck_assert_uint_eq(st(&f, 0)->mant, 0xE000000000000000ull);
    o.eflags = FPU_EFLAGS_CF;
    run(&f, 0xDA, 0xC1, &o); /* FCMOVB: moves 5.0 */
    ck_assert_uint_eq(st(&f, 0)->mant, 0xA000000000000000ull);
}
END_TEST

START_TEST(fnstsw_ax_returns_status_word)
{
    fpu f;
    setup(&f, 2, (double[]){1.0, 2.0});
    fpu_operand o = op_at(0);
    ck_assert_int_eq(run(&f, 0xDF, 0xE0, &o), FPU_EXEC_AX);
    ck_assert_uint_eq(o.ax, f.sw);
    ck_assert_uint_eq((o.ax >> 11) & 7, 6);
}
END_TEST

START_TEST(fxam_classifies_empty_register)
{
    fpu f;
    setup(&f, 0, NULL);
    exec_at(&f, 0xD9, 0xE5, 0);
    ck_assert_uint_eq(f.sw & (FPU_SW_C3 | FPU_SW_C2 | FPU_SW_C0), FPU_SW_C3 | FPU_SW_C0);
    ck_assert_uint_eq(f.sw & FPU_SW_IE, 0);
}
END_TEST

START_TEST(pointers_follow_non_control_instructions)
{
    fpu f;
    setup(&f, 1, (double[]){1.0});
    fpu_operand o = op_at(0x40);
    o.cs = 0x08;
    o.eip = 0x1234;
    o.ds = 0x10;
    run(&f, 0xDC, 0x06 << 3 | 0, &o); /* FDIV m64 (ModRM 0x30) */
    ck_assert_uint_eq(f.fop, 0x430);
    ck_assert_uint_eq(f.fip, 0x1234);
    ck_assert_uint_eq(f.fcs, 0x08);
    ck_assert_uint_eq(f.fdp, 0x40);
    ck_assert_uint_eq(f.fds, 0x10);
    /* A control instruction leaves them; a register instruction moves FIP/FOP only. */
    o = op_at(0x80);
    o.eip = 0x2000;
    run(&f, 0xD9, 0x38, &o); /* FNSTCW */
    ck_assert_uint_eq(f.fip, 0x1234);
    o.eip = 0x3000;
    run(&f, 0xD9, 0xE0, &o); /* FCHS */
    ck_assert_uint_eq(f.fip, 0x3000);
    ck_assert_uint_eq(f.fop, 0x1E0);
    ck_assert_uint_eq(f.fdp, 0x40);
}
END_TEST

static uint32_t mem32(unsigned off)
{
    uint32_t v;
    memcpy(&v, x87_test_mem + off, 4);
    return v;
}

static uint16_t mem16(unsigned off)
{
    uint16_t v;
    memcpy(&v, x87_test_mem + off, 2);
    return v;
}

static fpu env_state(void)
{
    fpu f;
    setup(&f, 1, (double[]){1.0});
    f.fop = 0x5C3;
    f.fcs = 0x1000;
    f.fip = 0x0020;
    f.fds = 0x2000;
    f.fdp = 0x1234;
    return f;
}

START_TEST(fnstenv_layouts)
{
    fpu f = env_state();
    fpu_operand o = op_at(0);
    run(&f, 0xD9, 0x30, &o); /* 32-bit protected mode */
    ck_assert_uint_eq(mem32(0), 0xFFFF037F);
    ck_assert_uint_eq(mem32(4), 0xFFFF0000u | (7 << 11));
    ck_assert_uint_eq(mem32(8), 0xFFFF3FFF); /* R7 valid */
    ck_assert_uint_eq(mem32(12), 0x20);
    ck_assert_uint_eq(mem32(16), 0x05C31000);
    ck_assert_uint_eq(mem32(20), 0x1234);
    ck_assert_uint_eq(mem32(24), 0xFFFF2000);

    f = env_state();
    o.pmode = false; /* 32-bit real mode: linear pointers 0x10020 and 0x21234 */
    run(&f, 0xD9, 0x30, &o);
    ck_assert_uint_eq(mem32(12), 0xFFFF0020);
    ck_assert_uint_eq(mem32(16), 0x000015C3);
    ck_assert_uint_eq(mem32(20), 0xFFFF1234);
    ck_assert_uint_eq(mem32(24), 0x00002000);

    f = env_state();
    o.opsize32 = false; /* 16-bit real mode */
    run(&f, 0xD9, 0x30, &o);
    ck_assert_uint_eq(mem16(0), 0x037F);
    ck_assert_uint_eq(mem16(6), 0x0020);
    ck_assert_uint_eq(mem16(8), 0x15C3);
    ck_assert_uint_eq(mem16(10), 0x1234);
    ck_assert_uint_eq(mem16(12), 0x2000);

    f = env_state();
    o.pmode = true; /* 16-bit protected mode */
    run(&f, 0xD9, 0x30, &o);
    ck_assert_uint_eq(mem16(6), 0x0020);
    ck_assert_uint_eq(mem16(8), 0x1000);
    ck_assert_uint_eq(mem16(10), 0x1234);
    ck_assert_uint_eq(mem16(12), 0x2000);
    ck_assert_uint_eq(f.cw & 0x3F, 0x3F); /* FNSTENV masks everything */
}
END_TEST

/* FNSAVE then FRSTOR gives back the state (in real mode with linear pointers). */
static void check_round_trip(bool opsize32, bool pmode)
{
    for (unsigned n = 0; n < 200; n++) {
        x87_image img;
        fpu f, saved;
        x87_gen_image(&img, true);
        x87_image_to_fpu(&img, &f);
        f.fop = (uint16_t)(x87_gen_u64() & 0x7FF);
        f.fcs = (uint16_t)x87_gen_u64();
        f.fds = (uint16_t)x87_gen_u64();
        f.fip = (uint32_t)x87_gen_u64() & (opsize32 ? 0xFFFFFFFF : 0xFFFF);
        f.fdp = (uint32_t)x87_gen_u64() & (opsize32 ? 0xFFFFFFFF : 0xFFFF);
        if (!pmode) {
            /* Real-mode pointers are linear and reload with a zero selector. */
            f.fip = (f.fip + ((uint32_t)f.fcs << 4)) & (opsize32 ? 0xFFFFFFFF : 0xFFFFF);
            f.fdp = (f.fdp + ((uint32_t)f.fds << 4)) & (opsize32 ? 0xFFFFFFFF : 0xFFFFF);
            f.fcs = f.fds = 0;
        }
        if (!opsize32 && pmode)
            f.fop = 0; /* not in the 16-bit protected-mode layout: compare after reload */
        saved = f;
        fpu_operand o = op_at(0x200);
        o.opsize32 = opsize32;
        o.pmode = pmode;
        run(&f, 0xDD, 0x30, &o); /* FNSAVE */
        ck_assert_uint_eq(f.tw, 0xFFFF);
        ck_assert_uint_eq(f.cw, 0x037F);
        run(&f, 0xDD, 0x20, &o); /* FRSTOR */
        ck_assert_uint_eq(f.cw, saved.cw);
        ck_assert_uint_eq(f.sw, saved.sw);
        ck_assert_uint_eq(f.tw, saved.tw);
        ck_assert_uint_eq(f.fop, saved.fop);
        ck_assert_uint_eq(f.fip, saved.fip);
        ck_assert_uint_eq(f.fdp, saved.fdp);
        ck_assert_uint_eq(f.fcs, saved.fcs);
        ck_assert_uint_eq(f.fds, saved.fds);
        for (unsigned p = 0; p < 8; p++) {
            ck_assert_uint_eq(f.st[p].mant, saved.st[p].mant);
            ck_assert_uint_eq(f.st[p].sign_exp, saved.st[p].sign_exp);
        }
    }
}

START_TEST(fsave_frstor_round_trip)
{
    x87_gen_seed(0xF5A7Eull + (uint64_t)_i);
    check_round_trip(_i & 1, _i & 2);
}
END_TEST

START_TEST(unmasked_denormal_load_is_not_performed)
{
    fpu f;
    setup(&f, 0, NULL);
    f.cw &= (uint16_t)~FPU_SW_DE;
    uint32_t denormal = 0x00000001;
    memcpy(x87_test_mem, &denormal, 4);
    exec_at(&f, 0xD9, 0x00, 0); /* FLD m32 */
    ck_assert_uint_eq(top_of(&f), 0);
    ck_assert_uint_eq(f.tw, 0xFFFF);
    ck_assert_uint_eq(f.sw & FPU_SW_DE, FPU_SW_DE);
    ck_assert(fpu_error_pending(&f));
    f.cw |= FPU_SW_DE; /* masked: loaded, normalized */
    exec_at(&f, 0xD9, 0x00, 0);
    ck_assert_uint_eq(top_of(&f), 7);
    ck_assert_uint_eq(st(&f, 0)->sign_exp, 0x3FFF - 149);
}
END_TEST

/* The host keeps its sticky flags between instructions; they must not leak into the guest
 * after FNCLEX, nor trap on the host once the guest unmasks them. */
START_TEST(flags_do_not_leak_between_instructions)
{
    fpu f;
    setup(&f, 2, (double[]){3.0, 1.0});
    exec_at(&f, 0xD8, 0xF1, 0); /* FDIV: 1/3, inexact */
    ck_assert_uint_eq(f.sw & FPU_SW_PE, FPU_SW_PE);
    exec_at(&f, 0xDB, 0xE2, 0); /* FNCLEX */
    uint16_t cw = 0x037F & ~FPU_SW_PE;
    memcpy(x87_test_mem + 0x20, &cw, 2);
    exec_at(&f, 0xD9, 0x28, 0x20); /* FLDCW: PE unmasked */
    exec_at(&f, 0xD9, 0xE1, 0);    /* FABS (software) */
    exec_at(&f, 0xD8, 0xC0, 0);    /* FADD ST0, ST0: exact */
    ck_assert_uint_eq(f.sw & 0xFF, 0);
    exec_at(&f, 0xD8, 0xF1, 0); /* FDIV by 3: inexact, unmasked */
    ck_assert_uint_eq(f.sw & (FPU_SW_PE | FPU_SW_ES), FPU_SW_PE | FPU_SW_ES);
    exec_at(&f, 0xDB, 0xE2, 0); /* FNCLEX */
    exec_at(&f, 0xD8, 0xC0, 0); /* exact again: nothing pending */
    ck_assert_uint_eq(f.sw & 0xFF, 0);
}
END_TEST

START_TEST(reserved_encodings_are_ud_and_change_nothing)
{
    static const uint8_t reserved[][2] = {
        {0xD9, 0x08}, {0xD9, 0xD1}, {0xD9, 0xE2}, {0xD9, 0xEF}, {0xDA, 0xE0},
        {0xDA, 0xFF}, {0xDB, 0x20}, {0xDB, 0x30}, {0xDB, 0xE5}, {0xDB, 0xF8},
        {0xDD, 0x28}, {0xDD, 0xF0}, {0xDE, 0xD8}, {0xDE, 0xDA}, {0xDF, 0xE1},
        {0xDF, 0xF8}, {0xDB, 0x08}, {0xDD, 0x08}, {0xDF, 0x08},
    };
    for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        fpu f, before;
        setup(&f, 2, (double[]){1.0, 2.0});
        before = f;
        fpu_operand o = op_at(0);
        ck_assert(!fpu_encoding_valid(reserved[i][0], reserved[i][1]));
        ck_assert_int_eq(run(&f, reserved[i][0], reserved[i][1], &o), FPU_EXEC_UD);
        ck_assert_mem_eq(&f, &before, sizeof(f));
    }
}
END_TEST

/* The host's own #UD agrees with fpu_encoding_valid() for every encoding, except the
 * SSE3 FISTTP forms a P6 lacks. */
START_TEST(reserved_encodings_match_host)
{
    static uint8_t mem[128] __attribute__((aligned(16)));
    x87_image in, out;
    ck_assert(x87_native_init());
    memset(&in, 0, sizeof(in));
    in.b[0] = 0x7F, in.b[1] = 0x03, in.b[8] = 0xFF, in.b[9] = 0xFF;
    for (unsigned op = 0xD8; op <= 0xDF; op++) {
        for (unsigned m = 0; m < 256; m++) {
            if (m < 0xC0 && (m & 0xC7))
                continue;
            if (m < 0xC0 && (m >> 3) == 1 && (op == 0xDB || op == 0xDD || op == 0xDF))
                continue; /* FISTTP */
            x87_native_regs regs = {.rflags = 0x202};
            bool host = x87_native_run((uint8_t)op, (uint8_t)m, false, &in, &out, mem, &regs);
            ck_assert_msg(host == fpu_encoding_valid((uint8_t)op, (uint8_t)m), "%02X %02X", op, m);
        }
    }
    x87_native_fini();
}
END_TEST

START_TEST(waiting_and_control_instructions)
{
    ck_assert(fpu_is_waiting(0xD8, 0xC1));  /* FADD */
    ck_assert(fpu_is_waiting(0xD9, 0x28));  /* FLDCW */
    ck_assert(fpu_is_waiting(0xDD, 0x20));  /* FRSTOR */
    ck_assert(!fpu_is_waiting(0xDB, 0xE3)); /* FNINIT */
    ck_assert(!fpu_is_waiting(0xDB, 0xE2)); /* FNCLEX */
    ck_assert(!fpu_is_waiting(0xDF, 0xE0)); /* FNSTSW AX */
    ck_assert(!fpu_is_waiting(0xDD, 0x30)); /* FNSAVE */
    ck_assert(!fpu_is_waiting(0xD9, 0x38)); /* FNSTCW */
}
END_TEST

TCase *x87_tcase_semantics(void)
{
    TCase *tc = tcase_create("semantics");
    tcase_add_test(tc, divide_by_zero_masked_gives_infinity);
    tcase_add_test(tc, divide_by_zero_unmasked_leaves_operands_and_flags_error);
    tcase_add_test(tc, stack_overflow_sets_sf_c1_and_pushes_indefinite);
    tcase_add_test(tc, stack_overflow_unmasked_changes_nothing_but_flags);
    tcase_add_test(tc, stack_underflow_clears_c1_and_gives_indefinite);
    tcase_add_test(tc, fist_overflow_stores_integer_indefinite);
    tcase_add_test(tc, fist_rounds_with_rounding_control);
    tcase_add_test(tc, precision_control_rounds_sums);
    tcase_add_test(tc, fldpi_follows_rounding_control);
    tcase_add_test(tc, bcd_load_and_store);
    tcase_add_test(tc, fprem_reports_quotient_bits);
    tcase_add_test(tc, fcomi_reports_through_eflags);
    tcase_add_test(tc, fcmov_reads_eflags);
    tcase_add_test(tc, fnstsw_ax_returns_status_word);
    tcase_add_test(tc, fxam_classifies_empty_register);
    tcase_add_test(tc, pointers_follow_non_control_instructions);
    tcase_add_test(tc, fnstenv_layouts);
    tcase_add_loop_test(tc, fsave_frstor_round_trip, 0, 4);
    tcase_add_test(tc, unmasked_denormal_load_is_not_performed);
    tcase_add_test(tc, flags_do_not_leak_between_instructions);
    tcase_add_test(tc, reserved_encodings_are_ud_and_change_nothing);
    tcase_add_test(tc, reserved_encodings_match_host);
    tcase_add_test(tc, waiting_and_control_instructions);
    return tc;
}

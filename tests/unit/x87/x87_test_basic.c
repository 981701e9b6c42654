/* Hand-checked basics: FNINIT, FLD m64, FADD, FSTP m64 through real encodings. */
#include "tests/unit/x87/x87_test.h"

#include <string.h>

static fpu_operand mem_at(uint32_t offset)
{
    return (fpu_operand){.is_mem = true, .offset = offset, .opsize32 = true, .pmode = true};
}

static void exec(fpu *f, uint8_t op, uint8_t modrm, uint32_t offset)
{
    fpu_operand o = mem_at(offset);
    o.is_mem = modrm < 0xC0;
    ck_assert_int_eq(fpu_exec(NULL, f, op, modrm, &o), FPU_EXEC_DONE);
}

START_TEST(fld_fadd_fstp_m64)
{
    fpu f;
    double a = 1.5, b = 2.25, r = 0;
    memcpy(x87_test_mem, &a, 8);
    memcpy(x87_test_mem + 8, &b, 8);
    exec(&f, 0xDB, 0xE3, 0); /* FNINIT */
    exec(&f, 0xDD, 0x00, 0); /* FLD m64 */
    exec(&f, 0xDC, 0x00, 8); /* FADD m64 */
    ck_assert_uint_eq((f.sw >> 11) & 7, 7);
    exec(&f, 0xDD, 0x18, 16); /* FSTP m64 */
    memcpy(&r, x87_test_mem + 16, 8);
    ck_assert(r == 3.75);
    ck_assert_uint_eq(f.sw, 0);
    ck_assert_uint_eq(f.tw, 0xFFFF);
}
END_TEST

START_TEST(fadd_inexact_sets_pe_and_c1)
{
    fpu f;
    double a = 1.0, b = 0x1p-60;
    memcpy(x87_test_mem, &a, 8);
    memcpy(x87_test_mem + 8, &b, 8);
    exec(&f, 0xDB, 0xE3, 0);
    f.cw = (f.cw & ~0x0300) | 0x0200; /* precision: double */
    exec(&f, 0xDD, 0x00, 0);
    exec(&f, 0xDC, 0x00, 8);
    ck_assert_uint_eq(f.sw & FPU_SW_PE, FPU_SW_PE);
    ck_assert_uint_eq(f.sw & FPU_SW_ES, 0);
    ck_assert_uint_eq(f.st[7].mant, 0x8000000000000000ull); /* rounded to 1.0 in double */
}
END_TEST

TCase *x87_tcase_basic(void)
{
    TCase *tc = tcase_create("basic");
    tcase_add_test(tc, fld_fadd_fstp_m64);
    tcase_add_test(tc, fadd_inexact_sets_pe_and_c1);
    return tc;
}

/* The differential harness itself, on the host alone: the native side computes what C says
 * it should, every form runs without trapping, and the operand generator keeps division
 * from faulting. Without this, a broken harness could make the CPU comparison vacuous. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpudiff.h"

static cd_form forms[CD_MAX_FORMS];
static unsigned nforms;

static const cd_form *find(const char *name)
{
    for (unsigned i = 0; i < nforms; i++)
        if (strcmp(forms[i].name, name) == 0)
            return &forms[i];
    ck_abort_msg("no form %s", name);
    return NULL;
}

static void setup(void)
{
    nforms = cpudiff_forms_build(forms);
}

START_TEST(form_table_fits)
{
    ck_assert_uint_gt(nforms, 200);
    ck_assert_uint_lt(nforms, CD_MAX_FORMS);
}
END_TEST

START_TEST(host_add_matches_c)
{
    const cd_form *f = find("add eax, ecx");
    uint64_t seed = 1;
    for (int i = 0; i < 1000; i++) {
        cd_state st;
        cpudiff_inputs(f, &seed, &st);
        uint32_t a = st.gpr[0], b = st.gpr[1];
        ck_assert_int_eq(cpudiff_host_run(f, &st), 0);
        ck_assert_uint_eq(st.gpr[0], a + b);
        ck_assert_uint_eq(st.gpr[1], b);
        ck_assert_uint_eq(!!(st.flags & CD_CF), (uint64_t)a + b > 0xFFFFFFFFu);
        ck_assert_uint_eq(!!(st.flags & CD_ZF), a + b == 0);
    }
}
END_TEST

START_TEST(host_memory_forms_use_the_fixed_page)
{
    const cd_form *f = find("add [ebx], ecx");
    uint64_t seed = 3;
    for (int i = 0; i < 100; i++) {
        cd_state st;
        cpudiff_inputs(f, &seed, &st);
        cd_state in = st;
        ck_assert_uint_eq(st.gpr[3], CD_MEM_ADDR);
        ck_assert_int_eq(cpudiff_host_run(f, &st), 0);
        ck_assert_uint_eq(st.mem[0], in.mem[0] + in.gpr[1]);
        ck_assert_uint_eq(st.mem[1], in.mem[1]);
        ck_assert_uint_eq(st.gpr[1], in.gpr[1]);
    }
    f = find("shr byte [ebx], cl");
    cd_state st = {.gpr = {0, 3, 0, CD_MEM_ADDR, 0x8000}, .flags = 2, .mem = {0xAAAAAA80, 7}};
    ck_assert_int_eq(cpudiff_host_run(f, &st), 0);
    ck_assert_uint_eq(st.mem[0], 0xAAAAAA10);
}
END_TEST

START_TEST(host_byte_ops_keep_upper_bits)
{
    const cd_form *f = find("sub ah, ch");
    cd_state st = {.gpr = {0x12345678, 0xAABB01CC, 0, 0, 0x8000, 0, 0, 0}, .flags = 2};
    ck_assert_int_eq(cpudiff_host_run(f, &st), 0);
    ck_assert_uint_eq(st.gpr[0], 0x12345578);
    f = find("inc ax");
    st.gpr[0] = 0x1234FFFF;
    st.flags = 2 | CD_CF;
    ck_assert_int_eq(cpudiff_host_run(f, &st), 0);
    ck_assert_uint_eq(st.gpr[0], 0x12340000);
    ck_assert_uint_eq(st.flags & (CD_CF | CD_ZF), CD_CF | CD_ZF); /* CF kept */
}
END_TEST

START_TEST(host_division_matches_c)
{
    static const char *const names[] = {"div ecx", "idiv ecx", "div cx", "idiv cx",
                                        "div cl",  "idiv cl",  "div ch", "idiv ch"};
    uint64_t seed = 7;
    for (unsigned k = 0; k < 8; k++) {
        const cd_form *f = find(names[k]);
        for (int i = 0; i < 2000; i++) {
            cd_state st;
            cpudiff_inputs(f, &seed, &st);
            cd_state in = st;
            ck_assert_int_eq(cpudiff_host_run(f, &st), 0); /* a #DE would kill the test */
            if (strcmp(f->name, "div ecx") == 0) {
                uint64_t n = (uint64_t)in.gpr[2] << 32 | in.gpr[0];
                ck_assert_uint_eq(st.gpr[0], n / in.gpr[1]);
                ck_assert_uint_eq(st.gpr[2], n % in.gpr[1]);
            } else if (strcmp(f->name, "idiv cl") == 0) {
                int16_t n = (int16_t)in.gpr[0];
                int8_t d = (int8_t)in.gpr[1];
                ck_assert_int_eq((int8_t)st.gpr[0], n / d);
                ck_assert_int_eq((int8_t)(st.gpr[0] >> 8), n % d);
            }
        }
    }
}
END_TEST

START_TEST(host_runs_every_form)
{
    uint64_t seed = 99;
    for (unsigned k = 0; k < nforms; k++) {
        for (int i = 0; i < 50; i++) {
            cd_state st;
            cpudiff_inputs(&forms[k], &seed, &st);
            ck_assert_int_eq(cpudiff_host_run(&forms[k], &st), 0);
            ck_assert_uint_eq(st.gpr[4], 0x8000);
        }
    }
}
END_TEST

START_TEST(defined_flags_follow_the_sdm)
{
    bool dest;
    cd_state in = {.gpr = {0, 0}, .flags = 2};
    ck_assert_uint_eq(cpudiff_defined(find("and eax, ecx"), &in, &dest), CD_ARITH & ~CD_AF);
    in.gpr[1] = 1;
    ck_assert_uint_eq(cpudiff_defined(find("shl eax, cl"), &in, &dest),
                      CD_CF | CD_OF | CD_SF | CD_ZF | CD_PF);
    in.gpr[1] = 8;
    ck_assert_uint_eq(cpudiff_defined(find("shr al, cl"), &in, &dest),
                      CD_SF | CD_ZF | CD_PF); /* CF undefined: count >= size */
    in.gpr[1] = 32;
    ck_assert_uint_eq(cpudiff_defined(find("rol eax, cl"), &in, &dest), CD_ARITH);
    in.gpr[1] = 20;
    ck_assert_uint_eq(cpudiff_defined(find("shld ax, cx, cl"), &in, &dest), 0);
    ck_assert(!dest);
    in.gpr[1] = 0;
    cpudiff_defined(find("bsf eax, ecx"), &in, &dest);
    ck_assert(!dest);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpudiff_host");
    TCase *tc = tcase_create("harness");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, form_table_fits);
    tcase_add_test(tc, host_add_matches_c);
    tcase_add_test(tc, host_memory_forms_use_the_fixed_page);
    tcase_add_test(tc, host_byte_ops_keep_upper_bits);
    tcase_add_test(tc, host_division_matches_c);
    tcase_add_test(tc, host_runs_every_form);
    tcase_add_test(tc, defined_flags_follow_the_sdm);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

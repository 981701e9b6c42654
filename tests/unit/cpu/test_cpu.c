/* CPU unit tests: small programs (asm/) run through cpu_set_regs / cpu_run / cpu_get_regs on a
 * machine with RAM, a debug console (port 0xE9) and an exit port (0xF4). Each test names the
 * behaviour it checks; the programs are written so they would pass on real hardware. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cpu/harness.h"

static tmach *boot(const char *bin)
{
    tmach *m = tmach_new(8u << 20);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_gt(tmach_load(m, bin, 0x7C00), 0);
    tmach_start_real(m, 0, 0x7C00);
    return m;
}

static void expect_pass(tmach *m, cpu_exit e)
{
    if (!m->exited || m->exit_code != 0) {
        char dump[2048];
        cpu_dump_state(m->cpu, dump, sizeof(dump));
        ck_abort_msg("exit=%d exited=%d code=%#x out='%s'\n%s", (int)e, m->exited, m->exit_code,
                     m->out, dump);
    }
}

START_TEST(real_mode_far_jump_call_strings)
{
    tmach *m = boot("real.bin");
    cpu_exit e = tmach_run(m, 100000);
    expect_pass(m, e);
    ck_assert_str_eq(m->out, "RM OK\n");
    tmach_free(m);
}
END_TEST

START_TEST(self_modifying_code_next_instruction_and_loop)
{
    tmach *m = boot("smc.bin");
    cpu_exit e = tmach_run(m, 100000);
    expect_pass(m, e);
    tmach_free(m);
}
END_TEST

START_TEST(hlt_sleeps_until_external_interrupt)
{
    tmach *m = boot("hlt.bin");
    cpu_exit e = tmach_run(m, 100000);
    ck_assert_int_eq(e, CPU_EXIT_HALT);
    ck_assert_int_eq(m->acks, 0);
    /* still halted without an interrupt */
    ck_assert_int_eq(cpu_run(m->cpu, 1000), CPU_EXIT_HALT);
    m->vector = 0x20;
    cpu_set_intr(m->cpu, true);
    e = tmach_run(m, 100000);
    expect_pass(m, e);
    ck_assert_int_eq(m->acks, 1);
    ck_assert_str_eq(m->out, "IH");
    tmach_free(m);
}
END_TEST

START_TEST(protected_mode_idt_exceptions_and_ring3)
{
    tmach *m = boot("pm.bin");
    cpu_exit e = tmach_run(m, 1000000);
    expect_pass(m, e);
    ck_assert_str_eq(m->out, "PM OK\nRING3 OK\n");
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.cr0 & 1, 1);
    tmach_free(m);
}
END_TEST

START_TEST(triple_fault_shuts_down_with_register_dump)
{
    tmach *m = boot("triple.bin");
    cpu_exit e = tmach_run(m, 1000000);
    ck_assert_int_eq(e, CPU_EXIT_SHUTDOWN);
    ck_assert(!m->exited);
    char dump[2048];
    int n = cpu_dump_state(m->cpu, dump, sizeof(dump));
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(dump, "triple fault"));
    ck_assert_ptr_nonnull(strstr(dump, "CR0=00000011") ? dump : strstr(dump, "CR0="));
    tmach_free(m);
}
END_TEST

START_TEST(paging_faults_tlb_flush_and_remapped_code)
{
    tmach *m = boot("paging.bin");
    cpu_exit e = tmach_run(m, 2000000);
    expect_pass(m, e);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.cr0 >> 31, 1);
    ck_assert_uint_eq(r.cr2, 0x20000);
    tmach_free(m);
}
END_TEST

START_TEST(x87_escapes_fnstsw_fcomi_nm_and_mf)
{
    tmach *m = boot("x87.bin");
    cpu_exit e = tmach_run(m, 1000000);
    expect_pass(m, e);
    tmach_free(m);
}
END_TEST

/* 16-bit code: IP wraps from FFFF to 0000 within the segment. */
START_TEST(real_mode_ip_wraps_at_64k)
{
    tmach *m = tmach_new(1u << 20);
    uint8_t nop = 0x90, hlt = 0xF4;
    tmach_poke(m, 0x1FFFF, &nop, 1);
    tmach_poke(m, 0x10000, &hlt, 1);
    tmach_start_real(m, 0x1000, 0xFFFF);
    ck_assert_int_eq(cpu_run(m->cpu, 10), CPU_EXIT_HALT);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.eip, 1);
    ck_assert_uint_eq(r.seg[CPU_SEG_CS], 0x1000);
    tmach_free(m);
}
END_TEST

START_TEST(budget_counts_single_instructions)
{
    tmach *m = boot("real.bin");
    uint64_t before = cpu_instret(m->cpu);
    ck_assert_int_eq(cpu_run(m->cpu, 1), CPU_EXIT_BUDGET);
    ck_assert_uint_eq(cpu_instret(m->cpu), before + 1);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.eip, 0x7C01); /* after CLI */
    ck_assert_int_eq(cpu_run(m->cpu, 3), CPU_EXIT_BUDGET);
    ck_assert_uint_eq(cpu_instret(m->cpu), before + 4);
    tmach_free(m);
}
END_TEST

/* Code rewritten by DMA (physmap_copy_to_guest) after it ran once must not run stale. */
START_TEST(dma_write_over_cached_code_is_seen)
{
    tmach *m = tmach_new(1u << 20);
    /* mov eax, 1 ; hlt */
    uint8_t v1[] = {0xB8, 1, 0, 0, 0, 0xF4};
    uint8_t v2[] = {0xB8, 2, 0, 0, 0, 0xF4};
    tmach_poke(m, 0x2000, v1, sizeof(v1));
    uint32_t g[8] = {0};
    g[CPU_ESP] = 0x9000;
    cpu_setup_flat32(m->cpu, 0x2000, g);
    ck_assert_int_eq(cpu_run(m->cpu, 100), CPU_EXIT_HALT);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.gpr[CPU_EAX], 1);
    tmach_poke(m, 0x2000, v2, sizeof(v2));
    cpu_setup_flat32(m->cpu, 0x2000, g);
    ck_assert_int_eq(cpu_run(m->cpu, 100), CPU_EXIT_HALT);
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.gpr[CPU_EAX], 2);
    tmach_free(m);
}
END_TEST

/* Flags of single ALU instructions in flat 32-bit mode: op ; pushfd ; pop ecx ; hlt */
static uint32_t run_alu(const uint8_t *op, unsigned len, uint32_t a, uint32_t b, uint32_t *ret)
{
    tmach *m = tmach_new(1u << 20);
    uint8_t code[32];
    memcpy(code, op, len);
    code[len] = 0x9C;     /* pushfd */
    code[len + 1] = 0x59; /* pop ecx */
    code[len + 2] = 0xF4; /* hlt */
    tmach_poke(m, 0x1000, code, len + 3);
    uint32_t g[8] = {a, 0, 0, b, 0x8000, 0, 0, 0};
    cpu_setup_flat32(m->cpu, 0x1000, g);
    ck_assert_int_eq(cpu_run(m->cpu, 10), CPU_EXIT_HALT);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    *ret = r.gpr[CPU_EAX];
    tmach_free(m);
    return r.gpr[CPU_ECX] & 0x8D5;
}

START_TEST(alu_flags_add_sub_logic_inc_shift)
{
    static const uint8_t add[] = {0x01, 0xD8};       /* add eax, ebx */
    static const uint8_t sub[] = {0x29, 0xD8};       /* sub eax, ebx */
    static const uint8_t and_[] = {0x21, 0xD8};      /* and eax, ebx */
    static const uint8_t inc[] = {0x40};             /* inc eax */
    static const uint8_t shl[] = {0xC1, 0xE0, 0x01}; /* shl eax, 1 */
    static const uint8_t addb[] = {0x00, 0xD8};      /* add al, bl */
    uint32_t v;
    /* 0xFFFFFFFF + 1 = 0: CF ZF AF PF */
    ck_assert_uint_eq(run_alu(add, 2, 0xFFFFFFFFu, 1, &v), 0x55);
    ck_assert_uint_eq(v, 0);
    /* 5 - 7 = -2: CF SF AF, PF (0xFE has 7 bits set -> odd -> PF clear) */
    ck_assert_uint_eq(run_alu(sub, 2, 5, 7, &v), 0x91);
    ck_assert_uint_eq(v, 0xFFFFFFFEu);
    /* 0x80000000 - 1: OF AF PF (0x7FFFFFFF low byte FF: even) */
    ck_assert_uint_eq(run_alu(sub, 2, 0x80000000u, 1, &v), 0x814);
    /* and: CF OF cleared, ZF set */
    ck_assert_uint_eq(run_alu(and_, 2, 0xF0, 0x0F, &v), 0x44);
    /* inc 0x7FFFFFFF: OF SF AF PF, CF kept from setup (clear) */
    ck_assert_uint_eq(run_alu(inc, 1, 0x7FFFFFFF, 0, &v), 0x894);
    /* shl 0x80000001, 1 = 2: CF, OF (MSB 0 xor CF 1) */
    ck_assert_uint_eq(run_alu(shl, 3, 0x80000001u, 0, &v) & 0x8C1, 0x801);
    ck_assert_uint_eq(v, 2);
    /* 8-bit: 0x7F + 1 = 0x80 in AL, upper bytes untouched: OF SF AF */
    ck_assert_uint_eq(run_alu(addb, 2, 0x1234567F, 1, &v), 0x890);
    ck_assert_uint_eq(v, 0x12345680);
}
END_TEST

START_TEST(regs_round_trip_and_real_mode_segments)
{
    tmach *m = tmach_new(1u << 20);
    cpu_regs r;
    cpu_get_regs(m->cpu, &r);
    ck_assert_uint_eq(r.eip, 0xFFF0);
    ck_assert_uint_eq(r.seg[CPU_SEG_CS], 0xF000);
    ck_assert_uint_eq(r.eflags, 2);
    for (int k = 0; k < 8; k++)
        r.gpr[k] = 0x11111111u * (uint32_t)(k + 1);
    r.seg[CPU_SEG_DS] = 0x1234;
    r.eflags = 0x202 | 0x801;
    cpu_set_regs(m->cpu, &r);
    cpu_regs r2;
    cpu_get_regs(m->cpu, &r2);
    ck_assert_mem_eq(r.gpr, r2.gpr, sizeof(r.gpr));
    ck_assert_uint_eq(r2.seg[CPU_SEG_DS], 0x1234);
    ck_assert_uint_eq(r2.eflags, 0xA03);
    tmach_free(m);
}
END_TEST

static void dis_is(const char *hex, bool code32, uint32_t eip, const char *want)
{
    uint8_t b[16];
    unsigned n = 0;
    for (const char *p = hex; p[0] && p[1] && n < sizeof(b); p += 2)
        sscanf(p, "%2hhx", &b[n++]);
    char out[96];
    int len = cpu_disasm(b, n, code32, eip, out, sizeof(out));
    ck_assert_int_eq(len, (int)n);
    ck_assert_str_eq(out, want);
}

START_TEST(disassembler_prints_intel_syntax)
{
    dis_is("01d8", true, 0, "add eax,ebx");
    dis_is("8b442408", true, 0, "mov eax,dword [esp+0x8]");
    dis_is("0f8410000000", true, 0x1000, "je 0x1016");
    dis_is("66b83412", true, 0, "mov ax,0x1234");
    dis_is("cd80", true, 0, "int 0x80");
    dis_is("c70634127856", false, 0, "mov word [0x1234],0x5678");
    dis_is("f3a5", true, 0, "rep movsd");
    dis_is("26895efe", false, 0, "mov word es:[bp-0x2],bx");
    dis_is("0f22c0", true, 0, "mov cr0,eax");
    dis_is("c1e005", true, 0, "shl eax,0x5");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("programs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, real_mode_far_jump_call_strings);
    tcase_add_test(tc, self_modifying_code_next_instruction_and_loop);
    tcase_add_test(tc, hlt_sleeps_until_external_interrupt);
    tcase_add_test(tc, protected_mode_idt_exceptions_and_ring3);
    tcase_add_test(tc, triple_fault_shuts_down_with_register_dump);
    tcase_add_test(tc, paging_faults_tlb_flush_and_remapped_code);
    tcase_add_test(tc, budget_counts_single_instructions);
    tcase_add_test(tc, real_mode_ip_wraps_at_64k);
    tcase_add_test(tc, x87_escapes_fnstsw_fcomi_nm_and_mf);
    tcase_add_test(tc, dma_write_over_cached_code_is_seen);
    tcase_add_test(tc, alu_flags_add_sub_logic_inc_shift);
    tcase_add_test(tc, regs_round_trip_and_real_mode_segments);
    tcase_add_test(tc, disassembler_prints_intel_syntax);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

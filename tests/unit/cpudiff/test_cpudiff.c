/* The Vireo CPU against the host CPU: every form in forms.c, with random operands and input
 * flags, must produce the same registers and the same defined flags. Each form's code sits at
 * its own guest address, written once, so the test never depends on code invalidation.
 * CPUDIFF_SEED and CPUDIFF_ITERS in the environment override the seed and iterations. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpudiff.h"
#include "vmm/cpu/cpu.h"
#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

#define RAM_SIZE   (1u << 20)
#define INIT_CODE  0x800u
#define GDT_PTR    0x900u
#define FORM_CODE  0x10000u /* form i at FORM_CODE + 16 * i */
#define MAX_REPORT 5

static cd_form forms[CD_MAX_FORMS];
static unsigned nforms;
static uint8_t *ram;
static physmap *pm;
static iobus *io;
static cpu *vcpu;

static uint8_t no_intr(void *opaque)
{
    return 0;
}

static uint64_t no_time(void *opaque)
{
    return 0;
}

/* lgdt [GDT_PTR]; jmp 08:next; next: mov ax, 0x10; mov ds/es/ss/fs/gs, ax */
static const uint8_t init_code[] = {0x0F, 0x01, 0x15, 0x00, 0x09, 0x00, 0x00, 0xEA, 0x0E, 0x08,
                                    0x00, 0x00, 0x08, 0x00, 0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8,
                                    0x8E, 0xC0, 0x8E, 0xD0, 0x8E, 0xE0, 0x8E, 0xE8};
static const uint8_t gdt[] = {
    0x17, 0x00, 0x08, 0x09, 0x00, 0x00, 0x00, 0x00,  /* limit, base 0x908 */
    0,    0,    0,    0,    0,    0,    0,    0,     /* null */
    0xFF, 0xFF, 0x00, 0x00, 0x00, 0x9A, 0xCF, 0x00,  /* 0x08 code, flat */
    0xFF, 0xFF, 0x00, 0x00, 0x00, 0x92, 0xCF, 0x00}; /* 0x10 data, flat */

static void machine_up(void)
{
    nforms = cpudiff_forms_build(forms);
    ram = calloc(RAM_SIZE, 1);
    pm = physmap_new();
    io = iobus_new();
    ck_assert(ram && pm && io);
    ck_assert_int_eq(physmap_add_ram(pm, 0, RAM_SIZE, ram), 0);
    static cpu_platform plat;
    plat = (cpu_platform){.mem = pm, .io = io, .intr_ack = no_intr, .now_ns = no_time};
    vcpu = cpu_new(&plat);
    ck_assert_ptr_nonnull(vcpu);
    cpu_reset(vcpu);
    ck_assert_int_eq(physmap_copy_to_guest(pm, INIT_CODE, init_code, sizeof(init_code)), 0);
    ck_assert_int_eq(physmap_copy_to_guest(pm, GDT_PTR, gdt, sizeof(gdt)), 0);
    for (unsigned i = 0; i < nforms; i++)
        ck_assert_int_eq(
            physmap_copy_to_guest(pm, FORM_CODE + 16 * i, forms[i].bytes, forms[i].len), 0);
    uint32_t gpr[8] = {0};
    gpr[CPU_ESP] = 0x8000;
    cpu_setup_flat32(vcpu, INIT_CODE, gpr);
    cpu_run(vcpu, 8);
    cpu_regs r;
    cpu_get_regs(vcpu, &r);
    ck_assert_uint_eq(r.seg[CPU_SEG_CS], 0x08);
    ck_assert_uint_eq(r.seg[CPU_SEG_SS], 0x10);
    ck_assert_uint_eq(r.eip, INIT_CODE + sizeof(init_code));
}

static void machine_down(void)
{
    cpu_free(vcpu);
    iobus_free(io);
    physmap_free(pm);
    free(ram);
}

static unsigned env_uint(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    return v ? (unsigned)strtoul(v, NULL, 0) : dflt;
}

/* Runs form i on the emulated CPU; returns a problem description or NULL. */
static const char *emu_run(unsigned i, cd_state *st)
{
    cpu_regs r;
    cpu_get_regs(vcpu, &r);
    memcpy(r.gpr, st->gpr, sizeof(r.gpr));
    r.eflags = st->flags;
    r.eip = FORM_CODE + 16 * i;
    cpu_set_regs(vcpu, &r);
    if (physmap_copy_to_guest(pm, CD_MEM_ADDR, st->mem, sizeof(st->mem)) < 0)
        return "cannot write the memory operand";
    /* one instruction, or two for "Jcc +2; inc eax" not taken */
    uint32_t end = FORM_CODE + 16 * i + forms[i].len;
    cpu_exit e = CPU_EXIT_BUDGET;
    for (int step = 0; step < 2; step++) {
        e = cpu_run(vcpu, 1);
        cpu_get_regs(vcpu, &r);
        if (e == CPU_EXIT_SHUTDOWN || r.eip == end)
            break;
    }
    if (physmap_copy_from_guest(pm, CD_MEM_ADDR, st->mem, sizeof(st->mem)) < 0)
        return "cannot read the memory operand";
    memcpy(st->gpr, r.gpr, sizeof(r.gpr));
    st->flags = r.eflags & (CD_ARITH | 0x2);
    if (e == CPU_EXIT_SHUTDOWN)
        return "triple fault (instruction not implemented?)";
    if (r.eip != end)
        return "EIP not after the instruction (exception?)";
    return NULL;
}

static void report(const cd_form *f, const cd_state *in, const cd_state *host, const cd_state *emu,
                   uint32_t mask, const char *why)
{
    const cd_state *st[3] = {in, host, emu};
    static const char *const who[3] = {"in  ", "host", "emu "};
    fprintf(stderr, "MISMATCH %s: %s (defined flags %03x)\n", f->name, why, mask);
    for (int k = 0; k < 3; k++)
        fprintf(stderr, "  %s eax=%08x ecx=%08x edx=%08x mem=%08x flags=%03x\n", who[k],
                st[k]->gpr[0], st[k]->gpr[1], st[k]->gpr[2], st[k]->mem[0], st[k]->flags);
}

/* Runs every form whose class is in [first, last]; returns the number of mismatches. */
static unsigned run_classes(cd_class first, cd_class last)
{
    uint64_t seed = env_uint("CPUDIFF_SEED", 12345) | 1;
    unsigned iters = env_uint("CPUDIFF_ITERS", 1500), bad = 0, ran = 0;
    for (unsigned i = 0; i < nforms; i++) {
        const cd_form *f = &forms[i];
        if (f->cls < first || f->cls > last)
            continue;
        ran++;
        unsigned form_bad = 0;
        for (unsigned k = 0; k < iters && form_bad < MAX_REPORT; k++) {
            cd_state in, host, emu;
            cpudiff_inputs(f, &seed, &in);
            host = emu = in;
            ck_assert_int_eq(cpudiff_host_run(f, &host), 0);
            const char *why = emu_run(i, &emu);
            bool dest;
            uint32_t mask = cpudiff_defined(f, &in, &dest);
            if (!why && (host.flags & mask) != (emu.flags & mask))
                why = "defined flags differ";
            for (int g = 0; !why && g < 8; g++)
                if (host.gpr[g] != emu.gpr[g] && (g != 0 || dest))
                    why = "registers differ";
            if (!why && memcmp(host.mem, emu.mem, sizeof(host.mem)) != 0)
                why = "memory differs";
            if (why) {
                report(f, &in, &host, &emu, mask, why);
                form_bad++;
            }
        }
        bad += form_bad;
    }
    ck_assert_uint_gt(ran, 0);
    return bad;
}

START_TEST(alu_matches_host)
{
    ck_assert_uint_eq(run_classes(CD_ALU, CD_NOT), 0);
}
END_TEST

START_TEST(shifts_and_rotates_match_host)
{
    ck_assert_uint_eq(run_classes(CD_SHIFT, CD_SHXD), 0);
}
END_TEST

START_TEST(multiply_and_divide_match_host)
{
    ck_assert_uint_eq(run_classes(CD_MUL, CD_DIV), 0);
}
END_TEST

START_TEST(bit_instructions_match_host)
{
    ck_assert_uint_eq(run_classes(CD_BT, CD_BSX), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpudiff");
    TCase *tc = tcase_create("vs_host");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, machine_up, machine_down);
    tcase_add_test(tc, alu_matches_host);
    tcase_add_test(tc, shifts_and_rotates_match_host);
    tcase_add_test(tc, multiply_and_divide_match_host);
    tcase_add_test(tc, bit_instructions_match_host);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Differential testing of integer instructions: the same machine code runs on the emulated
 * CPU and natively on the host (x86-64, where these encodings mean the same thing for the
 * low 32 bits), and results plus the flags the SDM defines must agree. */
#ifndef VIREO_TESTS_CPUDIFF_H
#define VIREO_TESTS_CPUDIFF_H

#include <stdbool.h>
#include <stdint.h>

#define CD_CF    0x001u
#define CD_PF    0x004u
#define CD_AF    0x010u
#define CD_ZF    0x040u
#define CD_SF    0x080u
#define CD_OF    0x800u
#define CD_ARITH (CD_CF | CD_PF | CD_AF | CD_ZF | CD_SF | CD_OF)

/* How an instruction defines its flags and results; see cpudiff_defined(). */
typedef enum cd_class {
    CD_ALU,    /* ADD ADC SUB SBB CMP NEG: all six flags */
    CD_LOGIC,  /* AND OR XOR TEST: AF undefined */
    CD_INCDEC, /* CF unchanged, the rest defined */
    CD_NOT,    /* no flags change */
    CD_SHIFT,  /* SHL SHR */
    CD_SAR,
    CD_ROT,  /* ROL ROR */
    CD_RCX,  /* RCL RCR */
    CD_SHXD, /* SHLD SHRD */
    CD_MUL,  /* MUL IMUL: CF OF */
    CD_DIV,  /* DIV IDIV: no flags defined */
    CD_BT,   /* BT BTS BTR BTC: CF (ZF unchanged) */
    CD_BSX,  /* BSF BSR: ZF; destination undefined for a zero source */
} cd_class;

/* Operand roles in the encodings: r/m is EAX (or AL/AX), reg is ECX (or CL/CX); counts come
 * from CL or an immediate; dividends from EDX:EAX. */
typedef enum cd_count { CD_COUNT_NONE, CD_COUNT_CL, CD_COUNT_ONE, CD_COUNT_IMM } cd_count;

typedef struct cd_form {
    char name[40];
    uint8_t bytes[8];
    uint8_t len;
    uint8_t size; /* operand size in bits: 8, 16, 32 */
    cd_class cls;
    cd_count count;
    uint8_t imm;    /* the immediate count for CD_COUNT_IMM */
    bool is_signed; /* IDIV (operand generation avoids #DE) */
    bool high8;     /* 8-bit operands are AH/CH rather than AL/CL */
    bool mem;       /* the r/m operand is the dword at [EBX] = CD_MEM_ADDR, not EAX */
} cd_form;

/* Register state exchanged with either CPU. gpr in the cpu_regs order; ESP is not used. */
typedef struct cd_state {
    uint32_t gpr[8];
    uint32_t flags;
    uint32_t mem[2]; /* the 8 bytes at CD_MEM_ADDR (memory forms; the second catches overruns) */
} cd_state;

/* Guest-physical and host-virtual address of the memory operand: the same number on both
 * sides, so that [EBX] means the same thing (the host maps a page there). */
#define CD_MEM_ADDR 0x20000u

#define CD_MAX_FORMS 640

/* Fill `out` with every instruction form under test; returns how many (<= CD_MAX_FORMS). */
unsigned cpudiff_forms_build(cd_form *out);

/* Flags defined after running `f` on the input state `in`; *ret_dest_defined tells whether the
 * destination (always EAX, or part of it) is defined: false for BSF/BSR of zero and for
 * 16-bit SHLD/SHRD with a count above 16. Every other register must always match. */
uint32_t cpudiff_defined(const cd_form *f, const cd_state *in, bool *ret_dest_defined);

/* Run the form natively. Returns 0, or -1 if executable memory (or, for a memory form, the
 * page at CD_MEM_ADDR) cannot be had. */
int cpudiff_host_run(const cd_form *f, cd_state *st);

/* Fill `st` with inputs for `f` from the random generator state `*seed` (edge values are mixed
 * in); division inputs never fault. */
void cpudiff_inputs(const cd_form *f, uint64_t *seed, cd_state *st);

#endif

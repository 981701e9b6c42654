/* The x87 floating-point unit.
 *
 * Contract between the integer core (vmm/cpu/) and the FPU (vmm/cpu/x87/):
 *  - The core decodes an escape instruction (opcode D8..DF with its ModRM). It first asks
 *    fpu_encoding_valid() and raises #UD for a reserved encoding; then it checks CR0.EM/TS
 *    (#NM) and, for waiting instructions (fpu_is_waiting()), fpu_error_pending() (#MF or
 *    IRQ 13 per CR0.NE); then it computes the effective address, fills an fpu_operand and
 *    calls fpu_exec(). FWAIT goes through the same checks and does nothing else.
 *  - fpu_exec() returns what the core must apply to integer state: FPU_EXEC_EFLAGS (FCOMI,
 *    FUCOMI, FCOMIP, FUCOMIP: copy ZF, PF, CF from operand->eflags, clear OF, SF, AF) or
 *    FPU_EXEC_AX (FNSTSW AX: write operand->ax into AX). FCMOVcc reads operand->eflags as an
 *    input, so the core must fill it with the current EFLAGS before every call.
 *  - The FPU reads and writes guest memory only through cpu_fpu_read()/cpu_fpu_write(),
 *    which the core provides; they may not return (a guest fault unwinds to the core's
 *    instruction loop), so the FPU reads all its memory operands before changing its state,
 *    and for stores writes memory before popping.
 *  - Unmasked exceptions are only recorded (SW flags, ES and B); reporting them at the next
 *    waiting instruction is the core's job through fpu_error_pending().
 *  - Registers are kept as raw 80-bit values so that every bit pattern the guest stores
 *    (denormals, NaN payloads, unsupported encodings) round-trips exactly.
 *  - Arithmetic runs on the host's own x87 (see docs/x87.md): this ties the FPU to x86-64
 *    hosts until a soft-float path exists. */
#ifndef VIREO_VMM_CPU_FPU_H
#define VIREO_VMM_CPU_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* One 80-bit register: 64-bit significand (explicit integer bit) and sign+15-bit exponent.
 * The layout matches the x87 m80fp memory format in its first 10 bytes. */
typedef struct fpu_reg {
    uint64_t mant;
    uint16_t sign_exp;
} fpu_reg;

typedef struct fpu {
    fpu_reg st[8]; /* physical registers R0..R7; ST(i) is st[(top + i) & 7] */
    uint16_t cw;   /* control word */
    uint16_t sw;   /* status word, with TOP kept in bits 11..13 */
    uint16_t tw;   /* full tag word: 2 bits per physical register (FPU_TAG_*) */
    uint16_t fop;  /* last non-control opcode (11 bits) */
    uint32_t fip, fdp;
    uint16_t fcs, fds;
} fpu;

/* Tag values (two bits per physical register in fpu.tw). */
enum { FPU_TAG_VALID = 0, FPU_TAG_ZERO = 1, FPU_TAG_SPECIAL = 2, FPU_TAG_EMPTY = 3 };

/* Status word bits. */
enum {
    FPU_SW_IE = 1 << 0,
    FPU_SW_DE = 1 << 1,
    FPU_SW_ZE = 1 << 2,
    FPU_SW_OE = 1 << 3,
    FPU_SW_UE = 1 << 4,
    FPU_SW_PE = 1 << 5,
    FPU_SW_SF = 1 << 6,
    FPU_SW_ES = 1 << 7,
    FPU_SW_C0 = 1 << 8,
    FPU_SW_C1 = 1 << 9,
    FPU_SW_C2 = 1 << 10,
    FPU_SW_TOP_SHIFT = 11,
    FPU_SW_TOP = 7 << 11,
    FPU_SW_C3 = 1 << 14,
    FPU_SW_B = 1 << 15,
};

/* Operand of one escape instruction: inputs filled by the core, outputs filled by fpu_exec. */
typedef struct fpu_operand {
    bool is_mem;     /* ModRM.mod != 3 */
    int seg;         /* segment register of the memory operand (CPU_SEG_*) */
    uint32_t offset; /* effective offset within seg */
    bool opsize32;   /* operand size: selects 16/32-bit FSTENV/FSAVE layouts */
    bool pmode;      /* protected mode and not virtual-8086: selects FSTENV/FSAVE layouts */
    uint16_t cs;     /* CS:EIP of the instruction's first byte (prefixes included): FCS/FIP */
    uint32_t eip;
    uint16_t ds;     /* selector of the operand's segment, for FDS */
    uint32_t eflags; /* in: current EFLAGS (FCMOVcc); out: ZF/PF/CF with FPU_EXEC_EFLAGS */
    uint16_t ax;     /* out: the status word with FPU_EXEC_AX */
} fpu_operand;

/* Return values of fpu_exec(). */
enum {
    FPU_EXEC_DONE = 0,   /* nothing for the core to apply */
    FPU_EXEC_EFLAGS = 1, /* set ZF, PF, CF from operand->eflags; clear OF, SF, AF */
    FPU_EXEC_AX = 2,     /* AX = operand->ax */
    FPU_EXEC_UD = -1,    /* reserved encoding (the core should have asked first); no effect */
};

/* EFLAGS bits used by FCMOVcc and FCOMI. */
enum {
    FPU_EFLAGS_CF = 1 << 0,
    FPU_EFLAGS_PF = 1 << 2,
    FPU_EFLAGS_AF = 1 << 4,
    FPU_EFLAGS_ZF = 1 << 6,
    FPU_EFLAGS_SF = 1 << 7,
    FPU_EFLAGS_OF = 1 << 11,
};

/* FNINIT state (also used at CPU reset, where the hardware sets CW=0x40, which the core
 * applies itself if it wants exact reset values). */
void fpu_init(fpu *f);

/* True when an unmasked exception is pending (SW.ES): a waiting instruction must report it. */
bool fpu_error_pending(const fpu *f);

/* False for the encodings a P6 treats as reserved (#UD): e.g. D9 /1 with a memory operand,
 * D9 D1..D7, DB E5..E7, DD F0..FF, and the SSE3 FISTTP forms (DB /1, DD /1, DF /1 with a
 * memory operand). The undocumented aliases (FSTP1, FCOM2, FXCH4, FFREEP, ...) are valid. */
bool fpu_encoding_valid(uint8_t op, uint8_t modrm);

/* True for waiting instructions (which check fpu_error_pending() first); false for
 * FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE and the 8087 no-ops FENI/FDISI/FSETPM. */
bool fpu_is_waiting(uint8_t op, uint8_t modrm);

/* Execute one escape instruction. `op` is the opcode byte (D8..DF), modrm its ModRM.
 * Returns FPU_EXEC_*. */
int fpu_exec(struct cpu *c, fpu *f, uint8_t op, uint8_t modrm, fpu_operand *operand);

/* Provided by the core: memory access through segment `seg` at `offset`, len <= 108.
 * May not return if the access faults. */
void cpu_fpu_read(struct cpu *c, int seg, uint32_t offset, void *dst, unsigned len);
void cpu_fpu_write(struct cpu *c, int seg, uint32_t offset, const void *src, unsigned len);

#endif

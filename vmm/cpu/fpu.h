/* The x87 floating-point unit.
 *
 * Contract between the integer core (vmm/cpu/) and the FPU (vmm/cpu/fpu*.c):
 *  - The core decodes an escape instruction (opcode D8..DF with its ModRM), checks CR0.EM/TS
 *    (#NM) and, for waiting instructions, fpu_error_pending() (#MF or IRQ 13 per CR0.NE),
 *    computes the effective address, and calls fpu_exec(). FWAIT goes through the same checks.
 *  - The FPU reads and writes guest memory only through cpu_fpu_read()/cpu_fpu_write(),
 *    which the core provides; they may not return (a guest fault unwinds to the core's
 *    instruction loop), so the FPU reads all its memory operands before changing its state,
 *    and for stores writes memory before popping.
 *  - Registers are kept as raw 80-bit values so that every bit pattern the guest stores
 *    (denormals, NaN payloads, unsupported encodings) round-trips exactly. */
#ifndef VIREO_VMM_CPU_FPU_H
#define VIREO_VMM_CPU_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* One 80-bit register: 64-bit significand (explicit integer bit) and sign+15-bit exponent. */
typedef struct fpu_reg {
    uint64_t mant;
    uint16_t sign_exp;
} fpu_reg;

typedef struct fpu {
    fpu_reg st[8];   /* physical registers R0..R7; ST(i) is st[(top + i) & 7] */
    uint16_t cw;     /* control word */
    uint16_t sw;     /* status word, with TOP kept in bits 11..13 */
    uint16_t tw;     /* full tag word: 2 bits per physical register */
    uint16_t fop;    /* last non-control opcode (11 bits) */
    uint32_t fip, fdp;
    uint16_t fcs, fds;
} fpu;

/* Operand of one escape instruction, filled by the core. */
typedef struct fpu_operand {
    bool is_mem;     /* ModRM.mod != 3 */
    int seg;         /* segment register of the memory operand (CPU_SEG_*) */
    uint32_t offset; /* effective offset within seg */
    bool opsize32;   /* operand size: selects 16/32-bit FSTENV/FSAVE layouts */
    bool pmode;      /* protected-mode (vs real/v86) FSTENV/FSAVE layouts */
    uint16_t cs;     /* CS:EIP of the instruction, for FIP/FCS */
    uint32_t eip;
    uint16_t ds;     /* selector of the operand's segment, for FDS */
} fpu_operand;

/* FNINIT state (also used at CPU reset, where the hardware sets CW=0x40, which the core
 * applies itself if it wants exact reset values). */
void fpu_init(fpu *f);

/* True when an unmasked exception is pending (SW.ES): a waiting instruction must report it. */
bool fpu_error_pending(const fpu *f);

/* Execute one escape instruction. `op` is the opcode byte (D8..DF), modrm its ModRM. */
void fpu_exec(struct cpu *c, fpu *f, uint8_t op, uint8_t modrm, const fpu_operand *operand);

/* Provided by the core: memory access through segment `seg` at `offset`, len <= 108.
 * May not return if the access faults. */
void cpu_fpu_read(struct cpu *c, int seg, uint32_t offset, void *dst, unsigned len);
void cpu_fpu_write(struct cpu *c, int seg, uint32_t offset, const void *src, unsigned len);

#endif

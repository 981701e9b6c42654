/* Run one x87 instruction natively on the host, from and to a full FSAVE image: the oracle
 * of the differential tests. */
#ifndef VIREO_TESTS_UNIT_X87_NATIVE_H
#define VIREO_TESTS_UNIT_X87_NATIVE_H

#include <stdbool.h>
#include <stdint.h>

/* The 108-byte FSAVE image in the 32-bit protected-mode layout (what FNSAVE stores in
 * 64-bit mode). Registers are in ST order. */
typedef struct x87_image {
    uint8_t b[108];
} x87_image;

/* Integer state the instruction may read or write. */
typedef struct x87_native_regs {
    uint64_t rflags;
    uint64_t rax;
} x87_native_regs;

/* Prepare the executable stubs; returns false if executable memory is unavailable. */
bool x87_native_init(void);
void x87_native_fini(void);

/* FRSTOR in, run op/modrm (memory forms address mem; o16 adds an operand-size prefix),
 * FNSAVE out. Returns false if the host raised SIGILL (the encoding is reserved on the
 * host). */
bool x87_native_run(uint8_t op, uint8_t modrm, bool o16, const x87_image *in, x87_image *out,
                    void *mem, x87_native_regs *regs);

#endif

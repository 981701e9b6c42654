/* Random and special operands for the x87 tests (deterministic xorshift generator). */
#ifndef VIREO_TESTS_UNIT_X87_GEN_H
#define VIREO_TESTS_UNIT_X87_GEN_H

#include "tests/unit/x87/x87_native.h"
#include "vmm/cpu/fpu.h"

#include <stdint.h>

void x87_gen_seed(uint64_t seed);
uint64_t x87_gen_u64(void);
unsigned x87_gen_below(unsigned n);

/* An 80-bit value: specials (zeros, denormals, pseudo-denormals, unnormals, infinities,
 * NaNs, pseudo-NaNs, limits of each format) or a random finite value. */
fpu_reg x87_gen_reg(void);

/* Memory operand formats. */
enum {
    X87_MK_NONE,
    X87_MK_F32,
    X87_MK_F64,
    X87_MK_F80,
    X87_MK_I16,
    X87_MK_I32,
    X87_MK_I64,
    X87_MK_BCD,
    X87_MK_RAW
};
unsigned x87_gen_mem_kind(uint8_t op, unsigned r);
/* Fill len bytes of mem with an operand of the given kind (the rest random). */
void x87_gen_mem(unsigned kind, uint8_t *mem, unsigned len);

/* A random FPU state as an FSAVE image; with pending false, no unmasked exception is
 * pending (what every waiting instruction starts from). */
void x87_gen_image(x87_image *img, bool pending);

/* Image <-> fpu struct, written independently of the FPU sources. */
void x87_image_to_fpu(const x87_image *img, fpu *f);
unsigned x87_test_classify(const fpu_reg *r);

static inline uint16_t x87_img16(const x87_image *img, unsigned off)
{
    return (uint16_t)(img->b[off] | img->b[off + 1] << 8);
}

#endif

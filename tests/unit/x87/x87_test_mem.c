/* Test double of the core's memory callbacks: a flat buffer, offsets bounded. */
#include "tests/unit/x87/x87_test.h"

#include <check.h>
#include <string.h>

uint8_t x87_test_mem[X87_TEST_MEM_SIZE];
unsigned x87_test_writes;

void cpu_fpu_read(struct cpu *c, int seg, uint32_t offset, void *dst, unsigned len)
{
    ck_assert_uint_le((uint64_t)offset + len, sizeof(x87_test_mem));
    memcpy(dst, x87_test_mem + offset, len);
}

void cpu_fpu_write(struct cpu *c, int seg, uint32_t offset, const void *src, unsigned len)
{
    ck_assert_uint_le((uint64_t)offset + len, sizeof(x87_test_mem));
    memcpy(x87_test_mem + offset, src, len);
    x87_test_writes++;
}

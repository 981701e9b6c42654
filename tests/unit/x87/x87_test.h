/* Shared helpers of the x87 unit tests. */
#ifndef VIREO_TESTS_UNIT_X87_TEST_H
#define VIREO_TESTS_UNIT_X87_TEST_H

#include "vmm/cpu/fpu.h"

#include <check.h>

enum { X87_TEST_MEM_SIZE = 4096 };
extern uint8_t x87_test_mem[X87_TEST_MEM_SIZE];
extern unsigned x87_test_writes;

TCase *x87_tcase_basic(void);
TCase *x87_tcase_diff(void);
TCase *x87_tcase_semantics(void);

#endif

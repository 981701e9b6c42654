/* Register forms other than two-operand arithmetic. */
#include "vmm/cpu/x87/x87.h"

int x87_d9_reg(x87_ctx *x, uint8_t modrm)
{
    return FPU_EXEC_DONE; /* filled in next */
}

int x87_reg_misc(x87_ctx *x, uint8_t op, uint8_t modrm)
{
    if (op == 0xDB && modrm == 0xE3)
        fpu_init(x->f);
    return FPU_EXEC_DONE;
}

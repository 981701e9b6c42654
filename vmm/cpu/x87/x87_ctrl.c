/* Control instructions: FLDCW, FNSTCW, FNSTSW, FLDENV, FNSTENV, FRSTOR, FNSAVE. */
#include "vmm/cpu/x87/x87.h"

int x87_env_op(x87_ctx *x, uint8_t op, unsigned r)
{
    return FPU_EXEC_DONE; /* filled in next */
}

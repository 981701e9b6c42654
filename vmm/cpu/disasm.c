/* Disassembler for traces (filled in below). */
#include <stdio.h>
#include "vmm/cpu/cpu_int.h"

int x86_disasm(const uint8_t *code, unsigned avail, bool code32, uint32_t eip, char *out, int size)
{
    dec_src s = {.p = code, .avail = avail};
    insn in;
    int len = x86_decode(&s, code32, &in);
    if (len <= 0)
        return 0;
    int n = 0;
    for (int k = 0; k < len && n < size - 3; k++)
        n += snprintf(out + n, (size_t)(size - n), "%02x", code[k]);
    return len;
}

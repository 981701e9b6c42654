/* Debugger support: breakpoints, side-effect-free memory access by linear address, x87
 * register export. */
#include <errno.h>

#include "vmm/cpu/cpu_int.h"

int cpu_set_breakpoint(cpu *c, uint32_t linear, bool on)
{
    for (int k = 0; k < c->nbp; k++) {
        if (c->bp[k] != linear)
            continue;
        if (!on)
            c->bp[k] = c->bp[--c->nbp];
        return 0;
    }
    if (!on)
        return -ENOENT;
    if (c->nbp == 16)
        return -ENOSPC;
    c->bp[c->nbp++] = linear;
    return 0;
}

void cpu_clear_breakpoints(cpu *c)
{
    c->nbp = 0;
}

uint32_t cpu_linear_pc(const cpu *c)
{
    return c->seg[CPU_SEG_CS].base + c->eip;
}

/* Page walk without faults or accessed/dirty updates. */
static bool probe(const cpu *c, uint32_t la, uint32_t *ret_pa)
{
    if (!(c->cr0 & CR0_PG)) {
        *ret_pa = la & c->a20_mask;
        return true;
    }
    uint32_t pde =
        physmap_read(c->plat.mem, ((c->cr3 & ~0xFFFu) | ((la >> 20) & 0xFFC)) & c->a20_mask, 4);
    if (!(pde & 1))
        return false;
    if ((pde & 0x80) && (c->cr4 & CR4_PSE)) {
        *ret_pa = ((pde & 0xFFC00000u) | (la & 0x3FFFFF)) & c->a20_mask;
        return true;
    }
    uint32_t pte =
        physmap_read(c->plat.mem, ((pde & ~0xFFFu) | ((la >> 10) & 0xFFC)) & c->a20_mask, 4);
    if (!(pte & 1))
        return false;
    *ret_pa = ((pte & ~0xFFFu) | (la & 0xFFF)) & c->a20_mask;
    return true;
}

int cpu_read_linear(cpu *c, uint32_t linear, void *buf, unsigned len)
{
    uint8_t *d = buf;
    for (unsigned k = 0; k < len; k++) {
        uint32_t pa;
        if (!probe(c, linear + k, &pa) || !physmap_page_ptr(c->plat.mem, pa, false))
            return -EFAULT; /* unmapped, or MMIO / open bus: reads could disturb devices */
        d[k] = (uint8_t)physmap_read(c->plat.mem, pa, 1);
    }
    return 0;
}

int cpu_write_linear(cpu *c, uint32_t linear, const void *buf, unsigned len)
{
    const uint8_t *s = buf;
    for (unsigned k = 0; k < len; k++) {
        uint32_t pa;
        if (!probe(c, linear + k, &pa) || !physmap_page_ptr(c->plat.mem, pa, false))
            return -EFAULT;
        physmap_write(c->plat.mem, pa, s[k], 1);
    }
    return 0;
}

void cpu_get_fpu(const cpu *c, uint8_t ret_st[8][10], uint32_t ret_ctl[8])
{
    const fpu *f = &c->fpu;
    unsigned top = (f->sw >> 11) & 7;
    for (unsigned k = 0; k < 8; k++) {
        const fpu_reg *r = &f->st[(top + k) & 7];
        memcpy(ret_st[k], &r->mant, 8);
        memcpy(ret_st[k] + 8, &r->sign_exp, 2);
    }
    ret_ctl[0] = f->cw;
    ret_ctl[1] = f->sw;
    ret_ctl[2] = f->tw;
    ret_ctl[3] = f->fcs;
    ret_ctl[4] = f->fip;
    ret_ctl[5] = f->fds;
    ret_ctl[6] = f->fdp;
    ret_ctl[7] = f->fop;
}

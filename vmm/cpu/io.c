/* Port I/O: IN and OUT, and the permission check shared with INS/OUTS: in protected mode with
 * CPL > IOPL, and always in v8086 mode, every port of the access must be clear in the TSS
 * I/O permission bitmap. */
#include "vmm/cpu/ops.h"

bool cpu_io_allowed(cpu *c, uint16_t port, unsigned n)
{
    if (!(c->cr0 & CR0_PE))
        return true;
    if (!cpu_v86(c) && c->cpl <= cpu_iopl(c))
        return true;
    const seg_cache *tr = &c->seg[SEG_TR];
    if (!(AR_TYPE(tr->ar) & 8) || tr->limit < 0x67) /* 16-bit TSS: no bitmap */
        return false;
    uint32_t map = sys_read(c, tr->base + 0x66, 2);
    uint32_t off = map + port / 8;
    if (off + 1 > tr->limit)
        return false;
    uint32_t bits = sys_read(c, tr->base + off, 2);
    uint32_t mask = ((1u << n) - 1) << (port & 7);
    return (bits & mask) == 0;
}

static void io_check(cpu *c, uint16_t port, unsigned n)
{
    if (!cpu_io_allowed(c, port, n))
        cpu_gp(c, 0);
}

static uint32_t port_in(cpu *c, uint16_t port, unsigned n)
{
    io_check(c, port, n);
    return c->plat.io ? iobus_in(c->plat.io, port, n)
                      : (n == 4 ? 0xFFFFFFFFu : (1u << (8 * n)) - 1);
}

static void port_out(cpu *c, uint16_t port, uint32_t v, unsigned n)
{
    io_check(c, port, n);
    if (c->plat.io)
        iobus_out(c->plat.io, port, v, n);
    /* a device may have raised an interrupt or changed the memory map: look again */
    cpu_end_block(c);
}

static unsigned io_size(const insn *i)
{
    return (i->op & 1) ? ((i->flags & I_O32) ? 4 : 2) : 1;
}

static void store_acc(cpu *c, uint32_t v, unsigned n)
{
    if (n == 1)
        *r8p(c, 0) = (uint8_t)v;
    else if (n == 2)
        set_r16(c, 0, v);
    else
        c->gpr[0] = v;
}

/* E4 IN AL,Ib ; E5 IN eAX,Ib ; EC IN AL,DX ; ED IN eAX,DX */
static int in_acc(cpu *c, const insn *i)
{
    unsigned n = io_size(i);
    uint16_t port = (i->op & 8) ? (uint16_t)c->gpr[CPU_EDX] : (uint16_t)i->imm;
    store_acc(c, port_in(c, port, n), n);
    return 0;
}

/* E6 OUT Ib,AL ; E7 ; EE OUT DX,AL ; EF */
static int out_acc(cpu *c, const insn *i)
{
    unsigned n = io_size(i);
    uint16_t port = (i->op & 8) ? (uint16_t)c->gpr[CPU_EDX] : (uint16_t)i->imm;
    port_out(c, port, c->gpr[0] & (n == 4 ? 0xFFFFFFFFu : (1u << (8 * n)) - 1), n);
    return 0;
}

uint32_t io_in_checked(cpu *c, uint16_t port, unsigned n)
{
    return port_in(c, port, n);
}

void io_out_checked(cpu *c, uint16_t port, uint32_t v, unsigned n)
{
    port_out(c, port, v, n);
}

void io_register(void)
{
    SET_ALL(0xE4, in_acc);
    SET_ALL(0xE5, in_acc);
    SET_ALL(0xEC, in_acc);
    SET_ALL(0xED, in_acc);
    SET_ALL(0xE6, out_acc);
    SET_ALL(0xE7, out_acc);
    SET_ALL(0xEE, out_acc);
    SET_ALL(0xEF, out_acc);
}

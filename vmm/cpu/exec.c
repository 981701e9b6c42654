/* The instruction loop: interrupts and exits between blocks, blocks of decoded instructions
 * from the code cache, single instructions where a block cannot be used (code straddling a
 * page or the CS limit, code in MMIO, tracing, interrupt shadow, single-step), and the
 * landing point of guest faults (setjmp here, longjmp in cpu_raise). */
#include <stdio.h>

#include "vmm/cpu/cpu_int.h"
#include "vmm/cpu/flags.h"

static void trace_insn(cpu *c)
{
    uint8_t bytes[16];
    unsigned n = 0;
    const seg_cache *cs = &c->seg[CPU_SEG_CS];
    /* peek through the page tables without faulting: stop at the first unmapped byte */
    for (; n < 15; n++) {
        uint32_t la = cs->base + c->eip + n;
        const tlb_entry *e = &c->tlb_cur[(la >> 12) & TLB_MASK];
        if (e->tag_r != (la & ~0xFFFu))
            break;
        bytes[n] = *(uint8_t *)(e->addend + la);
    }
    char text[96], line[200];
    if (x86_disasm(bytes, n, c->code32, c->eip, text, sizeof(text)) <= 0)
        snprintf(text, sizeof(text), "(bytes not mapped)");
    snprintf(line, sizeof(line), "%04x:%08x  %-40s eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x",
             c->seg[CPU_SEG_CS].sel, c->eip, text, c->gpr[0], c->gpr[1], c->gpr[2], c->gpr[3],
             c->gpr[4]);
    if (c->trace_fn)
        c->trace_fn(c->trace_opaque, line);
    else
        fprintf(stderr, "%s\n", line);
}

/* Decode and run one instruction without the cache. */
static void exec_one(cpu *c)
{
    if (!c->code32 && c->eip > 0xFFFF)
        c->eip &= 0xFFFF; /* 16-bit IP wraps */
    if (c->trace) {
        /* make sure the TLB has the code page so the trace can show the bytes */
        uint32_t la = c->seg[CPU_SEG_CS].base + c->eip;
        if (c->eip <= c->seg[CPU_SEG_CS].limit)
            mmu_translate(c, la, ACC_X, c->cpl == 3);
        trace_insn(c);
    }
    dec_src src = {.p = NULL, .avail = 0, .c = c, .eip = c->eip};
    insn in;
    x86_decode(&src, c->code32, &in);
    c->stop_at = c->budget_end;
    if (!in.fn(c, &in))
        c->eip += in.len;
    c->instret++;
}

/* Run blocks back to back while nothing needs the outer loop: a handler that wants
 * attention (cpu_end_block) lowers stop_at; the budget, exit requests and slow-path
 * accesses that may have reached a device (check_gen) also return. */
static void run_blocks(cpu *c)
{
    for (;;) {
        uint32_t n;
        const insn *i = icache_get(c, &n);
        if (!i) {
            exec_one(c);
            return;
        }
        const insn *end = i + n;
        uint64_t stop = c->budget_end;
        c->stop_at = stop;
        for (;;) {
            if (i->fn(c, i)) {
                c->instret++;
                break;
            }
            c->eip += i->len;
            c->instret++;
            i++;
            if (i >= end || c->instret >= c->stop_at)
                break;
        }
        if (c->stop_at != stop || c->instret >= stop || c->check_gen ||
            atomic_load_explicit(&c->exit_request, memory_order_relaxed))
            return;
    }
}

static bool at_breakpoint(const cpu *c)
{
    uint32_t la = c->seg[CPU_SEG_CS].base + c->eip;
    for (int k = 0; k < c->nbp; k++)
        if (c->bp[k] == la)
            return true;
    return false;
}

static void deliver_exception(cpu *c, int vec, bool has_err, uint32_t err, uint32_t ret_eip)
{
    c->exc_first = vec;
    c->exc_depth = 1;
    cpu_deliver(c, vec, has_err && (c->cr0 & CR0_PE), err, false, ret_eip);
    c->exc_depth = 0;
}

/* External events between instructions: NMI, then INTR when IF allows. */
static bool take_interrupt(cpu *c)
{
    if (c->nmi_pending && !c->nmi_blocked) {
        c->nmi_pending = false;
        c->nmi_blocked = true;
        cpu_deliver(c, EXC_NMI, false, 0, false, c->eip);
        return true;
    }
    if (c->intr_line && (c->eflags & F_IF)) {
        uint8_t vec = c->plat.intr_ack ? c->plat.intr_ack(c->plat.opaque) : 0;
        cpu_deliver(c, vec, false, 0, false, c->eip);
        return true;
    }
    return false;
}

cpu_exit cpu_run(cpu *c, uint64_t budget)
{
    c->budget_end = c->instret + budget;
    c->in_run = true;
    c->check_gen = true; /* devices ran since the last call */
    c->bp_skip = true;
    switch (setjmp(c->jb)) {
    case 0: break;
    case 1:
        /* an exception costs one unit of budget, so a guest whose handlers fault forever
         * still returns to the VM loop */
        if (c->budget_end > c->instret)
            c->budget_end--;
        c->shadow = false;
        deliver_exception(c, c->pend_vec, c->pend_has_err, c->pend_err, c->eip);
        break;
    default: break; /* shutdown */
    }
    for (;;) {
        if (unlikely(c->shutdown)) {
            c->exc_depth = 0;
            c->in_run = false;
            return CPU_EXIT_SHUTDOWN;
        }
        if (unlikely(atomic_load_explicit(&c->exit_request, memory_order_relaxed)) &&
            atomic_exchange(&c->exit_request, 0)) {
            c->in_run = false;
            return CPU_EXIT_REQUEST;
        }
        if (c->instret >= c->budget_end) {
            c->in_run = false;
            return CPU_EXIT_BUDGET;
        }
        if (c->shadow) {
            c->shadow = false;
        } else if ((c->nmi_pending || c->intr_line) && take_interrupt(c)) {
            continue;
        }
        if (c->halted) {
            c->in_run = false;
            return CPU_EXIT_HALT;
        }
        if (unlikely(c->check_gen))
            mmu_check_generation(c);
        if (unlikely(c->eflags & F_TF)) {
            c->ss_shadow = false;
            exec_one(c);
            if (c->ss_shadow) /* the trap comes after the next instruction */
                continue;
            c->dr[6] |= 0x4000;
            deliver_exception(c, EXC_DB, false, 0, c->eip);
        } else if (unlikely(c->trace || c->nbp || c->nocache)) {
            if (c->nbp && !c->bp_skip && at_breakpoint(c)) {
                c->in_run = false;
                return CPU_EXIT_DEBUG;
            }
            c->bp_skip = false;
            exec_one(c);
        } else {
            run_blocks(c);
        }
    }
}

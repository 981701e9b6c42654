/* Public CPU interface (cpu.h): life cycle, reset, register access, external signals, dumps. */
#include <stdio.h>
#include <stdlib.h>

#include "vmm/cpu/cpu_int.h"
#include "vmm/cpu/flags.h"

cpu *cpu_new(const cpu_platform *platform)
{
    if (!platform || !platform->mem)
        return NULL;
    cpu *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->ic = icache_new();
    if (!c->ic) {
        free(c);
        return NULL;
    }
    c->plat = *platform;
    x86_decode_init();
    c->a20_mask = 0xFFFFFFFFu;
    const char *t = getenv("VIREO_CPU_TRACE");
    c->trace = t && *t == '1';
    const char *nc = getenv("VIREO_CPU_NOCACHE");
    c->nocache = nc && *nc == '1';
    physmap_set_write_hook(c->plat.mem, cpu_code_written, c);
    cpu_reset(c);
    return c;
}

void cpu_free(cpu *c)
{
    if (!c)
        return;
    physmap_set_write_hook(c->plat.mem, NULL, NULL);
    icache_free(c->ic);
    free(c);
}

void cpu_reset(cpu *c)
{
    memset(c->gpr, 0, sizeof(c->gpr));
    c->gpr[CPU_EDX] = 0x0633; /* family 6, model 3, stepping 3 */
    c->lf.op = 0;
    c->eflags = 2;
    c->cr0 = 0x60000010u;
    c->cr2 = c->cr3 = c->cr4 = 0;
    memset(c->dr, 0, sizeof(c->dr));
    c->dr[6] = 0xFFFF0FF0u;
    c->dr[7] = 0x400;
    c->gdtr = (dtr){0, 0xFFFF};
    c->idtr = (dtr){0, 0xFFFF};
    for (int s = 0; s < 6; s++)
        c->seg[s] = (seg_cache){.base = 0, .limit = 0xFFFF, .ar = 0x93};
    c->seg[SEG_LDTR] = (seg_cache){.limit = 0xFFFF, .ar = 0x82};
    c->seg[SEG_TR] = (seg_cache){.limit = 0xFFFF, .ar = 0x8B};
    c->seg[CPU_SEG_CS] =
        (seg_cache){.sel = 0xF000, .base = 0xFFFF0000u, .limit = 0xFFFF, .ar = 0x9B};
    c->eip = 0xFFF0;
    c->intr_line = c->nmi_pending = c->nmi_blocked = false;
    c->halted = c->shadow = c->shutdown = false;
    c->exc_depth = 0;
    c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
    c->tsc_offset = 0;
    fpu_init(&c->fpu);
    seg_update_mode(c);
    tlb_flush_all(c);
    icache_flush(c);
    c->gen_seen = physmap_generation(c->plat.mem);
}

void cpu_setup_flat32(cpu *c, uint32_t eip, const uint32_t gpr[8])
{
    memcpy(c->gpr, gpr, 8 * sizeof(uint32_t));
    c->gpr[8] = 0;
    c->lf.op = 0;
    c->eflags = 2;
    c->cr0 = (c->cr0 | CR0_PE | CR0_ET) & ~CR0_PG;
    seg_cache code = {.sel = 0x10, .base = 0, .limit = 0xFFFFFFFFu, .ar = 0xC09B};
    seg_cache data = {.sel = 0x18, .base = 0, .limit = 0xFFFFFFFFu, .ar = 0xC093};
    for (int s = 0; s < 6; s++)
        c->seg[s] = data;
    c->seg[CPU_SEG_CS] = code;
    c->seg[SEG_TR] = (seg_cache){.limit = 0xFFFF, .ar = 0x8B};
    c->eip = eip;
    c->halted = false;
    cpu_set_cpl(c, 0);
    seg_update_mode(c);
    tlb_flush_all(c);
}

void cpu_set_intr(cpu *c, bool level)
{
    c->intr_line = level;
}

void cpu_raise_nmi(cpu *c)
{
    c->nmi_pending = true;
}

void cpu_set_a20(cpu *c, bool enabled)
{
    uint32_t m = enabled ? 0xFFFFFFFFu : ~(1u << 20);
    if (m != c->a20_mask) {
        c->a20_mask = m;
        tlb_flush_all(c);
    }
}

void cpu_request_exit(cpu *c)
{
    atomic_store(&c->exit_request, 1);
}

uint64_t cpu_instret(const cpu *c)
{
    return c->instret;
}

void cpu_get_regs(const cpu *c, cpu_regs *r)
{
    /* materializing lazy flags changes no architectural state */
    flags_materialize((cpu *)c);
    memcpy(r->gpr, c->gpr, sizeof(r->gpr));
    r->eip = c->eip;
    r->eflags = c->eflags | 2;
    for (int s = 0; s < 6; s++)
        r->seg[s] = c->seg[s].sel;
    r->cr0 = c->cr0;
    r->cr2 = c->cr2;
    r->cr3 = c->cr3;
    r->cr4 = c->cr4;
}

/* Load a selector from the tables without protection checks (state restore, debugger). */
static void load_unchecked(cpu *c, int s, uint16_t sel)
{
    uint32_t lo, hi;
    if ((sel & ~3) == 0 && s != CPU_SEG_CS && s != CPU_SEG_SS) {
        seg_set_cache(c, s, sel, 0, 0, 0);
        return;
    }
    /* a table read may fault: catch it here and keep the old cache */
    jmp_buf save;
    memcpy(save, c->jb, sizeof(jmp_buf));
    if (setjmp(c->jb) == 0 && seg_read_desc(c, sel, &lo, &hi))
        seg_set_cache(c, s, sel, desc_base(lo, hi), desc_limit(lo, hi), desc_ar(hi));
    memcpy(c->jb, save, sizeof(jmp_buf));
}

void cpu_set_regs(cpu *c, const cpu_regs *r)
{
    memcpy(c->gpr, r->gpr, sizeof(r->gpr));
    c->gpr[8] = 0;
    c->eip = r->eip;
    c->lf.op = 0;
    c->eflags = (r->eflags & 0x003F7FD5u) | 2;
    c->cr0 = r->cr0 | CR0_ET;
    c->cr2 = r->cr2;
    c->cr3 = r->cr3;
    c->cr4 = r->cr4;
    tlb_flush_all(c);
    seg_update_mode(c);
    if (!(c->cr0 & CR0_PE) || (c->eflags & F_VM)) {
        for (int s = 0; s < 6; s++)
            seg_load_real(c, s, r->seg[s]);
    } else {
        cpu_set_cpl(c, r->seg[CPU_SEG_CS] & 3);
        for (int s = 0; s < 6; s++)
            load_unchecked(c, s, r->seg[s]);
    }
    seg_update_mode(c);
    c->halted = false;
}

int cpu_dump_state(const cpu *c, char *buf, int size)
{
    cpu_regs r;
    cpu_get_regs(c, &r);
    static const char *gn[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
    static const char *sn[8] = {"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"};
    int n = 0;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        if (n < size)                                                                              \
            n += snprintf(buf + n, (size_t)(size - n), __VA_ARGS__);                               \
    } while (0)
    for (int k = 0; k < 8; k++)
        OUT("%s=%08x%s", gn[k], r.gpr[k], k == 3 || k == 7 ? "\n" : " ");
    OUT("EIP=%08x EFLAGS=%08x CPL=%u %s%s\n", r.eip, r.eflags, c->cpl,
        (c->cr0 & CR0_PE) ? "protected" : "real", (c->eflags & F_VM) ? " v8086" : "");
    for (int s = 0; s < 8; s++)
        OUT("%-4s=%04x base=%08x limit=%08x ar=%04x\n", sn[s], c->seg[s].sel, c->seg[s].base,
            c->seg[s].limit, c->seg[s].ar);
    OUT("GDTR=%08x/%04x IDTR=%08x/%04x\n", c->gdtr.base, c->gdtr.limit, c->idtr.base,
        c->idtr.limit);
    OUT("CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", r.cr0, r.cr2, r.cr3, r.cr4);
    OUT("DR6=%08x DR7=%08x instret=%llu%s\n", c->dr[6], c->dr[7], (unsigned long long)c->instret,
        c->shutdown ? " (triple fault)" : "");
#undef OUT
    return n < size ? n : size - 1;
}

void cpu_set_trace(cpu *c, bool on, void (*fn)(void *opaque, const char *line), void *opaque)
{
    c->trace = on;
    c->trace_fn = fn;
    c->trace_opaque = opaque;
}

int cpu_disasm(const uint8_t *code, unsigned avail, bool code32, uint32_t eip, char *out, int size)
{
    return x86_disasm(code, avail, code32, eip, out, size);
}

uint32_t cpu_get_eflags(cpu *c)
{
    flags_materialize(c);
    return c->eflags | 2;
}

/* Write the bits of `mask`; a VM change re-derives the mode. */
void cpu_set_eflags(cpu *c, uint32_t v, uint32_t mask)
{
    flags_materialize(c);
    uint32_t old = c->eflags;
    c->eflags = ((old & ~mask) | (v & mask) | 2) & 0x003F7FD7u;
    if ((old ^ c->eflags) & F_VM)
        seg_update_mode(c);
}

void cpu_set_cr0(cpu *c, uint32_t v)
{
    uint32_t old = c->cr0;
    c->cr0 = v | CR0_ET;
    if ((old ^ c->cr0) & (CR0_PE | CR0_PG | CR0_WP)) {
        tlb_flush_all(c);
        seg_update_mode(c);
        cpu_end_block(c);
    }
}

void cpu_set_cr3(cpu *c, uint32_t v)
{
    c->cr3 = v;
    tlb_flush_nonglobal(c);
}

void cpu_set_cr4(cpu *c, uint32_t v)
{
    uint32_t old = c->cr4;
    c->cr4 = v;
    if ((old ^ v) & (CR4_PSE | CR4_PGE))
        tlb_flush_all(c);
}

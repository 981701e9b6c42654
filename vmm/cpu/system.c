/* System instructions: descriptor tables (LGDT LIDT LLDT LTR SGDT SIDT SLDT STR), SMSW LMSW
 * CLTS, MOV CRn/DRn, INVLPG INVD WBINVD, LAR LSL VERR VERW ARPL, CPUID, RDTSC, RDMSR WRMSR,
 * SYSENTER SYSEXIT, UD2. */
#include "vmm/cpu/ops.h"

static void need_cpl0(cpu *c)
{
    if (cpu_v86(c) || (c->pmode && c->cpl != 0))
        cpu_gp(c, 0);
}
static void need_pmode(cpu *c)
{
    if (!c->pmode)
        cpu_ud(c);
}

/* 0F 01 /0 SGDT, /1 SIDT: 6 bytes; with 16-bit operand size the P6 stores base bits 24..31 as 0 */
static void store_dtr(cpu *c, const insn *i, const dtr *d)
{
    uint32_t ea = ea_of(c, i);
    uint32_t base = (i->flags & I_O32) ? d->base : d->base & 0xFFFFFF;
    wr16(c, i->seg, ea, d->limit);
    wr32(c, i->seg, (ea + 2) & (0xFFFFFFFFu >> i->ashift), base);
}
static void load_dtr(cpu *c, const insn *i, dtr *d)
{
    need_cpl0(c);
    uint32_t ea = ea_of(c, i);
    uint32_t limit = rd16(c, i->seg, ea);
    uint32_t base = rd32(c, i->seg, (ea + 2) & (0xFFFFFFFFu >> i->ashift));
    if (!(i->flags & I_O32))
        base &= 0xFFFFFF;
    d->limit = limit;
    d->base = base;
}
static int sgdt(cpu *c, const insn *i)
{
    store_dtr(c, i, &c->gdtr);
    return 0;
}
static int sidt(cpu *c, const insn *i)
{
    store_dtr(c, i, &c->idtr);
    return 0;
}
static int lgdt(cpu *c, const insn *i)
{
    load_dtr(c, i, &c->gdtr);
    return 0;
}
static int lidt(cpu *c, const insn *i)
{
    load_dtr(c, i, &c->idtr);
    return 0;
}

/* 0F 01 /4 SMSW, /6 LMSW (LMSW can set PE but not clear it) */
ALWAYS_INLINE int smsw_t(cpu *c, const insn *i, int sz, bool mem)
{
    if (mem)
        wr16(c, i->seg, ea_of(c, i), c->cr0);
    else if (sz == 2)
        c->gpr[i->rm] = c->cr0;
    else
        set_r16(c, i->rm, c->cr0);
    return 0;
}
GEN_V(smsw)
ALWAYS_INLINE int lmsw_t(cpu *c, const insn *i, int sz, bool mem)
{
    need_cpl0(c);
    uint32_t v = e_read(c, i, 1, mem) & 0xF;
    cpu_set_cr0(c, (c->cr0 & ~0xEu) | v | (c->cr0 & CR0_PE));
    cpu_end_block(c);
    return 0;
}
GEN_V(lmsw)

/* 0F 01 /7 INVLPG */
static int invlpg(cpu *c, const insn *i)
{
    need_cpl0(c);
    tlb_flush_page(c, c->seg[i->seg].base + ea_of(c, i));
    return 0;
}

/* 0F 00 /0 SLDT, /1 STR */
ALWAYS_INLINE int sldt_t(cpu *c, const insn *i, int sz, bool mem, int which)
{
    need_pmode(c);
    uint32_t v = c->seg[which].sel;
    if (mem)
        wr16(c, i->seg, ea_of(c, i), v);
    else
        reg_set(c, i->rm, v, sz);
    return 0;
}
#define str_t sldt_t
GEN_V(sldt, SEG_LDTR)
GEN_V(str, SEG_TR)

/* 0F 00 /2 LLDT */
ALWAYS_INLINE int lldt_t(cpu *c, const insn *i, int sz, bool mem)
{
    need_pmode(c);
    need_cpl0(c);
    uint16_t sel = (uint16_t)e_read(c, i, 1, mem);
    if ((sel & ~3) == 0) {
        c->seg[SEG_LDTR] = (seg_cache){.sel = sel};
        return 0;
    }
    uint32_t lo, hi;
    if ((sel & 4) || !seg_read_desc(c, sel, &lo, &hi))
        cpu_gp(c, sel & ~3u);
    uint32_t ar = desc_ar(hi);
    if (AR_S(ar) || AR_TYPE(ar) != 2)
        cpu_gp(c, sel & ~3u);
    if (!AR_P(ar))
        cpu_raise(c, EXC_NP, sel & ~3u);
    c->seg[SEG_LDTR] =
        (seg_cache){.sel = sel, .base = desc_base(lo, hi), .limit = desc_limit(lo, hi), .ar = ar};
    return 0;
}
GEN_V(lldt)

/* 0F 00 /3 LTR: marks the TSS busy */
ALWAYS_INLINE int ltr_t(cpu *c, const insn *i, int sz, bool mem)
{
    need_pmode(c);
    need_cpl0(c);
    uint16_t sel = (uint16_t)e_read(c, i, 1, mem);
    if ((sel & ~3) == 0)
        cpu_gp(c, 0);
    uint32_t lo, hi;
    if ((sel & 4) || !seg_read_desc(c, sel, &lo, &hi))
        cpu_gp(c, sel & ~3u);
    uint32_t ar = desc_ar(hi);
    if (AR_S(ar) || (AR_TYPE(ar) != 1 && AR_TYPE(ar) != 9))
        cpu_gp(c, sel & ~3u);
    if (!AR_P(ar))
        cpu_raise(c, EXC_NP, sel & ~3u);
    hi |= 0x200;
    seg_write_desc_hi(c, sel, hi);
    c->seg[SEG_TR] = (seg_cache){
        .sel = sel, .base = desc_base(lo, hi), .limit = desc_limit(lo, hi), .ar = desc_ar(hi)};
    return 0;
}
GEN_V(ltr)

/* Visibility of a descriptor for LAR/LSL/VERR/VERW: readable from the table, and either a
 * conforming code segment or DPL >= max(CPL, RPL). */
static bool desc_visible(cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    if ((sel & ~3) == 0 || !seg_read_desc(c, sel, lo, hi))
        return false;
    uint32_t ar = desc_ar(*hi);
    bool conf = AR_CODE(ar) && (ar & 4);
    unsigned dpl = AR_DPL(ar);
    return conf || (dpl >= c->cpl && dpl >= (sel & 3u));
}
static void set_zf(cpu *c, bool z)
{
    flags_materialize(c);
    c->eflags = z ? (c->eflags | F_ZF) : (c->eflags & ~F_ZF);
}

/* 0F 02 LAR, 0F 03 LSL */
ALWAYS_INLINE int larlsl_t(cpu *c, const insn *i, int sz, bool mem, bool lsl)
{
    need_pmode(c);
    uint16_t sel = (uint16_t)e_read(c, i, 1, mem);
    uint32_t lo, hi;
    bool ok = desc_visible(c, sel, &lo, &hi);
    if (ok && !AR_S(desc_ar(hi))) {
        static const bool lar_ok[16] = {0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0};
        static const bool lsl_ok[16] = {0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0};
        ok = lsl ? lsl_ok[AR_TYPE(desc_ar(hi))] : lar_ok[AR_TYPE(desc_ar(hi))];
    }
    if (ok)
        reg_set(c, i->reg, lsl ? desc_limit(lo, hi) : (hi & 0x00F0FF00u), sz);
    set_zf(c, ok);
    return 0;
}
#define lar_t larlsl_t
#define lsl_t larlsl_t
GEN_V(lar, false)
GEN_V(lsl, true)

/* 0F 00 /4 VERR, /5 VERW */
ALWAYS_INLINE int verrw_t(cpu *c, const insn *i, int sz, bool mem, bool write)
{
    need_pmode(c);
    uint16_t sel = (uint16_t)e_read(c, i, 1, mem);
    uint32_t lo, hi;
    bool ok = desc_visible(c, sel, &lo, &hi) && AR_S(desc_ar(hi));
    if (ok) {
        uint32_t ar = desc_ar(hi);
        ok = write ? (AR_DATA(ar) && (ar & 2)) : (AR_DATA(ar) || (ar & 2));
        if (AR_CODE(ar) && !(ar & 4) && (AR_DPL(ar) < c->cpl || AR_DPL(ar) < (sel & 3u)))
            ok = false;
    }
    set_zf(c, ok);
    return 0;
}
#define verr_t verrw_t
#define verw_t verrw_t
GEN_V(verr, false)
GEN_V(verw, true)

/* 63 ARPL Ew, Gw */
ALWAYS_INLINE int arpl_t(cpu *c, const insn *i, int sz, bool mem)
{
    need_pmode(c);
    uint32_t ea = 0;
    uint32_t d = e_rmw(c, i, 1, mem, &ea);
    uint32_t s = reg_get(c, i->reg, 1);
    bool adj = (d & 3) < (s & 3);
    if (adj)
        e_write(c, i, 1, mem, ea, (d & ~3u) | (s & 3));
    set_zf(c, adj);
    return 0;
}
GEN_V(arpl)

/* 0F 06 CLTS */
static int clts(cpu *c, const insn *i)
{
    need_cpl0(c);
    c->cr0 &= ~CR0_TS;
    return 0;
}

/* 0F 20 MOV r32, CRn ; 0F 22 MOV CRn, r32 */
static int mov_r_cr(cpu *c, const insn *i)
{
    need_cpl0(c);
    uint32_t v;
    switch (i->reg) {
    case 0: v = c->cr0; break;
    case 2: v = c->cr2; break;
    case 3: v = c->cr3; break;
    case 4: v = c->cr4; break;
    default: cpu_ud(c);
    }
    c->gpr[i->rm] = v;
    return 0;
}
static int mov_cr_r(cpu *c, const insn *i)
{
    need_cpl0(c);
    uint32_t v = c->gpr[i->rm];
    switch (i->reg) {
    case 0:
        if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
            cpu_gp(c, 0);
        cpu_set_cr0(c, v);
        break;
    case 2: c->cr2 = v; break;
    case 3: cpu_set_cr3(c, v); break;
    case 4:
        if (v & ~0x9Du) /* VME PVI TSD DE PSE PGE only */
            cpu_gp(c, 0);
        cpu_set_cr4(c, v);
        break;
    default: cpu_ud(c);
    }
    cpu_end_block(c);
    return 0;
}
/* 0F 21 MOV r32, DRn ; 0F 23 MOV DRn, r32 (DR4/DR5 alias DR6/DR7 with CR4.DE clear) */
static int dr_index(cpu *c, unsigned r)
{
    if (r == 4 || r == 5) {
        if (c->cr4 & CR4_DE)
            cpu_ud(c);
        return (int)r + 2;
    }
    return (int)r;
}
static int mov_r_dr(cpu *c, const insn *i)
{
    need_cpl0(c);
    c->gpr[i->rm] = c->dr[dr_index(c, i->reg)];
    return 0;
}
static int mov_dr_r(cpu *c, const insn *i)
{
    need_cpl0(c);
    int r = dr_index(c, i->reg);
    uint32_t v = c->gpr[i->rm];
    if (r == 6)
        v = (v & 0xE00F) | 0xFFFF0FF0u;
    else if (r == 7)
        v = (v & 0xFFFF2BFFu) | 0x400;
    c->dr[r] = v;
    return 0;
}

static int invd(cpu *c, const insn *i)
{
    need_cpl0(c);
    return 0;
}
static int ud2(cpu *c, const insn *i)
{
    cpu_ud(c);
}

/* 0F A2 CPUID: a family-6 P6-class processor with only what is implemented. */
static int cpuid(cpu *c, const insn *i)
{
    uint32_t leaf = c->gpr[CPU_EAX];
    uint32_t a = 0, b = 0, cx = 0, d = 0;
    if (leaf == 0) {
        a = 2;
        b = 0x756E6547; /* "GenuineIntel" */
        d = 0x49656E69;
        cx = 0x6C65746E;
    } else if (leaf == 1) {
        a = 0x0633; /* family 6, model 3, stepping 3 */
        /* FPU DE PSE TSC MSR CX8 SEP PGE CMOV */
        d = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 11) | (1u << 13) |
            (1u << 15);
#ifdef VIREO_HAVE_X87
        d |= 1u << 0;
#endif
    } else if (leaf == 2) {
        a = 0x03020101; /* cache and TLB descriptors of a Pentium II-class part */
        d = 0x0C040843;
    } else if (leaf >= 0x80000000u) {
        a = leaf == 0x80000000u ? 0x80000000u : 0;
    } else {
        /* above the maximum basic leaf: the data of the highest one */
        a = 0x03020101;
        d = 0x0C040843;
    }
    c->gpr[CPU_EAX] = a;
    c->gpr[CPU_EBX] = b;
    c->gpr[CPU_ECX] = cx;
    c->gpr[CPU_EDX] = d;
    return 0;
}

static uint64_t tsc_now(cpu *c)
{
    uint64_t ns = c->plat.now_ns ? c->plat.now_ns(c->plat.opaque) : c->instret;
    return ns + c->tsc_offset; /* a 1 GHz time stamp counter */
}

/* 0F 31 RDTSC */
static int rdtsc(cpu *c, const insn *i)
{
    if ((c->cr4 & CR4_TSD) && (cpu_v86(c) || (c->pmode && c->cpl != 0)))
        cpu_gp(c, 0);
    uint64_t t = tsc_now(c);
    c->gpr[CPU_EAX] = (uint32_t)t;
    c->gpr[CPU_EDX] = (uint32_t)(t >> 32);
    return 0;
}

enum {
    MSR_TSC = 0x10,
    MSR_APIC_BASE = 0x1B,
    MSR_BBL_CR_CTL3 = 0x11E,
    MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176,
    MSR_MCG_CAP = 0x179,
    MSR_MCG_STATUS = 0x17A,
    MSR_PERFCTR0 = 0xC1,
    MSR_EVNTSEL0 = 0x186,
    MSR_MISC_ENABLE = 0x1A0,
};

/* 0F 32 RDMSR: unknown MSRs raise #GP(0); Linux reads optional ones with rdmsr_safe. */
static int rdmsr(cpu *c, const insn *i)
{
    need_cpl0(c);
    uint64_t v;
    switch (c->gpr[CPU_ECX]) {
    case MSR_TSC: v = tsc_now(c); break;
    case MSR_SYSENTER_CS: v = c->sysenter_cs; break;
    case MSR_SYSENTER_ESP: v = c->sysenter_esp; break;
    case MSR_SYSENTER_EIP: v = c->sysenter_eip; break;
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
    case MSR_BBL_CR_CTL3:
    case MSR_PERFCTR0:
    case MSR_PERFCTR0 + 1:
    case MSR_EVNTSEL0:
    case MSR_EVNTSEL0 + 1: v = 0; break;
    default: cpu_gp(c, 0);
    }
    c->gpr[CPU_EAX] = (uint32_t)v;
    c->gpr[CPU_EDX] = (uint32_t)(v >> 32);
    return 0;
}

/* 0F 30 WRMSR */
static int wrmsr(cpu *c, const insn *i)
{
    need_cpl0(c);
    uint64_t v = ((uint64_t)c->gpr[CPU_EDX] << 32) | c->gpr[CPU_EAX];
    switch (c->gpr[CPU_ECX]) {
    case MSR_TSC: c->tsc_offset += v - tsc_now(c); break;
    case MSR_SYSENTER_CS: c->sysenter_cs = (uint32_t)v & 0xFFFF; break;
    case MSR_SYSENTER_ESP: c->sysenter_esp = (uint32_t)v; break;
    case MSR_SYSENTER_EIP: c->sysenter_eip = (uint32_t)v; break;
    case MSR_MCG_STATUS:
    case MSR_BBL_CR_CTL3:
    case MSR_PERFCTR0:
    case MSR_PERFCTR0 + 1:
    case MSR_EVNTSEL0:
    case MSR_EVNTSEL0 + 1: break;
    default: cpu_gp(c, 0);
    }
    return 0;
}

/* 0F 34 SYSENTER: flat ring-0 CS/SS from SYSENTER_CS (SS = CS + 8). */
static int sysenter(cpu *c, const insn *i)
{
    if (!(c->cr0 & CR0_PE))
        cpu_gp(c, 0);
    uint16_t cs = (uint16_t)c->sysenter_cs;
    if ((cs & 0xFFFC) == 0)
        cpu_gp(c, 0);
    flags_materialize(c);
    c->eflags &= ~(F_VM | F_IF | F_RF);
    cpu_set_cpl(c, 0);
    seg_update_mode(c);
    seg_set_cache(c, CPU_SEG_CS, cs & 0xFFFC, 0, 0xFFFFFFFFu, 0xC09B);
    seg_set_cache(c, CPU_SEG_SS, (cs & 0xFFFC) + 8, 0, 0xFFFFFFFFu, 0xC093);
    c->gpr[CPU_ESP] = c->sysenter_esp;
    c->eip = c->sysenter_eip;
    cpu_end_block(c);
    return 1;
}

/* 0F 35 SYSEXIT: to ring 3 with CS = SYSENTER_CS + 16, SS = + 24, EIP = EDX, ESP = ECX. */
static int sysexit(cpu *c, const insn *i)
{
    uint16_t cs = (uint16_t)c->sysenter_cs;
    if (!c->pmode || c->cpl != 0 || (cs & 0xFFFC) == 0)
        cpu_gp(c, 0);
    cpu_set_cpl(c, 3);
    seg_set_cache(c, CPU_SEG_CS, (uint16_t)((cs + 16) | 3), 0, 0xFFFFFFFFu, 0xC0FB);
    seg_set_cache(c, CPU_SEG_SS, (uint16_t)((cs + 24) | 3), 0, 0xFFFFFFFFu, 0xC0F3);
    c->gpr[CPU_ESP] = c->gpr[CPU_ECX];
    c->eip = c->gpr[CPU_EDX];
    cpu_end_block(c);
    return 1;
}

static int rdpmc(cpu *c, const insn *i)
{
    cpu_gp(c, 0);
}

void system_register(void)
{
    dec_set_grp(0x101, 0, NULL, sgdt, NULL, sgdt);
    dec_set_grp(0x101, 1, NULL, sidt, NULL, sidt);
    dec_set_grp(0x101, 2, NULL, lgdt, NULL, lgdt);
    dec_set_grp(0x101, 3, NULL, lidt, NULL, lidt);
    SETG_V(0x101, 4, smsw);
    SETG_V(0x101, 6, lmsw);
    dec_set_grp(0x101, 7, NULL, invlpg, NULL, invlpg);
    SETG_V(0x100, 0, sldt);
    SETG_V(0x100, 1, str);
    SETG_V(0x100, 2, lldt);
    SETG_V(0x100, 3, ltr);
    SETG_V(0x100, 4, verr);
    SETG_V(0x100, 5, verw);
    SET_V(0x102, lar);
    SET_V(0x103, lsl);
    SET_V(0x63, arpl);
    SET_ALL(0x106, clts);
    SET_ALL(0x120, mov_r_cr);
    SET_ALL(0x121, mov_r_dr);
    SET_ALL(0x122, mov_cr_r);
    SET_ALL(0x123, mov_dr_r);
    SET_ALL(0x108, invd);  /* 0F 08 INVD */
    SET_ALL(0x109, invd);  /* 0F 09 WBINVD */
    SET_ALL(0x10B, ud2);   /* 0F 0B UD2 */
    SET_ALL(0x1A2, cpuid); /* 0F A2 CPUID */
    SET_ALL(0x130, wrmsr); /* 0F 30 WRMSR */
    SET_ALL(0x131, rdtsc); /* 0F 31 RDTSC */
    SET_ALL(0x132, rdmsr); /* 0F 32 RDMSR */
    SET_ALL(0x133, rdpmc); /* 0F 33 RDPMC */
    SET_ALL(0x134, sysenter);
    SET_ALL(0x135, sysexit);
}

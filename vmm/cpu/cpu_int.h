/* Private state of the software CPU, shared by the files of vmm/cpu/ only.
 *
 * Layout of execution: cpu_run() (exec.c) looks up a block of decoded instructions by the
 * guest-physical address of EIP (icache.c), then calls each instruction's handler. A handler
 * returns 0 to fall through (the loop adds the instruction length to EIP) or 1 when it has set
 * EIP itself (a taken branch): the block ends there. Guest faults leave a handler through
 * cpu_raise() (exception.c), which longjmps back to cpu_run() with EIP still at the faulting
 * instruction; handlers therefore commit architectural state only after their last check. */
#ifndef VIREO_VMM_CPU_CPU_INT_H
#define VIREO_VMM_CPU_CPU_INT_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmm/cpu/cpu.h"
#include "vmm/cpu/fpu.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* EFLAGS bits */
enum {
    F_CF = 1u << 0,
    F_PF = 1u << 2,
    F_AF = 1u << 4,
    F_ZF = 1u << 6,
    F_SF = 1u << 7,
    F_TF = 1u << 8,
    F_IF = 1u << 9,
    F_DF = 1u << 10,
    F_OF = 1u << 11,
    F_IOPL = 3u << 12,
    F_NT = 1u << 14,
    F_RF = 1u << 16,
    F_VM = 1u << 17,
    F_AC = 1u << 18,
    F_ID = 1u << 21,
};
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

enum { CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20 };
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
enum { CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 0x10, CR4_PGE = 0x80 };

/* Exception vectors */
enum {
    EXC_DE = 0,
    EXC_DB = 1,
    EXC_NMI = 2,
    EXC_BP = 3,
    EXC_OF = 4,
    EXC_BR = 5,
    EXC_UD = 6,
    EXC_NM = 7,
    EXC_DF = 8,
    EXC_TS = 10,
    EXC_NP = 11,
    EXC_SS = 12,
    EXC_GP = 13,
    EXC_PF = 14,
    EXC_MF = 16,
    EXC_AC = 17,
};

/* Segment register indexes beyond the six of cpu.h */
enum { SEG_LDTR = 6, SEG_TR = 7, SEG_NONE = 8 };

/* A loaded segment: the hidden descriptor cache plus precomputed access windows.
 * An access of n bytes (n = 1, 2, 4 -> index 0, 1, 2) at offset off passes the fast check
 * when (off - lo) < rcnt[idx] (reads) or wcnt[idx] (writes); count 0 means "always take the
 * slow path", which performs the full check and raises the right exception. */
typedef struct seg_cache {
    uint32_t base, limit; /* limit already scaled by G */
    uint32_t ar;          /* descriptor bits 8..23 of the high dword: type, S, DPL, P, AVL, D, G */
    uint16_t sel;
    uint16_t pad;
    uint32_t lo;
    uint32_t rcnt[3], wcnt[3];
} seg_cache;

/* Access-rights helpers (ar = high dword bits 8..23, shifted down by 8). */
#define AR_TYPE(ar) ((ar)&0xF)
#define AR_S(ar)    (((ar) >> 4) & 1)
#define AR_DPL(ar)  (((ar) >> 5) & 3)
#define AR_P(ar)    (((ar) >> 7) & 1)
#define AR_DB(ar)   (((ar) >> 14) & 1)
#define AR_G(ar)    (((ar) >> 15) & 1)
#define AR_CODE(ar) (((ar)&0x18) == 0x18)
#define AR_DATA(ar) (((ar)&0x18) == 0x10)

/* Software TLB: direct-mapped, one array per privilege class (supervisor, user) so a CPL
 * change is a pointer switch. tag_r / tag_w hold the linear page (low 12 bits zero) for
 * which reads / writes may use `addend + linear` as a host pointer; 1 means invalid.
 * Write tags are only set for dirty, writable RAM pages that hold no decoded code. */
#define TLB_BITS    10
#define TLB_SIZE    (1u << TLB_BITS)
#define TLB_MASK    (TLB_SIZE - 1)
#define TLB_INVALID 1u
typedef struct tlb_entry {
    uint32_t tag_r, tag_w;
    uint32_t phys;   /* physical page frame (low 12 bits zero) */
    uint32_t global; /* from a PTE with G set while CR4.PGE: survives CR3 writes */
    uintptr_t addend;
} tlb_entry;

/* Decoded instruction: 32 bytes. The effective address of a memory operand is
 * (gpr[base] + (gpr[index] << scale) + disp) & (0xFFFFFFFF >> ashift); gpr[8] is always 0
 * and stands for "no base" / "no index", so the computation never branches. */
typedef struct insn insn;
typedef int (*insn_fn)(struct cpu *c, const insn *i);
struct insn {
    insn_fn fn;
    uint32_t disp; /* displacement, or the moffs of A0..A3 */
    uint32_t imm;  /* immediate (sign-extended where the form says so); far-pointer offset */
    uint16_t imm2; /* ENTER's level byte, a far pointer's selector */
    uint8_t len;
    uint8_t op;  /* opcode byte (second byte for 0F xx) */
    uint8_t reg; /* ModRM.reg */
    uint8_t rm;  /* ModRM.rm (register form) */
    uint8_t base, index, scale, ashift;
    uint8_t seg;   /* segment of the memory operand after overrides */
    uint8_t flags; /* I_* */
};
enum {
    I_MEM = 1,    /* ModRM names memory */
    I_O32 = 2,    /* 32-bit operand size */
    I_A32 = 4,    /* 32-bit address size */
    I_REP = 8,    /* F3 */
    I_REPNE = 16, /* F2 */
    I_LOCK = 32,
    I_SEGOVR = 64, /* an explicit segment prefix */
    I_END = 128,   /* unconditional transfer: the decoded block ends here */
};

/* Lazy flags state, see flags.h. */
typedef struct lazy_flags {
    uint32_t res; /* result, sign-extended from the operation size to 32 bits */
    uint32_t a, b;
    uint32_t op; /* LF_* kind << 2 | size index, or LF_NONE */
} lazy_flags;

typedef struct dtr {
    uint32_t base;
    uint32_t limit;
} dtr;

struct icache;

struct cpu {
    uint32_t gpr[9]; /* EAX..EDI, then a constant 0 used by address computations */
    uint32_t eip;
    uint32_t eflags; /* arithmetic bits valid only when lf.op == LF_NONE */
    lazy_flags lf;
    tlb_entry *tlb_cur; /* tlb[cpl == 3] */
    seg_cache seg[8];   /* ES CS SS DS FS GS LDTR TR */
    dtr gdtr, idtr;
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    uint8_t cpl;
    bool code32;      /* CS.D */
    bool pmode;       /* CR0.PE and not VM86 */
    uint32_t ss_mask; /* 0xFFFF or 0xFFFFFFFF per SS.B */
    uint32_t a20_mask;

    /* execution */
    uint64_t instret;
    uint64_t stop_at; /* the block loop runs while instret < stop_at */
    uint64_t budget_end;
    atomic_int exit_request; /* set by cpu_request_exit */
    bool intr_line;
    bool nmi_pending, nmi_blocked;
    bool halted;
    bool shadow;      /* STI / MOV SS interrupt shadow: no interrupt before the next insn */
    bool ss_shadow;   /* MOV SS / POP SS: no single-step trap before the next insn either */
    bool shutdown;    /* triple fault happened */
    int exc_depth;    /* exceptions being delivered, for #DF / triple fault */
    int exc_first;    /* vector of the first of them */
    uint8_t pend_vec; /* exception handed from cpu_raise() to the run loop */
    bool pend_has_err;
    uint32_t pend_err;
    bool pend_soft; /* INT n / INT3 / INTO: privilege check against the gate DPL */
    jmp_buf jb;
    bool in_run;

    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_offset;
    uint64_t apic_base_dummy;
    uint64_t gen_seen;        /* physmap generation the TLB and code cache were built for */
    bool check_gen;           /* a device may have changed the physical map: compare generations */
    uint32_t jc_epoch;        /* validity of the jump cache (icache.c) */
    uint32_t big_regions[32]; /* 4 MiB regions that may have TLB entries from PSE pages */
    int trace;                /* disassemble each instruction (cpu_set_trace, VIREO_CPU_TRACE=1) */
    bool nocache;             /* VIREO_CPU_NOCACHE=1: decode every instruction afresh (debugging) */
    void (*trace_fn)(void *opaque, const char *line);
    void *trace_opaque;

    uint32_t bp[16]; /* debugger breakpoints (linear) */
    int nbp;
    bool bp_skip; /* the first instruction of a run is not stopped at */

    fpu fpu;
    struct icache *ic;
    cpu_platform plat;

    tlb_entry tlb[2][TLB_SIZE];
};

/* ---- exceptions (exception.c) ---- */
_Noreturn void cpu_raise(cpu *c, int vec, uint32_t err);
_Noreturn void cpu_raise_noerr(cpu *c, int vec);
_Noreturn void cpu_gp(cpu *c, uint32_t err);
_Noreturn void cpu_ud(cpu *c);
/* Deliver an interrupt or exception now (called by the run loop with EIP set to the return
 * address / faulting instruction). `soft` marks INT n, INT3, INTO. */
void cpu_deliver(cpu *c, int vec, bool has_err, uint32_t err, bool soft, uint32_t ret_eip);
bool cpu_exc_has_err(int vec);

/* ---- segments (seg.c) ---- */
void seg_load_real(cpu *c, int s, uint16_t sel);
void seg_load_prot(cpu *c, int s, uint16_t sel); /* full checks, may raise */
void seg_load(cpu *c, int s, uint16_t sel);      /* by mode: MOV Sreg, POP Sreg, LDS ... */
void seg_set_cache(cpu *c, int s, uint16_t sel, uint32_t base, uint32_t limit, uint32_t ar);
void seg_refresh_windows(cpu *c, int s);
void seg_update_mode(cpu *c); /* after CR0.PE, VM, CS changes: cpl, code32, ss_mask, TLB */
/* Read the 8-byte descriptor for sel from the GDT/LDT; returns false when sel is outside the
 * table. Raises only on paging faults. */
bool seg_read_desc(cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi);
void seg_write_desc_hi(cpu *c, uint16_t sel, uint32_t hi);
uint32_t desc_base(uint32_t lo, uint32_t hi);
uint32_t desc_limit(uint32_t lo, uint32_t hi);
static inline uint32_t desc_ar(uint32_t hi)
{
    return (hi >> 8) & 0xF0FF;
}

/* ---- paging and memory slow paths (mmu.c) ---- */
enum { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
void tlb_flush_all(cpu *c);
void tlb_flush_nonglobal(cpu *c);
void tlb_flush_page(cpu *c, uint32_t la);
void tlb_drop_write_phys(cpu *c, uint32_t phys_page);
/* Translate a linear address for an access; raises #PF. user: access with CPL 3 rights. */
uint32_t mmu_translate(cpu *c, uint32_t la, int acc, bool user);
uint32_t mem_read_slow(cpu *c, int s, uint32_t off, unsigned n);
void mem_write_slow(cpu *c, int s, uint32_t off, uint32_t v, unsigned n);
/* Linear (segment already applied) accesses with the current privilege. */
uint32_t lin_read(cpu *c, uint32_t la, unsigned n, bool user);
void lin_write(cpu *c, uint32_t la, uint32_t v, unsigned n, bool user);
/* Supervisor-rights accesses to system structures (GDT, IDT, TSS). */
static inline uint32_t sys_read(cpu *c, uint32_t la, unsigned n)
{
    return lin_read(c, la, n, false);
}
static inline void sys_write(cpu *c, uint32_t la, uint32_t v, unsigned n)
{
    lin_write(c, la, v, n, false);
}
void seg_check_fail(cpu *c, int s, uint32_t off, unsigned n, bool write);
/* Host pointer for an n-byte write at s:off when the fast path allows it, else NULL (after the
 * segment check, which may raise). Used for read-modify-write and string fast paths. */
uint8_t *mem_wptr_slow(cpu *c, int s, uint32_t off, unsigned n);
void cpu_code_written(void *opaque, uint32_t paddr, uint32_t len);
void mmu_check_generation(cpu *c);

/* ---- decoded-code cache (icache.c) and decoder (decode.c) ---- */
struct icache *icache_new(void);
void icache_free(struct icache *ic);
void icache_flush(cpu *c);
void cpu_jc_bump(cpu *c);
/* Invalidate code overlapping [paddr, paddr+len); returns true if something was dropped. */
bool icache_invalidate(cpu *c, uint32_t paddr, uint32_t len);
bool icache_page_has_code(const cpu *c, uint32_t phys_page);
const insn *icache_get(cpu *c, uint32_t *ret_count);
/* Byte source for the decoder. */
typedef struct dec_src {
    const uint8_t *p;
    uint32_t avail; /* bytes available at p */
    cpu *c;         /* when non-NULL, more bytes are fetched from CS:eip + pos (may fault) */
    uint32_t eip;
    uint8_t buf[16];
} dec_src;
/* Decode one instruction. Returns its length, 0 if it needs bytes beyond src->avail (and
 * src->c is NULL). Raises #GP for instructions longer than 15 bytes only when fetching. */
int x86_decode(dec_src *src, bool code32, insn *out);
uint8_t cpu_fetch_code_byte(cpu *c, uint32_t eip);
void x86_decode_init(void);
/* Handler tables filled by each family file at startup. */
void dec_set(int op, insn_fn r16, insn_fn m16, insn_fn r32, insn_fn m32);
void dec_set_grp(int op, int reg, insn_fn r16, insn_fn m16, insn_fn r32, insn_fn m32);
void alu_register(void);
void mov_register(void);
void control_register(void);
void string_register(void);
void system_register(void);
void muldiv_register(void);
void bits_register(void);
void misc_register(void);

/* Escape to the FPU (fpu_glue.c). */
int op_fpu_esc(cpu *c, const insn *i);

/* ---- register helpers ---- */
static inline uint8_t *r8p(cpu *c, unsigned r)
{
    return (uint8_t *)&c->gpr[r & 3] + (r >> 2);
}
static inline uint16_t r16(const cpu *c, unsigned r)
{
    return (uint16_t)c->gpr[r];
}
static inline void set_r16(cpu *c, unsigned r, uint32_t v)
{
    c->gpr[r] = (c->gpr[r] & 0xFFFF0000u) | (v & 0xFFFF);
}
static inline uint32_t ea_of(const cpu *c, const insn *i)
{
    return (c->gpr[i->base] + (c->gpr[i->index] << i->scale) + i->disp) &
           (0xFFFFFFFFu >> i->ashift);
}

/* ---- memory fast paths ---- */
static inline uint32_t ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline void st16(uint8_t *p, uint32_t v)
{
    uint16_t w = (uint16_t)v;
    memcpy(p, &w, 2);
}
static inline void st32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#define SZI(n) ((n) == 1 ? 0 : (n) == 2 ? 1 : 2)

static inline uint8_t *fast_rptr(cpu *c, int s, uint32_t off, unsigned n)
{
    const seg_cache *sg = &c->seg[s];
    uint32_t la = sg->base + off;
    const tlb_entry *e = &c->tlb_cur[(la >> 12) & TLB_MASK];
    if (likely(off - sg->lo < sg->rcnt[SZI(n)] && e->tag_r == (la & ~0xFFFu) &&
               (la & 0xFFF) <= 0x1000 - n))
        return (uint8_t *)(e->addend + la);
    return NULL;
}
static inline uint8_t *fast_wptr(cpu *c, int s, uint32_t off, unsigned n)
{
    const seg_cache *sg = &c->seg[s];
    uint32_t la = sg->base + off;
    const tlb_entry *e = &c->tlb_cur[(la >> 12) & TLB_MASK];
    if (likely(off - sg->lo < sg->wcnt[SZI(n)] && e->tag_w == (la & ~0xFFFu) &&
               (la & 0xFFF) <= 0x1000 - n))
        return (uint8_t *)(e->addend + la);
    return NULL;
}

static inline uint32_t rd8(cpu *c, int s, uint32_t off)
{
    uint8_t *p = fast_rptr(c, s, off, 1);
    return p ? *p : mem_read_slow(c, s, off, 1);
}
static inline uint32_t rd16(cpu *c, int s, uint32_t off)
{
    uint8_t *p = fast_rptr(c, s, off, 2);
    return p ? ld16(p) : mem_read_slow(c, s, off, 2);
}
static inline uint32_t rd32(cpu *c, int s, uint32_t off)
{
    uint8_t *p = fast_rptr(c, s, off, 4);
    return p ? ld32(p) : mem_read_slow(c, s, off, 4);
}
static inline void wr8(cpu *c, int s, uint32_t off, uint32_t v)
{
    uint8_t *p = fast_wptr(c, s, off, 1);
    if (p)
        *p = (uint8_t)v;
    else
        mem_write_slow(c, s, off, v & 0xFF, 1);
}
static inline void wr16(cpu *c, int s, uint32_t off, uint32_t v)
{
    uint8_t *p = fast_wptr(c, s, off, 2);
    if (p)
        st16(p, v);
    else
        mem_write_slow(c, s, off, v & 0xFFFF, 2);
}
static inline void wr32(cpu *c, int s, uint32_t off, uint32_t v)
{
    uint8_t *p = fast_wptr(c, s, off, 4);
    if (p)
        st32(p, v);
    else
        mem_write_slow(c, s, off, v, 4);
}
static inline uint32_t rdn(cpu *c, int s, uint32_t off, unsigned n)
{
    return n == 1 ? rd8(c, s, off) : n == 2 ? rd16(c, s, off) : rd32(c, s, off);
}
static inline void wrn(cpu *c, int s, uint32_t off, uint32_t v, unsigned n)
{
    if (n == 1)
        wr8(c, s, off, v);
    else if (n == 2)
        wr16(c, s, off, v);
    else
        wr32(c, s, off, v);
}

/* Read-modify-write: check write access first (a RMW faults as a write), then read. */
static inline uint32_t rmw_read(cpu *c, int s, uint32_t off, unsigned n)
{
    uint8_t *p = fast_wptr(c, s, off, n);
    if (p)
        return n == 1 ? *p : n == 2 ? ld16(p) : ld32(p);
    mem_wptr_slow(c, s, off, n); /* raises if not writable */
    return mem_read_slow(c, s, off, n);
}

/* ---- stack ---- */
static inline uint32_t sp_get(const cpu *c)
{
    return c->gpr[CPU_ESP] & c->ss_mask;
}
static inline void sp_set(cpu *c, uint32_t v)
{
    c->gpr[CPU_ESP] = (c->gpr[CPU_ESP] & ~c->ss_mask) | (v & c->ss_mask);
}
static inline void push32(cpu *c, uint32_t v)
{
    uint32_t sp = (c->gpr[CPU_ESP] - 4) & c->ss_mask;
    wr32(c, CPU_SEG_SS, sp, v);
    sp_set(c, sp);
}
static inline void push16(cpu *c, uint32_t v)
{
    uint32_t sp = (c->gpr[CPU_ESP] - 2) & c->ss_mask;
    wr16(c, CPU_SEG_SS, sp, v);
    sp_set(c, sp);
}
static inline uint32_t pop32(cpu *c)
{
    uint32_t v = rd32(c, CPU_SEG_SS, sp_get(c));
    sp_set(c, c->gpr[CPU_ESP] + 4);
    return v;
}
static inline uint32_t pop16(cpu *c)
{
    uint32_t v = rd16(c, CPU_SEG_SS, sp_get(c));
    sp_set(c, c->gpr[CPU_ESP] + 2);
    return v;
}

/* ---- misc ---- */
static inline bool cpu_v86(const cpu *c)
{
    return (c->eflags & F_VM) != 0;
}
static inline unsigned cpu_iopl(const cpu *c)
{
    return (c->eflags >> 12) & 3;
}
/* End the current block after this instruction (mode change, SMC, interrupt enable). */
static inline void cpu_end_block(cpu *c)
{
    c->stop_at = 0;
}
void cpu_set_cr0(cpu *c, uint32_t v);
void cpu_set_cr3(cpu *c, uint32_t v);
void cpu_set_cr4(cpu *c, uint32_t v);
void cpu_set_eflags(cpu *c, uint32_t v, uint32_t mask);
uint32_t cpu_get_eflags(cpu *c);
void cpu_set_cpl(cpu *c, unsigned cpl);
bool cpu_io_allowed(cpu *c, uint16_t port, unsigned n);
void task_switch(cpu *c, uint16_t sel, uint32_t lo, uint32_t hi, int reason, bool has_err,
                 uint32_t err);
enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };
int x86_disasm(const uint8_t *code, unsigned avail, bool code32, uint32_t eip, char *out, int size);

#endif

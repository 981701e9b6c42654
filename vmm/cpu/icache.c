/* Decoded-instruction cache. Blocks of decoded instructions are found by the guest-physical
 * address of their first byte (and the code size they were decoded for). A block never
 * crosses a 4 KiB page, so one page's code can be dropped on its own.
 *
 * Self-modifying code: per physical page the cache keeps the chain of its blocks and a mask of
 * the 128-byte lines they cover. The TLB never holds a write pointer to a page with code
 * (tlb_drop_write_phys when a page gains code), so every guest store to such a page takes the
 * slow path, reaches physmap_write(), and through the physmap write hook lands in
 * icache_invalidate(): a store into a covered line drops all blocks of the page and ends the
 * running block after the current instruction. Memory of dropped blocks is reused only after
 * a full flush, which happens between blocks, so the running block stays readable. */
#include <stdlib.h>

#include "vmm/cpu/cpu_int.h"

#define MAX_BLOCKS      (1u << 15)
#define MAX_INSNS       (1u << 18)
#define HASH_BITS       15
#define HASH_SIZE       (1u << HASH_BITS)
#define BLOCK_MAX_INSNS 64
#define NPAGES          (1u << 20)

typedef struct block {
    uint32_t phys;
    uint32_t first; /* index of the first insn */
    uint32_t hnext; /* next block in the hash bucket (index + 1) */
    uint32_t pnext; /* next block on the same page (index + 1) */
    uint16_t count;
    uint16_t bytes;
    uint8_t code32;
} block;

typedef struct page_info {
    uint32_t head;  /* first block on the page (index + 1) */
    uint32_t lines; /* 128-byte lines holding decoded code */
} page_info;

/* Jump cache: linear EIP -> block, valid while jc_epoch is unchanged. The epoch moves on
 * every event that can change what a linear address runs: TLB flushes, INVLPG, CPL
 * changes, code invalidation, cache flushes. It spares the TLB walk and hash lookup on the
 * way from one block to the next. */
#define JC_SIZE 4096
typedef struct jc_entry {
    uint32_t la;
    uint32_t epoch;
    const struct block *b;
} jc_entry;

struct icache {
    jc_entry jc[JC_SIZE];
    block blocks[MAX_BLOCKS];
    insn insns[MAX_INSNS];
    uint32_t hash[HASH_SIZE];
    uint32_t nblocks, ninsns;
    page_info *pages;
};

struct icache *icache_new(void)
{
    struct icache *ic = calloc(1, sizeof(*ic));
    if (!ic)
        return NULL;
    ic->pages = calloc(NPAGES, sizeof(page_info));
    if (!ic->pages) {
        free(ic);
        return NULL;
    }
    return ic;
}

void icache_free(struct icache *ic)
{
    if (!ic)
        return;
    free(ic->pages);
    free(ic);
}

static uint32_t hash_of(uint32_t phys, bool code32)
{
    uint32_t h = phys * 2654435761u ^ (code32 ? 0x9E37u : 0);
    return (h >> (32 - HASH_BITS)) & (HASH_SIZE - 1);
}

void icache_flush(cpu *c)
{
    struct icache *ic = c->ic;
    for (uint32_t k = 0; k < ic->nblocks; k++)
        ic->pages[ic->blocks[k].phys >> 12] = (page_info){0, 0};
    memset(ic->hash, 0, sizeof(ic->hash));
    ic->nblocks = ic->ninsns = 0;
    cpu_jc_bump(c);
}

void cpu_jc_bump(cpu *c)
{
    if (++c->jc_epoch == 0) { /* wrapped: no entry may look valid */
        memset(c->ic->jc, 0, sizeof(c->ic->jc));
        c->jc_epoch = 1;
    }
}

bool icache_page_has_code(const cpu *c, uint32_t phys_page)
{
    return c->ic->pages[phys_page >> 12].head != 0;
}

static uint32_t line_mask(uint32_t off, uint32_t len)
{
    uint32_t first = off >> 7, last = (off + len - 1) >> 7;
    if (last > 31)
        last = 31;
    uint32_t hi = last == 31 ? 0xFFFFFFFFu : (2u << last) - 1;
    return hi & ~((1u << first) - 1);
}

static void unlink_hash(struct icache *ic, uint32_t bi)
{
    block *b = &ic->blocks[bi];
    uint32_t *pp = &ic->hash[hash_of(b->phys, b->code32)];
    while (*pp) {
        if (*pp == bi + 1) {
            *pp = b->hnext;
            return;
        }
        pp = &ic->blocks[*pp - 1].hnext;
    }
}

/* Drop the blocks of one page that overlap [off, off+len); keep the others. */
static bool invalidate_page(struct icache *ic, page_info *pi, uint32_t page, uint32_t off,
                            uint32_t len)
{
    bool hit = false;
    uint32_t *pp = &pi->head;
    pi->lines = 0;
    while (*pp) {
        block *b = &ic->blocks[*pp - 1];
        uint32_t bo = b->phys & 0xFFF;
        if (bo < off + len && off < bo + b->bytes) {
            unlink_hash(ic, *pp - 1);
            *pp = b->pnext;
            hit = true;
        } else {
            pi->lines |= line_mask(bo, b->bytes);
            pp = &b->pnext;
        }
    }
    (void)page;
    return hit;
}

bool icache_invalidate(cpu *c, uint32_t paddr, uint32_t len)
{
    struct icache *ic = c->ic;
    bool hit = false;
    while (len) {
        uint32_t off = paddr & 0xFFF;
        uint32_t n = 0x1000 - off < len ? 0x1000 - off : len;
        page_info *pi = &ic->pages[paddr >> 12];
        if (pi->head && (pi->lines & line_mask(off, n)))
            hit |= invalidate_page(ic, pi, paddr >> 12, off, n);
        paddr += n;
        len -= n;
    }
    if (hit)
        cpu_jc_bump(c);
    return hit;
}

/* Physmap write hook: stores from the CPU slow path, DMA and loaders. */
void cpu_code_written(void *opaque, uint32_t paddr, uint32_t len)
{
    cpu *c = opaque;
    if (icache_invalidate(c, paddr, len))
        cpu_end_block(c);
}

static const block *lookup(struct icache *ic, uint32_t phys, bool code32)
{
    for (uint32_t bi = ic->hash[hash_of(phys, code32)]; bi; bi = ic->blocks[bi - 1].hnext) {
        const block *b = &ic->blocks[bi - 1];
        if (b->phys == phys && b->code32 == code32)
            return b;
    }
    return NULL;
}

/* Decode a new block at phys from host bytes; `room` bytes may be decoded (page end or CS
 * limit). Returns NULL when not even one instruction fits (it straddles the end). */
static const block *build(cpu *c, uint32_t phys, const uint8_t *host, uint32_t room)
{
    struct icache *ic = c->ic;
    if (ic->nblocks == MAX_BLOCKS || ic->ninsns + BLOCK_MAX_INSNS > MAX_INSNS)
        icache_flush(c);
    block *b = &ic->blocks[ic->nblocks];
    insn *out = &ic->insns[ic->ninsns];
    uint32_t pos = 0, n = 0;
    while (n < BLOCK_MAX_INSNS && pos < room) {
        dec_src src = {.p = host + pos, .avail = room - pos};
        int len = x86_decode(&src, c->code32, &out[n]);
        if (len <= 0)
            break;
        pos += (uint32_t)len;
        n++;
        if (out[n - 1].flags & I_END)
            break;
    }
    if (n == 0)
        return NULL;
    *b = (block){.phys = phys,
                 .first = ic->ninsns,
                 .count = (uint16_t)n,
                 .bytes = (uint16_t)pos,
                 .code32 = c->code32};
    page_info *pi = &ic->pages[phys >> 12];
    if (!pi->head)
        tlb_drop_write_phys(c, phys & ~0xFFFu);
    b->pnext = pi->head;
    pi->head = ic->nblocks + 1;
    pi->lines |= line_mask(phys & 0xFFF, pos);
    uint32_t h = hash_of(phys, c->code32);
    b->hnext = ic->hash[h];
    ic->hash[h] = ic->nblocks + 1;
    ic->nblocks++;
    ic->ninsns += n;
    return b;
}

/* The block at the current CS:EIP, or NULL when the instruction there must be decoded and
 * run one at a time (it straddles a page or the CS limit, or the page is not RAM/ROM). */
const insn *icache_get(cpu *c, uint32_t *ret_count)
{
    const seg_cache *cs = &c->seg[CPU_SEG_CS];
    uint32_t eip = c->eip;
    uint32_t la = cs->base + eip;
    jc_entry *j = &c->ic->jc[(la ^ (la >> 12)) & (JC_SIZE - 1)];
    const block *b;
    if (likely(j->la == la && j->epoch == c->jc_epoch && j->b->code32 == c->code32)) {
        b = j->b;
    } else {
        if (unlikely(eip > 0xFFFF && !c->code32)) {
            eip = c->eip &= 0xFFFF; /* 16-bit IP wraps */
            la = cs->base + eip;
        }
        if (unlikely(eip > cs->limit))
            return NULL;
        const tlb_entry *e = &c->tlb_cur[(la >> 12) & TLB_MASK];
        uint32_t phys;
        if (likely(e->tag_r == (la & ~0xFFFu)))
            phys = e->phys | (la & 0xFFF);
        else
            phys = mmu_translate(c, la, ACC_X, c->cpl == 3);
        b = lookup(c->ic, phys, c->code32);
        if (!b) {
            const uint8_t *host = physmap_page_ptr(c->plat.mem, phys, false);
            if (!host)
                return NULL;
            uint32_t room = 0x1000 - (phys & 0xFFF);
            if (cs->limit - eip < room - 1)
                room = cs->limit - eip + 1;
            b = build(c, phys, host + (phys & 0xFFF), room);
            if (!b)
                return NULL;
        }
        j->la = la;
        j->epoch = c->jc_epoch;
        j->b = b;
    }
    if (unlikely(eip > cs->limit || cs->limit - eip < (uint32_t)b->bytes - 1))
        return NULL;
    *ret_count = b->count;
    return &c->ic->insns[b->first];
}

/* Operand generation: random values with edge cases mixed in, shift counts concentrated
 * around the interesting range, and division operands built from a chosen quotient so that
 * they never raise #DE. */
#include "cpudiff.h"

static uint64_t next(uint64_t *s)
{
    /* xorshift64*: small, deterministic for a given seed */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static const uint32_t edges[] = {0,          1,          2,          0x7F,       0x80,
                                 0xFF,       0x100,      0x7FFF,     0x8000,     0xFFFF,
                                 0x10000,    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE,
                                 0x80000001, 0x0000FF80, 0xFFFF7FFF, 0x12345678, 0x0F0F0F0F};

static uint32_t value(uint64_t *s)
{
    uint64_t r = next(s);
    if ((r & 3) == 0)
        return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
    if ((r & 7) == 1) /* one edge value in each byte lane makes carries across lanes */
        return edges[(r >> 8) % 20] ^ (uint32_t)(r >> 40);
    return (uint32_t)(r >> 32);
}

/* dividend = q * d + r with |r| < |d| and r of the dividend's sign: the quotient is q, which
 * is chosen in range, so DIV/IDIV never fault. */
static void division(const cd_form *f, uint64_t *s, cd_state *st)
{
    unsigned n = f->size;
    int64_t lim = (int64_t)1 << n;
    int64_t d, q;
    do {
        d = (int64_t)(next(s) % (uint64_t)lim);
        q = (int64_t)(next(s) % (uint64_t)lim);
        if (f->is_signed) {
            d -= lim / 2;
            q -= lim / 2;
        }
        if ((next(s) & 3) == 0) /* small quotients too, not only huge ones */
            q %= 16;
    } while (d == 0);
    __int128 dividend = (__int128)q * d;
    int64_t r = (int64_t)(next(s) % (uint64_t)(d < 0 ? -d : d));
    if (dividend < 0 || (dividend == 0 && (next(s) & 1)))
        r = -r;
    if (!f->is_signed)
        r = r < 0 ? -r : r;
    dividend += r;
    uint64_t u = (uint64_t)dividend;
    if (n == 8) {
        st->gpr[0] = (st->gpr[0] & 0xFFFF0000u) | (uint32_t)(u & 0xFFFF);
        if (f->high8)
            st->gpr[1] = (st->gpr[1] & 0xFFFF00FFu) | (uint32_t)(d & 0xFF) << 8;
        else
            st->gpr[1] = (st->gpr[1] & 0xFFFFFF00u) | (uint32_t)(d & 0xFF);
    } else if (n == 16) {
        st->gpr[0] = (st->gpr[0] & 0xFFFF0000u) | (uint32_t)(u & 0xFFFF);
        st->gpr[2] = (st->gpr[2] & 0xFFFF0000u) | (uint32_t)((u >> 16) & 0xFFFF);
        st->gpr[1] = (st->gpr[1] & 0xFFFF0000u) | (uint32_t)(d & 0xFFFF);
    } else {
        st->gpr[0] = (uint32_t)u;
        st->gpr[2] = (uint32_t)(u >> 32);
        st->gpr[1] = (uint32_t)d;
    }
}

void cpudiff_inputs(const cd_form *f, uint64_t *seed, cd_state *st)
{
    for (int i = 0; i < 8; i++)
        st->gpr[i] = value(seed);
    st->gpr[4] = 0x8000; /* ESP: a valid stack, never an operand */
    st->flags = 0x2 | ((uint32_t)next(seed) & CD_ARITH);
    if (f->count == CD_COUNT_CL) {
        uint64_t r = next(seed);
        uint32_t cl = (r & 3) ? (uint32_t)((r >> 8) % 34) : (uint32_t)((r >> 8) & 0xFF);
        st->gpr[1] = (st->gpr[1] & ~0xFFu) | cl;
    }
    if (f->cls == CD_DIV)
        division(f, seed, st);
    st->mem[0] = value(seed);
    st->mem[1] = value(seed);
    if (f->mem)
        st->gpr[3] = CD_MEM_ADDR; /* EBX */
}

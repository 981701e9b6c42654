/* Operand and state generators for the differential tests. */
#include "tests/unit/x87/x87_gen.h"

#include <string.h>

static uint64_t x87_gen_state = 0x9E3779B97F4A7C15ull;

void x87_gen_seed(uint64_t seed)
{
    x87_gen_state = seed ? seed : 1;
}

uint64_t x87_gen_u64(void)
{
    uint64_t x = x87_gen_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    x87_gen_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

unsigned x87_gen_below(unsigned n)
{
    return (unsigned)(x87_gen_u64() % n);
}

static fpu_reg mk(unsigned sign, unsigned exp, uint64_t mant)
{
    return (fpu_reg){.mant = mant, .sign_exp = (uint16_t)((sign << 15) | (exp & 0x7FFF))};
}

/* An exponent (biased, 0x3FFF = 2^0) near an interesting boundary. */
static unsigned x87_gen_exp(void)
{
    static const unsigned centers[] = {
        0x3FFF,        /* ordinary numbers */
        0x3FFF + 63,   /* integer limits (FIST) and FSIN/FPTAN range */
        0x3FFF + 127,  /* float overflow */
        0x3FFF - 126,  /* float underflow */
        0x3FFF - 149,  /* float denormal limit */
        0x3FFF + 1023, /* double overflow */
        0x3FFF - 1022, /* double underflow */
        0x3FFF - 1074, /* double denormal limit */
        0x7FFE,        /* extended overflow */
        0x0001,        /* extended underflow */
    };
    unsigned c = centers[x87_gen_below(sizeof(centers) / sizeof(centers[0]))];
    int e = (int)c + (int)x87_gen_below(9) - 4;
    if (x87_gen_below(4) == 0)
        e = (int)c + (int)x87_gen_below(129) - 64;
    if (e < 1)
        e = 1;
    if (e > 0x7FFE)
        e = 0x7FFE;
    return (unsigned)e;
}

/* A significand with structure: few bits, all ones, exact halves, or random. */
static uint64_t x87_gen_mant(void)
{
    uint64_t m = x87_gen_u64();
    switch (x87_gen_below(6)) {
    case 0: return 1ull << 63;
    case 1: return (1ull << 63) | (m & 0xFFFFFF0000000000ull); /* fits a float */
    case 2: return (1ull << 63) | (m & 0xFFFFFFFFFFFFF800ull); /* fits a double */
    case 3: return ~0ull;
    case 4: return (1ull << 63) | (m & ~0xFFFFull) | 0x8000; /* halfway cases */
    default: return m | 1ull << 63;
    }
}

fpu_reg x87_gen_reg(void)
{
    unsigned s = x87_gen_below(2);
    uint64_t m = x87_gen_u64();
    switch (x87_gen_below(24)) {
    case 0: return mk(s, 0, 0);                                           /* zero */
    case 1: return mk(s, 0, m >> (1 + x87_gen_below(63)));                /* denormal */
    case 2: return mk(s, 0, m | 1ull << 63);                              /* pseudo-denormal */
    case 3: return mk(s, 0x7FFF, 1ull << 63);                             /* infinity */
    case 4: return mk(s, 0x7FFF, m | 3ull << 62);                         /* QNaN */
    case 5: return mk(s, 0x7FFF, ((m | 1) & ~(1ull << 62)) | 1ull << 63); /* SNaN */
    case 6: return mk(1, 0x7FFF, 3ull << 62);                             /* indefinite */
    case 7: return mk(s, 1 + x87_gen_below(0x7FFE), m & ~(1ull << 63));   /* unnormal */
    case 8: return mk(s, 0x7FFF, m & ~(1ull << 63));                      /* pseudo-NaN/infinity */
    case 9: return mk(s, 0x7FFE, ~0ull);                                  /* largest */
    case 10: return mk(s, 1, 1ull << 63);                                 /* smallest normal */
    case 11: /* a small integer, or an integer near the limits of FIST */
        return mk(s, 0x3FFF + x87_gen_below(64), (1ull << 63) | (m & ~0ull << x87_gen_below(64)));
    case 12: return mk(s, 0x3FFF, 1ull << 63); /* 1.0 */
    default: return mk(s, x87_gen_exp(), x87_gen_mant());
    }
}

unsigned x87_gen_mem_kind(uint8_t op, unsigned r)
{
    switch (op) {
    case 0xD8: return X87_MK_F32;
    case 0xDC: return X87_MK_F64;
    case 0xDA: return X87_MK_I32;
    case 0xDE: return X87_MK_I16;
    case 0xD9: return r == 0 ? X87_MK_F32 : X87_MK_RAW;
    case 0xDD: return r == 0 ? X87_MK_F64 : X87_MK_RAW;
    case 0xDB: return r == 0 ? X87_MK_I32 : r == 5 ? X87_MK_F80 : X87_MK_RAW;
    default: /* DF */
        return r == 0 ? X87_MK_I16 : r == 4 ? X87_MK_BCD : r == 5 ? X87_MK_I64 : X87_MK_RAW;
    }
}

/* Round an 80-bit value to a narrower format by truncation (exponent clamped): exact
 * conversions are done by the host at test time, here we only need interesting bits. */
static void x87_gen_fp(uint8_t *mem, unsigned bytes)
{
    fpu_reg v = x87_gen_reg();
    unsigned s = v.sign_exp >> 15, e = v.sign_exp & 0x7FFF;
    int ebias = bytes == 4 ? 127 : 1023, emax = bytes == 4 ? 255 : 2047;
    int mbits = bytes == 4 ? 23 : 52;
    int ne;
    if (e == 0x7FFF)
        ne = emax;
    else if (e == 0)
        ne = 0;
    else
        ne = (int)e - 0x3FFF + ebias;
    if (ne < 0 || x87_gen_below(8) == 0)
        ne = (int)x87_gen_below(3) == 0 ? 0 : ne < 0 ? 0 : ne;
    if (ne > emax)
        ne = emax;
    uint64_t frac = (v.mant << 1) >> (64 - mbits);
    uint64_t bits = (uint64_t)s << (bytes * 8 - 1) | (uint64_t)ne << mbits | frac;
    if (ne == emax && frac == 0 && x87_gen_below(2))
        bits |= 1; /* SNaN instead of infinity */
    memcpy(mem, &bits, bytes);
}

static void x87_gen_int(uint8_t *mem, unsigned bytes)
{
    uint64_t v = x87_gen_u64();
    switch (x87_gen_below(5)) {
    case 0: v = 0; break;
    case 1: v = ~0ull; break;
    case 2: v = 1ull << (bytes * 8 - 1); break; /* most negative */
    case 3: v &= 0xFF; break;
    default: break;
    }
    memcpy(mem, &v, bytes);
}

static void x87_gen_bcd(uint8_t *mem)
{
    for (unsigned i = 0; i < 9; i++)
        mem[i] = (uint8_t)(x87_gen_below(10) << 4 | x87_gen_below(10));
    if (x87_gen_below(8) == 0)
        mem[x87_gen_below(9)] = (uint8_t)x87_gen_u64(); /* invalid digits */
    mem[9] = x87_gen_below(2) ? 0x80 : 0;
    if (x87_gen_below(8) == 0)
        mem[9] = (uint8_t)x87_gen_u64();
}

void x87_gen_mem(unsigned kind, uint8_t *mem, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        mem[i] = (uint8_t)x87_gen_u64();
    switch (kind) {
    case X87_MK_F32: x87_gen_fp(mem, 4); break;
    case X87_MK_F64: x87_gen_fp(mem, 8); break;
    case X87_MK_F80: {
        fpu_reg v = x87_gen_reg();
        memcpy(mem, &v.mant, 8);
        memcpy(mem + 8, &v.sign_exp, 2);
        break;
    }
    case X87_MK_I16: x87_gen_int(mem, 2); break;
    case X87_MK_I32: x87_gen_int(mem, 4); break;
    case X87_MK_I64: x87_gen_int(mem, 8); break;
    case X87_MK_BCD: x87_gen_bcd(mem); break;
    default: break;
    }
}

unsigned x87_test_classify(const fpu_reg *r)
{
    unsigned e = r->sign_exp & 0x7FFF;
    bool j = r->mant >> 63;
    if (e == 0 && r->mant == 0)
        return FPU_TAG_ZERO;
    if (e == 0 || e == 0x7FFF || !j)
        return FPU_TAG_SPECIAL;
    return FPU_TAG_VALID;
}

static void put16(x87_image *img, unsigned off, unsigned v)
{
    img->b[off] = (uint8_t)v;
    img->b[off + 1] = (uint8_t)(v >> 8);
}

void x87_gen_image(x87_image *img, bool pending)
{
    static const unsigned pcs[] = {0, 2, 3, 3, 3, 1};
    unsigned masks = x87_gen_below(3) ? 0x3F : (unsigned)x87_gen_u64() & 0x3F;
    unsigned cw = masks | 0x40 | pcs[x87_gen_below(6)] << 8 | x87_gen_below(4) << 10;
    unsigned flags =
        (unsigned)x87_gen_u64() & (pending ? 0x3F : masks) & (x87_gen_below(2) ? 0x3F : 0);
    unsigned sw = flags | ((unsigned)x87_gen_u64() & 0x4700) | x87_gen_below(8) << 11;
    if ((flags & 1) && x87_gen_below(2))
        sw |= 0x40; /* SF */
    if (flags & ~masks)
        sw |= 0x8080; /* ES, B */
    /* Stack depth: often empty, often full, else a random set of empty registers. */
    unsigned empty;
    switch (x87_gen_below(5)) {
    case 0: empty = 0xFF; break;
    case 1: empty = 0; break;
    case 2: empty = 0xFF & (0xFF << (1 + x87_gen_below(7))); break;
    default: empty = (unsigned)x87_gen_u64() & 0xFF; break;
    }
    unsigned tw = 0;
    for (unsigned p = 0; p < 8; p++)
        tw |= (empty >> p & 1 ? 3u : x87_gen_below(3)) << (2 * p);
    memset(img, 0, sizeof(*img));
    put16(img, 0, cw);
    put16(img, 4, sw);
    put16(img, 8, tw);
    for (unsigned i = 0; i < 8; i++) {
        fpu_reg v = x87_gen_reg();
        if (i > 0 && x87_gen_below(8) == 0) /* equal operands */
            memcpy(&v, img->b + 28 + 10 * x87_gen_below(i), 10);
        memcpy(img->b + 28 + 10 * i, &v.mant, 8);
        memcpy(img->b + 36 + 10 * i, &v.sign_exp, 2);
    }
}

void x87_image_to_fpu(const x87_image *img, fpu *f)
{
    memset(f, 0, sizeof(*f));
    f->cw = x87_img16(img, 0);
    f->sw = x87_img16(img, 4);
    unsigned top = (f->sw >> 11) & 7, tw = x87_img16(img, 8);
    for (unsigned i = 0; i < 8; i++) {
        fpu_reg *r = &f->st[(top + i) & 7];
        memcpy(&r->mant, img->b + 28 + 10 * i, 8);
        memcpy(&r->sign_exp, img->b + 36 + 10 * i, 2);
    }
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = (tw >> (2 * p)) & 3;
        if (t != FPU_TAG_EMPTY)
            t = x87_test_classify(&f->st[p]);
        f->tw = (uint16_t)(f->tw | t << (2 * p));
    }
}

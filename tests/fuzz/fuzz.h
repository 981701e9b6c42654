/* What every fuzz harness shares: the libFuzzer entry point it defines, and a cursor that
 * hands out the fuzzer's bytes as typed values (zeros once the input runs out, so every
 * input, however short, is a complete test case). */
#ifndef VIREO_TESTS_FUZZ_FUZZ_H
#define VIREO_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Defined by each harness. Must accept any bytes, return 0, and leak nothing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_in {
    const uint8_t *p;
    size_t left;
} fuzz_in;

static inline uint8_t fuzz_u8(fuzz_in *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint16_t fuzz_u16(fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* Up to n bytes (fewer at the end of the input); returns how many *ret points at. */
static inline size_t fuzz_bytes(fuzz_in *in, size_t n, const uint8_t **ret)
{
    if (n > in->left)
        n = in->left;
    *ret = in->p;
    in->p += n;
    in->left -= n;
    return n;
}

/* An anonymous in-memory file holding data, and a path that opens it ("/proc/self/fd/N").
 * Returns the fd (close it when done) or -errno. */
int fuzz_memfile(const uint8_t *data, size_t size, char *ret_path, size_t path_size);

/* Run fn with stderr pointed at /dev/null (libraries that report on stderr). A sanitizer
 * report from inside fn is lost too: set VIREO_FUZZ_VERBOSE=1 when reproducing. */
void fuzz_quiet(void (*fn)(void *opaque), void *opaque);

#endif

/* Native oracle: a tiny generated stub per encoding
 *     frstor [rsi]; push [rcx]; popfq; mov rax, rdi; <op modrm>; mov [rcx+8], rax;
 *     pushfq; pop [rcx]; fnsave [rdx]; ret
 * Memory forms use ModRM mod=00 rm=000, i.e. [rax]. FNSAVE does not wait, so an unmasked
 * exception left pending by the instruction is captured, not delivered. */
#include "tests/unit/x87/x87_native.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

/* Stubs for all 8 * 256 encodings, then the same with an operand-size prefix (16-bit
 * FSTENV/FSAVE layouts). */
enum { STUB_SIZE = 32, STUB_COUNT = 2 * 8 * 256 };

static uint8_t *x87_native_code;
static sigjmp_buf x87_native_jmp;

typedef void stub_fn(void *mem, const x87_image *in, x87_image *out, x87_native_regs *regs);

static void x87_native_emit(uint8_t *p, uint8_t op, uint8_t modrm, bool o16)
{
    static const uint8_t head[] = {0xDD, 0x26,             /* frstor [rsi] */
                                   0xFF, 0x31,             /* push qword [rcx] */
                                   0x9D,                   /* popfq */
                                   0x48, 0x89, 0xF8};      /* mov rax, rdi */
    static const uint8_t tail[] = {0x48, 0x89, 0x41, 0x08, /* mov [rcx+8], rax */
                                   0x9C,                   /* pushfq */
                                   0x8F, 0x01,             /* pop qword [rcx] */
                                   0xDD, 0x32,             /* fnsave [rdx] */
                                   0xC3};                  /* ret */
    memcpy(p, head, sizeof(head));
    p += sizeof(head);
    if (o16)
        *p++ = 0x66;
    *p++ = op;
    *p++ = modrm < 0xC0 ? (modrm & 0x38) : modrm;
    memcpy(p, tail, sizeof(tail));
}

bool x87_native_init(void)
{
    size_t len = (size_t)STUB_SIZE * STUB_COUNT;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    for (unsigned i = 0; i < STUB_COUNT; i++)
        x87_native_emit((uint8_t *)p + i * STUB_SIZE, (uint8_t)(0xD8 + i / 256 % 8), (uint8_t)i,
                        i >= 8 * 256);
    if (mprotect(p, len, PROT_READ | PROT_EXEC) != 0) {
        munmap(p, len);
        return false;
    }
    x87_native_code = p;
    return true;
}

void x87_native_fini(void)
{
    if (x87_native_code)
        munmap(x87_native_code, (size_t)STUB_SIZE * STUB_COUNT);
    x87_native_code = NULL;
}

static void x87_native_sigill(int sig)
{
    siglongjmp(x87_native_jmp, 1);
}

bool x87_native_run(uint8_t op, uint8_t modrm, bool o16, const x87_image *in, x87_image *out,
                    void *mem, x87_native_regs *regs)
{
    stub_fn *fn;
    size_t index = (o16 ? 8 * 256 : 0) + (size_t)(op - 0xD8) * 256 + modrm;
    void *addr = x87_native_code + index * STUB_SIZE;
    memcpy(&fn, &addr, sizeof(fn));
    struct sigaction sa = {.sa_handler = x87_native_sigill}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, &old);
    bool ok = true;
    if (sigsetjmp(x87_native_jmp, 1) == 0)
        fn(mem, in, out, regs);
    else
        ok = false;
    sigaction(SIGILL, &old, NULL);
    if (!ok)
        __asm__ volatile("fninit"); /* the state FRSTOR loaded is still in the FPU */
    return ok;
}

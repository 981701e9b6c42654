/* Native execution of a form on the x86-64 host: the instruction bytes followed by RET are
 * copied to an executable page and called from a trampoline that loads EAX..EDI and the
 * arithmetic flags, and stores them back. The encodings under test mean the same thing on
 * the host's low 32 bits as in 32-bit protected mode. */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "cpudiff.h"

/* cd_host_exec(cd_state *st, void *code): System V ABI, rdi = st, rsi = code. */
__asm__(".pushsection .text\n"
        ".type cd_host_exec, @function\n"
        "cd_host_exec:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %r13\n"
        "    mov 0(%r12), %eax\n"
        "    mov 4(%r12), %ecx\n"
        "    mov 8(%r12), %edx\n"
        "    mov 12(%r12), %ebx\n"
        "    mov 20(%r12), %ebp\n"
        "    mov 24(%r12), %esi\n"
        "    mov 28(%r12), %edi\n"
        "    mov 32(%r12), %r14d\n"
        "    push %r14\n"
        "    popfq\n"
        "    call *%r13\n"
        "    pushfq\n"
        "    popq %r13\n"
        "    mov %r13d, 32(%r12)\n"
        "    mov %eax, 0(%r12)\n"
        "    mov %ecx, 4(%r12)\n"
        "    mov %edx, 8(%r12)\n"
        "    mov %ebx, 12(%r12)\n"
        "    mov %ebp, 20(%r12)\n"
        "    mov %esi, 24(%r12)\n"
        "    mov %edi, 28(%r12)\n"
        "    cld\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size cd_host_exec, .-cd_host_exec\n"
        ".popsection\n");

void cd_host_exec(cd_state *st, void *code);

_Static_assert(offsetof(cd_state, flags) == 32, "trampoline layout");

static uint8_t *code_page;
static uint32_t *mem_page;

static int map_mem_page(void)
{
    void *p = mmap((void *)(uintptr_t)CD_MEM_ADDR, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)(uintptr_t)CD_MEM_ADDR) {
        if (p != MAP_FAILED)
            munmap(p, 4096);
        return -1;
    }
    mem_page = p;
    return 0;
}

int cpudiff_host_run(const cd_form *f, cd_state *st)
{
    if (!code_page) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED)
            return -1;
        code_page = p;
    }
    memcpy(code_page, f->bytes, f->len);
    code_page[f->len] = 0xC3; /* ret */
    if (f->mem && !mem_page && map_mem_page() < 0)
        return -1;
    if (f->mem)
        memcpy(mem_page, st->mem, sizeof(st->mem));
    uint32_t keep = st->gpr[4];
    cd_host_exec(st, code_page);
    st->gpr[4] = keep;
    if (f->mem)
        memcpy(st->mem, mem_page, sizeof(st->mem));
    st->flags &= CD_ARITH | 0x2;
    return 0;
}

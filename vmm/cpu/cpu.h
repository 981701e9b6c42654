/* The software x86 CPU: public interface used by the machine (vmm/pc), the boot loaders,
 * the state saver and the GDB stub. Everything else about the CPU is private to vmm/cpu/.
 *
 * Threading: a cpu is driven by one thread (the VM thread). Only cpu_request_exit() may be
 * called from another thread. Devices run on the VM thread between or during instructions
 * (port and MMIO handlers), so cpu_set_intr() needs no locking. */
#ifndef VIREO_VMM_CPU_CPU_H
#define VIREO_VMM_CPU_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/mem/iobus.h"
#include "vmm/mem/physmap.h"

typedef struct cpu cpu;

/* What the CPU needs from the machine around it. */
typedef struct cpu_platform {
    physmap *mem;
    iobus *io;
    void *opaque;
    /* Interrupt acknowledge cycle: the vector of the interrupt the controller delivers. */
    uint8_t (*intr_ack)(void *opaque);
    /* Guest time in nanoseconds; stops while the machine is paused. Drives RDTSC. */
    uint64_t (*now_ns)(void *opaque);
    /* FERR#: an unmasked x87 error met a waiting instruction while CR0.NE is clear; a PC
     * raises IRQ 13. May be NULL. (Added for the legacy x87 error path.) */
    void (*fpu_error)(void *opaque);
} cpu_platform;

/* Why cpu_run() returned. */
typedef enum cpu_exit {
    CPU_EXIT_BUDGET,   /* executed the requested number of instructions */
    CPU_EXIT_HALT,     /* HLT with no interrupt deliverable: sleep until one is */
    CPU_EXIT_SHUTDOWN, /* triple fault: the machine must reset */
    CPU_EXIT_REQUEST,  /* cpu_request_exit() was called */
    CPU_EXIT_DEBUG,    /* breakpoint or single step for the debugger */
} cpu_exit;

/* Register file as seen by loaders, the debugger and the state saver. */
typedef struct cpu_regs {
    uint32_t gpr[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eip, eflags;
    uint16_t seg[6]; /* ES CS SS DS FS GS selectors */
    uint32_t cr0, cr2, cr3, cr4;
} cpu_regs;

enum { CPU_EAX, CPU_ECX, CPU_EDX, CPU_EBX, CPU_ESP, CPU_EBP, CPU_ESI, CPU_EDI };
enum { CPU_SEG_ES, CPU_SEG_CS, CPU_SEG_SS, CPU_SEG_DS, CPU_SEG_FS, CPU_SEG_GS };

/* Returns NULL on allocation failure. */
cpu *cpu_new(const cpu_platform *platform);
void cpu_free(cpu *c);

/* Power-on / RESET state: real mode, CS:IP = F000:FFF0 with CS base FFFF0000. */
void cpu_reset(cpu *c);

/* Enter 32-bit protected mode with flat 4 GiB code and data segments, paging off and
 * interrupts disabled, at `eip` with the given general registers: the state that the Linux
 * 32-bit boot protocol and Multiboot hand to a kernel. */
void cpu_setup_flat32(cpu *c, uint32_t eip, const uint32_t gpr[8]);

/* Level of the INTR pin (from the interrupt controller) and the NMI edge. */
void cpu_set_intr(cpu *c, bool level);
void cpu_raise_nmi(cpu *c);

/* Gate A20 (port 0x92, the i8042): when disabled, physical address bit 20 is forced to 0. */
void cpu_set_a20(cpu *c, bool enabled);

/* Execute up to `budget` instructions. */
cpu_exit cpu_run(cpu *c, uint64_t budget);

/* Ask cpu_run() to return at the next instruction boundary. Async-signal and thread safe. */
void cpu_request_exit(cpu *c);

/* Instructions retired since reset. */
uint64_t cpu_instret(const cpu *c);

void cpu_get_regs(const cpu *c, cpu_regs *ret_regs);
/* Writes the registers; segment selectors are loaded with real-mode semantics when CR0.PE is
 * clear and re-read from the descriptor tables otherwise. */
void cpu_set_regs(cpu *c, const cpu_regs *regs);

/* Instruction trace: when on, every instruction is disassembled with CS:EIP and registers
 * and handed to fn (one line, no newline) before it runs; fn NULL writes to stderr. Setting
 * the environment variable VIREO_CPU_TRACE=1 turns it on at cpu_new(). Slow: debugging only. */
void cpu_set_trace(cpu *c, bool on, void (*fn)(void *opaque, const char *line), void *opaque);

/* Disassemble one instruction from `code` (avail bytes) into out; returns its length, or 0
 * when the bytes do not hold a whole instruction. Used by traces and debuggers. */
int cpu_disasm(const uint8_t *code, unsigned avail, bool code32, uint32_t eip, char *out, int size);

/* Debugger support (used by the GDB stub, gdbstub.h).
 * Breakpoints are linear addresses of instruction starts; while any is set the CPU runs
 * instruction by instruction and cpu_run() returns CPU_EXIT_DEBUG before executing one at a
 * breakpoint (the first instruction of a cpu_run() call is never stopped at, so continuing
 * from a breakpoint works). Returns 0, -ENOSPC when all 16 slots are used, -ENOENT when
 * removing an address that is not set. */
int cpu_set_breakpoint(cpu *c, uint32_t linear, bool on);
void cpu_clear_breakpoints(cpu *c);
/* Debugger memory access by linear address through the current page tables, without faults
 * and without setting accessed/dirty bits. Writes go through the physical map (so decoded
 * code is dropped). Return 0, or -EFAULT if a page is not mapped or is not RAM/ROM (MMIO is
 * refused: a debugger read must not disturb a device). */
int cpu_read_linear(cpu *c, uint32_t linear, void *buf, unsigned len);
int cpu_write_linear(cpu *c, uint32_t linear, const void *buf, unsigned len);
/* Linear address of CS:EIP. */
uint32_t cpu_linear_pc(const cpu *c);
/* x87 register file for debuggers: 8 x 10-byte ST(i) values and the control words
 * FCW FSW FTW(full) FCS FIP FDS FDP FOP. */
void cpu_get_fpu(const cpu *c, uint8_t ret_st[8][10], uint32_t ret_ctl[8]);

/* Debug output: a register dump (used on triple fault) into buf; returns bytes written. */
int cpu_dump_state(const cpu *c, char *buf, int size);

#endif

/* 16550A UART: eight registers at `base` (THR/RBR/DLL, IER/DLM, IIR/FCR, LCR, MCR, LSR,
 * MSR, SCR), 16-byte receive FIFO with trigger levels and the character-timeout interrupt,
 * modem control with loopback. The PC ports: COM1 0x3F8/IRQ4, COM2 0x2F8/IRQ3,
 * COM3 0x3E8/IRQ4, COM4 0x2E8/IRQ3.
 *
 * Transmission is instantaneous (THR is empty again as soon as it is written): the host
 * backend buffers. Reception takes bytes from the backend only while the FIFO has room.
 * The interrupt reaches the PIC only while MCR.OUT2 is set and loopback is off, as on a
 * PC board. */
#ifndef VIREO_VMM_DEV_UART_H
#define VIREO_VMM_DEV_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/chardev.h"
#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ  1843200u /* 115200 baud at divisor 1 */

static const uint16_t uart_pc_base[4] = {0x3F8, 0x2F8, 0x3E8, 0x2E8};
static const int uart_pc_irq[4] = {4, 3, 4, 3};

typedef struct uart {
    uint16_t base;
    uint8_t ier, lcr, mcr, lsr, msr, scr;
    uint8_t fcr; /* FIFO enable (bit 0) and trigger level (bits 6-7) */
    uint16_t divisor;
    uint8_t rx[UART_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    bool thre_pending;    /* THR-empty interrupt raised and not yet acknowledged */
    bool timeout_pending; /* character timeout */
    bool irq_level;
    vtimer timeout_timer;
    vclock *clock;
    irq_line irq;
    chardev *cd; /* may be NULL: output discarded, no input */
    char name[16];
    dev_ops ops;
} uart;

/* Registers 8 ports at base and attaches the backend (the uart becomes its frontend).
 * Returns 0 or -errno. */
int uart_init(uart *s, const dev_env *env, uint16_t base, irq_line irq, chardev *cd);
void uart_fini(uart *s, const dev_env *env);
void uart_reset(uart *s);

int uart_save(const uart *s, dev_blob *b);
int uart_load(uart *s, dev_blob *b);

#endif

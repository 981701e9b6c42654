/* 16550A UART.
 *
 * Interrupt identification, highest priority first: receiver line status (0x06), received
 * data at the trigger level (0x04), character timeout (0x0C), THR empty (0x02), modem
 * status (0x00). The THR-empty source is acknowledged by reading IIR while it is the one
 * reported, or by writing THR. */
#include "vmm/dev/uart.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
    IER_RDI = 0x01,
    IER_THRI = 0x02,
    IER_RLSI = 0x04,
    IER_MSI = 0x08,
    LCR_DLAB = 0x80,
    MCR_DTR = 0x01,
    MCR_RTS = 0x02,
    MCR_OUT1 = 0x04,
    MCR_OUT2 = 0x08,
    MCR_LOOP = 0x10,
    LSR_DR = 0x01,
    LSR_OE = 0x02,
    LSR_PE = 0x04,
    LSR_FE = 0x08,
    LSR_BI = 0x10,
    LSR_THRE = 0x20,
    LSR_TEMT = 0x40,
    MSR_DCTS = 0x01,
    MSR_DDSR = 0x02,
    MSR_TERI = 0x04,
    MSR_DDCD = 0x08,
    MSR_CTS = 0x10,
    MSR_DSR = 0x20,
    MSR_RI = 0x40,
    MSR_DCD = 0x80,
    IIR_NONE = 0x01,
    IIR_MSI = 0x00,
    IIR_THRI = 0x02,
    IIR_RDI = 0x04,
    IIR_RLSI = 0x06,
    IIR_TIMEOUT = 0x0C,
    IIR_FIFO = 0xC0,
};

static bool uart_fifo_on(const uart *s)
{
    return s->fcr & 0x01;
}

static unsigned uart_rx_capacity(const uart *s)
{
    return uart_fifo_on(s) ? UART_FIFO_SIZE : 1;
}

static unsigned uart_trigger(const uart *s)
{
    static const uint8_t levels[4] = {1, 4, 8, 14};
    return uart_fifo_on(s) ? levels[s->fcr >> 6] : 1;
}

/* The pending source with the highest priority, as the IIR id bits. */
static uint8_t uart_pending(const uart *s)
{
    if ((s->ier & IER_RLSI) && (s->lsr & (LSR_OE | LSR_PE | LSR_FE | LSR_BI)))
        return IIR_RLSI;
    if ((s->ier & IER_RDI) && s->rx_count >= uart_trigger(s))
        return IIR_RDI;
    if ((s->ier & IER_RDI) && s->timeout_pending && s->rx_count)
        return IIR_TIMEOUT;
    if ((s->ier & IER_THRI) && s->thre_pending)
        return IIR_THRI;
    if ((s->ier & IER_MSI) && (s->msr & 0x0F))
        return IIR_MSI;
    return IIR_NONE;
}

static void uart_update_irq(uart *s)
{
    bool level = uart_pending(s) != IIR_NONE && (s->mcr & MCR_OUT2) && !(s->mcr & MCR_LOOP);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_line_set(&s->irq, level);
    }
}

/* Four character times at the current line settings. */
static uint64_t uart_timeout_ns(const uart *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x04) ? 2 : 1) + ((s->lcr & 0x08) ? 1 : 0);
    uint64_t div = s->divisor ? s->divisor : 1;
    return 4ull * bits * div * 16ull * 1000000000ull / UART_CLOCK_HZ;
}

static void uart_arm_timeout(uart *s)
{
    s->timeout_pending = false;
    if (uart_fifo_on(s) && s->rx_count)
        vtimer_mod(&s->timeout_timer, vclock_now(s->clock) + uart_timeout_ns(s));
    else
        vtimer_del(&s->timeout_timer);
}

static void uart_timeout_cb(void *opaque)
{
    uart *s = opaque;
    if (s->rx_count) {
        s->timeout_pending = true;
        uart_update_irq(s);
    }
}

static void uart_rx_push(uart *s, uint8_t byte)
{
    if (s->rx_count >= uart_rx_capacity(s)) {
        s->lsr |= LSR_OE; /* only loopback can overrun: the backend waits for room */
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = byte;
    s->rx_count++;
    s->lsr |= LSR_DR;
}

static uint8_t uart_rx_pop(uart *s)
{
    if (!s->rx_count)
        return 0;
    uint8_t v = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
    s->rx_count--;
    if (!s->rx_count)
        s->lsr &= ~LSR_DR;
    return v;
}

static void uart_rx_clear(uart *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~LSR_DR;
    s->timeout_pending = false;
    vtimer_del(&s->timeout_timer);
}

static size_t uart_can_receive(void *opaque)
{
    uart *s = opaque;
    if ((s->mcr & MCR_LOOP) || s->rx_count >= uart_rx_capacity(s))
        return 0; /* loopback: the receiver listens to the transmitter only */
    return uart_rx_capacity(s) - s->rx_count;
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t len)
{
    uart *s = opaque;
    for (size_t i = 0; i < len; i++)
        uart_rx_push(s, buf[i]);
    uart_arm_timeout(s);
    uart_update_irq(s);
}

/* Modem status lines: in loopback they follow MCR; otherwise a present peer shows as
 * carrier, data set ready and clear to send. Changes set the delta bits. */
static void uart_update_msr(uart *s)
{
    uint8_t lines;
    if (s->mcr & MCR_LOOP) {
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        bool peer = s->cd && chardev_connected(s->cd);
        lines = peer ? (MSR_CTS | MSR_DSR | MSR_DCD) : 0;
    }
    uint8_t changed = (lines ^ s->msr) & 0xF0;
    uint8_t delta = 0;
    if (changed & MSR_CTS)
        delta |= MSR_DCTS;
    if (changed & MSR_DSR)
        delta |= MSR_DDSR;
    if (changed & MSR_DCD)
        delta |= MSR_DDCD;
    if ((changed & MSR_RI) && !(lines & MSR_RI))
        delta |= MSR_TERI;
    s->msr = lines | (s->msr & 0x0F) | delta;
}

static void uart_write_thr(uart *s, uint8_t v)
{
    if (s->mcr & MCR_LOOP) {
        uart_rx_push(s, v);
        uart_arm_timeout(s);
    } else if (s->cd) {
        chardev_write(s->cd, &v, 1);
    }
    s->thre_pending = true; /* sent at once: THR is empty again */
}

static void uart_write_fcr(uart *s, uint8_t v)
{
    if ((v ^ s->fcr) & 0x01) {
        uart_rx_clear(s); /* switching FIFO mode empties both FIFOs */
    } else if (v & 0x02) {
        uart_rx_clear(s);
    }
    s->fcr = v & 0xC1;
}

static void uart_reg_write(uart *s, unsigned reg, uint8_t v)
{
    bool dlab = s->lcr & LCR_DLAB;
    switch (reg) {
    case 0:
        if (dlab)
            s->divisor = (uint16_t)((s->divisor & 0xFF00) | v);
        else
            uart_write_thr(s, v);
        break;
    case 1:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0x00FF) | (v << 8));
        } else {
            if ((v & IER_THRI) && !(s->ier & IER_THRI))
                s->thre_pending = true; /* enabling it with THR empty interrupts at once */
            s->ier = v & 0x0F;
        }
        break;
    case 2: uart_write_fcr(s, v); break;
    case 3: s->lcr = v; break;
    case 4:
        s->mcr = v & 0x1F;
        uart_update_msr(s);
        break;
    case 7: s->scr = v; break;
    default: break; /* LSR and MSR are read-only */
    }
    uart_update_irq(s);
}

static uint8_t uart_read_iir(uart *s)
{
    uint8_t id = uart_pending(s);
    if (id == IIR_THRI)
        s->thre_pending = false;
    return id | (uart_fifo_on(s) ? IIR_FIFO : 0);
}

static uint8_t uart_reg_read(uart *s, unsigned reg)
{
    bool dlab = s->lcr & LCR_DLAB;
    uint8_t v = 0;
    switch (reg) {
    case 0:
        if (dlab)
            return (uint8_t)s->divisor;
        v = uart_rx_pop(s);
        uart_arm_timeout(s);
        break;
    case 1: return dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
    case 2: v = uart_read_iir(s); break;
    case 3: return s->lcr;
    case 4: return s->mcr;
    case 5:
        v = s->lsr | LSR_THRE | LSR_TEMT;
        s->lsr &= ~(LSR_OE | LSR_PE | LSR_FE | LSR_BI);
        break;
    case 6:
        uart_update_msr(s);
        v = s->msr;
        s->msr &= 0xF0;
        break;
    default: return s->scr;
    }
    uart_update_irq(s);
    return v;
}

static uint32_t uart_port_read(void *opaque, uint16_t port, unsigned size)
{
    uart *s = opaque;
    return uart_reg_read(s, (unsigned)(port - s->base) & 7);
}

static void uart_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    uart *s = opaque;
    uart_reg_write(s, (unsigned)(port - s->base) & 7, (uint8_t)value);
}

void uart_reset(uart *s)
{
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = 0;
    s->scr = 0;
    s->fcr = 0;
    s->divisor = 12; /* 9600 baud */
    s->thre_pending = false;
    uart_rx_clear(s);
    s->msr = 0;
    uart_update_msr(s);
    s->msr &= 0xF0; /* no deltas at power-on */
    uart_update_irq(s);
}

static void uart_reset_cb(void *opaque)
{
    uart_reset(opaque);
}

int uart_save(const uart *s, dev_blob *b)
{
    dev_put_header(b, "UART", 1);
    const uint8_t regs[] = {s->ier, s->lcr, s->mcr,     s->lsr,     s->msr,
                            s->scr, s->fcr, s->rx_head, s->rx_count};
    dev_put_bytes(b, regs, sizeof(regs));
    dev_put_u16(b, s->divisor);
    dev_put_bytes(b, s->rx, sizeof(s->rx));
    dev_put_bool(b, s->thre_pending);
    dev_put_bool(b, s->timeout_pending);
    dev_put_bool(b, s->irq_level);
    dev_put_vtimer(b, &s->timeout_timer);
    return b->error;
}

int uart_load(uart *s, dev_blob *b)
{
    if (dev_get_header(b, "UART", 1) < 0)
        return -EINVAL;
    uint8_t regs[9], rx[UART_FIFO_SIZE];
    dev_get_bytes(b, regs, sizeof(regs));
    uint16_t divisor = dev_get_u16(b);
    dev_get_bytes(b, rx, sizeof(rx));
    bool thre = dev_get_bool(b), timeout = dev_get_bool(b), level = dev_get_bool(b);
    if (b->error || regs[7] >= UART_FIFO_SIZE || regs[8] > UART_FIFO_SIZE)
        return -EINVAL;
    s->ier = regs[0] & 0x0F;
    s->lcr = regs[1];
    s->mcr = regs[2] & 0x1F;
    s->lsr = regs[3];
    s->msr = regs[4];
    s->scr = regs[5];
    s->fcr = regs[6] & 0xC1;
    s->rx_head = regs[7];
    s->rx_count = regs[8];
    s->divisor = divisor;
    memcpy(s->rx, rx, sizeof(rx));
    s->thre_pending = thre;
    s->timeout_pending = timeout;
    s->irq_level = level;
    dev_get_vtimer(b, &s->timeout_timer);
    irq_line_set(&s->irq, level);
    uart_update_irq(s);
    return b->error;
}

static int uart_save_cb(void *opaque, dev_blob *b)
{
    return uart_save(opaque, b);
}

static int uart_load_cb(void *opaque, dev_blob *b)
{
    return uart_load(opaque, b);
}

int uart_init(uart *s, const dev_env *env, uint16_t base, irq_line irq, chardev *cd)
{
    memset(s, 0, sizeof(*s));
    s->base = base;
    s->clock = env->clock;
    s->irq = irq;
    s->cd = cd;
    snprintf(s->name, sizeof(s->name), "uart@%x", base);
    s->ops = (dev_ops){s->name, uart_reset_cb, uart_save_cb, uart_load_cb};
    vtimer_init(&s->timeout_timer, env->clock, uart_timeout_cb, s);
    uart_reset(s);
    dev_port_range ports[] = {{base, 8, uart_port_read, uart_port_write}};
    int r = dev_register(env, ports, 1, &s->ops, s);
    if (r < 0)
        return r;
    if (cd) {
        chardev_frontend fe = {uart_can_receive, uart_receive, s};
        chardev_set_frontend(cd, &fe);
    }
    return 0;
}

void uart_fini(uart *s, const dev_env *env)
{
    vtimer_del(&s->timeout_timer);
    if (s->cd)
        chardev_set_frontend(s->cd, NULL);
    dev_port_range ports[] = {{s->base, 8, uart_port_read, uart_port_write}};
    dev_unregister(env, ports, 1, s);
}

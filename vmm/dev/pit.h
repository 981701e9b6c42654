/* The 8254 programmable interval timer: three counters at ports 0x40-0x42, the control
 * word at 0x43, and port 0x61 (system control port B: counter 2 gate, speaker enable,
 * refresh toggle, counter 2 output). Counter 0 drives IRQ 0.
 *
 * Counters are not ticked: each one remembers when it started counting, and its value and
 * output are computed from the guest time elapsed since then (1.193182 MHz input clock).
 * Counter 0 arms one virtual-clock timer for its next output edge. */
#ifndef VIREO_VMM_DEV_PIT_H
#define VIREO_VMM_DEV_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"

#define PIT_HZ 1193182u

typedef struct pit_channel {
    uint16_t reload; /* count as written (0 = 65536, or 10000 in BCD) */
    uint8_t mode;    /* 0-5 (6, 7 are stored as 2, 3) */
    uint8_t rw;      /* 1: LSB only, 2: MSB only, 3: LSB then MSB */
    bool bcd;
    bool gate;
    bool counting;       /* count loaded (and, in modes 1 and 5, triggered) */
    bool loaded;         /* a count was written since the control word */
    bool null_count;     /* status bit 6: count written but not yet loaded */
    bool write_msb_next; /* rw=3 write flip-flop */
    bool read_msb_next;  /* rw=3 read flip-flop */
    uint8_t write_lsb;   /* first byte of an rw=3 write */
    bool count_latched;
    uint16_t latch; /* latched count */
    bool status_latched;
    uint8_t status;     /* latched status */
    uint64_t acc_ticks; /* input clocks counted before run_start */
    uint64_t run_start; /* guest ns the current run began */
    bool irq_level;     /* counter 0: level last driven on IRQ 0 */
    vtimer timer;       /* counter 0: next output edge */
} pit_channel;

typedef struct pit {
    pit_channel ch[3];
    bool speaker_data; /* port 0x61 bit 1 */
    vclock *clock;
    irq_line irq0;
} pit;

/* Registers ports 0x40-0x43 and 0x61. Returns 0 or -errno. */
int pit_init(pit *s, const dev_env *env, irq_line irq0);
void pit_fini(pit *s, const dev_env *env);
void pit_reset(pit *s);

/* Gate input of counter n (counter 2's gate is also port 0x61 bit 0). */
void pit_set_gate(pit *s, int n, bool level);
/* Current count and output of counter n, as the guest would read them. */
uint16_t pit_get_count(pit *s, int n);
bool pit_get_out(pit *s, int n);

int pit_save(const pit *s, dev_blob *b);
int pit_load(pit *s, dev_blob *b);

#endif

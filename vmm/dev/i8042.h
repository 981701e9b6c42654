/* The i8042 keyboard controller at ports 0x60 (data) and 0x64 (status/command), with a
 * PS/2 keyboard on its first port (IRQ 1) and a PS/2 mouse on the auxiliary port (IRQ 12).
 * Its output port carries gate A20 (bit 1) and the CPU reset line (bit 0, active low;
 * commands 0xF0-0xFF pulse it), both reported to the machine. With command-byte bit 6 set
 * the controller translates the keyboard's set-2 codes to set 1, as PCs do. */
#ifndef VIREO_VMM_DEV_I8042_H
#define VIREO_VMM_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"
#include "vmm/dev/ps2.h"

typedef struct i8042 {
    uint8_t ram[32];                      /* ram[0] is the command byte */
    uint8_t outport;                      /* bit 0 reset (1 = running), bit 1 A20 */
    uint8_t pending;                      /* command waiting for a data byte on port 0x60, or 0 */
    uint8_t out;                          /* output buffer */
    bool obf;                             /* output buffer full */
    bool out_aux;                         /* ... with a byte from the mouse side */
    bool last_cmd;                        /* status bit 3: last write went to port 0x64 */
    bool xlat_break;                      /* translating: an F0 prefix was swallowed */
    ps2_queue ctrl;                       /* controller replies, ahead of device bytes */
    uint8_t ctrl_aux[PS2_QUEUE_SIZE / 8]; /* per ctrl entry: 1 = deliver as mouse data */
    bool irq1_level, irq12_level;
    ps2_kbd kbd;
    ps2_mouse mouse;
    irq_line irq1, irq12;
    dev_machine_cb machine;
} i8042;

/* Registers ports 0x60 and 0x64. Reset leaves A20 enabled (announced through set_a20).
 * Returns 0 or -errno. */
int i8042_init(i8042 *s, const dev_env *env, irq_line irq1, irq_line irq12, dev_machine_cb machine);
void i8042_fini(i8042 *s, const dev_env *env);
void i8042_reset(i8042 *s);

/* Host input. */
void i8042_put_scancode(i8042 *s, uint8_t set2_code);
void i8042_mouse_event(i8042 *s, int dx, int dy, int dz, uint8_t buttons);

int i8042_save(const i8042 *s, dev_blob *b);
int i8042_load(i8042 *s, dev_blob *b);

#endif

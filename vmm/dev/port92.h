/* System control port A (0x92): "fast A20" (bit 1) and "fast reset" (bit 0, a 0->1 write
 * resets the CPU). */
#ifndef VIREO_VMM_DEV_PORT92_H
#define VIREO_VMM_DEV_PORT92_H

#include <stdint.h>

#include "vmm/dev/devreg.h"

typedef struct port92 {
    uint8_t value; /* bit 1: A20 enabled; bit 0 reads back as written until reset */
    dev_machine_cb cb;
} port92;

int port92_init(port92 *s, const dev_env *env, dev_machine_cb cb);
void port92_fini(port92 *s, const dev_env *env);
void port92_reset(port92 *s);
int port92_save(const port92 *s, dev_blob *b);
int port92_load(port92 *s, dev_blob *b);

#endif

/* Debug ports: 0x402 (SeaBIOS's debug output) and 0xE9 (the Bochs/QEMU debug console)
 * pass each byte written to a log callback and read back 0xE9 so software can detect them;
 * 0xF4 ends the VM like QEMU's isa-debug-exit: writing v exits with code (v << 1) | 1. */
#ifndef VIREO_VMM_DEV_DEBUGPORT_H
#define VIREO_VMM_DEV_DEBUGPORT_H

#include <stdint.h>

#include "vmm/dev/devreg.h"

typedef struct debugport {
    void (*log)(void *opaque, uint16_t port, uint8_t byte);
    void (*exit)(void *opaque, int code);
    void *opaque;
} debugport;

int debugport_init(debugport *s, const dev_env *env,
                   void (*log)(void *opaque, uint16_t port, uint8_t byte),
                   void (*exit)(void *opaque, int code), void *opaque);
void debugport_fini(debugport *s, const dev_env *env);

#endif

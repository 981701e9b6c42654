/* Guest RAM: one anonymous shared mapping backed by a memfd, so the same pages can later be
 * shared with a snapshot writer or a second mapping without copying. */
#ifndef VIREO_KERNEL_GUEST_RAM_H
#define VIREO_KERNEL_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

typedef struct guest_ram {
    uint8_t *host; /* start of the mapping */
    size_t size;   /* bytes, a multiple of the page size */
    int fd;        /* the memfd, -1 when allocated without one */
} guest_ram;

/* Allocate `size` bytes of zeroed guest RAM (rounded up to 4 KiB).
 * Returns 0, or a negative errno (-ENOMEM, -EINVAL for size 0). */
int guest_ram_alloc(guest_ram *ret_ram, size_t size);
/* Unmap and close; accepts a zeroed or already-freed struct. */
void guest_ram_free(guest_ram *ram);

#endif

/* Guest RAM allocation through memfd_create + mmap(MAP_SHARED). */
#define _GNU_SOURCE
#include "kernel/guest_ram.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int guest_ram_alloc(guest_ram *ret_ram, size_t size)
{
    if (size == 0)
        return -EINVAL;
    size = (size + 4095) & ~(size_t)4095;
    int fd = memfd_create("vireo-guest-ram", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int e = -errno;
        close(fd);
        return e;
    }
    ret_ram->host = p;
    ret_ram->size = size;
    ret_ram->fd = fd;
    return 0;
}

void guest_ram_free(guest_ram *ram)
{
    if (!ram)
        return;
    if (ram->host)
        munmap(ram->host, ram->size);
    if (ram->fd >= 0 && ram->host)
        close(ram->fd);
    ram->host = NULL;
    ram->size = 0;
    ram->fd = -1;
}

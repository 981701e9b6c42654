/* libFuzzer target for the VDI parser: every input is a whole image file. Opening must
 * fail cleanly or give an image whose reads stay in bounds; the checker must not crash. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/storage/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("vdi-fuzz", 0);
        if (fd < 0)
            return 0;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    img_check_report rep;
    img_check_path(path, IMG_FORMAT_VDI, &rep, NULL);
    img *im = NULL;
    if (img_open(path, IMG_FORMAT_VDI, 0, NULL, &im, NULL) == 0) {
        uint8_t buf[4096];
        uint64_t n = img_size(im);
        for (uint64_t off = 0; off < n && off < (64u << 20); off += 1u << 20)
            img_read(im, off, buf, n - off < sizeof(buf) ? (size_t)(n - off) : sizeof(buf));
        img_close(im);
    }
    return 0;
}

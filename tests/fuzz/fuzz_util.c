/* Helpers shared by the harnesses (fuzz.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

int fuzz_memfile(const uint8_t *data, size_t size, char *ret_path, size_t path_size)
{
    int fd = memfd_create("vireo-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        done += (size_t)n;
    }
    snprintf(ret_path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

void fuzz_quiet(void (*fn)(void *opaque), void *opaque)
{
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("VIREO_FUZZ_VERBOSE");
        verbose = v && *v == '1';
    }
    if (verbose) { /* a crash inside fn: let the sanitizer's report through */
        fn(opaque);
        return;
    }
    fflush(stderr);
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, 2);
    fn(opaque);
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (null >= 0)
        close(null);
}

/* Machine configuration checks and boot images: everything that can be wrong with what the
 * user asked for is found here, before the machine is built. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/boot/bios.h"
#include "vmm/boot/linux.h"
#include "vmm/boot/multiboot.h"
#include "vmm/pc/pc.h"
#include "vmm/pc/pc_files.h"

#define KERNEL_MAX_SIZE (256u << 20)

void pc_set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || !err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static int parse_port(const char *s, uint16_t *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535)
        return -EINVAL;
    *ret = (uint16_t)v;
    return 0;
}

static int parse_path(const char *kind, const char *path, pc_serial_spec *spec, char *err,
                      size_t err_size)
{
    if (!*path || strlen(path) >= sizeof(spec->path)) {
        pc_set_err(err, err_size, "serial %s: needs a path (at most %zu bytes)", kind,
                   sizeof(spec->path) - 1);
        return -EINVAL;
    }
    strcpy(spec->path, path);
    return 0;
}

int pc_serial_parse(const char *text, pc_serial_spec *ret_spec, char *err, size_t err_size)
{
    pc_serial_spec spec = {0};
    int r = 0;
    if (!strcmp(text, "none"))
        spec.kind = PC_SERIAL_NONE;
    else if (!strcmp(text, "stdio"))
        spec.kind = PC_SERIAL_STDIO;
    else if (!strcmp(text, "pty"))
        spec.kind = PC_SERIAL_PTY;
    else if (!strncmp(text, "file:", 5)) {
        spec.kind = PC_SERIAL_FILE;
        r = parse_path("file", text + 5, &spec, err, err_size);
    } else if (!strncmp(text, "unix:", 5)) {
        spec.kind = PC_SERIAL_UNIX;
        r = parse_path("unix", text + 5, &spec, err, err_size);
    } else if (!strncmp(text, "tcp:", 4)) {
        spec.kind = PC_SERIAL_TCP;
        if (parse_port(text + 4, &spec.port) < 0) {
            pc_set_err(err, err_size, "serial tcp: '%s' is not a port number (1-65535)", text + 4);
            r = -EINVAL;
        }
    } else {
        pc_set_err(err, err_size,
                   "serial '%s': expected none, stdio, file:PATH, pty, unix:PATH or tcp:PORT",
                   text);
        r = -EINVAL;
    }
    if (r == 0)
        *ret_spec = spec;
    return r;
}

/* Read a whole regular file of at most max bytes. */
int pc_read_file(const char *what, const char *path, size_t max, uint8_t **ret_data,
                 size_t *ret_size, char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        pc_set_err(err, err_size, "%s '%s': %s", what, path, strerror(e));
        return -e;
    }
    struct stat st;
    int r = 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        pc_set_err(err, err_size, "%s '%s': not a regular file", what, path);
        r = -EINVAL;
    } else if (st.st_size == 0) {
        pc_set_err(err, err_size, "%s '%s': the file is empty", what, path);
        r = -EINVAL;
    } else if ((uint64_t)st.st_size > max) {
        pc_set_err(err, err_size, "%s '%s': %lld bytes, more than the %zu MiB allowed", what, path,
                   (long long)st.st_size, max >> 20);
        r = -EFBIG;
    }
    uint8_t *data = r == 0 ? malloc((size_t)st.st_size) : NULL;
    if (r == 0 && !data)
        r = -ENOMEM;
    size_t done = 0;
    while (r == 0 && done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n <= 0) {
            pc_set_err(err, err_size, "%s '%s': read error", what, path);
            r = -EIO;
        }
        done += n > 0 ? (size_t)n : 0;
    }
    close(fd);
    if (r < 0) {
        free(data);
        return r;
    }
    *ret_data = data;
    *ret_size = done;
    return 0;
}

static int check_options(const pc_config *cfg, char *err, size_t err_size)
{
    if (cfg->memory_mb < PC_MEM_MIN_MB || cfg->memory_mb > PC_MEM_MAX_MB) {
        pc_set_err(err, err_size, "memory size %u MiB is out of range (%u to %u MiB)",
                   cfg->memory_mb, PC_MEM_MIN_MB, PC_MEM_MAX_MB);
        return -ERANGE;
    }
    if (cfg->kernel && cfg->multiboot) {
        pc_set_err(err, err_size, "give either a Linux kernel or a Multiboot kernel, not both");
        return -EINVAL;
    }
    if ((cfg->kernel || cfg->multiboot) && cfg->bios) {
        pc_set_err(err, err_size,
                   "a BIOS cannot be combined with a kernel: direct boot runs "
                   "no BIOS");
        return -EINVAL;
    }
    if (!cfg->kernel && (cfg->initrd || cfg->append)) {
        pc_set_err(err, err_size, "an initrd or a command line needs a Linux kernel (--kernel)");
        return -EINVAL;
    }
    return 0;
}

/* The direct-boot plan must succeed now, so that a bad kernel or initrd stops us early. */
static int check_linux(const pc_config *cfg, const pc_images *im, char *err, size_t err_size)
{
    char why[256];
    linux_setup_info info;
    linux_layout lay;
    linux_config lc = {.ram_size = cfg->memory_mb << 20,
                       .cmdline = cfg->append,
                       .initrd = im->initrd,
                       .initrd_size = im->initrd_size};
    int r = linux_parse(im->kernel, im->kernel_size, &info, why, sizeof(why));
    if (r == 0)
        r = linux_plan(&info, &lc, &lay, why, sizeof(why));
    if (r < 0)
        pc_set_err(err, err_size, "kernel '%s': %s", cfg->kernel, why);
    return r;
}

static int check_multiboot(const pc_config *cfg, const pc_images *im, char *err, size_t err_size)
{
    char why[256];
    multiboot_plan plan;
    int r = multiboot_parse(im->multiboot, im->multiboot_size, cfg->memory_mb << 20, &plan, why,
                            sizeof(why));
    if (r < 0)
        pc_set_err(err, err_size, "multiboot kernel '%s': %s", cfg->multiboot, why);
    return r;
}

static int check_bios(const char *path, const pc_images *im, char *err, size_t err_size)
{
    char why[256];
    bios_image b;
    int r = bios_image_init(&b, im->bios, im->bios_size, why, sizeof(why));
    if (r < 0) {
        pc_set_err(err, err_size, "BIOS '%s': %s", path, why);
        return r;
    }
    bios_image_fini(&b);
    return 0;
}

static int load_files(const pc_config *cfg, pc_images *im, char *err, size_t err_size)
{
    size_t ram = (size_t)cfg->memory_mb << 20;
    int r = 0;
    if (cfg->kernel)
        r = pc_read_file("kernel", cfg->kernel, KERNEL_MAX_SIZE, &im->kernel, &im->kernel_size, err,
                         err_size);
    if (r == 0 && cfg->initrd)
        r = pc_read_file("initrd", cfg->initrd, ram, &im->initrd, &im->initrd_size, err, err_size);
    if (r == 0 && cfg->multiboot)
        r = pc_read_file("multiboot kernel", cfg->multiboot, ram, &im->multiboot,
                         &im->multiboot_size, err, err_size);
    const char *bios = pc_bios_path(cfg);
    if (r == 0 && bios)
        r = pc_read_file("BIOS", bios, BIOS_MAX_SIZE, &im->bios, &im->bios_size, err, err_size);
    return r;
}

const char *pc_bios_path(const pc_config *cfg)
{
    if (cfg->kernel || cfg->multiboot)
        return NULL;
    return cfg->bios ? cfg->bios : BIOS_DEFAULT_PATH;
}

int pc_images_load(const pc_config *cfg, pc_images *ret_images, char *err, size_t err_size)
{
    pc_images im = {0};
    int r = check_options(cfg, err, err_size);
    if (r == 0)
        r = load_files(cfg, &im, err, err_size);
    if (r == 0 && cfg->kernel)
        r = check_linux(cfg, &im, err, err_size);
    if (r == 0 && cfg->multiboot)
        r = check_multiboot(cfg, &im, err, err_size);
    if (r == 0 && im.bios)
        r = check_bios(pc_bios_path(cfg), &im, err, err_size);
    if (r < 0) {
        pc_images_free(&im);
        return r;
    }
    *ret_images = im;
    return 0;
}

void pc_images_free(pc_images *images)
{
    free(images->kernel);
    free(images->initrd);
    free(images->multiboot);
    free(images->bios);
    memset(images, 0, sizeof(*images));
}

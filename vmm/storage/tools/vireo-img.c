/* vireo-img: a small command line over vmm/storage for tests and debugging.
 *   vireo-img create [-f vdi|raw] [--fixed] [-p PARENT]... FILE [SIZE]
 *   vireo-img info [-p PARENT]... FILE
 *   vireo-img check FILE                (exit 0 clean, 2 corrupt, 3 leaks only)
 *   vireo-img convert [-p PARENT]... FILE OUT.raw
 *   vireo-img import [-f vdi|raw] [--fixed] IN.raw OUT   (a new image with IN's bytes)
 *   vireo-img resize FILE SIZE | compact FILE | merge [-p PARENT]... CHILD
 * SIZE takes K, M, G suffixes. -p lists a differencing image's ancestors, base first. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/storage/image.h"

#define MAX_PARENTS 16

typedef struct opts {
    img_format fmt;
    img_variant variant;
    const char *parents[MAX_PARENTS];
    int nparents;
    const char *args[3];
    int nargs;
} opts;

static int usage(void)
{
    fprintf(stderr, "usage: vireo-img create|info|check|convert|import|resize|compact|merge ... "
                    "(see the source header)\n");
    return 1;
}

static int parse_size(const char *s, uint64_t *ret)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    else if (*end)
        return -EINVAL;
    *ret = (uint64_t)v << shift;
    return 0;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            i++;
            o->fmt = !strcmp(argv[i], "raw") ? IMG_FORMAT_RAW : IMG_FORMAT_VDI;
        } else if (!strcmp(argv[i], "--fixed")) {
            o->variant = IMG_VARIANT_FIXED;
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc && o->nparents < MAX_PARENTS) {
            o->parents[o->nparents++] = argv[++i];
        } else if (o->nargs < 3) {
            o->args[o->nargs++] = argv[i];
        } else {
            return -EINVAL;
        }
    }
    return 0;
}

/* Open the ancestors base first, then `path`; returns the top image or NULL. */
static img *open_chain(const opts *o, const char *path, unsigned flags, bool parent_rw)
{
    img *parent = NULL;
    img_err err;
    for (int i = 0; i <= o->nparents; i++) {
        const char *p = i < o->nparents ? o->parents[i] : path;
        unsigned f =
            i < o->nparents ? (parent_rw && i == o->nparents - 1 ? IMG_OPEN_RDWR : 0) : flags;
        img *im = NULL;
        int r = img_open(p, IMG_FORMAT_AUTO, f, parent, &im, &err);
        img_close(parent);
        if (r < 0) {
            fprintf(stderr, "vireo-img: %s: %s\n", p, err.msg);
            return NULL;
        }
        parent = im;
    }
    return parent;
}

static int cmd_create(const opts *o)
{
    uint64_t size = 0;
    if (o->nargs < 1 || (o->nparents == 0 && (o->nargs < 2 || parse_size(o->args[1], &size) < 0)))
        return usage();
    opts up = *o; /* the direct parent is the top of the chain of its ancestors */
    up.nparents = o->nparents ? o->nparents - 1 : 0;
    img *parent = o->nparents ? open_chain(&up, o->parents[o->nparents - 1], 0, false) : NULL;
    if (o->nparents && !parent)
        return 1;
    img_err err;
    int r = img_create(o->args[0], o->fmt ? o->fmt : IMG_FORMAT_VDI, size, o->variant, parent, NULL,
                       &err);
    img_close(parent);
    if (r < 0) {
        fprintf(stderr, "vireo-img: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static const char *format_name(img_format f)
{
    return f == IMG_FORMAT_VDI ? "vdi" : f == IMG_FORMAT_ISO ? "iso" : "raw";
}

static int cmd_info(const opts *o)
{
    if (o->nargs != 1)
        return usage();
    img *im = open_chain(o, o->args[0], 0, false);
    if (!im)
        return 1;
    img_info info;
    img_get_info(im, &info);
    static const char *variants[] = {"dynamic", "fixed", "differencing"};
    printf("format: %s\nvariant: %s\nsize: %llu\nfile size: %llu\n", format_name(info.format),
           variants[info.variant], (unsigned long long)info.size,
           (unsigned long long)info.file_size);
    if (info.format == IMG_FORMAT_VDI) {
        char u[37], p[37];
        img_uuid_format(info.uuid, u);
        img_uuid_format(info.parent_uuid, p);
        printf("block size: %u\nblocks: %u\nblocks allocated: %u\nuuid: %s\nparent uuid: %s\n",
               info.block_size, info.blocks, info.blocks_allocated, u, p);
    }
    img_close(im);
    return 0;
}

static int cmd_check(const opts *o)
{
    if (o->nargs != 1)
        return usage();
    img_check_report rep;
    img_err err;
    if (img_check_path(o->args[0], IMG_FORMAT_AUTO, &rep, &err) < 0) {
        fprintf(stderr, "vireo-img: %s\n", err.msg);
        return 1;
    }
    fputs(rep.text, stdout);
    printf("%u corruptions, %u leaks, %u repairable\n", rep.corruptions, rep.leaks, rep.repairable);
    return rep.corruptions ? 2 : rep.leaks ? 3 : 0;
}

static int cmd_convert(const opts *o)
{
    if (o->nargs != 2)
        return usage();
    img *im = open_chain(o, o->args[0], 0, false);
    if (!im)
        return 1;
    int fd = open(o->args[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static uint8_t buf[1 << 20];
    int r = fd < 0 ? -errno : 0;
    for (uint64_t off = 0; r == 0 && off < img_size(im); off += sizeof(buf)) {
        size_t n = img_size(im) - off < sizeof(buf) ? (size_t)(img_size(im) - off) : sizeof(buf);
        r = img_read(im, off, buf, n);
        if (r == 0 && pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
            r = -EIO;
    }
    if (fd >= 0)
        close(fd);
    img_close(im);
    if (r < 0)
        fprintf(stderr, "vireo-img: convert: %s\n", strerror(-r));
    return r < 0;
}

static int cmd_import(const opts *o)
{
    if (o->nargs != 2)
        return usage();
    int fd = open(o->args[0], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "vireo-img: %s: %s\n", o->args[0], strerror(errno));
        return 1;
    }
    off_t len = lseek(fd, 0, SEEK_END);
    uint64_t size = ((uint64_t)len + 511) & ~511ull;
    img *im = NULL;
    img_err err;
    if (len <= 0 || img_create(o->args[1], o->fmt ? o->fmt : IMG_FORMAT_VDI, size, o->variant, NULL,
                               &im, &err) < 0) {
        fprintf(stderr, "vireo-img: %s\n", len <= 0 ? "empty input" : err.msg);
        close(fd);
        return 1;
    }
    static uint8_t buf[1 << 20];
    int r = 0;
    for (uint64_t off = 0; r == 0 && off < size; off += sizeof(buf)) {
        size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
        memset(buf, 0, n);
        if (pread(fd, buf, n, (off_t)off) < 0)
            r = -errno;
        else
            r = img_write(im, off, buf, n); /* zero blocks stay unallocated */
    }
    close(fd);
    img_close(im);
    if (r < 0)
        fprintf(stderr, "vireo-img: import: %s\n", strerror(-r));
    return r < 0;
}

static int cmd_maint(const char *cmd, const opts *o)
{
    uint64_t size = 0;
    if (o->nargs < 1 ||
        (!strcmp(cmd, "resize") && (o->nargs != 2 || parse_size(o->args[1], &size))))
        return usage();
    bool merge = !strcmp(cmd, "merge");
    img *im = open_chain(o, o->args[0], merge ? 0 : IMG_OPEN_RDWR, merge);
    if (!im)
        return 1;
    img_err err;
    int r = !strcmp(cmd, "resize")    ? img_resize(im, size, &err)
            : !strcmp(cmd, "compact") ? img_compact(im, &err)
                                      : img_merge(im, &err);
    img_close(im);
    if (r < 0)
        fprintf(stderr, "vireo-img: %s\n", err.msg);
    return r < 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (argc < 2 || parse_opts(argc, argv, &o) < 0)
        return usage();
    const char *cmd = argv[1];
    if (!strcmp(cmd, "create"))
        return cmd_create(&o);
    if (!strcmp(cmd, "info"))
        return cmd_info(&o);
    if (!strcmp(cmd, "check"))
        return cmd_check(&o);
    if (!strcmp(cmd, "convert"))
        return cmd_convert(&o);
    if (!strcmp(cmd, "import"))
        return cmd_import(&o);
    if (!strcmp(cmd, "resize") || !strcmp(cmd, "compact") || !strcmp(cmd, "merge"))
        return cmd_maint(cmd, &o);
    return usage();
}

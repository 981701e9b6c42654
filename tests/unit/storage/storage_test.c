/* Helpers shared by the image tests. */
#include "storage_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#ifndef QEMU_IMG
#define QEMU_IMG ""
#endif

static char st_dirs[64][64];
static int st_ndirs;

static void st_cleanup(void)
{
    for (int i = 0; i < st_ndirs && i < 64; i++) {
        char cmd[200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%.63s'", st_dirs[i]);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", st_dirs[i]);
    }
}

const char *st_tmpdir(void)
{
    ck_assert_int_lt(st_ndirs, 64);
    if (st_ndirs == 0)
        atexit(st_cleanup);
    char *d = st_dirs[st_ndirs++];
    snprintf(d, 64, "/tmp/vireo-storage-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

const char *st_path(const char *dir, const char *name)
{
    static char bufs[16][256];
    static int n;
    char *b = bufs[n++ % 16];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

void st_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;
        buf[i] = (uint8_t)((x >> 29) ^ (x >> 47) ^ 1);
    }
}

int st_run(const char *cmd, char *out, size_t outlen)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    size_t n = 0;
    char tmp[512];
    size_t got;
    while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (out && n + 1 < outlen) {
            size_t c = got < outlen - n - 1 ? got : outlen - n - 1;
            memcpy(out + n, tmp, c);
            n += c;
        }
    }
    if (out && outlen)
        out[n] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

uint8_t *st_read_file(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *ret_len = (size_t)len;
    return buf;
}

int st_have_qemu_img(void)
{
    return QEMU_IMG[0] != 0;
}

void st_qemu_check(const char *path)
{
    if (!st_have_qemu_img())
        return;
    char cmd[600], out[4096];
    snprintf(cmd, sizeof(cmd), "%s check -f vdi '%s' 2>&1", QEMU_IMG, path);
    int st = st_run(cmd, out, sizeof(out));
    ck_assert_msg(st == 0, "qemu-img check %s: status %d: %s", path, st, out);
}

void st_qemu_compare(const char *path, const uint8_t *expect, size_t len)
{
    if (!st_have_qemu_img())
        return;
    char raw[300], cmd[800], out[2048];
    snprintf(raw, sizeof(raw), "%s.qemu.raw", path);
    snprintf(cmd, sizeof(cmd), "%s convert -f vdi -O raw '%s' '%s' 2>&1", QEMU_IMG, path, raw);
    ck_assert_msg(st_run(cmd, out, sizeof(out)) == 0, "qemu-img convert: %s", out);
    size_t got_len;
    uint8_t *got = st_read_file(raw, &got_len);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got_len, len);
    for (size_t i = 0; i < len; i++)
        if (got[i] != expect[i])
            ck_abort_msg("qemu-img sees byte %zu as %02x, expected %02x", i, got[i], expect[i]);
    free(got);
    remove(raw);
}

img *st_open(const char *path, unsigned flags, img *parent)
{
    img *im = NULL;
    img_err err = {{0}};
    int r = img_open(path, IMG_FORMAT_AUTO, flags, parent, &im, &err);
    ck_assert_msg(r == 0, "open %s: %d %s", path, r, err.msg);
    return im;
}

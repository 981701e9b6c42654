/* Crash-safe settings files: atomic replace with a -prev backup, and recovering load. */
#include "svc/atomic.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *companion(const char *path, const char *suffix)
{
    char *s = NULL;
    if (asprintf(&s, "%s%s", path, suffix) < 0)
        return NULL;
    return s;
}

/* FileError when a file cannot be opened, created or renamed; IOError when reading or
 * writing an open file fails (the IDL's distinction). */
static int file_error(svc_error **errp, int err, const char *what, const char *path)
{
    enum svc_result code = SVC_E_FILE_ERROR;
    if (strncmp(what, "cannot read", 11) == 0 || strncmp(what, "cannot write", 12) == 0 ||
        strncmp(what, "cannot sync", 11) == 0)
        code = SVC_E_IO_ERROR;
    return svc_error_set(errp, -err, code, "%s %s: %s", what, path, strerror(err));
}

int svc_file_read(const char *path, char **ret_data, size_t *ret_len, svc_error **errp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return file_error(errp, errno, "cannot open", path);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SVC_FILE_MAX_BYTES) {
        int e = errno;
        close(fd);
        if (!S_ISREG(st.st_mode))
            return svc_error_set(errp, -EINVAL, SVC_E_FILE_ERROR, "%s: not a regular file", path);
        if (e == 0 || (uint64_t)st.st_size > SVC_FILE_MAX_BYTES)
            return svc_error_set(errp, -EFBIG, SVC_E_FILE_ERROR, "%s: larger than %u bytes", path,
                                 SVC_FILE_MAX_BYTES);
        return file_error(errp, e, "cannot stat", path);
    }
    size_t cap = (size_t)st.st_size, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return file_error(errp, e, "cannot read", path);
        }
        len += (size_t)n;
        if (n == 0 || len == cap)
            break;
    }
    close(fd);
    buf[len] = '\0';
    *ret_data = buf;
    *ret_len = len;
    return 0;
}

int svc_fsync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -errno;
    int r = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write and fsync "<path>-tmp". */
static int write_tmp(const char *tmp, const char *data, size_t len, mode_t mode, svc_error **errp)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return file_error(errp, errno, "cannot create", tmp);
    int r = fchmod(fd, mode) < 0 ? -errno : 0;
    if (r == 0)
        r = write_all(fd, data, len);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return file_error(errp, -r, "cannot write", tmp);
    }
    return 0;
}

/* Give the current file the second name "-prev" (see the header for the crash argument). */
static int keep_prev(const char *path, const char *prev, svc_error **errp)
{
    if (access(path, F_OK) < 0)
        return 0;
    if (unlink(prev) < 0 && errno != ENOENT)
        return file_error(errp, errno, "cannot remove", prev);
    if (link(path, prev) == 0)
        return 0;
    if (rename(path, prev) < 0)
        return file_error(errp, errno, "cannot rename", path);
    return 0;
}

int svc_atomic_write(const char *path, const char *data, size_t len, mode_t mode, svc_error **errp)
{
    char *tmp = companion(path, "-tmp"), *prev = companion(path, "-prev");
    int r;
    if (!tmp || !prev) {
        r = svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
        goto out;
    }
    r = write_tmp(tmp, data, len, mode, errp);
    if (r == 0)
        r = keep_prev(path, prev, errp);
    if (r == 0 && rename(tmp, path) < 0)
        r = file_error(errp, errno, "cannot rename into", path);
    if (r == 0) {
        int d = svc_fsync_parent(path);
        if (d < 0)
            r = file_error(errp, -d, "cannot sync the folder of", path);
    }
out:
    free(tmp);
    free(prev);
    return r;
}

/* Try one candidate: read it and feed it to fn. On success *ret_data holds its bytes. */
static int try_candidate(const char *name, svc_load_fn fn, void *ctx, char **ret_data,
                         size_t *ret_len, svc_error **errp)
{
    char *data = NULL;
    size_t len = 0;
    int r = svc_file_read(name, &data, &len, errp);
    if (r == 0)
        r = fn(name, data, len, ctx, errp);
    if (r < 0) {
        free(data);
        return r;
    }
    *ret_data = data;
    *ret_len = len;
    return 0;
}

/* Put recovered content back in place. A broken main file is kept as "-broken" (it may hold
 * hand edits worth saving); the -prev backup is left alone. */
static int restore_main(const char *path, bool main_exists, const char *data, size_t len,
                        svc_error **errp)
{
    char *tmp = companion(path, "-tmp"), *broken = companion(path, "-broken");
    int r = (!tmp || !broken) ? -ENOMEM : 0;
    if (r == 0 && main_exists && rename(path, broken) < 0)
        r = file_error(errp, errno, "cannot rename", path);
    if (r == 0)
        r = write_tmp(tmp, data, len, 0600, errp);
    if (r == 0 && rename(tmp, path) < 0)
        r = file_error(errp, errno, "cannot rename into", path);
    if (r == 0)
        svc_fsync_parent(path);
    free(tmp);
    free(broken);
    return r;
}

static char *recovery_note(const char *path, const char *from, const svc_error *main_err,
                           bool main_exists, bool restored)
{
    char *note = NULL, *kept = NULL;
    if (main_exists && asprintf(&kept, "; the broken file is kept as %s-broken", path) < 0)
        return NULL;
    int n = asprintf(&note, "%s was %s (%s); recovered from %s%s%s", path,
                     main_exists ? "unreadable" : "missing",
                     main_err ? main_err->message : "unknown error", from, kept ? kept : "",
                     restored ? "" : "; writing it back failed");
    free(kept);
    return n < 0 ? NULL : note;
}

int svc_atomic_load(const char *path, svc_load_fn fn, void *ctx, char **ret_note, svc_error **errp)
{
    svc_error *main_err = NULL;
    char *data = NULL;
    size_t len = 0;
    *ret_note = NULL;
    int r = try_candidate(path, fn, ctx, &data, &len, &main_err);
    char *tmp = companion(path, "-tmp"), *prev = companion(path, "-prev");
    if (r == 0) {
        if (tmp)
            unlink(tmp); /* an interrupted write that never took effect */
        goto out;
    }
    bool main_exists = access(path, F_OK) == 0;
    const char *cands[2] = {tmp, prev};
    for (int i = 0; i < 2 && r < 0; i++) {
        if (!cands[i] || access(cands[i], F_OK) < 0)
            continue;
        r = try_candidate(cands[i], fn, ctx, &data, &len, NULL);
        if (r == 0) {
            bool restored = restore_main(path, main_exists, data, len, NULL) == 0;
            *ret_note = recovery_note(path, cands[i], main_err, main_exists, restored);
        }
    }
    if (r < 0) {
        svc_error_propagate(errp, main_err);
        main_err = NULL;
    }
out:
    svc_error_free(main_err);
    free(data);
    free(tmp);
    free(prev);
    return r;
}

int svc_atomic_remove(const char *path, svc_error **errp)
{
    static const char *const suffixes[] = {"", "-prev", "-tmp", "-broken"};
    int first = 0;
    for (unsigned i = 0; i < 4; i++) {
        char *name = companion(path, suffixes[i]);
        if (!name)
            return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
        if (unlink(name) < 0 && errno != ENOENT && first == 0)
            first = file_error(errp, errno, "cannot remove", name);
        free(name);
    }
    return first;
}

/* A machine's files and folders. */
#include "svc/machine_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc/atomic.h"
#include "svc/home.h"
#include "svc/machine_xml.h"

char *svc_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

char *svc_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strdup(slash ? slash + 1 : path);
}

char *svc_path_join(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return NULL;
    return p;
}

char *svc_machine_files_default_path(const char *machine_folder, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s/%s%s", machine_folder, name, name, SVC_MACHINE_FILE_SUFFIX) < 0)
        return NULL;
    return p;
}

static int oom(svc_error **errp)
{
    return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
}

int svc_machine_files_create(const char *settings_path, svc_error **errp)
{
    char *dir = svc_path_dirname(settings_path);
    if (!dir)
        return oom(errp);
    int r = svc_mkdir_p(dir, 0700);
    static const char *const subs[] = {"Logs", "Snapshots"};
    for (unsigned i = 0; i < 2 && r == 0; i++) {
        char *sub = svc_path_join(dir, subs[i]);
        if (!sub)
            r = -ENOMEM;
        else if (mkdir(sub, 0700) < 0 && errno != EEXIST)
            r = -errno;
        free(sub);
    }
    if (r < 0)
        svc_error_set(errp, r, SVC_E_FILE_ERROR, "cannot create the machine folder %s: %s", dir,
                      strerror(-r));
    free(dir);
    return r;
}

/* Rename the settings file inside folder `dir` from old_name.vireo to new_name.vireo,
 * carrying the -prev backup along. */
static int rename_file(const char *dir, const char *old_name, const char *new_name,
                       svc_error **errp)
{
    char *from = NULL, *to = NULL, *from_prev = NULL, *to_prev = NULL;
    int r = 0;
    if (asprintf(&from, "%s/%s%s", dir, old_name, SVC_MACHINE_FILE_SUFFIX) < 0 ||
        asprintf(&to, "%s/%s%s", dir, new_name, SVC_MACHINE_FILE_SUFFIX) < 0 ||
        asprintf(&from_prev, "%s-prev", from) < 0 || asprintf(&to_prev, "%s-prev", to) < 0)
        r = oom(errp);
    if (r == 0 && access(to, F_OK) == 0)
        r = svc_error_set(errp, -EEXIST, SVC_E_FILE_ERROR, "cannot rename to %s: it exists", to);
    if (r == 0 && rename(from, to) < 0)
        r = svc_error_set(errp, -errno, SVC_E_FILE_ERROR, "cannot rename %s: %s", from,
                          strerror(errno));
    if (r == 0)
        rename(from_prev, to_prev); /* a missing backup is fine */
    free(from);
    free(to);
    free(from_prev);
    free(to_prev);
    return r;
}

static int rename_folder(const char *from, const char *to, svc_error **errp)
{
    if (access(to, F_OK) == 0)
        return svc_error_set(errp, -EEXIST, SVC_E_FILE_ERROR,
                             "cannot rename the machine folder to %s: it exists", to);
    if (rename(from, to) < 0)
        return svc_error_set(errp, -errno, SVC_E_FILE_ERROR, "cannot rename %s to %s: %s", from, to,
                             strerror(errno));
    return 0;
}

int svc_machine_files_rename(const char *old_path, const char *old_name, const char *new_name,
                             char **ret_new_path, svc_error **errp)
{
    char *dir = svc_path_dirname(old_path), *base = svc_path_basename(old_path);
    char *parent = dir ? svc_path_dirname(dir) : NULL,
         *dir_base = dir ? svc_path_basename(dir) : NULL;
    char *new_dir = NULL, *file_name = NULL, *new_path = NULL;
    int r = (!dir || !base || !parent || !dir_base) ? oom(errp) : 0;
    bool move_dir = r == 0 && strcmp(dir_base, old_name) == 0;
    if (r == 0 && asprintf(&file_name, "%s%s", old_name, SVC_MACHINE_FILE_SUFFIX) < 0)
        r = oom(errp);
    bool move_file = r == 0 && strcmp(base, file_name) == 0;
    if (r == 0)
        new_dir = move_dir ? svc_path_join(parent, new_name) : strdup(dir);
    if (r == 0 && !new_dir)
        r = oom(errp);
    if (r == 0 && move_dir)
        r = rename_folder(dir, new_dir, errp);
    if (r == 0 && move_file) {
        r = rename_file(new_dir, old_name, new_name, errp);
        if (r < 0 && move_dir)
            rename(new_dir, dir); /* undo */
    }
    if (r == 0) {
        char *nb = NULL;
        if (move_file && asprintf(&nb, "%s%s", new_name, SVC_MACHINE_FILE_SUFFIX) < 0)
            nb = NULL;
        new_path = svc_path_join(new_dir, move_file ? (nb ? nb : "") : base);
        free(nb);
        if (!new_path)
            r = oom(errp);
    }
    if (r == 0)
        *ret_new_path = new_path;
    free(dir);
    free(base);
    free(parent);
    free(dir_base);
    free(new_dir);
    free(file_name);
    return r;
}

/* Remove the regular files directly inside dir, then dir itself if it is then empty. */
static void remove_logs(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_type != DT_REG)
            continue;
        char *p = svc_path_join(dir, e->d_name);
        if (p)
            unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

int svc_machine_files_delete(const char *settings_path, const char *state_file, svc_error **errp)
{
    char *dir = svc_path_dirname(settings_path);
    if (!dir)
        return oom(errp);
    int r = svc_atomic_remove(settings_path, errp);
    if (state_file && *state_file && !strstr(state_file, "..")) {
        char *p = state_file[0] == '/' ? strdup(state_file) : svc_path_join(dir, state_file);
        if (p)
            unlink(p);
        free(p);
    }
    char *logs = svc_path_join(dir, "Logs"), *snaps = svc_path_join(dir, "Snapshots");
    if (logs)
        remove_logs(logs);
    if (snaps)
        rmdir(snaps); /* only if empty: differencing images are media, not ours to drop */
    rmdir(dir);
    free(logs);
    free(snaps);
    free(dir);
    return r;
}

char *svc_machine_files_rename_target(const char *old_path, const char *old_name,
                                      const char *new_name)
{
    char *dir = svc_path_dirname(old_path), *base = svc_path_basename(old_path);
    char *parent = dir ? svc_path_dirname(dir) : NULL;
    char *dir_base = dir ? svc_path_basename(dir) : NULL;
    char *file_name = NULL, *new_file = NULL, *result = NULL;
    if (dir && base && parent && dir_base &&
        asprintf(&file_name, "%s%s", old_name, SVC_MACHINE_FILE_SUFFIX) >= 0 &&
        asprintf(&new_file, "%s%s", new_name, SVC_MACHINE_FILE_SUFFIX) >= 0) {
        bool move_dir = strcmp(dir_base, old_name) == 0;
        bool move_file = strcmp(base, file_name) == 0;
        if (asprintf(&result, "%s/%s", move_dir ? parent : dir, move_dir ? new_name : "") >= 0) {
            char *full = NULL;
            size_t l = strlen(result);
            if (!move_dir && l && result[l - 1] == '/')
                result[l - 1] = '\0';
            if (asprintf(&full, "%s/%s", result, move_file ? new_file : base) < 0)
                full = NULL;
            free(result);
            result = full;
        } else {
            result = NULL;
        }
    }
    free(dir);
    free(base);
    free(parent);
    free(dir_base);
    free(file_name);
    free(new_file);
    return result;
}

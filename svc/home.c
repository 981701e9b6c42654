/* The user's Vireo home. */
#include "svc/home.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *user_home(void)
{
    const char *h = getenv("HOME");
    if (h && h[0] == '/')
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

static int dup_path(char **ret, const char *a, const char *b, svc_error **errp)
{
    if (asprintf(ret, "%s%s", a, b) < 0)
        return svc_error_set(errp, -ENOMEM, SVC_E_OUT_OF_MEMORY, "out of memory");
    return 0;
}

int svc_home_resolve(char **ret, svc_error **errp)
{
    const char *v = getenv("VIREO_USER_HOME");
    if (v && *v) {
        if (v[0] != '/')
            return svc_error_set(errp, -EINVAL, SVC_E_INVALID_ARG,
                                 "VIREO_USER_HOME: '%s' is not an absolute path", v);
        return dup_path(ret, v, "", errp);
    }
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') /* the XDG spec says relative values are ignored */
        return dup_path(ret, xdg, "/vireo", errp);
    const char *home = user_home();
    if (!home)
        return svc_error_set(errp, -ENOENT, SVC_E_FILE_ERROR,
                             "cannot find the home folder: set HOME or VIREO_USER_HOME");
    return dup_path(ret, home, "/.config/vireo", errp);
}

int svc_mkdir_p(const char *path, unsigned mode)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    int r = 0;
    for (char *p = copy + 1; r == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
            r = -errno;
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (r == 0 && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
        r = -ENOTDIR;
    free(copy);
    return r;
}

int svc_home_ensure(const char *path, svc_error **errp)
{
    int r = svc_mkdir_p(path, 0700);
    if (r < 0)
        return svc_error_set(errp, r, SVC_E_FILE_ERROR, "cannot create the folder %s: %s", path,
                             strerror(-r));
    return 0;
}

int svc_home_default_machine_folder(const char *home, char **ret, svc_error **errp)
{
    const char *v = getenv("VIREO_USER_HOME");
    if (v && *v)
        return dup_path(ret, home, "/machines", errp);
    const char *data = getenv("XDG_DATA_HOME");
    if (data && data[0] == '/')
        return dup_path(ret, data, "/vireo/machines", errp);
    const char *h = user_home();
    if (!h)
        return dup_path(ret, home, "/machines", errp);
    return dup_path(ret, h, "/.local/share/vireo/machines", errp);
}

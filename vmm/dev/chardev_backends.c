/* Character backend openers: stdio, file, pty, unix and TCP servers. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/dev/chardev_impl.h"

/* The terminal settings to put back if the process exits without chardev_free(). One
 * process has one stdin, so this is the one piece of global state. */
static struct termios stdio_saved;
static bool stdio_saved_valid;

static void stdio_restore_at_exit(void)
{
    if (stdio_saved_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved);
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

/* Raw input for a serial console: no line editing or echo, CR passed through as the
 * guest expects from a terminal; signals stay on so ^C still stops the VM. */
static void make_raw(struct termios *t)
{
    t->c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
    t->c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

int chardev_open_stdio(chardev *cd, char **ret_err)
{
    cd->in_fd = STDIN_FILENO;
    cd->out_fd = STDOUT_FILENO;
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &cd->saved_termios) == 0) {
        struct termios raw = cd->saved_termios;
        make_raw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
            cd->restore_termios = true;
            if (!stdio_saved_valid) {
                stdio_saved = cd->saved_termios;
                stdio_saved_valid = true;
                atexit(stdio_restore_at_exit);
            }
        }
    }
    return 0;
}

int chardev_open_file(chardev *cd, const char *path, char **ret_err)
{
    if (!*path)
        return chardev_error(ret_err, EINVAL, "file: needs a path");
    cd->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (cd->out_fd < 0)
        return chardev_error(ret_err, errno, "cannot open %s: %s", path, strerror(errno));
    cd->own_fds = true;
    snprintf(cd->path, sizeof(cd->path), "%s", path);
    return 0;
}

int chardev_open_pty(chardev *cd, char **ret_err)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0)
        return chardev_error(ret_err, errno, "cannot open a pty: %s", strerror(errno));
    cd->in_fd = cd->out_fd = m;
    cd->own_fds = true;
    if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, cd->path, sizeof(cd->path)) != 0)
        return chardev_error(ret_err, errno, "cannot set up the pty: %s", strerror(errno));
    struct termios t;
    if (tcgetattr(m, &t) == 0) {
        make_raw(&t);
        t.c_oflag &= ~(tcflag_t)OPOST;
        tcsetattr(m, TCSANOW, &t);
    }
    cd->pty_slave_fd = open(cd->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    int r = set_nonblock(m);
    if (r < 0)
        return chardev_error(ret_err, -r, "pty: %s", strerror(-r));
    return 0;
}

static int listen_on(chardev *cd, int fd, const struct sockaddr *sa, socklen_t len,
                     const char *what, char **ret_err)
{
    cd->listen_fd = fd;
    cd->is_socket = true;
    if (bind(fd, sa, len) < 0)
        return chardev_error(ret_err, errno, "cannot bind %s: %s", what, strerror(errno));
    if (listen(fd, 1) < 0)
        return chardev_error(ret_err, errno, "cannot listen on %s: %s", what, strerror(errno));
    return 0;
}

int chardev_open_unix(chardev *cd, const char *path, char **ret_err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!*path || strlen(path) >= sizeof(sa.sun_path))
        return chardev_error(ret_err, EINVAL, "unix: path empty or too long");
    memcpy(sa.sun_path, path, strlen(path));
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket from an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return chardev_error(ret_err, errno, "socket: %s", strerror(errno));
    int r = listen_on(cd, fd, (struct sockaddr *)&sa, sizeof(sa), path, ret_err);
    if (r == 0) {
        cd->unlink_path = true;
        snprintf(cd->path, sizeof(cd->path), "%s", path);
    }
    return r;
}

int chardev_open_tcp(chardev *cd, const char *port, char **ret_err)
{
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return chardev_error(ret_err, EINVAL, "tcp: bad port '%s'", port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return chardev_error(ret_err, errno, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = listen_on(cd, fd, (struct sockaddr *)&sa, sizeof(sa), "127.0.0.1", ret_err);
    if (r < 0)
        return r;
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    snprintf(cd->path, sizeof(cd->path), "127.0.0.1:%u", ntohs(sa.sin_port));
    return 0;
}

void chardev_close_backend(chardev *cd)
{
    if (cd->restore_termios)
        tcsetattr(STDIN_FILENO, TCSANOW, &cd->saved_termios);
    bool server = cd->kind == CHARDEV_UNIX || cd->kind == CHARDEV_TCP;
    if (cd->own_fds || server) {
        if (cd->in_fd >= 0)
            close(cd->in_fd);
        if (cd->out_fd >= 0 && cd->out_fd != cd->in_fd)
            close(cd->out_fd);
    }
    if (cd->listen_fd >= 0)
        close(cd->listen_fd);
    if (cd->pty_slave_fd >= 0)
        close(cd->pty_slave_fd);
    if (cd->unlink_path)
        unlink(cd->path);
    cd->in_fd = cd->out_fd = cd->listen_fd = cd->pty_slave_fd = -1;
}

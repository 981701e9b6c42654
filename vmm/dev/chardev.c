/* Character backend core: spec parsing, the output ring, polling and dispatch. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmm/dev/chardev_impl.h"

int chardev_error(char **ret_err, int err, const char *fmt, ...)
{
    if (ret_err) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_err, fmt, ap) < 0)
            *ret_err = NULL;
        va_end(ap);
    }
    return -err;
}

chardev *chardev_alloc(chardev_kind kind)
{
    chardev *cd = calloc(1, sizeof(*cd));
    if (!cd)
        return NULL;
    cd->ring = malloc(CHARDEV_RING_SIZE);
    if (!cd->ring) {
        free(cd);
        return NULL;
    }
    cd->kind = kind;
    cd->in_fd = cd->out_fd = cd->listen_fd = cd->pty_slave_fd = -1;
    return cd;
}

chardev *chardev_open(const char *spec, char **ret_err)
{
    static const struct {
        const char *prefix;
        chardev_kind kind;
    } kinds[] = {{"stdio", CHARDEV_STDIO}, {"file:", CHARDEV_FILE}, {"pty", CHARDEV_PTY},
                 {"unix:", CHARDEV_UNIX},  {"tcp:", CHARDEV_TCP},   {"null", CHARDEV_NULL}};
    for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t n = strlen(kinds[i].prefix);
        bool exact = kinds[i].prefix[n - 1] != ':';
        if (strncmp(spec, kinds[i].prefix, n) != 0 || (exact && spec[n] != '\0'))
            continue;
        chardev *cd = chardev_alloc(kinds[i].kind);
        if (!cd) {
            chardev_error(ret_err, ENOMEM, "out of memory");
            return NULL;
        }
        const char *arg = spec + n;
        int r = 0;
        switch (kinds[i].kind) {
        case CHARDEV_STDIO: r = chardev_open_stdio(cd, ret_err); break;
        case CHARDEV_FILE: r = chardev_open_file(cd, arg, ret_err); break;
        case CHARDEV_PTY: r = chardev_open_pty(cd, ret_err); break;
        case CHARDEV_UNIX: r = chardev_open_unix(cd, arg, ret_err); break;
        case CHARDEV_TCP: r = chardev_open_tcp(cd, arg, ret_err); break;
        default: break;
        }
        if (r < 0) {
            chardev_free(cd);
            return NULL;
        }
        return cd;
    }
    chardev_error(ret_err, EINVAL,
                  "unknown character device '%s' (expected stdio, file:PATH, pty, "
                  "unix:PATH, tcp:PORT or null)",
                  spec);
    return NULL;
}

chardev *chardev_open_fds(int in_fd, int out_fd, bool own)
{
    chardev *cd = chardev_alloc(CHARDEV_FDS);
    if (!cd)
        return NULL;
    cd->in_fd = in_fd;
    cd->out_fd = out_fd;
    cd->own_fds = own;
    int type;
    socklen_t len = sizeof(type);
    cd->is_socket = out_fd >= 0 && getsockopt(out_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
    return cd;
}

void chardev_free(chardev *cd)
{
    if (!cd)
        return;
    chardev_close_backend(cd);
    free(cd->ring);
    free(cd);
}

void chardev_set_frontend(chardev *cd, const chardev_frontend *fe)
{
    cd->fe = fe ? *fe : (chardev_frontend){0};
}

const char *chardev_path(const chardev *cd)
{
    return cd->path;
}

bool chardev_connected(const chardev *cd)
{
    return (cd->out_fd >= 0 && !cd->output_dead) || cd->kind == CHARDEV_NULL;
}

uint64_t chardev_dropped(const chardev *cd)
{
    return cd->dropped;
}

/* The peer went away. A server drops its client and what was queued for it, and listens
 * again; other backends stop using the side that failed. */
static void chardev_disconnect(chardev *cd, bool output_side)
{
    if (cd->kind != CHARDEV_UNIX && cd->kind != CHARDEV_TCP) {
        if (output_side)
            cd->output_dead = true;
        else
            cd->input_eof = true;
        return;
    }
    if (cd->in_fd >= 0)
        close(cd->in_fd);
    cd->in_fd = cd->out_fd = -1;
    cd->len = 0;
}

static ssize_t chardev_sys_write(chardev *cd, const uint8_t *p, size_t n)
{
    if (cd->is_socket)
        return send(cd->out_fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    return write(cd->out_fd, p, n);
}

/* Write as much of the ring as the host takes without blocking. */
static void chardev_flush(chardev *cd)
{
    while (cd->len && cd->out_fd >= 0 && !cd->output_dead) {
        size_t chunk = CHARDEV_RING_SIZE - cd->head;
        if (chunk > cd->len)
            chunk = cd->len;
        ssize_t w = chardev_sys_write(cd, cd->ring + cd->head, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0) {
            cd->dropped += cd->len;
            cd->len = 0;
            chardev_disconnect(cd, true);
            return;
        }
        cd->head = (cd->head + (size_t)w) % CHARDEV_RING_SIZE;
        cd->len -= (size_t)w;
    }
}

void chardev_write(chardev *cd, const uint8_t *buf, size_t len)
{
    if (!cd || !chardev_connected(cd) || cd->out_fd < 0) {
        if (cd)
            cd->dropped += len;
        return;
    }
    size_t room = CHARDEV_RING_SIZE - cd->len;
    if (len > room) {
        cd->dropped += len - room;
        len = room;
    }
    for (size_t i = 0; i < len; i++)
        cd->ring[(cd->head + cd->len + i) % CHARDEV_RING_SIZE] = buf[i];
    cd->len += len;
    chardev_flush(cd);
}

static size_t chardev_room(chardev *cd)
{
    return cd->fe.can_receive ? cd->fe.can_receive(cd->fe.opaque) : 0;
}

int chardev_pollfds(chardev *cd, struct pollfd *fds, int max)
{
    int n = 0;
    bool want_in = cd->in_fd >= 0 && !cd->input_eof && chardev_room(cd) > 0;
    bool want_out = cd->out_fd >= 0 && !cd->output_dead && cd->len > 0;
    if (cd->listen_fd >= 0 && cd->in_fd < 0 && n < max)
        fds[n++] = (struct pollfd){.fd = cd->listen_fd, .events = POLLIN};
    if (cd->in_fd >= 0 && cd->in_fd == cd->out_fd && (want_in || want_out) && n < max) {
        fds[n++] = (struct pollfd){
            .fd = cd->in_fd, .events = (short)((want_in ? POLLIN : 0) | (want_out ? POLLOUT : 0))};
        return n;
    }
    if (want_in && n < max)
        fds[n++] = (struct pollfd){.fd = cd->in_fd, .events = POLLIN};
    if (want_out && n < max)
        fds[n++] = (struct pollfd){.fd = cd->out_fd, .events = POLLOUT};
    return n;
}

static void chardev_accept(chardev *cd)
{
    int fd = accept4(cd->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    cd->in_fd = cd->out_fd = fd;
    cd->input_eof = false;
    cd->output_dead = false;
}

static void chardev_read_input(chardev *cd)
{
    uint8_t buf[4096];
    size_t room = chardev_room(cd);
    if (room == 0)
        return;
    if (room > sizeof(buf))
        room = sizeof(buf);
    ssize_t r = read(cd->in_fd, buf, room);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (r <= 0) {
        chardev_disconnect(cd, false);
        return;
    }
    if (cd->fe.receive)
        cd->fe.receive(cd->fe.opaque, buf, (size_t)r);
}

void chardev_dispatch(chardev *cd, const struct pollfd *fds, int n)
{
    for (int i = 0; i < n; i++) {
        short re = fds[i].revents;
        if (!re)
            continue;
        if (fds[i].fd == cd->listen_fd && cd->in_fd < 0) {
            chardev_accept(cd);
            continue;
        }
        if (fds[i].fd == cd->out_fd && (re & POLLOUT))
            chardev_flush(cd);
        if (fds[i].fd == cd->in_fd && cd->in_fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
            chardev_read_input(cd);
    }
}

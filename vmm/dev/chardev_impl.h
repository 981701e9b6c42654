/* Private to chardev*.c: the backend state shared by the core and the openers. */
#ifndef VIREO_VMM_DEV_CHARDEV_IMPL_H
#define VIREO_VMM_DEV_CHARDEV_IMPL_H

#include <termios.h>

#include "vmm/dev/chardev.h"

#define CHARDEV_RING_SIZE (256u * 1024u)

typedef enum chardev_kind {
    CHARDEV_NULL,
    CHARDEV_FDS,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_PTY,
    CHARDEV_UNIX,
    CHARDEV_TCP,
} chardev_kind;

struct chardev {
    chardev_kind kind;
    int in_fd, out_fd; /* -1 when absent; servers: the client, or -1 */
    int listen_fd;     /* servers */
    int pty_slave_fd;  /* held open so the master never sees a hangup */
    bool own_fds;
    bool input_eof;
    bool output_dead; /* a write failed: the reader is gone */
    bool is_socket;
    bool unlink_path;
    bool restore_termios;
    struct termios saved_termios;
    char path[128];
    uint8_t *ring;
    size_t head, len;
    uint64_t dropped;
    chardev_frontend fe;
};

chardev *chardev_alloc(chardev_kind kind);
int chardev_open_stdio(chardev *cd, char **ret_err);
int chardev_open_file(chardev *cd, const char *path, char **ret_err);
int chardev_open_pty(chardev *cd, char **ret_err);
int chardev_open_unix(chardev *cd, const char *path, char **ret_err);
int chardev_open_tcp(chardev *cd, const char *port, char **ret_err);
void chardev_close_backend(chardev *cd);
/* Set *ret_err to a formatted message; returns -err for convenience. */
int chardev_error(char **ret_err, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

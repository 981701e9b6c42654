/* Host character backends for serial ports and debug consoles: stdio, a file (output
 * only), a pseudo-terminal, a unix-socket server, a TCP server on 127.0.0.1, or a pair of
 * file descriptors. Everything is non-blocking and single-threaded: the VM loop asks for
 * the descriptors to watch (chardev_pollfds) and hands the poll results back
 * (chardev_dispatch).
 *
 * Flow control: input is read only while the frontend (a UART) has room, so bytes the
 * guest has not taken yet wait in the host's buffers, never dropped. Output is buffered
 * (256 KiB) and written as the host accepts it; a reader that is absent (no client
 * connected) or falls that far behind loses output rather than stalling the guest. */
#ifndef VIREO_VMM_DEV_CHARDEV_H
#define VIREO_VMM_DEV_CHARDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct chardev chardev;

typedef struct chardev_frontend {
    size_t (*can_receive)(void *opaque); /* bytes the frontend can take now */
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void *opaque;
} chardev_frontend;

/* Open a backend from a spec: "stdio", "file:PATH", "pty", "unix:PATH", "tcp:PORT"
 * (PORT 0 picks a free one), "null". Returns NULL with *ret_err set to a malloc'd
 * message (when ret_err is not NULL) on failure. */
chardev *chardev_open(const char *spec, char **ret_err);
/* A backend on existing descriptors (e.g. a socketpair); takes ownership when own. */
chardev *chardev_open_fds(int in_fd, int out_fd, bool own);
/* Closes descriptors, restores the terminal, removes a unix socket it created. NULL ok. */
void chardev_free(chardev *cd);

void chardev_set_frontend(chardev *cd, const chardev_frontend *fe);

/* Queue output; always accepts all of it (see the overflow rule above). */
void chardev_write(chardev *cd, const uint8_t *buf, size_t len);
/* Output bytes lost to overflow or absent readers. */
uint64_t chardev_dropped(const chardev *cd);

/* Fill up to max pollfd entries with what this backend waits for; returns how many. */
int chardev_pollfds(chardev *cd, struct pollfd *fds, int max);
/* Act on the poll results for the entries chardev_pollfds filled. */
void chardev_dispatch(chardev *cd, const struct pollfd *fds, int n);

/* A pty's slave path, a unix socket's path, "127.0.0.1:PORT" for TCP; "" otherwise.
 * The caller (a main program) prints it; the library does not. */
const char *chardev_path(const chardev *cd);
/* True when a peer can see output (always, except servers without a client). */
bool chardev_connected(const chardev *cd);

#endif

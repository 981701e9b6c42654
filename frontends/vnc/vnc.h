/* The VNC server of a VM process (libvncserver).
 *
 * Threading: libvncserver runs in its own threads (one accepting, one per client) and reads
 * the display surface's pixels directly; the VM thread only tells it what changed (the
 * surface listener calls rfbMarkRectAsModified, which takes a per-client lock and wakes the
 * client's thread) and never waits for a client. Input goes the other way through a queue:
 * client threads convert keysyms to set-2 scan codes and pointer positions to relative PS/2
 * motion, queue them, and signal an eventfd; the VM loop polls vnc_server_input_fd() and
 * calls vnc_server_dispatch_input(), which runs the vnc_input callbacks on the VM thread,
 * where the i8042 lives. Nothing here runs on the CPU's per-instruction path. */
#ifndef VIREO_FRONTENDS_VNC_VNC_H
#define VIREO_FRONTENDS_VNC_VNC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/display/surface.h"

typedef struct vnc_server vnc_server;

/* Where input goes; called on the thread that calls vnc_server_dispatch_input(). */
typedef struct vnc_input {
    void (*put_scancode)(void *opaque, uint8_t set2_byte); /* e.g. i8042_put_scancode */
    /* Relative motion, screen sense (dy > 0 down, dz > 0 wheel down), PS2_MOUSE_* buttons. */
    void (*mouse_event)(void *opaque, int dx, int dy, int dz, uint8_t buttons);
    void *opaque;
} vnc_input;

typedef struct vnc_options {
    const char *listen;     /* IPv4 address; NULL = "127.0.0.1" */
    int port;               /* > 0: exactly this port */
    int port_min, port_max; /* port == 0: the first free one here (default 5900-5999) */
    const char *password;   /* NULL or "": no authentication; VNC uses the first 8 chars */
} vnc_options;

/* Start serving `surface`. Returns the server, or NULL with *ret_err (-errno: -EADDRINUSE
 * when no port in the range is free, -EINVAL for a bad address or range, -ENOMEM). The
 * password is copied and never logged; libvncserver's own logging is silenced. */
vnc_server *vnc_server_start(display_surface *surface, const vnc_input *input,
                             const vnc_options *opts, int *ret_err);
/* Stop, disconnect every client, wipe the password. Accepts NULL. */
void vnc_server_stop(vnc_server *srv);

int vnc_server_port(const vnc_server *srv);
int vnc_server_client_count(vnc_server *srv);

/* Readable while input is queued. */
int vnc_server_input_fd(const vnc_server *srv);
/* Deliver queued input to the vnc_input callbacks. Returns the number of events. */
int vnc_server_dispatch_input(vnc_server *srv);

#endif

/* libvncserver glue: serving a display_surface, damage forwarding, input queueing. */
#define _GNU_SOURCE
#include "frontends/vnc/vnc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "frontends/vnc/vnc_keymap.h"

#define INPUT_QUEUE 1024

typedef struct input_event {
    bool mouse;
    uint8_t code;
    int16_t dx, dy, dz;
    uint8_t buttons;
} input_event;

struct vnc_server {
    rfbScreenInfoPtr screen;
    display_surface *surface;
    vnc_input input;
    char *password;
    char *passwords[2]; /* list for rfbCheckPasswordByList */
    int port;
    int efd;
    pthread_mutex_t qlock; /* the queue and the keyboard/pointer state */
    input_event queue[INPUT_QUEUE];
    unsigned qhead, qcount;
    vnc_kbd_state kbd;
    int last_x, last_y, last_mask;
    bool have_pos;
};

static void silent_log(const char *format, ...) {}

/* ---- input (client threads) ---- */

static void queue_put(vnc_server *s, const input_event *e)
{
    if (s->qcount == INPUT_QUEUE)
        return; /* a flooding client loses input, never memory */
    s->queue[(s->qhead + s->qcount) % INPUT_QUEUE] = *e;
    s->qcount++;
}

static void wake(vnc_server *s)
{
    uint64_t one = 1;
    ssize_t r = write(s->efd, &one, sizeof(one));
    (void)r;
}

static void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
    vnc_server *s = cl->screen->screenData;
    uint8_t bytes[VNC_KEY_MAX_BYTES];
    pthread_mutex_lock(&s->qlock);
    int n = vnc_key_event_bytes(&s->kbd, (uint32_t)keysym, down, bytes);
    for (int i = 0; i < n; i++)
        queue_put(s, &(input_event){.code = bytes[i]});
    pthread_mutex_unlock(&s->qlock);
    if (n)
        wake(s);
}

static int clamp16(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

static void on_pointer(int mask, int x, int y, rfbClientPtr cl)
{
    vnc_server *s = cl->screen->screenData;
    /* VNC buttons: 1 left, 2 middle, 4 right, 8/16 wheel up/down. */
    uint8_t buttons =
        (uint8_t)(((mask & 1) ? 0x01 : 0) | ((mask & 4) ? 0x02 : 0) | ((mask & 2) ? 0x04 : 0));
    int dz = ((mask & 16) && !(s->last_mask & 16)) - ((mask & 8) && !(s->last_mask & 8));
    pthread_mutex_lock(&s->qlock);
    int dx = s->have_pos ? x - s->last_x : 0, dy = s->have_pos ? y - s->last_y : 0;
    s->last_x = x;
    s->last_y = y;
    s->have_pos = true;
    if (dx || dy || dz || (mask & 7) != (s->last_mask & 7))
        queue_put(s, &(input_event){.mouse = true,
                                    .dx = (int16_t)clamp16(dx),
                                    .dy = (int16_t)clamp16(dy),
                                    .dz = (int16_t)dz,
                                    .buttons = buttons});
    s->last_mask = mask;
    pthread_mutex_unlock(&s->qlock);
    wake(s);
}

int vnc_server_input_fd(const vnc_server *srv)
{
    return srv->efd;
}

int vnc_server_dispatch_input(vnc_server *s)
{
    uint64_t v;
    ssize_t r = read(s->efd, &v, sizeof(v)); /* non-blocking; clears readiness */
    (void)r;
    input_event batch[64];
    int total = 0;
    for (;;) {
        int n = 0;
        pthread_mutex_lock(&s->qlock);
        while (s->qcount && n < 64) {
            batch[n++] = s->queue[s->qhead];
            s->qhead = (s->qhead + 1) % INPUT_QUEUE;
            s->qcount--;
        }
        pthread_mutex_unlock(&s->qlock);
        if (!n)
            return total;
        for (int i = 0; i < n; i++) {
            if (batch[i].mouse && s->input.mouse_event)
                s->input.mouse_event(s->input.opaque, batch[i].dx, batch[i].dy, batch[i].dz,
                                     batch[i].buttons);
            else if (!batch[i].mouse && s->input.put_scancode)
                s->input.put_scancode(s->input.opaque, batch[i].code);
        }
        total += n;
    }
}

/* ---- display (VM thread) ---- */

static void set_format(rfbScreenInfoPtr scr)
{
    /* The surface is XRGB words: red in bits 16-23, blue in 0-7. */
    scr->serverFormat.redShift = 16;
    scr->serverFormat.greenShift = 8;
    scr->serverFormat.blueShift = 0;
}

static void on_damage(void *opaque, const display_rect *r)
{
    vnc_server *s = opaque;
    rfbMarkRectAsModified(s->screen, r->x, r->y, r->x + r->w, r->y + r->h);
}

static void on_resize(void *opaque, int w, int h, int stride)
{
    vnc_server *s = opaque;
    /* Same buffer, new geometry; clients that support it get a desktop-size update. */
    rfbNewFramebuffer(s->screen, (char *)s->surface->pixels, w, h, 8, 3, 4);
    s->screen->paddedWidthInBytes = stride;
    set_format(s->screen);
}

/* ---- lifecycle ---- */

static int parse_options(const vnc_options *o, in_addr_t *addr, int *first, int *last)
{
    const char *listen = (o && o->listen) ? o->listen : "127.0.0.1";
    struct in_addr a;
    if (inet_pton(AF_INET, listen, &a) != 1)
        return -EINVAL;
    *addr = a.s_addr;
    if (o && o->port > 0) {
        if (o->port > 65535)
            return -EINVAL;
        *first = *last = o->port;
        return 0;
    }
    *first = (o && o->port_min > 0) ? o->port_min : 5900;
    *last = (o && o->port_max > 0) ? o->port_max : 5999;
    if (*first > *last || *last > 65535)
        return -EINVAL;
    return 0;
}

static rfbScreenInfoPtr make_screen(vnc_server *s, in_addr_t addr, int port)
{
    int w, h, stride;
    display_surface_geometry(s->surface, &w, &h, &stride, NULL);
    int argc = 0;
    rfbScreenInfoPtr scr = rfbGetScreen(&argc, NULL, w, h, 8, 3, 4);
    if (!scr)
        return NULL;
    scr->frameBuffer = (char *)s->surface->pixels;
    scr->paddedWidthInBytes = stride;
    set_format(scr);
    scr->desktopName = "Vireo";
    scr->alwaysShared = TRUE;
    scr->listenInterface = addr;
    scr->port = port;
    scr->autoPort = FALSE;
    scr->ipv6port = 0; /* IPv4 only: the listen address decides who may connect */
    scr->httpPort = 0;
    scr->httpDir = NULL;
    scr->screenData = s;
    scr->kbdAddEvent = on_key;
    scr->ptrAddEvent = on_pointer;
    /* No server-drawn cursor: the guest draws its own, and the pixels stay the guest's. */
    scr->cursor = NULL;
    if (s->password) {
        scr->authPasswdData = (void *)s->passwords;
        scr->passwordCheck = rfbCheckPasswordByList;
    }
    rfbInitServer(scr);
    if (scr->listenSock == RFB_INVALID_SOCKET) {
        rfbScreenCleanup(scr);
        return NULL;
    }
    return scr;
}

vnc_server *vnc_server_start(display_surface *surface, const vnc_input *input,
                             const vnc_options *opts, int *ret_err)
{
    in_addr_t addr;
    int first, last, err = 0;
    rfbLog = silent_log;
    rfbErr = silent_log;
    if ((err = parse_options(opts, &addr, &first, &last)) < 0)
        goto out;
    vnc_server *s = calloc(1, sizeof(*s));
    if (!s) {
        err = -ENOMEM;
        goto out;
    }
    s->surface = surface;
    if (input)
        s->input = *input;
    pthread_mutex_init(&s->qlock, NULL);
    s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (opts && opts->password && opts->password[0]) {
        s->password = strdup(opts->password);
        s->passwords[0] = s->password;
    }
    if (s->efd < 0 || (opts && opts->password && opts->password[0] && !s->password)) {
        err = s->efd < 0 ? -errno : -ENOMEM;
        vnc_server_stop(s);
        goto out;
    }
    for (int p = first; p <= last && !s->screen; p++) {
        s->screen = make_screen(s, addr, p);
        s->port = p;
    }
    if (!s->screen) {
        vnc_server_stop(s);
        err = -EADDRINUSE;
        goto out;
    }
    display_listener l = {on_damage, on_resize, s};
    if ((err = display_surface_add_listener(surface, &l)) < 0) {
        vnc_server_stop(s);
        goto out;
    }
    rfbRunEventLoop(s->screen, 20000, TRUE); /* its own thread */
    return s;
out:
    if (ret_err)
        *ret_err = err;
    return NULL;
}

void vnc_server_stop(vnc_server *s)
{
    if (!s)
        return;
    display_surface_remove_listener(s->surface, s);
    if (s->screen) {
        rfbShutdownServer(s->screen, TRUE);
        rfbScreenCleanup(s->screen);
    }
    if (s->password) {
        explicit_bzero(s->password, strlen(s->password));
        free(s->password);
    }
    if (s->efd >= 0)
        close(s->efd);
    pthread_mutex_destroy(&s->qlock);
    free(s);
}

int vnc_server_port(const vnc_server *s)
{
    return s->port;
}

int vnc_server_client_count(vnc_server *s)
{
    int n = 0;
    rfbClientIteratorPtr it = rfbGetClientIterator(s->screen);
    while (rfbClientIteratorNext(it))
        n++;
    rfbReleaseClientIterator(it);
    return n;
}

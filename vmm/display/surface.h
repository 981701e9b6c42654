/* The display surface: the host framebuffer a device renders into and display clients
 * (VNC, GUI windows, screenshots) read from.
 *
 * Pixels are 32-bit XRGB (0x00RRGGBB in host order, little-endian bytes B, G, R, X) in a
 * memfd mapped once at its maximum size, so the pointer never moves and the fd can be
 * handed to another process. A resize only changes width, height and stride (= width * 4).
 *
 * Threading: one producer (the thread that owns the device, normally the VM loop) calls
 * resize, mark_dirty and flush. Listeners are called from flush() on that thread, without
 * the lock held; they must be quick (record the rectangle, wake a thread). Readers on other
 * threads may read the pixels at any time (a frame may tear, memory stays valid) and take
 * the geometry with display_surface_geometry(). */
#ifndef VIREO_VMM_DISPLAY_SURFACE_H
#define VIREO_VMM_DISPLAY_SURFACE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISPLAY_MAX_WIDTH     2560
#define DISPLAY_MAX_HEIGHT    1600
#define DISPLAY_MAX_RECTS     32 /* pending rectangles before they merge into one */
#define DISPLAY_MAX_LISTENERS 4

typedef struct display_rect {
    int x, y, w, h;
} display_rect;

typedef struct display_listener {
    /* A region changed (already clipped to the surface). */
    void (*damage)(void *opaque, const display_rect *r);
    /* The size changed; the whole surface counts as damaged. */
    void (*resize)(void *opaque, int width, int height, int stride);
    void *opaque;
} display_listener;

typedef struct display_surface {
    int fd;           /* memfd holding the pixels */
    uint32_t *pixels; /* DISPLAY_MAX_WIDTH * DISPLAY_MAX_HEIGHT words */
    size_t map_size;
    pthread_mutex_t lock; /* guards geometry, pending rects and listeners */
    int width, height, stride;
    uint64_t generation; /* bumped by every resize */
    display_rect pending[DISPLAY_MAX_RECTS];
    int npending;
    bool resized; /* a resize not yet announced by flush() */
    display_listener listeners[DISPLAY_MAX_LISTENERS];
    int nlisteners;
} display_surface;

/* A black 640x480 surface. Returns NULL with errno set on failure. */
display_surface *display_surface_new(void);
void display_surface_free(display_surface *s);

/* Returns 0, or -EINVAL for a size outside 1..DISPLAY_MAX_*. Same size: no effect. */
int display_surface_resize(display_surface *s, int width, int height);
/* Record a changed region; clipped, empty ones ignored. */
void display_surface_mark_dirty(display_surface *s, int x, int y, int w, int h);
/* Deliver the pending resize and rectangles to every listener and clear them. */
void display_surface_flush(display_surface *s);

/* Returns 0 or -ENOSPC. */
int display_surface_add_listener(display_surface *s, const display_listener *l);
void display_surface_remove_listener(display_surface *s, void *opaque);

/* Consistent width, height, stride (bytes) and generation. */
void display_surface_geometry(display_surface *s, int *ret_width, int *ret_height, int *ret_stride,
                              uint64_t *ret_generation);

static inline uint32_t *display_surface_row(display_surface *s, int y)
{
    return s->pixels + (size_t)y * (size_t)(s->stride / 4);
}

/* Encode the current contents as a PNG (RGB, 8 bits). On success *ret_png is malloc'd.
 * Returns 0, -ENOMEM, or -EIO if zlib fails. */
int display_surface_png(display_surface *s, uint8_t **ret_png, size_t *ret_len);

#endif

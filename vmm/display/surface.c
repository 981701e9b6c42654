/* Display surface: a memfd framebuffer plus pending damage rectangles. */
#define _GNU_SOURCE
#include "vmm/display/surface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/display/png.h"

display_surface *display_surface_new(void)
{
    display_surface *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->fd = -1;
    s->map_size = (size_t)DISPLAY_MAX_WIDTH * DISPLAY_MAX_HEIGHT * 4;
    s->fd = memfd_create("vireo-display", MFD_CLOEXEC);
    if (s->fd < 0 || ftruncate(s->fd, (off_t)s->map_size) < 0)
        goto fail;
    /* Pages come into being as they are written: an unused maximum costs nothing. */
    void *p = mmap(NULL, s->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
    if (p == MAP_FAILED)
        goto fail;
    s->pixels = p;
    pthread_mutex_init(&s->lock, NULL);
    s->width = 640;
    s->height = 480;
    s->stride = 640 * 4;
    return s;
fail : {
    int e = errno;
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    errno = e;
    return NULL;
}
}

void display_surface_free(display_surface *s)
{
    if (!s)
        return;
    munmap(s->pixels, s->map_size);
    close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int display_surface_resize(display_surface *s, int width, int height)
{
    if (width < 1 || height < 1 || width > DISPLAY_MAX_WIDTH || height > DISPLAY_MAX_HEIGHT)
        return -EINVAL;
    pthread_mutex_lock(&s->lock);
    if (width != s->width || height != s->height) {
        s->width = width;
        s->height = height;
        s->stride = width * 4;
        s->generation++;
        s->resized = true;
        s->npending = 0; /* the resize damages everything */
    }
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static display_rect rect_union(display_rect a, display_rect b)
{
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (display_rect){x0, y0, x1 - x0, y1 - y0};
}

static bool rect_touches(display_rect a, display_rect b)
{
    return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

void display_surface_mark_dirty(display_surface *s, int x, int y, int w, int h)
{
    pthread_mutex_lock(&s->lock);
    /* Clip in 64-bit-safe steps: the arguments come from guest-derived geometry. */
    if (x < 0) {
        w += x;
        x = 0;
    }
    if (y < 0) {
        h += y;
        y = 0;
    }
    if (w > s->width - x)
        w = s->width - x;
    if (h > s->height - y)
        h = s->height - y;
    if (w <= 0 || h <= 0 || s->resized) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    display_rect r = {x, y, w, h};
    for (int i = 0; i < s->npending; i++) {
        if (rect_touches(s->pending[i], r)) {
            s->pending[i] = rect_union(s->pending[i], r);
            pthread_mutex_unlock(&s->lock);
            return;
        }
    }
    if (s->npending == DISPLAY_MAX_RECTS) {
        for (int i = 1; i < s->npending; i++)
            s->pending[0] = rect_union(s->pending[0], s->pending[i]);
        s->pending[0] = rect_union(s->pending[0], r);
        s->npending = 1;
    } else {
        s->pending[s->npending++] = r;
    }
    pthread_mutex_unlock(&s->lock);
}

void display_surface_flush(display_surface *s)
{
    display_rect rects[DISPLAY_MAX_RECTS];
    display_listener ls[DISPLAY_MAX_LISTENERS];
    pthread_mutex_lock(&s->lock);
    bool resized = s->resized;
    int n = s->npending, nl = s->nlisteners, w = s->width, h = s->height, st = s->stride;
    memcpy(rects, s->pending, sizeof(rects[0]) * (size_t)n);
    memcpy(ls, s->listeners, sizeof(ls[0]) * (size_t)nl);
    s->npending = 0;
    s->resized = false;
    pthread_mutex_unlock(&s->lock);

    for (int l = 0; l < nl; l++) {
        if (resized && ls[l].resize)
            ls[l].resize(ls[l].opaque, w, h, st);
        if (!ls[l].damage)
            continue;
        if (resized) {
            display_rect all = {0, 0, w, h};
            ls[l].damage(ls[l].opaque, &all);
            continue;
        }
        for (int i = 0; i < n; i++)
            ls[l].damage(ls[l].opaque, &rects[i]);
    }
}

int display_surface_add_listener(display_surface *s, const display_listener *l)
{
    int r = -ENOSPC;
    pthread_mutex_lock(&s->lock);
    if (s->nlisteners < DISPLAY_MAX_LISTENERS) {
        s->listeners[s->nlisteners++] = *l;
        r = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

void display_surface_remove_listener(display_surface *s, void *opaque)
{
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nlisteners; i++) {
        if (s->listeners[i].opaque == opaque) {
            memmove(&s->listeners[i], &s->listeners[i + 1],
                    sizeof(s->listeners[0]) * (size_t)(s->nlisteners - i - 1));
            s->nlisteners--;
            i--;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

void display_surface_geometry(display_surface *s, int *ret_width, int *ret_height, int *ret_stride,
                              uint64_t *ret_generation)
{
    pthread_mutex_lock(&s->lock);
    if (ret_width)
        *ret_width = s->width;
    if (ret_height)
        *ret_height = s->height;
    if (ret_stride)
        *ret_stride = s->stride;
    if (ret_generation)
        *ret_generation = s->generation;
    pthread_mutex_unlock(&s->lock);
}

int display_surface_png(display_surface *s, uint8_t **ret_png, size_t *ret_len)
{
    int w, h, st;
    display_surface_geometry(s, &w, &h, &st, NULL);
    return display_png_encode(s->pixels, w, h, st, ret_png, ret_len);
}

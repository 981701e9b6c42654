/* VNC server: keysym mapping tables, and a real VNC client (libvncclient) connected over
 * loopback checking what a user would see and send. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rfb/keysym.h>
#include <rfb/rfbclient.h>

#include "frontends/vnc/vnc.h"
#include "frontends/vnc/vnc_keymap.h"

#define PORT_MIN 47100
#define PORT_MAX 47199

/* ---- keymap ---- */

static int bytes_for(vnc_kbd_state *st, uint32_t ks, bool down, uint8_t *out)
{
    memset(out, 0, VNC_KEY_MAX_BYTES);
    return vnc_key_event_bytes(st, ks, down, out);
}

START_TEST(keymap_plain_extended_and_unknown)
{
    vnc_kbd_state st = {0};
    uint8_t b[VNC_KEY_MAX_BYTES];
    ck_assert_int_eq(bytes_for(&st, 'a', true, b), 1);
    ck_assert_uint_eq(b[0], 0x1C);
    ck_assert_int_eq(bytes_for(&st, 'a', false, b), 2);
    ck_assert_mem_eq(b, "\xF0\x1C", 2);
    ck_assert_int_eq(bytes_for(&st, XK_Up, true, b), 2);
    ck_assert_mem_eq(b, "\xE0\x75", 2);
    ck_assert_int_eq(bytes_for(&st, XK_Up, false, b), 3);
    ck_assert_mem_eq(b, "\xE0\xF0\x75", 3);
    ck_assert_int_eq(bytes_for(&st, XK_Return, true, b), 1);
    ck_assert_uint_eq(b[0], 0x5A);
    ck_assert_int_eq(bytes_for(&st, XK_KP_Enter, true, b), 2);
    ck_assert_mem_eq(b, "\xE0\x5A", 2);
    ck_assert_int_eq(bytes_for(&st, XK_F7, true, b), 1);
    ck_assert_uint_eq(b[0], 0x83);
    ck_assert_int_eq(bytes_for(&st, XK_Control_R, true, b), 2);
    ck_assert_mem_eq(b, "\xE0\x14", 2);
    ck_assert_int_eq(bytes_for(&st, XK_Print, true, b), 4);
    ck_assert_mem_eq(b, "\xE0\x12\xE0\x7C", 4);
    ck_assert_int_eq(bytes_for(&st, 0x20AC /* EuroSign */, true, b), 0);
    ck_assert_int_eq(bytes_for(&st, 0xFFFFFF, true, b), 0);
    vnc_key k;
    ck_assert_int_eq(vnc_keysym_lookup(0x12345, &k), -ENOENT);
}
END_TEST

START_TEST(keymap_shifted_symbols_get_shift_around_the_key)
{
    vnc_kbd_state st = {0};
    uint8_t b[VNC_KEY_MAX_BYTES];
    /* '!' from a client that does not press Shift: shift make, key, shift break. */
    ck_assert_int_eq(bytes_for(&st, XK_exclam, true, b), 4);
    ck_assert_mem_eq(b, "\x12\x16\xF0\x12", 4);
    ck_assert_int_eq(bytes_for(&st, XK_exclam, false, b), 2);
    ck_assert_mem_eq(b, "\xF0\x16", 2);
    ck_assert_int_eq(bytes_for(&st, 'A', true, b), 4);
    ck_assert_mem_eq(b, "\x12\x1C\xF0\x12", 4);
    /* With Shift held by the client, the symbol is just its key. */
    ck_assert_int_eq(bytes_for(&st, XK_Shift_L, true, b), 1);
    ck_assert_uint_eq(b[0], 0x12);
    ck_assert_int_eq(bytes_for(&st, XK_at, true, b), 1);
    ck_assert_uint_eq(b[0], 0x1E);
    ck_assert_int_eq(bytes_for(&st, XK_braceleft, true, b), 1);
    ck_assert_uint_eq(b[0], 0x54);
    /* An unshifted symbol while Shift is held: Shift is lifted around it. */
    ck_assert_int_eq(bytes_for(&st, '1', true, b), 4);
    ck_assert_mem_eq(b, "\xF0\x12\x16\x12", 4);
    ck_assert_int_eq(bytes_for(&st, XK_Shift_L, false, b), 2);
    ck_assert_mem_eq(b, "\xF0\x12", 2);
    /* Every printable ASCII character has a key. */
    for (uint32_t c = 0x20; c < 0x7F; c++)
        ck_assert_msg(bytes_for(&st, c, true, b) > 0, "no key for '%c'", (int)c);
}
END_TEST

/* ---- server with a real client ---- */

typedef struct capture {
    int updates;
    int last_x, last_y, last_w, last_h;
    bool finished;
} capture;

static capture cap;
static const char *client_password;

static char *get_password(rfbClient *cl)
{
    if (!client_password || !client_password[0])
        return NULL; /* the client library leaks an empty answer */
    return strdup(client_password);
}

static void got_update(rfbClient *cl, int x, int y, int w, int h)
{
    cap.updates++;
    cap.last_x = x;
    cap.last_y = y;
    cap.last_w = w;
    cap.last_h = h;
}

static void finished_update(rfbClient *cl)
{
    cap.finished = true;
}

static void silent(const char *format, ...) {}

static rfbClient *connect_client(int port, const char *password)
{
    rfbClientLog = silent;
    rfbClientErr = silent;
    client_password = password;
    rfbClient *cl = rfbGetClient(8, 3, 4);
    cl->format.redShift = 16;
    cl->format.greenShift = 8;
    cl->format.blueShift = 0;
    cl->appData.encodingsString = "hextile zlib raw"; /* lossless */
    cl->GetPassword = get_password;
    cl->GotFrameBufferUpdate = got_update;
    cl->FinishedFrameBufferUpdate = finished_update;
    cl->canHandleNewFBSize = TRUE;
    free(cl->serverHost);
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = port;
    if (!rfbInitClient(cl, NULL, NULL))
        return NULL; /* rfbInitClient freed the client */
    return cl;
}

/* Handle server messages until a whole update with pixels arrived (or 5 s passed). */
static bool wait_update(rfbClient *cl)
{
    cap.finished = false;
    cap.updates = 0;
    for (int i = 0; i < 500 && !(cap.finished && cap.updates); i++) {
        cap.finished = false;
        int r = WaitForMessage(cl, 10000);
        if (r < 0)
            return false;
        if (r > 0 && !HandleRFBServerMessage(cl))
            return false;
    }
    return cap.finished && cap.updates;
}

static void disconnect(rfbClient *cl)
{
    free(cl->frameBuffer); /* allocated by the library, owned by the application */
    cl->frameBuffer = NULL;
    rfbClientCleanup(cl);
}

static void fill_pattern(display_surface *s, uint32_t salt)
{
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            display_surface_row(s, y)[x] =
                ((uint32_t)x * 2654435761u ^ (uint32_t)y * 40503u ^ salt) & 0xFFFFFF;
}

static void assert_same(rfbClient *cl, display_surface *s)
{
    ck_assert_int_eq(cl->width, s->width);
    ck_assert_int_eq(cl->height, s->height);
    const uint32_t *fb = (const uint32_t *)cl->frameBuffer;
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            ck_assert_msg((fb[y * cl->width + x] & 0xFFFFFF) ==
                              (display_surface_row(s, y)[x] & 0xFFFFFF),
                          "pixel %d,%d differs: %08x vs %08x", x, y, fb[y * cl->width + x],
                          display_surface_row(s, y)[x]);
}

static vnc_server *start(display_surface *s, const char *password, const vnc_input *in)
{
    vnc_options o = {.port_min = PORT_MIN, .port_max = PORT_MAX, .password = password};
    int err = 0;
    vnc_server *srv = vnc_server_start(s, in, &o, &err);
    ck_assert_msg(srv != NULL, "start failed: %d", err);
    ck_assert_int_ge(vnc_server_port(srv), PORT_MIN);
    return srv;
}

START_TEST(client_sees_the_surface_damage_and_resizes)
{
    display_surface *s = display_surface_new();
    ck_assert_int_eq(display_surface_resize(s, 320, 200), 0);
    display_surface_flush(s);
    fill_pattern(s, 0);
    vnc_server *srv = start(s, NULL, NULL);
    rfbClient *cl = connect_client(vnc_server_port(srv), NULL);
    ck_assert_ptr_nonnull(cl);
    ck_assert(wait_update(cl));
    assert_same(cl, s);

    /* A change in one rectangle: only that region is sent. */
    for (int y = 50; y < 60; y++)
        for (int x = 100; x < 140; x++)
            display_surface_row(s, y)[x] = 0x00FF00;
    display_surface_mark_dirty(s, 100, 50, 40, 10);
    display_surface_flush(s);
    SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, TRUE);
    ck_assert(wait_update(cl));
    ck_assert_int_ge(cap.updates, 1);
    ck_assert_int_ge(cap.last_x, 100);
    ck_assert_int_le(cap.last_x + cap.last_w, 140);
    ck_assert_int_ge(cap.last_y, 50);
    ck_assert_int_le(cap.last_y + cap.last_h, 60);
    assert_same(cl, s);

    /* A resolution change reaches the client as a new desktop size. */
    ck_assert_int_eq(display_surface_resize(s, 400, 300), 0);
    fill_pattern(s, 0x123456);
    display_surface_flush(s);
    for (int i = 0; i < 5 && (cl->width != 400 || cl->height != 300); i++) {
        SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, TRUE);
        wait_update(cl);
    }
    ck_assert_int_eq(cl->width, 400);
    SendFramebufferUpdateRequest(cl, 0, 0, 400, 300, FALSE);
    ck_assert(wait_update(cl));
    assert_same(cl, s);

    disconnect(cl);
    vnc_server_stop(srv);
    display_surface_free(s);
}
END_TEST

START_TEST(password_is_checked)
{
    display_surface *s = display_surface_new();
    vnc_server *srv = start(s, "s3cret", NULL);
    ck_assert_ptr_null(connect_client(vnc_server_port(srv), "wrong"));
    ck_assert_ptr_null(connect_client(vnc_server_port(srv), ""));
    rfbClient *cl = connect_client(vnc_server_port(srv), "s3cret");
    ck_assert_ptr_nonnull(cl);
    ck_assert(wait_update(cl));
    assert_same(cl, s);
    disconnect(cl);
    vnc_server_stop(srv);
    display_surface_free(s);
}
END_TEST

START_TEST(ports_in_use_are_skipped_or_refused)
{
    display_surface *s = display_surface_new();
    vnc_server *a = start(s, NULL, NULL);
    vnc_server *b = start(s, NULL, NULL);
    ck_assert_int_ne(vnc_server_port(a), vnc_server_port(b));
    vnc_options o = {.port = vnc_server_port(a)};
    int err = 0;
    ck_assert_ptr_null(vnc_server_start(s, NULL, &o, &err));
    ck_assert_int_eq(err, -EADDRINUSE);
    vnc_options bad = {.listen = "not-an-address"};
    ck_assert_ptr_null(vnc_server_start(s, NULL, &bad, &err));
    ck_assert_int_eq(err, -EINVAL);
    vnc_server_stop(b);
    vnc_server_stop(a);
    display_surface_free(s);
}
END_TEST

typedef struct sink {
    uint8_t codes[64];
    int ncodes;
    int dx, dy, dz, events;
    uint8_t buttons;
} sink;

static void sink_code(void *opaque, uint8_t c)
{
    sink *k = opaque;
    if (k->ncodes < 64)
        k->codes[k->ncodes++] = c;
}

static void sink_mouse(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
    sink *k = opaque;
    k->dx += dx;
    k->dy += dy;
    k->dz += dz;
    k->buttons = buttons;
    k->events++;
}

static void pump(vnc_server *srv, sink *k, int want_codes, int want_events)
{
    for (int i = 0; i < 500 && (k->ncodes < want_codes || k->events < want_events); i++) {
        struct pollfd p = {vnc_server_input_fd(srv), POLLIN, 0};
        if (poll(&p, 1, 10) > 0)
            vnc_server_dispatch_input(srv);
    }
}

START_TEST(keyboard_and_pointer_reach_the_input_callbacks)
{
    display_surface *s = display_surface_new();
    sink k = {0};
    vnc_input in = {sink_code, sink_mouse, &k};
    vnc_server *srv = start(s, NULL, &in);
    rfbClient *cl = connect_client(vnc_server_port(srv), NULL);
    ck_assert_ptr_nonnull(cl);
    SendKeyEvent(cl, XK_question, TRUE);
    SendKeyEvent(cl, XK_question, FALSE);
    pump(srv, &k, 6, 0);
    ck_assert_int_eq(k.ncodes, 6);
    ck_assert_mem_eq(k.codes, "\x12\x4A\xF0\x12\xF0\x4A", 6);

    SendPointerEvent(cl, 100, 100, 0);
    SendPointerEvent(cl, 110, 95, 1);
    SendPointerEvent(cl, 110, 95, 1 | 16); /* wheel down */
    pump(srv, &k, 0, 3);
    ck_assert_int_eq(k.dx, 10);
    ck_assert_int_eq(k.dy, -5);
    ck_assert_int_eq(k.dz, 1);
    ck_assert_uint_eq(k.buttons, 0x01);
    disconnect(cl);
    vnc_server_stop(srv);
    display_surface_free(s);
}
END_TEST

static Suite *vnc_suite(void)
{
    Suite *s = suite_create("vnc");
    TCase *tc = tcase_create("vnc");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, keymap_plain_extended_and_unknown);
    tcase_add_test(tc, keymap_shifted_symbols_get_shift_around_the_key);
    tcase_add_test(tc, client_sees_the_surface_damage_and_resizes);
    tcase_add_test(tc, password_is_checked);
    tcase_add_test(tc, ports_in_use_are_skipped_or_refused);
    tcase_add_test(tc, keyboard_and_pointer_reach_the_input_callbacks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vnc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

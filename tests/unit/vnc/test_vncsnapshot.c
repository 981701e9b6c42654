/* The VNC server seen by vncsnapshot, a VNC client from the Debian archive: its capture
 * (a JPEG, so compared with a tolerance) shows the surface, and a wrong password is refused. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */

#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "frontends/vnc/vnc.h"

#define VNCSNAPSHOT "/usr/bin/vncsnapshot"

static char tmpdir[] = "/tmp/vireo-vncsnap-XXXXXX";

/* Run argv with a 30 s limit; returns the exit status, or -1. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", 1);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 3000; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static uint8_t *read_jpeg(const char *path, int *w, int *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr e;
    d.err = jpeg_std_error(&e);
    jpeg_create_decompress(&d);
    jpeg_stdio_src(&d, f);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    *w = (int)d.output_width;
    *h = (int)d.output_height;
    uint8_t *rgb = malloc((size_t)*w * *h * 3);
    while (d.output_scanline < d.output_height) {
        uint8_t *row = rgb + (size_t)d.output_scanline * *w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    fclose(f);
    return rgb;
}

/* 16x16 blocks of distinct flat colours: JPEG keeps block centres close. */
static uint32_t block_colour(int bx, int by)
{
    return (uint32_t)((bx * 37) & 0xFF) << 16 | (uint32_t)((by * 53) & 0xFF) << 8 |
           (uint32_t)(((bx + by) * 29) & 0xFF);
}

static int snapshot(int port, const char *passwd_file, const char *out)
{
    char display[32];
    snprintf(display, sizeof(display), "127.0.0.1:%d", port - 5900);
    char *argv[12];
    int n = 0;
    argv[n++] = VNCSNAPSHOT;
    argv[n++] = "-quiet";
    argv[n++] = "-nojpeg";
    argv[n++] = "-quality";
    argv[n++] = "100";
    if (passwd_file) {
        argv[n++] = "-passwd";
        argv[n++] = (char *)passwd_file;
    }
    argv[n++] = display;
    argv[n++] = (char *)out;
    argv[n] = NULL;
    return run(argv);
}

START_TEST(vncsnapshot_captures_the_surface)
{
    ck_assert_msg(access(VNCSNAPSHOT, X_OK) == 0, "vncsnapshot missing: run scripts/bootstrap.sh");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    display_surface *s = display_surface_new();
    ck_assert_int_eq(display_surface_resize(s, 320, 192), 0);
    display_surface_flush(s);
    for (int y = 0; y < 192; y++)
        for (int x = 0; x < 320; x++)
            display_surface_row(s, y)[x] = block_colour(x / 16, y / 16);
    vnc_options o = {.port_min = 47200, .port_max = 47299, .password = "pa55word"};
    int err = 0;
    vnc_server *srv = vnc_server_start(s, NULL, &o, &err);
    ck_assert_ptr_nonnull(srv);

    char good[256], bad[256], shot[256], shot_bad[256];
    snprintf(good, sizeof(good), "%s/good.passwd", tmpdir);
    snprintf(bad, sizeof(bad), "%s/bad.passwd", tmpdir);
    snprintf(shot, sizeof(shot), "%s/shot.jpg", tmpdir);
    snprintf(shot_bad, sizeof(shot_bad), "%s/shot-bad.jpg", tmpdir);
    ck_assert_int_eq(rfbEncryptAndStorePasswd("pa55word", good), 0);
    ck_assert_int_eq(rfbEncryptAndStorePasswd("wrong", bad), 0);

    ck_assert_int_ne(snapshot(vnc_server_port(srv), bad, shot_bad), 0);
    ck_assert_int_ne(access(shot_bad, F_OK), 0);

    ck_assert_int_eq(snapshot(vnc_server_port(srv), good, shot), 0);
    int w = 0, h = 0;
    uint8_t *rgb = read_jpeg(shot, &w, &h);
    ck_assert_ptr_nonnull(rgb);
    ck_assert_int_eq(w, 320);
    ck_assert_int_eq(h, 192);
    for (int by = 0; by < 12; by++) {
        for (int bx = 0; bx < 20; bx++) {
            uint32_t want = block_colour(bx, by);
            const uint8_t *p = rgb + ((size_t)(by * 16 + 8) * w + bx * 16 + 8) * 3;
            int dr = abs(p[0] - (int)(want >> 16)), dg = abs(p[1] - (int)((want >> 8) & 0xFF));
            int db = abs(p[2] - (int)(want & 0xFF));
            ck_assert_msg(dr <= 16 && dg <= 16 && db <= 16, "block %d,%d: %02x%02x%02x vs %06x", bx,
                          by, p[0], p[1], p[2], want);
        }
    }
    free(rgb);
    unlink(shot);
    unlink(good);
    unlink(bad);
    rmdir(tmpdir);
    vnc_server_stop(srv);
    display_surface_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vncsnapshot");
    TCase *tc = tcase_create("vncsnapshot");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, vncsnapshot_captures_the_surface);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

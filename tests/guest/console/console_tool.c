/* Helpers for the console guest tests.
 * console_tool passwd PASSWORD FILE: write a VNC password file as vncsnapshot -passwd reads it.
 * console_tool type PORT PASSWORD TEXT: connect to 127.0.0.1:PORT as a VNC client and type
 *   TEXT (printable ASCII) then Return on its keyboard.
 * console_tool stats IN.jpg [OUT.png]: decode a screenshot (vncsnapshot writes JPEG) and print
 *   WIDTH HEIGHT LIT_PERMILLE LIT_ROWS
 * LIT_PERMILLE: pixels per thousand brighter than the background threshold (luma > 96);
 * LIT_ROWS: 16-pixel bands (a text row in 80x25) holding any lit pixel. A blank screen
 * prints 0 for both. With OUT.png it also writes the decoded image (for a human to look at).
 * Exit 0, or 1 when the file cannot be decoded. */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <rfb/rfb.h>
#include <rfb/rfbclient.h>

#define LIT_LUMA 96
#define BAND     16

struct err_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
};

static void on_error(j_common_ptr cinfo)
{
    longjmp(((struct err_mgr *)cinfo->err)->jb, 1);
}

static unsigned char *decode(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct jpeg_decompress_struct ci;
    struct err_mgr em;
    unsigned char *volatile px = NULL;
    ci.err = jpeg_std_error(&em.pub);
    em.pub.error_exit = on_error;
    if (setjmp(em.jb)) {
        jpeg_destroy_decompress(&ci);
        fclose(f);
        free(px);
        return NULL;
    }
    jpeg_create_decompress(&ci);
    jpeg_stdio_src(&ci, f);
    jpeg_read_header(&ci, TRUE);
    ci.out_color_space = JCS_RGB;
    jpeg_start_decompress(&ci);
    *w = ci.output_width;
    *h = ci.output_height;
    px = malloc((size_t)*w * *h * 3);
    while (px && ci.output_scanline < ci.output_height) {
        JSAMPROW row = px + (size_t)ci.output_scanline * *w * 3;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    fclose(f);
    return px;
}

static int write_png(const char *path, const unsigned char *px, unsigned w, unsigned h)
{
    png_image img = {
        .version = PNG_IMAGE_VERSION, .width = w, .height = h, .format = PNG_FORMAT_RGB};
    return png_image_write_to_file(&img, path, 0, px, (png_int_32)(w * 3), NULL) ? 0 : -1;
}

static int stats(const char *in, const char *out)
{
    unsigned w, h;
    unsigned char *px = decode(in, &w, &h);
    if (!px) {
        fprintf(stderr, "console_tool: cannot decode %s\n", in);
        return 1;
    }
    unsigned long lit = 0;
    unsigned bands = (h + BAND - 1) / BAND, lit_rows = 0;
    for (unsigned b = 0; b < bands; b++) {
        unsigned long band_lit = 0;
        for (unsigned y = b * BAND; y < h && y < (b + 1) * BAND; y++)
            for (unsigned x = 0; x < w; x++) {
                const unsigned char *p = px + ((size_t)y * w + x) * 3;
                unsigned luma = (299u * p[0] + 587u * p[1] + 114u * p[2]) / 1000u;
                band_lit += luma > LIT_LUMA;
            }
        lit += band_lit;
        lit_rows += band_lit > 0;
    }
    printf("%u %u %lu %u\n", w, h, lit * 1000 / ((unsigned long)w * h), lit_rows);
    int r = out ? write_png(out, px, w, h) : 0;
    free(px);
    return r ? 1 : 0;
}

static const char *client_password;

static void quiet(const char *fmt, ...)
{
}

static char *get_password(rfbClient *cl)
{
    return strdup(client_password);
}

static int type_text(const char *port, const char *password, const char *text)
{
    rfbClientLog = rfbClientErr = quiet;
    rfbClient *cl = rfbGetClient(8, 3, 4);
    if (!cl)
        return 1;
    client_password = password;
    cl->GetPassword = get_password;
    free(cl->serverHost);
    cl->serverHost = strdup("127.0.0.1");
    cl->serverPort = atoi(port);
    if (!rfbInitClient(cl, NULL, NULL)) { /* frees cl on failure */
        fprintf(stderr, "console_tool: cannot connect to VNC port %s\n", port);
        return 1;
    }
    for (const char *p = text;; p++) {
        uint32_t key = *p ? (uint8_t)*p : 0xFF0D; /* XK_Return after the text */
        SendKeyEvent(cl, key, TRUE);
        SendKeyEvent(cl, key, FALSE);
        usleep(20000);
        if (!*p)
            break;
    }
    usleep(300000); /* let the server read everything before the connection closes */
    free(cl->frameBuffer); /* the client's, allocated by the default MallocFrameBuffer */
    rfbClientCleanup(cl);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "type"))
        return type_text(argv[2], argv[3], argv[4]);
    if (argc == 4 && !strcmp(argv[1], "passwd"))
        return rfbEncryptAndStorePasswd(argv[2], argv[3]) == 0 ? 0 : 1;
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "stats"))
        return stats(argv[2], argc == 4 ? argv[3] : NULL);
    fprintf(stderr, "usage: console_tool passwd PASSWORD FILE | type PORT PASSWORD TEXT |"
                    " stats IN.jpg [OUT.png]\n");
    return 2;
}

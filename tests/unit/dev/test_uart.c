/* 16550A UART through its ports, and the host backends it talks to. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "devtest.h"
#include "vmm/dev/uart.h"

#define COM1 0x3F8

typedef struct fixture {
    devtest *t;
    uart u;
    chardev *cd;
    int peer; /* our end of the socketpair, -1 without */
    bool level;
    int edges;
} fixture;

static void irq_set(void *opaque, int n, bool level)
{
    fixture *f = opaque;
    ck_assert_int_eq(n, 4);
    if (level && !f->level)
        f->edges++;
    f->level = level;
}

static fixture *setup_with(chardev *cd, int peer)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    f->cd = cd;
    f->peer = peer;
    irq_line line = {.set = irq_set, .opaque = f, .n = 4};
    ck_assert_int_eq(uart_init(&f->u, &f->t->env, COM1, line, cd), 0);
    return f;
}

static fixture *setup_pair(void)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    chardev *cd = chardev_open_fds(sv[0], sv[0], true);
    ck_assert_ptr_nonnull(cd);
    return setup_with(cd, sv[1]);
}

static void teardown(fixture *f)
{
    uart_fini(&f->u, &f->t->env);
    chardev_free(f->cd);
    if (f->peer >= 0)
        close(f->peer);
    devtest_free(f->t);
    free(f);
}

/* One turn of the VM loop's poll for this backend. */
static void pump(chardev *cd, int timeout_ms)
{
    struct pollfd fds[4];
    int n = chardev_pollfds(cd, fds, 4);
    if (n == 0)
        return;
    if (poll(fds, (nfds_t)n, timeout_ms) > 0)
        chardev_dispatch(cd, fds, n);
}

static uint8_t reg(fixture *f, int r)
{
    return inb(f->t, (uint16_t)(COM1 + r));
}

static void wreg(fixture *f, int r, uint8_t v)
{
    outb(f->t, (uint16_t)(COM1 + r), v);
}

START_TEST(test_loopback_and_msr)
{
    fixture *f = setup_with(NULL, -1);
    ck_assert_uint_eq(reg(f, 5), 0x60); /* THRE | TEMT, nothing received */
    wreg(f, 4, 0x10);
    wreg(f, 0, 'A');
    ck_assert_uint_eq(reg(f, 5), 0x61);
    ck_assert_uint_eq(reg(f, 0), 'A');
    ck_assert_uint_eq(reg(f, 5), 0x60);
    /* modem lines loop back: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
    wreg(f, 4, 0x1F);
    ck_assert_uint_eq(reg(f, 6) & 0xF0, 0xF0);
    wreg(f, 4, 0x10 | 0x01);
    ck_assert_uint_eq(reg(f, 6), 0x20 | 0x01 | 0x04 | 0x08); /* DSR; deltas of CTS, RI, DCD */
    ck_assert_uint_eq(reg(f, 6), 0x20);                      /* deltas cleared by the read */
    /* scratch register */
    wreg(f, 7, 0x5A);
    ck_assert_uint_eq(reg(f, 7), 0x5A);
    teardown(f);
}
END_TEST

START_TEST(test_divisor_latch)
{
    fixture *f = setup_with(NULL, -1);
    wreg(f, 1, 0x05); /* IER */
    wreg(f, 3, 0x80); /* DLAB */
    wreg(f, 0, 0x01);
    wreg(f, 1, 0x00);
    ck_assert_uint_eq(reg(f, 0), 0x01);
    ck_assert_uint_eq(reg(f, 1), 0x00);
    wreg(f, 3, 0x03); /* 8N1 */
    ck_assert_uint_eq(reg(f, 1), 0x05);
    ck_assert_uint_eq(f->u.divisor, 1);
    ck_assert_uint_eq(reg(f, 3), 0x03);
    teardown(f);
}
END_TEST

START_TEST(test_fifo_trigger_and_timeout)
{
    fixture *f = setup_pair();
    wreg(f, 2, 0xC7); /* FIFO on, clear, trigger 14 */
    wreg(f, 1, 0x01); /* received data interrupt */
    wreg(f, 4, 0x0B); /* DTR RTS OUT2 */
    ck_assert_uint_eq(reg(f, 2), 0xC1);
    ck_assert_int_eq(write(f->peer, "0123456789abc", 13), 13);
    pump(f->cd, 1000);
    ck_assert_uint_eq(reg(f, 5) & 0x01, 0x01);
    ck_assert_uint_eq(reg(f, 2), 0xC1); /* 13 < 14: no interrupt yet */
    ck_assert(!f->level);
    ck_assert_int_eq(write(f->peer, "d", 1), 1);
    pump(f->cd, 1000);
    ck_assert_uint_eq(reg(f, 2), 0xC4);
    ck_assert(f->level);
    char got[15] = {0};
    for (int i = 0; i < 14; i++)
        got[i] = (char)reg(f, 0);
    ck_assert_str_eq(got, "0123456789abcd");
    ck_assert(!f->level);
    /* a few bytes below the trigger level: character timeout after 4 char times */
    ck_assert_int_eq(write(f->peer, "xyz", 3), 3);
    pump(f->cd, 1000);
    ck_assert_uint_eq(reg(f, 2), 0xC1);
    devtest_advance(f->t, 4 * 10 * 12 * 16 * 1000000000ull / UART_CLOCK_HZ + 1000);
    ck_assert_uint_eq(reg(f, 2), 0xCC);
    ck_assert(f->level);
    ck_assert_uint_eq(reg(f, 0), 'x'); /* reading restarts the timeout */
    ck_assert_uint_eq(reg(f, 2), 0xC1);
    teardown(f);
}
END_TEST

START_TEST(test_thre_interrupt_and_lsr_errors)
{
    fixture *f = setup_with(NULL, -1);
    wreg(f, 4, 0x08); /* OUT2 */
    wreg(f, 1, 0x02); /* THRE interrupt: THR is empty, so at once */
    ck_assert(f->level);
    ck_assert_uint_eq(reg(f, 2), 0x02);
    ck_assert_uint_eq(reg(f, 2), 0x01); /* reading IIR acknowledged it */
    ck_assert(!f->level);
    wreg(f, 0, 'z');
    ck_assert_uint_eq(reg(f, 2), 0x02); /* empty again after the byte left */
    /* OUT2 gates the line */
    wreg(f, 0, 'z');
    wreg(f, 4, 0x00);
    ck_assert(!f->level);
    ck_assert_uint_eq(reg(f, 2), 0x02);
    /* overrun in loopback, FIFO mode: the 17th byte is lost, OE reported once */
    wreg(f, 4, 0x10);
    wreg(f, 2, 0x07);
    wreg(f, 1, 0x05);
    for (int i = 0; i < 17; i++)
        wreg(f, 0, (uint8_t)('a' + i));
    ck_assert_uint_eq(reg(f, 2), 0xC6); /* line status outranks data */
    ck_assert_uint_eq(reg(f, 5), 0x63);
    ck_assert_uint_eq(reg(f, 5), 0x61);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(reg(f, 0), (uint8_t)('a' + i));
    ck_assert_uint_eq(reg(f, 5), 0x60);
    teardown(f);
}
END_TEST

START_TEST(test_socketpair_flow_control)
{
    fixture *f = setup_pair();
    const char *msg = "hello, host";
    for (const char *p = msg; *p; p++)
        wreg(f, 0, (uint8_t)*p);
    char buf[256] = {0};
    ck_assert_int_eq(read(f->peer, buf, sizeof(buf)), (int)strlen(msg));
    ck_assert_str_eq(buf, msg);
    /* 100 bytes in, a 16-byte FIFO: the rest waits in the socket, nothing is lost */
    wreg(f, 2, 0x01);
    uint8_t in[100];
    for (int i = 0; i < 100; i++)
        in[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(write(f->peer, in, sizeof(in)), 100);
    int got = 0;
    for (int round = 0; round < 1000 && got < 100; round++) {
        pump(f->cd, 100);
        ck_assert_uint_le(f->u.rx_count, UART_FIFO_SIZE);
        while (reg(f, 5) & 0x01) {
            ck_assert_uint_eq(reg(f, 0), in[got]);
            got++;
        }
    }
    ck_assert_int_eq(got, 100);
    /* a full FIFO takes nothing, and does not ask to be polled for input */
    ck_assert_int_eq(write(f->peer, in, 20), 20);
    pump(f->cd, 100);
    ck_assert_uint_eq(f->u.rx_count, 16);
    struct pollfd fds[4];
    ck_assert_int_eq(chardev_pollfds(f->cd, fds, 4), 0);
    teardown(f);
}
END_TEST

START_TEST(test_pty_backend)
{
    char *err = NULL;
    chardev *cd = chardev_open("pty", &err);
    ck_assert_msg(cd != NULL, "pty: %s", err ? err : "?");
    ck_assert_int_eq(strncmp(chardev_path(cd), "/dev/pts/", 9), 0);
    fixture *f = setup_with(cd, -1);
    int slave = open(chardev_path(cd), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(slave, 0);
    ck_assert_int_eq(write(slave, "q", 1), 1);
    for (int i = 0; i < 50 && !(reg(f, 5) & 1); i++)
        pump(cd, 100);
    ck_assert_uint_eq(reg(f, 0), 'q');
    wreg(f, 0, 'r');
    char c = 0;
    ck_assert_int_eq(read(slave, &c, 1), 1);
    ck_assert_int_eq(c, 'r');
    close(slave);
    teardown(f);
}
END_TEST

/* Connect to a server backend, exchange a byte each way, disconnect. */
static void exercise_server(chardev *cd, int client)
{
    fixture *f = setup_with(cd, -1);
    ck_assert(!chardev_connected(cd));
    wreg(f, 0, '-'); /* no client: dropped, not queued */
    ck_assert_uint_eq(chardev_dropped(cd), 1);
    for (int i = 0; i < 50 && !chardev_connected(cd); i++)
        pump(cd, 100);
    ck_assert(chardev_connected(cd));
    ck_assert_uint_eq(reg(f, 6) & 0xB0, 0xB0); /* carrier, DSR, CTS with a peer */
    ck_assert_int_eq(write(client, "s", 1), 1);
    for (int i = 0; i < 50 && !(reg(f, 5) & 1); i++)
        pump(cd, 100);
    ck_assert_uint_eq(reg(f, 0), 's');
    wreg(f, 0, 't');
    char c = 0;
    ck_assert_int_eq(read(client, &c, 1), 1);
    ck_assert_int_eq(c, 't');
    close(client);
    for (int i = 0; i < 50 && chardev_connected(cd); i++)
        pump(cd, 100);
    ck_assert(!chardev_connected(cd)); /* back to listening */
    teardown(f);
}

START_TEST(test_unix_server_backend)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/vireo-uart-test-%d.sock", (int)getpid());
    char spec[80];
    snprintf(spec, sizeof(spec), "unix:%s", path);
    char *err = NULL;
    chardev *cd = chardev_open(spec, &err);
    ck_assert_msg(cd != NULL, "unix: %s", err ? err : "?");
    ck_assert_str_eq(chardev_path(cd), path);
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    ck_assert_int_eq(connect(client, (struct sockaddr *)&sa, sizeof(sa)), 0);
    exercise_server(cd, client);
    ck_assert_int_ne(access(path, F_OK), 0); /* the socket file is removed */
}
END_TEST

START_TEST(test_tcp_server_backend)
{
    char *err = NULL;
    chardev *cd = chardev_open("tcp:0", &err);
    ck_assert_msg(cd != NULL, "tcp: %s", err ? err : "?");
    unsigned port = 0;
    ck_assert_int_eq(sscanf(chardev_path(cd), "127.0.0.1:%u", &port), 1);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(client, (struct sockaddr *)&sa, sizeof(sa)), 0);
    exercise_server(cd, client);
}
END_TEST

START_TEST(test_file_backend_and_bad_specs)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/vireo-uart-test-%d.log", (int)getpid());
    char spec[80];
    snprintf(spec, sizeof(spec), "file:%s", path);
    chardev *cd = chardev_open(spec, NULL);
    ck_assert_ptr_nonnull(cd);
    fixture *f = setup_with(cd, -1);
    for (const char *p = "log line\n"; *p; p++)
        wreg(f, 0, (uint8_t)*p);
    struct pollfd fds[4];
    ck_assert_int_eq(chardev_pollfds(cd, fds, 4), 0); /* output only, nothing pending */
    teardown(f);
    FILE *fp = fopen(path, "r");
    char line[32] = {0};
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
    fclose(fp);
    unlink(path);
    ck_assert_str_eq(line, "log line\n");
    const char *bad[] = {
        "bogus", "tcp:70000", "tcp:x", "file:", "unix:", "stdiox", "file:/nonexistent-dir/x"};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *err = NULL;
        ck_assert_ptr_null(chardev_open(bad[i], &err));
        ck_assert_ptr_nonnull(err);
        free(err);
    }
}
END_TEST

START_TEST(test_stdio_backend_raw_mode)
{
    /* stdin/stdout become a pty for the test, and are put back after it. */
    int saved_in = dup(0), saved_out = dup(1);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(m, 0);
    ck_assert_int_eq(grantpt(m), 0);
    ck_assert_int_eq(unlockpt(m), 0);
    int sl = open(ptsname(m), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(sl, 0);
    ck_assert_int_ge(dup2(sl, 0), 0);
    ck_assert_int_ge(dup2(sl, 1), 0);
    struct termios before;
    ck_assert_int_eq(tcgetattr(0, &before), 0);
    ck_assert(before.c_lflag & ICANON);
    chardev *cd = chardev_open("stdio", NULL);
    ck_assert_ptr_nonnull(cd);
    struct termios raw;
    tcgetattr(0, &raw);
    ck_assert(!(raw.c_lflag & (ICANON | ECHO)));
    fixture *f = setup_with(cd, -1);
    ck_assert_int_eq(write(m, "\r", 1), 1); /* Enter arrives as CR, unedited */
    for (int i = 0; i < 50 && !(reg(f, 5) & 1); i++)
        pump(cd, 100);
    ck_assert_uint_eq(reg(f, 0), '\r');
    teardown(f); /* frees the chardev: the terminal is restored */
    struct termios after;
    tcgetattr(0, &after);
    ck_assert(after.c_lflag & ICANON);
    ck_assert(after.c_lflag & ECHO);
    dup2(saved_in, 0);
    dup2(saved_out, 1);
    close(saved_in);
    close(saved_out);
    close(sl);
    close(m);
}
END_TEST

START_TEST(test_four_ports_and_save_load)
{
    devtest *t = devtest_new();
    uart u[4];
    for (int i = 0; i < 4; i++) {
        irq_line none = {0};
        ck_assert_int_eq(uart_init(&u[i], &t->env, uart_pc_base[i], none, NULL), 0);
        outb(t, (uint16_t)(uart_pc_base[i] + 7), (uint8_t)(0x10 + i));
    }
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(inb(t, (uint16_t)(uart_pc_base[i] + 7)), 0x10 + i);
    outb(t, 0x3F8 + 4, 0x10);
    outb(t, 0x3F8, 'k');
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(devreg_save_all(&t->reg, &b), 0);
    devreg_reset_all(&t->reg);
    ck_assert_uint_eq(inb(t, 0x3F8 + 5), 0x60);
    ck_assert_int_eq(devreg_load_all(&t->reg, b.data, b.len), 0);
    ck_assert_uint_eq(inb(t, 0x2E8 + 7), 0x13);
    ck_assert_uint_eq(inb(t, 0x3F8), 'k');
    for (size_t n = 0; n < b.len; n += 5)
        ck_assert_int_ne(devreg_load_all(&t->reg, b.data, n), 0);
    /* a hostile blob: FIFO indexes out of range are refused */
    dev_blob one;
    dev_blob_init(&one);
    uart_save(&u[0], &one);
    one.data[8 + 7] = 200;
    dev_blob rd;
    dev_blob_init_read(&rd, one.data, one.len);
    ck_assert_int_eq(uart_load(&u[0], &rd), -EINVAL);
    dev_blob_free(&one);
    dev_blob_free(&b);
    for (int i = 0; i < 4; i++)
        uart_fini(&u[i], &t->env);
    devtest_free(t);
}
END_TEST

static Suite *uart_suite(void)
{
    Suite *s = suite_create("uart");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_loopback_and_msr);
    tcase_add_test(tc, test_divisor_latch);
    tcase_add_test(tc, test_fifo_trigger_and_timeout);
    tcase_add_test(tc, test_thre_interrupt_and_lsr_errors);
    tcase_add_test(tc, test_socketpair_flow_control);
    tcase_add_test(tc, test_pty_backend);
    tcase_add_test(tc, test_unix_server_backend);
    tcase_add_test(tc, test_tcp_server_backend);
    tcase_add_test(tc, test_file_backend_and_bad_specs);
    tcase_add_test(tc, test_stdio_backend_raw_mode);
    tcase_add_test(tc, test_four_ports_and_save_load);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(uart_suite)

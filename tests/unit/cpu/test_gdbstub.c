/* The GDB stub, driven over a real loopback TCP connection as gdb would: attach, stop
 * reason, registers, memory, a breakpoint hit by continue, a single step, detach. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/cpu/harness.h"
#include "vmm/cpu/gdbstub.h"

static int client(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void send_pkt(int fd, const char *body)
{
    unsigned sum = 0;
    for (const char *p = body; *p; p++)
        sum += (unsigned char)*p;
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "$%s#%02x", body, sum & 0xFF);
    ck_assert_int_eq(send(fd, buf, (size_t)n, 0), n);
}

/* Read one reply packet body (after the '+' ack), letting the stub run first. */
static void recv_pkt(int fd, gdbstub *g, char *out, size_t size)
{
    char buf[2048];
    size_t n = 0;
    for (int tries = 0; tries < 200; tries++) {
        gdbstub_handle(g);
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10) > 0) {
            ssize_t r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
            ck_assert_int_gt(r, 0);
            n += (size_t)r;
            buf[n] = 0;
            char *d = strchr(buf, '$'), *h = d ? strchr(d, '#') : NULL;
            if (h && (size_t)(h - buf) + 3 <= n) {
                snprintf(out, size, "%.*s", (int)(h - d - 1), d + 1);
                return;
            }
        }
    }
    ck_abort_msg("no reply from the stub");
}

static uint32_t reg_from(const char *g, int n)
{
    uint8_t b[4];
    for (int k = 0; k < 4; k++)
        sscanf(g + 8 * n + 2 * k, "%2hhx", &b[k]);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

START_TEST(gdb_attach_regs_memory_breakpoint_step)
{
    tmach *m = tmach_new(1u << 20);
    /* mov eax,1 ; mov eax,2 ; mov eax,3 ; hlt */
    uint8_t code[] = {0xB8, 1, 0, 0, 0, 0xB8, 2, 0, 0, 0, 0xB8, 3, 0, 0, 0, 0xF4};
    tmach_poke(m, 0x2000, code, sizeof(code));
    uint32_t gpr[8] = {0};
    gpr[CPU_ESP] = 0x9000;
    cpu_setup_flat32(m->cpu, 0x2000, gpr);
    char err[128];
    gdbstub *g = gdbstub_new(m->cpu, 0, err, sizeof(err));
    ck_assert_msg(g != NULL, "%s", err);
    /* without a debugger the CPU just runs */
    ck_assert(gdbstub_handle(g));
    int fd = client(gdbstub_port(g));
    ck_assert(!gdbstub_handle(g)); /* attach stops the target */
    ck_assert_int_eq(gdbstub_run(g, 100), CPU_EXIT_DEBUG);
    ck_assert_uint_eq(cpu_instret(m->cpu), 0);
    char r[2048];
    send_pkt(fd, "?");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "S05");
    send_pkt(fd, "g");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_uint_eq(reg_from(r, 8), 0x2000); /* eip */
    ck_assert_uint_eq(reg_from(r, 4), 0x9000); /* esp */
    ck_assert_uint_eq(reg_from(r, 10), 0x10);  /* cs */
    send_pkt(fd, "m2005,5");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "b802000000");
    send_pkt(fd, "m80000000,4");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "E14");
    send_pkt(fd, "Z0,200a,1");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "OK");
    send_pkt(fd, "c");
    for (int k = 0; k < 50 && !gdbstub_handle(g); k++)
        usleep(1000);
    ck_assert_int_eq(gdbstub_run(g, 100), CPU_EXIT_DEBUG);
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "S05");
    cpu_regs regs;
    cpu_get_regs(m->cpu, &regs);
    ck_assert_uint_eq(regs.eip, 0x200A);
    ck_assert_uint_eq(regs.gpr[CPU_EAX], 2);
    send_pkt(fd, "s");
    for (int k = 0; k < 50 && !gdbstub_handle(g); k++)
        usleep(1000);
    ck_assert_int_eq(gdbstub_run(g, 100), CPU_EXIT_DEBUG);
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "S05");
    send_pkt(fd, "p0");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "03000000");
    /* writing memory through the stub changes code that already ran */
    send_pkt(fd, "M2001,1:07");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "OK");
    send_pkt(fd, "D");
    recv_pkt(fd, g, r, sizeof(r));
    ck_assert_str_eq(r, "OK");
    ck_assert_int_eq(gdbstub_run(g, 100), CPU_EXIT_HALT);
    cpu_setup_flat32(m->cpu, 0x2000, gpr);
    ck_assert_int_eq(cpu_run(m->cpu, 1), CPU_EXIT_BUDGET);
    cpu_get_regs(m->cpu, &regs);
    ck_assert_uint_eq(regs.gpr[CPU_EAX], 7);
    close(fd);
    gdbstub_free(g);
    tmach_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gdbstub");
    TCase *tc = tcase_create("protocol");
    tcase_add_test(tc, gdb_attach_regs_memory_breakpoint_step);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

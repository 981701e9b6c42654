#define _GNU_SOURCE
/* GDB remote stub: packet framing, the command set of gdbstub.h, run control. Library code:
 * no printing; socket errors drop the connection and the stub listens again. */
#include "vmm/cpu/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PKT_MAX 4096

struct gdbstub {
    cpu *c;
    int lfd, cfd;
    uint16_t port;
    bool running, stepping;
    char in[PKT_MAX + 8];
    size_t nin;
};

static void set_err(char *err, size_t n, const char *what)
{
    if (err && n)
        snprintf(err, n, "gdbstub: %s: %s", what, strerror(errno));
}

gdbstub *gdbstub_new(cpu *c, uint16_t port, char *err, size_t err_size)
{
    gdbstub *g = calloc(1, sizeof(*g));
    if (!g) {
        set_err(err, err_size, "allocation");
        return NULL;
    }
    g->c = c;
    g->cfd = -1;
    g->running = true;
    g->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (g->lfd < 0 || setsockopt(g->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(g->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(g->lfd, 1) < 0 ||
        getsockname(g->lfd, (struct sockaddr *)&a, &al) < 0) {
        set_err(err, err_size, "listen on 127.0.0.1");
        if (g->lfd >= 0)
            close(g->lfd);
        free(g);
        return NULL;
    }
    g->port = ntohs(a.sin_port);
    return g;
}

void gdbstub_free(gdbstub *g)
{
    if (!g)
        return;
    if (g->cfd >= 0)
        close(g->cfd);
    close(g->lfd);
    free(g);
}

uint16_t gdbstub_port(const gdbstub *g)
{
    return g->port;
}

int gdbstub_fd(const gdbstub *g)
{
    return g->cfd >= 0 ? g->cfd : g->lfd;
}

static void drop(gdbstub *g)
{
    close(g->cfd);
    g->cfd = -1;
    g->nin = 0;
    g->running = true;
    g->stepping = false;
}

static void send_raw(gdbstub *g, const char *s, size_t n)
{
    while (n && g->cfd >= 0) {
        ssize_t w = send(g->cfd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            drop(g);
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void reply(gdbstub *g, const char *body)
{
    char buf[PKT_MAX + 8];
    unsigned sum = 0;
    size_t n = strlen(body);
    if (n > PKT_MAX)
        n = PKT_MAX;
    for (size_t k = 0; k < n; k++)
        sum += (unsigned char)body[k];
    int len = snprintf(buf, sizeof(buf), "$%.*s#%02x", (int)n, body, sum & 0xFF);
    send_raw(g, buf, (size_t)len);
}

static void hex_bytes(char *out, const uint8_t *b, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t k = 0; k < n; k++) {
        out[2 * k] = hx[b[k] >> 4];
        out[2 * k + 1] = hx[b[k] & 15];
    }
    out[2 * n] = 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool unhex(uint8_t *out, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int h = hexval(s[2 * k]), l = hexval(s[2 * k + 1]);
        if (h < 0 || l < 0)
            return false;
        out[k] = (uint8_t)(h << 4 | l);
    }
    return true;
}

/* gdb's i386 register order: eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs,
 * st0..st7 (10 bytes), fctrl fstat ftag fiseg fioff foseg fooff fop. */
enum { NREG32 = 16, NREGS = 32 };

static size_t regs_blob(gdbstub *g, uint8_t *b)
{
    cpu_regs r;
    cpu_get_regs(g->c, &r);
    uint32_t v[NREG32];
    memcpy(v, r.gpr, 32);
    v[8] = r.eip;
    v[9] = r.eflags;
    static const int order[6] = {CPU_SEG_CS, CPU_SEG_SS, CPU_SEG_DS,
                                 CPU_SEG_ES, CPU_SEG_FS, CPU_SEG_GS};
    for (int k = 0; k < 6; k++)
        v[10 + k] = r.seg[order[k]];
    memcpy(b, v, sizeof(v));
    uint8_t st[8][10];
    uint32_t ctl[8];
    cpu_get_fpu(g->c, st, ctl);
    memcpy(b + 64, st, 80);
    memcpy(b + 144, ctl, 32);
    return 176;
}

static void set_reg32(gdbstub *g, int n, uint32_t val)
{
    cpu_regs r;
    cpu_get_regs(g->c, &r);
    static const int segs[6] = {CPU_SEG_CS, CPU_SEG_SS, CPU_SEG_DS,
                                CPU_SEG_ES, CPU_SEG_FS, CPU_SEG_GS};
    if (n < 8)
        r.gpr[n] = val;
    else if (n == 8)
        r.eip = val;
    else if (n == 9)
        r.eflags = val;
    else if (n < 16)
        r.seg[segs[n - 10]] = (uint16_t)val;
    else
        return; /* x87 registers are read-only here */
    cpu_set_regs(g->c, &r);
}

static void cmd_mem(gdbstub *g, const char *p, bool write)
{
    char *end;
    unsigned long addr = strtoul(p, &end, 16), len;
    if (*end != ',') {
        reply(g, "E01");
        return;
    }
    len = strtoul(end + 1, &end, 16);
    if (len > (PKT_MAX - 4) / 2) {
        reply(g, "E01");
        return;
    }
    uint8_t buf[PKT_MAX / 2];
    if (!write) {
        if (cpu_read_linear(g->c, (uint32_t)addr, buf, (unsigned)len) < 0) {
            reply(g, "E14");
            return;
        }
        char out[PKT_MAX + 1];
        hex_bytes(out, buf, len);
        reply(g, out);
        return;
    }
    if (*end != ':' || strlen(end + 1) < 2 * len || !unhex(buf, end + 1, len) ||
        cpu_write_linear(g->c, (uint32_t)addr, buf, (unsigned)len) < 0) {
        reply(g, "E14");
        return;
    }
    reply(g, "OK");
}

static void cmd_break(gdbstub *g, const char *p, bool on)
{
    if (p[0] != '0' || p[1] != ',') {
        reply(g, ""); /* only software breakpoints */
        return;
    }
    uint32_t addr = (uint32_t)strtoul(p + 2, NULL, 16);
    int r = cpu_set_breakpoint(g->c, addr, on);
    reply(g, r == 0 || (!on && r == -ENOENT) ? "OK" : "E28");
}

static void resume(gdbstub *g, bool step)
{
    g->running = true;
    g->stepping = step;
}

static void dispatch(gdbstub *g, char *p)
{
    char out[PKT_MAX + 1];
    uint8_t blob[256];
    switch (p[0]) {
    case '?': reply(g, "S05"); return;
    case 'g':
        hex_bytes(out, blob, regs_blob(g, blob));
        reply(g, out);
        return;
    case 'G': {
        size_t n = strlen(p + 1) / 2;
        if (n > sizeof(blob) || !unhex(blob, p + 1, n) || n < 64) {
            reply(g, "E01");
            return;
        }
        for (int k = 0; k < NREG32; k++) {
            uint32_t v;
            memcpy(&v, blob + 4 * k, 4);
            set_reg32(g, k, v);
        }
        reply(g, "OK");
        return;
    }
    case 'p': {
        unsigned n = (unsigned)strtoul(p + 1, NULL, 16);
        size_t len = regs_blob(g, blob);
        (void)len;
        if (n < NREG32)
            hex_bytes(out, blob + 4 * n, 4);
        else if (n < 24)
            hex_bytes(out, blob + 64 + 10 * (n - 16), 10);
        else if (n < NREGS)
            hex_bytes(out, blob + 144 + 4 * (n - 24), 4);
        else {
            reply(g, "E01");
            return;
        }
        reply(g, out);
        return;
    }
    case 'P': {
        char *eq = strchr(p, '=');
        uint8_t v[4];
        if (!eq || strlen(eq + 1) < 8 || !unhex(v, eq + 1, 4)) {
            reply(g, "E01");
            return;
        }
        uint32_t val;
        memcpy(&val, v, 4);
        set_reg32(g, (int)strtoul(p + 1, NULL, 16), val);
        reply(g, "OK");
        return;
    }
    case 'm': cmd_mem(g, p + 1, false); return;
    case 'M': cmd_mem(g, p + 1, true); return;
    case 'c': resume(g, false); return;
    case 's': resume(g, true); return;
    case 'Z': cmd_break(g, p + 1, true); return;
    case 'z': cmd_break(g, p + 1, false); return;
    case 'H': reply(g, "OK"); return;
    case 'T': reply(g, "OK"); return;
    case 'D':
        reply(g, "OK");
        cpu_clear_breakpoints(g->c);
        drop(g);
        return;
    case 'k':
        cpu_clear_breakpoints(g->c);
        drop(g);
        return;
    case 'v':
        if (!strcmp(p, "vCont?"))
            reply(g, "vCont;c;C;s;S");
        else if (!strncmp(p, "vCont;c", 7) || !strncmp(p, "vCont;C", 7))
            resume(g, false);
        else if (!strncmp(p, "vCont;s", 7) || !strncmp(p, "vCont;S", 7))
            resume(g, true);
        else
            reply(g, "");
        return;
    case 'q':
        if (!strncmp(p, "qSupported", 10))
            reply(g, "PacketSize=1000");
        else if (!strcmp(p, "qAttached"))
            reply(g, "1");
        else if (!strcmp(p, "qC"))
            reply(g, "QC1");
        else if (!strcmp(p, "qfThreadInfo"))
            reply(g, "m1");
        else if (!strcmp(p, "qsThreadInfo"))
            reply(g, "l");
        else
            reply(g, "");
        return;
    default: reply(g, ""); return;
    }
}

/* Take complete packets out of the input buffer. */
static void parse(gdbstub *g)
{
    size_t k = 0;
    while (k < g->nin) {
        char ch = g->in[k];
        if (ch == 0x03) { /* Ctrl-C */
            g->running = false;
            g->stepping = false;
            reply(g, "S02");
            k++;
            continue;
        }
        if (ch != '$') {
            k++; /* acks and noise */
            continue;
        }
        char *hash = memchr(g->in + k, '#', g->nin - k);
        if (!hash || (size_t)(hash - g->in) + 3 > g->nin)
            break; /* incomplete */
        *hash = 0;
        send_raw(g, "+", 1);
        if (g->cfd < 0)
            return;
        dispatch(g, g->in + k + 1);
        if (g->cfd < 0)
            return;
        k = (size_t)(hash - g->in) + 3;
    }
    memmove(g->in, g->in + k, g->nin - k);
    g->nin -= k;
}

bool gdbstub_handle(gdbstub *g)
{
    if (g->cfd < 0) {
        int fd = accept4(g->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            g->cfd = fd;
            g->running = false; /* gdb expects a stopped target when it attaches */
            g->nin = 0;
        }
        return g->running;
    }
    for (;;) {
        if (g->nin >= sizeof(g->in) - 1) {
            g->nin = 0; /* oversized garbage: drop it */
        }
        ssize_t n = recv(g->cfd, g->in + g->nin, sizeof(g->in) - 1 - g->nin, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            drop(g);
            break;
        }
        if (n < 0)
            break;
        g->nin += (size_t)n;
        parse(g);
        if (g->cfd < 0)
            break;
    }
    return g->running;
}

cpu_exit gdbstub_run(gdbstub *g, uint64_t budget)
{
    if (g->cfd < 0)
        return cpu_run(g->c, budget);
    if (!g->running)
        return CPU_EXIT_DEBUG;
    cpu_exit e = cpu_run(g->c, g->stepping ? 1 : budget);
    if (g->stepping || e == CPU_EXIT_DEBUG || e == CPU_EXIT_SHUTDOWN) {
        g->running = false;
        g->stepping = false;
        reply(g, "S05");
        return CPU_EXIT_DEBUG;
    }
    return e;
}

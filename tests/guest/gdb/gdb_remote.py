#!/usr/bin/python3
"""vireo-headless --gdb --gdb-wait with a small GDB remote protocol client.

Usage: gdb_remote.py VIREO_HEADLESS HELLO_BIN

The machine must wait at the Multiboot entry point until the client attaches; the client reads
the registers, sets a breakpoint a few instructions in, continues, checks the stop and the
memory there, single-steps, detaches, and the program must then run to its usual end (its
serial output and debug exit status). With gdb installed, gdb itself attaches once too."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

MB_MAGIC = 0x1BADB002


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def multiboot_header(image):
    """(load_addr, entry_addr) of the a.out-kludge Multiboot header."""
    for off in range(0, min(len(image), 8192) - 32, 4):
        magic, flags, csum = struct.unpack_from("<III", image, off)
        if magic == MB_MAGIC and (magic + flags + csum) & 0xFFFFFFFF == 0:
            if not flags & 0x10000:
                fail("hello.bin has no address fields in its Multiboot header")
            header_addr, load_addr = struct.unpack_from("<II", image, off + 12)
            entry = struct.unpack_from("<I", image, off + 28)[0]
            return header_addr - off, entry  # the file's first byte is loaded here
    fail("no Multiboot header in hello.bin")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Remote:
    def __init__(self, port):
        deadline = time.time() + 30
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                if time.time() > deadline:
                    fail("cannot connect to the gdb stub on port %d" % port)
                time.sleep(0.1)
        self.buf = b""

    def _byte(self):
        if not self.buf:
            data = self.sock.recv(4096)
            if not data:
                fail("the stub closed the connection")
            self.buf = data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, body):
        data = body.encode()
        pkt = b"$" + data + b"#%02x" % (sum(data) & 0xFF)
        self.sock.sendall(pkt)
        ack = self._byte()
        if ack != b"+":
            fail("no ack for %r: got %r" % (body, ack))

    def recv(self):
        while self._byte() != b"$":
            pass
        body = b""
        while True:
            b = self._byte()
            if b == b"#":
                break
            body += b
        csum = self._byte() + self._byte()
        if int(csum, 16) != sum(body) & 0xFF:
            fail("bad checksum on %r" % body)
        self.sock.sendall(b"+")
        return body.decode()

    def cmd(self, body):
        self.send(body)
        return self.recv()

    def regs(self):
        r = self.cmd("g")
        if len(r) < 16 * 8:
            fail("short register reply %r" % r)
        return [struct.unpack("<I", bytes.fromhex(r[8 * k:8 * k + 8]))[0] for k in range(16)]


def stop_signal(reply):
    if len(reply) < 3 or reply[0] not in "ST" or reply[1:3] != "05":
        fail("expected a SIGTRAP stop reply, got %r" % reply)


def check_gdb(headless, image, entry):
    """Real gdb attaches to a waiting machine and reads EIP."""
    port = free_port()
    proc = subprocess.Popen([headless, "--multiboot", image, "--gdb", str(port), "--gdb-wait"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        out = subprocess.run(["gdb", "-nx", "-batch", "-ex", "set architecture i386",
                              "-ex", "target remote 127.0.0.1:%d" % port,
                              "-ex", "printf \"EIP=%x\\n\", $eip", "-ex", "kill"],
                             capture_output=True, text=True, timeout=120)
        if "EIP=%x" % entry not in out.stdout:
            fail("gdb did not see EIP at the entry point:\n%s\n%s" % (out.stdout, out.stderr))
        print("gdb: " + [l for l in out.stdout.splitlines() if l.startswith("EIP=")][0])
    finally:
        proc.kill()
        proc.wait()


def main():
    headless, image_path = sys.argv[1], sys.argv[2]
    image = open(image_path, "rb").read()
    load, entry = multiboot_header(image)
    # _start: cli (1 byte); mov esp, imm32 (5); mov [mb_eax], eax (5): break on the third.
    off = entry - load
    if image[off] != 0xFA or image[off + 1] != 0xBC or image[off + 6] != 0xA3:
        fail("hello.bin's entry code is not cli; mov esp; mov [mem], eax")
    stack_top = struct.unpack_from("<I", image, off + 2)[0]
    mb_eax = struct.unpack_from("<I", image, off + 7)[0]
    bp = entry + 6

    port = free_port()
    tmp = tempfile.mkdtemp()
    serial = os.path.join(tmp, "serial.txt")
    proc = subprocess.Popen([headless, "--multiboot", image_path, "--serial", "file:" + serial,
                             "--debugcon", "--gdb", str(port), "--gdb-wait"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)
        if proc.poll() is not None:
            fail("vireo-headless exited before gdb attached: %s" % proc.stderr.read().decode())
        g = Remote(port)
        stop_signal(g.cmd("?"))
        r = g.regs()
        if r[8] != entry:
            fail("EIP %#x at attach, expected the Multiboot entry %#x" % (r[8], entry))
        if r[0] != 0x2BADB002:
            fail("EAX %#x at attach, expected the Multiboot magic" % r[0])
        if g.cmd("Z0,%x,1" % bp) != "OK":
            fail("Z0 refused")
        stop_signal(g.cmd("c"))
        r = g.regs()
        if r[8] != bp:
            fail("stopped at EIP %#x, expected the breakpoint %#x" % (r[8], bp))
        if r[4] != stack_top:
            fail("ESP %#x after mov esp, expected %#x" % (r[4], stack_top))
        mem = g.cmd("m%x,10" % entry)
        if bytes.fromhex(mem) != image[off:off + 16]:
            fail("memory at the entry %s differs from the image %s" % (mem,
                                                                        image[off:off + 16].hex()))
        if g.cmd("z0,%x,1" % bp) != "OK":
            fail("z0 refused")
        stop_signal(g.cmd("s"))
        r = g.regs()
        if r[8] != bp + 5:
            fail("after a step EIP %#x, expected %#x" % (r[8], bp + 5))
        if g.cmd("m%x,4" % mb_eax) != "02b0ad2b":
            fail("mb_eax after the step is not the Multiboot magic")
        if g.cmd("D") != "OK":
            fail("detach refused")
        g.sock.close()
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode(errors="replace")
    text = open(serial, errors="replace").read()
    shutil.rmtree(tmp)
    if proc.returncode != 1:  # debug exit (0 << 1) | 1: no check failed
        fail("exit status %d, expected 1\nstderr:\n%s" % (proc.returncode, err))
    if "hello from the serial port" not in text or "hello from port e9" not in err:
        fail("the program's output is missing\nserial:\n%s\nstderr:\n%s" % (text, err))
    if "done fails=00000000" not in err:
        fail("the program did not finish cleanly:\n%s" % err)
    print("gdb remote: entry %#x, breakpoint %#x, step, detach: program finished" % (entry, bp))
    if shutil.which("gdb"):
        check_gdb(headless, image_path, entry)
    else:
        print("gdb not installed: only the protocol client ran")


if __name__ == "__main__":
    main()

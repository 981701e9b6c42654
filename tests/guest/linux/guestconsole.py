"""Talk to the default guest's serial console: wait for text, send command lines.

Shared by the guest tests (QEMU as the oracle, vireo-headless as the system under test) and
by bench/boot. The console is any byte stream: a child's stdout/stdin pipes or a socket.
"""
import os
import re
import select
import subprocess
import time

MARKER = "VIREO-GUEST-READY"
PROMPT = re.compile(r"vireo-guest:[^#\r\n]*# ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def prepare_guest(script):
    """Run scripts/prepare-guest.sh; return (folder, kernel release, default cmdline)."""
    out = subprocess.run(["sh", script], check=True, stdout=subprocess.PIPE, text=True)
    folder = out.stdout.strip().splitlines()[-1]
    with open(os.path.join(folder, "VERSION")) as f:
        pkg = f.readline().split()[1]  # "kernel linux-image-<release> <version>"
    release = pkg[len("linux-image-"):]
    with open(os.path.join(folder, "cmdline")) as f:
        cmdline = f.read().strip()
    return folder, release, cmdline


class Timeout(Exception):
    pass


class Console:
    """A serial console over file descriptors (rfd to read, wfd to write)."""

    def __init__(self, rfd, wfd, log=None):
        self.rfd, self.wfd, self.log = rfd, wfd, log
        self.buf = ""     # text not yet consumed by expect()
        self.seen = ""    # everything received, for error messages
        self.eof = False

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.rfd], [], [], left)
        if not r:
            return False
        data = os.read(self.rfd, 65536)
        if not data:
            self.eof = True
            return False
        if self.log:
            self.log.write(data)
            self.log.flush()
        text = ANSI.sub("", data.decode("utf-8", "replace")).replace("\r", "")
        self.buf += text
        self.seen += text
        return True

    def expect(self, pattern, timeout):
        """Wait for `pattern` (regex or str); return the text up to and including it."""
        rx = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                got = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return got
            if self.eof or not self._read(deadline):
                tail = self.seen[-2000:]
                why = "end of stream" if self.eof else "timeout after %gs" % timeout
                raise Timeout("waiting for %r: %s; last output:\n%s" % (rx.pattern, why, tail))

    def send(self, line):
        os.write(self.wfd, (line + "\n").encode())

    def command(self, line, timeout=30):
        """Send a shell command; return its output (the echo and the next prompt removed)."""
        self.send(line)
        out = self.expect(PROMPT, timeout)
        out = PROMPT.sub("", out)
        lines = out.split("\n")
        if lines and lines[0].strip().endswith(line.strip()):
            lines = lines[1:]
        return "\n".join(lines).strip()

    def wait_eof(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._read(deadline) and not self.eof and time.monotonic() >= deadline:
                raise Timeout("console still open after %gs" % timeout)
        return True


def boot_to_shell(con, timeout):
    """Wait for the init marker and the first prompt; return seconds waited."""
    t0 = time.monotonic()
    con.expect(MARKER, timeout)
    con.expect(PROMPT, max(1.0, timeout - (time.monotonic() - t0)))
    return time.monotonic() - t0


def check_uname(con, release, timeout=30):
    out = con.command("uname -a", timeout)
    fields = out.split()
    assert len(fields) >= 3 and fields[0] == "Linux", "uname -a answered %r" % out
    assert fields[1] == "vireo-guest", "hostname in uname: %r" % out
    assert fields[2] == release, "kernel release %r, expected %r" % (fields[2], release)
    assert re.search(r"\bi[3-6]86\b", out), "no i386-class machine in %r" % out
    return out

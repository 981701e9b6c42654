#!/usr/bin/python3
"""Guest test: the default guest, booted directly on vireo-headless with --vnc auto and a
VNC password, shows its kernel console on the VGA text screen, reachable over VNC.

One boot: the serial console (a unix socket) waits for the shell; vncsnapshot then captures
the screen: without the password it is refused; with it the picture is 720x400 (80x25 text,
9x16 cells) with kernel messages on most rows. Clearing the VGA console from the shell
(/dev/tty1) empties the picture, and lines written there appear in the next capture: the
screen follows the guest live. A line typed on the VNC keyboard (console_tool type) is read
from tty1 by the guest (keyboard path end to end). `poweroff` ends the VM with exit 0, and the password never
appears in vireo-headless's output.
usage: vnc_console.py PREPARE_SCRIPT VIREO_HEADLESS CONSOLE_TOOL"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
import guestconsole as gc  # noqa: E402

BOOT_TIMEOUT = float(os.environ.get("VIREO_BOOT_TIMEOUT", "800"))
PASSWORD = "Vireo-7q"  # VNC uses 8 characters


def wait_for(what, fn, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        if proc.poll() is not None:
            raise AssertionError("vireo-headless exited early with %d" % proc.returncode)
        time.sleep(0.05)
    raise AssertionError("timeout waiting for " + what)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return s
    except OSError:
        s.close()
        return None


def snapshot(port, passwd, out):
    argv = ["vncsnapshot", "-quiet", "-quality", "95"]
    if passwd:
        argv += ["-passwd", passwd]
    argv += ["127.0.0.1:%d" % (port - 5900), out]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=60).returncode


def stats(tool, jpg):
    out = subprocess.run([tool, "stats", jpg, jpg + ".png"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split()
    w, h, lit, rows = (int(x) for x in out)
    return w, h, lit, rows


def capture(tool, port, passwd, path):
    rc = snapshot(port, passwd, path)
    assert rc == 0 and os.path.exists(path), "vncsnapshot with the password failed (%d)" % rc
    s = stats(tool, path)
    print("%s: %dx%d, %d/1000 pixels lit, %d of 25 text rows lit" % (
        os.path.basename(path), *s))
    return s


def main():
    prepare, headless, tool = sys.argv[1:4]
    assert shutil.which("vncsnapshot"), "vncsnapshot missing: run scripts/bootstrap.sh"
    folder, release, cmdline = gc.prepare_guest(prepare)
    tmp = tempfile.mkdtemp(prefix="vireo-console-")
    sock_path = os.path.join(tmp, "com1.sock")
    plain = os.path.join(tmp, "vnc-password")
    with open(plain, "w") as f:
        f.write(PASSWORD + "\n")
    passwd = os.path.join(tmp, "vnc.passwd")
    subprocess.run([tool, "passwd", PASSWORD, passwd], check=True)
    # tty0 (the VGA console) gets the kernel log too; ttyS0, last, stays /dev/console.
    argv = [headless, "--kernel", os.path.join(folder, "vmlinuz"),
            "--initrd", os.path.join(folder, "initrd.gz"),
            "--append", "console=tty0 %s tsc_early_khz=1000000" % cmdline, "--memory", "128",
            "--serial", "unix:" + sock_path, "--vnc", "auto", "--vnc-password-file", plain]
    errpath = os.path.join(tmp, "stderr.log")
    errlog = open(errpath, "w+")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=errlog, stderr=errlog)

    def errtext():
        with open(errpath) as f:
            return f.read()
    try:
        m = wait_for("the VNC address on stderr",
                     lambda: re.search(r"VNC server on 127\.0\.0\.1:(\d+)", errtext()), proc, 30)
        port = int(m.group(1))
        assert 5900 <= port <= 5999, "auto picked port %d" % port
        print("vireo-headless: VNC on port %d" % port)
        sock = wait_for("the serial socket", lambda: connect(sock_path), proc, 30)
        con = gc.Console(sock.fileno(), sock.fileno())
        t0 = time.monotonic()
        gc.boot_to_shell(con, BOOT_TIMEOUT)
        print("booted to the shell in %.1fs" % (time.monotonic() - t0))

        refused = os.path.join(tmp, "refused.jpg")
        assert snapshot(port, None, refused) != 0, "VNC without the password was accepted"
        assert not os.path.exists(refused), "a capture was written without the password"

        w, h, lit, rows = capture(tool, port, passwd, os.path.join(tmp, "boot.jpg"))
        assert (w, h) == (720, 400), "screen is %dx%d, expected 80x25 text (720x400)" % (w, h)
        assert 5 <= lit <= 500, "screen is blank or flat: %d/1000 pixels lit" % lit
        assert rows >= 15, "kernel messages on only %d of 25 rows" % rows

        # The screen follows the guest: clear the VGA console, then write three lines.
        con.command("printf '\\033[H\\033[2J' > /dev/tty1")
        time.sleep(0.5)
        _, _, lit_c, rows_c = capture(tool, port, passwd, os.path.join(tmp, "clear.jpg"))
        assert rows_c <= 2, "after clearing, %d rows still lit" % rows_c
        con.command("for i in 1 2 3; do echo VIREO-VGA-LINE-$i-XXXXXXXXXXXXXXXXXXXXXXXX; done"
                    " > /dev/tty1")
        time.sleep(0.5)
        _, _, lit_w, rows_w = capture(tool, port, passwd, os.path.join(tmp, "lines.jpg"))
        assert 3 <= rows_w <= 5, "after writing 3 lines, %d rows lit" % rows_w
        assert lit_w > lit_c, "writing text did not light more pixels"

        # The VNC keyboard reaches the guest: a reader on the VGA console's tty gets a line
        # typed through VNC (VNC client -> input queue -> VM loop -> i8042 -> IRQ 1 -> tty1).
        con.command("head -n 1 /dev/tty1 > /tmp/typed &")
        time.sleep(1)
        subprocess.run([tool, "type", str(port), PASSWORD, "vireo-typed-42"], check=True,
                       timeout=60)
        typed = ""
        for _ in range(20):
            typed = con.command("cat /tmp/typed", 60)
            if "vireo-typed-42" in typed:
                break
            time.sleep(1)
        assert "vireo-typed-42" in typed, "typed over VNC, tty1 read %r" % typed
        print("a line typed over VNC reached the guest's tty1")

        con.send("poweroff")
        rc = proc.wait(timeout=120)
        err = errtext()
        assert rc == 0, "vireo-headless exited with %d after poweroff:\n%s" % (rc, err)
        assert PASSWORD not in err, "the VNC password appears in vireo-headless's output"
        print("poweroff ended vireo-headless (exit 0); the password was never printed")
    except Exception:
        sys.stderr.write("vireo-headless output:\n" + errtext()[-3000:])
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

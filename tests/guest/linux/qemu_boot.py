#!/usr/bin/python3
"""Guest test (oracle): the default guest boots under qemu-system-i386 (TCG) to the busybox
shell on ttyS0, answers commands, keeps the host's time, and powers off.

This proves the prepared guest image itself; the same checks then run on vireo-headless.
usage: qemu_boot.py PREPARE_SCRIPT [QEMU]"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestconsole as gc  # noqa: E402


def main():
    prepare = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else "qemu-system-i386"
    folder, release, cmdline = gc.prepare_guest(prepare)
    argv = [qemu, "-accel", "tcg", "-m", "128", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot",
            "-kernel", os.path.join(folder, "vmlinuz"),
            "-initrd", os.path.join(folder, "initrd.gz"), "-append", cmdline]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    con = gc.Console(proc.stdout.fileno(), proc.stdin.fileno())
    try:
        secs = gc.boot_to_shell(con, 120)
        print("booted to the shell in %.2fs" % secs)
        print(gc.check_uname(con, release))
        cpuinfo = con.command("cat /proc/cpuinfo")
        assert "vendor_id" in cpuinfo and "flags" in cpuinfo, cpuinfo
        guest_now = int(con.command("date +%s").split()[-1])
        skew = abs(guest_now - time.time())
        assert skew < 5, "guest clock off by %.1fs" % skew
        print("guest clock within %.1fs of the host" % skew)
        con.send("poweroff")
        rc = proc.wait(timeout=60)
        assert rc == 0, "qemu exited with %d after poweroff" % rc
        print("poweroff ended qemu")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()

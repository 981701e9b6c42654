#!/usr/bin/python3
"""Guest test: the default guest boots on vireo-headless by direct boot to the busybox shell,
with its serial console on a unix socket that this test talks to. Commands answer, the guest
clock follows the host's, an idle guest at its prompt uses under a tenth of a host core,
`reboot` resets the machine and boots the kernel again, and `poweroff` inside the guest ends
the VM process cleanly.
Same checks as qemu_boot.py (the oracle).
usage: vireo_boot.py PREPARE_SCRIPT VIREO_HEADLESS"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestconsole as gc  # noqa: E402

BOOT_TIMEOUT = float(os.environ.get("VIREO_BOOT_TIMEOUT", "1200"))
# A command on an ASan build of the interpreter, on a loaded host, can take minutes.
CMD_TIMEOUT = 240


def connect(path, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("vireo-headless exited early with %d" % proc.returncode)
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            time.sleep(0.02)
    raise AssertionError("no serial socket at %s" % path)


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_share(pid, seconds):
    """Share of one host core the process used over `seconds` of wall time."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def main():
    prepare, headless = sys.argv[1], sys.argv[2]
    folder, release, cmdline = gc.prepare_guest(prepare)
    tmp = tempfile.mkdtemp(prefix="vireo-guest-")
    sock_path = os.path.join(tmp, "com1.sock")
    # Vireo's TSC runs at 1 GHz, but its CPUID does not say so yet (no leaf 0x15), and on a
    # slow (ASan) or loaded host the kernel's PIT calibration of the TSC fails: it then keeps
    # time with timer ticks, which get lost when the interpreter falls behind. Give the rate.
    cmdline += " tsc_early_khz=1000000"
    argv = [headless, "--kernel", os.path.join(folder, "vmlinuz"),
            "--initrd", os.path.join(folder, "initrd.gz"), "--append", cmdline,
            "--memory", "128", "--serial", "unix:" + sock_path]
    errlog = open(os.path.join(tmp, "stderr.log"), "w+")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=errlog)
    try:
        sock = connect(sock_path, proc)
        con = gc.Console(sock.fileno(), sock.fileno())
        con.expect(gc.MARKER, BOOT_TIMEOUT)
        con.expect(gc.PROMPT, 120)
        print("booted to the shell in %.1fs" % (time.monotonic() - t0))
        print(gc.check_uname(con, release, CMD_TIMEOUT))
        print(con.command("dmesg | grep -iE 'tsc|clocksource' | tail -n 4", CMD_TIMEOUT))
        cpuinfo = con.command("cat /proc/cpuinfo", CMD_TIMEOUT)
        for field in ("vendor_id", "cpu family", "model name", "flags"):
            assert field in cpuinfo, "no %r in /proc/cpuinfo:\n%s" % (field, cpuinfo)
        print(cpuinfo.splitlines()[1] if len(cpuinfo.splitlines()) > 1 else cpuinfo)
        idle = idle_share(proc.pid, 5.0)
        print("idle at the prompt: %.1f%% of a host core" % (idle * 100))
        assert idle < 0.10, "an idle guest uses %.1f%% of a core (limit 10%%)" % (idle * 100)
        guest_now = int(con.command("date +%s", CMD_TIMEOUT).split()[-1])
        skew = abs(guest_now - time.time())
        assert skew < 5, "guest clock off by %.1fs" % skew
        print("guest clock within %.1fs of the host" % skew)
        # A guest reboot resets the machine and direct boot loads the kernel again.
        con.send("reboot")
        con.expect("Linux version", BOOT_TIMEOUT)
        gc.boot_to_shell(con, BOOT_TIMEOUT)
        assert con.command("uname -r", CMD_TIMEOUT).split()[-1] == release
        print("reboot: the machine reset and booted the kernel again")
        con.send("poweroff")
        rc = proc.wait(timeout=300)
        errlog.seek(0)
        err = errlog.read()
        assert rc == 0, "vireo-headless exited with %d after poweroff:\n%s" % (rc, err)
        assert "powering off" in err, err
        print("poweroff ended vireo-headless (exit 0)")
    except Exception:
        errlog.seek(0)
        sys.stderr.write("vireo-headless stderr:\n" + errlog.read()[-3000:])
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()

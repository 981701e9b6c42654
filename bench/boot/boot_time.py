#!/usr/bin/python3
"""Boot-to-shell time of the default guest, side by side: qemu-system-i386 (TCG) and
vireo-headless, same kernel, initramfs, command line and memory (direct boot, 128 MiB).

Boot-to-shell = from starting the VM process to the busybox prompt on the serial console.
Also reports the VM process's peak RSS (ru_maxrss) and CPU time for the whole run.
usage: boot_time.py PREPARE_SCRIPT VIREO_HEADLESS [RUNS]"""
import os
import subprocess
import sys
import time

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "guest",
                    "linux"))
import guestconsole as gc  # noqa: E402

TIMEOUT = 600


def reap(proc, timeout):
    """Wait for the child (killing it after `timeout`); return its own rusage."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return ru
        if time.monotonic() > deadline:
            proc.kill()
            deadline = float("inf")
        time.sleep(0.05)


def one_boot(argv):
    """Boot once; return (seconds to the prompt, peak RSS MiB, CPU seconds) or raise."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    con = gc.Console(proc.stdout.fileno(), proc.stdin.fileno())
    try:
        con.expect(gc.MARKER, TIMEOUT)
        con.expect(gc.PROMPT, TIMEOUT)
        secs = time.monotonic() - t0
        con.send("poweroff")
    finally:
        ru = reap(proc, 30)
    return secs, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime


def measure(name, argv, runs):
    times, rss, cpu = [], 0.0, 0.0
    for _ in range(runs):
        try:
            s, r, c = one_boot(argv)
        except Exception as e:  # report, keep the other system's numbers
            print("%-15s failed: %s" % (name, str(e).splitlines()[0]))
            return None
        times.append(s)
        rss, cpu = max(rss, r), c
    best = min(times)
    print("%-15s boot-to-shell best %.2fs (runs: %s)  peak RSS %.0f MiB  CPU %.1fs/run" %
          (name, best, " ".join("%.2f" % t for t in times), rss, cpu))
    return best


def main():
    prepare, headless = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    folder, release, cmdline = gc.prepare_guest(prepare)
    kernel = os.path.join(folder, "vmlinuz")
    initrd = os.path.join(folder, "initrd.gz")
    print("guest: %s, %s, 128 MiB, append %r" % (release, os.path.basename(initrd), cmdline))
    qemu = measure("qemu (TCG)", ["qemu-system-i386", "-accel", "tcg", "-m", "128",
                                  "-display", "none", "-monitor", "none", "-serial", "stdio",
                                  "-no-reboot", "-kernel", kernel, "-initrd", initrd,
                                  "-append", cmdline], runs)
    vireo = None
    if os.access(headless, os.X_OK):
        vireo = measure("vireo-headless", [headless, "--kernel", kernel, "--initrd", initrd,
                                           "--append", cmdline, "--memory", "128",
                                           "--serial", "stdio"], runs)
    else:
        print("vireo-headless  not built (%s)" % headless)
    if qemu and vireo:
        print("ratio vireo/qemu: %.2f" % (vireo / qemu))


if __name__ == "__main__":
    main()

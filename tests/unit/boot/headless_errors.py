#!/usr/bin/python3
"""vireo-headless refuses bad input with a clear message before any VM starts: a missing,
truncated or non-bzImage kernel, an initrd too large for the guest, memory sizes out of
range, malformed options and serial backends that cannot open. The serial socket of a
refused machine is never created (nothing started).
usage: headless_errors.py VMLINUZ INITRD KERNEL_RELEASE VIREO_HEADLESS"""
import os
import subprocess
import sys
import tempfile


def run(headless, args, want_rc, want_text):
    p = subprocess.run([headless] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    err = p.stderr.decode(errors="replace")
    assert p.returncode == want_rc, "%s: exit %d, expected %d; stderr: %s" % (
        args, p.returncode, want_rc, err)
    for t in want_text:
        assert t in err, "%s: %r not in stderr: %s" % (args, t, err)
    assert err.startswith("vireo-headless: error: "), err
    print("ok %-60s -> %s" % (" ".join(args)[:60], err.strip().splitlines()[0][23:][:90]))


def main():
    kernel, initrd, _release, headless = sys.argv[1:5]
    tmp = tempfile.mkdtemp(prefix="vireo-headless-errors-")
    sock = os.path.join(tmp, "com1.sock")
    serial = ["--serial", "unix:" + sock]

    truncated = os.path.join(tmp, "vmlinuz-truncated")
    with open(kernel, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read()[: os.path.getsize(kernel) // 3])
    huge = os.path.join(tmp, "initrd-huge")
    with open(huge, "wb") as f:
        f.truncate(60 << 20)

    run(headless, ["--kernel", "/nonexistent/vmlinuz"] + serial, 1,
        ["kernel '/nonexistent/vmlinuz'", "No such file"])
    run(headless, ["--kernel", truncated] + serial, 1, ["truncated", truncated])
    run(headless, ["--kernel", initrd] + serial, 1, ["not a bzImage"])
    run(headless, ["--kernel", kernel, "--initrd", huge, "--memory", "64"] + serial, 1,
        ["initrd", "does not fit"])
    run(headless, ["--kernel", kernel, "--memory", "4"] + serial, 1, ["out of range"])
    run(headless, ["--kernel", kernel, "--memory", "100000"] + serial, 1, ["out of range"])
    run(headless, ["--kernel", kernel, "--memory", "lots"], 2, ["--memory 'lots'"])
    run(headless, ["--kernel", kernel, "--memory", "16"] + serial, 1, ["kernel needs guest RAM"])
    run(headless, ["--kernel", kernel, "--serial", "udp:5"], 2, ["udp:5"])
    run(headless, ["--kernel", kernel, "--bios", "/usr/share/seabios/bios.bin"], 1, ["BIOS"])
    run(headless, ["--initrd", initrd], 1, ["--kernel"])
    run(headless, ["--kernel", kernel, "stray"], 2, ["unexpected argument 'stray'"])
    run(headless, ["--kernel", kernel, "--serial", "unix:/nonexistent-dir/x.sock"], 1,
        ["serial port 1"])
    assert not os.path.exists(sock), "a refused machine created its serial socket"
    os.system("rm -rf '%s'" % tmp)


if __name__ == "__main__":
    main()

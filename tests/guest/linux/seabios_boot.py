#!/usr/bin/python3
"""Guest test: vireo-headless runs the system's SeaBIOS (/usr/share/seabios/bios.bin), which
prints its banner on the serial port and reaches its boot-device stage (there are no disks
yet, so it reports that nothing is bootable). SIGTERM then stops the VM process cleanly.
usage: seabios_boot.py VIREO_HEADLESS [BIOS]"""
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestconsole as gc  # noqa: E402

TIMEOUT = float(os.environ.get("VIREO_BOOT_TIMEOUT", "300"))


def main():
    headless = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/seabios/bios.bin"
    argv = [headless, "--bios", bios, "--memory", "64", "--serial", "stdio"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    con = gc.Console(proc.stdout.fileno(), proc.stdin.fileno())
    try:
        banner = con.expect(re.compile(r"SeaBIOS \(version [^)]+\)"), TIMEOUT)
        print(banner.strip().splitlines()[-1])
        stage = con.expect(re.compile(r"Booting from [A-Za-z /]+\.\.\."), TIMEOUT)
        print(stage.strip().splitlines()[-1])
        con.expect("No bootable device", TIMEOUT)
        print("SeaBIOS reached its boot stage and found no bootable device")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        assert rc == 0, "vireo-headless exited with %d on SIGTERM: %s" % (
            rc, proc.stderr.read().decode(errors="replace"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()

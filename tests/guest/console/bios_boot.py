#!/usr/bin/python3
"""Guest test: SeaBIOS on vireo-headless boots from the IDE drives. A boot sector (nasm,
bootsect.asm) prints a message kept in the next sector on COM1 and exits through the debug
port (status 33). The CD-ROM variant sits in an El Torito ISO (genisoimage, no emulation,
2048 bytes loaded, so the message came through ATAPI reads); the disk variant reads its
message with INT 13h AH=42h. With both drives attached, --boot d boots the CD and --boot c
the disk, as a VDI image and as a raw one (the format found by content). ferr.asm, booted
from a disk, checks that an x87 error with CR0.NE clear reaches the guest as IRQ 13 (FERR#).
Bad --boot, --vnc and --vnc-password-file values and a non-ISO --cdrom are refused before
the machine starts.
usage: bios_boot.py VIREO_HEADLESS VIREO_IMG SOURCE_DIR"""
import os
import shutil
import subprocess
import sys
import tempfile

BIOS = "/usr/share/seabios/bios.bin"
EXIT_OK = 33  # (0x10 << 1) | 1


def run(headless, *args, timeout=300):
    argv = [headless, "--bios", BIOS, "--memory", "64", "--serial", "stdio", *args]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expect_boot(headless, want, *args):
    rc, out, err = run(headless, *args)
    assert rc == EXIT_OK and want in out, "boot with %s: exit %d, wanted %s; serial:\n%s\n%s" % (
        " ".join(args), rc, want, out[-1500:], err[-1500:])
    print("%s -> %s" % (" ".join(args), want))


def main():
    headless, vireo_img, src = sys.argv[1:4]
    for tool in ("nasm", "genisoimage"):
        assert shutil.which(tool), "%s missing: run scripts/bootstrap.sh" % tool
    tmp = tempfile.mkdtemp(prefix="vireo-biosboot-")
    asm = os.path.join(src, "bootsect.asm")
    cd_bin, hd_raw = os.path.join(tmp, "iso", "boot.bin"), os.path.join(tmp, "hd.raw")
    os.mkdir(os.path.join(tmp, "iso"))
    subprocess.run(["nasm", "-f", "bin", "-DCDROM", asm, "-o", cd_bin], check=True)
    subprocess.run(["nasm", "-f", "bin", asm, "-o", hd_raw], check=True)
    with open(hd_raw, "r+b") as f:
        f.truncate(4 << 20)
    iso = os.path.join(tmp, "cd.iso")
    subprocess.run(["genisoimage", "-quiet", "-o", iso, "-b", "boot.bin", "-no-emul-boot",
                    "-boot-load-size", "4", os.path.join(tmp, "iso")], check=True)
    vdi = os.path.join(tmp, "hd.vdi")
    subprocess.run([vireo_img, "import", hd_raw, vdi], check=True, stdout=subprocess.DEVNULL)

    expect_boot(headless, "VIREO-CDROM-BOOT-OK", "--cdrom", iso, "--hda", vdi, "--boot", "d")
    expect_boot(headless, "VIREO-DISK-BOOT-OK", "--cdrom", iso, "--hda", vdi, "--boot", "c")
    expect_boot(headless, "VIREO-DISK-BOOT-OK", "--cdrom", iso, "--hda", hd_raw, "--boot", "cd")

    ferr = os.path.join(tmp, "ferr.raw")
    subprocess.run(["nasm", "-f", "bin", os.path.join(src, "ferr.asm"), "-o", ferr], check=True)
    with open(ferr, "r+b") as f:
        f.truncate(1 << 20)
    expect_boot(headless, "VIREO-FERR-IRQ13", "--hda", ferr, "--boot", "c")

    for bad in (["--boot", "x"], ["--boot", "cc"], ["--vnc", "70000"], ["--vnc", "x"],
                ["--vnc-password-file", ferr]):
        rc, _, err = run(headless, *bad)
        assert rc == 2 and bad[0] in err, "%s: exit %d, %s" % (" ".join(bad), rc, err)
    rc, _, err = run(headless, "--vnc", "auto", "--vnc-password-file", os.path.join(tmp, "no"))
    assert rc == 1 and "vnc-password-file" in err, "missing password file: exit %d, %s" % (rc, err)
    rc, _, err = run(headless, "--cdrom", hd_raw)
    assert rc == 1 and hd_raw in err, "--cdrom of a non-ISO: exit %d, %s" % (rc, err)
    print("bad options refused (exit 2); a non-ISO --cdrom refused: %s" % err.strip())
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

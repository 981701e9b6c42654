#!/bin/sh
# The README's main command: install what is missing, build, prepare the default guest
# (Debian's i386 686 kernel and a busybox initramfs, fetched once and cached), and boot it
# with vireo-headless, its serial console on this terminal and its screen on VNC.
# In the guest, `poweroff` ends the VM; Ctrl-C stops it from the host.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/bootstrap.sh"
sh "$top/scripts/build.sh" "$top/build"
guest=$(sh "$top/scripts/prepare-guest.sh")
headless="$top/build/frontends/headless/vireo-headless"
if [ ! -x "$headless" ]; then
    echo "vireo: vireo-headless was not built (the CPU or device library is missing):" \
        "booting is not ready in this tree." >&2
    exit 1
fi
echo "vireo: booting the default guest ($(sed -n 's/^kernel //p' "$guest/VERSION")) on the" \
    "serial console; the interpreter CPU takes a minute or two to reach the shell." >&2
echo "vireo: type 'poweroff' in the guest to end it, or Ctrl-C." >&2
echo "vireo: the screen (VGA console) is on VNC: connect with 'vncviewer 127.0.0.1:5900'" \
    "(or the port printed below)." >&2
# tsc_early_khz: Vireo's TSC runs at 1 GHz; saying so spares the kernel a PIT calibration
# that an interpreted CPU on a busy host can fail (its clock would then drift).
exec "$headless" --kernel "$guest/vmlinuz" --initrd "$guest/initrd.gz" \
    --append "console=tty0 $(cat "$guest/cmdline") tsc_early_khz=1000000" --memory 128 --serial stdio --vnc auto

#!/bin/sh
# Prepare Vireo's default guest: Debian's i386 686 kernel and a busybox-static initramfs
# whose /init gives a shell on the first serial port (ttyS0).
#
#   scripts/prepare-guest.sh            prints the guest folder on stdout (messages on stderr)
#
# The folder is $VIREO_GUEST_DIR, else ${XDG_CACHE_HOME:-~/.cache}/vireo/guest. It holds
#   vmlinuz     the bzImage of linux-image-<version>-686 (i386)
#   initrd.gz   gzip'd cpio (newc): busybox, /init, /etc/inittab, a serial shell
#   cmdline     the default kernel command line
#   VERSION     what was packed (kernel and busybox package versions)
#
# Packages come from the Debian archive this host already uses, through a private apt
# configuration (its own lists, cache and status under the guest folder, i386 as the only
# architecture): the host's apt state and configuration are never changed.
# Idempotent: when the guest is complete it only prints the folder.
set -eu

# Bump when the initramfs layout below changes: a cached guest is repacked (no download).
GUEST_FORMAT=2
MARKER="VIREO-GUEST-READY"
# tsc=reliable: the virtual TSC (Vireo's and QEMU's) follows the host's monotonic clock at a
# constant rate, while timer ticks can be lost when the emulated CPU falls behind; without it
# the kernel's clocksource watchdog trusts the ticks, declares the TSC unstable and the
# guest's clock drifts behind the host's.
CMDLINE="console=ttyS0 panic=-1 tsc=reliable"

say() { echo "prepare-guest: $*" >&2; }
die() {
    echo "prepare-guest: error: $*" >&2
    exit 1
}

cache_home=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}
dir=${VIREO_GUEST_DIR:-$cache_home/vireo/guest}
mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)

complete() {
    [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.gz" ] && [ -s "$dir/busybox" ] &&
        [ "$(cat "$dir/.format" 2>/dev/null)" = "$GUEST_FORMAT" ]
}

if complete; then
    echo "$dir"
    exit 0
fi

for tool in apt-get dpkg-deb gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run scripts/bootstrap.sh)"
done
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing (run scripts/bootstrap.sh)"

apt_dir="$dir/apt"
work="$dir/work"

# --- the private apt configuration -------------------------------------------------------

# The Debian archive URIs the host uses (deb822 .sources and one-line .list files).
host_debian_uris() {
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n'
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] && sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "$f"
        done
    } | grep -E '/debian(-security)?/?$' | sed 's:/*$::' | sort -u
}

codename() {
    # shellcheck disable=SC1091
    (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

write_sources() {
    suite=$(codename)
    [ -n "$suite" ] || suite=bookworm
    uris=${VIREO_DEBIAN_MIRROR:-$(host_debian_uris)}
    [ -n "$uris" ] || uris="http://deb.debian.org/debian http://deb.debian.org/debian-security"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"
    : >"$apt_dir/sources.list"
    for u in $uris; do
        case "$u" in
        *-security) suites="$suite-security" ;;
        *) suites="$suite $suite-updates" ;;
        esac
        for s in $suites; do
            echo "deb [arch=i386 signed-by=$keyring] $u $s main" >>"$apt_dir/sources.list"
        done
    done
    say "private apt sources:"
    sed 's/^/    /' "$apt_dir/sources.list" >&2
}

setup_apt() {
    mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" \
        "$apt_dir/sources.list.d" "$apt_dir/preferences.d"
    : >"$apt_dir/state/status"
    # Read after the host's apt.conf.d (so proxies still apply): drop its hooks.
    cat >"$apt_dir/apt.conf" <<EOF
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Invoke;
EOF
    write_sources
}

apt_private() {
    sandbox=""
    # As root apt drops to the _apt user, which cannot write into this private folder.
    [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    APT_CONFIG="$apt_dir/apt.conf" "$@" -q \
        -o APT::Architecture=i386 -o APT::Architectures=i386 \
        -o Dir::State="$apt_dir/state" -o Dir::State::status="$apt_dir/state/status" \
        -o Dir::Cache="$apt_dir/cache" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
        -o Dir::Etc::sourcelist="$apt_dir/sources.list" \
        -o Dir::Etc::sourceparts="$apt_dir/sources.list.d" \
        -o Dir::Etc::preferences="$apt_dir/preferences" \
        -o Dir::Etc::preferencesparts="$apt_dir/preferences.d" \
        -o Debug::NoLocking=true $sandbox
}

# --- fetching ------------------------------------------------------------------------------

# The versioned kernel package the linux-image-686 metapackage points at.
kernel_package() {
    apt_private apt-cache depends linux-image-686 |
        sed -n 's/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^[:space:]]*-686\)$/\1/p' |
        head -n 1
}

fetch() {
    setup_apt
    say "updating the private i386 package lists"
    if ! apt_private apt-get update >&2; then
        # A mirror caught mid-sync breaks one suite's index; the release suite is enough.
        say "warning: some package lists failed; retrying with the release suite only"
        grep -v -e '-security ' -e '-updates ' "$apt_dir/sources.list" >"$apt_dir/sources.tmp"
        mv "$apt_dir/sources.tmp" "$apt_dir/sources.list"
        rm -rf "$apt_dir/state/lists"
        mkdir -p "$apt_dir/state/lists/partial"
        apt_private apt-get update >&2 ||
            die "apt-get update failed (is the Debian mirror reachable?)"
    fi
    kpkg=$(kernel_package)
    [ -n "$kpkg" ] || die "linux-image-686 does not name a versioned kernel package"
    say "downloading $kpkg and busybox-static (i386)"
    mkdir -p "$work/debs"
    (cd "$work/debs" && apt_private apt-get download "$kpkg" busybox-static >&2) ||
        die "apt-get download failed"
}

extract() {
    kdeb=$(ls "$work"/debs/linux-image-*_i386.deb 2>/dev/null | head -n 1)
    bdeb=$(ls "$work"/debs/busybox-static_*_i386.deb 2>/dev/null | head -n 1)
    [ -n "$kdeb" ] && [ -n "$bdeb" ] || die "downloaded packages not found in $work/debs"
    rm -rf "$work/kernel" "$work/busybox"
    dpkg-deb -x "$kdeb" "$work/kernel"
    dpkg-deb -x "$bdeb" "$work/busybox"
    kimg=$(ls "$work"/kernel/boot/vmlinuz-* | head -n 1)
    kcfg=$(ls "$work"/kernel/boot/config-* | head -n 1)
    check_config "$kcfg"
    cp "$kimg" "$dir/vmlinuz.tmp" && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
    cp "$kcfg" "$dir/config"
    cp "$work/busybox/bin/busybox" "$dir/busybox.tmp" && mv "$dir/busybox.tmp" "$dir/busybox"
    {
        echo "kernel $(dpkg-deb -f "$kdeb" Package) $(dpkg-deb -f "$kdeb" Version)"
        echo "busybox $(dpkg-deb -f "$bdeb" Package) $(dpkg-deb -f "$bdeb" Version)"
    } >"$dir/VERSION"
}

# The initramfs loads no modules: everything the serial shell needs must be built in.
check_config() {
    for opt in CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD \
        CONFIG_RD_GZIP CONFIG_DEVTMPFS CONFIG_PROC_FS CONFIG_SYSFS CONFIG_BINFMT_ELF; do
        grep -q "^$opt=y" "$1" || die "the kernel lacks built-in $opt (see $1)"
    done
}

# --- the initramfs -------------------------------------------------------------------------

write_rootfs() {
    root="$work/root"
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/sbin" "$root/etc/init.d" "$root/proc" "$root/sys" \
        "$root/dev" "$root/tmp" "$root/root" "$root/usr/bin" "$root/usr/sbin"
    cp "$dir/busybox" "$root/bin/busybox"
    chmod 755 "$root/bin/busybox"
    cat >"$root/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
EOF
    cat >"$root/etc/init.d/rcS" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
hostname vireo-guest
echo "$MARKER \$(uname -r) \$(cut -d' ' -f1 /proc/uptime)s"
EOF
    chmod 755 "$root/etc/init.d/rcS"
    cat >"$root/etc/profile" <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export PS1='vireo-guest:\w# '
cd /root
EOF
    echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
    echo "root:x:0:" >"$root/etc/group"
    echo vireo-guest >"$root/etc/hostname"
}

# A newc cpio written by hand so that ownership (root) and device nodes do not depend on who
# runs this script. /init is busybox itself (it runs the init applet by its name).
pack_initramfs() {
    /usr/bin/python3 - "$work/root" "$dir/initrd.gz.tmp" <<'EOF'
import gzip, os, stat, sys

root, out = sys.argv[1], sys.argv[2]
ino = [1]

def entry(f, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    ino[0] += 1
    f.write(hdr.encode() + name_b)
    f.write(b"\0" * (-(110 + len(name_b)) % 4))
    f.write(data)
    f.write(b"\0" * (-len(data) % 4))

with gzip.GzipFile(out, "wb", mtime=0) as f:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(d, root)
        if rel != ".":
            entry(f, rel, stat.S_IFDIR | 0o755)
        for n in sorted(files):
            p = os.path.join(d, n)
            r = os.path.normpath(os.path.join(rel, n))
            perm = os.stat(p).st_mode & 0o777
            with open(p, "rb") as src:
                entry(f, r, stat.S_IFREG | perm, src.read())
    entry(f, "init", stat.S_IFLNK | 0o777, b"bin/busybox")
    entry(f, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
    entry(f, "dev/ttyS0", stat.S_IFCHR | 0o600, rdev=(4, 64))
    entry(f, "TRAILER!!!", 0)
EOF
    mv "$dir/initrd.gz.tmp" "$dir/initrd.gz"
}

if [ ! -s "$dir/vmlinuz" ] || [ ! -s "$dir/busybox" ]; then
    fetch
    extract
fi
say "packing the initramfs"
write_rootfs
pack_initramfs
echo "$CMDLINE" >"$dir/cmdline"
echo "$GUEST_FORMAT" >"$dir/.format"
rm -rf "$work" "$apt_dir"
say "ready: $(tr '\n' ' ' <"$dir/VERSION")"
echo "$dir"

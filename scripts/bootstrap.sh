#!/bin/sh
# Install every Debian package Vireo needs to build, run and test.
# Non-interactive and idempotent: when everything is present it only checks.
set -eu

PACKAGES="
build-essential cmake pkg-config git
libdbus-1-dev libxml2-dev libglib2.0-dev libgtk-3-dev libvncserver-dev check zlib1g-dev libpng-dev libjpeg-dev vncsnapshot
dbus-daemon dbus-bin python3 python3-dbus python3-gi
nasm qemu-system-x86 qemu-utils seabios
cpio gzip xz-utils file
genisoimage
clang libclang-rt-14-dev
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "bootstrap: all packages present"
    exit 0
fi

echo "bootstrap: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

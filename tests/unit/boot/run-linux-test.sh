#!/bin/sh
# Prepare the default guest (fetched once from the Debian mirror, then cached) and run the
# Linux boot protocol tests on its real kernel and initramfs.
#   run-linux-test.sh PREPARE_SCRIPT TEST_BINARY
set -eu
dir=$(sh "$1" | tail -n 1)
release=$(sed -n 's/^kernel linux-image-\([^ ]*\) .*/\1/p' "$dir/VERSION")
[ -n "$release" ] || { echo "no kernel release in $dir/VERSION" >&2; exit 1; }
exec "$2" "$dir/vmlinuz" "$dir/initrd.gz" "$release"

#!/bin/sh
# Prepare the default guest (fetched once from the Debian mirror, then cached) and run a
# boot test on its real kernel and initramfs.
#   run-linux-test.sh PREPARE_SCRIPT TEST_BINARY [EXTRA ARGS...]
# The test gets: VMLINUZ INITRD KERNEL_RELEASE EXTRA ARGS...
set -eu
prepare=$1
test_bin=$2
shift 2
dir=$(sh "$prepare" | tail -n 1)
release=$(sed -n 's/^kernel linux-image-\([^ ]*\) .*/\1/p' "$dir/VERSION")
[ -n "$release" ] || { echo "no kernel release in $dir/VERSION" >&2; exit 1; }
exec "$test_bin" "$dir/vmlinuz" "$dir/initrd.gz" "$release" "$@"

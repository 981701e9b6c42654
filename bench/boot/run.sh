#!/bin/sh
# Boot-to-shell benchmark of the default guest: qemu-system-i386 (TCG) and vireo-headless,
# side by side in one run. Results and method: docs/performance.md, "Boot to shell".
#   bench/boot/run.sh [BUILD_DIR] [RUNS]      (BUILD_DIR defaults to ./build)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-"$top/build"}
runs=${2:-3}
exec /usr/bin/python3 "$top/bench/boot/boot_time.py" "$top/scripts/prepare-guest.sh" \
    "$build/frontends/headless/vireo-headless" "$runs"

#!/bin/sh
# The README's test command: install what is missing, build with AddressSanitizer and
# UBSan, and run every test through ctest. Extra arguments go to ctest (e.g. -L unit).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/bootstrap.sh"
build="$top/build-asan"
sh "$top/scripts/build.sh" "$build" -DVIREO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DVIREO_WERROR=ON
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"

#!/bin/sh
# The README's test command: install what is missing, then
#  1. build with AddressSanitizer and UBSan (build-asan/) and run every test except those
#     labelled `linux`;
#  2. build optimized (build/) and run the `linux` tests there: they boot Debian's kernel on
#     the interpreter, which under ASan is too slow for a guest to answer in time.
# Extra arguments go to both ctest runs (e.g. -R NAME).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/bootstrap.sh"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
jobs=$(nproc)
status=0

sh "$top/scripts/build.sh" "$top/build-asan" -DVIREO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    -DVIREO_WERROR=ON
(cd "$top/build-asan" && ctest --output-on-failure -j "$jobs" -LE linux "$@") || status=1

sh "$top/scripts/build.sh" "$top/build" -DVIREO_SANITIZE=OFF -DVIREO_WERROR=ON
(cd "$top/build" && ctest --output-on-failure -j 1 -L linux "$@") || status=1

if [ $status -ne 0 ]; then
    echo "test.sh: some tests failed (see above)" >&2
fi
exit $status

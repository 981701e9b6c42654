#!/bin/sh
# Build the fuzz harnesses as libFuzzer targets with clang (in build-fuzz/) and run each
# for a number of seconds. See docs/fuzzing.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 60 per target; TARGET is a harness name (cpu, ports, devstate,
# multiboot, image, machine_xml, global_xml, marshal, idl), all by default. New inputs
# go to build-fuzz/corpus/TARGET (seeded from tests/fuzz/corpus/TARGET); crashes to
# build-fuzz/findings/TARGET. Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2 ...";
# FUZZ_NO_BUILD=1 runs what is built (e.g. two runs side by side).
# Needs clang and libclang-rt-dev (libFuzzer); the ordinary build and tests do not.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-fuzz"
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"cpu ports devstate multiboot image machine_xml global_xml marshal idl"}

cc=${CC:-}
if [ -z "$cc" ]; then
    for c in clang clang-16 clang-15 clang-14; do
        if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
    done
fi
if [ -z "$cc" ]; then
    echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    CC=$cc cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIREO_SANITIZE=ON \
        -DVIREO_FUZZ=ON >/dev/null
    cmake --build "$build" -j "$(nproc)" --target fuzz_all
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
status=0
for t in $targets; do
    bin="$build/tests/fuzz/fuzz_$t"
    corpus="$build/corpus/$t"
    findings="$build/findings/$t"
    mkdir -p "$corpus" "$findings"
    dict=""
    [ -f "$top/tests/fuzz/dict/$t.dict" ] && dict="-dict=$top/tests/fuzz/dict/$t.dict"
    echo "== fuzz_$t for ${secs}s"
    # shellcheck disable=SC2086
    if ! "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$findings/" $dict ${FUZZ_FLAGS:-} \
        "$corpus" "$top/tests/fuzz/corpus/$t" 2>"$build/fuzz_$t.log"; then
        echo "fuzz_$t: FAILED, see $build/fuzz_$t.log and $findings/" >&2
        status=1
    fi
    grep -E "^#[0-9]+.*(DONE|pulse|NEW)" "$build/fuzz_$t.log" | tail -1 || true
    grep -E "stat::(number_of_executed_units|peak_rss_mb)" "$build/fuzz_$t.log" || true
done
exit $status

#!/bin/sh
# Guest CPU speed, side by side: the same integer benchmark (cpubench.asm) under vireo-bare
# and under qemu-system-i386 -accel tcg, in one run.
#   bench/cpu/run.sh [ITERATIONS]      (default 1000; BUILD=dir picks the build, default build/)
# The dynamic instruction count comes from the program itself: a -DCOUNT build single-steps
# one iteration under QEMU and counts #DB traps. Guest MIPS = iterations * that count / time.
# QEMU's time is (run with N iterations) - (run with 0), best of 3, which removes its start-up;
# vireo-bare reports its own execution time (-s) and its instruction counter (cpu_instret).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
iters=${1:-1000}
build=${BUILD:-$top/build}
bare=$build/tests/guest/cpu/vireo-bare
qemu=$(command -v qemu-system-i386 || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

asm() { nasm -f bin -I "$top/tests/guest/cpu/" "$@" "$top/bench/cpu/cpubench.asm"; }
asm -DCOUNT -o "$tmp/count.bin"
asm -DITERS=0 -o "$tmp/zero.bin"
asm -DITERS="$iters" -o "$tmp/bench.bin"

qemu_run() {
    "$qemu" -accel tcg -nodefaults -display none -no-reboot -m 32 \
        -chardev stdio,id=c,mux=on -device isa-debugcon,iobase=0xe9,chardev=c \
        -device isa-debug-exit,iobase=0xf4,iosize=1 -kernel "$1" </dev/null || true
}
now() { date +%s%N; }
best_of_3() { # program -> nanoseconds (minimum of 3 runs); output of the last run in $tmp/out
    best=""
    for _ in 1 2 3; do
        t0=$(now)
        qemu_run "$1" >"$tmp/out"
        t=$(($(now) - t0))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}

echo "cpu benchmark: $iters iterations"
cpu_model=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //')
echo "host: $cpu_model, $(nproc) cores"
if [ -z "$qemu" ]; then
    echo "qemu-system-i386 not installed: nothing to compare against" >&2
    exit 1
fi
qemu_run "$tmp/count.bin" >"$tmp/count.out"
per_iter=$(sed -n 's/^instructions per iteration=//p' "$tmp/count.out")
[ -n "$per_iter" ] || { echo "count run failed:"; cat "$tmp/count.out"; exit 1; }
per_iter=$((0x$per_iter))
total=$((per_iter * iters))
echo "instructions per iteration (single-stepped under qemu): $per_iter; total: $total"

t_zero=$(best_of_3 "$tmp/zero.bin")
t_bench=$(best_of_3 "$tmp/bench.bin")
qemu_sum=$(sed -n 's/^checksum=//p' "$tmp/out")
qemu_mips=$(awk -v n="$total" -v t="$((t_bench - t_zero))" 'BEGIN { printf "%.1f", n / (t / 1e9) / 1e6 }')
qemu_secs=$(awk -v t="$((t_bench - t_zero))" 'BEGIN { printf "%.3f", t / 1e9 }')
echo "qemu-system-i386 tcg: ${qemu_secs} s, ${qemu_mips} MIPS (checksum $qemu_sum)"

if [ ! -x "$bare" ]; then
    echo "vireo-bare not built ($bare): no vireo figure"
    exit 0
fi
set +e
"$bare" -s -b 100000000000 "$tmp/bench.bin" >"$tmp/vout" 2>"$tmp/verr"
rc=$?
set -e
vireo_sum=$(sed -n 's/^checksum=//p' "$tmp/vout")
stats=$(grep "instructions=" "$tmp/verr" || true)
if [ "$rc" != 1 ] || [ "$vireo_sum" != "$qemu_sum" ]; then
    echo "vireo-bare: failed (exit $rc, checksum '${vireo_sum}', expected $qemu_sum)"
    cat "$tmp/verr"
    exit 1
fi
instret=$(echo "$stats" | sed 's/.*instructions=\([0-9]*\).*/\1/')
"$bare" -s "$tmp/zero.bin" >/dev/null 2>"$tmp/zerr" || true
instret0=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' "$tmp/zerr")
echo "cpu_instret per iteration: $(((instret - instret0) / iters)) (single-step count $per_iter)"
vsecs=$(echo "$stats" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
vmips=$(awk -v n="$total" -v t="$vsecs" 'BEGIN { printf "%.1f", n / t / 1e6 }')
ratio=$(awk -v a="$vmips" -v b="$qemu_mips" 'BEGIN { printf "%.3f", a / b }')
echo "vireo-bare: ${vsecs} s, ${vmips} MIPS (cpu_instret $instret for the whole run), checksum ok"
echo "ratio vireo/qemu: $ratio"

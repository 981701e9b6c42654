#!/bin/sh
# Guest CPU speed, side by side: the same integer benchmark (cpubench.asm) under vireo-bare
# and under qemu-system-i386 -accel tcg, in one run.
#   bench/cpu/run.sh [ITERATIONS]      (default 1000; BUILD=dir picks the build, default build/)
# The dynamic instruction count comes from the program itself: a -DCOUNT build single-steps
# one iteration under QEMU and counts #DB traps. Guest MIPS = iterations * that count / time.
# QEMU's time is (run with N iterations) - (run with 0), best of 3, which removes its start-up;
# vireo-bare times its own execution loop (-s) and reports its counter (cpu_instret).
# Both wall-clock and CPU time are reported: on a shared, loaded host CPU time is steadier.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
iters=${1:-1000}
build=${BUILD:-$top/build}
bare=$build/tests/guest/cpu/vireo-bare
qemu=$(command -v qemu-system-i386 || true)
timeit="/usr/bin/python3 $top/bench/cpu/timeit.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

asm() { nasm -f bin -I "$top/tests/guest/cpu/" "$@" "$top/bench/cpu/cpubench.asm"; }
asm -DCOUNT -o "$tmp/count.bin"
asm -DITERS=0 -o "$tmp/zero.bin"
asm -DITERS="$iters" -o "$tmp/bench.bin"

qemu_cmd() {
    echo "$qemu" -accel tcg -nodefaults -display none -no-reboot -m 32 \
        -chardev stdio,id=c,mux=on -device isa-debugcon,iobase=0xe9,chardev=c \
        -device isa-debug-exit,iobase=0xf4,iosize=1 -kernel "$1"
}
mips() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", n / t / 1e6 }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a - b }'; }

echo "cpu benchmark: $iters iterations"
echo "host: $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$qemu" ]; then
    echo "qemu-system-i386 not installed: nothing to compare against" >&2
    exit 1
fi
# shellcheck disable=SC2046
$(qemu_cmd "$tmp/count.bin") </dev/null >"$tmp/count.out" || true
per_iter=$(sed -n 's/^instructions per iteration=//p' "$tmp/count.out")
[ -n "$per_iter" ] || { echo "count run failed:"; cat "$tmp/count.out"; exit 1; }
per_iter=$((0x$per_iter))
total=$((per_iter * iters))
echo "instructions per iteration (single-stepped under qemu): $per_iter; total: $total"

# shellcheck disable=SC2046
set -- $($timeit 3 "$tmp/out0" $(qemu_cmd "$tmp/zero.bin"))
zero_wall=$1 zero_cpu=$2
# shellcheck disable=SC2046
set -- $($timeit 3 "$tmp/out" $(qemu_cmd "$tmp/bench.bin"))
q_wall=$(sub "$1" "$zero_wall")
q_cpu=$(sub "$2" "$zero_cpu")
qemu_sum=$(sed -n 's/^checksum=//p' "$tmp/out")
echo "qemu-system-i386 tcg: wall ${q_wall} s = $(mips "$total" "$q_wall") MIPS," \
    "cpu ${q_cpu} s = $(mips "$total" "$q_cpu") MIPS (checksum $qemu_sum)"

if [ ! -x "$bare" ]; then
    echo "vireo-bare not built ($bare): no vireo figure"
    exit 0
fi
set +e
"$bare" -s -b 100000000000 "$tmp/bench.bin" >"$tmp/vout" 2>"$tmp/verr"
rc=$?
set -e
vireo_sum=$(sed -n 's/^checksum=//p' "$tmp/vout")
if [ "$rc" != 1 ] || [ "$vireo_sum" != "$qemu_sum" ]; then
    echo "vireo-bare: failed (exit $rc, checksum '${vireo_sum}', expected $qemu_sum)"
    cat "$tmp/verr"
    exit 1
fi
field() { sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p" "$2"; }
instret=$(field instructions "$tmp/verr")
v_wall=$(field seconds "$tmp/verr")
v_cpu=$(field cpu_seconds "$tmp/verr")
"$bare" -s "$tmp/zero.bin" >/dev/null 2>"$tmp/zerr" || true
instret0=$(field instructions "$tmp/zerr")
echo "cpu_instret per iteration: $(((instret - instret0) / iters)) (single-step count $per_iter)"
echo "vireo-bare: wall ${v_wall} s = $(mips "$total" "$v_wall") MIPS," \
    "cpu ${v_cpu} s = $(mips "$total" "$v_cpu") MIPS, checksum ok"
echo "ratio vireo/qemu: wall $(awk -v a="$q_wall" -v b="$v_wall" 'BEGIN { printf "%.3f", a / b }')," \
    "cpu $(awk -v a="$q_cpu" -v b="$v_cpu" 'BEGIN { printf "%.3f", a / b }')"

#!/bin/sh
# Guest test: vireo-headless boots a Multiboot test program (tests/guest/cpu/hello.asm), which
# prints on the serial port (COM1 -> stdout) and on the debug port 0xE9 (--debugcon ->
# stderr), and ends through the exit port 0xF4 with status (0 << 1) | 1 = 1.
#   multiboot_headless.sh VIREO_HEADLESS PROGRAM
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 300 "$1" --multiboot "$2" --memory 32 --serial stdio --debugcon </dev/null \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
cat "$tmp/err" >&2
fail() { echo "multiboot_headless: $*" >&2; exit 1; }
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (the program wrote 0 to port 0xF4)"
grep -q "hello from the serial port" "$tmp/out" || fail "no serial output on stdout"
grep -q "hello from port e9" "$tmp/err" || fail "no debug port output on stderr"
grep -qx "done fails=00000000" "$tmp/err" || fail "the program's checks did not all pass"
! grep -q FAIL "$tmp/out" "$tmp/err" || fail "a check failed"
echo "multiboot program ran on vireo-headless and exited through port 0xF4"

#!/bin/sh
# Checks vireo-bare's own exit statuses: 2 with a register dump on a triple fault, 3 when the
# instruction budget runs out, 4 for an image that is not Multiboot.
#   runner-test.sh VIREO_BARE TRIPLE.bin SPIN.bin
set -u
bare=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err"; exit 1; }

"$bare" "$2" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || fail "triple fault: exit status $rc, want 2"
grep -q "about to triple fault" "$tmp/out" || fail "triple fault: output missing"
grep -q "triple fault" "$tmp/err" || fail "triple fault: no message"
grep -q "EIP=" "$tmp/err" || fail "triple fault: no register dump"

"$bare" -b 1000000 "$3" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 3 ] || fail "budget: exit status $rc, want 3"
grep -q "spinning" "$tmp/out" || fail "budget: output missing"

printf 'not a kernel' >"$tmp/junk.bin"
"$bare" "$tmp/junk.bin" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 4 ] || fail "junk image: exit status $rc, want 4"
grep -q "no Multiboot header" "$tmp/err" || fail "junk image: no clear error"
echo "vireo-bare exit statuses ok"

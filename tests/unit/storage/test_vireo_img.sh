#!/bin/sh
# vireo-img from the shell: import raw bytes into VDI (dynamic and fixed), convert back,
# info, check, a differencing child and its merge; qemu-img compares where installed.
#   test_vireo_img.sh VIREO_IMG [QEMU_IMG]
set -eu
vimg=$1
qimg=${2:-}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 5 MiB + 512 bytes: data, a zero hole, data, a partial last block.
dd if=/dev/urandom of="$d/a.raw" bs=1M count=2 2>/dev/null
dd if=/dev/zero bs=1M count=2 2>/dev/null >>"$d/a.raw"
dd if=/dev/urandom bs=512 count=2049 2>/dev/null >>"$d/a.raw"

"$vimg" import "$d/a.raw" "$d/a.vdi"
"$vimg" import --fixed "$d/a.raw" "$d/f.vdi"
"$vimg" info "$d/a.vdi" >"$d/info"
grep -q '^variant: dynamic$' "$d/info" || fail "info: $(cat "$d/info")"
grep -q '^size: 5243392$' "$d/info" || fail "size: $(cat "$d/info")"
grep -q '^blocks allocated: 4$' "$d/info" || fail "the zero blocks were allocated: $(cat "$d/info")"
"$vimg" info "$d/f.vdi" | grep -q '^variant: fixed$' || fail "fixed variant"
"$vimg" check "$d/a.vdi" >/dev/null || fail "check a.vdi"
"$vimg" check "$d/f.vdi" >/dev/null || fail "check f.vdi"
"$vimg" convert "$d/a.vdi" "$d/back.raw"
cmp "$d/a.raw" "$d/back.raw" || fail "round trip through a dynamic VDI"
"$vimg" convert "$d/f.vdi" "$d/back2.raw"
cmp "$d/a.raw" "$d/back2.raw" || fail "round trip through a fixed VDI"
if [ -n "$qimg" ]; then
    "$qimg" compare -q "$d/a.raw" "$d/a.vdi" || fail "qemu-img compare dynamic"
    "$qimg" compare -q "$d/a.raw" "$d/f.vdi" || fail "qemu-img compare fixed"
fi

# A child of a.vdi: it reads as its parent until merged; merge leaves the parent equal.
"$vimg" create -p "$d/a.vdi" "$d/c.vdi"
"$vimg" info -p "$d/a.vdi" "$d/c.vdi" | grep -q '^variant: differencing$' || fail "child"
"$vimg" convert -p "$d/a.vdi" "$d/c.vdi" "$d/c.raw"
cmp "$d/a.raw" "$d/c.raw" || fail "child reads through"
"$vimg" merge -p "$d/a.vdi" "$d/c.vdi" || fail "merge"
"$vimg" convert "$d/a.vdi" "$d/m.raw"
cmp "$d/a.raw" "$d/m.raw" || fail "merge of an empty child changed the parent"
if "$vimg" info "$d/c.vdi" >/dev/null 2>"$d/err"; then fail "child opened without its parent"; fi
grep -q 'needs its parent' "$d/err" || fail "message: $(cat "$d/err")"

# A corrupt image: check exits 2 and names the problem.
cp "$d/a.vdi" "$d/bad.vdi"
printf '\003\000\000\000' | dd of="$d/bad.vdi" bs=1 seek=$((0x178)) conv=notrunc 2>/dev/null
set +e
"$vimg" check "$d/bad.vdi" >"$d/out"
st=$?
set -e
[ "$st" = 2 ] || fail "check of a corrupt image exited $st"
grep -q 'bad block size 3' "$d/out" || fail "report: $(cat "$d/out")"
echo "vireo-img: all checks passed"

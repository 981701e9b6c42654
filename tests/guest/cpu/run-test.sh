#!/bin/sh
# Runs one bare-metal CPU test program.
#   run-test.sh qemu QEMU PROGRAM              validate the program under QEMU alone
#   run-test.sh compare QEMU VIREO_BARE PROGRAM   run under both; outputs must be identical
# QEMU may be "" (not installed): compare then only checks vireo-bare's own result.
# A program passes when it exits through port 0xF4 with 0 (status 1), prints
# "done fails=00000000" and no line containing FAIL.
set -u
mode=$1
qemu=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_qemu() { # program -> $tmp/qemu.out, status in $tmp/qemu.rc
    timeout 120 "$qemu" -accel tcg -nodefaults -display none -no-reboot -m 32 \
        -chardev stdio,id=c,mux=on -device isa-debugcon,iobase=0xe9,chardev=c \
        -serial chardev:c -device isa-debug-exit,iobase=0xf4,iosize=1 \
        -kernel "$1" </dev/null >"$tmp/qemu.out" 2>"$tmp/qemu.err"
    echo $? >"$tmp/qemu.rc"
}

check_pass() { # name output status
    if [ "$3" != 1 ] || grep -q FAIL "$2" || ! grep -qx "done fails=00000000" "$2"; then
        echo "$1: program failed (exit status $3):"
        cat "$2"
        return 1
    fi
    return 0
}

case $mode in
qemu)
    run_qemu "$1"
    cat "$tmp/qemu.out"
    check_pass qemu "$tmp/qemu.out" "$(cat "$tmp/qemu.rc")" || { cat "$tmp/qemu.err"; exit 1; }
    ;;
compare)
    bare=$1
    prog=$2
    timeout 300 "$bare" "$prog" </dev/null >"$tmp/vireo.out" 2>"$tmp/vireo.err"
    vrc=$?
    cat "$tmp/vireo.out"
    cat "$tmp/vireo.err" >&2
    check_pass vireo-bare "$tmp/vireo.out" "$vrc" || exit 1
    if [ -n "$qemu" ]; then
        run_qemu "$prog"
        if ! diff -u "$tmp/qemu.out" "$tmp/vireo.out"; then
            echo "output differs from qemu-system-i386 (- qemu, + vireo)"
            exit 1
        fi
        [ "$(cat "$tmp/qemu.rc")" = "$vrc" ] || { echo "exit status differs from qemu"; exit 1; }
    fi
    ;;
*)
    echo "usage: $0 qemu|compare ..." >&2
    exit 2
    ;;
esac
exit 0

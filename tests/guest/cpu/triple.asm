; Runner check, not a CPU test: an empty IDT turns INT3 into a triple fault. vireo-bare must
; print its register dump and exit with status 2 (QEMU with -no-reboot just stops).
%include "lib.inc"

main:
        PRINTLN "about to triple fault"
        lidt [empty_idt]
        int3
        PRINTLN "FAIL: still running"
        ret

empty_idt:
        dw 0
        dd 0

; A fault with an unusable IDT: #GP, then #DF, then a triple fault (shutdown).
%include "pm_common.inc"
test_main:
    lidt [bad_idt]
    int3
    jmp pass
bad_idt:
    dw 0
    dd 0

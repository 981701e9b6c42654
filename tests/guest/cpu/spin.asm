; Runner check, not a CPU test: a program that never exits. vireo-bare must stop at its
; instruction budget (-b) with status 3.
%include "lib.inc"

main:
        PRINTLN "spinning"
.forever:
        jmp .forever

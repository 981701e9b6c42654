; Integer loop for the MIPS measurement: 8 instructions per pass, ALU, shifts, loads, stores,
; a taken branch. ECX (pass count) is set by the bench program before it starts.
%include "pm_common.inc"
test_main:
    mov ecx, [0x500]
    xor eax, eax
    mov ebx, 1
.l: add eax, ebx
    xor edx, eax
    mov [buf], edx
    mov esi, [buf]
    shl esi, 1
    inc ebx
    dec ecx
    jnz .l
    jmp pass
buf equ 0x20000   ; data on its own page, as a compiler would place it

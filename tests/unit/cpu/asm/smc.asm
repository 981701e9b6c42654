; Self-modifying code in real mode: a store into the very next instruction, and a loop that
; rewrites its own immediate on every pass.
bits 16
org 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov byte [patch + 1], 0x42
patch:
    mov al, 0x00          ; becomes mov al, 0x42
    cmp al, 0x42
    jne fail1
    ; loop: add bl, imm where imm is rewritten to the pass number each time
    xor bx, bx
    mov cx, 1
again:
    mov [addi + 2], cl
addi:
    add bl, 0x00
    inc cx
    cmp cx, 11
    jne again
    cmp bl, 55            ; 1 + 2 + ... + 10
    jne fail2
    xor eax, eax
    out 0xF4, eax
    hlt
fail1:
    mov eax, 1
    out 0xF4, eax
    hlt
fail2:
    mov eax, 2
    out 0xF4, eax
    hlt

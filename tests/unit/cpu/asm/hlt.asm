; HLT sleeps; an external interrupt (vector 0x20 from intr_ack) wakes it and runs the handler.
bits 16
org 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x20*4], handler
    mov word [0x20*4+2], 0
    sti
    hlt
    ; back from the handler
    cmp byte [seen], 1
    jne fail
    mov al, 'H'
    out 0xE9, al
    xor eax, eax
    out 0xF4, eax
    hlt
fail:
    mov eax, 1
    out 0xF4, eax
    hlt
handler:
    mov byte [seen], 1
    mov al, 'I'
    out 0xE9, al
    iret
seen: db 0

; Real mode: far jump, call/ret, REP MOVSB, LODSB/LOOP, 16-bit ALU, segment arithmetic.
bits 16
org 0x7C00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    jmp 0x07C0:(after - 0x7C00)
after:
    mov ax, cs
    cmp ax, 0x07C0
    jne fail
    call sub1
    cmp bx, 0x1234
    jne fail
    ; segment arithmetic: 0x0800:0x0000 aliases 0x0000:0x8000
    mov word [0x8000], 0xBEEF
    mov ax, 0x0800
    mov es, ax
    cmp word [es:0], 0xBEEF
    jne fail
    ; 16-bit wrap of ADD, carry and overflow
    mov ax, 0xFFFF
    add ax, 1
    jnc fail
    jnz fail
    mov ax, 0x7FFF
    inc ax
    jno fail
    ; string copy then print
    push ds
    pop es
    mov si, msg
    mov di, 0x8100
    mov cx, msglen
    cld
    rep movsb
    mov si, 0x8100
    mov cx, msglen
.p: lodsb
    out 0xE9, al
    loop .p
    xor eax, eax
    out 0xF4, eax
    hlt
fail:
    mov eax, 1
    out 0xF4, eax
    hlt
sub1:
    mov bx, 0x1234
    ret
msg: db "RM OK", 10
msglen equ $ - msg

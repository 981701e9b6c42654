; FERR# on the PC: an MBR that unmasks the x87 zero-divide exception with CR0.NE clear
; (the legacy MS-DOS error path), divides by zero and waits (FWAIT). The machine must turn
; FERR# into IRQ 13 (vector 0x75 after SeaBIOS's PIC setup): the handler installed here prints
; VIREO-FERR-IRQ13 on COM1 and exits with status 33; no interrupt prints VIREO-FERR-NONE and
; exits with status 3.
bits 16
org 0x7C00

COM1 equ 0x3F8
EXIT equ 0xF4

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    mov word [0x75 * 4], irq13
    mov word [0x75 * 4 + 2], 0
    in al, 0x21
    and al, ~0x04               ; master: cascade (IRQ 2)
    out 0x21, al
    in al, 0xA1
    and al, ~0x20               ; slave: IRQ 13
    out 0xA1, al
    mov eax, cr0
    and eax, ~(0x20 | 0x0C)     ; NE, TS, EM clear
    or eax, 0x02                ; MP
    mov cr0, eax
    fninit
    fnstcw [cw]
    and word [cw], ~0x04        ; unmask zero divide
    fldcw [cw]
    sti
    fld1
    fldz
    fdivp st1, st0
    fwait
    mov cx, 0xFFFF
.spin:
    loop .spin
    mov si, none
    call print
    mov al, 0x01
    out EXIT, al
    hlt

irq13:
    xor al, al
    out 0xF0, al                ; clear the coprocessor busy latch, as a DOS handler does
    mov si, ok
    call print
    mov al, 0x10
    out EXIT, al
    hlt

print:
    lodsb
    test al, al
    jz .done
    mov bl, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, bl
    out dx, al
    jmp print
.done:
    ret

cw   dw 0
ok   db "VIREO-FERR-IRQ13", 13, 10, 0
none db "VIREO-FERR-NONE", 13, 10, 0

    times 510 - ($ - $$) db 0
    dw 0xAA55

; A boot sector for the SeaBIOS boot test: prints the message stored in the sector after it
; on COM1 (port writes; not INT 10h, which SeaBIOS's serial console would echo on COM1 as
; well), then ends the VM through the debug exit port (0xF4). Built twice:
;   -DCDROM: El Torito no-emulation boot; the BIOS loads both sectors (-boot-load-size 4).
;   (default) hard disk MBR: the BIOS loads sector 0; sector 1 is read with INT 13h AH=42h
;   from the boot drive, which proves the disk's data path.
bits 16
org 0x7C00

COM1     equ 0x3F8
EXIT     equ 0xF4
MSG      equ 0x7E00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
%ifndef CDROM
    mov si, dap
    mov ah, 0x42
    int 0x13
    jc fail
%endif
    mov si, MSG
    call print
    mov al, 0x10            ; exit status (0x10 << 1) | 1 = 33
    out EXIT, al
    hlt
fail:
    mov si, failmsg
    call print
    mov al, 0x01            ; exit status 3
    out EXIT, al
    hlt

; Print the NUL-terminated string at DS:SI on COM1.
print:
    lodsb
    test al, al
    jz .done
    mov bl, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20           ; transmitter holding register empty
    jz .wait
    mov dx, COM1
    mov al, bl
    out dx, al
    jmp print
.done:
    ret

failmsg db "VIREO-BOOT-READ-FAILED", 13, 10, 0

align 4
dap:
    db 16, 0
    dw 1                    ; sectors
    dw MSG, 0               ; buffer
    dq 1                    ; LBA

    times 510 - ($ - $$) db 0
    dw 0xAA55

; Sector 1: the message.
%ifdef CDROM
    db "VIREO-CDROM-BOOT-OK", 13, 10, 0
%else
    db "VIREO-DISK-BOOT-OK", 13, 10, 0
%endif
    times 1024 - ($ - $$) db 0
%ifdef CDROM
    times 2048 - ($ - $$) db 0
%endif

; Virtual-8086 mode: enter through IRET with EFLAGS.VM, real-mode addressing, I/O through the
; TSS permission bitmap, sensitive instructions (INT n, CLI, PUSHF, HLT) trapping to a #GP
; monitor at IOPL 0, INT n going straight through a DPL-3 IDT gate at IOPL 3, and the
; stack frame an interrupt from v86 mode pushes (with ES DS FS GS, which it then zeroes).
%include "lib.inc"

TSS      equ 0x300000
V86_BASE equ 0x7000
V86_CS   equ 0x0700
V86_SS   equ 0x0500
V86_SP   equ 0x0E00
%define V86(x) ((x) - v86_start)

main:
        mov esi, v86_start
        mov edi, V86_BASE
        mov ecx, v86_end - v86_start
        rep movsb
        mov edi, TSS
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov dword [TSS + 4], 0x80000
        mov dword [TSS + 8], SEL_DATA32
        mov word [TSS + 102], 104
        mov edi, TSS + 104
        mov al, 0xFF
        mov ecx, 8193
        rep stosb
        and byte [TSS + 104 + 0xE9 / 8], ~(1 << (0xE9 % 8))
        mov eax, 7
        mov ebx, TSS
        mov ecx, 104 + 8192
        mov edx, 0x89
        call set_gdt
        mov ax, SEL_TSS
        ltr ax
        mov eax, 13
        mov ebx, monitor
        mov ecx, SEL_CODE32
        mov edx, 0x8E
        call set_idt
        mov eax, 0x22
        mov ebx, int22
        mov edx, 0xEE                   ; DPL 3: reachable from v86 at IOPL 3
        call set_idt

        mov [saved_esp], esp
        push dword 0x3333               ; gs
        push dword 0x2222               ; fs
        push dword 0x1111               ; ds
        push dword 0x1234               ; es
        push dword V86_SS
        push dword V86_SP
        push dword 0x00020002           ; VM, IOPL 0
        push dword V86_CS
        push dword V86(v86_entry)
        iret
v86_done:                               ; monitor jumps here after HLT in v86
        mov esp, [saved_esp]
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        movzx eax, word [0x6000]
        mov [v86_result], eax
        movzx eax, word [0x6004]
        mov [v86_fs], eax
        movzx eax, word [0x6008]
        mov [i22_ret], eax
        movzx eax, word [0x12350]
        CHECK eax, 0xBEEF, "es:0x10 with es=0x1234"
        CHECK dword [int21_seen], 0x4C21, "int 21 reached the monitor with ah"
        CHECK dword [v86_result], 0x0099, "monitor return value seen in v86"
        CHECK dword [gp_count], 5, "gp count (int, cli, pushf, popf, hlt)"
        CHECK dword [i22_cs], V86_CS, "int 22 frame cs"
        CHECK dword [i22_vm], 0x20000, "int 22 frame eflags.vm"
        CHECK dword [i22_ss], V86_SS, "int 22 frame ss"
        CHECK dword [i22_ds], V86_CS, "int 22 frame ds (set to cs for printing)"
        CHECK dword [i22_gs], 0x3333, "int 22 frame gs"
        CHECK dword [i22_dsreg], 0, "ds zeroed in the handler"
        CHECK dword [i22_ret], 0x2222, "int 22 handler result seen in v86"
        CHECK dword [v86_fs], 0x2222, "fs in v86"
        CHECK dword [gp_err], 0, "gp error code"
        ret

; #GP monitor. Frame: err eip cs eflags esp ss es ds fs gs
monitor:
        push eax
        push ebx
        mov ax, SEL_DATA32
        mov ds, ax
        inc dword [gp_count]
        mov eax, [esp + 8]
        mov [gp_err], eax
        movzx ebx, word [esp + 16]      ; cs
        shl ebx, 4
        add ebx, [esp + 12]             ; + ip
        mov al, [ebx]
        cmp al, 0xCD                    ; INT n: emulate int 0x21 by returning ax=0x99
        je .int
        cmp al, 0xF4                    ; HLT: the v86 program is done
        je .hlt
        cmp al, 0xFA                    ; CLI: switch the guest to IOPL 3 instead
        je .cli
        inc dword [esp + 12]            ; PUSHF/POPF: skip (1 byte, no operand size prefix)
        jmp .out
.cli:   or dword [esp + 20], 0x3000
        inc dword [esp + 12]
        jmp .out
.int:   mov eax, [esp + 4]              ; saved eax: v86 ax
        and eax, 0xFFFF
        mov [int21_seen], eax
        mov word [esp + 4], 0x0099
        add dword [esp + 12], 2
.out:   pop ebx
        pop eax
        add esp, 4
        iret
.hlt:   jmp v86_done

int22:                                  ; through the IDT from v86 at IOPL 3
        push eax
        mov eax, ds
        push eax
        mov ax, SEL_DATA32
        mov ds, ax
        pop eax
        mov [i22_dsreg], eax
        mov eax, [esp + 8]
        mov [i22_cs], eax
        mov eax, [esp + 12]
        and eax, 0x20000
        mov [i22_vm], eax
        mov eax, [esp + 20]
        mov [i22_ss], eax
        mov eax, [esp + 28]
        mov [i22_ds], eax
        mov eax, [esp + 36]
        mov [i22_gs], eax
        pop eax
        mov ax, 0x2222
        iret

        align 4
saved_esp:  dd 0
gp_count:   dd 0
gp_err:     dd 0xFFFFFFFF
int21_seen: dd 0
v86_result: dd 0
v86_fs:     dd 0
i22_cs:     dd 0
i22_vm:     dd 0
i22_ss:     dd 0
i22_ds:     dd 0
i22_gs:     dd 0
i22_dsreg:  dd 0xFFFFFFFF
i22_ret:    dd 0

        bits 16
v86_start:
v86_entry:
        mov word [es:0x10], 0xBEEF
        mov ax, cs
        mov ds, ax
        mov si, V86(msg)
.p:     lodsb
        test al, al
        jz .printed
        out 0xE9, al
        jmp .p
.printed:
        mov ax, 0x4C21
        int 0x21                        ; -> #GP -> monitor (IOPL 0)
        mov bx, ax
        mov cx, fs
        pushf                           ; -> #GP (IOPL 0)
        popf                            ; -> #GP
        cli                             ; -> #GP; the monitor raises IOPL to 3
        mov ax, 0x1111
        int 0x22                        ; IOPL 3: through the DPL-3 gate
        mov dx, ax
        xor ax, ax                      ; results to low memory for protected mode
        mov ds, ax
        mov [0x6000], bx
        mov [0x6004], cx
        mov [0x6008], dx
        hlt                             ; -> #GP -> monitor ends the v86 run
msg:    db "hello from v86 mode", 10, 0
v86_end:
        bits 32

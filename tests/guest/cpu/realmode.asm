; Real mode and back: leave protected mode through a 16-bit segment, run real-mode code
; (segment arithmetic, the IVT, 32-bit operand/address prefixes, "unreal" 4 GiB limits kept
; from protected mode), return to protected mode, and check what real mode left behind.
%include "lib.inc"

RM_BASE equ 0x7000                  ; the real-mode code runs from a copy here
RES     equ 0x6F00                  ; results written in real mode
%define RM(x) ((x) - rm_start + RM_BASE)

main:
        mov esi, rm_start
        mov edi, RM_BASE
        mov ecx, rm_end - rm_start
        rep movsb
        mov edi, RES
        mov ecx, 64
        xor eax, eax
        rep stosd
        mov dword [0x200000], 0x5A5A1234   ; read in unreal mode
        mov [saved_esp], esp
        ; DS keeps a flat 4 GiB limit across the switch ("unreal mode").
        jmp SEL_CODE16:RM(rm_entry16)
back32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, [saved_esp]
        lidt [idt_ptr]
        movzx eax, word [RES + 0]
        CHECK eax, 0, "real mode cs"
        CHECK dword [RES + 4], 0x89ABCDEF, "o32 mov/add result"
        movzx eax, word [0x12350]
        CHECK eax, 0xBEEF, "es:0x10 with es=0x1234"
        movzx eax, word [RES + 8]
        CHECK eax, 0x4321, "int 0x80 through the IVT"
        movzx eax, word [RES + 10]
        and eax, 0x0200
        CHECK eax, 0, "if cleared in the int handler"
        CHECK dword [RES + 12], 0x5A5A1234, "unreal mode read at 2 MiB"
        movzx eax, word [RES + 16]
        CHECK eax, 0x0044, "flags after cmp in real mode (zf pf)"
        movzx eax, word [RES + 18]
        CHECK eax, 0x1234, "push seg/pop"
        movzx eax, word [RES + 20]
        CHECK eax, 0x0E00, "lea wraps at 64 KiB (0xFF00+0x0F00)"
        mov eax, cr0
        and eax, 1
        CHECK eax, 1, "back in protected mode"
        ret

saved_esp: dd 0

        bits 16
rm_start:
rm_entry16:                         ; 16-bit protected mode, base 0
        mov ax, SEL_DATA16
        mov ss, ax
        mov es, ax                  ; ES, SS get 64 KiB limits; DS keeps 4 GiB
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0:RM(rm_real)
rm_real:
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov es, ax
        mov sp, 0x6E00
        lidt [RM(rm_ivt_ptr)]
        mov si, RM(rm_msg)
.print: lodsb
        test al, al
        jz .printed
        out 0xE9, al
        jmp .print
.printed:
        mov ax, cs
        mov [RES + 0], ax
        mov eax, 0x89AB0000
        add eax, 0xCDEF
        mov [RES + 4], eax
        mov ax, 0x1234
        mov es, ax
        mov word [es:0x10], 0xBEEF
        push es
        pop word [RES + 18]
        xor ax, ax
        mov es, ax
        mov word [0x80 * 4], RM(rm_int80)
        mov word [0x80 * 4 + 2], 0
        sti
        int 0x80
        cli
        mov [RES + 8], bx
        mov [RES + 10], cx
        mov esi, 0x200000
        mov eax, [esi]              ; address-size prefix, beyond 64 KiB: needs unreal DS
        mov [RES + 12], eax
        mov ax, 5
        cmp ax, 5
        pushf
        pop ax
        and ax, 0x08D5
        mov [RES + 16], ax
        mov bx, 0xFF00
        lea ax, [bx + 0x0F00]
        mov [RES + 20], ax
        ; back to protected mode
        lgdt [RM(rm_gdt_ptr)]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword SEL_CODE32:back32
rm_int80:
        mov bx, 0x4321
        pushf
        pop cx
        iret
rm_msg: db "hello from real mode", 10, 0
rm_ivt_ptr:
        dw 0x3FF
        dd 0
rm_gdt_ptr:
        dw gdt_end - gdt - 1
        dd gdt
rm_end:
        bits 32

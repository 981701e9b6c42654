; 16-bit code: a 16-bit protected-mode code segment with a 16-bit stack, 16- and 32-bit
; interrupt gates taken from it (frame sizes and contents), 16-bit near calls and IRET,
; operand-size overrides on pushes; then real mode with exceptions delivered through the IVT
; (#DE and #UD report the faulting IP; INT3 the next one).
%include "lib.inc"

BASE equ 0x7000
RES  equ 0x6F00
%define L(x) ((x) - code16 + BASE)

main:
        mov esi, code16
        mov edi, BASE
        mov ecx, code16_end - code16
        rep movsb
        mov edi, RES
        xor eax, eax
        mov ecx, 64
        rep stosd
        mov eax, 0x40                   ; 16-bit interrupt gate to 16-bit code
        mov ebx, L(handler16)
        mov ecx, SEL_CODE16
        mov edx, 0x86
        call set_idt
        mov eax, 0x41                   ; 32-bit interrupt gate to 32-bit code
        mov ebx, handler32
        mov ecx, SEL_CODE32
        mov edx, 0x8E
        call set_idt
        mov [saved_esp], esp
        jmp SEL_CODE16:L(entry16)
back32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, [saved_esp]
        lidt [idt_ptr]
        movzx eax, word [RES + 0]
        CHECK eax, 6, "16-bit gate frame size"
        movzx eax, word [RES + 2]
        CHECK eax, L(after40), "16-bit gate frame ip"
        movzx eax, word [RES + 4]
        CHECK eax, SEL_CODE16, "16-bit gate frame cs"
        CHECK dword [RES + 8], 12, "32-bit gate frame size from 16-bit code"
        CHECK dword [RES + 12], L(after41), "32-bit gate frame eip"
        movzx eax, word [RES + 16]
        CHECK eax, 2, "16-bit near call pushes 2 bytes"
        movzx eax, word [RES + 18]
        CHECK eax, 4, "push dword in 16-bit code"
        movzx eax, word [RES + 20]
        CHECK eax, 2, "push word in 16-bit code"
        movzx eax, word [RES + 22]
        CHECK eax, L(de_at), "real-mode #de ip"
        movzx eax, word [RES + 24]
        CHECK eax, L(ud_at), "real-mode #ud ip"
        movzx eax, word [RES + 26]
        CHECK eax, L(bp_after), "real-mode int3 ip"
        movzx eax, word [RES + 28]
        CHECK eax, 0x0603, "real-mode handler counts (de ud bp)"
        ret

handler32:                              ; 32-bit code on a 16-bit stack (ESP < 64 KiB)
        mov eax, 0x6E00                 ; frame: eip cs eflags (12 bytes); clobbers eax
        sub eax, esp
        mov [RES + 8], eax
        mov eax, [esp]
        mov [RES + 12], eax
        iretd

saved_esp: dd 0

        bits 16
code16:
entry16:                                ; 16-bit protected mode
        mov ax, SEL_DATA16
        mov ss, ax
        mov esp, 0x6E00                 ; upper half 0: a 16-bit stack uses SP only
        int 0x40
after40:
        int 0x41
after41:
        call near sub16
        mov ax, sp
        push dword 0x12345678
        sub ax, sp
        mov [RES + 18], ax
        add sp, 4
        mov ax, sp
        push word 0x1234
        sub ax, sp
        mov [RES + 20], ax
        add sp, 2
        ; to real mode
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0:L(real)
real:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x6E00
        lidt [L(ivt_ptr)]
        mov word [0 * 4], L(rm_de)
        mov word [0 * 4 + 2], 0
        mov word [6 * 4], L(rm_ud)
        mov word [6 * 4 + 2], 0
        mov word [3 * 4], L(rm_bp)
        mov word [3 * 4 + 2], 0
        mov ax, 5
        mov cl, 0
de_at:  div cl
ud_at:  ud2
        int3
bp_after:
        lgdt [L(gdt_ptr16)]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword SEL_CODE32:back32

rm_de:  push bp
        mov bp, sp
        mov ax, [bp + 2]
        mov [RES + 22], ax
        add word [bp + 2], 2            ; skip div cl
        inc byte [RES + 29]
        pop bp
        iret
rm_ud:  push bp
        mov bp, sp
        mov ax, [bp + 2]
        mov [RES + 24], ax
        add word [bp + 2], 2            ; skip ud2
        add byte [RES + 28], 3
        pop bp
        iret
rm_bp:  push bp
        mov bp, sp
        mov ax, [bp + 2]
        mov [RES + 26], ax
        add byte [RES + 29], 5
        pop bp
        iret

handler16:                              ; frame: ip cs flags (6 bytes)
        push bp
        mov bp, sp
        mov ax, 0x6E00
        sub ax, bp
        sub ax, 2
        mov [dword RES + 0], ax
        mov ax, [bp + 2]
        mov [dword RES + 2], ax
        mov ax, [bp + 4]
        mov [dword RES + 4], ax
        pop bp
        iret

sub16:  mov ax, 0x6E00
        sub ax, sp
        mov [dword RES + 16], ax
        ret

ivt_ptr:
        dw 0x3FF
        dd 0
gdt_ptr16:
        dw gdt_end - gdt - 1
        dd gdt
code16_end:
        bits 32

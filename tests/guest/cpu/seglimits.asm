; Protected-mode segmentation, access side: limits (normal and expand-down), writes to
; read-only segments, accesses through a null selector, the stack limit (#SS), and the
; segment check taking priority over a page fault.
; QEMU's TCG does not check these (it ignores data segment limits and rights), so this program
; has no oracle run: its checks are the SDM's rules, and it must pass on real hardware.
%include "lib.inc"

%macro SEG 5                        ; SEG index, base, limit, access, flags
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

main:
        SEG 8, 0x300000, 0xFFF, 0x92, 0x4      ; 0x40 data rw, 4 KiB
        SEG 9, 0x300000, 0xFFF, 0x96, 0x4      ; 0x48 data rw expand-down, B=1
        SEG 10, 0x300000, 0xFFF, 0x90, 0x4     ; 0x50 data read-only
        SEG 11, 0, 0xFFFFF, 0x98, 0xC          ; 0x58 code execute-only
        SEG 12, 0, 0xFFFFF, 0x9A, 0xC          ; 0x60 code readable
        SEG 13, 0x300000, 0xFFF, 0x12, 0x4     ; 0x68 data, not present
        SEG 14, 0x300000, 0x7FF, 0x92, 0x4     ; 0x70 stack, 2 KiB
        SEG 15, 0x300000, 0xFFF, 0x90 | 0x60, 0x4 ; 0x78 read-only DPL 3

        mov ax, 0x40
        mov es, ax
        mov dword [es:0xFFC], 0x11223344
        CHECK dword [0x300FFC], 0x11223344, "write at limit-3"
        TRY .l1
        mov eax, [es:0xFFD]
.l1:    EXPECT_EXC 13, 0, "dword read crossing limit"
        TRY .l2
        mov al, [es:0x1000]
.l2:    EXPECT_EXC 13, 0, "byte read past limit"
        mov al, [es:0xFFF]
        movzx eax, al
        CHECK eax, 0x11, "byte read at limit"

        mov ax, 0x48
        mov es, ax
        TRY .l3
        mov eax, [es:0x800]
.l3:    EXPECT_EXC 13, 0, "expand-down below limit"
        mov dword [es:0x1000], 0xCAFE0001
        CHECK dword [0x301000], 0xCAFE0001, "expand-down above limit"

        mov ax, 0x50
        mov es, ax
        mov eax, [es:0]
        TRY .l4
        mov dword [es:0], 1
.l4:    EXPECT_EXC 13, 0, "write to read-only segment"

        xor eax, eax
        mov es, ax                  ; null is fine in es
        TRY .l12
        mov eax, [es:0]
.l12:   EXPECT_EXC 13, 0, "access through null es"

        ; stack limit: pushes below 0 wrap to the top, pops past the limit fault
        mov ax, 0x70
        mov [saved_esp], esp
        mov ss, ax
        mov esp, 0x800
        TRY .l13
        pop eax
.l13:   mov cx, SEL_DATA32
        mov ss, cx
        mov esp, [saved_esp]
        EXPECT_EXC 12, 0, "pop past the stack limit"

        ; priority: a limit violation is a #GP even when the page is not present as well
        mov ax, SEL_DATA32
        mov es, ax
        mov edi, 0x400000
        mov eax, 0x83
        mov ecx, 1024
.pd:    stosd
        add eax, 0x400000
        loop .pd
        mov dword [0x400000 + 2 * 4], 0         ; 8..12 MiB not present
        mov eax, 0x400000
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov ax, 0x40
        mov es, ax
        TRY .l14
        mov eax, [es:0x500000]                  ; linear 0x800000: beyond limit and unmapped
.l14:   EXPECT_EXC 13, 0, "limit checked before paging"
        TRY .l15
        mov eax, [0x800000]
.l15:   EXPECT_EXC 14, 0, "the same page within limits: #pf"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov ax, SEL_DATA32
        mov es, ax
        ret

saved_esp: dd 0

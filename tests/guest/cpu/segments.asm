; Protected-mode segmentation, descriptor side: type and privilege checks on segment loads,
; not-present segments, the accessed bit, LAR/LSL/VERR/VERW.
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

        TRY .l5
        mov eax, 0x58
        mov es, ax
.l5:    EXPECT_EXC 13, 0x58, "load execute-only code into es"
        mov ax, 0x60
        mov es, ax
        mov eax, [es:main]
        CHECK eax, [main], "read through readable code segment"
        TRY .l6
        mov ax, 0x60
        mov ss, ax
.l6:    EXPECT_EXC 13, 0x60, "load code into ss"
        TRY .l7
        mov ax, 0x50
        mov ss, ax
.l7:    EXPECT_EXC 13, 0x50, "load read-only data into ss"
        TRY .l8
        xor eax, eax
        mov ss, ax
.l8:    EXPECT_EXC 13, 0, "load null into ss"
        TRY .l9
        mov ax, 0x100
        mov es, ax
.l9:    EXPECT_EXC 13, 0x100, "selector beyond gdt limit"
        TRY .l10
        mov ax, 0x68
        mov es, ax
.l10:   EXPECT_EXC 11, 0x68, "not-present data segment"
        TRY .l11
        mov ax, 0x43
        mov es, ax
.l11:   EXPECT_EXC 13, 0x40, "rpl 3 on dpl 0 data"
        mov ax, 0x7B                ; DPL 3 data is fine from CPL 0
        mov es, ax

        ; accessed bit
        and byte [gdt + 8 * 8 + 5], 0xFE
        mov ax, 0x40
        mov es, ax
        movzx eax, byte [gdt + 8 * 8 + 5]
        CHECK eax, 0x93, "accessed bit set on load"

        ; LAR/LSL/VERR/VERW
        mov eax, 0xFFFFFFFF
        mov ecx, 0x48
        lar eax, ecx
        setz bl
        and eax, 0x00F0FF00
        CHECK eax, 0x00409600, "lar expand-down (never loaded: not accessed)"
        movzx ebx, bl
        CHECK ebx, 1, "lar zf"
        mov ecx, 0x40
        lsl eax, ecx
        CHECK eax, 0xFFF, "lsl 4 KiB segment"
        mov ecx, SEL_CODE32
        lsl eax, ecx
        CHECK eax, 0xFFFFFFFF, "lsl flat (page granular)"
        mov ecx, 0x68
        lsl eax, ecx
        setz bl
        movzx ebx, bl
        CHECK ebx, 1, "lsl works on not-present"
        mov ecx, 0x100
        mov eax, 0x55
        lsl eax, ecx
        setz bl
        movzx ebx, bl
        CHECK ebx, 0, "lsl beyond gdt clears zf"
        CHECK eax, 0x55, "lsl failure keeps dest"
        mov cx, 0x50
        verr cx
        setz bl
        verw cx
        setz bh
        movzx eax, bx
        CHECK eax, 0x0001, "verr/verw read-only"
        mov cx, 0x58
        verr cx
        setz bl
        mov cx, 0x60
        verr cx
        setz bh
        movzx eax, bx
        CHECK eax, 0x0100, "verr execute-only/readable code"
        mov ax, SEL_DATA32
        mov es, ax
        ret

saved_esp: dd 0

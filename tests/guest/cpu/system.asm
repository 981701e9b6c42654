; System instructions and the LDT: SGDT/SIDT/SLDT/STR, LLDT and segments from the LDT (TI=1),
; LDT limit faults, ARPL, SMSW/LMSW (LMSW cannot clear PE), CLTS, MOV to/from DR0-DR3/DR7,
; MOV CR4, multi-byte NOPs, CPUID leaf 0 vendor-independent checks, BOUND with 16-bit operands.
%include "lib.inc"

LDT equ 0x300000

%macro SEG 5
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

main:
        sgdt [tmp]
        movzx eax, word [tmp]
        CHECK eax, gdt_end - gdt - 1, "sgdt limit"
        CHECK dword [tmp + 2], gdt, "sgdt base"
        sidt [tmp]
        movzx eax, word [tmp]
        CHECK eax, 256 * 8 - 1, "sidt limit"
        CHECK dword [tmp + 2], idt, "sidt base"

        ; an LDT with a data segment based at 0x301000 and a code segment
        mov dword [LDT + 0], 0
        mov dword [LDT + 4], 0
        mov dword [LDT + 8], 0x1000FFFF         ; data: base 0x301000, limit 0xFFFF
        mov dword [LDT + 12], 0x00409230
        mov dword [LDT + 16], 0x0000FFFF        ; code: flat, 32-bit
        mov dword [LDT + 20], 0x00CF9A00
        SEG 8, LDT, 23, 0x82, 0                 ; 0x40: the LDT descriptor
        mov ax, 0x40
        lldt ax
        sldt eax
        CHECK eax, 0x40, "sldt"
        mov dword [0x301010], 0x1DF00D
        mov ax, 0x0C                            ; index 1, TI=1, RPL 0
        mov es, ax
        mov eax, [es:0x10]
        CHECK eax, 0x1DF00D, "data segment from the ldt"
        mov ecx, 0x0C
        lsl eax, ecx
        CHECK eax, 0xFFFF, "lsl of an ldt selector"
        call 0x14:.ldt_code                     ; code segment from the LDT
        CHECK ebx, 0x14, "cs from the ldt"
        TRY .l1
        mov ax, 0x1C                            ; index 3: beyond the LDT limit
        mov es, ax
.l1:    EXPECT_EXC 13, 0x1C, "ldt selector beyond the ldt limit"
        mov ax, SEL_DATA32                      ; (the handler reloads ES as it was)
        mov es, ax
        xor eax, eax
        lldt ax                                 ; null LDT: TI=1 selectors fault
        TRY .l2
        mov ax, 0x0C
        mov es, ax
.l2:    EXPECT_EXC 13, 0x0C, "ldt selector with a null ldt"
        mov ax, SEL_DATA32
        mov es, ax
        TRY .l3
        mov ax, SEL_DATA32                      ; not an LDT descriptor
        lldt ax
.l3:    EXPECT_EXC 13, SEL_DATA32, "lldt of a data segment"

        ; ARPL
        mov ax, 0x0010
        mov cx, 0x0003
        arpl ax, cx
        setz bl
        movzx eax, ax
        movzx ebx, bl
        CHECK eax, 0x0013, "arpl raises rpl"
        CHECK ebx, 1, "arpl zf when adjusted"
        mov ax, 0x0013
        mov cx, 0x0001
        arpl ax, cx
        setz bl
        movzx ebx, bl
        CHECK ebx, 0, "arpl zf clear when not"

        ; SMSW / LMSW / CLTS
        smsw eax
        and eax, 0xFFFF
        mov ebx, cr0
        and ebx, 0xFFFF
        CHECK eax, ebx, "smsw is cr0 low word"
        mov ax, 0x0008                          ; TS set, PE clear: PE must stay set
        lmsw ax
        mov eax, cr0
        and eax, 0x0F
        CHECK eax, 0x09, "lmsw sets ts but cannot clear pe"
        clts
        mov eax, cr0
        and eax, 0x08
        CHECK eax, 0, "clts"

        ; debug registers (breakpoints disabled: only storage)
        mov eax, 0x12345678
        mov dr0, eax
        mov eax, 0x9ABCDEF0
        mov dr3, eax
        mov eax, dr0
        CHECK eax, 0x12345678, "dr0"
        mov eax, dr3
        CHECK eax, 0x9ABCDEF0, "dr3"
        mov eax, dr7
        and eax, 0xFF
        CHECK eax, 0, "dr7 breakpoints off"

        ; CR4 round trip (PSE, PGE)
        mov eax, 0x90
        mov cr4, eax
        mov ebx, cr4
        xor eax, eax
        mov cr4, eax
        CHECK ebx, 0x90, "cr4 pse pge"

        ; multi-byte NOPs
        mov eax, 0x55
        db 0x0F, 0x1F, 0x00                     ; nop dword [eax]
        db 0x0F, 0x1F, 0x44, 0x00, 0x00         ; nop dword [eax+eax+0]
        db 0x66, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
        db 0x66, 0x90
        CHECK eax, 0x55, "multi-byte nops"

        ; BOUND with 16-bit operands
        mov word [tmp], 0xFFF0                  ; -16 .. 16 (signed)
        mov word [tmp + 2], 16
        mov ax, -5
        o16 bound ax, [tmp]
        TRY .b1
        mov ax, 17
        o16 bound ax, [tmp]
.b1:    EXPECT_EXC 5, 0, "bound16 above"
        ret

.ldt_code:
        mov ebx, cs
        retf

        align 4
tmp:    times 8 dd 0

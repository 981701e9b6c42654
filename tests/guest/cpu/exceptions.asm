; Exceptions and gates: #DE, #UD, #BR, INT3/INTO (traps: EIP after), #GP and #NP from the IDT
; itself (error codes with the IDT bit), #SS and #NP on segment loads, a double fault from a
; not-present #GP gate, interrupt gates clearing IF and trap gates keeping it.
%include "lib.inc"

%macro SEG 5                        ; SEG index, base, limit, access, flags
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

%macro GATE 3                       ; GATE vector, handler, type/attr
        mov eax, %1
        mov ebx, %2
        mov ecx, SEL_CODE32
        mov edx, %3
        call set_idt
%endmacro

main:
        TRY .de1
        xor edx, edx
        mov eax, 5
        xor ecx, ecx
.de1_at: div ecx
.de1:   EXPECT_EXC 0, 0, "div by zero"
        CHECK dword [exc_eip], .de1_at, "div by zero eip (fault)"
        TRY .de2
        mov edx, 0xFFFFFFFF
        mov eax, 0x80000000
        mov ecx, -1
        idiv ecx
.de2:   EXPECT_EXC 0, 0, "idiv overflow"
        TRY .de3
        mov ax, 0x1000
        mov cl, 0x10
        div cl
.de3:   EXPECT_EXC 0, 0, "div 8-bit quotient overflow"

        TRY .ud1
.ud1_at: ud2
.ud1:   EXPECT_EXC 6, 0, "ud2"
        CHECK dword [exc_eip], .ud1_at, "ud2 eip"
        TRY .ud2
        db 0xF0, 0x90               ; lock nop
.ud2:   EXPECT_EXC 6, 0, "lock on nop"
        TRY .ud3
        db 0x0F, 0x20, 0xC8         ; mov eax, cr1
.ud3:   EXPECT_EXC 6, 0, "mov from cr1"

        TRY .br1
        mov eax, 20
        bound eax, [bounds]
.br1:   EXPECT_EXC 5, 0, "bound above"
        mov eax, 10
        bound eax, [bounds]         ; inside: no exception
        TRY .bp1
        int3
.bp1_after:
.bp1:   EXPECT_EXC 3, 0, "int3"
        CHECK dword [exc_eip], .bp1_after, "int3 eip (trap)"
        mov eax, 0x7FFFFFFF
        add eax, 1                  ; OF=1
        TRY .of1
        into
.of1:   EXPECT_EXC 4, 0, "into with of"
        CHECK dword [exc_eip], .of1, "into eip (trap)"

        ; an IDT limit that cuts off the vector: #GP(vector * 8 + 2)
        mov word [idt_ptr], 0x40 * 8 - 1
        lidt [idt_ptr]
        TRY .gp1
        int 0x50
.gp1:   mov word [idt_ptr], 256 * 8 - 1
        lidt [idt_ptr]
        EXPECT_EXC 13, 0x282, "int beyond idt limit"
        ; a not-present gate: #NP(vector * 8 + 2)
        GATE 0x60, isr_stubs + 0x60 * ISR_STUB_SIZE, 0x0E
        TRY .np1
        int 0x60
.np1:   EXPECT_EXC 11, 0x302, "int to not-present gate"

        ; segment loads
        SEG 8, 0x300000, 0xFFF, 0x12, 0x4      ; 0x40 data not present
        SEG 9, 0x00000, 0xFFFFF, 0x1A, 0xC     ; 0x48 code not present
        TRY .ss1
        mov ax, 0x40
        mov ss, ax
.ss1:   EXPECT_EXC 12, 0x40, "ss load not present"
        TRY .np2
        call 0x48:0
.np2:   EXPECT_EXC 11, 0x48, "far call to not-present code"
        TRY .gp2
        jmp 0:0
.gp2:   EXPECT_EXC 13, 0, "far jump to null selector"

        ; double fault: the #GP gate is not present, so delivering #GP raises #NP -> #DF
        and byte [idt + 13 * 8 + 5], 0x7F
        TRY .df1
        jmp 0:0
.df1:   or byte [idt + 13 * 8 + 5], 0x80
        EXPECT_EXC 8, 0, "double fault"

        ; interrupt gate clears IF, trap gate keeps it; both keep the pushed flags
        GATE 0x40, flag_handler, 0x8E
        GATE 0x41, flag_handler, 0x8F
        sti
        int 0x40
        pushfd
        cli
        pop ebx
        and ebx, 0x200
        mov eax, [seen_flags]
        and eax, 0x200
        CHECK eax, 0, "if inside interrupt gate"
        CHECK ebx, 0x200, "if restored by iret"
        sti
        int 0x41
        cli
        mov eax, [seen_flags]
        and eax, 0x200
        CHECK eax, 0x200, "if inside trap gate"
        mov eax, [seen_pushed]
        and eax, 0x200
        CHECK eax, 0x200, "pushed eflags has if"
        ; exception frame contents: error code, eip, cs, eflags
        TRY .gp3
        mov ax, 0x103
        mov ds, ax
.gp3:   EXPECT_EXC 13, 0x100, "selector error code drops rpl"
        ret

flag_handler:
        push eax
        pushfd
        pop dword [seen_flags]
        mov eax, [esp + 12]         ; eflags in the frame
        mov [seen_pushed], eax
        pop eax
        iret

        align 8
bounds: dd 0, 15
seen_flags: dd 0
seen_pushed: dd 0

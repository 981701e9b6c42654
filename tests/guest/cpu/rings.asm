; Privilege levels: IRET to ring 3, ring-3 stacks switched through the TSS, call gates with
; parameters (ring 3 -> 0 -> 3), DPL checks on INT gates, conforming code, privileged
; instructions and the I/O permission bitmap at CPL 3, user/supervisor page faults.
%include "lib.inc"

TSS     equ 0x300000                ; 104 bytes + I/O bitmap (8 KiB) + terminator
TSS_LIM equ 104 + 8192
KSTACK  equ 0x80000                 ; ring-0 stack from the TSS
USTACK  equ 0x70000
PD      equ 0x400000

%macro SEG 5
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

%macro GATE 3                       ; IDT gate: vector, handler, type/attr
        mov eax, %1
        mov ebx, %2
        mov ecx, SEL_CODE32
        mov edx, %3
        call set_idt
%endmacro

; call gate descriptor in GDT slot: index, target offset, target selector, dpl, param count
%macro CALLGATE 5
        mov eax, %2
        mov [gdt + (%1) * 8], ax
        mov word [gdt + (%1) * 8 + 2], %3
        mov word [gdt + (%1) * 8 + 4], 0x8C00 | ((%4) << 13) | (%5)
        shr eax, 16
        mov [gdt + (%1) * 8 + 6], ax
%endmacro

main:
        ; TSS: ring-0 stack, an I/O bitmap that allows only port 0xE9
        mov edi, TSS
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov dword [TSS + 4], KSTACK
        mov dword [TSS + 8], SEL_DATA32
        mov word [TSS + 102], 104
        mov edi, TSS + 104
        mov al, 0xFF
        mov ecx, 8193
        rep stosb
        and byte [TSS + 104 + 0xE9 / 8], ~(1 << (0xE9 % 8))
        SEG 7, TSS, TSS_LIM, 0x89, 0x0
        mov ax, SEL_TSS
        ltr ax
        mov ax, SEL_TSS
        str bx
        movzx ebx, bx
        CHECK ebx, SEL_TSS, "str"
        movzx eax, byte [gdt + 7 * 8 + 5]
        CHECK eax, 0x8B, "ltr marks the tss busy"

        CALLGATE 8, gate_params, SEL_CODE32, 3, 2   ; 0x40
        CALLGATE 10, gate_exit, SEL_CODE32, 3, 0    ; 0x50
        CALLGATE 11, gate_params, SEL_CODE32, 0, 2  ; 0x58, DPL 0
        SEG 9, 0, 0xFFFFF, 0x9E, 0xC                ; 0x48 conforming code, DPL 0
        GATE 0x40, int_handler, 0x8E                ; DPL 0
        GATE 0x41, int_handler, 0xEE                ; DPL 3

        ; paging with 4 MiB pages: all user-accessible except 8..12 MiB (supervisor) and
        ; 12..16 MiB (user, read-only)
        mov edi, PD
        mov eax, 0x87
        mov ecx, 1024
.pd:    stosd
        add eax, 0x400000
        loop .pd
        and dword [PD + 2 * 4], ~4
        and dword [PD + 3 * 4], ~2
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80010000
        mov cr0, eax

        mov [saved_esp], esp
        push dword SEL_DATA3
        push dword USTACK
        push dword 0x002                ; IOPL 0, IF 0
        push dword SEL_CODE3
        push dword user
        iret
back:                                   ; from gate_exit, ring 0
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov esp, [saved_esp]
        PRINTLN "back in ring 0"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ret

user:
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        PRINTLN "ring 3 prints through the io bitmap"
        mov eax, cs
        CHECK eax, SEL_CODE3, "cs in ring 3"
        mov eax, ss
        CHECK eax, SEL_DATA3, "ss in ring 3"
        push dword 0x1111
        push dword 0x2222
        call 0x43:0
        CHECK eax, 0x2222, "gate param 1 (pushed last)"
        CHECK ebx, 0x1111, "gate param 2"
        CHECK ecx, SEL_DATA32, "ss in gate from tss"
        CHECK edx, KSTACK - 24, "esp in gate: tss esp0 - frame"
        CHECK esi, SEL_CODE3, "caller cs in frame"
        CHECK edi, SEL_DATA3, "caller ss in frame"
        mov eax, esp
        CHECK eax, USTACK, "retf 8 pops the params on the user stack"
        TRY .g1
        call 0x5B:0
.g1:    EXPECT_EXC 13, 0x58, "call gate with dpl 0"

        int 0x41
        CHECK ebx, SEL_CODE3, "int from ring 3: frame cs"
        CHECK ecx, SEL_DATA3, "int from ring 3: frame ss"
        CHECK edx, USTACK, "int from ring 3: frame esp"
        TRY .i1
        int 0x40
.i1:    EXPECT_EXC 13, 0x202, "int to dpl 0 gate"

        call 0x4B:conforming
        CHECK eax, 0x4B, "conforming code keeps cpl 3"

        TRY .p1
        cli
.p1:    EXPECT_EXC 13, 0, "cli at cpl 3"
        TRY .p2
        hlt
.p2:    EXPECT_EXC 13, 0, "hlt at cpl 3"
        TRY .p3
        mov eax, cr0
.p3:    EXPECT_EXC 13, 0, "mov from cr0 at cpl 3"
        TRY .p4
        in al, 0x80
.p4:    EXPECT_EXC 13, 0, "in from a port outside the bitmap"
        TRY .p5
        mov ax, SEL_DATA32
        mov ds, ax
.p5:    EXPECT_EXC 13, SEL_DATA32, "load dpl 0 data at cpl 3"
        TRY .p6
        lgdt [gdt_ptr]
.p6:    EXPECT_EXC 13, 0, "lgdt at cpl 3"

        TRY .u1
        mov eax, [0x800000]
.u1:    EXPECT_EXC 14, 5, "user read of supervisor page"
        TRY .u2
        mov dword [0x800000], 1
.u2:    EXPECT_EXC 14, 7, "user write of supervisor page"
        mov eax, [0xC00000]
        TRY .u3
        mov dword [0xC00000], 1
.u3:    EXPECT_EXC 14, 7, "user write of read-only page"
        CHECK dword [exc_cr2], 0xC00000, "cr2"
        call 0x53:0                     ; leave through gate_exit

gate_params:                            ; ring 0 through a call gate with 2 params
        mov eax, [esp + 8]
        mov ebx, [esp + 12]
        mov ecx, ss
        mov edx, esp
        mov esi, [esp + 4]
        mov edi, [esp + 20]
        retf 8

gate_exit:
        jmp back

int_handler:                            ; frame: eip cs eflags esp ss
        mov ebx, [esp + 4]
        mov ecx, [esp + 16]
        mov edx, [esp + 12]
        iret

conforming:
        mov eax, cs
        retf

saved_esp: dd 0

; General instructions with memory operands and addressing modes: 16-bit and 32-bit (SIB)
; effective addresses, SS as default segment for BP/ESP bases, ALU on memory, CMPXCHG,
; CMPXCHG8B, XADD, XCHG, SETcc/CMOVcc/Jcc for every condition, ENTER/LEAVE, PUSHA/POPA,
; 16-bit pushes, MOVSX/MOVZX, CBW..CDQ, LOOP family, XLAT, LAHF/SAHF, indirect far calls,
; CPUID feature bits that must be there, RDTSC.
%include "lib.inc"

DATA equ 0x300000

%macro SEG 5
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

main:
        ; 16-bit effective addresses (LEA wraps at 64 KiB)
        mov ebx, 0x11118000
        mov esi, 0x22229000
        mov edi, 0x33330010
        mov ebp, 0x4444F000
        a16 lea eax, [bx + si + 0x1234]
        movzx eax, ax
        CHECK eax, 0x2234, "lea [bx+si+disp16]"
        a16 lea eax, [bp + di - 0x20]
        movzx eax, ax
        CHECK eax, 0xEFF0, "lea [bp+di-disp8]"
        a16 lea eax, [di]
        movzx eax, ax
        CHECK eax, 0x0010, "lea [di]"
        ; 32-bit SIB
        mov eax, 0x1000
        mov ecx, 0x30
        lea edx, [eax + ecx * 4 + 0x7F]
        CHECK edx, 0x113F, "lea [eax+ecx*4+disp8]"
        lea edx, [ecx * 8 + 0x12345678]
        CHECK edx, 0x123457F8, "lea [ecx*8+disp32]"
        lea edx, [eax + eax * 2]
        CHECK edx, 0x3000, "lea [eax+eax*2]"

        ; BP and ESP based addresses default to SS: SS based at DATA
        SEG 8, DATA, 0xFFFFF, 0x92, 0xC          ; 0x40
        mov dword [DATA + 0x100], 0xAAAA5555
        mov dword [0x100], 0
        mov [saved_esp], esp
        mov ax, 0x40
        mov ss, ax
        mov ebp, 0x100
        mov eax, [ebp]                  ; ss:ebp
        mov ebx, [ebp + 0]
        mov ecx, [ds:ebp]
        mov esp, 0x104
        pop edx                         ; ss:0x104
        mov dx, SEL_DATA32
        mov ss, dx
        mov esp, [saved_esp]
        CHECK eax, 0xAAAA5555, "[ebp] uses ss"
        CHECK ecx, 0, "ds:[ebp] override"

        ; ALU on memory, all sizes
        mov dword [DATA], 0xFFFFFFFF
        add dword [DATA], 2
        pushfd
        pop eax
        and eax, 0x8D5
        CHECK dword [DATA], 1, "add mem32"
        CHECK eax, 0x11, "add mem32 flags (cf af)"
        mov word [DATA + 4], 0x8000
        sub word [DATA + 4], 1
        pushfd
        pop eax
        and eax, 0x8D5
        movzx ebx, word [DATA + 4]
        CHECK ebx, 0x7FFF, "sub mem16"
        CHECK eax, 0x814, "sub mem16 flags (of af pf)"
        mov byte [DATA + 6], 0x0F
        mov cl, 0xF0
        or [DATA + 6], cl
        movzx eax, byte [DATA + 6]
        CHECK eax, 0xFF, "or mem8"
        mov dword [DATA + 8], 0x80000000
        shr dword [DATA + 8], 31
        CHECK dword [DATA + 8], 1, "shr mem32"
        mov dword [DATA + 8], 5
        not dword [DATA + 8]
        neg dword [DATA + 8]
        CHECK dword [DATA + 8], 6, "not/neg mem32"
        mov dword [DATA + 12], 0x0000F000
        bts dword [DATA + 12], 33       ; bit offset 33 with an immediate: modulo 32
        CHECK dword [DATA + 12], 0x0000F002, "bts mem imm"
        mov ecx, 35                     ; register offset: reaches the next dword
        mov dword [DATA + 16], 0
        bts dword [DATA + 12], ecx
        CHECK dword [DATA + 16], 8, "bts mem reg beyond the dword"
        mov ecx, -1
        bt dword [DATA + 16], ecx       ; bit -1: bit 31 of the dword before
        setc al
        movzx eax, al
        CHECK eax, 0, "bt mem with negative offset"

        ; atomics
        mov dword [DATA + 20], 5
        mov eax, 5
        mov ecx, 9
        cmpxchg [DATA + 20], ecx
        setz bl
        CHECK dword [DATA + 20], 9, "cmpxchg equal stores"
        movzx ebx, bl
        CHECK ebx, 1, "cmpxchg equal zf"
        mov eax, 1
        cmpxchg [DATA + 20], ecx
        CHECK eax, 9, "cmpxchg differ loads eax"
        mov dword [DATA + 24], 0x11111111
        mov dword [DATA + 28], 0x22222222
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        lock cmpxchg8b [DATA + 24]
        CHECK dword [DATA + 28], 0x44444444, "cmpxchg8b stores ecx:ebx"
        mov eax, 0
        cmpxchg8b [DATA + 24]
        CHECK eax, 0x33333333, "cmpxchg8b differ loads edx:eax"
        mov dword [DATA + 32], 10
        mov eax, 3
        lock xadd [DATA + 32], eax
        CHECK eax, 10, "xadd old value"
        CHECK dword [DATA + 32], 13, "xadd sum"
        mov eax, 0x77
        xchg [DATA + 32], eax
        CHECK eax, 13, "xchg mem"

        ; SETcc and CMOVcc for all 16 conditions, under several flag states
        mov esi, flag_states
.fs:    mov edx, [esi]
        cmp edx, -1
        je .fs_done
        call cond_mask
        SHOW eax, "setcc mask"
        SHOW ebx, "cmovcc mask"
        SHOW ecx, "jcc mask"
        add esi, 4
        jmp .fs
.fs_done:
        mov edx, 0x43                   ; ZF CF
        call cond_mask
        CHECK eax, 0x6A56, "setcc mask zf+cf"
        CHECK ebx, 0x6A56, "cmovcc mask zf+cf"
        CHECK ecx, 0x6A56, "jcc mask zf+cf"

        ; ENTER/LEAVE
        mov [saved_esp], esp
        mov ebp, 0x5555
        enter 16, 0
        mov eax, [saved_esp]
        sub eax, esp
        mov ebx, [saved_esp]
        sub ebx, ebp
        mov ecx, [ebp]
        leave
        CHECK eax, 20, "enter 16,0 frame"
        CHECK ebx, 4, "enter 16,0 ebp"
        CHECK ecx, 0x5555, "enter saves ebp"
        CHECK ebp, 0x5555, "leave restores ebp"
        mov eax, esp
        sub eax, [saved_esp]
        CHECK eax, 0, "leave restores esp"
        mov ebp, esp
        enter 8, 3
        mov eax, [saved_esp]
        sub eax, esp
        mov ebx, [esp + 8]              ; frame pointer pushed last
        lea ecx, [esp + 8]
        sub ebx, ebp
        leave
        CHECK eax, 4 + 8 + 4 + 8, "enter 8,3 frame size"
        CHECK ebx, 0, "enter 8,3 pushes the new frame pointer"

        ; PUSHA/POPA, 16-bit pushes
        mov eax, 1
        mov ecx, 2
        mov edx, 3
        mov ebx, 4
        mov ebp, 6
        mov esi, 7
        mov edi, 8
        pushad
        mov eax, [esp + 12]             ; the pushed esp
        lea ebx, [esp + 32]
        CHECK eax, ebx, "pushad esp value"
        xor eax, eax
        mov ecx, eax
        popad
        CHECK ecx, 2, "popad"
        mov eax, esp
        push word 0x1234
        o16 push ds
        mov ebx, esp
        sub eax, ebx
        CHECK eax, 4, "16-bit pushes take 2 bytes"
        movzx eax, word [esp + 2]
        CHECK eax, 0x1234, "push word imm"
        add esp, 4
        mov eax, esp
        push ds
        sub eax, esp
        CHECK eax, 4, "push ds takes 4 bytes"
        add esp, 4

        ; conversions
        mov eax, 0x1234FF80
        movsx ebx, al
        CHECK ebx, 0xFFFFFF80, "movsx r32, r8"
        movzx ebx, ah
        CHECK ebx, 0xFF, "movzx r32, ah"
        cbw
        CHECK eax, 0x1234FF80, "cbw"
        cwde
        CHECK eax, 0xFFFFFF80, "cwde"
        cdq
        CHECK edx, 0xFFFFFFFF, "cdq"
        mov eax, 0x8000
        cwd
        movzx edx, dx
        CHECK edx, 0xFFFF, "cwd"

        ; loops
        mov ecx, 10
        xor eax, eax
.l1:    inc eax
        loop .l1
        CHECK eax, 10, "loop"
        mov ecx, 10
        xor eax, eax
.l2:    inc eax
        cmp eax, 4
        loopne .l2
        CHECK ecx, 6, "loopne stops on equal"
        xor ecx, ecx
        jecxz .l3
        call fail
.l3:    mov ecx, 0x10000
        a16 loop .l4                    ; CX 0 -> 0xFFFF: taken, upper half kept
.l4:    CHECK ecx, 0x1FFFF, "a16 loop decrements cx only"

        ; xlat, lahf/sahf
        mov ebx, hex_digits
        mov eax, 11
        xlatb
        movzx eax, al
        CHECK eax, 'b', "xlat"
        mov ah, 0xD5
        sahf
        lahf
        movzx eax, ah
        CHECK eax, 0xD7, "sahf/lahf"
        clc
        cmc
        setc al
        movzx eax, al
        CHECK eax, 1, "cmc"

        ; indirect far call and RETF imm
        mov dword [far_ptr], far_fn
        mov word [far_ptr + 4], SEL_CODE32
        push dword 0xAB
        call far [far_ptr]
        CHECK eax, 0xAB, "call far [mem], retf 4"

        ; CPUID basics both an i686 and QEMU have: PSE TSC CX8 CMOV (FPU: x87.asm)
        xor eax, eax
        cpuid
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK eax, 1, "cpuid max leaf >= 1"
        mov eax, 1
        cpuid
        and edx, (1 << 3) | (1 << 4) | (1 << 8) | (1 << 15)
        CHECK edx, 0x8118, "cpuid pse tsc cx8 cmov"
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 1000
.spin:  loop .spin
        rdtsc
        sub eax, esi
        sbb edx, edi
        test edx, edx
        setns bl
        test eax, eax
        setnz bh
        and bl, bh
        movzx ebx, bl
        CHECK ebx, 1, "rdtsc advances"
        ret

; COND cc, bit: records cc under the flags in ebp: SETcc in eax, CMOVcc in ebx, Jcc in ecx
%macro COND 2
        push ebp
        popfd
        set%1 dl
        movzx edi, dl
        shl edi, %2
        or eax, edi
        xor edi, edi
        mov esi, 1
        push ebp
        popfd
        cmov%1 edi, esi
        shl edi, %2
        or ebx, edi
        push ebp
        popfd
        j%1 %%taken
        jmp %%next
%%taken: or ecx, 1 << %2
%%next:
%endmacro

; edx = flags to test under; returns setcc bits in eax, cmovcc bits in ebx, jcc bits in ecx
cond_mask:
        push esi
        push edi
        push ebp
        mov ebp, edx
        xor eax, eax
        xor ebx, ebx
        xor ecx, ecx
        COND o, 0
        COND no, 1
        COND b, 2
        COND ae, 3
        COND e, 4
        COND ne, 5
        COND be, 6
        COND a, 7
        COND s, 8
        COND ns, 9
        COND p, 10
        COND np, 11
        COND l, 12
        COND ge, 13
        COND le, 14
        COND g, 15
        pop ebp
        pop edi
        pop esi
        ret

far_fn: mov eax, [esp + 8]
        retf 4

        align 4
flag_states: dd 0x002, 0x003, 0x042, 0x082, 0x802, 0x882, 0x0C3, 0x8C7, 0x006, -1
saved_esp: dd 0
far_ptr:   dd 0, 0

; BCD: DAA DAS AAA AAS over every AL with every input CF/AF, AAM and AAD over every AL with
; several bases. Results and the flags the SDM defines for each instruction are folded into
; one hash per instruction (compared against the oracle), plus a few spot checks with known
; answers and AAM 0 raising #DE. (BCD is invalid in 64-bit mode, so it is covered here rather
; than by the host-CPU differential tests.)
%include "lib.inc"

CF equ 0x01
PF equ 0x04
AF equ 0x10
ZF equ 0x40
SF equ 0x80

; BCD_LOOP insn, defined-flags mask: runs insn for AL = 0..255, CF/AF in all 4 combinations,
; AH = AL ^ 0x5A; leaves the hash in eax.
%macro BCD_LOOP 2
        xor esi, esi                ; hash
        xor ecx, ecx                ; bits 0-7 AL, bit 8 CF, bit 9 AF
%%next: mov eax, ecx
        mov ah, al
        xor ah, 0x5A
        mov ebx, ecx
        shr ebx, 8
        mov edx, ebx
        and edx, 1                  ; CF
        and ebx, 2
        shl ebx, 3                  ; AF
        or edx, ebx
        or edx, 2
        push edx
        popfd
        %1
        pushfd
        pop edx
        and edx, %2
        movzx eax, ax
        shl edx, 16
        or eax, edx
        rol esi, 5
        xor esi, eax
        add esi, ecx
        inc ecx
        cmp ecx, 0x400
        jb %%next
        mov eax, esi
%endmacro

; AAM/AAD base loop: AL = 0..255, AH = AL * 3; hash in eax
%macro BASE_LOOP 3                  ; insn, base, defined mask
        xor esi, esi
        xor ecx, ecx
%%next: mov eax, ecx
        lea edx, [ecx * 2 + ecx]
        mov ah, dl
        %1 %2
        pushfd
        pop edx
        and edx, %3
        movzx eax, ax
        shl edx, 16
        or eax, edx
        rol esi, 5
        xor esi, eax
        add esi, ecx
        inc ecx
        cmp ecx, 0x100
        jb %%next
        mov eax, esi
%endmacro

main:
        BCD_LOOP daa, CF | AF | SF | ZF | PF
        SHOW eax, "daa hash"
        BCD_LOOP das, CF | AF | SF | ZF | PF
        SHOW eax, "das hash"
        BCD_LOOP aaa, CF | AF
        SHOW eax, "aaa hash"
        BCD_LOOP aas, CF | AF
        SHOW eax, "aas hash"
        BASE_LOOP aam, 10, SF | ZF | PF
        SHOW eax, "aam 10 hash"
        BASE_LOOP aam, 16, SF | ZF | PF
        SHOW eax, "aam 16 hash"
        BASE_LOOP aam, 7, SF | ZF | PF
        SHOW eax, "aam 7 hash"
        BASE_LOOP aad, 10, SF | ZF | PF
        SHOW eax, "aad 10 hash"
        BASE_LOOP aad, 16, SF | ZF | PF
        SHOW eax, "aad 16 hash"

        ; spot checks (SDM examples / definitions)
        mov eax, 0x79
        add al, 0x35                ; 79 + 35 = 114 BCD
        daa
        pushfd
        pop ebx
        and ebx, CF
        movzx eax, al
        CHECK eax, 0x14, "daa 79+35 al"
        CHECK ebx, CF, "daa 79+35 cf"
        mov eax, 0x35
        sub al, 0x47
        das
        pushfd
        pop ebx
        and ebx, CF
        movzx eax, al
        CHECK eax, 0x88, "das 35-47 al"
        CHECK ebx, CF, "das 35-47 cf"
        mov eax, 0x0108
        add al, 0x09
        aaa
        movzx eax, ax
        CHECK eax, 0x0207, "aaa 8+9"
        mov eax, 0x4F
        aam
        movzx eax, ax
        CHECK eax, 0x0709, "aam 79"
        mov eax, 0x0709
        aad
        movzx eax, ax
        CHECK eax, 0x004F, "aad 0709"
        TRY .de
        aam 0
.de:    EXPECT_EXC 0, 0, "aam 0"
        ret

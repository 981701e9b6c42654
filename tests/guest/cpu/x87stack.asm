; x87 stack faults: an operation on an empty register (underflow) and a push onto a full
; stack (overflow) set IE and SF, with C1 telling which, and with IM masked produce the
; default NaN; unmasked they raise #MF at the next waiting instruction. An unmasked
; divide-by-zero leaves the operands and TOP unchanged (FDIVP does not pop).
; QEMU's TCG models neither empty-register checks nor unmasked exceptions aborting the
; instruction, so this program has no oracle run: its checks are the SDM's rules, and it must
; pass on real hardware.
%include "lib.inc"

main:
        mov eax, cr0
        or eax, 0x20
        and eax, ~0xE
        mov cr0, eax
        fninit
        fadd st0, st0               ; underflow: IE SF, C1 = 0
        fnstsw ax
        movzx eax, ax
        and eax, 0x3FFF
        CHECK eax, 0x0041, "underflow status"
        fninit
        mov ecx, 9
.push:  fld1                        ; the 9th push overflows: IE SF C1, TOP wraps to 7
        loop .push
        fnstsw ax
        movzx eax, ax
        CHECK eax, 0x3A41, "overflow status (top 7, c1, sf, ie)"
        fstp qword [tmp]
        CHECK dword [tmp + 4], 0xFFF80000, "overflow result: default nan"
        fninit
        fldcw [cw_im_off]
        fld st3                     ; empty source: unmasked invalid
        TRY .mf
        fwait
.mf:    EXPECT_EXC 16, 0, "#mf for an unmasked stack fault"
        fnstsw ax
        movzx eax, ax
        and eax, 0x00FF
        CHECK eax, 0x00C1, "status: es sf ie"
        fninit
        fldcw [cw_zm_off]
        fld1
        fldz
        fdivp st1, st0              ; unmasked #Z: no result, no pop
        fnstsw ax
        movzx eax, ax
        CHECK eax, 0xB084, "1/0 unmasked: top still 6"
        fnclex
        fstp qword [tmp]
        CHECK dword [tmp + 4], 0, "st0 still +0"
        fstp qword [tmp]
        CHECK dword [tmp + 4], 0x3FF00000, "st1 still 1.0"
        fninit
        ret

cw_im_off:  dw 0x037E
cw_zm_off:  dw 0x037B
        align 8
tmp:        dq 0

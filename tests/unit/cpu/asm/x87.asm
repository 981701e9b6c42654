; The core's side of the x87 contract: escapes reach the FPU with their memory operand,
; FNSTSW AX writes AX, FCOMIP sets ZF/PF/CF, CR0.TS raises #NM, an unmasked error raises #MF
; at the next waiting instruction (CR0.NE set).
%include "pm_common.inc"
test_main:
    mov eax, cr0
    or eax, 0x20            ; NE
    and eax, ~0xC           ; EM TS clear
    mov cr0, eax
    fninit
    fld1
    fld1
    faddp st1, st0          ; 2.0
    fistp dword [result]
    cmp dword [result], 2
    mov eax, 40
    jne fail
    ; FCOMIP: 1.0 vs 2.0 -> CF=1 ZF=0 PF=0
    fld1
    fld1
    fadd st0, st0           ; st0 = 2, st1 = 1
    fld1                    ; st0 = 1, st1 = 2
    fcomip st0, st1
    jnc fail41
    jz fail41
    jp fail41
    fstp st0
    fstp st0
    ; FNSTSW AX: TOP = 0 and C-bits after a compare of equal values (C3 set)
    mov ax, 0xFFFF
    fld1
    fld1
    fcompp
    fnstsw ax
    and ax, 0x4500
    cmp ax, 0x4000
    mov eax, 42
    jne fail
    ; #NM with CR0.TS
    mov eax, 7
    mov ebx, hnm
    mov ecx, 0x8E00
    call set_gate
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    fld1                    ; #NM: the handler clears TS and retries
    cmp dword [nm_hits], 1
    mov eax, 43
    jne fail
    ; unmasked #Z: 1/0 with ZM clear, then FWAIT raises #MF
    mov eax, 16
    mov ebx, hmf
    mov ecx, 0x8E00
    call set_gate
    fninit
    fldcw [cw_zm]
    fld1
    fldz
    fdivp st1, st0
    fwait
    cmp dword [mf_hits], 1
    mov eax, 44
    jne fail
    jmp pass
fail41:
    mov eax, 41
    jmp fail
hnm:
    inc dword [nm_hits]
    clts
    iretd
hmf:
    inc dword [mf_hits]
    fnclex
    iretd
align 4
result: dd 0
nm_hits: dd 0
mf_hits: dd 0
cw_zm: dw 0x037B            ; all masked except ZM

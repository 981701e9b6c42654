; x87 basics: FNINIT state, loads of every format, FADD FSUB FMUL FDIV FSQRT FSIN, stores
; with each rounding mode, FIST rounding, FCOM/FCOMI condition codes, FXCH and the stack,
; FSAVE/FRSTOR, masked exceptions (default results and sticky flags), unmasked exceptions
; reported as #MF at the next waiting instruction (CR0.NE=1), and #NM from CR0.TS/EM.
; Transcendental results are stored as single precision so that an implementation that is
; accurate to well under an ulp of double matches.
%include "lib.inc"

%macro SW 1                         ; show the status word
        fnstsw ax
        movzx eax, ax
        SHOW eax, %1
%endmacro

%macro ST64 1                       ; fst qword and show both halves
        fst qword [tmp]
        SHOW dword [tmp + 4], {%1, " hi"}
        SHOW dword [tmp], {%1, " lo"}
%endmacro

%macro ST80 1
        fld st0
        fstp tword [tmp]
        movzx eax, word [tmp + 8]
        SHOW eax, {%1, " exp"}
        SHOW dword [tmp + 4], {%1, " mant hi"}
        SHOW dword [tmp], {%1, " mant lo"}
%endmacro

main:
        mov eax, 1
        cpuid
        and edx, 1
        CHECK edx, 1, "cpuid reports an fpu"
        mov eax, cr0
        or eax, 0x20                ; NE: native #MF
        and eax, ~0xE               ; MP, EM, TS clear
        mov cr0, eax
        fninit
        fnstcw [cw]
        movzx eax, word [cw]
        CHECK eax, 0x037F, "fninit control word"
        fnstsw ax
        movzx eax, ax
        CHECK eax, 0, "fninit status word"
        fnstenv [env]
        movzx eax, word [env + 8]
        CHECK eax, 0xFFFF, "fninit tag word"

        fld dword [f_1_5]
        fadd qword [d_2_25]
        ST64 "1.5+2.25"
        fistp dword [tmp]
        CHECK dword [tmp], 4, "fistp 3.75 rounds to 4"
        fld1
        fld dword [f_3]
        fdivp st1, st0              ; 1/3
        ST80 "1/3"
        ST64 "1/3 double"
        fst dword [tmp]
        SHOW dword [tmp], "1/3 float nearest"
        fldcw [cw_down]
        fst dword [tmp]
        SHOW dword [tmp], "1/3 float down"
        fldcw [cw_up]
        fst dword [tmp]
        SHOW dword [tmp], "1/3 float up"
        fldcw [cw_trunc]
        fchs
        fst dword [tmp]
        SHOW dword [tmp], "-1/3 float trunc"
        fldcw [cw_default]
        fstp st0
        fld qword [d_2]
        fsqrt
        ST80 "sqrt 2"
        fmul st0, st0
        ST64 "sqrt2 squared"
        fstp st0
        fild dword [i_m7]
        fimul dword [i_6]
        fistp dword [tmp]
        CHECK dword [tmp], -42, "fimul"
        fld dword [f_2_5]
        fistp dword [tmp]
        CHECK dword [tmp], 2, "fist 2.5 to even"
        fld dword [f_m2_5]
        fistp dword [tmp]
        CHECK dword [tmp], -2, "fist -2.5 to even"
        fld dword [f_3_5]
        fistp word [tmp]
        movsx eax, word [tmp]
        CHECK eax, 4, "fist 3.5 to even (word)"
        fld1
        fsin
        fstp dword [tmp]
        SHOW dword [tmp], "sin 1 float"
        fld dword [f_0_5]
        fsin
        fstp dword [tmp]
        SHOW dword [tmp], "sin 0.5 float"
        fldpi
        ST80 "pi"
        fstp st0
        fld tword [t_val]
        ST80 "fld tword"
        fstp st0

        ; compares
        fld1
        fld dword [f_3]             ; st0 = 3, st1 = 1
        fcom st1
        fnstsw ax
        and eax, 0x4500
        CHECK eax, 0, "fcom 3 > 1: c3 c2 c0 clear"
        fxch
        fcom st1
        fnstsw ax
        and eax, 0x4500
        CHECK eax, 0x0100, "fcom 1 < 3: c0"
        fcomi st0, st1
        pushfd
        pop eax
        and eax, 0x45
        CHECK eax, 0x01, "fcomi 1 < 3: cf"
        fcompp
        fldz
        fldz
        fcompp
        fnstsw ax
        and eax, 0x4500
        CHECK eax, 0x4000, "fcom 0 = 0: c3"
        fnstsw ax
        shr eax, 11
        and eax, 7
        CHECK eax, 0, "stack empty again: top"

        ; FSAVE/FRSTOR
        fld dword [f_1_5]
        fld dword [f_3]
        fldcw [cw_down]
        fsave [save]
        movzx eax, word [save]
        CHECK eax, 0x077F, "fsave control word"
        movzx eax, word [save + 4]
        SHOW eax, "fsave status word"
        movzx eax, word [save + 8]
        SHOW eax, "fsave tag word"
        fnstcw [cw]
        movzx eax, word [cw]
        CHECK eax, 0x037F, "fsave reinitialises"
        frstor [save]
        fnstcw [cw]
        movzx eax, word [cw]
        CHECK eax, 0x077F, "frstor control word"
        fistp dword [tmp]
        CHECK dword [tmp], 3, "frstor st0"
        fldcw [cw_default]
        fistp dword [tmp]
        CHECK dword [tmp], 2, "frstor st1 (1.5 to even)"

        ; masked exceptions: default results and sticky flags
        fninit
        fld1
        fldz
        fdivp st1, st0
        SW "1/0 masked: status"
        ST64 "1/0 masked: result"
        fstp st0
        fnclex
        fldz
        fldz
        fdivp st1, st0
        SW "0/0 masked: status"
        ST64 "0/0 masked: result"
        fstp st0
        fninit

        ; unmasked: #MF at the next waiting instruction
        fldcw [cw_zm_off]
        fld1
        fldz
        fdivp st1, st0             ; ZE pending, no fault yet
        fnstsw ax
        and eax, 0x80BF            ; (TOP: see x87stack; QEMU pops anyway)
        CHECK eax, 0x8084, "1/0 unmasked: b es ze"
        TRY .mf1
.mf1_at: fwait
.mf1:   EXPECT_EXC 16, 0, "#mf at fwait"
        CHECK dword [exc_eip], .mf1_at, "#mf eip is the waiting instruction"
        fnclex
        fwait
        PRINTLN "fnclex cleared it"
        fninit

        ; #NM
        mov eax, cr0
        or eax, 8                   ; TS
        mov cr0, eax
        TRY .nm1
        fld1
.nm1:   EXPECT_EXC 7, 0, "#nm with ts"
        clts
        fld1
        fstp st0
        mov eax, cr0
        or eax, 4                   ; EM
        mov cr0, eax
        TRY .nm2
        fldz
.nm2:   EXPECT_EXC 7, 0, "#nm with em"
        and eax, ~4
        mov cr0, eax
        ret

        align 8
d_2_25:     dq 2.25
d_2:        dq 2.0
t_val:      dt 1.234567890123456789e300
f_1_5:      dd 1.5
f_3:        dd 3.0
f_2_5:      dd 2.5
f_m2_5:     dd -2.5
f_3_5:      dd 3.5
f_0_5:      dd 0.5
i_m7:       dd -7
i_6:        dd 6
cw:         dw 0
cw_default: dw 0x037F
cw_down:    dw 0x077F
cw_up:      dw 0x0B7F
cw_trunc:   dw 0x0F7F
cw_zm_off:  dw 0x037B
        align 8
tmp:        times 16 db 0
env:        times 28 db 0
save:       times 108 db 0

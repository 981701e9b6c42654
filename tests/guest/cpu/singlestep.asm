; Single-stepping with EFLAGS.TF: a #DB trap after every instruction (EIP of the next one,
; DR6.BS set) but not after the POPF that sets TF, one trap per iteration of a REP string
; instruction (EIP left on the instruction until the last), no trap after MOV SS
; (interrupt shadow: the next instruction runs first), and TF cleared inside the handler.
%include "lib.inc"

%macro STEP_ON 0
        pushfd
        or dword [esp], 0x100
        popfd
%endmacro
%macro STEP_OFF 0
        pushfd
        and dword [esp], ~0x100
        popfd
%endmacro

main:
        mov eax, 1
        mov ebx, db_handler
        mov ecx, SEL_CODE32
        mov edx, 0x8E
        call set_idt
        xor eax, eax
        mov dr6, eax

        mov dword [ntraps], 0
        STEP_ON
.a1:    nop
.a2:    inc eax
.a3:    STEP_OFF
.a4:
        CHECK dword [ntraps], 5, "traps: nop, inc, pushfd, and, popfd"
        CHECK dword [eips + 0], .a2, "no trap after the popfd that set tf; first after nop"
        CHECK dword [eips + 4], .a3, "after inc"
        CHECK dword [eips + 16], .a4, "after the popfd that clears tf"
        CHECK dword [handler_tf], 0, "tf clear in the handler"
        mov eax, [dr6s]
        and eax, 0x4000
        CHECK eax, 0x4000, "dr6.bs"

        ; REP MOVSB: one trap per iteration
        mov esi, src
        mov edi, dst
        mov ecx, 3
        mov dword [ntraps], 0
        STEP_ON
.r1:    rep movsb
.r2:    STEP_OFF
        CHECK dword [ntraps], 6, "rep movsb x3: 3 iterations + pushfd, and, popfd"
        CHECK dword [eips + 0], .r1, "trap after iteration 1 stays on rep"
        CHECK dword [eips + 4], .r1, "trap after iteration 2 stays on rep"
        CHECK dword [eips + 8], .r2, "trap after the last iteration moves on"

        ; MOV SS: the next instruction executes before the trap is taken
        mov dword [ntraps], 0
        mov ax, ss
        STEP_ON
.s1:    mov ss, ax
.s2:    nop
.s3:    STEP_OFF
        CHECK dword [eips + 0], .s3, "no trap between mov ss and the next instruction"
        ret

db_handler:
        push eax
        push ebx
        mov ebx, [ntraps]
        mov eax, [esp + 8]
        mov [eips + ebx * 4], eax
        mov eax, dr6
        mov [dr6s + ebx * 4], eax
        xor eax, eax
        mov dr6, eax
        pushfd
        pop eax
        and eax, 0x100
        mov [handler_tf], eax
        inc dword [ntraps]
        and dword [ntraps], 31
        pop ebx
        pop eax
        iret

        align 4
ntraps: dd 0
handler_tf: dd 0xFFFFFFFF
eips:   times 32 dd 0
dr6s:   times 32 dd 0
src:    db 1, 2, 3, 4
dst:    db 0, 0, 0, 0

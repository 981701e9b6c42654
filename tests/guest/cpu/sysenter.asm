; SYSENTER/SYSEXIT and the MSRs behind them: flat selectors derived from IA32_SYSENTER_CS,
; ESP/EIP from the MSRs, IF cleared on entry, SYSEXIT to ring 3 at EDX with ECX as the stack;
; #GP for SYSENTER with a null SYSENTER_CS and for SYSEXIT at CPL 3; RDMSR/WRMSR round trips.
%include "lib.inc"

MSR_CS  equ 0x174
MSR_ESP equ 0x175
MSR_EIP equ 0x176
KSTACK  equ 0x80000
USTACK  equ 0x70000
TSS     equ 0x300000

%macro SEG 5
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

%macro WRMSR 2
        mov ecx, %1
        mov eax, %2
        xor edx, edx
        wrmsr
%endmacro

main:
        ; SYSENTER_CS = 0x40: 0x40 code0, 0x48 data0, 0x50 code3, 0x58 data3
        SEG 8, 0, 0xFFFFF, 0x9A, 0xC
        SEG 9, 0, 0xFFFFF, 0x92, 0xC
        SEG 10, 0, 0xFFFFF, 0xFA, 0xC
        SEG 11, 0, 0xFFFFF, 0xF2, 0xC
        WRMSR MSR_CS, 0x40
        WRMSR MSR_ESP, KSTACK
        WRMSR MSR_EIP, kernel_entry
        mov ecx, MSR_EIP
        rdmsr
        CHECK eax, kernel_entry, "rdmsr sysenter_eip"
        CHECK edx, 0, "rdmsr high half"

        ; a TSS for the #GP taken at CPL 3
        mov edi, TSS
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov dword [TSS + 4], 0x60000
        mov dword [TSS + 8], SEL_DATA32
        mov word [TSS + 102], 104
        SEG 7, TSS, 103, 0x89, 0
        mov ax, SEL_TSS
        ltr ax

        mov [saved_esp], esp
        mov ecx, USTACK
        mov edx, user_entry
        sysexit                         ; CPL 0 -> 3
back:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, [saved_esp]
        CHECK dword [k_cs], 0x40, "cs after sysenter"
        CHECK dword [k_ss], 0x48, "ss after sysenter"
        CHECK dword [k_esp], KSTACK, "esp after sysenter"
        CHECK dword [k_if], 0, "if cleared by sysenter"
        CHECK dword [u_cs], 0x53, "cs after sysexit"
        CHECK dword [u_ss], 0x5B, "ss after sysexit"
        CHECK dword [u_esp], USTACK, "esp after sysexit"
        CHECK dword [u_gp], 13, "sysexit at cpl 3 faults"
        CHECK dword [entries], 2, "sysenter entries"

        WRMSR MSR_CS, 0
        TRY .gp
        sysenter
.gp:    EXPECT_EXC 13, 0, "sysenter with null sysenter_cs"
        ret

user_entry:                             ; ring 3 (DS/ES still hold ring-0 selectors)
        mov ax, 0x5B
        mov ds, ax
        mov es, ax
        mov eax, cs
        mov [u_cs], eax
        mov eax, ss
        mov [u_ss], eax
        mov [u_esp], esp
        TRY .u1
        sysexit
.u1:    mov eax, [exc_vec]
        mov [u_gp], eax
        pushfd
        or dword [esp], 0x200           ; IF=1 to see sysenter clear it
        popfd
        mov ecx, esp
        mov edx, user_second
        sysenter
user_second:
        mov ecx, esp
        mov edx, 0
        sysenter                        ; second entry: leave

kernel_entry:
        mov ax, SEL_DATA32
        mov ds, ax
        inc dword [entries]
        cmp dword [entries], 2
        je .leave
        mov eax, cs
        mov [k_cs], eax
        mov eax, ss
        mov [k_ss], eax
        mov [k_esp], esp
        pushfd
        pop eax
        and eax, 0x200
        mov [k_if], eax
        sysexit                         ; back to user_second with ecx/edx from user
.leave: jmp back

saved_esp: dd 0
k_cs:   dd 0
k_ss:   dd 0
k_esp:  dd 0
k_if:   dd 0xFFFFFFFF
u_cs:   dd 0
u_ss:   dd 0
u_esp:  dd 0
u_gp:   dd 0
entries: dd 0

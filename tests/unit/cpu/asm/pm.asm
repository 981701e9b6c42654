; Protected mode: entry, flags of 32-bit ALU, INT n through the IDT, #DE, #GP with its error
; code, #UD, a ring-3 excursion with a stack switch from the TSS on INT 0x80.
%include "pm_common.inc"
test_main:
    mov esi, msg_pm
    call print
    ; 0x7FFFFFFF + 1: OF SF AF PF set, CF ZF clear
    mov eax, 0x7FFFFFFF
    add eax, 1
    pushfd
    pop ebx
    and ebx, 0x8D5
    cmp ebx, 0x894
    mov eax, 10
    jne fail
    ; SUB borrow: 0 - 1 = FFFFFFFF: CF SF AF PF
    xor eax, eax
    sub eax, 1
    pushfd
    pop ebx
    and ebx, 0x8D5
    cmp ebx, 0x095
    mov eax, 11
    jne fail

    ; INT 0x30
    mov eax, 0x30
    mov ebx, h30
    mov ecx, 0x8E00
    call set_gate
    int 0x30
    cmp dword [hit30], 1
    mov eax, 12
    jne fail

    ; #DE from DIV by zero: the handler skips the 2-byte DIV
    xor eax, eax
    mov ebx, hde
    mov ecx, 0x8E00
    call set_gate
    xor edx, edx
    xor ecx, ecx
    mov eax, 5
    div ecx
    cmp dword [hitde], 1
    mov eax, 13
    jne fail

    ; #GP(0x50): selector beyond the GDT limit
    mov eax, 13
    mov ebx, hgp
    mov ecx, 0x8E00
    call set_gate
    mov ax, 0x50
    mov ds, ax
    cmp dword [gperr], 0x50
    mov eax, 14
    jne fail

    ; #UD
    mov eax, 6
    mov ebx, hud
    mov ecx, 0x8E00
    call set_gate
    ud2
    cmp dword [hitud], 1
    mov eax, 15
    jne fail

    ; ring 3, then INT 0x80 through a DPL-3 gate back to ring 0
    mov eax, 0x80
    mov ebx, h80
    mov ecx, 0xEE00
    call set_gate
    push UDATA
    push 0x50000
    push 0x202
    push UCODE
    push user
    iretd
user:
    mov ax, cs
    and ax, 3
    cmp ax, 3
    jne .bad
    int 0x80
.bad:
    mov eax, 16
    jmp fail
after_user:
    mov esi, msg_done
    call print
    jmp pass

h30:
    mov dword [hit30], 1
    iretd
hde:
    mov dword [hitde], 1
    add dword [esp], 2
    iretd
hgp:
    pop dword [gperr]
    add dword [esp], 2
    iretd
hud:
    mov dword [hitud], 1
    add dword [esp], 2
    iretd
h80:
    ; stack: EIP CS EFLAGS ESP SS, on the TSS ring-0 stack
    cmp dword [esp+4], UCODE
    mov eax, 17
    jne fail
    cmp dword [esp+16], UDATA
    mov eax, 18
    jne fail
    cmp esp, 0x60000 - 20
    mov eax, 19
    jne fail
    mov ax, DATA32
    mov ds, ax
    mov esp, 0x70000
    jmp after_user

hit30: dd 0
hitde: dd 0
gperr: dd 0
hitud: dd 0
msg_pm: db "PM OK", 10, 0
msg_done: db "RING3 OK", 10, 0

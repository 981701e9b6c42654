; Paging: page faults with error codes and CR2, PSE 4 MiB pages, CR0.WP, accessed/dirty
; bits, TLB flush on CR3 write and INVLPG, and code on a remapped page.
%include "pm_common.inc"
%define PD 0x10000
%define PT 0x11000
test_main:
    ; identity map 0..4 MiB with 4 KiB pages, supervisor read/write
    mov edi, PT
    mov eax, 0x003
    mov ecx, 1024
.pt: mov [edi], eax
    add eax, 0x1000
    add edi, 4
    loop .pt
    mov edi, PD
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PD], PT | 3
    mov eax, 14
    mov ebx, hpf
    mov ecx, 0x8E00
    call set_gate
    mov eax, PD
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10             ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80010000       ; PG | WP
    mov cr0, eax

    ; 1) read from 0x400000: PDE not present -> #PF err 0, CR2 = address; the handler maps a
    ;    4 MiB page there (frame 0) and the read is retried
    mov dword [0x1234], 0xCAFEF00D
    mov eax, [0x401234]
    cmp eax, 0xCAFEF00D
    mov eax, 20
    jne fail
    cmp dword [pf_cr2], 0x401234
    mov eax, 21
    jne fail
    cmp dword [pf_err], 0
    mov eax, 22
    jne fail

    ; 2) write to a read-only page with WP: err 3 (present, write); handler makes it RW
    and dword [PT + 0x30*4], ~2      ; page 0x30000 read-only
    invlpg [0x30000]
    mov dword [0x30010], 7
    cmp dword [pf_err], 3
    mov eax, 23
    jne fail
    cmp dword [pf_cr2], 0x30010
    mov eax, 24
    jne fail
    ; accessed and dirty set on the PTE by the write
    mov eax, [PT + 0x30*4]
    and eax, 0x60
    cmp eax, 0x60
    mov eax, 25
    jne fail

    ; 3) TLB: virtual 0x300000.. is frame 0x300000; remap page 0x301000 to frame 0x302000
    mov dword [0x301000], 'A'
    mov dword [0x302000], 'B'
    cmp dword [0x301000], 'A'
    mov eax, 26
    jne fail
    mov dword [PT + 0x301*4], 0x302003
    mov eax, cr3
    mov cr3, eax
    cmp dword [0x301000], 'B'
    mov eax, 27
    jne fail
    mov dword [0x303000], 'C'
    mov dword [PT + 0x301*4], 0x303003
    invlpg [0x301000]
    cmp dword [0x301000], 'C'
    mov eax, 28
    jne fail

    ; 4) code on a remapped page: page 0x305000 -> frame 0x306000 (ret 1), then 0x307000 (ret 2)
    mov dword [0x306000], 0xC3000001 | 0xB8 ; mov eax,1 (B8 01 00 00 00) ret
    mov byte [0x306000], 0xB8
    mov dword [0x306001], 1
    mov byte [0x306005], 0xC3
    mov byte [0x307000], 0xB8
    mov dword [0x307001], 2
    mov byte [0x307005], 0xC3
    mov dword [PT + 0x305*4], 0x306003
    invlpg [0x305000]
    call 0x305000
    cmp eax, 1
    mov eax, 29
    jne fail
    mov dword [PT + 0x305*4], 0x307003
    invlpg [0x305000]
    call 0x305000
    cmp eax, 2
    mov eax, 30
    jne fail

    ; 5) user access to a supervisor page from ring 3 -> err 5 (present, user, read)
    mov eax, 14
    mov ebx, hpf_user
    mov ecx, 0x8E00
    call set_gate
    or dword [PD], 4                  ; the table allows user; pages stay supervisor
    or dword [PT + 0x7*4], 4          ; user code page at 0x7000 (this program)
    or dword [PT + 0x8*4], 4
    or dword [PT + 0x50*4], 4         ; user stack page
    mov eax, cr3
    mov cr3, eax
    push UDATA
    push 0x51000
    push 0x2
    push UCODE
    push user3
    iretd
after_user:
    cmp dword [pf_err], 5
    mov eax, 31
    jne fail
    cmp dword [pf_cr2], 0x20000
    mov eax, 32
    jne fail
    jmp pass

hpf:
    pop dword [pf_err]
    push eax
    mov eax, cr2
    mov [pf_cr2], eax
    cmp eax, 0x400000
    jb .ro
    mov dword [PD + 4], 0x000083     ; 4 MiB page, frame 0, RW, PS
    pop eax
    iretd
.ro:
    mov eax, [pf_cr2]
    shr eax, 12
    or dword [PT + eax*4], 2
    invlpg [0x30000]
    pop eax
    iretd
hpf_user:
    pop dword [pf_err]
    mov eax, cr2
    mov [pf_cr2], eax
    mov ax, DATA32
    mov ds, ax
    mov es, ax
    mov esp, 0x70000
    jmp after_user

pf_err: dd 0
pf_cr2: dd 0

user3:
    mov ax, UDATA
    mov ds, ax
    mov eax, [0x20000]
    mov eax, 33
    jmp fail

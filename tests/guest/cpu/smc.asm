; Self-modifying code: patching an instruction already executed, a store into the very next
; instruction, code generated at run time and regenerated, an instruction straddling a page
; boundary patched in its second page, code copied over with REP MOVS, and with paging: a
; code page remapped to another physical page, and code changed through an alias mapping.
%include "lib.inc"

BUF  equ 0x300000                   ; generated code
PD   equ 0x400000
PT0  equ 0x401000
CODE_L equ 0x800000                 ; linear code page (PT0 maps the 8 MiB window)
PHYS_A equ 0x500000
PHYS_B equ 0x501000
ALIAS  equ 0x801000                 ; second linear page on PHYS_A

main:
        call patched_fn
        CHECK eax, 0x11111111, "before patch"
        mov dword [patched_fn + 1], 0x22222222
        call patched_fn
        CHECK eax, 0x22222222, "after patching an executed mov imm"

        ; a store into the next instruction must take effect
        xor eax, eax
        mov byte [.next + 1], 0x42
.next:  mov al, 0x11
        CHECK eax, 0x42, "store into the next instruction"
        xor eax, eax
        mov byte [.next2], 0x48     ; inc eax -> dec eax
.next2: inc eax
        CHECK eax, 0xFFFFFFFF, "opcode of the next instruction replaced"
        ; a loop that rewrites its own body each pass
        xor eax, eax
        mov ecx, 5
.loop:  add eax, 1
.body:  equ .loop + 2               ; the imm8 of add eax, 1 (83 C0 01)
        inc byte [.body]
        loop .loop
        CHECK eax, 1 + 2 + 3 + 4 + 5, "loop patching its own immediate"
        mov byte [.body], 1

        ; generated code: N x "add eax, i" then ret; run, regenerate, run
        mov ebx, 1
        call gen_code
        xor eax, eax
        call BUF
        CHECK eax, 1000 * 1001 / 2, "generated code"
        mov ebx, 3
        call gen_code
        xor eax, eax
        call BUF
        CHECK eax, 3 * 1000 * 1001 / 2, "regenerated code"

        ; instruction across a page boundary: B8 at 0x300FFE, imm32 spans into 0x301000
        mov edi, BUF + 0xFFE
        mov byte [edi], 0xB8
        mov dword [edi + 1], 0xAABBCCDD
        mov byte [edi + 5], 0xC3
        call BUF + 0xFFE
        CHECK eax, 0xAABBCCDD, "mov across a page boundary"
        mov byte [BUF + 0x1001], 0x99   ; second page only
        call BUF + 0xFFE
        CHECK eax, 0xAA99CCDD, "patched in the second page"

        ; copy a new function over the old one with rep movsb
        mov esi, fn_one
        mov edi, BUF + 0x2000
        mov ecx, fn_end - fn_one
        rep movsb
        call BUF + 0x2000
        CHECK eax, 1, "copied fn_one"
        mov esi, fn_two
        mov edi, BUF + 0x2000
        mov ecx, fn_end - fn_one
        rep movsb
        call BUF + 0x2000
        CHECK eax, 2, "copied fn_two over it"

        ; paging: identity 0..4 MiB (4M page), 8 MiB window through PT0
        mov edi, PT0
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov edi, PD
        mov ecx, 1024
        rep stosd
        mov dword [PD], 0x83
        mov dword [PD + 4], 0x400083
        mov dword [PD + 2 * 4], PT0 | 3
        mov dword [PT0], PHYS_A | 3
        mov dword [PT0 + 4], PHYS_A | 3        ; ALIAS -> PHYS_A too
        mov esi, fn_one
        mov edi, PHYS_A
        mov ecx, fn_end - fn_one
        rep movsb
        mov esi, fn_two
        mov edi, PHYS_B
        mov ecx, fn_end - fn_one
        rep movsb
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        call CODE_L
        CHECK eax, 1, "code page on phys a"
        mov dword [PT0], PHYS_B | 3
        invlpg [CODE_L]
        call CODE_L
        CHECK eax, 2, "same linear page remapped to phys b"
        mov dword [PT0], PHYS_A | 3
        invlpg [CODE_L]
        call CODE_L
        CHECK eax, 1, "back on phys a"
        mov byte [ALIAS + 1], 3                ; mov eax, 1 -> mov eax, 3 through the alias
        call CODE_L
        CHECK eax, 3, "code changed through an alias mapping"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ret

patched_fn:
        mov eax, 0x11111111
        ret

fn_one: mov eax, 1
        ret
fn_two: mov eax, 2
        ret
fn_end:

gen_code:                           ; BUF = sum over i=1..1000 of "add eax, i*ebx"; ret
        mov edi, BUF
        mov ecx, 1
.g:     mov byte [edi], 0x05        ; add eax, imm32
        mov eax, ecx
        imul eax, ebx
        mov [edi + 1], eax
        add edi, 5
        inc ecx
        cmp ecx, 1000
        jbe .g
        mov byte [edi], 0xC3
        ret

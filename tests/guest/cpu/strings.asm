; String instructions: MOVS STOS LODS CMPS SCAS INS OUTS in byte/word/dword forms, REP,
; REPE/REPNE termination (ECX, ESI, EDI, flags), DF=1, a source segment override, 16-bit
; address size wrapping SI/DI, ECX=0, and a REP interrupted by a page fault part way
; (registers show the iterations done, and the instruction restarts).
%include "lib.inc"

SRC equ 0x300000
DST equ 0x310000
PD  equ 0x400000
PT1 equ 0x401000

main:
        ; source pattern: byte i = i * 7 + 3
        mov edi, SRC
        xor ecx, ecx
.pat:   lea eax, [ecx * 8]
        sub eax, ecx
        add eax, 3
        stosb
        inc ecx
        cmp ecx, 4096
        jb .pat
        cld
        mov edi, DST
        mov ecx, 4096
        mov al, 0xEE
        rep stosb

        mov esi, SRC
        mov edi, DST
        mov ecx, 100
        rep movsb
        CHECK ecx, 0, "rep movsb ecx"
        CHECK esi, SRC + 100, "rep movsb esi"
        CHECK edi, DST + 100, "rep movsb edi"
        mov ecx, 25
        rep movsd
        mov ecx, 50
        rep movsw
        CHECK edi, DST + 300, "movsd+movsw edi"
        call sum_dst
        SHOW eax, "sum after forward copies"

        std
        mov esi, SRC + 999
        mov edi, DST + 1999
        mov ecx, 500
        rep movsb
        cld
        CHECK esi, SRC + 499, "backward movsb esi"
        CHECK edi, DST + 1499, "backward movsb edi"
        std
        mov edi, DST + 3000
        mov eax, 0x11223344
        mov ecx, 10
        rep stosd
        cld
        CHECK edi, DST + 3000 - 40, "backward stosd edi"
        call sum_dst
        SHOW eax, "sum after backward ops"

        ; compare and scan
        mov esi, SRC + 250
        mov edi, DST + 250
        mov ecx, 100
        repe cmpsb                  ; DST holds SRC's bytes up to 300
        pushfd
        pop ebx
        and ebx, 0x8D5
        CHECK ecx, 49, "repe cmpsb stops after the first difference: ecx"
        CHECK esi, SRC + 301, "repe cmpsb esi"
        SHOW ebx, "repe cmpsb flags"
        mov edi, SRC
        mov ecx, 4096
        mov al, (3 + 7 * 37) & 0xFF
        repne scasb
        CHECK ecx, 4096 - 38, "repne scasb finds byte 37: ecx"
        CHECK edi, SRC + 38, "repne scasb edi"
        mov edi, SRC
        mov ecx, 16
        mov ax, 0xFFFF
        repne scasw
        pushfd
        pop ebx
        and ebx, 0x8D5
        CHECK ecx, 0, "repne scasw not found: ecx"
        SHOW ebx, "repne scasw flags"
        mov esi, SRC + 10
        lodsd
        SHOW eax, "lodsd"
        CHECK esi, SRC + 14, "lodsd esi"
        xor ecx, ecx
        mov edi, DST
        rep stosb
        CHECK edi, DST, "rep with ecx=0 does nothing"

        ; source segment override: fs based at SRC
        mov eax, 8
        mov ebx, SRC
        mov ecx, 0xFFFFF
        mov edx, 0xC92
        call set_gdt
        mov ax, 0x40
        mov fs, ax
        mov esi, 16
        mov edi, DST + 0x800
        mov ecx, 4
        fs rep movsd
        mov eax, [SRC + 16]
        CHECK dword [DST + 0x800], eax, "fs: override on movs source"
        mov ax, SEL_DATA32
        mov fs, ax

        ; 16-bit addressing: SI and DI wrap at 64 KiB, upper halves untouched
        mov byte [0xFFFF], 0xA5
        mov byte [0x0000], 0x5A
        mov esi, 0x1234FFFF
        mov edi, 0x00008000
        mov ecx, 0xABCD0002
        a16 rep movsb
        CHECK esi, 0x12340001, "a16 movsb si wraps"
        CHECK edi, 0x00008002, "a16 movsb di"
        CHECK ecx, 0xABCD0000, "a16 rep uses cx"
        movzx eax, word [0x8000]
        CHECK eax, 0x5AA5, "a16 copied bytes"

        ; OUTS/INS
        mov esi, outs_msg
        mov ecx, outs_len
        mov dx, 0xE9
        rep outsb
        mov edi, DST
        mov ecx, 4
        mov dx, 0xE9
        rep insb
        CHECK dword [DST], 0xE9E9E9E9, "rep insb from the debug port"

        ; REP STOSB into a not-present page: #PF with the registers of the iterations done
        mov edi, PD
        mov eax, 0x83
        mov ecx, 1024
.pd:    stosd
        add eax, 0x400000
        loop .pd
        mov dword [PD + 4], PT1 | 3
        mov edi, PT1
        mov eax, 0x400003
        mov ecx, 1024
.pt:    stosd
        add eax, 0x1000
        loop .pt
        mov dword [PT1 + 0x101 * 4], 0          ; 0x501000 not present
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        TRY .pf
        mov edi, 0x500FF0
        mov ecx, 0x20
        mov al, 0x77
        rep stosb
.pf:    mov ebx, cr2
        EXPECT_EXC 14, 2, "rep stosb into missing page"
        CHECK ecx, 0x10, "ecx at the fault"
        CHECK edi, 0x501000, "edi at the fault"
        CHECK ebx, 0x501000, "cr2"
        mov dword [PT1 + 0x101 * 4], 0x501003
        invlpg [0x501000]
        mov al, 0x77
        rep stosb                               ; resume
        CHECK edi, 0x501010, "edi after resuming"
        CHECK dword [0x50100C], 0x77777777, "bytes after resuming"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ret

sum_dst:                            ; eax = rotating sum of DST[0..4096)
        push esi
        push ecx
        push edx
        mov esi, DST
        mov ecx, 1024
        xor edx, edx
.s:     lodsd
        rol edx, 5
        add edx, eax
        loop .s
        mov eax, edx
        pop edx
        pop ecx
        pop esi
        ret

outs_msg: db "rep outsb to port e9", 10
outs_len equ $ - outs_msg

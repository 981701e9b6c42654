; Integer guest CPU benchmark: each iteration does the same work (fill an array from an LCG,
; insertion sort, bitwise CRC-32 of a buffer, a sieve, a multiply/divide chain, calls) and
; folds its results into a checksum printed at the end.
; Assemble with -DITERS=n. With -DCOUNT the program instead counts the instructions of one
; iteration by single-stepping it (TF=1, a #DB handler that counts) and prints that count,
; which gives the dynamic instruction count independently of any emulator's counter.
%include "lib.inc"

%ifndef ITERS
%define ITERS 100
%endif
N_SORT  equ 512
N_CRC   equ 4096
N_SIEVE equ 32768
ARR     equ 0x300000
BUF     equ 0x310000
SIEVE   equ 0x320000

main:
%ifdef COUNT
        mov eax, 1
        mov ebx, db_handler
        mov ecx, SEL_CODE32
        mov edx, 0x8E
        call set_idt
        pushfd
        or dword [esp], 0x100       ; TF: #DB after every instruction from here on
        popfd
        call iteration
        pushfd
        and dword [esp], ~0x100
        popfd
        PRINT "instructions per iteration="
        mov eax, [steps]
        call print_hex
        call print_nl
        ret
db_handler:
        inc dword [steps]
        iret
steps:  dd 0
%else
        mov ecx, ITERS
        jecxz .done
.iter:  push ecx
        call iteration
        pop ecx
        dec ecx
        jnz .iter
.done:  PRINT "checksum="
        mov eax, [checksum]
        call print_hex
        call print_nl
        ret
%endif

iteration:
        call fill
        call sort
        call sum_sorted
        call crc
        call sieve
        call arith
        ret

fold:                               ; checksum = checksum * FNV prime ^ eax
        push edx
        imul edx, [checksum], 0x01000193
        xor edx, eax
        mov [checksum], edx
        pop edx
        ret

fill:                               ; ARR[i] = LCG, and BUF bytes from the same LCG
        mov eax, 12345
        xor ecx, ecx
.f:     imul eax, eax, 1103515245
        add eax, 12345
        mov [ARR + ecx * 4], eax
        mov [BUF + ecx], al
        mov [BUF + ecx + N_SORT], ah
        inc ecx
        cmp ecx, N_SORT
        jb .f
        mov edx, N_SORT * 2
.g:     imul eax, eax, 69069
        inc eax
        mov [BUF + edx], eax
        add edx, 4
        cmp edx, N_CRC
        jb .g
        ret

sort:                               ; insertion sort, unsigned
        mov esi, 1
.outer: mov eax, [ARR + esi * 4]
        mov edi, esi
.inner: test edi, edi
        jz .place
        mov edx, [ARR + edi * 4 - 4]
        cmp edx, eax
        jbe .place
        mov [ARR + edi * 4], edx
        dec edi
        jmp .inner
.place: mov [ARR + edi * 4], eax
        inc esi
        cmp esi, N_SORT
        jb .outer
        ret

sum_sorted:
        xor eax, eax
        xor ecx, ecx
.s:     mov edx, [ARR + ecx * 4]
        lea eax, [eax * 2 + eax]
        add eax, edx
        inc ecx
        cmp ecx, N_SORT
        jb .s
        call fold
        ret

crc:                                ; bitwise CRC-32 (reflected, 0xEDB88320)
        mov eax, 0xFFFFFFFF
        xor esi, esi
.byte:  movzx edx, byte [BUF + esi]
        xor eax, edx
        mov ecx, 8
.bit:   shr eax, 1
        jnc .nox
        xor eax, 0xEDB88320
.nox:   dec ecx
        jnz .bit
        inc esi
        cmp esi, N_CRC
        jb .byte
        not eax
        call fold
        ret

sieve:                              ; primes below N_SIEVE
        xor ecx, ecx
.clr:   mov dword [SIEVE + ecx], 0x01010101
        add ecx, 4
        cmp ecx, N_SIEVE
        jb .clr
        mov ebx, 2
.next:  mov eax, ebx
        imul eax, ebx
        cmp eax, N_SIEVE
        jae .count
        cmp byte [SIEVE + ebx], 0
        je .skip
.mark:  mov byte [SIEVE + eax], 0
        add eax, ebx
        cmp eax, N_SIEVE
        jb .mark
.skip:  inc ebx
        jmp .next
.count: xor eax, eax
        mov ecx, 2
.cnt:   movzx edx, byte [SIEVE + ecx]
        add eax, edx
        inc ecx
        cmp ecx, N_SIEVE
        jb .cnt
        call fold
        ret

arith:                              ; multiply/divide/shift chain
        mov ebx, 0x9E3779B9
        mov esi, 1
        mov ecx, 1000
.a:     mov eax, ebx
        mul esi
        add esi, edx
        xor esi, eax
        or esi, 1
        mov eax, ebx
        xor edx, edx
        div esi
        add ebx, eax
        add ebx, edx
        rol ebx, 5
        dec ecx
        jnz .a
        mov eax, ebx
        call fold
        ret

checksum: dd 0

; Paging: 4 KiB and 4 MiB (PSE) pages, #PF error codes and CR2, CR0.WP, accessed and dirty
; bits in PTEs and PDEs, INVLPG, MOV CR3 flushing, global pages surviving it (only clearing
; CR4.PGE is relied on to flush them, as the SDM allows either).
%include "lib.inc"

PD  equ 0x400000
PT0 equ 0x401000                    ; identity 0-4 MiB
PT1 equ 0x402000                    ; identity 4-8 MiB
PT2 equ 0x403000                    ; test window at 8 MiB
WIN equ 0x800000
BIG equ 0xC00000                    ; 4 MiB page -> physical 0
P   equ 1
RW  equ 2
PS  equ 0x80
GL  equ 0x100
ACC equ 0x20
DIRTY equ 0x40

%macro PTE 2                        ; PTE index, value (in the test window)
        mov dword [PT2 + (%1) * 4], %2
%endmacro

main:
        ; identity-map 0..8 MiB with 4 KiB pages
        mov edi, PT0
        mov eax, P | RW
        mov ecx, 2048
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov edi, PT2
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov edi, PD
        mov ecx, 1024
        rep stosd
        mov dword [PD + 0 * 4], PT0 | P | RW
        mov dword [PD + 1 * 4], PT1 | P | RW
        mov dword [PD + 2 * 4], PT2 | P | RW
        mov dword [PD + 3 * 4], 0 | P | RW | PS
        ; distinct contents in the physical pages behind the window
        mov ecx, 8
        mov eax, 0x500000
.mark:  mov [eax], eax
        add eax, 0x1000
        loop .mark
        PTE 0, 0x500000 | P | RW
        PTE 2, 0x502000 | P | RW
        PTE 3, 0x503000 | P | RW
        PTE 4, 0x504000 | P | RW | GL
        PTE 5, 0x505000 | P             ; read-only
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x90                    ; PSE, PGE
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80010000              ; PG, WP
        mov cr0, eax
        PRINTLN "paging on"

        CHECK dword [WIN], 0x500000, "4k page read"
        mov dword [WIN + 4], 0xABCD
        CHECK dword [0x500004], 0xABCD, "4k page write reaches physical"
        CHECK dword [BIG + 0x100000], MB_MAGIC, "4m pse page read"
        mov eax, [PD + 3 * 4]
        and eax, ACC | DIRTY
        CHECK eax, ACC, "4m pde accessed, not dirty"
        mov dword [BIG + 0x3FF008], 1
        mov eax, [PD + 3 * 4]
        and eax, ACC | DIRTY
        CHECK eax, ACC | DIRTY, "4m pde dirty after write"

        ; not-present faults
        TRY .f1
        mov eax, [WIN + 0x1000]
.f1:    EXPECT_EXC 14, 0, "read not-present"
        mov eax, cr2
        CHECK eax, WIN + 0x1000, "cr2 read"
        TRY .f2
        mov dword [WIN + 0x1010], 5
.f2:    EXPECT_EXC 14, 2, "write not-present"
        mov eax, cr2
        CHECK eax, WIN + 0x1010, "cr2 write"
        TRY .f3
        mov eax, WIN + 0x1020
        jmp eax
.f3:    EXPECT_EXC 14, 0, "fetch not-present"
        mov eax, cr2
        CHECK eax, WIN + 0x1020, "cr2 fetch"
        CHECK dword [exc_eip], WIN + 0x1020, "fetch fault eip"
        TRY .f4
        mov eax, [0x1400000]             ; PDE 5 not present
.f4:    EXPECT_EXC 14, 0, "read with pde not present"

        ; CR0.WP
        TRY .f5
        mov dword [WIN + 0x5000], 7
.f5:    EXPECT_EXC 14, 3, "supervisor write, read-only page, wp=1"
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        mov dword [WIN + 0x5000], 7
        CHECK dword [0x505000], 7, "supervisor write, read-only page, wp=0"
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax

        ; accessed / dirty
        mov eax, [PT2 + 2 * 4]
        and eax, ACC | DIRTY
        CHECK eax, 0, "pte a/d clear before use"
        mov eax, [WIN + 0x2000]
        mov eax, [PT2 + 2 * 4]
        and eax, ACC | DIRTY
        CHECK eax, ACC, "pte accessed after read"
        mov eax, [PD + 2 * 4]
        and eax, ACC
        CHECK eax, ACC, "pde accessed"
        mov dword [WIN + 0x2000], 9
        mov eax, [PT2 + 2 * 4]
        and eax, ACC | DIRTY
        CHECK eax, ACC | DIRTY, "pte dirty after write"
        ; a cleared dirty bit is set again once the TLB entry is gone
        and dword [PT2 + 2 * 4], ~DIRTY
        invlpg [WIN + 0x2000]
        mov dword [WIN + 0x2000], 10
        mov eax, [PT2 + 2 * 4]
        and eax, DIRTY
        CHECK eax, DIRTY, "dirty set again after invlpg"

        ; INVLPG and CR3 reloads
        CHECK dword [WIN + 0x3000], 0x503000, "before remap"
        PTE 3, 0x506000 | P | RW
        invlpg [WIN + 0x3000]
        CHECK dword [WIN + 0x3000], 0x506000, "after remap + invlpg"
        PTE 3, 0x507000 | P | RW
        mov eax, cr3
        mov cr3, eax
        CHECK dword [WIN + 0x3000], 0x507000, "after remap + cr3 reload"
        PTE 3, 0
        invlpg [WIN + 0x3000]
        TRY .f6
        mov eax, [WIN + 0x3000]
.f6:    EXPECT_EXC 14, 0, "unmapped + invlpg faults"

        ; global page: clearing PGE flushes it
        CHECK dword [WIN + 0x4000], 0x504000, "global page"
        PTE 4, 0x501000 | P | RW | GL
        mov eax, cr4
        and eax, ~0x80
        mov cr4, eax
        CHECK dword [WIN + 0x4000], 0x501000, "global page remapped after pge off"
        or eax, 0x80
        mov cr4, eax

        ; aliasing: two linear pages on one physical page see each other's writes
        PTE 6, 0x500000 | P | RW
        mov dword [WIN + 0x6010], 0x600DF00D
        CHECK dword [WIN + 0x0010], 0x600DF00D, "alias sees write"

        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        PRINTLN "paging off"
        CHECK dword [0x500010], 0x600DF00D, "physical after paging off"
        ret

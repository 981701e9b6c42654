; Hardware task switches: INT through a task gate and a far CALL to a TSS (each nests, setting
; NT and the back link, and IRET returns), the state saved in and restored from the TSS, busy
; bits, a double fault delivered through a task gate to a task with its own stack, and a task
; with its own page directory (CR3 loaded from the TSS on entry and on return).
%include "lib.inc"

TSS_MAIN equ 0x300000
TSS_B    equ 0x301000
TSS_DF   equ 0x302000
TSS_C    equ 0x303000
PD_A     equ 0x400000
PD_B     equ 0x401000

%macro SEG 5
        mov eax, %1
        mov ebx, %2
        mov ecx, %3
        mov edx, %4 | (%5 << 8)
        call set_gdt
%endmacro

main:
        mov edi, TSS_MAIN
        xor eax, eax
        mov ecx, 4 * 4096 / 4
        rep stosd
        mov ebx, TSS_B
        mov ecx, task_b
        mov edx, 0x60000
        call init_tss
        mov ebx, TSS_DF
        mov ecx, task_df
        mov edx, 0x50000
        call init_tss
        SEG 7, TSS_MAIN, 103, 0x89, 0           ; 0x38
        SEG 8, TSS_B, 103, 0x89, 0              ; 0x40
        SEG 9, TSS_DF, 103, 0x89, 0             ; 0x48
        mov ax, 0x38
        ltr ax
        ; task gates: vector 0x50 -> task B, #DF -> the double-fault task
        mov dword [idt + 0x50 * 8], 0x00400000
        mov dword [idt + 0x50 * 8 + 4], 0x00008500
        mov dword [idt + 8 * 8], 0x00480000
        mov dword [idt + 8 * 8 + 4], 0x00008500

        mov ebx, 0xB0B0B0B0
        mov esi, 0x5151
        int 0x50
        PRINTLN "back from task b (int)"
        CHECK ebx, 0xB0B0B0B0, "ebx restored from main tss"
        CHECK esi, 0x5151, "esi restored"
        CHECK dword [seen_tr], 0x40, "tr in task b"
        CHECK dword [seen_link], 0x38, "back link in task b"
        CHECK dword [seen_nt], 0x4000, "nt in task b"
        CHECK dword [seen_busy], 0x8B8B, "both tss busy while nested"
        movzx eax, byte [gdt + 8 * 8 + 5]
        CHECK eax, 0x89, "task b not busy after iret"
        movzx eax, byte [gdt + 7 * 8 + 5]
        CHECK eax, 0x8B, "main busy"
        pushfd
        pop eax
        and eax, 0x4000
        CHECK eax, 0, "nt clear in main after iret"
        str eax
        CHECK eax, 0x38, "tr back to main"
        CHECK dword [TSS_B + 52], 0x1234, "task b ebx saved in its tss"

        mov ebx, 0xC0C0C0C0
        call 0x40:0
        PRINTLN "back from task b (call)"
        CHECK ebx, 0xC0C0C0C0, "ebx restored again"
        CHECK dword [b_runs], 2, "task b resumed after its iret"

        ; double fault through a task gate
        and byte [idt + 13 * 8 + 5], 0x7F
        jmp 0:0
df_resume:
        PRINTLN "back from the double-fault task"
        CHECK dword [df_err], 0, "#df error code on the task's stack"
        CHECK dword [df_esp], 0x50000 - 4, "#df task stack"
        CHECK dword [df_link], 0x38, "#df back link"
        CHECK dword [df_tr], 0x48, "tr in #df task"

        ; a task with its own CR3: 12 MiB maps to physical 0 there, to itself here
        mov edi, PD_A
        mov eax, 0x83
        mov ecx, 1024
.pda:   stosd
        add eax, 0x400000
        loop .pda
        mov esi, PD_A
        mov edi, PD_B
        mov ecx, 1024
        rep movsd
        mov dword [PD_B + 3 * 4], 0x000083
        mov dword [0xC00000], 0x0C0C0C0C
        mov ebx, TSS_C
        mov ecx, task_c
        mov edx, 0x58000
        call init_tss
        mov dword [TSS_C + 28], PD_B
        mov dword [TSS_MAIN + 28], PD_A     ; CR3 is loaded on return, never saved
        mov eax, 10
        mov ebx, TSS_C
        mov ecx, 103
        mov edx, 0x89
        call set_gdt                        ; 0x50
        mov eax, PD_A
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        call 0x50:0
        mov eax, cr3
        CHECK eax, PD_A, "cr3 back from the main tss"
        CHECK dword [c_cr3], PD_B, "cr3 in task c"
        CHECK dword [c_seen], MB_MAGIC, "task c sees its own mapping"
        CHECK dword [0xC00000], 0x0C0C0C0C, "main sees its mapping again"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ret

task_c:
        mov eax, cr3
        mov [c_cr3], eax
        mov eax, [0xC00000 + 0x100000]      ; physical 1 MiB: the Multiboot header
        mov [c_seen], eax
        iret
        jmp task_c

init_tss:                           ; ebx = tss, ecx = eip, edx = esp
        mov dword [ebx + 28], 0     ; cr3
        mov [ebx + 32], ecx
        mov dword [ebx + 36], 2     ; eflags
        mov [ebx + 56], edx
        mov dword [ebx + 72], SEL_DATA32
        mov dword [ebx + 76], SEL_CODE32
        mov dword [ebx + 80], SEL_DATA32
        mov dword [ebx + 84], SEL_DATA32
        mov dword [ebx + 88], SEL_DATA32
        mov dword [ebx + 92], SEL_DATA32
        mov word [ebx + 102], 104
        ret

task_b:
        inc dword [b_runs]
        str eax
        mov [seen_tr], eax
        movzx eax, word [TSS_B]
        mov [seen_link], eax
        pushfd
        pop eax
        and eax, 0x4000
        mov [seen_nt], eax
        mov al, [gdt + 7 * 8 + 5]
        mov ah, [gdt + 8 * 8 + 5]
        movzx eax, ax
        mov [seen_busy], eax
        mov ebx, 0x1234
        iret
        jmp task_b

task_df:
        mov [df_esp], esp
        pop dword [df_err]
        movzx eax, word [TSS_DF]
        mov [df_link], eax
        str eax
        mov [df_tr], eax
        or byte [idt + 13 * 8 + 5], 0x80
        mov dword [TSS_MAIN + 32], df_resume
        iret
        jmp task_df

b_runs:    dd 0
seen_tr:   dd 0
seen_link: dd 0
seen_nt:   dd 0
seen_busy: dd 0
df_err:    dd 0xFFFFFFFF
df_esp:    dd 0
df_link:   dd 0
df_tr:     dd 0
c_cr3:     dd 0
c_seen:    dd 0

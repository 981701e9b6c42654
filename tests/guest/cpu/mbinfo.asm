; The Multiboot information structure as any loader must fill it for a 32 MiB guest: memory
; sizes, a memory map that is well formed and has the RAM above 1 MiB available, a boot loader
; name, and the structures placed where they do not overlap the kernel. Checks properties
; rather than one loader's exact layout, so that QEMU and Vireo both pass.
%include "lib.inc"

main:
        mov ebx, [mb_ebx]
        mov eax, [ebx]
        and eax, (1 << 0) | (1 << 6) | (1 << 9)
        CHECK eax, 0x241, "flags: mem, mmap, loader name"
        mov eax, [ebx + 4]
        cmp eax, 600
        setae al
        cmp dword [ebx + 4], 640
        setbe ah
        and al, ah
        movzx eax, al
        CHECK eax, 1, "mem_lower 600..640 KiB"
        mov eax, [ebx + 8]
        cmp eax, 31 * 1024 - 1024
        setae al
        cmp dword [ebx + 8], 31 * 1024
        setbe ah
        and al, ah
        movzx eax, al
        CHECK eax, 1, "mem_upper about 31 MiB"

        ; memory map: entries of size >= 20, the 1 MiB.. region available and >= 30 MiB
        mov esi, [ebx + 48]             ; mmap_addr
        mov edi, esi
        add edi, [ebx + 44]             ; end
        xor ecx, ecx                    ; entries
        xor edx, edx                    ; found the high RAM entry
.next:  cmp esi, edi
        jae .done
        mov eax, [esi]
        cmp eax, 20
        jb .bad
        inc ecx
        cmp dword [esi + 4], 0x100000
        jne .skip
        cmp dword [esi + 8], 0          ; base high
        jne .skip
        cmp dword [esi + 20], 1         ; type available
        jne .skip
        cmp dword [esi + 12], 30 << 20
        jb .skip
        inc edx
.skip:  add esi, [esi]
        add esi, 4
        jmp .next
.bad:   PRINTLN "mmap entry with size < 20"
        call fail
.done:  CHECK edx, 1, "mmap: available ram at 1 MiB, >= 30 MiB"
        cmp ecx, 2
        setae al
        movzx eax, al
        CHECK eax, 1, "mmap: at least 2 entries"

        mov esi, [ebx + 64]             ; boot loader name
        xor ecx, ecx
.len:   cmp byte [esi + ecx], 0
        je .lend
        inc ecx
        cmp ecx, 64
        jb .len
.lend:  cmp ecx, 0
        setne al
        cmp ecx, 64
        setb ah
        and al, ah
        movzx eax, al
        CHECK eax, 1, "loader name: a short string"

        ; info structures lie outside the kernel image
        mov eax, [mb_ebx]
        cmp eax, 0x100000
        setb al
        movzx eax, al
        CHECK eax, 1, "info below the kernel"
        ret

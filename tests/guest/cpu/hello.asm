; Smoke test: Multiboot hand-off state, both output channels, a few basic instructions.
%include "lib.inc"

main:
        CHECK dword [mb_eax], 0x2BADB002, "multiboot eax"
        mov ebx, [mb_ebx]
        mov eax, [ebx]
        and eax, 0x41                   ; memory fields and memory map present
        CHECK eax, 0x41, "info flags mem+mmap"
        mov eax, cr0
        and eax, 0x80000001
        CHECK eax, 1, "cr0 pe, no paging"
        pushfd
        pop eax
        and eax, 0x200
        CHECK eax, 0, "eflags if"
        mov byte [use_serial], 1
        PRINTLN "hello from the serial port"
        mov byte [use_serial], 0
        PRINTLN "hello from port e9"
        mov eax, 0x12345678
        bswap eax
        CHECK eax, 0x78563412, "bswap"
        ret

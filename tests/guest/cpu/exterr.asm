; The EXT bit (bit 0) of an error code: set when the fault happened while delivering an event
; external to the program, such as an earlier exception; clear for INT n, INT3 and INTO.
; QEMU's TCG leaves EXT clear for exceptions, so this program has no oracle run: its checks
; are the SDM's rules, and it must pass on real hardware.
%include "lib.inc"

main:
        and byte [idt + 6 * 8 + 5], 0x7F
        TRY .np1
        ud2
.np1:   or byte [idt + 6 * 8 + 5], 0x80
        EXPECT_EXC 11, 6 * 8 + 2 + 1, "#ud through a not-present gate: #np with ext"
        ; (#DE would be contributory: #DE then #NP is a double fault. #BR is benign.)
        and byte [idt + 5 * 8 + 5], 0x7F
        TRY .np2
        mov eax, 99
        bound eax, [bounds]
.np2:   or byte [idt + 5 * 8 + 5], 0x80
        EXPECT_EXC 11, 5 * 8 + 2 + 1, "#br through a not-present gate: #np with ext"
        and byte [idt + 0 * 8 + 5], 0x7F
        TRY .df
        xor ecx, ecx
        div ecx
.df:    or byte [idt + 0 * 8 + 5], 0x80
        EXPECT_EXC 8, 0, "#de through a not-present gate: double fault"
        and byte [idt + 3 * 8 + 5], 0x7F
        TRY .np3
        int3
.np3:   or byte [idt + 3 * 8 + 5], 0x80
        EXPECT_EXC 11, 3 * 8 + 2, "int3 through a not-present gate: no ext"
        and byte [idt + 0x30 * 8 + 5], 0x7F
        TRY .np4
        int 0x30
.np4:   or byte [idt + 0x30 * 8 + 5], 0x80
        EXPECT_EXC 11, 0x30 * 8 + 2, "int 0x30 through a not-present gate: no ext"
        ret

        align 4
bounds: dd 0, 10

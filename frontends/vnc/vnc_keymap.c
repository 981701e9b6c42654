/* Keysym to set-2 scan code table (US layout). Codes are the PS/2 set-2 make codes. */
#include "frontends/vnc/vnc_keymap.h"

#include <errno.h>
#include <stddef.h>

#include <rfb/keysym.h>

typedef struct keymap_entry {
    uint32_t keysym;
    uint8_t code;
    bool e0;
    int8_t shift;
} keymap_entry;

/* Printable ASCII: the key and whether the US layout needs Shift for it. */
typedef struct ascii_key {
    uint8_t code;
    int8_t shift;
} ascii_key;

static const ascii_key ascii[128] = {
    [' '] = {0x29, -1}, ['!'] = {0x16, 1}, ['"'] = {0x52, 1},  ['#'] = {0x26, 1},
    ['$'] = {0x25, 1},  ['%'] = {0x2E, 1}, ['&'] = {0x3D, 1},  ['\''] = {0x52, 0},
    ['('] = {0x46, 1},  [')'] = {0x45, 1}, ['*'] = {0x3E, 1},  ['+'] = {0x55, 1},
    [','] = {0x41, 0},  ['-'] = {0x4E, 0}, ['.'] = {0x49, 0},  ['/'] = {0x4A, 0},
    ['0'] = {0x45, 0},  ['1'] = {0x16, 0}, ['2'] = {0x1E, 0},  ['3'] = {0x26, 0},
    ['4'] = {0x25, 0},  ['5'] = {0x2E, 0}, ['6'] = {0x36, 0},  ['7'] = {0x3D, 0},
    ['8'] = {0x3E, 0},  ['9'] = {0x46, 0}, [':'] = {0x4C, 1},  [';'] = {0x4C, 0},
    ['<'] = {0x41, 1},  ['='] = {0x55, 0}, ['>'] = {0x49, 1},  ['?'] = {0x4A, 1},
    ['@'] = {0x1E, 1},  ['['] = {0x54, 0}, ['\\'] = {0x5D, 0}, [']'] = {0x5B, 0},
    ['^'] = {0x36, 1},  ['_'] = {0x4E, 1}, ['`'] = {0x0E, 0},  ['{'] = {0x54, 1},
    ['|'] = {0x5D, 1},  ['}'] = {0x5B, 1}, ['~'] = {0x0E, 1},  ['a'] = {0x1C, 0},
    ['b'] = {0x32, 0},  ['c'] = {0x21, 0}, ['d'] = {0x23, 0},  ['e'] = {0x24, 0},
    ['f'] = {0x2B, 0},  ['g'] = {0x34, 0}, ['h'] = {0x33, 0},  ['i'] = {0x43, 0},
    ['j'] = {0x3B, 0},  ['k'] = {0x42, 0}, ['l'] = {0x4B, 0},  ['m'] = {0x3A, 0},
    ['n'] = {0x31, 0},  ['o'] = {0x44, 0}, ['p'] = {0x4D, 0},  ['q'] = {0x15, 0},
    ['r'] = {0x2D, 0},  ['s'] = {0x1B, 0}, ['t'] = {0x2C, 0},  ['u'] = {0x3C, 0},
    ['v'] = {0x2A, 0},  ['w'] = {0x1D, 0}, ['x'] = {0x22, 0},  ['y'] = {0x35, 0},
    ['z'] = {0x1A, 0},
};

static const keymap_entry special[] = {
    {XK_Return, 0x5A, false, -1},
    {XK_Escape, 0x76, false, -1},
    {XK_BackSpace, 0x66, false, -1},
    {XK_Tab, 0x0D, false, -1},
    {XK_ISO_Left_Tab, 0x0D, false, 1},
    {XK_Caps_Lock, 0x58, false, -1},
    {XK_Shift_L, 0x12, false, -1},
    {XK_Shift_R, 0x59, false, -1},
    {XK_Control_L, 0x14, false, -1},
    {XK_Control_R, 0x14, true, -1},
    {XK_Alt_L, 0x11, false, -1},
    {XK_Alt_R, 0x11, true, -1},
    {XK_Meta_L, 0x11, false, -1},
    {XK_Meta_R, 0x11, true, -1},
    {XK_ISO_Level3_Shift, 0x11, true, -1},
    {XK_Super_L, 0x1F, true, -1},
    {XK_Super_R, 0x27, true, -1},
    {XK_Menu, 0x2F, true, -1},
    {XK_F1, 0x05, false, -1},
    {XK_F2, 0x06, false, -1},
    {XK_F3, 0x04, false, -1},
    {XK_F4, 0x0C, false, -1},
    {XK_F5, 0x03, false, -1},
    {XK_F6, 0x0B, false, -1},
    {XK_F7, 0x83, false, -1},
    {XK_F8, 0x0A, false, -1},
    {XK_F9, 0x01, false, -1},
    {XK_F10, 0x09, false, -1},
    {XK_F11, 0x78, false, -1},
    {XK_F12, 0x07, false, -1},
    {XK_Insert, 0x70, true, -1},
    {XK_Delete, 0x71, true, -1},
    {XK_Home, 0x6C, true, -1},
    {XK_End, 0x69, true, -1},
    {XK_Page_Up, 0x7D, true, -1},
    {XK_Page_Down, 0x7A, true, -1},
    {XK_Up, 0x75, true, -1},
    {XK_Down, 0x72, true, -1},
    {XK_Left, 0x6B, true, -1},
    {XK_Right, 0x74, true, -1},
    {XK_Num_Lock, 0x77, false, -1},
    {XK_Scroll_Lock, 0x7E, false, -1},
    {XK_KP_Divide, 0x4A, true, -1},
    {XK_KP_Multiply, 0x7C, false, -1},
    {XK_KP_Subtract, 0x7B, false, -1},
    {XK_KP_Add, 0x79, false, -1},
    {XK_KP_Enter, 0x5A, true, -1},
    {XK_KP_Decimal, 0x71, false, -1},
    {XK_KP_Delete, 0x71, false, -1},
    {XK_KP_0, 0x70, false, -1},
    {XK_KP_Insert, 0x70, false, -1},
    {XK_KP_1, 0x69, false, -1},
    {XK_KP_End, 0x69, false, -1},
    {XK_KP_2, 0x72, false, -1},
    {XK_KP_Down, 0x72, false, -1},
    {XK_KP_3, 0x7A, false, -1},
    {XK_KP_Page_Down, 0x7A, false, -1},
    {XK_KP_4, 0x6B, false, -1},
    {XK_KP_Left, 0x6B, false, -1},
    {XK_KP_5, 0x73, false, -1},
    {XK_KP_Begin, 0x73, false, -1},
    {XK_KP_6, 0x74, false, -1},
    {XK_KP_Right, 0x74, false, -1},
    {XK_KP_7, 0x6C, false, -1},
    {XK_KP_Home, 0x6C, false, -1},
    {XK_KP_8, 0x75, false, -1},
    {XK_KP_Up, 0x75, false, -1},
    {XK_KP_9, 0x7D, false, -1},
    {XK_KP_Page_Up, 0x7D, false, -1},
    /* Latin-1 symbols that US keyboards reach only through dead keys are left out; these
     * two are on the keys of the same name. */
    {XK_section, 0x0E, false, -1},
    {XK_notsign, 0x0E, false, 1},
};

int vnc_keysym_lookup(uint32_t keysym, vnc_key *ret_key)
{
    if (keysym >= 'A' && keysym <= 'Z') {
        *ret_key = (vnc_key){ascii[keysym - 'A' + 'a'].code, false, 1};
        return 0;
    }
    if (keysym < 128 && ascii[keysym].code) {
        *ret_key = (vnc_key){ascii[keysym].code, false, ascii[keysym].shift};
        return 0;
    }
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        if (special[i].keysym == keysym) {
            *ret_key = (vnc_key){special[i].code, special[i].e0, special[i].shift};
            return 0;
        }
    }
    return -ENOENT;
}

static int put_key(uint8_t *out, int n, uint8_t code, bool e0, bool down)
{
    if (e0)
        out[n++] = 0xE0;
    if (!down)
        out[n++] = 0xF0;
    out[n++] = code;
    return n;
}

static int print_screen(uint8_t *out, bool down)
{
    /* Make: E0 12 E0 7C; break: E0 F0 7C E0 F0 12. */
    int n = 0;
    if (down) {
        n = put_key(out, n, 0x12, true, true);
        return put_key(out, n, 0x7C, true, true);
    }
    n = put_key(out, n, 0x7C, true, false);
    return put_key(out, n, 0x12, true, false);
}

static int pause_key(uint8_t *out, bool down)
{
    /* Pause has no break code; its make is E1 14 77 E1 F0 14 F0 77. */
    static const uint8_t seq[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
    if (!down)
        return 0;
    for (int i = 0; i < 8; i++)
        out[i] = seq[i];
    return 8;
}

int vnc_key_event_bytes(vnc_kbd_state *st, uint32_t keysym, bool down, uint8_t *out)
{
    if (keysym == XK_Print)
        return print_screen(out, down);
    if (keysym == XK_Pause)
        return pause_key(out, down);
    vnc_key k;
    if (vnc_keysym_lookup(keysym, &k) < 0)
        return 0;
    if (keysym == XK_Shift_L)
        st->lshift = down;
    if (keysym == XK_Shift_R)
        st->rshift = down;
    bool shifted = st->lshift || st->rshift;
    int n = 0;
    if (!down || k.shift < 0 || (k.shift == 1) == shifted)
        return put_key(out, 0, k.code, k.e0, down);
    if (k.shift == 1) { /* needs Shift the client does not hold */
        n = put_key(out, n, 0x12, false, true);
        n = put_key(out, n, k.code, k.e0, true);
        return put_key(out, n, 0x12, false, false);
    }
    /* Must not have Shift (e.g. '1' while Shift is held): lift it around the key. */
    if (st->lshift)
        n = put_key(out, n, 0x12, false, false);
    if (st->rshift)
        n = put_key(out, n, 0x59, false, false);
    n = put_key(out, n, k.code, k.e0, true);
    if (st->lshift)
        n = put_key(out, n, 0x12, false, true);
    if (st->rshift)
        n = put_key(out, n, 0x59, false, true);
    return n;
}

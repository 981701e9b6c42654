/* X keysyms (what VNC clients send) to PS/2 scan code set 2 (what the keyboard emits),
 * for a US layout. Symbols that need Shift on that layout get a Shift press and release
 * around the key when the client is not already holding Shift, so clients that send the
 * final character (e.g. '!' without Shift) type the right thing. */
#ifndef VIREO_FRONTENDS_VNC_KEYMAP_H
#define VIREO_FRONTENDS_VNC_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct vnc_key {
    uint8_t code; /* set-2 make code */
    bool e0;      /* extended: E0 prefix */
    int8_t shift; /* 1: needs Shift, 0: must not have Shift, -1: either (not a symbol) */
} vnc_key;

/* Returns 0 and fills *ret_key, or -ENOENT for a keysym with no key on the layout. */
int vnc_keysym_lookup(uint32_t keysym, vnc_key *ret_key);

/* Modifier tracking across events (which Shift keys the client holds). */
typedef struct vnc_kbd_state {
    bool lshift, rshift;
} vnc_kbd_state;

#define VNC_KEY_MAX_BYTES 16

/* The set-2 bytes for one key event. Returns the number of bytes written to out (room for
 * VNC_KEY_MAX_BYTES), 0 for keysyms without a key. */
int vnc_key_event_bytes(vnc_kbd_state *st, uint32_t keysym, bool down, uint8_t *out);

#endif

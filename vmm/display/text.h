/* Text-screen extraction: character cells as UTF-8 lines, with the IBM PC code page 437
 * (the VGA ROM font's character set) mapped to Unicode. */
#ifndef VIREO_VMM_DISPLAY_TEXT_H
#define VIREO_VMM_DISPLAY_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The Unicode code point a CP437 byte shows as. */
uint32_t display_cp437_to_unicode(uint8_t c);

/* Append code point `cp` as UTF-8 to buf (room for 4 bytes needed). Returns bytes written. */
int display_utf8_put(char *buf, uint32_t cp);

/* Build the text of a cols x rows screen: chars[r * pitch + c] is the CP437 code of a cell.
 * Each row becomes one line ending in '\n', with trailing spaces removed. On success
 * *ret_text is a malloc'd NUL-terminated string. Returns 0, -EINVAL, -ENOMEM. */
int display_text_from_cells(const uint8_t *chars, int cols, int rows, int pitch, char **ret_text);

#endif

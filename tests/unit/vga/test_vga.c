/* VGA: registers, memory modes, text and graphics rendering, VBE and the LFB, screen text,
 * save/load, hostile input. The guest side is driven through ports and the physical map. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/dev/devtest.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/vga.h"
#include "vmm/display/surface.h"
#include "vmm/mem/physmap.h"

typedef struct fixture {
    devtest *t;
    physmap *pm;
    pci_bus bus;
    display_surface *s;
    vga v;
    display_rect rects[256];
    int nrects, resizes;
} fixture;

static void on_damage(void *opaque, const display_rect *r)
{
    fixture *f = opaque;
    if (f->nrects < 256)
        f->rects[f->nrects++] = *r;
}

static void on_resize(void *opaque, int w, int h, int stride)
{
    ((fixture *)opaque)->resizes++;
}

static fixture *fx_new(void)
{
    fixture *f = calloc(1, sizeof(*f));
    f->t = devtest_new();
    f->pm = physmap_new();
    ck_assert_int_eq(pci_bus_init(&f->bus, &f->t->env), 0);
    f->s = display_surface_new();
    ck_assert_ptr_nonnull(f->s);
    ck_assert_int_eq(vga_init(&f->v, &f->t->env, &f->bus, PCI_DEVFN(2, 0), f->pm, f->s, 16), 0);
    display_listener l = {on_damage, on_resize, f};
    ck_assert_int_eq(display_surface_add_listener(f->s, &l), 0);
    return f;
}

static void fx_free(fixture *f)
{
    vga_fini(&f->v, &f->t->env);
    display_surface_free(f->s);
    pci_bus_fini(&f->bus, &f->t->env);
    physmap_free(f->pm);
    devtest_free(f->t);
    free(f);
}

static void outw(devtest *t, uint16_t port, uint16_t v)
{
    iobus_out(t->io, port, v, 2);
}

static uint16_t inw(devtest *t, uint16_t port)
{
    return (uint16_t)iobus_in(t->io, port, 2);
}

static uint32_t px(fixture *f, int x, int y)
{
    return display_surface_row(f->s, y)[x] & 0xFFFFFF;
}

/* ---- registers ---- */

START_TEST(registers_read_back)
{
    fixture *f = fx_new();
    devtest *t = f->t;
    outb(t, 0x3C4, 0x02);
    outb(t, 0x3C5, 0x0A);
    ck_assert_uint_eq(inb(t, 0x3C4), 0x02);
    ck_assert_uint_eq(inb(t, 0x3C5), 0x0A);
    outw(t, 0x3CE, 0x5508); /* index 8 = 0x55 in one OUTW */
    ck_assert_uint_eq(inb(t, 0x3CE), 0x08);
    ck_assert_uint_eq(inb(t, 0x3CF), 0x55);
    outw(t, 0x3D4, 0x120E);
    outw(t, 0x3D4, 0x340F);
    outb(t, 0x3D4, 0x0E);
    ck_assert_uint_eq(inb(t, 0x3D5), 0x12);
    outb(t, 0x3D4, 0x0F);
    ck_assert_uint_eq(inb(t, 0x3D5), 0x34);
    /* Attribute controller: reading 0x3DA resets the flip-flop to "index". */
    inb(t, 0x3DA);
    outb(t, 0x3C0, 0x05);
    outb(t, 0x3C0, 0x2B);
    ck_assert_uint_eq(inb(t, 0x3C1), 0x2B);
    ck_assert_uint_eq(inb(t, 0x3C0), 0x05);
    /* DAC: write index 7 then three components, read back through the read index. */
    outb(t, 0x3C8, 7);
    outb(t, 0x3C9, 0x11);
    outb(t, 0x3C9, 0x22);
    outb(t, 0x3C9, 0x3F);
    ck_assert_uint_eq(inb(t, 0x3C8), 8);
    outb(t, 0x3C7, 7);
    ck_assert_uint_eq(inb(t, 0x3C7), 3);
    ck_assert_uint_eq(inb(t, 0x3C9), 0x11);
    ck_assert_uint_eq(inb(t, 0x3C9), 0x22);
    ck_assert_uint_eq(inb(t, 0x3C9), 0x3F);
    outb(t, 0x3C2, 0x63);
    ck_assert_uint_eq(inb(t, 0x3CC), 0x63);
    fx_free(f);
}
END_TEST

START_TEST(register_indexes_bounded)
{
    fixture *f = fx_new();
    devtest *t = f->t;
    outb(t, 0x3C4, 0xFF); /* sequencer has 5 registers; the index keeps 3 bits */
    ck_assert_uint_eq(inb(t, 0x3C4), 0x07);
    outb(t, 0x3C5, 0x99);
    ck_assert_uint_eq(inb(t, 0x3C5), 0x00);
    outb(t, 0x3CE, 0xFF);
    outb(t, 0x3CF, 0x99);
    ck_assert_uint_eq(inb(t, 0x3CF), 0x00);
    outb(t, 0x3D4, 0xFF);
    ck_assert_uint_eq(inb(t, 0x3D4), 0x3F);
    outb(t, 0x3D5, 0x99);
    ck_assert_uint_eq(inb(t, 0x3D5), 0x00);
    inb(t, 0x3DA);
    outb(t, 0x3C0, 0x1F);
    outb(t, 0x3C0, 0x99);
    ck_assert_uint_eq(inb(t, 0x3C1), 0x00);
    /* 256 DAC writes of 3 bytes wrap the index without leaving the palette. */
    outb(t, 0x3C8, 0xFF);
    for (int i = 0; i < 3 * 300; i++)
        outb(t, 0x3C9, (uint8_t)i);
    ck_assert_uint_eq(inb(t, 0x3C8), (0xFF + 300) & 0xFF);
    /* CR11 bit 7 write-protects CR0-CR7. */
    outw(t, 0x3D4, 0x8E11);
    outw(t, 0x3D4, 0x1201);
    outb(t, 0x3D4, 0x01);
    ck_assert_uint_eq(inb(t, 0x3D5), 0x4F);
    /* With the mono address selected, the colour CRTC ports do not answer. */
    outb(t, 0x3C2, 0x66);
    ck_assert_uint_eq(inb(t, 0x3D4), 0xFF);
    outb(t, 0x3B4, 0x0E);
    ck_assert_uint_eq(inb(t, 0x3B4), 0x0E);
    fx_free(f);
}
END_TEST

START_TEST(input_status_toggles_retrace)
{
    fixture *f = fx_new();
    uint8_t a = inb(f->t, 0x3DA), b = inb(f->t, 0x3DA);
    ck_assert_uint_ne(a & 0x08, b & 0x08);
    fx_free(f);
}
END_TEST

/* ---- text mode ---- */

/* A test font: glyph c has row y = c ^ (y * 17), distinct per row and character. */
static void load_test_font(fixture *f)
{
    static uint8_t glyphs[256 * 16];
    for (int c = 0; c < 256; c++)
        for (int y = 0; y < 16; y++)
            glyphs[c * 16 + y] = (uint8_t)(c ^ (y * 17));
    ck_assert_int_eq(vga_load_font(&f->v, glyphs, 0, 256, 16), 0);
}

static void put_text(fixture *f, int row, int col, const char *s, uint8_t attr)
{
    for (int i = 0; s[i]; i++) {
        uint32_t a = 0xB8000 + (uint32_t)(row * 80 + col + i) * 2;
        physmap_write(f->pm, a, (uint32_t)(uint8_t)s[i] | (uint32_t)attr << 8, 2);
    }
}

START_TEST(text_mode_renders_font_and_colours)
{
    fixture *f = fx_new();
    load_test_font(f);
    put_text(f, 0, 0, "Hi", 0x1E); /* yellow on blue */
    vga_update(&f->v, 0);
    int w, h;
    display_surface_geometry(f->s, &w, &h, NULL, NULL);
    ck_assert_int_eq(w, 720);
    ck_assert_int_eq(h, 400);
    const uint32_t yellow = 0xFFFF55, blue = 0x0000AA, black = 0;
    for (int cell = 0; cell < 2; cell++) {
        uint8_t c = (uint8_t) "Hi"[cell];
        for (int y = 0; y < 16; y++) {
            uint8_t bits = (uint8_t)(c ^ (y * 17));
            for (int x = 0; x < 8; x++)
                ck_assert_uint_eq(px(f, cell * 9 + x, y), (bits & (0x80 >> x)) ? yellow : blue);
            ck_assert_uint_eq(px(f, cell * 9 + 8, y), blue); /* 9th column: background */
        }
    }
    /* Cell (0,2) was never written: character 0, attribute 0, black. */
    ck_assert_uint_eq(px(f, 2 * 9 + 3, 5), black);
    fx_free(f);
}
END_TEST

START_TEST(text_mode_screen_text)
{
    fixture *f = fx_new();
    put_text(f, 0, 0, "login: root", 0x07);
    put_text(f, 24, 70, "end", 0x07);
    const char box[] = {(char)0xC9, (char)0xCD, (char)0xBB, 0};
    put_text(f, 3, 1, box, 0x07);
    char *text = NULL;
    ck_assert_int_eq(vga_get_screen_text(&f->v, &text), 0);
    /* 25 lines, trailing blanks trimmed, CP437 box drawing as UTF-8. */
    char want[512] = "login: root\n\n\n \xe2\x95\x94\xe2\x95\x90\xe2\x95\x97\n";
    for (int i = 4; i < 24; i++)
        strcat(want, "\n");
    strcat(want, "                                                                      end\n");
    ck_assert_str_eq(text, want);
    free(text);
    fx_free(f);
}
END_TEST

START_TEST(text_mode_scrolls_with_start_address)
{
    fixture *f = fx_new();
    put_text(f, 1, 0, "second", 0x07);
    outw(f->t, 0x3D4, 0x000C);
    outw(f->t, 0x3D4, 0x500D); /* start at cell 80: row 1 becomes the top row */
    char *text = NULL;
    ck_assert_int_eq(vga_get_screen_text(&f->v, &text), 0);
    ck_assert(strncmp(text, "second\n", 7) == 0);
    free(text);
    fx_free(f);
}
END_TEST

START_TEST(text_scroll_redraws_only_changed_cells)
{
    fixture *f = fx_new();
    load_test_font(f);
    for (int r = 0; r < 26; r++)
        put_text(f, r, 0, r == 25 ? "new line" : "same", 0x07);
    vga_update(&f->v, 0);
    f->nrects = 0;
    outw(f->t, 0x3D4, 0x000C);
    outw(f->t, 0x3D4, 0x500D); /* scroll one line */
    vga_update(&f->v, 0);
    /* Rows 0-23 show what they showed; only the bottom row changed. */
    ck_assert_int_ge(f->nrects, 1);
    for (int i = 0; i < f->nrects; i++)
        ck_assert_int_eq(f->rects[i].y, 24 * 16);
    ck_assert_uint_eq(px(f, 0, 24 * 16 + 3), 0xAAAAAA * (('n' ^ 3 * 17) >> 7));
    fx_free(f);
}
END_TEST

START_TEST(text_mode_cursor_and_damage)
{
    fixture *f = fx_new();
    load_test_font(f);
    vga_update(&f->v, 0);
    f->nrects = 0;
    /* Cursor at cell 81 (row 1, col 1), lines 13-14 (mode 3); its phase is on in frames 16-31. */
    outw(f->t, 0x3D4, 0x000E);
    outw(f->t, 0x3D4, 0x510F);
    vga_update(&f->v, 16 * 16666667ull + 1000);
    ck_assert_int_eq(f->nrects, 1);
    ck_assert_int_eq(f->rects[0].x, 9);
    ck_assert_int_eq(f->rects[0].y, 16);
    ck_assert_int_eq(f->rects[0].w, 9);
    ck_assert_int_eq(f->rects[0].h, 16);
    /* Attribute 0 on an unwritten cell: the cursor takes the foreground colour (black on
     * black), so write an attribute first and check the cursor lines are solid. */
    put_text(f, 1, 1, " ", 0x07);
    vga_update(&f->v, 16 * 16666667ull + 2000);
    for (int x = 9; x < 17; x++) {
        ck_assert_uint_eq(px(f, x, 16 + 13), 0xAAAAAA);
        ck_assert_uint_eq(px(f, x, 16 + 14), 0xAAAAAA);
    }
    /* An update with nothing changed reports no damage. */
    f->nrects = 0;
    vga_update(&f->v, 16 * 16666667ull + 3000);
    ck_assert_int_eq(f->nrects, 0);
    fx_free(f);
}
END_TEST

/* ---- planar memory ---- */

START_TEST(planar_write_modes_and_read_mode_1)
{
    fixture *f = fx_new();
    devtest *t = f->t;
    /* Planar graphics addressing: chain-4 off, odd/even off, map A0000-AFFFF. */
    outw(t, 0x3C4, 0x0604);
    outw(t, 0x3CE, 0x0005);
    outw(t, 0x3CE, 0x0506);
    outw(t, 0x3C4, 0x0F02); /* all planes */
    /* Write mode 0 with set/reset on planes 0 and 2 (colour 5), bit mask 0xF0. */
    outw(t, 0x3CE, 0x0500);
    outw(t, 0x3CE, 0x0F01);
    outw(t, 0x3CE, 0xF008);
    physmap_read(f->pm, 0xA0010, 1); /* latches = 0 */
    physmap_write(f->pm, 0xA0010, 0x00, 1);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 0], 0xF0);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 1], 0x00);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 2], 0xF0);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 3], 0x00);
    /* Read mode 0 with read map select 2. */
    outw(t, 0x3CE, 0x0204);
    ck_assert_uint_eq(physmap_read(f->pm, 0xA0010, 1), 0xF0);
    /* Read mode 1: which pixels have colour 5? */
    outw(t, 0x3CE, 0x0805);
    outw(t, 0x3CE, 0x0502);
    outw(t, 0x3CE, 0x0F07);
    ck_assert_uint_eq(physmap_read(f->pm, 0xA0010, 1), 0xF0);
    /* Write mode 1 copies the latches (just loaded from 0x10) to 0x20. */
    outw(t, 0x3CE, 0x0105);
    physmap_write(f->pm, 0xA0020, 0xAB, 1);
    ck_assert_uint_eq(f->v.vram[0x20 * 4 + 0], 0xF0);
    ck_assert_uint_eq(f->v.vram[0x20 * 4 + 2], 0xF0);
    /* Write mode 2: the CPU byte's low bits are the colour, bit mask 0x0F, XOR with latch. */
    outw(t, 0x3CE, 0x0205);
    outw(t, 0x3CE, 0x0F08);
    outw(t, 0x3CE, 0x1803);
    physmap_read(f->pm, 0xA0010, 1);
    physmap_write(f->pm, 0xA0010, 0x03, 1);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 0], 0xFF); /* F0 ^ 0F in the masked bits */
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 1], 0x0F);
    ck_assert_uint_eq(f->v.vram[0x10 * 4 + 2], 0xF0);
    fx_free(f);
}
END_TEST

/* Mode 13h as the BIOS programs it (the standard register values). */
static void set_mode13(fixture *f)
{
    devtest *t = f->t;
    static const uint8_t crtc[25] = {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00,
                                     0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x0E,
                                     0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF};
    outb(t, 0x3C2, 0x63);
    outw(t, 0x3C4, 0x0101);
    outw(t, 0x3C4, 0x0F02);
    outw(t, 0x3C4, 0x0E04);
    outw(t, 0x3D4, 0x0E11);
    for (int i = 0; i < 25; i++)
        outw(t, 0x3D4, (uint16_t)(crtc[i] << 8 | i));
    outw(t, 0x3CE, 0x4005);
    outw(t, 0x3CE, 0x0506);
    inb(t, 0x3DA);
    for (int i = 0; i < 16; i++) {
        outb(t, 0x3C0, (uint8_t)i);
        outb(t, 0x3C0, (uint8_t)i);
    }
    outb(t, 0x3C0, 0x10);
    outb(t, 0x3C0, 0x41);
    outb(t, 0x3C0, 0x20); /* palette address source: display on */
}

START_TEST(mode13_renders_chain4)
{
    fixture *f = fx_new();
    set_mode13(f);
    outb(f->t, 0x3C8, 0x42);
    outb(f->t, 0x3C9, 0x3F);
    outb(f->t, 0x3C9, 0x00);
    outb(f->t, 0x3C9, 0x20);
    physmap_write(f->pm, 0xA0000 + 7 * 320 + 13, 0x42, 1);
    physmap_write(f->pm, 0xA0000 + 199 * 320 + 319, 0x42, 1);
    vga_update(&f->v, 0);
    int w, h;
    display_surface_geometry(f->s, &w, &h, NULL, NULL);
    ck_assert_int_eq(w, 320);
    ck_assert_int_eq(h, 200);
    ck_assert_uint_eq(px(f, 13, 7), 0xFF0082);
    ck_assert_uint_eq(px(f, 319, 199), 0xFF0082);
    ck_assert_uint_eq(px(f, 12, 7), 0);
    ck_assert_uint_eq(physmap_read(f->pm, 0xA0000 + 7 * 320 + 13, 1), 0x42);
    /* Damage: one pixel changes one row. */
    f->nrects = 0;
    physmap_write(f->pm, 0xA0000 + 100 * 320 + 5, 0x42, 1);
    vga_update(&f->v, 0);
    ck_assert_int_ge(f->nrects, 1);
    for (int i = 0; i < f->nrects; i++)
        ck_assert(f->rects[i].y <= 100 && f->rects[i].y + f->rects[i].h > 100);
    ck_assert_int_lt(f->rects[0].h, 200);
    fx_free(f);
}
END_TEST

START_TEST(planar16_renders_640x480)
{
    fixture *f = fx_new();
    devtest *t = f->t;
    /* Mode 12h essentials: 640x480, 16 colours, planar. */
    outw(t, 0x3D4, 0x0E11);
    outw(t, 0x3D4, 0x4F01);
    outw(t, 0x3D4, 0xDF12);
    outw(t, 0x3D4, 0x3E07); /* VDE bit 8 set, bit 9 clear: 0x1DF = 479 */
    outw(t, 0x3D4, 0x4009);
    outw(t, 0x3D4, 0x2813);
    outw(t, 0x3D4, 0x0014);
    outw(t, 0x3D4, 0xE317);
    outw(t, 0x3C4, 0x0604);
    outw(t, 0x3C4, 0x0101);
    outw(t, 0x3CE, 0x0005);
    outw(t, 0x3CE, 0x0506);
    inb(t, 0x3DA);
    outb(t, 0x3C0, 0x10);
    outb(t, 0x3C0, 0x01);
    outb(t, 0x3C0, 0x20);
    /* Colour 4 (red) at pixel (8, 2): plane 2 only, byte 2*80 + 1, bit 7. */
    outw(t, 0x3C4, 0x0402);
    physmap_write(f->pm, 0xA0000 + 2 * 80 + 1, 0x80, 1);
    vga_update(&f->v, 0);
    int w, h;
    display_surface_geometry(f->s, &w, &h, NULL, NULL);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    ck_assert_uint_eq(px(f, 8, 2), 0xAA0000);
    ck_assert_uint_eq(px(f, 9, 2), 0);
    fx_free(f);
}
END_TEST

/* ---- VBE ---- */

static void vbe(fixture *f, uint16_t index, uint16_t value)
{
    outw(f->t, 0x1CE, index);
    outw(f->t, 0x1CF, value);
}

static uint16_t vbe_get(fixture *f, uint16_t index)
{
    outw(f->t, 0x1CE, index);
    return inw(f->t, 0x1CF);
}

static void map_lfb(fixture *f, uint32_t base)
{
    pci_config_write(&f->v.pci, PCI_BAR0, base, 4);
    pci_config_write(&f->v.pci, PCI_COMMAND, 0x0003, 2);
}

START_TEST(vbe_id_caps_and_memory)
{
    fixture *f = fx_new();
    vbe(f, VBE_INDEX_ID, VBE_ID0);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_ID), VBE_ID0);
    vbe(f, VBE_INDEX_ID, 0x1234); /* not an ID: ignored */
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_ID), VBE_ID0);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_VIDEO_MEMORY_64K), 256);
    vbe(f, VBE_INDEX_ENABLE, VBE_GETCAPS);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_XRES), VBE_MAX_XRES);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_BPP), 32);
    vbe(f, VBE_INDEX_ENABLE, 0);
    /* PCI identity and BAR0 size: 16 MiB prefetchable. */
    ck_assert_uint_eq(pci_config_read(&f->v.pci, 0, 4), 0x11111234);
    ck_assert_uint_eq(pci_config_read(&f->v.pci, 0x0A, 2), 0x0300);
    pci_config_write(&f->v.pci, PCI_BAR0, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(pci_config_read(&f->v.pci, PCI_BAR0, 4), 0xFF000008);
    fx_free(f);
}
END_TEST

START_TEST(vbe_mode_set_and_lfb_writes)
{
    fixture *f = fx_new();
    map_lfb(f, 0xE0000000);
    vbe(f, VBE_INDEX_XRES, 800);
    vbe(f, VBE_INDEX_YRES, 600);
    vbe(f, VBE_INDEX_BPP, 32);
    vbe(f, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_ENABLE) & VBE_ENABLED, VBE_ENABLED);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_VIRT_HEIGHT), (16u << 20) / 3200);
    vga_update(&f->v, 0);
    int w, h;
    display_surface_geometry(f->s, &w, &h, NULL, NULL);
    ck_assert_int_eq(w, 800);
    ck_assert_int_eq(h, 600);
    /* Guest writes go straight to RAM (no MMIO callback) ... */
    ck_assert_ptr_nonnull(physmap_page_ptr(f->pm, 0xE0000000 + 300 * 3200, true));
    physmap_write(f->pm, 0xE0000000 + 300 * 3200 + 10 * 4, 0x00123456, 4);
    f->nrects = 0;
    vga_update(&f->v, 0);
    /* ... and still show up, damaging only the rows of the changed page. */
    ck_assert_uint_eq(px(f, 10, 300), 0x123456);
    ck_assert_int_eq(f->nrects, 1);
    ck_assert_int_eq(f->rects[0].x, 0);
    ck_assert_int_eq(f->rects[0].w, 800);
    ck_assert(f->rects[0].y <= 300 && f->rects[0].y + f->rects[0].h > 300);
    ck_assert_int_le(f->rects[0].h, 3);
    f->nrects = 0;
    vga_update(&f->v, 0);
    ck_assert_int_eq(f->nrects, 0);
    /* Panning with Y_OFFSET redraws and shows line 300 at the top-ish row 290. */
    vbe(f, VBE_INDEX_Y_OFFSET, 10);
    vga_update(&f->v, 0);
    ck_assert_uint_eq(px(f, 10, 290), 0x123456);
    fx_free(f);
}
END_TEST

START_TEST(vbe_16bpp_and_bank_window)
{
    fixture *f = fx_new();
    vbe(f, VBE_INDEX_XRES, 640);
    vbe(f, VBE_INDEX_YRES, 480);
    vbe(f, VBE_INDEX_BPP, 16);
    vbe(f, VBE_INDEX_ENABLE, VBE_ENABLED);
    /* Pixel (0, 100) is at byte 128000: bank 1, offset 128000 - 65536. */
    vbe(f, VBE_INDEX_BANK, 1);
    physmap_write(f->pm, 0xA0000 + 128000 - 65536, 0xF800, 2); /* pure red in 5:6:5 */
    vga_update(&f->v, 0);
    ck_assert_uint_eq(px(f, 0, 100), 0xFF0000);
    ck_assert_uint_eq(physmap_read(f->pm, 0xA0000 + 128000 - 65536, 2), 0xF800);
    fx_free(f);
}
END_TEST

START_TEST(vbe_resolution_change_resizes)
{
    fixture *f = fx_new();
    vga_update(&f->v, 0);
    f->resizes = 0;
    vbe(f, VBE_INDEX_XRES, 1024);
    vbe(f, VBE_INDEX_YRES, 768);
    vbe(f, VBE_INDEX_BPP, 24);
    vbe(f, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
    vga_update(&f->v, 0);
    ck_assert_int_eq(f->resizes, 1);
    ck_assert_int_eq(f->s->width, 1024);
    /* Disabling returns to what the VGA registers describe (the BIOS then sets a mode). */
    vbe(f, VBE_INDEX_ENABLE, 0);
    vga_update(&f->v, 0);
    ck_assert_int_eq(f->resizes, 2);
    ck_assert_int_ne(f->s->width, 1024);
    fx_free(f);
}
END_TEST

START_TEST(vbe_rejects_modes_that_do_not_fit)
{
    fixture *f = fx_new();
    vbe(f, VBE_INDEX_BPP, 32);
    vbe(f, VBE_INDEX_XRES, 4000);
    vbe(f, VBE_INDEX_YRES, 10);
    vbe(f, VBE_INDEX_ENABLE, VBE_ENABLED);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_ENABLE) & VBE_ENABLED, 0);
    vbe(f, VBE_INDEX_BPP, 12);
    vbe(f, VBE_INDEX_XRES, 640);
    vbe(f, VBE_INDEX_YRES, 480);
    vbe(f, VBE_INDEX_ENABLE, VBE_ENABLED);
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_ENABLE) & VBE_ENABLED, 0);
    vbe(f, VBE_INDEX_BANK, 0xFFFF); /* beyond VRAM: ignored */
    ck_assert_uint_eq(vbe_get(f, VBE_INDEX_BANK), 0);
    fx_free(f);
}
END_TEST

START_TEST(lfb_not_mapped_over_bios_while_sizing)
{
    fixture *f = fx_new();
    static uint8_t bios[0x20000];
    bios[0] = 0x5A;
    ck_assert_int_eq(physmap_add_rom(f->pm, 0xFFFE0000, 0x20000, bios), 0);
    pci_config_write(&f->v.pci, PCI_COMMAND, 0x0003, 2);
    pci_config_write(&f->v.pci, PCI_BAR0, 0xFFFFFFFF, 4); /* sizing with decode on */
    ck_assert_uint_eq(physmap_read(f->pm, 0xFFFE0000, 1), 0x5A);
    map_lfb(f, 0xE0000000);
    ck_assert_ptr_nonnull(physmap_page_ptr(f->pm, 0xE0000000, true));
    map_lfb(f, 0xE1000000); /* moved: the old range goes back to open bus */
    ck_assert_ptr_null(physmap_page_ptr(f->pm, 0xE0000000, false));
    ck_assert_uint_eq(physmap_read(f->pm, 0xE0000000, 4), 0xFFFFFFFF);
    ck_assert_ptr_nonnull(physmap_page_ptr(f->pm, 0xE1000000, true));
    fx_free(f);
}
END_TEST

START_TEST(small_vram_refuses_modes_that_do_not_fit)
{
    devtest *t = devtest_new();
    display_surface *s = display_surface_new();
    vga v;
    ck_assert_int_eq(vga_init(&v, &t->env, NULL, 0, NULL, s, 3), -EINVAL);
    ck_assert_int_eq(vga_init(&v, &t->env, NULL, 0, NULL, s, 1), 0);
    iobus_out(t->io, 0x1CE, VBE_INDEX_VIDEO_MEMORY_64K, 2);
    ck_assert_uint_eq(iobus_in(t->io, 0x1CF, 2), 16);
    static const uint16_t big[] = {1024, 768, 32}, fits[] = {640, 480, 16};
    for (int pass = 0; pass < 2; pass++) {
        const uint16_t *m = pass ? fits : big;
        for (int i = 0; i < 3; i++) {
            iobus_out(t->io, 0x1CE, (uint16_t)(VBE_INDEX_XRES + i), 2);
            iobus_out(t->io, 0x1CF, m[i], 2);
        }
        iobus_out(t->io, 0x1CE, VBE_INDEX_ENABLE, 2);
        iobus_out(t->io, 0x1CF, VBE_ENABLED, 2);
        ck_assert_uint_eq(iobus_in(t->io, 0x1CF, 2) & VBE_ENABLED, pass ? VBE_ENABLED : 0);
    }
    vga_update(&v, 0);
    ck_assert_int_eq(s->width, 640);
    vga_fini(&v, &t->env);
    display_surface_free(s);
    devtest_free(t);
}
END_TEST

#define VGABIOS "/usr/share/seabios/vgabios-stdvga.bin"

START_TEST(seabios_vga_rom_matches_the_device)
{
    uint8_t *rom = NULL;
    uint32_t len = 0;
    ck_assert_int_eq(vga_read_rom(VGABIOS, &rom, &len), 0);
    ck_assert_uint_ge(len, 0x1A);
    ck_assert_uint_eq(rom[0], 0x55);
    ck_assert_uint_eq(rom[1], 0xAA);
    /* The PCI data structure names the device the ROM drives. */
    uint32_t pcir = rom[0x18] | rom[0x19] << 8;
    ck_assert_uint_lt(pcir + 8, len);
    ck_assert_mem_eq(rom + pcir, "PCIR", 4);
    ck_assert_uint_eq(rom[pcir + 4] | rom[pcir + 5] << 8, VGA_PCI_VENDOR);
    ck_assert_uint_eq(rom[pcir + 6] | rom[pcir + 7] << 8, VGA_PCI_DEVICE);
    free(rom);
    ck_assert_int_eq(vga_read_rom("/nonexistent/vgabios.bin", &rom, &len), -ENOENT);
}
END_TEST

START_TEST(rom_font_renders_text)
{
    fixture *f = fx_new();
    uint8_t *rom = NULL;
    uint32_t len = 0;
    ck_assert_int_eq(vga_read_rom(VGABIOS, &rom, &len), 0);
    ck_assert_int_eq(vga_load_font_from_rom(&f->v, rom, len), 0);
    put_text(f, 0, 0, "AB", 0x07);
    vga_update(&f->v, 0);
    /* The glyph rows drawn are the ROM's: find 'A' as 16 rows in the ROM image. */
    uint8_t a[16];
    for (int y = 0; y < 16; y++) {
        a[y] = 0;
        for (int x = 0; x < 8; x++)
            if (px(f, x, y) == 0xAAAAAA)
                a[y] |= (uint8_t)(0x80 >> x);
    }
    int found = 0;
    for (uint32_t i = 0; i + 16 <= len; i++)
        found |= memcmp(rom + i, a, 16) == 0;
    ck_assert(found);
    int lit = 0; /* and it is not blank */
    for (int y = 0; y < 16; y++)
        lit += a[y] != 0;
    ck_assert_int_gt(lit, 5);
    uint8_t zeros[64] = {0};
    ck_assert_int_eq(vga_load_font_from_rom(&f->v, zeros, sizeof(zeros)), -ENOENT);
    free(rom);
    fx_free(f);
}
END_TEST

/* ---- state and hostile input ---- */

START_TEST(save_load_round_trip)
{
    fixture *f = fx_new();
    put_text(f, 0, 0, "saved", 0x07);
    outw(f->t, 0x3D4, 0x420E);
    dev_blob b;
    dev_blob_init(&b);
    ck_assert_int_eq(vga_save(&f->v, &b), 0);
    vga_reset(&f->v);
    memset(f->v.vram, 0, 1 << 20);
    dev_blob r;
    dev_blob_init_read(&r, b.data, b.len);
    ck_assert_int_eq(vga_load(&f->v, &r), 0);
    char *text = NULL;
    ck_assert_int_eq(vga_get_screen_text(&f->v, &text), 0);
    ck_assert(strncmp(text, "saved\n", 6) == 0);
    free(text);
    outb(f->t, 0x3D4, 0x0E);
    ck_assert_uint_eq(inb(f->t, 0x3D5), 0x42);
    /* A truncated blob is refused. */
    dev_blob_init_read(&r, b.data, b.len / 2);
    ck_assert_int_lt(vga_load(&f->v, &r), 0);
    dev_blob_free(&b);
    fx_free(f);
}
END_TEST

START_TEST(random_register_and_memory_writes_are_harmless)
{
    fixture *f = fx_new();
    map_lfb(f, 0xE0000000);
    uint32_t seed = 12345;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 8;
        switch (r & 7) {
        case 0:
        case 1: outb(f->t, (uint16_t)(0x3B0 + (r >> 3) % 0x30), (uint8_t)(r >> 12)); break;
        case 2: vbe(f, (uint16_t)((r >> 3) & 15), (uint16_t)(r >> 7)); break;
        case 3: physmap_write(f->pm, 0xA0000 + ((r >> 3) & 0x1FFFF), r >> 20, 1); break;
        case 4: physmap_read(f->pm, 0xA0000 + ((r >> 3) & 0x1FFFF), 2); break;
        case 5: inb(f->t, (uint16_t)(0x3B0 + (r >> 3) % 0x30)); break;
        default:
            if ((i & 1023) == 0)
                vga_update(&f->v, (uint64_t)i * 1000000);
            break;
        }
    }
    vga_update(&f->v, 0);
    char *text = NULL;
    int rc = vga_get_screen_text(&f->v, &text);
    ck_assert(rc == 0 || rc == -ENOTSUP);
    free(text);
    fx_free(f);
}
END_TEST

static Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("vga");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, registers_read_back);
    tcase_add_test(tc, register_indexes_bounded);
    tcase_add_test(tc, input_status_toggles_retrace);
    tcase_add_test(tc, text_mode_renders_font_and_colours);
    tcase_add_test(tc, text_mode_screen_text);
    tcase_add_test(tc, text_mode_scrolls_with_start_address);
    tcase_add_test(tc, text_scroll_redraws_only_changed_cells);
    tcase_add_test(tc, text_mode_cursor_and_damage);
    tcase_add_test(tc, planar_write_modes_and_read_mode_1);
    tcase_add_test(tc, mode13_renders_chain4);
    tcase_add_test(tc, planar16_renders_640x480);
    tcase_add_test(tc, vbe_id_caps_and_memory);
    tcase_add_test(tc, vbe_mode_set_and_lfb_writes);
    tcase_add_test(tc, vbe_16bpp_and_bank_window);
    tcase_add_test(tc, vbe_resolution_change_resizes);
    tcase_add_test(tc, vbe_rejects_modes_that_do_not_fit);
    tcase_add_test(tc, lfb_not_mapped_over_bios_while_sizing);
    tcase_add_test(tc, small_vram_refuses_modes_that_do_not_fit);
    tcase_add_test(tc, seabios_vga_rom_matches_the_device);
    tcase_add_test(tc, rom_font_renders_text);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, random_register_and_memory_writes_are_harmless);
    suite_add_tcase(s, tc);
    return s;
}

DEVTEST_MAIN(vga_suite)

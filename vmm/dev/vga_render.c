/* Rendering VGA text, planar 16-colour, 256-colour and VBE modes into the display surface,
 * redrawing only changed cells (text) or rows (graphics). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/dev/vga.h"
#include "vmm/display/text.h"

#define PAGE_BITS 12

static bool page_dirty(const vga *v, uint32_t off)
{
    uint32_t p = off >> PAGE_BITS;
    return v->dirty[p >> 3] & (1u << (p & 7));
}

static uint32_t dac_rgb(const vga *v, uint8_t index)
{
    const uint8_t *c = &v->palette[(index & v->pel_mask) * 3];
    if (v->vbe[VBE_INDEX_ENABLE] & VBE_8BIT_DAC)
        return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
    uint32_t r = (c[0] & 0x3F) << 2 | (c[0] & 0x3F) >> 4;
    uint32_t g = (c[1] & 0x3F) << 2 | (c[1] & 0x3F) >> 4;
    uint32_t b = (c[2] & 0x3F) << 2 | (c[2] & 0x3F) >> 4;
    return r << 16 | g << 8 | b;
}

/* Attribute-controller colour (0-15) to RGB, through the palette registers and colour
 * select (AR10 bit 7 chooses whether AR14 replaces bits 4-5 as well as 6-7). */
static uint32_t attr_rgb(const vga *v, uint8_t index)
{
    uint8_t pal = v->ar[index & 0x0F] & 0x3F;
    uint8_t dac;
    if (v->ar[0x10] & 0x80)
        dac = (uint8_t)(((v->ar[0x14] & 0x0F) << 4) | (pal & 0x0F));
    else
        dac = (uint8_t)(((v->ar[0x14] & 0x0C) << 4) | pal);
    return dac_rgb(v, dac);
}

static int crtc_shift(const vga *v)
{
    if (v->crtc[0x14] & 0x40)
        return 2;
    return (v->crtc[0x17] & 0x40) ? 0 : 1;
}

static void compute_mode(const vga *v, vga_mode *m)
{
    memset(m, 0, sizeof(*m));
    m->palette_gen = v->palette_gen;
    if (v->vbe[VBE_INDEX_ENABLE] & VBE_ENABLED) {
        m->kind = VGA_KIND_VBE;
        m->width = v->vbe[VBE_INDEX_XRES];
        m->height = v->vbe[VBE_INDEX_YRES];
        m->bpp = v->vbe[VBE_INDEX_BPP];
        unsigned bpp = (unsigned)(m->bpp + 7) / 8;
        m->pitch = (uint32_t)v->vbe[VBE_INDEX_VIRT_WIDTH] * bpp;
        m->start = v->vbe[VBE_INDEX_Y_OFFSET] * m->pitch + v->vbe[VBE_INDEX_X_OFFSET] * bpp;
        uint64_t end =
            (uint64_t)m->start + (uint64_t)(m->height - 1) * m->pitch + (uint64_t)m->width * bpp;
        if (m->width < 1 || m->height < 1 || m->width > DISPLAY_MAX_WIDTH ||
            m->height > DISPLAY_MAX_HEIGHT || end > v->vram_size)
            m->kind = VGA_KIND_BLANK;
        return;
    }
    if (!(v->ar_index & 0x20) || (v->seq[1] & 0x20)) {
        m->kind = VGA_KIND_BLANK;
        return;
    }
    int lines = (v->crtc[0x12] | (v->crtc[7] & 0x02) << 7 | (v->crtc[7] & 0x40) << 3) + 1;
    int scan = (v->crtc[9] & 0x1F) + 1;
    if (v->crtc[9] & 0x80)
        lines /= 2;
    m->start = (uint32_t)v->crtc[0x0C] << 8 | v->crtc[0x0D];
    m->pitch = (uint32_t)v->crtc[0x13] * 2;
    m->shift = crtc_shift(v);
    if (!(v->ar[0x10] & 0x01)) {
        m->kind = VGA_KIND_TEXT;
        m->font_select = v->seq[3];
        m->cursor_start = v->crtc[0x0A];
        m->cursor_end = v->crtc[0x0B];
        m->cw = (v->seq[1] & 0x01) ? 8 : 9;
        m->ch = scan;
        m->cols = v->crtc[1] + 1;
        m->rows = lines / scan;
        m->width = m->cols * m->cw;
        m->height = m->rows * m->ch;
    } else {
        m->kind = (v->gc[5] & 0x40) ? VGA_KIND_256 : VGA_KIND_PLANAR16;
        m->width = (v->crtc[1] + 1) * (m->kind == VGA_KIND_256 ? 4 : 8);
        m->height = lines / scan;
    }
    if (m->width < 1 || m->height < 1 || m->width > DISPLAY_MAX_WIDTH ||
        m->height > DISPLAY_MAX_HEIGHT)
        m->kind = VGA_KIND_BLANK;
}

/* ---- text ---- */

static uint32_t font_base(const vga *v, uint8_t attr)
{
    static const uint16_t map_offset[8] = {0x0000, 0x4000, 0x8000, 0xC000,
                                           0x2000, 0x6000, 0xA000, 0xE000};
    uint8_t s = v->seq[3];
    unsigned a = ((s >> 5) & 1) << 2 | ((s >> 2) & 3); /* attr bit 3 set */
    unsigned b = ((s >> 4) & 1) << 2 | (s & 3);        /* attr bit 3 clear */
    return map_offset[(attr & 0x08) ? a : b];
}

static void draw_cell(vga *v, const vga_mode *m, int col, int row, uint8_t c, uint8_t attr,
                      bool cursor, bool blink_off)
{
    bool blink = v->ar[0x10] & 0x08;
    uint32_t fg = attr_rgb(v, attr & 0x0F);
    uint32_t bg = attr_rgb(v, blink ? (attr >> 4) & 7 : attr >> 4);
    if (blink && (attr & 0x80) && blink_off)
        fg = bg;
    uint32_t glyph = font_base(v, attr) + (uint32_t)c * 32;
    bool dup9 = m->cw == 9 && (v->ar[0x10] & 0x04) && c >= 0xC0 && c <= 0xDF;
    int cur_start = v->crtc[0x0A] & 0x1F, cur_end = v->crtc[0x0B] & 0x1F;
    for (int y = 0; y < m->ch; y++) {
        uint8_t bits = y < 32 ? v->vram[((glyph + (uint32_t)y) & 0xFFFF) * 4 + 2] : 0;
        if (cursor && y >= cur_start && y <= cur_end)
            bits = 0xFF;
        uint32_t *px = display_surface_row(v->surface, row * m->ch + y) + col * m->cw;
        for (int x = 0; x < 8; x++)
            px[x] = (bits & (0x80 >> x)) ? fg : bg;
        if (m->cw == 9)
            px[8] = (dup9 && (bits & 1)) ? fg : bg;
    }
}

static void render_text(vga *v, const vga_mode *m, bool full, uint64_t now_ns)
{
    uint64_t frame = now_ns / 16666667; /* 60 Hz frames */
    bool cursor_on = (frame / 16) & 1, blink_off = (frame / 32) & 1;
    uint32_t cursor_addr = (uint32_t)v->crtc[0x0E] << 8 | v->crtc[0x0F];
    bool cursor_enabled = !(v->crtc[0x0A] & 0x20);
    if (full || v->font_dirty)
        memset(v->cells, 0xFF, sizeof(v->cells[0]) * v->ncells);
    for (int r = 0; r < m->rows; r++) {
        for (int c = 0; c < m->cols; c++) {
            uint32_t counter = m->start + (uint32_t)r * m->pitch + (uint32_t)c;
            uint32_t off = ((counter << m->shift) & 0xFFFF) * 4;
            uint8_t ch = v->vram[off], attr = v->vram[off + 1];
            bool cur = cursor_enabled && cursor_on && (counter & 0xFFFF) == cursor_addr;
            bool boff = blink_off && (attr & 0x80) && (v->ar[0x10] & 0x08);
            uint32_t key = ch | (uint32_t)attr << 8 | (uint32_t)cur << 16 | (uint32_t)boff << 17;
            uint32_t i = (uint32_t)r * (uint32_t)m->cols + (uint32_t)c;
            if (v->cells[i] == key)
                continue;
            v->cells[i] = key;
            draw_cell(v, m, c, r, ch, attr, cur, boff);
            display_surface_mark_dirty(v->surface, c * m->cw, r * m->ch, m->cw, m->ch);
        }
    }
    v->font_dirty = false;
}

/* ---- graphics ---- */

static bool legacy_row_dirty(const vga *v, const vga_mode *m, uint32_t base, int groups)
{
    for (int g = 0; g < groups; g++) {
        uint32_t off = (((base + (uint32_t)g) << m->shift) & 0xFFFF) * 4;
        if (page_dirty(v, off))
            return true;
    }
    return false;
}

static void render_legacy_row(vga *v, const vga_mode *m, uint32_t base, uint32_t *px)
{
    int groups = m->kind == VGA_KIND_256 ? m->width / 4 : m->width / 8;
    for (int g = 0; g < groups; g++) {
        const uint8_t *p = &v->vram[(((base + (uint32_t)g) << m->shift) & 0xFFFF) * 4];
        if (m->kind == VGA_KIND_256) {
            for (int i = 0; i < 4; i++)
                *px++ = dac_rgb(v, p[i]);
            continue;
        }
        uint8_t enable = v->ar[0x12] & 0x0F;
        for (int bit = 7; bit >= 0; bit--) {
            uint8_t idx = (uint8_t)(((p[0] >> bit) & 1) | ((p[1] >> bit) & 1) << 1 |
                                    ((p[2] >> bit) & 1) << 2 | ((p[3] >> bit) & 1) << 3);
            *px++ = attr_rgb(v, idx & enable);
        }
    }
}

static uint32_t vbe_pixel(const vga *v, const uint8_t *s, int bpp)
{
    switch (bpp) {
    case 8: return dac_rgb(v, s[0]);
    case 15: {
        uint16_t w = (uint16_t)(s[0] | s[1] << 8);
        uint32_t r = (w >> 10) & 31, g = (w >> 5) & 31, b = w & 31;
        return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
    }
    case 16: {
        uint16_t w = (uint16_t)(s[0] | s[1] << 8);
        uint32_t r = (w >> 11) & 31, g = (w >> 5) & 63, b = w & 31;
        return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
    }
    case 24: return (uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0];
    default: return ((uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0]);
    }
}

static void render_vbe_row(vga *v, const vga_mode *m, uint32_t off, uint32_t *px)
{
    const uint8_t *s = v->vram + off;
    if (m->bpp == 32) {
        for (int x = 0; x < m->width; x++, s += 4)
            px[x] = (uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0];
        return;
    }
    int bpp = (m->bpp + 7) / 8;
    for (int x = 0; x < m->width; x++, s += bpp)
        px[x] = vbe_pixel(v, s, m->bpp);
}

/* The LFB is plain RAM to the guest: find changed pages by comparison with the shadow. */
static void vbe_scan_pages(vga *v, const vga_mode *m)
{
    uint64_t end = (uint64_t)m->start + (uint64_t)m->height * m->pitch;
    if (end > v->vram_size)
        end = v->vram_size;
    for (uint32_t p = m->start & ~0xFFFu; p < end; p += 4096) {
        if (memcmp(v->vram + p, v->shadow + p, 4096) == 0)
            continue;
        memcpy(v->shadow + p, v->vram + p, 4096);
        v->dirty[p >> 15] |= (uint8_t)(1u << ((p >> 12) & 7));
    }
}

static bool vbe_row_dirty(const vga *v, uint32_t off, uint32_t len)
{
    for (uint32_t p = off & ~0xFFFu; p < off + len; p += 4096)
        if (page_dirty(v, p))
            return true;
    return false;
}

static void render_graphics(vga *v, const vga_mode *m, bool full)
{
    if (m->kind == VGA_KIND_VBE)
        vbe_scan_pages(v, m);
    int scan = (v->crtc[9] & 0x1F) + 1, run_start = -1;
    int groups = m->kind == VGA_KIND_256 ? m->width / 4 : m->width / 8;
    uint32_t row_bytes = (uint32_t)m->width * (uint32_t)((m->bpp + 7) / 8);
    for (int y = 0; y <= m->height; y++) {
        bool dirty = false;
        if (y < m->height) {
            uint32_t *px = display_surface_row(v->surface, y);
            if (m->kind == VGA_KIND_VBE) {
                uint32_t off = m->start + (uint32_t)y * m->pitch;
                dirty = full || vbe_row_dirty(v, off, row_bytes);
                if (dirty)
                    render_vbe_row(v, m, off, px);
            } else {
                (void)scan;
                uint32_t base = m->start + (uint32_t)y * m->pitch;
                dirty = full || legacy_row_dirty(v, m, base, groups);
                if (dirty)
                    render_legacy_row(v, m, base, px);
            }
        }
        if (dirty && run_start < 0)
            run_start = y;
        if (!dirty && run_start >= 0) {
            display_surface_mark_dirty(v->surface, 0, run_start, m->width, y - run_start);
            run_start = -1;
        }
    }
}

static void render_blank(vga *v, const vga_mode *m)
{
    int w, h;
    display_surface_geometry(v->surface, &w, &h, NULL, NULL);
    for (int y = 0; y < h; y++)
        memset(display_surface_row(v->surface, y), 0, (size_t)w * 4);
    display_surface_mark_dirty(v->surface, 0, 0, w, h);
    (void)m;
}

static int ensure_cells(vga *v, const vga_mode *m)
{
    uint32_t n = (uint32_t)m->cols * (uint32_t)m->rows;
    if (n <= v->ncells)
        return 0;
    uint32_t *c = realloc(v->cells, sizeof(*c) * n);
    if (!c)
        return -ENOMEM;
    v->cells = c;
    v->ncells = n;
    return 0;
}

void vga_update(vga *v, uint64_t now_ns)
{
    vga_mode m;
    compute_mode(v, &m);
    /* Text cells are cached by screen position and content, so a new start address (vgacon
     * scrolls with it) redraws only the cells whose content moved under them. */
    vga_mode cmp = v->mode;
    if (m.kind == VGA_KIND_TEXT)
        cmp.start = m.start;
    bool full = v->full_redraw || memcmp(&m, &cmp, sizeof(m)) != 0;
    if (full && m.kind != VGA_KIND_BLANK)
        display_surface_resize(v->surface, m.width, m.height);
    if (m.kind == VGA_KIND_TEXT && ensure_cells(v, &m) < 0)
        m.kind = VGA_KIND_BLANK;
    switch (m.kind) {
    case VGA_KIND_TEXT: render_text(v, &m, full, now_ns); break;
    case VGA_KIND_BLANK:
        if (full)
            render_blank(v, &m);
        break;
    default: render_graphics(v, &m, full); break;
    }
    memset(v->dirty, 0, (v->vram_size >> 15) + 1);
    v->mode = m;
    v->full_redraw = false;
    display_surface_flush(v->surface);
}

int vga_get_screen_text(vga *v, char **ret_text)
{
    vga_mode m;
    compute_mode(v, &m);
    if (m.kind != VGA_KIND_TEXT)
        return -ENOTSUP;
    uint8_t *chars = malloc((size_t)m.cols * (size_t)m.rows);
    if (!chars)
        return -ENOMEM;
    for (int r = 0; r < m.rows; r++) {
        for (int c = 0; c < m.cols; c++) {
            uint32_t counter = m.start + (uint32_t)r * m.pitch + (uint32_t)c;
            chars[r * m.cols + c] = v->vram[((counter << m.shift) & 0xFFFF) * 4];
        }
    }
    int ret = display_text_from_cells(chars, m.cols, m.rows, m.cols, ret_text);
    free(chars);
    return ret;
}

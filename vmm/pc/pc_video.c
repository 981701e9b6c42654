/* The machine's display: the PCI VGA, its BIOS (SeaBIOS boot) or font (direct boot), the
 * screen refresh timer, and the PS/2 input that a display frontend feeds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/pc/pc_int.h"

#define VGA_DEVFN      PCI_DEVFN(2, 0)
#define VGA_REFRESH_NS (1000000000u / 30u) /* 30 Hz: enough for a console, cheap when idle */

static void refresh(void *opaque)
{
    pc *m = opaque;
    uint64_t now = vclock_now(m->clock);
    vga_update(&m->vga, now);
    vtimer_mod(&m->vga_timer, now + VGA_REFRESH_NS);
}

int pc_video_init(pc *m, char *err, size_t err_size)
{
    m->surface = display_surface_new();
    if (!m->surface) {
        pc_set_err(err, err_size, "cannot create the display surface");
        return -ENOMEM;
    }
    int r = vga_init(&m->vga, &m->env, &m->pci, VGA_DEVFN, m->pm, m->surface, 0);
    if (r < 0) {
        pc_set_err(err, err_size, "cannot set up the VGA: %s", strerror(-r));
        return r;
    }
    m->vga_up = true;
    const char *path = m->cfg.vga_rom ? m->cfg.vga_rom : PC_VGA_ROM_DEFAULT;
    r = vga_read_rom(path, &m->vga_rom, &m->vga_rom_len);
    if (r < 0) {
        /* Not fatal: the screen still works; only the BIOS's VGA modes (BIOS boot) or the
         * text font (direct boot) are missing. */
        pc_log(m, "vireo: no VGA BIOS at %s (%s): the screen may stay blank\n", path, strerror(-r));
        m->vga_rom = NULL;
        m->vga_rom_len = 0;
    } else if (m->images.bios) {
        r = fw_cfg_add_file(&m->fw_cfg, VGA_ROM_FW_CFG_NAME, m->vga_rom, m->vga_rom_len);
        if (r < 0) {
            pc_set_err(err, err_size, "cannot pass the VGA BIOS to the firmware: %s", strerror(-r));
            return r;
        }
    }
    vtimer_init(&m->vga_timer, m->clock, refresh, m);
    vtimer_mod(&m->vga_timer, vclock_now(m->clock) + VGA_REFRESH_NS);
    return 0;
}

void pc_video_boot(pc *m)
{
    /* Direct boot runs no BIOS mode set: put the BIOS font in place for the text console. */
    if (m->vga_up && m->vga_rom && !m->images.bios &&
        vga_load_font_from_rom(&m->vga, m->vga_rom, m->vga_rom_len) < 0)
        pc_log(m, "vireo: the VGA BIOS holds no 8x16 font: text mode shows no characters\n");
}

void pc_video_fini(pc *m)
{
    if (m->vga_up) {
        vtimer_del(&m->vga_timer);
        vga_fini(&m->vga, &m->env);
        m->vga_up = false;
    }
    free(m->vga_rom);
    m->vga_rom = NULL;
    display_surface_free(m->surface);
    m->surface = NULL;
}

display_surface *pc_display(pc *m)
{
    return m->surface;
}

int pc_screen_text(pc *m, char **ret_text)
{
    if (!m->vga_up)
        return -ENODEV;
    return vga_get_screen_text(&m->vga, ret_text);
}

void pc_put_scancode(void *opaque, uint8_t set2_code)
{
    pc *m = opaque;
    i8042_put_scancode(&m->kbc, set2_code);
}

void pc_mouse_event(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
    pc *m = opaque;
    i8042_mouse_event(&m->kbc, dx, dy, dz, buttons);
}

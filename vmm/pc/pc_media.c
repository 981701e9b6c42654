/* The machine's disks: the PIIX3 IDE controller with a hard disk (primary master) and a
 * CD-ROM drive (secondary master), and the BIOS boot order over them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/pc/pc_int.h"

#define IDE_IRQ_PRIMARY   14
#define IDE_IRQ_SECONDARY 15

/* SeaBIOS's names for the drives (OpenFirmware paths; it matches "ide" against its own
 * device glob): IDE function 00:01.1, channel 0/1, unit 0. */
#define BOOT_PATH_DISK  "/pci@i0cf8/ide@1,1/drive@0/disk@0"
#define BOOT_PATH_CDROM "/pci@i0cf8/ide@1,1/drive@1/disk@0"

int pc_boot_order_check(const char *order, char *err, size_t err_size)
{
    size_t n = strlen(order);
    if (n == 0 || n > 3) {
        pc_set_err(err, err_size, "boot order '%s': one to three of the letters c, d, n", order);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strchr("cdn", order[i]) || strchr(order + i + 1, order[i])) {
            pc_set_err(err, err_size,
                       "boot order '%s': letters c (disk), d (CD-ROM), n (network), each once",
                       order);
            return -EINVAL;
        }
    }
    return 0;
}

static int open_image(pc *m, const char *what, const char *path, img_format fmt, unsigned flags,
                      img **ret, char *err, size_t err_size)
{
    img_err why = {{0}};
    int r = img_open(path, fmt, flags, NULL, ret, &why);
    if (r < 0)
        pc_set_err(err, err_size, "%s '%s': %s", what, path, why.msg[0] ? why.msg : strerror(-r));
    return r;
}

/* The fw_cfg "bootorder" file for the --boot letters; devices not named come after. */
static int set_boot_order(pc *m, const char *order)
{
    char text[256] = "";
    for (const char *p = order; *p; p++) {
        const char *path = *p == 'c' && m->hda ? BOOT_PATH_DISK
                           : *p == 'd'         ? BOOT_PATH_CDROM
                                               : NULL;
        if (path) {
            if (text[0])
                strcat(text, "\n"); /* one path a line */
            strcat(text, path);
        }
        if (*p == 'n')
            pc_log(m, "vireo: boot order 'n': the machine has no network card yet\n");
    }
    int r = fw_cfg_add_i16(&m->fw_cfg, FW_CFG_BOOT_DEVICE, (uint16_t)order[0]);
    if (r == 0 && text[0])
        r = fw_cfg_add_file(&m->fw_cfg, "bootorder", text, (uint32_t)strlen(text) + 1);
    return r;
}

int pc_media_init(pc *m, char *err, size_t err_size)
{
    const char *order = m->cfg.boot_order ? m->cfg.boot_order : "cd";
    int r = pc_boot_order_check(order, err, err_size);
    if (r < 0)
        return r;
    if (m->cfg.hda)
        r = open_image(m, "hard disk", m->cfg.hda, IMG_FORMAT_AUTO, IMG_OPEN_RDWR, &m->hda, err,
                       err_size);
    if (r == 0 && m->cfg.cdrom)
        r = open_image(m, "CD-ROM image", m->cfg.cdrom, IMG_FORMAT_ISO, 0, &m->cdrom, err,
                       err_size);
    if (r < 0)
        return r;
    irq_line irq[2] = {pic_irq_line(&m->pic, IDE_IRQ_PRIMARY),
                       pic_irq_line(&m->pic, IDE_IRQ_SECONDARY)};
    r = ide_init(&m->ide, &m->pci, &m->env, m->pm, irq);
    if (r < 0) {
        pc_set_err(err, err_size, "cannot set up the IDE controller: %s", strerror(-r));
        return r;
    }
    m->ide_up = true;
    if (m->hda)
        r = ide_attach(&m->ide, 0, 0, m->hda, IDE_DISK);
    if (r == 0)
        r = ide_attach(&m->ide, 1, 0, m->cdrom, IDE_CDROM);
    if (r == 0 && m->images.bios)
        r = set_boot_order(m, order);
    if (r < 0)
        pc_set_err(err, err_size, "cannot attach the drives: %s", strerror(-r));
    return r;
}

void pc_media_fini(pc *m)
{
    if (m->ide_up)
        ide_fini(&m->ide, &m->pci, &m->env);
    m->ide_up = false;
    if (m->hda)
        img_close(m->hda);
    if (m->cdrom)
        img_close(m->cdrom);
    m->hda = m->cdrom = NULL;
}

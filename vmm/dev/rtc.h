/* The MC146818 real-time clock and its CMOS RAM at ports 0x70 (index, bit 7 masks NMI) and
 * 0x71 (data), interrupting on IRQ 8.
 *
 * The clock starts from the host's wall-clock time (UTC) and then advances with guest time,
 * so a paused machine's clock stands still. Registers 0x00-0x09 and the century byte 0x32
 * are computed from it on each read, in BCD or binary and 12- or 24-hour form per register
 * B. The machine fills the memory-size and equipment bytes with the setters below. */
#ifndef VIREO_VMM_DEV_RTC_H
#define VIREO_VMM_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/dev/devreg.h"
#include "vmm/dev/irq.h"

/* CMOS byte indexes the machine (and SeaBIOS) use. */
enum {
    RTC_REG_A = 0x0A,
    RTC_REG_B = 0x0B,
    RTC_REG_C = 0x0C,
    RTC_REG_D = 0x0D,
    RTC_CMOS_EQUIPMENT = 0x14,
    RTC_CMOS_BASE_LO = 0x15,     /* base memory in KiB */
    RTC_CMOS_EXT_LO = 0x17,      /* memory above 1 MiB in KiB, up to 65535 */
    RTC_CMOS_CHECKSUM_HI = 0x2E, /* sum of 0x10-0x2D, big-endian */
    RTC_CMOS_EXT2_LO = 0x30,     /* copy of 0x17/0x18 */
    RTC_CMOS_CENTURY = 0x32,
    RTC_CMOS_MEM16M_LO = 0x34, /* memory above 16 MiB in 64 KiB blocks */
    RTC_CMOS_MEM4G_LO = 0x5B,  /* memory above 4 GiB in 64 KiB blocks, 3 bytes */
    RTC_CMOS_SMP_COUNT = 0x5F, /* SeaBIOS: number of CPUs - 1 */
};

typedef struct rtc {
    uint8_t cmos[128];    /* RAM; 0x00-0x09 and 0x32 hold the time only while SET */
    uint8_t index;        /* selected register, 0-127 */
    bool nmi_masked;      /* port 0x70 bit 7 */
    int64_t base_sec;     /* guest wall-clock seconds (Unix time) at base_ns */
    int64_t base_ns;      /* guest ns at which base_sec began */
    int64_t last_sec;     /* last second whose update cycle was processed */
    uint64_t last_period; /* index of the last periodic-interrupt period processed */
    bool irq_level;
    vtimer second_timer;   /* update-ended and alarm interrupts */
    vtimer periodic_timer; /* periodic interrupt */
    vclock *clock;
    irq_line irq;
} rtc;

/* Registers ports 0x70-0x71 and sets the clock from the host's realtime clock.
 * Returns 0 or -errno. */
int rtc_init(rtc *s, const dev_env *env, irq_line irq8);
void rtc_fini(rtc *s, const dev_env *env);
/* Chip reset: clears the interrupt enables and flags; CMOS RAM and time survive. */
void rtc_reset(rtc *s);

/* Set the clock to `unix_sec` (UTC) now. */
void rtc_set_time(rtc *s, int64_t unix_sec);
/* The clock's current time in Unix seconds. */
int64_t rtc_get_time(rtc *s);

/* Raw CMOS RAM access for the machine; idx is masked to 0-127. */
void rtc_cmos_set(rtc *s, unsigned idx, uint8_t value);
uint8_t rtc_cmos_get(const rtc *s, unsigned idx);
/* Fill the memory-size bytes: 640 KiB base, RAM below 4 GiB, RAM above 4 GiB. Updates the
 * checksum. */
void rtc_set_memory(rtc *s, uint64_t below_4g, uint64_t above_4g);
void rtc_set_equipment(rtc *s, uint8_t equipment);
/* Recompute the standard checksum at 0x2E/0x2F over 0x10-0x2D. */
void rtc_update_checksum(rtc *s);

int rtc_save(const rtc *s, dev_blob *b);
int rtc_load(rtc *s, dev_blob *b);

#endif

/* MC146818 RTC and CMOS RAM.
 *
 * Time model: the clock reads base_sec + whole seconds elapsed since base_ns (guest time),
 * so second boundaries stay in phase with the host's at start. While register B's SET bit
 * is set the time is frozen in cmos[0x00-0x09, 0x32], where the guest edits it; clearing
 * SET decodes those bytes into a new base. Interrupt flags are brought up to date lazily
 * (rtc_catch_up) on every register C read and every timer; timers run only while the
 * matching interrupt is enabled. */
#include "vmm/dev/rtc.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "kernel/clock.h"

#define NS_PER_SEC 1000000000ll

#define REG_A_UIP  0x80
#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_DM   0x04 /* binary (not BCD) */
#define REG_B_24H  0x02
#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10
#define UIP_NS     244000 /* the update cycle begins this long before each second */

static int64_t rtc_now(rtc *s)
{
    return (int64_t)vclock_now(s->clock);
}

static bool rtc_set_mode(const rtc *s)
{
    return s->cmos[RTC_REG_B] & REG_B_SET;
}

static int64_t rtc_current_sec(rtc *s)
{
    int64_t d = rtc_now(s) - s->base_ns;
    if (rtc_set_mode(s) || d < 0)
        return s->base_sec;
    return s->base_sec + d / NS_PER_SEC;
}

int64_t rtc_get_time(rtc *s)
{
    return rtc_current_sec(s);
}

void rtc_set_time(rtc *s, int64_t unix_sec)
{
    s->base_sec = unix_sec;
    s->base_ns = rtc_now(s);
    s->last_sec = unix_sec;
}

/* Seconds since 1970 of 0000-01-01 and of 9999-12-31 23:59:59 (proleptic Gregorian). */
#define RTC_MIN_SEC (-62167219200LL)
#define RTC_MAX_SEC 253402300799LL

static uint8_t rtc_enc(const rtc *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return (uint8_t)v;
    return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

static int rtc_dec(const rtc *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return v;
    return (v >> 4) * 10 + (v & 0xF);
}

static uint8_t rtc_enc_hour(const rtc *s, int h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_enc(s, h);
    int h12 = h % 12 ? h % 12 : 12;
    return rtc_enc(s, h12) | (h >= 12 ? 0x80 : 0);
}

static int rtc_dec_hour(const rtc *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_dec(s, v);
    return rtc_dec(s, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

/* Write the time `sec` into the time registers of buf (a 128-byte register image). */
static void rtc_encode(const rtc *s, int64_t sec, uint8_t *buf)
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof(tm));
    int year = tm.tm_year + 1900;
    buf[0x00] = rtc_enc(s, tm.tm_sec);
    buf[0x02] = rtc_enc(s, tm.tm_min);
    buf[0x04] = rtc_enc_hour(s, tm.tm_hour);
    buf[0x06] = rtc_enc(s, tm.tm_wday + 1);
    buf[0x07] = rtc_enc(s, tm.tm_mday);
    buf[0x08] = rtc_enc(s, tm.tm_mon + 1);
    buf[0x09] = rtc_enc(s, year % 100);
    buf[RTC_CMOS_CENTURY] = rtc_enc(s, year / 100);
}

/* The time held in cmos[] (any garbage the guest wrote is normalized by timegm). */
static int64_t rtc_decode(const rtc *s)
{
    struct tm tm = {0};
    int year = rtc_dec(s, s->cmos[RTC_CMOS_CENTURY]) * 100 + rtc_dec(s, s->cmos[0x09]);
    if (year < 1970)
        year = 1970;
    if (year > 9999)
        year = 9999;
    tm.tm_sec = rtc_dec(s, s->cmos[0x00]);
    tm.tm_min = rtc_dec(s, s->cmos[0x02]);
    tm.tm_hour = rtc_dec_hour(s, s->cmos[0x04]);
    tm.tm_mday = rtc_dec(s, s->cmos[0x07]);
    tm.tm_mon = rtc_dec(s, s->cmos[0x08]) - 1;
    tm.tm_year = year - 1900;
    return (int64_t)timegm(&tm);
}

/* 32.768 kHz divider taps: period of rate select rs in units of 1/32768 s is 1 << shift. */
static int rtc_period_shift(const rtc *s)
{
    int rs = s->cmos[RTC_REG_A] & 0x0F;
    if (rs == 0)
        return -1;
    return rs < 3 ? rs + 6 : rs - 1;
}

static uint64_t rtc_period_index(int64_t ns, int shift)
{
    if (ns < 0)
        return 0;
    return (uint64_t)(((unsigned __int128)ns * 32768) / ((unsigned __int128)NS_PER_SEC << shift));
}

static uint64_t rtc_period_start_ns(uint64_t index, int shift)
{
    unsigned __int128 num = (unsigned __int128)index * ((unsigned __int128)NS_PER_SEC << shift);
    return (uint64_t)((num + 32767) / 32768);
}

static bool rtc_alarm_matches(rtc *s, int64_t sec)
{
    uint8_t now[128];
    rtc_encode(s, sec, now);
    for (int i = 0; i < 6; i += 2) {
        uint8_t alarm = s->cmos[i + 1];
        if ((alarm & 0xC0) != 0xC0 && alarm != now[i])
            return false;
    }
    return true;
}

/* Bring the UF, AF and PF flags up to the present. */
static void rtc_catch_up(rtc *s)
{
    int64_t now = rtc_now(s);
    bool dividing = (s->cmos[RTC_REG_A] & 0x70) == 0x20;
    if (!rtc_set_mode(s) && dividing) {
        int64_t sec = rtc_current_sec(s);
        if (sec > s->last_sec) {
            s->cmos[RTC_REG_C] |= REG_C_UF;
            if (rtc_alarm_matches(s, sec))
                s->cmos[RTC_REG_C] |= REG_C_AF;
            s->last_sec = sec;
        }
    }
    int shift = rtc_period_shift(s);
    if (shift >= 0 && dividing) {
        uint64_t idx = rtc_period_index(now, shift);
        if (idx > s->last_period) {
            s->cmos[RTC_REG_C] |= REG_C_PF;
            s->last_period = idx;
        }
    }
}

static void rtc_update_irq(rtc *s)
{
    uint8_t flags = s->cmos[RTC_REG_C] & 0x70;
    bool irqf = flags & s->cmos[RTC_REG_B] & 0x70;
    s->cmos[RTC_REG_C] = flags | (irqf ? REG_C_IRQF : 0);
    if (irqf != s->irq_level) {
        s->irq_level = irqf;
        irq_line_set(&s->irq, irqf);
    }
}

static void rtc_arm(rtc *s)
{
    uint8_t b = s->cmos[RTC_REG_B];
    vtimer_del(&s->second_timer);
    vtimer_del(&s->periodic_timer);
    if ((b & (REG_B_UIE | REG_B_AIE)) && !(b & REG_B_SET)) {
        int64_t next = s->base_ns + (rtc_current_sec(s) - s->base_sec + 1) * NS_PER_SEC;
        vtimer_mod(&s->second_timer, next > 0 ? (uint64_t)next : 0);
    }
    int shift = rtc_period_shift(s);
    if ((b & REG_B_PIE) && shift >= 0) {
        uint64_t idx = rtc_period_index(rtc_now(s), shift);
        vtimer_mod(&s->periodic_timer, rtc_period_start_ns(idx + 1, shift));
    }
}

static void rtc_timer_cb(void *opaque)
{
    rtc *s = opaque;
    rtc_catch_up(s);
    rtc_update_irq(s);
    rtc_arm(s);
}

static void rtc_write_b(rtc *s, uint8_t v)
{
    uint8_t old = s->cmos[RTC_REG_B];
    rtc_catch_up(s);
    if (v & REG_B_SET)
        v &= ~REG_B_UIE; /* setting SET clears UIE */
    if (!(old & REG_B_SET) && (v & REG_B_SET)) {
        s->base_sec = rtc_current_sec(s);
        s->cmos[RTC_REG_B] = v;
        rtc_encode(s, s->base_sec, s->cmos);
    } else if ((old & REG_B_SET) && !(v & REG_B_SET)) {
        rtc_set_time(s, rtc_decode(s)); /* the first update comes one second later */
        s->cmos[RTC_REG_B] = v;
    } else {
        s->cmos[RTC_REG_B] = v;
    }
    rtc_update_irq(s);
    rtc_arm(s);
}

static bool rtc_is_time_reg(unsigned idx)
{
    return (idx <= 0x09 && idx != 0x01 && idx != 0x03 && idx != 0x05) || idx == RTC_CMOS_CENTURY;
}

static void rtc_write_time_reg(rtc *s, unsigned idx, uint8_t v)
{
    if (rtc_set_mode(s)) {
        s->cmos[idx] = v;
        return;
    }
    int64_t cur = rtc_current_sec(s);
    rtc_encode(s, cur, s->cmos);
    s->cmos[idx] = v;
    s->base_sec += rtc_decode(s) - cur; /* keep the phase of the seconds */
    s->last_sec = rtc_current_sec(s);
}

static void rtc_write_reg(rtc *s, unsigned idx, uint8_t v)
{
    switch (idx) {
    case RTC_REG_A:
        rtc_catch_up(s);
        s->cmos[RTC_REG_A] = v & 0x7F;
        if (rtc_period_shift(s) >= 0) /* periods are counted in the new rate from here */
            s->last_period = rtc_period_index(rtc_now(s), rtc_period_shift(s));
        rtc_arm(s);
        break;
    case RTC_REG_B: rtc_write_b(s, v); break;
    case RTC_REG_C:
    case RTC_REG_D: break; /* read-only */
    default:
        if (rtc_is_time_reg(idx))
            rtc_write_time_reg(s, idx, v);
        else
            s->cmos[idx] = v;
        break;
    }
}

static uint8_t rtc_read_a(rtc *s)
{
    uint8_t a = s->cmos[RTC_REG_A];
    int64_t d = rtc_now(s) - s->base_ns;
    bool uip =
        !rtc_set_mode(s) && (a & 0x70) == 0x20 && d >= 0 && d % NS_PER_SEC >= NS_PER_SEC - UIP_NS;
    return (a & 0x7F) | (uip ? REG_A_UIP : 0);
}

static uint8_t rtc_read_reg(rtc *s, unsigned idx)
{
    uint8_t v, now[128];
    switch (idx) {
    case RTC_REG_A: return rtc_read_a(s);
    case RTC_REG_C:
        rtc_catch_up(s);
        rtc_update_irq(s);
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0; /* reading C acknowledges every flag */
        rtc_update_irq(s);
        return v;
    case RTC_REG_D: return 0x80; /* valid RAM and time */
    default:
        if (rtc_is_time_reg(idx) && !rtc_set_mode(s)) {
            rtc_encode(s, rtc_current_sec(s), now);
            return now[idx];
        }
        return s->cmos[idx];
    }
}

static uint32_t rtc_port_read(void *opaque, uint16_t port, unsigned size)
{
    rtc *s = opaque;
    if (port == 0x70)
        return 0xFF; /* the index register is write-only */
    return rtc_read_reg(s, s->index);
}

static void rtc_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    rtc *s = opaque;
    if (port == 0x70) {
        s->index = value & 0x7F;
        s->nmi_masked = value & 0x80;
    } else {
        rtc_write_reg(s, s->index, (uint8_t)value);
    }
}

void rtc_cmos_set(rtc *s, unsigned idx, uint8_t value)
{
    s->cmos[idx & 0x7F] = value;
}

uint8_t rtc_cmos_get(const rtc *s, unsigned idx)
{
    return s->cmos[idx & 0x7F];
}

void rtc_update_checksum(rtc *s)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += s->cmos[i];
    s->cmos[RTC_CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
    s->cmos[RTC_CMOS_CHECKSUM_HI + 1] = (uint8_t)sum;
}

static void rtc_put16(rtc *s, unsigned idx, uint64_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    s->cmos[idx] = (uint8_t)v;
    s->cmos[idx + 1] = (uint8_t)(v >> 8);
}

void rtc_set_memory(rtc *s, uint64_t below_4g, uint64_t above_4g)
{
    const uint64_t mib = 1024 * 1024;
    rtc_put16(s, RTC_CMOS_BASE_LO, 640);
    uint64_t ext_kib = below_4g > mib ? (below_4g - mib) / 1024 : 0;
    rtc_put16(s, RTC_CMOS_EXT_LO, ext_kib);
    rtc_put16(s, RTC_CMOS_EXT2_LO, ext_kib);
    rtc_put16(s, RTC_CMOS_MEM16M_LO, below_4g > 16 * mib ? (below_4g - 16 * mib) / 65536 : 0);
    uint64_t hi = above_4g / 65536;
    if (hi > 0xFFFFFF)
        hi = 0xFFFFFF;
    s->cmos[RTC_CMOS_MEM4G_LO] = (uint8_t)hi;
    s->cmos[RTC_CMOS_MEM4G_LO + 1] = (uint8_t)(hi >> 8);
    s->cmos[RTC_CMOS_MEM4G_LO + 2] = (uint8_t)(hi >> 16);
    rtc_update_checksum(s);
}

void rtc_set_equipment(rtc *s, uint8_t equipment)
{
    s->cmos[RTC_CMOS_EQUIPMENT] = equipment;
    rtc_update_checksum(s);
}

void rtc_reset(rtc *s)
{
    s->cmos[RTC_REG_B] &= (uint8_t) ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | 0x08);
    s->cmos[RTC_REG_C] = 0;
    rtc_update_irq(s);
    rtc_arm(s);
}

static void rtc_reset_cb(void *opaque)
{
    rtc_reset(opaque);
}

int rtc_save(const rtc *s, dev_blob *b)
{
    dev_put_header(b, "RTC ", 1);
    dev_put_bytes(b, s->cmos, sizeof(s->cmos));
    dev_put_u8(b, s->index);
    dev_put_bool(b, s->nmi_masked);
    dev_put_u64(b, (uint64_t)s->base_sec);
    dev_put_u64(b, (uint64_t)s->base_ns);
    dev_put_u64(b, (uint64_t)s->last_sec);
    dev_put_u64(b, s->last_period);
    dev_put_bool(b, s->irq_level);
    return b->error;
}

int rtc_load(rtc *s, dev_blob *b)
{
    rtc tmp = *s;
    if (dev_get_header(b, "RTC ", 1) < 0)
        return -EINVAL;
    dev_get_bytes(b, tmp.cmos, sizeof(tmp.cmos));
    tmp.index = dev_get_u8(b) & 0x7F;
    tmp.nmi_masked = dev_get_bool(b);
    tmp.base_sec = (int64_t)dev_get_u64(b);
    tmp.base_ns = (int64_t)dev_get_u64(b);
    tmp.last_sec = (int64_t)dev_get_u64(b);
    tmp.last_period = dev_get_u64(b);
    tmp.irq_level = dev_get_bool(b);
    if (b->error)
        return -EINVAL;
    /* The clock encodes years 0..9999 only: a state from elsewhere must not make it
     * shift negative digits. */
    if (tmp.base_sec < RTC_MIN_SEC || tmp.base_sec > RTC_MAX_SEC || tmp.last_sec < RTC_MIN_SEC ||
        tmp.last_sec > RTC_MAX_SEC)
        return -EINVAL;
    memcpy(s->cmos, tmp.cmos, sizeof(s->cmos));
    s->index = tmp.index;
    s->nmi_masked = tmp.nmi_masked;
    s->base_sec = tmp.base_sec;
    s->base_ns = tmp.base_ns;
    s->last_sec = tmp.last_sec;
    s->last_period = tmp.last_period;
    s->irq_level = tmp.irq_level;
    irq_line_set(&s->irq, s->irq_level);
    rtc_arm(s);
    return 0;
}

static int rtc_save_cb(void *opaque, dev_blob *b)
{
    return rtc_save(opaque, b);
}

static int rtc_load_cb(void *opaque, dev_blob *b)
{
    return rtc_load(opaque, b);
}

static const dev_ops rtc_ops = {"rtc", rtc_reset_cb, rtc_save_cb, rtc_load_cb};

static const dev_port_range rtc_ports[] = {{0x70, 2, rtc_port_read, rtc_port_write}};

int rtc_init(rtc *s, const dev_env *env, irq_line irq8)
{
    memset(s, 0, sizeof(*s));
    s->clock = env->clock;
    s->irq = irq8;
    vtimer_init(&s->second_timer, env->clock, rtc_timer_cb, s);
    vtimer_init(&s->periodic_timer, env->clock, rtc_timer_cb, s);
    s->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz divider, 1024 Hz rate */
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = 0x80;
    uint64_t real = clock_realtime_ns();
    s->base_sec = (int64_t)(real / NS_PER_SEC);
    s->base_ns = rtc_now(s) - (int64_t)(real % NS_PER_SEC);
    s->last_sec = s->base_sec;
    s->last_period = rtc_period_index(rtc_now(s), rtc_period_shift(s));
    rtc_update_checksum(s);
    return dev_register(env, rtc_ports, 1, &rtc_ops, s);
}

void rtc_fini(rtc *s, const dev_env *env)
{
    vtimer_del(&s->second_timer);
    vtimer_del(&s->periodic_timer);
    dev_unregister(env, rtc_ports, 1, s);
}
